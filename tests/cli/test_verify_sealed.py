"""``provenance verify`` on sealed folders and archives: one run, every recipe."""

from __future__ import annotations

import json
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import GOOD, ROOT, assert_usage_error, invoke, junit_failures

from provenance.keys import load_private_key
from provenance.seal import seal_folder
from provenance.sign import sign_file

VECTORS = ROOT / "fixtures" / "sshsig"
ALICE = VECTORS / "ed25519"
ALICE_PUB = VECTORS / "ed25519.pub"


@pytest.fixture
def sealed(tmp_path: Path) -> Path:
    folder = tmp_path / "issue-12"
    folder.mkdir()
    for name in ("plain.txt", "crlf.txt", "sha256.txt"):
        shutil.copy(GOOD / name, folder / name)
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    seal_folder(folder, load_private_key(ALICE))
    return folder


def _json(*args: str | Path) -> tuple[int, dict[str, object]]:
    result = invoke("verify", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def _by_path(payload: dict[str, object]) -> dict[str, dict[str, object]]:
    results = payload["results"]
    assert isinstance(results, list)
    return {str(r["path"]).rsplit("/", 1)[-1]: r for r in results}


def test_intact_sealed_folder_passes_with_its_seal_signature(sealed: Path) -> None:
    status, payload = _json(sealed, "--public-key", ALICE_PUB)
    assert status == 0
    rows = _by_path(payload)
    assert rows["SHA256SUMS"]["signature"]["verdict"] == "good"  # type: ignore[index]
    assert rows["SHA256SUMS"]["verdict"] is None and rows["SHA256SUMS"]["article"] is False
    assert {rows[n]["manifest"] for n in ("plain.txt", "crlf.txt", "photo.jpg")} == {"listed"}
    assert rows["plain.txt"]["verdict"] == "ok"
    assert rows["photo.jpg"]["verdict"] is None


def test_changed_planted_and_deleted_files_fail_the_run(sealed: Path) -> None:
    plain = sealed / "plain.txt"
    plain.write_bytes(plain.read_bytes().replace(b"three winters", b"two winters"))
    (sealed / "planted.txt").write_bytes((GOOD / "bom.txt").read_bytes())
    (sealed / "crlf.txt").unlink()
    status, payload = _json(sealed, "--public-key", ALICE_PUB)
    assert status == 1
    rows = _by_path(payload)
    assert (rows["plain.txt"]["manifest"], rows["plain.txt"]["verdict"]) == ("mismatch", "mismatch")
    # A planted file fails even though its own footer is intact.
    assert (rows["planted.txt"]["manifest"], rows["planted.txt"]["verdict"]) == ("unlisted", "ok")
    assert rows["crlf.txt"]["manifest"] == "missing"
    # A changed file is reported once, as changed.
    assert [r["path"] for r in payload["results"]].count(str(plain)) == 1  # type: ignore[union-attr]


def test_a_non_article_in_a_sealed_folder_does_not_fail_strict(sealed: Path) -> None:
    result = invoke("verify", "--strict", sealed)
    assert result.exit_code == 0, result.stdout
    assert f"listed        {sealed}/photo.jpg  (not an article" in result.stdout


def test_a_tampered_manifest_breaks_the_seal_signature(sealed: Path) -> None:
    manifest = sealed / "SHA256SUMS"
    manifest.write_bytes(manifest.read_bytes() + b"0" * 64 + b"  extra.txt\n")
    result = invoke("verify", sealed, "--public-key", ALICE_PUB)
    assert result.exit_code == 1
    assert (
        f"sig-bad       {sealed}/SHA256SUMS  (the manifest of a sealed folder)  [signature bad"
        in (result.stdout)
    )


def test_archive_members_are_checked_in_place(sealed: Path, tmp_path: Path) -> None:
    archive = tmp_path / "issue-12.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(sealed, arcname="issue-12")
    sign_file(archive, load_private_key(ALICE))
    status, payload = _json(archive, "--public-key", ALICE_PUB, "--require-signature")
    assert status == 0
    paths = [r["path"] for r in payload["results"]]  # type: ignore[union-attr]
    assert str(archive) in paths  # the archive's own signature
    assert f"{archive}:issue-12/plain.txt" in paths
    assert f"{archive}:SHA256SUMS" in paths or f"{archive}:issue-12/SHA256SUMS" in paths
    assert not (tmp_path / "issue-12" / "extracted").exists()


def test_a_zip_without_seal_or_signature_gets_footer_verdicts(tmp_path: Path) -> None:
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(GOOD / "plain.txt", "plain.txt")
        zf.writestr("tampered.txt", (GOOD / "plain.txt").read_text().replace("three", "two"))
    result = invoke("verify", archive)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"ok            {archive}:plain.txt",
        f"mismatch      {archive}:tampered.txt  (expected ad4fadf536b3fa7d2af8d6e16f0fc26c, "
        "computed 95368f3d49ad590b5edc0fa339263934)",
        "2 files: 1 ok, 1 mismatch; FAILED (1 failing)",
    ]


def test_max_member_size_caps_what_a_member_may_expand_to(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.tar.gz"
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (2 << 20))
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(big, arcname="big.txt")
    result = invoke("verify", archive, "--max-member-size", "1M")
    assert result.exit_code == 1
    assert result.stdout.startswith("unreadable")


def test_a_bad_max_member_size_is_a_usage_error(tmp_path: Path) -> None:
    assert_usage_error(invoke("verify", tmp_path, "--max-member-size", "lots"))


def test_files_folders_and_seals_in_one_run_keep_command_line_order(
    sealed: Path, tmp_path: Path
) -> None:
    result = invoke("verify", GOOD / "plain.txt", sealed, GOOD / "crlf.txt")
    lines = result.stdout.splitlines()
    assert lines[0].endswith("good/plain.txt")
    assert lines[-2].endswith("good/crlf.txt")
    assert any(f"{sealed}/plain.txt" in line for line in lines[1:-2])


# --- The first column says what fails a file (SPEC.md §5.3) ---


def test_a_planted_file_with_an_intact_footer_says_sums_unlisted(sealed: Path) -> None:
    shutil.copy(GOOD / "bom.txt", sealed / "planted.txt")
    full = invoke("verify", sealed, "--public-key", ALICE_PUB)
    assert full.exit_code == 1
    lines = full.stdout.splitlines()
    # The column widens for the longer word, so that paths stay aligned.
    assert f"sums-unlisted  {sealed}/planted.txt  [SHA256SUMS: unlisted]" in lines
    assert f"ok             {sealed}/plain.txt" in lines

    quiet = invoke("verify", "-q", sealed, "--public-key", ALICE_PUB)
    assert quiet.stdout.splitlines()[:-1] == [
        f"sums-unlisted  {sealed}/planted.txt  [SHA256SUMS: unlisted]"
    ]

    github = invoke("verify", "--format", "github", "-q", sealed, "--public-key", ALICE_PUB)
    (annotation,) = github.stdout.splitlines()[:-1]
    assert annotation.startswith("::error file=")
    assert "planted.txt" in annotation and "title=provenance SHA256SUMS unlisted" in annotation

    junit = invoke("verify", "--format", "junit", sealed, "--public-key", ALICE_PUB)
    assert junit_failures(junit.stdout) == {
        "planted.txt": ("sums-unlisted", "ok, but SHA256SUMS: unlisted")
    }


def test_a_changed_and_a_missing_entry_name_the_seal_not_the_footer(sealed: Path) -> None:
    # The article is rewritten to another intact article: only the seal can tell.
    shutil.copy(GOOD / "sha256.txt", sealed / "plain.txt")
    (sealed / "crlf.txt").unlink()
    quiet = invoke("verify", "-q", sealed)
    assert quiet.exit_code == 1
    words = {
        line.split()[1].rsplit("/", 1)[1]: line.split()[0]
        for line in quiet.stdout.splitlines()[:-1]
    }
    assert words == {"plain.txt": "sums-mismatch", "crlf.txt": "missing"}


def test_a_broken_seal_signature_says_sig_bad_on_the_manifest_row(sealed: Path) -> None:
    manifest = sealed / "SHA256SUMS"
    manifest.write_bytes(manifest.read_bytes().replace(b"crlf.txt", b"crlF.txt"))
    (sealed / "crlF.txt").write_bytes((sealed / "crlf.txt").read_bytes())
    (sealed / "crlf.txt").unlink()
    result = invoke("verify", "-q", sealed, "--public-key", ALICE_PUB)
    assert result.exit_code == 1
    line, *articles = result.stdout.splitlines()[:-1]
    assert line.startswith(f"sig-bad       {sealed}/SHA256SUMS  (the manifest of a sealed folder)")
    # A seal whose signature is bad covers nothing: its articles have no good signature.
    assert articles and all(row.startswith("sig-missing ") for row in articles)
    junit = invoke("verify", "--format", "junit", sealed, "--public-key", ALICE_PUB)
    kind, message = junit_failures(junit.stdout)["SHA256SUMS"]
    assert kind == "sig-bad" and message.startswith("signature bad: ")


def test_a_signed_sha512sums_seals_a_folder_and_its_row_names_it(tmp_path: Path) -> None:
    import hashlib

    from provenance.sign import sign_bytes

    folder = tmp_path / "issue"
    folder.mkdir()
    shutil.copy(GOOD / "plain.txt", folder / "plain.txt")
    digest = hashlib.sha512((folder / "plain.txt").read_bytes()).hexdigest()
    manifest = f"SHA512 (plain.txt) = {digest}\n".encode()
    (folder / "SHA512SUMS").write_bytes(manifest)
    (folder / "SHA512SUMS.sig").write_text(sign_bytes(manifest, load_private_key(ALICE)))
    result = invoke("verify", folder, "--public-key", ALICE_PUB)
    assert result.exit_code == 0, result.output
    assert (
        f"{folder}/SHA512SUMS  (the manifest of a sealed folder)  [signature good" in result.stdout
    )
    (folder / "SHA512SUMS").write_bytes(manifest.replace(b"plain", b"PLAIN"))
    result = invoke("verify", folder, "--public-key", ALICE_PUB)
    assert result.exit_code == 1
    rows = [line.split()[:2] for line in result.stdout.splitlines()]
    assert ["sig-bad", f"{folder}/SHA512SUMS"] in rows
