"""Differential: destroy(), destroy(err), resetAndDestroy() and writes that fail.

Each scenario is written twice (JavaScript for Node v20, Python for nodenet)
and the interleaved client/server traces must be equal.
"""

from __future__ import annotations

from typing import Any

import pytest

import nodenet as net
from difftrace import Trace
from diffpair import EVENTS, check, js_pair, py_pair

pytestmark = pytest.mark.node


def _err(with_error: bool) -> Any:
    return ValueError("boom") if with_error else None


JS_ERR = {False: "", True: "new Error('boom')"}


@pytest.mark.parametrize("with_error", [False, True])
def test_client_destroy_in_connect(with_error: bool) -> None:
    """The client destroys itself in 'connect'; the server sees a plain FIN."""
    js = js_pair(client_body="""
      c.on('connect', () => {
        c.destroy(%s);
        rec('after destroy', c.destroyed, c.readyState, c.writable, c.readable);
      });
    """ % JS_ERR[with_error])

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_connect() -> None:
            c.destroy(_err(with_error))
            t.rec("after destroy", c.destroyed, c.ready_state, c.writable, c.readable)

        c.on("connect", on_connect)

    check(js, py_pair(client_body=client))


@pytest.mark.parametrize("with_error", [False, True])
def test_server_destroy_in_connection(with_error: bool) -> None:
    """The server destroys the accepted socket at once; the client sees end, close."""
    js = js_pair(server_body="""
      c.destroy(%s);
      rec('server destroyed', c.destroyed);
    """ % JS_ERR[with_error])

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        c.destroy(_err(with_error))
        t.rec("server destroyed", c.destroyed)

    check(js, py_pair(server_body=server))


@pytest.mark.parametrize("with_error", [False, True])
def test_server_destroy_in_data(with_error: bool) -> None:
    """The server destroys in its first 'data'; the client had written and ended."""
    js = js_pair(server_body="""
      c.on('data', () => { c.destroy(%s); rec('bytes', c.bytesRead); });
    """ % JS_ERR[with_error], client_body="c.end('ping');")

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_data(d: bytes) -> None:
            c.destroy(_err(with_error))
            t.rec("bytes", c.bytes_read)

        c.on("data", on_data)

    check(js, py_pair(server_body=server, client_body=lambda t, c, s: c.end("ping")))


def test_client_destroy_in_data() -> None:
    """The client destroys in 'data' while the server's FIN is already queued."""
    js = js_pair(server_body="c.end('hello');", client_body="""
      c.on('data', (d) => { c.destroy(); rec('in data', c.destroyed, c.readableEnded); });
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_data(d: bytes) -> None:
            c.destroy()
            t.rec("in data", c.destroyed, c.readable_ended)

        c.on("data", on_data)

    check(js, py_pair(server_body=lambda t, c, s: c.end("hello"), client_body=client))


@pytest.mark.parametrize("with_error", [False, True])
def test_client_destroy_in_end(with_error: bool) -> None:
    """The client destroys in 'end' (before its automatic end())."""
    js = js_pair(server_body="c.end('bye');", client_body="""
      c.on('end', () => {
        c.destroy(%s);
        rec('in end', c.destroyed, c.writableEnded, c.writableFinished);
      });
    """ % JS_ERR[with_error])

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_end() -> None:
            c.destroy(_err(with_error))
            t.rec("in end", c.destroyed, c.writable_ended, c.writable_finished)

        c.on("end", on_end)

    check(js, py_pair(server_body=lambda t, c, s: c.end("bye"), client_body=client))


def test_destroy_twice_keeps_first_error() -> None:
    """A second destroy(err) is ignored: one 'error' (the first), one 'close'."""
    js = js_pair(client_body="""
      c.on('connect', () => {
        c.destroy(new Error('first'));
        c.destroy(new Error('second'));
        c.destroy();
      });
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_connect() -> None:
            c.destroy(ValueError("first"))
            c.destroy(ValueError("second"))
            c.destroy()

        c.on("connect", on_connect)

    check(js, py_pair(client_body=client))


def test_destroy_in_error_handler() -> None:
    """destroy() and destroy(err) inside 'error' of a refused connect do nothing more."""
    js = """
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      srv.close(() => {
        const c = net.connect(p, '127.0.0.1');
        watch(c, 'client', %s);
        c.on('error', () => {
          c.destroy(new Error('again'));
          c.destroy();
          rec('in error', c.destroyed, c.readyState);
        });
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

                def on_error(e: Any) -> None:
                    c.destroy(ValueError("again"))
                    c.destroy()
                    t.rec("in error", c.destroyed, c.ready_state)

                c.on("error", on_error)

            srv.close(closed)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


@pytest.mark.parametrize("with_write", [False, True])
def test_destroy_while_connecting(with_write: bool) -> None:
    """destroy() right after connect(): no connection is made; a pending write's
    callback gets ERR_SOCKET_CLOSED_BEFORE_CONNECTION... or nothing."""
    js = """
    const srv = net.createServer(() => rec('unexpected connection'));
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      watch(c, 'client', %s);
      rec('state', c.connecting, c.pending, c.readyState);
      if (%s) rec('write', c.write('x', (e) => rec('write cb', e)));
      c.destroy();
      rec('state', c.connecting, c.pending, c.readyState, c.destroyed);
      c.on('close', () => srv.close(() => rec('server closed')));
    });
    """ % (EVENTS, "true" if with_write else "false")

    def py(t: Trace) -> None:
        srv = net.create_server(lambda c: t.rec("unexpected connection"))

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.watch(c, "client", EVENTS)
            t.rec("state", c.connecting, c.pending, c.ready_state)
            if with_write:
                t.rec("write", c.write("x", lambda *a: t.rec("write cb", *a)))
            c.destroy()
            t.rec("state", c.connecting, c.pending, c.ready_state, c.destroyed)
            c.on("close", lambda *a: srv.close(lambda *x: t.rec("server closed")))

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


@pytest.mark.parametrize("listener_first", [False, True])
def test_write_while_connecting_destroy_in_connect(listener_first: bool) -> None:
    """A write made while connecting, and destroy() in 'connect': the write either
    went out first (its listener was first) or fails with ERR_SOCKET_CLOSED."""
    js = js_pair(client_body="""
      const destroyer = () => { c.destroy(); rec('destroyed in connect'); };
      if (%(first)s) c.on('connect', destroyer);
      rec('write', c.write('early', (e) => rec('write cb', e)));
      if (!%(first)s) c.on('connect', destroyer);
    """ % {"first": "true" if listener_first else "false"},
        server_body="c.on('data', (d) => rec('server got', d));")

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def destroyer() -> None:
            c.destroy()
            t.rec("destroyed in connect")

        if listener_first:
            c.on("connect", destroyer)
        t.rec("write", c.write("early", lambda *a: t.rec("write cb", *a)))
        if not listener_first:
            c.on("connect", destroyer)

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        c.on("data", lambda d: t.rec("server got", d))

    check(js, py_pair(server_body=server, client_body=client))


def test_write_after_end() -> None:
    """write() after end(): ERR_STREAM_WRITE_AFTER_END to the callback and as 'error'."""
    js = js_pair(client_body="""
      c.on('connect', () => {
        c.end();
        const r = c.write('x', (e) => rec('write cb', e, c.destroyed));
        rec('write returned', r, c.destroyed, c.writableEnded);
      });
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_connect() -> None:
            c.end()
            r = c.write("x", lambda *a: t.rec("write cb", *a, c.destroyed))
            t.rec("write returned", r, c.destroyed, c.writable_ended)

        c.on("connect", on_connect)

    check(js, py_pair(client_body=client))


def test_write_after_destroy() -> None:
    """write() after destroy(): ERR_STREAM_DESTROYED to the callback, no 'error'."""
    js = js_pair(client_body="""
      c.on('connect', () => {
        c.destroy();
        const r = c.write('x', (e) => rec('write cb', e));
        rec('write returned', r);
        c.end((e) => rec('end cb', e));
        c.end('y', (e) => rec('end cb 2', e));
      });
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_connect() -> None:
            c.destroy()
            r = c.write("x", lambda *a: t.rec("write cb", *a))
            t.rec("write returned", r)
            c.end(lambda *a: t.rec("end cb", *a))
            c.end("y", lambda *a: t.rec("end cb 2", *a))

        c.on("connect", on_connect)

    check(js, py_pair(client_body=client))


def test_end_after_finish() -> None:
    """end(cb) after 'finish': the callback gets ERR_STREAM_ALREADY_FINISHED."""
    js = js_pair(client_body="""
      c.on('connect', () => c.end());
      c.on('finish', () => {
        c.end((e) => rec('end cb', e));
        rec('writable', c.writable, c.writableFinished);
      });
    """, client_opts={"allowHalfOpen": True}, server_body="c.on('end', () => c.end());",
        server_opts={"allowHalfOpen": True})

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        c.on("connect", lambda: c.end())

        def on_finish() -> None:
            c.end(lambda *a: t.rec("end cb", *a))
            t.rec("writable", c.writable, c.writable_finished)

        c.on("finish", on_finish)

    check(js, py_pair(client_body=client, client_opts={"allowHalfOpen": True},
                      server_body=lambda t, c, s: c.on("end", lambda: c.end()),
                      server_opts={"allowHalfOpen": True}))


def test_client_reset_and_destroy() -> None:
    """resetAndDestroy() in 'connect': the server reads ECONNRESET."""
    js = js_pair(client_body="""
      c.on('connect', () => {
        c.resetAndDestroy();
        rec('after reset', c.destroyed, c.readyState);
      });
    """, server_body="c.on('data', () => {});")

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_connect() -> None:
            c.reset_and_destroy()
            t.rec("after reset", c.destroyed, c.ready_state)

        c.on("connect", on_connect)

    check(js, py_pair(client_body=client,
                      server_body=lambda t, c, s: c.on("data", lambda d: None)))


def test_server_reset_and_destroy_after_data() -> None:
    """The server resets the connection in 'data'; the client reads ECONNRESET."""
    js = js_pair(server_body="""
      c.on('data', (d) => { rec('server data', d); c.resetAndDestroy(); });
    """, client_body="c.write('hi');")

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_data(d: bytes) -> None:
            t.rec("server data", d)
            c.reset_and_destroy()

        c.on("data", on_data)

    check(js, py_pair(server_body=server, client_body=lambda t, c, s: c.write("hi")))


def test_reset_and_destroy_while_connecting() -> None:
    """resetAndDestroy() before 'connect' waits for the connection, then resets it."""
    js = js_pair(client_body="""
      c.on('connect', () => rec('connect listener', c.destroyed));
      c.resetAndDestroy();
      rec('after reset', c.destroyed, c.connecting, c.readyState);
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        c.on("connect", lambda: t.rec("connect listener", c.destroyed))
        c.reset_and_destroy()
        t.rec("after reset", c.destroyed, c.connecting, c.ready_state)

    check(js, py_pair(client_body=client))


def test_reset_and_destroy_without_handle() -> None:
    """resetAndDestroy() on a socket that never connected: ERR_SOCKET_CLOSED.

    Node emits this 'close' without had_error (no handle); nodenet always passes
    had_error (documented difference), so the argument is not recorded."""
    js = """
    const c = new net.Socket();
    watch(c, 'client', %s);
    c.on('close', () => rec('client close'));  // no had_error in Node: see docstring
    c.resetAndDestroy();
    rec('after', c.destroyed);
    """ % ([e for e in EVENTS if e != "close"],)

    def py(t: Trace) -> None:
        c = net.Socket()
        t.watch(c, "client", [e for e in EVENTS if e != "close"])
        c.on("close", lambda *a: t.rec("client close"))
        c.reset_and_destroy()
        t.rec("after", c.destroyed)

    check(js, py)
