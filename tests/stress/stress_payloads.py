"""Deterministic test data shared by the stress tests and their peer process.

Both sides must be able to produce the same bytes without sending a seed table
around, and cheaply (tens of MiB per test): every stream is a walk through one
fixed pseudo-random pool, starting at an offset of its own, so two streams
differ, every byte depends on its position, and a SHA-256 of what arrived can
be compared with one of what should have arrived.

Imported by the peer process too (tests/stress/stress_peers.py), which runs
outside pytest: standard library only.
"""

from __future__ import annotations

import hashlib
import random
from typing import Iterator

POOL_SIZE = 1 << 20
CHUNK = 1 << 16
_POOL = random.Random(0x5EED).randbytes(POOL_SIZE + CHUNK)


def chunks(start: int, length: int, size: int = CHUNK) -> Iterator[bytes]:
    """The ``length`` bytes of the stream that starts at pool offset ``start``,
    in pieces of at most ``size`` (<= CHUNK) bytes."""
    assert 0 < size <= CHUNK
    pos = start % POOL_SIZE
    left = length
    while left > 0:
        n = size if left > size else left
        yield _POOL[pos:pos + n]
        pos = (pos + n) % POOL_SIZE
        left -= n


def stream(start: int, length: int) -> bytes:
    """The whole stream at once (small streams)."""
    return b"".join(chunks(start, length))


def sha256_hex(start: int, length: int) -> str:
    """SHA-256 of the stream, computed from the generator (never from what was sent)."""
    h = hashlib.sha256()
    for piece in chunks(start, length):
        h.update(piece)
    return h.hexdigest()


def echo_payload(index: int, round_: int, length: int) -> bytes:
    """A payload no other connection sends: its index and round, then pool bytes
    from an offset of its own."""
    head = b"%d/%d:" % (index, round_)
    body_len = max(0, length - len(head))
    return head + stream(index * 7919 + round_ * 104729, body_len)
