"""Read the socket options another process set (Linux ``pidfd_getfd``).

Differential tests use it to read back what Node itself did with
``setKeepAlive``/``setTypeOfService``: the Node child's sockets are duplicated
into this process (we are its parent, so ptrace rules allow it) and queried with
``getsockopt``. :func:`available` says whether this kernel and Python can.
"""

from __future__ import annotations

import ctypes
import os
import socket
import sys
from typing import Dict, List

_SYS_PIDFD_OPEN = 434       # the same numbers on every Linux architecture
_SYS_PIDFD_GETFD = 438


def available() -> bool:
    return sys.platform.startswith("linux")


def _pidfd_open(libc: ctypes.CDLL, pid: int) -> int:
    opener = getattr(os, "pidfd_open", None)    # PyPy 3.9 lacks it
    if opener is not None:
        return int(opener(pid))
    fd = libc.syscall(_SYS_PIDFD_OPEN, pid, 0)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "pidfd_open")
    return int(fd)


def tcp_sockets(pid: int) -> Dict[int, List[socket.socket]]:
    """The TCP sockets of process ``pid``, duplicated here, by local port."""
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = _pidfd_open(libc, pid)
    found: Dict[int, List[socket.socket]] = {}
    try:
        for name in os.listdir(f"/proc/{pid}/fd"):
            try:
                if not os.readlink(f"/proc/{pid}/fd/{name}").startswith("socket:"):
                    continue
            except OSError:
                continue
            fd = libc.syscall(_SYS_PIDFD_GETFD, pidfd, int(name), 0)
            if fd < 0:
                raise OSError(ctypes.get_errno(), "pidfd_getfd")
            sock = socket.socket(fileno=fd)
            if sock.family not in (socket.AF_INET, socket.AF_INET6):
                sock.close()
                continue
            found.setdefault(sock.getsockname()[1], []).append(sock)
    finally:
        os.close(pidfd)
    return found


def options(sock: socket.socket) -> Dict[str, int]:
    """SO_KEEPALIVE, the three keep-alive probes and IP_TOS / IPV6_TCLASS."""
    def get(level: int, option: int) -> int:
        return sock.getsockopt(level, option)
    tos = (get(socket.IPPROTO_IPV6, socket.IPV6_TCLASS) if sock.family == socket.AF_INET6
           else get(socket.IPPROTO_IP, socket.IP_TOS))
    return {"keepalive": get(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
            "idle": get(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
            "interval": get(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
            "count": get(socket.IPPROTO_TCP, socket.TCP_KEEPCNT), "tos": tos}


def own_options(fd: int) -> Dict[str, int]:
    """:func:`options` of one of this process's own fds (not closed here)."""
    sock = socket.socket(fileno=os.dup(fd))
    try:
        return options(sock)
    finally:
        sock.close()
