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
   * ``missing``: listed, and absent (or a folder);
   * ``unlisted``: present and not listed: a planted file, or a symbolic link, FIFO...;
   * ``unsafe``: listed with a path that is absolute, holds ``..``, or would resolve through
     a symbolic link (or names a link or a special file): never opened.

   The ``verdict`` of a file that was read is its own footer verdict, computed by
   :func:`provenance.verify.check_bytes` on exactly the bytes that were hashed (each file is
   read once). A file that is not an article (by name; see :func:`default_is_article`) gets
   ``no-footer`` with the detail "not an article". A path that was not read gets
   ``unreadable`` with the reason.

The walk never follows a symbolic link (see :mod:`provenance.tree`).
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from operator import attrgetter

from provenance.allowed_signers import TrustPolicy
from provenance.errors import InputError
from provenance.fsio import SpecialFileError, TooLargeError, read_limited
from provenance.manifest import (
    MANIFEST_NAME,
    MAX_MANIFEST_SIZE,
    SIGNATURE_NAME,
    Manifest,
    path_problem,
)
from provenance.manifest import parse as parse_manifest
from provenance.model import (
    Canonicalization,
    ManifestVerdict,
    Result,
    SignatureResult,
    SignatureVerdict,
    Verdict,
)
from provenance.parallel import Pending, TextChecker
from provenance.sign import check_signature
from provenance.sshsig import DEFAULT_NAMESPACE, MAX_ARMORED_SIZE
from provenance.tokens import TokenRegistry
from provenance.tree import FileDigest, Kind, display_name, scan
from provenance.verify import DEFAULT_SUFFIXES, NEVER_ARTICLES, check_bytes, infer_publisher_tokens

#: No file is kept in memory beyond this many bytes to check its footer (nor, in an archive,
#: read beyond it at all).
DEFAULT_MAX_SIZE = 256 << 20

#: The detail of a file whose footer is not checked because it is not an article.
NOT_AN_ARTICLE = "not an article: only its SHA-256 is checked"


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
        return any(result.failed(strict=strict) for result in self.results)


@dataclass(frozen=True, slots=True)
class Refused:
    """A path that is never read: a link, a special file, an unsafe or duplicate name..."""

    path: str
    reason: str
    #: A link, special file or unsafe name (``unsafe`` when listed); else an I/O error.
    unsafe: bool = True


def default_is_article(path: str) -> bool:
    """Whether a path names an article, as a plain ``provenance verify`` walk decides.

    ``.txt``, ``.md`` and files without a suffix; never SHA256SUMS or a ``.sig``; never a
    hidden file or one in a hidden folder.

    >>> default_is_article("docs/a.txt"), default_is_article("a.txt.sig")
    (True, False)
    """
    parts = path.split("/")
    if any(part.startswith(".") for part in parts):
        return False
    name = parts[-1]
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in NEVER_ARTICLES):
        return False
    suffix = os.path.splitext(name)[1]
    return suffix in DEFAULT_SUFFIXES or suffix == ""


def is_sealed(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` holds a SHA256SUMS (even a broken one): check it as sealed."""
    return os.path.isdir(folder) and os.path.lexists(os.path.join(folder, MANIFEST_NAME))


def join_display(root: str, relative: str) -> str:
    """``root/relative`` as results show it (like a plain verify walk does)."""
    return root + relative if root.endswith(("/", os.sep)) else f"{root}/{relative}"


def check_sealed_folder(
    folder: str | os.PathLike[str],
    *,
    policy: TrustPolicy | None = None,
    namespace: str = DEFAULT_NAMESPACE,
    require_signature: bool = False,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
    is_article: Callable[[str], bool] = default_is_article,
    max_size: int = DEFAULT_MAX_SIZE,
    now: datetime | None = None,
    workers: int | None = None,
    jobs: int = 1,
) -> SealedCheck:
    """Check a sealed folder: the signature of SHA256SUMS, every entry, every article.

    ``policy`` is an :class:`~provenance.allowed_signers.AllowedSigners` or
    :class:`~provenance.allowed_signers.TrustedKey`; without one the signature is not checked
    (``signature`` is ``None``, or ``missing`` when there is no .sig), and
    ``require_signature`` without one is an :class:`~provenance.errors.InputError`.
    ``is_article(path)`` picks the files whose footer is checked (relative POSIX paths).
    ``jobs`` processes check the footers (with 1, the thread that reads and hashes does);
    ``workers`` threads read and hash (see :func:`provenance.tree.scan`).

    Raises :class:`~provenance.errors.InputError` when ``folder`` is not a folder holding
    SHA256SUMS; never for what is wrong inside it.

    >>> check = check_sealed_folder("issue-12", policy=load_allowed_signers("allowed"))
    ... # doctest: +SKIP
    >>> check.signature.verdict, check.failed()  # doctest: +SKIP
    (<SignatureVerdict.GOOD: 'good'>, False)
    """
    if require_signature and policy is None:
        raise InputError("requiring a signature needs a trust policy (allowed signers or a key)")
    root = os.fspath(folder)
    if not is_sealed(root):
        raise InputError(f"{root} is not a sealed folder: it holds no {MANIFEST_NAME}")
    manifest_shown = join_display(root, MANIFEST_NAME)
    manifest_bytes, manifest_error = _read_plain(
        os.path.join(root, MANIFEST_NAME), min(max_size, MAX_MANIFEST_SIZE)
    )
    signature = _check_manifest_signature(
        root, manifest_bytes, policy, namespace, now, manifest_error is None
    )

    # With more than one job the footers are checked by worker processes while this one
    # walks and hashes (forked before the walk's thread starts); else by the walking thread.
    checker = TextChecker.start(jobs, canonicalization, tokens)

    def inspect(path: str, data: bytes) -> Result | Pending:
        shown = join_display(root, display_name(path))
        if checker is not None:
            return checker.submit(data, shown)
        return check_bytes(data, shown, canonicalization=canonicalization, tokens=tokens)

    with checker if checker is not None else contextlib.nullcontext():
        found = scan(
            root,
            keep=is_article,
            inspect=inspect,
            keep_limit=max_size,
            skip=lambda path: path in (MANIFEST_NAME, SIGNATURE_NAME),
            workers=workers,
        )
        files = found.files
        if checker is not None:
            checker.flush()
            files = tuple(_resolved(item) for item in files)
    refused = [
        Refused(node.path, _node_reason(node.kind, node.detail), node.kind is not Kind.ERROR)
        for node in found.nodes
        if node.kind is not Kind.FOLDER
    ]
    folders = {node.path for node in found.of_kind(Kind.FOLDER)}
    if manifest_error is not None:
        head = [Result(manifest_shown, Verdict.UNREADABLE, manifest_error)]
        manifest = Manifest((), ())
    else:
        head = []
        assert manifest_bytes is not None
        manifest = parse_manifest(manifest_bytes)
    results = reconcile(
        manifest,
        files,
        refused,
        display=lambda path: join_display(root, display_name(path)),
        manifest_display=manifest_shown,
        is_article=is_article,
        folders=folders,
        max_size=max_size,
    )
    return SealedCheck(signature, tuple(head + results))


def _check_manifest_signature(
    root: str,
    manifest: bytes | None,
    policy: TrustPolicy | None,
    namespace: str,
    now: datetime | None,
    readable: bool,
) -> SignatureResult | None:
    path = os.path.join(root, SIGNATURE_NAME)
    shown = join_display(root, SIGNATURE_NAME)
    if not os.path.lexists(path):
        detail = f"no signature: {shown} does not exist"
        return SignatureResult(SignatureVerdict.MISSING, detail, signature_path=shown)
    if policy is None:
        return None
    armored, error = _read_plain(path, MAX_ARMORED_SIZE)
    if error is not None or armored is None:
        detail = f"malformed signature: {error}"
        return SignatureResult(SignatureVerdict.MALFORMED, detail, signature_path=shown)
    if not readable or manifest is None:
        detail = f"cannot check: {MANIFEST_NAME} could not be read"
        return SignatureResult(SignatureVerdict.BAD, detail, signature_path=shown)
    result = check_signature(manifest, armored, policy, namespace, now=now)
    return replace(result, signature_path=shown)


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


def _node_reason(kind: Kind, detail: str) -> str:
    if kind is Kind.SYMLINK:
        return f"symbolic link to {detail!r}: never followed"
    if kind is Kind.ERROR:
        return detail
    return f"{kind.value}: never opened"


def reconcile(
    manifest: Manifest | None,
    files: Iterable[FileDigest],
    refused: Iterable[Refused],
    *,
    display: Callable[[str], str],
    manifest_display: str,
    is_article: Callable[[str], bool],
    folders: Iterable[str] = (),
    max_size: int = DEFAULT_MAX_SIZE,
) -> list[Result]:
    """Hold what was found against a manifest: one result per path (module docstring).

    ``manifest`` is ``None`` for an archive without SHA256SUMS: then only articles and
    refused paths get a result, with no manifest verdict, as in a plain folder walk. Paths
    are relative to the manifest's folder.
    """
    entries = {entry.path: entry for entry in manifest.entries} if manifest else {}
    results: list[Result] = []
    if manifest is not None:
        for problem in manifest.problems:
            detail = f"{MANIFEST_NAME} line {problem.line}: {problem.reason}"
            results.append(Result(manifest_display, Verdict.MALFORMED, detail, line=problem.line))
    per_path: list[Result] = []
    seen: set[str] = set()
    blocked: list[str] = []
    for item in refused:
        seen.add(item.path)
        if item.unsafe:
            blocked.append(item.path)
        verdict: ManifestVerdict | None = None
        if manifest is not None:
            if item.unsafe:
                verdict = (
                    ManifestVerdict.UNSAFE if item.path in entries else ManifestVerdict.UNLISTED
                )
            elif item.path not in entries:
                verdict = ManifestVerdict.UNLISTED
        listed = " (listed in SHA256SUMS)" if item.path in entries else ""
        per_path.append(
            Result(
                display(item.path),
                Verdict.UNREADABLE,
                f"{item.reason}{listed}",
                manifest=verdict,
            )
        )
    for found in files:
        seen.add(found.path)
        entry = entries.get(found.path)
        if manifest is None and not is_article(found.path):
            continue
        footer = _footer(found, display(found.path), is_article, max_size)
        if manifest is None:
            per_path.append(footer)
        elif entry is None:
            detail = f"not listed in {MANIFEST_NAME}; {footer.detail}"
            per_path.append(_with_manifest(footer, ManifestVerdict.UNLISTED, detail))
        elif entry.sha256 == found.sha256:
            per_path.append(_with_manifest(footer, ManifestVerdict.LISTED))
        else:
            detail = (
                f"changed since sealed: {MANIFEST_NAME} line {entry.line} expects sha256 "
                f"{entry.sha256}, computed {found.sha256}; {footer.detail}"
            )
            per_path.append(_with_manifest(footer, ManifestVerdict.MISMATCH, detail))
    folder_set = set(folders)
    for path, entry in entries.items():
        if path in seen:
            continue
        per_path.append(_absent(path, entry.line, display, blocked, folder_set))
    per_path.sort(key=lambda result: result.path)
    return infer_publisher_tokens(results + per_path)


# Every field of a Result, in the order Result() takes them (none is keyword-only).
_FIELD_NAMES = [field.name for field in fields(Result)]
_VALUES = attrgetter(*_FIELD_NAMES)
_DETAIL, _MANIFEST = _FIELD_NAMES.index("detail"), _FIELD_NAMES.index("manifest")


def _with_manifest(result: Result, verdict: ManifestVerdict, detail: str | None = None) -> Result:
    """``result`` with its manifest verdict (and detail): ``dataclasses.replace``, which
    cost 8 us a file, a tenth of a sealed folder's whole check."""
    values = list(_VALUES(result))
    values[_MANIFEST] = verdict
    if detail is not None:
        values[_DETAIL] = detail
    return Result(*values)


def _resolved(item: FileDigest) -> FileDigest:
    """``item`` with the result its worker process gave, once known."""
    if isinstance(item.inspected, Pending):
        return item._replace(inspected=item.inspected.result())
    return item


def _footer(
    found: FileDigest, shown: str, is_article: Callable[[str], bool], max_size: int
) -> Result:
    if isinstance(found.inspected, Result):
        return found.inspected
    if found.too_large:
        detail = f"larger than {max_size} bytes: footer not checked"
        return Result(shown, Verdict.UNREADABLE, detail)
    return Result(shown, Verdict.NO_FOOTER, NOT_AN_ARTICLE, article=False)


def _absent(
    path: str,
    line: int,
    display: Callable[[str], str],
    blocked: Sequence[str],
    folders: set[str],
) -> Result:
    """The result of an entry nothing was found at: unsafe, or missing."""
    where = f"{MANIFEST_NAME} line {line}"
    problem = path_problem(path)
    if problem is None:
        through = next((link for link in blocked if path.startswith(link + "/")), None)
        if through is not None:
            problem = f"it would resolve through {display_name(through)!r}, which is not a folder"
    if problem is not None:
        return Result(
            display_name(path),
            Verdict.UNREADABLE,
            f"unsafe path in {where}: {problem}; never opened",
            line=line,
            manifest=ManifestVerdict.UNSAFE,
        )
    what = "a folder, not a file" if path in folders else "absent"
    return Result(
        display(path),
        Verdict.UNREADABLE,
        f"listed in {where}, but {what}",
        line=line,
        manifest=ManifestVerdict.MISSING,
    )


__all__ = [
    "DEFAULT_MAX_SIZE",
    "NOT_AN_ARTICLE",
    "Refused",
    "SealedCheck",
    "check_sealed_folder",
    "default_is_article",
    "is_sealed",
    "join_display",
    "reconcile",
]
