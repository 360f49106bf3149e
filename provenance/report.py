"""Results to text: pure functions that return strings; printing is the CLI's job."""

from __future__ import annotations

import base64
import json
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from provenance.model import (
    FAILING_VERDICTS,
    STRICT_FAILING_VERDICTS,
    C2paBinding,
    C2paCheck,
    C2paSignature,
    C2paState,
    Change,
    ChangeKind,
    Document,
    ManifestVerdict,
    NotText,
    RecordCheck,
    Result,
    SignatureResult,
    SignatureVerdict,
    Summary,
    Verdict,
)

if TYPE_CHECKING:
    from provenance.config import Settings

#: Version of the JSON report layout; bumped only on incompatible changes.
JSON_VERSION = 1

#: Where the JSON Schemas of the reports are published: their ``$id`` and the ``$schema`` key
#: of each report. The schemas ship in the package too (``provenance/schemas/``, by the
#: file name after this prefix) so that a consumer can validate offline.
SCHEMA_BASE = "https://example.org/your-org/provenance/raw/main/provenance/schemas/"
VERIFY_SCHEMA = SCHEMA_BASE + "verify.schema.json"
JSONL_SCHEMA = SCHEMA_BASE + "verify-jsonl.schema.json"
PARSE_SCHEMA = SCHEMA_BASE + "parse.schema.json"
WRITE_SCHEMA = SCHEMA_BASE + "write.schema.json"
DIFF_SCHEMA = SCHEMA_BASE + "diff.schema.json"

#: The first column's width: the longest footer verdict. A report whose lines need a longer
#: word (``sig-untrusted``) is widened as a whole, so that its paths stay aligned.
_VERDICT_WIDTH = max(len(verdict.value) for verdict in Verdict)


# --- Names and texts taken from files, as every text renderer shows them ----------------------


@cache
def _unsafe() -> re.Pattern[str]:
    """What a text report never shows as it is (SPEC.md §5.3): a backslash, C0, DEL and C1
    controls, the bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E,
    U+2066-U+2069), the line and paragraph separators (U+2028, U+2029), lone surrogates
    (a name's bytes that are not UTF-8, kept by ``surrogateescape``), U+FFFE and U+FFFF.

    Each of them could move the cursor and rewrite a verdict already printed, split a report
    line, turn the text around, or make an XML report unreadable. Compiled on first use.
    """
    return re.compile(
        r"[\\\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069"
        "\ud800-\udfff\ufffe\uffff]"
    )


_NAMED_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED_ESCAPES.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code < 0x80:  # C0 and DEL: the byte itself.
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # A byte of a name that is not UTF-8 (surrogateescape).
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def escape(text: str) -> str:
    r"""``text`` as every text renderer shows it: one line, inert on a terminal, unambiguous.

    A backslash is doubled; tab, LF and CR become ``\t``, ``\n``, ``\r``; other C0 controls
    and DEL ``\xHH``; a byte of a name that is not UTF-8 ``\xHH`` too (80 to ff, so never
    taken for a control); C1 controls, bidirectional controls, U+2028, U+2029, U+FFFE,
    U+FFFF and any other lone surrogate ``\uHHHH``. Everything else is shown as it is.

    >>> print(escape("x\r\x1b[2Kok \u202espoof\\.txt\udce9"))
    x\r\x1b[2Kok \u202espoof\\.txt\xe9
    """
    return _unsafe().sub(_escaped, text)


@cache
def _lone_surrogate() -> re.Pattern[str]:
    return re.compile("[\ud800-\udfff]")


def json_text(payload: object, *, compact: bool = False) -> str:
    """``payload`` as JSON that is always valid UTF-8 (SPEC.md §5.2).

    Strings are kept exactly (JSON escapes the control characters itself), except lone
    surrogates (the bytes of a name that are not UTF-8, kept by ``surrogateescape``), which
    no strict parser accepts: each becomes U+FFFD. A result's ``path_bytes`` keeps the bytes.
    """
    if compact:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(payload, ensure_ascii=False, indent=2)
    return _lone_surrogate().sub("\ufffd", text)


def path_bytes(path: str) -> str | None:
    r"""The JSON ``path_bytes``: the base64 of ``path``'s bytes when some are not UTF-8, else
    ``None`` (``path`` then says it exactly).

    >>> path_bytes("caf\udce9.txt"), path_bytes("café.txt")
    ('Y2Fm6S50eHQ=', None)
    """
    if not _lone_surrogate().search(path):
        return None
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # A surrogate that stands for no byte: kept as encoded.
        raw = path.encode("utf-8", "surrogatepass")
    return base64.b64encode(raw).decode("ascii")


# --- Text --------------------------------------------------------------------------------------


def verdict_word(
    result: Result, *, require_signature: bool = False, require_c2pa: bool = False
) -> str:
    """The word in a text line's first column: what fails the file, else its footer verdict.

    In this order: a signature that fails the run (``sig-bad``, ``sig-untrusted``,
    ``sig-malformed``, and ``sig-missing`` under ``require_signature``, which the CLI sets
    whenever a trust source is given without ``--allow-unsigned``); a SHA256SUMS verdict
    that fails it (``sums-mismatch``, ``sums-unlisted``, ``sums-unsafe``; a listed file that is
    absent has the footer verdict ``missing``, which says it all); else the footer verdict. The
    SHA-256 and the signature outrank the footer's MD5-style fingerprint; the footer's own
    reason stays on the line. A
    file that is not an article has no footer verdict: its SHA256SUMS verdict (``listed``)
    stands there instead, or ``-``. Under ``require_c2pa`` (``--require-c2pa``) a credential
    that fails the file comes after the SHA256SUMS verdict: ``c2pa-`` and what is wrong
    (:func:`c2pa_word`).

    >>> from provenance.model import FooterCheck
    >>> ok = Result(path="a.txt", detail="", footer=FooterCheck(verdict=Verdict.OK))
    >>> verdict_word(ok.with_manifest(ManifestVerdict.UNLISTED))
    'sums-unlisted'
    """
    signature = result.signature
    if signature is not None and signature.failed(require_signature=require_signature):
        return f"sig-{signature.verdict.value}"
    if result.verdict is Verdict.MISSING:
        return Verdict.MISSING.value  # Its own verdict already says what the manifest says.
    manifest = result.manifest
    if manifest is not None and manifest is not ManifestVerdict.LISTED:
        return f"sums-{manifest.value}"
    if result.record is not None and result.record.failed():
        return f"rec-{record_failure(result.record)}"
    c2pa = result.c2pa
    if (
        require_c2pa
        and result.footer is not None
        and result.verdict not in FAILING_VERDICTS
        and (c2pa is None or c2pa.failed())
    ):
        return c2pa_word(c2pa)
    if result.footer is None:
        return manifest.value if manifest is not None else "-"
    return result.footer.verdict.value


def c2pa_word(check: C2paCheck | None) -> str:
    """The verdict word of a credential that fails ``--require-c2pa``: ``c2pa-absent``,
    ``-corrupt``, ``-multiple``, ``-mismatch``, ``-malformed`` (its binding), ``-invalid``,
    ``-untrusted`` or ``-unverified`` (its signature). Public contract (SPEC.md §11)."""
    if check is None:
        return "c2pa-absent"
    if check.state is not C2paState.PRESENT:
        return f"c2pa-{check.state.value}"
    if check.binding is not None and check.binding is not C2paBinding.OK:
        return f"c2pa-{check.binding.value}"
    if check.signature is C2paSignature.INVALID:
        return "c2pa-invalid"
    if check.signature is C2paSignature.UNTRUSTED:
        return "c2pa-untrusted"
    return "c2pa-unverified"


def result_line(
    result: Result,
    *,
    require_signature: bool = False,
    require_c2pa: bool = False,
    width: int = _VERDICT_WIDTH,
) -> str:
    """One line for one file: verdict, path, and what a reader needs to act on it.

    The texts in it that come from a file or its name are shown through :func:`escape`.
    """
    word = verdict_word(result, require_signature=require_signature, require_c2pa=require_c2pa)
    line = f"{word:<{width}}  {result.path}"
    if result.verdict is not Verdict.OK:
        line += f"  ({result.detail})"
    if result.trailer is not None:
        line += "  [text after the fingerprint is not covered]"
    for warning in result.warnings:
        # Warnings fail --strict: the line must say why.
        line += f"  [warning: {warning}]"
    if result.signature is not None:
        sig = result.signature
        if sig.verdict is SignatureVerdict.GOOD:
            by = f" by {sig.principal}" if sig.principal else ""
            line += f"  [signature good{by}]"
        elif sig.verdict is SignatureVerdict.MISSING:
            line += "  [signature missing]"
        else:
            line += f"  [signature {sig.verdict.value}: {sig.detail}]"
    if result.manifest is not None and result.manifest is not ManifestVerdict.LISTED:
        line += f"  [SHA256SUMS: {result.manifest.value}]"
    if result.record is not None:
        line += f"  [{record_text(result.record)}]"
    c2pa = result.c2pa
    if c2pa is not None and (c2pa.state is not C2paState.ABSENT or word.startswith("c2pa-")):
        line += f"  [C2PA: {c2pa.summary()}]"
    return escape(line)


# --- Provenance records (SPEC.md §12) ------------------------------------------------------------

#: How many changes a text line names before it says "and N more".
_CHANGES_SHOWN = 10


def record_failure(check: RecordCheck) -> str:
    """What fails a record check, as the first column shows it after ``rec-``: ``malformed``,
    the signature's verdict (``bad``, ``untrusted``), ``changed`` (the text is not the
    recorded one), or ``chain`` (an earlier record fails)."""
    if check.matches is None:
        return "malformed"
    if check.signature is not None and check.signature.verdict is not SignatureVerdict.GOOD:
        return check.signature.verdict.value
    return "changed" if not check.matches else "chain"


def change_text(change: Change) -> str:
    """``paragraph 3 changed (line 3)``, ``recorded paragraph 2 removed (before line 3)``."""
    if change.kind is ChangeKind.REMOVED:
        where = f" (before line {change.line})" if change.line is not None else ""
        return f"recorded paragraph {change.paragraph} removed{where}"
    where = f" (line {change.line})" if change.line is not None else ""
    return f"paragraph {change.paragraph} {change.kind.value}{where}"


def changes_text(changes: Sequence[Change]) -> str:
    """The changes named one by one, the first :data:`_CHANGES_SHOWN` of them."""
    named = ", ".join(change_text(change) for change in changes[:_CHANGES_SHOWN])
    more = len(changes) - _CHANGES_SHOWN
    return named + (f", and {more} more" if more > 0 else "")


def record_text(check: RecordCheck) -> str:
    """The text report's note on a record: its signature, the match, what changed, the chain."""
    if check.matches is None:
        return f"record malformed: {check.detail}"
    signature = check.signature
    by = f" by {signature.principal}" if signature is not None and signature.principal else ""
    text = f"record {check.word}{by}"
    if signature is not None and signature.verdict is not SignatureVerdict.GOOD:
        text += f" ({signature.detail})"
    if check.matches:
        text += ", matches"
    else:
        text += ", text changed: " + (changes_text(check.changes) or str(check.detail))
    if len(check.chain) > 1:
        text += f", {len(check.chain)} in chain"
    for link in check.chain[1:]:
        if not link.found:
            text += f"; earlier record {link.digest[:12]} not found"
        elif link.problem is not None:
            text += f"; earlier record {link.path} is malformed: {link.problem}"
        elif link.failed() and link.signature is not None:
            text += f"; earlier record {link.path}: {link.signature.verdict.value}"
    return text


def change_dict(change: Change) -> dict[str, Any]:
    """``{"kind", "paragraph", "line"}`` of one change (SPEC.md §12.3)."""
    return {"kind": change.kind.value, "paragraph": change.paragraph, "line": change.line}


def diff_text(same: bool, changes: Sequence[Change]) -> str:
    """``provenance diff``: one line per change, then a count (``same text`` when none)."""
    if same:
        return "same text\n"
    lines = []
    for change in changes:
        where = "" if change.line is None else f"line {change.line}"
        if change.kind is ChangeKind.REMOVED:
            what = f"old paragraph {change.paragraph}"
            where = f"  (before {where})" if where else ""
        else:
            what = f"paragraph {change.paragraph}"
            where = f"  ({where})" if where else ""
        lines.append(escape(f"{change.kind.value:<8}  {what}{where}"))
    kinds = [(kind.value, sum(1 for c in changes if c.kind is kind)) for kind in ChangeKind]
    noun = "change" if len(changes) == 1 else "changes"
    if changes:
        counts = ", ".join(f"{n} {kind}" for kind, n in kinds if n)
        lines.append(f"{len(changes)} {noun}: {counts}")
    else:
        lines.append("only empty lines differ")
    return "\n".join(lines) + "\n"


def diff_json(old: str, new: str, same: bool, changes: Sequence[Change]) -> str:
    """``provenance diff --format json``: ``{"$schema", "version", "old", "new", "same",
    "changes"}`` (``diff.schema.json``)."""
    payload = {
        "$schema": DIFF_SCHEMA,
        "version": JSON_VERSION,
        "old": old,
        "new": new,
        "same": same,
        "changes": [change_dict(change) for change in changes],
    }
    return json_text(payload) + "\n"


def record_dict(check: RecordCheck) -> dict[str, Any]:
    """The JSON object of a record check (``record`` on a result; keys: SPEC.md §12.4)."""
    signature = check.signature
    return {
        "path": check.path,
        "signature": check.word,
        "principal": signature.principal if signature is not None else None,
        "detail": check.detail if signature is None else signature.detail,
        "matches": check.matches,
        "changes": [change_dict(change) for change in check.changes],
        "chain": [
            {
                "digest": link.digest,
                "signer": link.signer,
                "note": link.note,
                "signature": (
                    "missing"
                    if not link.found
                    else "malformed"
                    if link.problem is not None
                    else link.signature.verdict.value
                    if link.signature is not None
                    else "unchecked"
                ),
                "principal": link.signature.principal if link.signature is not None else None,
                "time": link.time.strftime("%Y-%m-%dT%H:%M:%SZ") if link.time else None,
                "path": link.path,
            }
            for link in check.chain
        ],
    }


def fails(result: Result, summary: Summary) -> bool:
    """Whether ``result`` fails the run that ``summary`` closes."""
    return summary.fails(result)


def policy_of(summary: Summary) -> dict[str, bool]:
    """What fails a result in the run ``summary`` closes, as :func:`issues` takes it."""
    return {
        "strict": summary.strict,
        "require_signature": summary.require_signature,
        "require_c2pa": summary.require_c2pa,
    }


def summary_line(summary: Summary) -> str:
    """The closing line of a run, e.g. ``15 files: 9 ok, 2 mismatch ... FAILED``."""
    counts = ", ".join(f"{count} {verdict.value}" for verdict, count in summary.counts if count)
    noun = "file" if summary.total == 1 else "files"
    if summary.total == 0:
        return "no files to check" if summary.allow_empty else "no files checked; FAILED"
    extra = ""
    if summary.others:
        others = f"{summary.others} not {'an article' if summary.others == 1 else 'articles'}"
        extra += f", {others}" if counts else others
    if summary.signatures:
        extra += "; signatures: " + ", ".join(f"{n} {v.value}" for v, n in summary.signatures)
    if summary.manifest:
        # "manifest", not "SHA256SUMS": the counts also come from SHA512SUMS and bag manifests.
        extra += "; manifest: " + ", ".join(f"{n} {v.value}" for v, n in summary.manifest)
    if summary.records:
        extra += "; records: " + ", ".join(f"{n} {state}" for state, n in summary.records)
    if summary.ok:
        status = "passed"
    elif summary.failed:
        status = f"FAILED ({summary.failed} failing)"
    else:
        status = "FAILED (no files checked)"
    strict = " under --strict" if summary.strict else ""
    # Without a trust source a passed seal proves that the files match their manifest, not
    # who wrote the manifest: the line says so, and how to check it.
    note = SEALS_UNCHECKED if summary.seal_signatures_unchecked else ""
    return f"{summary.total} {noun}: {counts}{extra}; {status}{strict}{note}"


#: The summary line's tail when seals were checked without a trust source.
SEALS_UNCHECKED = "; seal signatures not checked: give --allowed-signers or --public-key"


def text_report(
    results: Sequence[Result],
    summary: Summary,
    *,
    quiet: bool = False,
    verbose: bool = False,
    color: bool = False,
) -> str:
    """The human report: a line per file, then the summary.

    ``quiet`` keeps only the lines of failing files; ``verbose`` adds a line of details
    (canonicalisation, algorithm, digests, footer line) under each file; ``color`` paints
    verdicts and the status with ANSI colours (the caller decides: a terminal, no NO_COLOR).
    """
    require = {
        "require_signature": summary.require_signature,
        "require_c2pa": summary.require_c2pa,
    }
    shown = [result for result in results if not quiet or fails(result, summary)]
    words = [verdict_word(result, **require) for result in shown]
    width = max([_VERDICT_WIDTH, *map(len, words)])
    lines = []
    for result, word in zip(shown, words, strict=True):
        line = result_line(result, **require, width=width)
        if color:
            line = _paint(word, _verdict_colour(result, summary)) + line[len(word) :]
        lines.append(line)
        if verbose:
            lines.append(details_line(result))
    closing = summary_line(summary)
    if color and summary.total:
        status = "passed" if summary.ok else "FAILED"
        closing = closing.replace(
            f"; {status}", f"; {_paint(status, _GREEN if summary.ok else _RED)}", 1
        )
    lines.append(closing)
    return "\n".join(lines) + "\n"


def details_line(result: Result) -> str:
    """The ``-v`` line under a file: how it was checked and what was compared."""
    parts = [f"canonicalization {result.canonicalization.value}"]
    if result.algorithm is not None:
        parts.append(result.algorithm.value)
    if result.expected is not None:
        parts.append(f"expected {result.expected}")
    if result.actual is not None:
        parts.append(f"computed {result.actual}")
    if result.line is not None:
        parts.append(f"footer line {result.line}")
    if result.publisher is not None:
        parts.append(f"publisher {result.publisher}")
    parts.extend(f"warning: {warning}" for warning in result.warnings)
    if result.c2pa is not None and result.c2pa.state is not C2paState.ABSENT:
        parts.append(f"C2PA {result.c2pa.summary()}")
        parts.extend(
            f"C2PA {what}: {detail}"
            for what, detail in (
                ("binding", result.c2pa.binding_detail),
                ("signature", result.c2pa.signature_detail),
            )
            if detail
        )
    return "    " + escape("; ".join(parts))


def timing_line(count: int, seconds: float) -> str:
    """The ``-v`` closing detail: how long the run took."""
    noun = "file" if count == 1 else "files"
    rate = f", {count / seconds:.0f} files/s" if seconds > 0 and count else ""
    return f"checked {count} {noun} in {seconds:.2f} s{rate}"


_GREEN, _YELLOW, _RED = "32", "33", "31"


def tally_line(counts: Sequence[tuple[str, int]], nothing: str) -> str:
    """The total line of a command that writes: its non-zero counts, in the order given.

    >>> tally_line([("stamped", 3), ("updated", 0), ("already stamped", 20)], "nothing to stamp")
    '3 stamped, 20 already stamped'
    >>> tally_line([("signed", 0)], "nothing to sign")
    'nothing to sign'
    """
    parts = [f"{count} {word}" for word, count in counts if count]
    return ", ".join(parts) if parts else nothing


def _paint(text: str, colour: str) -> str:
    return f"\x1b[{colour}m{text}\x1b[0m"


def _verdict_colour(result: Result, summary: Summary) -> str:
    if fails(result, summary):
        return _RED
    if result.verdict is Verdict.OK and result.trailer is None and not result.warnings:
        return _GREEN
    return _YELLOW


def verdict_value(result: Result) -> str | None:
    """The JSON ``verdict``: ``null`` for a file that is not an article."""
    return None if result.footer is None else result.footer.verdict.value


def footer_word(result: Result) -> str:
    """The footer verdict where a text must name one (JUnit, annotations): an entry that is
    not an article reads ``no-footer`` there, as it always has; JSON says ``null``."""
    return Verdict.NO_FOOTER.value if result.footer is None else result.footer.verdict.value


def result_dict(result: Result) -> dict[str, Any]:
    """The JSON object of one result (keys are a public contract: SPEC.md).

    ``signature`` and ``manifest`` keys appear only when those were checked.
    """
    payload: dict[str, Any] = {"path": result.path}
    raw = path_bytes(result.path)
    if raw is not None:
        # Some of the path's bytes are not UTF-8: "path" shows each as U+FFFD (json_text).
        payload["path_bytes"] = raw
    payload |= {
        "verdict": verdict_value(result),
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
    # Present only when signatures or a manifest were checked, so that the layout of a plain
    # footer run stays exactly as it was.
    if result.signature is not None:
        payload["signature"] = signature_dict(result.signature)
    if result.manifest is not None:
        payload["manifest"] = result.manifest.value
    if result.footer is None:
        payload["article"] = False
    if result.record is not None:
        payload["record"] = record_dict(result.record)
    payload["c2pa"] = c2pa_dict(result.c2pa) if result.c2pa is not None else None
    return payload


def c2pa_dict(check: C2paCheck) -> dict[str, Any]:
    """The JSON object of a file's C2PA text credential: ``{"state": "absent"}`` when there
    is none (every article has one), every key otherwise."""
    if check.state is C2paState.ABSENT:
        return {"state": check.state.value}
    return {
        "state": check.state.value,
        "detail": check.detail,
        "start": check.start,
        "end": check.end,
        "size": check.size,
        "count": check.count,
        "manifest_size": check.manifest_size,
        "padding": check.padding,
        "binding": check.binding.value if check.binding is not None else None,
        "binding_detail": check.binding_detail,
        "signature": check.signature.value if check.signature is not None else None,
        "signature_detail": check.signature_detail,
        "signer": check.signer,
    }


def signature_dict(signature: SignatureResult) -> dict[str, Any]:
    """The JSON object of a detached-signature check."""
    return {
        "verdict": signature.verdict.value,
        "detail": signature.detail,
        "principal": signature.principal,
        "key_fingerprint": signature.key_fingerprint,
        "namespace": signature.namespace,
        "signature_path": signature.signature_path,
    }


def json_report(results: Sequence[Result], summary: Summary) -> str:
    """The machine report: ``{"$schema", "version", "summary" (+ "signatures", "manifest"), "total", "failed", "strict", "passed",
    "seal_signatures_unchecked", "results"}``; ``passed`` is false for a failure and for a run that checked no file."""
    payload = {"$schema": VERIFY_SCHEMA, **summary_dict(summary)}
    payload["results"] = [result_dict(result) for result in results]
    return json_text(payload) + "\n"


def summary_dict(summary: Summary) -> dict[str, Any]:
    """The run's totals, as the json report and the jsonl summary line give them.

    ``signatures``, ``manifest`` and ``records`` (the non-zero counts the text summary shows)
    appear only when signatures, a manifest or provenance records were checked.
    """
    payload: dict[str, Any] = {
        "version": JSON_VERSION,
        "summary": {verdict.value: count for verdict, count in summary.counts},
    }
    if summary.signatures:
        payload["signatures"] = {verdict.value: count for verdict, count in summary.signatures}
    if summary.manifest:
        payload["manifest"] = {verdict.value: count for verdict, count in summary.manifest}
    if summary.records:
        payload["records"] = dict(summary.records)
    return payload | {
        "total": summary.total,
        "failed": summary.failed,
        "strict": summary.strict,
        "passed": summary.ok,
        "seal_signatures_unchecked": summary.seal_signatures_unchecked,
    }


def document_dict(doc: Document) -> dict[str, Any]:
    """The JSON object of a parsed document (keys are a public contract: SPEC.md)."""
    fp = doc.fingerprint
    cr = doc.copyright
    return {
        "$schema": PARSE_SCHEMA,
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
        rows.append(("fingerprint", f"malformed: '{doc.malformed_token[:80]}'"))
    else:
        rows.append(("fingerprint", "-"))
    rows.append(("trailer", doc.trailer if doc.trailer is not None else "-"))
    if doc.note:
        rows.append(("note", doc.note))
    width = max(len(name) for name, _ in rows) + 1
    return "".join(f"{name + ':':<{width}} {escape(value)}\n" for name, value in rows)


def not_text_dict(problem: NotText) -> dict[str, Any]:
    return {
        "$schema": PARSE_SCHEMA,
        "version": JSON_VERSION,
        "error": "not-text",
        "reason": problem.reason,
    }


# --- GitHub Actions workflow commands -----------------------------------------------------

#: The ``title=`` of an annotation: ``provenance <what>``.
_TITLE_PREFIX = "provenance"


def _github_property(value: str) -> str:
    """Escape a workflow-command property value (file=, title=) as the runner expects."""
    return (
        value.replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace(":", "%3A")
        .replace(",", "%2C")
    )


def _github_data(value: str) -> str:
    """Escape a workflow-command message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


@dataclass(frozen=True, slots=True)
class Issue:
    """One thing a CI report flags on one file: an ``error`` (it fails the run) or a
    ``warning``; every CI format (GitHub, GitLab Code Quality, Markdown) shows these."""

    level: str
    #: A short title naming the check: ``mismatch``, ``signature bad``, ``SHA256SUMS unlisted``.
    title: str
    message: str


def issues(
    result: Result,
    *,
    strict: bool = False,
    require_signature: bool = False,
    require_c2pa: bool = False,
) -> list[Issue]:
    """What a CI report flags on one file (none for a clean ``ok``).

    The verdict gives an error when it fails the run and a warning otherwise (unverifiable,
    no-footer without --strict); uncovered text after the fingerprint and the result's own
    warnings give one each, errors under --strict; then a failing signature and a failing
    SHA256SUMS verdict; under ``require_c2pa``, a credential that fails the file.
    """
    found: list[Issue] = []
    if result.verdict is not Verdict.OK and verdict_value(result) is not None:
        fails = result.verdict in FAILING_VERDICTS or (
            strict and result.verdict in STRICT_FAILING_VERDICTS
        )
        found.append(
            Issue(
                level="error" if fails else "warning",
                title=footer_word(result),
                message=f"{footer_word(result)}: {result.detail}",
            )
        )
    extra_level = "error" if strict else "warning"
    if result.trailer is not None:
        found.append(
            Issue(
                level=extra_level,
                title="uncovered text",
                message="text after the fingerprint is not covered by it:"
                f" '{result.trailer[:120]}'",
            )
        )
    for warning in result.warnings:
        found.append(Issue(level=extra_level, title="warning", message=warning))
    signature = result.signature
    if signature is not None and signature.failed(require_signature=require_signature):
        found.append(
            Issue(
                level="error",
                title=f"signature {signature.verdict.value}",
                message=f"signature: {signature.detail}",
            )
        )
    if result.record is not None and result.record.failed():
        found.append(
            Issue(
                level="error",
                title=f"record {record_failure(result.record)}",
                message=record_text(result.record),
            )
        )
    # A missing file's verdict already says what its manifest verdict says.
    if (
        result.manifest not in (None, ManifestVerdict.LISTED)
        and result.verdict is not Verdict.MISSING
    ):
        assert result.manifest is not None
        found.append(
            Issue(
                level="error",
                title=f"SHA256SUMS {result.manifest.value}",
                message=f"SHA256SUMS: {result.manifest.value}",
            )
        )
    c2pa = result.c2pa
    if require_c2pa and result.footer is not None and (c2pa is None or c2pa.failed()):
        word = c2pa_word(c2pa)
        why = "absent" if c2pa is None else c2pa.summary()
        found.append(Issue(level="error", title=word, message=f"C2PA (required): {why}"))
    return found


def github_annotations(
    result: Result, *, strict: bool = False, require_signature: bool = False
) -> list[str]:
    """The ``::error``/``::warning`` lines of one file (none for a clean ``ok``): one per
    :func:`issues` item. The line is the footer's (or 1); a file that is absent or never
    opened (:func:`points_at_file`) gets no file nor line.

    >>> from provenance.model import FooterCheck
    >>> footer = FooterCheck(verdict=Verdict.MISMATCH)
    >>> result = Result(path="a.txt", detail="expected x, computed y", footer=footer, line=3)
    >>> github_annotations(result)
    ['::error file=a.txt,line=3,title=provenance mismatch::mismatch: expected x, computed y']
    """
    return [
        _annotation(result, issue)
        for issue in issues(result, strict=strict, require_signature=require_signature)
    ]


def _annotation(result: Result, issue: Issue) -> str:
    title = _github_property(f"{_TITLE_PREFIX} {issue.title}")
    if not points_at_file(result):
        # No file to annotate (absent, or never opened): the annotation names the path.
        message = _github_data(escape(f"{result.path}: {issue.message}"))
        return f"::{issue.level} title={title}::{message}"
    file = _github_property(escape(result.path))
    line = result.line if result.line is not None else 1
    return f"::{issue.level} file={file},line={line},title={title}::{_github_data(escape(issue.message))}"


def _log_line(result: Result, issue: Issue) -> str:
    """An issue as a plain log line, for one past GitHub's annotation limit."""
    where = result.path if result.line is None else f"{result.path}:{result.line}"
    return escape(f"{issue.level}: {where}: {issue.message}")


#: GitHub shows at most this many annotations of each level (error, warning) per step; the
#: others are dropped without a word.
GITHUB_ANNOTATION_LIMIT = 10


def points_at_file(result: Result) -> bool:
    """Whether a CI annotation may point at ``result.path`` (and its ``line``).

    Not for a file a manifest lists that is absent (``missing``: its ``line`` is the
    manifest's), nor for an ``unsafe`` entry, which is never opened and may name a path
    outside the folder.
    """
    return result.verdict is not Verdict.MISSING and result.manifest is not ManifestVerdict.UNSAFE


def github_report(results: Sequence[Result], summary: Summary, *, quiet: bool = False) -> str:
    """GitHub Actions annotations for every file that needs attention, then the summary line.

    GitHub shows :data:`GITHUB_ANNOTATION_LIMIT` annotations of a level per step and drops
    the others in silence. When a level has more, the first ones less one are annotations,
    the others plain log lines, and a last annotation says how many were not shown.
    ``quiet`` keeps only the errors.
    """
    flagged = [
        (result, issue)
        for result in results
        for issue in issues(result, **policy_of(summary))
        if not (quiet and issue.level != "error")
    ]
    over = github_overflow(issue for _, issue in flagged)
    annotated = dict.fromkeys(over, 0)
    lines, overflow = [], []
    for result, issue in flagged:
        if issue.level in over:
            if annotated[issue.level] == GITHUB_ANNOTATION_LIMIT - 1:
                overflow.append(_log_line(result, issue))
                continue
            annotated[issue.level] += 1
        lines.append(_annotation(result, issue))
    lines.extend(overflow)
    for level, hidden in over.items():
        noun = level if hidden == 1 else f"{level}s"
        lines.append(
            f"::{level} title={_TITLE_PREFIX}::{hidden} more {noun} not shown as annotations"
            f" (GitHub shows {GITHUB_ANNOTATION_LIMIT} per step): see the log above or the"
            " job summary"
        )
    lines.append(summary_line(summary))
    return "\n".join(lines) + "\n"


def github_overflow(flagged: Iterable[Issue]) -> dict[str, int]:
    """``{level: how many of its issues get no annotation}``, for the levels over the limit.

    One annotation of the limit goes to saying so: ``count - (limit - 1)`` are not shown.
    """
    counts: dict[str, int] = {}
    for issue in flagged:
        counts[issue.level] = counts.get(issue.level, 0) + 1
    return {
        level: count - (GITHUB_ANNOTATION_LIMIT - 1)
        for level, count in counts.items()
        if count > GITHUB_ANNOTATION_LIMIT
    }


# --- JUnit XML -----------------------------------------------------------------------------


def _junit_body(result: Result) -> str:
    rows = [
        ("path", result.path),
        ("verdict", footer_word(result)),
        ("detail", result.detail),
        ("algorithm", result.algorithm.value if result.algorithm else None),
        ("expected", result.expected),
        ("actual", result.actual),
        ("canonicalization", result.canonicalization.value),
        ("publisher", result.publisher),
        ("line", None if result.line is None else str(result.line)),
        ("trailer", result.trailer),
    ]
    lines = [f"{name}: {value}" for name, value in rows if value is not None]
    lines.extend(f"warning: {warning}" for warning in result.warnings)
    if result.signature is not None:
        lines.append(f"signature: {result.signature.verdict.value}: {result.signature.detail}")
    if result.manifest is not None:
        lines.append(f"SHA256SUMS: {result.manifest.value}")
    if result.record is not None:
        lines.append(record_text(result.record))
    return "\n".join(escape(line) for line in lines)


def _failure_message(result: Result, summary: Summary) -> str:
    """What fails a result, in the order :func:`verdict_word` weighs it: signature, manifest,
    footer verdict, then text after the fingerprint and warnings (these fail under --strict).

    A footer verdict that passes leads as ``ok, but ...``.
    """
    reasons = []
    signature = result.signature
    if signature is not None and signature.failed(require_signature=summary.require_signature):
        reasons.append(f"signature {signature.verdict.value}: {signature.detail}")
    if result.manifest is not None and result.manifest is not ManifestVerdict.LISTED:
        reasons.append(f"SHA256SUMS: {result.manifest.value}")
    if result.record is not None and result.record.failed():
        reasons.append(record_text(result.record))
    footer_fails = result.verdict in FAILING_VERDICTS or (
        summary.strict and result.footer is not None and result.verdict in STRICT_FAILING_VERDICTS
    )
    if footer_fails:
        reasons.append(f"{footer_word(result)}: {result.detail}")
    if result.trailer is not None:
        reasons.append("text after the fingerprint is not covered by it")
    reasons.extend(result.warnings)
    lead = f"{footer_word(result)}, but " if result.footer is not None and not footer_fails else ""
    return lead + "; ".join(reasons)


def junit_report(results: Sequence[Result], summary: Summary) -> str:
    """JUnit XML: one ``<testcase>`` per file, as GitLab, Jenkins and most CI servers read it.

    * mismatch, malformed (and, under --strict, unverifiable, no-footer or uncovered text):
      ``<failure type=VERDICT message=DETAIL>``, the message saying expected and computed;
    * unreadable: ``<error>`` (the file could not be checked at all);
    * unverifiable or no-footer without --strict: ``<skipped message=DETAIL>``;
    * ok: an empty testcase (with ``<system-out>`` for a warning such as uncovered text).

    The testcase's ``name`` and ``file`` are the path (no ``file`` nor ``line`` for a file
    that is ``missing`` or an ``unsafe`` entry); ``classname`` is ``provenance.verify``.
    """
    import xml.etree.ElementTree as ET

    failures = errors = skipped = 0
    suite = ET.Element("testsuite", name="provenance verify")
    for result in results:
        case = ET.SubElement(
            suite, "testcase", classname="provenance.verify", name=escape(result.path)
        )
        if points_at_file(result):
            case.set("file", escape(result.path))
            if result.line is not None:
                case.set("line", str(result.line))
        body = _junit_body(result)
        word = verdict_word(
            result,
            require_signature=summary.require_signature,
            require_c2pa=summary.require_c2pa,
        )
        message = escape(f"{footer_word(result)}: {result.detail}")
        if result.verdict is Verdict.UNREADABLE:
            errors += 1
            child = ET.SubElement(case, "error", type=Verdict.UNREADABLE.value, message=message)
            child.text = body
        elif fails(result, summary):
            failures += 1
            message = escape(_failure_message(result, summary))
            child = ET.SubElement(case, "failure", type=word, message=message)
            child.text = body
        elif result.verdict is not Verdict.OK and verdict_value(result) is not None:
            skipped += 1
            ET.SubElement(case, "skipped", message=message)
            ET.SubElement(case, "system-out").text = body
        elif result.trailer is not None or result.warnings:
            ET.SubElement(case, "system-out").text = body
    counts = {
        "tests": str(len(results)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": str(skipped),
    }
    for name, value in counts.items():
        suite.set(name, value)
    root = ET.Element("testsuites", {"name": "provenance", **counts})
    root.append(suite)
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


# --- JSON Lines ----------------------------------------------------------------------------


def jsonl_result(result: Result) -> str:
    """The line of one file as it is verified: ``{"type": "result", ...result_dict}``."""
    return _jsonl({"type": "result", **result_dict(result)})


def jsonl_revision(previous: Result, result: Result) -> str:
    """The line that corrects an earlier ``result`` line once the whole run is known.

    ``{"type": "revised", "previous_verdict": ..., ...result_dict}``: the fields are the
    file's final ones (see :func:`revisions`).
    """
    return _jsonl(
        {"type": "revised", "previous_verdict": footer_word(previous), **result_dict(result)}
    )


def jsonl_summary(summary: Summary) -> str:
    """The last line: ``{"type": "summary", "$schema", "version", "summary", "total", "failed", "strict",
    "passed", "seal_signatures_unchecked"}``."""
    return _jsonl({"type": "summary", "$schema": JSONL_SCHEMA, **summary_dict(summary)})


def _jsonl(payload: dict[str, Any]) -> str:
    return json_text(payload, compact=True) + "\n"


def revisions(streamed: Sequence[Result], final: Sequence[Result]) -> list[tuple[Result, Result]]:
    """``(as streamed, final)`` for each file whose final result differs from the streamed one.

    Whole-run facts (a token shared by files whose texts differ is a publisher marker) are
    only known at the end. Files are matched by path, in order, so the streamed order may
    differ from the final one (parallel checks).
    """
    pending: defaultdict[str, deque[Result]] = defaultdict(deque)
    for result in streamed:
        pending[result.path].append(result)
    changed = []
    for result in final:
        queue = pending.get(result.path)
        if not queue:
            continue
        before = queue.popleft()
        if before != result:
            changed.append((before, result))
    return changed


def jsonl_tail(streamed: Sequence[Result], final: Sequence[Result], summary: Summary) -> str:
    """What follows the streamed result lines: the revisions, then the summary."""
    lines = [jsonl_revision(before, after) for before, after in revisions(streamed, final)]
    return "".join(lines) + jsonl_summary(summary)


def jsonl_report(streamed: Sequence[Result], final: Sequence[Result], summary: Summary) -> str:
    """The whole JSON Lines report: a result line per file (``streamed`` order), revisions,
    then the summary. Streamed to a terminal or a pipe, the same lines come one by one.
    """
    return "".join(jsonl_result(result) for result in streamed) + jsonl_tail(
        streamed, final, summary
    )


# --- Commands that write: stamp, sign, seal -------------------------------------------------


def write_entry(path: str, action: str, **fields: Any) -> dict[str, Any]:
    """One file's line of a ``--format json`` write report: its path (as in §5.2), what was
    done (``stamped``, ``signed``, ``sealed``, ``refused``...), then ``fields``."""
    entry: dict[str, Any] = {"path": path}
    raw = path_bytes(path)
    if raw is not None:
        entry["path_bytes"] = raw
    return entry | {"action": action, **fields}


def write_report(
    command: str, entries: Sequence[dict[str, Any]], counts: Sequence[tuple[str, int]]
) -> str:
    """``stamp``/``sign``/``seal --format json``: ``{"$schema", "version", "command", "counts",
    "passed", "results"}``; ``counts`` are those of the text's last line, zeros included, and
    ``passed`` is false when a file was refused (exit 1)."""
    tally = dict(counts)
    payload = {
        "$schema": WRITE_SCHEMA,
        "version": JSON_VERSION,
        "command": command,
        "counts": tally,
        "passed": not tally.get("refused"),
        "results": list(entries),
    }
    return json_text(payload) + "\n"


# --- Settings ------------------------------------------------------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    # \uXXXX for everything but ASCII: valid TOML, and no control character reaches a terminal.
    return json.dumps(str(value))


def config_text(settings: Settings) -> str:
    """``provenance config``: the effective settings as TOML lines, each with its source.

    The lines can be pasted into a provenance.toml (``# from`` comments and all).
    """
    from provenance.config import KEYS

    where = settings.config_file.name if settings.config_file else "none found"
    lines = [f"# config file: {escape(where)}"]
    for key in KEYS:
        value = settings.value(key)
        source = settings.source(key)
        if value is None:
            lines.append(f"# {key} = (not set)  # from {escape(source)}")
        else:
            lines.append(f"{key} = {_toml_value(value)}  # from {escape(source)}")
    return "\n".join(lines) + "\n"


def config_dict(settings: Settings) -> dict[str, Any]:
    """``provenance config --format json``: ``{"version", "config_file", "settings": {key:
    {"value", "source"}}}``."""
    from provenance.config import KEYS

    def plain(value: object) -> object:
        if isinstance(value, tuple):
            return list(value)
        if isinstance(value, str | bool) or value is None:
            return value
        return str(value)

    return {
        "version": JSON_VERSION,
        "config_file": None if settings.config_file is None else str(settings.config_file.path),
        "settings": {
            key: {"value": plain(settings.value(key)), "source": settings.source(key)}
            for key in KEYS
        },
    }
