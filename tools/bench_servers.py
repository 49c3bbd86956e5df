"""Echo servers for the benchmarks, one per implementation, selected by name.

Run as ``python tools/bench_servers.py NAME [PORT]``: prints ``PORT=<n>`` once
listening on 127.0.0.1, then serves until killed. Every server echoes what it
reads, the way the nodenet docs' echo server does (``c.pipe(c)``).
"""

from __future__ import annotations

import os
import sys
from typing import Dict, cast

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def announce(port: int) -> None:
    print(f"PORT={port}", flush=True)


def ignore(err: BaseException) -> None:
    """An 'error' listener that ignores the error: load generators reset
    connections. One function for all sockets (a lambda per connection would
    count in the memory per idle connection)."""


def nodenet_pipe(port: int) -> None:
    import nodenet as net

    def on_connection(c: "net.Socket") -> None:
        c.on("error", ignore)
        c.pipe(c)

    def main() -> None:
        server = net.create_server(on_connection)
        server.listen(port, "127.0.0.1", lambda: announce(server.address()["port"]))

    net.run(main)


def nodenet_data(port: int) -> None:
    import nodenet as net

    def on_connection(c: "net.Socket") -> None:
        c.on("error", ignore)
        c.on("data", c.write)

    def main() -> None:
        server = net.create_server(on_connection)
        server.listen(port, "127.0.0.1", lambda: announce(server.address()["port"]))

    net.run(main)


def asyncio_protocol(port: int) -> None:
    import asyncio

    class Echo(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport

        def data_received(self, data: bytes) -> None:
            self.transport.write(data)  # type: ignore[attr-defined]

        def connection_lost(self, exc: object) -> None:
            pass

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Echo, "127.0.0.1", port)
        announce(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


def asyncio_streams(port: int) -> None:
    import asyncio

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        announce(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


def bare_selectors(port: int) -> None:
    """The pure-Python limit: a minimal hand-written selectors echo loop."""
    import selectors
    import socket

    sel = selectors.DefaultSelector()
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(511)
    lsock.setblocking(False)
    sel.register(lsock, selectors.EVENT_READ, None)
    pending: Dict[socket.socket, bytes] = {}
    announce(lsock.getsockname()[1])
    while True:
        for key, mask in sel.select():
            sock = cast(socket.socket, key.fileobj)
            if key.data is None:
                while True:
                    try:
                        conn, _ = lsock.accept()
                    except BlockingIOError:
                        break
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_READ, b"")
                continue
            if mask & selectors.EVENT_WRITE:
                buf = pending[sock]
                try:
                    n = sock.send(buf)
                except BlockingIOError:
                    n = 0
                except OSError:
                    n = len(buf)
                buf = buf[n:]
                if buf:
                    pending[sock] = buf
                else:
                    del pending[sock]
                    sel.modify(sock, selectors.EVENT_READ, b"")
                continue
            try:
                data = sock.recv(65536)
            except (BlockingIOError, ConnectionError):
                continue
            if not data:
                sel.unregister(sock)
                pending.pop(sock, None)
                sock.close()
                continue
            if sock in pending:
                pending[sock] += data
                continue
            try:
                n = sock.send(data)
            except BlockingIOError:
                n = 0
            except OSError:
                continue
            if n < len(data):
                pending[sock] = data[n:]
                sel.modify(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, b"")


SERVERS = {
    "nodenet": nodenet_pipe,
    "nodenet-data": nodenet_data,
    "asyncio-protocol": asyncio_protocol,
    "asyncio-streams": asyncio_streams,
    "selectors": bare_selectors,
}

if __name__ == "__main__":
    name = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    try:
        SERVERS[name](port)
    except KeyboardInterrupt:
        pass
