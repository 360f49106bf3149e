"""Attack: a FIFO or a device named where provenance expects a small input file.

Keys, allowed_signers, publisher token files, passphrase files, signatures, manifests and
``parse``'s article are all read whole. Before they went through one hardened reader, a FIFO
there hung the command forever (``--public-key FIFO``, ``sign -k FIFO``, ``parse FIFO``) and
``/dev/zero`` grew it without end (``--publisher-tokens /dev/zero``, ``parse /dev/zero``: 7 GB).
Each case runs the real command in a process of its own with a timeout, so a regression fails
the test instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from provenance.keys import generate_key
from provenance.model import Verdict
from provenance.seal import seal_folder
from provenance.sealed import check_sealed_folder
from tests.conftest import ENTRY, ROOT, article, write

#: Generous for a command that refuses at once (~0.3 s); a hang or a 7 GB read takes longer.
TIMEOUT = 20

#: Builds the command line around the hostile path ``bad``, in a folder with a key pair
#: (``id``, ``id.pub``), an article ``a.txt`` and a passphrase file ``pass``.
Case = Callable[[Path, str], list[str]]

CASES: dict[str, Case] = {
    "sign -k": lambda d, bad: ["sign", "-k", bad, str(d / "a.txt")],
    "seal -k": lambda d, bad: ["seal", "-k", bad, str(d / "folder")],
    "verify --public-key": lambda d, bad: ["verify", "--public-key", bad, str(d / "a.txt")],
    "verify --allowed-signers": lambda d, bad: [
        "verify", "--allowed-signers", bad, str(d / "a.txt")
    ],
    "verify --publisher-tokens": lambda d, bad: [
        "verify", "--publisher-tokens", bad, str(d / "a.txt")
    ],
    "parse --publisher-tokens": lambda d, bad: [
        "parse", "--publisher-tokens", bad, str(d / "a.txt")
    ],
    "sign --passphrase-file": lambda d, bad: [
        "sign", "-k", str(d / "id"), "--passphrase-file", bad, str(d / "a.txt")
    ],
    "keygen --passphrase-file": lambda d, bad: [
        "keygen", "-f", str(d / "new"), "--passphrase-file", bad
    ],
    "parse": lambda d, bad: ["parse", bad],
}  # fmt: skip

#: How each case names the file in its one error line.
WHAT = {
    "sign -k": "key",
    "seal -k": "key",
    "verify --public-key": "public key",
    "verify --allowed-signers": "allowed signers file",
    "verify --publisher-tokens": "publisher token file",
    "parse --publisher-tokens": "publisher token file",
    "sign --passphrase-file": "passphrase file",
    "keygen --passphrase-file": "passphrase file",
    "parse": "article",
}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    generate_key(tmp_path / "id", comment="alice@example.com", passphrase="secret")
    write(tmp_path, "a.txt", article().data())
    write(tmp_path / "folder", "b.txt", article().data())
    write(tmp_path, "pass", "secret\n")
    return tmp_path


def run(args: list[str], program: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """``provenance ARGS`` (or ``PROGRAM ARGS``) in a process of its own, with the timeout."""
    return subprocess.run(
        [*(program or (str(ENTRY),)), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def assert_refused(done: subprocess.CompletedProcess[str], message: str) -> None:
    """Exit 2, one error line naming the file and what it is, nothing else, no traceback."""
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [f"provenance: error: {message}"]
    assert done.stdout == ""


@pytest.mark.parametrize("case", sorted(CASES))
def test_fifo_as_input_file_is_refused_at_once(case: str, workdir: Path) -> None:
    fifo = workdir / "pipe"
    os.mkfifo(fifo)
    done = run(CASES[case](workdir, str(fifo)))
    assert_refused(done, f"{WHAT[case]} {fifo} is a FIFO: never opened")


@pytest.mark.parametrize("case", sorted(CASES))
def test_dev_zero_as_input_file_is_refused_unread(case: str, workdir: Path) -> None:
    done = run(CASES[case](workdir, "/dev/zero"))
    assert_refused(done, f"{WHAT[case]} /dev/zero is a device file: never opened")


def test_dev_zero_planted_as_a_signature_is_malformed_and_never_read(workdir: Path) -> None:
    key = workdir / "id.pub"
    (workdir / "a.txt.sig").symlink_to("/dev/zero")
    done = run(["verify", "--public-key", str(key), str(workdir / "a.txt")])
    assert done.returncode == 1, done.stderr
    assert "a.txt.sig is a device file: never opened" in done.stdout
    assert "Traceback" not in done.stderr


def test_fifo_planted_as_a_manifest_is_unreadable_not_a_hang(tmp_path: Path) -> None:
    root = tmp_path / "sealed"
    write(root, "a.txt", article().data())
    seal_folder(root, generate_key(tmp_path / "id"))
    (root / "SHA256SUMS").unlink()
    os.mkfifo(root / "SHA256SUMS")
    check = check_sealed_folder(root)
    head = check.results[0]
    assert head.path == f"{root}/SHA256SUMS"
    assert (head.verdict, head.detail) == (Verdict.UNREADABLE, "is a FIFO: never opened")
    assert check.failed()


def test_fifo_given_to_the_library_parse_file_is_refused_at_once(tmp_path: Path) -> None:
    """``provenance.parse_file`` opens as the CLI does: a FIFO raises, it is never opened."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    script = (
        "import sys, provenance\n"
        "try:\n"
        "    provenance.parse_file(sys.argv[1])\n"
        "except provenance.InputError as exc:\n"
        "    print(exc)\n"
    )
    done = run([str(fifo)], program=(sys.executable, "-c", script))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"article {fifo} is a FIFO: never opened\n"
