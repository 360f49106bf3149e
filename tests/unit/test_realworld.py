"""Footer shapes of the real world (issue 14): each fixture of fixtures/articles/realworld/.

The fixtures are made by fixtures/make_fixtures.py with their own digests and encoders; here
each one gets the verdict a user would expect, and the parts a reader would point at. A
publisher's intact file never fails a plain run; the altered one is still a mismatch.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DOW_JONES, FIXTURES, invoke

from provenance.model import Document, Verdict
from provenance.parsing import parse
from provenance.verify import check_file

REALWORLD = FIXTURES / "realworld"
DJ = "Dow Jones & Company (WSJ, Barron's, MarketWatch, Investor's Business Daily)"

EXPECTED = {
    "c2pa-text-credential.txt": (Verdict.OK, "fingerprint matches"),
    "emoji-and-ideographic-variants.txt": (Verdict.OK, "fingerprint matches"),
    "hidden-tag-characters.txt": (Verdict.OK, "fingerprint matches"),
    "hidden-variation-selectors.txt": (Verdict.OK, "fingerprint matches"),
    "html-entities.txt": (Verdict.OK, "fingerprint matches"),
    "latin-1.txt": (
        Verdict.UNREADABLE,
        "not UTF-8 (invalid byte at offset 327); it looks like ISO-8859-1 (Latin-1): "
        "convert it with 'iconv -f ISO-8859-1 -t UTF-8'",
    ),
    "lynx-dump-altered.txt": (Verdict.MISMATCH, None),
    "lynx-dump-indented.txt": (Verdict.OK, "fingerprint matches"),
    "lynx-dump-publisher-token.txt": (
        Verdict.UNVERIFIABLE,
        f"publisher token of {DJ}, not a digest of the text",
    ),
    "no-break-spaces.txt": (Verdict.OK, "fingerprint matches"),
    "publisher-token-cut-by-paywall.txt": (
        Verdict.UNVERIFIABLE,
        f"first 8 of 32 hex digits of the publisher token of {DJ}, then '</p>': "
        "damaged in transit, not a digest of the text",
    ),
    "publisher-token-glued-to-notice.txt": (
        Verdict.UNVERIFIABLE,
        f"publisher token of {DJ}, with nothing between it and the notice: "
        "damaged in transit, not a digest of the text",
    ),
    "publisher-token-glued-to-text.txt": (
        Verdict.UNVERIFIABLE,
        f"publisher token of {DJ}, followed by 'What' with nothing between them: "
        "damaged in transit, not a digest of the text",
    ),
    "publisher-token-truncated.txt": (
        Verdict.UNVERIFIABLE,
        f"first 23 of 32 hex digits of the publisher token of {DJ}, then '...': "
        "damaged in transit, not a digest of the text",
    ),
    "token-glued-to-notice.txt": (
        Verdict.MALFORMED,
        "nothing separates fingerprint 'ad4fadf536b3fa7d2af8d6e16f0fc26c' from the notice "
        "before it",
    ),
    "windows-1252.txt": (
        Verdict.UNREADABLE,
        "not UTF-8 (invalid byte at offset 151); it looks like Windows-1252: "
        "convert it with 'iconv -f WINDOWS-1252 -t UTF-8'",
    ),
}
WARNED = {
    "hidden-tag-characters.txt": "deceptive Unicode: hidden data: tag characters "
    "(U+E0000-U+E007F) from line 1, 18 in all, could carry 18 bytes",
    "hidden-variation-selectors.txt": "deceptive Unicode: hidden data: variation selectors in "
    "runs (U+FE00-U+FE0F, U+E0100-U+E01EF) from line 4, 22 in 1 run, could carry 22 bytes",
}


def doc_of(name: str) -> Document:
    doc = parse((REALWORLD / name).read_bytes())
    assert isinstance(doc, Document)
    return doc


def test_every_realworld_fixture_has_an_expected_verdict() -> None:
    assert sorted(path.name for path in REALWORLD.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_realworld_verdicts(name: str) -> None:
    result = check_file(REALWORLD / name)
    verdict, detail = EXPECTED[name]
    assert result.verdict is verdict, result.detail
    if detail is not None:
        assert result.detail == detail
    assert result.warnings == ((WARNED[name],) if name in WARNED else ())


def test_no_intact_publisher_file_fails_a_plain_run() -> None:
    intact = [
        REALWORLD / name
        for name, (verdict, _) in EXPECTED.items()
        if verdict in (Verdict.OK, Verdict.UNVERIFIABLE)
    ]
    result = invoke("verify", *intact)
    assert result.exit_code == 0, result.stdout
    strict = invoke("verify", "--strict", REALWORLD / "publisher-token-cut-by-paywall.txt")
    assert strict.exit_code == 1


def test_lynx_dump_keeps_its_credits_and_contacts() -> None:
    doc = doc_of("lynx-dump-indented.txt")
    assert doc.contributors == ("Jane Roe", "Rafael Ortiz")
    assert [c.email for c in doc.contacts] == ["ann.lee@example.com", "bo.chen@example.com"]
    assert "contributed" not in doc.body and "Write to" not in doc.body


def test_lynx_dump_of_a_publisher_page_reads_the_token_on_its_own_indented_line() -> None:
    doc = doc_of("lynx-dump-publisher-token.txt")
    assert doc.fingerprint is not None and doc.fingerprint.value == DOW_JONES
    assert doc.contacts[0].name == "Tom Reyes"


def test_holder_is_reported_decoded_and_the_notice_as_written() -> None:
    doc = doc_of("html-entities.txt")
    assert doc.copyright is not None
    assert doc.copyright.holder == "Harbour & Coast Media Ltd."
    assert doc.copyright.text.startswith("Copyright &#169; 2022 Harbour &amp; Coast")


def test_no_break_spaces_are_blanks_of_the_notice_and_the_gap() -> None:
    doc = doc_of("no-break-spaces.txt")
    assert doc.copyright is not None and doc.copyright.holder == "Example News, Inc."
    assert doc.fingerprint is not None and doc.span("gap") is not None


def test_the_credential_has_a_span_and_the_footer_is_found_before_it() -> None:
    data = (REALWORLD / "c2pa-text-credential.txt").read_bytes()
    doc = doc_of("c2pa-text-credential.txt")
    credential = doc.span("credential")
    assert credential is not None and credential.end == len(data)
    assert data[credential.start :].startswith("\ufeff".encode())
    assert credential.end - credential.start > 8192  # Larger than the footer window.
    assert doc.fingerprint is not None and doc.trailer is None
    assert [span.name for span in doc.spans][-3:] == ["fingerprint", "trailer", "credential"]


def test_a_damaged_publisher_token_is_explained_by_parse_too() -> None:
    doc = doc_of("publisher-token-cut-by-paywall.txt")
    assert doc.malformed_token == "87990cbe</p>"
    assert doc.note is not None and "damaged in transit" in doc.note


@pytest.mark.parametrize("name", ["latin-1.txt", "windows-1252.txt"])
def test_converting_as_the_hint_says_gives_a_readable_article(name: str, tmp_path: Path) -> None:
    result = check_file(REALWORLD / name)
    encoding = result.detail.split("iconv -f ")[1].split(" ")[0]
    converted = tmp_path / name
    converted.write_bytes((REALWORLD / name).read_bytes().decode(encoding).encode("utf-8"))
    # Converting changes the bytes, so the old digest cannot match; the file is text now.
    assert check_file(converted).verdict in (Verdict.OK, Verdict.MISMATCH)
