"""Literal ports of Node code: listeners and callbacks called the JavaScript way.

Issue #12's table: ``c.on('error', () => {})``, ``c.on('close', () => ...)`` and
``server.close(() => ...)`` translated to ``lambda: ...`` must work, not take the
program down with a TypeError at the first peer reset.
"""

from __future__ import annotations

from typing import Any, List

import nodenet as net
from net_endpoints import port_of
from support import run


def test_zero_argument_error_and_close_listeners_survive_a_reset() -> None:
    got: List[Any] = []

    def main() -> None:
        def on_conn(c: net.Socket) -> None:
            c.on("error", lambda: got.append("error ignored"))
            c.on("close", lambda: (got.append("bye"), srv.close(lambda: got.append("closed"))))
            c.on("end", lambda: got.append("never: reset"))
        srv = net.create_server(on_conn)

        def listening() -> None:
            client = net.connect(port_of(srv), "127.0.0.1")
            client.on("connect", lambda: client.reset_and_destroy())
        srv.listen(0, "127.0.0.1", listening)

    run(main, 10)
    assert got == ["error ignored", "bye", "closed"]


def test_server_close_callback_gets_no_argument_or_the_error() -> None:
    got: List[Any] = []

    def main() -> None:
        srv = net.create_server()
        srv.close(lambda *a: got.append(("never listened", [e.code for e in a])))
        srv2 = net.create_server()
        srv2.listen(0, "127.0.0.1", lambda: srv2.close(lambda *a: got.append(("closed", a))))

    run(main, 10)
    assert sorted(got) == [("closed", ()), ("never listened", ["ERR_SERVER_NOT_RUNNING"])]


def test_callbacks_with_fewer_or_more_parameters() -> None:
    got: List[Any] = []

    def main() -> None:
        def on_conn(c: net.Socket) -> None:
            c.on("data", lambda: got.append("data"))
            c.on("end", lambda extra: got.append(("end", extra)))
            c.write(b"hi", lambda: got.append("write cb"))
            c.end(lambda err, more: got.append(("end cb", err, more)))
        srv = net.create_server(on_conn)

        def listening() -> None:
            srv.get_connections(lambda: got.append("get_connections"))
            srv.get_connections(lambda err, n, x: got.append(("connections", err, n, x)))
            c = net.connect(port_of(srv), "127.0.0.1", lambda: got.append("connect cb"))
            c.set_timeout(5000, lambda: None)
            c.on("data", lambda d: c.end(b"bye", lambda: got.append("client end cb")))
            c.on("close", lambda: srv.close())
        srv.listen(0, "127.0.0.1", listening)

    run(main, 10)
    assert got.index("get_connections") >= 0
    assert ("connections", None, 0, None) in got
    for entry in ["connect cb", "write cb", "data", ("end", None), ("end cb", None, None),
                  "client end cb"]:
        assert entry in got, (entry, got)


def test_timers_pass_their_arguments_the_javascript_way() -> None:
    got: List[Any] = []

    def main() -> None:
        net.set_timeout(lambda: got.append("timeout, extra dropped"), 1, "extra")
        net.set_immediate(lambda a, b: got.append(("immediate", a, b)), 1)
        net.next_tick(lambda: got.append("tick"), 1, 2, 3)
        t = net.set_interval(lambda a: (got.append(("interval", a)), net.clear_interval(t)))

    run(main, 10)
    assert sorted(map(str, got)) == sorted(map(str, [
        "tick", ("immediate", 1, None), "timeout, extra dropped", ("interval", None)]))


def test_lookup_and_onread_callbacks() -> None:
    got: List[Any] = []

    def main() -> None:
        net.dns.lookup("127.0.0.1", lambda err: got.append(("lookup", err)))
        srv = net.create_server(lambda s: s.end(b"payload"))

        def listening() -> None:
            buf = bytearray(16)
            c = net.connect({"port": port_of(srv), "host": "x.invalid",
                             "lookup": lambda host, opts, cb: cb(
                                 None, [{"address": "127.0.0.1", "family": 4}]),
                             "onread": {"buffer": buf,
                                        "callback": lambda n: got.append(("onread", n))}})
            c.on("close", lambda: srv.close())
        srv.listen(0, "127.0.0.1", listening)

    run(main, 10)
    assert ("lookup", None) in got and ("onread", 7) in got


def test_abort_signal_and_process_listeners() -> None:
    got: List[Any] = []

    def main() -> None:
        ac = net.AbortController()
        ac.signal.on("abort", lambda: got.append("aborted"))
        ac.signal.add_event_listener("abort", lambda event, extra: got.append(extra), once=True)
        ac.abort()

    run(main, 10)
    assert got == ["aborted", None]
