"""The sign/check recipe: byte-for-byte agreement with ssh-keygen and one verdict per failure."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from provenance import sign
from provenance.allowed_signers import load_trusted_key, parse_allowed_signers
from provenance.cli import exit_status
from provenance.errors import InputError, Refused, VerificationError
from provenance.fsio import BLOCK_SIZE
from provenance.keys import load_private_key, load_public_key
from provenance.model import SignatureResult, SignatureVerdict

VECTORS = Path(__file__).resolve().parents[2] / "fixtures" / "sshsig"
MESSAGE = (VECTORS / "message.txt").read_bytes()
PASSPHRASE = (VECTORS / "passphrase.txt").read_text().rstrip("\n")
ALICE = load_private_key(VECTORS / "ed25519")
ALICE_LINE = ALICE.public.to_openssh()
#: Every fixture key, trusted as "editor@example.org": a principal no key comment carries.
EVERYONE = parse_allowed_signers(
    "".join(f"editor@example.org {path.read_text()}" for path in sorted(VECTORS.glob("*.pub"))),
    "everyone",
)
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _sig(name: str) -> bytes:
    return (VECTORS / name).read_bytes()


def _check(signature: bytes, data: bytes = MESSAGE, **kwargs: object) -> SignatureResult:
    policy = kwargs.pop("policy", EVERYONE)
    namespace = kwargs.pop("namespace", "file")
    return sign.check_signature(data, signature, policy, namespace, now=NOW, **kwargs)  # type: ignore[arg-type]


# -- signing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vector", "key", "namespace", "hash_alg"),
    [
        ("ed25519.sig", "ed25519", "file", "sha512"),
        ("ed25519-sha256.sig", "ed25519", "file", "sha256"),
        ("ed25519-namespace-example.sig", "ed25519", "example@provenance.invalid", "sha512"),
        ("ed25519-passphrase.sig", "ed25519-passphrase", "file", "sha512"),
    ],
)
def test_signatures_are_byte_for_byte_those_of_ssh_keygen(
    vector: str, key: str, namespace: str, hash_alg: str
) -> None:
    signing_key = load_private_key(VECTORS / key, lambda: PASSPHRASE)
    assert sign.sign_bytes(MESSAGE, signing_key, namespace, hash_alg) == _sig(vector).decode()


def test_sign_file_writes_the_sig_beside_the_file(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(MESSAGE)
    written = sign.sign_file(path, ALICE)
    assert written == tmp_path / "article.txt.sig"
    assert written.read_bytes() == _sig("ed25519.sig")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_sign_file_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "archive.tar.gz"
    path.write_bytes(MESSAGE)
    (tmp_path / "archive.tar.gz.sig").write_text("old")
    with pytest.raises(Refused, match="already exists; refusing") as caught:
        sign.sign_file(path, ALICE)
    assert exit_status(caught.value) == 1 and caught.value.hint == "use --force to replace it"
    assert (tmp_path / "archive.tar.gz.sig").read_text() == "old"
    sign.sign_file(path, ALICE, force=True)
    assert (tmp_path / "archive.tar.gz.sig").read_bytes() == _sig("ed25519.sig")


def test_large_files_are_hashed_in_blocks_and_signed_alike(tmp_path: Path) -> None:
    data = os.urandom(2 * BLOCK_SIZE + 12345)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert sign.digest(path) == sign.digest(data)
    assert sign.sign_file(path, ALICE, "backup").read_text() == sign.sign_bytes(
        data, ALICE, "backup"
    )


def test_sign_refuses_what_cannot_be_signed(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        sign.sign_file(tmp_path / "missing", ALICE)
    with pytest.raises(InputError, match="is a folder"):
        sign.sign_file(tmp_path, ALICE)
    with pytest.raises(InputError, match="must not be empty"):
        sign.sign_bytes(b"x", ALICE, "")
    with pytest.raises(InputError, match="unknown hash algorithm"):
        sign.sign_bytes(b"x", ALICE, "file", "md5")
    assert list(tmp_path.iterdir()) == []


# -- checking: good -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "vector",
    [
        "ed25519.sig",
        "ed25519-sha256.sig",
        "ed25519-passphrase.sig",
        "rsa-sha512.sig",
        "rsa-sha256.sig",
        "ecdsa-p256.sig",
        "ecdsa-p384.sig",
        "ecdsa-p521.sig",
    ],
)
def test_ssh_keygen_signatures_of_every_key_type_are_good(vector: str) -> None:
    result = _check(_sig(vector))
    assert result.verdict is SignatureVerdict.GOOD, result.detail
    assert result.principal == "editor@example.org"  # From the trust file, not from the key.
    assert result.namespace == "file"
    assert result.key_fingerprint is not None and result.key_fingerprint.startswith("SHA256:")


def test_a_custom_namespace_is_good_when_asked_for() -> None:
    result = _check(_sig("ed25519-namespace-example.sig"), namespace="example@provenance.invalid")
    assert result.verdict is SignatureVerdict.GOOD
    assert result.namespace == "example@provenance.invalid"


def test_check_a_file_reads_its_sig(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(MESSAGE)
    (tmp_path / "article.txt.sig").write_bytes(_sig("ed25519.sig"))
    result = sign.check_signature(path, None, EVERYONE, now=NOW)
    assert result.verdict is SignatureVerdict.GOOD
    assert result.signature_path == str(tmp_path / "article.txt.sig")
    assert result.key_fingerprint == ALICE.public.fingerprint
    assert sign.verify_signature(str(path), None, EVERYONE, now=NOW) == result


# -- checking: every failure ---------------------------------------------------------------------


def test_tampered_message_is_bad() -> None:
    result = _check(_sig("ed25519.sig"), (VECTORS / "message-tampered.txt").read_bytes())
    assert result.verdict is SignatureVerdict.BAD
    assert result.detail == f"signature by {ALICE.public.fingerprint} does not match the bytes"


def test_wrong_namespace_is_bad() -> None:
    result = _check(_sig("ed25519.sig"), namespace="git")
    assert result.verdict is SignatureVerdict.BAD
    assert result.detail == "signature is for namespace 'file', expected 'git'"
    assert result.namespace == "file"


def test_swapped_key_is_bad() -> None:
    assert _check(_sig("bad/swapped-key.sig")).verdict is SignatureVerdict.BAD


def test_wrong_key_is_untrusted() -> None:
    policy = load_trusted_key(VECTORS / "ed25519-passphrase.pub")
    result = _check(_sig("ed25519.sig"), policy=policy)
    assert result.verdict is SignatureVerdict.UNTRUSTED
    assert ALICE.public.fingerprint in result.detail and result.principal is None


def test_signature_by_a_key_of_another_type_is_untrusted() -> None:
    policy = parse_allowed_signers(f"alice {ALICE_LINE}\n")
    result = _check(_sig("rsa-sha512.sig"), policy=policy)
    assert result.verdict is SignatureVerdict.UNTRUSTED
    assert "is not in" in result.detail


@pytest.mark.parametrize(
    ("when", "fragment"),
    [
        (datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC), "not yet valid"),
        (datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC), "expired"),
    ],
)
def test_outside_valid_after_or_valid_before_is_untrusted(when: datetime, fragment: str) -> None:
    policy = parse_allowed_signers(
        f'alice valid-after="20250101Z",valid-before="20260101Z" {ALICE_LINE}\n'
    )
    assert _check(_sig("ed25519.sig"), policy=policy).verdict is SignatureVerdict.GOOD
    result = sign.check_signature(MESSAGE, _sig("ed25519.sig"), policy, now=when)
    assert result.verdict is SignatureVerdict.UNTRUSTED and fragment in result.detail


def test_namespace_not_allowed_for_the_key_is_untrusted() -> None:
    policy = parse_allowed_signers(f'alice namespaces="git" {ALICE_LINE}\n')
    result = _check(_sig("ed25519.sig"), policy=policy)
    assert result.verdict is SignatureVerdict.UNTRUSTED and "namespace 'file'" in result.detail


def test_principal_mismatch_is_untrusted() -> None:
    policy = parse_allowed_signers(f"alice@example.com {ALICE_LINE}\n")
    good = _check(_sig("ed25519.sig"), policy=policy, principal="alice@example.com")
    assert good.verdict is SignatureVerdict.GOOD and good.principal == "alice@example.com"
    result = _check(_sig("ed25519.sig"), policy=policy, principal="mallory@example.com")
    assert result.verdict is SignatureVerdict.UNTRUSTED and "mallory" in result.detail


MALFORMED = sorted(p.name for p in (VECTORS / "bad").glob("*.sig") if p.name != "swapped-key.sig")


@pytest.mark.parametrize("name", MALFORMED)
def test_negative_vectors_are_malformed_without_a_traceback(name: str) -> None:
    result = _check(_sig(f"bad/{name}"))
    assert result.verdict is SignatureVerdict.MALFORMED
    assert result.detail.startswith("malformed signature: ")
    assert result.principal is None


def test_weak_key_and_non_canonical_s_are_named() -> None:
    assert "weak Ed25519 public key" in _check(_sig("bad/weak-key.sig")).detail
    assert "S is not below the order L" in _check(_sig("bad/s-not-canonical.sig")).detail


@pytest.mark.parametrize("garbage", [b"", b"\x00" * 10, b"not a signature", os.urandom(300)])
def test_garbage_is_malformed(garbage: bytes) -> None:
    assert _check(garbage).verdict is SignatureVerdict.MALFORMED


def test_missing_signature(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(MESSAGE)
    result = sign.check_signature(path, None, EVERYONE)
    assert result.verdict is SignatureVerdict.MISSING
    assert result.signature_path == str(path) + ".sig"
    assert not result.failed() and result.failed(require_signature=True)
    assert sign.check_signature(MESSAGE, None, EVERYONE).verdict is SignatureVerdict.MISSING


def test_verify_signature_raises_with_the_verdict(tmp_path: Path) -> None:
    with pytest.raises(VerificationError, match=r"^bad: signature is for namespace") as caught:
        sign.verify_signature(MESSAGE, _sig("ed25519.sig"), EVERYONE, "git")
    assert exit_status(caught.value) == 1
    with pytest.raises(VerificationError, match=r"^missing: "):
        sign.verify_signature(tmp_path / "nothing", None, EVERYONE)


def test_check_a_missing_subject_raises(tmp_path: Path) -> None:
    (tmp_path / "gone.txt.sig").write_bytes(_sig("ed25519.sig"))
    with pytest.raises(InputError, match="does not exist"):
        sign.check_signature(tmp_path / "gone.txt", None, EVERYONE)


def test_the_time_checked_defaults_to_now() -> None:
    past = parse_allowed_signers(f'alice valid-before="20000101Z" {ALICE_LINE}\n')
    future = parse_allowed_signers(f'alice valid-after="29990101Z" {ALICE_LINE}\n')
    for policy in (past, future):
        result = sign.check_signature(MESSAGE, _sig("ed25519.sig"), policy)
        assert result.verdict is SignatureVerdict.UNTRUSTED


def test_public_key_policy_reports_the_key_comment_as_principal() -> None:
    policy = load_trusted_key(VECTORS / "ed25519.pub")
    result = _check(_sig("ed25519.sig"), policy=policy)
    assert result.verdict is SignatureVerdict.GOOD
    assert result.principal == load_public_key(VECTORS / "ed25519.pub").comment


# -- prehashed subjects ---------------------------------------------------------------------------


@pytest.mark.parametrize("vector", ["ed25519.sig", "ed25519-sha256.sig"])
def test_a_prehashed_subject_is_judged_as_its_bytes(vector: str) -> None:
    """A walk keeps digests, not bytes: the verdict must be the one the bytes get."""
    assert _check(_sig(vector), sign.Prehashed.of(MESSAGE)).verdict is SignatureVerdict.GOOD
    other = sign.Prehashed.of(MESSAGE + b"!")
    assert _check(_sig(vector), other).verdict is SignatureVerdict.BAD


def test_a_prehashed_subject_without_a_signature_is_missing() -> None:
    result = sign.check_signature(sign.Prehashed.of(MESSAGE), None, EVERYONE)
    assert result.verdict is SignatureVerdict.MISSING
