"""A small worker pool owned by one loop (libuv's threadpool, without the globals).

Node runs ``getaddrinfo`` on libuv's pool of 4 threads (``UV_THREADPOOL_SIZE``).
Here each loop owns its pool, created on first use and shut down by
``Loop.close()``. The size comes from ``NODENET_THREADPOOL_SIZE`` (or
``UV_THREADPOOL_SIZE``), default 4, at most 128.

Work is split as libuv splits it: ``work()`` runs on a pool thread and must not
touch loop state; ``done(result, error)`` runs on the loop thread, posted back
through :meth:`Loop.post`. A queued request holds a ref on the loop (a pending
request keeps the process alive, like a pending Node lookup). Idle workers exit
after a few seconds, so a quiet process keeps no threads.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Deque, List, Optional

if TYPE_CHECKING:
    from ._loop import Loop

__all__ = ("WorkerPool", "pool_size")

_IDLE_EXIT = 5.0


def pool_size() -> int:
    """The configured pool size (env override, default 4, clamped to 1..128)."""
    for name in ("NODENET_THREADPOOL_SIZE", "UV_THREADPOOL_SIZE"):
        raw = os.environ.get(name)
        if raw:
            try:
                return max(1, min(128, int(raw)))
            except ValueError:
                pass
    return 4


class _Request:
    __slots__ = ("work", "done", "cancelled")

    def __init__(self, work: Callable[[], Any], done: Callable[[Any, Optional[BaseException]], None]) -> None:
        self.work = work
        self.done = done
        self.cancelled = False


class WorkerPool:
    """Runs blocking calls off the loop thread and reports back on it."""

    def __init__(self, loop: Loop, size: Optional[int] = None) -> None:
        self.loop = loop
        self.size = size or pool_size()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._queue: Deque[_Request] = deque()
        self._threads: List[threading.Thread] = []
        self._idle = 0
        self._shutdown = False

    def submit(self, work: Callable[[], Any],
               done: Callable[[Any, Optional[BaseException]], None]) -> _Request:
        """Queue ``work``; ``done(result, error)`` later runs on the loop thread."""
        request = _Request(work, done)
        self.loop.ref()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("worker pool is shut down")
            self._queue.append(request)
            if self._idle:
                self._cond.notify()
            elif len(self._threads) < self.size:
                thread = threading.Thread(target=self._worker, name="nodenet-worker",
                                          daemon=True)
                self._threads.append(thread)
                thread.start()
        return request

    def _worker(self) -> None:
        me = threading.current_thread()
        while True:
            with self._lock:
                while not self._queue and not self._shutdown:
                    self._idle += 1
                    notified = self._cond.wait(_IDLE_EXIT)
                    self._idle -= 1
                    if not notified and not self._queue:
                        self._threads.remove(me)
                        return
                if self._shutdown:
                    self._threads.remove(me)
                    return
                request = self._queue.popleft()
            try:
                result, error = request.work(), None
            except BaseException as exc:  # reported to the loop, never lost here
                result, error = None, exc
            try:
                self.loop.post(self._complete, request, result, error)
            except RuntimeError:
                pass  # the loop stopped: nobody is waiting for the answer

    def _complete(self, request: _Request, result: Any, error: Optional[BaseException]) -> None:
        self.loop.unref()
        if not request.cancelled:
            request.done(result, error)

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop the workers (queued work is dropped) and wait for them."""
        with self._lock:
            self._shutdown = True
            self._queue.clear()
            self._cond.notify_all()
            threads = list(self._threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout)

    @property
    def threads(self) -> int:
        """How many worker threads exist now."""
        with self._lock:
            return len(self._threads)
