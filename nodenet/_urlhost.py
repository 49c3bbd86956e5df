"""The WHATWG URL host and port rules that ``SocketAddress.parse`` relies on.

Node: net.md § ``SocketAddress.parse(input)`` (v23.4+) parses ``'http://' + input``
with the WHATWG URL parser and keeps the host and port. This module is the part of
the URL Standard (https://url.spec.whatwg.org/, "URL parsing", "host parsing",
"IPv4 parser", "IPv6 parser") that can change that answer, for a special scheme:

* input preprocessing: trailing C0 controls and spaces are stripped, ASCII tab
  and newline removed anywhere;
* any number of ``/`` or ``\\`` after ``http://`` are skipped;
* the authority ends at the first ``/``, ``\\``, ``?`` or ``#``; userinfo is
  everything up to its last ``@`` and is dropped (an empty host after it fails);
* the port is the text after the first ``:`` outside brackets: digits only, at
  most 65535, empty means none;
* the host is ``[IPv6]``, or is percent-decoded, mapped to ASCII and, when its
  last label is a number, read with the IPv4 parser, which accepts the legacy
  forms ``0x7f.1``, ``0177.0.0.1``, ``2130706433`` and ``192.168.257``.

A host that is neither IPv4 nor IPv6 is a domain, which ``SocketAddress`` then
rejects, so domains are simply "no result" here. Non-ASCII hosts get the part of
UTS #46 mapping that can turn them into an IPv4 address (full-width digits and
dots, ``。``, ignored code points such as the soft hyphen).
"""

from __future__ import annotations

import unicodedata
from typing import List, Optional, Tuple

_HEX = "0123456789abcdefABCDEF"
_AUTHORITY_END = "/\\?#"
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
_UTS46_DOTS = "\u3002\uff0e\uff61"
_UTS46_IGNORED = (   # IdnaMappingTable.txt status "ignored"
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x180B, 0x180D), (0x180F, 0x180F),
    (0x200B, 0x200B), (0x2060, 0x2060), (0x2064, 0x2064), (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF), (0x1BCA0, 0x1BCA3), (0xE0100, 0xE01EF),
)


def _is_hex(char: str) -> bool:
    return len(char) == 1 and char in _HEX


def _is_digit(char: str) -> bool:
    return len(char) == 1 and "0" <= char <= "9"


def parse_host_port(input: str) -> Optional[Tuple[int, int, int]]:
    """``(family, address, port)`` for ``'http://' + input``, or ``None``.

    ``family`` is 4 or 6, ``address`` the integer value, ``port`` the explicit
    port (0 when absent). ``None`` when the URL does not parse or its host is a
    domain name. Unlike ``URL.port``, an explicit ``:80`` is kept (Node's tests
    expect ``'127.0.0.1:80'`` to give port 80).
    """
    text = input.rstrip(_C0_OR_SPACE)
    text = text.replace("\t", "").replace("\n", "").replace("\r", "")
    text = text.lstrip("/\\")
    end = len(text)
    for i, char in enumerate(text):
        if char in _AUTHORITY_END:
            end = i
            break
    authority = text[:end]
    host_port = authority[authority.rfind("@") + 1:]
    inside_brackets = False
    split = -1
    for i, char in enumerate(host_port):
        if char == "[":
            inside_brackets = True
        elif char == "]":
            inside_brackets = False
        elif char == ":" and not inside_brackets:
            split = i
            break
    host_text = host_port if split < 0 else host_port[:split]
    port_text = "" if split < 0 else host_port[split + 1:]
    if not host_text or not all(_is_digit(c) for c in port_text):
        return None
    port = int(port_text) if port_text else 0
    if port > 65535:
        return None
    host = _parse_host(host_text)
    if host is None:
        return None
    return host[0], host[1], port


def _parse_host(text: str) -> Optional[Tuple[int, int]]:
    """The host parser for a special URL: ``(6, value)``, ``(4, value)`` or ``None``."""
    if text.startswith("["):
        if not text.endswith("]"):
            return None
        v6 = parse_ipv6(text[1:-1])
        return None if v6 is None else (6, v6)
    domain = _percent_decode(text)
    if not domain.isascii():
        mapped = _uts46_map(domain)
        if mapped is None:
            return None  # a non-ASCII domain name, never an IP address
        domain = mapped
    domain = domain.lower()
    if not _ends_in_number(domain):
        return None  # a domain name
    v4 = parse_ipv4(domain)
    return None if v4 is None else (4, v4)


def _uts46_map(domain: str) -> Optional[str]:
    """UTS #46 mapping, as far as it can yield an ASCII host; ``None`` otherwise.

    Ignored code points are dropped, the three ideographic/full-width full stops
    become ``.``, other characters are NFKC-normalised, except that characters
    whose NFKC form contains a ``.`` (such as ``⒈``) are disallowed by UTS #46.
    Checked against Node v20's URL parser.
    """
    out: List[str] = []
    for char in domain:
        if char.isascii():
            out.append(char)
        elif char in _UTS46_DOTS:
            out.append(".")
        elif not _uts46_ignored(char):
            nfkc = unicodedata.normalize("NFKC", char)
            if "." in nfkc:
                return None
            out.append(nfkc)
    result = unicodedata.normalize("NFKC", "".join(out))
    return result if result.isascii() else None


def _uts46_ignored(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _UTS46_IGNORED)


def _percent_decode(text: str) -> str:
    """Percent-decode, then UTF-8 decode (invalid bytes become U+FFFD)."""
    if "%" not in text:
        return text
    raw = text.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte == 0x25 and i + 2 < len(raw) and _is_hex(chr(raw[i + 1])) \
                and _is_hex(chr(raw[i + 2])):
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(byte)
            i += 1
    return out.decode("utf-8", "replace")


def _ends_in_number(domain: str) -> bool:
    """The URL Standard's "ends in a number checker"."""
    parts = domain.split(".")
    if parts[-1] == "":
        if len(parts) == 1:
            return False
        parts.pop()
    last = parts[-1]
    if last and all(_is_digit(c) for c in last):
        return True
    return _ipv4_number(last) is not None


def _ipv4_number(text: str) -> Optional[int]:
    """The "IPv4 number parser": decimal, ``0x`` hex or ``0`` octal; ``None`` on failure."""
    if not text:
        return None
    radix = 10
    if len(text) >= 2 and text[:2] in ("0x", "0X"):
        text, radix = text[2:], 16
    elif len(text) >= 2 and text[0] == "0":
        text, radix = text[1:], 8
    if not text:
        return 0
    digits = _HEX[:radix] if radix <= 10 else _HEX
    if not all(c in digits for c in text):
        return None
    return int(text, radix)


def parse_ipv4(text: str) -> Optional[int]:
    """The URL Standard's "IPv4 parser": 1 to 4 numbers, the last filling the rest.

    ``'192.168.257' -> 192.168.1.1``, ``'0x7f.1' -> 127.0.0.1``, ``'256' -> 0.0.1.0``.
    """
    parts = text.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        return None
    numbers: List[int] = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    if any(n > 255 for n in numbers[:-1]):
        return None
    if numbers[-1] >= 256 ** (5 - len(numbers)):
        return None
    value = numbers[-1]
    for i, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - i))
    return value


def parse_ipv6(text: str) -> Optional[int]:
    """The URL Standard's "IPv6 parser" (no zone ids); the 128-bit value or ``None``."""
    pieces = [0] * 8
    index = 0
    compress: Optional[int] = None
    pos = 0
    n = len(text)

    def at(p: int) -> str:
        return text[p] if p < n else ""  # "" is the spec's EOF

    if at(0) == ":":
        if at(1) != ":":
            return None
        pos = 2
        index = 1
        compress = index
    while pos < n:
        if index == 8:
            return None
        if text[pos] == ":":
            if compress is not None:
                return None
            pos += 1
            index += 1
            compress = index
            continue
        value = length = 0
        while length < 4 and _is_hex(at(pos)):
            value = value * 16 + int(text[pos], 16)
            pos += 1
            length += 1
        if at(pos) == ".":
            if length == 0:
                return None
            pos -= length
            if index > 6:
                return None
            seen = 0
            while pos < n:
                piece: Optional[int] = None
                if seen > 0:
                    if text[pos] == "." and seen < 4:
                        pos += 1
                    else:
                        return None
                if not _is_digit(at(pos)):
                    return None
                while _is_digit(at(pos)):
                    digit = int(text[pos])
                    if piece is None:
                        piece = digit
                    elif piece == 0:
                        return None
                    else:
                        piece = piece * 10 + digit
                    if piece > 255:
                        return None
                    pos += 1
                assert piece is not None
                pieces[index] = pieces[index] * 0x100 + piece
                seen += 1
                if seen in (2, 4):
                    index += 1
            if seen != 4:
                return None
            break
        elif at(pos) == ":":
            pos += 1
            if pos >= n:
                return None
        elif pos < n:
            return None
        pieces[index] = value
        index += 1
    if compress is not None:
        swaps = index - compress
        index = 7
        while index != 0 and swaps > 0:
            other = compress + swaps - 1
            pieces[index], pieces[other] = pieces[other], pieces[index]
            index -= 1
            swaps -= 1
    elif index != 8:
        return None
    result = 0
    for piece_value in pieces:
        result = (result << 16) | piece_value
    return result
