"""Results to text: pure functions that return strings; printing is the CLI's job."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from provenance.model import Document, NotText, Result, Summary, Verdict

#: Version of the JSON report layout; bumped only on incompatible changes.
JSON_VERSION = 1

_VERDICT_WIDTH = max(len(verdict.value) for verdict in Verdict)


def result_line(result: Result) -> str:
    """One line for one file: verdict, path, and what a reader needs to act on it."""
    line = f"{result.verdict.value:<{_VERDICT_WIDTH}}  {result.path}"
    if result.verdict is not Verdict.OK:
        line += f"  ({result.detail})"
    if result.trailer is not None:
        line += "  [text after the fingerprint is not covered]"
    return line


def summary_line(summary: Summary) -> str:
    """The closing line of a run, e.g. ``15 files: 9 ok, 2 mismatch ... FAILED``."""
    counts = ", ".join(f"{count} {verdict.value}" for verdict, count in summary.counts if count)
    noun = "file" if summary.total == 1 else "files"
    if summary.total == 0:
        return "no files to check"
    status = "passed" if summary.ok else f"FAILED ({summary.failed} failing)"
    strict = " under --strict" if summary.strict else ""
    return f"{summary.total} {noun}: {counts}; {status}{strict}"


def text_report(results: Sequence[Result], summary: Summary) -> str:
    """The human report: a line per file, then the summary."""
    lines = [result_line(result) for result in results]
    lines.append(summary_line(summary))
    return "\n".join(lines) + "\n"


def result_dict(result: Result) -> dict[str, Any]:
    """The JSON object of one result (keys are a public contract: SPEC.md)."""
    return {
        "path": result.path,
        "verdict": result.verdict.value,
        "algorithm": result.algorithm.value if result.algorithm else None,
        "expected": result.expected,
        "actual": result.actual,
        "detail": result.detail,
        "canonicalization": result.canonicalization.value,
        "publisher": result.publisher,
        "trailer": result.trailer,
        "line": result.line,
        "warnings": list(result.warnings),
    }


def json_report(results: Sequence[Result], summary: Summary) -> str:
    """The machine report: ``{"version", "summary", "failed", "strict", "results"}``."""
    payload = {
        "version": JSON_VERSION,
        "summary": {verdict.value: count for verdict, count in summary.counts},
        "total": summary.total,
        "failed": summary.failed,
        "strict": summary.strict,
        "results": [result_dict(result) for result in results],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def document_dict(doc: Document) -> dict[str, Any]:
    """The JSON object of a parsed document (keys are a public contract: SPEC.md)."""
    fp = doc.fingerprint
    cr = doc.copyright
    return {
        "version": JSON_VERSION,
        "body": doc.body,
        "contributors": list(doc.contributors),
        "contacts": [{"name": c.name, "email": c.email} for c in doc.contacts],
        "copyright": None
        if cr is None
        else {
            "year": cr.year,
            "first_year": cr.first_year,
            "last_year": cr.last_year,
            "holder": cr.holder,
            "text": cr.text,
        },
        "fingerprint": None
        if fp is None
        else {
            "value": fp.value,
            "algorithm": fp.algorithm.value,
            "kind": fp.kind.value,
            "publisher": fp.publisher,
        },
        "malformed_token": doc.malformed_token,
        "trailer": doc.trailer,
        "footer_line": doc.footer_line,
        "note": doc.note,
        "spans": [{"name": s.name, "start": s.start, "end": s.end} for s in doc.spans],
    }


def document_text(doc: Document) -> str:
    """A short human view of a parsed document."""
    body_lines = doc.body.count("\n") + (1 if doc.body and not doc.body.endswith("\n") else 0)
    rows = [("body", f"{len(doc.body.encode('utf-8'))} bytes, {body_lines} lines")]
    rows.append(("contributors", "; ".join(doc.contributors) or "-"))
    rows.append(("contacts", "; ".join(f"{c.name} <{c.email}>" for c in doc.contacts) or "-"))
    cr = doc.copyright
    rows.append(("copyright", f"{cr.year}, {cr.holder} (line {doc.footer_line})" if cr else "-"))
    fp = doc.fingerprint
    if fp is not None:
        kind = f"publisher token of {fp.publisher}" if fp.publisher else fp.kind.value
        rows.append(("fingerprint", f"{fp.algorithm.value} {fp.value} ({kind})"))
    elif doc.malformed_token is not None:
        rows.append(("fingerprint", f"malformed: {doc.malformed_token[:80]!r}"))
    else:
        rows.append(("fingerprint", "-"))
    rows.append(("trailer", doc.trailer if doc.trailer is not None else "-"))
    if doc.note:
        rows.append(("note", doc.note))
    width = max(len(name) for name, _ in rows) + 1
    return "".join(f"{name + ':':<{width}} {value}\n" for name, value in rows)


def not_text_dict(problem: NotText) -> dict[str, Any]:
    return {"version": JSON_VERSION, "error": "not-text", "reason": problem.reason}
