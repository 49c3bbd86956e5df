"""keepAlive / noDelay: the socket options the kernel really has.

Ports of Node's keepalive/nodelay tests (reference/node-net-tests.md §2.L).
Node's own tests replace ``socket._handle.setKeepAlive`` with a mock; here the
effective options are read back with ``getsockopt`` on a duplicate of the fd,
and compared with what Node v20.20 does (traced with strace: libuv sets
SO_KEEPALIVE, then TCP_KEEPIDLE = delay in whole seconds, TCP_KEEPINTVL = 1,
TCP_KEEPCNT = 10; TCP_NODELAY on change only).
"""

from __future__ import annotations

import os
import socket
from typing import Any, Dict, List, Optional

import pytest

import nodenet as net
from net_endpoints import port_of
from support import run

pytestmark = pytest.mark.skipif(not hasattr(socket, "TCP_KEEPIDLE"),
                                reason="needs TCP_KEEPIDLE (Linux)")


def opts(sock: net.Socket) -> Dict[str, int]:
    """The live socket options of ``sock`` (read through a dup of its fd)."""
    dup = socket.socket(fileno=os.dup(sock.fileno()))
    try:
        return {
            "nodelay": dup.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
            "keepalive": dup.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
            "idle": dup.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
            "intvl": dup.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
            "cnt": dup.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
        }
    finally:
        dup.close()


def kernel_defaults() -> Dict[str, int]:
    with socket.socket() as s:
        return {
            "idle": s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
            "intvl": s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
            "cnt": s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
        }


DEFAULTS = kernel_defaults()


def with_client(options: Dict[str, Any], on_connect: Any, before: Any = None) -> None:
    """Connect a client with ``options``; call ``on_connect(client)`` in 'connect'
    (``before(client)`` right after the connect call), then close everything."""
    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            s.resume()
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(dict(options, port=port_of(srv), host="127.0.0.1"))
            if before is not None:
                before(c)

            def connected() -> None:
                on_connect(c)
                c.end()
            c.on("connect", connected)

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)


TRUTHY = [True, 1, "true", {}, []]
DELAYS = [(123, 0), (456123, 456), (-123000, 0), (None, 0)]
FALSY = [False, 0, ""]


# ported from test/parallel/test-net-connect-keepalive.js: keepAlive is applied once,
# after the connect and before 'connect', with the delay in whole seconds
@pytest.mark.parametrize("value", TRUTHY, ids=repr)
@pytest.mark.parametrize("delay,seconds", DELAYS, ids=repr)
def test_connect_keep_alive_option_truthy(value: Any, delay: Optional[int],
                                          seconds: int) -> None:
    got: List[Any] = []
    options: Dict[str, Any] = {"keepAlive": value}
    if delay is not None:
        options["keepAliveInitialDelay"] = delay
    with_client(options, lambda c: got.append(opts(c)))
    assert got[0]["keepalive"] == 1
    # 0 seconds leaves TCP_KEEPIDLE unchanged (Node: the kernel refuses 0)
    assert got[0]["idle"] == (seconds or DEFAULTS["idle"])
    if seconds:
        assert (got[0]["intvl"], got[0]["cnt"]) == (1, 10)


@pytest.mark.parametrize("value", FALSY, ids=repr)
def test_connect_keep_alive_option_falsy(value: Any) -> None:
    got: List[Any] = []
    with_client({"keepAlive": value, "keepAliveInitialDelay": 5000},
                lambda c: got.append(opts(c)))
    assert got[0]["keepalive"] == 0
    assert got[0]["idle"] == DEFAULTS["idle"]


# Node v20 (libuv): with a 0-second delay, setsockopt(TCP_KEEPIDLE, 0) fails with
# EINVAL and libuv returns before TCP_KEEPINTVL/TCP_KEEPCNT, so those keep the
# kernel defaults (strace of `net.connect({keepAlive: true})`).
def test_keep_alive_without_delay_leaves_probe_settings_alone() -> None:
    got: List[Any] = []
    with_client({"keepAlive": True}, lambda c: got.append(opts(c)))
    assert got[0]["keepalive"] == 1
    assert (got[0]["idle"], got[0]["intvl"], got[0]["cnt"]) == (
        DEFAULTS["idle"], DEFAULTS["intvl"], DEFAULTS["cnt"])


def test_keep_alive_initial_delay_must_be_a_number() -> None:
    with pytest.raises(TypeError) as info:
        net.Socket(keep_alive_initial_delay="5")
    assert info.value.code == "ERR_INVALID_ARG_TYPE"


# ported from test/parallel/test-net-connect-nodelay.js
@pytest.mark.parametrize("value,expected", [(v, 1) for v in TRUTHY] + [(v, 0) for v in FALSY],
                         ids=repr)
def test_connect_no_delay_option(value: Any, expected: int) -> None:
    got: List[Any] = []
    with_client({"noDelay": value}, lambda c: got.append(opts(c)["nodelay"]))
    assert got == [expected]


# ported from test/parallel/test-net-persistent-nodelay.js and
# test/parallel/test-net-socket-setnodelay.js: cached before connect, applied after
def test_set_no_delay_before_connect_applies_after_connect() -> None:
    got: List[Any] = []

    def before(c: net.Socket) -> None:
        got.append(c.set_no_delay() is c)        # no argument means true

    def on_connect(c: net.Socket) -> None:
        got.append(opts(c)["nodelay"])
        got.append(c.set_no_delay(False) is c)
        got.append(opts(c)["nodelay"])
        c.set_no_delay(True)
        got.append(opts(c)["nodelay"])
        c.set_no_delay(0)                        # JS-falsy
        got.append(opts(c)["nodelay"])
        c.set_no_delay("yes")                    # JS-truthy
        got.append(opts(c)["nodelay"])

    with_client({}, on_connect, before)
    assert got == [True, 1, True, 0, 1, 0, 1]


# ported from test/parallel/test-net-persistent-keepalive.js and test-net-keepalive.js
def test_set_keep_alive_before_connect_applies_after_connect() -> None:
    got: List[Any] = []

    def before(c: net.Socket) -> None:
        got.append(c.set_keep_alive(True, 2500) is c)

    def on_connect(c: net.Socket) -> None:
        got.append(("connect", opts(c)))
        c.set_keep_alive(True, 10_000)
        got.append(("10 s", opts(c)))
        c.set_keep_alive(True, 999)             # 0 s: TCP_KEEPIDLE left as it was
        got.append(("0 s", opts(c)))
        got.append(c.set_keep_alive() is c)      # no argument means disable
        got.append(("off", opts(c)["keepalive"]))

    with_client({}, on_connect, before)
    assert got[0] is True
    assert got[1] == ("connect", dict(got[1][1], keepalive=1, idle=2, intvl=1, cnt=10))
    assert got[2] == ("10 s", dict(got[2][1], keepalive=1, idle=10, intvl=1, cnt=10))
    assert got[3] == ("0 s", dict(got[3][1], keepalive=1, idle=10, intvl=1, cnt=10))
    assert got[4:] == [True, ("off", 0)]


def test_set_keep_alive_delay_is_truncated_to_whole_seconds() -> None:
    got: List[Any] = []

    def on_connect(c: net.Socket) -> None:
        for ms in (1999, 3000, 65_432):
            c.set_keep_alive(True, ms)
            got.append(opts(c)["idle"])

    with_client({}, on_connect)
    assert got == [1, 3, 65]


# ported from test/parallel/test-net-server-keepalive.js / server noDelay option
def test_server_options_apply_to_accepted_sockets() -> None:
    got: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            got.append(opts(s))
            s.resume()
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server({"noDelay": True, "keepAlive": True,
                                 "keepAliveInitialDelay": 3000}, on_conn)

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1", lambda: c.end())

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert got == [dict(got[0], nodelay=1, keepalive=1, idle=3, intvl=1, cnt=10)]


# ported from test/parallel/test-net-keepalive.js and test-net-persistent-keepalive.js
def test_keep_alive_connections_stay_open() -> None:
    ev: List[Any] = []

    def main() -> None:
        holder: List[net.Socket] = []

        def on_conn(connection: net.Socket) -> None:
            def later() -> None:
                ev.append((connection.ready_state, holder[0].ready_state))
                connection.end()
                holder[0].end()
                srv.close()
            net.set_timeout(later, 150)
            connection.set_timeout(0)
            ev.append(connection.set_keep_alive(True, 50) is connection)
            connection.on("end", lambda: connection.end())

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.Socket()
            ev.append(c.set_keep_alive(True, 400) is c)
            c.connect(port_of(srv), "127.0.0.1")
            c.set_timeout(0)
            holder.append(c)

        srv.on("listening", listening)
        srv.listen(0, "127.0.0.1")

    run(main, 5)
    assert ev == [True, True, ("open", "open")]


# Pipe handles have no setNoDelay/setKeepAlive: the calls are no-ops that return
# the socket (lib/net.js checks `this._handle.setNoDelay`)
def test_no_delay_and_keep_alive_are_no_ops_on_unix_sockets(ipc_path: str) -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            ev.append((s.set_no_delay() is s, s.set_keep_alive(True, 1000) is s))
            s.resume()
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server({"noDelay": True, "keepAlive": True}, on_conn)

        def listening() -> None:
            c = net.Socket()
            ev.append((c.set_no_delay() is c, c.set_keep_alive(True, 1000) is c))
            c.connect({"path": ipc_path, "noDelay": True, "keepAlive": True},
                      lambda: (ev.append((c.set_no_delay(False) is c,
                                          c.set_keep_alive(False) is c)), c.end()))
            c.on("error", lambda err: ev.append(("error", err)))

        srv.listen(ipc_path, listening)

    run(main, 5)
    assert sorted(ev, key=repr) == [(True, True)] * 3
