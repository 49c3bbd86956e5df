"""Readiness polling, the way libuv drives epoll (with a ``selectors`` fallback).

Node's event order depends on *when* libuv tells the kernel about interest
changes and on what the kernel then reports, so on Linux nodenet talks to
``select.epoll`` the way libuv's ``uv__io_poll`` does:

* **lazy changes**: starting or changing a watcher's interest only queues it;
  the queued ``epoll_ctl`` calls are made, in queue order, just before the next
  ``epoll_wait`` (libuv's ``watcher_queue``);
* **stale registrations**: a watcher that stops watching everything stays in the
  kernel's set; it is removed (EPOLL_CTL_DEL) only when an event arrives for it,
  and restarting it is an EPOLL_CTL_MOD — which keeps its place in the kernel's
  ready list, as libuv's does;
* **hang-ups**: EPOLLHUP wakes a reader (and a writer) and is reported as
  ``EVENT_HUP``. Streams no longer act on it: Node 20's libuv took a hang-up
  after a short read as the end of input at once, Node 26's reads again at the
  next poll;
* **close**: a closed fd is removed at once and dropped from the current batch.

Elsewhere (macOS, the BSDs, a sandbox refusing epoll, or a selector injected by a
test) :class:`SelectorPoller` wraps any ``selectors`` selector, without the
hang-up information.
"""

from __future__ import annotations

import math
import select
import selectors
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from ._selector import make_selector

if TYPE_CHECKING:
    from ._watcher import IOWatcher

__all__ = ("EVENT_READ", "EVENT_WRITE", "EVENT_HUP", "EpollPoller", "SelectorPoller",
           "make_poller")

EVENT_READ = selectors.EVENT_READ     # 1
EVENT_WRITE = selectors.EVENT_WRITE   # 2
EVENT_HUP = 4

Ready = List[Tuple["IOWatcher", int]]

# A poll never sleeps longer than a day: some platforms reject larger timeouts.
MAX_TIMEOUT = 86400.0
_MAX_EVENTS = 1024

# epoll's bits as nodenet's: an error or a hang-up wakes readers and writers (as
# libuv does); a hang-up is also reported as such. Missing where epoll is.
_EP_IN = getattr(select, "EPOLLIN", 0) | getattr(select, "EPOLLERR", 0) \
    | getattr(select, "EPOLLHUP", 0)
_EP_OUT = getattr(select, "EPOLLOUT", 0) | getattr(select, "EPOLLERR", 0) \
    | getattr(select, "EPOLLHUP", 0)
_EP_HUP = getattr(select, "EPOLLHUP", 0)
# The same, looked up: epoll's five low bits (in, pri, out, err, hup) -> nodenet's
# mask, one index per ready fd instead of three tests.
_EP_MASKS = [((EVENT_READ if ev & _EP_IN else 0) | (EVENT_WRITE if ev & _EP_OUT else 0)
              | (EVENT_HUP if ev & _EP_HUP else 0)) for ev in range(32)]


class EpollPoller:
    """libuv's epoll strategy (see the module docstring)."""

    def __init__(self) -> None:
        self._ep = select.epoll()
        self._watching: Dict[int, IOWatcher] = {}     # fd -> watcher with interest
        self._stale: Dict[int, IOWatcher] = {}        # fd -> registered, no interest
        self._queue: Dict[IOWatcher, None] = {}       # ordered set: pending changes

    def start(self, w: IOWatcher, events: int) -> None:
        new = w.events | events
        if new == w.events:
            return
        w.events = new
        fd = w.fd
        self._watching[fd] = w
        self._stale.pop(fd, None)
        if w.kevents != new:
            self._queue[w] = None

    def stop(self, w: IOWatcher, events: int) -> None:
        new = w.events & ~events
        if new == w.events:
            return
        w.events = new
        if new == 0:
            self._queue.pop(w, None)
            if self._watching.get(w.fd) is w:
                del self._watching[w.fd]
            if w.kevents:
                self._stale[w.fd] = w
        elif w.kevents != new:
            self._queue[w] = None

    def close(self, w: IOWatcher) -> None:
        """Forget ``w`` before its fd is closed (libuv ``uv__platform_invalidate_fd``)."""
        fd = w.fd
        self._queue.pop(w, None)
        if self._watching.get(fd) is w:
            del self._watching[fd]
        if self._stale.get(fd) is w:
            del self._stale[fd]
        if w.kevents:
            try:
                self._ep.unregister(fd)
            except OSError:
                pass
            w.kevents = 0
        w.events = 0

    def _apply(self) -> None:
        ep = self._ep
        for w in self._queue:
            mask = 0
            if w.events & EVENT_READ:
                mask |= select.EPOLLIN
            if w.events & EVENT_WRITE:
                mask |= select.EPOLLOUT
            if w.kevents:
                ep.modify(w.fd, mask)
            else:
                try:
                    ep.register(w.fd, mask)
                except FileExistsError:  # a stale registration: libuv retries as MOD
                    ep.modify(w.fd, mask)
            w.kevents = w.events
        self._queue.clear()

    def wait(self, timeout: Optional[float]) -> List[Tuple[int, int]]:
        """Make the queued changes, then wait (at most ``timeout`` seconds; None:
        forever) and return epoll's ``(fd, events)`` pairs, for :meth:`resolve`."""
        if self._queue:
            self._apply()
        if timeout is None:
            wait = -1.0
        elif timeout <= 0:
            wait = 0.0
        else:
            # round up to whole milliseconds: epoll would wake too early otherwise
            wait = math.ceil(min(timeout, MAX_TIMEOUT) * 1e3) * 1e-3
        try:
            return self._ep.poll(wait, _MAX_EVENTS)
        except InterruptedError:
            return []

    def resolve(self, fd: int, ev: int) -> Optional[Tuple[IOWatcher, int]]:
        """The watcher an event of :meth:`wait` is for now, and what it may hear
        (None: nobody), as libuv looks it up when it gets to it in the batch:

        * a watcher that stopped watching everything (before the wait, or
          earlier in this batch) is disarmed, removed from the kernel's set;
        * one that started again earlier in this batch hears it;
        * a closed fd is dropped; if a new watcher took the same fd number in
          this batch, it is not registered yet (``kevents`` 0) and hears
          nothing (libuv's ``uv__platform_invalidate_fd``).
        """
        w = self._watching.get(fd)
        if w is None:
            self._disarm(fd)
            return None
        mask = _EP_MASKS[ev & 31] & (w.events | EVENT_HUP)
        return (w, mask) if mask and w.kevents else None

    def _disarm(self, fd: int) -> None:
        """An event for a stopped watcher: remove it from the kernel's set, as libuv."""
        stale = self._stale.pop(fd, None)
        if stale is not None:
            stale.kevents = 0
            try:
                self._ep.unregister(fd)
            except OSError:
                pass

    def poll(self, timeout: Optional[float]) -> Ready:
        """Wait (at most ``timeout`` seconds; None: forever) and return the ready
        watchers, resolved now (the loop resolves each as it dispatches it)."""
        ready: Ready = []
        for fd, ev in self.wait(timeout):
            found = self.resolve(fd, ev)
            if found is not None:
                ready.append(found)
        return ready

    def shutdown(self) -> None:
        self._ep.close()


class SelectorPoller:
    """Any ``selectors`` selector behind the poller interface (no hang-up info)."""

    def __init__(self, selector: selectors.BaseSelector) -> None:
        self.selector = selector

    def start(self, w: IOWatcher, events: int) -> None:
        new = w.events | events
        if new == w.events:
            return
        if w.events:
            self.selector.modify(w.fd, new, w)
        else:
            self.selector.register(w.fd, new, w)
        w.events = w.kevents = new

    def stop(self, w: IOWatcher, events: int) -> None:
        new = w.events & ~events
        if new == w.events:
            return
        if new:
            self.selector.modify(w.fd, new, w)
        else:
            self.selector.unregister(w.fd)
        w.events = w.kevents = new

    def close(self, w: IOWatcher) -> None:
        if w.events:
            try:
                self.selector.unregister(w.fd)
            except (KeyError, ValueError, OSError):
                pass
        w.events = w.kevents = 0

    def wait(self, timeout: Optional[float]) -> Ready:
        """Wait (at most ``timeout`` seconds; None: forever): the ready watchers
        and their masks, for :meth:`resolve`."""
        if timeout is not None:
            timeout = min(max(timeout, 0.0), MAX_TIMEOUT)
        try:
            events = self.selector.select(timeout)
        except InterruptedError:
            return []
        return [(key.data, mask) for key, mask in events]

    def resolve(self, w: IOWatcher, mask: int) -> Optional[Tuple[IOWatcher, int]]:
        """What ``w`` may hear of its event now (None: nothing), once the
        callbacks before it in the batch have run."""
        mask &= w.events
        return (w, mask) if mask else None

    def poll(self, timeout: Optional[float]) -> Ready:
        """Wait and return the ready watchers, resolved now."""
        ready: Ready = []
        for w, mask in self.wait(timeout):
            found = self.resolve(w, mask)
            if found is not None:
                ready.append(found)
        return ready

    def shutdown(self) -> None:
        self.selector.close()


Poller = Any  # EpollPoller or SelectorPoller


def make_poller(selector: Any = None) -> Poller:
    """The libuv-style epoll poller where possible, else a wrapped selector."""
    if selector is None and hasattr(select, "epoll"):
        try:
            return EpollPoller()
        except OSError:      # e.g. a sandbox that refuses epoll_create1
            pass
    return SelectorPoller(make_selector(selector))
