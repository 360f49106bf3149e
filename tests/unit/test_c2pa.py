"""provenance.c2pa: where a C2PA text-credential wrapper is, built here byte by byte."""

from __future__ import annotations

import pytest

from provenance.c2pa import CREDENTIAL_MAX, START, decode, encode, find_wrapper, selector


def vs(byte: int) -> bytes:
    """The selector for ``byte``, written out from C2PA 2.3 §A.7 (not from the module)."""
    return chr(0xFE00 + byte if byte < 16 else 0xE0100 + byte - 16).encode()


def wrapper(manifest: bytes, *, version: int = 1, length: int | None = None) -> bytes:
    declared = len(manifest) if length is None else length
    header = b"C2PATXT\x00" + bytes([version]) + declared.to_bytes(4, "big")
    return b"\xef\xbb\xbf" + b"".join(vs(b) for b in header + manifest)


def test_selectors_cover_every_byte_value_once() -> None:
    assert [selector(b) for b in range(256)] == [vs(b) for b in range(256)]
    assert len({selector(b) for b in range(256)}) == 256
    assert decode(encode(bytes(range(256)))) == bytes(range(256))
    assert wrapper(b"")[: len(START)] == START


def test_a_wrapper_after_a_text_is_found_with_its_header() -> None:
    text = b"Body.\n"
    data = text + wrapper(b"\x00jumbf" * 300) + b"\n\n"
    found = find_wrapper(data, len(data) - 2)
    assert found is not None
    assert (found.start, found.end) == (len(text), len(data) - 2)
    assert (found.version, found.declared_length, found.payload_size) == (1, 1800, 1800)


def test_a_wrapper_with_padding_or_a_wrong_length_is_still_a_wrapper() -> None:
    found = find_wrapper(b"x" + wrapper(b"abc", length=99))
    assert found is not None and found.declared_length == 99 and found.payload_size == 3
    cut = find_wrapper(b"x" + START + vs(1))  # The header is cut short.
    assert cut is not None and cut.version is None and cut.declared_length is None


@pytest.mark.parametrize(
    "data",
    [
        b"Body.",
        b"Body." + vs(1) * 20,  # selectors without the marker and magic
        b"Body." + b"\xef\xbb\xbf" + b"".join(vs(b) for b in b"C2PATXX\x00"),  # wrong magic
        b"Body." + wrapper(b"abc") + b"x",  # text after it: not at the end
        b"Body." + wrapper(b"abc")[:-1],  # a selector cut in half
        b"Body." + wrapper(b"a") + b"\xe2\x80\x8b" + vs(1),  # a zero-width space inside
    ],
)
def test_anything_else_is_not_a_wrapper(data: bytes) -> None:
    assert find_wrapper(data) is None


def test_a_wrapper_starting_further_back_than_the_limit_is_not_looked_for() -> None:
    big = wrapper(b"\x20" * (CREDENTIAL_MAX // 4))
    assert len(big) > CREDENTIAL_MAX
    assert find_wrapper(b"Body." + big) is None
    assert find_wrapper(b"Body." + wrapper(b"\x20" * (CREDENTIAL_MAX // 4 - 100))) is not None
