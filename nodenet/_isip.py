"""IP address text: Node's ``isIP`` grammar, and text <-> integer conversions.

Node: net.md § ``net.isIP(input)``, § ``net.isIPv4(input)``, § ``net.isIPv6(input)``
(Node 26), whose rules live in ``lib/internal/net.js`` as two anchored regular
expressions. The grammar below is that pair of expressions written out in ABNF
(RFC 5234); the Python patterns are built from it, one line per rule.

Also here, because every address module needs them: ``ipv4_to_int``/``ipv6_to_int``
(the text forms libuv's ``uv_inet_pton`` accepts, which for IPv4 is exactly the
``isIPv4`` grammar and for IPv6 the ``isIPv6`` grammar without the zone) and
``int_to_ipv4``/``int_to_ipv6`` (the canonical text Node prints, glibc's
``inet_ntop``: ``::ffff:1.2.3.4`` and ``::1.2.3.4`` keep the dotted tail).

Nothing here uses :mod:`ipaddress`: its rules differ from Node's (scope ids,
leading zeros before Python 3.9.5, the text it prints).
"""

from __future__ import annotations

import re
from typing import Any, List, Optional

from ._jstext import js_string

__all__ = ("is_ip", "is_ipv4", "is_ipv6")

# ---------------------------------------------------------------------------------
# Grammar (Node's isIPv4/isIPv6; ABNF, DIGIT = %x30-39, HEXDIG = 0-9 a-f A-F):
#
#   dec-octet = "25" %x30-35          ; 250-255
#             / "2" %x30-34 DIGIT     ; 200-249
#             / "1" 2DIGIT            ; 100-199
#             / %x31-39 DIGIT         ; 10-99
#             / DIGIT                 ; 0-9       (so no leading zeros)
#   IPv4      = dec-octet 3("." dec-octet)
#
#   h16       = 1*4HEXDIG
#   IPv6      = ( 7(h16 ":") ( h16 / ":" )
#               / 6(h16 ":") ( IPv4 / ":" h16 / ":" )
#               / 5(h16 ":") ( ":" IPv4 / 1*2(":" h16) / ":" )
#               / 4(h16 ":") ( *1(":" h16) ":" IPv4 / 1*3(":" h16) / ":" )
#               / 3(h16 ":") ( *2(":" h16) ":" IPv4 / 1*4(":" h16) / ":" )
#               / 2(h16 ":") ( *3(":" h16) ":" IPv4 / 1*5(":" h16) / ":" )
#               / 1(h16 ":") ( *4(":" h16) ":" IPv4 / 1*6(":" h16) / ":" )
#               / ":"        ( *5(":" h16) ":" IPv4 / 1*7(":" h16) / ":" ) )
#               [ zone ]
#   zone      = "%" 1*( ALPHA / DIGIT / "-" / "." / ":" )
#
# The whole input must match (JavaScript's ``^...$``; Python's ``$`` would also
# accept a trailing newline, hence ``fullmatch``). At most one "::" can appear,
# and a dotted IPv4 tail only as the last 32 bits.
# ---------------------------------------------------------------------------------

_DEC_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_IPV4 = rf"(?:{_DEC_OCTET}\.){{3}}{_DEC_OCTET}"
_H16 = r"(?:[0-9a-fA-F]{1,4})"
_TAIL = rf"(?::{_H16})"          # ":" h16
_IPV6_FORMS = (
    rf"(?:{_H16}:){{7}}(?:{_H16}|:)",
    rf"(?:{_H16}:){{6}}(?:{_IPV4}|:{_H16}|:)",
    rf"(?:{_H16}:){{5}}(?::{_IPV4}|{_TAIL}{{1,2}}|:)",
    rf"(?:{_H16}:){{4}}(?:{_TAIL}{{0,1}}:{_IPV4}|{_TAIL}{{1,3}}|:)",
    rf"(?:{_H16}:){{3}}(?:{_TAIL}{{0,2}}:{_IPV4}|{_TAIL}{{1,4}}|:)",
    rf"(?:{_H16}:){{2}}(?:{_TAIL}{{0,3}}:{_IPV4}|{_TAIL}{{1,5}}|:)",
    rf"(?:{_H16}:){{1}}(?:{_TAIL}{{0,4}}:{_IPV4}|{_TAIL}{{1,6}}|:)",
    rf":(?:{_TAIL}{{0,5}}:{_IPV4}|{_TAIL}{{1,7}}|:)",
)
_IPV6 = "(?:" + "|".join(_IPV6_FORMS) + ")"
_ZONE = r"(?:%[0-9a-zA-Z.:-]+)"

_IPV4_RE = re.compile(_IPV4, re.ASCII)
_IPV6_RE = re.compile(_IPV6 + _ZONE + "?", re.ASCII)
_IPV6_NO_ZONE_RE = re.compile(_IPV6, re.ASCII)


def is_ipv4(input: Any) -> bool:
    """True if ``input`` is an IPv4 address in dot-decimal notation, no leading zeros.

    Node: net.md § ``net.isIPv4(input)`` (Node 26). ``'127.0.0.1'`` is; ``'127.000.000.001'``,
    ``'127.0.0.1/24'`` and ``'1.2.3'`` are not. Non-strings are converted as
    JavaScript's ``String()`` would (see :func:`is_ip`).
    """
    return _IPV4_RE.fullmatch(js_string(input)) is not None


def is_ipv6(input: Any) -> bool:
    """True if ``input`` is an IPv6 address (RFC 4291 text, optional ``%zone``).

    Node: net.md § ``net.isIPv6(input)`` (Node 26). The zone is ``%`` followed by one or
    more of ``[0-9a-zA-Z-.:]`` (``fe80::1%eth0.1`` is accepted, ``fe80::1%eth0@1``
    is not). Non-strings are converted as JavaScript's ``String()`` would.
    """
    return _IPV6_RE.fullmatch(js_string(input)) is not None


def is_ip(input: Any) -> int:
    """``4`` for an IPv4 address, ``6`` for an IPv6 address, otherwise ``0``.

    Node: net.md § ``net.isIP(input)`` (Node 26). Non-strings are converted first, as
    JavaScript's ``String()`` would: an object whose ``__str__`` returns
    ``'127.0.0.1'`` gives 4; ``None``, numbers, booleans, ``{}`` and ``''`` give 0;
    ``bytes`` decode as UTF-8 as a Node ``Buffer`` would; a list joins its items
    with ``','`` as a JavaScript array would, so ``['::1']`` gives 6.
    """
    text = js_string(input)
    if _IPV4_RE.fullmatch(text) is not None:
        return 4
    if _IPV6_RE.fullmatch(text) is not None:
        return 6
    return 0


# ---------------------------------------------------------------------------------
# Text <-> integer (the forms libuv's inet_pton accepts; glibc's inet_ntop output).

IPV4_MAPPED = 0xFFFF << 32
"""``::ffff:0.0.0.0``: an IPv4 address ``x`` maps to ``IPV4_MAPPED | x``."""


def ipv4_to_int(text: str) -> Optional[int]:
    """The 32-bit value of a dotted-quad IPv4 address, or ``None`` if ``text`` isn't one.

    Accepts exactly the :func:`is_ipv4` grammar (which is also libuv's
    ``inet_pton4``: four decimal octets 0-255, no leading zeros).
    """
    if _IPV4_RE.fullmatch(text) is None:
        return None
    a, b, c, d = text.split(".")
    return (int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d)


def ipv6_to_int(text: str) -> Optional[int]:
    """The 128-bit value of an IPv6 address without zone, or ``None``.

    Accepts exactly the :func:`is_ipv6` grammar without its zone suffix, which is
    the set of strings libuv's ``inet_pton6`` accepts.
    """
    if _IPV6_NO_ZONE_RE.fullmatch(text) is None:
        return None
    if "." in text:
        cut = text.rfind(":") + 1
        v4 = ipv4_to_int(text[cut:])
        assert v4 is not None  # guaranteed by the grammar
        text = f"{text[:cut]}{v4 >> 16:x}:{v4 & 0xFFFF:x}"
    if "::" in text:
        left, right = text.split("::")
        head = left.split(":") if left else []
        tail = right.split(":") if right else []
        words = head + ["0"] * (8 - len(head) - len(tail)) + tail
    else:
        words = text.split(":")
    value = 0
    for word in words:
        value = (value << 16) | int(word, 16)
    return value


def int_to_ipv4(value: int) -> str:
    """Dotted-quad text of a 32-bit value (``0x7f000001 -> '127.0.0.1'``)."""
    return f"{value >> 24 & 255}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"


def int_to_ipv6(value: int) -> str:
    """Canonical text of a 128-bit value, as Node prints addresses (glibc ``inet_ntop``).

    Lower-case hex without leading zeros; the first longest run of two or more
    zero groups becomes ``::``; ``::a.b.c.d`` and ``::ffff:a.b.c.d`` keep their
    dotted IPv4 tail (but ``::1`` and ``::2`` stay hex). Single zero groups are
    written ``0``: ``1:2:3:4:5:6:7:0``.
    """
    words = [(value >> (112 - 16 * i)) & 0xFFFF for i in range(8)]
    best_start, best_len = -1, 0
    i = 0
    while i < 8:
        if words[i] == 0:
            j = i
            while j < 8 and words[j] == 0:
                j += 1
            if j - i > best_len:
                best_start, best_len = i, j - i
            i = j
        else:
            i += 1
    if best_len < 2:
        best_start = -1
    if best_start == 0 and (best_len == 6 or (best_len == 5 and words[5] == 0xFFFF)):
        prefix = "::ffff:" if best_len == 5 else "::"
        return prefix + int_to_ipv4(value & 0xFFFFFFFF)
    if best_start < 0:
        return ":".join(f"{w:x}" for w in words)
    head: List[str] = [f"{w:x}" for w in words[:best_start]]
    tail: List[str] = [f"{w:x}" for w in words[best_start + best_len:]]
    return ":".join(head) + "::" + ":".join(tail)
