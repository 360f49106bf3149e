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

from provenance.errors import InputError, OperationalError

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


class TooLargeError(OSError):
    """A file is larger than what its kind may be: it is refused without being read."""


def open_regular_fd(
    path: str | os.PathLike[str], *, follow_symlinks: bool = True
) -> tuple[int, os.stat_result]:
    """Open a regular file for reading, without ever opening a FIFO, socket or device.

    Returns the file descriptor (the caller closes it) and the file's ``fstat``.

    The type is checked with ``stat`` before the open, so a device is never opened at all;
    the open itself is non-blocking and its ``fstat`` checked again, so a FIFO swapped in
    between the two cannot hang the caller. A folder raises :class:`IsADirectoryError`, a
    special file :class:`SpecialFileError` (whose ``strerror`` says what it is); other
    failures are the :class:`OSError` of ``stat`` or ``open``. Symbolic links are followed
    (the caller named this path) unless ``follow_symlinks`` is false: then a link raises the
    ``ELOOP`` :class:`OSError` of ``O_NOFOLLOW``.
    """
    status = os.stat(path, follow_symlinks=follow_symlinks)
    if stat.S_ISLNK(status.st_mode):
        raise OSError(errno.ELOOP, "is a symbolic link: never followed", os.fspath(path))
    kind = special_kind(status.st_mode)
    if kind is not None:
        raise SpecialFileError(errno.EINVAL, f"is a {kind}: never opened", os.fspath(path))
    nofollow = 0 if follow_symlinks else os.O_NOFOLLOW
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | nofollow)
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


def read_limited(
    path: str | os.PathLike[str], limit: int, *, follow_symlinks: bool = True
) -> bytes:
    """The whole content of a regular file of at most ``limit`` bytes.

    Opened with :func:`open_regular_fd` (a FIFO or device is never opened, so never hangs or
    streams forever); a file whose size is above ``limit`` raises :class:`TooLargeError`
    unread, and so does one that grows past it while it is read. A file that changes size
    while it is read raises an ``EAGAIN`` :class:`OSError`: its content is no version of it.
    Other failures are the :class:`OSError` of :func:`open_regular_fd` or ``read``.
    """
    fd, status = open_regular_fd(path, follow_symlinks=follow_symlinks)
    try:
        if status.st_size > limit:
            # Refused unread: reading it to find out would cost what the limit saves.
            raise TooLargeError(
                errno.EFBIG,
                f"is larger than {limit} bytes ({status.st_size}): never read",
                os.fspath(path),
            )
        data = read_whole(fd, status.st_size)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise TooLargeError(errno.EFBIG, f"is larger than {limit} bytes", os.fspath(path))
    if len(data) != status.st_size:
        raise OSError(errno.EAGAIN, "changed while being read", os.fspath(path))
    return data


def read_small_file(path: str | os.PathLike[str], what: str, limit: int) -> bytes:
    """The whole content of a small input file (a key, a trust file...), named ``what`` in errors.

    Every file provenance reads whole that is not an article comes through here (see
    :func:`read_limited`). What the user named wrongly -- a missing path, a folder, a FIFO or
    device, a file larger than ``limit`` -- is an :class:`~provenance.errors.InputError`
    (exit 2); a file that exists and cannot be read (permissions, I/O) is an
    :class:`~provenance.errors.OperationalError` (exit 3). One line each, naming the file.

    >>> read_small_file("/dev/zero", "public key", 1 << 16)  # doctest: +SKIP
    Traceback (most recent call last):
    InputError: public key /dev/zero is a device file: never opened
    """
    shown = f"{what} {os.fspath(path)}"
    try:
        return read_limited(path, limit)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise InputError(f"{shown} does not exist") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{shown} is a folder, not a file") from exc
    except (SpecialFileError, TooLargeError) as exc:
        raise InputError(f"{shown} {exc.strerror}") from exc
    except OSError as exc:
        raise OperationalError(f"cannot read {shown}: {exc.strerror or exc}") from exc


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
