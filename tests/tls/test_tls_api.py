"""The rest of the public surface: module functions, context options that change
what a handshake does, TLSSocket methods in every state, server callbacks."""

from __future__ import annotations

import os
from typing import Any, Dict, List

import pytest

import nodenet as net
import nodenet.tls as tls
from support import run
from tlskit import client_options, pair, server_options


# -- module functions ----------------------------------------------------------------------


def test_module_functions(tls_certs: Any, tmp_path: Any, monkeypatch: Any) -> None:
    ciphers = tls.get_ciphers()
    assert ciphers == sorted(set(ciphers)) and "ecdhe-rsa-aes128-gcm-sha256" in ciphers
    assert all(c == c.lower() for c in ciphers)
    roots = tls.root_certificates
    assert isinstance(roots, tuple) and all(r.startswith("-----BEGIN CERTIFICATE") for r in roots)
    assert tls.get_ca_certificates() == list(roots) == tls.get_ca_certificates("system")
    assert tls.get_ca_certificates("bundled") == list(roots)
    monkeypatch.delenv("NODE_EXTRA_CA_CERTS", raising=False)
    assert tls.get_ca_certificates("extra") == []
    extra = tmp_path / "extra.pem"
    extra.write_text(tls_certs.ca)
    monkeypatch.setenv("NODE_EXTRA_CA_CERTS", str(extra))
    assert [c.split()[-1] for c in tls.get_ca_certificates("extra")] == \
        [tls_certs.ca.split()[-1]]
    monkeypatch.setenv("NODE_EXTRA_CA_CERTS", str(tmp_path / "missing.pem"))
    assert tls.get_ca_certificates("extra") == []
    with pytest.raises(TypeError):
        tls.get_ca_certificates(5)
    try:
        tls.set_default_ca_certificates([tls_certs.ca, tls_certs.inter.encode()])
        assert tls.get_ca_certificates() == [tls_certs.ca, tls_certs.inter]
    finally:
        tls._DEFAULT_CA = None
    for bad in ("x", [5]):
        with pytest.raises(TypeError):
            tls.set_default_ca_certificates(bad)
    out: Dict[str, Any] = {}
    tls.convert_alpn_protocols(["h2", "http/1.1"], out)
    assert out == {"ALPNProtocols": b"\x02h2\x08http/1.1"}
    tls.convert_alpn_protocols(b"\x02h2", out)
    assert out["ALPNProtocols"] == b"\x02h2"
    tls.convert_alpn_protocols("ignored", out)
    assert out["ALPNProtocols"] == b"\x02h2"
    with pytest.raises(TypeError, match="Must give a Buffer"):
        tls.connect({"port": 1, "ALPNProtocols": "h2"})
    with pytest.raises(AttributeError):
        tls.no_such_name  # noqa: B018
    # Node reads cert.subject: undefined throws, a value that is no object has none
    with pytest.raises(TypeError, match="reading 'subject'"):
        tls.check_server_identity("localhost", None)
    assert tls.check_server_identity("localhost", 5).code == "ERR_TLS_CERT_ALTNAME_INVALID"
    assert tls.CLIENT_RENEG_LIMIT == 3 and tls.CLIENT_RENEG_WINDOW == 600


def test_default_versions_can_change(tls_certs: Any) -> None:
    old = tls.DEFAULT_MAX_VERSION
    tls.DEFAULT_MAX_VERSION = "TLSv1.2"
    try:
        seen: List[Any] = []

        def on_client(c: Any, srv: Any) -> None:
            c.on("secureConnect", lambda: (seen.append(c.get_protocol()), c.end()))

        run(lambda: pair(tls_certs, lambda s: s.on("end", s.end), on_client))
        assert seen == ["TLSv1.2"]
    finally:
        tls.DEFAULT_MAX_VERSION = old


# -- context options with visible effects ---------------------------------------------------


@pytest.mark.parametrize("server_extra,client_extra,expected", [
    ({"secureProtocol": "TLSv1_2_method"}, {}, ("TLSv1.2", None)),
    ({"minVersion": "TLSv1.2", "maxVersion": "TLSv1.2",
      "ciphers": "ECDHE-ECDSA-AES128-GCM-SHA256"}, {},
     ("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")),
    ({"ecdhCurve": "prime256v1"}, {}, ("TLSv1.3", {"type": "ECDH", "name": "prime256v1",
                                                   "size": 256})),
    ({"honorCipherOrder": True, "maxVersion": "TLSv1.2"}, {}, ("TLSv1.2", None)),
    ({"ciphers": "TLS_AES_128_GCM_SHA256"}, {}, ("TLSv1.3", None)),
    ({}, {"secureContext": "fresh"}, ("TLSv1.3", None)),
])
def test_context_options(tls_certs: Any, server_extra: Dict[str, Any],
                         client_extra: Dict[str, Any], expected: Any) -> None:
    seen: List[Any] = []
    if client_extra.get("secureContext") == "fresh":
        client_extra = {"secureContext": tls.create_secure_context({"ca": tls_certs.ca})}

    def on_client(c: Any, srv: Any) -> None:
        def secure() -> None:
            cipher = c.get_cipher()
            info = c.get_ephemeral_key_info()
            seen.append((c.get_protocol(), cipher["standard_name"], info, c.authorized))
            c.end()
        c.on("secureConnect", secure)

    run(lambda: pair(tls_certs, lambda s: s.on("end", s.end), on_client,
                     server_extra=server_extra, client_extra=client_extra))
    protocol, cipher, info, authorized = seen[0]
    assert authorized and protocol == expected[0]
    if isinstance(expected[1], str):
        assert cipher == expected[1]
    elif isinstance(expected[1], dict):
        assert info == expected[1]


def test_encrypted_keys(tls_certs: Any) -> None:
    tls.create_secure_context({"cert": tls_certs.leaf, "key": tls_certs.leaf_encrypted_key,
                               "passphrase": "secret"})
    tls.create_secure_context({"cert": tls_certs.leaf, "key": [
        {"pem": tls_certs.leaf_encrypted_key, "passphrase": "secret"}]})
    with pytest.raises(Exception) as info:
        tls.create_secure_context({"cert": tls_certs.leaf, "key": tls_certs.leaf_encrypted_key})
    assert info.value.code.startswith("ERR_OSSL_")  # type: ignore[attr-defined]
    with pytest.raises(Exception) as info:
        tls.create_secure_context({"cert": tls_certs.leaf, "key": tls_certs.rsa_key})
    assert info.value.code.startswith("ERR_OSSL_")  # type: ignore[attr-defined]
    with pytest.raises(Exception) as info:
        tls.create_secure_context({"cert": tls_certs.leaf, "key": "no pem here"})
    assert info.value.code == "ERR_OSSL_UNSUPPORTED"  # type: ignore[attr-defined]
    with pytest.raises(TypeError) as info:
        tls.create_secure_context({"pfx": b"x"})
    assert info.value.code == "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"  # type: ignore[attr-defined]
    with pytest.raises(Exception) as info:
        tls.create_secure_context({"clientCertEngine": "x"})
    assert info.value.code == "ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED"  # type: ignore[attr-defined]
    with pytest.raises(Exception) as info:
        tls.create_secure_context({"ciphers": "NO-SUCH-CIPHER"})
    assert info.value.code == "ERR_SSL_NO_CIPHER_MATCH"  # type: ignore[attr-defined]
    ctx = tls.create_secure_context({"cert": tls_certs.leaf.encode(),
                                     "key": tls_certs.leaf_key.encode(), "ca": [tls_certs.ca]},
                                    dhparam="auto")
    assert ctx.context is ctx and ctx.has_key and "SecureContext" in repr(ctx)
    assert tls.create_secure_context(cert=tls_certs.leaf).has_key is False


class _Thing:
    """JavaScript's ``new (class Thing {})()``: an object with no option in it."""


def test_server_methods_take_what_node_takes(tls_certs: Any) -> None:
    """Outcomes of Node 26 (and Node 20) from a bad-value sweep of the server's
    methods: any object but an array is an options object; addContext needs a
    truthy string and makes a context of whatever else it is given (falsy is no
    options); setTicketKeys checks its argument before saying it is unavailable."""
    def codes() -> List[Any]:
        srv = tls.create_server(server_options(tls_certs))
        out: List[Any] = []
        for call in (lambda: srv.set_secure_context(b"x"),
                     lambda: srv.set_secure_context(_Thing()),
                     lambda: srv.set_secure_context([]),
                     lambda: srv.add_context("a.com", 0),
                     lambda: srv.add_context("a.com", float("nan")),
                     lambda: srv.add_context("a.com", b"x"),
                     lambda: srv.add_context(float("nan"), {}),
                     lambda: srv.add_context(5, {}),
                     lambda: srv.add_context("a(b", {}),
                     lambda: srv.set_ticket_keys(True),
                     lambda: srv.set_ticket_keys(b"x"),
                     lambda: srv.set_ticket_keys(b"x" * 48)):
            try:
                call()
                out.append("ok")
            except Exception as exc:       # noqa: BLE001 - the outcome is the point
                out.append(getattr(exc, "code", type(exc).__name__))
        srv.close()
        # keyword options reach the context too
        kw = tls.create_server(cert=tls_certs.leaf, key=tls_certs.leaf_key)
        out.append(kw._shared_creds.has_key)
        kw.close()
        return out

    box: List[Any] = []
    run(lambda: box.append(codes()))
    assert box[0] == ["ok", "ok", "ERR_INVALID_ARG_TYPE", "ok", "ok", "ok",
                      "ERR_TLS_REQUIRED_SERVER_NAME", "TypeError", "SyntaxError",
                      "ERR_INVALID_ARG_TYPE", "ERR_INTERNAL_ASSERTION",
                      "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", True]


def test_strings_openssl_reads_as_c_strings(tls_certs: Any) -> None:
    """A lone surrogate reaches OpenSSL as U+FFFD (a wrong passphrase, an unknown
    cipher command) and a NUL ends a cipher list, as in Node; an unreadable
    dhparam is dropped; convertALPNProtocols sets the property on any object."""
    with pytest.raises(Exception) as info:
        tls.create_secure_context({"cert": tls_certs.leaf, "key": tls_certs.leaf_encrypted_key,
                                   "passphrase": "\ud800"})
    assert info.value.code.startswith("ERR_OSSL_")  # type: ignore[attr-defined]
    with pytest.raises(Exception) as info:
        tls.create_secure_context({"ciphers": "\ud800"})
    assert info.value.code == "ERR_SSL_INVALID_COMMAND"  # type: ignore[attr-defined]
    tls.create_secure_context({"dhparam": "\ud800"})
    tls.create_secure_context({"dhparam": "not a dhparam"})
    out = _Thing()
    tls.convert_alpn_protocols(["h2"], out)
    assert out.ALPNProtocols == b"\x02h2"  # type: ignore[attr-defined]
    tls.convert_alpn_protocols(["h2"], [])          # set on an array: nobody reads it
    with pytest.raises(TypeError):
        tls.convert_alpn_protocols(["h2"], None)


def test_crl_revokes(tls_certs: Any) -> None:
    errors: List[Any] = []

    def on_client(c: Any, srv: Any) -> None:
        c.on("error", errors.append)

    run(lambda: pair(tls_certs, lambda s: None, on_client,
                     server_extra={"cert": tls_certs.revoked, "key": tls_certs.revoked_key},
                     client_extra={"crl": tls_certs.crl}))
    assert [e.code for e in errors] == ["CERT_REVOKED"]


def test_partial_trust_chain(tls_certs: Any) -> None:
    """allowPartialTrustChain: an intermediate in ``ca`` is enough."""
    seen: List[Any] = []

    def on_client(c: Any, srv: Any) -> None:
        c.on("secureConnect", lambda: (seen.append(c.authorized), c.end()))
        c.on("error", lambda e: seen.append(e.code))

    for partial in (True, False):
        run(lambda: pair(tls_certs, lambda s: s.on("end", s.end), on_client,
                         server_extra={"cert": tls_certs.chained, "key": tls_certs.chained_key},
                         client_extra={"ca": tls_certs.inter,
                                       "allowPartialTrustChain": partial}))
    assert seen == [True, "UNABLE_TO_GET_ISSUER_CERT"]


# -- TLSSocket methods in every state ---------------------------------------------------------


def test_socket_methods_before_during_after(tls_certs: Any) -> None:
    states: Dict[str, Any] = {}

    def snapshot(c: Any) -> Dict[str, Any]:
        return {"peer": c.get_peer_certificate(), "cipher": c.get_cipher(),
                "protocol": c.get_protocol(), "session": c.get_session(),
                "reused": c.is_session_reused(), "finished": c.get_finished(),
                "key": c.get_ephemeral_key_info(), "own": c.get_certificate()}

    def on_client(c: Any, srv: Any) -> None:
        states["before"] = snapshot(c)
        with pytest.raises(Exception) as info:
            c.export_keying_material(16, "label")
        states["ekm_before"] = info.value.code  # type: ignore[attr-defined]

        def secure() -> None:
            with pytest.raises(TypeError):
                c.export_keying_material(16, "label", "not bytes")
            with pytest.raises(Exception) as info:
                c.export_keying_material(16, "label", b"ctx")
            states["ekm"] = info.value.code  # type: ignore[attr-defined]
            with pytest.raises(ValueError):
                c.export_keying_material(0, "label")
            states["fragment"] = c.set_max_send_fragment(1024)
            with pytest.raises(TypeError):
                c.set_max_send_fragment("x")
            states["sigalgs"] = c.get_shared_sigalgs()
            states["ticket"] = c.get_tls_ticket()
            c.disable_renegotiation()
            c.enable_trace()
            with pytest.raises(TypeError):
                c.set_key_cert({})
            with pytest.raises(TypeError):
                c.renegotiate(5)
            with pytest.raises(TypeError):
                c.renegotiate({}, 5)
            states["renegotiate"] = c.renegotiate({}, lambda err: states.update(reneg=err.code))
            with pytest.raises(TypeError):
                c.set_servername(5)
            with pytest.raises(TypeError):
                c.set_session(5)
            c.set_session(None)
            c.end()

        c.on("secureConnect", secure)
        c.on("close", lambda *_: (states.update(after=snapshot(c)),
                                  states.update(reneg_after=c.renegotiate({}))))

    def on_server(s: Any) -> None:
        with pytest.raises(Exception) as info:
            s.set_servername("x")
        states["sni_from_server"] = info.value.code  # type: ignore[attr-defined]
        s.on("end", s.end)

    run(lambda: pair(tls_certs, on_server, on_client))
    assert states["before"] == {"peer": {}, "cipher": None, "protocol": None, "session": None,
                                "reused": False, "finished": None, "key": None, "own": {}}
    assert states["after"] == {"peer": None, "cipher": None, "protocol": None, "session": None,
                               "reused": False, "finished": None, "key": None, "own": None}
    assert states["ekm_before"] == "ERR_TLS_INVALID_STATE"
    assert states["ekm"] == "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"
    assert (states["fragment"], states["sigalgs"], states["ticket"]) == (False, [], None)
    assert states["renegotiate"] is False and states["reneg"] == "ERR_TLS_RENEGOTIATION_UNSUPPORTED"
    assert states["reneg_after"] is None
    assert states["sni_from_server"] == "ERR_TLS_SNI_FROM_SERVER"


def test_sessions_only_for_the_same_server_and_context(tls_certs: Any) -> None:
    results: List[Any] = []

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs), lambda s: s.end())
        sessions: List[Any] = []
        plan = [
            {},                                          # gets a session
            {"session": "first"},                        # resumes
            {"session": "first", "servername": "other"},   # another identity: ignored
            {"session": "first", "ciphers": "HIGH"},       # another context: ignored
        ]

        def one(index: int) -> None:
            if index == len(plan):
                srv.close()
                return
            extra = dict(plan[index])
            if extra.get("session") == "first":
                extra["session"] = sessions[0]
            extra.setdefault("rejectUnauthorized", False)
            c = tls.connect(client_options(tls_certs, srv.address()["port"], **extra))
            c.on("session", sessions.append)
            c.on("secureConnect", lambda: results.append(c.is_session_reused()))
            c.resume()
            c.on("close", lambda *_: one(index + 1))

        srv.listen(0, "127.0.0.1", lambda: one(0))

    run(main)
    assert results == [False, True, False, False]


def test_socket_option_still_connecting(tls_certs: Any) -> None:
    """tls.connect({socket}) with a net.Socket that has not connected yet."""
    seen: List[Any] = []

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs), lambda s: s.end(b"hi"))

        def listening() -> None:
            plain = net.connect(srv.address()["port"], "127.0.0.1")
            c = tls.connect({"socket": plain, "servername": "localhost", "ca": tls_certs.ca})
            c.on("connect", lambda: seen.append("connect"))
            c.on("secureConnect", lambda: seen.append(("secure", c.authorized)))
            c.on("data", lambda d: seen.append(d))
            c.on("close", lambda *_: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    run(main)
    assert seen == ["connect", ("secure", True), b"hi"]


def test_tlssocket_checks(tls_certs: Any) -> None:
    with pytest.raises(TypeError):
        tls.TLSSocket(object())
    with pytest.raises(TypeError):
        tls.TLSSocket(None, "x")
    with pytest.raises(TypeError):
        tls.TLSSocket(None, {"secureContext": 5})
    with pytest.raises(ValueError if False else TypeError):
        tls.TLSSocket(None, {"highWaterMark": -1})
    sock = tls.TLSSocket(None, {"secureContext": tls.create_secure_context()})
    assert sock.encrypted and sock.connecting and "TLSSocket" in repr(sock)
    sock.destroy()
    run(None)


# -- server callbacks ---------------------------------------------------------------------------


def _server_case(tls_certs: Any, server_extra: Dict[str, Any],
                 client_extra: Dict[str, Any]) -> Dict[str, Any]:
    seen: Dict[str, Any] = {"errors": []}

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs, **server_extra),
                                lambda s: (seen.update(alpn=s.alpn_protocol), s.end()))
        srv.on("tlsClientError", lambda e, s: seen["errors"].append(e))
        srv.on("connection", lambda raw: raw.on("close", lambda *_: srv.close()))

        def listening() -> None:
            c = tls.connect(client_options(tls_certs, srv.address()["port"], **client_extra))
            c.on("error", lambda e: seen.update(client_error=e.code))
            c.resume()

        srv.listen(0, "127.0.0.1", listening)

    run(main)
    return seen


def test_alpn_callback(tls_certs: Any) -> None:
    chosen = _server_case(tls_certs, {"ALPNCallback": lambda info: info["protocols"][-1]},
                          {"ALPNProtocols": ["a", "b"]})
    assert chosen["alpn"] == "b"
    refused = _server_case(tls_certs, {"ALPNCallback": lambda info: None},
                           {"ALPNProtocols": ["a"]})
    assert [e.code for e in refused["errors"]] == ["ERR_SSL_NO_APPLICATION_PROTOCOL"]
    wrong = _server_case(tls_certs, {"ALPNCallback": lambda info: "zzz"},
                         {"ALPNProtocols": ["a"]})
    assert [e.code for e in wrong["errors"]] == ["ERR_TLS_ALPN_CALLBACK_INVALID_RESULT"]

    def boom(info: Any) -> None:
        raise RuntimeError("no")
    raised = _server_case(tls_certs, {"ALPNCallback": boom}, {"ALPNProtocols": ["a"]})
    assert [str(e) for e in raised["errors"]] == ["no"]


def test_sni_callback_errors(tls_certs: Any) -> None:
    failing = _server_case(tls_certs, {"SNICallback": lambda name, cb: cb(RuntimeError("nope"))},
                           {})
    assert [str(e) for e in failing["errors"]] == ["nope"]
    twice = _server_case(tls_certs, {"SNICallback": lambda name, cb: (cb(None, None),
                                                                      cb(None, None))}, {})
    assert [e.code for e in twice["errors"]] == ["ERR_MULTIPLE_CALLBACK"]

    def boom(name: str, cb: Any) -> None:
        raise RuntimeError("sni boom")
    raised = _server_case(tls_certs, {"SNICallback": boom}, {})
    assert [str(e) for e in raised["errors"]] == ["sni boom"]
    raw_ctx = _server_case(tls_certs, {"SNICallback": lambda name, cb: cb(
        None, tls.create_secure_context(server_options(tls_certs)).context)}, {})
    assert raw_ctx["errors"] == [] and "alpn" in raw_ctx


def test_server_methods(tls_certs: Any) -> None:
    srv = tls.create_server(server_options(tls_certs))
    with pytest.raises(TypeError) as info:
        srv.get_ticket_keys()
    with pytest.raises(TypeError):
        srv.set_ticket_keys(b"0" * 48)
    with pytest.raises(Exception) as info:
        srv.add_context("", {})
    assert info.value.code == "ERR_TLS_REQUIRED_SERVER_NAME"  # type: ignore[attr-defined]
    srv.add_context("a.example", tls.create_secure_context(server_options(tls_certs)))
    with pytest.raises(TypeError):
        srv.set_secure_context(5)
    srv.set_secure_context(server_options(tls_certs, cert=tls_certs.wrong, key=tls_certs.wrong_key))
    other = tls.Server(lambda s: None)
    assert other.listener_count("secureConnection") == 1
    assert tls.create_server(handshake_timeout=5)._handshake_timeout == 5
    run(None)


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="memfd only")
def test_key_material_never_touches_the_disk(tls_certs: Any, tmp_path: Any,
                                             monkeypatch: Any) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    tls.create_secure_context(server_options(tls_certs))
    assert list(tmp_path.iterdir()) == []


def test_connect_argument_forms_and_lookup(tls_certs: Any, ipc_path: str) -> None:
    """(port, host, options, cb), (port, options, cb), (path, options, cb), keywords,
    and net.connect's options (a custom lookup) all work."""
    seen: List[Any] = []

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs), lambda s: s.end())
        unix = tls.create_server(server_options(tls_certs), lambda s: s.end())
        closed = [0]

        def done(*_: Any) -> None:
            closed[0] += 1
            if closed[0] == 5:
                srv.close()
                unix.close()

        def lookup(host: str, opts: Any, cb: Any) -> None:
            seen.append(("lookup", host))
            if opts.get("all"):
                cb(None, [{"address": "127.0.0.1", "family": 4}])
            else:
                cb(None, "127.0.0.1", 4)

        def start() -> None:
            port = srv.address()["port"]
            opts = {"ca": tls_certs.ca, "servername": "localhost"}
            socks = [
                tls.connect(port, "127.0.0.1", opts, lambda: seen.append("a")),
                tls.connect(port, opts, lambda: seen.append("b")),
                tls.connect(ipc_path, opts, lambda: seen.append("c")),
                tls.connect(port=port, host="127.0.0.1", ca=tls_certs.ca, servername="localhost"),
                tls.connect({"port": port, "host": "test.invalid", "lookup": lookup, **opts},
                            lambda: seen.append("e")),
            ]
            socks[3].on("secureConnect", lambda: seen.append("d"))
            for s in socks:
                s.resume()
                s.on("close", done)

        srv.listen(0, "127.0.0.1", lambda: unix.listen(ipc_path, start))

    run(main)
    assert sorted(map(str, seen)) == sorted(map(str, ["a", "b", "c", "d", "e",
                                                      ("lookup", "test.invalid")]))


def test_listeners_take_what_they_accept(tls_certs: Any) -> None:
    """JavaScript's call rules for the TLS events: a listener declares fewer
    parameters than Node passes, or more."""
    seen: List[Any] = []

    def main() -> None:
        srv = tls.create_server(server_options(tls_certs))
        srv.on("secureConnection", lambda: seen.append("secureConnection"))
        srv.on("tlsClientError", lambda err: seen.append(("tlsClientError", err.code)))
        srv.on("connection", lambda raw: raw.on("close", lambda: None))

        def listening() -> None:
            port = srv.address()["port"]
            c = tls.connect(client_options(tls_certs, port))
            c.on("secureConnect", lambda extra: (seen.append(("secureConnect", extra)), c.end()))
            c.on("session", lambda: seen.append("session"))
            c.resume()

            def second(*_: Any) -> None:
                bad = net.connect(port, "127.0.0.1", lambda: bad.end(b"GET /\r\n\r\n"))
                bad.on("close", lambda: srv.close())
                bad.on("error", lambda: None)
                bad.resume()
            c.on("close", second)

        srv.listen(0, "127.0.0.1", listening)

    run(main)
    assert seen[:1] == [("secureConnect", None)]
    assert "secureConnection" in seen and ("tlsClientError", "ERR_SSL_HTTP_REQUEST") in seen
