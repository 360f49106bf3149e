"""Recipe: seal a folder with a SHA256SUMS manifest and its SSHSIG signature.

``seal_folder(DIR, key)`` writes ``DIR/SHA256SUMS`` (every regular file under DIR, in the GNU
format :mod:`provenance.manifest` describes) and ``DIR/SHA256SUMS.sig`` (an SSHSIG signature
over the manifest's bytes), so that, inside DIR, both of these pass with stock tools only::

    sha256sum --strict -c SHA256SUMS
    ssh-keygen -Y verify -f allowed_signers -I who -n file -s SHA256SUMS.sig < SHA256SUMS

What is listed, and what is refused (:class:`~provenance.errors.InputError`, nothing written):

* every regular file below DIR, hidden ones included, except the top-level SHA256SUMS and
  SHA256SUMS.sig, which never list themselves, and provenance's own temporary files
  (``.NAME.XXXXXXXX.tmp``, :func:`~provenance.fsio.is_temp_name`): those a killed writer
  left (no live process holds their lock) are removed, the others are a live writer's.
  A subfolder sealed before is listed whole,
  its SHA256SUMS and SHA256SUMS.sig included, so that ``verify`` holds the inner seal to the
  outer one (seal inner folders first; resealing an inner folder afterwards makes the outer
  manifest stale, and verify fails it). A *folder* named SHA256SUMS or SHA256SUMS.sig is
  refused like a link: verify would take its parent for a sealed folder with a broken seal;
* symbolic links are never followed, and a sealed folder holds none: ``sha256sum -c`` would
  follow a listed link and check whatever it points to, and an unlisted one would be a way to
  plant a file. So seal refuses a folder holding a symbolic link (or a FIFO, socket or
  device), naming it; replace it with a copy of its target, or remove it;
* a name that is not UTF-8, or not in Unicode NFC, is refused: the manifest holds NFC names,
  and ``sha256sum -c`` finds files by the exact bytes of their names;
* a folder with nothing to list is refused (``sha256sum --strict -c`` fails on an empty list);
* an already sealed folder (SHA256SUMS or SHA256SUMS.sig present) is refused with an
  :class:`~provenance.errors.Refused` (exit 1) unless ``force``, as ``sign_file`` refuses.

Atomicity. Every file is hashed, and both outputs are computed in memory, before anything is
written. Then: the new signature is written to a staged name (a hidden file beside it, by
:func:`~provenance.fsio.atomic_write`); the old pair, if any, is kept by hard links; the old
SHA256SUMS.sig is removed; SHA256SUMS is replaced atomically; the staged signature is renamed
into place. So at every instant the folder holds either the old pair, the old manifest alone,
the new manifest alone, or the new pair: never a signature beside a manifest it does not
sign, and never a half-written file. An exception or a full disk at any step puts the old pair
back (or removes the new manifest, on a first seal) and removes the staged files, so the
folder is left as it was. A power cut between the two renames can leave the new manifest
without its signature: ``provenance verify`` reports that as a missing signature, never as
a good one.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Callable, Iterator, Sized
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import InputError, OperationalError, Refused
from provenance.fsio import atomic_write, is_temp_name, remove_orphans_below
from provenance.keys import Signer
from provenance.manifest import MANIFEST_NAME, MAX_MANIFEST_SIZE, SIGNATURE_NAME, dump
from provenance.seals import seal_files
from provenance.sign import sign_bytes
from provenance.sshsig import DEFAULT_NAMESPACE, check_namespace
from provenance.tree import Kind, Scan, display_name, scan

#: How many offending paths a refusal names before it says "and N more".
_SHOWN = 5


@dataclass(frozen=True, slots=True)
class SealResult:
    """What :func:`seal_folder` wrote."""

    manifest_path: Path
    signature_path: Path
    #: How many files the manifest lists.
    files: int
    #: The signing key's fingerprint as ssh-keygen prints it: ``SHA256:...``.
    key_fingerprint: str
    namespace: str
    #: Whether an earlier seal was replaced (``force``).
    replaced: bool


def seal_folder(
    folder: str | os.PathLike[str],
    key: Signer,
    namespace: str = DEFAULT_NAMESPACE,
    force: bool = False,
    *,
    workers: int | None = None,
) -> SealResult:
    """Write ``folder/SHA256SUMS`` and ``folder/SHA256SUMS.sig``; see the module's docstring.

    ``workers`` threads hash the files (default: one; see :func:`provenance.tree.scan`).

    >>> seal_folder("issue-12", load_private_key("id_ed25519"))  # doctest: +SKIP
    SealResult(manifest_path=PosixPath('issue-12/SHA256SUMS'), ..., files=42, ...)
    """
    check_namespace(namespace)
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root} is not a folder" if root.exists() else f"{root}: no such folder")
    manifest_path = root / MANIFEST_NAME
    signature_path = root / SIGNATURE_NAME
    existing = [path for path in (manifest_path, signature_path) if os.path.lexists(path)]
    if existing and not force:
        raise Refused(
            f"{root} is already sealed ({existing[0].name} exists); refusing to seal it again",
            hint="use --force to replace the seal",
        )
    if any(path.is_symlink() or not path.is_file() for path in existing):
        raise InputError(f"{existing[0]} is not a regular file; refusing to replace it")
    with _folder_lock(root):
        _remove_leftovers(root)
        skip = _Unlisted(root)
        found = scan(root, skip=skip, workers=workers)
        if skip.temporary:
            # Left by writers killed mid-write (this seal's, a stamp's): never listed, and
            # removed unless a live writer still holds one, so the seal verifies clean.
            remove_orphans_below(root)
        _refuse_unsealable(root, found)
        manifest = dump((item.path, item.sha256) for item in found.files)
        if len(manifest) > MAX_MANIFEST_SIZE:
            # verify refuses a larger SHA256SUMS unread (bounded memory): never write one.
            raise InputError(
                f"cannot seal {root}: {len(found.files)} files make a SHA256SUMS of "
                f"{len(manifest) >> 20} MiB, more than the {MAX_MANIFEST_SIZE >> 20} MiB "
                "provenance verifies",
                hint="seal its subfolders one by one",
            )
        signature = sign_bytes(manifest, key, namespace).encode("ascii")
        _install(root, manifest, signature)
    return SealResult(
        manifest_path,
        signature_path,
        len(found.files),
        key.public.fingerprint,
        namespace,
        replaced=bool(existing),
    )


@contextlib.contextmanager
def _folder_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the folder: one seal of a folder at a time."""
    import fcntl

    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise OperationalError(f"cannot open {root}: {exc.strerror or exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


#: The names :func:`_install` gives its staged signature and its backups of the old pair.
_LEFTOVER = re.compile(r"\.(SHA256SUMS|SHA256SUMS\.sig)\.[0-9a-f]{12}\.(staged|old)")


def _remove_leftovers(root: Path) -> None:
    """Remove what a seal killed mid-way (SIGKILL, power cut) left: never part of a seal.

    Called under :func:`_folder_lock`, so no live seal of this folder owns them.
    """
    with os.scandir(root) as entries:
        leftovers = [e.name for e in entries if _LEFTOVER.fullmatch(e.name) and e.is_file()]
    for name in leftovers:
        with contextlib.suppress(OSError):
            os.unlink(root / name)


class _Unlisted:
    """The scan's ``skip``: the seal's own pair, and provenance's temporary files anywhere.

    A temporary file (:func:`~provenance.fsio.is_temp_name`) is either about to be renamed
    by a live writer or left by a dead one: listing it would make the seal fail as soon as
    it goes. Only regular files are left out on their name; a folder so named is walked.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        #: Whether a temporary file was left out.
        self.temporary = False

    def __call__(self, path: str) -> bool:
        if path in (MANIFEST_NAME, SIGNATURE_NAME):
            return True
        if not is_temp_name(path.rpartition("/")[2]):
            return False
        try:
            regular = stat.S_ISREG(os.lstat(self.root / path).st_mode)
        except OSError:
            return False  # The scan reports it, or no longer finds it.
        self.temporary = self.temporary or regular
        return regular


def _refuse_unsealable(root: Path, found: Scan) -> None:
    """Raise :class:`InputError` unless every path below ``root`` can be listed faithfully."""
    errors = found.of_kind(Kind.ERROR)
    if errors:
        first = errors[0]
        raise OperationalError(f"cannot seal {root}: {display_name(first.path)}: {first.detail}")
    # A folder named SHA256SUMS (or .sig) below would make verify take its parent for a
    # sealed folder whose seal is broken: what seal writes must verify.
    unlistable = [
        node
        for node in found.nodes
        if node.kind is not Kind.FOLDER or node.path.rpartition("/")[2] in seal_files("")
    ]
    if unlistable:
        shown = ", ".join(
            f"{display_name(node.path)} ({node.kind.value})" for node in unlistable[:_SHOWN]
        )
        raise InputError(
            f"cannot seal {root}: it holds what a manifest cannot list: {shown}{_more(unlistable)}",
            hint="a sealed folder holds regular files only: replace each link with a copy of "
            "its target, or remove it",
        )
    if not found.files:
        raise InputError(f"cannot seal {root}: it holds no files")
    badly_named = [item.path for item in found.files if _name_problem(item.path)]
    if badly_named:
        shown = ", ".join(
            f"{display_name(path)} ({_name_problem(path)})" for path in badly_named[:_SHOWN]
        )
        raise InputError(
            f"cannot seal {root}: names that SHA256SUMS cannot hold: {shown}{_more(badly_named)}",
            hint="rename them in UTF-8 NFC (e.g. `convmv -f utf-8 -t utf-8 --nfc -r --notest`)",
        )


def _more(items: Sized) -> str:
    return f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""


def _name_problem(path: str) -> str | None:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "not UTF-8"
    if unicodedata.normalize("NFC", path) != path:
        return "not in Unicode NFC"
    return None


def _install(root: Path, manifest: bytes, signature: bytes) -> None:
    """Put the new pair in place so that the folder is never left inconsistent (module doc)."""
    manifest_path = root / MANIFEST_NAME
    signature_path = root / SIGNATURE_NAME
    tag = secrets.token_hex(6)
    staged = root / f".{SIGNATURE_NAME}.{tag}.staged"
    old_manifest = root / f".{MANIFEST_NAME}.{tag}.old"
    old_signature = root / f".{SIGNATURE_NAME}.{tag}.old"
    undo: list[Callable[[], None]] = []
    try:
        # Registered first: atomic_write may fail after linking the staged name into place.
        undo.append(lambda: staged.unlink(missing_ok=True))
        atomic_write(staged, signature, overwrite=False)
        for current, backup in ((manifest_path, old_manifest), (signature_path, old_signature)):
            if os.path.lexists(current):
                _keep(current, backup, undo)
        if os.path.lexists(signature_path):
            # The old signature goes first, so it never sits beside a manifest it does not sign.
            _remove(signature_path)
        atomic_write(manifest_path, manifest)
        if not os.path.lexists(old_manifest):
            undo.append(lambda: manifest_path.unlink(missing_ok=True))
        _rename(staged, signature_path)
    except BaseException:
        for step in reversed(undo):
            with contextlib.suppress(OSError):
                step()
        raise
    for backup in (old_manifest, old_signature):
        with contextlib.suppress(OSError):
            backup.unlink(missing_ok=True)


def _keep(current: Path, backup: Path, undo: list[Callable[[], None]]) -> None:
    """Hard-link ``current`` to ``backup`` and register putting it back on failure."""
    try:
        os.link(current, backup)
    except OSError as exc:
        raise OperationalError(f"cannot keep a copy of {current}: {exc.strerror or exc}") from exc

    def restore() -> None:
        # rename() between two links to one file does nothing, so an untouched original
        # would keep its backup link forever: drop the link instead.
        try:
            untouched = os.path.samestat(os.lstat(backup), os.lstat(current))
        except FileNotFoundError:
            untouched = False
        if untouched:
            os.unlink(backup)
            return
        try:
            os.replace(backup, current)
        except OSError:
            # The disk that failed the seal may fail this rename too: a link needs no
            # rename, and leaves no backup beside the restored file.
            os.link(backup, current)
            os.unlink(backup)

    undo.append(restore)


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError as exc:
        raise OperationalError(f"cannot remove {path}: {exc.strerror or exc}") from exc


def _rename(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as exc:
        raise OperationalError(f"cannot write {target}: {exc.strerror or exc}") from exc


__all__ = ["SealResult", "seal_folder"]
