"""Node's Buffer encodings: names, string <-> bytes, and incremental decoders.

Node: buffer.md § "Buffers and character encodings" and string_decoder.md (Node 26).

Names are case-insensitive: ``utf8``/``utf-8``, ``utf16le``/``utf-16le``/``ucs2``/
``ucs-2``, ``latin1``/``binary``, ``base64``, ``base64url``, ``hex``, ``ascii``.
Node's decoding rules are kept where they differ from Python's codecs:

* invalid UTF-8 decodes to U+FFFD, and lone surrogates encode to U+FFFD's bytes;
* ``ascii`` decoding drops the high bit, ``ascii`` encoding keeps the low byte
  (it is ``latin1`` on the way out, as in Node);
* ``hex`` and ``base64`` decoding are lenient: hex stops at the first bad pair,
  base64 ignores characters outside its alphabet and accepts the URL alphabet.

The incremental decoders never split a multi-byte character across chunks
(``set_encoding`` and ``'data'``).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from typing import Callable, Dict, Optional, Tuple, Union

__all__ = ("normalize", "encode", "decode", "Decoder", "node_length", "tried_as_string")

BytesLike = Union[bytes, bytearray, memoryview]

_NAMES: Dict[str, str] = {
    "utf8": "utf8", "utf-8": "utf8",
    "ucs2": "utf16le", "ucs-2": "utf16le", "utf16le": "utf16le", "utf-16le": "utf16le",
    "latin1": "latin1", "binary": "latin1",
    "base64": "base64", "base64url": "base64url",
    "hex": "hex", "ascii": "ascii",
}


def _replace_with_fffd(exc: UnicodeError) -> Tuple[Union[str, bytes], int]:
    assert isinstance(exc, UnicodeEncodeError)
    return ("\ufffd".encode("utf-8") * (exc.end - exc.start), exc.end)


codecs.register_error("nodenet.fffd", _replace_with_fffd)

_ASCII_DECODE = bytes(range(128)) * 2
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")
_HEX_PAIRS = re.compile(r"(?:[0-9a-fA-F]{2})*")


def normalize(encoding: object) -> Optional[str]:
    """Node's canonical name for ``encoding``, or None if Node does not know it."""
    if not isinstance(encoding, str):
        return None
    return _NAMES.get(encoding.lower())


_STORAGE = {"utf8": 3, "latin1": 1, "ascii": 1, "utf16le": 2}
_TRY_WRITE_MAX = 16384


def tried_as_string(encoding: str, length: int) -> bool:
    """Whether Node's handle writes a string write() of ``length`` UTF-16 units
    in (normalized) ``encoding`` as a string, trying to send it at once.

    Node hands a string chunk of at most 16 KiB of storage (UTF-8: 3 bytes a
    UTF-16 unit; latin1/ascii: 1; utf16le: 2) to the handle as a string, which
    counts in ``bytesWritten`` only what the kernel took: a write of it that
    fails at once counts nothing. Buffers, longer strings, hex/base64 strings
    and corked (writev) chunks count in full even when the write fails.
    """
    per_unit = _STORAGE.get(encoding)
    return per_unit is not None and per_unit * length <= _TRY_WRITE_MAX


def encode(text: str, encoding: str = "utf8") -> bytes:
    """``Buffer.from(text, encoding)``; ``encoding`` must be a normalized name."""
    if encoding == "utf8":
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:   # lone surrogates: U+FFFD, as V8 does
            return text.encode("utf-8", "nodenet.fffd")
    if encoding in ("latin1", "ascii"):
        if text.isascii():
            return text.encode("ascii")
        return bytes(ord(c) & 0xFF for c in text)
    if encoding == "utf16le":
        return text.encode("utf-16-le", "surrogatepass")
    if encoding == "hex":
        match = _HEX_PAIRS.match(text)
        return bytes.fromhex(match.group(0)) if match else b""
    # base64 / base64url: both alphabets accepted, junk ignored, padding optional
    raw = text.encode("ascii", "ignore").replace(b"-", b"+").replace(b"_", b"/")
    raw = raw.split(b"=", 1)[0]
    raw = _B64_JUNK.sub(b"", raw)
    if len(raw) % 4 == 1:
        raw = raw[:-1]            # a single dangling character carries no byte
    raw += b"=" * (-len(raw) % 4)
    try:
        return base64.b64decode(raw)
    except binascii.Error:  # pragma: no cover - input was cleaned above
        return b""


def decode(data: BytesLike, encoding: str = "utf8") -> str:
    """``buf.toString(encoding)`` for a whole buffer."""
    if encoding == "utf8":
        return bytes(data).decode("utf-8", "replace")
    if encoding == "latin1":
        return bytes(data).decode("latin-1")
    if encoding == "ascii":
        return bytes(data).translate(_ASCII_DECODE).decode("ascii")
    if encoding == "utf16le":
        raw = bytes(data)
        if len(raw) % 2:
            raw = raw[:-1]
        return raw.decode("utf-16-le", "surrogatepass")
    if encoding == "hex":
        return bytes(data).hex()
    if encoding == "base64":
        return base64.b64encode(bytes(data)).decode("ascii")
    return base64.urlsafe_b64encode(bytes(data)).decode("ascii").rstrip("=")


def node_length(chunk: Union[str, BytesLike]) -> int:
    """Node's ``chunk.length``: bytes for buffers, UTF-16 code units for strings."""
    if isinstance(chunk, str):
        if chunk.isascii():
            return len(chunk)
        return len(chunk) + sum(1 for c in chunk if c > "\uffff")
    if isinstance(chunk, memoryview):
        return chunk.nbytes
    return len(chunk)


class Decoder:
    """An incremental bytes -> str decoder (Node's ``StringDecoder``).

    ``write(b)`` returns the text of every complete character so far; ``end()``
    flushes what is left (an incomplete UTF-8 sequence becomes U+FFFD).
    """

    __slots__ = ("encoding", "_inc", "_pending", "_write")

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._pending = b""
        self._inc: Optional[codecs.IncrementalDecoder] = None
        if encoding == "utf8":
            self._inc = codecs.getincrementaldecoder("utf-8")("replace")
        elif encoding == "utf16le":
            self._inc = codecs.getincrementaldecoder("utf-16-le")("surrogatepass")
        write: Callable[[BytesLike], str]
        if self._inc is not None:
            write = self._write_codec
        elif encoding in ("base64", "base64url"):
            write = self._write_base64
        else:
            write = self._write_plain
        self._write = write

    def write(self, data: BytesLike) -> str:
        """Decode ``data``, holding back an incomplete character."""
        return self._write(data)

    def _write_codec(self, data: BytesLike) -> str:
        return self._inc.decode(data)  # type: ignore[union-attr]

    def _write_plain(self, data: BytesLike) -> str:
        return decode(data, self.encoding)

    def _write_base64(self, data: BytesLike) -> str:
        raw = self._pending + bytes(data)
        cut = len(raw) - len(raw) % 3
        self._pending = raw[cut:]
        return decode(raw[:cut], self.encoding)

    def end(self) -> str:
        """Flush the held-back bytes."""
        if self._inc is not None:
            if self.encoding == "utf16le":
                # Node drops an odd trailing byte (the codec would raise on it)
                held = self._inc.getstate()[0]
                self._inc.reset()
                return held[:len(held) - len(held) % 2].decode("utf-16-le", "surrogatepass")
            return self._inc.decode(b"", final=True)
        if self._pending:
            rest, self._pending = self._pending, b""
            return decode(rest, self.encoding)
        return ""
