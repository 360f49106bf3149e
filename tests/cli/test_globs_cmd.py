"""--include/--exclude as users write them (gitignore rules), on the command line and in the
configuration, and --force-exclude for named files (issue 16, item 10)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import article, assert_usage_error, invoke, write


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    art = article()
    bad = art.text().replace("twice", "thrice")
    write(tmp_path, "a/keep.txt", art.data())
    write(tmp_path, "a/drafts/wip.txt", bad)
    write(tmp_path, "b/drafts/wip.txt", bad)
    write(tmp_path, "b/ok.md", art.data())
    return tmp_path


def names(stdout: str) -> list[str]:
    return [line.split()[1] for line in stdout.splitlines()[:-1]]


def test_a_folder_pattern_with_a_trailing_slash_leaves_the_folder_out(tree: Path) -> None:
    result = invoke("verify", "--exclude", "drafts/", tree)
    assert result.exit_code == 0, result.output
    assert names(result.stdout) == [f"{tree}/a/keep.txt", f"{tree}/b/ok.md"]


def test_an_anchored_pattern_matches_from_the_folder_walked(tree: Path) -> None:
    result = invoke("verify", "--exclude", "/a/drafts", tree)
    assert result.exit_code == 1
    assert names(result.stdout) == [
        f"{tree}/a/keep.txt",
        f"{tree}/b/drafts/wip.txt",
        f"{tree}/b/ok.md",
    ]


def test_include_with_a_folder_pattern_and_a_negation(tree: Path) -> None:
    result = invoke("verify", "--include", "b/", "--include", "!drafts/", tree)
    assert result.exit_code == 0, result.output
    assert names(result.stdout) == [f"{tree}/b/ok.md"]


def test_the_configuration_uses_the_same_rules(
    tree: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path_factory.mktemp("cwd")
    write(here, "provenance.toml", 'exclude = ["drafts/"]\n')
    monkeypatch.chdir(here)
    result = invoke("verify", tree)
    assert result.exit_code == 0, result.output
    assert "drafts" not in result.stdout


@pytest.mark.parametrize("option", ["--exclude", "--include"])
@pytest.mark.parametrize("pattern", ["#drafts", "../drafts", ""])
def test_a_pattern_that_never_matches_is_a_usage_error(
    tree: Path, option: str, pattern: str
) -> None:
    result = invoke("verify", option, pattern, tree)
    assert_usage_error(result)
    assert f"{option} {pattern!r} can never match" in result.stderr


def test_a_never_matching_pattern_in_the_configuration_is_refused(
    tree: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path_factory.mktemp("cwd")
    write(here, "provenance.toml", 'exclude = ["./drafts"]\n')
    monkeypatch.chdir(here)
    result = invoke("verify", tree)
    assert_usage_error(result)
    assert "'./drafts' can never match" in result.stderr


def test_named_files_are_checked_whatever_the_globs_say(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    result = invoke("verify", "--exclude", "drafts/", "a/drafts/wip.txt")
    assert result.exit_code == 1
    assert names(result.stdout) == ["a/drafts/wip.txt"]


def test_force_exclude_holds_named_files_to_the_selection(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tree, "logo.png", b"\x89PNG\r\n\x1a\n")
    write(tree, ".hidden/x.txt", "no footer")
    write(tree, "a/SHA256SUMS", "")
    monkeypatch.chdir(tree)
    named = ["a/keep.txt", "a/drafts/wip.txt", "b/drafts/wip.txt", "logo.png"]
    named += [".hidden/x.txt", "a/SHA256SUMS", "b/ok.md"]
    result = invoke("verify", "--force-exclude", "--exclude", "/a/drafts", *named)
    assert result.exit_code == 1
    assert names(result.stdout) == ["a/keep.txt", "b/drafts/wip.txt", "b/ok.md"]


def test_force_exclude_keeps_a_file_outside_the_current_folder(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree / "b")
    result = invoke("verify", "--force-exclude", "--exclude", "drafts/", "../a/drafts/wip.txt")
    assert result.exit_code == 1
    assert names(result.stdout) == [os.path.join("..", "a", "drafts", "wip.txt")]


def test_force_exclude_of_every_named_file_is_an_empty_run(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    result = invoke("verify", "--force-exclude", "--exclude", "drafts/", "a/drafts/wip.txt")
    assert (result.exit_code, result.stdout) == (1, "no files checked; FAILED\n")
    allowed = invoke(
        "verify", "--force-exclude", "--allow-empty", "--exclude", "drafts/", "a/drafts/wip.txt"
    )
    assert (allowed.exit_code, allowed.stdout) == (0, "no files to check\n")
