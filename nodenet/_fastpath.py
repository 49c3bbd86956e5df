"""The one switch for nodenet's fast paths, and the list of them.

Node's stream algorithms (``stream.py``) decide every event, its order and every
counter; nodenet follows them step by step. On the hottest paths that costs a
dozen Python calls per message, so a few places take a **fast path**: a shortcut
that applies only in a state where the general algorithm's outcome is known, and
makes exactly the state changes, emits exactly the events and keeps exactly the
counters the general path would. Each one is marked ``# FAST PATH`` where it
stands and checks :data:`ENABLED` first.

Set ``NODENET_FAST_PATHS=0`` in the environment before nodenet is imported to
take the general path everywhere. The socket tests and the Node differential
tests run both ways (``make test`` runs them again with the switch off), so a
fast path can never change behaviour unnoticed.

=========================================  ==========================================
fast path (where)                          general path it shortcuts
=========================================  ==========================================
``Socket.write(bytes)`` on a connected,    ``Writable.write`` -> ``_write_or_buffer`` ->
idle socket: one ``send()`` from           ``Socket._write`` -> ``_write_generic`` ->
``Socket.write`` (``_netsocket.py``)       ``StreamHandle.write``; a partial send or an
                                           error joins the general state there
data read while flowing with nothing       ``Readable.push`` -> ``_add_chunk`` ->
buffered: ``'data'`` emitted from          ``_emit('data')`` -> ``_maybe_read_more``
``Socket._on_handle_data``, then           (a tick) -> ``read(0)``; the tick's only
Node's ``maybeReadMore`` done in place     effect on a reading handle is three flags
(``_read_zero_in_place``)                  (``reading``, ``need_readable``, ``sync``)
``Socket.end(bytes)`` on the loop thread:  ``Writable.end`` -> ``_end_impl`` ->
``write(bytes)`` (and so its fast path),   ``_write_impl``: Node's ``end(data)`` writes
then ``end()`` with no chunk               with the same internal write as ``write()``
(``_netsocket.py``)
``read(0)`` while the handle reads and     ``Readable.read(0)`` -> ``Socket._read``
nothing is buffered                        (a no-op while reading)
(``Socket._read_zero_in_place``)
``read(0)`` after the end of input with    ``Socket._read_impl`` -> ``Readable.read(0)``
nothing buffered: ``endReadable`` from     -> ``_how_much_to_read``; with the buffer
``Socket._on_handle_eof``                  empty after the end its only effect is
                                           ``endReadable``
``pipe()`` adding its listeners straight   ``emitter.on``/``once``/``prepend_listener``
to a same-thread destination's table       (argument checks, thread hop); the
(``stream._Pipe._on``)                     ``'newListener'`` event is still emitted
``pipe()``'s cleanup dropping its own      eight ``removeListener`` calls (each a
listeners in one pass per event, when no   scan of its event's listeners and an
``'removeListener'`` listener hears it     equality test against bound methods);
(``stream._drop_pipe_listeners``)          the tables end the same
the poll phase looking up and calling      ``EpollPoller.resolve`` and ``Loop._call``
each ready watcher itself                  (the same lookup, try/except and tick
(``Loop._dispatch_inline``)                drain, two calls and a tuple fewer)
=========================================  ==========================================

docs/streams.md (§13–§15) walks the general path of a write and of a read call
by call and shows which of its steps each stream fast path skips
(``python tools/trace_stream.py [--fast]`` prints both).

Not switched, because no Node state is involved: accepting through
``socket._accept`` without the socket module's enum lookups, and sockets made
for accepted connections skipping the constructor's option parsing.
"""

from __future__ import annotations

import os

__all__ = ("ENABLED",)

#: False when ``NODENET_FAST_PATHS`` is ``0``/``false``/``no``/``off``.
ENABLED: bool = os.environ.get("NODENET_FAST_PATHS", "1").strip().lower() not in (
    "0", "false", "no", "off")
