"""Run the docs/examples programs as a user runs them: a child process that
announces its port on its first line, driven over loopback, stopped by PID."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator, List, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
# The examples' shared modules (resp.py, http1.py) import by their bare names,
# as they do when a user runs a script from docs/examples.
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))
TIMEOUT = 30.0
NODE = shutil.which("node")


def python_env() -> dict:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def command_for(script: str, *args: str) -> List[str]:
    """``python docs/examples/<script>`` (or ``node`` for a .js file) with ``args``."""
    interpreter = NODE if script.endswith(".js") else sys.executable
    if interpreter is None:
        pytest.skip("node is not installed")
    return [interpreter, str(EXAMPLES / script), *args]


class Child:
    """A running example: ``port`` from its first line, ``lines()`` for more output."""

    def __init__(self, argv: List[str]) -> None:
        self.proc = subprocess.Popen(argv, env=python_env(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = self.read_line()
        match = re.search(r"(?:port |:)(\d+)\b", first)
        if match is None:
            self.stop()
            pytest.fail(f"{argv[1]} did not announce a port: {first!r}")
        self.port = int(match.group(1))
        self.first_line = first

    def read_line(self) -> str:
        """The child's next stdout line (the test fails if none comes in time)."""
        assert self.proc.stdout is not None
        box: List[str] = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(TIMEOUT)
        if reader.is_alive():
            self.proc.kill()
            reader.join()
            pytest.fail("the example printed nothing in time")
        return box[0].rstrip("\n")

    def stop(self) -> str:
        """SIGINT (Ctrl-C), then the stderr it left; killed if it does not exit."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


def serve(script: str, *args: str) -> Iterator[Child]:
    """A fixture body: the example running on port 0 for the test's duration."""
    child = Child(command_for(script, *args))
    try:
        yield child
    finally:
        err = child.stop()
        assert "Traceback" not in err, err


def run(argv: List[str], timeout: float = TIMEOUT,
        input: Optional[str] = None) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(argv, env=python_env(), capture_output=True, text=True,
                          timeout=timeout, input=input)


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def exchange(port: int, payload: bytes, until: bytes = b"", close: bool = True) -> bytes:
    """Send ``payload``; read until ``until`` has arrived (or EOF when it is empty)."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(payload)
        if close and not until:
            sock.shutdown(socket.SHUT_WR)
        data = b""
        while not until or until not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def recv_until(sock: socket.socket, marker: bytes) -> bytes:
    data = b""
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data
