"""Attacks through the checked repository's own git configuration (``--changed-since``).

``--changed-since`` runs git inside the checked tree, and a repository's ``.git/config`` can
name programs that git runs: ``core.fsmonitor`` (on every index refresh), a ``filter.*.clean``
driver (to hash a work-tree file whose stat data changed), ``diff.external`` and textconv
drivers (not run by ``--name-only`` today; disabled all the same), hooks. Whoever hands over a repository to check must not run code by it. Each test
points one of these at a script that creates a marker file, and asserts that the marker never
appears while the run still reports the changed files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.attacks.conftest import assert_clean
from tests.conftest import article, git, invoke, write


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A repository with one committed article, a marker path and a script that creates it."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "a.txt", article().data())
    write(repo, "b.txt", article().data())
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    marker = tmp_path / "ran"
    script = tmp_path / "evil.sh"
    # Leaves its mark first (git kills a filter process that fails its handshake), then
    # echoes its input back, as a clean filter would.
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\nexec cat\n")
    script.chmod(0o755)
    return repo, marker, script


def changed_run(repo: Path) -> None:
    # A new mtime on an unchanged file: git must look at its content (racy-clean check).
    os.utime(repo / "a.txt", (1, 1))
    write(repo, "b.txt", article().data(trailer=" x"))
    result = invoke("verify", "--changed-since", "HEAD", repo)
    assert_clean(result, 0)
    assert result.stdout.splitlines()[0].split()[1] == f"{repo}/b.txt"


def test_core_fsmonitor_of_the_checked_repository_never_runs(
    hostile: tuple[Path, Path, Path],
) -> None:
    repo, marker, script = hostile
    git(repo, "config", "core.fsmonitor", str(script))
    changed_run(repo)
    assert not marker.exists()


@pytest.mark.parametrize(
    "keys",
    [
        ("filter.evil.clean",),
        ("filter.evil.process",),
        ("filter.evil.clean", "filter.evil.required"),
    ],
    ids=["clean", "process", "required-clean"],
)
def test_filter_drivers_of_the_checked_repository_never_run(
    hostile: tuple[Path, Path, Path], keys: tuple[str, ...]
) -> None:
    repo, marker, script = hostile
    write(repo, ".gitattributes", "*.txt filter=evil diff=evil\n")
    for key in keys:
        git(repo, "config", key, "true" if key.endswith(".required") else str(script))
    changed_run(repo)
    assert not marker.exists()


def test_hooks_of_the_checked_repository_never_run(hostile: tuple[Path, Path, Path]) -> None:
    repo, marker, script = hostile
    hooks = repo / ".git" / "hooks"
    for name in ("post-index-change", "post-checkout", "pre-auto-gc"):
        (hooks / name).write_bytes(script.read_bytes())
        (hooks / name).chmod(0o755)
    git(repo, "config", "core.hooksPath", str(hooks))
    changed_run(repo)
    assert not marker.exists()


def test_a_repository_git_refuses_is_a_clear_error_never_a_pass(
    hostile: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # git refuses a repository owned by another user ("dubious ownership"); the tests run as
    # one user, so the refusal is simulated with git's own switch for it.
    repo, _, _ = hostile
    write(repo, "b.txt", article().data(trailer=" x"))
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    result = invoke("verify", "--changed-since", "HEAD", repo)
    assert_clean(result, 2)
    assert "owned by another user" in result.stderr
    assert "safe.directory" in result.stderr
