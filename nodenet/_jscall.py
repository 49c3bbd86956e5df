"""JavaScript's call rules for Python callables.

A JavaScript function called with more arguments than it declares ignores the
rest; called with fewer, the missing ones are ``undefined``. Node code relies on
both all the time — ``socket.on('close', () => log('bye'))`` is called with
``hadError`` — and a literal Python port (``lambda: log("bye")``) would raise a
TypeError inside the emit. nodenet therefore calls every listener and callback
with Node's argument list *adapted to what the callable accepts*: surplus
arguments are dropped, a missing required parameter gets ``None`` (JavaScript's
``undefined``), and a callable with ``*args`` gets everything.

The adaptation is worked out once, when the callable is registered
(:func:`adapt`), never per call: a callable that already takes the number of
arguments it will receive is kept as it is (no wrapper, no cost); otherwise it
is wrapped in a :class:`JSCall`, one extra call. How many positional arguments
a callable takes comes from its code object's counts and flags for functions,
lambdas and bound methods (cached per code object), and from
:func:`inspect.signature` for anything else (builtins, ``functools.partial``,
objects with ``__call__``; cached per type where that is sound).
"""

from __future__ import annotations

import inspect
import types
from typing import Any, Callable, Dict, Optional, Tuple

__all__ = ("JSCall", "adapt", "arity", "unwrap", "ANY")

#: ``arity()``'s upper bound for a callable with ``*args``.
ANY = 1 << 30

_CO_VARARGS = inspect.CO_VARARGS
_code_arity: Dict[Any, Tuple[int, int]] = {}
_type_arity: Dict[Any, Tuple[int, int]] = {}
_CACHE_MAX = 4096        # code objects made by exec() must not grow the cache forever


def _from_code(fn: types.FunctionType) -> Tuple[int, int]:
    code = fn.__code__
    found = _code_arity.get(code)
    if found is None:
        total = code.co_argcount          # positional-only ones included
        # the number of defaults is fixed by the source, so it belongs to the code
        defaults = len(fn.__defaults__ or ())
        found = (total - defaults, ANY if code.co_flags & _CO_VARARGS else total)
        if len(_code_arity) >= _CACHE_MAX:
            _code_arity.clear()
        _code_arity[code] = found
    return found


def _from_signature(fn: Any) -> Tuple[int, int]:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):    # no signature to be had: pass everything
        return 0, ANY
    required = maximum = 0
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            maximum = ANY
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            if maximum != ANY:
                maximum += 1
            if p.default is p.empty:
                required += 1
    return required, maximum


def arity(fn: Callable[..., Any]) -> Tuple[int, int]:
    """(required, maximum) positional arguments of ``fn``; maximum is :data:`ANY`
    with ``*args``."""
    kind = type(fn)
    if kind is types.FunctionType:
        return _from_code(fn)  # type: ignore[arg-type]
    if kind is types.MethodType:
        func = fn.__func__  # type: ignore[attr-defined]
        if type(func) is types.FunctionType:
            required, maximum = _from_code(func)
            return max(required - 1, 0), maximum if maximum == ANY else max(maximum - 1, 0)
    if kind is JSCall:
        return 0, ANY
    # Per-type answers where every instance has the same signature: objects whose
    # class defines __call__, and builtin methods bound to an instance.
    key: Any = None
    if kind is types.BuiltinMethodType and getattr(fn, "__self__", None) is not None \
            and not isinstance(fn.__self__, types.ModuleType):  # type: ignore[attr-defined]
        key = (type(fn.__self__), fn.__name__)  # type: ignore[attr-defined]
    elif not isinstance(fn, (type, types.BuiltinFunctionType)) and hasattr(kind, "__call__") \
            and kind.__module__ not in ("functools", "builtins"):
        key = kind
    if key is not None:
        found = _type_arity.get(key)
        if found is None:
            found = _from_signature(fn)
            if len(_type_arity) >= _CACHE_MAX:
                _type_arity.clear()
            _type_arity[key] = found
        return found
    return _from_signature(fn)


class JSCall:
    """``fn`` called the JavaScript way: surplus arguments dropped, missing
    required ones given as None. Compares equal to ``fn`` for removal."""

    __slots__ = ("fn", "maximum", "required")

    def __init__(self, fn: Callable[..., Any], required: int, maximum: int) -> None:
        self.fn = fn
        self.required = required
        self.maximum = maximum

    def __call__(self, *args: Any) -> Any:
        n = len(args)
        if n > self.maximum:
            return self.fn(*args[:self.maximum])
        if n < self.required:
            return self.fn(*args, *((None,) * (self.required - n)))
        return self.fn(*args)

    def __eq__(self, other: object) -> bool:
        return other is self or other == self.fn

    def __hash__(self) -> int:
        return hash(self.fn)

    def __repr__(self) -> str:
        return f"<js-call {self.fn!r}>"


def adapt(fn: Callable[..., Any], nargs: Optional[int] = None) -> Callable[..., Any]:
    """``fn`` itself if it takes ``nargs`` positional arguments, else a :class:`JSCall`.

    ``nargs`` None means "any number" (a user-defined event): only a callable
    with ``*args`` is kept as it is.
    """
    found = _code_arity.get(fn.__code__) if type(fn) is types.FunctionType else None
    required, maximum = found if found is not None else arity(fn)
    if maximum == ANY and required == 0:
        return fn
    if nargs is not None and required <= nargs <= maximum:
        return fn
    return JSCall(fn, required, maximum)


def unwrap(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The callable a :class:`JSCall` adapts (or ``fn`` itself)."""
    return fn.fn if isinstance(fn, JSCall) else fn
