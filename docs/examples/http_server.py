"""An HTTP/1.1 keep-alive server on nodenet, ported the way a Node program is
written: a ``'data'`` listener parses what arrived and ``write()``s one
response per request; a request that does not keep the connection open is
answered with ``end()``.

    python docs/examples/http_server.py --port 8080
    curl -i http://127.0.0.1:8080/
    ab -k -n 10000 -c 50 http://127.0.0.1:8080/
    wrk -c 50 -d 5 http://127.0.0.1:8080/

The parser and the application live in ``http1.py``, shared with the asyncio
version (``http_server_asyncio.py``); ``http_server.js`` is the same program
for Node.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, List, Optional

import nodenet as net
from http1 import BadRequest, RequestParser, bad_request, respond


def on_connection(c: net.Socket) -> None:
    parser = RequestParser()

    def on_data(data: bytes) -> None:
        if c.writable_ended:
            return                          # the response that closes was sent
        try:
            requests = parser.feed(data)
        except BadRequest as err:
            c.end(bad_request(err))
            return
        for request in requests:
            if not request.keep_alive:
                c.end(respond(request))
                return
            c.write(respond(request))

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
    print(f"HTTP server listening on {address['address']}:{address['port']}", flush=True)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0: any free port")
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
