"""Frozen data types shared by every layer: documents, fingerprints and results.

Names keep what a file *claims* (the footer's token: ``expected``) apart from what
provenance *computed* (``actual``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from provenance.credential import C2paCheck


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
    """What :func:`provenance.parse.parse` returns for input that is not UTF-8 text."""

    reason: str
    size: int


class SignatureVerdict(StrEnum):
    """The verdict on a detached signature (FILE.sig). Public contract (see SPEC.md)."""

    GOOD = "good"
    BAD = "bad"
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


@dataclass(frozen=True, slots=True)
class Result:
    """The verdict on one file."""

    path: str
    verdict: Verdict
    detail: str
    algorithm: Algorithm | None = None
    #: The token the footer claims.
    expected: str | None = None
    #: The digest provenance computed over the covered text.
    actual: str | None = None
    canonicalization: Canonicalization = Canonicalization.RELAXED
    publisher: str | None = None
    #: Text after the fingerprint: not covered by it, so a warning (a failure under --strict).
    trailer: str | None = None
    #: 1-based line of the footer (for annotations), when known.
    line: int | None = None
    #: Warnings about the file that do not change the verdict.
    warnings: tuple[str, ...] = ()
    #: The check of FILE.sig, when signatures were checked.
    signature: SignatureResult | None = None
    #: How the file stands against SHA256SUMS, in a sealed folder or archive.
    manifest: ManifestVerdict | None = None
    #: False for a file that is not an article (a photo in a sealed folder, the manifest, an
    #: archive): only its SHA-256 and signature are checked, and ``verdict`` is ``no-footer``
    #: as a placeholder that never fails a run by itself.
    article: bool = True
    #: The file's C2PA text credential (provenance.credential); ``None`` when not looked for.
    c2pa: C2paCheck | None = None

    def failed(
        self, *, strict: bool = False, require_signature: bool = False, require_c2pa: bool = False
    ) -> bool:
        """Whether this result fails a run (``strict`` as with ``--strict``; ``require_c2pa``
        as with ``--require-c2pa``: every article must carry a good C2PA credential)."""
        if self.verdict in FAILING_VERDICTS:
            return True
        if require_c2pa and self.article and (self.c2pa is None or self.c2pa.failed()):
            return True
        if self.signature is not None and self.signature.failed(
            require_signature=require_signature
        ):
            return True
        if self.manifest is not None and self.manifest is not ManifestVerdict.LISTED:
            return True
        if strict and self.article:
            return (
                self.verdict in STRICT_FAILING_VERDICTS
                or self.trailer is not None
                or bool(self.warnings)
            )
        return False


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts of verdicts over a run."""

    counts: tuple[tuple[Verdict, int], ...]
    total: int
    failed: int
    strict: bool = False
    require_signature: bool = False
    #: Counts of signature verdicts, over the results whose signature was checked.
    signatures: tuple[tuple[SignatureVerdict, int], ...] = ()
    #: Counts of SHA256SUMS verdicts, over the results checked against a manifest.
    manifest: tuple[tuple[ManifestVerdict, int], ...] = ()
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
        allow_empty: bool = False,
        signatures_checked: bool = True,
    ) -> Summary:
        """Count ``results``; ``signatures_checked`` says whether a trust source was given."""
        tally = dict.fromkeys(Verdict, 0)
        signatures = dict.fromkeys(SignatureVerdict, 0)
        manifest = dict.fromkeys(ManifestVerdict, 0)
        total = failed = others = checked = 0
        sealed = False
        for result in results:
            sealed = sealed or result.manifest is not None
            checked += result.article or result.manifest is not None
            if result.article or result.verdict is not Verdict.NO_FOOTER:
                tally[result.verdict] += 1
            else:
                others += 1
            if result.signature is not None:
                signatures[result.signature.verdict] += 1
            if result.manifest is not None:
                manifest[result.manifest] += 1
            total += 1
            failed += result.failed(strict=strict, require_signature=require_signature)
        return cls(
            counts=tuple((verdict, tally[verdict]) for verdict in Verdict),
            total=total,
            failed=failed,
            strict=strict,
            require_signature=require_signature,
            signatures=tuple((v, n) for v, n in signatures.items() if n),
            manifest=tuple((v, n) for v, n in manifest.items() if n),
            others=others,
            checked=checked,
            allow_empty=allow_empty,
            seal_signatures_unchecked=sealed and not signatures_checked,
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
    "Algorithm",
    "Canonicalization",
    "Contact",
    "Copyright",
    "Document",
    "Fingerprint",
    "FingerprintKind",
    "ManifestVerdict",
    "NotText",
    "Result",
    "SignatureResult",
    "SignatureVerdict",
    "Span",
    "Summary",
    "Verdict",
]
