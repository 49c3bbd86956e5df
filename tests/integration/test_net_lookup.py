"""Node's connect-time lookup tests: the 'lookup' event and its arguments, no
lookup for IP literals, custom ``lookup`` functions with family 4/6, destroying
while a lookup is pending (reference/node-net-tests.md §2.E).

Each test names the Node file it ports. Everything asynchronous is set up inside
``support.run(main)``; events are recorded and asserted after the loop emptied.
Node's ``undefined`` family in the dns options is ``None`` here.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import pytest

import nodenet as net
from conftest import HAS_IPV6
from nodenet import dns
from support import Calls, run


def test_lookup_event_arguments() -> None:
    # ported from test/parallel/test-net-dns-lookup.js
    # connect(port, 'localhost') -> 'lookup' at least once with
    # (None, ip, family as a number, 'localhost').
    lookups: List[Any] = []

    def main() -> None:
        def on_connection(client: net.Socket) -> None:
            client.end()
            server.close()

        server = net.create_server(on_connection)

        def listening() -> None:
            sock = net.connect(server.address()["port"], "localhost")
            sock.on("lookup", lambda *args: lookups.append(args))
            sock.on("error", lambda err: lookups.append(("error", err)))
            sock.resume()

        server.listen(0, listening)   # dual-stack: either answer for localhost works

    run(main)
    assert len(lookups) >= 1
    for err, ip, family, host in lookups:
        assert err is None
        assert ip in ("127.0.0.1", "::1")
        assert family in (4, 6) and type(family) is int
        assert host == "localhost"


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_no_lookup_for_ip_literals(address: str) -> None:
    # ported from test/parallel/test-net-dns-lookup-skip.js
    if address == "::1" and not HAS_IPV6:
        pytest.skip("no IPv6 loopback")
    lookups = Calls()
    connects = Calls()

    def main() -> None:
        def on_connection(client: net.Socket) -> None:
            client.end()
            server.close()

        server = net.create_server(on_connection)

        def listening() -> None:
            sock = net.connect(server.address()["port"], address)
            sock.on("lookup", lookups)
            sock.on("connect", connects)
            sock.resume()

        server.listen(0, address, listening)

    run(main)
    assert lookups.count == 0
    assert connects.count == 1


def test_no_lookup_for_ip_literal_with_custom_lookup() -> None:
    # ported from test/parallel/test-net-dns-lookup-skip.js: an IP host skips
    # even a custom lookup function.
    lookup_calls = Calls()
    lookups = Calls()

    def main() -> None:
        server = net.create_server(lambda c: (c.end(), server.close()))

        def listening() -> None:
            sock = net.connect({"port": server.address()["port"], "host": "127.0.0.1",
                                "lookup": lookup_calls})
            sock.on("lookup", lookups)
            sock.resume()

        server.listen(0, "127.0.0.1", listening)

    run(main)
    assert lookup_calls.count == 0
    assert lookups.count == 0


def custom_lookup(address: str, family: int, calls: List[Any]) -> Callable[..., None]:
    """test-net-dns-custom-lookup.js's lookup: answers on the next tick."""
    def lookup(host: str, dnsopts: Dict[str, Any], cb: Callable[..., None]) -> None:
        calls.append((host, dict(dnsopts)))
        dnsopts["family"] = family

        def answer() -> None:
            if dnsopts.get("all"):
                cb(None, [{"address": address, "family": family}])
            else:
                cb(None, address, family)
        net.next_tick(answer)
    return lookup


@pytest.mark.parametrize("family", [4, 6])
def test_custom_lookup_with_family(family: int) -> None:
    # ported from test/parallel/test-net-dns-custom-lookup.js
    # With an explicit family the single-address path is used (no 'all'):
    # the lookup gets {family, hints: 0} and 'lookup' gives (None, ip, family, host).
    if family == 6 and not HAS_IPV6:
        pytest.skip("no IPv6 loopback")
    address = "127.0.0.1" if family == 4 else "::1"
    lookup_calls: List[Any] = []
    lookups: List[Any] = []
    remotes: List[Any] = []

    def main() -> None:
        def on_connection(client: net.Socket) -> None:
            client.end()
            server.close()

        server = net.create_server(on_connection)

        def listening() -> None:
            sock = net.connect({"port": server.address()["port"], "host": "localhost",
                                "family": family,
                                "lookup": custom_lookup(address, family, lookup_calls)})
            sock.on("lookup", lambda *args: lookups.append(args))
            sock.on("connect", lambda: remotes.append((sock.remote_address,
                                                       sock.remote_family)))
            sock.resume()

        server.listen(0, address, listening)

    run(main)
    assert lookup_calls == [("localhost", {"family": family, "hints": 0})]
    assert lookups == [(None, address, family, "localhost")]
    assert remotes == [(address, f"IPv{family}")]


@pytest.mark.parametrize("all_mode", [False, True], ids=["single", "all"])
def test_custom_lookup_bad_address(all_mode: bool) -> None:
    # ported from test/parallel/test-net-dns-custom-lookup.js ("bad lookup() IPs")
    errors: List[Any] = []
    closes = Calls()

    def lookup(host: str, dnsopts: Dict[str, Any], cb: Callable[..., None]) -> None:
        if dnsopts.get("all"):
            cb(None, [{"address": None, "family": 4}])
        else:
            cb(None, None, 4)

    def main() -> None:
        options: Dict[str, Any] = {"host": "localhost", "port": 80, "lookup": lookup}
        if not all_mode:
            options["family"] = 4
        sock = net.connect(options)
        sock.on("error", errors.append)
        sock.on("close", closes)

    run(main)
    assert [e.code for e in errors] == ["ERR_INVALID_IP_ADDRESS"]
    assert isinstance(errors[0], TypeError)
    assert str(errors[0]) == "Invalid IP address: undefined"   # as node v20 words it
    assert closes.calls == [(True,)]


@pytest.mark.parametrize("all_mode", [False, True], ids=["single", "all"])
def test_custom_lookup_bad_family(all_mode: bool) -> None:
    # ported from test/parallel/test-net-options-lookup.js ("invalid address family")
    errors: List[Any] = []

    def lookup(host: str, options: Dict[str, Any], cb: Callable[..., None]) -> None:
        if options.get("all"):
            cb(None, [{"address": "127.0.0.1", "family": 100}])
        else:
            cb(None, "127.0.0.1", 100)

    def main() -> None:
        options: Dict[str, Any] = {"host": "localhost", "port": 0, "lookup": lookup}
        if not all_mode:
            options["autoSelectFamily"] = False
        net.connect(options).on("error", errors.append)

    run(main)
    assert len(errors) == 1
    err = errors[0]
    assert err.code == "ERR_INVALID_ADDRESS_FAMILY"
    assert err.host == "localhost"
    assert err.port == 0
    assert str(err) == "Invalid address family: 100 localhost:0"
    assert isinstance(err, ValueError)   # Node's RangeError


@pytest.mark.parametrize("extra,expected", [
    ({}, {"family": None, "hints": dns.ADDRCONFIG, "all": True}),
    ({"family": 4}, {"family": 4, "hints": 0}),
    ({"family": 6}, {"family": 6, "hints": 0}),
    ({"family": "IPv4"}, {"family": 4, "hints": 0}),
    ({"autoSelectFamily": False}, {"family": None, "hints": dns.ADDRCONFIG}),
    ({"hints": dns.ALL}, {"family": None, "hints": dns.ALL, "all": True}),
    ({"localAddress": "127.0.0.1"}, {"family": None, "hints": dns.ADDRCONFIG}),
], ids=["default", "family4", "family6", "familyIPv4", "no-autoselect", "hints",
        "localAddress"])
def test_custom_lookup_receives_node_dns_options(extra: Dict[str, Any],
                                                 expected: Dict[str, Any]) -> None:
    # ported from test/parallel/test-net-dns-custom-lookup.js: the options object
    # the lookup receives, as recorded from node v20 for each connect option.
    calls: List[Any] = []
    errors: List[Any] = []

    class LookupFailed(Exception):
        pass

    def lookup(host: str, options: Dict[str, Any], cb: Callable[..., None]) -> None:
        calls.append((host, dict(options)))
        net.next_tick(cb, LookupFailed(host))

    def main() -> None:
        sock = net.connect(dict({"host": "example.test", "port": 1, "lookup": lookup}, **extra))
        sock.on("error", errors.append)

    run(main)
    assert calls == [("example.test", expected)]
    assert len(errors) == 1 and isinstance(errors[0], LookupFailed)


def test_lookup_event_per_answer_in_all_mode() -> None:
    # ported from test/parallel/test-net-dns-lookup.js (mustCallAtLeast): with
    # the 'all' lookup, 'lookup' is emitted for each answer with its family.
    lookups: List[Any] = []
    connects = Calls()

    def lookup(host: str, options: Dict[str, Any], cb: Callable[..., None]) -> None:
        net.next_tick(cb, None, [{"address": "127.0.0.1", "family": 4}])

    def main() -> None:
        server = net.create_server(lambda c: (c.end(), server.close()))

        def listening() -> None:
            sock = net.connect({"port": server.address()["port"], "host": "localhost",
                                "lookup": lookup})
            sock.on("lookup", lambda *args: lookups.append(args))
            sock.on("connect", connects)
            sock.resume()

        server.listen(0, "127.0.0.1", listening)

    run(main)
    assert lookups == [(None, "127.0.0.1", 4, "localhost")]
    assert connects.count == 1


# ------------------------------------------------------------ connect-after-destroy


def test_destroy_while_real_lookup_pending() -> None:
    # ported from test/parallel/test-net-connect-after-destroy.js
    # (Node resolves google.com; 'localhost' needs no network.) destroy() right
    # after connect(): no error, no crash, the late lookup result is ignored.
    events: List[Any] = []

    def main() -> None:
        c = net.create_connection(80, "localhost")
        for name in ("lookup", "connect", "error", "connectionAttempt"):
            c.on(name, lambda *args, name=name: events.append(name))
        c.on("close", lambda *args: events.append(("close", args)))
        c.destroy()

    run(main)
    assert events == [("close", (False,))]


def test_destroy_while_custom_lookup_pending() -> None:
    # ported from test/parallel/test-net-connect-after-destroy.js, with a lookup
    # that answers 20 ms later, after the destroy.
    events: List[Any] = []
    answered = Calls()

    def lookup(host: str, options: Dict[str, Any], cb: Callable[..., None]) -> None:
        def late() -> None:
            answered()
            cb(None, [{"address": "127.0.0.1", "family": 4}])
        net.set_timeout(late, 20)

    def main() -> None:
        c = net.create_connection({"port": 80, "host": "google.com", "lookup": lookup})
        for name in ("lookup", "connect", "error", "connectionAttempt"):
            c.on(name, lambda *args, name=name: events.append(name))
        c.on("close", lambda *args: events.append("close"))
        c.destroy()

    run(main)
    assert answered.count == 1
    assert events == ["close"]
