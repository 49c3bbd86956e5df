"""Readable, Writable and Duplex streams: what ``net.Socket`` is made of.

Node: stream.md § "Readable streams", § "Writable streams", § "Duplex and
transform streams" (Node 26), byte mode only (no object mode).

This is a port of the *rules* of Node's stream state machines, because the
order of ``net.Socket``'s events comes from them:

* ``write()`` hands one chunk at a time to ``_write``/``_writev`` and buffers the
  rest; a synchronously completed write runs its callback (and ``'drain'``) on
  the next tick; ``write()`` returns ``length < high_water_mark`` (or True when
  nothing stays buffered, so a 0 mark works with synchronous writes);
* ``end()`` waits for the buffer to empty, calls ``_final``, then emits
  ``'prefinish'`` and, a tick later, ``'finish'``;
* ``push()`` emits ``'data'`` directly when flowing and nothing is buffered,
  otherwise buffers; ``'end'`` is emitted a tick after the last byte is read;
* with ``allow_half_open`` false, ``'end'`` ends the writable side a tick later;
* with auto-destroy, the stream destroys itself once both sides are done;
* ``destroy(err)`` calls ``_destroy``, then emits ``'error'`` (once, on the next
  tick) and ``'close'`` — ``net.Socket`` emits its own ``'close'`` instead.

Differences: chunks are ``bytes`` (or ``str`` after ``set_encoding``); ``write``
accepts bytes-like objects and ``str`` with a Node encoding name. Lengths count
bytes for buffers and UTF-16 code units for strings, as Node does.

Reading this file: docs/streams.md explains the two state machines with
diagrams and traces, using the names here. Each function says which function
of Node's ``lib/internal/streams/`` (``readable.js``, ``writable.js``,
``destroy.js``, ``duplex.js``) it is. Node's names are kept in snake_case; its
mark for the half of a step that runs on the next tick (a trailing ``_`` or
``NT``: ``resume_``, ``endReadableNT``) becomes ``_nt``. The file runs in
Node's order: the two states, destroy (shared), Readable (``push`` side, then
``read`` side, flow, end, pipe), Writable (``write``, completion, the buffer,
finishing), Duplex. ``net.Socket`` (``_netsocket.py``) takes shortcuts through
some of these steps; ``_fastpath.py`` lists them.
"""

from __future__ import annotations

from collections import deque
from typing import (
    TYPE_CHECKING, Any, Callable, Deque, Dict, Hashable, List, Optional, Tuple, Union, cast,
)

from . import _charsets
from ._loop import Loop, get_loop
from ._validators import is_number, js_number, js_parse_int, js_truthy, validate_integer
from .errors import (
    ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_MULTIPLE_CALLBACK, ERR_OUT_OF_RANGE,
    ERR_STREAM_ALREADY_FINISHED, ERR_STREAM_DESTROYED, ERR_STREAM_PUSH_AFTER_EOF,
    ERR_STREAM_WRITE_AFTER_END, ERR_UNKNOWN_ENCODING, NodeError,
)
from ._fastpath import ENABLED as FAST_PATHS
from ._jscall import adapt
from .events import EventEmitter, OnceWrapper

__all__ = ("Readable", "Writable", "Duplex", "DEFAULT_HIGH_WATER_MARK",
           "get_default_high_water_mark", "set_default_high_water_mark")

#: The initial default high-water mark: 64 KiB (Node >= 22; Node 20 used 16 KiB).
#: New streams, sockets and servers read the current one from
#: :func:`get_default_high_water_mark`.
DEFAULT_HIGH_WATER_MARK = 65536
_MAX_SAFE_INTEGER = 2**53 - 1

_default_hwm_bytes = DEFAULT_HIGH_WATER_MARK
_default_hwm_objects = 16     # object mode is not supported; the value is kept, as in Node


def get_default_high_water_mark(object_mode: Any = False) -> int:
    """Node: stream.md § ``stream.getDefaultHighWaterMark(objectMode)`` (v19.9):
    65536 for byte streams, 16 for object mode, unless changed."""
    return _default_hwm_objects if js_truthy(object_mode) else _default_hwm_bytes


def set_default_high_water_mark(object_mode: Any, value: Any) -> None:
    """Node: stream.md § ``stream.setDefaultHighWaterMark(objectMode, value)`` (v19.9).

    ``value`` must be an integer >= 0 (ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE). It
    is the default of the streams, sockets and servers created afterwards.
    """
    global _default_hwm_bytes, _default_hwm_objects
    value = validate_integer(value, "value", 0, _MAX_SAFE_INTEGER)
    if js_truthy(object_mode):
        _default_hwm_objects = value
    else:
        _default_hwm_bytes = value

Callback = Callable[..., Any]
Chunk = Union[bytes, str]


def _nop(*_: Any) -> None:
    """Node's ``nop``: the callback of a write that has none (compared by identity)."""


class ReadableState:
    """Node's ``ReadableState``: everything the Readable side of a stream knows.

    Node 26 packs the booleans into one integer (``kState``, one bit each:
    ``kEnded``, ``kReading``...) and keeps the rest as properties; here each is
    a plain attribute, named as Node's property in snake_case. docs/streams.md
    tells how they move together. Not modelled: object mode, ``_construct``
    (``constructed``), and Node 26's ``pipeOnData`` shortcut; its ``flowSync``
    (``fastChunk``, ``kFastPush``) is modelled: :func:`_flow_sync`.
    """

    __slots__ = (
        "high_water_mark", "buffer", "length", "pipes", "flowing", "ended", "end_emitted",
        "reading", "sync", "need_readable", "emitted_readable", "readable_listening",
        "resume_scheduled", "paused", "error_emitted", "emit_close", "auto_destroy",
        "destroyed", "errored", "closed", "close_emitted", "decoder", "encoding",
        "await_drain_writers", "reading_more", "data_emitted",
        "data_listening", "readable", "end_scheduled", "eof_readable_pending",
        "fast_chunk", "fast_push",
    )

    def __init__(self, high_water_mark: int) -> None:
        """A fresh state: paused mode not chosen yet (``flowing`` None), nothing read."""
        # read() asks _read for more while length is below this (0: only on demand)
        self.high_water_mark = high_water_mark
        # chunks pushed and not yet read, oldest first (Node: an array and bufferIndex);
        # made on first use: a deque costs ~600 bytes, and most sockets flow
        self.buffer: Optional[Deque[Chunk]] = None
        # bytes (or string units, once decoding) in buffer: readableLength
        self.length = 0
        # the destinations of pipe(), in pipe order (a tuple here, Node's array)
        self.pipes: Tuple[Any, ...] = ()
        # None: nobody chose a mode; True: flowing ('data'); False: paused (kHasFlowing+kFlowing)
        self.flowing: Optional[bool] = None
        # push(None) came: no more data will be added (kEnded)
        self.ended = False
        # 'end' was emitted: readableEnded (kEndEmitted)
        self.end_emitted = False
        # _read was called and has not pushed yet: do not ask again (kReading)
        self.reading = False
        # a push now comes from inside read()'s call to _read: buffer it, emit nothing
        # yet (kSync); True until the first read
        self.sync = True
        # the consumer found nothing: emit 'readable' when data or the end arrives
        self.need_readable = False
        # a 'readable' tick is queued (set until it reports something, or a read())
        self.emitted_readable = False
        # a 'readable' listener is attached: it, not 'data', drives reading
        self.readable_listening = False
        # resume() scheduled its tick (resume_, here _resume_nt) and it has not run
        self.resume_scheduled = False
        # None: neither pause() nor resume() called, else whether pause() was last
        # (kHasPaused+kPaused)
        self.paused: Optional[bool] = None
        # 'error' was emitted: never again (kErrorEmitted)
        self.error_emitted = False
        # destroy() emits 'close' (net.Socket: False, its handle emits it) (kEmitClose)
        self.emit_close = True
        # destroy the stream by itself after 'end' (and 'finish') (kAutoDestroy)
        self.auto_destroy = True
        # destroy() was called (kDestroyed)
        self.destroyed = False
        # the error the stream failed with; then no more _read, 'data' or 'readable'
        self.errored: Optional[BaseException] = None
        # _destroy called back: the stream is closed (kClosed)
        self.closed = False
        # 'close' was emitted, or would have been without emit_close (kCloseEmitted)
        self.close_emitted = False
        # set_encoding()'s decoder: chunks become str, characters never cut (kDecoder)
        self.decoder: Optional[_charsets.Decoder] = None
        # set_encoding()'s encoding name, readableEncoding (kEncoding)
        self.encoding: Optional[str] = None
        # pipe destinations whose write() said False: None, one, or a set once a
        # second pipe was added (Node's kMultiAwaitDrain is "it is a set" here:
        # a slot fewer, memory per connection)
        self.await_drain_writers: Any = None
        # a maybeReadMore tick is queued (kReadingMore)
        self.reading_more = False
        # Node 26's flowSync (_flow_sync): the chunk read ahead, counted in length
        # but not in buffer (fastChunk)
        self.fast_chunk: Optional[bytes] = None
        # inside _flow_sync's _read: a push now parks its Buffer there (kFastPush)
        self.fast_push = False
        # 'data' was emitted at least once: readableDidRead (kDataEmitted)
        self.data_emitted = False
        # a 'data' listener is attached (kDataListening)
        self.data_listening = False
        # False: the side is disabled (Duplex readable=False); Node's plain ``readable``
        self.readable: Optional[bool] = None
        # an endReadableNT tick is queued: do not queue another (kEndScheduled, Node 26)
        self.end_scheduled = False
        # the end came unobserved: a 'readable' listener added later gets its 'readable'
        # (kEofReadablePending, Node 26)
        self.eof_readable_pending = False


class _WriteReq:
    """A buffered write: the chunk, its Node length, its callback and whether it
    is a short string (Node's ``{chunk, encoding, callback}``; chunks are
    already bytes here, and ``tried`` is what the encoding tells the handle)."""

    __slots__ = ("chunk", "length", "callback", "tried")

    def __init__(self, chunk: bytes, length: int, callback: Callback, tried: bool) -> None:
        """Keep one write() that has to wait its turn."""
        self.chunk = chunk
        self.length = length
        self.callback = callback
        self.tried = tried


# The empty write buffer every WritableState starts with: a tuple, so that a stray
# append fails loudly instead of touching every stream's buffer.
_NOTHING_BUFFERED = cast("List[Optional[_WriteReq]]", ())


class WritableState:
    """Node's ``WritableState``: everything the Writable side of a stream knows.

    As with :class:`ReadableState`, Node 26 keeps the booleans as bits of one
    integer (``kState``: ``kWriting``, ``kEnding``...) and the rest as
    properties; here they are plain attributes with Node's names in snake_case.
    docs/streams.md tells how they move together. Not modelled: object mode,
    ``_construct`` (``constructed``), ``decodeStrings``/``allBuffers`` (chunks are
    always bytes by the time they are buffered), and ``onwrite`` (the callback
    ``_write`` gets is the bound method ``stream._onwrite``).
    """

    __slots__ = (
        "high_water_mark", "length", "corked", "writing", "sync", "buffered",
        "buffered_index", "all_noop", "writelen", "writecb", "write_tried",
        "pending_cb", "ending", "ended", "finished", "final_called", "prefinished",
        "need_drain", "destroyed", "errored", "error_emitted", "closed", "close_emitted",
        "emit_close", "auto_destroy", "default_encoding", "after_write_tick_info",
        "after_write_pending", "buffer_processing", "on_finished", "writable",
    )

    def __init__(self, high_water_mark: int) -> None:
        """A fresh state: nothing written, nothing buffered, not ending."""
        # write() returns False once length reaches this (0: whenever anything waits)
        self.high_water_mark = high_water_mark
        # bytes (string units) given to write() and not yet called back: writableLength
        self.length = 0
        # cork() depth: while above 0 every write is buffered (count, plus kCorked)
        self.corked = 0
        # a chunk is in _write/_writev and its callback has not come (kWriting)
        self.writing = False
        # inside a _write (or _final) call: a callback now is "sync", its effects wait
        # a tick (kSync); True until the first write
        self.sync = True
        # writes waiting behind the current one, oldest first; consumed from buffered_index
        self.buffered = _NOTHING_BUFFERED  # a list once a write waits (memory per socket)
        # how many entries at the front of buffered are already done (Node: bufferedIndex)
        self.buffered_index = 0
        # no buffered write has a callback: _writev may get a no-op one (kAllNoop)
        self.all_noop = True
        # the length of what is in _write now, taken off length when it calls back
        self.writelen = 0
        # the callback of what is in _write now (_nop when it has none); None when
        # nothing is in _write: a second call back is then an error (Node's null)
        self.writecb: Optional[Callback] = None
        # what is in _write now came from a string Node's handle writes as a string
        # (_charsets.tried_as_string): net.Socket's _write reads it, as Node's reads
        # the encoding it is given, to count a failed write as Node does
        self.write_tried = False
        # callbacks not yet run (writes, and _final): must be 0 before 'finish' (pendingcb)
        self.pending_cb = 0
        # end() was called (set as it starts): writableEnded (kEnding)
        self.ending = False
        # end() was called and returned (kEnded)
        self.ended = False
        # 'finish' was emitted: writableFinished (kFinished)
        self.finished = False
        # _final was called (or there is none and 'prefinish' went out) (kFinalCalled)
        self.final_called = False
        # 'prefinish' was emitted (kPrefinished)
        self.prefinished = False
        # write() returned False: emit 'drain' when length is back to 0 (kNeedDrain)
        self.need_drain = False
        # destroy() was called (kDestroyed)
        self.destroyed = False
        # the error the stream failed with; every later write() returns False
        self.errored: Optional[BaseException] = None
        # 'error' was emitted: never again (kErrorEmitted)
        self.error_emitted = False
        # _destroy called back: the stream is closed (kClosed)
        self.closed = False
        # 'close' was emitted, or would have been without emit_close (kCloseEmitted)
        self.close_emitted = False
        # destroy() emits 'close' (net.Socket: False, its handle emits it) (kEmitClose)
        self.emit_close = True
        # destroy the stream by itself after 'finish' (and 'end') (kAutoDestroy)
        self.auto_destroy = True
        # encoding of a str written without one: setDefaultEncoding()
        self.default_encoding = "utf8"
        # [count, cb]: sync completions of one callback, run by one afterWrite tick
        self.after_write_tick_info: Optional[List[Any]] = None  # [count, cb]
        # an afterWrite tick is queued (kAfterWritePending)
        self.after_write_pending = False
        # _clear_buffer is running: a sync callback must not re-enter it
        self.buffer_processing = False
        # end(cb) callbacks waiting for 'finish' (or an error) (kOnFinished)
        self.on_finished: Optional[List[Callback]] = None
        # False: the side is disabled (Duplex writable=False); Node's plain ``writable``
        self.writable: Optional[bool] = None


class _Stream(EventEmitter):
    """What Readable, Writable and Duplex share: their states and destroy()."""

    __slots__ = ("_readable_state", "_writable_state", "allow_half_open")

    _loop: Loop            # a stream always belongs to a loop (set in __init__)

    _event_args: Dict[Hashable, int] = {
        **EventEmitter._event_args, "data": 1, "end": 0, "finish": 0, "close": 0, "drain": 0,
        "pause": 0, "resume": 0, "readable": 0, "pipe": 1, "unpipe": 2, "prefinish": 0,
    }

    def __init__(self) -> None:
        """Node's ``Stream`` constructor: an emitter of this thread's loop, no states yet."""
        super().__init__()
        self._loop = get_loop()
        self._readable_state: Optional[ReadableState] = None
        self._writable_state: Optional[WritableState] = None
        self.allow_half_open = True

    def _tick(self, fn: Callback, *args: Any) -> None:
        """``process.nextTick`` on this stream's loop (Loop.next_tick, inlined)."""
        self._loop._ticks.append((fn, args))

    # -- destroy (Node: internal/streams/destroy.js) ---------------------------

    def destroy(self: Any, error: Optional[BaseException] = None) -> Any:
        """Node: stream.md § "readable.destroy([error])" / "writable.destroy([error])".

        Destroys the stream; ``'error'`` (if ``error``) is emitted on the next tick,
        at most once. Returns the stream. Destroying twice does nothing. As in
        Node, an ``error`` that JavaScript finds falsy (``0``, ``''``) is no error.
        """
        self._run(self._destroy_impl, error if js_truthy(error) else None, None)
        return self

    def _destroy_impl(self, err: Optional[BaseException], cb: Optional[Callback]) -> None:
        """Node's ``destroy`` (destroy.js, with Writable's prelude), on the loop thread.

        1. Already destroyed: only ``cb``. 2. Buffered writes and ``end()``
        callbacks will fail, a tick later (Writable.prototype.destroy). 3. Record
        ``err`` as ``errored`` and mark both sides destroyed *before* calling
        anything, so a destroy() from a callback returns at step 1. 4. Call
        ``_destroy(err, on_destroy)``; when it calls back the stream is
        ``closed`` and ``'error'`` then ``'close'`` follow on the next tick.
        """
        r = self._readable_state
        w = self._writable_state
        if (w is not None and w.destroyed) or (r is not None and r.destroyed):
            if cb is not None:
                cb()
            return
        if w is not None and (len(w.buffered) > w.buffered_index or w.on_finished):
            # Writable.destroy: buffered writes and end() callbacks get the error
            self._tick(_error_buffer, w)
        _check_error(err, w, r)
        if w is not None:
            w.destroyed = True
        if r is not None:
            r.destroyed = True
        called = [False]

        def on_destroy(error: Optional[BaseException] = None) -> None:
            """Node's ``onDestroy``: the callback ``_destroy`` gets (its first call counts)."""
            if called[0]:
                return
            called[0] = True
            _check_error(error, w, r)
            if w is not None:
                w.closed = True
            if r is not None:
                r.closed = True
            if cb is not None:
                cb(error)
            if error is not None:
                self._tick(_emit_error_close_nt, self, error)
            else:
                self._tick(_emit_close_nt, self)

        try:
            self._destroy(err, on_destroy)
        except Exception as exc:
            on_destroy(exc)

    def _destroy(self, error: Optional[BaseException], callback: Callback) -> None:
        """Release resources; override and call ``callback(error)`` (Node's ``_destroy``)."""
        callback(error)

    def _undestroy(self) -> None:
        """Node's ``undestroy``: make the stream usable again (a socket reconnecting)."""
        _reset_states(self._readable_state, self._writable_state)

    def _error_or_destroy(self, err: BaseException, sync: bool = False) -> None:
        """Node's ``errorOrDestroy``: auto-destroying streams destroy with ``err``."""
        r = self._readable_state
        w = self._writable_state
        if (w is not None and w.destroyed) or (r is not None and r.destroyed):
            return
        if (r is not None and r.auto_destroy) or (w is not None and w.auto_destroy):
            self._destroy_impl(err, None)
        elif err is not None:
            _check_error(err, w, r)
            if sync:
                self._tick(_emit_error_nt, self, err)
            else:
                _emit_error_nt(self, err)

    @property
    def destroyed(self) -> bool:
        """Node: ``readable.destroyed`` / ``writable.destroyed``."""
        w = self._writable_state
        if w is not None:
            return w.destroyed
        r = self._readable_state
        return r.destroyed if r is not None else False

    @property
    def errored(self) -> Optional[BaseException]:
        """Node: ``stream.errored``."""
        w = self._writable_state
        if w is not None and w.errored is not None:
            return w.errored
        r = self._readable_state
        return r.errored if r is not None else None

    @property
    def closed(self) -> bool:
        """Node: ``stream.closed`` — ``'close'`` has been (or would have been) emitted."""
        w = self._writable_state
        if w is not None:
            return w.closed
        r = self._readable_state
        return r.closed if r is not None else False


def _reset_states(r: Optional[ReadableState], w: Optional[WritableState]) -> None:
    """Node's ``undestroy``: make a destroyed stream usable again (socket reconnect)."""
    if r is not None:
        r.destroyed = False
        r.closed = False
        r.close_emitted = False
        r.errored = None
        r.error_emitted = False
        r.reading = False
        r.ended = r.readable is False
        r.end_emitted = r.readable is False
    if w is not None:
        w.destroyed = False
        w.closed = False
        w.close_emitted = False
        w.errored = None
        w.error_emitted = False
        w.final_called = False
        w.prefinished = False
        w.ended = w.writable is False
        w.ending = w.writable is False
        w.finished = w.writable is False


def _check_error(err: Optional[BaseException], w: Optional[WritableState],
                 r: Optional[ReadableState]) -> None:
    """Node's ``checkError``: record ``err`` as each side's ``errored`` (the first one wins)."""
    if err is not None:
        if w is not None and w.errored is None:
            w.errored = err
        if r is not None and r.errored is None:
            r.errored = err


def _emit_error_close_nt(stream: _Stream, err: BaseException) -> None:
    """Node's ``emitErrorCloseNT``: a tick after destroy(err), ``'error'`` then ``'close'``."""
    _emit_error_nt(stream, err)
    _emit_close_nt(stream)


def _emit_close_nt(stream: _Stream) -> None:
    """Node's ``emitCloseNT``: mark ``close_emitted`` and emit ``'close'`` unless both
    sides have ``emit_close`` off (net.Socket: its handle's close emits it instead)."""
    r = stream._readable_state
    w = stream._writable_state
    if w is not None:
        w.close_emitted = True
    if r is not None:
        r.close_emitted = True
    if (w is not None and w.emit_close) or (r is not None and r.emit_close):
        stream._emit("close")


def _emit_error_nt(stream: _Stream, err: BaseException) -> None:
    """Node's ``emitErrorNT``: emit ``'error'`` once in the stream's life."""
    r = stream._readable_state
    w = stream._writable_state
    if (w is not None and w.error_emitted) or (r is not None and r.error_emitted):
        return
    if w is not None:
        w.error_emitted = True
    if r is not None:
        r.error_emitted = True
    stream._emit("error", err)


# ==============================================================================
# Readable


class Readable(_Stream):
    """Node: stream.md § "Class: stream.Readable" (byte mode).

    Subclasses implement ``_read(size)`` and call ``push(chunk)`` /
    ``push(None)`` for the end.
    """

    __slots__ = ()

    def __init__(self, *, high_water_mark: Optional[int] = None) -> None:
        """Node's ``new Readable({highWaterMark})``: the default mark when None."""
        super().__init__()
        self._readable_state = ReadableState(
            _get_high_water_mark(high_water_mark, "options.highWaterMark"))

    # -- listeners: 'data' starts the flow --------------------------------------

    def _add(self, event: Hashable, listener: Callback, prepend: bool) -> None:
        """Node's ``Readable.prototype.on``: listeners that choose the mode.

        A ``'data'`` listener starts the flow (``resume()``) unless the stream
        was paused explicitly (``flowing`` False). A ``'readable'`` listener
        switches to paused mode for good (``flowing`` False) and asks for a
        ``'readable'``: at once if data is buffered (or the end came unseen),
        else by a ``read(0)`` on the next tick. ``prepend_listener`` does
        neither, as in Node.
        """
        EventEmitter._add(self, event, listener, prepend)
        state = self._readable_state
        if state is None or prepend:   # Node's prependListener bypasses Readable.on
            return
        if event == "data":
            state.data_listening = True
            if self._events.get("readable"):     # only ever set here (Node ORs it in)
                state.readable_listening = True
            if state.flowing is not False:
                self._resume()
        elif event == "readable":
            if not state.end_emitted and not state.readable_listening:
                state.readable_listening = state.need_readable = True
                state.flowing = False
                state.emitted_readable = False
                if state.length:
                    _emit_readable(self)
                else:
                    if state.eof_readable_pending:
                        # the end was not reported to anyone: report it now
                        state.eof_readable_pending = False
                        _emit_readable(self)
                    if not state.reading:
                        self._tick(self._read_zero)

    def _remove(self, event: Hashable, listener: Callback) -> None:
        """Node's ``Readable.prototype.removeListener``: the last ``'readable'``
        listener gone hands the mode back a tick later (so a ``once('readable')``
        re-added in its own listener keeps it); the last ``'data'`` one clears
        ``data_listening`` at once."""
        EventEmitter._remove(self, event, listener)
        state = self._readable_state
        if state is None:
            return
        if event == "readable":
            self._tick(_update_readable_listening, self)
        elif event == "data" and not self._events.get("data"):
            state.data_listening = False

    def _remove_all(self, event: Any = None) -> None:
        """Node's ``Readable.prototype.removeAllListeners``: as :meth:`_remove` for
        ``'readable'``."""
        super()._remove_all(event)
        if self._readable_state is not None and event in ("readable", None):
            self._tick(_update_readable_listening, self)

    def _read_zero(self) -> None:
        """Node's ``nReadingNextTick``: ``read(0)``, to start filling the buffer."""
        self._read_impl(0)

    # -- pushing (the producer side) --------------------------------------------

    def push(self, chunk: Any, encoding: Optional[str] = None) -> bool:
        """Node: ``readable.push(chunk[, encoding])``; ``None`` ends the stream.

        Returns whether more data may be pushed (below the high-water mark).
        """
        state = self._readable_state
        assert state is not None
        if state.fast_push:
            # inside _flow_sync's _read: one Buffer parks as the next chunk; a
            # second push, a string or the end puts it back on the normal path
            if (encoding is None and state.fast_chunk is None and type(chunk) is bytes
                    and chunk):
                state.fast_chunk = chunk
                state.length = len(chunk)
                state.reading = False
                return len(chunk) < state.high_water_mark
            state.fast_push = False
            first = state.fast_chunk
            if first is not None:
                state.fast_chunk = None
                state.length = 0
                self._push(first, None)
        return self._push(chunk, encoding)

    def _push(self, chunk: Any, encoding: Optional[str]) -> bool:
        """``push`` on the normal path (Node's ``readableAddChunkPushByteMode``)."""
        state = self._readable_state
        assert state is not None
        if chunk is None:
            state.reading = False
            _on_eof_chunk(self, state)
            return False
        if isinstance(chunk, str):
            enc = _charsets.normalize(encoding if js_truthy(encoding) else "utf8")
            if enc is None:
                raise ERR_UNKNOWN_ENCODING(encoding)
            if state.encoding != enc:
                chunk = _charsets.encode(chunk, enc)
                from_string = False
            else:
                from_string = True
        elif isinstance(chunk, bytes):
            from_string = False
        elif isinstance(chunk, (bytearray, memoryview)):
            chunk = bytes(chunk)
            from_string = False
        else:
            self._error_or_destroy(ERR_INVALID_ARG_TYPE(
                "chunk", ["string", "Buffer", "TypedArray", "DataView"], chunk))
            return False
        if not chunk:
            state.reading = False
            _maybe_read_more(self, state)
            return _can_push_more(state)
        if state.ended:
            self._error_or_destroy(ERR_STREAM_PUSH_AFTER_EOF())
            return False
        if state.destroyed or state.errored is not None:
            return False
        state.reading = False
        if state.decoder is not None and not from_string:
            chunk = state.decoder.write(chunk)
            if not chunk:
                _maybe_read_more(self, state)
                return _can_push_more(state)
        _add_chunk(self, state, chunk, False)
        return _can_push_more(state)

    def unshift(self, chunk: Any, encoding: Optional[str] = None) -> bool:
        """Node: ``readable.unshift(chunk[, encoding])`` — put data back at the front.

        ``None`` ends the stream, as ``push(None)`` does. After ``'end'`` it is an
        error (ERR_STREAM_UNSHIFT_AFTER_END_EVENT). Returns what ``push`` would.
        """
        state = self._readable_state
        assert state is not None
        if chunk is None:
            state.reading = False
            _on_eof_chunk(self, state)
            return False
        if isinstance(chunk, str):
            enc = _charsets.normalize(encoding if js_truthy(encoding) else "utf8")
            if enc is None:
                raise ERR_UNKNOWN_ENCODING(encoding)
            if state.encoding is not None:
                if state.encoding != enc:
                    chunk = _charsets.decode(_charsets.encode(chunk, enc), state.encoding)
            else:
                chunk = _charsets.encode(chunk, enc)
        elif isinstance(chunk, (bytearray, memoryview)):
            chunk = bytes(chunk)
        elif not isinstance(chunk, bytes):
            self._error_or_destroy(ERR_INVALID_ARG_TYPE(
                "chunk", ["string", "Buffer", "TypedArray", "DataView"], chunk))
            return False
        if chunk:
            if state.end_emitted:
                self._error_or_destroy(NodeError(
                    "stream.unshift() after end event", "ERR_STREAM_UNSHIFT_AFTER_END_EVENT"))
            elif state.destroyed or state.errored is not None:
                return False
            else:
                _add_chunk(self, state, chunk, True)
        return _can_push_more(state)

    def _read(self, size: int) -> None:
        """Fetch data and ``push()`` it (Node's ``_read``); subclasses override."""
        raise NodeError("The _read() method is not implemented", "ERR_METHOD_NOT_IMPLEMENTED")

    # -- reading (the consumer side) --------------------------------------------

    def read(self, size: Optional[int] = None) -> Optional[Chunk]:
        """Node: ``readable.read([size])`` — buffered data, or None.

        A ``size`` that is not an integer goes through ``parseInt(size, 10)`` as in
        Node (``'5'`` and 5.5 are 5; ``'x'``, NaN and Infinity mean no size).
        """
        if size is not None and not (is_number(size) and js_number(size).is_integer()):
            size = js_parse_int(size)
        return self._query(self._read_impl, size)  # type: ignore[no-any-return]

    def _read_impl(self, size: Optional[int]) -> Optional[Chunk]:
        """Node's ``Readable.prototype.read(n)`` on the loop thread (``None`` is no size).

        One function serves three callers: the consumer (``read()``/``read(n)``:
        take data), the flow (``_flow`` calls ``read()`` until it returns None)
        and the stream itself (``read(0)``: take nothing, but fill the buffer and
        schedule ``'readable'``/``'end'`` if due). The order of its steps is the
        point, because ``_read`` may push synchronously (a PassThrough does):

        1. ``read(0)`` with the buffer already at the mark (or ended) and a
           ``'readable'`` owed: schedule it (or ``'end'``) and stop.
        2. Decide how much the caller gets *now* (``_how_much_to_read``); if that
           is nothing and the stream ended with an empty buffer, schedule ``'end'``.
        3. Decide whether to call ``_read``: yes if a ``'readable'`` is owed or
           taking ``n`` leaves the buffer under the mark; no while a ``_read`` is
           already pending, after the end, or once destroyed or errored.
        4. Call ``_read`` with ``sync`` set (a push inside it buffers instead of
           emitting); if it pushed (``reading`` went back to False), compute the
           amount again, since more may be buffered now.
        5. Take the amount off the buffer (``_from_list``). Nothing taken means
           the consumer waits: ``need_readable``. An empty buffer after the
           end schedules ``'end'``.
        6. A chunk taken is also emitted as ``'data'`` (this is how ``_flow`` and
           ``'readable'``-driven reading produce ``'data'``).
        """
        state = self._readable_state
        assert state is not None
        if state.fast_chunk is not None:     # a read() inside _flow_sync's 'data'
            _materialize_fast_chunk(state)
        n: Optional[int] = size
        n_orig = n
        # asking for more than the mark raises it (to a power of 2, at most 1 GiB)
        if n is not None and n > state.high_water_mark:
            state.high_water_mark = _compute_new_hwm(n)
        # a real read answers the last 'readable' (and the end's, if it is owed)
        if n != 0:
            state.emitted_readable = state.eof_readable_pending = False
        # 1. read(0) while enough is buffered: the consumer only needs telling
        if (n == 0 and state.need_readable
                and ((state.length >= state.high_water_mark if state.high_water_mark
                      else state.length > 0) or state.ended)):
            if state.length == 0 and state.ended:
                _end_readable(self)
            else:
                _emit_readable(self)
            return None
        # 2. what the caller would get from the buffer as it is
        n = _how_much_to_read(n, state)
        if n == 0 and state.ended:
            if state.length == 0:
                _end_readable(self)
            return None
        # 3. should the source be asked for more?
        do_read = state.need_readable
        if state.length == 0 or state.length - n < state.high_water_mark:
            do_read = True
        if state.reading or state.ended or state.destroyed or state.errored is not None:
            do_read = False
        elif do_read:
            # 4. ask, with sync set: a push inside _read buffers, it does not emit
            state.reading = True
            state.sync = True
            if state.length == 0:
                state.need_readable = True
            try:
                self._read(state.high_water_mark)
            except Exception as exc:
                self._error_or_destroy(exc)
            state.sync = False
            # _read pushed synchronously: there may be more to give now
            if not state.reading:
                n = _how_much_to_read(n_orig, state)
        # 5. take it
        ret: Optional[Chunk] = _from_list(n, state) if n > 0 else None
        if ret is None:
            if state.length <= state.high_water_mark:
                state.need_readable = True
            n = 0
        else:
            state.length -= n
            # data went out: no pipe destination is owed a 'drain' any more
            _no_drain_owed(state)
        if state.length == 0:
            # empty: tell the consumer as soon as something arrives
            if not state.ended:
                state.need_readable = True
            # asked for more than was left after the end: that was the last read
            if n_orig != n and state.ended:
                _end_readable(self)
        # 6. what read() returns is also a 'data' event
        if ret is not None and not state.error_emitted and not state.close_emitted:
            state.data_emitted = True
            self._emit("data", ret)
        return ret

    def set_encoding(self: Any, encoding: Optional[str] = None) -> Any:
        """Node: ``readable.setEncoding(encoding)`` — ``'data'`` gives ``str``.

        Multi-byte characters split across reads are never cut. Returns the stream.
        """
        # Node's normalizeEncoding: undefined, null and '' are utf8
        enc = _charsets.normalize("utf8" if encoding is None or encoding == "" else encoding)
        if enc is None:
            raise ERR_UNKNOWN_ENCODING(encoding)
        self._run(self._set_encoding, enc)
        return self

    def _set_encoding(self, enc: str) -> None:
        """Node's ``setEncoding`` body: install the decoder and decode what is
        already buffered into one string (``length`` now counts its units);
        after the end, the decoder is flushed too."""
        state = self._readable_state
        assert state is not None
        if state.fast_chunk is not None:
            _materialize_fast_chunk(state)
        decoder = _charsets.Decoder(enc)
        state.decoder = decoder
        state.encoding = enc
        buf = _buffer(state)
        content = "".join(decoder.write(c) if not isinstance(c, str) else c for c in buf)
        if state.ended:
            # no more bytes will come: a character cut at the end is flushed (Node 26)
            content += decoder.end()
        buf.clear()
        if content:
            buf.append(content)
        state.length = len(content)

    # -- flow control -------------------------------------------------------------

    def pause(self: Any) -> Any:
        """Node: ``readable.pause()`` — stop ``'data'`` events. Returns the stream."""
        self._run(self._pause)
        return self

    def _pause(self) -> None:
        """Node's ``Readable.prototype.pause``: flowing False (``'pause'`` if it was
        not already False) and ``paused``. Data then waits in the buffer. A
        destroyed stream is left as it is (Node 26)."""
        state = self._readable_state
        assert state is not None
        if state.destroyed:
            return
        if state.flowing is not False:
            state.flowing = False
            self._emit("pause")
        state.paused = True

    def resume(self: Any) -> Any:
        """Node: ``readable.resume()`` — switch to flowing mode. Returns the stream."""
        self._run(self._resume)
        return self

    def _resume(self) -> None:
        """Node's ``Readable.prototype.resume``: flowing True (False while a
        ``'readable'`` listener owns the stream), and the flow itself a tick
        later (``_resume_nt``) so that listeners added in this tick see the data.
        A destroyed stream is left as it is (Node 26)."""
        state = self._readable_state
        assert state is not None
        if state.destroyed:
            return
        if not state.flowing:
            state.flowing = not state.readable_listening
            if not state.resume_scheduled:
                state.resume_scheduled = True
                self._tick(_resume_nt, self, state)
        state.paused = False

    def is_paused(self) -> bool:
        """Node: ``readable.isPaused()`` — ``pause()`` was called, or flowing stopped."""
        state = self._readable_state
        assert state is not None
        return state.paused is True or state.flowing is False

    # -- pipe ---------------------------------------------------------------------

    def pipe(self, dest: Any, end: bool = True) -> Any:
        """Node: ``readable.pipe(destination[, {end}])`` with backpressure.

        ``dest`` is any emitter with ``write()``/``end()`` (a Socket, a Writable).
        A ``False`` from ``dest.write()`` pauses this stream until ``'drain'``.
        Returns ``dest``.
        """
        if not (callable(getattr(dest, "on", None)) and callable(getattr(dest, "write", None))):
            # Node fails on the first dest.on(...) with a TypeError without a code
            raise ERR_INVALID_ARG_TYPE("destination", "stream.Writable", dest)
        return self._query(self._pipe, dest, end)

    def _pipe(self, dest: Any, end: bool) -> Any:
        """Node's ``Readable.prototype.pipe`` on the loop thread: wire a :class:`_Pipe`."""
        return _Pipe(self, dest, end).start()

    def unpipe(self: Any, dest: Any = None) -> Any:
        """Node: ``readable.unpipe([destination])``. Returns the stream."""
        self._run(self._unpipe, dest)
        return self

    def _unpipe(self, dest: Any = None) -> None:
        """Node's ``Readable.prototype.unpipe``: drop one destination (or all), pause
        when none is left, and tell each dropped one with ``'unpipe'`` (its
        :class:`_Pipe` removes its listeners then)."""
        state = self._readable_state
        assert state is not None
        if not state.pipes:
            return
        if dest is None:
            dests = state.pipes
            state.pipes = ()
            self._pause()
            for d in dests:
                d.emit("unpipe", self, {"has_unpiped": False})
            return
        if dest not in state.pipes:
            return
        index = state.pipes.index(dest)
        state.pipes = state.pipes[:index] + state.pipes[index + 1:]
        if not state.pipes:
            self._pause()
        dest.emit("unpipe", self, {"has_unpiped": False})

    # -- properties ---------------------------------------------------------------

    @property
    def readable(self) -> bool:
        """Node: ``readable.readable`` — safe to read (not ended, errored or destroyed)."""
        r = self._readable_state
        return (r is not None and r.readable is not False and not r.destroyed
                and not r.error_emitted and not r.end_emitted)

    @readable.setter
    def readable(self, value: bool) -> None:
        """Node's ``readable`` setter: ``state.readable = !!value``."""
        if self._readable_state is not None:
            self._readable_state.readable = bool(value)

    @property
    def readable_ended(self) -> bool:
        """Node: ``readable.readableEnded`` — ``'end'`` was emitted."""
        r = self._readable_state
        return r.end_emitted if r is not None else False

    @property
    def readable_flowing(self) -> Optional[bool]:
        """Node: ``readable.readableFlowing`` (None, True or False)."""
        r = self._readable_state
        return r.flowing if r is not None else None

    @property
    def readable_length(self) -> int:
        """Node: ``readable.readableLength``."""
        r = self._readable_state
        return r.length if r is not None else 0

    @property
    def readable_high_water_mark(self) -> int:
        """Node: ``readable.readableHighWaterMark``."""
        r = self._readable_state
        return r.high_water_mark if r is not None else 0

    @property
    def readable_encoding(self) -> Optional[str]:
        """Node: ``readable.readableEncoding``."""
        r = self._readable_state
        return r.encoding if r is not None else None

    @property
    def readable_aborted(self) -> bool:
        """Node: ``readable.readableAborted``."""
        r = self._readable_state
        return bool(r is not None and r.readable is not False
                    and (r.destroyed or r.errored is not None) and not r.end_emitted)


def _buffer(state: ReadableState) -> Deque[Chunk]:
    """The read buffer, made on first use (Node's ``state.buffer`` always exists)."""
    buf = state.buffer
    if buf is None:
        buf = state.buffer = deque()
    return buf


def _can_push_more(state: ReadableState) -> bool:
    """Node's ``canPushMore``: what ``push()`` returns — not ended and under the
    mark, or empty (so a 0 mark still takes one chunk at a time)."""
    return not state.ended and (state.length < state.high_water_mark or state.length == 0)


def _no_drain_owed(state: ReadableState) -> None:
    """Data went out to the pipes: no destination is owed a ``'drain'`` any more
    (Node clears its set, or drops the one destination)."""
    writers = state.await_drain_writers
    if type(writers) is set:
        writers.clear()
    else:
        state.await_drain_writers = None


def _add_chunk(stream: Readable, state: ReadableState, chunk: Chunk, front: bool) -> None:
    """Node's ``addChunk``: where a pushed (or unshifted) chunk goes.

    Straight out as ``'data'`` when the stream flows, a ``'data'`` listener
    exists, nothing is buffered (order is kept) and we are not inside a
    ``_read`` that ``read()`` called (``sync``: ``read()`` will take it from the
    buffer itself). Otherwise into the buffer, with a ``'readable'`` if one is
    owed. Either way ``maybeReadMore`` may top the buffer up on the next tick.
    """
    if state.flowing and not state.sync and state.data_listening and state.length == 0:
        _no_drain_owed(state)
        state.data_emitted = True
        stream._emit("data", chunk)
    else:
        state.length += len(chunk)
        if front:
            _buffer(state).appendleft(chunk)
        else:
            _buffer(state).append(chunk)
        if state.need_readable:
            _emit_readable(stream)
    _maybe_read_more(stream, state)


def _compute_new_hwm(n: int) -> int:
    """Node's ``computeNewHighWaterMark``: ``read(n)`` beyond the mark raises it to
    the next power of 2 (ERR_OUT_OF_RANGE above 1 GiB)."""
    if n > 0x40000000:
        raise ERR_OUT_OF_RANGE("size", "<= 1GiB", n)
    return 1 << (n - 1).bit_length() if n > 1 else 1


def _how_much_to_read(n: Optional[int], state: ReadableState) -> int:
    """Node's ``howMuchToRead``: how many units ``read(n)`` can return now.

    No size: the first chunk (decoded strings of a paused stream: everything).
    A size: all of it or nothing — unless the stream ended, when what is left
    is all there will ever be.
    """
    if (n is not None and n <= 0) or (state.length == 0 and state.ended):
        return 0
    if n is None:
        # One chunk at a time (Node >= 26; Node 20 returned all of it) unless the
        # chunks are decoded strings of a paused stream, which still come joined.
        if state.length and (state.decoder is None or state.flowing):
            return len(state.buffer[0])  # type: ignore[index]
        return state.length
    if n <= state.length:
        return n
    return state.length if state.ended else 0


def _from_list(n: int, state: ReadableState) -> Optional[Chunk]:
    """Take ``n`` units off the buffer (Node's ``fromList``)."""
    buf = state.buffer
    if state.length == 0 or not buf:
        return None
    if n >= state.length:
        if state.decoder is not None:
            # Node builds the string with ``ret += chunk``: a Buffer put back by
            # unshift() becomes its UTF-8 text, whatever the stream's encoding
            out_s = "".join([_js_text(item) for item in buf])
            buf.clear()
            return out_s
        if len(buf) == 1:
            return buf.popleft()
        out_b = b"".join(buf)  # type: ignore[arg-type]
        buf.clear()
        return out_b
    first = buf[0]
    if n < len(first):
        buf[0] = first[n:]
        return first[:n]
    if n == len(first):
        return buf.popleft()
    parts: List[Any] = []
    while buf and n > 0:
        item = buf[0]
        if n >= len(item):
            parts.append(buf.popleft())
            n -= len(item)
        else:
            parts.append(item[:n])
            buf[0] = item[n:]
            n = 0
    if state.decoder is not None:
        return "".join([_js_text(item) for item in parts])
    return b"".join(parts)


def _js_text(chunk: Chunk) -> str:
    """``'' + chunk`` in JavaScript: a string as it is, a Buffer as its UTF-8 text."""
    if isinstance(chunk, str):
        return chunk
    return bytes(chunk).decode("utf-8", "replace")


def _on_eof_chunk(stream: Readable, state: ReadableState) -> None:
    """Node's ``onEofChunk``: ``push(None)``. Flush the decoder, mark ``ended``,
    and make sure a ``'readable'`` comes: on the next tick while ``sync``
    (inside ``_read``'s call from ``read()``, or before the first read), else at
    once — Node keeps that one synchronous. While ``sync`` with nobody
    observing (not flowing, no ``'readable'`` owed or listened for), it is kept
    for a later ``'readable'`` listener instead. ``'end'`` itself waits until
    the buffer has been read empty."""
    if state.ended:
        return
    decoder = state.decoder
    if decoder is not None:
        rest = decoder.end()
        if rest:
            _buffer(state).append(rest)
            state.length += len(rest)
    state.ended = True
    if state.sync:
        if state.flowing or state.need_readable or stream._events.get("readable"):
            _emit_readable(stream)
        else:
            # nobody observes the stream (Node 26): no 'readable' now; a 'readable'
            # listener added later gets it, read() and resume() find the end anyway
            state.eof_readable_pending = True
    else:
        state.need_readable = False
        state.emitted_readable = True
        _emit_readable_nt(stream)


def _emit_readable(stream: Readable) -> None:
    """Node's ``emitReadable``: schedule one ``'readable'`` (never two in a row:
    ``emitted_readable`` stays set until a ``read()`` answers it)."""
    state = stream._readable_state
    assert state is not None
    state.need_readable = False
    if not state.emitted_readable:
        state.emitted_readable = True
        stream._tick(_emit_readable_nt, stream)


def _emit_readable_nt(stream: Readable) -> None:
    """Node's ``emitReadable_``: the tick that emits ``'readable'`` (if there is
    data or the end to report), decides whether another will be owed, then
    lets a flowing stream flow (``_flow``)."""
    state = stream._readable_state
    assert state is not None
    if not state.destroyed and state.errored is None and (state.length or state.ended):
        stream._emit("readable")
        state.emitted_readable = False
    # another 'readable' is owed if not flowing, not ended and under the mark;
    # a need already set (by a read() that found nothing) stays set (Node ORs it in)
    if not state.flowing and not state.ended and state.length <= state.high_water_mark:
        state.need_readable = True
    _flow(stream)


def _maybe_read_more(stream: Readable, state: ReadableState) -> None:
    """Node's ``maybeReadMore``: queue one :func:`_maybe_read_more_nt` tick — not
    while a ``_read`` is pending (Node 26): its push will call here again."""
    if not state.reading_more and not state.reading:
        state.reading_more = True
        stream._tick(_maybe_read_more_nt, stream, state)


def _maybe_read_more_nt(stream: Readable, state: ReadableState) -> None:
    """Node's ``maybeReadMore_``: fill the buffer ahead of the consumer.

    After data was added the consumer may not read again soon, so the stream
    reads for it: ``read(0)`` calls ``_read`` when the buffer is under the
    mark. It keeps going while that loop makes progress and

    * the buffer is under the mark (a 0 mark means "only on demand": a paused
      stream then buffers nothing extra), or
    * the stream flows and the buffer is empty (nothing else would call
      ``_read`` again, and the flow would stall);

    and it stops at once while a ``_read`` is pending (``reading``: its push
    will call ``maybeReadMore`` again), after the end, or when ``read(0)``
    brought nothing (the source has nothing synchronously).
    """
    while (not state.reading and not state.ended
           and (state.length < state.high_water_mark or (state.flowing and state.length == 0))):
        length = state.length
        stream._read_impl(0)
        if length == state.length:
            break
    state.reading_more = False


def _update_readable_listening(stream: Readable) -> None:
    """Node's ``updateReadableListening``: the tick after a ``'readable'`` listener
    was removed. None left: a pending ``resume()`` flows, a ``'data'`` listener
    resumes, and with neither the stream is back to "no mode" (flowing None)."""
    state = stream._readable_state
    assert state is not None
    state.readable_listening = bool(stream._events.get("readable"))
    if state.resume_scheduled and state.paused is False:
        state.flowing = True
    elif state.data_listening:
        stream._resume()
    elif not state.readable_listening:
        state.flowing = None


def _resume_nt(stream: Readable, state: ReadableState) -> None:
    """Node's ``resume_``: the tick after ``resume()``. Start a read if none is
    pending, emit ``'resume'``, hand out what is buffered (``_flow``), then read
    again so a flowing stream keeps its source busy."""
    if not state.reading:
        stream._read_impl(0)
    state.resume_scheduled = False
    stream._emit("resume")
    _flow(stream)
    if state.flowing and not state.reading:
        stream._read_impl(0)


def _flow(stream: Readable) -> None:
    """Node's ``flow``: while flowing, ``read()`` (each chunk read is a ``'data'``)
    until the buffer is empty or a listener paused the stream; Node 26 first
    tries its flowSync loop (:func:`_flow_sync`)."""
    state = stream._readable_state
    assert state is not None
    if _flow_sync(stream, state):
        return
    while state.flowing and stream._read_impl(None) is not None:
        pass


def _flow_sync(stream: Readable, state: ReadableState) -> bool:
    """Node 26's ``flowSync``: a flowing stream with a ``'data'`` listener and at
    most one chunk buffered hands that chunk out without the general ``read()``.

    Each turn takes the chunk off (``length`` 0), calls ``_read`` for the next
    one *before* emitting this one as ``'data'``, and a single Buffer that
    ``_read`` pushes parks as the next chunk (``fast_chunk``, see ``push``),
    with no ``'readable'`` or read-ahead scheduled. The loop stops when the
    stream stops flowing (a listener paused it), or anything else blocks it;
    then the parked chunk goes back to the buffer and the general loop
    (``read()`` while flowing) takes over. So when that ``_read`` pushed the
    end and a listener paused the stream, ``'end'`` waits for the next
    ``resume()`` (Node 20 emitted it while paused). False when it does not
    apply (Node's preconditions), and :func:`_flow` reads as before.
    """
    if (not state.flowing or not state.data_listening or state.high_water_mark <= 0
            or state.fast_chunk is not None or _flow_blocked(state)):
        return False
    if state.length:
        buf = state.buffer
        if not buf or len(buf) != 1 or len(buf[0]) != state.length:
            return False      # only the one chunk read ahead by the last read
        state.fast_chunk = buf.popleft()  # type: ignore[assignment]
    while state.flowing:
        current = state.fast_chunk
        if current is None or _flow_blocked(state):
            break
        state.fast_chunk = None
        state.length = 0
        state.reading = state.sync = state.fast_push = True
        try:
            stream._read(state.high_water_mark)
        except Exception as exc:
            state.sync = state.fast_push = False
            stream._error_or_destroy(exc)
            break
        state.sync = state.fast_push = False
        if not state.error_emitted and not state.close_emitted:
            state.data_emitted = True
            stream._emit("data", current)
        if state.fast_chunk is None and state.length:
            break           # a read() inside 'data' moved it to the buffer
    if state.fast_chunk is not None:
        _materialize_fast_chunk(state)
    while state.flowing and stream._read_impl(None) is not None:
        pass
    return True


def _flow_blocked(state: ReadableState) -> bool:
    """Node's ``kFastFlowBlock`` bits: a decoder, the end, a destroy or error,
    ``pause()``, a pending ``_read``, or a push from inside one."""
    return (state.decoder is not None or state.ended or state.destroyed
            or state.errored is not None or state.paused is True or state.reading
            or state.sync)


def _materialize_fast_chunk(state: ReadableState) -> None:
    """Node's ``materializeFastChunk``: the parked chunk back at the head of the
    buffer (``length`` already counts it)."""
    chunk = state.fast_chunk
    if chunk is None:
        return
    state.fast_chunk = None
    _buffer(state).appendleft(chunk)


def _end_readable(stream: Readable) -> None:
    """Node's ``endReadable``: the buffer is empty after the end; ``'end'`` next tick
    (one tick at a time, Node 26)."""
    state = stream._readable_state
    assert state is not None
    if not state.end_emitted and not state.end_scheduled:
        state.ended = state.end_scheduled = True
        stream._tick(_end_readable_nt, state, stream)


def _end_readable_nt(state: ReadableState, stream: Readable) -> None:
    """Node's ``endReadableNT``: emit ``'end'`` (unless an error, a close or an
    unshift came in between), then either end the writable side a tick later
    (a Duplex with ``allow_half_open`` False) or auto-destroy once the other
    side is finished too."""
    state.end_scheduled = False
    if (state.errored is None and not state.close_emitted and not state.end_emitted
            and state.length == 0):
        state.end_emitted = True
        stream._emit("end")
        w = stream._writable_state
        if w is not None and _writable(w) and stream.allow_half_open is False:
            stream._tick(_end_writable_nt, stream)
        elif state.auto_destroy:
            if w is None or (w.auto_destroy and (w.finished or w.writable is False)):
                stream._destroy_impl(None, None)


def _end_writable_nt(stream: Any) -> None:
    """Node's ``endWritableNT``: half-open off, so ``end()`` the writable side
    (if nobody ended or destroyed it meanwhile)."""
    w = stream._writable_state
    if w is not None and _writable(w) and not w.ending and not w.destroyed:
        stream._end_impl(None, None)


# The events of a pipe's once-listeners, by kind; a fired one's kind is 3 more.
_PIPE_ONCE_EVENTS = ("end", "close", "finish")
_PIPE_ONCE_END, _PIPE_ONCE_CLOSE, _PIPE_ONCE_FINISH, _PIPE_ONCE_FIRED = 0, 1, 2, 3


class _PipeOnce(OnceWrapper):
    """A once-listener of a pipe (``'end'`` on the source, ``'close'`` and
    ``'finish'`` on the destination) that holds the pipe and which of the three
    it is, rather than a bound method, its emitter and its event: two slots
    (memory per connection). Its ``listener`` is the pipe's method, as
    ``listeners()`` and ``off()`` see it."""

    __slots__ = ("pipe", "kind")

    def __init__(self, pipe: _Pipe, kind: int) -> None:
        """``pipe``'s once-listener ``kind`` (an index of _PIPE_ONCE_EVENTS)."""
        self.pipe = pipe
        self.kind = kind

    @property
    def listener(self) -> Callback:  # type: ignore[override]
        """The pipe's method for this event (a bound method made on demand)."""
        pipe, kind = self.pipe, self.kind % _PIPE_ONCE_FIRED
        if kind == _PIPE_ONCE_END:
            return pipe.onend if pipe.do_end else pipe.unpipe
        return pipe.onclose if kind == _PIPE_ONCE_CLOSE else pipe.onfinish

    def take(self) -> Optional[Callback]:
        """Remove this listener from its emitter and mark it fired (kind + 3)."""
        kind = self.kind
        if kind >= _PIPE_ONCE_FIRED:
            return None
        pipe = self.pipe
        emitter = pipe.src if kind == _PIPE_ONCE_END else pipe.dest
        emitter._remove(_PIPE_ONCE_EVENTS[kind], self)    # then fired, in Node's order
        self.kind = kind + _PIPE_ONCE_FIRED
        return self.listener

    def __call__(self, *args: Any) -> Any:
        """The event: remove this listener, then call the pipe's method (once)."""
        fn = self.take()
        return None if fn is None else fn(*args)


_DEST_EVENTS = ("close", "finish", "drain", "error", "unpipe")
_SRC_EVENTS = ("end", "data")


def _drop_pipe_listeners(emitter: EventEmitter, names: Tuple[str, ...], pipe: _Pipe) -> None:
    """Remove ``pipe``'s listeners of the events ``names`` from ``emitter`` (the
    pipe itself, its once-listeners and its bound methods), with the table rules
    of ``EventEmitter._remove`` and no ``'removeListener'`` emits."""
    table = emitter._events
    for event in names:
        stored = table.get(event)
        if stored is None:
            continue
        if type(stored) is tuple:
            kept = tuple(item for item in stored if not _of_pipe(item, pipe))
            if len(kept) == len(stored):
                continue
            if kept:
                table[event] = kept if len(kept) > 1 else kept[0]
            else:
                del table[event]
            left = len(kept)
        elif _of_pipe(stored, pipe):
            del table[event]
            left = 0
        else:
            continue
        if left <= 1 and emitter._warned:
            emitter._warned.discard(event)


def _of_pipe(item: Any, pipe: _Pipe) -> bool:
    """Whether a stored listener is one of ``pipe``'s."""
    return (item is pipe or getattr(item, "__self__", None) is pipe
            or (type(item) is _PipeOnce and item.pipe is pipe))


class _Pipe:
    """The listeners one ``pipe()`` call wires between a source and a destination.

    Node writes them as closures inside ``Readable.prototype.pipe``; here they
    are the methods of one object per pipe, named as Node's closures (``ondata``
    is ``__call__``). Backpressure: ``dest.write()`` returning False pauses the
    source and records ``dest`` in ``await_drain_writers``; its ``'drain'``
    removes it and resumes the source once no destination is owed one.
    """

    __slots__ = ("src", "dest", "do_end", "ondrain", "cleaned_up", "direct")

    def __init__(self, src: Readable, dest: Any, do_end: bool) -> None:
        """The pipe's state: Node's closure variables (``ondrain``, ``cleanedUp``)."""
        self.src = src
        self.dest = dest
        self.do_end = do_end
        self.ondrain: Optional[Callback] = None
        self.cleaned_up = False
        # pipe() and every listener here run on the source's loop thread; a
        # destination emitter of that thread takes listeners straight into its
        # table (no thread hop, no checks), anything else through its methods.
        # FAST PATH (_fastpath.py)
        self.direct = FAST_PATHS and isinstance(dest, EventEmitter) and not dest._foreign()

    def _on(self, emitter: Any, event: str, fn: Callback, once: bool = False,
            prepend: bool = False) -> None:
        """Add a listener as ``on``/``once``/``prependListener`` would."""
        if emitter is self.src or self.direct:
            emitter._add(event, _PipeOnce(self, _PIPE_ONCE_EVENTS.index(event)) if once else fn,
                         prepend)
        elif prepend:
            emitter.prepend_listener(event, fn)
        elif once:
            emitter.once(event, fn)
        else:
            emitter.on(event, fn)

    def _off(self, emitter: Any, event: str, fn: Callback) -> None:
        """Remove a listener as ``removeListener`` would."""
        if emitter is self.src or self.direct:
            emitter._remove(event, fn)
        else:
            emitter.remove_listener(event, fn)

    def start(self) -> Any:
        """The body of Node's ``pipe()``: register ``dest``, add the listeners
        (``'end'`` on the source ends ``dest`` unless ``end=False``; ``'error'``
        goes first on ``dest``), emit ``'pipe'``, and start the flow — or wait
        for ``'drain'`` if ``dest`` already needs one. Returns ``dest``."""
        src, dest, state = self.src, self.dest, self.src._readable_state
        assert state is not None
        if len(state.pipes) == 1 and type(state.await_drain_writers) is not set:
            state.await_drain_writers = set(
                [state.await_drain_writers] if state.await_drain_writers else [])
        state.pipes += (dest,)
        end_fn = self.onend if self.do_end else self.unpipe
        if state.end_emitted:
            src._tick(end_fn)
        else:
            self._on(src, "end", end_fn, once=True)
        self._on(dest, "unpipe", self.onunpipe)
        self._on(src, "data", self)         # the pipe itself is its 'data' listener
        self._on(dest, "error", self.onerror, prepend=True)
        self._on(dest, "close", self.onclose, once=True)
        self._on(dest, "finish", self.onfinish, once=True)
        dest.emit("pipe", src)
        if getattr(dest, "writable_need_drain", False) is True:
            self.pause()
        elif not state.flowing:
            src._resume()
        return dest

    def onunpipe(self, readable: Any, info: Any = None) -> None:
        """``dest``'s ``'unpipe'`` from this source: remove the pipe's listeners (once)."""
        if readable is self.src and info is not None and info.get("has_unpiped") is False:
            info["has_unpiped"] = True
            self.cleanup()

    def onend(self) -> None:
        """The source's ``'end'``: end the destination."""
        self.dest.end()

    def cleanup(self) -> None:
        """Node's ``cleanup``: remove every listener of this pipe, and if the
        source waits for this destination's ``'drain'``, act as if it came."""
        src, dest = self.src, self.dest
        if (self.direct and "removeListener" not in dest._events
                and "removeListener" not in src._events):
            # FAST PATH (_fastpath.py): nobody hears the removals, and each of
            # the pipe's listeners is its own (added once), so dropping them all
            # in one pass per event leaves what Node's eight removeListener
            # calls leave.
            _drop_pipe_listeners(dest, _DEST_EVENTS, self)
            _drop_pipe_listeners(src, _SRC_EVENTS, self)
            state = src._readable_state
            if state is not None and "data" not in src._events:
                state.data_listening = False     # Readable's removeListener rule
        else:
            off = self._off
            off(dest, "close", self.onclose)
            off(dest, "finish", self.onfinish)
            if self.ondrain is not None:
                off(dest, "drain", self.ondrain)
            off(dest, "error", self.onerror)
            off(dest, "unpipe", self.onunpipe)
            off(src, "end", self.onend)
            off(src, "end", self.unpipe)
            off(src, "data", self)
        self.cleaned_up = True
        # Node 26 calls it whether or not dest still needs a 'drain' (Node #53185): a
        # dest that failed synchronously never will, and must not hold the source
        state = self.src._readable_state
        if self.ondrain is not None and state is not None and state.await_drain_writers:
            self.ondrain()

    def pause(self) -> None:
        """Node's ``pause`` closure: ``dest.write()`` said False. Record ``dest`` as
        owing a ``'drain'``, pause the source, and listen for that ``'drain'``."""
        state, dest = self.src._readable_state, self.dest
        assert state is not None
        if not self.cleaned_up:
            if len(state.pipes) == 1 and state.pipes[0] is dest:
                state.await_drain_writers = dest
            elif len(state.pipes) > 1 and dest in state.pipes:
                state.await_drain_writers.add(dest)
            self.src._pause()
        if self.ondrain is None:
            self.ondrain = self.pipe_on_drain
            self._on(dest, "drain", self.ondrain)

    def pipe_on_drain(self, *_: Any) -> None:
        """Node's ``pipeOnDrain``: ``dest`` drained; resume the source when no
        destination is owed a ``'drain'`` any more and it still has a ``'data'``
        listener."""
        state, dest = self.src._readable_state, self.dest
        assert state is not None
        if state.await_drain_writers is dest:
            state.await_drain_writers = None
        elif type(state.await_drain_writers) is set:
            state.await_drain_writers.discard(dest)
        if ((not state.await_drain_writers or len(state.await_drain_writers) == 0)
                and state.data_listening):
            self.src._resume()

    def __call__(self, chunk: Chunk) -> None:
        """Node's ``ondata``. The pipe object is the listener itself: one bound
        method fewer per pipe (memory per connection)."""
        # Node >= 24: an exception from dest.write destroys dest with it (it used to
        # escape to the source's 'data' emit, as an uncaught exception).
        try:
            more = self.dest.write(chunk)
        except Exception as err:
            self.dest.destroy(err)
            return
        if more is False:
            self.pause()

    def onerror(self, err: BaseException) -> None:
        """``dest``'s ``'error'`` (added first): unpipe, and if that leaves ``dest``
        without an ``'error'`` listener, let the error be unhandled there."""
        self.unpipe()
        dest = self.dest
        self._off(dest, "error", self.onerror)
        if dest.listener_count("error") == 0:
            s = getattr(dest, "_writable_state", None) or getattr(dest, "_readable_state", None)
            if s is not None and not s.error_emitted:
                dest._error_or_destroy(err)
            else:
                dest.emit("error", err)

    def onclose(self, *_: Any) -> None:
        """``dest``'s ``'close'``: unpipe."""
        self._off(self.dest, "finish", self.onfinish)
        self.unpipe()

    def onfinish(self) -> None:
        """``dest``'s ``'finish'``: unpipe."""
        self._off(self.dest, "close", self.onclose)
        self.unpipe()

    def unpipe(self) -> None:
        """``src.unpipe(dest)``."""
        self.src._unpipe(self.dest)


# ==============================================================================
# Writable


def _writable(w: WritableState) -> bool:
    """Node's ``writable`` getter: not disabled, errored, ending, ended or destroyed."""
    return (w.writable is not False and w.errored is None
            and not w.ending and not w.ended and not w.destroyed)


def _get_high_water_mark(value: Any, name: str) -> int:
    """Node's ``getHighWaterMark``: the default mark when not given, else a whole
    number >= 0 (ERR_INVALID_ARG_VALUE otherwise: NaN, 1.5, -1, a string...)."""
    if value is None:
        return _default_hwm_bytes
    if not (is_number(value) and js_number(value).is_integer() and value >= 0):
        raise ERR_INVALID_ARG_VALUE(name, value)
    return int(value)


def _to_chunk(chunk: Any, encoding: Any, default: str,
              decode_strings: bool = True) -> Tuple[bytes, int, bool]:
    """Check a write()'s chunk as Node's ``_write`` does: (bytes to send, Node
    length, tried: a string Node's handle writes as a string).

    The encoding first (any given one must be known, or ``'buffer'``, even for a
    bytes chunk), then the chunk's type; a string marked ``'buffer'`` is
    ERR_UNKNOWN_ENCODING (Node 26; Node 20 wrote it as UTF-8). ``None`` is
    JavaScript's ``undefined``, not a chunk (ERR_INVALID_ARG_TYPE); Node's
    ``null`` (ERR_STREAM_NULL_VALUES) has no Python counterpart.

    ``decode_strings`` (Node's option, true but for ``net.Socket``): a string
    counts its encoded bytes; otherwise its UTF-16 length, as Node counts a
    string handed on as it is.
    """
    if not js_truthy(encoding):    # JavaScript's !encoding: [] and {} are (bad) names
        enc = default
    elif encoding == "buffer":
        if isinstance(chunk, str):
            raise ERR_UNKNOWN_ENCODING(encoding)
        enc = default       # a bytes-like chunk: the encoding is not used
    else:
        normalized = _charsets.normalize(encoding)
        if normalized is None:
            raise ERR_UNKNOWN_ENCODING(encoding)
        enc = normalized
    if isinstance(chunk, str):
        data = _charsets.encode(chunk, enc)
        if decode_strings:
            return data, len(data), False
        length = _charsets.node_length(chunk)
        return data, length, _charsets.tried_as_string(enc, length)
    if isinstance(chunk, bytes):
        return chunk, len(chunk), False
    if isinstance(chunk, (bytearray, memoryview)):
        view = memoryview(chunk).cast("B") if isinstance(chunk, memoryview) else chunk
        return view, len(view), False  # type: ignore[return-value]
    raise ERR_INVALID_ARG_TYPE(
        "chunk", ["string", "Buffer", "TypedArray", "DataView"], chunk)


def _split_args(encoding: Any, callback: Any) -> Tuple[Any, Optional[Callback]]:
    """``(encoding, cb)`` as Node reads them: a callable encoding is the callback,
    and a callback that is not callable is ignored. The callback is adapted to
    JavaScript's call rules for its one argument (``cb(err)``)."""
    if callable(encoding):
        return None, adapt(encoding, 1)
    return encoding, adapt(callback, 1) if callable(callback) else None


class Writable(_Stream):
    """Node: stream.md § "Class: stream.Writable".

    Subclasses implement ``_write(chunk, callback)`` and optionally
    ``_writev(chunks, callback)`` and ``_final(callback)``.
    """

    __slots__ = ()

    def __init__(self, *, high_water_mark: Optional[int] = None) -> None:
        """Node's ``new Writable({highWaterMark})``: the default mark when None."""
        super().__init__()
        self._writable_state = WritableState(
            _get_high_water_mark(high_water_mark, "options.highWaterMark"))

    def write(self, chunk: Any, encoding: Any = None, callback: Optional[Callback] = None) -> bool:
        """Node: ``writable.write(chunk[, encoding][, callback])``.

        Returns False once the buffered length reaches the high-water mark (wait
        for ``'drain'``). ``callback(err)`` runs when the chunk is flushed.
        """
        encoding, callback = _split_args(encoding, callback)
        w = self._writable_state
        assert w is not None
        data, length, tried = _to_chunk(chunk, encoding, w.default_encoding,
                                        self._decode_strings)
        return self._query(self._write_impl, data, length, tried, callback) is True

    def _write_impl(self, data: bytes, length: int, tried: bool,
                    cb: Optional[Callback]) -> Any:
        """Node's ``_write(stream, chunk, encoding, cb)`` after validation.

        After ``end()`` or ``destroy()`` the write fails: its callback gets the
        error next tick and the stream errors. Otherwise the write counts as a
        pending callback (``pending_cb``) until it is called back, and goes to
        :func:`_write_or_buffer`. Returns what that returns, or the error.
        """
        state = self._writable_state
        assert state is not None
        if cb is None:
            cb = _nop
        err: Optional[NodeError] = None
        if state.ending:
            err = ERR_STREAM_WRITE_AFTER_END()
        elif state.destroyed:
            err = ERR_STREAM_DESTROYED("write")
        if err is not None:
            self._tick(cb, err)
            self._error_or_destroy(err, True)
            return err
        state.pending_cb += 1
        return _write_or_buffer(self, state, data, length, tried, cb)

    def cork(self) -> None:
        """Node: ``writable.cork()`` — buffer writes until ``uncork()``."""
        self._run(self._cork)

    def _cork(self) -> None:
        """Node's ``cork`` body: one level deeper."""
        state = self._writable_state
        assert state is not None
        state.corked += 1

    def uncork(self) -> None:
        """Node: ``writable.uncork()`` — flush what ``cork()`` held (gathered in one write)."""
        self._run(self._uncork)

    def _uncork(self) -> None:
        """Node's ``uncork`` body: one level up; at 0, and with no write in
        progress, hand what was buffered to ``_writev``/``_write``."""
        state = self._writable_state
        assert state is not None
        if state.corked:
            state.corked -= 1
            if not state.writing:
                _clear_buffer(self, state)

    def set_default_encoding(self: Any, encoding: str) -> Any:
        """Node: ``writable.setDefaultEncoding(encoding)``."""
        enc = _charsets.normalize(encoding)
        if enc is None:
            raise ERR_UNKNOWN_ENCODING(encoding)
        state = self._writable_state
        assert state is not None
        state.default_encoding = enc
        return self

    def end(self: Any, chunk: Any = None, encoding: Any = None,
            callback: Optional[Callback] = None) -> Any:
        """Node: ``writable.end([chunk[, encoding]][, callback])``. Returns the stream.

        ``callback(err)`` runs once ``'finish'`` is emitted (or with the error).
        """
        if callable(chunk):
            chunk, encoding, callback = None, None, adapt(chunk, 1)
        else:
            encoding, callback = _split_args(encoding, callback)
        data: Optional[Tuple[bytes, int, bool]] = None
        if chunk is not None:
            w = self._writable_state
            assert w is not None
            data = _to_chunk(chunk, encoding, w.default_encoding, self._decode_strings)
        self._run(self._end_impl, data, callback)
        return self

    def _end_impl(self, data: Optional[Tuple[bytes, int, bool]],
                  cb: Optional[Callback]) -> None:
        """Node's ``Writable.prototype.end`` on the loop thread.

        Write the last chunk if there is one, uncork completely, then mark
        ``ending`` and try to finish (:func:`_finish_maybe`, which waits for the
        buffer and the callbacks). ``ended`` is set when that returns. The
        callback runs on ``'finish'``, or a tick later with the error that
        stopped it (ERR_STREAM_ALREADY_FINISHED, ERR_STREAM_DESTROYED, ``errored``).
        """
        state = self._writable_state
        assert state is not None
        err: Optional[BaseException] = None
        if data is not None:
            ret = self._write_impl(data[0], data[1], data[2], None)
            if isinstance(ret, BaseException):
                err = ret
        if state.corked:
            state.corked = 1
            self._uncork()
        if err is not None:
            pass
        elif not state.ending and state.errored is None:
            state.ending = True
            _finish_maybe(self, state, True)
            state.ended = True
        elif state.finished:
            err = ERR_STREAM_ALREADY_FINISHED("end")
        elif state.destroyed:
            err = ERR_STREAM_DESTROYED("end")
        if cb is not None:
            if err is not None:
                self._tick(cb, err)
            elif state.errored is not None:
                self._tick(cb, state.errored)
            elif state.finished:
                self._tick(cb, None)
            else:
                if state.on_finished is None:
                    state.on_finished = []
                state.on_finished.append(cb)

    def _write(self, chunk: bytes, callback: Callback) -> None:
        """Write one chunk and call ``callback(err)`` (Node's ``_write``); override."""
        self._writev([chunk], callback)

    def _writev(self, chunks: List[bytes], callback: Callback) -> None:
        """Write several chunks at once (Node's ``_writev``); optional."""
        raise NodeError("The _write() method is not implemented", "ERR_METHOD_NOT_IMPLEMENTED")

    _has_writev = False
    #: Node's ``decodeStrings``: a written string is counted (and handed on) as its
    #: encoded bytes; ``net.Socket`` turns it off and counts the string's length.
    _decode_strings = True

    def _onwrite(self, error: Optional[BaseException] = None) -> None:
        """The callback every ``_write``/``_writev`` gets (Node's ``state.onwrite``)."""
        _onwrite_impl(self, error)

    def _final(self, callback: Callback) -> None:
        """Called once after the last write, before ``'finish'`` (Node's ``_final``).

        Not overriding it is Node's "no ``_final``": ``'prefinish'`` is then emitted
        by ``end()`` itself and ``'finish'`` follows the last write callback.
        """
        callback()

    # -- properties ---------------------------------------------------------------

    @property
    def writable(self) -> bool:
        """Node: ``writable.writable`` — safe to write (not ended, errored or destroyed)."""
        w = self._writable_state
        return w is not None and _writable(w)

    @writable.setter
    def writable(self, value: bool) -> None:
        """Node's ``writable`` setter: ``state.writable = !!value``."""
        if self._writable_state is not None:
            self._writable_state.writable = bool(value)

    @property
    def writable_ended(self) -> bool:
        """Node: ``writable.writableEnded`` — ``end()`` was called."""
        w = self._writable_state
        return w.ending if w is not None else False

    @property
    def writable_finished(self) -> bool:
        """Node: ``writable.writableFinished`` — ``'finish'`` was emitted."""
        w = self._writable_state
        return w.finished if w is not None else False

    @property
    def writable_length(self) -> int:
        """Node: ``writable.writableLength`` — bytes (or string units) not yet written."""
        w = self._writable_state
        return w.length if w is not None else 0

    @property
    def writable_high_water_mark(self) -> int:
        """Node: ``writable.writableHighWaterMark``."""
        w = self._writable_state
        return w.high_water_mark if w is not None else 0

    @property
    def writable_need_drain(self) -> bool:
        """Node: ``writable.writableNeedDrain`` — ``write()`` returned False, no ``'drain'`` yet."""
        w = self._writable_state
        return bool(w is not None and w.need_drain and not w.destroyed and not w.ending)

    @property
    def writable_corked(self) -> int:
        """Node: ``writable.writableCorked``."""
        w = self._writable_state
        return w.corked if w is not None else 0

    @property
    def writable_buffer(self) -> List[bytes]:
        """Node: ``writable.writableBuffer`` — chunks waiting behind the current write."""
        w = self._writable_state
        if w is None:
            return []
        return [req.chunk for req in w.buffered[w.buffered_index:] if req is not None]


def _write_or_buffer(stream: Writable, state: WritableState, chunk: bytes, length: int,
                     tried: bool, callback: Callback) -> bool:
    """Node's ``writeOrBuffer``: one chunk at a time goes to ``_write``.

    The chunk counts in ``length`` at once (until its callback). If a write is
    in progress, the stream is corked or it errored, it waits in ``buffered``;
    otherwise it goes to ``_write`` now, with ``sync`` set for the duration of
    the call. The return value is ``write()``'s: False once ``length`` reached
    the mark (then ``need_drain``: a ``'drain'`` is owed), and False after a
    destroy or an error, so that a ``while stream.write(...)`` loop stops.
    """
    state.length += length
    if state.writing or state.corked or state.errored is not None:
        if state.buffered:
            state.buffered.append(_WriteReq(chunk, length, callback, tried))
        else:
            state.buffered = [_WriteReq(chunk, length, callback, tried)]
        if callback is not _nop:
            state.all_noop = False
    else:
        state.writelen = length
        state.writecb = callback
        state.write_tried = tried
        state.writing = state.sync = True
        stream._write(chunk, stream._onwrite)
        state.sync = False
    ret = state.length < state.high_water_mark or state.length == 0
    if not ret:
        state.need_drain = True
    return ret and not state.destroyed and state.errored is None


def _do_write(stream: Writable, state: WritableState, writev: bool, length: int,
              chunk: Any, callback: Callback, tried: bool) -> None:
    """Node's ``doWrite``: start one buffered write (or a gathered ``_writev``);
    on a destroyed stream it fails at once with ERR_STREAM_DESTROYED."""
    state.writelen = length
    state.writecb = callback
    state.write_tried = tried
    state.writing = state.sync = True
    if state.destroyed:
        stream._onwrite(ERR_STREAM_DESTROYED("write"))
    elif writev:
        stream._writev(chunk, stream._onwrite)
    else:
        stream._write(chunk, stream._onwrite)
    state.sync = False


def _onwrite_error(stream: Writable, state: WritableState, er: BaseException,
                   cb: Callback) -> None:
    """Node's ``onwriteError``: the failed write's callback first, then every
    buffered write's (even without auto-destroy), then the stream errors."""
    state.pending_cb -= 1
    cb(er)
    _error_buffer(state)
    stream._error_or_destroy(er)


def _onwrite_impl(stream: Writable, er: Optional[BaseException] = None) -> None:
    """Node's ``onwrite``: ``_write``/``_writev`` calls back, the current write is over.

    What it decides is *when* the user's callback runs:

    1. A second call for the same write is ERR_MULTIPLE_CALLBACK.
    2. The write is no longer in progress; its length leaves ``length``.
    3. An error: record it on both sides. The user's callback, the failure of
       every buffered write and the destroy follow (a tick later if
       ``_write`` called back from inside itself, ``sync``, else now).
    4. Success: start the next buffered write (:func:`_clear_buffer`). It may
       complete synchronously too, re-entering here; ``buffer_processing``
       keeps that from starting a third.
    5. ``sync`` (the callback came from inside ``_write``, before ``write()``
       returned): the user's callback and a due ``'drain'`` must not run
       before ``write()`` returns, so they wait for a tick (:func:`_after_write`).
       Consecutive sync completions of one callback share that tick (its
       ``count`` in ``after_write_tick_info`` goes up); with no callback and
       no ``'drain'`` due there is nothing to wait for, and only the counter
       ``pending_cb`` goes down now.
    6. Not ``sync`` (the callback came later, from the I/O): :func:`_after_write` now.
    """
    state = stream._writable_state
    assert state is not None
    # 1.
    cb = state.writecb
    if cb is None:
        stream._error_or_destroy(ERR_MULTIPLE_CALLBACK())
        return
    # 2.
    sync = state.sync
    state.writing = False
    state.writecb = None
    state.length -= state.writelen
    state.writelen = 0
    # 3.
    if er is not None:
        if state.errored is None:
            state.errored = er
        r = stream._readable_state
        if r is not None and r.errored is None:
            r.errored = er
        if sync:
            stream._tick(_onwrite_error, stream, state, er, cb)
        else:
            _onwrite_error(stream, state, er, cb)
        return
    # 4.
    if len(state.buffered) > state.buffered_index:
        _clear_buffer(stream, state)
    # 5.
    if sync:
        need_drain = state.need_drain and state.length == 0
        # Node writes the last test as `state[kState] & kDestroyed !== 0`, which
        # JavaScript reads as `& 1` (object mode): Node never ticks for a destroyed
        # byte stream. Read as meant here; see docs/streams.md, "Where nodenet differs".
        need_tick = need_drain or state.destroyed or cb is not _nop
        if cb is _nop:
            if not state.after_write_pending and need_tick:
                stream._tick(_after_write, stream, state, 1, cb)
                state.after_write_pending = True
            else:
                state.pending_cb -= 1
                if state.ending:
                    _finish_maybe(stream, state, True)
        elif state.after_write_tick_info is not None and state.after_write_tick_info[1] is cb:
            state.after_write_tick_info[0] += 1
        elif need_tick:
            info = [1, cb]
            state.after_write_tick_info = info
            stream._tick(_after_write_tick, stream, state, info)
            state.after_write_pending = True
        else:
            state.pending_cb -= 1
            if state.ending:
                _finish_maybe(stream, state, True)
    # 6.
    else:
        _after_write(stream, state, 1, cb)


def _after_write_tick(stream: Writable, state: WritableState, info: List[Any]) -> None:
    """Node's ``afterWriteTick``: the shared tick of sync completions; later ones
    of the same callback no longer join it."""
    state.after_write_tick_info = None
    _after_write(stream, state, info[0], info[1])


def _after_write(stream: Writable, state: WritableState, count: int, cb: Callback) -> None:
    """Node's ``afterWrite``: the user's side of completed writes, in this order —
    ``'drain'`` if one is owed and everything is written, then the callback
    (``count`` times), then the buffered writes' failures on a destroyed stream,
    then another try at finishing after ``end()``."""
    state.after_write_pending = False
    if state.need_drain and not state.ending and not state.destroyed and state.length == 0:
        state.need_drain = False
        stream._emit("drain")
    while count > 0:
        count -= 1
        state.pending_cb -= 1
        cb(None)
    if state.destroyed:
        _error_buffer(state)
    if state.ending:
        _finish_maybe(stream, state, True)


def _error_buffer(state: WritableState) -> None:
    """Node's ``errorBuffer``: fail every buffered write's callback and the ``end()``
    callbacks (after destroy or a write error), unless a write is in progress
    (its own callback will come back here)."""
    if state.writing:
        return
    # The buffer's length is read again each time round, as Node's loop does: a
    # write made by one of these callbacks is buffered (the stream has errored
    # or is destroyed) and is failed by this same pass.
    n = state.buffered_index
    while n < len(state.buffered):
        req = state.buffered[n]
        n += 1
        if req is not None:
            state.length -= req.length
            req.callback(state.errored or ERR_STREAM_DESTROYED("write"))
    _call_finished_callbacks(state, state.errored or ERR_STREAM_DESTROYED("end"))
    state.buffered = _NOTHING_BUFFERED
    state.buffered_index = 0
    state.all_noop = True


def _clear_buffer(stream: Writable, state: WritableState) -> None:
    """Node's ``clearBuffer``: hand the buffered writes on, after a write completed
    or on ``uncork()``.

    Nothing happens on a destroyed or corked stream, or while this function is
    already running further up the stack (``buffer_processing``: a ``_write``
    that calls back synchronously re-enters :func:`_onwrite_impl`, which calls
    here again). Then one of two ways:

    * **gathered** — more than one write waits and the stream has ``_writev``:
      all of them go in one ``_writev`` call, as one write whose length is all
      of ``length`` and whose callback calls each write's own (or is a no-op
      when none has one, ``all_noop``). ``pending_cb`` counted each write; the
      gathered one will be called back once, so it is reduced to one now.
    * **one by one** — each waiting write goes to ``_write`` in turn, for as
      long as they complete synchronously (``writing`` goes back to False
      inside the call); the first one that does not stops the loop, and its
      callback will call here again for the rest. Handed-on entries are set
      to None and ``buffered_index`` moves past them, instead of shifting the
      list at every write; the list is cut when it empties or the done part
      grows long.
    """
    if state.destroyed or state.buffer_processing or state.corked:
        return
    buffered = state.buffered
    index = state.buffered_index
    count = len(buffered) - index
    if count <= 0:
        return
    state.buffer_processing = True
    if count > 1 and stream._has_writev:
        # gathered: one _writev for every waiting write, one callback for them all
        state.pending_cb -= count - 1
        reqs = buffered[index:]
        if state.all_noop:
            callback: Callback = _nop
        else:
            def callback(err: Optional[BaseException] = None) -> None:
                """The gathered write's callback: each write's own, in order."""
                for req in reqs:
                    req.callback(err)  # type: ignore[union-attr]
        chunks = [req.chunk for req in reqs]  # type: ignore[union-attr]
        # reset before the call (Node resets after it, losing a write made inside
        # _writev; docs/streams.md, "Where nodenet differs")
        state.buffered = _NOTHING_BUFFERED
        state.buffered_index = 0
        state.all_noop = True
        _do_write(stream, state, True, state.length, chunks, callback, False)
    else:
        # one by one, while each _write completes synchronously
        i = index
        while True:
            req = buffered[i]
            buffered[i] = None
            i += 1
            assert req is not None
            _do_write(stream, state, False, req.length, req.chunk, req.callback, req.tried)
            if i >= len(buffered) or state.writing:
                break
        if i == len(buffered):
            # all handed on: back to the shared empty buffer
            state.buffered = _NOTHING_BUFFERED
            state.buffered_index = 0
            state.all_noop = True
        elif i > 256:
            # a long done prefix: drop it (Node 26 also waits for it to be half the list)
            del buffered[:i]
            state.buffered_index = 0
        else:
            state.buffered_index = i
    state.buffer_processing = False


def _need_finish(state: WritableState) -> bool:
    """Node's ``needFinish``: ``end()`` was called and everything is written (no
    write in progress, none buffered, ``length`` 0), and nothing has finished,
    destroyed or failed the stream meanwhile.

    While :func:`_clear_buffer` runs, Node's buffer still holds what it hands on
    (it is reset after the gathered ``_writev`` call; nodenet resets it before):
    nothing finishes from inside that call."""
    return (state.ending and not state.destroyed and not state.finished and not state.writing
            and not state.error_emitted and not state.close_emitted and state.errored is None
            and len(state.buffered) <= state.buffered_index and state.length == 0
            and not state.buffer_processing)


def _on_finish(stream: Writable, state: WritableState, err: Optional[BaseException] = None) -> None:
    """Node's ``onFinish``: the callback ``_final`` gets. An error fails the
    ``end()`` callbacks and the stream; success emits ``'prefinish'`` now and
    ``'finish'`` a tick later (always a tick: streams rely on ``'finish'``
    coming after ``_final``'s callback returned)."""
    if state.prefinished:
        stream._error_or_destroy(err or ERR_MULTIPLE_CALLBACK())
        return
    state.pending_cb -= 1
    if err is not None:
        _call_finished_callbacks(state, err)
        stream._error_or_destroy(err, state.sync)
    elif _need_finish(state):
        state.prefinished = True
        stream._emit("prefinish")
        state.pending_cb += 1
        stream._tick(_finish, stream, state)


def _prefinish(stream: Writable, state: WritableState) -> None:
    """Node's ``prefinish``: once, call ``_final`` (a pending callback until it
    calls back, with ``sync`` set during the call) — or, for a stream without
    one, emit ``'prefinish'`` at once."""
    if state.prefinished or state.final_called:
        return
    # Node calls _final only when there is one: the inherited default counts as none
    if not state.destroyed and getattr(stream._final, "__func__", None) is not Writable._final:
        state.final_called = True
        state.sync = True
        state.pending_cb += 1
        try:
            stream._final(lambda err=None: _on_finish(stream, state, err))
        except Exception as exc:
            _on_finish(stream, state, exc)
        state.sync = False
    else:
        state.final_called = state.prefinished = True
        stream._emit("prefinish")


def _finish_maybe(stream: Writable, state: WritableState, sync: bool) -> None:
    """Node's ``finishMaybe``: called after ``end()`` and after every completed write
    once ending; emits ``'finish'`` when nothing is left to wait for.

    1. Not everything is written yet (:func:`_need_finish` false): nothing to do;
       the last write's completion comes back here.
    2. Start the end of the stream (:func:`_prefinish`): ``_final`` is called
       once, and counts in ``pending_cb`` until it calls back; without a
       ``_final``, ``'prefinish'`` is emitted now.
    3. ``pending_cb`` 0 (no write callback and no ``_final`` still due):
       ``'finish'`` on the next tick (``sync``, as every caller here passes), to
       be checked again then (:func:`_finish_if_needed`: a destroy may have come
       in between). The tick itself counts in ``pending_cb``, so a second call
       in the same tick does not queue a second ``'finish'``. Otherwise the
       last pending callback (a write's :func:`_after_write`, or ``_final``'s
       :func:`_on_finish`) leads to ``'finish'`` later.

    ``sync`` False (finish now) is Node's path for a stream whose ``_construct``
    completed; nodenet has no ``_construct``, so it is not taken.
    """
    if _need_finish(state):
        _prefinish(stream, state)
        if state.pending_cb == 0:
            if sync:
                state.pending_cb += 1
                stream._tick(_finish_if_needed, stream, state)
            elif _need_finish(state):
                state.pending_cb += 1
                _finish(stream, state)


def _finish_if_needed(stream: Writable, state: WritableState) -> None:
    """The tick :func:`_finish_maybe` queues (a closure in Node): ``'finish'`` if
    still due, else only give back the count the tick held."""
    if _need_finish(state):
        _finish(stream, state)
    else:
        state.pending_cb -= 1


def _finish(stream: Writable, state: WritableState) -> None:
    """Node's ``finish``: ``finished``, the ``end()`` callbacks, ``'finish'``, then
    auto-destroy if the readable side (if any) has ended too."""
    state.pending_cb -= 1
    state.finished = True
    _call_finished_callbacks(state, None)
    stream._emit("finish")
    if state.auto_destroy:
        r = stream._readable_state
        if r is None or (r.auto_destroy and (r.end_emitted or r.readable is False)):
            stream._destroy_impl(None, None)


def _call_finished_callbacks(state: WritableState, err: Optional[BaseException]) -> None:
    """Node's ``callFinishedCallbacks``: run the ``end()`` callbacks once, with ``err``."""
    callbacks = state.on_finished
    if not callbacks:
        return
    state.on_finished = None
    for cb in callbacks:
        cb(err)


# ==============================================================================
# Duplex


class Duplex(Readable, Writable):
    """Node: stream.md § "Class: stream.Duplex" — a Readable and a Writable at once.

    ``allow_half_open`` False ends the writable side after the readable side ends.
    """

    __slots__ = ()
    # both sides always exist on a Duplex
    _readable_state: ReadableState
    _writable_state: WritableState

    def __init__(self, *, allow_half_open: bool = True, readable: bool = True,
                 writable: bool = True, readable_high_water_mark: Optional[int] = None,
                 writable_high_water_mark: Optional[int] = None,
                 high_water_mark: Optional[int] = None) -> None:
        """Node's ``new Duplex(options)``: both states; a side given as False starts
        out already over (readable: ended and ``'end'`` emitted; writable: ended
        and finished), so it never holds up the other side's auto-destroy.
        ``high_water_mark`` is both sides' mark, before the per-side ones; only
        ``False`` turns ``readable``, ``writable`` or ``allow_half_open`` off
        (Node tests ``=== false``)."""
        _Stream.__init__(self)
        self._readable_state = ReadableState(_get_high_water_mark(
            readable_high_water_mark if high_water_mark is None else high_water_mark,
            "options.readableHighWaterMark"))
        self._writable_state = WritableState(_get_high_water_mark(
            writable_high_water_mark if high_water_mark is None else high_water_mark,
            "options.writableHighWaterMark"))
        self.allow_half_open = allow_half_open is not False
        if readable is False:
            r = self._readable_state
            r.readable = False
            r.ended = r.end_emitted = True
        if writable is False:
            w = self._writable_state
            w.writable = False
            w.ending = w.ended = w.finished = True

