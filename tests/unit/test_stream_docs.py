"""stream.py stays readable as a textbook (issue 11): every function and method has
a docstring, and every field of the two states is explained where it is set."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import List

SOURCE = Path(__file__).resolve().parents[2] / "nodenet" / "stream.py"


def test_every_function_and_method_has_a_docstring() -> None:
    missing: List[str] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.ClassDef)):
                if ast.get_docstring(child) is None:
                    missing.append(f"{prefix}{child.name} (line {child.lineno})")
                walk(child, f"{prefix}{child.name}.")

    walk(ast.parse(SOURCE.read_text(encoding="utf-8")), "")
    assert not missing, "no docstring: " + ", ".join(missing)


def test_every_state_field_is_commented_where_it_is_set() -> None:
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    uncommented: List[str] = []
    for cls in tree.body:
        if not (isinstance(cls, ast.ClassDef) and cls.name in ("ReadableState",
                                                               "WritableState")):
            continue
        slots = next(ast.literal_eval(n.value) for n in cls.body if isinstance(n, ast.Assign)
                     and getattr(n.targets[0], "id", "") == "__slots__")
        init = next(n for n in cls.body if isinstance(n, ast.FunctionDef)
                    and n.name == "__init__")
        seen = set()
        for stmt in init.body:
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) else getattr(
                stmt, "target", None)
            if isinstance(target, ast.Attribute):
                seen.add(target.attr)
                if not lines[stmt.lineno - 2].strip().startswith("#"):
                    uncommented.append(f"{cls.name}.{target.attr}")
        assert seen == set(slots), f"{cls.name}: fields set in __init__ != __slots__"
    assert not uncommented, "no comment line above: " + ", ".join(uncommented)
