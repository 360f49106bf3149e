"""Sealed folders and archives against the stock tools: sha256sum, ssh-keygen, tar, zip.

What ``provenance seal`` writes must pass ``sha256sum --strict -c`` and ``ssh-keygen -Y verify``
run by hand, as docs/archives.md tells users to; archives made by the real tar must check in
place. These tests never skip in CI (``CI`` set): a missing tool fails there.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from provenance.allowed_signers import load_allowed_signers
from provenance.archive import check_archive
from provenance.keys import load_private_key
from provenance.model import ManifestVerdict, SignatureVerdict, Verdict
from provenance.options import VerifyOptions
from provenance.seal import seal_folder
from provenance.sealed import check_sealed_folder
from tests.conftest import article, stock_tool, write


def tool(name: str) -> str:
    return stock_tool(name)


def run(
    args: list[str], *, cwd: Path | None = None, stdin: bytes = b""
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, check=False)


@pytest.fixture
def keypair(tmp_path: Path) -> tuple[Path, Path]:
    """A key made by ssh-keygen itself, and an allowed_signers file naming it."""
    keys = tmp_path / "keys"
    keys.mkdir()
    private = keys / "id_ed25519"
    made = run(
        [tool("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", "who", "-f", str(private)]
    )
    assert made.returncode == 0, made.stderr
    allowed = keys / "allowed_signers"
    allowed.write_text(f"who {(keys / 'id_ed25519.pub').read_text()}")
    return private, allowed


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "issue"
    write(root, "a.txt", article().data())
    write(root, "docs/b.md", article(holder="Other Press").data())
    write(root, "img/photo.jpg", b"\xff\xd8\xff\xe0binary")
    write(root, "with space.txt", b"space\n")
    write(root, "new\nline.txt", b"newline\n")
    write(root, "back\\slash.txt", b"backslash\n")
    write(root, "caf\u00e9.txt", b"nfc\n")
    write(root, ".hidden", b"hidden\n")
    return root


def test_sha256sum_strict_check_passes_inside_a_sealed_folder(
    folder: Path, keypair: tuple[Path, Path]
) -> None:
    seal_folder(folder, load_private_key(keypair[0]))
    checked = run([tool("sha256sum"), "--strict", "-c", "SHA256SUMS"], cwd=folder)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(b": OK\n") == 8


def test_sha256sum_fails_on_a_changed_file_too(folder: Path, keypair: tuple[Path, Path]) -> None:
    seal_folder(folder, load_private_key(keypair[0]))
    (folder / "docs/b.md").write_bytes(b"changed")
    checked = run([tool("sha256sum"), "--strict", "-c", "SHA256SUMS"], cwd=folder)
    assert checked.returncode == 1
    assert b"docs/b.md: FAILED" in checked.stdout


def test_our_manifest_matches_what_sha256sum_writes(
    folder: Path, keypair: tuple[Path, Path]
) -> None:
    seal_folder(folder, load_private_key(keypair[0]))
    names = sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path.name not in ("SHA256SUMS", "SHA256SUMS.sig")
    )
    theirs = run([tool("sha256sum"), "--", *names], cwd=folder)
    assert theirs.returncode == 0
    assert (folder / "SHA256SUMS").read_bytes() == theirs.stdout


@pytest.mark.parametrize("namespace", ["file", "archive@example.com"])
def test_ssh_keygen_verifies_the_manifest_signature(
    folder: Path, keypair: tuple[Path, Path], namespace: str
) -> None:
    private, allowed = keypair
    seal_folder(folder, load_private_key(private), namespace)
    verified = run(
        [
            tool("ssh-keygen"),
            "-Y",
            "verify",
            "-f",
            str(allowed),
            "-I",
            "who",
            "-n",
            namespace,
            "-s",
            "SHA256SUMS.sig",
        ],
        cwd=folder,
        stdin=(folder / "SHA256SUMS").read_bytes(),
    )
    assert verified.returncode == 0, verified.stderr
    assert b'Good "' + namespace.encode() + b'" signature for who' in verified.stdout


def test_ssh_keygen_signed_manifest_is_good_for_us(
    folder: Path, keypair: tuple[Path, Path]
) -> None:
    """A folder sealed by hand with the stock tools checks as sealed with provenance."""
    private, allowed = keypair
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    manifest = run([tool("sha256sum"), "--", *names], cwd=folder).stdout
    (folder / "SHA256SUMS").write_bytes(manifest)
    signed = run(
        [
            tool("ssh-keygen"),
            "-Y",
            "sign",
            "-f",
            str(private),
            "-n",
            "file",
            str(folder / "SHA256SUMS"),
        ]
    )
    assert signed.returncode == 0, signed.stderr
    found = check_sealed_folder(folder, VerifyOptions(policy=load_allowed_signers(allowed)))
    assert found.signature is not None and found.signature.verdict is SignatureVerdict.GOOD
    assert found.signature.principal == "who"
    assert {r.manifest for r in found.results} == {ManifestVerdict.LISTED}
    assert not found.failed(require_signature=True)


@pytest.mark.parametrize(
    ("name", "flags"),
    [("x.tar", "-cf"), ("x.tar.gz", "-czf"), ("x.tar.xz", "-cJf"), ("x.tar.bz2", "-cjf")],
)
@pytest.mark.parametrize("layout", ["dot", "folder"])
def test_real_tar_archives_of_a_sealed_folder_check_in_place(
    folder: Path, keypair: tuple[Path, Path], tmp_path: Path, name: str, flags: str, layout: str
) -> None:
    private, allowed = keypair
    seal_folder(folder, load_private_key(private))
    archive = tmp_path / name
    if layout == "dot":
        made = run([tool("tar"), flags, str(archive), "-C", str(folder), "."])
    else:
        made = run([tool("tar"), flags, str(archive), "-C", str(tmp_path), "issue"])
    assert made.returncode == 0, made.stderr
    signed = run([tool("ssh-keygen"), "-Y", "sign", "-f", str(private), "-n", "file", str(archive)])
    assert signed.returncode == 0, signed.stderr
    before = sorted(os.listdir(tmp_path))
    found = check_archive(archive, VerifyOptions(policy=load_allowed_signers(allowed)))
    assert sorted(os.listdir(tmp_path)) == before  # nothing extracted
    assert found.archive_signature is not None
    assert found.archive_signature.verdict is SignatureVerdict.GOOD
    assert found.manifest_signature is not None
    assert found.manifest_signature.verdict is SignatureVerdict.GOOD
    assert len(found.results) == 8
    assert {r.manifest for r in found.results} == {ManifestVerdict.LISTED}
    assert not found.failed(require_signature=True)


def test_real_tar_with_symlink_and_hardlink_members(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write(source, "a.txt", article().data())
    (source / "link.txt").symlink_to("/etc/passwd")
    os.link(source / "a.txt", source / "hard.txt")
    archive = tmp_path / "links.tar.gz"
    made = run([tool("tar"), "-czf", str(archive), "-C", str(source), "."])
    assert made.returncode == 0, made.stderr
    results = {r.path: r for r in check_archive(archive).results}
    assert results["link.txt"].verdict is Verdict.UNREADABLE
    assert results["link.txt"].detail == "symbolic link to '/etc/passwd': never followed"
    # tar stores the second name of a file as a hard link to the first.
    linked = [r for r in results.values() if r.detail.startswith("hard link to")]
    assert len(linked) == 1


def test_real_zip_of_a_sealed_folder(
    folder: Path, keypair: tuple[Path, Path], tmp_path: Path
) -> None:
    private, allowed = keypair
    seal_folder(folder, load_private_key(private))
    archive = tmp_path / "x.zip"
    made = run([tool("zip"), "-qr", str(archive), "."], cwd=folder)
    assert made.returncode == 0, made.stderr
    found = check_archive(archive, VerifyOptions(policy=load_allowed_signers(allowed)))
    assert found.manifest_signature is not None
    assert found.manifest_signature.verdict is SignatureVerdict.GOOD
    assert {r.manifest for r in found.results} == {ManifestVerdict.LISTED}
