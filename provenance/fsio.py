"""File-system helpers: the one place where files are written.

Every write provenance makes goes through :func:`atomic_write`: the new content is
written to a temporary file in the destination folder, flushed to disk with fsync and
then renamed over the destination. A crash, a full disk or an exception at any point
leaves either the old file or the new one, never a mix, and never a stray temporary file
when the failure is reported as an exception.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from io import BufferedReader, FileIO
from pathlib import Path
from types import ModuleType

from provenance.errors import OperationalError

#: Read files in blocks of this size when hashing them.
BLOCK_SIZE = 1 << 20


class SpecialFileError(OSError):
    """A path names a FIFO, socket or device: provenance never opens one to read it.

    Reading a FIFO blocks until a writer comes (forever, in a verify run), and opening some
    devices acts (a tape rewinds, a terminal becomes the controlling one).
    """


def special_kind(mode: int) -> str | None:
    """What a non-regular, non-folder file is ("FIFO", "socket", "device file"), else ``None``.

    >>> special_kind(stat.S_IFIFO), special_kind(stat.S_IFREG)
    ('FIFO', None)
    """
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file"
    return "special file"


def open_regular_fd(path: str | os.PathLike[str]) -> tuple[int, os.stat_result]:
    """Open a regular file for reading, without ever opening a FIFO, socket or device.

    Returns the file descriptor (the caller closes it) and the file's ``fstat``.

    The type is checked with ``stat`` before the open, so a device is never opened at all;
    the open itself is non-blocking and its ``fstat`` checked again, so a FIFO swapped in
    between the two cannot hang the caller. A folder raises :class:`IsADirectoryError`, a
    special file :class:`SpecialFileError` (whose ``strerror`` says what it is); other
    failures are the :class:`OSError` of ``stat`` or ``open``. Symbolic links are followed:
    the caller named this path.
    """
    kind = special_kind(os.stat(path).st_mode)
    if kind is not None:
        raise SpecialFileError(errno.EINVAL, f"is a {kind}: never opened", os.fspath(path))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
        kind = special_kind(status.st_mode)
        if kind is not None:
            raise SpecialFileError(errno.EINVAL, f"is a {kind}: never opened", os.fspath(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, status


def open_regular(path: str | os.PathLike[str]) -> BufferedReader:
    """:func:`open_regular_fd` as a binary file object.

    >>> with open_regular("README.md") as handle:  # doctest: +SKIP
    ...     data = handle.read()
    """
    fd, _ = open_regular_fd(path)
    try:
        # FileIO and BufferedReader directly: open() would also ask whether the file is a
        # terminal (one more system call per file) to choose a buffering it is not given.
        raw = FileIO(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    return BufferedReader(raw)


def read_whole(fd: int, size: int) -> bytes:
    """Read an open regular file of ``size`` bytes (its ``fstat`` size) to its end.

    One ``read`` of one byte more than the size does it when nothing changes: fewer bytes
    back mean the end was reached. A file that grew gives more than ``size`` bytes back (at
    most ``size + 1`` per call): the caller compares the length with the size it expected.
    """
    data = os.read(fd, size + 1)
    if len(data) >= size:
        return data
    parts = [data]  # A short read (signal, network file system) or a file that shrank.
    got = len(data)
    while got <= size:
        more = os.read(fd, size + 1 - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _tempfile() -> ModuleType:
    # Imported on first use: only writers need it, and it costs every verify 3 ms at start-up.
    import tempfile

    return tempfile


def __getattr__(name: str) -> ModuleType:
    # ``fsio.tempfile`` still names the module (tests patch ``mkstemp`` through it).
    if name == "tempfile":
        return _tempfile()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def atomic_write(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    mode: int | None = None,
    overwrite: bool = True,
) -> None:
    """Replace ``path`` with ``data`` atomically.

    The permissions of an existing file are kept; a new file gets ``mode`` (default 0o644,
    less the umask's effect is not applied: callers that need 0o600 ask for it).
    With ``overwrite=False`` an existing ``path`` is never replaced.

    >>> atomic_write("article.txt", b"text\\n")  # doctest: +SKIP
    """
    target = Path(path)
    folder = target.parent
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = 0o644
        except OSError as exc:
            raise OperationalError(f"cannot read {target}: {exc.strerror}") from exc
    remove_orphans(folder, f".{target.name}.", ".tmp")
    try:
        fd, tmp_name = _tempfile().mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OperationalError(f"cannot write in {folder}: {exc.strerror}") from exc
    try:
        try:
            # Held until the rename is done: a temporary file nobody holds a lock on belongs
            # to a writer that died (SIGKILL, power cut), and the next write removes it.
            _try_lock(fd, wait=True)
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
            if overwrite:
                os.replace(tmp_name, target)
            else:
                # link() fails if the target exists, so two writers cannot both win.
                os.link(tmp_name, target)
                os.unlink(tmp_name)
        finally:
            os.close(fd)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, FileExistsError):
            raise OperationalError(f"{target} already exists; refusing to overwrite it") from exc
        if isinstance(exc, OSError):
            raise OperationalError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise
    _fsync_folder(folder)


def _try_lock(fd: int, *, wait: bool = False) -> bool:
    """Take an exclusive ``flock`` on ``fd``; ``False`` if another process holds one."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no orphan detection.
        return not wait
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def remove_orphans(folder: str | os.PathLike[str], prefix: str, suffix: str) -> None:
    """Remove the temporary files ``prefix*suffix`` in ``folder`` that no live writer holds.

    A writer holds a ``flock`` on its temporary file from its creation to its rename, and the
    kernel drops that lock when the writer dies; so a file found unlocked was left by a writer
    killed mid-write, and is removed. Never raises: cleaning up is a courtesy.
    """
    names: list[str] = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        names = [
            e.name
            for e in entries
            if e.name.startswith(prefix) and e.name.endswith(suffix) and len(e.name) > len(prefix)
        ]
    for name in names:
        path = os.path.join(folder, name)
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
            try:
                # Unlocked, and still the file that was opened (not replaced meanwhile).
                if (
                    stat.S_ISREG(os.fstat(fd).st_mode)
                    and _try_lock(fd)
                    and os.path.samestat(os.fstat(fd), os.lstat(path))
                ):
                    os.unlink(path)
            finally:
                os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; some file systems do not support it, which is fine."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
