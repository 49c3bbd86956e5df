"""Differential: exceptions thrown by listeners go to 'uncaughtException' and cut
the emitting code short exactly where Node's would be cut short.

JS: process.on('uncaughtException'); Python: nodenet.process.on(...).
"""

from __future__ import annotations

from typing import Any

import pytest

import nodenet as net
from difftrace import Trace
from diffpair import EVENTS, check, js_pair, py_pair

pytestmark = pytest.mark.node

JS_UNCAUGHT = "process.on('uncaughtException', (e) => rec('uncaught', e));\n"


class Boom(Exception):
    """A listener's failure (message 'boom...', no code)."""


def _uncaught(t: Trace) -> None:
    net.process.on("uncaughtException", lambda e, *a: t.rec("uncaught", e))


def test_throw_in_connect_listener() -> None:
    """A throwing 'connect' listener: later 'connect' listeners and 'ready' are
    skipped, and so is the first read (afterConnect's read(0)): the socket is
    flowing but never reads, even when a 'data' listener is added later."""
    js = JS_UNCAUGHT + js_pair(client_body="""
      c.on('connect', () => { throw new Error('boom in connect'); });
      c.on('connect', () => rec('second connect listener'));
      setTimeout(() => {
        rec('later', c.readyState, c.isPaused(), c.readableFlowing);
        c.on('data', (d) => rec('late data listener', d));
      }, 40);
      setTimeout(() => { rec('at 100 ms', c.bytesRead); c.destroy(); }, 100);
    """, server_body="c.end('hello');")

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def boom() -> None:
            raise Boom("boom in connect")

        c.on("connect", boom)
        c.on("connect", lambda: t.rec("second connect listener"))

        def later() -> None:
            t.rec("later", c.ready_state, c.is_paused(), c.readable_flowing)
            c.on("data", lambda d: t.rec("late data listener", d))

        net.set_timeout(later, 40)

        def stop() -> None:
            t.rec("at 100 ms", c.bytes_read)
            c.destroy()

        net.set_timeout(stop, 100)

    def py(t: Trace) -> None:
        _uncaught(t)
        py_pair(client_body=client, server_body=lambda t, c, s: c.end("hello"))(t)

    check(js, py)


def test_throw_in_data_listener() -> None:
    """A throwing 'data' listener: the stream carries on ('end', 'close')."""
    js = JS_UNCAUGHT + js_pair(client_body="""
      c.on('data', () => { throw new Error('boom in data'); });
    """, server_body="c.end('hello');")

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def boom(d: bytes) -> None:
            raise Boom("boom in data")

        c.on("data", boom)

    def py(t: Trace) -> None:
        _uncaught(t)
        py_pair(client_body=client, server_body=lambda t, c, s: c.end("hello"))(t)

    check(js, py)


def test_throw_in_connection_listener() -> None:
    """A throwing connection listener: the accepted socket still works."""
    js = JS_UNCAUGHT + """
    const srv = net.createServer((c) => {
      c.on('data', (d) => rec('server data', d));
      c.on('end', () => { rec('server end'); c.end('bye'); });
      c.on('close', () => srv.close());
      throw new Error('boom in connection');
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      watch(c, 'client', %s);
      c.end('hi');
    });
    """ % (EVENTS,)

    def py(t: Trace) -> None:
        _uncaught(t)

        def on_conn(c: net.Socket) -> None:
            c.on("data", lambda d: t.rec("server data", d))

            def on_end() -> None:
                t.rec("server end")
                c.end("bye")

            c.on("end", on_end)
            c.on("close", lambda *a: srv.close())
            raise Boom("boom in connection")

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.watch(c, "client", EVENTS)
            c.end("hi")

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_throw_in_write_callback() -> None:
    """A throwing write callback, then more writes and end()."""
    js = JS_UNCAUGHT + js_pair(client_body="""
      c.on('connect', () => {
        c.write('a', () => { throw new Error('boom in write cb'); });
        c.write('b', () => rec('second write cb'));
        c.end(() => rec('end cb'));
      });
    """, server_body="""
      let got = '';
      c.on('data', (d) => { got += d; });
      c.on('end', () => rec('server got', got));
    """, server_events=["end", "finish", "close", "error"])

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def boom(*a: Any) -> None:
            raise Boom("boom in write cb")

        def on_connect() -> None:
            c.write("a", boom)
            c.write("b", lambda *a: t.rec("second write cb"))
            c.end(lambda *a: t.rec("end cb"))

        c.on("connect", on_connect)

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        got = []
        c.on("data", lambda d: got.append(d.decode()))
        c.on("end", lambda: t.rec("server got", "".join(got)))

    def py(t: Trace) -> None:
        _uncaught(t)
        py_pair(client_body=client, server_body=server,
                server_events=["end", "finish", "close", "error"])(t)

    check(js, py)


def test_unhandled_error_event_goes_to_uncaught() -> None:
    """A refused connect with no 'error' listener: the error reaches
    'uncaughtException', and 'close' still follows."""
    js = JS_UNCAUGHT + """
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      srv.close(() => {
        const c = net.connect(p, '127.0.0.1');
        c.on('close', (h) => rec('close', h));
      });
    });
    """

    def py(t: Trace) -> None:
        _uncaught(t)
        srv = net.create_server()

        def listening() -> None:
            p = t.port(srv.address()["port"])

            def closed(*a: Any) -> None:
                c = net.connect(p, "127.0.0.1")
                c.on("close", lambda h: t.rec("close", h))

            srv.close(closed)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)
