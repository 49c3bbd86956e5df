"""docs/tls.md runs as written: its openssl commands make the certificates,
and each program followed by "The output:" prints exactly that output."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)


def _fenced() -> List[Tuple[str, str]]:
    return FENCE.findall((ROOT / "docs" / "tls.md").read_text(encoding="utf-8"))


def _programs() -> List[Tuple[str, str]]:
    """(program, expected output) for each python block whose next block is text."""
    fenced = _fenced()
    return [(code, fenced[i + 1][1]) for i, (kind, code) in enumerate(fenced)
            if kind == "python" and i + 1 < len(fenced) and fenced[i + 1][0] == "text"]


def test_the_page_has_programs_with_output() -> None:
    assert len(_programs()) >= 3


@pytest.mark.skipif(shutil.which("openssl") is None or shutil.which("bash") is None,
                    reason="needs the openssl command and bash")
@pytest.mark.parametrize("index", range(len(_programs())))
def test_program_prints_what_the_page_shows(index: int, tmp_path: Path) -> None:
    setup = next(code for kind, code in _fenced() if kind == "sh")
    subprocess.run(["bash", "-e", "-c", setup], cwd=tmp_path, check=True,
                   capture_output=True, timeout=60)
    program, expected = _programs()[index]
    out = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert out.returncode == 0, out.stderr
    assert out.stdout == expected
