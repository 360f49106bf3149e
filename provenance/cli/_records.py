"""Commands on provenance records: ``record`` and ``diff`` (SPEC.md §12)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import click

from provenance.cli import EXIT_FAILED, EXIT_OK, FORMAT_OPTION, fail, path_param, shown
from provenance.cli._signing import AGENT_OPTION, PASSPHRASE_FILE_OPTION, load_signing_key


def record_time() -> datetime | None:
    """The time a record states: now, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds).

    A value that is not a whole number of seconds is a usage error.
    """
    from provenance.errors import InputError

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    if not epoch.isdigit():
        raise InputError(f"SOURCE_DATE_EPOCH must be a number of seconds, found {epoch!r}")
    return datetime.fromtimestamp(int(epoch), UTC)


@click.command()
@click.argument("file", type=path_param(dir_okay=False))
@click.option(
    "-k",
    "--key",
    "key_path",
    type=path_param(exists=False, dir_okay=False),
    help="OpenSSH Ed25519 private key to sign with, or a public key (KEY.pub) whose private"
    " half the ssh-agent holds.",
)
@AGENT_OPTION
@click.option(
    "--previous",
    type=path_param(dir_okay=False),
    metavar="OLD.prov",
    help="The record this one corrects (FILE.prov itself is kept as FILE.<12 hex>.prov).",
)
@click.option("--note", metavar="TEXT", help="Why this version was made, e.g. the correction.")
@click.option("--force", is_flag=True, help="Replace an existing FILE.prov without chaining it.")
@PASSPHRASE_FILE_OPTION
@FORMAT_OPTION
def record(
    file: str,
    key_path: str | None,
    agent: bool,
    previous: str | None,
    note: str | None,
    force: bool,
    passphrase_file: str | None,
    fmt: str,
) -> int:
    """Write FILE.prov: a signed record of the article's text, paragraph by paragraph.

    The record holds the SHA-256 of the article's canonical text and of each paragraph, the
    footer's holder and year, the time (SOURCE_DATE_EPOCH when set) and the signer's key,
    signed in the SSHSIG namespace 'provenance-record'. `provenance verify` then names the
    paragraphs changed since; --previous OLD.prov and --note TEXT chain a correction to the
    record it corrects. An existing FILE.prov is refused (exit 1) unless it is the --previous
    record or --force is given.
    """
    from provenance import report
    from provenance.errors import Refused
    from provenance.recorded import write_record

    key = load_signing_key(key_path, passphrase_file, agent)
    try:
        written = write_record(
            file, key, now=record_time(), previous=previous, note=note, force=force
        )
    except Refused as exc:
        if fmt == "json":
            entry = report.write_entry(file, "refused", error=exc.message, hint=exc.hint)
            click.echo(
                report.write_report("record", [entry], [("recorded", 0), ("refused", 1)]), nl=False
            )
        else:
            fail(f"refused: {file}: {exc.message}", exc.hint)
        return EXIT_FAILED
    if fmt == "json":
        entry = report.write_entry(
            file,
            "recorded",
            record_path=written.path,
            digest=written.digest,
            kept_path=written.kept,
            key_fingerprint=key.public.fingerprint,
        )
        click.echo(
            report.write_report("record", [entry], [("recorded", 1), ("refused", 0)]), nl=False
        )
        return EXIT_OK
    if written.kept is not None:
        click.echo(f"kept  {shown(written.path)}  as {shown(written.kept)}")
    click.echo(f"recorded  {shown(file)}  -> {shown(written.path)}  ({key.public.fingerprint})")
    return EXIT_OK


@click.command()
@click.argument("old", type=path_param(dir_okay=False))
@click.argument("new", type=path_param(dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def diff(old: str, new: str, fmt: str) -> int:
    """Name the paragraphs changed, inserted or removed from OLD to NEW.

    OLD and NEW are articles, or one of them a record (a .prov file). Lines are NEW's (none
    when NEW is a record). Exit 0 when the texts are the same, 1 when they differ.
    """
    from provenance import report
    from provenance.recorded import diff as paragraph_diff

    same, changes = paragraph_diff(old, new)
    if fmt == "json":
        click.echo(report.diff_json(old, new, same, changes), nl=False)
    else:
        click.echo(report.diff_text(same, changes), nl=False)
    return EXIT_OK if same else EXIT_FAILED


def register(group: click.Group) -> None:
    """Add ``record`` and ``diff`` to the ``provenance`` command."""
    for command in (record, diff):
        group.add_command(command)
