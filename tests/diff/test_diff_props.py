"""Differential: socket properties along the lifecycle — readyState, connecting,
pending, destroyed, bytesRead/bytesWritten, local/remote address fields.

Ephemeral ports are registered with ``port()`` in the same order on both sides,
so they compare as ``P1``, ``P2``...
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, List

import pytest

import nodenet as net
from difftrace import Trace
from diffpair import check, js_pair, py_pair

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from conftest import HAS_IPV6  # noqa: E402

pytestmark = pytest.mark.node

ALL = ["connect", "ready", "data", "end", "finish", "close", "error", "timeout", "drain"]

JS_STATE = """
function state(s) {
  return [s.readyState, s.connecting, s.pending, s.destroyed, s.readable, s.writable,
          s.bytesRead, s.bytesWritten, s.writableEnded, s.writableFinished,
          s.readableEnded];
}
function track(s, name) {
  for (const e of %s) s.on(e, () => rec(name, e, state(s)));
}
""" % (ALL,)


def state(s: net.Socket) -> List[Any]:
    return [s.ready_state, s.connecting, s.pending, s.destroyed, s.readable, s.writable,
            s.bytes_read, s.bytes_written, s.writable_ended, s.writable_finished,
            s.readable_ended]


def track(t: Trace, s: net.Socket, name: str) -> None:
    for e in ALL:
        s.on(e, (lambda e: lambda *a: t.rec(name, e, state(s)))(e))


@pytest.mark.parametrize("half_open", [False, True])
def test_state_at_each_event(half_open: bool) -> None:
    """The state of both sockets at every event of an echo-then-end exchange."""
    js = JS_STATE + """
    const srv = net.createServer({allowHalfOpen: %(h)s}, (c) => {
      rec('server at connection', state(c));
      track(c, 'server');
      c.on('data', (d) => c.write(d));
      c.on('end', () => { if (%(h)s) c.end('!'); });
      c.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect({port: port(srv.address().port), host: '127.0.0.1',
                             allowHalfOpen: %(h)s});
      rec('client at start', state(c));
      track(c, 'client');
      c.write('abc');
      rec('client after write', state(c));
      c.on('data', () => { if (!c.writableEnded) c.end('\u20ac'); });
    });
    """ % {"h": "true" if half_open else "false"}

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.rec("server at connection", state(c))
            track(t, c, "server")
            c.on("data", lambda d: c.write(d))

            def on_end() -> None:
                if half_open:
                    c.end("!")

            c.on("end", on_end)
            c.on("close", lambda *a: srv.close())

        srv = net.create_server({"allowHalfOpen": half_open}, on_conn)

        def listening() -> None:
            c = net.connect({"port": t.port(srv.address()["port"]), "host": "127.0.0.1",
                             "allowHalfOpen": half_open})
            t.rec("client at start", state(c))
            track(t, c, "client")
            c.write("abc")
            t.rec("client after write", state(c))

            def on_data(d: bytes) -> None:
                if not c.writable_ended:
                    c.end("\u20ac")

            c.on("data", on_data)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_bytes_counts_with_pending_and_multibyte_writes() -> None:
    """bytesWritten counts queued bytes (UTF-8 length of strings) before 'connect';
    final counts on both sides at 'close'."""
    js = js_pair(client_body="""
      c.resume();
      c.write('\u20ac\u20ac');
      c.write(Buffer.from([1, 2, 3]));
      rec('queued', c.bytesWritten, c.writableLength);
      c.end('\u00e9', 'latin1');
      rec('ended', c.bytesWritten, c.writableLength);
      c.on('close', () => rec('client close', c.bytesRead, c.bytesWritten));
    """, server_body="""
      c.resume();
      c.on('end', () => c.end('\u00fc'));
      c.on('close', () => rec('server close', c.bytesRead, c.bytesWritten));
    """, client_events=["connect"], server_events=[])

    def client(t: Trace, c: net.Socket, srv: Any) -> None:
        c.resume()
        c.write("\u20ac\u20ac")
        c.write(bytes([1, 2, 3]))
        t.rec("queued", c.bytes_written, c.writable_length)
        c.end("\u00e9", "latin1")
        t.rec("ended", c.bytes_written, c.writable_length)
        c.on("close", lambda *a: t.rec("client close", c.bytes_read, c.bytes_written))

    def server(t: Trace, c: net.Socket, srv: Any) -> None:
        c.resume()
        c.on("end", lambda: c.end("\u00fc"))
        c.on("close", lambda *a: t.rec("server close", c.bytes_read, c.bytes_written))

    check(js, py_pair(server_body=server, client_body=client, client_events=["connect"],
                      server_events=[]))


def test_addresses_at_connect_and_after_close() -> None:
    """Address fields in 'connect' and after 'close'. Node caches what was read while
    connected: a socket that never asked has nothing left after 'close'."""
    js = """
    function addr(s) {
      return [s.localAddress, s.localPort, s.localFamily, s.remoteAddress, s.remotePort,
              s.remoteFamily, s.address()];
    }
    const srv = net.createServer((c) => {
      c.on('end', () => c.end());
      c.on('close', () => { rec('server side after close', addr(c)); });
    });
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      const asked = net.connect(p, '127.0.0.1');
      asked.on('connect', () => {
        port(asked.localPort);
        rec('asked at connect', addr(asked));
        const silent = net.connect(p, '127.0.0.1');
        silent.on('connect', () => silent.end());
        silent.on('close', () => {
          rec('silent after close', addr(silent));
          asked.end();
        });
      });
      asked.on('close', () => { rec('asked after close', addr(asked)); srv.close(); });
    });
    """

    def py(t: Trace) -> None:
        def addr(s: net.Socket) -> List[Any]:
            return [s.local_address, s.local_port, s.local_family, s.remote_address,
                    s.remote_port, s.remote_family, s.address()]

        def on_conn(c: net.Socket) -> None:
            c.on("end", lambda: c.end())
            c.on("close", lambda *a: t.rec("server side after close", addr(c)))

        srv = net.create_server(on_conn)

        def listening() -> None:
            p = t.port(srv.address()["port"])
            asked = net.connect(p, "127.0.0.1")

            def asked_connect() -> None:
                t.port(asked.local_port)
                t.rec("asked at connect", addr(asked))
                silent = net.connect(p, "127.0.0.1")
                silent.on("connect", lambda: silent.end())

                def silent_close(*a: Any) -> None:
                    t.rec("silent after close", addr(silent))
                    asked.end()

                silent.on("close", silent_close)

            asked.on("connect", asked_connect)

            def asked_close(*a: Any) -> None:
                t.rec("asked after close", addr(asked))
                srv.close()

            asked.on("close", asked_close)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


@pytest.mark.skipif(not HAS_IPV6, reason="no IPv6 loopback")
def test_ipv6_loopback_addresses() -> None:
    """A server on ::1: IPv6 fields on both sides and in server.address()."""
    js = """
    const srv = net.createServer((c) => {
      rec('server side', c.remoteAddress, c.remoteFamily, c.localAddress, c.localFamily,
          c.localPort === srv.address().port);
      c.end();
      c.on('close', () => srv.close());
    });
    srv.listen(0, '::1', () => {
      rec('address', srv.address().address, srv.address().family);
      const c = net.connect(port(srv.address().port), '::1');
      c.on('connect', () => rec('client', c.remoteAddress, c.remotePort, c.remoteFamily,
                                c.localAddress, c.localFamily));
      c.on('close', () => rec('client close'));
    });
    """

    def py(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.rec("server side", c.remote_address, c.remote_family, c.local_address,
                  c.local_family, c.local_port == srv.address()["port"])
            c.end()
            c.on("close", lambda *a: srv.close())

        srv = net.create_server(on_conn)

        def listening() -> None:
            t.rec("address", srv.address()["address"], srv.address()["family"])
            c = net.connect(t.port(srv.address()["port"]), "::1")
            c.on("connect", lambda: t.rec("client", c.remote_address, c.remote_port,
                                          c.remote_family, c.local_address,
                                          c.local_family))
            c.on("close", lambda *a: t.rec("client close"))

        srv.listen(0, "::1", listening)

    check(js, py)


def test_fresh_socket_properties() -> None:
    """A Socket that was never connected: every property's initial value."""
    js = """
    const c = new net.Socket();
    rec(c.readyState, c.connecting, c.pending, c.destroyed, c.readable, c.writable,
        c.bytesRead, c.bytesWritten, c.remoteAddress, c.remotePort, c.localAddress,
        c.localPort, c.timeout, c.allowHalfOpen, c.writableHighWaterMark > 0,
        c.bufferSize, c.address());
    c.destroy();
    rec(c.readyState, c.destroyed, c.readable, c.writable);
    """

    def py(t: Trace) -> None:
        c = net.Socket()
        t.rec(c.ready_state, c.connecting, c.pending, c.destroyed, c.readable, c.writable,
              c.bytes_read, c.bytes_written, c.remote_address, c.remote_port,
              c.local_address, c.local_port, c.timeout, c.allow_half_open,
              c.writable_high_water_mark > 0, c.buffer_size, c.address())
        c.destroy()
        t.rec(c.ready_state, c.destroyed, c.readable, c.writable)

    check(js, py)
