"""``--color auto|always|never``, ``FORCE_COLOR``, ``NO_COLOR``, ``TERM=dumb``, and ``-V``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BAD

from provenance import __version__
from provenance.cli import cli
from provenance.cli._reporting import wants_color

RED_MISMATCH = "\x1b[31mmismatch\x1b[0m"
TAMPERED = str(BAD / "tampered-word.txt")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(*args: str, env: dict[str, str | None] | None = None) -> str:
    quiet_env: dict[str, str | None] = {"NO_COLOR": None, "FORCE_COLOR": None, "TERM": None}
    result = CliRunner().invoke(cli, list(args), env={**quiet_env, **(env or {})})
    assert result.exit_code == 1, result.output
    return result.stdout


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version_short_and_long(flag: str) -> None:
    result = CliRunner().invoke(cli, [flag])
    assert result.exit_code == 0
    assert result.stdout == f"provenance, version {__version__}\n"


def test_color_always_paints_a_pipe() -> None:
    assert RED_MISMATCH in _run("verify", "--color", "always", TAMPERED)


def test_color_never_and_auto_off_a_terminal_do_not() -> None:
    assert "\x1b[" not in _run("verify", "--color", "never", TAMPERED, env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in _run("verify", TAMPERED)


def test_force_color_paints_a_ci_log() -> None:
    assert RED_MISMATCH in _run("verify", TAMPERED, env={"FORCE_COLOR": "1"})


def test_no_color_beats_force_color() -> None:
    assert "\x1b[" not in _run("verify", TAMPERED, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})


def test_color_always_beats_no_color() -> None:
    assert RED_MISMATCH in _run("verify", "--color", "always", TAMPERED, env={"NO_COLOR": "1"})


def test_auto_decides_from_environment_and_stream() -> None:
    assert wants_color(Terminal(), {"TERM": "xterm-256color"})
    assert not wants_color(Terminal(), {"TERM": "dumb"})
    assert wants_color(Terminal(), {"TERM": "dumb", "FORCE_COLOR": "1"})
    assert not wants_color(io.StringIO(), {"FORCE_COLOR": ""})  # only a non-empty value counts
    assert wants_color(io.StringIO(), {"NO_COLOR": "1"}, mode="always")
    assert not wants_color(Terminal(), {}, mode="never")


def test_a_report_file_is_painted_only_when_asked(tmp_path: Path) -> None:
    plain, painted = tmp_path / "plain.txt", tmp_path / "painted.txt"
    _run("verify", "-o", str(plain), TAMPERED, env={"FORCE_COLOR": "1"})
    _run("verify", "--color", "always", "-o", str(painted), TAMPERED)
    assert "\x1b[" not in plain.read_text()
    assert RED_MISMATCH in painted.read_text()


def test_an_unknown_color_word_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["verify", "--color", "sometimes", TAMPERED])
    assert result.exit_code == 2
