"""Differential TLS scenarios (Node 26 is the reference): basic echo."""

from __future__ import annotations

from typing import Any, Callable

import pytest

import nodenet.tls as tls
from tlsdiff import Scenario, Trace

pytestmark = pytest.mark.node

CLIENT_EVENTS = ["connect", "secureConnect", "data", "end", "finish", "close", "error"]
SERVER_EVENTS = ["data", "end", "finish", "close", "error"]


def test_echo(tls_certs: Any) -> None:
    server_js = """
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf')}, (s) => {
      rec('S', 'secureConnection', s.authorized, s.authorizationError, s.servername,
          s.alpnProtocol, s.getProtocol());
      watch(s, 'S', %(sev)s);
      s.on('data', (d) => s.write(d));
      s.on('end', () => { rec('S', 'bytes', s.bytesRead, s.bytesWritten); s.end(); });
      s.on('close', () => srv.close());
    });
    srv.on('tlsClientError', (e) => rec('srv', 'tlsClientError', e));
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """ % {"sev": SERVER_EVENTS}
    client_js = """
    const c = tls.connect({port: PORT, host: '127.0.0.1', servername: 'localhost', ca: pem('ca')},
                          () => { rec('C', 'cb', c.authorized, c.authorizationError,
                                      c.getProtocol(), c.alpnProtocol, c.servername);
                                  c.write('hello'); c.end(); });
    watch(c, 'C', %(cev)s);
    c.on('session', () => rec('C', 'session'));
    c.on('close', () => rec('C', 'bytes', c.bytesRead, c.bytesWritten));
    """ % {"cev": CLIENT_EVENTS}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        def on_secure(s: Any) -> None:
            t.rec("S", "secureConnection", s.authorized, s.authorization_error, s.servername,
                  s.alpn_protocol, s.get_protocol())
            t.watch(s, "S", SERVER_EVENTS)
            s.on("data", lambda d: s.write(d))

            def on_end(*_: Any) -> None:
                t.rec("S", "bytes", s.bytes_read, s.bytes_written)
                s.end()
            s.on("end", on_end)
            s.on("close", lambda *_: srv.close())

        srv = tls.create_server({"cert": tls_certs.leaf, "key": tls_certs.leaf_key}, on_secure)
        srv.on("tlsClientError", lambda e, s: t.rec("srv", "tlsClientError", e))
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        def on_secure() -> None:
            t.rec("C", "cb", c.authorized, c.authorization_error, c.get_protocol(),
                  c.alpn_protocol, c.servername)
            c.write("hello")
            c.end()

        c = tls.connect({"port": port, "host": "127.0.0.1", "servername": "localhost",
                         "ca": tls_certs.ca}, on_secure)
        t.watch(c, "C", CLIENT_EVENTS)
        c.on("session", lambda *_: t.rec("C", "session"))
        c.on("close", lambda *_: t.rec("C", "bytes", c.bytes_read, c.bytes_written))

    Scenario(tls_certs, server_js, client_js, server_py, client_py).check()
