"""Recipe: one ``provenance verify`` run over files, folders, sealed folders and archives.

Each path named on the command line is checked by the recipe that fits it:

* a folder holding ``SHA256SUMS`` (in any form: see :mod:`provenance.seals`), named or met
  anywhere in a folder walk: :func:`provenance.sealed.check_sealed_folder` (the seal's
  signature, every entry, every article, and the seals nested in it);
* a BagIt bag (a folder holding ``bagit.txt``) named on the command line:
  :func:`provenance.bag.check_bag_folder` (bagit.txt, every manifest, Payload-Oxum, every
  article in ``data/``, and ``tagmanifest-sha256.txt.sig`` with a trust policy);
* an archive file (.tar, .tar.gz/.tgz, .tar.xz, .tar.bz2, .zip):
  :func:`provenance.archive.check_archive`, members read in place; their paths are shown as
  ``ARCHIVE:MEMBER``;
* any other file, and the files of a walk outside every sealed folder: footers, and each
  FILE.sig when a trust policy is given (:func:`provenance.verify.check_targets`).

The signature of a seal (``DIR/SHA256SUMS.sig``) or of an archive (``ARCHIVE.sig``) is
reported on a result of its own for the signed object, which is not an article. Modules
that need cryptography are imported only when a seal, an archive or a trust policy is met,
so a plain footer check stays light.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from provenance.errors import InputError
from provenance.model import ManifestVerdict, Result, SignatureResult, SignatureVerdict, Verdict
from provenance.parallel import Target
from provenance.seals import MANIFEST_NAME, is_bag
from provenance.verify import (
    SealedFolder,
    VerifyOptions,
    check_targets,
    infer_publisher_tokens,
    iter_entries,
)

if TYPE_CHECKING:
    from provenance.allowed_signers import TrustPolicy

_ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".zip")


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What a run checks beyond footers: signatures, and how far archives may expand."""

    policy: TrustPolicy | None = None
    namespace: str = "file"
    #: Every article must be covered by a good signature (a trust source, no --allow-unsigned).
    require_signature: bool = False
    jobs: int = 1
    max_member_size: int = 256 << 20
    now: datetime | None = None


def kind_of(path: str) -> str:
    """``"archive"``, ``"bag"`` or ``"plain"``: which recipe checks ``path``.

    A folder is ``plain`` here, sealed or not: the walk finds every sealed folder in it,
    the named one included (:func:`provenance.verify.iter_entries`). A bag is one only when
    named: a bag met inside a walked folder is walked as a plain folder.
    """
    if path.lower().endswith(_ARCHIVE_SUFFIXES) and os.path.isfile(path):
        return "archive"
    if is_bag(path):
        return "bag"
    return "plain"


def check_run(
    paths: Sequence[str],
    options: VerifyOptions,
    run: RunOptions = RunOptions(),
    *,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Check every path in order; one list of results, publisher tokens inferred over all.

    Raises :class:`~provenance.errors.InputError` for a path that does not exist, before
    anything is checked.
    """
    for path in paths:
        if not os.path.lexists(path):
            raise InputError(f"{path}: no such file or folder")
    emit = on_result if on_result is not None else (lambda result: None)
    results: list[Result] = []
    plain: list[str] = []

    def add(found: list[Result]) -> None:
        for result in found:
            emit(result)
        results.extend(found)

    def flush() -> None:
        if not plain:
            return
        walk = _Walk(iter_entries(plain, options))
        while True:
            # The files up to the next sealed folder stream through the footer check.
            results.extend(check_targets(walk.files(), options, on_result=emit, jobs=run.jobs))
            folder = walk.take_sealed()
            if folder is None:
                break
            add(_sealed(folder.path, options, run))
        plain.clear()

    for path in paths:
        kind = kind_of(path)
        if kind == "plain":
            plain.append(path)
            continue
        flush()
        add(_bag(path, options, run) if kind == "bag" else _archive(path, options, run))
    flush()
    return infer_publisher_tokens(results)


class _Walk:
    """A seal-aware walk, cut at each sealed folder: plain files stream, seals wait their turn."""

    def __init__(self, entries: Iterator[Target | SealedFolder]) -> None:
        self.entries = entries
        self.sealed: SealedFolder | None = None

    def files(self) -> Iterator[Target]:
        """The files up to the next sealed folder (kept for :meth:`take_sealed`)."""
        for entry in self.entries:
            if isinstance(entry, SealedFolder):
                self.sealed = entry
                return
            yield entry

    def take_sealed(self) -> SealedFolder | None:
        """The sealed folder that ended the last :meth:`files`, or ``None`` at the end."""
        folder, self.sealed = self.sealed, None
        return folder


def _signed_object(path: str, detail: str, signature: SignatureResult | None) -> Result:
    """The result that carries a seal's or an archive's own signature."""
    return Result(path, Verdict.NO_FOOTER, detail, signature=signature, article=False)


def _sealed(path: str, options: VerifyOptions, run: RunOptions) -> list[Result]:
    from provenance.sealed import check_sealed_folder, join_display

    check = check_sealed_folder(
        path,
        policy=run.policy,
        namespace=run.namespace,
        require_signature=run.require_signature,
        canonicalization=options.canonicalization,
        tokens=options.tokens,
        max_size=run.max_member_size,
        now=run.now,
        jobs=run.jobs,
    )
    head = []
    if run.policy is not None:
        shown = join_display(path, MANIFEST_NAME)
        head.append(_signed_object(shown, "the manifest of a sealed folder", check.signature))
    return head + _unless_excluded(check.results, join_display(path, ""), options)


def _unless_excluded(
    results: Sequence[Result], prefix: str, options: VerifyOptions
) -> list[Result]:
    """``results`` without the unlisted paths that ``--exclude`` leaves out (SPEC §9).

    ``seal --exclude`` leaves paths out of a manifest; the same patterns here stop them from
    being reported as planted. A listed path is checked whatever the patterns say.
    """
    if not options.exclude:
        return list(results)
    from provenance.globs import compile_globs

    exclude = compile_globs(options.exclude, "--exclude")
    assert exclude is not None
    return [
        result
        for result in results
        if not (
            result.manifest is ManifestVerdict.UNLISTED
            and result.path.startswith(prefix)
            and exclude(result.path[len(prefix) :], False)
        )
    ]


def _bag(path: str, options: VerifyOptions, run: RunOptions) -> list[Result]:
    from provenance.bag import check_bag_folder

    check = check_bag_folder(
        path,
        policy=run.policy,
        namespace=run.namespace,
        canonicalization=options.canonicalization,
        tokens=options.tokens,
        max_size=run.max_member_size,
        now=run.now,
    )
    return list(check.results)


def _archive(path: str, options: VerifyOptions, run: RunOptions) -> list[Result]:
    from provenance.archive import check_archive
    from provenance.tree import display_name

    check = check_archive(
        path,
        policy=run.policy,
        namespace=run.namespace,
        require_signature=run.require_signature,
        canonicalization=options.canonicalization,
        tokens=options.tokens,
        max_member_size=run.max_member_size,
        now=run.now,
        jobs=run.jobs,
    )
    head = []
    members = [_in_archive(path, result) for result in check.results]
    if run.policy is not None:
        # Good signatures over every member's bytes (ARCHIVE.sig, or each seal's) make any
        # other signature optional: then a missing one is not shown.
        covered = check.covered()
        archive_sig = (
            _unless_missing(check.archive_signature) if covered else check.archive_signature
        )
        if archive_sig is not None:
            head.append(_signed_object(path, "an archive", archive_sig))
        for prefix, seal_sig in check.seal_signatures:
            shown = f"{path}:{display_name(prefix)}{MANIFEST_NAME}"
            signature = _unless_missing(seal_sig) if covered else seal_sig
            head.append(_signed_object(shown, "the manifest inside the archive", signature))
        if covered:
            members = [
                replace(member, signature=_unless_missing(member.signature))
                if member.signature is not None
                else member
                for member in members
            ]
    return head + members


def _unless_missing(signature: SignatureResult | None) -> SignatureResult | None:
    if signature is not None and signature.verdict is SignatureVerdict.MISSING:
        return None
    return signature


def _in_archive(archive: str, result: Result) -> Result:
    """A member's result, its path shown as ``ARCHIVE:MEMBER``."""
    if result.path == archive or result.path.startswith(f"{archive}:"):
        return result
    return replace(result, path=f"{archive}:{result.path}")
