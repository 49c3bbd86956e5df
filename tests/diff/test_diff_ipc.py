"""Differential: the main flows over Unix-domain sockets (Node's "IPC" pipes).

The socket path comes from the ``ipc_path`` fixture (a fresh short temporary
directory) and is given to both sides, so it appears verbatim in both traces.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

import nodenet as net
from difftrace import Trace
from diffpair import check, js_pair, py_pair

pytestmark = pytest.mark.node

JS_ERR = {False: "", True: "new Error('boom')"}


def test_ipc_exchange_and_addresses(ipc_path: str) -> None:
    """Data both ways, server ends; addresses of both pipe ends at 'connect' and after."""
    js = js_pair(path=ipc_path, server_body="""
      rec('server side', c.remoteAddress, c.remotePort, c.remoteFamily, c.localAddress,
          c.localPort, c.address(), srv.address());
      c.on('data', (d) => c.end('pong'));
    """, client_body="""
      c.on('connect', () => {
        rec('client side', c.remoteAddress, c.remotePort, c.remoteFamily, c.localAddress,
            c.localPort, c.address());
        c.write('ping');
      });
      c.on('close', () => rec('closed', c.bytesRead, c.bytesWritten, c.remoteAddress,
                              c.address(), require('fs').existsSync(%r)));
    """ % ipc_path)

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        t.rec("server side", c.remote_address, c.remote_port, c.remote_family,
              c.local_address, c.local_port, c.address(), srv.address())
        c.on("data", lambda d: c.end("pong"))

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_connect() -> None:
            t.rec("client side", c.remote_address, c.remote_port, c.remote_family,
                  c.local_address, c.local_port, c.address())
            c.write("ping")

        c.on("connect", on_connect)
        c.on("close", lambda *a: t.rec("closed", c.bytes_read, c.bytes_written,
                                       c.remote_address, c.address(),
                                       os.path.exists(ipc_path)))

    check(js, py_pair(server_body=server, client_body=client, path=ipc_path))


@pytest.mark.parametrize("half_open", [False, True])
def test_ipc_client_ends_first(ipc_path: str, half_open: bool) -> None:
    """The client end()s with data; the server answers in 'end' when half-open."""
    opts = {"allowHalfOpen": half_open}
    js = js_pair(path=ipc_path, server_opts=opts, client_opts=opts, server_body="""
      c.on('end', () => { rec('server in end', c.writable, c.readyState);
                          if (%s) c.end('late'); });
    """ % ("true" if half_open else "false"), client_body="c.end('hi');")

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_end() -> None:
            t.rec("server in end", c.writable, c.ready_state)
            if half_open:
                c.end("late")

        c.on("end", on_end)

    check(js, py_pair(server_body=server, client_body=lambda t, c, s: c.end("hi"),
                      path=ipc_path, server_opts=opts, client_opts=opts))


@pytest.mark.parametrize("with_error", [False, True])
def test_ipc_server_destroy(ipc_path: str, with_error: bool) -> None:
    """The server destroys the pipe in its first 'data'."""
    js = js_pair(path=ipc_path, server_body="""
      c.on('data', () => c.destroy(%s));
    """ % JS_ERR[with_error], client_body="c.write('x');")

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        c.on("data", lambda d: c.destroy(ValueError("boom") if with_error else None))

    check(js, py_pair(server_body=server, client_body=lambda t, c, s: c.write("x"),
                      path=ipc_path))


def test_ipc_write_after_peer_closed_epipe(ipc_path: str) -> None:
    """Half-open client: after the server closed its end completely, a write on the
    pipe fails at once with EPIPE ('write EPIPE'): error, then close(true)."""
    js = js_pair(path=ipc_path, client_opts={"allowHalfOpen": True},
                 server_body="c.destroy();", client_body="""
      c.on('end', () => setTimeout(() => {
        const r = c.write('late', (e) => rec('write cb', e));
        rec('write returned', r, c.destroyed);
      }, 20));
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def late() -> None:
            r = c.write("late", lambda *a: t.rec("write cb", *a))
            t.rec("write returned", r, c.destroyed)

        c.on("end", lambda: net.set_timeout(late, 20))

    check(js, py_pair(server_body=lambda t, c, s: c.destroy(), client_body=client,
                      path=ipc_path, client_opts={"allowHalfOpen": True}))


def test_ipc_reset_and_destroy_throws(ipc_path: str) -> None:
    """resetAndDestroy() on a pipe throws ERR_INVALID_HANDLE_TYPE; destroy() still works."""
    js = js_pair(path=ipc_path, client_body="""
      c.on('connect', () => {
        try { c.resetAndDestroy(); rec('no throw'); } catch (e) { rec('thrown', e); }
        c.destroy();
      });
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def on_connect() -> None:
            try:
                c.reset_and_destroy()
                t.rec("no throw")
            except Exception as e:  # noqa: BLE001 - recorded
                t.rec("thrown", e)
            c.destroy()

        c.on("connect", on_connect)

    check(js, py_pair(client_body=client, path=ipc_path))


def test_ipc_server_close_unlinks_after_connections(ipc_path: str) -> None:
    """close() with an open pipe: the file goes at once (no new connections), the
    'close' event waits for the connection."""
    js = """
    const fs = require('fs');
    const srv = net.createServer((c) => {
      srv.close(() => rec('closed', fs.existsSync(%(p)r)));
      rec('after close()', fs.existsSync(%(p)r), srv.listening);
      const again = net.connect(%(p)r);
      again.on('error', (e) => rec('second connect', e));
      setTimeout(() => c.end('bye'), 30);
    });
    srv.listen(%(p)r, () => {
      rec('listening', srv.address(), fs.existsSync(%(p)r));
      const c = net.connect(%(p)r);
      c.on('data', (d) => rec('client data', d));
      c.on('close', () => rec('client close'));
    });
    """ % {"p": ipc_path}

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            srv.close(lambda *a: t.rec("closed", os.path.exists(ipc_path)))
            t.rec("after close()", os.path.exists(ipc_path), srv.listening)
            again = net.connect(ipc_path)
            again.on("error", lambda e: t.rec("second connect", e))
            net.set_timeout(lambda: c.end("bye"), 30)

        srv = net.create_server(on_conn)

        def listening() -> None:
            t.rec("listening", srv.address(), os.path.exists(ipc_path))
            c = net.connect(ipc_path)
            c.on("data", lambda d: t.rec("client data", d))
            c.on("close", lambda *a: t.rec("client close"))

        srv.listen(ipc_path, listening)

    check(js, py)


def test_ipc_pause_resume_buffering(ipc_path: str) -> None:
    """The client pauses; three server writes are buffered and come joined on resume."""
    js = js_pair(path=ipc_path, server_body="""
      c.write('one,'); setTimeout(() => c.write('two,'), 10);
      setTimeout(() => c.end('three'), 20);
    """, client_body="""
      c.pause();
      let got = [];
      c.on('data', (d) => got.push(d.toString()));
      setTimeout(() => {
        rec('before resume', got.length, c.readableLength, c.isPaused());
        c.resume();
      }, 60);
      c.on('end', () => rec('joined', got.join('')));
    """, client_events=["connect", "end", "finish", "close", "error"])

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        c.write("one,")
        net.set_timeout(lambda: c.write("two,"), 10)
        net.set_timeout(lambda: c.end("three"), 20)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        c.pause()
        got = []
        c.on("data", lambda d: got.append(d.decode()))

        def resume() -> None:
            t.rec("before resume", len(got), c.readable_length, c.is_paused())
            c.resume()

        net.set_timeout(resume, 60)
        c.on("end", lambda: t.rec("joined", "".join(got)))

    check(js, py_pair(server_body=server, client_body=client, path=ipc_path,
                      client_events=["connect", "end", "finish", "close", "error"]))


def test_ipc_connect_after_server_closed(ipc_path: str) -> None:
    """A client connecting after the server closed: the path is gone, ENOENT."""
    js = """
    const srv = net.createServer();
    srv.listen(%(p)r, () => srv.close(() => {
      const c = net.connect(%(p)r);
      watch(c, 'client', ['connect', 'error', 'close']);
    }));
    """ % {"p": ipc_path}

    def py(t: Trace) -> None:
        srv = net.create_server()

        def closed(*a: Any) -> None:
            c = net.connect(ipc_path)
            t.watch(c, "client", ["connect", "error", "close"])

        srv.listen(ipc_path, lambda: srv.close(closed))

    check(js, py)


def test_ipc_server_options_propagate(ipc_path: str) -> None:
    """createServer({allowHalfOpen, highWaterMark}) options on the accepted pipe."""
    js = js_pair(path=ipc_path, server_opts={"allowHalfOpen": True, "highWaterMark": 1024},
                 server_body="""
      rec('accepted', c.allowHalfOpen, c.readableHighWaterMark, c.writableHighWaterMark);
      c.end();
    """, client_body="c.on('end', () => c.end());")

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        t.rec("accepted", c.allow_half_open, c.readable_high_water_mark,
              c.writable_high_water_mark)
        c.end()

    check(js, py_pair(path=ipc_path, server_opts={"allowHalfOpen": True, "highWaterMark": 1024},
                      server_body=server,
                      client_body=lambda t, c, s: c.on("end", lambda: c.end())))
