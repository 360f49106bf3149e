"""provenance.run: one verify run over files, folders, sealed folders and archives, with the
same selection of articles (``--include``/``--exclude``) in each."""

from __future__ import annotations

import os
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from provenance.errors import InputError
from provenance.globs import compile_globs
from provenance.keys import SigningKey
from provenance.model import ManifestVerdict, Result, Verdict
from provenance.run import check_run
from provenance.seal import seal_folder
from provenance.verify import VerifyOptions
from tests.conftest import article, write

GOOD = article()
#: An article edited after its footer was written: its footer check fails (mismatch).
TAMPERED = GOOD.data().replace(b"ferry", b"barge")


def _by_path(paths: list[Path], options: VerifyOptions | None = None) -> dict[str, Result]:
    checked = check_run([str(p) for p in paths], options or VerifyOptions())
    return {result.path: result for result in checked}


def _failing(results: dict[str, Result]) -> set[str]:
    return {path for path, result in results.items() if result.failed()}


def _issue(root: Path) -> Path:
    """An article, and a draft whose footer no longer matches its text."""
    write(root, "a.txt", GOOD.data())
    write(root, "drafts/b.txt", TAMPERED)
    return root


def _tar(folder: Path, target: Path) -> Path:
    with tarfile.open(target, "w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            archive.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return target


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


Pack = Callable[[Path, Path], Path]


def _packed(pack: Pack, source: Path, stem: Path) -> Path:
    """``source`` packed by ``pack`` into ``stem.tar.gz`` or ``stem.zip``."""
    return pack(source, stem.with_name(stem.name + (".tar.gz" if pack is _tar else ".zip")))


EXCLUDE_DRAFTS = VerifyOptions(exclude=("drafts/",))


def test_a_path_that_does_not_exist_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        check_run([str(tmp_path / "absent")], VerifyOptions())


def test_exclude_in_a_sealed_folder_skips_the_footer_but_not_the_manifest(
    tmp_path: Path, key: SigningKey
) -> None:
    root = _issue(tmp_path / "issue")
    seal_folder(root, key)
    draft = f"{root}/drafts/b.txt"
    assert _failing(_by_path([root])) == {draft}
    results = _by_path([root], EXCLUDE_DRAFTS)
    assert _failing(results) == set()
    assert results[draft].manifest is ManifestVerdict.LISTED
    assert results[draft].verdict is not Verdict.MISMATCH
    # The seal still covers the excluded file: changing it fails the run.
    write(root, "drafts/b.txt", TAMPERED + b"more\n")
    results = _by_path([root], EXCLUDE_DRAFTS)
    assert _failing(results) == {draft}
    assert results[draft].manifest is ManifestVerdict.MISMATCH


def test_globs_reach_a_sealed_folder_met_in_a_walk_from_the_folder_walked(
    tmp_path: Path, key: SigningKey
) -> None:
    parent = tmp_path / "parent"
    root = _issue(parent / "pkg")
    seal_folder(root, key)
    draft = f"{root}/drafts/b.txt"
    assert _failing(_by_path([parent], VerifyOptions(exclude=("/pkg/drafts",)))) == set()
    # Anchored at the folder walked: "/drafts" names parent/drafts, not pkg/drafts.
    assert _failing(_by_path([parent], VerifyOptions(exclude=("/drafts",)))) == {draft}


def test_include_in_a_sealed_folder_picks_the_articles(tmp_path: Path, key: SigningKey) -> None:
    root = _issue(tmp_path / "issue")
    write(root, "c.html", TAMPERED)
    seal_folder(root, key)
    results = _by_path([root], VerifyOptions(include=("*.html",)))
    assert _failing(results) == {f"{root}/c.html"}
    assert results[f"{root}/c.html"].verdict is Verdict.MISMATCH


@pytest.mark.parametrize("pack", [_tar, _zip], ids=["tar", "zip"])
def test_exclude_and_include_in_an_archive(tmp_path: Path, pack: Pack) -> None:
    source = _issue(tmp_path / "issue")
    write(source, "c.html", TAMPERED)
    archive = _packed(pack, source, tmp_path / "x")
    draft, page = f"{archive}:drafts/b.txt", f"{archive}:c.html"
    assert _failing(_by_path([archive])) == {draft}
    results = _by_path([archive], EXCLUDE_DRAFTS)
    # Without a seal, only articles get a result, as in a folder walk.
    assert _failing(results) == set() and draft not in results
    assert f"{archive}:a.txt" in results
    assert _failing(_by_path([archive], VerifyOptions(include=("*.html",)))) == {page}


@pytest.mark.parametrize("pack", [_tar, _zip], ids=["tar", "zip"])
def test_exclude_in_a_sealed_archive_keeps_the_manifest_check(
    tmp_path: Path, key: SigningKey, pack: Pack
) -> None:
    source = _issue(tmp_path / "issue")
    seal_folder(source, key)
    archive = _packed(pack, source, tmp_path / "x")
    draft = f"{archive}:drafts/b.txt"
    results = _by_path([archive], EXCLUDE_DRAFTS)
    assert _failing(results) == set()
    assert results[draft].manifest is ManifestVerdict.LISTED
    # A planted file is unlisted; one the patterns leave out is not reported, as in a sealed
    # folder (what `seal --exclude drafts/` leaves out of the manifest: SPEC §9).
    write(source, "drafts/planted.txt", GOOD.data())
    write(source, "planted.txt", GOOD.data())
    archive = _packed(pack, source, tmp_path / "y")
    results = _by_path([archive], EXCLUDE_DRAFTS)
    assert _failing(results) == {f"{archive}:planted.txt"}
    assert results[f"{archive}:planted.txt"].manifest is ManifestVerdict.UNLISTED
    assert f"{archive}:drafts/planted.txt" not in results
    assert _failing(_by_path([archive])) == {
        f"{archive}:planted.txt",
        f"{archive}:drafts/planted.txt",
        f"{archive}:drafts/b.txt",
    }


@pytest.mark.parametrize("archive_first", [False, True])
def test_tokens_are_inferred_once_over_the_whole_run(tmp_path: Path, archive_first: bool) -> None:
    """Two altered copies of an article, outside an archive that holds the original: the
    token is a real digest (of the original), so the copies stay ``mismatch``. Inferred
    per group of plain files, as before, they were called ``unverifiable``."""
    original = article()
    inside = write(tmp_path / "src", "original.txt", original.data())
    archive = tmp_path / "issue.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(inside, arcname="original.txt")
    copies = [
        write(tmp_path, f"copy-{n}.txt", original.data().replace(b"ferry", f"ferry{n}".encode()))
        for n in (1, 2)
    ]
    plain = [str(path) for path in copies]
    paths = [str(archive), *plain] if archive_first else [*plain, str(archive)]
    verdicts = {r.path: r.verdict for r in check_run(paths, VerifyOptions())}
    assert verdicts[f"{archive}:original.txt"] is Verdict.OK
    assert [verdicts[path] for path in plain] == [Verdict.MISMATCH, Verdict.MISMATCH]


def test_exclude_excuses_what_seal_left_out_relative_to_the_nearest_seal(
    tmp_path: Path, key: SigningKey
) -> None:
    # `seal --exclude /cache/` anchors the pattern at the folder sealed: for the inner seal
    # that is top/inner, not the folder named on the command line.
    top = tmp_path / "top"
    write(top, "a.txt", GOOD.data())
    write(top, "inner/b.txt", GOOD.data())
    cache = compile_globs(["/cache/"], "--exclude")
    seal_folder(top / "inner", key, exclude=cache)
    seal_folder(top, key, exclude=cache)
    write(top, "inner/cache/x.bin", b"left out\n")
    os.mkfifo(top / "inner" / "cache" / "pipe")
    write(top, "cache/y.bin", b"left out\n")
    write(top, "inner/planted.txt", GOOD.data())
    planted = f"{top}/inner/planted.txt"
    everything = {
        planted,
        f"{top}/inner/cache/x.bin",
        f"{top}/inner/cache/pipe",
        f"{top}/cache/y.bin",
    }
    assert _failing(_by_path([top])) == everything
    # Walked from the parent too: each seal matches the patterns from its own folder.
    for named in (top, tmp_path):
        results = _by_path([named], VerifyOptions(exclude=("/cache/",)))
        assert _failing(results) == {planted}
        assert results[planted].manifest is ManifestVerdict.UNLISTED
        assert not everything - {planted} & results.keys()
    # A listed file is held to its seal whatever the patterns say.
    write(top, "inner/b.txt", TAMPERED)
    results = _by_path([top], VerifyOptions(exclude=("/cache/", "b.txt")))
    assert results[f"{top}/inner/b.txt"].manifest is ManifestVerdict.MISMATCH
