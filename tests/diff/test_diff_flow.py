"""Differential: data flow — encodings split over reads, pause/resume, cork/uncork,
write callbacks and 'drain' with a small high-water mark, idle timeouts.

Chunks that must arrive in separate reads are written one at a time: the next
only once the client has read the one before (its ``bytesRead`` says so), never
on a timer alone, which a loaded machine can outrun; otherwise data is recorded
joined, never per read. The high-water mark is always set explicitly (nodenet's
default is 64 KiB, Node 20's 16 KiB).
"""

from __future__ import annotations

from typing import Any, List

import pytest

import nodenet as net
from difftrace import Trace, when_read
from diffpair import check, js_pair, py_pair

pytestmark = pytest.mark.node

QUIET = ["connect", "end", "finish", "close", "error", "timeout", "drain"]
SQUIET = ["end", "finish", "close", "error", "timeout"]


def _spaced_writes_js(chunks: List[bytes], end: bool = True, gap_ms: int = 1) -> str:
    """JS server body: write the chunks one by one, each once the client has read
    the one before and at least ``gap_ms`` later (two writes never share a read),
    then end."""
    return """
      const chunks = %s;
      let sent = 0;
      const step = (i) => {
        if (i < chunks.length) {
          const chunk = Buffer.from(chunks[i], 'hex');
          c.write(chunk);
          sent += chunk.length;
          setTimeout(() => whenRead(pairClient, sent, () => step(i + 1)), %d);
        } else if (%s) {
          c.end();
        }
      };
      step(0);
    """ % ([ch.hex() for ch in chunks], gap_ms, "true" if end else "false")


def _spaced_writes_py(chunks: List[bytes], end: bool = True, gap_ms: int = 1) -> Any:
    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        sent = [0]

        def step(i: int) -> None:
            if i < len(chunks):
                c.write(chunks[i])
                sent[0] += len(chunks[i])
                net.set_timeout(lambda: when_read(t.pair_client, sent[0], lambda: step(i + 1)),
                                gap_ms)
            elif end:
                c.end()

        step(0)
    return server


EURO = "€".encode()          # e2 82 ac
SMILE = "😀".encode()        # f0 9f 98 80 (a surrogate pair in UTF-16)

ENCODING_CASES = {
    "utf8-split-euro": ("utf8", [b"a" + EURO[:1], EURO[1:] + b"b"]),
    "utf8-split-4byte": ("utf8", [SMILE[:1], SMILE[1:3], SMILE[3:] + b"!"]),
    "utf8-incomplete-at-end": ("utf8", [b"x" + EURO[:2]]),
    "hex": ("hex", [b"\x01\x02", b"\xff"]),
    "base64": ("base64", [b"ab", b"cde", b"f"]),
    "base64url": ("base64url", [b"\xfb\xff", b"\xfe"]),
    "latin1": ("latin1", [b"\xe9t\xe9"]),
    "utf16le-split": ("utf16le", [b"a\x00b", b"\x00\x3d\xd8", b"\x00\xde"]),
}


@pytest.mark.parametrize("case", sorted(ENCODING_CASES))
def test_set_encoding_split_chunks(case: str) -> None:
    """setEncoding on the client; the server's bytes arrive in separate reads that
    split characters; each 'data' string is recorded (no empty ones)."""
    encoding, chunks = ENCODING_CASES[case]
    js = js_pair(server_body=_spaced_writes_js(chunks), client_body="""
      c.setEncoding(%r);
      c.on('data', (d) => rec('data', typeof d, d));
    """ % encoding, client_events=QUIET)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        c.set_encoding(encoding)
        c.on("data", lambda d: t.rec("data", "string" if isinstance(d, str) else "other", d))

    check(js, py_pair(server_body=_spaced_writes_py(chunks), client_body=client,
                      client_events=QUIET))


def test_write_encodings() -> None:
    """write()/end() with an encoding name: the bytes on the wire."""
    js = js_pair(client_body="""
      c.write('68656c6c6f', 'hex');
      c.write('IHdvcmxk', 'base64');
      c.write('\u00e9', 'latin1');
      c.write('\u00e9', 'utf8');
      c.end('ab', 'utf16le');
    """, server_body="""
      const parts = [];
      c.on('data', (d) => parts.push(d));
      c.on('end', () => rec('server got', Buffer.concat(parts).toString('hex')));
    """, server_events=SQUIET, client_events=QUIET)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        c.write("68656c6c6f", "hex")
        c.write("IHdvcmxk", "base64")
        c.write("\u00e9", "latin1")
        c.write("\u00e9", "utf8")
        c.end("ab", "utf16le")

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        parts: List[bytes] = []
        c.on("data", parts.append)
        c.on("end", lambda: t.rec("server got", b"".join(parts).hex()))

    check(js, py_pair(server_body=server, client_body=client, server_events=SQUIET,
                      client_events=QUIET))


def test_pause_resume_tcp() -> None:
    """Paused in 'data' after the first chunk: the rest waits, then comes on resume,
    before 'end'."""
    js = js_pair(server_body=_spaced_writes_js([b"one", b"two", b"three"]), client_body="""
      let got = [];
      c.on('data', (d) => {
        got.push(d.toString());
        if (got.length === 1) {
          c.pause();
          rec('paused', c.isPaused(), c.readableFlowing);
          setTimeout(() => { rec('resuming', got.length); c.resume(); }, 100);
        }
      });
      c.on('end', () => rec('joined', got.slice(1).join(''), c.isPaused()));
    """, client_events=QUIET, server_events=SQUIET)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        got: List[str] = []

        def on_data(d: bytes) -> None:
            got.append(d.decode())
            if len(got) == 1:
                c.pause()
                t.rec("paused", c.is_paused(), c.readable_flowing)

                def resume() -> None:
                    t.rec("resuming", len(got))
                    c.resume()

                net.set_timeout(resume, 100)

        c.on("data", on_data)
        c.on("end", lambda: t.rec("joined", "".join(got[1:]), c.is_paused()))

    check(js, py_pair(server_body=_spaced_writes_py([b"one", b"two", b"three"]),
                      client_body=client, client_events=QUIET, server_events=SQUIET))


def test_cork_uncork() -> None:
    """cork(): writes wait (writableCorked, writableLength) until uncork(); the
    callbacks run in order; end() while corked flushes."""
    js = js_pair(client_body="""
      c.on('connect', () => {
        c.cork();
        c.write('a', () => rec('cb a', c.writableLength));
        c.write('bb', () => rec('cb b', c.writableLength));
        rec('corked', c.writableCorked, c.writableLength, c.bytesWritten);
        process.nextTick(() => {
          c.uncork();
          rec('uncorked', c.writableCorked, c.writableLength);
          c.cork(); c.cork();
          c.write('c', () => rec('cb c'));
          c.end(() => rec('end cb', c.writableCorked));
          rec('after end', c.writableCorked, c.writableLength);
        });
      });
    """, server_body="""
      let got = '';
      c.on('data', (d) => { got += d; });
      c.on('end', () => rec('server got', got));
    """, client_events=QUIET, server_events=SQUIET)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def tick() -> None:
            c.uncork()
            t.rec("uncorked", c.writable_corked, c.writable_length)
            c.cork()
            c.cork()
            c.write("c", lambda *a: t.rec("cb c"))
            c.end(lambda *a: t.rec("end cb", c.writable_corked))
            t.rec("after end", c.writable_corked, c.writable_length)

        def on_connect() -> None:
            c.cork()
            c.write("a", lambda *a: t.rec("cb a", c.writable_length))
            c.write("bb", lambda *a: t.rec("cb b", c.writable_length))
            t.rec("corked", c.writable_corked, c.writable_length, c.bytes_written)
            net.next_tick(tick)

        c.on("connect", on_connect)

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        got: List[str] = []
        c.on("data", lambda d: got.append(d.decode()))
        c.on("end", lambda: t.rec("server got", "".join(got)))

    check(js, py_pair(server_body=server, client_body=client, client_events=QUIET,
                      server_events=SQUIET))


@pytest.mark.parametrize("mode", ["connecting", "corked"])
def test_write_callbacks_and_drain(mode: str) -> None:
    """highWaterMark 4: write() returns false at the mark; callbacks, then 'drain'.

    Writes on a connected socket complete synchronously (the kernel takes them), so
    the buffer only fills while connecting or while corked."""
    js = js_pair(client_opts={"highWaterMark": 4}, client_body="""
      const go = () => {
        if (%s) c.cork();
        const r1 = c.write('abc', () => rec('cb 1', c.writableLength, c.writableNeedDrain));
        rec('r1', r1, c.writableLength, c.writableNeedDrain, c.writableHighWaterMark);
        const r2 = c.write('de', () => rec('cb 2', c.writableLength));
        rec('r2', r2, c.writableLength, c.writableNeedDrain);
        const r3 = c.write('f', () => rec('cb 3'));
        rec('r3', r3, c.writableLength);
        if (%s) { c.uncork(); rec('uncorked', c.writableLength, c.writableNeedDrain); }
      };
      if (%s) go(); else c.on('connect', go);
      c.on('drain', () => { rec('drain', c.writableNeedDrain, c.bytesWritten); c.end(); });
    """ % (("true", "true", "false") if mode == "corked" else ("false", "false", "true")),
        server_body="""
      let got = '';
      c.on('data', (d) => { got += d; });
      c.on('end', () => rec('server got', got));
    """, client_events=QUIET, server_events=SQUIET)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def go() -> None:
            if mode == "corked":
                c.cork()
            r1 = c.write("abc", lambda *a: t.rec("cb 1", c.writable_length,
                                                 c.writable_need_drain))
            t.rec("r1", r1, c.writable_length, c.writable_need_drain,
                  c.writable_high_water_mark)
            r2 = c.write("de", lambda *a: t.rec("cb 2", c.writable_length))
            t.rec("r2", r2, c.writable_length, c.writable_need_drain)
            r3 = c.write("f", lambda *a: t.rec("cb 3"))
            t.rec("r3", r3, c.writable_length)
            if mode == "corked":
                c.uncork()
                t.rec("uncorked", c.writable_length, c.writable_need_drain)

        if mode == "connecting":
            go()
        else:
            c.on("connect", go)

        def on_drain() -> None:
            t.rec("drain", c.writable_need_drain, c.bytes_written)
            c.end()

        c.on("drain", on_drain)

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        got: List[str] = []
        c.on("data", lambda d: got.append(d.decode()))
        c.on("end", lambda: t.rec("server got", "".join(got)))

    check(js, py_pair(server_body=server, client_body=client, client_events=QUIET,
                      server_events=SQUIET, client_opts={"highWaterMark": 4}))


def test_synchronous_writes_never_fill_the_buffer() -> None:
    """On a connected socket each write is taken by the kernel at once: writableLength
    stays 0, write() returns true even past the mark, no 'drain'."""
    js = js_pair(client_opts={"highWaterMark": 4}, client_body="""
      c.on('connect', () => {
        rec(c.write('abcdef', () => rec('cb 1')), c.writableLength, c.writableNeedDrain);
        rec(c.write('gh', () => rec('cb 2')), c.writableLength);
        c.end(() => rec('end cb'));
      });
    """, server_body="""
      let got = '';
      c.on('data', (d) => { got += d; });
      c.on('end', () => rec('server got', got));
    """, client_events=QUIET, server_events=SQUIET)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_connect() -> None:
            t.rec(c.write("abcdef", lambda *a: t.rec("cb 1")), c.writable_length,
                  c.writable_need_drain)
            t.rec(c.write("gh", lambda *a: t.rec("cb 2")), c.writable_length)
            c.end(lambda *a: t.rec("end cb"))

        c.on("connect", on_connect)

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        got: List[str] = []
        c.on("data", lambda d: got.append(d.decode()))
        c.on("end", lambda: t.rec("server got", "".join(got)))

    check(js, py_pair(server_body=server, client_body=client, client_events=QUIET,
                      server_events=SQUIET, client_opts={"highWaterMark": 4}))


def test_idle_timeout_fires_and_end() -> None:
    """setTimeout(50) on an idle client: 'timeout' (only), then the client ends."""
    js = js_pair(client_body="""
      c.on('connect', () => {
        c.setTimeout(50, () => rec('timeout cb', c.timeout));
        rec('timeout prop', c.timeout);
      });
      c.on('timeout', () => { rec('still open', c.destroyed, c.readyState); c.end(); });
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_connect() -> None:
            c.set_timeout(50, lambda: t.rec("timeout cb", c.timeout))
            t.rec("timeout prop", c.timeout)

        def on_timeout() -> None:
            t.rec("still open", c.destroyed, c.ready_state)
            c.end()

        c.on("connect", on_connect)
        c.on("timeout", on_timeout)

    check(js, py_pair(client_body=client))


# Twelve chunks at least 50 ms apart (600 ms in all) under a 400 ms idle timeout:
# data that did not refresh the timer would let it fire after the eighth chunk or
# so; only a stall of 400 ms between two chunks on a loaded machine could fire it
# early, where the test used to allow 80 ms.
IDLE_CHUNKS = [str(i % 10).encode() for i in range(12)]


def test_idle_timeout_refreshed_by_data() -> None:
    """Data every 50 ms keeps a 400 ms idle timeout from firing; it fires after."""
    js = js_pair(server_body=_spaced_writes_js(IDLE_CHUNKS, end=False, gap_ms=50),
                 client_body="""
      c.setTimeout(400);
      c.on('timeout', () => { rec('timeout after', got); c.destroy(); });
      let got = '';
      c.on('data', (d) => { got += d; });
    """, client_events=QUIET, server_events=SQUIET)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        got: List[str] = []
        c.set_timeout(400)

        def on_timeout() -> None:
            t.rec("timeout after", "".join(got))
            c.destroy()

        c.on("timeout", on_timeout)
        c.on("data", lambda d: got.append(d.decode()))

    check(js, py_pair(server_body=_spaced_writes_py(IDLE_CHUNKS, end=False, gap_ms=50),
                      client_body=client, client_events=QUIET, server_events=SQUIET))


def test_connect_timeout_option_and_disable() -> None:
    """connect({timeout}) sets the idle timeout; setTimeout(0) disables it again, so
    only the server-side timeout (40 ms) fires."""
    js = js_pair(client_opts={"timeout": 30}, client_body="""
      rec('timeout at start', c.timeout);
      c.on('connect', () => { c.setTimeout(0); rec('disabled', c.timeout); });
    """, server_body="""
      c.setTimeout(40);
      c.on('timeout', () => c.end());
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        t.rec("timeout at start", c.timeout)

        def on_connect() -> None:
            c.set_timeout(0)
            t.rec("disabled", c.timeout)

        c.on("connect", on_connect)

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        c.set_timeout(40)
        c.on("timeout", lambda: c.end())

    check(js, py_pair(server_body=server, client_body=client, client_opts={"timeout": 30}))


def test_set_timeout_before_connect() -> None:
    """setTimeout before connect on a fresh Socket, then connect: the timer runs from
    the call, 'timeout' arrives if nothing happens (server never writes)."""
    js = """
    const srv = net.createServer((c) => { c.on('end', () => c.end()); });
    srv.listen(0, '127.0.0.1', () => {
      const c = new net.Socket();
      watch(c, 'client', %s);
      c.setTimeout(40);
      rec('before connect', c.timeout, c.readyState, c.pending);
      c.connect(port(srv.address().port), '127.0.0.1');
      c.on('timeout', () => c.end());
      c.on('close', () => srv.close());
    });
    """ % (QUIET,)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            c.on("end", lambda: c.end())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.Socket()
            t.watch(c, "client", QUIET)
            c.set_timeout(40)
            t.rec("before connect", c.timeout, c.ready_state, c.pending)
            c.connect(t.port(srv.address()["port"]), "127.0.0.1")
            c.on("timeout", lambda: c.end())
            c.on("close", lambda *a: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)
