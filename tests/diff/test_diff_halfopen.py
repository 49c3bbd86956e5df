"""Differential: half-open lifecycles (who ends first, allowHalfOpen on/off).

Each scenario is written twice, JavaScript first, then the Python port; the
event order of the client and the server side (interleaved as one loop runs
them) must match Node's exactly.
"""

from __future__ import annotations

from typing import Any

import pytest

import nodenet as net
from difftrace import Trace, check

pytestmark = pytest.mark.node

EVENTS = ["connect", "ready", "data", "end", "finish", "close", "error", "timeout"]
SERVER_EVENTS = ["data", "end", "finish", "close", "error"]
BOOL = {False: "false", True: "true"}
HUP_EOF = ("data and EOF after a hang-up: Node 20 ends the stream in the same poll as the "
           "last data (libuv's POLLHUP shortcut); Node 26 reads the EOF at the next poll")


def _js(body: str, **kw: Any) -> str:
    kw.setdefault("EV", EVENTS)
    kw.setdefault("SEV", SERVER_EVENTS)
    return body % {k: (BOOL[v] if isinstance(v, bool) else v) for k, v in kw.items()}


@pytest.mark.parametrize("client_half", [False, True])
@pytest.mark.parametrize("server_half", [False, True])
def test_server_ends_first(server_half: bool, client_half: bool) -> None:
    """The server end()s at once; the client (half-open or not) answers in 'end'."""
    js = _js("""
    const srv = net.createServer({allowHalfOpen: %(SH)s}, (c) => {
      watch(c, 'server', %(SEV)s);
      c.end('bye');
      c.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect({port: port(srv.address().port), host: '127.0.0.1',
                             allowHalfOpen: %(CH)s});
      watch(c, 'client', %(EV)s);
      c.on('end', () => {
        rec('client in end', c.writable, c.writableEnded, c.readyState);
        if (%(CH)s) c.end('reply');
      });
    });
    watch(srv, 'srv', ['listening', 'close']);
    """, SH=server_half, CH=client_half)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.watch(c, "server", SERVER_EVENTS)
            c.end("bye")
            c.on("close", lambda *a: srv.close())

        srv = net.create_server({"allowHalfOpen": server_half}, on_conn)

        def listening() -> None:
            c = net.connect({"port": t.port(srv.address()["port"]), "host": "127.0.0.1",
                             "allowHalfOpen": client_half})
            t.watch(c, "client", EVENTS)

            def on_end() -> None:
                t.rec("client in end", c.writable, c.writable_ended, c.ready_state)
                if client_half:
                    c.end("reply")

            c.on("end", on_end)

        srv.listen(0, "127.0.0.1", listening)
        t.watch(srv, "srv", ["listening", "close"])

    check(js, py)


@pytest.mark.node20_differs(HUP_EOF)
@pytest.mark.parametrize("half_open", [False, True])
def test_both_end_at_once(half_open: bool) -> None:
    """Both sides end() with data as soon as they are connected."""
    js = _js("""
    const srv = net.createServer({allowHalfOpen: %(H)s}, (c) => {
      watch(c, 'server', %(SEV)s);
      c.end('from-server');
      c.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect({port: port(srv.address().port), host: '127.0.0.1',
                             allowHalfOpen: %(H)s});
      watch(c, 'client', %(EV)s);
      c.on('connect', () => c.end('from-client'));
    });
    """, H=half_open)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.watch(c, "server", SERVER_EVENTS)
            c.end("from-server")
            c.on("close", lambda *a: srv.close())

        srv = net.create_server({"allowHalfOpen": half_open}, on_conn)

        def listening() -> None:
            c = net.connect({"port": t.port(srv.address()["port"]), "host": "127.0.0.1",
                             "allowHalfOpen": half_open})
            t.watch(c, "client", EVENTS)
            c.on("connect", lambda: c.end("from-client"))

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_end_while_connecting_with_data() -> None:
    """end(data) before 'connect': the data is sent after connecting, then FIN."""
    js = _js("""
    const srv = net.createServer((c) => {
      let got = '';
      c.setEncoding('utf8');
      c.on('data', (d) => { got += d; });
      c.on('end', () => rec('server got', got));
      watch(c, 'server', ['end', 'finish', 'close']);
      c.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      watch(c, 'client', %(EV)s);
      c.write('one,');
      c.end('two', () => rec('end cb', c.writableFinished));
      rec('after end', c.connecting, c.writableEnded, c.writableFinished, c.readyState);
    });
    """)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            got = []
            c.set_encoding("utf8")
            c.on("data", got.append)
            c.on("end", lambda: t.rec("server got", "".join(got)))
            t.watch(c, "server", ["end", "finish", "close"])
            c.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.watch(c, "client", EVENTS)
            c.write("one,")
            c.end("two", lambda *a: t.rec("end cb", c.writable_finished))
            t.rec("after end", c.connecting, c.writable_ended, c.writable_finished,
                  c.ready_state)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_write_in_end_without_half_open() -> None:
    """allowHalfOpen false: a write() inside 'end' still goes out (end comes a tick later)."""
    js = _js("""
    const srv = net.createServer((c) => {
      watch(c, 'server', %(SEV)s);
      c.on('close', () => srv.close());
      c.end('x');
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      watch(c, 'client', %(EV)s);
      c.on('end', () => {
        const r = c.write('in-end', (err) => rec('write cb', err));
        rec('write returned', r, c.writableEnded);
      });
    });
    """)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.watch(c, "server", SERVER_EVENTS)
            c.on("close", lambda *a: srv.close())
            c.end("x")

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.watch(c, "client", EVENTS)

            def on_end() -> None:
                r = c.write("in-end", lambda *a: t.rec("write cb", *a))
                t.rec("write returned", r, c.writable_ended)

            c.on("end", on_end)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_write_after_fin_epipe() -> None:
    """allowHalfOpen false: after 'end' auto-ended us, a write fails with EPIPE
    ('This socket has been ended by the other party'), error then close."""
    js = _js("""
    const srv = net.createServer((c) => {
      watch(c, 'server', %(SEV)s);
      c.on('close', () => srv.close());
      c.end();
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      watch(c, 'client', %(EV)s);
      c.on('end', () => {
        process.nextTick(() => {
          rec('ended?', c.writableEnded);
          const r = c.write('late', (err) => rec('write cb', err));
          rec('write returned', r, c.destroyed);
        });
      });
    });
    """)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.watch(c, "server", SERVER_EVENTS)
            c.on("close", lambda *a: srv.close())
            c.end()

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.watch(c, "client", EVENTS)

            def late() -> None:
                t.rec("ended?", c.writable_ended)
                r = c.write("late", lambda *a: t.rec("write cb", *a))
                t.rec("write returned", r, c.destroyed)

            c.on("end", lambda: net.next_tick(late))

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


@pytest.mark.node20_differs(HUP_EOF)
def test_half_open_server_keeps_writing() -> None:
    """Server with allowHalfOpen: after the client's FIN it writes twice, then ends."""
    js = _js("""
    const srv = net.createServer({allowHalfOpen: true}, (c) => {
      watch(c, 'server', %(SEV)s);
      c.on('end', () => {
        rec('server state', c.readyState, c.writable, c.readable);
        c.write('a');
        setTimeout(() => { c.end('b'); }, 20);
      });
      c.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect({port: port(srv.address().port), host: '127.0.0.1',
                             allowHalfOpen: true});
      watch(c, 'client', ['connect', 'end', 'finish', 'close', 'error']);
      let got = '';
      c.on('data', (d) => { got += d; });
      c.on('finish', () => rec('client state', c.readyState));
      c.on('end', () => rec('client got', got, c.readyState));
      c.end();
    });
    """)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.watch(c, "server", SERVER_EVENTS)

            def on_end() -> None:
                t.rec("server state", c.ready_state, c.writable, c.readable)
                c.write("a")
                net.set_timeout(lambda: c.end("b"), 20)

            c.on("end", on_end)
            c.on("close", lambda *a: srv.close())

        srv = net.create_server({"allowHalfOpen": True}, on_conn)

        def listening() -> None:
            c = net.connect({"port": t.port(srv.address()["port"]), "host": "127.0.0.1",
                             "allowHalfOpen": True})
            t.watch(c, "client", ["connect", "end", "finish", "close", "error"])
            got = []
            c.on("data", lambda d: got.append(d.decode()))
            c.on("finish", lambda: t.rec("client state", c.ready_state))
            c.on("end", lambda: t.rec("client got", "".join(got), c.ready_state))
            c.end()

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_destroy_soon() -> None:
    """destroySoon() with pending data: end, then destroy after 'finish'."""
    js = _js("""
    const srv = net.createServer((c) => {
      let got = '';
      c.on('data', (d) => { got += d; });
      watch(c, 'server', ['end', 'close']);
      c.on('end', () => rec('server got', got));
      c.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      watch(c, 'client', %(EV)s);
      c.on('connect', () => {
        c.write('payload');
        c.destroySoon();
        rec('after destroySoon', c.destroyed, c.writableEnded);
      });
    });
    """)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            got = []
            c.on("data", lambda d: got.append(d.decode()))
            t.watch(c, "server", ["end", "close"])
            c.on("end", lambda: t.rec("server got", "".join(got)))
            c.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.watch(c, "client", EVENTS)

            def on_connect() -> None:
                c.write("payload")
                c.destroy_soon()
                t.rec("after destroySoon", c.destroyed, c.writable_ended)

            c.on("connect", on_connect)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)
