"""``provenance config [PATH...]`` and the merging of flags with the configuration file.

Precedence for every setting: a flag given on the command line, then the configuration file
(``--config FILE``, or the one found from the current folder up, never one inside a checked
path: :mod:`provenance.config`), then the default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from provenance.cli import EXIT_OK

if TYPE_CHECKING:
    from provenance.config import Settings

#: Command-line parameter name -> configuration key, for the flags that a file can also set.
FLAG_KEYS: Mapping[str, str] = {
    "include": "include",
    "exclude": "exclude",
    "strict": "strict",
    "canonicalization": "canonicalization",
    "allowed_signers": "allowed_signers",
    "require_signature": "require_signature",
    "token_files": "publisher_tokens",
    "allow_empty": "allow_empty",
    "allow_unsigned": "allow_unsigned",
    "revoked": "revoked",
    "verify_time": "verify_time",
    "c2pa_trust": "c2pa_trust",
    "require_c2pa": "require_c2pa",
}

_FROM_COMMAND_LINE = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def command_line_overrides(ctx: click.Context, flags: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration keys that ``flags`` (the command's values, by parameter name) set
    on this command line, typed; ``ctx`` only tells where each value came from."""
    from provenance.model import Canonicalization

    overrides: dict[str, Any] = {}
    for param, value in flags.items():
        key = FLAG_KEYS[param]
        if ctx.get_parameter_source(param) not in _FROM_COMMAND_LINE:
            continue
        if key == "canonicalization":
            value = Canonicalization(value)
        elif isinstance(value, list):
            value = tuple(value)
        overrides[key] = value
    return overrides


def effective_settings(
    ctx: click.Context,
    paths: Sequence[str],
    config_file: str | None = None,
    no_config: bool = False,
    flags: Mapping[str, Any] | None = None,
) -> Settings:
    """The settings of a run over ``paths``: flags > ``--config FILE`` or the file found > defaults.

    The file is looked for from the current folder up, never from ``paths`` (a checked folder
    must not configure its own check); one found inside ``paths`` is refused. ``flags`` are
    the command's values of the :data:`FLAG_KEYS` parameters it has.
    """
    import os

    from provenance.config import find_config, load_config, resolve

    if no_config:
        config = None
    elif config_file is not None:
        config = load_config(config_file)
    else:
        from provenance.errors import OperationalError

        try:
            config = find_config(os.getcwd(), paths)
        except OSError as exc:
            # A folder that cannot be searched may hold settings that change the verdicts
            # (strict = true): fail as unable to read, never as if it held none.
            where = exc.filename or "a folder"
            raise OperationalError(
                f"cannot look for a configuration file in {where}: {exc.strerror or exc}",
                hint="use --no-config or --config FILE",
            ) from exc
    return resolve(config, command_line_overrides(ctx, flags or {}))


def ignored_lines(paths: Sequence[str]) -> list[str]:
    """What ``-v`` says about configuration files sitting in the checked folders: not read."""
    from provenance.config import ignored_configs

    return [
        f"provenance: ignored configuration inside a checked folder: {path}"
        for path in ignored_configs(paths)
    ]


@click.command(name="config")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=str))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=str),
    help="Read settings from FILE instead of the pyproject.toml/provenance.toml found.",
)
def config_command(paths: tuple[str, ...], fmt: str, config_file: str | None) -> int:
    """Show the effective settings of a run over PATHS from here, and where each came from.

    The configuration is --config FILE, or [tool.provenance] in pyproject.toml, or
    provenance.toml, in the current folder or the nearest folder above it; never a file
    inside PATHS (one found there is refused, and files sitting in PATHS are listed as
    ignored). Flags given to 'verify' override it.
    Every file the settings name (allowed_signers, publisher_tokens) is then read as verify
    reads it: a malformed, missing or unreadable one is an error (exit 2 or 3, as verify
    would exit), so that 'provenance config' serves as the pre-flight check of a CI job.
    """
    from provenance import report

    settings = effective_settings(click.get_current_context(), paths, config_file)
    if fmt == "json":
        click.echo(report.json_text(report.config_dict(settings)))
    else:
        click.echo(report.config_text(settings), nl=False)
    for line in ignored_lines(paths):
        click.echo(line, err=True)
    check_named_files(settings)
    return EXIT_OK


def check_named_files(settings: Settings) -> None:
    """Load what a verify run with ``settings`` would load; its error if one fails.

    The same calls as verify's, so that the pre-flight check and the run cannot disagree
    about a file.
    """
    from provenance.options import load_c2pa_trust, load_trust
    from provenance.tokens import registry

    load_trust(
        settings.allowed_signers,
        None,
        require=settings.require_signature,
        revoked=settings.revoked,
    )
    registry(settings.publisher_tokens)
    load_c2pa_trust(settings)


def register(group: click.Group) -> None:
    group.add_command(config_command)
