"""docs/tls.md's tutorial runs as written: its openssl commands make the
certificates, its program prints the output the page shows."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _blocks(kind: str) -> list:
    text = (ROOT / "docs" / "tls.md").read_text(encoding="utf-8")
    return re.findall(r"```" + kind + r"\n(.*?)```", text, re.S)


@pytest.mark.skipif(shutil.which("openssl") is None or shutil.which("bash") is None,
                    reason="needs the openssl command and bash")
def test_tutorial(tmp_path: Path) -> None:
    subprocess.run(["bash", "-e", "-c", _blocks("sh")[0]], cwd=tmp_path, check=True,
                   capture_output=True, timeout=60)
    program = _blocks("python")[0]
    out = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert out.returncode == 0, out.stderr
    expected = _blocks("text")[0]
    assert out.stdout == expected
