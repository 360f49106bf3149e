"""``provenance config [PATH]`` and the merging of flags with the configuration file.

Precedence for every setting: a flag given on the command line, then the configuration file
found for the checked paths (:mod:`provenance.config`), then the default.
"""

from __future__ import annotations

import json
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
}

_FROM_COMMAND_LINE = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def command_line_overrides(ctx: click.Context) -> dict[str, Any]:
    """The configuration keys that flags actually set on this command line, typed."""
    from provenance.model import Canonicalization

    overrides: dict[str, Any] = {}
    for param, key in FLAG_KEYS.items():
        if param not in ctx.params or ctx.get_parameter_source(param) not in _FROM_COMMAND_LINE:
            continue
        value = ctx.params[param]
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
) -> Settings:
    """The settings of a run over ``paths``: flags > ``--config FILE`` or the file found > defaults."""
    from provenance.config import config_start, find_config, load_config, resolve

    if no_config:
        config = None
    elif config_file is not None:
        config = load_config(config_file)
    else:
        from provenance.errors import OperationalError

        try:
            config = find_config(config_start(paths))
        except OSError as exc:
            # A folder that cannot be searched may hold settings that change the verdicts
            # (strict = true): fail as unable to read, never as if it held none.
            where = exc.filename or "a folder"
            raise OperationalError(
                f"cannot look for a configuration file in {where}: {exc.strerror or exc}",
                hint="use --no-config or --config FILE",
            ) from exc
    return resolve(config, command_line_overrides(ctx))


@click.command(name="config")
@click.argument("path", required=False, default=".", type=click.Path(exists=True, path_type=str))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def config_command(path: str, fmt: str) -> int:
    """Show the effective settings for PATH (default: here) and where each came from.

    The configuration is [tool.provenance] in pyproject.toml, or provenance.toml, in PATH's
    folder or the nearest folder above it. Flags given to 'verify' override it.
    """
    from provenance import report
    from provenance.config import config_start, find_config, resolve

    settings = resolve(find_config(config_start([path])))
    if fmt == "json":
        click.echo(json.dumps(report.config_dict(settings), indent=2, ensure_ascii=False))
    else:
        click.echo(report.config_text(settings), nl=False)
    return EXIT_OK


def register(group: click.Group) -> None:
    group.add_command(config_command)
