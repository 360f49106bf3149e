"""``provenance keygen`` and ``provenance sign`` through the command line."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
from conftest import GOOD, assert_usage_error, invoke


def _keygen(tmp_path: Path, name: str = "id", *extra: str) -> Path:
    key = tmp_path / name
    result = invoke("keygen", "-f", key, "-C", "alice@example.com", *extra)
    assert result.exit_code == 0, result.output
    return key


def test_keygen_writes_an_openssh_key_pair(tmp_path: Path) -> None:
    key = tmp_path / "id"
    result = invoke("keygen", "-f", key, "-C", "alice@example.com", "--no-passphrase")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"wrote {key} and {key}.pub  SHA256:")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    pub = (tmp_path / "id.pub").read_text()
    assert pub.startswith("ssh-ed25519 ") and pub.endswith(" alice@example.com\n")


def test_keygen_with_passphrase_file_encrypts_the_key(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("correct horse\n")
    key = _keygen(tmp_path, "id", "--passphrase-file", str(secret))
    # ssh-keygen refuses to read the key without the passphrase, and reads it with it.
    without = subprocess.run(
        ["ssh-keygen", "-y", "-P", "", "-f", str(key)], capture_output=True, check=False
    )
    assert without.returncode != 0
    with_it = subprocess.run(
        ["ssh-keygen", "-y", "-P", "correct horse", "-f", str(key)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert with_it.stdout.split()[1] == (tmp_path / "id.pub").read_text().split()[1]


def test_keygen_without_a_passphrase_choice_off_a_terminal_is_a_usage_error(
    tmp_path: Path,
) -> None:
    result = invoke("keygen", "-f", tmp_path / "id")
    assert_usage_error(result)
    assert "no passphrase given" in result.stderr
    assert not (tmp_path / "id").exists()


def test_keygen_refuses_to_overwrite(tmp_path: Path) -> None:
    key = _keygen(tmp_path, "id", "--no-passphrase")
    before = key.read_bytes()
    result = invoke("keygen", "-f", key, "--no-passphrase")
    assert result.exit_code == 1
    assert result.stderr.startswith("provenance: error: ")
    assert "already exists" in result.stderr
    assert key.read_bytes() == before


def test_sign_writes_a_sig_that_ssh_keygen_verifies(tmp_path: Path) -> None:
    key = _keygen(tmp_path, "id", "--no-passphrase")
    article = tmp_path / "plain.txt"
    article.write_bytes((GOOD / "plain.txt").read_bytes())
    result = invoke("sign", article, "-k", key)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"signed  {article}  -> {article}.sig  (SHA256:")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice@example.com {(tmp_path / 'id.pub').read_text()}")
    check = subprocess.run(
        [
            "ssh-keygen",
            "-Y",
            "verify",
            "-f",
            str(allowed),
            "-I",
            "alice@example.com",
            "-n",
            "file",
            "-s",
            f"{article}.sig",
        ],
        input=article.read_bytes(),
        capture_output=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_sign_refuses_an_existing_sig_without_force(tmp_path: Path) -> None:
    key = _keygen(tmp_path, "id", "--no-passphrase")
    article = tmp_path / "a.txt"
    article.write_text("text\n")
    sig = tmp_path / "a.txt.sig"
    sig.write_text("old")
    result = invoke("sign", article, "-k", key)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"provenance: error: {sig} already exists; refusing to overwrite it",
        "hint: use --force to replace it",
    ]
    assert sig.read_text() == "old"
    assert invoke("sign", article, "-k", key, "--force").exit_code == 0
    assert sig.read_text().startswith("-----BEGIN SSH SIGNATURE-----")


def test_sign_with_an_encrypted_key_and_no_passphrase_off_a_terminal(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    key = _keygen(tmp_path, "id", "--passphrase-file", str(secret))
    article = tmp_path / "a.txt"
    article.write_text("text\n")
    result = invoke("sign", article, "-k", key)
    assert_usage_error(result)
    assert "passphrase" in result.stderr
    assert not (tmp_path / "a.txt.sig").exists()
    assert invoke("sign", article, "-k", key, "--passphrase-file", secret).exit_code == 0


@pytest.mark.parametrize("key_file", ["rsa", "ecdsa-p256"])
def test_sign_with_a_non_ed25519_key_says_so(key_file: str, tmp_path: Path) -> None:
    key = Path(__file__).resolve().parents[2] / "fixtures" / "sshsig" / key_file
    article = tmp_path / "a.txt"
    article.write_text("text\n")
    result = invoke("sign", article, "-k", key)
    assert_usage_error(result)
    assert "Ed25519" in result.stderr


def test_sign_with_a_missing_key_is_a_usage_error(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("text\n")
    result = invoke("sign", article, "-k", tmp_path / "nope")
    assert_usage_error(result)


def test_sign_a_folder_signs_what_verify_checks_and_counts_refusals(tmp_path: Path) -> None:
    key = _keygen(tmp_path, "id", "--no-passphrase")
    root = tmp_path / "issue"
    (root / "sub").mkdir(parents=True)
    for name in ("a.txt", "sub/b.md", "photo.jpg", "sub/SHA256SUMS", ".hidden.txt"):
        (root / name).write_text("text\n")
    (root / "sub" / "b.md.sig").write_text("old")
    result = invoke("sign", root, "-k", key)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"signed  {root}/a.txt  -> {root}/a.txt.sig  (SHA256:")
    assert lines[1:] == ["1 signed, 1 refused"]
    assert result.stderr.splitlines()[0] == (
        f"provenance: error: {root}/sub/b.md.sig already exists; refusing to overwrite it"
    )
    assert sorted(p.name for p in root.rglob("*.sig")) == ["a.txt.sig", "b.md.sig"]
    assert (root / "sub" / "b.md.sig").read_text() == "old"
    forced = invoke("sign", root, "-k", key, "--force", "--exclude", "a.txt")
    assert (forced.exit_code, forced.stdout.splitlines()[-1]) == (0, "1 signed")
    assert (root / "sub" / "b.md.sig").read_text().startswith("-----BEGIN SSH SIGNATURE-----")
    # A SHA256SUMS seals its folder for verify (SPEC.md §9): this one was only there to show
    # that sign never signs it.
    (root / "sub" / "SHA256SUMS").unlink()
    checked = invoke("verify", root, "--public-key", f"{key}.pub", "--require-signature")
    assert checked.stdout.splitlines()[-1].endswith("signatures: 2 good; passed")
