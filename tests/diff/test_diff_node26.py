"""Differential: what changed between Node 20 and Node 26 in ``net`` and the parts of
``stream``/``events`` it is made of, each scenario run in both binaries.

nodenet follows Node 26; where Node 20 behaves otherwise the test says so
(``node20_differs``: its Node 20 run is a strict xfail) and docs/compat.md lists
the Node 20 behaviour. Scenarios for features Node 20 does not have skip there.
"""

from __future__ import annotations

import os
from typing import Any, List

import pytest

import nodenet as net
from difftrace import Trace, check
from nodenet import events, stream
from nodenet.stream import Readable, Writable

pytestmark = pytest.mark.node


@pytest.mark.node20_differs("end() on a socket that never connected never calls back or "
                            "emits 'finish' in Node 20 (Node 21+ finishes at once)")
def test_end_on_a_never_connected_socket() -> None:
    js = """
    const s = new net.Socket();
    watch(s, 's', ['prefinish', 'finish', 'end', 'close', 'error']);
    const r = s.end(() => rec('end cb'));
    rec('returns', r === s, s.writableEnded, s.writableFinished, s.readyState, s.pending);
    setTimeout(() => rec('later', s.writableFinished, s.destroyed, s.readyState), 20);
    """

    def py(t: Trace) -> None:
        s = net.Socket()
        t.watch(s, "s", ["prefinish", "finish", "end", "close", "error"])
        r = s.end(lambda *a: t.rec("end cb"))
        t.rec("returns", r is s, s.writable_ended, s.writable_finished, s.ready_state,
              s.pending)
        net.set_timeout(lambda: t.rec("later", s.writable_finished, s.destroyed,
                                      s.ready_state), 20)

    check(js, py)


def test_end_on_a_destroyed_socket_is_unchanged() -> None:
    """Same in both: a destroyed socket's end() calls back with an error."""
    js = """
    const s = new net.Socket();
    watch(s, 's', ['finish', 'error']);
    s.on('close', () => rec('close'));
    s.destroy();
    s.end((err) => rec('end cb', err));
    """

    def py(t: Trace) -> None:
        s = net.Socket()
        t.watch(s, "s", ["finish", "error"])
        s.on("close", lambda *_: t.rec("close"))    # Node passes no had_error here
        s.destroy()
        s.end(lambda err=None: t.rec("end cb", err))

    check(js, py)


@pytest.mark.node20_differs("an exception thrown by dest.write() escapes pipe()'s 'data' "
                            "handler in Node 20 (uncaught); Node 24+ destroys dest with it")
def test_pipe_destroys_a_destination_whose_write_throws() -> None:
    js = """
    const { Readable, Writable } = require('stream');
    process.on('uncaughtException', (e) => rec('uncaught', e.message));
    const r = new Readable({ read() {} });
    const w = new Writable({ write(c, e, cb) { cb(); } });
    w.write = (chunk) => { rec('dest.write', chunk); throw new Error('boom'); };
    watch(w, 'dest', ['error', 'close', 'finish']);
    watch(r, 'src', ['pause', 'error', 'end']);
    r.pipe(w);
    r.push('a');
    r.push('b');
    setTimeout(() => rec('after', w.destroyed, r.destroyed, r.isPaused()), 20);
    """

    def py(t: Trace) -> None:
        net.process.on("uncaughtException", lambda e, *_: t.rec("uncaught", str(e)))

        class R(Readable):
            def _read(self, size: int) -> None:
                pass

        class W(Writable):
            def _write(self, chunk: Any, callback: Any) -> None:
                callback()

        r, w = R(), W()

        def bad(chunk: Any, *_: Any) -> bool:
            t.rec("dest.write", chunk)
            raise ValueError("boom")

        w.write = bad  # type: ignore[method-assign]
        t.watch(w, "dest", ["error", "close", "finish"])
        t.watch(r, "src", ["pause", "error", "end"])
        r.pipe(w)
        r.push(b"a")
        r.push(b"b")
        net.set_timeout(lambda: t.rec("after", w.destroyed, r.destroyed, r.is_paused()), 20)

    check(js, py)


@pytest.mark.node20_differs("read() without a size returns the whole buffer in Node 20; "
                            "Node 26 returns one chunk")
def test_read_without_a_size() -> None:
    js = """
    const { Readable } = require('stream');
    const r = new Readable({ read() {} });
    r.push('aa'); r.push('bbb'); r.push('c');
    rec('read()', r.read(), r.readableLength);
    rec('read()', r.read(), r.readableLength);
    rec('read(2)', r.read(2), r.readableLength);
    const s = new Readable({ read() {} });
    s.setEncoding('utf8');
    s.push('xx'); s.push('yyy');
    rec('decoded', s.read(), s.readableLength);
    const t = new Readable({ read() {} });
    const got = [];
    t.on('readable', () => { let c; while ((c = t.read()) !== null) got.push(c); });
    t.on('end', () => rec('readable loop', got));
    t.push('p'); t.push('q'); t.push(null);
    """

    def py(t: Trace) -> None:
        class R(Readable):
            def _read(self, size: int) -> None:
                pass

        r = R()
        for c in (b"aa", b"bbb", b"c"):
            r.push(c)
        t.rec("read()", r.read(), r.readable_length)
        t.rec("read()", r.read(), r.readable_length)
        t.rec("read(2)", r.read(2), r.readable_length)
        s = R()
        s.set_encoding("utf8")
        s.push(b"xx")
        s.push(b"yyy")
        t.rec("decoded", s.read(), s.readable_length)
        tr = R()
        got: List[Any] = []

        def on_readable() -> None:
            while True:
                c = tr.read()
                if c is None:
                    return
                got.append(c)

        tr.on("readable", on_readable)
        tr.on("end", lambda: t.rec("readable loop", got))
        tr.push(b"p")
        tr.push(b"q")
        tr.push(None)

    check(js, py)


@pytest.mark.node20_differs("Node 20 cuts a Unix path longer than sun_path short (and at a "
                            "NUL) and binds or connects to that; Node 23+ fails with EINVAL")
def test_unix_path_that_does_not_fit(ipc_path: str) -> None:
    directory = os.path.dirname(ipc_path)
    long_path = os.path.join(directory, "p" * 120)
    nul_path = ipc_path + "\0x"
    js = """
    const L = %(L)s, N = %(N)s;
    const srv = net.createServer();
    srv.on('error', (e) => rec('listen long', e));
    srv.listen(L, () => { rec('listening long'); srv.close(); });
    const srv2 = net.createServer();
    srv2.on('error', (e) => rec('listen nul', e));
    srv2.listen(N, () => { rec('listening nul'); srv2.close(); });
    for (const p of [L, N]) {
      const c = net.connect(p);
      c.on('error', (e) => rec('connect', e.code, e.syscall, e.address === p));
      c.on('connect', () => { rec('connected'); c.destroy(); });
    }
    """ % {"L": repr(long_path), "N": repr(nul_path)}

    def py(t: Trace) -> None:
        srv = net.create_server()
        srv.on("error", lambda e: t.rec("listen long", e))
        srv.listen(long_path, lambda: (t.rec("listening long"), srv.close()))
        srv2 = net.create_server()
        srv2.on("error", lambda e: t.rec("listen nul", e))
        srv2.listen(nul_path, lambda: (t.rec("listening nul"), srv2.close()))
        for p in (long_path, nul_path):
            c = net.connect(p)
            c.on("error", lambda e, p=p: t.rec("connect", e.code, e.syscall, e.address == p))
            c.on("connect", lambda c=c: (t.rec("connected"), c.destroy()))

    check(js, py)


@pytest.mark.node20_differs("Node 20's defaults: autoSelectFamilyAttemptTimeout 250 ms "
                            "(500 since Node 25.2) and a 16 KiB high-water mark (64 KiB "
                            "since Node 22)")
def test_defaults() -> None:
    js = """
    const stream = require('stream');
    rec('attempt timeout', net.getDefaultAutoSelectFamilyAttemptTimeout(),
        net.getDefaultAutoSelectFamily());
    rec('high-water marks', stream.getDefaultHighWaterMark(false),
        stream.getDefaultHighWaterMark(true), new net.Socket().writableHighWaterMark,
        net.createServer().highWaterMark);
    """

    def py(t: Trace) -> None:
        t.rec("attempt timeout", net.get_default_auto_select_family_attempt_timeout(),
              net.get_default_auto_select_family())
        t.rec("high-water marks", stream.get_default_high_water_mark(False),
              stream.get_default_high_water_mark(True), net.Socket().writable_high_water_mark,
              net.create_server().high_water_mark)

    check(js, py)


def test_set_default_high_water_mark_reaches_sockets() -> None:
    """A changed default is the mark of the sockets a server accepts and of clients."""
    js = """
    const stream = require('stream');
    stream.setDefaultHighWaterMark(false, 1000);
    const srv = net.createServer((c) => {
      rec('accepted', c.readableHighWaterMark, c.writableHighWaterMark);
      c.end();
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      rec('client', c.readableHighWaterMark, c.writableHighWaterMark, srv.highWaterMark);
      c.resume();
      c.on('close', () => srv.close());
    });
    """

    def py(t: Trace) -> None:
        stream.set_default_high_water_mark(False, 1000)

        def on_conn(c: net.Socket) -> None:
            t.rec("accepted", c.readable_high_water_mark, c.writable_high_water_mark)
            c.end()

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.rec("client", c.readable_high_water_mark, c.writable_high_water_mark,
                  srv.high_water_mark)
            c.resume()
            c.on("close", lambda *_: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


@pytest.mark.node20_differs("an AbortSignal warns past 10 listeners in Node 20 "
                            "(events.getMaxListeners(signal) is 10); Node 26 has no limit")
def test_abort_listeners() -> None:
    """addAbortListener: once on abort, removed by dispose, and on an already aborted
    signal after the nextTick queue; a signal takes any number of listeners."""
    js = """
    const events = require('events');
    process.on('warning', (w) => rec('warning', w.name));
    const ac = new AbortController();
    rec('max', events.getMaxListeners(ac.signal), events.getMaxListeners(new events.EventEmitter()));
    for (let i = 0; i < 20; i++) ac.signal.addEventListener('abort', () => {});
    events.addAbortListener(ac.signal, () => rec('listener'));
    events.addAbortListener(ac.signal, () => rec('disposed'))[Symbol.dispose]();
    ac.abort();
    const done = AbortSignal.abort();
    events.addAbortListener(done, () => rec('aborted before'));
    rec('added');
    process.nextTick(() => { rec('tick'); process.nextTick(() => rec('tick2')); });
    setImmediate(() => rec('immediate'));
    """

    def py(t: Trace) -> None:
        import warnings

        def show_warning(message: Any, *_: Any, **__: Any) -> None:
            t.rec("warning", type(message).__name__ if isinstance(message, Warning)
                  else message)

        saved = warnings.showwarning
        warnings.showwarning = show_warning
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.showwarning = show_warning
                ac = net.AbortController()
                t.rec("max", events.get_max_listeners(ac.signal),
                      events.get_max_listeners(events.EventEmitter()))
                for _ in range(20):
                    ac.signal.add_event_listener("abort", lambda *_: None)
        finally:
            warnings.showwarning = saved
        events.add_abort_listener(ac.signal, lambda *_: t.rec("listener"))
        events.add_abort_listener(ac.signal, lambda *_: t.rec("disposed")).dispose()
        ac.abort()
        done = net.AbortSignal.abort()
        events.add_abort_listener(done, lambda *_: t.rec("aborted before"))
        t.rec("added")
        net.next_tick(lambda: (t.rec("tick"), net.next_tick(lambda: t.rec("tick2"))))
        net.set_immediate(lambda: t.rec("immediate"))

    check(js, py)


# -- The stream layer: what changed in Node 26's readable.js and writable.js -------


class _Quiet(Readable):
    """``new Readable({ read() {} })``."""

    def _read(self, size: int) -> None:
        pass


@pytest.mark.node20_differs("maybeReadMore is queued while a _read is pending, so the "
                            "read-ahead runs at the first push's tick, not the later one's")
def test_no_read_ahead_queued_while_a_read_is_pending() -> None:
    js = """
    const { Readable } = require('stream');
    const r = new Readable({ read() { rec('_read'); } });
    r.read(0);          // _read pending: reading
    r.unshift('x');     // adds data while reading: Node 26 queues no maybeReadMore
    process.nextTick(() => rec('tick A'));
    r.push('y');        // the read is answered: maybeReadMore queued now
    process.nextTick(() => rec('tick B'));
    """

    def py(t: Trace) -> None:
        class R(Readable):
            def _read(self, size: int) -> None:
                t.rec("_read")

        r = R()
        r.read(0)
        r.unshift(b"x")
        net.next_tick(lambda: t.rec("tick A"))
        r.push(b"y")
        net.next_tick(lambda: t.rec("tick B"))

    check(js, py)


@pytest.mark.node20_differs("every endReadable queues its own endReadableNT tick, so a "
                            "later one can still emit 'end' after an earlier one found data")
def test_end_is_scheduled_once() -> None:
    js = """
    const { Readable } = require('stream');
    const r = new Readable({ read() {} });
    watch(r, 'r', ['end', 'close']);
    r.push(null);
    rec('read', r.read());      // ended and empty: 'end' scheduled
    process.nextTick(() => rec('read(1)', r.read(1)));
    rec('read', r.read());      // again: Node 26 keeps the one scheduled
    rec('unshift', r.unshift('b'));     // the scheduled 'end' will find data
    setTimeout(() => rec('later', r.readableEnded, r.readableLength), 20);
    """

    def py(t: Trace) -> None:
        r = _Quiet()
        t.watch(r, "r", ["end", "close"])
        r.push(None)
        t.rec("read", r.read())
        net.next_tick(lambda: t.rec("read(1)", r.read(1)))
        t.rec("read", r.read())
        t.rec("unshift", r.unshift(b"b"))
        net.set_timeout(lambda: t.rec("later", r.readable_ended, r.readable_length), 20)

    check(js, py)


@pytest.mark.node20_differs("the end's 'readable' is emitted when nobody listens, so a "
                            "'readable' listener added later gets none ('end' only)")
def test_end_readable_kept_for_a_late_listener() -> None:
    js = """
    const { Readable } = require('stream');
    const r = new Readable({ read() {} });
    watch(r, 'r', ['end', 'close']);
    r.push(null);               // nobody observes the stream yet
    setTimeout(() => {
      r.on('readable', () => rec('readable', r.read(), r.readableLength));
    }, 5);
    const s = new Readable({ read() {} });
    watch(s, 's', ['end']);
    s.push('ab');
    s.push(null);
    setTimeout(() => {
      rec('s read', s.read());  // a read of real size forgets the owed 'readable'
      s.on('readable', () => rec('s readable', s.read()));
    }, 5);
    """

    def py(t: Trace) -> None:
        r = _Quiet()
        t.watch(r, "r", ["end", "close"])
        r.push(None)
        net.set_timeout(lambda: r.on("readable", lambda: t.rec(
            "readable", r.read(), r.readable_length)), 5)
        s = _Quiet()
        t.watch(s, "s", ["end"])
        s.push(b"ab")
        s.push(None)

        def later() -> None:
            t.rec("s read", s.read())
            s.on("readable", lambda: t.rec("s readable", s.read()))
        net.set_timeout(later, 5)

    check(js, py)


@pytest.mark.node20_differs("setEncoding() after the end drops a character cut at the end "
                            "of the buffered bytes; Node 26 flushes it as U+FFFD")
def test_set_encoding_after_the_end_flushes_the_decoder() -> None:
    js = """
    const { Readable } = require('stream');
    const r = new Readable({ read() {} });
    r.push(Buffer.from([0x61, 0xe2, 0x82]));    // 'a' and two bytes of a 3-byte char
    r.push(null);
    r.setEncoding('utf8');
    rec('length', r.readableLength);
    r.on('data', (d) => rec('data', d));
    r.on('end', () => rec('end'));
    """

    def py(t: Trace) -> None:
        r = _Quiet()
        r.push(b"a\xe2\x82")
        r.push(None)
        r.set_encoding("utf8")
        t.rec("length", r.readable_length)
        r.on("data", lambda d: t.rec("data", d))
        r.on("end", lambda: t.rec("end"))

    check(js, py)


@pytest.mark.node20_differs("pause() and resume() still switch a destroyed stream (and "
                            "emit 'pause' / 'resume'); Node 26 ignores them")
def test_pause_and_resume_ignore_a_destroyed_stream() -> None:
    js = """
    const { Readable } = require('stream');
    const r = new Readable({ read() {} });
    watch(r, 'r', ['pause', 'resume', 'close']);
    r.destroy();
    rec('pause returns r', r.pause() === r, r.isPaused(), r.readableFlowing);
    rec('resume returns r', r.resume() === r, r.isPaused(), r.readableFlowing);
    r.on('data', () => rec('data'));
    rec('after on(data)', r.readableFlowing);
    const s = new net.Socket();
    watch(s, 's', ['pause', 'resume']);
    s.destroy();
    s.pause();
    rec('socket', s.isPaused(), s.readableFlowing);
    """

    def py(t: Trace) -> None:
        r = _Quiet()
        t.watch(r, "r", ["pause", "resume", "close"])
        r.destroy()
        t.rec("pause returns r", r.pause() is r, r.is_paused(), r.readable_flowing)
        t.rec("resume returns r", r.resume() is r, r.is_paused(), r.readable_flowing)
        r.on("data", lambda *_: t.rec("data"))
        t.rec("after on(data)", r.readable_flowing)
        s = net.Socket()
        t.watch(s, "s", ["pause", "resume"])
        s.destroy()
        s.pause()
        t.rec("socket", s.is_paused(), s.readable_flowing)

    check(js, py)


@pytest.mark.node20_differs("a pipe destination that errors in a synchronous _write stays "
                            "in the source's drain wait when it unpipes (Node #53185): the "
                            "source stays paused and the other destination starves")
def test_pipe_to_an_errored_destination_does_not_starve_the_others() -> None:
    js = """
    const { Readable, Writable } = require('stream');
    const r = new Readable({ read() {} });
    const bad = new Writable({ write(c, e, cb) { rec('bad', c); cb(new Error('bad')); } });
    const good = new Writable({ write(c, e, cb) { rec('good', c); cb(); } });
    bad.on('error', (e) => rec('bad error', e.message));
    good.on('finish', () => rec('good finish'));
    r.pipe(bad);
    r.pipe(good);
    r.push('a'); r.push('b'); r.push('c'); r.push(null);
    setTimeout(() => rec('after', r.isPaused(), r.readableLength), 20);
    """

    def py(t: Trace) -> None:
        class W(Writable):
            def __init__(self, name: str, fail: bool) -> None:
                super().__init__()
                self.name, self.fail = name, fail

            def _write(self, chunk: Any, callback: Any) -> None:
                t.rec(self.name, chunk)
                callback(ValueError("bad") if self.fail else None)

        r = _Quiet()
        bad, good = W("bad", True), W("good", False)
        bad.on("error", lambda e: t.rec("bad error", str(e)))
        good.on("finish", lambda: t.rec("good finish"))
        r.pipe(bad)
        r.pipe(good)
        for chunk in (b"a", b"b", b"c", None):
            r.push(chunk)
        net.set_timeout(lambda: t.rec("after", r.is_paused(), r.readable_length), 20)

    check(js, py)


@pytest.mark.node20_differs("write('x', 'buffer') and end('x', 'buffer') send the string "
                            "as UTF-8; Node 26 throws ERR_UNKNOWN_ENCODING")
def test_a_string_cannot_be_written_as_buffer() -> None:
    js = """
    const { Writable } = require('stream');
    const s = new net.Socket();
    const w = new Writable({ write(c, e, cb) { rec('_write', c, e); cb(); } });
    for (const [name, call] of [
      ['socket write', () => s.write('x', 'buffer')],
      ['socket end', () => s.end('x', 'buffer')],
      ['writable write', () => w.write('x', 'buffer')],
      ['bytes as buffer', () => w.write(Buffer.from('y'), 'buffer')],
      ['bad chunk as buffer', () => w.write(true, 'buffer')],
    ]) {
      try { call(); rec(name, 'ok'); } catch (e) { rec(name, e.code); }
    }
    s.destroy();
    """

    def py(t: Trace) -> None:
        class W(Writable):
            def _write(self, chunk: Any, callback: Any) -> None:
                t.rec("_write", chunk, "buffer")
                callback()

        s = net.Socket()
        w = W()
        for name, call in [("socket write", lambda: s.write("x", "buffer")),
                           ("socket end", lambda: s.end("x", "buffer")),
                           ("writable write", lambda: w.write("x", "buffer")),
                           ("bytes as buffer", lambda: w.write(b"y", "buffer")),
                           ("bad chunk as buffer", lambda: w.write(True, "buffer"))]:
            try:
                call()
                t.rec(name, "ok")
            except TypeError as exc:
                t.rec(name, exc.code)  # type: ignore[attr-defined]
        s.destroy()

    check(js, py)
