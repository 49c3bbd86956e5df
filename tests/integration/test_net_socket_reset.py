"""``socket.reset_and_destroy()``: close with a TCP RST (SO_LINGER 0).

Ports of Node's resetAndDestroy tests (reference/node-net-tests.md §2.H),
checked against Node v20.20: the peer reads ECONNRESET (``read ECONNRESET``),
our own 'close' has had_error False, a reset while connecting waits for the
connect, with no connection it fails with ERR_SOCKET_CLOSED, and a Unix socket
raises ERR_INVALID_HANDLE_TYPE.

nodenet difference (SPEC, documented): 'close' always receives ``had_error``
(``False`` where Node passes nothing).
"""

from __future__ import annotations

from typing import Any, List

import pytest

import nodenet as net
from net_endpoints import port_of
from support import run


def closed_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ported from test/parallel/test-net-connect-reset.js
def test_reset_without_connection_emits_err_socket_closed_async() -> None:
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket()
        ret = s.reset_and_destroy()
        ev.append(("returned", ret is s, s.destroyed))
        # attached after the call: the error is emitted on a later tick
        s.on("error", lambda err: ev.append(("error", err.code, str(err))))
        s.on("close", lambda *a: ev.append(("close", a)))

    run(main, 5)
    assert ev == [("returned", True, True), ("error", "ERR_SOCKET_CLOSED", "Socket is closed"),
                  ("close", (False,))]


# ported from test/parallel/test-net-connect-reset-until-connected.js
def test_reset_after_connect_peer_reads_econnreset() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server()

        def listening() -> None:
            conn = net.connect(port_of(srv), "127.0.0.1")
            pending = [2]

            def connok(*_: Any) -> None:
                pending[0] -= 1
                if pending[0] == 0:
                    ret = conn.reset_and_destroy()
                    ev.append(("reset returned", ret is conn, conn.destroyed))

            conn.on("close", lambda had_error: ev.append(("client close", had_error)))
            conn.on("error", lambda err: ev.append(("client error", err)))

            def on_connection(socket: net.Socket) -> None:
                connok()
                socket.on("error", lambda err: ev.append(
                    ("server error", type(err).__name__, err.code, str(err), err.syscall)))
                socket.on("close", lambda had_error: ev.append(("server close", had_error)))
                socket.on("end", lambda: ev.append(("server end",)))
                srv.close()

            srv.on("connection", on_connection)
            conn.on("connect", connok)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("reset returned", True, True), ("client close", False),
                  ("server error", "NodeSystemError", "ECONNRESET", "read ECONNRESET", "read"),
                  ("server close", True)]


def test_econnreset_is_an_oserror_with_python_errno() -> None:
    """The peer's ECONNRESET is a system error: OSError with the Python errno."""
    import errno
    errs: List[Any] = []

    def main() -> None:
        def on_conn(socket: net.Socket) -> None:
            socket.on("error", errs.append)
            socket.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            conn = net.connect(port_of(srv), "127.0.0.1", lambda: conn.reset_and_destroy())

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert len(errs) == 1
    assert isinstance(errs[0], OSError)
    assert errs[0].errno == errno.ECONNRESET
    assert errs[0].code == "ECONNRESET"


# ported from test/parallel/test-net-connect-reset-before-connected.js
def test_reset_then_destroy_while_connecting_no_connect_no_error() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server()
        srv.listen(0)
        port = port_of(srv)
        s = net.connect(port, "127.0.0.1", lambda: ev.append("connect cb"))
        s.on("error", lambda err: ev.append(("error", err)))
        s.on("close", lambda had_error: ev.append(("close", had_error)))
        srv.close()
        s.reset_and_destroy()
        # the reset waits for the connection: nothing happened yet
        ev.append(("after reset", s.destroyed, s.connecting))
        s.destroy()

    run(main, 5)
    assert ev == [("after reset", False, True), ("close", False)]


# resetAndDestroy() while connecting (lib/net.js: it waits for 'connect', then RSTs)
def test_reset_while_connecting_waits_for_connect_then_resets() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server()
        srv.listen(0)
        s = net.connect(port_of(srv), "127.0.0.1", lambda: ev.append(("connect cb",)))
        s.on("error", lambda err: ev.append(("error", err.code)))
        s.on("close", lambda had_error: ev.append(("close", had_error)))

        def on_connection(x: net.Socket) -> None:
            x.on("error", lambda err: ev.append(("server error", err.code)))

            def on_close(had_error: bool) -> None:
                ev.append(("server close", had_error))
                srv.close()
            x.on("close", on_close)

        srv.on("connection", on_connection)
        ret = s.reset_and_destroy()
        ev.append(("after reset", ret is s, s.destroyed, s.connecting))

    run(main, 5)
    assert ev == [("after reset", True, False, True), ("connect cb",), ("close", False),
                  ("server error", "ECONNRESET"), ("server close", True)]


# ported from test/parallel/test-net-connect-reset-after-destroy.js and
# test/parallel/test-net-socket-reset-send.js
def test_reset_chain_destroy_then_write_gets_err_stream_destroyed() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server()

        def on_connection(socket: net.Socket) -> None:
            socket.on("error", lambda err: ev.append(("server error", err.code, str(err))))

        srv.on("connection", on_connection)

        def on_connect() -> None:
            ev.append(("chain", conn.reset_and_destroy().destroy() is conn))
            conn.on("error", lambda err: ev.append(("client error", err)))
            conn.write(b"fzfzfzfzfz", lambda err: ev.append(("write cb", err.code, str(err))))
            srv.close()

        def listening() -> None:
            nonlocal conn
            conn = net.connect(port_of(srv), "127.0.0.1", on_connect)

        conn: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev[:2] == [("chain", True), ("write cb", "ERR_STREAM_DESTROYED",
                                        "Cannot call write after a stream was destroyed")]
    assert ev[2:] == [("server error", "ECONNRESET", "read ECONNRESET")]


# ported from test/parallel/test-net-socket-reset-twice.js
def test_reset_in_error_handler_closes_once() -> None:
    ev: List[Any] = []

    def main() -> None:
        c = net.connect(closed_port(), "127.0.0.1")

        def on_error(err: Any) -> None:
            ev.append(("error", err.code))
            c.reset_and_destroy()
        c.on("error", on_error)
        c.on("close", lambda had_error: ev.append(("close", had_error)))

    run(main, 5)
    assert ev == [("error", "ECONNREFUSED"), ("close", True)]


# the server side can reset too (as test/parallel/test-net-server-reset.js does):
# once the connection is up, the client reads ECONNRESET
def test_server_side_reset_client_reads_econnreset() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.on("close", lambda had_error: ev.append(("server close", had_error)))

            def on_data(data: bytes) -> None:
                s.reset_and_destroy()
                srv.close()
            s.on("data", on_data)

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1", lambda: c.write("x"))
            c.on("error", lambda err: ev.append(("client error", err.code, str(err))))
            c.on("end", lambda: ev.append(("client end",)))
            c.on("close", lambda had_error: ev.append(("client close", had_error)))

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("server close", False), ("client error", "ECONNRESET", "read ECONNRESET"),
                  ("client close", True)]


# lib/net.js resetAndDestroy: a handle that is not TCP throws ERR_INVALID_HANDLE_TYPE
@pytest.mark.parametrize("when", ["connecting", "connected"])
def test_reset_on_unix_socket_raises_invalid_handle_type(ipc_path: str, when: str) -> None:
    ev: List[Any] = []

    def try_reset(c: net.Socket) -> None:
        try:
            c.reset_and_destroy()
        except TypeError as exc:
            ev.append((when, exc.code, str(exc), c.destroyed))

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(ipc_path)
            if when == "connecting":
                try_reset(c)
                c.on("connect", lambda: c.end())
            else:
                c.on("connect", lambda: (try_reset(c), c.end()))
            c.resume()

        srv.listen(ipc_path, listening)

    run(main, 5)
    assert ev == [(when, "ERR_INVALID_HANDLE_TYPE", "This handle type cannot be sent", False)]
