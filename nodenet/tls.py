"""Node's ``tls`` module for nodenet: ``import nodenet.tls as tls``.

Node: tls.md (Node 26). TLS is built on ``net`` as in Node: a
:class:`TLSSocket` is a nodenet :class:`~nodenet.Socket` (same events,
backpressure, half-close, timeouts, ``pipe``), a :class:`Server` is a nodenet
:class:`~nodenet.Server`. The TLS work is done by the standard library's
``ssl`` module through ``ssl.MemoryBIO`` and ``ssl.SSLObject``, on the loop
thread: no blocking handshake, no extra thread, nothing to install.

Names follow nodenet's rules: ``tls.connect``, ``tls.create_server``,
``tls.create_secure_context``, ``tls.check_server_identity``,
``tls.root_certificates``, ``tls.get_ciphers()``, ``tls.DEFAULT_MIN_VERSION``...
Option keys may be Node's (``rejectUnauthorized``, ``ALPNProtocols``,
``SNICallback``) or snake_case (``reject_unauthorized``, ``alpn_protocols``,
``sni_callback``). docs/tls.md is the tutorial; docs/compat.md lists what
Python's ``ssl`` cannot do.

``DEFAULT_MIN_VERSION``, ``DEFAULT_MAX_VERSION``, ``DEFAULT_CIPHERS`` and
``DEFAULT_ECDH_CURVE`` may be reassigned, as in Node; contexts made afterwards
use the new values.
"""

from __future__ import annotations

import ssl
from typing import Any, List, Optional

from . import _tlshandle  # noqa: F401  (installs the handshake-message hook)
from ._isip import is_ip
from ._tlscontext import SecureContext, create_secure_context, system_root_certificates
from ._tlserrors import ERR_TLS_CERT_ALTNAME_FORMAT, ERR_TLS_CERT_ALTNAME_INVALID
from ._tlsserver import Server, create_server
from ._tlssocket import Session, TLSSocket, connect, convert_alpn_protocols
from ._validators import validate_string
from .errors import ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, NodeError

__all__ = (
    "CLIENT_RENEG_LIMIT", "CLIENT_RENEG_WINDOW", "DEFAULT_CIPHERS", "DEFAULT_ECDH_CURVE",
    "DEFAULT_MIN_VERSION", "DEFAULT_MAX_VERSION", "get_ciphers", "root_certificates",
    "get_ca_certificates", "set_default_ca_certificates", "convert_alpn_protocols",
    "check_server_identity", "create_secure_context", "SecureContext", "TLSSocket", "Server",
    "create_server", "connect", "Session",
)

#: Node: ``tls.CLIENT_RENEG_LIMIT`` (renegotiation is never allowed here).
CLIENT_RENEG_LIMIT = 3
#: Node: ``tls.CLIENT_RENEG_WINDOW`` (seconds).
CLIENT_RENEG_WINDOW = 600

#: Node 26's default cipher list. The TLS 1.3 suites (``TLS_*``) cannot be set
#: through Python's ``ssl``; OpenSSL's own defaults are the same three.
DEFAULT_CIPHERS = (
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:"
    "DHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA384:"
    "ECDHE-RSA-AES256-SHA256:DHE-RSA-AES256-SHA256:HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:"
    "!MD5:!PSK:!SRP:!CAMELLIA")
#: Node: ``tls.DEFAULT_ECDH_CURVE``.
DEFAULT_ECDH_CURVE = "auto"
#: Node: ``tls.DEFAULT_MIN_VERSION``.
DEFAULT_MIN_VERSION = "TLSv1.2"
#: Node: ``tls.DEFAULT_MAX_VERSION``.
DEFAULT_MAX_VERSION = "TLSv1.3"

_CIPHERS: Optional[List[str]] = None
_DEFAULT_CA: Optional[List[str]] = None


def get_ciphers() -> List[str]:
    """Node: ``tls.getCiphers()`` — the lower-case names of the ciphers OpenSSL
    offers here, sorted, without duplicates."""
    global _CIPHERS
    if _CIPHERS is None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            ctx.set_ciphers("ALL:@SECLEVEL=0")
        except ssl.SSLError:  # pragma: no cover
            pass
        _CIPHERS = sorted({c["name"].lower() for c in ctx.get_ciphers()})
    return list(_CIPHERS)


def get_ca_certificates(type: Any = "default") -> List[str]:
    """Node: ``tls.getCACertificates([type])`` — PEM texts. ``'default'``,
    ``'system'`` and ``'bundled'`` are the system store here (nodenet has no
    bundled store); ``'extra'`` is ``NODE_EXTRA_CA_CERTS``' certificates."""
    validate_string(type, "type")
    if type == "default":
        return list(_DEFAULT_CA) if _DEFAULT_CA is not None else system_root_certificates()
    if type in ("system", "bundled"):
        return list(system_root_certificates())
    if type == "extra":
        import os
        from ._x509 import DERError, der_to_pem, pem_to_der
        path = os.environ.get("NODE_EXTRA_CA_CERTS")
        if not path:
            return []
        try:
            with open(path, "rb") as f:
                return [der_to_pem(d) for d in pem_to_der(f.read())]
        except (OSError, DERError):
            return []
    raise ERR_INVALID_ARG_VALUE("type", type)


def set_default_ca_certificates(certs: Any) -> None:
    """Node: ``tls.setDefaultCACertificates(certs)`` — what ``get_ca_certificates()``
    reports. (Contexts without ``ca`` still trust the system store.)"""
    global _DEFAULT_CA
    if not isinstance(certs, (list, tuple)):
        raise ERR_INVALID_ARG_TYPE("certs", "Array", certs)
    for i, cert in enumerate(certs):
        if not isinstance(cert, (str, bytes, bytearray, memoryview)):
            raise ERR_INVALID_ARG_TYPE(f"certs[{i}]", ["string", "ArrayBufferView"], cert)
    _DEFAULT_CA = [c if isinstance(c, str) else bytes(c).decode("latin-1") for c in certs]


def __getattr__(name: str) -> Any:
    if name == "root_certificates":
        # Node: ``tls.rootCertificates`` (the system store here, read on first use)
        return tuple(system_root_certificates())
    raise AttributeError(f"module 'nodenet.tls' has no attribute {name!r}")


# -- checkServerIdentity ---------------------------------------------------------------


def _unfqdn(host: str) -> str:
    return host[:-1] if host.endswith(".") else host


def _split_host(host: str) -> List[str]:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c
                   for c in _unfqdn(host)).split(".")


def _is_bad(part: str) -> bool:
    return any(not (0x21 <= ord(c) <= 0x7F) for c in part)


def _check(host_parts: List[str], pattern: Any, wildcards: bool) -> bool:
    if not pattern or not isinstance(pattern, str):
        return False
    parts = _split_host(pattern)
    if len(host_parts) != len(parts):
        return False
    if "" in parts:
        return False
    if any(_is_bad(p) for p in parts):
        return False
    for i in range(len(host_parts) - 1, 0, -1):
        if host_parts[i] != parts[i]:
            return False
    host_sub, pattern_sub = host_parts[0], parts[0]
    pieces = pattern_sub.split("*", 2)
    if len(pieces) == 1 or "xn--" in pattern_sub:
        return host_sub == pattern_sub
    if not wildcards:
        return False
    if len(pieces) > 2:
        return False
    if len(parts) <= 2:
        return False
    prefix, suffix = pieces
    if len(prefix) + len(suffix) > len(host_sub):
        return False
    return host_sub.startswith(prefix) and host_sub.endswith(suffix)


def _split_escaped(alt_names: str) -> List[str]:
    """Node's ``splitEscapedAltNames``: quoted names are JSON strings."""
    import json
    import re
    pattern = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
    result = []
    current = ""
    offset = 0
    while offset != len(alt_names):
        next_sep = alt_names.find(",", offset)
        next_quote = alt_names.find('"', offset)
        if next_quote != -1 and (next_sep == -1 or next_quote < next_sep):
            current += alt_names[offset:next_quote]
            match = pattern.match(alt_names, next_quote)
            if not match:
                raise ERR_TLS_CERT_ALTNAME_FORMAT()
            current += json.loads(match.group(0))
            offset = match.end()
        elif next_sep != -1:
            current += alt_names[offset:next_sep]
            result.append(current)
            current = ""
            offset = next_sep + 2
        else:
            current += alt_names[offset:]
            offset = len(alt_names)
    result.append(current)
    return result


def _canonical_ip(text: str) -> Optional[str]:
    import ipaddress
    try:
        return str(ipaddress.ip_address(text.split("%", 1)[0]))
    except ValueError:
        return None


def _domain_to_ascii(hostname: str) -> str:
    """WHATWG ``domainToASCII`` for what matters here: IDNA, and IPv4 in its
    legacy spellings (``0x7f.1``) turned into dotted decimal."""
    from ._isip import int_to_ipv4
    from ._urlhost import parse_ipv4
    try:
        ascii_host = hostname.encode("idna").decode("ascii").lower() if hostname else ""
    except (UnicodeError, ValueError):
        return ""
    last = _unfqdn(ascii_host).rsplit(".", 1)[-1]
    if last and (last.isdigit() or last.startswith("0x")):
        number = parse_ipv4(_unfqdn(ascii_host))
        if number is not None:
            return int_to_ipv4(number)
    return ascii_host


def check_server_identity(hostname: Any, cert: Any) -> Optional[NodeError]:
    """Node: ``tls.checkServerIdentity(hostname, cert)`` — None when ``cert`` (a
    certificate object) is for ``hostname``, else ERR_TLS_CERT_ALTNAME_INVALID
    (returned, not raised) with ``reason``, ``host`` and ``cert``.

    DNS names match with one ``*`` in the first label (not for ``*.tld``, not in
    punycode labels); IP hosts match IP Address entries; the CN counts only
    without DNS entries; a host that is an IP address in a legacy spelling is
    refused.
    """
    if cert is None:
        cert = {}
    subject = cert.get("subject")
    alt_names = cert.get("subjectaltname")
    dns_names: List[str] = []
    ips: List[Optional[str]] = []
    hostname = _js_string(hostname)
    hostname_ascii = _domain_to_ascii(hostname)
    hostname = _unfqdn(hostname)
    ascii_no_dot = _unfqdn(hostname_ascii)
    hostname_is_ip = is_ip(hostname)
    ascii_is_ip = is_ip(ascii_no_dot)
    if alt_names:
        names = _split_escaped(alt_names) if '"' in alt_names else alt_names.split(", ")
        for name in names:
            if name.startswith("DNS:"):
                dns_names.append(name[4:])
            elif name.startswith("IP Address:"):
                ips.append(_canonical_ip(name[11:]))
    if not hostname_is_ip and ascii_is_ip:
        return ERR_TLS_CERT_ALTNAME_INVALID("Host is a non-canonical IP address", hostname, cert)
    valid = False
    reason = "Unknown reason"
    cn = subject.get("CN") if isinstance(subject, dict) else None
    if hostname_is_ip:
        valid = _canonical_ip(hostname) in ips
        if not valid:
            reason = f"IP: {hostname} is not in the cert's list: " + ", ".join(
                ip or "" for ip in ips)
    elif dns_names or cn:
        host_parts = _split_host(ascii_no_dot)
        if dns_names:
            valid = any(_check(host_parts, p, True) for p in dns_names)
            if not valid:
                reason = f"Host: {hostname}. is not in the cert's altnames: {alt_names}"
        else:
            shown: Any = cn
            if isinstance(cn, list):
                valid = any(_check(host_parts, p, True) for p in cn)
                shown = ",".join(str(p) for p in cn)
            else:
                valid = _check(host_parts, cn, True)
            if not valid:
                reason = f"Host: {hostname}. is not cert's CN: {shown}"
    else:
        reason = "Cert does not contain a DNS name"
    if not valid:
        return ERR_TLS_CERT_ALTNAME_INVALID(reason, hostname, cert)
    return None


def _js_string(value: Any) -> str:
    """JavaScript's ``'' + value``."""
    if value is None:
        return "undefined"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
