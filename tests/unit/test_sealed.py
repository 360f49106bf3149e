"""Checking a sealed folder: the signature first, then every entry and every article."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from provenance.allowed_signers import TrustedKey
from provenance.errors import InputError
from provenance.keys import SigningKey, generate_key
from provenance.model import EntryKind, ManifestVerdict, Result, SignatureVerdict, Verdict
from provenance.options import VerifyOptions
from provenance.seal import seal_folder
from provenance.sealed import (
    NOT_AN_ARTICLE,
    Found,
    SealedCheck,
    check_sealed_folder,
    check_seals,
    signed_article,
)
from provenance.seals import is_sealed
from provenance.selector import default_is_article
from provenance.sign import sign_file
from provenance.sshsig import MAX_ARMORED_SIZE
from provenance.tree import FileDigest
from tests.conftest import article, hang_guard, write


def check(
    root: Path,
    key: SigningKey,
    *,
    namespace: str = "file",
    jobs: int = 1,
    is_article: Callable[[str], bool] = default_is_article,
    workers: int | None = None,
) -> SealedCheck:
    options = VerifyOptions(policy=TrustedKey(key.public), namespace=namespace, jobs=jobs)
    return check_sealed_folder(root, options, is_article=is_article, workers=workers)


def by_path(found: SealedCheck, root: Path) -> dict[str, Result]:
    return {result.path.removeprefix(f"{root}/"): result for result in found.results}


def test_an_intact_sealed_folder_passes(sealed: Path, key: SigningKey) -> None:
    found = check(sealed, key)
    assert found.signature is not None
    assert found.signature.verdict is SignatureVerdict.GOOD
    assert found.signature.principal == "alice@example.com"
    assert found.signature.signature_path == f"{sealed}/SHA256SUMS.sig"
    results = by_path(found, sealed)
    assert list(results) == ["a.txt", "docs/b.md", "img/photo.jpg"]
    assert {r.manifest for r in results.values()} == {ManifestVerdict.LISTED}
    assert results["a.txt"].verdict is Verdict.OK
    assert results["docs/b.md"].verdict is Verdict.OK
    photo = results["img/photo.jpg"]
    assert photo.footer is None and photo.kind is EntryKind.OTHER
    assert results["img/photo.jpg"].detail == NOT_AN_ARTICLE
    assert not found.failed()
    assert not found.failed(require_signature=True)


def test_changed_file_is_a_mismatch_reported_once(sealed: Path, key: SigningKey) -> None:
    path = sealed / "docs/b.md"
    path.write_bytes(path.read_bytes().replace(b"ferry", b"fairy"))
    found = check(sealed, key)
    results = by_path(found, sealed)
    assert list(results) == ["a.txt", "docs/b.md", "img/photo.jpg"]
    changed = results["docs/b.md"]
    assert changed.manifest is ManifestVerdict.MISMATCH
    # The footer verdict is the article's own, computed on the same bytes.
    assert changed.verdict is Verdict.MISMATCH
    assert "changed since sealed: SHA256SUMS line 2 expects sha256" in changed.detail
    assert found.failed()


def test_changed_non_article_keeps_its_footer_verdict_apart(sealed: Path, key: SigningKey) -> None:
    (sealed / "img/photo.jpg").write_bytes(b"other")
    changed = by_path(check(sealed, key), sealed)["img/photo.jpg"]
    assert changed.manifest is ManifestVerdict.MISMATCH
    assert changed.footer is None and changed.kind is EntryKind.OTHER


def test_missing_file(sealed: Path, key: SigningKey) -> None:
    (sealed / "a.txt").unlink()
    missing = by_path(check(sealed, key), sealed)["a.txt"]
    assert missing.manifest is ManifestVerdict.MISSING
    assert missing.verdict is Verdict.MISSING
    assert missing.detail == "listed in SHA256SUMS line 1, but absent"
    assert missing.line == 1


def test_listed_path_that_became_a_folder_is_missing(sealed: Path, key: SigningKey) -> None:
    (sealed / "a.txt").unlink()
    (sealed / "a.txt").mkdir()
    result = by_path(check(sealed, key), sealed)["a.txt"]
    assert result.manifest is ManifestVerdict.MISSING
    assert "a folder, not a file" in result.detail


def test_planted_article_is_unlisted_and_fails(sealed: Path, key: SigningKey) -> None:
    write(sealed, "docs/planted.txt", article(holder="Forger Ltd.").data())
    found = check(sealed, key)
    planted = by_path(found, sealed)["docs/planted.txt"]
    assert planted.manifest is ManifestVerdict.UNLISTED
    # Its footer is intact, yet the run fails: a planted article is what a seal must catch.
    assert planted.verdict is Verdict.OK
    assert planted.detail.startswith("not listed in SHA256SUMS; ")
    assert planted.failed()
    assert found.failed()


def test_hidden_planted_file_is_unlisted_too(sealed: Path, key: SigningKey) -> None:
    write(sealed, ".git/config", b"x")
    assert by_path(check(sealed, key), sealed)[".git/config"].manifest is ManifestVerdict.UNLISTED


def test_planted_symlink_is_unlisted_and_never_followed(
    sealed: Path, key: SigningKey, tmp_path: Path
) -> None:
    outside = write(tmp_path, "outside.txt", article(holder="Outside").data())
    (sealed / "link.txt").symlink_to(outside)
    link = by_path(check(sealed, key), sealed)["link.txt"]
    assert link.manifest is ManifestVerdict.UNLISTED
    assert link.verdict is Verdict.UNREADABLE
    assert link.detail == f"symbolic link to {str(outside)!r}: never followed"


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("/etc/passwd", "the path is absolute"),
        ("../outside.txt", "the path holds '..'"),
        ("docs/../../outside.txt", "the path holds '..'"),
    ],
)
def test_unsafe_entries_are_rejected_and_never_opened(
    tmp_path: Path, key: SigningKey, entry: str, problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "issue"
    write(root, "a.txt", article().data())
    write(tmp_path, "outside.txt", b"outside\n")
    seal_folder(root, key)
    manifest = root / "SHA256SUMS"
    manifest.write_bytes(manifest.read_bytes() + f"{'0' * 64}  {entry}\n".encode())
    opened: list[str] = []
    real_open = os.open

    def spy(path: str, *args: object, **kwargs: object) -> int:
        opened.append(os.fsdecode(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy)
    found = check_sealed_folder(root)
    monkeypatch.undo()
    unsafe = [r for r in found.results if r.manifest is ManifestVerdict.UNSAFE]
    assert len(unsafe) == 1
    assert unsafe[0].path == entry
    assert unsafe[0].detail == f"unsafe path in SHA256SUMS line 2: {problem}; never opened"
    assert unsafe[0].line == 2
    assert not any("outside" in name or name == "/etc/passwd" for name in opened)


def test_entry_through_a_symlinked_folder_is_unsafe_and_never_opened(
    tmp_path: Path, key: SigningKey
) -> None:
    root = tmp_path / "issue"
    write(root, "a.txt", article().data())
    write(root, "docs/b.txt", b"inside\n")
    seal_folder(root, key)
    # An attacker swaps docs/ for a link to a folder outside, holding a file of the same name.
    write(tmp_path, "elsewhere/b.txt", b"inside\n")
    (root / "docs/b.txt").unlink()
    (root / "docs").rmdir()
    (root / "docs").symlink_to(tmp_path / "elsewhere")
    results = by_path(check(root, key), root)
    assert results["docs"].manifest is ManifestVerdict.UNLISTED
    through = next(r for r in results.values() if r.manifest is ManifestVerdict.UNSAFE)
    assert through.path == "docs/b.txt"
    assert "would resolve through 'docs', which is not a folder" in through.detail


def test_malformed_manifest_lines_are_reported_with_line_numbers(
    sealed: Path, key: SigningKey
) -> None:
    manifest = sealed / "SHA256SUMS"
    lines = manifest.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1][1:]  # 63 hex digits
    manifest.write_bytes(b"".join(lines))
    found = check_sealed_folder(sealed)
    malformed = [r for r in found.results if r.verdict is Verdict.MALFORMED]
    assert [(r.path, r.line, r.detail) for r in malformed] == [
        (
            f"{sealed}/SHA256SUMS",
            2,
            "SHA256SUMS line 2: the digest has 63 hex digits, expected 64",
        )
    ]
    # The file that line named is now unlisted: the manifest no longer vouches for it.
    assert by_path(found, sealed)["docs/b.md"].manifest is ManifestVerdict.UNLISTED
    assert found.failed()


def test_duplicate_and_normalisation_twins_in_the_manifest(tmp_path: Path, key: SigningKey) -> None:
    root = tmp_path / "issue"
    write(root, "caf\u00e9.txt", b"x")
    seal_folder(root, key)
    manifest = root / "SHA256SUMS"
    first = manifest.read_bytes()
    manifest.write_bytes(first + first + first.replace("\u00e9".encode(), "e\u0301".encode()))
    details = [r.detail for r in check_sealed_folder(root).results if r.line]
    assert details == [
        "SHA256SUMS line 2: 'café.txt' is listed twice (first on line 1)",
        "SHA256SUMS line 3: 'cafe\u0301.txt' differs from 'café.txt' (line 1) "
        "only by Unicode normalisation",
    ]


def test_signature_verdicts(sealed: Path, key: SigningKey, tmp_path: Path) -> None:
    manifest = sealed / "SHA256SUMS"
    # Another key: untrusted.
    (tmp_path / "other").mkdir()
    other = generate_key(tmp_path / "other" / "bob", comment="bob@example.com")
    found = check_sealed_folder(sealed, VerifyOptions(policy=TrustedKey(other.public)))
    assert found.signature is not None and found.signature.verdict is SignatureVerdict.UNTRUSTED
    assert found.failed()
    # Another namespace: bad.
    assert check(sealed, key, namespace="git").signature.verdict is SignatureVerdict.BAD  # type: ignore[union-attr]
    # A manifest edited after signing (a line dropped to hide a file): bad signature.
    manifest.write_bytes(b"".join(manifest.read_bytes().splitlines(keepends=True)[:2]))
    found = check(sealed, key)
    assert found.signature is not None and found.signature.verdict is SignatureVerdict.BAD
    # Garbage: malformed.
    (sealed / "SHA256SUMS.sig").write_bytes(b"not a signature\n")
    assert check(sealed, key).signature.verdict is SignatureVerdict.MALFORMED  # type: ignore[union-attr]
    # None: missing, which fails only when a signature is required.
    (sealed / "SHA256SUMS.sig").unlink()
    seal_folder(sealed, key, force=True)
    (sealed / "SHA256SUMS.sig").unlink()
    found = check(sealed, key)
    assert found.signature is not None and found.signature.verdict is SignatureVerdict.MISSING
    assert not found.failed()
    assert found.failed(require_signature=True)


def test_without_a_policy_the_signature_is_not_checked(sealed: Path) -> None:
    found = check_sealed_folder(sealed)
    assert found.signature is None
    assert not found.failed()
    assert found.failed(require_signature=True)
    with pytest.raises(InputError, match="needs a trust policy"):
        check_sealed_folder(sealed, VerifyOptions(require_signature=True))


def test_symlinked_manifest_is_never_followed(
    sealed: Path, key: SigningKey, tmp_path: Path
) -> None:
    real = write(tmp_path, "forged-SHA256SUMS", (sealed / "SHA256SUMS").read_bytes())
    (sealed / "SHA256SUMS").unlink()
    (sealed / "SHA256SUMS").symlink_to(real)
    found = check(sealed, key)
    head = found.results[0]
    assert head.path == f"{sealed}/SHA256SUMS"
    assert head.verdict is Verdict.UNREADABLE
    assert head.detail == "is a symbolic link: never followed"
    assert found.failed()


def test_not_a_sealed_folder_raises(tmp_path: Path) -> None:
    write(tmp_path / "plain", "a.txt", b"x")
    assert not is_sealed(tmp_path / "plain")
    with pytest.raises(InputError, match="not a sealed folder"):
        check_sealed_folder(tmp_path / "plain")


def test_custom_article_rule(sealed: Path, key: SigningKey) -> None:
    found = check(sealed, key, is_article=lambda path: path.endswith(".jpg"))
    results = by_path(found, sealed)
    assert results["a.txt"].detail == NOT_AN_ARTICLE
    assert results["img/photo.jpg"].verdict is Verdict.UNREADABLE  # binary, checked as text


@pytest.mark.slow
def test_seal_then_verify_ten_thousand_files(tmp_path: Path, key: SigningKey) -> None:
    root = tmp_path / "many"
    for index in range(10_000):
        folder = root / f"d{index // 500:02d}"
        if index % 500 == 0:
            folder.mkdir(parents=True)
        body = f"Item {index} of the collection.\nSecond line of item {index}."
        (folder / f"item{index:05d}.txt").write_bytes(article(body).data())
    with hang_guard():
        sealed = seal_folder(root, key)
        found = check(root, key)
    assert sealed.files == 10_000
    assert len(found.results) == 10_000
    assert {r.manifest for r in found.results} == {ManifestVerdict.LISTED}
    assert {r.verdict for r in found.results} == {Verdict.OK}
    assert not found.failed(require_signature=True)
    # One changed, one removed, one planted among ten thousand: exactly those three fail.
    (root / "d03/item01500.txt").write_bytes(b"changed")
    (root / "d07/item03500.txt").unlink()
    write(root, "d09/planted.txt", b"planted")
    failed = [r.path.removeprefix(f"{root}/") for r in check(root, key).results if r.failed()]
    assert failed == ["d03/item01500.txt", "d07/item03500.txt", "d09/planted.txt"]


@pytest.mark.parametrize(("batch", "batch_bytes"), [(256, 8 << 20), (2, 1 << 20), (64, 40)])
def test_footers_checked_by_worker_processes_say_what_one_thread_says(
    sealed: Path, key: SigningKey, monkeypatch: pytest.MonkeyPatch, batch: int, batch_bytes: int
) -> None:
    """--jobs 2 on a sealed folder: the same results, whatever the batches' sizes."""
    from provenance import parallel

    monkeypatch.setattr(parallel, "BATCH", batch)
    monkeypatch.setattr(parallel, "BATCH_BYTES", batch_bytes)
    write(sealed, "docs/b.md", article(holder="Other Press", body="Changed.").data())
    write(
        sealed,
        "nfd.txt",
        article(body="Caf\u00e9").data().replace("é".encode(), "e\u0301".encode()),
    )
    write(sealed, "zw.txt", article(body="zero\u200bwidth").data())
    write(sealed, "bad.txt", b"caf\xe9 not utf-8")
    for index in range(12):
        write(sealed, f"more/item{index:02d}.txt", article(body=f"Item {index}.").data())
    one = check(sealed, key)
    two = check(sealed, key, jobs=2)
    assert two.results == one.results
    assert two.signature == one.signature
    verdicts = {r.path.removeprefix(f"{sealed}/"): r.verdict for r in two.results}
    assert verdicts["docs/b.md"] is Verdict.OK  # Its own footer is intact; its SHA-256 is not.
    assert verdicts["nfd.txt"] is Verdict.OK
    assert verdicts["bad.txt"] is Verdict.UNREADABLE


def test_several_hashing_threads_and_worker_processes_together(
    sealed: Path, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance import parallel

    monkeypatch.setattr(parallel, "BATCH", 2)
    for index in range(40):
        write(sealed, f"more/item{index:02d}.txt", article(body=f"Item {index}.").data())
    assert check(sealed, key, jobs=2, workers=3).results == check(sealed, key).results


# -- seals inside seals (check_seals; where seals are: test_seals.py) -----------------------


def _digest(path: str, data: bytes, inspected: object = None) -> FileDigest:
    return FileDigest(path, hashlib.sha256(data).hexdigest(), len(data), inspected)


def _line(path: str, data: bytes) -> bytes:
    return f"{hashlib.sha256(data).hexdigest()}  {path}\n".encode()


def test_check_seals_outer_entries_inside_an_inner_seal() -> None:
    a, b = b"a\n", b"b\n"
    inner = _line("a.txt", a) + _line("b.txt", b)
    outer = _line("pkg/SHA256SUMS", inner) + _line("pkg/a.txt", a) + _line("pkg/b.txt", b"old\n")
    outer += _line("pkg/gone.txt", b"x")
    found = Found(
        files=(
            _digest("pkg/SHA256SUMS", inner),
            _digest("pkg/a.txt", a),
            _digest("pkg/b.txt", b),
            _digest("pkg/new.txt", b"new"),
        ),
        kept={"SHA256SUMS": outer, "pkg/SHA256SUMS": inner},
    )
    check = check_seals(found, display=str, is_article=lambda path: False)
    rows = {result.path: result for result in check.results}
    assert [result.path for result in check.results] == sorted(rows)
    assert rows["pkg/SHA256SUMS"].manifest is ManifestVerdict.LISTED
    assert rows["pkg/a.txt"].manifest is ManifestVerdict.LISTED
    # Listed and matching in the nearest seal, changed for the outer one: the outer fails it.
    assert rows["pkg/b.txt"].manifest is ManifestVerdict.MISMATCH
    assert rows["pkg/b.txt"].detail.startswith("changed since sealed: SHA256SUMS line 3")
    assert (rows["pkg/gone.txt"].verdict, rows["pkg/gone.txt"].manifest) == (
        Verdict.MISSING,
        ManifestVerdict.MISSING,
    )
    # Not listed by the outer seal, which covers the inner manifest: the inner one owns it.
    assert rows["pkg/new.txt"].manifest is ManifestVerdict.UNLISTED
    assert "pkg/SHA256SUMS line" not in rows["pkg/new.txt"].detail
    assert [name for name, _ in check.signatures] == [""]


def test_check_seals_outside_every_seal_is_unlisted() -> None:
    data = b"a\n"
    found = Found(
        files=(_digest("pkg/a.txt", data), _digest("extra.txt", data)),
        kept={"pkg/SHA256SUMS": _line("a.txt", data)},
    )
    rows = {r.path: r for r in check_seals(found, display=str).results}
    assert rows["pkg/a.txt"].manifest is ManifestVerdict.LISTED
    assert rows["extra.txt"].manifest is ManifestVerdict.UNLISTED
    assert "outside every sealed folder" in rows["extra.txt"].detail
    # A seal's own files are no row of their own at the top.
    assert "pkg/SHA256SUMS" not in rows


def test_check_seals_without_a_seal_checks_articles_only() -> None:
    found = Found(files=(_digest("a.txt", b"x"), _digest("photo.jpg", b"y")))
    check = check_seals(found, display=str)
    assert [r.path for r in check.results] == ["a.txt"] and check.signatures == ()


def test_nested_seal_with_a_folder_for_manifest_fails(tmp_path: Path, key: SigningKey) -> None:
    root = tmp_path / "issue"
    write(root, "a.txt", article().data())
    write(root, "pkg/b.txt", article().data())
    seal_folder(root, key)
    (root / "pkg" / "SHA256SUMS").mkdir()
    found = check(root, key)
    rows = by_path(found, root)
    assert rows["pkg/SHA256SUMS"].verdict is Verdict.UNREADABLE
    assert rows["pkg/SHA256SUMS"].detail == "is a folder: never read"
    assert rows["pkg/b.txt"].manifest is ManifestVerdict.UNLISTED
    assert found.failed()


SEAL = ("SHA256SUMS", "SHA256SUMS.sig")


def test_nested_manifests_kept_in_bounded_memory(
    tmp_path: Path, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    import provenance.sealed

    root = tmp_path / "issue"
    for name in ("p", "q"):
        write(root, f"{name}/a.txt", article().data())
        seal_folder(root / name, key)
    write(root, "top.txt", article().data())
    seal_folder(root, key)
    assert not check(root, key).failed()
    # Room for the top seal's two files and one inner seal's: the other inner one's manifest
    # is not kept, and fails (which one depends on the order the walk hashes them).
    sizes = [(folder / name).stat().st_size for folder in (root, root / "p") for name in SEAL]
    monkeypatch.setattr(provenance.sealed, "MAX_MANIFESTS_SIZE", sum(sizes))
    found = check(root, key)
    refused = [r for r in found.results if r.detail.startswith("not kept")]
    assert len(refused) == 1 and refused[0].verdict is Verdict.UNREADABLE
    assert found.failed()


# -- each article's own signature (SPEC §9: signatures inside a seal) ---------------------------


def test_signed_article_names_the_article_a_sig_signs() -> None:
    assert signed_article("docs/a.txt.sig", default_is_article) == "docs/a.txt"
    assert signed_article("SHA256SUMS.sig", default_is_article) is None
    assert signed_article("img/photo.jpg.sig", default_is_article) is None
    assert signed_article("a.txt", default_is_article) is None


def test_a_good_seal_covers_its_articles_and_own_signatures_are_checked(
    sealed: Path, key: SigningKey, tmp_path: Path
) -> None:
    found = by_path(check(sealed, key), sealed)
    assert found["a.txt"].signature is None  # Covered by the seal's good signature.
    other = generate_key(tmp_path / "keys" / "mallory")
    sign_file(sealed / "a.txt", other)
    found = by_path(check(sealed, key), sealed)
    signature = found["a.txt"].signature
    assert signature is not None and signature.verdict is SignatureVerdict.UNTRUSTED
    assert signature.signature_path == f"{sealed}/a.txt.sig"


def test_without_a_good_seal_an_unsigned_article_is_missing(sealed: Path, key: SigningKey) -> None:
    (sealed / "SHA256SUMS.sig").unlink()
    found = check(sealed, key)
    assert found.signature is not None and found.signature.verdict is SignatureVerdict.MISSING
    rows = by_path(found, sealed)
    for name in ("a.txt", "docs/b.md"):
        signature = rows[name].signature
        assert signature is not None and signature.verdict is SignatureVerdict.MISSING
    assert rows["img/photo.jpg"].signature is None  # Not an article: the seal row says it.
    assert found.failed(require_signature=True) and not found.failed()


def test_an_oversized_or_special_own_signature_is_malformed(sealed: Path, key: SigningKey) -> None:
    (sealed / "a.txt.sig").write_bytes(b"x" * (MAX_ARMORED_SIZE + 1))
    os.mkfifo(sealed / "docs" / "b.md.sig")
    rows = by_path(check(sealed, key), sealed)
    for name in ("a.txt", "docs/b.md"):
        signature = rows[name].signature
        assert signature is not None and signature.verdict is SignatureVerdict.MALFORMED, name
    # The planted files are unlisted too, and neither is read as an article.
    assert rows["a.txt.sig"].manifest is ManifestVerdict.UNLISTED
    assert rows["a.txt.sig"].footer is None and rows["a.txt.sig"].kind is EntryKind.SIGNATURE


def test_own_signatures_are_not_checked_without_a_policy(sealed: Path, key: SigningKey) -> None:
    (sealed / "SHA256SUMS.sig").unlink()
    rows = by_path(check_sealed_folder(sealed), sealed)
    assert all(row.signature is None for row in rows.values())
