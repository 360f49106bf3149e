"""``provenance seal``: exit codes and exact output, through CliRunner and a real process."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.keys import SigningKey, generate_key
from tests.conftest import article, assert_usage_error, invoke, write

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def key(tmp_path: Path) -> tuple[Path, SigningKey]:
    (tmp_path / "keys").mkdir()
    path = tmp_path / "keys" / "alice"
    return path, generate_key(path, comment="alice@example.com")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "issue"
    write(root, "a.txt", article().data())
    write(root, "docs/b.txt", b"bee\n")
    return root


def test_seal_writes_the_pair_and_says_so(folder: Path, key: tuple[Path, SigningKey]) -> None:
    path, signing = key
    result = invoke("seal", folder, "-k", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"sealed {folder}: 2 files listed in SHA256SUMS, signed in SHA256SUMS.sig "
        f"by {signing.public.fingerprint} (namespace 'file')\n"
    )
    assert result.stderr == ""
    assert (folder / "SHA256SUMS").is_file() and (folder / "SHA256SUMS.sig").is_file()


def test_sealed_folder_is_refused_exit_3_then_forced(
    folder: Path, key: tuple[Path, SigningKey]
) -> None:
    path, _ = key
    assert invoke("seal", folder, "-k", path).exit_code == 0
    before = (folder / "SHA256SUMS.sig").read_bytes()
    refused = invoke("seal", folder, "-k", path)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"provenance: error: {folder} is already sealed (SHA256SUMS exists); "
        "refusing to seal it again\nhint: use --force to replace the seal\n"
    )
    assert (folder / "SHA256SUMS.sig").read_bytes() == before
    forced = invoke("seal", folder, "-k", path, "-n", "archive", "--force")
    assert forced.exit_code == 0
    assert forced.stdout.startswith(f"resealed {folder}: 2 files")
    assert forced.stdout.endswith("(namespace 'archive')\n")


def test_symlink_in_folder_is_a_usage_error(
    folder: Path, key: tuple[Path, SigningKey], tmp_path: Path
) -> None:
    (folder / "link.txt").symlink_to(tmp_path)
    result = invoke("seal", folder, "-k", key[0])
    assert_usage_error(result)
    assert "link.txt (symbolic link)" in result.stderr
    assert not (folder / "SHA256SUMS").exists()


def test_usage_errors(folder: Path, key: tuple[Path, SigningKey], tmp_path: Path) -> None:
    assert_usage_error(invoke("seal", folder))
    assert_usage_error(invoke("seal", tmp_path / "absent", "-k", key[0]))
    assert_usage_error(invoke("seal", folder / "a.txt", "-k", key[0]))
    assert_usage_error(invoke("seal", folder, "-k", tmp_path / "no-key"))


def test_not_a_key_is_a_usage_error(folder: Path, tmp_path: Path) -> None:
    not_key = write(tmp_path, "not-a-key", b"hello\n")
    assert_usage_error(invoke("seal", folder, "-k", not_key))
    assert not (folder / "SHA256SUMS").exists()


def test_passphrase_from_file_and_from_prompt(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    path = tmp_path / "keys" / "locked"
    generate_key(path, passphrase=PASSPHRASE)
    secret = write(tmp_path, "secret", f"{PASSPHRASE}\n")
    wrong = write(tmp_path, "wrong", "nope\n")
    assert_usage_error(invoke("seal", folder, "-k", path, "--passphrase-file", wrong))
    assert invoke("seal", folder, "-k", path, "--passphrase-file", secret).exit_code == 0
    # Without a terminal and without a file, the key cannot be opened: one clear line.
    result = CliRunner().invoke(cli, ["seal", str(folder), "-k", str(path), "--force"])
    assert_usage_error(result)
    assert "passphrase" in result.stderr


def test_installed_command_seals(folder: Path, key: tuple[Path, SigningKey]) -> None:
    command = shutil.which("provenance")
    assert command is not None, "the provenance entry point is not installed"
    done = subprocess.run(
        [command, "seal", str(folder), "-k", str(key[0])], capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith(f"sealed {folder}: 2 files listed in SHA256SUMS")


# Sealing choices and bags (issue 18 items 4 and 6).


def test_exclude_leaves_paths_out_and_verify_takes_the_same_patterns(
    folder: Path, key: tuple[Path, SigningKey]
) -> None:
    path, _ = key
    write(folder, ".git/config", b"[core]\n")
    write(folder, "build.log", b"log\n")
    sealed = invoke("seal", folder, "-k", path, "--exclude", ".git/", "--exclude", "*.log")
    assert sealed.exit_code == 0, sealed.output
    assert "2 files listed" in sealed.stdout
    assert b".git" not in (folder / "SHA256SUMS").read_bytes()
    # Without the patterns verify reports what the seal left out as planted...
    plain = invoke("verify", folder)
    assert plain.exit_code == 1 and "unlisted" in plain.stdout
    # ...with them, it does not; a listed file is still checked whatever the patterns say.
    excluded = invoke("verify", folder, "--exclude", ".git/", "--exclude", "*.log")
    assert excluded.exit_code == 0, excluded.output
    (folder / "docs" / "b.txt").write_bytes(b"changed\n")
    changed = invoke(
        "verify", folder, "--exclude", ".git/", "--exclude", "*.log", "--exclude", "docs/"
    )
    assert changed.exit_code == 1 and "mismatch" in changed.stdout


def test_nothing_is_excluded_by_default_hidden_files_and_git_included(
    folder: Path, key: tuple[Path, SigningKey]
) -> None:
    path, _ = key
    write(folder, ".git/hooks/post-checkout", b"#!/bin/sh\n")
    assert invoke("seal", folder, "-k", path).exit_code == 0
    assert b".git/hooks/post-checkout" in (folder / "SHA256SUMS").read_bytes()


def test_an_exclude_pattern_that_can_never_match_is_a_usage_error(
    folder: Path, key: tuple[Path, SigningKey]
) -> None:
    assert_usage_error(invoke("seal", folder, "-k", key[0], "--exclude", "../x"))


def test_update_shows_what_changed_and_reseals(folder: Path, key: tuple[Path, SigningKey]) -> None:
    path, _ = key
    assert invoke("seal", folder, "-k", path).exit_code == 0
    write(folder, "new.txt", b"new\n")
    (folder / "docs" / "b.txt").write_bytes(b"changed\n")
    (folder / "a.txt").unlink()
    updated = invoke("seal", folder, "-k", path, "--update")
    assert updated.exit_code == 0, updated.output
    assert updated.stdout.splitlines()[:3] == [
        "added: new.txt",
        "removed: a.txt",
        "changed: docs/b.txt",
    ]
    assert updated.stdout.splitlines()[3].startswith(f"resealed {folder}: 2 files listed")
    assert invoke("verify", folder).exit_code == 0
    again = invoke("seal", folder, "-k", path, "--update")
    assert again.stdout == f"unchanged {folder}: the seal already lists every file as it is\n"


def test_update_refuses_a_seal_that_does_not_verify_unless_forced(
    folder: Path, key: tuple[Path, SigningKey]
) -> None:
    path, _ = key
    assert invoke("seal", folder, "-k", path).exit_code == 0
    # Someone changed a file and rewrote SHA256SUMS to match: re-sealing must not launder it.
    (folder / "a.txt").write_bytes(b"forged\n")
    manifest = (folder / "SHA256SUMS").read_bytes().decode()
    import hashlib

    digest = hashlib.sha256(b"forged\n").hexdigest()
    lines = [
        f"{digest}  a.txt" if line.endswith("  a.txt") else line for line in manifest.splitlines()
    ]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    before = (folder / "SHA256SUMS.sig").read_bytes()
    refused = invoke("seal", folder, "-k", path, "--update")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        f"provenance: error: cannot update the seal of {folder}: the old seal does not verify "
        "(SHA256SUMS.sig: "
    )
    assert (folder / "SHA256SUMS.sig").read_bytes() == before
    forced = invoke("seal", folder, "-k", path, "--update", "--force")
    assert forced.exit_code == 0 and "changed: a.txt" not in forced.stdout


def test_update_of_a_folder_that_is_not_sealed_is_an_error(
    folder: Path, key: tuple[Path, SigningKey]
) -> None:
    result = invoke("seal", folder, "-k", key[0], "--update")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"provenance: error: {folder} is not sealed")


def test_seal_bagit_makes_a_signed_bag_that_verify_checks(
    folder: Path, key: tuple[Path, SigningKey], tmp_path: Path
) -> None:
    path, signing = key
    made = invoke("seal", folder, "-k", path, "--bagit")
    assert made.exit_code == 0, made.output
    assert made.stdout == (
        f"bagged {folder}: 2 files moved into data/ and listed in manifest-sha256/sha512.txt, "
        f"signed in tagmanifest-sha256.txt.sig by {signing.public.fingerprint} "
        "(namespace 'file')\n"
    )
    assert (folder / "data" / "docs" / "b.txt").read_bytes() == b"bee\n"
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice@example.com {signing.public.to_openssh()}\n")
    good = invoke("verify", folder, "--allowed-signers", allowed)
    assert good.exit_code == 0, good.output
    assert "signature good by alice@example.com" in good.stdout
    (folder / "data" / "docs" / "b.txt").write_bytes(b"changed\n")
    bad = invoke("verify", folder, "--allowed-signers", allowed)
    assert bad.exit_code == 1 and "changed since bagged" in bad.stdout
    again = invoke("seal", folder, "-k", path, "--bagit")
    assert again.exit_code == 1 and "is a bag already" in again.stderr


def test_seal_bagit_takes_no_exclude(folder: Path, key: tuple[Path, SigningKey]) -> None:
    result = invoke("seal", folder, "-k", key[0], "--bagit", "--exclude", "*.log")
    assert result.exit_code == 2 and "--bagit makes a new bag" in result.stderr
    assert not (folder / "data").exists()


def test_seal_bagit_refuses_a_link_and_moves_nothing(
    folder: Path, key: tuple[Path, SigningKey]
) -> None:
    import os

    os.symlink("a.txt", folder / "link.txt")
    result = invoke("seal", folder, "-k", key[0], "--bagit")
    assert result.exit_code == 2 and "link.txt (symbolic link)" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt", "docs", "link.txt"]


def test_json_reports_of_update_and_bagit_carry_their_fields(
    folder: Path, key: tuple[Path, SigningKey], tmp_path: Path
) -> None:
    import json

    path, _ = key
    assert invoke("seal", folder, "-k", path).exit_code == 0
    write(folder, "new.txt", b"new\n")
    updated = json.loads(invoke("seal", folder, "-k", path, "--update", "--format", "json").stdout)
    [entry] = updated["results"]
    assert (entry["action"], entry["added"], entry["removed"], entry["changed"]) == (
        "resealed",
        ["new.txt"],
        [],
        [],
    )
    again = json.loads(invoke("seal", folder, "-k", path, "--update", "--format", "json").stdout)
    assert again["counts"] == {"unchanged": 1}
    other = tmp_path / "other"
    write(other, "a.txt", b"a\n")
    bagged = json.loads(invoke("seal", other, "-k", path, "--bagit", "--format", "json").stdout)
    [entry] = bagged["results"]
    assert (entry["action"], entry["files"], entry["algorithms"]) == (
        "bagged",
        1,
        ["sha256", "sha512"],
    )


def test_seal_leaves_a_sha512sums_beside_it_out_and_verify_checks_both(
    folder: Path, key: tuple[Path, SigningKey]
) -> None:
    import hashlib

    path, _ = key
    lines = [
        f"{hashlib.sha512((folder / name).read_bytes()).hexdigest()}  {name}\n"
        for name in ("a.txt", "docs/b.txt")
    ]
    (folder / "SHA512SUMS").write_text("".join(lines))
    result = invoke("seal", folder, "-k", path)
    assert result.exit_code == 0, result.output
    assert "2 files listed in SHA256SUMS" in result.stdout
    assert "SHA512SUMS" not in (folder / "SHA256SUMS").read_text()
    trust = path.with_suffix(".pub")
    assert invoke("verify", folder, "--public-key", trust).exit_code == 0
    # A stale SHA512SUMS fails the seal although SHA256SUMS is good and signed.
    (folder / "SHA512SUMS").write_text(lines[0])
    result = invoke("verify", folder, "--public-key", trust)
    assert result.exit_code == 1 and "not listed in SHA512SUMS" in result.stdout
