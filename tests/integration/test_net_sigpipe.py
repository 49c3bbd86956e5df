"""Writes to a peer that has gone never raise SIGPIPE (SPEC §5, issue #8).

A host that embeds Python with ``Py_InitializeEx(0)``, or a program that set
``signal.signal(SIGPIPE, SIG_DFL)``, is killed by SIGPIPE on the first write to
a closed peer unless every send says ``MSG_NOSIGNAL``. Node reports ``'error'``
EPIPE and lives; so must nodenet, on every send path: ``write()`` (the one-send
fast path and the general path), ``cork()``/``uncork()`` (``sendmsg``),
``end(data)``, ``pipe()``, writes posted from another thread, over TCP and
AF_UNIX. Each scenario runs in a child process with SIGPIPE at its default
action, so a regression shows up as the child dying of signal 13.

The peer is closed *before* the write, deterministically: for AF_UNIX a closed
socketpair end makes the next send fail with EPIPE at once; for TCP the peer
resets the connection and the test collects the pending ECONNRESET (SO_ERROR),
after which the kernel answers every send with EPIPE.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="no SIGPIPE here")

CHILD = r"""
import json, os, select, signal, socket, struct, sys, threading
signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # what an embedding host may have
import nodenet as net

results = {}

def dead_unix_peer():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    b.close()
    return a

def dead_tcp_peer():
    lsn = socket.socket(); lsn.bind(("127.0.0.1", 0)); lsn.listen(1)
    client = socket.create_connection(lsn.getsockname())
    peer, _ = lsn.accept(); lsn.close()
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    peer.close()                                   # RST
    poller = select.poll(); poller.register(client, select.POLLIN)
    assert poller.poll(5000), "no RST within 5 s"
    client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)   # collect ECONNRESET
    return client

def wrap(raw):
    fd = raw.detach()
    return net.Socket({"fd": fd, "readable": False})

def record(name, sock):
    sock.on("error", lambda err: results.__setitem__(name, err.code))

SCENARIOS = {}

def scenario(fn):
    SCENARIOS[fn.__name__] = fn
    return fn

@scenario
def unix_write_bytes(raw):
    s = wrap(raw); record("unix_write_bytes", s); s.write(b"x")

@scenario
def unix_write_str(raw):
    s = wrap(raw); record("unix_write_str", s); s.write("x", "latin1", lambda err=None: None)

@scenario
def unix_cork_uncork(raw):
    s = wrap(raw); record("unix_cork_uncork", s)
    s.cork(); s.write(b"a"); s.write(b"b"); s.write(b"c"); s.uncork()

@scenario
def unix_end_data(raw):
    s = wrap(raw); record("unix_end_data", s); s.end(b"last words")

@scenario
def unix_pipe(raw):
    s = wrap(raw); record("unix_pipe", s)
    src_raw, feeder = socket.socketpair()
    feeder.sendall(b"piped data"); feeder.close()
    src = net.Socket({"fd": src_raw.detach()})
    src.pipe(s)

@scenario
def tcp_write_bytes(raw):
    s = wrap(raw); record("tcp_write_bytes", s); s.write(b"x")

@scenario
def tcp_cork_uncork(raw):
    s = wrap(raw); record("tcp_cork_uncork", s)
    s.cork(); s.write(b"a"); s.write(b"b"); s.uncork()

@scenario
def tcp_end_data(raw):
    s = wrap(raw); record("tcp_end_data", s); s.end(b"bye")

name = sys.argv[1]
if name == "thread_write":
    # A write posted from another thread (the loop thread does the send).
    sock = wrap(dead_unix_peer())
    done = threading.Event()
    sock.on("error", lambda err: (results.__setitem__(name, err.code), done.set()))
    threading.Thread(target=lambda: sock.write(b"from a thread")).start()
    done.wait(10)
    net.run()
else:
    fn = SCENARIOS[name]
    net.run(lambda: fn(dead_tcp_peer() if name.startswith("tcp") else dead_unix_peer()))

results["handler"] = signal.getsignal(signal.SIGPIPE) == signal.SIG_DFL
print(json.dumps(results))
"""


@pytest.mark.parametrize("name", [
    "unix_write_bytes", "unix_write_str", "unix_cork_uncork", "unix_end_data", "unix_pipe",
    "tcp_write_bytes", "tcp_cork_uncork", "tcp_end_data", "thread_write",
])
def test_write_to_a_gone_peer_is_epipe_not_sigpipe(name: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(CHILD), name],
                          capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, (
        f"child died (status {proc.returncode}; -13 is SIGPIPE): {proc.stderr[-2000:]}")
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert results == {name: "EPIPE", "handler": True}, "an 'error' EPIPE, no SIGPIPE handler"
