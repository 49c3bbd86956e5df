"""Node's process lifetime, checked in real subprocesses (SPEC §1.4–1.5).

A ref'd handle keeps a script alive after its last line; an unref'd one does not;
an uncaught exception exits non-zero with the traceback; an 'uncaughtException'
listener keeps the process going. Ctrl-C while the finished script waits for
ref'd handles ends it (Node: SIGINT ends the process; nodenet stops the loops,
runs the atexit handlers and exits 130), also when the signal lands on the loop
thread; an exit status applies even when stdout is broken; ``process.pid``.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import nodenet as net

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")


def script(code: str, timeout: float = 20.0) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=timeout)


def read_line(proc: "subprocess.Popen[bytes]", timeout: float = 20.0) -> str:
    """The child's next stdout line, waiting at most ``timeout`` seconds (the pipe
    is unbuffered, so select() sees exactly what readline() has not consumed)."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "the child printed nothing in time"
    return proc.stdout.readline().decode().strip()


def test_pending_timer_keeps_script_alive() -> None:
    """A script that sets a timer and returns still sees it fire (Node's lifetime)."""
    result = script("""
        import nodenet as net
        net.set_timeout(lambda: print("fired"), 200)
        print("end of script")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["end", "of", "script", "fired"]


def test_unref_timer_lets_script_exit() -> None:
    """An unref'd timer does not keep the process alive (test-timers-unref)."""
    started = time.monotonic()
    result = script("""
        import nodenet as net
        net.set_timeout(lambda: print("fired"), 5000).unref()
        print("end")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["end"]
    assert time.monotonic() - started < 5.0


def test_interval_chain_keeps_alive_until_cleared() -> None:
    """An interval keeps the process alive until a callback clears it."""
    result = script("""
        import nodenet as net
        n = [0]
        def tick():
            n[0] += 1
            print("tick", n[0])
            if n[0] == 3:
                net.clear_interval(t)
        t = net.set_interval(tick, 20)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["tick 1", "tick 2", "tick 3"]


def test_unref_interval_runs_while_main_thread_is_busy() -> None:
    """Unref'd handles are served while the main thread still runs, like Node
    serving an unref'd handle while something else keeps the process alive."""
    result = script("""
        import time, nodenet as net
        hits = []
        net.set_interval(lambda: hits.append(1), 10).unref()
        deadline = time.monotonic() + 5
        while len(hits) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        print("hits", len(hits) >= 3)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "hits True"


def test_uncaught_exception_exits_nonzero_with_traceback() -> None:
    """No 'uncaughtException' listener: traceback on stderr, status 1, loop stopped."""
    result = script("""
        import nodenet as net
        def boom():
            raise ValueError("boom from a timer")
        net.set_timeout(boom, 20)
        net.set_timeout(lambda: print("never"), 500)
        print("end")
    """)
    assert result.returncode == 1
    assert result.stdout.split() == ["end"]
    assert "Traceback" in result.stderr and "ValueError: boom from a timer" in result.stderr


def test_uncaught_listener_keeps_process_alive() -> None:
    """With a listener the error is handled and later timers still fire."""
    result = script("""
        import nodenet as net
        net.process.on("uncaughtException", lambda err, origin: print("caught", err, origin))
        def boom():
            raise ValueError("boom")
        net.set_timeout(boom, 20)
        net.set_timeout(lambda: print("later"), 100)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["caught boom uncaughtException", "later"]


def test_run_reraises_and_script_decides() -> None:
    """run() re-raises a fatal error; a script that catches it exits 0."""
    result = script("""
        import nodenet as net
        def main():
            net.set_immediate(lambda: 1 / 0)
        try:
            net.run(main)
        except ZeroDivisionError:
            print("run raised")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "run raised"


def test_run_error_uncaught_by_script_exits_nonzero() -> None:
    """The error re-raised from run() ends the script like any Python exception."""
    result = script("""
        import nodenet as net
        net.run(lambda: net.set_timeout(lambda: {}["missing"], 1))
    """)
    assert result.returncode == 1
    assert "KeyError" in result.stderr


def test_system_exit_in_callback_sets_status() -> None:
    """sys.exit(3) inside a callback ends the loop and the process with status 3."""
    result = script("""
        import sys, nodenet as net
        net.set_timeout(lambda: sys.exit(3), 10)
        net.set_timeout(lambda: print("never"), 500)
    """)
    assert result.returncode == 3, result.stderr
    assert "never" not in result.stdout


def test_process_pid() -> None:
    # node: process.pid
    assert net.process.pid == os.getpid()


def test_process_exit_code_applies_at_exit() -> None:
    """process.exit_code is the exit status, as Node's process.exitCode."""
    result = script("""
        import nodenet as net
        net.process.exit_code = 5
        net.set_timeout(lambda: print("fired"), 10)
    """)
    assert result.returncode == 5
    assert result.stdout.strip() == "fired"


def test_exit_code_applies_even_when_stdout_cannot_be_flushed() -> None:
    # process.exit_code = 4: the status is used even if flushing stdout fails
    code = textwrap.dedent("""
        import sys
        import nodenet as net

        class Broken:
            def write(self, text):
                return len(text)

            def flush(self):
                raise OSError("stdout is gone")

        net.process.exit_code = 4
        net.set_timeout(lambda: setattr(sys, "stdout", Broken()), 10)
    """)
    result = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True,
                            text=True, timeout=20)
    assert result.returncode == 4, result.stderr


def test_atexit_handlers_still_run_with_exit_code() -> None:
    """Forcing the status does not skip atexit handlers."""
    result = script("""
        import atexit, nodenet as net
        atexit.register(lambda: print("atexit ran"))
        net.set_immediate(lambda: 1 / 0)
    """)
    assert result.returncode == 1
    assert "atexit ran" in result.stdout


def test_script_without_nodenet_use_exits_normally() -> None:
    """Importing nodenet starts nothing."""
    result = script("""
        import threading, nodenet as net
        print(threading.active_count())
    """)
    assert result.returncode == 0 and result.stdout.strip() == "1"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_in_run_stops_loop_and_raises() -> None:
    """Ctrl-C while run() waits: handles destroyed, KeyboardInterrupt, process exits."""
    code = textwrap.dedent("""
        import nodenet as net
        def main():
            net.set_interval(lambda: None, 1000)
            print("ready", flush=True)
        try:
            net.run(main)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out.strip() == "interrupted"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_while_waiting_for_ref_handles_at_exit() -> None:
    # the script's last line ran; a ref'd interval keeps the process alive. The
    # loop tells us once the main thread is in its exit wait; SIGINT then stops
    # every loop, the atexit handlers run and the status is 130 (128 + SIGINT)
    code = textwrap.dedent("""
        import atexit, sys, threading
        import nodenet as net

        atexit.register(lambda: print("atexit ran", flush=True))
        main = threading.main_thread()

        def in_exit_wait():
            frame = sys._current_frames().get(main.ident)
            while frame is not None:
                if frame.f_code.co_name == "_on_main_exit":
                    return True
                frame = frame.f_back
            return False

        def watch():
            if in_exit_wait():
                print("waiting at exit", flush=True)
                net.clear_interval(watcher)

        watcher = net.set_interval(watch, 10)
        net.set_interval(lambda: None, 1000)       # keeps the process alive
        print("script done", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, bufsize=0)
    try:
        assert proc.stdout is not None
        assert read_line(proc) == "script done"
        assert read_line(proc) == "waiting at exit"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err.decode()
    assert out.decode().strip() == "atexit ran"


# A signal's C-level handler may run on the loop thread (the kernel gives a
# process-directed signal to any thread that does not block it), or run on the
# main thread just before it blocks; either way Python only notes it, and acts on
# it when the main thread next runs bytecode. A main thread blocked for good in
# run() or in the exit wait never did: Ctrl-C was lost (seen under load, 1 run in
# ~50 of test_cli's echo test). The child raises SIGINT on its loop thread once
# the main thread is asleep in the wait, which makes that case certain.
MAIN_ASLEEP_IN = textwrap.dedent("""
    import signal, sys, threading
    import nodenet as net

    main = threading.main_thread()

    def main_asleep_in(name):
        frame = sys._current_frames().get(main.ident)
        # blocked in Condition.wait (run) or Thread.join (the exit wait)
        blocked = frame is not None and frame.f_code.co_name in ("wait", "_wait_for_tstate_lock")
        while frame is not None:
            if frame.f_code.co_name == name:
                return blocked
            frame = frame.f_back
        return False

    def signal_the_loop_thread_once_main_sleeps_in(name):
        seen = [0]
        def check():
            seen[0] = seen[0] + 1 if main_asleep_in(name) else 0
            if seen[0] == 5:                    # asleep for a while: surely blocked
                net.clear_interval(timer)
                print("main thread asleep", flush=True)
                signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        timer = net.set_interval(check, 10)
""")


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="POSIX thread signals")
def test_ctrl_c_taken_by_the_loop_thread_still_stops_run() -> None:
    code = MAIN_ASLEEP_IN + textwrap.dedent("""
        def start():
            net.set_interval(lambda: None, 1000)    # keeps run() waiting
            signal_the_loop_thread_once_main_sleeps_in("run")
        try:
            net.run(start)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, bufsize=0)
    try:
        assert read_line(proc) == "main thread asleep"
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert out.decode().strip() == "interrupted"


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="POSIX thread signals")
def test_ctrl_c_taken_by_the_loop_thread_still_ends_the_exit_wait() -> None:
    code = MAIN_ASLEEP_IN + textwrap.dedent("""
        net.set_interval(lambda: None, 1000)        # keeps the process alive
        signal_the_loop_thread_once_main_sleeps_in("_on_main_exit")
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, bufsize=0)
    try:
        assert read_line(proc) == "main thread asleep"
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err.decode()


@pytest.mark.parametrize("body", [
    # the wake-up socket pair of a loop that ran a timer
    "net.run(lambda: net.set_timeout(lambda: None, 1))",
    # a loop used without run(): the script ends, the timer fires, then exit
    "net.set_timeout(lambda: None, 1)",
    # a server, a client and a lookup (the DNS workers)
    """
    def main():
        s = net.create_server(lambda c: c.end())
        def go():
            c = net.connect(s.address()['port'], 'localhost')
            c.on('end', lambda: s.close())
            c.resume()
        s.listen(0, 'localhost', go)
    net.run(main)
    """,
    # an unref'd server left listening when the script ends
    "net.run(lambda: net.create_server().listen(0, '127.0.0.1').unref())",
], ids=["run-timer", "no-run", "server-client-lookup", "unref-server"])
def test_nothing_left_unclosed_at_interpreter_exit(body: str) -> None:
    """Loops free their fds at exit: no ResourceWarning under -W error (issue #8)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = "import nodenet as net\n" + textwrap.dedent(body)
    result = subprocess.run([sys.executable, "-X", "dev", "-W", "error::ResourceWarning",
                             "-c", code], env=env, capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    assert "ResourceWarning" not in result.stderr and "unclosed" not in result.stderr, \
        result.stderr


def test_fatal_unhandled_socket_error_says_which_socket_and_what_to_do() -> None:
    """Issue #12: the traceback of an unhandled 'error' names the socket's two
    ends and says to add an 'error' listener."""
    result = script("""
        import nodenet as net
        def main():
            srv = net.create_server(lambda s: s.reset_and_destroy())
            def go():
                c = net.connect(srv.address()['port'], '127.0.0.1')
                c.on('close', lambda: srv.close())
                c.resume()
            srv.listen(0, '127.0.0.1', go)
        net.run(main)
    """)
    assert result.returncode == 1
    line = [ln for ln in result.stderr.splitlines() if ln.startswith("Emitted 'error' event")]
    assert line and "<Socket closed 127.0.0.1:" in line[0] and "-> 127.0.0.1:" in line[0]
    assert "add one (.on('error', ...))" in line[0]
