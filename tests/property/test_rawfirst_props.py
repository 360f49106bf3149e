"""The raw-first answers, the reference and the streamed form agree (SPEC.md 2.2).

The raw-first rule (:func:`provenance.fingerprint.computed`) answers from the digest of the
covered bytes as they are, or after the cheap byte steps; it must give the reference's
digest for every token that is the digest of some canonical text: the one a stamp writes.
Texts are drawn from every class of character NFC can change, CR/CRLF/BOM/trailing blanks,
and the claimed token from the same text, a transport-damaged copy of it, or another text.
"""

from __future__ import annotations

import hashlib
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import _stream, canonical, engine, fingerprint
from provenance.canonical import Canonicalizer, canonicalize
from provenance.engine import check_bytes, check_file
from provenance.model import Algorithm, Canonicalization


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
    assert canonicalize(expected) == expected
    assert fingerprint.compute(covered) == hashlib.md5(expected).hexdigest()


def _damaged(text: str, how: int) -> str:
    """``text`` as transport (or an editor) may have changed it."""
    return [
        text,
        text.replace("\n", "\r\n"),
        "\ufeff" + text,
        "\ufeff\ufeff" + text.replace("\n", "\r\n") + "\r\n",
        text.replace("\n", "\r"),
        unicodedata.normalize("NFD", text),
        text.replace("\n", " \t\n") + "\n\n",
        text.replace("\n", "\r\r\n"),
    ][how]


@settings(max_examples=1500, deadline=None)
@given(texts, texts, st.integers(min_value=0, max_value=7), st.booleans(), st.booleans())
def test_raw_first_gives_the_reference_digest(
    text: str, other: str, how: int, same: bool, sha: bool
) -> None:
    """The token is the digest of a canonical text (the stamped one, or another): the
    raw-first answer is then the reference's, and so is the verdict."""
    algorithm = Algorithm.SHA256 if sha else Algorithm.MD5
    stamped = reference(text.encode("utf-8") if same else other.encode("utf-8"))
    claimed = fingerprint.digest(stamped, algorithm)
    covered = _damaged(text, how).encode("utf-8")
    expected = fingerprint.digest(reference(covered), algorithm)
    assert fingerprint.computed(covered, claimed, algorithm) == expected
    simple = fingerprint.computed(covered, claimed, algorithm, Canonicalization.SIMPLE)
    assert simple == fingerprint.digest(covered, algorithm)


NOTICE = "\nCopyright 2024 Example News, Inc. All Rights Reserved."


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=0, max_value=7), st.booleans(), st.integers(1, 40))
def test_a_verify_is_the_reference_in_memory_and_streamed(
    text: str, how: int, tamper: bool, chunk: int
) -> None:
    """Whole files: the verdict and details of check_bytes and of the streamed check_file
    are those the reference digest gives."""
    body = "Body." + text.replace("\x00", "")
    stamped = reference((body + NOTICE).encode("utf-8"))
    token = hashlib.md5(stamped).hexdigest()
    covered = (_damaged(body + ("!" if tamper else ""), how) + NOTICE).encode("utf-8")
    data = covered + f" {token}\n".encode()
    result = check_bytes(data, "a.txt")
    actual = hashlib.md5(reference(covered)).hexdigest()
    if result.expected == token:  # The footer was found (some damage hides it).
        assert result.verdict.value == ("ok" if actual == token else "mismatch")
        if actual != token:
            assert result.actual == actual
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".txt") as handle:
        handle.write(data)
        handle.flush()
        old = engine.STREAM_THRESHOLD, _stream.CHUNK
        engine.STREAM_THRESHOLD, _stream.CHUNK = 0, chunk
        try:
            streamed = check_file(handle.name, display="a.txt")
        finally:
            engine.STREAM_THRESHOLD, _stream.CHUNK = old
    assert streamed == result


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
@given(st.binary(max_size=80), st.integers(min_value=1, max_value=24))
def test_streamed_validation_fails_as_one_decode_does(data: bytes, piece: int) -> None:
    import codecs

    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        expected: int | None = exc.start
    else:
        expected = None
    # pytest's monkeypatch fixture lasts a whole test, not one example: a context per example.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_stream, "VALIDATE_PIECE", piece)
        decoder = codecs.getincrementaldecoder("utf-8")()
        found = None
        try:
            for start in range(0, len(data), piece):
                _stream._decode(decoder, data[start : start + piece], start)
            _stream._decode(decoder, b"", len(data), final=True)
        except _stream.InvalidText as exc:
            found = exc.offset
    assert found == expected
