"""provenance.selector: what a path is, and which files are articles (one answer for all)."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

import pytest

from provenance.errors import InputError
from provenance.globs import compile_globs
from provenance.keys import SigningKey
from provenance.model import EntryKind
from provenance.seal import seal_folder
from provenance.selector import (
    ARCHIVE_SUFFIXES,
    NEVER_ARTICLES,
    PathKind,
    Selector,
    archive_format,
    default_is_article,
    entry_kind,
    kind_of,
    never_article,
)
from provenance.verify import VerifyOptions, iter_targets
from tests.conftest import plant_entry, write


def test_kind_of_tells_files_folders_sealed_folders_and_archives(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "text\n")
    write(tmp_path, "x.TAR.GZ", b"\x1f\x8b")
    write(tmp_path, "plain/b.txt", "text\n")
    write(tmp_path, "sealed/SHA256SUMS", "")
    (tmp_path / "folder.zip").mkdir()
    os.mkfifo(tmp_path / "pipe.tar")
    assert kind_of(tmp_path / "a.txt") is PathKind.FILE
    assert kind_of(tmp_path / "x.TAR.GZ") is PathKind.ARCHIVE
    assert kind_of(tmp_path / "plain") is PathKind.FOLDER
    assert kind_of(tmp_path / "sealed") is PathKind.SEALED
    assert kind_of(f"{tmp_path}/sealed/") is PathKind.SEALED
    # Named like an archive, but a folder is walked and a FIFO is refused by the file check.
    assert kind_of(tmp_path / "folder.zip") is PathKind.FOLDER
    assert kind_of(tmp_path / "pipe.tar") is PathKind.FILE
    assert kind_of(tmp_path / "absent.tar") is PathKind.FILE


@pytest.mark.parametrize("form", ["file", "folder", "dangling link", "FIFO"])
def test_a_bagit_txt_of_any_form_makes_a_bag_and_wins_over_a_seal(
    tmp_path: Path, form: str
) -> None:
    # A bag with a SHA256SUMS planted in it stays a bag: its check then fails on that
    # SHA256SUMS, which its (signed) tag manifest does not list.
    declaration = tmp_path / "bag" / "bagit.txt"
    write(tmp_path, "bag/SHA256SUMS", "")
    if form == "file":
        declaration.write_text("")
    else:
        plant_entry(declaration, form, tmp_path / "nothing")
    assert kind_of(tmp_path / "bag") is PathKind.BAG


def test_a_bag_inside_a_walked_folder_is_walked_as_a_folder(tmp_path: Path) -> None:
    write(tmp_path, "bag/bagit.txt", "")
    write(tmp_path, "bag/data/a.txt", "text\n")
    shown = [target.path for target in iter_targets([str(tmp_path)])]
    assert shown == [f"{tmp_path}/bag/bagit.txt", f"{tmp_path}/bag/data/a.txt"]
    # Named, the plain walk of a library caller takes it as a folder too.
    assert [target.path for target in iter_targets([str(tmp_path / "bag")])] == shown


def test_a_link_the_user_named_is_followed(tmp_path: Path) -> None:
    write(tmp_path, "sealed/SHA256SUMS", "")
    (tmp_path / "via").symlink_to(tmp_path / "sealed")
    assert kind_of(tmp_path / "via") is PathKind.SEALED


@pytest.mark.parametrize("form", ["file", "folder", "dangling link", "FIFO", "link to a folder"])
def test_a_seal_of_any_form_makes_the_folder_sealed(tmp_path: Path, form: str) -> None:
    manifest = tmp_path / "pkg" / "SHA256SUMS"
    manifest.parent.mkdir()
    if form == "file":
        manifest.write_text("")
    else:
        plant_entry(manifest, form, tmp_path / ("nothing" if form == "dangling link" else ""))
    assert kind_of(tmp_path / "pkg") is PathKind.SEALED


def test_archive_formats_by_name() -> None:
    assert archive_format("a.TGZ") == "gzip"
    assert archive_format("a.tar.xz") == archive_format("a.txz") == "xz"
    assert archive_format("a.zip") == "zip"
    assert archive_format("a.tar.gz.sig") is None
    assert archive_format("a.txt") is None
    assert all(archive_format(f"x{suffix}") is not None for suffix in ARCHIVE_SUFFIXES)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a.txt", True),
        ("docs/b.md", True),
        ("README", True),
        ("img/photo.jpg", False),
        ("SHA256SUMS", False),
        ("pkg/SHA256SUMS", False),
        ("a.txt.sig", False),
        (".hidden.txt", False),
        (".git/config", False),
        ("a/.drafts/b.txt", False),
        ("a//b.txt", False),
    ],
)
def test_default_articles(path: str, expected: bool) -> None:
    assert default_is_article(path) is expected
    assert Selector().is_article(path) is expected


def test_include_replaces_the_suffixes_and_exclude_leaves_out_files_and_folders() -> None:
    select = Selector(include=("*.html",), exclude=("drafts/", "/old.html"))
    assert select.is_article("a.html")
    assert select.is_article("x/old.html")
    assert not select.is_article("old.html")
    assert not select.is_article("a.txt")
    assert not select.is_article("x/drafts/a.html")
    # Never a seal's or a signature's file, whatever --include says.
    assert not Selector(include=("*",)).is_article("SHA256SUMS")
    assert not Selector(include=("*",)).is_article("a.html.sig")


def test_below_matches_globs_from_the_folder_walked() -> None:
    select = Selector(exclude=("/pkg/drafts",))
    assert not select.below("pkg/")("drafts/a.txt")
    assert select.below("other/")("drafts/a.txt")
    assert select.below("")("drafts/a.txt")
    assert not select.below("")("pkg/drafts/a.txt")


def test_a_glob_that_can_never_match_is_refused() -> None:
    with pytest.raises(InputError, match="can never match"):
        Selector(exclude=("",))


def test_the_walk_takes_exactly_the_articles_the_selector_names(tmp_path: Path) -> None:
    names = [
        "a.txt",
        "b.md",
        "NOTES",
        "c.png",
        "d.txt.sig",
        "SHA256SUMS.sig",
        "x/e.txt",
        "x/drafts/f.txt",
        ".hidden/g.txt",
        "x/.h.txt",
    ]
    for name in names:
        write(tmp_path, name, "text\n")
    options = VerifyOptions(exclude=("drafts/",))
    select = Selector(exclude=options.exclude)
    walked = {
        Path(t.path).relative_to(tmp_path).as_posix()
        for t in iter_targets([str(tmp_path)], options)
    }
    assert walked == {name for name in names if select.is_article(name)}
    assert walked == {"a.txt", "b.md", "NOTES", "x/e.txt"}


@pytest.mark.parametrize(
    "name",
    [
        "SHA256SUMS",
        "a.sig",
        ".sig",
        "a.txt.sig",
        "a.sig\n",
        "SHA256SUMS\n",
        "sha256sums",
        "a.SIG",
        "a.sig.txt",
        "SHA256SUMSx",
        "xSHA256SUMS",
        "a.txt",
        "",
        "sig",
        "a\nb.sig",
    ],
)
def test_never_article_is_the_patterns_fnmatch_decides(name: str) -> None:
    # never_article matches all of NEVER_ARTICLES in one expression: it must answer exactly
    # as fnmatchcase does pattern by pattern (a trailing newline, case, an empty stem).
    expected = any(fnmatch.fnmatchcase(name, pattern) for pattern in NEVER_ARTICLES)
    assert never_article(name) is expected


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("SHA256SUMS", EntryKind.MANIFEST),
        ("pkg/SHA256SUMS.sig", EntryKind.SIGNATURE),
        ("news/a.txt.prov", EntryKind.RECORD),
        ("a.txt.0123456789ab.prov", EntryKind.RECORD),
        ("photo.jpg", EntryKind.OTHER),
        ("prov", EntryKind.OTHER),
    ],
)
def test_entry_kind_names_what_is_never_an_article(path: str, kind: EntryKind) -> None:
    assert entry_kind(path) is kind
    name = path.rpartition("/")[2]
    # Every kind but OTHER is a name never taken as an article, under any selection.
    assert never_article(name) is (kind is not EntryKind.OTHER)
    assert not Selector(include=("*",)).is_article(path) or kind is EntryKind.OTHER


def test_leaves_out_is_seal_exclude_rule_for_unlisted_paths() -> None:
    select = Selector(exclude=(".git/", "*.log", "/cache/", "!keep.log"))
    assert select.leaves_out(".git/hooks/pre-commit")
    assert select.leaves_out("sub/build.log") and not select.leaves_out("keep.log")
    assert select.leaves_out("cache/x.bin") and not select.leaves_out("sub/cache/x.bin")
    # Hidden files, SHA256SUMS and *.sig are left out of articles by default, never out of
    # a seal: only a pattern leaves a path out.
    assert not select.leaves_out(".hidden") and not select.leaves_out("a.txt.sig")
    assert not Selector().leaves_out(".git/config")


def test_leaves_out_follows_seal_exclude_on_every_walked_path(
    tmp_path: Path, key: SigningKey
) -> None:
    # What `seal --exclude` skips is decided path by path as it walks (a folder, then what
    # is in it): leaves_out must say the same of every file below, or verify would report
    # as planted what seal left out (or the other way round).
    patterns = ("drafts/", "/top.log", "**/tmp/*.bin", "!drafts/keep.txt", "*.o")
    names = ["a.txt", "top.log", "sub/top.log", "drafts/b.txt", "drafts/keep.txt"]
    names += ["x/tmp/y.bin", "x/tmp/y.txt", "sub/z.o", "sub/z.o.txt"]
    folder = tmp_path / "folder"
    for name in names:
        write(folder, name, "text\n")
    seal_folder(folder, key, exclude=compile_globs(patterns, "--exclude"))
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    listed = {line.split("  ", 1)[1] for line in lines}
    select = Selector(exclude=patterns)
    assert {name for name in names if not select.leaves_out(name)} == listed
    assert listed == {"a.txt", "sub/top.log", "x/tmp/y.txt", "sub/z.o.txt"}
