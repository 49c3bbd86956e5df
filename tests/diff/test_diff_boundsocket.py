"""Differential: ``net.BoundSocket`` (Node v24.19 / v26.4; ``path`` and ``isPipe``
from v26.7) against the Node 26 binary: binding at construction, the adopters
(``listen(bound)``, ``listen({handle})``, ``new Socket({handle})``,
``connect({handle, ...})``), and ERR_SOCKET_HANDLE_ADOPTED afterwards.

Errors are compared by code only where nodenet's message spells a Python type
or a snake_case option name (docs/compat.md); elsewhere by code and message.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, List

import pytest

import nodenet as net
from difftrace import Trace, check

pytestmark = [pytest.mark.node, pytest.mark.not_in_node20("net.BoundSocket (v24.19 / v26.4)")]

JS_HELPERS = r"""
function attempt(label, f) {
  try { const r = f(); rec(label, r === undefined ? 'ok' : r); }
  catch (e) { rec(label, 'threw', e.code || null); }
}
function attemptMsg(label, f) {
  try { f(); rec(label, 'ok'); } catch (e) { rec(label, 'threw', e); }
}
"""


def attempt(t: Trace, label: str, f: Callable[[], Any]) -> None:
    try:
        r = f()
        t.rec(label, "ok" if r is None else r)
    except Exception as exc:   # compared by code: the message has Python spellings
        t.rec(label, "threw", getattr(exc, "code", None))


def attempt_msg(t: Trace, label: str, f: Callable[[], Any]) -> None:
    try:
        f()
        t.rec(label, "ok")
    except Exception as exc:
        t.rec(label, "threw", exc)


def test_construction_and_errors() -> None:
    """address()/fd()/isPipe, the option checks, bind errors at the call, close()
    and dispose, and ERR_SOCKET_HANDLE_ADOPTED after close."""
    js = JS_HELPERS + r"""
    const b = new net.BoundSocket({ host: '127.0.0.1' });
    const a = b.address();
    rec('address', a.address, a.family, typeof port(a.port), Object.keys(a));
    rec('fd', typeof b.fd(), b.fd() > 2, b.isPipe);
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      attemptMsg('in use', () => new net.BoundSocket({ host: '127.0.0.1', port: p }));
      srv.close();
    });
    attemptMsg('no such address', () => new net.BoundSocket({ host: '192.0.2.1' }));
    attemptMsg('host name', () => new net.BoundSocket({ host: 'localhost' }));
    attempt('host type', () => new net.BoundSocket({ host: 5 }));
    attempt('bad port', () => new net.BoundSocket({ port: 65536 }));
    attempt('ipv6Only type', () => new net.BoundSocket({ ipv6Only: 1 }));
    attempt('reusePort type', () => new net.BoundSocket({ reusePort: 'x' }));
    attempt('options type', () => new net.BoundSocket(5));
    attempt('path and port', () => new net.BoundSocket({ path: '/tmp/x', port: 0 }));
    attempt('path type', () => new net.BoundSocket({ path: 5 }));
    for (const opts of [{}, { ipv6Only: true }, { host: '::' }, { host: null },
                        { port: '0', host: '127.0.0.1' }]) {
      const x = new net.BoundSocket(opts);
      const xa = x.address();
      rec('default', opts, xa.address, xa.family);
      x.close();
    }
    attempt('close', () => b.close());
    attemptMsg('address after close', () => b.address());
    attempt('fd after close', () => b.fd());
    attempt('close again', () => b.close());
    attempt('dispose after close', () => b[Symbol.dispose]());
    const d = new net.BoundSocket();
    d[Symbol.dispose]();
    attempt('address after dispose', () => d.address());
    """

    def py(t: Trace) -> None:
        b = net.BoundSocket({"host": "127.0.0.1"})
        a = b.address()
        assert isinstance(a, dict)
        t.rec("address", a["address"], a["family"], "number" if t.port(a["port"]) else "",
              list(a))
        t.rec("fd", "number" if isinstance(b.fd(), int) else "", b.fd() > 2, b.is_pipe)
        srv = net.create_server()

        def listening() -> None:
            p = t.port(srv.address()["port"])
            attempt_msg(t, "in use", lambda: net.BoundSocket({"host": "127.0.0.1", "port": p}))
            srv.close()

        srv.listen(0, "127.0.0.1", listening)
        attempt_msg(t, "no such address", lambda: net.BoundSocket({"host": "192.0.2.1"}))
        attempt_msg(t, "host name", lambda: net.BoundSocket({"host": "localhost"}))
        attempt(t, "host type", lambda: net.BoundSocket({"host": 5}))
        attempt(t, "bad port", lambda: net.BoundSocket({"port": 65536}))
        attempt(t, "ipv6Only type", lambda: net.BoundSocket({"ipv6Only": 1}))
        attempt(t, "reusePort type", lambda: net.BoundSocket({"reusePort": "x"}))
        attempt(t, "options type", lambda: net.BoundSocket(5))
        attempt(t, "path and port", lambda: net.BoundSocket({"path": "/tmp/x", "port": 0}))
        attempt(t, "path type", lambda: net.BoundSocket({"path": 5}))
        for opts in ({}, {"ipv6Only": True}, {"host": "::"}, {"host": None},
                     {"port": "0", "host": "127.0.0.1"}):
            x = net.BoundSocket(opts)
            xa = x.address()
            assert isinstance(xa, dict)
            t.rec("default", opts, xa["address"], xa["family"])
            x.close()
        attempt(t, "close", b.close)
        attempt_msg(t, "address after close", b.address)
        attempt(t, "fd after close", b.fd)
        attempt(t, "close again", b.close)
        attempt(t, "dispose after close", lambda: b.__exit__(None, None, None))
        d = net.BoundSocket()
        d.__exit__(None, None, None)
        attempt(t, "address after dispose", d.address)

    check(js, py)


@pytest.mark.parametrize("form", ["bound", "handle", "backlog"])
def test_listen_adopts(form: str) -> None:
    """listen(bound, cb) / listen({handle: bound, ...}, cb) / listen(bound, 5, cb):
    the server listens on the bound address; the BoundSocket is then spent."""
    listen = {"bound": "srv.listen(b, onListening)",
              "handle": "srv.listen({ handle: b, port: 1, host: '10.0.0.1', backlog: 3 }, "
                        "onListening)",
              "backlog": "srv.listen(b, 5, onListening)"}[form]
    js = JS_HELPERS + r"""
    const b = new net.BoundSocket({ host: '127.0.0.1' });
    const p = port(b.address().port);
    const srv = net.createServer((c) => { rec('connection', c.localPort); c.end('hi'); });
    watch(srv, 'srv', ['listening', 'close', 'error']);
    function onListening() {
      rec('listening cb', srv.address(), srv.listening);
      attempt('address', () => b.address());
      attempt('fd', () => b.fd());
      attempt('close', () => b.close());
      attempt('dispose', () => b[Symbol.dispose]());
      attempt('listen again', () => net.createServer().listen(b));
      attempt('socket', () => new net.Socket({ handle: b }));
      const c = net.connect(p, '127.0.0.1');
      c.on('data', (d) => rec('client data', d));
      c.on('close', () => srv.close());
    }
    const ret = %s;
    rec('returns', ret === srv, srv.listening, srv.address());
    """ % listen

    def py(t: Trace) -> None:
        b = net.BoundSocket({"host": "127.0.0.1"})
        a = b.address()
        assert isinstance(a, dict)
        p = t.port(a["port"])

        def on_conn(c: net.Socket) -> None:
            t.rec("connection", c.local_port)
            c.end("hi")

        srv = net.create_server(on_conn)
        t.watch(srv, "srv", ["listening", "close", "error"])

        def on_listening() -> None:
            t.rec("listening cb", srv.address(), srv.listening)
            attempt(t, "address", b.address)
            attempt(t, "fd", b.fd)
            attempt(t, "close", b.close)
            attempt(t, "dispose", lambda: b.__exit__(None, None, None))
            attempt(t, "listen again", lambda: net.create_server().listen(b))
            attempt(t, "socket", lambda: net.Socket({"handle": b}))
            c = net.connect(p, "127.0.0.1")
            c.on("data", lambda d: t.rec("client data", d))
            c.on("close", lambda *_: srv.close())

        if form == "bound":
            ret = srv.listen(b, on_listening)
        elif form == "handle":
            ret = srv.listen({"handle": b, "port": 1, "host": "10.0.0.1", "backlog": 3},
                             on_listening)
        else:
            ret = srv.listen(b, 5, on_listening)
        t.rec("returns", ret is srv, srv.listening, srv.address())

    check(js, py)


def test_socket_adopts_and_connects_in_the_call() -> None:
    """new Socket({handle: bound}): bound, not connected, not reading; connect() to an
    IP issues the connection inside the call ('connectionAttempt' before it returns)."""
    js = r"""
    const srv = net.createServer((c) => {
      rec('server sees', c.remotePort === b.__port);
      c.end('hi');
    });
    let b;
    srv.listen(0, '127.0.0.1', () => {
      b = new net.BoundSocket({ host: '127.0.0.1' });
      b.__port = port(b.address().port);
      const s = new net.Socket({ handle: b });
      rec('before', s.localPort, s.localAddress, s.remotePort, s.readyState, s.connecting,
          s.pending, s.readableFlowing);
      watch(s, 'client', ['connectionAttempt', 'connect', 'ready', 'data', 'end', 'close',
                          'error', 'lookup']);
      const r = s.connect({ port: port(srv.address().port), host: '127.0.0.1' });
      rec('after', r === s, s.localPort, s.localAddress, s.connecting, s.readyState);
      s.on('close', () => srv.close());
    });
    """

    def py(t: Trace) -> None:
        state: List[Any] = []

        def on_conn(c: net.Socket) -> None:
            t.rec("server sees", c.remote_port == state[0])
            c.end("hi")

        srv = net.create_server(on_conn)

        def listening() -> None:
            b = net.BoundSocket({"host": "127.0.0.1"})
            a = b.address()
            assert isinstance(a, dict)
            state.append(t.port(a["port"]))
            s = net.Socket({"handle": b})
            t.rec("before", s.local_port, s.local_address, s.remote_port, s.ready_state,
                  s.connecting, s.pending, s.readable_flowing)
            t.watch(s, "client", ["connectionAttempt", "connect", "ready", "data", "end",
                                  "close", "error", "lookup"])
            r = s.connect({"port": t.port(srv.address()["port"]), "host": "127.0.0.1"})
            t.rec("after", r is s, s.local_port, s.local_address, s.connecting,
                  s.ready_state)
            s.on("close", lambda *_: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_connect_with_handle_option() -> None:
    """net.connect({handle: bound on 0.0.0.0, port, host}): the local address is the
    kernel's choice as soon as connect() returns; then a refused one, a name lookup
    (no Happy Eyeballs), local options refused, a family mismatch, destroy first."""
    js = JS_HELPERS + r"""
    const srv = net.createServer((c) => c.end());
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      const b = new net.BoundSocket();
      const lp = port(b.address().port);
      const s = net.connect({ handle: b, port: p, host: '127.0.0.1' });
      rec('after connect', s.localPort, s.localAddress, s.connecting);
      watch(s, 'a', ['connect', 'ready', 'end', 'close', 'error']);
      s.resume();
      s.on('close', () => step2(p));
    });
    function step2(p) {
      const b = new net.BoundSocket({ host: '127.0.0.1' });
      const s = net.connect({ handle: b, port: p, host: 'localhost', family: 4 });
      watch(s, 'b', ['lookup', 'connectionAttempt', 'connect', 'close', 'error']);
      rec('b attempted', s.autoSelectFamilyAttemptedAddresses);
      s.resume();
      s.on('close', () => srv.close(() => step3(p)));
    }
    function step3(p) {
      const b = new net.BoundSocket({ host: '127.0.0.1' });
      const s = net.connect({ handle: b, port: p, host: '127.0.0.1' });
      watch(s, 'refused', ['connectionAttemptFailed', 'connect', 'close', 'error']);
      s.on('close', () => step4(p));
    }
    function step4(p) {
      const b = new net.BoundSocket({ host: '127.0.0.1' });
      attempt('localPort', () => net.connect({ handle: b, port: p, host: '127.0.0.1',
                                               localPort: 5 }));
      attempt('spent', () => b.address());
      const b2 = new net.BoundSocket({ host: '::1' });
      const lp = port(b2.address().port);
      const s = net.connect({ handle: b2, port: p, host: '127.0.0.1' });
      watch(s, 'mismatch', ['connect', 'close', 'error']);
      s.on('close', () => {
        const s2 = new net.Socket({ handle: new net.BoundSocket({ host: '127.0.0.1' }) });
        watch(s2, 'destroyed', ['close', 'error']);
        s2.destroy();
      });
    }
    """

    def py(t: Trace) -> None:
        srv = net.create_server(lambda c: c.end())

        def listening() -> None:
            p = t.port(srv.address()["port"])
            b = net.BoundSocket()
            a = b.address()
            assert isinstance(a, dict)
            t.port(a["port"])
            s = net.connect({"handle": b, "port": p, "host": "127.0.0.1"})
            t.rec("after connect", s.local_port, s.local_address, s.connecting)
            t.watch(s, "a", ["connect", "ready", "end", "close", "error"])
            s.resume()
            s.on("close", lambda *_: step2(p))

        def step2(p: int) -> None:
            b = net.BoundSocket({"host": "127.0.0.1"})
            s = net.connect({"handle": b, "port": p, "host": "localhost", "family": 4})
            t.watch(s, "b", ["lookup", "connectionAttempt", "connect", "close", "error"])
            t.rec("b attempted", s.auto_select_family_attempted_addresses)
            s.resume()
            s.on("close", lambda *_: srv.close(lambda *_: step3(p)))

        def step3(p: int) -> None:
            b = net.BoundSocket({"host": "127.0.0.1"})
            s = net.connect({"handle": b, "port": p, "host": "127.0.0.1"})
            t.watch(s, "refused", ["connectionAttemptFailed", "connect", "close", "error"])
            s.on("close", lambda *_: step4(p))

        def step4(p: int) -> None:
            b = net.BoundSocket({"host": "127.0.0.1"})
            attempt(t, "localPort", lambda: net.connect(
                {"handle": b, "port": p, "host": "127.0.0.1", "localPort": 5}))
            attempt(t, "spent", b.address)
            b2 = net.BoundSocket({"host": "::1"})
            a2 = b2.address()
            assert isinstance(a2, dict)
            t.port(a2["port"])
            s = net.connect({"handle": b2, "port": p, "host": "127.0.0.1"})
            t.watch(s, "mismatch", ["connect", "close", "error"])

            def closed(*_: Any) -> None:
                s2 = net.Socket({"handle": net.BoundSocket({"host": "127.0.0.1"})})
                t.watch(s2, "destroyed", ["close", "error"])
                s2.destroy()

            s.on("close", closed)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


@pytest.mark.parametrize("abstract", [False, True])
def test_unix_paths(ipc_path: str, abstract: bool) -> None:
    """BoundSocket({path}) for a server and a client: address() and isPipe, the
    client's localAddress is its bound path, and both files are gone after close."""
    if abstract and not sys.platform.startswith("linux"):
        pytest.skip("abstract names are Linux's")
    tag = os.path.basename(os.path.dirname(ipc_path))
    server_path = f"\0{tag}-srv" if abstract else ipc_path
    client_path = f"\0{tag}-cli" if abstract else ipc_path + ".cli"
    js = r"""
    const fs = require('fs');
    const S = %(S)s, C = %(C)s;
    const b = new net.BoundSocket({ path: S });
    rec('server bound', b.address(), b.isPipe, !S.startsWith('\0') && fs.existsSync(S));
    const srv = net.createServer((c) => { rec('conn', c.remoteAddress); c.end('x'); });
    srv.listen(b, () => {
      rec('listening', srv.address());
      const cb = new net.BoundSocket({ path: C });
      const s = new net.Socket({ handle: cb });
      rec('client before', s.localAddress, s.address(), s.remoteAddress, s.readyState);
      s.connect({ path: S });
      rec('client after', s.localAddress, s.connecting);
      watch(s, 'client', ['connect', 'ready', 'data', 'end', 'close', 'error']);
      s.on('close', () => {
        rec('client file', !C.startsWith('\0') && fs.existsSync(C));
        srv.close(() => rec('server file', !S.startsWith('\0') && fs.existsSync(S)));
      });
    });
    """ % {"S": repr(server_path), "C": repr(client_path)}

    def py(t: Trace) -> None:
        def exists(p: str) -> bool:
            return not p.startswith("\0") and os.path.exists(p)

        b = net.BoundSocket({"path": server_path})
        t.rec("server bound", b.address(), b.is_pipe, exists(server_path))

        def on_conn(c: net.Socket) -> None:
            t.rec("conn", c.remote_address)
            c.end("x")

        srv = net.create_server(on_conn)

        def listening() -> None:
            t.rec("listening", srv.address())
            s = net.Socket({"handle": net.BoundSocket({"path": client_path})})
            t.rec("client before", s.local_address, s.address(), s.remote_address,
                  s.ready_state)
            s.connect({"path": server_path})
            t.rec("client after", s.local_address, s.connecting)
            t.watch(s, "client", ["connect", "ready", "data", "end", "close", "error"])

            def closed(*_: Any) -> None:
                t.rec("client file", exists(client_path))
                srv.close(lambda *_: t.rec("server file", exists(server_path)))

            s.on("close", closed)

        srv.listen(b, listening)

    check(js, py)


def test_unix_path_errors(ipc_path: str) -> None:
    """Pipe binds fail at the call: a missing directory (EACCES, as libuv reports it),
    a taken path, a path that does not fit sun_path; a bound pipe needs options.path."""
    directory = os.path.dirname(ipc_path)
    js = JS_HELPERS + r"""
    const D = %(D)s;
    attemptMsg('missing dir', () => new net.BoundSocket({ path: D + '/no/s' }));
    attemptMsg('too long', () => new net.BoundSocket({ path: D + '/' + 'a'.repeat(120) }));
    const b = new net.BoundSocket({ path: D + '/s' });
    attemptMsg('taken', () => new net.BoundSocket({ path: D + '/s' }));
    const s = new net.Socket({ handle: b });
    attempt('connect without path', () => s.connect({ port: 80 }));
    s.destroy();
    s.on('close', (h) => rec('closed', h, require('fs').existsSync(D + '/s')));
    """ % {"D": repr(directory)}

    def py(t: Trace) -> None:
        attempt_msg(t, "missing dir", lambda: net.BoundSocket({"path": directory + "/no/s"}))
        attempt_msg(t, "too long", lambda: net.BoundSocket({"path": directory + "/" + "a" * 120}))
        b = net.BoundSocket({"path": directory + "/s"})
        attempt_msg(t, "taken", lambda: net.BoundSocket({"path": directory + "/s"}))
        s = net.Socket({"handle": b})
        attempt(t, "connect without path", lambda: s.connect({"port": 80}))
        s.destroy()
        s.on("close", lambda h: t.rec("closed", h, os.path.exists(directory + "/s")))

    check(js, py)
