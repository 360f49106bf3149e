"""Hostile BagIt bags: each built here byte by byte, never by provenance's own writer.

Traversal through a manifest, a Payload-Oxum that lies, entries listed twice, manifests that
mix algorithms or kinds, huge lines, links and FIFOs in the payload, tag files planted beside
a signed tag manifest: each must fail the check, with one clear result, and never open a
path outside the bag.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from provenance.allowed_signers import TrustedKey
from provenance.bag import check_bag_folder
from provenance.keys import SigningKey
from provenance.model import ManifestVerdict, Result, SignatureVerdict, Verdict
from provenance.options import DEFAULT_OPTIONS, VerifyOptions
from provenance.sign import sign_bytes
from tests.conftest import invoke, write

DECLARATION = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_bag(root: Path, payload: dict[str, bytes], *, extra_lines: bytes = b"") -> Path:
    """A valid bag of ``payload`` (paths below data/), plus ``extra_lines`` in its manifest."""
    for name, data in payload.items():
        write(root, f"data/{name}", data)
    lines = "".join(f"{sha256(data)}  data/{name}\n" for name, data in sorted(payload.items()))
    (root / "manifest-sha256.txt").write_bytes(lines.encode() + extra_lines)
    (root / "bagit.txt").write_bytes(DECLARATION)
    octets = sum(map(len, payload.values()))
    (root / "bag-info.txt").write_bytes(f"Payload-Oxum: {octets}.{len(payload)}\n".encode())
    return root


def tag_manifest(root: Path) -> bytes:
    names = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"]
    data = "".join(f"{sha256((root / n).read_bytes())}  {n}\n" for n in names).encode()
    (root / "tagmanifest-sha256.txt").write_bytes(data)
    return data


def failing(root: Path, options: VerifyOptions = DEFAULT_OPTIONS) -> list[Result]:
    return [r for r in check_bag_folder(root, options).results if r.failed()]


def test_a_clean_hand_made_bag_passes(tmp_path: Path) -> None:
    # The baseline every attack below departs from.
    assert failing(make_bag(tmp_path / "bag", {"a.txt": b"a\n"})) == []


@pytest.mark.parametrize("target", ["../outside.txt", "data/../../outside.txt", "/etc/hostname"])
def test_traversal_in_a_manifest_is_unsafe_and_never_opened(tmp_path: Path, target: str) -> None:
    (tmp_path / "outside.txt").write_bytes(b"outside\n")
    line = f"{sha256(b'outside' + bytes([10]))}  {target}\n".encode()
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"}, extra_lines=line)
    [problem] = failing(root)
    assert problem.verdict is Verdict.MALFORMED and problem.line == 2
    assert "unsafe path" in problem.detail or "outside data/" in problem.detail


def test_a_link_in_the_payload_is_never_followed(tmp_path: Path) -> None:
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"})
    (tmp_path / "secret").write_bytes(b"secret\n")
    os.symlink(tmp_path / "secret", root / "data" / "link.txt")
    [link] = failing(root)
    assert link.path.endswith("data/link.txt") and link.manifest is ManifestVerdict.UNLISTED
    assert "never followed" in link.detail


def test_a_listed_path_through_a_linked_folder_is_unsafe(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere, "a.txt", b"a\n")
    root = make_bag(
        tmp_path / "bag",
        {"a.txt": b"a\n"},
        extra_lines=f"{sha256(b'a' + bytes([10]))}  data/sub/a.txt\n".encode(),
    )
    os.symlink(elsewhere, root / "data" / "sub")
    results = {r.path: r for r in failing(root)}
    assert results[f"{root}/data/sub/a.txt"].manifest is ManifestVerdict.UNSAFE


def test_a_fifo_in_the_payload_is_never_opened(tmp_path: Path) -> None:
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"})
    os.mkfifo(root / "data" / "pipe")
    [fifo] = failing(root)
    assert fifo.verdict is Verdict.UNREADABLE and "FIFO" in fifo.detail


@pytest.mark.parametrize("oxum", [b"3.1", b"2.2", b"0.0"])
def test_a_payload_oxum_that_lies_fails(tmp_path: Path, oxum: bytes) -> None:
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"})
    (root / "bag-info.txt").write_bytes(b"Payload-Oxum: " + oxum + b"\n")
    [lie] = failing(root)
    assert lie.verdict is Verdict.MALFORMED and "Payload-Oxum claims" in lie.detail


def test_a_path_listed_twice_with_two_digests_is_refused_not_chosen(tmp_path: Path) -> None:
    # Whichever line a lax reader kept, one of the two digests would be checked: both lines
    # are read, the second is a problem, and the first still holds the file.
    line = f"{sha256(b'other')}  data/a.txt\n".encode()
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"}, extra_lines=line)
    [twice] = failing(root)
    assert twice.line == 2 and "listed twice (first on line 1)" in twice.detail


def test_sha512_digests_in_a_sha256_manifest_are_refused(tmp_path: Path) -> None:
    digest = hashlib.sha512(b"a\n").hexdigest()
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"})
    (root / "manifest-sha256.txt").write_bytes(f"{digest}  data/a.txt\n".encode())
    results = failing(root)
    assert any("128 hex digits, expected 64" in r.detail for r in results)
    assert any(r.manifest is ManifestVerdict.UNLISTED for r in results)


def test_a_payload_manifest_listing_a_tag_file_and_a_tag_manifest_listing_payload(
    tmp_path: Path,
) -> None:
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"})
    line = f"{sha256(DECLARATION)}  bagit.txt\n".encode()
    (root / "manifest-sha256.txt").write_bytes((root / "manifest-sha256.txt").read_bytes() + line)
    tags = tag_manifest(root) + f"{sha256(b'a' + bytes([10]))}  data/a.txt\n".encode()
    (root / "tagmanifest-sha256.txt").write_bytes(tags)
    details = [r.detail for r in failing(root)]
    assert any("a payload manifest lists 'bagit.txt', outside data/" in d for d in details)
    assert any("a tag manifest lists a payload file: 'data/a.txt'" in d for d in details)


def test_a_manifest_of_an_algorithm_provenance_cannot_check_fails_the_bag(tmp_path: Path) -> None:
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"})
    (root / "manifest-sha3.txt").write_bytes(b"00  data/a.txt\n")
    [unknown] = [r for r in failing(root) if r.verdict is Verdict.MALFORMED]
    assert "unsupported algorithm 'sha3'" in unknown.detail


def test_a_huge_line_costs_one_problem_and_is_not_echoed(tmp_path: Path) -> None:
    line = b"0" * 64 + b"  data/" + b"x" * (8 << 20) + b"%zz\n"
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"}, extra_lines=line)
    [huge] = failing(root)
    assert huge.line == 2 and len(huge.detail) < 400


def test_a_million_bad_lines_are_counted_not_listed(tmp_path: Path) -> None:
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"}, extra_lines=b"bad\n" * 1_000_000)
    problems = failing(root)
    assert len(problems) == 101
    counted = [r.detail for r in problems if "not reported one by one" in r.detail]
    assert counted == ["manifest-sha256.txt: 999900 more problems, not reported one by one"]


def test_a_bagit_txt_replaced_by_a_folder_still_makes_a_bag_that_fails(tmp_path: Path) -> None:
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"})
    (root / "bagit.txt").unlink()
    (root / "bagit.txt").mkdir()
    result = invoke("verify", root)
    assert result.exit_code == 1
    assert "bagit.txt: a bag's bagit.txt is not a regular file" in result.stdout


def test_fetch_txt_makes_the_bag_incomplete(tmp_path: Path) -> None:
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"})
    (root / "fetch.txt").write_bytes(b"http://example.org/b.txt 2 data/b.txt\n")
    assert any("provenance never fetches" in r.detail for r in failing(root))


def test_a_tag_file_planted_beside_a_signed_tag_manifest_fails(
    tmp_path: Path, key: SigningKey
) -> None:
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"})
    signed = tag_manifest(root)
    (root / "tagmanifest-sha256.txt.sig").write_text(sign_bytes(signed, key, "file"))
    policy = TrustedKey(key.public)
    assert failing(root, VerifyOptions(policy=policy)) == []
    # A second payload manifest, unlisted in the signed tag manifest, would otherwise add
    # claims no signature covers.
    (root / "manifest-md5.txt").write_bytes(
        f"{hashlib.md5(b'a' + bytes([10])).hexdigest()}  data/a.txt\n".encode()
    )
    [planted] = failing(root, VerifyOptions(policy=policy))
    assert (
        planted.path.endswith("manifest-md5.txt") and planted.manifest is ManifestVerdict.UNLISTED
    )


def test_a_changed_signed_tag_manifest_fails_its_signature(tmp_path: Path, key: SigningKey) -> None:
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"})
    signed = tag_manifest(root)
    (root / "tagmanifest-sha256.txt.sig").write_text(sign_bytes(signed, key, "file"))
    # Payload and manifest changed together, and the tag manifest rewritten to match.
    (root / "data" / "a.txt").write_bytes(b"forged\n")
    (root / "manifest-sha256.txt").write_bytes(
        f"{sha256(b'forged' + bytes([10]))}  data/a.txt\n".encode()
    )
    (root / "bag-info.txt").write_bytes(b"Payload-Oxum: 7.1\n")
    tag_manifest(root)
    check = check_bag_folder(root, VerifyOptions(policy=TrustedKey(key.public)))
    assert check.signature is not None and check.signature.verdict is SignatureVerdict.BAD


def test_a_sha256sums_planted_in_a_bag_does_not_make_it_a_sealed_folder(tmp_path: Path) -> None:
    # Checked as a sealed folder, a payload changed together with a planted SHA256SUMS that
    # lists every file as it now is would pass, the bag's own manifests being mere files.
    root = make_bag(tmp_path / "bag", {"a.txt": b"a\n"})
    (root / "data" / "a.txt").write_bytes(b"b\n")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    (root / "SHA256SUMS").write_text(
        "".join(f"{sha256(p.read_bytes())}  {p.relative_to(root).as_posix()}\n" for p in files)
    )
    result = invoke("verify", root)
    assert result.exit_code == 1
    assert f"sums-mismatch  {root}/data/a.txt" in result.stdout
    assert "changed since bagged: manifest-sha256.txt line 1" in result.stdout
