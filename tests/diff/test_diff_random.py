"""Differential: random scenarios (tests/diff/randscen.py) against Node 26.

Each seed makes one loopback TCP pair and a chain of 3-8 operations, each
triggered by an event the one before it caused; nodenet's per-side trace must
equal Node 26's. The seeds are fixed: chosen to cover every operation with
every trigger and option setting, and checked to give the same trace in five
Node runs (a change to the generator changes the scenarios: choose them again).
More seeds: ``python tests/diff/randscen.py --seeds 0:1000 [--pipes] [--more] [--unix]``.

Node 26 only: the reference. (Node 20 differs in places docs/compat.md lists,
which the hand-written differentials pin.)
"""

from __future__ import annotations

from typing import Any, Dict

import pytest

import nodes
import randscen

SEEDS = [0, 7, 8, 16, 19, 20, 22, 24, 36, 41, 42, 47, 52, 53, 54, 61, 74, 83, 84, 91, 92, 94,
         105, 106, 115, 117, 118, 127, 128, 133, 137, 144, 148, 149, 158, 160, 187, 195, 204,
         206, 225, 229, 230, 247, 262, 276, 282, 283, 287, 315, 330, 384, 413, 416, 418, 421,
         453, 455, 463, 468,
         # the server resets at once: the client fails with "connect ECONNRESET"
         169, 692, 725,
         # writes from a write callback failed by errorBuffer (writableLength back to 0)
         14684]


# generate(seed, pipes=True): some operations pipe() a socket into a recording
# sink, or unpipe() it (pipe()'s listeners on both streams, its end, close and
# finish handling). Chosen to cover a pipe after and before every kind of end,
# destroy, pause, encoding and second pipe; stable in five Node runs.
PIPE_SEEDS = [19, 26, 60, 126, 151, 158, 168, 197, 233, 283, 361, 407, 576, 581, 591, 638,
              659, 663, 724, 732]

# generate(seed, more=True): some operations become read(n) (returned value
# recorded), a 'readable' reader of read(n), unshift(), setTimeout(60000, cb) and
# setTimeout(0, cb) (the listener count), setTimeout(ms, cb) firing, end() twice,
# cork() then end(data), 5-20 kB writes ('drain'), write() after end()
# (ERR_STREAM_WRITE_AFTER_END, or EPIPE after the peer's FIN), destroy() after end()
# or right after a write(), end(cb) after destroy(), setDefaultEncoding() writes,
# setEncoding(null / latin1 / base64), and on the server side
# server.getConnections() and server.close() while the connection is open (and
# its ERR_SERVER_NOT_RUNNING once closed). Chosen to cover each, with each of its
# outcomes; stable in five Node runs.
MORE_SEEDS = [6, 9, 23, 42, 53, 62, 98, 220, 333, 483, 531, 576, 665, 782, 793, 873, 875, 1085,
              1999,
              # a Buffer unshifted after setEncoding() is read as its UTF-8 text
              20, 1274]

# generate(seed, unix=True): the same scenarios over a Unix-domain socket
# (listen(path), connect({path})): setNoDelay/setKeepAlive are no-ops there,
# address() is {} and remoteAddress undefined, resetAndDestroy() throws
# ERR_INVALID_HANDLE_TYPE with a handle (then destroy()) and destroys with
# ERR_SOCKET_CLOSED without one. Chosen to cover every operation and trigger;
# stable in five Node runs.
UNIX_SEEDS = [12, 83, 161, 389, 392, 418, 421, 565, 638, 701, 729, 731, 1312, 1357, 1394]

pytestmark = pytest.mark.node


def _agrees(sc: Dict[str, Any]) -> Dict[str, Any]:
    """Run ``sc`` in Node 26 and in nodenet; assert the traces are equal and
    return Node's."""
    if nodes.current_major() != "26":
        pytest.skip("random scenarios are compared with Node 26, the reference, only")
    expected = randscen.node_trace(sc)
    assert "other" not in expected, f"Node did not finish:\n{randscen.describe(sc)}"
    got = randscen.python_trace(sc)
    diff = randscen.compare(expected, got)
    assert diff is None, randscen.describe(sc) + "\n" + diff
    return expected


@pytest.mark.parametrize("seed", SEEDS)
def test_random_scenario(seed: int) -> None:
    _agrees(randscen.generate(seed))


@pytest.mark.parametrize("seed", PIPE_SEEDS)
def test_random_scenario_with_pipes(seed: int) -> None:
    sc = randscen.generate(seed, pipes=True)
    assert any(st["op"][0] == "pipe_sink" for st in sc["steps"])
    _agrees(sc)


@pytest.mark.parametrize("seed", MORE_SEEDS)
def test_random_scenario_with_more_operations(seed: int) -> None:
    sc = randscen.generate(seed, more=True)
    assert any(st["op"][0] in randscen.MORE_OPS for st in sc["steps"])
    _agrees(sc)


@pytest.mark.parametrize("seed", UNIX_SEEDS)
def test_random_scenario_over_unix_socket(seed: int) -> None:
    expected = _agrees(randscen.generate(seed, unix=True))
    assert ["server", "listening", "PATH"] in expected["server"]
