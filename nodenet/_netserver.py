"""``net.Server``: TCP and Unix-domain listening sockets.

Node: net.md § "Class: net.Server" and § "net.createServer([options][,
connectionListener])" (Node 26), following Node 26.12's ``lib/net.js``:

* ``listen()`` without a host binds synchronously (``address()`` works at once)
  on ``::`` dual-stack, or ``0.0.0.0`` when IPv6 is unavailable; ``'listening'``
  comes on the next tick, and only if the server was not closed meanwhile;
* with a host, the bind waits for ``dns.lookup`` (and ``close()`` cancels it);
* bind and listen failures are ``'error'`` on the next tick, as
  ``listen EADDRINUSE: address already in use :::8080``;
* a second ``listen()`` while listening raises ERR_SERVER_ALREADY_LISTEN;
* ``close()`` stops accepting at once and emits ``'close'`` once every accepted
  connection has closed; its callback gets ERR_SERVER_NOT_RUNNING if the server
  was not listening;
* accepting is bounded per readiness event; running out of fds drops the waiting
  connections (libuv's reserve-fd trick) instead of spinning.

Differences: the Unix socket file is unlinked on close only if it is still the
one this server created (libuv unlinks whatever is there);
``close_all_connections()`` is an addition.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import _socket
import socket
import stat
from typing import Any, Callable, Dict, Hashable, Mapping, Optional, Union

from . import dns
from ._args import is_js_object, normalize_args, options_dict, to_number
from ._debug import debug
from ._handle import StreamHandle, sockaddr_info, sun_path, unlink_socket_file
from ._isip import is_ip
from ._jscall import adapt
from ._loop import EVENT_READ, Handle, Loop, get_loop
from ._netsocket import Socket, _seconds
from ._sockopts import set_ipv6_only, set_reuse_address, set_reuse_port
from ._validators import (
    is_number, js_to_int32, js_to_number, js_truthy, validate_function, validate_number,
    validate_port,
)
from .errors import (
    ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_SERVER_ALREADY_LISTEN,
    ERR_SERVER_NOT_RUNNING, listen_error, system_error,
)
from .blocklist import BlockList
from .boundsocket import BoundSocket
from .events import EventEmitter, _Once, validate_abort_signal
from .stream import get_default_high_water_mark

__all__ = ("Server", "create_server")

Callback = Callable[..., Any]
_DEFAULT_BACKLOG = 511
_MAX_ACCEPTS = 1000
# socket.accept() is socket._accept() plus enum lookups of family and type; the
# listener knows both, so accepting through _accept saves them (CPython, PyPy).
_HAS_RAW_ACCEPT = hasattr(socket.socket, "_accept")


class _ListenHandle(Handle):
    """A listening socket on the loop (libuv's server ``uv_tcp_t``/``uv_pipe_t``)."""

    __slots__ = ("sock", "server", "pipe_path", "pipe_inode", "accept_limit", "family",
                 "kind", "proto")

    def __init__(self, loop: Loop, sock: socket.socket) -> None:
        sock.setblocking(False)
        Handle.__init__(self, loop, sock.fileno())
        self.sock = sock
        # plain ints for the accepted sockets: socket.family/.type are enum lookups
        self.family = int(sock.family)
        self.kind = int(sock.type)
        self.proto = sock.proto
        self.server: Optional[Server] = None
        self.pipe_path: Optional[Union[str, bytes]] = None
        self.pipe_inode: Optional[tuple] = None  # type: ignore[type-arg]
        self.accept_limit = _DEFAULT_BACKLOG
        loop.add_handle(self)

    @property
    def is_tcp(self) -> bool:
        return self.family in (socket.AF_INET, socket.AF_INET6)

    def listen(self, backlog: int) -> int:
        try:
            self.sock.listen(backlog)
        except OSError as exc:
            return exc.errno or errno.EINVAL
        self.accept_limit = max(1, min(backlog, _MAX_ACCEPTS))
        _ensure_reserve_fd(self.loop)
        self.loop.io_start(self, EVENT_READ)
        self.sync_ref()
        return 0

    def on_readable(self) -> None:
        """Poll phase: accept what is waiting, a bounded number at a time."""
        server = self.server
        sock = self.sock
        family, kind, proto = self.family, self.kind, self.proto
        for _ in range(self.accept_limit):
            if self.closed:
                return
            try:
                if _HAS_RAW_ACCEPT:
                    # sock.accept() minus its enum lookups and address tuple, and
                    # the C socket without socket.py's Python-level wrapper (its
                    # __init__ and close() are Python calls; nodenet needs neither)
                    fd, _ = sock._accept()  # type: ignore[attr-defined]
                    conn = _socket.socket(family, kind, proto, fd)
                else:  # pragma: no cover - a socket module without _accept
                    conn = sock.accept()[0]
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionAbortedError:
                continue
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE) and self._emfile_trick():
                    return
                if server is not None:
                    server._emit("error", system_error(exc.errno or errno.EIO, "accept"))
                return
            if server is None:  # pragma: no cover - a handle always has its server
                conn.close()
                continue
            # one callback per connection, as libuv's connection_cb: ticks run between
            self.loop._call(server._on_connection, conn, self.family)

    def _emfile_trick(self) -> bool:
        """Out of fds: free the reserve fd, accept and drop the waiting connections.

        libuv's ``uv__emfile_trick``: without it the listening socket stays
        readable and the loop spins. True when the queue was emptied.
        """
        fd = self.loop.emfile_fd
        if fd is None:
            return False
        os.close(fd)
        self.loop.emfile_fd = None
        try:
            while True:
                try:
                    conn, _ = self.sock.accept()
                except (BlockingIOError, InterruptedError):
                    return True
                except OSError:
                    return False
                conn.close()
        finally:
            _ensure_reserve_fd(self.loop)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.loop.io_close(self)
        self.sync_ref()
        self.loop.remove_handle(self)
        self.sock.close()
        if self.pipe_path is not None and self.pipe_inode is not None:
            unlink_socket_file(self.pipe_path, self.pipe_inode)
        # a closed handle's turn in the closing phase keeps the loop alive one
        # iteration more, as libuv's closing handles do (StreamHandle.close)
        self.loop.add_closing(_closed)

    def _loop_teardown(self) -> None:
        self.close()

    def getsockname(self) -> Dict[str, Any]:
        try:
            return sockaddr_info(self.family, self.sock.getsockname())
        except OSError:
            return {}

    def fileno(self) -> int:
        return -1 if self.closed else self.fd


def _closed() -> None:
    """Nothing runs when a listening handle's close completes (Node passes no callback)."""


def _ensure_reserve_fd(loop: Loop) -> None:
    if loop.emfile_fd is None:
        try:
            loop.emfile_fd = os.open(os.devnull, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            loop.emfile_fd = None


class Server(EventEmitter):
    """Node: net.md § "Class: net.Server" — a TCP or IPC server.

    Options: ``allow_half_open``, ``pause_on_connect``, ``no_delay``, ``keep_alive``,
    ``keep_alive_initial_delay``, ``high_water_mark``, ``block_list`` (a mapping,
    keywords, or Node's camelCase keys; a list, bytes or other object is an options
    object without options, as in Node). Every method may be called from any thread.
    """

    __slots__ = (
        "_handle", "_connections", "_unref", "_listening_id", "allow_half_open",
        "pause_on_connect", "no_delay", "keep_alive", "keep_alive_initial_delay",
        "high_water_mark", "max_connections", "_pipe_name", "block_list",
        "_connection_key",
    )

    _loop: Loop            # a server always belongs to a loop (set in __init__)

    _event_args: Dict[Hashable, int] = {
        **EventEmitter._event_args, "listening": 0, "connection": 1, "close": 0, "drop": 1,
    }

    def __init__(self, options: Any = None, connection_listener: Optional[Callback] = None,
                 **kwargs: Any) -> None:
        super().__init__()
        self._loop = get_loop()
        if callable(options) and connection_listener is None and not kwargs:
            connection_listener, options = options, None
        if options is not None and not isinstance(options, Mapping):
            if not is_js_object(options):
                raise ERR_INVALID_ARG_TYPE("options", "Object", options)
            options = None        # an array, a Buffer, an instance: no options in it
        opts = options_dict(options, **kwargs)
        # a key present with None is null, which Node's `!== undefined` checks reject
        delay = None
        if "keep_alive_initial_delay" in opts:
            delay = max(validate_number(opts["keep_alive_initial_delay"],
                                        "options.keep_alive_initial_delay"), 0)
        hwm = None
        if "high_water_mark" in opts:
            hwm = given = opts["high_water_mark"]
            hwm = validate_number(hwm, "options.highWaterMark")
            if hwm < 0:
                hwm = get_default_high_water_mark(False)
            elif not hwm.is_integer():
                # NaN, 1.5, Infinity: Node accepts them here and then throws this from
                # every accept, which kills the process; nodenet says so at the call.
                raise ERR_INVALID_ARG_VALUE("options.readableHighWaterMark", given)
        block_list = opts.get("block_list")
        if js_truthy(block_list):
            if not BlockList.is_block_list(block_list):
                raise ERR_INVALID_ARG_TYPE("options.block_list", "net.BlockList", block_list)
        else:
            block_list = None
        self._handle: Optional[_ListenHandle] = None
        self._connections = 0
        self._unref = False
        self._listening_id = 1
        self.allow_half_open = js_truthy(opts.get("allow_half_open"))
        self.pause_on_connect = js_truthy(opts.get("pause_on_connect"))
        self.no_delay = js_truthy(opts.get("no_delay"))
        self.keep_alive = js_truthy(opts.get("keep_alive"))
        #: seconds, as JavaScript's ``~~(ms / 1000)`` (Node keeps seconds here too)
        self.keep_alive_initial_delay = _seconds(delay)
        self.high_water_mark = int(hwm) if hwm is not None else get_default_high_water_mark(False)
        #: Node: ``server.maxConnections`` — None means no limit.
        self.max_connections: Optional[int] = None
        self._pipe_name: Optional[str] = None
        self.block_list = block_list
        self._connection_key: Optional[str] = None
        if connection_listener is not None:
            self.on("connection", connection_listener)

    # ------------------------------------------------------------------ listen

    def listen(self, *args: Any, **kwargs: Any) -> Server:
        """Node: ``server.listen([port[, host[, backlog]]][, callback])``,
        ``listen(path[, backlog][, callback])``, ``listen(options[, callback])``,
        ``listen(handle[, backlog][, callback])``. Returns the server.

        ``handle`` is a :class:`~nodenet.BoundSocket` (adopted: the server listens
        on it), a ``socket.socket`` (duplicated), an object with ``fileno()``, a
        ``{'fd': n}`` mapping (the fd is taken over), or a Server/Socket. Options: ``port``, ``host``, ``path``, ``backlog``,
        ``exclusive``, ``ipv6_only``, ``reuse_port``, ``readable_all``,
        ``writable_all``, ``signal``.
        """
        return self._query(self._listen, args, kwargs)  # type: ignore[no-any-return]

    def _listen(self, args: Any, kwargs: Dict[str, Any]) -> Server:
        bound = args[0] if args and isinstance(args[0], BoundSocket) else None
        handle_arg = _as_handle(args[0]) if args and bound is None else None
        if handle_arg is not None or bound is not None:
            options: Dict[str, Any] = {"_fd": handle_arg}
            cb = args[-1] if callable(args[-1]) else None
        else:
            options, cb = normalize_args(args, kwargs)
        if self._handle is not None:
            raise ERR_SERVER_ALREADY_LISTEN()
        if cb is not None:
            self._add("listening", _Once(self, "listening", cb, adapt(cb, 0)), False)
        # (handle|path|port, backlog) or (port, host, backlog): Node's toNumber, kept raw
        backlog_from_args = (to_number(args[1]) if len(args) > 1 else False) or \
            (to_number(args[2]) if len(args) > 2 else False)
        if bound is None and isinstance(options.get("handle"), BoundSocket):
            bound = options["handle"]
        if bound is not None:          # the other options are not read, as in Node
            self._listen_bound(bound, _backlog(backlog_from_args))
            return self
        self._listening_id += 1
        # Node: options = options._handle || options.handle || options
        inner = options.get("_handle")
        if not js_truthy(inner):
            inner = options.get("handle")
        if js_truthy(inner) and handle_arg is None:
            handle_arg = _as_handle(inner)
            if handle_arg is None:
                if not isinstance(inner, Mapping):
                    raise ERR_INVALID_ARG_VALUE("options", inner,
                                                'must have the property "port" or "path"')
                options = options_dict(inner)      # a plain object: it is the options
        if handle_arg is not None:
            if handle_arg[0] == "none":   # Node: an object with no handle, as options
                raise ERR_INVALID_ARG_VALUE("options", handle_arg[1],
                                            'must have the property "port" or "path"')
            self._listen_fd(handle_arg, backlog_from_args)
            return self
        if "signal" in options:       # Node: options.signal !== undefined (null is bad)
            signal = options["signal"]
            validate_abort_signal(signal, "options.signal")
            self._watch_signal(signal)
        fd: Any = options.get("fd")
        if is_number(fd) and fd >= 0:
            self._listen_fd(("fd", fd), backlog_from_args)
            return self
        port = options.get("port")
        if ((not args and not kwargs) or (args and (callable(args[0]) or args[0] is None))
                or ("port" in options and port is None)
                or ("port" in kwargs and kwargs["port"] is None)):   # port=None: undefined
            port = options["port"] = 0
        ipv6_only = options.get("ipv6_only") is True
        reuse_port = options.get("reuse_port") is True
        if "port" in options and (is_number(port) or isinstance(port, str)):
            port = validate_port(port, "options.port")
            backlog = _option_backlog(options, backlog_from_args)
            host = options.get("host")
            if js_truthy(host):            # JavaScript's: {} and [] are (bad) hosts
                self._lookup_and_listen(port, host, backlog, ipv6_only, reuse_port)
            else:
                self._setup_listen(None, port, 4, backlog, ipv6_only, reuse_port)
            return self
        path = options.get("path")
        if path and isinstance(path, str) and to_number(path) is False:
            readable_all = options.get("readable_all") is True
            writable_all = options.get("writable_all") is True
            # Node refuses a truthy readableAll/writableAll here, but chmods only for true
            if path.startswith("\0") and (js_truthy(options.get("readable_all"))
                                          or js_truthy(options.get("writable_all"))):
                raise ERR_INVALID_ARG_VALUE(
                    "options", options,
                    # "writableAllt" [sic]: Node's message has this typo
                    "can not set readableAll or writableAllt to true when path is "
                    "abstract unix socket")
            self._pipe_name = path
            backlog = _option_backlog(options, backlog_from_args)
            self._listen_pipe(path, backlog, readable_all, writable_all)
            return self
        if "port" not in options and "path" not in options:
            raise ERR_INVALID_ARG_VALUE("options", options,
                                        'must have the property "port" or "path"')
        raise ERR_INVALID_ARG_VALUE("options", options)

    def _watch_signal(self, signal: Any) -> None:
        if signal.aborted:
            self._loop.next_tick(self._close, None)
            return

        def on_abort(*_: Any) -> None:
            self._close(None)

        signal.once("abort", on_abort)
        self._add("close", _Once(self, "close", lambda *_: signal.remove_listener(
            "abort", on_abort)), False)

    def _lookup_and_listen(self, port: int, host: Any, backlog: int, ipv6_only: bool,
                           reuse_port: bool) -> None:
        listening_id = self._listening_id

        def done(err: Any, addresses: Any = None) -> None:
            if listening_id != self._listening_id:
                return
            if err is not None:
                self._emit("error", err)
                return
            chosen = _first_non_link_local(addresses)
            self._setup_listen(chosen["address"], port, chosen.get("family") or 4, backlog,
                               ipv6_only, reuse_port)

        dns.lookup(host, {"all": True}, done)

    def _setup_listen(self, address: Optional[str], port: int, address_type: int,
                      backlog: int, ipv6_only: bool, reuse_port: bool) -> None:
        """Node's ``setupListenHandle``: bind (dual-stack first), listen, then 'listening'."""
        loop = self._loop
        assert loop is not None
        handle: Any = None
        if not address:
            handle = _tcp_server_handle(loop, "::", port, 6, ipv6_only, reuse_port)
            if isinstance(handle, int) and handle != errno.EADDRINUSE:
                handle = None
                address, address_type = "0.0.0.0", 4
            else:
                address, address_type = "::", 6
        if handle is None:
            handle = _tcp_server_handle(loop, address, port, address_type, ipv6_only,
                                        reuse_port)
        if isinstance(handle, int):
            loop.next_tick(self._emit, "error", listen_error(handle, address, port))
            return
        self._start_listening(handle, backlog, address, port)
        self._connection_key = f"{address_type}:{address}:{port}"

    def _start_listening(self, handle: _ListenHandle, backlog: int, address: Any,
                         port: Any) -> bool:
        loop = self._loop
        assert loop is not None
        handle.server = self
        err = handle.listen(backlog)
        if err:
            handle.close()
            loop.next_tick(self._emit, "error", listen_error(err, address, port))
            return False
        self._handle = handle
        if self._unref:
            handle.unref()
        debug("server listening", address, port)
        loop.next_tick(self._emit_listening)
        return True

    def _emit_listening(self) -> None:
        if self._handle is not None:
            self._emit("listening")

    def _listen_pipe(self, path: str, backlog: int, readable_all: bool,
                     writable_all: bool) -> None:
        loop = self._loop
        assert loop is not None
        name = sun_path(path)
        if name is None:             # too long, or a NUL inside: Node 26 says EINVAL
            loop.next_tick(self._emit, "error", listen_error(errno.EINVAL, path, -1))
            return
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(name)
        except OSError as exc:
            sock.close()
            code = exc.errno or errno.EINVAL   # "AF_UNIX path too long" has no errno
            if code == errno.ENOENT:
                code = errno.EACCES            # libuv's pipe bind reports a missing dir so
            loop.next_tick(self._emit, "error", listen_error(code, path, -1))
            return
        except (TypeError, ValueError):
            sock.close()
            loop.next_tick(self._emit, "error", listen_error(errno.EINVAL, path, -1))
            return
        handle = _ListenHandle(loop, sock)
        fs_path = name
        if isinstance(fs_path, bytes):
            try:
                st = os.stat(fs_path)
                handle.pipe_path = fs_path
                handle.pipe_inode = (st.st_dev, st.st_ino)
            except OSError:  # pragma: no cover - vanished at once
                pass
        if not self._start_listening(handle, backlog, path, -1):
            return
        if readable_all or writable_all:
            mode = 0
            if readable_all:
                mode |= stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
            if writable_all:
                mode |= stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
            try:
                current = os.stat(fs_path).st_mode
                if current & mode != mode:
                    os.chmod(fs_path, stat.S_IMODE(current) | mode)
            except OSError as exc:
                handle.close()
                self._handle = None
                raise system_error(exc.errno or errno.EPERM, "uv_pipe_chmod") from None

    def _listen_bound(self, bound: BoundSocket, backlog: int) -> None:
        """Adopt a BoundSocket and listen on it (ERR_SOCKET_HANDLE_ADOPTED if taken)."""
        loop = self._loop
        assert loop is not None
        sock, path, socket_file = bound._consume()
        self._listening_id += 1
        handle = _ListenHandle(loop, sock)
        if path is not None:
            self._pipe_name = path
            if socket_file is not None:
                handle.pipe_path, handle.pipe_inode = socket_file
        self._start_listening(handle, backlog, None, -1)

    def _listen_fd(self, spec: Any, backlog: Any) -> None:
        """Listen on an existing socket (Node's ``listen(handle)`` / ``listen({fd})``)."""
        loop = self._loop
        assert loop is not None
        kind, value = spec
        backlog = _backlog(backlog)
        try:
            if kind == "fd":
                if not (isinstance(value, int) or value.is_integer()) or \
                        not 0 <= value <= 0x7FFFFFFF:
                    raise OSError(errno.EINVAL, "not an int32 fd")   # Node's createHandle
                value = int(value)
                st = os.fstat(value)
                if stat.S_ISFIFO(st.st_mode):   # Node opens a FIFO as a pipe; listen() fails
                    raise OSError(errno.ENOTSOCK, "not a socket")
                if not stat.S_ISSOCK(st.st_mode):
                    raise OSError(errno.EINVAL, "not a socket")
                sock = socket.socket(fileno=value)
            else:
                sock = socket.socket(fileno=os.dup(value))
            if sock.type != socket.SOCK_STREAM:
                sock.detach() if kind == "fd" else sock.close()
                raise OSError(errno.EINVAL, "not a stream socket")
        except (OSError, TypeError, ValueError, OverflowError) as exc:
            # what fileno() gave is no fd at all (a str, -1, 2**40): EINVAL as in Node
            code = getattr(exc, "errno", None)
            if code not in (errno.EINVAL, errno.ENOTSOCK, errno.EBADF):
                code = errno.EINVAL
            loop.next_tick(self._emit, "error", listen_error(code, None))
            return
        handle = _ListenHandle(loop, sock)
        if sock.family == socket.AF_UNIX:
            try:
                name = sock.getsockname()
                self._pipe_name = name if isinstance(name, str) else None
            except OSError:  # pragma: no cover
                pass
        self._start_listening(handle, backlog, None, None)

    # ------------------------------------------------------------------ connections

    def _on_connection(self, conn: _socket.socket, family: int = 0) -> None:
        """Node's ``onconnection``: block list, max connections, then 'connection'."""
        loop = self._loop
        assert loop is not None
        block_list = self.block_list
        if block_list is not None and conn.family in (socket.AF_INET, socket.AF_INET6):
            try:
                peer = conn.getpeername()[0]
            except OSError:
                peer = None
            kind = is_ip(peer) if peer else 0
            if kind and block_list.check(peer, f"ipv{kind}"):
                conn.close()
                return
        limit = self.max_connections
        # JavaScript's `connections >= maxConnections`: any value, compared as a number
        # ('2' is 2, [] is 0, 'x' and {} never match); None is Node's null: no limit
        if limit is not None and self._connections >= (
                limit if is_number(limit) else js_to_number(limit)):
            data: Optional[Dict[str, Any]] = None
            if conn.family in (socket.AF_INET, socket.AF_INET6):
                local = _info(conn, "getsockname")
                remote = _info(conn, "getpeername")
                data = {
                    "local_address": local.get("address"), "local_port": local.get("port"),
                    "local_family": local.get("family"),
                    "remote_address": remote.get("address"), "remote_port": remote.get("port"),
                    "remote_family": remote.get("family"),
                }
            conn.close()
            self._emit("drop", data)
            return
        handle = StreamHandle(loop, conn, family=family)
        sock = Socket._accepted(handle, self.allow_half_open, self.pause_on_connect,
                                self.high_water_mark)
        if self.no_delay and handle.is_tcp:
            sock._no_delay = True
            handle.set_no_delay(True)
        if self.keep_alive and handle.is_tcp:
            sock._keep_alive = True
            sock._keep_alive_delay = self.keep_alive_initial_delay
            handle.set_keep_alive(True, self.keep_alive_initial_delay)
        self._connections += 1
        sock.server = self
        sock._server = self
        self._emit("connection", sock)

    def get_connections(self, callback: Callback) -> Server:
        """Node: ``server.getConnections(callback)`` — ``callback(None, count)`` next tick."""
        cb = adapt(validate_function(callback, "callback"), 2)
        self._run(lambda: self._loop.next_tick(cb, None, self._connections))
        return self

    # ------------------------------------------------------------------ close

    def close(self, callback: Optional[Callback] = None) -> Server:
        """Node: ``server.close([callback])`` — stop accepting; ``'close'`` once every
        connection has closed. The callback is a ``'close'`` listener, called
        without arguments (a required ``err`` parameter gets None), or with
        ERR_SERVER_NOT_RUNNING if the server was not listening. A non-callable
        argument is ignored."""
        self._run(self._close, callback if callable(callback) else None)
        return self

    def _close(self, callback: Optional[Callback]) -> None:
        self._listening_id += 1
        if callback is not None:
            if self._handle is None:
                once = adapt(callback, 1)

                def not_running(*_: Any) -> None:
                    once(ERR_SERVER_NOT_RUNNING())
                self._add("close", _Once(self, "close", not_running), False)
            else:
                self._add("close", _Once(self, "close", callback, adapt(callback, 0)),
                          False)   # cb(), as Node
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self._emit_close_if_drained()

    def _emit_close_if_drained(self) -> None:
        if self._handle is not None or self._connections:
            return
        self._loop.next_tick(self._emit, "close")

    def close_all_connections(self) -> None:
        """Destroy every accepted connection (beyond Node's net; as http.Server has)."""
        def destroy_all() -> None:
            # found through the loop's handles: a set of its own per server would
            # cost memory on every connection for this rare call
            for handle in list(self._loop._handles):
                sock = getattr(handle, "owner", None)
                if sock is not None and getattr(sock, "_server", None) is self:
                    sock._destroy_impl(None, None)
        self._run(destroy_all)

    # ------------------------------------------------------------------ misc

    def address(self) -> Any:
        """Node: ``server.address()`` — ``{'port', 'family', 'address'}``, the pipe path,
        or None when not listening."""
        return self._query(self._address)

    def _address(self) -> Any:
        handle = self._handle
        if handle is not None and handle.is_tcp:
            return handle.getsockname()
        if self._pipe_name is not None:
            return self._pipe_name
        return None

    @property
    def listening(self) -> bool:
        """Node: ``server.listening``."""
        return self._handle is not None

    def ref(self) -> Server:
        """Node: ``server.ref()``. Returns the server."""
        self._run(self._set_ref, True)
        return self

    def unref(self) -> Server:
        """Node: ``server.unref()`` — also holds for a later ``listen()``."""
        self._run(self._set_ref, False)
        return self

    def _set_ref(self, refed: bool) -> None:
        self._unref = not refed
        if self._handle is not None:
            if refed:
                self._handle.ref()
            else:
                self._handle.unref()

    def fileno(self) -> int:
        """The listening socket's fd, or -1."""
        handle = self._handle
        return handle.fileno() if handle is not None else -1

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Server listening={self.listening} address={self._address()!r}>"


# ---------------------------------------------------------------------- helpers


def _option_backlog(options: Mapping[str, Any], from_args: Any) -> int:
    """Node's ``options.backlog || backlogFromArgs``, made a listen(2) backlog."""
    backlog = options.get("backlog")
    return _backlog(backlog if js_truthy(backlog) else from_args)


def _backlog(value: Any) -> int:
    """What Node passes to listen(2): ``backlog || 511`` through ToInt32 (C++ binding).

    Any value is accepted (``'x'`` and NaN are 0, ``2**31`` wraps negative). A
    negative backlog is read by the kernel as unsigned, i.e. its maximum, so it
    becomes 2**31-1 here (Python's ``listen()`` would make it 0).
    """
    if not js_truthy(value):
        return _DEFAULT_BACKLOG
    backlog = js_to_int32(value)
    return backlog if backlog >= 0 else 0x7FFFFFFF


def _info(conn: _socket.socket, method: str) -> Dict[str, Any]:
    try:
        return sockaddr_info(conn.family, getattr(conn, method)())
    except OSError:
        return {}


def _as_handle(value: Any) -> Any:
    """("sock", fd) for listen(handle) forms, ("none", obj) for a Server/Socket
    without one, else None."""
    if isinstance(value, (Server, Socket)):
        fd = value.fileno()
        return ("sock", fd) if fd >= 0 else ("none", value)
    if isinstance(value, socket.socket):
        return ("sock", value.fileno())
    if isinstance(value, Mapping):
        return None
    fileno = getattr(value, "fileno", None)
    if callable(fileno) and not isinstance(value, (str, bytes, int, float)):
        return ("sock", fileno())
    return None


def _tcp_server_handle(loop: Loop, address: str, port: int, address_type: int,
                       ipv6_only: bool, reuse_port: bool) -> Any:
    """Node's ``createServerHandle``: a bound TCP socket, or the errno."""
    family = socket.AF_INET6 if address_type == 6 else socket.AF_INET
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        return exc.errno or errno.EAFNOSUPPORT
    try:
        set_reuse_address(sock)
        if reuse_port:
            set_reuse_port(sock)
        if family == socket.AF_INET6:
            set_ipv6_only(sock, ipv6_only)
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        return exc.errno or errno.EINVAL
    return _ListenHandle(loop, sock)


def _first_non_link_local(addresses: Any) -> Dict[str, Any]:
    """The first answer that is not IPv6 link-local (fe80::/10), else the first."""
    for entry in addresses:
        try:
            ip = ipaddress.ip_address(entry["address"].split("%", 1)[0])
        except ValueError:
            return entry  # type: ignore[no-any-return]
        if not (ip.version == 6 and ip.is_link_local):
            return entry  # type: ignore[no-any-return]
    return addresses[0]  # type: ignore[no-any-return]


def create_server(options: Any = None, connection_listener: Optional[Callback] = None,
                  **kwargs: Any) -> Server:
    """Node: ``net.createServer([options][, connectionListener])``."""
    return Server(options, connection_listener, **kwargs)
