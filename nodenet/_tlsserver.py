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

from ._args import options_dict
from ._netserver import Server as NetServer
from ._tlscontext import SecureContext
from ._tlserrors import (
    ERR_FEATURE_UNAVAILABLE, ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS, ERR_TLS_REQUIRED_SERVER_NAME,
    conn_reset,
)
from ._tlssocket import TLSSocket, _default_sni, alpn_list
from ._tlsverify import PURPOSE_CLIENT
from ._validators import validate_function, validate_number, validate_string
from .errors import ERR_INVALID_ARG_TYPE

__all__ = ("Server", "create_server")

Callback = Callable[..., Any]

_CONTEXT_OPTIONS = (
    "pfx", "key", "passphrase", "cert", "client_cert_engine", "ca", "ciphers", "sigalgs",
    "ecdh_curve", "dhparam", "min_version", "max_version", "secure_protocol", "secure_options",
    "honor_cipher_order", "crl", "session_id_context", "ticket_keys", "session_timeout",
    "private_key_identifier", "private_key_engine", "certificate_compression",
    "allow_partial_trust_chain",
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
            raise ERR_INVALID_ARG_TYPE("options", "object", options)
        opts = options_dict(options, **kwargs)
        self._contexts: List[Tuple[Any, SecureContext]] = []
        self.request_cert = opts.get("request_cert") is True
        self.reject_unauthorized = opts.get("reject_unauthorized") is not False
        self.alpn_callback = opts.get("alpn_callback")
        if self.alpn_callback and opts.get("alpn_protocols"):
            raise ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS()
        self.alpn_protocols = alpn_list(opts.get("alpn_protocols")) or None
        self._shared_creds: SecureContext
        self.set_secure_context(opts)
        timeout = opts.get("handshake_timeout") or 120 * 1000
        validate_number(timeout, "options.handshakeTimeout")
        self._handshake_timeout = timeout
        sni = opts.get("sni_callback")
        if sni:
            validate_function(sni, "options.SNICallback")
        self._sni_callback = sni
        psk = opts.get("psk_callback")
        if psk:
            validate_function(psk, "options.pskCallback")
        hint = opts.get("psk_identity_hint")
        if hint:
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
        """Node: ``server.setSecureContext(options)`` — for connections from now on."""
        if not isinstance(options, Mapping):
            raise ERR_INVALID_ARG_TYPE("options", "object", options)
        opts = options_dict(options)
        creds = {k: opts[k] for k in _CONTEXT_OPTIONS if k in opts and opts[k] is not None}
        if opts.get("honor_cipher_order") is None:
            creds["honor_cipher_order"] = True
        self._shared_creds = SecureContext(creds)

    def add_context(self, servername: Any, context: Any) -> None:
        """Node: ``server.addContext(hostname, context)`` — ``*`` matches one label."""
        if not servername:
            raise ERR_TLS_REQUIRED_SERVER_NAME()
        pattern = re.escape(str(servername)).replace(r"\*", "[^.]*")
        regex = re.compile("^" + pattern + "$", re.IGNORECASE)
        if not isinstance(context, SecureContext):
            context = SecureContext(context)
        self._contexts.append((regex, context))

    def get_ticket_keys(self) -> bytes:
        """Node: ``server.getTicketKeys()`` — ``ssl`` cannot export them."""
        raise ERR_FEATURE_UNAVAILABLE("getTicketKeys")

    def set_ticket_keys(self, keys: Any) -> None:
        """Node: ``server.setTicketKeys(keys)`` — ``ssl`` cannot set them."""
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
