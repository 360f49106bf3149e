"""What a path is, and which files are articles: the one place that decides both.

Two questions were answered in several places, and the answers drifted apart:

* **Which recipe checks a path** (:func:`kind_of`): a plain file, a folder, a sealed folder,
  a BagIt bag or an archive. A folder is sealed (or a bag) by the one rule of
  :mod:`provenance.seals` (an entry named ``SHA256SUMS``, or ``bagit.txt``, of *any* kind),
  so a manifest replaced by a folder or a dangling link leaves a broken seal, never a plain
  folder checked for footers only.
* **Which files are articles** (:class:`Selector`): the files whose footer is checked. A
  folder walk takes them; a sealed folder and an archive hash every file, and check the
  footers of the articles among them. The same ``--include``/``--exclude`` globs
  (:mod:`provenance.globs`, gitignore rules) apply to all three; in a sealed folder or a
  sealed archive a file that is not an article is still held to the manifest.
* **What a seal does not list, because ``--exclude`` left it out** (:meth:`Selector.leaves_out`):
  ``seal --exclude`` leaves paths out of SHA256SUMS, so the same patterns given to ``verify``
  stop those paths from being reported as ``unlisted``; a listed path is checked whatever the
  patterns say (SPEC §9).

By default an article is a ``.txt`` or ``.md`` file or one without a suffix, never a hidden
file or one in a hidden folder, never a ``SHA256SUMS``, a ``*.sig`` or a ``*.prov`` (they are
a seal's, a signature's and a provenance record's, not articles: :func:`entry_kind` says which).
``--include`` replaces the suffix rule; ``--exclude`` leaves files (and whole folders) out.

This module stays light: a plain ``provenance verify`` asks it about every file it walks.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Sequence
from enum import StrEnum

from provenance.model import EntryKind
from provenance.seals import MANIFESTS, SIGNATURE_SUFFIX, is_bag, is_sealed, marks_seal

#: Suffixes of the files taken as articles by default (plus files with no suffix).
DEFAULT_SUFFIXES = (".txt", ".md")
# SIGNATURE_SUFFIX (".sig", SPEC.md §8) is defined beside the seals' names, and exported here.
#: Appended to an article's name to name its provenance record (SPEC.md §12).
RECORD_SUFFIX = ".prov"
#: Names never taken as articles: manifests, signatures and provenance records are not
#: articles, under any selection.
NEVER_ARTICLES = (*MANIFESTS.values(), "*" + SIGNATURE_SUFFIX, "*" + RECORD_SUFFIX)
# The patterns as one expression: a walk asks about every file name, and one match costs a
# seventh of a fnmatchcase per pattern.
_NEVER_ARTICLE = re.compile("|".join(map(fnmatch.translate, NEVER_ARTICLES)))

#: The archive formats by file name (lowercase): the name chooses how the file is read.
ARCHIVE_FORMATS = {
    ".tar": "tar",
    ".tar.gz": "gzip",
    ".tgz": "gzip",
    ".tar.xz": "xz",
    ".txz": "xz",
    ".tar.bz2": "bzip2",
    ".tbz2": "bzip2",
    ".zip": "zip",
}
#: File names taken for archives (lowercase).
ARCHIVE_SUFFIXES = tuple(ARCHIVE_FORMATS)


class PathKind(StrEnum):
    """Which recipe checks a path named on the command line."""

    #: Any path that is not one of the others, a FIFO or a dangling link included: the
    #: footer check opens it (and refuses what is not a regular file).
    FILE = "file"
    FOLDER = "folder"
    #: A folder holding a ``SHA256SUMS`` entry of any kind (:func:`provenance.seals.is_sealed`).
    SEALED = "sealed folder"
    #: A folder holding a ``bagit.txt`` entry of any kind (:func:`provenance.seals.is_bag`),
    #: named as a path to check: a bag met inside a walked folder is walked as a folder.
    BAG = "bag"
    #: A regular file named like an archive (:data:`ARCHIVE_SUFFIXES`).
    ARCHIVE = "archive"


def kind_of(path: str | os.PathLike[str]) -> PathKind:
    """Which recipe checks ``path``. A link the user named is followed, as a shell would.

    A folder holding both ``bagit.txt`` and ``SHA256SUMS`` is a bag: the bag's check then
    fails on the SHA256SUMS it does not list, where a seal's would pass over bagit.txt's
    claims unread.

    >>> kind_of("fixtures/articles/good"), kind_of("no-such.tar.gz")
    (<PathKind.FOLDER: 'folder'>, <PathKind.FILE: 'file'>)
    """
    if os.path.isdir(path):
        if is_bag(path):
            return PathKind.BAG
        return PathKind.SEALED if is_sealed(path) else PathKind.FOLDER
    if archive_format(path) is not None and os.path.isfile(path):
        return PathKind.ARCHIVE
    return PathKind.FILE


def archive_format(path: str | os.PathLike[str]) -> str | None:
    """How a file named ``path`` is read: ``"tar"``, ``"gzip"``, ``"xz"``, ``"bzip2"`` (a tar
    compressed so) or ``"zip"``; ``None`` for a name that is not an archive's.

    >>> archive_format("issue-12.TGZ"), archive_format("issue-12.tar.gz.sig")
    ('gzip', None)
    """
    name = os.fspath(path).lower()
    return next((kind for suffix, kind in ARCHIVE_FORMATS.items() if name.endswith(suffix)), None)


def never_article(name: str) -> bool:
    """Whether a file name is one never taken as an article (:data:`NEVER_ARTICLES`).

    >>> never_article("SHA256SUMS"), never_article("a.txt.sig"), never_article("a.txt")
    (True, True, False)
    """
    return _NEVER_ARTICLE.match(name) is not None


def entry_kind(name: str) -> EntryKind:
    """What a file that is not an article is, by its name (or path): a seal's manifest, a
    signature, a provenance record, or anything else. A walk, a sealed folder and an
    archive all ask this.

    >>> [entry_kind(n).value for n in ("pkg/SHA256SUMS", "a.txt.sig", "a.txt.prov", "p.png")]
    ['manifest', 'signature', 'record', 'other']
    """
    name = name.rpartition("/")[2]
    if marks_seal(name):
        return EntryKind.MANIFEST
    if name.endswith(SIGNATURE_SUFFIX):
        return EntryKind.SIGNATURE
    if name.endswith(RECORD_SUFFIX):
        return EntryKind.RECORD
    return EntryKind.OTHER


class Selector:
    """Which files are articles, with the globs compiled once.

    Paths are relative POSIX paths from the top: the folder named on the command line, the
    archive's root. Raises :class:`~provenance.errors.InputError` for a glob that can never
    match (:func:`provenance.globs.compile_globs`).

    >>> select = Selector(exclude=("drafts/",))
    >>> select.is_article("a.txt"), select.is_article("x/drafts/b.txt"), select.is_article("a.png")
    (True, False, False)
    """

    __slots__ = ("exclude", "include")

    def __init__(self, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> None:
        from provenance.globs import compile_globs

        self.exclude = compile_globs(exclude, "--exclude")
        self.include = compile_globs(include, "--include")

    def wanted(self, name: str, relative: str) -> bool:
        """Whether the file ``name`` at ``relative`` is an article, once a walk reached it.

        The folders on the way and hidden names are the walk's to judge (:meth:`enters`);
        :meth:`is_article` asks every question at once.
        """
        if (self.exclude is not None and self.exclude(relative, False)) or never_article(name):
            return False
        if self.include is not None:
            return self.include(relative, False)
        # For a name that does not start with a dot, os.path.splitext's suffix is one of
        # DEFAULT_SUFFIXES exactly when the name ends with it, and empty exactly when the
        # name has no dot.
        return name.endswith(DEFAULT_SUFFIXES) or "." not in name

    def enters(self, relative: str) -> bool:
        """Whether the folder at ``relative`` is one a walk goes into."""
        return self.exclude is None or not self.exclude(relative, True)

    def takes(self, relative: str, *, is_folder: bool = False) -> bool:
        """Whether a walk from the top would reach and take ``relative`` (a ``/`` path).

        Every folder on the way must be one the walk enters, and no part may be hidden; a
        file must then be :meth:`wanted`, a folder entered. This is what ``--force-exclude``
        and ``--staged`` hold named files to, and what makes a file of a sealed folder or an
        archive an article.
        """
        parts = relative.split("/")
        if any(not part or part.startswith(".") for part in parts):
            return False
        if self._excluded_on_the_way(parts):
            return False
        if is_folder:
            return self.enters(relative)
        return self.wanted(parts[-1], relative)

    def leaves_out(self, relative: str) -> bool:
        """Whether ``--exclude`` leaves the file at ``relative`` out of a seal: the file, or
        a folder on its way, matches (relative to the sealed folder, as ``seal --exclude``
        matched them). Hidden files are left out only by a pattern, as ``seal`` does.

        A sealed folder does not report such a path as ``unlisted`` when its manifest does
        not list it (SPEC §9); one it lists is checked whatever the patterns say.

        >>> select = Selector(exclude=(".git/", "*.log"))
        >>> select.leaves_out(".git/config"), select.leaves_out("a.log"), select.leaves_out("a.txt")
        (True, True, False)
        """
        if self.exclude is None:
            return False
        return self._excluded_on_the_way(relative.split("/")) or self.exclude(relative, False)

    def _excluded_on_the_way(self, parts: Sequence[str]) -> bool:
        """Whether ``--exclude`` leaves out a folder on the way to the path of ``parts``."""
        if self.exclude is None:
            return False
        return any(not self.enters("/".join(parts[:depth])) for depth in range(1, len(parts)))

    def is_article(self, relative: str) -> bool:
        """Whether the file at ``relative`` is an article: its footer is checked."""
        return self.takes(relative)

    def below(self, prefix: str) -> Callable[[str], bool]:
        """:meth:`is_article` for paths relative to the folder ``prefix`` (``"pkg/"``).

        A sealed folder met in a walk checks its files by paths relative to itself, while
        the globs were written relative to the folder the walk started from.
        """
        if not prefix:
            return self.is_article
        return lambda relative: self.takes(prefix + relative)


#: The default selection: no globs.
DEFAULT = Selector()


def default_is_article(path: str) -> bool:
    """Whether a relative path names an article by default (no ``--include``/``--exclude``).

    >>> default_is_article("docs/a.txt"), default_is_article("a.txt.sig")
    (True, False)
    """
    return DEFAULT.takes(path)


__all__ = [
    "ARCHIVE_FORMATS",
    "ARCHIVE_SUFFIXES",
    "DEFAULT",
    "DEFAULT_SUFFIXES",
    "NEVER_ARTICLES",
    "RECORD_SUFFIX",
    "SIGNATURE_SUFFIX",
    "PathKind",
    "Selector",
    "archive_format",
    "default_is_article",
    "entry_kind",
    "kind_of",
    "never_article",
]
