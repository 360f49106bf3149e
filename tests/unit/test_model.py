"""provenance.model: verdict words, failure rules, summaries, frozen results."""

from __future__ import annotations

import dataclasses

import pytest

from provenance.model import (
    Algorithm,
    Document,
    EntryKind,
    ManifestVerdict,
    Span,
    Summary,
    Verdict,
)
from tests.conftest import file_report


def test_verdict_words_are_the_public_contract() -> None:
    assert [v.value for v in Verdict] == [
        "ok",
        "mismatch",
        "unverifiable",
        "no-footer",
        "malformed",
        "unreadable",
        "missing",
    ]


@pytest.mark.parametrize(
    ("verdict", "fails", "fails_strict"),
    [
        (Verdict.OK, False, False),
        (Verdict.MISMATCH, True, True),
        (Verdict.MALFORMED, True, True),
        (Verdict.UNREADABLE, True, True),
        (Verdict.MISSING, True, True),
        (Verdict.UNVERIFIABLE, False, True),
        (Verdict.NO_FOOTER, False, True),
    ],
)
def test_failed(verdict: Verdict, fails: bool, fails_strict: bool) -> None:
    result = file_report("a.txt", verdict, "detail")
    assert result.failed() is fails
    assert result.failed(strict=True) is fails_strict


def test_trailer_fails_only_under_strict() -> None:
    result = file_report("a.txt", Verdict.OK, "fingerprint matches", trailer="Appeared in print.")
    assert not result.failed()
    assert result.failed(strict=True)


def test_summary_counts_every_verdict() -> None:
    results = [file_report(f"{v}.txt", v, "") for v in Verdict] + [
        file_report("b.txt", Verdict.OK, "")
    ]
    summary = Summary.of(results)
    assert dict(summary.counts) == {**dict.fromkeys(Verdict, 1), Verdict.OK: 2}
    assert (summary.total, summary.failed, summary.ok) == (8, 4, False)
    strict = Summary.of(results, strict=True)
    assert (strict.failed, strict.strict) == (6, True)
    assert not Summary.of([]).ok and Summary.of([]).empty
    assert Summary.of([], allow_empty=True).ok


def test_what_counts_as_a_checked_file() -> None:
    article = file_report("a.txt", Verdict.NO_FOOTER, "")
    photo = file_report("p.png", None, "", manifest=ManifestVerdict.LISTED)
    seal = file_report("SHA256SUMS", None, "", kind=EntryKind.MANIFEST)
    assert [Summary.of([r]).checked for r in (article, photo, seal)] == [1, 1, 0]
    assert Summary.of([photo]).ok and not Summary.of([seal]).ok


def test_results_are_frozen() -> None:
    result = file_report("a.txt", Verdict.OK, "")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.detail = "changed"  # type: ignore[misc]
    assert result.footer is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.footer.verdict = Verdict.MISMATCH  # type: ignore[misc]


def test_algorithm_hex_length() -> None:
    assert Algorithm.MD5.hex_length == 32 and Algorithm.SHA256.hex_length == 64


def test_document_span_lookup_and_covered_end() -> None:
    spans = (Span("body", 0, 5), Span("notice", 5, 20), Span("fingerprint", 21, 53))
    doc = Document("Body.", (), (), None, None, None, spans)
    assert doc.span("notice") == Span("notice", 5, 20)
    assert doc.span("trailer") is None
    assert doc.covered_end == 20
    bare = Document("x", (), (), None, None, None, (Span("body", 0, 1),))
    assert bare.covered_end == 1


def test_seals_checked_without_trust_are_flagged_in_the_summary() -> None:
    sealed = file_report("a.txt", Verdict.OK, "", manifest=ManifestVerdict.LISTED)
    plain = file_report("b.txt", Verdict.OK, "")
    assert Summary.of([sealed], signatures_checked=False).seal_signatures_unchecked
    assert not Summary.of([sealed], signatures_checked=True).seal_signatures_unchecked
    assert not Summary.of([plain], signatures_checked=False).seal_signatures_unchecked


def test_with_record_keeps_every_other_field_and_a_failing_record_fails() -> None:
    from provenance.model import ChainLink, RecordCheck, SignatureResult, SignatureVerdict

    base = file_report(
        "a.txt",
        Verdict.OK,
        "fine",
        warnings=("w",),
        signature=SignatureResult(SignatureVerdict.GOOD, "good"),
        manifest=ManifestVerdict.LISTED,
    )
    good = SignatureResult(SignatureVerdict.GOOD, "good", principal="alice")
    matching = RecordCheck(
        path="a.txt.prov",
        signature=good,
        matches=True,
        chain=(ChainLink(digest="0" * 64, found=True, signature=good),),
    )
    checked = base.with_record(matching)
    assert dataclasses.replace(checked, record=None) == base
    assert checked.record is matching and not checked.failed()
    revoked = SignatureResult(SignatureVerdict.REVOKED, "revoked key")
    for failing in (
        dataclasses.replace(matching, matches=False),
        dataclasses.replace(matching, matches=None),
        dataclasses.replace(matching, signature=revoked),
        dataclasses.replace(
            matching,
            chain=(*matching.chain, ChainLink(digest="1" * 64, found=True, signature=revoked)),
        ),
    ):
        assert base.with_record(failing).failed(), failing
    # An earlier record found nowhere ends the chain; it does not fail the run by itself.
    missing = ChainLink(digest="2" * 64, found=False)
    assert not base.with_record(
        dataclasses.replace(matching, chain=(*matching.chain, missing))
    ).failed()
