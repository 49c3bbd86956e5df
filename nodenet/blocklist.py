"""``BlockList``: rules that block IP addresses, ranges and subnets.

Node: net.md § "Class: ``net.BlockList``" (v20), plus ``BlockList.isBlockList()``,
``blockList.toJSON()`` and ``blockList.fromJSON()`` from later versions. Pure: no
sockets, no event loop. The server/socket ``block_list`` options use
:meth:`BlockList.check`.

How matching works (Node's C++ ``SocketAddressBlockList``, reproduced exactly):
every rule is an interval of addresses. IPv4 rules also match the IPv4-mapped IPv6
form (``::ffff:a.b.c.d``) of their addresses, and IPv6 rules over mapped addresses
match the plain IPv4 addresses, with one asymmetry kept from Node: an IPv6 *range*
matches an IPv4 address only when both of its ends are IPv4-mapped (Node cannot
compare an unmapped IPv6 end with an IPv4 address), while an IPv6 *subnet* matches
the IPv4 addresses whose mapped form lies inside it (``::/64`` matches every IPv4
address). So each rule is stored as up to two integer intervals, one checked
against IPv4 addresses (32-bit values) and one against IPv6 addresses (128-bit
values). Each family's intervals are sorted and merged lazily, on the first
:meth:`~BlockList.check` after a change, so a check is one binary search.
"""

from __future__ import annotations

import bisect
import json
import re
import threading
from typing import Any, List, Optional, Sequence, Tuple

from ._isip import IPV4_MAPPED
from ._validators import validate_int32, validate_string
from .errors import ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE
from .socketaddress import SocketAddress, parse_ip

__all__ = ("BlockList",)

_MAPPED_LO = IPV4_MAPPED                # ::ffff:0.0.0.0
_MAPPED_HI = IPV4_MAPPED | 0xFFFFFFFF   # ::ffff:255.255.255.255
_BITS = {"ipv4": 32, "ipv6": 128}
_LABEL = {"ipv4": "IPv4", "ipv6": "IPv6"}

_Interval = Tuple[int, int]
_Index = Tuple[List[int], List[int]]     # merged interval starts, ends

# fromJSON entry formats (Node's rule strings; searched, not anchored, as Node does).
_V4 = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}"
_V6 = r"[0-9a-fA-F:.]+"
_FROM_JSON_V4 = (
    ("subnet", re.compile(rf"Subnet: IPv4 ({_V4})/([0-9]{{1,2}})")),
    ("address", re.compile(rf"Address: IPv4 ({_V4})")),
    ("range", re.compile(rf"Range: IPv4 ({_V4})-({_V4})")),
)
_FROM_JSON_V6 = (
    ("subnet", re.compile(rf"Subnet: IPv6 ({_V6})/([0-9]{{1,3}})", re.IGNORECASE)),
    ("address", re.compile(rf"Address: IPv6 ({_V6})", re.IGNORECASE)),
    ("range", re.compile(rf"Range: IPv6 ({_V6})-({_V6})", re.IGNORECASE)),
)


class _InvalidJSON(json.JSONDecodeError):
    """``from_json``'s malformed JSON: a JSONDecodeError with a Node code."""

    code = "ERR_INVALID_ARG_VALUE"

    def __init__(self, exc: json.JSONDecodeError, data: str) -> None:
        super().__init__(f"The argument 'data' is not valid JSON: {exc.msg}", exc.doc, exc.pos)


def _wide(family: str, value: int) -> int:
    """The 128-bit form of an address: IPv4 ``x`` becomes ``::ffff:x``."""
    return IPV4_MAPPED | value if family == "ipv4" else value


def _narrow(lo: int, hi: int) -> Optional[_Interval]:
    """The IPv4 addresses whose mapped form lies in the 128-bit ``[lo, hi]``."""
    lo, hi = max(lo, _MAPPED_LO), min(hi, _MAPPED_HI)
    return (lo - IPV4_MAPPED, hi - IPV4_MAPPED) if lo <= hi else None


def _build(intervals: Sequence[_Interval]) -> _Index:
    """Sort and merge overlapping or adjacent intervals."""
    starts: List[int] = []
    ends: List[int] = []
    for lo, hi in sorted(intervals):
        if ends and lo <= ends[-1] + 1:
            if hi > ends[-1]:
                ends[-1] = hi
        else:
            starts.append(lo)
            ends.append(hi)
    return starts, ends


def _family_arg(family: Any) -> str:
    """Node's ``validateString(family, 'family')``; ``None`` means the default."""
    if family is None:
        return "ipv4"
    return validate_string(family, "family")


def _endpoint(value: Any, family: Any, name: str) -> SocketAddress:
    """A rule's address argument: a SocketAddress as is, else a validated string."""
    if isinstance(value, SocketAddress):
        return value
    validate_string(value, name)
    return SocketAddress(address=value, family=_family_arg(family))


class BlockList:
    """A set of rules for blocking IP addresses. Thread-safe.

    Node: net.md § "Class: ``net.BlockList``" (v20). Methods take the address as a
    ``str`` or a :class:`SocketAddress` (whose family then wins) and a ``family``
    of ``'ipv4'`` (default) or ``'ipv6'``, case-insensitive.

    Errors, in Node's order: a non-string address (ERR_INVALID_ARG_TYPE, named
    ``address``/``start``/``end``/``network``), a non-string family
    (ERR_INVALID_ARG_TYPE ``family``), a family other than ipv4/ipv6
    (ERR_INVALID_ARG_VALUE ``options.family``), an address that does not parse
    for the family (ERR_INVALID_ADDRESS), then the rule's own checks.
    ``None`` for ``family`` means the default (Node's ``undefined``; Node's
    ``null`` has no Python counterpart). ``end`` and ``prefix`` default to
    ``None`` only so that leaving them out raises Node's error
    (ERR_INVALID_ARG_TYPE) rather than Python's.

    ``check`` is O(log n) in the number of rules; adding is O(1), and the first
    check after adds re-sorts the rules (O(n log n)).
    """

    def __init__(self) -> None:
        self._rules: List[str] = []                 # insertion order
        self._intervals: Tuple[List[_Interval], List[_Interval]] = ([], [])   # v4, v6
        self._index: List[Optional[_Index]] = [None, None]
        self._lock = threading.Lock()

    # -- adding rules ---------------------------------------------------------------

    def _add(self, rule: str, wide: _Interval, narrow: Optional[_Interval]) -> None:
        """Record ``rule``: IPv6 values in ``wide`` and IPv4 values in ``narrow`` match."""
        with self._lock:
            self._rules.append(rule)
            if narrow is not None:
                self._intervals[0].append(narrow)
                self._index[0] = None
            if wide[0] <= wide[1]:
                self._intervals[1].append(wide)
                self._index[1] = None

    def add_address(self, address: Any, family: Any = "ipv4") -> None:
        """Block one IP address.

        Node: net.md § ``blockList.addAddress(address[, type])`` (v20). The rule
        also matches the address's other form: ``1.2.3.4`` blocks
        ``::ffff:1.2.3.4`` and vice versa.
        """
        sa = _endpoint(address, family, "address")
        value = _wide(sa.family, sa._value)
        self._add(f"Address: {_LABEL[sa.family]} {sa.address}", (value, value),
                  _narrow(value, value))

    def add_range(self, start: Any, end: Any = None, family: Any = "ipv4") -> None:
        """Block the addresses from ``start`` to ``end``, both included.

        Node: net.md § ``blockList.addRange(start, end[, type])`` (v20).
        ERR_INVALID_ARG_VALUE (``'start' ... must come before end``) when
        ``start`` is after ``end``. An IPv6 range also blocks IPv4 addresses
        when both its ends are IPv4-mapped (``::ffff:1.0.0.0-::ffff:2.0.0.0``).
        """
        first = _endpoint(start, family, "start")
        last = _endpoint(end, family, "end")
        lo, hi = _wide(first.family, first._value), _wide(last.family, last._value)
        # Node compares an IPv4 address with an IPv6 one only if that one is mapped.
        v4_ok = all(sa.family == "ipv4" or _MAPPED_LO <= w <= _MAPPED_HI
                    for sa, w in ((first, lo), (last, hi)))
        if (v4_ok or first.family == last.family) and lo > hi:
            raise ERR_INVALID_ARG_VALUE("start", first, "must come before end")
        rule = f"Range: {_LABEL[first.family]} {first.address}-{last.address}"
        v4 = (lo - IPV4_MAPPED, hi - IPV4_MAPPED) if v4_ok and lo <= hi else None
        # IPv6 addresses compare with an IPv4 end only if they are mapped.
        if first.family == "ipv4":
            hi = min(hi, _MAPPED_HI)
        if last.family == "ipv4":
            lo = max(lo, _MAPPED_LO)
        self._add(rule, (lo, hi), v4)

    def add_subnet(self, net: Any, prefix: Any = None, family: Any = "ipv4") -> None:
        """Block the subnet ``net/prefix`` (CIDR).

        Node: net.md § ``blockList.addSubnet(net, prefix[, type])`` (v20).
        ``prefix`` must be an integer, 0-32 for IPv4 and 0-128 for IPv6
        (ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE), checked after the address.
        The rule string keeps ``net`` as given (``Subnet: IPv4 10.1.2.3/8``). An
        IPv6 subnet also blocks the IPv4 addresses whose mapped form is inside it.
        """
        sa = _endpoint(net, family, "network")
        bits = _BITS[sa.family]
        width = validate_int32(prefix, "prefix", 0, bits)
        host_mask = (1 << (bits - width)) - 1
        lo = _wide(sa.family, sa._value & ~host_mask)
        hi = _wide(sa.family, sa._value | host_mask)
        self._add(f"Subnet: {_LABEL[sa.family]} {sa.address}/{width}", (lo, hi),
                  _narrow(lo, hi))

    # -- checking -------------------------------------------------------------------

    def check(self, address: Any, family: Any = "ipv4") -> bool:
        """True if ``address`` matches any rule.

        Node: net.md § ``blockList.check(address[, type])`` (v20). An address that
        does not parse for the family, or an unknown family string, gives
        ``False``; non-string arguments raise ERR_INVALID_ARG_TYPE.
        O(log n) in the number of rules.
        """
        if isinstance(address, SocketAddress):
            name, value = address.family, address._value
        else:
            validate_string(address, "address")
            name = _family_arg(family).lower()
            if name not in _BITS:
                return False
            parsed = parse_ip(address, name)
            if parsed is None:
                return False
            value = parsed
        which = 0 if name == "ipv4" else 1
        index = self._index[which]
        if index is None:
            with self._lock:
                index = self._index[which] = _build(self._intervals[which])
        starts, ends = index
        i = bisect.bisect_right(starts, value) - 1
        return i >= 0 and value <= ends[i]

    # -- introspection and serialisation ---------------------------------------------

    @property
    def rules(self) -> List[str]:
        """The rules as Node's strings, newest first (a new list each time).

        Node: net.md § ``blockList.rules`` (v20): ``'Address: IPv4 1.1.1.1'``,
        ``'Range: IPv4 10.0.0.1-10.0.0.10'``, ``'Subnet: IPv6 8592:757c:efae:4e45::/64'``.
        Addresses are in canonical form. Duplicates are kept, as in Node v20.
        """
        with self._lock:
            return self._rules[::-1]

    def to_json(self) -> List[str]:
        """The same list as :attr:`rules`. Node: ``blockList.toJSON()`` (v23.4)."""
        return self.rules

    def from_json(self, data: Any) -> None:
        """Add the rules in ``data``, a list of rule strings or a JSON string of one.

        Node: ``blockList.fromJSON(data)`` (v23.4). Entries are added in list order
        (so ``rules`` comes back reversed, as in Node); entries that are not rule
        strings are ignored; a rule string with a bad address raises as the
        matching ``add_*`` would. Other ``data`` raises ERR_INVALID_ARG_TYPE;
        malformed JSON raises a :class:`json.JSONDecodeError` that also has the
        code ERR_INVALID_ARG_VALUE (Node's ``JSON.parse`` SyntaxError has none).

        Difference: IPv6 entries may contain a dotted IPv4 tail, so the rules
        Node itself prints (``Address: IPv6 ::ffff:1.2.3.4``) read back intact.
        """
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise _InvalidJSON(exc, data) from None
        if not isinstance(data, (list, tuple)) or not all(isinstance(x, str) for x in data):
            raise ERR_INVALID_ARG_TYPE("data", ["string", "string[]"], data)
        for item in data:
            for family, patterns in (("ipv4", _FROM_JSON_V4), ("ipv6", _FROM_JSON_V6)):
                if _LABEL[family] in item and self._add_json_rule(item, family, patterns):
                    break

    def _add_json_rule(self, item: str, family: str,
                       patterns: Sequence[Tuple[str, "re.Pattern[str]"]]) -> bool:
        for kind, pattern in patterns:
            match = pattern.search(item)
            if match is None:
                continue
            if kind == "subnet":
                self.add_subnet(match.group(1), int(match.group(2)), family)
            elif kind == "address":
                self.add_address(match.group(1), family)
            else:
                self.add_range(match.group(1), match.group(2), family)
            return True
        return False

    @staticmethod
    def is_block_list(value: Any) -> bool:
        """True if ``value`` is a :class:`BlockList`. Node: ``BlockList.isBlockList()`` (v23.4)."""
        return isinstance(value, BlockList)

    def __repr__(self) -> str:
        rules = self.rules
        if not rules:
            return "BlockList { rules: [] }"
        return "BlockList { rules: [ " + ", ".join(f"'{r}'" for r in rules) + " ] }"
