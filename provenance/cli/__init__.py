"""The ``provenance`` command: the only package that imports click, prints or exits.

Each command turns options into one library call, renders the result with
:mod:`provenance.report` and returns an exit status:
0 nothing failed; 1 a verification failed, a verify run checked no file, or a stamp was
refused; 2 usage error;
3 operational error (cannot read or write a file, cannot read a key).
Library modules are imported inside the commands so that ``--version`` and a plain
verify start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import click

from provenance import __version__
from provenance.errors import (
    InputError,
    OperationalError,
    ProvenanceError,
    Refused,
    UnreadableArchive,
    VerificationError,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_OPERATIONAL = 3


def path_param(
    *, exists: bool = True, file_okay: bool = True, dir_okay: bool = True, allow_dash: bool = False
) -> click.Path:
    """A path argument; with ``exists`` it must exist (else a usage error, exit 2).

    ``allow_dash`` lets ``-`` through, for the commands that read it as stdin.

    Whether it can be read is left to the command: click's own test (``readable=True``) would
    make a file the user may not read a usage error, exit 2, where SPEC.md section 4 says a file
    that cannot be read is an operational error, exit 3 (or, for verify, an ``unreadable``
    verdict).
    """
    return click.Path(
        exists=exists,
        file_okay=file_okay,
        dir_okay=dir_okay,
        readable=False,
        allow_dash=allow_dash,
        path_type=str,
    )


def fail(message: str, hint: str | None = None) -> None:
    """Print an error (and a hint) on stderr, one line each."""
    click.echo(f"provenance: error: {shown(message.strip())}", err=True)
    if hint:
        click.echo(f"hint: {shown(hint.strip())}", err=True)


def shown(text: str) -> str:
    """``text`` as the terminal may show it: a name in it can hold any bytes (SPEC.md §5.3).

    A newline in a name stays in the name, as ``\\n``, rather than split the error line.
    """
    from provenance.report import escape  # Only an error or a command's output needs it.

    return escape(text)


def refusal_entry(display: str, exc: ProvenanceError) -> dict[str, Any]:
    """A file ``stamp`` or ``sign --format json`` refused: its error and hint in the report,
    where the text format prints them on stderr."""
    from provenance.report import write_entry

    return write_entry(display, "refused", error=exc.message, hint=exc.hint)


#: ``-`` names stdin where a command reads one article (``verify -``, ``parse -``).
STDIN = "-"


def read_stdin_article() -> bytes:
    """The article piped to ``verify -`` or ``parse -``, at most as large as parse takes."""
    from provenance.fsio import read_stream
    from provenance.parsing import MAX_PARSE_SIZE

    return read_stream(sys.stdin.buffer, "the article on stdin", MAX_PARSE_SIZE)


#: The exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


class _Interrupted(Exception):
    """A Ctrl-C, carried past click's own handler, which would print a blank line first."""


_F = TypeVar("_F", bound=Callable[..., Any])


#: ``--format text|json`` of the commands that write (stamp, sign, seal): the json report is
#: one document on stdout at the end (SPEC.md §6).
FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one report on stdout at the end, refusals in it.",
)


def selection_options(command: _F) -> _F:
    """``--include`` and ``--exclude``: which files a folder walk takes (SPEC.md §4.1)."""
    command = click.option(
        "--exclude", multiple=True, metavar="GLOB", help="Leave out files or folders matching GLOB."
    )(command)
    return click.option(
        "--include",
        multiple=True,
        metavar="GLOB",
        help="Take only files matching GLOB in folders (repeatable; default *.txt, *.md, no "
        "suffix).",
    )(command)


def walk(
    paths: Sequence[str], include: tuple[str, ...], exclude: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    """``(path, display)`` of each file that ``stamp`` or ``sign`` writes for, as verify walks.

    Files named are taken as named; folders are walked as verify walks them (the same
    selector: hidden entries, ``SHA256SUMS`` and ``*.sig`` files never taken, links never
    followed). A folder that cannot be listed stops the run (exit 3).
    """
    from provenance.errors import OperationalError
    from provenance.verify import VerifyOptions, iter_targets

    for target in iter_targets(paths, VerifyOptions(include=include, exclude=exclude)):
        if target.error is not None:
            raise OperationalError(f"{target.display}: {target.error}")
        yield target.path, target.display


class ProvenanceGroup(click.Group):
    """A group whose ``main`` turns every expected error into one line and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            status = super().main(
                args, prog_name or "provenance", complete_var, standalone_mode=False, **extra
            )
        except _EXPECTED as exc:
            _explain(exc, self)
            status = exit_status(exc)
        if not isinstance(status, int):
            status = EXIT_OK
        if standalone_mode:
            sys.exit(status)
        return status


#: The exit status of each kind of error (SPEC.md §4), most specific first: the first class
#: an error is an instance of decides. The one place where errors become numbers; the
#: library's exceptions say what went wrong, never how the process ends.
EXIT_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (click.UsageError, EXIT_USAGE),
    (click.Abort, EXIT_INTERRUPTED),
    (_Interrupted, EXIT_INTERRUPTED),
    (KeyboardInterrupt, EXIT_INTERRUPTED),
    (click.ClickException, EXIT_FAILED),
    (InputError, EXIT_USAGE),
    (VerificationError, EXIT_FAILED),
    (Refused, EXIT_FAILED),
    (UnreadableArchive, EXIT_FAILED),
    (OperationalError, EXIT_OPERATIONAL),
    (ProvenanceError, EXIT_OPERATIONAL),
    # Whoever read the output has gone (`provenance verify | head`): nothing left to say.
    (BrokenPipeError, EXIT_FAILED),
)
#: What ``main`` turns into a message and an exit status; anything else is a bug.
_EXPECTED = tuple(kind for kind, _ in EXIT_STATUS)


def exit_status(exc: BaseException) -> int:
    """The exit status the command line ends with for ``exc`` (:data:`EXIT_STATUS`).

    >>> exit_status(InputError("no such file")), exit_status(Refused("exists"))
    (2, 1)
    """
    return next(status for kind, status in EXIT_STATUS if isinstance(exc, kind))


def _explain(exc: BaseException, group: click.Group) -> None:
    """Say on stderr, in one line (and a hint), why the command stops with ``exc``."""
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        # The whole help squeezed into one error line reads badly; name the commands instead.
        command = exc.ctx.command if exc.ctx is not None else group
        names = (
            ", ".join(command.list_commands(exc.ctx)) if isinstance(command, click.Group) else ""
        )
        fail(f"missing command: one of {names}", hint="see 'provenance --help'")
    elif isinstance(exc, click.UsageError):
        where = "provenance" if exc.ctx is None else exc.ctx.command_path
        fail(exc.format_message(), hint=f"see '{where} --help'")
    elif isinstance(exc, click.ClickException):
        fail(exc.format_message())
    elif isinstance(exc, ProvenanceError):
        fail(exc.message, exc.hint)
    elif not isinstance(exc, BrokenPipeError):
        # Worker processes ignore Ctrl-C (provenance.parallel): this line is all it prints.
        click.echo("provenance: aborted", err=True)


@click.group(cls=ProvenanceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="provenance")
def cli() -> None:
    """Check that article files are intact, who vouches for them, and that archives are complete.

    \b
    Exit status: 0 nothing failed, 1 a check failed, no file was checked
    (see verify --allow-empty) or a stamp was refused, 2 usage error,
    3 operational error (cannot read or write a file or key).
    """


def main() -> None:
    """Entry point of the installed ``provenance`` command."""
    cli.main()


from provenance.cli import _articles, _config, _signing  # noqa: E402  (registers the commands)

_articles.register(cli)
_signing.register(cli)
_config.register(cli)

from provenance.cli import _seal  # noqa: E402  (registers the seal command)

_seal.register(cli)

from provenance.cli import _records  # noqa: E402  (registers record and diff)

_records.register(cli)
