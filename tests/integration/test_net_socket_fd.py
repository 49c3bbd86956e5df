"""``net.Socket({fd})``: wrapping an fd a Python parent made, for every kind of fd
(connected TCP and Unix sockets, unconnected TCP ones, and the kinds Node
refuses), and the ``fd`` option's validation.

Expected values come from node v20.20 runs of the same steps (quoted per test).
"""

from __future__ import annotations

import os
import socket
import tempfile
from typing import Any, List, Tuple

import pytest

import nodenet as net
from nodenet.errors import NodeRangeError, NodeTypeError
from support import run


def tcp_pair() -> Tuple[socket.socket, socket.socket]:
    """A connected loopback TCP pair (client side, accepted side)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
    return client, accepted


@pytest.mark.parametrize("kind", ["tcp", "unix"])
@pytest.mark.parametrize("form", ["options", "number"])
def test_socket_wraps_a_connected_fd(kind: str, form: str) -> None:
    # node (fd inherited from a Python parent): new net.Socket({fd}) is 'open',
    # not pending, emits no 'connect'; TCP has local/remote addresses, a Unix
    # socket has none; data flows both ways; end -> 'end', 'close' false
    if kind == "tcp":
        peer, mine = tcp_pair()
    else:
        peer, mine = socket.socketpair()
    fd = mine.detach()
    info: List[Any] = []
    events: List[Any] = []

    def main() -> None:
        sock = net.Socket({"fd": fd} if form == "options" else fd)
        info.append((sock.ready_state, sock.pending, sock.connecting, sock.fileno() == fd))
        info.append((sock.remote_address, sock.remote_family, sock.local_address,
                     sock.address()))
        sock.on("connect", lambda: events.append("connect"))
        sock.on("data", lambda d: events.append(("data", d)))
        sock.on("end", lambda: (events.append("end"), sock.end(b"bye")))
        sock.on("close", lambda had_error: events.append(("close", had_error)))
        sock.write(b"hi")

    try:
        peer.sendall(b"x")
        peer.shutdown(socket.SHUT_WR)
        run(main)
        received = b""
        while True:
            chunk = peer.recv(100)
            if not chunk:
                break
            received += chunk
    finally:
        peer.close()
    assert info[0] == ("open", False, False, True)
    if kind == "tcp":
        ra, rf, la, addr = info[1]
        assert (ra, rf, la) == ("127.0.0.1", "IPv4", "127.0.0.1")
        assert addr["family"] == "IPv4" and addr["port"] > 0
    else:
        assert info[1] == (None, None, None, {})
    assert events == [("data", b"x"), "end", ("close", False)]
    assert received == b"hibye"


@pytest.mark.parametrize("bound", [True, False])
def test_socket_wrapping_an_unconnected_tcp_fd(bound: bool) -> None:
    # node (fd of a bound / fresh, unconnected TCP socket from a Python parent):
    # remote* undefined, address() the bound address (0.0.0.0:0 when unbound),
    # readyState 'open'; the first read fails: 'error' "read ENOTCONN", 'close' true
    raw = socket.socket()
    if bound:
        raw.bind(("127.0.0.1", 0))
    expected_addr = {"address": "127.0.0.1" if bound else "0.0.0.0", "family": "IPv4",
                     "port": raw.getsockname()[1]}
    fd = raw.detach()
    events: List[Any] = []

    def main() -> None:
        sock = net.Socket({"fd": fd})
        events.append((sock.remote_address, sock.remote_port, sock.remote_family,
                       sock.address(), sock.ready_state, sock.pending))
        sock.on("error", lambda e: events.append(("error", e.code, str(e), e.syscall)))
        sock.on("close", lambda had_error: events.append(("close", had_error)))

    run(main)
    assert events == [(None, None, None, expected_addr, "open", False),
                      ("error", "ENOTCONN", "read ENOTCONN", "read"), ("close", True)]


def _fd_of(kind: str, stack: List[Any]) -> int:
    if kind == "FILE-regular":
        f = tempfile.TemporaryFile()
        stack.append(f)
        return f.fileno()
    if kind == "FILE-devnull":
        fd = os.open(os.devnull, os.O_RDONLY)
        stack.append(fd)
        return fd
    if kind == "UDP":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        stack.append(s)
        return s.fileno()
    if kind == "UNKNOWN-dgram":
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        stack.extend([a, b])
        return a.fileno()
    if kind == "UNKNOWN-dir":
        fd = os.open(tempfile.gettempdir(), os.O_RDONLY)
        stack.append(fd)
        return fd
    if kind == "UNKNOWN-closed":
        fd = os.open(os.devnull, os.O_RDONLY)
        os.close(fd)
        return fd
    if kind == "TTY":
        master, slave = os.openpty()
        stack.extend([master, slave])
        return slave
    if kind == "PIPE-fifo":
        r, w = os.pipe()
        stack.extend([r, w])
        return r
    raise AssertionError(kind)


@pytest.mark.parametrize("kind, message", [
    ("FILE-regular", "Unsupported fd type: FILE"),      # node: same
    ("FILE-devnull", "Unsupported fd type: FILE"),      # node: same (a char device)
    ("UDP", "Unsupported fd type: UDP"),                # node: same (dgram socket's fd)
    ("UNKNOWN-dgram", "Unsupported fd type: UNKNOWN"),  # libuv: AF_UNIX datagrams
    ("UNKNOWN-closed", "Unsupported fd type: UNKNOWN"),  # node: {fd: 10000}
    ("UNKNOWN-dir", "Unsupported fd type: UNKNOWN"),    # libuv: neither file nor socket
    ("TTY", "Unsupported fd type: TTY"),                # node's createHandle: TTY
    # docs/compat.md: Socket(fd=n) wraps socket fds only; Node would wrap a pipe
    ("PIPE-fifo", "Unsupported fd type: PIPE"),
])
def test_socket_rejects_other_fd_kinds(kind: str, message: str) -> None:
    stack: List[Any] = []
    try:
        fd = _fd_of(kind, stack)
        with pytest.raises(NodeTypeError) as info:
            net.Socket({"fd": fd})
        assert (info.value.code, str(info.value)) == ("ERR_INVALID_FD_TYPE", message)
        if kind != "UNKNOWN-closed":
            os.fstat(fd)                                  # not taken over
    finally:
        for item in stack:
            if isinstance(item, int):
                os.close(item)
            else:
                item.close()


@pytest.mark.parametrize("fd, cls, message", [
    (-1, NodeRangeError,
     'The value of "fd" is out of range. It must be >= 0 && <= 2147483647. Received -1'),
    (1.5, NodeRangeError, 'The value of "fd" is out of range. It must be an integer. '
                          "Received 1.5"),
    ("3", NodeTypeError, "The \"fd\" argument must be of type number. Received type str ('3')"),
])
def test_socket_fd_validation(fd: Any, cls: type, message: str) -> None:
    # node: new net.Socket({fd: -1 | 1.5 | '3'})
    with pytest.raises(cls) as info:
        net.Socket({"fd": fd})
    assert str(info.value) == message
