"""A nodenet program for test_stress_memory.py: a drain-honouring writer and a
pipe() into a slow reader, with this process's RSS sampled all along.

Run as ``python stress_memory_child.py CYCLES QUOTA WARM_UP`` (from the
checkout, nodenet importable); prints one JSON report line. It runs in a
process of its own so that its RSS is its own: nothing pytest or an earlier
test left behind, and under PyPy a small nursery (the test sets
PYPY_GC_NURSERY; PyPy sizes it from the CPU cache, 240 MB on the CI machine,
and touching it for the first time would look like growth).

The chain::

    writer W ==tcp==> S (accepted)  S.pipe(D)  D ==tcp==> R (accepted, paused)

W writes as long as ``write()`` returns True, then waits for ``'drain'``. R is
the slow reader: paused, resumed when the pipe has paused S (the backpressure
reached the source), paused again after reading a quota. So backpressure comes
from the paused reader whatever the kernel's buffers hold, and nothing waits on
a timer. After CYCLES quotas W ends and R reads the rest.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sys
import time
from typing import Any, Dict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nodenet as net  # noqa: E402
import stress_payloads as payloads  # noqa: E402

IS_PYPY = sys.implementation.name == "pypy"


def rss() -> int:
    """Resident set size now (/proc/self/statm, second field); under PyPy after
    a collection, so that what is measured is what is kept."""
    if IS_PYPY:
        gc.collect()
    with open("/proc/self/statm", "rb") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def sockets_open() -> int:
    count = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                count += 1
        except OSError:
            pass
    return count


def probe_check(st: Dict[str, Any]) -> None:
    """The probe sees memory that is kept: a 64 MiB block written."""
    before = rss()
    block = bytearray(b"\x01") * (64 << 20)
    st["probe_sees"] = rss() - before
    del block


def transfer(cycles: int, quota: int, warm_up: int, st: Dict[str, Any]) -> None:
    st.update({"sent": 0, "got": 0, "cycles": 0, "final": False, "write_false": 0,
               "source_pauses": 0, "samples": [], "max_w_buffer": 0, "max_d_buffer": 0,
               "closed": 0, "errors": []})
    sent_hash, got_hash = hashlib.sha256(), hashlib.sha256()
    h: Dict[str, Any] = {}

    def sample() -> None:
        st["samples"].append(rss())

    def closed() -> None:
        st["closed"] += 1
        if st["closed"] == 4:
            reader_srv.close()
            source_srv.close()

    def watch(sock: net.Socket) -> None:
        sock.on("close", closed)
        sock.on("error", lambda err: st["errors"].append(repr(err)))

    def on_reader(r: net.Socket) -> None:             # R: paused from the start
        h["R"] = r
        watch(r)
        since = [0]

        def on_data(data: bytes) -> None:
            got_hash.update(data)
            st["got"] += len(data)
            since[0] += len(data)
            if not IS_PYPY and st["got"] % (1 << 20) < len(data):
                sample()                          # about every MiB
            if since[0] < quota or st["final"]:
                return
            since[0] = 0
            st["cycles"] += 1
            sample()
            if st["cycles"] == warm_up:
                st["baseline"] = st["samples"][-1]
                st["warm_up_samples"] = len(st["samples"])
            if st["cycles"] == cycles:
                st["final"] = True                # W ends; R reads the rest
                h["W"].end()
                return
            r.pause()
            if h["S"].is_paused():                # the pipe holds S already: go on
                r.resume()
        r.on("data", on_data)
        if "S" in h:
            start()

    def on_source(s: net.Socket) -> None:             # S: piped into D
        h["S"] = s
        watch(s)
        if "R" in h:
            start()

    def pump(*_: Any) -> None:
        """W: write while write() says so, then wait for 'drain'."""
        w, d = h["W"], h["D"]
        while not st["final"]:
            piece = next(h["pieces"])
            sent_hash.update(piece)
            st["sent"] += len(piece)
            ok = w.write(piece)
            st["max_w_buffer"] = max(st["max_w_buffer"], w.writable_length)
            st["max_d_buffer"] = max(st["max_d_buffer"], d.writable_length)
            if not ok:
                st["write_false"] += 1
                return

    def on_source_pause() -> None:
        st["source_pauses"] += 1
        r = h["R"]
        if r.is_paused() and not st["final"]:
            r.resume()

    def start() -> None:
        h["S"].on("pause", on_source_pause)
        st["start"] = rss()
        h["S"].pipe(h["D"])
        pump()

    reader_srv = net.create_server({"pause_on_connect": True}, on_reader)
    source_srv = net.create_server(on_source)

    def connect() -> None:
        if reader_srv.listening and source_srv.listening and "D" not in h:
            h["pieces"] = (p for i in range(1 << 30)
                           for p in payloads.chunks(i * 4099, payloads.POOL_SIZE, 65000))
            d = h["D"] = net.connect(reader_srv.address()["port"], "127.0.0.1")
            w = h["W"] = net.connect(source_srv.address()["port"], "127.0.0.1")
            w.on("drain", pump)
            for sock in (d, w):
                watch(sock)
                sock.resume()                 # W and D read their peers' FIN

    def main() -> None:
        reader_srv.listen(0, "127.0.0.1", connect)
        source_srv.listen(0, "127.0.0.1", connect)

    started = time.monotonic()
    net.run(main)
    st["seconds"] = round(time.monotonic() - started, 3)
    st["sha_equal"] = got_hash.hexdigest() == sent_hash.hexdigest()
    st["hwm"] = net.stream.get_default_high_water_mark(False)


def main() -> int:
    cycles, quota, warm_up = (int(x) for x in sys.argv[1:4])
    st: Dict[str, Any] = {"implementation": sys.implementation.name}
    probe_check(st)
    net.get_loop()                        # its wake-up socket pair lives as long as it
    sockets_before = sockets_open()
    transfer(cycles, quota, warm_up, st)
    st["sockets_left"] = sockets_open() - sockets_before
    sys.stdout.write(json.dumps(st) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
