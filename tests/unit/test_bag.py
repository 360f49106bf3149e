"""provenance.bag: a bag's check, one result per path, each built with what it is."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from provenance.allowed_signers import TrustedKey
from provenance.bag import SIGNED_OBJECT, check_bag_folder
from provenance.errors import InputError
from provenance.keys import SigningKey
from provenance.model import EntryKind, ManifestVerdict, Result, SignatureVerdict, Verdict
from provenance.options import VerifyOptions
from provenance.report import result_dict
from provenance.seal import bag_folder
from provenance.selector import Selector
from tests.conftest import article, write


def made_bag(root: Path, key: SigningKey | None = None) -> Path:
    write(root, "a.txt", article().data())
    write(root, "drafts/b.txt", article().data().replace(b"ferry", b"barge"))
    write(root, "img/photo.jpg", b"\xff\xd8")
    bag_folder(root, key)
    return root


def by_path(root: Path, results: tuple[Result, ...]) -> dict[str, Result]:
    return {str(Path(r.path).relative_to(root)): r for r in results}


def test_each_row_says_what_it_is(tmp_path: Path) -> None:
    root = made_bag(tmp_path / "bag")
    rows = by_path(root, check_bag_folder(root).results)
    assert {path: row.kind for path, row in rows.items()} == {
        "bagit.txt": EntryKind.OTHER,
        "bag-info.txt": EntryKind.OTHER,
        "manifest-sha256.txt": EntryKind.MANIFEST,
        "manifest-sha512.txt": EntryKind.MANIFEST,
        "tagmanifest-sha256.txt": EntryKind.MANIFEST,
        "tagmanifest-sha512.txt": EntryKind.MANIFEST,
        "data/a.txt": EntryKind.ARTICLE,
        "data/drafts/b.txt": EntryKind.ARTICLE,
        "data/img/photo.jpg": EntryKind.OTHER,
    }
    # Only articles have a footer check; everything is held to the manifests.
    assert [p for p, row in rows.items() if row.footer is not None] == [
        "data/a.txt",
        "data/drafts/b.txt",
    ]
    assert rows["data/drafts/b.txt"].verdict is Verdict.MISMATCH
    assert rows["data/img/photo.jpg"].manifest is ManifestVerdict.LISTED
    assert result_dict(rows["bagit.txt"])["article"] is False


def test_the_signature_rides_on_the_tag_manifest_it_covers(tmp_path: Path, key: SigningKey) -> None:
    root = made_bag(tmp_path / "bag", key)
    check = check_bag_folder(root, VerifyOptions(policy=TrustedKey(key.public)))
    [signed] = [row for row in check.results if row.signature is not None]
    assert signed.path == f"{root}/tagmanifest-sha256.txt"
    assert (signed.kind, signed.detail, signed.footer) == (EntryKind.MANIFEST, SIGNED_OBJECT, None)
    assert signed.signature is check.signature
    assert check.signature is not None and check.signature.verdict is SignatureVerdict.GOOD
    assert [row.kind for row in check.results if row.path.endswith(".sig")] == [EntryKind.SIGNATURE]


@pytest.mark.parametrize("signature", [True, False])
def test_a_bag_without_its_signed_tag_manifest_gets_one_row_for_it(
    tmp_path: Path, key: SigningKey, signature: bool
) -> None:
    root = made_bag(tmp_path / "bag", key if signature else None)
    (root / "tagmanifest-sha256.txt").unlink()
    check = check_bag_folder(root, VerifyOptions(policy=TrustedKey(key.public)))
    [row] = [row for row in check.results if row.path == f"{root}/tagmanifest-sha256.txt"]
    assert (row.kind, row.detail) == (EntryKind.MANIFEST, SIGNED_OBJECT)
    assert check.signature is row.signature is not None
    # A signature that cannot be checked fails; a missing one fails when one is required.
    expected = SignatureVerdict.BAD if signature else SignatureVerdict.MISSING
    assert check.signature.verdict is expected
    assert row.failed(require_signature=True) and row.failed() is signature


def test_a_missing_tag_file_and_a_missing_payload_file(tmp_path: Path) -> None:
    root = made_bag(tmp_path / "bag")
    (root / "bag-info.txt").unlink()
    (root / "data" / "img" / "photo.jpg").unlink()
    rows = by_path(root, check_bag_folder(root).results)
    info, photo = rows["bag-info.txt"], rows["data/img/photo.jpg"]
    assert (info.kind, info.verdict, info.manifest) == (
        EntryKind.OTHER,
        Verdict.MISSING,
        ManifestVerdict.MISSING,
    )
    assert (photo.kind, photo.verdict, photo.manifest) == (
        EntryKind.ARTICLE,
        Verdict.MISSING,
        ManifestVerdict.MISSING,
    )


def test_a_weak_manifest_warns_on_its_own_row(tmp_path: Path) -> None:
    root = made_bag(tmp_path / "bag")
    for name in ("tagmanifest-sha256.txt", "tagmanifest-sha512.txt"):
        (root / name).unlink()  # They would not list the manifest added here.
    (root / "manifest-md5.txt").write_text(
        "".join(
            f"{hashlib.md5(p.read_bytes()).hexdigest()}  {p.relative_to(root).as_posix()}\n"
            for p in sorted((root / "data").rglob("*"))
            if p.is_file()
        )
    )
    rows = by_path(root, check_bag_folder(root).results)
    warned = {path: row.warnings for path, row in rows.items() if row.warnings}
    assert warned == {
        "manifest-md5.txt": ("md5 is broken for collisions: bag with sha256 or sha512",)
    }
    # A warning, which fails nothing by itself: md5 is still checked (only the draft's
    # footer fails).
    assert [path for path, row in rows.items() if row.failed()] == ["data/drafts/b.txt"]


def test_exclude_picks_articles_in_data_but_never_excuses_an_unlisted_file(
    tmp_path: Path,
) -> None:
    # A bag lists every file it holds (RFC 8493) and `seal --bagit` leaves nothing out:
    # the patterns only say which files are articles, relative to data/.
    root = made_bag(tmp_path / "bag")
    write(root, "data/drafts/planted.txt", b"planted\n")
    options = VerifyOptions(exclude=("/drafts/",))
    select = Selector(exclude=options.exclude)
    results = check_bag_folder(root, options, is_article=select.is_article).results
    rows = by_path(root, results)
    assert rows["data/drafts/b.txt"].footer is None
    assert rows["data/drafts/b.txt"].manifest is ManifestVerdict.LISTED
    assert rows["data/drafts/planted.txt"].manifest is ManifestVerdict.UNLISTED
    assert [Path(row.path).relative_to(root).as_posix() for row in results if row.failed()] == [
        "bag-info.txt",  # Payload-Oxum does not count the planted file.
        "data/drafts/planted.txt",
    ]


def test_a_folder_that_is_not_a_bag_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a BagIt bag"):
        check_bag_folder(tmp_path)


def test_jobs_check_the_footers_of_data_on_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # -j N checks a bag's articles on N worker processes, as it does a sealed folder's: the
    # texts go to parallel.TextChecker, and the results are those of one job.
    from provenance import parallel

    root = made_bag(tmp_path / "bag")
    one = check_bag_folder(root, VerifyOptions(jobs=1)).results
    submitted: list[str] = []
    submit = parallel.TextChecker.submit

    def spy(self: parallel.TextChecker, data: bytes, shown: str) -> parallel.Pending:
        submitted.append(shown)
        return submit(self, data, shown)

    monkeypatch.setattr(parallel.TextChecker, "submit", spy)
    two = check_bag_folder(root, VerifyOptions(jobs=2)).results
    assert sorted(Path(p).relative_to(root).as_posix() for p in submitted) == [
        "data/a.txt",
        "data/drafts/b.txt",
    ]
    assert [result_dict(r) for r in two] == [result_dict(r) for r in one]


def test_the_summary_names_bag_counts_manifest_not_sha256sums(tmp_path: Path) -> None:
    # A bag has no SHA256SUMS: its manifests' counts are "manifest:" in the summary line.
    from tests.conftest import invoke

    root = made_bag(tmp_path / "bag")
    summary = invoke("verify", root).stdout.splitlines()[-1]
    assert "; manifest: " in summary and "SHA256SUMS" not in summary
