"""Node's ``tls`` module for nodenet: ``import nodenet.tls as tls``.

Node: tls.md (Node 26). TLS is built on ``net`` as in Node: a
:class:`TLSSocket` is a nodenet :class:`~nodenet.Socket` (same events,
backpressure, half-close, timeouts, ``pipe``), a :class:`Server` is a nodenet
:class:`~nodenet.Server`. The TLS work is done by the standard library's
``ssl`` module through ``ssl.MemoryBIO`` and ``ssl.SSLObject``, on the loop
thread: no blocking handshake, no extra thread, nothing to install.

Names follow nodenet's rules: ``tls.connect``, ``tls.create_server``,
``tls.create_secure_context``, ``tls.check_server_identity``,
``tls.root_certificates``, ``tls.get_ciphers()``, ``tls.DEFAULT_MIN_VERSION``...
Option keys may be Node's (``rejectUnauthorized``, ``ALPNProtocols``,
``SNICallback``) or snake_case (``reject_unauthorized``, ``alpn_protocols``,
``sni_callback``). docs/tls.md is the tutorial; docs/compat.md lists what
Python's ``ssl`` cannot do.

``DEFAULT_MIN_VERSION``, ``DEFAULT_MAX_VERSION``, ``DEFAULT_CIPHERS`` and
``DEFAULT_ECDH_CURVE`` may be reassigned, as in Node; contexts made afterwards
use the new values.
"""

from __future__ import annotations

import os
import ssl
import sys
import types
from typing import Any, List, Optional, Tuple

from . import _tlsdefaults
from . import _tlshandle  # noqa: F401  (installs the handshake-message hook)
from ._tlscontext import SecureContext, create_secure_context, system_root_certificates
from ._tlsidentity import check_server_identity
from ._tlsserver import Server, create_server
from ._tlssocket import Session, TLSSocket, connect, convert_alpn_protocols
from ._validators import validate_string
from ._x509 import DERError, der_to_pem, pem_to_der
from .errors import ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE

__all__ = (
    "CLIENT_RENEG_LIMIT", "CLIENT_RENEG_WINDOW", "DEFAULT_CIPHERS", "DEFAULT_ECDH_CURVE",
    "DEFAULT_MIN_VERSION", "DEFAULT_MAX_VERSION", "get_ciphers", "root_certificates",
    "get_ca_certificates", "set_default_ca_certificates", "convert_alpn_protocols",
    "check_server_identity", "create_secure_context", "SecureContext", "TLSSocket", "Server",
    "create_server", "connect", "Session",
)

#: Node: ``tls.CLIENT_RENEG_LIMIT`` (renegotiation is never allowed here).
CLIENT_RENEG_LIMIT = 3
#: Node: ``tls.CLIENT_RENEG_WINDOW`` (seconds).
CLIENT_RENEG_WINDOW = 600

_CIPHERS: Optional[List[str]] = None
_DEFAULT_CA: Optional[List[str]] = None


def get_ciphers() -> List[str]:
    """Node: ``tls.getCiphers()`` — the lower-case names of the ciphers OpenSSL
    offers here, sorted, without duplicates."""
    global _CIPHERS
    if _CIPHERS is None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            ctx.set_ciphers("ALL:@SECLEVEL=0")
        except ssl.SSLError:  # pragma: no cover
            pass
        _CIPHERS = sorted({c["name"].lower() for c in ctx.get_ciphers()})
    return list(_CIPHERS)


def get_ca_certificates(type: Any = "default") -> List[str]:
    """Node: ``tls.getCACertificates([type])`` — PEM texts. ``'default'``,
    ``'system'`` and ``'bundled'`` are the system store here (nodenet has no
    bundled store); ``'extra'`` is ``NODE_EXTRA_CA_CERTS``' certificates."""
    validate_string(type, "type")
    if type == "default":
        return list(_DEFAULT_CA) if _DEFAULT_CA is not None else system_root_certificates()
    if type in ("system", "bundled"):
        return list(system_root_certificates())
    if type == "extra":
        path = os.environ.get("NODE_EXTRA_CA_CERTS")
        if not path:
            return []
        try:
            with open(path, "rb") as f:
                return [der_to_pem(d) for d in pem_to_der(f.read())]
        except (OSError, DERError):
            return []
    raise ERR_INVALID_ARG_VALUE("type", type)


def set_default_ca_certificates(certs: Any) -> None:
    """Node: ``tls.setDefaultCACertificates(certs)`` — what ``get_ca_certificates()``
    reports. (Contexts without ``ca`` still trust the system store.)"""
    global _DEFAULT_CA
    if not isinstance(certs, (list, tuple)):
        raise ERR_INVALID_ARG_TYPE("certs", "Array", certs)
    for i, cert in enumerate(certs):
        if not isinstance(cert, (str, bytes, bytearray, memoryview)):
            raise ERR_INVALID_ARG_TYPE(f"certs[{i}]", ["string", "ArrayBufferView"], cert)
    _DEFAULT_CA = [c if isinstance(c, str) else bytes(c).decode("latin-1") for c in certs]


class _TLSModule(types.ModuleType):
    """The module's class: ``DEFAULT_*`` read and write ``_tlsdefaults`` (so a
    program may reassign them, as in Node), ``root_certificates`` is read on use."""

    @property
    def root_certificates(self) -> Tuple[str, ...]:
        """Node: ``tls.rootCertificates`` — the system store here, read on first use."""
        return tuple(system_root_certificates())

    def __getattr__(self, name: str) -> Any:
        if name in _tlsdefaults.NAMES:
            return getattr(_tlsdefaults, name)
        raise AttributeError(f"module 'nodenet.tls' has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _tlsdefaults.NAMES:
            setattr(_tlsdefaults, name, value)
        else:
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _TLSModule
