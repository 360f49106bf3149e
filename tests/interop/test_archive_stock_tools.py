"""The archive reader against GNU tar and Info-ZIP: what they extract is what is checked.

Two halves. Hostile archives (built by tests/craft.py) are extracted by the real ``tar`` and
``unzip`` to show that they read something provenance would not have checked, and provenance
refuses each. Archives the real tools make, in every format they offer (GNU and POSIX tar
with long names, streamed zips with data descriptors, zip64), are read without a refusal.
These tests never skip in CI (``CI`` set): a missing tool fails there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.archive import check_archive
from provenance.model import Verdict
from tests.conftest import article, write
from tests.craft import END, ZipEntry, tar_header, tar_member, zip_bytes
from tests.interop.test_sealed_stock_tools import run, tool

CHECKED = article().data()
PLANTED = article(holder="Forger").data(trailer="\nPlanted.")


def extract(command: list[str], archive: Path, into: Path) -> dict[str, bytes | str]:
    """Extract with a real tool; what it made: file bytes, or "link -> target"."""
    into.mkdir()
    run([*command, str(archive)], cwd=into)
    made: dict[str, bytes | str] = {}
    for path in sorted(into.rglob("*")):
        name = path.relative_to(into).as_posix()
        if path.is_symlink():
            made[name] = f"link -> {path.readlink()}"
        elif path.is_file():
            made[name] = path.read_bytes()
    return made


def refused(archive: Path) -> str:
    found = check_archive(archive)
    assert found.results[0].path == str(archive), found.results
    assert found.results[0].verdict is Verdict.UNREADABLE
    assert found.failed()
    return found.results[0].detail


def test_tar_zip_polyglot_is_two_archives_to_the_two_tools(tmp_path: Path) -> None:
    data = zip_bytes([ZipEntry(b"a.txt", CHECKED)], prefix=tar_member("a.txt", PLANTED) + END)
    for name in ("x.zip", "x.tar"):
        archive = write(tmp_path, name, data)
        by_tar = extract([tool("tar"), "-xf"], archive, tmp_path / f"{name}-tar")
        by_unzip = extract([tool("unzip"), "-q"], archive, tmp_path / f"{name}-unzip")
        assert by_tar == {"a.txt": PLANTED}
        assert by_unzip == {"a.txt": CHECKED}
        refused(archive)


def test_gnu_tar_reads_on_past_a_corrupt_header(tmp_path: Path) -> None:
    broken = bytearray(tar_header("x.txt"))
    broken[148:156] = b"0000000\0"
    data = tar_member("a.txt", CHECKED) + bytes(broken) + tar_member("planted.txt", PLANTED) + END
    archive = write(tmp_path, "x.tar", data)
    assert extract([tool("tar"), "-xf"], archive, tmp_path / "out") == {
        "a.txt": CHECKED,
        "planted.txt": PLANTED,
    }
    assert refused(archive).startswith("corrupt: no valid tar header at byte 1024")


@pytest.mark.parametrize("host", [2, 5, 16, 30])
def test_unzip_makes_links_from_hosts_other_than_unix(tmp_path: Path, host: int) -> None:
    link = ZipEntry(b"a.txt", b"/etc/passwd", create_system=host, external_attr=0o120777 << 16)
    archive = write(tmp_path, "x.zip", zip_bytes([link]))
    assert extract([tool("unzip"), "-q"], archive, tmp_path / "out") == {
        "a.txt": "link -> /etc/passwd"
    }
    (result,) = check_archive(archive).results
    assert result.detail == "symbolic link to '/etc/passwd': never followed"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    root = tmp_path / "issue"
    write(root, "a.txt", CHECKED)
    # A long path whose 100th byte is "/": the name field of its header ends in a slash.
    write(root, "d" * 93 + "/" + "sub/b.txt", CHECKED)
    write(root, "e" * 150 + "/c.txt", CHECKED)
    return root


@pytest.mark.parametrize("form", ["gnu", "posix", "ustar", "v7"])
@pytest.mark.parametrize("compress", ["", "-z", "-J", "-j"])
def test_archives_gnu_tar_makes_are_read(
    tmp_path: Path, source: Path, form: str, compress: str
) -> None:
    suffix = {"": ".tar", "-z": ".tar.gz", "-J": ".tar.xz", "-j": ".tar.bz2"}[compress]
    archive = tmp_path / f"x{suffix}"
    names = ["issue/a.txt"]
    if form in ("gnu", "posix"):
        names = ["issue/" + p.relative_to(source).as_posix() for p in source.rglob("*.txt")]
    args = [tool("tar"), f"--format={form}", "-c", *([compress] if compress else [])]
    made = run([*args, "-f", str(archive), "-C", str(tmp_path), *names])
    assert made.returncode == 0, made.stderr
    found = check_archive(archive)
    assert sorted(r.path for r in found.results) == sorted(names)
    assert not found.failed(), found.results


@pytest.mark.parametrize(
    "flags", [["-r"], ["-r", "-fz"], ["-r", "-0"]], ids=["deflate", "zip64", "stored"]
)
def test_zips_info_zip_makes_are_read(tmp_path: Path, source: Path, flags: list[str]) -> None:
    archive = tmp_path / "x.zip"
    made = run([tool("zip"), "-q", *flags, str(archive), "."], cwd=source)
    assert made.returncode == 0, made.stderr
    found = check_archive(archive)
    assert len(found.results) == 3 and not found.failed(), found.results


def test_streamed_zip_with_data_descriptors_is_read(tmp_path: Path, source: Path) -> None:
    """``zip -`` cannot seek back: sizes and CRC come after the data (flag bit 3)."""
    made = run([tool("zip"), "-q", "-r", "-", "."], cwd=source)
    assert made.returncode == 0, made.stderr
    archive = write(tmp_path, "x.zip", made.stdout)
    assert b"PK\x07\x08" in made.stdout
    found = check_archive(archive)
    assert len(found.results) == 3 and not found.failed(), found.results
