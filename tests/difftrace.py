"""Differential tracing: run one scenario in Node and in nodenet, compare the traces.

A scenario is written twice, side by side: a JavaScript body for ``node`` and a
Python function for nodenet. Both call ``rec(...)`` to append a trace entry and
``watch(emitter, name, events)`` to record events; values are normalised the
same way on both sides (errors become ``{code, message}``, buffers become
``'buf:<latin1>'``, ``undefined``/``None`` become ``null``). Ports are replaced
by ``P1``, ``P2``... in order of ``port(...)`` registration, so traces compare
exactly. Node is run with a hard timeout. Each scenario runs once per Node
version (tests/nodes.py: Node 26, the reference, and Node 20), skipped when that
binary is missing.
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from typing import Any, Callable, Dict, List, Optional

import nodenet as net
import nodes
from support import run

JS_PRELUDE = r"""
'use strict';
const net = require('net');
const trace = [];
const ports = [];
function norm(x) {
  if (x === undefined || x === null) return null;
  if (x instanceof AggregateError) return {aggregate: x.code || null, errors: x.errors.map(norm)};
  if (x instanceof Error) return {code: x.code || null, message: x.message};
  if (Buffer.isBuffer(x)) return 'buf:' + x.toString('latin1');
  if (typeof x === 'object' && !Array.isArray(x)) {
    const o = {};
    for (const k of Object.keys(x).sort()) o[k] = norm(x[k]);
    return o;
  }
  if (Array.isArray(x)) return x.map(norm);
  return x;
}
function rec(...a) { trace.push(a.map(norm)); }
function watch(em, name, events) {
  for (const e of events) em.on(e, (...a) => rec(name, e, ...a));
}
function port(p) { if (!ports.includes(p)) ports.push(p); return p; }
// fn() once pred() holds (checked every ms): what a scenario waits on instead of
// a timer a loaded machine can outrun
function when(pred, fn) {
  const check = () => { if (pred()) fn(); else setTimeout(check, 1); };
  check();
}
// fn() once sock has read n bytes in all (never if it is destroyed first)
function whenRead(sock, n, fn) {
  when(() => sock.destroyed || sock.bytesRead >= n, () => { if (!sock.destroyed) fn(); });
}
function sub(x) {
  if (typeof x === 'number' && ports.includes(x)) return 'P' + (ports.indexOf(x) + 1);
  if (typeof x === 'string') {
    ports.forEach((p, i) => { x = x.split(String(p)).join('P' + (i + 1)); });
    return x;
  }
  if (Array.isArray(x)) return x.map(sub);
  if (x && typeof x === 'object') { const o = {}; for (const k of Object.keys(x)) o[k] = sub(x[k]); return o; }
  return x;
}
// writeSync: at 'exit' an asynchronous write to a pipe is cut at 64 KiB
process.on('exit', () => { require('fs').writeSync(1, JSON.stringify(sub(trace))); });
setTimeout(() => { rec('TIMEOUT'); process.exit(0); }, %(deadline)d).unref();
"""


class Trace:
    """The Python side of a scenario: ``rec``, ``watch`` and ``port``."""

    def __init__(self) -> None:
        self.entries: List[List[Any]] = []
        self.ports: List[int] = []
        self.pair_client: Any = None      # diffpair.py's client socket

    def rec(self, *args: Any) -> None:
        self.entries.append([norm(a) for a in args])

    def watch(self, emitter: Any, name: str, events: List[str]) -> None:
        for event in events:
            emitter.on(event, (lambda e: lambda *a: self.rec(name, e, *a))(event))

    def port(self, p: int) -> int:
        if p not in self.ports:
            self.ports.append(p)
        return p

    def result(self) -> Any:
        return self._sub(self.entries)

    def _sub(self, x: Any) -> Any:
        if isinstance(x, int) and not isinstance(x, bool) and x in self.ports:
            return f"P{self.ports.index(x) + 1}"
        if isinstance(x, str):
            for i, p in enumerate(self.ports):
                x = x.replace(str(p), f"P{i + 1}")
            return x
        if isinstance(x, list):
            return [self._sub(v) for v in x]
        if isinstance(x, dict):
            return {k: self._sub(v) for k, v in x.items()}
        return x


def when(pred: Callable[[], Any], fn: Callable[[], Any]) -> None:
    """``fn()`` once ``pred()`` holds (checked every ms): JS_PRELUDE's ``when``."""
    def check() -> None:
        if pred():
            fn()
        else:
            net.set_timeout(check, 1)
    check()


def when_read(sock: Any, n: int, fn: Callable[[], Any]) -> None:
    """``fn()`` once ``sock`` has read ``n`` bytes in all (never if it is destroyed
    first): JS_PRELUDE's ``whenRead``."""
    when(lambda: sock.destroyed or sock.bytes_read >= n,
         lambda: None if sock.destroyed else fn())


def norm(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, net.errors.AggregateError):
        return {"aggregate": x.code or None, "errors": [norm(e) for e in x.errors]}
    if isinstance(x, BaseException):
        return {"code": getattr(x, "code", None) or None, "message": str(x)}
    if isinstance(x, (bytes, bytearray, memoryview)):
        return "buf:" + bytes(x).decode("latin-1")
    if isinstance(x, dict):
        return {_camel(k): norm(v) for k, v in sorted(x.items(), key=lambda kv: _camel(kv[0]))}
    if isinstance(x, (list, tuple)):
        return [norm(v) for v in x]
    return x


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w.capitalize() for w in rest)


def run_node(body: str, deadline_ms: int = 5000) -> Any:
    """Run ``body`` under the current test's node with the prelude; the normalised trace."""
    script = JS_PRELUDE % {"deadline": deadline_ms} + textwrap.dedent(body)
    proc = subprocess.run([nodes.current(), "-e", script], capture_output=True, text=True,
                          timeout=deadline_ms / 1000 + 10)
    if proc.returncode != 0 and not proc.stdout:
        raise AssertionError(f"node failed: {proc.stderr}")
    return json.loads(proc.stdout)


def run_python(scenario: Callable[[Trace], None], timeout: float = 10.0) -> Any:
    """Run the Python side on the loop thread until the loop empties."""
    t = Trace()
    run(lambda: scenario(t), timeout=timeout)
    return t.result()


def check(js: str, py: Callable[[Trace], None]) -> None:
    """Run both sides and compare the normalised traces."""
    expected = run_node(js)
    got = run_python(py)
    if got != expected:
        raise AssertionError(f"traces differ (node {nodes.current_major()} || nodenet):\n"
                             + side_by_side(expected, got))


def side_by_side(expected: List[Any], got: List[Any]) -> str:
    """The two traces line by line, differing lines marked with ``!!``."""
    lines = []
    for i in range(max(len(expected), len(got))):
        a = expected[i] if i < len(expected) else None
        b = got[i] if i < len(got) else None
        mark = "   " if a == b else "!! "
        lines.append(f"{mark}{json.dumps(a, default=repr)}   ||   {json.dumps(b, default=repr)}")
    return "\n".join(lines)


def camel_keys(value: Any) -> Any:
    """Deep copy with snake_case dict keys turned into Node's camelCase."""
    return norm(value)


_PORT = re.compile(r"P\d+")
