"""Attacks on SHA256SUMS: encodings, duplicates, ambiguous names, folders, sheer size.

What a sealed folder promises is "exactly these files, with exactly these bytes". Every
manifest trick below must either be reported on its line or be caught as a missing, unlisted
or changed file; none may pass, none may crash, none may exhaust memory.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from provenance.keys import generate_key
from provenance.manifest import MAX_MANIFEST_SIZE, parse
from provenance.model import ManifestVerdict, Verdict
from provenance.seal import seal_folder
from provenance.sealed import check_sealed_folder
from tests.attacks.conftest import assert_clean
from tests.conftest import ROOT, article, hang_guard, invoke, write

DATA = article().data()
SHA = hashlib.sha256(DATA).hexdigest()


def sealed_with(tmp_path: Path, manifest: bytes, files: dict[str, bytes] | None = None) -> Path:
    root = tmp_path / "sealed"
    for name, data in (files if files is not None else {"a.txt": DATA}).items():
        write(root, name, data)
    (root / "SHA256SUMS").write_bytes(manifest)
    return root


def line(path: str, sha: str = SHA) -> bytes:
    return f"{sha}  {path}\n".encode()


def test_crlf_manifest_is_reported_once_and_its_entries_still_checked(tmp_path: Path) -> None:
    root = sealed_with(tmp_path, line("a.txt").replace(b"\n", b"\r\n") * 1)
    check = check_sealed_folder(root)
    problems = [r for r in check.results if r.path.endswith("SHA256SUMS")]
    assert [p.detail for p in problems] == [
        "SHA256SUMS line 1: CR LF line end (SHA256SUMS uses LF)"
    ]
    (entry,) = [r for r in check.results if r.path.endswith("a.txt")]
    assert entry.manifest is ManifestVerdict.LISTED
    assert check.failed()  # A converted manifest is not the one that was signed.


def test_manifest_with_a_byte_order_mark_is_reported(tmp_path: Path) -> None:
    check = check_sealed_folder(sealed_with(tmp_path, b"\xef\xbb\xbf" + line("a.txt")))
    assert any("byte order mark" in r.detail for r in check.results)
    assert check.failed()


def test_duplicate_entries_are_reported_with_both_lines(tmp_path: Path) -> None:
    other = "0" * 64
    check = check_sealed_folder(sealed_with(tmp_path, line("a.txt") + line("a.txt", other)))
    (problem,) = [r for r in check.results if r.verdict is Verdict.MALFORMED]
    assert problem.line == 2 and "listed twice (first on line 1)" in problem.detail
    (entry,) = [r for r in check.results if r.path.endswith("a.txt")]
    assert entry.manifest is ManifestVerdict.LISTED  # The first entry is the one kept.


def test_entry_for_a_folder_is_missing_not_opened(tmp_path: Path) -> None:
    root = sealed_with(tmp_path, line("a.txt") + line("docs"), {"a.txt": DATA, "docs/b.txt": DATA})
    check = check_sealed_folder(root)
    by_name = {r.path.rsplit("sealed/", 1)[-1]: r for r in check.results}
    assert by_name["docs"].manifest is ManifestVerdict.MISSING
    assert "a folder, not a file" in by_name["docs"].detail
    assert by_name["docs/b.txt"].manifest is ManifestVerdict.UNLISTED


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../outside.txt", "holds '..'"),
        ("/etc/passwd", "absolute"),
        ("docs//a.txt", "not in normal form"),
        ("./a.txt", "not in normal form"),
    ],
)
def test_unsafe_entries_are_never_opened(tmp_path: Path, name: str, reason: str) -> None:
    write(tmp_path, "outside.txt", DATA)
    check = check_sealed_folder(sealed_with(tmp_path, line("a.txt") + line(name)))
    (unsafe,) = [r for r in check.results if r.manifest is ManifestVerdict.UNSAFE]
    assert reason in unsafe.detail and "never opened" in unsafe.detail


def test_name_with_a_newline_round_trips_through_seal_and_verify(tmp_path: Path) -> None:
    root = tmp_path / "sealed"
    write(root, "two\nlines.txt", DATA)
    write(root, "back\\slash.txt", DATA)
    seal_folder(root, generate_key(tmp_path / "id"))
    manifest = (root / "SHA256SUMS").read_bytes()
    assert b"\\" + SHA.encode() + b"  two\\nlines.txt\n" in manifest
    check = check_sealed_folder(root)
    assert not check.failed()
    assert len(check.results) == 2


def test_unescaped_newline_cannot_smuggle_a_second_entry(tmp_path: Path) -> None:
    # A name holding a newline, written without the escape, reads as two lines.
    smuggled = f"{SHA}  a.txt\n{'f' * 64}  evil.txt\n".encode()
    check = check_sealed_folder(sealed_with(tmp_path, smuggled))
    by_name = {r.path.rsplit("/", 1)[-1]: r for r in check.results}
    assert by_name["evil.txt"].manifest is ManifestVerdict.MISSING
    assert check.failed()


def test_nfc_nfd_pair_in_the_manifest_is_reported(tmp_path: Path) -> None:
    nfc = unicodedata.normalize("NFC", "café.txt")
    nfd = unicodedata.normalize("NFD", "café.txt")
    check = check_sealed_folder(sealed_with(tmp_path, line(nfc) + line(nfd), {nfc: DATA}))
    problems = [r.detail for r in check.results if r.verdict is Verdict.MALFORMED]
    assert any("only by Unicode normalisation" in detail for detail in problems)


def test_nfd_file_on_disk_against_an_nfc_entry_is_missing_plus_unlisted(tmp_path: Path) -> None:
    nfc = unicodedata.normalize("NFC", "café.txt")
    nfd = unicodedata.normalize("NFD", "café.txt")
    check = check_sealed_folder(sealed_with(tmp_path, line(nfc), {nfd: DATA}))
    verdicts = sorted(r.manifest.value for r in check.results if r.manifest is not None)
    assert verdicts == ["missing", "unlisted"]
    assert check.failed()


def test_case_only_pair_is_two_distinct_files(tmp_path: Path) -> None:
    files = {"Report.txt": DATA, "report.txt": article(holder="Other Press").data()}
    root = tmp_path / "sealed"
    for name, data in files.items():
        write(root, name, data)
    if len(os.listdir(root)) == 1:
        pytest.skip("case-insensitive file system")
    seal_folder(root, generate_key(tmp_path / "id"))
    assert not check_sealed_folder(root).failed()
    (root / "report.txt").write_bytes(DATA)
    check = check_sealed_folder(root)
    (changed,) = [r for r in check.results if r.manifest is ManifestVerdict.MISMATCH]
    assert changed.path.endswith("/report.txt")


def test_case_only_duplicate_entry_for_one_file_is_caught(tmp_path: Path) -> None:
    root = sealed_with(tmp_path, line("a.txt") + line("A.txt"))
    if (root / "A.txt").exists():
        pytest.skip("case-insensitive file system")
    check = check_sealed_folder(root)
    (missing,) = [r for r in check.results if r.manifest is ManifestVerdict.MISSING]
    assert missing.path.endswith("/A.txt")


def test_uppercase_hex_is_read_as_sha256sum_reads_it(tmp_path: Path) -> None:
    check = check_sealed_folder(sealed_with(tmp_path, line("a.txt", SHA.upper())))
    assert not check.failed()


def test_garbage_manifest_lines_are_reported_with_their_numbers(tmp_path: Path) -> None:
    manifest = line("a.txt") + b"\n" + b"nonsense\n" + b"abc  short.txt\n" + b"\xff" * 80 + b"\n"
    check = check_sealed_folder(sealed_with(tmp_path, manifest))
    lines = sorted(r.line for r in check.results if r.verdict is Verdict.MALFORMED and r.line)
    assert lines == [2, 3, 4, 5]


def test_two_hundred_thousand_line_manifest_parses() -> None:
    data = b"".join(b"%064x  f%07d.txt\n" % (i, i) for i in range(200_000))
    with hang_guard():
        manifest = parse(data)
    assert len(manifest.entries) == 200_000 and not manifest.problems


def test_manifest_of_many_entries_costs_under_100_bytes_each_beyond_its_bytes() -> None:
    # Issue 11 item 8: one Entry object per line cost 336 bytes an entry (a 64 MiB manifest,
    # 800,000 entries: 270 MB before a single result). Now the bytes are kept once and each
    # entry costs a few array slots; building Entry objects on demand keeps none of them.
    import tracemalloc

    count = 50_000
    data = b"".join(b"%064x  d%02d/a%07d.txt\n" % (i, i % 100, i) for i in range(count))
    tracemalloc.start()
    try:
        manifest = parse(data)
        for i in range(count):
            entry = manifest.get(f"d{i % 100:02d}/a{i:07d}.txt")
            assert entry is not None and entry.digest == f"{i:064x}" and entry.line == i + 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(manifest) == count and not manifest.problems
    assert peak < 100 * count


def _hwm_kib(code: str) -> tuple[str, int]:
    wrapper = f"{code}\nimport re\nprint(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])"
    done = subprocess.run(
        [sys.executable, "-c", wrapper],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=600,
    )
    *out, peak = done.stdout.splitlines()
    return "\n".join(out), int(peak)


def _huge_manifest(root: Path, lines: int) -> None:
    row = b"0" * 64 + b"  x.txt\n"
    block = row * 100_000
    with open(root / "SHA256SUMS", "wb") as handle:
        for _ in range(lines // 100_000):
            handle.write(block)


# About 1.5 s: 690 MB written to a temporary folder, then refused unread.
@pytest.mark.slow
def test_ten_million_line_manifest_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    if not os.path.exists("/proc/self/status"):
        pytest.skip("peak RSS is read from /proc")
    root = tmp_path / "sealed"
    write(root, "a.txt", DATA)
    _huge_manifest(root, 10_000_000)
    assert (root / "SHA256SUMS").stat().st_size > MAX_MANIFEST_SIZE
    out, peak = _hwm_kib(
        "from provenance.sealed import check_sealed_folder\n"
        f"check = check_sealed_folder({str(root)!r})\n"
        "print(check.results[0].verdict.value, check.results[0].detail)"
    )
    assert out.startswith("unreadable is larger than 67108864 bytes")
    assert peak < 100 * 1024
    result = invoke("verify", root)
    assert_clean(result, 1)
    assert re.search(r"SHA256SUMS\s+\(is larger than", result.stdout)


def test_huge_manifest_inside_an_archive_is_refused(tmp_path: Path) -> None:
    import io
    import tarfile

    archive = tmp_path / "a.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        payload = b"0" * 64 + b"  x.txt\n"
        data = payload * (MAX_MANIFEST_SIZE // len(payload) + 10)
        info = tarfile.TarInfo("SHA256SUMS")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    result = invoke("verify", archive)
    assert_clean(result, 1)
    assert "expands beyond 67108864 bytes" in result.stdout


def test_planted_manifest_of_empty_lines_costs_no_memory(tmp_path: Path) -> None:
    # 4 MB of newlines took 2.3 GB and 27 s (16 MB: MemoryError): one result per line.
    if not os.path.exists("/proc/self/status"):
        pytest.skip("peak RSS is read from /proc")
    root = sealed_with(tmp_path, line("a.txt") + b"\n" * 4_000_000)
    out, peak = _hwm_kib(
        "from provenance.sealed import check_sealed_folder\n"
        f"check = check_sealed_folder({str(root)!r})\n"
        "print(*[f'{r.line} {r.detail}' for r in check.results if r.path.endswith('SUMS')])"
    )
    assert out == "2 SHA256SUMS line 2: 4000000 empty lines (2 to 4000001)"
    assert peak < 100 * 1024


def test_planted_manifest_of_junk_lines_reports_a_hundred_and_a_count(tmp_path: Path) -> None:
    root = sealed_with(tmp_path, b"junk\n" * 200_000 + line("a.txt"))
    check = check_sealed_folder(root)
    malformed = [r for r in check.results if r.verdict is Verdict.MALFORMED]
    assert len(malformed) == 101 and check.failed()
    assert malformed[-1].detail == (
        "SHA256SUMS line 101: 199900 more problems on lines 101 to 200000, "
        "not reported one by one (only the first 100 are)"
    )
    (listed,) = [r for r in check.results if r.path.endswith("/a.txt")]
    assert listed.manifest is ManifestVerdict.LISTED


# -- SHA512SUMS seals a folder as SHA256SUMS does (issue 18 item 5) --------------------------


def sha512_line(path: str, data: bytes) -> bytes:
    return f"{hashlib.sha512(data).hexdigest()}  {path}\n".encode()


def test_a_folder_sealed_with_sha512sums_only_is_a_sealed_folder(tmp_path: Path) -> None:
    # Before, SHA512SUMS sealed nothing: the folder was walked for footers only, and a
    # changed photo or a planted article with a good footer passed.
    root = tmp_path / "sealed"
    write(root, "a.txt", DATA)
    write(root, "photo.jpg", b"\xff\xd8 original")
    (root / "SHA512SUMS").write_bytes(
        sha512_line("a.txt", DATA) + sha512_line("photo.jpg", b"\xff\xd8 original")
    )
    result = invoke("verify", root)
    assert_clean(result, 0)
    (root / "photo.jpg").write_bytes(b"\xff\xd8 swapped")
    write(root, "planted.txt", article(holder="Mallory Press").data())
    result = invoke("verify", root)
    assert_clean(result, 1)
    assert f"sums-mismatch  {root}/photo.jpg" in result.stdout
    assert f"sums-unlisted  {root}/planted.txt" in result.stdout
    assert "expects sha512 " in result.stdout


def test_a_path_in_sha256sums_but_not_in_sha512sums_fails(tmp_path: Path) -> None:
    root = sealed_with(tmp_path, line("a.txt") + line("b.txt"), {"a.txt": DATA, "b.txt": DATA})
    (root / "SHA512SUMS").write_bytes(sha512_line("a.txt", DATA))
    check = check_sealed_folder(root)
    assert check.failed()
    rows = {Path(r.path).name: r for r in check.results}
    assert rows["b.txt"].manifest is ManifestVerdict.UNLISTED
    assert "not listed in SHA512SUMS" in rows["b.txt"].detail
    # And the other way round: listed in SHA512SUMS only, the file is missing from SHA256SUMS.
    (root / "SHA256SUMS").write_bytes(line("a.txt"))
    (root / "SHA512SUMS").write_bytes(sha512_line("a.txt", DATA) + sha512_line("b.txt", DATA))
    rows = {Path(r.path).name: r for r in check_sealed_folder(root).results}
    assert rows["b.txt"].manifest is ManifestVerdict.UNLISTED
    assert "not listed in SHA256SUMS" in rows["b.txt"].detail


def test_sha512sums_disagreeing_with_the_file_fails_although_sha256sums_agrees(
    tmp_path: Path,
) -> None:
    root = sealed_with(tmp_path, line("a.txt"))
    (root / "SHA512SUMS").write_bytes(sha512_line("a.txt", DATA + b"x"))
    check = check_sealed_folder(root)
    assert check.failed()
    (row,) = check.results
    assert row.manifest is ManifestVerdict.MISMATCH and "SHA512SUMS line 1" in row.detail


def test_a_nested_sha512sums_is_checked_below_a_sha256sums(tmp_path: Path) -> None:
    # The top seal has no SHA512SUMS: the walk learns of the inner one only when it meets it,
    # and must still hold the inner files to SHA-512 digests.
    root = tmp_path / "sealed"
    write(root, "a.txt", DATA)
    write(root, "pkg/b.bin", b"inner")
    (root / "pkg" / "SHA512SUMS").write_bytes(sha512_line("b.bin", b"inner"))
    inner = (root / "pkg" / "SHA512SUMS").read_bytes()
    (root / "SHA256SUMS").write_bytes(
        line("a.txt") + line("pkg/SHA512SUMS", hashlib.sha256(inner).hexdigest())
    )
    assert not check_sealed_folder(root).failed()
    (root / "pkg" / "b.bin").write_bytes(b"other")
    check = check_sealed_folder(root)
    (row,) = [r for r in check.results if r.path.endswith("b.bin")]
    assert row.manifest is ManifestVerdict.MISMATCH and "expects sha512" in row.detail


@pytest.mark.parametrize("order", ["manifest last", "manifest first"])
def test_a_sha512sums_member_seals_an_archive_whatever_the_member_order(
    tmp_path: Path, order: str
) -> None:
    from provenance.archive import check_archive
    from tests.craft import END, tar_member

    photo = b"\xff\xd8 original"
    manifest = sha512_line("a.txt", DATA) + sha512_line("photo.jpg", photo)
    members = [("a.txt", DATA), ("photo.jpg", b"\xff\xd8 swapped")]
    members.insert(0 if order == "manifest first" else 2, ("SHA512SUMS", manifest))
    path = tmp_path / "issue.tar"
    path.write_bytes(b"".join(tar_member(n, d) for n, d in members) + END)
    check = check_archive(path)
    assert check.sealed and check.failed()
    rows = {r.path: r for r in check.results}
    assert rows["photo.jpg"].manifest is ManifestVerdict.MISMATCH
    assert rows["a.txt"].manifest is ManifestVerdict.LISTED
