"""The X.509 reader and Node's certificate object, by tables.

Each row is a certificate built by hand (tests/x509build.py) and the fields of
Node's object expected for it. ``test_rows_match_node`` checks the same rows,
and the test PKI's certificates, against Node 26's ``X509Certificate
.toLegacyObject()`` (the object ``getPeerCertificate()`` returns), field by field.
"""

from __future__ import annotations

import base64
import datetime
import json
import subprocess
from typing import Any, Callable, Dict, List, Tuple

import pytest

import x509build as xb
from nodenet import _der, _x509
from nodenet._der import BMP_STRING, IA5_STRING, PRINTABLE_STRING, T61_STRING, UNIVERSAL_STRING

UTC = datetime.timezone.utc


def _cert(**kw: Any) -> bytes:
    kw.setdefault("subject", xb.name(("CN", "t")))
    return xb.certificate(**kw)


def _san(*names: bytes) -> bytes:
    return _cert(extensions=[xb.subject_alt_name(*names)])


DNS = 2
URI = 6
IP = 7

ROWS: List[Tuple[str, Callable[[], bytes], Dict[str, Any]]] = [
    ("multi-valued and repeated names",
     lambda: _cert(subject=xb.name(("C", "US"), [("O", "a"), ("OU", "b")], ("O", "c"),
                                   ("DC", "x"), ("DC", "y"), ("emailAddress", b"\x16\x03a@b"))),
     {"subject": {"C": "US", "O": ["a", "c"], "OU": "b", "DC": ["x", "y"],
                  "emailAddress": "a@b"}}),
    ("string types",
     lambda: _cert(subject=xb.name(("CN", xb.string("bmp é", BMP_STRING)),
                                   ("O", xb.string("univ ☃", UNIVERSAL_STRING)),
                                   ("OU", xb.string("t61 é", T61_STRING)),
                                   ("L", xb.string("printable", PRINTABLE_STRING)),
                                   ("1.2.3.4", "unknown oid"))),
     {"subject": {"CN": "bmp é", "O": "univ ☃", "OU": "t61 é", "L": "printable",
                  "1.2.3.4": "unknown oid"}}),
    ("issuer apart from subject",
     lambda: _cert(subject=xb.name(("CN", "leaf")), issuer=xb.name(("CN", "ca"), ("O", "x"))),
     {"subject": {"CN": "leaf"}, "issuer": {"CN": "ca", "O": "x"}}),
    ("plain alt names",
     lambda: _san(xb.general_name(DNS, b"a.example"), xb.general_name(1, b"me@x.org"),
                  xb.general_name(URI, b"https://x.org/"), xb.general_name(IP, b"\x0a\x00\x00\x01"),
                  xb.general_name(IP, bytes(15) + b"\x01"),
                  xb.general_name(IP, bytes.fromhex("fe800000000000000000000000000001"))),
     {"subjectaltname": "DNS:a.example, email:me@x.org, URI:https://x.org/, "
                        "IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1, "
                        "IP Address:FE80:0:0:0:0:0:0:1"}),
    ("alt names that need quoting",
     lambda: _san(xb.general_name(DNS, b"a,b.example"), xb.general_name(URI, b'x"y'),
                  xb.general_name(DNS, b"back\\slash"), xb.general_name(DNS, b"ctl\x01"),
                  xb.general_name(DNS, b"caf\xe9"), xb.general_name(1, b"o'neil@x")),
     {"subjectaltname": 'DNS:"a\\u002cb.example", URI:"x\\"y", DNS:"back\\\\slash", '
                        'DNS:"ctl\\u0001", DNS:"caf\\u00e9", email:"o\'neil@x"'}),
    ("odd alt name kinds",
     lambda: _san(xb.general_name(IP, b"\x01\x02\x03\x04\x05"),
                  xb.general_name(8, xb.oid("1.2.3.4")[2:]),
                  xb.general_name(4, xb.name(("C", "UK"), [("O", "A, B"), ("OU", "#x ")]),
                                  constructed=True),
                  xb.general_name(0, xb.oid("1.3.6.1.4.1.311.20.2.3") + _der.encode_tlv(
                      0xA0, xb.string("upn@x")), constructed=True),
                  xb.general_name(0, xb.oid("1.3.6.1.5.5.7.8.7") + _der.encode_tlv(
                      0xA0, xb.string("_x.y", IA5_STRING)), constructed=True),
                  xb.general_name(0, xb.oid("1.2.3") + _der.encode_tlv(0xA0, xb.string("z")),
                                  constructed=True),
                  xb.general_name(3, xb.seq(), constructed=True),
                  xb.general_name(5, _der.encode_tlv(0xA1, xb.string("x")), constructed=True)),
     {"subjectaltname": "IP Address:<invalid length=5>, Registered ID:1.2.3.4, "
                        'DirName:"OU=\\\\#x\\\\ +O=A\\\\\\u002c B\\u002cC=UK", '
                        "othername:UPN:upn@x, othername:SRVName:_x.y, othername:<unsupported>, "
                        "X400Name:<unsupported>, EdiPartyName:<unsupported>"}),
    ("info access",
     lambda: _cert(extensions=[xb.extension("1.3.6.1.5.5.7.1.1", xb.seq(
         xb.seq(xb.oid("1.3.6.1.5.5.7.48.1"), xb.general_name(URI, b"http://ocsp/")),
         xb.seq(xb.oid("1.3.6.1.5.5.7.48.2"), xb.general_name(URI, b"http://ca/a,b")),
         xb.seq(xb.oid("1.3.6.1.5.5.7.48.2"), xb.general_name(URI, b"http://ca/2"))))]),
     {"info_access": {"OCSP - URI": ["http://ocsp/"],
                      "CA Issuers - URI": ["http://ca/a,b", "http://ca/2"]}}),
    ("serials", lambda: _cert(serial=0x00FF01), {"serial_number": "FF01"}),
    ("small serial", lambda: _cert(serial=5), {"serial_number": "05"}),
    ("serial with the high bit", lambda: _cert(serial=0x80), {"serial_number": "80"}),
    ("times", lambda: _cert(not_before=datetime.datetime(1950, 1, 1),
                            not_after=datetime.datetime(2050, 12, 10, 23, 59, 59)),
     {"valid_from": "Jan  1 00:00:00 1950 GMT", "valid_to": "Dec 10 23:59:59 2050 GMT"}),
    ("a CA", lambda: _cert(extensions=[xb.basic_constraints(True)]), {"ca": True}),
    ("a CA that may not sign certificates",
     lambda: _cert(extensions=[xb.basic_constraints(True), xb.key_usage(0)]), {"ca": False}),
    ("a leaf", lambda: _cert(extensions=[xb.basic_constraints(False)]), {"ca": False}),
    ("version 1", lambda: _cert(version=1), {"ca": False}),
    ("RSA key", lambda: _cert(spki=xb.rsa_spki(n=(1 << 2047) | 0xABCDEF, e=3)),
     {"modulus": "8" + "0" * 505 + "ABCDEF", "exponent": "0x3", "bits": 2048}),
    ("extended key usage",
     lambda: _cert(extensions=[xb.ext_key_usage("1.3.6.1.5.5.7.3.1", "1.2.3.4.5")]),
     {"ext_key_usage": ["1.3.6.1.5.5.7.3.1", "1.2.3.4.5"]}),
]


@pytest.mark.parametrize("label,build,expected", ROWS, ids=[r[0] for r in ROWS])
def test_rows(label: str, build: Callable[[], bytes], expected: Dict[str, Any]) -> None:
    got = _x509.parse_certificate(build()).node_dict()
    for key, value in expected.items():
        assert got.get(key) == value, key


def test_fixed_fields_and_order() -> None:
    der = _cert(spki=xb.rsa_spki(), extensions=[xb.basic_constraints(False)])
    got = _x509.parse_certificate(der).node_dict()
    assert list(got) == ["subject", "issuer", "ca", "modulus", "exponent", "pubkey", "bits",
                         "valid_from", "valid_to", "fingerprint", "fingerprint256",
                         "fingerprint512", "serial_number", "raw"]
    assert got["raw"] == der and got["pubkey"] == xb.rsa_spki()
    assert len(got["fingerprint"]) == 20 * 3 - 1 and got["fingerprint"].isupper()
    assert got["issuer"] == got["subject"] == {"CN": "t"}


def test_ec_and_other_keys(tls_certs: Any) -> None:
    leaf = _x509.parse_certificate(_x509.pem_to_der(tls_certs.leaf)[0]).node_dict()
    assert (leaf["bits"], leaf["asn1_curve"], leaf["nist_curve"]) == (256, "prime256v1", "P-256")
    assert len(leaf["pubkey"]) == 65 and leaf["pubkey"][0] == 4
    ed = _cert(spki=xb.seq(xb.seq(xb.oid("1.3.101.112")),
                           _der.encode_tlv(_der.BIT_STRING, b"\x00" + bytes(32))))
    got = _x509.parse_certificate(ed).node_dict()
    assert not {"bits", "pubkey", "modulus", "asn1_curve"} & set(got)


def test_node_certificate_chains() -> None:
    root = _x509.parse_certificate(_cert(subject=xb.name(("CN", "root"))))
    leaf = _x509.parse_certificate(_cert(subject=xb.name(("CN", "leaf")),
                                         issuer=xb.name(("CN", "root"))))
    flat = _x509.node_certificate([leaf, root])
    assert "issuer_certificate" not in flat
    detailed = _x509.node_certificate([leaf, root], detailed=True)
    assert detailed["issuer_certificate"]["subject"] == {"CN": "root"}
    assert detailed["issuer_certificate"]["issuer_certificate"] is detailed["issuer_certificate"]
    lone = _x509.node_certificate([leaf], detailed=True)
    assert "issuer_certificate" not in lone
    assert _x509.node_certificate([]) == {}
    first = leaf.node_dict()
    first["subject"]["CN"] = "changed"
    assert leaf.node_dict()["subject"]["CN"] == "leaf"      # copies, not shared


@pytest.mark.parametrize("data", [
    b"", b"\x30", b"\x30\x03\x02\x01", b"\x31\x00", b"\x30\x80\x00\x00", b"\x30\x00",
    b"\x30\x02\x30\x00", b"\x1f\x01\x00", b"\x30\x85\x01\x02\x03\x04\x05",
])
def test_not_certificates(data: bytes) -> None:
    with pytest.raises(_der.DERError):
        _x509.parse_certificate(data)


def test_der_pieces() -> None:
    assert _der.decode_oid(b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01") == "1.2.840.113549.1.1.1"
    assert _der.decode_oid(b"\x55\x04\x03") == "2.5.4.3"
    assert _der.decode_oid(b"\x88\x37") == "2.999"
    with pytest.raises(_der.DERError):
        _der.decode_oid(b"\x86")
    with pytest.raises(_der.DERError):
        _der.decode_oid(b"")
    assert _der.decode_integer(b"\xff") == -1 and _der.decode_integer(b"\x00\xff") == 255
    with pytest.raises(_der.DERError):
        _der.decode_integer(b"")
    when = _der.decode_time(_der.UTC_TIME, b"4912312359Z")
    assert when == datetime.datetime(2049, 12, 31, 23, 59, tzinfo=UTC)
    assert _der.decode_time(_der.UTC_TIME, b"500101000000Z").year == 1950
    assert _der.decode_time(_der.GENERALIZED_TIME, b"20991231235959.123Z").second == 59
    for tag, raw in [(_der.UTC_TIME, b"491231235959"), (_der.UTC_TIME, b"49Z"),
                     (_der.GENERALIZED_TIME, b"2099Z"), (_der.OID, b"20990101000000Z"),
                     (_der.UTC_TIME, b"4913312359Z"), (_der.UTC_TIME, "é".encode()),
                     (_der.UTC_TIME, b"49123a2359Z")]:
        with pytest.raises(_der.DERError):
            _der.decode_time(tag, raw)
    assert _der.encode_length(300) == b"\x82\x01\x2c"
    with pytest.raises(_der.DERError):
        _der.expect((1, 0, 0), 2)


def test_pem() -> None:
    der = _cert()
    pem = _x509.der_to_pem(der)
    assert _x509.pem_to_der(pem) == [der]
    assert _x509.pem_to_der(pem.encode() + pem.encode()) == [der, der]
    assert _x509.pem_to_der("no certificates") == []
    with pytest.raises(_der.DERError):
        _x509.pem_to_der("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----")


# -- against Node 26 ---------------------------------------------------------------------

_JS = r"""
const {X509Certificate} = require('crypto');
const out = [];
for (const b64 of JSON.parse(require('fs').readFileSync(0, 'utf8'))) {
  const o = new X509Certificate(Buffer.from(b64, 'base64')).toLegacyObject();
  const r = {};
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined) continue;
    r[k] = Buffer.isBuffer(v) ? 'hex:' + v.toString('hex') : v;
  }
  if (typeof r.infoAccess === 'string') {      // what translatePeerCertificate does
    const info = {};
    r.infoAccess.replace(/([^\n:]*):([^\n]*)(?:\n|$)/g, (all, key, val) => {
      if (val.charCodeAt(0) === 0x22) val = JSON.parse(val);
      (info[key] = info[key] || []).push(val);
    });
    r.infoAccess = info;
  }
  out.push(r);
}
process.stdout.write(JSON.stringify(out));
"""

_RENAME = {"serialNumber": "serial_number", "infoAccess": "info_access",
           "asn1Curve": "asn1_curve", "nistCurve": "nist_curve"}


def _ours(der: bytes) -> Dict[str, Any]:
    got = _x509.parse_certificate(der).node_dict()
    return {k: ("hex:" + v.hex() if isinstance(v, bytes) else v) for k, v in got.items()}


@pytest.mark.node
def test_rows_match_node(tls_certs: Any) -> None:
    import nodes
    node = nodes.current()
    ders = [build() for _, build, _ in ROWS]
    for name in sorted(tls_certs.pems):
        if not name.endswith("_key"):
            ders.extend(_x509.pem_to_der(tls_certs.pems[name]))
    payload = json.dumps([base64.b64encode(d).decode() for d in ders])
    out = subprocess.run([node, "-e", _JS], input=payload, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    for der, node in zip(ders, json.loads(out.stdout)):
        expected = {_RENAME.get(k, k): v for k, v in node.items()}
        assert _ours(der) == expected
