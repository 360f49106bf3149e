"""Issue 18 against the real OpenSSH tools: the same verdicts as ``ssh-keygen -Y verify``.

* ``--verify-time`` against ``-O verify-time=`` (local time and UTC, on both sides of a
  validity window);
* ``--revoked`` against ``-r``, with a key list and with KRLs made by ``ssh-keygen -k``;
* security-key (``sk-*``) signatures built here from ordinary keys, as a FIDO token makes
  them (PROTOCOL.u2f), which ssh-keygen verifies without any hardware;
* signing through a real ``ssh-agent`` holding keys added with ``ssh-add``.

Never skipped in CI (``CI`` set): without the tools they fail there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from conftest import GOOD, invoke, stock_tool
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from provenance.keys import SigningKey, generate_key
from provenance.sign import sign_file
from tests.sshcraft import SkPrivate, sk_public_line, sk_sshsig

ARTICLE = (GOOD / "plain.txt").read_bytes()


def _run(
    args: Sequence[str | Path], *, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    return subprocess.run(
        [str(arg) for arg in args],
        input=stdin,
        capture_output=True,
        env=base | (env or {}),
        timeout=60,
        check=False,
    )


@pytest.fixture
def article(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    path = folder / "plain.txt"
    path.write_bytes(ARTICLE)
    return path


@pytest.fixture
def alice(tmp_path: Path) -> SigningKey:
    return generate_key(tmp_path / "alice", comment="alice@example.com")


def _theirs(
    ssh_keygen: str,
    article: Path,
    allowed: Path,
    *extra: str | Path,
    env: dict[str, str] | None = None,
) -> bool:
    args = [ssh_keygen, "-Y", "verify", "-f", allowed, "-I", "alice@example.com", "-n", "file"]
    done = _run([*args, "-s", f"{article}.sig", *extra], stdin=article.read_bytes(), env=env)
    return done.returncode == 0


def _ours(article: Path, allowed: Path, *extra: str | Path) -> tuple[int, str]:
    result = invoke("verify", "--format", "json", article, "--allowed-signers", allowed, *extra)
    [entry] = json.loads(result.stdout)["results"]
    return result.exit_code, entry["signature"]["verdict"]


@pytest.fixture
def tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Local time nine hours ahead of UTC, here and in the ssh-keygen runs."""
    monkeypatch.setenv("TZ", "JST-9")
    time.tzset()
    yield {"TZ": "JST-9"}
    monkeypatch.undo()
    time.tzset()


# -- --verify-time and -O verify-time= ------------------------------------------------------------

WINDOW = 'valid-after="20240101",valid-before="202506011200"'


@pytest.mark.parametrize(
    ("verify_time", "good"),
    [
        ("20250101", True),
        ("20231231", False),
        ("20250602", False),
        ("202506011159", True),
        ("202506011201", False),
        # 02:59 UTC is 11:59 in Tokyo, inside the window; 03:01 UTC is after it.
        ("202506010259Z", True),
        ("202506010301Z", False),
        ("20240101000000", True),
    ],
)
def test_verify_time_gives_the_verdict_of_ssh_keygen(
    ssh_keygen: str,
    tmp_path: Path,
    article: Path,
    alice: SigningKey,
    tokyo: dict[str, str],
    verify_time: str,
    good: bool,
) -> None:
    sign_file(article, alice)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice@example.com {WINDOW} {alice.public.to_openssh()}\n")
    theirs = _theirs(ssh_keygen, article, allowed, "-O", f"verify-time={verify_time}", env=tokyo)
    status, verdict = _ours(article, allowed, "--verify-time", verify_time)
    assert theirs is good
    assert (status, verdict) == ((0, "good") if good else (1, "untrusted"))


def test_a_retired_key_verifies_old_seals_as_of_their_receipt(
    ssh_keygen: str, tmp_path: Path, alice: SigningKey
) -> None:
    # The archivist's case: the key was retired in 2025, the archive received in 2024.
    folder = tmp_path / "received-2024"
    folder.mkdir()
    (folder / "plain.txt").write_bytes(ARTICLE)
    assert invoke("seal", folder, "-k", tmp_path / "alice").exit_code == 0
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f'alice@example.com valid-before="20250101Z" {alice.public.to_openssh()}\n')
    now = invoke("verify", folder, "--allowed-signers", allowed)
    assert now.exit_code == 1 and "key expired" in now.stdout
    then = invoke(
        "verify", folder, "--allowed-signers", allowed, "--verify-time", "2024-06-01T00:00Z"
    )
    assert then.exit_code == 0, then.stdout
    manifest = folder / "SHA256SUMS"
    args = [ssh_keygen, "-Y", "verify", "-f", allowed, "-I", "alice@example.com", "-n", "file"]
    for when, expected in (("20240601Z", 0), (None, 255)):
        extra = ["-O", f"verify-time={when}"] if when else []
        done = _run([*args, "-s", f"{manifest}.sig", *extra], stdin=manifest.read_bytes())
        assert done.returncode == expected


# -- --revoked and -r -----------------------------------------------------------------------------


def _revocations(ssh_keygen: str, tmp_path: Path, alice: SigningKey) -> dict[str, Path]:
    """Files that revoke alice's key (list, KRLs by key, SHA-1, SHA-256) or another key."""
    other = generate_key(tmp_path / "other")
    pub = tmp_path / "alice.pub"
    files = {"list": tmp_path / "revoked_keys", "unrelated": tmp_path / "unrelated.krl"}
    files["list"].write_text(
        f"# retired\n{other.public.to_openssh()}\n{alice.public.to_openssh()}\n"
    )
    blob = " ".join(alice.public.to_openssh().split()[:2])
    specs = {
        "krl-key": f"key: {blob}\n",
        "krl-sha1": f"sha1: {blob}\n",
        "krl-hash": f"hash: {alice.public.fingerprint}\n",
    }
    for name, spec in specs.items():
        (tmp_path / f"{name}.spec").write_text(spec)
        files[name] = tmp_path / f"{name}.krl"
        made = _run([ssh_keygen, "-k", "-f", files[name], tmp_path / f"{name}.spec"])
        assert made.returncode == 0, made.stderr
    made = _run([ssh_keygen, "-k", "-f", files["unrelated"], tmp_path / "other.pub"])
    assert made.returncode == 0, made.stderr
    assert pub.exists()
    return files


@pytest.mark.parametrize("kind", ["list", "krl-key", "krl-sha1", "krl-hash", "unrelated"])
def test_revoked_gives_the_verdict_of_ssh_keygen_r(
    ssh_keygen: str, tmp_path: Path, article: Path, alice: SigningKey, kind: str
) -> None:
    sign_file(article, alice)
    revoked = _revocations(ssh_keygen, tmp_path, alice)[kind]
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice@example.com {alice.public.to_openssh()}\n")
    theirs = _theirs(ssh_keygen, article, allowed, "-r", revoked)
    status, verdict = _ours(article, allowed, "--revoked", revoked)
    expected = kind == "unrelated"
    assert theirs is expected
    assert (status, verdict) == ((0, "good") if expected else (1, "revoked"))


def test_a_krl_with_certificate_sections_reads_as_in_ssh_keygen(
    ssh_keygen: str, tmp_path: Path, article: Path, alice: SigningKey
) -> None:
    sign_file(article, alice)
    spec = tmp_path / "certs.spec"
    spec.write_text("serial: 1-5\nserial: 9\nid: bob@example.com\n")
    krl = tmp_path / "certs.krl"
    made = _run([ssh_keygen, "-k", "-f", krl, "-s", tmp_path / "alice.pub", "-z", "3", spec])
    assert made.returncode == 0, made.stderr
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice@example.com {alice.public.to_openssh()}\n")
    assert _theirs(ssh_keygen, article, allowed, "-r", krl)
    assert _ours(article, allowed, "--revoked", krl) == (0, "good")


# -- security-key signatures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "private",
    [Ed25519PrivateKey.generate(), ec.generate_private_key(ec.SECP256R1())],
    ids=["sk-ed25519", "sk-ecdsa"],
)
@pytest.mark.parametrize(
    ("flags", "theirs_good", "ours"),
    [
        (0x01, True, "good"),
        (0x05, True, "good"),
        # No user presence: ssh-keygen -Y verify does not look at the flag; provenance
        # refuses the signature, as sshd does without no-touch-required (docs/signatures.md).
        (0x00, True, "untrusted"),
        (0x04, True, "untrusted"),
    ],
)
def test_security_key_signatures_against_ssh_keygen(
    ssh_keygen: str,
    tmp_path: Path,
    article: Path,
    private: SkPrivate,
    flags: int,
    theirs_good: bool,
    ours: str,
) -> None:
    Path(f"{article}.sig").write_text(sk_sshsig(private, ARTICLE, flags=flags))
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice@example.com {sk_public_line(private)} token\n")
    assert _theirs(ssh_keygen, article, allowed) is theirs_good
    status, verdict = _ours(article, allowed)
    assert (status, verdict) == ((0, "good") if ours == "good" else (1, ours))


def test_a_security_key_signature_over_other_bytes_fails_in_both(
    ssh_keygen: str, tmp_path: Path, article: Path
) -> None:
    private = Ed25519PrivateKey.generate()
    Path(f"{article}.sig").write_text(sk_sshsig(private, ARTICLE + b"edited"))
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice@example.com {sk_public_line(private)}\n")
    assert not _theirs(ssh_keygen, article, allowed)
    assert _ours(article, allowed) == (1, "bad")


# -- a real ssh-agent -----------------------------------------------------------------------------


@pytest.fixture
def ssh_agent() -> Iterator[dict[str, str]]:
    """A private ssh-agent on its own socket; its environment for ssh-add and provenance."""
    agent = stock_tool("ssh-agent", "openssh-client")
    folder = Path(tempfile.mkdtemp(prefix="pa-", dir="/tmp"))  # Socket paths are short.
    sock = folder / "agent.sock"
    process = subprocess.Popen(
        [agent, "-D", "-a", str(sock)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(500):
            if sock.exists():
                break
            time.sleep(0.01)
        yield {"SSH_AUTH_SOCK": str(sock)}
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder)


def _add(key: Path, env: dict[str, str]) -> None:
    added = _run([stock_tool("ssh-add", "openssh-client"), "-q", key], env=env)
    assert added.returncode == 0, added.stderr


@pytest.mark.parametrize("key_type", ["ed25519", "rsa", "ecdsa"])
def test_sign_through_a_real_ssh_agent_verifies_in_ssh_keygen(
    ssh_keygen: str,
    tmp_path: Path,
    article: Path,
    ssh_agent: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    key_type: str,
) -> None:
    key = tmp_path / f"id_{key_type}"
    made = _run([ssh_keygen, "-q", "-t", key_type, "-N", "", "-C", "alice@example.com", "-f", key])
    assert made.returncode == 0, made.stderr
    _add(key, ssh_agent)
    key.unlink()  # From here on, the private key exists only inside the agent.
    monkeypatch.setenv("SSH_AUTH_SOCK", ssh_agent["SSH_AUTH_SOCK"])
    signed = invoke("sign", article, "-k", f"{key}.pub")
    assert signed.exit_code == 0, signed.output
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice@example.com {Path(f'{key}.pub').read_text()}")
    assert _theirs(ssh_keygen, article, allowed)
    assert _ours(article, allowed) == (0, "good")
    if key_type == "rsa":
        assert b"rsa-sha2-512" in _sig_blob(article)


def _sig_blob(article: Path) -> bytes:
    from provenance.sshsig import parse

    return parse(Path(f"{article}.sig").read_bytes()).signature


def test_our_agent_signature_is_the_one_ssh_keygen_makes_through_the_agent(
    ssh_keygen: str,
    tmp_path: Path,
    article: Path,
    ssh_agent: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = tmp_path / "id_ed25519"
    assert _run([ssh_keygen, "-q", "-t", "ed25519", "-N", "", "-f", key]).returncode == 0
    _add(key, ssh_agent)
    key.unlink()
    theirs = tmp_path / "theirs.txt"
    theirs.write_bytes(ARTICLE)
    done = _run([ssh_keygen, "-Y", "sign", "-n", "file", "-f", f"{key}.pub", theirs], env=ssh_agent)
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("SSH_AUTH_SOCK", ssh_agent["SSH_AUTH_SOCK"])
    assert invoke("sign", article, "--agent").exit_code == 0
    assert Path(f"{article}.sig").read_bytes() == Path(f"{theirs}.sig").read_bytes()


def test_seal_through_a_real_ssh_agent(
    ssh_keygen: str, tmp_path: Path, ssh_agent: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "id_ed25519"
    assert (
        _run(
            [ssh_keygen, "-q", "-t", "ed25519", "-N", "", "-C", "a@example.com", "-f", key]
        ).returncode
        == 0
    )
    _add(key, ssh_agent)
    key.unlink()
    folder = tmp_path / "issue"
    folder.mkdir()
    (folder / "plain.txt").write_bytes(ARTICLE)
    monkeypatch.setenv("SSH_AUTH_SOCK", ssh_agent["SSH_AUTH_SOCK"])
    sealed = invoke("seal", folder, "--agent")
    assert sealed.exit_code == 0, sealed.output
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice@example.com {Path(f'{key}.pub').read_text()}")
    manifest = folder / "SHA256SUMS"
    args = [ssh_keygen, "-Y", "verify", "-f", allowed, "-I", "alice@example.com", "-n", "file"]
    assert _run([*args, "-s", f"{manifest}.sig"], stdin=manifest.read_bytes()).returncode == 0
    assert invoke("verify", folder, "--allowed-signers", allowed).exit_code == 0


def test_record_through_a_real_ssh_agent(
    ssh_keygen: str, tmp_path: Path, ssh_agent: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Keys and agents as for sign (issue 19): -k KEY.pub signs a record through the agent.
    key = tmp_path / "id_ed25519"
    made = _run([ssh_keygen, "-q", "-t", "ed25519", "-N", "", "-C", "a@example.com", "-f", key])
    assert made.returncode == 0, made.stderr
    _add(key, ssh_agent)
    key.unlink()
    target = tmp_path / "plain.txt"
    target.write_bytes(ARTICLE)
    monkeypatch.setenv("SSH_AUTH_SOCK", ssh_agent["SSH_AUTH_SOCK"])
    recorded = invoke("record", target, "-k", f"{key}.pub")
    assert recorded.exit_code == 0, recorded.output
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice@example.com {Path(f'{key}.pub').read_text()}")
    checked = invoke("verify", target, "--allowed-signers", allowed, "--allow-unsigned")
    assert checked.exit_code == 0, checked.output
    assert "[record good by alice@example.com, matches]" in checked.stdout


def test_an_agent_without_the_key_is_one_clear_error(
    tmp_path: Path,
    article: Path,
    alice: SigningKey,
    ssh_agent: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSH_AUTH_SOCK", ssh_agent["SSH_AUTH_SOCK"])
    result = invoke("sign", article, "-k", tmp_path / "alice.pub")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"provenance: error: the ssh-agent does not hold the key {alice.public.fingerprint}",
        "hint: add it with ssh-add (ssh-add -l lists the keys it holds)",
    ]
    assert not Path(f"{article}.sig").exists()
