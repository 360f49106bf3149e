"""``provenance verify --allowed-signers/--public-key``: signature verdicts beside footer ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import GOOD, ROOT, assert_usage_error, invoke, junit_failures

from provenance.keys import load_private_key
from provenance.sign import sign_file

VECTORS = ROOT / "fixtures" / "sshsig"
ALICE_KEY = VECTORS / "ed25519"
ALICE_PUB = VECTORS / "ed25519.pub"
#: Another Ed25519 key (the passphrase-protected vector), trusted by nobody here.
MALLORY_KEY = VECTORS / "ed25519-passphrase"
MALLORY_PASSPHRASE = (VECTORS / "passphrase.txt").read_bytes().splitlines()[0]


@pytest.fixture
def signed(tmp_path: Path) -> Path:
    """A folder with plain.txt signed by alice and crlf.txt unsigned, and allowed_signers."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("plain.txt", "crlf.txt"):
        shutil.copy(GOOD / name, folder / name)
    sign_file(folder / "plain.txt", load_private_key(ALICE_KEY))
    (tmp_path / "allowed_signers").write_text(f"alice@example.com {ALICE_PUB.read_text()}")
    return folder


def _verify(folder: Path, *extra: str | Path) -> tuple[int, list[dict[str, object]]]:
    allowed = folder.parent / "allowed_signers"
    result = invoke("verify", "--format", "json", folder, "--allowed-signers", allowed, *extra)
    payload = json.loads(result.stdout)
    return result.exit_code, payload["results"]


def _signature_of(results: list[dict[str, object]], name: str) -> dict[str, object]:
    [found] = [r for r in results if str(r["path"]).endswith(name)]
    signature = found["signature"]
    assert isinstance(signature, dict)
    return signature


def test_good_signature_and_missing_one_pass_with_allow_unsigned(signed: Path) -> None:
    status, results = _verify(signed, "--allow-unsigned")
    assert status == 0
    good = _signature_of(results, "plain.txt")
    assert good["verdict"] == "good"
    assert good["principal"] == "alice@example.com"
    assert good["namespace"] == "file"
    assert str(good["key_fingerprint"]).startswith("SHA256:")
    assert _signature_of(results, "crlf.txt")["verdict"] == "missing"


def test_missing_signature_fails_when_trust_is_given(signed: Path) -> None:
    for extra in ((), ("--require-signature",)):  # The flag is the default with trust.
        status, results = _verify(signed, *extra)
        assert status == 1
        assert _signature_of(results, "crlf.txt")["verdict"] == "missing"


def test_changed_bytes_give_bad_even_when_the_footer_is_still_ok(signed: Path) -> None:
    article = signed / "plain.txt"
    article.write_bytes(article.read_bytes().replace(b"\n", b"\r\n"))  # benign for the footer
    status, results = _verify(signed)
    assert status == 1
    [plain] = [r for r in results if str(r["path"]).endswith("plain.txt")]
    assert plain["verdict"] == "ok"
    assert _signature_of(results, "plain.txt")["verdict"] == "bad"


def test_signature_by_a_key_not_in_the_trust_file_is_untrusted(signed: Path) -> None:
    mallory = load_private_key(MALLORY_KEY, lambda: MALLORY_PASSPHRASE)
    sign_file(signed / "crlf.txt", mallory)
    status, results = _verify(signed)
    assert status == 1
    signature = _signature_of(results, "crlf.txt")
    assert signature["verdict"] == "untrusted"
    assert signature["principal"] is None


def test_garbage_sig_is_malformed(signed: Path) -> None:
    (signed / "crlf.txt.sig").write_text("-----BEGIN SSH SIGNATURE-----\nnot base64!\n")
    status, results = _verify(signed)
    assert status == 1
    assert _signature_of(results, "crlf.txt")["verdict"] == "malformed"


def test_signature_for_another_namespace_is_bad(signed: Path) -> None:
    status, results = _verify(signed, "-n", "archive@example.com")
    assert status == 1
    signature = _signature_of(results, "plain.txt")
    assert signature["verdict"] == "bad"
    assert "namespace" in str(signature["detail"])


def test_public_key_trusts_one_key_and_names_its_comment(signed: Path) -> None:
    result = invoke("verify", signed / "plain.txt", "--public-key", ALICE_PUB)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"ok            {signed / 'plain.txt'}  [signature good by alice@example.com]",
        "1 file: 1 ok; signatures: 1 good; passed",
    ]


def test_text_line_says_why_a_signature_fails(signed: Path) -> None:
    (signed / "plain.txt").write_bytes((signed / "plain.txt").read_bytes() + b"x")
    allowed = signed.parent / "allowed_signers"
    result = invoke("verify", signed / "plain.txt", "--allowed-signers", allowed)
    assert result.exit_code == 1
    assert "[signature bad: signature by SHA256:" in result.stdout
    assert result.stdout.splitlines()[-1] == "1 file: 1 ok; signatures: 1 bad; FAILED (1 failing)"


def test_require_signature_without_a_trust_source_is_a_usage_error(signed: Path) -> None:
    result = invoke("verify", signed, "--require-signature", "--no-config")
    assert_usage_error(result)
    assert "trust source" in result.stderr


def test_both_trust_sources_are_a_usage_error(signed: Path) -> None:
    allowed = signed.parent / "allowed_signers"
    result = invoke("verify", signed, "--allowed-signers", allowed, "--public-key", ALICE_PUB)
    assert_usage_error(result)


def test_malformed_allowed_signers_names_the_line(signed: Path) -> None:
    allowed = signed.parent / "allowed_signers"
    allowed.write_text(f"# trust\nalice@example.com {ALICE_PUB.read_text()}bob@example.com\n")
    result = invoke("verify", signed, "--allowed-signers", allowed)
    assert_usage_error(result)
    assert f"{allowed}:3:" in result.stderr


def test_allowed_signers_from_the_config_file(
    signed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The project's file, found from the cwd (never one inside the checked folder).
    (signed.parent / "provenance.toml").write_text(
        'allowed_signers = "allowed_signers"\nrequire_signature = true\n'
    )
    monkeypatch.chdir(signed.parent)
    result = invoke("verify", signed)
    assert result.exit_code == 1  # crlf.txt has no signature and one is required
    assert "[signature good by alice@example.com]" in result.stdout
    assert "[signature missing]" in result.stdout


def test_sig_files_are_not_reported_as_articles(signed: Path) -> None:
    result = invoke("verify", signed)
    assert ".sig" not in result.stdout
    assert result.stdout.splitlines()[-1] == "2 files: 2 ok; passed"


def test_a_failing_signature_takes_the_first_column(signed: Path) -> None:
    """SPEC.md §5.3: text, -q, github and junit agree; `missing` unless --allow-unsigned."""
    with (signed / "plain.txt").open("ab") as handle:
        handle.write(b"One more line.\n")  # A trailer: the footer stays ok, the bytes change.
    trust = ("--allowed-signers", signed.parent / "allowed_signers")

    quiet = invoke("verify", "-q", signed, *trust, "--allow-unsigned")
    assert quiet.exit_code == 1
    assert quiet.stdout.splitlines()[:-1] == [
        f"sig-bad       {signed}/plain.txt  [text after the fingerprint is not covered]  "
        f"[signature bad: signature by {quiet.stdout.split('signature by ', 1)[1].split()[0]} "
        "does not match the bytes]"
    ]
    required = invoke("verify", "-q", signed, *trust)  # Trust given: signatures required.
    words = [line.split()[0] for line in required.stdout.splitlines()[:-1]]
    assert words == ["sig-missing", "sig-bad"]  # crlf.txt (no .sig), then plain.txt

    github = invoke("verify", "--format", "github", "-q", signed, *trust, "--allow-unsigned")
    (annotation,) = github.stdout.splitlines()[:-1]
    assert annotation.startswith("::error ") and "title=provenance signature bad" in annotation

    junit = invoke("verify", "--format", "junit", signed, *trust)
    kind, message = junit_failures(junit.stdout)["plain.txt"]
    assert kind == "sig-bad" and message.startswith("ok, but signature bad: ")

    # Allowed, a missing signature fails nothing: the column keeps the footer verdict.
    plain = invoke("verify", signed / "crlf.txt", *trust, "--allow-unsigned")
    assert plain.exit_code == 0
    assert plain.stdout.startswith(f"ok            {signed}/crlf.txt  [signature missing]")
