"""``python -m nodenet echo --workers N``: N processes on one port
(``reuse_port``), the kernel spreading connections over them."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import List, Set

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0


def spawn(*args: str) -> "subprocess.Popen[str]":
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "nodenet", *args], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


class Lines:
    """The supervisor's stdout, read on a thread so every wait has a deadline."""

    def __init__(self, proc: "subprocess.Popen[str]") -> None:
        self.lines: List[str] = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(proc,))
        self.thread.start()

    def _read(self, proc: "subprocess.Popen[str]") -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_for(self, pattern: str) -> "re.Match[str]":
        with self.cond:
            found: List["re.Match[str]"] = []

            def match() -> bool:
                found[:] = [m for m in map(re.compile(pattern).search, self.lines) if m]
                return bool(found)

            assert self.cond.wait_for(match, TIMEOUT), f"no {pattern!r} in {self.lines}"
            return found[0]


def test_two_workers_share_the_port_and_stop_together() -> None:
    proc = spawn("echo", "--host", "127.0.0.1", "--port", "0", "--workers", "2")
    lines = Lines(proc)
    try:
        port = int(lines.wait_for(r"^2 workers share port (\d+)$").group(1))
        pids = {int(m) for m in re.findall(r"\[worker \d pid (\d+)\] server bound on 127\.0\.0\.1 "
                                           rf"port {port} \(IPv4\)", "\n".join(lines.lines))}
        assert len(pids) == 2, lines.lines
        served: Set[int] = set()
        for _ in range(200):            # the kernel hashes each connection to one worker
            with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as client:
                assert client.recv(7) == b"hello\r\n"
                local = client.getsockname()[1]
            match = lines.wait_for(rf"\[worker \d pid (\d+)\] client connected \(127\.0\.0\.1:{local}\)")
            served.add(int(match.group(1)))
            if served == pids:
                break
        assert served == pids
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=TIMEOUT)
        lines.thread.join(TIMEOUT)
    assert proc.returncode == 130, err
    for pid in pids:                    # the supervisor stopped and reaped its workers
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"worker {pid} still running")


def test_workers_need_a_tcp_port(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "nodenet", "echo", "--host",
                          str(tmp_path / "s.sock"), "--port", "-1", "--workers", "2"],
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
                         text=True, timeout=TIMEOUT)
    assert out.returncode == 1 and "Unix sockets cannot share a path" in out.stderr
    out = subprocess.run([sys.executable, "-m", "nodenet", "echo", "--workers", "0"],
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
                         text=True, timeout=TIMEOUT)
    assert out.returncode == 2 and "--workers must be at least 1" in out.stderr
