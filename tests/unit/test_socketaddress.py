"""SocketAddress: defaults, validation order, canonical text, parse() (nodenet.socketaddress).

Vectors are transcribed from Node's test/parallel/test-socketaddress.js; the others
were confirmed with Node v20.20 (``node -e``) and are marked so.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any, Dict, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nodenet.errors import NodeError
from nodenet.socketaddress import SocketAddress


def code_of(fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(Exception) as info:
        fn(*args, **kwargs)
    return str(getattr(info.value, "code", type(info.value).__name__))


def fields(sa: SocketAddress) -> Dict[str, Any]:
    return {"address": sa.address, "port": sa.port, "family": sa.family,
            "flowlabel": sa.flowlabel}


# --- test/parallel/test-socketaddress.js ---------------------------------------------

def test_defaults() -> None:
    # test-socketaddress.js 'is cloneable' and 'has reasonable defaults'
    for sa in (SocketAddress(), SocketAddress({})):
        assert fields(sa) == {"address": "127.0.0.1", "port": 0, "family": "ipv4",
                              "flowlabel": 0}


def test_simple_ipv4_and_port() -> None:
    # test-socketaddress.js 'interprets simple ipv4 correctly', 'sets the port correctly'
    sa = SocketAddress({"address": "123.123.123.123"})
    assert fields(sa) == {"address": "123.123.123.123", "port": 0, "family": "ipv4",
                          "flowlabel": 0}
    sa = SocketAddress({"address": "123.123.123.123", "port": 80})
    assert (sa.address, sa.port, sa.family, sa.flowlabel) == ("123.123.123.123", 80, "ipv4", 0)


def test_simple_ipv6_and_flowlabel() -> None:
    # test-socketaddress.js 'interprets simple ipv6 correctly', 'uses the flowlabel correctly'
    assert fields(SocketAddress({"family": "ipv6"})) == {
        "address": "::", "port": 0, "family": "ipv6", "flowlabel": 0}
    assert fields(SocketAddress({"family": "ipv6", "flowlabel": 1})) == {
        "address": "::", "port": 0, "family": "ipv6", "flowlabel": 1}


@pytest.mark.parametrize("options", [1, False])
def test_validates_options_type(options: Any) -> None:
    # test-socketaddress.js 'validates input correctly': [1, false, 'hello'] ->
    # ERR_INVALID_ARG_TYPE. Python reads a positional non-dict as the address, which
    # gives the same code for 1 and false ('hello' is a parse error here, see below).
    assert code_of(SocketAddress, options) == "ERR_INVALID_ARG_TYPE"


def test_positional_string_is_the_address() -> None:
    # Documented difference: Node rejects new SocketAddress('hello') as a non-object.
    assert code_of(SocketAddress, "hello") == "ERR_INVALID_ADDRESS"
    assert SocketAddress("10.0.0.1").address == "10.0.0.1"


@pytest.mark.parametrize("family", [1, False, {}, [], "test"])
def test_validates_family(family: Any) -> None:
    # test-socketaddress.js 'validates input correctly'
    assert code_of(SocketAddress, {"family": family}) == "ERR_INVALID_ARG_VALUE"
    assert code_of(SocketAddress, family=family) == "ERR_INVALID_ARG_VALUE"


@pytest.mark.parametrize("address", [1, False, {}, []])
def test_validates_address_type(address: Any) -> None:
    # test-socketaddress.js 'validates input correctly'
    assert code_of(SocketAddress, {"address": address}) == "ERR_INVALID_ARG_TYPE"
    if not isinstance(address, dict):   # a dict first argument is the options dict
        assert code_of(SocketAddress, address=address) == "ERR_INVALID_ARG_TYPE"


@pytest.mark.parametrize("port", [-1, False, {}, []])
def test_validates_port(port: Any) -> None:
    # test-socketaddress.js 'validates input correctly'
    assert code_of(SocketAddress, {"port": port}) == "ERR_SOCKET_BAD_PORT"


def test_validates_flowlabel() -> None:
    # test-socketaddress.js 'validates input correctly'
    assert code_of(SocketAddress, {"flowlabel": -1}) == "ERR_OUT_OF_RANGE"


# test-socketaddress.js 'SocketAddress.parse() works as expected'
PARSE_GOOD = [
    ("1.2.3.4", "1.2.3.4", 0, "ipv4"),
    ("192.168.257:1", "192.168.1.1", 1, "ipv4"),
    ("256", "0.0.1.0", 0, "ipv4"),
    ("999999999:12", "59.154.201.255", 12, "ipv4"),
    ("0xffffffff", "255.255.255.255", 0, "ipv4"),
    ("0x.0x.0", "0.0.0.0", 0, "ipv4"),
    ("[1:0::]", "1::", 0, "ipv6"),
    ("[1::8]:123", "1::8", 123, "ipv6"),
    ("127.0.0.1:80", "127.0.0.1", 80, "ipv4"),
    ("127.0.0.1:443", "127.0.0.1", 443, "ipv4"),
    ("[::1]:80", "::1", 80, "ipv6"),
    ("[::1]:443", "::1", 443, "ipv6"),
    ("user:80@1.2.3.4", "1.2.3.4", 0, "ipv4"),
    ("user:80@1.2.3.4:80", "1.2.3.4", 80, "ipv4"),
    ("user:80@1.2.3.4:123", "1.2.3.4", 123, "ipv4"),
    ("user:80@[::1]", "::1", 0, "ipv6"),
    ("user:80@[::1]:80", "::1", 80, "ipv6"),
    ("user:80@[::1]:123", "::1", 123, "ipv6"),
]
PARSE_BAD = ["not an ip", "abc.123", "259.1.1.1", "12:12:12"]


@pytest.mark.parametrize("text, address, port, family", PARSE_GOOD)
def test_parse_good(text: str, address: str, port: int, family: str) -> None:
    # test/parallel/test-socketaddress.js
    sa = SocketAddress.parse(text)
    assert sa is not None
    assert (sa.address, sa.port, sa.family, sa.flowlabel) == (address, port, family, 0)


@pytest.mark.parametrize("text", PARSE_BAD)
def test_parse_bad(text: str) -> None:
    # test/parallel/test-socketaddress.js
    assert SocketAddress.parse(text) is None


# More WHATWG URL cases; expected values from Node v20's URL parser ('http://' + text).
PARSE_MORE = [
    ("0177.0.0.1", "127.0.0.1", 0, "ipv4"),
    ("0x7f.1", "127.0.0.1", 0, "ipv4"),
    ("2130706433:8080", "127.0.0.1", 8080, "ipv4"),
    ("1.2.3.4.", "1.2.3.4", 0, "ipv4"),
    ("1.2.3.4:", "1.2.3.4", 0, "ipv4"),
    ("1.2.3.4:0080", "1.2.3.4", 80, "ipv4"),
    ("1.2.3.4:65535", "1.2.3.4", 65535, "ipv4"),
    ("1.2.3.4/path?q#f", "1.2.3.4", 0, "ipv4"),
    ("1.2.3.4:99/x", "1.2.3.4", 99, "ipv4"),
    ("//1.2.3.4", "1.2.3.4", 0, "ipv4"),
    ("\\1.2.3.4", "1.2.3.4", 0, "ipv4"),
    ("1.2.\t3.4", "1.2.3.4", 0, "ipv4"),
    ("1.2.3.4  ", "1.2.3.4", 0, "ipv4"),
    ("%31.2.3.4", "1.2.3.4", 0, "ipv4"),
    ("0X10.0.0.1", "16.0.0.1", 0, "ipv4"),
    ("\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11", "127.0.0.1", 0, "ipv4"),
    ("1\u30022\u30023\u30024", "1.2.3.4", 0, "ipv4"),
    ("1\uff612\uff613\uff614", "1.2.3.4", 0, "ipv4"),
    ("1.2\u00ad.3\u200b.4\ufe0f", "1.2.3.4", 0, "ipv4"),
    ("1.2.3.\U0001d7d2", "1.2.3.4", 0, "ipv4"),
    ("1\uff612\uff613\uff614", "1.2.3.4", 0, "ipv4"),
    ("1.2\u00ad.3\u200b.4\ufe0f", "1.2.3.4", 0, "ipv4"),
    ("1.2.3.\U0001d7d2", "1.2.3.4", 0, "ipv4"),
    ("@1.2.3.4", "1.2.3.4", 0, "ipv4"),
    ("a@b@1.2.3.4", "1.2.3.4", 0, "ipv4"),
    ("[::FFFF:1.2.3.4]:7", "::ffff:1.2.3.4", 7, "ipv6"),
    ("[0:0:0:0:0:0:0:0]", "::", 0, "ipv6"),
    ("[1:2:3:4:5:6:7::]", "1:2:3:4:5:6:7:0", 0, "ipv6"),
    ("[::1.2.3.4]", "::1.2.3.4", 0, "ipv6"),
    ("[1:2:3:4:5:6:1.2.3.4]", "1:2:3:4:5:6:102:304", 0, "ipv6"),
]
PARSE_MORE_BAD = [
    "", " 1.2.3.4", "1.2.3.4:65536", "1.2.3.4:8a", "1.2.3.4:-1", "localhost", "example.com",
    "1.2.3.4.5", "08.1.1.1", "0x1g.0.0.1", "1..2.3", "[::1", "[::1]x", "[fe80::1%eth0]",
    "[::ffff:01.2.3.4]", "[1::2::3]", "user@", "user@:80", ":80", "[]", "1.2.3.256.",
    "4294967296", "1.16777216", "%zz1.2.3.4", "[1:2:3:4:5:6:7:8:9]", "[1.2.3.4]",
    "\u0661.2.3.4", "\u2488\u2489\u248a4", "1\u20242.3.4", "1.2.3.4\u200d", "1.2.3.\u00bd",
    "1.2.3.4\u3000", "1\u0301.2.3.4", "\u2170.2.3.4", "[1:2:3:4:5:6:7:1.2.3.4]",
    "[::1.2.3.4.5]", "[::1.2.3]", "[::1.2.3.4x]",
]


@pytest.mark.parametrize("text, address, port, family", PARSE_MORE)
def test_parse_whatwg_forms(text: str, address: str, port: int, family: str) -> None:
    sa = SocketAddress.parse(text)
    assert sa is not None
    assert (sa.address, sa.port, sa.family) == (address, port, family)


@pytest.mark.parametrize("text", PARSE_MORE_BAD)
def test_parse_whatwg_failures(text: str) -> None:
    assert SocketAddress.parse(text) is None


@pytest.mark.parametrize("value", [None, 1, b"1.2.3.4", ["1.2.3.4"]])
def test_parse_needs_a_string(value: Any) -> None:
    # Node: validateString(input, 'input') runs before the parse.
    assert code_of(SocketAddress.parse, value) == "ERR_INVALID_ARG_TYPE"


# --- behaviour confirmed with Node v20.20 -----------------------------------------------

@pytest.mark.parametrize("options, expected", [
    ({"family": "IPV6"}, ("::", "ipv6")),
    ({"family": "IPV4", "address": "1.2.3.4"}, ("1.2.3.4", "ipv4")),
    ({"family": "IpV6", "address": "::1"}, ("::1", "ipv6")),
    ({"family": "ipv6", "address": "fe80::1%eth0"}, ("fe80::1", "ipv6")),
    ({"family": "ipv6", "address": "fe80::1%"}, ("fe80::1", "ipv6")),
    ({"family": "ipv6", "address": "fe80::1%@!"}, ("fe80::1", "ipv6")),
    ({"family": "ipv6", "address": "::%eth0"}, ("::", "ipv6")),
    ({"family": "ipv6", "address": "::ffff:1.2.3.4"}, ("::ffff:1.2.3.4", "ipv6")),
    ({"family": "ipv6", "address": "0:0:0:0:0:ffff:0102:0304"}, ("::ffff:1.2.3.4", "ipv6")),
    ({"family": "ipv6", "address": "2001:DB8::1"}, ("2001:db8::1", "ipv6")),
])
def test_family_and_address_forms(options: Dict[str, Any], expected: Any) -> None:
    sa = SocketAddress(options)
    assert (sa.address, sa.family) == expected


def test_none_is_undefined_as_a_keyword_and_null_in_the_dict() -> None:
    # Node 26: new SocketAddress({family: null}) and ({address: null}) throw (no
    # default replaces null); a keyword given None is not given
    sa = SocketAddress(family=None, address=None)
    assert (sa.address, sa.family) == ("127.0.0.1", "ipv4")
    assert code_of(SocketAddress, {"family": None}) == "ERR_INVALID_ARG_VALUE"
    assert code_of(SocketAddress, {"address": None}) == "ERR_INVALID_ARG_TYPE"


@pytest.mark.parametrize("options", [
    {"family": "IPV4"},                      # address defaults to '::' (raw family check)
    {"address": "1.2.3"}, {"address": "::1"}, {"address": "01.2.3.4"},
    {"address": "1.2.3.4 "}, {"address": "1.2.3.4\n"}, {"address": "zz"},
    {"family": "ipv6", "address": " ::1"}, {"family": "ipv6", "address": "%eth0"},
    {"family": "ipv6", "address": "::ffff:01.2.3.4"},
])
def test_invalid_address(options: Dict[str, Any]) -> None:
    with pytest.raises(NodeError) as info:
        SocketAddress(options)
    assert info.value.code == "ERR_INVALID_ADDRESS"
    assert str(info.value) == "Invalid socket address"


@pytest.mark.parametrize("options, code", [
    # Node's order: family value, address type, port, flowlabel, address parse.
    ({"address": 1, "family": "foo"}, "ERR_INVALID_ARG_VALUE"),
    ({"address": 1, "port": -1}, "ERR_INVALID_ARG_TYPE"),
    ({"address": "1.1.1.1", "port": -1, "flowlabel": -1}, "ERR_SOCKET_BAD_PORT"),
    ({"address": "zz", "port": -1, "flowlabel": -1}, "ERR_SOCKET_BAD_PORT"),
    ({"address": "zz", "flowlabel": -1}, "ERR_OUT_OF_RANGE"),
    ({"flowlabel": "1"}, "ERR_INVALID_ARG_TYPE"),
    ({"flowlabel": 1.5}, "ERR_OUT_OF_RANGE"),
    ({"port": 65536}, "ERR_SOCKET_BAD_PORT"),
    ({"port": 1.5}, "ERR_SOCKET_BAD_PORT"),
    ({"family": "ipv6", "flowlabel": 2**20}, "ERR_OUT_OF_RANGE"),   # Node v20 aborts
])
def test_validation_order(options: Dict[str, Any], code: str) -> None:
    assert code_of(SocketAddress, options) == code


def test_messages_match_node() -> None:
    def message(options: Dict[str, Any]) -> str:
        with pytest.raises(Exception) as info:
            SocketAddress(options)
        return str(info.value)

    assert message({"family": "foo"}) == "The property 'options.family' is invalid. Received 'foo'"
    assert message({"port": -1}) == ("options.port should be >= 0 and < 65536. "
                                     "Received type int (-1).")
    assert message({"flowlabel": -1}) == ('The value of "options.flowlabel" is out of range. '
                                          "It must be >= 0 && <= 4294967295. Received -1")


def test_port_and_flowlabel_values() -> None:
    assert SocketAddress(port=1e3).port == 1000
    assert SocketAddress(port=65535).port == 65535
    assert SocketAddress(port="80").port == 80          # Node v20 aborts here
    assert SocketAddress(port=None).port == 0
    assert SocketAddress(address="1.2.3.4", flowlabel=2**20).flowlabel == 0   # IPv4: ignored
    assert SocketAddress(address="1.2.3.4", flowlabel=5).flowlabel == 0
    assert SocketAddress(family="ipv6", flowlabel=2**20 - 1).flowlabel == 2**20 - 1


def test_options_dict_and_keywords_do_not_mix() -> None:
    with pytest.raises(TypeError):
        SocketAddress({"address": "1.2.3.4"}, port=80)


# --- Python object behaviour ----------------------------------------------------------

def test_to_json_and_repr() -> None:
    sa = SocketAddress(address="::1", family="ipv6", port=443, flowlabel=7)
    assert sa.to_json() == {"address": "::1", "port": 443, "family": "ipv6", "flowlabel": 7}
    assert list(sa.to_json()) == ["address", "port", "family", "flowlabel"]
    # util.inspect(new SocketAddress()) in Node v20:
    assert repr(SocketAddress()) == ("SocketAddress { address: '127.0.0.1', port: 0, "
                                     "family: 'ipv4', flowlabel: 0 }")


def test_immutable_hashable_equal() -> None:
    a = SocketAddress(address="2001:DB8:0::1", family="ipv6", port=80)
    b = SocketAddress({"address": "2001:db8::1", "family": "ipv6", "port": 80})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != SocketAddress(address="2001:db8::1", family="ipv6", port=81)
    assert a != "2001:db8::1"
    with pytest.raises(AttributeError):
        a.port = 1  # type: ignore[misc]
    with pytest.raises(AttributeError):
        a.other = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        del a.port  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(a)) == a
    assert copy.deepcopy(a) == a and copy.copy(a) == a


def test_is_socket_address() -> None:
    assert SocketAddress.is_socket_address(SocketAddress())
    parsed: Optional[SocketAddress] = SocketAddress.parse("[::1]:80")
    assert SocketAddress.is_socket_address(parsed)
    for value in (None, {}, "127.0.0.1", {"address": "127.0.0.1"}):
        assert not SocketAddress.is_socket_address(value)


@settings(max_examples=500, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from("0123456789abcdefxX.:[]@/\\?#% \t\uff0e\u3002\u00ad"),
               max_size=30) | st.text(max_size=30))
def test_property_parse_never_raises(text: str) -> None:
    # SocketAddress.parse returns None for bad input and never throws (test-socketaddress.js);
    # whatever it returns is a valid SocketAddress that round-trips through its own text.
    sa = SocketAddress.parse(text)
    if sa is not None:
        assert SocketAddress(address=sa.address, family=sa.family, port=sa.port) == sa
        assert 0 <= sa.port <= 65535
