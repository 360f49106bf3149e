"""Checking many files on several cores: batches out, results back in order.

Files go to worker processes in batches (one task per file would cost more in messages
than the check itself for an 8 KB article), and the batches come back in the order they
were sent, so results stream to the caller in walk order. Inference of publisher tokens
needs every result of the run and stays with the caller.

With ``jobs`` N, N - 1 worker processes check batches and the calling process checks
batches too, whenever the oldest batch it sent out is not back yet: it has to be on a core
anyway (walking folders, receiving results, reporting), and a batch checked where the
results are wanted costs no messages at all. Workers send each result back as a plain tuple
of its fields, without the path (the caller knows it), and the caller rebuilds the
:class:`~provenance.model.Result`: pickling a frozen dataclass field by field cost more than
half of what checking a small file costs.
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING

from provenance.engine import (
    Plain,
    check_bytes,
    check_bytes_outcome,
    check_file,
    check_file_outcome,
    outcome_result,
)
from provenance.model import (
    Canonicalization,
    Result,
    ResultRow,
    result_from_row,
    result_row,
)
from provenance.tokens import TokenRegistry

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

    from provenance.options import VerifyOptions

#: Files per task sent to a worker.
BATCH = 256
#: Batches sent out ahead per worker, so that a worker never waits for the caller.
AHEAD = 3
#: A batch of texts (:class:`TextChecker`) goes out once it holds this many bytes.
BATCH_BYTES = 8 * 1024 * 1024

#: (path to open, path to show, listing error, listed as a regular file by a folder walk):
#: one file of a run (see :func:`provenance.engine.check_file` for ``listed``).
Target = tuple[str, str, str | None, bool]

# Set in each worker process by _init_worker.
_canonicalization = Canonicalization.RELAXED
_tokens: TokenRegistry | None = None
_c2pa_trust: str | None = None
_lines = True


def _init_worker(
    canonicalization: Canonicalization,
    tokens: dict[str, str] | None,
    c2pa_trust: str | None,
    lines: bool = True,
) -> None:
    global _canonicalization, _tokens, _c2pa_trust, _lines
    # A Ctrl-C reaches every process of the terminal's group. A worker that took it would die
    # printing a traceback of its own; the parent alone acts on it (it terminates the pool).
    # The worker was forked with SIGINT blocked (see _start_pool), so one that came before
    # this line is discarded here rather than delivered.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _canonicalization = canonicalization
    _tokens = TokenRegistry(tokens) if tokens is not None else None
    _c2pa_trust = c2pa_trust
    _lines = lines


def _start_pool(
    processes: int,
    canonicalization: Canonicalization,
    tokens: TokenRegistry | None,
    c2pa_trust: str | None,
    lines: bool = True,
) -> Pool:
    """A pool of ``processes`` workers set up by :func:`_init_worker`; OSError if none starts.

    The workers (and the pool's threads, which fork replacements) are started with SIGINT
    blocked: a Ctrl-C during start-up waits in the parent until the pool exists, so that the
    parent's clean-up finds every worker to terminate.
    """
    import multiprocessing

    plain = dict(tokens.tokens) if tokens is not None else None
    # fork where the platform has it: workers start in a millisecond and inherit the
    # imported modules; elsewhere the default start method.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return context.Pool(
            processes,
            initializer=_init_worker,
            initargs=(canonicalization, plain, c2pa_trust, lines),
        )
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def check_each(
    targets: Iterable[Target],
    canonicalization: Canonicalization,
    tokens: TokenRegistry | None,
    c2pa_trust: str | None = None,
    lines: bool = True,
) -> Iterator[Result]:
    """Check (path, display, listing error, listed) targets in this process, in order
    (``c2pa_trust``: the ``--c2pa-trust`` anchors, PEM; ``lines``: as
    :func:`provenance.engine.check_file`)."""
    for path, display, error, listed in targets:
        if error is not None:
            yield Result.unreadable(display, error)
        else:
            yield check_file(
                path,
                canonicalization=canonicalization,
                tokens=tokens,
                display=display,
                listed=listed,
                c2pa_trust=c2pa_trust,
                lines=lines,
            )


#: What a worker sends back for one file: a plain article that verifies as it is (two
#: fields), any other result as every field but its path (the caller knows it).
Row = Plain | ResultRow


def _row(outcome: Plain | Result) -> Row:
    return outcome if isinstance(outcome, Plain) else result_row(outcome)


def _from_row(display: str, row: Row, canonicalization: Canonicalization) -> Result:
    """The :class:`Result` at ``display`` of a row a worker sent."""
    if isinstance(row, Plain):
        return outcome_result(row, display, canonicalization)
    return result_from_row(display, row)


def _worker_batch(paths: list[tuple[str, bool]]) -> list[Row]:
    """Check (path, listed) files in a worker: a :data:`Row` for each."""
    canonicalization, tokens, c2pa_trust = _canonicalization, _tokens, _c2pa_trust
    return [
        _row(
            check_file_outcome(
                path,
                canonicalization=canonicalization,
                tokens=tokens,
                display="",
                listed=listed,
                c2pa_trust=c2pa_trust,
                lines=_lines,
            )
        )
        for path, listed in paths
    ]


def _rebuild(
    batch: list[Target], rows: list[Row], canonicalization: Canonicalization
) -> Iterator[Result]:
    """The results of a batch checked by a worker, from the rows it sent back."""
    row = iter(rows)
    for _, display, error, _ in batch:
        if error is not None:
            yield Result.unreadable(display, error)
        else:
            yield _from_row(display, next(row), canonicalization)


def _batches(targets: Iterable[Target], size: int) -> Iterator[list[Target]]:
    iterator = iter(targets)
    while batch := list(islice(iterator, size)):
        yield batch


def check_parallel(
    targets: Iterable[Target],
    jobs: int,
    canonicalization: Canonicalization,
    tokens: TokenRegistry | None,
    c2pa_trust: str | None = None,
    lines: bool = True,
) -> Iterator[Result]:
    """Check targets on ``jobs`` cores; yield results in the order of ``targets``.

    ``jobs - 1`` worker processes take batches; this process checks one itself whenever the
    oldest batch out is not back yet, so no core waits while there is work.
    """
    workers = max(1, jobs - 1)
    try:
        pool = _start_pool(workers, canonicalization, tokens, c2pa_trust, lines)
    except OSError:  # No process to spare (fork failed): this one checks everything.
        yield from check_each(targets, canonicalization, tokens, c2pa_trust, lines)
        return
    batches = _batches(targets, BATCH)
    # Each slot is a batch and either its results (checked here) or the worker's answer.
    slots: deque[tuple[list[Target], list[Result] | AsyncResult[list[Row]]]]
    slots = deque()
    out = 0  # Batches at the workers.
    more = True
    with pool:
        while True:
            while more and out < AHEAD * workers:
                batch = next(batches, None)
                if batch is None:
                    more = False
                    break
                paths = [(path, listed) for path, _, error, listed in batch if error is None]
                slots.append((batch, pool.apply_async(_worker_batch, (paths,))))
                out += 1
            if not slots:
                return
            batch, answer = slots[0]
            if isinstance(answer, list):
                slots.popleft()
                yield from answer
            elif answer.ready() or not more:
                rows = answer.get()
                slots.popleft()
                out -= 1
                yield from _rebuild(batch, rows, canonicalization)
            else:
                # The oldest batch out is not back yet: check the next one here meanwhile.
                batch = next(batches, None)
                if batch is None:
                    more = False
                else:
                    here = check_each(batch, canonicalization, tokens, c2pa_trust, lines)
                    slots.append((batch, list(here)))


def _worker_texts(texts: list[bytes]) -> list[Row]:
    """Check texts held in memory in a worker: a :data:`Row` for each."""
    canonicalization, tokens, c2pa_trust = _canonicalization, _tokens, _c2pa_trust
    return [
        _row(
            check_bytes_outcome(
                data, "", canonicalization=canonicalization, tokens=tokens, c2pa_trust=c2pa_trust
            )
        )
        for data in texts
    ]


class Pending:
    """A text handed to :class:`TextChecker`, whose result is not known yet."""

    __slots__ = ("batch", "index", "shown")

    def __init__(self, batch: _TextBatch, index: int, shown: str) -> None:
        self.batch, self.index, self.shown = batch, index, shown

    def result(self) -> Result:
        """The text's result (waits for its batch)."""
        batch = self.batch
        return _from_row(self.shown, batch.rows()[self.index], batch.canonicalization)


class _TextBatch:
    __slots__ = ("_rows", "answer", "canonicalization", "texts")

    def __init__(self, canonicalization: Canonicalization) -> None:
        self.canonicalization = canonicalization
        self.texts: list[bytes] = []
        self.answer: AsyncResult[list[Row]] | None = None
        self._rows: list[Row] | None = None

    def rows(self) -> list[Row]:
        if self._rows is None:
            assert self.answer is not None, "TextChecker.flush() was not called"
            self._rows = self.answer.get()
        return self._rows


def footer_checks(options: VerifyOptions) -> TextChecker | InlineChecker:
    """The footer checks of a walk that holds each text in memory (a sealed folder, a bag, an
    archive): on ``options.jobs`` worker processes, or on this thread for one job (or when no
    process can be started). Either way :meth:`~TextChecker.submit` takes a text; use the
    result as a context manager and call ``flush()`` once the walk is done."""
    checker = TextChecker.start(
        options.jobs, options.canonicalization, options.tokens, options.c2pa_trust
    )
    return checker if checker is not None else InlineChecker(options)


class InlineChecker:
    """The one-job counterpart of :class:`TextChecker`: each text is checked when submitted."""

    def __init__(self, options: VerifyOptions) -> None:
        self._options = options

    def submit(self, data: bytes, shown: str) -> Result:
        options = self._options
        return check_bytes(
            data,
            shown,
            canonicalization=options.canonicalization,
            tokens=options.tokens,
            c2pa_trust=options.c2pa_trust,
        )

    def flush(self) -> None:
        """Nothing waits: every text was checked when it was submitted."""

    def __enter__(self) -> InlineChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class TextChecker:
    """Footer checks of texts held in memory, on worker processes, in batches.

    For a walk that reads each file once on one thread (a sealed folder: the bytes it hashes
    are the bytes it checks): :meth:`submit` takes a text and gives back a :class:`Pending`
    at once; batches go to the workers as they fill, at most :data:`AHEAD` per worker at a
    time (the submitting thread waits for a free one), so memory stays bounded. Create it
    before any other thread starts (its workers are forked), call :meth:`flush` once the
    walk is done, then read the results; use it as a context manager.
    """

    @classmethod
    def start(
        cls,
        jobs: int,
        canonicalization: Canonicalization,
        tokens: TokenRegistry | None,
        c2pa_trust: str | None = None,
    ) -> TextChecker | None:
        """A checker with ``jobs`` workers; ``None`` for one job, or when no process can be
        started (the caller then checks the texts itself)."""
        if jobs <= 1:
            return None
        try:
            return cls(jobs, canonicalization, tokens, c2pa_trust)
        except OSError:
            return None

    def __init__(
        self,
        jobs: int,
        canonicalization: Canonicalization,
        tokens: TokenRegistry | None,
        c2pa_trust: str | None = None,
    ) -> None:
        import threading

        self._pool = _start_pool(jobs, canonicalization, tokens, c2pa_trust)
        self._slots = threading.BoundedSemaphore(AHEAD * jobs)
        self._lock = threading.Lock()
        self._canonicalization = canonicalization
        self._batch = _TextBatch(canonicalization)
        self._bytes = 0

    def submit(self, data: bytes, shown: str) -> Pending:
        """Queue ``data`` (shown as ``shown``) for checking."""
        with self._lock:  # A walk may hash (and so submit) on several threads.
            batch = self._batch
            pending = Pending(batch, len(batch.texts), shown)
            batch.texts.append(data)
            self._bytes += len(data)
            if len(batch.texts) >= BATCH or self._bytes >= BATCH_BYTES:
                self._send()
        return pending

    def _send(self) -> None:
        batch, self._batch, self._bytes = self._batch, _TextBatch(self._canonicalization), 0
        self._slots.acquire()
        batch.answer = self._pool.apply_async(
            _worker_texts,
            (batch.texts,),
            callback=lambda _: self._slots.release(),
            error_callback=lambda _: self._slots.release(),
        )
        batch.texts = []  # The pool has pickled them: the memory can go.

    def flush(self) -> None:
        """Send the last, partial batch."""
        if self._batch.texts:
            self._send()

    def __enter__(self) -> TextChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.terminate()
        self._pool.join()
