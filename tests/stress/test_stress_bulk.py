"""300 peers moving SHA-256-checked data while 30% of them misbehave (SPEC §5:
peer faults become 'error'/'close' on that socket only; the loop and every
other connection carry on).

The server is nodenet in this process; the peers are a child process
(stress_peers.py). The protocol, one connection per transfer:

    peer   -> "PUT <id> <kind> <up> <down> <start> <sha256 of the upload>\\n"
    server -> "GO\\n"
    peer   -> <up> bytes                          (optionally then a half-close)
    server -> "OK <down>\\n" <down> bytes, end()   when the upload's hash matches
              "BAD\\n", end()                     when it does not
              "ERR\\n", end()                     when the header is no header

The server honours write()'s return and 'drain' while it sends, and checks
each upload's hash; each peer checks its download's hash against the bytes it
should get (computed on its side); ``<start>`` says which stream of
stress_payloads.py the download is. The misbehaving peers, 15 of each kind:

* ``reset_up``: sends part of its upload, then resets (SO_LINGER 0). The server
  is reading: 'error' ECONNRESET, then 'close'(True).
* ``reset_down``: reads part of its download, then resets. The server is
  writing or waiting for the peer's FIN: 'error' ECONNRESET or EPIPE (which one
  depends on where the reset meets it), then 'close'(True).
* ``vanish``: sends part of its upload, half-closes and closes. The server gets
  'end' with the upload short and ends its side: 'end', 'finish', 'close'(False).
* ``paused``: uploads, then never reads. The server's download (endless for
  this peer) stops at write() returning False; it then arms set_timeout() and
  destroys the socket on 'timeout': 'timeout', 'close'(False). Only these
  sockets get a timeout, so a good peer that a loaded machine deschedules for a
  while is never cut off. The peer is let go only after the server has closed.
* ``garbage_header``: random bytes instead of a header: 'ERR', then 'finish',
  'end', 'close'(False).
* ``garbage_body``: a body with one byte changed: 'BAD', then 'finish', 'end',
  'close'(False).

One more good peer starts after all the others have finished: the server still
serves. Nothing depends on timing or on the kernel's buffers: each misbehaviour
happens at a point of the protocol, and the paused peers' timeout starts only
once backpressure has been seen.
"""

from __future__ import annotations

import hashlib
import random
import time
from typing import Any, Dict, List, Optional

import pytest

import nodenet as net
import stress_payloads as payloads
from stress_support import PeerProcess, listening, port
from support import on_loop, run, wait_for

KINDS_MISBEHAVING = ["reset_up", "reset_down", "vanish", "paused", "garbage_header",
                     "garbage_body"]
STALL_TIMEOUT_MS = 200
HEADER_LIMIT = 256


def make_plan(peers: int, bad_each: int, seed: int) -> List[Dict[str, Any]]:
    """Who does what: sizes and cut points drawn from a seeded generator."""
    rng = random.Random(seed)
    kinds = [k for k in KINDS_MISBEHAVING for _ in range(bad_each)]
    kinds += ["good"] * (peers - len(kinds))
    rng.shuffle(kinds)
    kinds.append("good")                 # the last one: after everything else

    def size() -> int:
        # mostly up to 512 KiB, sometimes empty, sometimes up to 4 MiB
        r = rng.random()
        if r < 0.05:
            return 0
        if r < 0.10:
            return rng.randint(1 << 20, 4 << 20)
        return rng.randint(1, 512 << 10)

    plan = []
    for pid, kind in enumerate(kinds):
        up, down = size(), size()
        if kind in ("reset_up", "vanish", "garbage_body"):
            up = max(up, 2)
        if kind == "reset_down":
            down = max(down, 2)
        p: Dict[str, Any] = {"id": pid, "kind": kind, "up": up, "down": down,
                             "up_start": rng.randrange(payloads.POOL_SIZE),
                             "down_start": rng.randrange(payloads.POOL_SIZE),
                             "half": kind == "good" and rng.random() < 0.5}
        if kind in ("reset_up", "vanish", "garbage_body"):
            p["cut"] = rng.randrange(1, up)
        elif kind == "reset_down":
            p["cut"] = rng.randrange(1, down)
        elif kind == "garbage_header":
            p["up"] = rng.randint(HEADER_LIMIT + 1, 64 << 10)
        if pid == len(kinds) - 1:
            p["last"] = True
        plan.append(p)
    return plan


class Conn:
    """One accepted connection as the server saw it (loop thread only)."""

    def __init__(self, port: Optional[int]) -> None:
        self.port = port
        self.events: List[Any] = []
        self.phase = "header"
        self.header: Optional[Dict[str, Any]] = None
        self.up_got = 0
        self.up_ok: Optional[bool] = None
        self.down_sent = 0
        self.backpressure = False
        self.after_close: List[Any] = []

    def note(self, event: Any) -> None:
        if self.events and self.events[-1][0] == "close":
            self.after_close.append(event)
        self.events.append(event)

    def names(self) -> List[str]:
        return [e[0] for e in self.events]


def serve(conns: List[Conn]) -> net.Server:
    """The transfer server (see the module docstring), listening when it returns."""

    def on_connection(sock: net.Socket) -> None:
        conn = Conn(sock.remote_port)
        conns.append(conn)
        buf = bytearray()
        hasher = hashlib.sha256()
        down_chunks: List[Any] = [None]

        def reject(answer: bytes) -> None:
            conn.phase = "rejected"
            sock.end(answer)

        def pump(*_: Any) -> None:
            """Send the download, honouring write()'s return and 'drain'."""
            it = down_chunks[0]
            if it is None or conn.phase != "download":
                return
            for piece in it:
                conn.down_sent += len(piece)
                if not sock.write(piece):
                    if not conn.backpressure:
                        conn.backpressure = True
                        if conn.header and conn.header["kind"] == "paused":
                            sock.set_timeout(STALL_TIMEOUT_MS)
                    return
            conn.phase = "sent"
            sock.end()

        def upload_done() -> None:
            h = conn.header
            assert h is not None
            conn.up_ok = hasher.hexdigest() == h["sha"]
            if not conn.up_ok:
                reject(b"BAD\n")
                return
            conn.phase = "download"
            sock.write(b"OK %d\n" % h["down"])
            if h["kind"] == "paused":     # endless: only backpressure stops it
                down_chunks[0] = _endless(h["down_start"])
            else:
                down_chunks[0] = payloads.chunks(h["down_start"], h["down"])
            pump()

        def body(data: bytes) -> None:
            h = conn.header
            assert h is not None
            want = h["up"] - conn.up_got
            if len(data) > want:
                conn.note(("extra", len(data) - want))
                data = data[:want]
            hasher.update(data)
            conn.up_got += len(data)
            if conn.up_got == h["up"]:
                upload_done()

        def on_data(data: bytes) -> None:
            if conn.phase == "upload":
                body(data)
                return
            if conn.phase != "header":
                if conn.phase not in ("rejected",):
                    conn.note(("unexpected data", len(data)))
                return
            buf.extend(data)
            nl = buf.find(b"\n")
            if nl < 0:
                if len(buf) > HEADER_LIMIT:
                    reject(b"ERR\n")
                return
            header = _parse(bytes(buf[:nl]))
            if header is None:
                reject(b"ERR\n")
                return
            conn.header = header
            conn.phase = "upload"
            rest = bytes(buf[nl + 1:])
            buf.clear()
            sock.write(b"GO\n")
            if header["up"] == 0:
                upload_done()
            if rest:
                on_data(rest)

        def on_end() -> None:
            conn.note(("end",))
            if conn.phase in ("header", "upload"):   # the peer went away mid-upload
                conn.phase = "truncated"
                sock.end()

        def on_timeout() -> None:
            conn.note(("timeout",))
            sock.destroy()

        sock.on("data", on_data)
        sock.on("drain", pump)
        sock.on("end", on_end)
        sock.on("finish", lambda: conn.note(("finish",)))
        sock.on("timeout", on_timeout)
        sock.on("error", lambda err: conn.note(("error", getattr(err, "code", repr(err)))))
        sock.on("close", lambda had_error: conn.note(("close", had_error)))

    return listening(lambda: net.create_server({"allow_half_open": True}, on_connection),
                     0, "127.0.0.1")


def _endless(start: int) -> Any:
    pos = start
    while True:
        yield from payloads.chunks(pos, payloads.POOL_SIZE)
        pos += 12345


def _parse(line: bytes) -> Optional[Dict[str, Any]]:
    try:
        word, pid, kind, up, down, start, sha = line.decode("ascii").split(" ")
    except (UnicodeDecodeError, ValueError):
        return None
    if word != "PUT" or len(sha) != 64 or not all(
            x.isdigit() for x in (pid, up, down, start)):
        return None
    return {"id": int(pid), "kind": kind, "up": int(up), "down": int(down),
            "down_start": int(start), "sha": sha}


def _closed(conns: List[Conn]) -> int:
    return sum(1 for c in conns if c.events and c.events[-1][0] == "close")


@pytest.mark.slow
def test_bulk_transfers_with_misbehaving_peers() -> None:
    total = 300
    bad_each = total * 15 // 300          # 6 kinds x 15 = 30% of 300
    plan = make_plan(total, bad_each, seed=8)
    conns: List[Conn] = []
    srv = serve(conns)
    n_paused = sum(1 for p in plan if p["kind"] == "paused")
    started = time.monotonic()
    with PeerProcess("bulk", port(srv), {"peers": plan, "deadline": 150}) as peers:
        # the paused peers are let go once the server has timed every one out
        def paused_closed() -> bool:
            return bool(on_loop(lambda: sum(
                1 for c in conns if c.header and c.header["kind"] == "paused"
                and c.events and c.events[-1][0] == "close")) == n_paused)
        wait_for(paused_closed, 120, "the server to time out every paused peer")
        peers.send("release")
        report = peers.result(timeout=120)
    assert report.get("error") is None and report["returncode"] == 0, report
    wait_for(lambda: on_loop(_closed, conns) == len(plan), 60, "every server socket to close")
    elapsed = time.monotonic() - started
    close_server(srv)
    check(plan, conns, report)
    up_checked = sum(c.up_got for c in conns if c.up_ok)
    down_checked = sum(p["down"] for p in plan
                       if report["peers"][str(p["id"])]["outcome"] == "ok")
    print(f"\nstress bulk: {len(plan)} peers ({6 * bad_each} misbehaving), "
          f"{up_checked} bytes up and {down_checked} bytes down checked by SHA-256, "
          f"{elapsed:.1f}s")


def close_server(srv: net.Server) -> None:
    on_loop(srv.close)
    run(None, 30)


def check(plan: List[Dict[str, Any]], conns: List[Conn], report: Dict[str, Any]) -> None:
    """Every peer's outcome on both sides."""
    by_port = {c.port: c for c in conns}
    assert len(by_port) == len(conns) == len(plan)
    problems: List[Any] = []
    for p in plan:
        side = report["peers"][str(p["id"])]
        conn = by_port.get(side["port"])
        if conn is None:
            problems.append((p["id"], p["kind"], "never seen by the server"))
            continue
        names = conn.names()
        errors = [e[1] for e in conn.events if e[0] == "error"]
        kind = p["kind"]
        ok = True
        ok &= names.count("close") == 1 and names[-1] == "close" and not conn.after_close
        ok &= "extra" not in names and "unexpected data" not in names
        if kind == "good":
            ok &= side["outcome"] == "ok" and conn.up_ok is True and conn.phase == "sent"
            ok &= conn.up_got == p["up"] and conn.down_sent == p["down"]
            ok &= errors == [] and conn.events[-1] == ("close", False)
            ok &= {"end", "finish"} <= set(names)
        elif kind == "reset_up":
            ok &= errors == ["ECONNRESET"] and conn.events[-1] == ("close", True)
            ok &= conn.up_got <= p["cut"] and conn.up_ok is None
        elif kind == "reset_down":
            ok &= len(errors) == 1 and errors[0] in ("ECONNRESET", "EPIPE")
            ok &= conn.events[-1] == ("close", True) and conn.up_ok is True
        elif kind == "vanish":
            ok &= errors == [] and conn.events[-1] == ("close", False)
            ok &= names[:2] == ["end", "finish"] and conn.up_got == p["cut"]
            ok &= conn.phase == "truncated"
        elif kind == "paused":
            ok &= errors == [] and conn.backpressure and conn.up_ok is True
            ok &= names == ["timeout", "close"] and conn.events[-1] == ("close", False)
            ok &= side["outcome"] == "released"
        elif kind in ("garbage_header", "garbage_body"):
            ok &= errors == [] and conn.events[-1] == ("close", False)
            ok &= sorted(names) == ["close", "end", "finish"]
            ok &= side["outcome"] == "rejected" and conn.phase == "rejected"
            ok &= conn.up_ok is (None if kind == "garbage_header" else False)
        if not ok:
            problems.append((p["id"], kind, side, conn.phase, conn.up_got, conn.down_sent,
                             conn.events))
    assert not problems, "\n".join(map(repr, problems))
