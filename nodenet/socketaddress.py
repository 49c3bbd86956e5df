"""``SocketAddress``: an immutable, validated IP address, family, port and flow label.

Node: net.md § "Class: ``net.SocketAddress``" (Node 26), plus ``SocketAddress.parse()``
(added in v23.4). Pure: no sockets, no event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Dict, Optional, Tuple, Union

from ._isip import int_to_ipv4, int_to_ipv6, ipv4_to_int, ipv6_to_int
from ._urlhost import parse_host_port
from ._validators import validate_port, validate_string, validate_uint32
from .errors import ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE, state_error

__all__ = ("SocketAddress",)

_FLOWLABEL_MAX = 0xFFFFF   # the 20 bits of an IPv6 flow label
_ABSENT: Any = object()    # a key missing from the options dict (JavaScript's undefined)
_NULL: Any = object()      # a key present with None (JavaScript's null)


def _js(value: Any) -> Any:
    """The value for a check's message: null is shown as None."""
    return None if value is _NULL else value


def parse_ip(address: str, family: str) -> Optional[int]:
    """The integer value of ``address`` read as ``family`` (``'ipv4'``/``'ipv6'``).

    What Node's C++ ``SocketAddress`` accepts (libuv ``uv_ip4_addr``/``uv_ip6_addr``):
    for IPv4 the ``isIPv4`` grammar; for IPv6 the ``isIPv6`` grammar, where anything
    after a ``%`` is a zone and is ignored (``fe80::1%eth0`` reads as ``fe80::1``).
    ``None`` if it doesn't parse.
    """
    if family == "ipv4":
        return ipv4_to_int(address)
    zone = address.find("%")
    return ipv6_to_int(address if zone < 0 else address[:zone])


def invalid_address() -> Exception:
    """Node's ``ERR_INVALID_ADDRESS`` (an ``Error``): ``Invalid socket address``."""
    return state_error("ERR_INVALID_ADDRESS", "Invalid socket address")


class SocketAddress:
    """An IP address with its family, port and IPv6 flow label; immutable and hashable.

    Node: net.md § ``new net.SocketAddress([options])`` (Node 26) and its getters
    ``address``, ``family``, ``flowlabel``, ``port``. Call it with keyword
    arguments, ``SocketAddress(address='::1', family='ipv6', port=80)``, where
    ``None`` means "not given" (Node's ``undefined``), or Node style with one
    positional options dict (``{'address': ..., 'family': ..., 'flowlabel': ...,
    'port': ...}``, not combined with keywords), where a *missing* key is Node's
    ``undefined`` and a key present with ``None`` is Node's ``null``, which no
    default replaces (``{'port': None}`` is ERR_SOCKET_BAD_PORT, as in Node). A
    positional number, bool, list or function is ERR_INVALID_ARG_TYPE (Node's
    ``validateObject``); any other object is an object without those keys.
    ``address={}`` is an address that is no string (ERR_INVALID_ARG_TYPE).

    Defaults and checks, in Node's order:

    * ``family`` defaults to ``'ipv4'``; a string is lower-cased and must then be
      ``'ipv4'`` or ``'ipv6'`` (ERR_INVALID_ARG_VALUE);
    * ``address`` defaults to ``'127.0.0.1'`` when ``family`` is exactly
      ``'ipv4'``, else ``'::'`` (so ``family='IPV4'`` alone fails, as in Node);
      it must be a ``str`` (ERR_INVALID_ARG_TYPE);
    * ``port`` defaults to 0 and goes through Node's ``validatePort``
      (ERR_SOCKET_BAD_PORT; numeric strings such as ``'80'`` are accepted);
    * ``flowlabel`` defaults to 0 and must be a uint32 (ERR_INVALID_ARG_TYPE /
      ERR_OUT_OF_RANGE); it is kept for IPv6 only, IPv4 reports 0;
    * finally ``address`` must parse for the family, else ERR_INVALID_ADDRESS
      (``Invalid socket address``). IPv6 zones (``%eth0``) are accepted and dropped.

    ``address`` is stored in Node's canonical form (``'2001:DB8:0::1'`` becomes
    ``'2001:db8::1'``, ``'::FFFF:1.2.3.4'`` becomes ``'::ffff:1.2.3.4'``).

    Differences from Node: a string positional argument is the address (Node
    requires an options object and raises ERR_INVALID_ARG_TYPE for
    ``new SocketAddress('hello')``); an IPv6 flow label above 0xFFFFF raises
    ERR_OUT_OF_RANGE (Node v20 aborts the process); ``port='80'`` is accepted
    (Node v20 aborts on non-integer ports that pass validation).
    """

    __slots__ = ("_address", "_family", "_flowlabel", "_port", "_value")

    _address: str
    _family: str
    _flowlabel: int
    _port: int
    _value: int

    def __init__(self, options: Any = None, /, *, address: Any = None, family: Any = None,
                 flowlabel: Any = None, port: Any = None) -> None:
        if options is not None:
            if (address, family, flowlabel, port) != (None, None, None, None):
                raise ERR_INVALID_ARG_VALUE(
                    "options", options, "cannot be combined with keyword arguments")
            if isinstance(options, str):
                address = options                 # a difference: Node needs an object
            elif isinstance(options, Mapping):
                # Node destructures with defaults: a key present with None is null,
                # which no default replaces (and every check then rejects)
                family, address, flowlabel, port = (
                    _NULL if options.get(key, _ABSENT) is None else options.get(key)
                    for key in ("family", "address", "flowlabel", "port"))
            elif (isinstance(options, (bool, int, float, list, tuple))
                  or callable(options)):
                raise ERR_INVALID_ARG_TYPE("options", "Object", options)
            # any other object is a JavaScript object without those properties
        family = "ipv4" if family is None else family
        if address is None:
            address = "127.0.0.1" if family == "ipv4" else "::"
        name = family.lower() if isinstance(family, str) else None
        if name not in ("ipv4", "ipv6"):
            raise ERR_INVALID_ARG_VALUE("options.family", _js(family))
        assert name is not None
        validate_string(_js(address), "options.address")
        port_number = validate_port(0 if port is None else _js(port), "options.port")
        label = validate_uint32(0 if flowlabel is None else _js(flowlabel), "options.flowlabel")
        if name == "ipv6" and label > _FLOWLABEL_MAX:
            raise ERR_OUT_OF_RANGE("options.flowlabel", f">= 0 && <= {_FLOWLABEL_MAX}", label)
        value = parse_ip(address, name)
        if value is None:
            raise invalid_address()
        self._init(name, value, port_number, label if name == "ipv6" else 0)

    def _init(self, family: str, value: int, port: int, flowlabel: int) -> None:
        text = int_to_ipv4(value) if family == "ipv4" else int_to_ipv6(value)
        setter = object.__setattr__
        setter(self, "_address", text)
        setter(self, "_family", family)
        setter(self, "_flowlabel", flowlabel)
        setter(self, "_port", port)
        setter(self, "_value", value)

    @classmethod
    def _from_int(cls, family: str, value: int, port: int = 0) -> SocketAddress:
        """An instance straight from a validated integer value (no checks)."""
        self = cls.__new__(cls)
        self._init(family, value, port, 0)
        return self

    @property
    def address(self) -> str:
        """The address in canonical text form. Node: ``socketaddress.address``."""
        return self._address

    @property
    def family(self) -> str:
        """``'ipv4'`` or ``'ipv6'``. Node: ``socketaddress.family``."""
        return self._family

    @property
    def flowlabel(self) -> int:
        """The IPv6 flow label (0 for IPv4). Node: ``socketaddress.flowlabel``."""
        return self._flowlabel

    @property
    def port(self) -> int:
        """The port. Node: ``socketaddress.port``."""
        return self._port

    def to_json(self) -> Dict[str, Union[str, int]]:
        """``{'address', 'port', 'family', 'flowlabel'}``. Node: ``socketaddress.toJSON()``."""
        return {"address": self._address, "port": self._port, "family": self._family,
                "flowlabel": self._flowlabel}

    @staticmethod
    def is_socket_address(value: Any) -> bool:
        """True if ``value`` is a :class:`SocketAddress`.

        Node: net.md § ``SocketAddress.isSocketAddress(value)`` (v23.4).
        """
        return isinstance(value, SocketAddress)

    @staticmethod
    def parse(input: Any) -> Optional[SocketAddress]:
        """A :class:`SocketAddress` from ``'host:port'`` text, or ``None`` if it isn't one.

        Node: net.md § ``SocketAddress.parse(input)`` (v23.4). The text is read as
        the authority of ``'http://' + input`` by the WHATWG URL rules: userinfo
        (``user:pw@``) is dropped, ``[...]`` is IPv6, IPv4 may be written in the
        URL Standard's legacy forms (``'192.168.257:1'`` gives ``192.168.1.1``
        port 1, ``'0xffffffff'`` gives ``255.255.255.255``), the port defaults to
        0. Returns ``None`` (Node: ``undefined``) for anything else, such as host
        names (``'localhost'``) or bad ports; raises only ERR_INVALID_ARG_TYPE
        when ``input`` is not a ``str``.

        Difference: Node reads the port from ``URL.port``, which is empty for
        ``:80``; here, as Node's tests expect, ``'127.0.0.1:80'`` keeps port 80.
        """
        validate_string(input, "input")
        parsed = parse_host_port(input)
        if parsed is None:
            return None
        version, value, port = parsed
        return SocketAddress._from_int("ipv4" if version == 4 else "ipv6", value, port)

    def _key(self) -> Tuple[str, int, int, int]:
        return (self._family, self._value, self._port, self._flowlabel)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SocketAddress):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"SocketAddress {{ address: '{self._address}', port: {self._port}, "
                f"family: '{self._family}', flowlabel: {self._flowlabel} }}")

    def __reduce__(self) -> Tuple[Any, Tuple[Dict[str, Union[str, int]]]]:
        return (SocketAddress, (self.to_json(),))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"SocketAddress is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"SocketAddress is immutable: cannot delete {name!r}")
