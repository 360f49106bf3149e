"""Hidden-data channels in an intact article: tag characters, runs of variation selectors,
invisible formatting characters; and a C2PA text credential that must not hide the footer.

The verdict stays what the fingerprint says; each channel is a warning (with the bytes it
could carry) that fails --strict. Ordinary uses of the same characters give no warning.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance import engine
from provenance.findings import Scanner, text_warnings
from provenance.model import Verdict
from provenance.verify import check_bytes, check_file
from tests.attacks.conftest import assert_clean
from tests.conftest import article, invoke, write


def tags(text: str) -> str:
    return "".join(chr(0xE0000 + ord(char)) for char in text)


def selectors(payload: bytes) -> str:
    return "".join(chr(0xFE00 + b if b < 16 else 0xE0100 + b - 16) for b in payload)


def c2pa(manifest: bytes) -> str:
    header = b"C2PATXT\x00\x01" + len(manifest).to_bytes(4, "big")
    return "\ufeff" + selectors(header + manifest)


FLAG = "\U0001f3f4"
CANCEL = "\U000e007f"


def warnings_of(body: str) -> tuple[str, ...]:
    result = check_bytes(article(body=body).data())
    assert result.verdict is Verdict.OK
    return result.warnings


def test_tag_characters_are_hidden_data_with_their_byte_count() -> None:
    (warning,) = warnings_of(f"Markets closed higher.{tags('wire 40k to acct 7')}\nMore news.")
    assert warning == (
        "deceptive Unicode: hidden data: tag characters (U+E0000-U+E007F) from line 1, "
        "18 in all, could carry 18 bytes"
    )


def test_a_run_of_selectors_after_an_emoji_is_hidden_data() -> None:
    body = f"First line.\nGood news \U0001f600{selectors(b'secret')} today."
    (warning,) = warnings_of(body)
    assert warning.endswith("from line 2, 6 in 1 run, could carry 6 bytes")


def test_two_selectors_are_a_run_and_runs_are_counted() -> None:
    body = f"a\ufe00\ufe01 b\ufe0f c{selectors(b'xyz')}"
    (warning,) = warnings_of(body)
    assert warning.endswith("from line 1, 5 in 2 runs, could carry 5 bytes")


@pytest.mark.parametrize(
    "text",
    [
        "I \u2764\ufe0f this town.",  # emoji presentation selector
        "Text style \u263a\ufe0e, keycap 1\ufe0f\u20e3.",
        "The \u845b\U000e0100\u98fe district.",  # CJK ideographic variation sequence
        f"Fans waved the {FLAG}{tags('gbeng')}{CANCEL} and {FLAG}{tags('gbwls')}{CANCEL} flags.",
        "Fracht\u00adverkehrs\u00adabkommen",  # soft hyphens: not reported (findings.py says why)
    ],
)
def test_ordinary_uses_give_no_warning(text: str) -> None:
    assert warnings_of(text) == ()


@pytest.mark.parametrize(
    ("text", "count"),
    [
        (f"{FLAG}{tags('usca')}{CANCEL}", 5),  # a flag Unicode does not recommend
        (f"{FLAG}{tags('gbsct')}", 5),  # no cancel tag
        (f"{FLAG} {tags('gbsct')}{CANCEL}", 6),  # not right after the flag
        (f"{FLAG}{tags('gbsctx')}{CANCEL}", 7),  # too long
        (f"{tags('gbeng')}{CANCEL}", 6),  # no flag
    ],
)
def test_tag_sequences_other_than_the_recommended_flags_are_hidden_data(
    text: str, count: int
) -> None:
    (warning,) = warnings_of(f"Flags: {text} end.")
    assert f"{count} in all, could carry {count} bytes" in warning


@pytest.mark.parametrize(
    "char", ["\u180e", "\u2061", "\u2062", "\u2063", "\u2064", "\ufff9", "\ufffa", "\ufffb"]
)
def test_invisible_formatting_characters_are_reported(char: str) -> None:
    (warning,) = warnings_of(f"Pay{char} the{char} bill.")
    assert warning.startswith(
        f"deceptive Unicode: invisible formatting character U+{ord(char):04X}"
    )
    assert warning.endswith("on line 1, 2 in all")


def test_every_chunking_reports_what_the_whole_text_does() -> None:
    text = (
        f"a\ufe00\ufe01\ufe02 {FLAG}{tags('gbsct')}{CANCEL} {FLAG}{tags('zz')}\n"
        f"\u2062 x{tags('hi')}"
    ).encode()
    whole = text_warnings(text)
    assert len(whole) == 3
    for cut in range(len(text) + 1):
        for second in range(cut, len(text) + 1, 7):
            scanner = Scanner()
            for part in (text[:cut], text[cut:second], text[second:]):
                scanner.feed(part)
            assert scanner.warnings() == whole, (cut, second)


def test_strict_fails_on_hidden_data(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", article(body=f"Quiet day.{tags('leak')}").data())
    assert_clean(invoke("verify", path), 0)
    strict = invoke("verify", "--strict", "--format", "json", path)
    assert_clean(strict, 1)
    (result,) = json.loads(strict.stdout)["results"]
    assert result["verdict"] == "ok" and "could carry 4 bytes" in result["warnings"][0]


# C2PA text credentials (C2PA 2.3 §A.7): a wrapper of 8-14 KB after a stamped article.

MANIFEST = bytes(range(256)) * 12  # about 12 KB of selectors, past the footer window


def test_a_stamped_then_credentialed_article_is_ok_without_warnings() -> None:
    data = article().data() + c2pa(MANIFEST).encode() + b"\n"
    result = check_bytes(data)
    assert (result.verdict, result.warnings, result.trailer) == (Verdict.OK, (), None)


def test_the_credential_does_not_hide_an_altered_text() -> None:
    art = article()
    data = (art.text().replace("twice a day", "once a day") + c2pa(MANIFEST)).encode()
    assert check_bytes(data).verdict is Verdict.MISMATCH


def test_a_credential_in_the_middle_of_the_text_is_hidden_data() -> None:
    # Only a wrapper that ends the text is a credential; anywhere else it is a payload.
    # It is also reported as a credential that the footer covers.
    (bom, run, inside) = warnings_of(f"Opening line.{c2pa(b'payload')}\nClosing line.")
    assert "byte order mark" in bom
    assert run.endswith("20 in 1 run, could carry 20 bytes")
    assert inside.startswith("C2PA: the credential is inside the text the footer covers")


def test_a_large_file_with_a_credential_is_streamed_to_the_same_result(tmp_path: Path) -> None:
    line = "Filler text of a long transcript.\n"
    body = line * (engine.STREAM_THRESHOLD // len(line) + 10) + f"Last.{tags('x')}"
    data = article(body=body).data() + c2pa(MANIFEST).encode()
    path = write(tmp_path, "big.txt", data)
    streamed = check_file(path)
    in_memory = check_bytes(data, str(path))
    assert len(data) > engine.STREAM_THRESHOLD
    assert streamed.verdict is in_memory.verdict is Verdict.OK
    assert streamed.warnings == in_memory.warnings and len(streamed.warnings) == 1
    assert streamed.line == in_memory.line
