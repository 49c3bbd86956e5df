"""Many connections at once, and many one after another (SPEC §5, issue #8).

The server is nodenet in this process, an echo server as in Node's docs
(``socket.pipe(socket)``); the clients live in a child process
(stress_peers.py, plain sockets and selectors) so that each side has the whole
fd limit and nothing of nodenet is on the client side. Every payload is
distinct and every echo is compared byte for byte; each client then
half-closes and must read the server's FIN with no byte more.

Nothing here waits on a timer or depends on the kernel's buffers: the clients
read while they write, admission is by the number of unconfirmed connections,
and every wait is bounded.
"""

from __future__ import annotations

import socket
import time
from typing import List

import pytest

import nodenet as net
from stress_support import PeerProcess, listening, need_fds, nofile, port  # noqa: F401
from support import on_loop, open_fds, run, wait_for


class EchoStats:
    """What the server saw, written on the loop thread only."""

    def __init__(self) -> None:
        self.accepted = 0
        self.open = 0
        self.peak = 0
        self.closed = 0
        self.closed_with_error = 0
        self.errors: List[str] = []


def start_echo_server(stats: EchoStats, backlog: int = 511) -> net.Server:
    """An echo server (``c.pipe(c)``) that counts its connections; listening on
    127.0.0.1 when this returns."""

    def on_connection(c: net.Socket) -> None:
        stats.accepted += 1
        stats.open += 1
        stats.peak = max(stats.peak, stats.open)

        def on_close(had_error: bool) -> None:
            stats.open -= 1
            stats.closed += 1
            stats.closed_with_error += bool(had_error)

        c.on("error", lambda err: stats.errors.append(getattr(err, "code", repr(err))))
        c.on("close", on_close)
        c.pipe(c)

    return listening(lambda: net.create_server(on_connection),
                     {"port": 0, "host": "127.0.0.1", "backlog": backlog})


def connection_count(srv: net.Server) -> int:
    counts: List[int] = []
    srv.get_connections(lambda err, n: counts.append(n))
    wait_for(lambda: bool(counts), 10, "get_connections")
    return counts[0]


def close_server(srv: net.Server) -> None:
    on_loop(srv.close)
    run(None, 30)


@pytest.mark.slow
def test_ten_thousand_concurrent_echo_connections(nofile: int) -> None:
    """10,000 connections open at the same time, each echoing two distinct
    payloads: the first as it connects (at most 500 unconfirmed at once), the
    second on all of them together once every one is open."""
    n = 10_000
    need_fds(nofile, n)
    stats = EchoStats()
    srv = start_echo_server(stats, backlog=1024)
    started = time.monotonic()
    with PeerProcess("hold", port(srv), {"n": n, "inflight": 500, "sizes": [16, 2048],
                                    "deadline": 150}) as peers:
        report = peers.result(timeout=180)
    assert report.get("error") is None and report["returncode"] == 0, report
    wait_for(lambda: stats.closed == n, 60, "every server socket to close")
    elapsed = time.monotonic() - started
    assert report["done"] == n
    assert report["peak_open"] == n          # the clients held them all at once
    assert stats.accepted == n
    assert stats.peak == n                   # and so did the server
    assert stats.errors == [] and stats.closed_with_error == 0
    assert connection_count(srv) == 0
    close_server(srv)
    print(f"\nstress hold: {n} connections held at once, {report['bytes_checked']} bytes "
          f"echoed and checked, {elapsed:.1f}s (all open after {report['all_open_at']}s)")


@pytest.mark.slow
def test_twenty_thousand_connection_storm(nofile: int) -> None:
    """20,000 connections, 200 in flight: each echoes a distinct payload,
    half-closes and closes. Afterwards the server still serves, holds no
    connection and no fd more than before the storm."""
    n = 20_000
    stats = EchoStats()
    srv = start_echo_server(stats)
    fds_before = open_fds()
    started = time.monotonic()
    with PeerProcess("storm", port(srv), {"n": n, "inflight": 200, "sizes": [8, 256],
                                     "deadline": 150}) as peers:
        report = peers.result(timeout=180)
    assert report.get("error") is None and report["returncode"] == 0, report
    wait_for(lambda: stats.closed == n, 60, "every server socket to close")
    elapsed = time.monotonic() - started
    assert report["done"] == n
    assert report["peak_open"] <= 200
    assert stats.accepted == n and stats.open == 0
    assert stats.errors == [] and stats.closed_with_error == 0
    assert connection_count(srv) == 0
    leaked = {fd: t for fd, t in open_fds().items() if fds_before.get(fd) != t}
    assert not leaked, f"fds left after the storm: {leaked}"

    # still serving
    with socket.create_connection(("127.0.0.1", port(srv)), timeout=10) as c:
        c.sendall(b"still serving")
        c.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            data = c.recv(4096)
            if not data:
                break
            got += data
    assert got == b"still serving"
    wait_for(lambda: stats.closed == n + 1, 10, "the last connection to close")
    close_server(srv)
    print(f"\nstress storm: {n} connections, 200 in flight, {report['bytes_checked']} "
          f"bytes echoed and checked, {elapsed:.1f}s")
