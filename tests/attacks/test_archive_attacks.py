"""Archives crafted so that provenance would check one thing and tar or unzip extract another.

Every archive here is built byte by byte (tests/craft.py): tar headers with their checksums,
zip local headers and central directories. Each one is read differently by two tools (GNU tar
and Info-ZIP unzip, or GNU tar and Python's tarfile, or the local header and the central
directory of one zip), so provenance must refuse it whole: one ``unreadable`` result on the
archive itself, which fails the run. tests/interop/test_archive_stock_tools.py shows with the
real tools what each of them extracts.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from provenance.archive import ArchiveCheck, check_archive
from provenance.model import Verdict
from provenance.tarread import MAX_HEADER_DATA
from tests.attacks.conftest import assert_clean
from tests.conftest import article, invoke
from tests.craft import (
    BLOCK,
    END,
    ZipEntry,
    gnu_long_name,
    header_bomb,
    padded,
    pax_header,
    tar_header,
    tar_member,
    zip_bytes,
)

CHECKED = article().data()
PLANTED = article(holder="Forger").data(trailer="\nPlanted.")
COMPRESS = {".tar.gz": gzip.compress, ".tar.xz": lzma.compress, ".tar.bz2": bz2.compress}


def refusal(path: Path) -> str:
    """The archive was refused whole: its own result is ``unreadable``; what it says."""
    found = check_archive(path)
    own = [r for r in found.results if r.path == str(path)]
    assert [r.verdict for r in own] == [Verdict.UNREADABLE], found.results
    assert found.failed()
    return own[0].detail


def member(found: ArchiveCheck, name: str) -> str:
    (result,) = [r for r in found.results if r.path == name]
    assert result.verdict is Verdict.UNREADABLE
    return result.detail


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- polyglots: the name chooses the format, the bytes must agree ------------------------------


def test_tar_followed_by_a_zip_is_refused_under_either_name(tmp_path: Path) -> None:
    """GNU tar extracts the tar's a.txt, unzip the zip's a.txt: two different files."""
    tar = tar_member("a.txt", PLANTED) + END
    data = zip_bytes([ZipEntry(b"a.txt", CHECKED)], prefix=tar)
    assert "does not begin like a zip" in refusal(write(tmp_path, "x.zip", data))
    assert "after the end-of-archive block" in refusal(write(tmp_path, "x.tar", data))


def test_zip_after_the_tar_end_of_archive_blocks_is_refused(tmp_path: Path) -> None:
    tar = tar_member("a.txt", CHECKED) + END
    data = tar + zip_bytes([ZipEntry(b"b.txt", PLANTED)])
    detail = refusal(write(tmp_path, "x.tar", data))
    assert detail.startswith(f"corrupt: data at byte {len(tar)}, after the end-of-archive block")


def test_zip_followed_by_a_tar_is_refused(tmp_path: Path) -> None:
    data = zip_bytes([ZipEntry(b"a.txt", CHECKED)], suffix=tar_member("a.txt", PLANTED) + END)
    assert "after the end of the zip" in refusal(write(tmp_path, "x.zip", data))


def test_zip_behind_a_prefix_is_refused_whatever_its_offsets(tmp_path: Path) -> None:
    """``cat script x.zip`` (offsets from the zip) and ``zip -A`` (offsets from the file)."""
    entries = [ZipEntry(b"a.txt", CHECKED)]
    prefix = b"PK\x03\x04" + b"#!/bin/sh\n" * 10
    relative = prefix + zip_bytes(entries)
    absolute = zip_bytes(entries, prefix=prefix)
    assert "data before the zip" in refusal(write(tmp_path, "relative.zip", relative))
    assert "before its first member" in refusal(write(tmp_path, "absolute.zip", absolute))


def plain_tar() -> bytes:
    return tar_member("a.txt", CHECKED) + END


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("x.tar.gz", plain_tar(), "named as a gzip-compressed tar, but it does not begin like"),
        ("x.tgz", bz2.compress(plain_tar()), "begins like a bzip2 stream"),
        ("x.tar", gzip.compress(plain_tar()), "named as a tar, but it begins like a gzip"),
        ("x.tar.xz", gzip.compress(plain_tar()), "begins like a gzip stream"),
        ("x.tar.bz2", lzma.compress(plain_tar()), "begins like an xz stream"),
        ("x.tar", zip_bytes([ZipEntry(b"a.txt", CHECKED)]), "begins like a zip"),
        ("x.zip", gzip.compress(plain_tar()), "named as a zip, but it begins like a gzip"),
    ],
)
def test_name_and_first_bytes_must_agree(tmp_path: Path, name: str, data: bytes, says: str) -> None:
    assert says in refusal(write(tmp_path, name, data))


@pytest.mark.parametrize("suffix", list(COMPRESS))
def test_garbage_after_the_compressed_stream_is_refused(tmp_path: Path, suffix: str) -> None:
    data = COMPRESS[suffix](plain_tar()) + b"trailing garbage, or a zip"
    detail = refusal(write(tmp_path, f"x{suffix}", data))
    assert detail.startswith("corrupt: data after the end of the compressed stream")


def test_second_gzip_member_after_the_end_of_archive_is_refused(tmp_path: Path) -> None:
    """``gzip -d`` joins gzip members: a tar in the second one follows the first's end."""
    data = gzip.compress(plain_tar()) + gzip.compress(tar_member("b.txt", PLANTED) + END)
    assert "after the end-of-archive block" in refusal(write(tmp_path, "x.tar.gz", data))


def test_zero_padding_after_the_end_of_archive_is_fine(tmp_path: Path) -> None:
    """GNU tar pads to 10 KiB records; gzip pads nothing: both are read."""
    data = gzip.compress(padded(plain_tar() + b"\0" * 9000)) + b"\0" * 100
    found = check_archive(write(tmp_path, "x.tar.gz", data))
    assert [(r.path, r.verdict) for r in found.results] == [("a.txt", Verdict.OK)]


def test_a_name_that_is_not_an_archive_name_is_not_read(tmp_path: Path) -> None:
    assert refusal(write(tmp_path, "x.tar.zst", plain_tar())).startswith("not read")


# -- a file to one reader, a folder to another ----------------------------------------------------


def test_v7_file_whose_header_says_folder_and_pax_path_file_is_refused(tmp_path: Path) -> None:
    """Python's tarfile makes a folder of "a.txt/" (type NUL); GNU tar the file a.txt."""
    data = pax_header({"path": "a.txt"}) + tar_member("a.txt/", PLANTED, kind=b"\0") + END
    found = check_archive(write(tmp_path, "x.tar", data))
    assert "tar readers disagree on what it is" in member(found, "a.txt")
    assert found.failed()


def test_pax_path_that_is_no_longer_the_header_folder_name_is_refused(tmp_path: Path) -> None:
    data = pax_header({"path": "a.txt"}) + tar_member("docs/", PLANTED) + END
    found = check_archive(write(tmp_path, "x.tar", data))
    assert "tar readers disagree on what it is" in member(found, "a.txt")


def test_long_name_cut_at_a_slash_is_an_ordinary_file(tmp_path: Path) -> None:
    """GNU tar and tarfile cut a long name to 100 bytes in the header: it may end in "/"."""
    long_name = "d" * 99 + "/a.txt"
    for data in (
        pax_header({"path": long_name}) + tar_member(long_name[:100], CHECKED) + END,
        gnu_long_name(long_name) + tar_member(long_name[:100], CHECKED, magic=b"ustar  \0") + END,
    ):
        found = check_archive(write(tmp_path, "x.tar", data))
        assert [(r.path, r.verdict) for r in found.results] == [(long_name, Verdict.OK)]


def test_file_header_named_like_a_folder_that_carries_data_is_refused(tmp_path: Path) -> None:
    """GNU tar makes the folder a.txt and then reads the data as headers; tarfile a file."""
    hidden = tar_member("planted.txt", PLANTED)
    data = tar_member("a.txt/", hidden) + END
    assert "named like a folder and carries" in refusal(write(tmp_path, "x.tar", data))


def test_folder_and_file_of_one_name_are_refused(tmp_path: Path) -> None:
    tar = tar_member("a.txt", CHECKED) + tar_header("a.txt/", kind=b"5") + END
    found = check_archive(write(tmp_path, "x.tar", tar))
    assert "a file and a folder share this name" in member(found, "a.txt")
    zipped = zip_bytes(
        [ZipEntry(b"a.txt/", b"", external_attr=0o40755 << 16), ZipEntry(b"a.txt", CHECKED)]
    )
    found = check_archive(write(tmp_path, "x.zip", zipped))
    assert "a file and a folder share this name" in member(found, "a.txt")


def test_file_that_another_member_uses_as_a_folder_is_refused(tmp_path: Path) -> None:
    data = tar_member("a.txt", CHECKED) + tar_member("a.txt/b.txt", PLANTED) + END
    found = check_archive(write(tmp_path, "x.tar", data))
    assert "a file and a folder share this name" in member(found, "a.txt")
    assert found.failed()


# -- zip: the local header against the central directory ----------------------------------------


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (ZipEntry(b"a.txt", CHECKED, local_name=b"b.txt"), "name"),
        (ZipEntry(b"a.txt", CHECKED, local_method=8), "method"),
        (ZipEntry(b"a.txt", CHECKED, local_crc=zlib.crc32(PLANTED)), "CRC"),
        (ZipEntry(b"a.txt", CHECKED, local_sizes=(10, 10)), "compressed size, size"),
        (ZipEntry(b"a.txt", CHECKED, local_flags=0x800), "flags"),
    ],
    ids=["name", "method", "crc", "sizes", "flags"],
)
def test_local_header_disagreeing_with_the_central_directory_is_refused(
    tmp_path: Path, entry: ZipEntry, field: str
) -> None:
    detail = refusal(write(tmp_path, "x.zip", zip_bytes([entry])))
    assert f"disagrees with the central directory on its {field}" in detail


def test_data_descriptor_is_compared_when_the_local_header_defers_to_it(tmp_path: Path) -> None:
    good = zip_bytes([ZipEntry(b"a.txt", CHECKED, method=8, descriptor=True)])
    found = check_archive(write(tmp_path, "good.zip", good))
    assert [(r.path, r.verdict) for r in found.results] == [("a.txt", Verdict.OK)]
    # The same zip, its descriptor's CRC changed: the central directory no longer agrees.
    bad = bytearray(good)
    at = bad.index(b"PK\x07\x08") + 4
    bad[at : at + 4] = zlib.crc32(PLANTED).to_bytes(4, "little")
    assert "data descriptor" in refusal(write(tmp_path, "bad.zip", bytes(bad)))


def test_local_entry_the_central_directory_never_names_is_refused(tmp_path: Path) -> None:
    """Streaming extractors walk local headers and extract the hidden planted.txt."""
    data = zip_bytes(
        [
            ZipEntry(b"a.txt", CHECKED),
            ZipEntry(b"planted.txt", PLANTED, listed=False),
            ZipEntry(b"b.txt", CHECKED),
        ]
    )
    assert "hidden data at byte" in refusal(write(tmp_path, "x.zip", data))


def test_overlapping_zip_entries_are_refused(tmp_path: Path) -> None:
    data = zip_bytes(
        [ZipEntry(b"a.txt", CHECKED), ZipEntry(b"again.txt", CHECKED, central_offset=0)]
    )
    assert "overlapping members" in refusal(write(tmp_path, "x.zip", data))


def test_zips_made_by_zipfile_pass_the_layout_check(tmp_path: Path) -> None:
    """Deflated, stored, zip64 and data-descriptor entries, as zipfile writes them."""
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", CHECKED)
        archive.writestr(zipfile.ZipInfo("docs/"), b"")
        with archive.open("docs/b.txt", "w", force_zip64=True) as handle:
            handle.write(CHECKED)
    unseekable = io.BytesIO()
    with (
        zipfile.ZipFile(_Unseekable(unseekable), "w") as archive,
        archive.open("c.txt", "w") as handle,
    ):
        handle.write(CHECKED)
    for target in (path, write(tmp_path, "stream.zip", unseekable.getvalue())):
        found = check_archive(target)
        assert found.results and not found.failed(), found.results


class _Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek back in, so that it writes data descriptors."""

    def __init__(self, inner: io.BytesIO) -> None:
        self.inner = inner

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self.inner.write(data)


# -- a corrupt tar header in the middle ---------------------------------------------------------


def test_corrupt_header_in_the_middle_is_refused(tmp_path: Path) -> None:
    """tarfile stops there silently; GNU tar skips the block and extracts planted.txt."""
    broken = bytearray(tar_header("x.txt", size=0))
    broken[148:156] = b"0000000\0"
    data = tar_member("a.txt", CHECKED) + bytes(broken) + tar_member("planted.txt", PLANTED) + END
    detail = refusal(write(tmp_path, "x.tar", data))
    assert detail.startswith(f"corrupt: no valid tar header at byte {BLOCK * 2}")


def test_data_after_a_lone_zero_block_is_refused(tmp_path: Path) -> None:
    data = tar_member("a.txt", CHECKED) + b"\0" * BLOCK + tar_member("planted.txt", PLANTED) + END
    assert "after the end-of-archive block" in refusal(write(tmp_path, "x.tar", data))


@pytest.mark.parametrize(
    "data",
    [
        tar_member("a.txt", CHECKED),  # no end-of-archive block
        (tar_member("a.txt", CHECKED) + END)[: 2 * BLOCK - 100],  # cut inside the data
        tar_member("a.txt", CHECKED)[:300],  # cut inside the header
    ],
    ids=["no-end-block", "cut-in-data", "cut-in-header"],
)
def test_truncated_tar_is_refused(tmp_path: Path, data: bytes) -> None:
    assert refusal(write(tmp_path, "x.tar", data)).startswith("truncated")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (
            tar_member("l", padded(tar_member("planted.txt", PLANTED)), kind=b"2", link="a.txt"),
            "symbolic link header at byte 0 claims",
        ),
        (tar_member("a.txt", CHECKED, magic=b"ustar  \0", prefix=b"evil"), "prefix field"),
        (
            pax_header({"path": "one"}) + pax_header({"path": "two"}) + tar_member("x", CHECKED),
            "a second extended header of type 'x'",
        ),
        (
            gnu_long_name("one") + pax_header({"path": "two"}) + tar_member("x", CHECKED),
            "both a GNU long name and a pax 'path'",
        ),
        (
            pax_header({"path": "every"}, kind=b"g") + tar_member("x", CHECKED),
            "global pax header at byte 0 sets 'path'",
        ),
        (pax_header({"GNU.sparse.major": "1"}) + tar_member("x", CHECKED), "sparse"),
        (pax_header({"size": "12x"}) + tar_member("x", CHECKED), "pax 'size'"),
        (tar_member("x", CHECKED, size_field=b"0000000001 1"), "size field"),
        (pax_header({"path": "x"}), "followed by no member"),
    ],
    ids=[
        "link-data",
        "gnu-prefix",
        "two-pax",
        "long-and-pax",
        "global-path",
        "sparse",
        "pax-size",
        "size-field",
        "dangling-pax",
    ],
)
def test_headers_tar_readers_read_differently_are_refused(
    tmp_path: Path, data: bytes, says: str
) -> None:
    assert says in refusal(write(tmp_path, "x.tar", data + END))


# -- zip symbolic links from any host -----------------------------------------------------------


@pytest.mark.parametrize("host", [0, 2, 5, 16, 30])
def test_zip_symbolic_link_from_any_host_is_refused(tmp_path: Path, host: int) -> None:
    """unzip makes a link of a mode with S_IFLNK whatever the host (tests/interop shows it)."""
    link = ZipEntry(b"a.txt", b"/etc/passwd", create_system=host, external_attr=0o120777 << 16)
    found = check_archive(write(tmp_path, "x.zip", zip_bytes([link])))
    assert member(found, "a.txt") == "symbolic link to '/etc/passwd': never followed"


def test_zip_fifo_mode_from_a_dos_host_is_refused(tmp_path: Path) -> None:
    fifo = ZipEntry(b"a.txt", CHECKED, create_system=0, external_attr=0o10644 << 16)
    found = check_archive(write(tmp_path, "x.zip", zip_bytes([fifo])))
    assert member(found, "a.txt") == "device file, FIFO or socket: never read"


# -- header bombs -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [b"L", b"K", b"x"])
def test_header_bomb_is_refused_without_reading_it(tmp_path: Path, kind: bytes) -> None:
    """A 64 MiB long name (or link, or pax header) in a 64 KiB tar.gz: refused unread."""
    path = write(tmp_path, "x.tar.gz", header_bomb(kind, 64 << 20, tar_member("a.txt", CHECKED)))
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        detail = refusal(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"holds {64 << 20} bytes, more than {MAX_HEADER_DATA}" in detail
    assert peak < 8 << 20, peak


def test_long_names_up_to_the_cap_are_read(tmp_path: Path) -> None:
    name = "/".join(["d" * 200] * 20) + "/a.txt"
    data = gnu_long_name(name) + tar_member(name[:100], CHECKED, magic=b"ustar  \0") + END
    found = check_archive(write(tmp_path, "x.tar", data))
    assert [(r.path, r.verdict) for r in found.results] == [(name, Verdict.OK)]


# -- through the command line -------------------------------------------------------------------


def test_refused_archive_is_one_line_and_exit_1(tmp_path: Path) -> None:
    data = zip_bytes([ZipEntry(b"a.txt", CHECKED)], prefix=tar_member("a.txt", PLANTED) + END)
    path = write(tmp_path, "x.zip", data)
    result = invoke("verify", path)
    assert_clean(result, 1)
    assert f"{path}" in result.stdout
    assert "does not begin like a zip" in result.stdout


def test_tarfile_reads_these_differently(tmp_path: Path) -> None:
    """The reason for the walker: Python's tarfile stops silently at the corrupt header."""
    broken = bytearray(tar_header("x.txt"))
    broken[148:156] = b"0000000\0"
    data = tar_member("a.txt", CHECKED) + bytes(broken) + tar_member("planted.txt", PLANTED) + END
    with tarfile.open(fileobj=io.BytesIO(data), mode="r|") as archive:
        assert [info.name for info in archive] == ["a.txt"]
