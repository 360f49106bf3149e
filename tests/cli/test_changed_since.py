"""`provenance verify --changed-since REF` on a real temporary git repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import article, assert_usage_error, git, invoke, write


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose first commit holds three good articles; `base` tags it."""
    art = article()
    git(tmp_path, "init", "-q", "-b", "main")
    for name in ("a.txt", "b.txt", "sub/c.txt", "sub/d.md"):
        write(tmp_path, name, art.data())
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    git(tmp_path, "tag", "base")
    return tmp_path


def names(stdout: str) -> list[str]:
    return [line.split()[1] for line in stdout.splitlines()[:-1]]


def test_only_files_changed_since_ref_are_checked(repo: Path) -> None:
    art = article()
    write(repo, "b.txt", art.text().replace("twice", "thrice"))  # committed change
    write(repo, "sub/new.txt", art.data())  # committed addition
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "second")
    write(repo, "sub/d.md", art.data(trailer=" x"))  # unstaged change
    write(repo, "untracked.txt", art.data())  # untracked, not ignored
    write(repo, "ignored.txt", art.data())
    write(repo, ".gitignore", "ignored.txt\n")
    result = invoke("verify", "--changed-since", "base", repo)
    assert result.exit_code == 1
    assert names(result.stdout) == [
        f"{repo}/b.txt",
        f"{repo}/sub/d.md",
        f"{repo}/sub/new.txt",
        f"{repo}/untracked.txt",
    ]
    assert result.stdout.splitlines()[-1].startswith("4 files: ")


def test_nothing_changed_is_an_empty_run_that_fails_unless_allowed(repo: Path) -> None:
    # Fail closed: a base ref that is HEAD by mistake (a shallow CI checkout) must not pass.
    result = invoke("verify", "--changed-since", "HEAD", repo)
    assert (result.exit_code, result.stdout) == (1, "no files checked; FAILED\n")
    assert result.stderr == "provenance: no files changed since HEAD\n"
    result = invoke("verify", "--changed-since", "HEAD", "--allow-empty", repo)
    assert (result.exit_code, result.stdout) == (0, "no files to check\n")


def test_deleted_files_are_left_out_and_the_walk_rules_still_apply(repo: Path) -> None:
    (repo / "a.txt").unlink()
    write(repo, "sub/notes.json", "{}")  # not an article suffix
    write(repo, "sub/.hidden.txt", "hidden")
    write(repo, "sub/c.txt", article().data(end=""))
    result = invoke("verify", "--changed-since", "base", "--exclude", "d.md", repo)
    assert names(result.stdout) == [f"{repo}/sub/c.txt"]


def test_paths_below_the_repository_root_and_relative_cwd(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo, "a.txt", article().data(trailer=" x"))
    write(repo, "sub/c.txt", article().data(trailer=" x"))
    monkeypatch.chdir(repo / "sub")
    result = invoke("verify", "--changed-since", "base", ".")
    assert names(result.stdout) == ["./c.txt"]


def test_named_file_unchanged_is_skipped(repo: Path) -> None:
    result = invoke("verify", "--changed-since", "base", "--allow-empty", repo / "a.txt")
    assert (result.exit_code, result.stdout) == (0, "no files to check\n")


def test_unknown_ref_is_a_usage_error(repo: Path) -> None:
    result = invoke("verify", "--changed-since", "no-such-ref", repo)
    assert_usage_error(result)
    assert "unknown git revision 'no-such-ref'" in result.stderr


def test_option_like_ref_is_refused(repo: Path) -> None:
    result = invoke("verify", "--changed-since=--output=/tmp/x", repo)
    assert_usage_error(result)


def test_outside_a_git_work_tree_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    write(folder, "a.txt", article().data())
    result = invoke("verify", "--changed-since", "HEAD", folder)
    assert_usage_error(result)
    assert "is not in a git work tree" in result.stderr
