"""Stamp, sign and seal under injected faults: a full disk, an I/O error, a SIGKILL mid-write.

The promise is the same for every writer: the original is intact, no temporary file is left
(by a failure that is reported, or by the next run after a kill), and the next run works.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from provenance import fsio
from provenance.allowed_signers import load_allowed_signers
from provenance.errors import OperationalError
from provenance.keys import generate_key
from provenance.model import SignatureVerdict, Verdict
from provenance.options import VerifyOptions
from provenance.seal import seal_folder
from provenance.sealed import check_sealed_folder
from provenance.sign import sign_file
from provenance.stamp import stamp_file
from provenance.verify import check_file
from tests.attacks.conftest import assert_clean
from tests.conftest import ROOT, article, invoke, write

BODY = b"The tide came in early.\nNobody minded.\n"


def listing(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _failing(error: int) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(error, os.strerror(error))

    return fail


@pytest.mark.parametrize("call", ["write", "fsync", "replace"])
@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EIO])
def test_stamp_under_a_full_disk_or_io_error_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, error: int
) -> None:
    path = write(tmp_path, "a.txt", BODY)
    with monkeypatch.context() as patch:
        patch.setattr(fsio.os, call, _failing(error))
        result = invoke("stamp", path, "--holder", "Example News")
    assert_clean(result, 3)
    assert os.strerror(error) in result.stderr
    assert listing(tmp_path) == {"a.txt": BODY}
    assert_clean(invoke("stamp", path, "--holder", "Example News"), 0)
    assert check_file(path).verdict is Verdict.OK


@pytest.mark.parametrize("call", ["write", "fsync", "link"])
@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EIO])
def test_sign_under_a_full_disk_or_io_error_writes_no_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, error: int
) -> None:
    (tmp_path / "keys").mkdir()
    key = generate_key(tmp_path / "keys" / "id")
    path = write(tmp_path / "docs", "a.txt", BODY)
    with monkeypatch.context() as patch:
        patch.setattr(fsio.os, call, _failing(error))
        with pytest.raises(OperationalError, match=os.strerror(error)):
            sign_file(path, key)
    assert listing(tmp_path / "docs") == {"a.txt": BODY}
    sign_file(path, key)
    assert sorted(listing(tmp_path / "docs")) == ["a.txt", "a.txt.sig"]


@pytest.mark.parametrize("call", ["write", "fsync", "replace", "link"])
@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EIO])
def test_reseal_under_a_full_disk_or_io_error_keeps_the_old_seal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, error: int
) -> None:
    key = generate_key(tmp_path / "id")
    root = tmp_path / "sealed"
    write(root, "a.txt", article().data())
    seal_folder(root, key)
    write(root, "b.txt", article(holder="Other Press").data())
    before = listing(root)
    with monkeypatch.context() as patch:
        patch.setattr(fsio.os, call, _failing(error))
        with pytest.raises(OperationalError):
            seal_folder(root, key, force=True)
    assert listing(root) == before
    seal_folder(root, key, force=True)
    assert not check_sealed_folder(root).failed()


# -- SIGKILL between write and rename ------------------------------------------------------------

_KILLER = """
import os, signal, sys
from provenance import fsio
from provenance.allowed_signers import load_allowed_signers
real = {{"replace": os.replace, "link": os.link}}
def kill(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
fsio.os.{call} = kill
{action}
"""


def run_killed(call: str, action: str) -> None:
    """Run ``action`` in a fresh interpreter that SIGKILLs itself at ``fsio``'s ``call``."""
    code = _KILLER.format(call=call, action=textwrap.dedent(action))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -signal.SIGKILL, done.stderr


def test_stamp_killed_between_write_and_rename_leaves_the_original_and_next_run_cleans(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "a.txt", BODY)
    run_killed(
        "replace",
        f"from provenance.stamp import stamp_file\n"
        f"stamp_file({str(path)!r}, holder='Example News', year=2022)",
    )
    files = listing(tmp_path)
    assert files.pop("a.txt") == BODY  # The original, intact.
    (orphan,) = files  # The killed writer's temporary file: hidden, never the article.
    assert orphan.startswith(".a.txt.") and orphan.endswith(".tmp")
    stamp_file(path, holder="Example News", year=2022)
    assert list(listing(tmp_path)) == ["a.txt"]  # The next run removed the orphan.
    assert check_file(path).verdict is Verdict.OK


def test_sign_killed_between_write_and_link_writes_no_signature(tmp_path: Path) -> None:
    generate_key(tmp_path / "id")
    path = write(tmp_path / "docs", "a.txt", BODY)
    run_killed(
        "link",
        "from provenance.keys import load_private_key\nfrom provenance.sign import sign_file\n"
        f"sign_file({str(path)!r}, load_private_key({str(tmp_path / 'id')!r}))",
    )
    assert not Path(f"{path}.sig").exists()
    sign_file(path, generate_key(tmp_path / "id2"))
    assert sorted(listing(tmp_path / "docs")) == ["a.txt", "a.txt.sig"]


def test_seal_killed_before_the_signature_is_renamed_is_reported_and_next_seal_cleans(
    tmp_path: Path,
) -> None:
    key = generate_key(tmp_path / "id", comment="alice@example.com")
    allowed = write(tmp_path, "allowed", f"alice@example.com {key.public.to_openssh()}\n")
    root = tmp_path / "sealed"
    write(root, "a.txt", article().data())
    # The first os.replace puts SHA256SUMS in place; the process dies at the second, which
    # would rename the staged signature.
    run_killed(
        "replace",
        "calls = []\n"
        "def second(*a, **k):\n"
        "    calls.append(a)\n"
        "    if len(calls) == 2:\n"
        "        kill()\n"
        "    real['replace'](*a, **k)\n"
        "fsio.os.replace = second\n"
        "from provenance.keys import load_private_key\nfrom provenance.seal import seal_folder\n"
        f"seal_folder({str(root)!r}, load_private_key({str(tmp_path / 'id')!r}))",
    )
    assert (root / "SHA256SUMS").exists() and not (root / "SHA256SUMS.sig").exists()
    # Never a good signature: the seal reads as unsigned, and fails --require-signature.
    result = invoke("verify", "--allowed-signers", allowed, "--require-signature", root)
    assert_clean(result, 1)
    assert "signature missing" in result.stdout
    seal_folder(root, key, force=True)
    assert sorted(listing(root)) == ["SHA256SUMS", "SHA256SUMS.sig", "a.txt"]
    check = check_sealed_folder(root, VerifyOptions(policy=load_allowed_signers(allowed)))
    assert check.signature is not None and check.signature.verdict is SignatureVerdict.GOOD
    assert not check.failed()


@pytest.mark.parametrize(
    "call",
    [
        pytest.param("link", id="killed-writing-the-staged-signature"),
        pytest.param("replace", id="killed-writing-the-manifest"),
    ],
)
def test_seal_killed_inside_a_write_leaves_temporary_files_the_next_seal_never_lists(
    tmp_path: Path, call: str
) -> None:
    key = generate_key(tmp_path / "id")
    root = tmp_path / "sealed"
    write(root, "a.txt", article().data())
    run_killed(
        call,
        "from provenance.keys import load_private_key\nfrom provenance.seal import seal_folder\n"
        f"seal_folder({str(root)!r}, load_private_key({str(tmp_path / 'id')!r}))",
    )
    # What the killed seal left: its temporary files, hidden, unlocked.
    left = [name for name in os.listdir(root) if name.endswith(".tmp")]
    assert left and all(name.startswith(".") for name in left)
    # A stamp killed in a subfolder leaves one too (built as fsio names it).
    write(root / "docs", "b.txt", BODY)
    write(root / "docs", ".b.txt.k3j9x_2q.tmp", BODY + b"half a footer")
    seal_folder(root, key, force=True)
    assert "tmp" not in (root / "SHA256SUMS").read_text()
    assert sorted(listing(root)) == ["SHA256SUMS", "SHA256SUMS.sig", "a.txt", "docs/b.txt"]
    assert not check_sealed_folder(root).failed()
    assert_clean(invoke("verify", root), 0)


def test_seal_leaves_a_live_writers_temporary_file_alone_and_unlisted(tmp_path: Path) -> None:
    import fcntl

    key = generate_key(tmp_path / "id")
    root = tmp_path / "sealed"
    write(root, "a.txt", BODY)
    live = write(root, ".a.txt.k3j9x_2q.tmp", b"a stamp still writing")
    # A folder with a temporary file's name is no temporary file: it is walked and listed.
    write(root / ".c.txt.abcdefgh.tmp", "c.txt", BODY)
    with open(live, "rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # As atomic_write holds it.
        seal_folder(root, key)
        assert live.exists()
    listed = (root / "SHA256SUMS").read_text()
    assert "k3j9x_2q" not in listed and ".c.txt.abcdefgh.tmp/c.txt" in listed
    live.unlink()  # The writer renamed it away.
    assert not check_sealed_folder(root).failed()
