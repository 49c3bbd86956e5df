"""Differential: more lifecycle corners — reconnecting a closed socket, pipe() echo,
RST from closing with unread data, zero-length writes, destroy in 'finish'.
"""

from __future__ import annotations

from typing import Any, List

import pytest

import nodenet as net
from difftrace import Trace
from diffpair import EVENTS, check, js_pair, py_pair

pytestmark = pytest.mark.node


def test_reconnect_after_close() -> None:
    """connect() again on the same Socket from its 'close': a second full lifecycle."""
    js = """
    let n = 0;
    const srv = net.createServer((c) => {
      n++;
      c.end('conn' + n);
      if (n === 2) srv.close(() => rec('server closed'));
    });
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      const c = new net.Socket();
      watch(c, 'client', %s);
      let round = 0;
      c.on('close', () => {
        rec('state after close', c.destroyed, c.readyState, c.bytesRead);
        if (++round === 1) { c.connect(p, '127.0.0.1'); rec('reconnecting', c.connecting); }
      });
      c.connect(p, '127.0.0.1');
    });
    """ % (EVENTS,)

    def py(t: Trace) -> None:
        n = [0]

        def on_conn(c: net.Socket) -> None:
            n[0] += 1
            c.end("conn%d" % n[0])
            if n[0] == 2:
                srv.close(lambda *a: t.rec("server closed"))

        srv = net.create_server(on_conn)

        def listening() -> None:
            p = t.port(srv.address()["port"])
            c = net.Socket()
            t.watch(c, "client", EVENTS)
            rounds = [0]

            def on_close(*a: Any) -> None:
                t.rec("state after close", c.destroyed, c.ready_state, c.bytes_read)
                rounds[0] += 1
                if rounds[0] == 1:
                    c.connect(p, "127.0.0.1")
                    t.rec("reconnecting", c.connecting)

            c.on("close", on_close)
            c.connect(p, "127.0.0.1")

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_pipe_echo_server() -> None:
    """The server pipes the socket into itself; the client's writes come back and
    the client's end() ends the echo."""
    js = js_pair(server_body="""
      c.on('unpipe', (src, info) => rec('unpipe', src === c, info));
      c.pipe(c);
    """, client_body="""
      let got = '';
      c.setEncoding('utf8');
      c.on('data', (d) => { got += d; });
      c.on('end', () => rec('echoed', got));
      c.write('abc');
      setTimeout(() => c.end('def'), 20);
    """, client_events=["connect", "end", "finish", "close", "error"],
        server_events=["end", "finish", "close", "error"])

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        c.on("unpipe", lambda src, *info: t.rec("unpipe", src is c, *info))
        c.pipe(c)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        got: List[str] = []
        c.set_encoding("utf8")
        c.on("data", got.append)
        c.on("end", lambda: t.rec("echoed", "".join(got)))
        c.write("abc")
        net.set_timeout(lambda: c.end("def"), 20)

    check(js, py_pair(server_body=server, client_body=client,
                      client_events=["connect", "end", "finish", "close", "error"],
                      server_events=["end", "finish", "close", "error"]))


PIPE_EVENTS = ["close", "finish", "drain", "error", "unpipe", "end", "data"]


@pytest.mark.parametrize("announce_removals", [False, True])
def test_pipe_echo_leaves_only_the_users_listeners(announce_removals: bool) -> None:
    """The server's own listeners on every event pipe() uses, added before and after
    pipe(): when the echo ends, the pipe removes its own and leaves the user's, in
    order. With a 'removeListener' listener, each removal is heard, in Node's
    order (the pipe's removal fast path does not apply then)."""
    counts_js = "%s.map((e) => e + '=' + c.listenerCount(e)).join(' ')" % (PIPE_EVENTS,)
    removals_js = ("c.on('removeListener', (e) => rec('removed', e));"
                   if announce_removals else "")
    js = js_pair(server_body="""
      for (const e of %(events)s) c.on(e, () => {});
      %(removals)s
      c.pipe(c);
      for (const e of %(events)s) c.on(e, () => {});
      rec('piped', %(counts)s);
      c.on('unpipe', () => rec('unpiped', %(counts)s, c.readableFlowing));
      c.on('close', () => rec('closed', %(counts)s));
    """ % {"events": PIPE_EVENTS, "removals": removals_js, "counts": counts_js},
        client_body="""
      c.on('data', () => {});
      c.end('abc');
    """, client_events=["end", "close"], server_events=["end", "finish", "close"])

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        def counts() -> str:
            return " ".join(f"{e}={c.listener_count(e)}" for e in PIPE_EVENTS)

        for e in PIPE_EVENTS:
            c.on(e, lambda *a: None)
        if announce_removals:
            c.on("removeListener", lambda e, *a: t.rec("removed", e))
        c.pipe(c)
        for e in PIPE_EVENTS:
            c.on(e, lambda *a: None)
        t.rec("piped", counts())
        c.on("unpipe", lambda *a: t.rec("unpiped", counts(), c.readable_flowing))
        c.on("close", lambda *a: t.rec("closed", counts()))

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        c.on("data", lambda d: None)
        c.end("abc")

    check(js, py_pair(server_body=server, client_body=client,
                      client_events=["end", "close"],
                      server_events=["end", "finish", "close"]))


def test_close_with_unread_data_sends_rst() -> None:
    """The server never reads (pauseOnConnect) and destroys: the unread bytes make the
    kernel send RST, so the client reads ECONNRESET."""
    js = js_pair(server_opts={"pauseOnConnect": True}, server_body="""
      setTimeout(() => c.destroy(), 30);
    """, client_body="c.write('unread');")

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        net.set_timeout(lambda: c.destroy(), 30)

    check(js, py_pair(server_opts={"pauseOnConnect": True}, server_body=server,
                      client_body=lambda t, c, s: c.write("unread")))


@pytest.mark.parametrize("while_connecting", [False, True])
def test_zero_length_writes(while_connecting: bool) -> None:
    """write('') and write(empty buffer): callbacks run, nothing is sent."""
    js = js_pair(client_body="""
      const go = () => {
        rec('w1', c.write('', () => rec('cb empty string')));
        rec('w2', c.write(Buffer.alloc(0), () => rec('cb empty buffer')));
        c.end(() => rec('end cb', c.bytesWritten));
      };
      if (%s) go(); else c.on('connect', go);
    """ % ("true" if while_connecting else "false"),
        server_body="c.on('data', (d) => rec('server data', d));")

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def go() -> None:
            t.rec("w1", c.write("", lambda *a: t.rec("cb empty string")))
            t.rec("w2", c.write(b"", lambda *a: t.rec("cb empty buffer")))
            c.end(lambda *a: t.rec("end cb", c.bytes_written))

        if while_connecting:
            go()
        else:
            c.on("connect", go)

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        c.on("data", lambda d: t.rec("server data", d))

    check(js, py_pair(server_body=server, client_body=client))


def test_destroy_in_finish() -> None:
    """Half-open client: destroy() in 'finish' before the server's answer arrives."""
    js = js_pair(client_opts={"allowHalfOpen": True}, client_body="""
      c.on('connect', () => c.end('x'));
      c.on('finish', () => { c.destroy(); rec('in finish', c.destroyed, c.readableEnded); });
    """, server_body="c.on('end', () => setTimeout(() => c.end('late'), 20));",
        server_opts={"allowHalfOpen": True})

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        c.on("connect", lambda: c.end("x"))

        def on_finish() -> None:
            c.destroy()
            t.rec("in finish", c.destroyed, c.readable_ended)

        c.on("finish", on_finish)

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        c.on("end", lambda: net.set_timeout(lambda: c.end("late"), 20))

    check(js, py_pair(client_opts={"allowHalfOpen": True}, client_body=client,
                      server_body=server, server_opts={"allowHalfOpen": True}))


def test_end_callback_and_finish_order() -> None:
    """end(cb): 'finish' listeners and the end callback, and 'prefinish'."""
    js = js_pair(client_body="""
      c.on('prefinish', () => rec('prefinish'));
      c.on('connect', () => {
        c.end('bye', () => rec('end cb', c.writableFinished));
        c.on('finish', () => rec('finish listener added after end'));
      });
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        c.on("prefinish", lambda: t.rec("prefinish"))

        def on_connect() -> None:
            c.end("bye", lambda *a: t.rec("end cb", c.writable_finished))
            c.on("finish", lambda: t.rec("finish listener added after end"))

        c.on("connect", on_connect)

    check(js, py_pair(client_body=client))


def test_error_listener_added_late_no_uncaught() -> None:
    """A refused connect whose 'error' listener is added in the same tick after
    connect(): the listener is in time (the error comes later)."""
    js = """
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      srv.close(() => {
        const c = net.connect(p, '127.0.0.1', () => rec('connected?'));
        process.nextTick(() => c.on('error', (e) => rec('late listener', e)));
        c.on('close', (h) => rec('close', h));
      });
    });
    """

    def py(t: Trace) -> None:
        srv = net.create_server()

        def listening() -> None:
            p = t.port(srv.address()["port"])

            def closed(*a: Any) -> None:
                c = net.connect(p, "127.0.0.1", lambda: t.rec("connected?"))
                net.next_tick(lambda: c.on("error", lambda e: t.rec("late listener", e)))
                c.on("close", lambda h: t.rec("close", h))

            srv.close(closed)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


@pytest.mark.parametrize("with_error", [False, True])
def test_destroy_while_connecting_with_pending_write_and_end(with_error: bool) -> None:
    """write() and end() while connecting, then destroy(err?) at once: the order of
    'error', 'close', the write callback and the end callback."""
    js = """
    const srv = net.createServer(() => rec('unexpected connection'));
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      watch(c, 'client', %s);
      c.write('x', (e) => rec('write cb', e));
      c.end((e) => rec('end cb', e));
      c.destroy(%s);
      c.on('close', () => srv.close());
    });
    """ % (EVENTS, "new Error('boom')" if with_error else "")

    def py(t: Trace) -> None:
        srv = net.create_server(lambda c: t.rec("unexpected connection"))

        def listening() -> None:
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            t.watch(c, "client", EVENTS)
            c.write("x", lambda *a: t.rec("write cb", *a))
            c.end(lambda *a: t.rec("end cb", *a))
            c.destroy(ValueError("boom") if with_error else None)
            c.on("close", lambda *a: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_destroy_while_paused_skips_end() -> None:
    """Paused with the peer's FIN pending: destroy() gives 'close' but never 'end'."""
    js = js_pair(server_body="c.end('data');", client_body="""
      c.pause();
      setTimeout(() => {
        rec('before destroy', c.readableEnded, c.isPaused());
        c.destroy();
      }, 40);
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        c.pause()

        def later() -> None:
            t.rec("before destroy", c.readable_ended, c.is_paused())
            c.destroy()

        net.set_timeout(later, 40)

    check(js, py_pair(server_body=lambda t, c, s: c.end("data"), client_body=client))


def test_set_timeout_zero_removes_callback() -> None:
    """setTimeout(ms, cb) adds a once listener; setTimeout(0, cb) removes it again."""
    js = js_pair(client_body="""
      const cb = () => rec('cb must not run');
      c.setTimeout(30, cb);
      rec('listeners', c.listenerCount('timeout'));
      c.setTimeout(0, cb);
      rec('listeners', c.listenerCount('timeout'), c.timeout);
      setTimeout(() => c.end(), 60);
    """)

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        def cb() -> None:
            t.rec("cb must not run")

        c.set_timeout(30, cb)
        t.rec("listeners", c.listener_count("timeout"))
        c.set_timeout(0, cb)
        t.rec("listeners", c.listener_count("timeout"), c.timeout)
        net.set_timeout(lambda: c.end(), 60)

    # the watcher itself adds one 'timeout' listener on each side
    check(js, py_pair(client_body=client))


def test_connect_local_port_in_use() -> None:
    """connect({localPort}) with a port a server listens on: 'bind EADDRINUSE'."""
    js = """
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      const c = net.connect({port: p, host: '127.0.0.1', localAddress: '127.0.0.1',
                             localPort: p});
      watch(c, 'client', %s);
      c.on('error', (e) => rec('fields', e.syscall, e.address, e.port));
      c.on('close', () => srv.close());
    });
    """ % (EVENTS,)

    def py(t: Trace) -> None:
        srv = net.create_server()

        def listening() -> None:
            p = t.port(srv.address()["port"])
            c = net.connect({"port": p, "host": "127.0.0.1", "localAddress": "127.0.0.1",
                             "localPort": p})
            t.watch(c, "client", EVENTS)
            c.on("error", lambda e: t.rec("fields", e.syscall, e.address, e.port))
            c.on("close", lambda *a: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_listen_on_stale_unix_socket_file(ipc_path: str) -> None:
    """listen(path) where a dead socket file exists: EADDRINUSE (Node does not unlink
    it), and the file is left in place."""
    import os
    import socket
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(ipc_path)
    stale.close()
    js = """
    const srv = net.createServer();
    watch(srv, 'srv', ['listening', 'close', 'error']);
    srv.listen(%r);
    srv.on('error', () => rec('file still there', require('fs').existsSync(%r)));
    """ % (ipc_path, ipc_path)

    def py(t: Trace) -> None:
        srv = net.create_server()
        t.watch(srv, "srv", ["listening", "close", "error"])
        srv.listen(ipc_path)
        srv.on("error", lambda e: t.rec("file still there", os.path.exists(ipc_path)))

    check(js, py)


def test_server_listen_again_after_close() -> None:
    """The same Server object listens, closes, and listens again."""
    js = """
    const srv = net.createServer((c) => c.end('hi'));
    watch(srv, 'srv', ['listening', 'close', 'error']);
    srv.listen(0, '127.0.0.1', () => {
      port(srv.address().port);
      srv.close(() => {
        rec('closed', srv.listening);
        srv.listen(0, '127.0.0.1', () => {
          const p = port(srv.address().port);
          rec('again', srv.listening);
          const c = net.connect(p, '127.0.0.1');
          c.on('data', (d) => rec('client data', d));
          c.on('close', () => srv.close());
        });
      });
    });
    """

    def py(t: Trace) -> None:
        srv = net.create_server(lambda c: c.end("hi"))
        t.watch(srv, "srv", ["listening", "close", "error"])

        def second() -> None:
            p = t.port(srv.address()["port"])
            t.rec("again", srv.listening)
            c = net.connect(p, "127.0.0.1")
            c.on("data", lambda d: t.rec("client data", d))
            c.on("close", lambda *a: srv.close())

        def closed(*a: Any) -> None:
            t.rec("closed", srv.listening)
            srv.listen(0, "127.0.0.1", second)

        def first() -> None:
            t.port(srv.address()["port"])
            srv.close(closed)

        srv.listen(0, "127.0.0.1", first)

    check(js, py)
