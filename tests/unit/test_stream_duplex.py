"""nodenet.stream.Duplex and Readable.pipe() against Node v20's own stream tests.

Each test is a port of the behaviour checked by one of Node's
``test/parallel/test-stream*.js`` files (named in its docstring), or of a rule
of ``lib/internal/streams/{duplex,readable}.js`` when no single Node test covers
it. Every expected value below was printed by the same scenario written in
JavaScript and run under Node v20.20 (see ``test_stream_readable`` for the
method).
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional

import pytest

import nodenet as net
from nodenet.events import EventEmitter
from streamkit import OptDuplex, OptReadable, OptWritable, code_of, noop, recorder
from support import run

Cb = Callable[..., Any]


def trace(scenario: Callable[[List[Any]], None]) -> List[Any]:
    """Run ``scenario(log)`` on the loop until it is idle; return the log."""
    log: List[Any] = []
    run(lambda: scenario(log), 5)
    return log


def sync_write(chunk: bytes, cb: Cb) -> None:
    """``write(chunk, encoding, cb) { cb(); }``"""
    cb()


def text(chunk: Any) -> str:
    return bytes(chunk).decode("latin-1") if not isinstance(chunk, str) else chunk


# -- Duplex: sides disabled at construction ------------------------------------------


def test_push_to_a_duplex_that_is_not_readable() -> None:
    """Ported from test-stream-duplex-readable-writable.js (readable: false)."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(readable=False, write=sync_write)
        log.append((d.readable, d.readable_ended, d.writable))
        recorder(log, d, "data", "end", "error", "close")
        d.push("asd")

    assert trace(scenario) == [
        (False, True, True), ("error", "ERR_STREAM_PUSH_AFTER_EOF"), "close"]


def test_write_to_a_duplex_that_is_not_writable() -> None:
    """Ported from test-stream-duplex-readable-writable.js (writable: false)."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(writable=False, read=noop, write=lambda c, cb: log.append("write?"))
        log.append((d.writable, d.writable_ended, d.writable_finished, d.readable))
        recorder(log, d, "finish", "error", "close")
        d.write("asd")

    assert trace(scenario) == [
        (False, True, True, True), ("error", "ERR_STREAM_WRITE_AFTER_END"), "close"]


def test_end_on_a_duplex_that_is_not_writable() -> None:
    """writable.js rule: end(cb) on a side that was never writable is "already
    finished"."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(writable=False, read=noop)
        d.end(lambda err=None: log.append(("endcb", code_of(err))))

    assert trace(scenario) == [("endcb", "ERR_STREAM_ALREADY_FINISHED")]


def test_not_readable_duplex_closes_after_finish() -> None:
    """Ported from test-stream-auto-destroy.js: with the readable side disabled,
    'finish' alone completes the stream."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(readable=False, write=sync_write)
        recorder(log, d, "finish", "end", "close")
        d.end("x")

    assert trace(scenario) == ["finish", "close"]


def test_not_writable_duplex_closes_after_end() -> None:
    """Ported from test-stream-auto-destroy.js: with the writable side disabled,
    'end' alone completes the stream."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(writable=False, read=noop)
        recorder(log, d, "data", "end", "finish", "close")
        d.push("x")
        d.push(None)

    assert trace(scenario) == [("data", "b:x"), "end", "close"]


def test_not_readable_duplex_is_never_aborted() -> None:
    """Ported from test-stream-readable-aborted.js (Duplex with readable: false)."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(readable=False, write=noop)
        d.destroy()
        log.append(d.readable_aborted)

    assert trace(scenario) == [False]


# -- Duplex: half-open and auto-destroy ----------------------------------------------------


def test_allow_half_open_false_ends_the_writable_side() -> None:
    """Ported from test-stream-duplex-end.js: without half-open, 'end' ends the
    writable side on the next tick."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(allow_half_open=False, read=noop, write=sync_write)
        recorder(log, d, "data", "end", "prefinish", "finish", "close")
        d.push("x")
        d.push(None)
        log.append(d.writable_ended)

    assert trace(scenario) == [False, ("data", "b:x"), "end", "prefinish", "finish", "close"]


def test_allow_half_open_false_when_already_ending() -> None:
    """readable.js rule (endWritableNT): no second end() when the user already ended."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(allow_half_open=False, read=noop,
                      write=lambda c, cb: net.set_immediate(cb))
        recorder(log, d, "end", "finish", "close")
        d.write("a")
        d.push(None)
        d.resume()
        d.on("end", lambda: log.append(("in end", d.writable_ended)))

        def tick() -> None:
            log.append("tick")
            d.end()
        net.next_tick(tick)

    assert trace(scenario) == ["tick", "end", ("in end", True), "finish", "close"]


def test_allow_half_open_false_destroyed_in_end() -> None:
    """readable.js rule (endWritableNT skips a destroyed stream)."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(allow_half_open=False, read=noop, write=sync_write)
        recorder(log, d, "end", "finish", "close")
        d.on("end", d.destroy)
        d.push(None)
        d.resume()

    assert trace(scenario) == ["end", "close"]


def test_half_open_duplex_stays_writable_after_end() -> None:
    """Ported from test-stream-duplex-end.js (allowHalfOpen default)."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(read=noop, write=sync_write)
        recorder(log, d, "end", "finish", "close")
        d.push(None)
        d.resume()

        def later() -> None:
            log.append(("open", d.writable, d.destroyed))
            d.end()
        net.set_immediate(later)

    assert trace(scenario) == ["end", ("open", True, False), "finish", "close"]


def test_duplex_closes_once_both_sides_are_done() -> None:
    """Ported from test-stream-auto-destroy.js (Transform case, both sides)."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(read=noop, write=sync_write)
        recorder(log, d, "end", "finish", "close")
        d.end("a")

        def later() -> None:
            log.append(("finished", d.destroyed))
            d.push(None)
            d.resume()
        net.set_immediate(later)

    assert trace(scenario) == ["finish", ("finished", False), "end", "close"]


def test_duplex_without_auto_destroy_stays_open() -> None:
    """Ported from test-stream-auto-destroy.js (autoDestroy: false)."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(read=noop, write=sync_write, auto_destroy=False)
        recorder(log, d, "end", "finish", "close")
        d.end("a")
        d.push(None)
        d.resume()
        net.set_immediate(lambda: log.append(d.destroyed))

    assert trace(scenario) == ["finish", "end", False]


# -- Duplex: destroy, errors and properties ---------------------------------------------


def test_destroy_duplex_with_error() -> None:
    """Ported from test-stream-duplex-destroy.js: both sides destroyed, no 'end' or
    'finish'."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(read=noop, write=sync_write)
        d.resume()
        recorder(log, d, "end", "finish", "error", "close")
        err = RuntimeError("kaboom")
        d.destroy(err)
        log.append((d.destroyed, d.errored is err, d.readable, d.writable,
                    d.readable_aborted, d.closed))

    assert trace(scenario) == [
        (True, True, False, False, True, True), ("error", "kaboom"), "close"]


def test_write_error_errors_the_readable_side_too() -> None:
    """writable.js rule (onwrite): a write error marks the readable side errored, so
    it takes no more pushes."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(read=noop, write=lambda c, cb: cb(RuntimeError("werr")),
                      auto_destroy=False)
        recorder(log, d, "error")
        d.write("x")
        r_err = d._readable_state.errored
        log.append((str(d.errored), str(r_err)))
        d.push("x")
        log.append(d.readable_length)

    assert trace(scenario) == [("werr", "werr"), 0, ("error", "werr")]


def test_push_error_errors_both_sides() -> None:
    """destroy.js rule (errorOrDestroy without autoDestroy marks both sides)."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(read=noop, write=sync_write, auto_destroy=False)
        d.on("error", noop)
        d.push(5)
        log.append((code_of(d.errored), code_of(d._writable_state.errored)))

    assert trace(scenario) == [("ERR_INVALID_ARG_TYPE", "ERR_INVALID_ARG_TYPE")]


def test_duplex_high_water_marks_and_half_open() -> None:
    """Ported from test-stream-duplex-props.js."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(readable_high_water_mark=3, writable_high_water_mark=7, read=noop,
                      write=sync_write)
        log.append((d.readable_high_water_mark, d.writable_high_water_mark,
                    d.allow_half_open))
        log.append(OptDuplex(allow_half_open=False).allow_half_open)

    assert trace(scenario) == [(3, 7, True), False]


def test_duplex_writable_finished() -> None:
    """Ported from test-stream-duplex-writable-finished.js."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(read=noop, write=sync_write)
        log.append(d.writable_finished)
        d.on("finish", lambda: log.append(("finish", d.writable_finished)))
        d.end("asd", lambda err=None: log.append(("endcb", d.writable_finished)))

    assert trace(scenario) == [False, ("endcb", True), ("finish", True)]


# -- pipe ------------------------------------------------------------------------------


def test_pipe_to_several_destinations_then_unpipe_each() -> None:
    """Ported from test-stream-pipe-multiple-pipes.js: every destination gets the
    chunk once and 'pipe'/'unpipe'; data pushed after unpiping goes nowhere."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        ws = []
        for i in range(3):
            def write(c: bytes, cb: Cb, i: int = i) -> None:
                log.append((f"w{i}", text(c)))
                cb()
            w = OptWritable(write=write)
            w.on("pipe", lambda src, i=i: log.append((f"pipe{i}", src is r)))
            log.append(r.pipe(w) is w)
            ws.append(w)
        r.push("12345")

        def later() -> None:
            for i, w in enumerate(ws):
                w.on("unpipe", lambda src, *_, i=i: log.append((f"unpipe{i}", src is r)))
                r.unpipe(w)
            r.push("else")
            r.push(None)
            r.resume()
        net.next_tick(later)
        r.on("end", lambda: log.append("end"))

    assert trace(scenario) == [
        ("pipe0", True), True, ("pipe1", True), True, ("pipe2", True), True,
        ("w0", "12345"), ("w1", "12345"), ("w2", "12345"),
        ("unpipe0", True), ("unpipe1", True), ("unpipe2", True), "end"]


def test_unpipe_in_any_order_and_unknown_destinations() -> None:
    """Ported from test-stream-pipe-unpipe-streams.js: unpipe in reverse order; unpipe
    of a destination that is not piped (or with no pipes) does nothing; the last
    unpipe pauses the source and removes its listeners."""
    def scenario(log: List[Any]) -> None:
        src = OptReadable(read=noop)
        d1, d2, d3 = (OptWritable(write=noop) for _ in range(3))
        log.append((src.unpipe() is src, src.unpipe(d1) is src))
        src.pipe(d1)
        src.pipe(d2)
        d1.on("unpipe", lambda *_: log.append("unpipe1"))
        d2.on("unpipe", lambda *_: log.append("unpipe2"))
        d3.on("unpipe", lambda *_: log.append("unpipe3"))
        src.unpipe(d2)
        log.append(src.readable_flowing)
        src.unpipe(d2)
        src.unpipe(d3)
        src.unpipe(d1)
        log.append((src.readable_flowing, src.listener_count("data"),
                    src.listener_count("end")))

    assert trace(scenario) == [(True, True), "unpipe2", True, "unpipe1", (False, 0, 0)]


def test_unpipe_all_removes_every_pipe_listener() -> None:
    """Ported from test-stream-pipe-unpipe-streams.js (cleanup when unpiping all)."""
    def scenario(log: List[Any]) -> None:
        src = OptReadable(read=noop)
        def watch(i: int) -> None:
            d = OptWritable(write=noop)
            src.pipe(d)

            def check(*_: Any) -> None:
                d.remove_listener("unpipe", check)
                log.append((f"unpipe{i}", [d.listener_count(e) for e in (
                    "close", "finish", "drain", "error", "unpipe")]))
            d.on("unpipe", check)
        watch(0)
        watch(1)
        src.unpipe()
        log.append((src.readable_flowing, src.listener_count("end"),
                    src.listener_count("data")))

    assert trace(scenario) == [
        ("unpipe0", [0, 0, 0, 0, 0]), ("unpipe1", [0, 0, 0, 0, 0]), (False, 0, 0)]


def test_unpipe_inside_resume_pauses() -> None:
    """Ported from test-stream-pipe-unpipe-streams.js (unpipe from a 'resume' handler)."""
    def scenario(log: List[Any]) -> None:
        src = OptReadable(read=noop)
        dst = OptWritable(write=noop)
        src.pipe(dst)

        def on_resume() -> None:
            log.append("resume")
            src.on("pause", lambda: log.append("pause"))
            src.unpipe(dst)
        src.on("resume", on_resume)

    assert trace(scenario) == ["resume", "pause"]


def test_pipe_after_end_still_ends_the_destination() -> None:
    """Ported from test-stream-pipe-after-end.js."""
    def scenario(log: List[Any]) -> None:
        def read(n: int) -> None:
            log.append("_read")
            piper.push(None)
        piper = OptReadable(read=read)
        log.append(piper.read())

        def later() -> None:
            log.append(piper.readable_ended)
            w = OptWritable(write=sync_write)
            w.on("finish", lambda: log.append("finish"))
            piper.pipe(w)
        net.set_timeout(later, 1)

    assert trace(scenario) == ["_read", None, True, "finish"]


def test_pipe_after_end_with_end_false_just_unpipes() -> None:
    """readable.js rule (pipe of an ended source with {end: false}: unpipe only)."""
    def scenario(log: List[Any]) -> None:
        piper = OptReadable(read=lambda n: piper.push(None))
        piper.resume()

        def on_end() -> None:
            w = OptWritable(write=sync_write)
            w.on("finish", lambda: log.append("finish"))
            w.on("unpipe", lambda *_: log.append(("unpipe", w.writable_ended)))
            piper.pipe(w, end=False)
        piper.on("end", on_end)

    assert trace(scenario) == [("unpipe", False)]


def test_pipe_into_a_destination_that_needs_drain_waits() -> None:
    """Ported from test-stream-pipe-needDrain.js: the source is paused until the
    destination drains ('pause' twice)."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda b, cb: net.next_tick(cb), high_water_mark=1)
        while w.write("asd"):
            pass
        log.append(w.writable_need_drain)

        def read(n: int) -> None:
            r.push("asd")
            r.push(None)
        r = OptReadable(read=read)
        r.on("pause", lambda: log.append("pause"))
        r.on("end", lambda: log.append("end"))
        w.on("drain", lambda: log.append("drain"))
        r.pipe(w)

    assert trace(scenario) == [True, "pause", "drain", "pause", "end"]


def test_pipe_from_an_already_flowing_source() -> None:
    """Ported from test-stream-pipe-flow.js: pipe() does not resume a flowing source
    again; the next chunk goes to both the 'data' listener and the destination."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.on("data", lambda c: log.append(("data", text(c))))
        r.on("resume", lambda: log.append("resume"))

        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", text(c)))
            cb()
        w = OptWritable(write=write)

        def later() -> None:
            log.append(("flowing", r.readable_flowing))
            r.pipe(w)
            r.push("a")
        net.next_tick(later)

    assert trace(scenario) == ["resume", ("flowing", True), ("data", "a"), ("write", "a")]


def test_pipe_backpressure_with_one_destination() -> None:
    """Ported from test-stream-pipe-await-drain.js (one writer): False from write()
    pauses the source until 'drain'."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", text(c)))
            net.set_immediate(cb)
        w = OptWritable(write=write, high_water_mark=2)
        r.on("pause", lambda: log.append("pause"))
        r.on("resume", lambda: log.append("resume"))
        w.on("drain", lambda: log.append("drain"))
        r.pipe(w)
        r.push("abc")
        r.push("d")
        r.push(None)
        w.on("finish", lambda: log.append("finish"))

    # Node 26 (checked with 26.12): the source is destroyed after 'end', so the
    # unpipe on 'finish' pauses nothing; Node 20 emitted a last 'pause' there
    assert trace(scenario) == [
        "resume", ("write", "abc"), "pause", "drain", "resume", ("write", "d"), "finish"]


def test_pipe_backpressure_waits_for_every_destination() -> None:
    """Ported from test-stream-pipe-await-drain.js (several writers): the source
    resumes only after all the destinations that said False drained."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def mk(name: str) -> Any:
            def write(c: bytes, cb: Cb) -> None:
                log.append((name, text(c)))
                net.set_immediate(cb)
            w = OptWritable(write=write, high_water_mark=2)
            w.on("drain", lambda: log.append(("drain", name)))
            w.on("finish", lambda: log.append(("finish", name)))
            return w
        w1, w2 = mk("w1"), mk("w2")
        r.on("pause", lambda: log.append("pause"))
        r.on("resume", lambda: log.append("resume"))
        r.pipe(w1)
        r.pipe(w2)
        r.push("abc")
        r.push("d")
        r.push(None)

    # Node 26: no last 'pause' from the destroyed source (Node 20 had one)
    assert trace(scenario) == [
        "resume", ("w1", "abc"), "pause", ("w2", "abc"), ("drain", "w1"), ("drain", "w2"),
        "resume", ("w1", "d"), ("w2", "d"), ("finish", "w1"), ("finish", "w2")]


def test_pipe_backpressure_from_one_slow_destination() -> None:
    """Ported from test-stream-pipe-await-drain-push-while-write.js's setting: a fast
    and a slow destination; only the slow one holds the source."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def fast_write(c: bytes, cb: Cb) -> None:
            log.append(("fast", text(c)))
            cb()

        def slow_write(c: bytes, cb: Cb) -> None:
            log.append(("slow", text(c)))
            net.set_timeout(cb, 2)
        fast = OptWritable(write=fast_write)
        slow = OptWritable(write=slow_write, high_water_mark=1)
        slow.on("drain", lambda: log.append("drain slow"))
        r.on("pause", lambda: log.append("pause"))
        r.pipe(fast)
        r.pipe(slow)
        r.push("ab")

        def later() -> None:
            r.push("cd")
            r.push(None)
        net.set_timeout(later, 20)
        r.on("end", lambda: log.append("end"))

    # Node 26: no last 'pause' from the destroyed source (Node 20 had one)
    assert trace(scenario) == [
        ("fast", "ab"), ("slow", "ab"), "pause", "drain slow", ("fast", "cd"), ("slow", "cd"),
        "pause", "drain slow", "end"]


def test_unpipe_of_the_destination_awaited_for_drain() -> None:
    """Ported from test-stream-pipe-cleanup-pause.js: unpiping the writer the source
    waits on, then piping to another, lets data flow again."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def w1_write(c: bytes, cb: Cb) -> None:
            log.append(("w1", text(c)))
            net.set_timeout(cb, 5)

        def w2_write(c: bytes, cb: Cb) -> None:
            log.append(("w2", text(c)))
            cb()
        w1 = OptWritable(write=w1_write, high_water_mark=1)
        w2 = OptWritable(write=w2_write)
        r.on("pause", lambda: log.append("pause"))
        r.on("resume", lambda: log.append("resume"))
        r.pipe(w1)
        r.push("ab")

        def later() -> None:
            log.append(("flowing", r.readable_flowing))
            r.unpipe(w1)
            r.pipe(w2)
            r.push("cd")
        net.set_immediate(later)

    assert trace(scenario) == [
        "resume", ("w1", "ab"), "pause", ("flowing", False), ("w2", "cd"), "resume"]


def test_unpipe_one_of_two_awaited_destinations() -> None:
    """Ported from test-stream2-unpipe-drain.js: with two writers awaited, unpiping
    one counts as its 'drain'; the source resumes when the other drains."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def mk(name: str) -> Any:
            def write(c: bytes, cb: Cb) -> None:
                log.append((name, text(c)))
                net.set_timeout(cb, 5)
            return OptWritable(write=write, high_water_mark=1)
        w1, w2 = mk("w1"), mk("w2")
        r.on("pause", lambda: log.append("pause"))
        r.on("resume", lambda: log.append("resume"))
        r.on("data", noop)
        r.pipe(w1)
        r.pipe(w2)
        r.push("ab")

        def later() -> None:
            log.append(("flowing", r.readable_flowing))
            r.unpipe(w1)
            log.append(("after unpipe", r.readable_flowing))
            r.push("cd")
        net.set_immediate(later)

    assert trace(scenario) == [
        "resume", ("w1", "ab"), "pause", ("w2", "ab"), ("flowing", False),
        ("after unpipe", False), "resume", ("w2", "cd"), "pause", "resume"]


def test_destination_close_unpipes() -> None:
    """Ported from test-stream-pipe-cleanup.js ('close' on the destination unpipes)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        w = OptWritable(write=sync_write)
        w.on("unpipe", lambda *_: log.append(("unpipe", r.listener_count("data"))))
        w.on("close", lambda: log.append("close"))
        r.pipe(w)
        w.destroy()
        log.append(r.listener_count("data"))

    assert trace(scenario) == [1, "close", ("unpipe", 1)]


def test_destination_finish_unpipes() -> None:
    """Ported from test-stream-pipe-cleanup.js ('finish' on the destination unpipes
    and drops the 'close' handler)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        w = OptWritable(write=sync_write)
        w.on("unpipe", lambda *_: log.append(
            ("unpipe", r.listener_count("data"), w.listener_count("close"))))
        w.on("finish", lambda: log.append("finish"))
        r.pipe(w)
        w.end()

    assert trace(scenario) == ["finish", ("unpipe", 1, 0)]


def test_destination_destroyed_with_error_is_uncaught() -> None:
    """Ported from test-stream-pipe-error-unhandled.js: the pipe's own 'error' handler
    re-emits an error nobody else listens to, so it is uncaught."""
    def scenario(log: List[Any]) -> None:
        net.process.on("uncaughtException", lambda e, *_: log.append(("uncaught", str(e))))
        r = OptReadable(read=lambda n: r.push("asd"))
        w = OptWritable(write=noop)
        r.pipe(w)
        w.destroy(RuntimeError("asd"))

    assert trace(scenario) == [("uncaught", "asd")]


def test_error_emitted_on_destination_without_listeners_is_thrown() -> None:
    """Ported from test-stream-pipe-error-handling.js (autoDestroy false): an 'error'
    emitted directly on the destination, once the user's listener is gone, unpipes
    and is thrown from emit()."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, auto_destroy=False)
        w = OptWritable(write=noop, auto_destroy=False)

        def mine(e: BaseException) -> None:
            log.append("mine?")
        w.on("error", mine)
        r.pipe(w)
        w.remove_listener("error", mine)

        def later() -> None:
            try:
                w.emit("error", RuntimeError("fail"))
            except RuntimeError as exc:
                log.append(("thrown", str(exc)))
            log.append((len(r._readable_state.pipes), str(w.errored)))
        net.set_timeout(later, 1)

    assert trace(scenario) == [("thrown", "fail"), (0, "fail")]


def test_error_emitted_on_destination_with_a_listener() -> None:
    """Ported from test-stream-pipe-error-handling.js (the user's listener stays)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        w = OptWritable(write=noop)
        w.on("error", lambda e: log.append(("error", str(e))))
        r.pipe(w)
        w.remove_listener("error", lambda e: None)

        def later() -> None:
            w.emit("error", RuntimeError("fail"))
            log.append((len(r._readable_state.pipes), w.destroyed))
        net.set_timeout(later, 1)

    assert trace(scenario) == [("error", "fail"), (0, False)]


def test_error_emitted_on_auto_destroying_destination_destroys_it() -> None:
    """Ported from test-stream-auto-destroy.js (pipe into a Writable that emits
    'error' itself): the pipe handler destroys it with the error."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=lambda n: w.emit("error", RuntimeError("fail")))

        def destroy(err: Optional[BaseException], cb: Cb) -> None:
            log.append(("_destroy", str(err)))
            cb()
        w = OptWritable(destroy=destroy)
        w.on("close", lambda: log.append(("close", str(w.errored))))
        r.pipe(w)

    assert trace(scenario) == [("_destroy", "fail"), ("close", "fail")]


def test_pipe_carries_data_and_ends_the_destination() -> None:
    """Ported from test-stream2-basic.js (pipe): chunks in order, then 'end',
    'finish' and the destination's 'close'."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", text(c)))
            cb()
        w = OptWritable(write=write)
        w.on("finish", lambda: log.append("finish"))
        w.on("close", lambda: log.append("close"))
        r.on("end", lambda: log.append("end"))
        r.pipe(w)
        r.push("a")
        r.push("b")
        r.push(None)

    assert trace(scenario) == [("write", "a"), ("write", "b"), "end", "finish", "close"]


def test_pipe_with_end_false_leaves_the_destination_open() -> None:
    """Ported from test-stream2-basic.js (pipe with {end: false})."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", text(c)))
            cb()
        w = OptWritable(write=write)
        w.on("finish", lambda: log.append("finish"))
        w.on("unpipe", lambda *_: log.append("unpipe"))
        r.on("end", lambda: log.append(("end", w.writable_ended)))
        r.pipe(w, end=False)
        r.push("a")
        r.push(None)

    assert trace(scenario) == [("write", "a"), ("end", False), "unpipe"]


class PlainDest:
    """A pipe destination that is not a nodenet emitter: Node's ``new EventEmitter()``
    with ``write``/``end`` methods. pipe() must use its public listener API."""

    def __init__(self, write: Callable[[Any], bool], end: Callable[[], None]) -> None:
        self.ee = EventEmitter()
        self.write = write
        self.end = end

    def on(self, event: str, fn: Cb) -> "PlainDest":
        self.ee.on(event, fn)
        return self

    def once(self, event: str, fn: Cb) -> "PlainDest":
        self.ee.once(event, fn)
        return self

    def prepend_listener(self, event: str, fn: Cb) -> "PlainDest":
        self.ee.prepend_listener(event, fn)
        return self

    def remove_listener(self, event: str, fn: Cb) -> "PlainDest":
        self.ee.remove_listener(event, fn)
        return self

    def emit(self, event: str, *args: Any) -> bool:
        return self.ee.emit(event, *args)

    def listener_count(self, event: str) -> int:
        return self.ee.listener_count(event)


def test_pipe_into_a_plain_emitter() -> None:
    """Ported from test-stream-pipe-event.js / test-stream2-compatibility.js: any
    emitter with write()/end() is a destination; False from write() waits for its
    'drain'."""
    def scenario(log: List[Any]) -> None:
        full = [True]

        def write(c: Any) -> bool:
            log.append(("write", text(c)))
            full[0] = not full[0]
            return full[0]
        dest = PlainDest(write, lambda: log.append("dest end"))
        dest.on("pipe", lambda *_: log.append("pipe"))
        dest.on("unpipe", lambda *_: log.append("unpipe"))
        r = OptReadable(read=noop)
        r.on("pause", lambda: log.append("pause"))
        r.on("resume", lambda: log.append("resume"))
        r.pipe(dest)
        r.push("a")
        r.push("b")

        def later() -> None:
            log.append(("counts", dest.listener_count("drain"), dest.listener_count("error")))
            dest.emit("drain")
            r.push("c")
            r.push(None)
        net.set_immediate(later)

    assert trace(scenario) == [
        "pipe", "resume", ("write", "a"), "pause", ("counts", 1, 1), ("write", "b"),
        ("write", "c"), "pause", "resume", "dest end"]


def test_error_on_a_plain_emitter_destination_is_rethrown() -> None:
    """Ported from test-stream-pipe-error-handling.js (plain Stream destination): the
    pipe unpipes, removes its listeners and re-emits the error, which throws."""
    def scenario(log: List[Any]) -> None:
        dest = PlainDest(lambda c: True, noop)
        r = OptReadable(read=noop)
        r.pipe(dest)
        try:
            dest.emit("error", RuntimeError("boom"))
        except RuntimeError as exc:
            log.append(("thrown", str(exc)))
        log.append((len(r._readable_state.pipes), dest.listener_count("error"),
                    dest.listener_count("unpipe")))

    assert trace(scenario) == [("thrown", "boom"), (0, 0, 0)]


def test_user_end_in_a_tick_before_the_half_open_end() -> None:
    """readable.js rule (endWritableNT): when the user ends the writable side on a
    tick that runs first, the automatic end() is skipped (one 'finish')."""
    def scenario(log: List[Any]) -> None:
        d = OptDuplex(allow_half_open=False, read=noop, write=sync_write)
        recorder(log, d, "end", "prefinish", "finish", "close")

        def user_end() -> None:
            log.append("user end")
            d.end()
        d.on("end", lambda: net.next_tick(user_end))
        d.push(None)
        d.resume()

    assert trace(scenario) == ["end", "user end", "prefinish", "finish", "close"]


def test_undestroy_makes_a_duplex_usable_again() -> None:
    """destroy.js rule (undestroy resets both sides, errors included)."""
    def scenario(log: List[Any]) -> None:
        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", text(c)))
            cb()
        d = OptDuplex(read=noop, write=write)
        recorder(log, d, "end", "finish", "close")
        d.destroy(RuntimeError("x"))
        d.on("error", lambda e: log.append("error"))

        def on_close() -> None:
            d._undestroy()
            log.append((d.destroyed, d.errored, d.readable, d.writable))
            d.write("w")
            d.end()
            d.push(None)
            d.resume()
        d.once("close", on_close)

    assert trace(scenario) == [
        "error", "close", (False, None, True, True), ("write", "w"), "finish", "end", "close"]


def test_unpipe_from_inside_the_destination_write() -> None:
    """readable.js rule (pipe's pause() after cleanup, nodejs/node#2323's setting):
    unpiping inside dest.write() that then returns False leaves the source paused
    by unpipe() only; the late 'drain' handler stays on the destination."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", text(c)))
            r.unpipe(w)
            net.set_immediate(cb)
        w = OptWritable(write=write, high_water_mark=1)
        r.on("pause", lambda: log.append("pause"))
        r.on("resume", lambda: log.append("resume"))
        w.on("drain", lambda: log.append(("drain", w.listener_count("drain"))))
        r.pipe(w)
        r.push("ab")
        net.set_immediate(lambda: log.append(("flowing", r.readable_flowing,
                                              r.readable_length)))

    assert trace(scenario) == [
        "resume", ("write", "ab"), "pause", ("flowing", False, 0), ("drain", 2)]


def test_drain_the_source_was_not_waiting_for() -> None:
    """readable.js rule (pipeOnDrain when nothing awaits that destination): a 'drain'
    caused by the user's own write just keeps the source flowing."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", text(c)))
            net.set_immediate(cb)
        w = OptWritable(write=write, high_water_mark=2)
        r.on("pause", lambda: log.append("pause"))
        r.on("resume", lambda: log.append("resume"))
        w.on("drain", lambda: log.append("drain"))
        r.pipe(w)
        r.push("abc")
        net.set_timeout(lambda: log.append(("direct", w.write("xyz"))), 5)

        def later() -> None:
            log.append(("flowing", r.readable_flowing))
            r.push("q")
        net.set_timeout(later, 20)

    assert trace(scenario) == [
        "resume", ("write", "abc"), "pause", "drain", "resume", ("write", "xyz"),
        ("direct", False), "drain", ("flowing", True), ("write", "q")]


def test_pipe_to_the_same_destination_twice() -> None:
    """Ported from test-stream-pipe-same-destination-twice.js: two pipes, and one
    unpipe() removes only one of them."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", text(c)))
            cb()
        w = OptWritable(write=write)
        r.pipe(w)
        r.pipe(w)
        log.append((r.listener_count("data"), len(r._readable_state.pipes)))
        r.unpipe(w)
        log.append((r.listener_count("data"), len(r._readable_state.pipes)))
        r.push("foobar")

        def later() -> None:
            r.unpipe(w)
            log.append((r.listener_count("data"), len(r._readable_state.pipes)))
            r.push("x")
        net.set_immediate(later)

    assert trace(scenario) == [(2, 2), (1, 1), ("write", "foobar"), (0, 0)]


def test_pipe_to_the_same_destination_twice_writes_twice() -> None:
    """Ported from test-stream-pipe-same-destination-twice.js (second case)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", text(c)))
            cb()
        w = OptWritable(write=write)
        r.pipe(w)
        r.pipe(w)
        r.push("foobar")

    assert trace(scenario) == [("write", "foobar"), ("write", "foobar")]


def test_two_sources_into_one_destination() -> None:
    """readable.js rule (onunpipe ignores another source's 'unpipe')."""
    def scenario(log: List[Any]) -> None:
        r1 = OptReadable(read=noop)
        r2 = OptReadable(read=noop)

        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", text(c)))
            cb()
        w = OptWritable(write=write)
        r1.pipe(w)
        r2.pipe(w)
        r1.unpipe(w)
        log.append((r1.listener_count("data"), r2.listener_count("data"),
                    w.listener_count("unpipe")))
        r1.push("one")
        r2.push("two")

    assert trace(scenario) == [(0, 1, 1), ("write", "two")]


def test_pipe_destroys_a_destination_whose_write_throws() -> None:
    """readable.js rule (Node >= 24): pipe()'s 'data' handler catches an exception
    from dest.write() and destroys dest with it; the source pauses when dest unpipes
    on its 'error'. Node 20 let the exception escape to the source's 'data' emit.
    Trace checked against node 26.12."""
    def scenario(log: List[Any]) -> None:
        net.process.on("uncaughtException", lambda err, *_: log.append(("uncaught", err)))
        r = OptReadable(read=noop)
        w = OptWritable(write=sync_write)

        def bad(chunk: Any, *_: Any) -> bool:
            log.append(("dest.write", text(chunk)))
            raise ValueError("boom")

        w.write = bad  # type: ignore[method-assign]
        for name in ("error", "close", "unpipe", "finish"):
            w.on(name, lambda *a, name=name: log.append(
                ("dest", name) + tuple(str(x) if isinstance(x, Exception) else
                                       "src" if x is r else
                                       dict(x) if isinstance(x, dict) else x for x in a)))
        for name in ("error", "pause", "end"):
            r.on(name, lambda *a, name=name: log.append(("src", name)))
        r.pipe(w)
        r.push("a")
        r.push("b")
        net.set_timeout(lambda: log.append(("after", w.destroyed, r.destroyed, r.is_paused(),
                                            r.readable_flowing)), 20)

    assert trace(scenario) == [
        ("dest.write", "a"), ("dest.write", "b"), ("src", "pause"),
        ("dest", "unpipe", "src", {"has_unpiped": False}), ("dest", "error", "boom"),
        ("dest", "close"), ("after", True, False, True, False)]


@pytest.mark.parametrize("value", ["x", 1.5, -1, float("nan"), float("inf"), 10**400, True, []])
def test_a_bad_high_water_mark_is_refused(value: Any) -> None:
    """Node's getHighWaterMark: a mark must be a whole number >= 0 (Node 26 and
    Node 20 throw ERR_INVALID_ARG_VALUE for each of these values), named after
    the duplex side's key for a Duplex."""
    from nodenet.errors import NodeError
    from nodenet.stream import Duplex, Readable, Writable
    for make, name in ((lambda: Readable(high_water_mark=value), "options.highWaterMark"),
                       (lambda: Writable(high_water_mark=value), "options.highWaterMark"),
                       (lambda: Duplex(high_water_mark=value), "options.readableHighWaterMark"),
                       (lambda: Duplex(writable_high_water_mark=value),
                        "options.writableHighWaterMark")):
        with pytest.raises(NodeError) as info:
            make()
        assert info.value.code == "ERR_INVALID_ARG_VALUE" and name in str(info.value)


def test_duplex_sides_are_off_only_when_false() -> None:
    """Node's Duplex tests ``options.readable === false`` (and the same for
    writable and allowHalfOpen): a falsy value that is not false keeps them."""
    from nodenet.stream import Duplex
    d = Duplex(readable=0, writable="", allow_half_open=None, high_water_mark=5)  # type: ignore[arg-type]
    assert (d.readable, d.writable, d.allow_half_open) == (True, True, True)
    assert (d.readable_high_water_mark, d.writable_high_water_mark) == (5, 5)
    d = Duplex(readable=False, writable=False, allow_half_open=False)
    assert (d.readable, d.writable, d.allow_half_open) == (False, False, False)
