"""Recipe: one ``provenance verify`` run over files, folders, sealed folders, bags, archives.

Each path named on the command line is checked by the recipe that fits it:

* a folder holding ``SHA256SUMS`` (in any form: see :mod:`provenance.seals`), named or met
  anywhere in a folder walk: :func:`provenance.sealed.check_sealed_folder` (the seal's
  signature, every entry, every article, and the seals nested in it);
* a BagIt bag (a folder holding ``bagit.txt``) named on the command line (a bag met in a
  walk is walked as a folder; :func:`provenance.selector.kind_of` decides):
  :func:`provenance.bag.check_bag_folder` (bagit.txt, every manifest, Payload-Oxum, every
  article in ``data/``, and ``tagmanifest-sha256.txt.sig`` with a trust policy);
* an archive file (.tar, .tar.gz/.tgz, .tar.xz, .tar.bz2, .zip):
  :func:`provenance.archive.check_archive`, members read in place; their paths are shown as
  ``ARCHIVE:MEMBER``;
* any other file, and the files of a walk outside every sealed folder: footers, and each
  FILE.sig when a trust policy is given (:func:`provenance.verify.check_targets`).

The signature of a seal (``DIR/SHA256SUMS.sig``) or of an archive (``ARCHIVE.sig``) is
reported on a result of its own for the signed object, which is not an article; a bag's
(``tagmanifest-sha256.txt.sig``) on its tag manifest's result. Modules
that need cryptography are imported only when a seal, an archive or a trust policy is met,
so a plain footer check stays light.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from provenance.errors import InputError
from provenance.model import (
    EntryKind,
    Result,
    SignatureResult,
    SignatureVerdict,
    result_from_row,
    result_row,
)
from provenance.options import DEFAULT_OPTIONS
from provenance.parallel import Target
from provenance.seals import MANIFEST_NAME, SIGNATURE_SUFFIX, marks_seal
from provenance.selector import PathKind, Selector, kind_of
from provenance.verify import (
    SealedFolder,
    VerifyOptions,
    check_targets,
    infer_publisher_tokens,
    iter_entries,
    join_display,
)


def check_run(
    paths: Sequence[str],
    options: VerifyOptions = DEFAULT_OPTIONS,
    *,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Check every path in order; one list of results, publisher tokens inferred over all.

    Raises :class:`~provenance.errors.InputError` for a path that does not exist, or for
    ``options.record`` beside anything but one article file, before anything is checked.
    """
    for path in paths:
        if not os.path.lexists(path):
            raise InputError(f"{path}: no such file or folder")
    if options.record is not None and (len(paths) != 1 or kind_of(paths[0]) is not PathKind.FILE):
        # One record is the record of one article: beside a walk it would match none.
        raise InputError("--record goes with exactly one article file")
    emit = on_result if on_result is not None else (lambda result: None)
    # The same articles everywhere: a walk takes them, a sealed folder or an archive checks
    # their footers (and holds the other files to its manifest only).
    select = Selector(options.include, options.exclude)
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
            results.extend(check_targets(walk.files(), options, on_result=emit))
            folder = walk.take_sealed()
            if folder is None:
                break
            add(_sealed(folder, options, select))
        plain.clear()

    for path in paths:
        kind = kind_of(path)
        if kind is PathKind.BAG:
            flush()
            add(_bag(path, options, select))
        elif kind is PathKind.ARCHIVE:
            flush()
            add(_archive(path, options, select))
        else:
            # A folder, sealed or not, is walked: the walk meets every sealed folder in it.
            plain.append(path)
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


def _signed_object(
    path: str, kind: EntryKind, detail: str, signature: SignatureResult | None
) -> Result:
    """The result that carries a seal's or an archive's own signature (not an article)."""
    return Result(path=path, detail=detail, kind=kind, signature=signature)


def _sealed(folder: SealedFolder, options: VerifyOptions, select: Selector) -> list[Result]:
    from provenance.sealed import check_sealed_folder

    path = folder.path
    check = check_sealed_folder(path, options, is_article=select.below(folder.relative))
    head = []
    if options.policy is not None:
        shown = join_display(path, _signed_manifest(check.signature))
        head.append(
            _signed_object(
                shown, EntryKind.MANIFEST, "the manifest of a sealed folder", check.signature
            )
        )
    return head + list(check.results)


def _bag(path: str, options: VerifyOptions, select: Selector) -> list[Result]:
    from provenance.bag import check_bag_folder

    # Articles are in data/: the globs match paths relative to it (SPEC §9.1).
    return list(check_bag_folder(path, options, is_article=select.is_article).results)


def _archive(path: str, options: VerifyOptions, select: Selector) -> list[Result]:
    from provenance.archive import check_archive
    from provenance.tree import display_name

    check = check_archive(path, options, is_article=select.is_article)
    head = []
    members = [_in_archive(path, result) for result in check.results]
    if options.policy is not None:
        # Good signatures over every member's bytes (ARCHIVE.sig, or each seal's) make any
        # other signature optional: then a missing one is not shown.
        covered = check.covered()
        archive_sig = (
            _unless_missing(check.archive_signature) if covered else check.archive_signature
        )
        if archive_sig is not None:
            head.append(_signed_object(path, EntryKind.OTHER, "an archive", archive_sig))
        for prefix, seal_sig in check.seal_signatures:
            shown = f"{path}:{display_name(prefix)}{_signed_manifest(seal_sig)}"
            signature = _unless_missing(seal_sig) if covered else seal_sig
            head.append(
                _signed_object(
                    shown, EntryKind.MANIFEST, "the manifest inside the archive", signature
                )
            )
        if covered:
            members = [
                replace(member, signature=_unless_missing(member.signature))
                if member.signature is not None
                else member
                for member in members
            ]
    return head + members


def _signed_manifest(signature: SignatureResult | None) -> str:
    """Which manifest of a seal (SHA256SUMS or SHA512SUMS) ``signature`` stands for: the one
    its .sig is beside (sealed.py picks it when a seal has both)."""
    if signature is not None and signature.signature_path is not None:
        name = signature.signature_path.rpartition("/")[2].removesuffix(SIGNATURE_SUFFIX)
        if marks_seal(name):
            return name
    return MANIFEST_NAME


def _unless_missing(signature: SignatureResult | None) -> SignatureResult | None:
    if signature is not None and signature.verdict is SignatureVerdict.MISSING:
        return None
    return signature


def _in_archive(archive: str, result: Result) -> Result:
    """A member's result, its path shown as ``ARCHIVE:MEMBER``."""
    if result.path == archive or result.path.startswith(f"{archive}:"):
        return result
    # Once per member: built from its fields, at a tenth of what dataclasses.replace costs.
    return result_from_row(f"{archive}:{result.path}", result_row(result))
