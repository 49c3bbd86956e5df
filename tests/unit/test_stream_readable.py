"""nodenet.stream.Readable against Node v20's own stream tests.

Each test is a port of the behaviour checked by one of Node's
``test/parallel/test-stream*.js`` files (named in its docstring), or of a rule
of ``lib/internal/streams/readable.js`` when no single Node test covers it.
Every expected value below was printed by the same scenario written in
JavaScript and run under Node v20.20; the streams are built with the Node-style
option helpers of ``streamkit`` and driven inside ``run(main)``, as a Node
script would drive them, and the traces are compared after the loop is idle.

Not ported: object mode (nodenet streams are byte streams), ``Readable.from``,
async iteration, ``wrap()``, ``construct`` and abort signals (no such API).
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional

import pytest

import nodenet as net
from nodenet.errors import NodeError
from nodenet.stream import Readable
from streamkit import OptReadable, OptWritable, code_of, noop, recorder, show
from support import run


def trace(scenario: Callable[[List[Any]], None]) -> List[Any]:
    """Run ``scenario(log)`` on the loop until it is idle; return the log."""
    log: List[Any] = []
    run(lambda: scenario(log), 5)
    return log


# -- unshift ---------------------------------------------------------------------


def test_unshift_string_is_stored_as_bytes() -> None:
    """Ported from test-stream-readable-unshift.js (strings are saved as Buffer)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.on("data", lambda c: log.append(show(c)))
        log.append(r.unshift("abc"))

    assert trace(scenario) == [True, "b:abc"]


def test_unshift_puts_data_before_pushed_data() -> None:
    """Ported from test-stream-readable-unshift.js (data goes at the beginning)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.on("data", lambda c: log.append(show(c)))
        log.append(r.push("back"))
        log.append(r.unshift("front"))

    assert trace(scenario) == [True, True, "b:front", "b:back"]


def test_unshift_string_in_given_encoding() -> None:
    """Ported from test-stream-readable-unshift.js (buffer saved with the right encoding)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.on("data", lambda c: log.append(show(c)))
        r.unshift("YWJj", "base64")

    assert trace(scenario) == ["b:abc"]


def test_a_buffer_unshifted_after_set_encoding_reads_as_its_utf8_text() -> None:
    """readable.js rule (fromList builds a decoded read with ``ret += chunk``): a
    Buffer put back by unshift() after setEncoding() comes out of a read that
    takes everything, or that crosses chunks, as its UTF-8 text, whatever the
    encoding; a read of exactly its bytes gives the Buffer. Node 26 and Node 20
    print this trace (found by random scenarios, e.g. ``randscen --more`` 1274)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.set_encoding("hex")
        r.unshift(b"ab")
        log.append(show(r.read()))
        r = OptReadable(read=noop)
        r.set_encoding("utf8")
        r.push("cd")
        r.unshift(b"ab")
        log.append(show(r.read(3)))
        log.append(show(r.read()))
        r = OptReadable(read=noop)
        r.set_encoding("utf8")
        r.push("cd")
        r.unshift(b"ab")
        log.append(show(r.read()))
        r = OptReadable(read=noop)
        r.set_encoding("utf8")
        r.push("cd")
        r.unshift(b"ab")
        log.append(show(r.read(2)))

    assert trace(scenario) == ["s:ab", "s:abc", "s:d", "s:abcd", "b:ab"]


@pytest.mark.parametrize("as_bytes", [True, False])
def test_flow_sync_reads_ahead_before_data(as_bytes: bool) -> None:
    """Node 26's flowSync (readable.js): ``_read`` for the next chunk runs before
    the current one's 'data'; a single Buffer it pushes parks without
    scheduling a 'readable' (a string goes the normal way and does). Node 26
    prints these traces (randstream seeds 938, 8284); Node 20 has three
    'readable' events either way."""
    def scenario(log: List[Any]) -> None:
        src: List[Any] = [b"a", b"by"] if as_bytes else ["a", "by"]

        def read(_size: int) -> None:
            log.append("_read")
            r.push(src.pop(0) if src else None)
        r = OptReadable(read=read, high_water_mark=1)
        r.on("end", lambda: log.append("end"))
        r.on("data", lambda c: log.append(("data", show(c))))
        net.next_tick(lambda: r.on("readable", lambda: log.append(("readable",
                                                                   r.readable_length))))

    readables = [("readable", 0)] * (1 if as_bytes else 2)
    assert trace(scenario) == ["_read", "_read", ("data", "b:a"), "_read", ("data", "b:by"),
                               *readables, "end"]


def test_flow_sync_end_waits_for_resume() -> None:
    """Node 26's flowSync: the end pushed by the _read made before the last
    chunk's 'data' is reported only after resume() when that 'data' paused the
    stream (Node 20: 'end' while paused; randstream seed 1021)."""
    def scenario(log: List[Any]) -> None:
        src = [b"a"]
        r = OptReadable(read=lambda _n: r.push(src.pop(0) if src else None),
                        high_water_mark=1)
        r.on("end", lambda: log.append("end"))

        def on_data(chunk: Any) -> None:
            log.append(("data", show(chunk)))
            r.pause()
            net.set_immediate(lambda: (log.append("resume"), r.resume()))
        r.on("data", on_data)

    assert trace(scenario) == [("data", "b:a"), "resume", "end"]


def test_a_readable_owed_stays_owed_after_emit_readable() -> None:
    """readable.js rule (emitReadable_ ORs kNeedReadable in): the 'readable' a
    read() that found nothing asked for is still owed after the next
    'readable' tick, so an unshift() later is announced. Node 26 and Node 20
    print this trace (found by tests/diff/randstream.py, seed 796)."""
    def scenario(log: List[Any]) -> None:
        def read(_size: int) -> None:
            log.append("_read")
            r.push(None)
        r = OptReadable(read=read, high_water_mark=16)
        r.on("readable", lambda: log.append(("readable", r.readable_length)))
        r.push("abc")

        def later() -> None:
            log.append(("unshift", r.unshift("bb")))
            net.set_immediate(lambda: log.append(("done", r.readable_length)))
        net.set_immediate(later)

    assert trace(scenario) == ["_read", ("readable", 3), ("unshift", False), ("readable", 5),
                               ("done", 5)]


def test_a_data_listener_only_sets_readable_listening() -> None:
    """readable.js rule (on('data') ORs kReadableListening in): in the tick
    after the last 'readable' listener went, a pipe()'s resume() does not flow
    yet. Node 26 and Node 20 print this (randstream seed 8713)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def f() -> None:
            pass
        r.on("readable", f)
        r.remove_listener("readable", f)
        r.pipe(OptWritable(write=lambda c, cb: cb()))
        log.append((r.readable_flowing, r.is_paused()))
        net.next_tick(lambda: log.append(("tick", r.readable_flowing, r.is_paused())))

    assert trace(scenario) == [(False, True), ("tick", True, False)]


@pytest.mark.parametrize("via_option", [False, True])
def test_unshift_converts_to_the_stream_encoding(via_option: bool) -> None:
    """Ported from test-stream-readable-unshift.js: with a stream encoding, an
    unshifted string in another encoding is re-encoded; in the same one it is kept."""
    def scenario(log: List[Any]) -> None:
        if via_option:
            r = OptReadable(read=noop, encoding="base64")
        else:
            r = OptReadable(read=noop)
            r.set_encoding("base64")
        r.on("data", lambda c: log.append(show(c)))
        for enc in ("utf8", "latin1", "hex", "base64"):
            assert r.unshift("abc", enc) is True

    # each unshift goes in front of the previous one: base64 first, utf8 last
    assert trace(scenario) == ["s:abc", "s:qw==", "s:YWJj", "s:YWJj"]


def test_push_and_unshift_agree_on_the_stream_encoding() -> None:
    """Ported from test-stream-readable-unshift.js (push and unshift behave the same)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.set_encoding("base64")
        r.on("data", lambda c: log.append(show(c)))
        r.push("abc")
        r.unshift("abc")

    assert trace(scenario) == ["s:YWJj", "s:YWJj"]


def test_unshift_empty_chunk_does_not_stall_reading() -> None:
    """Ported from test-stream-unshift-empty-chunk.js: unshifting b'' must not reset
    ``reading``, so a parser that puts back nothing keeps getting data."""
    def scenario(log: List[Any]) -> None:
        left = [10]

        def read(n: int) -> None:
            def later() -> None:
                left[0] -= 1
                r.push(None if left[0] == 0 else b"x" * 10)
            net.set_immediate(later)

        r = OptReadable(read=read)
        put_all_back = [False]

        def on_readable() -> None:
            while True:
                chunk = r.read()
                if chunk is None:
                    break
                log.append(show(chunk))
                r.unshift(b"" if put_all_back[0] else b"y" * 5)
                put_all_back[0] = not put_all_back[0]

        r.on("readable", on_readable)
        r.on("end", lambda: log.append("end"))

    assert trace(scenario) == ["b:xxxxxxxxxx", "b:yyyyy"] * 9 + ["end"]


def test_unshift_after_end_event_is_an_error() -> None:
    """Ported from test-stream-unshift-read-race.js (unshift after 'end' is an error):
    the stream is destroyed with ERR_STREAM_UNSHIFT_AFTER_END_EVENT."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        recorder(log, r, "end", "error", "close")
        r.resume()
        r.push(None)

        def on_end() -> None:
            log.append(r.unshift("x"))
            log.append(r.destroyed)
        r.on("end", on_end)

    assert trace(scenario) == [
        "end", False, True, ("error", "ERR_STREAM_UNSHIFT_AFTER_END_EVENT"), "close"]


def test_unshift_after_end_event_without_auto_destroy_emits_at_once() -> None:
    """Ported from test-stream-unshift-read-race.js with ``autoDestroy: false``:
    the error is emitted synchronously and the stream stays alive."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, auto_destroy=False)
        recorder(log, r, "end", "error", "close")
        r.resume()
        r.push(None)

        def on_end() -> None:
            log.append(r.unshift("x"))
            log.append((r.destroyed, r.readable_length))
        r.on("end", on_end)

    assert trace(scenario) == [
        "end", ("error", "ERR_STREAM_UNSHIFT_AFTER_END_EVENT"), False, (False, 0)]


def test_unshift_none_ends_the_stream() -> None:
    """readable.js rule (readableAddChunkUnshiftByteMode): ``unshift(null)`` is an EOF
    like ``push(null)``; buffered data is still delivered before ``'end'``."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        recorder(log, r, "data", "end", "close")
        r.push("a")
        log.append(r.unshift(None))
        log.append(r.readable_length)

    assert trace(scenario) == [False, 1, ("data", "b:a"), "end", "close"]


def test_unshift_invalid_chunk_destroys_with_err_invalid_arg_type() -> None:
    """Ported from test-stream-readable-invalid-chunk.js, for unshift()."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        recorder(log, r, "error", "close")
        log.append(r.unshift(5))
        log.append(r.destroyed)

    assert trace(scenario) == [False, True, ("error", "ERR_INVALID_ARG_TYPE"), "close"]


def test_unshift_on_errored_stream_is_dropped() -> None:
    """readable.js rule: an errored (not destroyed, autoDestroy false) stream takes
    no unshifted data."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, auto_destroy=False)
        recorder(log, r, "error", "data")
        r.push(5)
        log.append((r.unshift("zz"), r.readable_length, r.destroyed, r.errored is not None))

    assert trace(scenario) == [("error", "ERR_INVALID_ARG_TYPE"), (False, 0, False, True)]


def test_unshift_on_destroyed_stream_is_dropped() -> None:
    """Ported from test-stream-readable-destroy.js (unshift after destroy: no data)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        recorder(log, r, "data", "close")
        r.destroy()
        log.append((r.unshift("asd"), r.readable_length))

    assert trace(scenario) == [(False, 0), "close"]


def test_unshift_returns_whether_more_fits_below_the_high_water_mark() -> None:
    """readable.js rule (canPushMore) for unshift's return value; '' adds nothing."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, high_water_mark=4)
        log.append((r.unshift("ab"), r.unshift("cd"), r.unshift(""), r.readable_length))

    assert trace(scenario) == [(True, False, False, 4)]


def test_unshift_and_push_reject_an_unknown_encoding() -> None:
    """Node's Buffer.from(string, 'bogus') throws ERR_UNKNOWN_ENCODING from push()
    and unshift(); a bytes chunk ignores the encoding argument."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        for call in (r.push, r.unshift):
            try:
                call("x", "bogus")
                log.append("ok")
            except TypeError as exc:
                log.append(code_of(exc))
        log.append((r.push(b"x", "bogus"), r.readable_length))
        log.append((r.push("x", "UTF-8"), r.readable_length))
        r.destroy()

    assert trace(scenario) == ["ERR_UNKNOWN_ENCODING", "ERR_UNKNOWN_ENCODING", (True, 1), (True, 2)]


# -- push ------------------------------------------------------------------------


def test_push_after_eof_destroys_with_err_stream_push_after_eof() -> None:
    """Ported from test-stream-unshift-read-race.js (push() after the EOF null is an
    error): buffered data still flows, then 'error' and 'close', and no 'end'."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        recorder(log, r, "data", "end", "error", "close")
        r.push("a")
        r.push(None)
        log.append(r.push("b"))
        log.append(r.destroyed)

    assert trace(scenario) == [
        False, True, ("data", "b:a"), ("error", "ERR_STREAM_PUSH_AFTER_EOF"), "close"]


def test_push_after_eof_without_auto_destroy_throws_from_push() -> None:
    """Ported from test-stream-unshift-read-race.js: with ``autoDestroy: false`` and no
    'error' listener, the error is emitted synchronously, so push() throws it."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, auto_destroy=False)
        r.push(None)
        with pytest.raises(NodeError) as info:
            r.push("b")
        log.append((info.value.code, str(info.value)))
        log.append((r.destroyed, code_of(r.errored)))

    assert trace(scenario) == [
        ("ERR_STREAM_PUSH_AFTER_EOF", "stream.push() after EOF"),
        (False, "ERR_STREAM_PUSH_AFTER_EOF")]


def test_push_invalid_chunks_destroy_with_err_invalid_arg_type() -> None:
    """Ported from test-stream-readable-invalid-chunk.js."""
    def scenario(log: List[Any]) -> None:
        for bad in (1, {}, True):
            r = OptReadable(read=noop)
            recorder(log, r, "error", "close")
            log.append(r.push(bad))

    assert trace(scenario) == [False, False, False] + [
        ("error", "ERR_INVALID_ARG_TYPE"), "close"] * 3


def test_push_on_destroyed_stream_is_dropped() -> None:
    """Ported from test-stream-readable-destroy.js (push after destroy: no 'data')."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        recorder(log, r, "data", "close")
        r.destroy()
        log.append((r.push("hi"), r.readable_length))

    assert trace(scenario) == [(False, 0), "close"]


def test_empty_pushes_are_not_eof() -> None:
    """Ported from test-stream2-readable-empty-buffer-no-eof.js: empty pushes (async,
    next tick or synchronous within _read) never end the stream."""
    def scenario(log: List[Any]) -> None:
        reads = [5]

        def read(n: int) -> None:
            step = reads[0]
            reads[0] -= 1
            if step == 5:
                net.set_immediate(r.push, b"xxxxx")
            elif step == 4:
                net.set_immediate(r.push, b"")
                net.set_immediate(r.read, 0)
            elif step == 3:
                net.set_immediate(r.read, 0)
                net.next_tick(r.push, b"")
            elif step == 2:
                net.set_immediate(r.read, 0)
                r.push(b"")
            elif step == 1:
                r.push(b"xxxxx")
            elif step == 0:
                r.push(None)

        r = OptReadable(read=read)

        def on_readable() -> None:
            while True:
                chunk = r.read()
                if chunk is None:
                    return
                log.append(show(chunk))
        r.on("readable", on_readable)
        r.on("end", lambda: log.append("end"))

    assert trace(scenario) == ["b:xxxxx", "b:xxxxx", "end"]


def test_push_return_value_and_empty_chunks() -> None:
    """readable.js rule (canPushMore): an empty push adds nothing and returns whether
    the buffer is below the high-water mark (or empty)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, high_water_mark=2)
        log.append((r.push(""), r.push(b""), r.push("abc"), r.push(""), r.readable_length))

    assert trace(scenario) == [(True, True, False, False, 3)]


def test_push_strings_with_an_encoding_and_typed_arrays() -> None:
    """Ported from test-stream-push-strings.js / test-stream-readable-unshift.js: a
    string pushed with an encoding is decoded into bytes; bytes-likes are accepted."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.on("data", lambda c: log.append(show(c)))
        r.push("6869", "hex")
        r.push(bytearray(b"!"))
        r.push(memoryview(b"?"))

    assert trace(scenario) == ["b:hi", "b:!", "b:?"]


def test_push_string_in_the_stream_encoding_is_kept_as_is() -> None:
    """readable.js rule: a string pushed in the stream's own encoding skips the decoder."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.set_encoding("hex")
        r.on("data", lambda c: log.append(show(c)))
        r.push("6869", "hex")
        r.push("hi")

    assert trace(scenario) == ["s:6869", "s:6869"]


def test_push_of_a_partial_character_buffers_nothing_until_complete() -> None:
    """Ported from test-stream2-decode-partial.js: a split UTF-8 character is held by
    the decoder; an incomplete one at EOF becomes U+FFFD."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.set_encoding("utf8")
        r.on("data", lambda c: log.append(show(c)))
        euro = "€".encode()
        log.append(r.push(euro[:2]))
        log.append(r.readable_length)
        r.push(euro[2:])
        r.push(b"\xe2")
        r.push(None)
        r.on("end", lambda: log.append("end"))

    assert trace(scenario) == [True, 0, "s:€", "s:\ufffd", "end"]


def test_push_order_when_read_pushes_twice() -> None:
    """Ported from test-stream-push-order.js: two synchronous pushes per _read() keep
    their order."""
    def scenario(log: List[Any]) -> None:
        items = ["1", "2", "3", "4", "5", "6"]

        def read(n: int) -> None:
            if not items:
                s.push(None)
            else:
                s.push(items.pop(0))
                s.push(items.pop(0))

        s = OptReadable(read=read, high_water_mark=20, encoding="ascii")
        s.read(0)

        def later() -> None:
            log.append(s.readable_length)
            log.append(s.read())
            s.on("end", lambda: log.append("end"))
        net.set_immediate(later)

    assert trace(scenario) == [6, "123456", "end"]


def test_push_strings_sync_async_and_late() -> None:
    """Ported from test-stream-push-strings.js: pushes on the next tick, synchronously
    and from a timer are all read, in order, before 'end'; read() takes one chunk at
    a time (Node 26; Node 20 joined the first two)."""
    def scenario(log: List[Any]) -> None:
        chunks = [3]
        results: List[str] = []

        def read(n: int) -> None:
            step = chunks[0]
            chunks[0] -= 1
            if step == 0:
                ms.push(None)
            elif step == 1:
                net.set_timeout(lambda: ms.push("last chunk"), 20)
            elif step == 2:
                ms.push("second to last chunk")
            elif step == 3:
                net.next_tick(ms.push, "first chunk")

        ms = OptReadable(read=read)

        def on_readable() -> None:
            while True:
                chunk = ms.read()
                if chunk is None:
                    return
                results.append(chunk.decode())
        ms.on("readable", on_readable)
        ms.on("end", lambda: log.append(results))

    assert trace(scenario) == [["first chunk", "second to last chunk", "last chunk"]]


# -- read(n): taking data off the buffer (Node's fromList) -----------------------


def shown(chunk: Any) -> Optional[str]:
    return None if chunk is None else show(chunk)


def test_read_n_spans_and_splits_buffered_chunks() -> None:
    """readable.js rule (fromList, buffers): read(n) joins whole
    chunks and splits the last one; asking for more than is buffered before EOF
    gives None and leaves the buffer alone."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, high_water_mark=100)
        for c in ("foog", "bark", "bazy", "kuel"):
            r.push(c)
        for n in (6, 2, 5, 1, 3, 1):
            log.append((shown(r.read(n)), r.readable_length))
        r.push("xy")
        r.push("z")
        log.append((shown(r.read(3)), r.readable_length))

    assert trace(scenario) == [
        ("b:foogba", 10), ("b:rk", 8), ("b:bazyk", 3), ("b:u", 2), (None, 2), ("b:e", 1),
        ("b:lxy", 1)]


def test_read_n_spans_and_splits_buffered_strings() -> None:
    """readable.js rule (fromList, strings after setEncoding)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, high_water_mark=100)
        r.set_encoding("utf8")
        for c in ("foog", "bark", "bazy", "kuel"):
            r.push(c)
        for n in (6, 2, 5, 3):
            log.append((shown(r.read(n)), r.readable_length))
        for c in ("xy", "zw", "v"):
            r.push(c)
        log.append((shown(r.read()), r.readable_length))

    assert trace(scenario) == [
        ("s:foogba", 10), ("s:rk", 8), ("s:bazyk", 3), ("s:uel", 0), ("s:xyzwv", 0)]


def test_read_more_than_buffered_waits_until_eof() -> None:
    """readable.js rule (howMuchToRead): read(n) past the buffer is None until EOF,
    then returns what is left, and 'end' follows."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, high_water_mark=100)
        r.push("ab")
        r.push("cd")
        log.append((r.read(10), r.readable_length))
        r.push(None)
        log.append((shown(r.read(10)), r.readable_length))
        r.on("end", lambda: log.append("end"))

    assert trace(scenario) == [(None, 4), ("b:abcd", 0), "end"]


def test_read_without_size_takes_one_chunk() -> None:
    """readable.js rule (Node 26): read() without a size returns the first buffered
    chunk; Node 20 returned the whole buffer at once. Decoded strings of a paused
    stream are still joined. Checked against node 26.12."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, high_water_mark=100)
        for c in ("ab", "cd", "ef"):
            r.push(c)
        log.append((shown(r.read()), r.readable_length, shown(r.read()), r.readable_length))
        log.append((shown(r.read(None)), r.readable_length, r.read()))
        s = OptReadable(read=noop, high_water_mark=100)
        s.set_encoding("utf8")
        for c in ("ab", "cd"):
            s.push(c)
        log.append((s.read(), s.readable_length))
        h = OptReadable(read=noop, high_water_mark=2)
        h.push("abcdef")
        h.push("gh")
        log.append((shown(h.read()), h.readable_length, h.readable_high_water_mark))

    assert trace(scenario) == [("b:ab", 4, "b:cd", 2), ("b:ef", 0, None), ("abcd", 0),
                               ("b:abcdef", 2, 2)]


def test_read_n_raises_the_high_water_mark_to_a_power_of_two() -> None:
    """readable.js rule (computeNewHighWaterMark): read(n) above the mark raises it to
    the next power of two; above 1 GiB is ERR_OUT_OF_RANGE, a RangeError."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, high_water_mark=16)
        log.append(r.readable_high_water_mark)
        for n in (17, 1000, 1024):
            r.read(n)
            log.append(r.readable_high_water_mark)
        with pytest.raises(ValueError) as info:
            r.read(0x40000001)
        log.append(code_of(info.value))
        log.append(r.readable_high_water_mark)
        r.read(0x40000000)
        log.append(r.readable_high_water_mark)

    assert trace(scenario) == [16, 32, 1024, 1024, "ERR_OUT_OF_RANGE", 1024, 1073741824]


# -- set_encoding ----------------------------------------------------------------


def test_set_encoding_converts_what_is_already_buffered() -> None:
    """Ported from test-stream-readable-setEncoding-existing-buffers.js: buffered
    bytes (a character split across two of them too) become one string."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.push(b"\xe2")
        r.push(b"\x82\xac")
        r.push(b"abc")
        r.set_encoding("utf8")
        log.append((r.readable_length, r.readable_encoding, shown(r.read())))

    assert trace(scenario) == [(4, "utf8", "s:€abc")]


def test_set_encoding_keeps_a_partial_character_for_the_next_push() -> None:
    """Ported from test-stream-readable-setEncoding-existing-buffers.js: an incomplete
    character already buffered waits in the decoder (length 0) for its last byte."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.push(b"\xe2\x82")
        r.set_encoding("utf8")
        log.append(r.readable_length)
        r.push(b"\xac")
        log.append((r.readable_length, shown(r.read())))

    assert trace(scenario) == [0, (1, "s:€")]


def test_set_encoding_none_means_utf8_and_unknown_throws() -> None:
    """Ported from test-stream-readable-setEncoding-null.js; an unknown encoding throws
    ERR_UNKNOWN_ENCODING and keeps the current one."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        log.append(r.readable_encoding)
        log.append(r.set_encoding(None) is r)
        log.append(r.readable_encoding)
        with pytest.raises(TypeError) as info:
            r.set_encoding("bogus")
        log.append(code_of(info.value))
        log.append(r.readable_encoding)

    assert trace(scenario) == [None, True, "utf8", "ERR_UNKNOWN_ENCODING", "utf8"]


# -- _read -----------------------------------------------------------------------


def test_unimplemented_read_destroys_with_err_method_not_implemented() -> None:
    """Ported from test-stream-readable-with-unimplemented-_read.js."""
    def scenario(log: List[Any]) -> None:
        r = Readable()
        recorder(log, r, "error", "close")
        r.read()
        log.append(r.destroyed)

    assert trace(scenario) == [True, ("error", "ERR_METHOD_NOT_IMPLEMENTED"), "close"]


def test_read_that_throws_destroys_the_stream() -> None:
    """readable.js rule: an exception from _read() goes to errorOrDestroy."""
    def scenario(log: List[Any]) -> None:
        def read(n: int) -> None:
            raise RuntimeError("boom")
        r = OptReadable(read=read)
        recorder(log, r, "error", "close")
        log.append(r.read())

    assert trace(scenario) == [None, ("error", "boom"), "close"]


def test_read_that_throws_without_auto_destroy_emits_error_synchronously() -> None:
    """readable.js rule, ``autoDestroy: false``: 'error' is emitted inside read()."""
    def scenario(log: List[Any]) -> None:
        def read(n: int) -> None:
            raise RuntimeError("boom")
        r = OptReadable(read=read, auto_destroy=False)
        r.on("error", lambda e: log.append(("error", str(e), r.destroyed)))
        log.append(r.read())
        log.append("after")

    assert trace(scenario) == [("error", "boom", False), None, "after"]


def test_synchronous_push_inside_read_is_returned_by_the_same_read() -> None:
    """readable.js rule: when _read() pushes synchronously, read(n) re-evaluates and
    returns the new data at once (test-stream2-basic.js's sync reader)."""
    def scenario(log: List[Any]) -> None:
        count = [0]

        def read(n: int) -> None:
            r.push("abc" if count[0] < 3 else None)
            count[0] += 1

        r = OptReadable(read=read, high_water_mark=2)
        log.append((shown(r.read(2)), r.readable_length))
        log.append((shown(r.read(2)), r.readable_length))
        r.on("end", lambda: log.append("end"))
        r.on("data", lambda c: log.append(show(c)))

    assert trace(scenario) == [("b:ab", 1), ("b:ca", 2), "b:bc", "b:abc", "end"]


def test_synchronous_eof_inside_read_emits_readable_on_next_tick() -> None:
    """readable.js rule (onEofChunk while sync): 'readable' is deferred a tick."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=lambda n: r.push(None))
        recorder(log, r, "readable", "end", "close")
        log.append(r.read())
        log.append("sync")

    assert trace(scenario) == [None, "sync", "readable", "end", "close"]


def test_second_eof_is_ignored() -> None:
    """readable.js rule (onEofChunk): push(None) twice ends once."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        recorder(log, r, "data", "end", "close")
        r.push("a")
        r.push(None)
        log.append(r.push(None))

    assert trace(scenario) == [False, ("data", "b:a"), "end", "close"]


def test_read_zero_at_eof_ends_the_stream() -> None:
    """readable.js rule: read(0) with nothing buffered after EOF schedules 'end'."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def on_readable() -> None:
            log.append(("readable", r.readable_length))
            log.append(r.read(0))
        r.on("readable", on_readable)
        recorder(log, r, "end", "close")
        r.push(None)

    assert trace(scenario) == [("readable", 0), None, "end", "close"]


# -- flow control: pause / resume / 'readable' -----------------------------------


def test_is_paused_and_readable_flowing() -> None:
    """Ported from test-stream-ispaused.js (with readableFlowing at each step)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        log.append((r.is_paused(), r.readable_flowing))
        r.on("data", noop)
        log.append((r.is_paused(), r.readable_flowing))
        r.pause()
        log.append((r.is_paused(), r.readable_flowing))
        r.resume()
        log.append((r.is_paused(), r.readable_flowing))
        r.destroy()

    assert trace(scenario) == [(False, None), (False, True), (True, False), (False, True)]


def test_pause_and_resume_emit_once_each_and_return_the_stream() -> None:
    """readable.js rule: 'pause' only when flowing stops, 'resume' once per scheduled
    resume (a tick later); a paused stream buffers pushes."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        recorder(log, r, "pause", "resume", "data")
        log.append(r.pause() is r)
        r.pause()
        r.push("a")
        log.append(r.resume() is r)
        r.resume()
        log.append("sync")

        def later() -> None:
            r.pause()
            r.push("b")
            log.append(r.readable_length)
            r.destroy()
        net.set_immediate(later)

    assert trace(scenario) == ["pause", True, True, "sync", "resume", ("data", "b:a"), "pause", 1]


def test_data_never_fires_while_paused() -> None:
    """Ported from test-stream-readable-pause-and-resume.js: a 'data' handler that
    pauses, then re-subscribes and resumes on a later turn, sees every chunk once."""
    def scenario(log: List[Any]) -> None:
        ticks = [18]
        expected = [19]
        count = [0]

        def read(n: int) -> None:
            ticks[0] -= 1
            if ticks[0] >= 0:
                net.next_tick(rs.push, "x")
                return
            rs.push("x")
            rs.push(None)

        rs = OptReadable(read=read, high_water_mark=1)
        rs.on("end", lambda: log.append(("end", count[0])))

        def read_and_pause() -> None:
            def ondata(chunk: Any) -> None:
                count[0] += 1
                rs.pause()
                expected[0] -= 1
                if expected[0] <= 0:
                    return

                def again() -> None:
                    rs.remove_listener("data", ondata)
                    read_and_pause()
                    rs.resume()
                net.set_immediate(again)
            rs.on("data", ondata)

        read_and_pause()

    assert trace(scenario) == [("end", 19)]


def test_pause_after_removing_readable_stays_paused() -> None:
    """Ported from test-stream-readable-pause-and-resume.js (pause after a 'readable'
    listener came and went): still paused a tick later, flowing back to None."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.set_encoding("utf8")
        r.on("readable", noop)
        r.remove_listener("readable", noop)
        r.pause()
        net.next_tick(lambda: log.append((r.is_paused(), r.readable_flowing)))

    assert trace(scenario) == [(True, None)]


def test_late_readable_listener_gets_buffered_data() -> None:
    """Ported from test-stream-readable-event.js (first case): a 'readable' listener
    added once data sits above the mark is told at once; _read is not called."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=lambda n: log.append("_read"), high_water_mark=3)
        r.push(b"blerg")
        net.set_timeout(lambda: r.on(
            "readable", lambda: log.append(("readable", r.readable_length))), 1)

    assert trace(scenario) == [("readable", 5)]


def test_late_readable_listener_while_reading() -> None:
    """Ported from test-stream-readable-event.js (second case): below the mark a read
    is in progress, and 'readable' is still re-emitted for what is buffered."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=lambda n: log.append("_read"), high_water_mark=3)
        r.push(b"bl")
        net.set_timeout(lambda: r.on(
            "readable", lambda: log.append(("readable", r.readable_length))), 1)

    assert trace(scenario) == ["_read", ("readable", 2)]


def test_empty_string_pushes_trigger_the_next_read() -> None:
    """Ported from test-stream-readable-event.js (empty strings in non-object mode)."""
    def scenario(log: List[Any]) -> None:
        data = ["", "x", "y", "", "z"]

        def read(n: int) -> None:
            def later() -> None:
                r.push(data.pop(0) if data else None)
            net.next_tick(later)

        r = OptReadable(read=read, encoding="utf8")

        def on_readable() -> None:
            chunk = r.read()
            if chunk is not None:
                log.append(chunk)
        r.on("readable", on_readable)
        r.on("end", lambda: log.append("end"))

    assert trace(scenario) == ["x", "y", "z", "end"]


def test_remove_all_listeners_then_flow_resumes_next_tick() -> None:
    """Ported from test-stream-readable-event.js (#20923): removeAllListeners() leaves
    no events; the stream had a 'data' listener, so it resumes on the next tick."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.on("data", noop)
        r.on("readable", noop)
        r.remove_all_listeners()
        log.append((len(r.event_names()), r.readable_flowing))
        net.next_tick(lambda: log.append(r.readable_flowing))
        net.set_immediate(r.destroy)

    assert trace(scenario) == [(0, False), True]


def test_remove_all_readable_listeners_hands_over_to_data() -> None:
    """readable.js rule (updateReadableListening): without 'readable' listeners a
    stream with 'data' listeners starts flowing."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.on("readable", lambda: log.append("readable"))
        r.on("data", lambda c: log.append(show(c)))
        r.push("a")
        r.remove_all_listeners("readable")
        log.append(r.readable_flowing)

        def later() -> None:
            log.append(r.readable_flowing)
            r.push("b")
            r.destroy()
        net.set_immediate(later)

    assert trace(scenario) == [False, "b:a", True, "b:b"]


def test_removing_the_readable_listener_resumes_data_flow() -> None:
    """readable.js rule (removeListener('readable')): flowing stays False in the same
    tick and switches to True on the next one, when 'data' listeners remain."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def on_readable() -> None:
            log.append("readable")
        r.on("readable", on_readable)
        r.on("data", lambda c: log.append(show(c)))
        r.push("a")
        log.append(r.readable_flowing)

        def later() -> None:
            r.remove_listener("readable", on_readable)
            log.append(r.readable_flowing)
            net.next_tick(lambda: log.append(r.readable_flowing))

            def after() -> None:
                log.append(r.readable_flowing)
                r.push("b")
                r.destroy()
            net.set_immediate(after)
        net.set_immediate(later)

    assert trace(scenario) == [False, "readable", False, True, "b:a", True, "b:b"]


def test_resume_scheduled_when_readable_listener_removed() -> None:
    """Ported from test-stream-readable-readable-then-resume.js: resume() right after
    removing the only 'readable' listener flows on the next tick."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def on_readable() -> None:
            log.append("readable")
        r.on("readable", on_readable)
        r.push("a")
        r.remove_listener("readable", on_readable)
        r.resume()
        log.append(r.readable_flowing)
        r.on("data", lambda c: log.append(show(c)))
        net.next_tick(lambda: log.append(("tick", r.readable_flowing)))
        net.set_immediate(r.destroy)

    assert trace(scenario) == [False, "b:a", ("tick", True)]


def test_removing_the_only_readable_listener_resets_flowing() -> None:
    """readable.js rule (updateReadableListening): no listeners at all -> None."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def on_readable() -> None:
            log.append("readable")
        r.on("readable", on_readable)
        log.append(r.readable_flowing)
        r.remove_listener("readable", on_readable)
        net.next_tick(lambda: log.append(r.readable_flowing))

    assert trace(scenario) == [False, None]


def test_data_pushed_after_the_last_data_listener_left_is_lost() -> None:
    """readable.js rule: a stream left flowing with no 'data' listener still reads its
    buffer out, so later listeners do not get it (as in Node)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def ondata(c: Any) -> None:
            log.append(show(c))
        r.on("data", ondata)
        r.push("a")

        def later() -> None:
            r.remove_listener("data", ondata)
            r.push("b")
            log.append((r.readable_flowing, r.readable_length))

            def after() -> None:
                log.append(r.readable_length)
                r.on("data", ondata)
                r.destroy()
            net.set_immediate(after)
        net.set_immediate(later)

    assert trace(scenario) == ["b:a", (True, 1), 0]


def test_readable_listener_after_end_changes_nothing() -> None:
    """readable.js rule (on('readable') after 'end'): no event, flowing unchanged."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.push(None)
        r.resume()

        def on_end() -> None:
            r.on("readable", lambda: log.append("readable"))
            log.append(r.readable_flowing)
            net.set_immediate(lambda: log.append("done"))
        r.on("end", on_end)

    assert trace(scenario) == [True, "done"]


# -- destroy ---------------------------------------------------------------------


def test_destroy_without_error() -> None:
    """Ported from test-stream-readable-destroy.js (plain destroy): 'close' only,
    ``closed`` is already true when destroy() returns."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.resume()
        recorder(log, r, "end", "error", "close")
        log.append((r.destroy() is r, r.errored, r.destroyed, r.closed))
        net.next_tick(lambda: log.append(("tick", r.closed)))

    assert trace(scenario) == [(True, None, True, True), "close", ("tick", True)]


def test_destroy_with_error() -> None:
    """Ported from test-stream-readable-destroy.js: 'error' then 'close', no 'end'."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.resume()
        recorder(log, r, "end", "error", "close")
        err = RuntimeError("kaboom")
        r.destroy(err)
        log.append((r.errored is err, r.destroyed, r.readable))

    assert trace(scenario) == [(True, True, False), ("error", "kaboom"), "close"]


def test_custom_destroy_passing_the_error_on() -> None:
    """Ported from test-stream-readable-destroy.js (_destroy calls back with err)."""
    def scenario(log: List[Any]) -> None:
        def destroy(err: Optional[BaseException], cb: Callable[..., Any]) -> None:
            log.append(("_destroy", str(err)))
            cb(err)
        r = OptReadable(read=noop, destroy=destroy)
        recorder(log, r, "end", "error", "close")
        r.destroy(RuntimeError("kaboom"))

    assert trace(scenario) == [("_destroy", "kaboom"), ("error", "kaboom"), "close"]


def test_custom_destroy_swallowing_the_error() -> None:
    """Ported from test-stream-readable-destroy.js: no 'error' event, yet ``errored``
    keeps the error destroy() was given."""
    def scenario(log: List[Any]) -> None:
        def destroy(err: Optional[BaseException], cb: Callable[..., Any]) -> None:
            log.append(("_destroy", str(err)))
            cb()
        r = OptReadable(read=noop, destroy=destroy)
        recorder(log, r, "end", "error", "close")
        r.destroy(RuntimeError("kaboom"))
        log.append(str(r.errored))

    assert trace(scenario) == [("_destroy", "kaboom"), "kaboom", "close"]


def test_custom_destroy_gets_no_error() -> None:
    """Ported from test-stream-readable-destroy.js (_destroy(null, cb))."""
    def scenario(log: List[Any]) -> None:
        def destroy(err: Optional[BaseException], cb: Callable[..., Any]) -> None:
            log.append(("_destroy", err))
            cb()
        r = OptReadable(read=noop, destroy=destroy)
        r.destroy()
        log.append(r.destroyed)

    assert trace(scenario) == [("_destroy", None), True]


def test_push_none_while_destroying_does_not_end() -> None:
    """Ported from test-stream-readable-destroy.js: an EOF pushed by an asynchronous
    _destroy gives no 'end'; ``closed`` waits for the callback."""
    def scenario(log: List[Any]) -> None:
        def destroy(err: Optional[BaseException], cb: Callable[..., Any]) -> None:
            def later() -> None:
                r.push(None)
                cb()
            net.next_tick(later)
        r = OptReadable(read=noop, destroy=destroy)
        r.resume()
        recorder(log, r, "end", "close")
        r.destroy()
        log.append((r.destroyed, r.closed))

    assert trace(scenario) == [(True, False), "close"]


def test_error_given_to_the_destroy_callback_is_emitted_next_tick() -> None:
    """Ported from test-stream-readable-destroy.js (_destroy calls back with its own
    error): ``errored`` is set at once, 'error' comes a tick later."""
    def scenario(log: List[Any]) -> None:
        err = RuntimeError("kaboom")
        ticked = [False]
        r = OptReadable(read=noop, destroy=lambda e, cb: cb(err))
        r.on("error", lambda e: log.append(("error", ticked[0], e is err)))
        r.on("close", lambda: log.append("close"))
        r.destroy()
        log.append(r.errored is err)
        ticked[0] = True

    assert trace(scenario) == [True, ("error", True, True), "close"]


def test_destroy_again_before_the_async_destroy_callback() -> None:
    """Ported from test-stream-readable-destroy.js: a second destroy(err) while the
    first _destroy is pending is ignored; the callback's error is the one emitted."""
    def scenario(log: List[Any]) -> None:
        def destroy(err: Optional[BaseException], cb: Callable[..., Any]) -> None:
            net.next_tick(cb, RuntimeError("kaboom 1"))
        r = OptReadable(read=noop, destroy=destroy)
        r.on("close", lambda: log.append("close"))
        r.on("error", lambda e: log.append(("error", str(e))))
        r.destroy()
        log.append((r.destroyed, r.errored))
        r.destroy(RuntimeError("kaboom 2"))
        log.append(r.errored)

    assert trace(scenario) == [(True, None), None, ("error", "kaboom 1"), "close"]


def test_error_is_emitted_once_for_two_destroys() -> None:
    """Ported from test-stream-error-once.js / test-stream-readable-destroy.js."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        recorder(log, r, "error", "close")
        r.destroy(RuntimeError("a"))
        r.destroy(RuntimeError("b"))
        log.append(str(r.errored))

    assert trace(scenario) == ["a", ("error", "a"), "close"]


def test_read_after_destroy_does_not_call_read() -> None:
    """Ported from test-stream-readable-destroy.js (read() after destroy())."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=lambda n: log.append("_read"))
        r.destroy()
        log.append(r.read())

    assert trace(scenario) == [None]


def test_destroy_callback_called_twice_counts_once() -> None:
    """destroy.js rule (onDestroy guards against a second call)."""
    def scenario(log: List[Any]) -> None:
        def destroy(err: Optional[BaseException], cb: Callable[..., Any]) -> None:
            cb()
            cb(RuntimeError("late"))
        r = OptReadable(read=noop, destroy=destroy)
        recorder(log, r, "error", "close")
        r.destroy()
        log.append(r.errored)

    assert trace(scenario) == [None, "close"]


def test_destroy_that_throws_is_an_error() -> None:
    """destroy.js rule: an exception from _destroy() is handled as its callback's error."""
    def scenario(log: List[Any]) -> None:
        def destroy(err: Optional[BaseException], cb: Callable[..., Any]) -> None:
            raise RuntimeError("thrown")
        r = OptReadable(read=noop, destroy=destroy)
        recorder(log, r, "error", "close")
        r.destroy()
        log.append((str(r.errored), r.closed))

    assert trace(scenario) == [("thrown", True), ("error", "thrown"), "close"]


def test_emit_close_false_skips_close() -> None:
    """destroy.js rule (the emitClose option false): no 'close'
    event, yet ``closed`` is true."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, emit_close=False)
        recorder(log, r, "error", "close")
        r.destroy(RuntimeError("x"))
        net.set_immediate(lambda: log.append(r.closed))

    assert trace(scenario) == [("error", "x"), True]


def test_push_read_unshift_in_error_and_close_handlers_do_nothing() -> None:
    """Ported from test-stream-readable-destroy.js: a destroyed stream gives no 'data'."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.on("data", lambda c: log.append("data"))

        def on_error(e: BaseException) -> None:
            log.append(("error", r.push("asd")))
            log.append(r.read())

        def on_close() -> None:
            log.append(("close", r.push("asd")))
            log.append(r.read())
            log.append(r.unshift("asd"))
        r.on("error", on_error)
        r.on("close", on_close)
        r.destroy(RuntimeError("asd"))

    assert trace(scenario) == [("error", False), None, ("close", False), None, False]


# -- properties ------------------------------------------------------------------


def test_readable_aborted() -> None:
    """Ported from test-stream-readable-aborted.js."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        log.append(r.readable_aborted)
        r.destroy()
        log.append(r.readable_aborted)
        r = OptReadable(read=noop)
        r.push(None)
        r.destroy()
        log.append(r.readable_aborted)
        r = OptReadable(read=noop)
        r.push("asd")
        r.destroy()
        log.append(r.readable_aborted)
        r2 = OptReadable(read=noop)
        r2.push("asd")
        r2.push(None)
        log.append(r2.readable_aborted)

        def on_end() -> None:
            log.append(("end", r2.readable_aborted))
            r2.destroy()
            log.append(r2.readable_aborted)
        r2.on("end", on_end)
        r2.resume()

    assert trace(scenario) == [False, True, True, True, False, ("end", False), False]


def test_readable_aborted_when_errored_but_not_destroyed() -> None:
    """readable.js rule (readableAborted counts ``errored`` too)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, auto_destroy=False)
        r.on("error", noop)
        r.push(1)
        log.append((r.destroyed, r.readable_aborted, r.readable))

    assert trace(scenario) == [(False, True, False)]


def test_readable_properties_through_a_life() -> None:
    """Ported from test-stream-readable-ended.js / test-stream-readable-readable.js:
    the property getters, and the ``readable`` setter, before, at 'end' and at 'close'."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, high_water_mark=7)
        log.append((r.readable, r.readable_ended, r.readable_length,
                    r.readable_high_water_mark, r.readable_encoding, r.destroyed,
                    r.closed, r.errored))
        r.readable = False
        log.append((r.readable, r.readable_aborted))
        r.readable = True
        log.append(r.readable)
        r.push("abc")
        r.push(None)
        r.on("end", lambda: log.append(("end", r.readable, r.readable_ended,
                                        r.readable_aborted)))
        r.on("close", lambda: log.append(("close", r.readable, r.destroyed, r.closed)))
        r.resume()

    assert trace(scenario) == [
        (True, False, 0, 7, None, False, False, None), (False, False), True,
        ("end", False, True, False), ("close", False, True, True)]


def test_readable_set_false_is_never_aborted() -> None:
    """Ported from test-stream-readable-aborted.js (a side that is not readable)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.readable = False
        r.destroy()
        log.append(r.readable_aborted)

    assert trace(scenario) == [False]


# -- listener bookkeeping and small rules -----------------------------------------


def test_prepended_data_listener_does_not_start_the_flow() -> None:
    """readable.js rule: only Readable.on('data') resumes; prependListener is the plain
    EventEmitter method, so the stream stays unflowing until resume()."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.prepend_listener("data", lambda c: log.append(show(c)))
        r.push("a")
        log.append(r.readable_flowing)

        def later() -> None:
            log.append((r.readable_flowing, r.readable_length))
            r.resume()
        net.set_immediate(later)

    assert trace(scenario) == [None, (None, 1), "b:a"]


def test_unshift_accepts_bytes_likes() -> None:
    """Ported from test-stream-readable-unshift.js (TypedArray/DataView chunks)."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.on("data", lambda c: log.append(show(c)))
        r.push("b")
        r.unshift(bytearray(b"a"))
        r.unshift(memoryview(b"z"))

    assert trace(scenario) == ["b:z", "b:a", "b:b"]


def test_read_calls_read_only_below_the_high_water_mark() -> None:
    """readable.js rule (doRead): no _read() while what stays buffered after this
    read() is at or above the mark; read(0) on a full buffer reads nothing."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=lambda n: log.append("_read"), high_water_mark=2)
        r.push("abcdef")
        log.append((r.read(0), r.readable_length))
        for n in (1, 3, 1):
            log.append((shown(r.read(n)), r.readable_length))

    assert trace(scenario) == [
        (None, 6), ("b:a", 5), "_read", ("b:bcd", 2), ("b:e", 1)]


def test_removing_one_of_two_readable_listeners() -> None:
    """readable.js rule (updateReadableListening): with a 'readable' listener left the
    stream keeps paused mode."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def f() -> None:
            log.append("f")

        def g() -> None:
            log.append("g")
            r.read()
        r.on("readable", f)
        r.on("readable", g)
        r.remove_listener("readable", f)
        r.push("a")
        net.next_tick(lambda: log.append(r.readable_flowing))

    assert trace(scenario) == ["g", False]


def test_removing_one_of_two_data_listeners_keeps_flowing() -> None:
    """readable.js rule: ``dataListening`` drops only with the last 'data' listener."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)

        def f(c: Any) -> None:
            log.append("f" + show(c))

        def g(c: Any) -> None:
            log.append("g" + show(c))
        r.on("data", f)
        r.on("data", g)
        r.remove_listener("data", f)
        r.push("a")

    assert trace(scenario) == ["gb:a"]


def test_unshift_read_race() -> None:
    """Ported from test-stream-unshift-read-race.js: a parser that reads 10 bytes and
    unshifts 4 back never causes overlapping _read() calls; unshift after the EOF
    null is allowed, push is not (thrown, as autoDestroy is off); no 'end'."""
    def scenario(log: List[Any]) -> None:
        hwm = 10
        data = bytes(b"asdf"[i % 4] for i in range(10 * hwm + hwm // 2))
        pos = [0]
        pushed_null = [False]

        def read(n: int) -> None:
            if pushed_null[0]:
                log.append("_read after null")
            chunk = None if pos[0] >= len(data) else data[pos[0]:pos[0] + n]
            pushed_null[0] = chunk is None

            def later() -> None:
                pos[0] += n
                r.push(chunk)
                if chunk is None:
                    push_error()
            net.set_timeout(later, 1)

        def push_error() -> None:
            r.unshift(b"Z")
            w.end()
            try:
                r.push(b"x")
            except NodeError as exc:
                log.append(exc.code)

        r = OptReadable(read=read, high_water_mark=hwm, auto_destroy=False)
        written: List[str] = []

        def write(chunk: bytes, cb: Callable[..., Any]) -> None:
            written.append(bytes(chunk).decode())
            cb()
        w = OptWritable(write=write)
        r.on("end", lambda: log.append("end"))

        def on_readable() -> None:
            while True:
                chunk = r.read(10)
                if chunk is None:
                    return
                w.write(chunk)
                if len(chunk) > 4:
                    r.unshift(b"1234")
        r.on("readable", on_readable)
        w.on("finish", lambda: log.append(written))

    body = ["1234dfasdf", "1234asdfas"] * 7 + ["1234dfasdf", "1234asdfa", "1234"]
    assert trace(scenario) == ["ERR_STREAM_PUSH_AFTER_EOF", ["asdfasdfas"] + body]


def test_remove_all_data_listeners_keeps_flowing() -> None:
    """readable.js rule: removeAllListeners('data') does not clear ``dataListening``
    (only removeListener does), so the stream keeps flowing and drops the data."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        r.on("data", lambda c: log.append("data"))
        r.remove_all_listeners("data")
        r.push("a")
        net.next_tick(lambda: log.append((r.readable_flowing, r.readable_length)))

    assert trace(scenario) == [(True, 0)]


def test_readable_listener_while_a_read_is_pending() -> None:
    """readable.js rule (on('readable') while reading): no extra read(0); the pending
    _read's push emits 'readable'."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=lambda n: log.append("_read"))
        r.read(0)
        r.on("readable", lambda: log.append("readable"))

        def later() -> None:
            log.append("imm")
            r.push("x")
        net.set_immediate(later)

    assert trace(scenario) == ["_read", "imm", "readable", "_read"]


def test_error_is_emitted_once_without_auto_destroy() -> None:
    """Ported from test-stream-error-once.js (autoDestroy false): two errors, one
    'error' event; ``errored`` keeps the first."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop, auto_destroy=False)
        r.on("error", lambda e: log.append(("error", code_of(e))))
        r.push(5)
        r.push({})
        log.append(code_of(r.errored))

    assert trace(scenario) == [("error", "ERR_INVALID_ARG_TYPE"), "ERR_INVALID_ARG_TYPE"]


def test_undestroy_makes_a_readable_usable_again() -> None:
    """destroy.js rule (undestroy), as net.Socket uses it to reconnect."""
    def scenario(log: List[Any]) -> None:
        r = OptReadable(read=noop)
        recorder(log, r, "data", "end", "close")
        r.destroy()

        def on_close() -> None:
            r._undestroy()
            log.append((r.destroyed, r.closed, r.readable, r.readable_ended))
            r.push("again")
            r.push(None)
        r.once("close", on_close)

    assert trace(scenario) == [
        "close", (False, False, True, False), ("data", "b:again"), "end", "close"]
