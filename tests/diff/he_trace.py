"""The Python twin of the harness's ``trace.js``: one Happy Eyeballs scenario
through nodenet, traced in the same JSON shape.

Input is a scenario of ../shared/reference/happy-eyeballs-harness/scenarios.json
(``fixture``, ``answers``, ``opts``, ``free``, ``lookupError``, ``syncLookup``,
``destroyAtMs``, ``abortAtMs``, ``destroyOnAttempt``, ``destroyOnTimeout``,
``observeMs``, ``afterMs``, ``host``); the harness's ``fixture.py`` provides the
loopback fixtures on one port P. Output, as trace.js prints it: ``outcome``
('connected' | 'error' | 'still-connecting'), ``at``, ``lookupOpts`` (keys
whose value is None dropped, as JSON drops ``undefined``), ``attempted``
(``ip:P``), ``events`` (``[ms, name, ...args]`` with the port shown as ``P``),
``defaultTimeout``; or ``threw`` when ``connect()`` raised, or ``uncaught``.

Options keep Node's camelCase keys (nodenet accepts them in an options dict).
Run standalone: ``python he_trace.py '<scenario json>'``.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import nodenet as net

HARNESS = Path(os.environ.get(
    "NODENET_HE_HARNESS",
    Path(__file__).resolve().parents[3] / "shared" / "reference" / "happy-eyeballs-harness"))
FIXTURE = HARNESS / "fixture.py"

Runner = Callable[[Callable[[], None]], None]


class LookupFailure(Exception):
    """trace.js's ``new Error('getaddrinfo ENOTFOUND ' + host)`` with ``code``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def error_name(err: BaseException) -> str:
    """Node's ``err.constructor.name`` for nodenet's error classes."""
    names = {"AggregateError": "AggregateError", "AbortError": "AbortError",
             "NodeTypeError": "TypeError", "NodeRangeError": "RangeError"}
    return names.get(type(err).__name__, "Error")


# The harness's blackhole needs listen(0) to mean a backlog of 0; PyPy's
# socket.listen() raises it to 1, so under PyPy the fixture runs on CPython.
FIXTURE_PYTHON = (sys.executable if sys.implementation.name == "cpython"
                  else shutil.which("python3") or sys.executable)


class FixtureProcess:
    """``python3 fixture.py ip=behaviour ...``: the port, and ``free`` commands."""

    def __init__(self, specs: List[str], timeout: float = 10.0) -> None:
        self.proc = subprocess.Popen([FIXTURE_PYTHON, str(FIXTURE), *specs],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        try:
            assert self.proc.stdout is not None
            ready, _w, _x = select.select([self.proc.stdout], [], [], timeout)
            if not ready:
                raise RuntimeError(f"fixture.py {specs} printed no port")
            self.port: int = json.loads(self.proc.stdout.readline())["port"]
        except BaseException:
            self.close()
            raise

    def free(self, ip: str, delay_ms: float) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"free {ip} {delay_ms}\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        """End the fixture (our own child, by its pid) and close the pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


def trace_scenario(sc: Dict[str, Any], run: Optional[Runner] = None) -> Dict[str, Any]:
    """Run ``sc`` through nodenet; the trace.js-shaped result."""
    runner: Runner = run if run is not None else net.run
    fx = FixtureProcess(list(sc.get("fixture") or []))
    try:
        return _trace(sc, fx, runner)
    finally:
        fx.close()


def _trace(sc: Dict[str, Any], fx: FixtureProcess, runner: Runner) -> Dict[str, Any]:
    port = fx.port
    events: List[List[Any]] = []
    state: Dict[str, Any] = {"done": False, "lookupOpts": None, "sock": None}

    def sub(value: Any) -> Any:
        return value.replace(str(port), "P") if isinstance(value, str) else value

    def main() -> None:
        t0 = time.monotonic()

        def ms() -> int:
            return round((time.monotonic() - t0) * 1000)

        def log(*args: Any) -> None:
            events.append([ms(), *[sub(a) for a in args]])

        def on_uncaught(err: BaseException, *_: Any) -> None:
            if "result" not in state:
                state["result"] = {"name": sc["name"],
                                   "uncaught": f"{error_name(err)}: {err}"}
                sock = state["sock"]
                if sock is not None:
                    sock.destroy()

        net.process.on("uncaughtException", on_uncaught)
        opts: Dict[str, Any] = {"host": sc.get("host") or "example.org", "port": port}
        opts.update(sc.get("opts") or {})
        answers = sc.get("answers")
        if answers is not None:
            def lookup(host: str, o: Dict[str, Any], cb: Any) -> None:
                state["lookupOpts"] = dict(o)

                def go() -> None:
                    if sc.get("lookupError"):
                        cb(LookupFailure("getaddrinfo ENOTFOUND " + host, "ENOTFOUND"))
                    elif o.get("all"):
                        cb(None, [dict(a) for a in answers])
                    else:
                        cb(None, answers[0]["address"], answers[0]["family"])

                if sc.get("syncLookup"):
                    go()
                else:
                    net.next_tick(go)

            opts["lookup"] = lookup
        for ip, delay in sc.get("free") or []:
            fx.free(ip, delay)
        controller = None
        if sc.get("abortAtMs") is not None:
            controller = net.AbortController()
            opts["signal"] = controller.signal
        try:
            sock = net.connect(opts)
        except Exception as err:  # a synchronous validation error, as trace.js catches it
            state["result"] = {"name": sc["name"], "threw":
                               f"{error_name(err)} {getattr(err, 'code', None)} {err}"}
            return
        if controller is not None:
            def abort() -> None:
                log("abort()")
                controller.abort()

            net.set_timeout(abort, sc["abortAtMs"])
        if sc.get("destroyAtMs") is not None:
            def destroy() -> None:
                log("destroy()")
                sock.destroy()

            net.set_timeout(destroy, sc["destroyAtMs"])
        state["sock"] = sock

        def on_attempt(a: str, p: int, f: int) -> None:
            log("attempt", f"{a}:{p}", f)
            if sc.get("destroyOnAttempt") and a == sc["destroyOnAttempt"]:
                sock.destroy()

        def on_timeout(a: str, p: int, f: int) -> None:
            log("timeout", f"{a}:{p}", f)
            if sc.get("destroyOnTimeout"):
                sock.destroy()

        def on_error(e: BaseException) -> None:
            log("error", error_name(e), getattr(e, "code", None) or None, str(e))
            errors = getattr(e, "errors", None)
            if errors is not None:
                log("errors", [f"{x.code} {sub(str(x))}" for x in errors])
            finish("error")

        sock.on("lookup", lambda err, a, f, h: log(
            "lookup", getattr(err, "code", None) if err is not None else None, a, f, h))
        sock.on("connectionAttempt", on_attempt)
        sock.on("connectionAttemptFailed",
                lambda a, p, f, e: log("failed", f"{a}:{p}", f, getattr(e, "code", None)))
        sock.on("connectionAttemptTimeout", on_timeout)
        sock.on("connect", lambda: log("connect", sock.remote_address))
        sock.on("ready", lambda: (log("ready"), finish("connected")))
        sock.on("error", on_error)
        sock.on("close", lambda had_error: log("close", had_error))
        observe = net.set_timeout(lambda: finish("still-connecting"), sc.get("observeMs") or 3000)

        def finish(why: str) -> None:
            if state["done"]:
                return
            state["done"] = True
            observe.close()
            attempted = sock.auto_select_family_attempted_addresses
            end_at = ms()
            sock.destroy()

            def report() -> None:
                if "result" in state:
                    return
                lookup_opts = state["lookupOpts"]
                if lookup_opts is not None:
                    lookup_opts = {k: v for k, v in lookup_opts.items() if v is not None}
                state["result"] = {
                    "name": sc["name"],
                    "defaultTimeout": net.get_default_auto_select_family_attempt_timeout(),
                    "outcome": why, "at": end_at, "lookupOpts": lookup_opts,
                    "attempted": None if attempted is None else [sub(a) for a in attempted],
                    "events": events,
                }

            net.set_timeout(report, sc.get("afterMs") or 400)

    runner(main)
    result = state.get("result")
    if result is None:
        raise AssertionError(f"scenario {sc['name']} produced no result: {events}")
    return json.loads(json.dumps(result))       # tuples -> lists, as JSON would


if __name__ == "__main__":
    print(json.dumps(trace_scenario(json.loads(sys.argv[1]))))
