"""EventEmitter with Node's rules (mirrors ``node:events``).

Node: events.md § "Class: EventEmitter" (Node 26). The rules kept exactly:

* the same listener may be added several times and is then called several times;
* ``'newListener'`` is emitted *before* a listener is added, ``'removeListener'``
  *after* one is removed, both with the original function (not a once wrapper);
* ``once`` wrappers can be removed by the original function, and
  ``raw_listeners`` shows the wrappers;
* ``emit`` calls the listeners registered when it starts (a snapshot): listeners
  added or removed during an emit take effect from the next emit;
* an ``'error'`` with no listener raises (the error itself, or ERR_UNHANDLED_ERROR
  for a non-exception), after any :data:`error_monitor` listeners ran;
* past ``max_listeners`` (default 10) a ``MaxListenersExceededWarning`` is issued once
  per event name, through :mod:`warnings`.

Differences: method names are snake_case; a listener's ``this`` is not bound (use a
closure). Event names are Node's strings, verbatim.

Threads: an emitter that belongs to the loop (Socket, Server) hands calls made on
other threads to the loop thread, in call order, so listeners always run there.
A plain ``EventEmitter()`` belongs to no loop and is an ordinary synchronous object.
"""

from __future__ import annotations

import concurrent.futures
import threading
import warnings
from typing import (
    Any, Callable, Dict, Hashable, List, Optional, Protocol, Set, Tuple, TypeVar,
)

from ._jscall import ANY, JSCall, adapt, unwrap
from ._jstext import js_string
from ._validators import js_truthy, validate_boolean, validate_function, validate_number
from .errors import ERR_INVALID_ARG_TYPE, AbortError, UnhandledError, add_note



class LoopHandOff(Protocol):
    """What a loop-bound emitter needs of its loop (nodenet's ``Loop`` has it):
    the ident of the thread driving it, and the thread-safe hand-off. Typed
    this way, events.py needs nothing from the loop module."""

    _ident: Optional[int]

    def post(self, fn: Callable[..., Any], *args: Any) -> None: ...

    def dispatch(self, fn: Callable[..., Any], *args: Any) -> None: ...

    def call(self, fn: Callable[..., Any], *args: Any) -> Any: ...


def validate_abort_signal(signal: Any, name: str) -> None:
    """Node's ``validateAbortSignal``, duck-typed as Node's is: an object with an
    ``aborted`` attribute (here: an emitter, for its ``'abort'`` event)."""
    if not (isinstance(signal, EventEmitter) and hasattr(signal, "aborted")):
        raise ERR_INVALID_ARG_TYPE(name, "AbortSignal", signal)

__all__ = (
    "EventEmitter",
    "MaxListenersExceededWarning",
    "error_monitor",
    "once",
    "listener_count",
    "get_event_listeners",
    "set_max_listeners",
    "get_max_listeners",
    "add_abort_listener",
)

Listener = Callable[..., Any]
E = TypeVar("E", bound="EventEmitter")
_get_ident = threading.get_ident
_MISSING: Any = object()


def _decorator(add: Callable[[Hashable, Listener], Any], event: Hashable
               ) -> Callable[[Listener], Listener]:
    """``emitter.on(name)`` without a listener: add the decorated function (pyee's
    form; Node would throw there, so no Node-valid call changes meaning)."""
    def register(listener: Listener) -> Listener:
        add(event, listener)
        return listener
    return register


class _ErrorMonitor:
    """The ``errorMonitor`` symbol: listeners see every ``'error'`` first."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "events.error_monitor"


#: Node: events.md § "events.errorMonitor".
error_monitor: Hashable = _ErrorMonitor()


class MaxListenersExceededWarning(RuntimeWarning):
    """Node's ``MaxListenersExceededWarning`` (issued through :mod:`warnings`)."""

    def __init__(self, message: str, emitter: Any = None, type: Hashable = None,
                 count: int = 0) -> None:
        super().__init__(message)
        self.emitter = emitter
        self.type = type
        self.count = count


class OnceWrapper:
    """What every once-wrapper stored in a listener table is: ``listeners()``,
    ``off()`` and ``rawListeners()`` see its ``listener``, and :meth:`take`
    fires it from anywhere but ``emit`` (which calls it)."""

    __slots__ = ()

    listener: Listener

    def __call__(self, *args: Any) -> Any:
        """The event (``emit``): remove this wrapper, then call the listener once."""
        raise NotImplementedError

    def take(self) -> Optional[Listener]:
        """Remove this wrapper and mark it fired; its ``listener``, or None if it
        had fired already."""
        raise NotImplementedError

    def __repr__(self) -> str:
        """As Node's inspect shows the function a once-wrapper holds."""
        return f"<once {self.listener!r}>"


class _Once(OnceWrapper):
    """The wrapper ``once()`` registers; it removes itself before the first call.

    ``listener`` is the function as given (what ``off()`` and ``listeners()``
    see); ``call`` is it adapted to JavaScript's call rules for this event.
    ``target`` becomes None when it fires (a flag fewer: memory per listener).
    """

    __slots__ = ("target", "event", "listener", "call")

    def __init__(self, target: EventEmitter, event: Hashable, listener: Listener,
                 call: Optional[Listener] = None) -> None:
        self.target: Optional[EventEmitter] = target
        self.event = event
        self.listener = unwrap(listener)
        # nodenet's own are called as they are
        self.call = listener if call is None else _bind_this(call, target)

    def __call__(self, *args: Any) -> Any:
        target = self.target
        if target is not None:
            target._remove(self.event, self)    # then fired, in Node's order
            self.target = None
            return self.call(*args)
        return None

    def take(self) -> Optional[Listener]:
        """Remove this wrapper and mark it fired (``target`` None); the listener."""
        target = self.target
        if target is None:
            return None
        target._remove(self.event, self)
        self.target = None
        return self.listener


class ThisListener:
    """A listener shared by every emitter it is on, called with the emitter first,
    as a JavaScript function is called with ``this``.

    Node adds some module-level functions as listeners and lets them act on
    ``this`` (net's ``onReadableStreamEnd``, on every socket's ``'end'``): one
    function for all sockets, so ``listeners()`` of two sockets give the same
    object. A bound method per emitter instead would make a reference cycle
    (emitter, its listener table, the method, the emitter), and every closed
    socket would wait for the cyclic garbage collector rather than be freed by
    its reference count.

    nodenet's own classes store it bare (only where ``emit`` calls it:
    :meth:`EventEmitter._emit` passes the emitter). Added through ``on()``,
    ``once()`` and the other public methods it is bound to that emitter first,
    as JavaScript would call it with ``this`` set to it. Called on its own it
    fails as the JavaScript function would with ``this`` undefined.
    """

    __slots__ = ("fn", "__name__", "__qualname__")

    def __init__(self, fn: Callable[..., Any]) -> None:
        """``fn(emitter, *args)`` is called for each emit."""
        self.fn = fn
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__

    def __call__(self, *args: Any) -> Any:
        """Called without an emitter: JavaScript's call with ``this`` undefined."""
        raise TypeError(f"{self.__name__}() needs the emitter it listens on "
                        "(JavaScript: Cannot read properties of undefined)")

    def __repr__(self) -> str:
        return f"<function {self.__qualname__}>"


class _BoundThis(JSCall):
    """A :class:`ThisListener` that user code added to an emitter: called with that
    emitter. Compares equal to the shared listener, so ``off()`` finds it, and
    ``listeners()`` shows the shared listener."""

    __slots__ = ("this",)

    def __init__(self, fn: ThisListener, this: Any) -> None:
        super().__init__(fn, 0, ANY)
        self.this = this

    def __call__(self, *args: Any) -> Any:
        return self.fn.fn(self.this, *args)  # type: ignore[attr-defined]


def _bind_this(listener: Listener, emitter: Any) -> Listener:
    """``listener`` ready to store on ``emitter``: a shared :class:`ThisListener`
    bound to it, anything else as it is."""
    return _BoundThis(listener, emitter) if type(listener) is ThisListener else listener


def _is_listener(item: Listener, listener: Listener) -> bool:
    """Whether a stored listener is ``listener`` (or a once wrapper around it).

    == rather than is: a bound method (obj.handler) is a new object each time it
    is looked up, and must still remove the listener it added.
    """
    return item is listener or item == listener or (
        isinstance(item, OnceWrapper) and item.listener == listener)


def _call_any(listener: Listener, args: Tuple[Any, ...], this: Any) -> None:
    """Call a stored listener of ``this`` with any argument list (JavaScript's
    call rules)."""
    if isinstance(listener, OnceWrapper):
        fired = listener.take()
        if fired is None:
            return
        listener = fired
    listener = unwrap(listener)
    if type(listener) is ThisListener:
        listener.fn(this, *args)
    else:
        adapt(listener, None)(*args)


def _as_tuple(stored: Any) -> Tuple[Listener, ...]:
    """The listeners stored for an event: a bare one, or a tuple of several."""
    return stored if type(stored) is tuple else (stored,)


def _check_event(event: Any) -> None:
    """An event name must be hashable (a Python dict key). Node turns any value
    into a property key (``{}`` becomes ``'[object Object]'``); Python has no such
    conversion, so an unhashable name is ERR_INVALID_ARG_TYPE rather than a bare
    TypeError from the dict."""
    try:
        hash(event)
    except TypeError:
        raise ERR_INVALID_ARG_TYPE("eventName", ["string", "symbol"], event) from None


def _unwrap(listener: Listener) -> Listener:
    """The function as it was given: no once wrapper, no call-rule adapter."""
    if isinstance(listener, OnceWrapper):
        return listener.listener
    return unwrap(listener)


class EventEmitter:
    """Node: events.md § "Class: EventEmitter".

    Listeners are kept per event name bare (one) or in an immutable tuple
    (several); adding or removing builds a new tuple, so ``emit`` iterates a
    snapshot without copying.
    """

    __slots__ = ("_events", "_max_listeners", "_warned", "_loop", "__weakref__")

    #: How many arguments Node passes with each of its own events; a listener
    #: that takes exactly that many is stored as it is, any other is adapted
    #: once, when added (``_jscall.py``). Subclasses extend it.
    _event_args: Dict[Hashable, int] = {"newListener": 2, "removeListener": 2, "error": 1}

    #: Node: ``EventEmitter.defaultMaxListeners``.
    default_max_listeners: float = 10
    #: Node: ``EventEmitter.errorMonitor``.
    error_monitor: Hashable = error_monitor

    def __init__(self, options: Any = None) -> None:
        """Node: ``new EventEmitter([options])``. ``capture_rejections`` is checked as
        Node checks it (a bool when truthy) and has no effect: Python listeners
        return no promises to capture."""
        if isinstance(options, dict):
            capture = options.get("capture_rejections", options.get("captureRejections"))
            if js_truthy(capture):
                validate_boolean(capture, "options.capture_rejections")
        # event -> one listener, or a tuple of several (immutable: emit iterates a
        # snapshot without copying)
        self._events: Dict[Hashable, Any] = {}
        self._max_listeners: Optional[float] = None
        self._warned: Optional[Set[Hashable]] = None
        self._loop: Optional[LoopHandOff] = None

    # -- thread hand-off ---------------------------------------------------------

    def _foreign(self) -> bool:
        """True when called off the loop thread of a loop-bound emitter."""
        loop = self._loop
        return loop is not None and loop._ident != _get_ident()

    def _run(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn`` now on the loop thread, or hand it to the loop from elsewhere."""
        loop = self._loop
        # Loop.dispatch, written out: every Socket method comes through here
        if loop is None or loop._ident == _get_ident():
            fn(*args)
        else:
            loop.post(fn, *args)

    # -- adding ------------------------------------------------------------------

    def on(self, event: Hashable, listener: Any = _MISSING) -> Any:
        """Node: ``emitter.on(eventName, listener)``. Returns the emitter.

        The listener is called with as many of the event's arguments as it
        accepts (JavaScript's call rules). Without a listener, returns a
        decorator that adds the function it decorates (``@sock.on("data")``).
        """
        if listener is _MISSING:
            return _decorator(self.on, event)
        self._on(event, listener, False)
        return self

    add_listener = on

    def prepend_listener(self, event: Hashable, listener: Any = _MISSING) -> Any:
        """Node: ``emitter.prependListener(eventName, listener)`` (a decorator
        without a listener)."""
        if listener is _MISSING:
            return _decorator(self.prepend_listener, event)
        self._on(event, listener, True)
        return self

    def _on(self, event: Hashable, listener: Any, prepend: bool) -> None:
        """``on``/``prepend_listener``: check, adapt to the call rules, add on the
        loop thread (written out: servers run it for every connection)."""
        if not callable(listener):
            raise ERR_INVALID_ARG_TYPE("listener", "function", listener)
        try:
            nargs = self._event_args.get(event)
        except TypeError:
            _check_event(event)      # an unhashable name: Node's error, not Python's
            raise
        loop = self._loop
        listener = adapt(listener, nargs)
        if type(listener) is ThisListener:       # _bind_this, written out
            listener = _BoundThis(listener, self)
        if loop is None or loop._ident == _get_ident():     # _run, written out
            self._add(event, listener, prepend)
        else:
            loop.post(self._add, event, listener, prepend)

    def once(self, event: Hashable, listener: Any = _MISSING) -> Any:
        """Node: ``emitter.once(eventName, listener)`` (a decorator without a listener)."""
        if listener is _MISSING:
            return _decorator(self.once, event)
        validate_function(listener, "listener")
        _check_event(event)
        self._added(event, _Once(self, event, listener,
                                 adapt(listener, self._event_args.get(event))), False)
        return self

    def prepend_once_listener(self, event: Hashable, listener: Any = _MISSING) -> Any:
        """Node: ``emitter.prependOnceListener(eventName, listener)`` (a decorator
        without a listener)."""
        if listener is _MISSING:
            return _decorator(self.prepend_once_listener, event)
        validate_function(listener, "listener")
        _check_event(event)
        self._added(event, _Once(self, event, listener,
                                 adapt(listener, self._event_args.get(event))), True)
        return self

    def _added(self, event: Hashable, listener: Listener, prepend: bool) -> None:
        """Add on the loop thread: now, or handed to it from another thread."""
        if self._foreign():
            self._loop.post(self._add, event, listener, prepend)  # type: ignore[union-attr]
        else:
            self._add(event, listener, prepend)

    def _add(self, event: Hashable, listener: Listener, prepend: bool) -> None:
        events = self._events
        if "newListener" in events:
            self._emit("newListener", event, _unwrap(listener))
        existing = events.get(event)
        if existing is None:
            events[event] = listener       # one listener is stored bare, as Node does
            return
        existing = _as_tuple(existing)
        events[event] = (listener,) + existing if prepend else existing + (listener,)
        limit = self._max_listeners
        if limit is None:
            limit = EventEmitter.default_max_listeners
        count = len(existing) + 1
        if 0 < limit < count:
            warned = self._warned
            if warned is None:
                warned = self._warned = set()
            if event not in warned:
                warned.add(event)
                name = event if isinstance(event, str) else repr(event)
                message = (
                    f"Possible EventEmitter memory leak detected. {count} {name} listeners "
                    f"added to [{type(self).__name__}]. MaxListeners is {js_string(limit)}. "
                    "Use emitter.set_max_listeners() to increase limit"
                )
                warnings.warn(MaxListenersExceededWarning(message, self, event, count),
                              stacklevel=4)

    # -- removing ----------------------------------------------------------------

    def remove_listener(self: E, event: Hashable, listener: Listener) -> E:
        """Node: ``emitter.removeListener(eventName, listener)``.

        Removes the most recently added instance of ``listener`` (or of a once
        wrapper around it).
        """
        validate_function(listener, "listener")
        _check_event(event)
        if self._foreign():
            self._loop.post(self._remove, event, listener)  # type: ignore[union-attr]
        else:
            self._remove(event, listener)
        return self

    off = remove_listener

    def _remove(self, event: Hashable, listener: Listener) -> None:
        events = self._events
        stored = events.get(event)
        if stored is None:
            return
        if type(stored) is not tuple:      # one listener, stored bare
            if stored is not listener and not _is_listener(stored, listener):
                return
            item = stored
            del events[event]
            left = 0
        else:
            for i in range(len(stored) - 1, -1, -1):
                if stored[i] is listener or _is_listener(stored[i], listener):
                    break
            else:
                return
            item = stored[i]
            remaining = stored[:i] + stored[i + 1:]
            events[event] = remaining if len(remaining) > 1 else remaining[0]
            left = len(remaining)
        if left <= 1 and self._warned:
            self._warned.discard(event)
        if "removeListener" in events:
            self._emit("removeListener", event, _unwrap(item))

    def remove_all_listeners(self: E, event: Any = None) -> E:
        """Node: ``emitter.removeAllListeners([eventName])``.

        With ``'removeListener'`` listeners present, each removal is announced,
        last-added first; ``'removeListener'`` itself is removed last. ``None``
        (JavaScript's call without an argument) means every event, so the
        listeners of an event *named* ``None`` can only go with all the others.
        """
        _check_event(event)
        if self._foreign():
            self._loop.post(self._remove_all, event)  # type: ignore[union-attr]
        else:
            self._remove_all(event)
        return self

    def _remove_all(self, event: Any = None) -> None:
        events = self._events
        if event is not None:
            self._remove_all_of(event)
        elif "removeListener" not in events:
            events.clear()
            self._warned = None
        else:
            for name in [n for n in events if n != "removeListener"]:
                self._remove_all_of(name)  # by name: None may be an event name here
            self._remove_all_of("removeListener")

    def _remove_all_of(self, event: Hashable) -> None:
        events = self._events
        if "removeListener" not in events:
            events.pop(event, None)
            if self._warned:
                self._warned.discard(event)
            return
        for listener in reversed(_as_tuple(events.get(event, ()))):
            self._remove(event, listener)

    # -- emitting ----------------------------------------------------------------

    def emit(self, event: Hashable, *args: Any) -> bool:
        """Node: ``emitter.emit(eventName[, ...args])``. True if it had listeners.

        Off the loop thread of a loop-bound emitter, the emit runs on the loop
        thread and this call waits for it.
        """
        try:
            expected = self._event_args.get(event)
        except TypeError:
            _check_event(event)      # an unhashable name: Node's error, not Python's
            raise
        fn = self._emit if expected is None or expected == len(args) else self._emit_adapted
        if self._foreign():
            return self._loop.call(fn, event, *args)  # type: ignore[union-attr,no-any-return]
        return fn(event, *args)

    def _emit_adapted(self, event: Hashable, *args: Any) -> bool:
        """An emit of one of Node's events with another argument count than Node's.

        The listeners were adapted for Node's count when added; here each is
        adapted for this call instead (the slow path: only a user's own
        ``emit()`` with an unusual argument list gets here).
        """
        events = self._events
        if event == "error" and events.get("error") is None:
            return self._emit(event, *args)       # monitors, then the raise
        if event == "error" and error_monitor in events:
            for listener in _as_tuple(events[error_monitor]):
                _call_any(listener, args, self)
        handlers = events.get(event)
        if handlers is None:
            return False
        for listener in _as_tuple(handlers):
            _call_any(listener, args, self)
        return True

    def _emit(self, event: Hashable, *args: Any) -> bool:
        """``emit`` for code already on the right thread."""
        events = self._events
        if event == "error":
            monitors = events.get(error_monitor)
            if monitors is not None:
                for listener in _as_tuple(monitors):
                    listener(*args)
            handlers = events.get("error")
            if handlers is None:
                err = args[0] if args else None
                if not isinstance(err, BaseException):
                    err = UnhandledError(err)
                # Node's "Emitted 'error' event on Socket instance at:" line
                add_note(err, f"Emitted 'error' event on {self!r} with no 'error' listener: "
                              f"add one (.on('error', ...)) to handle it")
                raise err
        else:
            handlers = events.get(event)
            if handlers is None:
                return False
        if type(handlers) is tuple:
            for listener in handlers:
                if type(listener) is ThisListener:
                    listener.fn(self, *args)
                else:
                    listener(*args)
        elif type(handlers) is ThisListener:
            handlers.fn(self, *args)
        else:
            handlers(*args)
        return True

    # -- introspection -----------------------------------------------------------

    def _query(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._foreign():
            return self._loop.call(fn, *args)  # type: ignore[union-attr]
        return fn(*args)

    def listeners(self, event: Hashable) -> List[Listener]:
        """Node: ``emitter.listeners(eventName)`` — once wrappers unwrapped."""
        _check_event(event)
        return self._query(  # type: ignore[no-any-return]
            lambda: [_unwrap(fn) for fn in _as_tuple(self._events.get(event, ()))])

    def raw_listeners(self, event: Hashable) -> List[Listener]:
        """Node: ``emitter.rawListeners(eventName)`` — including once wrappers."""
        _check_event(event)
        return self._query(  # type: ignore[no-any-return]
            lambda: [unwrap(fn) for fn in _as_tuple(self._events.get(event, ()))])

    def listener_count(self, event: Hashable, listener: Optional[Listener] = None) -> int:
        """Node: ``emitter.listenerCount(eventName[, listener])``."""
        _check_event(event)
        def count() -> int:
            handlers = _as_tuple(self._events.get(event, ()))
            if listener is None:
                return len(handlers)
            return sum(1 for fn in handlers if fn == listener or _unwrap(fn) == listener)
        return self._query(count)  # type: ignore[no-any-return]

    def event_names(self) -> List[Hashable]:
        """Node: ``emitter.eventNames()`` — names with listeners, in insertion order."""
        return self._query(lambda: list(self._events))  # type: ignore[no-any-return]

    def set_max_listeners(self: E, n: float) -> E:
        """Node: ``emitter.setMaxListeners(n)``; 0 or ``math.inf`` means unlimited.

        As Node's ``validateNumber(n, 'setMaxListeners', 0)``: a non-number is
        ERR_INVALID_ARG_TYPE, a negative number or NaN ERR_OUT_OF_RANGE.
        """
        validate_number(n, "n", 0)
        self._max_listeners = n
        return self

    def get_max_listeners(self) -> float:
        """Node: ``emitter.getMaxListeners()``."""
        if self._max_listeners is None:
            return EventEmitter.default_max_listeners
        return self._max_listeners

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


# ------------------------------------------------------------------------------
# Module functions (node:events)


def once(emitter: EventEmitter, name: Hashable, *,
         signal: Any = None) -> concurrent.futures.Future[List[Any]]:
    """Node: events.md § "events.once(emitter, name[, options])".

    Returns a :class:`concurrent.futures.Future` of the event's argument list. It
    fails with the error if ``'error'`` is emitted first (unless ``name`` is
    ``'error'``), or with :class:`AbortError` when ``signal`` aborts. Use
    ``.result(timeout)`` from any thread, or ``asyncio.wrap_future`` in asyncio.
    """
    # Node rejects the promise for these; nodenet raises at the call, as for any
    # bad argument.
    if not isinstance(emitter, EventEmitter):
        raise ERR_INVALID_ARG_TYPE("emitter", "EventEmitter", emitter)
    _check_event(name)
    if signal is not None:
        validate_abort_signal(signal, "options.signal")
    future: concurrent.futures.Future[List[Any]] = concurrent.futures.Future()

    def settle_result(*args: Any) -> None:
        cleanup()
        if not future.done():
            future.set_result(list(args))

    def settle_error(err: Any = None) -> None:
        cleanup()
        if not future.done():
            future.set_exception(err if isinstance(err, BaseException) else UnhandledError(err))

    def on_abort(*_: Any) -> None:
        cleanup()
        if not future.done():
            future.set_exception(AbortError(cause=signal.reason if signal else None))

    def cleanup() -> None:
        emitter._remove(name, settle_result)
        if name != "error":
            emitter._remove("error", settle_error)
        if signal is not None:
            signal._remove("abort", on_abort)

    def register() -> None:
        if signal is not None and signal.aborted:
            on_abort()
            return
        emitter._add(name, _Once(emitter, name, settle_result), False)
        if name != "error":
            emitter._add("error", _Once(emitter, "error", settle_error), False)
        if signal is not None:
            signal._add("abort", _Once(signal, "abort", on_abort), False)

    if emitter._foreign():
        emitter._loop.post(register)  # type: ignore[union-attr]
    else:
        register()
    return future


def listener_count(emitter: EventEmitter, name: Hashable) -> int:
    """Node: ``events.listenerCount(emitter, eventName)`` (deprecated in Node)."""
    return emitter.listener_count(name)


def get_event_listeners(emitter: EventEmitter, name: Hashable) -> List[Listener]:
    """Node: ``events.getEventListeners(emitterOrTarget, eventName)``."""
    listeners = getattr(emitter, "listeners", None)
    if not callable(listeners):
        raise ERR_INVALID_ARG_TYPE("emitter", ["EventEmitter", "EventTarget"], emitter)
    return listeners(name)  # type: ignore[no-any-return]


def set_max_listeners(n: Optional[float] = None, *emitters: EventEmitter) -> None:
    """Node: ``events.setMaxListeners(n[, ...eventTargets])``; no targets sets the default.

    ``n`` left out (None) is the current default, as in Node.
    """
    if n is None:
        n = EventEmitter.default_max_listeners
    validate_number(n, "n", 0)
    for emitter in emitters:
        if not isinstance(emitter, EventEmitter):
            raise ERR_INVALID_ARG_TYPE("eventTargets", "EventEmitter", emitter)
    if not emitters:
        EventEmitter.default_max_listeners = n
    for emitter in emitters:
        emitter.set_max_listeners(n)


def get_max_listeners(emitter: Any) -> float:
    """Node: events.md § ``events.getMaxListeners(emitterOrTarget)`` (v19.9): the
    limit past which adding listeners warns; 0 means none (an AbortSignal's)."""
    if not isinstance(emitter, EventEmitter):
        raise ERR_INVALID_ARG_TYPE("emitter", ["EventEmitter", "EventTarget"], emitter)
    return emitter.get_max_listeners()


class AbortListener:
    """What :func:`add_abort_listener` returns: leaving a ``with`` block, or
    :meth:`dispose`, removes the listener (Node's ``Symbol.dispose``)."""

    __slots__ = ("_remove",)

    def __init__(self, remove: Callable[[], None]) -> None:
        self._remove: Optional[Callable[[], None]] = remove

    def dispose(self) -> None:
        """Remove the listener if it has not run yet (Node: ``[Symbol.dispose]()``)."""
        remove, self._remove = self._remove, None
        if remove is not None:
            remove()

    def __enter__(self) -> AbortListener:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.dispose()


def add_abort_listener(signal: Any, listener: Listener) -> AbortListener:
    """Node: events.md § ``events.addAbortListener(signal, listener)`` (v20.5).

    Calls ``listener(signal)`` once when ``signal`` aborts, on the loop thread
    (Node passes an ``Event``; nodenet's ``'abort'`` listeners get the signal).
    If the signal has already aborted, the listener runs once the current
    ``next_tick`` queue has drained (Node: a microtask). Use the result as a
    context manager, or call its ``dispose()``, to remove the listener::

        with events.add_abort_listener(signal, on_abort):
            ...   # the listener is removed when the block ends
    """
    validate_abort_signal(signal, "signal")
    validate_function(listener, "listener")
    if not signal.aborted:
        signal.once("abort", listener)

        def remove() -> None:
            signal.remove_listener("abort", listener)

        return AbortListener(remove)
    disposed = [False]
    loop = signal._loop
    assert loop is not None

    def after_ticks() -> None:
        if disposed[0]:
            return
        if loop._ticks:           # a microtask runs once process.nextTick's queue is empty
            loop.next_tick(after_ticks)
        else:
            listener(signal)

    loop.dispatch(loop.next_tick, after_ticks)
    return AbortListener(lambda: disposed.__setitem__(0, True))
