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

Ratios are against the bare selectors loop (the pure-Python limit) and asyncio
Protocol. Numbers vary from run to run; compare the ratios of one run.
These are measurements, never test assertions.
"""

from __future__ import annotations

import argparse
import os
import shutil
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


def measure(name: str, binary: str, quick: bool) -> Dict[str, Optional[float]]:
    proc, port = start_server(name)
    result: Dict[str, Optional[float]] = {}
    seconds = 1 if quick else 3
    try:
        loadgen(binary, "pingpong", "127.0.0.1", port, 10, 64, 0.5)   # warm-up
        runs = [
            ("bulk MiB/s", ("bulk", "127.0.0.1", port, 300 if quick else 1000, 65536), "mib_per_s"),
            ("pingpong x1 rt/s", ("pingpong", "127.0.0.1", port, 1, 64, seconds), "rt_per_s"),
            ("pingpong x100 rt/s", ("pingpong", "127.0.0.1", port, 100, 64, seconds), "rt_per_s"),
            ("accepts/s", ("churn", "127.0.0.1", port, 3000 if quick else 10000, 50),
             "conns_per_s"),
        ]
        for label, args, key in runs:
            best = 0.0
            for _ in range(1 if quick else 3):
                best = max(best, float(loadgen(binary, *args)[key]))
            result[label] = best
        result["KiB/idle conn"] = idle_memory(binary, proc, port, 2000 if quick else 10000)
    finally:
        proc.kill()
        proc.wait()
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--only", default="", help="comma-separated implementations")
    args = parser.parse_args(argv)
    names = [n for n in (args.only.split(",") if args.only else IMPLEMENTATIONS) if n]
    if "node" in names and shutil.which("node") is None:
        names.remove("node")
    results: Dict[str, Dict[str, Optional[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="nodenet-bench-") as workdir:
        binary = build_loadgen(workdir)
        for name in names:
            print(f"measuring {name}...", file=sys.stderr, flush=True)
            results[name] = measure(name, binary, args.quick)
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
