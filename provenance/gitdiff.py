"""``--changed-since REF``: narrow a run to the files git says changed since a commit.

"Changed" means what ``git diff --name-only REF`` lists (committed since REF, staged or not
yet staged; the work tree against REF), plus untracked files git does not ignore, less the
files that were deleted. The usual folder-walk rules still apply on top (hidden entries,
include and exclude globs, default suffixes), so ``--changed-since`` only ever removes
files from the run, never adds one the walk would not take.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence

from provenance.errors import InputError, OperationalError
from provenance.verify import VerifyOptions, iter_targets


def _git(args: Sequence[str], cwd: str) -> str:
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=cwd,
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


class _GitFailed(Exception):
    pass


def _nul_separated(text: str) -> list[str]:
    return [name for name in text.split("\0") if name]


def changed_files(ref: str, where: str) -> frozenset[str]:
    """The real paths of the files changed since ``ref`` in the git work tree holding ``where``.

    >>> changed_files("HEAD~1", ".")  # doctest: +SKIP
    frozenset({'/repo/articles/new.txt'})
    """
    if not ref or ref.startswith("-"):
        raise InputError(f"--changed-since: {ref!r} is not a git revision")
    folder = where if os.path.isdir(where) else os.path.dirname(where) or "."
    try:
        top = _git(["rev-parse", "--show-toplevel"], folder).strip()
    except _GitFailed as exc:
        raise InputError(f"--changed-since: {where} is not in a git work tree ({exc})") from None
    try:
        _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], top)
    except _GitFailed:
        raise InputError(
            f"--changed-since: unknown git revision {ref!r}",
            hint="in a shallow CI clone, fetch the base first (e.g. fetch-depth: 0)",
        ) from None
    try:
        changed = _git(
            ["diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", ref, "--"], top
        )
        untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
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
