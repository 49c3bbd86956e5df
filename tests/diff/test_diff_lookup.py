"""Differential: host lookup on connect — the 'lookup' event, custom lookup
functions (asynchronous), lookup failures, and Happy Eyeballs over two answers.

Only loopback addresses are used; 'localhost' resolves through the system
resolver on both sides. A *synchronous* custom lookup is a deliberate
difference: nodenet defers its answer to the next tick so that listeners added
after ``connect()`` still see 'lookup' (Node emits it inside ``connect()``); the
scenario below adds its listeners first so both agree.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict

import pytest

import nodenet as net
from difftrace import Trace
from diffpair import check

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from conftest import HAS_IPV6  # noqa: E402

pytestmark = pytest.mark.node

EV = ["lookup", "connectionAttempt", "connectionAttemptFailed", "connectionAttemptTimeout",
      "connect", "ready", "end", "close", "error"]


def _server_js(body: str) -> str:
    return """
    const srv = net.createServer((c) => { c.end(); c.on('close', () => srv.close()); });
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      %s
    });
    """ % body


def _server_py(t: Trace, body: Any) -> None:
    def on_conn(c: net.Socket) -> None:
        c.end()
        c.on("close", lambda *a: srv.close())

    srv = net.create_server(on_conn)
    srv.listen(0, "127.0.0.1", lambda: body(t.port(srv.address()["port"]), srv))


@pytest.mark.parametrize("family", [4, 0])
def test_lookup_event_for_localhost(family: int) -> None:
    """connect to 'localhost' (family 4, or the default autoSelectFamily path)."""
    js = _server_js("""
      const c = net.connect({port: p, host: 'localhost', family: %d});
      watch(c, 'client', %s);
      c.on('connect', () => rec('remote', c.remoteAddress, c.remoteFamily,
                                c.autoSelectFamilyAttemptedAddresses));
    """ % (family, EV))

    def py(t: Trace) -> None:
        def body(p: int, srv: Any) -> None:
            c = net.connect({"port": p, "host": "localhost", "family": family})
            t.watch(c, "client", EV)
            c.on("connect", lambda: t.rec("remote", c.remote_address, c.remote_family,
                                          c.auto_select_family_attempted_addresses))

        _server_py(t, body)

    check(js, py)


@pytest.mark.parametrize("family", [4, 0])
def test_custom_lookup_async(family: int) -> None:
    """A custom lookup answering from an immediate: its arguments, then the events."""
    js = _server_js("""
      const c = net.connect({port: p, host: 'my.host.test', family: %d,
                             lookup: (host, opts, cb) => {
        rec('lookup called', host, opts);
        setImmediate(() => {
          if (opts.all) cb(null, [{address: '127.0.0.1', family: 4}]);
          else cb(null, '127.0.0.1', 4);
        });
      }});
      watch(c, 'client', %s);
    """ % (family, EV))

    def py(t: Trace) -> None:
        def lookup(host: str, opts: Dict[str, Any], cb: Any) -> None:
            t.rec("lookup called", host, opts)

            def answer() -> None:
                if opts.get("all"):
                    cb(None, [{"address": "127.0.0.1", "family": 4}])
                else:
                    cb(None, "127.0.0.1", 4)

            net.set_immediate(answer)

        def body(p: int, srv: Any) -> None:
            c = net.connect({"port": p, "host": "my.host.test", "family": family,
                             "lookup": lookup})
            t.watch(c, "client", EV)

        _server_py(t, body)

    check(js, py)


@pytest.mark.parametrize("family", [4, 0])
def test_custom_lookup_error(family: int) -> None:
    """The lookup fails: 'lookup' with the error, then 'error' and close(true)."""
    js = """
    const c = net.connect({port: 9, host: 'nowhere.test', family: %d,
                           lookup: (host, opts, cb) => {
      setImmediate(() => {
        const e = new Error('getaddrinfo ENOTFOUND ' + host);
        e.code = 'ENOTFOUND';
        cb(e);
      });
    }});
    watch(c, 'client', %s);
    """ % (family, EV)

    class LookupError_(Exception):
        code = "ENOTFOUND"

    def py(t: Trace) -> None:
        def lookup(host: str, opts: Dict[str, Any], cb: Any) -> None:
            net.set_immediate(lambda: cb(LookupError_("getaddrinfo ENOTFOUND " + host)))

        c = net.connect({"port": 9, "host": "nowhere.test", "family": family,
                         "lookup": lookup})
        t.watch(c, "client", EV)

    check(js, py)


def test_custom_lookup_invalid_ip() -> None:
    """The lookup answers something that is no IP: ERR_INVALID_IP_ADDRESS."""
    js = """
    const c = net.connect({port: 9, host: 'odd.test', family: 4,
                           lookup: (host, opts, cb) => setImmediate(() => cb(null, 'nope', 4))});
    watch(c, 'client', %s);
    """ % (EV,)

    def py(t: Trace) -> None:
        def lookup(host: str, opts: Dict[str, Any], cb: Any) -> None:
            net.set_immediate(lambda: cb(None, "nope", 4))

        c = net.connect({"port": 9, "host": "odd.test", "family": 4, "lookup": lookup})
        t.watch(c, "client", EV)

    check(js, py)


@pytest.mark.skipif(not HAS_IPV6, reason="no IPv6 loopback")
def test_happy_eyeballs_two_answers() -> None:
    """Answers [::1, 127.0.0.1], server on 127.0.0.1 only: ::1 is refused, then the
    IPv4 attempt connects; the attempted addresses are listed."""
    js = _server_js("""
      const c = net.connect({port: p, host: 'dual.test',
                             lookup: (host, opts, cb) => setImmediate(() => cb(null, [
                               {address: '::1', family: 6}, {address: '127.0.0.1', family: 4}]))});
      watch(c, 'client', %s);
      c.on('connect', () => rec('attempted', c.autoSelectFamilyAttemptedAddresses,
                                c.remoteAddress));
    """ % (EV,))

    def py(t: Trace) -> None:
        def lookup(host: str, opts: Dict[str, Any], cb: Any) -> None:
            net.set_immediate(lambda: cb(None, [{"address": "::1", "family": 6},
                                                {"address": "127.0.0.1", "family": 4}]))

        def body(p: int, srv: Any) -> None:
            c = net.connect({"port": p, "host": "dual.test", "lookup": lookup})
            t.watch(c, "client", EV)
            c.on("connect", lambda: t.rec("attempted",
                                          c.auto_select_family_attempted_addresses,
                                          c.remote_address))

        _server_py(t, body)

    check(js, py)


@pytest.mark.skipif(not HAS_IPV6, reason="no IPv6 loopback")
def test_happy_eyeballs_all_refused() -> None:
    """Every answer refused: one 'error' with an AggregateError of both attempts."""
    js = """
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = port(srv.address().port);
      srv.close(() => {
        const c = net.connect({port: p, host: 'dual.test',
                               lookup: (host, opts, cb) => setImmediate(() => cb(null, [
                                 {address: '::1', family: 6},
                                 {address: '127.0.0.1', family: 4}]))});
        watch(c, 'client', %s);
      });
    });
    """ % (EV,)

    def py(t: Trace) -> None:
        srv = net.create_server()

        def lookup(host: str, opts: Dict[str, Any], cb: Any) -> None:
            net.set_immediate(lambda: cb(None, [{"address": "::1", "family": 6},
                                                {"address": "127.0.0.1", "family": 4}]))

        def listening() -> None:
            p = t.port(srv.address()["port"])

            def closed(*a: Any) -> None:
                c = net.connect({"port": p, "host": "dual.test", "lookup": lookup})
                t.watch(c, "client", EV)

            srv.close(closed)

        srv.listen(0, "127.0.0.1", listening)

    check(js, py)


def test_sync_custom_lookup_listeners_first() -> None:
    """A synchronous custom lookup with every listener added before connect():
    the same events in both (see the module docstring for the difference when
    listeners are added after connect())."""
    js = _server_js("""
      const c = new net.Socket();
      watch(c, 'client', %s);
      c.connect({port: p, host: 'sync.test', family: 4,
                 lookup: (host, opts, cb) => cb(null, '127.0.0.1', 4)});
    """ % (EV,))

    def py(t: Trace) -> None:
        def body(p: int, srv: Any) -> None:
            c = net.Socket()
            t.watch(c, "client", EV)
            c.connect({"port": p, "host": "sync.test", "family": 4,
                       "lookup": lambda host, opts, cb: cb(None, "127.0.0.1", 4)})

        _server_py(t, body)

    check(js, py)
