"""The small examples: echo, chat, the TCP proxy and the Happy Eyeballs tracer,
each run as a user runs it."""

from __future__ import annotations

import socket
import subprocess
from typing import Iterator

import pytest

from example_support import (Child, TIMEOUT, command_for, exchange, recv_until, run, serve,
                             tool)


def test_echo_server() -> None:
    for server in serve("echo_server.py", "0"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
            assert recv_until(sock, b"\r\n") == b"hello\r\n"
            sock.sendall(b"echo me")
            assert recv_until(sock, b"me") == b"echo me"
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(10) == b""          # pipe() ends it back
        assert server.read_line() == "client connected"
        assert server.read_line() == "client disconnected"


def test_chat_server() -> None:
    for server in serve("chat_server.py", "0"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as ann, \
                socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as bob:
            assert recv_until(ann, b"\n") == b"Welcome! Your name?\n"
            ann.sendall(b"ann\n")
            assert recv_until(ann, b"here.\n") == b"Hello ann, 0 other(s) here.\n"
            assert recv_until(bob, b"\n") == b"Welcome! Your name?\n"
            bob.sendall(b"bob\r\nhi ann\n")
            assert recv_until(ann, b"hi ann\n") == b"* bob joined\nbob> hi ann\n"
            assert recv_until(bob, b"here.\n") == b"Hello bob, 1 other(s) here.\n"
            ann.sendall("h\u00e9llo ".encode()[:2])   # a character split across writes
            ann.sendall("h\u00e9llo ".encode()[2:] + b"bob\n")
            assert recv_until(bob, b"bob\n") == "ann> h\u00e9llo bob\n".encode()
            bob.close()
            assert recv_until(ann, b"left\n") == b"* bob left\n"


@pytest.fixture
def resp_server() -> Iterator[Child]:
    yield from serve("resp_server.py", "--port", "0")


def test_tcp_proxy(resp_server: Child) -> None:
    for proxy in serve("tcp_proxy.py", "--port", "0", "--target", f"127.0.0.1:{resp_server.port}"):
        assert proxy.first_line.endswith(f"-> 127.0.0.1:{resp_server.port}")
        assert exchange(proxy.port, b"PING\r\n", until=b"\r\n") == b"+PONG\r\n"
        big = b"x" * (1 << 20)                     # many reads and writes each way
        reply = exchange(proxy.port, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n%s\r\n"
                         b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n" % (len(big), big),
                         until=big + b"\r\n")
        assert reply == b"+OK\r\n$%d\r\n%s\r\n" % (len(big), big)
        cli = tool("redis-cli")
        out = run([cli, "-p", str(proxy.port), "INCR", "n"])
        assert out.stdout.strip() == "1", out


def test_tcp_proxy_target_down() -> None:
    with socket.socket() as probe:                 # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    for proxy in serve("tcp_proxy.py", "--port", "0", "--target", f"127.0.0.1:{dead}"):
        # The upstream's error destroys the client's socket; the proxy keeps serving.
        assert dropped(proxy.port) and dropped(proxy.port)


def dropped(port: int) -> bool:
    """The proxy closed our connection without an answer: EOF, or a reset when it
    closed with our PING still unread (the kernel then sends RST, in Node too;
    which comes first, the read or the refusal, is up to the scheduler)."""
    try:
        return exchange(port, b"PING\r\n", close=False) == b""
    except ConnectionResetError:
        return True


def test_happy_eyeballs_tracer() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = str(listener.getsockname()[1])
        # 127.0.0.2 refuses (nothing listens there), then 127.0.0.1 answers.
        out = run(command_for("happy_eyeballs.py", "example.test", port,
                              "--answers", "127.0.0.2,127.0.0.1"))
    assert out.returncode == 0, out.stderr
    events = [line.split("ms", 1)[1].strip() for line in out.stdout.splitlines()]
    assert events == [
        f"connect example.test port {port}",
        "lookup example.test: 127.0.0.2 (IPv4)",
        "lookup example.test: 127.0.0.1 (IPv4)",
        f"attempt  127.0.0.2 port {port} (IPv4)",
        f"failed   127.0.0.2 port {port}: ECONNREFUSED",
        f"attempt  127.0.0.1 port {port} (IPv4)",
        f"connected to 127.0.0.1 port {port} (tried: 127.0.0.2:{port}, 127.0.0.1:{port})",
    ], out.stdout


def test_happy_eyeballs_tracer_all_fail() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    out = run(command_for("happy_eyeballs.py", "example.test", port,
                          "--answers", "127.0.0.2,127.0.0.1"))
    assert out.returncode == 1
    lines = [line.split("ms", 1)[1].strip() for line in out.stdout.splitlines()]
    assert lines[-3:] == ["error ECONNREFUSED: AggregateError('')",
                          f"connect ECONNREFUSED 127.0.0.2:{port}",
                          f"connect ECONNREFUSED 127.0.0.1:{port}"], out.stdout
