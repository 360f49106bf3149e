"""Checking many files on several cores: batches out, results back in order.

Files go to worker processes in batches (one task per file would cost more in messages
than the check itself for an 8 KB article), and the batches come back in the order they
were sent, so results stream to the caller in walk order. Inference of publisher tokens
needs every result of the run and stays with the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from provenance.model import Canonicalization, Result, Verdict
from provenance.tokens import TokenRegistry

#: Files per task sent to a worker.
BATCH = 256

# Set in each worker process by _init_worker.
_canonicalization = Canonicalization.RELAXED
_tokens: TokenRegistry | None = None


def _init_worker(canonicalization: Canonicalization, tokens: dict[str, str] | None) -> None:
    global _canonicalization, _tokens
    _canonicalization = canonicalization
    _tokens = TokenRegistry(tokens) if tokens is not None else None


def check_each(
    targets: Iterable[tuple[str, str, str | None]],
    canonicalization: Canonicalization,
    tokens: TokenRegistry | None,
) -> Iterator[Result]:
    """Check (path, display, listing error) targets in this process, yielding in order."""
    from provenance.verify import check_file

    for path, display, error in targets:
        if error is not None:
            yield Result(display, Verdict.UNREADABLE, error)
        else:
            yield check_file(
                path, canonicalization=canonicalization, tokens=tokens, display=display
            )


def _worker_batch(batch: list[tuple[str, str, str | None]]) -> list[Result]:
    return list(check_each(batch, _canonicalization, _tokens))


def _batches(
    targets: Iterable[tuple[str, str, str | None]], size: int
) -> Iterator[list[tuple[str, str, str | None]]]:
    iterator = iter(targets)
    while batch := list(islice(iterator, size)):
        yield batch


def check_parallel(
    targets: Iterable[tuple[str, str, str | None]],
    jobs: int,
    canonicalization: Canonicalization,
    tokens: TokenRegistry | None,
) -> Iterator[Result]:
    """Check targets in ``jobs`` worker processes; yield results in the order of ``targets``."""
    import multiprocessing

    plain = dict(tokens.tokens) if tokens is not None else None
    # fork where the platform has it: workers start in a millisecond and inherit the
    # imported modules; elsewhere the default start method.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with context.Pool(jobs, initializer=_init_worker, initargs=(canonicalization, plain)) as pool:
        for results in pool.imap(_worker_batch, _batches(targets, BATCH)):
            yield from results
