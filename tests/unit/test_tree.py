"""provenance.tree: a walk that never follows a link and hashes each regular file once."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from provenance.errors import InputError
from provenance.tree import Kind, display_name, scan
from tests.conftest import write


def _tree(root: Path) -> Path:
    write(root, "a.txt", "alpha\n")
    write(root, "docs/b.md", "beta\n")
    write(root, "SHA256SUMS", "skip me\n")
    (root / "link.txt").symlink_to(root / "a.txt")
    os.mkfifo(root / "pipe")
    (root / "empty").mkdir()
    return root


def test_scan_hashes_regular_files_and_reports_the_rest(tmp_path: Path) -> None:
    found = scan(_tree(tmp_path / "t"), skip=lambda path: path == "SHA256SUMS")
    assert [(f.path, f.sha256, f.size) for f in found.files] == [
        ("a.txt", hashlib.sha256(b"alpha\n").hexdigest(), 6),
        ("docs/b.md", hashlib.sha256(b"beta\n").hexdigest(), 5),
    ]
    kinds = {node.path: node.kind for node in found.nodes}
    assert kinds == {
        "docs": Kind.FOLDER,
        "empty": Kind.FOLDER,
        "link.txt": Kind.SYMLINK,
        "pipe": Kind.FIFO,
    }
    link = next(node for node in found.nodes if node.path == "link.txt")
    assert link.detail == str(tmp_path / "t" / "a.txt")
    assert found.of_kind(Kind.FIFO)[0].path == "pipe"


def test_kept_files_are_inspected_on_the_bytes_that_were_hashed(tmp_path: Path) -> None:
    root = _tree(tmp_path / "t")
    write(root, "big.txt", "x" * 100)
    seen: dict[str, bytes] = {}

    def inspect(path: str, data: bytes) -> object:
        seen[path] = data
        return len(data)

    found = scan(root, keep=lambda path: path.endswith(".txt"), inspect=inspect, keep_limit=50)
    by_path = {item.path: item for item in found.files}
    assert seen == {"a.txt": b"alpha\n"}
    assert by_path["a.txt"].inspected == 6
    assert by_path["big.txt"].too_large and by_path["big.txt"].inspected is None
    assert by_path["docs/b.md"].inspected is None and not by_path["docs/b.md"].too_large


def test_scan_of_what_is_not_a_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a folder"):
        scan(write(tmp_path, "a.txt", "x"))
    with pytest.raises(InputError, match="no such folder"):
        scan(tmp_path / "absent")


def test_display_name_shows_undecodable_bytes() -> None:
    assert display_name("caf\udce9.txt") == "caf\\xe9.txt"
    assert display_name("plain/é.txt") == "plain/é.txt"
