"""tools/check_project.py finds what it is there to find."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import check_project  # noqa: E402


def test_the_package_is_clean() -> None:
    assert check_project.main() == 0


def test_an_import_cycle_is_found_even_through_type_only_and_late_imports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.py").write_text('"""a"""\nfrom .b import x\n')
    (tmp_path / "b.py").write_text('"""b"""\nfrom typing import TYPE_CHECKING\n'
                                   'if TYPE_CHECKING:\n    from .c import y\n')
    (tmp_path / "c.py").write_text('"""c"""\ndef f():\n    from .a import z  # why\n')
    monkeypatch.setattr(check_project, "PACKAGE", tmp_path)
    problems = check_project.import_cycles()
    assert len(problems) == 1 and "a, b, c" in problems[0]


def test_a_late_import_needs_a_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.py").write_text('"""a"""\ndef f():\n    import os\n    return os\n')
    monkeypatch.setattr(check_project, "PACKAGE", tmp_path)
    monkeypatch.setattr(check_project, "ROOT", tmp_path)
    assert check_project.late_imports() == [
        "a.py:3: import inside a function without a comment saying why"]


def test_a_lower_layer_importing_a_higher_one_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "events.py").write_text('"""e"""\nfrom ._loop import Loop\n')
    (tmp_path / "_loop.py").write_text('"""l"""\n')
    (tmp_path / "new.py").write_text('"""n"""\n')
    monkeypatch.setattr(check_project, "PACKAGE", tmp_path)
    problems = check_project.layering()
    assert "nodenet/events.py:2: the values layer imports _loop of the loop layer above it" \
        in problems
    assert any("nodenet/new.py is in no layer" in p for p in problems)
