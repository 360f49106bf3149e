"""The pre-commit hook (.pre-commit-hooks.yaml): only the staged articles are verified.

Two ways, both offline on a throwaway git repository:

* pre-commit itself (when it is installed: it is in the dev dependency group), with a local
  hook built from the manifest's own fields. The manifest says ``language: python``, which
  makes pre-commit pip-install provenance from PyPI into a fresh environment; the tests run
  offline, so the hook here says ``language: system`` and runs the ``provenance`` of this
  environment instead. Everything else (entry, files, exclude, types, require_serial) is the
  manifest's. ``pre-commit try-repo <this repo> provenance-verify`` checks the python
  install too, with network access (docs/ci.md).
* the hook's entry invoked exactly as pre-commit invokes it: the staged files
  (``git diff --staged --name-only``) matching ``files`` and not ``exclude``, appended to
  ``entry`` and ``args``, run from the repository root.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GIT_ENV, ROOT, article, write

MANIFEST = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent


def read_manifest() -> dict[str, object]:
    """The one hook of the manifest, read with a reader for its small YAML subset.

    (PyYAML is not a dependency; the manifest is a list of one mapping of scalars and
    flow sequences, and a test below checks it against PyYAML when that is installed.)
    """
    hooks: list[dict[str, object]] = []
    for raw in MANIFEST.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw.startswith("- "):
            hooks.append({})
            raw = "  " + raw[2:]
        key, _, value = raw.strip().partition(": ")
        hooks[-1][key] = _scalar(value.strip())
    assert len(hooks) == 1
    return hooks[0]


def _scalar(value: str) -> object:
    if value.startswith("[") and value.endswith("]"):
        return [item.strip() for item in value[1:-1].split(",") if item.strip()]
    if value in ("true", "false"):
        return value == "true"
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


HOOK = read_manifest()


def test_manifest_declares_the_hook() -> None:
    assert HOOK["id"] == "provenance-verify"
    assert HOOK["entry"] == "provenance verify"
    assert HOOK["language"] == "python"
    assert HOOK["require_serial"] is True
    assert HOOK.get("pass_filenames", True) is True  # pre-commit passes the staged files


def test_manifest_reader_agrees_with_pyyaml() -> None:
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load(MANIFEST.read_text(encoding="utf-8")) == [HOOK]


@pytest.mark.parametrize(
    ("path", "taken"),
    [
        ("a.txt", True),
        ("news/2022/b.md", True),
        ("news/README", True),
        ("news/.hidden", False),
        ("image.png", False),
        ("data.json", False),
        ("SHA256SUMS", False),
        ("news/a.txt.sig", False),
    ],
)
def test_files_and_exclude_select_articles(path: str, taken: bool) -> None:
    files = re.compile(str(HOOK["files"]))
    exclude = re.compile(str(HOOK["exclude"]))
    assert (bool(files.search(path)) and not exclude.search(path)) is taken


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **GIT_ENV,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=check, capture_output=True, text=True
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A content repository: one committed article, then staged and unstaged edits."""
    art = article()
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "old.txt", art.data())
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    write(tmp_path, "staged-good.txt", art.data())
    write(tmp_path, "notes.json", "{}")
    git(tmp_path, "add", "staged-good.txt", "notes.json")
    write(tmp_path, "unstaged-bad.txt", art.text().replace("twice", "thrice"))
    return tmp_path


def staged_files(repo: Path) -> list[str]:
    """The files pre-commit hands to a hook on commit, filtered by the manifest's globs."""
    out = git(
        repo, "diff", "--staged", "--name-only", "--no-ext-diff", "-z", "--diff-filter=ACMRTUXB"
    )
    files = re.compile(str(HOOK["files"]))
    exclude = re.compile(str(HOOK["exclude"]))
    names = [name for name in out.stdout.split("\0") if name]
    return [n for n in names if files.search(n) and not exclude.search(n)]


def run_entry(repo: Path) -> subprocess.CompletedProcess[str]:
    """The hook's entry as pre-commit runs it: entry + args + file names, from the root."""
    args = HOOK.get("args", [])
    assert isinstance(args, list)
    command = shlex.split(str(HOOK["entry"])) + [str(arg) for arg in args] + staged_files(repo)
    command[0] = str(BIN / command[0])
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)


def test_entry_verifies_only_the_staged_articles(repo: Path) -> None:
    assert staged_files(repo) == ["staged-good.txt"]
    done = run_entry(repo)
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "ok            staged-good.txt\n1 file: 1 ok; passed\n",
        "",
    )


def test_entry_fails_on_a_staged_tampered_article(repo: Path) -> None:
    git(repo, "add", "unstaged-bad.txt")
    done = run_entry(repo)
    assert done.returncode == 1
    assert "mismatch      unstaged-bad.txt" in done.stdout


# --- pre-commit itself -------------------------------------------------------------------------


def local_config() -> str:
    """The manifest's hook as a local hook that runs this environment's provenance."""
    fields = {**HOOK, "language": "system"}
    fields.pop("minimum_pre_commit_version", None)
    lines = ["repos:", "- repo: local", "  hooks:"]
    first = True
    for key, value in fields.items():
        shown = "[" + ", ".join(map(str, value)) + "]" if isinstance(value, list) else value
        if isinstance(value, bool):
            shown = "true" if value else "false"
        elif isinstance(value, str):
            shown = "'" + value.replace("'", "''") + "'"
        lines.append(f"  {'- ' if first else '  '}{key}: {shown}")
        first = False
    return "\n".join(lines) + "\n"


@pytest.fixture
def pre_commit(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    pytest.importorskip("pre_commit", reason="pre-commit is in the dev dependency group")
    return [sys.executable, "-m", "pre_commit"]


def run_pre_commit(repo: Path, command: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(repo.parent / f"{repo.name}-pre-commit-home"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [*command, *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )


def test_pre_commit_runs_the_hook_on_staged_files_only(repo: Path, pre_commit: list[str]) -> None:
    write(repo, ".pre-commit-config.yaml", local_config())
    git(repo, "add", ".pre-commit-config.yaml")
    done = run_pre_commit(repo, pre_commit, "run", "--verbose", "--color", "never")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok            staged-good.txt" in done.stdout
    assert "1 file: 1 ok; passed" in done.stdout
    assert "unstaged-bad.txt" not in done.stdout


def test_pre_commit_blocks_a_commit_of_a_tampered_article(
    repo: Path, pre_commit: list[str]
) -> None:
    write(repo, ".pre-commit-config.yaml", local_config())
    git(repo, "add", ".pre-commit-config.yaml", "unstaged-bad.txt")
    installed = run_pre_commit(repo, pre_commit, "install")
    assert installed.returncode == 0, installed.stderr
    env_path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    commit = subprocess.run(
        ["git", "commit", "-m", "tampered"],
        cwd=repo,
        env={
            **os.environ,
            "PATH": env_path,
            "PRE_COMMIT_HOME": str(repo.parent / f"{repo.name}-pre-commit-home"),
            **GIT_ENV,
            "NO_COLOR": "1",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert commit.returncode != 0
    assert "mismatch      unstaged-bad.txt" in commit.stdout + commit.stderr
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "1"  # nothing committed


def test_pre_commit_checks_the_staged_content_not_the_work_tree(
    repo: Path, pre_commit: list[str]
) -> None:
    """pre-commit stashes unstaged edits: a good staged version of a file that is damaged in
    the work tree passes, because the damage is not what would be committed."""
    write(repo, ".pre-commit-config.yaml", local_config())
    git(repo, "add", ".pre-commit-config.yaml")
    write(repo, "staged-good.txt", article().text().replace("twice", "thrice"))
    done = run_pre_commit(repo, pre_commit, "run", "--verbose", "--color", "never")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok            staged-good.txt" in done.stdout
