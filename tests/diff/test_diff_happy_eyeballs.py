"""Differential: every Happy Eyeballs scenario of the reference harness, run
through real Node (``trace.js``) and through nodenet (``he_trace.py``, its
Python twin), on the harness's own loopback fixtures (``fixture.py``).

Compared exactly: the outcome, ``autoSelectFamilyAttemptedAddresses``, the
options the custom lookup received, and every event with its arguments, in
order. Event times must agree within ±80 ms; as a loaded machine can hold up
either process's timers by more than that, a scenario whose times (and nothing
else) differ is run again, up to three runs in all (see TIMING_TRIES). A synchronous throw from ``connect()`` is compared by error class and
code, and by message after mapping nodenet's Python spellings back to Node's
(snake_case option names, Python type names).

Three scenarios are Node crashes or event losses that nodenet deliberately does
not reproduce (reference §0.6, nodenet/_happy_eyeballs.py docstring); for them
nodenet's documented behaviour is asserted instead.

Each scenario runs against Node 26 and Node 20 (tests/nodes.py). They differ in
one thing here: the default attempt timeout (Node 20: 250 ms; Node 26: 500 ms,
since v25.2). Against Node 20, nodenet runs with Node 20's default, so every
scenario that leaves the timeout at its default still compares event by event,
and ``defaultTimeout`` names the difference.

Node scenarios run one at a time. The whole module takes about two minutes.
"""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any, Dict, List

import pytest

import nodenet as net
import nodes
from conftest import HAS_IPV6
from nodenet import dns
from he_trace import FIXTURE, HARNESS, trace_scenario
from support import run

TRACE_JS = HARNESS / "trace.js"
TOL = 80
# A timer fires late when its process is held up (a loaded 2-core machine: the
# N6 timeout once came 83 ms late in Node), never early. A real difference in
# when nodenet acts (a wrong or unclamped attempt timeout, a timer that does not
# accumulate) is there in every run; a stall does not come back three times. So
# a run whose only difference is the timing is repeated, both sides, and one run
# in TIMING_TRIES must agree within TOL; the events, their order and arguments,
# the outcome and the attempted addresses must agree in every run.
TIMING_TRIES = 3
LATE = 250        # how late a timer may fire here (nodenet-only checks below)

pytestmark = [
    pytest.mark.node,
    pytest.mark.slow,
    pytest.mark.skipif(not TRACE_JS.exists() or not FIXTURE.exists(),
                       reason=f"the harness is not at {HARNESS}"),
]


def _load() -> List[Dict[str, Any]]:
    scenarios: List[Dict[str, Any]] = []
    for name in ("scenarios.json", "scen2.json"):
        path = HARNESS / name
        if path.exists():
            scenarios.extend(json.loads(path.read_text()))
    return scenarios


SCENARIOS = _load()
BY_NAME = {sc["name"]: sc for sc in SCENARIOS}

# Node (20 and 26.12 alike) crashes or loses events here; nodenet's behaviour is
# asserted instead.
EMPTY_ANSWER = "N13c empty-answer"
DESTROY_IN_ATTEMPT = "N18b destroy-in-attempt2"
SYNC_LOOKUP = "N21 sync-lookup"
DIFFERENCES = {EMPTY_ANSWER, DESTROY_IN_ATTEMPT, SYNC_LOOKUP}


def _uses_ipv6(sc: Dict[str, Any]) -> bool:
    texts = list(sc.get("fixture") or []) + [str(a.get("address")) for a in
                                             sc.get("answers") or []]
    return any(":" in t.split("=")[0] for t in texts)


def _needs_internet(sc: Dict[str, Any]) -> bool:
    import ipaddress
    if sc.get("answers") is not None:
        return False
    try:
        ipaddress.ip_address(sc.get("host") or "example.org")
        return False
    except ValueError:
        return True


def node_trace(sc: Dict[str, Any]) -> Dict[str, Any]:
    proc = subprocess.run([nodes.current(), str(TRACE_JS), json.dumps(sc)], capture_output=True,
                          text=True, timeout=30, cwd=str(HARNESS))
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, f"trace.js printed nothing: {proc.stderr}"
    result: Dict[str, Any] = json.loads(lines[-1])
    result.pop("node", None)
    return result


NODE20_DEFAULT_TIMEOUT = 250
"""Node 20's default attempt timeout; v25.2 raised it to 500 (nodenet follows)."""


def nodenet_trace(sc: Dict[str, Any]) -> Dict[str, Any]:
    if nodes.current_major() == "20":
        net.set_default_auto_select_family_attempt_timeout(NODE20_DEFAULT_TIMEOUT)
    budget = (sc.get("observeMs") or 3000) / 1000 + (sc.get("afterMs") or 400) / 1000 + 10
    return trace_scenario(sc, run=lambda main: run(main, timeout=budget))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)


_PY_TYPES = {"str": "string", "int": "number", "float": "number", "bool": "boolean"}


def js_message(text: str) -> str:
    """nodenet's message with Node's spellings: option names, JS type names."""
    text = re.sub(r'"options\.([a-z_]+)"', lambda m: f'"options.{_camel(m.group(1))}"', text)
    return re.sub(r"type (str|int|float|bool) \(",
                  lambda m: f"type {_PY_TYPES[m.group(1)]} (", text)


def compare(mine: Dict[str, Any], theirs: Dict[str, Any]) -> None:
    if "threw" in theirs or "threw" in mine:
        assert "threw" in mine and "threw" in theirs, (mine, theirs)
        my_kind, my_code, my_msg = mine["threw"].split(" ", 2)
        js_kind, js_code, js_msg = theirs["threw"].split(" ", 2)
        assert (my_kind, my_code) == (js_kind, js_code)
        assert js_message(my_msg) == js_msg
        return
    assert "uncaught" not in mine, mine
    assert "uncaught" not in theirs, theirs
    assert mine["outcome"] == theirs["outcome"]
    assert mine.get("attempted") == theirs.get("attempted")
    assert mine["lookupOpts"] == theirs["lookupOpts"]
    assert mine["defaultTimeout"] == theirs["defaultTimeout"]
    assert [e[1:] for e in mine["events"]] == [e[1:] for e in theirs["events"]]


def timing_differences(mine: Dict[str, Any], theirs: Dict[str, Any]) -> List[Any]:
    """The events (and the end of the observation) whose times differ by more than TOL."""
    if "threw" in theirs:
        return []
    late: List[Any] = [(m, n) for m, n in zip(mine["events"], theirs["events"])
                       if abs(m[0] - n[0]) > TOL]
    if abs(mine["at"] - theirs["at"]) > TOL:
        late.append(("at", mine["at"], theirs["at"]))
    return late


# N9b frees its last address at 500 ms, written for Node 20's 250 ms default: with
# Node 26's 500 ms the second attempt and the free coincide, and which comes first
# decides between a connect at ~0.5 s and one at the SYN retransmit (~1.5 s). Both
# sides run it with the timeout the scenario was written for.
PINNED_TIMEOUT = {"N9b last-attempt-freed": 250}


def _pinned(sc: Dict[str, Any]) -> Dict[str, Any]:
    timeout = PINNED_TIMEOUT.get(sc["name"])
    if timeout is None:
        return sc
    return dict(sc, opts=dict(sc.get("opts") or {}, autoSelectFamilyAttemptTimeout=timeout))


COMPARED = [_pinned(sc) for sc in SCENARIOS if sc["name"] not in DIFFERENCES]


@pytest.mark.parametrize("sc", COMPARED, ids=[sc["name"] for sc in COMPARED])
def test_same_as_node(sc: Dict[str, Any]) -> None:
    if _needs_internet(sc):
        pytest.skip("needs a real DNS lookup")
    if _uses_ipv6(sc) and not HAS_IPV6:
        pytest.skip("no IPv6 loopback")
    for _ in range(TIMING_TRIES):
        theirs = node_trace(sc)
        mine = nodenet_trace(sc)
        compare(mine, theirs)
        late = timing_differences(mine, theirs)
        if not late:
            break
    else:
        raise AssertionError(f"event times differ by more than {TOL} ms in "
                             f"{TIMING_TRIES} runs; the last: {late}")
    if "threw" not in theirs:
        assert theirs["defaultTimeout"] == {"26": 500, "20": NODE20_DEFAULT_TIMEOUT}[
            nodes.current_major()]


# ---------------------------------------------------------------------- deliberate differences

def _scenario(name: str) -> Dict[str, Any]:
    if name not in BY_NAME:
        pytest.skip(f"scenario {name} is not in the harness")
    return BY_NAME[name]


def test_empty_answer_is_not_found_where_node_crashes() -> None:
    sc = _scenario(EMPTY_ANSWER)
    theirs = node_trace(sc)
    assert "Cannot destructure property 'address'" in theirs.get("uncaught", ""), theirs
    mine = nodenet_trace(sc)
    assert mine["outcome"] == "error"
    assert mine["lookupOpts"] == {"hints": dns.ADDRCONFIG, "all": True}
    assert mine.get("attempted") is None
    assert [e[1:] for e in mine["events"]] == [
        ["error", "Error", "ENOTFOUND", "getaddrinfo ENOTFOUND example.org"],
        ["close", True]]


def test_destroy_inside_connection_attempt_stops_cleanly_where_node_crashes() -> None:
    sc = _scenario(DESTROY_IN_ATTEMPT)
    if not HAS_IPV6:
        pytest.skip("no IPv6 loopback")
    theirs = node_trace(sc)
    assert "Cannot read properties of null" in theirs.get("uncaught", ""), theirs
    mine = nodenet_trace(sc)
    assert "uncaught" not in mine
    assert mine["outcome"] == "still-connecting"
    assert [e[1:] for e in mine["events"]] == [
        ["lookup", None, "::ffff:127.0.0.2", 6, "example.org"],
        ["lookup", None, "127.0.0.3", 4, "example.org"],
        ["lookup", None, "127.0.0.1", 4, "example.org"],
        ["attempt", "::ffff:127.0.0.2:P", 6],
        ["timeout", "::ffff:127.0.0.2:P", 6],
        ["attempt", "127.0.0.3:P", 4],          # destroyed inside this listener
        ["close", False]]                        # and nothing after it
    times = {e[1]: e[0] for e in mine["events"]}
    assert 100 - TOL <= times["timeout"] <= 100 + LATE    # a timer may be late under load
    # destroyed before its connect was issued, so it is not listed (Node lists an
    # address after emitting 'connectionAttempt', just before crashing)
    assert mine["attempted"] == ["::ffff:127.0.0.2:P"]


def test_sync_lookup_loses_no_events() -> None:
    """Node emits the 'lookup' events and the first attempt inside connect(), before
    trace.js attaches its listeners; nodenet defers them, so the listeners see all.
    The events Node did deliver are the tail of nodenet's."""
    sc = _scenario(SYNC_LOOKUP)
    if not HAS_IPV6:
        pytest.skip("no IPv6 loopback")
    theirs = node_trace(sc)
    mine = nodenet_trace(sc)
    head = [e[1:] for e in mine["events"][:3]]
    assert head == [["lookup", None, "::1", 6, "example.org"],
                    ["lookup", None, "127.0.0.1", 4, "example.org"],
                    ["attempt", "::1:P", 6]]
    assert [e[1:] for e in mine["events"][3:]] == [e[1:] for e in theirs["events"]]
    assert [e[1:] for e in theirs["events"]][0] == ["failed", "::1:P", 6, "ECONNREFUSED"]
    assert mine["outcome"] == theirs["outcome"] == "connected"
    assert mine["attempted"] == theirs["attempted"]
    assert mine["lookupOpts"] == theirs["lookupOpts"]
