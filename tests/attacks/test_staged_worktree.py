"""Attack: a tampered article staged for commit, with a good copy left in the work tree.

`verify --staged` reads the work tree; had it checked the good copy, the commit of the
tampered one would pass. A staged article whose work-tree copy differs is refused instead
(exit 2), and the run never says "passed".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import article, assert_usage_error, git, invoke, write


def test_a_work_tree_copy_unlike_the_staged_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    art = article()
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "a.txt", art.text().replace("twice", "thrice"))
    write(tmp_path, "b.txt", art.data())
    git(tmp_path, "add", ".")
    write(tmp_path, "a.txt", art.data())  # The good copy, not staged.
    monkeypatch.chdir(tmp_path)
    result = invoke("verify", "--staged", ".")
    assert_usage_error(result)
    assert result.stderr.startswith(
        "provenance: error: --staged: a.txt has changes that are not staged: the work tree"
        " is not what would be committed\n"
    )
    assert "passed" not in result.stdout


def test_a_staged_file_deleted_from_the_work_tree_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "a.txt", "tampered, no footer")
    git(tmp_path, "add", ".")
    (tmp_path / "a.txt").unlink()
    monkeypatch.chdir(tmp_path)
    assert_usage_error(invoke("verify", "--staged", "--allow-empty", "."))


def test_a_binary_with_unstaged_changes_that_is_never_checked_does_not_matter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "b.txt", article().data())
    write(tmp_path, "photo.png", b"\x89PNG one")
    git(tmp_path, "add", ".")
    write(tmp_path, "photo.png", b"\x89PNG two")
    monkeypatch.chdir(tmp_path)
    result = invoke("verify", "--staged", ".")
    assert (result.exit_code, result.stdout) == (0, "ok            b.txt\n1 file: 1 ok; passed\n")
