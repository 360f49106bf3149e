"""File-system helpers: the one place where files are written.

Every write provenance makes goes through :func:`atomic_write`: the new content is
written to a temporary file in the destination folder, flushed to disk with fsync and
then renamed over the destination. A crash, a full disk or an exception at any point
leaves either the old file or the new one, never a mix, and never a stray temporary file
when the failure is reported as an exception.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from provenance.errors import OperationalError

#: Read files in blocks of this size when hashing them.
BLOCK_SIZE = 1 << 20


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
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OperationalError(f"cannot write in {folder}: {exc.strerror}") from exc
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(tmp_name, target)
        else:
            # link() fails if the target exists, so two writers cannot both win.
            os.link(tmp_name, target)
            os.unlink(tmp_name)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, FileExistsError):
            raise OperationalError(f"{target} already exists; refusing to overwrite it") from exc
        if isinstance(exc, OSError):
            raise OperationalError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; some file systems do not support it, which is fine."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
