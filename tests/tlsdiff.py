"""Differential TLS runs: one scenario, a server side and a client side, each
written in JavaScript (for node) and in Python (for nodenet).

A scenario runs four ways on loopback:

* node server process + node client process (the reference),
* nodenet server + nodenet client (both in this process, one loop),
* node server process + nodenet client,
* nodenet server + node client process,

and each side's trace must equal that side's trace in the reference run. Traces
are per side, so the interleaving of two processes never matters. Both sides
record with ``rec(...)``/``watch(emitter, name, events)``; values are
normalised alike (errors become ``{code, message}`` with OpenSSL's own error
strings dropped for ``ERR_SSL_*``, Node 26's ``--use-system-ca`` hint removed;
sockets become their class name; bytes become ``'buf:<latin1>'``).

The JavaScript server calls ``ready(port)`` when listening; the client reads
``PORT``. Certificates come from ``tests/tlscerts.py`` (``pem(name)``,
``key(name)`` on both sides). The node binary is the running ``node``-marked
test's (tests/nodes.py: Node 26, the reference, then Node 20).
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import threading
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

import nodes
import nodenet as net
from support import run

ROOT = Path(__file__).resolve().parents[1]



_SYSTEM_CA_HINT = "; if the root CA is installed locally, try running Node.js with --use-system-ca"

JS_PRELUDE = r"""
'use strict';
const net = require('net');
const tls = require('tls');
const fs = require('fs');
const CERTS = process.env.NODENET_CERTS;
const PORT = +(process.env.NODENET_PORT || 0);
function pem(n) { return fs.readFileSync(CERTS + '/' + n + '.pem', 'latin1'); }
function key(n) { return fs.readFileSync(CERTS + '/' + n + '.key', 'latin1'); }
const trace = [];
function norm(x) {
  if (x === undefined || x === null) return null;
  if (x instanceof Error) {
    let msg = x.message;
    if (typeof x.code === 'string' && /^ERR_(SSL|OSSL)_/.test(x.code)) msg = null;
    else if (msg) msg = msg.split('%(hint)s').join('');
    return {code: x.code || null, message: msg};
  }
  if (Buffer.isBuffer(x)) return 'buf:' + x.toString('latin1');
  if (x instanceof net.Socket || x instanceof net.Server) return x.constructor.name;
  if (typeof x === 'object' && !Array.isArray(x)) {
    const o = {};
    for (const k of Object.keys(x).sort()) o[k] = norm(x[k]);
    return o;
  }
  if (Array.isArray(x)) return x.map(norm);
  if (typeof x === 'function') return 'function';
  return x;
}
function rec(...a) { trace.push(a.map(norm)); }
function watch(em, name, events) {
  for (const e of events) em.on(e, (...a) => rec(name, e, ...a));
}
function ready(port) { process.stdout.write(JSON.stringify({port: port}) + '\n'); }
process.on('exit', () => { process.stdout.write(JSON.stringify({trace: trace}) + '\n'); });
setTimeout(() => { rec('TIMEOUT'); process.exit(0); }, %(deadline)d).unref();
"""


class Trace:
    """One side's trace on the Python side."""

    def __init__(self) -> None:
        self.entries: List[List[Any]] = []

    def rec(self, *args: Any) -> None:
        self.entries.append([norm(a) for a in args])

    def watch(self, emitter: Any, name: str, events: List[str]) -> None:
        for event in events:
            emitter.on(event, (lambda e: lambda *a: self.rec(name, e, *a))(event))


def norm(x: Any) -> Any:
    """The Python twin of the prelude's ``norm``."""
    from nodenet.errors import AggregateError
    if x is None:
        return None
    if isinstance(x, AggregateError):
        return {"code": x.code, "message": str(x)}
    if isinstance(x, BaseException):
        code = getattr(x, "code", None)
        message: Optional[str] = str(x)
        if isinstance(code, str) and (code.startswith("ERR_SSL_") or code.startswith("ERR_OSSL_")):
            message = None
        return {"code": code or None, "message": message}
    if isinstance(x, (bytes, bytearray, memoryview)):
        return "buf:" + bytes(x).decode("latin-1")
    if isinstance(x, (net.Socket, net.Server)):
        return type(x).__name__
    if isinstance(x, dict):
        return {_camel(k): norm(v) for k, v in sorted(x.items(), key=lambda kv: _camel(kv[0]))}
    if isinstance(x, (list, tuple)):
        return [norm(v) for v in x]
    if callable(x):
        return "function"
    return x


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w.capitalize() for w in rest)


class NodeSide:
    """A node process running one side of a scenario."""

    def __init__(self, node: str, body: str, certs_dir: str, port: int = 0,
                 deadline_ms: int = 8000) -> None:
        script = JS_PRELUDE % {"deadline": deadline_ms, "hint": _SYSTEM_CA_HINT} \
            + textwrap.dedent(body)
        env = dict(os.environ, NODENET_CERTS=certs_dir, NODENET_PORT=str(port))
        env.pop("NODE_OPTIONS", None)
        self.proc = subprocess.Popen([node, "-e", script], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=env)
        self.deadline = deadline_ms / 1000 + 15
        self.port: Optional[int] = None
        self.trace: Optional[List[Any]] = None
        self._lines: List[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._got_port = threading.Event()
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                data = json.loads(line)
            except ValueError:
                self._lines.append(line)
                continue
            if "port" in data:
                self.port = data["port"]
                self._got_port.set()
            elif "trace" in data:
                self.trace = data["trace"]
        self._got_port.set()

    def wait_port(self) -> int:
        if not self._got_port.wait(self.deadline):
            self.kill()
            raise AssertionError("node never announced its port")
        if self.port is None:
            self.kill()
            raise AssertionError("node exited without listening: " + "\n".join(self._lines))
        return self.port

    def finish(self) -> List[Any]:
        try:
            self.proc.wait(timeout=self.deadline)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("node did not finish") from None
        self._reader.join(5)
        self.proc.stdout.close()  # type: ignore[union-attr]
        if self.trace is None:
            raise AssertionError("node left no trace: " + "\n".join(self._lines))
        return self.trace

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


ServerPy = Callable[[Trace, Callable[[int], None]], None]
ClientPy = Callable[[Trace, int], None]


class Scenario:
    """The four runs of one scenario; ``check()`` compares them."""

    def __init__(self, certs: Any, server_js: str, client_js: str, server_py: ServerPy,
                 client_py: ClientPy, node: Optional[str] = None, timeout: float = 15.0) -> None:
        self.certs = certs
        self.server_js = server_js
        self.client_js = client_js
        self.server_py = server_py
        self.client_py = client_py
        self.node = node or nodes.current()
        self.timeout = timeout

    def node_node(self) -> Tuple[List[Any], List[Any]]:
        assert self.node is not None
        server = NodeSide(self.node, self.server_js, self.certs.directory)
        try:
            port = server.wait_port()
            client = NodeSide(self.node, self.client_js, self.certs.directory, port)
            client_trace = client.finish()
        except BaseException:
            server.kill()
            raise
        return server.finish(), client_trace

    def py_py(self) -> Tuple[List[Any], List[Any]]:
        ts, tc = Trace(), Trace()
        run(lambda: self.server_py(ts, lambda port: self.client_py(tc, port)),
            timeout=self.timeout)
        return ts.entries, tc.entries

    def node_server(self) -> Tuple[List[Any], List[Any]]:
        assert self.node is not None
        server = NodeSide(self.node, self.server_js, self.certs.directory)
        tc = Trace()
        try:
            port = server.wait_port()
            run(lambda: self.client_py(tc, port), timeout=self.timeout)
        except BaseException:
            server.kill()
            raise
        return server.finish(), tc.entries

    def node_client(self) -> Tuple[List[Any], List[Any]]:
        assert self.node is not None
        ts = Trace()
        sides: List[NodeSide] = []

        def ready(port: int) -> None:
            sides.append(NodeSide(self.node, self.client_js,  # type: ignore[arg-type]
                                  self.certs.directory, port))

        try:
            run(lambda: self.server_py(ts, ready), timeout=self.timeout)
        except BaseException:
            for side in sides:
                side.kill()
            raise
        assert sides, "the server never became ready"
        return ts.entries, sides[0].finish()

    def check(self, runs: Tuple[str, ...] = ("py_py", "node_server", "node_client")) -> None:
        expected_server, expected_client = self.node_node()
        problems = []
        for name in runs:
            got_server, got_client = getattr(self, name)()
            if got_server != expected_server:
                problems.append(f"{name}: server side differs\n"
                                + side_by_side(expected_server, got_server))
            if got_client != expected_client:
                problems.append(f"{name}: client side differs\n"
                                + side_by_side(expected_client, got_client))
        if problems:
            raise AssertionError("\n\n".join(problems))


def side_by_side(expected: List[Any], got: List[Any]) -> str:
    """Two traces line by line (node || nodenet), differing lines marked ``!!``."""
    lines = []
    for i in range(max(len(expected), len(got))):
        a = expected[i] if i < len(expected) else None
        b = got[i] if i < len(got) else None
        mark = "   " if a == b else "!! "
        lines.append(f"{mark}{json.dumps(a, default=repr)}   ||   {json.dumps(b, default=repr)}")
    return "\n".join(lines)


def pem_reader(certs: Any) -> Tuple[Callable[[str], str], Callable[[str], str]]:
    """``pem(name)`` and ``key(name)`` for the Python side."""
    return (lambda name: certs.pems[name]), (lambda name: certs.pems[name + "_key"])
