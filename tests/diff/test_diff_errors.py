"""Differential: connect and listen failures, server state errors, argument validation.

Thrown errors are recorded as ``['thrown', {code, message}]``. Messages that
embed a type name ("Received type number (1)" vs Python's "type int (1)") differ
by design, so for those only ``.code`` is recorded.
"""

from __future__ import annotations

import socket
from typing import Any, Callable, List, Tuple

import pytest

import nodenet as net
from difftrace import Trace
from diffpair import EVENTS, check

pytestmark = pytest.mark.node

SRV_EVENTS = ["listening", "close", "error", "drop"]


def test_connect_refused_state() -> None:
    """A refused connect: the socket's state at each event, and the error's fields."""
    js = """
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      srv.close(() => {
        const c = net.connect(p, '127.0.0.1');
        watch(c, 'client', %s);
        rec('connecting', c.connecting, c.pending, c.readyState);
        c.on('error', (e) => rec('error fields', e.syscall, e.address, e.port, e.errno < 0,
                                 c.connecting, c.destroyed, c.readyState));
        c.on('close', () => rec('after close', c.remoteAddress, c.remotePort,
                                c.bytesRead, c.bytesWritten, c.readyState));
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
                t.rec("connecting", c.connecting, c.pending, c.ready_state)
                c.on("error", lambda e: t.rec("error fields", e.syscall, e.address, e.port,
                                              e.errno > 0, c.connecting, c.destroyed,
                                              c.ready_state))
                c.on("close", lambda *a: t.rec("after close", c.remote_address,
                                               c.remote_port, c.bytes_read,
                                               c.bytes_written, c.ready_state))

            srv.close(closed)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_connect_refused_with_pending_write() -> None:
    """A write made while connecting to a closed port: its callback gets the error."""
    js = """
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      srv.close(() => {
        const c = net.connect(p, '127.0.0.1');
        watch(c, 'client', %s);
        rec('write', c.write('x', (e) => rec('write cb', e)));
        c.end((e) => rec('end cb', e));
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
                t.rec("write", c.write("x", lambda *a: t.rec("write cb", *a)))
                c.end(lambda *a: t.rec("end cb", *a))

            srv.close(closed)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_connect_missing_unix_path(ipc_path: str) -> None:
    """connect(path) to a path that does not exist: ENOENT, error then close(true)."""
    js = """
    const c = net.connect(%r);
    watch(c, 'client', %s);
    c.on('error', (e) => rec('fields', e.syscall, e.address));
    """ % (ipc_path, EVENTS)

    def py(t: Trace) -> None:
        c = net.connect(ipc_path)
        t.watch(c, "client", EVENTS)
        c.on("error", lambda e: t.rec("fields", e.syscall, e.address))

    check(js, py)


def test_connect_stale_unix_socket(ipc_path: str) -> None:
    """connect(path) to a socket file nobody listens on: ECONNREFUSED."""
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(ipc_path)
    stale.close()
    js = """
    const c = net.connect({path: %r});
    watch(c, 'client', %s);
    """ % (ipc_path, EVENTS)

    def py(t: Trace) -> None:
        c = net.connect({"path": ipc_path})
        t.watch(c, "client", EVENTS)

    check(js, py)


def test_server_close_not_running() -> None:
    """close(cb) on a server that never listened: cb(ERR_SERVER_NOT_RUNNING) and 'close'."""
    js = """
    const srv = net.createServer();
    watch(srv, 'srv', %s);
    srv.close((e) => rec('close cb', e));
    rec('after close', srv.listening);
    """ % (SRV_EVENTS,)

    def py(t: Trace) -> None:
        srv = net.create_server()
        t.watch(srv, "srv", SRV_EVENTS)
        srv.close(lambda e: t.rec("close cb", e))
        t.rec("after close", srv.listening)

    check(js, py)


def test_server_close_twice() -> None:
    """close() twice: the second callback gets ERR_SERVER_NOT_RUNNING."""
    js = """
    const srv = net.createServer();
    watch(srv, 'srv', %s);
    srv.listen(0, '127.0.0.1', () => {
      port(srv.address().port);
      srv.close((e) => rec('close cb 1', e));
      srv.close((e) => rec('close cb 2', e));
      rec('address', srv.address(), srv.listening);
    });
    """ % (SRV_EVENTS,)

    def py(t: Trace) -> None:
        srv = net.create_server()
        t.watch(srv, "srv", SRV_EVENTS)

        def listening() -> None:
            t.port(srv.address()["port"])
            srv.close(lambda e: t.rec("close cb 1", e))
            srv.close(lambda e: t.rec("close cb 2", e))
            t.rec("address", srv.address(), srv.listening)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


@pytest.mark.parametrize("with_host", [False, True])
def test_listen_eaddrinuse_port(with_host: bool) -> None:
    """A second server on a busy port: 'error' EADDRINUSE, never 'listening'."""
    host = ", '127.0.0.1'" if with_host else ""
    js = """
    const a = net.createServer();
    a.listen(0%(host)s, () => {
      const p = port(a.address().port);
      const b = net.createServer();
      watch(b, 'b', %(ev)s);
      b.on('error', (e) => {
        rec('fields', e.syscall, e.address, e.port, b.listening, b.address());
        a.close();
      });
      b.listen(p%(host)s);
      rec('after listen', b.listening);
    });
    """ % {"host": host, "ev": SRV_EVENTS}

    def py(t: Trace) -> None:
        a = net.create_server()

        def listening() -> None:
            p = t.port(a.address()["port"])
            b = net.create_server()
            t.watch(b, "b", SRV_EVENTS)

            def on_error(e: Any) -> None:
                t.rec("fields", e.syscall, e.address, e.port, b.listening, b.address())
                a.close()

            b.on("error", on_error)
            if with_host:
                b.listen(p, "127.0.0.1")
            else:
                b.listen(p)
            t.rec("after listen", b.listening)

        if with_host:
            a.listen(0, "127.0.0.1", listening)
        else:
            a.listen(0, listening)

    check(js, py)


def test_listen_eaddrinuse_unix_path(ipc_path: str) -> None:
    """A second server on a busy Unix path: EADDRINUSE; the first keeps its file."""
    js = """
    const fs = require('fs');
    const a = net.createServer();
    a.listen(%(path)r, () => {
      const b = net.createServer();
      watch(b, 'b', %(ev)s);
      b.on('error', (e) => {
        rec('fields', e.syscall, e.address, fs.existsSync(%(path)r));
        a.close(() => rec('a closed', fs.existsSync(%(path)r)));
      });
      b.listen(%(path)r);
    });
    """ % {"path": ipc_path, "ev": SRV_EVENTS}

    def py(t: Trace) -> None:
        import os
        a = net.create_server()

        def listening() -> None:
            b = net.create_server()
            t.watch(b, "b", SRV_EVENTS)

            def on_error(e: Any) -> None:
                t.rec("fields", e.syscall, e.address, os.path.exists(ipc_path))
                a.close(lambda *x: t.rec("a closed", os.path.exists(ipc_path)))

            b.on("error", on_error)
            b.listen(ipc_path)

        a.listen(ipc_path, listening)

    check(js, py)


def test_double_listen_throws() -> None:
    """listen() on a listening server throws ERR_SERVER_ALREADY_LISTEN at the call."""
    js = """
    const srv = net.createServer();
    watch(srv, 'srv', %s);
    srv.listen(0);
    try { srv.listen(0); rec('no throw'); } catch (e) { rec('thrown', e); }
    srv.on('listening', () => {
      try { srv.listen(0, '127.0.0.1'); rec('no throw'); } catch (e) { rec('thrown', e); }
      srv.close();
    });
    """ % (SRV_EVENTS,)

    def py(t: Trace) -> None:
        srv = net.create_server()
        t.watch(srv, "srv", SRV_EVENTS)
        srv.listen(0)
        try:
            srv.listen(0)
            t.rec("no throw")
        except Exception as e:  # noqa: BLE001 - recorded
            t.rec("thrown", e)

        def on_listening() -> None:
            try:
                srv.listen(0, "127.0.0.1")
                t.rec("no throw")
            except Exception as e:  # noqa: BLE001 - recorded
                t.rec("thrown", e)
            srv.close()

        srv.on("listening", on_listening)

    check(js, py)


def test_double_listen_with_host_during_lookup() -> None:
    """Two listen(0, host) calls in a row: the second does not throw (no handle yet
    while the host is looked up); 'listening' comes once."""
    js = """
    const srv = net.createServer();
    watch(srv, 'srv', %s);
    srv.listen(0, '127.0.0.1');
    try { srv.listen(0, '127.0.0.1'); rec('no throw'); } catch (e) { rec('thrown', e); }
    srv.once('listening', () => setTimeout(() => srv.close(), 50));
    """ % (SRV_EVENTS,)

    def py(t: Trace) -> None:
        srv = net.create_server()
        t.watch(srv, "srv", SRV_EVENTS)
        srv.listen(0, "127.0.0.1")
        try:
            srv.listen(0, "127.0.0.1")
            t.rec("no throw")
        except Exception as e:  # noqa: BLE001 - recorded
            t.rec("thrown", e)
        srv.once("listening", lambda: net.set_timeout(lambda: srv.close(), 50))

    check(js, py)


# (JS expression, Python callable, record the message too)
VALIDATION: List[Tuple[str, Callable[[], Any], bool]] = [
    ("net.connect({port: -1})", lambda: net.connect({"port": -1}), False),
    ("net.connect()", lambda: net.connect(), True),
    ("net.createServer().listen({})", lambda: net.create_server().listen({}), True),
    ("net.createServer().listen({port: 'abc'})",
     lambda: net.create_server().listen({"port": "abc"}), False),
    ("net.createServer().listen(65536)", lambda: net.create_server().listen(65536), False),
    ("new net.Socket().setTimeout(-1)", lambda: net.Socket().set_timeout(-1), True),
    ("new net.Socket().setTimeout('x')", lambda: net.Socket().set_timeout("x"), False),
    ("new net.Socket().write(1)", lambda: net.Socket().write(1), False),
    ("net.connect({port: 80, localPort: 'x'})",
     lambda: net.connect({"port": 80, "localPort": "x"}), False),
    ("net.connect({port: 80, family: 5})", lambda: net.connect({"port": 80, "family": 5}), True),
    ("new net.Socket().setEncoding('nope')", lambda: net.Socket().set_encoding("nope"), True),
    ("net.connect({path: 5})", lambda: net.connect({"path": 5}), False),
    ("net.connect({port: 80, lookup: 5})", lambda: net.connect({"port": 80, "lookup": 5}),
     False),
    ("net.createServer().listen({port: 0, host: 1})",
     lambda: net.create_server().listen({"port": 0, "host": 1}), False),
    ("net.createServer({highWaterMark: -1})",
     lambda: net.create_server({"highWaterMark": -1}), True),
    ("new net.Socket({highWaterMark: 'x'})",
     lambda: net.Socket({"highWaterMark": "x"}), False),
]


def test_validation_errors() -> None:
    """Bad arguments throw at the call with Node's code (and message when it has no
    type name in it)."""
    js = "function tr(i, full, f) {\n" \
         "  try { f(); rec(i, 'no throw'); }\n" \
         "  catch (e) { rec(i, 'thrown', full ? e : e.code); }\n}\n"
    for i, (expr, _, full) in enumerate(VALIDATION):
        js += "tr(%d, %s, () => %s);\n" % (i, "true" if full else "false", expr)

    def py(t: Trace) -> None:
        for i, (_, fn, full) in enumerate(VALIDATION):
            try:
                fn()
                t.rec(i, "no throw")
            except Exception as e:  # noqa: BLE001 - recorded
                t.rec(i, "thrown", e if full else getattr(e, "code", repr(e)))

    check(js, py)


def test_get_connections_callback_not_a_function() -> None:
    """getConnections(5) throws ERR_INVALID_ARG_TYPE at the call (Node: from
    process.nextTick's validation)."""
    js = """
    const srv = net.createServer();
    try { srv.getConnections(5); rec('no throw'); }
    catch (e) { rec('thrown', e.code); }
    """

    def py(t: Trace) -> None:
        net.process.on("uncaughtException", lambda e, *a: t.rec("uncaught", repr(e)))
        srv = net.create_server()
        try:
            srv.get_connections(5)
            t.rec("no throw")
        except Exception as e:  # noqa: BLE001 - recorded
            t.rec("thrown", getattr(e, "code", repr(e)))

    check(js, py)


def test_listen_error_port_on_unix_path(ipc_path: str) -> None:
    """A Unix-path listen error carries port -1 (Node's listenInCluster(server,
    path, -1, -1))."""
    js = """
    const a = net.createServer();
    a.listen(%(path)r, () => {
      const b = net.createServer();
      b.on('error', (e) => { rec('port', e.port); a.close(); });
      b.listen(%(path)r);
    });
    """ % {"path": ipc_path}

    def py(t: Trace) -> None:
        a = net.create_server()

        def listening() -> None:
            b = net.create_server()

            def on_error(e: Any) -> None:
                t.rec("port", e.port)
                a.close()

            b.on("error", on_error)
            b.listen(ipc_path)

        a.listen(ipc_path, listening)

    check(js, py)
