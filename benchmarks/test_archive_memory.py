"""Peak memory of checking crafted archive bombs, beside the speed benchmarks.

Run with ``uv run pytest benchmarks/test_archive_memory.py --benchmark-only``. Each case
builds its archive (about a MB) in a second or two, checks it once, records the peak of
Python's allocations (``tracemalloc``) as ``peak_bytes`` in the benchmark's extra info, and
asserts it stays under :data:`BOUND`: a header bomb is refused before it is read, and a
member is streamed in 1 MiB blocks whatever it expands to. docs/performance.md has figures.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from provenance.archive import check_archive
from tests.conftest import article
from tests.craft import END, gzip_of_repeats, header_bomb, tar_header, tar_member

MIB = 1 << 20
#: The most a check of any case may allocate.
BOUND = 16 * MIB


def _members(count: int) -> bytes:
    data = article().data()
    return b"".join(tar_member(f"issue/a{i}.txt", data) for i in range(count)) + END


CASES: dict[str, Callable[[], bytes]] = {
    # GNU long name of 1 GiB in a 1 MB tar.gz (before: read into memory, about 3 GB).
    "long-name-1GiB": lambda: header_bomb(b"L", 1024 * MIB, tar_member("a.txt", b"x")),
    # pax header of 512 MiB in a tar.gz of half a MB.
    "pax-512MiB": lambda: header_bomb(b"x", 512 * MIB, tar_member("a.txt", b"x")),
    # A member of 300 MiB of zeros: streamed, left at the 256 MiB member cap.
    "member-300MiB": lambda: gzip_of_repeats(
        [(tar_header("zeros.bin", size=300 * MIB), 1), (b"\0" * MIB, 300), (END, 1)]
    ),
    # An ordinary archive: 2,000 articles.
    "articles-2000": lambda: gzip_of_repeats([(_members(2000), 1)]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_archive_peak_memory(benchmark: Any, tmp_path: Path, case: str) -> None:
    path = tmp_path / "case.tar.gz"
    path.write_bytes(CASES[case]())

    def check() -> int:
        tracemalloc.start()
        try:
            check_archive(path)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    benchmark.group = "archive peak memory"
    peak = benchmark.pedantic(check, rounds=1, iterations=1)
    benchmark.extra_info["archive_bytes"] = path.stat().st_size
    benchmark.extra_info["peak_bytes"] = peak
    assert peak < BOUND, peak
