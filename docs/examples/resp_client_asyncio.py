"""The Redis client of ``resp_client.py`` on asyncio's Protocol API, with the
same reply parser (``resp.py``) and the same callback shape: the client
benchmark's yardstick.

    python docs/examples/resp_client_asyncio.py --port 6379 --bench 100000 --pipeline 16
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import deque
from typing import Any, Callable, Deque, List, Optional, Sequence, Union

from resp import Reply, ReplyError, ReplyParser, command, show

ReplyCallback = Callable[[Optional[BaseException], Reply], Any]


class RespProtocol(asyncio.Protocol):
    """One connection; ``call(args, callback)`` -> ``callback(err, reply)``."""

    def __init__(self) -> None:
        self.parser = ReplyParser()
        self.pending: Deque[ReplyCallback] = deque()
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]

    def call(self, args: Sequence[Union[str, bytes, int]], callback: ReplyCallback) -> None:
        self.pending.append(callback)
        self.transport.write(command(*args))

    def data_received(self, data: bytes) -> None:
        for reply in self.parser.feed(data):
            callback = self.pending.popleft()
            if isinstance(reply, ReplyError):
                callback(reply, None)
            else:
                callback(None, reply)

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        while self.pending:
            self.pending.popleft()(exc or ConnectionResetError(), None)
        if not self.closed.done():
            self.closed.set_result(None)


async def connect(port: int, host: str) -> RespProtocol:
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(RespProtocol, host, port)
    return protocol


async def one_command(port: int, host: str, args: List[str]) -> int:
    client = await connect(port, host)
    done = asyncio.get_running_loop().create_future()
    client.call(args, lambda err, reply: done.set_result((err, reply)))
    err, reply = await done
    print(show(err if isinstance(err, ReplyError) else reply))
    client.transport.close()
    await client.closed
    return 0


async def warm_up(client: RespProtocol, count: int) -> None:
    """``count`` PINGs in batches of 16 before the clock starts (PyPy's JIT compiles then)."""
    for _ in range(0, count, 16):
        done = asyncio.get_running_loop().create_future()
        for i in range(16):
            client.call(["PING"], (lambda err, reply: done.set_result(None)) if i == 15 else
                        (lambda err, reply: None))
        await done


async def bench(port: int, host: str, total: int, depth: int, warmup: int = 0) -> int:
    batches = [[(b"SET", b"key:%d" % (i % 1000), b"xxx") if i % 2 == 0 else
                (b"GET", b"key:%d" % (i % 1000)) for i in range(start, min(start + depth, total))]
               for start in range(0, total, depth)]
    client = await connect(port, host)
    await warm_up(client, warmup)
    finished = asyncio.get_running_loop().create_future()
    left = [len(batches)]
    stats: List[float] = []

    def on_reply(err: Optional[BaseException], reply: Reply) -> None:
        if err is not None:
            raise err
        if not client.pending:
            left[0] -= 1
            if left[0]:
                send(batches[len(batches) - left[0]])
            else:
                stats.extend((time.perf_counter(), time.process_time()))
                finished.set_result(None)

    def send(batch: List[Any]) -> None:
        for args in batch:
            client.call(args, on_reply)

    def start(err: Optional[BaseException], reply: Reply) -> None:
        stats.extend((time.perf_counter(), time.process_time()))
        send(batches[0])

    client.call(["PING"], start)
    await finished
    client.transport.close()
    await client.closed
    wall, cpu = stats[2] - stats[0], stats[3] - stats[1]
    print(f"requests={total} seconds={wall:.4f} cpu_seconds={cpu:.4f} "
          f"rps={total / wall:.0f} cpu_us_per_request={cpu / total * 1e6:.3f}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--bench", type=int, default=0, metavar="N")
    parser.add_argument("--warmup", type=int, default=0, metavar="N",
                        help="benchmark: N PINGs before the clock starts")
    parser.add_argument("--pipeline", type=int, default=16)
    parser.add_argument("command", nargs="*")
    args = parser.parse_args(argv)
    if args.bench:
        return asyncio.run(bench(args.port, args.host, args.bench, args.pipeline,
                                 args.warmup))
    return asyncio.run(one_command(args.port, args.host, args.command or ["PING"]))


if __name__ == "__main__":
    sys.exit(main())
