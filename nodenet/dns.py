"""Host name lookup (mirrors ``dns.lookup`` of ``node:dns``).

Node: dns.md § "dns.lookup(hostname[, options], callback)", § "Supported
getaddrinfo flags", § "dns.setDefaultResultOrder(order)" (Node 26).

``getaddrinfo`` runs on the loop's worker pool (``_threadpool.py``), never on the
loop thread; the callback runs on the loop thread. An IP literal is answered on
the next tick without a thread, as Node does. Errors are Node's: ``ENOTFOUND``
(message ``getaddrinfo ENOTFOUND host``) for unknown names, ``EAI_AGAIN`` for
temporary failures, with ``hostname`` and ``syscall`` set.

As Node 26: a host name with a NUL byte raises ERR_INVALID_ARG_VALUE, and so
does a falsy one (``''``, ``None``, ``False``, ``0``), which Node 20 still looked
up (answering ``None``) with a DeprecationWarning.

Differences: ``errno`` is the ``socket.EAI_*`` number; the result of
``lookup()`` is None (Node returns an internal request object).
"""

from __future__ import annotations

import errno as _errno
import socket
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

from ._args import is_js_object, snake
from ._isip import is_ip
from ._jscall import adapt
from ._loop import Loop, get_loop
from ._threadpool import WorkerPool
from ._validators import (
    is_number, js_to_uint32, js_truthy, validate_boolean, validate_function,
    validate_string_without_null_bytes,
)
from .errors import ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, NodeSystemError, dns_error

__all__ = (
    "lookup", "ADDRCONFIG", "V4MAPPED", "ALL",
    "get_default_result_order", "set_default_result_order",
)

# (plain ints: the socket module's are IntFlag members, whose ~ keeps only the
# known bits, so the hints check below would let unknown bits through)
#: Node: dns.ADDRCONFIG — only families configured on the system.
ADDRCONFIG: int = int(getattr(socket, "AI_ADDRCONFIG", 0))
#: Node: dns.V4MAPPED — IPv4-mapped IPv6 addresses when no IPv6 is found.
V4MAPPED: int = int(getattr(socket, "AI_V4MAPPED", 0))
#: Node: dns.ALL — with V4MAPPED, both IPv6 and IPv4-mapped addresses.
ALL: int = int(getattr(socket, "AI_ALL", 0))

_ORDERS = ("verbatim", "ipv4first", "ipv6first")
_default_order = "verbatim"

LookupCallback = Callable[..., Any]


def get_default_result_order() -> str:
    """Node: ``dns.getDefaultResultOrder()`` — ``'verbatim'`` unless changed."""
    return _default_order


def set_default_result_order(order: str) -> None:
    """Node: ``dns.setDefaultResultOrder(order)``."""
    global _default_order
    if order not in _ORDERS:
        raise ERR_INVALID_ARG_VALUE("dnsOrder", order,
                                    "must be one of: 'verbatim', 'ipv4first', 'ipv6first'")
    _default_order = order


def _family(value: Any, name: str) -> int:
    if value == "IPv4":
        return 4
    if value == "IPv6":
        return 6
    if is_number(value) and value in (0, 4, 6):
        return int(value)
    raise ERR_INVALID_ARG_VALUE(name, value, "must be one of: 0, 4, 6")


def _parse_options(options: Any) -> Tuple[int, int, bool, str]:
    """Node's checks of a lookup's options mapping: (family, hints, all, order)."""
    family, hints, all_, order = 0, 0, False, _default_order
    if options is None:
        return family, hints, all_, order
    if is_number(options):
        return _family(options, "family"), hints, all_, order
    opts = {(_snake(k) if isinstance(k, str) else k): v for k, v in options.items()}
    if opts.get("hints") is not None:
        raw = opts["hints"]
        if not is_number(raw):
            raise ERR_INVALID_ARG_TYPE("options.hints", "number", raw)
        hints = js_to_uint32(raw)   # JavaScript's hints >>> 0
        if hints & ~(ADDRCONFIG | ALL | V4MAPPED):
            raise ERR_INVALID_ARG_VALUE("hints", hints)
    if opts.get("family") is not None:
        family = _family(opts["family"], "options.family")
    if opts.get("all") is not None:
        all_ = validate_boolean(opts["all"], "options.all")
    if opts.get("verbatim") is not None:
        order = "verbatim" if validate_boolean(opts["verbatim"], "options.verbatim") \
            else "ipv4first"
    if opts.get("order") is not None:
        if opts["order"] not in _ORDERS:
            raise ERR_INVALID_ARG_VALUE("options.order", opts["order"],
                                        "must be one of: 'verbatim', 'ipv4first', 'ipv6first'")
        order = opts["order"]
    return family, hints, all_, order


def _snake(key: str) -> str:
    return snake(key)


_MISSING: Any = object()


def lookup(hostname: Any, options: Any = None, callback: Any = _MISSING) -> None:
    """Node: ``dns.lookup(hostname[, options], callback)``.

    ``options`` is a family (0, 4, 6) or a mapping with ``family`` (also
    ``'IPv4'``/``'IPv6'``), ``hints``, ``all``, ``order`` (``'verbatim'``,
    ``'ipv4first'``, ``'ipv6first'``) and the deprecated ``verbatim``.
    ``callback(err, address, family)``, or ``callback(err, addresses)`` with
    ``all=True`` where each address is ``{'address': str, 'family': 4 | 6}``.
    May be called from any thread; the callback runs on the loop thread.
    """
    two_args = callback is _MISSING
    if two_args:
        callback = None
    if js_truthy(hostname):
        validate_string_without_null_bytes(hostname, "hostname")
    # Node's argument checks, in Node's order
    if callable(options):
        callback, options = options, None
    elif is_number(options):
        validate_function(callback, "callback")
    elif options is not None and not isinstance(options, Mapping):
        if not is_js_object(options):
            validate_function(options if two_args else callback, "callback")
            raise ERR_INVALID_ARG_TYPE("options", ["integer", "object"], options)
        validate_function(callback, "callback")
        options = None          # an array, a Buffer, an instance: an object without options
    else:
        validate_function(callback, "callback")
    family, hints, all_, order = _parse_options(options)
    if not js_truthy(hostname):     # Node >= 25: no more lookups of '' / undefined / false
        raise ERR_INVALID_ARG_VALUE("hostname", hostname, "must be a non-empty string")
    # called back as Node does: (err), (None, address, family) or (None, addresses)
    callback = adapt(callback, None)
    loop = get_loop()
    loop.dispatch(_start, loop, hostname, family, hints, all_, order, callback)


def _start(loop: Loop, hostname: str, family: int, hints: int, all_: bool, order: str,
           callback: LookupCallback) -> None:
    matched = is_ip(hostname)
    if matched:
        if all_:
            loop.next_tick(callback, None, [{"address": hostname, "family": matched}])
        else:
            loop.next_tick(callback, None, hostname, matched)
        return

    def done(result: Any, error: Optional[BaseException]) -> None:
        if error is not None:
            callback(_to_node_error(error, hostname))
        elif all_:
            callback(None, [{"address": a, "family": family or is_ip(a)} for a in result])
        else:
            callback(None, result[0], family or is_ip(result[0]))

    pool = loop.pool
    if pool is None:
        pool = loop.pool = WorkerPool(loop)
    pool.submit(lambda: _getaddrinfo(hostname, family, hints, order), done)


def _getaddrinfo(hostname: str, family: int, hints: int, order: str) -> List[str]:
    """The blocking part, on a worker thread: addresses in the requested order."""
    af = {4: socket.AF_INET, 6: socket.AF_INET6}.get(family, socket.AF_UNSPEC)
    host: Union[str, bytes]
    try:
        host = hostname.encode("ascii")
    except UnicodeEncodeError:
        host = hostname.encode("idna")
    infos = socket.getaddrinfo(host, None, af, socket.SOCK_STREAM, 0, hints)
    addresses: List[str] = []
    v4: List[str] = []
    v6: List[str] = []
    for fam, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        if fam == socket.AF_INET:
            v4.append(address)
            addresses.append(address)
        elif fam == socket.AF_INET6:
            v6.append(address)
            addresses.append(address)
    if not addresses:
        raise socket.gaierror(getattr(socket, "EAI_NODATA", socket.EAI_NONAME), "no address")
    if order == "ipv4first":
        return v4 + v6
    if order == "ipv6first":
        return v6 + v4
    return addresses


def _to_node_error(error: BaseException, hostname: str) -> BaseException:
    if isinstance(error, socket.gaierror) and error.errno is not None:
        return dns_error(error.errno, hostname)
    if isinstance(error, (UnicodeError, ValueError)):
        try:
            hostname.encode("utf-8")
        except UnicodeEncodeError:
            # a lone surrogate: Node 26's getaddrinfo fails with EINVAL
            return NodeSystemError(f"getaddrinfo EINVAL {hostname}", errno=_errno.EINVAL,
                                   code="EINVAL", syscall="getaddrinfo", hostname=hostname)
        # a name getaddrinfo cannot even take (a label too long): not found
        return dns_error(socket.EAI_NONAME, hostname)
    if isinstance(error, OSError) and error.errno:
        err = NodeSystemError(f"getaddrinfo {error.strerror}", errno=error.errno,
                              code="EAI_SYSTEM", syscall="getaddrinfo", hostname=hostname)
        return err
    return error


LookupResult = Dict[str, Any]

#: getaddrinfo's "no address" error number (EAI_NODATA where the platform has it).
_EAI_NODATA: int = getattr(socket, "EAI_NODATA", socket.EAI_NONAME)
