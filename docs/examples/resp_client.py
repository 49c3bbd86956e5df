"""A Redis client on nodenet: commands are written as they are issued
(pipelining for free) and replies are matched to callbacks in order, the way
Node Redis clients work.

    python docs/examples/resp_client.py --port 6379 SET greeting hello
    python docs/examples/resp_client.py --port 6379 --bench 100000 --pipeline 16

``--bench`` sends N ``SET``/``GET`` commands in batches of ``--pipeline`` (the
next batch goes out when the last reply of the previous one is in) and prints
``requests=... seconds=... cpu_seconds=...`` (this process's CPU time):
``make bench`` compares it with ``resp_client_asyncio.py``. The reply parser is
``resp.py``'s, shared with the asyncio client.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import deque
from typing import Any, Callable, Deque, List, Optional, Sequence, Union

import nodenet as net
from resp import Reply, ReplyError, ReplyParser, command, show

ReplyCallback = Callable[[Optional[BaseException], Reply], Any]


class RespClient:
    """One connection to a Redis server; ``call(args, callback)`` ->
    ``callback(err, reply)``. Create it on the loop thread (in ``run(main)``)."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.parser = ReplyParser()
        self.pending: Deque[ReplyCallback] = deque()
        # no_delay: pipelined commands written one by one go out at once.
        self.socket = net.connect({"port": port, "host": host, "no_delay": True})
        self.socket.on("data", self._on_data)
        self.socket.on("error", self._on_error)

    def call(self, args: Sequence[Union[str, bytes, int]], callback: ReplyCallback) -> bool:
        """Send one command; ``callback(err, reply)`` runs when its reply arrives."""
        self.pending.append(callback)
        return bool(self.socket.write(command(*args)))

    def end(self) -> None:
        self.socket.end()

    def _on_data(self, data: bytes) -> None:
        for reply in self.parser.feed(data):
            callback = self.pending.popleft()
            if isinstance(reply, ReplyError):
                callback(reply, None)
            else:
                callback(None, reply)

    def _on_error(self, err: BaseException) -> None:
        while self.pending:
            self.pending.popleft()(err, None)


def one_command(port: int, host: str, args: List[str]) -> int:
    status = [0]

    def main() -> None:
        client = RespClient(port, host)

        def done(err: Optional[BaseException], reply: Reply) -> None:
            if isinstance(err, ReplyError):
                print(show(err))
            elif err is not None:
                print(f"error: {err}", file=sys.stderr)
                status[0] = 1
            else:
                print(show(reply))
            client.end()

        client.call(args, done)

    net.run(main)
    return status[0]


def bench(port: int, host: str, total: int, depth: int, warmup: int = 0) -> int:
    """Batches of ``depth`` commands (alternating SET and GET), one batch in flight."""
    stats: List[float] = []
    batches = [[(b"SET", b"key:%d" % (i % 1000), b"xxx") if i % 2 == 0 else
                (b"GET", b"key:%d" % (i % 1000)) for i in range(start, min(start + depth, total))]
               for start in range(0, total, depth)]

    def main() -> None:
        client = RespClient(port, host)
        left = [len(batches)]

        def on_reply(err: Optional[BaseException], reply: Reply) -> None:
            if err is not None:
                raise err
            if not client.pending:              # the batch is complete
                left[0] -= 1
                if left[0]:
                    send(batches[len(batches) - left[0]])
                else:
                    stats.extend((time.perf_counter(), time.process_time()))
                    client.end()

        def send(batch: List[Any]) -> None:
            for args in batch:
                client.call(args, on_reply)

        def start(err: Optional[BaseException], reply: Reply) -> None:
            stats.extend((time.perf_counter(), time.process_time()))
            send(batches[0])

        # Connected (and, with ``warmup``, JIT-compiled) before the clock starts.
        warm = [warmup]

        def warm_up(err: Optional[BaseException], reply: Reply) -> None:
            if client.pending:
                return
            if warm[0] <= 0:
                client.call(["PING"], start)
                return
            warm[0] -= 16
            for _ in range(16):
                client.call(["PING"], warm_up)

        warm_up(None, None)

    net.run(main)
    wall, cpu = stats[2] - stats[0], stats[3] - stats[1]
    print(f"requests={total} seconds={wall:.4f} cpu_seconds={cpu:.4f} "
          f"rps={total / wall:.0f} cpu_us_per_request={cpu / total * 1e6:.3f}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--bench", type=int, default=0, metavar="N",
                        help="benchmark: N commands instead of one")
    parser.add_argument("--warmup", type=int, default=0, metavar="N",
                        help="benchmark: N PINGs before the clock starts")
    parser.add_argument("--pipeline", type=int, default=16, help="commands per batch")
    parser.add_argument("command", nargs="*", help="a command, e.g. SET key value")
    args = parser.parse_args(argv)
    if args.bench:
        return bench(args.port, args.host, args.bench, args.pipeline, args.warmup)
    return one_command(args.port, args.host, args.command or ["PING"])


if __name__ == "__main__":
    sys.exit(main())
