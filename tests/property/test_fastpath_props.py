"""The fast path, the slow path and the streamed form give the bytes of SPEC.md 2.2."""

from __future__ import annotations

import hashlib
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import canonical, fingerprint
from provenance.canonical import Canonicalizer, canonicalize, is_canonical


def reference(covered: bytes) -> bytes:
    """SPEC.md 2.2 written the straightforward way, with no fast path."""
    text = covered.decode("utf-8").lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines).encode("utf-8")


# Every class of character NFC can change or that can change what precedes it, next to
# the characters articles are made of.
_PIECES = [
    "a",
    "e",
    "A",
    "o",
    "Z",
    " ",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "\ufeff",
    ".",
    "—",
    "“",
    "”",
    "’",
    "é",
    "Å",
    "ç",
    "ø",
    "€",
    "™",
    "\u2011",
    "\u0301",
    "\u0308",
    "\u0323",
    "\u0345",
    "\u0327",
    "\u030a",  # combining marks
    "\u1100",
    "\u1161",
    "\u11a8",
    "\uac00",
    "\uac01",  # Hangul jamo L, V, T; syllables
    "\u2000",
    "\u2001",
    "\u212b",
    "\u2126",
    "\u212a",
    "\u0340",
    "\u0344",
    "\u0387",  # singletons
    "\uf900",
    "\ufa10",
    "\U0002f800",  # CJK compatibility ideographs
    "\u09c7",
    "\u09be",
    "\u0cc6",
    "\u0cd5",
    "\u0b47",
    "\u0b3e",  # Indic vowel compositions
    "\u3099",
    "\u304b",
    "\u0f73",
    "\u2adc",
    "\u20d0",
    "\u0654",
    "\u0627",
    "中",
    "한",
    "д",
    "й",
    "\u0438\u0306",
]
texts = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.characters(exclude_categories=("Cs",))),
    max_size=60,
).map("".join)


@settings(max_examples=800, deadline=None)
@given(texts)
def test_canonicalize_is_the_reference(text: str) -> None:
    covered = text.encode("utf-8")
    expected = reference(covered)
    assert canonicalize(covered) == expected
    assert canonicalize(covered, validated=True) == expected
    if is_canonical(covered):
        assert expected == covered
    assert fingerprint.compute(covered) == hashlib.md5(expected).hexdigest()


@settings(max_examples=800, deadline=None)
@given(texts, st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_stream_at_any_chunk_borders_is_the_reference(text: str, cuts: list[int]) -> None:
    covered = text.encode("utf-8")
    borders = sorted({min(cut, len(covered)) for cut in cuts})
    out: list[bytes] = []
    stream = Canonicalizer(lambda piece: out.append(bytes(piece)))
    start = 0
    for border in [*borders, len(covered)]:
        stream.feed(covered[start:border])
        start = border
    stream.finish()
    assert b"".join(out) == reference(covered)


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(min_value=1, max_value=40))
def test_over_long_lines_are_cut_where_nfc_cannot_reach(text: str, size: int) -> None:
    covered = text.encode("utf-8")
    old = canonical.STREAM_LINE_LIMIT, canonical._CUT_SEARCH
    canonical.STREAM_LINE_LIMIT, canonical._CUT_SEARCH = 8, 16
    try:
        out: list[bytes] = []
        stream = Canonicalizer(lambda piece: out.append(bytes(piece)))
        for start in range(0, len(covered), size):
            stream.feed(covered[start : start + size])
        stream.finish()
    finally:
        canonical.STREAM_LINE_LIMIT, canonical._CUT_SEARCH = old
    assert b"".join(out) == reference(covered)


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(min_value=1, max_value=24))
def test_the_large_text_paths_are_the_reference(text: str, piece: int) -> None:
    """Validation in pieces, NFC block by block, hashing in a second thread: forced onto
    small texts by shrinking their thresholds, so that every border is exercised."""
    covered = text.encode("utf-8")
    expected = reference(covered)
    old = (
        canonical.VALIDATE_PIECE,
        canonical.NFC_BLOCK,
        canonical.SCREEN_PIECE,
        fingerprint.THREAD_MIN,
        fingerprint.REWRITE_STEP,
        fingerprint.PIECEWISE_MIN,
    )
    canonical.VALIDATE_PIECE, canonical.NFC_BLOCK, canonical.SCREEN_PIECE = piece, piece, piece
    fingerprint.THREAD_MIN, fingerprint.REWRITE_STEP, fingerprint.PIECEWISE_MIN = 0, piece, 0
    try:
        assert canonicalize(covered) == expected
        assert canonical.is_surely_canonical(covered) <= (covered == expected)
        assert canonical.is_surely_canonical_in_pieces(covered) <= (covered == expected)
        if canonical.is_surely_canonical(covered):
            assert canonical.is_surely_canonical_in_pieces(covered)
        assert canonical.rewrite(covered) == expected
        assert is_canonical(covered) == (covered == expected)
        assert fingerprint.compute(covered) == hashlib.md5(expected).hexdigest()
        assert fingerprint.compute(covered, validated=True) == hashlib.md5(expected).hexdigest()
    finally:
        (
            canonical.VALIDATE_PIECE,
            canonical.NFC_BLOCK,
            canonical.SCREEN_PIECE,
            fingerprint.THREAD_MIN,
            fingerprint.REWRITE_STEP,
            fingerprint.PIECEWISE_MIN,
        ) = old


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=80), st.integers(min_value=1, max_value=24))
def test_validation_in_pieces_fails_as_one_decode_does(data: bytes, piece: int) -> None:
    old = canonical.VALIDATE_PIECE, canonical.SCREEN_PIECE, fingerprint.THREAD_MIN
    canonical.VALIDATE_PIECE, canonical.SCREEN_PIECE, fingerprint.THREAD_MIN = piece, piece, 0
    try:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            expected: tuple[int, int] | None = (exc.start, exc.end)
        else:
            expected = None
        checks = (
            canonical.validate_utf8,
            is_canonical,
            fingerprint.compute,
            canonical.is_surely_canonical_in_pieces,
        )
        for check in checks:
            try:
                check(data)
            except UnicodeDecodeError as exc:
                assert (exc.start, exc.end) == expected
            else:
                assert expected is None
    finally:
        canonical.VALIDATE_PIECE, canonical.SCREEN_PIECE, fingerprint.THREAD_MIN = old
