"""Start-up stays light: what a plain verify and ``--version`` import, in a fresh interpreter.

Start-up time is a performance target (docs/performance.md): every module imported is
paid by each run of ``provenance verify`` on one file, as in a pre-commit hook. These tests
name what must never be imported on that path, so that a top-level import added anywhere
fails here rather than slowing every run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "articles"

# Signing and sealing need cryptography; only junit needs xml.etree; only --changed-since
# needs subprocess (git); a run too small for worker processes needs no multiprocessing.
NEVER_ON_A_PLAIN_VERIFY = (
    "bcrypt",
    "concurrent",
    "cryptography",
    "difflib",
    "importlib.resources",
    "multiprocessing",
    "provenance._stream",
    "provenance.allowed_signers",
    "provenance.archive",
    "provenance.gitdiff",
    "provenance.keys",
    "provenance.manifest",
    "provenance.seal",
    "provenance.sealed",
    "provenance.sign",
    "provenance.signed",
    "provenance.sshsig",
    "provenance.stamp",
    "subprocess",
    "tempfile",
    "xml",
)


def _imported_by(*args: str) -> set[str]:
    script = (
        "import contextlib, io, json, sys\n"
        "from provenance.cli import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        cli.main({list(args)!r}, standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout))


def _offending(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == b or m.startswith(b + ".") for b in banned))


def test_a_plain_verify_imports_nothing_it_does_not_use() -> None:
    modules = _imported_by("verify", str(FIXTURES / "good"))
    assert "provenance.verify" in modules  # The run did check files.
    assert _offending(modules, NEVER_ON_A_PLAIN_VERIFY) == []


def test_a_junit_report_imports_xml_only_then() -> None:
    modules = _imported_by("verify", "--format", "junit", str(FIXTURES / "good"))
    assert "xml.etree.ElementTree" in modules
    assert _offending(modules, ("cryptography", "subprocess")) == []


def test_version_loads_no_library_module() -> None:
    modules = _imported_by("--version")
    library = {m for m in modules if m.startswith("provenance")}
    assert library <= {"provenance", "provenance.errors"} | {
        m for m in library if m.startswith("provenance.cli")
    }
