"""Benchmarks: nodenet side by side with asyncio, a bare selectors loop and Node.

Usage: ``make bench`` or ``python tools/bench.py [--quick] [--only NAME,...]``.

Every implementation serves the same echo (``tools/bench_servers.py``; Node runs
the docs' ``c.pipe(c)``) in its own process on 127.0.0.1, and the same C load
generator (``../shared/tools/loadgen.c``, built into a temporary directory) drives
it, so the client costs the same for all. Reported per implementation:

* bulk echo throughput (MiB/s, one connection, 64 KiB writes);
* ping-pong round trips per second with 1 and with 100 connections (64 bytes);
* connections accepted per second (connect, 8 bytes each way, close);
* memory per idle connection (KiB, from the server's RSS with 10,000 open).

All servers run at once (an idle server costs nothing) and the measurements
are interleaved: each round runs every implementation once, in a rotating
order, and the median of the rounds is reported. On a shared or virtual
machine whose speed drifts over minutes, this keeps one implementation from
getting the fast minutes and another the slow ones. Memory is measured last,
one server at a time.

Ratios are against the bare selectors loop (the pure-Python limit) and asyncio
Protocol. Numbers vary from run to run; compare the ratios of one run.
These are measurements, never test assertions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
LOADGEN_SRC = ROOT.parent / "shared" / "tools" / "loadgen.c"
NODE_ECHO = r"""
const net = require('net');
const srv = net.createServer((c) => { c.on('error', () => {}); c.pipe(c); });
srv.listen(0, '127.0.0.1', () => console.log('PORT=' + srv.address().port));
"""
IMPLEMENTATIONS = ["nodenet", "asyncio-protocol", "asyncio-streams", "selectors", "node"]


def build_loadgen(workdir: str) -> str:
    source = Path(os.environ.get("NODENET_LOADGEN_SRC", LOADGEN_SRC))
    binary = os.path.join(workdir, "loadgen")
    subprocess.run(["gcc", "-O2", "-o", binary, str(source)], check=True)
    return binary


def start_server(name: str) -> Tuple[subprocess.Popen, int]:  # type: ignore[type-arg]
    if name == "node":
        cmd = ["node", "-e", NODE_ECHO]
    else:
        cmd = [sys.executable, str(ROOT / "tools" / "bench_servers.py"), name]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT="):
        proc.kill()
        raise RuntimeError(f"{name} server did not start: {line!r}")
    return proc, int(line.strip().split("=", 1)[1])


def loadgen(binary: str, *args: object, timeout: float = 120) -> Dict[str, str]:
    out = subprocess.run([binary, *map(str, args)], capture_output=True, text=True,
                         timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"loadgen {args[0]} failed: {out.stderr.strip()}")
    return dict(field.split("=", 1) for field in out.stdout.split())


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def idle_memory(binary: str, proc: subprocess.Popen, port: int, conns: int) -> float:  # type: ignore[type-arg]
    before = rss_kib(proc.pid)
    gen = subprocess.Popen([binary, "idle", "127.0.0.1", str(port), str(conns), "3"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert gen.stdout is not None
    line = gen.stdout.readline()
    if not line.startswith("mode=idle"):
        gen.kill()
        raise RuntimeError(f"idle run failed: {gen.stderr.read() if gen.stderr else ''}")
    time.sleep(0.5)
    during = rss_kib(proc.pid)
    gen.wait(60)
    return (during - before) / conns


def throughput_runs(port: int, quick: bool) -> List[Tuple[str, Tuple[object, ...], str]]:
    seconds = 1 if quick else 2
    return [
        ("bulk MiB/s", ("bulk", "127.0.0.1", port, 300 if quick else 1000, 65536), "mib_per_s"),
        ("pingpong x1 rt/s", ("pingpong", "127.0.0.1", port, 1, 64, seconds), "rt_per_s"),
        ("pingpong x100 rt/s", ("pingpong", "127.0.0.1", port, 100, 64, seconds), "rt_per_s"),
        ("accepts/s", ("churn", "127.0.0.1", port, 3000 if quick else 5000, 50),
         "conns_per_s"),
    ]


def measure_all(names: List[str], binary: str, quick: bool,
                rounds: int) -> Dict[str, Dict[str, Optional[float]]]:
    """Interleaved rounds over every server, then idle memory one at a time."""
    servers = {name: start_server(name) for name in names}
    samples: Dict[str, Dict[str, List[float]]] = {name: {} for name in names}
    try:
        for name, (_, port) in servers.items():
            loadgen(binary, "pingpong", "127.0.0.1", port, 10, 64, 0.5)   # warm-up
            loadgen(binary, "churn", "127.0.0.1", port, 500, 20)
        labels = [label for label, _, _ in throughput_runs(0, quick)]
        for index, label in enumerate(labels):
            print(f"  {label}...", file=sys.stderr, flush=True)
            for r in range(rounds):
                order = names[r % len(names):] + names[:r % len(names)]
                for name in order:
                    port = servers[name][1]
                    _, args, key = throughput_runs(port, quick)[index]
                    value = float(loadgen(binary, *args)[key])
                    samples[name].setdefault(label, []).append(value)
        results: Dict[str, Dict[str, Optional[float]]] = {}
        for name, (proc, port) in servers.items():
            results[name] = {label: statistics.median(values)
                             for label, values in samples[name].items()}
            results[name]["KiB/idle conn"] = idle_memory(
                binary, proc, port, 2000 if quick else 10000)
        return results
    finally:
        for proc, _ in servers.values():
            proc.kill()
            proc.wait()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--only", default="", help="comma-separated implementations")
    parser.add_argument("--rounds", type=int, default=0,
                        help="interleaved rounds per measurement (default 5; 2 with --quick)")
    args = parser.parse_args(argv)
    names = [n for n in (args.only.split(",") if args.only else IMPLEMENTATIONS) if n]
    if "node" in names and shutil.which("node") is None:
        names.remove("node")
    with tempfile.TemporaryDirectory(prefix="nodenet-bench-") as workdir:
        binary = build_loadgen(workdir)
        print(f"measuring {', '.join(names)} (interleaved)...", file=sys.stderr, flush=True)
        results = measure_all(names, binary, args.quick,
                              args.rounds or (2 if args.quick else 5))
    metrics = list(next(iter(results.values())).keys())
    width = max(len(n) for n in names) + 2
    print(f"{'':{width}}" + "".join(f"{m:>20}" for m in metrics))
    for name in names:
        row = results[name]
        print(f"{name:{width}}" + "".join(f"{(row[m] or 0):>20.1f}" for m in metrics))
    for base in ("selectors", "asyncio-protocol"):
        if base in results and "nodenet" in results:
            print(f"\nnodenet / {base}:")
            for m in metrics:
                a, b = results["nodenet"][m], results[base][m]
                if a and b:
                    print(f"  {m:<20} {a / b:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
