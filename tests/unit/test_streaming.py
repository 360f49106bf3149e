"""Large files are streamed: same results as reading them whole, bounded memory."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from provenance import _stream, engine
from provenance.verify import check_bytes, check_file

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "articles"
NOTICE = "Copyright ©2022 Example News, Inc. All Rights Reserved."


def _stamped(body: str, *, newline: str = "\n") -> bytes:
    covered = f"{body}\n{NOTICE}".replace("\n", newline).encode("utf-8")
    digest = _reference_digest(covered)
    return covered + f" {digest}{newline}".encode()


def _reference_digest(covered: bytes) -> str:
    import unicodedata

    text = covered.decode("utf-8").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip(" \t") for line in unicodedata.normalize("NFC", text).split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return hashlib.md5("\n".join(lines).encode("utf-8")).hexdigest()


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stream every file, in small chunks, so that chunk borders fall everywhere."""
    monkeypatch.setattr(engine, "STREAM_THRESHOLD", 0)
    monkeypatch.setattr(_stream, "CHUNK", 7)


def _both(path: Path) -> tuple[object, object]:
    return check_bytes(path.read_bytes(), str(path)), check_file(path)


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.*")), ids=lambda p: p.name)
def test_streamed_fixture_gives_the_same_result(path: Path, streamed: None) -> None:
    whole, streamed_result = _both(path)
    # A streamed file's credential is found where it is; its binding and signature are not
    # checked (SPEC §11). Everything else is the same.
    if whole.c2pa is not None and streamed_result.c2pa is not None:
        span = (whole.c2pa.state, whole.c2pa.start, whole.c2pa.end)
        assert (
            streamed_result.c2pa.state,
            streamed_result.c2pa.start,
            streamed_result.c2pa.end,
        ) == span
        whole, streamed_result = replace(whole, c2pa=None), replace(streamed_result, c2pa=None)
    assert streamed_result == whole


@pytest.mark.parametrize(
    "data",
    [
        _stamped("Line one.  \nLine two\t\n\n\n", newline="\r\n"),
        _stamped("e\u0301" * 40 + "\n" + "A\u030a" * 30),
        _stamped("\ufeff\ufeffBOMs first.\rLone CR.\r\nCRLF."),
        _stamped("Body " * 50 + "\n\n   \n\t\n"),
        _stamped("Tampered"),
        _stamped("NUL later").replace(b"later", b"lat\x00r"),
        _stamped("bad UTF-8 caf\u00e9").replace(b"\xc3\xa9", b"\xe9"),
        _stamped("bad UTF-8 at the end").replace(b"\n", b"\n\xe2\x80", 1),
        ("No footer here.\n" * 40).encode(),
        ("Body.\n" * 20 + NOTICE + " " + "a" * 31 + "\n").encode(),
        ("Body.\n" * 20 + NOTICE + " " + "87990cbe856818d5eddac44c7b1cdeb8\n").encode(),
        ("Body.\n" * 20 + NOTICE + "\n" + "trailer " * 200).encode(),
        ("Body.\r" * 20 + NOTICE + " " + "0" * 64 + "\r").encode(),
    ],
)
def test_streamed_text_gives_the_same_result(tmp_path: Path, data: bytes, streamed: None) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    whole, streamed_result = _both(path)
    assert streamed_result == whole


def test_tampered_text_is_a_mismatch_when_streamed(tmp_path: Path, streamed: None) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(_stamped("Original text.").replace(b"Original", b"Altered!"))
    assert check_file(path).verdict.value == "mismatch"


@pytest.mark.slow
def test_peak_memory_stays_bounded_for_a_large_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    paragraph = (("“Quoted,” said Zoë Ångström — in 2019–2022. " * 20).strip() + "\n").encode()
    md5 = hashlib.md5()
    with path.open("wb") as handle:
        for _ in range(200 * 1024 * 1024 // len(paragraph)):
            handle.write(paragraph)
            md5.update(paragraph)
        tail = NOTICE.encode()
        md5.update(tail)
        handle.write(tail + f" {md5.hexdigest()}\n".encode())
    # VmHWM is this process's own peak; ru_maxrss would also count the parent's peak,
    # which Linux carries across fork and exec.
    script = textwrap.dedent(
        f"""
        import re
        from provenance.verify import check_file
        result = check_file({str(path)!r})
        status = open("/proc/self/status").read()
        peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", status)[1]) // 1024
        print(result.verdict.value, peak)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    verdict, peak_mib = out.stdout.split()
    assert verdict == "ok"
    assert int(peak_mib) < 64


def test_the_hashing_thread_ends_with_the_scan_whatever_the_outcome(
    streamed: None, tmp_path: Path
) -> None:
    import threading

    before = threading.active_count()
    good = tmp_path / "good.txt"
    good.write_bytes(_stamped("Caf\u00e9 \u201cquoted\u201d.\nSecond line."))
    binary = tmp_path / "binary.txt"
    binary.write_bytes(_stamped("Text.") + b"\x00" + _stamped("More."))
    invalid = tmp_path / "invalid.txt"
    invalid.write_bytes(b"caf\xe9\n" + _stamped("Text."))
    assert check_file(good).verdict.value == "ok"
    assert check_file(binary).verdict.value == "unreadable"
    assert check_file(invalid).verdict.value == "unreadable"
    assert threading.active_count() == before


def test_background_hash_gives_the_digest_of_what_was_submitted() -> None:
    from provenance.fingerprint import BackgroundHash, new_hash

    pieces = [b"a" * 5000, memoryview(b"b" * 3000)[:2000], b"", b"c"]
    background = BackgroundHash(new_hash())
    for piece in pieces:
        background.submit([piece])
    background.submit([])
    expected = hashlib.md5(b"a" * 5000 + b"b" * 2000 + b"c").hexdigest()
    assert background.hexdigest() == expected
    assert background.hexdigest() == expected  # A second read changes nothing.


def test_background_hash_hands_a_hashing_error_to_the_caller() -> None:
    from provenance.fingerprint import BackgroundHash, new_hash

    background = BackgroundHash(new_hash())
    background.submit([b"fine"])
    background.submit(["not bytes"])  # type: ignore[list-item]
    background.submit([b"more"])  # Taken and dropped: the caller never blocks.
    with pytest.raises(TypeError):
        background.hexdigest()
