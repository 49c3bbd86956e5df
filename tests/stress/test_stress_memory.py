"""Memory stays flat under backpressure (SPEC §5: a writer that honours
``write()``'s return, and ``pipe()``, keep memory bounded by the high-water mark).

The chain, all nodenet in this process::

    writer W ==tcp==> S (accepted)  S.pipe(D)  D ==tcp==> R (accepted, paused)

W writes as long as ``write()`` returns True and then waits for ``'drain'``. R
is the slow reader: paused, and resumed only when the pipe has paused S (the
backpressure reached the source); it then reads a quota and pauses again. So
backpressure comes from the paused reader, whatever the kernel's buffers hold,
and nothing waits on a timer. After 16 such cycles (at least 16 quotas of
8 MiB went through) W ends; R reads the rest; every byte is checked by SHA-256.

The process's RSS (/proc/self/statm) is sampled during the transfer and must
stay within the baseline plus what the four stream buffers on the path may
hold (each at most its high-water mark plus one chunk) plus a generous
constant for the allocator (and, under PyPy, a collection before each sample:
the garbage collector runs when it likes, and RSS is to measure what is kept,
not what is not yet collected). Kernel socket buffers are not in RSS.
"""

from __future__ import annotations

import gc
import hashlib
import time
from typing import Any, Dict, List

import nodenet as net
import stress_payloads as payloads
from stress_support import IS_PYPY, listening, port, rss_bytes
from support import on_loop, run, wait_for

CYCLES = 16
QUOTA = 8 << 20
SLACK = 32 << 20


def probe() -> int:
    if IS_PYPY:
        gc.collect()
    return rss_bytes()


def test_rss_probe_sees_memory_that_is_kept() -> None:
    """The probe measures resident memory: 64 MiB written is seen, and freed
    (CPython returns a block this large to the system at once)."""
    before = probe()
    block = bytearray(b"\x01") * (64 << 20)
    during = probe()
    del block
    assert during - before >= 60 << 20
    if not IS_PYPY:
        assert probe() - before < 16 << 20


def test_drain_writer_and_pipe_to_a_slow_reader_keep_rss_flat() -> None:
    st: Dict[str, Any] = {"sent": 0, "got": 0, "cycles": 0, "final": False,
                          "write_false": 0, "source_pauses": 0, "samples": [],
                          "max_w_buffer": 0, "max_d_buffer": 0, "closed": 0}
    sent_hash, got_hash = hashlib.sha256(), hashlib.sha256()
    handles: Dict[str, Any] = {}

    def on_reader(r: net.Socket) -> None:            # R: paused from the start
        handles["R"] = r
        since = [0]

        def on_data(data: bytes) -> None:
            got_hash.update(data)
            st["got"] += len(data)
            since[0] += len(data)
            if not IS_PYPY and st["got"] % (1 << 20) < len(data):
                st["samples"].append(probe())     # about every MiB
            if since[0] < QUOTA or st["final"]:
                return
            since[0] = 0
            st["cycles"] += 1
            st["samples"].append(probe())
            if st["cycles"] == CYCLES:
                finish()
                return
            r.pause()
            if handles["S"].is_paused():          # the pipe holds S already: go on
                r.resume()
        r.on("data", on_data)
        r.on("close", lambda: st.__setitem__("closed", st["closed"] + 1))
        if "S" in handles:
            start()

    def on_source(s: net.Socket) -> None:             # S: piped into D
        handles["S"] = s
        s.on("close", lambda: st.__setitem__("closed", st["closed"] + 1))
        if "R" in handles:
            start()

    def pump(*_: Any) -> None:
        """W: write while write() says so, then wait for 'drain'."""
        w, d = handles["W"], handles["D"]
        pieces = handles["pieces"]
        while not st["final"]:
            piece = next(pieces)
            sent_hash.update(piece)
            st["sent"] += len(piece)
            ok = w.write(piece)
            st["max_w_buffer"] = max(st["max_w_buffer"], w.writable_length)
            st["max_d_buffer"] = max(st["max_d_buffer"], d.writable_length)
            if not ok:
                st["write_false"] += 1
                return

    def finish() -> None:
        """Enough cycles: W ends, R reads the rest without pausing again."""
        st["final"] = True
        handles["W"].end()

    def on_source_pause() -> None:
        st["source_pauses"] += 1
        r = handles["R"]
        if r.is_paused() and not st["final"]:
            r.resume()

    def start() -> None:
        s, d = handles["S"], handles["D"]
        s.on("pause", on_source_pause)
        st["baseline"] = probe()
        s.pipe(d)
        pump()

    reader_srv = listening(lambda: net.create_server({"pause_on_connect": True}, on_reader),
                           0, "127.0.0.1")
    source_srv = listening(lambda: net.create_server(on_source), 0, "127.0.0.1")

    def connect() -> None:
        pieces = (p for i in range(1 << 30)
                  for p in payloads.chunks(i * 4099, payloads.POOL_SIZE, 65000))
        handles["pieces"] = pieces
        d = handles["D"] = net.connect(port(reader_srv), "127.0.0.1")
        w = handles["W"] = net.connect(port(source_srv), "127.0.0.1")
        w.on("drain", pump)
        for sock in (d, w):
            sock.on("close", lambda: st.__setitem__("closed", st["closed"] + 1))
            sock.resume()                 # W and D read their peers' FIN

    started = time.monotonic()
    on_loop(connect)
    wait_for(lambda: st["closed"] == 4, 120, "the transfer to finish and every socket to close")
    elapsed = time.monotonic() - started
    on_loop(reader_srv.close)
    on_loop(source_srv.close)
    run(None, 30)

    assert st["cycles"] == CYCLES
    assert st["got"] == st["sent"] >= CYCLES * QUOTA
    assert got_hash.hexdigest() == sent_hash.hexdigest()
    assert st["write_false"] > 0 and st["source_pauses"] >= CYCLES
    hwm = net.stream.get_default_high_water_mark(False)
    chunk = 65536
    # what write() may buffer: below the high-water mark, plus the chunk that crossed it
    assert st["max_w_buffer"] < hwm + chunk
    assert st["max_d_buffer"] < hwm + chunk
    bound = 4 * (hwm + chunk) + SLACK       # W, S, D and R's buffers, plus the constant
    grown = max(st["samples"]) - st["baseline"]
    assert len(st["samples"]) >= CYCLES
    assert grown <= bound, f"RSS grew by {grown >> 20} MiB (bound {bound >> 20} MiB)"
    print(f"\nstress memory: {st['got']} bytes through a drain writer and pipe() to a "
          f"slow reader in {CYCLES} pause/resume cycles, RSS +{grown / (1 << 20):.1f} MiB "
          f"at most (bound {bound >> 20} MiB), {elapsed:.1f}s")
