"""The OS-level half of a socket: libuv's ``uv_tcp_t``/``uv_pipe_t`` for nodenet.

``net.Socket`` (the Node stream) sits on top of one :class:`StreamHandle`, as
Node's Socket sits on a ``TCPWrap``. The handle owns the fd and does the system
calls, with libuv's rules:

* **read**: while reading, each readiness event reads up to 32 times, stopping
  at the first read that does not fill the 64 KiB buffer; EOF stops reading;
* **write**: try ``send``/``sendmsg`` at once (``uv_try_write``); what the kernel
  does not take waits in one request, and only then is writability watched;
* **connect**: non-blocking; ECONNREFUSED found synchronously is reported later
  in the pending phase (``delayed_error``), other synchronous errors at once;
* **shutdown**: runs when the pending write has drained, from the poll phase;
* **close**: the fd is closed now, the close callback runs in the closing phase;
* **liveness**: the handle keeps the loop alive while it is ref'd and busy
  (reading, writing, connecting or shutting down), like an active libuv handle.
"""

from __future__ import annotations

import errno
import os
import _socket
import socket
import stat
import sys
from typing import (TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple, Union,
                    cast)

from ._loop import EVENT_READ, EVENT_WRITE, Handle
from ._sockopts import (
    NEEDS_NO_SIGPIPE, SEND_FLAGS, get_type_of_service, set_keep_alive, set_linger_zero,
    set_no_sigpipe, set_reuse_address, set_tcp_no_delay, set_type_of_service,
)
from ._validators import js_to_int32, js_to_number

if TYPE_CHECKING:
    from ._loop import Loop

__all__ = ("StreamHandle", "new_stream_handle", "sockaddr_info", "READ_SIZE")

READ_SIZE = 65536
_READS_PER_EVENT = 32
try:
    _IOV_MAX = max(16, min(os.sysconf("SC_IOV_MAX"), 1024))
except (AttributeError, ValueError, OSError):  # pragma: no cover - no sysconf
    _IOV_MAX = 16
_HAS_SENDMSG = hasattr(socket.socket, "sendmsg")


_AF_INET, _AF_INET6 = int(socket.AF_INET), int(socket.AF_INET6)

# sun_path's size: 108 bytes on Linux, 104 on macOS and the BSDs.
_SUN_PATH_SIZE = 108 if sys.platform.startswith("linux") else 104


def sun_path(path: str) -> Optional[Union[str, bytes]]:
    """The name a Unix socket path gives the kernel, or None where Node 26 refuses it.

    Node 26's libuv (since Node 23) fails with EINVAL, for ``listen()`` and
    ``connect()`` alike, when the name does not fit ``sun_path`` or when a file
    path contains a NUL; Node 20 cut it short instead. A character that cannot
    be encoded becomes U+FFFD, as in a Node string. Abstract names (a leading
    NUL, Linux) are passed whole, up to ``sun_path``'s size.

    Difference: a file path of exactly ``sun_path``'s size (108 bytes on Linux)
    is refused too: Node binds it without a terminating NUL, Python's socket
    module does not (docs/compat.md).
    """
    if path.startswith("\0"):
        return path if len(path.encode("utf-8", "surrogatepass")) <= _SUN_PATH_SIZE else None
    if "\0" in path:
        return None
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:    # a lone surrogate: JavaScript's UTF-8 replaces it
        raw = path.encode("utf-16-le", "surrogatepass").decode(
            "utf-16-le", "replace").encode("utf-8")
    return raw if len(raw) < _SUN_PATH_SIZE else None


SocketFile = Tuple[bytes, Tuple[int, int]]
"""A Unix socket file a bind made: its name and (device, inode)."""


def unlink_socket_file(name: Union[str, bytes], inode: Tuple[int, int]) -> None:
    """Unlink a Unix socket file only if it is the one we bound (same device and
    inode): libuv unlinks whatever is at the path, nodenet not (docs/compat.md)."""
    try:
        st = os.stat(name)
    except OSError:
        return
    if (st.st_dev, st.st_ino) == inode and stat.S_ISSOCK(st.st_mode):
        try:
            os.unlink(name)
        except OSError:  # pragma: no cover - raced with someone else
            pass


def sockaddr_info(family: int, addr: Any) -> Dict[str, Any]:
    """Node's ``{address, family, port}`` for a Python sockaddr (``{}`` for Unix sockets)."""
    if family == socket.AF_INET:
        return {"address": addr[0], "family": "IPv4", "port": addr[1]}
    if family == socket.AF_INET6:
        return {"address": addr[0], "family": "IPv6", "port": addr[1]}
    return {}


class StreamHandle(Handle):
    """One stream socket on the loop (TCP or a Unix-domain "pipe").

    The OS socket may come later than the handle: a TCP handle made by
    ``connect()`` opens its socket once the address family is known
    (:meth:`open`), as libuv creates the fd lazily. ``owner`` receives
    ``_on_handle_data(data)``, ``_on_handle_eof()`` and ``_on_handle_error(errno,
    syscall)``.
    """

    __slots__ = (
        "sock", "owner", "is_tcp", "family", "reading", "write_bufs", "write_size",
        "write_cb", "bytes_read", "bytes_written", "connect_cb", "delayed_error",
        "shutdown_cb", "onread_buffer", "keep_alive", "__weakref__",
    )

    def __init__(self, loop: Loop, sock: Optional[_socket.socket] = None, owner: Any = None,
                 *, pipe: bool = False, family: int = 0) -> None:
        Handle.__init__(self, loop)
        self.sock: Optional[_socket.socket] = None
        self.owner = owner
        self.family = socket.AF_UNIX if pipe else 0
        self.is_tcp = not pipe
        self.reading = False
        self.write_bufs: List[Any] = _NOTHING_QUEUED   # a list while a write waits
        self.write_size = 0
        self.write_cb: Optional[Callable[[int], None]] = None
        self.bytes_read = 0
        self.bytes_written = 0
        self.connect_cb: Optional[Callable[[int], None]] = None
        self.delayed_error = 0
        self.shutdown_cb: Optional[Callable[[int], None]] = None
        self.onread_buffer: Optional[Any] = None
        self.keep_alive = False       # libuv's UV_HANDLE_TCP_KEEPALIVE flag
        loop.add_handle(self)
        if sock is not None:
            self.adopt(sock, family)

    def adopt(self, sock: _socket.socket, family: int = 0) -> None:
        """Take ownership of an open socket (accepted, or wrapped from an fd).

        ``family``, when the caller knows it, saves ``sock.family``'s enum lookup.
        """
        sock.setblocking(False)
        if NEEDS_NO_SIGPIPE:
            set_no_sigpipe(sock)
        self.sock = sock
        self.family = family = family or sock.family
        self.is_tcp = family == _AF_INET or family == _AF_INET6
        self.fd = sock.fileno()

    def open(self, family: int) -> int:
        """Create the OS socket for ``family`` if there is none yet; errno or 0."""
        if self.sock is not None:
            return 0
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:
            return exc.errno or errno.EAFNOSUPPORT
        self.adopt(sock)
        if self.keep_alive:           # asked for before the socket existed
            set_keep_alive(sock, True, 60, 1, 10)
        return 0

    # -- liveness ---------------------------------------------------------------

    def sync_ref(self) -> None:
        """:meth:`Handle.sync_ref` for a stream: busy while reading, writing,
        connecting or shutting down (written out: it runs several times per
        connection)."""
        want = self.refed and not self.closed and bool(
            self.reading or self.write_cb is not None or self.connect_cb is not None
            or self.shutdown_cb is not None)
        if want != self.counted:
            self.counted = want
            if want:
                self.loop._refs += 1
            else:
                self.loop._refs -= 1

    # -- reading ----------------------------------------------------------------

    def read_start(self) -> int:
        """Start reading (``uv_read_start``); errno or 0."""
        if self.closed or self.fd < 0:
            return errno.EBADF
        if not self.reading:
            self.reading = True
            self.loop.io_start(self, EVENT_READ)
            self.sync_ref()
        return 0

    def read_stop(self) -> int:
        """Stop reading (``uv_read_stop``)."""
        if self.reading:
            self.reading = False
            if not self.closed and self.fd >= 0:
                self.loop.io_stop(self, EVENT_READ)
            self.sync_ref()
        return 0

    def _watch(self, events: int) -> None:
        if not self.closed and self.fd >= 0:
            self.loop.io_start(self, events)

    def _unwatch(self, events: int) -> None:
        if not self.closed and self.fd >= 0:
            self.loop.io_stop(self, events)

    def on_readable(self) -> None:
        """Poll phase: read up to 32 times (libuv ``uv__read``)."""
        sock = self.sock
        assert sock is not None
        owner = self.owner
        onread = self.onread_buffer
        reads = _READS_PER_EVENT    # a counter, not range(): no allocation per event
        while reads:
            reads -= 1
            try:
                if onread is None:
                    data: Any = sock.recv(READ_SIZE)
                    nread = len(data)
                else:
                    nread = sock.recv_into(onread)
                    data = nread
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self.read_stop()
                owner._on_handle_error(exc.errno or errno.EIO, "read")
                return
            if nread == 0:
                self.read_stop()
                owner._on_handle_eof()
                return
            self.bytes_read += nread
            owner._on_handle_data(data)
            onread = self.onread_buffer
            if nread < (READ_SIZE if onread is None else len(onread)):
                # A partial read: nothing more now (the loop drains the ticks
                # as soon as this returns). The end of input, if it came with
                # this data, is read at the next poll even when the kernel
                # reported a hang-up (Node 26's libuv dropped the POLLHUP
                # shortcut that Node 20 took here).
                return
            loop = self.loop
            if loop._ticks:      # each read is its own callback in Node: ticks run between
                loop._drain_ticks()
            if not self.reading or self.closed:
                return

    # -- writing ----------------------------------------------------------------

    def write(self, bufs: List[Any], cb: Optional[Callable[[int], None]],
              tried: bool = False) -> Tuple[int, bool]:
        """Write ``bufs``: (errno, async). An async write calls ``write_cb(status)``
        when flushed; the caller may set ``write_cb`` after this returns.

        ``tried``: ``bufs`` is one short string's bytes, which Node's handle
        tries to send at once and, when that fails, does not count
        (``_charsets.tried_as_string``)."""
        if self.closed or self.sock is None:
            return errno.EBADF, False
        total = 0
        for b in bufs:
            total += len(b)
        try:
            # one buffer (the common case) goes straight to send()
            sent = self.sock.send(bufs[0], SEND_FLAGS) if len(bufs) == 1 else self._send(bufs)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as exc:
            # Node counts a failed write in full, except a short string's (what
            # the kernel took of it: nothing)
            if not tried:
                self.bytes_written += total
            return exc.errno or errno.EIO, False
        return self.sent(bufs, total, sent, cb)

    def sent(self, bufs: List[Any], total: int, sent: int,
             cb: Optional[Callable[[int], None]]) -> Tuple[int, bool]:
        """After a send took ``sent`` of ``total`` bytes: (0, async). The rest waits
        for writability in one request; the bytes count as written (Node counts
        what was sent or queued)."""
        self.bytes_written += total
        if sent == total:
            return 0, False
        self.write_bufs = _remaining(bufs, sent)
        self.write_size = total - sent
        self.write_cb = cb
        self._watch(EVENT_WRITE)
        self.sync_ref()
        return 0, True

    def _send(self, bufs: List[Any]) -> int:
        sock = self.sock
        assert sock is not None
        if len(bufs) == 1:
            return sock.send(bufs[0], SEND_FLAGS)
        if _HAS_SENDMSG:
            return sock.sendmsg(bufs[:_IOV_MAX], (), SEND_FLAGS)
        return sock.send(b"".join(bufs), SEND_FLAGS)  # pragma: no cover - no sendmsg

    @property
    def write_queue_size(self) -> int:
        """Bytes accepted by the handle but not yet taken by the kernel."""
        return self.write_size

    def on_writable(self) -> None:
        """Poll phase: finish a connect, flush the pending write, then a shutdown."""
        if self.connect_cb is not None:
            self._finish_connect()
            return
        if self.write_cb is not None:
            try:
                sent = self._send(self.write_bufs)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self._complete_write(exc.errno or errno.EIO)
                return
            if sent < self.write_size:
                self.write_bufs = _remaining(self.write_bufs, sent)
                self.write_size -= sent
                return
            self._complete_write(0)
            if self.loop._ticks:
                self.loop._drain_ticks()
            if self.closed:
                return
        if self.shutdown_cb is not None and self.write_cb is None:
            self._do_shutdown()
            return
        if self.write_cb is None:
            self._unwatch(EVENT_WRITE)

    def _complete_write(self, status: int) -> None:
        cb = self.write_cb
        self.write_cb = None
        self.write_bufs = _NOTHING_QUEUED
        self.write_size = 0
        if self.shutdown_cb is None:
            self._unwatch(EVENT_WRITE)
        self.sync_ref()
        if cb is not None:
            cb(status)

    # -- connecting ---------------------------------------------------------------

    def bind(self, address: Any) -> int:
        """Bind the (open) socket; errno or 0."""
        assert self.sock is not None
        if self.is_tcp:
            set_reuse_address(self.sock)    # libuv's uv__tcp_bind sets it on every bind
        try:
            self.sock.bind(address)
        except socket.gaierror:      # not an address of this family: libuv says EINVAL
            return errno.EINVAL
        except OSError as exc:
            return exc.errno or errno.EINVAL
        return 0

    def bind_local(self, address: str, port: Any) -> int:
        """Bind before a connect, with Node's ``checkBindError``: a port other than
        the one asked for is EADDRINUSE; errno or 0.

        ``port`` is any number, as Node's ``localPort``: the port bound is its
        ToInt32 cut to 16 bits (what the C++ binding and ``htons`` make of it),
        compared afterwards with the number given, so 70000 or 1.5 end in
        EADDRINUSE as in Node.
        """
        number = js_to_number(port)
        err = self.bind((address, js_to_int32(number) & 0xFFFF))
        if err == 0 and number > 0 and self.getsockname().get("port") != number:
            err = errno.EADDRINUSE
        return err

    def connect(self, address: Any, cb: Callable[[int], None]) -> int:
        """Start connecting; a synchronous failure other than ECONNREFUSED is returned.

        Unix-socket connects report every error through ``cb``, as libuv's do.
        """
        if self.sock is None:
            err = self.open(socket.AF_UNIX)
            if err:
                return err
        assert self.sock is not None
        if not self.is_tcp and isinstance(address, str):
            address = sun_path(address)
            if address is None:       # libuv's uv_pipe_connect2 refuses it at once
                return errno.EINVAL
        try:
            err = self.sock.connect_ex(address)
        except socket.gaierror:       # an address of the other family: libuv says EINVAL
            err = errno.EINVAL
        except OSError as exc:        # e.g. a Unix path that is too long
            err = exc.errno or errno.EINVAL
        except (TypeError, ValueError):
            err = errno.EINVAL
        if err in (0, errno.EINPROGRESS, errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR):
            pass
        elif err == errno.ECONNREFUSED or not self.is_tcp:
            self.delayed_error = err       # reported from the pending phase, as libuv
        else:
            return err
        self.connect_cb = cb
        if self.delayed_error:
            self.loop.defer(self._finish_connect)
        else:
            self._watch(EVENT_WRITE)
        self.sync_ref()
        return 0

    def _finish_connect(self) -> None:
        cb = self.connect_cb
        if cb is None or self.closed:
            return
        err = self.delayed_error
        if not err:
            assert self.sock is not None
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err in (errno.EINPROGRESS, errno.EALREADY):  # pragma: no cover - spurious
                return
        self.delayed_error = 0
        self.connect_cb = None
        if self.write_cb is None and self.shutdown_cb is None:
            self._unwatch(EVENT_WRITE)
        self.sync_ref()
        cb(err)

    # -- shutdown / close ---------------------------------------------------------

    def shutdown(self, cb: Callable[[int], None]) -> int:
        """Half-close after the pending write drains; ``cb(status)`` from the poll phase."""
        if self.closed or self.sock is None:
            return errno.ENOTCONN
        self.shutdown_cb = cb
        if self.write_cb is None:
            self.loop.defer(self._do_shutdown)   # libuv feeds it to the pending queue
        self.sync_ref()
        return 0

    def _do_shutdown(self) -> None:
        cb = self.shutdown_cb
        if cb is None or self.closed:
            return
        self.shutdown_cb = None
        status = 0
        assert self.sock is not None
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            status = exc.errno or errno.EIO
            if status == errno.ENOTCONN:
                status = 0
        self._unwatch(EVENT_WRITE)
        self.sync_ref()
        cb(status)

    def close(self, cb: Optional[Callable[[], None]] = None, reset: bool = False) -> None:
        """Close the fd now; ``cb`` runs in the loop's closing phase (``uv_close``).

        ``reset`` sets SO_LINGER 0 first, so the peer gets an RST (``uv_tcp_close_reset``).
        """
        if self.closed:
            return
        sock = self.sock
        if reset and self.is_tcp and sock is not None:
            set_linger_zero(sock)
        self.closed = True
        self.reading = False
        # libuv cancels pending requests with ECANCELED, connect then write then
        # shutdown, just before the close callback (uv__stream_destroy), all in
        # this handle's one turn of the closing phase.
        cancelled: Sequence[Callable[[int], None]] = ()
        if self.connect_cb is not None or self.write_cb is not None \
                or self.shutdown_cb is not None:   # rare: most closes have none pending
            cancelled = [fn for fn in (self.connect_cb, self.write_cb, self.shutdown_cb)
                         if fn is not None]
        self.connect_cb = self.shutdown_cb = self.write_cb = None
        self.write_bufs = _NOTHING_QUEUED
        self.write_size = 0
        self.sync_ref()
        if self.fd >= 0:
            self.loop.io_close(self)
        self.loop.remove_handle(self)
        if sock is not None:
            try:
                sock.close()
            except OSError:  # pragma: no cover
                pass
        # Always a turn in the closing phase, callback or not: libuv queues every
        # closed handle there, and a closing handle keeps the loop alive for one
        # more iteration (uv__loop_alive), whose poll may still read what an
        # unref'd socket was sent (e.g. the EOF a server's last socket sent before
        # the server was closed).
        self.loop.add_closing(_finish_close, self.loop, cancelled, cb)

    def _loop_teardown(self) -> None:
        """The loop is stopping: close without callbacks."""
        self.close()

    # -- options and addresses ---------------------------------------------------

    def set_no_delay(self, enable: bool) -> None:
        if self.sock is not None and not self.closed and self.is_tcp:
            set_tcp_no_delay(self.sock, enable)

    def set_keep_alive(self, enable: bool, idle: int, interval: int = 1, count: int = 10) -> int:
        """``uv_tcp_keepalive_ex``: applied now if the OS socket exists (errno or 0),
        else remembered: the socket :meth:`open` makes gets keep-alive with libuv's
        defaults (60 s idle, 1 s interval, 10 probes)."""
        sock = self.sock
        if sock is not None and not self.closed:
            err = set_keep_alive(sock, enable, idle, interval, count)
            if err:
                return err
        self.keep_alive = enable
        return 0

    def set_type_of_service(self, tos: int) -> int:
        """IP_TOS / IPV6_TCLASS; EBADF while there is no OS socket."""
        if self.sock is None or self.closed:
            return errno.EBADF
        return set_type_of_service(self.sock, tos)

    def get_type_of_service(self) -> Tuple[int, int]:
        """(errno, value); EBADF while there is no OS socket."""
        if self.sock is None or self.closed:
            return errno.EBADF, 0
        return get_type_of_service(self.sock)

    def getsockname(self) -> Dict[str, Any]:
        if self.closed or not self.is_tcp or self.sock is None:
            return {}
        try:
            return sockaddr_info(self.family, self.sock.getsockname())
        except OSError:
            return {}

    def getpeername(self) -> Dict[str, Any]:
        if self.closed or not self.is_tcp or self.sock is None:
            return {}
        try:
            return sockaddr_info(self.family, self.sock.getpeername())
        except OSError:
            return {}

    def fileno(self) -> int:
        return -1 if self.closed else self.fd


# No write waiting: a shared empty tuple rather than a list per handle.
_NOTHING_QUEUED = cast(List[Any], ())


def _finish_close(loop: Loop, cancelled: Sequence[Callable[[int], None]],
                  cb: Optional[Callable[[], None]]) -> None:
    """A closed handle's turn in the closing phase: cancelled requests, then its callback.

    Each is its own callback in Node, so next_tick callbacks run between them.
    """
    for fn in cancelled:
        fn(errno.ECANCELED)
        if loop._ticks:
            loop._drain_ticks()
    if cb is not None:
        cb()


def _remaining(bufs: List[Any], sent: int) -> List[Any]:
    """The part of ``bufs`` not yet sent, as memoryviews (no copies)."""
    out: List[Any] = []
    for b in bufs:
        n = len(b)
        if sent >= n:
            sent -= n
            continue
        view = memoryview(b)
        out.append(view[sent:] if sent else view)
        sent = 0
    return out


def new_stream_handle(loop: Loop, *, pipe: bool = False) -> StreamHandle:
    """A fresh, unopened handle for ``connect()``: the one seam tests replace
    (a virtual-clock Happy Eyeballs test swaps in fake handles here)."""
    return StreamHandle(loop, pipe=pipe)
