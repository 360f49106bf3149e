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

Choices (issue 18 item 6). ``exclude`` (a :mod:`provenance.globs` matcher, gitignore rules)
leaves paths out of the manifest: they are never read, and a link or FIFO among them is not
refused. Nothing is left out by default, hidden files and ``.git`` included: ``verify``
reports every file a seal does not list as ``unlisted``, and hidden files are where a planted
file does harm (``.git/hooks``, ``.git/config``); a default that left them out would either
fail every default seal of a git checkout or make ``verify`` look away there. So whoever
leaves paths out says so twice: ``seal --exclude .git/`` and ``verify --exclude .git/`` (or
``exclude`` in ``[tool.provenance]``), and ``verify`` then stops reporting those paths as
``unlisted`` (a listed path is checked whatever the patterns say).

``update`` re-seals a sealed folder after files were added, changed or removed: the old
seal is checked first (its SHA256SUMS.sig good under ``policy``, by default the signing
key itself; its SHA256SUMS without a malformed line), and a seal that does not verify is
refused unless ``force``. :attr:`SealResult.changes` then says what changed against the old
manifest. A folder whose files did not change is left untouched.

:func:`bag_folder` makes a BagIt bag instead (``seal --bagit``); see its docstring.

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
import hashlib
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Callable, Iterator, Sized
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from provenance.errors import InputError, OperationalError, Refused
from provenance.fsio import atomic_write, is_temp_name, remove_orphans_below
from provenance.keys import Signer
from provenance.manifest import MANIFEST_NAME, MAX_MANIFEST_SIZE, SIGNATURE_NAME, dump
from provenance.manifest import parse as parse_manifest
from provenance.model import SignatureVerdict
from provenance.seals import is_bag, seal_files
from provenance.sign import sign_bytes
from provenance.sshsig import DEFAULT_NAMESPACE, check_namespace
from provenance.tree import Kind, Scan, display_name, scan

#: A seal's own files at its top: never listed in the manifest it writes.
_OWN_FILES = frozenset(seal_files(""))

if TYPE_CHECKING:
    from provenance.allowed_signers import TrustPolicy
    from provenance.globs import Matcher

#: How many offending paths a refusal names before it says "and N more".
_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Changes:
    """What a re-seal changed against the old manifest (paths, sorted)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


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
    #: Whether an earlier seal was replaced (``force`` or ``update``).
    replaced: bool
    #: With ``update``: what changed against the old manifest (empty: nothing was written).
    changes: Changes | None = None


def seal_folder(
    folder: str | os.PathLike[str],
    key: Signer,
    namespace: str = DEFAULT_NAMESPACE,
    force: bool = False,
    *,
    workers: int | None = None,
    exclude: Matcher | None = None,
    update: bool = False,
    policy: TrustPolicy | None = None,
) -> SealResult:
    """Write ``folder/SHA256SUMS`` and ``folder/SHA256SUMS.sig``; see the module's docstring.

    ``workers`` threads hash the files (default: one; see :func:`provenance.tree.scan`).
    ``exclude`` leaves matching paths out; ``update`` re-seals a sealed folder whose old
    seal verifies under ``policy`` (default: the signing key), unless ``force``.

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
    if update and not os.path.lexists(manifest_path):
        raise InputError(f"{root} is not sealed: there is no {MANIFEST_NAME} to update")
    if existing and not (force or update):
        raise Refused(
            f"{root} is already sealed ({existing[0].name} exists); refusing to seal it again",
            hint="use --force to replace the seal",
        )
    if any(path.is_symlink() or not path.is_file() for path in existing):
        raise InputError(f"{existing[0]} is not a regular file; refusing to replace it")
    with _folder_lock(root):
        _remove_leftovers(root)
        old = _old_manifest(root, key, namespace, policy, force) if update else None
        skip = _Unlisted(root, exclude)
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
        changes = _changes(old, found) if old is not None else None
        # An update that changes nothing leaves the good seal as it is.
        write = changes is None or bool(changes) or old != manifest
        if write:
            signature = sign_bytes(manifest, key, namespace).encode("ascii")
            _install(root, manifest, signature)
    return SealResult(
        manifest_path,
        signature_path,
        len(found.files),
        key.public.fingerprint,
        namespace,
        replaced=write and bool(existing),
        changes=changes,
    )


def _old_manifest(
    root: Path, key: Signer, namespace: str, policy: TrustPolicy | None, force: bool
) -> bytes:
    """The old SHA256SUMS's bytes, once its seal is found to verify (or ``force``).

    Re-sealing signs whatever the folder holds now: done over a seal that does not verify,
    it would launder a tampered folder into a freshly signed one. So the old seal must be
    good first: its signature under ``policy`` (the signing key when none is given), and
    its manifest without a malformed line.
    """
    from provenance.allowed_signers import TrustedKey
    from provenance.fsio import read_limited
    from provenance.sign import check_signature
    from provenance.sshsig import MAX_ARMORED_SIZE

    def read(path: Path, limit: int) -> bytes:
        try:
            return read_limited(path, limit, follow_symlinks=False)
        except OSError as exc:
            raise Refused(
                f"cannot update the seal of {root}: {path.name}: {exc.strerror or exc}",
                hint="use --force to seal it afresh",
            ) from exc

    if force:
        try:
            return read(root / MANIFEST_NAME, MAX_MANIFEST_SIZE)
        except Refused:
            # Sealed afresh whatever the old seal holds: its manifest only says what changed.
            return b""
    manifest = read(root / MANIFEST_NAME, MAX_MANIFEST_SIZE)
    signature = (
        read(root / SIGNATURE_NAME, MAX_ARMORED_SIZE)
        if os.path.lexists(root / SIGNATURE_NAME)
        else None
    )
    trust = policy if policy is not None else TrustedKey(key.public, "the signing key")
    if signature is None:
        why = f"{SIGNATURE_NAME} is missing"
    else:
        checked = check_signature(manifest, signature, trust, namespace)
        why = (
            ""
            if checked.verdict is SignatureVerdict.GOOD
            else f"{SIGNATURE_NAME}: {checked.detail}"
        )
    problems = parse_manifest(manifest).problems
    if not why and problems:
        why = f"{MANIFEST_NAME} line {problems[0].line}: {problems[0].reason}"
    if why:
        raise Refused(
            f"cannot update the seal of {root}: the old seal does not verify ({why})",
            hint="check it with `provenance verify`; use --force to seal it afresh",
        )
    return manifest


def _changes(old: bytes, found: Scan) -> Changes:
    """What ``found`` adds, removes and changes against the manifest ``old``."""
    before = {entry.path: entry.digest for entry in parse_manifest(old)}
    after = {item.path: item.sha256 for item in found.files}
    return Changes(
        added=tuple(sorted(after.keys() - before.keys())),
        removed=tuple(sorted(before.keys() - after.keys())),
        changed=tuple(sorted(p for p in after.keys() & before.keys() if after[p] != before[p])),
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

    def __init__(self, root: Path, exclude: Matcher | None = None, *, own: bool = True) -> None:
        self.root = root
        self.exclude = exclude
        #: Whether the top-level manifests and .sig files are left out (a seal's own files).
        self.own = own
        #: Whether a temporary file was left out.
        self.temporary = False

    def __call__(self, path: str) -> bool:
        # Every manifest and signature of the seal (a SHA512SUMS beside the SHA256SUMS this
        # writes is checked on its own: no manifest lists another, SPEC §9).
        if self.own and path in _OWN_FILES:
            return True
        if self.exclude is not None:
            try:
                folder = stat.S_ISDIR(os.lstat(self.root / path).st_mode)
            except OSError:
                folder = False
            if self.exclude(path, folder):
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


@dataclass(frozen=True, slots=True)
class BagResult:
    """What :func:`bag_folder` wrote."""

    folder: Path
    #: How many payload files the manifests list.
    files: int
    #: The algorithms of the manifests written (``manifest-<alg>.txt``, ``tagmanifest-...``).
    algorithms: tuple[str, ...]
    #: The tag manifest's signature, when a key was given; ``None`` otherwise.
    signature_path: Path | None
    key_fingerprint: str | None
    namespace: str


def bag_folder(
    folder: str | os.PathLike[str],
    key: Signer | None = None,
    namespace: str = DEFAULT_NAMESPACE,
    *,
    workers: int | None = None,
    today: date | None = None,
) -> BagResult:
    """Make ``folder`` a BagIt bag in place, as ``bagit.py`` does (``seal --bagit``).

    In place, because that is what archivists' tools do (``bagit.py DIR``, Bagger's "make
    bag in place") and because moving files by rename costs no copy and no second disk:
    every file and folder at the top moves into ``data/`` by one rename each, atomic per
    file, and nothing is ever copied. Then ``bagit.txt``, ``manifest-sha256.txt`` and
    ``manifest-sha512.txt``, ``bag-info.txt`` (Payload-Oxum, Bagging-Date) and
    ``tagmanifest-sha256.txt``/``-sha512.txt`` are written, each atomically; with a key,
    ``tagmanifest-sha256.txt.sig`` last. ``bagit.txt`` is written first, so a bagging cut
    short leaves a bag that fails its check rather than a folder that passes as plain; one
    cut during the moves leaves the files in a hidden ``.bagit-payload.XXXXXXXXXXXX`` folder,
    to be moved back by hand.

    The folder is read before anything moves and refused whole (nothing written or moved),
    as :func:`seal_folder` refuses, when it holds a link, a FIFO or a name that is not UTF-8
    NFC, holds no file, or is a bag already.
    """
    from provenance import bagit

    check_namespace(namespace)
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root} is not a folder" if root.exists() else f"{root}: no such folder")
    if is_bag(root):
        raise Refused(f"{root} is a bag already ({bagit.DECLARATION} exists); refusing to bag it")
    with _folder_lock(root):
        found = scan(root, skip=_Unlisted(root, own=False), workers=workers, also=("sha512",))
        _refuse_unsealable(root, found)
        payload = [(bagit.PAYLOAD + item.path, item) for item in found.files]
        manifests = {
            "manifest-sha256.txt": bagit.dump_manifest((p, i.sha256) for p, i in payload),
            "manifest-sha512.txt": bagit.dump_manifest((p, i.others[0]) for p, i in payload),
        }
        if max(map(len, manifests.values())) > MAX_MANIFEST_SIZE:
            raise InputError(
                f"cannot bag {root}: {len(payload)} files make a manifest larger than the "
                f"{MAX_MANIFEST_SIZE >> 20} MiB provenance verifies",
                hint="bag its subfolders one by one",
            )
        octets, count = bagit.oxum_of(item._replace(path=p) for p, item in payload)
        from provenance import __version__

        tags = {
            bagit.DECLARATION: bagit.dump_declaration(),
            **manifests,
            bagit.BAG_INFO: bagit.dump_bag_info(
                [
                    ("Bag-Software-Agent", f"provenance {__version__}"),
                    ("Bagging-Date", (today or date.today()).isoformat()),
                    ("Payload-Oxum", f"{octets}.{count}"),
                ]
            ),
        }
        tag_manifests = {
            f"tagmanifest-{name}.txt": bagit.dump_manifest(
                (path, hashlib.new(name, data).hexdigest()) for path, data in tags.items()
            )
            for name in bagit.WRITTEN_ALGORITHMS
        }
        signature = (
            sign_bytes(tag_manifests[bagit.SIGNED_MANIFEST], key, namespace).encode("ascii")
            if key is not None
            else None
        )
        _move_into_payload(root)
        for name, data in {**tags, **tag_manifests}.items():
            atomic_write(root / name, data, overwrite=False)
        if signature is not None:
            atomic_write(root / bagit.SIGNATURE_NAME, signature, overwrite=False)
    return BagResult(
        folder=root,
        files=len(payload),
        algorithms=bagit.WRITTEN_ALGORITHMS,
        signature_path=root / bagit.SIGNATURE_NAME if key is not None else None,
        key_fingerprint=key.public.fingerprint if key is not None else None,
        namespace=namespace,
    )


def _move_into_payload(root: Path) -> None:
    """Move everything at the top of ``root`` into ``root/data``, one rename per entry.

    The entries go into a hidden staging folder first, which is then renamed ``data``: a
    top-level entry named ``data`` moves like any other. A failure moves back what moved.
    """
    staging = root / f".bagit-payload.{secrets.token_hex(6)}"
    try:
        staging.mkdir()
    except OSError as exc:
        raise OperationalError(f"cannot write in {root}: {exc.strerror or exc}") from exc
    moved: list[str] = []
    try:
        for name in sorted(os.listdir(root)):
            if name == staging.name:
                continue
            os.rename(root / name, staging / name)
            moved.append(name)
        os.rename(staging, root / "data")
    except OSError as exc:
        for name in reversed(moved):
            with contextlib.suppress(OSError):
                os.rename(staging / name, root / name)
        with contextlib.suppress(OSError):
            staging.rmdir()
        raise OperationalError(f"cannot move the files of {root} into data/: {exc}") from exc


__all__ = ["BagResult", "Changes", "SealResult", "bag_folder", "seal_folder"]
