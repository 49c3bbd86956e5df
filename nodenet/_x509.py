"""X.509 certificates read from DER, and Node's certificate object made from them.

Node: tls.md § "Certificate object" — what ``tlsSocket.getPeerCertificate()``
returns. Python's ``ssl`` gives a certificate's fields only when it verified the
peer (``getpeercert()`` is ``{}`` with verification off) and never in Node's
shape, so this module parses the DER itself (RFC 5280) with ``_der.py``:

* ``subject``/``issuer``: ``{'CN': 'x', 'O': ['a', 'b']}``, OpenSSL's short names,
  a list when an attribute repeats;
* ``subjectaltname`` and ``info_access`` printed as Node prints them (names that
  could be misread are JSON-quoted, ``,`` inside them is ``\\u002c``);
* ``ca``, the key (``modulus``/``exponent``/``bits``/``pubkey`` for RSA,
  ``pubkey``/``bits``/``asn1_curve``/``nist_curve`` for EC), ``valid_from``/
  ``valid_to`` (``'Dec  4 19:12:11 2026 GMT'``), the SHA-1/256/512 fingerprints,
  ``ext_key_usage``, ``serial_number``, ``raw``.

Keys follow nodenet's rule for returned dicts: Node's lower-case keys as they are,
camelCase ones in snake_case (``serialNumber`` -> ``serial_number``,
``infoAccess`` -> ``info_access``, ``issuerCertificate`` -> ``issuer_certificate``).
The module is pure and is tested by tables (tests/unit/test_x509.py).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import _der
from ._der import DERError, children, decode_oid, expect, read_tlv

__all__ = ("Certificate", "DERError", "parse_certificate", "pem_to_der", "der_to_pem",
           "node_certificate", "format_time", "OID_SERVER_AUTH", "OID_CLIENT_AUTH")

OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"

# OpenSSL's short names for name attributes (OBJ_nid2sn), as Node prints them.
_NAME_ATTRS = {
    "2.5.4.3": "CN", "2.5.4.4": "SN", "2.5.4.5": "serialNumber", "2.5.4.6": "C",
    "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "street", "2.5.4.10": "O", "2.5.4.11": "OU",
    "2.5.4.12": "title", "2.5.4.13": "description", "2.5.4.15": "businessCategory",
    "2.5.4.16": "postalAddress", "2.5.4.17": "postalCode", "2.5.4.18": "postOfficeBox",
    "2.5.4.20": "telephoneNumber", "2.5.4.41": "name", "2.5.4.42": "GN",
    "2.5.4.43": "initials", "2.5.4.44": "generationQualifier",
    "2.5.4.45": "x500UniqueIdentifier", "2.5.4.46": "dnQualifier", "2.5.4.65": "pseudonym",
    "2.5.4.97": "organizationIdentifier", "1.2.840.113549.1.9.1": "emailAddress",
    "1.2.840.113549.1.9.2": "unstructuredName", "0.9.2342.19200300.100.1.1": "UID",
    "0.9.2342.19200300.100.1.25": "DC", "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL",
    "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST", "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
}

# Named curves: (OpenSSL short name, NIST name or None, bits).
_CURVES = {
    "1.2.840.10045.3.1.7": ("prime256v1", "P-256", 256),
    "1.3.132.0.34": ("secp384r1", "P-384", 384),
    "1.3.132.0.35": ("secp521r1", "P-521", 521),
    "1.3.132.0.33": ("secp224r1", "P-224", 224),
    "1.2.840.10045.3.1.1": ("prime192v1", "P-192", 192),
    "1.3.132.0.10": ("secp256k1", None, 256),
    "1.3.36.3.3.2.8.1.1.7": ("brainpoolP256r1", None, 256),
    "1.3.36.3.3.2.8.1.1.11": ("brainpoolP384r1", None, 384),
    "1.3.36.3.3.2.8.1.1.13": ("brainpoolP512r1", None, 512),
}

_RSA = "1.2.840.113549.1.1.1"
_EC = "1.2.840.10045.2.1"

_EXT_BASIC_CONSTRAINTS = "2.5.29.19"
_EXT_KEY_USAGE = "2.5.29.15"
_EXT_EXT_KEY_USAGE = "2.5.29.37"
_EXT_SAN = "2.5.29.17"
_EXT_AIA = "1.3.6.1.5.5.7.1.1"
_EXT_SKI = "2.5.29.14"
_EXT_AKI = "2.5.29.35"
_EXT_NS_CERT_TYPE = "2.16.840.1.113730.1.1"

# Access methods of the Authority Information Access extension (OpenSSL long names).
_ACCESS_METHODS = {
    "1.3.6.1.5.5.7.48.1": "OCSP", "1.3.6.1.5.5.7.48.2": "CA Issuers",
    "1.3.6.1.5.5.7.48.3": "AD Time Stamping", "1.3.6.1.5.5.7.48.5": "CA Repository",
}

# otherName types Node prints (type OID -> (label, expected string tag)).
_OTHER_NAMES = {
    "1.3.6.1.5.5.7.8.5": ("XmppAddr", _der.UTF8_STRING),
    "1.3.6.1.5.5.7.8.7": ("SRVName", _der.IA5_STRING),
    "1.3.6.1.4.1.311.20.2.3": ("UPN", _der.UTF8_STRING),
    "1.3.6.1.5.5.7.8.8": ("NAIRealm", _der.UTF8_STRING),
    "1.3.6.1.5.5.7.8.9": ("SmtpUTF8Mailbox", _der.UTF8_STRING),
}

_STRING_TAGS = {_der.UTF8_STRING, _der.NUMERIC_STRING, _der.PRINTABLE_STRING, _der.T61_STRING,
                _der.IA5_STRING, _der.VISIBLE_STRING, _der.UNIVERSAL_STRING, _der.BMP_STRING}

# KeyUsage bits (RFC 5280 §4.2.1.3), numbered from the most significant bit.
KU_DIGITAL_SIGNATURE = 0
KU_KEY_ENCIPHERMENT = 2
KU_KEY_AGREEMENT = 4
KU_KEY_CERT_SIGN = 5

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PEM = re.compile(r"-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----(.*?)-----END "
                  r"(?:X509 |TRUSTED )?CERTIFICATE-----", re.S)

Attribute = Tuple[str, int, bytes]          # (oid, string tag, raw value)
RDN = List[Attribute]


class Certificate:
    """The fields of one certificate that nodenet uses (RFC 5280 §4.1)."""

    __slots__ = (
        "der", "version", "serial", "serial_bytes", "issuer", "subject", "issuer_der",
        "subject_der", "not_before", "not_after", "spki", "key_type", "key_params",
        "key_bits", "extensions", "_node",
    )

    def __init__(self, der: bytes) -> None:
        self.der = der
        self._node: Optional[Dict[str, Any]] = None
        top = children(der, 0, len(der)) if der[:1] else []
        if len(top) != 1 or top[0][0] != _der.SEQUENCE or top[0][2] != len(der):
            raise DERError("not a certificate")
        parts = children(der, top[0][1], top[0][2])
        if len(parts) != 3:
            raise DERError("a certificate has three parts")
        tbs = children(der, *expect(parts[0], _der.SEQUENCE)[1:])
        i = 0
        self.version = 1
        if tbs and tbs[0][0] == 0xA0:
            inner = children(der, tbs[0][1], tbs[0][2])
            self.version = _der.decode_integer(der[inner[0][1]:inner[0][2]]) + 1
            i = 1
        serial = expect(tbs[i], _der.INTEGER)
        raw_serial = der[serial[1]:serial[2]]
        self.serial = _der.decode_integer(raw_serial)
        self.serial_bytes = raw_serial
        self.issuer_der = der[tbs[i + 2][1] - _header_len(der, tbs[i + 2]):tbs[i + 2][2]]
        self.issuer = _parse_name(der, expect(tbs[i + 2], _der.SEQUENCE))
        validity = children(der, *expect(tbs[i + 3], _der.SEQUENCE)[1:])
        self.not_before = _der.decode_time(validity[0][0], der[validity[0][1]:validity[0][2]])
        self.not_after = _der.decode_time(validity[1][0], der[validity[1][1]:validity[1][2]])
        subject = expect(tbs[i + 4], _der.SEQUENCE)
        self.subject_der = der[subject[1] - _header_len(der, subject):subject[2]]
        self.subject = _parse_name(der, subject)
        spki = expect(tbs[i + 5], _der.SEQUENCE)
        self.spki = der[spki[1] - _header_len(der, spki):spki[2]]
        self.key_type, self.key_params, self.key_bits = _parse_key(der, spki)
        self.extensions: Dict[str, Tuple[bool, bytes]] = {}
        for item in tbs[i + 6:]:
            if item[0] == 0xA3:
                self._read_extensions(children(der, item[1], item[2]))

    def _read_extensions(self, wrapper: List[_der.TLV]) -> None:
        der = self.der
        for ext in children(der, *expect(wrapper[0], _der.SEQUENCE)[1:]):
            fields = children(der, ext[1], ext[2])
            oid = decode_oid(der[fields[0][1]:fields[0][2]])
            critical = False
            value = fields[-1]
            if len(fields) == 3 and fields[1][0] == _der.BOOLEAN:
                critical = der[fields[1][1]:fields[1][2]] != b"\x00"
            self.extensions[oid] = (critical, der[value[1]:value[2]])

    # -- extensions ---------------------------------------------------------------

    def basic_constraints(self) -> Optional[Tuple[bool, Optional[int]]]:
        """(cA, pathLenConstraint) or None without the extension."""
        ext = self.extensions.get(_EXT_BASIC_CONSTRAINTS)
        if ext is None:
            return None
        raw = ext[1]
        seq = read_tlv(raw, 0)
        ca, pathlen = False, None
        for tag, start, end in children(raw, seq[1], seq[2]):
            if tag == _der.BOOLEAN:
                ca = raw[start:end] != b"\x00"
            elif tag == _der.INTEGER:
                pathlen = _der.decode_integer(raw[start:end])
        return ca, pathlen

    def key_usage(self) -> Optional[int]:
        """The KeyUsage bits as an int (bit n of the extension is ``1 << n``), or None."""
        ext = self.extensions.get(_EXT_KEY_USAGE)
        if ext is None:
            return None
        raw = ext[1]
        tag, start, end = read_tlv(raw, 0)
        bits = raw[start + 1:end]
        value = 0
        for index, byte in enumerate(bits):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    value |= 1 << (index * 8 + bit)
        return value

    def ext_key_usage(self) -> Optional[List[str]]:
        """ExtendedKeyUsage OIDs, or None without the extension."""
        ext = self.extensions.get(_EXT_EXT_KEY_USAGE)
        if ext is None:
            return None
        raw = ext[1]
        seq = read_tlv(raw, 0)
        return [decode_oid(raw[s:e]) for _, s, e in children(raw, seq[1], seq[2])]

    def is_ca(self) -> bool:
        """Node's ``ca``: ``X509_check_ca() == 1`` — CA:TRUE, and keyCertSign if
        KeyUsage is present."""
        bc = self.basic_constraints()
        ku = self.key_usage()
        if ku is not None and not ku & (1 << KU_KEY_CERT_SIGN):
            return False
        return bc is not None and bc[0]

    def is_self_issued(self) -> bool:
        """Subject and issuer are the same name."""
        return self.subject_der == self.issuer_der

    def subject_key_id(self) -> Optional[bytes]:
        ext = self.extensions.get(_EXT_SKI)
        if ext is None:
            return None
        raw = ext[1]
        tag, start, end = read_tlv(raw, 0)
        return raw[start:end]

    def authority_key_id(self) -> Optional[bytes]:
        ext = self.extensions.get(_EXT_AKI)
        if ext is None:
            return None
        raw = ext[1]
        seq = read_tlv(raw, 0)
        for tag, start, end in children(raw, seq[1], seq[2]):
            if tag == 0x80:
                return raw[start:end]
        return None

    def subject_alt_names(self) -> List[Tuple[int, Any]]:
        """(GeneralName tag number, value) pairs of subjectAltName."""
        ext = self.extensions.get(_EXT_SAN)
        if ext is None:
            return []
        raw = ext[1]
        seq = read_tlv(raw, 0)
        return [(tag & 0x1F, (raw, start, end)) for tag, start, end in
                children(raw, seq[1], seq[2])]

    # -- Node's object ----------------------------------------------------------------

    def node_dict(self) -> Dict[str, Any]:
        """Node's certificate object (a fresh copy each call)."""
        if self._node is None:
            self._node = _node_fields(self)
        out = dict(self._node)
        for key in ("subject", "issuer", "info_access"):
            if key in out:
                out[key] = {k: (list(v) if isinstance(v, list) else v)
                            for k, v in out[key].items()}
        if "ext_key_usage" in out:
            out["ext_key_usage"] = list(out["ext_key_usage"])
        return out


def _header_len(data: bytes, item: _der.TLV) -> int:
    """How many bytes the identifier and length of ``item`` take."""
    length = item[2] - item[1]
    return 2 if length < 0x80 else 2 + (length.bit_length() + 7) // 8


def _parse_name(der: bytes, item: _der.TLV) -> List[RDN]:
    rdns: List[RDN] = []
    for rdn in children(der, item[1], item[2]):
        attrs: RDN = []
        for atv in children(der, *expect(rdn, _der.SET)[1:]):
            fields = children(der, *expect(atv, _der.SEQUENCE)[1:])
            oid = decode_oid(der[fields[0][1]:fields[0][2]])
            tag, start, end = fields[1]
            attrs.append((oid, tag, der[start:end]))
        rdns.append(attrs)
    return rdns


def _parse_key(der: bytes, spki: _der.TLV) -> Tuple[str, Any, int]:
    """(kind, parameters, bits): ``('rsa', (n, e), bits)``, ``('ec', (curve oid,
    point), bits)``, or ``(algorithm oid, None, 0)`` for other keys."""
    alg, bits_item = children(der, spki[1], spki[2])[:2]
    alg_fields = children(der, alg[1], alg[2])
    oid = decode_oid(der[alg_fields[0][1]:alg_fields[0][2]])
    bitstring = der[bits_item[1] + 1:bits_item[2]]
    if oid == _RSA:
        seq = read_tlv(bitstring, 0)
        n_item, e_item = children(bitstring, seq[1], seq[2])[:2]
        n = int.from_bytes(bitstring[n_item[1]:n_item[2]], "big")
        e = int.from_bytes(bitstring[e_item[1]:e_item[2]], "big")
        return "rsa", (n, e), n.bit_length()
    if oid == _EC and len(alg_fields) > 1 and alg_fields[1][0] == _der.OID:
        curve = decode_oid(der[alg_fields[1][1]:alg_fields[1][2]])
        bits = _CURVES[curve][2] if curve in _CURVES else 0
        return "ec", (curve, bitstring), bits
    return oid, None, 0


def parse_certificate(der: bytes) -> Certificate:
    """A :class:`Certificate` from DER bytes (DERError if it is not one)."""
    try:
        return Certificate(bytes(der))
    except DERError:
        raise
    except (IndexError, ValueError) as exc:
        raise DERError(f"malformed certificate: {exc}") from None


def pem_to_der(text: Any) -> List[bytes]:
    """Every certificate in a PEM text (str or bytes), as DER, in order."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode("latin-1")
    out = []
    for body in _PEM.findall(text):
        try:
            out.append(base64.b64decode("".join(body.split()), validate=True))
        except ValueError:
            raise DERError("bad base64 in PEM") from None
    return out


def der_to_pem(der: bytes) -> str:
    """A PEM certificate block for DER bytes."""
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def format_time(when: datetime.datetime) -> str:
    """OpenSSL's ``ASN1_TIME_print``: ``'Dec  4 19:12:11 2026 GMT'``."""
    return (f"{_MONTHS[when.month - 1]} {when.day:2d} {when.hour:02d}:{when.minute:02d}:"
            f"{when.second:02d} {when.year} GMT")


def _colon_hex(data: bytes) -> str:
    return ":".join(f"{b:02X}" for b in data)


def _bn_hex(value: int) -> str:
    """OpenSSL's ``BN_bn2hex``: whole bytes, upper case, ``-`` for negatives."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    value = abs(value)
    return sign + value.to_bytes((value.bit_length() + 7) // 8, "big").hex().upper()


def _name_dict(rdns: Sequence[RDN]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for rdn in rdns:
        for oid, tag, raw in rdn:
            key = _NAME_ATTRS.get(oid, oid)
            value = _der.decode_string(tag, raw)
            if key in out:
                prev = out[key]
                if isinstance(prev, list):
                    prev.append(value)
                else:
                    out[key] = [prev, value]
            else:
                out[key] = value
    return out


# -- printing names as Node does (crypto_common.cc: PrintGeneralName) ---------------


def _is_safe(name: str, utf8: bool) -> bool:
    for c in name:
        if c in "\"\\,'":
            return False
        o = ord(c)
        if utf8:
            if o < 0x20 or o == 0x7F:
                return False
        elif o < 0x20 or o > 0x7E:
            return False
    return True


def _alt_name(name: str, utf8: bool = False, prefix: Optional[str] = None) -> str:
    """Node's ``PrintAltName``: as it is when safe, else a JSON-style quoted string."""
    if _is_safe(name, utf8):
        return f"{prefix}:{name}" if prefix else name
    out = ['"']
    if prefix:
        out.append(prefix + ":")
    for c in name:
        o = ord(c)
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif (0x20 <= o <= 0x7E and c != ",") or (utf8 and o >= 0x80):
            out.append(c)
        else:
            # Node escapes the byte; a non-ASCII char outside UTF-8 mode is one
            # Latin-1 byte here (the name was decoded as Latin-1).
            for byte in c.encode("latin-1", "replace"):
                out.append(f"\\u00{byte:02x}")
    out.append('"')
    return "".join(out)


def _rfc2253(rdns: Sequence[RDN]) -> str:
    """``X509_NAME_print_ex`` with RFC 2253 flags minus MSB/control escaping: every
    entry in reverse order (within a multi-valued RDN too), ``+`` between the
    entries of one RDN and ``,`` between RDNs."""
    out = []
    previous = -1
    entries = [(index, ava) for index, rdn in enumerate(rdns) for ava in rdn]
    for index, (oid, tag, raw) in reversed(entries):
        key = _NAME_ATTRS.get(oid, oid)
        if tag in _STRING_TAGS:
            value = _escape_2253(_der.decode_string(tag, raw))
        else:
            value = "#" + (bytes([tag]) + _der.encode_length(len(raw)) + raw).hex().upper()
        if previous != -1:
            out.append("+" if index == previous else ",")
        out.append(f"{key}={value}")
        previous = index
    return "".join(out)


def _escape_2253(value: str) -> str:
    out = []
    last = len(value) - 1
    for i, c in enumerate(value):
        if c in ',+"\\<>;' or (i == 0 and c in "# ") or (i == last and c == " "):
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


def _ip_text(raw: bytes) -> str:
    if len(raw) == 4:
        return ".".join(str(b) for b in raw)
    if len(raw) == 16:
        return ":".join(f"{int.from_bytes(raw[i:i + 2], 'big'):X}" for i in range(0, 16, 2))
    return f"<invalid length={len(raw)}>"


def _general_name(number: int, raw: bytes, start: int, end: int) -> str:
    """One GeneralName as Node prints it (``DNS:x``, ``IP Address:1.2.3.4``, ...)."""
    body = raw[start:end]
    if number == 2:
        return "DNS:" + _alt_name(body.decode("latin-1"))
    if number == 1:
        return "email:" + _alt_name(body.decode("latin-1"))
    if number == 6:
        return "URI:" + _alt_name(body.decode("latin-1"))
    if number == 7:
        return "IP Address:" + _ip_text(body)
    if number == 8:
        return "Registered ID:" + decode_oid(body)
    if number == 4:
        inner = read_tlv(raw, start, end)
        return "DirName:" + _alt_name(_rfc2253(_parse_name(raw, inner)), utf8=True)
    if number == 0:
        return "othername:" + _other_name(raw, start, end)
    if number == 3:
        return "X400Name:<unsupported>"
    if number == 5:
        return "EdiPartyName:<unsupported>"
    return "<unsupported>"


def _other_name(raw: bytes, start: int, end: int) -> str:
    try:
        fields = children(raw, start, end)
        oid = decode_oid(raw[fields[0][1]:fields[0][2]])
        known = _OTHER_NAMES.get(oid)
        if known is None or len(fields) < 2 or fields[1][0] != 0xA0:
            return "<unsupported>"
        tag, vstart, vend = read_tlv(raw, fields[1][1], fields[1][2])
        if tag != known[1]:
            return "<unsupported>"
        text = _der.decode_string(tag, raw[vstart:vend])
        return _alt_name(text, utf8=tag == _der.UTF8_STRING, prefix=known[0])
    except DERError:
        return "<unsupported>"


def _subject_alt_name(cert: Certificate) -> Optional[str]:
    if _EXT_SAN not in cert.extensions:
        return None
    return ", ".join(_general_name(n, *where) for n, where in cert.subject_alt_names())


def _info_access(cert: Certificate) -> Optional[Dict[str, List[str]]]:
    ext = cert.extensions.get(_EXT_AIA)
    if ext is None:
        return None
    raw = ext[1]
    seq = read_tlv(raw, 0)
    out: Dict[str, List[str]] = {}
    for _, start, end in children(raw, seq[1], seq[2]):
        method, location = children(raw, start, end)[:2]
        oid = decode_oid(raw[method[1]:method[2]])
        text = _ACCESS_METHODS.get(oid, oid) + " - " + _general_name(
            location[0] & 0x1F, raw, location[1], location[2])
        key, _, value = text.partition(":")
        if value.startswith('"'):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        out.setdefault(key, []).append(value)
    return out


def _node_fields(cert: Certificate) -> Dict[str, Any]:
    out: Dict[str, Any] = {
        "subject": _name_dict(cert.subject),
        "issuer": _name_dict(cert.issuer),
    }
    san = _subject_alt_name(cert)
    if san is not None:
        out["subjectaltname"] = san
    aia = _info_access(cert)
    if aia is not None:
        out["info_access"] = aia
    out["ca"] = cert.is_ca()
    if cert.key_type == "rsa":
        n, e = cert.key_params
        out["modulus"] = _bn_hex(n)
        out["exponent"] = f"0x{e:x}"
        out["pubkey"] = cert.spki
        out["bits"] = cert.key_bits
    elif cert.key_type == "ec":
        out["pubkey"] = cert.key_params[1]
        out["bits"] = cert.key_bits
    out["valid_from"] = format_time(cert.not_before)
    out["valid_to"] = format_time(cert.not_after)
    der = cert.der
    out["fingerprint"] = _colon_hex(hashlib.sha1(der).digest())
    out["fingerprint256"] = _colon_hex(hashlib.sha256(der).digest())
    out["fingerprint512"] = _colon_hex(hashlib.sha512(der).digest())
    eku = cert.ext_key_usage()
    if eku is not None:
        out["ext_key_usage"] = eku
    out["serial_number"] = _bn_hex(cert.serial)
    out["raw"] = der
    if cert.key_type == "ec":
        curve = _CURVES.get(cert.key_params[0])
        if curve is not None:
            out["asn1_curve"] = curve[0]
            if curve[1] is not None:
                out["nist_curve"] = curve[1]
    return out


def node_certificate(chain: Sequence[Certificate], detailed: bool = False) -> Dict[str, Any]:
    """Node's certificate object for ``chain[0]``; with ``detailed``, each entry's
    ``issuer_certificate`` is the next one in ``chain``, and a self-issued last
    certificate is its own issuer (a circular reference, as in Node)."""
    if not chain:
        return {}
    first = chain[0].node_dict()
    if not detailed:
        return first
    current = first
    for index, cert in enumerate(chain):
        if index + 1 < len(chain):
            nxt = chain[index + 1].node_dict()
            current["issuer_certificate"] = nxt
            current = nxt
        elif cert.is_self_issued():
            current["issuer_certificate"] = current
    return first
