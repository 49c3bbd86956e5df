"""I/O watchers: one file descriptor's interest in readiness.

libuv's ``uv__io_t``. The poller (``_poller.py``) tells a watcher when its fd
is readable or writable; the loop (``_loop.py``) runs the callbacks in its poll
phase. This module depends on nothing else in nodenet, so both can use it.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

__all__ = ("IOWatcher", "CallbackWatcher")

Callback = Callable[..., Any]


class IOWatcher:
    """One file descriptor's interest in readiness (libuv's ``uv__io_t``).

    Subclasses (a stream handle, a listening socket) implement ``on_readable``
    and ``on_writable``, which run in the poll phase while the matching bit is
    in ``events``. Start and stop interest with :meth:`Loop.io_start` and
    :meth:`Loop.io_stop`; :meth:`Loop.io_close` forgets the fd before it is
    closed. Being the watcher itself (rather than holding one with bound-method
    callbacks) saves a few hundred bytes per connection.
    """

    __slots__ = ("fd", "events", "kevents", "closed")

    def __init__(self, fd: int = -1) -> None:
        self.fd = fd
        self.events = 0       # what the loop wants to hear about
        self.kevents = 0      # what the kernel was last told (the poller's business)
        self.closed = False

    def on_readable(self) -> None:
        """The fd is readable (or hung up)."""

    def on_writable(self) -> None:
        """The fd is writable (or in error)."""


class CallbackWatcher(IOWatcher):
    """A watcher that calls plain functions (the wake-up socket, tests)."""

    __slots__ = ("_readable", "_writable")

    def __init__(self, fd: int, on_readable: Optional[Callback] = None,
                 on_writable: Optional[Callback] = None) -> None:
        super().__init__(fd)
        self._readable = on_readable
        self._writable = on_writable

    def on_readable(self) -> None:
        if self._readable is not None:
            self._readable()

    def on_writable(self) -> None:
        if self._writable is not None:
            self._writable()
