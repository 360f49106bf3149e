"""Where a verify run's report goes: stdout or ``--output FILE``, streaming, colours, progress.

The command builds a :class:`VerifyOutput`, passes its :meth:`~VerifyOutput.on_result` to
:func:`provenance.verify.check_paths`, and returns :meth:`~VerifyOutput.finish`'s exit status.
The report text itself comes from :mod:`provenance.report`; this module only decides where
it is written and when.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

from provenance import report
from provenance.cli import EXIT_FAILED, EXIT_OK
from provenance.model import Result, Summary

#: A progress bar appears only once a run has taken this long (seconds).
PROGRESS_DELAY = 1.0
#: And is redrawn at most this often (seconds).
PROGRESS_INTERVAL = 0.1


#: ``--color`` values: ``auto`` decides from the environment and the stream.
COLOR_MODES = ("auto", "always", "never")


def wants_color(
    stream: TextIO, environ: Mapping[str, str] | None = None, mode: str = "auto"
) -> bool:
    """Whether the report on ``stream`` is painted with ANSI colours.

    ``--color always`` or ``never`` decides alone. With ``auto``, in this order: ``NO_COLOR``
    set (non-empty) means no colours, ``FORCE_COLOR`` set (non-empty: a CI log that shows
    them) means colours, ``TERM=dumb`` (a terminal that cannot show them) means none, and
    otherwise colours exactly when the stream is a terminal.

    >>> import io
    >>> wants_color(io.StringIO(), {}), wants_color(io.StringIO(), {"FORCE_COLOR": "1"})
    (False, True)
    >>> wants_color(io.StringIO(), {"FORCE_COLOR": "1"}, mode="never")
    False
    """
    if mode != "auto":
        return mode == "always"
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    return _isatty(stream)


class Progress:
    """A one-line progress bar on a terminal, drawn only after :data:`PROGRESS_DELAY`.

    Nothing is drawn when the stream is not a terminal (CI logs stay clean) or when the run
    ends sooner. ``clock`` is injectable for tests.
    """

    def __init__(
        self,
        stream: TextIO,
        total: int | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        enabled: bool | None = None,
    ) -> None:
        self.stream = stream
        self.total = total
        self.clock = clock
        self.enabled = _isatty(stream) if enabled is None else enabled
        self.started = clock()
        self.done = 0
        self.failed = 0
        self.drawn = False
        self._last_draw = 0.0

    def tick(self, failed: bool = False) -> None:
        """Count one more file and redraw when it is time to."""
        self.done += 1
        self.failed += failed
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < PROGRESS_DELAY:
            return
        if self.drawn and now - self._last_draw < PROGRESS_INTERVAL:
            return
        self._last_draw = now
        self.stream.write("\r" + self.line(now - self.started) + "\x1b[K")
        self.stream.flush()
        self.drawn = True

    def line(self, elapsed: float, width: int = 30) -> str:
        """The bar's text: files done (of how many), failing, rate, time taken and time left.

        >>> import io
        >>> progress = Progress(io.StringIO(), 500, clock=lambda: 0.0)
        >>> progress.done, progress.failed = 120, 2
        >>> progress.line(3.0, width=10)
        '[##........]  120/500 files  2 failing  40 files/s  3.0 s, about 10 s left'
        """
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if self.total:
            filled = min(width, width * self.done // self.total)
            bar = "[" + "#" * filled + "." * (width - filled) + "]"
            count = f"{self.done}/{self.total} files"
        else:
            bar = ""
            count = f"{self.done} files"
        failing = f"  {self.failed} failing" if self.failed else ""
        left = ""
        if self.total and rate > 0 and self.done < self.total:
            remaining = (self.total - self.done) / rate
            left = f", about {_duration(remaining)} left" if remaining >= 1 else ", under 1 s left"
        return f"{bar}  {count}{failing}  {rate:,.0f} files/s  {elapsed:.1f} s{left}".lstrip()

    def clear(self) -> None:
        """Erase the bar (before other output, and at the end)."""
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False


def _duration(seconds: float) -> str:
    """A rough duration for a person: ``8 s``, ``3 min 05 s``, ``2 h 07 min``.

    >>> _duration(7.6), _duration(185), _duration(7625)
    ('8 s', '3 min 05 s', '2 h 07 min')
    """
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def render(
    fmt: str,
    results: Sequence[Result],
    summary: Summary,
    *,
    streamed: Sequence[Result] | None = None,
    quiet: bool = False,
    verbose: bool = False,
    color: bool = False,
) -> str:
    """The report of a verify run in ``fmt``: one of :data:`FORMATS`, by the renderers of
    :mod:`provenance.report` and :mod:`provenance.ci_report` (here, above both: the CI
    renderers build on the plain ones, never the other way round).

    ``quiet``, ``verbose`` and ``color`` shape the text report (``quiet`` also the github
    one); the machine formats are always complete.
    """
    if fmt == "text":
        return report.text_report(results, summary, quiet=quiet, verbose=verbose, color=color)
    if fmt == "json":
        return report.json_report(results, summary)
    if fmt == "github":
        return report.github_report(results, summary, quiet=quiet)
    if fmt == "junit":
        return report.junit_report(results, summary)
    if fmt == "jsonl":
        return report.jsonl_report(results if streamed is None else streamed, results, summary)
    if fmt in ("markdown", "codequality"):
        from provenance import ci_report  # Only these two formats need it.

        if fmt == "markdown":
            return ci_report.markdown_report(results, summary)
        return ci_report.codequality_report(results, summary)
    raise ValueError(f"unknown report format {fmt!r}")


#: The formats :func:`render` knows, in the order ``--help`` lists them.
FORMATS = ("text", "json", "github", "junit", "jsonl", "markdown", "codequality")


class VerifyOutput:
    """The output side of one ``provenance verify`` run."""

    def __init__(
        self,
        *,
        fmt: str,
        strict: bool,
        require_signature: bool = False,
        require_c2pa: bool = False,
        signatures_checked: bool = True,
        allow_empty: bool = False,
        output: str | None = None,
        markdown_summary: str | None = None,
        quiet: bool = False,
        verbose: bool = False,
        color: str = "auto",
        total: Callable[[], int] | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fmt = fmt
        self.strict = strict
        self.require_signature = require_signature
        self.require_c2pa = require_c2pa
        self.signatures_checked = signatures_checked
        self.allow_empty = allow_empty
        self.output = output
        self.markdown_summary = markdown_summary
        self.quiet = quiet
        self.verbose = verbose
        self.color = color
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.clock = clock
        self.started = clock()
        self.streamed: list[Result] = []
        # JSON Lines go out as each file is verified, unless the report goes to a file
        # (written whole and atomically at the end).
        self.streaming = fmt == "jsonl" and output is None
        show_progress = not quiet and _isatty(self.stderr)
        self.progress = Progress(
            self.stderr,
            total() if show_progress and total is not None else None,
            clock=clock,
            enabled=show_progress,
        )

    def on_result(self, result: Result) -> None:
        """Pass to ``check_paths(on_result=...)``."""
        self.streamed.append(result)
        if self.streaming:
            self.progress.clear()
            self._write(self.stdout, report.jsonl_result(result))
        progress = self.progress
        # Whether it failed is only ever drawn: a run without a bar does not ask.
        progress.tick(
            progress.enabled
            and result.failed(
                strict=self.strict,
                require_signature=self.require_signature,
                require_c2pa=self.require_c2pa,
            )
        )

    def finish(self, results: Sequence[Result]) -> int:
        """Write the report (and the summary line when it went to a file); the exit status."""
        self.progress.clear()
        elapsed = self.clock() - self.started
        summary = Summary.of(
            results,
            strict=self.strict,
            require_signature=self.require_signature,
            require_c2pa=self.require_c2pa,
            signatures_checked=self.signatures_checked,
            allow_empty=self.allow_empty,
        )
        if self.streaming:
            self._write(self.stdout, report.jsonl_tail(self.streamed, results, summary))
        else:
            text = render(
                self.fmt,
                results,
                summary,
                streamed=self.streamed,
                quiet=self.quiet,
                verbose=self.verbose,
                # A report file is painted only when asked (--color always), never by guess.
                color=wants_color(self.stdout, mode=self.color)
                if self.output is None or self.color != "auto"
                else False,
            )
            if self.output is None:
                self._write(self.stdout, text)
            else:
                from provenance.fsio import atomic_write  # Only --output needs it (tempfile).

                atomic_write(self.output, text.encode("utf-8"))
                self._write(self.stdout, report.summary_line(summary) + "\n")
        if self.markdown_summary is not None:
            self._append_summary(self.markdown_summary, results, summary)
        if self.verbose:
            self._write(self.stderr, report.timing_line(summary.total, elapsed) + "\n")
        return EXIT_OK if summary.ok else EXIT_FAILED

    def _append_summary(self, path: str, results: Sequence[Result], summary: Summary) -> None:
        """Append the Markdown report to ``path``, as GitHub's job summary file is written
        (each step appends its own part)."""
        from provenance.ci_report import markdown_report
        from provenance.errors import OperationalError

        text = markdown_report(results, summary, github_annotations=self.fmt == "github")
        try:
            with open(path, "a", encoding="utf-8", errors="replace") as summary_file:
                summary_file.write(text)
        except OSError as exc:
            raise OperationalError(
                f"cannot write the Markdown summary {path}: {exc.strerror or exc}"
            ) from exc

    @staticmethod
    def _write(stream: TextIO, text: str) -> None:
        stream.write(text)
        stream.flush()
