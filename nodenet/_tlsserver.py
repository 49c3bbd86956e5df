"""``tls.Server`` and ``tls.createServer()``: a ``net.Server`` whose connections
become TLSSockets.

Node: tls.md § "Class: tls.Server" and § "tls.createServer([options][,
secureConnectionListener])", after Node 26's ``lib/internal/tls/wrap.js``. The
server's first ``'connection'`` listener wraps each accepted Socket in a
:class:`~nodenet._tlssocket.TLSSocket`; events:

* ``'secureConnection'`` (tlsSocket) once the handshake is done and, with
  ``request_cert``, the client's certificate was checked (a refused client is
  destroyed quietly when ``reject_unauthorized``);
* ``'tlsClientError'`` (err, tlsSocket) for a failure before that: an alert, a
  handshake timeout (``handshake_timeout``, 120 s, which — as in Node — only
  reports: the socket stays open unless a listener destroys it), or
  ECONNRESET "socket hang up" when the client goes away;
* ``'keylog'`` (line, tlsSocket), where ``ssl`` can log keys (CPython).

``SNICallback(servername, cb)`` may answer at once or later; ``add_context``
feeds the default one. ALPN: the server's preference wins; a client offering
only other protocols is refused with the ``no_application_protocol`` alert,
as Node does; ``ALPNCallback`` chooses per connection.

Differences: ``'newSession'``/``'resumeSession'``/``'OCSPRequest'`` are never
emitted (``ssl`` keeps its session cache and OCSP to itself); ticket keys
cannot be read or set; a server with ``request_cert`` makes a TLS context per
connection (so it cannot resume sessions).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Hashable, List, Mapping, Optional, Tuple

from ._args import is_js_object, options_dict
from ._netserver import Server as NetServer
from ._tlscontext import SecureContext, is_bytes_like
from ._tlserrors import (
    ERR_FEATURE_UNAVAILABLE, ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS, ERR_TLS_REQUIRED_SERVER_NAME,
    conn_reset,
)
from ._tlssocket import TLSSocket, _default_sni, alpn_list
from ._tlsverify import PURPOSE_CLIENT
from ._validators import js_truthy, validate_function, validate_number, validate_string
from .errors import ERR_INVALID_ARG_TYPE, NodeError

__all__ = ("Server", "create_server")

Callback = Callable[..., Any]

# setSecureContext's options for createSecureContext: those Node passes on only when
# truthy, and those it passes as they are (undefined when absent)
_TRUTHY_CONTEXT_OPTIONS = (
    "pfx", "key", "passphrase", "cert", "client_cert_engine", "ca", "min_version",
    "max_version", "secure_protocol", "crl", "ciphers", "dhparam", "secure_options",
    "session_id_context",
)
_PASSED_CONTEXT_OPTIONS = (
    "sigalgs", "ecdh_curve", "private_key_identifier", "private_key_engine",
    "certificate_compression",
)


class Server(NetServer):
    """Node: tls.md § "Class: tls.Server" — accepts TLS connections.

    Options: every :func:`~nodenet.tls.create_secure_context` option, plus
    ``request_cert``, ``reject_unauthorized`` (default True), ``ALPNProtocols``,
    ``ALPNCallback``, ``SNICallback``, ``handshake_timeout`` (ms, default
    120000), ``session_timeout``, ``ticket_keys``, ``enable_trace``, and the
    :class:`~nodenet.Server` options.
    """

    # Node's argument counts of the events a TLS server adds
    _event_args: Dict[Hashable, int] = {
        **NetServer._event_args, "secureConnection": 1, "tlsClientError": 2, "keylog": 2,
        "newSession": 3, "resumeSession": 2, "OCSPRequest": 3,
    }

    def __init__(self, options: Any = None, listener: Optional[Callback] = None,
                 **kwargs: Any) -> None:
        if callable(options) and listener is None:
            listener, options = options, None
        if options is not None and not isinstance(options, Mapping):
            if not is_js_object(options):
                raise ERR_INVALID_ARG_TYPE("options", "object", options)
            # an array, a Buffer, an instance: typeof 'object', with no option in it
            # (setSecureContext then refuses an array)
        opts = options_dict(options if isinstance(options, Mapping) else None, **kwargs)
        # Option values are tested as JavaScript tests them (``if (options.x)``).
        self._contexts: List[Tuple[Any, SecureContext]] = []
        self.request_cert = opts.get("request_cert") is True
        self.reject_unauthorized = opts.get("reject_unauthorized") is not False
        alpn_cb = opts.get("alpn_callback")
        if js_truthy(alpn_cb) and js_truthy(opts.get("alpn_protocols")):
            raise ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS()
        self.alpn_callback = alpn_cb if js_truthy(alpn_cb) else None
        # kept from the constructor by every later setSecureContext without them
        self._session_timeout = opts.get("session_timeout")
        if not js_truthy(self._session_timeout):
            self._session_timeout = None
        self._ticket_keys = opts.get("ticket_keys")
        if not js_truthy(self._ticket_keys):
            self._ticket_keys = None
        protocols = opts.get("alpn_protocols")
        # convertALPNProtocols takes an array or a Buffer; anything else is no ALPN
        self.alpn_protocols = (alpn_list(protocols) or None if isinstance(protocols, (list, tuple))
                               or is_bytes_like(protocols) else None)
        self._shared_creds: SecureContext
        # the options with the keyword ones; an array goes as it is, to be refused
        self.set_secure_context(options if isinstance(options, (list, tuple)) else opts)
        timeout = opts.get("handshake_timeout")
        if not js_truthy(timeout):
            timeout = 120 * 1000
        self._handshake_timeout = validate_number(timeout, "options.handshakeTimeout")
        sni = opts.get("sni_callback")
        if js_truthy(sni):
            validate_function(sni, "options.SNICallback")
        self._sni_callback = sni if js_truthy(sni) else None
        psk = opts.get("psk_callback")
        if js_truthy(psk):
            validate_function(psk, "options.pskCallback")
        hint = opts.get("psk_identity_hint")
        if js_truthy(hint):
            validate_string(hint, "options.pskIdentityHint")
        self._enable_trace = opts.get("enable_trace")
        net_opts = {k: v for k, v in opts.items()
                    if k in ("allow_half_open", "pause_on_connect", "no_delay", "keep_alive",
                             "keep_alive_initial_delay", "high_water_mark", "block_list")}
        NetServer.__init__(self, net_opts, self._tls_connection)
        if listener is not None:
            self.on("secureConnection", listener)

    # -- contexts ------------------------------------------------------------------------

    def set_secure_context(self, options: Any) -> None:
        """Node: ``server.setSecureContext(options)`` — for connections from now on.

        As Node, a falsy option is left out (``if (options.ca)``), ``ecdhCurve``,
        ``sigalgs`` and the engine options are passed as they are, and
        ``honorCipherOrder`` defaults to true."""
        if isinstance(options, (list, tuple)) or not (
                isinstance(options, Mapping) or is_js_object(options)):
            raise ERR_INVALID_ARG_TYPE("options", "object", options)
        opts = options_dict(options) if isinstance(options, Mapping) else {}
        creds: Dict[str, Any] = {}
        for key in _TRUTHY_CONTEXT_OPTIONS:
            if js_truthy(opts.get(key)):
                creds[key] = opts[key]
        for key in _PASSED_CONTEXT_OPTIONS:
            if key in opts:
                creds[key] = opts[key]
        creds["honor_cipher_order"] = (js_truthy(opts["honor_cipher_order"])
                                       if "honor_cipher_order" in opts else True)
        if js_truthy(opts.get("session_timeout")):
            self._session_timeout = opts["session_timeout"]
        if js_truthy(opts.get("ticket_keys")):
            self._ticket_keys = opts["ticket_keys"]
        if self._session_timeout is not None:
            creds["session_timeout"] = self._session_timeout
        if self._ticket_keys is not None:
            creds["ticket_keys"] = self._ticket_keys
        self._shared_creds = SecureContext(creds)

    def add_context(self, servername: Any, context: Any) -> None:
        """Node: ``server.addContext(hostname, context)`` — ``*`` matches one label.

        As Node, the name becomes a regular expression with ``.^$+?-\\[]{}``
        escaped and ``*`` as ``[^.]*`` (other regular-expression characters keep
        their meaning)."""
        if not js_truthy(servername):
            raise ERR_TLS_REQUIRED_SERVER_NAME()
        if not isinstance(servername, str):
            raise TypeError("servername.replace is not a function")
        pattern = re.sub(r"([.^$+?\-\\\[\]{}])", r"\\\1", servername).replace("*", "[^.]*")
        try:
            regex = re.compile("^" + pattern + "$", re.IGNORECASE)
        except re.error as exc:
            raise SyntaxError(f"Invalid regular expression: /^{pattern}$/i: {exc}") from None
        if not isinstance(context, SecureContext):
            context = SecureContext(context)
        self._contexts.append((regex, context))

    def get_ticket_keys(self) -> bytes:
        """Node: ``server.getTicketKeys()`` — ``ssl`` cannot export them."""
        raise ERR_FEATURE_UNAVAILABLE("getTicketKeys")

    def set_ticket_keys(self, keys: Any) -> None:
        """Node: ``server.setTicketKeys(keys)`` — ``ssl`` cannot set them: the
        argument is checked as Node checks it, then ERR_FEATURE_UNAVAILABLE."""
        if not is_bytes_like(keys):
            raise ERR_INVALID_ARG_TYPE("buffer", ["Buffer", "TypedArray", "DataView"], keys)
        if len(keys) != 48:
            raise NodeError("Session ticket keys must be a 48-byte buffer",
                            "ERR_INTERNAL_ASSERTION")
        raise ERR_FEATURE_UNAVAILABLE("setTicketKeys")

    # -- connections -------------------------------------------------------------------

    def _tls_connection(self, raw: Any) -> None:
        """Node's ``tlsConnectionListener``."""
        socket = TLSSocket(raw, {
            "secure_context": self._shared_creds,
            "is_server": True,
            "server": self,
            "request_cert": self.request_cert,
            "reject_unauthorized": self.reject_unauthorized,
            "handshake_timeout": self._handshake_timeout,
            "alpn_protocols": self.alpn_protocols,
            "alpn_callback": self.alpn_callback,
            "sni_callback": self._sni_callback or _default_sni,
            "enable_trace": self._enable_trace,
            "pause_on_connect": self.pause_on_connect,
        })
        socket._add("secure", lambda *_: _on_server_socket_secure(socket), False)
        if self.listener_count("keylog") > 0:
            socket._add("keylog", lambda line, *_: self._emit("keylog", line, socket), False)
        socket._add("close", lambda *a: _on_socket_close(socket, *a), False)
        socket._add("_tlsError", lambda err=None, *_: _on_socket_tls_error(socket, err), False)
        socket._add("error", lambda err=None, *_: _on_socket_tls_error(socket, err), False)


def _on_server_socket_secure(sock: TLSSocket) -> None:
    """Node's ``onServerSocketSecure``: check the client, then 'secureConnection'."""
    if sock._request_cert:
        tls = sock._tls
        has_cert = bool(tls is not None and sock._peer_ders())
        if not has_cert:
            sock.authorization_error = "UNABLE_TO_GET_ISSUER_CERT"
            if sock._reject_unauthorized:
                sock._destroy_impl(None, None)
        else:
            err = sock._verify_peer(PURPOSE_CLIENT)
            if err is not None:
                sock.authorization_error = err.code
                if sock._reject_unauthorized:
                    sock._destroy_impl(None, None)
            else:
                sock.authorized = True
    if not sock.destroyed and sock._release_control():
        sock.secure_connecting = False
        server = sock._tls_options.get("server")
        if server is not None:
            server._emit("secureConnection", sock)


def _on_socket_tls_error(sock: TLSSocket, err: Any) -> None:
    if not sock._control_released and not sock._error_emitted:
        sock._error_emitted = True
        server = sock._tls_options.get("server")
        if server is not None:
            server._emit("tlsClientError", err, sock)


def _on_socket_close(sock: TLSSocket, had_error: Any = False, *_: Any) -> None:
    if had_error:
        return
    if not sock._control_released and not sock._error_emitted:
        sock._error_emitted = True
        server = sock._tls_options.get("server")
        if server is not None:
            server._emit("tlsClientError", conn_reset("socket hang up"), sock)


def create_server(options: Any = None, listener: Optional[Callback] = None,
                  **kwargs: Any) -> Server:
    """Node: ``tls.createServer([options][, secureConnectionListener])``."""
    return Server(options, listener, **kwargs)
