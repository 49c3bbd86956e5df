"""The echo server of Node's net docs, on nodenet.

Node::

    const server = net.createServer((c) => {
      console.log('client connected');
      c.on('end', () => console.log('client disconnected'));
      c.write('hello\\r\\n');
      c.pipe(c);
    });
    server.listen(8124, () => console.log('server bound'));

Python (``python docs/examples/echo_server.py``, then ``nc 127.0.0.1 8124``):
"""

from __future__ import annotations

import sys

import nodenet as net


def on_connection(c: net.Socket) -> None:
    print("client connected", flush=True)
    c.on("end", lambda: print("client disconnected", flush=True))
    c.on("error", lambda err: print(f"client error: {err}", flush=True))
    c.write("hello\r\n")
    c.pipe(c)


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8124
    server = net.create_server(on_connection)
    server.on("error", lambda err: print(f"server error: {err}", file=sys.stderr))
    server.listen(port, "127.0.0.1",
                  lambda: print(f"server bound on port {server.address()['port']}", flush=True))


if __name__ == "__main__":
    try:
        net.run(main)
    except KeyboardInterrupt:
        sys.exit(130)
