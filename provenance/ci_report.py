"""Reports for CI pages: Markdown (a GitHub job summary) and GitLab Code Quality JSON.

Pure functions returning strings, as :mod:`provenance.report`, whose issues
(:func:`~provenance.report.issues`) they show: one decision of what to flag, three formats.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from provenance.model import Result, Summary
from provenance.report import (
    GITHUB_ANNOTATION_LIMIT,
    escape,
    fails,
    github_overflow,
    issues,
    json_text,
    policy_of,
    summary_line,
    verdict_word,
)

#: Characters Markdown reads as markup (emphasis, links, HTML, tables, code, entities).
_MARKUP = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def markdown_text(text: str) -> str:
    """``text`` shown as itself in Markdown: :func:`~provenance.report.escape` d, then every
    markup character backslash-escaped (a name can neither link, nor embed HTML, nor break
    a table row).

    >>> markdown_text("a|b_<c>.txt")
    'a\\\\|b\\\\_\\\\<c\\\\>.txt'
    """
    return _MARKUP.sub(r"\\\1", escape(text))


def markdown_report(
    results: Sequence[Result], summary: Summary, *, github_annotations: bool = False
) -> str:
    """A Markdown report: the run's outcome, its summary line, and a table row per failing
    file (check, file, line, what fails it). Files that pass are counted, not listed.

    With ``github_annotations`` (the run also printed ``--format github``), a note says how
    many issues GitHub did not show as annotations (it shows 10 of a level per step).
    """
    status = "passed" if summary.ok else "FAILED"
    lines = [f"### provenance verify: {status}", "", markdown_text(summary_line(summary)), ""]
    failing = [result for result in results if fails(result, summary)]
    if github_annotations:
        flagged = [issue for result in results for issue in issues(result, **policy_of(summary))]
        for level, hidden in github_overflow(flagged).items():
            total = sum(1 for issue in flagged if issue.level == level)
            lines += [
                f"GitHub shows {GITHUB_ANNOTATION_LIMIT} {level} annotations per step: {hidden}"
                f" of the {total} {level}s have none, and are listed here and in the log.",
                "",
            ]
    if failing:
        lines += ["| check | file | line | why |", "|---|---|---|---|"]
        for result in failing:
            word = verdict_word(
                result,
                require_signature=summary.require_signature,
                require_c2pa=summary.require_c2pa,
            )
            why = "; ".join(
                issue.message
                for issue in issues(result, **policy_of(summary))
                if issue.level == "error"
            )
            why = why or result.detail
            line = "" if result.line is None else str(result.line)
            lines.append(
                f"| {markdown_text(word)} | {markdown_text(result.path)} | {line}"
                f" | {markdown_text(why)} |"
            )
        lines.append("")
    return "\n".join(lines)


#: Code Quality severities of an issue's level.
_SEVERITY = {"error": "major", "warning": "minor"}


def codequality_report(results: Sequence[Result], summary: Summary) -> str:
    """GitLab Code Quality JSON: an array with one object per issue (failing or warned).

    Each object has ``description``, ``check_name`` (``provenance mismatch``...),
    ``fingerprint`` (SHA-256 of check, path and description: the same finding keeps its
    fingerprint from one pipeline to the next, as GitLab needs to tell new ones from old),
    ``severity`` (``major`` for what fails the run, ``minor`` for a warning) and
    ``location`` (``path`` and ``lines.begin``: the footer's line, else 1). An empty array
    when nothing is flagged.
    """
    entries = []
    seen: dict[str, int] = {}
    for result in results:
        for issue in issues(result, **policy_of(summary)):
            check = f"provenance {issue.title}"
            description = escape(issue.message)
            key = hashlib.sha256(
                "\0".join((check, result.path, description)).encode("utf-8", "surrogateescape")
            ).hexdigest()
            # The same finding twice on one file (two identical warnings) still needs two
            # fingerprints: GitLab keeps one entry per fingerprint.
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()
            entries.append(
                {
                    "description": description,
                    "check_name": check,
                    "fingerprint": key,
                    "severity": _SEVERITY[issue.level],
                    "location": {
                        "path": result.path,
                        "lines": {"begin": result.line if result.line is not None else 1},
                    },
                }
            )
    return json_text(entries) + "\n"
