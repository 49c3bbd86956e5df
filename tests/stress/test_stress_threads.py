"""Eight threads writing to the same sockets from outside the loop thread
(SPEC §1.3: every public method may be called from any thread; the call takes
effect on the loop thread, in call order).

Each thread writes numbered lines to each of four shared client sockets, with
``write(bytes, cb)``, ``write(str, 'latin1', cb)`` and ``cork()``/two writes/
``uncork()``; the receiving server checks, per socket, that every thread's lines
arrive complete and in that thread's order (threads interleave freely between
each other). Every write callback must run exactly once, on the loop thread,
without an error, and in the order the bytes went out on its socket.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Dict, List, Tuple

import nodenet as net
from stress_support import listening, port
from support import on_loop, run, wait_for

THREADS = 8
SOCKETS = 4


def line(tid: int, seq: int, k: int) -> bytes:
    filler = b"abcdefghijklmnopqrstuvwxyz"[(tid + seq) % 26:] * ((tid * 31 + seq * 17) % 9)
    return b"%d %d %d %s\n" % (tid, seq, k, filler)


class Receiver:
    """Per connection: the lines in arrival order, checked as they come."""

    def __init__(self) -> None:
        self.lines: Dict[int, List[Tuple[int, int]]] = {}
        self.problems: List[str] = []
        self.ended = 0

    def on_connection(self, c: net.Socket) -> None:
        buf = bytearray()
        state: Dict[str, Any] = {"k": None, "next": [0] * THREADS}

        def on_data(data: bytes) -> None:
            buf.extend(data)
            end = buf.rfind(b"\n")
            if end < 0:
                return
            whole = bytes(buf[:end])
            del buf[:end + 1]
            for raw in whole.split(b"\n"):
                try:
                    tid, seq, k = (int(x) for x in raw.split(b" ", 3)[:3])
                except ValueError:
                    self.problems.append(f"unparsable line {raw[:40]!r}")
                    continue
                if state["k"] is None:
                    state["k"] = k
                    self.lines[k] = []
                if k != state["k"] or raw + b"\n" != line(tid, seq, k):
                    self.problems.append(f"line {raw[:40]!r} on socket {state['k']}")
                if seq != state["next"][tid]:
                    self.problems.append(f"socket {k} thread {tid}: {seq} after "
                                         f"{state['next'][tid] - 1}")
                state["next"][tid] = seq + 1
                self.lines[k].append((tid, seq))

        def on_end() -> None:
            if buf:
                self.problems.append(f"a partial line at the end: {bytes(buf[:40])!r}")
            self.ended += 1

        c.on("data", on_data)
        c.on("end", on_end)


def test_eight_threads_write_to_shared_sockets() -> None:
    per_thread = 500   # lines per thread per socket
    receiver = Receiver()
    callbacks: Dict[Tuple[int, int, int], int] = {}
    cb_order: Dict[int, List[Tuple[int, int]]] = {k: [] for k in range(SOCKETS)}
    cb_problems: List[Any] = []
    closed: List[Tuple[int, bool]] = []
    loop_thread: List[int] = []

    srv = listening(lambda: net.create_server(receiver.on_connection), 0, "127.0.0.1")

    def setup() -> List[net.Socket]:
        loop_thread.append(threading.get_ident())
        socks = []
        for k in range(SOCKETS):
            s = net.connect(port(srv), "127.0.0.1")
            s.on("close", lambda had_error, k=k: closed.append((k, had_error)))
            s.on("error", lambda err: cb_problems.append(("error", err)))
            socks.append(s)
        return socks

    socks: List[net.Socket] = on_loop(setup)

    def done(tid: int, seq: int, k: int, err: Any) -> None:
        key = (tid, seq, k)
        callbacks[key] = callbacks.get(key, 0) + 1
        cb_order[k].append((tid, seq))
        if err is not None or threading.get_ident() != loop_thread[0]:
            cb_problems.append((key, err, threading.get_ident()))

    def cb(tid: int, seq: int, k: int) -> Any:
        return lambda err=None: done(tid, seq, k, err)

    returns: List[Any] = []
    failures: List[BaseException] = []

    def writer(tid: int) -> None:
        try:
            next_seq = [0] * SOCKETS
            while any(n < per_thread for n in next_seq):
                for k, s in enumerate(socks):
                    seq = next_seq[k]
                    if seq >= per_thread:
                        continue
                    how = (tid + seq + k) % 3
                    if how == 2 and seq + 1 < per_thread:   # two lines in one corked batch
                        s.cork()
                        returns.append(s.write(line(tid, seq, k), cb(tid, seq, k)))
                        returns.append(s.write(line(tid, seq + 1, k), cb(tid, seq + 1, k)))
                        s.uncork()
                        next_seq[k] += 2
                    elif how == 1:
                        text = line(tid, seq, k).decode("latin1")
                        returns.append(s.write(text, "latin1", cb(tid, seq, k)))
                        next_seq[k] += 1
                    else:
                        returns.append(s.write(line(tid, seq, k), cb(tid, seq, k)))
                        next_seq[k] += 1
        except BaseException as exc:  # reported below, never lost in a thread
            failures.append(exc)

    started = time.monotonic()
    threads = [threading.Thread(target=writer, args=(t,), name=f"writer-{t}")
               for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a writer thread is stuck"
    assert not failures, failures
    for s in socks:
        s.end()                              # from this thread too
    wait_for(lambda: len(closed) == SOCKETS and receiver.ended == SOCKETS, 60,
             "every socket to close")
    elapsed = time.monotonic() - started
    on_loop(srv.close)
    run(None, 30)

    assert receiver.problems == []
    assert cb_problems == []
    assert sorted(closed) == [(k, False) for k in range(SOCKETS)]
    assert all(isinstance(r, bool) for r in returns)
    for k in range(SOCKETS):
        got = receiver.lines[k]
        assert len(got) == THREADS * per_thread
        for tid in range(THREADS):
            assert [seq for t, seq in got if t == tid] == list(range(per_thread))
        assert cb_order[k] == got            # callbacks in the order the bytes went out
    assert len(callbacks) == THREADS * per_thread * SOCKETS
    assert set(callbacks.values()) == {1}
    print(f"\nstress threads: {len(callbacks)} writes from {THREADS} threads to "
          f"{SOCKETS} shared sockets, {elapsed:.1f}s")
