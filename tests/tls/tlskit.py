"""Helpers for the nodenet-only TLS tests: a server and a client in one loop."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

import nodenet.tls as tls


def server_options(certs: Any, **extra: Any) -> Dict[str, Any]:
    opts: Dict[str, Any] = {"cert": certs.leaf, "key": certs.leaf_key}
    opts.update(extra)
    return opts


def client_options(certs: Any, port: int, **extra: Any) -> Dict[str, Any]:
    opts: Dict[str, Any] = {"port": port, "host": "127.0.0.1", "servername": "localhost",
                            "ca": certs.ca}
    opts.update(extra)
    return opts


def pair(certs: Any, on_server: Callable[[Any], None], on_client: Callable[[Any, Any], None],
         server_extra: Optional[Dict[str, Any]] = None,
         client_extra: Optional[Dict[str, Any]] = None,
         close_after: int = 1) -> tls.Server:
    """A TLS server (closed after ``close_after`` connections closed) and one
    client; ``on_server(socket)`` runs on 'secureConnection', ``on_client(client,
    server)`` right after ``tls.connect``."""
    closed = [0]

    def on_secure(sock: Any) -> None:
        on_server(sock)

    srv = tls.create_server(server_options(certs, **(server_extra or {})), on_secure)

    def on_raw(raw: Any) -> None:
        def gone(*_: Any) -> None:
            closed[0] += 1
            if closed[0] == close_after:
                srv.close()
        raw.on("close", gone)

    srv.on("connection", on_raw)

    def listening() -> None:
        c = tls.connect(client_options(certs, srv.address()["port"], **(client_extra or {})))
        on_client(c, srv)

    srv.listen(0, "127.0.0.1", listening)
    return srv
