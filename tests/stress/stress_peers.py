"""The other end of the stress tests: many TCP peers in one child process.

Run by tests/stress as ``python stress_peers.py MODE PORT`` with a JSON plan on
the first line of stdin; prints one JSON report line on stdout and exits 0 (1
when a peer failed, 2 at the deadline). Plain ``socket`` + ``selectors``, no
nodenet: the server under test is nodenet in the pytest process, and the peers
must not share its code, its loop or its file-descriptor limit.

Each peer is a generator that yields what it waits for:

* ``("io", sock, events)``: resumed with the ready mask when ``sock`` is ready;
* ``("park", key)``: resumed when something calls ``Peers.wake(key)``
  (a barrier, or a line ``key`` read from stdin);
* ``("release",)``: gives back its admission slot (see ``limit``) and goes on.

Modes:

``hold``  ``n`` connections, at most ``inflight`` not yet confirmed by an echo;
          once all ``n`` are confirmed (all open at once), each sends a second
          payload on every connection at the same time, checks the echo, half-closes
          and waits for the server's FIN with no byte more, then closes.
``storm`` ``n`` connections, at most ``inflight`` open at once: connect, echo one
          payload, half-close, EOF, close.
``bulk``  the peers of ``plan["peers"]``: an upload and a download each checked by
          SHA-256 (protocol in test_stress_bulk.py), some of them misbehaving.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import resource
import selectors
import socket
import struct
import sys
import time
from collections import deque
from typing import Any, Callable, Deque, Dict, Generator, Iterable, Iterator, List, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stress_payloads as payloads  # noqa: E402

READ = selectors.EVENT_READ
WRITE = selectors.EVENT_WRITE
Peer = Generator[Any, Any, None]


class PeerFailed(Exception):
    """A check failed in one peer: the run stops and reports it."""


class Peers:
    """A tiny scheduler: admission-limited generator peers on one selector."""

    def __init__(self, limit: int, deadline: float) -> None:
        self.sel = selectors.DefaultSelector()
        self.limit = limit
        self.deadline = deadline
        self.waiting: Deque[Iterator[Peer]] = deque()
        self.ready: Deque[Tuple[Peer, Any]] = deque()
        self.parked: Dict[str, List[Peer]] = {}
        self.holding: Dict[Peer, bool] = {}     # live peer -> still holds a slot
        self.in_flight = 0
        self.open_now = 0
        self.peak_open = 0
        self.stdin_buf = b""
        self.registered: Dict[int, Peer] = {}

    # -- sockets the peers open and close (counted: the peak is reported)
    def new_socket(self) -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        self.open_now += 1
        self.peak_open = max(self.peak_open, self.open_now)
        return s

    def close(self, s: socket.socket, reset: bool = False) -> None:
        fd = s.fileno()
        if fd in self.registered:
            del self.registered[fd]
            self.sel.unregister(s)
        if reset:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        self.open_now -= 1

    # -- running
    def add(self, peers: Iterable[Peer]) -> None:
        """Queue peers; they start as slots free up."""
        self.waiting.append(iter(peers))

    def wake(self, key: str) -> None:
        for peer in self.parked.pop(key, []):
            self.ready.append((peer, None))

    def watch_stdin(self) -> None:
        os.set_blocking(sys.stdin.fileno(), False)
        self.sel.register(sys.stdin.fileno(), READ, None)

    def _admit(self) -> None:
        while self.waiting and self.in_flight < self.limit:
            peer = next(self.waiting[0], None)
            if peer is None:
                self.waiting.popleft()
                continue
            self.in_flight += 1
            self.holding[peer] = True
            self.ready.append((peer, None))

    def _release(self, peer: Peer) -> None:
        if self.holding.get(peer):
            self.holding[peer] = False
            self.in_flight -= 1

    def _step(self, peer: Peer, value: Any) -> None:
        while True:
            try:
                req = peer.send(value)
            except StopIteration:
                self._release(peer)
                del self.holding[peer]
                return
            if req[0] == "release":
                self._release(peer)
                value = None
                continue
            if req[0] == "park":
                # a parked peer's socket must not wake it: stop watching it
                for fd in [fd for fd, p in self.registered.items() if p is peer]:
                    del self.registered[fd]
                    self.sel.unregister(fd)
                self.parked.setdefault(req[1], []).append(peer)
                return
            _, s, events = req
            fd = s.fileno()
            if fd in self.registered:
                self.sel.modify(fd, events, peer)
            else:
                self.sel.register(fd, events, peer)
            self.registered[fd] = peer
            return

    def _read_stdin(self) -> None:
        try:
            data = os.read(sys.stdin.fileno(), 4096)
        except BlockingIOError:
            return
        if not data:
            self.sel.unregister(sys.stdin.fileno())
            return
        self.stdin_buf += data
        while b"\n" in self.stdin_buf:
            line, self.stdin_buf = self.stdin_buf.split(b"\n", 1)
            self.wake(line.decode().strip())

    def run(self) -> None:
        """Until every peer has finished (or the deadline: PeerFailed)."""
        self._admit()
        while self.holding or self.waiting:
            while self.ready:
                peer, value = self.ready.popleft()
                self._step(peer, value)
                self._admit()
            if not self.holding and not self.waiting:
                break
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise PeerFailed(
                    f"deadline: {len(self.holding)} peers unfinished, "
                    f"{sum(map(len, self.parked.values()))} parked, {self.in_flight} in flight")
            for key, mask in self.sel.select(min(left, 1.0)):
                if key.data is None:
                    self._read_stdin()
                else:
                    self.ready.append((key.data, mask))
            self._admit()


# -- building blocks (each a sub-generator: ``yield from``) ---------------------

def connect(peers: Peers, port: int) -> Generator[Any, Any, socket.socket]:
    s = peers.new_socket()
    err = s.connect_ex(("127.0.0.1", port))
    if err == errno.EINPROGRESS:
        yield ("io", s, WRITE)
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if err:
        peers.close(s)
        raise PeerFailed(f"connect: {errno.errorcode.get(err, err)}")
    return s


def send_all(s: socket.socket, pieces: Iterable[bytes]) -> Generator[Any, Any, int]:
    total = 0
    for piece in pieces:
        view = memoryview(piece)
        while view:
            try:
                n = s.send(view)
            except (BlockingIOError, InterruptedError):
                yield ("io", s, WRITE)
                continue
            view = view[n:]
            total += n
    return total


def recv_some(s: socket.socket, size: int) -> Generator[Any, Any, bytes]:
    """At most ``size`` bytes (b'' at EOF)."""
    while True:
        try:
            return s.recv(size)
        except (BlockingIOError, InterruptedError):
            yield ("io", s, READ)


def recv_exact(s: socket.socket, n: int) -> Generator[Any, Any, bytes]:
    got = bytearray()
    while len(got) < n:
        data = yield from recv_some(s, n - len(got))
        if not data:
            raise PeerFailed(f"EOF after {len(got)} of {n} bytes")
        got += data
    return bytes(got)


def recv_line(s: socket.socket, limit: int = 256) -> Generator[Any, Any, bytes]:
    """One line, read a byte at a time so nothing after it is consumed."""
    line = bytearray()
    while not line.endswith(b"\n"):
        data = yield from recv_some(s, 1)
        if not data:
            raise PeerFailed(f"EOF inside a line: {bytes(line)!r}")
        line += data
        if len(line) > limit:
            raise PeerFailed("line too long")
    return bytes(line)


def recv_to_eof(s: socket.socket, limit: int = 4096) -> Generator[Any, Any, bytes]:
    got = bytearray()
    while True:
        data = yield from recv_some(s, 4096)
        if not data:
            return bytes(got)
        got += data
        if len(got) > limit:
            raise PeerFailed(f"more than {limit} bytes: {bytes(got[:40])!r}")


def expect_eof(s: socket.socket) -> Generator[Any, Any, None]:
    data = yield from recv_some(s, 65536)
    if data:
        raise PeerFailed(f"{len(data)} unexpected bytes before EOF: {data[:40]!r}")


def echo(s: socket.socket, payload: bytes) -> Generator[Any, Any, None]:
    """Send ``payload`` while reading its echo (both at once: the server may
    stop reading until its replies are read); the echo must be exact."""
    view = memoryview(payload)
    got = bytearray()
    while len(got) < len(payload):
        mask = yield ("io", s, READ | (WRITE if view else 0))
        if mask & WRITE and view:
            try:
                view = view[s.send(view):]
            except (BlockingIOError, InterruptedError):
                pass
        if mask & READ:
            try:
                data = s.recv(len(payload) - len(got))
            except (BlockingIOError, InterruptedError):
                continue
            if not data:
                raise PeerFailed(f"EOF after {len(got)} of {len(payload)} echoed bytes")
            got += data
    if got != payload:
        raise PeerFailed(f"echo differs: sent {payload[:24]!r}..., got {bytes(got[:24])!r}...")


# -- hold and storm ---------------------------------------------------------

def payload_length(index: int, round_: int, low: int, high: int) -> int:
    return low + (index * 2654435761 + round_ * 40503) % (high - low + 1)


def hold(peers: Peers, port: int, plan: Dict[str, Any], report: Dict[str, Any]) -> List[Peer]:
    n = plan["n"]
    low, high = plan.get("sizes", (16, 2048))
    confirmed = [0]

    def one(i: int) -> Peer:
        s = yield from connect(peers, port)
        first = payloads.echo_payload(i, 0, payload_length(i, 0, 8, 64))
        yield from echo(s, first)
        report["bytes_checked"] += len(first)
        yield ("release",)                # confirmed by the server: let the next one in
        confirmed[0] += 1
        if confirmed[0] == n:
            report["all_open_at"] = time.monotonic()
            peers.wake("all")
        else:
            yield ("park", "all")
        second = payloads.echo_payload(i, 1, payload_length(i, 1, low, high))
        yield from echo(s, second)
        report["bytes_checked"] += len(second)
        s.shutdown(socket.SHUT_WR)
        yield from expect_eof(s)
        peers.close(s)
        report["done"] += 1

    peers.add(one(i) for i in range(n))
    return []


def storm(peers: Peers, port: int, plan: Dict[str, Any], report: Dict[str, Any]) -> List[Peer]:
    n = plan["n"]
    low, high = plan.get("sizes", (8, 256))

    def one(i: int) -> Peer:
        s = yield from connect(peers, port)
        data = payloads.echo_payload(i, 2, payload_length(i, 2, low, high))
        yield from echo(s, data)
        report["bytes_checked"] += len(data)
        s.shutdown(socket.SHUT_WR)
        yield from expect_eof(s)
        peers.close(s)
        report["done"] += 1

    peers.add(one(i) for i in range(n))
    return []


# -- bulk -----------------------------------------------------------------------

def flipped(pieces: Iterable[bytes], at: int) -> Iterator[bytes]:
    """The same stream with the byte at offset ``at`` changed (a corrupt body)."""
    pos = 0
    for piece in pieces:
        if pos <= at < pos + len(piece):
            b = bytearray(piece)
            b[at - pos] ^= 0xFF
            piece = bytes(b)
        pos += len(piece)
        yield piece


def bulk(peers: Peers, port: int, plan: Dict[str, Any], report: Dict[str, Any]) -> List[Peer]:
    outcomes: Dict[str, Any] = report.setdefault("peers", {})

    def one(p: Dict[str, Any]) -> Peer:
        pid, kind, up, down = p["id"], p["kind"], p["up"], p["down"]
        up_start, down_start, cut = p["up_start"], p["down_start"], p.get("cut", 0)
        out: Dict[str, Any] = {"kind": kind}
        outcomes[str(pid)] = out
        s = yield from connect(peers, port)
        out["port"] = s.getsockname()[1]
        if kind == "garbage_header":
            yield from send_all(s, payloads.chunks(up_start, up))
            answer = yield from recv_to_eof(s)
            if answer != b"ERR\n":
                raise PeerFailed(f"peer {pid}: expected ERR and EOF, got {answer!r}")
            peers.close(s)
            out["outcome"] = "rejected"
            return
        sha = payloads.sha256_hex(up_start, up)
        header = f"PUT {pid} {kind} {up} {down} {down_start} {sha}\n".encode()
        yield from send_all(s, [header])
        go = yield from recv_exact(s, 3)
        if go != b"GO\n":
            raise PeerFailed(f"peer {pid}: expected GO, got {go!r}")
        body = payloads.chunks(up_start, up)
        if kind in ("reset_up", "vanish"):
            yield from send_all(s, payloads.chunks(up_start, cut))
            if kind == "vanish":
                s.shutdown(socket.SHUT_WR)
            peers.close(s, reset=kind == "reset_up")
            out["outcome"] = kind
            return
        if kind == "garbage_body":
            body = flipped(body, cut)
        yield from send_all(s, body)
        report["bytes_up"] += up
        if p.get("half"):
            s.shutdown(socket.SHUT_WR)
        if kind == "paused":
            out["outcome"] = "paused"
            yield ("park", "release")      # never reads: the server must time it out
            peers.close(s)
            out["outcome"] = "released"
            return
        line = yield from recv_line(s)
        if kind == "garbage_body":
            if line != b"BAD\n":
                raise PeerFailed(f"peer {pid}: expected BAD, got {line!r}")
            yield from expect_eof(s)
            peers.close(s)
            out["outcome"] = "rejected"
            return
        if line != f"OK {down}\n".encode():
            raise PeerFailed(f"peer {pid}: expected OK {down}, got {line!r}")
        if kind == "reset_down":
            yield from recv_exact(s, cut)
            peers.close(s, reset=True)
            out["outcome"] = kind
            return
        h = hashlib.sha256()
        got = 0
        while got < down:
            data = yield from recv_some(s, min(65536, down - got))
            if not data:
                raise PeerFailed(f"peer {pid}: EOF after {got} of {down} bytes")
            h.update(data)
            got += len(data)
        if h.hexdigest() != payloads.sha256_hex(down_start, down):
            raise PeerFailed(f"peer {pid}: the download's SHA-256 differs")
        report["bytes_down"] += down
        yield from expect_eof(s)
        peers.close(s)
        out["outcome"] = "ok"

    peers.add(one(p) for p in plan["peers"] if not p.get("last"))
    peers.watch_stdin()
    return [one(p) for p in plan["peers"] if p.get("last")]


Mode = Callable[[Peers, int, Dict[str, Any], Dict[str, Any]], List[Peer]]
MODES: Dict[str, Mode] = {"hold": hold, "storm": storm, "bulk": bulk}


def read_plan() -> Tuple[Dict[str, Any], bytes]:
    """The first stdin line, read from the fd itself: a buffered reader could
    swallow the lines that come later (``release``)."""
    data = b""
    while b"\n" not in data:
        more = os.read(sys.stdin.fileno(), 65536)
        if not more:
            break
        data += more
    line, _, rest = data.partition(b"\n")
    return json.loads(line), rest


def main() -> int:
    mode, port = sys.argv[1], int(sys.argv[2])
    plan, early = read_plan()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    started = time.monotonic()
    peers = Peers(plan.get("inflight", 1 << 30), started + plan.get("deadline", 60.0))
    peers.stdin_buf = early
    report: Dict[str, Any] = {"mode": mode, "done": 0, "bytes_checked": 0,
                              "bytes_up": 0, "bytes_down": 0}
    status = 0
    try:
        last = MODES[mode](peers, port, plan, report)
        peers.run()
        if last:                           # peers that start when all the others are done
            peers.add(last)
            peers.run()
    except PeerFailed as exc:
        report["error"] = str(exc)
        status = 2 if str(exc).startswith("deadline") else 1
    except OSError as exc:
        report["error"] = f"{type(exc).__name__}: {exc}"
        status = 1
    report["peak_open"] = peers.peak_open
    report["seconds"] = round(time.monotonic() - started, 3)
    if "all_open_at" in report:
        report["all_open_at"] = round(report["all_open_at"] - started, 3)
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main())
