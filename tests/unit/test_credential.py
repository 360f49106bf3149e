"""provenance.credential: the C2PA text credential of a file, on the committed fixtures
(fixtures/c2pa/make_fixtures.py, signed by c2patxt) and on wrappers built here byte by byte.

The footer verdict never depends on the credential; the credential's state, span and hard
binding are reported beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.credential import check_credential
from provenance.engine import check_bytes
from provenance.model import C2paBinding as Binding
from provenance.model import C2paState, Verdict
from tests.conftest import article, invoke

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "c2pa"

# file: (footer verdict, C2PA state, binding)
EXPECTED = {
    "article.txt": (Verdict.OK, C2paState.ABSENT, None),
    "stripped.txt": (Verdict.OK, C2paState.ABSENT, None),
    "stamped-then-credentialed.txt": (Verdict.OK, C2paState.PRESENT, Binding.OK),
    "stamped-then-credentialed-padded.txt": (Verdict.OK, C2paState.PRESENT, Binding.OK),
    "bad-signature.txt": (Verdict.OK, C2paState.PRESENT, Binding.OK),
    "credentialed-then-stamped.txt": (Verdict.OK, C2paState.PRESENT, Binding.MISMATCH),
    "tampered-word.txt": (Verdict.MISMATCH, C2paState.PRESENT, Binding.MISMATCH),
    "crlf.txt": (Verdict.OK, C2paState.PRESENT, Binding.MALFORMED),
    "nfd.txt": (Verdict.OK, C2paState.PRESENT, Binding.MALFORMED),
    "truncated.txt": (Verdict.OK, C2paState.CORRUPT, None),
    "two-wrappers.txt": (Verdict.OK, C2paState.MULTIPLE, None),
}


def vs(byte: int) -> str:
    return chr(0xFE00 + byte if byte < 16 else 0xE0100 + byte - 16)


def wrapper(manifest: bytes, *, version: int = 1, length: int | None = None) -> str:
    declared = len(manifest) if length is None else length
    header = b"C2PATXT\x00" + bytes([version]) + declared.to_bytes(4, "big")
    return "\ufeff" + "".join(vs(b) for b in header + manifest)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_fixture_is_detected_and_the_footer_verdict_stands(name: str) -> None:
    verdict, state, binding = EXPECTED[name]
    result = check_bytes((FIXTURES / name).read_bytes(), name)
    assert result.c2pa is not None
    assert (result.verdict, result.c2pa.state, result.c2pa.binding) == (verdict, state, binding)


def test_a_present_credential_has_its_span_size_and_padding() -> None:
    data = (FIXTURES / "stamped-then-credentialed-padded.txt").read_bytes()
    check = check_credential(data)
    assert check.end == len(data) and data[check.start :].startswith(b"\xef\xbb\xbf")
    assert (
        check.size == len(data) - len((FIXTURES / "article.txt").read_bytes())
        and check.padding == 64
    )
    assert check.warnings == ()


def test_the_wrong_order_is_a_warning_and_the_right_one_is_not() -> None:
    wrong = check_bytes((FIXTURES / "credentialed-then-stamped.txt").read_bytes())
    right = check_bytes((FIXTURES / "stamped-then-credentialed.txt").read_bytes())
    assert right.warnings == ()
    (warning,) = wrong.warnings[-1:]
    assert warning.startswith("C2PA: the credential is inside the text the footer covers")


@pytest.mark.parametrize(
    ("tail", "state", "problem"),
    [
        (wrapper(b"abc") + wrapper(b"abc"), C2paState.MULTIPLE, "2 wrappers"),
        (wrapper(b"abc", version=2), C2paState.CORRUPT, "unknown wrapper version 2"),
        (wrapper(b"abc", length=99), C2paState.CORRUPT, "declares 99 manifest bytes and holds 3"),
        (wrapper(b"abc")[:12], C2paState.CORRUPT, "header is cut short"),
        (wrapper(b"a", length=1 << 30), C2paState.CORRUPT, "1,073,741,824-byte manifest"),
    ],
)
def test_a_genuine_footer_stays_ok_whatever_wrappers_follow(
    tail: str, state: C2paState, problem: str
) -> None:
    result = check_bytes(article().data() + tail.encode())
    assert result.verdict is Verdict.OK and result.c2pa is not None
    assert result.c2pa.state is state
    assert any(problem in warning for warning in result.warnings)


def test_an_altered_text_stays_a_mismatch_whatever_wrappers_follow() -> None:
    text = article().text().replace("twice a day", "once a day")
    for tail in ("", wrapper(b"abc"), wrapper(b"abc")[:20], wrapper(b"x") * 3):
        assert check_bytes((text + tail).encode()).verdict is Verdict.MISMATCH


def test_an_unreadable_store_is_a_malformed_binding_not_a_crash() -> None:
    check = check_credential(b"Body." + wrapper(b"\x00\x00\x00\x08jumbnot a store").encode())
    assert (check.state, check.binding) == (C2paState.PRESENT, Binding.MALFORMED)
    assert check.binding_detail is not None and "cannot be read" in check.binding_detail


def test_ordinary_variation_selectors_are_not_a_credential() -> None:
    body = "Hearts \u2764\ufe0f and \u845b\U000e0100 in a line."
    result = check_bytes(article(body=body).data())
    assert result.c2pa is not None and result.c2pa.state is C2paState.ABSENT
    assert result.warnings == ()


def test_every_output_format_mentions_the_credential(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes((FIXTURES / "crlf.txt").read_bytes())
    text = invoke("verify", str(path))
    assert text.exit_code == 0
    assert (
        "[C2PA: present (9,152 bytes at 567), binding malformed; signed, untrusted]" in text.stdout
    )
    (result,) = json.loads(invoke("verify", "--format", "json", str(path)).stdout)["results"]
    assert result["c2pa"]["state"] == "present" and result["c2pa"]["binding"] == "malformed"
    assert (result["c2pa"]["start"], result["c2pa"]["size"]) == (567, 9152)
    plain = tmp_path / "b.txt"
    plain.write_bytes(article().data())
    (result,) = json.loads(invoke("verify", "--format", "json", str(plain)).stdout)["results"]
    assert result["c2pa"] == {"state": "absent"}
