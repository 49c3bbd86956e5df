"""``tls.checkServerIdentity()``: is a certificate for this host name?

Node: tls.md § "tls.checkServerIdentity(hostname, cert)", after Node 26's
``lib/tls.js``: DNS names match with one ``*`` in the first label (not
``*.tld``, not in punycode labels); IP hosts match IP Address entries; the
CN counts only when there are no DNS entries; a host that is an IP address in
a legacy spelling (``0x7f.1``, ``127.1``) is refused. The error is returned,
not raised. Pure: tested by table against Node (tests/unit/test_tls_identity.py).
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, List, Mapping, Optional

from ._isip import int_to_ipv4, is_ip
from ._tlserrors import ERR_TLS_CERT_ALTNAME_FORMAT, ERR_TLS_CERT_ALTNAME_INVALID
from ._urlhost import parse_ipv4
from .errors import NodeError

__all__ = ("check_server_identity",)

_QUOTED = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')


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
    pattern = _QUOTED
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
    try:
        return str(ipaddress.ip_address(text.split("%", 1)[0]))
    except ValueError:
        return None


def _domain_to_ascii(hostname: str) -> str:
    """WHATWG ``domainToASCII`` for what matters here: IDNA, and IPv4 in its
    legacy spellings (``0x7f.1``) turned into dotted decimal."""
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
    if cert is None:     # JavaScript reads a property of undefined
        raise TypeError("Cannot read properties of undefined (reading 'subject')")
    # a value that is no object has none of these properties
    subject = cert.get("subject") if isinstance(cert, Mapping) else None
    alt_names = cert.get("subjectaltname") if isinstance(cert, Mapping) else None
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
