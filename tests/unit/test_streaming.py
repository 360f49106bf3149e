"""Large files are streamed: same results as reading them whole, bounded memory."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from provenance import _stream, verify
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
    monkeypatch.setattr(verify, "STREAM_THRESHOLD", 0)
    monkeypatch.setattr(_stream, "CHUNK", 7)


def _both(path: Path) -> tuple[object, object]:
    return check_bytes(path.read_bytes(), str(path)), check_file(path)


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.*")), ids=lambda p: p.name)
def test_streamed_fixture_gives_the_same_result(path: Path, streamed: None) -> None:
    whole, streamed_result = _both(path)
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


def _fast(data: bytes, chunk: int, piece: int, covered_end: int | None = None) -> object:
    import io

    from provenance.model import Algorithm, Canonicalization

    end = len(data) if covered_end is None else covered_end
    old = _stream.CHUNK, _stream.PIECE
    _stream.CHUNK, _stream.PIECE = chunk, piece
    try:
        plan = _stream.Plan(end, end, Algorithm.MD5, Canonicalization.RELAXED)
        return _stream.fast_scan(io.BufferedReader(io.BytesIO(data)), len(data), plan)  # type: ignore[arg-type]
    finally:
        _stream.CHUNK, _stream.PIECE = old


PLAIN = "“Quoted” — café, Zoë and 中文.\nSecond line – with ’apostrophes’…\nLast"


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 64, 4096])
@pytest.mark.parametrize("piece", [1, 2, 7, 4096])
def test_fast_scan_takes_plain_canonical_text_at_any_border(chunk: int, piece: int) -> None:
    data = PLAIN.encode()
    assert _fast(data, chunk, piece) == (2, hashlib.md5(data).hexdigest())


@pytest.mark.parametrize(
    "text",
    [
        "trailing blank \nnext",
        "trailing tab\t\nnext",
        "crlf\r\nnext",
        "\ufeffleading BOM",
        "NFD e\u0301",
        "zero\u200bwidth",
        "bidi \u202e",
        "NUL \x00 byte",
    ],
)
@pytest.mark.parametrize("chunk", [1, 3, 4096])
def test_fast_scan_leaves_anything_else_to_the_general_scan(text: str, chunk: int) -> None:
    assert _fast(text.encode(), chunk, 2) is None


@pytest.mark.parametrize("data", [b"caf\xe9", b"\xe2\x80", b"ok \xe2\x80\x9c\xe2"])
def test_fast_scan_leaves_invalid_utf8_to_the_general_scan(data: bytes) -> None:
    for chunk in (1, 2, 4096):
        assert _fast(data, chunk, 3) is None


def test_fast_scan_checks_canonical_rules_on_the_covered_text_only() -> None:
    data = b"Covered text. trailer \n"
    assert _fast(data, 4, 4, covered_end=13) == (0, hashlib.md5(b"Covered text.").hexdigest())


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split every streamed file between this process and a forked one."""
    monkeypatch.setattr(verify, "STREAM_THRESHOLD", 0)
    monkeypatch.setattr(_stream, "SPLIT_MIN", 0)
    monkeypatch.setattr(_stream, "CHUNK", 64)
    monkeypatch.setattr(_stream, "PIECE", 16)


def _no_children_left() -> bool:
    import os

    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_split_file_gives_the_same_result_and_leaves_no_child(
    tmp_path: Path, split: None
) -> None:
    data = _stamped(PLAIN * 40)
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    result = check_file(path, jobs=2)
    assert result.verdict.value == "ok"
    assert result == check_bytes(data, str(path))
    assert _no_children_left()


def test_a_split_whose_child_fails_falls_back_to_the_general_scan(
    tmp_path: Path, split: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("the child fails")

    monkeypatch.setattr(_stream, "_hash_and_check", crash)
    data = _stamped(PLAIN * 40)
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    assert check_file(path, jobs=2) == check_bytes(data, str(path))
    assert _no_children_left()


def test_a_split_stops_its_child_when_this_side_finds_a_doubt(tmp_path: Path, split: None) -> None:
    data = _stamped("A trailing blank \n" + PLAIN * 40)
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    assert check_file(path, jobs=2) == check_bytes(data, str(path))
    assert _no_children_left()


def test_a_split_that_cannot_fork_is_done_in_one_process(
    tmp_path: Path, split: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os
    import signal

    def no_fork() -> int:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    data = _stamped(PLAIN * 40)
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    fds = len(os.listdir("/proc/self/fd"))
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    monkeypatch.setattr(os, "fork", no_fork)
    assert check_file(path, jobs=2) == check_bytes(data, str(path))
    assert len(os.listdir("/proc/self/fd")) == fds  # The pipe was closed.
    assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == mask  # Signals unblocked.
