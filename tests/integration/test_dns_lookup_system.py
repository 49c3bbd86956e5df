"""``nodenet.dns.lookup`` through the system resolver, for 'localhost' only.

Nothing here leaves the machine: the names are 'localhost' (from /etc/hosts) and
IP literals. What 'localhost' resolves to depends on the system, so the answers
are compared with real Node (26 and 20) on the same machine when installed
(Node calls the same getaddrinfo with the same flags), and otherwise only
checked for their shape.
"""

from __future__ import annotations

import json
import subprocess
import threading
from typing import Any, Dict, List, Tuple

import pytest

import nodenet as net
from nodenet import dns

import nodes
from support import Calls, run

OPTION_SETS: List[Dict[str, Any]] = [
    {"all": True},
    {"all": True, "family": 4},
    {"all": True, "family": 6},
    {"family": 4},
    {"family": 6},
    {},
    {"all": True, "hints": dns.ADDRCONFIG},
    {"all": True, "order": "ipv4first"},
    {"all": True, "order": "ipv6first"},
    {"all": True, "family": 6, "hints": dns.V4MAPPED},
    {"all": True, "family": 6, "hints": dns.V4MAPPED | dns.ALL},
]


def _py_lookups(hostname: str) -> List[Any]:
    results: List[Any] = [None] * len(OPTION_SETS)
    threads: List[bool] = []

    def main() -> None:
        for i, options in enumerate(OPTION_SETS):
            def cb(err: Any, *rest: Any, i: int = i) -> None:
                threads.append(net.get_loop().in_loop_thread())
                if err is not None:
                    results[i] = {"code": err.code, "message": str(err),
                                  "syscall": err.syscall, "hostname": err.hostname}
                else:
                    results[i] = {"result": list(rest)}
            dns.lookup(hostname, dict(options), cb)

    run(main, timeout=15)
    assert threads == [True] * len(OPTION_SETS)
    return results


def _node_lookups(hostname: str) -> List[Any]:
    script = """
    const dns = require('dns');
    const sets = %s;
    const out = new Array(sets.length);
    let left = sets.length;
    sets.forEach((o, i) => dns.lookup(%s, o, (err, ...rest) => {
      out[i] = err ? {code: err.code, message: err.message, syscall: err.syscall,
                      hostname: err.hostname}
                   : {result: rest};
      if (--left === 0) console.log(JSON.stringify(out));
    }));
    """ % (json.dumps(OPTION_SETS), json.dumps(hostname))
    proc = subprocess.run([nodes.current(), "-e", script], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_localhost_answers_have_nodes_shape() -> None:
    results = _py_lookups("localhost")
    for options, result in zip(OPTION_SETS, results):
        assert result is not None
        if "code" in result:
            assert result["code"] in ("ENOTFOUND", "EAI_AGAIN")
            assert result["message"] == f"getaddrinfo {result['code']} localhost"
            assert result["syscall"] == "getaddrinfo"
            assert result["hostname"] == "localhost"
            assert options.get("family") == 6        # only IPv6 may be missing
            continue
        if options.get("all"):
            (entries,) = result["result"]
            assert entries, options
            for entry in entries:
                assert set(entry) == {"address", "family"}
                assert entry["family"] == (options.get("family") or net.is_ip(entry["address"]))
        else:
            address, family = result["result"]
            assert net.is_ip(address) in (4, 6)
            assert family == (options.get("family") or net.is_ip(address))


@pytest.mark.node
def test_localhost_matches_node() -> None:
    py = _py_lookups("localhost")
    js = _node_lookups("localhost")
    for options, mine, nodes in zip(OPTION_SETS, py, js):
        assert mine == nodes, options


def test_localhost_order_options_are_permutations() -> None:
    base, v4first, v6first = (_py_lookups("localhost")[i] for i in (0, 7, 8))
    entries: List[Dict[str, Any]] = base["result"][0]
    key = lambda e: (e["address"], e["family"])  # noqa: E731
    assert sorted(map(key, v4first["result"][0])) == sorted(map(key, entries))
    fams4 = [e["family"] for e in v4first["result"][0]]
    fams6 = [e["family"] for e in v6first["result"][0]]
    assert fams4 == sorted(fams4)
    assert fams6 == sorted(fams6, reverse=True)


def test_real_lookup_uses_a_worker_and_cleans_up(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = net.get_loop()
    got = Calls()
    names: List[str] = []
    real = dns._getaddrinfo

    def spy(*args: Any) -> Any:
        names.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(dns, "_getaddrinfo", spy)
    run(lambda: dns.lookup("localhost", {"all": True}, got), timeout=15)
    assert got.count == 1 and got.calls[0][0] is None
    assert names == ["nodenet-worker"]
    assert loop.pool is not None
    loop.close()
    assert not [t for t in threading.enumerate() if t.name == "nodenet-worker" and t.is_alive()]


def _literal(host: str) -> Tuple[Any, ...]:
    got = Calls()
    run(lambda: dns.lookup(host, {"all": True}, got), timeout=5)
    return got.calls[0]


def test_ip_literals_never_reach_the_resolver() -> None:
    assert _literal("127.0.0.1") == (None, [{"address": "127.0.0.1", "family": 4}])
    assert _literal("::1") == (None, [{"address": "::1", "family": 6}])
    assert net.get_loop().pool is None
