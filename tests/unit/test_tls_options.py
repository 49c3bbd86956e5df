"""Every option's type is checked as Node checks it: the same error code, class
and message (with Python's type names), raised at the call — by table, and
the table against Node 26."""

from __future__ import annotations

import json
import subprocess
from typing import Any, Dict, List, Optional, Tuple

import pytest

import nodenet.tls as tls

BUF = {"$buf": "00" * 48}
FN = {"$fn": True}

# (call, options, expected (code, class) or None when the call is accepted)
TABLE: List[Tuple[str, Any, Optional[Tuple[Optional[str], str]]]] = [
    ("ctx", {"minVersion": "TLSv1.9"}, ("ERR_TLS_INVALID_PROTOCOL_VERSION", "TypeError")),
    ("ctx", {"maxVersion": "x"}, ("ERR_TLS_INVALID_PROTOCOL_VERSION", "TypeError")),
    ("ctx", {"minVersion": 5}, ("ERR_TLS_INVALID_PROTOCOL_VERSION", "TypeError")),
    ("ctx", {"minVersion": "TLSv1.2", "secureProtocol": "TLSv1_2_method"},
     ("ERR_TLS_PROTOCOL_VERSION_CONFLICT", "TypeError")),
    ("ctx", {"maxVersion": "TLSv1.3", "secureProtocol": "TLSv1_2_method"},
     ("ERR_TLS_PROTOCOL_VERSION_CONFLICT", "TypeError")),
    ("ctx", {"secureProtocol": "foo"}, ("ERR_TLS_INVALID_PROTOCOL_METHOD", "TypeError")),
    ("ctx", {"secureProtocol": "TLSv1_2_method"}, None),
    ("ctx", {"ciphers": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"ciphers": ""}, None),
    ("ctx", {"ciphers": ":"}, ("ERR_INVALID_ARG_VALUE", "TypeError")),
    ("ctx", {"ca": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"ca": ["x", 5]}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"ca": "not a pem"}, None),
    ("ctx", {"cert": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"key": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"key": "x", "passphrase": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"ecdhCurve": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"ecdhCurve": "nope"}, ("ERR_CRYPTO_OPERATION_FAILED", "Error")),
    ("ctx", {"ecdhCurve": "prime256v1"}, None),
    ("ctx", {"secureOptions": "x"}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"sessionTimeout": "x"}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"sessionTimeout": -1}, ("ERR_OUT_OF_RANGE", "RangeError")),
    ("ctx", {"sessionTimeout": 300}, None),
    ("ctx", {"crl": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"dhparam": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"sigalgs": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"sigalgs": ""}, ("ERR_INVALID_ARG_VALUE", "TypeError")),
    ("ctx", {"ticketKeys": "x"}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"ticketKeys": {"$buf": "00"}}, ("ERR_INVALID_ARG_VALUE", "TypeError")),
    ("ctx", {"ticketKeys": BUF}, None),
    ("ctx", {"sessionIdContext": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"clientCertEngine": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"privateKeyIdentifier": "x"}, ("ERR_INVALID_ARG_VALUE", "TypeError")),
    ("ctx", {"privateKeyIdentifier": 5, "privateKeyEngine": "e"},
     ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"privateKeyIdentifier": "x", "privateKeyEngine": 5},
     ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"certificateCompression": "zlib"}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"certificateCompression": ["gzip"]}, ("ERR_INVALID_ARG_VALUE", "TypeError")),
    ("ctx", {"certificateCompression": ["zlib", "zlib", "zlib", "zlib"]},
     ("ERR_INVALID_ARG_VALUE", "TypeError")),
    ("ctx", {"cert": "not a pem", "key": "not a pem either"},
     ("ERR_OSSL_PEM_NO_START_LINE", "Error")),
    ("ctx", "x", ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", None, None),
    ("server", "x", ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("server", {"handshakeTimeout": "x"}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("server", {"SNICallback": "x"}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("server", {"pskCallback": "x"}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("server", {"pskIdentityHint": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("server", {"ALPNCallback": FN, "ALPNProtocols": ["a"]},
     ("ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS", "TypeError")),
    ("server", {"ALPNProtocols": [""]}, ("ERR_INVALID_ARG_VALUE", "TypeError")),
    ("server", {"ALPNProtocols": {"$buf": "0561626364"}},
     ("ERR_INVALID_ARG_VALUE", "TypeError")),
    ("server", {"ALPNProtocols": {"$buf": "00"}}, ("ERR_INVALID_ARG_VALUE", "TypeError")),
    ("server", {"ALPNProtocols": {"$buf": "026832"}}, None),
    ("connect", {"port": 1, "checkServerIdentity": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("connect", {"port": 1, "minDHSize": "x"}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("connect", {"port": 1, "minDHSize": 0}, ("ERR_OUT_OF_RANGE", "RangeError")),
    ("connect", {"port": 1, "servername": "1.2.3.4"}, ("ERR_INVALID_ARG_VALUE", "TypeError")),
    ("connect", {"port": 1, "servername": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("connect", {"port": 1, "ALPNProtocols": [""]}, ("ERR_INVALID_ARG_VALUE", "TypeError")),
    ("connect", {"port": 1, "ALPNProtocols": ["x" * 256]}, ("ERR_OUT_OF_RANGE", "RangeError")),
    ("connect", {"port": 1, "secureContext": {}}, ("ERR_TLS_INVALID_CONTEXT", "TypeError")),
    ("connect", {"port": 1, "session": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("connect", {"port": 1, "enableTrace": 5}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("connect", {}, ("ERR_MISSING_ARGS", "TypeError")),
    ("connect", {"port": -1}, ("ERR_SOCKET_BAD_PORT", "RangeError")),
    ("connect", {"port": 1, "minVersion": "SSLv3"}, ("ERR_TLS_INVALID_PROTOCOL_VERSION",
                                                      "TypeError")),
    ("ids", {"x": 1}, ("ERR_INVALID_ARG_VALUE", "TypeError")),
    # From a bad-value sweep against Node 26 (Node 20 agrees on every row below):
    # JavaScript truthiness decides whether an option is looked at, a non-string
    # secureProtocol is ignored, a bad CRL is refused, a bad dhparam ignored.
    ("ctx", {"ca": {}}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"secureOptions": []}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"ecdhCurve": None}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"secureProtocol": True}, None),
    ("ctx", {"secureProtocol": ""}, ("ERR_TLS_INVALID_PROTOCOL_METHOD", "TypeError")),
    ("ctx", {"crl": "x"}, ("ERR_CRYPTO_OPERATION_FAILED", "Error")),
    ("ctx", {"dhparam": "x"}, None),
    ("ctx", False, None),
    ("ctx", BUF, None),
    ("server", {"handshakeTimeout": []}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("server", {"SNICallback": {}}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("server", {"sessionTimeout": ""}, None),
    ("server", {"ticketKeys": 0}, None),
    ("server", {"ALPNProtocols": "x"}, None),
    ("connect", {"port": 1, "servername": 0}, None),
    ("connect", {"port": 1, "session": False}, None),
    ("connect", {"port": 1, "timeout": {}}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("connect", {"port": 1, "highWaterMark": 1.5}, ("ERR_INVALID_ARG_VALUE", "TypeError")),
    ("connect", {"port": 1, "pskCallback": "x"}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("connect", {"port": 1, "ALPNProtocols": ""}, None),
    ("connect", {"port": 1, "socket": 0}, None),
    # OpenSSL reads a C string (a NUL ends the list); a session id context is at
    # most 32 bytes; honorCipherOrder makes secureOptions a number (x | flag)
    ("ctx", {"ciphers": "a\u0000b"}, ("ERR_SSL_NO_CIPHER_MATCH", "Error")),
    ("ctx", {"ciphers": "AES128-SHA\u0000zz"}, None),
    ("ctx", {"sessionIdContext": "x" * 33}, (None, "TypeError")),
    ("ctx", {"sessionIdContext": "x" * 32}, None),
    ("ctx", {"secureOptions": "x", "honorCipherOrder": True}, None),
    ("ctx", {"secureProtocol": True, "minVersion": "TLSv1.2"},
     ("ERR_TLS_PROTOCOL_VERSION_CONFLICT", "TypeError")),
    ("ctx", {"key": [{"pem": None}]}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("ctx", {"crl": []}, None),
    ("server", {"pskIdentityHint": {}}, ("ERR_INVALID_ARG_TYPE", "TypeError")),
    ("server", {"honorCipherOrder": None, "sessionIdContext": 0}, None),
    ("connect", {"port": 1, "servername": "a\u0000b"}, None),
]


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$buf" in value:
            return bytes.fromhex(value["$buf"])
        if "$fn" in value:
            return lambda *a: None
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _class(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return "SyntaxError"
    if isinstance(exc, TypeError):
        return "TypeError"
    if isinstance(exc, ValueError):
        return "RangeError"
    return "Error"


def _call(kind: str, options: Any) -> Optional[BaseException]:
    opts = _decode(options)
    sock = None
    try:
        if kind == "ctx":
            tls.create_secure_context(opts)
        elif kind == "server":
            tls.create_server(opts)
        elif kind == "ids":
            tls.get_ca_certificates("x")
        else:
            opts.setdefault("host", "127.0.0.1")
            sock = tls.connect(opts)
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return exc
    finally:
        if sock is not None:
            sock.destroy()
    return None


@pytest.mark.parametrize("kind,options,expected", TABLE)
def test_table(kind: str, options: Any, expected: Optional[Tuple[Optional[str], str]]) -> None:
    from support import run
    box: List[Optional[BaseException]] = []
    run(lambda: box.append(_call(kind, options)))
    err = box[0]
    if expected is None:
        assert err is None, err
    else:
        assert err is not None
        assert (getattr(err, "code", None), _class(err)) == expected, err


_JS = r"""
const tls = require('tls');
function decode(v) {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') {
    if ('$buf' in v) return Buffer.from(v.$buf, 'hex');
    if ('$fn' in v) return () => {};
    const o = {}; for (const k of Object.keys(v)) o[k] = decode(v[k]); return o;
  }
  return v;
}
const out = [];
for (const [kind, options] of JSON.parse(require('fs').readFileSync(0, 'utf8'))) {
  let err = null;
  try {
    const o = decode(options);
    if (kind === 'ctx') tls.createSecureContext(o);
    else if (kind === 'server') tls.createServer(o);
    else if (kind === 'ids') tls.getCACertificates('x');
    else { o.host = '127.0.0.1'; const s = tls.connect(o); s.on('error', () => {}); s.destroy(); }
  } catch (e) { err = [e.code || null, e.name, e.message]; }
  out.push(err);
}
process.stdout.write(JSON.stringify(out));
"""

_PY_TYPES = {"int": "number", "float": "number", "str": "string", "bool": "boolean",
             "dict": "object", "list": "object", "bytes": "object"}


@pytest.mark.node
@pytest.mark.node20_differs("an invalid ALPNProtocols Buffer aborts Node 20; an IP servername "
                            "only warns")
def test_table_matches_node() -> None:
    """Codes and classes equal Node's; messages too, once Python's type names
    ('type int (5)') are read as JavaScript's ('type number (5)')."""
    from support import run
    import nodes
    node = nodes.current()
    payload = json.dumps([[k, o] for k, o, _ in TABLE])
    out = subprocess.run([node, "-e", _JS], input=payload, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    results: Dict[int, Any] = {}
    run(lambda: results.update({i: _call(k, o) for i, (k, o, _) in enumerate(TABLE)}))
    for i, node in enumerate(json.loads(out.stdout)):
        err = results[i]
        ours = None if err is None else [getattr(err, "code", None), _class(err), str(err)]
        if node is None or ours is None:
            assert ours == node, TABLE[i]
            continue
        assert ours[:2] == node[:2], TABLE[i]
        message = ours[2]
        for py, js in _PY_TYPES.items():
            message = message.replace(f"type {py} (", f"type {js} (")
        if node[0] in ("ERR_INVALID_ARG_TYPE", "ERR_INVALID_ARG_VALUE", "ERR_OUT_OF_RANGE",
                       "ERR_TLS_INVALID_PROTOCOL_VERSION", "ERR_TLS_PROTOCOL_VERSION_CONFLICT",
                       "ERR_TLS_INVALID_PROTOCOL_METHOD", "ERR_TLS_INVALID_CONTEXT",
                       "ERR_MISSING_ARGS", "ERR_SOCKET_BAD_PORT",
                       "ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS", "ERR_CRYPTO_OPERATION_FAILED"):
            assert _same_message(message, node[2]), (TABLE[i], message, node[2])


def _same_message(ours: str, node: str) -> bool:
    """Equal, or equal up to how a received value is shown (Python's repr of a
    list or dict is not util.inspect's)."""
    if ours == node:
        return True
    head_ours, _, _ = ours.partition(". Received")
    head_node, _, _ = node.partition(". Received")
    return head_ours == head_node
