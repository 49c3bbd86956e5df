"""Differential: the same lifecycle scenarios in Node and in nodenet, traces compared.

Each scenario is written twice, JavaScript first, then the Python port; the
event order (client and server, interleaved as one loop runs them) must match.
"""

from __future__ import annotations

from typing import Any

import pytest

import nodenet as net
from difftrace import Trace, check

pytestmark = pytest.mark.node

EVENTS = ["connect", "ready", "data", "end", "finish", "close", "error", "timeout",
          "connectionAttempt", "connectionAttemptFailed", "lookup"]
SERVER_EVENTS = ["data", "end", "finish", "close", "error"]


def test_basic_exchange() -> None:
    """connect, data both ways, server end(): the full event order."""
    js = """
    const srv = net.createServer((c) => {
      watch(c, 'server', %s);
      c.on('data', (d) => c.end('bye'));
      c.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      watch(c, 'client', %s);
      c.write('hello');
    });
    watch(srv, 'srv', ['listening', 'close']);
    """ % (SERVER_EVENTS, EVENTS)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.watch(c, "server", SERVER_EVENTS)
            c.on("data", lambda d: c.end("bye"))
            c.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.watch(c, "client", EVENTS)
            c.write("hello")

        srv.listen(0, "127.0.0.1", listening)
        t.watch(srv, "srv", ["listening", "close"])

    check(js, py)


@pytest.mark.parametrize("half_open", [False, True])
def test_client_ends_first(half_open: bool) -> None:
    """The client end()s first; the server sees 'end' then (half-open or not) finishes."""
    js = """
    const srv = net.createServer({allowHalfOpen: %s}, (c) => {
      watch(c, 'server', %s);
      c.on('end', () => { rec('server writable in end', c.writable, c.destroyed);
                          if (%s) c.end('late'); });
      c.on('close', () => srv.close());
    });
    srv.listen(0, () => {
      const c = net.connect({port: port(srv.address().port), host: '127.0.0.1',
                             allowHalfOpen: %s});
      watch(c, 'client', %s);
      c.end('hi');
    });
    """ % (str(half_open).lower(), SERVER_EVENTS, str(half_open).lower(),
           str(half_open).lower(), EVENTS)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.watch(c, "server", SERVER_EVENTS)

            def on_end() -> None:
                t.rec("server writable in end", c.writable, c.destroyed)
                if half_open:
                    c.end("late")

            c.on("end", on_end)
            c.on("close", lambda *a: srv.close())

        srv = net.create_server({"allowHalfOpen": half_open}, on_conn)

        def listening() -> None:
            c = net.connect({"port": t.port(srv.address()["port"]), "host": "127.0.0.1",
                             "allowHalfOpen": half_open})
            t.watch(c, "client", EVENTS)
            c.end("hi")

        srv.listen(0, listening)

    check(js, py)


def test_connection_refused() -> None:
    """A refused connect: attempt, attempt failed, error, close(true)."""
    js = """
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      srv.close(() => {
        const c = net.connect(p, '127.0.0.1');
        watch(c, 'client', %s);
      });
    });
    """ % (EVENTS,)

    def py(t: Trace) -> None:
        srv = net.create_server()

        def listening() -> None:
            p = t.port(srv.address()["port"])

            def closed(err: Any) -> None:
                c = net.connect(p, "127.0.0.1")
                t.watch(c, "client", EVENTS)

            srv.close(closed)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_destroy_with_error_after_connect() -> None:
    """destroy(err) in 'connect': error then close(true); the server sees end/close."""
    js = """
    const srv = net.createServer((c) => {
      watch(c, 'server', %s);
      c.on('close', () => srv.close());
    });
    srv.listen(0, () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      watch(c, 'client', %s);
      c.on('connect', () => { c.destroy(new Error('boom')); rec('destroyed', c.destroyed); });
    });
    """ % (SERVER_EVENTS, EVENTS)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.watch(c, "server", SERVER_EVENTS)
            c.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.watch(c, "client", EVENTS)

            def on_connect() -> None:
                c.destroy(ValueError("boom"))
                t.rec("destroyed", c.destroyed)

            c.on("connect", on_connect)

        srv.listen(0, listening)

    check(js, py)
