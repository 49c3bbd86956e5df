"""The examples' shared modules (resp.py, http1.py) import by their bare names,
as they do when a user runs a script from docs/examples."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "examples"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
