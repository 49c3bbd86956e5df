"""HTTP/1.1 for the examples: the request parser and the tiny application
shared by every Python HTTP example.

``http_server.py`` (nodenet) and ``http_server_asyncio.py`` (asyncio Protocol)
import this module; ``http_server.js`` is the same code in JavaScript for
Node's ``net``. No I/O here: ``RequestParser.feed(bytes)`` returns the
complete requests, ``respond(request)`` returns the response bytes.

What it speaks: HTTP/1.1 persistent connections (closed after a request with
``Connection: close``), HTTP/1.0 (closed after each response unless the client
sent ``Connection: keep-alive``, as ``ab -k`` does), pipelined requests, bodies
with ``Content-Length``. Chunked request bodies get ``501`` and a close.
Enough for ``curl``, ``ab`` and ``wrk``; not a general web server.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

MAX_HEAD = 65536


class BadRequest(ValueError):
    """The client sent something that is not HTTP/1.x: answer 400 (or ``status``) and close."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Request:
    """One parsed request. Header names are lower-cased; ``keep_alive`` says
    whether the connection stays open after the response."""

    __slots__ = ("method", "target", "version", "headers", "body", "keep_alive")

    def __init__(self, method: str, target: str, version: str,
                 headers: Dict[str, str], body: bytes) -> None:
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        connection = headers.get("connection", "").lower()
        if version == "HTTP/1.0":
            self.keep_alive = "keep-alive" in connection
        else:
            self.keep_alive = "close" not in connection


class RequestParser:
    """Splits a byte stream into requests; keeps an incomplete tail for the next chunk."""

    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes) -> List[Request]:
        buf = self.buffer + data if self.buffer else data
        requests: List[Request] = []
        pos = 0
        while True:
            head_end = buf.find(b"\r\n\r\n", pos)
            if head_end < 0:
                if len(buf) - pos > MAX_HEAD:
                    raise BadRequest("request head too large", 431)
                break
            method, target, version, headers = _parse_head(buf[pos:head_end].decode("latin-1"))
            length = _body_length(headers)
            body_start = head_end + 4
            if len(buf) < body_start + length:
                break                                 # wait for the rest of the body
            requests.append(Request(method, target, version, headers,
                                    buf[body_start:body_start + length]))
            pos = body_start + length
        self.buffer = buf[pos:]
        return requests


def _parse_head(text: str) -> Tuple[str, str, str, Dict[str, str]]:
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] not in ("HTTP/1.1", "HTTP/1.0"):
        raise BadRequest(f"bad request line {lines[0][:80]!r}")
    headers: Dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise BadRequest(f"bad header line {line[:80]!r}")
        headers[name.lower()] = value.strip()
    return parts[0], parts[1], parts[2], headers


def _body_length(headers: Dict[str, str]) -> int:
    if "transfer-encoding" in headers:
        raise BadRequest("chunked request bodies are not supported", 501)
    length = headers.get("content-length", "0")
    if not length.isdigit():
        raise BadRequest(f"bad Content-Length {length!r}")
    return int(length)


REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           431: "Request Header Fields Too Large", 501: "Not Implemented"}
HELLO = b"Hello, World!\n"


def response(status: int, body: bytes, keep_alive: bool, head_only: bool = False,
             content_type: str = "text/plain") -> bytes:
    """A complete response: status line, headers and (unless HEAD) the body."""
    head = (f"HTTP/1.1 {status} {REASONS[status]}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n").encode("latin-1")
    return head if head_only else head + body


def respond(request: Request) -> bytes:
    """The application: ``GET /`` says hello, ``POST /echo`` returns the body."""
    if request.target == "/" and request.method in ("GET", "HEAD"):
        return response(200, HELLO, request.keep_alive, request.method == "HEAD")
    if request.target == "/echo":
        if request.method != "POST":
            return response(405, b"POST only\n", request.keep_alive)
        return response(200, request.body, request.keep_alive,
                        content_type="application/octet-stream")
    return response(404, b"Not Found\n", request.keep_alive, request.method == "HEAD")


def bad_request(err: BadRequest) -> bytes:
    return response(err.status, f"{err}\n".encode("latin-1", "replace"), False)
