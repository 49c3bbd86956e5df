"""Benchmarks: nodenet beside asyncio, a bare selectors loop and Node, with
real clients and with the echo load generator, interleaved in one run.

Usage: ``make bench`` or ``python tools/bench.py [--quick] [--rounds N]
[--only NAME,...] [--skip echo,real,client,memory] [--json FILE]``.

Three suites, every measurement interleaved with the others (each round runs
every workload once on every implementation, in a rotating order; the median
of the rounds is reported), so a machine whose speed drifts skews no one:

* **real clients** (``tools/bench_real.py``): the RESP and HTTP/1.1 example
  servers of docs/examples/ on nodenet, asyncio Protocol (same Python parser)
  and Node ``net`` (same logic in JS), on CPython and PyPy, one process and two
  (``--reuse-port``), driven by ``redis-benchmark`` (-c 50 -P 1 GET, -P 16 SET),
  ``wrk`` (-c 50, keep-alive), ``ab -k`` and ``ab`` without keep-alive (a
  connection per request). Reported: requests/s and the **server's CPU time
  per request** from its ``/proc`` CPU counters before and after the run;
* **client**: the RESP client examples (nodenet and asyncio, same parser)
  pipelining SET/GET in batches of 16 to a real ``redis-server``: requests/s
  and the client's own CPU time per request;
* **echo** (``tools/bench_servers.py``, driven by ``../shared/tools/loadgen.c``):
  bulk MiB/s, ping-pong round trips/s with 1 and 100 connections, accepted
  connections/s; then, one server at a time, memory per idle connection (RSS
  with 10,000 connections held by the load generator, another process) and,
  on CPython, the exact bytes the server's Python code holds per connection
  (``tools/idle_memory.py``: ``tracemalloc``, 4,000 connections).

Tools that are not installed are skipped (``redis-benchmark`` and
``redis-server`` from redis-tools/redis-server, ``wrk``, ``ab`` from
apache2-utils, ``pypy3``, ``node``; Node 26 from ``.cache/node26`` or
``$NODENET_NODE26``). These are measurements, never test assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_real as real  # noqa: E402
from idle_memory import METRIC as TRACED_METRIC  # noqa: E402
from idle_memory import measure as idle_memory_exact  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LOADGEN_SRC = ROOT.parent / "shared" / "tools" / "loadgen.c"
NODE_ECHO = r"""
const net = require('net');
const srv = net.createServer((c) => { c.on('error', () => {}); c.pipe(c); });
srv.listen(0, '127.0.0.1', () => console.log('PORT=' + srv.address().port));
"""
Results = Dict[str, Dict[str, List[float]]]      # implementation -> metric -> samples


# -- the echo suite ------------------------------------------------------------------

def echo_commands() -> Dict[str, List[str]]:
    """Echo server name -> command, for what this machine has."""
    tool = str(ROOT / "tools" / "bench_servers.py")
    found = {name: [sys.executable, tool, name]
             for name in ("nodenet", "asyncio-protocol", "asyncio-streams", "selectors")}
    if real.pypy():
        found["nodenet-pypy"] = [real.pypy() or "", tool, "nodenet"]
        found["selectors-pypy"] = [real.pypy() or "", tool, "selectors"]
    if real.node26():
        found["node26"] = [real.node26() or "", "-e", NODE_ECHO]
    if real.node20():
        found["node20"] = [real.node20() or "", "-e", NODE_ECHO]
    return found


def build_loadgen(workdir: str) -> str:
    source = Path(os.environ.get("NODENET_LOADGEN_SRC", LOADGEN_SRC))
    binary = os.path.join(workdir, "loadgen")
    subprocess.run(["gcc", "-O2", "-o", binary, str(source)], check=True)
    return binary


def start_echo(argv: List[str]) -> Tuple["subprocess.Popen[str]", int]:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=real.python_env(), text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT="):
        proc.kill()
        raise RuntimeError(f"{argv} did not start: {line!r}")
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


def idle_memory(binary: str, pid: int, port: int, conns: int) -> float:
    """KiB of server RSS per connection while the load generator holds ``conns`` open."""
    before = rss_kib(pid)
    gen = subprocess.Popen([binary, "idle", "127.0.0.1", str(port), str(conns), "3"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert gen.stdout is not None
    line = gen.stdout.readline()
    if not line.startswith("mode=idle"):
        gen.kill()
        gen.wait()
        raise RuntimeError(f"idle run failed: {gen.stderr.read() if gen.stderr else ''}")
    time.sleep(0.5)
    during = rss_kib(pid)
    gen.communicate(timeout=60)
    return (during - before) / conns


# the echo servers whose Python allocations tools/idle_memory.py counts
TRACED_SERVERS = ("nodenet", "asyncio-protocol", "asyncio-streams", "selectors")


def idle_memory_metric(conns: int) -> str:
    return TRACED_METRIC.format(conns=conns)


ECHO_METRICS = ["bulk echo, MiB/s", "ping-pong x1, round trips/s",
                "ping-pong x100, round trips/s", "accepted connections/s"]


def echo_args(index: int, port: int, quick: bool) -> Tuple[Tuple[object, ...], str]:
    seconds = 1 if quick else 2
    return [
        (("bulk", "127.0.0.1", port, 300 if quick else 1000, 65536), "mib_per_s"),
        (("pingpong", "127.0.0.1", port, 1, 64, seconds), "rt_per_s"),
        (("pingpong", "127.0.0.1", port, 100, 64, seconds), "rt_per_s"),
        (("churn", "127.0.0.1", port, 3000 if quick else 5000, 50), "conns_per_s"),
    ][index]


# -- one interleaved run ------------------------------------------------------------------

T = TypeVar("T")


def rotate(items: List[T], r: int) -> List[T]:
    """``items`` starting at ``r`` (mod its length): who goes first changes each round."""
    k = r % len(items) if items else 0
    return items[k:] + items[:k]


def record(results: Results, name: str, metric: str, value: Optional[float]) -> None:
    if value is not None:
        results.setdefault(name, {}).setdefault(metric, []).append(value)


def attempt(what: str, fn: Callable[[], Any]) -> Any:
    """A failed run is reported and skipped, never the end of the whole benchmark."""
    try:
        return fn()
    except Exception as err:  # noqa: BLE001 - a benchmark run may fail for any reason
        print(f"    ! {what}: {err}", file=sys.stderr, flush=True)
        return None


def run_all(args: argparse.Namespace, workdir: str) -> Results:
    results: Results = {}
    suites = {s for s in ("echo", "real", "client", "memory") if s not in args.skip}
    only = set(args.only.split(",")) if args.only else None

    def wanted(name: str) -> bool:
        return only is None or name in only or name.split("-")[0] in only

    echo: Dict[str, Tuple["subprocess.Popen[str]", int]] = {}
    servers: Dict[Tuple[str, str], real.Server] = {}
    redis: Optional[real.RedisServer] = None
    binary = build_loadgen(workdir) if {"echo", "memory"} & suites else ""
    workloads = real.available_workloads() if "real" in suites else []
    runtimes = [r for r in real.runtimes() if wanted(r.name)]
    clients = [c for c in real.client_runtimes() if wanted(c[0])] \
        if "client" in suites and shutil.which("redis-server") else []
    try:
        if {"echo", "memory"} & suites:
            for name, argv in echo_commands().items():
                if wanted(name):
                    echo[name] = start_echo(argv)
        for protocol in sorted({w.protocol for w in workloads}):
            for runtime in runtimes:
                servers[runtime.name, protocol] = real.Server(runtime, protocol).start()
        if clients:
            redis = real.RedisServer()
        print(f"warming up {len(echo)} echo and {len(servers)} real servers...",
              file=sys.stderr, flush=True)
        warm_up(binary if "echo" in suites else "", echo, workloads, servers)
        for r in range(args.rounds):
            print(f"round {r + 1}/{args.rounds}", file=sys.stderr, flush=True)
            if "echo" in suites:
                for index, metric in enumerate(ECHO_METRICS):
                    for name in rotate(sorted(echo), r):
                        gen_args, key = echo_args(index, echo[name][1], args.quick)
                        value = attempt(f"{name} {metric}",
                                        lambda: float(loadgen(binary, *gen_args)[key]))
                        record(results, name, metric, value)
            for workload in workloads:
                for runtime in rotate(runtimes, r):
                    server = servers[runtime.name, workload.protocol]
                    sample = attempt(f"{runtime.name} {workload.label}",
                                     lambda: real.measure(workload, server, args.quick))
                    if sample is not None:
                        record(results, runtime.name, f"{workload.label}, req/s", sample.rps)
                        record(results, runtime.name, f"{workload.label}, server CPU us/req",
                               sample.cpu_us)
                    real.wait_idle()
            for name, interpreter, script in rotate(clients, r):
                assert redis is not None
                port = redis.port
                sample = attempt(f"client {name}", lambda: real.measure_client(
                    interpreter, script, port, args.quick))
                if sample is not None:
                    record(results, f"client {name}", "client pipelined SET/GET, req/s",
                           sample.rps)
                    record(results, f"client {name}", "client CPU us/req", sample.cpu_us)
        if "memory" in suites:
            conns = 2000 if args.quick else 10000
            print(f"memory per idle connection ({conns} connections)...", file=sys.stderr,
                  flush=True)
            for name, (proc, port) in sorted(echo.items()):
                value = attempt(f"{name} memory",
                                lambda: idle_memory(binary, proc.pid, port, conns))
                record(results, name, f"KiB per idle connection ({conns})", value)
            if sys.implementation.name == "cpython":
                # the exact figure, steadier than RSS (tools/idle_memory.py)
                traced = 2000 if args.quick else 4000
                for name in [n for n in TRACED_SERVERS if wanted(n)]:
                    value = attempt(f"{name} traced memory",
                                    lambda: idle_memory_exact(binary, name, traced))
                    record(results, name, idle_memory_metric(traced), value)
        return results
    finally:
        for proc, _ in echo.values():
            proc.kill()
            proc.wait()
        for server in servers.values():
            server.stop()
        if redis is not None:
            redis.stop()


def warm_up(binary: str, echo: Dict[str, Tuple["subprocess.Popen[str]", int]],
            workloads: List[real.Workload], servers: Dict[Tuple[str, str], real.Server]) -> None:
    """JITs compile, caches fill, first-connection costs are paid before any round."""
    for name, (_, port) in echo.items():
        if binary:
            for _ in range(3 if "pypy" in name else 1):
                attempt(f"{name} warm-up", lambda: loadgen(binary, "pingpong", "127.0.0.1", port,
                                                           10, 64, 0.5))
                attempt(f"{name} warm-up", lambda: loadgen(binary, "churn", "127.0.0.1", port,
                                                           500, 20))
    for workload in workloads:
        for (name, protocol), server in servers.items():
            if protocol == workload.protocol:
                for _ in range(3 if "pypy" in name else 1):
                    attempt(f"{name} warm-up {workload.label}",
                            lambda: real.measure(workload, server, True))


# -- the report ------------------------------------------------------------------------------

def medians(results: Results) -> Dict[str, Dict[str, float]]:
    return {name: {metric: statistics.median(values) for metric, values in metrics.items()}
            for name, metrics in results.items()}


def fmt(value: Optional[float]) -> str:
    if value is None:
        return "—"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.2f}"


def times(value: Optional[float]) -> str:
    return "—" if value is None else f"{fmt(value)}×"


def table(title: str, names: List[str], metrics: List[str],
          med: Dict[str, Dict[str, float]]) -> List[str]:
    names = [n for n in names if n in med]
    if not names or not metrics:
        return []
    lines = [f"### {title}", "", "| | " + " | ".join(names) + " |",
             "|---|" + "---:|" * len(names)]
    for metric in metrics:
        lines.append(f"| {metric} | " + " | ".join(fmt(med[n].get(metric)) for n in names)
                     + " |")
    return lines + [""]


def ratio(med: Dict[str, Dict[str, float]], a: str, b: str, metric: str) -> Optional[float]:
    x, y = med.get(a, {}).get(metric), med.get(b, {}).get(metric)
    return x / y if x and y else None


def targets(med: Dict[str, Dict[str, float]], real_metrics: List[str]) -> List[str]:
    """SPEC §6 / issue #10 targets, each with its measured ratio."""
    rows: List[Tuple[str, Optional[float], bool]] = []
    node = "node26" if "node26" in med else "node20"
    for metric in real_metrics:
        if metric.endswith("server CPU us/req"):
            label = metric.rsplit(",", 1)[0]
            for base, limit in (("asyncio", 1.0), (node, 1.2)):
                value = ratio(med, "nodenet", base, metric)
                rows.append((f"{label}: CPU/req ≤ {limit}× {base}", value,
                             value is not None and value <= limit))
    value = ratio(med, "client nodenet", "client asyncio", "client CPU us/req")
    rows.append(("client CPU/req within 10% of asyncio (≤ 1.1×)", value,
                 value is not None and value <= 1.1))
    echo_node = "node26" if "node26" in med else "node20"
    for label, metric, base, limit in (
            ("accepts ≥ 1.5× Node", "accepted connections/s", echo_node, 1.5),
            ("accepts ≥ 0.6× bare loop", "accepted connections/s", "selectors", 0.6),
            ("ping-pong x100 ≥ 0.85× bare loop", "ping-pong x100, round trips/s", "selectors",
             0.85),
            ("bulk ≥ 1.0× bare loop", "bulk echo, MiB/s", "selectors", 1.0)):
        value = ratio(med, "nodenet", base, metric)
        rows.append((label, value, value is not None and value >= limit))
    memory = [m for m in med.get("nodenet", {}) if m.startswith("KiB per idle")]
    if memory:
        kib = med["nodenet"][memory[0]]
        rows.append(("≤ 2 KiB per idle connection (KiB)", kib, kib <= 2.0))
    exact = [m for m in med.get("nodenet", {}) if m.startswith("bytes per idle")]
    if exact:
        held = med["nodenet"][exact[0]]
        rows.append(("≤ 2 KiB per idle connection, exact (tracemalloc, bytes; KiB = 1,024)",
                     held, held <= 2048))
    lines = ["### Targets (nodenet on CPython)", "", "| target | measured | |", "|---|---:|---|"]
    for label, value, met in rows:
        lines.append(f"| {label} | {fmt(value)}{'' if 'KiB' in label else '×'} | "
                     f"{'met' if met else '**not met**' if value is not None else 'not measured'} |")
    return lines + [""]


def ratios(med: Dict[str, Dict[str, float]], real_metrics: List[str]) -> List[str]:
    """nodenet against its yardsticks, per workload: CPU per request (lower is better)."""
    pairs = [("nodenet", "asyncio"), ("nodenet", "node26"), ("nodenet-pypy", "asyncio-pypy"),
             ("nodenet-pypy", "node26")]
    pairs = [(a, b) for a, b in pairs if a in med and b in med]
    if not pairs:
        return []
    lines = ["### Server CPU per request, ratios (lower is better)", "",
             "| workload | " + " | ".join(f"{a} / {b}" for a, b in pairs) + " |",
             "|---|" + "---:|" * len(pairs)]
    for metric in real_metrics:
        if metric.endswith("server CPU us/req"):
            lines.append(f"| {metric.rsplit(',', 1)[0]} | " + " | ".join(
                times(ratio(med, a, b, metric)) for a, b in pairs) + " |")
    return lines + [""]


def scaling(med: Dict[str, Dict[str, float]], real_metrics: List[str]) -> List[str]:
    lines = ["### Two processes (SO_REUSEPORT) vs one, req/s", "",
             "| workload | nodenet 2/1 | asyncio 2/1 | node26 2/1 |", "|---|---:|---:|---:|"]
    for metric in real_metrics:
        if metric.endswith("req/s"):
            found = [ratio(med, f"{name}-2proc", name, metric)
                     for name in ("nodenet", "asyncio", "node26")]
            if any(found):
                lines.append(f"| {metric[:-7]} | " + " | ".join(map(times, found)) + " |")
    return lines + [""] if len(lines) > 4 else []


def report(results: Results, args: argparse.Namespace) -> str:
    med = medians(results)
    real_order = [r.name for r in real.runtimes()]
    real_metrics = [f"{w.label}, {unit}" for w in real.WORKLOADS
                    for unit in ("req/s", "server CPU us/req")]
    real_metrics = [m for m in real_metrics if any(m in med[n] for n in med)]
    echo_order = ["nodenet", "asyncio-protocol", "asyncio-streams", "selectors", "node26",
                  "node20", "nodenet-pypy", "selectors-pypy"]
    echo_metrics = ECHO_METRICS + sorted({m for n in med for m in med[n]
                                          if m.startswith(("KiB per idle", "bytes per idle"))})
    client_names = [f"client {c[0]}" for c in real.client_runtimes()]
    rounds = args.rounds
    lines = [f"Python {sys.version.split()[0]} ({sys.implementation.name}), "
             f"{os.cpu_count()} CPUs, load average before the run {args.load_before}, "
             f"after it {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
             f"{time.strftime('%Y-%m-%d %H:%M')}, medians of {rounds} interleaved rounds"
             f"{' (--quick)' if args.quick else ''}.", ""]
    lines += table("Real clients (server CPU per request: /proc/PID/task/*/schedstat)", real_order,
                   real_metrics, med)
    lines += ratios(med, real_metrics)
    lines += scaling(med, real_metrics)
    lines += table("Client: RESP pipelined SET/GET (batches of 16) to redis-server",
                   client_names, ["client pipelined SET/GET, req/s", "client CPU us/req"], med)
    lines += table("Echo (loadgen)", echo_order,
                   [m for m in echo_metrics if any(m in med[n] for n in med)], med)
    lines += targets(med, real_metrics)
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs, 2 rounds")
    parser.add_argument("--rounds", type=int, default=0,
                        help="interleaved rounds (default 5; 2 with --quick)")
    parser.add_argument("--only", default="",
                        help="comma-separated implementations (e.g. nodenet,asyncio,node26)")
    parser.add_argument("--skip", default="", help="suites to skip: echo,real,client,memory")
    parser.add_argument("--json", default="", help="also write the raw samples to this file")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (2 if args.quick else 5)
    args.skip = set(filter(None, args.skip.split(",")))
    args.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="nodenet-bench-") as workdir:
        results = run_all(args, workdir)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print(report(results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
