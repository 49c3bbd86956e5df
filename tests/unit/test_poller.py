"""The pollers (nodenet._poller) and the selector fallback (nodenet._selector).

Unit tests drive EpollPoller and SelectorPoller directly with socket pairs
(the libuv-style bookkeeping: lazy changes, stale registrations, hang-ups, fds
closed behind the poller's back); integration tests run real TCP traffic
through the public API on loops built with a ``selectors`` selector, the path
macOS, the BSDs and epoll-less sandboxes take.
"""

from __future__ import annotations

import errno
import os
import select
import selectors
import socket
from typing import Any, Iterator, List, Tuple

import pytest

import nodenet as net
from nodenet import _poller, _selector
from nodenet._loop import IOWatcher
from nodenet._poller import (EVENT_HUP, EVENT_READ, EVENT_WRITE, EpollPoller, SelectorPoller,
                             make_poller)
from support import limit_buffers, run

HAS_EPOLL = hasattr(select, "epoll")
needs_epoll = pytest.mark.skipif(not HAS_EPOLL, reason="epoll is Linux-only")


@pytest.fixture
def pair() -> Iterator[Tuple[socket.socket, socket.socket]]:
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


@pytest.fixture
def p() -> Iterator[EpollPoller]:
    """An EpollPoller, shut down afterwards."""
    if not HAS_EPOLL:
        pytest.skip("epoll is Linux-only")
    poller = EpollPoller()
    try:
        yield poller
    finally:
        poller.shutdown()


def ready_map(ready: List[Tuple[IOWatcher, int]]) -> dict:
    return {id(w): mask for w, mask in ready}


# ------------------------------------------------------------------ EpollPoller


@needs_epoll
def test_epoll_start_is_lazy_and_idempotent(pair: Any, p: EpollPoller) -> None:
    a, b = pair
    w = IOWatcher(a.fileno())
    p.start(w, EVENT_READ)
    assert (w.events, w.kevents) == (EVENT_READ, 0)     # queued, not applied
    p.start(w, EVENT_READ)                               # no change: nothing queued twice
    assert list(p._queue) == [w]
    b.send(b"x")
    assert ready_map(p.poll(1.0)) == {id(w): EVENT_READ}
    assert w.kevents == EVENT_READ
    p.start(w, EVENT_READ)                               # already applied: no queue
    assert not p._queue


@needs_epoll
def test_epoll_partial_stop_keeps_the_rest(pair: Any, p: EpollPoller) -> None:
    a, b = pair
    w = IOWatcher(a.fileno())
    p.start(w, EVENT_READ | EVENT_WRITE)
    assert ready_map(p.poll(0)) == {id(w): EVENT_WRITE}   # writable, nothing to read
    p.stop(w, EVENT_WRITE)
    assert w.events == EVENT_READ and list(p._queue) == [w]
    p.stop(w, EVENT_WRITE)                               # no change
    assert p.poll(0) == []                               # MOD applied: no EPOLLOUT
    assert w.kevents == EVENT_READ
    b.send(b"x")
    assert ready_map(p.poll(1.0)) == {id(w): EVENT_READ}


@needs_epoll
def test_epoll_stop_before_apply_leaves_nothing_behind(pair: Any, p: EpollPoller) -> None:
    a, b = pair
    w = IOWatcher(a.fileno())
    p.start(w, EVENT_READ)
    p.stop(w, EVENT_READ)                 # the kernel was never told
    assert not p._queue and not p._stale and not p._watching
    b.send(b"x")
    assert p.poll(0) == []
    # write interest added and dropped between two polls never reaches the kernel
    p.start(w, EVENT_READ)
    assert ready_map(p.poll(0)) == {id(w): EVENT_READ}
    p.start(w, EVENT_WRITE)
    p.stop(w, EVENT_WRITE)
    assert (w.events, w.kevents) == (EVENT_READ, EVENT_READ)
    assert ready_map(p.poll(0)) == {id(w): EVENT_READ}


@needs_epoll
def test_epoll_stale_registration_is_dropped_on_its_first_event(pair: Any, p: EpollPoller) -> None:
    # libuv: a watcher that stops watching stays in the epoll set until an event comes
    a, b = pair
    w = IOWatcher(a.fileno())
    p.start(w, EVENT_READ)
    p.poll(0)
    p.stop(w, EVENT_READ)
    assert p._stale == {a.fileno(): w} and w.kevents == EVENT_READ
    b.send(b"x")
    assert p.poll(1.0) == []              # reported, but nobody wants it
    assert w.kevents == 0 and not p._stale
    assert p.poll(0) == []                # unregistered: silent now
    p.start(w, EVENT_READ)                # restarting registers afresh
    assert ready_map(p.poll(1.0)) == {id(w): EVENT_READ}


# -- each event's watcher is looked up when its turn in the batch comes (uv__io_poll)

@needs_epoll
def test_epoll_a_watcher_stopped_earlier_in_the_batch_is_disarmed_at_its_event(
        pair: Any, p: EpollPoller) -> None:
    a, b = pair
    w = IOWatcher(a.fileno())
    p.start(w, EVENT_READ)
    b.send(b"x")
    events = p.wait(1.0)
    assert [fd for fd, _ in events] == [a.fileno()]
    p.stop(w, EVENT_READ)                  # an earlier callback of the batch stops it
    assert p.resolve(*events[0]) is None
    assert w.kevents == 0 and not p._stale  # out of the kernel's set now, as libuv
    assert p.wait(0) == []


@needs_epoll
def test_epoll_a_watcher_started_again_earlier_in_the_batch_hears_its_event(
        pair: Any, p: EpollPoller) -> None:
    a, b = pair
    w = IOWatcher(a.fileno())
    p.start(w, EVENT_READ)
    p.poll(0)
    p.stop(w, EVENT_READ)                  # stale: still registered
    b.send(b"x")
    events = p.wait(1.0)                   # the stale registration reports it
    p.start(w, EVENT_READ)                 # an earlier callback restarts it
    assert p.resolve(*events[0]) == (w, EVENT_READ)


@needs_epoll
def test_epoll_a_closed_fd_reused_in_the_batch_gives_the_new_watcher_nothing(
        p: EpollPoller) -> None:
    a, b = socket.socketpair()
    old = IOWatcher(a.fileno())
    p.start(old, EVENT_READ)
    b.send(b"x")
    events = p.wait(1.0)
    fd = a.fileno()
    p.close(old)                           # an earlier callback closes it...
    a.close()
    c, d = socket.socketpair()             # ...and a new socket takes the fd number
    try:
        if c.fileno() != fd:
            c, d = d, c
        assert c.fileno() == fd
        new = IOWatcher(fd)
        p.start(new, EVENT_READ | EVENT_WRITE)
        assert p.resolve(*events[0]) is None   # not registered before the next wait
        assert ready_map(p.poll(1.0)) == {id(new): EVENT_WRITE}
    finally:
        for s in (b, c, d):
            s.close()


@needs_epoll
def test_epoll_restart_of_a_stale_watcher_is_a_modify(pair: Any, p: EpollPoller) -> None:
    a, b = pair
    w = IOWatcher(a.fileno())
    p.start(w, EVENT_READ)
    p.poll(0)
    p.stop(w, EVENT_READ)
    p.start(w, EVENT_WRITE)               # from the stale set, as EPOLL_CTL_MOD
    assert not p._stale
    assert ready_map(p.poll(1.0)) == {id(w): EVENT_WRITE}


@needs_epoll
def test_epoll_register_of_an_fd_still_in_the_set_retries_as_modify(pair: Any, p: EpollPoller) -> None:
    # a second watcher for an fd another (stale) watcher left registered
    a, b = pair
    old = IOWatcher(a.fileno())
    p.start(old, EVENT_READ)
    p.poll(0)
    p.stop(old, EVENT_READ)               # stale: still in the kernel's set
    new = IOWatcher(a.fileno())
    p.start(new, EVENT_WRITE)             # register -> EEXIST -> modify
    assert ready_map(p.poll(1.0)) == {id(new): EVENT_WRITE}
    assert new.kevents == EVENT_WRITE


@needs_epoll
def test_epoll_hangup_sets_event_hup(pair: Any, p: EpollPoller) -> None:
    # EPOLLHUP reaches the watcher as READ|HUP (libuv's uv__stream_io shortcut)
    a, b = pair
    w = IOWatcher(a.fileno())
    p.start(w, EVENT_READ)
    b.send(b"last")
    b.shutdown(socket.SHUT_RDWR)
    a.shutdown(socket.SHUT_WR)            # both directions closed: EPOLLHUP
    assert ready_map(p.poll(1.0)) == {id(w): EVENT_READ | EVENT_HUP}


@needs_epoll
def test_epoll_error_wakes_readers_and_writers(p: EpollPoller) -> None:
    # EPOLLERR (a refused connect) is delivered as readable and writable
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()                             # nothing listens there now
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect_ex(("127.0.0.1", port))
        w = IOWatcher(s.fileno())
        p.start(w, EVENT_READ | EVENT_WRITE)
        mask = 0
        for _ in range(100):
            for _w, m in p.poll(0.05):
                mask |= m
            if mask:
                break
        assert mask & (EVENT_READ | EVENT_WRITE) == EVENT_READ | EVENT_WRITE
        assert s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == errno.ECONNREFUSED
    finally:
        s.close()


@needs_epoll
def test_epoll_close_after_the_fd_is_gone(pair: Any, p: EpollPoller) -> None:
    # forgetting a watcher whose fd was already closed must not raise
    a, b = pair
    s = socket.socket()
    w = IOWatcher(s.fileno())
    p.start(w, EVENT_WRITE)
    p.poll(0)
    s.close()                            # closed behind the poller's back
    p.close(w)
    assert (w.events, w.kevents) == (0, 0)
    assert not p._watching and not p._stale
    # a stale watcher is forgotten too
    v = IOWatcher(a.fileno())
    p.start(v, EVENT_READ)
    p.poll(0)
    p.stop(v, EVENT_READ)
    p.close(v)
    assert not p._stale and v.kevents == 0


@needs_epoll
def test_epoll_stale_fd_closed_while_a_dup_keeps_it_registered(pair: Any) -> None:
    # epoll keeps a registration while any dup of the fd is open: the event then
    # names an fd number that no longer exists; unregistering it fails quietly
    # and later reports of it are ignored.
    a, b = pair
    p = EpollPoller()
    keep = None
    c, d = socket.socketpair()
    try:
        fd = c.fileno()
        w = IOWatcher(fd)
        p.start(w, EVENT_READ)
        p.poll(0)
        p.stop(w, EVENT_READ)                # stale
        keep = os.dup(fd)
        c.close()                            # fd number gone, registration alive
        d.send(b"x")
        assert p.poll(0.5) == []             # stale event: unregister(fd) -> EBADF, ignored
        assert not p._stale
        assert p.poll(0.05) == []            # still reported by the kernel, ignored
    finally:
        c.close()
        d.close()
        if keep is not None:
            os.close(keep)
        p.shutdown()


@needs_epoll
def test_epoll_poll_interrupted_returns_nothing(pair: Any) -> None:
    p = EpollPoller()
    real = p._ep

    class Interrupted:
        def poll(self, *_: Any) -> Any:
            raise InterruptedError

    try:
        p._ep = Interrupted()  # type: ignore[assignment]
        assert p.poll(None) == []
        assert p.poll(0.001) == []
    finally:
        real.close()


@needs_epoll
def test_epoll_timeouts_are_rounded_up_and_capped(pair: Any) -> None:
    p = EpollPoller()
    real = p._ep
    waits: List[float] = []

    class Recorder:
        def poll(self, wait: float, _max: int) -> Any:
            waits.append(wait)
            return []

    try:
        p._ep = Recorder()  # type: ignore[assignment]
        for timeout in (None, -1.0, 0, 0.0001, 0.0015, 10 ** 9):
            p.poll(timeout)
        assert waits == [-1.0, 0.0, 0.0, 0.001, 0.002, _poller.MAX_TIMEOUT]
    finally:
        real.close()


# ------------------------------------------------------------------ SelectorPoller


@pytest.mark.parametrize("factory", [selectors.SelectSelector, selectors.PollSelector],
                         ids=["select", "poll"])
def test_selector_poller_start_stop_close(factory: Any, pair: Any) -> None:
    a, b = pair
    p = SelectorPoller(factory())
    try:
        w = IOWatcher(a.fileno())
        p.start(w, EVENT_READ)
        p.start(w, EVENT_READ)                          # no change
        assert p.poll(0) == []
        p.start(w, EVENT_WRITE)                         # modify: READ|WRITE
        assert (w.events, w.kevents) == (EVENT_READ | EVENT_WRITE,) * 2
        assert ready_map(p.poll(0)) == {id(w): EVENT_WRITE}
        b.send(b"x")
        assert ready_map(p.poll(1.0)) == {id(w): EVENT_READ | EVENT_WRITE}
        p.stop(w, EVENT_WRITE)                          # modify down to READ
        p.stop(w, EVENT_WRITE)                          # no change
        assert ready_map(p.poll(None)) == {id(w): EVENT_READ}
        p.stop(w, EVENT_READ)                           # unregister
        assert w.events == 0 and p.poll(0) == []
        p.close(w)                                      # nothing registered: no-op
        p.start(w, EVENT_READ)
        p.close(w)
        assert (w.events, w.kevents) == (0, 0)
        assert p.poll(0) == []
    finally:
        p.shutdown()


def test_selector_poller_close_of_an_unknown_registration(pair: Any) -> None:
    a, _b = pair
    sel = selectors.PollSelector()
    p = SelectorPoller(sel)
    try:
        w = IOWatcher(a.fileno())
        p.start(w, EVENT_READ)
        sel.unregister(a.fileno())            # gone from the selector already
        p.close(w)                            # KeyError swallowed
        assert w.events == 0
    finally:
        p.shutdown()


def test_selector_poller_interrupted_and_timeout_bounds() -> None:
    timeouts: List[Any] = []

    class Fake(selectors.SelectSelector):
        interrupt = False

        def select(self, timeout: Any = None) -> Any:
            timeouts.append(timeout)
            if self.interrupt:
                raise InterruptedError
            return []

    sel = Fake()
    p = SelectorPoller(sel)
    try:
        p.poll(-5)
        p.poll(10 ** 9)
        p.poll(None)
        sel.interrupt = True
        assert p.poll(1) == []
        assert timeouts == [0.0, _poller.MAX_TIMEOUT, None, 1]
    finally:
        p.shutdown()


def test_make_poller_falls_back_when_epoll_is_refused(monkeypatch: Any) -> None:
    # a sandbox refusing epoll_create1: the real candidate list is tried in order
    def refused(*_: Any, **__: Any) -> Any:
        raise PermissionError(1, "epoll refused")

    monkeypatch.setattr(select, "epoll", refused, raising=False)
    if selectors.DefaultSelector is getattr(selectors, "EpollSelector", None):
        monkeypatch.setattr(selectors.EpollSelector, "_selector_cls", refused)
        poller = make_poller()
        try:
            assert isinstance(poller, SelectorPoller)
            assert isinstance(poller.selector, selectors.PollSelector)
        finally:
            poller.shutdown()
    assert selectors.PollSelector in _selector._candidates()
    assert _selector._candidates()[0] is selectors.DefaultSelector


def test_candidates_skip_what_the_platform_lacks(monkeypatch: Any) -> None:
    monkeypatch.delattr(selectors, "PollSelector")
    assert _selector._candidates() == [selectors.DefaultSelector, selectors.SelectSelector]


def test_make_poller_uses_an_injected_selector() -> None:
    sel = selectors.SelectSelector()
    poller = make_poller(sel)
    try:
        assert isinstance(poller, SelectorPoller) and poller.selector is sel
    finally:
        poller.shutdown()


# ------------------------------------------------------------------ real traffic


@pytest.fixture(params=["poll", "select"])
def selector_loop(request: Any, fresh_loop: net.Loop) -> Iterator[net.Loop]:
    """The default loop on a SelectorPoller (the non-epoll path)."""
    factory = selectors.PollSelector if request.param == "poll" else selectors.SelectSelector
    loop = net.Loop(selector=factory)
    net.set_loop(loop)
    try:
        yield loop
    finally:
        loop.close()
        net.set_loop(fresh_loop)


def test_echo_with_backpressure_on_a_selector_loop(selector_loop: net.Loop) -> None:
    # 4 MiB through an echo server with a paused, then resumed, reader: the
    # writes go asynchronous (EVENT_WRITE on/off), reading stops and restarts.
    assert isinstance(selector_loop._poller, SelectorPoller)
    payload = os.urandom(4 * 1024 * 1024)
    got: List[bytes] = []
    events: List[Any] = []

    # Small kernel buffers on every socket, so that this holds on any machine.
    def main() -> None:
        server = net.create_server(lambda conn: conn.pipe(conn))

        def connected() -> None:
            limit_buffers(client)
            events.append(("write", client.write(payload), client.writable_length > 0))
            client.end()

        def listening() -> None:
            nonlocal client
            limit_buffers(server)
            client = net.connect(server.address()["port"], "127.0.0.1", connected)
            client.pause()
            net.set_timeout(client.resume, 50)
            client.on("data", got.append)
            client.on("end", lambda: events.append("end"))
            client.on("close", lambda had_error: (events.append(("close", had_error)),
                                                 server.close()))

        client: Any = None
        server.listen(0, "127.0.0.1", listening)

    run(main, timeout=20)
    assert b"".join(got) == payload
    assert events == [("write", False, True), "end", ("close", False)]


def test_refused_connect_on_a_selector_loop(selector_loop: net.Loop) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    errors: List[Any] = []

    def main() -> None:
        client = net.connect(port, "127.0.0.1")
        client.on("error", errors.append)

    run(main)
    assert [e.code for e in errors] == ["ECONNREFUSED"]
    assert str(errors[0]) == f"connect ECONNREFUSED 127.0.0.1:{port}"
