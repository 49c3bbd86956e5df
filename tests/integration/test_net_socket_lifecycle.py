"""Socket lifecycle: half-open rules, end/finish/close order, destroy, reconnect, abort,
ref/unref before connect, the context manager.

Ports of Node's test-net-* lifecycle tests (reference/node-net-tests.md §2.G),
checked against Node v20.20. Everything runs inside ``support.run(main)``;
events are recorded in lists and asserted once the loop is empty.

nodenet difference (SPEC, documented): ``'close'`` always receives ``had_error``;
where Node emits ``'close'`` with no argument (a socket that never had a
handle) nodenet passes ``False``.
"""

from __future__ import annotations

import threading

from typing import Any, List

import pytest

import nodenet as net
from net_endpoints import Endpoint, endpoint, port_of  # noqa: F401
from support import Calls, limit_buffers, run


def closed_port() -> int:
    """A loopback port nobody listens on (bound by the OS, then released)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------- half-open


# ported from test/parallel/test-net-allow-half-open.js (first block)
def test_allow_half_open_false_end_then_finish_then_close(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.end(b"\0" * 1024))

        def listening() -> None:
            c = endpoint.connect(srv)
            ev.append(("allow_half_open", c.allow_half_open))
            c.resume()

            def on_end() -> None:
                ev.append(("end", c.destroyed, c.writable))

                def later() -> None:
                    # not destroyed straight away, without a proper shutdown
                    ev.append(("next tick", c.destroyed))
                    srv.close()
                net.next_tick(later)

            c.on("end", on_end)
            c.on("finish", lambda: ev.append(("finish", c.destroyed)))
            c.on("close", lambda had_error: ev.append(("close", had_error)))

        endpoint.listen(srv, listening)

    run(main, 10)
    assert ev == [("allow_half_open", False), ("end", False, True), ("next tick", False),
                  ("finish", False), ("close", False)]


# ported from test/parallel/test-net-allow-half-open.js (second block)
def test_allow_half_open_false_end_called_at_once(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.end(b"\0" * 1024))

        def listening() -> None:
            c = endpoint.connect(srv)
            c.resume()
            c.on("end", lambda: ev.append(("end", c.destroyed)))
            c.end("asd")
            c.on("finish", lambda: ev.append(("finish", c.destroyed)))

            def on_close(had_error: bool) -> None:
                ev.append(("close", had_error))
                srv.close()
            c.on("close", on_close)

        endpoint.listen(srv, listening)

    run(main, 10)
    assert ev == [("finish", False), ("end", False), ("close", False)]


# ported from test/parallel/test-net-end-destroyed.js
def test_end_destroyed_is_false_in_end_handler(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.end()

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = endpoint.connect(srv)
            c.resume()
            c.on("end", lambda: ev.append(("end", c.destroyed)))

            def on_close(had_error: bool) -> None:
                ev.append(("close", c.destroyed))
                srv.close()
            c.on("close", on_close)

        endpoint.listen(srv, listening)

    run(main, 10)
    assert ev == [("end", False), ("close", True)]


# ported from test/parallel/test-net-end-without-connect.js, as Node v20 behaves:
# a fresh Socket is readable/writable/'open' and pending; end(cb) makes it
# 'readOnly' at once and, with no connection to wait for, finishes: 'prefinish'
# inside end(), then the callback and 'finish' (Node >= 21, checked with 26.12;
# Node 20 never called back). No 'close': the socket is not destroyed.
def test_end_without_connect() -> None:
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket()
        ev.append(("fresh", s.readable, s.writable, s.ready_state, s.pending, s.connecting))
        for name in ("prefinish", "finish", "close", "error", "end"):
            s.on(name, lambda *a, name=name: ev.append((name, a)))
        ret = s.end(lambda *a: ev.append(("end cb", a)))
        ev.append(("returns self", ret is s))
        ev.append(("after", s.writable, s.writable_ended, s.ready_state, s.destroyed))
        net.set_timeout(lambda: ev.append(("later", s.writable_finished, s.destroyed)), 20)

    run(main, 5)
    assert ev == [("fresh", True, True, "open", True, False), ("prefinish", ()),
                  ("returns self", True), ("after", False, True, "readOnly", False),
                  ("end cb", (None,)), ("finish", ()), ("later", True, False)]


# ported from test/parallel/test-net-socket-end-before-connect.js
def test_end_before_connect_still_connects_then_closes(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = endpoint.connect(srv)
            for name in ("connect", "ready", "finish", "end"):
                c.on(name, lambda name=name: ev.append((name, c.ready_state)))
            c.on("close", lambda had_error: ev.append(("close", had_error)))
            c.on("error", lambda err: ev.append(("error", err)))
            c.end()
            ev.append(("after end()", c.ready_state, c.writable, c.connecting))

        endpoint.listen(srv, listening)

    run(main, 10)
    assert ev == [("after end()", "opening", False, True), ("connect", "readOnly"),
                  ("ready", "readOnly"), ("finish", "readOnly"), ("end", "closed"),
                  ("close", False)]


# ported from test/parallel/test-net-socket-end-callback.js
def test_end_callback_every_signature() -> None:
    calls: List[Any] = []

    def main() -> None:
        closed = [0]

        def on_conn(s: net.Socket) -> None:
            s.resume()

        srv = net.create_server(on_conn)

        def one(*args: Any) -> None:
            c = net.connect(port_of(srv), "127.0.0.1", lambda: c.end(*args))

            def on_close(had_error: bool) -> None:
                closed[0] += 1
                if closed[0] == 3:
                    srv.close()
            c.on("close", on_close)

        def cb(*a: Any) -> None:
            calls.append(a)

        def listening() -> None:
            one(cb)
            one("foo", cb)
            one("foo", "utf8", cb)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 10)
    assert len(calls) == 3
    assert all(not a or a[0] is None for a in calls)


# ported from test/parallel/test-net-socket-close-after-end.js
def test_close_comes_after_end_when_reading_is_delayed(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        clients: List[net.Socket] = []

        def on_conn(s: net.Socket) -> None:
            s.once("readable", lambda: net.set_timeout(lambda: s.read(), 100))
            s.on("end", lambda: ev.append("end"))

            def on_close(had_error: bool) -> None:
                ev.append("close")
                srv.close()
                # Node leaves the client unread (its handle goes idle); close it here
                # so the test leaves no fd behind.
                clients[0].destroy()
            s.on("close", on_close)
            s.end("foo")

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = endpoint.connect(srv, lambda: c.end("foo"))
            clients.append(c)

        endpoint.listen(srv, listening)

    run(main, 10)
    assert ev == ["end", "close"]


# ported from test/parallel/test-net-writable.js
def test_writable_in_end_handler_and_write_succeeds(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        received: List[bytes] = []

        def on_conn(s: net.Socket) -> None:
            s.end()
            s.on("data", received.append)
            s.on("close", lambda *a: (ev.append(("server got", b"".join(received))),
                                      srv.close()))

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = endpoint.connect(srv)
            c.resume()

            def on_end() -> None:
                ev.append(("end", c.writable, c.ready_state))
                ev.append(("write", c.write("hello world")))
            c.on("end", on_end)
            c.on("error", lambda err: ev.append(("error", err)))
            c.on("close", lambda had_error: ev.append(("close", had_error)))

        endpoint.listen(srv, listening)

    run(main, 10)
    assert ev[:2] == [("end", True, "writeOnly"), ("write", True)]
    assert ("close", False) in ev
    assert ("server got", b"hello world") in ev
    assert not [e for e in ev if e[0] == "error"]


# ported from test/parallel/test-net-write-after-end-nt.js
def test_write_after_peer_end_fails_with_epipe_on_next_tick(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.end())

        def on_connect() -> None:
            def on_end() -> None:
                ret = c.write("hello", lambda err: ev.append(("write cb", err)))
                ev.append(("write returned", ret))
            c.on("error", lambda err: (ev.append(("error", err)), srv.close()))
            c.on("end", on_end)
            c.end()

        def listening() -> None:
            nonlocal c
            c = endpoint.connect(srv, on_connect)
            c.on("close", lambda had_error: ev.append(("close", had_error)))

        c: Any = None
        endpoint.listen(srv, listening)

    run(main, 10)
    # 'error' has not fired when write() returns: it comes on a later tick
    assert [e[0] for e in ev] == ["write returned", "write cb", "error", "close"]
    assert ev[0] == ("write returned", False)
    err = ev[1][1]
    assert err.code == "EPIPE"
    assert str(err) == "This socket has been ended by the other party"
    assert ev[2][1] is err
    assert ev[3] == ("close", True)


# ported from test/parallel/test-net-write-after-close.js (Node v20: the server
# socket is already destroyed, so its write callback gets EPIPE and no 'error')
def test_write_after_close_cb_error_without_error_event(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        server_socket: List[net.Socket] = []

        def on_conn(s: net.Socket) -> None:
            server_socket.append(s)
            s.resume()
            s.on("error", lambda err: ev.append(("server error", err)))
            s.on("close", lambda had_error: ev.append(("server close", had_error)))

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = endpoint.connect(srv, lambda: c.end())
            c.resume()

            def on_end() -> None:
                s = server_socket[0]
                ev.append(("server destroyed", s.destroyed))
                ret = s.write("test", lambda err: (ev.append(("write cb", err)), srv.close()))
                ev.append(("write returned", ret))
            c.on("end", on_end)

        endpoint.listen(srv, listening)

    run(main, 10)
    names = [e[0] for e in ev]
    assert names == ["server close", "server destroyed", "write returned", "write cb"]
    assert ev[1] == ("server destroyed", True)
    assert ev[2] == ("write returned", False)
    err = ev[3][1]
    assert err is not None and err.code == "EPIPE"
    assert str(err) == "This socket has been ended by the other party"


# ---------------------------------------------------------------- destroy


# ported from test/parallel/test-net-connect-destroy.js
def test_destroy_unconnected_socket_emits_close_once() -> None:
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket()
        s.on("close", lambda *a: ev.append(("close", a)))
        s.on("error", lambda err: ev.append(("error", err)))
        ret = s.destroy()
        ev.append(("sync", ret is s, s.destroyed))

    run(main, 5)
    # Node emits 'close' with no argument here; nodenet passes had_error=False
    assert ev == [("sync", True, True), ("close", (False,))]


# ported from test/parallel/test-net-connect-immediate-destroy.js
def test_connect_then_destroy_immediately_no_connect_no_error() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server()
        srv.listen(0)       # no host: bound synchronously, as in Node
        port = port_of(srv)
        s = net.connect(port, "127.0.0.1", lambda: ev.append("connect"))
        s.on("error", lambda err: ev.append(("error", err)))
        s.on("close", lambda had_error: ev.append(("close", had_error)))
        srv.close()
        s.destroy()

    run(main, 5)
    assert ev == [("close", False)]


# ported from test/parallel/test-net-socket-destroy-twice.js
def test_destroy_in_error_handler_closes_once() -> None:
    ev: List[Any] = []

    def main() -> None:
        c = net.connect(closed_port(), "127.0.0.1")
        c.on("connect", lambda: ev.append("connect"))

        def on_error(err: Any) -> None:
            ev.append(("error", err.code))
            c.destroy()
        c.on("error", on_error)
        c.on("close", lambda had_error: ev.append(("close", had_error)))

    run(main, 5)
    assert ev == [("error", "ECONNREFUSED"), ("close", True)]


# ported from test/parallel/test-net-socket-destroy-send.js
def test_destroy_is_chainable_and_write_after_gets_err_stream_destroyed() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.resume())

        def on_connect() -> None:
            ev.append(("chain", c.destroy().destroy() is c))
            c.on("error", lambda err: ev.append(("error", err)))
            c.write(b"kaboom", lambda err: ev.append(("write cb", err)))
            srv.close()

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)

        c: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert [e[0] for e in ev] == ["chain", "write cb"]
    assert ev[0] == ("chain", True)
    err = ev[1][1]
    assert err.code == "ERR_STREAM_DESTROYED"
    assert str(err) == "Cannot call write after a stream was destroyed"


# ported from test/parallel/test-net-after-close.js
def test_methods_and_properties_work_after_close() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.end())

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            c.on("end", lambda: ev.append(("end", c.ready_state, c.writable)))

            def on_close(had_error: bool) -> None:
                ev.append(("close", had_error, c.fileno()))
                ev.append(("calls", c.set_no_delay() is c, c.set_keep_alive() is c,
                           c.buffer_size, c.pause() is c, c.resume() is c, c.address(),
                           c.remote_address, c.remote_port, c.remote_family,
                           c.local_address, c.local_port, c.ready_state, c.pending,
                           c.destroyed, c.bytes_read, c.bytes_written))
                srv.close()
            c.on("close", on_close)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    # remote_* were never read while connected, so nothing was cached (as in Node)
    assert ev == [("end", "writeOnly", True), ("close", False, -1),
                  ("calls", True, True, None, True, True, {}, None, None, None, None, None,
                   "closed", True, True, 0, 0)]


# ported from test/parallel/test-net-during-close.js
def test_remote_properties_while_connecting_after_server_close() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.end())

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            srv.close()
            ev.append((c.remote_address, c.remote_family, c.remote_port, c.local_address,
                       c.local_port, c.address(), c.ready_state, c.pending, c.connecting))
            c.on("error", lambda err: None)
            c.destroy()

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [(None, None, None, None, None, {}, "opening", True, True)]


# ported from test/parallel/test-net-error-twice.js
def test_error_emitted_once_when_peer_destroys_during_large_write() -> None:
    errors: List[Any] = []
    closes: List[Any] = []

    def main() -> None:
        buf = b"b" * (10 * 1024 * 1024)
        sockets: List[Any] = [None, None]

        def ready() -> None:
            client, server_socket = sockets
            if client is not None and server_socket is not None:
                client.destroy()
                server_socket.write(buf)

        def on_conn(conn: net.Socket) -> None:
            conn.on("error", errors.append)

            def on_close(had_error: bool) -> None:
                closes.append(had_error)
                srv.close()
            conn.on("close", on_close)
            sockets[1] = conn
            ready()

        srv = net.create_server(on_conn)

        def listening() -> None:
            client = net.connect(port_of(srv), "127.0.0.1")

            def on_connect() -> None:
                sockets[0] = client
                ready()
            client.on("connect", on_connect)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 15)
    assert len(errors) == 1, errors
    assert errors[0].code in ("EPIPE", "ECONNRESET")
    assert closes == [True]


def test_context_manager_and_repr() -> None:
    # SPEC §3: a Socket is a context manager that destroys it on exit
    closed = Calls()

    def main() -> None:
        with net.Socket() as sock:
            assert repr(sock) == "<Socket open not connected>"
            sock.on("close", closed)
        assert sock.destroyed

    run(main)
    assert closed.count == 1



# ---------------------------------------------------------------- reuse


# ported from test/parallel/test-net-reconnect.js
def test_reconnect_fifty_times_from_close(endpoint: Endpoint) -> None:
    n = 50
    counts = {"recv": 0, "end": 0, "close": 0}
    bad: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.write("hello\r\n")
            s.on("end", lambda: s.end())
            s.on("close", lambda had_error: had_error and bad.append(("server", had_error)))

        srv = net.create_server(on_conn)

        def listening() -> None:
            client = endpoint.connect(srv)
            client.set_encoding("UTF8")

            def on_data(chunk: str) -> None:
                counts["recv"] += 1
                if chunk != "hello\r\n":
                    bad.append(("data", chunk))
                client.end()

            def on_end() -> None:
                counts["end"] += 1

            def on_close(had_error: bool) -> None:
                if had_error is not False:
                    bad.append(("client", had_error))
                counts["close"] += 1
                if counts["close"] <= n:
                    endpoint.socket_connect(client, srv)
                else:
                    srv.close()

            client.on("data", on_data)
            client.on("end", on_end)
            client.on("close", on_close)

        endpoint.listen(srv, listening)

    run(main, 30)
    assert bad == []
    assert counts == {"recv": n + 1, "end": n + 1, "close": n + 1}


# ported from test/parallel/test-socket-write-after-fin.js
def test_half_open_server_echoes_after_client_fin(endpoint: Endpoint) -> None:
    expected = "hello1hello2hello3\nTHUNDERMUSCLE!"
    got: List[Any] = []

    def main() -> None:
        def on_conn(sock: net.Socket) -> None:
            data: List[str] = []
            sock.set_encoding("utf8")
            sock.on("data", data.append)

            def on_end() -> None:
                got.append(("server", "".join(data)))
                sock.end("".join(data))
                srv.close()
            sock.on("end", on_end)

        srv = net.create_server({"allowHalfOpen": True}, on_conn)

        def listening() -> None:
            sock = endpoint.connect(srv)
            data: List[str] = []
            sock.set_encoding("utf8")
            sock.on("data", data.append)
            sock.on("end", lambda: got.append(("client", "".join(data))))
            sock.write("hello1")
            sock.write("hello2")
            sock.write("hello3\n")
            sock.end("THUNDERMUSCLE!")

        endpoint.listen(srv, listening)

    run(main, 10)
    assert got == [("server", expected), ("client", expected)]


# ------------------------------------------------------ ref / unref before connect


def test_unref_before_connect_applies_once_connected() -> None:
    # node: socket.unref() before connect() is applied on 'connect'; an idle
    # connection (both ends unref'd) to an unref'd server keeps nothing alive
    connected = Calls()
    holder: List[Any] = []

    def main() -> None:
        server = net.create_server(lambda conn: conn.unref()).unref()

        def listening() -> None:
            client = net.Socket()
            holder.append((server, client))
            assert client.unref() is client
            client.connect(port_of(server), "127.0.0.1", connected)

        server.listen(0, "127.0.0.1", listening)

    run(main, timeout=5)            # would time out if the client kept the loop alive
    assert connected.count == 1
    server, client = holder[0]
    run(lambda: (client.destroy(), server.close()))


def test_ref_before_connect_keeps_the_loop_alive() -> None:
    # node: ref() after unref() before connect: the connection keeps the process
    # alive until it is closed (here: by a timer)
    events: List[str] = []

    def main() -> None:
        server = net.create_server(lambda c: c.resume()).unref()

        def listening() -> None:
            client = net.Socket()
            client.unref()
            client.ref()
            client.connect(port_of(server), "127.0.0.1", lambda: events.append("connect"))
            timer = net.set_timeout(lambda: (events.append("timer"), client.destroy(),
                                             server.close()), 100)
            timer.unref()

        server.listen(0, "127.0.0.1", listening)

    run(main, timeout=5)
    assert events == ["connect", "timer"]




# ---------------------------------------------------------------- AbortSignal


def _abort_watch(ev: List[Any], name: str, sock: net.Socket) -> None:
    sock.on("connect", lambda: ev.append((name, "connect")))
    sock.on("error", lambda err: ev.append((name, "error", type(err).__name__, err.code,
                                            str(err))))
    sock.on("close", lambda had_error: ev.append((name, "close", had_error)))


ABORTED = ("AbortError", "ABORT_ERR", "The operation was aborted")


def _abort_server() -> net.Server:
    def on_conn(s: net.Socket) -> None:
        s.resume()
        s.on("error", lambda err: None)
    return net.create_server(on_conn)


# ported from test/parallel/test-net-connect-abort-controller.js (postAbort)
def test_connect_signal_abort_after_connect_call() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = _abort_server()

        def listening() -> None:
            ac = net.AbortController()
            c = net.connect(port=port_of(srv), host="127.0.0.1", signal=ac.signal)
            _abort_watch(ev, "c", c)
            ev.append(("listeners", ac.signal.listener_count("abort")))
            ac.abort()
            ev.append(("destroyed", c.destroyed))
            c.on("close", lambda *a: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("listeners", 1), ("destroyed", True), ("c", "error") + ABORTED,
                  ("c", "close", True)]


# ported from test/parallel/test-net-connect-abort-controller.js (preAbort). Node
# (20 and 26) destroys the socket in the constructor ('error' AbortError, then
# 'close'), but connect()'s handle setup "undestroys" it, so 'connect' follows
# the 'close' (and a later write() brings a second 'close'). 'close' is a
# socket's last event: here the socket stays destroyed and never connects
# (docs/compat.md, "Where Node has a bug").
def test_connect_with_already_aborted_signal_never_connects_after_close() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = _abort_server()
        srv.on("connection", lambda c: ev.append(("server saw a connection",)))

        def listening() -> None:
            ac = net.AbortController()
            ac.abort()
            c = net.connect({"port": port_of(srv), "host": "127.0.0.1", "signal": ac.signal})
            ev.append(("listeners", ac.signal.listener_count("abort"), c.destroyed))
            c.on("error", lambda err: ev.append(("error", type(err).__name__, err.code,
                                                 str(err), c.destroyed)))
            c.on("connect", lambda: ev.append(("connect",)))
            c.on("ready", lambda: ev.append(("ready",)))

            def on_close(had_error: bool) -> None:
                ev.append(("close", c.destroyed, c.connecting))
                c.write(b"x", lambda err=None: ev.append(("write cb", err and err.code)))
                net.set_immediate(srv.close)
            c.on("close", on_close)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("listeners", 0, True), ("error",) + ABORTED + (True,),
                  ("close", True, False), ("write cb", "ERR_STREAM_DESTROYED")]


def test_socket_with_aborted_signal_made_on_another_thread_reports_to_its_listener() -> None:
    """SPEC §1.4's pattern from any thread: create, attach, then start."""
    got: List[Any] = []
    done = threading.Event()
    ac = net.AbortController()
    ac.abort()
    sock = net.Socket(signal=ac.signal)          # on this (non-loop) thread
    sock.on("error", lambda err: got.append(err.code))
    sock.on("close", lambda *_: done.set())
    sock.on("connect", lambda: got.append("connect"))
    sock.connect(1, "127.0.0.1")                 # reports the abort instead
    assert done.wait(5)
    assert got == ["ABORT_ERR"]
    assert sock.destroyed
    run(None, 5)


# ported from test/parallel/test-net-connect-abort-controller.js (tickAbort)
def test_connect_signal_aborted_from_set_immediate() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = _abort_server()

        def listening() -> None:
            ac = net.AbortController()
            net.set_immediate(ac.abort)
            c = net.connect(port=port_of(srv), host="127.0.0.1", signal=ac.signal)
            ev.append(("listeners", ac.signal.listener_count("abort")))
            c.on("error", lambda err: ev.append(("error", err.code)))
            c.on("close", lambda had_error: (ev.append(("close", had_error)), srv.close()))

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("listeners", 1), ("error", "ABORT_ERR"), ("close", True)]


# ported from test/parallel/test-net-connect-abort-controller.js (testConstructor)
def test_socket_constructor_already_aborted_signal() -> None:
    ev: List[Any] = []

    def main() -> None:
        ac = net.AbortController()
        ac.abort("why")
        s = net.Socket(signal=ac.signal)
        ev.append(("listeners", ac.signal.listener_count("abort")))
        s.on("error", lambda err: ev.append(("error", type(err).__name__, err.code, err.cause)))
        s.on("close", lambda *a: ev.append(("close",)))

    run(main, 5)
    assert ev == [("listeners", 0), ("error", "AbortError", "ABORT_ERR", "why"), ("close",)]


# Node (20 and 26): the constructor's initSocketHandle() "undestroys" the stream
# after the Duplex constructor destroyed it for the aborted signal, so the socket
# reads as not destroyed even though 'error' and 'close' come. Here it stays
# destroyed (docs/compat.md).
def test_socket_constructor_already_aborted_signal_stays_destroyed() -> None:
    ev: List[Any] = []

    def main() -> None:
        ac = net.AbortController()
        ac.abort()
        s = net.Socket(signal=ac.signal)
        ev.append(("sync", s.destroyed))
        s.on("error", lambda err: ev.append(("error", s.destroyed)))
        s.on("close", lambda *a: ev.append(("close", s.destroyed)))

    run(main, 5)
    assert ev == [("sync", True), ("error", True), ("close", True)]


# ported from test/parallel/test-net-connect-abort-controller.js
# (testConstructorPost, testConstructorPostTick)
@pytest.mark.parametrize("when", ["sync", "immediate"])
def test_socket_constructor_signal_aborted_later(when: str) -> None:
    ev: List[Any] = []

    def main() -> None:
        ac = net.AbortController()
        s = net.Socket({"signal": ac.signal})
        ev.append(("listeners", ac.signal.listener_count("abort")))
        s.on("error", lambda err: ev.append(("error", type(err).__name__, err.code)))
        s.on("close", lambda *a: ev.append("close"))
        if when == "sync":
            ac.abort()
        else:
            net.set_immediate(ac.abort)

    run(main, 5)
    assert ev == [("listeners", 1), ("error", "AbortError", "ABORT_ERR"), "close"]


# AbortSignal on an established connection (net.md § socket.connect options.signal):
# abort destroys it with an AbortError, 'close' has had_error True and both abort
# listeners (the stream's and net's own) are gone. Node v20 order: the server
# side's 'close' comes before the client's.
def test_connect_signal_abort_after_connected(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("close", lambda *a: ev.append(("server close",)))

        srv = net.create_server(on_conn)
        ac = net.AbortController()

        def on_connect() -> None:
            ev.append(("connect",))
            net.set_timeout(ac.abort, 10)

        def listening() -> None:
            c = endpoint.connect(srv, on_connect, signal=ac.signal)
            c.on("error", lambda err: ev.append(("error", type(err).__name__, err.code)))

            def on_close(had_error: bool) -> None:
                ev.append(("close", had_error, ac.signal.listener_count("abort")))
                srv.close()
            c.on("close", on_close)

        endpoint.listen(srv, listening)

    run(main, 5)
    assert ev == [("connect",), ("error", "AbortError", "ABORT_ERR"), ("server close",),
                  ("close", True, 0)]


# Node: validateAbortSignal in the Socket constructor
def test_signal_option_must_be_an_abort_signal() -> None:
    with pytest.raises(TypeError) as info:
        net.Socket(signal="nope")
    assert info.value.code == "ERR_INVALID_ARG_TYPE"


# ---------------------------------------------------------------- more Node v20 pins


# ported from test/parallel/test-net-socket-no-halfopen-enforcer.js: net's own
# 'end' handler is the only one (no Duplex half-open enforcer)
@pytest.mark.parametrize("allow_half_open", [False, True])
def test_fresh_socket_has_exactly_one_end_listener(allow_half_open: bool) -> None:
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket(allow_half_open=allow_half_open)
        ev.append((s.listener_count("end"), s.event_names(), s.allow_half_open))
        s.destroy()

    run(main, 5)
    assert ev == [(1, ["end"], allow_half_open)]


# Writable.end() twice (Node v20): the second callback gets ERR_STREAM_ALREADY_FINISHED
def test_end_twice_second_callback_gets_already_finished() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("end", lambda: s.end())

        srv = net.create_server(on_conn)

        def on_connect() -> None:
            def first(*a: Any) -> None:
                ev.append(("cb1", a))
                c.end(lambda *b: ev.append(("cb2", [getattr(x, "code", x) for x in b])))
            c.end(first)

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)
            c.resume()
            c.on("close", lambda had_error: (ev.append(("close", had_error)), srv.close()))
            c.on("error", lambda err: ev.append(("error", err)))

        c: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("cb1", (None,)), ("cb2", ["ERR_STREAM_ALREADY_FINISHED"]), ("close", False)]


# Node 26: destroy(err) while a large write is still queued in the handle: 'error'
# first, then the write callback with the cancelled write's error ("write
# ECANCELED"; Node 20 passed no error), then 'close'(True)
def test_destroy_with_error_during_a_pending_write() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("error", lambda err: None)

        srv = net.create_server(on_conn)

        def on_connect() -> None:
            # small buffers: the server reads, but not while this callback runs, so
            # most of the 4 MiB stay queued in the handle
            limit_buffers(c)
            c.write(bytes(4 * 1024 * 1024),
                    lambda err: ev.append(("write cb", err and (err.code, str(err)))))
            ev.append(("pending", c.writable_length > 0))
            c.destroy(RuntimeError("boom"))
            ev.append(("after destroy", c.destroyed, c.writable, c.readable))

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)
            c.on("error", lambda err: ev.append(("error", str(err))))

            def on_close(had_error: bool) -> None:
                ev.append(("close", had_error, c.bytes_written > 0))
                srv.close()
            c.on("close", on_close)

        c: Any = None
        srv.listen(0, "127.0.0.1", lambda: (limit_buffers(srv), listening()))

    run(main, 10)
    assert ev == [("pending", True), ("after destroy", True, False, False), ("error", "boom"),
                  ("write cb", ("ECANCELED", "write ECANCELED")), ("close", True, True)]


# lib/net.js destroySoon: end() now, destroy once 'finish' came
def test_destroy_soon_flushes_then_closes(endpoint: Endpoint) -> None:
    size = 4 * 1024 * 1024
    ev: List[Any] = []

    def main() -> None:
        got = [0]

        def on_conn(s: net.Socket) -> None:
            def on_data(d: bytes) -> None:
                got[0] += len(d)
            s.on("data", on_data)
            s.on("end", lambda: (ev.append(("server got", got[0])), s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def on_connect() -> None:
            c.write(bytes(size))
            ret = c.destroy_soon()
            ev.append(("after", ret, c.destroyed, c.writable_ended))

        def listening() -> None:
            nonlocal c
            c = endpoint.connect(srv, on_connect)
            c.on("finish", lambda: ev.append(("finish", c.destroyed)))
            c.on("close", lambda had_error: ev.append(("close", had_error)))

        c: Any = None
        endpoint.listen(srv, listening)

    run(main, 10)
    assert ev[:3] == [("after", None, False, True), ("finish", False), ("close", False)]
    assert ev[3:] == [("server got", size)]


# Node v20 order: a write and end(cb) made while connecting
def test_write_and_end_callbacks_while_connecting_order() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            c.write("a", lambda *a: ev.append("write cb"))
            c.end("b", lambda *a: ev.append("end cb"))
            c.on("finish", lambda: ev.append("finish"))
            c.on("connect", lambda: ev.append("connect"))
            c.resume()
            c.on("close", lambda *a: ev.append("close"))

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    # the queued write is flushed by net's own 'connect' listener, registered first
    assert ev == ["write cb", "connect", "end cb", "finish", "close"]


# end() on a destroyed socket: nothing pending, so the callback is never called
def test_end_on_destroyed_socket_returns_self_and_never_calls_back() -> None:
    ev: List[Any] = []

    def main() -> None:
        c = net.Socket()
        c.destroy()
        ev.append(("returns self", c.end(lambda *a: ev.append(("end cb", a))) is c))
        c.on("error", lambda err: ev.append(("error", err)))
        c.on("close", lambda *a: ev.append(("close",)))

    run(main, 5)
    assert ev == [("returns self", True), ("close",)]


# allowHalfOpen on the client: after the peer's FIN the socket stays writable
# until we end() it ourselves
def test_allow_half_open_client_stays_writable_after_end(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.end("bye")
            s.on("close", lambda *a: (ev.append(("server close",)), srv.close()))

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = endpoint.connect(srv, allow_half_open=True)
            c.resume()

            def on_end() -> None:
                ev.append(("end", c.writable, c.ready_state))

                def later() -> None:
                    ev.append(("later", c.writable, c.destroyed))
                    c.end("late")
                net.set_timeout(later, 30)
            c.on("end", on_end)
            c.on("finish", lambda: ev.append(("finish",)))
            c.on("close", lambda had_error: ev.append(
                ("close", had_error, c.readable_ended, c.writable_finished)))

        endpoint.listen(srv, listening)

    run(main, 5)
    # Node 26 (checked, TCP and Unix): the server reads 'late' in one poll and the
    # EOF in the next, so the client closes first (Node 20: the server first).
    assert ev == [("end", True, "writeOnly"), ("later", True, False), ("finish",),
                  ("close", False, True, True), ("server close",)]


# reconnect after an error close (test/parallel/test-net-reconnect-error.js idea):
# counters start again, 'close' had_error reflects each connection
def test_destroy_soon_after_finish_destroys_at_once() -> None:
    # node: in end()'s callback destroyed is false; destroySoon() then destroys
    # synchronously; 'close' false
    events: List[Any] = []

    def main() -> None:
        server = net.create_server(lambda c: (c.resume(), c.on("end", c.end)))

        def listening() -> None:
            client = net.connect(port_of(server), "127.0.0.1")

            def finished(*_: Any) -> None:
                events.append(("finish-cb", client.destroyed))
                client.destroy_soon()
                events.append(("after destroy_soon", client.destroyed))

            client.on("connect", lambda: client.end(finished))
            client.resume()
            client.on("close", lambda had_error: (events.append(("close", had_error)),
                                                  server.close()))

        server.listen(0, "127.0.0.1", listening)

    run(main)
    assert events == [("finish-cb", False), ("after destroy_soon", True), ("close", False)]


def test_reconnect_after_connection_refused() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.end("hi"))

        def listening() -> None:
            c = net.connect(closed_port(), "127.0.0.1")
            n = [0]
            c.on("error", lambda err: ev.append(("error", err.code)))
            c.on("connect", lambda: ev.append(("connect", c.bytes_read, c.bytes_written)))
            c.on("data", lambda d: ev.append(("data", d)))

            def on_close(had_error: bool) -> None:
                ev.append(("close", had_error, c.destroyed))
                n[0] += 1
                if n[0] == 1:
                    c.connect(port_of(srv), "127.0.0.1")
                else:
                    srv.close()
            c.on("close", on_close)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("error", "ECONNREFUSED"), ("close", True, True), ("connect", 0, 0),
                  ("data", b"hi"), ("close", False, True)]


# aborting after 'close' does nothing; Node v20 still has net's own abort listener
# (added a tick after connect(), removed only when it fires)
def test_abort_after_close_is_ignored() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.end())

        def listening() -> None:
            ac = net.AbortController()
            c = net.connect({"port": port_of(srv), "host": "127.0.0.1", "signal": ac.signal})
            c.resume()
            c.on("error", lambda err: ev.append(("error", err.code)))

            def on_close(had_error: bool) -> None:
                ev.append(("close", had_error, ac.signal.listener_count("abort")))
                ac.abort()
                ev.append(("after abort", c.destroyed, ac.signal.listener_count("abort")))
                srv.close()
            c.on("close", on_close)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("close", False, 1), ("after abort", True, 0)]
