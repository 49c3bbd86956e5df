"""A TCP proxy on nodenet: each client gets its own connection to the target
and ``pipe()`` carries the bytes both ways, with backpressure.

    python docs/examples/tcp_proxy.py --port 6381 --target 127.0.0.1:6380
    redis-cli -p 6381 PING         # through the proxy to the RESP example

Node::

    net.createServer((client) => {
      const upstream = net.connect(targetPort, targetHost);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    }).listen(port);
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

import nodenet as net


def make_proxy(target_host: str, target_port: int) -> net.Server:
    def on_connection(client: net.Socket) -> None:
        upstream = net.connect(target_port, target_host)
        client.pipe(upstream).pipe(client)
        # One side failing takes the other down, as a Node proxy does.
        client.on("error", lambda err: upstream.destroy())
        upstream.on("error", lambda err: client.destroy())

    return net.create_server(on_connection)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6381, help="0: any free port")
    parser.add_argument("--target", default="127.0.0.1:6380", help="HOST:PORT to forward to")
    args = parser.parse_args(argv)
    target_host, _, target_port = args.target.rpartition(":")

    def start() -> None:
        server = make_proxy(target_host.strip("[]") or "127.0.0.1", int(target_port))
        server.listen(args.port, args.host, lambda: print(
            f"proxy on {args.host}:{server.address()['port']} -> {args.target}", flush=True))

    net.run(start)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
