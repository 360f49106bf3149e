"""The provenance record format (SPEC.md §12): a signed statement of what an article said.

A record sits beside an article as ``ARTICLE.prov``. It is text, one field per line, followed
by the armored SSHSIG signature of every line before it (the *statement*)::

    provenance-record 1
    article-sha256 <64 hex: SHA-256 of the canonical form (SPEC 2.2) of the covered text>
    holder <the footer's holder>
    year <YYYY, or YYYY-YYYY>
    time <YYYY-MM-DDTHH:MM:SSZ>
    signer <SHA256:... fingerprint of the signing key>
    previous-sha256 <64 hex: SHA-256 of the previous record's bytes>   (optional)
    note <text>                                                        (optional)
    paragraphs <N>
    <64 hex>        N lines: SHA-256 of each paragraph (non-empty canonical line)
    -----BEGIN SSH SIGNATURE-----
    ...
    -----END SSH SIGNATURE-----

The format is canonical: :func:`parse` accepts exactly the bytes :func:`dump` writes for the
record it returns, so one record has one byte form and its SHA-256 (:func:`record_digest`) names
it. This module knows bytes only: signing and checking are :mod:`provenance.recorded`'s.
:func:`parse` raises :class:`~provenance.errors.InputError` (naming the line) and nothing else,
whatever the bytes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from provenance.canonical import rewrite
from provenance.errors import InputError
from provenance.model import Document, NotText
from provenance.parsing import parse as parse_article

#: The SSHSIG namespace of records: never ``file``, so that a record's signature can be
#: neither replayed as a file's signature or a seal's, nor the other way round.
RECORD_NAMESPACE = "provenance-record"
MAGIC_LINE = "provenance-record 1"
#: A record larger than this is refused unread (about 200,000 paragraphs fit).
MAX_RECORD_SIZE = 16 << 20
MAX_PARAGRAPHS = 200_000
#: The longest holder or note, in UTF-8 bytes.
MAX_TEXT_FIELD = 1024

_HEX64 = re.compile(r"[0-9a-f]{64}")
_YEAR = re.compile(r"([0-9]{4})(?:-([0-9]{4}))?")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_SIGNER = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")
_COUNT = re.compile(r"0|[1-9][0-9]{0,8}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    """What a record's signer vouches for (every field but the signature)."""

    #: SHA-256 (hex) of the canonical form of the article's covered text.
    article: str
    holder: str
    #: ``YYYY`` or ``YYYY-YYYY``, the footer's first and last year.
    year: str
    #: When the record was made, UTC, to the second.
    time: datetime
    #: Fingerprint of the signing key, ``SHA256:...`` as ``ssh-keygen -l`` prints it.
    signer: str
    #: SHA-256 (hex) of the previous record's bytes, for a correction.
    previous: str | None
    note: str | None
    #: SHA-256 (hex) of each paragraph, in order.
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """A statement and its armored SSHSIG signature (namespace :data:`RECORD_NAMESPACE`)."""

    statement: Statement
    signature: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleDigests:
    """What a record holds of an article, computed from its bytes (the *current* side)."""

    article: str
    paragraphs: tuple[str, ...]
    #: The 1-based line of each paragraph in the canonical text (the file's own line).
    lines: tuple[int, ...]
    holder: str | None
    year: str | None


def text_field_problem(text: str) -> str | None:
    """Why ``text`` cannot be a holder or a note (one line, shown as it is), or ``None``.

    >>> text_field_problem("Corrects the date."), text_field_problem(" x")
    (None, 'starts or ends with a blank')
    """
    if not text:
        return "is empty"
    if text != text.strip():
        return "starts or ends with a blank"
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_FIELD:
        return f"is longer than {MAX_TEXT_FIELD} bytes"
    for char in text:
        code = ord(char)
        # Controls would break the line structure or rewrite what a terminal shows;
        # surrogates cannot be UTF-8.
        if code < 0x20 or 0x7F <= code < 0xA0 or code in (0x2028, 0x2029):
            return f"holds the control character U+{code:04X}"
        if 0xD800 <= code < 0xE000:
            return f"holds the lone surrogate U+{code:04X}"
    return None


def year_of(first: int, last: int) -> str:
    """The record's ``year``: ``2022`` or ``2019-2022``."""
    return f"{first:04d}" if first == last else f"{first:04d}-{last:04d}"


def article_digests(data: bytes) -> ArticleDigests:
    """The article digest and paragraph digests of an article's bytes (SPEC.md §12.1).

    The covered text is that of the footer (SPEC 2.1: up to the end of the notice, or the
    whole text without one), in its relaxed canonical form (SPEC 2.2). Raises
    :class:`~provenance.errors.InputError` for bytes that are not text.

    >>> d = article_digests(b"One.\\n\\nTwo.\\n")
    >>> d.lines, d.holder
    ((1, 3), None)
    """
    doc = parse_article(data)
    if isinstance(doc, NotText):
        raise InputError(f"not text: {doc.reason}")
    return _digests(doc, data)


def _digests(doc: Document, data: bytes) -> ArticleDigests:
    canonical = rewrite(data[: doc.covered_end])
    paragraphs: list[str] = []
    lines: list[int] = []
    for number, line in enumerate(canonical.split(b"\n"), start=1):
        if line:
            paragraphs.append(hashlib.sha256(line).hexdigest())
            lines.append(number)
    notice = doc.copyright
    return ArticleDigests(
        article=hashlib.sha256(canonical).hexdigest(),
        paragraphs=tuple(paragraphs),
        lines=tuple(lines),
        holder=notice.holder if notice is not None else None,
        year=year_of(notice.first_year, notice.last_year) if notice is not None else None,
    )


def statement_bytes(statement: Statement) -> bytes:
    """The signed part of a record: every line before the signature, each ending in LF."""
    lines = [
        MAGIC_LINE,
        f"article-sha256 {statement.article}",
        f"holder {statement.holder}",
        f"year {statement.year}",
        f"time {statement.time.astimezone(UTC).strftime(_TIME_FORMAT)}",
        f"signer {statement.signer}",
    ]
    if statement.previous is not None:
        lines.append(f"previous-sha256 {statement.previous}")
    if statement.note is not None:
        lines.append(f"note {statement.note}")
    lines.append(f"paragraphs {len(statement.paragraphs)}")
    lines.extend(statement.paragraphs)
    return ("\n".join(lines) + "\n").encode("utf-8")


def dump(record: Record) -> bytes:
    """The bytes of a ``.prov`` file: the statement, then the signature as ssh-keygen armors it."""
    return statement_bytes(record.statement) + record.signature.encode("ascii")


def record_digest(data: bytes) -> str:
    """The digest that names a record (``previous-sha256`` of the next one): SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


def split(data: bytes) -> tuple[bytes, bytes]:
    """``(statement, signature)``: a record's bytes cut at its ``-----BEGIN`` line.

    This is what the documented ``sed`` commands do before ``ssh-keygen -Y verify``.
    """
    from provenance.sshsig import BEGIN_LINE  # Records are rare: a plain verify never loads it.

    marker = b"\n" + BEGIN_LINE.encode("ascii") + b"\n"
    at = data.find(marker)
    if at < 0:
        raise InputError(f"no {BEGIN_LINE!r} line: not a signed record")
    return data[: at + 1], data[at + 1 :]


class _Lines:
    """The statement's lines with their numbers, read one field at a time."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")[:-1]  # The statement ends with LF.
        self.at = 0

    def peek_key(self) -> str | None:
        if self.at >= len(self.lines):
            return None
        return self.lines[self.at].partition(" ")[0]

    def field(self, key: str) -> str:
        """The value of the next line, which must read ``KEY VALUE``."""
        number = self.at + 1
        if self.at >= len(self.lines):
            raise InputError(f"line {number}: expected '{key} ...', found the end of the record")
        line = self.lines[self.at]
        found, space, value = line.partition(" ")
        if found != key or not space:
            raise InputError(f"line {number}: expected '{key} ...', found {line[:80]!r}")
        self.at += 1
        return value


def _check(ok: bool, number: int, what: str) -> None:
    if not ok:
        raise InputError(f"line {number}: {what}")


def parse(data: bytes) -> Record:
    """Read a record, refusing any byte form but the canonical one.

    Raises :class:`~provenance.errors.InputError` saying which line is wrong and why.
    """
    if len(data) > MAX_RECORD_SIZE:
        raise InputError(f"the record is larger than {MAX_RECORD_SIZE} bytes")
    head, armored = split(data)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the record is not UTF-8 text (byte {exc.start})") from None
    if "\r" in text:
        raise InputError(f"line {text[: text.index(chr(13))].count(chr(10)) + 1}: a CR character")
    lines = _Lines(text)
    magic = lines.lines[0] if lines.lines else ""
    if magic != MAGIC_LINE:
        if magic.startswith("provenance-record "):
            raise InputError(f"line 1: unsupported record version {magic[18:][:20]!r}: expected 1")
        raise InputError(f"line 1: not a provenance record: expected {MAGIC_LINE!r}")
    lines.at = 1
    article = lines.field("article-sha256")
    _check(_HEX64.fullmatch(article) is not None, 2, "article-sha256 is not 64 lowercase hex")
    holder = lines.field("holder")
    problem = text_field_problem(holder)
    _check(problem is None, 3, f"the holder {problem}")
    year = lines.field("year")
    years = _YEAR.fullmatch(year)
    _check(years is not None, 4, f"year is not YYYY or YYYY-YYYY: {year[:20]!r}")
    assert years is not None
    if years.group(2) is not None:
        _check(years.group(1) != years.group(2), 4, f"year {year!r} is written {years.group(1)}")
    when = _time(lines.field("time"))
    signer = lines.field("signer")
    _check(_SIGNER.fullmatch(signer) is not None, 6, "signer is not a SHA256: key fingerprint")
    previous = note = None
    if lines.peek_key() == "previous-sha256":
        number = lines.at + 1
        previous = lines.field("previous-sha256")
        _check(_HEX64.fullmatch(previous) is not None, number, "previous-sha256 is not 64 hex")
    if lines.peek_key() == "note":
        number = lines.at + 1
        note = lines.field("note")
        problem = text_field_problem(note)
        _check(problem is None, number, f"the note {problem}")
    number = lines.at + 1
    count_text = lines.field("paragraphs")
    _check(_COUNT.fullmatch(count_text) is not None, number, "paragraphs is not a count")
    count = int(count_text)
    _check(count <= MAX_PARAGRAPHS, number, f"more than {MAX_PARAGRAPHS} paragraphs")
    digests = lines.lines[lines.at :]
    if len(digests) != count:
        raise InputError(
            f"line {number}: the record says {count} paragraphs, {len(digests)} digest lines follow"
        )
    for offset, digest in enumerate(digests, start=number + 1):
        _check(_HEX64.fullmatch(digest) is not None, offset, "a paragraph digest is not 64 hex")
    from provenance.sshsig import dump as dump_signature
    from provenance.sshsig import parse as parse_signature

    try:
        signature = dump_signature(parse_signature(armored))
    except InputError as exc:
        raise InputError(f"the signature: {exc.message}") from None
    if signature.encode("ascii") != armored:
        raise InputError("the signature is not armored as ssh-keygen writes it (70 columns, LF)")
    from provenance.keys import fingerprint  # The key's own blob names its signer.

    key = fingerprint(parse_signature(signature).public_key)
    if key != signer:
        raise InputError(f"line 6: the record names signer {signer}, its signature is by {key}")
    record = Record(
        statement=Statement(
            article=article,
            holder=holder,
            year=year,
            time=when,
            signer=signer,
            previous=previous,
            note=note,
            paragraphs=tuple(digests),
        ),
        signature=signature,
    )
    # The lines above take each field in one form only; this keeps that promise whole.
    if dump(record) != data:
        raise InputError("the record is not in its canonical form")
    return record


def _time(value: str) -> datetime:
    try:
        when = datetime.strptime(value, _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise InputError(f"line 5: time is not YYYY-MM-DDTHH:MM:SSZ: {value[:40]!r}") from None
    _check(when.strftime(_TIME_FORMAT) == value, 5, f"time {value!r} is not canonical")
    return when


__all__ = [
    "MAX_RECORD_SIZE",
    "RECORD_NAMESPACE",
    "ArticleDigests",
    "Record",
    "Statement",
    "article_digests",
    "dump",
    "parse",
    "record_digest",
    "split",
    "statement_bytes",
    "text_field_problem",
]
