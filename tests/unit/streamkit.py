"""Node-style constructors for the nodenet.stream tests.

Node builds test streams as ``new Readable({read() {...}, autoDestroy: false})``;
nodenet's streams are subclassed instead. These helpers take the same options
(snake_case) and install them the way Node's constructors do: a given
``read``/``write``/``writev``/``final``/``destroy`` becomes the instance's
``_read``/``_write``/``_writev``/``_final``/``_destroy``, and an option left out
keeps the class default (so ``final`` absent means "no ``_final``", as in Node).

Chunks are shown with :func:`show` so that a trace tells bytes (``'b:..'``) from
strings (``'s:..'``), as the Node scripts the expected values come from print
``Buffer`` and string chunks differently.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional

from nodenet.stream import Duplex, Readable, Writable

Fn = Optional[Callable[..., Any]]


def show(chunk: Any) -> str:
    """``'b:<latin-1 text>'`` for a bytes chunk, ``'s:<text>'`` for a string."""
    if isinstance(chunk, (bytes, bytearray, memoryview)):
        return "b:" + bytes(chunk).decode("latin-1")
    return "s:" + str(chunk)


def code_of(err: Any) -> str:
    """An error's Node ``code`` (or its message when it has none)."""
    return getattr(err, "code", None) or str(err)


def _apply(stream: Any, read: Fn = None, write: Fn = None, writev: Fn = None,
           final: Fn = None, destroy: Fn = None, auto_destroy: bool = True,
           emit_close: bool = True) -> None:
    if read is not None:
        stream._read = read
    if write is not None:
        stream._write = write
    if writev is not None:
        stream._writev = writev
        stream._has_writev = True
    if final is not None:
        stream._final = final
    if destroy is not None:
        stream._destroy = destroy
    for state in (stream._readable_state, stream._writable_state):
        if state is not None:
            state.auto_destroy = auto_destroy
            state.emit_close = emit_close


class OptReadable(Readable):
    """``new Readable(options)``."""

    def __init__(self, read: Fn = None, destroy: Fn = None,
                 high_water_mark: Optional[int] = None, auto_destroy: bool = True,
                 emit_close: bool = True, encoding: Optional[str] = None) -> None:
        super().__init__(high_water_mark=high_water_mark)
        _apply(self, read=read, destroy=destroy, auto_destroy=auto_destroy,
               emit_close=emit_close)
        if encoding is not None:
            self.set_encoding(encoding)


class OptWritable(Writable):
    """``new Writable(options)``."""

    def __init__(self, write: Fn = None, writev: Fn = None, final: Fn = None,
                 destroy: Fn = None, high_water_mark: Optional[int] = None,
                 auto_destroy: bool = True, emit_close: bool = True) -> None:
        super().__init__(high_water_mark=high_water_mark)
        _apply(self, write=write, writev=writev, final=final, destroy=destroy,
               auto_destroy=auto_destroy, emit_close=emit_close)


class OptDuplex(Duplex):
    """``new Duplex(options)``."""

    def __init__(self, read: Fn = None, write: Fn = None, writev: Fn = None,
                 final: Fn = None, destroy: Fn = None, allow_half_open: bool = True,
                 readable: bool = True, writable: bool = True,
                 readable_high_water_mark: Optional[int] = None,
                 writable_high_water_mark: Optional[int] = None,
                 auto_destroy: bool = True, emit_close: bool = True) -> None:
        super().__init__(allow_half_open=allow_half_open, readable=readable,
                         writable=writable,
                         readable_high_water_mark=readable_high_water_mark,
                         writable_high_water_mark=writable_high_water_mark)
        _apply(self, read=read, write=write, writev=writev, final=final,
               destroy=destroy, auto_destroy=auto_destroy, emit_close=emit_close)


def recorder(log: List[Any], stream: Any, *events: str) -> None:
    """Append ``event`` (or ``(event, shown args...)``) to ``log`` for each event."""
    for name in events:
        def listener(*args: Any, _name: str = name) -> None:
            if not args:
                log.append(_name)
            elif _name == "data":
                log.append((_name, show(args[0])))
            elif _name == "error":
                log.append((_name, code_of(args[0])))
            else:
                log.append(_name)
        stream.on(name, listener)


def noop(*_: Any) -> None:
    """A ``read() {}`` that does nothing."""
