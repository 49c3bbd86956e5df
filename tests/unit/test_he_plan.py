"""The Happy Eyeballs planner (``nodenet._he_plan``), table by table, no loop.

Node's ``lookupAndConnectMultiple`` (v20) keeps an answer only when its address
is an IP and its family is the number 4 or 6, tries each address string once
per family, puts the family of the first *valid* answer first, alternates one
for one and appends the leftovers of the longer family in their order. The
S11/S12/S13 rows are the orders recorded from real Node v20.20 in
../shared/reference/happy-eyeballs.md §4.2.
"""

from __future__ import annotations

import types
from collections import OrderedDict
from typing import Any, List, Tuple

import pytest

from nodenet._he_plan import answer_fields, plan_attempts

A = Tuple[Any, Any]


def plan(*answers: A) -> List[Tuple[str, int]]:
    return plan_attempts(list(answers))


# (id, answers, expected attempt order)
PLAN_TABLE: List[Tuple[str, List[A], List[Tuple[str, int]]]] = [
    ("empty", [], []),
    ("single v4", [("127.0.0.1", 4)], [("127.0.0.1", 4)]),
    ("single v6", [("::1", 6)], [("::1", 6)]),
    ("v6 then v4", [("::1", 6), ("127.0.0.1", 4)], [("::1", 6), ("127.0.0.1", 4)]),
    ("v4 then v6", [("127.0.0.1", 4), ("::1", 6)], [("127.0.0.1", 4), ("::1", 6)]),
    # S11: six answers, v6 first; the four multicast ones interleave before ::1
    ("S11 interleave v6 first",
     [("ff02::1", 6), ("ff02::2", 6), ("::1", 6),
      ("224.0.0.1", 4), ("224.0.0.2", 4), ("127.0.0.1", 4)],
     [("ff02::1", 6), ("224.0.0.1", 4), ("ff02::2", 6), ("224.0.0.2", 4),
      ("::1", 6), ("127.0.0.1", 4)]),
    # S12: v4 first, then the uneven variant (leftover v4 addresses appended in order)
    ("S12 v4 first",
     [("127.0.0.3", 4), ("127.0.0.4", 4), ("::1", 6)],
     [("127.0.0.3", 4), ("::1", 6), ("127.0.0.4", 4)]),
    ("S12 uneven",
     [("127.0.0.2", 4), ("127.0.0.3", 4), ("127.0.0.4", 4), ("::1", 6)],
     [("127.0.0.2", 4), ("::1", 6), ("127.0.0.3", 4), ("127.0.0.4", 4)]),
    # S13: duplicates and invalid entries are dropped
    ("S13 dedupe and invalid",
     [("127.0.0.1", 4), ("127.0.0.1", 4), ("::1", 6), ("::1", 6),
      ("bogus", 4), ("10.0.0.1", 5)],
     [("127.0.0.1", 4), ("::1", 6)]),
    ("leftover v6 appended in order",
     [("::1", 6), ("::2", 6), ("10.0.0.1", 4), ("::3", 6), ("::4", 6)],
     [("::1", 6), ("10.0.0.1", 4), ("::2", 6), ("::3", 6), ("::4", 6)]),
    ("families mixed in the raw order",
     [("10.0.0.1", 4), ("::1", 6), ("10.0.0.2", 4), ("::2", 6), ("::3", 6), ("10.0.0.3", 4)],
     [("10.0.0.1", 4), ("::1", 6), ("10.0.0.2", 4), ("::2", 6), ("10.0.0.3", 4), ("::3", 6)]),
    ("only one family keeps its order",
     [("10.0.0.3", 4), ("10.0.0.1", 4), ("10.0.0.2", 4)],
     [("10.0.0.3", 4), ("10.0.0.1", 4), ("10.0.0.2", 4)]),
    # the first VALID answer decides which family goes first
    ("first answer invalid (bad ip) does not pick the family",
     [("bogus", 6), ("127.0.0.1", 4), ("::1", 6)],
     [("127.0.0.1", 4), ("::1", 6)]),
    ("first answer invalid (string family) does not pick the family",
     [("::1", "IPv6"), ("127.0.0.1", 4), ("::2", 6)],
     [("127.0.0.1", 4), ("::2", 6)]),
    ("first answer invalid (family 5) does not pick the family",
     [("127.0.0.9", 5), ("::1", 6), ("127.0.0.1", 4)],
     [("::1", 6), ("127.0.0.1", 4)]),
    # invalid families: strings, other numbers, None, bool
    ("string family 'IPv4' dropped", [("127.0.0.1", "IPv4"), ("::1", 6)], [("::1", 6)]),
    ("string family '4' dropped", [("127.0.0.1", "4"), ("::1", 6)], [("::1", 6)]),
    ("family 5 dropped", [("10.0.0.1", 5), ("127.0.0.1", 4)], [("127.0.0.1", 4)]),
    ("family 0 dropped", [("10.0.0.1", 0), ("127.0.0.1", 4)], [("127.0.0.1", 4)]),
    ("family None dropped", [("10.0.0.1", None), ("::1", 6)], [("::1", 6)]),
    ("family True dropped", [("10.0.0.1", True), ("::1", 6)], [("::1", 6)]),
    # invalid addresses: non-IP strings and non-strings
    ("non-IP strings dropped",
     [("bogus", 4), ("example.org", 6), ("", 4), ("127.0.0.256", 4), ("1.2.3", 4),
      ("::1", 6)],
     [("::1", 6)]),
    ("non-string addresses dropped",
     [(None, 4), (2130706433, 4), (b"127.0.0.1", 4), (["::1"], 6), ("127.0.0.1", 4)],
     [("127.0.0.1", 4)]),
    ("bracketed v6 is not an IP", [("[::1]", 6), ("127.0.0.1", 4)], [("127.0.0.1", 4)]),
    ("all invalid", [("bogus", 4), ("127.0.0.1", "IPv4"), ("10.0.0.1", 5)], []),
    # de-duplication is per family and by exact string
    ("duplicates keep the first position",
     [("10.0.0.1", 4), ("10.0.0.2", 4), ("10.0.0.1", 4), ("::1", 6), ("::1", 6), ("::2", 6)],
     [("10.0.0.1", 4), ("::1", 6), ("10.0.0.2", 4), ("::2", 6)]),
    ("mapped v6 and v4 are different addresses",
     [("::ffff:127.0.0.1", 6), ("127.0.0.1", 4)],
     [("::ffff:127.0.0.1", 6), ("127.0.0.1", 4)]),
    ("different spellings are different strings",
     [("::1", 6), ("0:0:0:0:0:0:0:1", 6), ("127.0.0.1", 4)],
     [("::1", 6), ("127.0.0.1", 4), ("0:0:0:0:0:0:0:1", 6)]),
    # Node does not check the family against the address's own type
    ("family taken as given, same string in both families",
     [("127.0.0.1", 6), ("127.0.0.1", 4)],
     [("127.0.0.1", 6), ("127.0.0.1", 4)]),
    ("scoped v6 literal is an IP", [("fe80::1%lo", 6), ("127.0.0.1", 4)],
     [("fe80::1%lo", 6), ("127.0.0.1", 4)]),
]


@pytest.mark.parametrize("answers, expected", [(a, e) for _n, a, e in PLAN_TABLE],
                         ids=[n for n, _a, _e in PLAN_TABLE])
def test_plan_attempts(answers: List[A], expected: List[Tuple[str, int]]) -> None:
    assert plan_attempts(answers) == expected


def test_plan_attempts_accepts_any_sequence_and_does_not_mutate() -> None:
    answers = (("::1", 6), ("127.0.0.1", 4), ("::1", 6))
    assert plan_attempts(answers) == [("::1", 6), ("127.0.0.1", 4)]
    assert answers == (("::1", 6), ("127.0.0.1", 4), ("::1", 6))
    as_list = [("127.0.0.1", 4), ("127.0.0.1", 4)]
    assert plan_attempts(as_list) == [("127.0.0.1", 4)]
    assert as_list == [("127.0.0.1", 4), ("127.0.0.1", 4)]


def test_plan_attempts_result_is_a_fresh_list() -> None:
    first = plan(("::1", 6), ("127.0.0.1", 4))
    first.append(("x", 4))
    assert plan(("::1", 6), ("127.0.0.1", 4)) == [("::1", 6), ("127.0.0.1", 4)]


def test_families_in_result_are_the_ints_given() -> None:
    for address, family in plan(("::1", 6), ("127.0.0.1", 4)):
        assert type(family) is int


def test_long_interleave() -> None:
    v6 = [(f"2001:db8::{i}", 6) for i in range(1, 6)]
    v4 = [(f"192.0.2.{i}", 4) for i in range(1, 3)]
    got = plan_attempts(v6 + v4)
    assert got == [v6[0], v4[0], v6[1], v4[1], v6[2], v6[3], v6[4]]
    got = plan_attempts(v4 + v6)
    assert got == [v4[0], v6[0], v4[1], v6[1], v6[2], v6[3], v6[4]]


# ---------------------------------------------------------------------- answer_fields

FIELDS_TABLE: List[Tuple[str, Any, A]] = [
    ("dict", {"address": "127.0.0.1", "family": 4}, ("127.0.0.1", 4)),
    ("extra keys ignored", {"address": "::1", "family": 6, "ttl": 3}, ("::1", 6)),
    ("string family passed through", {"address": "127.0.0.1", "family": "IPv4"},
     ("127.0.0.1", "IPv4")),
    ("missing family", {"address": "127.0.0.1"}, ("127.0.0.1", None)),
    ("missing address", {"family": 4}, (None, 4)),
    ("empty dict", {}, (None, None)),
    ("ordered dict", OrderedDict([("family", 6), ("address", "::1")]), ("::1", 6)),
    ("mapping proxy", types.MappingProxyType({"address": "::1", "family": 6}), ("::1", 6)),
    ("None", None, (None, None)),
    ("string", "127.0.0.1", (None, None)),
    ("tuple", ("127.0.0.1", 4), (None, None)),
    ("list", ["127.0.0.1", 4], (None, None)),
    ("int", 4, (None, None)),
]


@pytest.mark.parametrize("entry, expected", [(e, x) for _n, e, x in FIELDS_TABLE],
                         ids=[n for n, _e, _x in FIELDS_TABLE])
def test_answer_fields(entry: Any, expected: A) -> None:
    assert answer_fields(entry) == expected


def test_non_mapping_entries_are_dropped_from_the_plan() -> None:
    raw = [None, "::1", ("127.0.0.1", 4), {"address": "::1", "family": 6},
           42, {"address": "127.0.0.1", "family": 4}]
    assert plan_attempts([answer_fields(e) for e in raw]) == [("::1", 6), ("127.0.0.1", 4)]


def test_s13_raw_answers_through_both_functions() -> None:
    raw = [{"address": "127.0.0.1", "family": 4}, {"address": "127.0.0.1", "family": 4},
           {"address": "::1", "family": 6}, {"address": "::1", "family": 6},
           {"address": "bogus", "family": 4}, {"address": "10.0.0.1", "family": 5}]
    fields = [answer_fields(e) for e in raw]
    assert len(fields) == 6        # every raw answer still gets its 'lookup' event
    assert plan_attempts(fields) == [("127.0.0.1", 4), ("::1", 6)]
