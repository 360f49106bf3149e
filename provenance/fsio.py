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
import re
import stat
from collections.abc import Callable
from io import BufferedReader, FileIO
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

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
    path: str | os.PathLike[str], *, follow_symlinks: bool = True, listed: bool = False
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

    With ``listed`` the caller's folder listing has just said that this name is a regular
    file (``DirEntry.is_file(follow_symlinks=False)``, from the listing's own file types):
    the ``stat`` would only repeat that check, and costs a tenth of a small file's check, so
    it is skipped. The name is then opened with ``O_NOFOLLOW`` whatever ``follow_symlinks``
    says (a link swapped in since is never followed), and a FIFO or device swapped in since
    is refused by the ``fstat`` after the non-blocking open: the window is the one between
    the ``stat`` and the open, moved to between the listing and the open.
    """
    if listed:
        return _checked_open(path, os.O_NOFOLLOW)
    status = os.stat(path, follow_symlinks=follow_symlinks)
    if stat.S_ISLNK(status.st_mode):
        raise OSError(errno.ELOOP, "is a symbolic link: never followed", os.fspath(path))
    kind = special_kind(status.st_mode)
    if kind is not None:
        raise SpecialFileError(errno.EINVAL, f"is a {kind}: never opened", os.fspath(path))
    return _checked_open(path, 0 if follow_symlinks else os.O_NOFOLLOW)


def _checked_open(path: str | os.PathLike[str], flags: int) -> tuple[int, os.stat_result]:
    """The non-blocking open and ``fstat`` check of :func:`open_regular_fd`."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | flags)
    try:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
        kind = special_kind(status.st_mode)
        if kind is not None:
            raise SpecialFileError(errno.EINVAL, f"is a {kind}: never opened", os.fspath(path))
        # The descriptor stays non-blocking: O_NONBLOCK changes nothing for a regular file's
        # reads, and clearing it cost two fcntl calls per file.
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


def read_stream(stream: BinaryIO, what: str, limit: int) -> bytes:
    """Everything a stream (stdin, a pipe) gives, up to ``limit`` bytes; named ``what`` in errors.

    A pipe has no size to check first: it is read in blocks, and one byte past ``limit`` stops
    the read with an :class:`~provenance.errors.InputError` (exit 2), so that an endless
    stream costs at most ``limit`` bytes of memory. A read error is an
    :class:`~provenance.errors.OperationalError` (exit 3).
    """
    parts: list[bytes] = []
    got = 0
    try:
        while got <= limit:
            block = stream.read(min(BLOCK_SIZE, limit + 1 - got))
            if not block:
                break
            parts.append(block)
            got += len(block)
    except OSError as exc:
        raise OperationalError(f"cannot read {what}: {exc.strerror or exc}") from exc
    if got > limit:
        raise InputError(f"{what} is larger than {limit} bytes: not read further")
    return b"".join(parts)


def read_list_file(path: str | os.PathLike[str], what: str, limit: int) -> bytes:
    """A list that may come through a pipe: a regular file, or a FIFO (``<(git ls-files)``).

    Unlike the inputs of :func:`read_small_file`, a FIFO is expected here: a shell's process
    substitution names one, and its writer is the command that makes the list. A device,
    socket or folder is refused unopened, a missing path is an input error (exit 2).
    """
    shown = f"{what} {os.fspath(path)}"
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise InputError(f"{shown} does not exist") from exc
    except OSError as exc:
        raise OperationalError(f"cannot read {shown}: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(mode):
        raise InputError(f"{shown} is a folder, not a file")
    kind = special_kind(mode)
    if kind is not None and kind != "FIFO":
        raise InputError(f"{shown} is a {kind}: never opened")
    try:
        with open(path, "rb") as stream:
            return read_stream(stream, shown, limit)
    except OSError as exc:
        raise OperationalError(f"cannot read {shown}: {exc.strerror or exc}") from exc


def split_names(data: bytes, *, nul: bool = False) -> list[str]:
    r"""The paths of a list: one per line, or NUL-separated (``find -print0``, ``git ls-files -z``).

    Names are kept exactly (any bytes, as :func:`os.fsdecode` gives them), but for the
    separator; empty entries (a final newline, a blank line) are skipped.

    >>> split_names(b"a.txt\nb c.txt\n\n"), split_names(b"x\ny\0z\0", nul=True)
    (['a.txt', 'b c.txt'], ['x\ny', 'z'])
    """
    return [os.fsdecode(name) for name in data.split(b"\0" if nul else b"\n") if name]


def _tempfile() -> ModuleType:
    # Imported on first use: only writers need it, and it costs every verify 3 ms at start-up.
    import tempfile

    return tempfile


def __getattr__(name: str) -> ModuleType:
    # ``fsio.tempfile`` still names the module (tests patch ``mkstemp`` through it).
    if name == "tempfile":
        return _tempfile()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The name :func:`atomic_write` gives its temporary file for a target ``NAME``:
#: ``.NAME.XXXXXXXX.tmp``, where the eight characters are ``mkstemp``'s random ones.
_TEMP_NAME = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp", re.DOTALL)


def temp_target(name: str) -> str | None:
    """The name of the file whose temporary file ``name`` is (see :func:`atomic_write`), else ``None``.

    This is the one test of "is this one of our temporary files": the seal never lists one,
    and only files it accepts are ever removed as orphans.

    >>> temp_target(".a.txt.k3j9x_2q.tmp"), temp_target("a.txt"), temp_target(".a.tmp")
    ('a.txt', None, None)
    """
    match = _TEMP_NAME.fullmatch(name)
    return match.group(1) if match is not None else None


def is_temp_name(name: str) -> bool:
    """Whether the file name ``name`` (no folder) is one :func:`atomic_write` writes to.

    >>> is_temp_name("..SHA256SUMS.sig.0123456789ab.staged.k3j9x_2q.tmp")
    True
    """
    return _TEMP_NAME.fullmatch(name) is not None


def atomic_write(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    mode: int | None = None,
    overwrite: bool = True,
) -> None:
    """Replace ``path`` with ``data`` atomically.

    An existing file's permissions, owner and group are kept: the new file gets them before
    it is renamed into place, and a writer that may not give it the owner or group (not
    root, and the file is someone else's) fails with :class:`OperationalError` rather than
    silently taking the file over. A new file gets ``mode`` (default 0o644, the umask not
    applied: callers that need 0o600 ask for it) and the writer's owner.
    With ``overwrite=False`` an existing ``path`` is never replaced.

    >>> atomic_write("article.txt", b"text\\n")  # doctest: +SKIP
    """
    target = Path(path)
    folder = target.parent
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise OperationalError(f"cannot read {target}: {exc.strerror}") from exc
    if mode is None:
        mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o644
    remove_orphans(folder, lambda name: name == target.name)
    try:
        fd, tmp_name = _tempfile().mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OperationalError(f"cannot write in {folder}: {exc.strerror}") from exc
    try:
        try:
            # Held until the rename is done: a temporary file nobody holds a lock on belongs
            # to a writer that died (SIGKILL, power cut), and the next write removes it.
            _try_lock(fd, wait=True)
            if existing is not None and overwrite:
                _keep_owner(fd, existing, target)
            # After the owner: chown clears the set-user-ID and set-group-ID bits.
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


def _keep_owner(fd: int, existing: os.stat_result, target: Path) -> None:
    """Give the temporary file ``fd`` the owner and group of the file it replaces.

    A rename-replace would otherwise hand a root-run stamp's file to root, and a shared
    folder's file to whoever stamped it last.
    """
    made = os.fstat(fd)
    if (made.st_uid, made.st_gid) == (existing.st_uid, existing.st_gid):
        return  # Nothing to do, and nothing that needs a privilege.
    try:
        os.fchown(fd, existing.st_uid, existing.st_gid)
    except OSError as exc:
        raise OperationalError(
            f"cannot keep the owner and group of {target} "
            f"({existing.st_uid}:{existing.st_gid}): {exc.strerror or exc}",
            hint="write it as its owner, or as root",
        ) from exc


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


def remove_orphans(
    folder: str | os.PathLike[str], of: Callable[[str], bool] = lambda _: True
) -> None:
    """Remove the temporary files in ``folder`` that no live writer holds.

    Only names :func:`temp_target` accepts are looked at, and among them those whose target
    name ``of`` accepts (default: all). A writer holds a ``flock`` on its temporary file
    from its creation to its rename, and the kernel drops that lock when the writer dies; so
    a file found unlocked was left by a writer killed mid-write, and is removed. Never
    raises: cleaning up is a courtesy.
    """
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            _remove_orphans_at(fd, of)
        finally:
            os.close(fd)


def remove_orphans_below(root: str | os.PathLike[str]) -> None:
    """:func:`remove_orphans` in ``root`` and every folder below it, never through a link.

    ``os.fwalk`` opens each folder relative to its parent's descriptor, so a folder swapped
    for a symbolic link during the walk is not followed, and nothing outside is removed.
    """
    with contextlib.suppress(OSError):
        for _, _, _, dir_fd in os.fwalk(root, follow_symlinks=False):
            _remove_orphans_at(dir_fd, lambda _: True)


def _remove_orphans_at(dir_fd: int, of: Callable[[str], bool]) -> None:
    names: list[str] = []
    with contextlib.suppress(OSError), os.scandir(dir_fd) as entries:
        names = [e.name for e in entries if (target := temp_target(e.name)) and of(target)]
    for name in names:
        with contextlib.suppress(OSError):
            fd = os.open(
                name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd
            )
            try:
                # Unlocked, and still the file that was opened (not replaced meanwhile).
                if (
                    stat.S_ISREG(os.fstat(fd).st_mode)
                    and _try_lock(fd)
                    and os.path.samestat(
                        os.fstat(fd), os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
                    )
                ):
                    os.unlink(name, dir_fd=dir_fd)
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
