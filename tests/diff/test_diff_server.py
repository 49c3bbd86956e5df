"""Differential: the server side — close() with open connections, getConnections,
maxConnections and 'drop', pauseOnConnect, listen/close races.
"""

from __future__ import annotations

from typing import Any, List

import pytest

import nodenet as net
from difftrace import Trace
from diffpair import EVENTS, SERVER_EVENTS, check

pytestmark = pytest.mark.node

SRV_EVENTS = ["listening", "close", "error", "drop"]
CLIENT_EVENTS = ["connect", "data", "end", "close", "error"]


def test_close_waits_for_connections() -> None:
    """close() in 'connection': the server stops listening at once, but 'close' (and
    the callback) wait until the open connection has closed."""
    js = """
    const srv = net.createServer((c) => {
      watch(c, 'server', %(sev)s);
      srv.close((e) => rec('close cb', e, srv.listening));
      rec('after close', srv.listening, srv.address());
      srv.getConnections((e, n) => rec('connections', e, n));
      c.on('data', (d) => c.end(d));
    });
    watch(srv, 'srv', %(srvev)s);
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      watch(c, 'client', %(cev)s);
      c.on('connect', () => setTimeout(() => c.write('echo'), 20));
    });
    """ % {"sev": SERVER_EVENTS, "srvev": SRV_EVENTS, "cev": CLIENT_EVENTS}

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.watch(c, "server", SERVER_EVENTS)
            srv.close(lambda e: t.rec("close cb", e, srv.listening))
            t.rec("after close", srv.listening, srv.address())
            srv.get_connections(lambda *a: t.rec("connections", *a))
            c.on("data", lambda d: c.end(d))

        srv = net.create_server(on_conn)
        t.watch(srv, "srv", SRV_EVENTS)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.watch(c, "client", CLIENT_EVENTS)
            c.on("connect", lambda: net.set_timeout(lambda: c.write("echo"), 20))

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_get_connections_counts() -> None:
    """getConnections() while two clients come and one goes."""
    js = """
    const srv = net.createServer((c) => {
      srv.getConnections((e, n) => rec('on connection', e, n));
      c.on('close', () => srv.getConnections((e, n) => {
        rec('after a close', e, n);
        if (n === 0) srv.close(() => rec('closed'));
      }));
    });
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      const a = net.connect(p, '127.0.0.1', () => {
        const b = net.connect(p, '127.0.0.1', () => {
          setTimeout(() => { a.destroy(); setTimeout(() => b.destroy(), 20); }, 20);
        });
      });
    });
    """

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            srv.get_connections(lambda *a: t.rec("on connection", *a))

            def after_close(e: Any, n: int) -> None:
                t.rec("after a close", e, n)
                if n == 0:
                    srv.close(lambda *x: t.rec("closed"))

            c.on("close", lambda *x: srv.get_connections(after_close))

        srv = net.create_server(on_conn)

        def listening() -> None:
            p = t.port(srv.address()["port"])
            holder: List[net.Socket] = []

            def b_connected() -> None:
                b = holder[1]
                a = holder[0]

                def first() -> None:
                    a.destroy()
                    net.set_timeout(lambda: b.destroy(), 20)

                net.set_timeout(first, 20)

            def a_connected() -> None:
                holder.append(net.connect(p, "127.0.0.1", b_connected))

            holder.append(net.connect(p, "127.0.0.1", a_connected))

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_max_connections_drop() -> None:
    """maxConnections = 1: the second client is accepted and closed at once, with a
    'drop' event describing it; the dropped client sees connect then end/close."""
    js = """
    const srv = net.createServer((c) => {
      rec('connection', srv.maxConnections);
      c.on('close', () => rec('server conn close'));
    });
    srv.maxConnections = 1;
    watch(srv, 'srv', ['listening', 'close', 'error']);
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      const a = net.connect(p, '127.0.0.1', () => {
        const b = net.connect(p, '127.0.0.1');
        watch(b, 'b', %(cev)s);
        srv.on('drop', (d) => {
          const {remotePort, ...rest} = d;
          rec('drop', rest, remotePort === b.localPort);
          setTimeout(() => { a.end(); srv.close(); }, 20);
        });
      });
      watch(a, 'a', %(cev)s);
    });
    """ % {"cev": CLIENT_EVENTS}

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.rec("connection", srv.max_connections)
            c.on("close", lambda *a: t.rec("server conn close"))

        srv = net.create_server(on_conn)
        srv.max_connections = 1
        t.watch(srv, "srv", ["listening", "close", "error"])

        def listening() -> None:
            p = t.port(srv.address()["port"])
            holder: List[net.Socket] = []

            def a_connected() -> None:
                b = net.connect(p, "127.0.0.1")
                t.watch(b, "b", CLIENT_EVENTS)

                def on_drop(d: Any) -> None:
                    rest = {k: v for k, v in d.items() if k != "remote_port"}
                    t.rec("drop", rest, d["remote_port"] == b.local_port)

                    def later() -> None:
                        holder[0].end()
                        srv.close()

                    net.set_timeout(later, 20)

                srv.on("drop", on_drop)

            a = net.connect(p, "127.0.0.1", a_connected)
            holder.append(a)
            t.watch(a, "a", CLIENT_EVENTS)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_pause_on_connect() -> None:
    """pauseOnConnect: nothing is read until resume(); then the buffered data comes."""
    js = """
    const srv = net.createServer({pauseOnConnect: true}, (c) => {
      rec('paused?', c.isPaused(), c.readableFlowing);
      c.on('data', (d) => rec('server data', d, c.bytesRead));
      c.on('end', () => { rec('server end'); c.end(); });
      c.on('close', () => srv.close());
      setTimeout(() => { rec('resume', c.bytesRead); c.resume(); }, 40);
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      watch(c, 'client', %s);
      c.end('early data');
    });
    """ % (CLIENT_EVENTS,)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.rec("paused?", c.is_paused(), c.readable_flowing)
            c.on("data", lambda d: t.rec("server data", d, c.bytes_read))

            def on_end() -> None:
                t.rec("server end")
                c.end()

            c.on("end", on_end)
            c.on("close", lambda *a: srv.close())

            def resume() -> None:
                t.rec("resume", c.bytes_read)
                c.resume()

            net.set_timeout(resume, 40)

        srv = net.create_server({"pauseOnConnect": True}, on_conn)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.watch(c, "client", CLIENT_EVENTS)
            c.end("early data")

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_close_before_listening_event() -> None:
    """close() right after listen(port): no 'listening', a 'close', and cb(null)."""
    js = """
    const srv = net.createServer();
    watch(srv, 'srv', %s);
    srv.listen(0);
    rec('listening?', srv.listening, srv.address() !== null);
    srv.close((e) => rec('close cb', e));
    rec('after close', srv.listening, srv.address());
    """ % (SRV_EVENTS,)

    def py(t: Trace) -> None:
        srv = net.create_server()
        t.watch(srv, "srv", SRV_EVENTS)
        srv.listen(0)
        t.rec("listening?", srv.listening, srv.address() is not None)
        srv.close(lambda e: t.rec("close cb", e))
        t.rec("after close", srv.listening, srv.address())

    check(js, py)


def test_close_during_host_lookup() -> None:
    """close() while listen(0, host) is looking the host up: the listen never
    happens, and the close callback gets ERR_SERVER_NOT_RUNNING."""
    js = """
    const srv = net.createServer();
    watch(srv, 'srv', %s);
    srv.listen(0, '127.0.0.1');
    rec('listening?', srv.listening, srv.address());
    srv.close((e) => rec('close cb', e));
    setTimeout(() => rec('later', srv.listening, srv.address()), 50);
    """ % (SRV_EVENTS,)

    def py(t: Trace) -> None:
        srv = net.create_server()
        t.watch(srv, "srv", SRV_EVENTS)
        srv.listen(0, "127.0.0.1")
        t.rec("listening?", srv.listening, srv.address())
        srv.close(lambda e: t.rec("close cb", e))
        net.set_timeout(lambda: t.rec("later", srv.listening, srv.address()), 50)

    check(js, py)


def test_listen_callback_and_event_order() -> None:
    """listen(cb): cb is a 'listening' listener added at the call, after earlier ones."""
    js = """
    const srv = net.createServer();
    srv.on('listening', () => rec('first listener'));
    srv.listen(0, '127.0.0.1', () => rec('listen cb', srv.listening));
    srv.on('listening', () => { rec('last listener'); srv.close(); });
    rec('sync', srv.listening);
    """

    def py(t: Trace) -> None:
        srv = net.create_server()
        srv.on("listening", lambda: t.rec("first listener"))
        srv.listen(0, "127.0.0.1", lambda: t.rec("listen cb", srv.listening))

        def last() -> None:
            t.rec("last listener")
            srv.close()

        srv.on("listening", last)
        t.rec("sync", srv.listening)

    check(js, py)


def test_connection_event_and_listener_order() -> None:
    """The createServer listener and later 'connection' listeners; the server-side
    socket's state inside 'connection'."""
    js = """
    const srv = net.createServer((c) => {
      rec('listener', c.readyState, c.connecting, c.pending, c.remoteFamily,
          c.localPort === srv.address().port, c.remotePort === cli.localPort,
          c.bytesRead, c.bytesWritten, c.allowHalfOpen);
      c.end();
    });
    srv.on('connection', (c) => { rec('second'); c.on('close', () => srv.close()); });
    let cli;
    srv.listen(0, '127.0.0.1', () => {
      cli = net.connect(port(srv.address().port), '127.0.0.1');
      watch(cli, 'client', %s);
    });
    """ % (CLIENT_EVENTS,)

    def py(t: Trace) -> None:
        cli: List[net.Socket] = []

        def on_conn(c: net.Socket) -> None:
            t.rec("listener", c.ready_state, c.connecting, c.pending, c.remote_family,
                  c.local_port == srv.address()["port"], c.remote_port == cli[0].local_port,
                  c.bytes_read, c.bytes_written, c.allow_half_open)
            c.end()

        srv = net.create_server(on_conn)

        def second(c: net.Socket) -> None:
            t.rec("second")
            c.on("close", lambda *a: srv.close())

        srv.on("connection", second)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            cli.append(c)
            t.watch(c, "client", CLIENT_EVENTS)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_server_with_connection_while_client_pending_writes() -> None:
    """A client writes three times before 'connect', then ends; the server collects all."""
    js = """
    const srv = net.createServer((c) => {
      let got = '';
      c.setEncoding('latin1');
      c.on('data', (d) => { got += d; });
      c.on('end', () => { rec('server got', got, c.bytesRead); c.end(); });
      c.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      watch(c, 'client', %s);
      const cb = (i) => (e) => rec('write cb', i, e, c.bytesWritten);
      rec(c.write('a', cb(1)), c.write(Buffer.from('bb'), cb(2)),
          c.write('ccc', 'latin1', cb(3)), c.writableLength, c.bytesWritten);
      c.end(() => rec('end cb'));
    });
    """ % (CLIENT_EVENTS,)

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            got: List[str] = []
            c.set_encoding("latin1")
            c.on("data", got.append)

            def on_end() -> None:
                t.rec("server got", "".join(got), c.bytes_read)
                c.end()

            c.on("end", on_end)
            c.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.watch(c, "client", CLIENT_EVENTS)

            def cb(i: int) -> Any:
                return lambda *e: t.rec("write cb", i, *e, c.bytes_written)

            t.rec(c.write("a", cb(1)), c.write(b"bb", cb(2)), c.write("ccc", "latin1", cb(3)),
                  c.writable_length, c.bytes_written)
            c.end(lambda *a: t.rec("end cb"))

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)
