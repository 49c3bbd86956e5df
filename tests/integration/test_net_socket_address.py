"""Address information and connection state: remote/local address and port,
``address()``, ``connecting``, ``pending`` and ``ready_state`` through a
connection's life.

Ports of Node's address/state tests (reference/node-net-tests.md §2.M),
checked against Node v20.20 (where a fresh Socket is readable, writable and
'open', and still pending).
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

import nodenet as net
from net_endpoints import port_of
from support import run

REMOTE_ADDRESSES = ("127.0.0.1", "::1", "::ffff:127.0.0.1")
FAMILIES = ("IPv4", "IPv6")


def _has_ipv6() -> bool:
    import socket
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


HAS_IPV6 = _has_ipv6()


# ported from test/parallel/test-net-remote-address-port.js
def test_remote_address_and_port_cached_through_close() -> None:
    ev: Dict[str, List[Any]] = {"server": [], "client": [], "bad": []}

    def remote(s: net.Socket) -> Any:
        return (s.remote_address in REMOTE_ADDRESSES, s.remote_family in FAMILIES)

    def main() -> None:
        closed = [0]

        def on_conn(socket: net.Socket) -> None:
            ev["server"].append(("conn",) + remote(socket)
                                + (bool(socket.remote_port),
                                   socket.remote_port != port_of(srv)))

            def on_end() -> None:
                closed[0] += 1
                if closed[0] == 2:
                    srv.close()
            socket.on("end", on_end)
            socket.on("close", lambda *a: ev["server"].append(("close",) + remote(socket)))
            socket.resume()

        srv = net.create_server(on_conn)

        def listening() -> None:
            port = port_of(srv)
            client = net.create_connection(port, "127.0.0.1")
            client2 = net.create_connection(port)          # 'localhost'
            for c in (client, client2):
                ev["client"].append(("before", c.remote_address, c.remote_family,
                                     c.remote_port))

                def on_connect(c: net.Socket = c) -> None:
                    ev["client"].append(("connect",) + remote(c) + (c.remote_port == port,))
                    c.end()

                def on_close(*_: Any, c: net.Socket = c) -> None:
                    ev["client"].append(("close",) + remote(c) + (c.remote_port == port,))
                c.on("connect", on_connect)
                c.on("close", on_close)

        srv.listen(0, listening)

    run(main, 10)
    assert ev["server"].count(("conn", True, True, True, True)) == 2
    assert ev["server"].count(("close", True, True)) == 2
    assert ev["client"][:2] == [("before", None, None, None)] * 2
    assert sorted(ev["client"][2:]) == [("close", True, True, True)] * 2 + \
        [("connect", True, True, True)] * 2


# ported from test/parallel/test-net-remote-address.js
def test_remote_address_undefined_while_connecting() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server()

        def listening() -> None:
            socket = net.connect({"port": port_of(srv), "host": "127.0.0.1"})
            ev.append((socket.connecting, socket.remote_address))

            def on_connect() -> None:
                ev.append(("connect", socket.remote_address))
                socket.end()
            socket.on("connect", on_connect)
            socket.on("end", lambda: srv.close())

        srv.listen(0, listening)

    run(main, 5)
    assert ev == [(True, None), ("connect", "127.0.0.1")]


# ported from test/parallel/test-net-local-address-port.js
def test_accepted_socket_local_address_port_family() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(socket: net.Socket) -> None:
            addr = srv.address()
            ev.append((socket.local_address, socket.local_port == addr["port"],
                       socket.local_family, addr["family"]))
            socket.on("end", lambda: srv.close())
            socket.resume()

        srv = net.create_server(on_conn)

        def listening() -> None:
            client = net.create_connection(port_of(srv), "127.0.0.1")
            client.on("connect", lambda: client.end())

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("127.0.0.1", True, "IPv4", "IPv4")]


# ported from test/parallel/test-net-socket-local-address.js
def test_client_local_port_matches_server_remote_port_across_reconnects() -> None:
    client_ports: List[int] = []
    server_ports: List[int] = []
    ev: List[Any] = []

    def main() -> None:
        conns = [0]
        client = net.Socket()

        def on_conn(socket: net.Socket) -> None:
            server_ports.append(socket.remote_port)
            socket.end()

        srv = net.create_server(on_conn)
        srv.on("close", lambda *a: ev.append(("server close", conns[0])))

        def connect(*_: Any) -> None:
            if conns[0] == 2:
                srv.close()
                return
            conns[0] += 1
            client.once("close", connect)
            client.connect(port_of(srv), "127.0.0.1",
                           lambda: client_ports.append(client.local_port))
            client.resume()

        srv.listen(0, "127.0.0.1", connect)

    run(main, 5)
    assert ev == [("server close", 2)]
    assert client_ports == server_ports
    assert len(client_ports) == 2 and all(client_ports)


# ported from test/parallel/test-net-socket-connecting.js
def test_connecting_true_until_connect_callback() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(c: net.Socket) -> None:
            c.end()
            srv.close()

        srv = net.create_server(on_conn)

        def listening() -> None:
            socket = net.connect(port_of(srv), "127.0.0.1",
                                 lambda: ev.append(("cb", socket.connecting)))
            ev.append(("sync", socket.connecting))
            socket.resume()

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("sync", True), ("cb", False)]


# ported from test/sequential/test-net-socket-readystate.js (and lib/net.js
# readyState), with Node v20's values: a fresh Socket is 'open' and pending
def test_ready_state_transitions() -> None:
    ev: List[Any] = []

    def st(tag: str, s: net.Socket) -> None:
        ev.append((tag, s.ready_state, s.readable, s.writable, s.pending, s.connecting))

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            st("server conn", s)
            s.resume()

            def on_end() -> None:
                st("server end", s)
                s.end("bye")
                st("server after end()", s)
            s.on("end", on_end)

            def on_close(had_error: bool) -> None:
                st("server close", s)
                srv.close()
            s.on("close", on_close)

        srv = net.create_server({"allowHalfOpen": True}, on_conn)

        def listening() -> None:
            c = net.Socket()
            st("fresh", c)

            def on_connect() -> None:
                st("connect cb", c)
                c.end()
                st("after end()", c)
            c.connect(port_of(srv), "127.0.0.1", on_connect)
            st("after connect()", c)
            c.resume()
            c.on("finish", lambda: st("finish", c))
            c.on("end", lambda: st("end", c))
            c.on("close", lambda *a: st("close", c))

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [
        ("fresh", "open", True, True, True, False),
        ("after connect()", "opening", True, True, True, True),
        ("server conn", "open", True, True, False, False),
        ("connect cb", "open", True, True, False, False),
        ("after end()", "readOnly", True, False, False, False),
        ("finish", "readOnly", True, False, False, False),
        ("server end", "writeOnly", False, True, False, False),
        ("server after end()", "closed", False, False, False, False),
        ("server close", "closed", False, False, True, False),
        ("end", "closed", False, False, False, False),
        ("close", "closed", False, False, True, False),
    ]


def test_address_of_connected_tcp_sockets() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            ev.append(("server", s.address() == {"address": "127.0.0.1", "family": "IPv4",
                                                 "port": port_of(srv)}))
            s.resume()
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            ev.append(("connecting", c.address()))

            def on_connect() -> None:
                a = c.address()
                ev.append(("client", sorted(a), a["address"], a["family"],
                           a["port"] == c.local_port, c.local_family))
                c.end()
            c.on("connect", on_connect)
            c.on("close", lambda *a: ev.append(("closed", c.address(), c.local_port)))

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev[0] == ("connecting", {})
    assert ("server", True) in ev
    assert ("client", ["address", "family", "port"], "127.0.0.1", "IPv4", True, "IPv4") in ev
    # the local side is read from the live handle: gone after close
    assert ev[-1] == ("closed", {}, None)


# Node: a Pipe handle has no getsockname/getpeername
def test_unix_socket_address_info_is_empty(ipc_path: str) -> None:
    ev: List[Any] = []

    def info(s: net.Socket) -> Any:
        return (s.address(), s.remote_address, s.remote_port, s.remote_family,
                s.local_address, s.local_port, s.local_family)

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            ev.append(("server",) + info(s))
            s.resume()
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def listening() -> None:
            ev.append(("server address", srv.address()))
            c = net.connect(ipc_path)
            c.on("connect", lambda: (ev.append(("client",) + info(c)), c.end()))

        srv.listen(ipc_path, listening)

    run(main, 5)
    empty = ({}, None, None, None, None, None, None)
    assert ("server address", ipc_path) in ev
    assert ("server",) + empty in ev
    assert ("client",) + empty in ev


@pytest.mark.skipif(not HAS_IPV6, reason="no IPv6 loopback")
def test_ipv6_remote_and_local_addresses() -> None:
    ev: List[Any] = []

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            ev.append(("server", s.remote_address, s.remote_family, s.local_address,
                       s.local_family, s.local_port == port_of(srv)))
            s.resume()
            s.on("end", lambda: (s.end(), srv.close()))

        srv = net.create_server(on_conn)

        def listening() -> None:
            c = net.connect(port_of(srv), "::1")

            def on_connect() -> None:
                ev.append(("client", c.remote_address, c.remote_family,
                           c.remote_port == port_of(srv), c.local_address, c.local_family))
                c.end()
            c.on("connect", on_connect)

        srv.listen(0, "::1", listening)

    run(main, 5)
    assert ("client", "::1", "IPv6", True, "::1", "IPv6") in ev
    assert ("server", "::1", "IPv6", "::1", "IPv6", True) in ev


def test_pending_is_true_again_after_close() -> None:
    ev: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: s.end())

        def listening() -> None:
            c = net.Socket()
            ev.append(("fresh", c.pending))
            c.connect(port_of(srv), "127.0.0.1", lambda: ev.append(("connected", c.pending)))
            ev.append(("connecting", c.pending))
            c.resume()
            c.on("close", lambda *a: (ev.append(("closed", c.pending)), srv.close()))

        srv.listen(0, "127.0.0.1", listening)

    run(main, 5)
    assert ev == [("fresh", True), ("connecting", True), ("connected", False),
                  ("closed", True)]
