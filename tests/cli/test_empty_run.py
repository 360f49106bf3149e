"""A run that checks no file fails (exit 1, ``no files checked``), unless --allow-empty.

An empty folder, a mistyped --include, a folder of photos: ``sha256sum -c`` of an empty list
fails too. What counts as checked: an article's footer, or a file checked against a
SHA256SUMS. A seal's or an archive's own signature, alone, checks no file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import article, invoke, write

from provenance.keys import SigningKey
from provenance.seal import seal_folder
from provenance.sign import sign_bytes


def test_an_empty_folder_fails(tmp_path: Path) -> None:
    result = invoke("verify", tmp_path)
    assert (result.exit_code, result.stdout) == (1, "no files checked; FAILED\n")


def test_a_mistyped_include_fails(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", article().data())
    result = invoke("verify", "--include", "*.tx", tmp_path)
    assert (result.exit_code, result.stdout) == (1, "no files checked; FAILED\n")


def test_a_folder_of_photos_fails(tmp_path: Path) -> None:
    write(tmp_path, "a.png", b"\x89PNG\r\n\x1a\n")
    write(tmp_path, "b.jpg", b"\xff\xd8\xff\xe0")
    result = invoke("verify", tmp_path)
    assert (result.exit_code, result.stdout) == (1, "no files checked; FAILED\n")


def test_allow_empty_flag_and_config_key_keep_the_old_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "empty").mkdir()
    result = invoke("verify", "--allow-empty", tmp_path / "empty")
    assert (result.exit_code, result.stdout) == (0, "no files to check\n")
    write(tmp_path, "provenance.toml", "allow_empty = true\n")
    monkeypatch.chdir(tmp_path)
    assert invoke("verify", "empty").exit_code == 0
    result = invoke("verify", "--no-allow-empty", "empty")  # The flag beats the file.
    assert (result.exit_code, result.stdout) == (1, "no files checked; FAILED\n")


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_machine_formats_say_passed_false(tmp_path: Path, fmt: str) -> None:
    result = invoke("verify", "--format", fmt, tmp_path)
    assert result.exit_code == 1
    summary = json.loads(result.stdout.splitlines()[-1] if fmt == "jsonl" else result.stdout)
    assert (summary["total"], summary["failed"], summary["passed"]) == (0, 0, False)
    allowed = invoke("verify", "--format", fmt, "--allow-empty", tmp_path)
    assert allowed.exit_code == 0
    summary = json.loads(allowed.stdout.splitlines()[-1] if fmt == "jsonl" else allowed.stdout)
    assert summary["passed"] is True


def test_a_sealed_folder_of_one_photo_is_a_check(tmp_path: Path, key: SigningKey) -> None:
    root = tmp_path / "photos"
    write(root, "img/photo.png", b"\x89PNG\r\n\x1a\n")
    seal_folder(root, key)
    result = invoke("verify", root)
    assert result.exit_code == 0, result.stdout
    assert "; passed; seal signatures not checked" in result.stdout.splitlines()[-1]
    (root / "img" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\nedited")
    assert invoke("verify", root).exit_code == 1


def test_a_seal_signature_alone_checks_no_file(tmp_path: Path, key: SigningKey) -> None:
    # A well-signed empty manifest: the signature is good, and no file was checked.
    root = tmp_path / "issue"
    root.mkdir()
    (root / "SHA256SUMS").write_bytes(b"")
    (root / "SHA256SUMS.sig").write_text(sign_bytes(b"", key))
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice@example.com {key.public.to_openssh()}\n")
    result = invoke("verify", "--allowed-signers", allowed, root)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        "1 file: 1 not an article; signatures: 1 good; FAILED (no files checked)"
    )
