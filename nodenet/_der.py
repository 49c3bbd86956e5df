"""A small DER reader (ITU-T X.690), enough for X.509 certificates.

Pure: no I/O, no nodenet imports. ``_x509.py`` builds on it; the TLS code uses
it to read certificates the peer sent, which ``ssl`` only hands over as bytes.

A value is read as ``(tag, start, end)``: the identifier octet (class and
constructed bit included, low tag numbers only, which is all X.509 uses), and
the slice of ``data`` that holds its contents. Indefinite lengths are BER, not
DER, and are refused, as is anything running past its container.
"""

from __future__ import annotations

import datetime
from typing import List, Tuple

__all__ = (
    "DERError", "TLV", "read_tlv", "children", "expect", "decode_oid", "decode_integer",
    "decode_time", "decode_string", "encode_length", "encode_tlv",
    "BOOLEAN", "INTEGER", "BIT_STRING", "OCTET_STRING", "NULL", "OID", "UTF8_STRING",
    "SEQUENCE", "SET", "PRINTABLE_STRING", "T61_STRING", "IA5_STRING", "UTC_TIME",
    "GENERALIZED_TIME", "VISIBLE_STRING", "UNIVERSAL_STRING", "BMP_STRING",
    "NUMERIC_STRING",
)

BOOLEAN = 0x01
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
UTF8_STRING = 0x0C
NUMERIC_STRING = 0x12
PRINTABLE_STRING = 0x13
T61_STRING = 0x14
IA5_STRING = 0x16
UTC_TIME = 0x17
GENERALIZED_TIME = 0x18
VISIBLE_STRING = 0x1A
UNIVERSAL_STRING = 0x1C
BMP_STRING = 0x1E
SEQUENCE = 0x30
SET = 0x31

TLV = Tuple[int, int, int]


class DERError(ValueError):
    """The bytes are not the DER this reader expects."""


def read_tlv(data: bytes, pos: int, limit: int = -1) -> Tuple[int, int, int]:
    """The value at ``pos``: ``(tag, contents_start, contents_end)``."""
    if limit < 0:
        limit = len(data)
    if pos + 2 > limit:
        raise DERError("truncated")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise DERError("high tag numbers are not used in X.509")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise DERError("indefinite or oversized length")
        if pos + count > limit:
            raise DERError("truncated length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    end = pos + length
    if end > limit:
        raise DERError("value runs past its container")
    return tag, pos, end


def children(data: bytes, start: int, end: int) -> List[TLV]:
    """The values inside a constructed value's contents, in order."""
    out: List[TLV] = []
    pos = start
    while pos < end:
        tag, vstart, vend = read_tlv(data, pos, end)
        out.append((tag, vstart, vend))
        pos = vend
    return out


def expect(item: TLV, tag: int) -> TLV:
    """``item`` if it has ``tag``, else DERError."""
    if item[0] != tag:
        raise DERError(f"expected tag 0x{tag:02x}, found 0x{item[0]:02x}")
    return item


def decode_oid(raw: bytes) -> str:
    """An OBJECT IDENTIFIER's contents as dotted text (``'2.5.4.3'``)."""
    if not raw:
        raise DERError("empty OID")
    arcs: List[int] = []
    value = 0
    for byte in raw:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if raw[-1] & 0x80:
        raise DERError("truncated OID")
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(a) for a in head + arcs[1:])


def decode_integer(raw: bytes) -> int:
    """An INTEGER's contents (two's complement)."""
    if not raw:
        raise DERError("empty INTEGER")
    return int.from_bytes(raw, "big", signed=True)


def decode_time(tag: int, raw: bytes) -> datetime.datetime:
    """UTCTime or GeneralizedTime contents as an aware UTC datetime.

    UTCTime years 50-99 are 19xx (RFC 5280 §4.1.2.5.1); fractions of a second
    are dropped, as OpenSSL's printing drops them.
    """
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise DERError("time is not ASCII") from None
    if not text.endswith("Z"):
        raise DERError("time is not in UTC")
    text = text[:-1].split(".", 1)[0]
    if tag == UTC_TIME:
        if len(text) not in (10, 12):
            raise DERError("bad UTCTime")
        year = int(text[:2])
        year += 1900 if year >= 50 else 2000
        rest = text[2:]
    elif tag == GENERALIZED_TIME:
        if len(text) not in (12, 14):
            raise DERError("bad GeneralizedTime")
        year = int(text[:4])
        rest = text[4:]
    else:
        raise DERError("not a time")
    if not (text.isdigit()):
        raise DERError("bad time digits")
    seconds = int(rest[8:10]) if len(rest) == 10 else 0
    try:
        return datetime.datetime(year, int(rest[0:2]), int(rest[2:4]), int(rest[4:6]),
                                 int(rest[6:8]), seconds, tzinfo=datetime.timezone.utc)
    except ValueError:
        raise DERError("time out of range") from None


def decode_string(tag: int, raw: bytes) -> str:
    """A directory string's contents as text, decoded as OpenSSL converts it to UTF-8."""
    if tag == BMP_STRING:
        return raw.decode("utf-16-be", "replace")
    if tag == UNIVERSAL_STRING:
        return raw.decode("utf-32-be", "replace")
    if tag == UTF8_STRING:
        return raw.decode("utf-8", "replace")
    # PrintableString, IA5String, T61String (OpenSSL reads it as Latin-1), ...
    return raw.decode("latin-1")


def encode_length(length: int) -> bytes:
    """A DER length."""
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def encode_tlv(tag: int, contents: bytes) -> bytes:
    """One DER value (tests build certificates' pieces with it)."""
    return bytes([tag]) + encode_length(len(contents)) + contents
