"""The loop itself: phases, the thread-safe entry, uncaught exceptions, teardown."""

from __future__ import annotations

import selectors
import socket
import threading
from typing import Any, List, Tuple

import pytest

import nodenet as net
from nodenet import _selector
from nodenet._loop import EVENT_READ, CallbackWatcher as IOWatcher, LoopStopped, _SyncCall
from support import Calls, run, wait_for


# --------------------------------------------------------------------- threads


def test_eight_threads_posting_ten_thousand_calls_each() -> None:
    """Every call from every thread runs on the loop thread, per-thread order kept,
    none lost (SPEC §1.3)."""
    threads_n, calls_n = 8, 10_000
    seen: List[Tuple[int, int, bool]] = []
    done = threading.Event()
    remaining = [threads_n * calls_n]

    def record(tid: int, i: int) -> None:
        seen.append((tid, i, net.get_loop().in_loop_thread()))
        remaining[0] -= 1
        if remaining[0] == 0:
            done.set()

    def worker(tid: int) -> None:
        for i in range(calls_n):
            net.set_immediate(record, tid, i)

    workers = [threading.Thread(target=worker, args=(t,)) for t in range(threads_n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert done.wait(30), f"{remaining[0]} calls never ran"
    assert len(seen) == threads_n * calls_n
    assert all(on_loop for _, _, on_loop in seen)
    per_thread: dict = {}
    for tid, i, _ in seen:
        per_thread.setdefault(tid, []).append(i)
    for tid in range(threads_n):
        assert per_thread[tid] == list(range(calls_n))


def test_mixed_calls_from_one_thread_keep_call_order() -> None:
    """next_tick, set_immediate and emitter calls from one thread apply in call order."""
    out: List[str] = []
    emitter = net.EventEmitter()
    emitter._loop = net.get_loop()         # loop-bound, as Socket and Server are
    emitter.on("x", lambda: out.append("listener"))
    net.next_tick(out.append, "tick")
    emitter.emit("x")                       # waits for the loop: runs after the tick
    net.set_immediate(out.append, "immediate")
    run()
    assert out == ["tick", "listener", "immediate"]


def test_call_returns_result_and_raises_in_caller() -> None:
    """Loop.call hops to the loop thread and back, with the result or the exception."""
    loop = net.get_loop()
    assert loop.call(lambda a, b: a + b, 2, 3) == 5
    assert loop.call(lambda: loop.in_loop_thread()) is True
    with pytest.raises(ZeroDivisionError):
        loop.call(lambda: 1 / 0)
    # the exception went back to the caller: the loop is not stopped
    assert loop.call(lambda: "still running") == "still running"


def test_call_on_loop_thread_runs_inline() -> None:
    """A call made on the loop thread does not hop (it returns immediately)."""
    order: List[str] = []

    def main() -> None:
        order.append("before")
        net.get_loop().call(order.append, "inline")
        order.append("after")

    run(main)
    assert order == ["before", "inline", "after"]


def test_loop_thread_exits_when_empty_and_restarts() -> None:
    """With nothing left, the loop thread ends; new work starts it again."""
    loop = net.get_loop()
    run(lambda: net.set_timeout(lambda: None, 1))
    wait_for(lambda: loop._thread is None, what="loop thread exit")
    got = Calls()
    net.set_immediate(got)
    got.wait()
    assert loop.call(lambda: 42) == 42


def test_run_from_loop_thread_is_refused() -> None:
    """run() inside a callback would deadlock, so it raises."""
    errors: List[BaseException] = []

    def main() -> None:
        try:
            net.run()
        except RuntimeError as exc:
            errors.append(exc)

    run(main)
    assert len(errors) == 1


# --------------------------------------------------------------------- phases


def test_phase_order_in_one_turn(vloop: Any) -> None:
    """libuv's uv_run (>= 1.45), as docs/loop.md draws it: due timers once before
    the first iteration; then each iteration runs pending -> poll -> check ->
    closing -> timers, and the liveness check follows the timers."""
    loop, clock = vloop
    events: List[str] = []
    loop.tracer = lambda event, detail: events.append(detail if event == "phase" else event)
    loop.defer(lambda: None)
    loop.add_closing(lambda: None)
    net.set_immediate(lambda: None)
    net.set_timeout(lambda: None, 0)      # due before the first iteration
    net.set_timeout(lambda: None, 5)      # due after the first poll that waits
    clock.advance(0.002)
    loop.run_until_idle()
    assert events == ["timers",
                      "turn", "pending", "poll", "check", "closing",
                      "turn", "poll", "timers"]


def test_script_runs_before_the_first_iteration() -> None:
    """run(main): main() and its ticks, then the due timers, then the first turn."""
    from nodenet._observe import PhaseTracer
    loop = net.get_loop()
    tracer = PhaseTracer(record_only=True)
    loop.tracer = tracer                  # no loop thread yet: set it directly

    def main() -> None:
        tracer.note("main")
        net.next_tick(tracer.callback("tick"))
        net.set_immediate(tracer.callback("immediate"))

    run(main)
    assert tracer.lines[:3] == ["  script", "main", "    -> tick"]
    assert tracer.lines[3].startswith("turn 1 at ")
    assert tracer.lines[4:7] == ["  poll (may block 0 ms)", "  check", "    -> immediate"]


def test_phase_tracer_transcript(vloop: Any) -> None:
    """PhaseTracer (the demo's and docs/loop.md's transcript) records turns, the
    poll's timeout and the phases that had work, with times from its origin."""
    from nodenet._observe import PhaseTracer

    loop, clock = vloop
    tracer = PhaseTracer(clock_origin=loop.clock(), record_only=True)
    loop.tracer = tracer
    net.set_timeout(tracer.callback("timer"), 5)
    net.set_immediate(tracer.callback("immediate"))
    loop.run_until_idle()
    assert tracer.lines[:4] == ["turn 1 at 0 ms", "  poll (may block 0 ms)", "  check",
                                "    -> immediate"]
    assert tracer.lines[4:] == ["turn 2 at 0 ms", "  poll (may block 5 ms)", "  timers",
                                "    -> timer"]
    tracer("poll", None)
    assert tracer.lines[-1] == "  poll (may block forever)"


def test_poll_timeout_rules(vloop: Any) -> None:
    """Poll blocks until the next timer; never when immediates are waiting."""
    loop, clock = vloop
    net.set_timeout(lambda: net.set_immediate(lambda: None), 50)
    loop.run_until_idle()
    polls = loop._poller.selector.polls
    assert polls[0] == pytest.approx(0.050)
    assert 0 in polls[1:]


def test_io_watcher_start_stop_close() -> None:
    """A watcher's callback runs while interest is on, and not after io_stop/io_close."""
    loop = net.get_loop()
    a, b = socket.socketpair()
    a.setblocking(False)
    got = Calls(lambda: a.recv(100))
    watcher = IOWatcher(a.fileno(), got)
    holder = _FakeHandle()              # keeps the loop thread from exiting
    try:
        loop.call(loop.add_handle, holder)
        loop.call(loop.io_start, watcher, EVENT_READ)
        b.send(b"x")
        got.wait()
        loop.call(loop.io_stop, watcher, EVENT_READ)
        b.send(b"y")
        assert loop.call(lambda: watcher.events) == 0
        loop.call(loop.io_close, watcher)
        assert watcher.closed
        assert got.count == 1
        loop.call(loop.remove_handle, holder)
    finally:
        a.close()
        b.close()


# --------------------------------------------------------------------- uncaught


@pytest.mark.parametrize("phase", ["timer", "pending", "poll", "check", "closing", "tick"])
def test_uncaught_exception_from_every_phase_reaches_process(phase: str) -> None:
    """An exception escaping any callback goes to 'uncaughtException' (SPEC §1.5)."""
    caught = Calls()
    net.process.on("uncaughtException", caught)
    err = ValueError(phase)

    def boom() -> None:
        raise err

    def main() -> None:
        loop = net.get_loop()
        if phase == "timer":
            net.set_timeout(boom, 1)
        elif phase == "pending":
            loop.defer(boom)
        elif phase == "poll":
            boom()
        elif phase == "check":
            net.set_immediate(boom)
        elif phase == "closing":
            loop.add_closing(boom)
        else:
            net.next_tick(boom)

    run(main)
    assert caught.calls == [(err, "uncaughtException")]


def test_monitor_sees_error_before_handler() -> None:
    """'uncaughtExceptionMonitor' runs before 'uncaughtException'."""
    order: List[str] = []
    net.process.on("uncaughtExceptionMonitor", lambda e, o: order.append("monitor"))
    net.process.on("uncaughtException", lambda e, o: order.append("handler"))
    run(lambda: net.set_immediate(lambda: 1 / 0))
    assert order == ["monitor", "handler"]


def test_fatal_error_is_raised_from_run_and_stops_loop() -> None:
    """With no listener an uncaught exception is fatal: run() re-raises it, the
    loop stops, later timers never fire, later posts are refused."""
    never = Calls()

    def main() -> None:
        net.set_timeout(never, 50)
        net.set_immediate(lambda: (_ for _ in ()).throw(KeyError("fatal")))

    loop = net.get_loop()
    with pytest.raises(KeyError):
        run(main)
    loop.join(5)
    assert loop.stopped and never.count == 0
    with pytest.raises(LoopStopped):
        loop.post(lambda: None)
    assert net.get_loop() is not loop     # a fresh default loop replaces it
    assert net.process.exit_code is None  # delivered to run(): no forced exit


def test_fatal_error_without_run_sets_exit_code(capsys: Any) -> None:
    """Not delivered to any run(): traceback on stderr and process.exit_code = 1."""
    loop = net.get_loop()
    net.set_immediate(lambda: 1 / 0)
    wait_for(lambda: loop.stopped, what="fatal stop")
    loop.join(5)
    assert net.process.exit_code == 1
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_throwing_uncaught_handler_is_fatal() -> None:
    """An error thrown by the 'uncaughtException' handler itself is fatal."""
    def handler(err: BaseException, origin: str) -> None:
        raise RuntimeError("handler broke")

    net.process.on("uncaughtException", handler)
    with pytest.raises(RuntimeError, match="handler broke"):
        run(lambda: net.set_immediate(lambda: 1 / 0))


def test_system_exit_in_callback_ends_run() -> None:
    """sys.exit() in a listener acts like process.exit(): run() raises SystemExit."""
    import sys
    with pytest.raises(SystemExit) as info:
        run(lambda: net.set_timeout(lambda: sys.exit(4), 1))
    assert info.value.code == 4


class _FakeHandle:
    def __init__(self) -> None:
        self.torn_down = 0

    def _loop_teardown(self) -> None:
        self.torn_down += 1


def test_fatal_teardown_closes_handles_and_fails_waiting_calls() -> None:
    """A fatal stop tears down every registered handle; queued sync calls fail."""
    loop = net.get_loop()
    handle = _FakeHandle()
    results: List[Any] = []
    gate = threading.Event()

    def main() -> None:
        loop.add_handle(handle)
        loop.ref()                       # keep run() waiting

        def blocker() -> None:
            # the call is posted while the loop thread is busy here, so it is
            # still queued when the fatal error stops the loop
            threading.Thread(target=start_caller).start()
            gate.wait(5)
            raise OSError("fatal")

        net.set_immediate(blocker)

    def caller() -> None:
        try:
            loop.call(lambda: "ran")
        except LoopStopped as exc:
            results.append(exc)
        else:
            results.append("ran")

    waiter_thread = threading.Thread(target=caller)

    def start_caller() -> None:
        waiter_thread.start()
        wait_for(lambda: any(isinstance(fn, _SyncCall) for fn, _ in list(loop._posted)),
                 what="queued call")
        gate.set()

    with pytest.raises(OSError, match="fatal"):
        run(main)
    waiter_thread.join(5)
    assert handle.torn_down == 1
    assert len(results) == 1 and isinstance(results[0], LoopStopped)


def test_close_stops_a_running_loop_and_frees_fds() -> None:
    """Loop.close() stops the thread, tears down handles and closes its own fds."""
    loop = net.Loop()
    handle = _FakeHandle()
    loop.call(loop.add_handle, handle)
    loop.call(loop.ref)
    loop.close()
    assert handle.torn_down == 1
    assert loop.closed and loop.join(1)
    with pytest.raises(LoopStopped):
        loop.post(lambda: None)


def test_stop_from_loop_thread() -> None:
    """stop() inside a callback ends run() without an error."""
    never = Calls()

    def main() -> None:
        net.set_timeout(never, 1000)
        net.get_loop().stop()

    run(main)
    assert never.count == 0


# --------------------------------------------------------------------- selector


def test_selector_fallback_when_default_cannot_be_built(monkeypatch: Any) -> None:
    """If epoll (or the default) is refused, the next selector that works is used."""
    def refused() -> selectors.BaseSelector:
        raise OSError("epoll_create1: operation not permitted")

    monkeypatch.setattr(_selector, "_candidates", lambda: [refused, selectors.SelectSelector])
    sel = _selector.make_selector()
    try:
        assert isinstance(sel, selectors.SelectSelector)
    finally:
        sel.close()


def test_no_selector_at_all_raises(monkeypatch: Any) -> None:
    def refused() -> selectors.BaseSelector:
        raise OSError("no")

    monkeypatch.setattr(_selector, "_candidates", lambda: [refused])
    with pytest.raises(OSError, match="no usable selector"):
        _selector.make_selector()


def test_injected_selector_instance_and_factory() -> None:
    """Loop(selector=...) takes an instance or a factory."""
    for spec in (selectors.SelectSelector(), selectors.PollSelector):
        loop = net.Loop(selector=spec)  # type: ignore[arg-type]
        try:
            assert loop.call(lambda: "ok") == "ok"
        finally:
            loop.close()


def test_manual_loop_refuses_other_threads_driving() -> None:
    """A manual loop is driven by its creating thread only."""
    loop = net.Loop(manual=True)
    errors: List[BaseException] = []

    def other() -> None:
        try:
            loop.run_until_idle()
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=other)
    t.start()
    t.join(5)
    loop.close()
    assert len(errors) == 1


def test_threaded_loop_can_be_driven_manually_when_idle() -> None:
    """run_until_idle() works on a threaded loop that no thread drives."""
    loop = net.Loop()
    out: List[int] = []
    loop.defer(out.append, 1)
    loop.run_until_idle()
    loop.close()
    assert out == [1]


def test_fatal_in_manual_drive_is_raised() -> None:
    """run_until_idle() re-raises a fatal error."""
    loop = net.Loop(manual=True)
    loop.defer(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        loop.run_until_idle()
    loop.close()
    net.process._exit_code = None


def test_native_immediates_run_first_in_the_check_phase() -> None:
    """``Loop.native_immediate`` (Node's C++ SetImmediate): at the start of the
    next check phase, before JavaScript immediates queued earlier, all of them,
    those they queue too; next_tick callbacks run once after the last of them
    (so a native immediate queued by a tick waits for the next check phase, as
    one queued by a JavaScript immediate). It alone keeps the loop alive."""
    log: List[str] = []

    def main() -> None:
        loop = net.get_loop()
        net.set_immediate(lambda: (log.append("js 1"),
                                   loop.native_immediate(log.append, "native 3")))
        loop.native_immediate(lambda: (log.append("native 1"),
                                       loop.native_immediate(log.append, "native 2"),
                                       net.next_tick(tick)))
        net.set_immediate(log.append, "js 2")

    def tick() -> None:
        log.append("tick")
        net.get_loop().native_immediate(log.append, "native 4")

    run(main, 5)
    assert log == ["native 1", "native 2", "tick", "js 1", "js 2", "native 4", "native 3"]
