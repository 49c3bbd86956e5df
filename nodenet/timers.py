"""Timers (mirrors ``node:timers``): timeouts, intervals, immediates, next_tick.

Node: timers.md § "Class: Timeout", § "Class: Immediate", § "Scheduling timers",
§ "Cancelling timers" (Node 26), and process.md § "process.nextTick".

Durations are milliseconds. As in Node, a delay that is not a number in
[1, 2**31 - 1] becomes 1 (with a ``TimeoutOverflowWarning`` when too large), and
numeric strings count as numbers. Timers due at the same moment fire in the order
they were scheduled. A timer scheduled from a timer callback waits for the next
turn of the loop; ``set_immediate`` callbacks run in the check phase after I/O;
``next_tick`` callbacks run as soon as the current callback returns.

Threads: the functions may be called from any thread; the callbacks always run
on the loop thread, and calls from one thread take effect in call order.
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any, Callable, Dict, Optional, Union

from ._jscall import adapt
from ._jstext import js_string
from ._loop import Loop, _TimerEntry, get_loop
from ._validators import js_to_number, validate_function

__all__ = (
    "Timeout",
    "Immediate",
    "TimeoutOverflowWarning",
    "TimeoutNegativeWarning",
    "TimeoutNaNWarning",
    "set_timeout",
    "clear_timeout",
    "set_interval",
    "clear_interval",
    "set_immediate",
    "clear_immediate",
    "next_tick",
)

TIMEOUT_MAX = 2**31 - 1
_ids = itertools.count(1)
_by_id: Dict[int, "Timeout"] = {}   # only timers that were converted with int()


class TimeoutOverflowWarning(RuntimeWarning):
    """Node's ``TimeoutOverflowWarning``: the delay did not fit in 32 bits."""


class TimeoutNegativeWarning(RuntimeWarning):
    """Node's ``TimeoutNegativeWarning`` (Node >= 23): a negative delay became 1."""


class TimeoutNaNWarning(RuntimeWarning):
    """Node's ``TimeoutNaNWarning`` (Node >= 23): a delay that is not a number became 1."""


# Node warns about a negative or NaN delay once per process (an overflow every time).
_warned = {"negative": False, "nan": False}


def _coerce_delay(delay: Any) -> float:
    """Node's ``after *= 1; if (!(after >= 1 && after <= TIMEOUT_MAX)) after = 1``.

    ``None`` is JavaScript's ``undefined``: 1 without a warning. Otherwise, as
    Node 26: a delay above TIMEOUT_MAX warns (TimeoutOverflowWarning) every time,
    a negative one (TimeoutNegativeWarning) and one that is not a number
    (TimeoutNaNWarning) the first time in the process.
    """
    if delay is None:
        return 1.0
    after = js_to_number(delay)
    if not (after >= 1 and after <= TIMEOUT_MAX):
        warning: Optional[Warning] = None
        if after > TIMEOUT_MAX:
            warning = TimeoutOverflowWarning(
                f"{js_string(after)} does not fit into a 32-bit signed integer.\n"
                "Timeout duration was set to 1.")
        elif after < 0 and not _warned["negative"]:
            _warned["negative"] = True
            warning = TimeoutNegativeWarning(
                f"{js_string(after)} is a negative number.\nTimeout duration was set to 1.")
        elif math.isnan(after) and not _warned["nan"]:
            _warned["nan"] = True
            warning = TimeoutNaNWarning("NaN is not a number.\nTimeout duration was set to 1.")
        if warning is not None:
            warnings.warn(warning, stacklevel=3)
        after = 1.0
    return after


class Timeout:
    """Node: timers.md § "Class: Timeout" — returned by ``set_timeout``/``set_interval``.

    ``ref``/``unref``/``refresh``/``close`` return the timeout, as in Node. ``int()``
    gives the timer's id, which ``clear_timeout`` also accepts (Node's primitive).
    Usable as a context manager that clears it (Node's ``[Symbol.dispose]``).
    """

    __slots__ = ("_loop", "_callback", "_args", "_delay", "_repeat", "_entry", "_refed",
                 "_counted", "_cleared", "_id", "_start", "__weakref__")

    def __init__(self, loop: Loop, callback: Callable[..., Any], delay: float,
                 args: tuple, repeat: bool) -> None:  # type: ignore[type-arg]
        self._loop = loop
        self._callback = callback
        self._args = args
        self._delay = delay                    # milliseconds
        self._repeat = repeat
        self._entry: Optional[_TimerEntry] = None
        self._refed = True
        self._counted = False                  # contributes to loop._refs
        self._cleared = False
        self._id: Optional[int] = None
        self._start = 0.0

    # -- loop-thread internals --------------------------------------------------

    def _schedule(self, start: float) -> None:
        """(Re)insert with a deadline measured from ``start`` (loop seconds)."""
        if self._cleared:
            return
        loop = self._loop
        if self._entry is not None:
            loop.cancel_timer(self._entry)
        self._start = start
        self._entry = loop.add_timer(start + self._delay / 1000.0, self._fire)
        self._sync_ref()

    def _sync_ref(self) -> None:
        want = self._refed and self._entry is not None
        if want != self._counted:
            self._counted = want
            if want:
                self._loop.ref()
            else:
                self._loop.unref()

    def _fire(self) -> None:
        self._entry = None
        start = self._loop.clock() if self._repeat else 0.0
        try:
            self._callback(*self._args)
        finally:
            # As Node: an interval is re-armed even if its callback threw, unless
            # the callback cleared it or already re-armed it with refresh().
            if self._repeat and not self._cleared and self._entry is None:
                self._schedule(start)
            else:
                self._sync_ref()
            if self._entry is None and self._id is not None and not self._repeat:
                _by_id.pop(self._id, None)

    def _clear(self) -> None:
        self._cleared = True
        if self._entry is not None:
            self._loop.cancel_timer(self._entry)
            self._entry = None
        self._sync_ref()
        if self._id is not None:
            _by_id.pop(self._id, None)

    # -- public -------------------------------------------------------------------

    def ref(self) -> Timeout:
        """Node: ``timeout.ref()`` — keep the loop alive while the timer is active."""
        self._loop.dispatch(self._set_ref, True)
        return self

    def unref(self) -> Timeout:
        """Node: ``timeout.unref()`` — the timer alone does not keep the loop alive."""
        self._loop.dispatch(self._set_ref, False)
        return self

    def _set_ref(self, refed: bool) -> None:
        self._refed = refed
        self._sync_ref()

    def has_ref(self) -> bool:
        """Node: ``timeout.hasRef()``."""
        return self._refed

    def refresh(self) -> Timeout:
        """Node: ``timeout.refresh()`` — restart the countdown from now.

        Re-arms a timer that already fired; does nothing to a cleared one.
        """
        start = self._loop.clock()
        self._loop.dispatch(self._schedule, start)
        return self

    def close(self) -> Timeout:
        """Node: ``timeout.close()`` — cancel the timer (same as ``clear_timeout``)."""
        self._loop.dispatch(self._clear)
        return self

    def __int__(self) -> int:
        """Node's ``timeout[Symbol.toPrimitive]()``: an id ``clear_timeout`` accepts."""
        if self._id is None:
            self._id = next(_ids)
            if not self._cleared:
                _by_id[self._id] = self
        return self._id

    def __enter__(self) -> Timeout:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        kind = "Interval" if self._repeat else "Timeout"
        return f"<{kind} {self._delay:g}ms {'ref' if self._refed else 'unref'}>"


class Immediate:
    """Node: timers.md § "Class: Immediate" — returned by ``set_immediate``."""

    __slots__ = ("_loop", "_callback", "_args", "_refed", "_queued")

    def __init__(self, loop: Loop, callback: Callable[..., Any], args: tuple) -> None:  # type: ignore[type-arg]
        self._loop = loop
        self._callback = callback
        self._args = args
        self._refed = True
        self._queued = False

    def _run(self) -> None:
        self._callback(*self._args)

    def _enqueue(self) -> None:
        self._queued = True
        self._loop.add_immediate(self)

    def _clear(self) -> None:
        if self._queued:
            self._queued = False
            if self._refed:
                self._loop._immediate_refs -= 1

    def _set_ref(self, refed: bool) -> None:
        if self._queued and refed != self._refed:
            self._loop._immediate_refs += 1 if refed else -1
        self._refed = refed

    def ref(self) -> Immediate:
        """Node: ``immediate.ref()``."""
        self._loop.dispatch(self._set_ref, True)
        return self

    def unref(self) -> Immediate:
        """Node: ``immediate.unref()``."""
        self._loop.dispatch(self._set_ref, False)
        return self

    def has_ref(self) -> bool:
        """Node: ``immediate.hasRef()``."""
        return self._refed

    def __repr__(self) -> str:
        return f"<Immediate {'ref' if self._refed else 'unref'}>"


def _start(loop: Loop, timer: Timeout, start: float) -> Timeout:
    loop.dispatch(timer._schedule, start)
    return timer


def set_timeout(callback: Callable[..., Any], delay: Any = 1, *args: Any) -> Timeout:
    """Node: ``setTimeout(callback[, delay[, ...args]])`` — ``delay`` in milliseconds."""
    callback = adapt(validate_function(callback, "callback"), len(args))
    loop = get_loop()
    timer = Timeout(loop, callback, _coerce_delay(delay), args, repeat=False)
    return _start(loop, timer, loop.clock())


def set_interval(callback: Callable[..., Any], delay: Any = 1, *args: Any) -> Timeout:
    """Node: ``setInterval(callback[, delay[, ...args]])`` — ``delay`` in milliseconds."""
    callback = adapt(validate_function(callback, "callback"), len(args))
    loop = get_loop()
    timer = Timeout(loop, callback, _coerce_delay(delay), args, repeat=True)
    return _start(loop, timer, loop.clock())


def clear_timeout(timeout: Union[Timeout, int, None]) -> None:
    """Node: ``clearTimeout(timeout)`` — also takes ``int(timeout)``; ignores anything else."""
    if isinstance(timeout, int) and not isinstance(timeout, bool):
        timeout = _by_id.get(timeout)
    if isinstance(timeout, Timeout):
        timeout.close()


def clear_interval(timeout: Union[Timeout, int, None]) -> None:
    """Node: ``clearInterval(timeout)`` — the same as ``clear_timeout``."""
    clear_timeout(timeout)


def set_immediate(callback: Callable[..., Any], *args: Any) -> Immediate:
    """Node: ``setImmediate(callback[, ...args])`` — run in the check phase."""
    callback = adapt(validate_function(callback, "callback"), len(args))
    loop = get_loop()
    immediate = Immediate(loop, callback, args)
    loop.dispatch(immediate._enqueue)
    return immediate


def clear_immediate(immediate: Optional[Immediate]) -> None:
    """Node: ``clearImmediate(immediate)``; ignores anything that is not an Immediate."""
    if isinstance(immediate, Immediate):
        immediate._loop.dispatch(immediate._clear)


def next_tick(callback: Callable[..., Any], *args: Any) -> None:
    """Node: ``process.nextTick(callback[, ...args])``.

    On the loop thread, ``callback`` runs as soon as the current callback returns,
    before any I/O or timer. From another thread it runs on the loop thread, after
    the caller's earlier calls.
    """
    callback = adapt(validate_function(callback, "callback"), len(args))
    loop = get_loop()
    loop.dispatch(loop.next_tick, callback, *args)

