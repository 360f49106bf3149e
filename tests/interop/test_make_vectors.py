"""``fixtures/sshsig/make_vectors.sh`` regenerates the committed vectors, not new ones.

Tests and docs name the test keys' fingerprints, so a run of the script that the README
suggests must leave every deterministic vector exactly as committed. It runs on a copy of the
folder with the real ssh-keygen (never skipped in CI).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT

VECTORS = ROOT / "fixtures" / "sshsig"
#: ECDSA signing is randomised: these signatures differ from run to run, and must verify.
RANDOMISED = ("ecdsa-p256.sig", "ecdsa-p384.sig", "ecdsa-p521.sig")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_run_of_the_script_reproduces_the_committed_vectors(
    ssh_keygen: str, tmp_path: Path
) -> None:
    copy = tmp_path / "sshsig"
    shutil.copytree(VECTORS, copy)
    done = subprocess.run(
        ["sh", str(copy / "make_vectors.sh")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    before, after = _files(VECTORS), _files(copy)
    assert sorted(after) == sorted(before)
    changed = sorted(name for name in before if before[name] != after[name])
    assert set(changed) <= set(RANDOMISED), changed
    for name in RANDOMISED:
        key = name.removesuffix(".sig")
        principal = (copy / f"{key}.pub").read_text().split()[2]
        signers = tmp_path / "allowed_signers"
        signers.write_text(f"{principal} {(copy / f'{key}.pub').read_text()}")
        verify = ["-Y", "verify", "-f", str(signers), "-I", principal, "-n", "file"]
        check = subprocess.run(
            [ssh_keygen, *verify, "-s", str(copy / name)],
            input=(copy / "message.txt").read_bytes(),
            capture_output=True,
            check=False,
        )
        assert check.returncode == 0, check.stderr


def test_new_keys_only_when_asked(tmp_path: Path) -> None:
    copy = tmp_path / "sshsig"
    shutil.copytree(VECTORS, copy)
    done = subprocess.run(
        ["sh", str(copy / "make_vectors.sh"), "--bogus"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "usage" in done.stderr
    assert (copy / "ed25519.pub").read_bytes() == (VECTORS / "ed25519.pub").read_bytes()
