"""The ``'keylog'`` event: TLS secrets in NSS key log format, per connection.

Node: tls.md § "Event: 'keylog'". OpenSSL hands key log lines to a callback;
Python's ``ssl`` only writes them to a file (``SSLContext.keylog_filename``,
CPython 3.8+; PyPy has no such attribute, so no ``'keylog'`` there). nodenet
points the contexts that need it at one memory file (``memfd`` on Linux; a
private temporary file elsewhere, removed at exit), reads what was appended
after each handshake step, and gives each line to the connection whose
ClientHello random it names (the second field of every line).
"""

from __future__ import annotations

import atexit
import os
import ssl
import sys
import tempfile
import threading
import weakref
from typing import Any, Optional

__all__ = ("available", "enable", "register", "collect", "active")

available = hasattr(ssl.SSLContext, "keylog_filename")

_lock = threading.Lock()
_fd: Optional[int] = None
_path: Optional[str] = None
_offset = 0
_partial = b""
_handles: "weakref.WeakValueDictionary[bytes, Any]" = weakref.WeakValueDictionary()
#: True once some context logs keys (checked after every handshake step).
active = False
_TRUNCATE_AT = 1 << 20


def _open() -> str:
    global _fd, _path
    if _path is not None:
        return _path
    if hasattr(os, "memfd_create") and sys.platform.startswith("linux"):
        _fd = os.memfd_create("nodenet-keylog", getattr(os, "MFD_CLOEXEC", 0))
        _path = f"/proc/self/fd/{_fd}"
    else:
        directory = tempfile.mkdtemp(prefix="nodenet-keylog-")
        _path = os.path.join(directory, "keys")
        _fd = os.open(_path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)

        def remove() -> None:
            try:
                os.unlink(_path)  # type: ignore[arg-type]
                os.rmdir(directory)
            except OSError:
                pass
        atexit.register(remove)
    return _path


def enable(ctx: ssl.SSLContext) -> None:
    """Have ``ctx`` log its connections' secrets (no-op without the ssl feature)."""
    global active
    if not available or getattr(ctx, "keylog_filename", None):
        return
    with _lock:
        path = _open()
    ctx.keylog_filename = path
    active = True


def register(client_random: bytes, handle: Any) -> None:
    """Lines naming ``client_random`` go to ``handle._on_keylog(line)``."""
    _handles[client_random] = handle


def collect() -> None:
    """Read what was appended since last time and hand each line over."""
    global _offset, _partial
    fd = _fd
    if fd is None:
        return
    with _lock:
        data = b""
        while True:
            chunk = os.pread(fd, 65536, _offset)
            if not chunk:
                break
            data += chunk
            _offset += len(chunk)
        if not data:
            return
        data = _partial + data
        lines = data.split(b"\n")
        _partial = lines.pop()
        if not _partial and _offset > _TRUNCATE_AT:
            os.ftruncate(fd, 0)
            _offset = 0
    for line in lines:
        fields = line.split(b" ")
        if len(fields) < 3:
            continue
        try:
            random = bytes.fromhex(fields[1].decode("ascii"))
        except ValueError:
            continue
        handle = _handles.get(random)
        if handle is not None:
            handle._on_keylog(line + b"\n")
