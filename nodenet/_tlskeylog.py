"""The ``'keylog'`` event: TLS secrets in NSS key log format, per connection.

Node: tls.md § "Event: 'keylog'". OpenSSL hands key log lines to a callback;
Python's ``ssl`` only writes them to a file (``SSLContext.keylog_filename``,
CPython 3.8+; PyPy has no such attribute, so no ``'keylog'`` there). nodenet
gives each context that needs it its own memory file (``memfd`` on Linux; a
private temporary file elsewhere, removed when the context goes), reads what
was appended after each handshake step, and hands each line to the connection
of that context whose ClientHello random the line names (its second field) —
a client and a server in one process share that random, not the file.
"""

from __future__ import annotations

import os
import shutil
import ssl
import sys
import tempfile
import threading
import weakref
from typing import Any, Dict, List, Optional, Tuple

__all__ = ("available", "enable", "register", "collect", "active")

available = hasattr(ssl.SSLContext, "keylog_filename")

#: True once some context logs keys (checked after every handshake step).
active = False

_TRUNCATE_AT = 1 << 20
_lock = threading.Lock()


class _Log:
    """One context's key log file and how far it has been read."""

    __slots__ = ("fd", "path", "offset", "partial", "directory")

    def __init__(self) -> None:
        self.offset = 0
        self.partial = b""
        self.directory: Optional[str] = None
        if hasattr(os, "memfd_create") and sys.platform.startswith("linux"):
            self.fd = os.memfd_create("nodenet-keylog", getattr(os, "MFD_CLOEXEC", 0))
            self.path = f"/proc/self/fd/{self.fd}"
        else:  # pragma: no cover - not Linux
            self.directory = tempfile.mkdtemp(prefix="nodenet-keylog-")
            self.path = os.path.join(self.directory, "keys")
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:  # pragma: no cover
            pass
        if self.directory is not None:  # pragma: no cover - not Linux
            shutil.rmtree(self.directory, ignore_errors=True)

    def read_lines(self) -> List[bytes]:
        data = b""
        while True:
            chunk = os.pread(self.fd, 65536, self.offset)
            if not chunk:
                break
            data += chunk
            self.offset += len(chunk)
        if not data:
            return []
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        if not self.partial and self.offset > _TRUNCATE_AT:
            os.ftruncate(self.fd, 0)        # OpenSSL appends, so it starts over at 0
            self.offset = 0
        return lines


_logs: Dict[int, _Log] = {}
_handles: "weakref.WeakValueDictionary[Tuple[int, bytes], Any]" = weakref.WeakValueDictionary()


def _forget(key: int) -> None:
    with _lock:
        log = _logs.pop(key, None)
    if log is not None:
        log.close()


def enable(ctx: ssl.SSLContext) -> None:
    """Have ``ctx`` log its connections' secrets (no-op without the ssl feature)."""
    global active
    if not available or id(ctx) in _logs:
        return
    log = _Log()
    with _lock:
        _logs[id(ctx)] = log
    ctx.keylog_filename = log.path
    weakref.finalize(ctx, _forget, id(ctx))
    active = True


def register(ctx: ssl.SSLContext, client_random: bytes, handle: Any) -> None:
    """Lines of ``ctx`` naming ``client_random`` go to ``handle._on_keylog(line)``."""
    if id(ctx) in _logs:
        _handles[(id(ctx), client_random)] = handle


def collect() -> None:
    """Read what every log gained since last time and hand each line over."""
    with _lock:
        batches = [(key, log.read_lines()) for key, log in _logs.items()]
    for key, lines in batches:
        for line in lines:
            fields = line.split(b" ")
            if len(fields) < 3:
                continue
            try:
                random = bytes.fromhex(fields[1].decode("ascii"))
            except ValueError:
                continue
            handle = _handles.get((key, random))
            if handle is not None:
                handle._on_keylog(line + b"\n")
