"""The outline screen: what is_plain accepts is NFC-stable and never deceptive."""

from __future__ import annotations

from provenance import findings
from provenance.canonical import not_surely_stable, outline
from provenance.outline import _without, is_plain

DECEPTIVE = {*findings.BIDI_CONTROLS, *findings.ZERO_WIDTH, *findings.INVISIBLE, findings.BOM_CHAR}


def test_plain_characters_are_the_stable_ones_less_the_deceptive_ones() -> None:
    for code in range(0x80, 0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        stable = not_surely_stable().match(char) is None
        assert is_plain(char.encode()) == (stable and char not in DECEPTIVE), hex(code)


def test_every_deceptive_character_is_caught_wherever_it_stands() -> None:
    for char in DECEPTIVE:
        text = f"“Quoted” text {char}here — ok\n".encode()
        assert not is_plain(outline(text))


def test_line_ends_are_plain_and_other_ascii_is_not_in_an_outline() -> None:
    assert is_plain(b"\n\n")
    assert outline(b"plain ASCII\nline\n") == b"\n\n"
    assert not is_plain(b"x")  # ASCII never reaches an outline; if it did, it is not plain.


def test_without_cuts_points_out_of_ranges() -> None:
    assert _without(((1, 10),), {1, 5, 10, 20}) == [(2, 4), (6, 9)]
    assert _without(((1, 1), (3, 4)), {1}) == [(3, 4)]
