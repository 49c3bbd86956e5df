"""Differential: random scenarios (tests/diff/randscen.py) against Node 26.

Each seed makes one loopback TCP pair and a chain of 3-8 operations, each
triggered by an event the one before it caused; nodenet's per-side trace must
equal Node 26's. The seeds are fixed: chosen to cover every operation with
every trigger and half-open setting, and checked to give the same trace in five
Node runs. More seeds: ``python tests/diff/randscen.py --seeds 0:1000``.

Node 26 only: the reference. (Node 20 differs in places docs/compat.md lists,
which the hand-written differentials pin.)
"""

from __future__ import annotations

import pytest

import nodes
import randscen

SEEDS = [4, 5, 6, 13, 15, 19, 37, 40, 47, 52, 63, 64, 88, 106, 130, 148, 166, 203, 211,
         239, 278, 283, 295, 323, 346, 384, 408, 421, 422, 481, 731, 755, 889, 905, 911,
         920, 955, 1146, 1196, 1223]


@pytest.mark.skipif(nodes.BINARIES["26"] is None, reason=nodes.missing_reason("26"))
@pytest.mark.parametrize("seed", SEEDS)
def test_random_scenario(seed: int) -> None:
    sc = randscen.generate(seed)
    with nodes.use("26"):
        expected = randscen.node_trace(sc)
    assert "other" not in expected, f"Node did not finish:\n{randscen.describe(sc)}"
    got = randscen.python_trace(sc)
    diff = randscen.compare(expected, got)
    assert diff is None, randscen.describe(sc) + "\n" + diff
