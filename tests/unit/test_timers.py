"""Timer, immediate and next_tick ordering (docs/loop.md), on real and virtual time.

Ported cases name their source: libuv test/test-timer.c (timer_order) and Node's
test/parallel/test-timers-*.js.
"""

from __future__ import annotations

import math
import threading
import warnings
from typing import Any, List

import pytest

import nodenet as net
from nodenet import timers
from nodenet.errors import NodeTypeError
from support import Calls, run


def test_equal_deadlines_fire_in_creation_order(vloop: Any) -> None:
    """Timers due at the same instant fire FIFO (libuv test-timer.c timer_order)."""
    loop, clock = vloop
    out: List[str] = []
    for name in "abcdef":
        net.set_timeout(out.append, 5, name)
    loop.run_until_idle()
    assert out == list("abcdef")


def test_equal_deadlines_from_different_start_times(vloop: Any) -> None:
    """A timer created later with the same deadline fires after the earlier one."""
    loop, clock = vloop
    out: List[str] = []

    def later() -> None:
        # now = t0+5; deadline t0+10, the same as "first"'s
        net.set_timeout(out.append, 5, "second")

    net.set_timeout(out.append, 10, "first")
    net.set_timeout(later, 5)
    loop.run_until_idle()
    assert out == ["first", "second"]


def test_shorter_timer_fires_first(vloop: Any) -> None:
    """Deadline order wins over creation order."""
    loop, clock = vloop
    out: List[int] = []
    for delay in (30, 10, 20, 1):
        net.set_timeout(out.append, delay, delay)
    loop.run_until_idle()
    assert out == [1, 10, 20, 30]


def test_timer_set_inside_timer_waits_a_turn(vloop: Any) -> None:
    """A zero-delay timer set from a timer callback runs in a later turn, after
    immediates (libuv collects due timers before running them)."""
    loop, clock = vloop
    out: List[str] = []

    def first() -> None:
        out.append("first")
        net.set_timeout(out.append, 0, "timer-from-timer")
        net.set_immediate(out.append, "immediate-from-timer")

    net.set_timeout(first, 1)
    net.set_timeout(out.append, 1, "sibling")
    loop.run_until_idle()
    assert out == ["first", "sibling", "immediate-from-timer", "timer-from-timer"]


def test_immediate_runs_before_zero_timer_from_io_callback() -> None:
    """From an I/O-phase callback, setImmediate beats setTimeout(0) (Node guide
    "setImmediate() vs setTimeout()"): the check phase comes right after the
    poll, the timers at the end of the iteration. 'connection' is emitted from
    the poll phase (the accept). From the main script the order depends on
    whether a millisecond has passed before the first timer check, in Node as
    here, so the test does not schedule them there."""
    out: List[str] = []

    def main() -> None:
        def on_connection(conn: net.Socket) -> None:
            net.set_timeout(out.append, 0, "timeout")
            net.set_immediate(out.append, "immediate")
            conn.destroy()
            client.destroy()
            server.close()

        def connect() -> None:
            client.connect(server.address()["port"], "127.0.0.1")

        client = net.Socket()
        client.on("error", lambda: None)
        server = net.create_server(on_connection)
        server.listen(0, "127.0.0.1", connect)

    run(main)
    assert out == ["immediate", "timeout"]


def test_next_tick_drains_before_immediates_and_after_each_callback() -> None:
    """next_tick callbacks run right after the current callback, ticks queued by
    ticks included, before any immediate (Node: process.nextTick queue)."""
    out: List[str] = []

    def main() -> None:
        net.set_immediate(out.append, "immediate")
        net.next_tick(lambda: (out.append("tick1"), net.next_tick(out.append, "tick3")))
        net.next_tick(out.append, "tick2")
        out.append("main")

    run(main)
    assert out == ["main", "tick1", "tick2", "tick3", "immediate"]


def test_next_tick_runs_between_timers(vloop: Any) -> None:
    """Ticks drain between two timers due together (Node's runNextTicks in listOnTimeout)."""
    loop, clock = vloop
    out: List[str] = []
    net.set_timeout(lambda: (out.append("t1"), net.next_tick(out.append, "tick")), 5)
    net.set_timeout(out.append, 5, "t2")
    loop.run_until_idle()
    assert out == ["t1", "tick", "t2"]


def test_next_tick_runs_between_immediates() -> None:
    """Ticks drain between immediates too (test-timers-immediate-queue)."""
    out: List[str] = []

    def main() -> None:
        net.set_immediate(lambda: (out.append("i1"), net.next_tick(out.append, "tick")))
        net.set_immediate(out.append, "i2")

    run(main)
    assert out == ["i1", "tick", "i2"]


def test_immediate_set_in_immediate_runs_next_turn(vloop: Any) -> None:
    """Only immediates queued before the check phase run in it (test-timers-immediate)."""
    loop, clock = vloop
    turns: List[Any] = []
    out: List[Any] = []
    loop.tracer = lambda event, detail: turns.append(detail) if event == "turn" else None

    def first() -> None:
        out.append(("first", len(turns)))
        net.set_immediate(lambda: out.append(("second", len(turns))))

    net.set_immediate(first)
    loop.run_until_idle()
    assert out[0][0] == "first" and out[1][0] == "second"
    assert out[1][1] == out[0][1] + 1


def test_interval_repeats_until_cleared(vloop: Any) -> None:
    """setInterval fires every period; clearInterval inside the callback stops it."""
    loop, clock = vloop
    stamps: List[float] = []
    start = clock.time

    def tick() -> None:
        stamps.append(round((clock.time - start) * 1000))
        if len(stamps) == 4:
            net.clear_interval(interval)

    interval = net.set_interval(tick, 10)
    loop.run_until_idle()
    assert stamps == [10, 20, 30, 40]


def test_interval_rearms_even_when_callback_throws(vloop: Any) -> None:
    """Node re-arms an interval in a finally block; the error goes to uncaughtException."""
    loop, clock = vloop
    errors: List[BaseException] = []
    net.process.on("uncaughtException", lambda err, origin: errors.append(err))
    count = Calls()

    def tick() -> None:
        count()
        if count.count == 3:
            net.clear_interval(interval)
        raise RuntimeError("tick")

    interval = net.set_interval(tick, 5)
    loop.run_until_idle()
    assert count.count == 3 and len(errors) == 3


def test_unref_timer_does_not_keep_loop_alive(vloop: Any) -> None:
    """An unref'd timer alone lets the loop finish (test-timers-unref)."""
    loop, clock = vloop
    fired = Calls()
    t = net.set_timeout(fired, 100).unref()
    assert t.has_ref() is False
    loop.run_until_idle()
    assert fired.count == 0


def test_ref_again_keeps_loop_alive(vloop: Any) -> None:
    """ref() after unref() makes the timer keep the loop alive again."""
    loop, clock = vloop
    fired = Calls()
    t = net.set_timeout(fired, 100).unref().ref()
    assert t.has_ref() is True
    loop.run_until_idle()
    assert fired.count == 1


def test_unref_timer_fires_while_something_else_keeps_loop_alive(vloop: Any) -> None:
    """An unref'd timer still fires when a ref'd one keeps the loop running."""
    loop, clock = vloop
    out: List[str] = []
    net.set_timeout(out.append, 5, "unref").unref()
    net.set_timeout(out.append, 10, "ref")
    loop.run_until_idle()
    assert out == ["unref", "ref"]


def test_refresh_restarts_countdown(vloop: Any) -> None:
    """refresh() moves the deadline to now + delay (test-timers-refresh)."""
    loop, clock = vloop
    start = clock.time
    when: List[float] = []
    t = net.set_timeout(lambda: when.append(round((clock.time - start) * 1000)), 10)
    net.set_timeout(t.refresh, 5)
    loop.run_until_idle()
    assert when == [15]


def test_refresh_reactivates_a_fired_timer(vloop: Any) -> None:
    """Refreshing a timer that already fired arms it again (Node docs, timeout.refresh())."""
    loop, clock = vloop
    fired = Calls()
    t = net.set_timeout(fired, 5)
    loop.run_until_idle()
    assert fired.count == 1
    t.refresh()
    loop.run_until_idle()
    assert fired.count == 2


def test_refresh_after_clear_does_nothing(vloop: Any) -> None:
    """A cleared timer stays cleared (Node: _idleTimeout = -1)."""
    loop, clock = vloop
    fired = Calls()
    t = net.set_timeout(fired, 5)
    net.clear_timeout(t)
    t.refresh()
    loop.run_until_idle()
    assert fired.count == 0


def test_clear_timeout_from_earlier_timer_in_same_batch(vloop: Any) -> None:
    """A timer cleared by another timer due in the same turn does not fire."""
    loop, clock = vloop
    out: List[str] = []
    victim: List[Any] = []
    net.set_timeout(lambda: (out.append("killer"), net.clear_timeout(victim[0])), 5)
    victim.append(net.set_timeout(out.append, 5, "victim"))
    loop.run_until_idle()
    assert out == ["killer"]


def test_clear_timeout_accepts_numeric_id_and_ignores_junk(vloop: Any) -> None:
    """clearTimeout takes the timer's primitive id; other values are ignored."""
    loop, clock = vloop
    fired = Calls()
    t = net.set_timeout(fired, 5)
    timer_id = int(t)
    net.clear_timeout(None)
    net.clear_timeout("nope")  # type: ignore[arg-type]
    net.clear_timeout(timer_id)
    loop.run_until_idle()
    assert fired.count == 0


def test_timer_id_is_forgotten_once_it_fired_or_was_cleared(vloop: Any) -> None:
    # a fired one-shot timer's id no longer clears anything; a cleared timer
    # converted to an id afterwards is not registered at all
    loop, _clock = vloop
    fired = Calls()
    t = net.set_timeout(fired, 5)
    timer_id = int(t)
    assert timer_id in timers._by_id
    loop.run_until_idle()
    assert fired.count == 1 and timer_id not in timers._by_id

    cleared = net.set_timeout(fired, 5)
    net.clear_timeout(cleared)
    late_id = int(cleared)
    assert int(cleared) == late_id and late_id not in timers._by_id
    loop.run_until_idle()
    assert fired.count == 1


def test_timeout_close_and_context_manager(vloop: Any) -> None:
    """close() and leaving a with-block cancel the timer; close() returns it."""
    loop, clock = vloop
    fired = Calls()
    t = net.set_timeout(fired, 5)
    assert t.close() is t
    with net.set_timeout(fired, 5):
        pass
    loop.run_until_idle()
    assert fired.count == 0


@pytest.mark.parametrize("delay, expected_ms", [
    (0, 1), (None, 1), (-5, 1), (float("nan"), 1), ("100", 100), (2.5, 2.5),
    ([], 1), (True, 1),
])
def test_delay_coercion(vloop: Any, delay: Any, expected_ms: float) -> None:
    """Node coerces the delay with ToNumber; anything outside [1, 2**31-1] is 1 ms."""
    import warnings
    loop, clock = vloop
    start = clock.time
    when: List[float] = []
    with warnings.catch_warnings():      # negative and NaN delays warn (tested elsewhere)
        warnings.simplefilter("ignore")
        net.set_timeout(lambda: when.append(clock.time - start), delay)
    loop.run_until_idle()
    assert math.isclose(when[0] * 1000, expected_ms)


def test_delay_overflow_warns_and_uses_one_ms(vloop: Any) -> None:
    """A delay over 2**31-1 gives TimeoutOverflowWarning and 1 ms (test-timers-max-duration-warning)."""
    loop, clock = vloop
    with pytest.warns(timers.TimeoutOverflowWarning, match="does not fit into a 32-bit"):
        t = net.set_timeout(lambda: None, 2**31)
    assert t._delay == 1
    loop.run_until_idle()


# the texts node v20 printed (process.on('warning')) for setTimeout(fn, Infinity)
# and setTimeout(fn, 2 ** 31)
@pytest.mark.parametrize("delay, shown", [(float("inf"), "Infinity"), (2**31, "2147483648")])
def test_overflow_warning_text(vloop: Any, delay: float, shown: str) -> None:
    loop, _clock = vloop
    fired = Calls()
    with pytest.warns(timers.TimeoutOverflowWarning) as record:
        net.set_timeout(fired, delay)
    assert str(record[0].message) == (f"{shown} does not fit into a 32-bit signed integer.\n"
                                      "Timeout duration was set to 1.")
    loop.run_until_idle()
    assert fired.count == 1


def test_extra_arguments_are_passed(vloop: Any) -> None:
    """setTimeout/setImmediate pass their extra arguments to the callback."""
    loop, clock = vloop
    got = Calls()
    net.set_timeout(got, 1, "a", 2)
    net.set_immediate(got, "b", 3)
    loop.run_until_idle()
    assert sorted(got.calls) == [("a", 2), ("b", 3)]


@pytest.mark.parametrize("fn", [net.set_timeout, net.set_interval, net.set_immediate,
                                net.next_tick])
@pytest.mark.parametrize("bad", [None, 1, "x", {}])
def test_callback_must_be_callable(fn: Any, bad: Any) -> None:
    """A non-function callback is ERR_INVALID_ARG_TYPE (test-timers-throw-when-cb-not-function)."""
    with pytest.raises(NodeTypeError) as info:
        fn(bad)
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    assert str(info.value).startswith('The "callback" argument must be of type function.')


def test_clear_immediate(vloop: Any) -> None:
    """clearImmediate cancels a queued immediate; clearing twice is harmless."""
    loop, clock = vloop
    fired = Calls()
    imm = net.set_immediate(fired)
    net.clear_immediate(imm)
    net.clear_immediate(imm)
    net.clear_immediate(None)
    loop.run_until_idle()
    assert fired.count == 0
    assert loop._immediate_refs == 0


def test_unref_immediate_does_not_keep_run_waiting() -> None:
    """An unref'd immediate does not hold run(); a ref'd one does, and runs."""
    out: List[str] = []

    def main() -> None:
        imm = net.set_immediate(out.append, "ref")
        assert imm.has_ref()
        imm.unref().ref()

    run(main)
    assert out == ["ref"]
    assert net.get_loop()._immediate_refs == 0


def test_immediate_methods_from_another_thread() -> None:
    # Node has one thread; here an Immediate's unref()/ref() and clear_immediate
    # from a foreign thread are handed to the loop in call order. The loop thread
    # waits for that thread, so everything is queued before any of it runs.
    out: List[str] = []
    seen: List[bool] = []

    def foreign() -> None:
        cleared = net.set_immediate(out.append, "cleared")
        seen.append(cleared.unref() is cleared and cleared.ref() is cleared
                    and cleared.has_ref())
        net.clear_immediate(cleared)
        net.set_immediate(out.append, "kept").unref().ref()

    def main() -> None:
        worker = threading.Thread(target=foreign)
        worker.start()
        worker.join(5)

    run(main)
    assert seen == [True]
    assert out == ["kept"]


def test_immediate_unref_then_cleared_keeps_counts_right(vloop: Any) -> None:
    """ref counting of immediates survives unref/ref/clear in any order."""
    loop, clock = vloop
    a = net.set_immediate(lambda: None).unref()
    b = net.set_immediate(lambda: None)
    net.clear_immediate(b)
    a.ref().unref()
    assert loop._immediate_refs == 0
    loop.run_until_idle()


def test_reprs(vloop: Any) -> None:
    loop, _clock = vloop
    t = net.set_timeout(lambda: None, 5)
    i = net.set_interval(lambda: None, 2.5).unref()
    imm = net.set_immediate(lambda: None).unref()
    assert (repr(t), repr(i), repr(imm)) == ("<Timeout 5ms ref>", "<Interval 2.5ms unref>",
                                             "<Immediate unref>")
    net.clear_timeout(t)
    net.clear_interval(i)
    net.clear_immediate(imm)
    loop.run_until_idle()


def test_many_timers_and_lazy_cancel_compaction(vloop: Any) -> None:
    """Cancelling most of many timers compacts the heap and keeps order."""
    loop, clock = vloop
    out: List[int] = []
    handles = [net.set_timeout(out.append, 1 + i % 7, i) for i in range(500)]
    for h in handles[:400]:
        net.clear_timeout(h)
    assert len(loop._timers) < 500   # compacted at least once
    loop.run_until_idle()
    expected = sorted(range(400, 500), key=lambda i: (1 + i % 7, i))
    assert out == expected


def test_warning_filter_is_clean() -> None:
    """Normal timers never warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run(lambda: net.set_timeout(lambda: None, 1))
