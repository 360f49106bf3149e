"""Frozen data types shared by every layer: documents, fingerprints and results.

Names keep what a file *claims* (the footer's token: ``expected``) apart from what
provenance *computed* (``actual``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Verdict(StrEnum):
    """The footer verdict of one file. These words are a public contract (see SPEC.md)."""

    OK = "ok"
    MISMATCH = "mismatch"
    UNVERIFIABLE = "unverifiable"
    NO_FOOTER = "no-footer"
    MALFORMED = "malformed"
    UNREADABLE = "unreadable"
    #: Listed in a seal's SHA256SUMS, and absent: there is no file to read.
    MISSING = "missing"


#: Verdicts that fail a run whatever the options.
FAILING_VERDICTS = frozenset(
    {Verdict.MISMATCH, Verdict.MALFORMED, Verdict.UNREADABLE, Verdict.MISSING}
)
#: Verdicts that fail a run only under ``--strict``.
STRICT_FAILING_VERDICTS = frozenset({Verdict.UNVERIFIABLE, Verdict.NO_FOOTER})


class Algorithm(StrEnum):
    """Digest algorithm of a fingerprint, told apart by the token's length."""

    MD5 = "md5"
    SHA256 = "sha256"

    @property
    def hex_length(self) -> int:
        return 32 if self is Algorithm.MD5 else 64


class FingerprintKind(StrEnum):
    """Whether a token is a digest of the text or a constant publisher marker."""

    CONTENT = "content"
    PUBLISHER_TOKEN = "publisher-token"


class Canonicalization(StrEnum):
    """How the covered text is normalised before hashing (SPEC.md, "Canonical form")."""

    RELAXED = "relaxed"
    SIMPLE = "simple"


@dataclass(frozen=True, slots=True)
class Span:
    """A named byte range ``[start, end)`` of the input."""

    name: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Contact:
    """One "Write to NAME at EMAIL" entry."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Copyright:
    """The copyright notice of the footer, e.g. ``Copyright ©2022 Example News, Inc. ...``."""

    #: The year or range as written: ``"2022"``, ``"2019-2022"`` or ``"2019–2022"``.
    year: str
    first_year: int
    last_year: int
    #: The holder as written, abbreviation included: ``"Example News, Inc."``.
    holder: str
    #: The whole notice as written, from "Copyright" to "Reserved." inclusive.
    text: str


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The token that ends the footer."""

    value: str
    algorithm: Algorithm
    kind: FingerprintKind
    #: The publisher a known token belongs to, for ``kind == PUBLISHER_TOKEN``.
    publisher: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed article. The spans tile the input: joined in order they rebuild it exactly."""

    body: str
    contributors: tuple[str, ...]
    contacts: tuple[Contact, ...]
    copyright: Copyright | None
    fingerprint: Fingerprint | None
    #: Text after the fingerprint (not covered by it), stripped; ``None`` when there is none.
    trailer: str | None
    spans: tuple[Span, ...]
    #: A word standing where the fingerprint should be that is not a valid token.
    malformed_token: str | None = None
    #: 1-based line number of the copyright notice, when there is one.
    footer_line: int | None = None
    #: Why there is no usable footer, when the parser can tell (for the verdict's detail).
    note: str | None = None
    #: The first line ending of the file ("\n", "\r\n" or "\r"); "\n" when it has none.
    newline: str = "\n"
    #: Whether the input ends with a line ending.
    final_newline: bool = False

    def span(self, name: str) -> Span | None:
        """The span called ``name``, or ``None``."""
        for span in self.spans:
            if span.name == name:
                return span
        return None

    @property
    def covered_end(self) -> int:
        """Byte offset where the text covered by the fingerprint ends (see SPEC.md)."""
        notice = self.span("notice")
        if notice is not None:
            return notice.end
        return self.spans[-1].end if self.spans else 0


@dataclass(frozen=True, slots=True)
class NotText:
    """What :func:`provenance.parsing.parse` returns for input that is not UTF-8 text."""

    reason: str
    size: int


class SignatureVerdict(StrEnum):
    """The verdict on a detached signature (FILE.sig). Public contract (see SPEC.md)."""

    GOOD = "good"
    BAD = "bad"
    #: Valid, but made by a key in the --revoked file, whatever the trust source says.
    REVOKED = "revoked"
    UNTRUSTED = "untrusted"
    MALFORMED = "malformed"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class SignatureResult:
    """The check of one detached SSHSIG signature."""

    verdict: SignatureVerdict
    detail: str
    #: The principal the trust file names for the signing key (never taken from the signature).
    principal: str | None = None
    #: The signing key's fingerprint as ssh-keygen prints it: ``SHA256:...``.
    key_fingerprint: str | None = None
    namespace: str | None = None
    #: Path of the signature file, when it came from one.
    signature_path: str | None = None

    def failed(self, *, require_signature: bool = False) -> bool:
        """Whether this signature result fails a run.

        ``require_signature`` is the run's policy: every article covered by a good signature
        (the default whenever a trust source is given; off with ``--allow-unsigned``). A
        covered article carries no signature result at all, so ``missing`` means uncovered.
        """
        if self.verdict is SignatureVerdict.MISSING:
            return require_signature
        return self.verdict is not SignatureVerdict.GOOD


class ManifestVerdict(StrEnum):
    """How a file stands against a sealed folder's SHA256SUMS. Public contract (SPEC.md)."""

    #: Listed, and its SHA-256 matches.
    LISTED = "listed"
    #: Listed, but its SHA-256 differs.
    MISMATCH = "mismatch"
    #: Listed, but absent.
    MISSING = "missing"
    #: Present, but not listed (a planted file).
    UNLISTED = "unlisted"
    #: The entry's path is absolute, holds "..", or leaves the folder: never opened.
    UNSAFE = "unsafe"


class C2paState(StrEnum):
    """Whether a file carries a C2PA text credential. Public contract (SPEC.md §11)."""

    ABSENT = "absent"
    #: One well-formed wrapper.
    PRESENT = "present"
    #: A wrapper whose header is damaged or cut short (``manifest.text.corruptedWrapper``).
    CORRUPT = "corrupt"
    #: Two or more wrappers (``manifest.text.multipleWrappers``).
    MULTIPLE = "multiple"


class C2paBinding(StrEnum):
    """The hard binding (``c2pa.hash.data``) of a present credential. Public contract."""

    OK = "ok"
    MISMATCH = "mismatch"
    #: The exclusion is not exactly the wrapper (a line-end conversion), or no store to read.
    MALFORMED = "malformed"


class C2paSignature(StrEnum):
    """The claim signature of a present credential. Public contract (SPEC.md §11)."""

    #: Valid, and its certificate chain ends at an anchor of ``--c2pa-trust``.
    TRUSTED = "trusted"
    #: Valid, but no anchors were given, or none of those given issued it.
    UNTRUSTED = "signed, untrusted"
    INVALID = "invalid"
    #: The ``c2pa`` extra is not installed, or the file was streamed (over 4 MiB).
    NOT_VERIFIED = "not verified"


@dataclass(frozen=True, slots=True, kw_only=True)
class C2paCheck:
    """The C2PA text credential of one article (``Result.c2pa``): beside the footer verdict,
    never changing it; it fails a run only under ``--require-c2pa`` (:meth:`failed`)."""

    state: C2paState
    detail: str
    #: Byte span of the wrapper (the last one, when there are several).
    start: int | None = None
    end: int | None = None
    #: How many wrappers the file holds.
    count: int = 0
    manifest_size: int | None = None
    padding: int | None = None
    binding: C2paBinding | None = None
    binding_detail: str | None = None
    signature: C2paSignature | None = None
    signature_detail: str | None = None
    #: The signing certificate's subject, as the verifier read it.
    signer: str | None = None
    #: Warnings about the credential (they are also among the result's warnings).
    warnings: tuple[str, ...] = ()

    def __reduce__(self) -> str | tuple[object, tuple[object, ...]]:
        # Nearly every file has no credential: it is the one shared constant, sent from a
        # worker as a reference to it (a few bytes) and unpickled as that same object.
        if self is C2PA_ABSENT:
            return "C2PA_ABSENT"
        return _c2pa_check, tuple(getattr(self, name) for name in _C2PA_FIELDS)

    @property
    def size(self) -> int | None:
        """The wrapper's size in bytes."""
        return None if self.start is None or self.end is None else self.end - self.start

    def failed(self) -> bool:
        """Whether ``--require-c2pa`` fails this file: anything but one intact credential
        whose binding holds and whose signature chains to a ``--c2pa-trust`` anchor."""
        return not (
            self.state is C2paState.PRESENT
            and self.binding is C2paBinding.OK
            and self.signature is C2paSignature.TRUSTED
        )

    def summary(self) -> str:
        """One line for the text report, e.g.
        ``present (9,152 bytes at 561), binding ok; signed, untrusted``."""
        if self.state is C2paState.ABSENT:
            return "absent"
        size = self.size
        line = f"{self.state} ({size:,} bytes at {self.start})" if size else str(self.state)
        if self.binding is not None:
            line += f", binding {self.binding}"
        if self.signature is C2paSignature.NOT_VERIFIED:
            line += f" (not verified: {self.signature_detail})"
        elif self.signature is not None:
            line += f"; {self.signature}"
        return line


_C2PA_FIELDS = tuple(C2paCheck.__dataclass_fields__)


def _c2pa_check(*values: object) -> C2paCheck:
    """Unpickle a :class:`C2paCheck` (see its ``__reduce__``), by keyword."""
    return C2paCheck(**dict(zip(_C2PA_FIELDS, values, strict=True)))  # type: ignore[arg-type]


#: The check of every file without a credential: one object, shared.
C2PA_ABSENT = C2paCheck(state=C2paState.ABSENT, detail="no C2PA text credential")


class EntryKind(StrEnum):
    """What an entry of a run is. Only an article gets a footer check (:class:`FooterCheck`);
    the others are checked for their SHA-256 (in a seal) and their signature only. Not part
    of the JSON report, which marks an entry without a footer check ``"article": false``."""

    #: A file whose footer is checked, or a path that could not be read or is missing (its
    #: footer verdict, ``unreadable`` or ``missing``, says so).
    ARTICLE = "article"
    #: A seal's SHA256SUMS (it may carry the seal's signature).
    MANIFEST = "manifest"
    #: A detached signature file (``FILE.sig``, ``SHA256SUMS.sig``) listed in a seal.
    SIGNATURE = "signature"
    #: A provenance record (``FILE.prov``, SPEC.md §12) listed in a seal: it is checked as
    #: its article's :class:`RecordCheck`, never as an article itself.
    RECORD = "record"
    #: Anything else: a photo in a sealed folder, an archive carrying its ARCHIVE.sig.
    OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class FooterCheck:
    """The footer check of one article: the verdict, what the footer claims, what was computed."""

    verdict: Verdict
    algorithm: Algorithm | None = None
    #: The token the footer claims.
    expected: str | None = None
    #: The digest provenance computed over the covered text.
    actual: str | None = None
    canonicalization: Canonicalization = Canonicalization.RELAXED
    publisher: str | None = None
    #: Text after the fingerprint: not covered by it, so a warning (a failure under --strict).
    trailer: str | None = None

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Worker processes send checks back pickled: a tuple of the fields costs a third of
        # what pickling a slotted dataclass field by field does.
        return _footer_check, (
            self.verdict,
            self.algorithm,
            self.expected,
            self.actual,
            self.canonicalization,
            self.publisher,
            self.trailer,
        )


def _footer_check(
    verdict: Verdict,
    algorithm: Algorithm | None,
    expected: str | None,
    actual: str | None,
    canonicalization: Canonicalization,
    publisher: str | None,
    trailer: str | None,
) -> FooterCheck:
    """Unpickle a :class:`FooterCheck` (see its ``__reduce__``), by keyword."""
    return FooterCheck(
        verdict=verdict,
        algorithm=algorithm,
        expected=expected,
        actual=actual,
        canonicalization=canonicalization,
        publisher=publisher,
        trailer=trailer,
    )


class ChangeKind(StrEnum):
    """What happened to a paragraph since its record. Public contract (SPEC.md §12.3)."""

    CHANGED = "changed"
    INSERTED = "inserted"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One changed, inserted or removed paragraph (:func:`provenance.align.changes`).

    ``paragraph`` counts from 1 in the current text (in the recorded one for a removal);
    ``line`` is the current text's line of that paragraph, and for a removal the line before
    which it stood (one past the last paragraph's line at the end); ``None`` when the current
    side is a record, which has no lines.
    """

    kind: ChangeKind
    paragraph: int
    line: int | None
    #: The paragraph's number in the recorded text (a change or a removal).
    recorded: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainLink:
    """One record of a chain: found by its digest, or ``found`` false when it is nowhere."""

    #: SHA-256 (hex) of the record's bytes: what the next record's ``previous-sha256`` names.
    digest: str
    found: bool
    #: The signing key's fingerprint the record states (a claim until its signature is good).
    signer: str | None = None
    note: str | None = None
    time: datetime | None = None
    #: The check of its signature; ``None`` when no trust source was given (unchecked).
    signature: SignatureResult | None = None
    path: str | None = None
    #: Why a link found cannot be read as a record.
    problem: str | None = None

    def failed(self) -> bool:
        """Whether this link fails the run: a record found that is malformed, or whose
        signature is not good (bad, revoked, untrusted...)."""
        if self.problem is not None:
            return True
        return self.signature is not None and self.signature.verdict is not SignatureVerdict.GOOD


#: The states a record check is counted under in a run's summary (:attr:`RecordCheck.state`).
RECORD_STATES = ("matched", "changed", "malformed")


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordCheck:
    """An article checked against its provenance record (``Result.record``; JSON ``record``).

    Built by :mod:`provenance.recorded`; read by the reports. It never turns a failing
    footer or seal into a pass: it can only add a failure.
    """

    #: The record file.
    path: str
    #: The record's signature; ``None`` when no trust source was given (``unchecked``).
    signature: SignatureResult | None
    #: Whether the article's canonical text is the recorded one; ``None``: malformed record.
    matches: bool | None
    changes: tuple[Change, ...] = ()
    #: The record itself, then the records before it, newest first.
    chain: tuple[ChainLink, ...] = ()
    #: Why the record cannot be read, or what else is to say about the match.
    detail: str | None = None

    @property
    def state(self) -> str:
        """How the text stands against the record, as the summary counts it: ``matched``,
        ``changed``, or ``malformed`` (the record could not be read or parsed)."""
        if self.matches is None:
            return "malformed"
        return "matched" if self.matches else "changed"

    @property
    def word(self) -> str:
        """The state of the record's signature: a signature verdict, or ``unchecked``."""
        if self.matches is None:
            return SignatureVerdict.MALFORMED.value
        return self.signature.verdict.value if self.signature is not None else "unchecked"

    def failed(self) -> bool:
        """Whether this check fails the run: a malformed record or a signature that is not
        good, a text that does not match, or an earlier record found that fails."""
        if self.matches is not True:
            return True
        if self.signature is not None and self.signature.verdict is not SignatureVerdict.GOOD:
            return True
        return any(link.failed() for link in self.chain)


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """The report on one entry of a run (a file, a manifest entry, an archive member): one
    sub-result per check, each ``None`` when that check does not apply.

    Built by keyword only. An article always has a footer check; an entry of another kind
    has none (``footer=None``: it is not an article), unless it could not be read or parsed
    at all (an unreadable or malformed SHA256SUMS): ``footer`` then holds that verdict.
    """

    path: str
    #: What a reader needs to act on the entry: the footer's reason, the manifest's, or why
    #: the entry is not an article.
    detail: str
    kind: EntryKind = EntryKind.ARTICLE
    #: The footer check; ``None`` for an entry that is not an article.
    footer: FooterCheck | None = None
    #: 1-based line to point at (for annotations): the footer's, or the manifest's line of
    #: an entry that is missing, unsafe or malformed.
    line: int | None = None
    #: Warnings about the file that do not change the verdict (a failure under --strict).
    warnings: tuple[str, ...] = ()
    #: The check of FILE.sig, when signatures were checked.
    signature: SignatureResult | None = None
    #: How the file stands against SHA256SUMS, in a sealed folder or archive.
    manifest: ManifestVerdict | None = None
    #: The C2PA text credential of an article (provenance.credential): :data:`C2PA_ABSENT`
    #: when it carries none; ``None`` for an entry that is not an article.
    c2pa: C2paCheck | None = None
    #: The check against the article's provenance record (FILE.prov), when it has one.
    record: RecordCheck | None = None

    def __post_init__(self) -> None:
        # Not an assert: python -O removes those, and a report without a footer verdict for
        # an article would pass as "not an article".
        if self.footer is None and self.kind is EntryKind.ARTICLE:
            raise ValueError(f"{self.path!r}: an article's result needs its footer check")

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return result_from_row, (self.path, result_row(self))

    @classmethod
    def unreadable(
        cls, path: str, detail: str, *, manifest: ManifestVerdict | None = None
    ) -> Result:
        """The result of a path that could not be read: its footer verdict is ``unreadable``.

        >>> Result.unreadable("a.txt", "is a folder").verdict.value
        'unreadable'
        """
        footer = FooterCheck(verdict=Verdict.UNREADABLE)
        return cls(path=path, detail=detail, footer=footer, manifest=manifest)

    def with_manifest(self, manifest: ManifestVerdict, detail: str | None = None) -> Result:
        """This result with its SHA256SUMS verdict (and a new detail): what
        ``dataclasses.replace`` does, at a tenth of its cost (it inspects the fields on every
        call, which made it a tenth of a sealed folder's whole check)."""
        # Through result_from_row: one place builds a Result from all of its fields.
        old, kind, footer, line, warnings, signature, _, c2pa, record = result_row(self)
        new = old if detail is None else detail
        row = (new, kind, footer, line, warnings, signature, manifest, c2pa, record)
        return result_from_row(self.path, row)

    def with_record(self, record: RecordCheck) -> Result:
        """This result with the check of its provenance record, built once by keyword (as
        :meth:`with_manifest`, without ``dataclasses.replace``)."""
        detail, kind, footer, line, warnings, signature, manifest, c2pa, _ = result_row(self)
        row = (detail, kind, footer, line, warnings, signature, manifest, c2pa, record)
        return result_from_row(self.path, row)

    # Read-only views of the footer check, for readers that want one field.

    @property
    def verdict(self) -> Verdict | None:
        """The footer verdict; ``None`` for an entry that is not an article."""
        return self.footer.verdict if self.footer is not None else None

    @property
    def algorithm(self) -> Algorithm | None:
        return self.footer.algorithm if self.footer is not None else None

    @property
    def expected(self) -> str | None:
        return self.footer.expected if self.footer is not None else None

    @property
    def actual(self) -> str | None:
        return self.footer.actual if self.footer is not None else None

    @property
    def canonicalization(self) -> Canonicalization:
        if self.footer is None:
            return Canonicalization.RELAXED
        return self.footer.canonicalization

    @property
    def publisher(self) -> str | None:
        return self.footer.publisher if self.footer is not None else None

    @property
    def trailer(self) -> str | None:
        return self.footer.trailer if self.footer is not None else None

    def failed(
        self, *, strict: bool = False, require_signature: bool = False, require_c2pa: bool = False
    ) -> bool:
        """Whether this result fails a run (``strict`` as with ``--strict``; ``require_c2pa``
        as with ``--require-c2pa``: every article must carry a good C2PA credential)."""
        footer = self.footer
        if footer is not None and footer.verdict in FAILING_VERDICTS:
            return True
        if require_c2pa and footer is not None and (self.c2pa is None or self.c2pa.failed()):
            return True
        if self.signature is not None and self.signature.failed(
            require_signature=require_signature
        ):
            return True
        if self.manifest is not None and self.manifest is not ManifestVerdict.LISTED:
            return True
        if self.record is not None and self.record.failed():
            return True
        if strict and footer is not None:
            return (
                footer.verdict in STRICT_FAILING_VERDICTS
                or footer.trailer is not None
                or bool(self.warnings)
            )
        return False


#: Every field of a :class:`Result` but its path, as :func:`result_row` gives them.
ResultRow = tuple[
    str,
    EntryKind,
    FooterCheck | None,
    int | None,
    tuple[str, ...],
    SignatureResult | None,
    ManifestVerdict | None,
    C2paCheck | None,
    RecordCheck | None,
]


def result_row(result: Result) -> ResultRow:
    """Every field of ``result`` but its path, as a plain tuple: what a worker process sends
    back (the caller knows the path) and what pickling sends. See :func:`result_from_row`."""
    return (
        result.detail,
        result.kind,
        result.footer,
        result.line,
        result.warnings,
        result.signature,
        result.manifest,
        result.c2pa,
        result.record,
    )


def result_from_row(path: str, row: ResultRow) -> Result:
    """The :class:`Result` at ``path`` whose other fields :func:`result_row` gave, by keyword."""
    detail, kind, footer, line, warnings, signature, manifest, c2pa, record = row
    return Result(
        path=path,
        detail=detail,
        kind=kind,
        footer=footer,
        line=line,
        warnings=warnings,
        signature=signature,
        manifest=manifest,
        c2pa=c2pa,
        record=record,
    )


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts of verdicts over a run."""

    counts: tuple[tuple[Verdict, int], ...]
    total: int
    failed: int
    strict: bool = False
    require_signature: bool = False
    #: ``--require-c2pa``: every article must carry a good C2PA credential.
    require_c2pa: bool = False
    #: Counts of signature verdicts, over the results whose signature was checked.
    signatures: tuple[tuple[SignatureVerdict, int], ...] = ()
    #: Counts of manifest verdicts, over the results checked against a manifest (SHA256SUMS,
    #: SHA512SUMS, a bag's manifests).
    manifest: tuple[tuple[ManifestVerdict, int], ...] = ()
    #: Counts of provenance-record checks (``matched``, ``changed``, ``malformed``: see
    #: :attr:`RecordCheck.state`), over the articles checked against a record; non-zero only.
    records: tuple[tuple[str, int], ...] = ()
    #: Files that are not articles (only their SHA-256 or signature is checked).
    others: int = 0
    #: Files actually checked: articles, and entries checked against a SHA256SUMS. The
    #: results that only carry a seal's or an archive's own signature do not count.
    checked: int = 0
    #: Whether a run that checked no file passes (``--allow-empty``); by default it fails.
    allow_empty: bool = False
    #: Whether files were checked against a seal while no trust source was given: the seals'
    #: signatures were then not checked, and the report must say so.
    seal_signatures_unchecked: bool = False

    @classmethod
    def of(
        cls,
        results: Iterable[Result],
        *,
        strict: bool = False,
        require_signature: bool = False,
        require_c2pa: bool = False,
        allow_empty: bool = False,
        signatures_checked: bool = True,
    ) -> Summary:
        """Count ``results``; ``signatures_checked`` says whether a trust source was given."""
        tally = dict.fromkeys(Verdict, 0)
        signatures = dict.fromkeys(SignatureVerdict, 0)
        manifest = dict.fromkeys(ManifestVerdict, 0)
        records = dict.fromkeys(RECORD_STATES, 0)
        total = failed = others = checked = 0
        sealed = False
        for result in results:
            footer = result.footer
            sealed = sealed or result.manifest is not None
            checked += footer is not None or result.manifest is not None
            if footer is not None:
                tally[footer.verdict] += 1
            else:
                others += 1
            if result.signature is not None:
                signatures[result.signature.verdict] += 1
            if result.manifest is not None:
                manifest[result.manifest] += 1
            if result.record is not None:
                records[result.record.state] += 1
            total += 1
            failed += result.failed(
                strict=strict, require_signature=require_signature, require_c2pa=require_c2pa
            )
        return cls(
            counts=tuple((verdict, tally[verdict]) for verdict in Verdict),
            total=total,
            failed=failed,
            strict=strict,
            require_signature=require_signature,
            require_c2pa=require_c2pa,
            signatures=tuple((v, n) for v, n in signatures.items() if n),
            manifest=tuple((v, n) for v, n in manifest.items() if n),
            records=tuple((state, n) for state, n in records.items() if n),
            others=others,
            checked=checked,
            allow_empty=allow_empty,
            seal_signatures_unchecked=sealed and not signatures_checked,
        )

    def fails(self, result: Result) -> bool:
        """Whether ``result`` fails this run, under the run's policy (what :meth:`of` counted)."""
        return result.failed(
            strict=self.strict,
            require_signature=self.require_signature,
            require_c2pa=self.require_c2pa,
        )

    @property
    def empty(self) -> bool:
        """Whether the run checked no file: a mistyped path or glob must not read as passed."""
        return self.checked == 0

    @property
    def ok(self) -> bool:
        """Whether the run passed: nothing failed, and something was checked (or allowed not)."""
        return self.failed == 0 and (self.allow_empty or not self.empty)


__all__ = [
    "C2PA_ABSENT",
    "Algorithm",
    "C2paBinding",
    "C2paCheck",
    "C2paSignature",
    "C2paState",
    "Canonicalization",
    "ChainLink",
    "Change",
    "ChangeKind",
    "Contact",
    "Copyright",
    "Document",
    "EntryKind",
    "Fingerprint",
    "FingerprintKind",
    "FooterCheck",
    "ManifestVerdict",
    "NotText",
    "RecordCheck",
    "Result",
    "ResultRow",
    "SignatureResult",
    "SignatureVerdict",
    "Span",
    "Summary",
    "Verdict",
    "result_from_row",
    "result_row",
]
