"""Walk a folder without ever following a symbolic link, and hash its files on a thread pool.

The walk goes down with ``openat``-style calls: every folder is opened relative to its parent's
descriptor with ``O_NOFOLLOW | O_DIRECTORY``, and every file relative to its folder's descriptor
with ``O_NOFOLLOW | O_NONBLOCK``, then checked with ``fstat`` to be a regular file. So a folder
or file swapped for a symbolic link (or a FIFO) between the listing and the open is never
followed (or blocked on): it is reported, not read. Only the top folder, which the user named,
may itself be reached through a link.

Each file is read once, in 1 MiB blocks, and hashed with SHA-256 as it is read; the caller may
ask to keep the bytes of some files (articles, up to a size limit) and to inspect them on the
same thread, so that the footer verdict is computed on exactly the bytes that were hashed.
``hashlib`` and ``read`` release the GIL, so worker threads use every core for large files;
the walk itself stays on the calling thread, in sorted order.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from provenance.errors import InputError, OperationalError
from provenance.fsio import BLOCK_SIZE, special_kind

#: Folders are opened like this: never through a link, never as a controlling terminal.
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
#: Files are opened like this: O_NONBLOCK so a FIFO swapped in at the last moment cannot hang us.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
#: At most this many batches (each holding a folder descriptor) are queued at a time.
_IN_FLIGHT = 64

#: What the caller runs on a kept file's bytes (on a worker thread): ``(path, data) -> Result``.
#: What a walk asks of a kept file's bytes: a Result, or a stand-in for one (see sealed.py).
Inspect = Callable[[str, bytes], object]


class Kind(StrEnum):
    """What a walk found at a path, other than a regular file.

    The special kinds' values are :func:`provenance.fsio.special_kind`'s words.
    """

    FOLDER = "folder"
    SYMLINK = "symbolic link"
    FIFO = "FIFO"
    SOCKET = "socket"
    DEVICE = "device file"
    OTHER = "special file"
    #: Could not be listed or opened; ``detail`` says why.
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Node:
    """A path the walk found that is not a regular file it could read."""

    path: str
    kind: Kind
    #: The link's target for a symbolic link; the error for ``ERROR``.
    detail: str = ""


class FileDigest(NamedTuple):
    """A regular file, read once: its SHA-256 and, when asked for, what ``inspect`` said.

    A named tuple rather than a frozen dataclass: a walk makes one per file, and a frozen
    dataclass's ``__init__`` costs several times as much (100,000 files, a tenth of a second).
    """

    path: str
    sha256: str
    size: int
    #: What ``inspect`` gave for the file's bytes (a Result, or a stand-in), when they were kept.
    inspected: object = None
    #: Set when the file was too large to keep (``size`` > ``keep_limit``).
    too_large: bool = False
    #: The hex digests of the ``also`` algorithms :func:`scan` was asked for, in order.
    others: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scan:
    """Everything under a folder, sorted by path: regular files, and the rest."""

    files: tuple[FileDigest, ...]
    nodes: tuple[Node, ...] = field(default=())

    def of_kind(self, *kinds: Kind) -> tuple[Node, ...]:
        """The nodes of the given kinds."""
        return tuple(node for node in self.nodes if node.kind in kinds)


def display_name(path: str) -> str:
    """A path that is safe to print and to put in JSON: undecodable bytes as ``\\xNN``.

    >>> display_name("caf\\udce9.txt")
    'caf\\\\xe9.txt'
    """
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def scan(
    root: str | os.PathLike[str],
    *,
    keep: Callable[[str], bool] | None = None,
    inspect: Inspect | None = None,
    keep_limit: int | Callable[[str], int] = 256 << 20,
    skip: Callable[[str], bool] | None = None,
    workers: int | None = None,
    also: tuple[str, ...] = (),
) -> Scan:
    """Walk ``root`` (sorted, never following links) and hash every regular file once.

    ``keep(path)`` chooses the files whose bytes (up to ``keep_limit``, a number of bytes or a
    function of the path) are given to ``inspect(path, data)``; ``skip(path)`` leaves a path out entirely (e.g. the manifest).
    Paths are relative POSIX paths; names that are not UTF-8 keep their bytes as surrogates.
    ``workers`` threads hash and inspect (default one, beside the thread that walks).
    ``also`` names more :mod:`hashlib` algorithms computed in the same read (a BagIt bag's
    ``manifest-sha512.txt``): their digests are each file's ``others``.

    Raises :class:`~provenance.errors.InputError` when ``root`` is not a folder; everything
    below it that cannot be read becomes a :class:`Node` of kind ``ERROR``.

    >>> [f.path for f in scan("sealed").files]  # doctest: +SKIP
    ['a.txt', 'docs/b.txt']
    """
    try:
        root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError as exc:
        raise InputError(f"{os.fspath(root)}: no such folder") from exc
    except NotADirectoryError as exc:
        raise InputError(f"{os.fspath(root)} is not a folder") from exc
    except OSError as exc:
        raise OperationalError(f"cannot open {os.fspath(root)}: {exc.strerror or exc}") from exc
    # One hashing thread beside the walking one by default: hashing lets go of the GIL, but
    # the Python around each file holds it, and with many small files more threads only
    # fight for it (docs/performance.md: more threads made many small files slower, and large
    # files no faster).
    count = workers if workers is not None else 1
    try:
        with ThreadPoolExecutor(max_workers=max(1, count)) as pool:
            hasher = _Hasher(pool, keep, inspect, keep_limit, also)
            nodes = _walk(root_fd, hasher, skip)
            files, errors = hasher.collect()
    finally:
        os.close(root_fd)
    nodes.extend(errors)
    files.sort(key=lambda item: item.path)
    nodes.sort(key=lambda item: item.path)
    return Scan(tuple(files), tuple(nodes))


#: Files of one folder are handed to a worker in batches of this many.
_BATCH = 64


class _Hasher:
    """Hashes batches of files of one folder on a pool; bounds how many batches are queued.

    Each batch carries its own duplicate of the folder's descriptor, so the worker opens the
    files relative to the very folder the walk listed (never by a path from the top).
    """

    def __init__(
        self,
        pool: ThreadPoolExecutor,
        keep: Callable[[str], bool] | None,
        inspect: Inspect | None,
        limit: int | Callable[[str], int],
        also: tuple[str, ...] = (),
    ) -> None:
        self.also = also
        self.pool = pool
        self.keep = keep
        self.inspect = inspect
        self.limit = limit
        self.slots = threading.BoundedSemaphore(_IN_FLIGHT)
        self.futures: list[Future[list[FileDigest | Node]]] = []

    def submit(self, dir_fd: int, prefix: str, names: list[str]) -> None:
        """Queue the files ``names`` of the folder ``dir_fd`` (whose path is ``prefix``)."""
        for start in range(0, len(names), _BATCH):
            batch = names[start : start + _BATCH]
            self.slots.acquire()
            try:
                own_fd = os.dup(dir_fd)
                try:
                    future = self.pool.submit(self.hash_batch, own_fd, prefix, batch)
                except BaseException:
                    os.close(own_fd)
                    raise
            except BaseException:
                self.slots.release()
                raise
            future.add_done_callback(lambda _: self.slots.release())
            self.futures.append(future)

    def collect(self) -> tuple[list[FileDigest], list[Node]]:
        """Wait for every batch; the digests, and the files that could not be read."""
        files: list[FileDigest] = []
        errors: list[Node] = []
        for future in self.futures:
            for outcome in future.result():
                if isinstance(outcome, Node):
                    errors.append(outcome)
                else:
                    files.append(outcome)
        return files, errors

    def hash_batch(self, dir_fd: int, prefix: str, names: list[str]) -> list[FileDigest | Node]:
        """Open, read once and hash each file of a batch (on a worker thread)."""
        try:
            return [self.hash_one(dir_fd, prefix + name, name) for name in names]
        finally:
            os.close(dir_fd)

    def hash_one(self, dir_fd: int, path: str, name: str) -> FileDigest | Node:
        """One file: opened without following links, checked to be regular, read once."""
        try:
            fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                # Swapped for a symbolic link since it was listed: O_NOFOLLOW refused it.
                return Node(path, Kind.SYMLINK, _readlink(name, dir_fd))
            return Node(path, Kind.ERROR, f"cannot open: {exc.strerror or exc}")
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return Node(path, _kind_of(info.st_mode))
            wanted = self.keep is not None and self.keep(path)
            limit = self.limit if isinstance(self.limit, int) else self.limit(path)
            found = self.read(fd, path, wanted, info.st_size, limit)
            after = os.fstat(fd)
            if (after.st_size, after.st_mtime_ns) != (info.st_size, info.st_mtime_ns) or (
                found.size != info.st_size
            ):
                # A file written to while it is hashed has a digest of no version of it.
                detail = f"changed while being read (size {info.st_size} -> {after.st_size} bytes)"
                return Node(path, Kind.ERROR, detail)
            return found
        except OSError as exc:
            return Node(path, Kind.ERROR, f"cannot read: {exc.strerror or exc}")
        finally:
            os.close(fd)

    def read(self, fd: int, path: str, wanted: bool, expected: int, limit: int) -> FileDigest:
        """Hash an open regular file in blocks of 1 MiB, keeping its bytes if wanted."""
        digest = hashlib.sha256()
        others = [hashlib.new(name) for name in self.also]
        kept: list[bytes] | None = [] if wanted else None
        size = 0
        # Asking for one byte more than fstat's size lets a small file cost one read and no
        # 1 MiB allocation; a file that grew meanwhile is read on in full blocks.
        want = min(expected + 1, BLOCK_SIZE)
        while block := os.read(fd, want):
            digest.update(block)
            for other in others:
                other.update(block)
            size += len(block)
            if kept is not None:
                if size <= limit:
                    kept.append(block)
                else:
                    kept = None
            if len(block) < want and size >= expected:
                break  # A short read at the size fstat gave is the end of the file.
            want = BLOCK_SIZE
        inspected = None
        if kept is not None and self.inspect is not None:
            inspected = self.inspect(path, b"".join(kept))
        more = tuple(other.hexdigest() for other in others)
        return FileDigest(path, digest.hexdigest(), size, inspected, wanted and kept is None, more)


def _walk(root_fd: int, hasher: _Hasher, skip: Callable[[str], bool] | None) -> list[Node]:
    """Depth-first walk, without recursion; files go to ``hasher`` by folder.

    It holds a descriptor for each folder on the way down that still has sub-folders to
    enter: one per level at most, and only a few for a long chain of single folders.
    """
    nodes: list[Node] = []
    stack = [(root_fd, "", _list(root_fd, "", nodes, hasher, skip))]
    try:
        while stack:
            dir_fd, prefix, folders = stack[-1]
            if not folders:
                stack.pop()
                if dir_fd != root_fd:
                    os.close(dir_fd)
                continue
            name = folders.pop()
            path = prefix + name
            try:
                child = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    nodes.append(Node(path, Kind.SYMLINK, _readlink(name, dir_fd)))
                else:
                    nodes.append(Node(path, Kind.ERROR, f"cannot open: {exc.strerror or exc}"))
                continue
            if not folders:
                # Nothing is left to enter here: let go of this folder before going down, so
                # that a chain of folders thousands deep holds a few descriptors, not one per
                # level (past the limit on open files, the walk would fail).
                stack.pop()
                if dir_fd != root_fd:
                    os.close(dir_fd)
            try:
                below = _list(child, path + "/", nodes, hasher, skip)
            except BaseException:
                os.close(child)
                raise
            stack.append((child, path + "/", below))
    finally:
        for dir_fd, _, _ in stack:
            if dir_fd != root_fd:
                os.close(dir_fd)
    return nodes


def _list(
    dir_fd: int,
    prefix: str,
    nodes: list[Node],
    hasher: _Hasher,
    skip: Callable[[str], bool] | None,
) -> list[str]:
    """List one folder: queue its files, record the rest, return its sub-folders' names."""
    files: list[str] = []
    folders: list[str] = []
    try:
        with os.scandir(dir_fd) as entries:
            for entry in entries:
                path = prefix + entry.name
                if skip is not None and skip(path):
                    continue
                if entry.is_symlink():
                    nodes.append(Node(path, Kind.SYMLINK, _readlink(entry.name, dir_fd)))
                elif entry.is_dir(follow_symlinks=False):
                    nodes.append(Node(path, Kind.FOLDER))
                    folders.append(entry.name)
                elif entry.is_file(follow_symlinks=False):
                    files.append(entry.name)
                else:
                    # FIFOs, sockets and devices are never opened: opening some devices acts.
                    nodes.append(Node(path, _kind_of(entry.stat(follow_symlinks=False).st_mode)))
    except OSError as exc:
        where = prefix.rstrip("/") or "."
        nodes.append(Node(where, Kind.ERROR, f"cannot list folder: {exc.strerror or exc}"))
    if files:
        hasher.submit(dir_fd, prefix, files)
    return folders


def _kind_of(mode: int) -> Kind:
    """What a path that is not a regular file is: fsio decides, in the one place it is decided."""
    if stat.S_ISDIR(mode):
        return Kind.FOLDER
    return Kind(special_kind(mode) or Kind.OTHER)


def _readlink(name: str, dir_fd: int) -> str:
    try:
        return os.readlink(name, dir_fd=dir_fd)
    except OSError:
        return "?"


__all__ = ["FileDigest", "Inspect", "Kind", "Node", "Scan", "display_name", "scan"]
