"""The deceptive-Unicode scanner reports what a plain regular-expression scan reports.

:mod:`provenance.findings` screens a text before it scans it (most texts hold no candidate
at all) and takes the text in chunks. Neither may change a warning: the reference below is
the scanner as it was before the screen, one regular expression over the whole text.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.findings import BIDI_CONTROLS, BOM_CHAR, Scanner, _describe, text_warnings

_REFERENCE = re.compile(rb"\xe2\x80[\x8b-\x8d\xaa-\xae]|\xe2\x81[\xa0\xa6-\xa9]|\xef\xbb\xbf")
_WHAT = {
    "bidi": "bidirectional control",
    "zw": "zero-width character",
    "bom": "byte order mark in the middle of the text:",
}


def reference(data: bytes) -> tuple[str, ...]:
    """Every match of one regular expression over the whole text, leading BOMs allowed."""
    first: dict[str, tuple[str, int]] = {}
    counts: Counter[str] = Counter()
    leading_end = 0
    for match in _REFERENCE.finditer(data):
        char = match.group().decode("utf-8")
        if char == BOM_CHAR and match.start() == leading_end:
            leading_end += 3
            continue
        kind = "bidi" if char in BIDI_CONTROLS else "bom" if char == BOM_CHAR else "zw"
        first.setdefault(kind, (char, data.count(b"\n", 0, match.start()) + 1))
        counts[kind] += 1
    out = []
    for kind in ("bidi", "zw", "bom"):
        if kind not in first:
            continue
        char, line = first[kind]
        more = f", {counts[kind]} in all" if counts[kind] > 1 else ""
        out.append(f"deceptive Unicode: {_WHAT[kind]} {_describe(char)} on line {line}{more}")
    return tuple(out)


# General Punctuation (every bidi and zero-width character, and curly quotes, dashes, the
# ellipsis and the dagger, which share their first two bytes), the BOM, characters whose
# encodings share bytes with theirs (CJK punctuation and fullwidth forms start with 0xE3 or
# 0xEF, Hiragana holds 0x81 0xA0), and the scripts articles are written in.
_CHARS = st.one_of(
    st.characters(min_codepoint=0x2000, max_codepoint=0x206F),
    st.just(BOM_CHAR),
    st.characters(min_codepoint=0x3000, max_codepoint=0x30FF),  # CJK punctuation, kana.
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80),  # CJK ideographs.
    st.characters(min_codepoint=0xFE00, max_codepoint=0xFFFD),  # Fullwidth, specials.
    st.characters(min_codepoint=0x0400, max_codepoint=0x04FF),  # Cyrillic.
    st.characters(min_codepoint=0x00A0, max_codepoint=0x00FF),  # Latin-1.
    st.sampled_from("ab \n\t.\r"),
    st.characters(codec="utf-8"),
)
_TEXTS = st.lists(_CHARS, max_size=80).map("".join).map(lambda text: text.encode("utf-8"))


@settings(max_examples=1500)
@given(_TEXTS)
def test_text_warnings_match_the_reference(data: bytes) -> None:
    assert text_warnings(data) == reference(data)


@settings(max_examples=300)
@given(st.binary(max_size=64))
def test_text_warnings_match_the_reference_on_any_bytes(data: bytes) -> None:
    assert text_warnings(data) == reference(data)


@settings(max_examples=1500)
@given(_TEXTS, st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_any_chunking_gives_the_reference_warnings(data: bytes, cuts: list[int]) -> None:
    bounds = sorted({cut % (len(data) + 1) for cut in cuts} | {0, len(data)})
    scanner = Scanner()
    for start, end in pairwise(bounds):
        scanner.feed(data[start:end])
    assert scanner.warnings() == reference(data)
