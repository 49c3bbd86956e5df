"""docs/streams.md's call transcripts are what the code does today.

Each block of the page that starts with ``== <title>`` is a transcript printed
by ``tools/trace_stream.py`` (a title ending in ``(fast paths on)``: by
``tools/trace_stream.py --fast``). The notes the page adds on the right of a
line (after two or more spaces) are not compared. So renaming or reordering a
step of the stream algorithm fails here until the page is brought up to date.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "streams.md"
BLOCK = re.compile(r"```\n(== .*?)```", re.S)
NOTE = re.compile(r"^(.*?\S)\s{2,}\S.*$")


def sections(text: str) -> Dict[str, List[str]]:
    """``{title: lines}`` for each ``== title`` section of a transcript."""
    out: Dict[str, List[str]] = {}
    lines: List[str] = []
    for line in text.splitlines():
        if line.startswith("== "):
            lines = out.setdefault(line[3:], [])
        elif line.strip():
            lines.append(line.rstrip())
    return out


def without_notes(lines: List[str]) -> List[str]:
    return [m.group(1) if (m := NOTE.match(line)) else line for line in lines]


def run_tool(*args: str) -> Dict[str, List[str]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("NODENET_FAST_PATHS", None)
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "trace_stream.py"), *args],
                          cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return sections(proc.stdout)


def test_the_transcripts_of_streams_md_are_the_code_s() -> None:
    documented: Dict[str, List[str]] = {}
    for block in BLOCK.findall(PAGE.read_text(encoding="utf-8")):
        for title, lines in sections(block).items():
            documented[title] = without_notes(lines)
    assert {"write", "read: data", "read: end of input",
            "read: data (fast paths on)"} <= set(documented)
    printed = {**run_tool(), **run_tool("--fast")}
    for title, lines in documented.items():
        assert lines == printed.get(title), f"docs/streams.md '== {title}' is out of date"
