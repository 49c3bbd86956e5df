"""``BlockList``: rules that block IP addresses, ranges and subnets.

Node: net.md § "Class: ``net.BlockList``" as of Node 26.8: ``addAddress``,
``addAddresses``, ``addRange``, ``addSubnet``, ``addCIDR``, ``addCIDRs``, the
``remove*`` methods, ``clear()``, ``size``, ``check``, ``rules``, ``toJSON`` /
``fromJSON``, ``BlockList.isBlockList()`` and ``BlockList.PRIVATE_RANGES``. Pure:
no sockets, no event loop. The server/socket ``block_list`` options use
:meth:`BlockList.check`.

How Node 26 keeps the rules (checked against the 26.12 binary):

* **addresses** form a set keyed by the address with IPv4-mapped IPv6 folded onto
  IPv4: adding ``1.2.3.4`` after ``::ffff:1.2.3.4`` (or the other way round)
  leaves one rule, shown as the latest form; removing either form removes it;
* **subnets** and **ranges** are lists that keep duplicates; removing one takes
  away the newest rule with exactly the same network (as given, not masked) and
  prefix, or the same start and end, of the same family;
* ``rules`` lists the addresses, then the subnets newest first, then the ranges
  newest first.

Difference: Node 26 lists the address rules in the order of its hash table (it
depends on the values and on the table's growth; up to six addresses it is
newest first). nodenet lists them newest first always.

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
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ._isip import IPV4_MAPPED
from ._validators import validate_array, validate_int32, validate_string
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
_V6 = r"[0-9a-fA-F:.]{1,45}"
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
# A CIDR's prefix as Node reads it: parseInt(text, 10) must print back as the text.
_PREFIX = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")
# json.loads on PyPy (7.3) takes a native fast path whose error message for a lone
# surrogate is a broken string (formatting it raises SystemError); the decoder
# object gives the same results and messages on CPython and PyPy.
_JSON = json.JSONDecoder()


class _InvalidJSON(json.JSONDecodeError):
    """``from_json``'s malformed JSON: a JSONDecodeError with a Node code."""

    code = "ERR_INVALID_ARG_VALUE"

    def __init__(self, exc: json.JSONDecodeError, data: str) -> None:
        # concatenated, not an f-string: PyPy 3.9's str.__format__ fails on a lone
        # surrogate in exc.msg (JSON text like '\ud800')
        super().__init__("The argument 'data' is not valid JSON: " + exc.msg, exc.doc, exc.pos)


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


def _subnet_prefix(network: SocketAddress, prefix: Any) -> int:
    """Node's ``validateInt32(prefix, 'prefix', 0, 32 or 128)`` for ``network``'s family."""
    return validate_int32(prefix, "prefix", 0, _BITS[network.family])


def _parse_cidr(cidr: Any) -> Tuple[str, int, str]:
    """``'10.0.0.0/8'`` -> ``('10.0.0.0', 8, 'ipv4')``, as Node 26's ``parseCIDR``.

    The prefix is read like ``parseInt`` and must print back as written (``'08'``,
    ``'+8'`` and ``' 8'`` are refused; ``'-1'`` and ``'99'`` pass here and fail
    the subnet's range check); the family is IPv6 when the address has a colon.
    The address itself is checked when the subnet is added.
    """
    validate_string(cidr, "cidr")
    slash = cidr.rfind("/")
    if slash < 0:
        raise ERR_INVALID_ARG_VALUE(
            "cidr", cidr, 'must contain a prefix length (e.g. "10.0.0.0/8")')
    address, text = cidr[:slash], cidr[slash + 1:]
    prefix = int(text) if _PREFIX.match(text) else None
    # JavaScript numbers: past 2**53 or 1e21 the integer no longer prints back.
    if prefix is None or abs(prefix) >= 10 ** 21 or int(float(prefix)) != prefix:
        raise ERR_INVALID_ARG_VALUE("cidr", cidr, "prefix length must be a valid integer")
    return address, prefix, "ipv6" if ":" in address else "ipv4"


class _Rule:
    """One rule: its text, the intervals it blocks, and what identifies it for removal."""

    __slots__ = ("text", "v4", "v6", "key")

    def __init__(self, text: str, v4: Optional[_Interval], v6: Optional[_Interval],
                 key: Tuple[Any, ...]) -> None:
        self.text = text
        self.v4 = v4        # IPv4 addresses (32-bit values) it matches, if any
        self.v6 = v6        # IPv6 addresses (128-bit values) it matches, if any
        self.key = key


def _address_rule(sa: SocketAddress) -> _Rule:
    value = _wide(sa.family, sa._value)
    return _Rule(f"Address: {_LABEL[sa.family]} {sa.address}", _narrow(value, value),
                 (value, value), (value,))


def _subnet_rule(sa: SocketAddress, width: int) -> _Rule:
    bits = _BITS[sa.family]
    host_mask = (1 << (bits - width)) - 1
    lo = _wide(sa.family, sa._value & ~host_mask)
    hi = _wide(sa.family, sa._value | host_mask)
    return _Rule(f"Subnet: {_LABEL[sa.family]} {sa.address}/{width}", _narrow(lo, hi),
                 (lo, hi), (sa.family, sa._value, width))


def _range_rule(first: SocketAddress, last: SocketAddress) -> Optional[_Rule]:
    """The rule for ``first``-``last``; None when Node refuses it (start after end)."""
    lo, hi = _wide(first.family, first._value), _wide(last.family, last._value)
    # Node compares an IPv4 address with an IPv6 one only if that one is mapped.
    v4_ok = all(sa.family == "ipv4" or _MAPPED_LO <= w <= _MAPPED_HI
                for sa, w in ((first, lo), (last, hi)))
    if (v4_ok or first.family == last.family) and lo > hi:
        return None
    v4 = (lo - IPV4_MAPPED, hi - IPV4_MAPPED) if v4_ok and lo <= hi else None
    # IPv6 addresses compare with an IPv4 end only if they are mapped.
    if first.family == "ipv4":
        hi = min(hi, _MAPPED_HI)
    if last.family == "ipv4":
        lo = max(lo, _MAPPED_LO)
    return _Rule(f"Range: {_LABEL[first.family]} {first.address}-{last.address}", v4,
                 (lo, hi) if lo <= hi else None,
                 (first.family, first._value, last.family, last._value))


class BlockList:
    """A set of rules for blocking IP addresses. Thread-safe.

    Node: net.md § "Class: ``net.BlockList``" (Node 26.8). Methods take the address
    as a ``str`` or a :class:`SocketAddress` (whose family then wins) and a
    ``family`` of ``'ipv4'`` (default) or ``'ipv6'``, case-insensitive.

    Errors, in Node's order: a non-string address (ERR_INVALID_ARG_TYPE, named
    ``address``/``start``/``end``/``network``), a non-string family
    (ERR_INVALID_ARG_TYPE ``family``), a family other than ipv4/ipv6
    (ERR_INVALID_ARG_VALUE ``options.family``), an address that does not parse
    for the family (ERR_INVALID_ADDRESS), then the rule's own checks.
    ``None`` for ``family`` means the default (Node's ``undefined``; Node's
    ``null`` has no Python counterpart). ``end`` and ``prefix`` default to
    ``None`` only so that leaving them out raises Node's error
    (ERR_INVALID_ARG_TYPE) rather than Python's.

    ``check`` is O(log n) in the number of rules; adding or removing is O(1)
    (O(n) for a subnet or range removal), and the first check after a change
    re-sorts the rules (O(n log n)).
    """

    PRIVATE_RANGES: Tuple[str, ...] = (
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",   # RFC 1918
        "127.0.0.0/8", "::1/128",                           # loopback
        "169.254.0.0/16", "fe80::/10",                      # link-local
        "fc00::/7",                                         # unique local (ULA)
    )
    """Node: ``BlockList.PRIVATE_RANGES`` (v26.8): the private, loopback,
    link-local and unique-local networks as CIDR strings, for :meth:`add_cidrs`.
    A tuple, as Node's array is frozen."""

    def __init__(self) -> None:
        self._addresses: Dict[int, _Rule] = {}      # by 128-bit value, in insertion order
        self._subnets: List[_Rule] = []             # oldest first
        self._ranges: List[_Rule] = []              # oldest first
        self._index: List[Optional[_Index]] = [None, None]   # v4, v6; None: rebuild
        self._lock = threading.Lock()

    def _changed(self) -> None:
        self._index[0] = self._index[1] = None

    # -- adding rules ---------------------------------------------------------------

    def add_address(self, address: Any, family: Any = "ipv4") -> None:
        """Block one IP address.

        Node: net.md § ``blockList.addAddress(address[, type])``. The rule also
        matches the address's other form: ``1.2.3.4`` blocks ``::ffff:1.2.3.4``
        and vice versa, and adding one form replaces a rule for the other.
        """
        rule = _address_rule(_endpoint(address, family, "address"))
        with self._lock:
            self._addresses[rule.key[0]] = rule
            self._changed()

    def add_addresses(self, addresses: Any, family: Any = "ipv4") -> None:
        """Block each address of the list ``addresses``, all or none.

        Node: net.md § ``blockList.addAddresses(addresses[, type])`` (v26.8).
        ``addresses`` must be a list (or tuple) of strings or SocketAddresses
        (ERR_INVALID_ARG_TYPE ``addresses`` / ``addresses[i]``); every entry is
        checked before any is added.
        """
        validate_array(addresses, "addresses")
        kind = _family_arg(family)
        rules = []
        for i, address in enumerate(addresses):
            if not isinstance(address, SocketAddress):
                validate_string(address, f"addresses[{i}]")
                address = SocketAddress(address=address, family=kind)
            rules.append(_address_rule(address))
        with self._lock:
            for rule in rules:
                self._addresses[rule.key[0]] = rule
            self._changed()

    def add_range(self, start: Any, end: Any = None, family: Any = "ipv4") -> None:
        """Block the addresses from ``start`` to ``end``, both included.

        Node: net.md § ``blockList.addRange(start, end[, type])``.
        ERR_INVALID_ARG_VALUE (``'start' ... must come before end``) when
        ``start`` is after ``end``. An IPv6 range also blocks IPv4 addresses
        when both its ends are IPv4-mapped (``::ffff:1.0.0.0-::ffff:2.0.0.0``).
        """
        first = _endpoint(start, family, "start")
        last = _endpoint(end, family, "end")
        rule = _range_rule(first, last)
        if rule is None:
            raise ERR_INVALID_ARG_VALUE("start", first, "must come before end")
        with self._lock:
            self._ranges.append(rule)
            self._changed()

    def add_subnet(self, net: Any, prefix: Any = None, family: Any = "ipv4") -> None:
        """Block the subnet ``net/prefix`` (CIDR).

        Node: net.md § ``blockList.addSubnet(net, prefix[, type])``.
        ``prefix`` must be an integer, 0-32 for IPv4 and 0-128 for IPv6
        (ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE), checked after the address.
        The rule string keeps ``net`` as given (``Subnet: IPv4 10.1.2.3/8``). An
        IPv6 subnet also blocks the IPv4 addresses whose mapped form is inside it.
        """
        sa = _endpoint(net, family, "network")
        rule = _subnet_rule(sa, _subnet_prefix(sa, prefix))
        with self._lock:
            self._subnets.append(rule)
            self._changed()

    def add_cidr(self, cidr: Any) -> None:
        """Block the subnet written as ``cidr`` (``'10.0.0.0/8'``, ``'fe80::/10'``).

        Node: net.md § ``blockList.addCIDR(cidr)`` (v26.8). The family is IPv6 when
        the address has a colon. ERR_INVALID_ARG_VALUE (``cidr``) without a ``/``
        or with a prefix that is not a plain integer; otherwise as
        :meth:`add_subnet`.
        """
        address, prefix, family = _parse_cidr(cidr)
        self.add_subnet(address, prefix, family)

    def add_cidrs(self, cidrs: Any) -> None:
        """Block each subnet of the list ``cidrs`` (``BlockList.PRIVATE_RANGES``, say).

        Node: net.md § ``blockList.addCIDRs(cidrs)`` (v26.8). Every entry is read
        (ERR_INVALID_ARG_TYPE ``cidrs[i]``, ERR_INVALID_ARG_VALUE ``cidr``) before
        any is added; an entry whose address or prefix is then refused raises
        with the entries before it already added, as in Node.
        """
        validate_array(cidrs, "cidrs")
        parsed = []
        for i, cidr in enumerate(cidrs):
            validate_string(cidr, f"cidrs[{i}]")
            parsed.append(_parse_cidr(cidr))
        for address, prefix, family in parsed:
            self.add_subnet(address, prefix, family)

    # -- removing rules -------------------------------------------------------------

    def remove_address(self, address: Any, family: Any = "ipv4") -> None:
        """Remove the rule for ``address`` (either form of an IPv4 address), if any.

        Node: net.md § ``blockList.removeAddress(address[, type])`` (v26.8). Only an
        address rule: a subnet or range that covers the address stays. Arguments
        are checked as for :meth:`add_address`.
        """
        key = _address_rule(_endpoint(address, family, "address")).key[0]
        with self._lock:
            if self._addresses.pop(key, None) is not None:
                self._changed()

    def remove_range(self, start: Any, end: Any = None, family: Any = "ipv4") -> None:
        """Remove the newest range rule with exactly this start and end, if any.

        Node: net.md § ``blockList.removeRange(start, end[, type])`` (v26.8). The
        ends must be those of the rule, in the same family (an IPv4 range is not
        removed by its IPv4-mapped form); a start after the end removes nothing.
        """
        first = _endpoint(start, family, "start")
        last = _endpoint(end, family, "end")
        self._remove(self._ranges, (first.family, first._value, last.family, last._value))

    def remove_subnet(self, net: Any, prefix: Any = None, family: Any = "ipv4") -> None:
        """Remove the newest subnet rule with exactly this network and prefix, if any.

        Node: net.md § ``blockList.removeSubnet(net, prefix[, type])`` (v26.8). The
        network is compared as given (``10.1.2.3/8`` is not ``10.0.0.0/8``) and in
        its family; arguments are checked as for :meth:`add_subnet`.
        """
        sa = _endpoint(net, family, "network")
        self._remove(self._subnets, (sa.family, sa._value, _subnet_prefix(sa, prefix)))

    def remove_cidr(self, cidr: Any) -> None:
        """Remove the subnet written as ``cidr``. Node: ``blockList.removeCIDR(cidr)`` (v26.8)."""
        address, prefix, family = _parse_cidr(cidr)
        self.remove_subnet(address, prefix, family)

    def _remove(self, rules: List[_Rule], key: Tuple[Any, ...]) -> None:
        with self._lock:
            for i in range(len(rules) - 1, -1, -1):
                if rules[i].key == key:
                    del rules[i]
                    self._changed()
                    return

    def clear(self) -> None:
        """Remove every rule. Node: ``blockList.clear()`` (v26.8)."""
        with self._lock:
            self._addresses.clear()
            del self._subnets[:], self._ranges[:]
            self._changed()

    # -- checking -------------------------------------------------------------------

    def check(self, address: Any, family: Any = "ipv4") -> bool:
        """True if ``address`` matches any rule.

        Node: net.md § ``blockList.check(address[, type])``. A ``family`` that is
        not ``'ipv4'`` (in any case) reads the address as IPv6, as Node 26 does
        (so ``check('::1', 'foo')`` can be true; Node 20 said false). An address
        that does not parse gives ``False``; non-string arguments raise
        ERR_INVALID_ARG_TYPE. O(log n) in the number of rules.
        """
        if isinstance(address, SocketAddress):
            name, value = address.family, address._value
        else:
            validate_string(address, "address")
            name = "ipv4" if _family_arg(family).lower() == "ipv4" else "ipv6"
            parsed = parse_ip(address, name)
            if parsed is None:
                return False
            value = parsed
        which = 0 if name == "ipv4" else 1
        index = self._index[which]
        if index is None:
            with self._lock:
                index = self._index[which] = _build(
                    [iv for iv in (r.v6 if which else r.v4 for r in self._all()) if iv])
        starts, ends = index
        i = bisect.bisect_right(starts, value) - 1
        return i >= 0 and value <= ends[i]

    # -- introspection and serialisation ---------------------------------------------

    def _all(self) -> List[_Rule]:
        """Every rule in Node 26's listing order (call with the lock held)."""
        return (list(self._addresses.values())[::-1] + self._subnets[::-1]
                + self._ranges[::-1])

    @property
    def rules(self) -> List[str]:
        """The rules as Node's strings: addresses, then subnets, then ranges.

        Node: net.md § ``blockList.rules``: ``'Address: IPv4 1.1.1.1'``,
        ``'Subnet: IPv6 8592:757c:efae:4e45::/64'``, ``'Range: IPv4
        10.0.0.1-10.0.0.10'``; each kind newest first (see the module docstring
        for the order of addresses). Addresses are in canonical form; an address
        appears once, subnets and ranges as often as they were added. A new list
        each time.
        """
        with self._lock:
            return [rule.text for rule in self._all()]

    @property
    def size(self) -> int:
        """The number of rules (``len(rules)``). Node: ``blockList.size`` (v26.8)."""
        with self._lock:
            return len(self._addresses) + len(self._subnets) + len(self._ranges)

    def to_json(self) -> List[str]:
        """The same list as :attr:`rules`. Node: ``blockList.toJSON()`` (v23.4)."""
        return self.rules

    def from_json(self, data: Any) -> None:
        """Add the rules in ``data``, a list of rule strings or a JSON string of one.

        Node: ``blockList.fromJSON(data)`` (v23.4). Entries are added in list order;
        entries that are not rule strings are ignored; a rule string with a bad
        address raises as the matching ``add_*`` would. Other ``data`` raises
        ERR_INVALID_ARG_TYPE; malformed JSON raises a :class:`json.JSONDecodeError` that also has the
        code ERR_INVALID_ARG_VALUE (Node's ``JSON.parse`` SyntaxError has none).
        IPv6 entries may have a dotted IPv4 tail (``::ffff:1.2.3.4``), at most
        45 characters, as in Node 26.
        """
        if isinstance(data, str):
            try:
                data = _JSON.decode(data)
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
