"""``tls.createSecureContext()``: Node's options turned into ``ssl.SSLContext``\\ s.

Node: tls.md § "tls.createSecureContext([options])", following Node 26's
``lib/internal/tls/secure-context.js`` for the order and wording of checks. A
:class:`SecureContext` validates and keeps the options, and makes the
``ssl.SSLContext`` objects the connections need:

* one for each side (Python's contexts are client- or server-only, Node's
  serve both), plus variants with ALPN protocols, which Python sets per context
  and Node per connection;
* for servers that request client certificates, a fresh context per
  connection (``connection_context``), whose trust store can take the client's
  own certificates mid-handshake (see ``_tlshandle.py``);
* a :class:`~nodenet._tlsverify.Verifier` with the same trust settings, which
  gives ``authorized``/``authorizationError`` Node's answers.

Key material given as text or bytes is handed to OpenSSL through a memory file
(``memfd``, Linux) or a private temporary file removed at once, because
``ssl.SSLContext.load_cert_chain`` only reads files.

Differences (Python's ``ssl`` has no API for them): ``pfx``, engines are
refused; ``sigalgs``, ``ticketKeys``, ``sessionTimeout``, ``sessionIdContext``,
``certificateCompression`` and the TLS 1.3 part of ``ciphers`` are checked and
then ignored; ``ecdhCurve`` takes one curve; ALPN protocol names must be ASCII.
The default trust store is the system's (``ssl.get_default_verify_paths()``),
where Node uses its bundled Mozilla list.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import ssl
import sys
import tempfile
import threading
from collections import OrderedDict
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from . import _tlsdefaults, _x509
from ._args import is_js_object, options_dict
from ._tlserrors import (
    ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED, ERR_FEATURE_UNAVAILABLE,
    ERR_TLS_INVALID_PROTOCOL_METHOD, ERR_TLS_INVALID_PROTOCOL_VERSION,
    ERR_TLS_PROTOCOL_VERSION_CONFLICT,
)
from ._tlsverify import Verifier
from ._validators import (
    is_number, js_to_int32, js_truthy, validate_int32, validate_integer, validate_string,
)
from .errors import ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, NodeError

__all__ = ("SecureContext", "create_secure_context", "client_context", "is_bytes_like",
           "trust_for_client_auth",
           "system_root_certificates", "message_hook", "VERSIONS")

_BUFFER = ["string", "Buffer", "TypedArray", "DataView"]

VERSIONS: Dict[str, ssl.TLSVersion] = {
    "TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}

# Node's secureProtocol method names -> (min, max) versions; None keeps the default.
_METHODS: Dict[str, Tuple[Optional[str], Optional[str]]] = {
    "TLS_method": (None, None), "TLS_client_method": (None, None),
    "TLS_server_method": (None, None), "SSLv23_method": (None, None),
    "SSLv23_client_method": (None, None), "SSLv23_server_method": (None, None),
    "TLSv1_method": ("TLSv1", "TLSv1"), "TLSv1_client_method": ("TLSv1", "TLSv1"),
    "TLSv1_server_method": ("TLSv1", "TLSv1"), "TLSv1_1_method": ("TLSv1.1", "TLSv1.1"),
    "TLSv1_1_client_method": ("TLSv1.1", "TLSv1.1"),
    "TLSv1_1_server_method": ("TLSv1.1", "TLSv1.1"), "TLSv1_2_method": ("TLSv1.2", "TLSv1.2"),
    "TLSv1_2_client_method": ("TLSv1.2", "TLSv1.2"),
    "TLSv1_2_server_method": ("TLSv1.2", "TLSv1.2"),
}

_OP_NO_RENEGOTIATION = getattr(ssl, "OP_NO_RENEGOTIATION", 0)
_VERIFY_PARTIAL_CHAIN = 0x80000        # X509_V_FLAG_PARTIAL_CHAIN (named only in 3.10+)
_VERIFY_NO_CHECK_TIME = 0x200000       # X509_V_FLAG_NO_CHECK_TIME
_HAS_MSG_CALLBACK = hasattr(ssl.SSLContext, "_msg_callback")
# The ssl module wraps a message callback to turn its numbers into enums, which
# costs more than the callback; the C-level attribute underneath takes it as is.
_RAW_MSG_CALLBACK = getattr(ssl.SSLContext.__mro__[1], "_msg_callback", None)
if not hasattr(_RAW_MSG_CALLBACK, "__set__"):  # pragma: no cover - another ssl
    _RAW_MSG_CALLBACK = None
_SECLEVEL = re.compile(r"@SECLEVEL=(\d+)")

#: The handshake-message hook every context gets (set by ``_tlshandle``), or None.
message_hook: Optional[Callable[..., None]] = None


def is_bytes_like(value: Any) -> bool:
    """Node's ``isArrayBufferView``: bytes, bytearray or a memoryview."""
    return isinstance(value, (bytes, bytearray, memoryview))


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return bytes(value).decode("latin-1")


def _validate_key_or_cert(name: str, value: Any) -> None:
    if not (isinstance(value, str) or is_bytes_like(value)):
        raise ERR_INVALID_ARG_TYPE(name, _BUFFER, value)


# -- key material through a file -------------------------------------------------------


@contextlib.contextmanager
def _material_path(data: str) -> Iterator[str]:
    """A path OpenSSL can open that holds ``data``; gone when the block ends."""
    try:
        raw = data.encode("latin-1")         # text made from bytes (_text) goes back as is
    except UnicodeEncodeError:
        raw = utf8(data)
    if hasattr(os, "memfd_create") and sys.platform.startswith("linux"):
        fd = os.memfd_create("nodenet-tls", getattr(os, "MFD_CLOEXEC", 0))
        try:
            os.write(fd, raw)
            yield f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
        return
    fd, path = tempfile.mkstemp(prefix="nodenet-tls-")     # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        yield path
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def _openssl_error(exc: ssl.SSLError, fallback: str) -> NodeError:
    reason = getattr(exc, "reason", None) or fallback
    text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    if "] " in text:
        text = text.split("] ", 1)[1]
    text = re.sub(r" \(_ssl\.c:\d+\)$", "", text)
    return NodeError(text, "ERR_OSSL_" + reason)


# X509_CERT_AUX with "trusted for clientAuth": OpenSSL then skips the purpose check
# of that certificate when it is the trust anchor (a TRUSTED CERTIFICATE in PEM).
_AUX_CLIENT_AUTH = bytes.fromhex("300c300a06082b06010505070302")


def trust_for_client_auth(ctx: ssl.SSLContext, der: bytes) -> None:
    """Make ``der`` a trust anchor of ``ctx`` for client authentication, whatever
    its own extensions say (a per-connection context; see ``_tlshandle.py``)."""
    body = base64.b64encode(der + _AUX_CLIENT_AUTH).decode("ascii")
    pem = ("-----BEGIN TRUSTED CERTIFICATE-----\n"
           + "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
           + "\n-----END TRUSTED CERTIFICATE-----\n")
    with _material_path(pem) as path:
        try:
            ctx.load_verify_locations(cafile=path)
        except (ssl.SSLError, ValueError):
            pass


# -- the system trust store -------------------------------------------------------------

_ROOTS: Optional[List[str]] = None
_ROOTS_LOCK = threading.Lock()


def system_root_certificates() -> List[str]:
    """The PEM certificates of OpenSSL's default verify paths (file, then directory)."""
    global _ROOTS
    with _ROOTS_LOCK:
        if _ROOTS is not None:
            return _ROOTS
        paths = ssl.get_default_verify_paths()
        seen: Dict[bytes, None] = {}
        for cafile in (paths.cafile, paths.openssl_cafile):
            if cafile and os.path.isfile(cafile):
                _read_pems(cafile, seen)
                break
        if not seen:
            for capath in (paths.capath, paths.openssl_capath):
                if capath and os.path.isdir(capath):
                    for name in sorted(os.listdir(capath)):
                        _read_pems(os.path.join(capath, name), seen)
                    break
        _ROOTS = [_x509.der_to_pem(der) for der in seen]
        return _ROOTS


def _read_pems(path: str, seen: Dict[bytes, None]) -> None:
    try:
        with open(path, "rb") as f:
            data = f.read(4 << 20)
    except OSError:
        return
    try:
        for der in _x509.pem_to_der(data):
            seen.setdefault(der, None)
    except _x509.DERError:
        pass


# -- options ------------------------------------------------------------------------------


def _to_version(which: str, value: Any, default: str) -> str:
    if value is None:
        value = default
    if isinstance(value, str) and value in VERSIONS:
        return value
    raise ERR_TLS_INVALID_PROTOCOL_VERSION(value, which)


def _split_ciphers(ciphers: str, name: str) -> Tuple[str, str]:
    """Node's ``processCiphers``: (TLS 1.2 cipher list, TLS 1.3 suites)."""
    parts = ciphers.split(":")
    suites = [c for c in parts if c and (c.startswith("TLS_") or c.startswith("!TLS_"))]
    rest = [c for c in parts if c and not (c.startswith("TLS_") or c.startswith("!TLS_"))]
    if not suites and not rest:
        raise ERR_INVALID_ARG_VALUE(name, parts)
    return ":".join(rest), ":".join(suites)


def _as_list(value: Any) -> List[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def utf8(text: str) -> bytes:
    """A JavaScript string's UTF-8 bytes, as Node hands it to OpenSSL: a lone
    surrogate becomes U+FFFD (Python would refuse to encode it)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode("utf-8")


_CRL = re.compile(r"-----BEGIN X509 CRL-----\s*([A-Za-z0-9+/=\s]+?)-----END X509 CRL-----")


# what OpenSSL's cipher-string parser takes (anything else: "invalid command")
_CIPHER_CHARS = re.compile(r"[A-Za-z0-9\-_.=+!@:, ;]*")


def _set_ciphers(ctx: ssl.SSLContext, cipher_list: str) -> None:
    """``SSL_CTX_set_cipher_list`` as Node calls it: the C string ends at a NUL."""
    text = cipher_list.split("\0", 1)[0]
    if not _CIPHER_CHARS.fullmatch(text):
        raise NodeError("error:0A000118:SSL routines::invalid command",
                        "ERR_SSL_INVALID_COMMAND")
    try:
        ctx.set_ciphers(text)
    except ssl.SSLError:
        raise NodeError("No cipher match", "ERR_SSL_NO_CIPHER_MATCH") from None


def _is_crl(text: str) -> bool:
    """Whether OpenSSL's ``PEM_read_bio_X509_CRL`` finds a CRL: a PEM block of that
    label whose body is base64 of a DER SEQUENCE."""
    m = _CRL.search(text)
    if m is None:
        return False
    try:
        der = base64.b64decode("".join(m.group(1).split()), validate=True)
    except ValueError:
        return False
    return der[:1] == b"\x30"


class SecureContext:
    """Node: tls.md § "tls.createSecureContext([options])" — the result.

    Made by :func:`create_secure_context`. ``context`` is the object itself
    (Node code writes ``ctx.context || ctx``). The ``ssl.SSLContext`` objects are
    made when a connection first needs them and then shared.
    """

    __slots__ = ("_opts", "_contexts", "_verifier", "_anchors", "_own_chain", "_lock",
                 "__weakref__")

    def __init__(self, options: Optional[Mapping[str, Any]] = None, *, name: str = "options",
                 _validated: Optional[Dict[str, Any]] = None) -> None:
        self._opts = _validated if _validated is not None else _normalize(options, name)
        self._contexts: Dict[Tuple[bool, Tuple[str, ...]], ssl.SSLContext] = {}
        self._verifier: Optional[Verifier] = None
        self._anchors: Optional[List[_x509.Certificate]] = None
        self._own_chain: Optional[List[bytes]] = None
        self._lock = threading.Lock()
        # Node reports bad certificates and keys here, not at the first connection.
        self.ssl_context(bool(self._opts["cert"] or self._opts["key"]))

    @property
    def context(self) -> SecureContext:
        """Node: ``secureContext.context`` — here the object itself."""
        return self

    # -- ssl.SSLContext objects --------------------------------------------------------

    def ssl_context(self, server_side: bool, alpn: Sequence[str] = ()) -> ssl.SSLContext:
        """The shared context for one side (and ALPN list)."""
        key = (server_side, tuple(alpn))
        ctx = self._contexts.get(key)
        if ctx is None:
            with self._lock:
                ctx = self._contexts.get(key)
                if ctx is None:
                    ctx = self._build(server_side, alpn)
                    self._contexts[key] = ctx
        return ctx

    def connection_context(self, alpn: Sequence[str], require: bool) -> ssl.SSLContext:
        """A new server context for one connection that requests a client
        certificate: it asks for one (and insists if ``require``), and trusts
        only what its store will be given — the client's own certificate, as a
        partial chain, at any time — since the decision is the Verifier's."""
        ctx = self._build(True, alpn)
        ctx.verify_mode = ssl.CERT_REQUIRED if require else ssl.CERT_OPTIONAL
        ctx.verify_flags |= _VERIFY_PARTIAL_CHAIN | _VERIFY_NO_CHECK_TIME
        return ctx

    def _build(self, server_side: bool, alpn: Sequence[str] = (), *,
               verifier: bool = False) -> ssl.SSLContext:
        o = self._opts
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server_side else ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if verifier:
            ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            level = _SECLEVEL.search(o["cipher_list"] or "")
            if level:
                ctx.set_ciphers("DEFAULT:@SECLEVEL=" + level.group(1))
        else:
            ctx.options |= _OP_NO_RENEGOTIATION | o["secure_options"]
            ctx.minimum_version = VERSIONS[o["min_version"]]
            ctx.maximum_version = VERSIONS[o["max_version"]]
            if o["cipher_list"]:
                _set_ciphers(ctx, o["cipher_list"])
            elif ctx.minimum_version < ssl.TLSVersion.TLSv1_3:
                ctx.minimum_version = ssl.TLSVersion.TLSv1_3   # only TLS 1.3 suites given
            curve = o["ecdh_curve"]
            if curve and curve != "auto":
                try:
                    ctx.set_ecdh_curve(curve.split(":")[0])
                except (ValueError, ssl.SSLError):
                    raise NodeError("Failed to set ECDH curve",
                                    "ERR_CRYPTO_OPERATION_FAILED") from None
            dhparam = o["dhparam"]
            if dhparam is not None and dhparam != "auto":
                with _material_path(dhparam) as path:
                    try:
                        ctx.load_dh_params(path)
                    except (ssl.SSLError, OSError):
                        pass      # as Node's setDHParam: parameters it cannot read are dropped
            if alpn:
                ctx.set_alpn_protocols(list(alpn))
        if verifier:
            # Only the Verifier trusts anything: the real handshakes do not verify
            # (Node's verify callback says yes to all), the Verifier decides after.
            self._load_trust(ctx, server_side)
        if server_side or not verifier:
            self._load_keys(ctx)
        if verifier:
            ctx.verify_mode = ssl.CERT_OPTIONAL if server_side else ssl.CERT_REQUIRED
        elif _HAS_MSG_CALLBACK and message_hook is not None:
            if _RAW_MSG_CALLBACK is not None:
                _RAW_MSG_CALLBACK.__set__(ctx, message_hook)
            else:  # pragma: no cover
                ctx._msg_callback = message_hook  # type: ignore[attr-defined]
        return ctx

    def _load_trust(self, ctx: ssl.SSLContext, server_side: bool) -> None:
        o = self._opts
        if o["ca"] is not None:        # given (even empty): only these, no system store
            for pem in o["ca"]:
                try:
                    ctx.load_verify_locations(cadata=pem)
                except (ssl.SSLError, ValueError):
                    pass          # Node ignores what is not a certificate
        else:
            ctx.load_default_certs(ssl.Purpose.CLIENT_AUTH if server_side
                                   else ssl.Purpose.SERVER_AUTH)
        if o["crl"]:
            for crl in o["crl"]:
                with _material_path(crl) as path:
                    try:
                        ctx.load_verify_locations(cafile=path)
                    except ssl.SSLError:
                        pass
            ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_CHAIN
        if o["allow_partial_trust_chain"]:
            ctx.verify_flags |= _VERIFY_PARTIAL_CHAIN

    def _load_keys(self, ctx: ssl.SSLContext) -> None:
        o = self._opts
        certs, keys = o["cert"], o["key"]
        if not certs and not keys:
            return
        if certs and not keys:
            return                   # as Node: a certificate alone fails at the handshake
        if keys and not certs:
            return
        pairs: List[Tuple[str, str, Optional[str]]] = []
        if len(certs) == len(keys):
            pairs = [(c, k, p) for c, (k, p) in zip(certs, keys)]
        else:
            pairs = [("".join(certs), k, p) for k, p in keys]
        for cert, key, passphrase in pairs:
            if "-----BEGIN" not in cert:
                raise NodeError("error:0480006C:PEM routines::no start line",
                                "ERR_OSSL_PEM_NO_START_LINE")
            if "-----BEGIN" not in key:
                raise NodeError("error:1E08010C:DECODER routines::unsupported",
                                "ERR_OSSL_UNSUPPORTED")
            password = passphrase if passphrase is not None else o["passphrase"]
            with _material_path(cert) as cert_path, _material_path(key) as key_path:
                try:
                    # a password is always given, so OpenSSL never prompts on a terminal
                    ctx.load_cert_chain(cert_path, key_path,
                                        password=utf8(password or ""))
                except ssl.SSLError as exc:
                    raise _openssl_error(exc, "PEM_LIB") from None

    # -- verification --------------------------------------------------------------------

    @property
    def verifier(self) -> Verifier:
        """OpenSSL's verdicts for this context's trust settings."""
        if self._verifier is None:
            self._verifier = Verifier(lambda side: self._build(side, verifier=True))
        return self._verifier

    @property
    def anchors(self) -> List[_x509.Certificate]:
        """The trusted certificates, parsed (``ca``, else the system store)."""
        if self._anchors is None:
            pems = self._opts["ca"]
            if pems is None:
                pems = system_root_certificates()
            out: List[_x509.Certificate] = []
            for pem in pems:
                try:
                    out.extend(_x509.parse_certificate(d) for d in _x509.pem_to_der(pem))
                except _x509.DERError:
                    pass
            self._anchors = out
        return self._anchors

    @property
    def own_chain(self) -> List[bytes]:
        """This context's own certificate chain (DER), leaf first."""
        if self._own_chain is None:
            out: List[bytes] = []
            for pem in self._opts["cert"]:
                try:
                    out.extend(_x509.pem_to_der(pem))
                except _x509.DERError:
                    pass
            self._own_chain = out
        return self._own_chain

    @property
    def has_key(self) -> bool:
        """Whether the context has a certificate and a key (a server needs both)."""
        return bool(self._opts["cert"] and self._opts["key"])

    def __repr__(self) -> str:
        return f"<SecureContext {self._opts['min_version']}..{self._opts['max_version']}>"


def _options_object(options: Any, name: str) -> Dict[str, Any]:
    """``options ||= {}`` then ``validateObject(options, name)``: a falsy value is no
    options; a plain object, a Buffer or a class instance is an object (a Python
    object that is no mapping has none of the option names); arrays, functions
    and other primitives are refused."""
    if not js_truthy(options):
        return {}
    if isinstance(options, Mapping):
        return options_dict(options)
    if is_js_object(options) and not isinstance(options, (list, tuple)):
        return {}
    raise ERR_INVALID_ARG_TYPE(name, "object", options)


def _normalize(options: Any, name: str = "options") -> Dict[str, Any]:
    """Node's ``createSecureContext`` checks, in Node's order; the options as used.

    Option values are tested as JavaScript tests them (``if (ca)``: NaN is
    false, ``[]`` and ``{}`` are true); a key present with ``None`` is ``null``.
    """
    opts = _options_object(options, name)
    _tls = _tlsdefaults
    secure_options = opts.get("secure_options")
    if js_truthy(opts.get("honor_cipher_order")):
        # ``secureOptions |= SSL_OP_CIPHER_SERVER_PREFERENCE``: ToInt32 first
        secure_options = js_to_int32(secure_options) | ssl.OP_CIPHER_SERVER_PREFERENCE
    method = opts.get("secure_protocol")
    min_version, max_version = opts.get("min_version"), opts.get("max_version")
    if js_truthy(method):
        if min_version is not None:
            raise ERR_TLS_PROTOCOL_VERSION_CONFLICT(min_version, method)
        if max_version is not None:
            raise ERR_TLS_PROTOCOL_VERSION_CONFLICT(max_version, method)
    min_v = _to_version("minimum", min_version, _tls.DEFAULT_MIN_VERSION)
    max_v = _to_version("maximum", max_version, _tls.DEFAULT_MAX_VERSION)
    if isinstance(method, str):
        # the native init() reads a string only (any other value is no method)
        if method not in _METHODS:
            raise ERR_TLS_INVALID_PROTOCOL_METHOD(method)
        lo, hi = _METHODS[method]
        if lo is not None and hi is not None:
            min_v, max_v = lo, hi
    if js_truthy(secure_options):
        if not is_number(secure_options):
            raise ERR_INVALID_ARG_TYPE("secureOptions", "number", secure_options)
        validate_integer(secure_options, "secureOptions", -(2**53 - 1), 2**53 - 1)
    else:
        secure_options = 0
    out: Dict[str, Any] = {"min_version": min_v, "max_version": max_v,
                           "secure_options": int(secure_options)}  # type: ignore[arg-type]
    ciphers = opts.get("ciphers")
    if ciphers is not None:
        validate_string(ciphers, f"{name}.ciphers")
    out["cipher_list"], out["cipher_suites"] = _split_ciphers(
        ciphers or _tls.DEFAULT_CIPHERS, f"{name}.ciphers")
    # ca, cert and key may be falsy (then unused); None in out["ca"]: the system store
    ca = opts.get("ca")
    out["ca"] = None
    if js_truthy(ca):
        out["ca"] = []
        for item in _as_list(ca):
            _validate_key_or_cert(f"{name}.ca", item)
            out["ca"].append(_text(item))
    out["allow_partial_trust_chain"] = js_truthy(opts.get("allow_partial_trust_chain"))
    cert = opts.get("cert")
    out["cert"] = []
    if js_truthy(cert):
        for item in _as_list(cert):
            _validate_key_or_cert(f"{name}.cert", item)
            out["cert"].append(_text(item))
    passphrase = opts.get("passphrase")
    key = opts.get("key")
    out["key"] = []
    if js_truthy(key):
        for item in _as_list(key):
            pem, pass_ = item, passphrase
            if isinstance(item, Mapping):
                # ``val?.pem !== undefined ? val.pem : val``: a key present with
                # None is null, and used (then refused)
                if "pem" in item:
                    pem = item["pem"]
                if "passphrase" in item:
                    pass_ = item["passphrase"]
            _validate_key_or_cert(f"{name}.key", pem)
            if pass_ is not None:
                validate_string(pass_, f"{name}.passphrase")
            out["key"].append((_text(pem), pass_))
    out["passphrase"] = passphrase if isinstance(passphrase, str) else None
    compression = opts.get("certificate_compression")
    if compression is not None:
        if not isinstance(compression, (list, tuple)):
            raise ERR_INVALID_ARG_TYPE(f"{name}.certificateCompression", "Array", compression)
        if len(compression) > 3:
            raise ERR_INVALID_ARG_VALUE(f"{name}.certificateCompression", compression,
                                        "can specify at most 3 algorithms")
        for i, algo in enumerate(compression):
            if algo not in ("zlib", "brotli", "zstd"):
                raise ERR_INVALID_ARG_VALUE(f"{name}.certificateCompression[{i}]", algo,
                                            "must be 'zlib', 'brotli', or 'zstd'")
    sigalgs = opts.get("sigalgs")
    if sigalgs is not None:
        validate_string(sigalgs, f"{name}.sigalgs")
        if sigalgs == "":
            raise ERR_INVALID_ARG_VALUE(f"{name}.sigalgs", sigalgs)
    key_id, engine = opts.get("private_key_identifier"), opts.get("private_key_engine")
    if key_id is not None:
        if engine is None:
            raise ERR_INVALID_ARG_VALUE(f"{name}.privateKeyEngine", engine)
        if js_truthy(key):
            raise ERR_INVALID_ARG_VALUE(f"{name}.privateKeyIdentifier", key_id)
        if isinstance(key_id, str) and isinstance(engine, str):
            raise ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED()
        if not isinstance(key_id, str):
            raise ERR_INVALID_ARG_TYPE(f"{name}.privateKeyIdentifier",
                                       ["string", "null", "undefined"], key_id)
        raise ERR_INVALID_ARG_TYPE(f"{name}.privateKeyEngine", ["string", "null", "undefined"],
                                   engine)
    # the default is for an absent key only: a key present with None is null, refused
    curve = opts.get("ecdh_curve") if "ecdh_curve" in opts else (
        _tls.DEFAULT_ECDH_CURVE or "auto")
    validate_string(curve, f"{name}.ecdhCurve")
    out["ecdh_curve"] = curve
    dhparam = opts.get("dhparam")
    if dhparam is not None:
        _validate_key_or_cert(f"{name}.dhparam", dhparam)
        dhparam = _text(dhparam)
    out["dhparam"] = dhparam
    crl = opts.get("crl")
    out["crl"] = []
    if crl is not None:
        for item in _as_list(crl):
            _validate_key_or_cert(f"{name}.crl", item)
            text = _text(item)
            if not _is_crl(text):
                raise NodeError("Failed to parse CRL", "ERR_CRYPTO_OPERATION_FAILED")
            out["crl"].append(text)
    session_id_context = opts.get("session_id_context")
    if session_id_context is not None:
        validate_string(session_id_context, f"{name}.sessionIdContext")
        if len(utf8(session_id_context)) > 32:      # SSL_MAX_SID_CTX_LENGTH
            # Node throws OpenSSL's error as a TypeError without a code
            raise TypeError("error:0A000111:SSL routines:SSL_CTX_set_session_id_context:"
                            "ssl session id context too long")
    if opts.get("pfx") is not None:
        raise ERR_FEATURE_UNAVAILABLE(f"{name}.pfx")
    engine = opts.get("client_cert_engine")
    if isinstance(engine, str):
        raise ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED()
    if engine is not None:
        raise ERR_INVALID_ARG_TYPE(f"{name}.clientCertEngine", ["string", "null", "undefined"],
                                   engine)
    ticket_keys = opts.get("ticket_keys")
    if ticket_keys is not None:
        if not is_bytes_like(ticket_keys):
            raise ERR_INVALID_ARG_TYPE(f"{name}.ticketKeys", ["Buffer", "TypedArray", "DataView"],
                                       ticket_keys)
        if len(ticket_keys) != 48:
            raise ERR_INVALID_ARG_VALUE(f"{name}.ticketKeys", len(ticket_keys),
                                        "must be exactly 48 bytes")
    timeout = opts.get("session_timeout")
    if timeout is not None:
        validate_int32(timeout, f"{name}.sessionTimeout", 0)
    return out


def create_secure_context(options: Optional[Mapping[str, Any]] = None,
                          **kwargs: Any) -> SecureContext:
    """Node: ``tls.createSecureContext([options])``.

    Options (snake_case or Node's camelCase): ``ca``, ``cert``, ``key``,
    ``passphrase``, ``ciphers``, ``min_version``, ``max_version``,
    ``secure_protocol``, ``secure_options``, ``honor_cipher_order``,
    ``ecdh_curve``, ``dhparam``, ``crl``, ``allow_partial_trust_chain``; and,
    checked but without effect here, ``sigalgs``, ``ticket_keys``,
    ``session_timeout``, ``session_id_context``, ``certificate_compression``.
    """
    if kwargs:
        merged = dict(options or {})
        merged.update(kwargs)
        options = merged
    return SecureContext(options)


# -- client contexts are shared so that sessions can be resumed -----------------------------

_CLIENT_CACHE: "OrderedDict[Any, SecureContext]" = OrderedDict()
_CLIENT_CACHE_SIZE = 64
_CLIENT_LOCK = threading.Lock()
_CONTEXT_KEYS = ("ca", "cert", "key", "passphrase", "ciphers", "min_version", "max_version",
                 "secure_protocol", "secure_options", "honor_cipher_order", "ecdh_curve",
                 "dhparam", "crl", "allow_partial_trust_chain", "pfx", "sigalgs",
                 "client_cert_engine", "private_key_identifier", "private_key_engine",
                 "session_id_context", "ticket_keys", "session_timeout",
                 "certificate_compression")


def _freeze(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    hash(value)
    return value


def client_context(opts: Mapping[str, Any]) -> SecureContext:
    """The SecureContext ``tls.connect`` uses for these options: one per distinct
    set of context options (a small LRU), because Python can resume a session
    only with the context that made it."""
    _tls = _tlsdefaults
    try:
        key = (_freeze([opts.get(k) for k in _CONTEXT_KEYS]), _tls.DEFAULT_MIN_VERSION,
               _tls.DEFAULT_MAX_VERSION, _tls.DEFAULT_CIPHERS, _tls.DEFAULT_ECDH_CURVE)
    except TypeError:
        return SecureContext(opts)
    with _CLIENT_LOCK:
        ctx = _CLIENT_CACHE.get(key)
        if ctx is not None:
            _CLIENT_CACHE.move_to_end(key)
            return ctx
    ctx = SecureContext(opts)
    with _CLIENT_LOCK:
        _CLIENT_CACHE[key] = ctx
        while len(_CLIENT_CACHE) > _CLIENT_CACHE_SIZE:
            _CLIENT_CACHE.popitem(last=False)
    return ctx
