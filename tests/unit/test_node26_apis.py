"""Node 26's small additions to events and stream: ``events.add_abort_listener``,
``events.get_max_listeners``, an AbortSignal without a listener limit, and
``stream.get_default_high_water_mark`` / ``set_default_high_water_mark`` as the
default of streams, sockets and servers. Expected values were recorded from the
node 26.12 binary; tests/diff/test_diff_node26.py compares the loop-visible
parts with it directly.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any, List

import pytest

import nodenet as net
from nodenet import events, stream
from nodenet.errors import NodeError
from support import run


def code_and_message(fn: Any, *args: Any) -> Any:
    with pytest.raises(NodeError) as info:
        fn(*args)
    return info.value.code, str(info.value)


# -- events.get_max_listeners and the AbortSignal limit ------------------------------------

def test_get_max_listeners() -> None:
    emitter = events.EventEmitter()
    assert events.get_max_listeners(emitter) == 10
    emitter.set_max_listeners(3)
    assert events.get_max_listeners(emitter) == 3
    events.set_max_listeners(7)
    assert events.get_max_listeners(events.EventEmitter()) == 7
    assert code_and_message(events.get_max_listeners, {}) == (
        "ERR_INVALID_ARG_TYPE", 'The "emitter" argument must be an instance of EventEmitter '
        "or EventTarget. Received an instance of dict")


def test_abort_signal_has_no_listener_limit() -> None:
    caught: List[Any] = []

    def main() -> None:            # on the loop thread, where the listeners are added
        signal = net.AbortController().signal
        assert events.get_max_listeners(signal) == 0
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            for _ in range(50):
                signal.add_event_listener("abort", lambda *_: None)
            emitter = events.EventEmitter()
            for _ in range(11):
                emitter.on("x", lambda *_: None)
            events.set_max_listeners(2, signal)           # a limit can still be set on one
            assert events.get_max_listeners(signal) == 2
            signal.add_event_listener("abort", lambda *_: None)
        caught.extend(str(w.message).split(" listeners")[0] for w in record)

    run(main)
    assert caught == ["Possible EventEmitter memory leak detected. 11 x",
                      "Possible EventEmitter memory leak detected. 51 abort"]


# -- events.add_abort_listener ---------------------------------------------------------------

def test_add_abort_listener_runs_once_on_abort() -> None:
    got: List[Any] = []

    def main() -> None:
        controller = net.AbortController()
        handle = events.add_abort_listener(controller.signal, lambda sig: got.append(
            ("abort", sig is controller.signal, sig.reason)))
        assert isinstance(handle, events.AbortListener)
        controller.abort("why")
        controller.abort("again")
        handle.dispose()                                # after it ran: nothing to do

    run(main)
    assert got == [("abort", True, "why")]


def test_add_abort_listener_is_removed_by_with_and_dispose() -> None:
    got: List[Any] = []

    def main() -> None:
        controller = net.AbortController()
        with events.add_abort_listener(controller.signal, lambda _: got.append("with")):
            pass
        events.add_abort_listener(controller.signal, lambda _: got.append("disposed")).dispose()
        events.add_abort_listener(controller.signal, lambda _: got.append("kept"))
        controller.abort()
        assert controller.signal.listener_count("abort") == 0

    run(main)
    assert got == ["kept"]


def test_add_abort_listener_on_an_aborted_signal_runs_after_the_ticks() -> None:
    """Node queues a microtask: it runs after every process.nextTick callback queued so
    far, and before immediates; disposing first cancels it (node 26.12 order)."""
    got: List[Any] = []

    def main() -> None:
        signal = net.AbortSignal.abort("done")
        events.add_abort_listener(signal, lambda sig: got.append(("listener", sig.reason)))
        events.add_abort_listener(signal, lambda _: got.append("cancelled")).dispose()
        got.append("after add")
        net.next_tick(lambda: (got.append("tick"), net.next_tick(lambda: got.append("tick2"))))
        net.set_immediate(lambda: got.append("immediate"))

    run(main)
    assert got == ["after add", "tick", "tick2", ("listener", "done"), "immediate"]


def test_add_abort_listener_from_another_thread() -> None:
    done = threading.Event()
    got: List[Any] = []
    signal = net.AbortSignal.abort()
    events.add_abort_listener(signal, lambda _: (got.append(net.get_loop().in_loop_thread()),
                                                 done.set()))
    assert done.wait(5)
    run()
    assert got == [True]


def test_add_abort_listener_validates() -> None:
    signal = net.AbortController().signal
    assert code_and_message(events.add_abort_listener, None, lambda: 0) == (
        "ERR_INVALID_ARG_TYPE",
        'The "signal" argument must be an instance of AbortSignal. Received None')
    assert code_and_message(events.add_abort_listener, {}, lambda: 0)[0] == \
        "ERR_INVALID_ARG_TYPE"
    assert code_and_message(events.add_abort_listener, signal, 5) == (
        "ERR_INVALID_ARG_TYPE",
        'The "listener" argument must be of type function. Received type int (5)')


# -- stream default high-water marks -----------------------------------------------------------

def test_default_high_water_marks() -> None:
    assert stream.get_default_high_water_mark(False) == 65536
    assert stream.get_default_high_water_mark(True) == 16
    assert stream.get_default_high_water_mark() == 65536


def test_set_default_high_water_mark_is_used_by_sockets_and_servers() -> None:
    assert stream.set_default_high_water_mark(False, 1000) is None
    stream.set_default_high_water_mark(True, 3)
    assert stream.get_default_high_water_mark(True) == 3
    seen: List[Any] = []

    def main() -> None:
        sock = net.Socket()
        seen.append((sock.readable_high_water_mark, sock.writable_high_water_mark))
        sock.destroy()
        srv = net.create_server(lambda c: (seen.append((c.readable_high_water_mark,
                                                        c.writable_high_water_mark)),
                                           c.destroy(), srv.close()))
        seen.append(srv.high_water_mark)
        explicit = net.create_server({"highWaterMark": 5})
        seen.append(explicit.high_water_mark)
        negative = net.create_server({"highWaterMark": -1})     # negative: the default
        seen.append(negative.high_water_mark)
        srv.listen(0, "127.0.0.1", lambda: net.connect(srv.address()["port"], "127.0.0.1")
                   .on("error", lambda *_: None).resume())

    run(main)
    assert seen == [(1000, 1000), 1000, 5, 1000, (1000, 1000)]


def test_set_default_high_water_mark_validates() -> None:
    assert code_and_message(stream.set_default_high_water_mark, False, -1) == (
        "ERR_OUT_OF_RANGE", 'The value of "value" is out of range. It must be >= 0 && '
        "<= 9007199254740991. Received -1")
    assert code_and_message(stream.set_default_high_water_mark, False, 1.5) == (
        "ERR_OUT_OF_RANGE",
        'The value of "value" is out of range. It must be an integer. Received 1.5')
    assert code_and_message(stream.set_default_high_water_mark, False, "5")[0] == \
        "ERR_INVALID_ARG_TYPE"
    assert stream.get_default_high_water_mark(False) == 65536
