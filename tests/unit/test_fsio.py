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
from provenance.errors import InputError, OperationalError

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


# Temporary files: the one predicate, and which orphans are removed.


@pytest.mark.parametrize(
    ("name", "target"),
    [
        (".a.txt.k3j9x_2q.tmp", "a.txt"),
        (".SHA256SUMS.abcdefgh.tmp", "SHA256SUMS"),
        (
            "..SHA256SUMS.sig.0123456789ab.staged.zz99zz99.tmp",
            ".SHA256SUMS.sig.0123456789ab.staged",
        ),
        (".a b\nc.abcdefgh.tmp", "a b\nc"),
        ("a.txt.abcdefgh.tmp", None),  # Not hidden.
        (".a.txt.abcdefg.tmp", None),  # Seven random characters.
        (".a.txt.ABCDEFGH.tmp", None),  # mkstemp draws lower case only.
        (".a.txt.abcdefgh.tmp~", None),
        ("..abcdefgh.tmp", None),  # No target name.
        (".notes.tmp", None),
    ],
)
def test_temp_target_knows_atomic_writes_names_only(name: str, target: str | None) -> None:
    assert fsio.temp_target(name) == target
    assert fsio.is_temp_name(name) is (target is not None)


def test_atomic_write_names_its_temporary_file_as_the_predicate_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real_replace = os.replace

    def spy(source: str, target: str) -> None:
        seen.append(os.path.basename(source))
        real_replace(source, target)

    monkeypatch.setattr(fsio.os, "replace", spy)
    fsio.atomic_write(tmp_path / "a.txt", NEW)
    (name,) = seen
    assert fsio.temp_target(name) == "a.txt"


def test_remove_orphans_keeps_locked_and_foreign_files(tmp_path: Path) -> None:
    import fcntl

    orphan = write(tmp_path, ".a.txt.abcdefgh.tmp", b"left by a killed stamp")
    live = write(tmp_path, ".b.txt.abcdefgh.tmp", b"a stamp still writing")
    foreign = write(tmp_path, ".a.txt.swp", b"an editor's")
    other_target = write(tmp_path, ".c.txt.abcdefgh.tmp", b"another file's orphan")
    with open(live, "rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        fsio.remove_orphans(tmp_path, lambda name: name in ("a.txt", "b.txt"))
    assert not orphan.exists()
    assert live.exists() and foreign.exists() and other_target.exists()


def test_remove_orphans_below_walks_the_tree_but_never_a_link(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", ".x.txt.abcdefgh.tmp", b"not below the root")
    deep = write(tmp_path / "root" / "a" / "b", ".x.txt.abcdefgh.tmp", b"orphan")
    (tmp_path / "root" / "link").symlink_to(tmp_path / "outside")
    fsio.remove_orphans_below(tmp_path / "root")
    assert not deep.exists()
    assert outside.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root gives a file to another user")
def test_replacing_keeps_owner_and_group(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", ORIGINAL)
    os.chown(path, 4321, 8765)
    path.chmod(0o4750)
    fsio.atomic_write(path, NEW)
    after = path.stat()
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (4321, 8765, 0o4750)


# -- read_small_file: every input that is not an article ----------------------------------------


def test_read_small_file_reads_a_small_regular_file(tmp_path: Path) -> None:
    path = write(tmp_path, "key.pub", b"ssh-ed25519 AAAA\n")
    assert fsio.read_small_file(path, "public key", 1 << 10) == b"ssh-ed25519 AAAA\n"
    assert fsio.read_small_file(write(tmp_path, "empty", b""), "public key", 10) == b""


def test_read_small_file_refuses_a_fifo_without_opening_it(tmp_path: Path) -> None:
    # Opening a FIFO for reading blocks until a writer comes: refused on its stat alone.
    fifo = tmp_path / "key.pub"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"^public key .*key\.pub is a FIFO: never opened$"):
        fsio.read_small_file(fifo, "public key", 1 << 10)


def test_read_small_file_refuses_a_device_without_opening_it() -> None:
    with pytest.raises(InputError, match=r"^token file /dev/zero is a device file: never opened$"):
        fsio.read_small_file("/dev/zero", "token file", 1 << 10)


def test_read_small_file_refuses_a_file_over_the_limit_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge"
    with open(path, "wb") as handle:
        handle.truncate(1 << 30)  # Sparse: 1 GiB that costs nothing to make.
    monkeypatch.setattr(fsio, "read_whole", lambda fd, size: pytest.fail("read a refused file"))
    with pytest.raises(InputError, match=r"huge is larger than 1024 bytes \(1073741824\)"):
        fsio.read_small_file(path, "allowed signers file", 1 << 10)


def test_read_small_file_refuses_a_file_that_grows_past_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "tokens", b"x" * 10)
    real_read = os.read

    def read(fd: int, size: int) -> bytes:
        with open(path, "ab") as other:
            other.write(b"y" * 100)
        return real_read(fd, size)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fsio.os, "read", read)
        with pytest.raises(InputError, match="is larger than 10 bytes"):
            fsio.read_small_file(path, "token file", 10)


def test_read_small_file_missing_and_folder_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"private key .*nope does not exist"):
        fsio.read_small_file(tmp_path / "nope", "private key", 10)
    with pytest.raises(InputError, match=r"private key .*nope/x does not exist"):
        fsio.read_small_file(write(tmp_path, "nope", b"") / "x", "private key", 10)
    with pytest.raises(InputError, match="is a folder, not a file"):
        fsio.read_small_file(tmp_path, "private key", 10)


def test_read_small_file_permission_denied_is_operational(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root chmod 000 does not stop a read: the open's PermissionError is injected.
    path = write(tmp_path, "id", b"secret")
    real_open = os.open

    def denied(name: str | os.PathLike[str], *args: object, **kwargs: object) -> int:
        if os.fspath(name) == str(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(name))
        return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fsio.os, "open", denied)
    with pytest.raises(OperationalError, match=r"^cannot read private key .*id: Permission denied"):
        fsio.read_small_file(path, "private key", 10)


def test_read_limited_never_follows_a_link_when_asked(tmp_path: Path) -> None:
    target = write(tmp_path, "real", b"data")
    (tmp_path / "link").symlink_to(target)
    assert fsio.read_limited(tmp_path / "link", 10) == b"data"
    with pytest.raises(OSError, match="never followed") as caught:
        fsio.read_limited(tmp_path / "link", 10, follow_symlinks=False)
    assert caught.value.errno == errno.ELOOP
