"""The parsers and the command table shared by the RESP and HTTP examples
(docs/examples/resp.py and http1.py): byte-at-a-time feeding, pipelining and
bad input, without any I/O."""

from __future__ import annotations

import pytest

import example_support  # noqa: F401  (puts docs/examples on sys.path)
import http1  # noqa: E402
import resp  # noqa: E402


def feed_bytewise(parser: "resp.RequestParser | resp.ReplyParser", data: bytes) -> list:
    out = []
    for i in range(len(data)):
        out.extend(parser.feed(data[i:i + 1]))
    return out


def test_resp_commands_split_anywhere() -> None:
    stream = resp.command("SET", "k", "v\r\nx") + b"PING\r\n" + resp.command("GET", "k")
    assert resp.RequestParser().feed(stream) == [[b"SET", b"k", b"v\r\nx"], [b"PING"],
                                                 [b"GET", b"k"]]
    assert feed_bytewise(resp.RequestParser(), stream) == [[b"SET", b"k", b"v\r\nx"],
                                                           [b"PING"], [b"GET", b"k"]]


def test_resp_bad_input_is_a_protocol_error() -> None:
    with pytest.raises(resp.ProtocolError):
        resp.RequestParser().feed(b"*1\r\n:5\r\n")
    with pytest.raises(resp.ProtocolError):
        resp.RequestParser().feed(b"*x\r\n")


def test_resp_store_commands() -> None:
    store = resp.Store()

    def run(*args: str) -> bytes:
        return store.execute([a.encode() for a in args])

    assert run("PING") == b"+PONG\r\n"
    assert run("set", "a", "1") == b"+OK\r\n"
    assert run("SET", "a", "2", "NX") == b"$-1\r\n"
    assert run("INCR", "a") == b":2\r\n"
    assert run("INCRBY", "a", "10") == b":12\r\n"
    assert run("GET", "a") == b"$2\r\n12\r\n"
    assert run("LPUSH", "a", "x") == resp.WRONGTYPE
    assert run("RPUSH", "l", "1", "2", "3") == b":3\r\n"
    assert run("LRANGE", "l", "0", "-1") == b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    assert run("LRANGE", "l", "5", "9") == b"*0\r\n"
    assert run("LPOP", "l") == b"$1\r\n1\r\n"
    assert run("ZADD", "z", "2", "b", "1", "a") == b":2\r\n"
    assert run("ZPOPMIN", "z") == b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert run("HSET", "h", "f", "v") == b":1\r\n"
    assert run("TYPE", "h") == b"+hash\r\n"
    assert run("TYPE", "z") == b"+zset\r\n"
    assert run("MSET", "m1", "x", "m2", "y") == b"+OK\r\n"
    assert run("MGET", "m1", "nope", "m2") == b"*3\r\n$1\r\nx\r\n$-1\r\n$1\r\ny\r\n"
    assert run("DEL", "m1", "m2", "nope") == b":2\r\n"
    assert run("GET") == b"-ERR wrong number of arguments for 'get' command\r\n"
    assert run("NOPE") == b"-ERR unknown command 'NOPE'\r\n"
    assert run("CONFIG", "GET", "save") == b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n"


def test_resp_replies_split_anywhere() -> None:
    stream = b"+OK\r\n-ERR no\r\n:42\r\n$3\r\nabc\r\n$-1\r\n*2\r\n$1\r\nx\r\n*1\r\n:1\r\n"
    for replies in (resp.ReplyParser().feed(stream), feed_bytewise(resp.ReplyParser(), stream)):
        assert replies[0] == "OK" and replies[2:] == [42, b"abc", None, [b"x", [1]]]
        assert isinstance(replies[1], resp.ReplyError) and str(replies[1]) == "ERR no"
    assert resp.show([b"a", 1, None]) == '1) "a"\n2) (integer) 1\n3) (nil)'


def test_http_requests_pipelined_and_split() -> None:
    stream = (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
              b"POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
              b"GET / HTTP/1.0\r\n\r\n")
    for requests in (http1.RequestParser().feed(stream),
                     feed_bytewise(http1.RequestParser(), stream)):  # type: ignore[arg-type]
        assert [(r.method, r.target, r.keep_alive) for r in requests] == [
            ("GET", "/", True), ("POST", "/echo", True), ("GET", "/", False)]
        assert requests[1].body == b"hello"


def test_http_keep_alive_rules() -> None:
    def keep(head: bytes) -> bool:
        return http1.RequestParser().feed(head + b"\r\n\r\n")[0].keep_alive

    assert keep(b"GET / HTTP/1.1") is True
    assert keep(b"GET / HTTP/1.1\r\nConnection: close") is False
    assert keep(b"GET / HTTP/1.0") is False
    assert keep(b"GET / HTTP/1.0\r\nConnection: Keep-Alive") is True


def test_http_bad_requests() -> None:
    with pytest.raises(http1.BadRequest):
        http1.RequestParser().feed(b"GARBAGE\r\n\r\n")
    with pytest.raises(http1.BadRequest) as info:
        http1.RequestParser().feed(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert info.value.status == 501
    with pytest.raises(http1.BadRequest) as info:
        http1.RequestParser().feed(b"x" * (http1.MAX_HEAD + 1))
    assert info.value.status == 431
    assert http1.bad_request(http1.BadRequest("no")).startswith(b"HTTP/1.1 400 Bad Request\r\n")


def test_http_responses() -> None:
    get = http1.RequestParser().feed(b"GET / HTTP/1.1\r\n\r\n")[0]
    assert http1.respond(get) == (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                  b"Content-Length: 14\r\nConnection: keep-alive\r\n\r\n"
                                  b"Hello, World!\n")
    head = http1.RequestParser().feed(b"HEAD / HTTP/1.0\r\n\r\n")[0]
    assert http1.respond(head).endswith(b"Connection: close\r\n\r\n")
    missing = http1.RequestParser().feed(b"GET /x HTTP/1.1\r\n\r\n")[0]
    assert http1.respond(missing).startswith(b"HTTP/1.1 404 Not Found")
    wrong = http1.RequestParser().feed(b"GET /echo HTTP/1.1\r\n\r\n")[0]
    assert http1.respond(wrong).startswith(b"HTTP/1.1 405")
