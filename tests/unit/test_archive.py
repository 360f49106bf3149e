"""Checking tar and zip archives in place: members, seals, signatures, attacks, bombs."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from provenance.allowed_signers import TrustedKey
from provenance.archive import ArchiveCheck, check_archive
from provenance.errors import InputError
from provenance.keys import SigningKey, generate_key
from provenance.model import EntryKind, ManifestVerdict, Result, SignatureVerdict, Verdict
from provenance.options import VerifyOptions
from provenance.seal import seal_folder
from provenance.sign import sign_file
from tests.conftest import article, write

TAR_MODES = {
    "x.tar": "w",
    "x.tar.gz": "w:gz",
    "x.tgz": "w:gz",
    "x.tar.xz": "w:xz",
    "x.tar.bz2": "w:bz2",
}


def tar_of(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    mode = next(m for suffix, m in TAR_MODES.items() if path.name.endswith(suffix[1:]))
    with tarfile.open(path, mode) as archive:  # type: ignore[call-overload]
        for info, data in members:
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def regular(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def special(name: str, kind: bytes, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def tar_folder(folder: Path, target: Path, arcname: str) -> Path:
    mode = next(m for suffix, m in TAR_MODES.items() if target.name.endswith(suffix[1:]))
    with tarfile.open(target, mode) as archive:  # type: ignore[call-overload]
        archive.add(folder, arcname=arcname)
    return target


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


def by_path(found: ArchiveCheck) -> dict[str, Result]:
    return {result.path: result for result in found.results}


@pytest.mark.parametrize("name", list(TAR_MODES))
@pytest.mark.parametrize("arcname", [".", "issue"], ids=["dot-root", "one-top-folder"])
def test_sealed_tar_archives_pass_in_every_compression(
    sealed: Path, key: SigningKey, tmp_path: Path, name: str, arcname: str
) -> None:
    archive = tar_folder(sealed, tmp_path / name, arcname)
    found = check_archive(archive, VerifyOptions(policy=TrustedKey(key.public)))
    assert found.sealed
    assert found.manifest_signature is not None
    assert found.manifest_signature.verdict is SignatureVerdict.GOOD
    prefix = "" if arcname == "." else "issue/"
    assert found.manifest_signature.signature_path == f"{prefix}SHA256SUMS.sig"
    assert found.archive_signature is not None
    assert found.archive_signature.verdict is SignatureVerdict.MISSING
    results = by_path(found)
    assert list(results) == [f"{prefix}a.txt", f"{prefix}docs/b.md", f"{prefix}img/photo.jpg"]
    assert {r.manifest for r in results.values()} == {ManifestVerdict.LISTED}
    assert results[f"{prefix}a.txt"].verdict is Verdict.OK
    assert not found.failed(require_signature=True)


def test_sealed_zip_passes(sealed: Path, key: SigningKey, tmp_path: Path) -> None:
    found = check_archive(
        zip_folder(sealed, tmp_path / "x.zip"), VerifyOptions(policy=TrustedKey(key.public))
    )
    assert found.sealed and not found.failed(require_signature=True)
    assert by_path(found)["docs/b.md"].verdict is Verdict.OK


def test_archive_signature_beside_the_archive(
    sealed: Path, key: SigningKey, tmp_path: Path
) -> None:
    archive = tar_folder(sealed, tmp_path / "x.tar.gz", "issue")
    sign_file(archive, key)
    found = check_archive(archive, VerifyOptions(policy=TrustedKey(key.public)))
    assert found.archive_signature is not None
    assert found.archive_signature.verdict is SignatureVerdict.GOOD
    # One flipped byte breaks the archive's signature.
    data = bytearray(archive.read_bytes())
    data[-30] ^= 1
    archive.write_bytes(bytes(data))
    found = check_archive(archive, VerifyOptions(policy=TrustedKey(key.public)))
    assert found.archive_signature is not None
    assert found.archive_signature.verdict is SignatureVerdict.BAD
    assert found.failed()


def test_changed_missing_and_planted_members(tmp_path: Path, sealed: Path, key: SigningKey) -> None:
    (sealed / "docs/b.md").write_bytes(b"changed")
    (sealed / "img/photo.jpg").unlink()
    write(sealed, "planted.txt", article(holder="Forger").data())
    found = check_archive(
        tar_folder(sealed, tmp_path / "x.tar", "."), VerifyOptions(policy=TrustedKey(key.public))
    )
    results = by_path(found)
    assert results["docs/b.md"].manifest is ManifestVerdict.MISMATCH
    assert results["img/photo.jpg"].manifest is ManifestVerdict.MISSING
    assert results["planted.txt"].manifest is ManifestVerdict.UNLISTED
    assert results["a.txt"].manifest is ManifestVerdict.LISTED
    assert found.failed()


def test_unsealed_archive_reports_articles_only(tmp_path: Path) -> None:
    archive = tar_of(
        tmp_path / "x.tar.gz",
        [(regular("a.txt"), article().data()), (regular("photo.jpg"), b"\xff\xd8")],
    )
    found = check_archive(archive)
    assert not found.sealed and found.manifest_signature is None
    assert [(r.path, r.verdict, r.manifest) for r in found.results] == [("a.txt", Verdict.OK, None)]
    assert not found.failed()


@pytest.mark.parametrize(
    ("info", "detail"),
    [
        (regular("/etc/cron.d/evil"), "unsafe name: the path is absolute"),
        (regular("../../evil.txt"), "unsafe name: the path holds '..'"),
        (regular("docs/../../evil.txt"), "unsafe name: the path holds '..'"),
        (special("link.txt", tarfile.SYMTYPE, "/etc/passwd"), "symbolic link to '/etc/passwd'"),
        (special("hard.txt", tarfile.LNKTYPE, "/etc/shadow"), "hard link to '/etc/shadow'"),
        (special("dev", tarfile.CHRTYPE), "device file: never read"),
        (special("blk", tarfile.BLKTYPE), "device file: never read"),
        (special("fifo", tarfile.FIFOTYPE), "FIFO: never read"),
    ],
)
def test_dangerous_tar_members_are_reported_never_read(
    tmp_path: Path, info: tarfile.TarInfo, detail: str
) -> None:
    data = b"payload" if info.type == tarfile.REGTYPE else None
    archive = tar_of(tmp_path / "x.tar", [(regular("a.txt"), article().data()), (info, data)])
    found = check_archive(archive)
    refused = [r for r in found.results if r.path != "a.txt"]
    assert len(refused) == 1
    assert refused[0].verdict is Verdict.UNREADABLE
    assert refused[0].detail.startswith(detail)
    assert found.failed()
    # Nothing was written next to the archive or anywhere below it.
    assert os.listdir(tmp_path) == ["x.tar"]


def test_dangerous_member_listed_in_a_manifest_is_unsafe(tmp_path: Path, key: SigningKey) -> None:
    root = tmp_path / "issue"
    write(root, "a.txt", article().data())
    write(root, "link.txt", b"was a file when sealed")
    seal_folder(root, key)
    members = [
        (regular(p), (root / p).read_bytes()) for p in ["SHA256SUMS", "SHA256SUMS.sig", "a.txt"]
    ]
    members.append((special("link.txt", tarfile.SYMTYPE, "/etc/passwd"), None))
    found = check_archive(
        tar_of(tmp_path / "x.tar", members), VerifyOptions(policy=TrustedKey(key.public))
    )
    link = by_path(found)["link.txt"]
    assert link.manifest is ManifestVerdict.UNSAFE
    assert link.detail.endswith("(listed in SHA256SUMS)")


def test_duplicate_member_names_are_refused_every_copy(tmp_path: Path) -> None:
    archive = tar_of(
        tmp_path / "x.tar",
        [
            (regular("a.txt"), article().data()),
            (regular("./a.txt"), b"evil twin"),
            (regular("caf\u00e9.txt"), b"x"),
            (regular("cafe\u0301.txt"), b"y"),
        ],
    )
    results = check_archive(archive).results
    assert [(r.path, r.verdict) for r in results] == [
        ("a.txt", Verdict.UNREADABLE),
        ("a.txt", Verdict.UNREADABLE),
        ("cafe\u0301.txt", Verdict.UNREADABLE),
        ("caf\u00e9.txt", Verdict.UNREADABLE),
    ]
    assert "twice or more" in results[0].detail
    assert "up to Unicode normalisation" in results[2].detail


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_dangerous_zip_members(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", article().data())
        archive.writestr("../evil.txt", b"x")
        archive.writestr("/abs.txt", b"x")
        archive.writestr("..\\windows.txt", b"x")
        archive.writestr("back\\slash.txt", article().data())
        archive.writestr("C:/drive.txt", b"x")
        link = zipfile.ZipInfo("link.txt")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("dup.txt", b"1")
        archive.writestr("dup.txt", b"2")
    found = check_archive(path)
    details = {r.path: r.detail for r in found.results if r.verdict is Verdict.UNREADABLE}
    assert details["../evil.txt"] == "unsafe name: the path holds '..'"
    assert details["/abs.txt"] == "unsafe name: the path is absolute"
    assert details["..\\windows.txt"].startswith("unsafe name: a backslash path in a zip name")
    assert by_path(found)["back\\slash.txt"].verdict is Verdict.OK
    assert details["C:/drive.txt"] == "unsafe name: a drive letter in a zip name"
    assert details["link.txt"] == "symbolic link to '/etc/passwd': never followed"
    assert "duplicate member name" in details["dup.txt"]
    assert by_path(found)["a.txt"].verdict is Verdict.OK


@pytest.mark.parametrize("name", ["bomb.tar.gz", "bomb.tar.bz2", "bomb.tar.xz", "bomb.zip"])
def test_a_member_expanding_beyond_the_cap_is_reported(tmp_path: Path, name: str) -> None:
    zeros = b"\0" * (4 << 20)
    path = tmp_path / name
    if name.endswith(".zip"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("bomb.txt", zeros)
            archive.writestr("a.txt", article().data())
    else:
        tar_of(path, [(regular("bomb.txt"), zeros), (regular("a.txt"), article().data())])
    assert path.stat().st_size < 64 << 10
    found = check_archive(path, VerifyOptions(max_member_size=1 << 20))
    bomb = by_path(found)["bomb.txt"]
    assert bomb.verdict is Verdict.UNREADABLE
    assert bomb.detail == (
        f"expands beyond {1 << 20} bytes (a decompression bomb?): not read further"
    )
    assert by_path(found)["a.txt"].verdict is Verdict.OK


def test_the_whole_archive_stops_at_the_total_cap(tmp_path: Path) -> None:
    members = [(regular(f"part{i}.bin"), b"\0" * (1 << 20)) for i in range(8)]
    path = tar_of(tmp_path / "x.tar.gz", members)
    found = check_archive(path, VerifyOptions(max_member_size=2 << 20), max_total_size=3 << 20)
    assert found.results[0].path == str(path)
    assert found.results[0].detail.startswith(
        f"stopped: the archive expands beyond {3 << 20} bytes in total"
    )
    assert found.failed()


def test_corrupt_and_truncated_archives_are_one_result(tmp_path: Path) -> None:
    good = tar_of(tmp_path / "x.tar.gz", [(regular("a.txt"), article().data() * 50)])
    truncated = write(tmp_path, "t.tar.gz", good.read_bytes()[:-40])
    garbage = write(tmp_path, "g.zip", b"PK\x03\x04 not really a zip")
    for path in (truncated, garbage):
        found = check_archive(path)
        assert found.results[-1].path == str(path)
        assert found.results[-1].verdict is Verdict.UNREADABLE
        assert found.results[-1].detail.startswith("cannot read the archive")
        assert found.failed()


def test_missing_archive_and_signature_without_policy(tmp_path: Path) -> None:
    path = tar_of(tmp_path / "x.tgz", [(regular("a"), b"x")])
    with pytest.raises(InputError, match="no such archive"):
        check_archive(tmp_path / "absent.tar")
    with pytest.raises(InputError, match="needs a trust policy"):
        check_archive(path, VerifyOptions(require_signature=True))


@pytest.mark.parametrize("name", ["x.tar.gz", "x.zip"])
def test_footers_checked_by_worker_processes_say_what_one_thread_says(
    sealed: Path, key: SigningKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """--jobs 2 on an archive: the same results, with batches of every size."""
    from provenance import parallel

    monkeypatch.setattr(parallel, "BATCH", 3)
    for index in range(10):
        write(sealed, f"more/item{index}.txt", article(body=f"Item {index}.").data())
    write(sealed, "more/bad.txt", b"caf\xe9")
    write(sealed, "more/zw.txt", article(body="zero\u200bwidth").data())
    target = tmp_path / name
    if name.endswith(".zip"):
        zip_folder(sealed, target)
    else:
        tar_folder(sealed, target, "issue")
    policy = TrustedKey(key.public)
    one = check_archive(target, VerifyOptions(policy=policy))
    two = check_archive(target, VerifyOptions(policy=policy, jobs=2))
    assert two.results == one.results
    assert any(r.warnings for r in two.results)
    bad = [r for r in two.results if r.path.endswith("more/bad.txt")]
    assert [r.verdict for r in bad] == [Verdict.UNREADABLE]


# -- seals anywhere in an archive -----------------------------------------------------------


def _members_of(folder: Path, prefix: str) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    return [
        (regular(prefix + path.relative_to(folder).as_posix()), path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]


def test_two_sealed_folders_side_by_side(sealed: Path, key: SigningKey, tmp_path: Path) -> None:
    members = _members_of(sealed, "one/") + _members_of(sealed, "two/")
    archive = tar_of(tmp_path / "x.tar", members)
    found = check_archive(archive, VerifyOptions(policy=TrustedKey(key.public)))
    assert found.sealed and not found.failed(require_signature=True)
    assert [prefix for prefix, _ in found.seal_signatures] == ["one/", "two/"]
    assert found.covered()
    # One seal unsigned: the members are no longer all covered by good signatures.
    unsigned = [m for m in members if m[0].name != "two/SHA256SUMS.sig"]
    found = check_archive(
        tar_of(tmp_path / "y.tar", unsigned), VerifyOptions(policy=TrustedKey(key.public))
    )
    assert not found.failed() and found.failed(require_signature=True)


def test_member_outside_every_seal_is_unlisted(sealed: Path, tmp_path: Path) -> None:
    members = [*_members_of(sealed, "issue/"), (regular("notes/extra.md"), article().data())]
    found = check_archive(tar_of(tmp_path / "x.tar", members))
    rows = by_path(found)
    assert rows["notes/extra.md"].manifest is ManifestVerdict.UNLISTED
    assert rows["issue/a.txt"].manifest is ManifestVerdict.LISTED
    assert found.failed()


def test_nested_seal_in_an_archive_and_its_own_files(
    sealed: Path, key: SigningKey, tmp_path: Path
) -> None:
    outer = tmp_path / "outer"
    write(outer, "top.txt", article().data())
    for path in sorted(sealed.rglob("*")):
        if path.is_file():
            write(outer, f"inner/{path.relative_to(sealed).as_posix()}", path.read_bytes())
    seal_folder(outer, key)
    archive = tar_folder(outer, tmp_path / "x.tar", "outer")
    found = check_archive(archive, VerifyOptions(policy=TrustedKey(key.public)))
    rows = by_path(found)
    assert not found.failed(require_signature=True)
    assert rows["outer/inner/SHA256SUMS"].manifest is ManifestVerdict.LISTED
    signature = rows["outer/inner/SHA256SUMS"].signature
    assert signature is not None and signature.verdict is SignatureVerdict.GOOD
    assert [prefix for prefix, _ in found.seal_signatures] == ["outer/"]


def test_own_signatures_inside_an_archive_are_checked_over_the_member_bytes(
    sealed: Path, key: SigningKey, tmp_path: Path
) -> None:
    other = generate_key(tmp_path / "keys" / "mallory")
    sign_file(sealed / "a.txt", other)
    sign_file(sealed / "docs" / "b.md", key)
    (sealed / "SHA256SUMS.sig").unlink()
    found = check_archive(
        zip_folder(sealed, tmp_path / "x.zip"), VerifyOptions(policy=TrustedKey(key.public))
    )
    results = by_path(found)
    signatures = {name: results[name].signature for name in ("a.txt", "docs/b.md")}
    assert {name: s.verdict if s else None for name, s in signatures.items()} == {
        "a.txt": SignatureVerdict.UNTRUSTED,
        "docs/b.md": SignatureVerdict.GOOD,
    }
    assert results["img/photo.jpg"].signature is None
    # Without a policy, nothing inside is read as a signature.
    assert all(r.signature is None for r in check_archive(tmp_path / "x.zip").results)


def test_an_oversized_own_signature_member_is_malformed_not_a_bomb(
    key: SigningKey, tmp_path: Path
) -> None:
    members = [
        (tarfile.TarInfo("a.txt"), article().data()),
        (tarfile.TarInfo("a.txt.sig"), b"x" * (1 << 17)),
    ]
    found = check_archive(
        tar_of(tmp_path / "x.tar", members), VerifyOptions(policy=TrustedKey(key.public))
    )
    results = by_path(found)
    signature = results["a.txt"].signature
    assert signature is not None and signature.verdict is SignatureVerdict.MALFORMED
    assert "larger than 65536 bytes" in signature.detail


def test_a_record_member_is_a_record_entry_never_an_article(tmp_path: Path, sealed: Path) -> None:
    # FILE.prov is classified by the selector for a walk, a sealed folder and an archive alike:
    # held to the seal, its footer never checked (a record has none: it would be no-footer,
    # a failure under --strict).
    write(sealed, "a.txt.prov", b"provenance-record 1\n")
    seal_folder(sealed, generate_key(tmp_path / "k2"), force=True)
    results = by_path(check_archive(tar_folder(sealed, tmp_path / "x.tar", ".")))
    member = results["a.txt.prov"]
    assert member.kind is EntryKind.RECORD and member.footer is None
    assert member.manifest is ManifestVerdict.LISTED
    assert not member.failed(strict=True)
