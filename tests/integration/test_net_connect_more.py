"""Connect paths beyond the Happy Eyeballs scenarios: listeners that destroy the
socket mid-connect, bind failures on every attempt, a Unix connect destroyed
before its error is reported, and the racing mode's bookkeeping (attempts still
pending after a later one failed, blocked and unbindable attempts, every racing
handle closed on destroy).

The first four were compared with node v20.20 running the same steps (its
lookups answered from ``setImmediate``, since Node loses events of a lookup
that answers inside ``connect()``). The racing mode
(``auto_select_family_race=True``) is beyond Node; those tests check nodenet's
documented behaviour and, through the autouse leak check, that no attempt's
socket is left open.
"""

from __future__ import annotations

import socket
from typing import Any, Dict, List

import pytest

import nodenet as net
from he_fixtures import Fixture, blackhole_works
from support import run


def v4(ip: str) -> Dict[str, Any]:
    return {"address": ip, "family": 4}


def later(answers: Any) -> Any:
    """A custom lookup answering on a later turn (setImmediate), with ``answers``."""
    def lookup(_host: str, options: Dict[str, Any], cb: Any) -> None:
        if options.get("all"):
            net.set_immediate(cb, None, answers)
        else:
            net.set_immediate(cb, None, answers[0]["address"], answers[0]["family"])
    return lookup


def record(sock: net.Socket, events: List[Any]) -> None:
    sock.on("lookup", lambda err, address, family, host: events.append(("lookup", address)))
    sock.on("connectionAttempt", lambda a, p, f: events.append(("attempt", a)))
    sock.on("connectionAttemptFailed", lambda a, p, f, e: events.append(("failed", a, e.code)))
    sock.on("connectionAttemptTimeout", lambda a, p, f: events.append(("timeout", a)))
    sock.on("connect", lambda: events.append(("connect", sock.remote_address)))
    sock.on("error", lambda e: events.append(("error", e.code)))
    sock.on("close", lambda had_error: events.append(("close", had_error)))


def needs_blackhole() -> None:
    if not blackhole_works():
        pytest.skip("the kernel does not drop SYNs to a full listen(0) backlog")


# ------------------------------------------------------------------ compared with Node


@pytest.mark.parametrize("auto_select_family", [False, True])
def test_lookup_listener_destroying_the_socket_stops_the_connect(
        auto_select_family: bool) -> None:
    # node: c.on('lookup', () => c.destroy()) -> just that one 'lookup' and
    # 'close' (false): no attempt, no error, the second answer not reported
    events: List[Any] = []

    def main() -> None:
        sock = net.connect({"port": 9, "host": "example.test",
                            "auto_select_family": auto_select_family,
                            "lookup": later([v4("127.0.0.1"), v4("127.0.0.2")])})
        record(sock, events)
        sock.on("lookup", lambda *_: sock.destroy())

    run(main)
    assert events == [("lookup", "127.0.0.1"), ("close", False)]


def test_local_port_in_use_fails_every_attempt_with_bind_errors() -> None:
    # node: connect({localPort: busy, autoSelectFamily: true}) to two addresses ->
    # no 'connectionAttempt' at all, one AggregateError (code EADDRINUSE) holding
    # 'bind EADDRINUSE 0.0.0.0:<busy>' twice (syscall bind, address 0.0.0.0)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    busy_port = busy.getsockname()[1]
    events: List[Any] = []
    errors: List[Any] = []

    def main() -> None:
        sock = net.connect({"port": 9, "host": "example.test", "localPort": busy_port,
                            "autoSelectFamily": True,
                            "lookup": later([v4("127.0.0.1"), v4("127.0.0.2")])})
        record(sock, events)
        sock.on("error", errors.append)

    try:
        run(main)
    finally:
        busy.close()
    assert [e for e in events if e[0] != "lookup"] == [("error", "EADDRINUSE"), ("close", True)]
    [agg] = errors
    assert isinstance(agg, net.errors.AggregateError) and str(agg) == ""
    assert [(e.code, str(e), e.syscall, e.address, e.port) for e in agg.errors] == [
        ("EADDRINUSE", f"bind EADDRINUSE 0.0.0.0:{busy_port}", "bind", "0.0.0.0", busy_port)] * 2


def test_unix_connect_destroyed_before_its_error_is_reported(tmp_path: Any) -> None:
    # node: net.connect('/missing/x.sock') then destroy() at once -> only 'close'
    # (false): the ENOENT, reported from the pending phase, finds the handle closed
    events: List[Any] = []

    def main() -> None:
        sock = net.connect(str(tmp_path / "missing" / "x.sock"))
        record(sock, events)
        sock.destroy()

    run(main)
    assert events == [("close", False)]


def test_connection_attempt_listener_destroying_the_socket() -> None:
    # Node v20 crashes when a 'connectionAttempt' listener destroys the socket in
    # a multi-address connect; nodenet stops cleanly: no further attempt, 'close'
    events: List[Any] = []

    def main() -> None:
        sock = net.connect({"port": 9, "host": "example.test", "autoSelectFamily": True,
                            "lookup": later([v4("127.0.0.1"), v4("127.0.0.2")])})
        record(sock, events)
        sock.on("connectionAttempt", lambda *_: sock.destroy())

    run(main)
    assert [e for e in events if e[0] != "lookup"] == [("attempt", "127.0.0.1"), ("close", False)]


# ------------------------------------------------------------------ racing mode (beyond Node)


def test_race_keeps_waiting_for_a_pending_attempt_after_the_last_one_failed() -> None:
    # racing: the blackholed first attempt outlives the refused second one, so
    # the socket is still connecting afterwards (no 'error' yet); destroy() then
    # cancels it (ECANCELED, as Node reports a destroyed attempt) and closes
    needs_blackhole()
    events: List[Any] = []
    state: List[Any] = []
    with Fixture({"127.0.0.2": "blackhole", "127.0.0.3": "refuse"}) as fx:
        def main() -> None:
            sock = net.connect({"port": fx.port, "host": "example.test",
                                "autoSelectFamily": True, "autoSelectFamilyAttemptTimeout": 10,
                                "auto_select_family_race": True,
                                "lookup": later([v4("127.0.0.2"), v4("127.0.0.3")])})
            record(sock, events)

            def check() -> None:
                state.append((sock.connecting, sock.destroyed))
                sock.destroy()

            net.set_timeout(check, 200)

        run(main)
    assert [e for e in events if e[0] != "lookup"] == [
        ("attempt", "127.0.0.2"), ("timeout", "127.0.0.2"), ("attempt", "127.0.0.3"),
        ("failed", "127.0.0.3", "ECONNREFUSED"), ("failed", "127.0.0.2", "ECANCELED"),
        ("close", False)]
    assert state == [(True, False)]


def test_race_destroy_closes_every_pending_attempt() -> None:
    # two racing blackholed attempts: destroy() closes both sockets (the leak
    # check of the autouse fixture fails otherwise); only the socket's own
    # attempt reports ECANCELED, the racing one is dropped silently
    needs_blackhole()
    events: List[Any] = []
    with Fixture({"127.0.0.2": "blackhole", "127.0.0.3": "blackhole"}) as fx:
        def main() -> None:
            sock = net.connect({"port": fx.port, "host": "example.test",
                                "autoSelectFamily": True, "autoSelectFamilyAttemptTimeout": 10,
                                "auto_select_family_race": True,
                                "lookup": later([v4("127.0.0.2"), v4("127.0.0.3")])})
            record(sock, events)
            sock.on("connectionAttempt", lambda a, *_: a == "127.0.0.3" and
                    net.set_timeout(sock.destroy, 50))

        run(main)
    assert [e for e in events if e[0] != "lookup"] == [
        ("attempt", "127.0.0.2"), ("timeout", "127.0.0.2"), ("attempt", "127.0.0.3"),
        ("failed", "127.0.0.2", "ECANCELED"), ("close", False)]


def test_race_blocked_attempt_is_skipped() -> None:
    # racing with a block_list: while the first attempt is pending, the blocked
    # second address fails with ERR_IP_BLOCKED at once and the third connects
    needs_blackhole()
    block_list = net.BlockList()
    block_list.add_address("127.0.0.4")
    events: List[Any] = []
    with Fixture({"127.0.0.2": "blackhole", "127.0.0.3": "accept"}) as fx:
        def main() -> None:
            sock = net.connect({"port": fx.port, "host": "example.test",
                                "autoSelectFamily": True, "autoSelectFamilyAttemptTimeout": 10,
                                "auto_select_family_race": True, "block_list": block_list,
                                "lookup": later([v4("127.0.0.2"), v4("127.0.0.4"),
                                                 v4("127.0.0.3")])})
            record(sock, events)
            sock.on("connect", sock.destroy)

        run(main)
    # (whether a blocked address gets its own 'connectionAttempt' first is left
    # open: newer Node checks the block list before emitting it)
    assert [e for e in events if e[0] != "lookup" and e != ("attempt", "127.0.0.4")] == [
        ("attempt", "127.0.0.2"), ("timeout", "127.0.0.2"),
        ("failed", "127.0.0.4", "ERR_IP_BLOCKED"),
        ("attempt", "127.0.0.3"), ("connect", "127.0.0.3"), ("close", False)]


def test_race_bind_failures_on_every_attempt() -> None:
    # racing with a local port in use: every attempt's bind fails, each racing
    # handle is closed, the error is the AggregateError of the bind errors
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    busy_port = busy.getsockname()[1]
    errors: List[Any] = []

    def main() -> None:
        sock = net.connect({"port": 9, "host": "example.test", "localPort": busy_port,
                            "autoSelectFamily": True, "auto_select_family_race": True,
                            "lookup": later([v4("127.0.0.1"), v4("127.0.0.2"),
                                             v4("127.0.0.3")])})
        sock.on("error", errors.append)

    try:
        run(main)
    finally:
        busy.close()
    [agg] = errors
    assert agg.code == "EADDRINUSE"
    assert [e.syscall for e in agg.errors] == ["bind"] * 3
