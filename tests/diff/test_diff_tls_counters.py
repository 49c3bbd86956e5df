"""Differential TLS: bytesWritten after a write that fails (Node 26 reference,
four runs each; Node 20 agrees).

A plain socket's failed write counts nothing when it was a short string
(tests/diff/test_diff_counters.py). A TLS socket's handle has no immediate send
to try: Node counts every cleartext write in full before encrypting it, so a
short string that then fails with EPIPE on the raw socket counts in full too.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

import nodenet as net
import nodenet.tls as tls
from tlsdiff import Scenario, Trace

pytestmark = pytest.mark.node


@pytest.mark.parametrize("how", ["str", "buffer", "hex"])
def test_a_failed_write_counts_in_full(tls_certs: Any, how: str) -> None:
    """The server drops the connection at once; the client (allowHalfOpen) writes
    'aaa' on 'end' (the kernel takes it, the peer answers with a reset), then a
    second write 50 ms later fails with EPIPE: a string, a Buffer or a hex
    string, all counted."""
    server_js = """
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf')}, (s) => {
      rec('S', 'secureConnection');
      s.destroy();
      srv.close();
    });
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """
    client_js = """
    const how = %(how)r;
    const c = tls.connect({port: PORT, host: '127.0.0.1', servername: 'localhost',
                           ca: pem('ca'), allowHalfOpen: true});
    c.on('end', () => c.write('aaa', (e) => {
      rec('C', 'w1', e, c.bytesWritten);
      setTimeout(() => {
        const cb = (e) => rec('C', 'w2', e && e.code, c.bytesWritten);
        if (how === 'buffer') c.write(Buffer.from('bbbb'), cb);
        else if (how === 'hex') c.write('abcd', 'hex', cb);
        else c.write('bbbb', cb);
        rec('C', 'after', c.bytesWritten);
      }, 50);
    }));
    c.on('error', (e) => rec('C', 'error', e.code, c.bytesWritten));
    c.on('close', () => rec('C', 'close', c.bytesWritten));
    """ % {"how": how}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        def on_secure(s: Any) -> None:
            t.rec("S", "secureConnection")
            s.destroy()
            srv.close()

        srv = tls.create_server({"cert": tls_certs.leaf, "key": tls_certs.leaf_key}, on_secure)
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        c = tls.connect({"port": port, "host": "127.0.0.1", "servername": "localhost",
                         "ca": tls_certs.ca, "allow_half_open": True})

        def second() -> None:
            def cb(e: Any = None) -> None:
                t.rec("C", "w2", e and e.code, c.bytes_written)
            if how == "buffer":
                c.write(b"bbbb", cb)
            elif how == "hex":
                c.write("abcd", "hex", cb)
            else:
                c.write("bbbb", cb)
            t.rec("C", "after", c.bytes_written)

        def first(e: Any = None) -> None:
            t.rec("C", "w1", e, c.bytes_written)
            net.set_timeout(second, 50)

        c.on("end", lambda: c.write("aaa", first))
        c.on("error", lambda e: t.rec("C", "error", e.code, c.bytes_written))
        c.on("close", lambda *_: t.rec("C", "close", c.bytes_written))

    Scenario(tls_certs, server_js, client_js, server_py, client_py).check()
