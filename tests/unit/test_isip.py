"""is_ip / is_ipv4 / is_ipv6 and the address text conversions (nodenet._isip).

Vectors are transcribed from Node's test/parallel/test-net-isip.js,
test-net-isipv4.js and test-net-isipv6.js, and from net.md's examples; each table
names its source. A hypothesis property compares with the stdlib ``ipaddress``.
"""

from __future__ import annotations

import ipaddress
import sys
from typing import Any, List, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nodenet._isip import (
    int_to_ipv4,
    int_to_ipv6,
    ipv4_to_int,
    ipv6_to_int,
    is_ip,
    is_ipv4,
    is_ipv6,
)

HYPOTHESIS = settings(max_examples=400, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


class Str:
    """A JavaScript object with a custom toString(): Python's __str__."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


# test/parallel/test-net-isip.js: net.isIP(input) -> 4 / 6 / 0.
ISIP_VECTORS: List[Any] = [
    ("127.0.0.1", 4),
    ("x127.0.0.1", 0),
    ("example.com", 0),
    ("0000:0000:0000:0000:0000:0000:0000:0000", 6),
    ("0000:0000:0000:0000:0000:0000:0000:0000::0000", 0),
    ("1050:0:0:0:5:600:300c:326b", 6),
    ("2001:252:0:1::2008:6", 6),
    ("2001:dead:beef:1::2008:6", 6),
    ("2001::", 6),
    ("2001:dead::", 6),
    ("2001:dead:beef::", 6),
    ("2001:dead:beef:1::", 6),
    ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 6),
    (":2001:252:0:1::2008:6:", 0),
    (":2001:252:0:1::2008:6", 0),
    ("2001:252:0:1::2008:6:", 0),
    ("2001:252::1::2008:6", 0),
    ("::2001:252:1:2008:6", 6),
    ("::2001:252:1:1.1.1.1", 6),
    ("::2001:252:1:255.255.255.255", 6),
    ("::2001:252:1:255.255.255.255.76", 0),
    ("::anything", 0),
    ("::1", 6),
    ("::", 6),
    ("0000:0000:0000:0000:0000:0000:12345:0000", 0),
    ("0", 0),
    (None, 0),          # undefined and null
    ("", 0),
    (123, 0),
    (True, 0),
    ({}, 0),
    (Str("::2001:252:1:255.255.255.255"), 6),
    (Str("127.0.0.1"), 4),
    (Str("bla"), 0),
    # net.md § net.isIP(input) examples
    ("::1", 6),
    ("127.000.000.001", 0),
    ("127.0.0.1/24", 0),
    ("fhqwhgads", 0),
    # The zone grammar (lib/internal/net.js), confirmed with Node v20.
    ("fe80::2008%eth0", 6),
    ("fe80::2008%eth0.0", 6),
    ("fe80::2008%eth0@1", 0),
    ("fe80::1%", 0),
    ("fe80::1%a_b", 0),
    ("::1%eth0:1.a-b", 6),
    ("127.0.0.1%eth0", 0),
    # JavaScript's $ does not accept a trailing newline (Node v20: 0).
    ("127.0.0.1\n", 0),
    ("::1\n", 0),
    # String() of a Buffer and of an Array (Node v20: 4 and 4).
    (b"127.0.0.1", 4),
    (["127.0.0.1"], 4),
    (["::1", "x"], 0),
    (1.5, 0),
    (False, 0),
]


@pytest.mark.parametrize("value, expected", ISIP_VECTORS)
def test_isip_vectors(value: Any, expected: int) -> None:
    # test/parallel/test-net-isip.js
    assert is_ip(value) == expected
    assert is_ipv4(value) is (expected == 4)
    assert is_ipv6(value) is (expected == 6)


# test/parallel/test-net-isipv4.js
V4 = [
    "0.0.0.0", "8.8.8.8", "127.0.0.1", "100.100.100.100", "192.168.0.1", "18.101.25.153",
    "123.23.34.2", "172.26.168.134", "212.58.241.131", "128.0.0.0", "23.71.254.72",
    "223.255.255.255", "192.0.2.235", "99.198.122.146", "46.51.197.88", "173.194.34.134",
]
V4_NOT = [
    ".100.100.100.100", "100..100.100.100.", "100.100.100.100.", "999.999.999.999",
    "256.256.256.256", "256.100.100.100.100", "123.123.123", "http://123.123.123",
    "1000.2.3.4", "999.2.3.4", "0000000192.168.0.200", "192.168.0.2000000000",
]


@pytest.mark.parametrize("ip", V4)
def test_isipv4_accepts(ip: str) -> None:
    # test/parallel/test-net-isipv4.js
    assert is_ipv4(ip) is True
    assert is_ip(ip) == 4


@pytest.mark.parametrize("ip", V4_NOT)
def test_isipv4_rejects(ip: str) -> None:
    # test/parallel/test-net-isipv4.js
    assert is_ipv4(ip) is False


# test/parallel/test-net-isipv6.js
V6 = [
    "::", "1::", "::1", "1::8", "1::7:8", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6::8",
    "1:2:3:4:5:6:7::", "1:2:3:4:5::7:8", "1:2:3:4:5::8", "1:2:3::8", "1::4:5:6:7:8",
    "1::6:7:8", "1::3:4:5:6:7:8", "1:2:3:4::6:7:8", "1:2::4:5:6:7:8", "::2:3:4:5:6:7:8",
    "1:2::8", "2001:0000:1234:0000:0000:C1C0:ABCD:0876",
    "3ffe:0b00:0000:0000:0001:0000:0000:000a", "FF02:0000:0000:0000:0000:0000:0000:0001",
    "0000:0000:0000:0000:0000:0000:0000:0001", "0000:0000:0000:0000:0000:0000:0000:0000",
    "::ffff:192.168.1.26", "2::10", "ff02::1", "fe80::", "2002::", "2001:db8::",
    "2001:0db8:1234::", "::ffff:0:0", "::ffff:192.168.1.1", "1:2:3:4::8", "1::2:3:4:5:6:7",
    "1::2:3:4:5:6", "1::2:3:4:5", "1::2:3:4", "1::2:3", "::2:3:4:5:6:7", "::2:3:4:5:6",
    "::2:3:4:5", "::2:3:4", "::2:3", "::8", "1:2:3:4:5:6::", "1:2:3:4:5::", "1:2:3:4::",
    "1:2:3::", "1:2::", "1:2:3:4::7:8", "1:2:3::7:8", "1:2::7:8", "1:2:3:4:5:6:1.2.3.4",
    "1:2:3:4:5::1.2.3.4", "1:2:3:4::1.2.3.4", "1:2:3::1.2.3.4", "1:2::1.2.3.4", "1::1.2.3.4",
    "1:2:3:4::5:1.2.3.4", "1:2:3::5:1.2.3.4", "1:2::5:1.2.3.4", "1::5:1.2.3.4",
    "1::5:11.22.33.44", "fe80::217:f2ff:254.7.237.98", "fe80::217:f2ff:fe07:ed62",
    "2001:DB8:0:0:8:800:200C:417A", "FF01:0:0:0:0:0:0:101", "0:0:0:0:0:0:0:1",
    "0:0:0:0:0:0:0:0", "2001:DB8::8:800:200C:417A", "FF01::101", "0:0:0:0:0:0:13.1.68.3",
    "0:0:0:0:0:FFFF:129.144.52.38", "::13.1.68.3", "::FFFF:129.144.52.38",
    "fe80:0000:0000:0000:0204:61ff:fe9d:f156", "fe80:0:0:0:204:61ff:fe9d:f156",
    "fe80::204:61ff:fe9d:f156", "fe80:0:0:0:204:61ff:254.157.241.86",
    "fe80::204:61ff:254.157.241.86", "fe80::1", "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    "2001:db8:85a3:0:0:8a2e:370:7334", "2001:db8:85a3::8a2e:370:7334",
    "2001:0db8:0000:0000:0000:0000:1428:57ab", "2001:0db8:0000:0000:0000::1428:57ab",
    "2001:0db8:0:0:0:0:1428:57ab", "2001:0db8:0:0::1428:57ab", "2001:0db8::1428:57ab",
    "2001:db8::1428:57ab", "::ffff:12.34.56.78", "::ffff:0c22:384e",
    "2001:0db8:1234:0000:0000:0000:0000:0000", "2001:0db8:1234:ffff:ffff:ffff:ffff:ffff",
    "2001:db8:a::123", "::ffff:192.0.2.128", "::ffff:c000:280", "a:b:c:d:e:f:f1:f2",
    "a:b:c::d:e:f:f1", "a:b:c::d:e:f", "a:b:c::d:e", "a:b:c::d", "::a", "::a:b:c",
    "::a:b:c:d:e:f:f1", "a::", "a:b:c::", "a:b:c:d:e:f:f1::", "a:bb:ccc:dddd:000e:00f:0f::",
    "0:a:0:a:0:0:0:a", "0:a:0:0:a:0:0:a", "2001:db8:1:1:1:1:0:0", "2001:db8:1:1:1:0:0:0",
    "2001:db8:1:1:0:0:0:0", "2001:db8:1:0:0:0:0:0", "2001:db8:0:0:0:0:0:0",
    "2001:0:0:0:0:0:0:0", "A:BB:CCC:DDDD:000E:00F:0F::", "0:0:0:0:0:0:0:a",
    "0:0:0:0:a:0:0:0", "0:0:0:a:0:0:0:0", "a:0:0:a:0:0:a:a", "a:0:0:a:0:0:0:a",
    "a:0:0:0:a:0:0:a", "a:0:0:0:a:0:0:0", "a:0:0:0:0:0:0:0", "fe80::7:8%eth0", "fe80::7:8%1",
]
V6_NOT = [
    "", "1:", ":1", "11:36:12", "02001:0000:1234:0000:0000:C1C0:ABCD:0876",
    "2001:0000:1234:0000:00001:C1C0:ABCD:0876", "2001:0000:1234: 0000:0000:C1C0:ABCD:0876",
    "2001:1:1:1:1:1:255Z255X255Y255", "3ffe:0b00:0000:0001:0000:0000:000a",
    "FF02:0000:0000:0000:0000:0000:0000:0000:0001", "3ffe:b00::1::a",
    "::1111:2222:3333:4444:5555:6666::", "1:2:3::4:5::7:8", "12345::6:7:8",
    "1::5:400.2.3.4", "1::5:260.2.3.4", "1::5:256.2.3.4", "1::5:1.256.3.4", "1::5:1.2.256.4",
    "1::5:1.2.3.256", "1::5:300.2.3.4", "1::5:1.300.3.4", "1::5:1.2.300.4", "1::5:1.2.3.300",
    "1::5:900.2.3.4", "1::5:1.900.3.4", "1::5:1.2.900.4", "1::5:1.2.3.900",
    "1::5:300.300.300.300", "1::5:3000.30.30.30", "1::400.2.3.4", "1::260.2.3.4",
    "1::256.2.3.4", "1::1.256.3.4", "1::1.2.256.4", "1::1.2.3.256", "1::300.2.3.4",
    "1::1.300.3.4", "1::1.2.300.4", "1::1.2.3.300", "1::900.2.3.4", "1::1.900.3.4",
    "1::1.2.900.4", "1::1.2.3.900", "1::300.300.300.300", "1::3000.30.30.30", "::400.2.3.4",
    "::260.2.3.4", "::256.2.3.4", "::1.256.3.4", "::1.2.256.4", "::1.2.3.256", "::300.2.3.4",
    "::1.300.3.4", "::1.2.300.4", "::1.2.3.300", "::900.2.3.4", "::1.900.3.4", "::1.2.900.4",
    "::1.2.3.900", "::300.300.300.300", "::3000.30.30.30", "2001:DB8:0:0:8:800:200C:417A:221",
    "FF01::101::2", "1111:2222:3333:4444::5555:", "1111:2222:3333::5555:", "1111:2222::5555:",
    "1111::5555:", "::5555:", ":::", "1111:", ":", ":1111:2222:3333:4444::5555",
    ":1111:2222:3333::5555", ":1111:2222::5555", ":1111::5555", ":::5555",
    "1.2.3.4:1111:2222:3333:4444::5555", "1.2.3.4:1111:2222:3333::5555",
    "1.2.3.4:1111:2222::5555", "1.2.3.4:1111::5555", "1.2.3.4::5555", "1.2.3.4::",
    "fe80:0000:0000:0000:0204:61ff:254.157.241.086", "123", "ldkfj", "2001::FFD3::57ab",
    "2001:db8:85a3::8a2e:37023:7334", "2001:db8:85a3::8a2e:370k:7334", "1:2:3:4:5:6:7:8:9",
    "1::2::3", "1:::3:4:5", "1:2:3::4:5:6:7:8:9", "::ffff:2.3.4", "::ffff:257.1.2.3",
    "::ffff:12345678901234567890.1.26", "2001:0000:1234:0000:0000:C1C0:ABCD:0876 0",
    "02001:0000:1234:0000:0000:C1C0:ABCD:0876",
]


@pytest.mark.parametrize("ip", V6)
def test_isipv6_accepts(ip: str) -> None:
    # test/parallel/test-net-isipv6.js
    assert is_ipv6(ip) is True
    assert is_ip(ip) == 6


@pytest.mark.parametrize("ip", V6_NOT)
def test_isipv6_rejects(ip: str) -> None:
    # test/parallel/test-net-isipv6.js
    assert is_ipv6(ip) is False


def test_str_exceptions_propagate() -> None:
    # String(obj) propagates a throwing toString(); so does str(obj).
    class Bad:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        is_ip(Bad())


# --- text <-> integer ----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # Canonical forms printed by Node v20's SocketAddress (glibc inet_ntop rules).
    ("::2", "::2"), ("::1", "::1"), ("::", "::"), ("::ffff:0:0", "::ffff:0.0.0.0"),
    ("::ffff:1:2", "::ffff:0.1.0.2"), ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
    ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"), ("0:0:1::", "0:0:1::"), ("::0.0.0.1", "::1"),
    ("::0.1.0.0", "::0.1.0.0"), ("::1:0:0", "::1:0:0"), ("1::", "1::"),
    ("::FFFF:1.2.3.4", "::ffff:1.2.3.4"), ("0:0:0:0:0:ffff:1.2.3.4", "::ffff:1.2.3.4"),
    ("::fffe:1.2.3.4", "::fffe:102:304"), ("::1:ffff:1.2.3.4", "::1:ffff:102:304"),
    ("::ffff:ffff:1.2.3.4", "::ffff:ffff:102:304"), ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
    ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"), ("2001:DB8::1", "2001:db8::1"),
    ("::1.2.3.4", "::1.2.3.4"), ("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17",
                                 "8592:757c:efae:4e45:fb5d:d62a:d00:8e17"),
])
def test_ipv6_canonical_text(text: str, expected: str) -> None:
    value = ipv6_to_int(text)
    assert value is not None
    assert int_to_ipv6(value) == expected
    assert ipv6_to_int(expected) == value


def test_ipv4_int_round_trip() -> None:
    assert ipv4_to_int("127.0.0.1") == 0x7F000001
    assert int_to_ipv4(0x7F000001) == "127.0.0.1"
    assert ipv4_to_int("01.2.3.4") is None
    assert ipv6_to_int("fe80::1%eth0") is None      # zones are SocketAddress's business


# --- property: agreement with the stdlib ipaddress module ---------------------------

def _stdlib_v4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _stdlib_v6(text: str) -> Optional[int]:
    try:
        return int(ipaddress.IPv6Address(text))
    except ValueError:
        return None


def _leading_zero_octet(text: str) -> bool:
    tail = text.rsplit(":", 1)[-1]
    return any(len(part) > 1 and part.startswith("0") for part in tail.split("."))


def _formatted_v6(value: int, style: int, upper: bool) -> str:
    address = ipaddress.IPv6Address(value)
    if style == 0:
        text = address.compressed
    elif style == 1:
        text = address.exploded
    else:   # dotted IPv4 tail
        words = address.exploded.split(":")[:6]
        text = ":".join(words) + ":" + str(ipaddress.IPv4Address(value & 0xFFFFFFFF))
    return text.upper() if upper else text


_ALPHABET = "0123456789abcdefABCDEF:.x"
_fuzz_text = st.text(alphabet=_ALPHABET, max_size=24)
_v6_values = st.one_of(
    st.integers(0, 2**128 - 1),
    st.integers(0, 2**32 - 1).map(lambda v: (0xFFFF << 32) | v),
    st.integers(0, 2**32 - 1),
    st.lists(st.sampled_from([0, 0, 0, 1, 0xFFFF, 0xABCD]), min_size=8, max_size=8)
      .map(lambda ws: sum(w << (112 - 16 * i) for i, w in enumerate(ws))),
)


@HYPOTHESIS
@given(_fuzz_text)
def test_property_fuzz_matches_ipaddress(text: str) -> None:
    # Known difference excluded: Python < 3.9.5 accepted leading zeros in octets.
    if sys.version_info < (3, 9, 5) and _leading_zero_octet(text):
        return
    assert is_ipv4(text) == _stdlib_v4(text)
    expected = _stdlib_v6(text)
    assert is_ipv6(text) == (expected is not None)
    assert ipv6_to_int(text) == expected


@HYPOTHESIS
@given(_v6_values, st.integers(0, 2), st.booleans())
def test_property_valid_ipv6_forms(value: int, style: int, upper: bool) -> None:
    text = _formatted_v6(value, style, upper)
    assert is_ipv6(text) and is_ip(text) == 6
    assert ipv6_to_int(text) == value
    canonical = int_to_ipv6(value)
    assert ipv6_to_int(canonical) == value
    # The canonical text differs from ipaddress only by the dotted tail it keeps.
    if "." not in canonical:
        assert canonical == ipaddress.IPv6Address(value).compressed


@HYPOTHESIS
@given(st.integers(0, 2**32 - 1))
def test_property_valid_ipv4(value: int) -> None:
    text = str(ipaddress.IPv4Address(value))
    assert is_ipv4(text) and is_ip(text) == 4 and not is_ipv6(text)
    assert ipv4_to_int(text) == value and int_to_ipv4(value) == text


@HYPOTHESIS
@given(_v6_values, st.text(alphabet="abcxyz019.:-_@ %", min_size=0, max_size=6))
def test_property_zone_ids(value: int, zone: str) -> None:
    # Documented difference: ipaddress takes any scope id without '%'; Node's zone is
    # 1+ characters of [0-9a-zA-Z-.:].
    text = f"{int_to_ipv6(value)}%{zone}"
    allowed = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.:")
    assert is_ipv6(text) == (len(zone) > 0 and set(zone) <= allowed)
