"""A line-based chat server on nodenet: every line a client sends goes to all
the other clients, prefixed with the sender's name.

    python docs/examples/chat_server.py 8125
    nc 127.0.0.1 8125        # in two terminals; type lines

The first line a client sends is its name. Ported from the classic Node
chat: a ``Set`` of sockets, ``setEncoding('utf8')``, a ``'data'`` listener
that splits lines, ``'close'`` to leave.
"""

from __future__ import annotations

import sys
from typing import Dict, Optional

import nodenet as net

clients: Dict[net.Socket, str] = {}


def broadcast(message: str, sender: Optional[net.Socket]) -> None:
    for client in clients:
        if client is not sender:
            client.write(message)


def on_connection(c: net.Socket) -> None:
    buffered = [""]
    c.set_encoding("utf8")
    c.write("Welcome! Your name?\n")

    def on_line(line: str) -> None:
        if c not in clients:
            clients[c] = line.strip() or f"{c.remote_address}:{c.remote_port}"
            broadcast(f"* {clients[c]} joined\n", c)
            c.write(f"Hello {clients[c]}, {len(clients) - 1} other(s) here.\n")
        else:
            broadcast(f"{clients[c]}> {line}\n", c)

    def on_data(text: str) -> None:
        *lines, buffered[0] = (buffered[0] + text).split("\n")
        for line in lines:
            on_line(line.rstrip("\r"))

    def on_close() -> None:
        name = clients.pop(c, None)
        if name is not None:
            broadcast(f"* {name} left\n", None)

    c.on("data", on_data)
    c.on("close", lambda had_error: on_close())
    c.on("error", lambda err: None)          # a reset is a leave: 'close' follows


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8125
    server = net.create_server(on_connection)
    server.listen(port, "127.0.0.1",
                  lambda: print(f"chat on port {server.address()['port']}", flush=True))


if __name__ == "__main__":
    try:
        net.run(main)
    except KeyboardInterrupt:
        sys.exit(130)
