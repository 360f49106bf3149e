"""The whole-process benchmark tools run as docs/performance.md says, on a small corpus.

Their figures are not checked (timing is not a test: the machine is shared); what is
checked is that each case the issue asks for is timed, against its own stock yardstick,
and that every command timed verified or sealed what it was given.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BENCHMARKS = ROOT / "benchmarks"


@pytest.mark.skipif(shutil.which("provenance") is None, reason="needs the installed command")
def test_compare_times_every_case_against_its_yardstick(tmp_path: Path) -> None:
    corpus, key = tmp_path / "corpus", tmp_path / "key"
    subprocess.run(
        [
            sys.executable,
            BENCHMARKS / "corpus.py",
            "folder",
            corpus,
            "--count",
            "40",
            "--seed",
            "3",
        ],
        check=True,
    )
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    done = subprocess.run(
        [
            sys.executable,
            BENCHMARKS / "compare.py",
            corpus,
            "--runs",
            "1",
            "--provenance",
            shutil.which("provenance") or "",
            "--crlf",
            "--prototype",
            "--sealed-key",
            key,
            "--seal-key",
            key,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # A command that exits non-zero (a verify that failed, a seal refused) is warned about.
    assert "warning" not in done.stderr, done.stderr
    rows = {line.split("|")[1].strip(): line for line in done.stdout.splitlines() if "|" in line}
    for name, yardstick in {
        "provenance verify": "xargs md5sum",
        "prototype (the floor)": "xargs md5sum",
        "verify, CRLF copy": "xargs md5sum, CRLF copy",
        "verify, sealed copy": "sha256sum -c, sealed copy",
        "provenance seal": "xargs sha256sum",
    }.items():
        assert rows[name].rstrip(" |").endswith(f"x {yardstick}"), rows[name]
    assert not (corpus / "SHA256SUMS").exists()  # The seal timed is removed after each run.
    assert sorted(os.listdir(tmp_path)) == ["corpus", "key", "key.pub"]
