"""provenance.report: the exact text and JSON shapes users and scripts read."""

from __future__ import annotations

import base64
import json
import re

import pytest
from conftest import article
from hypothesis import given
from hypothesis import strategies as st

from provenance.model import (
    Algorithm,
    Document,
    EntryKind,
    ManifestVerdict,
    Result,
    SignatureResult,
    SignatureVerdict,
    Summary,
    Verdict,
)
from provenance.parsing import parse
from provenance.report import (
    details_line,
    document_dict,
    document_text,
    escape,
    github_annotations,
    json_report,
    json_text,
    junit_report,
    points_at_file,
    result_dict,
    result_line,
    summary_line,
    text_report,
    verdict_word,
)
from tests.conftest import file_report

OK = file_report(
    "a.txt",
    Verdict.OK,
    "fingerprint matches",
    algorithm=Algorithm.MD5,
    expected="1" * 32,
    actual="1" * 32,
)
BAD = file_report(
    "b.txt",
    Verdict.MISMATCH,
    "expected x, computed y",
    algorithm=Algorithm.MD5,
    expected="x",
    actual="y",
)
TRAILER = file_report("c.txt", Verdict.OK, "fingerprint matches", trailer="Appeared in print.")

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
    assert summary_line(Summary.of([])) == "no files checked; FAILED"
    assert summary_line(Summary.of([], allow_empty=True)) == "no files to check"
    # Only a seal's own signature result: no file was checked.
    seal = file_report("d/SHA256SUMS", None, "the manifest", kind=EntryKind.MANIFEST)
    assert summary_line(Summary.of([seal])) == (
        "1 file: 1 not an article; FAILED (no files checked)"
    )


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
    assert result_dict(file_report("d", Verdict.UNREADABLE, "binary"))["algorithm"] is None


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


# --- escape(): names and texts from files (SPEC.md §5.3) --------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain café 日本.txt", "plain café 日本.txt"),
        ("a\\b", "a\\\\b"),
        ("\t\n\r", "\\t\\n\\r"),
        ("\x00\x1b\x7f", "\\x00\\x1b\\x7f"),
        ("\x80\x85\x9f", "\\u0080\\u0085\\u009f"),
        ("\udc80\udce9\udcff", "\\x80\\xe9\\xff"),  # Bytes of a name that are not UTF-8.
        ("\ud800\udc00", "\\ud800\\udc00"),  # Lone surrogates that stand for no byte.
        (
            "\u061c\u200e\u200f\u202a\u202e\u2066\u2069",
            "\\u061c\\u200e\\u200f\\u202a\\u202e\\u2066\\u2069",
        ),
        ("\u2028\u2029\ufffe\uffff", "\\u2028\\u2029\\ufffe\\uffff"),
        ("\u200b\u00a0\ufeff", "\u200b\u00a0\ufeff"),  # Not in the list: shown as they are.
    ],
)
def test_escape_table(text: str, shown: str) -> None:
    assert escape(text) == shown


def _unescape(shown: str) -> str:
    """The reading SPEC.md §5.3 promises, written here independently of the library."""
    out, i = [], 0
    while i < len(shown):
        char = shown[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        kind = shown[i + 1]
        if kind in "\\tnr":
            out.append({"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}[kind])
            i += 2
        elif kind == "x":
            byte = int(shown[i + 2 : i + 4], 16)
            out.append(chr(byte) if byte < 0x80 else chr(0xDC00 + byte))
            i += 4
        else:
            assert kind == "u", shown
            out.append(chr(int(shown[i + 2 : i + 6], 16)))
            i += 6
    return "".join(out)


TRICKY = st.sampled_from(
    ["\\", "x", "u", "0", "1b", "\x1b", "\x85", "\udc85", "\ud800", "\u202e", "\n", "\r", "é"]
)


@given(st.lists(TRICKY | st.characters(codec=None), max_size=30).map("".join))
def test_escape_is_one_line_inert_and_reads_back(text: str) -> None:
    shown = escape(text)
    assert UNSAFE.search(shown) is None
    shown.encode("utf-8")  # Raises if a surrogate were left: any stream can take it.
    assert _unescape(shown) == text  # So two names never look the same.


def test_escape_leaves_no_unsafe_code_point_below_u3000() -> None:
    text = "".join(map(chr, range(0x3000))) + "".join(map(chr, range(0xD800, 0xE000)))
    assert UNSAFE.search(escape(text)) is None


UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)


def test_result_line_escapes_every_text_from_a_file() -> None:
    signature = SignatureResult(SignatureVerdict.GOOD, "good", principal="eve\x1b[2K@x")
    result = file_report(
        "dir\r/a\u202e.txt",
        Verdict.OK,
        "fingerprint matches",
        trailer="x",
        warnings=("holder 'A\u2066B'",),
        signature=signature,
    )
    assert result_line(result) == (
        "ok            dir\\r/a\\u202e.txt  [text after the fingerprint is not covered]"
        "  [warning: holder 'A\\u2066B']  [signature good by eve\\x1b[2K@x]"
    )
    assert "\\u202e" in details_line(file_report("a", Verdict.OK, "", publisher="P\u202e"))


# --- The first column: what fails the file ----------------------------------------------------


def _sig(verdict: SignatureVerdict) -> SignatureResult:
    return SignatureResult(verdict, f"signature {verdict.value}")


@pytest.mark.parametrize(
    ("result", "require", "word"),
    [
        (file_report("a", Verdict.OK, "", signature=_sig(SignatureVerdict.BAD)), False, "sig-bad"),
        (
            file_report("a", Verdict.OK, "", signature=_sig(SignatureVerdict.UNTRUSTED)),
            False,
            "sig-untrusted",
        ),
        (file_report("a", Verdict.OK, "", signature=_sig(SignatureVerdict.MISSING)), False, "ok"),
        (
            file_report("a", Verdict.OK, "", signature=_sig(SignatureVerdict.MISSING)),
            True,
            "sig-missing",
        ),
        (
            file_report("a", Verdict.MISMATCH, "", signature=_sig(SignatureVerdict.BAD)),
            False,
            "sig-bad",
        ),
        (file_report("a", Verdict.OK, "", manifest=ManifestVerdict.UNSAFE), False, "sums-unsafe"),
        (
            file_report("a", Verdict.MISSING, "", manifest=ManifestVerdict.MISSING),
            False,
            "missing",
        ),
        (
            file_report(
                "a",
                Verdict.OK,
                "",
                signature=_sig(SignatureVerdict.BAD),
                manifest=ManifestVerdict.MISMATCH,
            ),
            False,
            "sig-bad",
        ),
        (
            file_report("a", Verdict.MISMATCH, "", manifest=ManifestVerdict.LISTED),
            False,
            "mismatch",
        ),
        (
            file_report("p", None, "", manifest=ManifestVerdict.LISTED),
            False,
            "listed",
        ),
        (file_report("S", None, "", kind=EntryKind.MANIFEST), False, "-"),
        (
            file_report(
                "S",
                None,
                "",
                kind=EntryKind.MANIFEST,
                signature=_sig(SignatureVerdict.MALFORMED),
            ),
            False,
            "sig-malformed",
        ),
    ],
)
def test_verdict_word_names_what_fails(result: Result, require: bool, word: str) -> None:
    assert verdict_word(result, require_signature=require) == word
    # The word starts with "ok" or another passing word only when nothing fails the file.
    passing = word in {"ok", "listed", "-"}
    assert passing is not result.failed(require_signature=require)


def test_text_report_widens_the_column_for_a_longer_word() -> None:
    untrusted = file_report("b.txt", Verdict.OK, "", signature=_sig(SignatureVerdict.UNTRUSTED))
    results = [OK, untrusted]
    assert text_report(results, Summary.of(results)).splitlines()[:2] == [
        "ok             a.txt",
        "sig-untrusted  b.txt  [signature untrusted: signature untrusted]",
    ]
    quiet = text_report(results, Summary.of(results), quiet=True, color=True)
    assert quiet.splitlines()[0] == (
        "\x1b[31msig-untrusted\x1b[0m  b.txt  [signature untrusted: signature untrusted]"
    )


# --- JSON is always valid UTF-8 (SPEC.md §5.2) --------------------------------------------------


def test_json_of_a_name_that_is_not_utf8_has_path_bytes() -> None:
    results = [file_report("dir/caf\udce9.txt", Verdict.MISMATCH, "no such thing as caf\udce9")]
    text = json_report(results, Summary.of(results))
    payload = json.loads(text.encode("utf-8").decode("utf-8"))  # Encodes: no surrogate left.
    (result,) = payload["results"]
    assert list(result)[:3] == ["path", "path_bytes", "verdict"]
    assert result["path"] == "dir/caf\ufffd.txt"
    assert base64.b64decode(result["path_bytes"]) == b"dir/caf\xe9.txt"
    assert result["detail"] == "no such thing as caf\ufffd"
    assert "path_bytes" not in result_dict(file_report("a\u202e\x1b.txt", Verdict.OK, ""))
    assert json.loads(json_text({"k": "a\u202e\x1b"})) == {"k": "a\u202e\x1b"}
    assert json_text({"k": "\ud800"}, compact=True) == '{"k":"\ufffd"}'


MISSING = file_report(
    "issue/b.txt",
    Verdict.MISSING,
    "listed in SHA256SUMS line 7, but absent",
    line=7,
    manifest=ManifestVerdict.MISSING,
)
UNSAFE_ENTRY = file_report(
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
        "1 file: 1 missing; manifest: 1 missing; FAILED (1 failing)"
    )


def test_no_annotation_points_at_a_file_that_is_absent_or_never_opened() -> None:
    assert not points_at_file(MISSING) and not points_at_file(UNSAFE_ENTRY) and points_at_file(BAD)
    assert github_annotations(MISSING) == [
        "::error title=provenance missing::issue/b.txt: missing: listed in SHA256SUMS line 7, "
        "but absent"
    ]
    assert all("file=" not in line for line in github_annotations(UNSAFE_ENTRY))
    junit = junit_report([MISSING, UNSAFE_ENTRY, BAD], Summary.of([MISSING, UNSAFE_ENTRY, BAD]))
    assert '<testcase classname="provenance.verify" name="issue/b.txt">' in junit
    assert '<testcase classname="provenance.verify" name="../etc/passwd">' in junit
    assert 'name="b.txt" file="b.txt"' in junit
    assert '<failure type="missing"' in junit


def test_a_seal_checked_without_trust_says_so_after_the_status() -> None:
    listed = file_report("a.txt", Verdict.OK, "", manifest=ManifestVerdict.LISTED)
    summary = Summary.of([listed], signatures_checked=False)
    assert summary_line(summary) == (
        "1 file: 1 ok; manifest: 1 listed; passed; seal signatures not checked: "
        "give --allowed-signers or --public-key"
    )
    assert json.loads(json_report([listed], summary))["seal_signatures_unchecked"] is True
    checked = Summary.of([listed], signatures_checked=True)
    assert summary_line(checked) == "1 file: 1 ok; manifest: 1 listed; passed"


def test_an_uncovered_article_is_sig_missing_only_when_signatures_are_required() -> None:
    missing = SignatureResult(SignatureVerdict.MISSING, "no signature: a.txt.sig does not exist")
    result = file_report("a.txt", Verdict.OK, "", signature=missing)
    assert verdict_word(result, require_signature=True) == "sig-missing"
    assert verdict_word(result, require_signature=False) == "ok"
    assert result.failed(require_signature=True) and not result.failed()
