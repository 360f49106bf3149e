"""Concurrency: stamps racing each other, a reader racing a writer, an editor racing a stamp.

Never a corrupt file: a reader sees the old file or the new one whole, two stampers take
turns, and a stamp never overwrites what someone else wrote after it read the file.
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from provenance import stamp
from provenance.errors import OperationalError
from provenance.fsio import atomic_write
from provenance.model import Verdict
from provenance.stamp import stamp_bytes, stamp_file
from provenance.verify import check_file
from tests.conftest import ENTRY, ROOT, write

BODY = b"The tide came in early.\nNobody minded.\n"


def test_two_stamps_of_the_same_file_at_once_take_turns(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", BODY)
    stampers = [
        subprocess.Popen(
            [str(ENTRY), "stamp", str(path), "--holder", f"Press {n}", "--year", "2022"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    outcomes = [(p.wait(timeout=60), p.stderr.read() if p.stderr else "") for p in stampers]
    codes = sorted(code for code, _ in outcomes)
    assert codes == [0, 1, 1, 1], outcomes
    assert all("already has a footer" in err for code, err in outcomes if code == 1)
    data = path.read_bytes()
    assert data.startswith(BODY) and data.count(b"All Rights Reserved.") == 1
    assert check_file(path).verdict is Verdict.OK
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_verify_racing_a_stamp_never_sees_a_partial_file(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", BODY)
    versions = [
        stamp_bytes(BODY + f"Edition {n}.\n".encode() * 2000, holder="Example News", year=2022)[0]
        for n in range(2)
    ]
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            atomic_write(path, versions[n % 2])
            n += 1

    thread = threading.Thread(target=writer)
    atomic_write(path, versions[0])
    thread.start()
    try:
        verdicts = {check_file(path).verdict for _ in range(300)}
    finally:
        stop.set()
        thread.join()
    assert verdicts == {Verdict.OK}
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_editor_writing_while_a_stamp_runs_keeps_the_editors_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "a.txt", BODY)
    edited = BODY + b"A late correction from the editor.\n"
    real = stamp._stamped

    def editor_writes_meanwhile(*args: Any) -> Any:
        outcome = real(*args)
        path.write_bytes(edited)  # In place, as most editors and `>>` do.
        return outcome

    monkeypatch.setattr(stamp, "_stamped", editor_writes_meanwhile)
    with pytest.raises(OperationalError, match="changed while it was being stamped"):
        stamp_file(path, holder="Example News", year=2022)
    assert path.read_bytes() == edited
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_editor_replacing_the_file_while_a_stamp_runs_keeps_the_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "a.txt", BODY)
    replacement = b"A whole new draft.\n"
    real = stamp._stamped

    def editor_renames_meanwhile(*args: Any) -> Any:
        outcome = real(*args)
        atomic_write(path, replacement)  # As editors that save by rename do.
        return outcome

    monkeypatch.setattr(stamp, "_stamped", editor_renames_meanwhile)
    with pytest.raises(OperationalError, match="changed while it was being stamped"):
        stamp_file(path, holder="Example News", year=2022)
    assert path.read_bytes() == replacement
