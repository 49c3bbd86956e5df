"""Process lifetime corners, in real child Pythons (SPEC §1.4–1.5, nodenet.process).

Ctrl-C while the finished script waits for ref'd handles (Node: SIGINT ends the
process; nodenet stops the loops, runs the atexit handlers and exits 130), also
when the signal lands on the loop thread, an exit status applied even when
stdout is broken, and ``process.pid``.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import nodenet as net

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")


def read_line(proc: "subprocess.Popen[bytes]", timeout: float = 20.0) -> str:
    """The child's next stdout line, waiting at most ``timeout`` seconds (the pipe
    is unbuffered, so select() sees exactly what readline() has not consumed)."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "the child printed nothing in time"
    return proc.stdout.readline().decode().strip()


def test_process_pid() -> None:
    # node: process.pid
    assert net.process.pid == os.getpid()


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
