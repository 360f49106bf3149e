"""``--changed-since REF`` and ``--staged``: narrow a run to the files git says changed.

``--staged`` takes the files staged for the next commit (``git diff --cached``), with the
same walk rules on top.

"Changed" means what ``git diff --name-only REF`` lists (committed since REF, staged or not
yet staged; the work tree against REF), plus untracked files git does not ignore, less the
files that were deleted. The usual folder-walk rules still apply on top (hidden entries,
include and exclude globs, default suffixes), so ``--changed-since`` only ever removes
files from the run, never adds one the walk would not take.

Git runs inside the checked tree, whose ``.git/config`` is as untrusted as its articles, and
a repository's configuration can name programs for git to run: ``core.fsmonitor`` (on every
index refresh), ``filter.<driver>.clean``/``process`` (to hash a work-tree file whose stat
data changed), external diff and textconv drivers, hooks (``post-index-change``). So every
git command here gets settings on its own command line, which outrank every configuration
file: no fsmonitor, hooks looked for in ``/dev/null``, no external diff or textconv, and each
filter driver the configuration defines emptied (a file is then hashed as it is, so at worst
it counts as changed and is checked). The system configuration is skipped
(``GIT_CONFIG_NOSYSTEM``) and git never writes the checked repository's index
(``GIT_OPTIONAL_LOCKS=0``). The user's own global configuration is kept: it is theirs, and
it holds their ``safe.directory`` list. Git refuses a repository owned by another user
("dubious ownership"); that is reported as an error with the way out, never skipped.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence

from provenance.errors import InputError, OperationalError
from provenance.verify import VerifyOptions, iter_targets

#: ``-c`` settings that keep git from running any program the repository's config names.
_SAFE_SETTINGS = ("core.fsmonitor=false", "core.hooksPath=/dev/null", "diff.external=")
#: The keys of a filter driver that name a program.
_FILTER_PROGRAMS = (".clean", ".smudge", ".process")


def _git(args: Sequence[str], cwd: str, settings: Sequence[str] = ()) -> str:
    """Run ``git ARGS`` in ``cwd`` with the safe settings (and ``settings``) on its command line."""
    options = [item for setting in (*_SAFE_SETTINGS, *settings) for item in ("-c", setting)]
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        completed = subprocess.run(
            ["git", "--no-pager", *options, *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            check=False,
        )
    except FileNotFoundError as exc:
        raise OperationalError("--changed-since needs git, and git is not installed") from exc
    except OSError as exc:
        raise OperationalError(f"cannot run git: {exc.strerror or exc}") from exc
    if completed.returncode != 0:
        raise _GitFailed(completed.stderr.strip() or f"git {args[0]} failed")
    return completed.stdout


def _no_filters(top: str) -> list[str]:
    """``-c`` settings that empty every filter driver the repository's configuration defines.

    Reading the configuration runs nothing. A driver marked ``required`` is released too, so
    that git hashes the file as it is instead of failing.
    """
    try:
        listed = _git(["config", "--null", "--get-regexp", r"^filter\."], top)
    except _GitFailed:
        return []  # No filter.* key at all: git config exits 1.
    settings = []
    for entry in _nul_separated(listed):
        key = entry.split("\n", 1)[0]
        if key.endswith(_FILTER_PROGRAMS):
            settings.append(f"{key}=")
        elif key.endswith(".required"):
            settings.append(f"{key}=false")
    return settings


class _GitFailed(Exception):
    pass


def _nul_separated(text: str) -> list[str]:
    return [name for name in text.split("\0") if name]


def _work_tree(where: str, option: str) -> str:
    """The top folder of the git work tree holding ``where``; ``option`` names the caller."""
    folder = where if os.path.isdir(where) else os.path.dirname(where) or "."
    try:
        return _git(["rev-parse", "--show-toplevel"], folder).strip()
    except _GitFailed as exc:
        if "dubious ownership" in str(exc):
            raise InputError(
                f"{option}: git refuses {where}: the repository is owned by another user",
                hint="run as its owner, or if you trust it, add it to safe.directory in your"
                " own git configuration (git config --global --add safe.directory PATH)",
            ) from None
        raise InputError(f"{option}: {where} is not in a git work tree ({exc})") from None


def staged_files(where: str) -> tuple[frozenset[str], frozenset[str]]:
    """The real paths of the files staged for the next commit in the work tree holding
    ``where``, and of those whose work-tree copy differs from the staged one.

    Deleted files are not listed (there is nothing to check).

    >>> staged_files(".")  # doctest: +SKIP
    (frozenset({'/repo/articles/new.txt'}), frozenset())
    """
    top = _work_tree(where, "--staged")
    filters = _no_filters(top)
    names = ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv"]
    try:
        staged = _nul_separated(_git([*names, "--cached", "--diff-filter=d", "--"], top, filters))
        unstaged = set(_nul_separated(_git([*names, "--"], top, filters)))
    except _GitFailed as exc:
        raise OperationalError(f"--staged: git failed: {exc}") from None

    def real(names: Iterable[str]) -> frozenset[str]:
        return frozenset(os.path.realpath(os.path.join(top, name)) for name in names)

    return real(staged), real(name for name in staged if name in unstaged)


def changed_files(ref: str, where: str) -> frozenset[str]:
    """The real paths of the files changed since ``ref`` in the git work tree holding ``where``.

    >>> changed_files("HEAD~1", ".")  # doctest: +SKIP
    frozenset({'/repo/articles/new.txt'})
    """
    if not ref or ref.startswith("-"):
        raise InputError(f"--changed-since: {ref!r} is not a git revision")
    top = _work_tree(where, "--changed-since")
    try:
        _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], top)
    except _GitFailed:
        raise InputError(
            f"--changed-since: unknown git revision {ref!r}",
            hint="in a shallow CI clone, fetch the base first (e.g. fetch-depth: 0)",
        ) from None
    filters = _no_filters(top)
    try:
        changed = _git(
            [
                "diff",
                "--name-only",
                "-z",
                "--no-renames",
                "--no-ext-diff",
                "--no-textconv",
                "--diff-filter=d",
                ref,
                "--",
            ],
            top,
            filters,
        )
        untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top, filters)
    except _GitFailed as exc:
        raise OperationalError(f"--changed-since: git failed: {exc}") from None
    names = _nul_separated(changed) + _nul_separated(untracked)
    return frozenset(os.path.realpath(os.path.join(top, name)) for name in names)


def select_changed(
    paths: Iterable[str], options: VerifyOptions, changed: frozenset[str]
) -> list[str]:
    """The files the run over ``paths`` would check that are in ``changed``, in walk order."""
    selected = []
    for target in iter_targets(paths, options):
        if target.error is None and os.path.realpath(target.path) in changed:
            selected.append(target.display)
    return selected


def changed_since(paths: Sequence[str], options: VerifyOptions, ref: str) -> list[str]:
    """The files of ``paths`` changed since ``ref``: what ``verify --changed-since`` checks."""
    where = os.path.commonpath([os.path.abspath(path) for path in paths]) if paths else "."
    return select_changed(paths, options, changed_files(ref, where))


def staged(paths: Sequence[str], options: VerifyOptions) -> list[str]:
    """The files of ``paths`` staged for the next commit: what ``verify --staged`` checks."""
    where = os.path.commonpath([os.path.abspath(path) for path in paths]) if paths else "."
    staged_now, differ = staged_files(where)
    # Named as git names them (a.txt, not ./a.txt): the paths a commit's author knows.
    selected = [name.removeprefix("./") for name in select_changed(paths, options, staged_now)]
    # The files are read from the work tree: a staged file whose work-tree copy differs
    # would be checked for what will not be committed. That is refused rather than passed.
    # pre-commit stashes such changes before it runs a hook: there the work tree is the commit.
    # A staged file deleted from the work tree is no walk's to select: it is refused whatever
    # its name, since the walk cannot say whether it would have been checked.
    unlike = [name for name in selected if os.path.realpath(name) in differ]
    unlike += sorted(os.path.relpath(path) for path in differ if not os.path.lexists(path))
    if unlike:
        more = f" (and {len(unlike) - 1} more)" if len(unlike) > 1 else ""
        raise InputError(
            f"--staged: {unlike[0]}{more} has changes that are not staged: the work tree is"
            " not what would be committed",
            hint="stage them, or stash them (git stash --keep-index); pre-commit does that itself",
        )
    return selected
