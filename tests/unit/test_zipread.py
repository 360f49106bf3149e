"""provenance.zipread: a zip must read one way only, its headers and directory agreeing."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from provenance.errors import UnreadableArchive
from provenance.zipread import check_layout


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "alpha\n")
        archive.writestr("b.txt", "beta\n")
    return buffer.getvalue()


def _check(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    fd = os.open(path, os.O_RDONLY)
    try:
        check_layout(fd, os.fstat(fd).st_size, infos)
    finally:
        os.close(fd)


def test_a_plain_zip_passes(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(_zip())
    _check(path)


def test_data_hidden_before_the_first_member_is_refused(tmp_path: Path) -> None:
    # zipfile reads past a prefix (a self-extractor's stub); what hides there is never checked.
    path = tmp_path / "x.zip"
    path.write_bytes(b"hidden text" + _zip())
    with pytest.raises(UnreadableArchive, match="data before the zip"):
        _check(path)
