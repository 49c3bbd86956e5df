"""Project checks that tests do not cover: module names and docstrings.

* no module under nodenet/ may share a name with a stdlib module (a student
  running a file from inside the package would shadow ``socket`` or ``select``);
* every public module, class, function and method has a docstring;
* every name in ``nodenet.__all__`` exists.

Exit status 1 with a list of problems, 0 when clean.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "nodenet"

STDLIB = set(getattr(sys, "stdlib_module_names", ())) | {
    "socket", "select", "selectors", "queue", "ssl", "signal", "errno", "types",
}


def module_names() -> List[str]:
    problems = []
    for path in sorted(PACKAGE.glob("*.py")):
        stem = path.stem
        if stem.startswith("__"):
            continue
        if stem in STDLIB or stem.lstrip("_") in STDLIB:
            problems.append(f"{path.relative_to(ROOT)}: shadows the stdlib module '{stem.lstrip('_')}'")
    return problems


def docstrings() -> List[str]:
    problems = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(ROOT)
        if ast.get_docstring(tree) is None:
            problems.append(f"{rel}: module has no docstring")
        public_module = not path.stem.startswith("_") or path.stem == "__init__"
        for node in tree.body:
            problems.extend(_check(node, rel, public_module))
    return problems


def _check(node: ast.AST, rel: Path, public_module: bool) -> List[str]:
    problems: List[str] = []
    if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
        if public_module and ast.get_docstring(node) is None:
            problems.append(f"{rel}:{node.lineno}: class {node.name} has no docstring")
        for item in node.body:
            if (isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and not item.name.startswith("_") and public_module
                    and ast.get_docstring(item) is None
                    and not any(isinstance(d, ast.Attribute) and d.attr == "setter"
                                for d in item.decorator_list)):
                problems.append(f"{rel}:{item.lineno}: {node.name}.{item.name} has no docstring")
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if public_module and not node.name.startswith("_") and ast.get_docstring(node) is None:
            problems.append(f"{rel}:{node.lineno}: function {node.name} has no docstring")
    return problems


def exports() -> List[str]:
    sys.path.insert(0, str(ROOT))
    module = importlib.import_module("nodenet")
    return [f"nodenet.__all__ names a missing '{name}'"
            for name in module.__all__ if not hasattr(module, name)]


def main() -> int:
    problems = module_names() + docstrings() + exports()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("project checks: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
