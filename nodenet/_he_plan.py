"""Happy Eyeballs planning: which addresses to try, in which order (pure).

Node: net.md § "socket.connect(options[, connectListener])", option
``autoSelectFamily`` (Node 26), as ``lookupAndConnectMultiple`` implements it:

* every answer is kept only if its address is an IP and its family is the
  *number* 4 or 6 (a string ``'IPv4'`` from a custom lookup is dropped);
* the same address string is tried once per family;
* the family of the first valid answer goes first, then the families alternate
  one for one, and the leftovers of the longer family follow in order;
* with no valid answer, the first raw answer decides the error.

No sorting by RFC 6724 and no "first address family count": Node has neither.
This module imports nothing from the loop; ``tests/unit/test_he_plan.py`` drives
it with tables.
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence, Tuple

from ._isip import is_ip

__all__ = ("Answer", "plan_attempts", "answer_fields")

#: One lookup answer as (address, family): family is whatever the lookup gave.
Answer = Tuple[Any, Any]


def answer_fields(entry: Any) -> Answer:
    """(address, family) of one lookup answer (a mapping; anything else is invalid)."""
    if isinstance(entry, Mapping):
        return entry.get("address"), entry.get("family")
    return None, None


def _valid(address: Any, family: Any) -> bool:
    return (isinstance(address, str) and is_ip(address) != 0
            and type(family) is int and family in (4, 6))


def plan_attempts(answers: Sequence[Answer]) -> List[Tuple[str, int]]:
    """The attempt order for ``answers``: filtered, de-duplicated, interleaved."""
    groups: List[List[Tuple[str, int]]] = [[], []]
    seen: List[set] = [set(), set()]  # type: ignore[type-arg]
    first: Optional[int] = None
    for address, family in answers:
        if not _valid(address, family):
            continue
        if first is None:
            first = family
        slot = 0 if family == first else 1
        if address not in seen[slot]:
            seen[slot].add(address)
            groups[slot].append((address, family))
    ordered: List[Tuple[str, int]] = []
    for i in range(max(len(groups[0]), len(groups[1]))):
        if i < len(groups[0]):
            ordered.append(groups[0][i])
        if i < len(groups[1]):
            ordered.append(groups[1][i])
    return ordered
