"""``net.BoundSocket`` without Node: socket options read back with getsockopt,
adoption from other threads, one adopter only, files and fds released.

The behaviour shared with Node 26 (events, errors, addresses) is compared with
the binary in tests/diff/test_diff_boundsocket.py.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from typing import Any, List

import pytest

import nodenet as net
from conftest import HAS_IPV6
from nodenet.errors import NodeError
from support import run


def adopted_error(fn: Any, *args: Any) -> str:
    with pytest.raises(NodeError) as info:
        fn(*args)
    assert str(info.value) == "The bound socket has already been adopted by a server or socket"
    return info.value.code


def sockopt(bound: net.BoundSocket, level: int, name: int) -> int:
    probe = socket.socket(fileno=os.dup(bound.fd()))
    try:
        return probe.getsockopt(level, name)
    finally:
        probe.close()


def test_binds_at_construction() -> None:
    with net.BoundSocket(host="127.0.0.1") as bound:
        address = bound.address()
        assert isinstance(address, dict) and address["port"] > 0
        probe = socket.socket(fileno=os.dup(bound.fd()))
        try:
            assert probe.getsockname() == ("127.0.0.1", address["port"])
            assert probe.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 1
            assert probe.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 0
        finally:
            probe.close()
        assert bound.address() is not bound.address()      # a fresh dict each time
        assert "127.0.0.1" in repr(bound)
    assert adopted_error(bound.address) == "ERR_SOCKET_HANDLE_ADOPTED"
    assert repr(bound) == "<BoundSocket adopted or closed>"


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="no SO_REUSEPORT")
@pytest.mark.parametrize("reuse", [False, True])
def test_reuse_port(reuse: bool) -> None:
    with net.BoundSocket({"host": "127.0.0.1", "reusePort": reuse}) as bound:
        assert sockopt(bound, socket.SOL_SOCKET, socket.SO_REUSEPORT) == int(reuse)
        if reuse:   # a second socket on the same port, both listening
            port = bound.address()["port"]  # type: ignore[index]
            with net.BoundSocket(host="127.0.0.1", port=port, reuse_port=True) as other:
                assert other.address()["port"] == port  # type: ignore[index]


@pytest.mark.skipif(not HAS_IPV6, reason="no IPv6")
@pytest.mark.parametrize("only", [False, True])
def test_ipv6_only(only: bool) -> None:
    with net.BoundSocket(ipv6_only=only, host="::") as bound:
        assert sockopt(bound, socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == int(only)
    with net.BoundSocket(ipv6_only=True) as bound:       # the default host is then '::'
        assert bound.address()["address"] == "::"  # type: ignore[index]


def test_listen_and_connect_from_another_thread() -> None:
    """No run(main): listen() and connect() hand the adoption to the loop thread."""
    server_bound = net.BoundSocket(host="127.0.0.1")
    port = server_bound.address()["port"]  # type: ignore[index]
    got: List[Any] = []
    done = threading.Event()
    srv = net.create_server(lambda c: c.end("hi"))
    assert srv.listen(server_bound) is srv
    assert srv.address()["port"] == port
    client_bound = net.BoundSocket(host="127.0.0.1")
    local = client_bound.address()["port"]  # type: ignore[index]
    client = net.Socket(handle=client_bound)
    assert client.local_port == local
    client.on("data", got.append)
    client.on("close", lambda *_: (srv.close(), done.set()))
    client.connect(port, "127.0.0.1")
    assert done.wait(10)
    run(timeout=10)
    assert got == [b"hi"]
    assert adopted_error(server_bound.fd) == adopted_error(client_bound.close)


def test_one_adopter_wins() -> None:
    """Many threads race to adopt one BoundSocket: one succeeds, the rest get
    ERR_SOCKET_HANDLE_ADOPTED."""
    bound = net.BoundSocket(host="127.0.0.1")
    barrier = threading.Barrier(6)
    results: List[Any] = []
    sockets: List[net.Socket] = []

    def adopt() -> None:
        barrier.wait()
        try:
            sockets.append(net.Socket(handle=bound))
            results.append("ok")
        except NodeError as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=adopt) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert sorted(results) == ["ERR_SOCKET_HANDLE_ADOPTED"] * 5 + ["ok"]
    sockets[0].destroy()
    run(timeout=5)


def test_listen_on_a_spent_bound_socket_raises_at_the_call() -> None:
    bound = net.BoundSocket(host="127.0.0.1")
    bound.close()
    srv = net.create_server()
    assert adopted_error(srv.listen, bound) == "ERR_SOCKET_HANDLE_ADOPTED"
    assert adopted_error(srv.listen, {"handle": bound}) == "ERR_SOCKET_HANDLE_ADOPTED"
    assert not srv.listening
    assert adopted_error(net.connect, {"handle": bound, "port": 1}) == \
        "ERR_SOCKET_HANDLE_ADOPTED"


def test_listening_server_refuses_before_adopting() -> None:
    """ERR_SERVER_ALREADY_LISTEN comes first: the BoundSocket stays usable."""
    bound = net.BoundSocket(host="127.0.0.1")
    seen: List[Any] = []

    def main() -> None:
        srv = net.create_server()
        srv.listen(0)                  # no host: bound and listening at once
        try:
            srv.listen(bound)
        except NodeError as exc:
            seen.append(exc.code)
        seen.append(isinstance(bound.address(), dict))
        bound.close()
        srv.close()

    run(main)
    assert seen == ["ERR_SERVER_ALREADY_LISTEN", True]


def test_close_removes_the_socket_file(ipc_path: str) -> None:
    bound = net.BoundSocket(path=ipc_path)
    assert os.path.exists(ipc_path) and bound.is_pipe and bound.address() == ipc_path
    bound.close()
    assert not os.path.exists(ipc_path)
    with net.BoundSocket(path=ipc_path):
        assert os.path.exists(ipc_path)
    assert not os.path.exists(ipc_path)


def test_a_replaced_socket_file_is_left_alone(ipc_path: str) -> None:
    """As for servers (docs/compat.md): only the file this bind made is removed."""
    bound = net.BoundSocket(path=ipc_path)
    os.unlink(ipc_path)
    other = socket.socket(socket.AF_UNIX)
    other.bind(ipc_path)
    try:
        bound.close()
        assert os.path.exists(ipc_path)
    finally:
        other.close()
        os.unlink(ipc_path)


def test_adopted_client_pipe_removes_its_file(ipc_path: str) -> None:
    client_path = ipc_path + ".c"
    seen: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda c: c.end())

        def listening() -> None:
            s = net.Socket(handle=net.BoundSocket(path=client_path))
            seen.append((s.address(), s.local_address, os.path.exists(client_path)))
            s.connect(ipc_path)
            s.resume()
            s.on("close", lambda *_: (seen.append(os.path.exists(client_path)), srv.close()))

        srv.listen(ipc_path, listening)

    run(main)
    assert seen == [({"address": client_path}, client_path, True), False]


def test_destroyed_adopter_releases_the_socket(ipc_path: str) -> None:
    def main() -> None:
        net.Socket(handle=net.BoundSocket(host="127.0.0.1")).destroy()
        net.Socket(handle=net.BoundSocket(path=ipc_path)).destroy()

    run(main)
    assert not os.path.exists(ipc_path)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract names are Linux's")
def test_abstract_name_too_long() -> None:
    with pytest.raises(OSError) as info:
        net.BoundSocket(path="\0" + "n" * 108)
    assert (info.value.code, str(info.value)) == ("EINVAL", "bind EINVAL")  # type: ignore[attr-defined]


def test_empty_path_autobinds() -> None:
    """Node: path '' binds (Linux gives the socket an abstract name); address() is ''."""
    with net.BoundSocket(path="") as bound:
        assert bound.address() == "" and bound.is_pipe


def test_option_spellings_and_keywords() -> None:
    with net.BoundSocket({"ipv6Only": False, "reusePort": False, "port": 0,
                          "host": "127.0.0.1"}) as a, \
            net.BoundSocket(ipv6_only=False, reuse_port=False, host="127.0.0.1") as b:
        assert a.address()["family"] == b.address()["family"] == "IPv4"  # type: ignore[index]
    with pytest.raises(TypeError) as info:
        net.BoundSocket({"path": "/tmp/x", "host": None})   # host given (as null): refused
    assert info.value.code == "ERR_INVALID_ARG_VALUE"  # type: ignore[attr-defined]


class _Thing:
    pass


@pytest.mark.parametrize("options", [b"x", _Thing()], ids=["bytes", "instance"])
def test_any_object_is_options_without_any(options: Any) -> None:
    """Node 26 validateObject: a Buffer or a class instance is an options object
    with no options (0.0.0.0, port 0); an array, a function, a number are not."""
    with net.BoundSocket(options) as bound:
        assert bound.address()["address"] == "0.0.0.0"      # type: ignore[index]
    for bad in ([], [1], (), lambda: None, 0, "x", True):
        with pytest.raises(TypeError) as info:
            net.BoundSocket(bad)
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]


def test_reading_waits_for_the_connection() -> None:
    """'data' attached to an adopted socket before connect(), with the connect made
    later: nodenet waits for the connection (Node starts reading and is destroyed
    with 'read ENOTCONN'; docs/compat.md), so listeners attached on another thread
    before connect() work."""
    got: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda c: c.end("hi"))

        def listening() -> None:
            s = net.Socket(handle=net.BoundSocket(host="127.0.0.1"))
            s.on("data", got.append)
            s.on("error", lambda err: got.append(err.code))
            s.on("close", lambda *_: srv.close())
            net.set_timeout(lambda: s.connect(srv.address()["port"], "127.0.0.1"), 20)

        srv.listen(0, "127.0.0.1", listening)

    run(main)
    assert got == [b"hi"]
