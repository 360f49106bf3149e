"""provenance (the package): its public names are what ``__all__`` says, in any import order."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import provenance
from tests.conftest import ROOT

#: Prints, for each name of ``provenance.__all__``, what it is: ``module`` when a submodule
#: took its place, else the module and name that define it. ``first`` says which comes
#: first: reading the names, or importing every submodule (pkgutil.walk_packages).
_SCRIPT = """
import importlib, json, pkgutil, sys, types
import provenance

def describe():
    seen = {}
    for name in provenance.__all__:
        value = getattr(provenance, name)
        if isinstance(value, types.ModuleType):
            seen[name] = "module"
        else:
            seen[name] = f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
    return seen

def import_all():
    for info in pkgutil.walk_packages(provenance.__path__, "provenance."):
        importlib.import_module(info.name)

if sys.argv[1] == "names":
    before = describe()
    objects = {name: getattr(provenance, name) for name in provenance.__all__}
    import_all()
    same = [name for name in provenance.__all__ if getattr(provenance, name) is objects[name]]
    print(json.dumps({"before": before, "after": describe(), "same": same}))
else:
    import_all()
    print(json.dumps({"after": describe()}))
"""


def _run(first: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, first],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("first", ["names", "submodules"])
def test_no_public_name_is_shadowed_by_a_submodule(first: str) -> None:
    found = _run(first)
    after = found["after"]
    assert isinstance(after, dict)
    assert [name for name, what in after.items() if what == "module"] == []
    if first == "names":
        assert found["before"] == after
        assert found["same"] == provenance.__all__


def test_parse_is_the_function_after_its_module_is_imported() -> None:
    import provenance.parsing

    assert provenance.parse is provenance.parsing.parse
    assert provenance.parse(b"Text.\n").body == "Text.\n"  # type: ignore[union-attr]


def test_every_public_name_resolves() -> None:
    for name in provenance.__all__:
        assert getattr(provenance, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        provenance.nope  # noqa: B018
