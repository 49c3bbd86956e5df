"""The HTTP server of ``http_server.py`` on asyncio's Protocol API, with the
same parser and application (``http1.py``): the benchmarks' yardstick.

    python docs/examples/http_server_asyncio.py --port 8080
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from typing import List, Optional

from http1 import BadRequest, RequestParser, bad_request, respond


class HttpProtocol(asyncio.Protocol):
    """One connection: parse what arrives, write one response per request."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.parser = RequestParser()

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        try:
            requests = self.parser.feed(data)
        except BadRequest as err:
            self.transport.write(bad_request(err))
            self.transport.close()
            return
        for request in requests:
            self.transport.write(respond(request))
            if not request.keep_alive:
                self.transport.close()
                return

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        pass


async def serve(host: str, port: int, reuse_port: bool = False) -> None:
    loop = asyncio.get_running_loop()
    # asyncio sets TCP_NODELAY on every TCP transport (the others ask for it).
    server = await loop.create_server(HttpProtocol, host, port, reuse_port=reuse_port)
    sock: socket.socket = server.sockets[0]
    address = sock.getsockname()
    print(f"HTTP server listening on {address[0]}:{address[1]}", flush=True)
    await server.serve_forever()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0: any free port")
    parser.add_argument("--reuse-port", action="store_true")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port, args.reuse_port))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
