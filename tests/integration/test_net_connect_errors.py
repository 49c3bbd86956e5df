"""Node's connect-failure tests: ECONNREFUSED in bulk, error properties,
reconnecting after errors, lookup failures, Unix-socket connect errors
(reference/node-net-tests.md §2.D); errors that name the local end; connects cut
short by a listener, and bind failures on every attempt.

Each test names the Node file it ports. Everything asynchronous is set up inside
``support.run(main)``; events are recorded and asserted after the loop emptied.
errno is Python's positive errno (SPEC §2), where Node has libuv's negative one.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from typing import Any, Callable, Dict, List

import pytest

import nodenet as net
from conftest import HAS_IPV6
from connect_events import later, record, v4
from support import Calls, run


def closed_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on (bound, then released)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class MockedLookupError(Exception):
    """test/common/dns.js errorLookupMock's error: a plain Error with
    code = errno = 'ENOTFOUND', syscall 'getaddrinfo' and the hostname."""

    def __init__(self, hostname: str) -> None:
        super().__init__(f"getaddrinfo ENOTFOUND {hostname}")
        self.code = "ENOTFOUND"
        self.errno = "ENOTFOUND"
        self.syscall = "getaddrinfo"
        self.hostname = hostname


def error_lookup_mock(calls: List[Any]) -> Callable[..., None]:
    """errorLookupMock(): answers cb(err) synchronously."""
    def lookup(hostname: str, options: Any, cb: Callable[..., None]) -> None:
        calls.append((hostname, dict(options)))
        cb(MockedLookupError(hostname))
    return lookup


INVALID_HOST = "something.invalid"   # test/common/internet.js addresses.INVALID_HOST

LINUX = sys.platform.startswith("linux")


# -------------------------------------------------------------------- ECONNREFUSED


def test_connect_econnrefused_many_in_parallel() -> None:
    # ported from test/sequential/test-net-connect-econnrefused.js
    # 5 rounds of 50 parallel connects to a closed port: every one gets
    # ECONNREFUSED; the autouse fixture checks that no fd is left behind.
    rounds, per_round = 5, 50
    codes: List[str] = []
    closes = Calls()
    never = Calls()

    def main() -> None:
        server = net.create_server(never)

        def listening() -> None:
            port = server.address()["port"]
            server.close()
            state = {"round": 0, "done": 0}

            def start_round() -> None:
                state["round"] += 1
                state["done"] = 0
                for _ in range(per_round):
                    client = net.connect(port, "127.0.0.1", never)
                    client.on("error", lambda err: codes.append(err.code))
                    client.on("close", on_close)

            def on_close(*_: Any) -> None:
                closes()
                state["done"] += 1
                if state["done"] == per_round and state["round"] < rounds:
                    start_round()

            start_round()

        server.listen(0, "127.0.0.1", listening)

    run(main, timeout=30)
    assert never.count == 0
    assert codes == ["ECONNREFUSED"] * (rounds * per_round)
    assert closes.count == rounds * per_round


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_better_error_messages_port(host: str) -> None:
    # ported from test/sequential/test-net-better-error-messages-port.js
    # (Node connects to 'localhost'; the literal hosts keep the error a plain
    # one instead of an AggregateError where localhost has both families.)
    if host == "::1" and not HAS_IPV6:
        pytest.skip("no IPv6 loopback")
    port = closed_port(host)
    errors: List[Any] = []
    never = Calls()

    def main() -> None:
        client = net.create_connection(port, host)
        client.on("connect", never)
        client.on("error", errors.append)

    run(main)
    assert never.count == 0
    assert len(errors) == 1
    err = errors[0]
    assert err.code == "ECONNREFUSED"
    assert err.port == port
    assert err.address == host
    assert err.syscall == "connect"
    assert err.errno == errno.ECONNREFUSED   # Python's errno (Node: -111)
    assert isinstance(err, OSError)
    assert str(err) == f"connect ECONNREFUSED {host}:{port}"


def test_connect_handle_econnrefused() -> None:
    # ported from test/sequential/test-net-connect-handle-econnrefused.js
    errors: List[Any] = []
    closes: List[Any] = []
    never = Calls()

    def main() -> None:
        server = net.create_server(never)

        def listening() -> None:
            port = server.address()["port"]
            server.close()
            client = net.connect(port, "127.0.0.1", never)
            client.on("error", errors.append)
            client.on("close", closes.append)

        server.listen(0, "127.0.0.1", listening)

    run(main)
    assert never.count == 0
    assert [e.code for e in errors] == ["ECONNREFUSED"]
    assert closes == [True]   # had_error


def test_reconnect_error() -> None:
    # ported from test/sequential/test-net-reconnect-error.js
    # Re-connect a failed socket from its 'close' 20 times: 21 errors, 21 closes.
    N = 20
    error_count = Calls()
    close_count = Calls()
    codes: List[str] = []
    port = closed_port()

    def main() -> None:
        client = net.create_connection(port, "127.0.0.1")

        def on_error(err: Any) -> None:
            error_count()
            codes.append(err.code)

        def on_close(*_: Any) -> None:
            close_count()
            if close_count.count <= N:
                client.connect(port, "127.0.0.1")

        client.on("connect", lambda: pytest.fail("should not connect"))
        client.on("error", on_error)
        client.on("close", on_close)

    run(main)
    assert error_count.count == N + 1
    assert close_count.count == N + 1
    assert set(codes) == {"ECONNREFUSED"}


# ------------------------------------------------------- errors naming the local end
# (node v20.20 runs of the same steps, quoted per test)


@pytest.mark.skipif(not LINUX, reason="Linux refuses TCP to broadcast with ENETUNREACH")
def test_synchronous_connect_error_names_the_local_address() -> None:
    # node: net.connect({port: 80, host: '255.255.255.255'}) -> 'error'
    # "connect ENETUNREACH 255.255.255.255:80 - Local (0.0.0.0:0)"
    errors: List[Any] = []
    run(lambda: net.connect({"port": 80, "host": "255.255.255.255"}).on("error", errors.append))
    [err] = errors
    assert (err.code, err.syscall, err.address, err.port) == \
        ("ENETUNREACH", "connect", "255.255.255.255", 80)
    assert str(err) == "connect ENETUNREACH 255.255.255.255:80 - Local (0.0.0.0:0)"


@pytest.mark.parametrize("with_port", [True, False])
def test_refused_connect_from_a_bound_socket(with_port: bool) -> None:
    # node: connect({localAddress, localPort}) to a closed port ->
    # "connect ECONNREFUSED 127.0.0.1:P - Local (127.0.0.1:L)" with .localAddress
    # and .localPort; without localPort neither is set and the message has no Local
    port = closed_port()
    local_port = closed_port() if with_port else None
    errors: List[Any] = []
    options: Dict[str, Any] = {"port": port, "host": "127.0.0.1", "localAddress": "127.0.0.1"}
    if local_port:
        options["localPort"] = local_port
    run(lambda: net.connect(options).on("error", errors.append))
    [err] = errors
    assert err.code == "ECONNREFUSED"
    if with_port:
        assert str(err) == f"connect ECONNREFUSED 127.0.0.1:{port} - Local (127.0.0.1:{local_port})"
        assert (err.local_address, err.local_port) == ("127.0.0.1", local_port)
    else:
        assert str(err) == f"connect ECONNREFUSED 127.0.0.1:{port}"
        assert (err.local_address, err.local_port) == (None, None)




# ------------------------------------------------------------------- lookup failures


def test_better_error_messages_port_hostname() -> None:
    # ported from test/parallel/test-net-better-error-messages-port-hostname.js
    # The lookup's own error arrives as 'error' unchanged: no port/host added.
    lookups: List[Any] = []
    errors: List[Any] = []
    never = Calls()

    def main() -> None:
        client = net.create_connection({"port": 0, "host": INVALID_HOST,
                                        "lookup": error_lookup_mock(lookups)})
        client.on("connect", never)
        client.on("error", errors.append)

    run(main)
    assert len(lookups) == 1 and lookups[0][0] == INVALID_HOST
    assert never.count == 0
    assert len(errors) == 1
    err = errors[0]
    assert isinstance(err, MockedLookupError)
    assert not hasattr(err, "port")
    assert not hasattr(err, "host")
    assert err.code == err.errno == "ENOTFOUND"
    assert err.syscall == "getaddrinfo"
    assert err.hostname == INVALID_HOST
    assert str(err) == "getaddrinfo ENOTFOUND something.invalid"


def test_connect_immediate_finish() -> None:
    # ported from test/parallel/test-net-connect-immediate-finish.js
    # end() while the lookup is pending: the lookup error still arrives once.
    lookups: List[Any] = []
    errors: List[Any] = []
    never = Calls()
    closes = Calls()

    def main() -> None:
        client = net.connect({"host": INVALID_HOST, "port": 80,
                              "lookup": error_lookup_mock(lookups)}, never)
        client.once("error", errors.append)
        client.on("close", closes)
        client.end()

    run(main)
    assert len(lookups) == 1
    assert never.count == 0
    assert closes.count == 1
    assert len(errors) == 1
    err = errors[0]
    assert not hasattr(err, "port") and not hasattr(err, "host")
    assert err.code == err.errno == "ENOTFOUND"
    assert err.syscall == "getaddrinfo"
    assert err.hostname == INVALID_HOST
    assert str(err) == "getaddrinfo ENOTFOUND something.invalid"


def test_real_lookup_failure_error_shape() -> None:
    # ported from test/parallel/test-net-dns-error.js
    # A 64-character label is rejected by the resolver itself (node v20:
    # 'lookup' (err, undefined, undefined, host) then 'error' ENOTFOUND).
    host = "*" * 64
    lookups: List[Any] = []
    errors: List[Any] = []

    def main() -> None:
        client = net.connect({"host": host, "port": 80})
        client.on("lookup", lambda *args: lookups.append(args))
        client.on("error", errors.append)

    run(main, timeout=20)
    assert len(lookups) == 1
    err, address, family, hostname = lookups[0]
    assert (address, family, hostname) == (None, None, host)
    assert err.code in ("ENOTFOUND", "EAI_FAIL")
    assert len(errors) == 1 and errors[0] is err
    assert err.syscall == "getaddrinfo"
    assert err.hostname == host
    assert str(err) == f"getaddrinfo {err.code} {host}"
    assert getattr(err, "port", None) is None


# --------------------------------------------------------------------- Unix sockets


def test_pipe_connect_to_regular_file(tmp_path: Any) -> None:
    # ported from test/parallel/test-net-pipe-connect-errors.js (ENOTSOCK)
    empty = tmp_path / "0.txt"
    empty.write_text("")
    errors: List[Any] = []
    never = Calls()

    def main() -> None:
        client = net.create_connection(str(empty), never)
        client.on("error", errors.append)

    run(main)
    assert never.count == 0
    assert len(errors) == 1
    assert errors[0].code in ("ENOTSOCK", "ECONNREFUSED")
    assert errors[0].syscall == "connect"


def test_pipe_connect_to_missing_file(ipc_path: str) -> None:
    # ported from test/parallel/test-net-pipe-connect-errors.js (ENOENT)
    # and test/parallel/test-net-better-error-messages-path.js
    errors: List[Any] = []
    never = Calls()
    missing = os.path.join(os.path.dirname(ipc_path), "fadagagsdfgsdf")

    def main() -> None:
        client = net.connect(missing)
        client.on("connect", never)
        client.on("error", errors.append)

    run(main)
    assert never.count == 0
    assert len(errors) == 1
    err = errors[0]
    assert err.code == "ENOENT"
    assert str(err) == f"connect ENOENT {missing}"
    assert err.address == missing
    assert err.syscall == "connect"


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0,
                    reason="chmod 0 does not stop root (as in Node's test)")
def test_pipe_connect_without_permission(ipc_path: str) -> None:
    # ported from test/parallel/test-net-pipe-connect-errors.js (EACCES)
    errors: List[Any] = []
    never = Calls()

    def main() -> None:
        server = net.create_server(never)

        def listening() -> None:
            os.chmod(ipc_path, 0)
            client = net.create_connection(ipc_path, never)

            def on_error(err: Any) -> None:
                errors.append(err)
                server.close()
            client.on("error", on_error)

        server.listen(ipc_path, listening)

    run(main)
    assert never.count == 0
    assert [e.code for e in errors] == ["EACCES"]


def test_pipe_connect_refused_after_server_close(ipc_path: str) -> None:
    # ported from test/parallel/test-net-pipe-connect-errors.js (ECONNREFUSED side):
    # a socket file nobody listens on any more.
    errors: List[Any] = []
    never = Calls()
    holder = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    holder.bind(ipc_path)   # bound, never listening: connect is refused

    def main() -> None:
        client = net.create_connection(ipc_path, never)
        client.on("error", errors.append)

    try:
        run(main)
    finally:
        holder.close()
    assert never.count == 0
    assert [e.code for e in errors] == ["ECONNREFUSED"]
    assert str(errors[0]) == f"connect ECONNREFUSED {ipc_path}"


# ------------------------------------------------ connects cut short, binds failing
# Listeners that destroy the socket mid-connect, a bind failure on every attempt,
# a Unix connect destroyed before its error is reported: compared with node
# v20.20 running the same steps (its lookups answered from setImmediate, since
# Node loses events of a lookup that answers inside connect()).


@pytest.mark.parametrize("auto_select_family", [False, True])
def test_lookup_listener_destroying_the_socket_stops_the_connect(
        auto_select_family: bool) -> None:
    # node: c.on('lookup', () => c.destroy()) -> just that one 'lookup' and
    # 'close' (false): no attempt, no error, the second answer not reported
    events: List[Any] = []

    def main() -> None:
        sock = net.connect({"port": 9, "host": "example.test",
                            "auto_select_family": auto_select_family,
                            "lookup": later([v4("127.0.0.1"), v4("127.0.0.2")])})
        record(sock, events)
        sock.on("lookup", lambda *_: sock.destroy())

    run(main)
    assert events == [("lookup", "127.0.0.1"), ("close", False)]


def test_local_port_in_use_fails_every_attempt_with_bind_errors() -> None:
    # node: connect({localPort: busy, autoSelectFamily: true}) to two addresses ->
    # no 'connectionAttempt' at all, one AggregateError (code EADDRINUSE) holding
    # 'bind EADDRINUSE 0.0.0.0:<busy>' twice (syscall bind, address 0.0.0.0)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    busy_port = busy.getsockname()[1]
    events: List[Any] = []
    errors: List[Any] = []

    def main() -> None:
        sock = net.connect({"port": 9, "host": "example.test", "localPort": busy_port,
                            "autoSelectFamily": True,
                            "lookup": later([v4("127.0.0.1"), v4("127.0.0.2")])})
        record(sock, events)
        sock.on("error", errors.append)

    try:
        run(main)
    finally:
        busy.close()
    assert [e for e in events if e[0] != "lookup"] == [("error", "EADDRINUSE"), ("close", True)]
    [agg] = errors
    assert isinstance(agg, net.errors.AggregateError) and str(agg) == ""
    assert [(e.code, str(e), e.syscall, e.address, e.port) for e in agg.errors] == [
        ("EADDRINUSE", f"bind EADDRINUSE 0.0.0.0:{busy_port}", "bind", "0.0.0.0", busy_port)] * 2


def test_unix_connect_destroyed_before_its_error_is_reported(tmp_path: Any) -> None:
    # node: net.connect('/missing/x.sock') then destroy() at once -> only 'close'
    # (false): the ENOENT, reported from the pending phase, finds the handle closed
    events: List[Any] = []

    def main() -> None:
        sock = net.connect(str(tmp_path / "missing" / "x.sock"))
        record(sock, events)
        sock.destroy()

    run(main)
    assert events == [("close", False)]


def test_connection_attempt_listener_destroying_the_socket() -> None:
    # Node v20 crashes when a 'connectionAttempt' listener destroys the socket in
    # a multi-address connect; nodenet stops cleanly: no further attempt, 'close'
    events: List[Any] = []

    def main() -> None:
        sock = net.connect({"port": 9, "host": "example.test", "autoSelectFamily": True,
                            "lookup": later([v4("127.0.0.1"), v4("127.0.0.2")])})
        record(sock, events)
        sock.on("connectionAttempt", lambda *_: sock.destroy())

    run(main)
    assert [e for e in events if e[0] != "lookup"] == [("attempt", "127.0.0.1"), ("close", False)]
