"""``net.Socket``: a Duplex stream over a TCP or Unix-domain connection.

Node: net.md § "Class: net.Socket" (Node 26), and the behaviour of Node 26.12's
``lib/net.js``, which these methods follow step by step:

* ``connect()`` validates at the call, then resolves the host off the loop
  (IP literals skip the lookup and connect on the next tick), emits
  ``'lookup'``, ``'connectionAttempt'``, then ``'connect'`` and ``'ready'``;
  hosts with several addresses go through Happy Eyeballs
  (``_happy_eyeballs.py``);
* writes made while connecting wait for ``'connect'``; a write made after the
  peer's FIN once our side ended fails with EPIPE; a write after ``destroy()``
  gets ERR_STREAM_DESTROYED in its callback and no ``'error'``, one still in
  the handle when ``destroy()`` comes gets ``write ECANCELED``;
* ``'close'`` is emitted from the handle's close callback, in the closing phase,
  after ``'error'`` (which comes on the next tick);
* the idle timeout (``set_timeout``) is refreshed by reads and writes and only
  emits ``'timeout'``;
* ``no_delay``, ``keep_alive`` and ``type_of_service`` are cached before
  connect, applied at connect and on change.

Differences: ``'close'`` always receives ``had_error`` (Node passes nothing when
a socket without a handle closes; here that is ``False``). ``Socket(fd=...)``
wraps socket fds only (Node also wraps pipes/FIFOs).
"""

from __future__ import annotations

import errno
import math
import os
import re
import socket as _socket
import stat
import threading
import warnings
from typing import Any, Callable, Dict, Hashable, List, Mapping, Optional, Protocol

from . import _defaults, _handle
from ._args import is_js_object, normalize_args, options_dict
from ._debug import debug
from ._fastpath import ENABLED as FAST_PATHS
from ._handle import StreamHandle
from ._happy_eyeballs import lookup_and_connect
from ._isip import is_ip
from ._jscall import adapt
from ._jstext import js_string
from ._loop import get_loop
from ._sockopts import SEND_FLAGS
from ._validators import (
    NAN, is_number, js_number, js_to_int32, js_to_number, js_truthy, validate_boolean,
    validate_function, validate_int32, validate_number, validate_port, validate_string,
    validate_string_without_null_bytes,
)
from .errors import (
    ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE,
    ERR_INVALID_FD_TYPE, ERR_INVALID_HANDLE_TYPE, ERR_INVALID_IP_ADDRESS, ERR_IP_BLOCKED,
    ERR_MISSING_ARGS, ERR_OUT_OF_RANGE, ERR_SOCKET_CLOSED,
    ERR_SOCKET_CLOSED_BEFORE_CONNECTION, AbortError, connect_error,
    epipe_ended_by_peer, system_error,
)
from .blocklist import BlockList
from .boundsocket import BoundSocket, BoundStreamHandle
from .dns import _parse_options
from .events import ThisListener, _Once, validate_abort_signal
from .stream import Duplex, _end_readable, _maybe_read_more_nt, _nop as _nop_cb, _split_args
from .timers import TimeoutOverflowWarning


__all__ = ("Socket", "create_connection", "connect")


class AcceptingServer(Protocol):
    """What a socket uses of the ``net.Server`` that accepted it (``server``)."""

    _connections: int

    def _emit_close_if_drained(self) -> None: ...

Callback = Callable[..., Any]
TIMEOUT_MAX = 2**31 - 1
_get_ident = threading.get_ident


def _hwm(opts: Mapping[str, Any], key: str) -> Optional[int]:
    """Node's ``getHighWaterMark`` for a Duplex: integer >= 0 or ERR_INVALID_ARG_VALUE."""
    value = opts.get("high_water_mark")
    if value is None:
        value = opts.get(key)
    # Node names the duplex key even when highWaterMark was given
    name = "options." + re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key)
    if value is None:
        return None
    number = js_number(value) if is_number(value) else NAN
    if not number.is_integer() or number < 0:     # NaN, Infinity (10**400), 1.5, -1
        raise ERR_INVALID_ARG_VALUE(name, value)
    return int(value)


def _fd_kind(fd: int) -> str:
    """Node's ``guessHandleType`` for an fd: TCP, PIPE, UDP, FILE, TTY or UNKNOWN."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return "UNKNOWN"
    if stat.S_ISSOCK(mode):
        try:
            probe = _socket.socket(fileno=fd)
        except OSError:
            return "UNKNOWN"
        try:
            family, kind = probe.family, probe.type
        finally:
            probe.detach()
        if kind != _socket.SOCK_STREAM:
            return "UDP" if family != _socket.AF_UNIX else "UNKNOWN"
        return "PIPE" if family == _socket.AF_UNIX else "TCP"
    if stat.S_ISFIFO(mode):
        return "PIPE"
    if os.isatty(fd):
        return "TTY"
    if stat.S_ISREG(mode) or stat.S_ISCHR(mode):
        return "FILE"
    return "UNKNOWN"



def _on_readable_stream_end(sock: Any, *_: Any) -> None:
    """Node's ``onReadableStreamEnd``, every socket's own ``'end'`` listener: after
    ``'end'`` without half-open, writes fail with EPIPE once our side ended too.
    (On another emitter, where user code may add it, it does nothing.)"""
    if isinstance(sock, Socket) and not sock.allow_half_open:
        sock._after_fin = True


_ON_READABLE_STREAM_END = ThisListener(_on_readable_stream_end)


def _read_more_nt(sock: Socket, state: Any) -> None:
    """FAST PATH (``_fastpath.py``): Readable's maybeReadMore tick for a socket.

    While the handle reads with nothing buffered, the loop's first ``read(0)``
    only changes the state (:meth:`Socket._read_zero_in_place`) and leaves the
    length alone, which ends the loop; anything else takes the general path.
    """
    if FAST_PATHS and (state.high_water_mark > 0 or state.flowing) \
            and sock._read_zero_in_place():
        state.reading_more = False
    else:
        _maybe_read_more_nt(sock, state)


class Socket(Duplex):
    """Node: net.md § "Class: net.Socket" — a TCP or IPC stream.

    Construct with Node's options (a mapping, keywords, or an fd number; any
    other value gives no options, as Node's spread of it does):
    ``allow_half_open``, ``fd``, ``readable``, ``writable``, ``signal``,
    ``onread`` (``{'buffer': bytearray | callable, 'callback': fn(nread, buf)}``),
    ``block_list``, ``no_delay``, ``keep_alive``, ``keep_alive_initial_delay``,
    ``high_water_mark``. Every method may be called from any thread.
    """

    # What every socket uses is a slot. The fields below the slots are rarely set
    # (client connects, options, errors): a class default until then, and only a
    # socket that sets one gets an instance dict (memory per accepted connection).
    __slots__ = (
        "_handle", "connecting", "_idle_ms", "_last_write_queue_size", "_onread_callback",
        "server", "_server", "_bytes_read", "_bytes_written", "_after_fin", "__dict__",
    )
    _host: Optional[str] = None
    _peername: Optional[Dict[str, Any]] = None   # address caches, filled when asked
    _sockname: Optional[Dict[str, Any]] = None
    timeout: Optional[float] = None              # setTimeout()'s idle timer
    _idle_entry: Any = None
    _idle_activity = 0.0
    _pending_data: Any = None
    _onread_buffer: Any = None
    _onread_gen: Optional[Callback] = None
    _no_delay = False                            # setNoDelay() / the noDelay option
    _keep_alive = False                          # setKeepAlive() / the keepAlive option
    _keep_alive_delay = 0                        # seconds
    _keep_alive_interval: Optional[int] = None   # seconds; None: undefined
    _keep_alive_count: Any = None                # as given; None: undefined
    _tos: Optional[int] = None
    _reset_closing = False
    _aborted = False
    auto_select_family_attempted_addresses: Optional[List[str]] = None
    block_list: Any = None
    _connect_ctx: Any = None
    _parent: Any = None
    _signal: Any = None
    _bound = False
    _bound_path: Optional[str] = None
    _where: Optional[str] = None    # endpoints kept for an unhandled 'error'

    _event_args: Dict[Hashable, int] = {
        **Duplex._event_args, "close": 1, "connect": 0, "ready": 0, "timeout": 0, "lookup": 4,
        "connectionAttempt": 3, "connectionAttemptFailed": 4, "connectionAttemptTimeout": 3,
    }

    _handle: Optional[StreamHandle]
    _onread_callback: Optional[Callback]
    server: Optional[AcceptingServer]
    _server: Optional[AcceptingServer]

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        if is_number(options):
            options = {"fd": options}
        elif not isinstance(options, Mapping):
            options = None      # Node spreads anything else: no option comes of it
        opts = options_dict(options, **kwargs)
        # Node's checks, in Node's order; a key present with None is null, which
        # the `!== undefined` checks (fd, keepAliveInitialDelay) reject
        for key in ("object_mode", "readable_object_mode", "writable_object_mode"):
            if js_truthy(opts.get(key)):
                raise ERR_INVALID_ARG_VALUE(f"options.{key}", opts[key], "is not supported")
        delay = None
        if "keep_alive_initial_delay" in opts:
            delay = max(validate_number(opts["keep_alive_initial_delay"],
                                        "options.keep_alive_initial_delay"), 0)
        readable_hwm = _hwm(opts, "readable_high_water_mark")
        writable_hwm = _hwm(opts, "writable_high_water_mark")
        tos = opts.get("type_of_service")
        if "type_of_service" in opts:     # Node: `!== undefined`, so a null is refused
            validate_int32(tos, "options.type_of_service", 0, 255)
        signal = opts.get("signal")
        if js_truthy(signal):
            validate_abort_signal(signal, "signal")
        else:
            signal = None
        block_list = opts.get("block_list")
        if js_truthy(block_list):
            if not BlockList.is_block_list(block_list):
                raise ERR_INVALID_ARG_TYPE("options.block_list", "net.BlockList", block_list)
        else:
            block_list = None
        handle: Optional[StreamHandle] = opts.get("handle")
        bound_path: Optional[str] = None
        bound = isinstance(handle, BoundSocket)
        if bound:      # adopted now: bound, not connected, so no read until connect()
            sock, bound_path, socket_file = handle._consume()  # type: ignore[union-attr]
            handle = BoundStreamHandle(get_loop(), sock, socket_file) \
                if bound_path is not None else StreamHandle(get_loop(), sock)
        sock_for_fd: Optional[_socket.socket] = None
        if handle is None and "fd" in opts:
            fd = validate_int32(opts["fd"], "fd", 0)
            kind = _fd_kind(fd)
            if kind not in ("TCP", "PIPE"):
                raise ERR_INVALID_FD_TYPE(kind)
            try:
                sock_for_fd = _socket.socket(fileno=fd)
            except OSError:
                raise ERR_INVALID_FD_TYPE("PIPE") from None
        if sock_for_fd is not None:
            handle = StreamHandle(get_loop(), sock_for_fd)
        onread = opts.get("onread")
        if bound:
            self._bound = bound
            self._bound_path = bound_path
        self._setup(
            allow_half_open=js_truthy(opts.get("allow_half_open")),
            readable=opts.get("readable") is not False,
            writable=opts.get("writable") is not False,
            readable_hwm=readable_hwm, writable_hwm=writable_hwm,
            handle=handle, onread=onread if isinstance(onread, Mapping) else None,
            no_delay=js_truthy(opts.get("no_delay")),
            keep_alive=js_truthy(opts.get("keep_alive")),
            keep_alive_delay=_seconds(delay), signal=signal, block_list=block_list,
            pause_on_create=js_truthy(opts.get("pause_on_create")),
            manual_start=js_truthy(opts.get("manual_start")) or bound)
        if tos is not None:
            self._tos = int(tos)

    @classmethod
    def _accepted(cls, handle: StreamHandle, allow_half_open: bool, pause: bool,
                  hwm: int) -> Socket:
        """A socket for a connection a server accepted (options known to be valid)."""
        sock = cls.__new__(cls)
        sock._setup(allow_half_open=allow_half_open, readable=True, writable=True,
                    readable_hwm=hwm, writable_hwm=hwm, handle=handle, onread=None,
                    no_delay=False, keep_alive=False, keep_alive_delay=0, signal=None,
                    block_list=None, pause_on_create=pause, manual_start=False)
        return sock

    def _setup(self, *, allow_half_open: bool, readable: bool, writable: bool,
               readable_hwm: Optional[int], writable_hwm: Optional[int],
               handle: Optional[StreamHandle], onread: Optional[Mapping[str, Any]],
               no_delay: bool, keep_alive: bool, keep_alive_delay: int, signal: Any,
               block_list: Any, pause_on_create: bool, manual_start: bool) -> None:
        """The body of Node's Socket constructor, after the option checks."""
        Duplex.__init__(
            self, allow_half_open=allow_half_open, readable=readable, writable=writable,
            readable_high_water_mark=readable_hwm, writable_high_water_mark=writable_hwm)
        # net.Socket: no 'close' from the stream layer (the handle emits it), and
        # auto-destroy once both sides are done.
        self._readable_state.emit_close = False
        self._writable_state.emit_close = False
        self.connecting = False
        self._handle = None
        self._idle_ms = 0.0
        self._last_write_queue_size = 0
        self._onread_callback = None
        if onread is not None:
            buf, cb = onread.get("buffer"), onread.get("callback")
            if callable(cb) and (callable(buf) or isinstance(buf, (bytearray, memoryview))):
                if callable(buf):
                    self._onread_gen = buf
                else:
                    self._onread_buffer = buf     # the callback gets this very object
                self._onread_callback = adapt(cb, 2)     # (nread, buffer)
        if no_delay:
            self._no_delay = True
        if keep_alive:
            self._keep_alive = True
        if keep_alive_delay:
            self._keep_alive_delay = keep_alive_delay
        self.server = None
        self._server = None
        self._bytes_read = 0
        self._bytes_written = 0
        self._after_fin = False
        if block_list is not None:
            self.block_list = block_list
        if signal is not None:
            self._signal = signal
        # Node's onReadableStreamEnd: the one 'end' listener every socket has.
        # One shared listener, as Node's is: a bound method would make a cycle.
        self._add("end", _ON_READABLE_STREAM_END, False)
        self._handle = handle
        # Node's initSocketHandle (it runs even without a handle): its undestroy
        # step is a no-op on states made a moment ago, so only the handle is attached.
        self._attach_handle()
        if handle is None and signal is not None and signal.aborted and self._foreign():
            # Made on another thread: its caller attaches listeners after this
            # returns, so the AbortError waits for connect() (the pattern for
            # other threads: create, attach, then start), which reports it
            # instead of connecting.
            return
        if handle is not None or signal is not None:
            # What touches the loop runs on its thread (posted from elsewhere).
            self._run(self._start, readable and handle is not None, pause_on_create,
                      manual_start)

    def _start(self, read: bool, pause_on_create: bool, manual_start: bool) -> None:
        """The constructor's loop-side steps: start reading, watch the signal."""
        handle = self._handle
        if read and handle is not None:
            if pause_on_create:
                handle.read_stop()
                self._readable_state.flowing = False
            elif not manual_start:
                self._read_impl(0)
        signal = self._signal
        if signal is None:
            return
        # The stream layer's abort (Duplex's addAbortSignal). Node runs it before
        # initSocketHandle, which then "undestroys" the socket, so an aborted
        # signal's socket emits 'error' and 'close' and can still connect and
        # emit again; here it stays destroyed and 'close' is its last event.
        self._abort_on(signal)
        # net's own listener, added a tick later: it stops Happy Eyeballs
        if signal.aborted:
            self._tick(setattr, self, "_aborted", True)
        else:
            self._tick(signal.once, "abort", lambda *_: setattr(self, "_aborted", True))

    # ------------------------------------------------------------------ plumbing

    def _init_handle(self) -> None:
        """Node's ``initSocketHandle``: reset the stream, attach the handle."""
        self._undestroy()
        self._sockname = None
        self._attach_handle()

    def _attach_handle(self) -> None:
        """Own the current handle, with the ``onread`` buffer if there is one."""
        handle = self._handle
        if handle is not None:
            handle.owner = self
            if self._onread_callback is not None:
                buf = self._onread_buffer
                if self._onread_gen is not None:
                    buf = self._onread_gen()
                    if not isinstance(buf, (bytearray, memoryview)):
                        return
                    self._onread_buffer = buf
                handle.onread_buffer = memoryview(buf).cast("B")

    def _abort_on(self, signal: Any) -> None:
        """Destroy with an AbortError when ``signal`` aborts (now, if it already has)."""
        def on_abort(*_: Any) -> None:
            self._destroy_impl(AbortError(cause=signal.reason), None)

        if signal.aborted:
            on_abort()
            return
        signal.once("abort", on_abort)
        self._add("close", _Once(self, "close", lambda *_: signal.remove_listener(
            "abort", on_abort)), False)

    # ------------------------------------------------------------------ connect

    def connect(self, *args: Any, **kwargs: Any) -> Socket:
        """Node: ``socket.connect(options[, listener])``, ``connect(path[, listener])``,
        ``connect(port[, host][, listener])``. Returns the socket.

        Arguments are checked here, in the calling thread; the connection is made
        on the loop thread. Use it again after ``'close'`` to reconnect.
        """
        options, cb = normalize_args(args, kwargs)
        handle = self._handle
        bound = handle is not None and self._bound
        plan = _validate_connect(options, (not handle.is_tcp) if bound else None)  # type: ignore[union-attr]
        self._run(self._connect_impl, options, plan, cb)
        return self

    def _connect_impl(self, options: Dict[str, Any], plan: Dict[str, Any],
                      cb: Optional[Callback]) -> None:
        signal = self._signal
        if signal is not None and signal.aborted:
            # Destroyed by its signal: 'close' was (or now will be) its last event.
            # Node reconnects and emits 'connect' after it, a Node defect.
            if not self.destroyed:
                self._abort_on(signal)       # deferred from another thread's constructor
            return
        if cb is not None:
            self._add("connect", _Once(self, "connect", cb, adapt(cb, 0)), False)
        self._after_fin = False
        if self.destroyed:
            self._handle = None
            self._peername = None
            self._sockname = None
        path = options.get("path")
        # An adopted BoundSocket fixes the transport (until destroyed: then the
        # options decide, as for any socket).
        pipe = (not self._handle.is_tcp) if self._bound and self._handle is not None \
            else js_truthy(path)
        if self._handle is None:
            self._handle = _handle.new_stream_handle(self._loop, pipe=pipe)
            self._init_handle()
        self._update_timer()
        self.connecting = True
        debug("socket connect", path or options.get("port"))
        if pipe:
            self._internal_connect(str(path), None, None, None, None)
        else:
            lookup_and_connect(self, options, plan)

    def _internal_connect(self, address: str, port: Optional[int], address_type: Optional[int],
                          local_address: Optional[str], local_port: Optional[int]) -> None:
        """Node's ``internalConnect``: bind if asked, then one connect attempt."""
        handle = self._handle
        assert handle is not None and self.connecting
        if address_type in (4, 6):
            err = handle.open(_socket.AF_INET if address_type == 4 else _socket.AF_INET6)
            if err:
                self._destroy_impl(connect_error(err, address, port), None)
                return
            if local_address or local_port:
                local_address = local_address or ("0.0.0.0" if address_type == 4 else "::")
                err = handle.bind_local(local_address, local_port or 0)
                if err:
                    self._destroy_impl(connect_error(err, local_address, local_port,
                                                     syscall="bind"), None)
                    return
        self._emit("connectionAttempt", address, port, address_type)
        if address_type in (4, 6):
            block_list = self.block_list
            if block_list is not None and block_list.check(address, f"ipv{address_type}"):
                self._destroy_impl(ERR_IP_BLOCKED(address), None)
                return
            target: Any = (address, port)
        else:
            target = address

        def after(status: int) -> None:
            self._after_connect(status, address, port, address_type, local_address, local_port)

        err = handle.connect(target, after)
        if err:
            sockname = self._get_sockname()
            details = f"{js_string(sockname.get('address'))}:{js_string(sockname.get('port'))}"
            self._destroy_impl(connect_error(err, address, port, details), None)

    def _after_connect(self, status: int, address: str, port: Optional[int],
                       address_type: Optional[int], local_address: Optional[str],
                       local_port: Optional[int]) -> None:
        """Node's ``afterConnect``: 'connect' and 'ready', or the failure."""
        if self.destroyed:
            return
        self.connecting = False
        self._sockname = None
        if status == 0:
            self._bound = False      # connected: an adopted BoundSocket reads as any socket
            handle = self._handle
            assert handle is not None
            self._update_timer()
            if self._no_delay:
                handle.set_no_delay(True)
            if self._keep_alive:
                handle.set_keep_alive(True, self._keep_alive_delay,
                                      *_probe_args(self._keep_alive_interval,
                                                   self._keep_alive_count))
            if self._tos is not None:
                err = handle.set_type_of_service(self._tos)
                if err and err != errno.EBADF:   # reported, but the connection stands
                    self._emit("error", system_error(err, "setTypeOfService"))
            debug("socket connected", address, port)
            self._emit("connect")
            self._emit("ready")
            if not self.is_paused():
                self._read_impl(0)
            return
        details = f"{local_address}:{local_port}" if local_address and local_port else None
        ex = connect_error(status, address, port, details)
        if details:
            ex.local_address, ex.local_port = local_address, local_port
        self._emit("connectionAttemptFailed", address, port, address_type, ex)
        self._destroy_impl(ex, None)

    def _reinitialize_handle(self, handle: StreamHandle) -> None:
        """Node's ``kReinitializeHandle``: swap in a fresh handle (Happy Eyeballs)."""
        if self._handle is not None:
            self._handle.close()
        self._handle = handle
        handle.owner = self
        self._init_handle()

    # ------------------------------------------------------------------ reading

    def _read(self, size: int) -> None:
        # An adopted BoundSocket is not connected yet either: wait for 'connect' (Node
        # starts reading and fails with 'read ENOTCONN'; docs/compat.md).
        if self.connecting or self._handle is None or self._bound:
            self._add("connect", _Once(self, "connect", lambda: self._read(size)), False)
        elif not self._handle.reading:
            self._try_read_start()

    def _try_read_start(self) -> None:
        handle = self._handle
        assert handle is not None
        err = handle.read_start()
        if err:
            self._destroy_impl(system_error(err, "read"), None)

    def _on_handle_data(self, data: Any) -> None:
        """Node's ``onStreamRead`` for data (``data`` is the byte count with ``onread``)."""
        if self._idle_ms:
            self._update_timer()
        if self._writable_state.destroyed:     # the ``destroyed`` property, inlined
            return
        if self._onread_callback is None:
            state = self._readable_state
            if (FAST_PATHS and state.flowing and not state.sync and state.data_listening
                    and state.length == 0 and state.decoder is None
                    and not state.ended and state.errored is None):
                # FAST PATH (_fastpath.py): push(data) when flowing with nothing
                # buffered goes straight to the 'data' listeners, and Node's
                # maybeReadMore tick is done in place when its outcome is known.
                state.reading = False
                writers = state.await_drain_writers
                if writers is not None:    # _no_drain_owed, inlined
                    if type(writers) is set:
                        writers.clear()
                    else:
                        state.await_drain_writers = None
                state.data_emitted = True
                handlers = self._events.get("data")
                if type(handlers) is tuple:
                    for listener in handlers:
                        listener(data)
                elif handlers is not None:
                    handlers(data)
                if not state.reading_more and not state.reading:
                    handle = self._handle
                    if ((state.high_water_mark > 0 or state.flowing) and handle is not None
                            and handle.reading and not self.connecting and state.length == 0
                            and not (state.ended or state.destroyed)
                            and state.errored is None and self._onread_callback is None):
                        # _read_zero_in_place, inlined: its read(0) while reading
                        state.reading = state.need_readable = True
                        state.sync = False
                        return      # nothing buffered, not ended: push() said True
                    state.reading_more = True
                    self._loop._ticks.append((_read_more_nt, (self, state)))
                result = not state.ended and (
                    state.length < state.high_water_mark or state.length == 0)
            else:
                result = self.push(data)
        else:
            buf = self._onread_buffer
            result = self._onread_callback(data, buf) is not False
            if self._onread_gen is not None:
                new = self._onread_gen()
                if isinstance(new, (bytearray, memoryview)):
                    self._onread_buffer = new
                    if self._handle is not None:
                        self._handle.onread_buffer = memoryview(new).cast("B")
        if not result and self._handle is not None:
            self._handle.read_stop()

    def _on_handle_eof(self) -> None:
        if self._idle_ms:
            self._update_timer()
        state = self._readable_state
        assert state is not None
        if not state.end_emitted:
            self.push(None)
            if (FAST_PATHS and state.ended and state.length == 0
                    and self._onread_callback is None):
                # FAST PATH (_fastpath.py): Node's read(0) after push(null) with
                # nothing buffered only schedules 'end' (endReadable)
                _end_readable(self)
            else:
                self._read_impl(0)

    def _on_handle_error(self, err: int, syscall: str) -> None:
        if self._idle_ms:
            self._update_timer()
        self._destroy_impl(system_error(err, syscall), None)

    def pause(self) -> Socket:
        """Node: ``socket.pause()`` — stop reading. Returns the socket."""
        self._run(self._socket_pause)
        return self

    def _socket_pause(self) -> None:
        handle = self._handle
        if (self._onread_callback is not None and not self.connecting and handle is not None
                and handle.reading and not self.destroyed):
            handle.read_stop()
        self._pause()

    def resume(self) -> Socket:
        """Node: ``socket.resume()`` — resume reading. Returns the socket."""
        self._run(self._socket_resume)
        return self

    def _socket_resume(self) -> None:
        handle = self._handle
        if (self._onread_callback is not None and not self.connecting and handle is not None
                and not handle.reading):
            self._try_read_start()
        self._resume()

    def _read_impl(self, size: Optional[int]) -> Any:
        handle = self._handle
        if self._onread_callback is not None:
            if (not self.connecting and handle is not None and not handle.reading
                    and not handle.closed):
                self._try_read_start()
        elif FAST_PATHS and size == 0 and self._read_zero_in_place():
            return None
        return Duplex._read_impl(self, size)

    def _read_zero_in_place(self) -> bool:
        """FAST PATH (``_fastpath.py``): ``read(0)`` with nothing buffered while the
        handle reads, if that is the case: Readable's steps would end with
        ``reading`` and ``need_readable`` set and ``_read`` a no-op, so only those
        are set. True if it applied."""
        handle = self._handle
        state = self._readable_state
        if (handle is not None and handle.reading and not self.connecting
                and self._onread_callback is None and state.length == 0
                and not (state.reading or state.ended or state.destroyed)
                and state.errored is None):
            state.reading = state.need_readable = True
            state.sync = False
            return True
        return False

    # ------------------------------------------------------------------ writing

    def write(self, chunk: Any, encoding: Any = None, callback: Optional[Callback] = None) -> bool:
        """Node: ``socket.write(data[, encoding][, callback])``.

        Returns True if the data went to the kernel or fits under the high-water
        mark, False if the caller should wait for ``'drain'``. After the peer
        ended and our side ended too, the write fails with EPIPE.
        """
        if (FAST_PATHS and type(chunk) is bytes and encoding is None and callback is None
                and self._loop._ident == _get_ident()):
            w = self._writable_state
            handle = self._handle
            if (handle is not None and not self.connecting and not self._after_fin
                    and not (w.writing or w.corked or w.ending or w.destroyed
                             or w.need_drain or w.buffered)
                    and w.errored is None and w.high_water_mark > 0 and chunk
                    and handle.write_cb is None):
                # FAST PATH (_fastpath.py): one send() from here; when the kernel
                # takes it all, every state change of the general path cancels out.
                if self._idle_ms:
                    self._update_timer()
                try:
                    sent = handle.sock.send(chunk, SEND_FLAGS)  # type: ignore[union-attr]
                except (BlockingIOError, InterruptedError):
                    sent = 0
                except OSError as exc:
                    return self._fast_write_rest(chunk, handle, w, 0, exc.errno or errno.EIO)
                if sent == len(chunk):
                    handle.bytes_written += sent
                    return True      # length back to 0 < high-water mark
                return self._fast_write_rest(chunk, handle, w, sent, 0)
        if self._after_fin:
            return self._query(self._write_after_fin, chunk, encoding, callback)  # type: ignore[no-any-return]
        return Duplex.write(self, chunk, encoding, callback)

    def _fast_write_rest(self, chunk: bytes, handle: StreamHandle, w: Any, sent: int,
                         err: int) -> bool:
        """The write fast path when the kernel did not take it all: join the
        general path's state there. ``sent`` bytes went (the rest waits in the
        handle as an async write), or the send failed with ``err``.
        """
        length = len(chunk)
        if not err:
            handle.sent([chunk], length, sent, None)
        w.pending_cb += 1
        w.length += length
        w.writelen = length
        w.writecb = _nop_cb
        w.writing = True
        if err:
            handle.bytes_written += length   # a failed Buffer write counts, as in Node
            w.sync = True
            self._onwrite(system_error(err, "write"))
            w.sync = False
        else:
            handle.write_cb = self._write_completion(self._onwrite)
            self._last_write_queue_size = handle.write_size
            w.sync = False         # as _write_or_buffer leaves it after _write returns
        ret = bool(w.length < w.high_water_mark)
        if not ret:
            w.need_drain = True
        return ret and not w.destroyed and w.errored is None

    def _write_after_fin(self, chunk: Any, encoding: Any, callback: Optional[Callback]) -> bool:
        w = self._writable_state
        assert w is not None
        if not w.ending:
            return Duplex.write(self, chunk, encoding, callback)
        _encoding, cb = _split_args(encoding, callback)
        er = epipe_ended_by_peer()
        if cb is not None:
            self._tick(cb, er)
        self._destroy_impl(er, None)
        return False

    _has_writev = True
    _decode_strings = False     # Node's net.Socket: decodeStrings false

    def _write(self, chunk: bytes, callback: Callback) -> None:
        # Node's _write gets the chunk's encoding (decodeStrings: false) and writes
        # a short string as a string; here the stream says so (write_tried)
        self._write_generic(False, chunk, callback, self._writable_state.write_tried)

    def _writev(self, chunks: List[bytes], callback: Callback) -> None:
        self._write_generic(True, chunks, callback, False)

    def _write_generic(self, writev: bool, data: Any, cb: Callback, tried: bool) -> None:
        """Node's ``_writeGeneric``: wait for the connect, or hand to the handle.
        ``tried``: ``data`` is a short string's bytes (a failed write counts nothing)."""
        if self.connecting:
            self._pending_data = data

            def on_connect() -> None:
                self._remove("close", on_close)
                self._write_generic(writev, data, cb, tried)

            def on_close(*_: Any) -> None:
                cb(ERR_SOCKET_CLOSED_BEFORE_CONNECTION())

            self._add("connect", _Once(self, "connect", on_connect), False)
            self._add("close", _Once(self, "close", on_close), False)
            return
        if self._pending_data is not None:
            self._pending_data = None
        handle = self._handle
        if handle is None:
            cb(ERR_SOCKET_CLOSED())
            return
        if self._idle_ms:
            self._update_timer()
        err, is_async = handle.write(data if writev else [data], None, tried)
        if err:
            cb(system_error(err, "write"))
        elif is_async:
            handle.write_cb = self._write_completion(cb)
            self._last_write_queue_size = handle.write_size
        else:
            cb(None)

    def _write_completion(self, cb: Callback) -> Callable[[int], None]:
        """Node's ``onWriteComplete`` for an async write (made only when one is needed).

        A failed status wins over ``destroyed`` (Node 26): a write that
        ``destroy()`` cancelled calls back with ``write ECANCELED``, and the
        writes buffered behind it get the same error. (Node 20 checked
        ``destroyed`` first: None, then ERR_STREAM_DESTROYED.)
        """
        def complete(status: int) -> None:
            if status:
                cb(system_error(status, "write"))
                return
            if self.destroyed:
                cb(None)
                return
            if self._idle_ms:
                self._update_timer()
            self._last_write_queue_size = 0
            cb(None)
        return complete

    def _final(self, callback: Callback) -> None:
        """Node's ``_final``: shut down the write side once connected.

        A socket that never connected (no handle) finishes at once, so ``end()``
        calls back and emits ``'finish'`` (Node >= 21; Node 20 waited forever).
        """
        if self.connecting:
            self._add("connect", _Once(self, "connect", lambda: self._final(callback)), False)
            return
        handle = self._handle
        if handle is None:
            callback()
            return
        err = handle.shutdown(lambda status: callback())
        if err:
            if err == errno.ENOTCONN:
                callback()
            else:
                callback(system_error(err, "shutdown"))

    def end(self, chunk: Any = None, encoding: Any = None,
            callback: Optional[Callback] = None) -> Socket:
        """Node: ``socket.end([data[, encoding]][, callback])`` — half-close (FIN).

        ``callback`` runs on ``'finish'``. Returns the socket.
        """
        if (FAST_PATHS and type(chunk) is bytes and chunk and encoding is None
                and callback is None and not self._after_fin
                and self._loop._ident == _get_ident()):
            # FAST PATH (_fastpath.py): Node's end(data) writes data with the same
            # internal write as write(data), then ends; so write() (and its own
            # fast path) takes the data, and end() follows with no chunk.
            self.write(chunk)
            self._end_impl(None, None)
            return self
        Duplex.end(self, chunk, encoding, callback)
        return self

    def destroy_soon(self) -> None:
        """Node: ``socket.destroySoon()`` — end, then destroy once the data is written."""
        self._run(self._destroy_soon)

    def _destroy_soon(self) -> None:
        if self.writable:
            self._end_impl(None, None)
        if self.writable_finished:
            self._destroy_impl(None, None)
        else:
            self._add("finish", _Once(self, "finish", lambda: self._destroy_impl(None, None)),
                      False)

    def reset_and_destroy(self) -> Socket:
        """Node: ``socket.resetAndDestroy()`` — close with an RST. Returns the socket.

        While connecting, the RST follows the connect. Without a connection the
        socket is destroyed with ERR_SOCKET_CLOSED. Raises ERR_INVALID_HANDLE_TYPE
        for a Unix socket.
        """
        self._query(self._reset_and_destroy)
        return self

    def _reset_and_destroy(self) -> None:
        handle = self._handle
        if handle is not None:
            if not handle.is_tcp:
                raise ERR_INVALID_HANDLE_TYPE()
            if self.connecting:
                self._add("connect", _Once(self, "connect", self._reset), False)
            else:
                self._reset()
        else:
            self._destroy_impl(ERR_SOCKET_CLOSED(), None)

    def _reset(self) -> None:
        self._reset_closing = True
        self._destroy_impl(None, None)

    def _destroy(self, exception: Optional[BaseException], cb: Callback) -> None:
        """Node's ``Socket._destroy``: close the handle; 'close' comes from its callback."""
        self.connecting = False
        self._clear_idle()
        if self._connect_ctx is not None:
            self._connect_ctx.close_all()
            self._connect_ctx = None
        handle = self._handle
        if exception is not None and "error" not in self._events:
            # an unhandled 'error' is coming: keep the endpoints for its report
            self._where = self._endpoints(exception)
        if handle is not None:
            is_exception = exception is not None
            self._bytes_read = handle.bytes_read
            self._bytes_written = handle.bytes_written
            reset = self._reset_closing
            if reset:
                self._reset_closing = False
            handle.close(lambda: self._emit_close(is_exception), reset=reset)
            self._handle = None
            if self._sockname is not None:
                self._sockname = None
            cb(exception)
        else:
            cb(exception)
            self._tick(self._emit, "close", False)
        server = self._server
        if server is not None:
            server._connections -= 1
            server._emit_close_if_drained()

    def _emit_close(self, had_error: bool) -> None:
        self._emit("close", had_error)

    # ------------------------------------------------------------------ timeout

    def set_timeout(self, timeout: Any, callback: Optional[Callback] = None) -> Socket:
        """Node: ``socket.setTimeout(timeout[, callback])`` — idle timeout in ms.

        0 disables it (and removes ``callback``). Reads and writes restart the
        countdown; ``'timeout'`` only notifies, nothing is closed. Returns the socket.
        """
        return self._query(self._set_timeout, timeout, callback)  # type: ignore[no-any-return]

    def _set_timeout(self, msecs: Any, callback: Optional[Callback]) -> Socket:
        if self.destroyed:
            return self
        self.timeout = msecs
        msecs = _timer_duration(msecs, "msecs")
        self._clear_idle()
        if msecs == 0:
            if callback is not None:
                validate_function(callback, "callback")
                self._remove("timeout", callback)
        else:
            self._idle_ms = msecs
            self._idle_activity = self._loop.clock()
            self._arm_idle()
            if callback is not None:
                validate_function(callback, "callback")
                self._add("timeout", _Once(self, "timeout", callback, adapt(callback, 0)),
                          False)
        return self

    def _arm_idle(self) -> None:
        loop = self._loop
        assert loop is not None
        self._idle_entry = loop.add_timer(self._idle_activity + self._idle_ms / 1000.0,
                                          self._idle_fire)

    def _clear_idle(self) -> None:
        entry = self._idle_entry
        if entry is not None:
            self._loop.cancel_timer(entry)
            self._idle_entry = None
        self._idle_ms = 0

    def _update_timer(self) -> None:
        """Node's ``_unrefTimer``: activity restarts the idle countdown (lazily)."""
        if self._idle_ms:
            self._idle_activity = self._loop._now
            if self._idle_entry is None:
                self._arm_idle()

    def _idle_fire(self) -> None:
        self._idle_entry = None
        if not self._idle_ms:
            return
        loop = self._loop
        assert loop is not None
        if self._idle_activity + self._idle_ms / 1000.0 > loop._now + 1e-6:
            self._arm_idle()             # there was activity: wait for the rest
            return
        self._on_timeout()

    def _on_timeout(self) -> None:
        """Node's ``_onTimeout``: no 'timeout' while a pending write is progressing."""
        handle = self._handle
        last = self._last_write_queue_size
        if last > 0 and handle is not None:
            size = handle.write_queue_size
            if last != size:
                self._last_write_queue_size = size
                self._idle_activity = self._loop._now
                self._arm_idle()
                return
        debug("socket timeout")
        self._emit("timeout")

    # ------------------------------------------------------------------ options

    def set_no_delay(self, no_delay: Any = True) -> Socket:
        """Node: ``socket.setNoDelay([noDelay])`` — default True (also for ``None``,
        JavaScript's ``undefined``); otherwise JavaScript truthiness. Returns the socket."""
        self._run(self._set_no_delay, True if no_delay is None else js_truthy(no_delay))
        return self

    def _set_no_delay(self, enable: bool) -> None:
        handle = self._handle
        if handle is None:
            self._no_delay = enable
        elif handle.is_tcp and enable != self._no_delay:
            self._no_delay = enable
            handle.set_no_delay(enable)

    def set_keep_alive(self, enable: Any = False, initial_delay: Any = None,
                       interval: Any = None, count: Any = None) -> Socket:
        """Node: ``socket.setKeepAlive([enable][, initialDelay][, interval][, count])``
        and ``setKeepAlive(options)`` (Node 26): TCP keep-alive probes.

        ``enable`` may be an options mapping (``enable``, ``initial_delay``,
        ``interval``, ``count``; camelCase too); as in Node, any other object (a
        list, bytes, an instance) is an options object with none of them. Delays
        are milliseconds, applied in whole seconds as JavaScript's
        ``~~(ms / 1000)``; ``interval`` defaults
        to 1 s and ``count`` (a whole number, else 10) to 10 probes. As in libuv,
        any of the three being 0 turns keep-alive on but leaves all three as they
        were. Values set before the connection are applied when it is made.
        Nothing is validated or raised, as in Node. Returns the socket.
        """
        if is_js_object(enable):
            # Node: any object is the options form (a list, bytes or an instance
            # has no options: keep-alive off), never a truthy `enable`
            options = options_dict(enable) if isinstance(enable, Mapping) else {}
            enable = options.get("enable")
            initial_delay = options.get("initial_delay")
            interval = options.get("interval", _UNDEFINED)   # present None is null: 0 s
            count = options.get("count")
        else:
            interval = _UNDEFINED if interval is None else interval
        self._run(self._set_keep_alive, js_truthy(enable), _seconds(initial_delay),
                  None if interval is _UNDEFINED else _seconds(interval), count)
        return self

    def _set_keep_alive(self, enable: bool, delay: int, interval: Optional[int],
                        count: Any) -> None:
        handle = self._handle
        if handle is not None and not handle.is_tcp:
            return
        if handle is not None and not (
                enable != self._keep_alive
                or (enable and (delay != self._keep_alive_delay
                                or interval != self._keep_alive_interval
                                or count is not self._keep_alive_count
                                and count != self._keep_alive_count))):
            return
        self._keep_alive = enable
        self._keep_alive_delay = delay
        self._keep_alive_interval = interval
        self._keep_alive_count = count
        if handle is not None:
            handle.set_keep_alive(enable, delay, *_probe_args(interval, count))

    def set_type_of_service(self, tos: Any) -> Socket:
        """Node: ``socket.setTypeOfService(tos)`` (Node 24.15 / 25.6): IP_TOS for
        IPv4, IPV6_TCLASS for IPv6, an integer 0-255.

        Before the connection the value is kept and applied when it is made (a
        failure then is an ``'error'`` event); while the connect is under way
        (no OS socket yet) it raises EBADF, as Node does. The kernel keeps a TCP
        socket's two ECN bits, so :meth:`get_type_of_service` may read back less.
        Returns the socket.
        """
        if isinstance(tos, float) and math.isnan(tos):
            raise ERR_INVALID_ARG_TYPE("tos", "number", tos)
        validate_int32(tos, "tos", 0, 255)
        self._query(self._set_type_of_service, int(tos))
        return self

    def _set_type_of_service(self, tos: int) -> None:
        handle = self._handle
        if handle is None or not handle.is_tcp:
            self._tos = tos
            return
        if tos != self._tos:
            self._tos = tos
            err = handle.set_type_of_service(tos)
            if err:
                raise system_error(err, "setTypeOfService")

    def get_type_of_service(self) -> int:
        """Node: ``socket.getTypeOfService()``: the kernel's value once connected,
        else the value set (0 if none); raises EBADF while connecting."""
        return self._query(self._get_type_of_service)  # type: ignore[no-any-return]

    def _get_type_of_service(self) -> int:
        handle = self._handle
        if handle is None or not handle.is_tcp:
            return self._tos if self._tos is not None else 0
        err, value = handle.get_type_of_service()
        if err:
            raise system_error(err, "getTypeOfService")
        return value

    def ref(self) -> Socket:
        """Node: ``socket.ref()``. Returns the socket."""
        self._run(self._set_ref, True)
        return self

    def unref(self) -> Socket:
        """Node: ``socket.unref()`` — this socket alone does not keep the loop alive."""
        self._run(self._set_ref, False)
        return self

    def _set_ref(self, refed: bool) -> None:
        handle = self._handle
        if handle is None:
            self._add("connect", _Once(self, "connect", lambda: self._set_ref(refed)), False)
        elif refed:
            handle.ref()
        else:
            handle.unref()

    # ------------------------------------------------------------------ properties

    def address(self) -> Dict[str, Any]:
        """Node: ``socket.address()`` — ``{'port', 'family', 'address'}`` or ``{}``."""
        return dict(self._query(self._get_sockname))

    def _get_sockname(self) -> Dict[str, Any]:
        if self._bound_path is not None:     # an adopted, bound client Unix socket
            return {"address": self._bound_path}
        handle = self._handle
        if handle is None or not handle.is_tcp:
            return {}
        if self._sockname is None:
            self._sockname = handle.getsockname()
        return self._sockname

    def _get_peername(self) -> Dict[str, Any]:
        handle = self._handle
        if handle is None or not handle.is_tcp or self.connecting:
            return self._peername or {}
        if self._peername is None:
            out = handle.getpeername()
            if not out:
                return out
            self._peername = out
        return self._peername

    @property
    def remote_address(self) -> Optional[str]:
        """Node: ``socket.remoteAddress`` (kept after close; None before connect)."""
        return self._get_peername().get("address")

    @property
    def remote_family(self) -> Optional[str]:
        """Node: ``socket.remoteFamily`` — ``'IPv4'`` or ``'IPv6'``."""
        return self._get_peername().get("family")

    @property
    def remote_port(self) -> Optional[int]:
        """Node: ``socket.remotePort``."""
        return self._get_peername().get("port")

    @property
    def local_address(self) -> Optional[str]:
        """Node: ``socket.localAddress``."""
        return self._get_sockname().get("address")

    @property
    def local_port(self) -> Optional[int]:
        """Node: ``socket.localPort``."""
        return self._get_sockname().get("port")

    @property
    def local_family(self) -> Optional[str]:
        """Node: ``socket.localFamily``."""
        return self._get_sockname().get("family")

    @property
    def pending(self) -> bool:
        """Node: ``socket.pending`` — not connected yet (or not any more)."""
        return self._handle is None or self.connecting

    @property
    def ready_state(self) -> str:
        """Node: ``socket.readyState``: opening, open, readOnly, writeOnly or closed."""
        if self.connecting:
            return "opening"
        readable, writable = self.readable, self.writable
        if readable and writable:
            return "open"
        if readable:
            return "readOnly"
        if writable:
            return "writeOnly"
        return "closed"

    @property
    def bytes_read(self) -> int:
        """Node: ``socket.bytesRead`` (per connection, kept after close)."""
        handle = self._handle
        return handle.bytes_read if handle is not None else self._bytes_read

    @property
    def bytes_written(self) -> int:
        """Node: ``socket.bytesWritten`` — sent, queued and buffered bytes."""
        handle = self._handle
        total = handle.bytes_written if handle is not None else self._bytes_written
        w = self._writable_state
        if w is not None:
            for req in w.buffered[w.buffered_index:]:
                if req is not None:
                    total += len(req.chunk)
        data = self._pending_data
        if isinstance(data, list):
            total += sum(len(c) for c in data)
        elif data is not None:
            total += len(data)
        return total

    @property
    def buffer_size(self) -> Optional[int]:
        """Node: ``socket.bufferSize`` (deprecated): ``writable_length``, None without a handle."""
        return self.writable_length if self._handle is not None else None

    def fileno(self) -> int:
        """The OS file descriptor, or -1 when there is none."""
        handle = self._handle
        return handle.fileno() if handle is not None else -1

    def __enter__(self) -> Socket:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.destroy()

    def _endpoints(self, err: Optional[BaseException] = None) -> str:
        """``local -> remote`` (``ip:port`` each) as far as they are known (the
        remote end of a failed connect comes from its error)."""
        def show(info: Dict[str, Any]) -> str:
            address = info.get("address")
            if address is None:
                return "?"
            return f"[{address}]:{info.get('port')}" if ":" in address \
                else f"{address}:{info.get('port')}"
        local, remote = self._get_sockname(), self._get_peername()
        if not remote and getattr(err, "address", None) and getattr(err, "port", None):
            remote = {"address": err.address, "port": err.port}  # type: ignore[union-attr]
        if not local and not remote:
            return "unix socket" if self._handle is not None and not self._handle.is_tcp \
                else "not connected"
        return f"{show(local)} -> {show(remote)}"

    def __repr__(self) -> str:
        return f"<Socket {self.ready_state} {self._where or self._endpoints()}>"


# ---------------------------------------------------------------------- helpers


# JavaScript's undefined where None means null (an options key given as None).
_UNDEFINED: Any = object()


def _seconds(msecs: Any) -> int:
    """JavaScript's ``~~(msecs / 1000)``: whole seconds as an int32 (NaN, None: 0)."""
    return js_to_int32(js_to_number(msecs) / 1000.0)


def _is_uint32(value: Any) -> bool:
    """V8's ``IsUint32()``: a number that is a whole value in [0, 2**32)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, float) and not value.is_integer():
        return False
    return bool(0 <= value <= 0xFFFFFFFF)


def _probe_args(interval: Optional[int], count: Any) -> List[int]:
    """What Node's TCPWrap passes libuv: the interval (seconds, 1 when undefined or
    negative) and the count (10 unless a uint32)."""
    return [interval if interval is not None and interval >= 0 else 1,
            int(count) if _is_uint32(count) else 10]


def _timer_duration(msecs: Any, name: str) -> float:
    """Node's ``getTimerDuration``: a finite number >= 0, capped at 2**31-1.

    A Python int beyond the double range is JavaScript's Infinity (out of range).
    """
    number = validate_number(msecs, name)
    if number < 0 or number != number or number in (float("inf"), float("-inf")):
        shown = msecs if number == number and abs(number) != float("inf") else number
        raise ERR_OUT_OF_RANGE(name, "a non-negative finite number", shown)
    if msecs > TIMEOUT_MAX:
        warnings.warn(TimeoutOverflowWarning(
            f"{msecs} does not fit into a 32-bit signed integer.\n"
            f"Timer duration was truncated to {TIMEOUT_MAX}."), stacklevel=4)
        return TIMEOUT_MAX
    return number


def _validate_connect(options: Dict[str, Any], bound_pipe: Optional[bool] = None
                      ) -> Dict[str, Any]:
    """Every synchronous check of Node's ``connect``/``lookupAndConnect``, in order.

    ``bound_pipe`` is None for a socket without an adopted BoundSocket, else
    whether the adopted one is a Unix socket (its type, not ``path``, decides).
    """
    if "port" not in options and options.get("path") is None:
        raise ERR_MISSING_ARGS(["options", "port", "path"])
    plan: Dict[str, Any] = {"bound": bound_pipe is not None}
    path = options.get("path")
    if bound_pipe if bound_pipe is not None else js_truthy(path):
        # Node's !!path: an empty {} or [] is a (bad) path too
        validate_string(path, "options.path")
        return plan
    host = options.get("host")
    if not js_truthy(host):
        host = "localhost"
    validate_string_without_null_bytes(host, "options.host")   # Node >= 26.3.1
    if bound_pipe is not None and ("local_address" in options or "local_port" in options):
        raise ERR_INVALID_ARG_VALUE(
            "options", options,
            "local_address and local_port cannot be used with an adopted bound socket")
    local_address = options.get("local_address")
    if js_truthy(local_address) and not is_ip(local_address):
        raise ERR_INVALID_IP_ADDRESS(local_address)
    local_port = options.get("local_port")
    if js_truthy(local_port):
        validate_number(local_port, "options.local_port")
    port = options.get("port")
    if "port" in options:
        if not (is_number(port) or isinstance(port, str)):
            raise ERR_INVALID_ARG_TYPE("options.port", ["number", "string"], port)
        port = validate_port(port)
    plan["port"] = int(port or 0)
    auto = False if bound_pipe is not None else options.get("auto_select_family")
    if auto is not None:     # a bound socket's own address decides: no Happy Eyeballs
        validate_boolean(auto, "options.auto_select_family")
    else:
        auto = _defaults.get_default_auto_select_family()
    plan["auto_select_family"] = auto
    attempt = options.get("auto_select_family_attempt_timeout")
    if attempt is not None:
        validate_int32(attempt, "options.auto_select_family_attempt_timeout", 1)
        attempt = max(attempt, 10)
    else:
        attempt = _defaults.get_default_auto_select_family_attempt_timeout()
    plan["attempt_timeout"] = attempt
    race = options.get("auto_select_family_race")
    if race is not None:
        validate_boolean(race, "options.auto_select_family_race")
    plan["race"] = bool(race)
    plan["host"] = host
    if not is_ip(host):
        lookup = options.get("lookup")
        if lookup is not None:
            validate_function(lookup, "options.lookup")
        else:
            # what dns.lookup would throw, thrown here
            family = options.get("family")
            dns_family = {"IPv4": 4, "IPv6": 6}.get(family, family) if isinstance(family, str) \
                else family
            hints = options.get("hints")
            _parse_options({"family": dns_family, "hints": hints if js_truthy(hints) else 0})
    return plan


def create_connection(*args: Any, **kwargs: Any) -> Socket:
    """Node: ``net.createConnection(options[, listener])`` / ``(path[, listener])`` /
    ``(port[, host][, listener])``.

    Makes a :class:`Socket` from the options and calls ``Socket.connect`` (looked
    up on the class, so it can be replaced). ``options['timeout']`` calls
    ``set_timeout`` first.
    """
    options, cb = normalize_args(args, kwargs)
    sock = Socket(options)
    if js_truthy(options.get("timeout")):
        sock.set_timeout(options["timeout"])
    if cb is not None:
        return Socket.connect(sock, options, cb)
    return Socket.connect(sock, options)


#: Node: ``net.connect`` is ``net.createConnection``.
connect = create_connection

