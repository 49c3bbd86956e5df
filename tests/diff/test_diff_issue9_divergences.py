"""Differential: two of the divergences issue #9 lists (found by random scenarios),
as scenarios of their own: run(main)'s timing and bytes_written after a write
that failed with EPIPE. Node 26 and Node 20 agree on both.
(tests/diff/test_diff_uvrun.py and test_diff_counters.py pin the same rules, and
the third divergence — no poll after the last timer — which needs the trace taken
when the loop stops being alive.)
"""

from __future__ import annotations

import pytest

import nodenet as net
from difftrace import Trace, check

pytestmark = pytest.mark.node


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
