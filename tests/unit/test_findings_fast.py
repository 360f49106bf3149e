"""The screen in front of the deceptive-Unicode scan never hides a finding.

``Scanner`` and ``text_warnings`` run their regular expression only over a text that the
screen (``findings._screen`` and a BOM search) says may hold a finding; these
tests hold them to the reference of tests/property/test_findings_props.py, over every
character that shares a first byte with a deceptive one and at every chunk border.
"""

from __future__ import annotations

import pytest

from provenance.findings import (
    BIDI_CONTROLS,
    BOM_CHAR,
    INVISIBLE,
    ZERO_WIDTH,
    Scanner,
    text_warnings,
)
from tests.property.test_findings_props import reference

BOM = BOM_CHAR.encode("utf-8")
DECEPTIVE = sorted(BIDI_CONTROLS | ZERO_WIDTH | INVISIBLE | {BOM_CHAR})


def _chunked(data: bytes, size: int) -> tuple[str, ...]:
    scanner = Scanner()
    for start in range(0, len(data), size):
        scanner.feed(data[start : start + size])
    return scanner.warnings()


@pytest.mark.parametrize("context", ["a{}b", "\u201c{}\u201d\n", "\u3060{}\uff0c"])
def test_every_character_starting_with_0xe2_or_0xef_is_reported_as_the_reference_does(
    context: str,
) -> None:
    # U+2000-U+2FFF start with 0xE2, U+F000-U+FFFF with 0xEF: the bytes the screen keys on.
    for code in [*range(0x2000, 0x3000), *range(0xF000, 0x10000)]:
        data = ("x\n" + context.format(chr(code))).encode("utf-8")
        assert text_warnings(data) == reference(data), hex(code)


@pytest.mark.parametrize("char", DECEPTIVE)
@pytest.mark.parametrize("size", [1, 2, 3, 4, 7])
def test_a_deceptive_character_split_across_chunks_is_found(char: str, size: int) -> None:
    data = ("Line one \u2019.\nPay " + char + " here\n").encode("utf-8")
    assert reference(data)
    assert _chunked(data, size) == reference(data)


@pytest.mark.parametrize("char", DECEPTIVE)
def test_every_deceptive_character_is_caught_wherever_it_stands(char: str) -> None:
    # What the outline screen's test held it to before the raw-first engine deleted it: the
    # byte screen that replaced it finds each character among curly quotes and dashes (which
    # share its lead bytes), at the start, in the middle and at the end of a text.
    for text in (f"{char}“Quoted” — ok\n", f"“Quoted” text {char}here — ok\n", f"“Q” —{char}"):
        data = ("x\n" + text).encode("utf-8")
        assert text_warnings(data) == reference(data) != (), (hex(ord(char)), text)
        assert _chunked(data, 4096) == reference(data)


def test_text_without_candidates_has_no_warnings() -> None:
    # Curly quotes, dashes, the ellipsis and the dagger share 0xE2 0x80 with bidi controls;
    # Hiragana and fullwidth punctuation share bytes with U+2060 and the BOM.
    data = "\u201cQuoted\u201d \u2014 a dash\u2026 \u2020 \u3060\uff0c \u00e9\n".encode() * 500
    assert text_warnings(data) == ()
    assert _chunked(data, 4096) == ()


def test_leading_byte_order_marks_are_allowed_even_when_fed_one_byte_at_a_time() -> None:
    data = BOM * 3 + b"Text\n"
    assert text_warnings(data) == ()
    assert _chunked(data, 1) == ()
    assert _chunked(data, 3) == ()


def test_a_stray_bom_after_leading_ones_is_reported_on_its_line() -> None:
    data = BOM * 2 + b"Text\n\xef\xbc\x8c more\n" + BOM + b"end\n"
    expected = (
        "deceptive Unicode: byte order mark in the middle of the text: U+FEFF "
        "(ZERO WIDTH NO-BREAK SPACE) on line 3",
    )
    assert text_warnings(data) == expected
    for size in (1, 3, 5, 8, len(data)):
        assert _chunked(data, size) == expected


def test_leading_boms_seen_by_the_screen_then_a_finding_in_a_later_chunk() -> None:
    scanner = Scanner()
    scanner.feed(BOM)
    scanner.feed(BOM + b"one\n")
    scanner.feed("two \u200b and \ufeff\n".encode())
    assert scanner.warnings() == reference(BOM * 2 + "one\ntwo \u200b and \ufeff\n".encode())
    assert len(scanner.warnings()) == 2
