"""The byte-level fast path of the canonical form: what it accepts and why that is sound."""

from __future__ import annotations

import unicodedata

import pytest

from provenance import canonical
from provenance.canonical import canonicalize, is_canonical


def _second_of_a_composition() -> set[int]:
    seconds = {*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)}  # Hangul V and T jamo
    for code in range(0x110000):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                seconds.add(int(parts[1], 16))
    return seconds


def test_characters_the_screen_trusts_never_change_under_nfc() -> None:
    seconds = _second_of_a_composition()
    trusted = [
        code
        for code in range(0x80, 0x110000)
        if not 0xD800 <= code < 0xE000 and canonical.not_surely_stable().match(chr(code)) is None
    ]
    assert trusted
    for code in trusted:
        char = chr(code)
        assert unicodedata.combining(char) == 0, hex(code)
        assert unicodedata.normalize("NFC", char) == char, hex(code)
        assert code not in seconds, hex(code)


def test_stream_cuts_only_before_stable_characters() -> None:
    seconds = _second_of_a_composition()
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        encoded = chr(code).encode("utf-8")
        if encoded[0] in canonical._CUT_BEFORE:
            char = chr(code)
            assert char not in " \t\r\n"
            assert unicodedata.combining(char) == 0, hex(code)
            assert unicodedata.normalize("NFC", char) == char, hex(code)
            assert code not in seconds, hex(code)


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        ("Plain ASCII.\nTwo lines.", True),
        ("“Curly” — dashes – and café.\nZoë Ångström", True),
        ("Cyrillic й and 中文 are NFC", True),
        ("trailing space \nnext", False),
        ("trailing tab\t\nnext", False),
        ("crlf\r\nnext", False),
        ("\ufeffbom", False),
        ("final newline\n", False),
        ("nfd e\u0301", False),
        ("singleton \u212b", False),
        ("hangul \u1100\u1161", False),
        ("compat \uf900", False),
    ],
)
def test_fast_path_accepts_only_canonical_text(text: str, fast: bool) -> None:
    covered = text.encode("utf-8")
    assert is_canonical(covered) is fast
    assert (canonicalize(covered) == covered) is fast


def test_invalid_utf8_raises_unless_the_caller_validated_it() -> None:
    with pytest.raises(UnicodeDecodeError):
        canonicalize(b"caf\xe9")
    with pytest.raises(UnicodeDecodeError):
        is_canonical(b"caf\xe9 \n")


def test_fast_path_does_not_decode_a_validated_text(monkeypatch: pytest.MonkeyPatch) -> None:
    covered = ("“Quoted,” she said. " * 100).strip().encode("utf-8")
    calls: list[int] = []

    def counting_is_normalized(form: str, text: str) -> bool:
        calls.append(len(text))
        return unicodedata.is_normalized(form, text)

    monkeypatch.setattr(canonical.unicodedata, "is_normalized", counting_is_normalized)
    assert canonicalize(covered, validated=True) is covered
    assert calls == []  # The screen proved it without the per-character check.
