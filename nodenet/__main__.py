"""``python -m nodenet``: small programs that show nodenet working.

* ``demo``: one script's timers, immediates and next_tick callbacks, with a
  transcript of every turn and phase of the loop (docs/loop.md).
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

import nodenet as net
from nodenet._observe import PhaseTracer


def demo() -> int:
    """Trace one small program through the loop's phases."""
    loop = net.get_loop()
    tracer = PhaseTracer(clock_origin=loop.clock())

    def main() -> None:
        tracer.note("    -> main() runs (posted to the loop: poll phase)")
        net.set_timeout(tracer.callback("setTimeout 0 (runs next turn)"), 0)
        net.set_timeout(tracer.callback("setTimeout 20"), 20)
        net.set_immediate(tracer.callback("setImmediate (check phase)"))
        net.next_tick(tracer.callback("nextTick (right after main)"))

        def from_timer() -> None:
            tracer.note("    -> setTimeout 10")
            net.set_immediate(tracer.callback("setImmediate from timer"))
            net.next_tick(tracer.callback("nextTick from timer"))

        net.set_timeout(from_timer, 10)

    loop.call(setattr, loop, "tracer", tracer)
    try:
        net.run(main)
    finally:
        loop.tracer = None
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nodenet", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="trace a few timers through the loop's phases")
    args = parser.parse_args(argv)
    assert args.command == "demo"
    return demo()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
