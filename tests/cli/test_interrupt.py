"""Ctrl-C during a parallel run: exit 130, one line on stderr, no worker left behind.

A terminal sends SIGINT to every process of its foreground group, worker processes
included; a worker that took it used to die printing a traceback of its own. The real
command runs here in a session of its own and the signal goes to its whole process group,
as a terminal's Ctrl-C does.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import ENTRY, ROOT, article, write

from provenance.keys import SigningKey
from provenance.seal import seal_folder

#: Enough articles that the JSON Lines report (about 300 bytes a file) fills a pipe (64 KiB):
#: unread, the run blocks on its output and cannot end before the signal reaches it.
FILES = 3000
#: Runs per case: the traceback came one time in three.
TRIES = 3


def _group_members(pgid: int) -> list[str]:
    """The processes (zombies included) still in process group ``pgid``, from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # It ended while we looked.
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid:
            members.append(f"{entry} {stat[:60]!r}")
    return members


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    data = article().data()
    for number in range(FILES):
        write(folder, f"a{number:05d}.txt", data)
    return folder


def _interrupt(folder: Path) -> tuple[int, str, list[str]]:
    """Start ``verify --jobs 2``, Ctrl-C it once it has printed a line; (status, stderr, left)."""
    process = subprocess.Popen(
        [str(ENTRY), "verify", "--format", "jsonl", "--jobs", "2", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith(b'{"type":"result"'), first
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # Only when the test failed: leave nothing running.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, stderr.decode("utf-8", "replace"), _group_members(process.pid)


@pytest.mark.parametrize("seal", [False, True], ids=["folder", "sealed-folder"])
def test_ctrl_c_during_a_parallel_run_prints_one_line_and_leaves_no_process(
    many: Path, key: SigningKey, tmp_path: Path, seal: bool
) -> None:
    folder = many
    if seal:  # Checked by the other pool (TextChecker): the bytes hashed are those checked.
        folder = tmp_path / "sealed"
        folder.mkdir()
        for path in many.iterdir():
            os.link(path, folder / path.name)
        seal_folder(folder, key)
    for _ in range(TRIES):
        status, stderr, left = _interrupt(folder)
        assert "Traceback" not in stderr
        assert stderr == "provenance: aborted\n"
        assert status == 130
        assert left == []
