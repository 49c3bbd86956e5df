"""What a user's own ``_write``/``_writev`` receives for a string write().

Node's Writable (default ``decodeStrings: true``) turns a string into a plain
Buffer before ``_write`` sees it, whatever the encoding. Here the chunk must be
exactly ``bytes`` (not a subclass): ``type(chunk) is bytes``. How a short string
counts in ``bytesWritten`` when a socket's write fails is net.Socket's business
(tests/integration/test_net_socket_write.py) and must not show through here.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

import pytest

from nodenet.stream import Duplex, Writable
from support import run

# (chunk, encoding, the bytes Node's Buffer.from(chunk, encoding) holds)
STRINGS: List[Tuple[str, Optional[str], bytes]] = [
    ("héllo", None, "héllo".encode("utf-8")),
    ("héllo", "utf8", "héllo".encode("utf-8")),
    ("héllo", "latin1", "héllo".encode("latin-1")),
    ("héllo", "ascii", b"h\xe9llo"),          # Node's ascii writes latin1 bytes
    ("hé", "utf16le", "hé".encode("utf-16-le")),
    ("abcd", "hex", b"\xab\xcd"),
    ("aGVsbG8=", "base64", b"hello"),
    ("x" * 20000, "utf8", b"x" * 20000),      # longer than Node's 16 KiB string write
]
IDS = [f"{enc}-{len(text)}" for text, enc, _ in STRINGS]


class UserWritable(Writable):
    """A user's Writable with only ``_write``."""

    def __init__(self, log: List[Any]) -> None:
        super().__init__()
        self.log = log

    def _write(self, chunk: bytes, callback: Callable[..., Any]) -> None:
        self.log.append(("write", type(chunk), chunk))
        callback()


class UserWritev(Writable):
    """A user's Writable with ``_write`` and ``_writev``."""

    _has_writev = True

    def __init__(self, log: List[Any]) -> None:
        super().__init__()
        self.log = log

    def _write(self, chunk: bytes, callback: Callable[..., Any]) -> None:
        self.log.append(("write", type(chunk), chunk))
        callback()

    def _writev(self, chunks: List[bytes], callback: Callable[..., Any]) -> None:
        self.log.append(("writev", [(type(c), c) for c in chunks]))
        callback()


class UserDuplex(Duplex):
    """A user's Duplex with ``_write``, ``_writev`` and a no-op ``_read``."""

    _has_writev = True

    def __init__(self, log: List[Any]) -> None:
        super().__init__()
        self.log = log

    def _read(self, size: int) -> None:
        pass

    def _write(self, chunk: bytes, callback: Callable[..., Any]) -> None:
        self.log.append(("write", type(chunk), chunk))
        callback()

    def _writev(self, chunks: List[bytes], callback: Callable[..., Any]) -> None:
        self.log.append(("writev", [(type(c), c) for c in chunks]))
        callback()


CLASSES = [UserWritable, UserWritev, UserDuplex]


def on_loop(scenario: Callable[[List[Any]], None]) -> List[Any]:
    log: List[Any] = []
    run(lambda: scenario(log), 5)
    return log


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("text,encoding,data", STRINGS, ids=IDS)
def test_write_hands_plain_bytes_to_write(cls: Any, text: str, encoding: Optional[str],
                                          data: bytes) -> None:
    """write(string[, encoding]) now, and one buffered behind it (a single buffered
    write goes to ``_write`` too), and end(string): ``_write`` gets plain bytes."""
    def scenario(log: List[Any]) -> None:
        w = cls(log)
        w.cork()
        w.write(text, encoding)
        w.uncork()
        w.write(text, encoding)
        w.end(text, encoding)

    assert on_loop(scenario) == [("write", bytes, data)] * 3


@pytest.mark.parametrize("cls", [UserWritev, UserDuplex], ids=lambda c: c.__name__)
def test_writev_gets_plain_bytes(cls: Any) -> None:
    """Corked string writes in every encoding reach ``_writev`` as plain bytes."""
    def scenario(log: List[Any]) -> None:
        w = cls(log)
        w.cork()
        for text, encoding, _ in STRINGS:
            w.write(text, encoding)
        log.append(("buffer", [type(c) for c in w.writable_buffer]))
        w.uncork()

    assert on_loop(scenario) == [
        ("buffer", [bytes] * len(STRINGS)),
        ("writev", [(bytes, data) for _, _, data in STRINGS]),
    ]


def test_default_write_calls_writev_with_plain_bytes() -> None:
    """A Writable with only ``_writev``: its inherited ``_write`` passes ``[chunk]``."""
    class OnlyWritev(Writable):
        def __init__(self, log: List[Any]) -> None:
            super().__init__()
            self.log = log

        def _writev(self, chunks: List[bytes], callback: Callable[..., Any]) -> None:
            self.log.append([(type(c), c) for c in chunks])
            callback()

    def scenario(log: List[Any]) -> None:
        w = OnlyWritev(log)
        w.write("hé", "latin1")
        w.write("abcd", "hex")

    assert on_loop(scenario) == [[(bytes, b"h\xe9")], [(bytes, b"\xab\xcd")]]


def test_a_bytes_chunk_is_passed_as_is() -> None:
    """A bytes chunk is not copied on the way to ``_write``."""
    chunk = b"hello"

    def scenario(log: List[Any]) -> None:
        w = UserWritable(log)
        w.write(chunk)

    [(_, kind, got)] = on_loop(scenario)
    assert kind is bytes and got is chunk
