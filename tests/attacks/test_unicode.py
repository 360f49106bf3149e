"""Deceptive Unicode: bidi controls, zero-width characters, stray BOMs, look-alike holders.

The fingerprint rules do not change (SPEC.md): these files keep their footer verdict. Each
finding is a warning on the result, shown by every report, and fails a run under --strict.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance import engine
from provenance.findings import Scanner, holder_warnings, skeleton, text_warnings
from provenance.model import Verdict
from provenance.tokens import TokenRegistry
from provenance.verify import check_bytes, check_file
from tests.attacks.conftest import assert_clean
from tests.conftest import BODY, article, invoke, write

DOW_JONES_NAME = "Dow Jones & Company"
REGISTRY = TokenRegistry({"0" * 32: f"{DOW_JONES_NAME} (WSJ)"})


@pytest.mark.parametrize(
    "char",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"],
)
def test_bidi_control_in_the_body_is_a_warning_that_fails_strict(char: str) -> None:
    result = check_bytes(article(body=f"Pay {char}the fee{char} now.").data())
    assert result.verdict is Verdict.OK  # The bytes are intact: the fingerprint says so.
    assert len(result.warnings) == 1
    assert f"U+{ord(char):04X}" in result.warnings[0] and "line 1" in result.warnings[0]
    assert not result.failed() and result.failed(strict=True)


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u2060"])
def test_zero_width_character_is_a_warning(char: str) -> None:
    result = check_bytes(article(body=f"{BODY}\nfer{char}ry").data())
    assert result.verdict is Verdict.OK
    assert result.warnings == (
        f"deceptive Unicode: zero-width character U+{ord(char):04X} "
        f"({__import__('unicodedata').name(char)}) on line 6",
    )


def test_bom_in_the_middle_of_the_text_is_a_warning_but_a_leading_one_is_not() -> None:
    leading = b"\xef\xbb\xbf" + article().data()
    assert check_bytes(leading).warnings == ()
    doubled = b"\xef\xbb\xbf\xef\xbb\xbf" + article().data()
    assert check_bytes(doubled).warnings == ()
    middle = article(body="Half\ufeffway.").data()
    (warning,) = check_bytes(middle).warnings
    assert "byte order mark in the middle" in warning


def test_bidi_control_inside_the_notice_is_a_warning() -> None:
    result = check_bytes(article(holder="Example \u202eNews, Inc.").data())
    assert result.verdict is Verdict.OK
    assert any("U+202E" in warning for warning in result.warnings)


def test_bidi_control_in_a_file_without_footer_is_still_reported() -> None:
    result = check_bytes("No footer \u202e here.\n".encode())
    assert result.verdict is Verdict.NO_FOOTER and result.warnings


def test_counts_every_occurrence_and_names_the_first() -> None:
    (warning,) = text_warnings("a\n\u202eb\n\u202ec\u202e".encode())
    assert warning.endswith("on line 2, 3 in all")


def test_holder_with_cyrillic_o_passing_for_a_known_publisher_is_a_warning() -> None:
    data = article(holder="D\u043ew Jones & Company, Inc.").data()
    result = check_bytes(data, tokens=REGISTRY)
    assert result.verdict is Verdict.OK
    (warning,) = result.warnings
    assert f"known publisher '{DOW_JONES_NAME}'" in warning
    assert "U+043E (CYRILLIC SMALL LETTER O)" in warning


def test_all_cyrillic_look_alike_of_a_known_publisher_is_a_warning() -> None:
    fake = "".join(
        {"o": "о", "e": "е", "a": "а", "c": "с", "p": "р"}.get(c, c) for c in "Dow Jones & Company"
    )
    assert holder_warnings(fake, [DOW_JONES_NAME])


def test_holder_mixing_latin_and_greek_look_alikes_is_a_warning() -> None:
    (warning,) = holder_warnings("Ex\u03b1mple News", [])
    assert "mixes Latin letters" in warning and "GREEK SMALL LETTER ALPHA" in warning


def test_fullwidth_holder_is_a_warning() -> None:
    (warning,) = holder_warnings("Ｅｘａｍｐｌｅ News", [])
    assert "compatibility characters" in warning


@pytest.mark.parametrize(
    "holder",
    ["Example News, Inc.", "Éditions Müller", "Новая газета", "Ελληνικά Νέα", "朝日新聞社"],
)
def test_honest_holders_in_one_script_give_no_warning(holder: str) -> None:
    assert holder_warnings(holder, [DOW_JONES_NAME]) == ()


def test_skeleton_maps_look_alikes_and_case() -> None:
    assert skeleton("ЕXАМРLЕ") == skeleton("example")


def test_plain_articles_with_curly_quotes_and_accents_give_no_warning() -> None:
    assert check_bytes(article().data()).warnings == ()


def test_streaming_path_reports_the_same_warnings(tmp_path: Path) -> None:
    body = "x" * 100 + "\n"
    big = body * ((engine.STREAM_THRESHOLD // len(body)) + 10)
    text = big + "A \u202ehidden\u202c turn.\nfer\u200bry"
    data = article(body=text, holder="D\u043ew Jones & Company, Inc.").data()
    path = write(tmp_path, "big.txt", data)
    streamed = check_file(path, tokens=REGISTRY)
    in_memory = check_bytes(data, str(path), tokens=REGISTRY)
    assert len(data) > engine.STREAM_THRESHOLD
    assert streamed.verdict is in_memory.verdict is Verdict.OK
    assert streamed.warnings == in_memory.warnings
    assert len(streamed.warnings) == 3


@pytest.mark.parametrize("split", range(0, 7))
def test_scanner_finds_a_character_split_across_chunks(split: int) -> None:
    data = "ab\u202ecd".encode()
    scanner = Scanner()
    scanner.feed(data[:split])
    scanner.feed(data[split:])
    assert scanner.warnings() == text_warnings(data)


def test_cli_shows_the_warning_and_strict_fails(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", article(body="Pay \u202eevil\u202c now.").data())
    plain = invoke("verify", path)
    assert_clean(plain, 0)
    strict = invoke("verify", "--strict", "--format", "json", path)
    assert_clean(strict, 1)
    (result,) = json.loads(strict.stdout)["results"]
    assert result["verdict"] == "ok"
    assert "RIGHT-TO-LEFT OVERRIDE" in result["warnings"][0]
