"""A Redis-protocol (RESP) server on nodenet, ported the way a Node program is
written: one ``'data'`` listener per connection parses what arrived and
``write()``s one reply per command.

    python docs/examples/resp_server.py --port 6380
    redis-cli -p 6380 SET greeting hello
    redis-benchmark -p 6380 -t get,set -n 10000

The parser and the commands live in ``resp.py``, shared with the asyncio
version (``resp_server_asyncio.py``); ``resp_server.js`` is the same program
for Node. ``--reuse-port`` lets several copies listen on one port, the kernel
spreading connections over them (see docs/performance.md, "Beyond one core").
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, List, Optional

import nodenet as net
from resp import ProtocolError, RequestParser, Store, error

store = Store()


def on_connection(c: net.Socket) -> None:
    parser = RequestParser()

    def on_data(data: bytes) -> None:
        if c.writable_ended:
            return                          # after QUIT or a protocol error
        try:
            commands = parser.feed(data)
        except ProtocolError as err:
            c.end(error(f"ERR Protocol error: {err}"))
            return
        for args in commands:
            c.write(store.execute(args))
            if args[0].upper() == b"QUIT":
                c.end()
                return

    c.on("data", on_data)
    c.on("error", lambda err: None)         # a client that resets: 'close' follows


def serve(host: str, port: int, reuse_port: bool = False,
          on_listening: Optional[Callable[[net.Server], None]] = None) -> net.Server:
    """Start the server (call on the loop thread, e.g. from ``run(main)``)."""
    # no_delay: replies written one by one go out at once, not held by Nagle's
    # algorithm for the peer's delayed ACK (Redis and Node's http do the same).
    server = net.create_server({"no_delay": True}, on_connection)
    server.listen({"host": host, "port": port, "reuse_port": reuse_port},
                  lambda: on_listening(server) if on_listening else None)
    return server


def announce(server: net.Server) -> None:
    address = server.address()
    print(f"RESP server listening on {address['address']}:{address['port']}", flush=True)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6380, help="0: any free port")
    parser.add_argument("--reuse-port", action="store_true",
                        help="SO_REUSEPORT: run several copies on one port")
    args = parser.parse_args(argv)
    net.run(lambda: serve(args.host, args.port, args.reuse_port, announce))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
