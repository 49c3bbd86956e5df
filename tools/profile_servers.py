"""Where a request's time goes: cProfile, allocation counts and (optionally)
py-spy samples of the RESP and HTTP example servers under real clients,
nodenet beside asyncio Protocol (the same parser and application code).

    python tools/profile_servers.py [--requests N] [--py-spy] [--out build/profiles]

For each scenario — ``redis-benchmark -c 50 -P 1 GET`` (the read -> 'data' ->
listener -> write -> send path), ``ab -k -c 50`` (the same on HTTP) and ``ab -c
50`` without keep-alive (accept -> Socket -> 'end' -> close, one connection per
request) — each implementation serves in a child process three times:

1. plain, while ``py-spy record`` samples it (with ``--py-spy``, when installed)
   and ``strace -c -f`` counts its system calls (with ``--strace``);
2. under cProfile, enabled on the thread that runs the loop only while the
   client runs: Python calls per request and the top functions;
3. counting every CPython allocation (``tools/alloccount.c``, built with gcc,
   CPython only): allocations per request.

The .pstats files and py-spy's raw stacks land in ``--out``. Dev tool only:
nothing here is imported by nodenet.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import json
import os
import pstats
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
ClientCommand = Callable[[int, int], List[str]]        # (port, requests) -> argv
SCENARIOS: Dict[str, Tuple[str, ClientCommand]] = {
    "resp-get": ("resp", lambda port, n: ["redis-benchmark", "-p", str(port), "-c", "50", "-P",
                                          "1", "-n", str(n), "-t", "get", "-q"]),
    "http-keepalive": ("http", lambda port, n: ["ab", "-q", "-k", "-c", "50", "-n", str(n),
                                                f"http://127.0.0.1:{port}/"]),
    "http-per-connection": ("http", lambda port, n: ["ab", "-q", "-c", "50", "-n", str(n),
                                                     f"http://127.0.0.1:{port}/"]),
}


# -- the child: one server, controlled over stdin ------------------------------------

def serve(impl: str, protocol: str, mode: str, out: str) -> None:
    """Serve on a free port; 'start' and 'stop' lines on stdin bracket the measurement."""
    sys.path.insert(0, str(EXAMPLES))
    sys.path.insert(0, str(ROOT))
    import cProfile

    profiler = cProfile.Profile()
    counter: Any = None
    if mode == "alloc":
        counter = ctypes.PyDLL(os.environ["NODENET_ALLOCCOUNT"])
        counter.alloccount_get.restype = ctypes.c_ulonglong
        counter.alloccount_install()
    marks: List[int] = []

    def on_loop_start() -> None:                  # runs on the loop's thread
        if mode == "cprofile":
            profiler.enable()
        if counter is not None:
            marks.append(counter.alloccount_get())

    def on_loop_stop() -> None:
        if mode == "cprofile":
            profiler.disable()
        if counter is not None:
            marks.append(counter.alloccount_get())

    def finish() -> None:
        if mode == "cprofile":
            profiler.dump_stats(out)
        print(json.dumps({"allocations": marks[1] - marks[0] if len(marks) == 2 else None}),
              flush=True)
        os._exit(0)

    if impl == "nodenet":
        import nodenet as net
        module = __import__("resp_server" if protocol == "resp" else "http_server")

        def control() -> None:
            for line in sys.stdin:
                loop = net.get_loop()
                loop.call(on_loop_start if line.strip() == "start" else on_loop_stop)
                if line.strip() == "stop":
                    finish()

        threading.Thread(target=control, daemon=True).start()
        net.run(lambda: module.serve("127.0.0.1", 0, False, lambda server: print(
            f"PORT={server.address()['port']}", flush=True)))
    else:
        import asyncio
        module = __import__("resp_server_asyncio" if protocol == "resp"
                            else "http_server_asyncio")
        factory = module.RespProtocol if protocol == "resp" else module.HttpProtocol

        async def main() -> None:
            loop = asyncio.get_running_loop()
            server = await loop.create_server(factory, "127.0.0.1", 0)
            print(f"PORT={server.sockets[0].getsockname()[1]}", flush=True)
            done = loop.create_future()

            def control() -> None:
                for line in sys.stdin:
                    fn = on_loop_start if line.strip() == "start" else on_loop_stop
                    event = threading.Event()
                    def step(fn: Callable[[], None] = fn) -> None:
                        fn()
                        event.set()

                    loop.call_soon_threadsafe(step)
                    event.wait()
                    if line.strip() == "stop":
                        finish()

            threading.Thread(target=control, daemon=True).start()
            await done

        asyncio.run(main())


# -- the parent: run the clients, read the results ------------------------------------

def run_one(impl: str, scenario: str, mode: str, requests: int, out_dir: Path,
            env: Dict[str, str], sampler: Optional[str], tracer: Optional[str] = None
            ) -> Dict[str, Any]:
    protocol, client = SCENARIOS[scenario]
    stats_file = out_dir / f"{impl}-{scenario}.pstats"
    child = subprocess.Popen([sys.executable, __file__, "--serve", impl, protocol, mode,
                              str(stats_file)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, env=env)
    assert child.stdin is not None and child.stdout is not None
    port = int(child.stdout.readline().strip().split("=")[1])
    spy = None
    strace = None
    try:
        subprocess.run(client(port, max(requests // 5, 1000)), capture_output=True,
                       timeout=300)                               # warm-up
        if sampler:
            raw = out_dir / f"{impl}-{scenario}.pyspy.txt"
            spy = subprocess.Popen([sampler, "record", "--pid", str(child.pid), "--format",
                                    "raw", "--rate", "500", "--nonblocking", "-o", str(raw)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if tracer:
            strace = subprocess.Popen([tracer, "-c", "-f", "-p", str(child.pid), "-o",
                                       str(out_dir / f"{impl}-{scenario}.strace.txt")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _wait_attached(child.pid)
        child.stdin.write("start\n")
        child.stdin.flush()
        result = subprocess.run(client(port, requests), capture_output=True, text=True,
                                timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"{client(port, requests)[0]}: {result.stderr[-300:]}")
        for tool in (spy, strace):
            if tool is not None:
                tool.send_signal(2)
                tool.wait(30)
        child.stdin.write("stop\n")
        child.stdin.flush()
        report: Dict[str, Any] = json.loads(child.stdout.readline())
        child.wait(30)
        report["stats_file"] = str(stats_file)
        return report
    finally:
        for tool in (spy, strace):
            if tool is not None and tool.poll() is None:
                tool.kill()
                tool.wait()
        if child.poll() is None:
            child.kill()
            child.wait()


def _wait_attached(pid: int) -> None:
    """Until a tracer is attached to ``pid`` (its TracerPid turns non-zero), 5 s at most."""
    import time
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/status") as f:
            if any(line.startswith("TracerPid:") and line.split()[1] != "0" for line in f):
                return
        time.sleep(0.01)


def syscalls(strace_file: Path, requests: int) -> str:
    """``strace -c`` totals as "name calls/request" (most frequent first)."""
    if not strace_file.exists():
        return ""
    counts: Dict[str, int] = {}
    for line in strace_file.read_text().splitlines():
        tokens = line.split()
        if len(tokens) >= 5 and tokens[0][0].isdigit() and tokens[-1] != "total":
            counts[tokens[-1]] = int(tokens[3])
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:8]
    return ", ".join(f"{name} {n / requests:.2f}" for name, n in top if n / requests >= 0.005)


def build_alloccount(workdir: str) -> Optional[str]:
    if sys.implementation.name != "cpython" or shutil.which("gcc") is None:
        return None
    include = sysconfig.get_paths()["include"]
    if not os.path.exists(os.path.join(include, "Python.h")):
        return None
    target = os.path.join(workdir, "alloccount.so")
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", f"-I{include}", "-o", target,
                    str(ROOT / "tools" / "alloccount.c")], check=True)
    return target


def top_functions(stats_file: str, requests: int, limit: int) -> Tuple[int, List[str]]:
    stats = pstats.Stats(stats_file)
    total_calls = stats.total_calls  # type: ignore[attr-defined]
    total_time = stats.total_tt  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)  # type: ignore[attr-defined]
    lines = []
    for (filename, line, name), (_, ncalls, tottime, cumtime, _) in rows[:limit]:
        where = f"{Path(filename).name}:{line}" if line else "~"
        lines.append(f"| `{name}` ({where}) | {ncalls / requests:.2f} | "
                     f"{100 * tottime / total_time:.1f}% | {100 * cumtime / total_time:.0f}% |")
    return total_calls, lines


def pyspy_top(raw_file: Path, limit: int) -> List[str]:
    """Self-time share per function from py-spy's collapsed stacks."""
    if not raw_file.exists():
        return []
    leaf: "collections.Counter[str]" = collections.Counter()
    total = 0
    for line in raw_file.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frame = stack.split(";")[-1]          # "name (path/file.py:line)": per function
        name, _, where = frame.partition(" (")
        leaf[f"{name} ({where.rsplit('/', 1)[-1].split(':')[0]})"] += int(count)
        total += int(count)
    return [f"| `{name}` | {100 * n / total:.1f}% |" for name, n in leaf.most_common(limit)]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", nargs=4, metavar=("IMPL", "PROTOCOL", "MODE", "OUT"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=50_000,
                        help="requests per profiled run (default 50000; per-connection: /5)")
    parser.add_argument("--py-spy", action="store_true", help="also sample with py-spy")
    parser.add_argument("--strace", action="store_true",
                        help="also count system calls per request (strace -c)")
    parser.add_argument("--out", default=str(ROOT / "build" / "profiles"))
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--only", default="", help="comma-separated scenarios")
    args = parser.parse_args(argv)
    if args.serve:
        serve(*args.serve)
        return 0
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    sampler = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy") \
        if args.py_spy else None
    if sampler and not os.path.exists(sampler):
        print("py-spy is not installed: sampling skipped", file=sys.stderr)
        sampler = None
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    scenarios = [s for s in SCENARIOS if not args.only or s in args.only.split(",")]
    with tempfile.TemporaryDirectory(prefix="nodenet-profile-") as workdir:
        counter = build_alloccount(workdir)
        if counter:
            env["NODENET_ALLOCCOUNT"] = counter
        for scenario in scenarios:
            if shutil.which(SCENARIOS[scenario][1](0, 1)[0]) is None:
                print(f"## {scenario}: client not installed, skipped\n")
                continue
            n = args.requests // 5 if scenario == "http-per-connection" else args.requests
            print(f"## {scenario} ({n} requests)\n", flush=True)
            summary: Dict[str, Dict[str, Any]] = {}
            tracer = shutil.which("strace") if args.strace else None
            for impl in ("nodenet", "asyncio"):
                if sampler or tracer:
                    run_one(impl, scenario, "plain", n, out_dir, env, sampler, tracer)
                profiled = run_one(impl, scenario, "cprofile", n, out_dir, env, None)
                allocs = run_one(impl, scenario, "alloc", n, out_dir, env, None) \
                    if counter else {"allocations": None}
                calls, top = top_functions(profiled["stats_file"], n, args.top)
                summary[impl] = {"calls": calls / n, "allocations":
                                 allocs["allocations"] / n if allocs["allocations"] else None,
                                 "top": top}
            print("| | nodenet | asyncio |\n|---|---:|---:|")
            print(f"| Python calls per request | {summary['nodenet']['calls']:.1f} | "
                  f"{summary['asyncio']['calls']:.1f} |")
            if counter:
                print(f"| allocations per request | {summary['nodenet']['allocations']:.1f} | "
                      f"{summary['asyncio']['allocations']:.1f} |")
            if tracer:
                print("| system calls per request | " + " | ".join(
                    syscalls(out_dir / f"{impl}-{scenario}.strace.txt", n)
                    for impl in ("nodenet", "asyncio")) + " |")
            for impl in ("nodenet", "asyncio"):
                print(f"\n{impl}, top functions by own time (cProfile):\n")
                print("| function | calls/request | own time | with callees |\n|---|---:|---:|---:|")
                print("\n".join(summary[impl]["top"]))
                spy = pyspy_top(out_dir / f"{impl}-{scenario}.pyspy.txt", args.top)
                if spy:
                    print(f"\n{impl}, py-spy self time (no profiler overhead):\n")
                    print("| function | samples |\n|---|---:|")
                    print("\n".join(spy))
            print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
