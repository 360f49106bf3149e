"""provenance.report: the exact text and JSON shapes users and scripts read."""

from __future__ import annotations

import json

from conftest import article

from provenance.model import Algorithm, Document, ManifestVerdict, Result, Summary, Verdict
from provenance.parse import parse
from provenance.report import (
    document_dict,
    document_text,
    github_annotations,
    json_report,
    junit_report,
    points_at_file,
    result_dict,
    result_line,
    summary_line,
    text_report,
)

OK = Result("a.txt", Verdict.OK, "fingerprint matches", Algorithm.MD5, "1" * 32, "1" * 32)
BAD = Result("b.txt", Verdict.MISMATCH, "expected x, computed y", Algorithm.MD5, "x", "y")
TRAILER = Result("c.txt", Verdict.OK, "fingerprint matches", trailer="Appeared in print.")

ISSUE_RESULT_KEYS = {"path", "verdict", "algorithm", "expected", "actual", "detail"}
ISSUE_DOCUMENT_KEYS = {
    "body",
    "contributors",
    "contacts",
    "copyright",
    "fingerprint",
    "trailer",
    "spans",
}


def test_result_lines() -> None:
    assert result_line(OK) == "ok            a.txt"
    assert result_line(BAD) == "mismatch      b.txt  (expected x, computed y)"
    assert result_line(TRAILER) == (
        "ok            c.txt  [text after the fingerprint is not covered]"
    )


def test_summary_lines() -> None:
    assert summary_line(Summary.of([OK, BAD])) == ("2 files: 1 ok, 1 mismatch; FAILED (1 failing)")
    assert summary_line(Summary.of([OK])) == "1 file: 1 ok; passed"
    assert summary_line(Summary.of([TRAILER], strict=True)) == (
        "1 file: 1 ok; FAILED (1 failing) under --strict"
    )
    assert summary_line(Summary.of([])) == "no files to check"


def test_text_report() -> None:
    results = [OK, BAD]
    assert text_report(results, Summary.of(results)) == (
        "ok            a.txt\n"
        "mismatch      b.txt  (expected x, computed y)\n"
        "2 files: 1 ok, 1 mismatch; FAILED (1 failing)\n"
    )


def test_json_report() -> None:
    results = [OK, BAD]
    payload = json.loads(json_report(results, Summary.of(results)))
    assert payload["version"] == 1
    assert payload["summary"] == {
        "ok": 1,
        "mismatch": 1,
        "unverifiable": 0,
        "no-footer": 0,
        "malformed": 0,
        "unreadable": 0,
        "missing": 0,
    }
    assert set(payload["results"][1]) >= ISSUE_RESULT_KEYS
    assert {k: payload["results"][1][k] for k in ISSUE_RESULT_KEYS} == {
        "path": "b.txt",
        "verdict": "mismatch",
        "algorithm": "md5",
        "expected": "x",
        "actual": "y",
        "detail": "expected x, computed y",
    }
    assert result_dict(TRAILER)["trailer"] == "Appeared in print."
    assert result_dict(Result("d", Verdict.UNREADABLE, "binary"))["algorithm"] is None


def test_document_dict() -> None:
    art = article()
    data = art.data(trailer=" Appeared in print.")
    doc = parse(data)
    assert isinstance(doc, Document)
    payload = json.loads(json.dumps(document_dict(doc)))
    assert set(payload) >= ISSUE_DOCUMENT_KEYS
    assert payload["contributors"] == ["Jane Roe", "Rafael Ortiz"]
    assert payload["contacts"][0] == {"name": "Ann Lee", "email": "ann.lee@example.com"}
    assert {k: payload["copyright"][k] for k in ("year", "holder", "text")} == {
        "year": "2022",
        "holder": "Example News, Inc.",
        "text": "Copyright ©2022 Example News, Inc. All Rights Reserved.",
    }
    assert {k: payload["fingerprint"][k] for k in ("value", "algorithm", "kind")} == {
        "value": art.digest,
        "algorithm": "md5",
        "kind": "content",
    }
    assert payload["trailer"] == "Appeared in print."
    spans = payload["spans"]
    assert b"".join(data[s["start"] : s["end"]] for s in spans) == data
    assert set(spans[0]) == {"name", "start", "end"}


def test_document_dict_without_footer() -> None:
    doc = parse(b"Just a story.\n")
    assert isinstance(doc, Document)
    payload = document_dict(doc)
    assert (payload["copyright"], payload["fingerprint"], payload["trailer"]) == (None, None, None)


def test_document_text() -> None:
    art = article()
    doc = parse(art.data())
    assert isinstance(doc, Document)
    body_bytes = len(doc.body.encode())
    assert document_text(doc) == (
        f"body:         {body_bytes} bytes, 3 lines\n"
        "contributors: Jane Roe; Rafael Ortiz\n"
        "contacts:     Ann Lee <ann.lee@example.com>; Bo Chen <bo.chen@example.com>\n"
        "copyright:    2022, Example News, Inc. (line 6)\n"
        f"fingerprint:  md5 {art.digest} (content)\n"
        "trailer:      -\n"
    )


MISSING = Result(
    "issue/b.txt",
    Verdict.MISSING,
    "listed in SHA256SUMS line 7, but absent",
    line=7,
    manifest=ManifestVerdict.MISSING,
)
UNSAFE = Result(
    "../etc/passwd",
    Verdict.UNREADABLE,
    "unsafe path in SHA256SUMS line 2: the path holds '..'; never opened",
    line=2,
    manifest=ManifestVerdict.UNSAFE,
)


def test_a_missing_file_has_a_verdict_of_its_own() -> None:
    assert result_line(MISSING) == (
        "missing       issue/b.txt  (listed in SHA256SUMS line 7, but absent)  [SHA256SUMS: missing]"
    )
    assert result_dict(MISSING)["verdict"] == "missing"
    assert MISSING.failed()
    assert summary_line(Summary.of([MISSING])) == (
        "1 file: 1 missing; SHA256SUMS: 1 missing; FAILED (1 failing)"
    )


def test_no_annotation_points_at_a_file_that_is_absent_or_never_opened() -> None:
    assert not points_at_file(MISSING) and not points_at_file(UNSAFE) and points_at_file(BAD)
    assert github_annotations(MISSING) == [
        "::error title=provenance missing::issue/b.txt: missing: listed in SHA256SUMS line 7, "
        "but absent"
    ]
    assert all("file=" not in line for line in github_annotations(UNSAFE))
    junit = junit_report([MISSING, UNSAFE, BAD], Summary.of([MISSING, UNSAFE, BAD]))
    assert '<testcase classname="provenance.verify" name="issue/b.txt">' in junit
    assert '<testcase classname="provenance.verify" name="../etc/passwd">' in junit
    assert 'name="b.txt" file="b.txt"' in junit
    assert '<failure type="missing"' in junit
