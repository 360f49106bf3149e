"""Attack tests: markers, and what every attack must end in.

``long`` marks an attack that takes more than ~20 s (a 2 GB file, 200,000 files...). The
normal run skips it; ``uv run pytest -m long tests/attacks`` runs it (so does any ``-m``
expression naming ``long``).
"""

from __future__ import annotations

import pytest
from click.testing import Result


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "long: an attack that takes more than ~20 s (run: -m long)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "long" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="long attack: run with `uv run pytest -m long tests/attacks`")
    for item in items:
        if item.get_closest_marker("long") is not None:
            item.add_marker(skip)


def assert_clean(result: Result, exit_code: int) -> None:
    """The command ended with ``exit_code``, and nothing on any stream is a traceback."""
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
