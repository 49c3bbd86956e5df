"""nodenet.stream.Writable against Node v20's own stream tests.

Each test is a port of the behaviour checked by one of Node's
``test/parallel/test-stream*.js`` files (named in its docstring), or of a rule
of ``lib/internal/streams/writable.js`` when no single Node test covers it.
Every expected value below was printed by the same scenario written in
JavaScript and run under Node v20.20 (see ``test_stream_readable`` for the
method). ``write`` callbacks get ``(chunk, callback)``: nodenet's ``_write`` has
no encoding argument, since chunks are always bytes.

Not ported: object mode, ``decodeStrings: false``, ``construct`` and abort
signals (no such API in nodenet), and the undocumented ``destroy(err, cb)``.
"""

from __future__ import annotations

from array import array
from typing import Any, Callable, List, Optional

import pytest

import nodenet as net
from nodenet.stream import Writable
from streamkit import OptWritable, code_of, recorder, show
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


def end_cb(log: List[Any]) -> Cb:
    """An end()/write() callback that logs the error's code (or None)."""
    return lambda err=None: log.append(("endcb", None if err is None else code_of(err)))


# -- _final, 'prefinish' and 'finish' -------------------------------------------------


def test_end_then_destroy_without_final_never_finishes() -> None:
    """Ported from test-stream-writable-destroy.js (end() then destroy()): with no
    _final, 'finish' is due on the next tick, so destroying first cancels it and
    the end() callback gets ERR_STREAM_DESTROYED."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)
        recorder(log, w, "prefinish", "finish", "close", "error")
        w.end(end_cb(log))
        w.destroy()
        log.append("sync")

    assert trace(scenario) == [
        "prefinish", "sync", ("endcb", "ERR_STREAM_DESTROYED"), "close"]


def test_end_then_destroy_with_a_final_still_finishes() -> None:
    """writable.js rule (onFinish): once a _final called back, 'finish' is already on
    its way and a destroy() cannot stop it."""
    def scenario(log: List[Any]) -> None:
        def final(cb: Cb) -> None:
            log.append("final")
            cb()
        w = OptWritable(write=sync_write, final=final)
        recorder(log, w, "prefinish", "finish", "close", "error")
        w.end(end_cb(log))
        w.destroy()
        log.append("sync")

    assert trace(scenario) == [
        "final", "prefinish", "sync", ("endcb", None), "finish", "close"]


def test_finish_waits_for_pending_write_callbacks_without_final() -> None:
    """writable.js rule (finishMaybe): without _final, 'finish' waits until the write
    callbacks ran, one more tick behind them."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)
        recorder(log, w, "prefinish", "finish", "close")
        w.write("a", lambda err=None: log.append("wcb"))
        w.end()
        net.next_tick(lambda: log.append("user tick"))

    assert trace(scenario) == ["prefinish", "wcb", "user tick", "finish", "close"]


def test_finish_is_scheduled_by_the_final_callback() -> None:
    """writable.js rule (onFinish): with _final, 'finish' is scheduled when it calls
    back, ahead of later ticks."""
    def scenario(log: List[Any]) -> None:
        def final(cb: Cb) -> None:
            log.append("final")
            cb()
        w = OptWritable(write=sync_write, final=final)
        recorder(log, w, "prefinish", "finish", "close")
        w.write("a", lambda err=None: log.append("wcb"))
        w.end()
        net.next_tick(lambda: log.append("user tick"))

    assert trace(scenario) == ["final", "prefinish", "wcb", "finish", "user tick", "close"]


def test_destroy_twice_after_end() -> None:
    """Ported from test-stream-writable-destroy.js (destroy twice): the end() callback
    is called once, with ERR_STREAM_DESTROYED."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)
        w.end(end_cb(log))
        w.destroy()
        w.destroy()

    assert trace(scenario) == [("endcb", "ERR_STREAM_DESTROYED")]


def test_destroy_in_prefinish_before_the_end_callback_is_queued() -> None:
    """writable.js rule: destroy() from a 'prefinish' listener runs before end() queued
    its callback, so nothing calls it back; no 'finish'."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)
        recorder(log, w, "finish", "close")

        def on_prefinish() -> None:
            log.append("prefinish")
            w.destroy()
        w.on("prefinish", on_prefinish)
        w.end(end_cb(log))

    assert trace(scenario) == ["prefinish", "close"]


def test_end_waits_for_an_async_write() -> None:
    """Ported from test-stream-write-final.js's ordering, without _final."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda c, cb: net.set_immediate(cb))
        recorder(log, w, "prefinish", "finish", "close")
        w.write("a", lambda err=None: log.append("wcb"))
        w.end(lambda err=None: log.append("endcb"))
        log.append("sync")

    assert trace(scenario) == ["sync", "wcb", "prefinish", "endcb", "finish", "close"]


def test_final_runs_before_prefinish() -> None:
    """Ported from test-stream-write-final.js (synchronous _final)."""
    def scenario(log: List[Any]) -> None:
        def final(cb: Cb) -> None:
            log.append("final")
            cb()
        w = OptWritable(write=sync_write, final=final)
        recorder(log, w, "prefinish", "finish", "close")
        w.end("x", lambda err=None: log.append("endcb"))
        log.append("sync")

    assert trace(scenario) == ["final", "prefinish", "sync", "endcb", "finish", "close"]


def test_async_final_delays_finish() -> None:
    """Ported from test-stream-writable-final-async.js: 'finish' waits for _final."""
    def scenario(log: List[Any]) -> None:
        def final(cb: Cb) -> None:
            log.append("final")

            def done() -> None:
                log.append("final done")
                cb()
            net.set_timeout(done, 5)
        w = OptWritable(write=sync_write, final=final)
        recorder(log, w, "prefinish", "finish", "close")
        w.end(lambda err=None: log.append("endcb"))
        log.append(("sync", w.writable_ended, w.writable_finished))

    assert trace(scenario) == [
        "final", ("sync", True, False), "final done", "prefinish", "endcb", "finish", "close"]


def test_final_error_destroys() -> None:
    """Ported from test-stream-writable-final-destroy.js / -final-throw.js: _final
    calling back with an error destroys; end()'s callback gets the error last."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write,
                        final=lambda cb: cb(RuntimeError("final err")))
        recorder(log, w, "prefinish", "finish", "error", "close")
        w.end(lambda err=None: log.append(("endcb", str(err))))
        log.append("sync")

    assert trace(scenario) == ["sync", ("error", "final err"), "close", ("endcb", "final err")]


def test_final_async_error_calls_end_callback_first() -> None:
    """writable.js rule (onFinish with an error, not sync): the queued end() callback
    gets the error before 'error' is emitted."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write,
                        final=lambda cb: net.set_immediate(cb, RuntimeError("late")))
        recorder(log, w, "prefinish", "finish", "error", "close")
        w.end(lambda err=None: log.append(("endcb", str(err))))
        log.append("sync")

    assert trace(scenario) == ["sync", ("endcb", "late"), ("error", "late"), "close"]


def test_final_that_throws() -> None:
    """Ported from test-stream-writable-final-throw.js."""
    def scenario(log: List[Any]) -> None:
        def final(cb: Cb) -> None:
            raise RuntimeError("thrown")
        w = OptWritable(write=sync_write, final=final)
        recorder(log, w, "prefinish", "finish", "error", "close")
        w.end(lambda err=None: log.append(("endcb", str(err))))
        log.append("sync")

    assert trace(scenario) == ["sync", ("error", "thrown"), "close", ("endcb", "thrown")]


def test_final_callback_called_twice() -> None:
    """writable.js rule (onFinish called twice: ERR_MULTIPLE_CALLBACK)."""
    def scenario(log: List[Any]) -> None:
        def final(cb: Cb) -> None:
            cb()
            cb()
        w = OptWritable(write=sync_write, final=final)
        recorder(log, w, "prefinish", "finish", "error", "close")
        w.end()

    assert trace(scenario) == [
        "prefinish", "finish", ("error", "ERR_MULTIPLE_CALLBACK"), "close"]


def test_final_error_without_auto_destroy() -> None:
    """writable.js rule: with autoDestroy false the _final error is emitted on the next
    tick (it was synchronous) and the stream is not destroyed."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write, final=lambda cb: cb(RuntimeError("final err")),
                        auto_destroy=False)
        recorder(log, w, "prefinish", "finish", "error", "close")
        w.end(lambda err=None: log.append(("endcb", str(err))))
        log.append(("sync", w.destroyed))

    assert trace(scenario) == [("sync", False), ("error", "final err"), ("endcb", "final err")]


def test_destroy_while_final_pending() -> None:
    """Ported from test-stream-writable-destroy.js (nodejs/node#39356): _final never
    calls back; destroy(err) fails the end() callback with that error."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(final=lambda cb: None)
        recorder(log, w, "error", "close")
        w.end(lambda err=None: log.append(("endcb", str(err))))
        w.destroy(RuntimeError("oh no"))

    assert trace(scenario) == [("endcb", "oh no"), ("error", "oh no"), "close"]


def test_undestroy_lets_final_run_again() -> None:
    """Ported from test-stream-writable-destroy.js (_undestroy restores the state so
    that _final is called again)."""
    def scenario(log: List[Any]) -> None:
        def final(cb: Cb) -> None:
            log.append("final")
            cb()
        w = OptWritable(write=lambda c, cb: log.append("write?"), final=final)
        w.end()

        def on_close() -> None:
            log.append("close")
            w._undestroy()
            log.append((w.destroyed, w.writable, w.writable_ended))
            w.end()
        w.once("close", on_close)
        w.on("finish", lambda: log.append("finish"))

    assert trace(scenario) == ["final", "finish", "close", (False, True, False), "final", "finish"]


# -- _writev, cork/uncork and the write buffer ------------------------------------------


@pytest.mark.parametrize("uncork,multi", [(False, False), (False, True), (True, False),
                                          (True, True)])
def test_writev_gets_every_corked_chunk(uncork: bool, multi: bool) -> None:
    """Ported from test-stream-writev.js (decodeStrings): corked writes in several
    encodings reach _writev together as bytes, whether end() or uncork() flushes
    them, nested corks included; callbacks in order, then end's, then 'finish'."""
    def scenario(log: List[Any]) -> None:
        def writev(chunks: List[bytes], cb: Cb) -> None:
            log.append(("writev", [show(c) for c in chunks]))
            cb()
        w = OptWritable(write=lambda c, cb: log.append("_write?"), writev=writev)

        def cnt(name: str) -> Cb:
            return lambda err=None: log.append((name, err))
        w.cork()
        w.write("hello, ", "ascii", cnt("hello"))
        w.write("world", "utf8", cnt("world"))
        if multi:
            w.cork()
        w.write(b"!", "buffer", cnt("!"))
        w.write("\nand then...", "latin1", cnt("and then"))
        if multi:
            w.uncork()
        w.write("facebea7deadbeefdecafbad", "hex", cnt("hex"))
        if uncork:
            w.uncork()
        w.end(cnt("end"))
        w.on("finish", lambda: log.append("finish"))
        log.append("sync")

    hexed = bytes.fromhex("facebea7deadbeefdecafbad").decode("latin-1")
    assert trace(scenario) == [
        ("writev", ["b:hello, ", "b:world", "b:!", "b:\nand then...", "b:" + hexed]),
        "sync", ("hello", None), ("world", None), ("!", None), ("and then", None),
        ("hex", None), ("end", None), "finish"]


def test_writev_alone_takes_the_first_write_too() -> None:
    """Ported from test-stream-writev.js (a Writable with only writev)."""
    def scenario(log: List[Any]) -> None:
        def writev(chunks: List[bytes], cb: Cb) -> None:
            log.append(("writev", len(chunks), show(chunks[0])))
            cb()
        w = OptWritable(writev=writev)
        w.write("asd", lambda err=None: log.append(("cb", err)))

    assert trace(scenario) == [("writev", 1, "b:asd"), ("cb", None)]


def test_writev_batches_writes_buffered_behind_an_async_one() -> None:
    """writable.js rule (clearBuffer): writes queued during a pending write go to one
    _writev call; with no callbacks at all, end() still waits for them."""
    def scenario(log: List[Any]) -> None:
        def writev(chunks: List[bytes], cb: Cb) -> None:
            log.append(("writev", [show(c) for c in chunks]))
            net.set_immediate(cb)
        w = OptWritable(writev=writev)
        for c in ("a", "b", "c"):
            w.write(c)
        log.append(w.writable_length)
        w.on("drain", lambda: log.append("drain"))
        w.end(lambda err=None: log.append(("end", w.writable_length)))

    assert trace(scenario) == [
        ("writev", ["b:a"]), 3, ("writev", ["b:b", "b:c"]), ("end", 0)]


def test_writable_buffer_lists_what_waits_behind_the_current_write() -> None:
    """writable.js rule (writableBuffer / getBuffer) with writableCorked."""
    def scenario(log: List[Any]) -> None:
        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", show(c)))
            net.set_immediate(cb)
        w = OptWritable(write=write)
        log.append(len(w.writable_buffer))
        for c in ("a", "b", "cd"):
            w.write(c)
        log.append(([show(c) for c in w.writable_buffer], w.writable_length))
        w.cork()
        w.write("e")
        log.append(([show(c) for c in w.writable_buffer], w.writable_corked))
        w.uncork()
        w.on("finish", lambda: log.append(("finish", len(w.writable_buffer))))
        w.end()

    assert trace(scenario) == [
        0, ("write", "b:a"), (["b:b", "b:cd"], 4), (["b:b", "b:cd", "b:e"], 1),
        ("write", "b:b"), ("write", "b:cd"), ("write", "b:e"), ("finish", 0)]


def test_uncork_with_nothing_corked_or_buffered() -> None:
    """writable.js rule (uncork): extra uncork() calls are harmless."""
    def scenario(log: List[Any]) -> None:
        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", show(c)))
            cb()
        w = OptWritable(write=write)
        w.cork()
        w.uncork()
        w.uncork()
        log.append(w.writable_corked)
        w.write("x")
        log.append(w.writable_corked)

    assert trace(scenario) == [0, ("write", "b:x"), 0]


def test_writes_made_by_a_failed_write_callback_fail_in_the_same_pass() -> None:
    """writable.js rule (errorBuffer reads the buffer's length each time round):
    a buffered write's callback, failed after a write error, writes again; those
    writes are buffered (the stream has errored) and failed by the same pass, so
    nothing stays counted in writableLength. Node 26 and Node 20 give this trace
    (found by a random differential scenario, seed 14684)."""
    def scenario(log: List[Any]) -> None:
        def write(chunk: bytes, cb: Cb) -> None:
            log.append(("write", show(chunk)))
            net.set_immediate(lambda: cb(RuntimeError("boom")))

        def msg(err: Any) -> Any:
            return None if err is None else str(err)

        w = OptWritable(write=write)
        w.on("error", lambda e: log.append(("error", msg(e), w.writable_length)))

        def cb_b(err: Any = None) -> None:
            log.append(("cb b", msg(err), w.writable_length))
            log.append(("ret", w.write(
                "cc", lambda e=None: log.append(("cb cc", msg(e), w.writable_length)))))
            w.write("ddd", lambda e=None: log.append(("cb ddd", msg(e), w.writable_length)))
            log.append(("len", w.writable_length))

        w.write("a", lambda e=None: log.append(("cb a", msg(e))))
        w.write("b", cb_b)
        net.set_timeout(lambda: log.append(("final", w.writable_length, w.destroyed)), 20)

    assert trace(scenario) == [
        ("write", "b:a"), ("cb a", "boom"), ("cb b", "boom", 0), ("ret", False), ("len", 5),
        ("cb cc", "boom", 3), ("cb ddd", "boom", 0), ("error", "boom", 0), ("final", 0, True)]


def test_a_written_string_counts_its_bytes() -> None:
    """writable.js rule (decodeStrings: true turns a string into a Buffer before
    it is counted): '\u20ac' is 3 bytes, over a mark of 3, so 'drain' is owed.
    A net.Socket (decodeStrings: false) counts the string's length instead.
    Node 26 and Node 20 print this (randstream seeds 36, 51)."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda c, cb: net.set_immediate(cb), high_water_mark=3)
        w.on("drain", lambda: log.append("drain"))
        log.append((w.write("\u20ac"), w.writable_length, w.writable_need_drain))

    assert trace(scenario) == [(False, 3, True), "drain"]


def test_final_waits_for_the_callback_of_a_write_before_a_sync_writev() -> None:
    """writable.js rule (clearBuffer resets the buffer after _writev returns, so
    nothing finishes from inside it): the first write's callback comes before
    _final. Node 26 and Node 20 print this (randstream seed 1767)."""
    def scenario(log: List[Any]) -> None:
        def writev(chunks: List[bytes], cb: Cb) -> None:
            log.append(("_writev", len(chunks)))
            cb()

        def final(cb: Cb) -> None:
            log.append("_final")
            cb()
        w = OptWritable(write=lambda c, cb: net.set_immediate(cb), writev=writev, final=final)
        w.on("finish", lambda: log.append("finish"))
        w.write("a", lambda err=None: log.append("cb a"))
        w.write("b")
        w.write("c")
        w.end()

    assert trace(scenario) == [("_writev", 2), "cb a", "_final", "finish"]


def test_many_buffered_writes_complete_in_order() -> None:
    """writable.js rule (clearBuffer compacts its queue past 256 entries): 300 writes
    queued behind slow ones all complete, in order, before 'finish'."""
    def scenario(log: List[Any]) -> None:
        seen: List[str] = []
        done: List[int] = []

        def write(c: bytes, cb: Cb) -> None:
            seen.append(bytes(c).decode())
            net.set_immediate(cb)
        w = OptWritable(write=write)
        for i in range(300):
            w.write(str(i), lambda err=None, i=i: done.append(i))
        log.append((len(w.writable_buffer), w.writable_length))
        w.end(lambda err=None: log.append(
            (seen == [str(i) for i in range(300)], done == list(range(300)),
             w.writable_length)))

    assert trace(scenario) == [(299, 790), (True, True, 0)]


# -- encodings and chunk types ------------------------------------------------------


def test_set_default_encoding() -> None:
    """Ported from test-stream-writable-change-default-encoding.js: the default applies
    to string writes without an encoding (end()'s too), any case; an unknown one
    throws ERR_UNKNOWN_ENCODING and leaves the default alone."""
    def scenario(log: List[Any]) -> None:
        def write(c: bytes, cb: Cb) -> None:
            log.append(bytes(c).hex())
            cb()
        w = OptWritable(write=write)
        w.write("ab")
        log.append(w.set_default_encoding("hex") is w)
        w.write("ab")
        w.set_default_encoding("BASE64")
        w.write("YWJj")
        w.write("ab", "latin1")
        with pytest.raises(TypeError) as info:
            w.set_default_encoding("bogus")
        log.append(code_of(info.value))
        w.write("6162")
        w.end("ZA")

    assert trace(scenario) == [
        "6162", True, "ab", "616263", "6162", "ERR_UNKNOWN_ENCODING", "eb5eb6", "64"]


def test_typed_array_chunks_count_their_bytes() -> None:
    """writable.js rule (_write takes any ArrayBufferView as bytes): a 16-bit
    array of two items is four bytes, in memory order."""
    def scenario(log: List[Any]) -> None:
        def write(c: Any, cb: Cb) -> None:
            log.append((len(c), bytes(c).hex()))
            cb()
        w = OptWritable(write=write)
        log.append((w.write(memoryview(array("H", [1, 0x0203]))), w.writable_length))
        w.write(bytearray([7]))
        w.write(memoryview(bytes([8, 9])))

    assert trace(scenario) == [(4, "01000302"), (True, 0), (1, "07"), (2, "0809")]


# -- write errors --------------------------------------------------------------------


def test_write_callback_called_twice() -> None:
    """Ported from test-stream-writable-write-cb-twice.js (sync and async)."""
    for asynchronous in (False, True):
        def scenario(log: List[Any]) -> None:
            def write(c: bytes, cb: Cb) -> None:
                def twice() -> None:
                    cb()
                    cb()
                if asynchronous:
                    net.set_immediate(twice)
                else:
                    twice()
            w = OptWritable(write=write)
            recorder(log, w, "error", "close")
            w.write("asd", lambda err=None: log.append("wcb"))

        assert trace(scenario) == ["wcb", ("error", "ERR_MULTIPLE_CALLBACK"), "close"]


def test_write_callback_called_twice_without_auto_destroy() -> None:
    """Ported from test-stream-writable-destroy.js (cb twice, autoDestroy false):
    'error' is emitted synchronously, ``errored`` set, not destroyed."""
    def scenario(log: List[Any]) -> None:
        def write(c: bytes, cb: Cb) -> None:
            cb()
            cb()
        w = OptWritable(write=write, auto_destroy=False)
        w.on("error", lambda e: log.append(("error", code_of(e), w.errored is not None,
                                            w.destroyed)))
        w.write("asd")

    assert trace(scenario) == [("error", "ERR_MULTIPLE_CALLBACK", True, False)]


def test_synchronous_write_error() -> None:
    """Ported from test-stream-writable-write-error.js (sync): write() returns False
    from then on; callbacks get the error on the next tick, then 'error', 'close'."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda c, cb: cb(RuntimeError("werr")))
        recorder(log, w, "error", "close", "finish")
        log.append(w.write("a", lambda err=None: log.append(("wcb", str(err)))))
        log.append(("sync", w.errored is not None, w.writable, w.destroyed))
        log.append(w.write("b", lambda err=None: log.append(("wcb2", str(err)))))

    assert trace(scenario) == [
        False, ("sync", True, False, False), False, ("wcb", "werr"), ("wcb2", "werr"),
        ("error", "werr"), "close"]


def test_asynchronous_write_error() -> None:
    """Ported from test-stream-writable-write-error.js (async): the failed write's
    callback, the buffered one's, end()'s, then 'error' and 'close'."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda c, cb: net.set_immediate(cb, RuntimeError("werr")))
        recorder(log, w, "error", "close")
        w.write("a", lambda err=None: log.append(("wcb", str(err))))
        w.write("b", lambda err=None: log.append(("wcb2", str(err))))
        w.end(lambda err=None: log.append(("endcb", str(err))))

    assert trace(scenario) == [
        ("wcb", "werr"), ("wcb2", "werr"), ("endcb", "werr"), ("error", "werr"), "close"]


def test_buffered_write_callbacks_get_the_error_without_auto_destroy() -> None:
    """Ported from test-stream-writable-destroy.js (call buffered write callback with
    error)."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda c, cb: net.next_tick(cb, RuntimeError("asd")),
                        auto_destroy=False)
        w.cork()
        w.write("asd", lambda err=None: log.append(("w1", str(err))))
        w.write("asd", lambda err=None: log.append(("w2", str(err))))
        w.on("error", lambda e: log.append(("error", str(e))))
        w.uncork()

    assert trace(scenario) == [("w1", "asd"), ("w2", "asd"), ("error", "asd")]


def test_end_after_error_and_destroy() -> None:
    """Ported from test-stream-writable-destroy.js (end(cb) after error & destroy):
    the callback gets ERR_STREAM_DESTROYED, on a later tick."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda c, cb: cb(RuntimeError("asd")))

        def on_error(e: BaseException) -> None:
            w.destroy()
            ticked = [False]
            w.end(lambda err=None: log.append(("endcb", ticked[0], code_of(err))))
            ticked[0] = True
        w.on("error", on_error)
        w.write("asd")

    assert trace(scenario) == [("endcb", True, "ERR_STREAM_DESTROYED")]


def test_end_after_finish_and_destroy() -> None:
    """Ported from test-stream-writable-destroy.js (end(cb) after finish & destroy)."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)

        def on_finish() -> None:
            w.destroy()
            w.end(lambda err=None: log.append(("endcb", code_of(err))))
        w.on("finish", on_finish)
        w.end()

    assert trace(scenario) == [("endcb", "ERR_STREAM_ALREADY_FINISHED")]


def test_end_on_errored_stream_gets_the_error() -> None:
    """writable.js rule (end() on an errored, not destroyed stream: cb(errored))."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda c, cb: cb(RuntimeError("asd")), auto_destroy=False)

        def on_error(e: BaseException) -> None:
            log.append("error")
            w.end(lambda err=None: log.append(("endcb", str(err))))
        w.on("error", on_error)
        w.write("asd")

    assert trace(scenario) == ["error", ("endcb", "asd")]


def test_destroy_with_error_inside_write() -> None:
    """Ported from test-stream-writable-destroy.js (destroy(err) inside _write): no
    'finish'."""
    def scenario(log: List[Any]) -> None:
        def write(c: bytes, cb: Cb) -> None:
            w.destroy(RuntimeError("asd"))
            cb()
        w = OptWritable(write=write)
        recorder(log, w, "error", "finish", "close")
        w.end("asd")
        log.append(w.destroyed)

    assert trace(scenario) == [True, ("error", "asd"), "close"]


def test_destroy_inside_a_corked_write_fails_the_rest() -> None:
    """writable.js rule (doWrite on a destroyed stream): the write that destroyed
    completes; the corked writes after it get ERR_STREAM_DESTROYED, after 'close'."""
    def scenario(log: List[Any]) -> None:
        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", show(c)))
            if bytes(c) == b"a":
                w.destroy()
            cb()
        w = OptWritable(write=write)
        recorder(log, w, "error", "close")
        w.cork()
        for name in ("a", "b", "c"):
            w.write(name, lambda err=None, name=name: log.append(
                ("cb" + name, None if err is None else code_of(err))))
        w.uncork()
        log.append("sync")

    assert trace(scenario) == [
        ("write", "b:a"), "sync", "close", ("cba", None), ("cbb", "ERR_STREAM_DESTROYED"),
        ("cbc", "ERR_STREAM_DESTROYED")]


def test_write_after_destroy() -> None:
    """Ported from test-stream-writable-destroy.js (write on a destroyed stream: the
    callback gets ERR_STREAM_DESTROYED, no 'error')."""
    def scenario(log: List[Any]) -> None:
        w = Writable()
        w.destroy()
        w.on("error", lambda e: log.append("error?"))
        log.append(w.write("asd", lambda err=None: log.append(
            ("wcb", code_of(err), str(err)))))

    assert trace(scenario) == [
        False, ("wcb", "ERR_STREAM_DESTROYED", "Cannot call write after a stream was destroyed")]


def test_write_after_destroy_while_corked() -> None:
    """Ported from test-stream-writable-destroy.js (corked writes and destroy)."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)
        w.on("error", lambda e: log.append("error?"))
        w.cork()
        w.write("asd", lambda err=None: log.append(("w1", err)))
        w.uncork()
        w.cork()
        w.write("asd", lambda err=None: log.append(("w2", code_of(err))))
        w.destroy()
        w.write("asd", lambda err=None: log.append(("w3", code_of(err))))
        w.uncork()

    assert trace(scenario) == [
        ("w1", None), ("w2", "ERR_STREAM_DESTROYED"), ("w3", "ERR_STREAM_DESTROYED")]


def test_destroy_calls_back_pending_writes_in_order() -> None:
    """Ported from test-stream-writable-destroy.js (ensure callback order)."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda c, cb: net.set_immediate(cb))
        w.write("asd", lambda err=None: log.append(("w1", err)))
        w.write("asd", lambda err=None: log.append(("w2", code_of(err))))
        w.destroy()

    assert trace(scenario) == [("w1", None), ("w2", "ERR_STREAM_DESTROYED")]


def test_end_callback_gets_the_destroy_error() -> None:
    """Ported from test-stream-writable-destroy.js (end(cb) then destroy(err))."""
    def scenario(log: List[Any]) -> None:
        err = RuntimeError("asd")
        w = OptWritable(write=lambda c, cb: net.next_tick(cb))
        w.once("error", lambda e: log.append(("error", str(e))))
        w.end("asd", lambda e=None: log.append(("endcb", e is err)))
        w.destroy(err)

    assert trace(scenario) == [("endcb", True), ("error", "asd")]


def test_unimplemented_write_throws() -> None:
    """Ported from test-stream-writable-constructor-set-methods.js (no write option)."""
    def scenario(log: List[Any]) -> None:
        w = Writable()
        try:
            w.write("x")
            log.append("no throw")
        except Exception as exc:
            log.append((code_of(exc), str(exc)))

    assert trace(scenario) == [
        ("ERR_METHOD_NOT_IMPLEMENTED", "The _write() method is not implemented")]


# -- write() return value, 'drain' and properties -----------------------------------------


def test_zero_high_water_mark_with_synchronous_writes() -> None:
    """writable.js rule (writeOrBuffer: ``length < highWaterMark || length === 0``):
    with a 0 mark, a write that completed at once returns True and needs no
    'drain'."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write, high_water_mark=0)
        recorder(log, w, "drain")
        log.append((w.write("a"), w.writable_need_drain, w.writable_length))
        log.append((w.write("b"), w.writable_need_drain))

    assert trace(scenario) == [(True, False, 0), (True, False)]


def test_zero_high_water_mark_with_an_asynchronous_write() -> None:
    """writable.js rule: with a 0 mark a pending write returns False, then 'drain'."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda c, cb: net.set_immediate(cb), high_water_mark=0)
        recorder(log, w, "drain")
        log.append((w.write("a"), w.writable_need_drain, w.writable_length))

    assert trace(scenario) == [(False, True, 1), "drain"]


def test_need_drain_and_drain() -> None:
    """Ported from test-stream-writable-needdrain-state.js: False from write() at the
    mark, ``writableNeedDrain`` until 'drain', which comes once all is written."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda c, cb: net.set_immediate(cb), high_water_mark=3)
        w.on("drain", lambda: log.append(("drain", w.writable_need_drain, w.writable_length)))
        log.append((w.write("ab"), w.writable_need_drain))
        log.append((w.write("c"), w.writable_need_drain, w.writable_length))
        log.append((w.write("d"), w.writable_length))

    assert trace(scenario) == [(True, False), (False, True, 3), (False, 4), ("drain", False, 0)]


def test_no_drain_once_ending() -> None:
    """writable.js rule: end() cancels the pending 'drain' (needDrain reads False)."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda c, cb: net.set_immediate(cb), high_water_mark=1)
        w.on("drain", lambda: log.append("drain"))
        log.append((w.write("ab"), w.writable_need_drain))
        w.end()
        log.append(w.writable_need_drain)
        w.on("finish", lambda: log.append("finish"))

    assert trace(scenario) == [(False, True), False, "finish"]


def test_writable_properties_through_a_life() -> None:
    """Ported from test-stream-writable-ended-state.js / -finished-state.js and
    test-stream-writable-properties.js, with the ``writable`` setter."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write, high_water_mark=5)
        log.append((w.writable, w.writable_ended, w.writable_finished, w.writable_length,
                    w.writable_high_water_mark, w.writable_corked, w.writable_need_drain,
                    w.destroyed, w.closed, w.errored))
        w.writable = False
        log.append(w.writable)
        w.writable = True
        log.append(w.writable)
        w.end("x")
        log.append((w.writable, w.writable_ended, w.writable_finished))
        w.on("finish", lambda: log.append(("finish", w.writable_finished, w.closed,
                                           w.destroyed)))
        w.on("close", lambda: log.append(("close", w.closed, w.destroyed)))

    assert trace(scenario) == [
        (True, False, False, 0, 5, 0, False, False, False, None), False, True,
        (False, True, False), ("finish", True, False, False), ("close", True, True)]


# -- write after end, invalid chunks --------------------------------------------------


def test_write_after_end() -> None:
    """writable.js rule (_write after end()):
    ERR_STREAM_WRITE_AFTER_END to the callback and as 'error'; no 'finish'."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)
        recorder(log, w, "error", "close", "finish")
        w.end()
        log.append(w.write("x", lambda err=None: log.append(("wcb", code_of(err)))))

    assert trace(scenario) == [
        False, ("wcb", "ERR_STREAM_WRITE_AFTER_END"), ("error", "ERR_STREAM_WRITE_AFTER_END"),
        "close"]


def test_write_after_end_without_auto_destroy() -> None:
    """writable.js rule: errorOrDestroy(sync) without autoDestroy defers 'error' a tick."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write, auto_destroy=False)
        recorder(log, w, "error", "close", "finish")
        w.end()
        log.append(w.write("x", lambda err=None: log.append(("wcb", code_of(err)))))
        log.append("sync")

    assert trace(scenario) == [
        False, "sync", ("wcb", "ERR_STREAM_WRITE_AFTER_END"),
        ("error", "ERR_STREAM_WRITE_AFTER_END")]


def test_end_with_a_chunk_after_end() -> None:
    """writable.js rule (end(chunk) after end(): the write error goes to the callback)."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)
        recorder(log, w, "error", "close", "finish")
        w.end()
        w.end("x", lambda err=None: log.append(("endcb", code_of(err))))

    assert trace(scenario) == [
        ("error", "ERR_STREAM_WRITE_AFTER_END"), "close", ("endcb", "ERR_STREAM_WRITE_AFTER_END")]


def test_invalid_chunks_throw() -> None:
    """Ported from test-stream-writable-null.js / test-stream-writable-invalid-chunk.js."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)
        with pytest.raises(TypeError) as info:
            w.write(None)
        log.append(code_of(info.value))
        for bad in (1, {}, True):
            with pytest.raises(TypeError) as info:
                w.write(bad)
            log.append(code_of(info.value))
        with pytest.raises(TypeError) as info:
            w.end(5)
        log.append(code_of(info.value))
        log.append(w.writable_ended)

    # write(None) is Node's write(undefined): ERR_INVALID_ARG_TYPE (null has no Python form)
    assert trace(scenario) == ["ERR_INVALID_ARG_TYPE"] * 5 + [False]


# -- destroy ---------------------------------------------------------------------------


def test_destroy_plain_writable() -> None:
    """Ported from test-stream-writable-destroy.js (destroy: 'close', no 'finish')."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)
        recorder(log, w, "finish", "close", "error")
        log.append((w.destroy() is w, w.destroyed, w.closed, w.errored, w.writable))

    assert trace(scenario) == [(True, True, True, None, False), "close"]


def test_destroy_writable_with_error_keeps_the_first() -> None:
    """Ported from test-stream-writable-destroy.js (double error case)."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)
        recorder(log, w, "finish", "close", "error")
        err = RuntimeError("kaboom")
        w.destroy(err)
        log.append(w.errored is err)
        w.destroy(RuntimeError("kaboom 2"))
        log.append(w.errored is err)

    assert trace(scenario) == [True, True, ("error", "kaboom"), "close"]


def test_custom_destroy_swallows_the_writable_error() -> None:
    """Ported from test-stream-writable-destroy.js (destroy option calling cb())."""
    def scenario(log: List[Any]) -> None:
        def destroy(err: Optional[BaseException], cb: Cb) -> None:
            log.append(("_destroy", str(err)))
            cb()
        w = OptWritable(write=sync_write, destroy=destroy)
        recorder(log, w, "finish", "close", "error")
        w.destroy(RuntimeError("kaboom"))

    assert trace(scenario) == [("_destroy", "kaboom"), "close"]


def test_end_from_an_async_destroy_does_not_finish() -> None:
    """Ported from test-stream-writable-destroy.js (end() inside an async _destroy)."""
    def scenario(log: List[Any]) -> None:
        def destroy(err: Optional[BaseException], cb: Cb) -> None:
            def later() -> None:
                w.end()
                cb()
            net.next_tick(later)
        w = OptWritable(write=sync_write, destroy=destroy)
        recorder(log, w, "finish", "close", "error")
        w.destroy()

    assert trace(scenario) == ["close"]


def test_finish_without_auto_destroy_leaves_the_stream_open() -> None:
    """Ported from test-stream-auto-destroy.js (autoDestroy false: no destroy after
    'finish')."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write, auto_destroy=False)
        recorder(log, w, "finish", "close")
        w.end("x")
        net.set_immediate(lambda: log.append((w.destroyed, w.closed)))

    assert trace(scenario) == ["finish", (False, False)]


# -- write callbacks on the synchronous path ---------------------------------------------


def test_same_callback_for_synchronous_writes_shares_one_tick() -> None:
    """Ported from test-stream-writable-samecb-singletick.js: synchronous writes with
    the same callback are counted on one pending tick (all run before a tick queued
    after the first write); another callback needs a tick of its own."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)

        def cb(err: Optional[BaseException] = None) -> None:
            log.append("cb")
        w.write("a", cb)
        net.next_tick(lambda: log.append("user tick"))
        for _ in range(3):
            w.write("b", cb)
        w.write("c", lambda err=None: log.append("other"))
        w.write("d", cb)

    assert trace(scenario) == ["cb", "cb", "cb", "cb", "user tick", "other", "cb"]


def test_buffered_writes_completing_synchronously_while_ending() -> None:
    """writable.js rule (onwrite, sync, no callback, while ending): writes flushed
    behind an async one finish synchronously and 'finish' still follows."""
    def scenario(log: List[Any]) -> None:
        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", show(c)))
            if bytes(c) == b"a":
                net.set_immediate(cb)
            else:
                cb()
        w = OptWritable(write=write)
        recorder(log, w, "prefinish", "finish", "close")
        for c in ("a", "b", "c"):
            w.write(c)
        w.end(lambda err=None: log.append("endcb"))
        log.append("sync")

    assert trace(scenario) == [
        ("write", "b:a"), "sync", ("write", "b:b"), ("write", "b:c"), "prefinish", "endcb",
        "finish", "close"]


def test_buffered_write_callback_runs_before_finish() -> None:
    """writable.js rule (afterWrite while ending): the buffered write's callback,
    then end()'s, then 'finish'."""
    def scenario(log: List[Any]) -> None:
        def write(c: bytes, cb: Cb) -> None:
            log.append(("write", show(c)))
            if bytes(c) == b"a":
                net.set_immediate(cb)
            else:
                cb()
        w = OptWritable(write=write)
        recorder(log, w, "prefinish", "finish", "close")
        w.write("a")
        w.write("b", lambda err=None: log.append("bcb"))
        w.end(lambda err=None: log.append("endcb"))

    assert trace(scenario) == [
        ("write", "b:a"), ("write", "b:b"), "prefinish", "bcb", "endcb", "finish", "close"]


def test_destroy_while_final_is_pending_cancels_finish() -> None:
    """Ported from test-stream-writable-final-destroy.js: no 'prefinish', no 'finish'."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write, final=lambda cb: net.next_tick(cb))
        recorder(log, w, "prefinish", "finish", "close")
        w.end()
        w.destroy()

    assert trace(scenario) == ["close"]


class FinalSubclass(Writable):
    """A Writable subclass with its own ``_final`` that defers to the base one."""

    def __init__(self, log: List[Any]) -> None:
        super().__init__()
        self.log = log

    def _write(self, chunk: bytes, callback: Cb) -> None:
        callback()

    def _final(self, callback: Cb) -> None:
        self.log.append("my final")
        super()._final(callback)


def test_subclass_final_calling_the_base_final() -> None:
    """Ported from test-stream-write-final.js (a class with _final): the overriding
    _final is called, and the base one just calls back."""
    def scenario(log: List[Any]) -> None:
        w = FinalSubclass(log)
        recorder(log, w, "prefinish", "finish", "close")
        w.write("a", lambda err=None: log.append("wcb"))
        w.end()
        net.next_tick(lambda: log.append("user tick"))

    assert trace(scenario) == ["my final", "prefinish", "wcb", "finish", "user tick", "close"]


def test_end_called_several_times() -> None:
    """Ported from test-stream-writable-end-multiple.js: a second end() before
    'finish' queues its callback too; one after 'finish' gets
    ERR_STREAM_ALREADY_FINISHED on a later tick."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=lambda c, cb: net.set_timeout(cb, 10))
        w.end("testing ended state", lambda err=None: log.append(("end1", err)))
        w.end(lambda err=None: log.append(("end2", err)))

        def on_finish() -> None:
            log.append("finish")
            ticked = [False]
            w.end(lambda err=None: log.append(("end3", ticked[0], code_of(err))))
            ticked[0] = True
        w.on("finish", on_finish)

    assert trace(scenario) == [
        ("end1", None), ("end2", None), "finish", ("end3", True, "ERR_STREAM_ALREADY_FINISHED")]


def test_unknown_encoding_is_rejected_for_strings_and_bytes() -> None:
    """Ported from test-stream-writable-change-default-encoding.js (write with an
    unknown encoding throws ERR_UNKNOWN_ENCODING, even for a Buffer)."""
    def scenario(log: List[Any]) -> None:
        w = OptWritable(write=sync_write)
        for chunk in ("x", b"x"):
            with pytest.raises(TypeError) as info:
                w.write(chunk, "bogus")
            log.append((code_of(info.value), str(info.value)))

    assert trace(scenario) == [("ERR_UNKNOWN_ENCODING", "Unknown encoding: bogus")] * 2


def test_end_after_a_write_that_destroyed_the_stream_is_called_back() -> None:
    """Where nodenet does not copy Node (docs/streams.md §16, compat.md): a write whose
    _write destroys the stream and then calls back synchronously gets onwrite's
    afterWrite tick, as Node's source means, so an end() callback queued right after
    gets ERR_STREAM_DESTROYED there. Node 20 and 26 test ``state[kState] & kDestroyed
    !== 0``, which JavaScript reads as ``& 1`` (object mode), skip that tick, and never
    call the end() callback (both print: _write, write false, close, later true false)."""
    def scenario(log: List[Any]) -> None:
        def write(chunk: bytes, cb: Cb) -> None:
            log.append("_write")
            w.destroy()
            cb()
        w = OptWritable(write=write)
        recorder(log, w, "close", "error", "finish")
        log.append(("write", w.write(b"x")))
        w.end(end_cb(log))
        net.set_timeout(lambda: log.append(("later", w.destroyed, w.writable_finished)), 20)

    assert trace(scenario) == [
        "_write", ("write", False), "close", ("endcb", "ERR_STREAM_DESTROYED"),
        ("later", True, False)]


def test_a_write_made_inside_writev_is_written() -> None:
    """Where nodenet does not copy Node (docs/streams.md §16, compat.md): clearBuffer
    empties the buffer only after its _writev call, so a write() made synchronously
    inside _writev is buffered and then dropped — its callback still runs (the
    gathered callback walks the same list), but the chunk is never written, the
    length stays 1 and the stream never finishes (Node 20 and 26 both print
    [_writev a,b], a cb, b cb, z cb; writableLength 1). nodenet writes it."""
    def scenario(log: List[Any]) -> None:
        first = [True]

        def writev(chunks: List[bytes], cb: Cb) -> None:
            log.append(("_writev", [show(c) for c in chunks]))
            if first[0]:
                first[0] = False
                w.write("z", lambda *_: log.append("z cb"))
            net.set_immediate(cb)

        w = OptWritable(write=lambda c, cb: (log.append(("_write", show(c))), cb()),
                        writev=writev)
        w.cork()
        w.write("a", lambda *_: log.append("a cb"))
        w.write("b", lambda *_: log.append("b cb"))
        w.uncork()
        w.end(end_cb(log))
        w.on("finish", lambda: log.append("finish"))
        net.set_timeout(lambda: log.append(("length", w.writable_length)), 50)

    assert trace(scenario) == [
        ("_writev", ["b:a", "b:b"]), ("_write", "b:z"), "a cb", "b cb", "z cb",
        ("endcb", None), "finish", ("length", 0)]
