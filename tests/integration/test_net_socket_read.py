"""Reading: pause/resume (also before connect), throttling, destroy during a large
transfer, the ``onread`` static buffer, ``set_encoding`` across split reads, and
``pipe``/``unpipe`` with backpressure.

Ports of Node's reading tests (reference/node-net-tests.md §2.J), checked
against Node v20.20.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

import nodenet as net
from net_endpoints import Endpoint, endpoint, port_of  # noqa: F401
from support import run


# ported from test/parallel/test-net-pause-resume-connecting.js
def test_pause_resume_before_connect_are_honoured() -> None:
    counts = {"connections": 0, "data": 0, "unexpected": 0, "closed": 0}

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            counts["connections"] += 1
            conn.end("This was the year he fell to pieces.")
            if counts["connections"] == 5:
                srv.close()

        srv = net.create_server(on_conn)
        srv.listen(0)

        def on_data_ok(*_: Any) -> None:
            counts["data"] += 1

        def unexpected(*_: Any) -> None:
            counts["unexpected"] += 1

        def tear_down_later(conn: net.Socket) -> None:
            def later() -> None:
                conn.remove_all_listeners("data")
                conn.resume()
            net.set_timeout(later, 100)

        def client() -> net.Socket:
            c = net.create_connection(port_of(srv), "127.0.0.1")

            def on_close(had_error: bool) -> None:
                counts["closed"] += 1
            c.on("close", on_close)
            return c

        def listening() -> None:
            c = client()                       # 1: resume -> data
            c.resume()
            c.on("data", on_data_ok)

            c = client()                       # 2: pause, resume -> data
            c.pause()
            c.resume()
            c.on("data", on_data_ok)

            c = client()                       # 3: pause -> none
            c.pause()
            c.on("data", unexpected)
            tear_down_later(c)

            c = client()                       # 4: resume, pause, resume -> data
            c.resume()
            c.pause()
            c.resume()
            c.on("data", on_data_ok)

            c = client()                       # 5: resume, resume, pause -> none
            c.resume()
            c.resume()
            c.pause()
            c.on("data", unexpected)
            tear_down_later(c)

        srv.on("listening", listening)

    run(main, 10)
    assert counts == {"connections": 5, "data": 3, "unexpected": 0, "closed": 5}


def test_pause_returns_socket_and_is_paused() -> None:
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket()
        ev.append((s.is_paused(), s.pause() is s, s.is_paused(), s.resume() is s,
                   s.is_paused()))
        s.destroy()

    run(main, 5)
    assert ev == [(False, True, True, True, False)]


# ported from test/parallel/test-net-throttle.js (the reader pauses 10 ms instead of
# 100 ms per 'data': nodenet's 64 KiB high-water mark makes the writer fill the
# kernel buffers, a few MB, before write() returns False)
def test_throttle_paused_reader_gets_no_data_and_everything_arrives() -> None:
    ev: Dict[str, Any] = {"received": 0, "pauses": 0, "total": 0, "during_pause": 0,
                          "checks": []}

    def main() -> None:
        def on_conn(connection: net.Socket) -> None:
            body = "C" * 1024
            n = 1
            while connection.write(body):
                n += 1
            # throttled now: a few more writes must not be lost
            connection.write(body)
            connection.write(body)
            n += 2
            ev["total"] = n * len(body)
            ev["checks"].append(connection.buffer_size >= 0)
            ev["checks"].append(connection.writable_length <= ev["total"])
            connection.end()

        srv = net.create_server(on_conn)

        def listening() -> None:
            paused = [False]
            client = net.create_connection(port_of(srv), "127.0.0.1")
            client.set_encoding("ascii")

            def on_data(d: str) -> None:
                if paused[0]:
                    ev["during_pause"] += 1
                ev["received"] += len(d)
                if not paused[0]:
                    client.pause()
                    ev["pauses"] += 1
                    paused[0] = True
                    x = ev["received"]

                    def later() -> None:
                        if ev["received"] != x:
                            ev["during_pause"] += 1
                        client.resume()
                        paused[0] = False
                    net.set_timeout(later, 10)

            client.on("data", on_data)

            def on_end() -> None:
                srv.close()
                client.end()
            client.on("end", on_end)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 60)
    assert ev["received"] == ev["total"]
    assert ev["pauses"] > 1
    assert ev["during_pause"] == 0
    assert ev["checks"] == [True, True]


# ported from test/parallel/test-net-stream.js (10 x 1 MB instead of 10 x 2 MB)
def test_pause_then_destroy_during_large_transfer_server_errors_once() -> None:
    ev: List[Any] = []

    def main() -> None:
        buf = b"a" * 1_000_000

        def on_conn(socket: net.Socket) -> None:
            socket.set_no_delay()

            def on_error(err: Any) -> None:
                ev.append(("error", err.code))
                socket.destroy()

            def on_close(had_error: bool) -> None:
                ev.append(("close", had_error))
                srv.close()

            socket.on("error", on_error).on("close", on_close)
            for _ in range(10):
                socket.write(buf, lambda *a: None)
            socket.end()

        srv = net.create_server(on_conn)

        def listening() -> None:
            conn = net.connect(port_of(srv), "127.0.0.1")

            def on_data(data: bytes) -> None:
                ev.append(("pause returns self", conn.pause() is conn)) if not ev else None
                net.set_timeout(conn.destroy, 20)
            conn.once("data", on_data)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 20)
    assert ev[0] == ("pause returns self", True)
    assert len(ev) == 3
    assert ev[1][0] == "error" and ev[1][1] in ("ECONNRESET", "EPIPE")
    assert ev[2] == ("close", True)


# ---------------------------------------------------------------- onread


MESSAGE = b"hello world"


def _onread_server() -> net.Server:
    def on_conn(socket: net.Socket) -> None:
        srv.close()
        socket.end(MESSAGE)

    srv = net.create_server(on_conn)
    return srv


# ported from test/parallel/test-net-onread-static-buffer.js (typical usage,
# Uint8Array support: bytearray and a memoryview of one)
@pytest.mark.parametrize("kind", ["bytearray", "memoryview"])
def test_onread_static_buffer_reused_and_no_data_events(endpoint: Endpoint, kind: str) -> None:
    ev: Dict[str, Any] = {"received": 0, "buffers": [], "bufs": [], "data": 0, "end": 0}

    def main() -> None:
        srv = _onread_server()
        sock_buf = bytearray(8) if kind == "bytearray" else memoryview(bytearray(8))
        ev["sock_buf"] = sock_buf

        def callback(nread: int, buf: Any) -> None:
            ev["bufs"].append(buf)
            ev["received"] += nread
            ev["buffers"].append(bytes(buf[:nread]))

        def listening() -> None:
            c = endpoint.connect(srv, onread={"buffer": sock_buf, "callback": callback})

            def on_data(*_: Any) -> None:
                ev["data"] += 1
            c.on("data", on_data)
            c.on("end", lambda: ev.__setitem__("end", ev["end"] + 1))

        endpoint.listen(srv, listening)

    run(main, 5)
    assert ev["data"] == 0
    assert ev["end"] == 1
    assert ev["received"] == len(MESSAGE)
    assert b"".join(ev["buffers"]) == MESSAGE
    # the very buffer object that was passed, every time (Node: buf === sockBuf)
    assert ev["bufs"] and all(b is ev["sock_buf"] for b in ev["bufs"])


# ported from test/parallel/test-net-onread-static-buffer.js (Buffer callback usage,
# Uint8Array callback support)
def test_onread_buffer_function_called_once_per_read_plus_once(endpoint: Endpoint) -> None:
    ev: Dict[str, Any] = {"received": 0, "incoming": [], "usage": 0, "same": [], "data": 0,
                          "end": 0}

    def main() -> None:
        srv = _onread_server()
        pool = [bytearray(2), bytearray(2), bytearray(2)]
        idx = [-1]

        def buffer() -> bytearray:
            ev["usage"] += 1
            idx[0] = (idx[0] + 1) % len(pool)
            return pool[idx[0]]

        def callback(nread: int, buf: Any) -> None:
            # the buffer the function returned last (Node: buf === bufPool[bufPoolIdx])
            ev["same"].append(buf is pool[idx[0]])
            ev["received"] += nread
            ev["incoming"].append(bytes(buf[:nread]))

        def listening() -> None:
            c = endpoint.connect(srv, onread={"buffer": buffer, "callback": callback})
            c.on("data", lambda *a: ev.__setitem__("data", ev["data"] + 1))
            c.on("end", lambda: ev.__setitem__("end", ev["end"] + 1))

        endpoint.listen(srv, listening)

    run(main, 5)
    assert ev["data"] == 0
    assert ev["end"] == 1
    assert ev["received"] == len(MESSAGE)
    assert b"".join(ev["incoming"]) == MESSAGE
    assert all(ev["same"])
    assert ev["usage"] == 7         # 11 bytes in 2-byte reads: 6 reads, plus the first


# ported from test/parallel/test-net-onread-static-buffer.js (explicit socket pause,
# implicit socket pause)
@pytest.mark.parametrize("how", ["pause()", "return False"])
def test_onread_pause_stops_callbacks_until_resume(endpoint: Endpoint, how: str) -> None:
    ev: Dict[str, Any] = {"received": 0, "buffers": [], "while_paused": 0, "calls": 0,
                          "end": 0}

    def main() -> None:
        srv = _onread_server()
        sock_buf = bytearray(8)
        paused = [False]
        holder: List[net.Socket] = []

        def callback(nread: int, buf: Any) -> Any:
            sock = holder[0]
            ev["calls"] += 1
            if paused[0]:
                ev["while_paused"] += 1
            ev["received"] += nread
            ev["buffers"].append(bytes(buf[:nread]))
            paused[0] = True

            def later() -> None:
                paused[0] = False
                sock.resume()
            net.set_timeout(later, 50)
            if how == "pause()":
                sock.pause()
                return None
            return False

        def listening() -> None:
            c = endpoint.connect(srv, onread={"buffer": sock_buf, "callback": callback})
            holder.append(c)
            c.on("end", lambda: ev.__setitem__("end", ev["end"] + 1))

        endpoint.listen(srv, listening)

    run(main, 5)
    assert ev["while_paused"] == 0
    assert ev["calls"] == 2             # 8 bytes, then 3
    assert ev["received"] == len(MESSAGE)
    assert b"".join(ev["buffers"]) == MESSAGE
    assert ev["end"] == 1


# ---------------------------------------------------------------- set_encoding


# stream.md § readable.setEncoding: "properly handles multi-byte characters that
# would otherwise become improperly decoded if simply pulled from the stream as
# Buffer objects". Each byte is sent only once the reader has read the previous
# one (bytes_read), so every read returns exactly one byte.
def test_set_encoding_utf8_never_splits_a_character_across_reads(endpoint: Endpoint) -> None:
    text = "aé€😀z"                      # 1 + 2 + 3 + 4 + 1 bytes
    data = text.encode("utf-8")
    pieces: List[Any] = []

    def main() -> None:
        readers: List[net.Socket] = []

        def on_conn(s: net.Socket) -> None:
            readers.append(s)
            s.set_encoding("utf8")
            s.on("data", pieces.append)
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = endpoint.connect(srv)
            c.resume()
            sent = [0]

            def step() -> None:
                if not readers or readers[0].bytes_read < sent[0]:
                    net.set_timeout(step, 1)     # wait until the last byte was read
                    return
                if sent[0] == len(data):
                    c.end()
                    return
                c.write(data[sent[0]:sent[0] + 1])
                sent[0] += 1
                net.set_timeout(step, 1)
            c.on("connect", step)

        endpoint.listen(srv, listening)

    run(main, 10)
    assert pieces == ["a", "é", "€", "😀", "z"]


def test_set_encoding_utf8_with_corked_byte_writes() -> None:
    """The same text corked byte by byte: one gathered write, decoded whole."""
    text = "日本語 ✓ 😀"
    pieces: List[str] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.set_encoding("utf8")
            s.on("data", pieces.append)
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def on_connect() -> None:
            c.cork()
            for b in text.encode("utf-8"):
                c.write(bytes([b]))
            c.uncork()
            c.end()

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)
            c.resume()

        c: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert "".join(pieces) == text
    assert all("\ufffd" not in p for p in pieces)


def test_set_encoding_returns_socket_and_rejects_unknown_encoding() -> None:
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket()
        ev.append(s.set_encoding("hex") is s)
        try:
            s.set_encoding("klingon")
        except TypeError as exc:
            ev.append((exc.code, str(exc)))
        s.destroy()

    run(main, 5)
    assert ev == [True, ("ERR_UNKNOWN_ENCODING", "Unknown encoding: klingon")]


def test_utf16le_odd_trailing_byte_at_end() -> None:
    # node: setEncoding('utf16le'), peer sends [0x61, 0, 0x62] and FIN ->
    # 'data' 'a', then 'end' and 'close' (the odd byte is dropped). nodenet's
    # decoder raised UnicodeDecodeError on the loop thread here.
    events: List[Any] = []

    def main() -> None:
        server = net.create_server(lambda c: c.end(b"a\x00b"))

        def listening() -> None:
            client = net.connect(port_of(server), "127.0.0.1")
            client.set_encoding("utf16le")
            client.on("data", lambda d: events.append(("data", d)))
            client.on("end", lambda: events.append("end"))
            client.on("close", lambda *_: (events.append("close"), server.close()))

        server.listen(0, "127.0.0.1", listening)

    run(main)
    assert events == [("data", "a"), "end", "close"]



# ---------------------------------------------------------------- pipe


def test_pipe_with_backpressure_keeps_memory_bounded_and_delivers_everything() -> None:
    """A source piped into a socket whose peer is paused: the source is paused
    while the destination is over its high-water mark; 'drain' resumes it;
    end() reaches the destination (pipe's end=True).

    Backpressure comes from the paused reader, not from volume: the producer
    writes (honouring 'drain') until the pipe has paused the source, whatever
    the kernel's buffers absorb first; only then does the reader resume and the
    producer end. Everything produced must arrive, in order.
    """
    ev: Dict[str, Any] = {"sent": 0, "got": 0, "max_buffered": 0, "dest_finish": 0,
                          "ordered": True, "backpressure": False}
    pattern = bytes(range(256)) * 256       # 64 KiB, position-dependent content
    hooks: Dict[str, Any] = {}

    def main() -> None:
        def producer(s: net.Socket) -> None:
            def pump(*_: Any) -> None:
                while not ev["backpressure"]:
                    ev["sent"] += len(pattern)
                    if not s.write(pattern):
                        return              # wait for 'drain'
                s.end()
            s.on("drain", pump)
            hooks["pump"] = pump
            pump()

        def consumer(s: net.Socket) -> None:
            offset = [0]

            def on_data(d: bytes) -> None:
                start = offset[0] % 256
                if d[:16] != bytes((start + i) % 256 for i in range(min(16, len(d)))):
                    ev["ordered"] = False
                offset[0] += len(d)
                ev["got"] += len(d)
            s.on("data", on_data)           # paused on connect: no data until resume()
            hooks["resume_consumer"] = s.resume
            s.on("end", lambda: s.end())
            s.on("close", lambda *a: (src_server.close(), dst_server.close()))

        src_server = hooks["src"] = net.create_server(producer)
        dst_server = hooks["dst"] = net.create_server({"pauseOnConnect": True}, consumer)
        listening = [0]

        def both_listening() -> None:
            listening[0] += 1
            if listening[0] == 2:
                start()
        src_server.listen(0, "127.0.0.1", both_listening)
        dst_server.listen(0, "127.0.0.1", both_listening)

    def start() -> None:
        dest = net.connect(port_of(hooks["dst"]), "127.0.0.1")
        source = net.connect(port_of(hooks["src"]), "127.0.0.1")

        def watch(*_: Any) -> None:
            ev["max_buffered"] = max(ev["max_buffered"], dest.writable_length)
            if source.is_paused() and not ev["backpressure"]:
                ev["backpressure"] = True   # the pipe paused the source: let go
                hooks["resume_consumer"]()
                hooks["pump"]()
        source.on("data", watch)
        source.on("pause", lambda: net.set_immediate(watch))
        dest.on("drain", watch)
        dest.on("finish", lambda: ev.__setitem__("dest_finish", ev["dest_finish"] + 1))
        ret = source.pipe(dest)
        ev["pipe returns dest"] = ret is dest

    run(main, 60)
    assert ev["pipe returns dest"] is True
    assert ev["backpressure"] is True
    assert ev["got"] == ev["sent"] > 0
    assert ev["ordered"] is True
    assert ev["dest_finish"] == 1
    # bounded by the high-water mark plus one read (64 KiB each)
    assert ev["max_buffered"] <= 2 * 65536


def test_unpipe_stops_forwarding_and_pauses_source() -> None:
    ev: List[Any] = []
    forwarded: List[bytes] = []

    def main() -> None:
        feeders: List[net.Socket] = []

        def feeder(s: net.Socket) -> None:
            feeders.append(s)
            s.write("first")

        def sink(s: net.Socket) -> None:
            s.on("data", forwarded.append)
            s.on("end", lambda: (ev.append(("sink end",)), s.end()))

        src_server = net.create_server(feeder)
        dst_server = net.create_server(sink)
        src_server.listen(0)
        dst_server.listen(0)

        dest = net.connect(port_of(dst_server), "127.0.0.1")
        source = net.connect(port_of(src_server), "127.0.0.1")
        dest.on("unpipe", lambda src, *rest: ev.append(("unpipe event", src is source)))
        dest.on("pipe", lambda src: ev.append(("pipe event", src is source)))
        source.pipe(dest)

        def on_first(chunk: bytes) -> None:
            ev.append(("first", chunk))
            ret = source.unpipe(dest)
            ev.append(("after unpipe", ret is source, source.is_paused(),
                       dest.writable_ended))
            # later data stays with the source, not forwarded
            feeders[0].end("second")
            net.set_timeout(finish, 50)

        def finish() -> None:
            late: List[bytes] = []
            source.on("data", late.append)
            source.resume()

            def on_end() -> None:
                ev.append(("late", b"".join(late)))
                dest.end()
                src_server.close()
                dst_server.close()
            source.on("end", on_end)

        source.once("data", on_first)

    run(main, 10)
    assert ev[0] == ("pipe event", True)
    assert ev[1] == ("first", b"first")
    assert ev[2] == ("unpipe event", True)
    assert ev[3] == ("after unpipe", True, True, False)
    assert ("late", b"second") in ev
    assert ("sink end",) in ev
    assert b"".join(forwarded) == b"first"


def test_pipe_end_false_leaves_destination_open() -> None:
    ev: List[Any] = []

    def main() -> None:
        src_server = net.create_server(lambda s: s.end("payload"))
        received: List[bytes] = []

        def sink(s: net.Socket) -> None:
            s.on("data", received.append)
            s.on("end", lambda: (ev.append(("sink got", b"".join(received))), s.end()))

        dst_server = net.create_server(sink)
        src_server.listen(0)
        dst_server.listen(0)
        dest = net.connect(port_of(dst_server), "127.0.0.1")
        source = net.connect(port_of(src_server), "127.0.0.1")
        source.pipe(dest, end=False)

        def on_source_end() -> None:
            def later() -> None:
                ev.append(("dest still writable", dest.writable, dest.writable_ended))
                dest.end(" and more")
                src_server.close()
                dst_server.close()
            net.set_timeout(later, 20)
        source.on("end", on_source_end)

    run(main, 10)
    assert ev == [("dest still writable", True, False), ("sink got", b"payload and more")]


# ---------------------------------------------------------------- more Node v20 pins


# set_encoding() converts what is already buffered
def test_set_encoding_converts_buffered_data() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.end("日本".encode()))

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")

            def later() -> None:
                ev.append(("buffered", c.readable_length))
                c.set_encoding("utf8")
                ev.append(("buffered", c.readable_length))
                c.on("data", lambda d: ev.append(("data", type(d).__name__, d)))
            net.set_timeout(later, 50)
            c.on("end", lambda: ev.append("end"))
            c.on("close", lambda *a: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("buffered", 6), ("buffered", 2), ("data", "str", "日本"), "end"]


# paused before connect: nothing is read from the kernel, and 'end' waits until
# the data has been consumed
def test_paused_before_connect_reads_nothing_and_end_waits() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.end("data!"))

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            c.pause()
            c.on("end", lambda: ev.append("end"))

            def later() -> None:
                ev.append(("before resume", c.readable_ended, c.readable_length, c.bytes_read))
                c.on("data", lambda d: ev.append(("data", d)))
                c.resume()
            net.set_timeout(later, 50)
            c.on("close", lambda *a: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("before resume", False, 0, 0), ("data", b"data!"), "end"]


# 'readable' with read(n)
def test_readable_event_and_sized_reads() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.end("abcdefghij"))

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")

            def on_readable() -> None:
                while True:
                    chunk = c.read(3)
                    if chunk is None:
                        break
                    ev.append(("read", chunk))
                ev.append(("left", c.readable_length))
            c.on("readable", on_readable)
            c.on("end", lambda: ev.append("end"))
            c.on("close", lambda *a: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("read", b"abc"), ("read", b"def"), ("read", b"ghi"), ("left", 1),
                  ("read", b"j"), ("left", 0), "end"]


def test_unpipe_without_argument_detaches_every_destination() -> None:
    ev: List[Any] = []

    def main() -> None:
        def feeder(s: net.Socket) -> None:
            s.write("one")
            net.set_timeout(lambda: s.end("two"), 40)

        got: List[bytes] = []

        def sink(s: net.Socket) -> None:
            s.on("data", got.append)
            s.on("end", lambda: (ev.append(("sink got", b"".join(got))), s.end()))

        a = net.create_server(feeder)
        b = net.create_server(sink)
        a.listen(0)
        b.listen(0)
        d1 = net.connect(port_of(b), "127.0.0.1")
        d2 = net.connect(port_of(b), "127.0.0.1")
        src = net.connect(port_of(a), "127.0.0.1")
        d1.on("unpipe", lambda *x: ev.append("unpipe d1"))
        d2.on("unpipe", lambda *x: ev.append("unpipe d2"))
        src.pipe(d1)
        src.pipe(d2)

        def first(chunk: bytes) -> None:
            src.unpipe()
            ev.append(("paused", src.is_paused()))
            src.resume()
            src.on("end", lambda: (d1.end(), d2.end(), a.close(), b.close()))
        src.once("data", first)

    run(main, 5)
    # both sinks share `got`: each got "one" only
    assert ev == ["unpipe d1", "unpipe d2", ("paused", True), ("sink got", b"oneone"),
                  ("sink got", b"oneone")]


# ported from test/parallel/test-net-connect-paused-connection.js: a paused, idle
# socket does not keep the loop alive (libuv: no active read)
def test_paused_idle_connection_does_not_keep_loop_alive() -> None:
    def main() -> None:
        srv = net.create_server(lambda conn: conn.unref())

        def listening() -> None:
            net.connect(port_of(srv), "127.0.0.1").pause()
            srv.unref()

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)      # returns: nothing ref'd is left (the fixture closes the rest)
