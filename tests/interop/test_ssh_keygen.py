"""Interoperability with the real ssh-keygen, both directions.

Our signatures must pass ``ssh-keygen -Y verify``; ``ssh-keygen -Y sign`` signatures must be
good for us; our keys must load in ssh-keygen and its keys in provenance. These tests never
skip in CI (``CI`` set): without ssh-keygen they fail there.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from provenance.allowed_signers import load_allowed_signers
from provenance.keys import SigningKey, generate_key, load_private_key, load_public_key
from provenance.model import SignatureVerdict
from provenance.sign import check_signature, sign_file

PASSPHRASE = "correct horse battery staple"
MESSAGE = b"An article.\nSigned by a tool and checked by another.\n"


def _run(
    ssh_keygen: str, args: Sequence[str], *, stdin: bytes = b"", askpass: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    if askpass is not None:
        env |= {"SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force"}
    return subprocess.run(
        [ssh_keygen, *args], input=stdin, capture_output=True, env=env, timeout=60, check=False
    )


@pytest.fixture
def askpass(tmp_path: Path) -> Path:
    """A program that answers ssh-keygen's passphrase prompt, as SSH_ASKPASS."""
    script = tmp_path / "askpass.sh"
    script.write_text(f"#!/bin/sh\necho '{PASSPHRASE}'\n")
    script.chmod(0o700)
    return script


@pytest.fixture
def message(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_bytes(MESSAGE)
    return path


def _their_key(ssh_keygen: str, path: Path, key_type: str, passphrase: str = "") -> Path:
    bits = {"rsa": ["-b", "3072"], "ecdsa": ["-b", "384"]}.get(key_type, [])
    made = _run(
        ssh_keygen,
        ["-q", "-t", key_type, *bits, "-N", passphrase, "-C", "them@example.com", "-f", str(path)],
    )
    assert made.returncode == 0, made.stderr
    return path


def _allowed(tmp_path: Path, lines: Sequence[str]) -> Path:
    path = tmp_path / "allowed_signers"
    path.write_text("".join(line + "\n" for line in lines))
    return path


def _their_verify(
    ssh_keygen: str,
    signed: Path,
    allowed: Path,
    principal: str,
    namespace: str = "file",
    verify_time: str | None = None,
) -> subprocess.CompletedProcess[bytes]:
    options = ["-O", f"verify-time={verify_time}"] if verify_time else []
    args = ["-Y", "verify", "-f", str(allowed), "-I", principal, "-n", namespace]
    args += ["-s", f"{signed}.sig", *options]
    return _run(ssh_keygen, args, stdin=signed.read_bytes())


# -- our keys in ssh-keygen and theirs in provenance ---------------------------------------------


@pytest.mark.parametrize("passphrase", ["", PASSPHRASE])
def test_ssh_keygen_loads_our_generated_key(
    ssh_keygen: str, tmp_path: Path, passphrase: str
) -> None:
    key = generate_key(tmp_path / "id_ed25519", comment="alice@example.com", passphrase=passphrase)
    shown = _run(ssh_keygen, ["-y", "-P", passphrase, "-f", str(tmp_path / "id_ed25519")])
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.decode().split()[:2] == key.public.to_openssh().split()[:2]
    listed = _run(ssh_keygen, ["-l", "-f", str(tmp_path / "id_ed25519.pub")])
    assert listed.stdout.decode().split()[1:3] == [key.public.fingerprint, "alice@example.com"]


def test_ssh_keygen_refuses_our_encrypted_key_with_a_wrong_passphrase(
    ssh_keygen: str, tmp_path: Path
) -> None:
    generate_key(tmp_path / "key", passphrase=PASSPHRASE)
    assert _run(ssh_keygen, ["-y", "-P", "wrong", "-f", str(tmp_path / "key")]).returncode != 0


@pytest.mark.parametrize("key_type", ["ed25519", "rsa", "ecdsa"])
def test_we_load_ssh_keygen_public_keys(ssh_keygen: str, tmp_path: Path, key_type: str) -> None:
    _their_key(ssh_keygen, tmp_path / "key", key_type)
    key = load_public_key(tmp_path / "key.pub")
    listed = _run(ssh_keygen, ["-l", "-f", str(tmp_path / "key.pub")])
    assert key.fingerprint == listed.stdout.decode().split()[1]


# -- our signatures in ssh-keygen -----------------------------------------------------------------


def _our_key(ssh_keygen: str, tmp_path: Path, kind: str) -> SigningKey:
    if kind == "ours":
        return generate_key(tmp_path / "ours", comment="alice@example.com")
    if kind == "ours-passphrase":
        generate_key(tmp_path / "ours", passphrase=PASSPHRASE)
        return load_private_key(tmp_path / "ours", lambda: PASSPHRASE)
    path = _their_key(ssh_keygen, tmp_path / "theirs", "ed25519", PASSPHRASE)
    return load_private_key(path, lambda: PASSPHRASE.encode())


@pytest.mark.parametrize("kind", ["ours", "ours-passphrase", "ssh-keygen-passphrase"])
@pytest.mark.parametrize("namespace", ["file", "release@example.com"])
def test_ssh_keygen_verifies_our_signatures(
    ssh_keygen: str, tmp_path: Path, message: Path, kind: str, namespace: str
) -> None:
    key = _our_key(ssh_keygen, tmp_path, kind)
    sign_file(message, key, namespace)
    allowed = _allowed(tmp_path, [f"alice@example.com {key.public.to_openssh()}"])
    checked = _their_verify(ssh_keygen, message, allowed, "alice@example.com", namespace)
    assert checked.returncode == 0, checked.stderr
    expected = f'Good "{namespace}" signature for alice@example.com with ED25519 key '
    assert checked.stdout.decode().strip() == expected + key.public.fingerprint


def test_ssh_keygen_rejects_our_signature_of_other_bytes_or_namespace(
    ssh_keygen: str, tmp_path: Path, message: Path
) -> None:
    key = generate_key(tmp_path / "ours")
    sign_file(message, key)
    allowed = _allowed(tmp_path, [f"alice {key.public.to_openssh()}"])
    assert _their_verify(ssh_keygen, message, allowed, "alice", "git").returncode != 0
    message.write_bytes(MESSAGE + b" ")
    assert _their_verify(ssh_keygen, message, allowed, "alice").returncode != 0


# -- ssh-keygen's signatures in provenance --------------------------------------------------------


@pytest.mark.parametrize(
    ("key_type", "passphrase", "namespace", "options"),
    [
        ("ed25519", "", "file", []),
        ("ed25519", PASSPHRASE, "file", []),
        ("ed25519", "", "release@example.com", []),
        ("ed25519", "", "file", ["-O", "hashalg=sha256"]),
        ("rsa", "", "file", []),
        ("rsa", "", "file", ["-O", "hashalg=sha256"]),
        ("ecdsa", PASSPHRASE, "file", []),
    ],
)
def test_we_verify_ssh_keygen_signatures(
    ssh_keygen: str,
    tmp_path: Path,
    message: Path,
    askpass: Path,
    key_type: str,
    passphrase: str,
    namespace: str,
    options: list[str],
) -> None:
    key = _their_key(ssh_keygen, tmp_path / "key", key_type, passphrase)
    signed = _run(
        ssh_keygen,
        ["-Y", "sign", "-f", str(key), "-n", namespace, *options, str(message)],
        askpass=askpass,
    )
    assert signed.returncode == 0, signed.stderr
    public = load_public_key(tmp_path / "key.pub")
    policy = load_allowed_signers(_allowed(tmp_path, [f"them@example.com {public.to_openssh()}"]))
    result = check_signature(message, None, policy, namespace)
    assert result.verdict is SignatureVerdict.GOOD, result.detail
    assert (result.principal, result.key_fingerprint) == ("them@example.com", public.fingerprint)
    assert check_signature(message, None, policy, "other").verdict is SignatureVerdict.BAD
    message.write_bytes(MESSAGE.upper())
    assert check_signature(message, None, policy, namespace).verdict is SignatureVerdict.BAD


# -- allowed_signers read alike -------------------------------------------------------------------

WHEN = "20250615Z"
SCENARIOS = [
    # (options, principals, principal asked for, namespace, good?)
    ("", "alice@example.com", "alice@example.com", "file", True),
    ('namespaces="file"', "alice@example.com", "alice@example.com", "file", True),
    ('namespaces="git"', "alice@example.com", "alice@example.com", "file", False),
    ('namespaces="fi*,!file"', "alice@example.com", "alice@example.com", "file", False),
    ('NAMESPACES="release@*"', "alice@example.com", "alice@example.com", "release@x", True),
    ('valid-after="20250101Z"', "alice@example.com", "alice@example.com", "file", True),
    ('valid-after="20250701Z"', "alice@example.com", "alice@example.com", "file", False),
    ('valid-before="20250601Z"', "alice@example.com", "alice@example.com", "file", False),
    ('valid-after="20250615Z",valid-before="20250616Z"', "a", "a", "file", True),
    ('valid-after="202506150001Z"', "a", "a", "file", False),
    ("", "*@example.com,!eve@example.com", "alice@example.com", "file", True),
    ("", "*@example.com,!eve@example.com", "eve@example.com", "file", False),
    ("", '"Alice Smith"', "Alice Smith", "file", True),
    ("", "alice@example.com", "mallory@example.com", "file", False),
]


@pytest.mark.parametrize(("options", "principals", "principal", "namespace", "good"), SCENARIOS)
def test_allowed_signers_options_mean_the_same_to_both_tools(
    ssh_keygen: str,
    tmp_path: Path,
    message: Path,
    options: str,
    principals: str,
    principal: str,
    namespace: str,
    good: bool,
) -> None:
    key = generate_key(tmp_path / "ours")
    sign_file(message, key, namespace)
    line = " ".join(part for part in (principals, options, key.public.to_openssh()) if part)
    allowed = _allowed(tmp_path, ["# team signers", line])
    theirs = _their_verify(ssh_keygen, message, allowed, principal, namespace, WHEN)
    now = datetime.strptime(WHEN, "%Y%m%dZ").replace(tzinfo=UTC)
    ours = check_signature(
        message, None, load_allowed_signers(allowed), namespace, now=now, principal=principal
    )
    assert (theirs.returncode == 0) is good, theirs.stderr
    expected = SignatureVerdict.GOOD if good else SignatureVerdict.UNTRUSTED
    assert ours.verdict is expected, ours.detail


def test_a_signature_by_an_untrusted_key_fails_in_both_tools(
    ssh_keygen: str, tmp_path: Path, message: Path
) -> None:
    signer = generate_key(tmp_path / "signer")
    trusted = generate_key(tmp_path / "trusted")
    sign_file(message, signer)
    allowed = _allowed(tmp_path, [f"alice {trusted.public.to_openssh()}"])
    assert _their_verify(ssh_keygen, message, allowed, "alice").returncode != 0
    result = check_signature(message, None, load_allowed_signers(allowed))
    assert result.verdict is SignatureVerdict.UNTRUSTED
