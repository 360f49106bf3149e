"""Attacks on detached signatures and on the trust file.

A signature is only as good as the question it answers: these bytes, this namespace, this
signer, now. Each test presents a signature that is valid for some *other* question and
checks that it is refused with a verdict that says which question failed.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from provenance.allowed_signers import (
    MAX_FILE_SIZE,
    AllowedSigners,
    load_allowed_signers,
    parse_allowed_signers,
)
from provenance.errors import InputError
from provenance.keys import SigningKey, generate_key
from provenance.model import SignatureVerdict
from provenance.options import VerifyOptions
from provenance.seal import seal_folder
from provenance.sealed import check_sealed_folder
from provenance.sign import check_signature, sign_bytes, sign_file
from provenance.sshsig import MAX_ARMORED_SIZE
from tests.attacks.conftest import assert_clean
from tests.conftest import article, invoke, write

NOW = datetime(2025, 6, 1, tzinfo=UTC)
DATA = article().data()


@pytest.fixture
def alice(tmp_path: Path) -> SigningKey:
    return generate_key(tmp_path / "alice", comment="alice@example.com")


@pytest.fixture
def mallory(tmp_path: Path) -> SigningKey:
    return generate_key(tmp_path / "mallory", comment="alice@example.com")


def signers(*lines: str) -> AllowedSigners:
    return parse_allowed_signers("".join(f"{line}\n" for line in lines), "allowed")


def test_signature_for_namespace_a_presented_for_b_is_bad(alice: SigningKey) -> None:
    policy = signers(f"alice@example.com {alice.public.to_openssh()}")
    signature = sign_bytes(DATA, alice, "git")
    result = check_signature(DATA, signature, policy, "file", now=NOW)
    assert result.verdict is SignatureVerdict.BAD
    assert "namespace 'git', expected 'file'" in result.detail


def test_namespace_restriction_in_allowed_signers_makes_another_namespace_untrusted(
    alice: SigningKey,
) -> None:
    policy = signers(f'alice@example.com namespaces="git" {alice.public.to_openssh()}')
    signature = sign_bytes(DATA, alice, "file")
    result = check_signature(DATA, signature, policy, "file", now=NOW)
    assert result.verdict is SignatureVerdict.UNTRUSTED and "namespace 'file'" in result.detail


def test_key_listed_only_under_negated_principals_is_untrusted(
    tmp_path: Path, alice: SigningKey
) -> None:
    # "Everyone but mallory" written without its positive half: a trust file that excludes
    # a name must not, by that line, vouch for the key as anyone.
    doc = write(tmp_path, "a.txt", DATA)
    sign_file(doc, alice)
    trust = write(tmp_path, "allowed", f"!mallory@example.com {alice.public.to_openssh()}\n")
    result = invoke("verify", "--no-config", "--allowed-signers", trust, doc)
    assert_clean(result, 1)
    assert "untrusted" in result.stdout and "are all negated" in result.stdout


def test_seal_signature_copied_to_another_manifest_is_bad(
    tmp_path: Path, alice: SigningKey
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    write(one, "a.txt", DATA)
    write(two, "b.txt", DATA)
    seal_folder(one, alice)
    seal_folder(two, alice)
    (two / "SHA256SUMS.sig").write_bytes((one / "SHA256SUMS.sig").read_bytes())
    policy = signers(f"alice@example.com {alice.public.to_openssh()}")
    check = check_sealed_folder(two, VerifyOptions(policy=policy, now=NOW))
    assert check.signature is not None
    assert check.signature.verdict is SignatureVerdict.BAD
    assert "does not match the bytes" in check.signature.detail
    assert check.failed()


def test_file_signature_copied_beside_another_file_is_bad(
    tmp_path: Path, alice: SigningKey
) -> None:
    first = write(tmp_path, "a.txt", DATA)
    second = write(tmp_path, "b.txt", article(holder="Other Press").data())
    sign_file(first, alice)
    Path(f"{second}.sig").write_bytes(Path(f"{first}.sig").read_bytes())
    allowed = write(tmp_path, "allowed", f"alice@example.com {alice.public.to_openssh()}\n")
    result = invoke("verify", "--allowed-signers", allowed, first, second)
    assert_clean(result, 1)
    lines = result.stdout.splitlines()
    assert "signature good" in lines[0] and "signature bad" in lines[1]


def test_valid_signature_by_an_allowed_key_for_another_principal_is_untrusted(
    alice: SigningKey, mallory: SigningKey
) -> None:
    # Mallory's key is allowed, but as mallory; her key comment claims alice.
    policy = signers(
        f"alice@example.com {alice.public.to_openssh()}",
        f"mallory@example.com {mallory.public.to_openssh()}",
    )
    signature = sign_bytes(DATA, mallory)
    named = check_signature(DATA, signature, policy, now=NOW)
    assert named.verdict is SignatureVerdict.GOOD
    assert named.principal == "mallory@example.com"  # From the trust file, never the key.
    asked = check_signature(
        DATA,
        signature,
        policy,
        now=NOW,
        principal="alice@example.com",
    )
    assert asked.verdict is SignatureVerdict.UNTRUSTED
    assert "principal 'alice@example.com'" in asked.detail


def test_key_not_in_allowed_signers_is_untrusted_whatever_its_comment(
    alice: SigningKey, mallory: SigningKey
) -> None:
    policy = signers(f"alice@example.com {alice.public.to_openssh()}")
    result = check_signature(DATA, sign_bytes(DATA, mallory), policy, now=NOW)
    assert result.verdict is SignatureVerdict.UNTRUSTED
    assert "is not in allowed" in result.detail


def test_options_in_odd_order_and_case_are_read_like_openssh(alice: SigningKey) -> None:
    line = (
        f'alice@example.com VALID-BEFORE="20301231Z",Namespaces="file",valid-after="20200101Z" '
        f"{alice.public.to_openssh()}"
    )
    (entry,) = signers(line).entries
    assert entry.namespaces == ("file",)
    assert entry.valid_after is not None and entry.valid_before is not None
    result = check_signature(DATA, sign_bytes(DATA, alice), signers(line), now=NOW)
    assert result.verdict is SignatureVerdict.GOOD


def test_quoted_commas_in_principals_and_namespaces_split_into_patterns(
    alice: SigningKey,
) -> None:
    line = f'"alice@example.com,ed@example.com" namespaces="git,file" {alice.public.to_openssh()}'
    (entry,) = signers(line).entries
    assert entry.principals == ("alice@example.com", "ed@example.com")
    assert entry.namespaces == ("git", "file")


@pytest.mark.parametrize(
    ("line_options", "message"),
    [
        ('namespaces="file",namespaces="git"', 'multiple "namespaces" clauses'),
        ('namespaces="file,"', "empty namespace pattern"),
        ("namespaces=file", "must be in double quotes"),
        ('namespaces="file', "unterminated quote"),
        ('namespaces="file",,valid-after="20200101"', "unknown option"),
        ("cert-authority", "cert-authority is not supported"),
        ('valid-after="20300101Z",valid-before="20200101Z"', "is not after"),
        ('valid-after="2030"', 'invalid "valid-after" time'),
        ('valid-after="20301301Z"', 'invalid "valid-after" time'),
    ],
)
def test_malformed_options_are_an_error_naming_the_line(
    alice: SigningKey, line_options: str, message: str
) -> None:
    text = f"# comment\nalice@example.com {line_options} {alice.public.to_openssh()}\n"
    with pytest.raises(InputError, match="allowed:2: ") as caught:
        parse_allowed_signers(text, "allowed")
    assert message in caught.value.message


def test_quoted_comma_in_an_unquoted_principal_is_refused(alice: SigningKey) -> None:
    with pytest.raises(InputError, match="a quote inside the principals"):
        parse_allowed_signers(f'alice@example.com,"bob" {alice.public.to_openssh()}\n')


def test_expired_key_is_untrusted_and_says_when(alice: SigningKey) -> None:
    policy = signers(f'alice@example.com valid-before="20241231Z" {alice.public.to_openssh()}')
    result = check_signature(DATA, sign_bytes(DATA, alice), policy, now=NOW)
    assert result.verdict is SignatureVerdict.UNTRUSTED
    assert "key expired" in result.detail and "2024-12-31T00:00:00Z" in result.detail


def test_key_not_yet_valid_is_untrusted(alice: SigningKey) -> None:
    policy = signers(f'alice@example.com valid-after="20300101Z" {alice.public.to_openssh()}')
    result = check_signature(DATA, sign_bytes(DATA, alice), policy, now=NOW)
    assert result.verdict is SignatureVerdict.UNTRUSTED and "not yet valid" in result.detail


def test_expired_key_fails_the_command_with_exit_1(tmp_path: Path, alice: SigningKey) -> None:
    doc = write(tmp_path, "a.txt", DATA)
    sign_file(doc, alice)
    allowed = write(
        tmp_path,
        "allowed",
        f'alice@example.com valid-before="20200101Z" {alice.public.to_openssh()}\n',
    )
    result = invoke("verify", "--allowed-signers", allowed, doc)
    assert_clean(result, 1)
    assert "signature untrusted" in result.stdout and "key expired" in result.stdout


def test_huge_allowed_signers_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "allowed"
    with open(huge, "wb") as handle:
        handle.truncate(MAX_FILE_SIZE + 1)
    with pytest.raises(InputError, match="larger than"):
        load_allowed_signers(huge)
    doc = write(tmp_path, "a.txt", DATA)
    result = invoke("verify", "--allowed-signers", huge, doc)
    assert_clean(result, 2)


def test_allowed_signers_of_twenty_thousand_lines_loads_and_decides(
    tmp_path: Path, alice: SigningKey
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    others = [
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
        for _ in range(200)
    ]
    lines = [f"user{i}@example.com {others[i % 200]}" for i in range(20_000)]
    lines.append(f"alice@example.com {alice.public.to_openssh()}")
    path = write(tmp_path, "allowed", "\n".join(lines) + "\n")
    policy = load_allowed_signers(path)
    result = check_signature(DATA, sign_bytes(DATA, alice), policy, now=NOW)
    assert result.verdict is SignatureVerdict.GOOD and result.principal == "alice@example.com"


def test_huge_signature_file_is_malformed_and_never_decoded(
    tmp_path: Path, alice: SigningKey
) -> None:
    doc = write(tmp_path, "a.txt", DATA)
    Path(f"{doc}.sig").write_bytes(b"A" * (MAX_ARMORED_SIZE + 10))
    policy = signers(f"alice@example.com {alice.public.to_openssh()}")
    result = check_signature(str(doc), None, policy, now=NOW)
    assert result.verdict is SignatureVerdict.MALFORMED
    assert f"is larger than {MAX_ARMORED_SIZE} bytes" in result.detail


def test_signature_with_a_second_signature_appended_is_malformed(alice: SigningKey) -> None:
    one = sign_bytes(DATA, alice)
    policy = signers(f"alice@example.com {alice.public.to_openssh()}")
    result = check_signature(DATA, one + one, policy, now=NOW)
    assert result.verdict is SignatureVerdict.MALFORMED and "second signature" in result.detail


def test_signature_over_a_large_sparse_file_is_good(tmp_path: Path, alice: SigningKey) -> None:
    big = tmp_path / "big.tar"
    with open(big, "wb") as handle:
        handle.truncate(256 << 20)
    sign_file(big, alice)
    policy = signers(f"alice@example.com {alice.public.to_openssh()}")
    result = check_signature(str(big), None, policy, now=NOW)
    assert result.verdict is SignatureVerdict.GOOD
    with open(big, "r+b") as handle:
        handle.seek(200 << 20)
        handle.write(b"x")
    assert check_signature(str(big), None, policy, now=NOW).verdict is SignatureVerdict.BAD
    os.unlink(big)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # Found by tests/fuzz: both used to end in a traceback.
        (b"\x0b\n", "allowed:1: expected principals, found only whitespace"),
        (b"alice@example.com ssh-ed25519 AAAA\xc3\xa9AAA\n", "allowed:1: the ssh-ed25519 public"),
    ],
)
def test_odd_whitespace_or_non_ascii_key_in_allowed_signers_is_one_error_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    allowed = tmp_path / "allowed"
    allowed.write_bytes(content)
    doc = write(tmp_path, "a.txt", DATA)
    result = invoke("verify", "--allowed-signers", allowed, doc)
    assert_clean(result, 2)
    assert message.replace("allowed:", f"{allowed}:") in result.stderr
