"""``socket.set_timeout()``: validation, disabling, re-arming by reads and writes
(also by an asynchronous write's completion and by a pending write that makes
progress, lib/net.js _onTimeout), 'timeout' as a notification only, a reset
while the timer is armed, and a socket that never gets a handle.

Ports of Node's timeout tests (reference/node-net-tests.md §2.K, §3.5), checked
against Node v20.20. As in Node, the idle timer is unref'd: it does not keep
the loop alive, so tests that wait for it keep a ref'd timer running.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List

import pytest

import nodenet as net
from net_endpoints import Endpoint, endpoint, port_of  # noqa: F401
from support import limit_buffers, run, virtual_loop


def never(*_: Any) -> None:
    raise AssertionError("must not be called")


NON_NUMERIC = ["100", True, False, None, "", {}, lambda: None, []]
BAD_RANGE = [-0.001, -1, float("-inf"), float("inf"), float("nan")]
VALID = [0, 0.001, 1, 1e6]
# Node's list also has null; in Python None means "no callback", as undefined does
INVALID_CALLBACKS = [1, "100", True, False, {}, [], object()]


# ported from test/parallel/test-net-socket-timeout.js (validation table)
def test_set_timeout_validation_table() -> None:
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket()
        for value in NON_NUMERIC:
            try:
                s.set_timeout(value, lambda: None)
            except TypeError as exc:
                ev.append(("type", exc.code))
        for value in BAD_RANGE:
            try:
                s.set_timeout(value, lambda: None)
            except ValueError as exc:
                ev.append(("range", exc.code))
        for value in VALID:
            ev.append(("valid", s.set_timeout(value, lambda: None) is s))
        for cb in INVALID_CALLBACKS:
            for msecs in (0, 1):
                try:
                    s.set_timeout(msecs, cb)
                except TypeError as exc:
                    ev.append(("callback", exc.code))
        s.destroy()

    run(main, 5)
    assert ev == ([("type", "ERR_INVALID_ARG_TYPE")] * len(NON_NUMERIC)
                  + [("range", "ERR_OUT_OF_RANGE")] * len(BAD_RANGE)
                  + [("valid", True)] * len(VALID)
                  + [("callback", "ERR_INVALID_ARG_TYPE")] * (2 * len(INVALID_CALLBACKS)))


def test_set_timeout_error_messages_and_timeout_property() -> None:
    """Node v20: ``socket.timeout`` is stored before the value is checked."""
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket()
        ev.append(s.timeout)
        try:
            s.set_timeout(-1)
        except ValueError as exc:
            ev.append((str(exc), s.timeout))
        try:
            s.set_timeout("5")
        except TypeError as exc:
            ev.append((str(exc), s.timeout))
        s.set_timeout(100, lambda: None)
        ev.append(s.timeout)
        s.set_timeout(0)
        ev.append(s.timeout)
        s.destroy()

    run(main, 5)
    assert ev == [
        None,
        ('The value of "msecs" is out of range. It must be a non-negative finite number. '
         "Received -1", -1),
        # docs/compat.md: "Received ..." uses Python type names (Node: "type string")
        ("The \"msecs\" argument must be of type number. Received type str ('5')", "5"),
        100, 0]


# ported from test/parallel/test-net-socket-timeout.js (the 1 ms timeout part)
def test_one_ms_timeout_after_connect_call_then_destroyed() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.Server()

        def listening() -> None:
            socket = net.create_connection(port_of(srv), "127.0.0.1")

            def on_timeout() -> None:
                ev.append("timeout")
                socket.destroy()
                ev.append(("after destroy", socket.set_timeout(1, never) is socket))
                srv.close()

            ev.append(("returns self", socket.set_timeout(1, on_timeout) is socket))

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("returns self", True), "timeout", ("after destroy", True)]


def test_set_timeout_on_destroyed_socket_skips_validation() -> None:
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket()
        s.set_timeout(0)
        s.destroy()
        ev.append((s.set_timeout("bad") is s, s.set_timeout(1, "not callable") is s, s.timeout))

    run(main, 5)
    assert ev == [(True, True, 0)]


# ported from test/parallel/test-net-settimeout.js
def test_set_timeout_zero_disables_the_timer() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.resume())

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            c.set_timeout(100, never)
            c.set_timeout(0)
            c.on("timeout", lambda: ev.append("timeout"))

            def later() -> None:
                ev.append(("done", c.destroyed))
                c.destroy()
                srv.close()
            net.set_timeout(later, 250)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("done", False)]


def test_set_timeout_zero_with_callback_removes_it() -> None:
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket()
        s.set_timeout(100, lambda: None)
        f = lambda: None  # noqa: E731
        s.set_timeout(100, f)
        ev.append(s.listener_count("timeout"))
        s.set_timeout(0, f)
        ev.append(s.listener_count("timeout"))
        s.destroy()

    run(main, 5)
    assert ev == [2, 1]


# ported from test/parallel/test-net-can-reset-timeout.js
def test_timeout_only_notifies_and_a_write_rearms_it(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(stream: net.Socket) -> None:
            stream.set_timeout(100)
            stream.resume()

            def on_timeout() -> None:
                ev.append(("server timeout", stream.destroyed, stream.ready_state))
                stream.write("WHAT.")       # try to reset the timeout

            stream.once("timeout", on_timeout)

            def on_end() -> None:
                ev.append(("server end",))
                stream.end()
            stream.on("end", on_end)

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = endpoint.connect(srv)
            c.on("data", lambda d: (ev.append(("client data", d)), c.end()))
            c.on("end", lambda: (ev.append(("client end",)), srv.close()))

        endpoint.listen(srv, listening)

    run(main, 5)
    assert ev == [("server timeout", False, "open"), ("client data", b"WHAT."),
                  ("server end",), ("client end",)]


def test_timeout_fires_again_after_new_activity() -> None:
    """After 'timeout', the next activity re-arms the idle timer (Node: refresh)."""
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            c.set_timeout(50)
            count = [0]

            def on_timeout() -> None:
                count[0] += 1
                ev.append(("timeout", count[0], c.destroyed, c.ready_state))
                if count[0] == 1:
                    c.write("x")
            c.on("timeout", on_timeout)
            net.set_timeout(lambda: (ev.append("end"), c.end()), 400)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    # exactly two: without activity the timer is not periodic
    assert ev == [("timeout", 1, False, "open"), ("timeout", 2, False, "open"), "end"]


# ported from test/parallel/test-net-timeout-no-handle.js
def test_timeout_fires_on_socket_without_handle() -> None:
    ev: List[Any] = []

    def main() -> None:
        socket = net.Socket()
        socket.set_timeout(50)
        socket.on("timeout", lambda: ev.append(("timeout", socket.fileno(), socket.pending)))
        socket.on("connect", lambda: ev.append("connect"))
        # the idle timer is unref'd: without this the loop would stop first
        net.set_timeout(lambda: ev.append("keepalive timer"), 200)

    run(main, 5)
    assert ev == [("timeout", -1, True), "keepalive timer"]


def test_idle_timer_does_not_keep_the_loop_alive() -> None:
    """Node: the socket timer is an unref'd timer (setUnrefTimeout)."""
    ev: List[Any] = []

    def main() -> None:
        socket = net.Socket()
        socket.set_timeout(10_000)
        socket.on("timeout", lambda: ev.append("timeout"))

    run(main, 3)     # returns at once: nothing ref'd
    assert ev == []


# ported from test/pummel/test-net-timeout2.js: writes keep the timer from firing
def test_timeout_is_reset_by_writes() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            c.set_timeout(150)
            sent = [0]

            def on_timeout() -> None:
                ev.append(("timeout", sent[0]))
                c.end()
            c.on("timeout", on_timeout)

            def tick() -> None:
                c.write("x")
                sent[0] += 1
                ev.append(("write", sent[0]))
                if sent[0] < 8:
                    net.set_timeout(tick, 30)
            c.on("connect", tick)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("write", i) for i in range(1, 9)] + [("timeout", 8)]


# ported from test/pummel/test-net-timeout.js: received data resets the timer
def test_timeout_is_reset_by_reads(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            sent = [0]

            def tick() -> None:
                if s.destroyed or s.writable_ended:
                    return
                s.write("y")
                sent[0] += 1
                if sent[0] < 8:
                    net.set_timeout(tick, 30)
            tick()
            s.on("end", lambda: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = endpoint.connect(srv)
            c.set_timeout(150)
            got = [0]

            def on_data(d: bytes) -> None:
                got[0] += len(d)
                ev.append("data")

            def on_timeout() -> None:
                ev.append(("timeout", got[0]))
                c.end()
            c.on("data", on_data)
            c.on("timeout", on_timeout)

        endpoint.listen(srv, listening)

    run(main, 5)
    assert ev[-1] == ("timeout", 8)
    assert ev.count("data") >= 1 and len(ev) == ev.count("data") + 1


# net.md § net.createConnection(options): `timeout` calls socket.setTimeout() first
def test_connect_timeout_option_sets_idle_timeout() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.resume())

        def listening() -> None:
            c = net.connect({"port": port_of(srv), "host": "127.0.0.1", "timeout": 50})
            ev.append(("timeout property", c.timeout))

            def on_timeout() -> None:
                ev.append(("timeout", c.destroyed, c.connecting))
                c.destroy()
                srv.close()
            c.on("timeout", on_timeout)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("timeout property", 50), ("timeout", False, False)]


def test_timeout_on_an_unconnected_ended_socket() -> None:
    """'timeout' needs no connection: a socket ended before any connect times out."""
    ev: Dict[str, Any] = {"timeouts": 0}

    def main() -> None:
        s = net.Socket()
        s.set_timeout(20, lambda: ev.__setitem__("timeouts", ev["timeouts"] + 1))
        s.end()
        net.set_timeout(s.destroy, 100)

    run(main, 5)
    assert ev == {"timeouts": 1}


def test_set_timeout_overflow_warns_and_clamps() -> None:
    import warnings
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ev.append(s.set_timeout(3e9) is s)
        ev.append([type(w.message).__name__ for w in caught])
        ev.append(s.timeout)
        s.destroy()

    run(main, 5)
    assert ev == [True, ["TimeoutOverflowWarning"], 3e9]


@pytest.mark.parametrize("delay", VALID[1:])
def test_valid_delays_return_the_socket(delay: float) -> None:
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket()
        ev.append(s.set_timeout(delay) is s)
        s.destroy()

    run(main, 5)
    assert ev == [True]


# Node: a failed connect destroys the socket, which clears the idle timer
def test_idle_timer_cleared_when_connect_fails() -> None:
    import socket
    ev: List[Any] = []
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def main() -> None:
        c = net.connect(port, "127.0.0.1")
        c.set_timeout(30, lambda: ev.append("timeout"))
        c.on("error", lambda err: ev.append(("error", err.code)))
        c.on("close", lambda had_error: (ev.append(("close", had_error)),
                                         net.set_timeout(lambda: ev.append("waited"), 100)))

    run(main, 5)
    assert ev == [("error", "ECONNREFUSED"), ("close", True), "waited"]


# lib/net.js _onTimeout: while a write makes no progress (peer not reading,
# kernel buffers full) the idle timer still fires
def test_timeout_fires_while_a_write_is_stuck() -> None:
    ev: List[Any] = []

    def main() -> None:
        held: List[net.Socket] = []
        srv = net.create_server({"pauseOnConnect": True}, held.append)

        def on_connect() -> None:
            c.set_timeout(100)

            def on_timeout() -> None:
                ev.append(("timeout", c.writable_length > 0, c.destroyed))
                c.destroy()
                held[0].destroy()
                srv.close()
            c.on("timeout", on_timeout)
            while c.write(bytes(65536)):
                pass
            ev.append("stuck")

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)

        c: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == ["stuck", ("timeout", True, False)]


def test_idle_timer_restarted_by_async_write_completion() -> None:
    # a large write completes asynchronously while setTimeout is armed: no
    # 'timeout', the 'finish' and 'close' come as usual
    payload = os.urandom(4 * 1024 * 1024)
    events: List[Any] = []
    received = [0]

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            conn.on("data", lambda d: received.__setitem__(0, received[0] + len(d)))
            conn.on("end", conn.end)

        server = net.create_server(on_conn)

        def connected() -> None:
            # small buffers: the write cannot complete inside write() (the server
            # reads only once this callback returns)
            limit_buffers(client)
            events.append(("write", client.write(payload), client.writable_length > 0))
            client.end()

        def listening() -> None:
            nonlocal client
            limit_buffers(server)
            client = net.connect(port_of(server), "127.0.0.1", connected)
            client.set_timeout(10_000, lambda: events.append("timeout"))
            client.on("finish", lambda: events.append("finish"))
            client.resume()
            client.on("close", lambda had_error: (events.append(("close", had_error)),
                                                  server.close()))

        client: Any = None
        server.listen(0, "127.0.0.1", listening)

    run(main, timeout=20)
    assert events == [("write", False, True), "finish", ("close", False)]
    assert received[0] == len(payload)


def test_reset_while_an_idle_timeout_is_armed() -> None:
    # node: setTimeout(5000) then the peer resets -> 'error' "read ECONNRESET",
    # 'close' true, no 'timeout'; socket.timeout keeps its value
    events: List[Any] = []

    def main() -> None:
        server = net.create_server(
            lambda c: net.set_timeout(c.reset_and_destroy, 20))

        def listening() -> None:
            client = net.connect(port_of(server), "127.0.0.1")
            client.set_timeout(5000, lambda: events.append("timeout"))
            client.on("error", lambda e: events.append(("error", e.code, str(e))))
            client.on("close", lambda had_error: (
                events.append(("close", had_error, client.timeout)), server.close()))

        server.listen(0, "127.0.0.1", listening)

    run(main)
    assert events == [("error", "ECONNRESET", "read ECONNRESET"), ("close", True, 5000)]


def test_no_timeout_while_a_pending_write_makes_progress(fresh_loop: net.Loop) -> None:
    # lib/net.js _onTimeout: when the idle timer fires while a write is pending
    # but its queue shrank since the last check, the timer is re-armed instead
    # of emitting 'timeout'. Virtual time: the peer reads a burst every 50 ms,
    # the 150 ms idle timer always finds progress; once the write is done and
    # the socket idles, 'timeout' comes.
    #
    # Small kernel buffers make every burst a few hundred KiB, whatever the
    # machine's tcp_rmem/tcp_wmem (with 64 MiB ones the write used to complete at
    # once). Before the fake clock jumps, the loop waits up to 50 ms of real time
    # for loopback traffic still in flight: without that, on a loaded machine the
    # window update after a burst came "late" and three bursts could pass in no
    # real time with nothing written, and the idle timer fired.
    loop, clock = virtual_loop(settle=0.05)
    net.set_loop(loop)
    events: List[Any] = []
    received = [0]
    payload = bytes(4 * 1024 * 1024)

    def on_conn(conn: net.Socket) -> None:
        def burst() -> None:
            conn.resume()
            net.set_immediate(conn.pause)

        reader = net.set_interval(burst, 50)
        conn.on("data", lambda d: received.__setitem__(0, received[0] + len(d)))
        conn.on("end", lambda: (net.clear_interval(reader), conn.end()))

    server = net.create_server({"pauseOnConnect": True}, on_conn)

    def listening() -> None:
        limit_buffers(server)
        client = net.connect(port_of(server), "127.0.0.1")
        start = clock()

        def on_timeout() -> None:
            events.append("timeout")
            client.end()

        def written(err: Any) -> None:
            # the write spanned more than two idle periods: the timer was re-armed
            # (it takes about 14 bursts, 700 ms)
            events.append(("written", err, round((clock() - start) * 1000) > 300))

        def connected() -> None:
            limit_buffers(client)
            client.write(payload, written)

        client.set_timeout(150, on_timeout)
        client.on("connect", connected)
        client.resume()
        client.on("close", lambda *_: (events.append("close"), server.close()))

    try:
        server.listen(0, "127.0.0.1", listening)
        loop.run_until_idle()
    finally:
        loop.close()
        net.set_loop(fresh_loop)
    assert events == [("written", None, True), "timeout", "close"]
    assert received[0] == len(payload)
