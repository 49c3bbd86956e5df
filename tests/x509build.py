"""Build X.509 certificates by hand (DER), for table tests of the parser and of
the verification replay. Signatures are not real: nothing here signs, and
nothing that reads these certificates checks signatures. Given a real public
key (``spki``), a TLS server can still present such a certificate with the
matching private key, which is how the differential tests show them to Node.
"""

from __future__ import annotations

import datetime
from typing import Any, List, Optional, Sequence, Tuple

from nodenet._der import (
    BIT_STRING, BOOLEAN, GENERALIZED_TIME, INTEGER, OCTET_STRING, OID, SEQUENCE, SET, UTC_TIME,
    UTF8_STRING, encode_tlv,
)


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = [40 * arcs[0] + arcs[1]] + arcs[2:]
    out = bytearray()
    for arc in body:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(chunk))
    return encode_tlv(OID, bytes(out))


def seq(*items: bytes) -> bytes:
    return encode_tlv(SEQUENCE, b"".join(items))


def integer(value: int) -> bytes:
    length = max(1, (value.bit_length() + 8) // 8)
    return encode_tlv(INTEGER, value.to_bytes(length, "big", signed=True))


def string(text: str, tag: int = UTF8_STRING) -> bytes:
    if tag == 0x1E:
        raw = text.encode("utf-16-be")
    elif tag == 0x1C:
        raw = text.encode("utf-32-be")
    elif tag == UTF8_STRING:
        raw = text.encode("utf-8")
    else:
        raw = text.encode("latin-1")
    return encode_tlv(tag, raw)


Name = Sequence[Sequence[Tuple[str, Any]]]   # RDNs of (oid, value bytes or str)

OIDS = {"CN": "2.5.4.3", "C": "2.5.4.6", "O": "2.5.4.10", "OU": "2.5.4.11", "L": "2.5.4.7",
        "ST": "2.5.4.8", "emailAddress": "1.2.840.113549.1.9.1", "DC": "0.9.2342.19200300.100.1.25"}


def name(*rdns: Any) -> bytes:
    """``name(("CN", "x"), [("O", "a"), ("OU", "b")])``: a tuple is one attribute,
    a list a multi-valued RDN; values are str (UTF8String) or encoded bytes."""
    out = []
    for rdn in rdns:
        avas = rdn if isinstance(rdn, list) else [rdn]
        encoded = []
        for key, value in avas:
            value_der = value if isinstance(value, bytes) else string(value)
            encoded.append(seq(oid(OIDS.get(key, key)), value_der))
        out.append(encode_tlv(SET, b"".join(encoded)))
    return seq(*out)


def time(when: datetime.datetime, generalized: bool = False) -> bytes:
    if generalized or not 1950 <= when.year < 2050:
        return encode_tlv(GENERALIZED_TIME, when.strftime("%Y%m%d%H%M%SZ").encode())
    return encode_tlv(UTC_TIME, when.strftime("%y%m%d%H%M%SZ").encode())


def extension(oid_text: str, value: bytes, critical: bool = False) -> bytes:
    parts = [oid(oid_text)]
    if critical:
        parts.append(encode_tlv(BOOLEAN, b"\xff"))
    parts.append(encode_tlv(OCTET_STRING, value))
    return seq(*parts)


def basic_constraints(ca: bool, pathlen: Optional[int] = None) -> bytes:
    items = []
    if ca:
        items.append(encode_tlv(BOOLEAN, b"\xff"))
    if pathlen is not None:
        items.append(integer(pathlen))
    return extension("2.5.29.19", seq(*items), critical=True)


def key_usage(*bits: int) -> bytes:
    value = 0
    for bit in bits:
        value |= 0x80 >> bit if bit < 8 else 0
    return extension("2.5.29.15", encode_tlv(BIT_STRING, b"\x00" + bytes([value])), True)


def ext_key_usage(*oids: str) -> bytes:
    return extension("2.5.29.37", seq(*(oid(o) for o in oids)))


def subject_alt_name(*general_names: bytes) -> bytes:
    return extension("2.5.29.17", seq(*general_names))


def general_name(number: int, value: bytes, constructed: bool = False) -> bytes:
    return encode_tlv((0xA0 if constructed else 0x80) | number, value)


def rsa_spki(n: int = (1 << 2047) + 12345, e: int = 65537) -> bytes:
    key = seq(integer(n), integer(e))
    return seq(seq(oid("1.2.840.113549.1.1.1"), encode_tlv(0x05, b"")),
               encode_tlv(BIT_STRING, b"\x00" + key))


def certificate(*, subject: bytes, issuer: Optional[bytes] = None, serial: int = 1,
                not_before: Optional[datetime.datetime] = None,
                not_after: Optional[datetime.datetime] = None, spki: Optional[bytes] = None,
                extensions: Sequence[bytes] = (), version: int = 3) -> bytes:
    now = datetime.datetime(2026, 1, 2, 3, 4, 5)
    sig_alg = seq(oid("1.2.840.10045.4.3.2"))
    tbs_parts: List[bytes] = []
    if version != 1:
        tbs_parts.append(encode_tlv(0xA0, integer(version - 1)))
    tbs_parts += [integer(serial), sig_alg, issuer if issuer is not None else subject,
                  seq(time(not_before or now - datetime.timedelta(days=1)),
                      time(not_after or now + datetime.timedelta(days=365))),
                  subject, spki if spki is not None else rsa_spki()]
    if extensions:
        tbs_parts.append(encode_tlv(0xA3, seq(*extensions)))
    return seq(seq(*tbs_parts), sig_alg, encode_tlv(BIT_STRING, b"\x00" + b"\x30\x00"))
