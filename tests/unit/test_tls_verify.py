"""Verification: OpenSSL's first error (the in-memory handshake) and the replay
that turns it into Node's last error, by tables."""

from __future__ import annotations

import datetime
import ssl
from typing import Any, List, Optional

import pytest

import x509build as xb
from nodenet import _tlsverify, _x509
from nodenet._tlsverify import PURPOSE_CLIENT, PURPOSE_SERVER, last_error, replay

NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)
PAST = datetime.datetime(2020, 1, 1)
FUTURE = datetime.datetime(2030, 1, 1)
SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"


def cert(subject: str, issuer: Optional[str] = None, *, ca: Optional[bool] = None,
         pathlen: Optional[int] = None, eku: Optional[List[str]] = None,
         ku: Optional[List[int]] = None, not_before: datetime.datetime = PAST,
         not_after: datetime.datetime = FUTURE, version: int = 3) -> _x509.Certificate:
    extensions = []
    if ca is not None:
        extensions.append(xb.basic_constraints(ca, pathlen))
    if ku is not None:
        extensions.append(xb.key_usage(*ku))
    if eku is not None:
        extensions.append(xb.ext_key_usage(*eku))
    der = xb.certificate(subject=xb.name(("CN", subject)),
                         issuer=xb.name(("CN", issuer or subject)), not_before=not_before,
                         not_after=not_after, extensions=extensions, version=version)
    return _x509.parse_certificate(der)


ROOT = cert("root", ca=True, ku=[5])
INTER = cert("inter", "root", ca=True, ku=[5])
LEAF = cert("leaf", "inter", ca=False, eku=[SERVER_AUTH, CLIENT_AUTH])
LEAF_ROOT = cert("leaf", "root", ca=False)

TABLE = [
    # (peer chain, anchors, purpose, OpenSSL's errors in order)
    ("trusted chain", [LEAF, INTER], [ROOT], PURPOSE_SERVER, []),
    ("lone leaf, unknown issuer", [LEAF], [], PURPOSE_SERVER, [20, 21]),
    ("lone expired leaf, unknown issuer",
     [cert("leaf", "x", not_after=datetime.datetime(2021, 1, 1))], [], PURPOSE_SERVER,
     [20, 21, 10]),
    ("chain without its root", [LEAF, INTER], [], PURPOSE_SERVER, [20]),
    ("self-signed leaf", [cert("self")], [], PURPOSE_SERVER, [18]),
    ("self-signed, not yet valid", [cert("self", not_before=FUTURE,
                                         not_after=datetime.datetime(2031, 1, 1))], [],
     PURPOSE_SERVER, [18, 9]),
    ("untrusted root in the chain", [LEAF, INTER, ROOT], [], PURPOSE_SERVER, [19]),
    ("expired leaf under a trusted root",
     [cert("leaf", "root", not_after=datetime.datetime(2021, 1, 1))], [ROOT], PURPOSE_SERVER,
     [10]),
    ("expired root and expired leaf",
     [cert("leaf", "old", not_after=datetime.datetime(2021, 1, 1))],
     [cert("old", ca=True, not_after=datetime.datetime(2021, 1, 1))], PURPOSE_SERVER,
     [10, 10]),
    ("an issuer that is no CA", [LEAF, cert("inter", "root", ca=False)], [ROOT], PURPOSE_SERVER,
     [24, 26]),
    ("an issuer that may not sign", [LEAF, cert("inter", "root", ca=True, ku=[0])], [ROOT],
     PURPOSE_SERVER, [24, 26]),
    ("path length exceeded",
     [cert("leaf", "i2"), cert("i2", "i1", ca=True), cert("i1", "root", ca=True)],
     [cert("root", ca=True, pathlen=0)], PURPOSE_SERVER, [25]),
    ("client certificate shown as a server's",
     [cert("leaf", "root", eku=[CLIENT_AUTH])], [ROOT], PURPOSE_SERVER, [26]),
    ("server certificate shown as a client's",
     [cert("leaf", "root", eku=[SERVER_AUTH])], [ROOT], PURPOSE_CLIENT, [26]),
    ("any extended key usage", [cert("leaf", "root", eku=["2.5.29.37.0"])], [ROOT],
     PURPOSE_CLIENT, []),
    ("key usage without signatures", [cert("leaf", "root", ku=[3])], [ROOT], PURPOSE_SERVER,
     [26]),
    ("a CA certificate as a server's", [ROOT], [], PURPOSE_SERVER, [18, 26]),
    ("a trusted self-signed leaf", [cert("self")], [cert("self")], PURPOSE_SERVER, []),
    ("a trusted leaf that is not self-signed", [LEAF_ROOT], [LEAF_ROOT], PURPOSE_SERVER,
     [20, 21]),
    ("v1 root", [cert("leaf", "v1root")], [cert("v1root", version=1)], PURPOSE_SERVER, []),
]


@pytest.mark.parametrize("label,peer,anchors,purpose,errors", TABLE, ids=[r[0] for r in TABLE])
def test_replay(label: str, peer: List[_x509.Certificate], anchors: List[_x509.Certificate],
                purpose: str, errors: List[int]) -> None:
    assert replay(peer, anchors, purpose, NOW) == errors


def test_last_error() -> None:
    ders = [LEAF.der]
    assert last_error(20, ders, [], PURPOSE_SERVER, NOW) == 21
    assert last_error(7, ders, [], PURPOSE_SERVER, NOW) == 7       # not replayed: kept
    assert last_error(20, [b"garbage"], [], PURPOSE_SERVER, NOW) == 20
    assert last_error(20, [], [], PURPOSE_SERVER, NOW) == 20
    assert last_error(20, ders, [], PURPOSE_SERVER) == 21          # now = the clock


VERIFIER_TABLE = [
    # (chain certificate names, trust the test CA?, purpose, first error)
    (["leaf"], True, PURPOSE_SERVER, 0),
    (["leaf"], False, PURPOSE_SERVER, 20),
    (["expired"], True, PURPOSE_SERVER, 10),
    (["self"], True, PURPOSE_SERVER, 18),
    (["chained"], True, PURPOSE_SERVER, 20),
    (["chained", "inter"], True, PURPOSE_SERVER, 0),
    (["client"], True, PURPOSE_SERVER, 26),
    (["client"], True, PURPOSE_CLIENT, 0),
    (["wrong"], True, PURPOSE_CLIENT, 26),
    (["client_other"], True, PURPOSE_CLIENT, 20),
    (["rsa"], True, PURPOSE_SERVER, 0),
]


def _verifier(certs: Any, trust: bool) -> _tlsverify.Verifier:
    import nodenet.tls as tls
    opts = {"cert": certs.leaf, "key": certs.leaf_key}
    if trust:
        opts["ca"] = certs.ca
    return tls.create_secure_context(opts).verifier


@pytest.mark.parametrize("names,trust,purpose,code", VERIFIER_TABLE)
def test_verifier(tls_certs: Any, names: List[str], trust: bool, purpose: str,
                  code: int) -> None:
    chain = [_x509.pem_to_der(tls_certs.pems[n])[0] for n in names]
    got, message = _verifier(tls_certs, trust).first_error(chain, purpose)
    assert got == code
    assert bool(message) == bool(code)


def test_verifier_edges(tls_certs: Any) -> None:
    verifier = _verifier(tls_certs, True)
    assert verifier.first_error([], PURPOSE_SERVER)[0] == 2
    assert verifier.first_error([b"not a certificate"], PURPOSE_SERVER)[0] == \
        _tlsverify.FAILED_CLOSED
    assert verifier.first_error([b"not a certificate"], PURPOSE_CLIENT)[0] in (
        _tlsverify.FAILED_CLOSED, 2)


def test_verifier_keeps_security_level(tls_certs: Any) -> None:
    import nodenet.tls as tls
    ctx = tls.create_secure_context({"ca": tls_certs.ca, "ciphers": "DEFAULT:@SECLEVEL=1"})
    chain = [_x509.pem_to_der(tls_certs.leaf)[0]]
    assert ctx.verifier.first_error(chain, PURPOSE_SERVER) == (0, "")
    made = ctx._build(False, verifier=True)
    assert made.verify_mode == ssl.CERT_REQUIRED and not made.check_hostname
