"""Random differential scenarios over TLS: randscen.py's scenarios on a TLS pair.

``randscen.generate(seed)`` gives the steps (the same scenario as randscen's
seed); they run over ``tls.createServer({key, cert})`` and ``tls.connect({port,
host: '127.0.0.1', ca, servername: 'localhost'})`` (the ``tlscerts`` leaf and
CA) instead of a plain TCP pair, in Node 26 and in nodenet, and the per-side
traces are compared exactly as randscen compares them.

The chain's "connected" point is the handshake: a step triggered by
``'connection'`` runs in the server's ``'secureConnection'`` listener, one
triggered by the client's ``'connect'`` (or ``connectOrClose``) at its
``'secureConnect'``. The traces record the client's ``'connect'`` (TCP) and
``'secureConnect'`` events and the server's ``'secureConnection'`` as they
happen. Everything else runs as randscen runs it, with these changes:

* ``resetAndDestroy()`` throws ``ERR_INVALID_HANDLE_TYPE`` on a TLSSocket (its
  handle is a TLSWrap, not a TCP: net.js ``Socket.prototype.resetAndDestroy``),
  so that step runs in a try/catch that records what it throws (``'throws'``)
  and then destroys the socket (the chain expects the side gone);
* ``pauseOnConnect`` goes to ``tls.createServer`` as it is: the handshake still
  runs, and the server's TLSSocket starts paused, as net's would;
* the handshake is pinned to TLS 1.2 (``maxVersion``) unless ``tls13=True``:
  under TLS 1.3 the server sends its session tickets *after* its
  ``'secureConnection'``, data the client has not asked for, so whether the
  client's socket has read them when it is paused, destroyed or closed (an
  RST instead of a FIN, ``'end'`` versus ECONNRESET on the server) is a race of
  the kernel, not a property of the scenario;
* a handshake that fails (the client ended or destroyed while connecting) has
  no ``'secureConnection'``: the server records ``'tlsClientError'`` and closes
  (the chain's later server steps never run, as in Node).

CLI: ``python tests/diff/randtls.py --seeds 0:300 [--show] [--tls13]``; as
randscen's, it runs Node twice and drops a seed whose two traces differ or that
Node does not finish in 3 s (about 4% of seeds: a client that ends or destroys
while connecting, towards a ``pauseOnConnect`` server or one whose handshake then
neither completes nor fails, leaves the server listening).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

if __name__ == "__main__":      # the CLI: the same imports as under pytest
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import nodenet as net  # noqa: E402
import nodenet.tls as tls  # noqa: E402
import randscen  # noqa: E402
from difftrace import Trace, run_node  # noqa: E402

Scenario = Dict[str, Any]
CLIENT_EVENTS = randscen.EVENTS + ["secureConnect"]
_MAIN = "\nconst srv = net.createServer("


def generate(seed: int) -> Scenario:
    """randscen's scenario of ``seed``."""
    return randscen.generate(seed)


# ----------------------------------------------------------------------------- JavaScript

def to_js(sc: Scenario, certs: Any, tls13: bool = False) -> str:
    """randscen's JavaScript, its pair made with tls and its connect points moved
    to the handshake."""
    js = randscen.to_js(sc)
    head, sep, _ = js.partition(_MAIN)
    assert sep, "randscen.to_js changed: no net.createServer block"
    old = "s.once('connect', once); s.once('close', once);"
    assert head.count(old) == 1, "randscen.to_js changed: connectOrClose"
    head = head.replace(old, "s.once('secureConnect', once); s.once('close', once);")
    for side in ("server", "client"):
        head = head.replace(f"S.{side}.resetAndDestroy();",
                            f"try {{ S.{side}.resetAndDestroy(); }} "
                            f"catch (e) {{ rec('{side}', 'throws', e); S.{side}.destroy(); }}")
    first = sc["steps"][0]
    version = "" if tls13 else ", maxVersion: 'TLSv1.2'"
    main = """
const tls = require('tls');
const CERT = %(cert)s, KEY = %(key)s, CA = %(ca)s;
const srv = tls.createServer({key: KEY, cert: CERT, allowHalfOpen: %(sh)s,
                              pauseOnConnect: %(poc)s%(ver)s}, (c) => {
  S.server = c;
  rec('server', 'secureConnection');
  watch(c, 'server', %(sev)s);
  c.on('close', () => { state('server', c); srv.close(); });
  for (const fn of waiting.splice(0)) fn();
  %(server_go)s
});
srv.on('tlsClientError', (e) => { rec('server', 'tlsClientError', e); srv.close(); });
srv.listen(0, '127.0.0.1', () => {
  const c = tls.connect({port: srv.address().port, host: '127.0.0.1', ca: CA,
                         servername: 'localhost', allowHalfOpen: %(ch)s%(hwm)s});
  S.client = c;
  watch(c, 'client', %(cev)s);
  c.on('close', () => state('client', c));
  %(client_go)s
});
""" % {"cert": json.dumps(certs.leaf), "key": json.dumps(certs.leaf_key),
       "ca": json.dumps(certs.ca), "ver": version,
       "sh": json.dumps(sc["server_half"]), "poc": json.dumps(sc["pause_on_connect"]),
       "ch": json.dumps(sc["client_half"]),
       "hwm": ("" if sc.get("client_hwm") is None
               else ", highWaterMark: %d" % sc["client_hwm"]),
       "sev": json.dumps(randscen.SERVER_EVENTS), "cev": json.dumps(CLIENT_EVENTS),
       "server_go": "step0();" if first["trigger"] == "connection" else "",
       "client_go": {"connect": "c.on('secureConnect', step0);",
                     "connecting": "step0();"}.get(first["trigger"], "")}
    return head + main


def node_trace(sc: Scenario, certs: Any, tls13: bool = False) -> Dict[str, List[Any]]:
    """Node's per-side trace (a run that does not end: an ``'other'`` entry)."""
    import subprocess
    try:
        return randscen.per_side(run_node(to_js(sc, certs, tls13), deadline_ms=3000))
    except subprocess.TimeoutExpired:
        return {"other": [["node did not exit"]]}


# ----------------------------------------------------------------------------- Python

class _Side:
    """A TLSSocket as randscen's scenario sees it: ``on``/``once('connect')`` wait
    for ``'secureConnect'``, and ``reset_and_destroy()``'s throw is recorded
    (then the socket destroyed).
    Everything else is the socket's own."""

    def __init__(self, sock: Any, t: Trace, side: str) -> None:
        object.__setattr__(self, "_real", sock)
        object.__setattr__(self, "_t", t)
        object.__setattr__(self, "_side", side)

    def on(self, event: str, fn: Callable[..., Any]) -> Any:
        return self._real.on("secureConnect" if event == "connect" else event, fn)

    def once(self, event: str, fn: Callable[..., Any]) -> Any:
        return self._real.once("secureConnect" if event == "connect" else event, fn)

    def reset_and_destroy(self) -> Any:
        try:
            return self._real.reset_and_destroy()
        except Exception as e:  # (Node's try/catch around it)
            self._t.rec(self._side, "throws", e)
            self._real.destroy()
            return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._real, name, value)


class _Trace(Trace):
    """The trace: a watch sees the socket's real events, the client's
    ``'secureConnect'`` too."""

    def watch(self, emitter: Any, name: str, events: List[str]) -> None:
        real = getattr(emitter, "_real", emitter)
        if name == "client":
            events = CLIENT_EVENTS
        super().watch(real, name, events)


class _TlsNet:
    """What randscen's Python scenario calls ``net`` while it runs over TLS: its
    ``create_server`` and ``connect`` make the TLS pair, the rest is nodenet's."""

    def __init__(self, certs: Any, t: Trace, tls13: bool) -> None:
        self._certs, self._t, self._tls13 = certs, t, tls13

    def __getattr__(self, name: str) -> Any:
        return getattr(net, name)

    def create_server(self, opts: Dict[str, Any], on_conn: Callable[[Any], None]) -> Any:
        o = {"key": self._certs.leaf_key, "cert": self._certs.leaf,
             "allowHalfOpen": opts["allowHalfOpen"],
             "pauseOnConnect": opts["pauseOnConnect"]}
        if not self._tls13:
            o["maxVersion"] = "TLSv1.2"

        def on_secure(c: Any) -> None:
            self._t.rec("server", "secureConnection")
            on_conn(_Side(c, self._t, "server"))

        def on_client_error(e: Any, _sock: Any) -> None:
            self._t.rec("server", "tlsClientError", e)
            srv.close()
        srv = tls.create_server(o, on_secure)
        srv.on("tlsClientError", on_client_error)
        return srv

    def connect(self, opts: Dict[str, Any]) -> Any:
        o = dict(opts, ca=self._certs.ca, servername="localhost")
        return _Side(tls.connect(o), self._t, "client")


def python_trace(sc: Scenario, certs: Any, tls13: bool = False,
                 timeout: float = 5.0) -> Dict[str, List[Any]]:
    """nodenet's per-side trace, taken when its loop stops being alive (as
    randscen.python_trace); randscen's scenario runs with :class:`_TlsNet` as its
    ``net``."""
    from nodenet._loop import _Waiter
    t = _Trace()
    frozen: List[Any] = []

    class Exit(_Waiter):
        def set(self, result: Any = None, error: Any = None) -> None:
            frozen.append(t.result())
            super().set(result, error)

    loop = net.get_loop()
    waiter = Exit()
    scenario = randscen.py_scenario(sc)
    saved = randscen.net
    randscen.net = _TlsNet(certs, t, tls13)  # type: ignore[assignment]

    def start() -> None:
        loop._run_waiters.append(waiter)
        scenario(t)

    try:
        loop.post(start)
        if not waiter.event.wait(timeout):
            loop.stop()
            loop.join(5.0)
            raise AssertionError(f"the nodenet loop did not empty in {timeout}s")
    finally:
        randscen.net = saved
    if waiter.error is not None:
        raise waiter.error
    return randscen.per_side(frozen[0])


# ----------------------------------------------------------------------------- CLI

def _main(argv: List[str]) -> int:
    import argparse

    import nodes
    from tlscerts import maybe_make_certs
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="0:100", help="start:stop (or one seed)")
    ap.add_argument("--show", action="store_true", help="print every scenario's JS")
    ap.add_argument("--tls13", action="store_true",
                    help="let the handshake be TLS 1.3 (session tickets race: see the docstring)")
    ns = ap.parse_args(argv)
    seeds = randscen.parse_seeds(ns.seeds)
    if nodes.BINARIES["26"] is None:
        print(nodes.missing_reason("26"))
        return 2
    certs = maybe_make_certs(tempfile.mkdtemp(prefix="randtls-"))
    if certs is None:
        print("the openssl command is not installed")
        return 2
    differ: List[int] = []
    unstable: List[int] = []
    with nodes.use("26"):
        for seed in seeds:
            sc = generate(seed)
            if ns.show:
                print(to_js(sc, certs, ns.tls13))
            first = node_trace(sc, certs, ns.tls13)
            if first != node_trace(sc, certs, ns.tls13) or "other" in first:
                unstable.append(seed)
                continue
            loop = net.Loop()
            previous = net.set_loop(loop)
            diff: Optional[str]
            try:
                got = python_trace(sc, certs, ns.tls13)
                diff = randscen.compare(first, got)
            except AssertionError as e:
                diff = f"nodenet failed: {e}"
            except Exception as e:  # noqa: BLE001 (a throw out of the scenario)
                diff = f"nodenet raised: {e!r}"
            finally:
                loop.close()
                net.set_loop(previous)
            if diff is not None:
                differ.append(seed)
                print(randscen.describe(sc))
                print(diff)
                print()
            sys.stdout.flush()
    print(f"seeds run: {len(seeds)}; unstable in Node (dropped): {unstable}; "
          f"differ: {differ}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
