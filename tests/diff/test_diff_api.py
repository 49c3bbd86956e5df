"""Differential: API surface details — connect/listen overloads, the 'readable'/read()
interface, setEncoding on buffered data, large writes, repeated end(), AbortSignal.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

import nodenet as net
from difftrace import Trace, when, when_read
from diffpair import EVENTS, check, js_pair, py_pair

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from conftest import HAS_IPV6  # noqa: E402

pytestmark = pytest.mark.node

CEV = ["lookup", "connectionAttempt", "connect", "ready", "end", "close", "error"]


def test_connect_overloads() -> None:
    """One after the other: connect(port) (host 'localhost', looked up),
    createConnection(port, host, cb), connect({port, host}, cb), and
    new Socket().connect(port, host, cb) returning the socket."""
    js = """
    const srv = net.createServer((c) => c.end());
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      const steps = [
        () => { const a = net.connect(p);
                a.on('connect', () => rec('a', 'connect listener', a.remoteAddress,
                                          a.remotePort));
                return a; },
        () => net.createConnection(p, '127.0.0.1', () => rec('b', 'cb')),
        () => net.connect({port: p, host: '127.0.0.1'}, () => rec('c', 'cb')),
        () => { const d = new net.Socket();
                rec('d returns itself', d.connect(p, '127.0.0.1', () => rec('d', 'cb')) === d);
                return d; },
      ];
      const next = (i) => {
        if (i === steps.length) { srv.close(); return; }
        const s = steps[i]();
        watch(s, 'abcd'[i], %(ev)s);
        s.on('close', () => next(i + 1));
      };
      next(0);
    });
    """ % {"ev": CEV}

    def py(t: Trace) -> None:
        srv = net.create_server(lambda c: c.end())

        def listening() -> None:
            p = t.port(srv.address()["port"])

            def step_a() -> net.Socket:
                a = net.connect(p)
                a.on("connect", lambda: t.rec("a", "connect listener", a.remote_address,
                                              a.remote_port))
                return a

            def step_d() -> net.Socket:
                d = net.Socket()
                t.rec("d returns itself",
                      d.connect(p, "127.0.0.1", lambda: t.rec("d", "cb")) is d)
                return d

            steps = [
                step_a,
                lambda: net.create_connection(p, "127.0.0.1", lambda: t.rec("b", "cb")),
                lambda: net.connect({"port": p, "host": "127.0.0.1"},
                                    lambda: t.rec("c", "cb")),
                step_d,
            ]

            def next_step(i: int) -> None:
                if i == len(steps):
                    srv.close()
                    return
                s = steps[i]()
                t.watch(s, "abcd"[i], CEV)
                s.on("close", lambda *a: next_step(i + 1))

            next_step(0)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_listen_overloads_and_addresses() -> None:
    """listen(0, host, backlog, cb), listen({port, host: 'localhost'}),
    listen({port: '0'}) (a numeric string)."""
    js = """
    const out = [];
    const a = net.createServer();
    a.listen(0, '127.0.0.1', 10, () => {
      port(a.address().port); rec('a', a.address());
      const b = net.createServer();
      b.listen({port: 0, host: 'localhost'}, () => {
        port(b.address().port); rec('b', b.address());
        const c = net.createServer();
        c.listen({port: '0', host: '127.0.0.1'}, () => {
          port(c.address().port); rec('c', c.address().address);
          a.close(); b.close(); c.close();
        });
      });
    });
    """

    def py(t: Trace) -> None:
        a = net.create_server()

        def a_up() -> None:
            t.port(a.address()["port"])
            t.rec("a", a.address())
            b = net.create_server()

            def b_up() -> None:
                t.port(b.address()["port"])
                t.rec("b", b.address())
                c = net.create_server()

                def c_up() -> None:
                    t.port(c.address()["port"])
                    t.rec("c", c.address()["address"])
                    a.close()
                    b.close()
                    c.close()

                c.listen({"port": "0", "host": "127.0.0.1"}, c_up)

            b.listen({"port": 0, "host": "localhost"}, b_up)

        a.listen(0, "127.0.0.1", 10, a_up)

    check(js, py)


@pytest.mark.skipif(not HAS_IPV6, reason="no IPv6")
def test_listen_without_host_is_dual_stack() -> None:
    """listen(0) binds '::' (IPv6, dual-stack): an IPv4 client connects, and the
    server side sees it as an IPv4-mapped address."""
    js = """
    const srv = net.createServer((c) => {
      rec('server side', c.remoteAddress, c.remoteFamily, c.localAddress);
      c.end();
      c.on('close', () => srv.close());
    });
    srv.listen(0, () => {
      rec('address', srv.address().address, srv.address().family);
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      c.on('close', () => rec('client close'));
    });
    """

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.rec("server side", c.remote_address, c.remote_family, c.local_address)
            c.end()
            c.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            t.rec("address", srv.address()["address"], srv.address()["family"])
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            c.on("close", lambda *a: t.rec("client close"))

        srv.listen(0, listening)

    check(js, py)


def test_readable_event_and_read() -> None:
    """Consuming with 'readable' + read(): no 'data' listener; the text is joined,
    read() returns null at the end, 'end' after the last read."""
    js = js_pair(server_body="""
      c.write('abc');
      whenRead(pairClient, 3, () => c.end('def'));     // a read of its own
    """, client_body="""
      const got = [];
      c.on('readable', () => {
        let chunk;
        while ((chunk = c.read()) !== null) got.push(chunk.toString());
        rec('readable', c.readableLength, c.readableEnded);
      });
      c.on('end', () => rec('joined', got.join('')));
    """, client_events=["connect", "end", "finish", "close", "error"])

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        got: List[str] = []

        def on_readable() -> None:
            while True:
                chunk = c.read()
                if chunk is None:
                    break
                got.append(chunk.decode())
            t.rec("readable", c.readable_length, c.readable_ended)

        c.on("readable", on_readable)
        c.on("end", lambda: t.rec("joined", "".join(got)))

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        c.write("abc")
        when_read(t.pair_client, 3, lambda: c.end("def"))

    check(js, py_pair(server_body=server, client_body=client,
                      client_events=["connect", "end", "finish", "close", "error"]))


def test_set_encoding_converts_buffered_data() -> None:
    """Paused after the first chunk; the second is read into the buffer; setEncoding
    ('hex') then converts what is buffered, and resume() delivers it as hex. (The
    server writes the second chunk once the first has been read, and the client
    goes on once the second and the end of the stream are in its buffer: no timer
    stands in for either.)"""
    js = js_pair(server_body="""
      c.write('A');
      whenRead(pairClient, 1, () => c.end('BC'));
    """, client_body="""
      c.on('data', (d) => {
        rec('data', d);
        if (!c.readableEncoding) {
          c.pause();
          when(() => c._readableState.ended, () => {
            rec('buffered', c.readableLength);
            c.setEncoding('hex');
            rec('after setEncoding', c.readableLength, c.readableEncoding);
            c.resume();
          });
        }
      });
    """, client_events=["connect", "end", "close", "error"])

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def later() -> None:
            t.rec("buffered", c.readable_length)
            c.set_encoding("hex")
            t.rec("after setEncoding", c.readable_length, c.readable_encoding)
            c.resume()

        def on_data(d: Any) -> None:
            t.rec("data", d)
            if not c.readable_encoding:
                c.pause()
                when(lambda: c._readable_state.ended, later)

        c.on("data", on_data)

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        c.write("A")
        when_read(t.pair_client, 1, lambda: c.end("BC"))

    check(js, py_pair(server_body=server, client_body=client,
                      client_events=["connect", "end", "close", "error"]))


def test_large_write_and_drain() -> None:
    """Writes to a server that does not read yet (pauseOnConnect) until one stays in
    the handle: that one returns false, then one 'drain' once the server resumes,
    its callback, every byte counted.

    How much the kernel takes before a write stays pending depends on the machine
    (tcp_wmem/tcp_rmem): 1 MiB writes go on until ``writableLength`` says one is
    pending, and only what follows is traced. The server resumes 50 ms after both
    the fill is done and it has the connection, whichever comes last."""
    js = js_pair(client_opts={"highWaterMark": 16384}, client_body="""
      globalThis.sent = 0;
      c.on('connect', () => {
        const chunk = Buffer.alloc(1024 * 1024, 120);
        let r = true;
        let last = -1;
        for (let n = 0; n < 1024 && c.writableLength === 0; n++) {
          r = c.write(chunk, (e) => { if (n === last) rec('write cb', e); });
          last = n;
          sent += chunk.length;
        }
        rec('write returned', r, c.writableNeedDrain);
        filled();
      });
      c.on('drain', () => {
        rec('drain', c.writableLength, c.bytesWritten === sent);
        c.end();
      });
    """, server_opts={"pauseOnConnect": True}, server_body="""
      let n = 0;
      c.on('data', (d) => { n += d.length; });
      c.on('end', () => rec('server got', n === sent));
      peer = c;
      maybeResume();
    """, client_events=["connect", "finish", "end", "close", "error"],
        server_events=["end", "finish", "close", "error"])
    js = """
    let peer = null;
    let ready = false;
    function maybeResume() {
      if (peer === null || !ready) return;
      setTimeout(() => { rec('server resumes'); peer.resume(); }, 50);
    }
    function filled() { ready = true; maybeResume(); }
    """ + js
    state: Dict[str, Any] = {"peer": None, "ready": False, "sent": 0}

    def maybe_resume(t: Trace) -> None:
        if state["peer"] is None or not state["ready"]:
            return

        def resume() -> None:
            t.rec("server resumes")
            state["peer"].resume()
        net.set_timeout(resume, 50)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_connect() -> None:
            chunk = bytes([120]) * (1024 * 1024)
            r = True
            last = [-1]
            for n in range(1024):
                if c.writable_length:
                    break
                r = c.write(chunk, lambda *a, n=n: n == last[0] and t.rec("write cb", *a))
                last[0] = n
                state["sent"] += len(chunk)
            t.rec("write returned", r, c.writable_need_drain)
            state["ready"] = True
            maybe_resume(t)

        def on_drain() -> None:
            t.rec("drain", c.writable_length, c.bytes_written == state["sent"])
            c.end()

        c.on("connect", on_connect)
        c.on("drain", on_drain)

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        n = [0]

        def on_data(d: bytes) -> None:
            n[0] += len(d)

        c.on("data", on_data)
        c.on("end", lambda: t.rec("server got", n[0] == state["sent"]))
        state["peer"] = c
        maybe_resume(t)

    check(js, py_pair(server_body=server, client_body=client,
                      client_opts={"highWaterMark": 16384},
                      server_opts={"pauseOnConnect": True},
                      client_events=["connect", "finish", "end", "close", "error"],
                      server_events=["end", "finish", "close", "error"]))


def test_end_twice() -> None:
    """end(cb) twice before 'finish': both callbacks run, without error (Node calls
    them with no argument, nodenet with None: error-first, as SPEC says)."""
    js = js_pair(client_body="""
      c.on('connect', () => {
        c.end((e) => rec('end cb 1', e));
        c.end((e) => rec('end cb 2', e));
        rec('ended', c.writableEnded, c.writableFinished);
      });
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_connect() -> None:
            c.end(lambda *a: t.rec("end cb 1", *a))
            c.end(lambda *a: t.rec("end cb 2", *a))
            t.rec("ended", c.writable_ended, c.writable_finished)

        c.on("connect", on_connect)

    check(js, py_pair(client_body=client))


def test_end_with_data_after_end() -> None:
    """end('x') after end(): ERR_STREAM_WRITE_AFTER_END ('error' and the callback)."""
    js = js_pair(client_body="""
      c.on('connect', () => {
        c.end();
        c.end('x', (e) => rec('end cb', e));
      });
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_connect() -> None:
            c.end()
            c.end("x", lambda *a: t.rec("end cb", *a))

        c.on("connect", on_connect)

    check(js, py_pair(client_body=client))


def test_abort_signal_while_connecting() -> None:
    """connect({signal}) aborted right after connect(): AbortError, close(true)."""
    js = """
    const srv = net.createServer((c) => rec('connection'));
    srv.listen(0, '127.0.0.1', () => {
      const ac = new AbortController();
      const c = net.connect({port: port(srv.address().port), host: '127.0.0.1',
                             signal: ac.signal});
      watch(c, 'client', %s);
      ac.abort();
      rec('after abort', c.destroyed);
      c.on('close', () => srv.close());
    });
    """ % (EVENTS,)

    def py(t: Trace) -> None:
        srv = net.create_server(lambda c: t.rec("connection"))

        def listening() -> None:
            ac = net.AbortController()
            c = net.connect({"port": t.port(srv.address()["port"]), "host": "127.0.0.1",
                             "signal": ac.signal})
            t.watch(c, "client", EVENTS)
            ac.abort()
            t.rec("after abort", c.destroyed)
            c.on("close", lambda *a: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_abort_signal_after_connect() -> None:
    """Aborting a connected socket's signal destroys it with AbortError."""
    js = js_pair(client_body="""
      c.on('connect', () => ac.abort());
    """).replace("const c = net.connect(Object.assign(",
                 "const ac = new AbortController();\n"
                 "      const c = net.connect(Object.assign({signal: ac.signal}, ")

    def py(t: Trace) -> None:
        ac = net.AbortController()

        def client(tt: Trace, c: net.Socket, srv: Any) -> None:
            c.on("connect", lambda: ac.abort())

        py_pair(client_body=client, client_opts={"signal": ac.signal})(t)

    check(js, py)


def test_listen_abort_signal() -> None:
    """listen({signal}) then abort(): the server closes ('close', no 'listening')."""
    js = """
    const srv = net.createServer();
    watch(srv, 'srv', ['listening', 'close', 'error']);
    const ac = new AbortController();
    srv.listen({port: 0, signal: ac.signal});
    ac.abort();
    rec('after abort', srv.listening);
    """

    def py(t: Trace) -> None:
        srv = net.create_server()
        t.watch(srv, "srv", ["listening", "close", "error"])
        ac = net.AbortController()
        srv.listen({"port": 0, "signal": ac.signal})
        ac.abort()
        t.rec("after abort", srv.listening)

    check(js, py)
