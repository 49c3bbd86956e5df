"""Random differential scenarios: one loopback TCP pair, a seeded chain of steps.

``generate(seed)`` makes a scenario: the pair's options (``allowHalfOpen`` on
each side, ``pauseOnConnect``, a small client ``highWaterMark``) and 3-8 steps,
each an operation on the server-side or the client socket (writes of strings,
Buffers and encoded strings, empty writes, cork/uncork, end with or without data
or callback, destroy with or without an error, destroySoon, resetAndDestroy,
pause/resume, setEncoding, a 'readable' reader, read(0), setNoDelay,
setKeepAlive, ref/unref, setTimeout). Every step is triggered by an event the
step before it caused -- never by a timer racing I/O -- so the scenario is ONE
causal chain and its outcome does not depend on scheduling:

* step 0 runs in the server's ``'connection'`` listener, at the client's
  ``'connect'``, or right after ``connect()`` (then step 1 runs at the client's
  ``'connect'``, or its ``'close'`` if that comes first);
* a step on the same side as the previous one runs in a ``setImmediate`` after
  it, or in the callback of the previous step's write;
* a step on the other side runs in the ``'data'`` event with which that side
  has read every byte the previous side wrote (or at its ``'close'`` if it is
  destroyed first), or at its first ``'end'`` / ``'close'`` after the previous
  side ended or destroyed its socket.

After the last step the chain winds down on its own: both sockets resume, a
half-open socket ends when its peer has, and the last side ends (unless its last
step was ``setTimeout``, whose ``'timeout'`` destroys it).

The scenario is rendered as JavaScript for ``node`` (:func:`to_js`) and run by
a Python interpreter of the same steps for nodenet (:func:`py_scenario`). Each
side records its events, the steps it ran with their return values and its
state after each, write and end callbacks and, at ``'close'``, its counters.
Traces are compared per side (cross-socket order is a race of the kernel, not
a defect), with consecutive ``'data'`` (or ``read()``) entries merged (chunking
is the kernel's too) and ports in error messages masked. nodenet's trace is
taken when its loop stops being alive, the moment Node would exit.

A few seeds remain a race in Node itself (e.g. a client reset right at its
``'connect'``, before the server accepted): the CLI runs Node twice and drops a
seed whose two traces differ.

``generate(seed, pipes=True)`` and ``generate(seed, more=True)`` (the CLI's
``--pipes`` and ``--more``) turn some operations into ones of two further
families, each drawn from a random generator of its own: ``pipe()``/``unpipe()``,
and ``read(n)``, ``unshift()``, ``setTimeout`` callbacks, ``end()`` twice,
``write()``/``destroy()`` after ``end()``, ``end()`` after ``destroy()``,
``setDefaultEncoding()``,
``server.getConnections()`` and ``server.close()`` (see :func:`generate`).
``generate(seed, unix=True)`` (``--unix``) runs the same scenario over a
Unix-domain socket instead (``listen(path)``, ``connect({path})``): each side
also records its addresses at the connection, the path masked as ``PATH``, and
``resetAndDestroy()`` (which throws ``ERR_INVALID_HANDLE_TYPE`` on a pipe) is
followed by ``destroy()``.

CLI: ``python tests/diff/randscen.py --seeds 0:300 [--pipes] [--more] [--unix]`` prints
the seeds whose traces differ from Node 26's, side by side.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

if __name__ == "__main__":      # the CLI: the same imports as under pytest
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nodenet as net  # noqa: E402
from nodenet.stream import Writable  # noqa: E402
from difftrace import Trace, run_node, side_by_side  # noqa: E402

EVENTS = ["connect", "ready", "data", "end", "finish", "close", "error", "timeout", "drain"]
SERVER_EVENTS = ["data", "end", "finish", "close", "error", "timeout", "drain"]
OTHER = {"server": "client", "client": "server"}
ENDING = ("end", "end_cb", "end_data", "destroy_soon", "end_twice", "cork_end")
DESTROYING = ("destroy", "destroy_err", "reset", "write_after_end", "destroy_after_end",
              "write_destroy", "destroy_end_cb")
WRITING = ("write", "cork_write", "write_enc", "write_defenc", "write_big")
TIMED = ("timeout", "timeout_cb")    # a last step after which 'timeout' destroys the side
SERVER_ONLY = ("get_conns", "server_close")
MORE_OPS = ("read_n", "readable_n", "unshift", "timeout_long", "timeout_cancel", "timeout_cb",
            "end_twice", "cork_end", "write_big", "write_after_end", "destroy_after_end",
            "write_destroy", "destroy_end_cb", "write_defenc", "set_encoding_more") + SERVER_ONLY

Step = Dict[str, Any]
Scenario = Dict[str, Any]


# ----------------------------------------------------------------------------- generator

def _payload(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefxyz") for _ in range(rng.randint(1, 8)))


def generate(seed: int, pipes: bool = False, more: bool = False,
             unix: bool = False) -> Scenario:
    """The scenario of ``seed`` (a plain dict, JSON-printable).

    ``pipes``: some operations become ``pipe()`` of the socket into a recording
    sink, or ``unpipe()``, chosen with a second random generator so that the
    rest of each scenario is the same as without (the fixed seeds of
    test_diff_random.py keep their scenarios).

    ``more``: some operations become one of :func:`_more_op`'s (``read(n)``, a
    ``'readable'`` reader of ``read(n)``, ``unshift()``, ``setTimeout`` with a
    callback and its cancelling, ``end()`` twice, ``cork()`` then ``end(data)``,
    a 5-20 kB write, ``write()`` after ``end()``, ``destroy()`` after ``end()`` or
    right after a ``write()``, ``end(cb)`` after ``destroy()``,
    ``setDefaultEncoding``, ``setEncoding(null / latin1 / base64)``, and on the
    server side ``server.getConnections()`` and ``server.close()``), chosen with a
    third random generator, so neither other family changes.

    ``unix``: the same scenario over a Unix-domain socket (``listen(path)``,
    ``connect({path})``, a fresh path in a temporary directory) instead of
    loopback TCP; no random number is drawn for it. setNoDelay/setKeepAlive run
    all the same (no-ops on a pipe), and each side records its addresses at the
    connection (the path masked as ``PATH``)."""
    rng = random.Random(seed)
    pipe_rng = random.Random(seed * 7919 + 17) if pipes else None
    more_rng = random.Random(seed * 104729 + 71) if more else None
    readn = {"server": False, "client": False}  # a read(n>1) 'readable' reader: a
    # write may leave fewer than n bytes, and no 'data' then tells the wait
    n = rng.randint(3, 8)
    wrote = {"server": 0, "client": 0}         # bytes each side has sent so far
    gone = {"server": False, "client": False}  # ended or destroyed (no more sending)
    pause_on_connect = rng.random() < 0.2
    paused = {"server": pause_on_connect, "client": False}
    destroyed = {"server": False, "client": False}
    steps: List[Step] = []
    for i in range(n):
        prev = steps[-1] if steps else None
        if prev is None:
            side = rng.choice(["server", "client", "client"])
            trigger: Any = ("connection" if side == "server"
                            else rng.choice(["connect", "connecting"]))
        elif prev["trigger"] == "connecting":
            # the chain goes on at the connect (or the close of a socket the
            # first step destroyed): before it, nothing of the server exists
            side, trigger = "client", "connectorclose"
        else:
            pside = prev["side"]
            other = OTHER[pside]
            handover: Any = None
            if not paused[other] and not destroyed[other]:
                if (prev["op"][0] in WRITING and not gone[pside] and not readn[other]
                        and prev["trigger"] != "connecting"):
                    handover = ["read", wrote[pside]]
                elif prev["op"][0] in ENDING + DESTROYING:
                    handover = "endorclose"
            if handover is not None and rng.random() < 0.6:
                side, trigger = other, handover
            else:
                side = pside
                trigger = ("writecb" if prev["op"][0] == "write" and prev["op"][3]
                           and rng.random() < 0.5 else "immediate")
        op = _op(rng, last=(i == n - 1))
        while trigger == "connecting" and op[0] in DESTROYING:
            # whether the server accepts a connection destroyed while it was
            # being made is the kernel's race
            op = _op(rng, last=(i == n - 1))
        if pipe_rng is not None and op[0] != "timeout" and pipe_rng.random() < 0.3:
            op = ["pipe_sink"] if pipe_rng.random() < 0.7 else ["unpipe"]
        if more_rng is not None and op[0] != "timeout" and more_rng.random() < 0.35:
            op = _more_op(more_rng, side, last=(i == n - 1),
                          connecting=(trigger == "connecting"), paused=paused[side])
        name = op[0]
        if name in ("write", "end_data") and not gone[side]:
            wrote[side] += len(op[1])
        if name == "write_big" and not gone[side]:
            wrote[side] += op[1]
        if name in ("write_enc", "write_defenc") and not gone[side]:
            wrote[side] += len(_encoded(op[1], op[2]))
        if name in ("cork_write", "cork_end") and not gone[side]:
            wrote[side] += len(op[1]) + len(op[2])
        if name in ENDING + DESTROYING:
            gone[side] = True
        if name in DESTROYING + ("destroy_soon",):
            destroyed[side] = True
        if name == "pause":
            paused[side] = True
        if name in ("resume", "readable", "pipe_sink"):
            paused[side] = False     # pipe() resumes its source
        if name == "unpipe":
            paused[side] = True      # and unpipe() of the last pipe pauses it
        if name == "readable_n":
            paused[side] = False
            readn[side] = readn[side] or op[1] > 1
        steps.append({"side": side, "trigger": trigger, "op": op})
    sc = {"seed": seed, "server_half": rng.random() < 0.5,
          "client_half": rng.random() < 0.5, "pause_on_connect": pause_on_connect,
          "client_hwm": rng.choice([None, None, 0, 4]),
          "steps": steps}
    if unix:
        sc["unix"] = True    # (the key only then: TCP scenarios print as before)
    return sc


def _encoded(text: str, enc: str) -> bytes:
    if enc == "hex":
        return bytes.fromhex(text)
    if enc == "base64":
        return base64.b64decode(text)
    return text.encode("latin-1")


def _op(rng: random.Random, last: bool) -> List[Any]:
    r = rng.random()
    if r < 0.24:
        return ["write", _payload(rng), rng.choice(["str", "buf"]), rng.random() < 0.5]
    if r < 0.27:
        enc = rng.choice(["hex", "latin1", "base64"])
        raw = _payload(rng).encode()
        text = {"hex": raw.hex(), "latin1": "\u00e9" + raw.decode(),
                "base64": base64.b64encode(raw).decode()}[enc]
        return ["write_enc", text, enc]
    if r < 0.30:
        return ["end_cb"]
    if r < 0.38:
        return ["end"]
    if r < 0.44:
        return ["end_data", _payload(rng)]
    if r < 0.48:
        return ["destroy"]
    if r < 0.51:
        return ["destroy_err"]
    if r < 0.54:
        return ["destroy_soon"]
    if r < 0.57:
        return ["reset"]
    if r < 0.63:
        return ["pause"]
    if r < 0.68:
        return ["resume"]
    if r < 0.74:
        return ["set_encoding", rng.choice(["utf8", "hex"])]
    if r < 0.80:
        return ["cork_write", _payload(rng), _payload(rng)]
    if r < 0.84:
        return ["nodelay", rng.random() < 0.5]
    if r < 0.88:
        return ["keepalive", rng.random() < 0.5, rng.choice([0, 1000])]
    if r < 0.91:
        return ["unref"]
    if r < 0.94:
        return ["ref"]
    if last and rng.random() < 0.5:
        return ["timeout", rng.choice([10, 30])]
    return rng.choice([["write_empty", rng.choice(["str", "buf"])], ["readable"], ["read0"],
                       ["timeout0"]])


def _more_op(rng: random.Random, side: str, last: bool, connecting: bool,
             paused: bool) -> List[Any]:
    """An operation of the ``more`` family (see :func:`generate`)."""
    if paused and rng.random() < 0.5:
        # where the buffer keeps what unshift() puts back, for read(n) to take
        if rng.random() < 0.5:
            return ["read_n", rng.choice([1, 3, 100])]
        return ["unshift", _payload(rng), rng.choice(["str", "buf"])]
    r = rng.random()
    if side == "server" and r < 0.16:
        return ["get_conns"] if r < 0.08 else ["server_close"]
    r = rng.random()
    if last and r < 0.1:
        return ["timeout_cb", rng.choice([10, 30])]
    r = rng.random()
    if r < 0.11:
        return ["read_n", rng.choice([1, 3, 100])]
    if r < 0.19:
        return ["readable_n", rng.choice([1, 3, 100])]
    if r < 0.30:
        return ["unshift", _payload(rng), rng.choice(["str", "buf"])]
    if r < 0.36:
        return ["timeout_long"]
    if r < 0.42:
        return ["timeout_cancel"]
    if r < 0.48:
        return ["end_twice"]
    if r < 0.54:
        return ["cork_end", _payload(rng), _payload(rng)]
    if r < 0.60:
        return ["write_big", rng.choice([5000, 20000])]  # (a trace over 64 KiB is cut off)
    if r < 0.78 and not connecting:
        # (a destroy while connecting: whether the server accepts is a race)
        if r < 0.64:
            return ["write_after_end", _payload(rng)]
        if r < 0.69:
            return ["destroy_after_end"]
        if r < 0.74:
            return ["write_destroy", _payload(rng)]
        return ["destroy_end_cb"]
    if r < 0.90:
        enc = rng.choice(["hex", "latin1", "base64"])
        raw = _payload(rng).encode()
        text = {"hex": raw.hex(), "latin1": "\u00e9" + raw.decode(),
                "base64": base64.b64encode(raw).decode()}[enc]
        return ["write_defenc", text, enc]
    return ["set_encoding_more", rng.choice([None, "latin1", "base64"])]


# ----------------------------------------------------------------------------- JavaScript

def _js_op(i: int, side: str, op: List[Any], then: str, unix: bool = False) -> str:
    """JS of step ``i``'s operation; ``then`` is the next step's call (for a write's
    callback), or ''. ``unix``: resetAndDestroy() throws ERR_INVALID_HANDLE_TYPE on
    a pipe (recorded), then destroy() keeps the chain going."""
    s = f"S.{side}"
    name = op[0]
    tag = f"rec('{side}', 'step', {i}, '{name}'"
    if name == "write":
        data = json.dumps(op[1]) if op[2] == "str" else f"Buffer.from({json.dumps(op[1])})"
        if op[3]:
            cb = f"(e) => {{ rec('{side}', 'wcb', {i}, e); {then} }}"
            return f"{tag}, {s}.write({data}, {cb}));"
        return f"{tag}, {s}.write({data}));"
    if name == "write_enc":
        return f"{tag}, {s}.write({json.dumps(op[1])}, '{op[2]}'));"
    if name == "end_cb":
        return f"{tag}); {s}.end((e) => rec('{side}', 'endcb', {i}, e));"
    if name == "end":
        return f"{tag}); {s}.end();"
    if name == "end_data":
        return f"{tag}); {s}.end({json.dumps(op[1])});"
    if name == "destroy":
        return f"{tag}); {s}.destroy();"
    if name == "destroy_err":
        return (f"{tag}); {{ const e = new Error('boom'); e.code = 'EBOOM'; "
                f"{s}.destroy(e); }}")
    if name == "destroy_soon":
        return f"{tag}); {s}.destroySoon();"
    if name == "reset":
        if unix:
            return (f"{tag}); try {{ {s}.resetAndDestroy(); }} catch (e) {{ "
                    f"rec('{side}', 'throw', {i}, e); {s}.destroy(); }}")
        return f"{tag}); {s}.resetAndDestroy();"
    if name == "pause":
        return f"{tag}); {s}.pause();"
    if name == "resume":
        return f"{tag}); {s}.resume();"
    if name == "set_encoding":
        return f"{tag}); {s}.setEncoding('{op[1]}');"
    if name == "cork_write":
        return (f"{tag}); {s}.cork(); {s}.write({json.dumps(op[1])}); "
                f"{s}.write({json.dumps(op[2])}); process.nextTick(() => {s}.uncork());")
    if name == "nodelay":
        return f"{tag}); {s}.setNoDelay({json.dumps(op[1])});"
    if name == "keepalive":
        return f"{tag}); {s}.setKeepAlive({json.dumps(op[1])}, {op[2]});"
    if name == "unref":
        return f"{tag}); {s}.unref();"
    if name == "ref":
        return f"{tag}); {s}.ref();"
    if name == "write_empty":
        data = "''" if op[1] == "str" else "Buffer.alloc(0)"
        return f"{tag}, {s}.write({data}, (e) => rec('{side}', 'wcb', {i}, e)));"
    if name == "readable":
        return (f"{tag}); {s}.on('readable', () => {{ let d; "
                f"while ((d = {s}.read()) !== null) rec('{side}', 'read', d); }});")
    if name == "read0":
        return f"{tag}, {s}.read(0));"
    if name == "timeout0":
        return f"{tag}); {s}.setTimeout(0);"
    if name == "pipe_sink":
        return f"{tag}); {s}.pipe(sink('{side}', {s})); counts('{side}', {s});"
    if name == "unpipe":
        return f"{tag}); {s}.unpipe(); counts('{side}', {s});"
    if name == "timeout":
        return (f"{tag}); {s}.setTimeout({op[1]}); "
                f"{s}.on('timeout', () => {{ rec('{side}', 'in timeout'); {s}.destroy(); }});")
    # the ``more`` family
    if name == "read_n":
        return f"{tag}, {s}.read({op[1]}));"
    if name == "readable_n":
        return (f"{tag}); {s}.on('readable', () => {{ let d; "
                f"while ((d = {s}.read({op[1]})) !== null) rec('{side}', 'read', d); }});")
    if name == "unshift":
        data = json.dumps(op[1]) if op[2] == "str" else f"Buffer.from({json.dumps(op[1])})"
        return f"{tag}, {s}.unshift({data}));"
    if name in ("timeout_long", "timeout_cancel"):
        ms = 60000 if name == "timeout_long" else 0
        return (f"{s}.setTimeout({ms}, tcb('{side}')); "
                f"{tag}, [{s}.timeout, {s}.listenerCount('timeout')]);")
    if name == "timeout_cb":
        return (f"{tag}); {s}.setTimeout({op[1]}, () => {{ rec('{side}', 'in timeout cb'); "
                f"{s}.destroy(); }});")
    if name == "end_twice":
        return (f"{tag}); {s}.end((e) => rec('{side}', 'endcb', {i}, e)); "
                f"{s}.end((e) => rec('{side}', 'endcb2', {i}, e));")
    if name == "write_after_end":
        return (f"{s}.end(); {tag}, {s}.write({json.dumps(op[1])}, "
                f"(e) => rec('{side}', 'wcb', {i}, e)));")
    if name == "destroy_after_end":
        return f"{tag}); {s}.end(); {s}.destroy();"
    if name == "cork_end":
        return (f"{tag}); {s}.cork(); {s}.write({json.dumps(op[1])}); "
                f"{s}.end({json.dumps(op[2])});")
    if name == "write_big":
        return (f"{tag}, {s}.write(Buffer.alloc({op[1]}, 'q'), "
                f"(e) => rec('{side}', 'wcb', {i}, e)));")
    if name == "write_destroy":
        return (f"{tag}, {s}.write({json.dumps(op[1])}, (e) => rec('{side}', 'wcb', {i}, e))); "
                f"{s}.destroy();")
    if name == "destroy_end_cb":
        return f"{tag}); {s}.destroy(); {s}.end((e) => rec('{side}', 'endcb', {i}, e));"
    if name == "write_defenc":
        return (f"{s}.setDefaultEncoding('{op[2]}'); {tag}, {s}.write({json.dumps(op[1])})); "
                f"{s}.setDefaultEncoding('utf8');")
    if name == "set_encoding_more":
        return f"{s}.setEncoding({json.dumps(op[1])}); {tag}, {s}.readableEncoding);"
    if name == "get_conns":
        return (f"{tag}); srv.getConnections((e, n) => "
                f"rec('{side}', 'connections', {i}, e, n));")
    if name == "server_close":
        return (f"{tag}); srv.close((e) => rec('{side}', 'server close cb', {i}, e)); "
                f"srv.on('close', () => rec('{side}', 'server close', {i}));")
    raise ValueError(name)


def to_js(sc: Scenario) -> str:
    """The scenario as a Node script body (difftrace's prelude supplies rec/watch)."""
    steps = sc["steps"]
    out = [
        "const S = {};",
        "const waiting = [];  // hand-overs to a server-side socket not accepted yet",
        "function onSide(name, fn) { if (S[name]) fn(); else waiting.push(fn); }",
        "function state(name, s) {",
        "  rec(name, 'state', s.bytesRead, s.bytesWritten, s.destroyed, s.readyState,",
        "      s.writableEnded, s.writableFinished, s.readableEnded, s.pending);",
        "}",
        "function readOrGone(s, n, fn) {",
        "  let done = false;",
        "  const go = () => {",
        "    if (done) return;",
        "    done = true; s.off('data', check); s.off('close', go); fn();",
        "  };",
        "  const check = () => { if (s.bytesRead >= n) go(); };",
        "  if (s.destroyed) setImmediate(go);",
        "  else { s.on('data', check); s.on('close', go); }",
        "}",
        "function after(name, s) {",
        "  rec(name, 'after', s.readyState, s.bytesWritten, s.writableLength, s.pending,",
        "      s.readableLength, s.isPaused(), s.writableNeedDrain,",
        "      s.connecting, s.readableFlowing, s.writableEnded, s.destroyed);",
        "}",
        "const sinks = {};",
        "function counts(side, s) {  // the listeners pipe() adds and removes",
        "  const k = sinks[side];",
        "  rec(side, 'listeners', ['data', 'end', 'close', 'error'].map((e) => s.listenerCount(e)),",
        "      k ? ['unpipe', 'error', 'close', 'finish', 'drain'].map((e) => k.listenerCount(e))",
        "        : null);",
        "}",
        "function sink(side, s) {  // pipe()'s destination: records what it is given",
        "  const k = new (require('stream').Writable)({",
        "    write(chunk, enc, cb) { rec(side, 'sink', chunk.length); cb(); } });",
        "  sinks[side] = k;",
        "  for (const e of ['pipe', 'unpipe', 'finish', 'close', 'error'])",
        "    k.on(e, () => { rec(side, 'sink ' + e, k.writableEnded, k.destroyed);",
        "                    counts(side, s); });",
        "  return k;",
        "}",
        "function connectOrClose(s, fn) {",
        "  let done = false;",
        "  const once = () => { if (!done) { done = true; fn(); } };",
        "  s.once('connect', once); s.once('close', once);",
        "}",
        "function endOrClose(s, fn) {",
        "  if (s.destroyed || s.readableEnded) { setImmediate(fn); return; }",
        "  let done = false;",
        "  const once = () => { if (!done) { done = true; fn(); } };",
        "  s.once('end', once); s.once('close', once);",
        "}",
        "function windDown(side, timedOut) {",
        "  for (const s of [S.server, S.client]) {",
        "    if (s.readableEnded) { if (!s.writableEnded && !s.destroyed) s.end(); }",
        "    else s.on('end', () => { if (!s.writableEnded && !s.destroyed) s.end(); });",
        "    s.resume();",
        "  }",
        "  const x = S[side];",
        "  if (!timedOut && !x.destroyed && !x.writableEnded) x.end();",
        "}",
    ]
    if any(st["op"][0] in ("timeout_long", "timeout_cancel") for st in steps):
        out += ["const tcbs = {};  // one setTimeout callback a side (to cancel it by)",
                "function tcb(side) { return tcbs[side] ||= () => rec(side, 'tcb'); }"]
    for i, st in enumerate(steps):
        side = st["side"]
        nxt = steps[i + 1] if i + 1 < len(steps) else None
        if nxt is None:
            timed = "true" if st["op"][0] in TIMED else "false"
            then_call = (f"setImmediate(() => onSide('server', "
                         f"() => windDown('{side}', {timed})));")
        else:
            then_call = f"step{i + 1}();"
        body = [_js_op(i, side, st["op"], then_call if nxt is not None
                       and nxt["trigger"] == "writecb" else "", bool(sc.get("unix"))),
                f"after('{side}', S.{side});"]
        if nxt is None:
            body.append(then_call)
        elif nxt["trigger"] == "immediate":
            body.append(f"setImmediate(step{i + 1});")
        elif nxt["trigger"] == "endorclose":
            body.append(f"onSide('{nxt['side']}', () => endOrClose(S.{nxt['side']}, "
                        f"step{i + 1}));")
        elif nxt["trigger"] == "connectorclose":
            body.append(f"connectOrClose(S.client, step{i + 1});")
        elif isinstance(nxt["trigger"], list):
            body.append(f"onSide('{nxt['side']}', () => readOrGone(S.{nxt['side']}, "
                        f"{nxt['trigger'][1]}, step{i + 1}));")
        out.append(f"function step{i}() {{ " + " ".join(body) + " }")
    first = steps[0]
    if sc.get("unix"):
        return "\n".join(out) + _JS_UNIX % _js_fill(sc)
    server_go = "step0();" if first["trigger"] == "connection" else ""
    client_go = {"connect": "c.on('connect', step0);", "connecting": "step0();"}.get(
        first["trigger"], "")
    out.append("""
const srv = net.createServer({allowHalfOpen: %(sh)s, pauseOnConnect: %(poc)s}, (c) => {
  S.server = c;
  watch(c, 'server', %(sev)s);
  c.on('close', () => { state('server', c); srv.close(); });
  for (const fn of waiting.splice(0)) fn();
  %(server_go)s
});
srv.listen(0, '127.0.0.1', () => {
  const c = net.connect({port: srv.address().port, host: '127.0.0.1',
                         allowHalfOpen: %(ch)s%(hwm)s});
  S.client = c;  // (no port(): a port number would be masked in the data too)
  watch(c, 'client', %(cev)s);
  c.on('close', () => state('client', c));
  %(client_go)s
});
""" % {"sh": json.dumps(sc["server_half"]),
       "poc": json.dumps(sc.get("pause_on_connect", False)),
       "hwm": ("" if sc.get("client_hwm") is None
               else ", highWaterMark: %d" % sc["client_hwm"]), "ch": json.dumps(sc["client_half"]),
       "sev": json.dumps(SERVER_EVENTS), "cev": json.dumps(EVENTS),
       "server_go": server_go, "client_go": client_go})
    return "\n".join(out)


def _js_fill(sc: Scenario) -> Dict[str, str]:
    first = sc["steps"][0]
    return {"sh": json.dumps(sc["server_half"]),
            "poc": json.dumps(sc.get("pause_on_connect", False)),
            "hwm": ("" if sc.get("client_hwm") is None
                    else ", highWaterMark: %d" % sc["client_hwm"]),
            "ch": json.dumps(sc["client_half"]),
            "sev": json.dumps(SERVER_EVENTS), "cev": json.dumps(EVENTS),
            "server_go": "step0();" if first["trigger"] == "connection" else "",
            "client_go": {"connect": "c.on('connect', step0);", "connecting": "step0();"}.get(
                first["trigger"], "")}


# The end of a ``unix`` scenario's script: a Unix-domain pair on a fresh path
# (its directory removed at exit), each side's addresses recorded at connection.
_JS_UNIX = """
const sockDir = require('fs').mkdtempSync(require('path').join(require('os').tmpdir(),
                                                               'randscen-'));
const sockPath = require('path').join(sockDir, 's.sock');
process.on('exit', () => require('fs').rmSync(sockDir, {recursive: true, force: true}));
function addrs(name, s) {
  rec(name, 'addrs', s.remoteAddress, s.remoteFamily, s.remotePort, s.localAddress,
      s.localPort, s.address());
}
const srv = net.createServer({allowHalfOpen: %(sh)s, pauseOnConnect: %(poc)s}, (c) => {
  S.server = c;
  watch(c, 'server', %(sev)s);
  addrs('server', c);
  c.on('close', () => { state('server', c); srv.close(); });
  for (const fn of waiting.splice(0)) fn();
  %(server_go)s
});
srv.listen(sockPath, () => {
  rec('server', 'listening', srv.address());
  const c = net.connect({path: sockPath, allowHalfOpen: %(ch)s%(hwm)s});
  S.client = c;
  watch(c, 'client', %(cev)s);
  c.on('connect', () => addrs('client', c));
  c.on('close', () => state('client', c));
  %(client_go)s
});
"""


# ----------------------------------------------------------------------------- Python

class _Boom(Exception):
    code = "EBOOM"


class _Sink(Writable):
    """pipe()'s destination: records each chunk's length."""

    def __init__(self, t: Trace, side: str) -> None:
        super().__init__()
        self._t, self._side = t, side

    def _write(self, chunk: bytes, callback: Callable[..., Any]) -> None:
        self._t.rec(self._side, "sink", len(chunk))
        callback()


def _counts(t: Trace, side: str, s: Any, sinks: Dict[str, Any]) -> None:
    """The listeners pipe() adds and removes, on the socket and on the last sink."""
    k = sinks.get(side)
    t.rec(side, "listeners", [s.listener_count(e) for e in ("data", "end", "close", "error")],
          None if k is None else [k.listener_count(e)
                                  for e in ("unpipe", "error", "close", "finish", "drain")])


def _sink(t: Trace, side: str, s: Any, sinks: Dict[str, Any]) -> _Sink:
    k = _Sink(t, side)
    sinks[side] = k

    def recorder(event: str) -> Callable[..., None]:
        def record(*_a: Any) -> None:
            t.rec(side, "sink " + event, k.writable_ended, k.destroyed)
            _counts(t, side, s, sinks)
        return record
    for event in ("pipe", "unpipe", "finish", "close", "error"):
        k.on(event, recorder(event))
    return k


def py_scenario(sc: Scenario, path: Optional[str] = None) -> Callable[[Trace], None]:
    """The scenario as a function of a Trace, run on nodenet's loop thread
    (``path``: a ``unix`` scenario's socket path)."""
    steps = sc["steps"]
    unix = bool(sc.get("unix"))
    if unix and path is None:
        raise ValueError("a unix scenario needs a socket path")

    def scenario(t: Trace) -> None:
        S: Dict[str, Any] = {}
        sinks: Dict[str, Any] = {}
        tcbs: Dict[str, Callable[..., None]] = {}

        def tcb(side: str) -> Callable[..., None]:
            """One setTimeout callback a side (to cancel it by)."""
            if side not in tcbs:
                tcbs[side] = lambda *_a: t.rec(side, "tcb")
            return tcbs[side]
        waiting: List[Callable[[], None]] = []

        def on_side(name: str, fn: Callable[[], None]) -> None:
            if name in S:
                fn()
            else:
                waiting.append(fn)

        def state(name: str, s: Any) -> None:
            t.rec(name, "state", s.bytes_read, s.bytes_written, s.destroyed, s.ready_state,
                  s.writable_ended, s.writable_finished, s.readable_ended, s.pending)

        def end_or_close(s: Any, fn: Callable[[], None]) -> None:
            if s.destroyed or s.readable_ended:
                net.set_immediate(fn)
                return
            done = [False]

            def once(*_a: Any) -> None:
                if not done[0]:
                    done[0] = True
                    fn()
            s.once("end", once)
            s.once("close", once)

        def read_or_gone(s: Any, n: int, fn: Callable[[], None]) -> None:
            done = [False]

            def go(*_a: Any) -> None:
                if done[0]:
                    return
                done[0] = True
                s.remove_listener("data", check)
                s.remove_listener("close", go)
                fn()

            def check(*_a: Any) -> None:
                if s.bytes_read >= n:
                    go()
            if s.destroyed:
                net.set_immediate(go)
            else:
                s.on("data", check)
                s.on("close", go)

        def wind_down(side: str, timed_out: bool) -> None:
            for s in (S["server"], S["client"]):
                if s.readable_ended:
                    if not s.writable_ended and not s.destroyed:
                        s.end()
                else:
                    s.on("end", (lambda s: lambda *a: None if s.writable_ended or s.destroyed
                                 else s.end())(s))
                s.resume()
            x = S[side]
            if not timed_out and not x.destroyed and not x.writable_ended:
                x.end()

        def run_step(i: int) -> None:
            st = steps[i]
            side, op = st["side"], st["op"]
            s = S[side]
            name = op[0]
            nxt = steps[i + 1] if i + 1 < len(steps) else None

            def then() -> None:
                if nxt is None:
                    timed = op[0] in TIMED
                    net.set_immediate(lambda: on_side("server",
                                                      lambda: wind_down(side, timed)))
                else:
                    run_step(i + 1)

            if name == "write":
                data = op[1] if op[2] == "str" else op[1].encode()
                if op[3]:
                    def wcb(*e: Any) -> None:
                        t.rec(side, "wcb", i, *(e or (None,)))
                        if nxt is not None and nxt["trigger"] == "writecb":
                            then()
                    t.rec(side, "step", i, name, s.write(data, wcb))
                else:
                    t.rec(side, "step", i, name, s.write(data))
            elif name == "write_enc":
                t.rec(side, "step", i, name, s.write(op[1], op[2]))
            elif name == "write_empty":
                t.rec(side, "step", i, name, s.write("" if op[1] == "str" else b"",
                                                    lambda *e: t.rec(side, "wcb", i,
                                                                     *(e or (None,)))))
            elif name == "read0":
                t.rec(side, "step", i, name, s.read(0))
            elif name == "read_n":
                t.rec(side, "step", i, name, s.read(op[1]))
            elif name == "unshift":
                t.rec(side, "step", i, name,
                      s.unshift(op[1] if op[2] == "str" else op[1].encode()))
            elif name in ("timeout_long", "timeout_cancel"):
                s.set_timeout(60000 if name == "timeout_long" else 0, tcb(side))
                t.rec(side, "step", i, name, [s.timeout, s.listener_count("timeout")])
            elif name == "write_after_end":
                s.end()
                t.rec(side, "step", i, name, s.write(op[1], lambda *e: t.rec(
                    side, "wcb", i, *(e or (None,)))))
            elif name == "write_big":
                t.rec(side, "step", i, name, s.write(b"q" * op[1], lambda *e: t.rec(
                    side, "wcb", i, *(e or (None,)))))
            elif name == "write_destroy":
                t.rec(side, "step", i, name, s.write(op[1], lambda *e: t.rec(
                    side, "wcb", i, *(e or (None,)))))
                s.destroy()
            elif name == "write_defenc":
                s.set_default_encoding(op[2])
                t.rec(side, "step", i, name, s.write(op[1]))
                s.set_default_encoding("utf8")
            elif name == "set_encoding_more":
                s.set_encoding(op[1])
                t.rec(side, "step", i, name, s.readable_encoding)
            else:
                t.rec(side, "step", i, name)
                if name == "end_cb":
                    s.end(lambda *e: t.rec(side, "endcb", i, *(e or (None,))))
                elif name == "end":
                    s.end()
                elif name == "end_data":
                    s.end(op[1])
                elif name == "destroy":
                    s.destroy()
                elif name == "destroy_err":
                    s.destroy(_Boom("boom"))
                elif name == "destroy_soon":
                    s.destroy_soon()
                elif name == "reset":
                    if unix:
                        try:
                            s.reset_and_destroy()
                        except Exception as e:    # (as _js_op's unix reset)
                            t.rec(side, "throw", i, e)
                            s.destroy()
                    else:
                        s.reset_and_destroy()
                elif name == "pause":
                    s.pause()
                elif name == "resume":
                    s.resume()
                elif name == "set_encoding":
                    s.set_encoding(op[1])
                elif name == "cork_write":
                    s.cork()
                    s.write(op[1])
                    s.write(op[2])
                    net.next_tick(s.uncork)
                elif name == "nodelay":
                    s.set_no_delay(op[1])
                elif name == "keepalive":
                    s.set_keep_alive(op[1], op[2])
                elif name == "unref":
                    s.unref()
                elif name == "ref":
                    s.ref()
                elif name == "readable":
                    def on_readable() -> None:
                        d = s.read()
                        while d is not None:
                            t.rec(side, "read", d)
                            d = s.read()
                    s.on("readable", on_readable)
                elif name == "timeout0":
                    s.set_timeout(0)
                elif name == "pipe_sink":
                    s.pipe(_sink(t, side, s, sinks))
                    _counts(t, side, s, sinks)
                elif name == "unpipe":
                    s.unpipe()
                    _counts(t, side, s, sinks)
                elif name == "timeout":
                    s.set_timeout(op[1])

                    def on_timeout() -> None:
                        t.rec(side, "in timeout")
                        s.destroy()
                    s.on("timeout", on_timeout)
                elif name == "readable_n":
                    def on_readable_n() -> None:
                        d = s.read(op[1])
                        while d is not None:
                            t.rec(side, "read", d)
                            d = s.read(op[1])
                    s.on("readable", on_readable_n)
                elif name == "timeout_cb":
                    def on_timeout_cb() -> None:
                        t.rec(side, "in timeout cb")
                        s.destroy()
                    s.set_timeout(op[1], on_timeout_cb)
                elif name == "end_twice":
                    s.end(lambda *e: t.rec(side, "endcb", i, *(e or (None,))))
                    s.end(lambda *e: t.rec(side, "endcb2", i, *(e or (None,))))
                elif name == "destroy_after_end":
                    s.end()
                    s.destroy()
                elif name == "cork_end":
                    s.cork()
                    s.write(op[1])
                    s.end(op[2])
                elif name == "destroy_end_cb":
                    s.destroy()
                    s.end(lambda *e: t.rec(side, "endcb", i, *(e or (None,))))
                elif name == "get_conns":
                    srv.get_connections(lambda e, n: t.rec(side, "connections", i, e, n))
                elif name == "server_close":
                    srv.close(lambda *e: t.rec(side, "server close cb", i, *(e or (None,))))
                    srv.on("close", lambda *_a: t.rec(side, "server close", i))
                else:
                    raise ValueError(name)
            t.rec(side, "after", s.ready_state, s.bytes_written, s.writable_length, s.pending,
                  s.readable_length, s.is_paused(), s.writable_need_drain,
                  s.connecting, s.readable_flowing, s.writable_ended, s.destroyed)
            if nxt is None:
                then()
            elif nxt["trigger"] == "immediate":
                net.set_immediate(then)
            elif nxt["trigger"] == "endorclose":
                on_side(nxt["side"], lambda: end_or_close(S[nxt["side"]], then))
            elif nxt["trigger"] == "connectorclose":
                done = [False]

                def once(*_a: Any) -> None:
                    if not done[0]:
                        done[0] = True
                        then()
                S["client"].once("connect", once)
                S["client"].once("close", once)
            elif isinstance(nxt["trigger"], list):
                on_side(nxt["side"], lambda: read_or_gone(S[nxt["side"]], nxt["trigger"][1],
                                                          then))

        def addrs(name: str, s: Any) -> None:
            t.rec(name, "addrs", s.remote_address, s.remote_family, s.remote_port,
                  s.local_address, s.local_port, s.address())

        def on_conn(c: Any) -> None:
            S["server"] = c
            t.watch(c, "server", SERVER_EVENTS)
            if unix:
                addrs("server", c)

            def closed(*_a: Any) -> None:
                state("server", c)
                srv.close()
            c.on("close", closed)
            for fn in waiting[:]:
                fn()
            del waiting[:]
            if steps[0]["trigger"] == "connection":
                run_step(0)

        srv = net.create_server({"allowHalfOpen": sc["server_half"],
                                 "pauseOnConnect": sc.get("pause_on_connect", False)}, on_conn)

        def listening() -> None:
            if unix:
                t.rec("server", "listening", srv.address())
                opts: Dict[str, Any] = {"path": path, "allowHalfOpen": sc["client_half"]}
            else:
                opts = {"port": srv.address()["port"], "host": "127.0.0.1",
                        "allowHalfOpen": sc["client_half"]}
            if sc.get("client_hwm") is not None:
                opts["highWaterMark"] = sc["client_hwm"]
            c = net.connect(opts)
            S["client"] = c
            t.watch(c, "client", EVENTS)
            if unix:
                c.on("connect", lambda *_a: addrs("client", c))
            c.on("close", lambda *a: state("client", c))
            if steps[0]["trigger"] == "connect":
                c.on("connect", lambda: run_step(0))
            elif steps[0]["trigger"] == "connecting":
                run_step(0)

        if unix:
            srv.listen(path, listening)
        else:
            srv.listen(0, "127.0.0.1", listening)

    return scenario


# ----------------------------------------------------------------------------- comparing

_ADDR_PORT = re.compile(r"(127\.0\.0\.1):\d+")
# a unix scenario's socket path (both runners make it in a "randscen-" directory)
_SOCK_PATH = re.compile(r"[^\s'\"]*randscen-[^/\s]+/s\.sock")


def _mask(x: Any) -> Any:
    """Ports in error messages ("connect ECONNRESET 127.0.0.1:PORT") masked; the
    data is left alone (its hex digits may spell a port number). A unix
    scenario's socket path is masked as PATH wherever it is (no data spells it)."""
    if isinstance(x, dict):
        return {k: (_ADDR_PORT.sub(r"\1:PORT", _mask(v))
                    if k == "message" and isinstance(v, str) else _mask(v))
                for k, v in x.items()}
    if isinstance(x, list):
        return [_mask(v) for v in x]
    if isinstance(x, str) and "randscen-" in x:
        return _SOCK_PATH.sub("PATH", x)
    return x


def per_side(trace: List[Any]) -> Dict[str, List[Any]]:
    """The trace split by side, consecutive 'data' entries of one type merged
    (and consecutive chunk lengths a pipe's sink got, summed), ports in error
    messages masked."""
    out: Dict[str, List[Any]] = {}
    for entry in _mask(trace):
        key = entry[0] if entry and entry[0] in OTHER else "other"
        lst = out.setdefault(key, [])
        if (len(entry) == 3 and entry[1] == "sink" and lst and lst[-1][1] == "sink"
                and len(lst[-1]) == 3):
            lst[-1] = [key, "sink", lst[-1][2] + entry[2]]    # chunking is the kernel's
            continue
        if (len(entry) == 3 and entry[1] in ("data", "read") and lst
                and lst[-1][1] == entry[1]):
            a, b = lst[-1][2], entry[2]
            if isinstance(a, str) and isinstance(b, str) and (
                    a.startswith("buf:") == b.startswith("buf:")):
                lst[-1] = [key, entry[1], a + (b[4:] if b.startswith("buf:") else b)]
                continue
        lst.append(list(entry))
    return out


def node_trace(sc: Scenario) -> Dict[str, List[Any]]:
    """Node's trace; a run that does not end is kept as an ``'other'`` entry
    (the CLI then drops the seed)."""
    import subprocess
    try:
        return per_side(run_node(to_js(sc), deadline_ms=3000))
    except subprocess.TimeoutExpired:
        return {"other": [["node did not exit"]]}


def python_trace(sc: Scenario, timeout: float = 5.0) -> Dict[str, List[Any]]:
    """The nodenet trace, taken the moment the loop stops being alive (when Node
    exits), whatever an unref'd socket does on the loop thread afterwards."""
    from nodenet._loop import _Waiter
    t = Trace()
    frozen: List[Any] = []

    class Exit(_Waiter):
        def set(self, result: Any = None, error: Any = None) -> None:
            frozen.append(t.result())
            super().set(result, error)

    loop = net.get_loop()
    waiter = Exit()
    tmp = tempfile.mkdtemp(prefix="randscen-") if sc.get("unix") else None
    scenario = py_scenario(sc, None if tmp is None else os.path.join(tmp, "s.sock"))

    def start() -> None:
        loop._run_waiters.append(waiter)
        scenario(t)

    try:
        loop.post(start)
        if not waiter.event.wait(timeout):
            loop.stop()
            loop.join(5.0)
            raise AssertionError(f"the nodenet loop did not empty in {timeout}s")
        if waiter.error is not None:
            raise waiter.error
        return per_side(frozen[0])
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def compare(expected: Dict[str, List[Any]], got: Dict[str, List[Any]]) -> Optional[str]:
    """None when equal, else a side-by-side diff of each differing side."""
    parts = []
    for key in sorted(set(expected) | set(got)):
        a, b = expected.get(key, []), got.get(key, [])
        if a != b:
            parts.append(f"--- {key} (node || nodenet)\n" + side_by_side(a, b))
    return "\n".join(parts) or None


def describe(sc: Scenario) -> str:
    lines = [f"seed {sc['seed']}{' (unix)' if sc.get('unix') else ''}: "
             f"server allowHalfOpen={sc['server_half']}, "
             f"pauseOnConnect={sc.get('pause_on_connect')}, "
             f"client allowHalfOpen={sc['client_half']}, highWaterMark={sc.get('client_hwm')}"]
    for i, st in enumerate(sc["steps"]):
        lines.append(f"  {i}: [{st['trigger']}] {st['side']}.{st['op']}")
    return "\n".join(lines)


def parse_seeds(text: str) -> List[int]:
    """The CLI's ``--seeds``: ``start:stop`` or one seed (randstream and randtls too)."""
    if ":" in text:
        a, b = text.split(":")
        return list(range(int(a), int(b)))
    return [int(text)]


def _main(argv: List[str]) -> int:
    import argparse

    import nodes
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="0:100", help="start:stop (or one seed)")
    ap.add_argument("--show", action="store_true", help="print every scenario's JS")
    ap.add_argument("--pipes", action="store_true",
                    help="with pipe() and unpipe() operations (test_diff_random's PIPE_SEEDS)")
    ap.add_argument("--more", action="store_true",
                    help="with read(n), unshift(), setTimeout callbacks, end() twice, write() "
                    "after end(), setDefaultEncoding, getConnections(), server.close() "
                    "(test_diff_random's MORE_SEEDS)")
    ap.add_argument("--unix", action="store_true",
                    help="over a Unix-domain socket instead of loopback TCP "
                    "(test_diff_random's UNIX_SEEDS)")
    ns = ap.parse_args(argv)
    seeds = parse_seeds(ns.seeds)
    if nodes.BINARIES["26"] is None:
        print(nodes.missing_reason("26"))
        return 2
    differ, unstable = [], []
    with nodes.use("26"):
        for seed in seeds:
            sc = generate(seed, ns.pipes, ns.more, ns.unix)
            if ns.show:
                print(to_js(sc))
            first = node_trace(sc)
            if first != node_trace(sc) or "other" in first:
                unstable.append(seed)
                continue
            loop = net.Loop()
            previous = net.set_loop(loop)
            try:
                got = python_trace(sc)
                diff = compare(first, got)
            except AssertionError as e:
                diff = f"nodenet failed: {e}"
            finally:
                loop.close()
                net.set_loop(previous)
            if diff is not None:
                differ.append(seed)
                print(describe(sc))
                print(diff)
                print()
    print(f"seeds run: {len(seeds)}; unstable in Node (dropped): {unstable}; "
          f"differ: {differ}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
