"""Buffer encodings (nodenet._charsets), against Node v20's Buffer and StringDecoder.

Each expected value was printed by node v20: ``[...Buffer.from(text, enc)]``,
``Buffer.from(bytes).toString(enc)``, ``'...'.length`` and ``new
StringDecoder(enc)`` fed one byte at a time.
"""

from __future__ import annotations

from typing import List

import pytest

from nodenet._charsets import Decoder, decode, encode, node_length, normalize


@pytest.mark.parametrize("name, canonical", [
    ("UTF-8", "utf8"), ("utf8", "utf8"), ("UCS2", "utf16le"), ("ucs-2", "utf16le"),
    ("utf-16le", "utf16le"), ("Binary", "latin1"), ("LATIN1", "latin1"), ("hex", "hex"),
    ("base64url", "base64url"), ("ascii", "ascii"), ("utf32", None), (None, None), (8, None),
])
def test_normalize(name: object, canonical: object) -> None:
    assert normalize(name) == canonical


@pytest.mark.parametrize("text, encoding, expected", [
    # lone surrogates become U+FFFD's bytes, as V8 encodes them
    ("a\ud800b", "utf8", [97, 239, 191, 189, 98]),
    ("\udc00", "utf8", [239, 191, 189]),
    # latin1/binary/ascii keep the low byte of each code unit
    ("h\u00e9\u20ac", "latin1", [104, 233, 172]),
    ("h\u00e9\u20ac", "ascii", [104, 233, 172]),
    ("plain", "latin1", [112, 108, 97, 105, 110]),
    ("a\ud800", "utf16le", [97, 0, 0, 216]),
    # hex stops at the first bad pair; an odd last digit is dropped
    ("abcdxyz", "hex", [171, 205]),
    ("abc", "hex", [171]),
    ("zz", "hex", []),
    # base64 accepts both alphabets, skips junk and stops at '='
    ("QUJD-_", "base64", [65, 66, 67, 251]),
    ("QUJDR", "base64", [65, 66, 67]),
    ("QU JD\nRA==", "base64", [65, 66, 67, 68]),
    ("QQ=junk", "base64", [65]),
    ("QUJDRA", "base64url", [65, 66, 67, 68]),
])
def test_encode_like_buffer_from(text: str, encoding: str, expected: List[int]) -> None:
    assert list(encode(text, encoding)) == expected


@pytest.mark.parametrize("data, encoding, expected", [
    (b"a\xff\xfeb", "utf8", "a\ufffd\ufffdb"),
    (b"a\xe9\xff", "latin1", "a\u00e9\u00ff"),
    (b"a\xe9\xff", "ascii", "ai\x7f"),
    (b"a\x00b", "utf16le", "a"),
    (b"\x00\xd8a\x00", "utf16le", "\ud800a"),
    (b"\xfb\xff", "base64", "+/8="),
    (b"\xfb\xff", "base64url", "-_8"),
    (b"\xfb\xff", "hex", "fbff"),
    (memoryview(b"\xfb\xff"), "hex", "fbff"),
])
def test_decode_like_to_string(data: bytes, encoding: str, expected: str) -> None:
    assert decode(data, encoding) == expected


def test_node_length_counts_utf16_code_units() -> None:
    # node: 'abc'.length 3, 'hé'.length 2, '😀'.length 2, 'a😀é'.length 4
    assert [node_length(s) for s in ("abc", "h\u00e9", "\U0001F600", "a\U0001F600\u00e9")] == \
        [3, 2, 2, 4]
    assert node_length(b"abc") == 3
    assert node_length(bytearray(5)) == 5
    assert node_length(memoryview(b"abcd").cast("B")[1:]) == 3


SAMPLE = "h\u00e9\u20ac\U0001F600!".encode("utf-8")


@pytest.mark.parametrize("encoding, expected", [
    ("utf8", ["h", "\u00e9", "\u20ac", "\U0001F600", "!"]),
    ("base64", ["aMOp", "4oKs", "8J+Y", "gCE="]),
    ("base64url", ["aMOp", "4oKs", "8J-Y", "gCE"]),
    ("hex", ["68", "c3", "a9", "e2", "82", "ac", "f0", "9f", "98", "80", "21"]),
    ("latin1", ["h", "\u00c3", "\u00a9", "\u00e2", "\x82", "\u00ac", "\u00f0", "\x9f",
                "\x98", "\x80", "!"]),
    ("ascii", ["h", "C", ")", "b", "\x02", ",", "p", "\x1f", "\x18", "\x00", "!"]),
])
def test_decoder_byte_at_a_time(encoding: str, expected: List[str]) -> None:
    # node: StringDecoder(enc).write() of each byte alone, then end(); empty strings dropped
    dec = Decoder(encoding)
    out = [dec.write(SAMPLE[i:i + 1]) for i in range(len(SAMPLE))]
    out.append(dec.end())
    assert [s for s in out if s] == expected


def test_decoder_utf8_incomplete_at_end_is_fffd() -> None:
    # node: d.write(Buffer.from([0xe2, 0x82])) -> '', d.end() -> '\ufffd'
    dec = Decoder("utf8")
    assert (dec.write(b"\xe2\x82"), dec.end()) == ("", "\ufffd")


def test_decoder_base64_flushes_the_remainder_once() -> None:
    # node: write([1,2,3,4]) -> 'AQID', end() -> 'BA==', end() again -> ''
    dec = Decoder("base64")
    assert [dec.write(bytes([1, 2, 3, 4])), dec.end(), dec.end()] == ["AQID", "BA==", ""]


@pytest.mark.parametrize("parts, expected", [
    ([b"a"], ["", "", "c"]),
    ([b"a\x00b"], ["a", "", "c"]),
    ([b"\x00\xd8", b"a"], ["", "", "\ud800", "c"]),
    ([b"\x3d\xd8", b"\x00\xde"], ["", "\U0001F600", "", "c"]),
])
def test_decoder_utf16le_odd_byte_and_surrogates(parts: List[bytes], expected: List[str]) -> None:
    # node: StringDecoder('utf16le') drops an odd trailing byte at end() (it used to
    # raise UnicodeDecodeError here), holds a high surrogate until its pair comes,
    # and is reusable after end()
    dec = Decoder("utf16le")
    out = [dec.write(p) for p in parts]
    out.append(dec.end())
    out.append(dec.write(b"c\x00"))
    assert out == expected
