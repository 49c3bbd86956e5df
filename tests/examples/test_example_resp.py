"""The RESP server examples (nodenet, asyncio Protocol, Node net: one protocol,
the same answers) driven by raw sockets, redis-cli and redis-benchmark, and
the RESP clients against them and against a real redis-server."""

from __future__ import annotations

import re
import socket
import subprocess
from typing import Iterator

import pytest

from example_support import Child, command_for, exchange, run, serve, tool

SERVERS = ["resp_server.py", "resp_server_asyncio.py", "resp_server.js"]


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest) -> Iterator[Child]:
    yield from serve(request.param, "--port", "0")


def test_pipelined_commands_get_replies_in_order(server: Child) -> None:
    payload = (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\n"
               b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
               b"PING\r\n"
               b"*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n"
               b"*1\r\n$4\r\nQUIT\r\n"
               b"*1\r\n$4\r\nPING\r\n")        # after QUIT: never answered
    assert exchange(server.port, payload, close=False) == (
        b"+OK\r\n$2\r\nv1\r\n+PONG\r\n-ERR value is not an integer or out of range\r\n+OK\r\n")


def test_protocol_error_is_answered_and_closed(server: Child) -> None:
    reply = exchange(server.port, b"*1\r\n:1\r\n", close=False)
    assert reply.startswith(b"-ERR Protocol error: expected '$'")


def test_commands_split_across_writes(server: Child) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        for piece in (b"*2\r\n$4\r\nEC", b"HO\r\n$5\r\nhel", b"lo\r\n"):
            sock.sendall(piece)
        assert sock.recv(100) == b"$5\r\nhello\r\n"


def test_redis_cli(server: Child) -> None:
    cli = tool("redis-cli")
    port = str(server.port)

    def call(*args: str) -> str:
        out = run([cli, "-p", port, *args])
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    assert call("PING") == "PONG"
    assert call("SET", "greeting", "hello world") == "OK"
    assert call("GET", "greeting") == "hello world"
    assert call("INCR", "n") == "1"
    assert call("RPUSH", "l", "a", "b", "c") == "3"
    assert call("LRANGE", "l", "0", "-1") == "a\nb\nc"
    assert call("DEL", "greeting", "n") == "2"
    assert call("EXISTS", "greeting") == "0"
    assert "unknown command" in call("NOPE")
    # The interactive mode, as a person types (redis-cli asks COMMAND DOCS first).
    out = run([cli, "-p", port], input="SET a 1\nINCRBY a 41\nGET a\n")
    assert out.returncode == 0 and out.stdout.split() == ["OK", "42", "42"], out


def test_redis_benchmark_default_tests(server: Child) -> None:
    bench = tool("redis-benchmark")
    out = run([bench, "-p", str(server.port), "-n", "200", "-c", "4", "-q"], timeout=120)
    assert out.returncode == 0, out.stderr
    names = set(re.findall(r"([A-Z][A-Z_0-9]+)(?: \([^)]*\))?: [\d.]+ requests per second",
                           out.stdout))
    assert names >= {"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH",
                     "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN", "LRANGE_100",
                     "LRANGE_300", "LRANGE_500", "LRANGE_600", "MSET"}, out.stdout
    assert "Could not fetch server CONFIG" not in out.stdout + out.stderr


def test_redis_benchmark_pipelined(server: Child) -> None:
    bench = tool("redis-benchmark")
    out = run([bench, "-p", str(server.port), "-n", "2000", "-c", "5", "-P", "16",
               "-t", "set,get", "-q"], timeout=120)
    assert out.returncode == 0, out.stderr
    assert re.search(r"SET: [\d.]+ requests per second", out.stdout), out.stdout
    assert re.search(r"GET: [\d.]+ requests per second", out.stdout), out.stdout


@pytest.mark.parametrize("client", ["resp_client.py", "resp_client_asyncio.py"])
def test_client_against_the_example_server(client: str) -> None:
    for server in serve("resp_server.py", "--port", "0"):
        port = str(server.port)
        out = run(command_for(client, "--port", port, "SET", "k", "v"))
        assert out.returncode == 0 and out.stdout == "OK\n", out
        out = run(command_for(client, "--port", port, "RPUSH", "l", "x", "y"))
        assert out.stdout == "(integer) 2\n", out
        out = run(command_for(client, "--port", port, "LRANGE", "l", "0", "-1"))
        assert out.stdout == '1) "x"\n2) "y"\n', out
        out = run(command_for(client, "--port", port, "INCR", "k"))
        assert out.stdout == "(error) ERR value is not an integer or out of range\n", out
        out = run(command_for(client, "--port", port, "--bench", "500", "--pipeline", "7",
                              "--warmup", "32"))
        assert out.returncode == 0, out.stderr
        fields = dict(f.split("=") for f in out.stdout.split())
        assert fields["requests"] == "500" and float(fields["cpu_seconds"]) > 0


@pytest.fixture
def redis_server() -> Iterator[int]:
    binary = tool("redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "Ready to accept connections" in line:
                break
        else:
            pytest.fail("redis-server did not start")
        yield port
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


@pytest.mark.parametrize("client", ["resp_client.py", "resp_client_asyncio.py"])
def test_client_against_redis_server(client: str, redis_server: int) -> None:
    port = str(redis_server)
    assert run(command_for(client, "--port", port, "SET", "a", "1")).stdout == "OK\n"
    assert run(command_for(client, "--port", port, "INCRBY", "a", "41")).stdout == \
        "(integer) 42\n"
    assert run(command_for(client, "--port", port, "GET", "nope")).stdout == "(nil)\n"
    out = run(command_for(client, "--port", port, "--bench", "1000", "--pipeline", "16"))
    assert out.returncode == 0 and "requests=1000 " in out.stdout, out
