"""Bags against the ``bagit`` package (Library of Congress), used as an oracle only.

What ``provenance seal --bagit`` writes must validate with ``bagit.Bag(...).validate()``, and
bags that ``bagit.make_bag`` writes must pass ``provenance verify``; a change either tool
sees, the other sees too.
"""

from __future__ import annotations

from pathlib import Path

import bagit
import pytest

from provenance.allowed_signers import TrustedKey
from provenance.bag import check_bag_folder
from provenance.keys import SigningKey
from provenance.model import ManifestVerdict, SignatureVerdict, Verdict
from provenance.options import VerifyOptions
from provenance.seal import bag_folder
from tests.conftest import article, write

#: Names bagit-python and RFC 8493 read the same way ('%' aside: see the last test).
NAMES = ["a.txt", "docs/b.md", "with space.txt", "new\nline.bin", "caf\u00e9.txt", "data/x.bin"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "bag"
    for number, name in enumerate(NAMES):
        write(root, name, article().data() if name == "a.txt" else f"file {number}\n".encode())
    return root


def test_our_bag_validates_with_bagit(folder: Path, key: SigningKey) -> None:
    made = bag_folder(folder, key)
    assert made.files == len(NAMES)
    bag = bagit.Bag(str(folder))
    bag.validate()  # Raises on any problem: the oracle's verdict.
    assert bag.version_info == (1, 0) and set(bag.algorithms) == {"sha256", "sha512"}
    assert (
        bag.info["Payload-Oxum"]
        == f"{sum(len(p.read_bytes()) for p in (folder / 'data').rglob('*') if p.is_file())}.{len(NAMES)}"
    )
    check = check_bag_folder(folder, VerifyOptions(policy=TrustedKey(key.public)))
    assert check.signature is not None and check.signature.verdict is SignatureVerdict.GOOD
    assert not [r for r in check.results if r.failed()]


def test_bagits_bag_passes_our_verify_and_both_see_a_change(folder: Path) -> None:
    bagit.make_bag(str(folder), {"Contact-Name": "Ann"}, checksums=["sha256", "sha512", "md5"])
    check = check_bag_folder(folder)
    assert not [r for r in check.results if r.failed()], check.results
    weak = [r.path for r in check.results if r.warnings]
    assert weak == [str(folder / "manifest-md5.txt"), str(folder / "tagmanifest-md5.txt")]

    (folder / "data" / "docs" / "b.md").write_bytes(b"changed\n")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(folder)).validate()
    changed = [
        r for r in check_bag_folder(folder).results if r.manifest is ManifestVerdict.MISMATCH
    ]
    assert [r.path for r in changed] == [str(folder / "data" / "docs" / "b.md")]


def test_both_see_a_planted_file_and_a_lying_oxum(folder: Path) -> None:
    bagit.make_bag(str(folder), checksums=["sha256"])
    write(folder, "data/planted.txt", b"planted\n")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(folder)).validate()
    results = check_bag_folder(folder).results
    assert {(r.path, r.manifest) for r in results if r.manifest is ManifestVerdict.UNLISTED} == {
        (str(folder / "data" / "planted.txt"), ManifestVerdict.UNLISTED)
    }
    assert any(
        r.verdict is Verdict.MALFORMED and "Payload-Oxum claims" in r.detail for r in results
    )


def test_a_percent_in_a_name_is_where_bagit_python_and_rfc_8493_part(tmp_path: Path) -> None:
    # RFC 8493 2.1.3: '%' MUST be written %25; bagit-python (1.9) writes it raw. provenance
    # follows the RFC, and refuses the raw '%' (two readers would open two files) by name.
    root = tmp_path / "pct"
    write(root, "50%.txt", b"half\n")
    bagit.make_bag(str(root), checksums=["sha256"])
    problems = [r for r in check_bag_folder(root).results if r.verdict is Verdict.MALFORMED]
    assert problems[0].detail.startswith("manifest-sha256.txt line 1: '%.t' in the path")
