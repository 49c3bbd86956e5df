"""Bad input never disturbs other connections: garbage ClientHellos, truncated
handshakes and slow-loris clients while a normal client is served."""

from __future__ import annotations

from typing import Any, Dict, List

import nodenet as net
import nodenet.tls as tls
from support import run
from tlskit import client_options, server_options

GARBAGE = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x00\x05hello",
    b"\x16\x03\x01\xff\xff" + b"\x01" * 100,             # an oversized record, cut short
    b"\x16\x03\x01\x00\x04\x01\x00\xff\xff",             # a ClientHello claiming 64 KiB
    bytes(range(256)) * 4,
]


def test_bad_clients_do_not_disturb_a_good_one(tls_certs: Any) -> None:
    """Twenty slow-loris clients (one byte of a ClientHello, then silence), five
    garbage senders and five that hang up mid-handshake; meanwhile a real client
    completes an echo. The slow ones get ERR_TLS_HANDSHAKE_TIMEOUT from the
    server and are destroyed by its listener, as a Node server would do it."""
    state: Dict[str, Any] = {"errors": [], "echo": None, "closed_raw": 0}
    raws: List[Any] = []

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs, handshakeTimeout=300),
                                lambda s: s.pipe(s))

        def on_error(err: Any, sock: Any) -> None:
            state["errors"].append(err.code)
            sock.destroy()

        srv.on("tlsClientError", on_error)

        def raw_closed(*_: Any) -> None:
            state["closed_raw"] += 1
            if state["closed_raw"] == len(raws) and state["echo"] is not None:
                srv.close()

        def listening() -> None:
            port = srv.address()["port"]
            for _ in range(20):
                s = net.connect(port, "127.0.0.1")
                s.on("connect", (lambda s: lambda: s.write(b"\x16"))(s))
                raws.append(s)
            for payload in GARBAGE:
                s = net.connect(port, "127.0.0.1")
                s.on("connect", (lambda s, p: lambda: s.end(p))(s, payload))
                raws.append(s)
            for _ in range(5):
                s = net.connect(port, "127.0.0.1")
                s.on("connect", (lambda s: lambda: s.end(b"\x16\x03\x01\x02\x00\x01\x00"))(s))
                raws.append(s)
            for s in raws:
                s.on("error", lambda *_: None)
                s.on("close", raw_closed)
                s.resume()
            good = tls.connect(client_options(tls_certs, port))
            got: List[bytes] = []
            good.on("secureConnect", lambda: good.end(b"still served"))
            good.on("data", got.append)

            def good_closed(*_: Any) -> None:
                state["echo"] = b"".join(got)
                if state["closed_raw"] == len(raws):
                    srv.close()
            good.on("close", good_closed)

        srv.listen(0, "127.0.0.1", listening)

    run(main, timeout=20)
    assert state["echo"] == b"still served"
    errors = state["errors"]
    assert errors.count("ERR_TLS_HANDSHAKE_TIMEOUT") == 20
    assert errors.count("ECONNRESET") == 5 + 1          # hang-ups, and the 64 KiB claim
    assert len(errors) == 20 + len(GARBAGE) + 5
    assert all(code.startswith("ERR_SSL_") for code in errors
               if code not in ("ERR_TLS_HANDSHAKE_TIMEOUT", "ECONNRESET"))


def test_garbage_as_the_first_bytes_with_sni_and_alpn(tls_certs: Any) -> None:
    """A server that reads ClientHellos itself (SNICallback, ALPN) hands what is
    not one to OpenSSL, which reports it as usual."""
    errors: List[Any] = []

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs, ALPNProtocols=["h2"],
                                               SNICallback=lambda n, cb: cb(None, None)),
                                lambda s: None)
        srv.on("tlsClientError", lambda e, s: (errors.append(e.code), s.destroy()))
        srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))

        def listening() -> None:
            s = net.connect(srv.address()["port"], "127.0.0.1",
                            lambda: s.write(b"GET / HTTP/1.1\r\n\r\n"))
            s.on("error", lambda *_: None)
            s.resume()

        srv.listen(0, "127.0.0.1", listening)

    run(main)
    assert errors == ["ERR_SSL_HTTP_REQUEST"]


def test_a_client_hello_one_byte_at_a_time(tls_certs: Any) -> None:
    """A relay hands the client's bytes to a server that reads ClientHellos itself
    (SNICallback) one byte per loop turn: the handshake still completes."""
    seen: Dict[str, Any] = {}

    def main() -> None:
        def sni(name: str, cb: Any) -> None:
            seen["sni"] = name
            cb(None, None)

        srv = tls.create_server(server_options(tls_certs, SNICallback=sni),
                                lambda s: s.end(b"ok"))

        def on_relay(inbound: Any) -> None:
            outbound = net.connect(srv.address()["port"], "127.0.0.1")
            pending: List[bytes] = []

            def trickle() -> None:
                if pending and pending[0]:
                    outbound.write(pending[0][:1])
                    pending[0] = pending[0][1:]
                    net.set_immediate(trickle)
                elif pending:
                    pending.pop(0)
                    trickle()

            def on_data(data: bytes) -> None:
                pending.append(data)
                if len(pending) == 1:
                    trickle()

            inbound.on("data", on_data)
            outbound.on("data", inbound.write)
            outbound.on("end", inbound.end)
            inbound.on("end", outbound.end)

        relay = net.create_server(on_relay)

        def ready() -> None:
            c = tls.connect(client_options(tls_certs, relay.address()["port"]))
            c.on("data", lambda d: seen.update(data=d))
            c.on("close", lambda *_: (srv.close(), relay.close()))

        srv.listen(0, "127.0.0.1", lambda: relay.listen(0, "127.0.0.1", ready))

    run(main, timeout=20)
    assert seen == {"sni": "localhost", "data": b"ok"}


def test_odd_client_names_and_an_empty_ca_list(tls_certs: Any) -> None:
    """Client options as JavaScript reads them, each against a server whose
    certificate names localhost and 127.0.0.1 (the trace Node 26 and Node 20 give):

    * a servername with a NUL or a lone surrogate does not crash the loop: the
      name sent is what OpenSSL would read (or none), and the certificate check
      of the whole name fails;
    * an empty servername is no servername: the host is checked;
    * a NaN host is falsy: the certificate is checked against 'localhost';
    * ``ca: []`` is given (an array is truthy): nothing is trusted, not even the
      system store.
    """
    cases = [("servername nul", {"servername": "local\0host"}),
             ("servername surrogate", {"servername": "\ud800"}),
             ("servername empty", {"servername": ""}),
             ("host nan", {"host": float("nan"), "servername": None}),
             ("ca empty", {"ca": []})]
    seen: List[str] = []

    def main() -> None:
        todo = iter(cases)
        srv = tls.create_server(server_options(tls_certs),
                                lambda s: (s.on("error", lambda e: None), s.end()))
        srv.on("tlsClientError", lambda *a: None)

        def next_case() -> None:
            try:
                label, extra = next(todo)
            except StopIteration:
                srv.close()
                return
            opts = client_options(tls_certs, srv.address()["port"], **extra)
            if opts["servername"] is None:
                del opts["servername"]
            c = tls.connect(opts)
            events: List[str] = []
            c.on("secureConnect", lambda: (events.append(f"secure:{c.authorized}"), c.end()))
            c.on("error", lambda e: events.append(f"error:{e.code}"))
            c.on("close", lambda *_: (seen.append(f"{label}: {' '.join(events)}"), next_case()))

        srv.listen(0, "127.0.0.1", next_case)

    run(main, 20)
    assert seen == ["servername nul: error:ERR_TLS_CERT_ALTNAME_INVALID",
                    "servername surrogate: error:ERR_TLS_CERT_ALTNAME_INVALID",
                    "servername empty: secure:True",
                    "host nan: secure:True",
                    "ca empty: error:UNABLE_TO_VERIFY_LEAF_SIGNATURE"]
