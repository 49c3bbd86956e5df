"""Project checks that tests do not cover: names, docstrings and imports.

* no module under nodenet/ may share a name with a stdlib module (a student
  running a file from inside the package would shadow ``socket`` or ``select``);
* every module has a docstring, and so has every public object reachable from
  the public modules: each name in ``nodenet.__all__`` and in the ``__all__`` of
  ``nodenet.events``/``timers``/``dns``/``errors``/``stream``/``tls`` — wherever
  it is defined (``Socket`` lives in ``_netsocket.py``) — and each public
  method and property of those classes;
* every name in an ``__all__`` exists;
* no import cycle among nodenet's modules, counting every import — at module
  top, inside functions, and type-only ones under ``TYPE_CHECKING``;
* every module belongs to one of the layers of ``docs/design.md`` and imports
  only from its own layer or the layers below;
* an import inside a function is allowed only with a comment saying why.

Exit status 1 with a list of problems, 0 when clean.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "nodenet"
PUBLIC_MODULES = ["nodenet", "nodenet.events", "nodenet.timers", "nodenet.dns",
                  "nodenet.errors", "nodenet.stream", "nodenet.tls"]

# docs/design.md's layers, lowest first: a module imports from its layer or below.
LAYERS = {
    "values": ["_jstext", "errors", "_validators", "_args", "_jscall", "_charsets", "_isip",
               "_urlhost", "socketaddress", "blocklist", "_he_plan", "_defaults", "events",
               "_fastpath", "_debug"],
    "loop": ["_watcher", "_selector", "_poller", "_sockopts", "_process", "_loop",
             "_threadpool", "_observe"],
    "runtime": ["timers", "abort", "stream", "dns"],
    "net": ["_handle", "boundsocket", "_happy_eyeballs", "_netsocket", "_netserver"],
    "tls": ["_der", "_x509", "_tlswire", "_tlsdefaults", "_tlserrors", "_tlsidentity",
            "_tlsverify", "_tlscontext", "_tlskeylog", "_tlshandle", "_tlssocket", "_tlsserver",
            "tls"],
    "entry": ["__init__", "__main__"],
}

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
            problems.append(f"{path.relative_to(ROOT)}: shadows the stdlib module "
                            f"'{stem.lstrip('_')}'")
    return problems


def module_docstrings() -> List[str]:
    return [f"{path.relative_to(ROOT)}: module has no docstring"
            for path in sorted(PACKAGE.glob("*.py"))
            if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None]


def _public_objects() -> Iterator[Any]:
    sys.path.insert(0, str(ROOT))
    for name in PUBLIC_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:      # a module not written yet (tls) is not a problem here
            continue
        for attr in getattr(module, "__all__", ()):
            if hasattr(module, attr):
                yield f"{name}.{attr}", getattr(module, attr)


def object_docstrings() -> List[str]:
    """Docstrings of the public objects, found by walking the public modules."""
    problems: List[str] = []
    seen: Set[int] = set()
    for where, obj in _public_objects():
        if id(obj) in seen or inspect.ismodule(obj):
            continue
        seen.add(id(obj))
        if not getattr(obj, "__module__", "").startswith("nodenet"):
            continue            # constants, stdlib re-exports
        if inspect.isclass(obj) or inspect.isfunction(obj):
            if not inspect.getdoc(obj):
                problems.append(f"{where} ({obj.__module__}) has no docstring")
        if not inspect.isclass(obj):
            continue
        for attr, member in vars(obj).items():
            if attr.startswith("_"):
                continue
            target = member.fget if isinstance(member, property) else member
            if isinstance(target, (staticmethod, classmethod)):
                target = target.__func__
            if inspect.isfunction(target) and not target.__doc__:
                problems.append(f"{where}.{attr} ({obj.__module__}) has no docstring")
    return problems


def exports() -> List[str]:
    problems = []
    sys.path.insert(0, str(ROOT))
    for name in PUBLIC_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        problems += [f"{name}.__all__ names a missing '{attr}'"
                     for attr in getattr(module, "__all__", ()) if not hasattr(module, attr)]
    return problems


def _imports(tree: ast.Module, modules: Set[str]) -> Iterator[ast.ImportFrom]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            yield node


def import_graph() -> Dict[str, Dict[str, int]]:
    """module -> {module it imports: line}, for every relative import anywhere."""
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    graph: Dict[str, Dict[str, int]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        edges: Dict[str, int] = {}
        for node in _imports(ast.parse(path.read_text(encoding="utf-8")), modules):
            targets = [node.module] if node.module else [a.name for a in node.names]
            for target in targets:
                target = target.split(".")[0]
                if target in modules and target != path.stem:
                    edges.setdefault(target, node.lineno)
        graph[path.stem] = edges
    return graph


def import_cycles() -> List[str]:
    """Tarjan's strongly connected components of the import graph."""
    graph = import_graph()
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    cycles: List[List[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    problems = []
    for component in cycles:
        edges = ", ".join(f"{a} -> {b} (line {line})" for a in component
                          for b, line in graph[a].items() if b in component)
        problems.append(f"import cycle among {', '.join(component)}: {edges}")
    return problems


def layering() -> List[str]:
    """Each module in one layer, importing nothing from a layer above its own."""
    rank = {m: i for i, names in enumerate(LAYERS.values()) for m in names}
    layer_of = {m: name for name, names in LAYERS.items() for m in names}
    problems = []
    for module, edges in import_graph().items():
        if module not in rank:
            problems.append(f"nodenet/{module}.py is in no layer (docs/design.md, "
                            "tools/check_project.py LAYERS)")
            continue
        for target, line in edges.items():
            if target in rank and rank[target] > rank[module]:
                problems.append(f"nodenet/{module}.py:{line}: the {layer_of[module]} layer "
                                f"imports {target} of the {layer_of[target]} layer above it")
    return problems


def late_imports() -> List[str]:
    """An import inside a function needs a comment (on its line or the one above)."""
    problems = []
    for path in sorted(PACKAGE.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    here = lines[inner.lineno - 1]
                    above = lines[inner.lineno - 2] if inner.lineno > 1 else ""
                    if "#" not in here and not above.strip().startswith("#"):
                        problems.append(f"{path.relative_to(ROOT)}:{inner.lineno}: import "
                                        "inside a function without a comment saying why")
    return problems


def main() -> int:
    problems = (module_names() + module_docstrings() + object_docstrings() + exports()
                + import_cycles() + layering() + late_imports())
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("project checks: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
