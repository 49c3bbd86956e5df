"""The HTTP/1.1 server examples (nodenet, asyncio Protocol, Node net) driven
by raw sockets, curl, ab (with and without -k) and wrk."""

from __future__ import annotations

import re
import socket
from typing import Iterator

import pytest

from example_support import Child, exchange, recv_until, run, serve, tool

SERVERS = ["http_server.py", "http_server_asyncio.py", "http_server.js"]
HELLO = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n"
         b"Connection: %s\r\n\r\nHello, World!\n")


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest) -> Iterator[Child]:
    yield from serve(request.param, "--port", "0")


def test_keep_alive_and_pipelining(server: Child) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert recv_until(sock, b"World!\n") == HELLO % b"keep-alive"
        # Two requests in one write, the second closing the connection.
        sock.sendall(b"POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                     b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    assert data == (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                    b"Content-Length: 3\r\nConnection: keep-alive\r\n\r\nabc"
                    + HELLO % b"close")


def test_http10_closes_after_the_response(server: Child) -> None:
    assert exchange(server.port, b"GET / HTTP/1.0\r\n\r\n", close=False) == HELLO % b"close"
    kept = exchange(server.port, b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                    until=b"World!\n")
    assert kept == HELLO % b"keep-alive"


def test_bad_request_gets_400_and_close(server: Child) -> None:
    reply = exchange(server.port, b"NONSENSE\r\n\r\n", close=False)
    assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"Connection: close" in reply


def test_curl(server: Child) -> None:
    curl = tool("curl")
    url = f"http://127.0.0.1:{server.port}/"
    out = run([curl, "-sS", "-v", url, url])      # two requests, one connection
    assert out.returncode == 0, out.stderr
    assert out.stdout == "Hello, World!\n" * 2
    assert re.search(r"[Rr]e-?us(ing|e) existing connection", out.stderr), out.stderr
    out = run([curl, "-sS", "-d", "posted body", url + "echo"])
    assert out.stdout == "posted body"
    out = run([curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", url + "missing"])
    assert out.stdout == "404"
    out = run([curl, "-sS", "--http1.0", url])
    assert out.stdout == "Hello, World!\n"


@pytest.mark.parametrize("keep_alive", [True, False], ids=["ab -k", "ab"])
def test_ab(server: Child, keep_alive: bool) -> None:
    ab = tool("ab")
    args = [ab, "-q", "-n", "300", "-c", "10"] + (["-k"] if keep_alive else [])
    out = run(args + [f"http://127.0.0.1:{server.port}/"], timeout=120)
    assert out.returncode == 0, out.stderr
    assert re.search(r"Complete requests:\s+300\n", out.stdout), out.stdout
    assert re.search(r"Failed requests:\s+0\n", out.stdout), out.stdout
    assert "Non-2xx" not in out.stdout
    kept = re.search(r"Keep-Alive requests:\s+(\d+)", out.stdout)
    assert int(kept.group(1) if kept else 0) == (300 if keep_alive else 0), out.stdout


def test_wrk(server: Child) -> None:
    wrk = tool("wrk")
    out = run([wrk, "-t", "1", "-c", "4", "-d", "1", f"http://127.0.0.1:{server.port}/"],
              timeout=60)
    assert out.returncode == 0, out.stderr
    assert re.search(r"\d+ requests in", out.stdout), out.stdout
    assert "Socket errors" not in out.stdout and "Non-2xx" not in out.stdout, out.stdout
