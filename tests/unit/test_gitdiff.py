"""provenance.gitdiff: which files git says are staged or changed, held to the walk's selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.errors import InputError
from provenance.gitdiff import changed_since, staged, staged_files
from provenance.verify import VerifyOptions
from tests.conftest import git, write


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "a.txt", "a\n")
    write(root, "b.txt", "b\n")
    git(root, "add", ".")
    git(root, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "one")
    monkeypatch.chdir(root)
    return root


def test_staged_files_and_those_changed_again_since(repo: Path) -> None:
    write(repo, "a.txt", "a2\n")
    write(repo, "c.png", "image\n")
    git(repo, "add", "a.txt", "c.png")
    assert staged_files(".") == (
        frozenset({str(repo / "a.txt"), str(repo / "c.png")}),
        frozenset(),
    )
    # The walk's selection applies: a .png is no article.
    assert staged(["."], VerifyOptions()) == ["a.txt"]
    write(repo, "a.txt", "a3\n")
    with pytest.raises(InputError, match=r"a\.txt has changes that are not staged"):
        staged(["."], VerifyOptions())


def test_changed_since_a_ref(repo: Path) -> None:
    write(repo, "b.txt", "b2\n")
    assert changed_since(["."], VerifyOptions(), "HEAD") == ["./b.txt"]
    assert changed_since(["."], VerifyOptions(exclude=("b.txt",)), "HEAD") == []


def test_outside_a_work_tree_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not in a git work tree"):
        staged_files(str(tmp_path))
