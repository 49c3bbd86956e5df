"""``tls.TLSSocket`` and ``tls.connect()``: a ``net.Socket`` that speaks TLS.

Node: tls.md § "Class: tls.TLSSocket" and § "tls.connect(options[, callback])",
following Node 26's ``lib/internal/tls/wrap.js``: a TLSSocket is a
:class:`~nodenet.Socket` whose handle is a :class:`~nodenet._tlshandle.TLSHandle`,
so every stream rule (events, backpressure, half-close, timeouts, ``pipe``) is
the Socket's own. What TLS adds:

* ``'secure'`` when the handshake ends; a client then checks the server's chain
  and name (``check_server_identity``) and emits ``'secureConnect'``, or is
  destroyed with the verification error when ``reject_unauthorized`` (the
  default); a server-side socket goes to the server's ``'secureConnection'``;
* until then a server-side socket's errors go to the server's
  ``'tlsClientError'`` (Node's "control" of the socket is released at
  ``'secureConnection'``, a client's at once);
* ``'session'`` with a resumable session (once per TLS 1.3 ticket), ``'keylog'``;
* the end of input before the handshake ends is ECONNRESET "Client network
  socket disconnected before secure TLS connection was established".

``tls.connect()`` without ``socket`` connects like ``net.connect()`` (lookup,
Happy Eyeballs, ``timeout``, ``signal``...) and puts TLS on the connection
when it is made; with ``socket`` it takes over that connected Socket's handle.

Differences: sessions are opaque :class:`Session` objects usable in this
process (Python cannot serialise a TLS session); ``get_ephemeral_key_info`` has
no size for finite-field DH, so ``min_dh_size`` is not enforced;
``export_keying_material``, renegotiation, OCSP, PSK and ``set_max_send_fragment``
have no ``ssl`` API (see docs/compat.md). A ``socket`` option must be a nodenet
Socket (Node also wraps any Duplex).
"""

from __future__ import annotations

import os
import ssl
import threading
import warnings
from typing import (
    TYPE_CHECKING, Any, Callable, Dict, Hashable, List, Mapping, MutableMapping, Optional, cast,
)

from . import _tlscontext, _tlsdefaults, _tlskeylog, _tlsverify, _x509
from ._args import is_js_object, normalize_args, options_dict
from ._jstext import js_string
from ._isip import is_ip
from ._jscall import adapt
from ._loop import get_loop
from ._netsocket import Socket, _seconds, _validate_connect
from ._tlscontext import SecureContext, is_bytes_like
from ._tlserrors import (
    ERR_FEATURE_UNAVAILABLE, ERR_MULTIPLE_CALLBACK, ERR_TLS_ALPN_CALLBACK_INVALID_RESULT,
    ERR_TLS_HANDSHAKE_TIMEOUT, ERR_TLS_INVALID_CONTEXT,
    ERR_TLS_INVALID_STATE, ERR_TLS_RENEGOTIATION_UNSUPPORTED, ERR_TLS_SNI_FROM_SERVER,
    conn_reset, ssl_error, verify_error,
)
from ._tlshandle import TLSHandle
from ._tlsidentity import check_server_identity
from ._validators import (
    is_number, js_number, js_truthy, validate_boolean, validate_function, validate_int32,
    validate_number, validate_string, validate_uint32,
)
from .errors import (
    ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_INVALID_HANDLE_TYPE, ERR_MISSING_ARGS,
    ERR_SOCKET_CLOSED, NodeError, NodeRangeError, NodeTypeError,
)
from .events import _Once
from .stream import Duplex

if TYPE_CHECKING:
    from ._handle import StreamHandle

__all__ = ("TLSSocket", "connect", "Session", "convert_alpn_protocols", "alpn_list")

Callback = Callable[..., Any]
_get_ident = threading.get_ident
_HAS_CHAIN = hasattr(ssl.SSLObject, "get_unverified_chain")

# IANA names of the cipher suites OpenSSL may pick (Node's ``standardName``).
_STANDARD_NAMES = {
    "TLS_AES_256_GCM_SHA384": "TLS_AES_256_GCM_SHA384",
    "TLS_AES_128_GCM_SHA256": "TLS_AES_128_GCM_SHA256",
    "TLS_CHACHA20_POLY1305_SHA256": "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_CCM_SHA256": "TLS_AES_128_CCM_SHA256",
    "ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305": "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-RSA-CHACHA20-POLY1305": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "DHE-RSA-AES128-GCM-SHA256": "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "DHE-RSA-AES256-GCM-SHA384": "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "DHE-RSA-CHACHA20-POLY1305": "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-ECDSA-AES128-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "ECDHE-ECDSA-AES256-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "ECDHE-RSA-AES128-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "ECDHE-RSA-AES256-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "DHE-RSA-AES128-SHA256": "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    "DHE-RSA-AES256-SHA256": "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    "ECDHE-ECDSA-AES128-SHA": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "ECDHE-ECDSA-AES256-SHA": "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "ECDHE-RSA-AES128-SHA": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "ECDHE-RSA-AES256-SHA": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "DHE-RSA-AES128-SHA": "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    "DHE-RSA-AES256-SHA": "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
    "AES128-GCM-SHA256": "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "AES256-GCM-SHA384": "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "AES128-SHA256": "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "AES256-SHA256": "TLS_RSA_WITH_AES_256_CBC_SHA256",
    "AES128-SHA": "TLS_RSA_WITH_AES_128_CBC_SHA",
    "AES256-SHA": "TLS_RSA_WITH_AES_256_CBC_SHA",
}

# Key exchange groups (TLS NamedGroup) -> (type, name, size) as Node reports them.
_GROUPS = {
    0x001D: ("ECDH", "X25519", 253), 0x001E: ("ECDH", "X448", 448),
    0x0017: ("ECDH", "prime256v1", 256), 0x0018: ("ECDH", "secp384r1", 384),
    0x0019: ("ECDH", "secp521r1", 521),
}


# -- ALPN ----------------------------------------------------------------------------


def alpn_list(value: Any) -> Optional[List[str]]:
    """Node's ``convertALPNProtocols`` input as a list of names (None for none).

    A falsy value is none (Node tests ``if (options.ALPNProtocols)``); any other
    value that is no array or Buffer is refused, as the native
    ``setALPNProtocols`` refuses it (a TypeError without a code)."""
    if not js_truthy(value):
        return None
    if isinstance(value, (list, tuple)):
        out = []
        for i, proto in enumerate(value):
            raw = proto.encode("utf-8") if isinstance(proto, str) else bytes(proto) \
                if is_bytes_like(proto) else None
            if raw is None:
                raise ERR_INVALID_ARG_TYPE("string", ["string", "Buffer", "ArrayBuffer"], proto)
            if not raw:
                raise ERR_INVALID_ARG_VALUE(f"protocols[{i}]", proto, "must be a non-empty string")
            if len(raw) > 255:
                raise NodeRangeError(
                    f"The byte length of the protocol at index {i} exceeds the maximum length. "
                    f"It must be <= 255. Received {len(raw)}", "ERR_OUT_OF_RANGE")
            out.append(raw.decode("latin-1"))
        return out
    if is_bytes_like(value):
        raw = bytes(value)
        out = []
        pos = 0
        while pos < len(raw):
            length = raw[pos]
            if length == 0:
                raise ERR_INVALID_ARG_VALUE("ALPNProtocols", value,
                                            "must not contain zero-length protocol")
            if pos + 1 + length > len(raw):
                raise ERR_INVALID_ARG_VALUE("ALPNProtocols", value, "contains truncated protocol")
            out.append(raw[pos + 1:pos + 1 + length].decode("latin-1"))
            pos += 1 + length
        return out
    err = TypeError("Must give a Buffer as first argument")
    raise err


def convert_alpn_protocols(protocols: Any, out: Any) -> None:
    """Node: ``tls.convertALPNProtocols(protocols, out)`` — sets
    ``out['ALPNProtocols']`` to the wire format (length-prefixed names)."""
    if isinstance(protocols, (list, tuple)) or is_bytes_like(protocols):
        names = alpn_list(protocols) or []
        wire = b"".join(bytes([len(n)]) + n.encode("latin-1") for n in names)
        if isinstance(out, MutableMapping):
            out["ALPNProtocols"] = wire
        elif out is None or isinstance(out, (str, int, float)):
            # strict-mode JavaScript: no property on undefined or a primitive
            raise TypeError(f"Cannot create property 'ALPNProtocols' on {js_string(out)}")
        else:
            # JavaScript sets the property on any object (an array, a Buffer too)
            try:
                setattr(out, "ALPNProtocols", wire)
            except (AttributeError, TypeError):
                pass


# -- sessions --------------------------------------------------------------------------


class Session:
    """A resumable TLS session, as ``'session'`` and ``get_session()`` give it.

    Node hands out the session as a Buffer; Python cannot serialise one, so
    this object is only good in this process, with a client made from the same
    context options (``tls.connect`` shares contexts for that). It remembers
    who it was made for and what the verification said, since a resumed
    handshake carries no certificate to check again.
    """

    __slots__ = ("ssl_session", "identity", "authorized", "error_code", "peer_chain",
                 "context")

    def __init__(self, ssl_session: ssl.SSLSession, identity: str, authorized: bool,
                 error_code: int, peer_chain: List[bytes], context: ssl.SSLContext) -> None:
        self.ssl_session = ssl_session
        self.identity = identity
        self.authorized = authorized
        self.error_code = error_code
        self.peer_chain = peer_chain
        self.context = context

    def __repr__(self) -> str:
        return f"<tls.Session for {self.identity!r}>"


def _session_identity(options: Mapping[str, Any]) -> str:
    """Node's ``getSessionServerIdentity``: servername, host, socket's host, 'localhost'."""
    sock = options.get("socket")
    for name in (options.get("servername"), options.get("host"),
                 getattr(sock, "_host", None) if js_truthy(sock) else None):
        if js_truthy(name):         # ``a || b || ...``: JavaScript's truthiness
            return name             # type: ignore[return-value]
    return "localhost"


def _check_session(session: Any) -> None:
    if session is None or isinstance(session, Session) or isinstance(session, str) \
            or is_bytes_like(session):
        return
    raise NodeTypeError("Session must be a buffer", "ERR_INVALID_ARG_TYPE")


# -- the socket --------------------------------------------------------------------------


class TLSSocket(Socket):
    """Node: tls.md § "Class: tls.TLSSocket" — TLS over a nodenet Socket.

    ``TLSSocket(socket=None, options=None)``: ``socket`` is a connected
    :class:`~nodenet.Socket` to take over (or None, for ``connect()`` later);
    options are ``is_server``, ``server``, ``request_cert``,
    ``reject_unauthorized``, ``ALPNProtocols``, ``SNICallback``, ``session``,
    ``secure_context`` and any :func:`create_secure_context` option, plus the
    Socket options ``allow_half_open``, ``high_water_mark``, ``signal``...
    Properties: ``encrypted`` (always True), ``authorized``,
    ``authorization_error``, ``alpn_protocol``, ``servername``,
    ``secure_connecting``.
    """

    __slots__ = (
        "encrypted", "authorized", "authorization_error", "alpn_protocol", "servername",
        "secure_connecting", "_tls_options", "_secure_established", "_control_released",
        "_sni_callback", "_alpn_callback", "_request_cert", "_reject_unauthorized", "_tls",
        "_secure_context", "_connect_options", "_had_error", "_error_emitted", "_is_verified",
        "_pending_session", "_session", "_requested_servername", "_is_server",
        "_handshake_timeout", "_disable_renegotiation", "_verify_code", "_ctx_used",
        "_keylog_on", "_connect_end", "_context_used",
    )

    # Node's argument counts of the events TLS adds (JavaScript's call rules)
    _event_args: Dict[Hashable, int] = {
        **Socket._event_args, "secure": 0, "secureConnect": 0, "session": 1, "keylog": 1,
        "OCSPResponse": 1, "_tlsError": 1,
    }

    def __init__(self, socket: Any = None, options: Any = None, **kwargs: Any) -> None:
        loop = get_loop()
        if loop._ident == _get_ident():
            self._construct(socket, options, kwargs)
        else:
            loop.call(self._construct, socket, options, kwargs)

    def _construct(self, socket: Any, options: Any, kwargs: Dict[str, Any]) -> None:
        if options is not None and not isinstance(options, Mapping):
            raise ERR_INVALID_ARG_TYPE("options", "object", options)
        opts = options_dict(options, **kwargs)
        trace = opts.get("enable_trace")
        if trace is not None:
            validate_boolean(trace, "options.enableTrace")
        psk = opts.get("psk_callback")
        if js_truthy(psk):
            # checked as Node checks it, then unused: Python's ssl has no PSK here
            validate_function(psk, "pskCallback")
        opts["alpn_protocols"] = alpn_list(opts.get("alpn_protocols")) or None
        is_server = bool(opts.get("is_server"))
        context: Any = opts.get("secure_context")
        if not js_truthy(context):
            context = opts.get("credentials")
        if not js_truthy(context):
            context = _tlscontext.create_secure_context(opts)
        inner = getattr(context, "context", None)
        if isinstance(inner, SecureContext):
            context = inner
        if not isinstance(context, SecureContext):
            raise ERR_TLS_INVALID_CONTEXT("context")
        wrap: Optional[Socket] = None
        raw: Optional[StreamHandle] = None
        if socket is not None:
            if not isinstance(socket, Socket):
                raise ERR_INVALID_ARG_TYPE("socket", "net.Socket", socket)
            wrap = socket
            if socket._handle is not None and not socket.connecting and not socket.destroyed:
                raw = socket._handle
        self._tls_options = opts
        self._is_server = is_server
        self._secure_context: SecureContext = context
        self.encrypted = True
        self.authorized = False
        self.authorization_error: Optional[str] = None
        self.alpn_protocol: Any = None
        self.servername: Any = None
        self.secure_connecting = True
        self._secure_established = False
        self._control_released = False
        self._sni_callback: Optional[Callback] = None
        self._alpn_callback: Optional[Callback] = None
        self._request_cert = False
        self._reject_unauthorized = False
        self._tls: Optional[TLSHandle] = None
        self._connect_options: Optional[Dict[str, Any]] = None
        self._had_error = False
        self._error_emitted = False
        self._is_verified = False
        self._pending_session: Optional[Session] = None
        self._session: Optional[Session] = None
        self._requested_servername: Optional[str] = None
        self._disable_renegotiation = False
        self._verify_code = 0
        self._ctx_used: Optional[ssl.SSLContext] = None
        self._keylog_on = False
        self._connect_end: Optional[Callback] = None
        self._context_used: SecureContext = context
        timeout = opts.get("handshake_timeout")
        self._handshake_timeout = float(cast(float, timeout)) if is_number(timeout) else 0.0
        handle = TLSHandle(raw, server_side=is_server, parent=wrap) if raw is not None else None
        if raw is not None:
            raw.onread_buffer = None
        hwm = opts.get("high_water_mark")
        if hwm is not None and not (is_number(hwm) and js_number(hwm).is_integer() and hwm >= 0):
            # Node's getHighWaterMark, from the net.Socket constructor
            raise ERR_INVALID_ARG_VALUE("options.readableHighWaterMark", hwm)
        onread = opts.get("onread") if socket is None else None
        delay = opts.get("keep_alive_initial_delay")
        allow_half_open = socket.allow_half_open if socket is not None else \
            js_truthy(opts.get("allow_half_open"))
        self._setup(
            allow_half_open=allow_half_open, readable=True, writable=True,
            readable_hwm=int(hwm) if hwm is not None else None,
            writable_hwm=int(hwm) if hwm is not None else None,
            handle=cast(Any, handle),      # a TLSHandle has a StreamHandle's interface
            onread=onread if isinstance(onread, Mapping) else None,
            no_delay=js_truthy(opts.get("no_delay")), keep_alive=js_truthy(opts.get("keep_alive")),
            keep_alive_delay=_seconds(max(cast(float, delay), 0)) if is_number(delay) else 0,
            signal=opts.get("signal"), block_list=None,
            pause_on_create=bool(opts.get("pause_on_connect")), manual_start=True)
        self._tls = handle
        self._add("error", self._tls_error, False)
        self._init(socket, wrap)
        if handle is not None and is_server:
            self._start_server()
        self._tick(_init_read, self, socket)

    # -- setup (Node's TLSSocket.prototype._init) --------------------------------------

    def _init(self, socket: Any, wrap: Optional[Socket]) -> None:
        o = self._tls_options
        self.server = o.get("server")
        self._server = None
        self._request_cert = bool(o.get("request_cert")) or not self._is_server
        self._reject_unauthorized = bool(o.get("reject_unauthorized"))
        self._add("newListener", self._keylog_new_listener, False)
        if self._is_server:
            sni = o.get("sni_callback")
            server = self.server
            if sni is not None and (sni is not _default_sni or (
                    server is not None and getattr(server, "_contexts", None))):
                validate_function(sni, "options.SNICallback")
                self._sni_callback = sni
            alpn_cb = o.get("alpn_callback")
            if js_truthy(alpn_cb):
                validate_function(alpn_cb, "options.ALPNCallback")
                self._alpn_callback = alpn_cb
        else:
            session = o.get("session")
            if isinstance(session, Session):
                self._session = session
        if self._handshake_timeout > 0:
            self.set_timeout(self._handshake_timeout, self._handle_timeout)
        if isinstance(socket, Socket):
            self._parent = socket
            self.connecting = socket.connecting or socket._handle is None

            def on_parent_connect(*_: Any) -> None:
                if self._tls is None and socket._handle is not None and not self.destroyed:
                    self._wrap_raw(socket._handle, parent=socket)
                self.connecting = False
                self._emit("connect")

            socket._add("connect", _Once(socket, "connect", on_parent_connect), False)
        if wrap is not None:
            wrap._add("error", lambda err=None, *_: self._emit_tls_error(err), False)
            wrap._add("close", lambda *_: self._destroy_impl(None, None), False)
        elif socket is None:
            self.connecting = True

    def _wrap_raw(self, raw: StreamHandle, parent: Optional[Socket] = None) -> TLSHandle:
        """Put TLS on a connected raw handle (the connect path, and late parents)."""
        raw.onread_buffer = None
        tls = TLSHandle(raw, server_side=self._is_server, parent=parent)
        self._handle = tls            # type: ignore[assignment]
        self._tls = tls
        self._attach_handle()
        if self._is_server:
            self._start_server()
        return tls

    def _after_connect(self, status: int, address: str, port: Optional[int],
                       address_type: Optional[int], local_address: Optional[str],
                       local_port: Optional[int]) -> None:
        # The TLS layer goes on the connection that won (Node wraps each attempt).
        if (status == 0 and not self.destroyed and self._tls is None
                and self._handle is not None):
            self._wrap_raw(self._handle)
        Socket._after_connect(self, status, address, port, address_type, local_address,
                              local_port)

    def _keylog_new_listener(self, event: Any, *_: Any) -> None:
        if event != "keylog":
            return
        self._keylog_on = True
        if self._ctx_used is not None:
            _tlskeylog.enable(self._ctx_used)

    # -- starting the handshake -----------------------------------------------------------

    def _tls_start(self, *_: Any) -> None:
        """Node's ``_start``: the client sends its ClientHello once connected."""
        if self.connecting:
            self._add("connect", _Once(self, "connect", self._tls_start), False)
            return
        tls = self._tls
        if tls is None or self.destroyed or tls.sslobj is not None:
            return
        ctx = self._secure_context.ssl_context(False, self._tls_options.get("alpn_protocols")
                                               or ())
        self._ctx_used = ctx
        if self._keylog_on:
            _tlskeylog.enable(ctx)
        session = self._session
        ssl_session = None
        if session is not None and session.context is ctx:
            ssl_session = session.ssl_session
        tls.start_client(ctx, self._requested_servername, ssl_session)

    def _start_server(self) -> None:
        tls = self._tls
        assert tls is not None
        ctx = self._server_ssl_context(self._secure_context,
                                       self._tls_options.get("alpn_protocols"))
        server: Any = self._tls_options.get("server")      # a tls.Server
        alpn = self._tls_options.get("alpn_protocols")
        gate = None
        if self._sni_callback is not None or alpn or self._alpn_callback is not None:
            gate = self._client_hello
        if self._keylog_on or (server is not None and server.listener_count("keylog")):
            _tlskeylog.enable(ctx)
        self._ctx_used = ctx
        tls.start_server(ctx, gate)

    def _server_ssl_context(self, context: SecureContext,
                            alpn: Optional[List[str]]) -> ssl.SSLContext:
        if self._request_cert:
            ctx = context.connection_context(alpn or (), self._reject_unauthorized)
        else:
            ctx = context.ssl_context(True, alpn or ())
        return ctx

    def _client_hello(self, hello: Any, resume: Callback) -> None:
        """Node's ``loadSNI`` and ALPN selection, before OpenSSL sees the hello."""
        def choose(context: Optional[SecureContext]) -> None:
            use = context or self._secure_context
            alpn = self._tls_options.get("alpn_protocols")
            offered = [p.decode("latin-1") for p in hello.alpn] if hello.alpn else None
            if self._alpn_callback is not None and offered is not None:
                try:
                    chosen = adapt(self._alpn_callback, 1)({"servername": hello.servername or False,
                                                  "protocols": offered})
                except Exception as exc:   # Node destroys the socket with it
                    resume(exc)
                    return
                if chosen is None:
                    resume(alert=120, node_error=_no_alpn())
                    return
                if chosen not in offered:
                    resume(ERR_TLS_ALPN_CALLBACK_INVALID_RESULT(chosen, offered))
                    return
                alpn = [chosen]
            elif alpn and offered is not None and not any(p in offered for p in alpn):
                resume(alert=120, node_error=_no_alpn())
                return
            ctx = self._server_ssl_context(use, alpn)
            self._ctx_used = ctx
            self._context_used = use
            if self._keylog_on:
                _tlskeylog.enable(ctx)
            resume(ctx=ctx)

        sni = self._sni_callback
        if sni is None or not hello.servername:
            choose(None)
            return
        once = [False]

        def done(err: Any = None, context: Any = None, *_: Any) -> None:
            if once[0]:
                self._destroy_impl(_multiple_callback(), None)
                return
            once[0] = True
            if err is not None:
                resume(err)
                return
            if self._tls is None:
                self._destroy_impl(_socket_closed(), None)
                return
            if context is not None and not isinstance(context, SecureContext):
                inner = getattr(context, "context", None)
                context = inner if isinstance(inner, SecureContext) else None
            choose(context)

        try:
            if sni is _default_sni:
                _default_sni(self, hello.servername, done)
            else:
                adapt(sni, 2)(hello.servername, done)
        except Exception as exc:
            self._destroy_impl(exc, None)

    def write(self, chunk: Any, encoding: Any = None, callback: Optional[Callback] = None) -> bool:
        """Node: ``socket.write(data[, encoding][, callback])`` — the cleartext is
        encrypted by the TLS handle. (Socket's fast path sends on the OS socket
        itself, which a TLS socket must never do, so this takes the stream path.)"""
        if self._after_fin:
            return self._query(self._write_after_fin, chunk, encoding, callback)  # type: ignore[no-any-return]
        return Duplex.write(self, chunk, encoding, callback)

    # -- events from the TLS handle ----------------------------------------------------

    def _tls_handshake_done(self) -> None:
        """Node's ``_finishInit``: note ALPN and the server name, emit 'secure'."""
        tls = self._tls
        if tls is None or tls.sslobj is None:
            return
        self.alpn_protocol = tls.sslobj.selected_alpn_protocol() or False
        if self.servername is None:
            if self._is_server:
                self.servername = tls.sni_name or False
            else:
                self.servername = self._requested_servername or False
        self._secure_established = True
        if self._handshake_timeout > 0:
            self.set_timeout(0, self._handle_timeout)
        self._emit("secure")

    def _tls_failed(self, exc: Any) -> None:
        """Node's ``onerror``: an OpenSSL error (an alert, a protocol error)."""
        err = exc if isinstance(exc, NodeError) else ssl_error(exc)
        if self._had_error:
            return
        self._had_error = True
        if not self._secure_established:
            self._remember_peer()
            self._destroy_impl(err, None)
        elif (self._is_server and self._reject_unauthorized
              and "peer did not return a certificate" in str(err)):
            self._destroy_impl(None, None)
        else:
            self._emit_tls_error(err)

    def _tls_keylog(self, line: bytes) -> None:
        self._emit("keylog", line)

    def _tls_gate_error(self, err: BaseException) -> None:
        self._destroy_impl(err, None)

    def _tls_new_session(self) -> None:
        """A resumable session arrived (client): Node's ``onnewsessionclient``."""
        session = self._make_session()
        if session is None:
            return
        if self._is_verified:
            self._emit("session", session)
        else:
            self._pending_session = session

    def _make_session(self) -> Optional[Session]:
        tls = self._tls
        if tls is None or tls.sslobj is None or self._ctx_used is None:
            return None
        ssl_session = tls.sslobj.session
        if ssl_session is None:
            return None
        options = self._connect_options or self._tls_options
        return Session(ssl_session, _session_identity(options), self.authorized,
                       self._verify_code, list(tls.peer_chain) or self._peer_ders(),
                       self._ctx_used)

    def _remember_peer(self) -> None:
        """Keep the peer address readable in 'tlsClientError' listeners (Node closes
        the handle only after they ran)."""
        if self._handle is not None:
            self._get_peername()

    # -- Node's error plumbing ----------------------------------------------------------

    def _tls_error(self, err: Any = None, *_: Any) -> Optional[BaseException]:
        self._emit("_tlsError", err)
        if self._control_released:
            return err  # type: ignore[no-any-return]
        return None

    def _emit_tls_error(self, err: Any) -> None:
        e = self._tls_error(err)
        if e is not None:
            self._emit("error", e)

    def _release_control(self) -> bool:
        if self._control_released:
            return False
        self._control_released = True
        self._remove("error", self._tls_error)
        return True

    def _handle_timeout(self, *_: Any) -> None:
        self._emit_tls_error(ERR_TLS_HANDSHAKE_TIMEOUT())

    def _destroy(self, exception: Optional[BaseException], cb: Callback) -> None:
        self._tls = None
        Socket._destroy(self, exception, cb)

    # -- verification ---------------------------------------------------------------------

    def _peer_ders(self) -> List[bytes]:
        """The chain the peer sent: from the handshake, else what ``ssl`` exposes."""
        tls = self._tls
        if tls is None or tls.sslobj is None:
            return []
        if tls.peer_chain:
            return list(tls.peer_chain)
        obj = tls.sslobj
        if _HAS_CHAIN:
            try:
                chain = obj.get_unverified_chain()  # type: ignore[attr-defined]
                if chain:
                    return [bytes(c) for c in chain]
            except (ValueError, AttributeError):  # pragma: no cover
                pass
        try:
            leaf = obj.getpeercert(True)
        except ValueError:
            return []
        return [leaf] if leaf else []

    def _verify_peer(self, purpose: str) -> Optional[NodeError]:
        """Node's ``verifyError()``: None, or the verification error."""
        if self.is_session_reused():
            session = self._session
            if session is not None:
                self._verify_code = session.error_code
                return verify_error(session.error_code) if session.error_code else None
        chain = self._peer_ders()
        if not chain:
            return None
        context = self._secure_context
        code, message = context.verifier.first_error(chain, purpose)
        if code:
            code = _tlsverify.last_error(code, chain, context.anchors, purpose)
        self._verify_code = code
        return verify_error(code, message) if code else None

    # -- public API (Node: TLSSocket methods) ----------------------------------------------

    def get_peer_certificate(self, detailed: Any = False) -> Optional[Dict[str, Any]]:
        """Node: ``tlsSocket.getPeerCertificate([detailed])`` — the certificate
        object (see ``_x509.py``), ``{}`` without one, None once closed. With
        ``detailed``, ``issuer_certificate`` links the chain up to a root, which
        is its own issuer."""
        return self._query(self._get_peer_certificate, js_truthy(detailed))  # type: ignore[no-any-return]

    def _get_peer_certificate(self, detailed: bool) -> Optional[Dict[str, Any]]:
        if self._handle is None:
            return None
        ders = self._peer_ders()
        if not ders:
            return {}
        try:
            peer = [_x509.parse_certificate(d) for d in ders]
        except _x509.DERError:
            return {}
        if not detailed:
            return _x509.node_certificate(peer[:1])
        chain, _ = _tlsverify._build(peer, self._secure_context.anchors)
        return _x509.node_certificate(chain, detailed=True)

    def get_certificate(self) -> Optional[Dict[str, Any]]:
        """Node: ``tlsSocket.getCertificate()`` — this side's own certificate."""
        def get() -> Optional[Dict[str, Any]]:
            if self._handle is None:
                return None
            ders = self._context_used.own_chain
            if not ders or self._tls is None or self._tls.sslobj is None:
                return {}
            try:
                return _x509.node_certificate([_x509.parse_certificate(ders[0])])
            except _x509.DERError:
                return {}
        return self._query(get)  # type: ignore[no-any-return]

    def _sslobj(self) -> Optional[ssl.SSLObject]:
        tls = self._tls
        return tls.sslobj if tls is not None else None

    def get_cipher(self) -> Optional[Dict[str, Any]]:
        """Node: ``tlsSocket.getCipher()`` — ``{'name', 'standard_name', 'version'}``."""
        def get() -> Optional[Dict[str, Any]]:
            if self._handle is None:
                return None
            obj = self._sslobj()
            info = obj.cipher() if obj is not None else None
            if not info:
                return None
            name, version = info[0], info[1]
            return {"name": name, "standard_name": _STANDARD_NAMES.get(name, name),
                    "version": version}
        return self._query(get)  # type: ignore[no-any-return]

    def get_protocol(self) -> Optional[str]:
        """Node: ``tlsSocket.getProtocol()`` — ``'TLSv1.3'``, ``'TLSv1.2'``..."""
        def get() -> Optional[str]:
            obj = self._sslobj()
            return obj.version() if obj is not None and self._handle is not None else None
        return self._query(get)  # type: ignore[no-any-return]

    def get_session(self) -> Optional[Session]:
        """Node: ``tlsSocket.getSession()`` — the session, or None."""
        return self._query(lambda: self._make_session() if self._handle is not None else None)  # type: ignore[no-any-return]

    def set_session(self, session: Any) -> None:
        """Node: ``tlsSocket.setSession(session)`` — before the handshake starts."""
        _check_session(session)
        self._run(self._set_session, session)

    def _set_session(self, session: Any) -> None:
        if isinstance(session, Session):
            options = self._connect_options or self._tls_options
            if session.identity == _session_identity(options):
                self._session = session

    def is_session_reused(self) -> bool:
        """Node: ``tlsSocket.isSessionReused()``."""
        obj = self._sslobj()
        return bool(obj is not None and obj.session_reused)

    def get_finished(self) -> Optional[bytes]:
        """Node: ``tlsSocket.getFinished()`` — this side's latest Finished message."""
        tls = self._tls
        return tls.finished if tls is not None else None

    def get_peer_finished(self) -> Optional[bytes]:
        """Node: ``tlsSocket.getPeerFinished()`` — the peer's latest Finished message."""
        tls = self._tls
        return tls.peer_finished if tls is not None else None

    def get_ephemeral_key_info(self) -> Optional[Dict[str, Any]]:
        """Node: ``tlsSocket.getEphemeralKeyInfo()`` — ``{'type', 'name', 'size'}``
        on a client (``{}`` on a server or without key exchange)."""
        tls = self._tls
        if tls is None or self._handle is None:
            return None
        if self._is_server or tls.key_share is None:
            return {}
        group = _GROUPS.get(tls.key_share)
        if group is None:
            return {"type": "DH"} if tls.key_share == 0x100 else {}
        return {"type": group[0], "name": group[1], "size": group[2]}

    def get_shared_sigalgs(self) -> List[str]:
        """Node: ``tlsSocket.getSharedSigalgs()`` — not available from ``ssl``: ``[]``."""
        return []

    def get_tls_ticket(self) -> None:
        """Node: ``tlsSocket.getTLSTicket()`` — not available from ``ssl``."""
        return None

    def export_keying_material(self, length: Any, label: Any, context: Any = None) -> bytes:
        """Node: ``tlsSocket.exportKeyingMaterial(length, label[, context])`` — the
        checks are Node's; Python's ``ssl`` has no exporter, so a secured socket
        raises ERR_FEATURE_UNAVAILABLE_ON_PLATFORM."""
        validate_uint32(length, "length", True)
        validate_string(label, "label")
        if context is not None and not is_bytes_like(context):
            raise ERR_INVALID_ARG_TYPE("context", ["Buffer", "TypedArray", "DataView"], context)
        if not self._secure_established:
            raise ERR_TLS_INVALID_STATE()
        raise ERR_FEATURE_UNAVAILABLE("exportKeyingMaterial")

    def set_servername(self, name: Any) -> None:
        """Node: ``tlsSocket.setServername(name)`` — the SNI name to send (client)."""
        validate_string(name, "name")
        if self._is_server:
            raise ERR_TLS_SNI_FROM_SERVER()
        self._requested_servername = name

    def set_max_send_fragment(self, size: Any) -> bool:
        """Node: ``tlsSocket.setMaxSendFragment(size)`` — no ``ssl`` API: False."""
        validate_int32(size, "size")
        return False

    def renegotiate(self, options: Any, callback: Optional[Callback] = None) -> Optional[bool]:
        """Node: ``tlsSocket.renegotiate(options[, callback])`` — Python's ``ssl``
        cannot renegotiate: ``callback`` gets ERR_TLS_RENEGOTIATION_UNSUPPORTED."""
        # validateObject: any object but an array (a Buffer, an instance) is one
        if isinstance(options, (list, tuple)) or not (
                isinstance(options, Mapping) or is_js_object(options)):
            raise ERR_INVALID_ARG_TYPE("options", "object", options)
        if callback is not None:
            validate_function(callback, "callback")
        if self.destroyed:
            return None
        if callback is not None:
            self._run(self._tick, adapt(callback, 1), ERR_TLS_RENEGOTIATION_UNSUPPORTED())
        return False

    def disable_renegotiation(self) -> None:
        """Node: ``tlsSocket.disableRenegotiation()`` (renegotiation is always off here)."""
        self._disable_renegotiation = True

    def enable_trace(self) -> None:
        """Node: ``tlsSocket.enableTrace()`` — no ``ssl`` API; does nothing."""

    def _reset_and_destroy(self) -> None:
        """``resetAndDestroy()``: Node raises ERR_INVALID_HANDLE_TYPE for a TLS
        socket with a handle (its handle is a TLSWrap, not a TCP), and leaves it
        open; without one it is destroyed with ERR_SOCKET_CLOSED, as any socket."""
        if self._handle is not None:
            raise ERR_INVALID_HANDLE_TYPE()
        Socket._reset_and_destroy(self)

    def set_key_cert(self, context: Any) -> None:
        """Node: ``tlsSocket.setKeyCert(context)`` — not available from ``ssl``."""
        raise ERR_FEATURE_UNAVAILABLE("setKeyCert")

    def __repr__(self) -> str:
        return f"<TLSSocket {self.ready_state} fd={self.fileno()}>"


# -- helpers ---------------------------------------------------------------------------


def _no_alpn() -> NodeError:
    err = NodeError("no application protocol", "ERR_SSL_NO_APPLICATION_PROTOCOL")
    err.library = "SSL routines"  # type: ignore[attr-defined]
    err.reason = "no application protocol"  # type: ignore[attr-defined]
    return err


def _multiple_callback() -> NodeError:
    return ERR_MULTIPLE_CALLBACK()


def _socket_closed() -> NodeError:
    return ERR_SOCKET_CLOSED()


def _default_sni(sock: TLSSocket, servername: str, callback: Callback) -> None:
    """Node's default ``SNICallback``: the server's ``add_context`` entries, newest first."""
    server = sock.server
    for pattern, context in reversed(getattr(server, "_contexts", [])):
        if pattern.match(servername):
            callback(None, context)
            return
    callback(None, None)


def _init_read(sock: TLSSocket, socket: Any) -> None:
    """Node's ``initRead``: feed what the wrapped socket had buffered, then read."""
    tls = sock._tls
    if sock._handle is None:
        return
    if socket is not None and socket.readable_length and tls is not None:
        while True:
            buf = socket.read()
            if buf is None:
                break
            tls._on_handle_data(buf if isinstance(buf, bytes) else buf.encode("latin-1"))
    sock.read(0)


# -- tls.connect --------------------------------------------------------------------------


def _normalize_connect_args(args: Any, kwargs: Dict[str, Any]) -> Any:
    """Node's ``normalizeConnectArgs``: net's overloads, then the options object
    found at ``args[1]`` or ``args[2]`` merged over them."""
    options, cb = normalize_args(args, {})
    for extra in (args[1:2], args[2:3]):
        if extra and isinstance(extra[0], Mapping):
            options.update(options_dict(extra[0]))
            break
    for key, value in kwargs.items():
        options[options_dict({key: None}).popitem()[0]] = value
    return options, cb


def _on_connect_secure(sock: TLSSocket) -> None:
    """Node's ``onConnectSecure``: verify the server, then 'secureConnect'."""
    options = sock._connect_options
    assert options is not None
    verify = sock._verify_peer(_tlsverify.PURPOSE_SERVER)
    if verify is None and not sock.is_session_reused():
        cert = sock._get_peer_certificate(True)
        verify = adapt(options["check_server_identity"], 2)(
            _session_identity(options), cert if cert is not None else {})
    if verify:
        sock.authorized = False
        sock.authorization_error = getattr(verify, "code", None) or str(verify)
        if options.get("reject_unauthorized") is not False:
            sock._destroy_impl(verify, None)
            return
    else:
        sock.authorized = True
    sock.secure_connecting = False
    sock._emit("secureConnect")
    sock._is_verified = True
    session = sock._pending_session
    sock._pending_session = None
    if session is not None:
        session.authorized = sock.authorized
        session.error_code = sock._verify_code
        sock._emit("session", session)
    if sock._connect_end is not None:
        sock._remove("end", sock._connect_end)


def _make_on_connect_end(sock: TLSSocket) -> Callback:
    def on_connect_end(*_: Any) -> None:
        """Node's ``onConnectEnd``: the input ended before the handshake did."""
        if sock._had_error:
            return
        options = sock._connect_options or {}
        sock._had_error = True
        error = conn_reset("Client network socket disconnected before secure TLS "
                           "connection was established")
        error.path = options.get("path")  # type: ignore[attr-defined]
        error.host = options.get("host")  # type: ignore[attr-defined]
        error.port = options.get("port")  # type: ignore[attr-defined]
        error.local_address = options.get("local_address")  # type: ignore[attr-defined]
        sock._destroy_impl(error, None)
    return on_connect_end


_WARNED: List[bool] = []


def _warn_allow_unauthorized() -> None:
    """Node's one-time warning about NODE_TLS_REJECT_UNAUTHORIZED=0."""
    if not _WARNED:
        _WARNED.append(True)
        warnings.warn("Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' "
                      "makes TLS connections and HTTPS requests insecure by disabling "
                      "certificate verification.", RuntimeWarning, stacklevel=3)


def connect(*args: Any, **kwargs: Any) -> TLSSocket:
    """Node: ``tls.connect(options[, callback])``, ``tls.connect(port[, host][,
    options][, callback])``, ``tls.connect(path[, options][, callback])``.

    Every ``net.connect`` option works, plus ``socket``, ``servername``, ``ca``,
    ``cert``, ``key``, ``passphrase``, ``reject_unauthorized`` (default True),
    ``check_server_identity``, ``ALPNProtocols``, ``min_version``/``max_version``,
    ``session``, ``secure_context``, ``min_dh_size``... ``callback`` is a once
    ``'secureConnect'`` listener. Returns the TLSSocket.
    """
    options, cb = _normalize_connect_args(args, kwargs)
    allow_unauthorized = os.environ.get("NODE_TLS_REJECT_UNAUTHORIZED") == "0"
    if allow_unauthorized:
        _warn_allow_unauthorized()
    merged: Dict[str, Any] = {
        "reject_unauthorized": not allow_unauthorized,
        "ciphers": _tlsdefaults.DEFAULT_CIPHERS,
        "check_server_identity": check_server_identity,
        "min_dh_size": 1024,
    }
    merged.update(options)
    options = merged
    validate_function(options["check_server_identity"], "options.checkServerIdentity")
    validate_number(options["min_dh_size"], "options.minDHSize", 1)
    # Options are tested as JavaScript tests them (``if (options.socket)``)
    socket_opt = options.get("socket") if js_truthy(options.get("socket")) else None
    if "port" not in options and options.get("path") is None and socket_opt is None:
        raise ERR_MISSING_ARGS(["options", "port", "path"])
    context = options.get("secure_context")
    if not js_truthy(context):
        context = _tlscontext.client_context(options)
    servername = options.get("servername")
    if not js_truthy(servername):
        servername = None
    if servername is not None and is_ip(servername):
        raise ERR_INVALID_ARG_VALUE(
            "options.servername", servername,
            "Setting the TLS ServerName to an IP address is not permitted.")
    session = options.get("session")
    if not js_truthy(session):
        session = None
    _check_session(session)
    if not isinstance(session, Session) or session.identity != _session_identity(options):
        # Node's getSessionForReuse: only for the server it was made for (and a
        # Buffer from Node cannot be resumed here at all)
        session = None
    if servername is not None:
        validate_string(servername, "name")
    if socket_opt is None:
        _validate_connect(options)
    sock = TLSSocket(socket_opt, {
        "allow_half_open": options.get("allow_half_open"),
        "pipe": bool(options.get("path")),
        "secure_context": context,
        "is_server": False,
        "request_cert": True,
        "reject_unauthorized": options.get("reject_unauthorized") is not False,
        "session": session,
        "alpn_protocols": options.get("alpn_protocols"),
        "enable_trace": options.get("enable_trace"),
        "psk_callback": options.get("psk_callback"),
        "high_water_mark": options.get("high_water_mark"),
        "onread": options.get("onread"),
        "signal": options.get("signal"),
        "no_delay": options.get("no_delay"),
        "keep_alive": options.get("keep_alive"),
        "keep_alive_initial_delay": options.get("keep_alive_initial_delay"),
    })
    options["reject_unauthorized"] = options.get("reject_unauthorized") is not False
    on_end = _make_on_connect_end(sock)
    sock._connect_end = on_end

    def setup() -> None:
        sock._connect_options = options
        if session is not None:
            sock._set_session(session)
        if servername is not None:
            sock._requested_servername = servername
        if cb is not None:
            sock._add("secureConnect", _Once(sock, "secureConnect", cb, adapt(cb, 0)), False)
        if socket_opt is None:
            if js_truthy(options.get("timeout")):
                sock.set_timeout(options["timeout"])
            Socket.connect(sock, options, sock._tls_start)
        sock._release_control()
        if socket_opt is not None:
            sock._tls_start()
        sock._add("secure", lambda *_: _on_connect_secure(sock), False)
        sock._add("end", on_end, True)

    sock._query(setup)
    return sock
