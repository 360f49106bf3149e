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
