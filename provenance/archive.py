"""Recipe: check a tar or zip archive in place -- read as a stream, never extracted.

:func:`check_archive` reads .tar, .tar.gz/.tgz, .tar.xz/.txz, .tar.bz2/.tbz2 and .zip files.
The format is told by the file's name, and its first bytes must agree (a gzip stream for
.tar.gz, a zip for .zip...). Members are read one at a time in 1 MiB blocks, hashed as they
are read, and never written anywhere. It never raises for a bad archive: everything wrong is
a result.

* **One reading only.** A tar is read by :mod:`provenance.tarread` (a strict header walker
  that names members as GNU tar does), a zip through :mod:`zipfile` after
  :mod:`provenance.zipread` has checked that its local headers and central directory agree
  and that nothing hides before, between or after its members. Wherever GNU tar or Info-ZIP
  ``unzip`` could extract something other than what provenance checks (a tar followed by a
  zip, a corrupt header in the middle, a header bomb...), the whole archive is refused with
  one ``unreadable`` result.

* **Member results.** Each regular member gets a :class:`~provenance.model.Result` whose path
  is the member's name inside the archive (a leading ``./`` dropped), exactly as for a file in
  a folder: its footer verdict for articles, and, in a sealed archive, its ``manifest``
  verdict. In an archive without SHA256SUMS only articles get a result, as in a plain
  folder walk.
* **Refused members**, never read, each an ``unreadable`` result saying why (and ``unsafe``
  when the manifest lists it, ``unlisted`` otherwise): an absolute name, a ``..`` component,
  an empty or ``.`` component; in a zip, a backslash or a drive letter (Windows tools read
  them as folders); symbolic links, hard links, device files, FIFOs (in a zip, told by the
  Unix mode whatever the host system that wrote it); encrypted zip members; names given twice
  (also twice up to Unicode normalisation): every copy is refused, since which one an
  extractor keeps depends on the extractor; a file whose name is also a folder's.
* **Decompression bombs.** No member is read beyond ``max_member_size`` bytes (default
  256 MiB): a larger one is reported and left. The whole archive is not decompressed beyond
  ``max_total_size`` (default 64 times that): past it, the check stops with a result on the
  archive itself. Memory stays bounded by the member cap (article bytes are kept to check
  their footers), whatever a member's header claims.
* **Sealed archives.** Every SHA256SUMS member, at any depth and of any kind, seals its
  folder as on disk (:func:`provenance.sealed.check_seals`: the nearest seal owns a member;
  paths are relative to the folder the manifest sits in), and SHA256SUMS.sig beside it is
  checked against the trust policy (``ArchiveCheck.seal_signatures``). When the archive
  holds any seal, a member outside every sealed folder is ``unlisted``.
* **ARCHIVE.sig**: a detached signature beside the archive file is checked over the archive's
  bytes (``ArchiveCheck.archive_signature``).
* **Provenance records** (SPEC §12.4): an article member ``FILE`` with a ``FILE.prov`` member
  is checked against it, with the run's trust policy, as on disk; the chain's earlier records
  are looked for among the archive's ``FILE.*.prov`` members and in ``--records DIR``. Record
  members are kept (each at most ``MAX_RECORD_SIZE`` bytes). The articles that have one are
  read a second time, after the first reading, to align their paragraphs: so the first
  reading keeps no article's bytes, and an archive without records costs nothing more. A
  member whose bytes differ between the two readings (the archive changed meanwhile) fails
  its record check.

Anything that stops the reading (a corrupt or truncated archive, an unknown format) is one
``unreadable`` result whose path is the archive's own; members read before it keep theirs.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import os
import stat
import unicodedata
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from provenance.allowed_signers import TrustPolicy
from provenance.errors import InputError, UnreadableArchive
from provenance.fsio import BLOCK_SIZE, open_regular, special_kind
from provenance.manifest import MAX_MANIFESTS_SIZE, path_problem
from provenance.model import (
    RecordCheck,
    Result,
    SignatureResult,
    SignatureVerdict,
)
from provenance.options import DEFAULT_OPTIONS, VerifyOptions
from provenance.parallel import Pending, footer_checks
from provenance.record import MAX_RECORD_SIZE
from provenance.recorded import RecordChecker
from provenance.sealed import (
    EXTRA_DIGESTS,
    Found,
    Refused,
    check_seals,
    is_seal_file,
    keep_limit,
    marks_sha512,
    signed_article,
)
from provenance.selector import (
    ARCHIVE_SUFFIXES,
    RECORD_SUFFIX,
    Selector,
    archive_format,
    default_is_article,
)
from provenance.sign import Prehashed, check_signature, signature_path
from provenance.tarread import COMPRESSIONS, Decompressed, Kind, TarMember, TarWalker
from provenance.tree import FileDigest, display_name
from provenance.zipread import check_layout

#: How many member caps the whole archive may expand to, by default.
TOTAL_FACTOR = 64

#: The first bytes of each format (a tar has none of its own: its first header is checked).
_MAGIC: dict[str, tuple[bytes, ...]] = {kind: (magic,) for kind, (magic, _) in COMPRESSIONS.items()}
_MAGIC["zip"] = (b"PK\x03\x04", b"PK\x05\x06")
#: What a corrupt, truncated or unknown archive raises from the standard library's readers.
_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


@dataclass(frozen=True, slots=True)
class ArchiveCheck:
    """The check of one archive file."""

    path: str
    #: ARCHIVE.sig beside the archive; ``None`` when it exists but no trust policy was given.
    archive_signature: SignatureResult | None
    #: SHA256SUMS.sig inside the archive; ``None`` when it holds no SHA256SUMS (or it exists
    #: but no trust policy was given).
    manifest_signature: SignatureResult | None
    #: Whether the archive holds a SHA256SUMS member, so that results carry manifest verdicts.
    sealed: bool
    results: tuple[Result, ...] = field(default=())
    #: Each outermost seal inside (by folder prefix, ``""`` for the top) and its signature's
    #: check; ``manifest_signature`` is the first one's. A nested seal's is on its manifest's
    #: result.
    seal_signatures: tuple[tuple[str, SignatureResult | None], ...] = ()

    def covered(self) -> bool:
        """Whether good signatures cover every member's bytes: ARCHIVE.sig, or every
        outermost seal's (a member outside them all fails as ``unlisted`` anyway)."""
        if self.archive_signature is not None and (
            self.archive_signature.verdict is SignatureVerdict.GOOD
        ):
            return True
        seals = [signature for _, signature in self.seal_signatures]
        return bool(seals) and all(
            s is not None and s.verdict is SignatureVerdict.GOOD for s in seals
        )

    def failed(self, *, strict: bool = False, require_signature: bool = False) -> bool:
        """Whether this check fails a run.

        A bad, untrusted or malformed signature fails; with ``require_signature`` the
        members must be covered by good signatures (:meth:`covered`).
        """
        signatures = [self.archive_signature] + [s for _, s in self.seal_signatures]
        if any(s.failed() for s in signatures if s is not None):
            return True
        if require_signature and not self.covered():
            return True
        return any(result.failed(strict=strict) for result in self.results)


def check_archive(
    path: str | os.PathLike[str],
    options: VerifyOptions = DEFAULT_OPTIONS,
    *,
    is_article: Callable[[str], bool] = default_is_article,
    max_total_size: int | None = None,
) -> ArchiveCheck:
    """Check an archive's members in place; see the module's docstring.

    ``options.policy`` (allowed signers or one trusted key) checks ARCHIVE.sig and
    SHA256SUMS.sig; without it they are reported ``missing`` when absent and not checked
    (``None``) when present. No member is read beyond ``options.max_member_size`` bytes, nor
    the whole archive beyond ``max_total_size`` (default :data:`TOTAL_FACTOR` times that).
    ``options.jobs`` processes check the articles' footers (with 1, the reading thread does).
    A member a seal does not list that ``options.exclude`` leaves out gets no result, as in a
    sealed folder (:meth:`~provenance.selector.Selector.leaves_out`).
    Raises :class:`~provenance.errors.InputError` when ``path`` is not a file.

    >>> check = check_archive("issue-12.tar.gz", VerifyOptions(policy=load_trusted_key("alice.pub")))
    ... # doctest: +SKIP
    >>> [r.path for r in check.results if r.failed()]  # doctest: +SKIP
    ['issue-12/planted.txt']
    """
    policy, namespace, now = options.policy, options.namespace, options.now
    max_member_size = options.max_member_size
    shown = os.fspath(path)
    if not os.path.isfile(shown):
        raise InputError(f"{shown}: no such archive file")
    archive_signature = _archive_signature(shown, policy, namespace, now)
    total = max_total_size if max_total_size is not None else TOTAL_FACTOR * max_member_size

    reader, stopped = _read_archive(shown, options, is_article, total, ())
    found = reader.found()
    if any(marks_sha512(path) for path in found.kept):
        # A SHA512SUMS member seals its folder too: its digests are those of a second reading
        # that computes SHA-512 beside SHA-256 (the first did not know it would be needed,
        # a member listed before the manifest being read before it).
        reader, stopped = _read_archive(shown, options, is_article, total, EXTRA_DIGESTS)
        found = reader.found()
    check = check_seals(
        found,
        display=display_name,
        is_article=is_article,
        max_size=max_member_size,
        policy=policy,
        namespace=namespace,
        now=now,
        left_out=Selector(exclude=options.exclude).leaves_out,
    )
    head = []
    if stopped is not None:
        head.append(Result.unreadable(shown, stopped))
    results = _with_records(check.results, reader, shown, options, total)
    return ArchiveCheck(
        shown,
        archive_signature,
        check.signatures[0][1] if check.signatures else None,
        bool(check.signatures),
        tuple(head) + results,
        seal_signatures=check.signatures,
    )


def _read_archive(
    path: str,
    options: VerifyOptions,
    is_article: Callable[[str], bool],
    total: int,
    extra: tuple[str, ...],
) -> tuple[_Reader, str | None]:
    """One reading of the archive: every member hashed (SHA-256 and ``extra``), articles'
    footers checked; the reader, and why the reading stopped early (or ``None``)."""
    # With more than one job the footers are checked by worker processes (forked here,
    # before anything else runs) while this one decompresses and hashes.
    checker = footer_checks(options)

    def inspect(name: str, data: bytes) -> Result | Pending:
        return checker.submit(data, display_name(name))

    reader = _Reader(
        is_article,
        inspect,
        options.max_member_size,
        total,
        signed=options.policy is not None,
        also=extra,
    )
    with checker:
        stopped = reader.read(path)
        checker.flush()
        reader.resolve()
    return reader, stopped


def _with_records(
    results: tuple[Result, ...],
    reader: _Reader,
    path: str,
    options: VerifyOptions,
    total: int,
) -> tuple[Result, ...]:
    """Each article member with a ``FILE.prov`` member, checked against it (SPEC §12.4).

    The articles are read again (see the module's docstring), each checked as it streams by;
    a member whose SHA-256 differs from the first reading's, or that the second reading did
    not reach, fails its record check rather than being held to bytes nobody checked.
    """
    first = {m.name: m.digest for m in reader.members if m.digest is not None}
    # Only a record read as one regular member counts (a duplicate name is refused whole).
    records = {name: data for name, data in reader.records.items() if name in first}
    names = {display_name(name): name for name in first}
    checker = RecordChecker.of(options)
    wanted: dict[str, str] = {}  # A result's path -> the member it is.
    for result in results:
        name = names.get(result.path)
        if name is not None and name + RECORD_SUFFIX in records and checker.wants(result):
            wanted[result.path] = name
    if not wanted:
        return results

    def shown(name: str) -> str:
        return f"{path}:{display_name(name)}"

    def inspect(name: str, data: bytes) -> RecordCheck:
        stem = name + "."
        beside = [
            (shown(other), kept)
            for other, kept in records.items()
            if other.startswith(stem) and other != name + RECORD_SUFFIX and isinstance(kept, bytes)
        ]
        record = records[name + RECORD_SUFFIX]
        return checker.check_data(data, record, shown(name + RECORD_SUFFIX), beside)

    members = set(wanted.values())
    again = _Reader(members.__contains__, inspect, reader.member_limit, total)
    stopped = again.read(path)
    checks: dict[str, RecordCheck] = {}
    for member in again.members:
        digest, before = member.digest, first.get(member.name)
        if digest is None or before is None or not isinstance(digest.inspected, RecordCheck):
            continue
        check = digest.inspected
        if digest.sha256 != before.sha256:
            detail = "the archive changed while it was read: the article's bytes differ"
            check = _no_record(shown(member.name + RECORD_SUFFIX), detail)
        checks[member.name] = check
    missed = stopped or "the second reading of the archive did not reach it"
    out = []
    for result in results:
        name = wanted.get(result.path)
        if name is not None:
            check = checks.get(name) or _no_record(
                shown(name + RECORD_SUFFIX), f"the article cannot be read again: {missed}"
            )
            result = result.with_record(check)
        out.append(result)
    return tuple(out)


def _no_record(path: str, detail: str) -> RecordCheck:
    """A record check that fails because the article's bytes could not be held to it."""
    return RecordCheck(path=path, signature=None, matches=False, detail=detail)


def _archive_signature(
    path: str, policy: TrustPolicy | None, namespace: str, now: datetime | None
) -> SignatureResult | None:
    sig = signature_path(path)
    if not os.path.lexists(sig):
        detail = f"no signature: {sig} does not exist"
        return SignatureResult(SignatureVerdict.MISSING, detail, signature_path=str(sig))
    if policy is None:
        return None
    return check_signature(path, None, policy, namespace, now=now)


@dataclass(slots=True)
class _Member:
    """What the reader learnt about one member, by its normalised name."""

    name: str
    digest: FileDigest | None = None
    refused: str | None = None
    unsafe: bool = True


class _Source(Protocol):
    """Where a member's bytes come from: a zip member's stream, or the tar walker."""

    def read(self, size: int, /) -> bytes: ...


class _TooMuch(Exception):
    """The archive expanded beyond its total cap."""


class _Capped(io.RawIOBase):
    """A read-only stream that refuses to give more than ``limit`` bytes in total."""

    def __init__(self, inner: io.RawIOBase, limit: int) -> None:
        self.inner = inner
        self.limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self.inner.readinto(buffer) or 0
        self.count += count
        if self.count > self.limit:
            raise _TooMuch
        return count


class _Reader:
    """Reads one archive's members in order, hashing each and keeping what must be kept."""

    def __init__(
        self,
        is_article: Callable[[str], bool],
        inspect: Callable[[str, bytes], object],
        member_limit: int,
        total_limit: int,
        *,
        signed: bool = False,
        also: tuple[str, ...] = (),
    ) -> None:
        self.is_article = is_article
        #: More :mod:`hashlib` algorithms computed beside SHA-256 (``FileDigest.others``).
        self.also = also
        self.inspect = inspect
        self.member_limit = member_limit
        self.total_limit = total_limit
        #: Whether articles' own FILE.sig members are checked (with a trust policy).
        self.signed = signed
        self.members: list[_Member] = []
        #: The bytes of every seal file (SHA256SUMS, SHA256SUMS.sig) read, or why not kept.
        self.kept: dict[str, bytes | str] = {}
        #: The bytes of every provenance record member (``*.prov``), or why not kept.
        self.records: dict[str, bytes | str] = {}
        self.records_total = 0
        #: With ``signed``: each article's FILE.sig member (bytes, or why not kept), and the
        #: digests of each article, so that its signature is checked over the bytes read.
        self.signatures: dict[str, bytes | str] = {}
        self.digests: dict[str, Prehashed] = {}
        self.kept_total = 0
        self.folders: set[str] = set()
        self.read_total = 0

    def read(self, path: str) -> str | None:
        """Read every member; the reason the reading stopped early, or ``None``."""
        try:
            with open_regular(path) as handle:
                self._read(path, handle)
        except _TooMuch:
            stopped: str | None = (
                f"stopped: the archive expands beyond {self.total_limit} bytes in total "
                "(a decompression bomb?); later members were not checked"
            )
        except UnreadableArchive as exc:
            stopped = exc.message
        except _ARCHIVE_ERRORS as exc:
            stopped = f"cannot read the archive: {exc or type(exc).__name__}"
        else:
            stopped = None
        self._refuse_folder_clashes()
        return stopped

    def _read(self, path: str, handle: io.BufferedReader) -> None:
        kind = archive_format(path)
        if kind is None:
            raise UnreadableArchive(
                f"not read: the name does not end in {', '.join(ARCHIVE_SUFFIXES)}"
            )
        _check_magic(kind, handle.peek(8)[:8])
        if kind == "zip":
            self._read_zip(handle)
        else:
            self._read_tar(handle, kind)

    # -- tar ----------------------------------------------------------------------------------

    def _read_tar(self, handle: io.BufferedReader, kind: str) -> None:
        with _decompressed(handle, kind) as raw, _Capped(raw, self.total_limit) as capped:
            stream = io.BufferedReader(capped, BLOCK_SIZE)
            walker = TarWalker(stream)
            for member in walker:
                self._tar_member(walker, member)

    def _tar_member(self, walker: TarWalker, info: TarMember) -> None:
        name = _normalise(info.name)
        problem = _name_problem(info.name, name, zip_name=False)
        if info.kind is Kind.FOLDER:
            if problem is not None and name not in ("", "."):
                self._refuse(info.name, f"folder with an unsafe name: {problem}")
            self.folders.add(name)
            return
        if problem is not None:
            self._refuse(info.name, f"unsafe name: {problem}")
        elif info.problem is not None:
            self._refuse(name, info.problem)
        elif info.kind is Kind.SYMLINK:
            self._refuse(name, f"symbolic link to {info.linkname!r}: never followed")
        elif info.kind is Kind.HARDLINK:
            self._refuse(name, f"hard link to {info.linkname!r}: never followed")
        elif info.kind is Kind.DEVICE:
            self._refuse(name, "device file: never read")
        elif info.kind is Kind.FIFO:
            self._refuse(name, "FIFO: never read")
        elif info.kind is not Kind.FILE:
            self._refuse(name, f"member of tar type {info.typeflag!r}: never read")
        else:
            self._hash(name, walker)

    # -- zip ----------------------------------------------------------------------------------

    def _read_zip(self, handle: io.BufferedReader) -> None:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            check_layout(handle.fileno(), os.fstat(handle.fileno()).st_size, infos)
            for info in infos:
                self._zip_member(archive, info)

    def _zip_member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        raw = _zip_name(info)
        name = _normalise(raw)
        problem = _name_problem(raw, name, zip_name=True)
        # Info-ZIP unzip takes the Unix mode in the high bits of the external attributes
        # from any host that sets them, not only from Unix (3): a link is a link whatever
        # the host says.
        what = _zip_special(info.external_attr >> 16)
        if info.is_dir():
            if problem is not None and name not in ("", "."):
                self._refuse(raw, f"folder with an unsafe name: {problem}")
            elif what is not None:
                self._refuse(name, f"folder entry with the mode of a {what}: never read")
            self.folders.add(name)
            return
        if problem is not None:
            self._refuse(raw, f"unsafe name: {problem}")
        elif what == "symbolic link":
            target = self._small(archive, info)
            self._refuse(name, f"symbolic link to {target!r}: never followed")
        elif what is not None:
            self._refuse(name, "device file, FIFO or socket: never read")
        elif info.flag_bits & 0x1:
            self._refuse(name, "encrypted member: cannot be read", unsafe=False)
        else:
            try:
                with archive.open(info) as handle:
                    self._hash(name, handle)
            except _TooMuch:
                raise
            except _ARCHIVE_ERRORS as exc:
                self._refuse(name, f"cannot read the member: {exc}", unsafe=False)

    def _small(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
        """A zip symbolic link's target (its data), for the report; never followed."""
        try:
            with archive.open(info) as handle:
                return handle.read(4096).decode("utf-8", "replace")
        except _ARCHIVE_ERRORS:
            return "?"

    # -- members ------------------------------------------------------------------------------

    def _refuse(self, name: str, reason: str, *, unsafe: bool = True) -> None:
        self.members.append(_Member(name, refused=reason, unsafe=unsafe))

    def _refuse_folder_clashes(self) -> None:
        """Refuse every member whose name is also a folder's, explicit or implied.

        Extractors differ on a file and a folder of one name (or a file under a file): one
        fails, another replaces, a third keeps both on a case-insensitive disk.
        """
        folders = {unicodedata.normalize("NFC", name) for name in self.folders}
        for member in self.members:
            parts = unicodedata.normalize("NFC", member.name).split("/")
            folders.update("/".join(parts[:end]) for end in range(1, len(parts)))
        for index, member in enumerate(self.members):
            if unicodedata.normalize("NFC", member.name) in folders:
                reason = "a file and a folder share this name (extractors keep one or the other)"
                self.members[index] = _Member(member.name, refused=reason)

    def _hash(self, name: str, handle: _Source) -> None:
        """Hash a member as it streams; keep articles, the manifest and its signature."""
        # Any seal's files, at any depth: each SHA256SUMS seals its folder (seals.py).
        special = is_seal_file(name)
        # An article's FILE.sig is kept up to the size of any valid signature; a larger one
        # is still read and hashed as any member (it is a malformed signature, not a bomb).
        signature = self.signed and signed_article(name, self.is_article) is not None
        # A record (and a chain's earlier ones) is kept up to the size of any valid record.
        recorded = name.endswith(RECORD_SUFFIX)
        wanted = special or signature or recorded or self.is_article(name)
        limit = keep_limit(name, self.member_limit) if special else self.member_limit
        digest = hashlib.sha256()
        others = [hashlib.new(other) for other in self.also]
        kept: list[bytes] | None = [] if wanted else None
        size = 0
        while block := handle.read(BLOCK_SIZE):
            size += len(block)
            self.read_total += len(block)
            if self.read_total > self.total_limit:
                raise _TooMuch
            if size > limit:
                reason = f"expands beyond {limit} bytes (a decompression bomb?): not read further"
                self._refuse(name, reason, unsafe=False)
                return
            digest.update(block)
            for other in others:
                other.update(block)
            if kept is not None:
                kept.append(block)
                small = (signature and keep_limit(name, self.member_limit)) or (
                    recorded and MAX_RECORD_SIZE
                )
                if small and size > small:
                    kept = None
        data = b"".join(kept) if kept is not None else b""
        if recorded:
            self.records_total += len(data)
            if kept is None:
                self.records[name] = f"is larger than {MAX_RECORD_SIZE} bytes"
            elif self.records_total > MAX_MANIFESTS_SIZE:
                self.records[name] = (
                    f"not kept: the records of this archive hold more than {MAX_MANIFESTS_SIZE} "
                    "bytes together"
                )
            else:
                self.records[name] = data
        if signature:
            cap = keep_limit(name, self.member_limit)
            self.signatures[name] = data if kept is not None else f"is larger than {cap} bytes"
        if special:
            self.kept[name] = data
            self.kept_total += len(data)
            if self.kept_total > MAX_MANIFESTS_SIZE:
                self.kept[name] = (
                    f"not kept: the seals of this archive hold more than {MAX_MANIFESTS_SIZE} "
                    "bytes of manifests together"
                )
        inspected = None
        if kept is not None and self.is_article(name):
            inspected = self.inspect(name, data)
            if self.signed:
                self.digests[name] = Prehashed.of(data)
        more = tuple(other.hexdigest() for other in others)
        self.members.append(
            _Member(name, FileDigest(name, digest.hexdigest(), size, inspected, others=more))
        )

    # -- after the reading ----------------------------------------------------------------------

    def found(self) -> Found:
        """What was read, for :func:`provenance.sealed.check_seals`, by member name.

        Duplicate names are resolved here: every copy of a name is refused.
        """
        self._refuse_duplicates()
        files = tuple(m.digest for m in self.members if m.digest is not None)
        refused = tuple(
            Refused(m.name, m.refused or "refused", m.unsafe)
            for m in self.members
            if m.digest is None
        )
        # A folder is known by its own member, or by the members inside it.
        folders = set(self.folders)
        for member in self.members:
            parts = member.name.split("/")[:-1]
            folders.update("/".join(parts[: n + 1]) for n in range(len(parts)))
        regular = {item.path for item in files}
        kept = {name: data for name, data in self.kept.items() if name in regular}
        signatures = {name: sig for name, sig in self.signatures.items() if name in regular}
        digests = {name: d for name, d in self.digests.items() if name in regular}
        return Found(files, refused, frozenset(folders), kept, signatures, digests)

    def _refuse_duplicates(self) -> None:
        groups: defaultdict[str, list[int]] = defaultdict(list)
        for index, member in enumerate(self.members):
            groups[unicodedata.normalize("NFC", member.name)].append(index)
        for indexes in groups.values():
            if len(indexes) < 2:
                continue
            names = sorted({self.members[i].name for i in indexes})
            how = "twice or more" if len(names) == 1 else "up to Unicode normalisation"
            for i in indexes:
                member = self.members[i]
                reason = f"duplicate member name ({len(indexes)} members share it {how})"
                self.members[i] = _Member(member.name, refused=reason)

    def resolve(self) -> None:
        """Put the results worker processes gave in place of their stand-ins."""
        for member in self.members:
            digest = member.digest
            if digest is not None and isinstance(digest.inspected, Pending):
                member.digest = digest._replace(inspected=digest.inspected.result())


#: How each format is named in messages, and how its first bytes look.
_NAMED = {
    "tar": "a tar",
    "gzip": "a gzip-compressed tar",
    "xz": "an xz-compressed tar",
    "bzip2": "a bzip2-compressed tar",
    "zip": "a zip",
}
_LOOKS = {"gzip": "a gzip stream", "xz": "an xz stream", "bzip2": "a bzip2 stream", "zip": "a zip"}


def _check_magic(kind: str, magic: bytes) -> None:
    """Refuse a file whose first bytes are not those of the format its name gives.

    GNU tar chooses the decompressor by the bytes and unzip finds a zip wherever it sits, so
    a file whose name and bytes disagree is read one way here and another way there. A tar
    has no magic number of its own: its first header's checksum is checked by the walker.
    """
    found = next((k for k, starts in _MAGIC.items() if magic.startswith(starts)), None)
    if found == (None if kind == "tar" else kind):
        return
    if found is None:
        raise UnreadableArchive(
            f"refused: named as {_NAMED[kind]}, but it does not begin like {_LOOKS[kind]}"
        )
    raise UnreadableArchive(
        f"refused: named as {_NAMED[kind]}, but it begins like {_LOOKS[found]} (tools that go "
        "by the bytes would read it otherwise)"
    )


def _decompressed(handle: io.BufferedReader, kind: str) -> io.RawIOBase:
    """The tar stream in ``handle``, decompressed as ``kind`` says (the caller closes it)."""
    if kind in COMPRESSIONS:
        return Decompressed(handle, kind)
    return _Uncompressed(handle)


class _Uncompressed(io.RawIOBase):
    """A plain tar's bytes, read through without closing the file (its owner closes it)."""

    def __init__(self, handle: io.BufferedReader) -> None:
        self._handle = handle

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        return self._handle.readinto(buffer)


def _zip_special(mode: int) -> str | None:
    """What a zip entry's Unix mode makes it besides a file or folder, or ``None``."""
    if stat.S_IFMT(mode) in (0, stat.S_IFREG, stat.S_IFDIR):
        return None
    return "symbolic link" if stat.S_ISLNK(mode) else special_kind(mode)


def _zip_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name: UTF-8 when flagged so, or when its bytes are valid UTF-8.

    Info-ZIP on Unix stores names as raw bytes without the UTF-8 flag, which zipfile then
    reads as CP437; such bytes are decoded as UTF-8 when they are valid UTF-8.
    """
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _normalise(name: str) -> str:
    """A member name without its leading ``./`` (as ``tar -C DIR .`` writes) and final ``/``."""
    while name.startswith("./"):
        name = name[2:]
    return name.rstrip("/")


def _name_problem(raw: str, name: str, *, zip_name: bool) -> str | None:
    """Why a member's name is unsafe to use, or ``None``."""
    if raw.startswith("/"):
        return "the path is absolute"
    if zip_name:
        # Windows extractors read a backslash as a folder separator: "..\\x" climbs out there.
        if "\\" in raw and path_problem(_normalise(raw.replace("\\", "/"))) is not None:
            return "a backslash path in a zip name that Windows tools read as unsafe"
        if len(raw) >= 2 and raw[1] == ":" and raw[0].isalpha():
            return "a drive letter in a zip name"
    return path_problem(name)


__all__ = ["ArchiveCheck", "check_archive"]
