"""provenance.globs: gitignore semantics, and patterns that can never match refused."""

from __future__ import annotations

import pytest

from provenance.cli import exit_status
from provenance.errors import InputError
from provenance.globs import compile_globs


@pytest.mark.parametrize(
    ("pattern", "path", "is_folder", "matched"),
    [
        # A trailing slash: a folder of that name at any depth, and everything below it.
        ("drafts/", "drafts", True, True),
        ("drafts/", "drafts", False, False),
        ("drafts/", "news/drafts/a.txt", False, True),
        # A leading slash anchors at the folder walked.
        ("/a/drafts", "a/drafts/b.txt", False, True),
        ("/a/drafts", "x/a/drafts/b.txt", False, False),
        # A slash in the middle anchors too; no slash matches the name at any depth.
        ("a/b.txt", "a/b.txt", False, True),
        ("a/b.txt", "x/a/b.txt", False, False),
        ("*.md", "x/y/README.md", False, True),
        # "*" stays within a folder, "**" crosses folders.
        ("news/*.txt", "news/2022/a.txt", False, False),
        ("news/**/*.txt", "news/2022/05/a.txt", False, True),
        ("[ab].txt", "b.txt", False, True),
        ("\\#x", "#x", False, True),
    ],
)
def test_gitignore_semantics(pattern: str, path: str, is_folder: bool, matched: bool) -> None:
    match = compile_globs([pattern], "--exclude")
    assert match is not None
    assert match(path, is_folder) is matched


def test_a_negation_takes_back_what_an_earlier_pattern_left_out() -> None:
    match = compile_globs(["*.txt", "!keep.txt"], "--exclude")
    assert match is not None
    assert (match("a.txt", False), match("x/keep.txt", False)) == (True, False)


def test_no_patterns_is_no_test() -> None:
    assert compile_globs((), "--exclude") is None


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("/", "'/' alone names nothing"),
        ("#drafts", "comment"),
        ("!", "empty after '!'"),
        ("../drafts", "never hold '.' or '..'"),
        ("./drafts", "never hold '.' or '..'"),
        ("a/../b", "never hold '.' or '..'"),
        ("!keep.txt", "no pattern before it leaves any out"),
    ],
)
def test_a_pattern_that_can_never_match_is_refused(pattern: str, reason: str) -> None:
    with pytest.raises(InputError) as raised:
        compile_globs([pattern], "--exclude")
    assert raised.value.message.startswith(f"--exclude {pattern!r} can never match: ")
    assert reason in raised.value.message
    assert exit_status(raised.value) == 2
