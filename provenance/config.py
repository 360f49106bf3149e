"""Settings from a configuration file: ``[tool.provenance]`` in pyproject.toml, or provenance.toml.

Which file configures a run (:func:`find_config`): the one named with ``--config``, else the
one found by walking up from the CURRENT WORKING DIRECTORY (the project the user stands in):
in each folder, from the cwd up to the file-system root, ``provenance.toml`` is taken if it
exists, else ``pyproject.toml`` if it has a ``[tool.provenance]`` table. The first one found
wins; files are never merged.

The search never starts at, nor walks into, the paths being checked: a configuration file
decides what is trusted (``allowed_signers``), what is checked (``exclude``) and what fails
(``strict``), so a file planted in an incoming folder must never configure the check of that
folder. When the file the walk finds lies inside a checked path (``cd incoming && provenance
verify .``), it is refused (:class:`~provenance.errors.InputError`) rather than read or
silently skipped: reading it would let the checked tree configure its own check, and
skipping it would drop settings such as ``require_signature`` that the user may rely on.
Files that sit directly in a checked folder are never read (:func:`ignored_configs` lists
them for ``-v``). Keys (all optional)::

    include = ["*.txt"]              # globs that replace the default file selection
    exclude = ["drafts"]             # globs of files or folders to leave out
    strict = true                    # as --strict
    canonicalization = "relaxed"     # or "simple"
    allowed_signers = "keys/allowed_signers"      # relative to the config file's folder
    require_signature = false
    publisher_tokens = ["tokens.txt"]            # extra token files, relative as above
    allow_empty = false              # as --allow-empty: a run that checks no file passes
    allow_unsigned = false           # as --allow-unsigned: with trust, unsigned files pass
    revoked = "keys/revoked"         # as --revoked: revoked keys (a list or a KRL), relative
    verify_time = "20250615Z"        # as --verify-time: check key validity at this time
    c2pa_trust = "keys/c2pa-ca.pem"  # as --c2pa-trust: PEM anchors for C2PA credentials
    require_c2pa = false             # as --require-c2pa: every article needs a trusted one

Precedence, for every key: a command-line flag, then the file, then the default
(:func:`resolve`). An unknown key or a value of the wrong type is an
:class:`~provenance.errors.InputError` naming the file and the key; nothing is ignored.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from provenance.errors import InputError, OperationalError
from provenance.fsio import SpecialFileError, TooLargeError, read_limited
from provenance.model import Canonicalization
from provenance.sigtime import parse_verify_time

#: The file name of a provenance-only configuration file.
CONFIG_NAME = "provenance.toml"
#: The project file whose ``[tool.provenance]`` table is read.
PYPROJECT_NAME = "pyproject.toml"

#: Where a setting came from when neither a flag nor a file set it.
DEFAULT = "default"
#: Where a setting came from when a command-line flag set it.
COMMAND_LINE = "command line"


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """A configuration file that was read and checked: its values are already typed."""

    path: Path
    #: The TOML table the settings come from: ``"tool.provenance"``, or ``""`` (whole file).
    table: str
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """How the file is named in messages and in ``provenance config``."""
        return f"{self.path} [{self.table}]" if self.table else str(self.path)


@dataclass(frozen=True, slots=True)
class Settings:
    """The effective settings of a run and where each came from."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    strict: bool = False
    canonicalization: Canonicalization = Canonicalization.RELAXED
    allowed_signers: str | None = None
    require_signature: bool = False
    publisher_tokens: tuple[str, ...] = ()
    allow_empty: bool = False
    #: With a trust source, let an article that no good signature covers pass (its own
    #: FILE.sig, or its seal's); by default it fails as ``sig-missing``.
    allow_unsigned: bool = False
    #: A file of revoked public keys or an OpenSSH KRL: their signatures are ``revoked``.
    revoked: str | None = None
    #: The moment allowed_signers validity windows are checked at; ``None``: now.
    verify_time: datetime | None = None
    #: PEM trust anchors for C2PA text credentials (``--c2pa-trust``).
    c2pa_trust: str | None = None
    #: ``--require-c2pa``: an article without a good, trusted C2PA credential fails.
    require_c2pa: bool = False
    #: ``(key, source)`` for every key in :data:`KEYS` order; a source is :data:`DEFAULT`,
    #: :data:`COMMAND_LINE` or the :attr:`ConfigFile.name` of the file.
    sources: tuple[tuple[str, str], ...] = ()
    config_file: ConfigFile | None = None

    def source(self, key: str) -> str:
        """Where ``key`` came from."""
        return dict(self.sources).get(key, DEFAULT)

    def value(self, key: str) -> Any:
        """The value of ``key`` (one of :data:`KEYS`)."""
        if key not in KEYS:
            raise KeyError(key)
        return getattr(self, key)


def _toml_type(value: object) -> str:
    """The TOML name of a parsed value's type, for error messages."""
    names: tuple[tuple[type, str], ...] = (
        (bool, "boolean"),
        (str, "string"),
        (int, "integer"),
        (float, "float"),
        (list, "array"),
        (dict, "table"),
    )
    for kind, name in names:
        if isinstance(value, kind):
            return name
    return "date or time"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Invalid(Exception):
    """A value of the wrong type; the caller adds the file and the key."""


def _boolean(value: object, folder: Path) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"must be true or false, found {_toml_type(value)} {_shown(value)}")
    return value


def _strings(value: object, folder: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Invalid(f"must be an array of strings, found {_toml_type(value)} {_shown(value)}")
    return tuple(value)


def _path(value: object, folder: Path) -> str:
    if not isinstance(value, str) or not value:
        raise _Invalid(
            f"must be a non-empty string (a path), found {_toml_type(value)} {_shown(value)}"
        )
    return _relative_to(folder, value)


def _paths(value: object, folder: Path) -> tuple[str, ...]:
    items = _strings(value, folder)
    if any(not item for item in items):
        raise _Invalid("must not contain an empty path")
    return tuple(_relative_to(folder, item) for item in items)


def _canonicalization(value: object, folder: Path) -> Canonicalization:
    choices = [member.value for member in Canonicalization]
    if not isinstance(value, str) or value not in choices:
        expected = " or ".join(repr(choice) for choice in choices)
        raise _Invalid(f"must be {expected}, found {_toml_type(value)} {_shown(value)}")
    return Canonicalization(value)


def _verify_time(value: object, folder: Path) -> datetime:
    # TOML has its own date-times; one with an offset is as clear as the string forms.
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value.astimezone(UTC)
    if isinstance(value, datetime):
        raise _Invalid("is a date-time without an offset: add Z or +HH:MM")
    if not isinstance(value, str):
        raise _Invalid(f'must be a string such as "20250615Z", found {_toml_type(value)}')
    try:
        return parse_verify_time(value)
    except InputError as exc:
        raise _Invalid(f"is not a time: {exc.message}") from None


def _relative_to(folder: Path, value: str) -> str:
    """Paths in a configuration file are relative to the file's folder, not to the cwd."""
    return os.path.normpath(os.path.join(folder, os.path.expanduser(value)))


#: Every key a configuration file may hold, with the reader that checks and converts it.
_READERS: Mapping[str, Callable[[object, Path], Any]] = MappingProxyType(
    {
        "include": _strings,
        "exclude": _strings,
        "strict": _boolean,
        "canonicalization": _canonicalization,
        "allowed_signers": _path,
        "require_signature": _boolean,
        "publisher_tokens": _paths,
        "allow_empty": _boolean,
        "allow_unsigned": _boolean,
        "revoked": _path,
        "verify_time": _verify_time,
        "c2pa_trust": _path,
        "require_c2pa": _boolean,
    }
)
#: The configuration keys, in the order ``provenance config`` shows them.
KEYS: tuple[str, ...] = tuple(_READERS)


def check_table(table: object, path: Path, table_name: str) -> ConfigFile:
    """Check the parsed settings table of ``path`` and convert its values.

    >>> check_table({"strict": True}, Path("provenance.toml"), "").values["strict"]
    True
    """
    where = f"[{table_name}] " if table_name else ""
    if not isinstance(table, dict):
        raise InputError(
            f"{path}: {where or 'the file'} must be a table, found {_toml_type(table)}"
        )
    values: dict[str, Any] = {}
    folder = path.parent
    for key, raw in table.items():
        reader = _READERS.get(key)
        if reader is None:
            import difflib  # Only an unknown key needs it.

            close = difflib.get_close_matches(key.replace("-", "_"), KEYS, n=1)
            raise InputError(
                f"{path}: {where}unknown key {key!r}",
                hint=f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(KEYS)}",
            )
        try:
            values[key] = reader(raw, folder)
        except _Invalid as exc:
            raise InputError(f"{path}: {where}key {key!r} {exc}") from None
    return ConfigFile(path, table_name, MappingProxyType(values))


#: A configuration file larger than this is refused unread (a pyproject.toml is a few KiB).
MAX_CONFIG_SIZE = 1 << 20


def _read_toml(path: Path) -> dict[str, Any]:
    """The parsed TOML of a configuration file; any defect is one error naming the file.

    The file is read by :func:`~provenance.fsio.read_limited`, as every small file is: a FIFO,
    socket or device is refused without blocking, and a file is never read past
    :data:`MAX_CONFIG_SIZE`. tomllib parses nested arrays and tables recursively, so deeply
    nested input (``a=[[[[...``) raises RecursionError: caught here as invalid TOML.
    """
    try:
        data = read_limited(path, MAX_CONFIG_SIZE)
    except (SpecialFileError, IsADirectoryError) as exc:
        raise InputError(f"{path}: not a regular file ({exc.strerror})") from exc
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except TooLargeError as exc:
        raise InputError(f"{path}: larger than {MAX_CONFIG_SIZE} bytes; not read") from exc
    except OSError as exc:
        raise OperationalError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: not UTF-8 ({exc.reason})") from exc
    except RecursionError as exc:
        raise InputError(f"{path}: not valid TOML: nested too deeply") from exc


def load_config(path: str | os.PathLike[str]) -> ConfigFile:
    """Read a configuration file named explicitly: a pyproject.toml or a provenance.toml.

    A ``pyproject.toml`` without a ``[tool.provenance]`` table gives no settings; any other
    file name is read as a provenance.toml (settings at the top level).
    """
    file = Path(path)
    data = _read_toml(file)
    if file.name == PYPROJECT_NAME:
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise InputError(f"{file}: [tool] must be a table, found {_toml_type(tool)}")
        return check_table(tool.get("provenance", {}), file, "tool.provenance")
    return check_table(data, file, "")


def _inside(path: str, roots: Iterable[str]) -> str | None:
    """The first of ``roots`` (real paths) that ``path`` is, or lies under; else ``None``."""
    for root in roots:
        if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
            return root
    return None


def _located(path: Path) -> str:
    """Where a file name sits: its folder's real path joined with the name itself.

    The last component is not resolved: a provenance.toml inside a checked folder is inside
    it even when it is a link to a file elsewhere.
    """
    return os.path.join(os.path.realpath(path.parent), path.name)


def find_config(
    start: str | os.PathLike[str], checked: Iterable[str | os.PathLike[str]] = ()
) -> ConfigFile | None:
    """The configuration of a run started in ``start`` (the cwd) over the ``checked`` paths.

    Folders are searched from ``start`` (or the folder of a file) up to the root; in each,
    ``provenance.toml`` comes before a ``pyproject.toml`` with a ``[tool.provenance]`` table.
    A pyproject.toml without that table is passed over. ``None`` when there is none.

    A configuration file found inside one of the ``checked`` paths (the walk started inside
    a checked folder) is refused with an :class:`~provenance.errors.InputError`: it is never
    used, and never silently skipped either (see the module's docstring). A pyproject.toml
    there is parsed only to learn whether it holds the table.
    """
    roots = [os.path.realpath(path) for path in checked]
    here = Path(os.path.abspath(start))
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        for candidate in (folder / CONFIG_NAME, folder / PYPROJECT_NAME):
            if not os.path.lexists(candidate):
                continue
            table: object = None
            if candidate.name == CONFIG_NAME:
                found = True
            else:
                tool = _read_toml(candidate).get("tool")
                found = isinstance(tool, dict) and "provenance" in tool
                table = tool.get("provenance") if isinstance(tool, dict) else None
            if not found:
                continue
            root = _inside(_located(candidate), roots)
            if root is not None:
                raise InputError(
                    f"{candidate}: configuration file inside the checked path {root};"
                    " a checked folder never configures its own check",
                    hint=f"name it with --config {candidate} to use it, or give --no-config",
                )
            if table is not None:
                return check_table(table, candidate, "tool.provenance")
            return load_config(candidate)
    return None


def ignored_configs(checked: Iterable[str | os.PathLike[str]]) -> tuple[Path, ...]:
    """The configuration files sitting directly in the ``checked`` folders: never read.

    For ``-v`` and ``provenance config``: the old rule (search from the checked path) read
    them, and a user moving from it should see that they no longer count.
    """
    found: list[Path] = []
    for path in checked:
        if not os.path.isdir(path):
            continue
        for name in (CONFIG_NAME, PYPROJECT_NAME):
            candidate = Path(path, name)
            if os.path.lexists(candidate) and candidate not in found:
                found.append(candidate)
    return tuple(found)


def resolve(config: ConfigFile | None, overrides: Mapping[str, Any] | None = None) -> Settings:
    """The effective settings: ``overrides`` (command-line flags) > ``config`` > defaults.

    ``overrides`` holds only the keys a flag actually set, already typed.

    >>> resolve(None, {"strict": True}).source("strict")
    'command line'
    """
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(KEYS))
    if unknown:
        raise ValueError(f"not configuration keys: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    sources = []
    for key in KEYS:
        if key in overrides:
            values[key] = overrides[key]
            sources.append((key, COMMAND_LINE))
        elif config is not None and key in config.values:
            values[key] = config.values[key]
            sources.append((key, config.name))
        else:
            sources.append((key, DEFAULT))
    return replace(Settings(), **values, sources=tuple(sources), config_file=config)


def defaults() -> Settings:
    """The settings when there is no file and no flag."""
    return resolve(None)


__all__ = [
    "COMMAND_LINE",
    "CONFIG_NAME",
    "DEFAULT",
    "KEYS",
    "MAX_CONFIG_SIZE",
    "PYPROJECT_NAME",
    "ConfigFile",
    "Settings",
    "check_table",
    "defaults",
    "find_config",
    "ignored_configs",
    "load_config",
    "resolve",
]
