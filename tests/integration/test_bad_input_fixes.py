"""Issue 8, items 2-4: option values that took the loop down, JavaScript truthiness,
errors without a code, and Node 26's new checks. Each case was run in Node 26
(v26.12.1); the bad-input table (tests/badinput) covers the whole API.
"""

from __future__ import annotations

import math
import os
import socket
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

import nodenet as net
from nodenet import dns
from support import Calls, run


def code_of(fn: Callable[[], Any]) -> str:
    with pytest.raises(Exception) as info:
        fn()
    code = getattr(info.value, "code", None)
    assert code is not None, f"raised {info.value!r} without a code"
    return str(code)


def serve_once(server: net.Server, host: str = "127.0.0.1",
               **listen_options: Any) -> List[Any]:
    """Listen on ``server``, connect, send b'ping', expect the echo: the events seen."""
    seen: List[Any] = []

    def main() -> None:
        def listening() -> None:
            seen.append("listening")
            c = net.connect(server.address()["port"], host)
            c.on("data", lambda d: (seen.append(d), c.end()))
            c.on("error", lambda e: seen.append(("client-error", e.code)))
            c.on("close", lambda *_: server.close())
            c.write(b"ping")

        server.on("error", lambda e: seen.append(("error", e.code)))
        server.listen({"port": 0, "host": host, **listen_options}, listening)

    run(main, 10)
    return seen


def echo_server(options: Any = None) -> net.Server:
    def on_connection(c: net.Socket) -> None:
        c.on("data", c.write)
        c.on("end", c.end)
    return net.create_server(options, on_connection)


# ---------------------------------------------------------------------- item 2: coercion


@pytest.mark.parametrize("backlog", ["x", 1.5, math.inf, 2**31, [1], -1, math.nan, {}, True,
                                     10**400, -(2**31) - 1], ids=repr)
def test_any_backlog_listens_and_serves(backlog: Any) -> None:
    # Node: the backlog goes through ToInt32 (`backlog || 511`); these raised a
    # TypeError/OverflowError on the loop thread, which was fatal
    assert serve_once(echo_server(), backlog=backlog) == ["listening", b"ping"]


@pytest.mark.parametrize("args", [(0, "127.0.0.1", math.inf), (0, "127.0.0.1", "Infinity"),
                                  (0, "127.0.0.1", [7]), (0, "127.0.0.1", 10**400)],
                         ids=repr)
def test_positional_backlogs(args: Any) -> None:
    seen = Calls()

    def main() -> None:
        server = net.create_server()
        server.listen(*args, lambda: (seen(), server.close()))

    run(main, 5)
    assert seen.count == 1


@pytest.mark.parametrize("delay", [1e30, 10**400, math.nan, math.inf, -5, 2**40], ids=repr)
def test_keep_alive_initial_delay_accepted_and_every_connection_works(delay: Any) -> None:
    # Node: ~~(delay / 1000); 1e30 was accepted, then every accepted connection
    # raised OverflowError on the loop
    server = echo_server({"keep_alive": True, "keep_alive_initial_delay": delay})
    assert serve_once(server) == ["listening", b"ping"]


@pytest.mark.parametrize("delay", [math.nan, math.inf, 10**400, "x", {}, -1, "5000", [3000]],
                         ids=repr)
def test_set_keep_alive_accepts_any_delay(delay: Any) -> None:
    seen: List[Any] = []

    def main() -> None:
        server = echo_server()

        def listening() -> None:
            c = net.Socket()
            c.set_keep_alive(True, delay)                # before connecting: cached
            c.connect(server.address()["port"], "127.0.0.1")
            c.on("connect", lambda: (c.set_keep_alive(False), c.set_keep_alive(True, delay),
                                     c.write(b"x")))
            c.on("data", lambda d: (seen.append(d), c.end()))
            c.on("close", lambda *_: server.close())

        server.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert seen == [b"x"]


def test_keep_alive_delay_reaches_the_socket_in_whole_seconds() -> None:
    got: Dict[str, Any] = {}

    def main() -> None:
        server = net.create_server(lambda c: c.end())

        def listening() -> None:
            c = net.connect(server.address()["port"], "127.0.0.1")

            def connected() -> None:
                c.set_keep_alive(True, "7000")           # ToNumber('7000') / 1000
                sock = socket.socket(fileno=c.fileno())
                try:
                    got["on"] = sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
                    if hasattr(socket, "TCP_KEEPIDLE"):
                        got["idle"] = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE)
                finally:
                    sock.detach()
                c.destroy()
                server.close()
            c.on("connect", connected)

        server.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert got["on"] == 1
    assert got.get("idle", 7) == 7


def test_set_timeout_of_a_huge_int_is_out_of_range() -> None:
    s = net.Socket()
    assert code_of(lambda: s.set_timeout(10**400)) == "ERR_OUT_OF_RANGE"
    with pytest.raises(ValueError, match="Received Infinity"):
        s.set_timeout(10**400)
    s.destroy()
    net.run()


def test_numbers_beyond_doubles_are_coded_everywhere() -> None:
    assert code_of(lambda: net.connect(10**400)) == "ERR_SOCKET_BAD_PORT"
    assert code_of(lambda: net.create_server().listen(10**400)) == "ERR_SOCKET_BAD_PORT"
    assert code_of(lambda: net.Socket({"fd": 10**400})) == "ERR_OUT_OF_RANGE"
    assert code_of(lambda: net.Socket({"high_water_mark": 10**400})) == "ERR_INVALID_ARG_VALUE"
    net.run()


# ---------------------------------------------------------------------- item 4: codes


def test_socket_of_a_float_fd() -> None:
    # Node: new Socket(80.0) is fd 80 (not open: ERR_INVALID_FD_TYPE UNKNOWN)
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    assert code_of(lambda: net.Socket(float(r))) == "ERR_INVALID_FD_TYPE"
    assert code_of(lambda: net.Socket(80.5)) == "ERR_OUT_OF_RANGE"
    assert code_of(lambda: net.Socket({"fd": None})) == "ERR_INVALID_ARG_TYPE"   # null
    net.Socket(fd=None).destroy()                     # a keyword None is not given
    net.run()


@pytest.mark.parametrize("fd", [4294967301, math.inf, 1.5, 2**31], ids=repr)
def test_listen_on_an_fd_that_is_no_int32_is_einval(fd: Any) -> None:
    errors: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.on("error", lambda e: errors.append((e.code, e.syscall)))
        server.listen({"fd": fd})

    run(main, 5)
    assert errors == [("EINVAL", "listen")]


def test_listen_on_an_object_whose_fileno_is_garbage() -> None:
    class Odd:
        def fileno(self) -> Any:
            return "three"

    errors: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.on("error", lambda e: errors.append(e.code))
        server.listen(Odd())

    run(main, 5)
    assert errors == ["EINVAL"]


@pytest.mark.parametrize("hwm", [math.nan, 1.5, math.inf, 10**400], ids=repr)
def test_server_high_water_mark_that_is_no_integer_raises_at_the_call(hwm: Any) -> None:
    # Node accepts it, then throws from every accept (the process dies): raised here
    assert code_of(lambda: net.create_server({"high_water_mark": hwm})) == \
        "ERR_INVALID_ARG_VALUE"
    assert code_of(lambda: net.create_server({"high_water_mark": None})) == \
        "ERR_INVALID_ARG_TYPE"                      # null
    assert code_of(lambda: net.create_server({"keepAliveInitialDelay": None})) == \
        "ERR_INVALID_ARG_TYPE"
    server = echo_server({"high_water_mark": -3})   # negative: the default
    assert server.high_water_mark == 65536
    net.run()


# ---------------------------------------------------------------------- item 3: truthiness


@pytest.mark.parametrize("host", [{}, [], [1], b"127.0.0.1", object()], ids=repr)
def test_listen_host_that_is_an_object_raises(host: Any) -> None:
    # issue 8: {} bound '::' (all interfaces); Node: dns.lookup's ERR_INVALID_ARG_TYPE
    server = net.create_server()
    assert code_of(lambda: server.listen({"port": 0, "host": host})) == "ERR_INVALID_ARG_TYPE"
    assert server.address() is None
    net.run()


@pytest.mark.parametrize("host", [0, False, "", math.nan], ids=repr)
def test_listen_falsy_host_is_no_host(host: Any) -> None:
    got: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.listen({"port": 0, "host": host},
                      lambda: (got.append(server.address()["address"]), server.close()))

    run(main, 5)
    assert got and got[0] in ("::", "0.0.0.0")


def test_listen_handle_option_is_the_options_when_it_is_an_object() -> None:
    # Node: options = options._handle || options.handle || options
    server = net.create_server()
    assert code_of(lambda: server.listen({"port": 0, "handle": {}})) == "ERR_INVALID_ARG_VALUE"
    assert code_of(lambda: server.listen({"port": 0, "handle": "x"})) == "ERR_INVALID_ARG_VALUE"
    assert serve_once(echo_server(), handle={"port": 0, "host": "127.0.0.1"}) == \
        ["listening", b"ping"]


def test_listen_signal_null_is_a_type_error() -> None:
    server = net.create_server()
    assert code_of(lambda: server.listen({"port": 0, "signal": None})) == "ERR_INVALID_ARG_TYPE"
    assert code_of(lambda: server.listen({"port": 0, "signal": 0})) == "ERR_INVALID_ARG_TYPE"
    net.run()


def test_connect_local_address_and_port_truthiness() -> None:
    seen: List[Any] = []

    def main() -> None:
        server = net.create_server(lambda c: c.destroy())

        def listening() -> None:
            port = server.address()["port"]
            for bad in ({}, []):
                try:
                    net.connect({"port": port, "host": "127.0.0.1", "local_address": bad})
                except Exception as exc:  # noqa: BLE001
                    seen.append(exc.code)  # type: ignore[attr-defined]
            # NaN is falsy: no bind (it raised TypeError on the loop)
            c = net.connect({"port": port, "host": "127.0.0.1", "local_port": math.nan})
            c.on("connect", lambda: seen.append("connect"))
            c.on("close", lambda *_: after(port))

        def after(port: int) -> None:
            # 70000: Node binds ToInt32 & 0xFFFF and then sees another port: EADDRINUSE
            c = net.connect({"port": port, "host": "127.0.0.1", "local_port": 70000})
            c.on("error", lambda e: seen.append((e.code, e.syscall)))
            c.on("close", lambda *_: server.close())

        server.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert seen == ["ERR_INVALID_IP_ADDRESS", "ERR_INVALID_IP_ADDRESS", "connect",
                    ("EADDRINUSE", "bind")]


def test_connect_timeout_option_truthiness() -> None:
    seen: List[Any] = []

    def main() -> None:
        server = net.create_server(lambda c: c.destroy())

        def listening() -> None:
            port = server.address()["port"]
            assert code_of(lambda: net.connect({"port": port, "timeout": []})) == \
                "ERR_INVALID_ARG_TYPE"
            c = net.connect({"port": port, "host": "127.0.0.1", "timeout": math.nan})
            c.on("connect", lambda: (seen.append(c.timeout), c.destroy()))
            c.on("close", lambda *_: server.close())

        server.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert seen == [None]


def test_socket_and_server_falsy_signal_and_block_list_are_not_given() -> None:
    for falsy in (0, "", False, math.nan):
        net.Socket({"signal": falsy, "block_list": falsy}).destroy()
        net.create_server({"block_list": falsy})
    assert code_of(lambda: net.Socket({"block_list": "x"})) == "ERR_INVALID_ARG_TYPE"
    assert code_of(lambda: net.Socket({"object_mode": []})) == "ERR_INVALID_ARG_VALUE"
    net.Socket({"object_mode": math.nan}).destroy()
    net.run()


@pytest.mark.parametrize("options", ["x", True, [], b"x", object(), lambda: None], ids=repr)
def test_socket_of_any_other_value_is_a_plain_socket(options: Any) -> None:
    # Node: new Socket(x) spreads x into an options object
    s = net.Socket(options)
    assert s.fileno() == -1
    s.destroy()
    net.run()


@pytest.mark.parametrize("limit,event", [("x", "connection"), ("0", "drop"), ([], "drop"),
                                         ([1], "connection"), ({}, "connection"),
                                         (True, "connection"), (False, "drop")], ids=repr)
def test_max_connections_compares_as_javascript(limit: Any, event: str) -> None:
    seen: List[str] = []

    def main() -> None:
        server = net.create_server(lambda c: (seen.append("connection"), c.destroy()))
        server.max_connections = limit
        server.on("drop", lambda *_: seen.append("drop"))

        def listening() -> None:
            c = net.connect(server.address()["port"], "127.0.0.1")
            c.on("error", lambda e: None)
            c.on("close", lambda *_: server.close())
        server.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert seen == [event]


def test_set_no_delay_none_is_undefined_so_true() -> None:
    seen: List[bool] = []

    def main() -> None:
        s = net.Socket()
        s.set_no_delay(None)
        seen.append(s._no_delay)
        s.set_no_delay(0)
        seen.append(s._no_delay)
        s.destroy()

    run(main, 5)
    assert seen == [True, False]


# ---------------------------------------------------------------------- Node 26 checks


@pytest.mark.parametrize("host", ["a\0b", "\0", "localhost\0"], ids=repr)
def test_host_with_a_nul_raises_at_the_call(host: str) -> None:
    # Node >= 26.3.1: validateStringWithoutNullBytes, in connect, listen and dns.lookup
    assert code_of(lambda: net.connect(80, host)) == "ERR_INVALID_ARG_VALUE"
    assert code_of(lambda: net.connect({"port": 80, "host": host, "lookup": print})) == \
        "ERR_INVALID_ARG_VALUE"
    assert code_of(lambda: net.create_server().listen(0, host)) == "ERR_INVALID_ARG_VALUE"
    assert code_of(lambda: dns.lookup(host, print)) == "ERR_INVALID_ARG_VALUE"
    net.run()


def test_connect_host_must_be_a_string_even_with_a_lookup() -> None:
    # Node 26 checks options.host before anything else, custom lookup or not
    assert code_of(lambda: net.connect({"port": 80, "host": {}, "lookup": print})) == \
        "ERR_INVALID_ARG_TYPE"
    assert code_of(lambda: net.connect({"port": "x", "host": 5})) == "ERR_INVALID_ARG_TYPE"
    net.run()


def test_unix_path_with_a_nul_is_einval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Node 26 (libuv) refuses it; Node 20 cut the path at the NUL
    monkeypatch.chdir(tmp_path)
    seen: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.on("error", lambda e: seen.append(("listen", e.code)))
        server.listen("a\0b")
        c = net.connect("a\0b")
        c.on("error", lambda e: seen.append(("connect", e.code)))

    run(main, 5)
    assert sorted(seen) == [("connect", "EINVAL"), ("listen", "EINVAL")]
    assert os.listdir(tmp_path) == []


def test_lookup_of_a_lone_surrogate_is_einval() -> None:
    seen: List[Any] = []
    dns.lookup("\ud800", lambda err, *a: seen.append((err.code, err.syscall, err.hostname)))
    run(None, 5)
    assert seen == [("EINVAL", "getaddrinfo", "\ud800")]


# ---------------------------------------------------------------------- stream methods


def test_read_size_goes_through_parse_int() -> None:
    got: List[Any] = []

    def main() -> None:
        server = net.create_server(lambda c: c.end(b"abcdef"))

        def listening() -> None:
            c = net.connect(server.address()["port"], "127.0.0.1")

            def readable() -> None:
                if c.readable_length < 6 and not c.readable_ended:
                    return
                got.append(c.read("2"))        # parseInt('2')
                got.append(c.read(1.5))        # parseInt(1.5) is 1
                got.append(c.read("x"))        # NaN: everything
                c.remove_listener("readable", readable)
                c.destroy()
                server.close()
            c.on("readable", readable)

        server.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert got == [b"ab", b"c", b"def"]


def test_pipe_to_something_that_is_no_stream() -> None:
    s = net.Socket()
    for dest in (None, "x", 5, {}, object()):
        assert code_of(lambda: s.pipe(dest)) == "ERR_INVALID_ARG_TYPE"
    s.destroy()
    net.run()


@pytest.mark.parametrize("falsy", [0, "", False, math.nan], ids=repr)
def test_destroy_with_a_falsy_error_is_no_error(falsy: Any) -> None:
    errors = Calls()
    closes = Calls()
    s = net.Socket()
    s.on("error", errors)
    s.on("close", closes)
    s.destroy(falsy)
    run(None, 5)
    assert errors.count == 0 and closes.calls == [(False,)]


def test_write_encoding_truthiness_and_set_encoding_empty() -> None:
    seen: List[Any] = []

    def main() -> None:
        s = net.Socket()
        seen.append(code_of(lambda: s.write("x", [])))
        seen.append(code_of(lambda: s.write("x", {})))
        seen.append(code_of(lambda: s.write(None)))     # undefined, not null
        s.set_encoding("")                               # Node: '' is utf8
        seen.append(s.readable_encoding)
        s.destroy()

    run(main, 5)
    assert seen == ["ERR_UNKNOWN_ENCODING", "ERR_UNKNOWN_ENCODING", "ERR_INVALID_ARG_TYPE", "utf8"]
