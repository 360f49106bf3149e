"""provenance.tarread: a strict tar header walker that names members as GNU tar does."""

from __future__ import annotations

import io

import pytest

from provenance.errors import UnreadableArchive
from provenance.tarread import Kind, TarWalker
from tests.craft import END, gnu_long_name, pax_header, tar_header, tar_member


def _members(data: bytes) -> list[tuple[str, Kind, bytes]]:
    walker = TarWalker(io.BytesIO(data))
    return [(member.name, member.kind, walker.read(member.size)) for member in walker]


def test_members_are_named_and_read_in_order() -> None:
    data = (
        tar_member("a.txt", b"alpha\n")
        + tar_member("docs/", kind=b"5")
        + tar_member("link", kind=b"2", link="a.txt")
        + END
    )
    assert _members(data) == [
        ("a.txt", Kind.FILE, b"alpha\n"),
        ("docs/", Kind.FOLDER, b""),
        ("link", Kind.SYMLINK, b""),
    ]


def test_long_names_come_from_gnu_and_pax_headers_as_gnu_tar_reads_them() -> None:
    long = "x/" * 80 + "a.txt"
    data = (
        gnu_long_name(long)
        + tar_member("short", b"1")
        + pax_header({"path": "pax-name.txt"})
        + tar_member("ustar-name.txt", b"2")
        + END
    )
    assert [name for name, _, _ in _members(data)] == [long, "pax-name.txt"]


def test_a_truncated_or_corrupt_archive_is_unreadable() -> None:
    with pytest.raises(UnreadableArchive, match="truncated"):
        _members(tar_member("a.txt", b"alpha\n"))
    with pytest.raises(UnreadableArchive):
        _members(tar_header("a.txt", size=10, checksum=1) + END)
    with pytest.raises(UnreadableArchive, match="followed by no member"):
        _members(pax_header({"path": "x"}) + END)
