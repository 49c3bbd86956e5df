"""Memory stays flat under backpressure (SPEC §5: a writer that honours
``write()``'s return, and ``pipe()``, keep memory bounded by the high-water mark).

The scenario is a nodenet program of its own, stress_memory_child.py (read its
docstring): a writer honouring 'drain' feeds a socket that is ``pipe()``d into
a slow reader, paused and resumed each time the backpressure reaches the
source; 16 cycles of 16 MiB, every byte checked by SHA-256.

Its RSS (/proc/self/statm) is sampled during the transfer. After a warm-up of 4
cycles (64 MiB: PyPy's JIT compiles the paths; CPython's RSS barely moves) it
must stay within that baseline plus what the four stream buffers on the path
may hold (each at most its high-water mark plus one chunk) plus a generous
constant for the allocator. Kernel socket buffers are not in RSS, and the
bound does not depend on them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

from stress_support import HERE

CYCLES = 16
QUOTA = 16 << 20
WARM_UP = 4
SLACK = 32 << 20
CHUNK = 65536          # the child writes 65000-byte pieces; reads are at most 64 KiB
ROOT = Path(__file__).resolve().parents[2]


def run_child() -> Dict[str, Any]:
    env = dict(os.environ, PYPY_GC_NURSERY="4MB",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    proc = subprocess.run(
        [sys.executable, str(HERE / "stress_memory_child.py"), str(CYCLES), str(QUOTA),
         str(WARM_UP)], capture_output=True, timeout=90, env=env)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_drain_writer_and_pipe_to_a_slow_reader_keep_rss_flat() -> None:
    st = run_child()
    assert st["probe_sees"] >= 60 << 20       # the probe measures what is kept
    assert st["errors"] == [] and st["closed"] == 4 and st["sockets_left"] == 0
    assert st["cycles"] == CYCLES
    assert st["got"] == st["sent"] >= CYCLES * QUOTA
    assert st["sha_equal"] is True
    assert st["write_false"] > 0 and st["source_pauses"] >= 1
    hwm = st["hwm"]
    # what write() buffers: below the high-water mark, plus the chunk that crossed it
    assert st["max_w_buffer"] < hwm + CHUNK
    assert st["max_d_buffer"] < hwm + CHUNK
    after_warm_up = st["samples"][st["warm_up_samples"]:]
    assert len(after_warm_up) >= CYCLES - WARM_UP
    bound = 4 * (hwm + CHUNK) + SLACK         # W, S, D and R's buffers, plus the constant
    grown = max(after_warm_up) - st["baseline"]
    assert grown <= bound, (f"RSS grew by {grown >> 20} MiB after warm-up "
                            f"(bound {bound >> 20} MiB): {[s >> 20 for s in st['samples'][-24:]]}")
    print(f"\nstress memory ({st['implementation']}): {st['got']} bytes through a drain "
          f"writer and pipe() to a slow reader in {CYCLES} pause/resume cycles, RSS "
          f"+{grown / (1 << 20):.1f} MiB at most after warm-up (bound {bound >> 20} MiB; "
          f"+{(max(st['samples']) - st['start']) / (1 << 20):.1f} MiB from the start), "
          f"{st['seconds']:.1f}s")
