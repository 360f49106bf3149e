"""BSD (``--tag``) and SHA-512 checksum files as coreutils writes them (issue 18 item 5).

``sha256sum --tag``, ``sha512sum`` and ``sha512sum --tag`` write the files; provenance must
read every line they write, and agree with ``sha256sum -c`` on a changed file. Never skipped
in CI (``CI`` set): a missing tool fails there.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from provenance.manifest import parse
from provenance.model import ManifestVerdict
from provenance.sealed import check_sealed_folder
from tests.conftest import article, write
from tests.interop.test_sealed_stock_tools import run, tool

NAMES = ["a.txt", "docs/b.md", "with space.txt", "new\nline.txt", "back\\slash.txt", "odd) = (x"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "issue"
    for number, name in enumerate(NAMES):
        write(root, name, article().data() if name == "a.txt" else f"file {number}\n".encode())
    return root


@pytest.mark.parametrize(
    ("command", "algorithm", "bsd"),
    [("sha256sum", "sha256", True), ("sha512sum", "sha512", False), ("sha512sum", "sha512", True)],
)
def test_every_line_coreutils_writes_is_read(
    folder: Path, command: str, algorithm: str, bsd: bool
) -> None:
    args = [tool(command), *(["--tag"] if bsd else []), "--", *NAMES]
    made = run(args, cwd=folder)
    assert made.returncode == 0, made.stderr
    manifest = parse(made.stdout, algorithm)
    assert not manifest.problems, manifest.problems
    assert manifest.form.bsd is bsd and manifest.form.algorithm == algorithm
    assert {e.path: e.digest for e in manifest} == {
        name: hashlib.new(algorithm, (folder / name).read_bytes()).hexdigest() for name in NAMES
    }


def test_a_bsd_sha256sums_seals_a_folder_and_agrees_with_sha256sum_c(folder: Path) -> None:
    made = run([tool("sha256sum"), "--tag", "--", *NAMES], cwd=folder)
    (folder / "SHA256SUMS").write_bytes(made.stdout)
    assert run([tool("sha256sum"), "--strict", "-c", "SHA256SUMS"], cwd=folder).returncode == 0
    check = check_sealed_folder(folder)
    assert not check.failed()
    assert {r.manifest for r in check.results} == {ManifestVerdict.LISTED}

    (folder / "docs/b.md").write_bytes(b"changed\n")
    stock = run([tool("sha256sum"), "--strict", "-c", "SHA256SUMS"], cwd=folder)
    assert stock.returncode == 1 and b"docs/b.md: FAILED" in stock.stdout
    check = check_sealed_folder(folder)
    assert check.failed()
    changed = [r.path for r in check.results if r.manifest is ManifestVerdict.MISMATCH]
    assert changed == [str(folder / "docs/b.md")]


@pytest.mark.parametrize("bsd", [False, True], ids=["gnu", "tag"])
def test_a_sha512sums_seals_a_folder_and_agrees_with_sha512sum_c(folder: Path, bsd: bool) -> None:
    made = run([tool("sha512sum"), *(["--tag"] if bsd else []), "--", *NAMES], cwd=folder)
    (folder / "SHA512SUMS").write_bytes(made.stdout)
    assert run([tool("sha512sum"), "--strict", "-c", "SHA512SUMS"], cwd=folder).returncode == 0
    check = check_sealed_folder(folder)
    assert not check.failed(), [r.detail for r in check.results if r.failed()]
    assert {r.manifest for r in check.results} == {ManifestVerdict.LISTED}
    assert len(check.results) == len(NAMES)

    (folder / "docs/b.md").write_bytes(b"changed\n")
    stock = run([tool("sha512sum"), "--strict", "-c", "SHA512SUMS"], cwd=folder)
    assert stock.returncode == 1 and b"docs/b.md: FAILED" in stock.stdout
    check = check_sealed_folder(folder)
    assert check.failed()
    (changed,) = [r for r in check.results if r.manifest is ManifestVerdict.MISMATCH]
    assert changed.path == str(folder / "docs/b.md")
    assert "SHA512SUMS line" in changed.detail and "expects sha512 " in changed.detail


def test_sha256sums_and_sha512sums_side_by_side_are_both_checked(folder: Path) -> None:
    for command, name in (("sha256sum", "SHA256SUMS"), ("sha512sum", "SHA512SUMS")):
        (folder / name).write_bytes(run([tool(command), "--", *NAMES], cwd=folder).stdout)
    assert not check_sealed_folder(folder).failed()
    # A file that only one manifest was re-made for: sha512sum -c passes, sha256sum -c fails,
    # and so does provenance.
    (folder / "docs/b.md").write_bytes(b"changed\n")
    redone = run([tool("sha512sum"), "--", *NAMES], cwd=folder).stdout
    (folder / "SHA512SUMS").write_bytes(redone)
    assert run([tool("sha512sum"), "--strict", "-c", "SHA512SUMS"], cwd=folder).returncode == 0
    assert run([tool("sha256sum"), "--strict", "-c", "SHA256SUMS"], cwd=folder).returncode == 1
    check = check_sealed_folder(folder)
    assert check.failed()
    (changed,) = [r for r in check.results if r.manifest is ManifestVerdict.MISMATCH]
    assert changed.path == str(folder / "docs/b.md") and "SHA256SUMS line" in changed.detail
