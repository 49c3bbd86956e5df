"""JavaScript's call rules (SPEC §2): surplus arguments dropped, missing required
ones given None, ``*args`` gets everything; worked out once per callable."""

from __future__ import annotations

import functools
import sys
from typing import Any, List

import pytest

import nodenet as net
from nodenet._jscall import ANY, JSCall, adapt, arity, unwrap
from nodenet.events import EventEmitter


def f0() -> None: ...
def f1(a: Any) -> None: ...
def f2(a: Any, b: Any) -> None: ...
def f1d(a: Any, b: Any = 1) -> None: ...
def fv(*a: Any) -> None: ...
def f1v(a: Any, *rest: Any) -> None: ...
def fkw(a: Any, *, k: Any) -> None: ...
def fpos(a: Any, b: Any = 2, /) -> None: ...


class Obj:
    def m0(self) -> None: ...
    def m2(self, a: Any, b: Any) -> None: ...
    def __call__(self, a: Any) -> None: ...

    @staticmethod
    def s1(a: Any) -> None: ...

    @classmethod
    def c1(cls, a: Any) -> None: ...


@pytest.mark.parametrize("fn, expected", [
    (f0, (0, 0)), (f1, (1, 1)), (f2, (2, 2)), (f1d, (1, 2)), (fv, (0, ANY)), (f1v, (1, ANY)),
    (fkw, (1, 1)), (fpos, (1, 2)), (lambda: None, (0, 0)), (lambda *a: None, (0, ANY)),
    (lambda x, y=None: None, (1, 2)), (Obj().m0, (0, 0)), (Obj().m2, (2, 2)),
    (Obj(), (1, 1)), (Obj.s1, (1, 1)), (Obj.c1, (1, 1)), (print, (0, ANY)),
    (functools.partial(f2, 1), (1, 1)), ([].append, (1, 1)), (sys.stdout.write, (1, 1)),
    (int, (0, ANY)),
], ids=lambda v: getattr(v, "__name__", repr(v))[:20] if not isinstance(v, tuple) else str(v))
def test_arity(fn: Any, expected: Any) -> None:
    assert arity(fn) == expected


@pytest.mark.parametrize("fn, nargs, same", [
    (f1, 1, True), (f1, 0, False), (f1, 2, False), (fv, None, True), (f1d, 1, True),
    (f1d, 2, True), (f1d, 3, False), (f0, None, False), (f1v, 0, False), (f1v, 5, True),
])
def test_adapt_keeps_what_fits(fn: Any, nargs: Any, same: bool) -> None:
    adapted = adapt(fn, nargs)
    assert (adapted is fn) is same
    if not same:
        assert isinstance(adapted, JSCall) and unwrap(adapted) is fn and adapted == fn


def test_adapted_calls_follow_javascript() -> None:
    got: List[Any] = []
    adapt(lambda: got.append("none"), 3)(1, 2, 3)
    adapt(lambda a, b: got.append((a, b)), 0)()
    adapt(lambda a, b=7: got.append((a, b)), 0)()
    adapt(lambda a, *r: got.append((a, r)), 0)()
    adapt(lambda a, *r: got.append((a, r)), 3)(1, 2, 3)
    assert got == ["none", (None, None), (None, 7), (None, ()), (1, (2, 3))]


def test_errors_inside_the_callable_are_not_swallowed() -> None:
    def bad(a: Any) -> None:
        raise TypeError("mine")
    with pytest.raises(TypeError, match="mine"):
        adapt(bad, 2)(1, 2)


def test_emitter_listeners_follow_the_call_rules() -> None:
    e = EventEmitter()
    got: List[Any] = []
    e.on("x", lambda: got.append("0 args"))
    e.on("x", lambda a, b, c: got.append((a, b, c)))
    e.once("x", lambda a: got.append(("once", a)))
    e.prepend_listener("x", lambda *a: got.append(a))
    e.emit("x", 1, 2)
    e.emit("x")
    assert got == [(1, 2), "0 args", (1, 2, None), ("once", 1), (), "0 args",
                   (None, None, None)]


def test_adapted_listeners_are_removed_and_listed_by_the_original() -> None:
    e = EventEmitter()
    fn = lambda: None  # noqa: E731
    once_fn = lambda: None  # noqa: E731
    e.on("x", fn)
    e.once("x", once_fn)
    assert e.listeners("x") == [fn, once_fn]
    raw = e.raw_listeners("x")
    assert raw[0] is fn and raw[1].listener is once_fn
    assert e.listener_count("x", fn) == 1
    e.off("x", fn)
    e.off("x", once_fn)
    assert e.listener_count("x") == 0


def test_new_listener_sees_the_original_function() -> None:
    e = EventEmitter()
    seen: List[Any] = []
    e.on("newListener", lambda name, listener: seen.append(listener))
    fn = lambda: None  # noqa: E731
    e.on("x", fn)
    e.once("x", fn)
    assert seen == [fn, fn]


def test_decorator_forms() -> None:
    e = EventEmitter()
    got: List[Any] = []

    @e.on("data")
    def on_data(chunk: Any) -> None:
        got.append(("on", chunk))

    @e.once("data")
    def once_data() -> None:
        got.append("once")

    @e.prepend_listener("data")
    def first(*a: Any) -> None:
        got.append(("first", a))

    @e.prepend_once_listener("data")
    def very_first() -> None:
        got.append("very first")

    e.emit("data", b"x")
    e.emit("data", b"y")
    assert got == ["very first", ("first", (b"x",)), ("on", b"x"), "once",
                   ("first", (b"y",)), ("on", b"y")]
    assert on_data.__name__ == "on_data"     # the decorator returns the function


def test_node_event_emitted_with_an_unusual_count() -> None:
    """A user's own emit of 'data' with two arguments: listeners stored bare (they
    fit Node's one argument) are adapted for that call."""
    e = net.Socket()
    got: List[Any] = []
    e.on("data", lambda chunk: got.append(chunk))
    e.once("data", lambda chunk: got.append(("once", chunk)))
    e.emit("data", b"a", "extra")
    e.emit("data")
    assert got == [b"a", ("once", b"a"), None]


def test_the_listener_table_matches_nodes_emits() -> None:
    """The counts used to skip adapters are Node's argument lists."""
    assert net.Socket._event_args["close"] == 1
    assert net.Server._event_args["close"] == 0
    assert net.Socket._event_args["lookup"] == 4
    assert EventEmitter._event_args == {"newListener": 2, "removeListener": 2, "error": 1}
