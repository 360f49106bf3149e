"""An endless stdin (``verify - < /dev/zero``) or list (``--files-from -``) costs a bounded read.

A pipe has no size to check before reading: the read stops one byte past the limit, with a
usage error naming what was too large, never a run that eats memory until it is killed.
"""

from __future__ import annotations

import importlib
import io

import pytest
from click.testing import CliRunner

from provenance.cli import cli


class Endless(io.RawIOBase):
    """A stream that never ends, and counts what was read from it."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = len(buffer)
        buffer[:size] = b"a" * size
        self.given += size
        return size


@pytest.mark.parametrize(
    ("args", "limit"),
    [
        (["verify", "-"], ("provenance.parsing", "MAX_PARSE_SIZE")),
        (["parse", "-"], ("provenance.parsing", "MAX_PARSE_SIZE")),
        (["verify", "--files-from", "-"], ("provenance.cli._articles", "MAX_LIST_SIZE")),
    ],
)
def test_an_endless_stream_is_refused_after_its_limit(
    args: list[str], limit: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    module, name = limit
    monkeypatch.setattr(importlib.import_module(module), name, 3 << 20)
    stream = Endless()
    result = CliRunner().invoke(cli, args, input=stream)
    assert result.exit_code == 2, result.output
    assert "is larger than 3145728 bytes: not read further" in result.stderr
    assert "Traceback" not in result.output
    assert stream.given <= (3 << 20) + (1 << 20)
