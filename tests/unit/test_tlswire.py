"""The hand-read TLS formats (ClientHello, ServerHello, Certificate, alerts) and
the mapping of ssl errors to Node's, by table."""

from __future__ import annotations

import ssl
import struct
from typing import List, Optional

import pytest

from nodenet import _tlserrors, _tlswire
from nodenet._tlswire import NotAClientHello, parse_client_hello


def _ext(kind: int, body: bytes) -> bytes:
    return struct.pack(">HH", kind, len(body)) + body


def _hello(servername: Optional[str] = None, alpn: Optional[List[bytes]] = None,
           extra: bytes = b"") -> bytes:
    exts = b""
    if servername is not None:
        name = servername.encode()
        entry = b"\x00" + struct.pack(">H", len(name)) + name
        exts += _ext(0, struct.pack(">H", len(entry)) + entry)
    if alpn is not None:
        body = b"".join(bytes([len(p)]) + p for p in alpn)
        exts += _ext(16, struct.pack(">H", len(body)) + body)
    exts += extra
    body = (b"\x03\x03" + bytes(range(32)) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00"
            + struct.pack(">H", len(exts)) + exts)
    return b"\x01" + len(body).to_bytes(3, "big") + body


def _records(message: bytes, size: int = 16384) -> bytes:
    out = b""
    for i in range(0, len(message), size):
        chunk = message[i:i + size]
        out += b"\x16\x03\x01" + struct.pack(">H", len(chunk)) + chunk
    return out


def test_client_hello_fields() -> None:
    hello = parse_client_hello(_records(_hello("example.org", [b"h2", b"http/1.1"])))
    assert hello is not None
    assert hello.servername == "example.org" and hello.alpn == [b"h2", b"http/1.1"]
    assert hello.random == bytes(range(32))
    assert "example.org" in repr(hello)
    bare = parse_client_hello(_records(_hello()))
    assert bare is not None and bare.servername is None and bare.alpn is None


def test_client_hello_in_pieces() -> None:
    data = _records(_hello("a.example", extra=_ext(21, bytes(600))), size=100)
    for cut in (0, 3, 5, 50, 105, len(data) - 1):
        assert parse_client_hello(data[:cut]) is None
    hello = parse_client_hello(data)
    assert hello is not None and hello.servername == "a.example"


@pytest.mark.parametrize("data", [
    b"GET / HTTP/1.1\r\n\r\n",
    b"\x15\x03\x03\x00\x02\x02\x28",
    b"\x16\x02\x00\x00\x05hello",
    b"\x16\x03\x01\x00\x00",
    b"\x16\x03\x01\x50\x00",
    b"\x16\x03\x01\x00\x04\x02\x00\x00\x00",
    b"\x16\x03\x01\x00\x03\x01\x00\x00",
    b"\x16\x03\x01\x00\x06\x01\x00\x00\x02\x03\x03",
    _records(_hello(extra=_ext(0, b"\x00"))),
    _records(b"\x01\x00\x00\x05" + b"\x03\x03" + b"\x00\x00\x00"),
])
def test_not_client_hellos(data: bytes) -> None:
    with pytest.raises(NotAClientHello):
        parse_client_hello(data)


def test_oversized_hello_goes_to_openssl() -> None:
    huge = b"\x01\xff\xff\xff" + bytes(_tlswire.MAX_HELLO_BYTES)
    with pytest.raises(NotAClientHello):
        parse_client_hello(_records(huge)[:_tlswire.MAX_HELLO_BYTES + 5 * 5])


def test_alert_and_certificate_list() -> None:
    assert _tlswire.alert_record(120) == b"\x15\x03\x03\x00\x02\x02\x78"
    certs = [b"first", b"second!"]
    body12 = b"".join(len(c).to_bytes(3, "big") + c for c in certs)
    msg12 = b"\x0b" + (len(body12) + 3).to_bytes(3, "big") + len(body12).to_bytes(3, "big") \
        + body12
    assert _tlswire.certificate_list(msg12, tls13=False) == certs
    body13 = b"".join(len(c).to_bytes(3, "big") + c + b"\x00\x00" for c in certs)
    msg13 = b"\x0b" + (len(body13) + 4).to_bytes(3, "big") + b"\x00" \
        + len(body13).to_bytes(3, "big") + body13
    assert _tlswire.certificate_list(msg13, tls13=True) == certs


def test_server_hello_groups() -> None:
    ext = _ext(43, b"\x03\x04") + _ext(51, b"\x00\x1d" + b"\x00\x20" + bytes(32))
    body = b"\x03\x03" + bytes(32) + b"\x00" + b"\x13\x02\x00" + struct.pack(">H", len(ext)) + ext
    assert _tlswire.server_hello_group(b"\x02" + len(body).to_bytes(3, "big") + body) == 0x1D
    assert _tlswire.server_hello_group(b"\x02\x00\x00\x04\x03\x03") is None
    assert _tlswire.server_key_exchange_group(b"\x0c\x00\x00\x10\x03\x00\x17\x41") == 0x17
    assert _tlswire.server_key_exchange_group(b"\x0c\x00\x00\x10\x00\x10") is None


def _ssl_error(text: str, reason: Optional[str], library: Optional[str] = "SSL",
               cls: type = ssl.SSLError) -> ssl.SSLError:
    exc = cls(1, text)
    exc.reason = reason  # type: ignore[attr-defined]
    exc.library = library  # type: ignore[attr-defined]
    return exc


@pytest.mark.parametrize("exc,code,message", [
    (_ssl_error("[SSL: HTTP_REQUEST] http request (_ssl.c:1006)", "HTTP_REQUEST"),
     "ERR_SSL_HTTP_REQUEST", "http request"),
    (_ssl_error("[SSL] tlsv1 alert no application protocol (_ssl.c:1006)", None),
     "ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL", "tlsv1 alert no application protocol"),
    (_ssl_error("[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure",
                "SSLV3_ALERT_HANDSHAKE_FAILURE"),
     "ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE", "ssl/tls alert handshake failure"),
    (_ssl_error("EOF occurred in violation of protocol", None, None, ssl.SSLEOFError),
     "ECONNRESET", "EOF occurred in violation of protocol"),
    (_ssl_error("something odd", None, None), "ERR_SSL_UNKNOWN", "something odd"),
])
def test_ssl_errors(exc: ssl.SSLError, code: str, message: str) -> None:
    err = _tlserrors.ssl_error(exc)
    assert (err.code, str(err)) == (code, message)


def test_verify_errors() -> None:
    err = _tlserrors.verify_error(21)
    assert (err.code, str(err)) == ("UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                                    "unable to verify the first certificate")
    odd = _tlserrors.verify_error(66, "EE certificate key too weak")
    assert (odd.code, str(odd)) == ("UNSPECIFIED", "EE certificate key too weak")
    assert str(_tlserrors.verify_error(99)) == "certificate verify error 99"


def test_bytes_needed() -> None:
    data = _records(_hello("a.example", extra=_ext(21, bytes(600))), size=100)
    assert [_tlswire.bytes_needed(data[:n]) for n in (0, 3, 5, 104, 105, 110, len(data) - 1)] \
        == [5, 5, 105, 105, 110, 210, len(data)]
    assert _tlswire.bytes_needed(data) == len(data)
    assert _tlswire.bytes_needed(b"\x16\x03\x01\x00\x00") == 6
