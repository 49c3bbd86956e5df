"""tls.check_server_identity by table (the cases of Node's
test-tls-check-server-identity.js, and more), checked against Node 26 too."""

from __future__ import annotations

import json
import subprocess
from typing import Any, Dict, List, Optional, Tuple

import pytest

import nodenet.tls as tls

Case = Tuple[Any, Dict[str, Any], Optional[str]]

CASES: List[Case] = [
    # CN handling
    ("a.com", {"subject": {"CN": "a.com"}}, None),
    ("a.com", {"subject": {"CN": "A.COM"}}, None),
    ("a.com", {"subject": {"CN": "b.com"}}, "Host: a.com. is not cert's CN: b.com"),
    ("a.com", {"subject": {"CN": "a.com."}}, None),
    ("b.a.com", {"subject": {"CN": "*.a.com"}}, None),
    ("b.a.com", {"subjectaltname": "DNS:omg.com", "subject": {"CN": "*.a.com"}},
     "Host: b.a.com. is not in the cert's altnames: DNS:omg.com"),
    ("foo.com", {"subject": {"CN": ["foo.com", "bar.com"]}}, None),
    ("baz.com", {"subject": {"CN": ["foo.com", "bar.com"]}},
     "Host: baz.com. is not cert's CN: foo.com,bar.com"),
    # DNS names and CN
    ("a.com", {"subjectaltname": "DNS:*", "subject": {"CN": "b.com"}},
     "Host: a.com. is not in the cert's altnames: DNS:*"),
    ("a.com", {"subjectaltname": "DNS:*.com", "subject": {"CN": "b.com"}},
     "Host: a.com. is not in the cert's altnames: DNS:*.com"),
    ("a.co.uk", {"subjectaltname": "DNS:*.co.uk", "subject": {"CN": "b.com"}}, None),
    ("a.com", {"subjectaltname": "DNS:*.a.com", "subject": {"CN": "a.com"}},
     "Host: a.com. is not in the cert's altnames: DNS:*.a.com"),
    ("a.com", {"subjectaltname": "DNS:a.com", "subject": {"CN": "b.com"}}, None),
    ("a.com", {"subjectaltname": "DNS:A.COM", "subject": {"CN": "b.com"}}, None),
    # DNS names
    ("a.com", {"subjectaltname": "DNS:*.a.com", "subject": {}},
     "Host: a.com. is not in the cert's altnames: DNS:*.a.com"),
    ("b.a.com", {"subjectaltname": "DNS:*.a.com", "subject": {}}, None),
    ("c.b.a.com", {"subjectaltname": "DNS:*.a.com", "subject": {}},
     "Host: c.b.a.com. is not in the cert's altnames: DNS:*.a.com"),
    ("b.a.com", {"subjectaltname": "DNS:*b.a.com", "subject": {}}, None),
    ("a-cb.a.com", {"subjectaltname": "DNS:*b.a.com", "subject": {}}, None),
    ("a.b.a.com", {"subjectaltname": "DNS:*b.a.com", "subject": {}},
     "Host: a.b.a.com. is not in the cert's altnames: DNS:*b.a.com"),
    ("a.b.a.com", {"subjectaltname": "DNS:*b.a.com, DNS:a.b.a.com", "subject": {}}, None),
    ("xn--bcher-kva.example", {"subjectaltname": "DNS:*.example", "subject": {}},
     "Host: xn--bcher-kva.example. is not in the cert's altnames: DNS:*.example"),  # *.tld
    ("xn--bcher-kva.x.example", {"subjectaltname": "DNS:*.x.example", "subject": {}}, None),
    ("x.example", {"subjectaltname": "DNS:xn--*.example", "subject": {}},
     "Host: x.example. is not in the cert's altnames: DNS:xn--*.example"),
    ("a.example", {"subjectaltname": "DNS:a*b*.example", "subject": {}},
     "Host: a.example. is not in the cert's altnames: DNS:a*b*.example"),
    ("a.example", {"subjectaltname": "DNS:bad..example, DNS:a.example", "subject": {}}, None),
    ("a.example.", {"subjectaltname": "DNS:a.example", "subject": {}}, None),
    ("bücher.example", {"subjectaltname": "DNS:xn--bcher-kva.example", "subject": {}}, None),
    # URI names do not count
    ("a.b.a.com", {"subjectaltname": "URI:http://a.b.a.com/", "subject": {}},
     "Cert does not contain a DNS name"),
    ("a.b.a.com", {"subjectaltname": "URI:http://*.b.a.com/", "subject": {}},
     "Cert does not contain a DNS name"),
    # IP addresses
    ("a.b.a.com", {"subjectaltname": "IP Address:127.0.0.1", "subject": {}},
     "Cert does not contain a DNS name"),
    ("127.0.0.1", {"subjectaltname": "IP Address:127.0.0.1", "subject": {}}, None),
    ("127.0.0.2", {"subjectaltname": "IP Address:127.0.0.1", "subject": {}},
     "IP: 127.0.0.2 is not in the cert's list: 127.0.0.1"),
    ("127.0.0.1", {"subjectaltname": "DNS:a.com", "subject": {}},
     "IP: 127.0.0.1 is not in the cert's list: "),
    ("localhost", {"subjectaltname": "DNS:a.com", "subject": {"CN": "localhost"}},
     "Host: localhost. is not in the cert's altnames: DNS:a.com"),
    ("::1", {"subjectaltname": "IP Address:0:0:0:0:0:0:0:1", "subject": {}}, None),
    ("::2", {"subjectaltname": "IP Address:0:0:0:0:0:0:0:1", "subject": {}},
     "IP: ::2 is not in the cert's list: ::1"),
    ("0x7f.1", {"subjectaltname": "IP Address:127.0.0.1", "subject": {}},
     "Host is a non-canonical IP address"),
    ("127.1", {"subjectaltname": "IP Address:127.0.0.1", "subject": {}},
     "Host is a non-canonical IP address"),
    # quoted alt names (Node's escaping)
    ("a,b.com", {"subjectaltname": 'DNS:"a\\u002cb.com"', "subject": {}}, None),
    ("x.com", {"subjectaltname": 'DNS:"x.com", DNS:y.com', "subject": {}}, None),
    # no names at all; unusual hostnames
    ("a.com", {"subject": {}}, "Cert does not contain a DNS name"),
    ("a.com", {}, "Cert does not contain a DNS name"),
    (5, {"subject": {"CN": "5"}}, "Host is a non-canonical IP address"),
    ("five", {"subject": {"CN": "five"}}, None),
]


@pytest.mark.parametrize("host,cert,reason", CASES)
def test_table(host: Any, cert: Dict[str, Any], reason: Optional[str]) -> None:
    err = tls.check_server_identity(host, cert)
    if reason is None:
        assert err is None
    else:
        assert err is not None and err.code == "ERR_TLS_CERT_ALTNAME_INVALID"
        assert err.reason == reason
        assert str(err) == "Hostname/IP does not match certificate's altnames: " + reason
        assert err.cert is cert


def test_bad_alt_name_quoting() -> None:
    with pytest.raises(SyntaxError) as info:
        tls.check_server_identity("x", {"subjectaltname": 'DNS:"unterminated'})
    assert info.value.code == "ERR_TLS_CERT_ALTNAME_FORMAT"  # type: ignore[attr-defined]


_JS = r"""
const tls = require('tls');
const out = [];
for (const [host, cert] of JSON.parse(require('fs').readFileSync(0, 'utf8'))) {
  const err = tls.checkServerIdentity(host, cert);
  out.push(err ? [err.code, err.reason, err.host] : null);
}
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.node
@pytest.mark.node20_differs("no IDNA conversion of the host, no refusal of legacy IP spellings")
def test_table_matches_node() -> None:
    import nodes
    node = nodes.current()
    payload = json.dumps([[h, c] for h, c, _ in CASES])
    out = subprocess.run([node, "-e", _JS], input=payload, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    for (host, cert, reason), node in zip(CASES, json.loads(out.stdout)):
        err = tls.check_server_identity(host, cert)
        ours = [err.code, err.reason, err.host] if err is not None else None
        assert ours == node, (host, cert)
        assert (node[1] if node else None) == reason
