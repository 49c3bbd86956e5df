"""What a connection holds: the memory-per-connection choices stay in place.

An accepted socket keeps its rarely set fields (client connect, options, abort,
address caches, setTimeout) as class defaults, so a server connection that
reads, writes, ends and closes never gives them instance storage; ``pipe()``'s
once-listeners hold the pipe rather than a bound method each, and still look
like the pipe's methods to ``listeners()`` and ``off()``.
"""

from __future__ import annotations

import gc
import sys
import weakref
from typing import Any, Callable, Dict, List

import pytest

import nodenet as net
from nodenet.stream import Readable, Writable

from support import run


def test_an_echo_connection_sets_no_rare_socket_field() -> None:
    seen: Dict[str, Any] = {}

    def main() -> None:
        def on_connection(c: net.Socket) -> None:
            c.on("error", lambda err: None)
            c.on("data", lambda data: c.end(data))
            c.on("close", lambda had_error: seen.update(fields=dict(vars(c))))

        server = net.create_server(on_connection)

        def client() -> None:
            port = server.address()["port"]
            conn = net.connect(port, "127.0.0.1")
            conn.on("connect", lambda: conn.write(b"ping"))
            conn.on("data", lambda data: seen.update(reply=data))
            conn.on("end", lambda: server.close())

        server.listen(0, "127.0.0.1", client)

    run(main)
    assert seen["reply"] == b"ping"
    assert seen["fields"] == {}, "an accepted socket stored rare fields per instance"


def test_an_address_query_still_caches_on_the_socket() -> None:
    seen: List[Any] = []

    def main() -> None:
        def on_connection(c: net.Socket) -> None:
            seen.append(c.remote_address)
            seen.append(c.address()["port"])
            c.end()

        server = net.create_server(on_connection)

        def client() -> None:
            conn = net.connect(server.address()["port"], "127.0.0.1")
            conn.on("end", lambda: (conn.end(), server.close()))

        server.listen(0, "127.0.0.1", client)

    run(main)
    assert seen[0] == "127.0.0.1" and isinstance(seen[1], int)


def test_new_attributes_can_be_set_on_a_socket() -> None:
    # as on a JavaScript object (socket.id = ...), now that rare fields are not slots
    sock = net.Socket()
    sock.request_id = 7  # type: ignore[attr-defined]
    assert sock.request_id == 7  # type: ignore[attr-defined]
    sock.destroy()


class Src(Readable):
    """``new Readable({read() {}})``: data comes from push()."""

    def _read(self, size: int) -> None:
        pass


class Sink(Writable):
    """``new Writable({write(chunk, encoding, cb) { cb() }})``."""

    def _write(self, chunk: bytes, callback: Callable[..., Any]) -> None:
        callback()


def test_pipe_once_listeners_look_like_the_pipe_methods() -> None:
    def main() -> None:
        src, dest = Src(), Sink()
        src.pipe(dest)
        for emitter, event in ((src, "end"), (dest, "close"), (dest, "finish")):
            listeners = emitter.listeners(event)
            raw = emitter.raw_listeners(event)
            assert len(listeners) == 1 and len(raw) == 1
            assert callable(listeners[0]) and raw[0].listener == listeners[0]
            assert raw[0] is not listeners[0]           # the once wrapper
        # off() with what listeners() gave removes the once wrapper
        dest.remove_listener("finish", dest.listeners("finish")[0])
        assert dest.listener_count("finish") == 0
        src.unpipe(dest)
        assert dest.listener_count("close") == 0 and src.listener_count("end") == 0
        assert dest.listener_count("unpipe") == 0 and dest.listener_count("error") == 0
        assert src.listener_count("data") == 0

    run(main)


def test_pipe_once_listeners_fire_once() -> None:
    # Node 26: the user's 'finish' (added first), then the pipe's, which unpipes
    events: List[str] = []

    def main() -> None:
        src, dest = Src(), Sink()
        dest.on("finish", lambda: events.append("finish"))
        dest.on("unpipe", lambda s: events.append("unpipe"))
        src.pipe(dest)
        src.push(b"x")
        src.push(None)

        def after() -> None:
            events.append(f"close={dest.listener_count('close')} end={src.listener_count('end')}")
        net.set_timeout(after, 20)

    run(main)
    assert events == ["finish", "unpipe", "close=0 end=0"]     # as Node 26 has them


@pytest.mark.skipif(sys.implementation.name != "cpython",
                    reason="reference counting frees objects at once only on CPython")
@pytest.mark.parametrize("shape", ["pipe", "data"])
def test_a_closed_echo_connection_is_freed_without_the_cycle_collector(shape: str) -> None:
    # A socket's own 'end' listener is one shared function (Node's
    # onReadableStreamEnd), not a bound method: a socket whose listeners do not
    # refer to it is freed by its reference count when its last user lets go.
    refs: List["weakref.ref[net.Socket]"] = []
    kept: List[net.Socket] = []

    def main() -> None:
        def on_connection(c: net.Socket) -> None:
            c.on("error", _ignore)
            if shape == "pipe":
                c.pipe(c)
            else:
                c.on("data", _Echo(weakref.ref(c)))
            c.on("close", _Drop(kept))
            refs.append(weakref.ref(c))
            kept.append(c)

        server = net.create_server(on_connection)

        def client() -> None:
            conn = net.connect(server.address()["port"], "127.0.0.1")
            conn.on("connect", lambda: conn.end(b"ping"))
            conn.on("data", lambda data: None)
            conn.on("close", lambda had_error: server.close())

        server.listen(0, "127.0.0.1", client)

    gc.collect()
    gc.disable()
    try:
        run(main)
        assert len(refs) == 1 and not kept
        assert refs[0]() is None, "the closed socket waits for the cycle collector"
    finally:
        gc.enable()


def _ignore(err: BaseException) -> None:
    pass


class _Echo:
    """A 'data' listener that does not keep its socket alive."""

    def __init__(self, ref: "weakref.ref[net.Socket]") -> None:
        self.ref = ref

    def __call__(self, data: bytes) -> None:
        sock = self.ref()
        if sock is not None:
            sock.write(data)


class _Drop:
    """A 'close' listener that lets go of the test's reference, a tick later."""

    def __init__(self, kept: List[net.Socket]) -> None:
        self.kept = kept

    def __call__(self, had_error: bool) -> None:
        net.next_tick(self.kept.clear)
