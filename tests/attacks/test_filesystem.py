"""Attacks through the file system: special files, links, permissions, races, sizes.

FIFOs and devices must never be opened (reading a FIFO blocks forever; opening a device can
act), links must never lead a walk out of the tree, and every I/O failure must become a
verdict or one error line, never a hang or a traceback. Tests run as root in CI, where
``chmod 000`` does not stop a read: permission errors are injected with monkeypatch.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provenance import engine, parallel, verify
from provenance.fsio import SpecialFileError, open_regular, open_regular_fd
from provenance.keys import generate_key
from provenance.model import Canonicalization, Result, Verdict
from provenance.seal import seal_folder
from provenance.sealed import check_sealed_folder
from provenance.stamp import stamp_file
from provenance.verify import VerifyOptions, check_file, check_paths
from tests.attacks.conftest import assert_clean
from tests.conftest import ENTRY, ROOT, article, assert_usage_error, invoke, write

GOOD = article()


def run_cli(*args: str | Path, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """The real command in a process of its own: a hang fails the test instead of the suite."""
    return subprocess.run(
        [str(ENTRY), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "sock.txt"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    yield path
    server.close()


# -- special files --------------------------------------------------------------------------------


def test_fifo_named_on_the_command_line_is_unreadable_and_never_opened(fifo: Path) -> None:
    done = run_cli("verify", fifo)
    assert done.returncode == 1, done.stderr
    assert "unreadable" in done.stdout and "is a FIFO: never opened" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_device_named_on_the_command_line_is_never_opened(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist here")
    done = run_cli("verify", device)
    assert done.returncode == 1
    assert "is a device file: never opened" in done.stdout


def test_socket_named_on_the_command_line_is_unreadable(unix_socket: Path) -> None:
    result = check_file(unix_socket)
    assert result.verdict is Verdict.UNREADABLE and "socket" in result.detail


def test_open_regular_never_opens_a_fifo_even_if_swapped_in_after_the_stat(
    tmp_path: Path, fifo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stat says "regular file"; by the time of the open it is a FIFO: O_NONBLOCK and
    # the second fstat catch it.
    regular = write(tmp_path, "a.txt", "x")
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda path, *a, **k: real_stat(regular))
    with pytest.raises(SpecialFileError, match="FIFO"):
        open_regular(fifo)
    monkeypatch.setattr(os, "stat", real_stat)


def _listed_then_swapped(tmp_path: Path, swap: Any) -> Result:
    """Check the one file a walk listed after ``swap`` replaced it (the race of a listed
    file: the walk's open has no stat before it)."""
    name = write(tmp_path / "walked", "a.txt", GOOD.data())
    targets = list(verify._targets([str(tmp_path / "walked")], VerifyOptions()))
    assert [(path, listed) for path, _, _, listed in targets] == [(str(name), True)]
    os.remove(name)
    swap(name)
    [result] = parallel.check_each(targets, Canonicalization.RELAXED, None)
    return result


def test_fifo_swapped_in_after_a_walk_listed_the_file_is_refused_not_a_hang(
    tmp_path: Path,
) -> None:
    result = _listed_then_swapped(tmp_path, os.mkfifo)
    assert result.verdict is Verdict.UNREADABLE and "is a FIFO" in result.detail


def test_symlink_swapped_in_after_a_walk_listed_the_file_is_never_followed(
    tmp_path: Path,
) -> None:
    # The link points at a good article: followed, it would pass.
    outside = write(tmp_path, "outside.txt", GOOD.data())
    result = _listed_then_swapped(tmp_path, lambda name: name.symlink_to(outside))
    assert result.verdict is Verdict.UNREADABLE, result


def test_a_listed_file_is_opened_without_a_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The walk's listing already typed the name; the open and its fstat still check it.
    regular = write(tmp_path, "a.txt", "x")

    def no_stat(*args: object, **kwargs: object) -> os.stat_result:
        raise AssertionError("stat called for a listed file")

    monkeypatch.setattr(os, "stat", no_stat)
    fd, status = open_regular_fd(regular, listed=True)
    os.close(fd)
    assert stat.S_ISREG(status.st_mode) and status.st_size == 1


def test_fifo_socket_and_links_in_a_folder_walk_are_skipped(
    tmp_path: Path, fifo: Path, unix_socket: Path
) -> None:
    write(tmp_path, "a.txt", GOOD.data())
    (tmp_path / "loop.txt").symlink_to("loop.txt")
    (tmp_path / "out.txt").symlink_to("/etc/passwd")
    (tmp_path / "up").symlink_to("..")
    results = check_paths([str(tmp_path)])
    assert [Path(r.path).name for r in results] == ["a.txt"]


def test_device_file_in_a_folder_walk_is_skipped(tmp_path: Path) -> None:
    try:
        os.mknod(tmp_path / "zero.txt", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("mknod needs root")
    write(tmp_path, "a.txt", GOOD.data())
    assert [Path(r.path).name for r in check_paths([str(tmp_path)])] == ["a.txt"]
    done = run_cli("verify", tmp_path / "zero.txt")
    assert "is a device file: never opened" in done.stdout


def test_fifo_planted_as_a_signature_is_malformed_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = generate_key(tmp_path / "id", comment="alice@example.com")
    signers = write(tmp_path, "allowed", f"alice@example.com {key.public.to_openssh()}\n")
    doc = write(tmp_path / "docs", "a.txt", GOOD.data())
    os.mkfifo(f"{doc}.sig")
    done = run_cli("verify", "--allowed-signers", signers, doc)
    assert done.returncode == 1, done.stderr
    assert "signature malformed" in done.stdout and "FIFO" in done.stdout


def test_folder_planted_as_a_signature_is_malformed_not_an_abort(tmp_path: Path) -> None:
    key = generate_key(tmp_path / "id", comment="alice@example.com")
    signers = write(tmp_path, "allowed", f"alice@example.com {key.public.to_openssh()}\n")
    doc = write(tmp_path / "docs", "a.txt", GOOD.data())
    Path(f"{doc}.sig").mkdir()
    result = invoke("verify", "--allowed-signers", signers, doc)
    assert_clean(result, 1)
    assert "signature malformed" in result.stdout and "is a folder" in result.stdout


def test_signing_a_fifo_is_a_usage_error_not_a_hang(tmp_path: Path, fifo: Path) -> None:
    generate_key(tmp_path / "id")
    done = run_cli("sign", fifo, "-k", tmp_path / "id")
    assert done.returncode == 2 and "is a FIFO: never opened" in done.stderr
    assert not Path(f"{fifo}.sig").exists()


def test_stamping_a_fifo_is_refused_not_a_hang(fifo: Path) -> None:
    done = run_cli("stamp", fifo, "--holder", "Example News")
    assert done.returncode == 1 and "is a FIFO: never opened" in done.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_sealing_a_folder_holding_a_fifo_is_refused(tmp_path: Path, fifo: Path) -> None:
    key = generate_key(tmp_path.parent / f"{tmp_path.name}-key")
    done = run_cli("seal", tmp_path, "-k", tmp_path.parent / f"{tmp_path.name}-key")
    assert done.returncode == 2 and "FIFO" in done.stderr
    assert key is not None and not (tmp_path / "SHA256SUMS").exists()


# -- symbolic links -------------------------------------------------------------------------------


def test_stamping_a_symlink_stamps_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = write(tmp_path / "real", "a.txt", "Body text.\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    stamp_file(link, holder="Example News", year=2022)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert b"All Rights Reserved." in target.read_bytes()
    assert check_file(link).verdict is Verdict.OK
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.txt"]  # no temp file


def test_symlink_loop_named_on_the_command_line_is_a_usage_error(tmp_path: Path) -> None:
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    result = invoke("verify", loop)
    assert_usage_error(result)
    assert "does not exist" in result.stderr
    # The library, given the same path, gives a verdict instead.
    assert "symbolic links" in check_file(loop).detail


def test_dangling_symlink_named_on_the_command_line_is_a_usage_error(tmp_path: Path) -> None:
    dangling = tmp_path / "gone.txt"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    assert_usage_error(invoke("verify", dangling))
    assert check_file(dangling).verdict is Verdict.UNREADABLE


def test_symlinks_leaving_a_sealed_folder_are_never_followed(tmp_path: Path) -> None:
    root = tmp_path / "sealed"
    write(root, "a.txt", GOOD.data())
    key = generate_key(tmp_path / "id")
    seal_folder(root, key)
    secret = write(tmp_path, "secret.txt", GOOD.data())
    (root / "planted.txt").symlink_to(secret)
    (root / "loop").symlink_to("loop")
    check = check_sealed_folder(root)
    by_name = {Path(r.path).name: r for r in check.results}
    assert by_name["planted.txt"].manifest is not None
    assert "never followed" in by_name["planted.txt"].detail
    assert "never followed" in by_name["loop"].detail
    assert check.failed()


# -- permissions, deletions, changes ------------------------------------------------------------


def test_permission_denied_on_a_file_is_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "a.txt", GOOD.data())

    def denied(target: Any, **_: Any) -> Any:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))

    monkeypatch.setattr(engine, "open_regular_fd", denied)
    result = check_file(path)
    assert result.verdict is Verdict.UNREADABLE
    assert result.detail == "cannot read: Permission denied"


def test_permission_denied_on_a_folder_is_reported_and_the_walk_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "a/x.txt", GOOD.data())
    write(tmp_path, "b/y.txt", GOOD.data())
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if str(path).endswith("/a"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    results = check_paths([str(tmp_path)])
    assert [(Path(r.path).name, r.verdict) for r in results] == [
        ("a", Verdict.UNREADABLE),
        ("y.txt", Verdict.OK),
    ]
    assert "cannot list folder: Permission denied" in results[0].detail


def test_file_deleted_mid_run_is_unreadable_and_the_run_goes_on(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        write(tmp_path, name, GOOD.data())

    def delete_next(result: Result) -> None:
        if result.path.endswith("a.txt"):
            (tmp_path / "b.txt").unlink()

    results = check_paths([str(tmp_path)], on_result=delete_next)
    assert [r.verdict for r in results] == [Verdict.OK, Verdict.UNREADABLE, Verdict.OK]
    assert "No such file" in results[1].detail


def _growing_open(target: Any, **_: Any) -> tuple[int, os.stat_result]:
    """open_regular_fd, then another writer appends to the file before it is read."""
    fd, status = open_regular_fd(target)
    with open(target, "ab") as other:
        other.write(b"Appended by another writer.\n")
    return fd, status


@pytest.mark.parametrize("size", ["small", "streamed"])
def test_file_changing_while_verified_is_reported_not_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: str
) -> None:
    body = "Line of text.\n" * ((engine.STREAM_THRESHOLD // 14 + 10) if size == "streamed" else 1)
    path = write(tmp_path, "a.txt", article(body=body.rstrip("\n")).data())
    monkeypatch.setattr(engine, "open_regular_fd", _growing_open)
    result = check_file(path)
    assert result.verdict is Verdict.UNREADABLE
    assert result.detail.startswith("changed while being read")
    assert result.failed()


def test_file_rewritten_in_place_while_read_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "a.txt", GOOD.data())
    real_read_whole = engine.read_whole

    def read_then_touch(fd: int, size: int) -> bytes:
        data = real_read_whole(fd, size)
        os.utime(path, ns=(0, 10**18))  # Same size, new modification time.
        return data

    monkeypatch.setattr(engine, "read_whole", read_then_touch)
    result = check_file(path)
    assert result.verdict is Verdict.UNREADABLE
    assert result.detail.startswith("changed while being read")


def test_file_changing_while_sealed_folder_is_hashed_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance import tree

    root = tmp_path / "sealed"
    path = write(root, "a.txt", GOOD.data())
    seal_folder(root, generate_key(tmp_path / "id"))
    real_read = os.read
    state = {"grown": False}
    article_inode = os.stat(path).st_ino

    def read(fd: int, size: int) -> bytes:
        # Only the article's read: SHA256SUMS is read with os.read too, before the walk.
        if not state["grown"] and os.fstat(fd).st_ino == article_inode:
            state["grown"] = True
            with open(path, "ab") as other:
                other.write(b"more\n")
        return real_read(fd, size)

    monkeypatch.setattr(tree.os, "read", read)
    check = check_sealed_folder(root, workers=1)
    (result,) = [r for r in check.results if r.path.endswith("a.txt")]
    assert result.verdict is Verdict.UNREADABLE and "changed while being read" in result.detail
    assert check.failed()


# -- shapes and sizes -----------------------------------------------------------------------------


def test_twenty_level_deep_tree_is_walked_sealed_and_verified(tmp_path: Path) -> None:
    root = tmp_path / "deep"
    deep = root.joinpath(*(f"level{i:02d}" for i in range(20)))
    write(deep, "a.txt", GOOD.data())
    write(root, "top.txt", GOOD.data())
    assert [r.verdict for r in check_paths([str(root)])] == [Verdict.OK, Verdict.OK]
    seal_folder(root, generate_key(tmp_path / "id"))
    check = check_sealed_folder(root)
    assert not check.failed() and len(check.results) == 2


@pytest.mark.parametrize(
    "count",
    [
        pytest.param(20_000, marks=pytest.mark.slow),
        # 12 to 25 s on two cores, most of it making the files: only under -m long.
        pytest.param(200_000, marks=pytest.mark.long),
    ],
)
def test_folder_of_two_hundred_thousand_files_is_walked(tmp_path: Path, count: int) -> None:
    root = tmp_path / "many"
    root.mkdir()
    data = GOOD.data()
    for index in range(count // 1000):
        folder = root / f"d{index:03d}"
        folder.mkdir()
        for inner in range(1000):
            (folder / f"{inner:04d}.txt").write_bytes(data)
    # The subprocess timeout is a hang guard, not a speed check (benchmarks/ measures that).
    done = run_cli("verify", "--quiet", root, timeout=600)
    assert done.returncode == 0, done.stdout[-500:] + done.stderr
    assert f"{count} files: {count} ok; passed" in done.stdout


def _peak_rss_of(code: str) -> tuple[str, int]:
    """Run ``code`` in a fresh interpreter; what it prints and its peak RSS in KiB."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec from the forked parent (pytest,
    # which may itself be large), while VmHWM belongs to the new process image alone.
    wrapper = (
        f"{code}\nimport re\n"
        "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=True,
    )
    *out, peak = done.stdout.splitlines()
    return "\n".join(out), int(peak)


#: Peak RSS a check may reach on any file size (the interpreter alone takes ~20-40 MiB).
RSS_LIMIT_KIB = 100 * 1024


def test_two_gigabyte_sparse_file_is_rejected_in_bounded_memory(tmp_path: Path) -> None:
    if not os.path.exists("/proc/self/status"):
        pytest.skip("peak RSS is read from /proc")
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(2 << 30)
    out, peak = _peak_rss_of(
        f"from provenance.verify import check_file\nr = check_file({str(path)!r})\n"
        "print(r.verdict.value, r.detail)"
    )
    assert out == "unreadable binary data (NUL byte at offset 0)"
    assert peak < RSS_LIMIT_KIB


@pytest.mark.long
def test_two_gigabyte_text_file_verifies_in_bounded_memory(tmp_path: Path) -> None:
    if not os.path.exists("/proc/self/status"):
        pytest.skip("peak RSS is read from /proc")
    line = b"The quick brown fox jumps over the lazy dog, again and again. " * 16 + b"\n"
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        block = line * ((1 << 20) // len(line))
        for _ in range(2048):
            handle.write(block)
    covered_end = path.stat().st_size
    stamp_file(path, holder="Example News", year=2022)
    assert path.stat().st_size > covered_end
    out, peak = _peak_rss_of(
        f"from provenance.verify import check_file\nprint(check_file({str(path)!r}).verdict.value)"
    )
    assert out == "ok"
    assert peak < RSS_LIMIT_KIB


def test_hundred_megabyte_single_line_verifies_in_bounded_memory(tmp_path: Path) -> None:
    if not os.path.exists("/proc/self/status"):
        pytest.skip("peak RSS is read from /proc")
    path = tmp_path / "line.txt"
    text = article(body="word " * (20 << 20) + "end.")
    with open(path, "wb") as handle:
        handle.write(text.data())
    out, peak = _peak_rss_of(
        f"from provenance.verify import check_file\nr = check_file({str(path)!r})\n"
        "print(r.verdict.value, r.line)"
    )
    assert out == "ok 2"
    assert peak < RSS_LIMIT_KIB


@pytest.mark.skipif(os.geteuid() != 0, reason="only root gives a file to another user")
def test_stamp_run_as_root_keeps_the_owner_group_and_mode_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Body text.\n")
    os.chown(path, 4321, 8765)
    path.chmod(0o640)
    assert_clean(invoke("stamp", "--holder", "Example News", path), 0)
    after = path.stat()
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (4321, 8765, 0o640)


def test_stamping_a_hard_linked_file_is_refused_not_split_silently(tmp_path: Path) -> None:
    path = write(tmp_path / "today", "a.txt", "Body text.\n")
    twin = tmp_path / "archive" / "a.txt"
    twin.parent.mkdir()
    os.link(path, twin)
    result = invoke("stamp", "--holder", "Example News", path)
    assert_clean(result, 1)
    assert "has 1 other hard link" in result.stderr
    assert path.read_text() == twin.read_text() == "Body text.\n"
    assert os.stat(path).st_ino == os.stat(twin).st_ino
