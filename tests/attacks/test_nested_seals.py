"""Attacks on where seals are: seals below the named folder, seals inside seals, seals in
archives next to other members, manifests replaced by something else, trees too deep to
recurse into.

Each attack passed (exit 0) before seals were honoured wherever they sit: a folder walk
checked a sealed subfolder for footers only, and an archive with one extra top-level member
lost its seal.
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.keys import SigningKey
from provenance.seal import seal_folder
from tests.attacks.conftest import assert_clean
from tests.conftest import article, deep_chain, invoke, plant_entry, write

GOOD = article()
OTHER = article(holder="Other Press")
EDITED = article(body="The ferry will not run this winter, the board said on Monday.")


def _issue(root: Path) -> Path:
    """A folder of 20 articles outside a sealed ``pkg/`` of three (21 files with one planted)."""
    for index in range(17):
        write(root, f"news/{index:02d}.txt", GOOD.data())
    for name in ("a.txt", "b.txt", "c.txt"):
        write(root, f"pkg/{name}", OTHER.data())
    return root


def _sealed_twice(root: Path, key: SigningKey) -> Path:
    """:func:`_issue`, ``pkg/`` sealed, then the whole folder: as seal inner folders first."""
    _issue(root)
    seal_folder(root / "pkg", key)
    seal_folder(root, key)
    return root


def _rows(*args: str | Path) -> tuple[int, dict[str, dict[str, object]]]:
    result = invoke("verify", "--format", "json", *args)
    assert "Traceback" not in result.output
    payload = json.loads(result.stdout)
    paths = [str(row["path"]) for row in payload["results"]]
    assert len(paths) == len(set(paths)), "one result per file"
    return result.exit_code, {str(row["path"]): row for row in payload["results"]}


def test_planted_and_restamped_files_in_a_sealed_subfolder_fail_a_walk_of_its_parent(
    tmp_path: Path, key: SigningKey
) -> None:
    root = _issue(tmp_path / "parent")
    seal_folder(root / "pkg", key)
    write(root, "pkg/planted.txt", GOOD.data())
    # Edited, then given a footer that matches the new text: only the seal can tell.
    write(root, "pkg/b.txt", EDITED.data())
    status, rows = _rows(root)
    assert status == 1
    assert rows[f"{root}/pkg/planted.txt"]["manifest"] == "unlisted"
    assert rows[f"{root}/pkg/b.txt"]["manifest"] == "mismatch"
    assert rows[f"{root}/pkg/b.txt"]["verdict"] == "ok"
    assert rows[f"{root}/news/00.txt"]["verdict"] == "ok"
    assert "manifest" not in rows[f"{root}/news/00.txt"]
    # The same as naming the sealed folder itself.
    named_status, named = _rows(root / "pkg")
    assert named_status == 1 and set(named) <= set(rows)


def test_sealed_subfolder_met_deep_in_a_walk_is_checked_with_its_signature(
    tmp_path: Path, key: SigningKey
) -> None:
    root = _issue(tmp_path / "parent")
    sub = root / "a" / "b" / "pkg"
    write(sub, "x.txt", GOOD.data())
    seal_folder(sub, key)
    # The walk's other articles have no signature: allowed here, to look at the seal alone.
    trust = ("--public-key", str(tmp_path / "keys" / "alice.pub"), "--allow-unsigned")
    status, rows = _rows(root, *trust)
    assert status == 0
    signature = rows[f"{sub}/SHA256SUMS"]["signature"]
    assert isinstance(signature, dict) and signature["verdict"] == "good"
    (sub / "SHA256SUMS.sig").unlink()
    status, rows = _rows(root, *trust[:2])
    assert status == 1
    for row in (rows[f"{sub}/SHA256SUMS"], rows[f"{sub}/x.txt"]):
        assert isinstance(row["signature"], dict) and row["signature"]["verdict"] == "missing"


@pytest.mark.parametrize("form", ["folder", "dangling link", "link to a copy", "FIFO"])
@pytest.mark.parametrize("where", ["named", "below"])
def test_manifest_replaced_by_something_else_fails_the_seal(
    tmp_path: Path, key: SigningKey, form: str, where: str
) -> None:
    root = _issue(tmp_path / "parent")
    pkg = root / "pkg"
    seal_folder(pkg, key)
    manifest = pkg / "SHA256SUMS"
    copy = tmp_path / "copy"
    copy.write_bytes(manifest.read_bytes())
    manifest.unlink()
    write(pkg, "planted.txt", GOOD.data())
    plant_entry(manifest, form, copy if form == "link to a copy" else tmp_path / "nothing")
    status, rows = _rows(pkg if where == "named" else root)
    assert status == 1
    head = rows[f"{pkg}/SHA256SUMS"]
    assert head["verdict"] == "unreadable"
    assert rows[f"{pkg}/planted.txt"]["manifest"] == "unlisted"


def test_inner_sealed_before_outer_verifies_clean(tmp_path: Path, key: SigningKey) -> None:
    root = _sealed_twice(tmp_path / "parent", key)
    manifest = (root / "SHA256SUMS").read_text()
    assert "  pkg/SHA256SUMS\n" in manifest and "  pkg/SHA256SUMS.sig\n" in manifest
    status, rows = _rows(
        root, "--public-key", tmp_path / "keys" / "alice.pub", "--require-signature"
    )
    assert status == 0
    # The inner manifest has one result: listed by the outer seal, signed for the inner one.
    assert rows[f"{root}/pkg/SHA256SUMS"]["manifest"] == "listed"
    assert rows[f"{root}/pkg/SHA256SUMS"]["signature"]["verdict"] == "good"  # type: ignore[index]


def test_inner_sealed_after_outer_fails_the_stale_outer(tmp_path: Path, key: SigningKey) -> None:
    root = _issue(tmp_path / "parent")
    seal_folder(root, key)
    seal_folder(root / "pkg", key)
    status, rows = _rows(root)
    assert status == 1
    assert rows[f"{root}/pkg/SHA256SUMS"]["manifest"] == "unlisted"
    assert rows[f"{root}/pkg/SHA256SUMS.sig"]["manifest"] == "unlisted"
    assert rows[f"{root}/pkg/a.txt"]["manifest"] == "listed"


def test_inner_seal_redone_after_an_edit_is_caught_by_the_outer_seal(
    tmp_path: Path, key: SigningKey
) -> None:
    root = _sealed_twice(tmp_path / "parent", key)
    write(root, "pkg/b.txt", EDITED.data())
    seal_folder(root / "pkg", key, force=True)
    (root / "pkg" / "c.txt").unlink()
    status, rows = _rows(root)
    assert status == 1
    # The inner seal vouches for b.txt now; the outer one still says what was sealed.
    b = rows[f"{root}/pkg/b.txt"]
    assert b["manifest"] == "mismatch" and f"{root}/SHA256SUMS line" in str(b["detail"])
    assert rows[f"{root}/pkg/SHA256SUMS"]["manifest"] == "mismatch"
    # Listed by both seals, absent: one result, from the nearest seal.
    c = rows[f"{root}/pkg/c.txt"]
    assert (c["verdict"], c["manifest"]) == ("missing", "missing")


def test_outer_seal_checks_what_it_lists_inside_an_inner_seal(
    tmp_path: Path, key: SigningKey
) -> None:
    root = _sealed_twice(tmp_path / "parent", key)
    # Removed from the inner folder and its (unsigned, rewritten) manifest alike.
    (root / "pkg" / "c.txt").unlink()
    inner = root / "pkg" / "SHA256SUMS"
    inner.write_text(
        "".join(line for line in inner.read_text().splitlines(True) if "c.txt" not in line)
    )
    status, rows = _rows(root)
    assert status == 1
    assert rows[f"{root}/pkg/c.txt"]["manifest"] == "missing"
    assert rows[f"{root}/pkg/SHA256SUMS"]["manifest"] == "mismatch"


# -- archives ---------------------------------------------------------------------------------


def _tar(target: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(target, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return target


def _sealed_members(tmp_path: Path, key: SigningKey, prefix: str) -> dict[str, bytes]:
    pkg = tmp_path / "src"
    write(pkg, "a.txt", GOOD.data())
    write(pkg, "docs/b.txt", OTHER.data())
    seal_folder(pkg, key)
    names = ("SHA256SUMS", "SHA256SUMS.sig", "a.txt", "docs/b.txt")
    return {prefix + name: (pkg / name).read_bytes() for name in names}


def test_extra_top_level_member_keeps_the_seal_of_a_tar(tmp_path: Path, key: SigningKey) -> None:
    members = _sealed_members(tmp_path, key, "pkg/")
    members["pkg/docs/b.txt"] = EDITED.data()
    members["extra.txt"] = GOOD.data()
    archive = _tar(tmp_path / "x.tar", members)
    status, rows = _rows(archive, "--public-key", tmp_path / "keys" / "alice.pub")
    assert status == 1
    assert rows[f"{archive}:pkg/docs/b.txt"]["manifest"] == "mismatch"
    assert rows[f"{archive}:extra.txt"]["manifest"] == "unlisted"
    signature = rows[f"{archive}:pkg/SHA256SUMS"]["signature"]
    assert isinstance(signature, dict) and signature["verdict"] == "good"


def test_extra_top_level_member_keeps_the_seal_of_a_zip(tmp_path: Path, key: SigningKey) -> None:
    members = _sealed_members(tmp_path, key, "pkg/")
    target = tmp_path / "x.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in {**members, "README": GOOD.data()}.items():
            archive.writestr(name, data)
    status, rows = _rows(target)
    assert status == 1
    assert rows[f"{target}:README"]["manifest"] == "unlisted"
    assert rows[f"{target}:pkg/a.txt"]["manifest"] == "listed"


def test_seal_deep_inside_an_archive_is_honoured(tmp_path: Path, key: SigningKey) -> None:
    members = _sealed_members(tmp_path, key, "release/2024/pkg/")
    members["release/2024/pkg/planted.txt"] = GOOD.data()
    archive = _tar(tmp_path / "x.tar", members)
    status, rows = _rows(archive)
    assert status == 1
    assert rows[f"{archive}:release/2024/pkg/planted.txt"]["manifest"] == "unlisted"
    del members["release/2024/pkg/planted.txt"]
    status, rows = _rows(_tar(tmp_path / "y.tar", members))
    assert status == 0


def test_archive_manifest_that_is_a_link_fails_the_seal(tmp_path: Path, key: SigningKey) -> None:
    members = _sealed_members(tmp_path, key, "pkg/")
    del members["pkg/SHA256SUMS"]
    archive = tmp_path / "x.tar"
    with tarfile.open(archive, "w") as handle:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            handle.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("pkg/SHA256SUMS")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        handle.addfile(link)
    status, rows = _rows(archive)
    assert status == 1
    assert rows[f"{archive}:pkg/SHA256SUMS"]["verdict"] == "unreadable"
    assert rows[f"{archive}:pkg/a.txt"]["manifest"] == "unlisted"


# -- a missing file in CI formats -------------------------------------------------------------


def test_missing_file_is_its_own_verdict_and_no_annotation_points_at_it(
    tmp_path: Path, key: SigningKey
) -> None:
    pkg = tmp_path / "pkg"
    write(pkg, "a.txt", GOOD.data())
    write(pkg, "b.txt", OTHER.data())
    seal_folder(pkg, key)
    (pkg / "b.txt").unlink()
    text = invoke("verify", pkg)
    assert_clean(text, 1)
    assert f"missing       {pkg}/b.txt  (listed in SHA256SUMS line 2, but absent)" in text.stdout
    github = invoke("verify", "--format", "github", pkg).stdout.splitlines()
    assert github[0] == (
        f"::error title=provenance missing::{pkg}/b.txt: missing: listed in SHA256SUMS line 2,"
        " but absent"
    )
    assert not any(f"file={pkg}/b.txt" in line for line in github)
    junit = invoke("verify", "--format", "junit", pkg).stdout
    case = next(line for line in junit.splitlines() if f'name="{pkg}/b.txt"' in line)
    assert "file=" not in case and "line=" not in case
    assert '<failure type="missing"' in junit


# -- deep trees -------------------------------------------------------------------------------

DEPTH = 3_000


@pytest.fixture
def deep(tmp_path: Path) -> Iterator[Path]:
    top = tmp_path / "deep"
    with deep_chain(top, DEPTH, GOOD.data()):
        yield top


# Making and removing 3,000 nested folders takes 5 to 15 s on a busy disk.
@pytest.mark.slow
def test_three_thousand_deep_tree_is_walked_sealed_and_verified_without_a_traceback(
    deep: Path, key: SigningKey, tmp_path: Path
) -> None:
    # A plain walk reaches as deep as the system lets a path be opened, then says where it
    # stopped: one unreadable line (it raised RecursionError at about a thousand levels).
    plain = invoke("verify", deep)
    assert_clean(plain, 1)
    assert "cannot list folder: File name too long" in plain.stdout
    assert plain.stdout.count("\n") == 2
    # Sealing and checking a seal go down with descriptors: any depth works.
    done = invoke("seal", deep, "-k", tmp_path / "keys" / "alice")
    assert_clean(done, 0)
    assert "1 files listed" in done.stdout or "1 file listed" in done.stdout
    status, rows = _rows(deep)
    assert status == 0
    (row,) = (row for path, row in rows.items() if path.endswith("/a.txt"))
    assert (row["verdict"], row["manifest"]) == ("ok", "listed")
    assert str(row["path"]).endswith("/d" * DEPTH + "/a.txt")
