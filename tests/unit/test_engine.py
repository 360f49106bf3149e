"""provenance.engine: one file's footer verdict, from bytes or from a file of any size."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provenance import engine
from provenance.engine import check_bytes, check_file
from provenance.model import Verdict
from tests.conftest import article, write

GOOD = article()


def test_check_bytes_gives_the_verdict_and_both_digests() -> None:
    result = check_bytes(GOOD.data(), "a.txt")
    assert (result.path, result.verdict) == ("a.txt", Verdict.OK)
    assert result.expected == result.actual == GOOD.digest
    tampered = check_bytes(GOOD.data().replace(b"ferry", b"barge"), "b.txt")
    assert tampered.verdict is Verdict.MISMATCH and tampered.expected == GOOD.digest
    assert check_bytes(b"No footer.\n", "c.txt").verdict is Verdict.NO_FOOTER


def test_check_file_shows_the_display_name(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", GOOD.data())
    assert check_file(path).path == str(path)
    assert check_file(path, display="shown/a.txt").path == "shown/a.txt"
    assert check_file(path).verdict is Verdict.OK


def test_what_is_not_a_regular_file_is_unreadable_and_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "folder.txt").mkdir()
    assert check_file(tmp_path / "pipe.txt").detail == "is a FIFO: never opened"
    assert check_file(tmp_path / "folder.txt").detail == "is a folder"
    missing = check_file(tmp_path / "absent.txt")
    assert missing.verdict is Verdict.UNREADABLE and missing.detail.startswith("cannot read")


@pytest.mark.parametrize("text", [GOOD.data(), GOOD.data().replace(b"ferry", b"barge")])
def test_a_streamed_file_gets_the_verdict_of_one_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: bytes
) -> None:
    path = write(tmp_path, "a.txt", text)
    whole = check_file(path)
    monkeypatch.setattr(engine, "STREAM_THRESHOLD", 16)
    assert check_file(path) == whole


def test_an_ok_result_without_lines_skips_the_line_count_and_a_failure_keeps_it() -> None:
    # The count over the whole text is paid only where a report will show its result.
    data = GOOD.data()
    assert check_bytes(data).line == data[: data.rindex(b"Copyright")].count(b"\n") + 1
    assert check_bytes(GOOD.data(), lines=False).line is None
    tampered = GOOD.data().replace(b"ferry", b"barge")
    assert check_bytes(tampered, lines=False).line == check_bytes(tampered).line is not None
    no_token = GOOD.data()[: -len(GOOD.digest) - 2] + b"\n"
    assert check_bytes(no_token, lines=False).line == check_bytes(no_token).line is not None


def test_check_file_passes_lines_on(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", GOOD.data())
    assert check_file(path, lines=False).line is None
    assert check_file(path).line is not None
