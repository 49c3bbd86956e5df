"""Certificate chain verification with Node's answers, through OpenSSL.

Node completes every handshake and *then* decides: OpenSSL's verify callback
accepts everything, and ``tlsSocket.authorized``/``authorizationError`` come
from the result OpenSSL recorded — the **last** error it met while checking the
whole chain. Python's ``ssl`` has no verify callback, so nodenet handshakes
without verifying, keeps the chain the peer sent (``_tlshandle.py``), and asks
this module:

1. **OpenSSL decides** (:class:`Verifier`). A second, local TLS 1.2 handshake
   entirely in memory: a verifying ``SSLObject`` with the same trust settings
   is fed a ServerHello and a Certificate message (or, for client
   certificates, a ClientHello's answer and a Certificate message) built from
   the peer's chain. OpenSSL verifies the chain there exactly as it would in a
   real handshake (same store, purpose, flags, time) and either fails with its
   verify code or asks for the next message, which means the chain is good.
   Nothing leaves the process; no private key is needed.
2. **Node's code** (:func:`last_error`). OpenSSL stops at the *first* error
   where Node reports the last one, so the rest of OpenSSL's checks after a
   failure are replayed on the parsed chain (``_x509.py``): chain building,
   CA and purpose checks, the lone-leaf rule, validity times. A lone leaf from
   an unknown CA is therefore UNABLE_TO_VERIFY_LEAF_SIGNATURE (first error:
   UNABLE_TO_GET_ISSUER_CERT_LOCALLY), an expired one CERT_HAS_EXPIRED.
   This only chooses which code to report; whether the chain is trusted is
   always OpenSSL's answer.
"""

from __future__ import annotations

import datetime
import os
import ssl
import struct
import threading
from typing import Callable, List, Optional, Sequence, Tuple

from . import _x509
from ._x509 import Certificate

__all__ = ("Verifier", "last_error", "PURPOSE_SERVER", "PURPOSE_CLIENT", "FAILED_CLOSED")

PURPOSE_SERVER = "server"     # verifying a server's chain (the client side)
PURPOSE_CLIENT = "client"     # verifying a client's chain (a server with requestCert)

#: The verify code used when the local handshake failed for another reason:
#: X509_V_ERR_CERT_REJECTED, so a chain that could not be checked is never trusted.
FAILED_CLOSED = 28

_TLS12 = b"\x03\x03"


def _error_queue_clearer() -> Optional[Callable[[], None]]:
    """PyPy's ssl leaves OpenSSL's per-thread error queue as a failed handshake
    left it, and reports those errors again from the next ssl call that stops
    short (a close_notify, for one). CPython clears the queue itself."""
    try:
        from _cffi_ssl._stdssl import lib  # type: ignore[import-not-found]
    except ImportError:
        return None
    return lib.ERR_clear_error  # type: ignore[no-any-return]  # pragma: no cover - PyPy


_clear_errors = _error_queue_clearer()
_EC_SUITES = (b"\xc0\x2b", b"\xc0\x2c", b"\xc0\x09", b"\xc0\x0a")
_RSA_SUITES = (b"\xc0\x2f", b"\xc0\x30", b"\xc0\x13", b"\xc0\x14", b"\x00\x9c")


def _record(content_type: int, body: bytes) -> bytes:
    out = []
    for i in range(0, len(body), 16384):
        chunk = body[i:i + 16384]
        out.append(bytes([content_type]) + _TLS12 + struct.pack(">H", len(chunk)) + chunk)
    return b"".join(out)


def _u24(n: int) -> bytes:
    return struct.pack(">I", n)[1:]


def _handshake(msg_type: int, body: bytes) -> bytes:
    return bytes([msg_type]) + _u24(len(body)) + body


def certificate_message(chain: Sequence[bytes]) -> bytes:
    """A TLS 1.2 Certificate handshake message carrying ``chain``."""
    body = b"".join(_u24(len(der)) + der for der in chain)
    return _handshake(11, _u24(len(body)) + body)


def _client_hello_fields(data: bytes) -> Tuple[bytes, List[bytes]]:
    """(session id, offered cipher suites) of the ClientHello in ``data`` (records)."""
    body = b""
    pos = 0
    while pos + 5 <= len(data):
        length = struct.unpack(">H", data[pos + 3:pos + 5])[0]
        body += data[pos + 5:pos + 5 + length]
        pos += 5 + length
    p = 4 + 2 + 32
    sid = body[p + 1:p + 1 + body[p]]
    p += 1 + body[p]
    count = struct.unpack(">H", body[p:p + 2])[0]
    suites = [body[p + 2 + i:p + 4 + i] for i in range(0, count, 2)]
    return sid, suites


class Verifier:
    """OpenSSL's verdict on a peer's chain, for one set of trust settings.

    ``make_context(server_side)`` returns a fresh ``ssl.SSLContext`` with the
    trust store, flags and (for a server) the certificate and key of the real
    context; it is called once per side and the result reused. Verification
    runs on the loop thread; a lock keeps a shared Verifier safe anyway.
    """

    def __init__(self, make_context: Callable[[bool], ssl.SSLContext]) -> None:
        self._make_context = make_context
        self._client_ctx: Optional[ssl.SSLContext] = None
        self._server_ctx: Optional[ssl.SSLContext] = None
        self._lock = threading.Lock()

    def first_error(self, chain: Sequence[bytes], purpose: str) -> Tuple[int, str]:
        """``(0, '')`` if OpenSSL trusts ``chain`` for ``purpose``, else its first
        verify error ``(code, message)``."""
        if not chain:
            return 2, "unable to get issuer certificate"
        with self._lock:
            try:
                if purpose == PURPOSE_SERVER:
                    return self._as_client(chain)
                return self._as_server(chain)
            except ssl.SSLCertVerificationError as exc:
                return exc.verify_code or FAILED_CLOSED, exc.verify_message or ""
            except (ssl.SSLError, ValueError, IndexError, struct.error) as exc:
                return FAILED_CLOSED, str(exc)
            finally:
                if _clear_errors is not None:
                    _clear_errors()  # pragma: no cover - PyPy

    def _as_client(self, chain: Sequence[bytes]) -> Tuple[int, str]:
        if self._client_ctx is None:
            self._client_ctx = self._make_context(False)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = self._client_ctx.wrap_bio(incoming, outgoing)
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        sid, offered = _client_hello_fields(outgoing.read())
        leaf = _x509.parse_certificate(chain[0])
        wanted = _EC_SUITES if leaf.key_type == "ec" else _RSA_SUITES
        suite = next((s for s in wanted if s in offered), offered[0])
        # renegotiation_info, which OpenSSL insists on
        extensions = b"\xff\x01\x00\x01\x00"
        hello = (_TLS12 + os.urandom(32) + bytes([len(sid)]) + sid + suite + b"\x00"
                 + struct.pack(">H", len(extensions)) + extensions)
        incoming.write(_record(22, _handshake(2, hello) + certificate_message(chain)))
        return self._outcome(obj)

    def _as_server(self, chain: Sequence[bytes]) -> Tuple[int, str]:
        if self._server_ctx is None:
            self._server_ctx = self._make_context(True)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = self._server_ctx.wrap_bio(incoming, outgoing, server_side=True)
        incoming.write(_hello())
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        outgoing.read()
        incoming.write(_record(22, certificate_message(chain)))
        return self._outcome(obj)

    @staticmethod
    def _outcome(obj: ssl.SSLObject) -> Tuple[int, str]:
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            return 0, ""              # waiting for the next message: the chain passed
        except ssl.SSLCertVerificationError:
            raise
        except ssl.SSLError as exc:
            if getattr(exc, "reason", None) == "WRONG_CERTIFICATE_TYPE":
                return 0, ""          # refused after verifying, for the key type
            raise
        return 0, ""


_HELLO: Optional[bytes] = None


def _hello() -> bytes:
    """A genuine TLS 1.2 ClientHello (made once) for the client-certificate check."""
    global _HELLO
    if _HELLO is None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(incoming, outgoing)
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        _HELLO = outgoing.read()
    return _HELLO


# --------------------------------------------------------------------------------
# Node's code: what OpenSSL would have reported last, had it gone on.

_BUILD = {2, 18, 19, 20, 22}

_XKU_ANY = "2.5.29.37.0"
_XKU_SGC = ("1.3.6.1.4.1.311.10.3.3", "2.16.840.1.113730.4.1")
_NS_SSL_CLIENT = 0x80
_NS_SSL_SERVER = 0x40
_NS_SSL_CA = 0x04
_NS_ANY_CA = 0x07


def _ns_cert_type(cert: Certificate) -> Optional[int]:
    ext = cert.extensions.get("2.16.840.1.113730.1.1")
    if ext is None:
        return None
    raw = ext[1]
    return raw[3] if len(raw) > 3 else 0


def _xku_reject(cert: Certificate, usages: Sequence[str]) -> bool:
    eku = cert.ext_key_usage()
    if eku is None or _XKU_ANY in eku:
        return False
    return not any(u in eku for u in usages)


def _ku_reject(cert: Certificate, bits: Sequence[int]) -> bool:
    ku = cert.key_usage()
    return ku is not None and not any(ku & (1 << b) for b in bits)


def _check_ca(cert: Certificate) -> int:
    """OpenSSL's ``check_ca``: 0 (not a CA), 1 (CA:TRUE), 3 (v1 root), 4, 5."""
    ku = cert.key_usage()
    if ku is not None and not ku & (1 << _x509.KU_KEY_CERT_SIGN):
        return 0
    bc = cert.basic_constraints()
    if bc is not None:
        return 1 if bc[0] else 0
    if cert.version == 1 and cert.is_self_issued():
        return 3
    if ku is not None:
        return 4
    ns = _ns_cert_type(cert)
    if ns is not None and ns & _NS_ANY_CA:
        return 5
    return 0


def _purpose_ok(cert: Certificate, purpose: str, ca: bool) -> bool:
    ns = _ns_cert_type(cert)
    if purpose == PURPOSE_SERVER:
        if _xku_reject(cert, (_x509.OID_SERVER_AUTH,) + _XKU_SGC):
            return False
        if ca:
            ret = _check_ca(cert)
            return ret != 0 and (ret != 5 or bool(ns and ns & _NS_SSL_CA))
        if ns is not None and not ns & _NS_SSL_SERVER:
            return False
        return not _ku_reject(cert, (_x509.KU_DIGITAL_SIGNATURE, _x509.KU_KEY_ENCIPHERMENT,
                                     _x509.KU_KEY_AGREEMENT))
    if _xku_reject(cert, (_x509.OID_CLIENT_AUTH,)):
        return False
    if ca:
        ret = _check_ca(cert)
        return ret != 0 and (ret != 5 or bool(ns and ns & _NS_SSL_CA))
    if _ku_reject(cert, (_x509.KU_DIGITAL_SIGNATURE, _x509.KU_KEY_AGREEMENT)):
        return False
    return not (ns is not None and not ns & _NS_SSL_CLIENT)


def _issued_by(cert: Certificate, issuer: Certificate) -> bool:
    if cert.issuer_der != issuer.subject_der:
        return False
    aki, ski = cert.authority_key_id(), issuer.subject_key_id()
    return aki is None or ski is None or aki == ski


def _build(peer: Sequence[Certificate], anchors: Sequence[Certificate]
           ) -> Tuple[List[Certificate], int]:
    """The chain OpenSSL would build (trusted issuers first) and how many of
    its certificates came from the peer (the rest from the store)."""
    chain = [peer[0]]
    untrusted = list(peer[1:])
    anchor_ders = {a.der for a in anchors}
    if peer[0].der in anchor_ders and peer[0].is_self_issued():
        return chain, 0            # a trusted self-signed certificate is a chain by itself
    while len(chain) < 32:
        current = chain[-1]
        found = next((a for a in anchors if _issued_by(current, a)), None)
        if found is not None:
            if found.der != current.der:
                chain.append(found)
            return chain, len(chain) - 1
        if current.is_self_issued():
            break
        nxt = next((c for c in untrusted if _issued_by(current, c)), None)
        if nxt is None:
            break
        untrusted.remove(nxt)
        chain.append(nxt)
    return chain, len(chain)


def replay(peer: Sequence[Certificate], anchors: Sequence[Certificate], purpose: str,
           now: datetime.datetime) -> List[int]:
    """The verify errors OpenSSL meets, in order, when told to carry on after each
    (Node's verify callback): chain building, extensions, then signatures' and
    times' pass from the top of the chain down. Signatures are not re-checked."""
    errors: List[int] = []
    chain, num_untrusted = _build(peer, anchors)
    trusted = num_untrusted < len(chain)
    top = chain[-1]
    if not trusted:
        if top.is_self_issued():
            errors.append(18 if len(chain) == 1 else 19)
        elif num_untrusted < len(chain):
            errors.append(2)
        else:
            errors.append(20)
    # check_chain_extensions: leaf first
    plen = 0
    for i, cert in enumerate(chain):
        if i > 0:
            ret = _check_ca(cert)
            if ret == 0 or (i + 1 < len(chain) and ret != 1):
                errors.append(24)
        if not _purpose_ok(cert, purpose, i > 0):
            errors.append(26)
        bc = cert.basic_constraints()
        if i > 1 and bc is not None and bc[1] is not None and plen > bc[1]:
            errors.append(25)
        if i > 0 and not cert.is_self_issued():
            plen += 1
    # internal_verify: from the top down
    order = list(range(len(chain) - 1, -1, -1))
    if not top.is_self_issued():
        if len(chain) == 1:
            errors.append(21)
        else:
            order = order[1:]
    for i in order:
        cert = chain[i]
        if now < cert.not_before:
            errors.append(9)
        elif now > cert.not_after:
            errors.append(10)
    return errors


def last_error(first: int, peer_ders: Sequence[bytes], anchors: Sequence[Certificate],
               purpose: str, now: Optional[datetime.datetime] = None) -> int:
    """Node's verify result, given OpenSSL's first error ``first`` (non-zero).

    The replayed list must contain ``first``; otherwise (an error the replay
    does not model, such as a bad signature) ``first`` is the answer.
    """
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    try:
        peer = [_x509.parse_certificate(d) for d in peer_ders]
    except _x509.DERError:
        return first
    if not peer:
        return first
    errors = replay(peer, anchors, purpose, now)
    if first not in errors:
        return first
    return errors[-1]
