"""``python -m nodenet``: small programs that show nodenet working.

* ``echo [--host H] [--port P]``: the echo server of Node's net docs
  (``c.write('hello\\r\\n'); c.pipe(c)``), printing its events;
* ``connect HOST PORT``: a netcat-like client (stdin to the socket, the socket
  to stdout);
* ``demo``: timers, immediates and next_tick through the loop's phases, traced;
* ``bench``: the benchmarks (``tools/bench.py``).
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

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


def echo(host: Optional[str], port: int) -> int:
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
        elif host:
            server.listen(port, host, bound)
        else:
            server.listen(port, bound)

    net.run(main)
    return 0


def _fail(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
    raise SystemExit(1)


def connect(host: str, port: str) -> int:
    """A netcat: stdin lines go to the socket, the socket's bytes go to stdout."""
    import threading

    done = threading.Event()
    status = [0]

    def on_error(err: BaseException) -> None:
        print(f"error: {err}", file=sys.stderr, flush=True)
        status[0] = 1

    if port.isdigit():
        sock = net.connect(int(port), host)
    else:
        sock = net.connect(port)
    sock.on("error", on_error)
    sock.on("data", lambda data: (sys.stdout.buffer.write(data), sys.stdout.buffer.flush()))
    sock.on("close", lambda had_error: done.set())

    def pump() -> None:
        for line in sys.stdin.buffer:
            sock.write(line)
        sock.end()

    threading.Thread(target=pump, daemon=True).start()
    done.wait()
    return status[0]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nodenet", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_echo = sub.add_parser("echo", help="run the echo server of Node's net docs")
    p_echo.add_argument("--host", default=None,
                        help="address to bind (default: all, dual-stack); or a Unix socket path "
                             "with --port -1")
    p_echo.add_argument("--port", type=int, default=8124, help="port (default 8124; 0: any)")
    p_conn = sub.add_parser("connect", help="a netcat-like client")
    p_conn.add_argument("host", help="host name or address (or a Unix socket path)")
    p_conn.add_argument("port", nargs="?", default="", help="port")
    sub.add_parser("demo", help="trace a few timers through the loop's phases")
    p_bench = sub.add_parser("bench", help="run the benchmarks against asyncio and selectors")
    p_bench.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "echo":
        return echo(args.host, args.port)
    if args.command == "connect":
        if not args.port:
            return connect("", args.host)
        return connect(args.host, args.port)
    if args.command == "bench":
        from pathlib import Path
        import runpy
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
