"""Attacks on revocation and on the time of a check (issue 18).

* a signer whose key was revoked stays listed in allowed_signers (or is the --public-key):
  the signature is ``revoked`` and fails, inside sealed folders too;
* a revocation file that cannot be read whole (a FIFO, garbage, a KRL with a signature
  section or a critical extension) stops the run (exit 2) instead of revoking nothing;
* --revoked or --verify-time with no trust source, which would check nothing, is an error;
* a verify time without a zone is refused rather than read in some zone.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import GOOD, assert_usage_error, invoke

from provenance.keys import SigningKey, generate_key
from provenance.sign import sign_file
from tests.sshcraft import krl, raw_section, s

ARTICLE = (GOOD / "plain.txt").read_bytes()


@pytest.fixture
def alice(tmp_path: Path) -> SigningKey:
    return generate_key(tmp_path / "alice", comment="alice@example.com")


@pytest.fixture
def signed(tmp_path: Path, alice: SigningKey) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "plain.txt").write_bytes(ARTICLE)
    sign_file(folder / "plain.txt", alice)
    (tmp_path / "allowed_signers").write_text(f"alice@example.com {alice.public.to_openssh()}\n")
    (tmp_path / "revoked_keys").write_text(f"{alice.public.to_openssh()}\n")
    return folder


def test_a_revoked_key_fails_although_allowed_signers_still_lists_it(signed: Path) -> None:
    root = signed.parent
    result = invoke(
        "verify",
        signed,
        "--allowed-signers",
        root / "allowed_signers",
        "--revoked",
        root / "revoked_keys",
    )
    assert result.exit_code == 1
    assert result.stdout.split()[:2] == ["sig-revoked", f"{signed}/plain.txt"]
    assert "revoked key: key SHA256:" in result.stdout


def test_a_revoked_key_fails_as_the_one_public_key_too(signed: Path) -> None:
    root = signed.parent
    result = invoke(
        "verify",
        signed,
        "--public-key",
        root / "alice.pub",
        "--revoked",
        root / "revoked_keys",
        "--format",
        "json",
    )
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["signatures"] == {"revoked": 1}
    assert payload["results"][0]["signature"]["verdict"] == "revoked"


def test_a_revoked_seal_covers_nothing(tmp_path: Path, alice: SigningKey) -> None:
    folder = tmp_path / "issue"
    folder.mkdir()
    (folder / "plain.txt").write_bytes(ARTICLE)
    assert invoke("seal", folder, "-k", tmp_path / "alice").exit_code == 0
    (tmp_path / "allowed_signers").write_text(f"alice@example.com {alice.public.to_openssh()}\n")
    (tmp_path / "revoked_keys").write_text(f"{alice.public.to_openssh()}\n")
    result = invoke(
        "verify",
        folder,
        "--allowed-signers",
        tmp_path / "allowed_signers",
        "--revoked",
        tmp_path / "revoked_keys",
    )
    assert result.exit_code == 1
    assert "sig-revoked" in result.stdout


def test_revoked_from_the_configuration_file(signed: Path) -> None:
    root = signed.parent
    config = root / "provenance.toml"
    config.write_text('allowed_signers = "allowed_signers"\nrevoked = "revoked_keys"\n')
    result = invoke("verify", signed, "--config", config)
    assert result.exit_code == 1 and "sig-revoked" in result.stdout


def _refused(signed: Path, revoked: Path, message: str) -> None:
    root = signed.parent
    result = invoke(
        "verify", signed, "--allowed-signers", root / "allowed_signers", "--revoked", revoked
    )
    assert_usage_error(result)
    assert message in result.stderr


def test_a_fifo_as_revocation_file_is_refused_without_blocking(signed: Path) -> None:
    fifo = signed.parent / "revoked.fifo"
    os.mkfifo(fifo)
    _refused(signed, fifo, "revoked keys file")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a key\n", "revoked_bad:1: "),
        (krl([raw_section(4, s(b"ssh-ed25519") + s(b"x"))]), "KRL signature"),
        (krl([raw_section(255, s(b"must-understand@example.com") + b"\x01" + s(b""))]), "critical"),
        (krl([])[:-3], "truncated"),
    ],
)
def test_a_revocation_file_that_cannot_be_read_whole_stops_the_run(
    signed: Path, content: bytes, message: str
) -> None:
    bad = signed.parent / "revoked_bad"
    bad.write_bytes(content)
    _refused(signed, bad, message)


@pytest.mark.parametrize("flag", [("--revoked", "revoked_keys"), ("--verify-time", "20250101Z")])
def test_revocation_or_time_without_a_trust_source_is_a_usage_error(
    signed: Path, flag: tuple[str, str]
) -> None:
    name, value = flag
    argument = signed.parent / value if name == "--revoked" else value
    result = invoke("verify", signed, name, argument)
    assert_usage_error(result)
    assert f"{name} needs a trust source" in result.stderr


@pytest.mark.parametrize("when", ["2025-06-15T12:00:00", "2025-06-15", "soon"])
def test_a_verify_time_without_a_zone_or_form_is_refused(signed: Path, when: str) -> None:
    result = invoke(
        "verify",
        signed,
        "--allowed-signers",
        signed.parent / "allowed_signers",
        "--verify-time",
        when,
    )
    assert_usage_error(result)
    assert "--verify-time" in result.stderr


def test_a_verify_time_in_the_configuration_file_is_checked_where_it_is_read(signed: Path) -> None:
    config = signed.parent / "provenance.toml"
    config.write_text('allowed_signers = "allowed_signers"\nverify_time = "2025-06-15T12:00"\n')
    result = invoke("verify", signed, "--config", config)
    assert_usage_error(result)
    assert "key 'verify_time' is not a time" in result.stderr
