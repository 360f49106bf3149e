"""provenance.seals: the one rule that makes a folder sealed, and which seal owns a path."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.seals import Nearest, is_sealed, marks_seal, seal_files, seal_of
from tests.conftest import plant_entry, write


def test_only_the_exact_name_marks_a_seal() -> None:
    assert marks_seal("SHA256SUMS")
    assert not any(map(marks_seal, ["SHA256SUMS.sig", "sha256sums", "SHA256SUMS ", "x/SHA256SUMS"]))


def test_a_file_is_never_a_sealed_folder(tmp_path: Path) -> None:
    assert not is_sealed(write(tmp_path, "SHA256SUMS", ""))


def test_seal_of_and_seal_files_name_prefixes() -> None:
    assert seal_of("SHA256SUMS") == ""
    assert seal_of("a/b/SHA256SUMS") == "a/b/"
    assert seal_of("a/SHA256SUMS.sig") is None
    assert seal_files("a/") == (
        "a/SHA256SUMS",
        "a/SHA256SUMS.sig",
        "a/SHA512SUMS",
        "a/SHA512SUMS.sig",
    )


def test_sha512sums_seals_a_folder_as_sha256sums_does(tmp_path: Path) -> None:
    # One predicate for both names: a walk, a sealed folder and an archive all ask it.
    assert marks_seal("SHA512SUMS") and not marks_seal("SHA512SUMS.sig")
    assert seal_of("a/SHA512SUMS") == "a/"
    assert not is_sealed(tmp_path)
    plant_entry(tmp_path / "SHA512SUMS", "dangling link", tmp_path / "nothing")
    assert is_sealed(tmp_path)
    nearest = Nearest(["", "a/"])
    assert nearest.of("a/SHA512SUMS") == "" and nearest.of("a/SHA512SUMS.sig") == ""


@pytest.mark.parametrize("form", ["file", "folder", "dangling link", "FIFO"])
def test_a_manifest_of_any_form_seals_its_folder(tmp_path: Path, form: str) -> None:
    manifest = tmp_path / "SHA256SUMS"
    assert not is_sealed(tmp_path)
    if form == "file":
        manifest.write_bytes(b"")
    else:
        plant_entry(manifest, form, tmp_path / "nothing")
    assert is_sealed(tmp_path)
    assert seal_of("SHA256SUMS") == "" and seal_of("a/b/SHA256SUMS") == "a/b/"
    assert seal_of("a/SHA256SUMS.sig") is None and seal_of("a/sha256sums") is None


def test_nearest_seal_owns_a_path_and_a_seals_own_files_belong_above() -> None:
    nearest = Nearest(["", "a/", "a/b/c/"])
    assert nearest.of("x.txt") == ""
    assert nearest.of("a/x.txt") == "a/"
    assert nearest.of("a/b/x.txt") == "a/"
    assert nearest.of("a/b/c/d/x.txt") == "a/b/c/"
    assert nearest.of("a/b/c/SHA256SUMS") == "a/"
    assert nearest.of("a/b/c/SHA256SUMS.sig") == "a/"
    assert nearest.of("a/SHA256SUMS") == ""
    assert nearest.of("SHA256SUMS") is None
    assert Nearest(["pkg/"]).of("other/x.txt") is None
    assert Nearest(["pkg/"]).above("pkg/") is None


def test_nearest_seal_of_a_path_thousands_of_folders_deep() -> None:
    deep = "d/" * 5_000
    nearest = Nearest(["", deep])
    assert nearest.of(deep + "x.txt") == deep
    assert nearest.of("d/" * 4_999 + "x.txt") == ""
