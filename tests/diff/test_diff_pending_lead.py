"""Differential: the divergences of issue #9 that belong to the loop and write paths
(the lead's part of #9), written as Node scenarios. nodenet differs from Node 26
(and 20) here today, so each is a strict xfail naming what is wrong: when the fix
lands the test passes, the strict xfail fails, and the marker is to be removed.
"""

from __future__ import annotations

import pytest

import nodenet as net
from difftrace import Trace, check

pytestmark = pytest.mark.node


@pytest.mark.xfail_node("lead: run(main) runs main() from a poll phase, so an immediate "
                        "queued in 'listening' runs before the first poll; Node runs the "
                        "script before the first turn (#9)")
def test_immediate_from_listening_waits_for_the_first_poll() -> None:
    """Node: the script and its ticks, then timers, a poll that accepts the loopback
    connection already made, then the immediate."""
    js = """
    const srv = net.createServer((c) => { rec('connection'); c.destroy(); srv.close(); });
    srv.listen(0, () => {
      rec('listening');
      const c = net.connect(port(srv.address().port), '127.0.0.1');
      c.on('error', () => {});
      setImmediate(() => rec('immediate'));
    });
    """

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.rec("connection")
            c.destroy()
            srv.close()

        srv = net.create_server(on_conn)

        def listening() -> None:
            t.rec("listening")
            c = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            c.on("error", lambda *_: None)
            net.set_immediate(lambda: t.rec("immediate"))

        srv.listen(0, listening)

    check(js, py)


@pytest.mark.xfail_node("lead: loop phase order — libuv >= 1.45 runs due timers at the end "
                        "of an iteration, right before the liveness check; nodenet polls "
                        "again after the last ref'd timer (#9)")
def test_last_timer_then_exit_without_reading() -> None:
    """The last ref'd timer makes an unref'd socket readable: Node exits without 'data'."""
    js = """
    const srv = net.createServer((c) => {
      srv.unref(); c.unref();
      setTimeout(() => { rec('timer'); c.write('x'); }, 20);
    });
    srv.listen(0, '127.0.0.1', () => {
      const cl = net.connect(port(srv.address().port), '127.0.0.1');
      cl.unref();
      cl.on('data', (d) => rec('data', d));
    });
    """

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            srv.unref()
            c.unref()
            net.set_timeout(lambda: (t.rec("timer"), c.write("x")), 20)

        srv = net.create_server(on_conn)

        def listening() -> None:
            cl = net.connect(t.port(srv.address()["port"]), "127.0.0.1")
            cl.unref()
            cl.on("data", lambda d: t.rec("data", d))

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


@pytest.mark.xfail_node("lead: bytes_written counts the bytes of a write that failed with "
                        "EPIPE; Node counts only what was sent (#9)")
def test_bytes_written_leaves_out_a_failed_write() -> None:
    js = """
    const srv = net.createServer((c) => { c.destroy(); srv.close(); });
    srv.listen(0, '127.0.0.1', () => {
      const cl = net.connect({ port: port(srv.address().port), host: '127.0.0.1',
                               allowHalfOpen: true });
      cl.on('end', () => {
        rec('end');
        cl.write('aaa', (e) => rec('w1', e && e.code));
        setTimeout(() => cl.write('bbbb', (e) => rec('w2', e && e.code)), 50);
      });
      cl.on('error', (e) => rec('error', e.code, cl.bytesWritten));
      cl.on('close', () => rec('close', cl.bytesWritten));
    });
    """

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            c.destroy()
            srv.close()

        srv = net.create_server(on_conn)

        def listening() -> None:
            cl = net.connect({"port": t.port(srv.address()["port"]), "host": "127.0.0.1",
                              "allowHalfOpen": True})

            def on_end() -> None:
                t.rec("end")
                cl.write("aaa", lambda e=None: t.rec("w1", e and e.code))
                net.set_timeout(lambda: cl.write("bbbb", lambda e=None: t.rec(
                    "w2", e and e.code)), 50)

            cl.on("end", on_end)
            cl.on("error", lambda e: t.rec("error", e.code, cl.bytes_written))
            cl.on("close", lambda *_: t.rec("close", cl.bytes_written))

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)
