"""Fuzzing budgets: a few dozen examples per harness in the normal run, more under ``-m fuzz``.

* normal run (``uv run pytest``): each harness runs a few dozen examples, and every committed
  regression input under ``tests/fuzz/regressions/`` is replayed;
* short fuzz run, a few minutes in all (about 5 on this 2-core machine): ``uv run pytest -m fuzz tests/fuzz`` (the archive
  harnesses try a fifth of the budget: each input is a file checked whole);
* long fuzz run: ``PROVENANCE_FUZZ=long uv run pytest -m fuzz tests/fuzz`` (200,000 examples
  per harness; tens of minutes). ``PROVENANCE_FUZZ_EXAMPLES=N`` sets any budget.

A crash found is minimised by hypothesis; save the failing input as a file under
``tests/fuzz/regressions/<harness>/<defect-name>.bin`` and it is replayed on every run.
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: a fuzz harness (budget grows under -m fuzz)")


@pytest.fixture
def examples(request: pytest.FixtureRequest) -> int:
    """How many inputs a harness tries in this run."""
    if "PROVENANCE_FUZZ_EXAMPLES" in os.environ:
        return int(os.environ["PROVENANCE_FUZZ_EXAMPLES"])
    if "fuzz" not in (request.config.getoption("markexpr") or ""):
        return 40
    return 200_000 if os.environ.get("PROVENANCE_FUZZ") == "long" else 15_000
