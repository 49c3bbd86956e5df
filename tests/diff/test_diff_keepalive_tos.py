"""Differential: what setKeepAlive and setTypeOfService leave on the socket.

Node 26's ``setKeepAlive(enable, initialDelay, interval, count)`` (and its
options form) and ``setTypeOfService``, read back with ``getsockopt`` on Node's
own sockets (tests/sockpeek.py) and on nodenet's: SO_KEEPALIVE, TCP_KEEPIDLE,
TCP_KEEPINTVL, TCP_KEEPCNT and IP_TOS / IPV6_TCLASS must be the same. Each row
runs before the connection exists (the value is kept and applied at connect)
and after it. Node 20 ignores interval and count and has no options form: rows
that use them, and the type-of-service rows (added in Node 24.15), run against
Node 26 only (docs/compat.md).
"""

from __future__ import annotations

import json
import select
import subprocess
import textwrap
import threading
from typing import Any, Callable, Dict, List, Tuple

import pytest

import nodenet as net
import nodes
import sockpeek
from support import run

pytestmark = [pytest.mark.node,
              pytest.mark.skipif(not sockpeek.available(), reason="needs Linux pidfd_getfd")]

Row = Tuple[str, str, Callable[[net.Socket], Any], bool]
NAN = float("nan")


class _Thing:
    """A plain object that is no mapping (JavaScript: an instance of an empty class)."""

# (label, JavaScript call on c, Python call on c, Node 20 agrees)
KEEPALIVE: List[Row] = [
    ("on", "c.setKeepAlive(true)", lambda c: c.set_keep_alive(True), True),
    ("on 5000", "c.setKeepAlive(true, 5000)", lambda c: c.set_keep_alive(True, 5000), True),
    ("on 5999.9", "c.setKeepAlive(true, 5999.9)", lambda c: c.set_keep_alive(True, 5999.9), True),
    ("on 999", "c.setKeepAlive(true, 999)", lambda c: c.set_keep_alive(True, 999), True),
    ("on -5000", "c.setKeepAlive(true, -5000)", lambda c: c.set_keep_alive(True, -5000), True),
    ("on NaN", "c.setKeepAlive(true, NaN)", lambda c: c.set_keep_alive(True, NAN), True),
    ("on 1e30", "c.setKeepAlive(true, 1e30)", lambda c: c.set_keep_alive(True, 1e30), True),
    ("on '5000'", "c.setKeepAlive(true, '5000')", lambda c: c.set_keep_alive(True, "5000"),
     True),
    ("int32 wrap", "c.setKeepAlive(true, 4294972296000)",
     lambda c: c.set_keep_alive(True, 4294972296000), True),
    ("huge int", "c.setKeepAlive(true, 2147483647000)",
     lambda c: c.set_keep_alive(True, 2147483647000), True),
    ("1, 5000", "c.setKeepAlive(1, 5000)", lambda c: c.set_keep_alive(1, 5000), True),
    ("null", "c.setKeepAlive(null, 5000)", lambda c: c.set_keep_alive(None, 5000), True),
    ("on then off", "c.setKeepAlive(true, 5000); c.setKeepAlive(false)",
     lambda c: (c.set_keep_alive(True, 5000), c.set_keep_alive(False)), True),
    ("on then on 0", "c.setKeepAlive(true, 5000); c.setKeepAlive(true)",
     lambda c: (c.set_keep_alive(True, 5000), c.set_keep_alive(True)), True),
    ("all four", "c.setKeepAlive(true, 5000, 2000, 3)",
     lambda c: c.set_keep_alive(True, 5000, 2000, 3), False),
    ("keywords", "c.setKeepAlive(true, 5000, 2000, 3)",
     lambda c: c.set_keep_alive(enable=True, initial_delay=5000, interval=2000, count=3),
     False),
    ("options", "c.setKeepAlive({enable: true, initialDelay: 7000, interval: 3000, count: 4})",
     lambda c: c.set_keep_alive({"enable": True, "initialDelay": 7000, "interval": 3000,
                                 "count": 4}), False),
    ("options snake", "c.setKeepAlive({enable: true, initialDelay: 7000, interval: 3000})",
     lambda c: c.set_keep_alive({"enable": True, "initial_delay": 7000, "interval": 3000}),
     False),
    ("options enable only", "c.setKeepAlive({enable: true})",
     lambda c: c.set_keep_alive({"enable": True}), False),
    ("options no enable", "c.setKeepAlive({initialDelay: 5000})",
     lambda c: c.set_keep_alive({"initialDelay": 5000}), False),
    ("options null interval", "c.setKeepAlive({enable: true, initialDelay: 5000, interval: null})",
     lambda c: c.set_keep_alive({"enable": True, "initialDelay": 5000, "interval": None}),
     False),
    ("zero delay", "c.setKeepAlive(true, 0, 2000, 3)",
     lambda c: c.set_keep_alive(True, 0, 2000, 3), False),
    ("zero interval", "c.setKeepAlive(true, 5000, 0, 3)",
     lambda c: c.set_keep_alive(True, 5000, 0, 3), False),
    ("sub-second interval", "c.setKeepAlive(true, 5000, 500, 3)",
     lambda c: c.set_keep_alive(True, 5000, 500, 3), False),
    ("zero count", "c.setKeepAlive(true, 5000, 2000, 0)",
     lambda c: c.set_keep_alive(True, 5000, 2000, 0), False),
    ("interval only", "c.setKeepAlive(true, 5000, 2500)",
     lambda c: c.set_keep_alive(True, 5000, 2500), False),
    ("count only", "c.setKeepAlive(true, 5000, undefined, 3)",
     lambda c: c.set_keep_alive(True, 5000, None, 3), False),
    ("negative interval", "c.setKeepAlive(true, 5000, -2000, 3)",
     lambda c: c.set_keep_alive(True, 5000, -2000, 3), False),
    ("NaN interval", "c.setKeepAlive(true, 5000, NaN, 3)",
     lambda c: c.set_keep_alive(True, 5000, NAN, 3), False),
    ("huge interval", "c.setKeepAlive(true, 5000, 40000000, 3)",
     lambda c: c.set_keep_alive(True, 5000, 40000000, 3), False),
    ("count 3.7", "c.setKeepAlive(true, 5000, 2000, 3.7)",
     lambda c: c.set_keep_alive(True, 5000, 2000, 3.7), False),
    ("count -1", "c.setKeepAlive(true, 5000, 2000, -1)",
     lambda c: c.set_keep_alive(True, 5000, 2000, -1), False),
    ("count '4'", "c.setKeepAlive(true, 5000, 2000, '4')",
     lambda c: c.set_keep_alive(True, 5000, 2000, "4"), False),
    ("count 200", "c.setKeepAlive(true, 5000, 2000, 200)",
     lambda c: c.set_keep_alive(True, 5000, 2000, 200), False),
    ("count 2**32+3", "c.setKeepAlive(true, 5000, 2000, 2**32 + 3)",
     lambda c: c.set_keep_alive(True, 5000, 2000, 2**32 + 3), False),
    ("count 10**400", "c.setKeepAlive(true, 5000, 2000, Infinity)",
     lambda c: c.set_keep_alive(True, 5000, 2000, 10**400), False),
    ("four then two", "c.setKeepAlive(true, 5000, 2000, 3); c.setKeepAlive(true, 6000)",
     lambda c: (c.set_keep_alive(True, 5000, 2000, 3), c.set_keep_alive(True, 6000)), False),
    # any object is the options form (here with no enable: off), not a truthy enable
    ("on then array", "c.setKeepAlive(true, 5000); c.setKeepAlive([])",
     lambda c: (c.set_keep_alive(True, 5000), c.set_keep_alive([])), False),
    ("on then buffer", "c.setKeepAlive(true, 5000); c.setKeepAlive(Buffer.from('x'))",
     lambda c: (c.set_keep_alive(True, 5000), c.set_keep_alive(b"x")), False),
    ("on then instance", "c.setKeepAlive(true, 5000); c.setKeepAlive(new (class {})())",
     lambda c: (c.set_keep_alive(True, 5000), c.set_keep_alive(_Thing())), False),
    ("same twice", "c.setKeepAlive(true, 5000, 2000, 3); c.setKeepAlive(true, 5000, 2000, 3)",
     lambda c: (c.set_keep_alive(True, 5000, 2000, 3), c.set_keep_alive(True, 5000, 2000, 3)),
     False),
]

TOS: List[Row] = [
    ("tos 0x10", "c.setTypeOfService(0x10)", lambda c: c.set_type_of_service(0x10), False),
    ("tos 0xff", "c.setTypeOfService(0xff)", lambda c: c.set_type_of_service(0xff), False),
    ("tos ecn 3", "c.setTypeOfService(3)", lambda c: c.set_type_of_service(3), False),
    ("tos twice", "c.setTypeOfService(8); c.setTypeOfService(0x20)",
     lambda c: (c.set_type_of_service(8), c.set_type_of_service(0x20)), False),
]

JS = """
const net = require('net');
const rows = %(rows)s;
const out = {ports: {}, thrown: {}};
let pending = 0;
function connectAll(label, port, host) {
  for (const when of ['before', 'after']) {
    pending++;
    const key = label + ' ' + when;
    const c = net.connect(port, host);
    const apply = () => { try { rows[label](c); } catch (e) { out.thrown[key] = e.code; } };
    if (when === 'before') apply();
    c.on('connect', () => {
      if (when === 'after') apply();
      out.ports[key] = c.localPort;
      if (--pending === 0) process.stdout.write(JSON.stringify(out) + '\\n');
    });
  }
}
const srv = net.createServer(() => {});
srv.listen(0, %(host)s, () => {
  for (const label of Object.keys(rows)) connectAll(label, srv.address().port, %(host)s);
});
process.stdin.on('data', () => process.exit(0));
"""


def node_options(rows: List[Row], host: str) -> Dict[str, Any]:
    body = "{" + ",".join(f"{json.dumps(label)}: (c) => {{ {js}; }}"
                          for label, js, _py, _agree in rows) + "}"
    script = textwrap.dedent(JS % {"rows": body, "host": json.dumps(host)})
    proc = subprocess.Popen([nodes.current(), "-e", script], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        ready, _w, _x = select.select([proc.stdout], [], [], 20)
        assert ready, "node printed nothing within 20 s"
        out = json.loads(proc.stdout.readline())
        socks = sockpeek.tcp_sockets(proc.pid)
        try:
            result = {key: sockpeek.options(socks[port][0]) for key, port in out["ports"].items()}
        finally:
            for group in socks.values():
                for s in group:
                    s.close()
        result.update({key + " threw": code for key, code in out["thrown"].items()})
        proc.stdin.write("done\n")
        proc.stdin.flush()
        proc.wait(10)
        return result
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                pipe.close()


def nodenet_options(rows: List[Row], host: str) -> Dict[str, Any]:
    result: Dict[str, Any] = {}
    sockets: List[net.Socket] = []
    done = threading.Event()

    def main() -> None:
        srv = net.create_server(lambda s: sockets.append(s))
        pending = [0]

        def connect_all(label: str, call: Callable[[net.Socket], Any]) -> None:
            for when in ("before", "after"):
                pending[0] += 1
                key = f"{label} {when}"
                c = net.connect(srv.address()["port"], host)
                sockets.append(c)

                def apply(c: net.Socket = c, key: str = key) -> None:
                    try:
                        call(c)
                    except Exception as exc:  # noqa: BLE001 - recorded, compared with Node
                        result[key + " threw"] = getattr(exc, "code", repr(exc))
                if when == "before":
                    apply()

                def on_connect(c: net.Socket = c, key: str = key, when: str = when,
                               apply: Callable[[], None] = apply) -> None:
                    if when == "after":
                        apply()
                    result[key] = sockpeek.own_options(c.fileno())
                    pending[0] -= 1
                    if pending[0] == 0:
                        for s in sockets:
                            s.destroy()
                        srv.close()
                        done.set()
                c.on("connect", on_connect)

        def listening() -> None:
            for label, _js, call, _agree in rows:
                connect_all(label, call)
        srv.listen(0, host, listening)

    run(main, 20)
    assert done.is_set()
    return result


@pytest.mark.parametrize("table", ["keepalive", "tos-v4", "tos-v6"])
def test_socket_options_match_node(table: str) -> None:
    from conftest import HAS_IPV6
    if table == "tos-v6" and not HAS_IPV6:
        pytest.skip("no IPv6")
    rows = KEEPALIVE if table == "keepalive" else TOS
    if nodes.current_major() == "20":
        rows = [row for row in rows if row[3]]
        if not rows:
            pytest.skip("Node 20 has no setTypeOfService")
    host = "::1" if table == "tos-v6" else "127.0.0.1"
    expected = node_options(rows, host)
    got = nodenet_options(rows, host)
    differ = {k: (expected.get(k), got.get(k)) for k in sorted(set(expected) | set(got))
              if expected.get(k) != got.get(k)}
    assert not differ, f"(node, nodenet) where they differ: {differ}"
