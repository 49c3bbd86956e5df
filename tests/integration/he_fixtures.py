"""Loopback fixtures for Happy Eyeballs end-to-end tests (no root needed).

The recipes of ../shared/reference/happy-eyeballs.md §4.1, built in-process with
plain ``socket`` objects (never nodenet's), every address on one shared port P
(Node connects to the same port on every address):

* ``accept``    listener (``listen(64)``): the kernel completes the handshake;
* ``refuse``    bound but not listening: ECONNREFUSED, and the port stays reserved;
* ``blackhole`` ``listen(0)`` plus one completed, never-accepted connection: later
  SYNs are dropped, so a connect stays pending;
* ``slow``      a blackhole whose filler is accepted by :meth:`Fixture.free`
  before 1 s: the client's first SYN retransmit (initial RTO 1 s) then gets in.

Synchronous ENETUNREACH needs no fixture (224.0.0.1, ff02::1); extra "IPv6"
addresses are ``::ffff:127.0.0.N`` reaching the IPv4 fixture on 127.0.0.N, and
``::1`` fixtures are bound with IPV6_V6ONLY.

:func:`blackhole_works` probes once whether the kernel behaves as described
(a SYN to the full backlog stays pending for 300 ms); tests skip if not.
"""

from __future__ import annotations

import errno
import functools
import select
import socket
import sys
from typing import Dict, List, Optional

__all__ = ("Fixture", "blackhole_works", "mapped_works", "sync_unreachable_works")

# Completed connections a listen(0) queue holds: one on Linux, but PyPy's
# socket.listen() raises a backlog of 0 to 1, so its queue holds two.
_FILLERS = 2 if sys.implementation.name == "pypy" else 1


class Fixture:
    """Sockets for ``{ip: behaviour}`` on one port; close() in a finally."""

    def __init__(self, specs: Dict[str, str]) -> None:
        self.specs = dict(specs)
        self.listeners: Dict[str, socket.socket] = {}
        self.fillers: List[socket.socket] = []
        last: Optional[OSError] = None
        for _ in range(50):
            try:
                self._build()
                return
            except OSError as exc:     # port taken on one of the addresses: retry
                last = exc
                self._close_all()
        raise RuntimeError(f"could not build fixture {specs}: {last}")

    def _build(self) -> None:
        probe = socket.socket(socket.AF_INET)
        try:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        finally:
            probe.close()
        for ip, behaviour in self.specs.items():
            family = socket.AF_INET6 if ":" in ip else socket.AF_INET
            s = socket.socket(family, socket.SOCK_STREAM)
            self.listeners[ip] = s
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((ip, self.port))
            if behaviour == "accept":
                s.listen(64)
            elif behaviour in ("blackhole", "slow"):
                s.listen(0)
                for _ in range(_FILLERS):
                    filler = socket.create_connection((ip, self.port), timeout=2)
                    self.fillers.append(filler)
            elif behaviour != "refuse":
                raise ValueError(f"unknown behaviour {behaviour}")

    def free(self, ip: str) -> None:
        """Accept (and close) the filler of a blackhole: it becomes slow (~1 s)."""
        conn, _ = self.listeners[ip].accept()
        conn.close()

    def connections(self, ip: str) -> int:
        """How many connections wait in an ``accept`` listener's queue (drains it)."""
        s = self.listeners[ip]
        count = 0
        s.setblocking(False)
        try:
            while True:
                try:
                    conn, _ = s.accept()
                except (BlockingIOError, InterruptedError):
                    return count
                conn.close()
                count += 1
        finally:
            s.setblocking(True)

    def _close_all(self) -> None:
        for s in list(self.listeners.values()) + self.fillers:
            try:
                s.close()
            except OSError:
                pass
        self.listeners = {}
        self.fillers = []

    def close(self) -> None:
        self._close_all()

    def __enter__(self) -> Fixture:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pending_after(family: int, address: tuple, seconds: float) -> bool:
    client = socket.socket(family, socket.SOCK_STREAM)
    try:
        client.setblocking(False)
        if client.connect_ex(address) != errno.EINPROGRESS:
            return False
        _r, writable, _x = select.select([], [client], [], seconds)
        return not writable
    finally:
        client.close()


@functools.lru_cache(maxsize=None)
def blackhole_works() -> bool:
    """A SYN to a full ``listen(0)`` backlog stays unanswered for 300 ms."""
    try:
        with Fixture({"127.0.0.2": "blackhole"}) as fx:
            return _pending_after(socket.AF_INET, ("127.0.0.2", fx.port), 0.3)
    except (OSError, RuntimeError):
        return False


@functools.lru_cache(maxsize=None)
def mapped_works() -> bool:
    """A dual-stack AF_INET6 socket reaches 127.0.0.N as ::ffff:127.0.0.N."""
    if not socket.has_ipv6:
        return False
    try:
        with Fixture({"127.0.0.2": "accept"}) as fx:
            client = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            try:
                client.settimeout(2)
                client.connect(("::ffff:127.0.0.2", fx.port))
                return True
            finally:
                client.close()
    except (OSError, RuntimeError):
        return False


@functools.lru_cache(maxsize=None)
def sync_unreachable_works() -> bool:
    """connect() to 224.0.0.1 (and ff02::1 when IPv6 exists) fails at once with ENETUNREACH."""
    targets = [(socket.AF_INET, ("224.0.0.1", 9))]
    if socket.has_ipv6:
        targets.append((socket.AF_INET6, ("ff02::1", 9)))
    for family, address in targets:
        try:
            s = socket.socket(family, socket.SOCK_STREAM)
        except OSError:
            return False
        try:
            s.setblocking(False)
            if s.connect_ex(address) != errno.ENETUNREACH:
                return False
        finally:
            s.close()
    return True
