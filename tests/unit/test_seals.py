"""provenance.seals: the one rule that makes a folder sealed, and which seal owns a path."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.seals import Nearest, is_sealed, marks_seal, seal_files, seal_of
from tests.conftest import plant_entry, write


def test_only_the_exact_name_marks_a_seal() -> None:
    assert marks_seal("SHA256SUMS")
    assert not any(map(marks_seal, ["SHA256SUMS.sig", "sha256sums", "SHA256SUMS ", "x/SHA256SUMS"]))


@pytest.mark.parametrize("form", ["folder", "FIFO", "dangling link"])
def test_a_manifest_of_any_kind_seals_its_folder(tmp_path: Path, form: str) -> None:
    (tmp_path / "pkg").mkdir()
    assert not is_sealed(tmp_path / "pkg")
    plant_entry(tmp_path / "pkg" / "SHA256SUMS", form, tmp_path / "nothing")
    assert is_sealed(tmp_path / "pkg")


def test_a_file_is_never_a_sealed_folder(tmp_path: Path) -> None:
    assert not is_sealed(write(tmp_path, "SHA256SUMS", ""))


def test_seal_of_and_seal_files_name_prefixes() -> None:
    assert seal_of("SHA256SUMS") == ""
    assert seal_of("a/b/SHA256SUMS") == "a/b/"
    assert seal_of("a/SHA256SUMS.sig") is None
    assert seal_files("a/") == ("a/SHA256SUMS", "a/SHA256SUMS.sig")


def test_nearest_seal_owns_a_path_and_a_seal_file_belongs_above() -> None:
    nearest = Nearest(["", "pkg/", "pkg/inner/"])
    assert nearest.of("a.txt") == ""
    assert nearest.of("pkg/x/a.txt") == "pkg/"
    assert nearest.of("pkg/inner/deep/a.txt") == "pkg/inner/"
    assert nearest.of("pkg/inner/SHA256SUMS") == "pkg/"
    assert nearest.of("pkg/SHA256SUMS.sig") == ""
    assert nearest.above("") is None
    assert Nearest(["pkg/"]).of("other/a.txt") is None


def test_nearest_walks_a_very_deep_path_without_recursion() -> None:
    deep = "d/" * 5000
    assert Nearest([""]).of(deep + "a.txt") == ""
