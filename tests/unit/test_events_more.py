"""EventEmitter calls made off the loop thread, and a few reprs.

A loop-bound emitter (every Socket, Server and AbortSignal) may be changed from
any thread; the changes are handed to the loop and take effect in call order
(SPEC §1.3), so listener order is what Node would have for the same calls.
"""

from __future__ import annotations

import threading
from typing import Any, List

import nodenet as net
from nodenet import events
from support import run


def test_listener_changes_from_another_thread_keep_call_order() -> None:
    # node (same calls, one thread): prependListener(a), prependOnceListener(b),
    # on(c), removeListener(c) -> emit runs b then a; the second emit only a
    sock = net.Socket()
    seen: List[Any] = []

    def a(*_: Any) -> None:
        seen.append("a")

    def b(*_: Any) -> None:
        seen.append("b")

    def c(*_: Any) -> None:
        seen.append("c")

    caller = threading.get_ident()
    sock.prepend_listener("x", a)
    sock.prepend_once_listener("x", b)
    sock.on("x", c)
    sock.remove_listener("x", c)
    sock.on("y", c)
    sock.remove_all_listeners("y")
    assert net.get_loop().thread_ident != caller

    def main() -> None:
        sock.emit("x")
        sock.emit("x")
        sock.emit("y")
        seen.append(sock.listener_count("y"))
        sock.destroy()

    run(main)
    assert seen == ["b", "a", "a", 0]


def test_remove_all_listeners_from_another_thread() -> None:
    sock = net.Socket()
    sock.on("x", lambda: None)
    sock.on("z", lambda: None)
    sock.remove_all_listeners()
    counts: List[Any] = []
    run(lambda: (counts.append((sock.listener_count("x"), sock.listener_count("z"),
                                sock.listener_count("end"))), sock.destroy()))
    assert counts == [(0, 0, 0)]


def test_events_once_registered_from_another_thread() -> None:
    # events.once() on a loop-bound emitter from a foreign thread: the listener
    # is added on the loop thread, the future resolves with the arguments
    sock = net.Socket()
    future = events.once(sock, "x")
    run(lambda: (sock.emit("x", 1, 2), sock.destroy()))
    assert future.result(5) == [1, 2]


def test_reprs() -> None:
    assert repr(events.error_monitor) == "events.error_monitor"
    assert repr(events.EventEmitter()) == "<EventEmitter>"
    emitter = events.EventEmitter()

    def listener() -> None:
        pass

    emitter.once("x", listener)
    [raw] = emitter.raw_listeners("x")
    assert repr(raw) == f"<once {listener!r}>"
