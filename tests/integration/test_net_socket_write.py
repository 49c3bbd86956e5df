"""Writing: queued writes while connecting, byte counters, argument checks,
write callbacks, cork/uncork, encodings and backpressure, a write into a kernel
buffer that is already full.

Ports of Node's write tests (reference/node-net-tests.md §2.I), checked against
Node v20.20.

nodenet difference (SPEC, deliberate): the default high-water mark is 64 KiB
(Node 20 uses 16 KiB, Node >= 22 uses 64 KiB), so ``write()`` returns False once
64 KiB are buffered.
"""

from __future__ import annotations

import os
import socket
from typing import Any, Dict, List

import pytest

import nodenet as net
from net_endpoints import Endpoint, endpoint, port_of  # noqa: F401
from support import limit_buffers, run


def sink_server(received: List[bytes], on_close: Any = None) -> net.Server:
    """A server that collects everything each connection sends and closes
    itself after the first connection closes."""
    def on_conn(s: net.Socket) -> None:
        s.on("data", received.append)

        def closed(had_error: bool) -> None:
            srv.close()
            if on_close is not None:
                on_close(had_error)
        s.on("close", closed)

    srv = net.create_server(on_conn)
    return srv


# ---------------------------------------------------------------- while connecting


# ported from test/parallel/test-net-connect-buffer.js and test-net-connect-buffer2.js
def test_write_while_connecting_counts_bytes_at_once_hwm_zero(endpoint: Endpoint) -> None:
    a, b = "L'État, c'est ", "moi"
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            srv.close()
            buf: List[str] = []
            s.set_encoding("utf8")
            s.on("data", buf.append)

            def on_end() -> None:
                ev.append(("server got", "".join(buf)))
                s.end()
            s.on("end", on_end)

        srv = net.Server(on_conn)

        def listening() -> None:
            socket = net.Stream({"highWaterMark": 0})
            ev.append(("fresh pending", socket.pending))
            connected: List[bool] = []
            endpoint.socket_connect(socket, srv, lambda: connected.append(True))
            ev.append(("connecting", socket.pending, socket.connecting, socket.ready_state))
            r = socket.write(a, lambda err: ev.append(
                ("write cb", err, bool(connected), socket.bytes_written, socket.pending)))
            socket.on("close", lambda had_error: ev.append(("close", socket.pending)))
            ev.append(("after write", socket.bytes_written, r))
            socket.end(b)
            ev.append(("after end", socket.ready_state))

        endpoint.listen(srv, listening)

    run(main, 10)
    la, lab = len(a.encode()), len((a + b).encode())
    assert ev == [("fresh pending", True), ("connecting", True, True, "opening"),
                  ("after write", la, False), ("after end", "opening"),
                  ("write cb", None, True, lab, False), ("server got", a + b), ("close", True)]


# ported from test/parallel/test-net-socket-byteswritten.js
def test_bytes_written_counts_corked_writes_before_connect() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.end())

        def listening() -> None:
            socket = net.connect(port_of(srv), "127.0.0.1")
            socket.cork()
            socket.write("one")
            socket.write("twø".encode("utf8"))
            socket.uncork()
            ev.append(("sync", socket.bytes_written))    # one = 3 bytes, twø = 4 bytes
            socket.on("connect", lambda: ev.append(("connect", socket.bytes_written)))

            def on_end() -> None:
                ev.append(("end", socket.bytes_written))
                srv.close()
            socket.on("end", on_end)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("sync", 7), ("connect", 7), ("end", 7)]


# ported from test/parallel/test-net-buffersize.js
def test_buffer_size_counts_queued_writes_then_zero_at_finish(endpoint: Endpoint) -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.on("readable", lambda: s.read())
            s.on("end", lambda: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            client = endpoint.connect(srv)
            client.on("finish", lambda: ev.append(("finish", client.buffer_size)))
            for i in range(1, 10):
                client.write("a")
                ev.append(client.buffer_size)
            client.end()

        endpoint.listen(srv, listening)

    run(main, 5)
    assert ev == [1, 2, 3, 4, 5, 6, 7, 8, 9, ("finish", 0)]


# ported from test/parallel/test-net-write-cb-on-destroy-before-connect.js
def test_write_cb_gets_closed_before_connection_when_destroyed_while_connecting() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server()

        def listening() -> None:
            socket = net.Socket()
            socket.on("connect", lambda: ev.append("connect"))
            socket.connect({"port": port_of(srv), "host": "127.0.0.1"})
            ev.append(("connecting", socket.connecting))
            socket.write("foo", lambda err: ev.append(("write cb", err.code, str(err))))
            socket.destroy()
            srv.close()

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("connecting", True),
                  ("write cb", "ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
                   "Socket closed before the connection was established")]


# ported from test/parallel/test-net-write-connect-write.js
def test_write_before_and_after_connect_keep_order(endpoint: Endpoint) -> None:
    received: List[str] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.pipe(s)

        srv = net.create_server(on_conn)

        def listening() -> None:
            conn = endpoint.connect(srv)
            conn.set_encoding("utf8")
            conn.write("before")
            conn.on("connect", lambda: conn.end(" after"))
            conn.on("data", received.append)
            conn.on("end", lambda: srv.close())

        endpoint.listen(srv, listening)

    run(main, 5)
    assert "".join(received) == "before after"


# ---------------------------------------------------------------- counters


# ported from test/parallel/test-net-bytes-written-large.js (N reduced from 1e7)
@pytest.mark.parametrize("variant", ["buffer", "string", "writev"])
def test_bytes_written_includes_the_queued_part_of_a_large_write(variant: str) -> None:
    n = 5_000_000
    total = 2 * n if variant == "writev" else n
    ev: List[Any] = []

    def main() -> None:
        def on_conn(socket: net.Socket) -> None:
            def done(*_: Any) -> None:
                ev.append(("end cb", socket.bytes_written))
            if variant == "buffer":
                socket.end(bytes(n), done)
            elif variant == "string":
                socket.end("a" * n, done)
            else:
                socket.cork()
                socket.write("a" * n)
                ev.append(("after first write", socket.bytes_written))
                socket.write(bytes(n))
                ev.append(("after second write", socket.bytes_written))
                socket.end("", done)
                socket.uncork()
            ev.append(("sync", socket.bytes_written))

        srv = net.create_server(on_conn)

        def listening() -> None:
            client = net.connect(port_of(srv), "127.0.0.1")
            client.resume()

            def on_close(had_error: bool) -> None:
                ev.append(("client close", client.bytes_read))
                srv.close()
            client.on("close", on_close)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 30)
    if variant == "writev":
        assert ev[:2] == [("after first write", n), ("after second write", 2 * n)]
        ev = ev[2:]
    assert ev[0] == ("sync", total)
    assert sorted(ev[1:]) == [("client close", total), ("end cb", total)]


# ported from test/parallel/test-net-bytes-read.js
def test_bytes_read_grows_with_each_data_and_survives_close() -> None:
    big = 1024 * 1024
    ev: List[Any] = []

    def main() -> None:
        def handler(socket: net.Socket) -> None:
            socket.end(bytes(big))
            srv.close()

        srv = net.create_server(handler)

        def on_listen() -> None:
            seen: List[int] = []

            def on_data(chunk: bytes) -> None:
                seen.append(socket.bytes_read)

            def on_end() -> None:
                ev.append(("end", socket.bytes_read))

            def on_close(had_error: bool) -> None:
                ev.append(("close", socket.fileno(), socket.bytes_read))
                ev.append(("increasing", all(x < y for x, y in zip(seen, seen[1:])),
                           seen[-1] if seen else None))

            def on_connect() -> None:
                socket.on("data", on_data)
                socket.on("end", on_end)
                socket.on("close", on_close)
                socket.end()

            socket = net.connect(port_of(srv), "127.0.0.1", on_connect)

        srv.listen(0, "127.0.0.1", on_listen)

    run(main, 10)
    assert ev == [("end", big), ("close", -1, big), ("increasing", True, big)]


# ported from test/parallel/test-net-bytes-stats.js
def test_byte_counters_are_per_connection_across_reconnect(endpoint: Endpoint) -> None:
    totals = {"read": 0, "written": 0, "connects": 0}

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()

            def on_end() -> None:
                totals["read"] += s.bytes_read
            s.on("end", on_end)

        srv = net.Server(on_conn)

        def listening() -> None:
            socket = endpoint.connect(srv)

            def on_connect() -> None:
                totals["connects"] += 1
                socket.write("foo", lambda *a: socket.end("bar"))

            def on_finish() -> None:
                totals["written"] += socket.bytes_written

            def on_close(had_error: bool) -> None:
                if totals["connects"] < 2:
                    endpoint.socket_connect(socket, srv)
                else:
                    srv.close()

            socket.on("connect", on_connect)
            socket.on("finish", on_finish)
            socket.on("close", on_close)

        endpoint.listen(srv, listening)

    run(main, 10)
    assert totals == {"read": 12, "written": 12, "connects": 2}


# ---------------------------------------------------------------- argument checks


CHUNK_TYPE_MESSAGE = ('The "chunk" argument must be of type string or an instance of '
                      'Buffer, TypedArray, or DataView. Received ')


# ported from test/parallel/test-net-write-arguments.js
def test_write_argument_validation() -> None:
    ev: List[Any] = []

    def main() -> None:
        socket = net.Stream({"highWaterMark": 0})
        socket.on("error", lambda err: ev.append(("error", err)))
        with pytest.raises(TypeError) as info:
            socket.write(None)
        ev.append((info.value.code, str(info.value)))
        for value in (True, False, 1, 1.0, float("inf"), float("-inf"), [], {}, object()):
            with pytest.raises(TypeError) as info:
                socket.write(value)
            ev.append((info.value.code, str(info.value).startswith(CHUNK_TYPE_MESSAGE)))
        socket.destroy()

    run(main, 5)
    # None is JavaScript's undefined (ERR_INVALID_ARG_TYPE in Node's test); Node's
    # write(null) (ERR_STREAM_NULL_VALUES) has no Python counterpart
    assert ev[0] == ("ERR_INVALID_ARG_TYPE", 'The "chunk" argument must be of type string or '
                     "an instance of Buffer, TypedArray, or DataView. Received None")
    assert ev[1:] == [("ERR_INVALID_ARG_TYPE", True)] * 9


# ported from test/parallel/test-net-socket-write-error.js
def test_write_bad_type_after_connect_throws_without_error_event() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.resume())

        def on_connect() -> None:
            client.on("error", lambda err: ev.append(("error", err)))
            try:
                client.write(1337)
            except TypeError as exc:
                ev.append(("raised", exc.code))
            client.destroy()
            srv.close()

        def listening() -> None:
            nonlocal client
            client = net.connect(port_of(srv), "127.0.0.1", on_connect)

        client: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("raised", "ERR_INVALID_ARG_TYPE")]


def test_write_after_own_end_errors_write_after_end() -> None:
    """Stream rule (Node v20): write() after our end() → cb and 'error' with
    ERR_STREAM_WRITE_AFTER_END, and the socket is destroyed (no 'finish')."""
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("error", lambda err: None)
            s.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def on_connect() -> None:
            c.end()
            ev.append(("ended", c.writable_ended, c.writable_finished, c.writable))
            ret = c.write("x", lambda err: ev.append(("cb", err.code, str(err))))
            ev.append(("returned", ret))

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)
            c.on("error", lambda err: ev.append(("error", err.code)))
            c.on("finish", lambda: ev.append(("finish",)))
            c.on("close", lambda had_error: ev.append(("close", had_error)))

        c: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("ended", True, False, False), ("returned", False),
                  ("cb", "ERR_STREAM_WRITE_AFTER_END", "write after end"),
                  ("error", "ERR_STREAM_WRITE_AFTER_END"), ("close", True)]


# ---------------------------------------------------------------- cork, callbacks


# ported from test/parallel/test-net-sync-cork.js
def test_sync_cork_uncork_rounds_all_return_true() -> None:
    ev: List[Any] = []
    received: List[bytes] = []

    def main() -> None:
        def handle(socket: net.Socket) -> None:
            socket.on("data", received.append)
            socket.on("error", lambda err: ev.append(("error", err)))
            socket.on("close", lambda *a: srv.close())

        srv = net.create_server(handle)

        def on_connect() -> None:
            res, i = True, 0
            buf = b"aa"
            while i < 100 and res:
                conn.cork()
                conn.write(buf)
                res = conn.write(buf)
                conn.uncork()
                i += 1
            ev.append(("rounds", i))
            conn.end()

        def listening() -> None:
            nonlocal conn
            conn = net.connect(port_of(srv), "127.0.0.1", on_connect)

        conn: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("rounds", 100)]
    assert b"".join(received) == b"a" * 400


# ported from test/pummel/test-net-write-callbacks.js (500 000 writes reduced to 50 000)
def test_write_callbacks_fire_once_each_in_order() -> None:
    n = 50_000
    order: List[int] = []
    received = [0]

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            def on_data(d: bytes) -> None:
                received[0] += len(d)
            s.on("data", on_data)
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def on_connect() -> None:
            for i in range(n):
                c.write("hello world", lambda err, i=i: order.append(i if err is None else -1))
            c.end()

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)
            c.resume()

        c: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 60)
    assert received[0] == n * len("hello world")
    assert order == list(range(n))


# ported from test/parallel/test-net-write-slow.js
def test_write_slow_reader_gets_everything_and_no_timeout() -> None:
    size, count = 200_000, 10
    ev: Dict[str, Any] = {"flushed": 0, "received": 0, "timeouts": 0}

    def main() -> None:
        buf = b"a" * size

        def on_conn(socket: net.Socket) -> None:
            socket.set_no_delay()
            socket.set_timeout(1000)

            def on_timeout() -> None:
                ev["timeouts"] += 1
            socket.on("timeout", on_timeout)

            def flushed(*_: Any) -> None:
                ev["flushed"] += 1
                if ev["flushed"] == count:
                    socket.set_timeout(0)

            for _ in range(count):
                socket.write(buf, flushed)
            socket.end()

        srv = net.create_server(on_conn)

        def listening() -> None:
            conn = net.connect(port_of(srv), "127.0.0.1")

            def on_data(data: bytes) -> None:
                ev["received"] += len(data)
                conn.pause()
                net.set_timeout(conn.resume, 20)
            conn.on("data", on_data)
            conn.on("end", lambda: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    run(main, 30)
    assert ev == {"flushed": count, "received": size * count, "timeouts": 0}


# ---------------------------------------------------------------- encodings


# ported from test/parallel/test-net-large-string.js
def test_large_utf8_string_is_never_split_mid_character(endpoint: Endpoint) -> None:
    size = 40 * 1024
    data = "あ" * size
    got: List[Any] = []

    def main() -> None:
        def on_conn(socket: net.Socket) -> None:
            chunks: List[str] = []
            socket.set_encoding("UTF-8")
            socket.on("data", chunks.append)

            def on_end() -> None:
                got.append(sum(len(c) for c in chunks))
                got.append(all("\ufffd" not in c for c in chunks))
                got.append("".join(chunks) == data)
                socket.end()
            socket.on("end", on_end)

        srv = net.create_server(on_conn)

        def listening() -> None:
            client = endpoint.connect(srv)
            client.on("end", lambda: srv.close())
            client.write(data, "UTF-8")
            client.end()

        endpoint.listen(srv, listening)

    run(main, 10)
    assert got == [size, True, True]


# ported from test/parallel/test-net-binary.js
def test_latin1_binary_round_trip_of_all_256_byte_values() -> None:
    binary_string = "".join(chr(i) for i in range(255, -1, -1))
    recv: List[str] = []

    def main() -> None:
        def on_conn(connection: net.Socket) -> None:
            connection.set_encoding("latin1")
            connection.on("data", lambda chunk: connection.write(chunk, "latin1"))
            connection.on("end", lambda: connection.end())

        echo = net.Server(on_conn)
        echo.listen(0)

        def listening() -> None:
            j = [0]
            c = net.create_connection({"port": port_of(echo)})
            c.set_encoding("latin1")

            def on_data(chunk: str) -> None:
                n = j[0] + len(chunk)
                while j[0] < n and j[0] < 256:
                    c.write(chr(j[0]), "latin1")
                    j[0] += 1
                if j[0] == 256:
                    c.end()
                recv.append(chunk)

            c.on("data", on_data)
            c.on("connect", lambda: c.write(binary_string, "binary"))
            c.on("close", lambda *a: echo.close())

        echo.on("listening", listening)

    run(main, 10)
    text = "".join(recv)
    assert len(text) == 2 * 256
    assert text[:256][::-1] == text[256:]
    assert text[256:] == "".join(chr(i) for i in range(256))


# Buffer.from(string, encoding) in Node v20, for what write(string, encoding) sends
ENCODED = [
    ("68656c6c6f", "hex", "68656c6c6f"),
    ("abc", "hex", "ab"),                 # odd length: the last nibble is dropped
    ("zz11", "hex", ""),                  # stops at the first bad pair
    ("aGVsbG8=", "base64", "68656c6c6f"),
    ("aGVsbG8", "base64", "68656c6c6f"),  # padding optional
    ("aGV sbG8", "base64", "68656c6c6f"),  # whitespace skipped
    ("+/8=", "base64", "fbff"),
    ("_-8", "base64url", "ffef"),
    ("héllo あ", "latin1", "68e96c6c6f2042"),  # low byte of each code unit
    ("héllo あ", "binary", "68e96c6c6f2042"),
    ("héllo あ", "ascii", "68e96c6c6f2042"),   # Node's 'ascii' writes like latin1
    ("hé あ😀", "utf16le", "6800e900200042303dd800de"),
    ("hé あ😀", "ucs2", "6800e900200042303dd800de"),
    ("hé あ😀", "utf8", "68c3a920e38182f09f9880"),
    ("x", "UTF-8", "78"),
    ("x", "Latin1", "78"),
]


@pytest.mark.parametrize("text,encoding,expected_hex", ENCODED,
                         ids=[f"{e}-{i}" for i, (_, e, _h) in enumerate(ENCODED)])
def test_write_string_with_encoding_sends_node_bytes(text: str, encoding: str,
                                                     expected_hex: str) -> None:
    received: List[bytes] = []

    def main() -> None:
        srv = sink_server(received)

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            c.write(text, encoding)
            c.end()

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert b"".join(received).hex() == expected_hex


@pytest.mark.parametrize("encoding", ["hex", "base64", "base64url", "latin1", "utf16le", "ucs2"])
def test_set_encoding_round_trip_via_encoded_strings(encoding: str) -> None:
    """Bytes written one at a time (separate TCP segments) and read back with
    set_encoding(enc): the decoded pieces join to the encoding of the whole."""
    payload = "hé あ😀 done".encode("utf-16-le")
    pieces: List[str] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.set_encoding(encoding)
            s.on("data", pieces.append)
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            c.set_no_delay(True)
            c.resume()
            i = [0]

            def step() -> None:
                if i[0] == len(payload):
                    c.end()
                    return
                c.write(payload[i[0]:i[0] + 1])
                i[0] += 1
                net.set_timeout(step, 1)
            c.on("connect", step)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 10)
    import base64
    whole = {
        "hex": payload.hex(),
        "base64": base64.b64encode(payload).decode(),
        "base64url": base64.urlsafe_b64encode(payload).decode().rstrip("="),
        "latin1": payload.decode("latin-1"),
        "utf16le": payload.decode("utf-16-le"),
        "ucs2": payload.decode("utf-16-le"),
    }[encoding]
    assert all(isinstance(p, str) for p in pieces)
    assert "".join(pieces) == whole
    if encoding in ("utf16le", "ucs2"):
        # nodenet keeps a surrogate pair in one 'data' string. Node v20 may emit its
        # two halves in separate strings (harmless in JS, where they concatenate
        # back into the character, but not in Python), so this is a deliberate
        # Python-side difference (not yet listed in docs/compat.md).
        assert not any(p and 0xD800 <= ord(p[-1]) <= 0xDBFF for p in pieces)


@pytest.mark.parametrize("text, encoding, wire", [
    ("h\u00e9\u20ac", "latin1", bytes([104, 233, 172])),
    ("abcdxyz", "hex", bytes([171, 205])),
    ("QUJD-_", "base64", bytes([65, 66, 67, 251])),
    ("a\ud800", "utf16le", bytes([97, 0, 0, 216])),
    ("a\ud800b", "utf8", bytes([97, 239, 191, 189, 98])),
])
def test_write_string_with_an_encoding(text: str, encoding: str, wire: bytes) -> None:
    # node: socket.write(text, encoding) sends Buffer.from(text, encoding)
    got: List[bytes] = []

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            conn.on("data", got.append)
            conn.on("end", lambda: (conn.end(), server.close()))

        server = net.create_server(on_conn)
        server.listen(0, "127.0.0.1", lambda: net.connect(port_of(server), "127.0.0.1")
                      .end(text, encoding))

    run(main)
    assert b"".join(got) == wire



# ---------------------------------------------------------------- backpressure


def test_write_returns_false_at_the_64k_high_water_mark_while_connecting() -> None:
    ev: List[Any] = []
    received: List[bytes] = []

    def main() -> None:
        srv = sink_server(received)

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            ev.append(("hwm", c.writable_high_water_mark))
            chunk = b"x" * 16384
            for _ in range(5):
                ev.append((c.write(chunk), c.writable_length, c.writable_need_drain))

            def on_drain() -> None:
                ev.append(("drain", c.writable_length, c.writable_need_drain))
                c.end()
            c.on("drain", on_drain)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    # SPEC: 64 KiB default (Node 20: 16 KiB; Node 22+: 64 KiB)
    assert ev == [("hwm", 65536), (True, 16384, False), (True, 32768, False),
                  (True, 49152, False), (False, 65536, True), (False, 81920, True),
                  ("drain", 0, False)]
    assert sum(len(r) for r in received) == 5 * 16384


def test_high_water_mark_option_sets_the_write_threshold() -> None:
    ev: List[Any] = []

    def main() -> None:
        s = net.Socket(high_water_mark=100)
        ev.append((s.writable_high_water_mark, s.readable_high_water_mark))
        s.destroy()

    run(main, 5)
    assert ev == [(100, 100)]


def test_backpressure_against_a_paused_peer_then_drain(endpoint: Endpoint) -> None:
    """write() turns False once the kernel is full and 64 KiB are queued;
    'drain' follows when the peer reads again, and nothing is lost."""
    ev: List[Any] = []
    got = [0]
    sent = [0]

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            def on_data(d: bytes) -> None:
                got[0] += len(d)
            s.on("data", on_data)       # paused on connect: no flow until resume()
            net.set_timeout(s.resume, 50)
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server({"pauseOnConnect": True}, on_conn)

        def on_connect() -> None:
            chunk = b"y" * 65536
            writes = 0
            while writes < 2000:
                writes += 1
                if not c.write(chunk):
                    break
            ev.append(("stopped", writes < 2000, c.writable_length >= 65536,
                       c.writable_need_drain))
            sent[0] = writes * len(chunk)

            def on_drain() -> None:
                ev.append(("drain", c.writable_length, c.writable_need_drain))
                c.end()
            c.once("drain", on_drain)

        def listening() -> None:
            nonlocal c
            c = endpoint.connect(srv, on_connect)

        c: Any = None
        endpoint.listen(srv, listening)

    run(main, 20)
    assert ev == [("stopped", True, True, True), ("drain", 0, False)]
    assert got[0] == sent[0]


# ---------------------------------------------------------------- more Node v20 pins


# Node v20: empty writes succeed, call back, and count no bytes
def test_empty_writes_call_back_and_count_nothing() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def on_connect() -> None:
            ev.append(("str", c.write("", lambda *a: ev.append("cb empty str"))))
            ev.append(("bytes", c.write(b"", lambda *a: ev.append("cb empty bytes"))))
            ev.append(("bytes_written", c.bytes_written))
            c.end()

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)
            c.resume()
            c.on("close", lambda *a: ev.append("close"))

        c: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("str", True), ("bytes", True), ("bytes_written", 0), "cb empty str",
                  "cb empty bytes", "close"]


# ported from test/parallel/test-net-socket-write-after-close.js (the
# ERR_SOCKET_CLOSED half): a write on a socket that has no handle
def test_write_without_handle_fails_with_err_socket_closed() -> None:
    ev: List[Any] = []

    def main() -> None:
        c = net.Socket()
        c.on("error", lambda err: ev.append(("error", err.code, str(err))))
        ev.append(("returned", c.write("x", lambda err: ev.append(("cb", err.code)))))
        c.on("close", lambda *a: ev.append(("close", a)))

    run(main, 5)
    assert ev == [("returned", False), ("cb", "ERR_SOCKET_CLOSED"),
                  ("error", "ERR_SOCKET_CLOSED", "Socket is closed"), ("close", (False,))]


# a write queued while connecting, the socket destroyed in an earlier 'connect'
# listener: net's own listener then finds no handle (Node v20: ERR_SOCKET_CLOSED)
def test_destroy_in_connect_listener_with_a_queued_write() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            c.on("connect", lambda: (ev.append("connect"), c.destroy()))
            c.write("x", lambda err: ev.append(("cb", getattr(err, "code", err))))
            c.on("close", lambda had_error: ev.append(("close", had_error)))

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == ["connect", ("cb", "ERR_SOCKET_CLOSED"), ("close", False)]


# Node v20: several writes queued while connecting, then destroy(): the pending
# write fails with ERR_SOCKET_CLOSED_BEFORE_CONNECTION and so does the buffered
# one (the stream's error is passed on)
def test_destroy_while_connecting_fails_every_queued_write() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            c.write("a", lambda err: ev.append(("cb a", err.code)))
            c.write("b", lambda err: ev.append(("cb b", err.code)))
            c.destroy()
            ev.append("destroyed")
            c.on("error", lambda err: ev.append(("error", err.code)))
            c.on("close", lambda had_error: (ev.append(("close", had_error)), srv.close()))

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == ["destroyed", ("cb a", "ERR_SOCKET_CLOSED_BEFORE_CONNECTION"),
                  ("cb b", "ERR_SOCKET_CLOSED_BEFORE_CONNECTION"), ("close", False)]


# Node 26: destroy() while a large write is in the handle and another is
# buffered behind it: the first is cancelled ("write ECANCELED") and the buffered
# one gets the same error (Node 20: None, then ERR_STREAM_DESTROYED)
def test_destroy_with_a_write_in_flight_and_one_buffered() -> None:
    ev: List[Any] = []

    def main() -> None:
        held: List[net.Socket] = []
        srv = net.create_server({"pauseOnConnect": True}, held.append)

        def on_connect() -> None:
            # the peer does not read and the buffers are small: 4 MiB stay in the handle
            limit_buffers(c)
            c.write(bytes(4 * 1024 * 1024), lambda err: ev.append(("cb big", err and err.code)))
            ev.append(("pending", c.writable_length > 0))
            c.write("b", lambda err: ev.append(("cb b", err.code)))
            c.destroy()
            ev.append("destroyed")

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)
            c.on("error", lambda err: ev.append(("error", err.code)))

            def on_close(had_error: bool) -> None:
                ev.append(("close", had_error))
                held[0].destroy()
                srv.close()
            c.on("close", on_close)

        c: Any = None
        srv.listen(0, "127.0.0.1", lambda: (limit_buffers(srv), listening()))

    run(main, 10)
    assert ev == [("pending", True), "destroyed", ("cb big", "ECANCELED"),
                  ("cb b", "ECANCELED"), ("close", False)]


# Writable.prototype.destroy (Node v20) calls back every buffered (e.g. corked)
# write and every pending end() callback on the next tick, with the stream's
# error or ERR_STREAM_DESTROYED.
def test_destroy_calls_back_corked_writes_and_end_with_stream_destroyed() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def on_connect() -> None:
            c.cork()
            c.write("a", lambda err: ev.append(("cb a", getattr(err, "code", err))))
            c.destroy()
            c.end(lambda err: ev.append(("end cb", getattr(err, "code", err))))
            ev.append("destroyed")

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)
            c.on("error", lambda err: ev.append(("error", err.code)))
            c.on("close", lambda had_error: ev.append(("close", had_error)))

        c: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == ["destroyed", ("cb a", "ERR_STREAM_DESTROYED"),
                  ("end cb", "ERR_STREAM_DESTROYED"), ("close", False)]


def test_destroy_with_error_passes_it_to_corked_write_callbacks() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("error", lambda err: None)
            s.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def on_connect() -> None:
            c.cork()
            c.write("a", lambda err: ev.append(("cb a", str(err))))
            c.destroy(RuntimeError("boom"))
            ev.append("destroyed")

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)
            c.on("error", lambda err: ev.append(("error", str(err))))
            c.on("close", lambda had_error: ev.append(("close", had_error)))

        c: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == ["destroyed", ("cb a", "boom"), ("error", "boom"), ("close", True)]


# Node v20: end() fully uncorks
def test_end_uncorks() -> None:
    ev: List[Any] = []

    def main() -> None:
        got: List[bytes] = []

        def on_conn(s: net.Socket) -> None:
            s.on("data", got.append)
            s.on("end", lambda: (ev.append(("got", b"".join(got))), s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def on_connect() -> None:
            c.cork()
            c.cork()
            c.write("a")
            c.write("b")
            ev.append(("corked", c.writable_corked, c.writable_length))
            c.end("c")
            ev.append(("after end", c.writable_corked))

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)
            c.resume()
            c.on("finish", lambda: ev.append("finish"))

        c: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("corked", 2, 2), ("after end", 0), "finish", ("got", b"abc")]


# Node v20: writable_length counts string chunks in UTF-16 code units and
# buffers in bytes, while bytes_written counts encoded bytes
def test_writable_length_units_versus_bytes_written() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("end", lambda: (ev.append(("server read", s.bytes_read)), s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            ev.append(("write", c.write("é")))
            ev.append(("queued", c.bytes_written, c.writable_length))
            c.end(bytes([1, 2, 3]))
            ev.append(("queued", c.bytes_written, c.writable_length))
            c.resume()
            c.on("finish", lambda: ev.append(("finish", c.bytes_written, c.writable_length)))

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("write", True), ("queued", 2, 1), ("queued", 5, 4), ("finish", 5, 0),
                  ("server read", 5)]


def test_unknown_encoding_raises_at_the_call() -> None:
    ev: List[Any] = []

    def main() -> None:
        c = net.Socket()
        for call in (lambda: c.write("x", "bogus"), lambda: c.end("x", "bogus"),
                     lambda: c.set_encoding("bogus")):
            try:
                call()
            except TypeError as exc:
                ev.append((exc.code, str(exc)))
        c.destroy()

    run(main, 5)
    assert ev == [("ERR_UNKNOWN_ENCODING", "Unknown encoding: bogus")] * 3


# Node's Writable: the encoding is checked for buffers too, and the special
# encoding 'buffer' is refused for a string (Node 26; Node 20 sent it as UTF-8)
@pytest.mark.parametrize("call", ["write-bytes-bogus", "end-bytes-bogus", "write-str-buffer"])
def test_encoding_argument_checks_like_node(call: str) -> None:
    ev: List[Any] = []

    def main() -> None:
        c = net.Socket(high_water_mark=0)
        try:
            if call == "write-bytes-bogus":
                c.write(b"x", "bogus")
            elif call == "end-bytes-bogus":
                c.end(b"x", "bogus")
            else:
                c.write("x", "buffer")
            ev.append("ok")
        except TypeError as exc:
            ev.append(exc.code)
        c.destroy()

    run(main, 5)
    assert ev == ["ERR_UNKNOWN_ENCODING"]


# Node v20's Writable.write: a callback argument that is not a function is
# ignored (the chunk is still written), not an error
def test_non_callable_write_callback_is_ignored() -> None:
    ev: List[Any] = []

    def main() -> None:
        got: List[bytes] = []

        def on_conn(s: net.Socket) -> None:
            s.on("data", got.append)
            s.on("end", lambda: (ev.append(b"".join(got)), s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def on_connect() -> None:
            try:
                c.write("d", "utf8", "not a function")
            except TypeError as exc:
                ev.append(exc.code)
            c.end()

        def listening() -> None:
            nonlocal c
            c = net.connect(port_of(srv), "127.0.0.1", on_connect)
            c.resume()

        c: Any = None
        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [b"d"]


def test_write_when_the_kernel_buffer_is_already_full() -> None:
    # the kernel takes nothing (EAGAIN on the first send): the write waits for
    # writability, write() still returns True (under the high-water mark), and
    # the peer gets everything in order once it reads
    filled = [0]
    got: List[bytes] = []
    results: List[Any] = []

    def main() -> None:
        server = net.create_server({"pauseOnConnect": True})

        def on_conn(conn: net.Socket) -> None:
            conn.on("data", got.append)
            conn.on("end", lambda: (conn.end(), server.close()))
            net.set_timeout(conn.resume, 20)

        server.on("connection", on_conn)

        def listening() -> None:
            client = net.connect(port_of(server), "127.0.0.1")

            def connected() -> None:
                dup = socket.socket(fileno=os.dup(client.fileno()))
                try:
                    dup.setblocking(False)
                    chunk = b"f" * 65536
                    while True:
                        try:
                            filled[0] += dup.send(chunk)
                        except BlockingIOError:
                            break
                finally:
                    dup.close()
                results.append(client.write(b"tail", lambda err: results.append(("cb", err))))
                results.append(client.writable_length)
                client.end()

            client.on("connect", connected)
            client.resume()

        server.listen(0, "127.0.0.1", listening)

    run(main, timeout=20)
    data = b"".join(got)
    assert results == [True, 4, ("cb", None)]
    assert len(data) == filled[0] + 4 and data.endswith(b"ftail")


def test_write_callback_destroying_the_socket_mid_shutdown() -> None:
    # node: write(big, cb -> destroy()); end(cb2) -> write cb (null, destroyed
    # false), then end's cb gets ERR_STREAM_DESTROYED, 'close' false, no 'finish'
    big = b"\1" * (4 * 1024 * 1024)
    events: List[Any] = []

    def main() -> None:
        server = net.create_server(lambda c: (c.resume(), c.on("error", lambda e: None),
                                              c.on("close", lambda *_: server.close())))

        def listening() -> None:
            def connected() -> None:
                def write_cb(err: Any) -> None:
                    events.append(("write cb", getattr(err, "code", None), client.destroyed))
                    client.destroy()
                    events.append("destroyed")

                limit_buffers(client)      # the write stays pending (the server reads later)
                events.append(("write", client.write(big, write_cb)))
                client.end(lambda err=None: events.append(("end cb", getattr(err, "code", None))))

            limit_buffers(server)
            client = net.connect(port_of(server), "127.0.0.1", connected)
            client.on("finish", lambda: events.append("finish"))
            client.on("error", lambda e: events.append(("error", e.code)))
            client.on("close", lambda had_error: events.append(("close", had_error)))

        server.listen(0, "127.0.0.1", listening)

    run(main, timeout=20)
    assert events == [("write", False), ("write cb", None, False), "destroyed",
                      ("end cb", "ERR_STREAM_DESTROYED"), ("close", False)]


# A write that fails at once (a Unix-domain peer that has closed: send() gives
# EPIPE, no timing involved). Node counts a failed write in bytesWritten in full,
# except a string short enough for its handle to try sending as a string (at most
# 16 KiB of storage, not hex/base64, not gathered in a writev), which counts
# nothing. Every value was printed by the same scenario under Node 26.12 and 20.20.
FAILED_WRITE_CASES = {
    # name: (what to write, bytesWritten after the failed write)
    "str": (lambda c, cb: c.write("hello"), 0),
    "str-cb": (lambda c, cb: c.write("hello", cb), 0),
    "utf16le": (lambda c, cb: c.write("hé", "utf16le", cb), 0),
    "buffer": (lambda c, cb: c.write(b"hello"), 5),          # the fast path, when on
    "buffer-cb": (lambda c, cb: c.write(b"hello", cb), 5),
    "bytearray": (lambda c, cb: c.write(bytearray(b"\1\2\3"), cb), 3),
    "hex": (lambda c, cb: c.write("abcd", "hex", cb), 2),
    "base64": (lambda c, cb: c.write("aGVsbG8=", "base64", cb), 5),
    "latin1-16385": (lambda c, cb: c.write("x" * 16385, "latin1", cb), 16385),
    "cork-one": (lambda c, cb: (c.cork(), c.write("hello", cb), c.uncork()), 0),
    "cork-two": (lambda c, cb: (c.cork(), c.write("hel"), c.write("lo", cb), c.uncork()), 5),
    "end": (lambda c, cb: c.end("hello", cb), 0),
    "end-buffer": (lambda c, cb: c.end(b"hello"), 5),          # end()'s fast path, when on
}


@pytest.mark.parametrize("fast", [True, False], ids=["fast-paths", "no-fast-paths"])
@pytest.mark.parametrize("how", list(FAILED_WRITE_CASES))
def test_a_failed_write_counts_unless_a_short_string(how: str, fast: bool, ipc_path: str,
                                                     monkeypatch: Any) -> None:
    import nodenet._netsocket as netsocket
    if not fast:
        monkeypatch.setattr(netsocket, "FAST_PATHS", False)
    write, expected = FAILED_WRITE_CASES[how]
    events: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: (s.destroy(), srv.close()))

        def listening() -> None:
            c = net.connect({"path": ipc_path, "allow_half_open": True})

            def on_end() -> None:
                write(c, lambda e=None: events.append(("cb", e and e.code, c.bytes_written)))
                events.append(("after", c.bytes_written))
            c.on("end", on_end)
            c.on("error", lambda e: events.append(("error", e.code, c.bytes_written)))
            c.on("close", lambda *_: events.append(("close", c.bytes_written)))
        srv.listen(ipc_path, listening)

    run(main, timeout=10)
    has_cb = how not in ("str", "buffer", "end-buffer")
    assert events == ([("after", expected)]
                      + ([("cb", "EPIPE", expected)] if has_cb else [])
                      + [("error", "EPIPE", expected), ("close", expected)])
