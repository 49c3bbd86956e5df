"""The defaults of Node's ``tls`` module that programs may reassign.

Node: tls.md § "tls.DEFAULT_MIN_VERSION", "tls.DEFAULT_MAX_VERSION",
"tls.DEFAULT_CIPHERS", "tls.DEFAULT_ECDH_CURVE". ``nodenet.tls`` reads and
writes these through its own attributes (``tls.DEFAULT_MIN_VERSION =
'TLSv1.3'`` changes what contexts made afterwards use); the TLS modules read
them here, so nothing imports the public module back.
"""

from __future__ import annotations

__all__ = ("DEFAULT_CIPHERS", "DEFAULT_ECDH_CURVE", "DEFAULT_MIN_VERSION", "DEFAULT_MAX_VERSION",
           "NAMES")

#: Node 26's default cipher list. The TLS 1.3 suites (``TLS_*``) cannot be set
#: through Python's ``ssl``; OpenSSL's own defaults are the same three.
DEFAULT_CIPHERS = (
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:"
    "DHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA384:"
    "ECDHE-RSA-AES256-SHA256:DHE-RSA-AES256-SHA256:HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:"
    "!MD5:!PSK:!SRP:!CAMELLIA")
DEFAULT_ECDH_CURVE = "auto"
DEFAULT_MIN_VERSION = "TLSv1.2"
DEFAULT_MAX_VERSION = "TLSv1.3"

#: The names ``nodenet.tls`` forwards here.
NAMES = ("DEFAULT_CIPHERS", "DEFAULT_ECDH_CURVE", "DEFAULT_MIN_VERSION", "DEFAULT_MAX_VERSION")
