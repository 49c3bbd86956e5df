"""``python -m nodenet``: the README's main job (the echo server), the netcat-like
client and the traced demo, each run as a user runs them."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, List

import pytest

import nodenet as net
import nodenet.__main__ as cli

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0


def spawn(*args: str) -> "subprocess.Popen[str]":
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "nodenet", *args], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def read_line(proc: "subprocess.Popen[str]") -> str:
    """One line of the child's stdout, or fail (the timeout kills a hung child)."""
    assert proc.stdout is not None
    box: List[str] = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline()))  # type: ignore
    reader.start()
    reader.join(TIMEOUT)
    if reader.is_alive():
        proc.kill()
        reader.join()
        pytest.fail("the child printed nothing in time")
    return box[0].rstrip("\n")


def stop(proc: "subprocess.Popen[str]") -> "tuple[int, str, str]":
    """SIGINT, as Ctrl-C would: the CLI exits with 130."""
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=TIMEOUT)
    return proc.returncode, out, err


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def test_echo_server_greets_and_echoes() -> None:
    """The docs' echo server: 'hello\\r\\n', then every byte back, then the client's end."""
    proc = spawn("echo", "--host", "127.0.0.1", "--port", "0")
    try:
        bound = read_line(proc)
        match = re.fullmatch(r"server bound on 127\.0\.0\.1 port (\d+) \(IPv4\)", bound)
        assert match, bound
        port = int(match.group(1))
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as client:
            assert recv_exactly(client, 7) == b"hello\r\n"
            assert read_line(proc).startswith("client connected (127.0.0.1:")
            client.sendall(b"ping over nodenet")
            assert recv_exactly(client, 17) == b"ping over nodenet"
            client.shutdown(socket.SHUT_WR)
            # pipe() ends the socket when the client ends it: EOF comes back.
            assert client.recv(1) == b""
        assert read_line(proc).startswith("client disconnected (127.0.0.1:")
    finally:
        code, _, err = stop(proc)
    assert code == 130, err


def test_echo_server_on_a_unix_socket(ipc_path: str) -> None:
    proc = spawn("echo", "--host", ipc_path, "--port", "-1")
    try:
        assert read_line(proc) == f"server bound on {ipc_path}"
        with socket.socket(socket.AF_UNIX) as client:
            client.settimeout(TIMEOUT)
            client.connect(ipc_path)
            assert recv_exactly(client, 7) == b"hello\r\n"
            assert read_line(proc) == "client connected (ipc client)"
            client.sendall(b"x")
            assert recv_exactly(client, 1) == b"x"
    finally:
        code, _, err = stop(proc)
    assert code == 130, err
    assert not os.path.exists(ipc_path), "close() removes the socket file"


def test_echo_server_reports_a_listen_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = spawn("echo", "--host", "127.0.0.1", "--port", str(port))
        out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 1
    assert "server error:" in err and "EADDRINUSE" in err


def _one_shot_upper_server() -> "tuple[socket.socket, threading.Thread, List[bytes]]":
    """A stdlib server: reads to EOF, answers with the bytes upper-cased, closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(TIMEOUT)
    received: List[bytes] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(TIMEOUT)
            data = b""
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            received.append(data)
            conn.sendall(data.upper())

    thread = threading.Thread(target=serve)
    thread.start()
    return listener, thread, received


def test_connect_client_pipes_stdin_and_stdout() -> None:
    listener, thread, received = _one_shot_upper_server()
    with listener:
        port = listener.getsockname()[1]
        proc = spawn("connect", "127.0.0.1", str(port))
        out, err = proc.communicate("one\ntwo\n", timeout=TIMEOUT)
        thread.join(TIMEOUT)
    assert received == [b"one\ntwo\n"]
    assert out == "ONE\nTWO\n"
    assert proc.returncode == 0, err


def test_connect_client_reports_a_refused_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]       # bound, not listening: refused
        proc = spawn("connect", "127.0.0.1", str(port))
        out, err = proc.communicate("", timeout=TIMEOUT)
    assert proc.returncode == 1
    assert "error:" in err and "ECONNREFUSED" in err


def test_connect_client_sees_a_refusal_that_beats_its_listeners(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The loop may finish a refused connection before the main thread gets on:
    made certain here by a connect() that returns only once the socket is
    closed. The client must still report the error and exit (it hung, under
    load, when it attached its listeners after connecting)."""
    import io

    real_connect = net.Socket.connect

    def connect_then_wait_for_close(self: net.Socket, *args: Any) -> net.Socket:
        real_connect(self, *args)
        deadline = time.monotonic() + 10
        while not self.destroyed and time.monotonic() < deadline:
            time.sleep(0.005)
        return self

    monkeypatch.setattr(net.Socket, "connect", connect_then_wait_for_close)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    errors: List[str] = []
    monkeypatch.setattr(sys, "stderr", type("Err", (), {
        "write": lambda self, text: errors.append(text), "flush": lambda self: None})())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]       # bound, not listening: refused
        result: List[int] = []
        client = threading.Thread(target=lambda: result.append(
            cli.connect("127.0.0.1", str(port))), daemon=True)
        client.start()
        client.join(20)
    assert not client.is_alive(), "the client never saw its socket close"
    assert result == [1]
    assert "ECONNREFUSED" in "".join(errors)


def test_connect_client_on_a_unix_socket(ipc_path: str) -> None:
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(ipc_path)
        listener.listen()
        listener.settimeout(TIMEOUT)
        proc = spawn("connect", ipc_path)
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"from the server\n")
            conn.shutdown(socket.SHUT_WR)
            out, err = proc.communicate("", timeout=TIMEOUT)
    assert out == "from the server\n"
    assert proc.returncode == 0, err


def test_demo_traces_the_phases(capsys: pytest.CaptureFixture[str]) -> None:
    """The demo's transcript (docs/loop.md): main() and its nextTick as the script,
    before the first turn; a 0 ms timer set by the script races the first
    immediate, as in Node; inside a timer, the immediate beats the 0 ms timer."""
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    order = [line.strip() for line in out.splitlines() if line.strip().startswith("->")]
    assert order[:2] == ["-> main() runs (the script, before the first turn)",
                         "-> nextTick (right after main)"]
    assert sorted(order[2:4]) == ["-> setImmediate (check phase)", "-> setTimeout 0"]
    # The rest, whatever a busy machine does to the timers' spacing: the tick
    # right after its timer; inside a timer the immediate beats the 0 ms timer.
    rest = order[4:]
    assert sorted(rest) == sorted(["-> setTimeout 10", "-> nextTick from timer",
                                   "-> setImmediate from timer", "-> setTimeout 0 from timer",
                                   "-> setTimeout 20"])
    at = rest.index
    assert at("-> nextTick from timer") == at("-> setTimeout 10") + 1
    assert at("-> setTimeout 10") < at("-> setImmediate from timer") \
        < at("-> setTimeout 0 from timer")
    assert at("-> setTimeout 10") < at("-> setTimeout 20")
    assert out.startswith("  script\n    -> main() runs"), out
    phases = {line.strip().split(" ")[0] for line in out.splitlines()
              if line.startswith("  ") and not line.startswith("    ")}
    assert phases <= {"script", "timers", "pending", "poll", "check", "closing"}


def test_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main([])
    assert exc.value.code == 2
    assert "usage: python -m nodenet" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith(f"nodenet {net.__version__} (Python ")


@pytest.mark.parametrize("command", [[], ["echo"], ["connect"], ["demo"], ["bench"]])
def test_help_on_every_subcommand(command: List[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(command + ["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m nodenet")
    if not command:
        assert "NODENET_DEBUG=net" in out
    else:
        assert len(out.splitlines()) > 3       # a description, not just the usage line
