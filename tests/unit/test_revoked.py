"""Revoked keys (provenance.revoked): key lists and KRLs, read strictly; revocation beats trust."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from provenance.allowed_signers import TrustedKey, parse_allowed_signers
from provenance.errors import InputError
from provenance.keys import PublicKey, SigningKey, generate_key
from provenance.model import SignatureVerdict
from provenance.revoked import RevocationCheck, load_revoked, parse_krl, parse_revoked
from provenance.sign import check_signature, sign_bytes
from tests.sshcraft import krl, raw_section, s, section, sk_public_blob, sk_public_line

MESSAGE = b"An article.\n"
FIXTURE_KEY = (
    Path(__file__).resolve().parents[2] / "fixtures" / "sshsig" / "ed25519.pub"
).read_text()


@pytest.fixture
def alice(tmp_path: Path) -> SigningKey:
    return generate_key(tmp_path / "alice", comment="alice@example.com")


@pytest.fixture
def bob(tmp_path: Path) -> SigningKey:
    return generate_key(tmp_path / "bob")


def _line(key: PublicKey) -> str:
    return key.to_openssh()


def test_a_listed_key_is_revoked_and_others_are_not(alice: SigningKey, bob: SigningKey) -> None:
    text = f"# retired 2025-06\n\n  {_line(alice.public)}\n".encode()
    revoked = parse_revoked(text, "revoked_keys")
    assert revoked.reason(alice.public) == (
        f"key {alice.public.fingerprint} is listed in the revoked keys revoked_keys"
    )
    assert revoked.reason(bob.public) is None


def test_a_security_key_can_be_revoked() -> None:
    private = Ed25519PrivateKey.generate()
    revoked = parse_revoked(f"{sk_public_line(private)} token\n".encode())
    assert revoked.blobs == {sk_public_blob(private)}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ssh-ed25519", "expected a public key"),
        ("ssh-ed25519 not-base64!", "not valid base64"),
        (f"ssh-rsa {FIXTURE_KEY.split()[1]}", "the line says 'ssh-rsa'"),
        ("ssh-ed25519-cert-v01@openssh.com AAAA", "certificate"),
        # A small-order key: provenance never accepts it, and refuses to guess what it means.
        (f"ssh-ed25519 {base64.b64encode(s(b'ssh-ed25519') + s(bytes(32))).decode()}", "weak"),
    ],
)
def test_a_malformed_key_line_is_an_error_naming_the_line(line: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_revoked(f"# ok\n{line}\n".encode(), "revoked")
    assert caught.value.message.startswith("revoked:2: ")


def test_a_non_canonical_copy_of_a_key_is_refused_not_ignored() -> None:
    # Base64 with stray low bits before its padding decodes to the same blob: a byte
    # comparison of another spelling of the key must not be what decides.
    line = sk_public_line(Ed25519PrivateKey.generate())
    kind, encoded = line.split()
    assert encoded.endswith("=") and not encoded.endswith("==")
    stray = encoded[:-2] + chr(ord(encoded[-2]) + 1) + "="
    assert base64.b64decode(stray) == base64.b64decode(encoded)
    with pytest.raises(InputError, match="canonical"):
        parse_revoked(f"{kind} {stray}\n".encode())


def test_krl_revokes_by_blob_sha1_and_sha256(alice: SigningKey, bob: SigningKey) -> None:
    third = generate_key_public()
    data = krl(
        [
            section(2, alice.public.blob),
            section(3, hashlib.sha1(bob.public.blob).digest()),
            section(5, hashlib.sha256(third.blob).digest()),
        ]
    )
    revoked = parse_krl(data, "revoked.krl")
    assert "is listed in" in (revoked.reason(alice.public) or "")
    assert "SHA-1" in (revoked.reason(bob.public) or "")
    assert "SHA-256" in (revoked.reason(third) or "")


def generate_key_public() -> PublicKey:
    from provenance.keys import public_key_from_blob

    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes_raw()
    return public_key_from_blob(s(b"ssh-ed25519") + s(raw))


def test_krl_certificate_sections_are_read_and_revoke_no_plain_key(alice: SigningKey) -> None:
    serials = bytes((0x20,)) + s((5).to_bytes(8, "big") + (9).to_bytes(8, "big"))
    ranged = bytes((0x21,)) + s((1).to_bytes(8, "big") + (4).to_bytes(8, "big"))
    bitmap = bytes((0x22,)) + s((0).to_bytes(8, "big") + s(b"\x05"))
    ids = bytes((0x23,)) + s(s(b"bob") + s(b"carol"))
    optional = bytes((0x39,)) + s(s(b"x@example.com") + b"\x00" + s(b""))
    body = s(alice.public.blob) + s(b"") + serials + ranged + bitmap + ids + optional
    revoked = parse_krl(krl([raw_section(1, body)]))
    assert revoked.reason(alice.public) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (krl([], version=2), "format version 2"),
        (krl([])[:20], "truncated"),
        (krl([raw_section(4, b"")]), "KRL signature"),
        (krl([raw_section(9, b"")]), "unknown section type"),
        (krl([section(3, b"short")]), "5 bytes, expected 20"),
        (krl([section(5, bytes(31))]), "31 bytes, expected 32"),
        (krl([raw_section(2, b"")]), "is empty"),
        (krl([raw_section(2, s(b"ssh-ed25519") + b"\x00")]), "truncated"),
        (krl([section(2, s(b"ssh-ed25519") + s(bytes(31)))]), "32 bytes"),
        (krl([raw_section(255, s(b"x@example.com") + b"\x01" + s(b""))]), "critical extension"),
        (krl([raw_section(255, s(b"x@example.com") + b"\x00" + s(b"") + b"!")]), "unparsed"),
        (krl([raw_section(1, s(b"") + s(b"") + bytes((0x20,)) + s(b"\x00" * 7))]), "serial"),
        (krl([raw_section(1, s(b"") + s(b"") + bytes((0x21,)) + s(bytes(8)))]), "16 bytes"),
        (krl([raw_section(1, s(b"") + s(b"") + bytes((0x30,)) + s(b""))]), "unknown certificate"),
        (krl([raw_section(1, s(b"") + s(b"") + bytes((0x23,)) + s(b""))]), "is empty"),
        (krl([]) + b"\x02", "truncated"),
    ],
)
def test_a_malformed_krl_is_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_revoked(data, "revoked.krl")
    assert caught.value.message.startswith("revoked.krl: malformed KRL: ")


def test_load_revoked_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "revoked"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="revoked keys file"):
        load_revoked(fifo)


def test_revocation_beats_every_trust_source(alice: SigningKey) -> None:
    signature = sign_bytes(MESSAGE, alice)
    revoked = parse_revoked(f"{_line(alice.public)}\n".encode(), "revoked_keys")
    for policy in (
        parse_allowed_signers(f"alice@example.com {_line(alice.public)}\n"),
        TrustedKey(alice.public),
    ):
        result = check_signature(MESSAGE, signature, RevocationCheck(policy, revoked))
        assert result.verdict is SignatureVerdict.REVOKED
        assert result.detail.startswith("revoked key: key SHA256:")
        assert result.failed()


def test_a_bad_signature_by_a_revoked_key_is_bad_as_in_ssh_keygen(alice: SigningKey) -> None:
    # ssh-keygen checks the signature first and the revocation list after it.
    signature = sign_bytes(MESSAGE, alice)
    revoked = parse_revoked(f"{_line(alice.public)}\n".encode())
    result = check_signature(
        b"Another text.\n", signature, RevocationCheck(TrustedKey(alice.public), revoked)
    )
    assert result.verdict is SignatureVerdict.BAD


def test_a_key_not_revoked_is_judged_by_the_trust_source(
    alice: SigningKey, bob: SigningKey
) -> None:
    revoked = parse_revoked(f"{_line(bob.public)}\n".encode())
    policy = RevocationCheck(TrustedKey(alice.public), revoked)
    assert (
        check_signature(MESSAGE, sign_bytes(MESSAGE, alice), policy).verdict
        is SignatureVerdict.GOOD
    )
