"""The bad-input table, replayed in nodenet and compared with what Node 26 did.

Every public function, method and option (badinput_table.py) is fed None, bools,
negative and huge ints, NaN and the infinities, strings with a NUL or a lone
surrogate, bytes, lists, dicts, plain objects and functions. Node's outcome of
each row (returned, raised with code X, emitted 'error' with code Y, ...) was
recorded from the Node 26 binary by tools/record_bad_input.py into
node26_outcomes.json; here each row runs in nodenet (badinput_ops.py, the
mirror of tools/badinput/runner.js) and must give the same outcome, or one of
the differences listed in KNOWN (each is in docs/compat.md). Whatever the row,
nodenet never raises an exception without a Node ``.code``.
"""

from __future__ import annotations

import json
import re
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import pytest

from badinput_ops import Harness, run_row
from badinput_table import build_table
from nodenet import timers

FIXTURE = json.loads((Path(__file__).parent / "node26_outcomes.json").read_text("utf-8"))
ROWS = build_table()

Outcome = Dict[str, Any]


def _group(row: Dict[str, Any]) -> str:
    row_id = row["id"]
    if row["op"] == "BoundSocket.method":
        return "BoundSocket-members"
    if row_id.startswith("new "):                    # new net.Socket(...), new net.BoundSocket(...)
        return row_id.split("(", 1)[0].replace(" ", "-")
    return re.split(r"[( ]", row_id, 1)[0]


GROUPS: "OrderedDict[str, List[Dict[str, Any]]]" = OrderedDict()
for _row in ROWS:
    GROUPS.setdefault(_group(_row), []).append(_row)


# ---------------------------------------------------------------------- known differences
# (row id matcher, what nodenet does instead, why). Every entry is in docs/compat.md.

def _throws(code: str, kind: str) -> Callable[[Outcome], bool]:
    return lambda py: py["t"] == "throws" and py["code"] == code and py["kind"] == kind


def _coded(py: Outcome) -> bool:
    """Raised an error with a Node code (not a bare Python exception)."""
    return py["t"] == "throws" and py["code"] not in ("nocode", "value")


_UNHASHABLE = r"(\[\]|\[1\]|\{\})"

KNOWN: List[Tuple[Callable[[str, Outcome], bool], Callable[[Outcome], bool], str]] = [
    # Node fails inside its own JavaScript (`dest.on is not a function`, `'port' in 5`,
    # JSON.parse's SyntaxError): an error without a code; nodenet raises one with a code.
    (lambda rid, node: node["t"] == "throws" and node["code"] == "nocode",
     lambda py: _coded(py), "Node's own code fails without an error code"),
    # Node aborts the process (new SocketAddress({flowlabel: 2**31}) hits a C++ assertion).
    (lambda rid, node: node["t"] == "crash",
     lambda py: py["t"] == "ok" or _coded(py), "Node aborts the process"),
    # Event names must be hashable in Python; Node makes any value a property key.
    (lambda rid, node: re.match(rf"^(ee\.\w+|events\.once)\((ee, )?{_UNHASHABLE}[,)]", rid)
     is not None,
     _throws("ERR_INVALID_ARG_TYPE", "TypeError"), "an unhashable event name"),
    # createServer({highWaterMark: 1.5 | NaN | Infinity}): Node accepts it and then throws
    # ERR_INVALID_ARG_VALUE from every accept, killing the process; nodenet raises it at
    # the call.
    (lambda rid, node: re.match(r"^(serve\()?net\.createServer\(\{highWaterMark: "
                                r"(1\.5|nan|inf|10\*\*400)\}\)", rid) is not None,
     _throws("ERR_INVALID_ARG_VALUE", "TypeError"), "a server highWaterMark that is no integer"),
    # SocketAddress('text'): a positional string is the address in nodenet.
    (lambda rid, node: re.match(r"^new net\.SocketAddress\('", rid) is not None,
     lambda py: py["t"] == "ok" or _throws("ERR_INVALID_ADDRESS", "Error")(py),
     "SocketAddress(str) takes the address"),
    # nodenet's AbortSignal is an EventEmitter: a listener is a function. Node's is an
    # EventTarget, which also takes objects (with a handleEvent method, checked later).
    (lambda rid, node: rid.startswith("signal.addEventListener("),
     _throws("ERR_INVALID_ARG_TYPE", "TypeError"), "AbortSignal listeners are functions"),
]


def compare(row: Dict[str, Any], node: Outcome, py: Outcome, raised: Any) -> List[str]:
    """The problems with nodenet's outcome of ``row``: none if it matches Node's."""
    problems = []
    if py["t"] == "throws" and py["code"] in ("nocode", "value"):
        problems.append(f"{row['id']}: raised {raised!r} without a Node code")
    if py != node and not any(applies(row["id"], node) and accepts(py)
                              for applies, accepts, _ in KNOWN):
        problems.append(f"{row['id']}:\n    node 26: {node}\n    nodenet: {py}")
    return problems


# ---------------------------------------------------------------------- the tests


def test_fixture_is_node26_and_covers_the_table() -> None:
    assert FIXTURE["node"].startswith("v26."), FIXTURE["node"]
    ids = [row["id"] for row in ROWS]
    assert set(ids) == set(FIXTURE["rows"]), "re-record: python tools/record_bad_input.py"
    assert len(ids) > 4200


@pytest.mark.parametrize("group", list(GROUPS))
def test_bad_input(group: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)        # listen('x') makes a Unix socket named x
    harness = Harness()
    harness.start()
    problems: List[str] = []
    bad_rows = 0
    try:
        for row in GROUPS[group]:
            if "abstract" in row["id"] and not sys.platform.startswith("linux"):
                continue                 # abstract Unix socket names are Linux's
            if row.get("fresh"):       # Node ran it in a fresh process
                monkeypatch.setattr(timers, "_warned", {"negative": False, "nan": False})
            rec = run_row(row, harness)
            found = compare(row, FIXTURE["rows"][row["id"]], rec.outcome(), rec.raised)
            bad_rows += bool(found)
            problems += found
    finally:
        harness.stop()
    assert not problems, f"{bad_rows} of {len(GROUPS[group])} rows differ:\n" + \
        "\n".join(problems)
