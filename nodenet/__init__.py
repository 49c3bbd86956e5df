"""nodenet: Node.js's ``net`` module for Python.

``import nodenet as net`` gives the names of ``node:net`` in snake_case, plus the
loop entry point :func:`run`, the timers of ``node:timers`` and the
``nodenet.process`` stand-in for Node's ``process``. Event names are Node's
strings, durations are milliseconds. See ``docs/api.md`` for the Node -> Python
name table.
"""

from __future__ import annotations

from . import errors as errors
from . import events as events
from . import timers as timers
from ._loop import Loop as Loop
from ._loop import LoopStopped as LoopStopped
from ._loop import get_loop as get_loop
from ._loop import run as run
from ._loop import set_loop as set_loop
from ._process import process as process
from .abort import AbortController as AbortController
from .abort import AbortSignal as AbortSignal
from .events import EventEmitter as EventEmitter
from .timers import clear_immediate as clear_immediate
from .timers import clear_interval as clear_interval
from .timers import clear_timeout as clear_timeout
from .timers import next_tick as next_tick
from .timers import set_immediate as set_immediate
from .timers import set_interval as set_interval
from .timers import set_timeout as set_timeout

__version__ = "0.1.0"

__all__ = (
    "AbortController",
    "AbortSignal",
    "EventEmitter",
    "Loop",
    "LoopStopped",
    "clear_immediate",
    "clear_interval",
    "clear_timeout",
    "errors",
    "events",
    "get_loop",
    "next_tick",
    "process",
    "run",
    "set_immediate",
    "set_interval",
    "set_loop",
    "set_timeout",
    "timers",
)
