"""Records (issue 19): an article of 10,000 paragraphs with 100 edits, checked against its record.

Run with ``uv run pytest benchmarks/test_records_bench.py --benchmark-only``. The bar is "well
under a second" for the whole check (read the record, digest the current text, align); the
alignment alone is measured beside it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from provenance import align, record
from provenance.keys import load_private_key
from provenance.recorded import check_record, make_record

ROOT = Path(__file__).resolve().parent.parent
PARAGRAPHS = 10_000
EDITS = 100


def _articles() -> tuple[bytes, bytes]:
    """An article of PARAGRAPHS unique paragraphs, and a copy with EDITS changes, inserts and
    deletions spread over it (a third each)."""
    rng = random.Random(19)
    body = [
        f"Paragraph {i}: " + " ".join(rng.choice("abcdefgh") * 5 for _ in range(12))
        for i in range(PARAGRAPHS)
    ]
    edited = list(body)
    for n, at in enumerate(sorted(rng.sample(range(PARAGRAPHS), EDITS), reverse=True)):
        if n % 3 == 0:
            edited[at] = edited[at] + " (corrected)"
        elif n % 3 == 1:
            edited.insert(at, f"Inserted paragraph {n}.")
        else:
            del edited[at]
    notice = "Copyright ©2026 Example News, Inc. All Rights Reserved."
    return ("\n".join([*body, notice]) + "\n").encode(), (
        "\n".join([*edited, notice]) + "\n"
    ).encode()


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, str]:
    original, edited = _articles()
    key = load_private_key(ROOT / "fixtures" / "sshsig" / "ed25519")
    folder = tmp_path_factory.mktemp("records")
    path = folder / "big.txt.prov"
    path.write_bytes(make_record(original, key, now=datetime(2026, 1, 1, tzinfo=UTC)))
    return edited, str(path)


def test_check_10000_paragraphs_100_edits(benchmark: Any, case: tuple[bytes, str]) -> None:
    edited, path = case
    benchmark.group = "records"
    checked = benchmark(check_record, edited, path)
    assert checked.matches is False and len(checked.changes) == EDITS


def test_align_10000_paragraphs_100_edits(benchmark: Any) -> None:
    original, edited = (record.article_digests(data) for data in _articles())
    benchmark.group = "records"
    found = benchmark(align.changes, original.paragraphs, edited.paragraphs, edited.lines)
    assert len(found) == EDITS
