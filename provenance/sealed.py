"""Recipe: check a sealed folder -- its SHA256SUMS signature, every entry, every article.

:func:`check_sealed_folder` never raises for a bad folder, manifest or signature: everything
wrong is a verdict on a :class:`~provenance.model.Result`. In order:

1. The signature: ``SHA256SUMS.sig`` over the bytes of ``SHA256SUMS``, checked against the
   trust policy (``SealedCheck.signature``; ``missing`` when there is no .sig).
2. The manifest's malformed lines: one result each, path ``DIR/SHA256SUMS``, verdict
   ``malformed``, ``line`` set to the manifest's line number.
3. One result per path, sorted, whose ``manifest`` field says how it stands against the seal:

   * ``listed``: listed, and its SHA-256 matches;
   * ``mismatch``: listed, and its SHA-256 differs (a changed file is reported once, as
     changed, never as missing plus unlisted);
   * ``missing``: listed, and absent (or a folder); its footer verdict is ``missing`` too;
   * ``unlisted``: present and not listed: a planted file, or a symbolic link, FIFO...
     (unless ``--exclude`` leaves it out: see below);
   * ``unsafe``: listed with a path that is absolute, holds ``..``, or would resolve through
     a symbolic link (or names a link or a special file): never opened.

   The ``verdict`` of a file that was read is its own footer verdict, computed by
   :func:`provenance.verify.check_bytes` on exactly the bytes that were hashed (each file is
   read once). A file that is not an article (see :mod:`provenance.selector`) has no footer
   check (``footer`` is ``None``, its ``kind`` says what it is:
   :func:`provenance.selector.entry_kind`) and the detail "not an article". A path that was
   not read gets ``unreadable`` with the reason.

   A path the manifest does not list that ``--exclude`` leaves out
   (:meth:`provenance.selector.Selector.leaves_out`, as ``seal --exclude`` left it out of the
   manifest) gets no result at all.

Seals inside seals (:func:`check_seals`): every folder below that holds a SHA256SUMS, in any
form, is sealed too, and a path belongs to its nearest sealed folder. The walk never follows
a symbolic link (see :mod:`provenance.tree`).
"""

from __future__ import annotations

import errno
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import chain

from provenance.allowed_signers import TrustPolicy
from provenance.errors import InputError
from provenance.fsio import SpecialFileError, TooLargeError, read_limited
from provenance.manifest import (
    MANIFEST_NAME,
    MAX_MANIFEST_SIZE,
    MAX_MANIFESTS_SIZE,
    Manifest,
    path_problem,
)
from provenance.manifest import parse as parse_manifest
from provenance.model import (
    EntryKind,
    FooterCheck,
    ManifestVerdict,
    Result,
    SignatureResult,
    SignatureVerdict,
    Verdict,
)
from provenance.options import DEFAULT_MAX_SIZE, DEFAULT_OPTIONS, VerifyOptions
from provenance.parallel import Pending, footer_checks
from provenance.recorded import RecordChecker
from provenance.seals import (
    MANIFESTS,
    Nearest,
    is_sealed,
    marks_seal,
    seal_files,
    seal_manifests,
    seal_of,
)
from provenance.selector import (
    RECORD_SUFFIX,
    SIGNATURE_SUFFIX,
    Selector,
    default_is_article,
    entry_kind,
)
from provenance.sign import Prehashed, check_signature
from provenance.sshsig import DEFAULT_NAMESPACE, MAX_ARMORED_SIZE
from provenance.tree import FileDigest, Kind, display_name, scan
from provenance.verify import infer_publisher_tokens, join_display

#: The detail of a file whose footer is not checked because it is not an article.
NOT_AN_ARTICLE = "not an article: only its SHA-256 is checked"
#: The digests computed beside SHA-256 when a seal has a SHA512SUMS (``FileDigest.others``).
EXTRA_DIGESTS = ("sha512",)


@dataclass(frozen=True, slots=True)
class SealedCheck:
    """The check of a sealed folder: the manifest's signature, then one result per path."""

    #: The check of SHA256SUMS.sig; ``None`` when no trust policy was given and a .sig exists.
    signature: SignatureResult | None
    results: tuple[Result, ...]

    def failed(self, *, strict: bool = False, require_signature: bool = False) -> bool:
        """Whether this check fails a run (the signature, or any result)."""
        if self.signature is not None and self.signature.failed(
            require_signature=require_signature
        ):
            return True
        if require_signature and self.signature is None:
            return True
        return any(
            result.failed(strict=strict, require_signature=require_signature)
            for result in self.results
        )


@dataclass(frozen=True, slots=True)
class Refused:
    """A path that is never read: a link, a special file, an unsafe or duplicate name..."""

    path: str
    reason: str
    #: A link, special file or unsafe name (``unsafe`` when listed); else an I/O error.
    unsafe: bool = True


def check_sealed_folder(
    folder: str | os.PathLike[str],
    options: VerifyOptions = DEFAULT_OPTIONS,
    *,
    is_article: Callable[[str], bool] = default_is_article,
    workers: int | None = None,
) -> SealedCheck:
    """Check a sealed folder: the signature of SHA256SUMS, every entry, every article.

    Every folder below it that holds a SHA256SUMS is a sealed folder too, checked by the
    nearest-seal rule of :func:`check_seals`.

    ``options.policy`` is an :class:`~provenance.allowed_signers.AllowedSigners` or
    :class:`~provenance.allowed_signers.TrustedKey`; without one the signature is not checked
    (``signature`` is ``None``, or ``missing`` when there is no .sig). No file is kept beyond
    ``options.max_member_size`` bytes.
    ``is_article(path)`` picks the files whose footer is checked (relative POSIX paths);
    ``options.exclude`` also says which paths the seal may leave unlisted
    (:meth:`~provenance.selector.Selector.leaves_out`).
    ``options.jobs`` processes check the footers (with 1, the thread that reads and hashes
    does); ``workers`` threads read and hash (see :func:`provenance.tree.scan`).

    Raises :class:`~provenance.errors.InputError` when ``folder`` is not a folder holding
    SHA256SUMS; never for what is wrong inside it.

    >>> check = check_sealed_folder("issue-12", VerifyOptions(policy=load_allowed_signers("allowed")))
    ... # doctest: +SKIP
    >>> check.signature.verdict, check.failed()  # doctest: +SKIP
    (<SignatureVerdict.GOOD: 'good'>, False)
    """
    policy, max_size = options.policy, options.max_member_size
    root = os.fspath(folder)
    if not is_sealed(root):
        names = " or ".join(MANIFESTS.values())
        raise InputError(f"{root} is not a sealed folder: it holds no {names}")
    # The top seal's own files are read by name (never through a link) and left out of the
    # walk, which never lists them; a nested seal's are found, hashed and kept by the walk,
    # since the seal above lists them.
    top: dict[str, bytes | str] = {}
    for name in seal_files(""):
        path = os.path.join(root, name)
        if os.path.lexists(path):
            data, error = _read_plain(path, keep_limit(name, max_size))
            top[name] = data if data is not None else (error or "cannot read")
    # SHA-512 is computed in the same read when the top seal has a SHA512SUMS; a SHA512SUMS
    # found only further down makes the walk run again with it (rare: one walk is not enough
    # only then), so that every file's digests come from one reading of it.
    extra = EXTRA_DIGESTS if _has_sha512("", top) else ()
    found, files = _walk_sealed(root, options, is_article, workers, dict(top), extra)
    if not extra and any(map(marks_sha512, found.kept)):
        found, files = _walk_sealed(root, options, is_article, workers, dict(top), EXTRA_DIGESTS)
    shown: dict[str, str] = {}

    def display(path: str) -> str:
        # Asked several times a file: one string, made once (and shared by its results).
        name = shown.get(path)
        if name is None:
            name = shown[path] = join_display(root, display_name(path))
        return name

    check = check_seals(
        found,
        display=display,
        is_article=is_article,
        max_size=max_size,
        policy=policy,
        namespace=options.namespace,
        now=options.now,
        left_out=Selector(exclude=options.exclude).leaves_out,
    )
    results = _with_records(check.results, [item.path for item in files], root, options)
    return SealedCheck(dict(check.signatures).get(""), results)


def _has_sha512(prefix: str, kept: Mapping[str, object]) -> bool:
    """Whether the seal at ``prefix`` has a SHA512SUMS (read, or not) among ``kept``."""
    return prefix + MANIFESTS["sha512"] in kept


def marks_sha512(path: str) -> bool:
    """Whether ``path`` is a SHA512SUMS (at any depth): its seal needs SHA-512 digests."""
    return path.rpartition("/")[2] == MANIFESTS["sha512"]


def _walk_sealed(
    root: str,
    options: VerifyOptions,
    is_article: Callable[[str], bool],
    workers: int | None,
    kept: dict[str, bytes | str],
    extra: tuple[str, ...],
) -> tuple[Found, tuple[FileDigest, ...]]:
    """One walk of a sealed folder: what :func:`check_seals` needs, and every file read.

    ``kept`` holds the top seal's own files, already read; ``extra`` names the digests
    computed beside SHA-256 (:data:`EXTRA_DIGESTS`, or none).
    """
    policy, max_size = options.policy, options.max_member_size
    budget = _Budget(
        MAX_MANIFESTS_SIZE - sum(len(v) for v in kept.values() if isinstance(v, bytes))
    )

    # With more than one job the footers are checked by worker processes while this one
    # walks and hashes (forked before the walk's thread starts); else by the walking thread.
    checker = footer_checks(options)
    # With a trust policy each article's own FILE.sig is checked too (SPEC §9), over the
    # digests of the very bytes that were hashed and footer-checked. Those digests (SHA-256
    # and SHA-512 of the whole file) are taken only where the walk listed a FILE.sig: a
    # folder is listed whole before any of its files is read, so ``listed`` already holds
    # the signatures beside a file when it is read.
    digests: dict[str, Prehashed | None] = {}
    signed = policy is not None
    listed: set[str] = set()

    def skip(path: str) -> bool:
        if signed and path.endswith(SIGNATURE_SUFFIX):
            listed.add(path)
        return path in _TOP_FILES

    def wanted(path: str) -> bool:
        if is_seal_file(path) or is_article(path):
            return True
        return signed and signed_article(path, is_article) is not None

    def inspect(path: str, data: bytes) -> object:
        if is_seal_file(path):
            return budget.keep(data)
        if not is_article(path):
            return data  # An article's FILE.sig, at most MAX_ARMORED_SIZE bytes.
        if signed:
            digests[path] = Prehashed.of(data) if path + SIGNATURE_SUFFIX in listed else None
        return checker.submit(data, join_display(root, display_name(path)))

    with checker:
        found = scan(
            root,
            keep=wanted,
            inspect=inspect,
            keep_limit=lambda path: keep_limit(path, max_size),
            skip=skip,
            workers=workers,
            also=extra,
        )
        files = found.files
        checker.flush()
        files = tuple(resolved(item) for item in files)
    refused = tuple(
        Refused(node.path, node_reason(node.kind, node.detail), node.kind is not Kind.ERROR)
        for node in found.nodes
        if node.kind is not Kind.FOLDER
    )
    folders = frozenset(node.path for node in found.of_kind(Kind.FOLDER))
    plain: list[FileDigest] = []
    signatures: dict[str, bytes | str] = {}
    for item in files:
        if is_seal_file(item.path):
            kept[item.path] = _kept_or_reason(item, keep_limit(item.path, max_size))
            item = item._replace(inspected=None)
        elif signed and signed_article(item.path, is_article) is not None:
            signatures[item.path] = _kept_or_reason(item, keep_limit(item.path, max_size))
            item = item._replace(inspected=None, too_large=False)
        plain.append(item)
    return Found(tuple(plain), refused, folders, kept, signatures, digests), files


def _with_records(
    results: Sequence[Result], files: Iterable[str], root: str, options: VerifyOptions
) -> tuple[Result, ...]:
    """Each article's check against its FILE.prov (SPEC.md §12.4), as in a plain walk.

    Only a record the walk read as a regular file is checked: one that is a link, a FIFO
    or a folder is refused by the walk, and fails its seal as such.
    """
    regular = set(files)
    shown = {
        join_display(root, display_name(path)): path
        for path in regular
        if path + RECORD_SUFFIX in regular
    }
    if not shown:
        return tuple(results)
    records = RecordChecker.of(options)
    checked = []
    for result in results:
        path = shown.get(result.path)
        check = None if path is None else records.check(result, os.path.join(root, path))
        checked.append(result if check is None else result.with_record(check))
    return tuple(checked)


#: The top seal's own files: read by name, never by the walk.
_TOP_FILES = frozenset(seal_files(""))


def is_seal_file(path: str) -> bool:
    """Whether ``path`` names a seal's manifest or signature, kept whole to be checked."""
    return path.rpartition("/")[2] in _TOP_FILES


def keep_limit(path: str, max_size: int) -> int:
    """How much of a file is kept whole: a manifest and a signature have limits of their own."""
    name = path.rpartition("/")[2]
    if marks_seal(name):
        return min(max_size, MAX_MANIFEST_SIZE)
    if name.endswith(SIGNATURE_SUFFIX):
        return min(max_size, MAX_ARMORED_SIZE)
    return max_size


def signed_article(path: str, is_article: Callable[[str], bool]) -> str | None:
    """The article whose detached signature ``path`` is (``a.txt`` for ``a.txt.sig``), or
    ``None`` when ``path`` is not the signature of an article.

    >>> signed_article("docs/a.txt.sig", default_is_article), signed_article("SHA256SUMS.sig", default_is_article)
    ('docs/a.txt', None)
    """
    if not path.endswith(SIGNATURE_SUFFIX):
        return None
    article = path[: -len(SIGNATURE_SUFFIX)]
    return article if is_article(article) else None


class _Budget:
    """What the manifests of one check may keep in memory together (MAX_MANIFESTS_SIZE)."""

    def __init__(self, left: int) -> None:
        self.left = left
        self.lock = threading.Lock()  # The walk's hashing threads keep files concurrently.

    def keep(self, data: bytes) -> bytes | str:
        with self.lock:
            if len(data) > self.left:
                return (
                    f"not kept: the seals of this check hold more than {MAX_MANIFESTS_SIZE} "
                    "bytes of manifests together"
                )
            self.left -= len(data)
            return data


def _kept_or_reason(item: FileDigest, limit: int) -> bytes | str:
    """The bytes a walk kept of a seal's file, or why it did not."""
    if isinstance(item.inspected, bytes | str):
        return item.inspected
    return f"is larger than {limit} bytes ({item.size})"


@dataclass(frozen=True, slots=True)
class Found:
    """What a folder's walk or an archive's reading found: the input of :func:`check_seals`.

    Paths are relative POSIX paths from the top (the folder walked, the archive's root).
    """

    #: The regular files read (footers checked for articles), nested seals' own files too.
    files: tuple[FileDigest, ...]
    #: What was not read: links, special files, unsafe names, errors.
    refused: tuple[Refused, ...] = ()
    #: The folders (by path) met: a manifest entry naming one is a folder, not a file.
    folders: frozenset[str] = frozenset()
    #: Each seal's SHA256SUMS and SHA256SUMS.sig that was read as a regular file: its bytes,
    #: or why they were not kept (too large...). One absent here is refused, or a folder.
    kept: Mapping[str, bytes | str] = field(default_factory=dict)
    #: With a trust policy: each article's FILE.sig read as a regular file (by the .sig's
    #: path): its bytes, or why they were not kept.
    signatures: Mapping[str, bytes | str] = field(default_factory=dict)
    #: With a trust policy: the digests of each article read whole (by path), to check its
    #: FILE.sig over the bytes that were hashed; ``None`` when no FILE.sig was listed beside
    #: it (its signature is missing). An article absent here is not checked.
    digests: Mapping[str, Prehashed | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SealsCheck:
    """The check of every seal in a folder or an archive."""

    results: tuple[Result, ...]
    #: Each outermost seal (by prefix: ``""`` for the top, ``"pkg/"``) and its signature's
    #: check (``None``: not checked). A nested seal's signature is on its manifest's result.
    signatures: tuple[tuple[str, SignatureResult | None], ...] = ()


def check_seals(
    found: Found,
    *,
    display: Callable[[str], str],
    is_article: Callable[[str], bool] = default_is_article,
    max_size: int = DEFAULT_MAX_SIZE,
    policy: TrustPolicy | None = None,
    namespace: str = DEFAULT_NAMESPACE,
    now: datetime | None = None,
    left_out: Callable[[str], bool] | None = None,
) -> SealsCheck:
    """Hold what was found against every seal in it, by the nearest-seal rule (SPEC §9).

    Every folder holding a SHA256SUMS entry (of any kind: see :mod:`provenance.seals`) is
    sealed. A path belongs to its *nearest* enclosing sealed folder, whose manifest gives its
    ``manifest`` verdict: one result per path. A seal's own SHA256SUMS and .sig belong to
    the seal above it. A seal also checks each entry it lists inside a seal below it: such a
    file that is absent is ``missing``, and one whose SHA-256 differs makes the file's
    result ``mismatch`` (the nearest seal's verdict is kept unless only a seal further out
    fails the file). What a seal below holds and this one does not list is not ``unlisted``
    for it: it lists the inner SHA256SUMS instead, or that manifest is ``unlisted`` here.
    Paths outside every seal (in an archive) are ``unlisted`` when there is any seal; with
    none, articles get their footer verdicts alone, as in a plain walk. ``display(path)``
    shows a path. A path a seal does not list and ``left_out(path)`` (relative to that seal)
    is true for gets no result: ``--exclude`` left it out of the seal
    (:meth:`provenance.selector.Selector.leaves_out`).
    """
    # Innermost first: the first result kept for a path is its nearest seal's.
    seals = sorted(_seals_in(found), key=lambda prefix: (-prefix.count("/"), prefix))
    if not seals:
        # Footers alone, as in a plain walk: articles, and what could not be read.
        articles = [item for item in found.files if is_article(item.path)]
        rows = _rows(
            None,
            articles,
            found.refused,
            display=display,
            label=MANIFEST_NAME,
            blocked=(),
            folders=frozenset(),
            max_size=max_size,
        )
        if policy is not None:
            own = _article_signatures(found, display, policy, namespace, now)
            rows = [_with_signature(row, own, ()) for row in rows]
        rows.sort(key=lambda result: result.path)
        return SealsCheck(tuple(infer_publisher_tokens(rows)))
    nearest = Nearest(seals)
    outermost = {prefix for prefix in seals if nearest.above(prefix) is None}
    own_top = {name for prefix in outermost for name in seal_files(prefix)}
    owner = nearest.of
    if len(seals) == 1:
        # One seal (the common case, a sealed folder named on the command line): owning a
        # path is a prefix test, cheaper per file than asking Nearest.
        only = seals[0]
        owner = lambda path: only if path.startswith(only) else None  # noqa: E731
    files_of: defaultdict[str | None, list[FileDigest]] = defaultdict(list)
    refused_of: defaultdict[str | None, list[Refused]] = defaultdict(list)
    for item in found.files:
        if item.path not in own_top:
            files_of[owner(item.path)].append(item)
    for refusal in found.refused:
        if refusal.path not in own_top:
            refused_of[owner(refusal.path)].append(refusal)
    head: list[Result] = []
    merged: dict[str, Result] = {}
    signatures: dict[str, SignatureResult | None] = {}
    nested: dict[str, tuple[str, SignatureResult | None]] = {}
    good: list[str] = []  # The seals whose signature is good: they cover what they hold.
    unread: dict[str, int] = {}  # The index in ``head`` of each manifest that was not read.
    for prefix in seals:
        # Each manifest the seal has (SHA256SUMS, SHA512SUMS, or both) is checked in full:
        # a path listed in one and not the other, or whose digest disagrees with either,
        # fails (the failing verdict is kept).
        checked: list[SignatureResult | None] = []
        for algorithm, manifest_name, signature_name in seal_manifests(prefix):
            data = _seal_file(found, manifest_name, absent=None)
            if data is None:
                continue
            shown = display(manifest_name)
            # With one seal, details name "SHA256SUMS" as they always did; with several, which.
            label = manifest_name[len(prefix) :] if len(seals) == 1 else shown
            if isinstance(data, str):
                unread[shown] = len(head)
                head.append(
                    Result(
                        path=shown,
                        detail=data,
                        kind=EntryKind.MANIFEST,
                        footer=FooterCheck(verdict=Verdict.UNREADABLE),
                    )
                )
                manifest = parse_manifest(b"", algorithm)
            else:
                manifest = parse_manifest(data, algorithm)
                head.extend(_problems(manifest, shown, label))
            files = [_file_below(item, prefix) for item in files_of.get(prefix, ())]
            refused = [_refused_below(item, prefix) for item in refused_of.get(prefix, ())]
            if len(seals) > 1:
                _add_listed_below(manifest, prefix, nearest, found, files, refused)
            rows = _rows(
                manifest,
                files,
                refused,
                display=_under(display, prefix),
                label=label,
                blocked=[
                    item.path[len(prefix) :]
                    for item in found.refused
                    if item.unsafe and item.path.startswith(prefix)
                ],
                folders=_Folders(found.folders, prefix),
                max_size=max_size,
                left_out=left_out,
                algorithm=algorithm,
            )
            for row in rows:
                merged[row.path] = _nearest_first(merged.get(row.path), row)
            signature = detached_signature(
                data,
                _seal_file(found, signature_name, absent=None),
                display(signature_name),
                policy,
                namespace,
                now,
            )
            checked.append(signature)
            if prefix not in outermost and policy is not None:
                nested[shown] = (manifest_name, signature)
        signature = _seal_signature(checked)
        if signature is not None and signature.verdict is SignatureVerdict.GOOD:
            good.append(prefix)
        if prefix in outermost:
            signatures[prefix] = signature
    # A nested seal's signature rides on its manifest's result, once the seal above has
    # given that result (the seals above come later in the loop). A seal above whose
    # signature is good covers the inner manifest's bytes: its own .sig may then be absent.
    for shown, (manifest_name, signature) in nested.items():
        signature = _unless_covered(signature, manifest_name, good)
        if shown not in merged and shown in unread:
            # No seal above lists a manifest that is not a file: its own result carries it.
            head[unread[shown]] = replace(head[unread[shown]], signature=signature)
        else:
            merged[shown] = _signed(merged.get(shown), shown, signature)
    outside = (files_of.get(None, []), refused_of.get(None, []))
    if outside[0] or outside[1]:
        rows = _rows(
            parse_manifest(b""),
            *outside,
            display=display,
            label="any SHA256SUMS: outside every sealed folder",
            blocked=(),
            folders=frozenset(),
            max_size=max_size,
        )
        merged.update((row.path, row) for row in rows)
    per_path = sorted(merged.values(), key=lambda result: result.path)
    if policy is not None:
        own = _article_signatures(found, display, policy, namespace, now)
        per_path = [_with_signature(row, own, good) for row in per_path]
    return SealsCheck(
        tuple(infer_publisher_tokens(head + per_path)),
        tuple(sorted(signatures.items(), key=lambda item: item[0])),
    )


def _seal_signature(checked: Sequence[SignatureResult | None]) -> SignatureResult | None:
    """The one signature check that stands for a seal with one or two manifests.

    A failing one (bad, untrusted, malformed...) stands for the seal; else a good one: a good
    signature over one manifest covers every file of the folder, since a file that manifest
    does not list, or lists with another digest, fails whatever the other manifest says.
    Else the first (``missing``, or ``None`` when not checked).
    """
    present = [check for check in checked if check is not None]
    for check in present:
        if check.verdict not in (SignatureVerdict.GOOD, SignatureVerdict.MISSING):
            return check
    for check in present:
        if check.verdict is SignatureVerdict.GOOD:
            return check
    return checked[0] if checked else None


def _seals_in(found: Found) -> set[str]:
    """Every sealed folder's prefix: each folder holding a SHA256SUMS of any kind."""
    paths = chain(
        (item.path for item in found.files),
        (item.path for item in found.refused if path_problem(item.path) is None),
        found.folders,
        found.kept,
    )
    return {prefix for prefix in map(seal_of, paths) if prefix is not None}


def _seal_file(found: Found, path: str, absent: str | None = "absent") -> bytes | str | None:
    """A seal's file as kept, or why it cannot be used; ``absent`` when nothing is there."""
    if path in found.kept:
        return found.kept[path]
    for item in found.refused:
        if item.path == path:
            return item.reason
    if path in found.folders:
        return "is a folder: never read"
    return absent


def _add_listed_below(
    manifest: Manifest,
    prefix: str,
    nearest: Nearest,
    found: Found,
    files: list[FileDigest],
    refused: list[Refused],
) -> None:
    """Add to a seal's ``files`` and ``refused`` what it lists inside the seals below it."""
    below = [
        entry.path
        for entry in manifest
        if path_problem(entry.path) is None and nearest.of(prefix + entry.path) != prefix
    ]
    if not below:
        return
    wanted = {prefix + path for path in below}
    files.extend(_file_below(item, prefix) for item in found.files if item.path in wanted)
    refused.extend(_refused_below(item, prefix) for item in found.refused if item.path in wanted)


def _file_below(item: FileDigest, prefix: str) -> FileDigest:
    """``item`` with its path relative to the sealed folder ``prefix``."""
    return item._replace(path=item.path[len(prefix) :]) if prefix else item


def _refused_below(item: Refused, prefix: str) -> Refused:
    return replace(item, path=item.path[len(prefix) :]) if prefix else item


def _under(display: Callable[[str], str], prefix: str) -> Callable[[str], str]:
    """How a path relative to the sealed folder ``prefix`` is shown."""
    if not prefix:
        return display
    return lambda path: display(prefix + path)


class _Folders:
    """The folders below a sealed folder, as paths relative to it (a container)."""

    def __init__(self, folders: frozenset[str], prefix: str) -> None:
        self.folders = folders
        self.prefix = prefix

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.prefix + path in self.folders


def _nearest_first(kept: Result | None, outer: Result) -> Result:
    """One result per path: the nearest seal's, unless only a seal further out fails it."""
    if kept is None:
        return outer
    if _manifest_fails(kept) or not _manifest_fails(outer):
        return kept
    return outer


def _manifest_fails(result: Result) -> bool:
    return result.manifest is not None and result.manifest is not ManifestVerdict.LISTED


def _signed(row: Result | None, shown: str, signature: SignatureResult | None) -> Result:
    """A nested seal's manifest result, carrying that seal's signature check."""
    if row is None:
        detail = "the manifest of a sealed folder"
        return Result(path=shown, detail=detail, kind=EntryKind.MANIFEST, signature=signature)
    return replace(row, signature=signature)


def detached_signature(
    signed: bytes | Prehashed | str,
    signature: bytes | str | None,
    shown: str,
    policy: TrustPolicy | None,
    namespace: str,
    now: datetime | None,
) -> SignatureResult | None:
    """The check of a detached signature read in a walk: a seal's SHA256SUMS.sig over the
    manifest, or an article's FILE.sig over the article's digests.

    ``signed`` and ``signature`` are what was read, or why it could not be (a ``str``);
    ``signature`` is ``None`` when there is none. ``None`` is returned when a signature is
    present but there is no policy to check it.
    """
    if signature is None:
        detail = f"no signature: {shown} does not exist"
        return SignatureResult(SignatureVerdict.MISSING, detail, signature_path=shown)
    if policy is None:
        return None
    if isinstance(signature, str):
        detail = f"malformed signature: {signature}"
        return SignatureResult(SignatureVerdict.MALFORMED, detail, signature_path=shown)
    if isinstance(signed, str):
        detail = f"cannot check: the signed file could not be read ({signed})"
        return SignatureResult(SignatureVerdict.BAD, detail, signature_path=shown)
    result = check_signature(signed, signature, policy, namespace, now=now)
    return replace(result, signature_path=shown)


def _article_signatures(
    found: Found,
    display: Callable[[str], str],
    policy: TrustPolicy,
    namespace: str,
    now: datetime | None,
) -> dict[str, tuple[str, SignatureResult | None]]:
    """Each article's own FILE.sig checked, by the article's shown path (with its path).

    A FILE.sig that is a link, a special file or a folder is ``malformed`` (it also fails
    the run as an unlisted or unsafe entry of its seal).
    """
    refused = {item.path: item.reason for item in found.refused}
    refused.update((path, "is a folder: never read") for path in found.folders)
    checks: dict[str, tuple[str, SignatureResult | None]] = {}
    for path, digests in found.digests.items():
        sig_path = path + SIGNATURE_SUFFIX
        signature = found.signatures.get(sig_path, refused.get(sig_path))
        shown = display(sig_path)
        # No digests: no FILE.sig was listed, so ``signature`` is None and never checked.
        signed = digests if digests is not None else "no signature was listed"
        checks[display(path)] = (
            path,
            detached_signature(signed, signature, shown, policy, namespace, now),
        )
    return checks


def _unless_covered(
    signature: SignatureResult | None, path: str, good: Sequence[str]
) -> SignatureResult | None:
    """``None`` for a missing signature of a file that a seal with a good signature holds:
    that seal covers the file's bytes. Any other check is kept."""
    if signature is None or signature.verdict is not SignatureVerdict.MISSING:
        return signature
    return None if any(path.startswith(prefix) for prefix in good) else signature


def _with_signature(
    row: Result, own: Mapping[str, tuple[str, SignatureResult | None]], good: Sequence[str]
) -> Result:
    """``row`` with its article's own signature check, when it has one (SPEC §8, §9)."""
    checked = own.get(row.path)
    if checked is None:
        return row
    path, signature = checked
    kept = _unless_covered(signature, path, good)
    # Nearly every article of a seal with a good signature: nothing to add, nothing to copy.
    return row if kept is row.signature else replace(row, signature=kept)


def _read_plain(path: str, limit: int) -> tuple[bytes | None, str | None]:
    """A small regular file's bytes, never through a link; or the reason it cannot be read."""
    try:
        return read_limited(path, limit, follow_symlinks=False), None
    except IsADirectoryError:
        return None, "is a folder: never read"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, "is a symbolic link: never followed"
        if isinstance(exc, SpecialFileError | TooLargeError):
            return None, exc.strerror
        return None, f"cannot read: {exc.strerror or exc}"


def node_reason(kind: Kind, detail: str) -> str:
    """Why a walk did not read a path: a link, a special file, or the error met."""
    if kind is Kind.SYMLINK:
        return f"symbolic link to {detail!r}: never followed"
    if kind is Kind.ERROR:
        return detail
    return f"{kind.value}: never opened"


def _problems(manifest: Manifest, shown: str, label: str) -> list[Result]:
    """One ``malformed`` result per malformed line of a manifest, shown as ``shown``."""
    return [
        Result(
            path=shown,
            detail=f"{label} line {problem.line}: {problem.reason}",
            kind=EntryKind.MANIFEST,
            footer=FooterCheck(verdict=Verdict.MALFORMED),
            line=problem.line,
        )
        for problem in manifest.problems
    ]


def _rows(
    manifest: Manifest | None,
    files: Iterable[FileDigest],
    refused: Iterable[Refused],
    *,
    display: Callable[[str], str],
    label: str,
    blocked: Sequence[str],
    folders: Container[str],
    max_size: int,
    left_out: Callable[[str], bool] | None = None,
    algorithm: str = "sha256",
) -> list[Result]:
    """One result per path, unsorted: found files, refused paths, entries found nowhere.

    ``label`` names the manifest in details; ``blocked`` are the links and special files a
    listed path would resolve through; ``folders`` tells a folder from nothing at all; a
    path the manifest does not list and ``left_out`` is true for gets no result.
    """
    entries = manifest if manifest is not None else parse_manifest(b"")
    per_path: list[Result] = []
    seen: set[str] = set()

    def excused(path: str) -> bool:
        """Whether an unlisted ``path`` was left out of the seal by ``--exclude``."""
        return manifest is not None and left_out is not None and left_out(path)

    for item in refused:
        seen.add(item.path)
        if item.path not in entries and excused(item.path):
            continue
        verdict: ManifestVerdict | None = None
        if manifest is not None:
            if item.unsafe:
                verdict = (
                    ManifestVerdict.UNSAFE if item.path in entries else ManifestVerdict.UNLISTED
                )
            elif item.path not in entries:
                verdict = ManifestVerdict.UNLISTED
        listed = f" (listed in {label})" if item.path in entries else ""
        per_path.append(
            Result.unreadable(display(item.path), f"{item.reason}{listed}", manifest=verdict)
        )
    for found in files:
        seen.add(found.path)
        entry = entries.get(found.path)
        if entry is None and excused(found.path):
            continue
        footer = _footer(found, display(found.path), max_size)
        if manifest is None:
            per_path.append(footer)
        elif entry is None:
            detail = f"not listed in {label}; {footer.detail}"
            per_path.append(footer.with_manifest(ManifestVerdict.UNLISTED, detail))
        elif entry.digest == (computed := _digest(found, algorithm)):
            per_path.append(footer.with_manifest(ManifestVerdict.LISTED))
        else:
            detail = (
                f"changed since sealed: {label} line {entry.line} expects {algorithm} "
                f"{entry.digest}, computed {computed or 'none'}; {footer.detail}"
            )
            per_path.append(footer.with_manifest(ManifestVerdict.MISMATCH, detail))
    for entry in entries:
        if entry.path not in seen:
            per_path.append(_absent(entry.path, entry.line, display, label, blocked, folders))
    return per_path


def _digest(found: FileDigest, algorithm: str) -> str | None:
    """The file's digest in ``algorithm``; ``None`` when it was not computed (never equal to
    a claimed digest: the entry fails as ``mismatch``, never passes unchecked)."""
    if algorithm == "sha256":
        return found.sha256
    extra = dict(zip(EXTRA_DIGESTS, found.others, strict=False))
    return extra.get(algorithm)


def resolved(item: FileDigest) -> FileDigest:
    """``item`` with the result its worker process gave, once known."""
    if isinstance(item.inspected, Pending):
        return item._replace(inspected=item.inspected.result())
    return item


def _footer(found: FileDigest, shown: str, max_size: int) -> Result:
    if isinstance(found.inspected, Result):
        return found.inspected
    if found.too_large:
        return Result.unreadable(shown, f"larger than {max_size} bytes: footer not checked")
    return Result(path=shown, detail=NOT_AN_ARTICLE, kind=entry_kind(found.path))


def _absent(
    path: str,
    line: int,
    display: Callable[[str], str],
    label: str,
    blocked: Sequence[str],
    folders: Container[str],
) -> Result:
    """The result of an entry nothing was found at: unsafe, or missing.

    A missing file has the footer verdict ``missing`` too: there is no file, so nothing
    was unreadable. ``line`` is the manifest's line (the file has none).
    """
    where = f"{label} line {line}"
    problem = path_problem(path)
    if problem is None:
        through = next((link for link in blocked if path.startswith(link + "/")), None)
        if through is not None:
            problem = f"it would resolve through {display_name(through)!r}, which is not a folder"
    if problem is not None:
        return Result(
            path=display_name(path),
            detail=f"unsafe path in {where}: {problem}; never opened",
            footer=FooterCheck(verdict=Verdict.UNREADABLE),
            line=line,
            manifest=ManifestVerdict.UNSAFE,
        )
    what = "a folder, not a file" if path in folders else "absent"
    return Result(
        path=display(path),
        detail=f"listed in {where}, but {what}",
        footer=FooterCheck(verdict=Verdict.MISSING),
        line=line,
        manifest=ManifestVerdict.MISSING,
    )


__all__ = [
    "DEFAULT_MAX_SIZE",
    "EXTRA_DIGESTS",
    "NOT_AN_ARTICLE",
    "Found",
    "Refused",
    "SealedCheck",
    "SealsCheck",
    "check_sealed_folder",
    "check_seals",
    "detached_signature",
    "is_seal_file",
    "keep_limit",
    "marks_sha512",
    "node_reason",
    "resolved",
]
