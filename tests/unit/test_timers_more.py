"""Timer corners: overflow warning text, timer ids after firing or clearing,
Immediate methods from another thread, reprs. Warning texts were printed by
node v20 (``process.on('warning')`` for ``setTimeout(fn, Infinity)`` and
``setTimeout(fn, 2 ** 31)``).
"""

from __future__ import annotations

import threading
from typing import Any, List

import pytest

import nodenet as net
from nodenet import timers
from support import Calls, run


@pytest.mark.parametrize("delay, shown", [(float("inf"), "Infinity"), (2**31, "2147483648")])
def test_overflow_warning_text(vloop: Any, delay: float, shown: str) -> None:
    loop, _clock = vloop
    fired = Calls()
    with pytest.warns(timers.TimeoutOverflowWarning) as record:
        net.set_timeout(fired, delay)
    assert str(record[0].message) == (f"{shown} does not fit into a 32-bit signed integer.\n"
                                      "Timeout duration was set to 1.")
    loop.run_until_idle()
    assert fired.count == 1


def test_timer_id_is_forgotten_once_it_fired_or_was_cleared(vloop: Any) -> None:
    # a fired one-shot timer's id no longer clears anything; a cleared timer
    # converted to an id afterwards is not registered at all
    loop, _clock = vloop
    fired = Calls()
    t = net.set_timeout(fired, 5)
    timer_id = int(t)
    assert timer_id in timers._by_id
    loop.run_until_idle()
    assert fired.count == 1 and timer_id not in timers._by_id

    cleared = net.set_timeout(fired, 5)
    net.clear_timeout(cleared)
    late_id = int(cleared)
    assert int(cleared) == late_id and late_id not in timers._by_id
    loop.run_until_idle()
    assert fired.count == 1


def test_immediate_methods_from_another_thread() -> None:
    # Node has one thread; here an Immediate's unref()/ref() and clear_immediate
    # from a foreign thread are handed to the loop in call order. The loop thread
    # waits for that thread, so everything is queued before any of it runs.
    out: List[str] = []
    seen: List[bool] = []

    def foreign() -> None:
        cleared = net.set_immediate(out.append, "cleared")
        seen.append(cleared.unref() is cleared and cleared.ref() is cleared
                    and cleared.has_ref())
        net.clear_immediate(cleared)
        net.set_immediate(out.append, "kept").unref().ref()

    def main() -> None:
        worker = threading.Thread(target=foreign)
        worker.start()
        worker.join(5)

    run(main)
    assert seen == [True]
    assert out == ["kept"]


def test_reprs(vloop: Any) -> None:
    loop, _clock = vloop
    t = net.set_timeout(lambda: None, 5)
    i = net.set_interval(lambda: None, 2.5).unref()
    imm = net.set_immediate(lambda: None).unref()
    assert (repr(t), repr(i), repr(imm)) == ("<Timeout 5ms ref>", "<Interval 2.5ms unref>",
                                             "<Immediate unref>")
    net.clear_timeout(t)
    net.clear_interval(i)
    net.clear_immediate(imm)
    loop.run_until_idle()
