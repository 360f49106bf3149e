"""Parallel verify: same results, same order, inference over the whole run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from provenance import parallel
from provenance.engine import Plain
from provenance.model import Canonicalization, Result, Verdict
from provenance.verify import VerifyOptions, check_paths

NOTICE = "Copyright ©2022 Example News, Inc. All Rights Reserved."


def _folder(root: Path, count: int) -> None:
    for index in range(count):
        covered = f"Article {index}: “quoted” café.\n{NOTICE}".encode()
        token = hashlib.md5(covered).hexdigest()
        if index % 97 == 5:
            token = "0123456789abcdef0123456789abcdef"  # Shared by files whose texts differ.
        elif index % 50 == 7:
            covered = covered.replace(b"Article", b"Altered")  # Tampered after stamping.
        (root / f"{index // 100:02d}").mkdir(exist_ok=True)
        (root / f"{index // 100:02d}" / f"a{index:04d}.txt").write_bytes(
            covered + f" {token}\n".encode()
        )


@pytest.mark.parametrize("jobs", [2, 3])
def test_parallel_gives_the_results_of_one_process_in_order(tmp_path: Path, jobs: int) -> None:
    count = 3 * parallel.BATCH + 17
    _folder(tmp_path, count)
    seen: list[Result] = []
    one = check_paths([str(tmp_path)], VerifyOptions(jobs=1))
    two = check_paths([str(tmp_path)], VerifyOptions(jobs=jobs), on_result=seen.append)
    assert two == one
    assert len(two) == count
    assert [r.path for r in seen] == sorted(r.path for r in seen)
    verdicts = {r.verdict for r in two}
    # The shared token spans batches handled by different workers; inference still sees it.
    assert verdicts == {Verdict.OK, Verdict.MISMATCH, Verdict.UNVERIFIABLE}


def test_a_run_of_fewer_files_than_two_batches_starts_no_worker(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a small run started worker processes")

    monkeypatch.setattr(parallel, "check_parallel", no_pool)
    _folder(tmp_path, 2 * parallel.BATCH - 1)
    assert len(check_paths([str(tmp_path)], VerifyOptions(jobs=8))) == 2 * parallel.BATCH - 1
    _folder(tmp_path, 2 * parallel.BATCH)
    with pytest.raises(AssertionError, match="started worker processes"):
        check_paths([str(tmp_path)], VerifyOptions(jobs=8))


def test_workers_send_back_every_field_but_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows workers send are rebuilt into the very Result the caller would have made."""
    _folder(tmp_path, 3)
    targets = [(str(p), f"shown/{p.name}", None, True) for p in sorted(tmp_path.rglob("*.txt"))]
    targets.append(("missing", "shown/missing", "cannot list folder: gone", False))
    # What _init_worker sets in a worker, set here for this test only (and without the
    # worker's SIGINT handling, which this process must keep).
    monkeypatch.setattr(parallel, "_tokens", None)
    for canonicalization in Canonicalization:
        monkeypatch.setattr(parallel, "_canonicalization", canonicalization)
        paths = [(path, True) for path, _, error, _ in targets if error is None]
        rows = parallel._worker_batch(paths)
        # A plain article that verifies comes back as two fields, not a whole row.
        assert any(isinstance(row, Plain) for row in rows)
        rebuilt = list(parallel._rebuild(targets, rows, canonicalization))
        assert rebuilt == list(parallel.check_each(targets, canonicalization, None))


def _no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing.context

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.context.BaseContext, "Pool", refuse)


def test_a_run_that_cannot_start_workers_checks_everything_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _folder(tmp_path, 2 * parallel.BATCH + 3)
    expected = check_paths([str(tmp_path)], VerifyOptions(jobs=1))
    _no_processes(monkeypatch)
    assert check_paths([str(tmp_path)], VerifyOptions(jobs=2)) == expected


def test_a_sealed_folder_whose_workers_cannot_start_is_checked_by_one_thread(
    sealed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance.sealed import check_sealed_folder

    expected = check_sealed_folder(sealed).results
    _no_processes(monkeypatch)
    assert check_sealed_folder(sealed, VerifyOptions(jobs=2)).results == expected


def test_workers_leave_out_the_line_of_an_ok_result_only_when_told(tmp_path: Path) -> None:
    count = 3 * parallel.BATCH + 17
    _folder(tmp_path, count)
    full = check_paths([str(tmp_path)], VerifyOptions(jobs=2))
    bare = check_paths([str(tmp_path)], VerifyOptions(jobs=2, lines=False))
    assert all(r.line == 2 for r in full)
    assert [r.verdict for r in bare] == [r.verdict for r in full]
    assert {r.line for r in bare if r.verdict is Verdict.OK} == {None}
    assert {r.line for r in bare if r.verdict is Verdict.MISMATCH} == {2}


def test_footer_checks_of_one_job_check_each_text_when_it_is_submitted() -> None:
    # One job: no worker process, and the same result the plain check gives, at once.
    from provenance.engine import check_bytes

    data = hashlib.md5(b"x").hexdigest().encode()  # Any bytes: a text without a footer.
    with parallel.footer_checks(VerifyOptions(jobs=1)) as checker:
        assert isinstance(checker, parallel.InlineChecker)
        result = checker.submit(data, "a.txt")
        checker.flush()
    assert result == check_bytes(data, "a.txt")
