"""The examples in the docstrings are tests too: each module's doctests pass."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import provenance

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(provenance.__path__, prefix="provenance.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    outcome = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert outcome.failed == 0, f"{outcome.failed} doctest(s) failed in {name}"


def test_the_modules_with_examples_are_found() -> None:
    # A walk that found nothing would let every doctest rot unseen.
    assert {"provenance.canonical", "provenance.parsing", "provenance.verify"} <= set(MODULES)
