"""`provenance verify --staged` on a real temporary git repository (issue 16, item 4c)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import article, assert_usage_error, git, invoke, write


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    art = article()
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "old.txt", art.text().replace("twice", "thrice"))  # committed, not staged
    write(tmp_path, "gone.txt", art.data())
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    write(tmp_path, "news/a.txt", art.data())
    write(tmp_path, "news/b.md", art.data())
    write(tmp_path, "drafts/c.txt", art.text().replace("twice", "thrice"))
    write(tmp_path, "photo.png", b"\x89PNG\r\n\x1a\n")
    write(tmp_path, "untracked.txt", "no footer")
    git(tmp_path, "add", "news", "drafts", "photo.png")
    git(tmp_path, "rm", "-q", "gone.txt")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def names(stdout: str) -> list[str]:
    return [line.split()[1] for line in stdout.splitlines()[:-1]]


def test_only_the_staged_articles_are_checked(repo: Path) -> None:
    result = invoke("verify", "--staged", "--exclude", "drafts/", ".")
    assert result.exit_code == 0, result.output
    assert names(result.stdout) == ["news/a.txt", "news/b.md"]
    assert result.stdout.endswith("2 files: 2 ok; passed\n")


def test_a_staged_tampered_article_fails(repo: Path) -> None:
    result = invoke("verify", "--staged", ".")
    assert result.exit_code == 1
    assert names(result.stdout) == ["drafts/c.txt", "news/a.txt", "news/b.md"]


def test_paths_narrow_the_staged_files(repo: Path) -> None:
    result = invoke("verify", "--staged", "news/b.md", "drafts")
    assert names(result.stdout) == ["news/b.md", "drafts/c.txt"]


def test_nothing_staged_is_an_empty_run(repo: Path) -> None:
    git(repo, "commit", "-q", "-m", "second")
    result = invoke("verify", "--staged", ".")
    assert (result.exit_code, result.stdout) == (1, "no files checked; FAILED\n")
    assert result.stderr == "provenance: no staged files to check\n"


def test_staged_outside_a_work_tree_is_a_usage_error(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    outside = tmp_path_factory.mktemp("plain")
    write(outside, "a.txt", article().data())
    result = invoke("verify", "--staged", outside)
    assert_usage_error(result)
    assert "--staged: " in result.stderr and "is not in a git work tree" in result.stderr


def test_staged_and_changed_since_exclude_each_other(repo: Path) -> None:
    assert_usage_error(invoke("verify", "--staged", "--changed-since", "HEAD", "."))


def test_the_configuration_at_the_root_applies(repo: Path) -> None:
    """`verify --staged .` from the root: the root's configuration is the repository's own,
    not a configuration inside a checked folder (the files checked are the staged ones)."""
    write(repo, "pyproject.toml", '[tool.provenance]\nexclude = ["drafts/"]\n')
    result = invoke("verify", "--staged", ".")
    assert result.exit_code == 0, result.output
    assert names(result.stdout) == ["news/a.txt", "news/b.md"]


def test_a_configuration_that_is_itself_checked_is_refused(repo: Path) -> None:
    write(repo, "provenance.toml", 'include = ["*"]\n')
    git(repo, "add", "provenance.toml")
    result = invoke("verify", "--staged", ".")
    assert_usage_error(result)
    assert "configuration file inside the checked path" in result.stderr
