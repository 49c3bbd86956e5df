"""Hypothesis properties of the whole public API under arbitrary input (issue 8).

For every entry point fed values of every kind (None, bools, ints of any size,
NaN and the infinities, strings with NUL bytes and lone surrogates, bytes,
lists, dicts, plain objects, functions, nested): the call either works or
raises an exception with a Node ``.code``; it never raises a bare
AttributeError/TypeError/ValueError/OverflowError; nothing escapes on the loop
thread (no ``'uncaughtException'``); and afterwards the loop still serves an
echo round trip. Values that would touch the machine beyond this test are kept
out: fds, ports other than this test's server, paths outside a temporary
directory, and host names that need a DNS server.

Runtime is bounded: a modest ``max_examples`` per property, ``deadline=None``.
"""

from __future__ import annotations

import inspect
import math
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nodenet as net
from nodenet import dns, events
from nodenet._validators import validate_port
from support import run

pytestmark = pytest.mark.filterwarnings("ignore")   # timer and listener warnings are fine

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


class Thing:
    """A plain object (JavaScript: an instance of an empty class)."""


def noop(*_: Any) -> None:
    """A function value."""


SPECIAL_INTS = [0, -1, 1, 2**31, 2**31 - 1, -(2**31) - 1, 2**32 + 5, 2**53 + 1, 2**64,
                10**400, -(10**400)]
SPECIAL_STRS = ["", "x", "0", "a\0b", "\0", "\ud800", "127.0.0.1", "::1", "utf8", "hex",
                "0x10", " 80 ", "Infinity", "ipv6", "IPv4", "verbatim"]

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70), st.sampled_from(SPECIAL_INTS),
    st.floats(), st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1.5]),
    st.text(st.characters(blacklist_categories=()), max_size=6),   # NULs, lone surrogates
    st.sampled_from(SPECIAL_STRS), st.binary(max_size=6), st.builds(Thing), st.just(noop),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.text(max_size=4), inner, max_size=3),
    max_leaves=4)


def _harmless_port(v: Any) -> bool:
    """A port value that connects nowhere but this test's server: invalid, or 0."""
    try:
        return validate_port(v) == 0
    except Exception:  # noqa: BLE001 - any rejected value is harmless
        return True


def _no_dns(v: Any) -> bool:
    """A host value that needs no DNS server: not a string, or one that is refused."""
    return not isinstance(v, str) or "\0" in v or v == ""


def _no_path_outside(v: Any) -> bool:
    """A Unix path value that stays in the current (temporary) directory."""
    return not (isinstance(v, str) and "/" in v)


def options_of(names: List[str], overrides: Dict[str, Any]) -> Any:
    """Dicts of some of ``names`` (snake_case and camelCase) with fuzzed values."""
    keys = st.sampled_from(names + [_camel(n) for n in names if "_" in n])
    return st.dictionaries(keys, values, max_size=4).flatmap(
        lambda d: st.fixed_dictionaries({k: overrides.get(k, st.just(v)) for k, v in d.items()}))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


class Checker:
    """Runs fuzzed calls on the loop and records what must never happen."""

    def __init__(self) -> None:
        self.problems: List[str] = []
        self.examples = 0
        self.port = 0
        self.server: Any = None

    def start(self) -> None:
        def main() -> None:
            def on_connection(c: net.Socket) -> None:
                c.on("error", noop)
                c.on("data", c.write)
                c.on("end", c.end)
                c.unref()
            self.server = net.create_server(on_connection)
            self.server.listen(0, "127.0.0.1", lambda: setattr(
                self, "port", self.server.address()["port"]))
            self.server.unref()       # each example's run() ends when the example does
        run(main, 10)
        net.process.on("uncaughtException", self._uncaught)

    def _uncaught(self, err: Any, *_: Any) -> None:
        self.problems.append(f"escaped on the loop: {err!r}")

    def guarded(self, what: str, fn: Callable[[], Any]) -> Any:
        """Call ``fn``; an exception must carry a Node code."""
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - the property under test
            if getattr(exc, "code", None) is None:
                self.problems.append(f"{what}: bare {exc!r}")
            return None

    def on_loop(self, body: Callable[[List[Callable[[], Any]]], None], settle: float = 5) -> None:
        """Run ``body(cleanups)`` on the loop, wait ``settle`` ms, then clean up."""
        self.examples += 1

        def main() -> None:
            cleanups: List[Callable[[], Any]] = []
            body(cleanups)

            def done() -> None:
                for fn in cleanups:
                    self.guarded("cleanup", fn)
            net.set_timeout(done, settle)
        run(main, 10)

    def echo_still_works(self) -> None:
        got: List[bytes] = []

        def main() -> None:
            c = net.connect(self.port, "127.0.0.1")
            c.on("connect", lambda: c.end(b"still serving"))
            c.on("data", got.append)
        run(main, 10)
        assert b"".join(got) == b"still serving"

    def stop(self) -> None:
        net.process.remove_listener("uncaughtException", self._uncaught)

        def main() -> None:
            self.server.close_all_connections()
            self.server.close()
        run(main, 10)


@pytest.fixture
def checker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Checker]:
    monkeypatch.chdir(tmp_path)        # Unix socket paths land here
    c = Checker()
    c.start()
    yield c
    try:
        c.echo_still_works()
    finally:
        c.stop()
    assert not c.problems, "\n".join(c.problems[:20])
    assert c.examples > 0


def watch(obj: Any, cleanups: List[Callable[[], Any]], stop: str) -> Any:
    """Listen for 'error' on ``obj`` (errors must have codes) and clean it up."""
    if isinstance(obj, net.EventEmitter):
        obj.on("error", noop)
        cleanups.append(getattr(obj, stop))
    return obj


# ---------------------------------------------------------------------- servers

SERVER_OPTIONS = ["allow_half_open", "pause_on_connect", "no_delay", "keep_alive",
                  "keep_alive_initial_delay", "high_water_mark", "block_list"]
LISTEN_OPTIONS = ["port", "host", "backlog", "path", "exclusive", "ipv6_only", "reuse_port",
                  "readable_all", "writable_all", "signal"]


def test_server_options_then_a_connection(checker: Checker) -> None:
    @SETTINGS
    @given(options_of(SERVER_OPTIONS, {}), values)
    def prop(options: Any, max_connections: Any) -> None:
        def body(cleanups: List[Callable[[], Any]]) -> None:
            server = checker.guarded("create_server", lambda: net.create_server(
                options, lambda c: (c.on("error", noop), c.end(b"x"))))
            if server is None:
                return
            server.on("error", noop)
            server.max_connections = max_connections
            cleanups.append(server.close)

            def listening() -> None:
                c = net.connect(server.address()["port"], "127.0.0.1")
                c.on("error", noop)
                c.resume()
                cleanups.append(c.destroy)
            server.listen(0, "127.0.0.1", listening)
        checker.on_loop(body, settle=10)
    prop()


def test_listen_in_all_its_forms(checker: Checker) -> None:
    safe = {"port": st.one_of(st.just(0), values.filter(_harmless_port)),
            "host": st.one_of(st.just("127.0.0.1"), st.just("::1"), values.filter(_no_dns)),
            "path": values.filter(_no_path_outside)}
    positional = st.lists(st.one_of(values.filter(lambda v: _harmless_port(v) and
                                                  _no_dns(v) and _no_path_outside(v)),
                                    st.just(0), st.just("127.0.0.1")), max_size=3)

    @SETTINGS
    @given(st.one_of(options_of(LISTEN_OPTIONS, safe).map(lambda o: [o]), positional))
    def prop(args: List[Any]) -> None:
        def body(cleanups: List[Callable[[], Any]]) -> None:
            server = watch(net.create_server(), cleanups, "close")
            checker.guarded("listen", lambda: server.listen(*args))
        checker.on_loop(body)
    prop()


# ---------------------------------------------------------------------- sockets

SOCKET_OPTIONS = ["allow_half_open", "readable", "writable", "signal", "onread", "block_list",
                  "no_delay", "keep_alive", "keep_alive_initial_delay", "high_water_mark",
                  "readable_high_water_mark", "writable_high_water_mark", "object_mode"]
CONNECT_OPTIONS = ["port", "host", "path", "local_address", "local_port", "family", "hints",
                   "lookup", "auto_select_family", "auto_select_family_attempt_timeout",
                   "no_delay", "keep_alive", "keep_alive_initial_delay", "timeout", "signal",
                   "block_list", "onread"]


def test_socket_constructor(checker: Checker) -> None:
    # no fd: a fuzzed fd would take over this process's own descriptors
    @SETTINGS
    @given(st.one_of(options_of(SOCKET_OPTIONS, {}),
                     values.filter(lambda v: not isinstance(v, (int, float)))))
    def prop(options: Any) -> None:
        def body(cleanups: List[Callable[[], Any]]) -> None:
            watch(checker.guarded("Socket", lambda: net.Socket(options)), cleanups, "destroy")
        checker.on_loop(body)
    prop()


def test_connect_with_any_options(checker: Checker) -> None:
    safe = {"port": st.one_of(st.just(None), values.filter(_harmless_port)),
            "host": st.one_of(st.just("127.0.0.1"), st.just("localhost"),
                              values.filter(_no_dns)),
            "local_port": values.filter(_harmless_port),
            "localPort": values.filter(_harmless_port),
            "path": values.filter(_no_path_outside)}

    @SETTINGS
    @given(options_of(CONNECT_OPTIONS, safe), st.sampled_from(["connect", "socket"]))
    def prop(options: Dict[str, Any], form: str) -> None:
        options = dict(options)
        if options.get("port", 1) is None:
            options["port"] = checker.port          # this test's server, nothing else
        if "host" not in options and "path" not in options:
            options["host"] = "127.0.0.1"

        def body(cleanups: List[Callable[[], Any]]) -> None:
            fn = (lambda: net.connect(options)) if form == "connect" else \
                (lambda: net.Socket().connect(options))
            watch(checker.guarded("connect", fn), cleanups, "destroy")
        checker.on_loop(body, settle=10)
    prop()


SOCKET_METHODS = ["write", "end", "set_timeout", "set_keep_alive", "set_no_delay",
                  "set_encoding", "set_default_encoding", "read", "destroy", "pipe", "unpipe",
                  "pause", "resume", "cork", "uncork", "ref", "unref", "address",
                  "destroy_soon", "reset_and_destroy"]


def arity(fn: Callable[..., Any]) -> Any:
    """(fewest, most) positional arguments ``fn`` takes (3 stands for *args). The calls
    keep to Python's arity: JavaScript drops surplus arguments and fills missing ones
    with undefined, Python raises its own TypeError (a difference left as it is)."""
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    fixed = [p for p in params if p.kind != p.VAR_POSITIONAL]
    low = sum(p.default is p.empty for p in fixed)
    return low, len(fixed) + (3 if len(fixed) < len(params) else 0)


def args_for(fn: Callable[..., Any]) -> Any:
    low, high = arity(fn)
    return st.lists(values, min_size=low, max_size=high)


def test_socket_methods_connected_or_not(checker: Checker) -> None:
    method = st.sampled_from(SOCKET_METHODS)
    calls = st.lists(method.flatmap(lambda m: st.tuples(
        st.just(m), args_for(getattr(net.Socket(), m)))), min_size=1, max_size=4)

    @SETTINGS
    @given(calls, st.booleans())
    def prop(script: List[Any], connected: bool) -> None:
        def body(cleanups: List[Callable[[], Any]]) -> None:
            def play(sock: net.Socket) -> None:
                for name, args in script:
                    checker.guarded(name, lambda: getattr(sock, name)(*args))
            if connected:
                sock = watch(net.connect(checker.port, "127.0.0.1"), cleanups, "destroy")
                sock.on("connect", lambda: play(sock))
            else:
                play(watch(net.Socket(), cleanups, "destroy"))
        checker.on_loop(body, settle=10)
    prop()


# ---------------------------------------------------------------------- the rest of the API

def _pure_calls() -> Any:
    """(name, callable, arity of what it calls) of the API that needs no socket."""
    ee = net.EventEmitter
    probe = ee()
    bl = net.BlockList()
    sizes = {"is_ip": net.is_ip, "is_ipv4": net.is_ipv4, "is_ipv6": net.is_ipv6,
             "SocketAddress.parse": net.SocketAddress.parse, "add_address": bl.add_address,
             "add_range": bl.add_range, "add_subnet": bl.add_subnet, "check": bl.check,
             "from_json": bl.from_json, "AbortSignal.abort": net.AbortSignal.abort,
             "AbortSignal.any": net.AbortSignal.any, "AbortSignal.timeout":
             net.AbortSignal.timeout, "AbortController.abort": net.AbortController().abort,
             "EventEmitter": ee, "on": probe.on, "once": probe.once, "off": probe.off,
             "emit": probe.emit, "prepend_listener": probe.prepend_listener,
             "listeners": probe.listeners, "listener_count": probe.listener_count,
             "remove_all_listeners": probe.remove_all_listeners,
             "set_max_listeners": probe.set_max_listeners, "set_timeout": net.set_timeout,
             "set_interval": net.set_interval, "set_immediate": net.set_immediate,
             "clear_timeout": net.clear_timeout, "clear_immediate": net.clear_immediate,
             "next_tick": net.next_tick, "events.get_event_listeners":
             events.get_event_listeners, "SocketAddress": _socket_address_positional,
             "events.once": lambda name: None}
    return st.sampled_from([
        ("is_ip", net.is_ip), ("is_ipv4", net.is_ipv4), ("is_ipv6", net.is_ipv6),
        ("SocketAddress", net.SocketAddress), ("SocketAddress.parse", net.SocketAddress.parse),
        ("add_address", lambda *a: net.BlockList().add_address(*a)),
        ("add_range", lambda *a: net.BlockList().add_range(*a)),
        ("add_subnet", lambda *a: net.BlockList().add_subnet(*a)),
        ("check", lambda *a: net.BlockList().check(*a)),
        ("from_json", lambda *a: net.BlockList().from_json(*a)),
        ("AbortController.abort", lambda *a: net.AbortController().abort(*a)),
        ("AbortSignal.abort", net.AbortSignal.abort), ("AbortSignal.any", net.AbortSignal.any),
        ("AbortSignal.timeout", lambda *a: net.AbortSignal.timeout(*a)),
        ("EventEmitter", ee),
        ("on", lambda *a: ee().on(*a)), ("once", lambda *a: ee().once(*a)),
        ("off", lambda *a: ee().off(*a)), ("emit", lambda *a: ee().emit(*a)),
        ("prepend_listener", lambda *a: ee().prepend_listener(*a)),
        ("listeners", lambda *a: ee().listeners(*a)),
        ("listener_count", lambda *a: ee().listener_count(*a)),
        ("remove_all_listeners", lambda *a: ee().remove_all_listeners(*a)),
        ("set_max_listeners", lambda *a: ee().set_max_listeners(*a)),
        ("events.once", lambda *a: events.once(ee(), *a)),
        ("events.get_event_listeners", events.get_event_listeners),
        ("set_timeout", lambda *a: net.clear_timeout(net.set_timeout(*a))),
        ("set_interval", lambda *a: net.clear_interval(net.set_interval(*a))),
        ("set_immediate", lambda *a: net.clear_immediate(net.set_immediate(*a))),
        ("clear_timeout", net.clear_timeout), ("clear_immediate", net.clear_immediate),
        ("next_tick", net.next_tick),
    ]).flatmap(lambda call: st.tuples(
        st.just(call), args_for(sizes.get(call[0], lambda *a: None))))


def _socket_address_positional(options: Any = None, /) -> None:
    """SocketAddress's positional arity (its other parameters are keywords)."""


def test_everything_else(checker: Checker) -> None:
    @settings(SETTINGS, max_examples=150)
    @given(_pure_calls())
    def prop(drawn: Any) -> None:
        (name, fn), args = drawn

        def body(cleanups: List[Callable[[], Any]]) -> None:
            checker.guarded(name, lambda: fn(*args))
        checker.on_loop(body, settle=0)
    prop()


def test_dns_lookup_without_a_dns_server(checker: Checker) -> None:
    hosts = st.one_of(values.filter(_no_dns), st.sampled_from(["127.0.0.1", "::1", "localhost"]))
    lookup_options = options_of(["family", "hints", "all", "verbatim", "order"], {})

    @SETTINGS
    @given(hosts, st.one_of(values, lookup_options), st.sampled_from([noop, None, "cb"]))
    def prop(host: Any, options: Any, callback: Any) -> None:
        def body(cleanups: List[Callable[[], Any]]) -> None:
            args = [host, options] + ([] if callback is None else [callback])
            checker.guarded("dns.lookup", lambda: dns.lookup(*args))
        checker.on_loop(body, settle=5)
    prop()


def test_defaults_setters(checker: Checker) -> None:
    setters = st.sampled_from([net.set_default_auto_select_family,
                               net.set_default_auto_select_family_attempt_timeout,
                               dns.set_default_result_order, events.set_max_listeners])

    @SETTINGS
    @given(setters, values)
    def prop(setter: Callable[..., Any], value: Any) -> None:
        def body(cleanups: List[Callable[[], Any]]) -> None:
            checker.guarded(setter.__name__, lambda: setter(value))
        checker.on_loop(body, settle=0)
    prop()
