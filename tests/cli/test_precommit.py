"""The pre-commit hooks (.pre-commit-hooks.yaml), run by pre-commit itself.

Every test runs ``pre-commit try-repo`` (or an installed git hook) in a throwaway content
repository, offline. The manifest says ``language: python``, which makes pre-commit
pip-install provenance from PyPI into a fresh environment; the tests run offline, so
they try a copy of this repository's manifest, committed in a throwaway hook repository,
in which only ``language`` is changed to ``system``: the ``provenance`` of this environment
runs. Everything else (entry, types, files, exclude, pass_filenames, require_serial) is
the manifest's own. ``pre-commit try-repo <this repo> provenance-verify`` checks the python
install too, with network access (docs/ci.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import BODY, GIT_ENV, ROOT, article, notice, write

MANIFEST = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent
HOOKS = {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}
#: A token that is not the digest of either text that carries it (publisher inference: SPEC §3).
SHARED_TOKEN = "0123456789abcdef0123456789abcdef"


def test_manifest_declares_both_hooks() -> None:
    assert sorted(HOOKS) == ["provenance-verify", "provenance-verify-staged"]
    names = HOOKS["provenance-verify"]
    assert names["entry"] == "provenance verify --force-exclude --allow-empty"
    assert names.get("pass_filenames", True) is True
    staged = HOOKS["provenance-verify-staged"]
    assert staged["entry"] == "provenance verify --staged --allow-empty ."
    assert staged["pass_filenames"] is False
    for hook in HOOKS.values():
        assert hook["language"] == "python"
        assert hook["types"] == ["text"]  # No binary reaches the check.
        assert hook["require_serial"] is True


def _env(repo: Path) -> dict[str, str]:
    return {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "NO_COLOR": "1",
    }


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=repo, env=_env(repo), check=True, capture_output=True, text=True
    )


@pytest.fixture
def hook_repo(tmp_path: Path) -> Path:
    """A committed copy of the manifest whose hooks run this environment's provenance."""
    pytest.importorskip("pre_commit", reason="pre-commit is in the dev dependency group")
    hooks = [{**hook, "language": "system"} for hook in HOOKS.values()]
    folder = tmp_path / "hooks"
    folder.mkdir()
    git(folder, "init", "-q", "-b", "main")
    write(folder, ".pre-commit-hooks.yaml", yaml.safe_dump(hooks, sort_keys=False))
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "hooks")
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A content repository: one committed article, then staged and unstaged edits."""
    art = article()
    content = tmp_path / "content"
    content.mkdir()
    git(content, "init", "-q", "-b", "main")
    write(content, "old.txt", art.data())
    git(content, "add", ".")
    git(content, "commit", "-q", "-m", "first")
    write(content, "staged-good.txt", art.data())
    write(content, "notes.json", "{}")
    git(content, "add", "staged-good.txt", "notes.json")
    write(content, "unstaged-bad.txt", art.text().replace("twice", "thrice"))
    return content


def try_repo(repo: Path, hooks: Path, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo HOOKS HOOK`` in ``repo``: the staged files, as a commit runs it."""
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), hook]
    return subprocess.run(
        [*command, "--verbose", "--color", "never", *args],
        cwd=repo,
        env=_env(repo),
        capture_output=True,
        text=True,
        check=False,
    )


BOTH = pytest.mark.parametrize("hook", ["provenance-verify", "provenance-verify-staged"])


@BOTH
def test_hook_checks_the_staged_articles_only(repo: Path, hook_repo: Path, hook: str) -> None:
    done = try_repo(repo, hook_repo, hook)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok            staged-good.txt" in done.stdout
    assert "1 file: 1 ok; passed" in done.stdout
    assert "unstaged-bad.txt" not in done.stdout
    assert "old.txt" not in done.stdout


@BOTH
def test_hook_fails_on_a_staged_tampered_article(repo: Path, hook_repo: Path, hook: str) -> None:
    git(repo, "add", "unstaged-bad.txt")
    done = try_repo(repo, hook_repo, hook)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "mismatch      unstaged-bad.txt" in done.stdout


@BOTH
def test_hook_honours_the_configured_exclude(repo: Path, hook_repo: Path, hook: str) -> None:
    """Issue 16 item 4a: pre-commit names the files, and named files used to be checked
    whatever the configuration's ``exclude`` said."""
    write(repo, "drafts/wip.txt", article().text().replace("twice", "thrice"))
    write(repo, "pyproject.toml", '[tool.provenance]\nexclude = ["drafts/"]\n')
    git(repo, "add", "drafts/wip.txt", "pyproject.toml")
    done = try_repo(repo, hook_repo, hook)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "drafts/wip.txt" not in done.stdout
    assert "1 file: 1 ok; passed" in done.stdout


@BOTH
def test_hook_leaves_binaries_and_the_configured_selection_alone(
    repo: Path, hook_repo: Path, hook: str
) -> None:
    """Item 4b: a binary with no suffix (``logo``) is never sent, and a text file outside the
    configuration's ``include`` is left out; ``--strict`` would fail either."""
    write(repo, "logo", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
    write(repo, "LICENSE", "Permission is hereby granted, free of charge.\n")
    write(repo, "provenance.toml", 'include = ["*.txt"]\nstrict = true\n')
    git(repo, "add", "logo", "LICENSE", "provenance.toml")
    done = try_repo(repo, hook_repo, hook)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "logo" not in done.stdout
    assert "LICENSE" not in done.stdout
    assert "1 file: 1 ok; passed under --strict" in done.stdout


@BOTH
def test_hook_passes_a_commit_whose_files_are_all_left_out(
    repo: Path, hook_repo: Path, hook: str
) -> None:
    write(repo, "pyproject.toml", '[tool.provenance]\nexclude = ["*.txt"]\n')
    git(repo, "add", "pyproject.toml")
    done = try_repo(repo, hook_repo, hook)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no files to check" in done.stdout


def test_staged_hook_checks_every_staged_file_in_one_run(repo: Path, hook_repo: Path) -> None:
    """Item 4c: the staged hook gets no names from pre-commit (which splits long lists), so
    one run sees every file: a token two differing files share is a publisher token."""
    for name, body in (("a/one.txt", BODY), ("b/two.txt", BODY.replace("twice", "once"))):
        write(repo, name, f"{body}\n{notice('Example Wire')} {SHARED_TOKEN}\n")
    git(repo, "add", "a", "b")
    done = try_repo(repo, hook_repo, "provenance-verify-staged")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "unverifiable  a/one.txt" in done.stdout
    assert "unverifiable  b/two.txt" in done.stdout
    assert done.stdout.count("3 files: 1 ok, 2 unverifiable; passed") == 1


def test_pre_commit_blocks_a_commit_of_a_tampered_article(repo: Path, hook_repo: Path) -> None:
    config = f"repos:\n- repo: {hook_repo}\n  rev: {git(hook_repo, 'rev-parse', 'HEAD').stdout}"
    config += "  hooks:\n  - id: provenance-verify\n"
    write(repo, ".pre-commit-config.yaml", config)
    git(repo, "add", ".pre-commit-config.yaml", "unstaged-bad.txt")
    run = [sys.executable, "-m", "pre_commit", "install"]
    installed = subprocess.run(run, cwd=repo, env=_env(repo), capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    commit = subprocess.run(
        ["git", "commit", "-m", "tampered"],
        cwd=repo,
        env=_env(repo),
        capture_output=True,
        text=True,
        check=False,
    )
    assert commit.returncode != 0
    assert "mismatch      unstaged-bad.txt" in commit.stdout + commit.stderr
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "1"  # nothing committed


@BOTH
def test_hook_checks_the_staged_content_not_the_work_tree(
    repo: Path, hook_repo: Path, hook: str
) -> None:
    """pre-commit stashes unstaged edits: a good staged version of a file that is damaged in
    the work tree passes, because the damage is not what would be committed."""
    write(repo, "staged-good.txt", article().text().replace("twice", "thrice"))
    done = try_repo(repo, hook_repo, hook)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok            staged-good.txt" in done.stdout
