"""Recipe: make provenance records, and check an article against its record and chain.

``make_record`` turns an article's bytes into a signed record (:mod:`provenance.record` is the
format); ``write_record`` writes ``ARTICLE.prov`` atomically. ``check_record`` compares an
article with a record: the record's signature (namespace ``provenance-record``, the trust rules
of every signature), whether the text matches it, which paragraphs changed
(:mod:`provenance.align`), and the chain of earlier records its ``previous-sha256`` names.
The result is a :class:`provenance.model.RecordCheck`, carried on ``Result.record``; it never
raises for a bad record, only for what the user named wrongly.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from provenance import align, record
from provenance.errors import InputError, OperationalError, Refused
from provenance.fsio import (
    SpecialFileError,
    TooLargeError,
    atomic_write,
    read_limited,
    read_small_file,
)
from provenance.model import (
    FAILING_VERDICTS,
    ChainLink,
    Change,
    EntryKind,
    RecordCheck,
    Result,
    SignatureResult,
    Verdict,
)
from provenance.parsing import MAX_PARSE_SIZE
from provenance.record import MAX_RECORD_SIZE, RECORD_NAMESPACE, Record
from provenance.selector import RECORD_SUFFIX

if TYPE_CHECKING:
    from provenance.allowed_signers import TrustPolicy
    from provenance.keys import Signer
    from provenance.options import VerifyOptions

#: Footer verdicts of a file that was not read: there is no text to hold to a record.
_NOT_READ = frozenset({Verdict.UNREADABLE, Verdict.MISSING})
#: How many earlier records a chain follows before it stops (a longer one is cut, and says so).
MAX_CHAIN = 1000


def record_path(article: str | os.PathLike[str]) -> str:
    """Where the record of ``article`` lives: ``article`` + ``.prov``.

    >>> record_path("a.txt")
    'a.txt.prov'
    """
    return os.fspath(article) + RECORD_SUFFIX


def _read_article(path: str | os.PathLike[str]) -> bytes:
    return read_small_file(path, "article", MAX_PARSE_SIZE)


def read_record(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a record file named by the user (``--previous``, ``diff``): errors exit 2/3."""
    return read_small_file(path, "record", MAX_RECORD_SIZE)


def parse_named(path: str | os.PathLike[str]) -> tuple[bytes, Record]:
    """A record file named by the user, read and parsed; a malformed one is a usage error."""
    data = read_record(path)
    try:
        return data, record.parse(data)
    except InputError as exc:
        raise InputError(f"record {os.fspath(path)} is malformed: {exc.message}") from exc


def make_record(
    data: bytes,
    key: Signer,
    *,
    now: datetime | None = None,
    previous: str | os.PathLike[str] | None = None,
    note: str | None = None,
) -> bytes:
    """The bytes of a signed record of the article ``data``.

    Refused (:class:`~provenance.errors.Refused`, exit 1): an article with no copyright notice
    (a record names its holder and year) and one whose footer fails (``mismatch``,
    ``malformed``): a record never vouches for a text its own footer says was altered.
    ``previous`` names the previous record's file (it must be a well-formed record).

    >>> make_record(Path("a.txt").read_bytes(), key)  # doctest: +SKIP
    b'provenance-record 1\\narticle-sha256 ...'
    """
    from provenance.engine import check_bytes
    from provenance.sign import sign_bytes

    footer = check_bytes(data)
    if footer.verdict in FAILING_VERDICTS:
        raise Refused(
            f"its footer does not verify ({footer.verdict.value}: {footer.detail}); not recording it",
            hint="check the text first; a record vouches for a text, never for an altered one",
        )
    digests = record.article_digests(data)
    if digests.holder is None or digests.year is None:
        raise Refused(
            "it has no copyright notice; a record names the holder and year",
            hint="stamp it first: provenance stamp FILE --holder NAME",
        )
    problem = record.text_field_problem(digests.holder)
    if problem is not None:
        raise Refused(f"its holder {problem}; it cannot be recorded")
    if note is not None and (problem := record.text_field_problem(note)) is not None:
        raise InputError(f"--note {problem}")
    if len(digests.paragraphs) > record.MAX_PARAGRAPHS:
        raise Refused(f"it has more than {record.MAX_PARAGRAPHS} paragraphs")
    previous_digest = None
    if previous is not None:
        previous_digest = record.record_digest(parse_named(previous)[0])
    when = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    statement = record.Statement(
        article=digests.article,
        holder=digests.holder,
        year=digests.year,
        time=when,
        signer=key.public.fingerprint,
        previous=previous_digest,
        note=note,
        paragraphs=digests.paragraphs,
    )
    signed = record.statement_bytes(statement)
    return record.dump(
        Record(statement=statement, signature=sign_bytes(signed, key, RECORD_NAMESPACE))
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Written:
    """What :func:`write_record` did."""

    path: str
    digest: str
    #: Where the replaced previous record was kept, when ``--previous`` named ``FILE.prov``.
    kept: str | None = None


def kept_name(article: str | os.PathLike[str], digest: str) -> str:
    """Where a replaced record is kept, beside the article: ``ARTICLE.<12 hex>.prov``.

    >>> kept_name("a.txt", "0123456789abcdef" * 4)
    'a.txt.0123456789ab.prov'
    """
    return f"{os.fspath(article)}.{digest[:12]}{RECORD_SUFFIX}"


def write_record(
    article: str | os.PathLike[str],
    key: Signer,
    *,
    now: datetime | None = None,
    previous: str | os.PathLike[str] | None = None,
    note: str | None = None,
    force: bool = False,
) -> Written:
    """Record ``article`` in ``article.prov``, written atomically.

    An existing ``article.prov`` is replaced only when ``previous`` names it (a correction:
    the old record is first kept as ``ARTICLE.<12 hex>.prov``, where ``verify`` finds it) or
    with ``force``; otherwise :class:`~provenance.errors.Refused`.
    """
    target = record_path(article)
    old = parse_named(previous)[0] if previous is not None else None
    exists = os.path.lexists(target)
    chained = exists and previous is not None and _same_file(previous, target)
    if exists and not chained and not force:
        raise Refused(
            f"{target} already exists; refusing to overwrite it",
            hint=f"record a correction with --previous {target} --note TEXT, or use --force",
        )
    data = make_record(_read_article(article), key, now=now, previous=previous, note=note)
    kept = None
    if chained:
        assert old is not None
        kept = kept_name(article, record.record_digest(old))
        if not (os.path.isfile(kept) and read_record(kept) == old):
            atomic_write(kept, old, overwrite=False)
    atomic_write(target, data)
    return Written(path=target, digest=record.record_digest(data), kept=kept)


def _same_file(a: str | os.PathLike[str], b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# -- checking ------------------------------------------------------------------------------------


def _load(path: str) -> bytes | str:
    """A record file's bytes, or why it is no record (a FIFO, a folder, too large)."""
    try:
        return read_limited(path, MAX_RECORD_SIZE)
    except FileNotFoundError:
        return "does not exist"
    except IsADirectoryError:
        return "is a folder"
    except (SpecialFileError, TooLargeError) as exc:
        return str(exc.strerror)
    except OSError as exc:
        raise OperationalError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _signature(
    parsed: Record, policy: TrustPolicy | None, now: datetime | None
) -> SignatureResult | None:
    if policy is None:
        return None
    from provenance.sign import check_signature

    statement = record.statement_bytes(parsed.statement)
    return check_signature(statement, parsed.signature, policy, RECORD_NAMESPACE, now=now)


def check_record(
    article: bytes,
    record_file: str,
    *,
    policy: TrustPolicy | None = None,
    now: datetime | None = None,
    search: Sequence[str] = (),
) -> RecordCheck:
    """Check the article's bytes against the record in ``record_file``; never raises for a bad
    record. ``search`` lists more folders where the chain's earlier records may be."""
    return check_record_data(
        article, _load(record_file), record_file, policy=policy, now=now, search=search
    )


def check_record_data(
    article: bytes,
    loaded: bytes | str,
    record_file: str,
    *,
    policy: TrustPolicy | None = None,
    now: datetime | None = None,
    search: Sequence[str] = (),
    beside: Sequence[tuple[str, bytes]] | None = None,
) -> RecordCheck:
    """Check the article's bytes against a record already read: its bytes, or why it could
    not be read (``record_file`` is how it is shown). ``beside`` holds more candidates for
    the chain's earlier records, already read (an archive's ``ARTICLE.*.prov`` members), in
    place of the files beside ``record_file`` on disk (``None``: look there)."""
    if isinstance(loaded, str):
        return _unread(record_file, f"{record_file} {loaded}")
    try:
        parsed = record.parse(loaded)
    except InputError as exc:
        return _unread(record_file, f"malformed record: {exc.message}")
    signature = _signature(parsed, policy, now)
    try:
        current = record.article_digests(article)
    except InputError as exc:
        return RecordCheck(
            path=record_file,
            signature=signature,
            matches=False,
            detail=f"the article is {exc.message}",
        )
    matches = hmac.compare_digest(current.article, parsed.statement.article)
    found: tuple[Change, ...] = ()
    detail = None
    if not matches:
        found = tuple(align.changes(parsed.statement.paragraphs, current.paragraphs, current.lines))
        if not found:
            detail = "only empty lines differ"
    link = ChainLink(
        digest=record.record_digest(loaded),
        found=True,
        signer=parsed.statement.signer,
        note=parsed.statement.note,
        time=parsed.statement.time,
        signature=signature,
        path=record_file,
    )
    earlier = _chain(parsed, _Candidates(record_file, search, beside), policy, now)
    return RecordCheck(
        path=record_file,
        signature=signature,
        matches=matches,
        changes=found,
        chain=(link, *earlier),
        detail=detail,
    )


def _unread(record_file: str, detail: str) -> RecordCheck:
    """The check of a record that cannot be read or parsed: ``malformed``, and failing."""
    return RecordCheck(path=record_file, signature=None, matches=None, detail=detail)


def _chain(
    newest: Record,
    candidates: _Candidates,
    policy: TrustPolicy | None,
    now: datetime | None,
) -> list[ChainLink]:
    """The records before ``newest``, each found by its digest among the candidates."""
    wanted = newest.statement.previous
    if wanted is None:
        return []
    links: list[ChainLink] = []
    seen: set[str] = set()
    while wanted is not None and wanted not in seen and len(links) < MAX_CHAIN:
        seen.add(wanted)
        hit = candidates.find(wanted)
        if hit is None:
            links.append(ChainLink(digest=wanted, found=False))
            break
        path, data = hit
        try:
            parsed = record.parse(data)
        except InputError as exc:
            links.append(ChainLink(digest=wanted, found=True, path=path, problem=exc.message))
            break
        links.append(
            ChainLink(
                digest=wanted,
                found=True,
                signer=parsed.statement.signer,
                note=parsed.statement.note,
                time=parsed.statement.time,
                signature=_signature(parsed, policy, now),
                path=path,
            )
        )
        wanted = parsed.statement.previous
    return links


class _Candidates:
    """Records that may be earlier links: ``ARTICLE.*.prov`` beside the record, every ``*.prov``
    in the search folders; read (bounded) and hashed only when a digest is looked for.

    With ``beside`` (records already read: an archive's members) the record is not on disk,
    and those stand for the ones beside it.
    """

    def __init__(
        self,
        record_file: str,
        search: Sequence[str],
        beside: Sequence[tuple[str, bytes]] | None = None,
    ) -> None:
        self.paths: list[str] = []
        if beside is None:
            folder = os.path.dirname(record_file)
            stem = os.path.basename(record_file).removesuffix(RECORD_SUFFIX) + "."
            self.paths = [
                os.path.join(folder, name)
                for name in _names(folder or ".")
                if name.startswith(stem) and name != os.path.basename(record_file)
            ]
        for place in search:
            self.paths.extend(os.path.join(place, name) for name in _names(place))
        self.by_digest: dict[str, tuple[str, bytes]] = {}
        for path, data in beside or ():
            self.by_digest.setdefault(record.record_digest(data), (path, data))
        self.unread = iter(self.paths)

    def find(self, digest: str) -> tuple[str, bytes] | None:
        while digest not in self.by_digest:
            path = next(self.unread, None)
            if path is None:
                return None
            data = _load(path)
            if isinstance(data, bytes):
                self.by_digest.setdefault(record.record_digest(data), (path, data))
        return self.by_digest[digest]


def _names(folder: str) -> list[str]:
    try:
        return sorted(name for name in os.listdir(folder) if name.endswith(RECORD_SUFFIX))
    except OSError:
        return []


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordChecker:
    """Checks each article against its ``FILE.prov`` (SPEC.md §12.4), with the run's trust
    policy and verify time (:meth:`of`): a key ``--revoked`` lists makes a record's signature
    ``revoked``, and ``--verify-time`` is the time its key's validity is checked at."""

    policy: TrustPolicy | None = None
    now: datetime | None = None
    #: ``--records DIR``: more folders holding earlier records of a chain.
    search: tuple[str, ...] = ()
    #: ``--record FILE``: the record of the one article checked, wherever it is.
    record: str | None = None
    #: Folder -> the ``.prov`` names in it, listed once per run (see :meth:`has_record`).
    listed: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, options: VerifyOptions) -> RecordChecker:
        """The checker of a run: the same trust policy and time as every other signature."""
        return cls(
            policy=options.policy,
            now=options.now,
            search=options.record_search,
            record=options.record,
        )

    def check(self, result: Result, article: str | None = None) -> RecordCheck | None:
        """The check of ``result``'s record; ``None`` when it is not an article with one.

        ``article`` is the file to read when ``result.path`` is only how it is shown (a
        sealed folder's entry); by default ``result.path``.
        """
        if not self.wants(result):
            return None
        source = result.path if article is None else article
        path = self.record if self.record is not None else record_path(source)
        if self.record is None and not self.has_record(path):
            return None
        try:
            data = read_limited(source, MAX_PARSE_SIZE)
        except OSError as exc:  # SpecialFileError and TooLargeError are OSErrors too.
            detail = f"the article cannot be read: {exc.strerror or exc}"
            return RecordCheck(path=path, signature=None, matches=False, detail=detail)
        return check_record(data, path, policy=self.policy, now=self.now, search=self.search)

    def wants(self, result: Result) -> bool:
        """Whether ``result`` is an article that was read, so that a record can be checked."""
        return result.kind is EntryKind.ARTICLE and result.verdict not in _NOT_READ

    def check_data(
        self,
        article: bytes,
        loaded: bytes | str,
        shown: str,
        beside: Sequence[tuple[str, bytes]],
    ) -> RecordCheck:
        """The check of an article read elsewhere (an archive's member) against its record's
        bytes (or why they were not read), with the run's trust, time and ``--records``."""
        return check_record_data(
            article,
            loaded,
            shown,
            policy=self.policy,
            now=self.now,
            search=self.search,
            beside=beside,
        )

    def __call__(self, result: Result) -> Result:
        """``result`` with its record check, when it is an article with a record."""
        check = self.check(result)
        return result if check is None else result.with_record(check)

    def has_record(self, path: str) -> bool:
        """Whether ``path`` (an article's ``.prov``) exists, from one listing per folder.

        A walk meets the files of a folder one after the other: listing the folder once costs
        far less than a stat per article, and a folder without records costs nothing more.
        """
        folder, slash, name = path.rpartition("/")
        folder = folder or slash  # "/a.prov" is in "/"; "a.prov" in the current folder.
        names = self.listed.get(folder)
        if names is None:
            if len(self.listed) > 64:
                self.listed.clear()
            names = frozenset(_names(folder or "."))
            self.listed[folder] = names
        return name in names


def record_folder(
    folder: str,
    key: Signer,
    articles: Sequence[str],
    *,
    now: datetime | None = None,
) -> tuple[list[Written], list[str]]:
    """``seal --records``: a record for each of ``articles`` (paths below ``folder``).

    An article that already has a record of its current text keeps it; one whose record
    is of another text is refused (record the correction first), and so is an article whose
    footer fails. Files with no copyright notice get no record (their names are returned).
    Every record is made before any is written.
    """
    made: list[tuple[str, bytes]] = []
    skipped: list[str] = []
    for path in articles:
        data = _read_article(path)
        target = record_path(path)
        loaded = _load(target)
        if isinstance(loaded, bytes):
            check = check_record(data, target)
            if check.matches is not True:
                raise Refused(
                    f"{target} is not a record of the text of {path} as it is; not sealing",
                    hint=f"record the correction first: provenance record {path} --previous "
                    f"{target} --note TEXT",
                )
            continue
        try:
            made.append((target, make_record(data, key, now=now)))
        except Refused as exc:
            if _no_notice(data):
                skipped.append(path)
                continue
            raise Refused(f"{path}: {exc.message}", hint=exc.hint) from exc
    written = []
    for target, data in made:
        atomic_write(target, data, overwrite=False)
        written.append(Written(path=target, digest=record.record_digest(data)))
    return written, skipped


def _no_notice(data: bytes) -> bool:
    """Whether an article is text without a copyright notice (``seal --records`` skips it)."""
    try:
        return record.article_digests(data).holder is None
    except InputError:
        return False  # Not text: refused with the footer's own reason.


def diff_sides(path: str) -> tuple[tuple[str, ...], tuple[int, ...] | None, str]:
    """``provenance diff``'s view of one side: paragraph digests, lines (``None`` for a
    record) and the canonical article digest. A ``.prov`` name is a record."""
    if path.endswith(RECORD_SUFFIX):
        parsed = parse_named(path)[1]
        return parsed.statement.paragraphs, None, parsed.statement.article
    digests = record.article_digests(_read_article(path))
    return digests.paragraphs, digests.lines, digests.article


def diff(old: str, new: str) -> tuple[bool, list[Change]]:
    """Whether two texts (articles, or an article and a record) hold the same canonical text,
    and the paragraph changes from ``old`` to ``new``."""
    old_paragraphs, _, old_digest = diff_sides(old)
    new_paragraphs, lines, new_digest = diff_sides(new)
    if old_digest == new_digest:
        return True, []
    return False, align.changes(old_paragraphs, new_paragraphs, lines)


__all__ = [
    "RecordChecker",
    "Written",
    "check_record",
    "diff",
    "kept_name",
    "make_record",
    "read_record",
    "record_folder",
    "record_path",
    "write_record",
]
