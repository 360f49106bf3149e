"""Globs as users write them: gitignore semantics for ``--include``, ``--exclude`` and the
configuration's ``include``/``exclude`` (SPEC.md §4.1).

A pattern is matched against a path relative to the folder named on the command line (for a
file named with ``--force-exclude`` or found by ``--staged``: relative to the current folder),
exactly as a line of a ``.gitignore`` at that folder: ``drafts/`` is a folder named drafts at
any depth, ``/a/drafts`` is anchored at the top, ``**`` crosses folders, ``!keep.txt``
takes back what an earlier pattern left out, and a pattern that matches a folder matches
everything below it.

The matching itself is the ``pathspec`` package's ``GitIgnoreSpec``: a well-kept
implementation of git's own rules (classes, escapes, ``**``, trailing blanks, negation), where
a hand-written translation to regular expressions got ``drafts/`` and ``/a/drafts`` silently
wrong. It is imported only when a run has globs, so a plain verify never loads it.

What this module adds is the refusal of a pattern that can never match, which gitignore
accepts in silence and which would make an ``--exclude`` leave everything in: a blank
pattern, a comment (``#...``), ``/`` alone, a ``.`` or ``..`` segment (walked paths never
hold one), and a ``!`` pattern that nothing before it left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from provenance.errors import InputError

#: A compiled test of a relative path: ``(relative, is_folder) -> matched``.
Matcher = Callable[[str, bool], bool]


def _never_matches(pattern: str, earlier_positive: bool) -> str | None:
    """Why ``pattern`` can never match a walked path, or ``None`` when it can."""
    text = pattern.rstrip(" ") if not pattern.endswith("\\ ") else pattern
    if not text or text == "/":
        return "it is empty" if not text.strip() else "'/' alone names nothing"
    if text.startswith("#"):
        return "a leading '#' makes it a comment (write '\\#' for a name starting with '#')"
    negated = text.startswith("!")
    body = text[1:] if negated else text
    if not body or body == "/":
        return "it is empty after '!'"
    if any(segment in (".", "..") for segment in body.strip("/").split("/")):
        return (
            "paths are matched relative to the folder walked and never hold '.' or '..'"
            " (write the path from that folder, e.g. '/drafts')"
        )
    if negated and not earlier_positive:
        return "it takes back files, and no pattern before it leaves any out"
    return None


def compile_globs(patterns: Sequence[str], option: str) -> Matcher | None:
    """A test of relative paths against gitignore-style ``patterns``; ``None`` for none.

    ``option`` names where the patterns come from, for the error message. A pattern that can
    never match raises :class:`InputError` (exit 2) instead of matching nothing in silence.

    >>> match = compile_globs(["drafts/", "/a/old", "*.log", "!keep.log"], "--exclude")
    >>> [match(p, False) for p in ("x/drafts/y.txt", "a/old/z.txt", "b/a/old/z", "keep.log")]
    [True, True, False, False]
    >>> match("drafts", True), match("drafts", False)
    (True, False)
    """
    if not patterns:
        return None
    positive = False
    for pattern in patterns:
        reason = _never_matches(pattern, positive)
        if reason is not None:
            raise InputError(
                f"{option} {pattern!r} can never match: {reason}",
                hint="patterns follow .gitignore rules (SPEC.md section 4.1)",
            )
        positive = positive or not pattern.startswith("!")
    from pathspec import GitIgnoreSpec  # Only a run with globs pays for its import.

    spec = GitIgnoreSpec.from_lines(patterns)

    def match(relative: str, is_folder: bool) -> bool:
        # A trailing "/" tells gitignore the path is a folder (for "drafts/" patterns).
        return bool(spec.match_file(relative + "/" if is_folder else relative))

    return match
