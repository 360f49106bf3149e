"""Paragraph alignment (provenance/align.py): named examples, duplicates, the LCS bound."""

from __future__ import annotations

import itertools

import pytest

from provenance import align
from provenance.model import ChangeKind


def named(old: str, new: str) -> list[tuple[str, int, int | None]]:
    lines = list(range(1, len(new) + 1))
    return [(c.kind.value, c.paragraph, c.line) for c in align.changes(old, new, lines)]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("abcd", "abcd", []),
        ("abcd", "abXd", [("changed", 3, 3)]),
        ("abcd", "aXbcd", [("inserted", 2, 2)]),
        ("abcd", "acd", [("removed", 2, 2)]),
        ("abcd", "abc", [("removed", 4, 4)]),
        ("abcd", "", [("removed", 1, 1), ("removed", 2, 1), ("removed", 3, 1), ("removed", 4, 1)]),
        ("", "ab", [("inserted", 1, 1), ("inserted", 2, 2)]),
        # A deletion next to an insertion cannot be told from a change: it is one.
        ("abcd", "aXcd", [("changed", 2, 2)]),
        ("abcd", "aXYcd", [("changed", 2, 2), ("inserted", 3, 3)]),
        ("abcde", "aXe", [("changed", 2, 2), ("removed", 3, 3), ("removed", 4, 3)]),
        # A moved paragraph is removed where it was and inserted where it is.
        ("abcde", "acdbe", [("removed", 2, 2), ("inserted", 4, 4)]),
    ],
)
def test_named_examples(old: str, new: str, expected: list[tuple[str, int, int]]) -> None:
    assert named(old, new) == expected


def test_duplicates_are_matched_by_a_longest_common_subsequence() -> None:
    # "x" is everywhere: nothing is unique, and the LCS keeps every x.
    assert named("xxxx", "xxYxx") == [("inserted", 3, 3)]
    assert named("xaxbx", "xaxx") == [("removed", 4, 4)]


def test_a_change_between_duplicates_is_exact_when_unique_paragraphs_anchor_it() -> None:
    old = ["sep", "a", "sep", "b", "sep", "c", "sep"]
    new = ["sep", "a", "sep", "B", "sep", "c", "sep"]
    assert named(old, new) == [("changed", 4, 4)]  # type: ignore[arg-type]


def test_a_removal_reports_the_line_it_stood_before_in_the_current_text() -> None:
    changes = align.changes("abc", "ac", [3, 9])
    assert [(c.kind, c.paragraph, c.line, c.recorded) for c in changes] == [
        (ChangeKind.REMOVED, 2, 9, 2)
    ]


def test_without_lines_every_line_is_none() -> None:
    assert [c.line for c in align.changes("abc", "aXc")] == [None]


def test_a_gap_too_large_for_the_lcs_matches_nothing_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(align, "LCS_CELLS", 3)
    assert named("axxb", "axxb") == []  # Equal ends match whatever the bound.
    # 4 x 4 cells and no paragraph unique on both sides: the x's are not matched.
    assert [kind for kind, _, _ in named("PxxQ", "RxxS")] == ["changed"] * 4
    monkeypatch.setattr(align, "LCS_CELLS", 16)
    assert named("PxxQ", "RxxS") == [("changed", 1, 1), ("changed", 4, 4)]


def test_matched_pairs_are_equal_and_increasing() -> None:
    old, new = "abracadabra", "abacadabrax"
    pairs = align.match(old, new)
    assert all(old[i] == new[j] for i, j in pairs)
    assert all(a < c and b < d for (a, b), (c, d) in itertools.pairwise(pairs))
