"""Node's server.listen() tests: signatures, validation, address(), EADDRINUSE,
Unix-socket listen, listen(handle) forms (reference/node-net-tests.md §2.A).

Each test names the Node file it ports. Everything asynchronous is set up inside
``support.run(main)``; events are recorded and asserted after the loop emptied.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import stat
import subprocess
import sys
from typing import Any, Callable, Dict, List

import pytest

import nodenet as net
from conftest import HAS_IPV6
from nodenet.errors import NodeError, NodeRangeError, NodeTypeError
from support import Calls, run

LINUX = sys.platform.startswith("linux")


def close_server(server: net.Server) -> Callable[..., None]:
    """Node's ``function close() { this.close(); }`` for a listening callback."""
    return lambda *_: server.close()


# ----------------------------------------------------------------------------- listen forms


def test_listen_forms_emit_listening_once() -> None:
    # ported from test/parallel/test-net-server-listen-options.js
    # listen(), listen(cb), listen(0), listen({port: 0}), plus the keyword form.
    counts: Dict[str, Calls] = {}
    servers: List[net.Server] = []

    def start(name: str, fn: Callable[[net.Server, Callable[..., None]], Any],
              via_event: bool) -> None:
        server = net.create_server()
        servers.append(server)
        calls = counts[name] = Calls(close_server(server))
        assert fn(server, calls) is server   # listen() returns the server
        if via_event:
            server.on("listening", calls)

    def main() -> None:
        start("listen()", lambda s, cb: s.listen(), True)
        start("listen(cb)", lambda s, cb: s.listen(cb), False)
        start("listen(0)", lambda s, cb: s.listen(0), True)
        start("listen({port:0})", lambda s, cb: s.listen({"port": 0}), True)
        start("listen(port=0)", lambda s, cb: s.listen(port=0), True)
        start("listen({'port': 0}, cb)", lambda s, cb: s.listen({"port": 0}, cb), False)

    run(main)
    assert {name: c.count for name, c in counts.items()} == {name: 1 for name in counts}
    assert all(not s.listening for s in servers)


@pytest.mark.parametrize("form", ["options", "positional"])
@pytest.mark.parametrize("port", ["0", 0, None], ids=["str0", "int0", "None"])
def test_listen_random_port_spellings(form: str, port: Any) -> None:
    # ported from test/parallel/test-net-server-listen-options.js
    # '0', 0, undefined and null all mean "a random port" for listen(port, cb)
    # and listen({port}, cb) (Node's undefined and null are both None here).
    ports: List[int] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            ports.append(server.address()["port"])
            server.close()

        if form == "options":
            server.listen({"port": port}, listening)
        else:
            server.listen(port, listening)

    run(main)
    assert len(ports) == 1 and 0 < ports[0] < 65536


@pytest.mark.parametrize("form", ["options", "positional"])
@pytest.mark.parametrize("port", [-1, math.nan, 123.456, 65536, math.inf, -math.inf],
                         ids=["-1", "NaN", "123.456", "65536", "Infinity", "-Infinity"])
def test_listen_bad_port_throws(form: str, port: Any) -> None:
    # ported from test/parallel/test-net-server-listen-options.js
    never = Calls()
    server = net.create_server()
    with pytest.raises(NodeRangeError) as info:
        if form == "options":
            server.listen({"port": port}, never)
        else:
            server.listen(port, never)
    assert info.value.code == "ERR_SOCKET_BAD_PORT"
    assert isinstance(info.value, ValueError)   # Node's RangeError
    assert str(info.value).startswith("options.port should be >= 0 and < 65536.")
    run()
    assert never.count == 0
    assert not server.listening


def test_listen_port_checked_before_path(ipc_path: str) -> None:
    # ported from test/parallel/test-net-server-listen-options.js
    # "In listen(options, cb), port takes precedence over path"
    never = Calls()
    with pytest.raises(NodeRangeError) as info:
        net.create_server().listen({"port": -1, "path": ipc_path}, never)
    assert info.value.code == "ERR_SOCKET_BAD_PORT"
    run()
    assert never.count == 0
    assert not os.path.exists(ipc_path)


@pytest.mark.parametrize("options", [False, True, {"port": False}, {"port": True},
                                     {"path": -1}],
                         ids=["False", "True", "port-False", "port-True", "path--1"])
def test_listen_invalid_options(options: Any) -> None:
    # ported from test/parallel/test-net-server-listen-options.js
    never = Calls()
    with pytest.raises(NodeTypeError) as info:
        net.create_server().listen(options, never)
    assert info.value.code == "ERR_INVALID_ARG_VALUE"
    assert str(info.value).startswith("The argument 'options' is invalid. Received ")
    run()
    assert never.count == 0


@pytest.mark.parametrize("options", [{}, {"host": "localhost"}, {"host": "localhost:3000"},
                                     {"host": {"port": 3000}}, {"exclusive": True},
                                     {"fd": -1}],
                         ids=["empty", "host", "host-with-port", "host-object",
                              "exclusive", "fd--1"])
def test_listen_options_without_port_or_path(options: Dict[str, Any]) -> None:
    # ported from test/parallel/test-net-server-listen-options.js
    # (node v20 puts {fd: -1} in this group too: it has neither key)
    never = Calls()
    with pytest.raises(NodeTypeError) as info:
        net.create_server().listen(options, never)
    assert info.value.code == "ERR_INVALID_ARG_VALUE"
    assert str(info.value).startswith(
        "The argument 'options' must have the property \"port\" or \"path\". Received ")
    run()
    assert never.count == 0


@pytest.mark.parametrize("form", ["options", "port", "port-host"])
def test_listen_invalid_port_uint32_max(form: str) -> None:
    # ported from test/parallel/test-net-listen-invalid-port.js
    # 4294967295 (-1 >>> 0) is rejected in every form; the _connectionKey part
    # of the Node test is internal and not ported.
    bad = 4294967295
    server = net.create_server()
    with pytest.raises(NodeRangeError) as info:
        if form == "options":
            server.listen({"port": bad})
        elif form == "port":
            server.listen(bad)
        else:
            server.listen(bad, "0.0.0.0")
    assert info.value.code == "ERR_SOCKET_BAD_PORT"
    run()
    assert not server.listening


# ------------------------------------------------------------------- listen multiple times


def test_listen_again_after_eaddrinuse_error() -> None:
    # ported from test/parallel/test-net-server-call-listen-multiple-times.js (first test)
    errors: List[Any] = []
    relisten = Calls()

    def main() -> None:
        dummy = net.Server()
        server = net.Server()

        def on_error(err: Any) -> None:
            errors.append(err)

            def listening() -> None:
                relisten()
                dummy.close()
                server.close()
            server.listen(listening)

        server.on("error", on_error)
        dummy.listen(lambda: server.listen(dummy.address()["port"]))

    run(main)
    assert [e.code for e in errors] == ["EADDRINUSE"]
    assert relisten.count == 1


def test_second_listen_throws_already_listen() -> None:
    # ported from test/parallel/test-net-server-call-listen-multiple-times.js (second test)
    raised: List[BaseException] = []
    listening = Calls()

    def main() -> None:
        server = net.Server()
        server.listen(lambda: (listening(), server.close()))
        try:
            server.listen()
        except NodeError as exc:
            raised.append(exc)

    run(main)
    assert listening.count == 1
    assert len(raised) == 1
    assert raised[0].code == "ERR_SERVER_ALREADY_LISTEN"
    assert str(raised[0]) == "Listen method has been called more than once without closing."
    assert not isinstance(raised[0], (TypeError, ValueError))   # a plain Node Error


def test_listen_again_right_after_close() -> None:
    # ported from test/parallel/test-net-server-call-listen-multiple-times.js (third test)
    first, second = Calls(), Calls()

    def main() -> None:
        server = net.Server()

        def on_first() -> None:
            first()
            server.close()
            server.listen(lambda: (second(), server.close()))

        server.listen(on_first)

    run(main)
    assert (first.count, second.count) == (1, 1)


def test_listen_callback_is_a_once_listener() -> None:
    # ported from test/parallel/test-net-server-listen-remove-callback.js
    # The listen callback is registered with once('listening'); from a
    # once('close') handler the server can listen again.
    seen: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.on("close", lambda *_: seen.append(
            ("close", len(server.listeners("listening")))))

        def relisten(*_: Any) -> None:
            server.listen(0, lambda: (seen.append("listening-2"), server.close()))

        server.once("close", relisten)
        server.listen(0, lambda: (seen.append("listening-1"), server.close()))

    run(main)
    assert seen == ["listening-1", ("close", 0), "listening-2", ("close", 0)]


def test_listening_property() -> None:
    # ported from test/parallel/test-net-listening.js
    states: List[Any] = []

    def main() -> None:
        server = net.create_server()
        states.append(("before", server.listening))

        def on_listening() -> None:
            states.append(("listen-cb", server.listening))
            server.close(lambda err: states.append(("close-cb", server.listening, err)))

        server.listen(0, on_listening)

    run(main)
    assert states == [("before", False), ("listen-cb", True), ("close-cb", False, None)]


def test_close_before_listening_suppresses_listening() -> None:
    # ported from test/parallel/test-net-listen-close-server.js
    never = Calls()
    errors = Calls()
    closed = Calls()

    def main() -> None:
        server = net.create_server()
        server.listen(0, never)
        server.on("error", errors)
        server.on("close", closed)
        server.close()

    run(main)
    assert never.count == 0
    assert errors.count == 0
    assert closed.count == 1


def test_close_with_non_function_argument() -> None:
    # ported from test/parallel/test-net-listen-close-server-callback-is-not-function.js
    closed = Calls()

    def main() -> None:
        server = net.create_server()
        server.on("close", closed)
        server.listen(0)
        assert server.close("bad argument") is server   # type: ignore[arg-type]

    run(main)
    assert closed.count == 1


def test_close_before_hostname_lookup_answers() -> None:
    # ported from test/parallel/test-net-server-close-before-calling-lookup-callback.js
    # With a hostname the bind waits for the lookup; close() cancels it.
    never = Calls()
    errors = Calls()
    closed = Calls()
    server_box: List[net.Server] = []

    def main() -> None:
        server = net.create_server()
        server_box.append(server)
        server.on("error", errors)
        server.on("close", closed)
        server.listen(0, "localhost", never).close()

    run(main)
    assert never.count == 0
    assert errors.count == 0
    assert closed.count == 1
    assert server_box[0].address() is None
    assert not server_box[0].listening


# ------------------------------------------------------------------------- EADDRINUSE


def test_eaddrinuse_then_listen_elsewhere() -> None:
    # ported from test/parallel/test-net-eaddrinuse.js, test-net-bind-twice.js
    # and test-net-server-try-ports.js
    # The failed listen's callback stays a once('listening') listener, so it
    # runs when the same server later listens successfully (as node v20 does).
    errors: List[Any] = []
    order: List[str] = []
    second_port: List[int] = []

    def main() -> None:
        server1 = net.create_server()
        server2 = net.create_server()

        def on_error(err: Any) -> None:
            errors.append(err)
            order.append("error")

            def ok() -> None:
                order.append("second-cb")
                second_port.append(server2.address()["port"])
                server1.close()
                server2.close()
            server2.listen(0, "127.0.0.1", ok)

        server2.on("error", on_error)
        server1.listen(0, "127.0.0.1", lambda: server2.listen(
            server1.address()["port"], "127.0.0.1", lambda: order.append("first-cb")))

    run(main)
    assert order == ["error", "first-cb", "second-cb"]
    assert len(errors) == 1
    err = errors[0]
    assert err.code == "EADDRINUSE"
    assert "EADDRINUSE" in str(err)
    assert err.syscall == "listen"
    assert err.address == "127.0.0.1"
    assert str(err) == f"listen EADDRINUSE: address already in use 127.0.0.1:{err.port}"
    assert isinstance(err, OSError)
    assert len(second_port) == 1


def test_listen_on_non_local_address_error_properties() -> None:
    # ported from test/parallel/test-net-better-error-messages-listen.js
    # and test/parallel/test-net-listen-error.js
    errors: List[Any] = []
    never = Calls()

    def main() -> None:
        server = net.create_server(never)
        server.listen(1, "1.1.1.1", never)
        server.on("error", lambda err: (errors.append(err), server.close()))

    run(main)
    assert never.count == 0
    assert len(errors) == 1
    err = errors[0]
    assert err.code in ("EADDRNOTAVAIL", "EACCES")
    assert err.address == "1.1.1.1"
    assert err.port == 1
    assert err.syscall == "listen"
    if err.code == "EADDRNOTAVAIL":
        # node v20: 'listen EADDRNOTAVAIL: address not available 1.1.1.1:1'
        assert str(err) == "listen EADDRNOTAVAIL: address not available 1.1.1.1:1"


# ---------------------------------------------------------------------------- Unix sockets


def test_listen_path_error_has_address() -> None:
    # ported from test/parallel/test-net-better-error-messages-listen-path.js
    errors: List[Any] = []
    never = Calls()
    path = "/blah/fadfa"

    def main() -> None:
        server = net.create_server(never)
        server.listen(path, never)
        server.on("error", lambda err: (errors.append(err), server.close()))

    run(main)
    assert never.count == 0
    assert len(errors) == 1
    assert errors[0].address == path
    assert errors[0].code in ("ENOENT", "EACCES")   # as Node's test allows
    assert errors[0].syscall == "listen"
    assert errors[0].port == -1   # node v20 sets port -1 on pipe listen errors


def test_listen_path_missing_directory_is_eacces() -> None:
    # ported from test/parallel/test-net-better-error-messages-listen-path.js,
    # exact as node v20.20 prints it (libuv turns bind's ENOENT into EACCES
    # "for compatibility with Windows"), even when running as root.
    errors: List[Any] = []
    path = "/blah/fadfa"

    def main() -> None:
        server = net.create_server()
        server.listen(path)
        server.on("error", lambda err: (errors.append(err), server.close()))

    run(main)
    assert [e.code for e in errors] == ["EACCES"]
    assert str(errors[0]) == "listen EACCES: permission denied /blah/fadfa"


@pytest.mark.parametrize("form", ["path", "options", "path-cb", "options-cb"])
def test_listen_path_forms(ipc_path: str, form: str) -> None:
    # ported from test/parallel/test-net-server-listen-path.js
    listening = Calls()
    addresses: List[Any] = []
    closed = Calls()

    def main() -> None:
        server = net.create_server()

        def on_listening() -> None:
            listening()
            addresses.append(server.address())
            server.close()

        server.on("close", closed)
        if form == "path":
            server.listen(ipc_path).on("listening", on_listening)
        elif form == "options":
            server.listen({"path": ipc_path}).on("listening", on_listening)
        elif form == "path-cb":
            server.listen(ipc_path, on_listening)
        else:
            server.listen({"path": ipc_path}, on_listening)

    run(main)
    assert listening.count == 1
    assert closed.count == 1
    # ported from test/parallel/test-pipe-address.js: address() is the path string
    assert addresses == [ipc_path]
    assert not os.path.exists(ipc_path)   # the server unlinks what it created


def test_listen_path_readable_all_writable_all(ipc_path: str) -> None:
    # ported from test/parallel/test-net-server-listen-path.js ("Test pipe chmod")
    modes: List[int] = []

    def main() -> None:
        server = net.create_server()

        def on_listening() -> None:
            modes.append(os.stat(ipc_path).st_mode)
            server.close()

        server.listen({"path": ipc_path, "readableAll": True, "writable_all": True},
                      on_listening)

    run(main)
    assert len(modes) == 1
    assert modes[0] & stat.S_IROTH
    assert modes[0] & stat.S_IWOTH
    assert stat.S_ISSOCK(modes[0])


def test_listen_path_in_use(ipc_path: str) -> None:
    # ported from test/parallel/test-net-server-listen-path.js ("should emit error")
    errors: List[Any] = []
    never = Calls()

    def main() -> None:
        server1 = net.create_server()

        def on_listening() -> None:
            server2 = net.create_server()
            server2.listen({"path": ipc_path, "writableAll": True}, never)

            def on_error(err: Any) -> None:
                errors.append(err)
                server1.close()
            server2.on("error", on_error)

        server1.listen({"path": ipc_path}, on_listening)

    run(main)
    assert never.count == 0
    assert len(errors) == 1
    assert errors[0].code == "EADDRINUSE"
    assert str(errors[0]).startswith("listen EADDRINUSE: address already in use")
    # the first server's file was unlinked on its close, the second never owned it
    assert not os.path.exists(ipc_path)


@pytest.mark.skipif(not LINUX, reason="abstract Unix sockets are Linux-only")
@pytest.mark.parametrize("flags", [{"readableAll": True}, {"writableAll": True},
                                   {"readable_all": True, "writable_all": True}],
                         ids=["readable", "writable", "both"])
def test_abstract_socket_with_chmod_flags_throws(flags: Dict[str, bool]) -> None:
    # ported from test/parallel/test-pipe-abstract-socket.js
    server = net.create_server()
    with pytest.raises(NodeTypeError) as info:
        server.listen(dict(flags, path="\0abstract-nodenet-test"))
    assert info.value.code == "ERR_INVALID_ARG_VALUE"
    # the typo "writableAllt" is Node's own
    assert ("can not set readableAll or writableAllt to true when path is abstract "
            "unix socket") in str(info.value)
    run()
    assert not server.listening


@pytest.mark.skipif(not LINUX, reason="abstract Unix sockets are Linux-only")
def test_abstract_socket_listen_and_connect() -> None:
    # ported from test/parallel/test-pipe-abstract-socket.js (the listen that works)
    name = f"\0nodenet-abstract-{os.getpid()}"
    seen: List[Any] = []

    def main() -> None:
        server = net.create_server(lambda s: s.end("ok"))

        def on_listening() -> None:
            seen.append(server.address())
            client = net.connect(name)
            client.on("data", seen.append)
            client.on("close", lambda *_: server.close())

        server.listen(name, on_listening)

    run(main)
    assert seen == [name, b"ok"]


# ------------------------------------------------------------------------ address()


def test_address_ipv4() -> None:
    # ported from test/sequential/test-net-server-address.js
    addresses: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.listen(0, "127.0.0.1", lambda: (addresses.append(server.address()),
                                               server.close()))

    run(main)
    assert len(addresses) == 1
    assert addresses[0]["address"] == "127.0.0.1"
    assert addresses[0]["family"] == "IPv4"
    assert addresses[0]["port"] > 0
    assert set(addresses[0]) == {"address", "family", "port"}


@pytest.mark.skipif(not HAS_IPV6, reason="no IPv6 loopback")
def test_address_ipv6() -> None:
    # ported from test/sequential/test-net-server-address.js
    addresses: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.listen(0, "::1", lambda: (addresses.append(server.address()),
                                         server.close()))

    run(main)
    assert addresses[0]["address"] == "::1"
    assert addresses[0]["family"] == "IPv6"
    assert addresses[0]["port"] > 0


@pytest.mark.parametrize("form", ["listen(cb)", "listen(0)", "listen()"])
def test_address_default_is_dual_stack(form: str) -> None:
    # ported from test/sequential/test-net-server-address.js
    # No host: dual-stack '::' when IPv6 works, else '0.0.0.0'. The address
    # is usable right after listen() returns (synchronous bind, §4.5).
    sync: List[Any] = []
    later: List[Any] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            later.append(server.address())
            server.close()

        if form == "listen(cb)":
            server.listen(listening)
        elif form == "listen(0)":
            server.listen(0)
            server.on("listening", listening)
        else:
            server.listen()
            server.on("listening", listening)
        sync.append(server.address())

    run(main)
    expected = ("::", "IPv6") if HAS_IPV6 else ("0.0.0.0", "IPv4")
    assert (sync[0]["address"], sync[0]["family"]) == expected
    assert sync == later


@pytest.mark.skipif(not HAS_IPV6, reason="no IPv6 loopback")
def test_dual_stack_default_accepts_ipv4_and_ipv6() -> None:
    # ported from test/sequential/test-net-server-address.js (dual-stack '::'):
    # the default bind clears IPV6_V6ONLY, so IPv4 clients connect too.
    remotes: List[str] = []

    def main() -> None:
        count = [0]

        def on_connection(sock: net.Socket) -> None:
            remotes.append(sock.remote_address)
            sock.end()
            count[0] += 1
            if count[0] == 2:
                server.close()

        server = net.create_server(on_connection)

        def listening() -> None:
            port = server.address()["port"]
            net.connect(port, "127.0.0.1").resume()
            net.connect(port, "::1").resume()

        server.listen(0, listening)

    run(main)
    assert sorted(remotes) == ["::1", "::ffff:127.0.0.1"]


def test_address_is_none_when_not_listening() -> None:
    # ported from test/parallel/test-net-server-async-dispose.mjs (address() === null
    # once closed); the context manager stands in for Symbol.asyncDispose.
    seen: List[Any] = []
    closed = Calls()

    def main() -> None:
        server = net.create_server()
        seen.append(server.address())
        server.on("close", closed)

        def listening() -> None:
            with server:
                seen.append(server.listening)
            seen.append(server.address())

        server.listen(0, listening)

    run(main)
    assert seen == [None, True, None]
    assert closed.count == 1


@pytest.mark.skipif(not HAS_IPV6, reason="no IPv6 loopback")
def test_listen_ipv6_only() -> None:
    # ported from test/parallel/test-net-listen-ipv6only.js
    # With ipv6Only the '::' listener does not take IPv4: an IPv4 client is refused.
    errors: List[Any] = []
    never = Calls()

    def main() -> None:
        server = net.create_server(never)

        def listening() -> None:
            client = net.connect(server.address()["port"], "127.0.0.1", never)
            client.on("error", errors.append)
            client.on("close", lambda *_: server.close())

        server.listen({"host": "::", "port": 0, "ipv6Only": True}, listening)

    run(main)
    assert never.count == 0
    assert [e.code for e in errors] == ["ECONNREFUSED"]


# ------------------------------------------------------------------------- backlog forms


def _kernel_backlog(port: int) -> Any:
    """The backlog of the TCP listener on ``port`` as ``ss -ltn`` shows it (Send-Q)."""
    if shutil.which("ss") is None:
        return None
    out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True,
                         text=True, timeout=5).stdout.split()
    return int(out[2]) if len(out) > 2 and out[0] == "LISTEN" else None


def test_server_bind_forms() -> None:
    # ported from test/sequential/test-net-server-bind.js
    # listen(cb) -> port > 100; listen(p) without cb; listen(p, host, backlog, cb)
    # and listen(p, backlog, cb): the number after port/host is the backlog.
    seen: Dict[str, Any] = {}

    def main() -> None:
        s0 = net.create_server()
        s0.listen(lambda: (seen.__setitem__("cb", s0.address()["port"]), s0.close()))

        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
        probe.close()

        s1 = net.create_server()
        s1.listen(0)
        s1.on("listening", lambda: (seen.__setitem__("no-cb", s1.address()["port"]),
                                    s1.close()))

        s2 = net.create_server()

        def s2_listening() -> None:
            seen["host-backlog"] = s2.address()
            seen["host-backlog-kernel"] = _kernel_backlog(free_port)
            s2.close()
        s2.listen(free_port, "127.0.0.1", 127, s2_listening)

        s3 = net.create_server()

        def s3_listening() -> None:
            seen["backlog"] = s3.address()
            seen["backlog-kernel"] = _kernel_backlog(free_port)
            s3.close()

        def after_s2_closed(*_: Any) -> None:
            s3.listen(free_port, 127, s3_listening)
        s2.on("close", after_s2_closed)

    run(main)
    assert seen["cb"] > 100
    assert seen["no-cb"] > 0
    assert seen["host-backlog"]["address"] == "127.0.0.1"
    port = seen["host-backlog"]["port"]
    assert seen["backlog"]["port"] == port
    # listen(p, 127, cb): 127 is the backlog, not a host -> default dual-stack bind
    assert seen["backlog"]["address"] == ("::" if HAS_IPV6 else "0.0.0.0")
    # node v20 passes the backlog to listen(2): `ss -ltn` shows Send-Q 127 for both
    for key in ("host-backlog-kernel", "backlog-kernel"):
        assert seen[key] in (127, None)


# ------------------------------------------------------------------------- listen(handle)


def _bound_tcp() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.mark.parametrize("form", ["handle", "handle-cb", "{handle}", "{handle}-cb",
                                  "{_handle}", "{_handle}-cb"])
def test_listen_tcp_handle_forms(form: str) -> None:
    # ported from test/parallel/test-net-server-listen-handle.js (TCP handles)
    # A socket.socket stands in for Node's internal TCP wrap; nodenet duplicates
    # it, so the test closes its own copy too.
    listening = Calls()
    accepted: List[Any] = []
    handle = _bound_tcp()
    port = handle.getsockname()[1]

    def main() -> None:
        server = net.create_server(lambda s: (accepted.append(s.local_port), s.end()))

        def on_listening() -> None:
            listening()
            assert server.address()["port"] == port
            client = net.connect(port, "127.0.0.1")
            client.resume()
            client.on("close", lambda *_: server.close())

        arg: Any = handle
        if form.startswith("{handle}"):
            arg = {"handle": handle}
        elif form.startswith("{_handle}"):
            arg = {"_handle": handle}
        if form.endswith("-cb"):
            server.listen(arg, on_listening)
        else:
            server.listen(arg).on("listening", on_listening)

    try:
        run(main)
    finally:
        handle.close()
    assert listening.count == 1
    assert accepted == [port]


@pytest.mark.parametrize("with_cb", [True, False])
def test_listen_fd_of_tcp_socket(with_cb: bool) -> None:
    # ported from test/parallel/test-net-server-listen-handle.js ({fd: tcp.fd})
    # The fd is taken over by the server (closed by server.close()).
    listening = Calls()
    handle = _bound_tcp()
    port = handle.getsockname()[1]
    fd = handle.detach()

    def main() -> None:
        server = net.create_server()

        def on_listening() -> None:
            listening()
            assert server.address()["port"] == port
            server.close()

        if with_cb:
            server.listen({"fd": fd}, on_listening)
        else:
            server.listen({"fd": fd}).on("listening", on_listening)

    run(main)
    assert listening.count == 1
    with pytest.raises(OSError):
        os.fstat(fd)   # closed with the server


@pytest.mark.parametrize("form", ["handle", "{handle}", "{_handle}", "{fd}"])
def test_listen_pipe_handle_forms(ipc_path: str, form: str) -> None:
    # ported from test/parallel/test-net-server-listen-handle.js (pipe handles)
    # Listening on an existing pipe handle: close() does not unlink a file the
    # server did not create (Node's test unlinks it with handle.close()).
    listening = Calls()
    data: List[bytes] = []
    handle = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    handle.bind(ipc_path)

    def main() -> None:
        server = net.create_server(lambda s: s.end("pipe"))

        def on_listening() -> None:
            listening()
            client = net.connect(ipc_path)
            client.on("data", data.append)
            client.on("close", lambda *_: server.close())

        if form == "handle":
            server.listen(handle, on_listening)
        elif form == "{handle}":
            server.listen({"handle": handle}, on_listening)
        elif form == "{_handle}":
            server.listen({"_handle": handle}).on("listening", on_listening)
        else:
            server.listen({"fd": os.dup(handle.fileno())}, on_listening)

    try:
        run(main)
        assert os.path.exists(ipc_path)
    finally:
        handle.close()
    assert listening.count == 1
    assert data == [b"pipe"]


def test_listen_fd_of_regular_file_is_einval(tmp_path: Any) -> None:
    # ported from test/parallel/test-net-server-listen-handle.js ("Test invalid fd")
    # and test/parallel/test-net-listen-fd0.js (a non-socket fd: async error)
    errors: List[Any] = []
    never = Calls()
    path = tmp_path / "file.txt"
    path.write_text("x")
    fd = os.open(str(path), os.O_RDONLY)

    def main() -> None:
        server = net.create_server()
        server.listen({"fd": fd}, never)
        server.on("error", lambda err: (errors.append(err), server.close()))

    try:
        run(main)
    finally:
        try:
            os.close(fd)
        except OSError:
            pass
    assert never.count == 0
    assert len(errors) == 1
    assert errors[0].code == "EINVAL"
    # node v20: String(err) === 'Error: listen EINVAL: invalid argument'
    assert str(errors[0]) == "listen EINVAL: invalid argument"
    assert errors[0].syscall == "listen"


def _close_if_same(fd: int, ino: int) -> None:
    """Close ``fd`` unless nodenet already did (and the number was not reused)."""
    try:
        if os.fstat(fd).st_ino == ino:
            os.close(fd)
    except OSError:
        pass


def test_listen_fd_of_char_device_is_einval() -> None:
    # ported from test/parallel/test-net-listen-fd0.js ({fd: 0} with stdin on
    # /dev/null: node v20 gives 'listen EINVAL: invalid argument', async)
    errors: List[Any] = []
    never = Calls()
    fd = os.open(os.devnull, os.O_RDONLY)
    ino = os.fstat(fd).st_ino

    def main() -> None:
        server = net.create_server()
        server.listen({"fd": fd}, never)   # does not raise
        server.on("error", lambda err: (errors.append(err), server.close()))

    try:
        run(main)
    finally:
        _close_if_same(fd, ino)
    assert never.count == 0
    assert [e.code for e in errors] == ["EINVAL"]
    assert str(errors[0]) == "listen EINVAL: invalid argument"


def test_listen_fd_of_pipe_is_an_error() -> None:
    # ported from test/parallel/test-net-listen-fd0.js ({fd: 0} with stdin a
    # pipe): an async 'error' with code EINVAL or ENOTSOCK, as Node's test allows.
    errors: List[Any] = []
    never = Calls()
    r, w = os.pipe()
    ino = os.fstat(r).st_ino

    def main() -> None:
        server = net.create_server()
        server.listen({"fd": r}, never)
        server.on("error", lambda err: (errors.append(err), server.close()))

    try:
        run(main)
    finally:
        _close_if_same(r, ino)
        os.close(w)
    assert never.count == 0
    assert len(errors) == 1
    assert errors[0].code in ("EINVAL", "ENOTSOCK")
    assert errors[0].syscall == "listen"


def test_listen_fd_of_pipe_is_enotsock_like_node() -> None:
    # ported from test/parallel/test-net-listen-fd0.js, checked with node v20.20:
    # `echo | node -e "net.createServer().listen({fd: 0})..."` ->
    # 'listen ENOTSOCK: socket operation on non-socket'.
    errors: List[Any] = []
    r, w = os.pipe()
    ino = os.fstat(r).st_ino

    def main() -> None:
        server = net.create_server()
        server.listen({"fd": r})
        server.on("error", lambda err: (errors.append(err), server.close()))

    try:
        run(main)
    finally:
        _close_if_same(r, ino)
        os.close(w)
    assert [e.code for e in errors] == ["ENOTSOCK"]
    assert str(errors[0]) == "listen ENOTSOCK: socket operation on non-socket"


# --------------------------------------------------------------------------- signal


def test_listen_signal_validation() -> None:
    # ported from test/parallel/test-net-server-listen-options-signal.js
    with pytest.raises(NodeTypeError) as info:
        net.create_server().listen({"port": 0, "signal": "INVALID_SIGNAL"})
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    run()


def test_listen_signal_abort_closes_server() -> None:
    # ported from test/parallel/test-net-server-listen-options-signal.js
    # node v20: the abort closes the server synchronously, so the pending
    # 'listening' is never emitted either.
    closed = Calls()
    listening = Calls()

    def main() -> None:
        controller = net.AbortController()
        server = net.create_server()
        server.on("close", closed)
        server.on("listening", listening)
        server.listen({"port": 0, "signal": controller.signal})
        controller.abort()

    run(main)
    assert closed.count == 1
    assert listening.count == 0


def test_listen_signal_already_aborted() -> None:
    # ported from test/parallel/test-net-server-listen-options-signal.js
    closed = Calls()
    listening = Calls()

    def main() -> None:
        controller = net.AbortController()
        controller.abort()
        server = net.create_server()
        server.on("close", closed)
        server.on("listening", listening)
        server.listen({"port": 0, "signal": controller.signal})

    run(main)
    assert closed.count == 1
    assert listening.count == 0


# ----------------------------------------------------------------- listen(port, hostname)


def _mock_lookup(monkeypatch: Any, answers: Any) -> List[Any]:
    """Replace nodenet.dns.lookup (as node:test's mock.method replaces dns.lookup)."""
    import nodenet.dns
    calls: List[Any] = []

    def lookup(hostname: str, options: Any = None, callback: Any = None) -> None:
        if callback is None:
            options, callback = None, options
        calls.append(hostname)
        if isinstance(answers, BaseException):
            callback(answers)
        else:
            callback(None, answers)

    monkeypatch.setattr(nodenet.dns, "lookup", lookup)
    return calls


def test_listen_hostname_lookup_error_is_emitted(monkeypatch: Any) -> None:
    # ported from test/sequential/test-net-server-listen-ipv6-link-local.js (first case)
    mocked = Exception("Mocked error")
    errors: List[Any] = []
    lookups = _mock_lookup(monkeypatch, mocked)

    def main() -> None:
        server = net.create_server()
        server.on("error", errors.append)
        server.listen(0, "ipv6_link_local")

    run(main)
    assert lookups == ["ipv6_link_local"]
    assert errors == [mocked]   # the lookup's own error object


@pytest.mark.skipif(not HAS_IPV6, reason="IPv6 support is required")
def test_listen_hostname_only_link_local(monkeypatch: Any) -> None:
    # ported from test/sequential/test-net-server-listen-ipv6-link-local.js (second case)
    errors: List[Any] = []
    _mock_lookup(monkeypatch, [{"address": "fe80::1", "family": 6}])

    def main() -> None:
        server = net.create_server()
        server.on("error", errors.append)
        server.listen(0, "ipv6_link_local")

    run(main)
    assert len(errors) == 1
    assert errors[0].address == "fe80::1"
    assert errors[0].syscall == "listen"


# The next two follow nodenet, which skips IPv6 link-local answers as newer Node
# does (the Node test exists only in trees newer than v20). node v20.20's
# lookupAndListen still binds the first answer of a plain dns.lookup(host).
LINK_LOCALS = ["fe80::1", "fe80::abcd:1234", "fe80::1ff:fe23:4567:890a",
               "fe80::200:5aee:feaa:20a2", "fe80::f2de:f1ff:fe2b:3c4b", "fe81::1",
               "fe82::abcd:1234", "fe83::1ff:fe23:4567:890a", "fe84::200:5aee:feaa:20a2",
               "fe85::f2de:f1ff:fe2b:3c4b", "fe86::1", "fe87::abcd:1234",
               "fe88::1ff:fe23:4567:890a", "fe89::200:5aee:feaa:20a2",
               "fe8a::f2de:f1ff:fe2b:3c4b", "fe8b::1", "fe8c::abcd:1234",
               "fe8d::1ff:fe23:4567:890a", "fe8e::200:5aee:feaa:20a2",
               "fe8f::f2de:f1ff:fe2b:3c4b", "fea0::1", "febf::abcd:1234",
               "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]


@pytest.mark.skipif(not HAS_IPV6, reason="IPv6 support is required")
@pytest.mark.parametrize("answers,expected", [
    ([{"address": a, "family": 6} for a in LINK_LOCALS]
     + [{"address": "127.0.0.1", "family": 4}], ("127.0.0.1", "IPv4")),
    ([{"address": "fe80::1", "family": 6}, {"address": "::1", "family": 6}],
     ("::1", "IPv6")),
], ids=["many-link-local-then-ipv4", "link-local-then-loopback"])
def test_listen_hostname_skips_link_local(monkeypatch: Any, answers: Any,
                                          expected: Any) -> None:
    # ported from test/sequential/test-net-server-listen-ipv6-link-local.js (3rd, 4th cases)
    addresses: List[Any] = []
    errors = Calls()
    _mock_lookup(monkeypatch, answers)

    def main() -> None:
        server = net.create_server()
        server.on("error", errors)
        server.listen(0, "ipv6_link_local_with_entries",
                      lambda: (addresses.append(server.address()), server.close()))

    run(main)
    assert errors.count == 0
    assert (addresses[0]["address"], addresses[0]["family"]) == expected


def test_listen_with_ip_host_still_binds_after_lookup() -> None:
    # ported from test/sequential/test-net-server-address.js and reference §4.5:
    # node v20 sends every host, even an IP literal, through dns.lookup, so
    # address() is None right after listen(0, '127.0.0.1') and set by 'listening'.
    seen: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.listen(0, "127.0.0.1")
        seen.append(server.address())
        seen.append(server.listening)
        server.on("listening", lambda: (seen.append(server.address()["address"]),
                                        server.close()))

    run(main)
    assert seen == [None, False, "127.0.0.1"]


def test_default_host_eaddrinuse_message() -> None:
    # ported from test/parallel/test-net-eaddrinuse.js (default host): the
    # dual-stack error reads 'listen EADDRINUSE: address already in use :::<port>'.
    errors: List[Any] = []

    def main() -> None:
        server1 = net.create_server()

        def listening() -> None:
            server2 = net.create_server()
            server2.on("error", lambda err: (errors.append(err), server1.close()))
            server2.listen(server1.address()["port"])

        server1.listen(0, listening)

    run(main)
    assert len(errors) == 1
    err = errors[0]
    host = "::" if HAS_IPV6 else "0.0.0.0"
    assert str(err) == f"listen EADDRINUSE: address already in use {host}:{err.port}"
    assert err.address == host


def test_close_twice() -> None:
    # ported from test/parallel/test-net-listen-close-server-callback-is-not-function.js
    # and reference §3.11: node v20 emits 'close' once per close() call; the
    # second close(cb) gets ERR_SERVER_NOT_RUNNING.
    closes = Calls()
    second: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.on("close", closes)

        def listening() -> None:
            server.close()
            server.close(lambda err=None: second.append(err))

        server.listen(0, listening)

    run(main)
    assert closes.count == 2
    assert [e.code for e in second] == ["ERR_SERVER_NOT_RUNNING"]


@pytest.mark.parametrize("kind", ["regular-file", "stale-socket"])
def test_listen_path_exists_is_eaddrinuse_and_kept(ipc_path: str, kind: str) -> None:
    # extends test/parallel/test-net-server-listen-path.js (EADDRINUSE on a path):
    # node v20 gives EADDRINUSE for an existing regular file and for a stale
    # socket file alike, and never unlinks either (SPEC §5).
    if kind == "regular-file":
        with open(ipc_path, "w") as f:
            f.write("not a socket")
    else:
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(ipc_path)
        stale.close()
    errors: List[Any] = []
    close_results: List[Any] = []

    def main() -> None:
        server = net.create_server()

        def on_error(err: Any) -> None:
            errors.append(err)
            server.close(lambda err=None: close_results.append(err))
        server.on("error", on_error)
        server.listen(ipc_path)

    run(main)
    assert [e.code for e in errors] == ["EADDRINUSE"]
    assert str(errors[0]) == f"listen EADDRINUSE: address already in use {ipc_path}"
    assert [getattr(e, "code", e) for e in close_results] == ["ERR_SERVER_NOT_RUNNING"]
    assert os.path.exists(ipc_path)


def test_listen_backlog_option() -> None:
    # ported from test/sequential/test-net-server-bind.js (backlog), options form:
    # node v20 passes options.backlog to listen(2) (`ss -ltn` shows Send-Q 5).
    seen: List[Any] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            seen.append(_kernel_backlog(server.address()["port"]))
            server.close()

        server.listen({"port": 0, "host": "127.0.0.1", "backlog": 5}, listening)

    run(main)
    assert seen[0] in (5, None)


def test_close_unlinks_path_at_once_and_relisten(ipc_path: str) -> None:
    # extends test/parallel/test-net-server-call-listen-multiple-times.js (third
    # test) to a Unix path: node v20 unlinks the socket file inside close()
    # (libuv's uv_pipe close), so listening again on the same path works at once.
    seen: List[Any] = []

    def main() -> None:
        server = net.create_server()

        def first() -> None:
            seen.append(os.path.exists(ipc_path))
            server.close()
            seen.append(os.path.exists(ipc_path))
            server.listen(ipc_path, second)

        def second() -> None:
            seen.append(server.address())
            server.close()

        server.listen(ipc_path, first)

    run(main)
    assert seen == [True, False, ipc_path]
    assert not os.path.exists(ipc_path)
