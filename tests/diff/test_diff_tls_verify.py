"""Differential TLS: certificate verification, both directions (Node 26 reference).

Client side: a server presents each test certificate; the client trusts the
test CA or not, and rejects unauthorized servers or not. Server side: a server
with ``requestCert`` meets clients with each client certificate, over TLS 1.2
and 1.3 (where Node's visible order differs).
"""

from __future__ import annotations

import json
from typing import Any, Callable, List, Optional

import pytest

import nodenet.tls as tls
from tlsdiff import Scenario, Trace

pytestmark = pytest.mark.node

CLIENT_EVENTS = ["secureConnect", "end", "close", "error"]
SERVER_EVENTS = ["end", "close", "error"]


def _js(value: Any) -> str:
    return json.dumps(value)


def _client_case(tls_certs: Any, cert: str, key: str, ca: Optional[str], reject: Optional[bool],
                 host: str, servername: Optional[str]) -> Scenario:
    server_js = """
    const srv = tls.createServer({cert: pem(%(cert)s), key: key(%(key)s)}, (s) => {
      rec('S', 'secureConnection');
      watch(s, 'S', %(sev)s);
      s.end('hi');
    });
    srv.on('tlsClientError', (e) => rec('srv', 'tlsClientError', e));
    srv.on('connection', (raw) => raw.on('close', () => srv.close()));
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """ % {"cert": _js(cert), "key": _js(key), "sev": SERVER_EVENTS}
    opts = {"port": "PORT", "host": host}
    if ca:
        opts["ca"] = "CA"
    if reject is not None:
        opts["rejectUnauthorized"] = reject
    if servername:
        opts["servername"] = servername
    js_opts = _js(opts).replace('"PORT"', "PORT").replace('"CA"', "pem(%s)" % _js(ca))
    client_js = """
    const c = tls.connect(%(opts)s, () => {
      rec('C', 'cb', c.authorized, c.authorizationError);
      c.resume();
    });
    watch(c, 'C', %(cev)s);
    """ % {"opts": js_opts, "cev": CLIENT_EVENTS}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        def on_secure(s: Any) -> None:
            t.rec("S", "secureConnection")
            t.watch(s, "S", SERVER_EVENTS)
            s.end("hi")

        srv = tls.create_server({"cert": tls_certs.pems[cert], "key": tls_certs.pems[key + "_key"]},
                                on_secure)
        srv.on("tlsClientError", lambda e, s: t.rec("srv", "tlsClientError", e))
        srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        options: dict = {"port": port, "host": host}
        if ca:
            options["ca"] = tls_certs.pems[ca]
        if reject is not None:
            options["rejectUnauthorized"] = reject
        if servername:
            options["servername"] = servername

        def on_secure() -> None:
            t.rec("C", "cb", c.authorized, c.authorization_error)
            c.resume()

        c = tls.connect(options, on_secure)
        t.watch(c, "C", CLIENT_EVENTS)

    return Scenario(tls_certs, server_js, client_js, server_py, client_py)


SERVER_CERTS = [("leaf", "leaf"), ("wrong", "wrong"), ("expired", "expired"), ("self", "self"),
                ("chained", "chained"), ("chained_chain", "chained"),
                ("other_leaf", "other_leaf"), ("client", "client"), ("ca", "ca")]


@pytest.mark.parametrize("reject", [None, False])
@pytest.mark.parametrize("cert,key", SERVER_CERTS)
def test_server_certificate_with_ca(tls_certs: Any, cert: str, key: str,
                                    reject: Optional[bool]) -> None:
    """The client trusts the test CA and names 'localhost'."""
    _client_case(tls_certs, cert, key, "ca", reject, "127.0.0.1", "localhost").check()


@pytest.mark.parametrize("cert,key", [("leaf", "leaf"), ("expired", "expired"), ("self", "self"),
                                      ("chained_chain", "chained"), ("client", "client"),
                                      ("ca", "ca")])
def test_server_certificate_untrusted(tls_certs: Any, cert: str, key: str) -> None:
    """No ``ca``: the system store does not know the test CA (Node's last error wins)."""
    _client_case(tls_certs, cert, key, None, False, "127.0.0.1", "localhost").check()


@pytest.mark.parametrize("host,servername", [("127.0.0.1", None), ("localhost", None),
                                             ("127.0.0.1", "wrong.example"),
                                             ("127.0.0.1", "a.wild.example")])
def test_server_identity(tls_certs: Any, host: str, servername: Optional[str]) -> None:
    """checkServerIdentity against IP SANs, DNS SANs and wildcards."""
    _client_case(tls_certs, "wrong", "wrong", "ca", None, host, servername).check()
    _client_case(tls_certs, "leaf", "leaf", "ca", None, host, servername).check()


def _mtls_case(tls_certs: Any, version: str, reject: bool, cert: Optional[str]) -> Scenario:
    server_js = """
    const srv = tls.createServer({cert: pem('leaf'), key: key('leaf'), ca: pem('ca'),
                                  requestCert: true, rejectUnauthorized: %(reject)s,
                                  maxVersion: %(ver)s}, (s) => {
      const peer = s.getPeerCertificate();
      rec('S', 'secureConnection', s.authorized, s.authorizationError,
          peer.subject ? peer.subject.CN : null);
      watch(s, 'S', %(sev)s);
      s.end('hi');
    });
    srv.on('tlsClientError', (e) => rec('srv', 'tlsClientError', e));
    srv.on('connection', (raw) => raw.on('close', () => srv.close()));
    srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
    """ % {"reject": _js(reject), "ver": _js(version), "sev": SERVER_EVENTS}
    cert_opts = "cert: pem(%s), key: key(%s)," % (_js(cert), _js(cert)) if cert else ""
    client_js = """
    const c = tls.connect({port: PORT, host: '127.0.0.1', servername: 'localhost',
                           ca: pem('ca'), %(cert)s}, () => {
      rec('C', 'cb', c.authorized);
      c.resume();
    });
    watch(c, 'C', %(cev)s);
    """ % {"cert": cert_opts, "cev": CLIENT_EVENTS}

    def server_py(t: Trace, ready: Callable[[int], None]) -> None:
        def on_secure(s: Any) -> None:
            peer = s.get_peer_certificate()
            t.rec("S", "secureConnection", s.authorized, s.authorization_error,
                  peer["subject"]["CN"] if peer.get("subject") else None)
            t.watch(s, "S", SERVER_EVENTS)
            s.end("hi")

        srv = tls.create_server({"cert": tls_certs.leaf, "key": tls_certs.leaf_key,
                                 "ca": tls_certs.ca, "requestCert": True,
                                 "rejectUnauthorized": reject, "maxVersion": version}, on_secure)
        srv.on("tlsClientError", lambda e, s: t.rec("srv", "tlsClientError", e))
        srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))
        srv.listen(0, "127.0.0.1", lambda: ready(srv.address()["port"]))

    def client_py(t: Trace, port: int) -> None:
        options = {"port": port, "host": "127.0.0.1", "servername": "localhost",
                   "ca": tls_certs.ca}
        if cert:
            options["cert"] = tls_certs.pems[cert]
            options["key"] = tls_certs.pems[cert + "_key"]

        def on_secure() -> None:
            t.rec("C", "cb", c.authorized)
            c.resume()

        c = tls.connect(options, on_secure)
        t.watch(c, "C", CLIENT_EVENTS)

    return Scenario(tls_certs, server_js, client_js, server_py, client_py)


def _mtls_params() -> List[Any]:
    out = []
    for version in ("TLSv1.3", "TLSv1.2"):
        for reject in (True, False):
            for cert in (None, "client", "client_other", "expired", "wrong"):
                marks = []
                if version == "TLSv1.2" and reject and cert is None:
                    marks.append(pytest.mark.node20_differs(
                        "OpenSSL 3.0's alert name: ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE"))
                out.append(pytest.param(version, reject, cert, marks=marks))
    return out


@pytest.mark.parametrize("version,reject,cert", _mtls_params())
def test_client_certificates(tls_certs: Any, version: str, reject: bool,
                             cert: Optional[str]) -> None:
    """requestCert: missing, good, unknown-CA, expired and wrong-purpose client certs."""
    _mtls_case(tls_certs, version, reject, cert).check()
