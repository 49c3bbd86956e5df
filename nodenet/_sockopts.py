"""Socket options, each one feature-detected (they vary by platform and kernel).

Node/libuv equivalents: ``uv_tcp_nodelay``, ``uv_tcp_keepalive_ex`` (SO_KEEPALIVE,
then TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT), IP_TOS / IPV6_TCLASS (Node's
``setTypeOfService``), ``UV_TCP_IPV6ONLY``, ``UV_TCP_REUSEPORT``,
``uv_tcp_close_reset`` (SO_LINGER 0 for an RST) and the SO_REUSEADDR every
listening socket gets. A missing option is skipped, never an error, so the same
code runs on Linux, macOS, the BSDs and PyPy.

Writes never raise SIGPIPE: a host that embeds Python with ``Py_InitializeEx(0)``,
or a program that restored ``SIG_DFL``, would die of it. Node ignores the signal
process-wide; nodenet may not install a handler, so every send passes
:data:`SEND_FLAGS` (``MSG_NOSIGNAL``) and, where the platform has no such flag,
each socket gets ``SO_NOSIGPIPE`` (:func:`set_no_sigpipe`).
"""

from __future__ import annotations

import errno
import _socket
import socket
import struct
import sys
from typing import Optional, Tuple

__all__ = (
    "set_no_delay", "set_tcp_no_delay", "set_keep_alive", "set_reuse_address", "set_reuse_port",
    "set_ipv6_only", "set_linger_zero", "set_no_sigpipe", "set_type_of_service",
    "get_type_of_service", "HAS_REUSE_PORT", "SEND_FLAGS", "NEEDS_NO_SIGPIPE",
)

#: Flags for every send()/sendmsg(): MSG_NOSIGNAL, which PyPy 3.9's socket module
#: does not export although Linux has it (0x4000).
SEND_FLAGS: int = getattr(socket, "MSG_NOSIGNAL", 0x4000 if sys.platform.startswith("linux") else 0)
# macOS has no MSG_NOSIGNAL; its per-socket equivalent (not exported by Python).
_NOSIGPIPE = getattr(socket, "SO_NOSIGPIPE", 0x1022 if sys.platform == "darwin" else None)

_KEEPIDLE = getattr(socket, "TCP_KEEPIDLE", None) or getattr(socket, "TCP_KEEPALIVE", None)
_KEEPINTVL = getattr(socket, "TCP_KEEPINTVL", None)
_KEEPCNT = getattr(socket, "TCP_KEEPCNT", None)
_REUSEPORT = getattr(socket, "SO_REUSEPORT", None)
_TOS = getattr(socket, "IP_TOS", None)
_TCLASS = getattr(socket, "IPV6_TCLASS", None)
HAS_REUSE_PORT = _REUSEPORT is not None


# The C socket's own ``family`` getter: an int. ``socket.socket.family`` wraps it
# in the AddressFamily enum, a lookup per call (once per accepted connection with
# the no_delay server option). PyPy's base socket type may not have it.
_raw_family = getattr(getattr(socket.socket.__mro__[1], "family", None), "__get__", None)
_INET_FAMILIES = (int(socket.AF_INET), int(socket.AF_INET6))


def _is_tcp(sock: _socket.socket) -> bool:
    if _raw_family is not None:
        return _raw_family(sock) in _INET_FAMILIES
    return sock.family in _INET_FAMILIES  # pragma: no cover - a base type without the getter


def set_no_delay(sock: _socket.socket, enable: bool) -> None:
    """TCP_NODELAY on or off (Nagle's algorithm off or on); nothing on a Unix socket."""
    if _is_tcp(sock):
        set_tcp_no_delay(sock, enable)


def set_tcp_no_delay(sock: _socket.socket, enable: bool) -> None:
    """:func:`set_no_delay` for a socket known to be TCP."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1 if enable else 0)
    except OSError:
        pass


def set_keep_alive(sock: _socket.socket, enable: bool, idle: int, interval: int = 1,
                   count: int = 10) -> int:
    """libuv's ``uv__tcp_keepalive`` (1.52): SO_KEEPALIVE, then the three probes.

    Returns an errno or 0. Disabling stops after SO_KEEPALIVE. Any of ``idle``,
    ``interval``, ``count`` below 1 is EINVAL with only SO_KEEPALIVE changed; a
    value the kernel rejects (idle or interval > 32767 s, count > 127 on Linux)
    fails that option and leaves the later ones as they were, as libuv does.
    """
    if not _is_tcp(sock):
        return 0
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1 if enable else 0)
        if not enable:
            return 0
        if idle < 1 or interval < 1 or count < 1:
            return errno.EINVAL
        for option, value in ((_KEEPIDLE, idle), (_KEEPINTVL, interval), (_KEEPCNT, count)):
            if option is None:
                continue
            if value > 0x7FFFFFFF:       # not a C int: the kernel's answer for it
                return errno.EINVAL
            sock.setsockopt(socket.IPPROTO_TCP, option, value)
    except OSError as exc:
        return exc.errno or errno.EINVAL
    return 0


def _tos_option(sock: _socket.socket) -> Optional[Tuple[int, int]]:
    if sock.family == socket.AF_INET6 and _TCLASS is not None:
        return socket.IPPROTO_IPV6, _TCLASS
    if sock.family == socket.AF_INET and _TOS is not None:
        return socket.IPPROTO_IP, _TOS
    return None


def set_type_of_service(sock: _socket.socket, tos: int) -> int:
    """IP_TOS (IPv4) or IPV6_TCLASS (IPv6); an errno or 0. The kernel keeps the
    ECN bits of a TCP socket to itself, so ``get`` may read back less."""
    option = _tos_option(sock)
    if option is None:
        return errno.ENOTSUP
    try:
        sock.setsockopt(option[0], option[1], tos)
    except OSError as exc:
        return exc.errno or errno.EINVAL
    return 0


def get_type_of_service(sock: _socket.socket) -> Tuple[int, int]:
    """(errno, value) of IP_TOS or IPV6_TCLASS."""
    option = _tos_option(sock)
    if option is None:
        return errno.ENOTSUP, 0
    try:
        return 0, sock.getsockopt(option[0], option[1])
    except OSError as exc:
        return exc.errno or errno.EINVAL, 0


def set_reuse_address(sock: _socket.socket) -> None:
    """SO_REUSEADDR, which libuv sets on every TCP socket it binds."""
    if _is_tcp(sock):
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        except OSError:  # pragma: no cover
            pass


def set_reuse_port(sock: _socket.socket) -> bool:
    """SO_REUSEPORT if the platform has it; False when it does not."""
    if _REUSEPORT is None:  # pragma: no cover - Linux and the BSDs have it
        return False
    try:
        sock.setsockopt(socket.SOL_SOCKET, _REUSEPORT, 1)
    except OSError:  # pragma: no cover
        return False
    return True


def set_ipv6_only(sock: _socket.socket, only: bool) -> None:
    """IPV6_V6ONLY: dual-stack unless ``only`` (Node sets it explicitly either way)."""
    if sock.family == socket.AF_INET6 and hasattr(socket, "IPV6_V6ONLY"):
        try:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if only else 0)
        except OSError:  # pragma: no cover
            pass


#: True where sockets need SO_NOSIGPIPE (no MSG_NOSIGNAL for send): macOS.
NEEDS_NO_SIGPIPE = not SEND_FLAGS and _NOSIGPIPE is not None


def set_no_sigpipe(sock: _socket.socket) -> None:
    """SO_NOSIGPIPE where sends cannot say MSG_NOSIGNAL (macOS); a no-op elsewhere."""
    if SEND_FLAGS or _NOSIGPIPE is None:
        return
    try:  # pragma: no cover - macOS
        sock.setsockopt(socket.SOL_SOCKET, _NOSIGPIPE, 1)
    except OSError:  # pragma: no cover
        pass


def set_linger_zero(sock: _socket.socket) -> None:
    """SO_LINGER {on, 0}: close() then sends an RST instead of a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:  # pragma: no cover
        pass
