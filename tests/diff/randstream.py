"""Random differential scenarios for in-memory streams: no sockets, one stream.

``generate(seed)`` makes a scenario of one family -- a ``Writable``, a
``Readable`` or a ``Duplex`` -- built with randomly chosen implementation
behaviours:

* ``_write`` calls back synchronously, on the next tick or in a
  ``setImmediate``; one chosen write (or none) calls back with an error, at
  once or on the next tick; an optional ``_writev`` (same choices); an optional
  ``_final`` (sync, next tick, setImmediate, failing sync / in a
  setImmediate, or throwing); an optional ``_destroy`` calling back with its
  error at once or on the next tick, or with none, or with another error;
  ``highWaterMark`` 0, 1, 3 or 16; ``autoDestroy`` and ``emitClose`` on or off;
* ``_read`` pushes the next chunk of a small source synchronously, on the next
  tick or in a setImmediate (and at its end ``push(null)``, or nothing), pushes
  ``null`` at once, throws, or does nothing; ``highWaterMark`` 0, 1, 3 or 16;
* a Duplex has both, ``allowHalfOpen`` on or off, and now and then
  ``readable: false`` or ``writable: false``.

Then 3-10 steps, each run in the same tick as the step before it, on the next
tick, in a ``setImmediate``, in the callback of the previous step's write or
end, or at the stream's next 'drain', 'prefinish', 'finish', 'end' or 'close':
writes of strings (some with multi-byte characters) and Buffers with or
without a callback, empty writes, cork/uncork (and a corked pair uncorked on the
next tick), end with or without data and callback, destroy with or without an
error (and writes after end or destroy, as they come); for a Readable: push
(strings, Buffers, null), read(n), pause/resume, a 'data' listener, a 'readable'
listener that reads everything, two bytes at a time or nothing (and its
removal), removing a 'data' listener, unshift, setEncoding, ``pipe()`` (with or
without ``end``) into a recording Writable that calls back synchronously or in
a setImmediate, ``unpipe()``, and destroy. Every event of the stream that does not change its
mode ('drain', 'finish', 'prefinish', 'close', 'error', 'end', 'pause',
'resume') is recorded from the start, with every write/end callback,
``_write``/``_writev``/``_final``/``_read``/``_destroy`` call and each step's
return value (or thrown error); after each step the observable state
(``writableLength``, ``writableNeedDrain``, ``writableEnded``,
``writableFinished``, ``writableCorked``, ``writable``, ``readableLength``,
``readableFlowing``, ``readableEnded``, ``isPaused()``, ``readableEncoding``,
``readable``, ``destroyed``, ``closed``, ``errored``), and once more when the
process would exit (Node's ``'beforeExit'``; nodenet's loop becoming idle).

The scenario is rendered as JavaScript for ``node`` (:func:`to_js`) and run by
an interpreter of the same steps on nodenet (:func:`py_scenario`); the traces
(difftrace's normalisation: errors as ``{code, message}``, Buffers as
``'buf:<latin1>'``) must be equal. Nothing here races, but the CLI still runs
Node twice and drops a seed whose two traces differ.

CLI: ``python tests/diff/randstream.py --seeds 0:500 [--show] [--brief] [--node20]
[--ascii-writes] [--string-unshifts]`` prints every seed whose trace differs
from Node 26's, side by side (``--brief``: its first differing line;
``--node20``: and whether Node 20 agrees with nodenet).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

if __name__ == "__main__":      # the CLI: the same imports as under pytest
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nodenet as net  # noqa: E402
from nodenet.stream import Duplex, Readable, Writable  # noqa: E402
from difftrace import Trace, run_node, side_by_side  # noqa: E402
import randscen  # noqa: E402

Step = Dict[str, Any]
Scenario = Dict[str, Any]
Cb = Callable[..., Any]

FAMILIES = ("writable", "readable", "duplex")
W_EVENTS = ["drain", "prefinish", "finish", "close", "error"]
R_EVENTS = ["end", "pause", "resume", "close", "error"]
D_EVENTS = ["drain", "prefinish", "finish", "end", "pause", "resume", "close", "error"]
MODES = ("sync", "tick", "imm")
W_OPS = ("write", "write_empty", "cork", "uncork", "cork_write", "end", "end_cb", "end_data")
R_OPS = ("push", "push_null", "read", "pause", "resume", "on_data", "off_data",
         "on_readable", "off_readable", "unshift", "set_encoding", "pipe", "unpipe")
SINK_EVENTS = ["pipe", "unpipe", "drain", "finish", "close", "error"]
#: the events a step may wait for ("on:<event>") -- none that changes the mode
TRIGGER_EVENTS = {"writable": ["drain", "prefinish", "finish", "close"],
                  "readable": ["end", "close"],
                  "duplex": ["drain", "prefinish", "finish", "end", "close"]}
WITH_CB = ("write", "write_empty", "end_cb", "end_data")


# ----------------------------------------------------------------------------- generator

def _payload(rng: random.Random) -> str:
    alphabet = "abcxyz" if rng.random() < 0.8 else "ab\u00e9\u20ac"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5)))


def _w_config(rng: random.Random) -> Dict[str, Any]:
    return {
        "hwm": rng.choice([0, 1, 3, 16]),
        "write": rng.choice(MODES),
        "err_at": rng.choice([None, None, None, 0, 1, 2]),
        "err_mode": rng.choice(["sync", "tick"]),
        "writev": rng.choice([None, None, "sync", "tick", "imm"]),
        "final": rng.choice([None, None, "sync", "tick", "imm", "err_sync", "err_imm",
                             "throw"]),
        "destroy": rng.choice([None, None, "sync", "tick", "swallow", "replace"]),
    }


def _r_config(rng: random.Random) -> Dict[str, Any]:
    return {
        "hwm": rng.choice([0, 1, 3, 16]),
        "read": rng.choice(["nothing", "nothing", "sync", "tick", "imm", "null", "throw"]),
        "source": [[_payload(rng), rng.choice(["str", "buf"])]
                   for _ in range(rng.randint(0, 4))],
        "at_end": rng.choice(["null", "null", "stall"]),
    }


def _w_op(rng: random.Random) -> List[Any]:
    r = rng.random()
    if r < 0.35:
        return ["write", _payload(rng), rng.choice(["str", "buf"]), rng.random() < 0.6]
    if r < 0.40:
        return ["write_empty", rng.choice(["str", "buf"])]
    if r < 0.48:
        return ["cork"]
    if r < 0.56:
        return ["uncork"]
    if r < 0.64:
        return ["cork_write", _payload(rng), _payload(rng)]
    if r < 0.72:
        return ["end"]
    if r < 0.80:
        return ["end_cb"]
    if r < 0.86:
        return ["end_data", _payload(rng), rng.random() < 0.5]
    if r < 0.94:
        return ["destroy"]
    return ["destroy_err"]


def _r_op(rng: random.Random) -> List[Any]:
    r = rng.random()
    if r < 0.18:
        return ["push", _payload(rng), rng.choice(["str", "buf"])]
    if r < 0.23:
        return ["push_null"]
    if r < 0.33:
        return ["read", rng.choice([None, None, 0, 1, 2, 5])]
    if r < 0.39:
        return ["pause"]
    if r < 0.45:
        return ["resume"]
    if r < 0.52:
        return ["on_data"]
    if r < 0.55:
        return ["off_data"]
    if r < 0.62:
        return ["on_readable", rng.choice(["all", "all", "none", "two"])]
    if r < 0.65:
        return ["off_readable"]
    if r < 0.72:
        return ["unshift", _payload(rng), rng.choice(["str", "buf"])]
    if r < 0.78:
        return ["set_encoding", rng.choice(["utf8", "hex", "latin1", "base64"])]
    if r < 0.84:
        return ["pipe", rng.choice([1, 16]), rng.choice(["sync", "imm"]), rng.random() < 0.8]
    if r < 0.87:
        return ["unpipe"]
    if r < 0.94:
        return ["destroy"]
    return ["destroy_err"]


def generate(seed: int, ascii_writes: bool = False, string_unshifts: bool = False) -> Scenario:
    """The scenario of ``seed`` (a plain dict, JSON-printable).

    ``ascii_writes``: the strings given to ``write()``/``end()`` have their
    non-ASCII characters replaced (``'\u00e9'`` -> ``'e'``, ``'\u20ac'`` ->
    ``'E'``), the rest of the scenario unchanged: nodenet's ``writableLength``
    counts a string's UTF-16 code units where a plain Node Writable
    (``decodeStrings: true``) counts its UTF-8 bytes, and this keeps that one
    known difference out of the way. ``string_unshifts``: ``unshift()`` is
    given strings only (Node keeps a Buffer unshifted into a stream with an
    encoding as a Buffer, and ``read()`` then joins it into a UTF-8 string;
    nodenet returned bytes, or failed to join them, until 4eff58b)."""
    rng = random.Random(seed)
    family = FAMILIES[seed % 3]
    sc: Scenario = {"seed": seed, "family": family, "auto_destroy": rng.random() < 0.7,
                    "emit_close": rng.random() < 0.85}
    sc["w"] = _w_config(rng) if family != "readable" else None
    sc["r"] = _r_config(rng) if family != "writable" else None
    sc["allow_half_open"] = rng.random() < 0.5
    # a Duplex made with {readable: false} or {writable: false}, now and then
    sc["sides"] = (rng.choice(["both", "both", "both", "both", "no_readable", "no_writable"])
                   if family == "duplex" else "both")
    steps: List[Step] = []
    for i in range(rng.randint(3, 10)):
        if family == "writable":
            op = _w_op(rng)
        elif family == "readable":
            op = _r_op(rng)
        else:
            op = _w_op(rng) if rng.random() < 0.45 else _r_op(rng)
        if op[0] in ("destroy", "destroy_err") and (i == 0 or rng.random() < 0.6):
            op = (_w_op(rng) if family == "writable" or (family == "duplex"
                                                         and rng.random() < 0.45)
                  else _r_op(rng))    # a destroy ends the scenario: fewer of them
        if i == 0:
            trigger = "start"
        else:
            prev = steps[-1]["op"]
            has_cb = prev[0] in WITH_CB and (prev[0] not in ("write", "end_data") or prev[-1])
            choices = ["sync", "tick", "imm", "imm"] + (["cb", "cb"] if has_cb else [])
            trigger = rng.choice(choices)
            if rng.random() < 0.12:
                trigger = "on:" + rng.choice(TRIGGER_EVENTS[family])
        steps.append({"trigger": trigger, "op": op})
    if ascii_writes:
        for st in steps:
            op = st["op"]
            if op[0] in ("write", "end_data", "cork_write"):
                for k in range(1, 3 if op[0] == "cork_write" else 2):
                    if op[0] != "write" or op[2] == "str":
                        op[k] = op[k].replace("\u00e9", "e").replace("\u20ac", "E")
    if string_unshifts:
        for st in steps:
            if st["op"][0] == "unshift":
                st["op"][2] = "str"
    sc["steps"] = steps
    return sc


def describe(sc: Scenario) -> str:
    lines = [f"seed {sc['seed']}: {sc['family']} autoDestroy={sc['auto_destroy']} "
             f"emitClose={sc['emit_close']}"
             + (f" allowHalfOpen={sc['allow_half_open']} sides={sc['sides']}"
               if sc["family"] == "duplex" else "")]
    if sc["w"] is not None:
        lines.append(f"  writable: {json.dumps(sc['w'])}")
    if sc["r"] is not None:
        lines.append(f"  readable: {json.dumps(sc['r'])}")
    for i, st in enumerate(sc["steps"]):
        lines.append(f"  {i}: [{st['trigger']}] {st['op']}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- JavaScript

_JS_HELPERS = r"""
const { Writable, Readable, Duplex } = require('stream');
function later(mode, fn) {
  if (mode === 'sync') fn();
  else if (mode === 'tick') process.nextTick(fn);
  else setImmediate(fn);
}
function mkErr(msg, code) { const e = new Error(msg); e.code = code; return e; }
function mkSink(i, hwm, mode) {  // pipe()'s destination: records what it is given
  const k = new Writable({highWaterMark: hwm,
    write(c, e, cb) { rec('sink', i, c); later(mode, () => cb()); }});
  for (const e of SINK_EVENTS) k.on(e, () => rec('sink ' + e, i));
  return k;
}
const W = ['writableLength', 'writableNeedDrain', 'writableEnded', 'writableFinished',
           'writableCorked', 'writable'];
const R = ['readableLength', 'readableFlowing', 'readableEnded', 'readableEncoding',
           'readable'];
function state(s) {
  const out = [];
  if (HAS_W) for (const k of W) out.push(s[k]);
  if (HAS_R) { for (const k of R) out.push(s[k]); out.push(s.isPaused()); }
  out.push(s.destroyed, s.closed, s.errored);
  return out;
}
"""


def _js_data(payload: str, kind: str) -> str:
    return json.dumps(payload) if kind == "str" else f"Buffer.from({json.dumps(payload)})"


def _js_op(i: int, op: List[Any], go_next: str) -> str:
    """The JS of step ``i``'s operation; ``go_next`` runs the next step from the
    operation's callback (or is '')."""
    name = op[0]
    cb = f"(e) => {{ rec('cb', {i}, e); {go_next} }}"
    if name == "write":
        if op[3]:
            return f"rec('ret', {i}, s.write({_js_data(op[1], op[2])}, {cb}));"
        return f"rec('ret', {i}, s.write({_js_data(op[1], op[2])}));"
    if name == "write_empty":
        data = "''" if op[1] == "str" else "Buffer.alloc(0)"
        return f"rec('ret', {i}, s.write({data}, {cb}));"
    if name == "cork":
        return "s.cork();"
    if name == "uncork":
        return "s.uncork();"
    if name == "cork_write":
        return (f"s.cork(); rec('ret', {i}, s.write({json.dumps(op[1])}), "
                f"s.write({json.dumps(op[2])})); process.nextTick(() => s.uncork());")
    if name == "end":
        return "s.end();"
    if name == "end_cb":
        return f"s.end({cb});"
    if name == "end_data":
        return f"s.end({json.dumps(op[1])}{', ' + cb if op[2] else ''});"
    if name == "destroy":
        return "s.destroy();"
    if name == "destroy_err":
        return "s.destroy(mkErr('boom', 'EBOOM'));"
    if name == "push":
        return f"rec('ret', {i}, s.push({_js_data(op[1], op[2])}));"
    if name == "push_null":
        return f"rec('ret', {i}, s.push(null));"
    if name == "read":
        return f"rec('ret', {i}, s.read({'' if op[1] is None else op[1]}));"
    if name == "pause":
        return "s.pause();"
    if name == "resume":
        return "s.resume();"
    if name == "on_data":
        return f"datas.push((d) => rec('data', {i}, d)); s.on('data', datas[datas.length - 1]);"
    if name == "off_data":
        return "if (datas.length) s.removeListener('data', datas.shift());"
    if name == "pipe":
        return (f"rec('ret', {i}, s.pipe(mkSink({i}, {op[1]}, '{op[2]}'), "
                f"{{end: {json.dumps(op[3])}}}) !== undefined);")
    if name == "unpipe":
        return "s.unpipe();"
    if name == "on_readable":
        size = "2" if op[1] == "two" else ""
        body = (f"let d; while ((d = s.read({size})) !== null) rec('read', {i}, d);"
                if op[1] != "none" else "")
        return (f"readables.push(() => {{ rec('readable', {i}); {body} }}); "
                f"s.on('readable', readables[readables.length - 1]);")
    if name == "off_readable":
        return "if (readables.length) s.removeListener('readable', readables.shift());"
    if name == "unshift":
        return f"rec('ret', {i}, s.unshift({_js_data(op[1], op[2])}));"
    if name == "set_encoding":
        return f"s.setEncoding('{op[1]}');"
    raise ValueError(name)


def _js_options(sc: Scenario) -> str:
    parts = [f"autoDestroy: {json.dumps(sc['auto_destroy'])}, "
             f"emitClose: {json.dumps(sc['emit_close'])}"]
    w, r = sc["w"], sc["r"]
    fam = sc["family"]
    if fam == "duplex":
        parts.append(f"allowHalfOpen: {json.dumps(sc['allow_half_open'])}")
        if sc["sides"] != "both":
            parts.append(f"{sc['sides'][3:]}: false")
        parts.append(f"writableHighWaterMark: {w['hwm']}, readableHighWaterMark: {r['hwm']}")
    else:
        parts.append(f"highWaterMark: {(w or r)['hwm']}")
    if w is not None:
        err = ("null" if w["err_at"] is None else str(w["err_at"]))
        parts.append(
            "write(chunk, enc, cb) { rec('_write', chunk); const k = nw++; "
            f"if (k === {err}) later('{w['err_mode']}', () => cb(mkErr('wfail', 'EWFAIL'))); "
            f"else later('{w['write']}', () => cb()); }}")
        if w["writev"] is not None:
            parts.append(
                "writev(chunks, cb) { rec('_writev', chunks.map((c) => c.chunk)); "
                f"later('{w['writev']}', () => cb()); }}")
        if w["final"] is not None:
            mode = w["final"]
            if mode == "throw":
                call = "throw mkErr('fthrow', 'EFTHROW')"
            elif mode.startswith("err_"):
                call = f"later('{mode[4:]}', () => cb(mkErr('ffail', 'EFFAIL')))"
            else:
                call = f"later('{mode}', () => cb())"
            parts.append(f"final(cb) {{ rec('_final'); {call}; }}")
        if w["destroy"] is not None:
            dmode = w["destroy"]
            arg = {"swallow": "null", "replace": "mkErr('dfail', 'EDFAIL')"}.get(dmode, "err")
            parts.append(f"destroy(err, cb) {{ rec('_destroy', err); "
                         f"later('{'sync' if dmode in ('swallow', 'replace') else dmode}', "
                         f"() => cb({arg})); }}")
    if r is not None:
        mode = r["read"]
        if mode == "nothing":
            body = ""
        elif mode == "null":
            body = "this.push(null);"
        elif mode == "throw":
            body = "throw mkErr('rthrow', 'ERTHROW');"
        else:
            end = "this.push(null);" if r["at_end"] == "null" else ""
            body = (f"if (src.length) {{ const c = src.shift(); "
                    f"later('{mode}', () => this.push(c)); }} else {{ {end} }}")
        parts.append(f"read(size) {{ rec('_read', size); {body} }}")
    return "{\n  " + ",\n  ".join(parts) + "\n}"


def to_js(sc: Scenario) -> str:
    """The scenario as a Node script body (difftrace's prelude supplies rec/watch)."""
    fam = sc["family"]
    cls = {"writable": "Writable", "readable": "Readable", "duplex": "Duplex"}[fam]
    events = {"writable": W_EVENTS, "readable": R_EVENTS, "duplex": D_EVENTS}[fam]
    src = []
    if sc["r"] is not None:
        src = [_js_data(p, k) for p, k in sc["r"]["source"]]
    out = [f"const HAS_W = {json.dumps(fam != 'readable')}, "
           f"HAS_R = {json.dumps(fam != 'writable')};",
           _JS_HELPERS,
           "let nw = 0;",
           f"const src = [{', '.join(src)}];",
           "const readables = [], datas = [];",
           f"const SINK_EVENTS = {json.dumps(SINK_EVENTS)};",
           f"const s = new {cls}({_js_options(sc)});",
           f"watch(s, 'ev', {json.dumps(events)});",
           "process.once('beforeExit', () => rec('exit', ...state(s)));"]
    steps = sc["steps"]
    for i, st in enumerate(steps):
        nxt = steps[i + 1] if i + 1 < len(steps) else None
        go = f"step{i + 1}();"
        body = [f"rec('step', {i}, '{st['op'][0]}');",
                "try { " + _js_op(i, st["op"], go if nxt is not None and nxt["trigger"] == "cb"
                                  else "") + " } catch (e) { rec('throw', " + str(i) + ", e); }",
                f"rec('after', {i}, ...state(s));"]
        if nxt is not None:
            tr = nxt["trigger"]
            if tr == "sync":
                body.append(go)
            elif tr == "tick":
                body.append(f"process.nextTick(step{i + 1});")
            elif tr == "imm":
                body.append(f"setImmediate(step{i + 1});")
            elif tr.startswith("on:"):
                body.append(f"s.once('{tr[3:]}', () => step{i + 1}());")
        out.append(f"function step{i}() {{\n  " + "\n  ".join(body) + "\n}")
    out.append("step0();")
    return "\n".join(out)


# ----------------------------------------------------------------------------- Python

class StepError(Exception):
    """``mkErr(message, code)``: an Error with a ``code``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class _W(Writable):
    pass


class _R(Readable):
    pass


class _D(Duplex):
    pass


class _Sink(Writable):
    """pipe()'s destination: records each chunk it is given."""

    def __init__(self, t: Trace, i: int, hwm: int, mode: str) -> None:
        super().__init__(high_water_mark=hwm)
        self._t, self._i, self._mode = t, i, mode
        for event in SINK_EVENTS:
            self.on(event, (lambda e: lambda *a: t.rec("sink " + e, i))(event))

    def _write(self, chunk: bytes, callback: Cb) -> None:
        self._t.rec("sink", self._i, chunk)
        _later(self._mode, lambda: callback())


def _later(mode: str, fn: Callable[[], Any]) -> None:
    if mode == "sync":
        fn()
    elif mode == "tick":
        net.next_tick(fn)
    else:
        net.set_immediate(fn)


def _py_data(payload: str, kind: str) -> Any:
    return payload if kind == "str" else payload.encode()


def _state(sc: Scenario, s: Any) -> List[Any]:
    out: List[Any] = []
    if sc["family"] != "readable":
        out += [s.writable_length, s.writable_need_drain, s.writable_ended,
                s.writable_finished, s.writable_corked, s.writable]
    if sc["family"] != "writable":
        out += [s.readable_length, s.readable_flowing, s.readable_ended, s.readable_encoding,
                s.readable, s.is_paused()]
    out += [s.destroyed, s.closed, s.errored]
    return out


def build(sc: Scenario, t: Trace) -> Any:
    """The stream of the scenario, with its implementation installed as Node's
    constructor options install it."""
    fam = sc["family"]
    w, r = sc["w"], sc["r"]
    s: Any
    if fam == "writable":
        s = _W(high_water_mark=w["hwm"])
    elif fam == "readable":
        s = _R(high_water_mark=r["hwm"])
    else:
        s = _D(allow_half_open=sc["allow_half_open"], readable_high_water_mark=r["hwm"],
               writable_high_water_mark=w["hwm"], readable=sc["sides"] != "no_readable",
               writable=sc["sides"] != "no_writable")
    for st in (s._readable_state, s._writable_state):
        if st is not None:
            st.auto_destroy = sc["auto_destroy"]
            st.emit_close = sc["emit_close"]
    if w is not None:
        nw = [0]

        def write(chunk: Any, cb: Cb) -> None:
            t.rec("_write", chunk)
            k = nw[0]
            nw[0] += 1
            if k == w["err_at"]:
                _later(w["err_mode"], lambda: cb(StepError("wfail", "EWFAIL")))
            else:
                _later(w["write"], lambda: cb())
        s._write = write
        if w["writev"] is not None:
            def writev(chunks: List[Any], cb: Cb) -> None:
                t.rec("_writev", list(chunks))
                _later(w["writev"], lambda: cb())
            s._writev = writev
            s._has_writev = True
        if w["final"] is not None:
            fmode: str = w["final"]

            def final(cb: Cb) -> None:
                t.rec("_final")
                if fmode == "throw":
                    raise StepError("fthrow", "EFTHROW")
                if fmode.startswith("err_"):
                    _later(fmode[4:], lambda: cb(StepError("ffail", "EFFAIL")))
                else:
                    _later(fmode, lambda: cb())
            s._final = final
        if w["destroy"] is not None:
            dmode: str = w["destroy"]

            def destroy(err: Any, cb: Cb) -> None:
                t.rec("_destroy", err)
                if dmode == "swallow":
                    cb(None)
                elif dmode == "replace":
                    cb(StepError("dfail", "EDFAIL"))
                else:
                    _later(dmode, lambda: cb(err))
            s._destroy = destroy
    if r is not None:
        src = [_py_data(p, k) for p, k in r["source"]]
        rmode: str = r["read"]

        def read(size: int) -> None:
            t.rec("_read", size)
            if rmode == "null":
                s.push(None)
            elif rmode == "throw":
                raise StepError("rthrow", "ERTHROW")
            elif rmode != "nothing":
                if src:
                    c = src.pop(0)
                    _later(rmode, lambda: s.push(c))
                elif r["at_end"] == "null":
                    s.push(None)
        s._read = read
    return s


def py_scenario(sc: Scenario, holder: Dict[str, Any]) -> Callable[[Trace], None]:
    """The scenario as a function of a Trace, run on nodenet's loop thread; the
    stream is left in ``holder['s']``."""
    steps = sc["steps"]
    events = {"writable": W_EVENTS, "readable": R_EVENTS, "duplex": D_EVENTS}[sc["family"]]

    def scenario(t: Trace) -> None:
        s = build(sc, t)
        holder["s"] = s
        t.watch(s, "ev", events)
        readables: List[Cb] = []
        datas: List[Cb] = []

        def run_step(i: int) -> None:
            op = steps[i]["op"]
            name = op[0]
            nxt = steps[i + 1] if i + 1 < len(steps) else None

            def cb(e: Any = None) -> None:
                t.rec("cb", i, e)
                if nxt is not None and nxt["trigger"] == "cb":
                    run_step(i + 1)

            t.rec("step", i, name)
            try:
                do_op(i, op, cb)
            except Exception as e:
                t.rec("throw", i, e)
            t.rec("after", i, *_state(sc, s))
            if nxt is not None:
                tr = nxt["trigger"]
                if tr == "sync":
                    run_step(i + 1)
                elif tr == "tick":
                    net.next_tick(lambda: run_step(i + 1))
                elif tr == "imm":
                    net.set_immediate(lambda: run_step(i + 1))
                elif tr.startswith("on:"):
                    s.once(tr[3:], lambda *a: run_step(i + 1))

        def do_op(i: int, op: List[Any], cb: Cb) -> None:
            name = op[0]
            if name == "write":
                if op[3]:
                    t.rec("ret", i, s.write(_py_data(op[1], op[2]), cb))
                else:
                    t.rec("ret", i, s.write(_py_data(op[1], op[2])))
            elif name == "write_empty":
                t.rec("ret", i, s.write("" if op[1] == "str" else b"", cb))
            elif name == "cork":
                s.cork()
            elif name == "uncork":
                s.uncork()
            elif name == "cork_write":
                s.cork()
                t.rec("ret", i, s.write(op[1]), s.write(op[2]))
                net.next_tick(s.uncork)
            elif name == "end":
                s.end()
            elif name == "end_cb":
                s.end(cb)
            elif name == "end_data":
                if op[2]:
                    s.end(op[1], cb)
                else:
                    s.end(op[1])
            elif name == "destroy":
                s.destroy()
            elif name == "destroy_err":
                s.destroy(StepError("boom", "EBOOM"))
            elif name == "push":
                t.rec("ret", i, s.push(_py_data(op[1], op[2])))
            elif name == "push_null":
                t.rec("ret", i, s.push(None))
            elif name == "read":
                t.rec("ret", i, s.read(op[1]))
            elif name == "pause":
                s.pause()
            elif name == "resume":
                s.resume()
            elif name == "on_data":
                datas.append(lambda d: t.rec("data", i, d))
                s.on("data", datas[-1])
            elif name == "off_data":
                if datas:
                    s.remove_listener("data", datas.pop(0))
            elif name == "pipe":
                t.rec("ret", i, s.pipe(_Sink(t, i, op[1], op[2]), end=op[3]) is not None)
            elif name == "unpipe":
                s.unpipe()
            elif name == "on_readable":
                how = op[1]

                def on_readable() -> None:
                    t.rec("readable", i)
                    if how != "none":
                        size = 2 if how == "two" else None
                        d = s.read(size)
                        while d is not None:
                            t.rec("read", i, d)
                            d = s.read(size)
                readables.append(on_readable)
                s.on("readable", on_readable)
            elif name == "off_readable":
                if readables:
                    s.remove_listener("readable", readables.pop(0))
            elif name == "unshift":
                t.rec("ret", i, s.unshift(_py_data(op[1], op[2])))
            elif name == "set_encoding":
                s.set_encoding(op[1])
            else:
                raise ValueError(name)

        run_step(0)

    return scenario


# ----------------------------------------------------------------------------- comparing

def node_trace(sc: Scenario) -> List[Any]:
    """Node's trace; a run that does not end is kept as a ``['node did not exit']``."""
    import subprocess
    try:
        return run_node(to_js(sc), deadline_ms=3000)  # type: ignore[no-any-return]
    except subprocess.TimeoutExpired:
        return [["node did not exit"]]


def python_trace(sc: Scenario, timeout: float = 5.0) -> List[Any]:
    """The nodenet trace, with the final state recorded the moment the loop
    stops being alive (Node's ``'beforeExit'``)."""
    from nodenet._loop import _Waiter
    t = Trace()
    frozen: List[Any] = []
    holder: Dict[str, Any] = {}

    class Exit(_Waiter):
        def set(self, result: Any = None, error: Any = None) -> None:
            if "s" in holder and error is None:
                t.rec("exit", *_state(sc, holder["s"]))
            frozen.append(t.result())
            super().set(result, error)

    loop = net.get_loop()
    waiter = Exit()
    scenario = py_scenario(sc, holder)

    def start() -> None:
        loop._run_waiters.append(waiter)
        scenario(t)

    loop.post(start)
    if not waiter.event.wait(timeout):
        loop.stop()
        loop.join(5.0)
        raise AssertionError(f"the nodenet loop did not empty in {timeout}s")
    if waiter.error is not None:
        raise waiter.error
    return frozen[0]  # type: ignore[no-any-return]


def compare(expected: List[Any], got: List[Any]) -> Optional[str]:
    """None when equal, else a side-by-side diff."""
    if expected == got:
        return None
    return "(node || nodenet)\n" + side_by_side(expected, got)


def _main(argv: List[str]) -> int:
    import argparse

    import nodes
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="0:100", help="start:stop (or one seed)")
    ap.add_argument("--show", action="store_true", help="print every scenario's JS")
    ap.add_argument("--ascii-writes", action="store_true",
                    help="no non-ASCII strings in write()/end() (see generate())")
    ap.add_argument("--string-unshifts", action="store_true",
                    help="unshift() strings only (see generate())")
    ap.add_argument("--node20", action="store_true",
                    help="also say, for each differing seed, whether Node 20 agrees with nodenet")
    ap.add_argument("--brief", action="store_true",
                    help="print only each differing seed's first differing line")
    ap.add_argument("--runs", type=int, default=2,
                    help="Node runs per seed (a seed whose traces differ is dropped)")
    ns = ap.parse_args(argv)
    seeds = randscen.parse_seeds(ns.seeds)
    if nodes.BINARIES["26"] is None:
        print(nodes.missing_reason("26"))
        return 2
    differ, unstable = [], []
    with nodes.use("26"):
        for seed in seeds:
            sc = generate(seed, ns.ascii_writes, ns.string_unshifts)
            if ns.show:
                print(describe(sc))
                print(to_js(sc))
            first = node_trace(sc)
            if (any(node_trace(sc) != first for _ in range(ns.runs - 1))
                    or ["node did not exit"] in first):
                unstable.append(seed)
                continue
            loop = net.Loop()
            previous = net.set_loop(loop)
            got: Any = None
            try:
                got = python_trace(sc)
                diff = compare(first, got)
            except Exception as e:  # an uncaught exception in nodenet is a difference too
                diff = f"nodenet failed: {type(e).__name__}: {e}"
            finally:
                loop.close()
                net.set_loop(previous)
            if diff is not None:
                differ.append(seed)
                if ns.node20 and nodes.BINARIES["20"] is not None:
                    with nodes.use("20"):
                        same = node_trace(sc) == got
                    diff += f"\n(Node 20 {'agrees' if same else 'disagrees'} with nodenet)"
                if ns.brief:
                    first_diff = next((ln for ln in diff.splitlines() if ln.startswith("!!")),
                                      diff.splitlines()[0])
                    print(f"seed {seed} ({sc['family']}): {first_diff}"
                          + (" " + diff.splitlines()[-1] if ns.node20 else ""))
                else:
                    print(describe(sc))
                    print(diff)
                    print()
    print(f"seeds run: {len(seeds)}; unstable in Node (dropped): {unstable}; "
          f"differ: {differ}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
