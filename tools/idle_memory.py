"""Exact memory per idle connection: Python's own allocations, from ``tracemalloc``.

``python tools/idle_memory.py [--conns N] [NAME ...]`` (CPython only; names are
the echo servers of ``tools/bench_servers.py``, default ``nodenet``,
``nodenet-data`` and ``asyncio-protocol``).

``make bench`` reports the RSS growth per idle connection, which also counts
the allocator's free lists and arenas: it moves by ±0.2 KiB from one run to the
next with what freed memory the allocator can reuse. This counts what the
server's Python code holds for each connection, to the byte: each server runs
in a child process under ``tracemalloc``, the load generator
(``../shared/tools/loadgen.c``) opens N connections, echoes one byte on each
and holds them, and the child reports the growth of traced memory since it
started listening, divided by N. The allocator's rounding (each object up to a
multiple of 16 bytes) is not counted.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Dict, List, Optional

TOOLS = Path(__file__).resolve().parent
DEFAULT_SERVERS = ("nodenet", "nodenet-data", "asyncio-protocol")
METRIC = "bytes per idle connection (tracemalloc, {conns})"


def child(name: str, conns: int) -> None:
    """Run echo server ``name`` under tracemalloc; when stdin says the
    connections are held, print the traced bytes per connection."""
    import tracemalloc      # here, not at the top: PyPy has no tracemalloc

    sys.path.insert(0, str(TOOLS))
    import bench_servers

    tracemalloc.start()
    baseline: List[int] = []

    def announce(port: int) -> None:
        gc.collect()
        baseline.append(tracemalloc.get_traced_memory()[0])
        print(f"PORT={port}", flush=True)

    bench_servers.announce = announce
    threading.Thread(target=bench_servers.SERVERS[name], args=(0,), daemon=True).start()
    sys.stdin.readline()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - baseline[0]
    print(f"BYTES={grown / conns:.1f}", flush=True)


def measure(loadgen: str, name: str, conns: int) -> float:
    """Bytes per idle connection of echo server ``name``, with ``conns`` held."""
    proc = subprocess.Popen([sys.executable, __file__, "--child", name, "--conns", str(conns)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        line = proc.stdout.readline()
        if not line.startswith("PORT="):
            raise RuntimeError(f"{name}: no port ({line!r})")
        port = line.strip().split("=", 1)[1]
        gen = subprocess.Popen([loadgen, "idle", "127.0.0.1", port, str(conns), "60"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert gen.stdout is not None
        try:
            held = gen.stdout.readline()      # every connection open and echoed once
            if not held.startswith("mode=idle"):
                raise RuntimeError(f"{name}: the load generator failed ({held!r})")
            proc.stdin.write("measure\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            if not line.startswith("BYTES="):
                raise RuntimeError(f"{name}: no measurement ({line!r})")
            return float(line.strip().split("=", 1)[1])
        finally:
            gen.kill()
            gen.wait()
    finally:
        proc.kill()
        proc.wait()


def measure_all(loadgen: str, names: List[str], conns: int) -> Dict[str, float]:
    """:func:`measure` for each server, one at a time."""
    return {name: measure(loadgen, name, conns) for name in names}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="echo servers (tools/bench_servers.py)")
    parser.add_argument("--conns", type=int, default=4000, help="connections held (4000)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.conns)
        return 0
    if sys.implementation.name != "cpython":
        print("tracemalloc counts CPython's allocations: run this with CPython",
              file=sys.stderr)
        return 2
    sys.path.insert(0, str(TOOLS))
    import bench

    with tempfile.TemporaryDirectory() as workdir:
        loadgen = bench.build_loadgen(workdir)
        names = args.names or list(DEFAULT_SERVERS)
        for name, value in measure_all(loadgen, names, args.conns).items():
            print(f"{name}: {value:,.0f} {METRIC.format(conns=args.conns)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
