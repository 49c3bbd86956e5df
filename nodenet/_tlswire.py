"""A few TLS wire formats (RFC 8446, RFC 5246), read and written by hand.

Pure helpers for the server side, which looks at a ClientHello before OpenSSL
does: Node's ``SNICallback`` may answer later (``ssl``'s must answer at once),
and a Node server refuses a client whose ALPN list shares nothing with its own
(``ssl`` just leaves ALPN out). :func:`parse_client_hello` reads the server
name and ALPN offers from the first handshake records; :func:`alert_record`
makes the fatal alert sent when the server refuses.

Also :func:`handshake_messages`, which splits a handshake message as the
``_msg_callback`` hook reports it, and the Certificate message reader.
"""

from __future__ import annotations

import struct
from typing import List, Optional, Tuple

__all__ = ("ClientHello", "NotAClientHello", "parse_client_hello", "read_client_hello",
           "server_hello_group", "server_key_exchange_group", "alert_record", "bytes_needed",
           "certificate_list", "MAX_HELLO_BYTES", "ALERT_NO_APPLICATION_PROTOCOL",
           "ALERT_INTERNAL_ERROR", "ALERT_UNRECOGNIZED_NAME")

#: A ClientHello not complete after this many bytes goes to OpenSSL as it is.
MAX_HELLO_BYTES = 65536

ALERT_UNRECOGNIZED_NAME = 112
ALERT_NO_APPLICATION_PROTOCOL = 120
ALERT_INTERNAL_ERROR = 80
ALERT_HANDSHAKE_FAILURE = 40


class NotAClientHello(ValueError):
    """The bytes are not a well-formed ClientHello (OpenSSL will say why)."""


class ClientHello:
    """What the server needs from a ClientHello before OpenSSL sees it."""

    __slots__ = ("servername", "alpn", "random")

    def __init__(self, servername: Optional[str], alpn: Optional[List[bytes]],
                 random: bytes) -> None:
        self.servername = servername
        self.alpn = alpn
        self.random = random

    def __repr__(self) -> str:
        return f"ClientHello(servername={self.servername!r}, alpn={self.alpn!r})"


def _handshake_bytes(data: bytes) -> Tuple[bytes, bool]:
    """The handshake-record payloads at the start of ``data``; True if a record
    is incomplete (more bytes needed)."""
    out: List[bytes] = []
    pos = 0
    while pos < len(data):
        if len(data) - pos < 5:
            return b"".join(out), True
        if data[pos] != 22:
            raise NotAClientHello("not a handshake record")
        if data[pos + 1] != 3:
            raise NotAClientHello("not a TLS record")
        length = struct.unpack(">H", data[pos + 3:pos + 5])[0]
        if length == 0 or length > 16384 + 256:
            raise NotAClientHello("bad record length")
        if len(data) - pos - 5 < length:
            out.append(data[pos + 5:])
            return b"".join(out), True
        out.append(data[pos + 5:pos + 5 + length])
        pos += 5 + length
    return b"".join(out), False


def bytes_needed(data: bytes) -> int:
    """How long ``data`` must be before :func:`parse_client_hello` can say more:
    the end of the current record, or of the ClientHello once its length is known.
    Walks record headers only, so a client sending one byte at a time costs little."""
    pos = 0
    body = 0                      # handshake bytes in the complete records so far
    hello_len = -1                # the ClientHello's length, from its header
    while True:
        if len(data) - pos < 5:
            return pos + 5
        length = int.from_bytes(data[pos + 3:pos + 5], "big")
        if body == 0 and hello_len < 0 and length >= 4 and len(data) >= pos + 9:
            hello_len = int.from_bytes(data[pos + 6:pos + 9], "big")
        end = pos + 5 + length
        if len(data) < end:
            return end
        body += length
        pos = end
        if hello_len >= 0 and body >= 4 + hello_len:
            return len(data)                 # complete: parse it now
        if length == 0:
            return len(data) + 1


def parse_client_hello(data: bytes) -> Optional[ClientHello]:
    """The ClientHello at the start of ``data`` (raw bytes from the client), or
    None if more bytes are needed. NotAClientHello if it cannot be one."""
    body, partial = _handshake_bytes(data)
    if len(body) < 4:
        if partial or not body:
            return None
        raise NotAClientHello("short handshake")
    if body[0] != 1:
        raise NotAClientHello("first message is not a ClientHello")
    length = int.from_bytes(body[1:4], "big")
    if len(body) < 4 + length:
        if len(data) >= MAX_HELLO_BYTES:
            raise NotAClientHello("ClientHello too long")
        return None
    return read_client_hello(body[4:4 + length])


def read_client_hello(hello: bytes) -> ClientHello:
    """The fields of a ClientHello message body (without its 4-byte header)."""
    try:
        pos = 2
        random = hello[pos:pos + 32]
        pos += 32
        pos += 1 + hello[pos]                                     # session id
        pos += 2 + struct.unpack(">H", hello[pos:pos + 2])[0]     # cipher suites
        pos += 1 + hello[pos]                                     # compression
        servername: Optional[str] = None
        alpn: Optional[List[bytes]] = None
        if pos + 2 <= len(hello):
            end = pos + 2 + struct.unpack(">H", hello[pos:pos + 2])[0]
            if end > len(hello):
                raise NotAClientHello("extensions overrun")
            pos += 2
            while pos + 4 <= end:
                ext_type, ext_len = struct.unpack(">HH", hello[pos:pos + 4])
                ext = hello[pos + 4:pos + 4 + ext_len]
                if len(ext) != ext_len:
                    raise NotAClientHello("extension overrun")
                if ext_type == 0:
                    servername = _server_name(ext)
                elif ext_type == 16:
                    alpn = _alpn(ext)
                pos += 4 + ext_len
    except (IndexError, struct.error):
        raise NotAClientHello("truncated ClientHello") from None
    return ClientHello(servername, alpn, random)


def _server_name(ext: bytes) -> Optional[str]:
    pos = 2
    end = 2 + struct.unpack(">H", ext[0:2])[0]
    while pos + 3 <= end:
        kind = ext[pos]
        length = struct.unpack(">H", ext[pos + 1:pos + 3])[0]
        name = ext[pos + 3:pos + 3 + length]
        if kind == 0:
            return name.decode("latin-1")
        pos += 3 + length
    return None


def _alpn(ext: bytes) -> List[bytes]:
    out = []
    pos = 2
    end = 2 + struct.unpack(">H", ext[0:2])[0]
    while pos < end:
        length = ext[pos]
        out.append(ext[pos + 1:pos + 1 + length])
        pos += 1 + length
    return out


def alert_record(description: int) -> bytes:
    """A plaintext fatal alert record (sent before any keys exist)."""
    return b"\x15\x03\x03\x00\x02\x02" + bytes([description])


def certificate_list(message: bytes, tls13: bool) -> List[bytes]:
    """The DER certificates of a Certificate handshake message (with its header)."""
    pos = 4
    if tls13:
        pos += 1 + message[pos]                  # certificate_request_context
    end = pos + 3 + int.from_bytes(message[pos:pos + 3], "big")
    pos += 3
    out = []
    while pos + 3 <= end:
        length = int.from_bytes(message[pos:pos + 3], "big")
        out.append(bytes(message[pos + 3:pos + 3 + length]))
        pos += 3 + length
        if tls13:
            pos += 2 + int.from_bytes(message[pos:pos + 2], "big")   # extensions
    return out


def server_hello_group(message: bytes) -> Optional[int]:
    """The key_share group a TLS 1.3 ServerHello (with header) chose, or None."""
    try:
        pos = 4 + 2 + 32
        pos += 1 + message[pos]           # session id
        pos += 3                          # cipher suite, compression
        end = pos + 2 + struct.unpack(">H", message[pos:pos + 2])[0]
        pos += 2
        while pos + 4 <= end:
            ext_type, ext_len = struct.unpack(">HH", message[pos:pos + 4])
            if ext_type == 51 and ext_len >= 2:
                return int(struct.unpack(">H", message[pos + 4:pos + 6])[0])
            pos += 4 + ext_len
    except (IndexError, struct.error):
        pass
    return None


def server_key_exchange_group(message: bytes) -> Optional[int]:
    """The named group of a TLS 1.2 ECDHE ServerKeyExchange (with header), or None
    (0x100 stands for finite-field DH, whose size is not read here)."""
    if len(message) > 7 and message[4] == 3:
        return int(struct.unpack(">H", message[5:7])[0])
    return None
