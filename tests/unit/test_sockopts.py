"""Socket options (nodenet._sockopts): what reaches the kernel, and the fallbacks.

Each option is feature-detected: a platform without TCP_KEEPIDLE (or with the
macOS spelling TCP_KEEPALIVE), a socket the kernel refuses the option for, or a
non-TCP socket must never raise. The values Node 20 sets (SO_KEEPALIVE, then
TCP_KEEPIDLE = delay, TCP_KEEPINTVL = 1, TCP_KEEPCNT = 10) were traced with strace.
"""

from __future__ import annotations

import socket
from typing import Any, Iterator

import pytest

from nodenet import _sockopts

HAS_KEEPIDLE = hasattr(socket, "TCP_KEEPIDLE")


@pytest.fixture
def tcp() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        yield s


@pytest.fixture
def unix() -> Iterator[socket.socket]:
    a, b = socket.socketpair()
    with a, b:
        yield a


def getopt(sock: socket.socket, level: int, name: int) -> int:
    return sock.getsockopt(level, name)


def test_no_delay_round_trip(tcp: socket.socket) -> None:
    _sockopts.set_no_delay(tcp, True)
    assert getopt(tcp, socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    _sockopts.set_no_delay(tcp, False)
    assert getopt(tcp, socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0


@pytest.mark.skipif(not HAS_KEEPIDLE, reason="needs TCP_KEEPIDLE")
def test_keep_alive_with_a_delay_sets_node_20s_probe_values(tcp: socket.socket) -> None:
    _sockopts.set_keep_alive(tcp, True, 7)
    assert getopt(tcp, socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0
    assert getopt(tcp, socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 7
    assert getopt(tcp, socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == 1
    assert getopt(tcp, socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 10
    _sockopts.set_keep_alive(tcp, False, 7)
    assert getopt(tcp, socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 0


@pytest.mark.skipif(not HAS_KEEPIDLE, reason="needs TCP_KEEPIDLE")
def test_keep_alive_without_the_probe_options(tcp: socket.socket, monkeypatch: Any) -> None:
    # a platform lacking TCP_KEEPIDLE/KEEPINTVL/KEEPCNT: only SO_KEEPALIVE is set
    before = {name: getopt(tcp, socket.IPPROTO_TCP, getattr(socket, name))
              for name in ("TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT")}
    for attr in ("_KEEPIDLE", "_KEEPINTVL", "_KEEPCNT"):
        monkeypatch.setattr(_sockopts, attr, None)
    _sockopts.set_keep_alive(tcp, True, 7)
    assert getopt(tcp, socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0
    after = {name: getopt(tcp, socket.IPPROTO_TCP, getattr(socket, name))
             for name in ("TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT")}
    assert after == before


def test_options_refused_by_the_kernel_are_ignored() -> None:
    # a closed socket makes every setsockopt fail (EBADF): nothing may raise
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM) if socket.has_ipv6 else None
    s.close()
    _sockopts.set_no_delay(s, True)
    _sockopts.set_keep_alive(s, True, 5)
    _sockopts.set_linger_zero(s)
    if s6 is not None:
        s6.close()
        _sockopts.set_ipv6_only(s6, True)


def test_tcp_only_options_skip_unix_sockets(unix: socket.socket) -> None:
    # TCP_NODELAY / SO_KEEPALIVE / SO_REUSEADDR are not applied to a Unix socket
    _sockopts.set_no_delay(unix, True)
    _sockopts.set_keep_alive(unix, True, 5)
    _sockopts.set_reuse_address(unix)
    assert getopt(unix, socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 0
    assert getopt(unix, socket.SOL_SOCKET, socket.SO_REUSEADDR) == 0


def test_reuse_address_and_port(tcp: socket.socket) -> None:
    _sockopts.set_reuse_address(tcp)
    assert getopt(tcp, socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0
    if _sockopts.HAS_REUSE_PORT:
        assert _sockopts.set_reuse_port(tcp) is True
        assert getopt(tcp, socket.SOL_SOCKET, socket.SO_REUSEPORT) != 0


@pytest.mark.skipif(not socket.has_ipv6, reason="needs IPv6 sockets")
def test_ipv6_only_applies_to_ipv6_sockets_only(tcp: socket.socket) -> None:
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
        _sockopts.set_ipv6_only(s6, True)
        assert getopt(s6, socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 1
        _sockopts.set_ipv6_only(s6, False)
        assert getopt(s6, socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 0
    _sockopts.set_ipv6_only(tcp, True)          # an IPv4 socket: left alone, no error


def test_linger_zero(tcp: socket.socket) -> None:
    import struct
    _sockopts.set_linger_zero(tcp)
    onoff, seconds = struct.unpack("ii", tcp.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))
    assert (onoff, seconds) == (1, 0)
