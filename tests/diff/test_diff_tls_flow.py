"""Differential TLS: ALPN, SNI, half-close, early writes, peers that misbehave,
handshake timeouts and session reuse (Node 26 reference, four runs each)."""

from __future__ import annotations

import json
from typing import Any, Callable, List, Optional

import pytest

import nodenet as net
import nodenet.tls as tls
from tlsdiff import Scenario, Trace

pytestmark = pytest.mark.node

CEV = ["secureConnect", "data", "end", "finish", "close", "error"]
SEV = ["data", "end", "finish", "close", "error"]


def _js(value: Any) -> str:
    return json.dumps(value)


# -- ALPN ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["TLSv1.3", "TLSv1.2"])
@pytest.mark.parametrize("server_alpn,client_alpn", [
    (["a", "b"], ["b", "a"]), (["a"], ["x"]), (None, ["x"]), (["a"], None),
    (["h2", "http/1.1"], ["http/1.1", "h2"]),
])
def test_alpn(tls_certs: Any, version: str, server_alpn: Optional[List[str]],
              client_alpn: Optional[List[str]]) -> None:
    server_js = """
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf'), ALPNProtocols: %(sa)s,
                                  maxVersion: %(ver)s}, (s) => {
      rec('S', 'secureConnection', s.alpnProtocol);
      watch(s, 'S', %(sev)s);
      s.end();
    });
    srv.on('tlsClientError', (e) => rec('srv', 'tlsClientError', e));
    srv.on('connection', (raw) => raw.on('close', () => srv.close()));
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """ % {"sa": _js(server_alpn) if server_alpn else "undefined", "ver": _js(version),
           "sev": SEV}
    client_js = """
    const c = tls.connect({port: PORT, host: '127.0.0.1', servername: 'localhost', ca: pem('ca'),
                           ALPNProtocols: %(ca)s}, () => { rec('C', 'alpn', c.alpnProtocol); });
    watch(c, 'C', %(cev)s);
    c.resume();
    """ % {"ca": _js(client_alpn) if client_alpn else "undefined", "cev": CEV}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        def on_secure(s: Any) -> None:
            t.rec("S", "secureConnection", s.alpn_protocol)
            t.watch(s, "S", SEV)
            s.end()

        opts = {"cert": tls_certs.leaf, "key": tls_certs.leaf_key, "maxVersion": version}
        if server_alpn:
            opts["ALPNProtocols"] = server_alpn
        srv = tls.create_server(opts, on_secure)
        srv.on("tlsClientError", lambda e, s: t.rec("srv", "tlsClientError", e))
        srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        opts = {"port": port, "host": "127.0.0.1", "servername": "localhost", "ca": tls_certs.ca}
        if client_alpn:
            opts["ALPNProtocols"] = client_alpn
        c = tls.connect(opts, lambda: t.rec("C", "alpn", c.alpn_protocol))
        t.watch(c, "C", CEV)
        c.resume()

    Scenario(tls_certs, server_js, client_js, server_py, client_py).check()


# -- SNI ---------------------------------------------------------------------------------


@pytest.mark.parametrize("servername", [None, "localhost", "wrong.example", "other.example"])
def test_sni_callback_later(tls_certs: Any, servername: Optional[str]) -> None:
    """SNICallback answers on a later turn; 'wrong.example' gets the other certificate."""
    server_js = """
    const other = tls.createSecureContext({cert: pem('wrong'), key: key('wrong')});
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf'),
      SNICallback: (name, cb) => { rec('S', 'sni', name);
                                   setImmediate(() => cb(null, name === 'wrong.example' ? other : null)); }
    }, (s) => {
      rec('S', 'secureConnection', s.servername, s.getCertificate().subject.CN);
      watch(s, 'S', %(sev)s);
      s.end();
    });
    srv.on('tlsClientError', (e) => rec('srv', 'tlsClientError', e));
    srv.on('connection', (raw) => raw.on('close', () => srv.close()));
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """ % {"sev": SEV}
    client_js = """
    const c = tls.connect({port: PORT, host: '127.0.0.1', ca: pem('ca'), servername: %(sn)s,
                           rejectUnauthorized: false},
      () => { rec('C', 'secure', c.servername, c.getPeerCertificate().subject.CN); });
    watch(c, 'C', %(cev)s);
    c.resume();
    """ % {"sn": _js(servername) if servername else "undefined", "cev": CEV}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        other = tls.create_secure_context({"cert": tls_certs.wrong, "key": tls_certs.wrong_key})

        def sni(name: str, cb: Any) -> None:
            t.rec("S", "sni", name)
            net.set_immediate(lambda: cb(None, other if name == "wrong.example" else None))

        def on_secure(s: Any) -> None:
            t.rec("S", "secureConnection", s.servername, s.get_certificate()["subject"]["CN"])
            t.watch(s, "S", SEV)
            s.end()

        srv = tls.create_server({"cert": tls_certs.leaf, "key": tls_certs.leaf_key,
                                 "SNICallback": sni}, on_secure)
        srv.on("tlsClientError", lambda e, s: t.rec("srv", "tlsClientError", e))
        srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        opts = {"port": port, "host": "127.0.0.1", "ca": tls_certs.ca,
                "rejectUnauthorized": False}
        if servername:
            opts["servername"] = servername
        c = tls.connect(opts, lambda: t.rec("C", "secure", c.servername,
                                            c.get_peer_certificate()["subject"]["CN"]))
        t.watch(c, "C", CEV)
        c.resume()

    Scenario(tls_certs, server_js, client_js, server_py, client_py).check()


@pytest.mark.node20_differs("the first matching addContext entry wins, case-sensitively")
def test_add_context(tls_certs: Any) -> None:
    """server.addContext with a wildcard; the newest matching entry wins."""
    server_js = """
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf')}, (s) => {
      rec('S', 'secureConnection', s.servername, s.getCertificate().subject.CN);
      s.end();
    });
    srv.addContext('*.example', {cert: pem('leaf'), key: key('leaf')});
    srv.addContext('*.EXAMPLE', {cert: pem('wrong'), key: key('wrong')});
    srv.on('connection', (raw) => raw.on('close', () => srv.close()));
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """
    client_js = """
    const c = tls.connect({port: PORT, ca: pem('ca'), servername: 'x.example',
                           rejectUnauthorized: false},
      () => rec('C', 'secure', c.getPeerCertificate().subject.CN));
    c.resume();
    """

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        def on_secure(s: Any) -> None:
            t.rec("S", "secureConnection", s.servername, s.get_certificate()["subject"]["CN"])
            s.end()

        srv = tls.create_server({"cert": tls_certs.leaf, "key": tls_certs.leaf_key}, on_secure)
        srv.add_context("*.example", {"cert": tls_certs.leaf, "key": tls_certs.leaf_key})
        srv.add_context("*.EXAMPLE", {"cert": tls_certs.wrong, "key": tls_certs.wrong_key})
        srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        c = tls.connect({"port": port, "ca": tls_certs.ca, "servername": "x.example",
                         "rejectUnauthorized": False},
                        lambda: t.rec("C", "secure", c.get_peer_certificate()["subject"]["CN"]))
        c.resume()

    Scenario(tls_certs, server_js, client_js, server_py, client_py).check()


# -- half-close and early writes ---------------------------------------------------------


@pytest.mark.parametrize("version", ["TLSv1.3", "TLSv1.2"])
@pytest.mark.parametrize("server_half", [False, True])
def test_client_ends_first(tls_certs: Any, version: str, server_half: bool) -> None:
    """The client writes before the handshake is over and ends; the server answers
    in 'end' (allowHalfOpen) — close_notify, then FIN, in both directions."""
    server_js = """
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf'), allowHalfOpen: %(half)s,
                                  maxVersion: %(ver)s}, (s) => {
      watch(s, 'S', %(sev)s);
      s.on('end', () => { rec('S', 'in end', s.writable, s.readyState);
                          if (%(half)s) s.end('reply'); });
      s.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """ % {"half": _js(server_half), "ver": _js(version), "sev": SEV}
    client_js = """
    const c = tls.connect({port: PORT, host: '127.0.0.1', servername: 'localhost', ca: pem('ca'),
                           allowHalfOpen: true});
    watch(c, 'C', %(cev)s);
    c.write('early');
    c.end('bye');
    c.on('finish', () => rec('C', 'state', c.readyState, c.writable));
    """ % {"cev": CEV}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        def on_secure(s: Any) -> None:
            t.watch(s, "S", SEV)

            def on_end(*_: Any) -> None:
                t.rec("S", "in end", s.writable, s.ready_state)
                if server_half:
                    s.end("reply")
            s.on("end", on_end)
            s.on("close", lambda *_: srv.close())

        srv = tls.create_server({"cert": tls_certs.leaf, "key": tls_certs.leaf_key,
                                 "allowHalfOpen": server_half, "maxVersion": version}, on_secure)
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        c = tls.connect({"port": port, "host": "127.0.0.1", "servername": "localhost",
                         "ca": tls_certs.ca, "allowHalfOpen": True})
        t.watch(c, "C", CEV)
        c.write("early")
        c.end("bye")
        c.on("finish", lambda: t.rec("C", "state", c.ready_state, c.writable))

    Scenario(tls_certs, server_js, client_js, server_py, client_py).check()


def test_server_ends_first(tls_certs: Any) -> None:
    """The server ends at once; a half-open client keeps writing after 'end'."""
    server_js = """
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf'), allowHalfOpen: true}, (s) => {
      watch(s, 'S', %(sev)s);
      s.end('first');
      s.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """ % {"sev": SEV}
    client_js = """
    const c = tls.connect({port: PORT, host: '127.0.0.1', servername: 'localhost', ca: pem('ca'),
                           allowHalfOpen: true});
    watch(c, 'C', %(cev)s);
    c.on('end', () => { rec('C', 'in end', c.readyState); c.end('after'); });
    """ % {"cev": CEV}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        def on_secure(s: Any) -> None:
            t.watch(s, "S", SEV)
            s.end("first")
            s.on("close", lambda *_: srv.close())

        srv = tls.create_server({"cert": tls_certs.leaf, "key": tls_certs.leaf_key,
                                 "allowHalfOpen": True}, on_secure)
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        c = tls.connect({"port": port, "host": "127.0.0.1", "servername": "localhost",
                         "ca": tls_certs.ca, "allowHalfOpen": True})
        t.watch(c, "C", CEV)

        def on_end(*_: Any) -> None:
            t.rec("C", "in end", c.ready_state)
            c.end("after")
        c.on("end", on_end)

    Scenario(tls_certs, server_js, client_js, server_py, client_py).check()


# -- peers that misbehave -----------------------------------------------------------------


def _raw_server_case(tls_certs: Any, action_js: str, action_py: Callable[[Any], None]) -> Scenario:
    """A plain TCP server that does something to a TLS client."""
    server_js = """
    const srv = net.createServer((s) => {
      s.once('data', () => { %s });
      s.on('error', () => {});
      s.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """ % action_js
    client_js = """
    const c = tls.connect({port: PORT, host: '127.0.0.1', servername: 'localhost', ca: pem('ca')});
    watch(c, 'C', ['connect'].concat(%(cev)s));
    """ % {"cev": CEV}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        def on_conn(s: Any) -> None:
            s.once("data", lambda *_: action_py(s))
            s.on("error", lambda *_: None)
            s.on("close", lambda *_: srv.close())

        srv = net.create_server(on_conn)
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        c = tls.connect({"port": port, "host": "127.0.0.1", "servername": "localhost",
                         "ca": tls_certs.ca})
        t.watch(c, "C", ["connect"] + CEV)

    return Scenario(tls_certs, server_js, client_js, server_py, client_py)


def test_server_closes_mid_handshake(tls_certs: Any) -> None:
    """ECONNRESET 'Client network socket disconnected before secure TLS connection...'."""
    _raw_server_case(tls_certs, "s.end();", lambda s: s.end()).check()


def test_server_resets_mid_handshake(tls_certs: Any) -> None:
    _raw_server_case(tls_certs, "s.resetAndDestroy();", lambda s: s.reset_and_destroy()).check()


def test_server_answers_garbage(tls_certs: Any) -> None:
    _raw_server_case(tls_certs, "s.end('HTTP/1.1 400 Bad Request\\r\\n\\r\\n');",
                     lambda s: s.end("HTTP/1.1 400 Bad Request\r\n\r\n")).check()


def _raw_client_case(tls_certs: Any, client_js: str, client_py: Callable[[Trace, int], None],
                     handshake_timeout: Optional[int] = None) -> Scenario:
    """A TLS server meeting a plain TCP client; tlsClientError listeners destroy."""
    ht = ", handshakeTimeout: %d" % handshake_timeout if handshake_timeout else ""
    server_js = """
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf')%(ht)s}, (s) => {
      rec('S', 'secureConnection');
    });
    srv.on('tlsClientError', (e, s) => { rec('srv', 'tlsClientError', e, s.remoteAddress);
                                         s.destroy(); });
    srv.on('connection', (raw) => raw.on('close', () => srv.close()));
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """ % {"ht": ht}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        opts = {"cert": tls_certs.leaf, "key": tls_certs.leaf_key}
        if handshake_timeout:
            opts["handshakeTimeout"] = handshake_timeout
        srv = tls.create_server(opts, lambda s: t.rec("S", "secureConnection"))

        def on_error(e: Any, s: Any) -> None:
            t.rec("srv", "tlsClientError", e, s.remote_address)
            s.destroy()

        srv.on("tlsClientError", on_error)
        srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    return Scenario(tls_certs, server_js, client_js, server_py, client_py)


RAW_EV = ["connect", "end", "close", "error"]


@pytest.mark.parametrize("payload", [
    "GET / HTTP/1.1\r\nHost: x\r\n\r\n",          # plain HTTP
    "\x16\x03\x01\x00\x05hello",                   # a handshake record that is no ClientHello
    "\x16\x03\x01\x02\x00\x01",                    # a truncated ClientHello, then EOF
    "\x15\x03\x03\x00\x02\x02\x28",                # an alert first
])
def test_client_sends_garbage(tls_certs: Any, payload: str) -> None:
    client_js = """
    const c = net.connect(PORT, '127.0.0.1', () => c.end(Buffer.from(%(p)s, 'latin1')));
    watch(c, 'R', %(ev)s);
    c.resume();
    """ % {"p": _js(payload), "ev": RAW_EV}

    def client_py(t: Trace, port: int) -> None:
        c = net.connect(port, "127.0.0.1", lambda: c.end(payload.encode("latin-1")))
        t.watch(c, "R", RAW_EV)
        c.resume()

    _raw_client_case(tls_certs, client_js, client_py).check()


def test_handshake_timeout(tls_certs: Any) -> None:
    """A client that never speaks: ERR_TLS_HANDSHAKE_TIMEOUT, and the listener destroys."""
    client_js = """
    const c = net.connect(PORT, '127.0.0.1');
    watch(c, 'R', %(ev)s);
    c.resume();
    """ % {"ev": RAW_EV}

    def client_py(t: Trace, port: int) -> None:
        c = net.connect(port, "127.0.0.1")
        t.watch(c, "R", RAW_EV)
        c.resume()

    _raw_client_case(tls_certs, client_js, client_py, handshake_timeout=200).check()


def test_client_hangs_up_mid_handshake(tls_certs: Any) -> None:
    """Half a ClientHello, then FIN: the server's 'socket hang up'."""
    payload = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
    client_js = """
    const c = net.connect(PORT, '127.0.0.1', () => c.end(Buffer.from(%(p)s, 'latin1')));
    watch(c, 'R', %(ev)s);
    c.resume();
    """ % {"p": _js(payload), "ev": RAW_EV}

    def client_py(t: Trace, port: int) -> None:
        c = net.connect(port, "127.0.0.1", lambda: c.end(payload.encode("latin-1")))
        t.watch(c, "R", RAW_EV)
        c.resume()

    _raw_client_case(tls_certs, client_js, client_py).check()


# -- sessions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["TLSv1.3", "TLSv1.2"])
def test_session_reuse(tls_certs: Any, version: str) -> None:
    """The first connection's last 'session' resumes the second one."""
    server_js = """
    let n = 0;
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf'), maxVersion: %(ver)s}, (s) => {
      rec('S', 'secureConnection', s.isSessionReused());
      s.end('x');
      if (++n === 2) srv.close();
    });
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """ % {"ver": _js(version)}
    client_js = """
    let saved = null;
    function one(session, next) {
      const c = tls.connect({port: PORT, host: '127.0.0.1', servername: 'localhost', ca: pem('ca'),
                             session: session},
        () => rec('C', 'secure', c.isSessionReused(), c.authorized));
      c.on('session', (s) => { saved = s; });
      c.resume();
      c.on('close', () => next && next());
    }
    one(undefined, () => { rec('C', 'got session', saved !== null); one(saved); });
    """

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        count = [0]

        def on_secure(s: Any) -> None:
            t.rec("S", "secureConnection", s.is_session_reused())
            s.end("x")
            count[0] += 1
            if count[0] == 2:
                srv.close()

        srv = tls.create_server({"cert": tls_certs.leaf, "key": tls_certs.leaf_key,
                                 "maxVersion": version}, on_secure)
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        saved: List[Any] = [None]

        def one(session: Any, nxt: Optional[Callable[[], None]]) -> None:
            c = tls.connect({"port": port, "host": "127.0.0.1", "servername": "localhost",
                             "ca": tls_certs.ca, "session": session},
                            lambda: t.rec("C", "secure", c.is_session_reused(), c.authorized))
            c.on("session", lambda s: saved.__setitem__(0, s))
            c.resume()
            if nxt is not None:
                c.on("close", lambda *_: nxt())

        def second() -> None:
            t.rec("C", "got session", saved[0] is not None)
            one(saved[0], None)

        one(None, second)

    Scenario(tls_certs, server_js, client_js, server_py, client_py).check()


# -- a large transfer with backpressure ---------------------------------------------------


@pytest.mark.slow
def test_100_mib_with_sha256_and_backpressure(tls_certs: Any) -> None:
    """100 MiB from client to server in 64 KiB writes that honour write()'s
    answer ('drain'); the server pauses for a turn every 8 MiB. Both sides agree
    on the size and SHA-256 in every run. (Whether the writer is held back
    depends on the two sides' speeds across processes, so it is not compared;
    tests/tls/test_tls_socket.py shows it with a paused reader.)"""
    total = 100 << 20
    server_js = """
    const crypto = require('crypto');
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf')}, (s) => {
      const h = crypto.createHash('sha256'); let n = 0, mark = 8 << 20, pauses = 0;
      s.on('data', (d) => { h.update(d); n += d.length;
        if (n >= mark) { mark += 8 << 20; pauses++; s.pause(); setImmediate(() => s.resume()); } });
      s.on('end', () => { rec('S', 'done', n, h.digest('hex'), pauses >= 12); s.end(); });
      s.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """
    client_js = """
    const crypto = require('crypto');
    const block = Buffer.alloc(65536);
    for (let i = 0; i < block.length; i++) block[i] = (i * 7 + 3) & 255;
    const c = tls.connect({port: PORT, host: '127.0.0.1', servername: 'localhost', ca: pem('ca')});
    let sent = 0, held = 0;
    function pump() {
      while (sent < %(total)d) { sent += block.length;
        if (!c.write(block)) { held++; return; } }
      c.end();
    }
    c.on('secureConnect', pump);
    c.on('drain', pump);
    c.on('finish', () => rec('C', 'finish', sent));
    c.on('close', (e) => rec('C', 'close', e));
    """ % {"total": total}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        import hashlib

        def on_secure(s: Any) -> None:
            h = hashlib.sha256()
            state = {"n": 0, "mark": 8 << 20, "pauses": 0}

            def on_data(d: bytes) -> None:
                h.update(d)
                state["n"] += len(d)
                if state["n"] >= state["mark"]:
                    state["mark"] += 8 << 20
                    state["pauses"] += 1
                    s.pause()
                    net.set_immediate(s.resume)

            def on_end() -> None:
                t.rec("S", "done", state["n"], h.hexdigest(), state["pauses"] >= 12)
                s.end()

            s.on("data", on_data)
            s.on("end", on_end)
            s.on("close", lambda *_: srv.close())

        srv = tls.create_server({"cert": tls_certs.leaf, "key": tls_certs.leaf_key}, on_secure)
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        block = bytes((i * 7 + 3) & 255 for i in range(65536))
        c = tls.connect({"port": port, "host": "127.0.0.1", "servername": "localhost",
                         "ca": tls_certs.ca})
        state = {"sent": 0, "held": 0}

        def pump(*_: Any) -> None:
            while state["sent"] < total:
                state["sent"] += len(block)
                if not c.write(block):
                    state["held"] += 1
                    return
            c.end()

        c.on("secureConnect", pump)
        c.on("drain", pump)
        c.on("finish", lambda: t.rec("C", "finish", state["sent"]))
        c.on("close", lambda e: t.rec("C", "close", e))

    Scenario(tls_certs, server_js, client_js, server_py, client_py, timeout=120).check()


def test_client_ends_before_the_handshake(tls_certs: Any) -> None:
    """end() at once: 'finish' comes before 'secureConnect' (the FIN goes out after
    the ClientHello), the rest of the handshake is never sent, the server hears a
    hang-up."""
    server_js = """
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf')}, (s) => rec('S', 'secure'));
    srv.on('tlsClientError', (e) => rec('srv', 'tlsClientError', e));
    srv.on('connection', (raw) => raw.on('close', () => srv.close()));
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """
    client_js = """
    const c = tls.connect({port: PORT, host: '127.0.0.1', servername: 'localhost', ca: pem('ca')});
    watch(c, 'C', ['connect'].concat(%(cev)s));
    c.resume();
    c.end();
    """ % {"cev": CEV}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        srv = tls.create_server({"cert": tls_certs.leaf, "key": tls_certs.leaf_key},
                                lambda s: t.rec("S", "secure"))
        srv.on("tlsClientError", lambda e, s: t.rec("srv", "tlsClientError", e))
        srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        c = tls.connect({"port": port, "host": "127.0.0.1", "servername": "localhost",
                         "ca": tls_certs.ca})
        t.watch(c, "C", ["connect"] + CEV)
        c.resume()
        c.end()

    Scenario(tls_certs, server_js, client_js, server_py, client_py).check()


def test_pause_on_connect(tls_certs: Any) -> None:
    """pauseOnConnect: the handshake still happens; data waits for resume()."""
    server_js = """
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf'), pauseOnConnect: true}, (s) => {
      rec('S', 'secureConnection', s.isPaused(), s.readableFlowing);
      watch(s, 'S', %(sev)s);
      setImmediate(() => { rec('S', 'resume', s.readableLength); s.resume(); });
      s.on('end', () => s.end());
      s.on('close', () => srv.close());
    });
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """ % {"sev": SEV}
    client_js = """
    const c = tls.connect({port: PORT, host: '127.0.0.1', servername: 'localhost', ca: pem('ca')});
    watch(c, 'C', %(cev)s);
    c.end('queued');
    """ % {"cev": CEV}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        def on_secure(s: Any) -> None:
            t.rec("S", "secureConnection", s.is_paused(), s.readable_flowing)
            t.watch(s, "S", SEV)
            net.set_immediate(lambda: (t.rec("S", "resume", s.readable_length), s.resume()))
            s.on("end", lambda: s.end())
            s.on("close", lambda *_: srv.close())

        srv = tls.create_server({"cert": tls_certs.leaf, "key": tls_certs.leaf_key,
                                 "pauseOnConnect": True}, on_secure)
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        c = tls.connect({"port": port, "host": "127.0.0.1", "servername": "localhost",
                         "ca": tls_certs.ca})
        t.watch(c, "C", CEV)
        c.end("queued")

    Scenario(tls_certs, server_js, client_js, server_py, client_py).check()
