"""The event loop: one thread, libuv's phases, Node's process lifetime.

Theory of operation
===================

Everything nodenet does happens on **one loop thread**: selector registrations,
socket system calls, timers, and every listener and callback. User code therefore
needs no locks, as in Node.

The loop is libuv's current ``uv_run`` (libuv >= 1.45: Node >= 20.3 and Node 26),
as ``docs/loop.md`` teaches it. First the **script** runs — ``run(main)``'s
``main`` and what it queued with ``next_tick`` (:meth:`Loop._run_script`) — and
the timers already due run once. Then each iteration (:meth:`Loop._run_once`)
runs five phases:

1. **pending**   — I/O callbacks deferred from the previous iteration;
2. **poll**      — wait for I/O (the timeout rules are in :meth:`_compute_timeout`),
                   run each ready watcher's callback, then the I/O callbacks
                   those deferred (at most 8 rounds, as libuv);
3. **check**     — ``set_immediate`` callbacks queued before this phase began;
4. **closing**   — close callbacks of handles closed during the iteration;
5. **timers**    — Timeouts whose deadline has passed, in (deadline, creation) order;

and the loop then checks whether it is still alive (:meth:`Loop._drive`).

After *every* callback the ``next_tick`` queue is drained (:meth:`_call`). Each
phase only runs the work that was queued when it started, so a timer set inside a
timer, or an immediate set inside an immediate, waits for the next iteration.

"Now" is cached: it is read after polling and before the timers, and timers
compare their deadlines with that cached value.

Threads
-------
:meth:`Loop.post` is the single thread-safe entry point: a deque under a lock plus
one byte on a socket pair that the poll phase watches. Posted calls run in the
poll phase, in posting order (those posted before a drive begins are its
script). :meth:`Loop.call` is ``post`` that waits for the result. A public
method called *on* the loop thread runs inline, without a hop.

Lifetime
--------
The loop thread starts on first use. Like libuv, the loop is *alive* while it has
ref'd active handles or requests, ref'd immediates, pending or closing callbacks
(:meth:`_alive`). ``run()`` waits until it is not alive. The thread itself keeps
running unref'd handles while the main thread is still running, and exits when
nothing is left at all, or when the main thread has finished and nothing ref'd is
left — so a script that sets a timer and returns still sees the timer fire.

Uncaught exceptions
-------------------
An exception escaping a callback goes to ``nodenet.process``'s
``'uncaughtException'`` listeners; with none it is fatal, as in Node: traceback on
stderr, every handle destroyed, the loop stopped, the exception re-raised from
``run()``, or the process exit status set to 1 (``_process.py``).
"""

from __future__ import annotations

import atexit
import heapq
import os
import socket
import sys
import threading
import time
import traceback
import weakref
from collections import deque
from typing import (
    Any, Callable, Deque, List, Optional, Protocol, Set, Tuple,
)

from ._fastpath import ENABLED as FAST_PATHS
from ._poller import _EP_MASKS, EVENT_HUP, EVENT_READ, EVENT_WRITE, EpollPoller, make_poller
from ._process import fatal_error, handle_uncaught, watch_main_exit
from ._watcher import CallbackWatcher, IOWatcher
from ._selector import SelectorSpec
from ._sockopts import SEND_FLAGS, set_no_sigpipe

__all__ = ("Loop", "IOWatcher", "CallbackWatcher", "get_loop", "set_loop", "run", "LoopStopped",
           "EVENT_READ", "EVENT_WRITE", "EVENT_HUP")


Callback = Callable[..., Any]

# Lazy timer cancellation: the heap is rebuilt only when it holds more than
# _COMPACT_MIN entries and more than half of them are cancelled (asyncio's rule).
_COMPACT_MIN = 100
# After a poll, deferred I/O callbacks run at most this many rounds (libuv's 8).
_PENDING_ROUNDS = 8
# How often (seconds) the main thread, blocked in run() or joining the loop at
# exit, wakes to let Python run a signal handler that could not wake it.
_SIGNAL_CHECK = 0.25


class LoopStopped(RuntimeError):
    """The loop was stopped (after a fatal error, ``close()`` or Ctrl-C) and takes no work."""


class Tracer(Protocol):
    """Receives ``(event, detail)`` at phase boundaries; see ``_observe.py``."""

    def __call__(self, event: str, detail: Any) -> None: ...


class Teardown(Protocol):
    """Something the loop must close if it stops abruptly (a socket, a server)."""

    def _loop_teardown(self) -> None: ...


class _TimerEntry:
    """A heap slot: ordered by (deadline, sequence), so equal deadlines stay FIFO."""

    __slots__ = ("when", "seq", "fire")

    def __init__(self, when: float, seq: int, fire: Optional[Callback]) -> None:
        self.when = when
        self.seq = seq
        self.fire = fire  # None once cancelled

    def __lt__(self, other: _TimerEntry) -> bool:
        return (self.when, self.seq) < (other.when, other.seq)


class _Waiter:
    """What a thread blocked in :func:`run` or :meth:`Loop.call` waits on."""

    __slots__ = ("event", "result", "error")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.result: Any = None
        self.error: Optional[BaseException] = None

    def set(self, result: Any = None, error: Optional[BaseException] = None) -> None:
        self.result = result
        self.error = error
        self.event.set()

    def wait(self) -> Any:
        if threading.current_thread() is threading.main_thread():
            # Python runs signal handlers on the main thread between bytecodes. A
            # signal caught just before this thread blocked, or by the loop thread,
            # would wait for the next wake-up: wake now and then, so Ctrl-C is
            # never lost (a signal that interrupts the wait is handled at once).
            while not self.event.wait(_SIGNAL_CHECK):
                pass
        else:
            self.event.wait()
        if self.error is not None:
            raise self.error
        return self.result


class _SyncCall:
    """A call posted by :meth:`Loop.call`; its result goes back to the caller."""

    __slots__ = ("fn", "args", "waiter")

    def __init__(self, fn: Callback, args: Tuple[Any, ...]) -> None:
        self.fn = fn
        self.args = args
        self.waiter = _Waiter()

    def __call__(self) -> None:
        try:
            result = self.fn(*self.args)
        except BaseException as exc:  # the caller's exception, not an uncaught one
            self.waiter.set(error=exc)
        else:
            self.waiter.set(result)


class Loop:
    """A libuv-style event loop owned by one thread.

    Args:
        clock: returns monotonic seconds (default :func:`time.monotonic`); inject a
            fake clock for virtual-time tests.
        selector: a selector instance or factory (default: the best that works).
        manual: no background thread; the creating thread is the loop thread and
            drives the loop with :meth:`run_until_idle` (virtual-time tests, hosts
            that own their thread).

    Node: Node has one loop per process; nodenet keeps one *default* loop
    (:func:`get_loop`) and lets tests build their own.
    """

    def __init__(self, *, clock: Optional[Callable[[], float]] = None,
                 selector: SelectorSpec = None, manual: bool = False) -> None:
        self.clock: Callable[[], float] = clock or time.monotonic
        self._poller = make_poller(selector)
        self._now = self.clock()
        # phase queues
        self._timers: List[_TimerEntry] = []
        self._timer_seq = 0
        self._timer_count = 0        # live (not cancelled) entries in the heap
        self._cancelled = 0          # cancelled entries still in the heap
        self._immediates: Deque[Any] = deque()
        # Node's native immediates (env->SetImmediate, e.g. a TLS write's completion):
        # run first in the check phase, ref'd
        self._native_immediates: Deque[Tuple[Callback, Tuple[Any, ...]]] = deque()
        self._pending: Deque[Tuple[Callback, Tuple[Any, ...]]] = deque()
        self._closing: List[Tuple[Callback, Tuple[Any, ...]]] = []
        self._ticks: Deque[Tuple[Callback, Tuple[Any, ...]]] = deque()
        # liveness
        self._refs = 0               # ref'd active handles, timers, requests
        self._immediate_refs = 0     # ref'd immediates waiting to run
        self._handles: Set[Teardown] = set()
        # thread-safe entry
        self._lock = threading.Lock()
        self._posted: Deque[Tuple[Callback, Tuple[Any, ...]]] = deque()
        self._wake_pending = False
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        set_no_sigpipe(self._wake_w)
        self._wake_watcher = CallbackWatcher(self._wake_r.fileno(), self._drain_posted)
        self.io_start(self._wake_watcher, EVENT_READ)
        # who drives the loop: None, a background thread, or a caller of run_until_idle
        self._manual = manual
        self._ident: Optional[int] = threading.get_ident() if manual else None
        self._thread: Optional[threading.Thread] = None
        self._driving = False
        self._main_done = False
        self._until_idle = False
        self._run_waiters: List[_Waiter] = []
        # stopping
        self._stopping = False
        self._fatal: Optional[BaseException] = None
        self._dead: Optional[BaseException] = None
        self._closed = False
        self.tracer: Optional[Tracer] = None
        self.pool: Any = None        # the DNS worker pool, created by dns.py on demand
        self.emfile_fd: Optional[int] = None   # a listening server's EMFILE reserve fd
        _every_loop.add(self)

    # ------------------------------------------------------------------ time

    @property
    def now(self) -> float:
        """The cached loop time, in seconds of :attr:`clock`."""
        return self._now

    def update_time(self) -> None:
        """Refresh the cached time (libuv ``uv_update_time``)."""
        self._now = self.clock()

    # ------------------------------------------------------------------ one turn

    def _run_script(self) -> None:
        """§0 Before the first iteration: the script, then the due timers once.

        What was posted before the drive began is the script (``run(main)``'s
        ``main`` and anything the main thread scheduled); it runs with its ticks,
        as Node runs a script before ``uv_run``. Then, if the loop is alive, the
        timers already due run once, as libuv's ``uv_run`` does before entering
        its loop (kept for compatibility since libuv 1.45 moved the timers to the
        end of each iteration).
        """
        if self._posted:
            self._trace("script")
            self._drain_posted()
        if self._ticks:
            self._drain_ticks()
        self.update_time()
        if self._timers and self._alive() and not self._stopping:
            self._run_timers()

    def _run_once(self) -> None:
        """One iteration: the phases of libuv's ``uv_run`` (docs/loop.md §1–§5).

        Pending, poll (and what it deferred), check, closing, then the timers,
        right before the caller's liveness check. Every phase stops early once a
        fatal error or :meth:`stop` set ``_stopping``; the caller then tears the
        loop down.
        """
        if self.tracer is not None:
            self.tracer("turn", self._now)
        if self._ticks:      # queued outside any callback (a manual loop's own thread)
            self._drain_ticks()
        # Each phase runs when its queue has work (the checks save a call per
        # idle phase; every phase method checks again for itself).
        if self._pending:
            self._run_pending()                  # 1. pending
        self._poll(self._compute_timeout())      # 2. poll (updates the time)
        if self._pending:
            self._run_pending(_PENDING_ROUNDS)   # 2.2 what the poll deferred
        if self._immediates or self._native_immediates:
            self._run_check()                    # 3. check (immediates)
        if self._closing:
            self._run_closing()                  # 4. closing
        if self._timers:
            self.update_time()
            self._run_timers()                   # 5. timers

    def _run_timers(self) -> None:
        """§5 Run every timer due at the cached time, in (deadline, seq) order.

        Due entries are collected first, so a timer started by a timer callback
        never runs in this pass, even with a zero delay (libuv ``uv__run_timers``).
        """
        heap = self._timers
        now = self._now
        if not heap or heap[0].when > now:
            return
        self._trace("timers")
        due = []
        while heap and heap[0].when <= now:
            entry = heapq.heappop(heap)
            if entry.fire is None:
                self._cancelled -= 1
            else:
                due.append(entry)
        for entry in due:
            fire = entry.fire
            if fire is None:            # cleared by an earlier timer in this batch
                self._cancelled -= 1
                continue
            if self._stopping:
                return
            entry.fire = None
            self._timer_count -= 1
            self._call(fire)

    def _run_pending(self, rounds: int = 1) -> None:
        """§1 Run I/O callbacks deferred with :meth:`defer` (libuv's pending queue).

        Before the poll one round runs; after it, up to ``rounds`` rounds (§2.2),
        as libuv does "to avoid loop starvation". A round runs the callbacks
        queued when it began.
        """
        pending = self._pending
        for _ in range(rounds):
            if not pending:
                return
            self._trace("pending")
            for _ in range(len(pending)):
                if self._stopping:
                    return
                fn, args = pending.popleft()
                self._call(fn, *args)

    def _compute_timeout(self) -> Optional[float]:
        """§2.1 How long the poll may block (libuv ``uv_backend_timeout``).

        Zero when stopping, when immediates, pending or closing callbacks are
        waiting, or when the loop has just stopped being alive and that ends the
        drive; otherwise until the earliest timer; otherwise forever (a post from
        another thread wakes the poll through the wake-up socket).
        """
        if (self._stopping or self._immediates or self._native_immediates or self._pending
                or self._closing):
            return 0.0
        if not self._alive() and self._idle_ends_drive():
            return 0.0   # the loop just emptied: finish the turn, release run()
        heap = self._timers
        while heap and heap[0].fire is None:     # drop cancelled heads cheaply
            heapq.heappop(heap)
            self._cancelled -= 1
        if not heap:
            return None
        return max(0.0, heap[0].when - self._now)

    def _poll(self, timeout: Optional[float]) -> None:
        """§2 Wait for readiness, then run each ready watcher's callbacks.

        Each event is resolved to its watcher as its turn comes, as libuv's
        ``uv__io_poll`` does: a callback earlier in the batch may have stopped,
        restarted or closed a watcher (the poller's ``resolve``).
        """
        if self.tracer is not None:
            self.tracer("poll", timeout)
        poller = self._poller
        events: List[Any] = poller.wait(timeout)
        self.update_time()
        if FAST_PATHS and type(poller) is EpollPoller:
            self._dispatch_inline(poller, events)
            return
        for event in events:
            if self._stopping:
                return
            found = poller.resolve(*event)
            if found is None:
                continue
            watcher, mask = found
            if mask & EVENT_READ and watcher.events & EVENT_READ:
                self._call(watcher.on_readable)
            if mask & EVENT_WRITE and watcher.events & EVENT_WRITE:
                self._call(watcher.on_writable)

    def _dispatch_inline(self, poller: EpollPoller, events: List[Tuple[int, int]]) -> None:
        """FAST PATH (``_fastpath.py``): :meth:`_poll`'s epoll dispatch with
        ``EpollPoller.resolve`` and :meth:`_call` written out: two Python calls
        and a tuple fewer per readiness event."""
        ticks = self._ticks        # the same deque for the loop's life
        watching = poller._watching
        masks = _EP_MASKS
        for fd, ev in events:
            if self._stopping:
                return
            watcher = watching.get(fd)
            if watcher is None or not watcher.kevents:
                poller.resolve(fd, ev)      # the rare cases: disarm, or nobody
                continue
            mask = masks[ev & 31]
            if mask & EVENT_READ and watcher.events & EVENT_READ:
                try:
                    watcher.on_readable()
                except BaseException as exc:
                    self._uncaught(exc)
                if ticks:
                    self._drain_ticks()
            if mask & EVENT_WRITE and watcher.events & EVENT_WRITE:
                try:
                    watcher.on_writable()
                except BaseException as exc:
                    self._uncaught(exc)
                if ticks:
                    self._drain_ticks()

    def _run_check(self) -> None:
        """§3 Run the immediates queued before this phase began (Node's check phase).

        Native immediates first, as Node's ``CheckImmediate`` runs them before
        the JavaScript ones: all of them, those they queue too, inside one
        callback scope, so ``next_tick`` callbacks run once after the last (and
        a native immediate queued by one of those waits for the next phase)."""
        native = self._native_immediates
        if native:
            self._trace("check")
            while native and not self._stopping:
                fn, args = native.popleft()
                try:
                    fn(*args)
                except BaseException as exc:
                    self._uncaught(exc)
            if self._ticks:
                self._drain_ticks()
        queue = self._immediates
        if not queue:
            return
        self._trace("check")
        for _ in range(len(queue)):
            if self._stopping:
                return
            immediate = queue.popleft()
            if immediate._queued:
                immediate._queued = False
                if immediate._refed:
                    self._immediate_refs -= 1
                self._call(immediate._run)

    def _run_closing(self) -> None:
        """§4 Run close callbacks queued with :meth:`add_closing` (``'close'`` events).

        Newest first: libuv pushes each closing handle on the front of its list
        (``uv__make_close_pending``), so handles closed in one turn get their
        close callbacks in reverse order. Handles closed by these callbacks wait
        for the next turn.
        """
        batch = self._closing
        if not batch:
            return
        self._trace("closing")
        self._closing = []
        for fn, args in reversed(batch):
            if self._stopping:
                return
            self._call(fn, *args)

    def _trace(self, phase: str) -> None:
        tracer = self.tracer
        if tracer is not None:
            tracer("phase", phase)

    # ------------------------------------------------------------------ callbacks

    def _call(self, fn: Callback, *args: Any) -> None:
        """Run one callback, report what escapes it, then drain ``next_tick`` (§6)."""
        try:
            fn(*args)
        except BaseException as exc:
            self._uncaught(exc)
        if self._ticks:
            self._drain_ticks()

    def _drain_ticks(self) -> None:
        """§6 Run ``next_tick`` callbacks until the queue is empty, new ones included."""
        ticks = self._ticks
        while ticks and not self._stopping:
            fn, args = ticks.popleft()
            try:
                fn(*args)
            except BaseException as exc:
                self._uncaught(exc)

    def _uncaught(self, exc: BaseException) -> None:
        """An exception escaped a callback: Node's uncaught-exception path."""
        if isinstance(exc, Exception):
            try:
                if handle_uncaught(exc):
                    return
            except BaseException as again:  # a throwing handler is fatal, as in Node
                exc = again
        self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        """Fatal: remember the first error, print it, and stop after this callback."""
        if self._fatal is None:
            self._fatal = exc
            if not isinstance(exc, (SystemExit, KeyboardInterrupt)):
                traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
                if sys.version_info < (3, 11):     # older tracebacks leave out __notes__
                    for note in getattr(exc, "__notes__", ()):
                        print(note, file=sys.stderr)
                sys.stderr.flush()
        self._stopping = True

    # ------------------------------------------------------------------ scheduling API

    def next_tick(self, fn: Callback, *args: Any) -> None:
        """Queue ``fn`` to run after the current callback (loop thread only)."""
        self._ticks.append((fn, args))

    def native_immediate(self, fn: Callback, *args: Any) -> None:
        """Queue a callback for the start of the next check phase (Node's native
        ``SetImmediate``: before every JavaScript immediate, and ref'd)."""
        self._native_immediates.append((fn, args))

    def defer(self, fn: Callback, *args: Any) -> None:
        """Queue an I/O callback for the next pending phase (libuv ``uv__io_feed``)."""
        self._pending.append((fn, args))

    def add_closing(self, fn: Callback, *args: Any) -> None:
        """Queue a close callback for this turn's closing phase."""
        self._closing.append((fn, args))

    def add_timer(self, when: float, fire: Callback) -> _TimerEntry:
        """Schedule ``fire`` at loop time ``when``; keep the entry to cancel it."""
        self._timer_seq += 1
        entry = _TimerEntry(when, self._timer_seq, fire)
        heapq.heappush(self._timers, entry)
        self._timer_count += 1
        return entry

    def cancel_timer(self, entry: _TimerEntry) -> None:
        """Cancel a scheduled entry (lazily; the heap is compacted when it pays)."""
        if entry.fire is None:
            return
        entry.fire = None
        self._timer_count -= 1
        self._cancelled += 1
        heap = self._timers
        if len(heap) > _COMPACT_MIN and self._cancelled * 2 > len(heap):
            self._timers = [e for e in heap if e.fire is not None]
            heapq.heapify(self._timers)
            self._cancelled = 0

    def add_immediate(self, immediate: Any) -> None:
        """Queue an :class:`~nodenet.timers.Immediate` for the check phase."""
        self._immediates.append(immediate)
        if immediate._refed:
            self._immediate_refs += 1

    def ref(self) -> None:
        """Count one more ref'd active handle or request."""
        self._refs += 1

    def unref(self) -> None:
        """Count one fewer ref'd active handle or request."""
        self._refs -= 1

    def add_handle(self, handle: Teardown) -> None:
        """Track a handle that owns an fd, so a fatal stop can close it."""
        self._handles.add(handle)

    def remove_handle(self, handle: Teardown) -> None:
        """Stop tracking a handle (it closed itself)."""
        self._handles.discard(handle)

    # ------------------------------------------------------------------ I/O watchers

    def io_start(self, watcher: IOWatcher, events: int) -> None:
        """Add ``events`` (EVENT_READ/EVENT_WRITE) to the watcher's interest."""
        self._poller.start(watcher, events)

    def io_stop(self, watcher: IOWatcher, events: int) -> None:
        """Remove ``events`` from the watcher's interest."""
        self._poller.stop(watcher, events)

    def io_close(self, watcher: IOWatcher) -> None:
        """Forget the watcher before its fd is closed; stale events are skipped."""
        self._poller.close(watcher)
        watcher.closed = True

    # ------------------------------------------------------------------ liveness

    def _alive(self) -> bool:
        """libuv ``uv__loop_alive``: anything ref'd, immediate, pending or closing."""
        return bool(self._refs > 0 or self._immediate_refs > 0 or self._pending
                    or self._closing or self._ticks or self._native_immediates)

    def _has_anything(self) -> bool:
        """Anything at all, ref'd or not: open handles, timers, queued work."""
        return bool(self._alive() or self._handles or self._timer_count or self._immediates)

    @property
    def alive(self) -> bool:
        """Whether :func:`run` would still be waiting."""
        return self._alive()

    # ================================================================== threads and lifetime
    #
    # Everything below is nodenet's own: libuv's loop runs on the thread that calls
    # uv_run and knows nothing of threads or of a "main script". nodenet's loop
    # runs on a thread of its own (or a manual caller's), takes work from other
    # threads, and lives as long as Node's process would. The flags involved:
    #
    #   flag           meaning                                    set by / cleared by
    #   _manual        no thread of its own: the creating thread  __init__ (fixed)
    #                  drives it with run_until_idle()
    #   _ident         ident of the thread driving it now         _thread_main, run_until_idle
    #                  (None: nobody); in_loop_thread() tests it  / their exits
    #   _thread        the background loop thread, while it runs  _start_thread_locked
    #                                                             / _thread_main's exit
    #   _driving       a drive (_drive) is in progress            the drivers / their exits
    #   _until_idle    the current drive ends as soon as nothing  _drive
    #                  ref'd is left (run_until_idle)
    #   _main_done     the main thread's script has ended (the    notify_main_done
    #                  exit hook in _process.py): exit when idle
    #   _run_waiters   run() callers to release when the loop is  run() / _release_waiters
    #                  no longer alive
    #   _wake_pending  a wake-up byte is in flight                post / _drain_posted
    #   _stopping      stop() or a fatal error: finish this       stop, _fail / (final)
    #                  callback, then tear everything down
    #   _fatal         the first fatal exception, re-raised from  _fail / run_until_idle
    #                  run() or run_until_idle()
    #   _dead          stopped for good: post() raises            _teardown / (final)
    #                  LoopStopped (get_loop() makes a new loop)
    #   _closed        selector and fds freed                     _release_fds / (final)
    #
    # A drive (_drive) ends when the loop is not alive and: a run_until_idle()
    # caller drives it, or the main thread is done, or nothing at all is left
    # (then the thread exits; the next post starts a new one).

    @property
    def thread_ident(self) -> Optional[int]:
        """Ident of the thread driving the loop now, or None."""
        return self._ident

    def in_loop_thread(self) -> bool:
        """True on the thread that drives the loop."""
        return self._ident == threading.get_ident()

    def post(self, fn: Callback, *args: Any) -> None:
        """Run ``fn(*args)`` on the loop thread soon, after earlier posts (thread-safe).

        Starts the loop thread if nothing drives the loop. Raises
        :class:`LoopStopped` if the loop was stopped.
        """
        with self._lock:
            if self._dead is not None or self._closed:
                raise LoopStopped("the nodenet loop was stopped") from self._dead
            self._posted.append((fn, args))
            if not self._wake_pending:
                self._wake_pending = True
                try:
                    self._wake_w.send(b"\0", SEND_FLAGS)
                except (BlockingIOError, InterruptedError):
                    pass  # the buffer is full of wake-ups already
            if self._thread is None and not self._driving and not self._manual:
                self._start_thread_locked()

    def dispatch(self, fn: Callback, *args: Any) -> None:
        """Run ``fn(*args)`` now if called on the loop thread, else :meth:`post` it:
        how every thread-safe public method reaches the loop (thread-safe)."""
        if self._ident == threading.get_ident():
            fn(*args)
        else:
            self.post(fn, *args)

    def call(self, fn: Callback, *args: Any) -> Any:
        """Run ``fn(*args)`` on the loop thread and return its result (or raise).

        Inline when already on the loop thread; otherwise posted, and the caller
        waits. Do not call from another thread the loop thread is waiting for.
        """
        if self._ident == threading.get_ident():
            return fn(*args)
        sync = _SyncCall(fn, args)
        self.post(sync)
        return sync.waiter.wait()

    def _drain_posted(self) -> None:
        """Poll-phase callback of the wake-up socket: run what other threads posted."""
        with self._lock:
            posted = self._posted
            self._posted = deque()
            self._wake_pending = False
            try:
                while self._wake_r.recv(4096):
                    pass
            except (BlockingIOError, InterruptedError):
                pass
        while posted:
            fn, args = posted.popleft()
            self._call(fn, *args)
            if self._stopping:
                # hand the rest back, so the teardown can fail waiting callers
                with self._lock:
                    posted.extend(self._posted)
                    self._posted = posted
                return

    def _start_thread_locked(self) -> None:
        thread = threading.Thread(target=self._thread_main, name="nodenet-loop", daemon=False)
        self._thread = thread
        watch_main_exit(self)
        thread.start()

    def _thread_main(self) -> None:
        self._ident = threading.get_ident()
        self._driving = True
        try:
            self._drive(until_idle=False)
        except BaseException as exc:  # an internal error: never a silently dead loop thread
            self._fail(exc)
            self._teardown()
        finally:
            with self._lock:
                self._ident = None
                self._driving = False
                self._thread = None
                if self._posted and self._dead is None and not self._closed:
                    self._start_thread_locked()  # work raced in while we were leaving

    def run_until_idle(self) -> None:
        """Drive the loop on the calling thread until it is not alive.

        For a ``manual`` loop, on its own thread; for a threaded loop, only while
        no thread drives it. Re-raises a fatal uncaught exception.
        """
        with self._lock:
            if self._manual:
                if self._ident != threading.get_ident():
                    raise RuntimeError("a manual loop is driven by the thread that made it")
            elif self._thread is not None or self._driving:
                raise RuntimeError("the loop is already being driven")
            self._driving = True
            self._ident = threading.get_ident()
        try:
            self._drive(until_idle=True)
        finally:
            with self._lock:
                self._driving = False
                if not self._manual:
                    self._ident = None
        if self._fatal is not None:
            fatal, self._fatal = self._fatal, None
            raise fatal

    def _drive(self, until_idle: bool) -> None:
        """libuv's ``uv_run``: the script and first timers, then iterations while
        alive (see the module docstring, "Lifetime", for when a loop with nothing
        ref'd keeps turning)."""
        self._until_idle = until_idle
        self._run_script()
        while True:
            if self._stopping:
                self._teardown()
                return
            if not self._alive() and self._idle_ends(until_idle):
                return
            self._run_once()

    def _idle_ends(self, until_idle: bool) -> bool:
        """Nothing ref'd is left: release :func:`run`; True if the drive ends too."""
        with self._lock:
            if self._posted:     # work another thread handed over is not idle
                return False
        self._release_waiters()
        with self._lock:
            if self._posted:
                return False
            return until_idle or self._main_done or not self._has_anything()

    def _idle_ends_drive(self) -> bool:
        """Whether a loop with nothing ref'd stops turning (or releases ``run()``)."""
        return bool(self._run_waiters or self._until_idle or self._main_done
                    or not self._has_anything())

    def _release_waiters(self, error: Optional[BaseException] = None) -> None:
        waiters, self._run_waiters = self._run_waiters, []
        for waiter in waiters:
            waiter.set(error=error)

    def notify_main_done(self) -> None:
        """The main thread has finished: exit once nothing ref'd is left."""
        def mark() -> None:
            self._main_done = True
        try:
            self.post(mark)
        except LoopStopped:
            pass

    def join(self, timeout: Optional[float] = None) -> bool:
        """Wait for the loop thread to exit; True if it did (or none was running)."""
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(timeout)
        return not thread.is_alive()

    # ------------------------------------------------------------------ stopping

    def stop(self) -> None:
        """Stop the loop: destroy every handle and release :func:`run` (thread-safe)."""
        def request() -> None:
            self._stopping = True
        try:
            self.dispatch(request)
        except LoopStopped:
            pass

    def _teardown(self) -> None:
        """After a fatal error or :meth:`stop`: close everything, release waiters."""
        fatal = self._fatal
        for handle in list(self._handles):
            try:
                handle._loop_teardown()
            except Exception:  # teardown must reach every handle
                pass
        self._handles.clear()
        for entry in self._timers:
            entry.fire = None
        self._timers.clear()
        self._timer_count = self._cancelled = 0
        self._immediates.clear()
        self._native_immediates.clear()
        self._pending.clear()
        self._closing.clear()
        self._ticks.clear()
        self._refs = self._immediate_refs = 0
        with self._lock:
            self._dead = fatal or LoopStopped("the nodenet loop was stopped")
            posted, self._posted = self._posted, deque()
        for fn, _args in posted:
            if isinstance(fn, _SyncCall):
                fn.waiter.set(error=LoopStopped("the nodenet loop was stopped"))
        if fatal is not None:
            delivered = bool(self._run_waiters)
            self._release_waiters(fatal)
            fatal_error(fatal, delivered)
        else:
            self._release_waiters()
        self._release_fds()

    def _release_fds(self) -> None:
        """Close the selector and the wake-up pair (a stopped loop never polls again)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self.io_close(self._wake_watcher)
        self._poller.shutdown()
        self._wake_r.close()
        self._wake_w.close()
        reserve = self.emfile_fd
        if reserve is not None:
            self.emfile_fd = None
            os.close(reserve)
        if self.pool is not None:
            self.pool.shutdown()

    def close(self, timeout: Optional[float] = 10.0) -> None:
        """Stop the loop if needed, wait for its thread, and free its selector and fds."""
        if self._closed:
            return
        if self.in_loop_thread() and (self._driving or not self._manual):
            raise RuntimeError("Loop.close() cannot be called from the loop thread")
        if self._thread is not None:
            self.stop()
            self.join(timeout)
        elif self._dead is None:
            self._teardown()
        self._release_fds()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` freed the loop's selector and fds."""
        return self._closed

    @property
    def stopped(self) -> bool:
        """True once the loop stopped for good (fatal error, :meth:`stop`, :meth:`close`)."""
        return self._dead is not None or self._closed


class Handle(IOWatcher):
    """A watcher that can keep the loop alive (libuv's ``uv_handle_t`` ref rules).

    It counts in the loop's liveness while it is ref'd, open and busy;
    :meth:`sync_ref` brings the count up to date after any of the three changed.
    Busy means watching something, unless a subclass says otherwise.
    """

    __slots__ = ("loop", "refed", "counted")

    def __init__(self, loop: Loop, fd: int = -1) -> None:
        IOWatcher.__init__(self, fd)
        self.loop = loop
        self.refed = True
        self.counted = False

    def _busy(self) -> bool:
        return bool(self.events)

    def sync_ref(self) -> None:
        """Count this handle in the loop's liveness iff ref'd, open and busy."""
        want = self.refed and not self.closed and self._busy()
        if want != self.counted:
            self.counted = want
            if want:
                self.loop.ref()
            else:
                self.loop.unref()

    def ref(self) -> None:
        self.refed = True
        self.sync_ref()

    def unref(self) -> None:
        self.refed = False
        self.sync_ref()


# ---------------------------------------------------------------------- interpreter exit

# Every loop made, so that interpreter exit can free what an idle one still holds
# (its wake-up socket pair, selector, DNS workers) instead of leaving them to the
# garbage collector's ResourceWarnings. The loop threads have been joined by then.
_every_loop: "weakref.WeakSet[Loop]" = weakref.WeakSet()


def _close_loops_at_exit() -> None:
    for loop in list(_every_loop):
        if loop._closed or loop._thread is not None or loop._driving:
            continue
        try:
            loop.close(timeout=1.0)
        except Exception:  # pragma: no cover - exit must go on
            pass


atexit.register(_close_loops_at_exit)


# ---------------------------------------------------------------------- default loop

# The one documented global: the loop that Node-style module functions use.
_default: Optional[Loop] = None
_default_lock = threading.Lock()


def get_loop() -> Loop:
    """The default loop, created on first use (and again after one was stopped)."""
    global _default
    loop = _default
    if loop is not None and loop._dead is None and not loop._closed:
        return loop
    with _default_lock:
        if _default is None or _default._dead is not None or _default._closed:
            _default = Loop()
        return _default


def set_loop(loop: Optional[Loop]) -> Optional[Loop]:
    """Replace the default loop (tests, embedding); returns the previous one."""
    global _default
    with _default_lock:
        previous, _default = _default, loop
    return previous


def run(main: Optional[Callable[[], Any]] = None) -> None:
    """Run ``main()`` on the loop thread, then block until nothing ref'd is left.

    Node: running a script, then its event loop until it empties. An uncaught
    exception without an ``'uncaughtException'`` listener is re-raised here. On
    Ctrl-C the loop is stopped (every handle destroyed) and KeyboardInterrupt
    propagates.
    """
    loop = get_loop()
    if loop.in_loop_thread():
        raise RuntimeError("nodenet.run() cannot be called from the loop thread")
    waiter = _Waiter()

    def start() -> None:
        loop._run_waiters.append(waiter)
        if main is not None:
            main()

    loop.post(start)
    try:
        waiter.wait()
    except KeyboardInterrupt:
        loop.stop()
        loop.join(5.0)
        raise

