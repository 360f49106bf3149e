"""The first word of a text line says what fails the file (SPEC.md §5.3).

A file whose footer is intact but whose signature or SHA256SUMS entry fails used to start
its line with ``ok`` (with -q too). Text, -q, github and junit must agree on what failed.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import GOOD, ROOT, invoke

from provenance.keys import load_private_key
from provenance.seal import seal_folder
from provenance.sign import sign_file

VECTORS = ROOT / "fixtures" / "sshsig"
ALICE = VECTORS / "ed25519"
ALICE_PUB = VECTORS / "ed25519.pub"


@pytest.fixture
def sealed(tmp_path: Path) -> Path:
    folder = tmp_path / "issue"
    folder.mkdir()
    for name in ("plain.txt", "crlf.txt"):
        shutil.copy(GOOD / name, folder / name)
    seal_folder(folder, load_private_key(ALICE))
    return folder


def _junit_failures(stdout: str) -> dict[str, tuple[str, str]]:
    """``{file name: (failure type, message)}`` of a JUnit report."""
    root = ET.fromstring(stdout.split("\n", 1)[1])
    failures = {}
    for case in root.iter("testcase"):
        failure = case.find("failure")
        if failure is not None:
            name = Path(case.get("name", "")).name
            failures[name] = (failure.get("type", ""), failure.get("message", ""))
    return failures


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
    assert _junit_failures(junit.stdout) == {
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
    assert words == {"plain.txt": "sums-mismatch", "crlf.txt": "sums-missing"}


def test_a_broken_seal_signature_says_sig_bad_on_the_manifest_row(sealed: Path) -> None:
    manifest = sealed / "SHA256SUMS"
    manifest.write_bytes(manifest.read_bytes().replace(b"crlf.txt", b"crlF.txt"))
    (sealed / "crlF.txt").write_bytes((sealed / "crlf.txt").read_bytes())
    (sealed / "crlf.txt").unlink()
    result = invoke("verify", "-q", sealed, "--public-key", ALICE_PUB)
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()[:-1]
    assert line.startswith(f"sig-bad       {sealed}/SHA256SUMS  (the manifest of a sealed folder)")
    junit = invoke("verify", "--format", "junit", sealed, "--public-key", ALICE_PUB)
    kind, message = _junit_failures(junit.stdout)["SHA256SUMS"]
    assert kind == "sig-bad" and message.startswith("signature bad: ")


def test_a_bad_file_signature_says_sig_bad_and_a_missing_one_only_when_required(
    tmp_path: Path,
) -> None:
    for name in ("plain.txt", "crlf.txt"):
        shutil.copy(GOOD / name, tmp_path / name)
    sign_file(tmp_path / "plain.txt", load_private_key(ALICE))
    with (tmp_path / "plain.txt").open("ab") as handle:
        handle.write(b"One more line.\n")  # A trailer: the footer stays ok, the bytes change.

    quiet = invoke("verify", "-q", tmp_path, "--public-key", ALICE_PUB)
    assert quiet.exit_code == 1
    (line,) = quiet.stdout.splitlines()[:-1]
    assert re.match(rf"sig-bad {{7}}{re.escape(str(tmp_path))}/plain\.txt  ", line)

    required = invoke("verify", "-q", tmp_path, "--public-key", ALICE_PUB, "--require-signature")
    words = [line.split()[0] for line in required.stdout.splitlines()[:-1]]
    assert words == ["sig-missing", "sig-bad"]  # crlf.txt (no .sig), then plain.txt

    github = invoke("verify", "--format", "github", "-q", tmp_path, "--public-key", ALICE_PUB)
    (annotation,) = github.stdout.splitlines()[:-1]
    assert annotation.startswith("::error ") and "title=provenance signature bad" in annotation

    junit = invoke("verify", "--format", "junit", tmp_path, "--public-key", ALICE_PUB)
    kind, message = _junit_failures(junit.stdout)["plain.txt"]
    assert kind == "sig-bad" and message.startswith("ok, but signature bad: ")

    # Not required, a missing signature fails nothing and the column keeps the footer verdict.
    plain = invoke("verify", tmp_path / "crlf.txt", "--public-key", ALICE_PUB)
    assert plain.exit_code == 0
    assert plain.stdout.startswith("ok            ")
