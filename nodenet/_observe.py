"""Watching the loop turn: a tracer that prints each phase as it runs.

``loop.tracer`` is called with ``(event, detail)``: ``('turn', now)`` at the start
of a turn, ``('phase', name)`` when a phase has work, ``('poll', timeout)`` before
the poll. Nothing is called when ``tracer`` is None, so tracing costs nothing
unless it is on. ``python -m nodenet demo`` shows a transcript (docs/loop.md).
"""

from __future__ import annotations

import sys
from typing import Any, Callable, List, Optional, TextIO

__all__ = ("PhaseTracer",)


class PhaseTracer:
    """Records (and optionally prints) the loop's turns and phases.

    Args:
        out: a text stream to print to; by default ``sys.stdout`` as it is when a
            line is printed (so redirecting stdout later still works).
        record_only: only record in ``lines``, print nothing.
        clock_origin: loop time that prints as 0 ms.
    """

    def __init__(self, out: Optional[TextIO] = None, clock_origin: float = 0.0,
                 record_only: bool = False) -> None:
        self.out = out
        self.record_only = record_only
        self.origin = clock_origin
        self.lines: List[str] = []
        self.turns = 0

    def __call__(self, event: str, detail: Any) -> None:
        if event == "turn":
            self.turns += 1
            line = f"turn {self.turns} at {1000 * (detail - self.origin):.0f} ms"
        elif event == "poll":
            wait = "forever" if detail is None else f"{1000 * detail:.0f} ms"
            line = f"  poll (may block {wait})"
        else:
            line = f"  {detail}"
        self.note(line)

    def note(self, line: str) -> None:
        """Add a line of the program's own output to the transcript."""
        self.lines.append(line)
        if not self.record_only:
            print(line, file=self.out if self.out is not None else sys.stdout)

    def callback(self, label: str) -> Callable[..., None]:
        """A callback that notes ``label`` when it runs (for demos and tests)."""
        def run(*_: Any) -> None:
            self.note(f"    -> {label}")
        return run
