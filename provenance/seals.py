"""Where seals are: the one rule that makes a folder sealed, on disk, in a walk, in an archive.

A folder is sealed when it holds an entry named ``SHA256SUMS`` or ``SHA512SUMS``, *whatever
that entry is*: a regular file, a folder, a symbolic link (dangling or not), a FIFO. Only the
name counts. So a manifest replaced by a folder or a link never turns a sealed folder back
into a plain one, which would be checked for footers only and pass: it stays sealed, and its
seal fails (``SHA256SUMS`` unreadable). A folder holding both is sealed by both: each is
checked, each with its own signature beside it (:func:`seal_manifests`). Every caller asks here: :func:`is_sealed` for a folder on disk,
:func:`marks_seal` for a name in a listing, :func:`seal_of` for a relative path found by a walk
or read from an archive, and :class:`Nearest` for which seal a path belongs to.

This module stays tiny and imports nothing heavy: a plain ``provenance verify`` asks it about
every folder it walks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

#: The manifest's name (what ``seal`` writes); its presence, in any form, makes a folder sealed.
MANIFEST_NAME = "SHA256SUMS"
#: The detached SSHSIG signature of the manifest's bytes, beside it.
SIGNATURE_NAME = "SHA256SUMS.sig"
#: Every manifest that seals a folder, by the algorithm its digests are in: ``sha256sum`` and
#: ``sha512sum`` (GNU or ``--tag``) outputs under their conventional names.
MANIFESTS = {"sha256": MANIFEST_NAME, "sha512": "SHA512SUMS"}
#: A manifest's detached signature is its name and this.
SIGNATURE_SUFFIX = ".sig"
#: A BagIt bag's declaration (RFC 8493); its presence, in any form, makes a folder a bag.
BAG_DECLARATION = "bagit.txt"


def marks_seal(name: str) -> bool:
    """Whether an entry called ``name`` makes the folder holding it sealed.

    >>> marks_seal("SHA256SUMS"), marks_seal("SHA512SUMS"), marks_seal("SHA256SUMS.sig")
    (True, True, False)
    >>> marks_seal("sha256sums")
    False
    """
    return name in _MANIFEST_NAMES


def is_sealed(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` is a folder holding a ``SHA256SUMS`` or ``SHA512SUMS`` entry of any kind.

    A dangling link, a folder or a FIFO named SHA256SUMS counts: it is never followed or
    opened here (``lexists``), and the seal check then reports it unreadable.
    """
    return os.path.isdir(folder) and any(
        os.path.lexists(os.path.join(folder, name)) for name in _MANIFEST_NAMES
    )


def is_bag(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` is a folder holding a ``bagit.txt`` entry of any kind.

    As for SHA256SUMS, only the name counts: a bagit.txt replaced by a folder or a link keeps
    the folder a bag, whose check then fails, rather than turning it into a plain folder
    checked for footers alone.
    """
    return os.path.isdir(folder) and os.path.lexists(os.path.join(folder, BAG_DECLARATION))


def seal_of(path: str) -> str | None:
    """The sealed folder that the relative POSIX ``path`` marks, as a prefix, or ``None``.

    The prefix is ``""`` for the top and ``"a/b/"`` below it, so that a path inside the
    folder starts with it.

    >>> seal_of("SHA256SUMS"), seal_of("a/b/SHA256SUMS"), seal_of("a/SHA256SUMS.sig")
    ('', 'a/b/', None)
    """
    folder, _, name = path.rpartition("/")
    if not marks_seal(name):
        return None
    return f"{folder}/" if folder else ""


def seal_files(prefix: str) -> tuple[str, ...]:
    """The files a seal at ``prefix`` may be made of: each manifest and its signature.

    >>> seal_files("pkg/")
    ('pkg/SHA256SUMS', 'pkg/SHA256SUMS.sig', 'pkg/SHA512SUMS', 'pkg/SHA512SUMS.sig')
    """
    return tuple(name for _, *files in seal_manifests(prefix) for name in files)


def seal_manifests(prefix: str) -> tuple[tuple[str, str, str], ...]:
    """Each manifest a seal at ``prefix`` may have: its algorithm, its path, its signature's.

    >>> seal_manifests("")[1]
    ('sha512', 'SHA512SUMS', 'SHA512SUMS.sig')
    """
    return tuple(
        (algorithm, prefix + name, prefix + name + SIGNATURE_SUFFIX)
        for algorithm, name in MANIFESTS.items()
    )


_MANIFEST_NAMES = frozenset(MANIFESTS.values())


class Nearest:
    """Which sealed folder a relative path belongs to: the nearest one that encloses it.

    A seal's own manifests and signatures belong to the seal *above* it (which lists them,
    when it was made after the inner one), or to none.

    >>> nearest = Nearest(["", "pkg/"])
    >>> nearest.of("a.txt"), nearest.of("pkg/a.txt"), nearest.of("pkg/SHA256SUMS")
    ('', 'pkg/', '')
    >>> Nearest(["pkg/"]).of("extra.txt") is None
    True
    """

    __slots__ = ("_folders", "_seals")

    def __init__(self, seals: Iterable[str]) -> None:
        self._seals = frozenset(seals)
        # The answer for each folder prefix, computed once: a walk of a deep tree asks about
        # thousands of paths in thousands of folders, and each answer walks up one level.
        self._folders: dict[str, str | None] = {}

    def of(self, path: str) -> str | None:
        """The prefix of the seal that owns ``path``, or ``None`` when no seal encloses it."""
        folder, _, name = path.rpartition("/")
        prefix = f"{folder}/" if folder else ""
        if prefix in self._seals and name in seal_files(""):
            return self.above(prefix)
        return self.folder(prefix)

    def above(self, prefix: str) -> str | None:
        """The seal enclosing the folder ``prefix`` (``"a/b/"``) strictly, or ``None``."""
        if not prefix:
            return None
        parent = prefix[:-1].rpartition("/")[0]
        return self.folder(f"{parent}/" if parent else "")

    def folder(self, prefix: str) -> str | None:
        """The nearest seal at or above the folder ``prefix`` (``""`` is the top)."""
        # Iterative: a tree thousands of folders deep must not exhaust the stack.
        pending: list[str] = []
        found: str | None = None
        current: str | None = prefix
        while current is not None:
            if current in self._folders:
                found = self._folders[current]
                break
            if current in self._seals:
                found = current
                self._folders[current] = current
                break
            pending.append(current)
            if not current:
                break
            parent = current[:-1].rpartition("/")[0]
            current = f"{parent}/" if parent else ""
        for folder in pending:
            self._folders[folder] = found
        return found


__all__ = [
    "BAG_DECLARATION",
    "MANIFESTS",
    "MANIFEST_NAME",
    "SIGNATURE_NAME",
    "Nearest",
    "is_bag",
    "is_sealed",
    "marks_seal",
    "seal_files",
    "seal_manifests",
    "seal_of",
]
