"""TLS between a socket and its OS handle: Node's ``TLSWrap`` for nodenet.

``net.Socket`` talks to a :class:`~nodenet._handle.StreamHandle`; a
``TLSSocket`` talks to a :class:`TLSHandle`, which has the same interface
(``read_start``, ``write(bufs) -> (err, async)``, ``shutdown``, ``close``,
``getpeername``...) and owns the raw handle underneath, as Node's TLSWrap sits
on a TCPWrap. Between the two is an ``ssl.SSLObject`` over two
``ssl.MemoryBIO``\\ s, driven entirely on the loop thread:

* **reading**: raw bytes go into the incoming BIO; the handshake is advanced,
  or records are decrypted, in 16 KiB pieces handed to the socket as ``'data'``
  (Node's ``ClearOut``); a ``close_notify`` from the peer is the end of input;
* **writing**: cleartext is encrypted into the outgoing BIO and the records go
  to the raw handle in one write; writes made before the handshake ends wait
  (Node's pending cleartext), and the socket's write callback runs when its
  records have reached the kernel;
* **the handshake** ends with the owner's ``'secure'`` step *before* the last
  handshake bytes are sent, as in Node (a client that rejects the server's
  certificate never sends its Finished);
* **shutdown** sends ``close_notify`` and then the TCP FIN; data the peer sent
  before is read out first, because ``SSLObject.unwrap()`` would drop it;
* **close** closes the raw handle (or destroys the socket it was taken from).

Python's ``ssl`` reports handshake messages only through the ``_msg_callback``
hook (CPython 3.8+, PyPy); :func:`message_hook` routes them to the handle, which
keeps the peer's certificate chain (``ssl`` gives only the leaf, and nothing
chain-wise before 3.13), both Finished messages and new-session events.
"""

from __future__ import annotations

import errno
import ssl
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from . import _tlscontext, _tlskeylog, _tlswire
from ._handle import StreamHandle

if TYPE_CHECKING:
    from ._loop import Loop

__all__ = ("TLSHandle", "message_hook", "CLEAR_CHUNK")

#: The size of the cleartext pieces handed to the socket (Node's kClearOutChunkSize).
CLEAR_CHUNK = 16384

_HANDSHAKE = 22
_MSG_CLIENT_HELLO = 1
_MSG_SERVER_HELLO = 2
_MSG_NEW_SESSION_TICKET = 4
_MSG_CERTIFICATE = 11
_MSG_SERVER_KEY_EXCHANGE = 12
_MSG_FINISHED = 20
_TLS13 = 0x0304


def message_hook(conn: Any, direction: str, version: Any, content_type: Any, msg_type: Any,
                 data: bytes) -> None:
    """``SSLContext._msg_callback`` for every nodenet context: hand handshake
    messages to the TLSHandle of ``conn`` (an SSLObject). Never raises (an
    exception here would surface from an unrelated ssl call)."""
    try:
        if content_type != _HANDSHAKE:
            return
        handle = conn.__dict__.get("_nodenet_tls")
        if handle is not None:
            handle._on_message(direction == "write", int(version), int(msg_type), data)
    except Exception:  # pragma: no cover - defensive
        pass


_tlscontext.message_hook = message_hook


def sni_name(servername: Optional[str]) -> Optional[str]:
    """The server name Python's ``ssl`` can send for ``servername``, or None (no
    SNI). OpenSSL reads Node's name as a C string, so it ends at a NUL; a name
    the IDNA codec refuses (a lone surrogate, a label too long), an empty one or
    one with a leading dot, which Python's ``ssl`` refuses, is not sent. The
    certificate is still checked against the whole name."""
    if not servername:
        return None
    name = servername.split("\0", 1)[0]
    if not name or name.startswith("."):
        return None
    try:
        name.encode("idna")
    except UnicodeError:
        return None
    return name


class TLSHandle:
    """An encrypted stream over ``raw``, with :class:`StreamHandle`'s interface.

    ``owner`` (a TLSSocket) receives, besides the stream events,
    ``_tls_handshake_done()``, ``_tls_failed(exc)`` for an OpenSSL error,
    ``_tls_new_session()`` (client, TLS session tickets) and, on a server that
    looks at ClientHellos first, ``_tls_client_hello(hello, resume)``.
    """

    __slots__ = (
        "raw", "loop", "owner", "server_side", "reading", "closed", "write_cb",
        "bytes_read", "bytes_written", "onread_buffer", "sslobj", "incoming", "outgoing",
        "established", "failed", "_clear_pending", "_clear_pending_size", "_out",
        "_out_user", "_inflight_user", "_shutdown_cb", "_shutdown_started", "_eof",
        "_hello_buf", "_gate", "peer_chain", "finished", "peer_finished", "lenient_ctx",
        "client_random", "_parent", "_cycling", "_session_pending", "_default_ctx",
        "sni_name", "key_share", "_hello_need", "_write_shut", "_sim_pending",
        "__weakref__",
    )

    def __init__(self, raw: StreamHandle, *, server_side: bool, parent: Any = None) -> None:
        self.raw = raw
        self.loop: Loop = raw.loop
        raw.owner = self
        self.owner: Any = None
        self.server_side = server_side
        self.reading = False
        self.closed = False
        self.write_cb: Optional[Callable[[int], None]] = None
        self.bytes_read = 0
        self.bytes_written = 0
        self.onread_buffer: Optional[Any] = None
        self.sslobj: Optional[ssl.SSLObject] = None
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.established = False
        self.failed = False
        self._clear_pending: List[Any] = []    # cleartext written before the handshake ended
        self._clear_pending_size = 0
        self._out: List[bytes] = []            # records waiting for the raw handle
        self._out_user = False                 # ... and the socket's write is among them
        self._inflight_user = False            # the raw write in flight carries it
        # a raw write that went at once, reported done in a native immediate (Node's
        # TLSWrap: "simulate asynchronous finishing"); the raw handle counts as busy
        self._sim_pending = False
        self._shutdown_cb: Optional[Callable[[int], None]] = None
        self._shutdown_started = False
        self._eof = False                      # end of input already given to the owner
        self._hello_buf: Optional[bytearray] = None
        self._gate: Optional[Callable[..., None]] = None
        self.peer_chain: List[bytes] = []
        self.finished: Optional[bytes] = None
        self.peer_finished: Optional[bytes] = None
        self.lenient_ctx: Optional[ssl.SSLContext] = None
        self.client_random: Optional[bytes] = None
        self._parent = parent                  # the Socket the raw handle came from
        self._cycling = False
        self._session_pending = 0
        self._default_ctx: Optional[ssl.SSLContext] = None
        self.sni_name: Optional[str] = None        # the server name a client asked for
        self.key_share: Optional[int] = None       # the key exchange group (client side)
        self._hello_need = 0
        self._write_shut = False               # the raw stream's write side is shut

    def _is_closed(self) -> bool:
        return self.closed

    # -- StreamHandle's read-only properties ----------------------------------------------

    @property
    def is_tcp(self) -> bool:
        return self.raw.is_tcp

    @property
    def family(self) -> int:
        return self.raw.family

    @property
    def fd(self) -> int:
        return self.raw.fd

    @property
    def connect_cb(self) -> Any:
        return None

    @property
    def shutdown_cb(self) -> Optional[Callable[[int], None]]:
        return self._shutdown_cb

    @property
    def write_size(self) -> int:
        """Bytes accepted but not yet taken by the kernel (cleartext before the
        handshake, records after it)."""
        return (self.raw.write_size + sum(len(b) for b in self._out)
                + self._clear_pending_size + self.outgoing.pending)

    write_queue_size = write_size

    def fileno(self) -> int:
        return -1 if self.closed else self.raw.fileno()

    def getsockname(self) -> Dict[str, Any]:
        return {} if self.closed else self.raw.getsockname()

    def getpeername(self) -> Dict[str, Any]:
        return {} if self.closed else self.raw.getpeername()

    def set_no_delay(self, enable: bool) -> None:
        self.raw.set_no_delay(enable)

    def set_keep_alive(self, enable: bool, idle: int, interval: int = 1, count: int = 10) -> int:
        return self.raw.set_keep_alive(enable, idle, interval, count)

    def set_type_of_service(self, tos: int) -> int:
        return self.raw.set_type_of_service(tos)

    def get_type_of_service(self) -> Tuple[int, int]:
        return self.raw.get_type_of_service()

    def ref(self) -> None:
        self.raw.ref()

    def unref(self) -> None:
        self.raw.unref()

    @property
    def refed(self) -> bool:
        return self.raw.refed

    # -- starting ---------------------------------------------------------------------

    def start_client(self, ctx: ssl.SSLContext, server_hostname: Optional[str],
                     session: Optional[ssl.SSLSession]) -> None:
        """Create the client SSLObject and send the ClientHello (Node's ``start()``)."""
        self._make_sslobj(ctx, server_hostname, session)
        self._cycle()

    def start_server(self, ctx: ssl.SSLContext,
                     gate: Optional[Callable[..., None]] = None) -> None:
        """Accept a handshake with ``ctx``; with ``gate``, first read the
        ClientHello and call ``gate(hello, resume)``, where
        ``resume(err, ctx=None, alert=None)`` goes on with another context, or
        refuses with a fatal alert."""
        if gate is None:
            self._make_sslobj(ctx, None, None)
        else:
            self._gate = gate
            self._hello_buf = bytearray()
            self._default_ctx = ctx

    def _make_sslobj(self, ctx: ssl.SSLContext, server_hostname: Optional[str],
                     session: Optional[ssl.SSLSession]) -> None:
        # A server context that verifies is one made for this connection alone:
        # its store will take the client's certificates (see _on_message).
        self.lenient_ctx = (ctx if self.server_side and ctx.verify_mode != ssl.CERT_NONE
                            else None)
        kwargs: Dict[str, Any] = {"server_side": self.server_side}
        if not self.server_side:
            kwargs["server_hostname"] = sni_name(server_hostname)
            if session is not None:
                kwargs["session"] = session
        try:
            obj = ctx.wrap_bio(self.incoming, self.outgoing, **kwargs)
        except ValueError:
            # a session from another context, or that cannot be resumed: start afresh
            kwargs.pop("session", None)
            obj = ctx.wrap_bio(self.incoming, self.outgoing, **kwargs)
        obj.__dict__["_nodenet_tls"] = self
        self.sslobj = obj

    # -- handshake messages (from message_hook) ------------------------------------------

    def _on_message(self, written: bool, version: int, msg_type: int, data: bytes) -> None:
        if msg_type == _MSG_CERTIFICATE and not written and not self.established:
            try:
                chain = _tlswire.certificate_list(data, version >= _TLS13)
            except (IndexError, ValueError):  # pragma: no cover - OpenSSL rejects it too
                return
            self.peer_chain = chain
            lenient = self.lenient_ctx
            if lenient is not None and chain and self.server_side:
                # Let the real handshake accept whatever the client sent; the
                # Verifier decides afterwards (Node's verify callback says yes too).
                _tlscontext.trust_for_client_auth(lenient, chain[0])
        elif msg_type == _MSG_FINISHED:
            if written:
                self.finished = bytes(data[4:])
            else:
                self.peer_finished = bytes(data[4:])
        elif msg_type == _MSG_NEW_SESSION_TICKET and not written and not self.server_side:
            self._session_pending += 1
        elif msg_type == _MSG_CLIENT_HELLO and len(data) >= 38:
            self.client_random = bytes(data[6:38])
            if _tlskeylog.active and self.sslobj is not None:
                _tlskeylog.register(self.sslobj.context, self.client_random, self)
            if not written:
                try:
                    self.sni_name = _tlswire.read_client_hello(bytes(data[4:])).servername
                except _tlswire.NotAClientHello:  # pragma: no cover - OpenSSL refuses it
                    pass
        elif msg_type == _MSG_SERVER_HELLO and not written:
            self.key_share = _tlswire.server_hello_group(data)
        elif msg_type == _MSG_SERVER_KEY_EXCHANGE and not written:
            self.key_share = _tlswire.server_key_exchange_group(data)

    def _on_keylog(self, line: bytes) -> None:
        if not self.closed and self.owner is not None:
            self.owner._tls_keylog(line)

    # -- reading -----------------------------------------------------------------------

    def read_start(self) -> int:
        if self.closed:
            return errno.EBADF
        self.reading = True
        return self.raw.read_start()

    def read_stop(self) -> int:
        self.reading = False
        return self.raw.read_stop()

    def _on_handle_data(self, data: Any) -> None:
        """Raw bytes from the peer."""
        if self.closed or self.failed:
            return
        if self._hello_buf is not None:
            self._gate_data(data)
            return
        if self.sslobj is None:
            return
        self.incoming.write(data)
        self._cycle()

    def _on_handle_eof(self) -> None:
        """The raw stream ended: what is decrypted is out already; end the input."""
        if self.closed or self._eof:
            return
        self._eof = True
        self.owner._on_handle_eof()

    def _on_handle_error(self, err: int, syscall: str) -> None:
        if self.closed:
            return
        self.owner._on_handle_error(err, syscall)

    def _cycle(self) -> None:
        """Advance the handshake or read records, then send what OpenSSL produced."""
        if self._cycling:
            return
        self._cycling = True
        try:
            self._advance()
        finally:
            self._cycling = False
        if _tlskeylog.active:
            _tlskeylog.collect()
        if not self.closed:
            self._flush()

    def _advance(self) -> None:
        obj = self.sslobj
        assert obj is not None
        if not self.established:
            try:
                obj.do_handshake()
            except ssl.SSLWantReadError:
                return
            except ssl.SSLError as exc:
                self._fail(exc)
                return
            self.established = True
            if not self.server_side and obj.version() != "TLSv1.3":
                # TLS 1.2 makes its one session during the handshake (ticket or id)
                self._session_pending = 1 if obj.session is not None else 0
            # Node's onhandshakedone -> 'secure', before the last flight is sent
            self.owner._tls_handshake_done()
            if self.closed:
                return
            if self._clear_pending:
                bufs = self._clear_pending
                self._clear_pending = []
                self._clear_pending_size = 0
                if not self._encrypt(bufs):
                    return
                self._out_user = True
        self._read_clear()

    def _read_clear(self) -> None:
        """Decrypt everything available and hand it over in 16 KiB pieces."""
        obj = self.sslobj
        assert obj is not None
        loop = self.loop
        while not self.closed and not self._eof:
            try:
                buf = self.onread_buffer
                chunk: Any
                if buf is not None:
                    n: int = obj.read(len(buf), buf)  # type: ignore[assignment]
                    chunk = n
                else:
                    chunk = obj.read(CLEAR_CHUNK)
                    n = len(chunk)
            except ssl.SSLWantReadError:
                self._new_sessions()
                break
            except ssl.SSLZeroReturnError:
                n = 0
            except ssl.SSLError as exc:
                self._fail(exc)
                break
            # session tickets read on the way come first, as in Node
            self._new_sessions()
            if self._is_closed():          # a 'session' listener may have closed us
                break
            if not n:
                # ssl returns nothing (or raises SSLZeroReturnError) once the peer's
                # close_notify arrived: the end of input, before any TCP FIN
                self._eof = True
                self._flush()
                self.owner._on_handle_eof()
                break
            self.bytes_read += n
            self.owner._on_handle_data(chunk)
            if loop._ticks:      # each piece is its own callback in Node
                loop._drain_ticks()

    def _new_sessions(self) -> None:
        count = self._session_pending
        if count and not self.closed:
            self._session_pending = 0
            for _ in range(count):
                self.owner._tls_new_session()

    def _fail(self, exc: ssl.SSLError) -> None:
        if self.failed:
            return
        self.failed = True
        self._flush()              # the alert OpenSSL wrote goes to the peer
        self.owner._tls_failed(exc)

    # -- the ClientHello gate (servers with SNICallback or ALPN) ------------------------

    def _gate_data(self, data: Any) -> None:
        buf = self._hello_buf
        assert buf is not None
        buf += data
        if len(buf) < self._hello_need:
            return                      # a record is still incomplete: nothing to read yet
        try:
            hello = _tlswire.parse_client_hello(bytes(buf))
        except _tlswire.NotAClientHello:
            self._open_gate(None, None)
            return
        if hello is None:
            self._hello_need = _tlswire.bytes_needed(bytes(buf))
            return
        gate = self._gate
        self._gate = None
        self.raw.read_stop()            # nothing more until the gate answers
        assert gate is not None
        answered = [False]

        def resume(err: Optional[BaseException] = None, ctx: Optional[ssl.SSLContext] = None,
                   alert: Optional[int] = None, node_error: Optional[BaseException] = None
                   ) -> None:
            if answered[0] or self.closed:
                return
            answered[0] = True
            if err is not None:
                self.owner._tls_gate_error(err)
                return
            if alert is not None:
                self.raw.write([_tlswire.alert_record(alert)], None)
                self.failed = True
                self.owner._tls_failed(node_error)
                return
            self._open_gate(ctx, hello)

        gate(hello, resume)

    def _open_gate(self, ctx: Optional[ssl.SSLContext], hello: Any) -> None:
        data = bytes(self._hello_buf or b"")
        self._hello_buf = None
        self._gate = None
        chosen = ctx or self._default_ctx
        self._default_ctx = None
        assert chosen is not None
        self._make_sslobj(chosen, None, None)
        if self.reading:
            self.raw.read_start()
        if data:
            self.incoming.write(data)
        self._cycle()

    # -- writing -------------------------------------------------------------------------

    def write(self, bufs: List[Any], cb: Optional[Callable[[int], None]],
              tried: bool = False) -> Tuple[int, bool]:
        """Encrypt and send ``bufs``: ``(errno, async)``; an async write ends
        with ``write_cb(status)``, set by the caller after this returns.

        ``tried`` (a short string, see ``StreamHandle.write``) changes nothing
        here: Node's TLS handle has no immediate send to try, so it counts every
        write in full before encrypting it, even one that then fails."""
        if self.closed or self.failed:
            return errno.EBADF, False
        size = 0
        for b in bufs:
            size += len(b)
        self.bytes_written += size
        if not self.established or self._hello_buf is not None or self.sslobj is None:
            self._clear_pending.extend(bytes(b) for b in bufs)
            self._clear_pending_size += size
            return 0, True
        if not self._encrypt(bufs):
            return errno.EPROTO, False
        data = self.outgoing.read()
        if self.raw.write_cb is None and not self._out and not self._sim_pending:
            err, is_async = self.raw.write([data], None)
            if err:
                return err, False
            self._inflight_user = True
            if is_async:
                self.raw.write_cb = self._on_raw_written
            else:
                self._simulate_async()
            return 0, True
        self._out.append(data)
        self._out_user = True
        return 0, True

    def _encrypt(self, bufs: List[Any]) -> bool:
        obj = self.sslobj
        assert obj is not None
        try:
            for b in bufs:
                if len(b):
                    obj.write(b)
        except ssl.SSLError as exc:
            self._fail(exc)
            return False
        return True

    def _flush(self) -> None:
        """Send what OpenSSL wrote, and what waited, once the raw handle is free."""
        if self.outgoing.pending:
            self._out.append(self.outgoing.read())
        if self._write_shut:
            # After our FIN (an end() made during the handshake), the rest of the
            # handshake cannot be sent; Node's TLSWrap drops it too.
            self._out = []
            return
        raw = self.raw
        if (not self._out or raw.write_cb is not None or self._sim_pending or self.closed
                or raw.closed):
            return
        bufs = self._out
        self._out = []
        carries_user = self._out_user
        self._out_user = False
        err, is_async = raw.write(bufs, None)
        if err:
            self._inflight_user = carries_user
            self._on_raw_written(err)
            return
        if is_async:
            raw.write_cb = self._on_raw_written
            self._inflight_user = carries_user
        elif carries_user:
            self._inflight_user = True
            self._simulate_async()

    def _simulate_async(self) -> None:
        """A raw write with the socket's data went at once: Node's TLSWrap reports
        it done only in a native immediate (the check phase, before JavaScript
        immediates), so until then ``writableLength`` counts it and more data
        waits."""
        self._sim_pending = True
        self.loop.native_immediate(self._sim_written)

    def _sim_written(self) -> None:
        self._sim_pending = False
        if not self.closed:
            self._on_raw_written(0)

    def _on_raw_written(self, status: int) -> None:
        user = self._inflight_user
        self._inflight_user = False
        if user:
            self._complete_user(status)
        if status:
            # Node's TLSWrap ignores a write error once it has shut down (the
            # close_notify meeting a peer that has gone)
            if not user and not self.closed and not self._shutdown_started:
                self.owner._on_handle_error(status, "write")
            return
        if not self.closed:
            self._flush()
            self._after_flush()

    def _complete_user(self, status: int) -> None:
        cb = self.write_cb
        self.write_cb = None
        if cb is not None:
            cb(status)

    def _after_flush(self) -> None:
        if (self._shutdown_cb is not None and not self._shutdown_started
                and self.write_cb is None and not self._out and self.raw.write_cb is None
                and not self._sim_pending):
            self._do_shutdown()

    # -- shutdown and close ------------------------------------------------------------------

    def shutdown(self, cb: Callable[[int], None]) -> int:
        """Send close_notify, then half-close the raw stream; ``cb(status)``."""
        if self.closed:
            return errno.ENOTCONN
        self._shutdown_cb = cb
        if (self.write_cb is None and not self._out and self.raw.write_cb is None
                and not self._sim_pending):
            self.loop.defer(self._do_shutdown)
        return 0

    def _do_shutdown(self) -> None:
        cb = self._shutdown_cb
        if cb is None or self.closed or self._shutdown_started:
            return
        self._shutdown_started = True
        obj = self.sslobj
        if obj is not None and self.established and not self.failed:
            # unwrap() reads records and drops any application data among them:
            # take out what is there first.
            self._read_clear()
            if self._is_closed():          # _read_clear may have closed us
                return
            try:
                obj.unwrap()
            except (ssl.SSLError, ValueError):   # SSLWantReadError: no reply yet
                pass
            if self.outgoing.pending:
                self._out.append(self.outgoing.read())
        if self._out and self.raw.write_cb is None and not self._sim_pending:
            self._flush()

        def done(status: int) -> None:
            self._shutdown_cb = None
            cb(status)

        err = self.raw.shutdown(done)
        self._write_shut = True
        if err:
            done(0 if err == errno.ENOTCONN else err)

    def close(self, cb: Optional[Callable[[], None]] = None, reset: bool = False) -> None:
        """Close the raw stream (destroying the socket it came from, if any); pending
        requests are cancelled with ECANCELED before ``cb``, as libuv does."""
        if self.closed:
            return
        self.closed = True
        self.reading = False
        pending_write = self.write_cb
        pending_shutdown = self._shutdown_cb if not self._shutdown_started else None
        self.write_cb = None
        self._shutdown_cb = None
        self._clear_pending = []
        self._clear_pending_size = 0
        self._out = []
        obj = self.sslobj
        if obj is not None:
            obj.__dict__.pop("_nodenet_tls", None)
        loop = self.loop

        def finished() -> None:
            for fn in (pending_write, pending_shutdown):
                if fn is not None:
                    fn(errno.ECANCELED)
                    if loop._ticks:
                        loop._drain_ticks()
            if cb is not None:
                cb()

        parent = self._parent
        if parent is not None and parent._handle is self.raw and not parent.destroyed:
            parent._add("close", _Once(finished), False)
            parent._destroy_impl(None, None)
            return
        if self.raw.closed:
            loop.add_closing(finished)
            return
        self.raw.close(finished, reset=reset)

    def _loop_teardown(self) -> None:  # pragma: no cover - the raw handle is registered
        self.close()


class _Once:
    """A one-shot listener that ignores its arguments."""

    __slots__ = ("fn", "done")

    def __init__(self, fn: Callable[[], None]) -> None:
        self.fn = fn
        self.done = False

    def __call__(self, *_: Any) -> None:
        if not self.done:
            self.done = True
            self.fn()
