"""The errors of Node's ``tls`` module, with Node's codes and messages.

Node: errors.md (``ERR_TLS_*``, ``ERR_SSL_*``), ``lib/internal/errors.js``, and
the certificate verification codes of ``tls.md`` § "X509 certificate error
codes". Messages are Node 26's, except where noted:

* verification errors (``CERT_HAS_EXPIRED``...) carry OpenSSL's text; Node 26
  appends "; if the root CA is installed locally, try running Node.js with
  --use-system-ca" to the trust-anchor ones, which does not apply here (nodenet
  always uses the system store) and is left out, as Node 20 does;
* ``ERR_SSL_*`` errors come from Python's ``ssl.SSLError``: ``code`` is Node's
  (``'ERR_SSL_' + reason``, OpenSSL 3.5's alert names), ``reason`` and
  ``library`` are set as Node sets them, the message is OpenSSL's reason text
  (Node's also has the error number, function, file and line).
"""

from __future__ import annotations

import json
import ssl
from typing import Any, Dict, Optional

from .errors import NodeError, NodeRangeError, NodeTypeError

__all__ = (
    "ERR_TLS_CERT_ALTNAME_INVALID", "ERR_TLS_CERT_ALTNAME_FORMAT", "ERR_TLS_HANDSHAKE_TIMEOUT",
    "ERR_TLS_INVALID_PROTOCOL_VERSION", "ERR_TLS_PROTOCOL_VERSION_CONFLICT",
    "ERR_TLS_INVALID_PROTOCOL_METHOD", "ERR_TLS_INVALID_CONTEXT", "ERR_TLS_INVALID_STATE",
    "ERR_TLS_SNI_FROM_SERVER", "ERR_TLS_REQUIRED_SERVER_NAME", "ERR_TLS_DH_PARAM_SIZE",
    "ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS", "ERR_TLS_ALPN_CALLBACK_INVALID_RESULT",
    "ERR_TLS_RENEGOTIATION_DISABLED", "ERR_TLS_RENEGOTIATION_UNSUPPORTED",
    "ERR_MULTIPLE_CALLBACK", "ERR_FEATURE_UNAVAILABLE", "ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED",
    "conn_reset", "verify_error", "ssl_error", "VERIFY_CODES",
)


def ERR_TLS_CERT_ALTNAME_INVALID(reason: str, host: str, cert: Any) -> NodeError:
    """``Hostname/IP does not match certificate's altnames: <reason>`` with
    ``.reason``, ``.host`` and ``.cert``."""
    err = NodeError(f"Hostname/IP does not match certificate's altnames: {reason}",
                    "ERR_TLS_CERT_ALTNAME_INVALID")
    err.reason = reason  # type: ignore[attr-defined]
    err.host = host  # type: ignore[attr-defined]
    err.cert = cert  # type: ignore[attr-defined]
    return err


class _SyntaxError(NodeError, SyntaxError):
    """A Node ``SyntaxError``."""


def ERR_TLS_CERT_ALTNAME_FORMAT() -> NodeError:
    """A subjectaltname string whose quoting cannot be read (a SyntaxError in Node)."""
    return _SyntaxError("Invalid subject alternative name string", "ERR_TLS_CERT_ALTNAME_FORMAT")


def ERR_TLS_HANDSHAKE_TIMEOUT() -> NodeError:
    return NodeError("TLS handshake timeout", "ERR_TLS_HANDSHAKE_TIMEOUT")


def ERR_TLS_INVALID_PROTOCOL_VERSION(version: Any, which: str) -> NodeTypeError:
    shown = json.dumps(version) if isinstance(version, str) else _js(version)
    return NodeTypeError(f"{shown} is not a valid {which} TLS protocol version",
                         "ERR_TLS_INVALID_PROTOCOL_VERSION")


def ERR_TLS_PROTOCOL_VERSION_CONFLICT(version: Any, method: Any) -> NodeTypeError:
    return NodeTypeError(
        f"TLS protocol version {json.dumps(version)} conflicts with secureProtocol "
        f"{json.dumps(method)}", "ERR_TLS_PROTOCOL_VERSION_CONFLICT")


def ERR_TLS_INVALID_PROTOCOL_METHOD(method: Any) -> NodeTypeError:
    return NodeTypeError(f"Unknown method: {method}", "ERR_TLS_INVALID_PROTOCOL_METHOD")


def ERR_TLS_INVALID_CONTEXT(name: str) -> NodeTypeError:
    return NodeTypeError(f"{name} must be a SecureContext", "ERR_TLS_INVALID_CONTEXT")


def ERR_TLS_INVALID_STATE() -> NodeError:
    return NodeError("TLS socket connection must be securely established",
                     "ERR_TLS_INVALID_STATE")


def ERR_TLS_SNI_FROM_SERVER() -> NodeError:
    return NodeError("Cannot issue SNI from a TLS server-side socket", "ERR_TLS_SNI_FROM_SERVER")


def ERR_TLS_REQUIRED_SERVER_NAME() -> NodeError:
    return NodeError('"servername" is required parameter for Server.addContext',
                     "ERR_TLS_REQUIRED_SERVER_NAME")


def ERR_TLS_DH_PARAM_SIZE(size: Any) -> NodeError:
    return NodeError(f"DH parameter size {size} is less than 2048", "ERR_TLS_DH_PARAM_SIZE")


def ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS() -> NodeTypeError:
    return NodeTypeError("The ALPNCallback and ALPNProtocols TLS options are mutually exclusive",
                         "ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS")


def ERR_TLS_ALPN_CALLBACK_INVALID_RESULT(result: Any, protocols: Any) -> NodeTypeError:
    return NodeTypeError(
        f"ALPN callback returned a value ({result}) that did not match any of the client's "
        f"offered protocols ({json.dumps(protocols)})", "ERR_TLS_ALPN_CALLBACK_INVALID_RESULT")


def ERR_TLS_RENEGOTIATION_DISABLED() -> NodeError:
    return NodeError("TLS session renegotiation disabled for this socket",
                     "ERR_TLS_RENEGOTIATION_DISABLED")


def ERR_TLS_RENEGOTIATION_UNSUPPORTED() -> NodeError:
    """Python's ssl cannot renegotiate (Node uses this code for BoringSSL)."""
    return NodeError("TLS session renegotiation is unsupported by this TLS implementation",
                     "ERR_TLS_RENEGOTIATION_UNSUPPORTED")


def ERR_MULTIPLE_CALLBACK() -> NodeError:
    return NodeError("Callback called multiple times", "ERR_MULTIPLE_CALLBACK")


def ERR_FEATURE_UNAVAILABLE(feature: str) -> NodeTypeError:
    """An option Python's ssl module has no API for (``pfx``...)."""
    return NodeTypeError(
        f"The feature {feature} is unavailable on the current platform, which is being "
        "used to run nodenet (Python's ssl module has no API for it)",
        "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM")


def ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED() -> NodeError:
    return NodeError("Custom engines not supported by this OpenSSL",
                     "ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED")


def conn_reset(message: str) -> NodeError:
    """Node's ``ConnResetException``: a plain Error with code ECONNRESET."""
    return NodeError(message, "ECONNRESET")


def _js(value: Any) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --------------------------------------------------------------------------------
# Certificate verification results (OpenSSL's X509_V_ERR_* numbers).

VERIFY_CODES: Dict[int, str] = {
    2: "UNABLE_TO_GET_ISSUER_CERT", 3: "UNABLE_TO_GET_CRL",
    4: "UNABLE_TO_DECRYPT_CERT_SIGNATURE", 5: "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
    6: "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", 7: "CERT_SIGNATURE_FAILURE",
    8: "CRL_SIGNATURE_FAILURE", 9: "CERT_NOT_YET_VALID", 10: "CERT_HAS_EXPIRED",
    11: "CRL_NOT_YET_VALID", 12: "CRL_HAS_EXPIRED", 13: "ERROR_IN_CERT_NOT_BEFORE_FIELD",
    14: "ERROR_IN_CERT_NOT_AFTER_FIELD", 15: "ERROR_IN_CRL_LAST_UPDATE_FIELD",
    16: "ERROR_IN_CRL_NEXT_UPDATE_FIELD", 17: "OUT_OF_MEM", 18: "DEPTH_ZERO_SELF_SIGNED_CERT",
    19: "SELF_SIGNED_CERT_IN_CHAIN", 20: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    21: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", 22: "CERT_CHAIN_TOO_LONG", 23: "CERT_REVOKED",
    24: "INVALID_CA", 25: "PATH_LENGTH_EXCEEDED", 26: "INVALID_PURPOSE",
    27: "CERT_UNTRUSTED", 28: "CERT_REJECTED", 62: "HOSTNAME_MISMATCH",
}

# X509_verify_cert_error_string() of OpenSSL 3.x for the codes Node names.
_VERIFY_MESSAGES: Dict[int, str] = {
    2: "unable to get issuer certificate", 3: "unable to get certificate CRL",
    4: "unable to decrypt certificate's signature", 5: "unable to decrypt CRL's signature",
    6: "unable to decode issuer public key", 7: "certificate signature failure",
    8: "CRL signature failure", 9: "certificate is not yet valid",
    10: "certificate has expired", 11: "CRL is not yet valid", 12: "CRL has expired",
    13: "format error in certificate's notBefore field",
    14: "format error in certificate's notAfter field",
    15: "format error in CRL's lastUpdate field", 16: "format error in CRL's nextUpdate field",
    17: "out of memory", 18: "self-signed certificate",
    19: "self-signed certificate in certificate chain",
    20: "unable to get local issuer certificate", 21: "unable to verify the first certificate",
    22: "certificate chain too long", 23: "certificate revoked", 24: "invalid CA certificate",
    25: "path length constraint exceeded", 26: "unsuitable certificate purpose",
    27: "certificate not trusted", 28: "certificate rejected", 62: "hostname mismatch",
}


def verify_error(code: int, message: Optional[str] = None) -> NodeError:
    """Node's verification error for an OpenSSL verify result (``code != 0``).

    Codes Node has no name for are ``UNSPECIFIED``, with OpenSSL's message.
    """
    name = VERIFY_CODES.get(code, "UNSPECIFIED")
    text = _VERIFY_MESSAGES.get(code) or message or f"certificate verify error {code}"
    return NodeError(text, name)


# --------------------------------------------------------------------------------
# ssl.SSLError -> Node's ERR_SSL_* error.

# OpenSSL 3.2 renamed the "sslv3 alert" reasons "ssl/tls alert"; Node 26 bundles
# OpenSSL 3.5, so its codes use the new names whatever OpenSSL Python has.
_RENAMED = {"SSLV3_ALERT_": "SSL/TLS_ALERT_"}
_RENAMED_TEXT = {"sslv3 alert ": "ssl/tls alert "}


def ssl_error(exc: BaseException) -> NodeError:
    """Node's error for a failure inside OpenSSL (an alert, a protocol error...)."""
    reason = getattr(exc, "reason", None)
    library = getattr(exc, "library", None)
    text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    # "[SSL: REASON] reason text (_ssl.c:123)" -> "reason text"
    if text.startswith("[") and "] " in text:
        text = text.split("] ", 1)[1]
    if text.endswith(")") and " (_ssl.c:" in text:
        text = text[:text.rindex(" (_ssl.c:")]
    for old, new in _RENAMED_TEXT.items():
        text = text.replace(old, new)
    if not reason and library == "SSL" and text and "(" not in text:
        # Python's table lacks newer reasons; OpenSSL's names are their texts in capitals
        reason = text.upper().replace(" ", "_")
    if reason:
        for old, new in _RENAMED.items():
            if reason.startswith(old):
                reason = new + reason[len(old):]
        code = "ERR_SSL_" + reason
    elif isinstance(exc, ssl.SSLEOFError):
        code = "ECONNRESET"
    else:
        code = "ERR_SSL_UNKNOWN"
    err = NodeError(text, code)
    err.library = "SSL routines" if library == "SSL" else library  # type: ignore[attr-defined]
    err.reason = text  # type: ignore[attr-defined]
    return err

