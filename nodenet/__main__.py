"""``python -m nodenet``: small programs that show nodenet working.

* ``echo [--host H] [--port P] [--workers N]``: the echo server of Node's net
  docs (``c.write('hello\\r\\n'); c.pipe(c)``), printing its events; with
  ``--workers N``, N processes share the port (``reuse_port``) and the kernel
  spreads the connections over them, as Node's cluster spreads them;
* ``connect HOST PORT``: a netcat-like client (stdin to the socket, the socket
  to stdout);
* ``demo``: timers, immediates and next_tick through the loop's phases, traced;
* ``bench``: the benchmarks (``tools/bench.py``).
"""

from __future__ import annotations

import argparse
import re
import runpy
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

import nodenet as net
from nodenet._observe import PhaseTracer


def demo() -> int:
    """Trace one small program through the loop's phases (docs/loop.md)."""
    loop = net.get_loop()
    tracer = PhaseTracer(clock_origin=loop.clock())

    def main() -> None:
        tracer.note("    -> main() runs (the script, before the first turn)")
        net.set_timeout(tracer.callback("setTimeout 0"), 0)
        net.set_timeout(tracer.callback("setTimeout 20"), 20)
        net.set_immediate(tracer.callback("setImmediate (check phase)"))
        net.next_tick(tracer.callback("nextTick (right after main)"))

        def from_timer() -> None:
            tracer.note("    -> setTimeout 10")
            net.set_immediate(tracer.callback("setImmediate from timer"))
            net.set_timeout(tracer.callback("setTimeout 0 from timer"), 0)
            net.next_tick(tracer.callback("nextTick from timer"))

        net.set_timeout(from_timer, 10)

    if loop.thread_ident is None:
        loop.tracer = tracer          # no loop thread yet: the next one starts traced
    else:
        loop.call(setattr, loop, "tracer", tracer)
    try:
        net.run(main)
    finally:
        loop.tracer = None
    return 0


def echo(host: Optional[str], port: int, reuse_port: bool = False) -> int:
    """The docs' echo server: greets each client, then pipes it back to itself."""
    def on_connection(c: net.Socket) -> None:
        peer = f"{c.remote_address}:{c.remote_port}" if c.remote_address else "ipc client"
        print(f"client connected ({peer})", flush=True)
        c.on("end", lambda: print(f"client disconnected ({peer})", flush=True))
        c.on("error", lambda err: print(f"client error ({peer}): {err}", flush=True))
        c.write("hello\r\n")
        c.pipe(c)

    def main() -> None:
        server = net.create_server(on_connection)
        server.on("error", lambda err: _fail(f"server error: {err}"))

        def bound() -> None:
            address = server.address()
            where = address if isinstance(address, str) else \
                f"{address['address']} port {address['port']} ({address['family']})"
            print(f"server bound on {where}", flush=True)

        if port < 0 and host:
            server.listen(host, bound)          # a Unix socket path
        elif reuse_port:
            options: Dict[str, Any] = {"port": port, "reuse_port": True}
            if host:
                options["host"] = host
            server.listen(options, bound)
        elif host:
            server.listen(port, host, bound)
        else:
            server.listen(port, bound)

    net.run(main)
    return 0


def echo_workers(host: Optional[str], port: int, workers: int) -> int:
    """``workers`` echo processes on one port (``SO_REUSEPORT``).

    Node's cluster forks workers that share the primary's listening socket; here
    each worker listens itself with ``reuse_port`` and the kernel balances new
    connections across them. The first worker picks the port (when it is 0) and
    the others join it. Each worker's lines are printed with its number; Ctrl-C
    or SIGTERM stops them all (with SIGTERM: a worker started in the background
    by a shell ignores SIGINT).
    """
    if port < 0:
        _fail("--workers needs a TCP port: Unix sockets cannot share a path")
    base = [sys.executable, "-m", "nodenet", "echo", "--reuse-port"]
    if host:
        base += ["--host", host]
    procs: List["subprocess.Popen[str]"] = []
    forwarders: List[threading.Thread] = []

    def forward(index: int, proc: "subprocess.Popen[str]") -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(f"[worker {index} pid {proc.pid}] {line}", end="", flush=True)

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        for index in range(workers):
            proc = subprocess.Popen(base + ["--port", str(port)], stdout=subprocess.PIPE,
                                    text=True)
            procs.append(proc)
            assert proc.stdout is not None
            first = proc.stdout.readline()
            print(f"[worker {index} pid {proc.pid}] {first}", end="", flush=True)
            found = re.search(r" port (\d+) ", first)
            if found is None:
                _fail(f"worker {index} did not start")
            port = int(found.group(1)) if found else port
            forwarders.append(threading.Thread(target=forward, args=(index, proc), daemon=True))
            forwarders[-1].start()
        print(f"{workers} workers share port {port}", flush=True)
        status = 0
        for proc in procs:
            status = proc.wait() or status
        return status
    except KeyboardInterrupt:
        return 130
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)   # a second SIGTERM: keep cleaning up
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for thread in forwarders:
            thread.join(5)
        signal.signal(signal.SIGTERM, previous)


def _fail(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
    raise SystemExit(1)


def connect(host: str, port: str) -> int:
    """A netcat: stdin lines go to the socket, the socket's bytes go to stdout."""

    done = threading.Event()
    status = [0]

    def on_error(err: BaseException) -> None:
        print(f"error: {err}", file=sys.stderr, flush=True)
        status[0] = 1

    # From this (non-loop) thread: listeners first, then connect (SPEC §1.4), or a
    # refused connection can be over before 'error' and 'close' have listeners.
    sock = net.Socket()
    sock.on("error", on_error)
    sock.on("data", lambda data: (sys.stdout.buffer.write(data), sys.stdout.buffer.flush()))
    sock.on("close", lambda had_error: done.set())
    if port.isdigit():
        sock.connect(int(port), host)
    else:
        sock.connect(port)

    def pump() -> None:
        for line in sys.stdin.buffer:
            sock.write(line)
        sock.end()

    threading.Thread(target=pump, daemon=True).start()
    done.wait()
    return status[0]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nodenet", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="NODENET_DEBUG=net prints Node-style "
                                            "'NET <pid>: ...' debug lines on stderr; "
                                            "NODENET_FAST_PATHS=0 turns the fast paths off.")
    parser.add_argument("--version", action="version",
                        version=f"nodenet {net.__version__} (Python "
                                f"{'.'.join(map(str, sys.version_info[:3]))}, "
                                f"{sys.implementation.name})")
    sub = parser.add_subparsers(dest="command", required=True)
    p_echo = sub.add_parser(
        "echo", help="run the echo server of Node's net docs",
        description="The echo server of Node's net docs: greets each client with "
                    "'hello', then pipes it back to itself. Ctrl-C stops it.")
    p_echo.add_argument("--host", default=None,
                        help="address to bind (default: all, dual-stack); or a Unix socket path "
                             "with --port -1")
    p_echo.add_argument("--port", type=int, default=8124, help="port (default 8124; 0: any)")
    p_echo.add_argument("--workers", type=int, default=1, metavar="N",
                        help="run N processes sharing the port (SO_REUSEPORT; the kernel "
                             "balances connections, like Node's cluster); default 1")
    p_echo.add_argument("--reuse-port", action="store_true",
                        help="listen with reuse_port, so other processes can share the port")
    p_conn = sub.add_parser(
        "connect", help="a netcat-like client",
        description="Connect to HOST PORT (or a Unix socket path), copy stdin to the "
                    "socket and the socket to stdout; ends when both sides have ended.")
    p_conn.add_argument("host", help="host name or address (or a Unix socket path)")
    p_conn.add_argument("port", nargs="?", default="", help="port")
    sub.add_parser("demo", help="trace a few timers through the loop's phases",
                   description="Run a few timers, immediates and next_tick callbacks with "
                               "a tracer printing each loop phase (docs/loop.md).")
    p_bench = sub.add_parser(
        "bench", help="run the benchmarks against asyncio and selectors",
        description="tools/bench.py of a source checkout; arguments after 'bench' go to "
                    "it (try: python -m nodenet bench --help).")
    p_bench.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "echo":
        if args.workers < 1:
            parser.error("--workers must be at least 1")
        if args.workers > 1:
            return echo_workers(args.host, args.port, args.workers)
        return echo(args.host, args.port, args.reuse_port)
    if args.command == "connect":
        if not args.port:
            return connect("", args.host)
        return connect(args.host, args.port)
    if args.command == "bench":
        tool = Path(__file__).resolve().parent.parent / "tools" / "bench.py"
        if not tool.exists():
            _fail("the benchmarks live in tools/bench.py of a source checkout")
        sys.argv = [str(tool)] + list(args.rest)
        runpy.run_path(str(tool), run_name="__main__")
        return 0
    return demo()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
