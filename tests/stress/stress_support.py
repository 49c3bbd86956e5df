"""Helpers of the stress tests: the peer process, listening servers, the fd limit.

(No conftest.py here: a second module named ``conftest`` would shadow the one in
tests/, which other tests import from.)"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterator

import pytest

import nodenet as net
from support import on_loop

HERE = Path(__file__).resolve().parent
PEERS = HERE / "stress_peers.py"


def listening(make: Callable[[], net.Server], *listen_args: Any) -> net.Server:
    """``make()`` a server on the loop thread and ``listen(*listen_args)``;
    returns it once it is listening (as in Node, ``address()`` is None before)."""
    ready = threading.Event()

    def setup() -> net.Server:
        srv = make()
        srv.listen(*listen_args, ready.set)
        return srv

    srv: net.Server = on_loop(setup)
    assert ready.wait(10), "the server never started listening"
    return srv


def port(srv: net.Server) -> int:
    """The port a listening server got."""
    return int(srv.address()["port"])


@pytest.fixture
def nofile() -> Iterator[int]:
    """RLIMIT_NOFILE raised to its hard limit for the test (restored after);
    yields the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft != target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    try:
        yield target
    finally:
        if soft != target:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def need_fds(limit: int, count: int) -> None:
    """Skip (saying why) when the hard fd limit cannot hold ``count`` sockets
    beside what the test process already has open."""
    in_use = len(os.listdir("/proc/self/fd"))
    if limit < count + in_use + 64:
        pytest.skip(f"RLIMIT_NOFILE hard limit {limit} < {count} sockets + {in_use} open fds")


class PeerProcess:
    """``stress_peers.py MODE PORT`` in a child interpreter (this one), with its
    plan on stdin; :meth:`result` reaps it (bounded) and returns its report."""

    def __init__(self, mode: str, port: int, plan: Dict[str, Any]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(PEERS), mode, str(port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(plan).encode() + b"\n")
        self.proc.stdin.flush()

    def send(self, line: str) -> None:
        """A line to the peers (``release``: wakes the peers parked on it)."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass                           # it has exited: result() tells why

    def exited(self) -> bool:
        """Whether the child has exited already."""
        return self.proc.poll() is not None

    def result(self, timeout: float) -> Dict[str, Any]:
        """The report; kills the child if it outlives ``timeout``."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the peer process outlived {timeout}s")
        lines = out.decode(errors="replace").strip().splitlines()
        if not lines:
            raise AssertionError(f"the peer process reported nothing "
                                 f"(exit {self.proc.returncode}): {err.decode(errors='replace')}")
        report: Dict[str, Any] = json.loads(lines[-1])
        report["returncode"] = self.proc.returncode
        report["stderr"] = err.decode(errors="replace")
        return report

    def kill(self) -> None:
        """Stop the child (this process's own child, by its pid) and close the pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate(timeout=30)

    def __enter__(self) -> PeerProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.proc.returncode is None:
            self.kill()
