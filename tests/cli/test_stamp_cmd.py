"""`provenance stamp`: output, refusals, --update, and exit 3 when the folder cannot be written."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from conftest import (
    ENTRY,
    article,
    assert_usage_error,
    invoke,
    md5_hex,
    notice,
    run_command,
    sha256_hex,
    write,
)

from provenance import fsio

TEXT = "A story.\nIts second paragraph.\n"


def test_stamp_one_file(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", TEXT)
    result = invoke("stamp", "--holder", "Example News", "--year", "2022", path)
    covered = f"{TEXT}{notice('Example News.')}"
    digest = md5_hex(covered)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"stamped  {path}  md5 {digest}\n1 stamped\n"
    assert path.read_text() == f"{covered} {digest}\n"
    assert invoke("verify", "--strict", path).exit_code == 0


def test_stamp_sha256(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", TEXT)
    args = ("stamp", "--holder", "X Ltd.", "--year", "2020", "--algorithm", "sha256", path)
    result = invoke(*args)
    covered = f"{TEXT}{notice('X Ltd.', '2020')}"
    assert result.stdout == f"stamped  {path}  sha256 {sha256_hex(covered)}\n1 stamped\n"


def test_refused_when_footer_exists(tmp_path: Path) -> None:
    data = article().data()
    path = write(tmp_path, "a.txt", data)
    fresh = write(tmp_path, "b.txt", TEXT)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    result = invoke("stamp", "--holder", "Other", "--year", "2022", path, fresh)
    assert result.exit_code == 1
    assert result.stderr == (
        f"provenance: error: refused: {path}: already has a footer (line 6)\n"
        "hint: use --update to recompute its fingerprint, --missing-only to leave it\n"
    )
    assert result.stdout.startswith(f"stamped  {fresh}  md5 ")
    assert result.stdout.endswith("\n1 stamped, 1 refused\n")
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "b.txt"]


def test_update_of_an_edited_article_needs_force(tmp_path: Path) -> None:
    art = article()
    stale = art.text().replace("twice", "thrice")
    path = write(tmp_path, "a.txt", stale)
    refused = invoke("stamp", "--update", path)
    assert (refused.exit_code, refused.stdout) == (1, "1 refused\n")
    assert refused.stderr.startswith(
        f"provenance: error: refused: {path}: its footer does not verify (mismatch: "
    )
    assert "hint: check the text first; --update --force recomputes" in refused.stderr
    assert path.read_text() == stale
    result = invoke("stamp", "--update", "--force", path)
    digest = md5_hex(art.covered.replace("twice", "thrice"))
    assert (result.exit_code, result.stdout) == (0, f"updated  {path}  md5 {digest}\n1 updated\n")
    assert path.read_text() == stale.replace(art.digest, digest)
    again = invoke("stamp", "--update", path)
    assert again.stdout == f"unchanged  {path}  md5 {digest}\n1 unchanged\n"


@pytest.mark.parametrize(
    "args",
    [
        ["stamp", "{file}"],
        ["stamp", "--holder", "X", "--year", "99", "{file}"],
        ["stamp", "--holder", "X", "--algorithm", "sha1", "{file}"],
        ["stamp", "--holder", "X", "no-such.txt"],
        ["stamp", "--holder", "", "{file}"],
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str]) -> None:
    path = write(tmp_path, "a.txt", TEXT)
    result = invoke(*(arg.replace("{file}", str(path)) for arg in args))
    assert_usage_error(result)
    assert path.read_text() == TEXT


def test_unwritable_folder_is_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "a.txt", TEXT)

    def denied(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(fsio.tempfile, "mkstemp", denied)
    result = invoke("stamp", "--holder", "X", "--year", "2022", path)
    assert result.exit_code == 3
    assert result.stderr == f"provenance: error: cannot write in {tmp_path}: Permission denied\n"
    assert path.read_text() == TEXT


@pytest.mark.parametrize("call", ["write", "fsync", "replace"])
def test_full_disk_is_exit_3_and_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    path = write(tmp_path, "a.txt", TEXT)

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fsio.os, call, full)
    result = invoke("stamp", "--holder", "X", "--year", "2022", path)
    monkeypatch.undo()
    assert result.exit_code == 3
    assert result.stderr == f"provenance: error: cannot write {path}: No space left on device\n"
    assert path.read_text() == TEXT
    assert os.listdir(tmp_path) == ["a.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write in a read-only folder")
def test_read_only_folder_real_process(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", TEXT)
    tmp_path.chmod(0o555)
    try:
        result = run_command(ENTRY, "stamp", "--holder", "X", path)
    finally:
        tmp_path.chmod(0o755)
    assert result.returncode == 3
    assert result.stderr.startswith("provenance: error: cannot write in ")
    assert path.read_text() == TEXT


def test_real_process_stamp_then_verify(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", TEXT.replace("\n", "\r\n"))
    stamped = run_command(ENTRY, "stamp", "--holder", "Example News, Inc.", path)
    assert stamped.returncode == 0, stamped.stderr
    assert path.read_bytes().endswith(b"\r\n") and b"\r\n\r\n" not in path.read_bytes()
    verified = run_command(ENTRY, "verify", "--strict", path)
    assert verified.returncode == 0 and verified.stdout.startswith("ok ")


# Folders: walked as verify walks them, with a total line.


def _content_folder(tmp_path: Path) -> Path:
    root = tmp_path / "issue"
    write(root, "a.txt", TEXT)
    write(root, "b.txt", article().data())
    write(root / "sub", "c.md", TEXT)
    write(root / "sub", "d.txt", article(holder="Other Press").data())
    write(root, "photo.jpg", b"\xff\xd8not an article")
    write(root, "a.txt.sig", "not an article either")
    write(root / "sub", "SHA256SUMS", "nor this\n")
    write(root / ".drafts", "e.txt", TEXT)
    return root


def test_stamp_missing_only_in_a_folder_stamps_the_new_and_leaves_the_stamped(
    tmp_path: Path,
) -> None:
    root = _content_folder(tmp_path)
    untouched = {name: (root / name).read_bytes() for name in ("b.txt", "sub/d.txt")}
    result = invoke("stamp", "--missing-only", "--holder", "X", "--year", "2022", root)
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert [line.split("  ")[:2] for line in lines[:-1]] == [
        ["stamped", f"{root}/a.txt"],
        ["already stamped", f"{root}/b.txt"],
        ["stamped", f"{root}/sub/c.md"],
        ["already stamped", f"{root}/sub/d.txt"],
    ]
    assert lines[-1] == "2 stamped, 2 already stamped"
    assert {name: (root / name).read_bytes() for name in untouched} == untouched
    # Never taken: other suffixes, .sig files, SHA256SUMS, hidden folders.
    assert (root / ".drafts" / "e.txt").read_text() == TEXT
    assert (root / "sub" / "SHA256SUMS").read_text() == "nor this\n"
    assert invoke("verify", "--strict", root / "a.txt", root / "sub" / "c.md").exit_code == 0
    again = invoke("stamp", "--missing-only", "--holder", "X", root)
    assert (again.exit_code, again.stdout.splitlines()[-1]) == (0, "4 already stamped")


def test_stamp_missing_only_refuses_a_tampered_article_and_counts_it(tmp_path: Path) -> None:
    root = _content_folder(tmp_path)
    tampered = (root / "b.txt").read_bytes().replace(b"twice", b"thrice")
    (root / "b.txt").write_bytes(tampered)
    result = invoke("stamp", "--missing-only", "--holder", "X", "--year", "2022", root)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "2 stamped, 1 already stamped, 1 refused"
    assert result.stderr.startswith(
        f"provenance: error: refused: {root}/b.txt: its footer does not verify (mismatch: "
    )
    assert (root / "b.txt").read_bytes() == tampered


def test_stamp_folder_without_a_flag_refuses_the_stamped_files(tmp_path: Path) -> None:
    root = _content_folder(tmp_path)
    result = invoke("stamp", "--holder", "X", "--year", "2022", root)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "2 stamped, 2 refused"
    assert result.stderr.count("already has a footer") == 2


def test_stamp_update_in_a_folder_with_include_and_exclude(tmp_path: Path) -> None:
    root = _content_folder(tmp_path)
    result = invoke(
        "stamp", "--update", "--algorithm", "sha256", "--include", "*.txt", "--exclude", "a*", root
    )
    assert (result.exit_code, result.stderr) == (0, "")
    assert [line.split("  ")[:2] for line in result.stdout.splitlines()] == [
        ["updated", f"{root}/b.txt"],
        ["updated", f"{root}/sub/d.txt"],
        ["2 updated"],
    ]
    assert (root / "a.txt").read_text() == TEXT


def test_stamp_empty_folder_says_so(tmp_path: Path) -> None:
    result = invoke("stamp", "--holder", "X", tmp_path)
    assert (result.exit_code, result.stdout) == (0, "nothing to stamp\n")


@pytest.mark.parametrize(
    "args",
    [
        ["--holder", "X", "--force"],
        ["--holder", "X", "--update", "--missing-only"],
        ["--missing-only"],
    ],
    ids=["force-without-update", "update-and-missing-only", "missing-only-without-holder"],
)
def test_conflicting_footer_flags_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    path = write(tmp_path, "a.txt", TEXT)
    assert_usage_error(invoke("stamp", *args, path))
    assert path.read_text() == TEXT


def test_hard_linked_file_is_refused_with_exit_1(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", TEXT)
    os.link(path, tmp_path / "b.txt")
    result = invoke("stamp", "--holder", "X", path)
    assert (result.exit_code, result.stdout) == (1, "1 refused\n")
    assert result.stderr == (
        f"provenance: error: refused: {path}: has 1 other hard link, which would keep the old "
        "text: a stamp replaces this name only\n"
        "hint: use --break-hard-links to stamp this name anyway\n"
    )
    assert (tmp_path / "b.txt").read_text() == path.read_text() == TEXT
    assert invoke("stamp", "--holder", "X", "--break-hard-links", path).exit_code == 0
    assert (tmp_path / "b.txt").read_text() == TEXT != path.read_text()
