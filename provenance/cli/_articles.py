"""Commands on articles: ``parse``, ``verify`` and ``stamp``."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click

from provenance.cli import (
    EXIT_FAILED,
    EXIT_OK,
    FORMAT_OPTION,
    STDIN,
    fail,
    path_param,
    read_stdin_article,
    refusal_entry,
    selection_options,
    shown,
    walk,
)

_CANONICALIZATION = click.Choice(["relaxed", "simple"])


class _VerifyTimeType(click.ParamType[datetime]):
    """``--verify-time``: read by :func:`provenance.sigtime.parse_verify_time` (exit 2 if bad)."""

    name = "time"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        from provenance.errors import InputError
        from provenance.sigtime import parse_verify_time

        try:
            return parse_verify_time(str(value))
        except InputError as exc:
            self.fail(f"{exc.message}; {exc.hint}" if exc.hint else exc.message, param, ctx)


_VERIFY_TIME = _VerifyTimeType()
_PATH = path_param()
_PUBLISHER_TOKENS = click.option(
    "--publisher-tokens",
    "token_files",
    multiple=True,
    type=path_param(dir_okay=False),
    help="Extra publisher token file (repeatable).",
)


@click.command()
@click.argument("file", type=path_param(dir_okay=False, allow_dash=True))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@_PUBLISHER_TOKENS
def parse(file: str, fmt: str, token_files: tuple[str, ...]) -> int:
    """Show the parts of an article: body, credits, copyright, fingerprint, trailer.

    FILE '-' reads the article from stdin.
    """
    from provenance import report
    from provenance.model import NotText
    from provenance.parsing import parse as parse_bytes
    from provenance.parsing import parse_file
    from provenance.tokens import registry

    tokens = registry(token_files)
    if file == STDIN:
        doc = parse_bytes(read_stdin_article(), tokens=tokens)
    else:
        doc = parse_file(file, tokens=tokens)
    if isinstance(doc, NotText):
        if fmt == "json":
            click.echo(json.dumps(report.not_text_dict(doc)))
        fail(f"{file}: not text: {doc.reason}")
        return EXIT_FAILED
    if fmt == "json":
        click.echo(report.json_text(report.document_dict(doc)))
    else:
        click.echo(report.document_text(doc), nl=False)
    return EXIT_OK


@click.command()
@click.argument("paths", nargs=-1, type=path_param(allow_dash=True))
@click.option(
    "--files-from",
    metavar="FILE",
    help="Also check the paths listed in FILE, one per line ('-': stdin), in this one run.",
)
@click.option(
    "--null",
    "-0",
    "nul",
    is_flag=True,
    help="With --files-from: the names are NUL-separated (find -print0, git ls-files -z).",
)
@click.option(
    "--strict/--no-strict",
    default=False,
    help="Also fail on unverifiable, no-footer and text after the fingerprint.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "junit", "jsonl", "markdown", "codequality"]),
    default="text",
    show_default=True,
    help="Report format: github annotations, JUnit XML, JSON Lines as files are checked,"
    " Markdown, GitLab Code Quality JSON.",
)
@click.option(
    "--markdown-summary",
    type=path_param(exists=False, dir_okay=False),
    metavar="FILE",
    help="Also append a Markdown report of the run to FILE (e.g. $GITHUB_STEP_SUMMARY).",
)
@click.option(
    "--canonicalization",
    type=_CANONICALIZATION,
    default="relaxed",
    show_default=True,
    help="How text is normalised before hashing (SPEC.md).",
)
@selection_options
@_PUBLISHER_TOKENS
@click.option(
    "--output",
    "-o",
    type=path_param(exists=False, dir_okay=False),
    help="Write the report to FILE (atomically); the terminal gets the summary line.",
)
@click.option("--quiet", "-q", is_flag=True, help="Show only failing files and the summary.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text report; auto: on a terminal, unless NO_COLOR or TERM=dumb, or with "
    "FORCE_COLOR.",
)
@click.option(
    "--verbose", "-v", is_flag=True, help="Add canonicalisation, digests and timing details."
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Check only the files changed since git revision REF (plus untracked ones).",
)
@click.option(
    "--staged",
    is_flag=True,
    help="Check only the files staged in git (git add), as a commit would take them.",
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Leave out named files that --include/--exclude would leave out of a folder walk.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=str),
    help="Read settings from FILE instead of the pyproject.toml/provenance.toml found from"
    " the current folder up (never one inside PATHS).",
)
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option(
    "--allow-empty/--no-allow-empty",
    default=False,
    help="Pass a run that checks no file (by default it fails: 'no files checked').",
)
@click.option(
    "--allowed-signers",
    type=path_param(dir_okay=False),
    help="Check each FILE.sig against this OpenSSH allowed_signers file.",
)
@click.option(
    "--public-key",
    type=path_param(dir_okay=False),
    help="Check each FILE.sig against this one public key (KEY.pub).",
)
@click.option(
    "--require-signature/--no-require-signature",
    default=False,
    help="Fail unless a trust source is given (--allowed-signers or --public-key); with one,"
    " unsigned files fail anyway.",
)
@click.option(
    "--allow-unsigned/--no-allow-unsigned",
    default=False,
    help="With a trust source, pass files that no good signature covers (no FILE.sig, no"
    " signed seal); bad signatures still fail.",
)
@click.option(
    "-n",
    "--namespace",
    default="file",
    show_default=True,
    help="SSHSIG namespace the signatures must be made for.",
)
@click.option(
    "--revoked",
    type=path_param(dir_okay=False),
    help="Fail signatures by the keys in FILE (public keys, one a line, or an OpenSSH KRL),"
    " as ssh-keygen -Y verify -r does.",
)
@click.option(
    "--verify-time",
    type=_VERIFY_TIME,
    metavar="TIME",
    help="Check the keys' valid-after/valid-before at TIME, not now: YYYYMMDD[HHMM[SS]]"
    " (local time; Z for UTC) or ISO 8601 with a zone.",
)
@click.option(
    "--record",
    "record_file",
    type=path_param(dir_okay=False),
    metavar="FILE.prov",
    help="Check the one article named against this provenance record (default: FILE.prov).",
)
@click.option(
    "--records",
    "records_dirs",
    multiple=True,
    type=path_param(file_okay=False),
    metavar="DIR",
    help="Look for the earlier records of a chain in DIR too (repeatable).",
)
@click.option(
    "--c2pa-trust",
    type=path_param(dir_okay=False),
    help="Verify C2PA text credentials against the CA certificates in FILE (PEM): 'trusted'"
    " when the signer chains to one (needs the c2pa extra).",
)
@click.option(
    "--require-c2pa/--no-require-c2pa",
    default=False,
    help="Fail every article without one intact C2PA text credential whose binding holds"
    " and whose signer --c2pa-trust trusts.",
)
@click.option(
    "--max-member-size",
    default="256M",
    show_default=True,
    metavar="SIZE",
    help="Largest size an archive member or sealed file may expand to (K, M, G).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Check files in N processes; a large file alone may use two [default: the number of CPUs].",
)
def verify(
    paths: tuple[str, ...],
    files_from: str | None,
    nul: bool,
    strict: bool,
    fmt: str,
    markdown_summary: str | None,
    canonicalization: str,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    token_files: tuple[str, ...],
    output: str | None,
    quiet: bool,
    color: str,
    verbose: bool,
    changed_since: str | None,
    staged: bool,
    force_exclude: bool,
    config_file: str | None,
    no_config: bool,
    allow_empty: bool,
    allowed_signers: str | None,
    public_key: str | None,
    require_signature: bool,
    allow_unsigned: bool,
    namespace: str,
    revoked: str | None,
    verify_time: datetime | None,
    record_file: str | None,
    records_dirs: tuple[str, ...],
    c2pa_trust: str | None,
    require_c2pa: bool,
    max_member_size: str,
    jobs: int | None,
) -> int:
    """Recompute each article's fingerprint and compare it with its footer.

    PATHS are files, folders (walked recursively in sorted order), sealed folders (holding
    SHA256SUMS: the seal's signature and every entry are checked too) and archives (.tar,
    .tar.gz, .tar.xz, .tar.bz2, .zip: members read in place, never extracted). '-' alone
    reads one article from stdin. --files-from FILE adds a list of paths of any length
    (from 'find', 'git ls-files', ...): one run, one summary, unlike xargs.

    One footer verdict per file: ok, mismatch, unverifiable, no-footer, malformed or
    unreadable. With --allowed-signers or --public-key, each FILE.sig is checked too: good,
    bad, revoked (--revoked), untrusted, malformed or missing; every article must then be
    covered by a good signature, its own or its sealed folder's (or archive's), unless
    --allow-unsigned. An article with a provenance record beside it (FILE.prov, or --record
    FILE) is checked against it too: its signature, under the same trust, and which
    paragraphs changed. A run that checks no file at all fails (exit 1, 'no files checked')
    unless --allow-empty.

    Settings come from --config FILE, or from the configuration file found from the current
    folder up; a configuration file inside PATHS never configures their check.
    """
    from provenance.cli._config import effective_settings, ignored_lines
    from provenance.cli._reporting import VerifyOutput
    from provenance.errors import InputError
    from provenance.options import verify_options
    from provenance.run import check_run

    if quiet and verbose:
        raise InputError("--quiet and --verbose cannot be used together")
    paths = _all_paths(paths, files_from, nul)
    # The flags a configuration file can also set: given on the command line, they win over
    # the file; else the file's values, else the defaults.
    flags = {
        "include": include,
        "exclude": exclude,
        "strict": strict,
        "canonicalization": canonicalization,
        "allowed_signers": allowed_signers,
        "require_signature": require_signature,
        "token_files": token_files,
        "allow_empty": allow_empty,
        "allow_unsigned": allow_unsigned,
        "revoked": revoked,
        "verify_time": verify_time,
        "c2pa_trust": c2pa_trust,
        "require_c2pa": require_c2pa,
    }
    ctx = click.get_current_context()
    # With --staged or --force-exclude, what is checked depends on the configuration's
    # selection: the configuration is found first, and held to the rule that a checked path
    # never configures its own check once the paths are known (below).
    selecting = staged or force_exclude
    settings = effective_settings(ctx, () if selecting else paths, config_file, no_config, flags)
    if verbose:
        for line in ignored_lines(paths):
            click.echo(line, err=True)
    # The one options object of the run, built once: the library loads the trust and token
    # files and decides the signature policy (provenance.options.verify_options).
    options = verify_options(
        settings,
        # A --public-key on the command line overrides allowed_signers from a config file.
        allowed_signers=allowed_signers if public_key else settings.allowed_signers,
        public_key=public_key,
        namespace=namespace,
        jobs=jobs if jobs is not None else _cpu_count(),
        max_member_size=_size(max_member_size),
        record=record_file,
        record_search=records_dirs,
        # The text report shows a footer's line only with -v; every other format shows it.
        lines=verbose or fmt != "text",
    )
    from_stdin = paths == (STDIN,)
    checks_beside = options.policy is not None or options.record is not None
    if from_stdin and (checks_beside or changed_since is not None or staged):
        # A signature is FILE.sig beside FILE, a record FILE.prov, and git knows files: stdin
        # has none of them.
        raise InputError(
            "'-' (an article on stdin) cannot be checked for signatures, records or changes",
            hint="save it to a file first",
        )
    if staged:
        if changed_since is not None:
            raise InputError("--staged and --changed-since exclude each other")
        from provenance.gitdiff import staged as files_staged  # Runs git.

        paths = tuple(files_staged(paths, options))
        if not paths:
            click.echo("provenance: no staged files to check", err=True)
    elif force_exclude:
        from provenance.verify import select_named

        paths = tuple(select_named(paths, options))
    if selecting:
        effective_settings(ctx, paths, config_file, no_config, flags)
    if changed_since is not None:
        from provenance.gitdiff import changed_since as files_changed_since  # Runs git.

        paths = tuple(files_changed_since(paths, options, changed_since))
        if not paths:
            # Said apart from the summary line, which reads as for any run that checks nothing.
            click.echo(f"provenance: no files changed since {changed_since}", err=True)
    out = VerifyOutput(
        fmt=fmt,
        strict=options.strict,
        require_signature=options.require_signature,
        require_c2pa=options.require_c2pa,
        signatures_checked=options.policy is not None,
        allow_empty=options.allow_empty,
        output=output,
        markdown_summary=markdown_summary,
        quiet=quiet,
        verbose=verbose,
        color=color,
    )
    if from_stdin:
        from provenance.verify import check_bytes

        result = check_bytes(
            read_stdin_article(),
            STDIN,
            canonicalization=options.canonicalization,
            tokens=options.tokens,
            c2pa_trust=options.c2pa_trust,
        )
        out.on_result(result)
        return out.finish([result])
    results = check_run(paths, options, on_result=out.on_result)
    return out.finish(results)


def _cpu_count() -> int:
    """``--jobs`` by default: the number of CPUs."""
    import os

    return os.cpu_count() or 1


def _all_paths(paths: tuple[str, ...], files_from: str | None, nul: bool) -> tuple[str, ...]:
    """PATHS, then those listed in ``--files-from``; a usage error when there are none.

    ``-`` reads one article from stdin, so it stands alone: not beside other paths, and not
    with ``--files-from -``, which reads the list from stdin.
    """
    from provenance.errors import InputError

    if nul and files_from is None:
        raise InputError("-0 goes with --files-from FILE")
    if STDIN in paths and (len(paths) > 1 or files_from is not None):
        raise InputError("'-' (one article on stdin) cannot be combined with other paths")
    if files_from is None:
        if not paths:
            raise InputError("missing PATHS", hint="name files or folders, or use --files-from")
        return paths
    from provenance.fsio import read_list_file, read_stream, split_names

    what = "the --files-from list"
    if files_from == STDIN:
        data = read_stream(sys.stdin.buffer, f"{what} on stdin", MAX_LIST_SIZE)
    else:
        data = read_list_file(files_from, what, MAX_LIST_SIZE)
    return paths + tuple(split_names(data, nul=nul))


#: A --files-from list may name millions of files; past this size it is refused.
MAX_LIST_SIZE = 1 << 30


_SIZE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def _size(value: str) -> int:
    """``256M`` -> bytes (units K, M, G: powers of 1024)."""
    from provenance.errors import InputError

    text = value.strip().upper().removesuffix("B").removesuffix("I")
    unit = text[-1:] if text[-1:] in _SIZE_UNITS else ""
    number = text[: len(text) - len(unit)]
    if not number.isdigit() or int(number) == 0:
        raise InputError(f"--max-member-size: expected a size such as 256M, found {value!r}")
    return int(number) * _SIZE_UNITS[unit]


@click.command()
@click.argument("paths", nargs=-1, required=True, type=_PATH)
@click.option("--holder", help="Copyright holder, e.g. 'Example News, Inc.'.")
@click.option(
    "--year", type=click.IntRange(1000, 9999), help="Copyright year [default: this year]."
)
@click.option(
    "--algorithm",
    type=click.Choice(["md5", "sha256"]),
    default=None,
    help="Digest algorithm [default: md5, or the footer's own with --update].",
)
@click.option(
    "--update",
    is_flag=True,
    help="Recompute the fingerprint of an existing footer that verifies (or has no token).",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --update: recompute it even when the footer does not verify.",
)
@click.option(
    "--missing-only",
    is_flag=True,
    help="Stamp files that have no footer; leave those whose footer verifies.",
)
@click.option(
    "--break-hard-links",
    is_flag=True,
    help="Stamp a file that has other hard links (they keep the old text).",
)
@selection_options
@click.option("--canonicalization", type=_CANONICALIZATION, default="relaxed", show_default=True)
@FORMAT_OPTION
def stamp(
    paths: tuple[str, ...],
    holder: str | None,
    year: int | None,
    algorithm: str | None,
    update: bool,
    force: bool,
    missing_only: bool,
    break_hard_links: bool,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    canonicalization: str,
    fmt: str,
) -> int:
    """Add a copyright footer with a fingerprint to new articles.

    The footer is 'Copyright ©YEAR HOLDER. All Rights Reserved. <digest>', on a line of
    its own, in the file's own line endings. PATHS are files and folders, walked as verify
    walks them (--include, --exclude).

    A file that already has a footer is refused (exit 1, file untouched), unless
    --missing-only (left when its footer verifies) or --update (its fingerprint
    recomputed when the footer verifies). A footer that does not verify is always refused,
    unless --update --force. Each file is replaced atomically; a failure leaves the original
    intact. The last line counts what was done.
    """
    from provenance import report
    from provenance.errors import InputError, StampRefused
    from provenance.model import Algorithm, Canonicalization
    from provenance.stamp import OnFooter, StampAction, stamp_file

    if update and missing_only:
        raise InputError("--update and --missing-only exclude each other")
    if force and not update:
        raise InputError("--force only goes with --update")
    if holder is None and not update:
        raise InputError("--holder is needed to add a footer")
    on_footer = OnFooter.REFUSE
    if missing_only:
        on_footer = OnFooter.KEEP
    elif update:
        on_footer = OnFooter.FORCE if force else OnFooter.UPDATE
    counts = dict.fromkeys(StampAction, 0)
    refused = 0
    entries: list[dict[str, object]] = []
    for path, display in walk(paths, include, exclude):
        try:
            result = stamp_file(
                path,
                holder=holder,
                year=year,
                algorithm=Algorithm(algorithm) if algorithm else None,
                on_footer=on_footer,
                canonicalization=Canonicalization(canonicalization),
                break_hard_links=break_hard_links,
            )
        except StampRefused as exc:
            refused += 1
            if fmt == "json":
                entries.append(refusal_entry(display, exc))
            else:
                fail(f"refused: {exc.message}", exc.hint)
            continue
        counts[result.action] += 1
        if fmt == "json":
            entries.append(
                report.write_entry(
                    display,
                    result.action.value,
                    algorithm=result.algorithm.value,
                    digest=result.digest,
                )
            )
        else:
            click.echo(
                f"{result.action.value}  {shown(display)}  {result.algorithm.value} {result.digest}"
            )
    tally = [*((action.value, counts[action]) for action in StampAction), ("refused", refused)]
    if fmt == "json":
        click.echo(report.write_report("stamp", entries, tally), nl=False)
    else:
        click.echo(report.tally_line(tally, "nothing to stamp"))
    return EXIT_FAILED if refused else EXIT_OK


def register(group: click.Group) -> None:
    for command in (parse, verify, stamp):
        group.add_command(command)
