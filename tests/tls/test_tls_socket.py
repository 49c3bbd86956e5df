"""TLSSocket on nodenet alone: properties, stream rules (backpressure, pipe,
timeouts, half-close), other ways to connect (an existing socket, a Unix path,
a name with Happy Eyeballs, another thread) and the TLS getters."""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Any, Dict, List

import pytest

import nodenet as net
import nodenet.tls as tls
from nodenet import _tlskeylog
from support import Calls, run
from tlskit import client_options, pair, server_options


def test_echo_properties(tls_certs: Any) -> None:
    seen: Dict[str, Any] = {}

    def on_server(s: Any) -> None:
        seen["server"] = {
            "encrypted": s.encrypted, "authorized": s.authorized,
            "authorization_error": s.authorization_error, "servername": s.servername,
            "protocol": s.get_protocol(), "peer": s.get_peer_certificate(),
            "own": s.get_certificate(), "finished": s.get_finished(),
            "peer_finished": s.get_peer_finished(), "key": s.get_ephemeral_key_info(),
            "secure_connecting": s.secure_connecting,
        }
        s.pipe(s)

    def on_client(c: Any, srv: Any) -> None:
        data: List[bytes] = []

        def secure() -> None:
            seen["client"] = {
                "authorized": c.authorized, "protocol": c.get_protocol(),
                "cipher": c.get_cipher(), "peer": c.get_peer_certificate(),
                "detailed": c.get_peer_certificate(True), "own": c.get_certificate(),
                "finished": c.get_finished(), "peer_finished": c.get_peer_finished(),
                "key": c.get_ephemeral_key_info(), "reused": c.is_session_reused(),
                "servername": c.servername, "alpn": c.alpn_protocol,
                "remote": (c.remote_address, c.remote_port == srv.address()["port"]),
                "secure_connecting": c.secure_connecting, "fd": c.fileno() >= 0,
            }
            c.end(b"ping")

        c.on("secureConnect", secure)
        c.on("data", data.append)
        c.on("close", lambda *_: seen.update(echo=b"".join(data), after=(
            c.get_peer_certificate(), c.get_cipher(), c.bytes_read, c.bytes_written)))

    run(lambda: pair(tls_certs, on_server, on_client))
    client, server = seen["client"], seen["server"]
    assert seen["echo"] == b"ping"
    assert client["authorized"] is True and client["protocol"] == "TLSv1.3"
    assert client["cipher"] == {"name": "TLS_AES_256_GCM_SHA384",
                                "standard_name": "TLS_AES_256_GCM_SHA384", "version": "TLSv1.3"}
    assert client["peer"]["subject"]["CN"] == "localhost"
    assert "issuer_certificate" not in client["peer"]
    detailed = client["detailed"]
    root = detailed["issuer_certificate"]
    assert root["subject"]["CN"] == "nodenet Test CA"
    assert root["issuer_certificate"] is root          # a root is its own issuer
    assert client["own"] == {} and server["peer"] == {}
    assert server["own"]["subject"]["CN"] == "localhost"
    assert client["finished"] == server["peer_finished"] and client["finished"]
    assert client["peer_finished"] == server["finished"] and len(client["finished"]) == 48
    assert client["key"] == {"type": "ECDH", "name": "X25519", "size": 253}
    assert server["key"] == {}
    assert client["reused"] is False and client["servername"] == "localhost"
    assert server["servername"] == "localhost" and client["alpn"] is False
    assert client["remote"] == ("127.0.0.1", True) and client["fd"]
    assert client["secure_connecting"] is False and server["secure_connecting"] is False
    assert server["encrypted"] is True and server["authorized"] is False
    assert server["authorization_error"] is None
    assert seen["after"] == (None, None, 4, 4)


@pytest.mark.parametrize("version", ["TLSv1.2", "TLSv1.3"])
def test_backpressure_with_a_paused_reader(tls_certs: Any, version: str) -> None:
    """The reader pauses: the writer's write() turns False with its queue bounded by
    the high-water mark, 'drain' comes only after the reader resumes, nothing is lost."""
    chunk = b"x" * 16384
    state: Dict[str, Any] = {"received": 0, "max_queue": 0, "drains": 0}

    def on_server(s: Any) -> None:
        s.pause()
        state["server"] = s

        def on_data(d: bytes) -> None:
            state["received"] += len(d)
        s.on("data", on_data)
        s.on("end", lambda: s.end())

    def on_client(c: Any, srv: Any) -> None:
        def fill() -> None:
            while c.write(chunk):
                state["max_queue"] = max(state["max_queue"], c.writable_length)
                if c.bytes_written > 64 << 20:
                    raise AssertionError("write() never returned False")
            state["blocked_at"] = c.writable_length
            state["drains_before_resume"] = state["drains"]
            # the reader resumes on a later turn; only then can 'drain' come
            net.set_timeout(lambda: state["server"].resume(), 50)

        def drain() -> None:
            state["drains"] += 1
            state["sent"] = c.bytes_written
            c.end()

        c.on("secureConnect", fill)
        c.once("drain", drain)

    run(lambda: pair(tls_certs, on_server, on_client, server_extra={"maxVersion": version}))
    assert state["drains_before_resume"] == 0 and state["drains"] == 1
    assert state["blocked_at"] >= 65536 - len(chunk)
    assert state["max_queue"] < 65536
    assert state["received"] == state["sent"]


@pytest.mark.slow
def test_100_mib_with_sha256_and_backpressure(tls_certs: Any) -> None:
    """100 MiB through TLS with the reader pausing every 8 MiB: the digest matches,
    the writer is held back (write() False, 'drain') and its queue stays bounded."""
    total = 100 << 20
    chunk = os.urandom(1 << 16)
    state: Dict[str, Any] = {"got": 0, "pauses": 0, "drains": 0, "false": 0, "max_len": 0}
    sent_digest = hashlib.sha256()
    got_digest = hashlib.sha256()

    def on_server(s: Any) -> None:
        mark = [8 << 20]

        def on_data(d: bytes) -> None:
            got_digest.update(d)
            state["got"] += len(d)
            if state["got"] >= mark[0]:
                mark[0] += 8 << 20
                state["pauses"] += 1
                s.pause()
                net.set_immediate(s.resume)
        s.on("data", on_data)
        s.on("end", lambda: s.end())

    def on_client(c: Any, srv: Any) -> None:
        sent = [0]

        def pump(*_: Any) -> None:
            while sent[0] < total:
                sent_digest.update(chunk)
                sent[0] += len(chunk)
                ok = c.write(chunk)
                state["max_len"] = max(state["max_len"], c.writable_length)
                if not ok:
                    state["false"] += 1
                    return
            c.end()

        def on_drain() -> None:
            state["drains"] += 1
            pump()

        c.on("secureConnect", pump)
        c.on("drain", on_drain)

    run(lambda: pair(tls_certs, on_server, on_client), timeout=120)
    assert state["got"] == total
    assert got_digest.hexdigest() == sent_digest.hexdigest()
    assert state["pauses"] >= 12 and state["false"] >= 1 and state["drains"] == state["false"]
    assert state["max_len"] <= 65536 + len(chunk)


def test_idle_timeout_and_set_timeout(tls_certs: Any) -> None:
    events: List[str] = []

    def on_server(s: Any) -> None:
        s.on("end", lambda: s.end())

    def on_client(c: Any, srv: Any) -> None:
        c.set_timeout(30)
        c.on("timeout", lambda: (events.append("timeout"), c.end()))
        c.on("close", lambda *_: events.append("close"))

    run(lambda: pair(tls_certs, on_server, on_client))
    assert events == ["timeout", "close"]


def test_connect_timeout_option_and_unix_path(tls_certs: Any, ipc_path: str) -> None:
    """TLS over a Unix socket; ``timeout`` is the socket's idle timeout."""
    events: List[Any] = []

    def main() -> None:
        def on_secure(s: Any) -> None:
            events.append(("server", s.remote_address, s.encrypted))
            s.on("end", lambda: s.end())

        srv = tls.create_server(server_options(tls_certs), on_secure)

        def listening() -> None:
            c = tls.connect({"path": ipc_path, "servername": "localhost", "ca": tls_certs.ca,
                             "timeout": 40})
            c.on("secureConnect", lambda: events.append(("client", c.authorized, c.timeout)))
            c.on("timeout", lambda: (events.append("timeout"), c.end()))
            c.on("close", lambda *_: srv.close())

        srv.listen(ipc_path, listening)

    run(main)
    assert events[0] == ("client", True, 40)          # TLS 1.3: the client finishes first
    # the server's end finishes a moment later, and a loaded machine may let
    # the 40 ms idle timeout pass before that: only the set is certain
    assert sorted(map(str, events[1:])) == sorted(map(str, [("server", None, True), "timeout"]))


def test_connect_by_name_with_happy_eyeballs(tls_certs: Any) -> None:
    """'localhost' resolves to ::1 and 127.0.0.1; the server listens on IPv4 only,
    so the IPv6 attempt fails first and TLS goes on the second connection."""
    seen: Dict[str, Any] = {}

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs), lambda s: s.end("hi"))

        def listening() -> None:
            c = tls.connect({"port": srv.address()["port"], "host": "localhost",
                             "ca": tls_certs.ca, "autoSelectFamily": True})
            c.on("secureConnect", lambda: seen.update(ok=c.authorized, addr=c.remote_address))
            c.on("connectionAttemptFailed", lambda *a: seen.setdefault("failed", a[0]))
            c.on("data", lambda d: seen.update(data=d))
            c.on("close", lambda *_: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    run(main)
    assert seen["ok"] is True and seen["addr"] == "127.0.0.1" and seen["data"] == b"hi"


def test_upgrade_an_existing_socket(tls_certs: Any) -> None:
    """STARTTLS: plain text first, then both sides put TLS on the same connection."""
    log: List[Any] = []

    def main() -> None:
        context = tls.create_secure_context(server_options(tls_certs))

        def on_conn(raw: Any) -> None:
            def on_line(data: bytes) -> None:
                log.append(("server plain", data))
                raw.remove_listener("data", on_line)
                raw.write(b"GO\n")
                secure = tls.TLSSocket(raw, {"isServer": True, "secureContext": context})
                secure.on("secure", lambda: log.append("server secure"))
                secure.on("data", lambda d: (log.append(("server tls", d)), secure.end(d)))
            raw.on("data", on_line)
            raw.on("close", lambda *_: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            plain = net.connect(srv.address()["port"], "127.0.0.1")
            plain.write(b"STARTTLS\n")

            def on_go(data: bytes) -> None:
                log.append(("client plain", data))
                plain.remove_listener("data", on_go)
                c = tls.connect({"socket": plain, "servername": "localhost", "ca": tls_certs.ca})
                c.on("secureConnect", lambda: (log.append(("client secure", c.authorized)),
                                               c.write(b"secret")))
                c.on("data", lambda d: (log.append(("client tls", d)), c.end()))
                c.on("close", lambda *_: log.append(("closed", plain.destroyed)))

            plain.on("data", on_go)

        srv.listen(0, "127.0.0.1", listening)

    run(main)
    assert log == [("server plain", b"STARTTLS\n"), ("client plain", b"GO\n"),
                   ("client secure", True), "server secure", ("server tls", b"secret"),
                   ("client tls", b"secret"), ("closed", True)]


def test_calls_from_another_thread(tls_certs: Any) -> None:
    """tls.connect and the getters from a thread that is not the loop's."""
    ready = threading.Event()
    port: List[int] = []
    secure = Calls()
    closed = Calls()

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs), lambda s: s.on("end", s.end))
        srv.listen(0, "127.0.0.1", lambda: (port.append(srv.address()["port"]), ready.set()))
        srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))

    loop = net.get_loop()
    loop.post(main)
    assert ready.wait(5)
    c = tls.connect(client_options(tls_certs, port[0]), secure)
    c.on("close", closed)
    secure.wait()
    assert c.get_peer_certificate()["subject"]["CN"] == "localhost"
    assert c.get_protocol() == "TLSv1.3" and c.authorized
    assert secure.threads == {loop.thread_ident}
    c.end()
    closed.wait()
    run(None)


def test_onread_buffer(tls_certs: Any) -> None:
    buf = bytearray(10)
    got: List[bytes] = []

    def on_server(s: Any) -> None:
        s.end(b"0123456789abcdefghij")

    def on_client(c: Any, srv: Any) -> None:
        pass

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs), on_server)

        def listening() -> None:
            c = tls.connect(client_options(tls_certs, srv.address()["port"], onread={
                "buffer": buf, "callback": lambda n, b: got.append(bytes(b[:n]))}))
            c.on("close", lambda *_: srv.close())
        srv.listen(0, "127.0.0.1", listening)

    run(main)
    assert b"".join(got) == b"0123456789abcdefghij" and max(len(g) for g in got) <= 10


def test_destroy_while_connecting_and_handshaking(tls_certs: Any) -> None:
    events: List[Any] = []

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs), lambda s: events.append("secure"))
        srv.on("tlsClientError", lambda e, s: events.append(("tlsClientError", e.code)))

        def listening() -> None:
            port = srv.address()["port"]
            a = tls.connect(client_options(tls_certs, port))
            a.destroy()
            a.on("close", lambda *_: events.append(("a close", a.destroyed)))
            b = tls.connect(client_options(tls_certs, port))
            b.on("connect", lambda: b.destroy())
            b.on("close", lambda *_: (events.append("b close"),
                                      net.set_timeout(srv.close, 20)))

        srv.listen(0, "127.0.0.1", listening)

    run(main)
    assert ("a close", True) in events and "b close" in events
    assert "secure" not in events


def test_abort_signal(tls_certs: Any) -> None:
    errors: List[Any] = []

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs), lambda s: None)
        srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))

        def listening() -> None:
            controller = net.AbortController()
            c = tls.connect(client_options(tls_certs, srv.address()["port"],
                                           signal=controller.signal))
            c.on("secureConnect", controller.abort)
            c.on("error", errors.append)

        srv.listen(0, "127.0.0.1", listening)

    run(main)
    assert [e.code for e in errors] == ["ABORT_ERR"]


@pytest.mark.skipif(not _tlskeylog.available, reason="ssl has no keylog_filename")
def test_keylog(tls_certs: Any) -> None:
    client_lines: List[bytes] = []
    server_lines: List[Any] = []

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs), lambda s: s.end())
        srv.on("keylog", lambda line, sock: server_lines.append((line, type(sock).__name__)))
        srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))

        def listening() -> None:
            c = tls.connect(client_options(tls_certs, srv.address()["port"]))
            c.on("keylog", client_lines.append)
            c.resume()

        srv.listen(0, "127.0.0.1", listening)

    run(main)
    labels = sorted(line.split(b" ")[0] for line in client_lines)
    assert labels == [b"CLIENT_HANDSHAKE_TRAFFIC_SECRET", b"CLIENT_TRAFFIC_SECRET_0",
                      b"EXPORTER_SECRET", b"SERVER_HANDSHAKE_TRAFFIC_SECRET",
                      b"SERVER_TRAFFIC_SECRET_0"]
    assert all(line.endswith(b"\n") for line in client_lines)
    assert sorted(line for line, _ in server_lines) == sorted(client_lines)
    assert {kind for _, kind in server_lines} == {"TLSSocket"}


def test_without_the_message_hook(tls_certs: Any, monkeypatch: Any) -> None:
    """Where ssl has no ``_msg_callback``: Python 3.13+ reads the chain with
    ``get_unverified_chain()``; older ones see the leaf only, so a chain whose
    intermediate only the server sends cannot be verified (docs/compat.md)."""
    import ssl

    from nodenet import _tlscontext
    monkeypatch.setattr(_tlscontext, "_HAS_MSG_CALLBACK", False)
    monkeypatch.setattr(_tlscontext, "_CLIENT_CACHE", type(_tlscontext._CLIENT_CACHE)())
    seen: Dict[str, Any] = {}

    def on_client(c: Any, srv: Any) -> None:
        c.on("secureConnect", lambda: (seen.update(ok=c.authorized, err=c.authorization_error,
                                                   cn=c.get_peer_certificate()["subject"]["CN"],
                                                   fin=c.get_finished()), c.end()))

    run(lambda: pair(tls_certs, lambda s: s.on("end", s.end), on_client,
                     server_extra={"cert": tls_certs.chained_chain, "key": tls_certs.chained_key},
                     client_extra={"rejectUnauthorized": False}))
    assert seen["cn"] == "localhost" and seen["fin"] is None
    if hasattr(ssl.SSLObject, "get_unverified_chain"):
        assert (seen["ok"], seen["err"]) == (True, None)
    else:
        assert (seen["ok"], seen["err"]) == (False, "UNABLE_TO_VERIFY_LEAF_SIGNATURE")


@pytest.mark.parametrize("side", ["server", "client"])
def test_end_sends_close_notify(tls_certs: Any, side: str) -> None:
    """end() sends a close_notify before the FIN: a plain blocking ``ssl`` peer that
    refuses ragged EOFs reads the data and then a clean end of stream."""
    import socket
    import ssl
    result: Dict[str, Any] = {}

    def peer(sock: socket.socket, server_side: bool) -> None:
        try:
            if server_side:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(tls_certs.path("leaf"), tls_certs.path("leaf_key"))
                conn = ctx.wrap_socket(sock, server_side=True, suppress_ragged_eofs=False)
            else:
                ctx = ssl.create_default_context(cafile=tls_certs.path("ca"))
                conn = ctx.wrap_socket(sock, server_hostname="localhost",
                                       suppress_ragged_eofs=False)
            data = b""
            while True:
                chunk = conn.recv(100)
                if not chunk:
                    break
                data += chunk
            result["data"] = data
            conn.close()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion
            result["error"] = repr(exc)
            sock.close()

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    if side == "server":
        thread = threading.Thread(target=lambda: peer(socket.create_connection(
            ("127.0.0.1", port)), False))
        listener.close()

        def main() -> None:
            srv = tls.create_server(server_options(tls_certs), lambda s: s.end(b"bye"))
            srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))
            srv.listen(port, "127.0.0.1", thread.start)
    else:
        def accept() -> None:
            conn, _ = listener.accept()
            listener.close()
            peer(conn, True)
        thread = threading.Thread(target=accept)
        thread.start()

        def main() -> None:
            c = tls.connect(client_options(tls_certs, port))
            c.on("secureConnect", lambda: c.end(b"bye"))
            c.on("error", lambda err: result.update(client_error=err))

    run(main)
    thread.join(10)
    assert result == {"data": b"bye"}


def test_no_cleartext_on_the_wire(tls_certs: Any) -> None:
    """A relay between client and server records every byte: the data written on
    either side (by write() with bytes, which net.Socket sends on a fast path, by
    write() with text, by end()) never appears in the clear."""
    secrets = [b"secret-by-bytes", b"secret-by-text", b"secret-by-end", b"secret-reply"]
    wire: List[bytes] = []
    got: Dict[str, List[bytes]] = {"server": [], "client": []}

    def main() -> None:
        def on_secure(s: Any) -> None:
            s.on("data", got["server"].append)
            s.on("end", lambda: s.end(secrets[3]))

        srv = tls.create_server(server_options(tls_certs), on_secure)

        def on_relay(inbound: Any) -> None:
            outbound = net.connect({"port": srv.address()["port"], "host": "127.0.0.1",
                                    "allowHalfOpen": True})
            inbound.on("data", lambda d: (wire.append(bytes(d)), outbound.write(d)))
            outbound.on("data", lambda d: (wire.append(bytes(d)), inbound.write(d)))
            outbound.on("end", inbound.end)
            inbound.on("end", outbound.end)

        relay = net.create_server({"allowHalfOpen": True}, on_relay)

        def ready() -> None:
            c = tls.connect(client_options(tls_certs, relay.address()["port"]))

            def secure() -> None:
                c.write(secrets[0])
                c.write(secrets[1].decode(), "utf8")
                c.end(secrets[2])
            c.on("secureConnect", secure)
            c.on("data", got["client"].append)
            c.on("close", lambda *_: (srv.close(), relay.close()))

        srv.listen(0, "127.0.0.1", lambda: relay.listen(0, "127.0.0.1", ready))

    run(main)
    assert b"".join(got["server"]) == b"".join(secrets[:3])
    assert b"".join(got["client"]) == secrets[3]
    stream = b"".join(wire)
    assert len(stream) > 1000 and not any(s in stream for s in secrets)
