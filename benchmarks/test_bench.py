"""pytest-benchmark: the fingerprint next to raw MD5 on the same bytes, parse, verify.

Run with ``uv run pytest benchmarks --benchmark-only`` (not part of ``pytest tests``).
Each fingerprint benchmark has a ``md5-raw`` twin over the same bytes in the same group,
so the table shows the cost of the canonical form as a ratio to hashing alone.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from pathlib import Path
from typing import Any

import corpus
import pytest

from provenance import fingerprint
from provenance.parsing import parse
from provenance.verify import check_file, check_paths

SIZES = {"8KB": 8 * 1024, "1MB": 1024 * 1024, "64MB": 64 * 1024 * 1024}


def _text(size: int, kind: str) -> bytes:
    """Article-shaped text: ``canonical``; ``rewrite`` (NFD, CRLF and a blank before every
    line end: every rule at work); ``rewrite-crlf`` (CRLF and blanks, but already NFC)."""
    rng = random.Random(size)
    text = corpus.article_text(rng, min(size, 1024 * 1024))
    while len(text.encode()) < size:
        text = text + "\n" + text
    text = text.encode()[:size].decode("utf-8", "ignore").rstrip()
    if kind == "rewrite":
        text = unicodedata.normalize("NFD", text)
    if kind != "canonical":
        text = text.replace("\n", " \r\n")
    return text.encode("utf-8")


@pytest.mark.parametrize("kind", ["canonical", "rewrite", "rewrite-crlf"])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("what", ["fingerprint", "md5-raw"])
def test_fingerprint(benchmark: Any, size: str, kind: str, what: str) -> None:
    data = _text(SIZES[size], kind)
    benchmark.group = f"fingerprint {size} {kind}"
    benchmark.extra_info["bytes"] = len(data)
    if what == "md5-raw":
        benchmark(lambda: hashlib.md5(data, usedforsecurity=False).hexdigest())
    else:
        benchmark(fingerprint.compute, data)


def test_parse_typical_article(benchmark: Any) -> None:
    data, _ = corpus.make_article(random.Random(7), 8400, 0.0)
    benchmark.group = "parse"
    benchmark(parse, data)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    corpus.write_folder(str(root), 1000, 8400, seed=1, noncanonical=0.1)
    return root


@pytest.mark.parametrize("jobs", [1, 2])
def test_verify_1000_files(benchmark: Any, folder: Path, jobs: int) -> None:
    benchmark.group = "verify 1,000 files"
    results = benchmark.pedantic(check_paths, ([str(folder)],), {"jobs": jobs}, rounds=5)
    assert all(r.verdict.value == "ok" for r in results)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.txt"
    corpus.write_big(str(path), 64 * 1024 * 1024, seed=1)
    return path


@pytest.mark.parametrize("what", ["verify-jobs-1", "verify-jobs-2", "md5-raw"])
def test_verify_64mb_file(benchmark: Any, big_file: Path, what: str) -> None:
    """One large canonical article: streamed, and split between two processes with 2 jobs."""
    benchmark.group = "verify one 64 MB file"
    if what == "md5-raw":

        def raw() -> str:
            with big_file.open("rb") as handle:
                return hashlib.file_digest(handle, "md5").hexdigest()

        benchmark.pedantic(raw, rounds=5)
        return
    jobs = 2 if what == "verify-jobs-2" else 1
    result = benchmark.pedantic(check_file, (str(big_file),), {"jobs": jobs}, rounds=5)
    assert result.verdict.value == "ok"


@pytest.mark.parametrize("what", ["screen", "md5-raw"])
def test_findings_screen_8kb(benchmark: Any, what: str) -> None:
    """The deceptive-Unicode and hidden-data screen of an 8 KB article against its MD5.

    ``screen`` is findings.text_warnings, what verify runs on every non-ASCII text (the byte
    screen, then nothing: the article has no candidate).
    """
    from provenance import findings

    data = _text(SIZES["8KB"], "canonical")
    assert not data.isascii() and findings.text_warnings(data) == ()
    benchmark.group = "findings screen 8KB"
    benchmark.extra_info["bytes"] = len(data)
    if what == "md5-raw":
        benchmark(lambda: hashlib.md5(data, usedforsecurity=False).hexdigest())
    else:
        benchmark(findings.text_warnings, data)


@pytest.mark.parametrize("what", ["c2pa-absent", "memchr"])
def test_c2pa_check_typical_article(benchmark: Any, what: str) -> None:
    """The C2PA work every file without a credential pays (docs/performance.md): one memchr
    for U+FEFF's first byte, and the shared C2PA_ABSENT back; ``memchr`` is that search alone."""
    from provenance.credential import check_credential
    from provenance.model import C2PA_ABSENT

    data, _ = corpus.make_article(random.Random(7), 8400, 0.0)
    benchmark.group = "c2pa per file (8 KB article, no credential)"
    if what == "memchr":
        benchmark(data.find, b"\xef")
    else:
        assert check_credential(data, len(data)) is C2PA_ABSENT
        benchmark(check_credential, data, len(data))
