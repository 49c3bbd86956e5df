"""Host lookup and Happy Eyeballs for ``Socket.connect`` (the driver).

Node: net.md § "socket.connect(options[, connectListener])" — ``lookup``,
``family``, ``hints``, ``autoSelectFamily``, ``autoSelectFamilyAttemptTimeout`` —
and the events ``'lookup'``, ``'connectionAttempt'``, ``'connectionAttemptFailed'``,
``'connectionAttemptTimeout'`` (Node 26). RFC 8305 and Node's algorithm in one page:

* an IP literal skips the lookup: connect on the next tick, no ``'lookup'``;
* with ``family`` 4/6, a ``local_address``, or ``auto_select_family`` off, one
  lookup answer is used (``lookup(host, {family, hints}, cb(err, ip, family))``);
* otherwise the lookup is asked for ``all`` answers, ``'lookup'`` is emitted for
  each raw answer, and ``_he_plan.plan_attempts`` orders them. One candidate is
  an ordinary connect. Several are tried **one at a time**: each attempt but the
  last gets ``auto_select_family_attempt_timeout`` ms; on timeout the attempt is
  closed (``'connectionAttemptTimeout'``), on failure the next one starts at once,
  even in the same turn for synchronous failures. When all fail, the socket is
  destroyed with an :class:`~nodenet.errors.AggregateError`.

Beyond Node, ``auto_select_family_race=True`` keeps earlier attempts running
when the timeout starts the next one (RFC 8305 §5); the first to connect wins
and the others are closed. The events are the same.

Where Node has bugs (a lookup answering ``[]`` crashes it; destroying the socket
inside ``'connectionAttempt'`` crashes it; a synchronous custom lookup emits
events before listeners can be attached), nodenet answers ENOTFOUND, stops
cleanly, and defers a synchronous lookup's answer to the next tick.
"""

from __future__ import annotations

import errno
import socket
from typing import Any, Callable, Dict, List, Optional, Protocol, Tuple

from . import _handle, dns
from ._jscall import adapt
from ._handle import StreamHandle
from ._he_plan import answer_fields, plan_attempts
from ._isip import is_ip
from ._validators import js_truthy
from .errors import (
    ERR_INVALID_ADDRESS_FAMILY, ERR_INVALID_IP_ADDRESS, ERR_IP_BLOCKED,
    ERR_SOCKET_CONNECTION_TIMEOUT, AggregateError, connect_error, dns_error,
)
from ._loop import Loop
from .timers import Timeout

__all__ = ("lookup_and_connect", "ConnectingSocket")


class ConnectingSocket(Protocol):
    """What the driver uses of the ``net.Socket`` it connects: its handle and
    state, its events, and Node's ``internalConnect``/``afterConnect`` steps."""

    connecting: bool
    _handle: Optional[StreamHandle]
    _loop: Loop
    _host: Optional[str]
    _aborted: bool
    _sockname: Optional[Dict[str, Any]]
    _connect_ctx: Any
    auto_select_family_attempted_addresses: Optional[List[str]]
    block_list: Any

    @property
    def destroyed(self) -> bool: ...

    def _emit(self, event: Any, *args: Any) -> bool: ...

    def _destroy_impl(self, err: Optional[BaseException], cb: Any) -> None: ...

    def _internal_connect(self, address: str, port: Optional[int],
                          address_type: Optional[int], local_address: Optional[str],
                          local_port: Optional[int]) -> None: ...

    def _after_connect(self, status: int, address: str, port: Optional[int],
                       address_type: Optional[int], local_address: Optional[str],
                       local_port: Optional[int]) -> None: ...

    def _attach_handle(self) -> None: ...

    def _reinitialize_handle(self, handle: StreamHandle) -> None: ...

    def _update_timer(self) -> None: ...


def lookup_and_connect(sock: ConnectingSocket, options: Dict[str, Any],
                       plan: Dict[str, Any]) -> None:
    """Node's ``lookupAndConnect`` (arguments were validated by the caller)."""
    loop = sock._loop
    assert loop is not None
    host: str = plan["host"]
    port: int = plan["port"]
    # JavaScript truthiness: a local port of NaN, like 0, means "none"
    local_address = options.get("local_address") if js_truthy(options.get("local_address")) \
        else None
    local_port = options.get("local_port") if js_truthy(options.get("local_port")) else None
    address_type = is_ip(host)
    if address_type and plan.get("bound"):
        # An adopted BoundSocket connects inside connect(): its local address (the
        # kernel's choice for 0.0.0.0) is known when connect() returns, as in Node.
        sock._internal_connect(host, port, address_type, None, None)
        return
    if address_type:
        def connect_literal() -> None:
            if sock.connecting:
                sock._internal_connect(host, port, address_type, local_address, local_port)
        loop.next_tick(connect_literal)
        return
    family = options.get("family")
    family = {"IPv4": 4, "IPv6": 6}.get(family, family) if isinstance(family, str) else family
    hints = options.get("hints")
    dnsopts: Dict[str, Any] = {"family": family, "hints": hints if js_truthy(hints) else 0}
    if family not in (4, 6) and dnsopts["hints"] == 0:
        dnsopts["hints"] = dns.ADDRCONFIG
    sock._host = host
    lookup: Callable[..., Any] = options.get("lookup") or dns.lookup
    if family not in (4, 6) and not local_address and plan["auto_select_family"]:
        dnsopts["all"] = True
        context = _MultiConnect(sock, host, port, local_port, plan["attempt_timeout"],
                                plan["race"], options)
        _call_lookup(loop, lookup, host, dnsopts, context.on_lookup)
        return

    def emit_lookup(err: Any = None, ip: Any = None, ip_family: Any = None, *_: Any) -> None:
        sock._emit("lookup", err, ip, ip_family, host)
        if not sock.connecting:
            return
        if err is not None:
            loop.next_tick(sock._destroy_impl, err, None)
        elif not isinstance(ip, str) or not is_ip(ip):
            loop.next_tick(sock._destroy_impl, ERR_INVALID_IP_ADDRESS(ip), None)
        elif ip_family not in (4, 6) or type(ip_family) is not int:
            loop.next_tick(sock._destroy_impl, ERR_INVALID_ADDRESS_FAMILY(
                ip_family, options.get("host"), options.get("port")), None)
        else:
            sock._update_timer()
            sock._internal_connect(ip, port, ip_family, local_address, local_port)

    _call_lookup(loop, lookup, host, dnsopts, emit_lookup)


def _call_lookup(loop: Any, lookup: Callable[..., Any], host: str, dnsopts: Dict[str, Any],
                 callback: Callable[..., None]) -> None:
    """Call the lookup; an answer given synchronously is handled on the next tick, so
    listeners attached right after ``connect()`` see every event (Node loses them)."""
    calling = [True]

    def answer(*args: Any) -> None:
        if calling[0]:
            loop.next_tick(callback, *args)
        else:
            callback(*args)

    try:
        adapt(lookup, 3)(host, dnsopts, answer)    # (hostname, options, callback), as Node
    finally:
        calling[0] = False


def _connecting(sock: ConnectingSocket) -> bool:
    """Re-read ``connecting`` after an emit: a listener may have destroyed the socket."""
    return bool(sock.connecting)


class _Attempt:
    """One connection attempt of a multi-address connect."""

    __slots__ = ("index", "address", "port", "family", "handle", "timer", "done")

    def __init__(self, index: int, address: str, port: int, family: int,
                 handle: StreamHandle) -> None:
        self.index = index
        self.address = address
        self.port = port
        self.family = family
        self.handle = handle
        self.timer: Optional[Timeout] = None
        self.done = False


class _MultiConnect:
    """Node's ``internalConnectMultiple`` context, with an optional racing mode."""

    def __init__(self, sock: ConnectingSocket, host: str, port: int, local_port: Optional[int],
                 timeout: int, race: bool, options: Dict[str, Any]) -> None:
        self.sock = sock
        self.host = host
        self.port = port
        self.local_port = local_port
        self.timeout = timeout
        self.race = race
        self.options = options
        self.addresses: List[Tuple[str, int]] = []
        self.current = 0
        self.errors: List[BaseException] = []
        self.attempts: List[_Attempt] = []
        self.timer: Optional[Timeout] = None

    # -- the lookup answer ---------------------------------------------------------

    def on_lookup(self, err: Any = None, addresses: Any = None, *_: Any) -> None:
        sock = self.sock
        loop = sock._loop
        assert loop is not None
        if not sock.connecting:
            return
        if err is not None:
            sock._emit("lookup", err, None, None, self.host)
            loop.next_tick(sock._destroy_impl, err, None)
            return
        answers = [answer_fields(entry) for entry in (addresses or [])]
        for address, family in answers:
            sock._emit("lookup", None, address, family, self.host)
            if not _connecting(sock):
                return
        attempts = plan_attempts(answers)
        if not attempts:
            if not answers:        # Node crashes here; an empty answer is "not found"
                error: BaseException = dns_error(dns._EAI_NODATA, self.host)
            else:
                first_ip, first_family = answers[0]
                if not isinstance(first_ip, str) or not is_ip(first_ip):
                    error = ERR_INVALID_IP_ADDRESS(first_ip)
                else:
                    error = ERR_INVALID_ADDRESS_FAMILY(first_family, self.options.get("host"),
                                                       self.options.get("port"))
            loop.next_tick(sock._destroy_impl, error, None)
            return
        if len(attempts) == 1:
            address, family = attempts[0]
            sock._update_timer()
            sock._internal_connect(address, self.port, family, None, self.local_port)
            return
        sock.auto_select_family_attempted_addresses = []
        self.addresses = attempts
        sock._connect_ctx = self
        sock._update_timer()
        self.next()

    # -- Node's internalConnectMultiple ---------------------------------------------

    def next(self, canceled: bool = False) -> None:
        """Start the next attempt, or fail with everything recorded."""
        self._clear_timer()
        sock = self.sock
        if sock._aborted or sock.destroyed:
            return
        if canceled or self.current == len(self.addresses):
            if self.race and any(not a.done for a in self.attempts):
                return                   # racing: earlier attempts may still win
            if not self.errors:
                sock._destroy_impl(ERR_SOCKET_CONNECTION_TIMEOUT(), None)
            else:
                sock._destroy_impl(AggregateError(self.errors), None)
            return
        if not sock.connecting:
            return
        index = self.current
        self.current += 1
        address, family = self.addresses[index]
        loop = sock._loop
        assert loop is not None
        if index > 0:
            handle = _handle.new_stream_handle(loop)
            if self.race:
                handle.owner = sock
            else:
                sock._reinitialize_handle(handle)
        else:
            handle = sock._handle  # type: ignore[assignment]
            assert handle is not None
        err = handle.open(socket.AF_INET if family == 4 else socket.AF_INET6)
        if not err and self.local_port:
            local_address = "0.0.0.0" if family == 4 else "::"
            err = handle.bind_local(local_address, self.local_port)
            if err:
                self.errors.append(connect_error(err, local_address, self.local_port,
                                                 syscall="bind"))
                if self.race:
                    handle.close()
                self.next()
                return
        sock._emit("connectionAttempt", address, self.port, family)
        if not _connecting(sock):         # destroyed by a listener (Node would crash)
            if self.race and handle is not sock._handle:
                handle.close()
            return
        block_list = sock.block_list
        if block_list is not None and block_list.check(address, f"ipv{family}"):
            ex: BaseException = ERR_IP_BLOCKED(address)
            self.errors.append(ex)
            sock._emit("connectionAttemptFailed", address, self.port, family, ex)
            if self.race and handle is not sock._handle:
                handle.close()
            if sock.connecting:
                self.next()
            return
        attempted = sock.auto_select_family_attempted_addresses
        if attempted is not None:
            attempted.append(f"{address}:{self.port}")
        attempt = _Attempt(index, address, self.port, family, handle)
        self.attempts.append(attempt)
        if not err:
            err = handle.connect((address, self.port),
                                 lambda status: self.on_complete(attempt, status))
        if err:
            attempt.done = True
            sockname = handle.getsockname()
            details = f"{sockname.get('address')}:{sockname.get('port')}" if sockname else None
            ex = connect_error(err, address, self.port, details)
            self.errors.append(ex)
            if self.race and handle is not sock._handle:
                handle.close()
            sock._emit("connectionAttemptFailed", address, self.port, family, ex)
            if sock.connecting:
                self.next()
            return
        if index < len(self.addresses) - 1:
            timer = Timeout(loop, self.on_timeout, self.timeout, (attempt,), False)
            timer._schedule(loop.clock())
            self.timer = attempt.timer = timer

    def on_complete(self, attempt: _Attempt, status: int) -> None:
        """Node's ``afterConnectMultiple``."""
        self._clear_timer(attempt)
        sock = self.sock
        if attempt.done:
            return
        attempt.done = True
        latest = attempt.index == self.current - 1
        if status == 0 and not latest and not self.race:
            attempt.handle.close()         # succeeded after its timeout: ignore
            return
        if status != 0:
            ex = connect_error(status, attempt.address, attempt.port)
            self.errors.append(ex)
            sock._emit("connectionAttemptFailed", attempt.address, attempt.port,
                       attempt.family, ex)
            if self.race and attempt.handle is not sock._handle:
                attempt.handle.close()
            if sock.connecting and (latest or not self.race):
                self.next(status == errno.ECANCELED)
            elif sock.connecting and self.race and self.current == len(self.addresses):
                self.next()
            return
        if self.race:
            self._win(attempt)
        sock._after_connect(0, attempt.address, attempt.port, attempt.family, None, None)

    def on_timeout(self, attempt: _Attempt) -> None:
        """Node's ``internalConnectMultipleTimeout``."""
        sock = self.sock
        self.timer = attempt.timer = None
        sock._emit("connectionAttemptTimeout", attempt.address, attempt.port, attempt.family)
        if self.race:
            # RFC 8305 §5: the slow attempt keeps going; the next one starts beside it.
            if sock.connecting:
                self.next()
            return
        attempt.done = True
        attempt.handle.connect_cb = None
        self.errors.append(connect_error(errno.ETIMEDOUT, attempt.address, attempt.port))
        attempt.handle.close()
        if sock.connecting:
            self.next()

    def _win(self, winner: _Attempt) -> None:
        """Racing: keep the winner's handle, close every other attempt."""
        sock = self.sock
        self._clear_timer()
        for attempt in self.attempts:
            if attempt is not winner and not attempt.handle.closed:
                attempt.done = True
                attempt.handle.connect_cb = None
                attempt.handle.close()
        if sock._handle is not winner.handle:
            sock._handle = winner.handle
            sock._sockname = None
            sock._attach_handle()

    def _clear_timer(self, attempt: Optional[_Attempt] = None) -> None:
        timer = self.timer if attempt is None else attempt.timer
        if timer is not None:
            timer._clear()
            if attempt is None:
                self.timer = None
            else:
                attempt.timer = None
                if self.timer is timer:
                    self.timer = None

    def close_all(self) -> None:
        """The socket was destroyed: stop timers and close racing attempts."""
        self._clear_timer()
        for attempt in self.attempts:
            if attempt.timer is not None:
                attempt.timer._clear()
                attempt.timer = None
            if attempt.handle is not self.sock._handle and not attempt.handle.closed:
                attempt.handle.connect_cb = None
                attempt.handle.close()

