"""Attacks on the signature policy: a signature deleted, a seal's signature deleted, a
signature by an untrusted key hidden inside a sealed folder (issue 12, items 3 and 4).

With a trust source (--allowed-signers, --public-key, or allowed_signers in the
configuration), every checked article must be covered by a good signature: its own FILE.sig,
or the signature of the seal (or archive) that lists it. Before, deleting a FILE.sig or a
SHA256SUMS.sig turned a failing check into a passing one (exit 0, `missing` never failed
without --require-signature), and a FILE.sig inside a sealed folder was only listed, never
checked.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from provenance.keys import SigningKey, generate_key
from provenance.seal import seal_folder
from provenance.sign import sign_file
from tests.attacks.conftest import assert_clean
from tests.conftest import article, invoke, write

GOOD = article()
OTHER = article(holder="Other Press")


@pytest.fixture
def trust(tmp_path: Path, key: SigningKey) -> tuple[str, Path]:
    """``--public-key`` of alice, the ``key`` fixture (its .pub beside it)."""
    return ("--public-key", tmp_path / "keys" / "alice.pub")


@pytest.fixture
def mallory(tmp_path: Path) -> SigningKey:
    """A key no trust source names."""
    return generate_key(tmp_path / "keys" / "mallory", comment="mallory@example.com")


def _words(stdout: str) -> dict[str, str]:
    """The first column of each text line, by the line's path (the summary left out)."""
    rows = {}
    for line in stdout.splitlines()[:-1]:
        word, _, rest = line.partition("  ")
        rows[rest.strip().split("  ")[0]] = word.strip()
    return rows


def _signed_folder(root: Path, key: SigningKey) -> Path:
    for name, text in (("a.txt", GOOD), ("b.txt", OTHER)):
        sign_file(write(root, name, text.data()), key)
    return root


# --- a deleted FILE.sig ---------------------------------------------------------------------


def test_a_deleted_signature_fails_a_folder_walk_when_trust_is_given(
    tmp_path: Path, key: SigningKey, trust: tuple[str, Path]
) -> None:
    folder = _signed_folder(tmp_path / "news", key)
    assert_clean(invoke("verify", folder, *trust), 0)
    (folder / "b.txt.sig").unlink()
    result = invoke("verify", folder, *trust)
    assert_clean(result, 1)
    assert _words(result.stdout) == {f"{folder}/a.txt": "ok", f"{folder}/b.txt": "sig-missing"}
    assert result.stdout.splitlines()[-1].endswith("FAILED (1 failing)")


def test_a_deleted_signature_fails_a_named_file(
    tmp_path: Path, key: SigningKey, trust: tuple[str, Path]
) -> None:
    folder = _signed_folder(tmp_path / "news", key)
    (folder / "a.txt.sig").unlink()
    result = invoke("verify", folder / "a.txt", *trust)
    assert_clean(result, 1)
    assert result.stdout.startswith(f"sig-missing   {folder}/a.txt  [signature missing]\n")


def test_allow_unsigned_restores_the_old_rule(
    tmp_path: Path, key: SigningKey, trust: tuple[str, Path]
) -> None:
    folder = _signed_folder(tmp_path / "news", key)
    (folder / "b.txt.sig").unlink()
    result = invoke("verify", folder, *trust, "--allow-unsigned")
    assert_clean(result, 0)
    assert _words(result.stdout)[f"{folder}/b.txt"] == "ok"
    # A bad signature still fails: --allow-unsigned only forgives an absent one.
    (folder / "a.txt").write_bytes(GOOD.data() + b"more\n")
    assert_clean(invoke("verify", folder, *trust, "--allow-unsigned"), 1)


def test_allow_unsigned_from_the_configuration(
    tmp_path: Path, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _signed_folder(tmp_path / "news", key)
    (folder / "b.txt.sig").unlink()
    pub = (tmp_path / "keys" / "alice.pub").read_text()
    (tmp_path / "allowed_signers").write_text(f"alice@example.com {pub}")
    config = tmp_path / "provenance.toml"
    config.write_text('allowed_signers = "allowed_signers"\n')
    monkeypatch.chdir(tmp_path)
    assert_clean(invoke("verify", "news"), 1)  # Trust from the configuration: required.
    config.write_text('allowed_signers = "allowed_signers"\nallow_unsigned = true\n')
    assert_clean(invoke("verify", "news"), 0)
    assert_clean(invoke("verify", "news", "--no-allow-unsigned"), 1)


def test_require_signature_and_allow_unsigned_exclude_each_other(
    tmp_path: Path, key: SigningKey, trust: tuple[str, Path]
) -> None:
    folder = _signed_folder(tmp_path / "news", key)
    result = invoke("verify", folder, *trust, "--require-signature", "--allow-unsigned")
    assert_clean(result, 2)
    assert "exclude each other" in result.stderr


# --- sealed folders ---------------------------------------------------------------------------


def test_an_intact_seal_covers_articles_without_signatures_of_their_own(
    sealed: Path, trust: tuple[str, Path]
) -> None:
    result = invoke("verify", sealed, *trust)
    assert_clean(result, 0)
    assert "sig-" not in result.stdout and "signature missing" not in result.stdout


def test_a_deleted_seal_signature_fails_the_seal_and_every_article_in_it(
    sealed: Path, trust: tuple[str, Path]
) -> None:
    (sealed / "SHA256SUMS.sig").unlink()
    result = invoke("verify", sealed, *trust)
    assert_clean(result, 1)
    words = _words(result.stdout)
    assert words[f"{sealed}/SHA256SUMS"] == "sig-missing"
    # Without the seal's signature nothing covers the articles.
    assert words[f"{sealed}/a.txt"] == "sig-missing"
    assert words[f"{sealed}/docs/b.md"] == "sig-missing"
    assert_clean(invoke("verify", sealed, *trust, "--allow-unsigned"), 0)


def _sealed_story(root: Path, key: SigningKey, signer: SigningKey) -> Path:
    """A folder sealed by ``key`` whose story.txt carries its own .sig by ``signer``, listed
    in the seal like any file, beside other.txt (no .sig)."""
    sign_file(write(root, "story.txt", GOOD.data()), signer)
    write(root, "other.txt", OTHER.data())
    seal_folder(root, key)
    return root


def test_own_signatures_do_not_replace_a_deleted_seal_signature(
    tmp_path: Path, key: SigningKey, trust: tuple[str, Path]
) -> None:
    """The manifest must be signed: it is what says that no file was added or removed."""
    root = _sealed_story(tmp_path / "issue", key, key)
    (root / "SHA256SUMS.sig").unlink()
    result = invoke("verify", root, *trust)
    assert_clean(result, 1)
    words = _words(result.stdout)
    assert words[f"{root}/story.txt"] == "ok"  # Covered by its own good signature.
    assert words[f"{root}/other.txt"] == "sig-missing"
    assert words[f"{root}/SHA256SUMS"] == "sig-missing"


def test_an_untrusted_signature_inside_a_sealed_folder_fails(
    tmp_path: Path, key: SigningKey, mallory: SigningKey, trust: tuple[str, Path]
) -> None:
    root = _sealed_story(tmp_path / "issue", key, mallory)
    result = invoke("verify", root, *trust)
    assert_clean(result, 1)
    words = _words(result.stdout)
    assert words[f"{root}/story.txt"] == "sig-untrusted"
    assert words[f"{root}/other.txt"] == "ok"
    assert words[f"{root}/SHA256SUMS"] == "-"  # The seal's own signature is good.
    # --allow-unsigned forgives a missing signature, never an untrusted one.
    assert_clean(invoke("verify", root, *trust, "--allow-unsigned"), 1)


def test_a_good_signature_inside_a_sealed_folder_is_reported(
    tmp_path: Path, key: SigningKey, trust: tuple[str, Path]
) -> None:
    root = _sealed_story(tmp_path / "issue", key, key)
    result = invoke("verify", "--format", "json", root, *trust)
    assert_clean(result, 0)
    rows = {row["path"]: row for row in json.loads(result.stdout)["results"]}
    assert rows[f"{root}/story.txt"]["signature"]["verdict"] == "good"
    assert rows[f"{root}/story.txt"]["signature"]["signature_path"] == f"{root}/story.txt.sig"


def test_a_sealed_folder_without_trust_says_its_signature_was_not_checked(
    sealed: Path,
) -> None:
    result = invoke("verify", sealed)
    assert_clean(result, 0)
    assert result.stdout.splitlines()[-1].endswith(
        "; passed; seal signatures not checked: give --allowed-signers or --public-key"
    )
    payload = json.loads(invoke("verify", "--format", "json", sealed).stdout)
    assert payload["seal_signatures_unchecked"] is True


# --- nested seals -----------------------------------------------------------------------------


def _nested(root: Path, key: SigningKey, *, inner_sig: bool, outer_sig: bool) -> Path:
    write(root, "top.txt", GOOD.data())
    write(root, "pkg/inner.txt", OTHER.data())
    seal_folder(root / "pkg", key)
    if not inner_sig:
        (root / "pkg" / "SHA256SUMS.sig").unlink()
    seal_folder(root, key)
    if not outer_sig:
        (root / "SHA256SUMS.sig").unlink()
    return root


def test_an_outer_good_seal_covers_an_inner_seal_without_signature(
    tmp_path: Path, key: SigningKey, trust: tuple[str, Path]
) -> None:
    root = _nested(tmp_path / "issue", key, inner_sig=False, outer_sig=True)
    assert_clean(invoke("verify", root, *trust), 0)


def test_an_inner_good_seal_does_not_cover_what_the_unsigned_outer_seal_holds(
    tmp_path: Path, key: SigningKey, trust: tuple[str, Path]
) -> None:
    root = _nested(tmp_path / "issue", key, inner_sig=True, outer_sig=False)
    result = invoke("verify", root, *trust)
    assert_clean(result, 1)
    words = _words(result.stdout)
    assert words[f"{root}/SHA256SUMS"] == "sig-missing"
    assert words[f"{root}/top.txt"] == "sig-missing"
    assert words[f"{root}/pkg/inner.txt"] == "ok"  # Its own seal is signed.


def test_a_walk_reaching_an_unsigned_nested_seal_fails(
    tmp_path: Path, key: SigningKey, trust: tuple[str, Path]
) -> None:
    root = tmp_path / "issue"
    write(root, "pkg/inner.txt", OTHER.data())
    seal_folder(root / "pkg", key)
    (root / "pkg" / "SHA256SUMS.sig").unlink()
    result = invoke("verify", root, *trust)
    assert_clean(result, 1)
    assert _words(result.stdout)[f"{root}/pkg/inner.txt"] == "sig-missing"


# --- archives ---------------------------------------------------------------------------------


def _tar(folder: Path, archive: Path) -> Path:
    with tarfile.open(archive, "w") as tar:
        for path in sorted(folder.rglob("*")):
            tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return archive


def test_a_sealed_archive_needs_its_seal_signature(
    tmp_path: Path, key: SigningKey, trust: tuple[str, Path]
) -> None:
    root = tmp_path / "issue"
    write(root, "a.txt", GOOD.data())
    seal_folder(root, key)
    good = _tar(root, tmp_path / "good.tar")
    assert_clean(invoke("verify", good, *trust), 0)
    (root / "SHA256SUMS.sig").unlink()
    unsigned = _tar(root, tmp_path / "unsigned.tar")
    result = invoke("verify", unsigned, *trust)
    assert_clean(result, 1)
    assert _words(result.stdout)[f"{unsigned}:a.txt"] == "sig-missing"
    # ARCHIVE.sig beside the archive covers every member instead.
    sign_file(unsigned, key)
    assert_clean(invoke("verify", unsigned, *trust), 0)


def test_an_unsealed_archive_needs_its_signature_beside_it(
    tmp_path: Path, key: SigningKey, trust: tuple[str, Path]
) -> None:
    root = tmp_path / "issue"
    write(root, "a.txt", GOOD.data())
    archive = _tar(root, tmp_path / "plain.tar")
    sign_file(archive, key)
    assert_clean(invoke("verify", archive, *trust), 0)
    (tmp_path / "plain.tar.sig").unlink()
    assert_clean(invoke("verify", archive, *trust), 1)


def test_an_untrusted_signature_inside_a_sealed_archive_fails(
    tmp_path: Path, key: SigningKey, mallory: SigningKey, trust: tuple[str, Path]
) -> None:
    root = tmp_path / "issue"
    sign_file(write(root, "story.txt", GOOD.data()), mallory)
    seal_folder(root, key)
    archive = _tar(root, tmp_path / "issue.tar")
    result = invoke("verify", archive, *trust)
    assert_clean(result, 1)
    assert _words(result.stdout)[f"{archive}:story.txt"] == "sig-untrusted"
