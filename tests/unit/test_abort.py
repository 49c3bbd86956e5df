"""AbortController / AbortSignal (nodenet.abort), checked against Node v20.

Expected values were confirmed by running the same operations in node v20
(``AbortSignal.abort()``, ``AbortSignal.timeout()``, ``AbortSignal.any()``,
``throwIfAborted()``, ``addEventListener``/``removeEventListener``).
"""

from __future__ import annotations

import threading
from typing import Any, List

import pytest

import nodenet as net
from nodenet.errors import DOMException, NodeRangeError, NodeTypeError
from support import Calls, run


def test_abort_static_default_reason_is_an_abort_error_domexception() -> None:
    # node: AbortSignal.abort() -> aborted, reason DOMException AbortError,
    # message 'This operation was aborted', legacy code 20
    signal = net.AbortSignal.abort()
    assert signal.aborted is True
    assert isinstance(signal.reason, DOMException)
    assert signal.reason.name == "AbortError"
    assert signal.reason.code == 20
    assert str(signal.reason) == "This operation was aborted"
    assert repr(signal.reason) == "DOMException('AbortError', 'This operation was aborted')"
    assert repr(signal) == "<AbortSignal aborted=True>"


def test_abort_static_keeps_a_given_reason() -> None:
    # node: AbortSignal.abort('why').reason === 'why'
    assert net.AbortSignal.abort("why").reason == "why"
    err = ValueError("boom")
    assert net.AbortSignal.abort(err).reason is err


def test_throw_if_aborted() -> None:
    # node: throwIfAborted() is a no-op before abort and throws the reason after
    ac = net.AbortController()
    ac.signal.throw_if_aborted()
    assert ac.signal.reason is None and ac.signal.aborted is False

    default = net.AbortSignal.abort()
    with pytest.raises(DOMException) as info:
        default.throw_if_aborted()
    assert info.value is default.reason

    err = KeyError("k")
    with pytest.raises(KeyError) as kinfo:
        net.AbortSignal.abort(err).throw_if_aborted()
    assert kinfo.value is err


def test_throw_if_aborted_with_a_non_exception_reason() -> None:
    # Node throws the reason itself ('why'); Python can only raise exceptions,
    # so a non-exception reason is raised as an AbortError DOMException.
    signal = net.AbortSignal.abort("why")
    with pytest.raises(DOMException) as info:
        signal.throw_if_aborted()
    assert info.value.name == "AbortError"
    assert signal.reason == "why"


def test_controller_abort_once_listeners_on_loop_thread() -> None:
    # node: a second abort() changes nothing and fires no second 'abort'
    ac = net.AbortController()
    seen: List[Any] = []
    calls = Calls(lambda sig: seen.append((sig is ac.signal, sig.reason)))

    def main() -> None:
        ac.signal.on("abort", calls)
        ac.abort("first")
        ac.abort("second")

    run(main)
    assert calls.count == 1
    assert seen == [(True, "first")]
    assert ac.signal.reason == "first"
    assert repr(ac) == "<AbortController <AbortSignal aborted=True>>"


def test_controller_abort_from_another_thread_runs_listener_on_loop() -> None:
    # nodenet: aborted/reason change at once; the 'abort' listeners run on the loop thread
    ac = net.AbortController()
    calls = Calls()
    loop_thread: List[int] = []

    def main() -> None:
        loop_thread.append(threading.get_ident())
        ac.signal.on("abort", calls)

    run(main)
    ac.abort()                      # from the test thread, not the loop's
    assert ac.signal.aborted is True
    assert isinstance(ac.signal.reason, DOMException)
    calls.wait()
    run()
    assert calls.count == 1
    assert calls.threads != {threading.get_ident()}


def test_default_reason_for_controller_abort() -> None:
    # node: ac.abort() and ac.abort(undefined) both give the AbortError DOMException
    ac = net.AbortController()
    run(ac.abort)
    assert ac.signal.reason.name == "AbortError"
    assert ac.signal.reason.code == 20


def test_add_and_remove_event_listener() -> None:
    # node: addEventListener(..., {once: true}) fires once; a removed listener never runs
    ac = net.AbortController()
    once = Calls()
    always = Calls()
    removed = Calls()

    def main() -> None:
        sig = ac.signal
        sig.add_event_listener("abort", once, once=True)
        sig.add_event_listener("abort", always)
        sig.add_event_listener("abort", removed)
        sig.remove_event_listener("abort", removed)
        ac.abort()
        sig.emit("abort", sig)       # a second dispatch: the once listener is gone

    run(main)
    assert (once.count, always.count, removed.count) == (1, 2, 0)


def test_timeout_aborts_with_timeout_error() -> None:
    # node: AbortSignal.timeout(20) aborts with DOMException TimeoutError,
    # 'The operation was aborted due to timeout', code 23
    calls = Calls()
    holder: List[net.AbortSignal] = []

    def main() -> None:
        sig = net.AbortSignal.timeout(20)
        holder.append(sig)
        sig.on("abort", calls)
        assert sig.aborted is False
        net.set_timeout(lambda: None, 300)   # keeps the loop alive past the abort

    run(main)
    sig = holder[0]
    assert calls.count == 1
    assert sig.aborted is True
    assert sig.reason.name == "TimeoutError"
    assert sig.reason.code == 23
    assert str(sig.reason) == "The operation was aborted due to timeout"


def test_timeout_timer_does_not_keep_the_loop_alive() -> None:
    # node: the timeout's timer is unref'd; a process with only that timer exits
    holder: List[net.AbortSignal] = []
    run(lambda: holder.append(net.AbortSignal.timeout(10_000)), timeout=5)
    assert holder[0].aborted is False


@pytest.mark.parametrize("delay, cls, message", [
    (-1, NodeRangeError,
     'The value of "delay" is out of range. It must be >= 0 && <= 4294967295. Received -1'),
    (2**53, NodeRangeError,
     'The value of "delay" is out of range. It must be >= 0 && <= 4294967295. '
     'Received 9_007_199_254_740_992'),
    (1.5, NodeRangeError,
     'The value of "delay" is out of range. It must be an integer. Received 1.5'),
    ("x", NodeTypeError,
     "The \"delay\" argument must be of type number. Received type str ('x')"),
])
def test_timeout_validation(delay: Any, cls: type, message: str) -> None:
    # node: AbortSignal.timeout validates delay as a uint32
    with pytest.raises(cls) as info:
        net.AbortSignal.timeout(delay)
    assert str(info.value) == message
    assert info.value.code == ("ERR_OUT_OF_RANGE" if cls is NodeRangeError
                               else "ERR_INVALID_ARG_TYPE")


def test_any_follows_the_first_abort() -> None:
    # node: any([a, b]) aborts once, with the reason of the first source to abort
    a, b = net.AbortController(), net.AbortController()
    reasons: List[Any] = []
    holder: List[net.AbortSignal] = []

    def main() -> None:
        combined = net.AbortSignal.any([a.signal, b.signal])
        holder.append(combined)
        combined.on("abort", lambda sig: reasons.append(sig.reason))
        assert combined.aborted is False
        b.abort("second")
        a.abort("first")

    run(main)
    assert reasons == ["second"]
    assert holder[0].reason == "second"


def test_any_with_an_aborted_source_is_aborted_at_once() -> None:
    # node: any([AbortSignal.abort('pre'), live]) -> aborted, reason 'pre'; any([]) is live
    live = net.AbortController()
    combined = net.AbortSignal.any([net.AbortSignal.abort("pre"), live.signal])
    assert combined.aborted is True and combined.reason == "pre"
    assert live.signal.listener_count("abort") == 0
    assert net.AbortSignal.any([]).aborted is False
    assert net.AbortSignal.any(iter([live.signal])).aborted is False


@pytest.mark.parametrize("signals, index", [
    ([1], 0),
    (["aborted", 1], 1),     # Node checks every entry, even after an aborted one
])
def test_any_rejects_non_signals(signals: List[Any], index: int) -> None:
    signals = [net.AbortSignal.abort() if s == "aborted" else s for s in signals]
    with pytest.raises(NodeTypeError) as info:
        net.AbortSignal.any(signals)
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    assert str(info.value) == (f'The "signals[{index}]" argument must be an instance of '
                               "AbortSignal. Received type int (1)")
