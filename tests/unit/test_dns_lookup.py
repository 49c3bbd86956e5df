"""``nodenet.dns.lookup`` without the network: argument checks, the IP-literal
fast path, result shapes and ordering, Node-shaped errors, threads and liveness.

Node: dns.md § "dns.lookup(hostname[, options], callback)" (v20). The expected
codes and messages were recorded with ``node -e "require('dns').lookup(...)"``
v20.20.2 (nodenet describes received values with Python type names, so only
messages without a type description are compared literally).

Everything that would reach the system resolver runs against a fake
``socket.getaddrinfo`` (monkeypatched; it answers from a table, filters by
family as the real one does, and records its arguments). The real resolver is
exercised only for 'localhost' in tests/integration/test_dns_lookup_system.py.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import pytest

import nodenet as net
from nodenet import _threadpool, dns
from nodenet.errors import NodeError
from support import Calls, run, wait_for

MIX = ["2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2", "192.0.2.3"]
V4 = ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
V6 = ["2001:db8::1", "2001:db8::2"]


def _worker_threads() -> List[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "nodenet-worker" and t.is_alive()]


class FakeGetaddrinfo:
    """A scripted ``socket.getaddrinfo``: ``table[host]`` is a list of addresses
    or an exception to raise; ``gate`` (an Event) holds every call until set."""

    def __init__(self) -> None:
        self.table: Dict[str, Union[List[str], BaseException]] = {}
        self.calls: List[Tuple[Any, ...]] = []
        self.threads: List[str] = []
        self.gate: Optional[threading.Event] = None
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def __call__(self, host: Any, port: Any, family: int = 0, type: int = 0,
                 proto: int = 0, flags: int = 0) -> List[Tuple[Any, ...]]:
        with self._lock:
            self.calls.append((host, port, family, type, proto, flags))
            self.threads.append(threading.current_thread().name)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if self.gate is not None:
                assert self.gate.wait(10.0), "fake getaddrinfo was never released"
            key = host.decode("ascii") if isinstance(host, bytes) else host
            answer = self.table.get(key)
            if answer is None:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            if isinstance(answer, BaseException):
                raise answer
            out = []
            for address in answer:
                af = socket.AF_INET6 if ":" in address else socket.AF_INET
                if family not in (socket.AF_UNSPEC, af):
                    continue
                sockaddr: Tuple[Any, ...] = (address, 0, 0, 0) if af == socket.AF_INET6 \
                    else (address, 0)
                out.append((af, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
            if not out:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return out
        finally:
            with self._lock:
                self.active -= 1


@pytest.fixture
def gai(monkeypatch: pytest.MonkeyPatch) -> FakeGetaddrinfo:
    fake = FakeGetaddrinfo()
    fake.table = {"mix.test": list(MIX), "v4.test": list(V4), "v6.test": list(V6)}
    monkeypatch.setattr(dns.socket, "getaddrinfo", fake)
    return fake


def lookup_once(hostname: Any, options: Any = None, timeout: float = 5.0) -> Tuple[Any, ...]:
    """One lookup started on the loop thread; the callback's arguments."""
    calls = Calls()

    def main() -> None:
        if options is None:
            dns.lookup(hostname, calls)
        else:
            dns.lookup(hostname, options, calls)

    run(main, timeout=timeout)
    assert calls.count == 1
    return calls.calls[0]


def addresses(result: Tuple[Any, ...]) -> List[str]:
    err, entries = result
    assert err is None
    return [e["address"] for e in entries]


# ---------------------------------------------------------------------- validation

def _cb(*_: Any) -> None:
    pass


# (id, call, code, Node's message or None when only the code is compared)
BAD_CALLS: List[Tuple[str, Callable[[], Any], str, Optional[str]]] = [
    ("hostname int", lambda: dns.lookup(5, _cb), "ERR_INVALID_ARG_TYPE", None),
    ("hostname bytes", lambda: dns.lookup(b"localhost", _cb), "ERR_INVALID_ARG_TYPE", None),
    ("hostname non-empty dict", lambda: dns.lookup({"a": 1}, _cb), "ERR_INVALID_ARG_TYPE",
     None),
    ("family 5", lambda: dns.lookup("localhost", 5, _cb), "ERR_INVALID_ARG_VALUE",
     "The argument 'family' must be one of: 0, 4, 6. Received 5"),
    ("family -1", lambda: dns.lookup("localhost", -1, _cb), "ERR_INVALID_ARG_VALUE",
     "The argument 'family' must be one of: 0, 4, 6. Received -1"),
    ("family 4.5", lambda: dns.lookup("localhost", 4.5, _cb), "ERR_INVALID_ARG_VALUE",
     "The argument 'family' must be one of: 0, 4, 6. Received 4.5"),
    ("options.family 5", lambda: dns.lookup("localhost", {"family": 5}, _cb),
     "ERR_INVALID_ARG_VALUE",
     "The property 'options.family' must be one of: 0, 4, 6. Received 5"),
    ("options.family 'ipv4'", lambda: dns.lookup("localhost", {"family": "ipv4"}, _cb),
     "ERR_INVALID_ARG_VALUE",
     "The property 'options.family' must be one of: 0, 4, 6. Received 'ipv4'"),
    ("options.family '4'", lambda: dns.lookup("localhost", {"family": "4"}, _cb),
     "ERR_INVALID_ARG_VALUE",
     "The property 'options.family' must be one of: 0, 4, 6. Received '4'"),
    ("options.family True", lambda: dns.lookup("localhost", {"family": True}, _cb),
     "ERR_INVALID_ARG_VALUE", None),
    ("options.family False", lambda: dns.lookup("localhost", {"family": False}, _cb),
     "ERR_INVALID_ARG_VALUE", None),
    ("hints 1", lambda: dns.lookup("localhost", {"hints": 1}, _cb), "ERR_INVALID_ARG_VALUE",
     "The argument 'hints' is invalid. Received 1"),
    ("hints -1", lambda: dns.lookup("localhost", {"hints": -1}, _cb), "ERR_INVALID_ARG_VALUE",
     "The argument 'hints' is invalid. Received 4294967295"),
    ("hints 1024", lambda: dns.lookup("localhost", {"hints": 1024}, _cb),
     "ERR_INVALID_ARG_VALUE", "The argument 'hints' is invalid. Received 1024"),
    ("hints ADDRCONFIG|4", lambda: dns.lookup("localhost", {"hints": dns.ADDRCONFIG | 4}, _cb),
     "ERR_INVALID_ARG_VALUE", None),
    ("hints string", lambda: dns.lookup("localhost", {"hints": "8"}, _cb),
     "ERR_INVALID_ARG_TYPE", None),
    ("hints bool", lambda: dns.lookup("localhost", {"hints": True}, _cb),
     "ERR_INVALID_ARG_TYPE", None),
    ("all string", lambda: dns.lookup("localhost", {"all": "yes"}, _cb),
     "ERR_INVALID_ARG_TYPE", None),
    ("all 1", lambda: dns.lookup("localhost", {"all": 1}, _cb), "ERR_INVALID_ARG_TYPE", None),
    ("verbatim string", lambda: dns.lookup("localhost", {"verbatim": "x"}, _cb),
     "ERR_INVALID_ARG_TYPE", None),
    ("verbatim 0", lambda: dns.lookup("localhost", {"verbatim": 0}, _cb),
     "ERR_INVALID_ARG_TYPE", None),
    ("order unknown", lambda: dns.lookup("localhost", {"order": "random"}, _cb),
     "ERR_INVALID_ARG_VALUE", None),
    ("order wrong case", lambda: dns.lookup("localhost", {"order": "IPv4first"}, _cb),
     "ERR_INVALID_ARG_VALUE", None),
    ("options string", lambda: dns.lookup("localhost", "IPv4", _cb), "ERR_INVALID_ARG_TYPE",
     None),
    ("options bool", lambda: dns.lookup("localhost", True, _cb), "ERR_INVALID_ARG_TYPE", None),
    ("no callback", lambda: dns.lookup("localhost"), "ERR_INVALID_ARG_TYPE",
     None),
    ("no callback with options", lambda: dns.lookup("localhost", {}), "ERR_INVALID_ARG_TYPE",
     None),
    ("no callback with family", lambda: dns.lookup("localhost", 4), "ERR_INVALID_ARG_TYPE",
     None),
    # Node checks the callback before the family value
    ("no callback with a bad family", lambda: dns.lookup("localhost", 5),
     "ERR_INVALID_ARG_TYPE", None),
    ("callback not a function", lambda: dns.lookup("localhost", {}, 5),
     "ERR_INVALID_ARG_TYPE", None),
    ("callback None", lambda: dns.lookup("localhost", {}, None), "ERR_INVALID_ARG_TYPE", None),
    # Node checks hints, family, all, verbatim, order in that order
    ("hints before family", lambda: dns.lookup("localhost", {"family": 5, "hints": 1}, _cb),
     "ERR_INVALID_ARG_VALUE", "The argument 'hints' is invalid. Received 1"),
    ("family before all", lambda: dns.lookup("localhost", {"all": "x", "family": 5}, _cb),
     "ERR_INVALID_ARG_VALUE",
     "The property 'options.family' must be one of: 0, 4, 6. Received 5"),
    ("all before order", lambda: dns.lookup("localhost", {"order": "x", "all": "x"}, _cb),
     "ERR_INVALID_ARG_TYPE", None),
    ("bad hostname before bad callback", lambda: dns.lookup(5, {}, 5),
     "ERR_INVALID_ARG_TYPE", None),
]


@pytest.mark.parametrize("call, code, message", [(c, k, m) for _n, c, k, m in BAD_CALLS],
                         ids=[n for n, _c, _k, _m in BAD_CALLS])
def test_bad_arguments_raise_node_errors(call: Callable[[], Any], code: str,
                                         message: Optional[str]) -> None:
    with pytest.raises(TypeError) as info:
        call()
    assert isinstance(info.value, NodeError)
    assert info.value.code == code  # type: ignore[attr-defined]
    if message is not None:
        assert str(info.value) == message
    assert net.get_loop().pool is None          # nothing was started


def test_bad_hostname_message_names_the_argument() -> None:
    with pytest.raises(TypeError, match=r'^The "hostname" argument must be of type string'):
        dns.lookup(5, _cb)
    with pytest.raises(TypeError, match=r'^The "callback" argument must be of type function'):
        dns.lookup("localhost", {})
    with pytest.raises(TypeError, match=r'^The "options" argument must be of type object '
                                        r'or integer'):
        dns.lookup("localhost", "IPv4", _cb)
    with pytest.raises(TypeError, match=r'^The "options.all" property must be of type boolean'):
        dns.lookup("localhost", {"all": "yes"}, _cb)
    with pytest.raises(TypeError, match=r'^The "options.hints" property must be of type number'):
        dns.lookup("localhost", {"hints": "8"}, _cb)


def test_bad_order_message_is_nodes() -> None:
    # node -e "require('dns').lookup('localhost', {order: 'random'}, () => {})"
    with pytest.raises(TypeError) as info:
        dns.lookup("localhost", {"order": "random"}, _cb)
    assert str(info.value) == ("The property 'options.order' must be one of: 'verbatim', "
                               "'ipv4first', 'ipv6first'. Received 'random'")


@pytest.mark.parametrize("hostname", [{}, []], ids=["empty dict", "empty list"])
def test_empty_container_hostname_is_rejected(hostname: Any) -> None:
    # node: dns.lookup({}, cb) -> ERR_INVALID_ARG_TYPE (an object is truthy in JS)
    with pytest.raises(TypeError) as info:
        dns.lookup(hostname, _cb)
    assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]


def test_two_arguments_non_function_names_the_value() -> None:
    # node: dns.lookup('localhost', 'x') -> The "callback" argument must be of type
    # function. Received type string ('x')   (the 2nd argument is taken as the callback)
    with pytest.raises(TypeError) as info:
        dns.lookup("localhost", "x")
    assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
    assert str(info.value) == ('The "callback" argument must be of type function. '
                               "Received type str ('x')")
    # with three arguments the callback is checked, then the options' type
    with pytest.raises(TypeError) as info:
        dns.lookup("localhost", "x", None)
    assert str(info.value) == 'The "callback" argument must be of type function. Received None'
    with pytest.raises(TypeError) as info:
        dns.lookup("localhost", "x", _cb)
    assert str(info.value).startswith('The "options" argument must be of type object or integer.')


@pytest.mark.parametrize("options", [
    0, 4, 6, 4.0, None, {}, {"family": 0}, {"family": 4}, {"family": 6},
    {"family": "IPv4"}, {"family": "IPv6"}, {"family": None}, {"hints": 0},
    {"hints": dns.ADDRCONFIG}, {"hints": dns.V4MAPPED}, {"hints": dns.ALL},
    {"hints": dns.ADDRCONFIG | dns.V4MAPPED | dns.ALL}, {"hints": None},
    {"hints": float(dns.ADDRCONFIG) + 0.5},
    {"all": True}, {"all": False}, {"all": None}, {"verbatim": True}, {"verbatim": False},
    {"order": "verbatim"}, {"order": "ipv4first"}, {"order": "ipv6first"}, {"order": None},
])
def test_good_arguments_are_accepted(options: Any) -> None:
    # an IP literal: answered without the resolver
    calls = Calls()

    def main() -> None:
        dns.lookup("127.0.0.1", options, calls)

    run(main, timeout=5)
    assert calls.count == 1
    assert calls.calls[0][0] is None


@pytest.mark.parametrize("hints", [float("nan"), float("inf"), float("-inf")],
                         ids=["NaN", "Infinity", "-Infinity"])
def test_non_finite_hints_count_as_zero(gai: "FakeGetaddrinfo", hints: float) -> None:
    # node: dns.lookup('127.0.0.1', {hints: NaN}, cb) -> cb(null, '127.0.0.1', 4)
    assert lookup_once("127.0.0.1", {"hints": hints}) == (None, "127.0.0.1", 4)
    assert lookup_once("v4.test", {"hints": hints}) == (None, "192.0.2.1", 4)
    assert gai.calls[-1][5] == 0


def test_hints_are_converted_like_uint32(gai: "FakeGetaddrinfo") -> None:
    # Node: options.hints >>> 0 (fractions truncated, 2**32 wraps around)
    lookup_once("v4.test", {"hints": dns.ADDRCONFIG + 0.9})
    lookup_once("v4.test", {"hints": 2 ** 32 + dns.V4MAPPED})
    lookup_once("v4.test", {"hints": -0.5})
    assert [c[5] for c in gai.calls] == [dns.ADDRCONFIG, dns.V4MAPPED, 0]


def test_flag_constants_are_the_platform_ones() -> None:
    assert dns.ADDRCONFIG == socket.AI_ADDRCONFIG
    assert dns.V4MAPPED == socket.AI_V4MAPPED
    assert dns.ALL == socket.AI_ALL
    if socket.AI_ADDRCONFIG == 32:        # Linux glibc, as Node reports there
        assert (dns.ADDRCONFIG, dns.V4MAPPED, dns.ALL) == (32, 8, 16)


def test_errors_raise_in_the_calling_thread_from_another_thread() -> None:
    # the test thread is not the loop thread: validation still raises here
    assert not net.get_loop().in_loop_thread()
    with pytest.raises(TypeError):
        dns.lookup("localhost", {"family": 5}, _cb)
    with pytest.raises(TypeError):
        dns.lookup("localhost")


# ---------------------------------------------------------------------- default result order

def test_default_result_order() -> None:
    assert dns.get_default_result_order() == "verbatim"
    for order in ("ipv4first", "ipv6first", "verbatim"):
        dns.set_default_result_order(order)
        assert dns.get_default_result_order() == order


@pytest.mark.parametrize("bad", ["random", "IPV4FIRST", "", None, 4, True])
def test_set_default_result_order_rejects(bad: Any) -> None:
    dns.set_default_result_order("ipv6first")
    with pytest.raises(TypeError) as info:
        dns.set_default_result_order(bad)
    assert info.value.code == "ERR_INVALID_ARG_VALUE"  # type: ignore[attr-defined]
    assert dns.get_default_result_order() == "ipv6first"


def test_set_default_result_order_message() -> None:
    # node -e "require('dns').setDefaultResultOrder('x')"
    with pytest.raises(TypeError) as info:
        dns.set_default_result_order("x")
    assert str(info.value) == ("The argument 'dnsOrder' must be one of: 'verbatim', "
                               "'ipv4first', 'ipv6first'. Received 'x'")


# ---------------------------------------------------------------------- IP literals

@pytest.mark.parametrize("literal, family", [
    ("127.0.0.1", 4), ("::1", 6), ("192.0.2.55", 4), ("2001:db8::7", 6),
    ("::ffff:127.0.0.1", 6), ("fe80::1%lo", 6),
])
def test_ip_literal_answers_without_a_worker(literal: str, family: int) -> None:
    loop = net.get_loop()
    one = Calls()
    every = Calls()

    def main() -> None:
        dns.lookup(literal, one)
        dns.lookup(literal, {"all": True}, every)

    run(main, timeout=5)
    assert one.calls == [(None, literal, family)]
    assert every.calls == [(None, [{"address": literal, "family": family}])]
    assert loop.pool is None
    assert _worker_threads() == []


def test_ip_literal_ignores_the_requested_family() -> None:
    # Node answers isIP(hostname) whatever family was asked for
    assert lookup_once("127.0.0.1", 6) == (None, "127.0.0.1", 4)
    assert lookup_once("::1", {"family": 4, "all": True}) == (None, [{"address": "::1",
                                                                      "family": 6}])


def test_ip_literal_answers_on_the_next_tick() -> None:
    order: List[str] = []

    def main() -> None:
        net.set_immediate(lambda: order.append("immediate"))
        net.set_timeout(lambda: order.append("timeout"), 0)
        dns.lookup("127.0.0.1", lambda *a: order.append("lookup"))
        net.next_tick(lambda: order.append("tick"))
        order.append("sync")

    run(main, timeout=5)
    assert order[:3] == ["sync", "lookup", "tick"]
    assert sorted(order[3:]) == ["immediate", "timeout"]


@pytest.mark.parametrize("hostname", ["", None, False, 0, 0.0, float("nan")])
def test_falsy_hostname_raises_at_the_call(hostname: Any) -> None:
    # Node >= 25 (v26.12 checked): ERR_INVALID_ARG_VALUE 'must be a non-empty string';
    # Node 20 answered (null, null, 4) with a DEP0118 warning.
    for options in ((), (6,), ({"all": True, "family": 6},)):
        with pytest.raises(TypeError) as info:
            dns.lookup(hostname, *options, lambda *a: None)
        assert info.value.code == "ERR_INVALID_ARG_VALUE"  # type: ignore[attr-defined]
        assert "must be a non-empty string" in str(info.value)
    assert net.get_loop().pool is None


def test_falsy_hostname_is_checked_after_the_options() -> None:
    # Node checks the callback and options first, then the host name.
    with pytest.raises(TypeError) as info:
        dns.lookup("", {"family": 5}, lambda *a: None)
    assert info.value.code == "ERR_INVALID_ARG_VALUE"  # type: ignore[attr-defined]
    assert "options.family" in str(info.value)
    with pytest.raises(TypeError) as info:
        dns.lookup(None, {}, "not a function")
    assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]


@pytest.mark.parametrize("hostname", ["a\0b", "\0", "localhost\0"])
def test_hostname_with_nul_raises_at_the_call(hostname: str) -> None:
    # Node >= 26.3.1: validateStringWithoutNullBytes(hostname, 'hostname').
    with pytest.raises(TypeError) as info:
        dns.lookup(hostname, lambda *a: None)
    assert info.value.code == "ERR_INVALID_ARG_VALUE"  # type: ignore[attr-defined]
    assert "without null bytes" in str(info.value)
    assert net.get_loop().pool is None


# ---------------------------------------------------------------------- resolver results

def test_result_shapes(gai: FakeGetaddrinfo) -> None:
    assert lookup_once("v4.test") == (None, "192.0.2.1", 4)
    assert lookup_once("v6.test") == (None, "2001:db8::1", 6)
    err, entries = lookup_once("mix.test", {"all": True})
    assert err is None
    assert entries == [{"address": a, "family": 6 if ":" in a else 4} for a in MIX]
    for entry in entries:
        assert set(entry) == {"address", "family"}
        assert type(entry["family"]) is int


def test_family_given_is_reported_as_given(gai: FakeGetaddrinfo) -> None:
    gai.table["mapped.test"] = ["::ffff:192.0.2.9"]
    assert lookup_once("mapped.test", {"family": "IPv6"}) == (None, "::ffff:192.0.2.9", 6)
    assert lookup_once("mix.test", {"family": 4, "all": True}) == (
        None, [{"address": a, "family": 4} for a in V4])
    assert lookup_once("mix.test", 6) == (None, "2001:db8::1", 6)


def test_family_and_hints_reach_getaddrinfo(gai: FakeGetaddrinfo) -> None:
    lookup_once("mix.test")
    lookup_once("mix.test", 4)
    lookup_once("mix.test", {"family": "IPv6", "hints": dns.V4MAPPED})
    lookup_once("mix.test", {"hints": dns.ADDRCONFIG | dns.ALL | dns.V4MAPPED})
    families = [c[2] for c in gai.calls]
    flags = [c[5] for c in gai.calls]
    assert families == [socket.AF_UNSPEC, socket.AF_INET, socket.AF_INET6, socket.AF_UNSPEC]
    assert flags == [0, 0, dns.V4MAPPED, dns.ADDRCONFIG | dns.ALL | dns.V4MAPPED]
    assert all(c[3] == socket.SOCK_STREAM for c in gai.calls)
    assert all(name == "nodenet-worker" for name in gai.threads)


def test_idna_hostname_is_encoded(gai: FakeGetaddrinfo) -> None:
    gai.table["xn--bcher-kva.test"] = ["192.0.2.7"]
    assert lookup_once("bücher.test") == (None, "192.0.2.7", 4)
    assert gai.calls[-1][0] == b"xn--bcher-kva.test"


def test_unencodable_hostname_is_not_found(gai: FakeGetaddrinfo) -> None:
    name = "ü" * 70 + ".test"          # a label too long for IDNA
    (err,) = lookup_once(name)
    assert err.code == "ENOTFOUND"
    assert str(err) == f"getaddrinfo ENOTFOUND {name}"
    assert err.hostname == name


@pytest.mark.parametrize("options, expected", [
    ({}, MIX),
    ({"order": "verbatim"}, MIX),
    ({"order": "ipv4first"}, V4 + V6),
    ({"order": "ipv6first"}, V6 + V4),
    ({"verbatim": True}, MIX),
    ({"verbatim": False}, V4 + V6),
    ({"verbatim": False, "order": "ipv6first"}, V6 + V4),     # order wins
    ({"verbatim": True, "order": "ipv4first"}, V4 + V6),
])
def test_result_order(gai: FakeGetaddrinfo, options: Dict[str, Any],
                      expected: List[str]) -> None:
    assert addresses(lookup_once("mix.test", dict(options, all=True))) == expected
    first = lookup_once("mix.test", options)
    assert first == (None, expected[0], 6 if ":" in expected[0] else 4)


@pytest.mark.parametrize("default, expected", [
    ("verbatim", MIX), ("ipv4first", V4 + V6), ("ipv6first", V6 + V4),
])
def test_default_result_order_applies(gai: FakeGetaddrinfo, default: str,
                                      expected: List[str]) -> None:
    dns.set_default_result_order(default)
    assert addresses(lookup_once("mix.test", {"all": True})) == expected
    assert lookup_once("mix.test")[1] == expected[0]         # callback-only form
    assert lookup_once("mix.test", 0)[1] == expected[0]      # family-number form
    other = "verbatim" if default != "verbatim" else "ipv6first"
    explicit = addresses(lookup_once("mix.test", {"all": True, "order": other}))
    assert explicit == (MIX if other == "verbatim" else V6 + V4)


def test_default_order_is_read_at_call_time(gai: FakeGetaddrinfo) -> None:
    got = Calls()
    gai.gate = threading.Event()

    def main() -> None:
        dns.set_default_result_order("ipv6first")
        dns.lookup("mix.test", {"all": True}, got)
        dns.set_default_result_order("ipv4first")
        gai.gate.set()                                  # type: ignore[union-attr]

    run(main, timeout=5)
    assert addresses(got.calls[0]) == V6 + V4


@pytest.mark.parametrize("error, code", [
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "ENOTFOUND"),
    (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"), "EAI_AGAIN"),
    (socket.gaierror(socket.EAI_FAIL, "Non-recoverable failure"), "EAI_FAIL"),
] + ([(socket.gaierror(socket.EAI_NODATA, "No address"), "ENOTFOUND")]
     if hasattr(socket, "EAI_NODATA") else []),
    ids=lambda v: v if isinstance(v, str) else None)
@pytest.mark.parametrize("all_", [False, True])
def test_errors_are_shaped_like_nodes(gai: FakeGetaddrinfo, error: BaseException, code: str,
                                      all_: bool) -> None:
    gai.table["bad.test"] = error
    result = lookup_once("bad.test", {"all": all_})
    assert len(result) == 1                         # Node calls back with the error only
    (err,) = result
    assert isinstance(err, OSError)
    assert err.code == code
    assert str(err) == f"getaddrinfo {code} bad.test"
    assert err.hostname == "bad.test"
    assert err.syscall == "getaddrinfo"
    assert err.errno == error.errno                 # documented: the socket.EAI_* number


def test_no_address_is_not_found(gai: FakeGetaddrinfo) -> None:
    # a name with answers of the other family only
    (err,) = lookup_once("v4.test", 6)
    assert err.code == "ENOTFOUND"
    assert str(err) == "getaddrinfo ENOTFOUND v4.test"


# ---------------------------------------------------------------------- threads and liveness

def test_callbacks_run_on_the_loop_thread(gai: FakeGetaddrinfo) -> None:
    seen: List[Tuple[str, bool, str]] = []

    def record(tag: str) -> Callable[..., None]:
        def cb(*args: Any) -> None:
            seen.append((tag, net.get_loop().in_loop_thread(), threading.current_thread().name))
        return cb

    def main() -> None:
        dns.lookup("mix.test", record("resolved"))
        dns.lookup("127.0.0.1", record("literal"))
        dns.lookup("nope.test", record("error"))

    run(main, timeout=5)
    assert sorted(s[0] for s in seen) == ["error", "literal", "resolved"]
    assert all(s[1] for s in seen)
    assert all(s[2] != "nodenet-worker" for s in seen)


def test_lookup_from_another_thread_into_a_future(gai: FakeGetaddrinfo) -> None:
    """A lookup started on the test thread, awaited through a Future (as events.once)."""
    on_loop: List[bool] = []

    def lookup_future(hostname: str, options: Any) -> "concurrent.futures.Future[Any]":
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def cb(err: Any, *result: Any) -> None:
            on_loop.append(net.get_loop().in_loop_thread())
            if err is not None:
                future.set_exception(err)
            else:
                future.set_result(result[0] if len(result) == 1 else result)

        dns.lookup(hostname, options, cb)
        return future

    assert lookup_future("mix.test", {"all": True, "order": "ipv4first"}).result(5) == [
        {"address": a, "family": 6 if ":" in a else 4} for a in V4 + V6]
    assert lookup_future("v6.test", {}).result(5) == ("2001:db8::1", 6)
    assert lookup_future("::1", {}).result(5) == ("::1", 6)
    with pytest.raises(OSError) as info:
        lookup_future("nope.test", {}).result(5)
    assert info.value.code == "ENOTFOUND"  # type: ignore[attr-defined]

    async def in_asyncio() -> Any:
        return await asyncio.wrap_future(lookup_future("v4.test", {"all": True}))

    assert asyncio.run(in_asyncio()) == [{"address": a, "family": 4} for a in V4]
    assert on_loop == [True] * 5                     # every callback on the loop thread


def test_pending_lookup_keeps_run_waiting(gai: FakeGetaddrinfo) -> None:
    gai.gate = threading.Event()
    got = Calls()
    alive_while_pending: List[bool] = []
    loop = net.get_loop()

    def main() -> None:
        dns.lookup("mix.test", got)

    def release() -> None:
        wait_for(lambda: gai.active == 1, timeout=5, what="the lookup to start")
        alive_while_pending.append(loop.alive)
        gai.gate.set()                                   # type: ignore[union-attr]

    releaser = threading.Thread(target=release)
    releaser.start()
    try:
        runner = threading.Thread(target=net.run, args=(main,), daemon=True)
        runner.start()
        runner.join(10)
        assert not runner.is_alive(), "net.run() never returned"
    finally:
        gai.gate.set()
        releaser.join(10)
    assert alive_while_pending == [True]
    assert got.calls == [(None, "2001:db8::1", 6)]       # run() returned after the answer


def test_several_pending_lookups_keep_run_waiting(gai: FakeGetaddrinfo) -> None:
    """Several lookups in flight at once: run() returns when the last one answered."""
    gai.gate = threading.Event()
    got = Calls()

    def main() -> None:
        for _ in range(3):
            dns.lookup("v4.test", got)
        net.set_timeout(gai.gate.set, 50)                 # type: ignore[union-attr]

    run(main, timeout=5)
    assert got.count == 3


@pytest.mark.parametrize("env, expected", [
    ({}, 4),
    ({"NODENET_THREADPOOL_SIZE": "2"}, 2),
    ({"UV_THREADPOOL_SIZE": "3"}, 3),
    ({"NODENET_THREADPOOL_SIZE": "5", "UV_THREADPOOL_SIZE": "3"}, 5),
    ({"NODENET_THREADPOOL_SIZE": "0"}, 1),
    ({"UV_THREADPOOL_SIZE": "1000"}, 128),
    ({"NODENET_THREADPOOL_SIZE": "many"}, 4),
    ({"NODENET_THREADPOOL_SIZE": "many", "UV_THREADPOOL_SIZE": "6"}, 6),
])
def test_pool_size_from_environment(monkeypatch: pytest.MonkeyPatch, env: Dict[str, str],
                                    expected: int) -> None:
    monkeypatch.delenv("NODENET_THREADPOOL_SIZE", raising=False)
    monkeypatch.delenv("UV_THREADPOOL_SIZE", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert _threadpool.pool_size() == expected


@pytest.mark.parametrize("env, size", [({}, 4), ({"NODENET_THREADPOOL_SIZE": "2"}, 2),
                                       ({"UV_THREADPOOL_SIZE": "1"}, 1)])
def test_pool_runs_at_most_size_lookups_at_once(monkeypatch: pytest.MonkeyPatch,
                                                gai: FakeGetaddrinfo, env: Dict[str, str],
                                                size: int) -> None:
    monkeypatch.delenv("NODENET_THREADPOOL_SIZE", raising=False)
    monkeypatch.delenv("UV_THREADPOOL_SIZE", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    loop = net.get_loop()
    gai.gate = threading.Event()
    got = Calls()
    total = size + 3
    done = threading.Event()

    def main() -> None:
        for _ in range(total):
            dns.lookup("v4.test", got)

    runner = threading.Thread(target=lambda: (run(main, timeout=15), done.set()), daemon=True)
    runner.start()
    try:
        wait_for(lambda: gai.active == size, timeout=5, what=f"{size} lookups in flight")
        assert loop.pool.threads == size
        assert len(_worker_threads()) == size
        wait_for(lambda: len(loop.pool._queue) == total - size, timeout=5)
    finally:
        gai.gate.set()
    runner.join(15)
    assert done.is_set()
    assert got.count == total
    assert gai.max_active == size
    assert len(gai.calls) == total


def test_no_worker_threads_left_after_close(gai: FakeGetaddrinfo) -> None:
    loop = net.get_loop()
    got = Calls()

    def main() -> None:
        for host in ("mix.test", "v4.test", "v6.test", "nope.test"):
            dns.lookup(host, got)

    run(main, timeout=5)
    assert got.count == 4
    assert loop.pool is not None and loop.pool.threads >= 1     # idle workers linger
    loop.close()
    assert loop.pool.threads == 0
    assert _worker_threads() == []


def test_idle_workers_exit_by_themselves(monkeypatch: pytest.MonkeyPatch,
                                         gai: FakeGetaddrinfo) -> None:
    monkeypatch.setattr(_threadpool, "_IDLE_EXIT", 0.05)
    loop = net.get_loop()
    assert lookup_once("v4.test")[0] is None
    wait_for(lambda: loop.pool.threads == 0, timeout=5, what="idle workers to exit")
    wait_for(lambda: not _worker_threads(), timeout=5)
    # and the pool starts a worker again when needed
    assert lookup_once("v6.test") == (None, "2001:db8::1", 6)


def test_late_answer_after_loop_close_is_dropped(gai: FakeGetaddrinfo) -> None:
    """Closing the loop with a lookup in flight: no callback, no thread left behind."""
    gai.gate = threading.Event()
    loop = net.get_loop()
    got = Calls()
    started = threading.Event()

    def main() -> None:
        dns.lookup("v4.test", got)
        started.set()

    loop.post(main)
    assert started.wait(5)
    wait_for(lambda: gai.active == 1, timeout=5)
    closer = threading.Thread(target=loop.close, kwargs={"timeout": 5})
    closer.start()
    wait_for(lambda: loop.stopped, timeout=5, what="the loop to stop")
    gai.gate.set()                  # the answer comes back to a stopped loop
    closer.join(10)
    assert not closer.is_alive()
    assert got.count == 0
