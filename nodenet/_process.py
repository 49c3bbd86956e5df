"""``nodenet.process``: the parts of Node's ``process`` that the loop needs.

Node: process.md § "Event: 'uncaughtException'", § "Event:
'uncaughtExceptionMonitor'", § "process.exitCode", and the "Exit codes" list.

What happens to an exception that escapes a callback on the loop thread:

1. ``'uncaughtExceptionMonitor'`` listeners see it;
2. if ``'uncaughtException'`` has listeners, they get ``(err, 'uncaughtException')``
   and the loop carries on;
3. otherwise it is fatal: the traceback goes to stderr, every handle is destroyed,
   the loop stops, and the exception is re-raised from :func:`nodenet.run`. When no
   ``run()`` call is waiting to receive it, ``process.exit_code`` becomes 1.

At interpreter exit (after the main thread's script has ended) nodenet waits for
its loop thread while ref'd handles remain — Node's "the process stays alive" —
and then, if ``process.exit_code`` is a non-zero number, exits with that status
after running the ``atexit`` handlers, as Node's ``process.exitCode`` does.

Difference from Node: Node ends the process at the moment of a fatal error; a
Python main thread that is still running keeps running, and the non-zero status
is applied when it finishes.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import weakref
from typing import Dict, Hashable, Optional, Protocol

from .events import EventEmitter

__all__ = ("Process", "process")


class Process(EventEmitter):
    """Node: process.md — the ``process`` object's events and ``exitCode``.

    ``process.on('uncaughtException', fn)`` keeps the loop alive after an error,
    exactly as in Node. ``exit_code`` is applied at interpreter exit.
    """

    __slots__ = ("_exit_code",)

    _event_args: Dict[Hashable, int] = {
        **EventEmitter._event_args, "uncaughtException": 2, "uncaughtExceptionMonitor": 2,
    }

    def __init__(self) -> None:
        super().__init__()
        self._exit_code: Optional[int] = None

    @property
    def pid(self) -> int:
        """Node: ``process.pid``."""
        return os.getpid()

    @property
    def exit_code(self) -> Optional[int]:
        """Node: ``process.exitCode`` — the status used when the interpreter exits."""
        return self._exit_code

    @exit_code.setter
    def exit_code(self, value: Optional[int]) -> None:
        self._exit_code = value
        _register_exit_hook()


#: Node's ``process``, as far as nodenet needs it.
process = Process()


def handle_uncaught(exc: BaseException) -> bool:
    """Offer ``exc`` to the process listeners; True if an ``'uncaughtException'`` took it."""
    if process.listener_count("uncaughtExceptionMonitor"):
        process._emit("uncaughtExceptionMonitor", exc, "uncaughtException")
    if process.listener_count("uncaughtException"):
        process._emit("uncaughtException", exc, "uncaughtException")
        return True
    return False


def fatal_error(exc: BaseException, delivered: bool) -> None:
    """The loop stopped on ``exc``; unless a ``run()`` caller received it, fail the exit."""
    if delivered:
        return
    if isinstance(exc, SystemExit):
        code = exc.code
        process.exit_code = code if isinstance(code, int) else (0 if code is None else 1)
    else:
        process.exit_code = 1


# ---------------------------------------------------------------------- exit handling

class _Watched(Protocol):
    """What the exit hook needs of a loop (nodenet's ``Loop``)."""

    def notify_main_done(self) -> None: ...

    def join(self, timeout: Optional[float] = None) -> bool: ...

    def stop(self) -> None: ...


_watched: "weakref.WeakSet[_Watched]" = weakref.WeakSet()
# The main thread joins the loops in slices, as it waits in run(): a Ctrl-C whose
# handler ran just before it blocked, or on the loop thread, is acted on at the
# next slice (see _loop._Waiter.wait).
_SIGNAL_CHECK = 0.25
_hook_lock = threading.Lock()
_hook_registered = False


def watch_main_exit(loop: _Watched) -> None:
    """Tell ``loop`` when the main thread's script has ended (called as its thread starts)."""
    _watched.add(loop)
    _register_exit_hook()


def _register_exit_hook() -> None:
    global _hook_registered
    with _hook_lock:
        if _hook_registered:
            return
        _hook_registered = True
    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        try:
            # Runs on the main thread at the start of threading._shutdown(), before
            # non-daemon threads are joined: the moment "the script has ended".
            register(_on_main_exit)
            return
        except RuntimeError:  # pragma: no cover - already shutting down
            return
    threading.Thread(target=_poll_main_exit, name="nodenet-exit", daemon=True).start()


def _poll_main_exit() -> None:  # pragma: no cover - interpreters without _register_atexit
    main = threading.main_thread()
    while main.is_alive():
        main.join(0.1)
    _on_main_exit()


def _on_main_exit() -> None:
    """The script ended: let loops finish their ref'd work, then apply ``exit_code``."""
    loops = list(_watched)
    for loop in loops:
        loop.notify_main_done()
    try:
        for loop in loops:
            while not loop.join(_SIGNAL_CHECK):
                pass
    except KeyboardInterrupt:
        for loop in loops:
            loop.stop()
        for loop in loops:
            loop.join(5.0)
        _hard_exit(130)
    code = process.exit_code
    if code:
        _hard_exit(code)


def _hard_exit(code: int) -> None:
    """Exit with ``code`` after the atexit handlers, as Node applies ``process.exitCode``."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            pass
    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    if run_exitfuncs is not None:
        run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            pass
    os._exit(code)
