"""AbortController and AbortSignal, for the ``signal`` options of net.

Node: globals.md § "Class: AbortController" and § "Class: AbortSignal" (Node 26); an
AbortSignal has no listener limit (``events.get_max_listeners(signal) == 0``), as
in Node 26.

An :class:`AbortSignal` is an :class:`~nodenet.events.EventEmitter` with an
``'abort'`` event (Node's is an EventTarget; ``add_event_listener`` and
``remove_event_listener`` are provided as aliases). ``aborted`` and ``reason``
change at once when ``abort()`` is called from any thread; the ``'abort'``
listeners run on the loop thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Callable, Dict, Hashable, Optional

from ._loop import Loop, get_loop
from ._validators import validate_uint32
from .errors import ERR_INVALID_ARG_TYPE, DOMException
from .events import EventEmitter
from .timers import set_timeout

__all__ = ("AbortController", "AbortSignal")


class AbortSignal(EventEmitter):
    """Node: globals.md § "Class: AbortSignal"."""

    __slots__ = ("_aborted", "_reason")

    _loop: Loop            # a signal always belongs to a loop (set in __init__)

    _event_args: Dict[Hashable, int] = {**EventEmitter._event_args, "abort": 1}

    def __init__(self) -> None:
        super().__init__()
        self._loop = get_loop()
        self._aborted = False
        self._reason: Any = None
        # Node 26: no listener limit, so one signal shared by many operations
        # does not warn (events.set_max_listeners(n, signal) can set one).
        self._max_listeners = 0

    @property
    def aborted(self) -> bool:
        """Node: ``abortSignal.aborted``."""
        return self._aborted

    @property
    def reason(self) -> Any:
        """Node: ``abortSignal.reason`` (None until aborted)."""
        return self._reason

    def throw_if_aborted(self) -> None:
        """Node: ``abortSignal.throwIfAborted()`` — raise ``reason`` if aborted."""
        if self._aborted:
            reason = self._reason
            if isinstance(reason, BaseException):
                raise reason
            raise DOMException("This operation was aborted", "AbortError")

    def add_event_listener(self, event: str, listener: Callable[..., Any],
                           once: bool = False) -> None:
        """EventTarget's ``addEventListener(type, listener, {once})``."""
        if once:
            self.once(event, listener)
        else:
            self.on(event, listener)

    def remove_event_listener(self, event: str, listener: Callable[..., Any]) -> None:
        """EventTarget's ``removeEventListener(type, listener)``."""
        self.remove_listener(event, listener)

    def _abort(self, reason: Any) -> bool:
        """Mark aborted (any thread); True if this call did it."""
        if self._aborted:
            return False
        self._aborted = True
        self._reason = (DOMException("This operation was aborted", "AbortError")
                        if reason is None else reason)
        self._loop.dispatch(self._emit, "abort", self)
        return True

    @staticmethod
    def abort(reason: Any = None) -> AbortSignal:
        """Node: ``AbortSignal.abort([reason])`` — an already aborted signal."""
        signal = AbortSignal()
        signal._aborted = True
        signal._reason = (DOMException("This operation was aborted", "AbortError")
                          if reason is None else reason)
        return signal

    @staticmethod
    def timeout(delay: float) -> AbortSignal:
        """Node: ``AbortSignal.timeout(delay)`` — aborts after ``delay`` ms (unref'd timer)."""
        validate_uint32(delay, "delay")
        signal = AbortSignal()
        set_timeout(lambda: signal._abort(
            DOMException("The operation was aborted due to timeout", "TimeoutError")),
            delay).unref()
        return signal

    @staticmethod
    def any(signals: Iterable[AbortSignal]) -> AbortSignal:
        """Node: ``AbortSignal.any(signals)`` — aborts when the first of them does.

        ``signals`` is a list (any iterable but a str, bytes or dict);
        ERR_INVALID_ARG_TYPE otherwise, as Node's ``validateAbortSignalArray``.
        """
        if isinstance(signals, (str, bytes, Mapping)) or not isinstance(signals, Iterable):
            raise ERR_INVALID_ARG_TYPE("signals", "Array", signals)
        signals = list(signals)
        for index, source in enumerate(signals):   # every entry is checked first
            if not isinstance(source, AbortSignal):
                raise ERR_INVALID_ARG_TYPE(f"signals[{index}]", "AbortSignal", source)
        combined = AbortSignal()
        for source in signals:
            if source.aborted:
                combined._aborted = True
                combined._reason = source.reason
                return combined
        for source in signals:
            source.once("abort", lambda s=source: combined._abort(s.reason))
        return combined

    def __repr__(self) -> str:
        return f"<AbortSignal aborted={self._aborted}>"


class AbortController:
    """Node: globals.md § "Class: AbortController"."""

    __slots__ = ("_signal",)

    def __init__(self) -> None:
        self._signal = AbortSignal()

    @property
    def signal(self) -> AbortSignal:
        """Node: ``abortController.signal``."""
        return self._signal

    def abort(self, reason: Optional[Any] = None) -> None:
        """Node: ``abortController.abort([reason])``; the default reason is an AbortError DOMException."""
        self._signal._abort(reason)

    def __repr__(self) -> str:
        return f"<AbortController {self._signal!r}>"
