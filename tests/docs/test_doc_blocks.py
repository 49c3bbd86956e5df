"""Docs that run: every Python block of README.md and docs/*.md, as a program.

Each block runs in its own Python process with a deadline, nodenet taken from
this checkout. A page that says ``<!-- doc-blocks: run the first sh block -->``
has its blocks run in a fresh directory where that shell block (making
certificates, say) ran first. The port the docs use (8124) becomes a free one. A block that
listens (a server: it runs until Ctrl-C) is driven by a client — a line sent,
the reply read — and then stopped with SIGINT; any other block runs to its end
beside a ``python -m nodenet echo`` server on that port (the docs' clients talk
to it) and must exit 0. Either way nothing but the Ctrl-C may show a traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
             *sorted((ROOT / "docs").glob("*/*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)
SHELL = re.compile(r"```sh\n(.*?)```", re.S)
SETUP = "<!-- doc-blocks: run the first sh block -->"


def blocks() -> List[Tuple[str, str]]:
    found = []
    for path in DOC_FILES:
        for i, code in enumerate(BLOCK.findall(path.read_text(encoding="utf-8")), 1):
            found.append((f"{path.relative_to(ROOT)}#{i}", code))
    return found


def setup_script(where: str) -> Optional[str]:
    """The shell block a page asks to run before its Python blocks, if any."""
    text = (ROOT / where.split("#")[0]).read_text(encoding="utf-8")
    if SETUP not in text:
        return None
    return SHELL.findall(text)[0]


def free_port() -> int:
    with socket.socket(socket.AF_INET6 if socket.has_ipv6 else socket.AF_INET) as s:
        s.bind(("", 0))
        return int(s.getsockname()[1])


def connectable(port: int, deadline: float,
                proc: Optional[subprocess.Popen] = None) -> Optional[socket.socket]:  # type: ignore[type-arg]
    while time.monotonic() < deadline and (proc is None or proc.poll() is None):
        try:
            return socket.create_connection(("localhost", port), timeout=2)
        except OSError:
            time.sleep(0.05)
    return None


def start(args: List[str], cwd: Optional[str] = None) -> subprocess.Popen:  # type: ignore[type-arg]
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    return subprocess.Popen(args, cwd=cwd or str(ROOT), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float) -> Tuple[int, str, str]:  # type: ignore[type-arg]
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"still running after {timeout} s:\n{out}\n{err}") from None
    return proc.returncode, out, err


@pytest.mark.parametrize("where, code", blocks(), ids=[w for w, _ in blocks()])
def test_doc_block_runs(where: str, code: str, tmp_path: Path) -> None:
    cwd = None
    script = setup_script(where)
    if script is not None:
        if shutil.which("openssl") is None or shutil.which("bash") is None:
            pytest.skip("the page's setup needs bash and openssl")
        subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, check=True,
                       capture_output=True, timeout=60)
        cwd = str(tmp_path)
    port = free_port()
    program = code.replace("8124", str(port))
    if "import nodenet" not in program:
        program = "import nodenet as net\n" + program
    if ".listen(" in program:
        proc = start([sys.executable, "-c", program], cwd)
        try:
            client = connectable(port, time.monotonic() + 15, proc)
            if client is not None:          # a server: talk to it, then Ctrl-C
                with client:
                    client.sendall(b"ping\r\n")
                    client.settimeout(5)
                    try:
                        client.recv(4096)
                    except socket.timeout:
                        pass
                proc.send_signal(signal.SIGINT)
            status, out, err = finish(proc, 20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert status in (0, 130, -signal.SIGINT), err
        lines = [ln for ln in err.strip().splitlines() if ln.strip()]
        assert "Traceback" not in err or lines[-1] == "KeyboardInterrupt", err
        return
    echo = start([sys.executable, "-m", "nodenet", "echo", "--port", str(port)])
    try:
        with connectable(port, time.monotonic() + 15) or pytest.fail("echo server down"):
            pass
        status, out, err = finish(start([sys.executable, "-c", program], cwd), 30)
    finally:
        echo.send_signal(signal.SIGINT)
        try:
            echo.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            echo.kill()
            echo.communicate()
    assert status == 0, f"{where} exited {status}:\n{out}\n{err}"
    assert "Traceback" not in err, err
