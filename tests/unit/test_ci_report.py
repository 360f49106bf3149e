"""CI reports: GitHub's annotation limit, the Markdown summary, GitLab Code Quality JSON."""

from __future__ import annotations

import json

from provenance.ci_report import codequality_report, markdown_report, markdown_text
from provenance.model import Result, Summary, Verdict
from provenance.report import github_report
from tests.conftest import file_report


def mismatches(count: int) -> list[Result]:
    return [
        file_report(f"a{n:02}.txt", Verdict.MISMATCH, f"expected x, computed y{n}", line=n)
        for n in range(1, count + 1)
    ]


def test_github_annotations_stay_whole_up_to_the_limit() -> None:
    results = mismatches(10)
    lines = github_report(results, Summary.of(results)).splitlines()
    assert [line.startswith("::error file=") for line in lines[:-1]] == [True] * 10
    assert lines[-1] == "10 files: 10 mismatch; FAILED (10 failing)"


def test_github_annotations_past_the_limit_are_logged_and_counted() -> None:
    """Issue 16 item 5: 15 mismatches gave 15 ::error lines, and GitHub showed 10."""
    results = [*mismatches(15), file_report("w.txt", Verdict.NO_FOOTER, "no notice", line=1)]
    lines = github_report(results, Summary.of(results)).splitlines()
    annotations = [line for line in lines if line.startswith("::error")]
    assert len(annotations) == 10  # What GitHub shows: nothing is lost without a word.
    assert annotations[8].startswith("::error file=a09.txt,line=9,")
    assert annotations[9] == (
        "::error title=provenance::6 more errors not shown as annotations (GitHub shows 10 per"
        " step): see the log above or the job summary"
    )
    assert "error: a10.txt:10: mismatch: expected x, computed y10" in lines
    assert "error: a15.txt:15: mismatch: expected x, computed y15" in lines
    assert sum(line.startswith("::warning file=w.txt") for line in lines) == 1
    assert lines[-1].startswith("16 files: 15 mismatch, 1 no-footer; FAILED (15 failing)")


def test_markdown_lists_every_failure_and_the_annotations_github_dropped() -> None:
    results = [*mismatches(15), file_report("ok.txt", Verdict.OK, "")]
    text = markdown_report(results, Summary.of(results), github_annotations=True)
    lines = text.splitlines()
    assert lines[0] == "### provenance verify: FAILED"
    assert "16 files: 1 ok, 15 mismatch; FAILED \\(15 failing\\)" in lines
    assert (
        "GitHub shows 10 error annotations per step: 6 of the 15 errors have none, and are"
        " listed here and in the log." in lines
    )
    rows = [line for line in lines if line.startswith("| mismatch |")]
    assert len(rows) == 15
    assert rows[0] == "| mismatch | a01.txt | 1 | mismatch: expected x, computed y1 |"
    assert "ok.txt" not in text


def test_markdown_of_a_passing_run() -> None:
    results = [file_report("ok.txt", Verdict.OK, "")]
    assert markdown_report(results, Summary.of(results)) == (
        "### provenance verify: passed\n\n1 file: 1 ok; passed\n"
    )


def test_a_hostile_name_cannot_break_the_markdown_table_or_inject_html() -> None:
    name = "x|y<img src=a onerror=b>[l](http://e)`c`\n| forged | row |.txt"
    results = [file_report(name, Verdict.MISMATCH, "expected x, computed y", line=1)]
    row = markdown_report(results, Summary.of(results)).splitlines()[-1]
    assert row.count("|") - row.count("\\|") == 5  # Five cell borders: one row, four cells.
    assert "<" not in row.replace("\\<", "")
    assert "\n" not in row
    assert markdown_text("a\\b") == "a\\\\\\\\b"  # escape() doubles it, Markdown again.


def test_codequality_has_an_entry_per_issue_with_stable_fingerprints() -> None:
    results = [
        file_report("a.txt", Verdict.MISMATCH, "expected x, computed y", line=7),
        file_report("b.txt", Verdict.NO_FOOTER, "no copyright notice at the end"),
        file_report("c.txt", Verdict.OK, ""),
    ]
    report = json.loads(codequality_report(results, Summary.of(results)))
    assert report[0] == {
        "description": "mismatch: expected x, computed y",
        "check_name": "provenance mismatch",
        "fingerprint": report[0]["fingerprint"],
        "severity": "major",
        "location": {"path": "a.txt", "lines": {"begin": 7}},
    }
    assert (report[1]["severity"], report[1]["location"]) == (
        "minor",
        {"path": "b.txt", "lines": {"begin": 1}},
    )
    assert len(report) == 2
    again = json.loads(codequality_report(results, Summary.of(results)))
    assert [e["fingerprint"] for e in again] == [e["fingerprint"] for e in report]
    assert len({e["fingerprint"] for e in report}) == 2
    strict = json.loads(codequality_report(results, Summary.of(results, strict=True)))
    assert strict[1]["severity"] == "major"


def test_codequality_of_a_clean_run_is_an_empty_array() -> None:
    results = [file_report("c.txt", Verdict.OK, "")]
    assert codequality_report(results, Summary.of(results)) == "[]\n"


def test_codequality_fingerprints_of_identical_findings_differ() -> None:
    twice = file_report("a.txt", Verdict.OK, "", warnings=("w", "w"))
    report = json.loads(codequality_report([twice], Summary.of([twice])))
    assert len({entry["fingerprint"] for entry in report}) == 2
