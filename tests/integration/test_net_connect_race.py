"""The racing mode of a multi-address connect (``auto_select_family_race=True``,
beyond Node): attempts still pending after a later one failed, blocked and
unbindable attempts, every racing handle closed on destroy.

There is no Node behaviour to compare with; these tests check nodenet's
documented behaviour (docs/compat.md) and, through the autouse leak check, that
no attempt's socket is left open. The fixtures are he_fixtures.py's (as in
test_happy_eyeballs_e2e.py); blackhole tests are skipped when the kernel does
not drop SYNs to a full backlog.
"""

from __future__ import annotations

import socket
from typing import Any, List

import pytest

import nodenet as net
from connect_events import later, record, v4
from he_fixtures import Fixture, blackhole_works
from support import run


def needs_blackhole() -> None:
    if not blackhole_works():
        pytest.skip("the kernel does not drop SYNs to a full listen(0) backlog")


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
