"""Test helpers: bounded loop runs, call counters, leak accounting.

Every wait here has a timeout, so a hung loop fails a test instead of hanging CI.
"""

from __future__ import annotations

import os
import selectors
import socket
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import nodenet as net
from nodenet._loop import _Waiter

def run(main: Optional[Callable[[], Any]] = None, timeout: float = 10.0) -> None:
    """``net.run(main)`` with a deadline: fails the test if the loop does not empty."""
    loop = net.get_loop()
    waiter = _Waiter()

    def start() -> None:
        loop._run_waiters.append(waiter)
        if main is not None:
            main()

    loop.post(start)
    if not waiter.event.wait(timeout):
        state = describe(loop)
        loop.stop()
        loop.join(5.0)
        raise AssertionError(f"loop still alive after {timeout}s: {state}")
    if waiter.error is not None:
        raise waiter.error


def describe(loop: net.Loop) -> str:
    """What keeps a loop alive (for a timeout's error message)."""
    parts = [f"refs={loop._refs}", f"immediates={len(loop._immediates)}",
             f"pending={len(loop._pending)}", f"closing={len(loop._closing)}",
             f"timers={loop._timer_count}"]
    for h in list(loop._handles):
        fields = {k: getattr(h, k, None) for k in ("reading", "refed", "counted", "closed")}
        busy = {k: getattr(h, k, None) is not None
                for k in ("write_cb", "connect_cb", "shutdown_cb")}
        owner = getattr(h, "owner", None) or getattr(h, "server", None)
        parts.append(f"{type(h).__name__}({fields}, busy={busy}, owner={owner!r})")
    return "; ".join(parts)


def on_loop(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn`` on the loop thread and return its result."""
    return net.get_loop().call(fn, *args)


class Calls:
    """Counts and records calls (Node's common.mustCall, checked explicitly)."""

    def __init__(self, fn: Optional[Callable[..., Any]] = None) -> None:
        self.fn = fn
        self.calls: List[Tuple[Any, ...]] = []
        self.threads: Set[int] = set()
        self.event = threading.Event()

    def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        self.threads.add(threading.get_ident())
        self.event.set()
        if self.fn is not None:
            return self.fn(*args)
        return None

    @property
    def count(self) -> int:
        return len(self.calls)

    def wait(self, timeout: float = 5.0) -> None:
        assert self.event.wait(timeout), "callback was never called"


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
    """Poll ``predicate`` until true (bounded)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(0.005)


# What limit_buffers pins SO_SNDBUF/SO_RCVBUF to (Linux doubles it for its own
# bookkeeping): far below any machine's tcp_wmem/tcp_rmem defaults, far above the
# minimum, and several loopback segments (64 KiB) wide so that the window never
# shrinks below one segment.
SMALL_BUFFER = 128 * 1024


def limit_buffers(target: Any, size: int = SMALL_BUFFER) -> None:
    """Pin the kernel buffers of ``target`` (a nodenet Socket, Server or a plain
    socket) to ``size`` bytes: SO_SNDBUF and SO_RCVBUF both, which also stops their
    autotuning.

    How much a peer that does not read absorbs is then a few hundred KiB on every
    machine, not whatever its tcp_wmem/tcp_rmem allow (64 MiB on some): a write of
    a few MiB stays pending. A server's listening socket passes its buffers on to
    the connections it accepts (and advertises the small window from the first
    SYN-ACK), so limit a server before clients connect, a client socket before it
    writes. This sets what the test controls; it does not depend on the defaults.
    """
    handle = getattr(target, "_handle", None)
    sock = target if isinstance(target, socket.socket) else getattr(handle, "sock", None)
    assert sock is not None, f"{target!r} has no OS socket yet"
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)


def open_fds() -> Dict[int, str]:
    """The process's sockets, pipes, epoll fds and /dev/null (the EMFILE reserve
    fd): everything nodenet could leak."""
    found: Dict[int, str] = {}
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return found
    for name in names:
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if target.startswith(("socket:", "pipe:", "anon_inode:")) or target == os.devnull:
            found[int(name)] = target
    return found


def extra_threads(before: Set[threading.Thread]) -> List[threading.Thread]:
    return [t for t in threading.enumerate() if t not in before and t.is_alive()]


class FakeClock:
    """A manual clock in seconds (trio's MockClock, without autojump by itself)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.time = start

    def __call__(self) -> float:
        return self.time

    def advance(self, seconds: float) -> None:
        self.time += seconds


class VirtualTimeSelector(selectors.BaseSelector):
    """Wraps a real selector: when a poll would block with nothing ready, the
    fake clock jumps forward by the timeout instead of sleeping (trio autojump)."""

    def __init__(self, clock: FakeClock, settle: float = 0.0) -> None:
        self.clock = clock
        self.real = selectors.DefaultSelector()
        self.polls: List[Optional[float]] = []
        self.settle = settle

    def register(self, fileobj: Any, events: int, data: Any = None) -> Any:
        return self.real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> Any:
        return self.real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> Any:
        return self.real.modify(fileobj, events, data)

    def get_map(self) -> Any:
        return self.real.get_map()

    def close(self) -> None:
        self.real.close()

    def select(self, timeout: Optional[float] = None) -> Any:
        self.polls.append(timeout)
        ready = self.real.select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:
            raise AssertionError("virtual-time loop would block forever")
        if self.settle:
            # Real sockets: the kernel may still be moving loopback data (a window
            # update or an ACK handled a moment later, in a softirq or ksoftirqd on
            # a loaded machine) that makes a socket ready with no time passing in
            # the test. Let it land before the clock jumps.
            ready = self.real.select(self.settle)
            if ready:
                return ready
        self.clock.advance(timeout)
        return []


def virtual_loop(settle: float = 0.0) -> Tuple[net.Loop, FakeClock]:
    """A loop on a fake clock, driven on the test thread with run_until_idle().

    ``settle``: real seconds to wait for I/O before each jump of the clock, for a
    test that moves data over real sockets (see VirtualTimeSelector.select)."""
    clock = FakeClock()
    loop = net.Loop(clock=clock, selector=VirtualTimeSelector(clock, settle), manual=True)
    return loop, clock
