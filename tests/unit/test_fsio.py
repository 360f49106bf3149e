"""provenance.fsio.atomic_write: all or nothing, even when the disk fills up mid-write."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import write

from provenance import fsio
from provenance.errors import OperationalError

ORIGINAL = b"The original text.\n" * 100
NEW = b"The new text.\n" * 5000


def test_replaces_content_and_keeps_permissions(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", ORIGINAL)
    path.chmod(0o640)
    fsio.atomic_write(path, NEW)
    assert path.read_bytes() == NEW
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["a.txt"]


def test_new_file_mode_and_no_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "new.txt"
    fsio.atomic_write(path, NEW, mode=0o600)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(OperationalError, match="already exists"):
        fsio.atomic_write(path, ORIGINAL, overwrite=False)
    assert path.read_bytes() == NEW
    assert os.listdir(tmp_path) == ["new.txt"]


def test_missing_folder_is_operational_error(tmp_path: Path) -> None:
    with pytest.raises(OperationalError, match="cannot write in"):
        fsio.atomic_write(tmp_path / "no-such" / "a.txt", NEW)


def enospc(*_args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def partial_then(failure: BaseException) -> Callable[[int, memoryview], int]:
    """An os.write that writes a first chunk for real, then fails like a full disk."""
    real_write = os.write
    calls = {"n": 0}

    def fake(fd: int, data: memoryview) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data[:100]))
        raise failure

    return fake


FAULTS = {
    "write-enospc": ("write", partial_then(OSError(errno.ENOSPC, "No space left on device"))),
    "write-bug": ("write", partial_then(RuntimeError("boom"))),
    "write-interrupt": ("write", partial_then(KeyboardInterrupt())),
    "fsync-enospc": ("fsync", enospc),
    "replace-eio": ("replace", lambda *a: enospc()),
    "fchmod-eperm": (
        "fchmod",
        lambda *a: (_ for _ in ()).throw(PermissionError(errno.EPERM, "no")),
    ),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_failure_mid_write_leaves_original_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    path = write(tmp_path, "a.txt", ORIGINAL)
    path.chmod(0o640)
    before = path.stat()
    name, fake = FAULTS[fault]
    monkeypatch.setattr(fsio.os, name, fake)
    with pytest.raises((OperationalError, RuntimeError, KeyboardInterrupt)) as caught:
        fsio.atomic_write(path, NEW)
    monkeypatch.undo()
    if isinstance(caught.value, OperationalError):
        assert caught.value.message.startswith(f"cannot write {path}: ")
        assert isinstance(caught.value.__cause__, OSError)
    assert path.read_bytes() == ORIGINAL
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["a.txt"]


def test_read_whole_gathers_short_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"0123456789" * 5)
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, size: real_read(fd, min(size, 7)))
    fd, status = fsio.open_regular_fd(path)
    try:
        assert fsio.read_whole(fd, status.st_size) == path.read_bytes()
    finally:
        os.close(fd)


def _read_after(path: Path, change: Callable[[], object]) -> bytes:
    """read_whole of ``path`` with ``change`` made between the open and the read."""
    fd, status = fsio.open_regular_fd(path)
    try:
        change()
        return fsio.read_whole(fd, status.st_size)
    finally:
        os.close(fd)


def test_read_whole_gives_one_byte_more_when_the_file_grew(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"before")

    def grow() -> None:
        with path.open("ab") as other:
            other.write(b" and after")

    assert _read_after(path, grow) == b"before "


def test_read_whole_stops_at_the_end_of_a_file_that_shrank(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"a longer text")
    assert _read_after(path, lambda: os.truncate(path, 3)) == b"a l"
