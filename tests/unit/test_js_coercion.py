"""JavaScript's coercions at nodenet's pure API (issue 8): ToNumber, ToInt32,
truthiness, null versus undefined, and a Node code on every error.

Each case was checked in the Node 26 binary (v26.12.1); the bad-input table
(tests/badinput) covers the whole API, these pin the rules one by one.
"""

from __future__ import annotations

import json
import math
import pickle
import warnings
from typing import Any, Callable

import pytest

import nodenet as net
from nodenet import dns, events, timers
from nodenet._args import normalize_args, options_dict, to_number
from nodenet._validators import (
    js_number, js_parse_int, js_to_int32, js_to_number, js_to_uint32, js_truthy,
    validate_number,
)
from nodenet.errors import ERR_OUT_OF_RANGE


def code_of(fn: Callable[[], Any]) -> str:
    with pytest.raises(Exception) as info:
        fn()
    code = getattr(info.value, "code", None)
    assert code is not None, f"raised {info.value!r} without a code"
    return str(code)


# ---------------------------------------------------------------------- numbers


def test_python_ints_beyond_doubles_are_infinity() -> None:
    assert js_number(10**400) == math.inf
    assert js_number(-10**400) == -math.inf
    assert js_number(2**53 + 1) == 2**53            # rounded as Number(2n**53n + 1n)
    assert js_to_number(10**400) == math.inf
    assert validate_number(10**400, "x") == math.inf  # no OverflowError


@pytest.mark.parametrize("value,number", [
    ([], 0.0), ([5], 5.0), (["7"], 7.0), ([[8]], 8.0), ([1, 2], math.nan), ([None], 0.0),
    (b"12", 12.0), (b"", 0.0), ({}, math.nan), (object(), math.nan), (None, math.nan),
    (True, 1.0), (" 0x10 ", 16.0), ("1e3", 1000.0), ("-Infinity", -math.inf), ("x", math.nan),
])
def test_to_number_of_objects_goes_through_their_string(value: Any, number: float) -> None:
    got = js_to_number(value)
    assert got == number or (math.isnan(got) and math.isnan(number))


@pytest.mark.parametrize("value,int32", [
    ("x", 0), (1.5, 1), (-1.5, -1), (math.inf, 0), (math.nan, 0), (2**31, -2**31),
    (2**32 + 5, 5), (4294967301, 5), ([1], 1), ({}, 0), (10**400, 0), (True, 1), (1e27, 0),
    (2**53 + 1, 0), (-0.0, 0),
])
def test_to_int32(value: Any, int32: int) -> None:
    assert js_to_int32(value) == int32


def test_to_uint32() -> None:
    assert js_to_uint32(-1) == 0xFFFFFFFF
    assert js_to_uint32(2**31) == 2**31
    assert js_to_uint32(math.inf) == 0


@pytest.mark.parametrize("value,parsed", [
    ("12px", 12), (1.5, 1), (1e21, 1), ("Infinity", None), (math.inf, None), ([5], 5),
    ([], None), ({}, None), (True, None), ("  -3", -3), (b"7", 7), (10**400, None),
])
def test_parse_int(value: Any, parsed: Any) -> None:
    assert js_parse_int(value) == parsed


def test_truthiness_is_javascripts() -> None:
    for falsy in (None, False, 0, 0.0, -0.0, math.nan, ""):
        assert not js_truthy(falsy)
    for truthy in ([], {}, b"", bytearray(), object(), "0", -1, math.inf, lambda: None):
        assert js_truthy(truthy)                 # a Buffer is an object, even empty


def test_out_of_range_messages_show_javascript_numbers() -> None:
    assert str(ERR_OUT_OF_RANGE("x", "finite", math.nan)).endswith("Received NaN")
    assert str(ERR_OUT_OF_RANGE("x", "finite", math.inf)).endswith("Received Infinity")
    assert str(ERR_OUT_OF_RANGE("x", "finite", -math.inf)).endswith("Received -Infinity")


# ---------------------------------------------------------------------- arguments


def test_any_javascript_object_first_is_an_options_object() -> None:
    # Node's normalizeArgs: typeof arg0 === 'object' -> the options (no port, no path)
    for value in ([], [80], b"x", object()):
        assert normalize_args([value], {})[0] == {}
    # undefined is no port at all: connect(undefined) is ERR_MISSING_ARGS in Node
    assert normalize_args([None, "localhost"], {})[0] == {"host": "localhost"}
    assert normalize_args([80], {})[0] == {"port": 80}


def test_keyword_none_is_not_given_but_a_dict_none_is_null() -> None:
    assert options_dict({"fd": None}, keep_alive=None) == {"fd": None}
    assert normalize_args([], {"port": None, "host": "h"})[0] == {"host": "h"}


def test_to_number_for_backlogs() -> None:
    assert to_number([5]) == 5.0
    assert to_number("Infinity") == math.inf
    assert to_number({}) is False and to_number(lambda: 1) is False
    assert to_number(-1) is False


# ---------------------------------------------------------------------- SocketAddress


def test_socket_address_keyword_address_that_is_no_string() -> None:
    # issue 8: SocketAddress(address={}) was taken as the default address
    for bad in ({}, [], 0, b"1.2.3.4"):
        assert code_of(lambda: net.SocketAddress(address=bad)) == "ERR_INVALID_ARG_TYPE"


def test_socket_address_dict_none_is_null() -> None:
    # Node: {port: null} etc. are not replaced by the defaults
    assert code_of(lambda: net.SocketAddress({"address": None})) == "ERR_INVALID_ARG_TYPE"
    assert code_of(lambda: net.SocketAddress({"family": None})) == "ERR_INVALID_ARG_VALUE"
    assert code_of(lambda: net.SocketAddress({"port": None})) == "ERR_SOCKET_BAD_PORT"
    assert code_of(lambda: net.SocketAddress({"flowlabel": None})) == "ERR_INVALID_ARG_TYPE"
    # keywords given None are not given
    assert net.SocketAddress(address=None, family=None, port=None).address == "127.0.0.1"


def test_socket_address_positional_values() -> None:
    for bad in (5, True, [], ["1.2.3.4"], lambda: None):
        assert code_of(lambda: net.SocketAddress(bad)) == "ERR_INVALID_ARG_TYPE"
    # Node takes any other object as an options object without those keys
    assert net.SocketAddress(object()).address == "127.0.0.1"
    assert code_of(lambda: net.SocketAddress({"address": "1.2.3.4"}, port=80)) == \
        "ERR_INVALID_ARG_VALUE"
    sa = net.SocketAddress(address="::1", family="ipv6", port=80, flowlabel=3)
    assert pickle.loads(pickle.dumps(sa)) == sa


# ---------------------------------------------------------------------- events, abort, blocklist


def test_unhashable_event_names_raise_with_a_code() -> None:
    ee = net.EventEmitter()
    for call in (lambda: ee.on([], print), lambda: ee.once({}, print), lambda: ee.emit([1]),
                 lambda: ee.listeners({}), lambda: ee.remove_all_listeners([]),
                 lambda: ee.listener_count([]), lambda: ee.off([], print),
                 lambda: ee.prepend_listener([], print), lambda: events.once(ee, [])):
        assert code_of(call) == "ERR_INVALID_ARG_TYPE"


def test_event_emitter_options_and_get_event_listeners() -> None:
    assert code_of(lambda: net.EventEmitter({"captureRejections": 1})) == "ERR_INVALID_ARG_TYPE"
    net.EventEmitter({"captureRejections": True})
    net.EventEmitter(5)                                   # Node ignores a non-object
    assert code_of(lambda: events.get_event_listeners(None, "x")) == "ERR_INVALID_ARG_TYPE"


def test_set_max_listeners_without_n_keeps_the_default() -> None:
    events.set_max_listeners()
    assert net.EventEmitter.default_max_listeners == 10
    assert code_of(lambda: events.set_max_listeners("x")) == "ERR_INVALID_ARG_TYPE"


def test_abort_signal_any_needs_a_list() -> None:
    for bad in (None, 5, "ab", {}, object()):
        assert code_of(lambda: net.AbortSignal.any(bad)) == "ERR_INVALID_ARG_TYPE"
    assert net.AbortSignal.any(iter([net.AbortSignal.abort()])).aborted


def test_block_list_from_json_bad_json_has_a_code() -> None:
    with pytest.raises(json.JSONDecodeError) as info:
        net.BlockList().from_json("x")
    assert info.value.code == "ERR_INVALID_ARG_VALUE"  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- dns options


def test_dns_hints_with_unknown_bits_raise() -> None:
    # the socket module's flags are IntFlag members, whose ~ dropped the unknown bits
    for hints in (2**31, 1 << 20, 0x40):
        assert code_of(lambda: dns._parse_options({"hints": hints})) == "ERR_INVALID_ARG_VALUE"
    assert dns._parse_options({"hints": 10**400})[1] == 0       # Infinity >>> 0


def test_dns_lookup_takes_any_object_as_options() -> None:
    for options in ([], b"x", object()):
        assert dns.lookup("127.0.0.1", options, lambda *a: None) is None
    net.run()


# ---------------------------------------------------------------------- timers


def test_timer_delay_warnings_as_node_26(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timers, "_warned", {"negative": False, "nan": False})

    def categories(delay: Any) -> list:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            net.clear_timeout(net.set_timeout(lambda: None, delay))
        return [w.category.__name__ for w in seen]

    assert categories(None) == []                   # undefined: 1 ms, silently
    assert categories(-5) == ["TimeoutNegativeWarning"]
    assert categories(-1) == []                      # once per process, as Node
    assert categories("x") == ["TimeoutNaNWarning"]
    assert categories(math.nan) == []
    assert categories(10**400) == ["TimeoutOverflowWarning"]   # Infinity, every time
    assert categories(10**400) == ["TimeoutOverflowWarning"]
    assert categories([]) == []                      # +[] is 0: 1 ms, no warning
    net.run()
