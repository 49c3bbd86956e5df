"""``net.BoundSocket``: a socket bound now, to be listened on or connected later.

Node: net.md § "Class: ``net.BoundSocket``" (v24.19 / v26.4; ``path`` and
``isPipe`` from v26.7), checked against the v26.12 binary. The constructor binds
synchronously, so a taken address fails right there (``bind EADDRINUSE
127.0.0.1:8080``) and :meth:`BoundSocket.address` is known at once. The socket
then belongs to exactly one adopter:

* a server: ``server.listen(bound)`` or ``server.listen({'handle': bound})``
  (the server listens on the bound socket; ``port``/``host``/``backlog`` options
  beside ``handle`` are not read, a backlog given as the second argument is);
* a client: ``Socket(handle=bound)`` or ``connect({'handle': bound, ...})``. The
  connect then uses the bound local address: no Happy Eyeballs, ``local_address``
  and ``local_port`` are refused, and to an IP address the connection starts
  inside ``connect()`` itself, so the local address is known when it returns.

After adoption (or :meth:`~BoundSocket.close`) every method raises
ERR_SOCKET_HANDLE_ADOPTED. ``with BoundSocket(...) as bound:`` closes a socket
that was not adopted (Node's ``using``, ``Symbol.dispose``).

Differences: a BoundSocket is not transferable between threads as in Node's
``postMessage`` (Python threads share it anyway). Like every nodenet Unix
socket, a file path of exactly ``sun_path``'s size is refused (docs/compat.md).
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import threading
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from ._args import is_js_object, options_dict
from ._handle import SocketFile, StreamHandle, sockaddr_info, sun_path, unlink_socket_file
from ._isip import is_ip
from ._sockopts import set_ipv6_only, set_reuse_address, set_reuse_port
from ._validators import validate_boolean, validate_port, validate_string
from .errors import (
    ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_SOCKET_HANDLE_ADOPTED, connect_error,
    system_error,
)

__all__ = ("BoundSocket",)

_IS_LINUX = sys.platform.startswith("linux")


class BoundSocket:
    """A TCP or Unix-domain socket bound at construction. Thread-safe.

    Node: ``new net.BoundSocket([options])``. Options (a mapping, keywords, or
    Node's camelCase keys):

    * TCP: ``port`` (default 0: the OS picks), ``host`` (an IP address, no name
      lookup; default ``'0.0.0.0'``, or ``'::'`` with ``ipv6_only``),
      ``ipv6_only``, ``reuse_port`` (``SO_REUSEPORT``);
    * Unix: ``path``, a file path or (Linux) an abstract name with a leading NUL,
      alone (with any TCP option: ERR_INVALID_ARG_VALUE).

    ``options`` may be any object but a list or a function, as in Node: one that
    is no mapping (``bytes``, an instance) gives no option.

    Errors at the call: ERR_INVALID_ARG_TYPE / ERR_SOCKET_BAD_PORT /
    ERR_INVALID_ARG_VALUE for the options, and the bind's system error
    (``bind EADDRINUSE 127.0.0.1:8080``; for a path ``bind EACCES`` and friends,
    a missing directory being EACCES as in libuv, a path that does not fit
    ``sun_path`` EINVAL).
    """

    __slots__ = ("_sock", "_address", "_path", "_file", "_lock")

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        # Node's validateObject: any object but an array or a function; one that is
        # no mapping (bytes, an instance) has none of the options
        if options is not None and (not is_js_object(options)
                                    or isinstance(options, (list, tuple))):
            raise ERR_INVALID_ARG_TYPE("options", "object", options)
        opts = options_dict(options if isinstance(options, Mapping) else None, **kwargs)
        self._lock = threading.Lock()
        self._sock: Optional[socket.socket] = None
        self._address: Dict[str, Any] = {}
        self._path: Optional[str] = None
        self._file: Optional[SocketFile] = None     # the socket file this bind made
        if "path" in opts:
            self._bind_pipe(opts)
        else:
            self._bind_tcp(opts)

    def _bind_tcp(self, opts: Dict[str, Any]) -> None:
        port = opts.get("port")
        port = validate_port(0 if port is None else port, "options.port")
        ipv6_only = opts.get("ipv6_only")
        ipv6_only = False if ipv6_only is None else validate_boolean(ipv6_only,
                                                                     "options.ipv6_only")
        reuse_port = opts.get("reuse_port")
        reuse_port = False if reuse_port is None else validate_boolean(reuse_port,
                                                                       "options.reuse_port")
        host = opts.get("host")
        if host is None:
            host, kind = ("::", 6) if ipv6_only else ("0.0.0.0", 4)
        else:
            validate_string(host, "options.host")
            kind = is_ip(host)
            if not kind:
                raise ERR_INVALID_ARG_VALUE(
                    "options.host", host, "must be a numeric IP address; "
                    "net.BoundSocket does not perform DNS resolution")
        sock = socket.socket(socket.AF_INET6 if kind == 6 else socket.AF_INET,
                             socket.SOCK_STREAM)
        try:
            set_reuse_address(sock)            # libuv sets it on every TCP bind
            if reuse_port:
                set_reuse_port(sock)
            if kind == 6:
                set_ipv6_only(sock, ipv6_only)
            sock.bind((host, port))
            self._address = sockaddr_info(sock.family, sock.getsockname())
        except OSError as exc:
            sock.close()
            raise connect_error(_errno(exc), host, port, syscall="bind") from None
        self._sock = sock

    def _bind_pipe(self, opts: Dict[str, Any]) -> None:
        if any(key in opts for key in ("host", "port", "ipv6_only", "reuse_port")):
            raise ERR_INVALID_ARG_VALUE(
                "options", opts,
                "path is mutually exclusive with host, port, ipv6_only, and reuse_port")
        path = validate_string(opts["path"], "options.path")
        if path.startswith("\0") and not _IS_LINUX:
            raise ERR_INVALID_ARG_VALUE("options.path", path,
                                        "abstract socket paths are only supported on Linux")
        name = sun_path(path)
        if name is None:
            raise system_error(errno.EINVAL, "bind")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(name)
        except OSError as exc:
            sock.close()
            code = _errno(exc)
            raise system_error(errno.EACCES if code == errno.ENOENT else code,
                               "bind") from None
        if isinstance(name, bytes) and name:
            try:
                st = os.stat(name)
                self._file = (name, (st.st_dev, st.st_ino))
            except OSError:  # pragma: no cover - removed at once by someone else
                pass
        self._sock = sock
        self._path = path

    # ------------------------------------------------------------------ Node's API

    def address(self) -> Union[Dict[str, Any], str]:
        """Node: ``boundSocket.address()`` — ``{'address', 'family', 'port'}`` for TCP
        (the port the OS picked for port 0), the path for a Unix socket."""
        with self._lock:
            self._check()
            return self._path if self._path is not None else dict(self._address)

    def fd(self) -> int:
        """Node: ``boundSocket.fd()`` — the file descriptor, still owned by this object
        (do not close it)."""
        with self._lock:
            sock = self._check()
            return sock.fileno()

    def close(self) -> None:
        """Node: ``boundSocket.close()`` — release a socket nobody adopted (a Unix
        socket file is removed). ERR_SOCKET_HANDLE_ADOPTED once adopted or closed."""
        with self._lock:
            self._check()
            self._release()

    @property
    def is_pipe(self) -> bool:
        """Node: ``boundSocket.isPipe`` (v26.7) — bound to a path, not a TCP address."""
        return self._path is not None

    def __enter__(self) -> BoundSocket:
        return self

    def __exit__(self, *exc: Any) -> None:
        """Node's ``[Symbol.dispose]()``: close if not adopted, else nothing."""
        with self._lock:
            if self._sock is not None:
                self._release()

    def __repr__(self) -> str:
        with self._lock:
            if self._sock is None:
                return "<BoundSocket adopted or closed>"
            where = repr(self._path) if self._path is not None else self._address
            return f"<BoundSocket {where}>"

    # ------------------------------------------------------------------ adoption

    def _check(self) -> socket.socket:
        if self._sock is None:
            raise ERR_SOCKET_HANDLE_ADOPTED()
        return self._sock

    def _release(self) -> None:
        sock, self._sock = self._sock, None
        assert sock is not None
        sock.close()
        if self._file is not None:
            unlink_socket_file(*self._file)

    def _consume(self) -> Tuple[socket.socket, Optional[str], Optional[SocketFile]]:
        """Hand the socket over (Node's ``kBoundSocketConsume``): the socket, the path
        of a Unix socket and the file it made. ERR_SOCKET_HANDLE_ADOPTED if gone."""
        with self._lock:
            sock = self._check()
            self._sock = None
            return sock, self._path, self._file


class BoundStreamHandle(StreamHandle):
    """The handle of a client Unix socket adopted from a BoundSocket: it removes
    its socket file when closed, as libuv does for a bound pipe."""

    __slots__ = ("socket_file",)

    def __init__(self, loop: Any, sock: socket.socket, socket_file: Optional[SocketFile]) -> None:
        StreamHandle.__init__(self, loop, sock)
        self.socket_file = socket_file

    def close(self, cb: Any = None, reset: bool = False) -> None:
        """Close as any stream handle, then remove the socket file if it is ours."""
        closing = not self.closed
        StreamHandle.close(self, cb, reset)
        if closing and self.socket_file is not None:
            unlink_socket_file(*self.socket_file)


def _errno(exc: OSError) -> int:
    if isinstance(exc, socket.gaierror):     # not an address of this family
        return errno.EINVAL
    return exc.errno or errno.EINVAL
