"""Differential: loop-phase ordering details that come from libuv.

Small scenarios that pin one libuv rule each (when 'end' arrives relative to
'data' and immediates, the order of 'close' events of handles closed in the
same turn, timers vs immediates around I/O).
"""

from __future__ import annotations

from typing import Any

import pytest

import nodenet as net
from difftrace import Trace, check

pytestmark = pytest.mark.node


@pytest.mark.node20_differs("data and EOF after a hang-up: Node 20 emits 'end' before an "
                            "immediate set in 'data' (libuv's POLLHUP shortcut)")
def test_data_and_eof_in_one_poll() -> None:
    """Both directions shut down (POLLHUP) with data pending: Node 26's libuv reads
    the data in one poll and the EOF in the next, so an immediate set in 'data'
    runs before 'end'."""
    js = """
    const srv = net.createServer((c) => {
      c.on('end', () => c.write('x'));
      c.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      c.on('connect', () => c.end());
      c.on('data', (d) => { rec('data', d); setImmediate(() => rec('immediate')); });
      c.on('end', () => rec('end'));
      c.on('close', () => rec('close'));
    });
    """

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            c.on("end", lambda: c.write("x"))
            c.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            c.on("connect", lambda: c.end())

            def on_data(d: bytes) -> None:
                t.rec("data", d)
                net.set_immediate(lambda: t.rec("immediate"))

            c.on("data", on_data)
            c.on("end", lambda: t.rec("end"))
            c.on("close", lambda *a: t.rec("close"))

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_close_order_of_handles_closed_in_one_turn() -> None:
    """Three sockets destroyed in one callback: libuv runs their close callbacks in
    reverse order (uv__make_close_pending prepends), so 'close' comes LIFO."""
    js = """
    const conns = [];
    const srv = net.createServer((c) => {
      conns.push(c);
      c.on('close', () => rec('server close'));
    });
    srv.listen(0, '127.0.0.1', () => {
      const a = net.connect(port(srv.address().port), '127.0.0.1');
      const b = net.connect(srv.address().port, '127.0.0.1');
      a.on('close', () => rec('a close'));
      b.on('close', () => rec('b close'));
      let n = 0;
      srv.on('connection', () => {
        if (++n < 2) return;
        setTimeout(() => {
          a.destroy(); conns[0].destroy(); b.destroy();
          srv.close(() => rec('srv closed'));
          rec('destroyed all');
        }, 20);
      });
    });
    """

    def py(t: Trace) -> None:
        conns = []

        def on_conn(c: net.Socket) -> None:
            conns.append(c)
            c.on("close", lambda *a: t.rec("server close"))

        srv = net.create_server(on_conn)

        def listening() -> None:
            a = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            b = net.connect(srv.address()["port"], "127.0.0.1")
            a.on("close", lambda *x: t.rec("a close"))
            b.on("close", lambda *x: t.rec("b close"))
            n = [0]

            def later() -> None:
                a.destroy()
                conns[0].destroy()
                b.destroy()
                srv.close(lambda *x: t.rec("srv closed"))
                t.rec("destroyed all")

            def on_connection(*_: Any) -> None:
                n[0] += 1
                if n[0] == 2:
                    net.set_timeout(later, 20)

            srv.on("connection", on_connection)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_tick_immediate_around_connect() -> None:
    """In 'connect' (poll phase): nextTick, then the immediate, then later I/O."""
    js = """
    const srv = net.createServer((c) => { c.end(); c.on('close', () => srv.close()); });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      c.on('connect', () => {
        setImmediate(() => rec('immediate'));
        process.nextTick(() => rec('tick'));
        rec('connect');
      });
      c.on('end', () => rec('end'));
      c.on('close', () => rec('close'));
    });
    """

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            c.end()
            c.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")

            def on_connect() -> None:
                net.set_immediate(lambda: t.rec("immediate"))
                net.next_tick(lambda: t.rec("tick"))
                t.rec("connect")

            c.on("connect", on_connect)
            c.on("end", lambda: t.rec("end"))
            c.on("close", lambda *a: t.rec("close"))

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_timer_start_is_a_fresh_clock_read() -> None:
    """A timer's countdown starts at the call (Node's getLibuvNow updates the loop
    time): after a 30 ms busy callback, a 20 ms timer fires after a 25 ms one set first."""
    js = """
    setImmediate(() => {
      setTimeout(() => rec('25ms timer'), 25);
      const until = Date.now() + 30;
      while (Date.now() < until) {}
      setTimeout(() => rec('20ms timer'), 20);
    });
    """

    def py(t: Trace) -> None:
        import time

        def imm() -> None:
            net.set_timeout(lambda: t.rec("25ms timer"), 25)
            time.sleep(0.03)
            net.set_timeout(lambda: t.rec("20ms timer"), 20)

        net.set_immediate(imm)

    check(js, py)
