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

from provenance.findings import (
    BIDI_CONTROLS,
    BOM_CHAR,
    ZERO_WIDTH,
    Scanner,
    _describe,
    text_warnings,
)

# Single characters: zero-width, bidi, invisible formatting characters, the BOM.
_REFERENCE = re.compile(
    rb"\xe2\x80[\x8b-\x8d\xaa-\xae]|\xe2\x81[\xa0-\xa4\xa6-\xa9]|\xef\xbb\xbf"
    rb"|\xef\xbf[\xb9-\xbb]|\xe1\xa0\x8e"
)
_SELECTOR = rb"(?:\xef\xb8[\x80-\x8f]|\xf3\xa0[\x84-\x86][\x80-\xbf]|\xf3\xa0\x87[\x80-\xaf])"
_SELECTOR_RUNS = re.compile(_SELECTOR + rb"{2,}")
_SELECTOR_ONE = re.compile(_SELECTOR)
_TAG = re.compile(rb"\xf3\xa0[\x80\x81][\x80-\xbf]")


def _tags(code: str) -> bytes:
    return "".join(chr(0xE0000 + ord(c)) for c in code).encode("utf-8")


# The three recommended subdivision flags, spelled out: their tags are not hidden data.
_FLAGS = re.compile(
    b"|".join(
        re.escape("\U0001f3f4".encode() + _tags(code) + "\U000e007f".encode())
        for code in ("gbeng", "gbsct", "gbwls")
    )
)
_WHAT = {
    "bidi": "bidirectional control",
    "zw": "zero-width character",
    "invisible": "invisible formatting character",
    "bom": "byte order mark in the middle of the text:",
}


def _line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def reference(data: bytes) -> tuple[str, ...]:
    """Every match of a few regular expressions over the whole text, leading BOMs allowed."""
    first: dict[str, tuple[str, int]] = {}
    counts: Counter[str] = Counter()
    leading_end = 0
    for match in _REFERENCE.finditer(data):
        char = match.group().decode("utf-8")
        if char == BOM_CHAR and match.start() == leading_end:
            leading_end += 3
            continue
        kind = (
            "bidi" if char in BIDI_CONTROLS
            else "bom" if char == BOM_CHAR
            else "zw" if char in ZERO_WIDTH
            else "invisible"
        )  # fmt: skip
        first.setdefault(kind, (char, _line(data, match.start())))
        counts[kind] += 1
    out = []
    for kind in ("bidi", "zw", "invisible", "bom"):
        if kind not in first:
            continue
        char, line = first[kind]
        more = f", {counts[kind]} in all" if counts[kind] > 1 else ""
        out.append(f"deceptive Unicode: {_WHAT[kind]} {_describe(char)} on line {line}{more}")
    exempt = {start for flag in _FLAGS.finditer(data) for start in range(flag.start(), flag.end())}
    tags = [m.start() for m in _TAG.finditer(data) if m.start() not in exempt]
    if tags:
        out.append(
            f"deceptive Unicode: hidden data: tag characters (U+E0000-U+E007F) from line "
            f"{_line(data, tags[0])}, {len(tags)} in all, could carry {len(tags)} bytes"
        )
    runs = list(_SELECTOR_RUNS.finditer(data))
    if runs:
        selectors = sum(len(_SELECTOR_ONE.findall(run.group())) for run in runs)
        many = f"{len(runs)} runs" if len(runs) > 1 else "1 run"
        out.append(
            "deceptive Unicode: hidden data: variation selectors in runs (U+FE00-U+FE0F, "
            f"U+E0100-U+E01EF) from line {_line(data, runs[0].start())}, {selectors} in {many}, "
            f"could carry {selectors} bytes"
        )
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
    # Hidden-data channels: variation selectors, tags, the flag that starts a tag sequence.
    st.characters(min_codepoint=0xFE00, max_codepoint=0xFE0F),
    st.characters(min_codepoint=0xE0000, max_codepoint=0xE01EF),
    st.sampled_from(["\U0001f3f4", "\U000e007f", "\u180e", "\u2061", "\ufffa"]),
    st.sampled_from(
        [
            "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in code) + "\U000e007f"
            for code in ("gbeng", "gbsct", "gbwls", "gbeng", "usca")
        ]
    ),
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
