"""Alignment is exact on randomised edits (issue 19): the report names exactly the edits made.

"Exactly", as SPEC.md §12.3 defines it for paragraphs that are unique in both texts (random
paragraphs are): the paragraphs reported are exactly the ones edited, inserted or deleted; in
each run of touched paragraphs between two untouched ones, the first old and new are paired as
``changed`` and the rest are ``removed`` or ``inserted``. An edit next to an untouched paragraph
on both sides is thus named with its own kind. With duplicate paragraphs the report is still a
correct one: the matched paragraphs are equal, in order, and the changes rebuild the new text.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.align import changes, match
from provenance.model import ChangeKind

#: What can happen to one original paragraph: kept, changed, deleted, or a new one put before it.
_OPS = st.sampled_from(["keep", "keep", "keep", "change", "delete", "insert"])


@st.composite
def edited(draw: st.DrawFn) -> tuple[list[str], list[str], list[list[str]]]:
    """An original text of unique paragraphs, the edited text, and the ops applied to each."""
    size = draw(st.integers(0, 60))
    old = [f"p{i}" for i in range(size)]
    ops = [draw(st.lists(_OPS, min_size=1, max_size=2)) for _ in range(size + 1)]
    new: list[str] = []
    fresh = iter(range(10**6))
    for index in range(size + 1):
        for op in ops[index]:
            if op == "insert":
                new.append(f"n{next(fresh)}")
        if index == size:
            break
        kinds = set(ops[index])
        if "delete" in kinds:
            continue
        new.append(f"c{next(fresh)}" if "change" in kinds else old[index])
    return old, new, ops


@settings(max_examples=300, deadline=None)
@given(edited())
def test_the_report_names_exactly_the_paragraphs_touched(
    case: tuple[list[str], list[str], list[list[str]]],
) -> None:
    old, new, _ = case
    found = changes(old, new, list(range(1, len(new) + 1)))
    kept_new = {j for j, p in enumerate(new) if p.startswith("p")}
    kept_old = {int(p[1:]) for p in new if p.startswith("p")}
    touched_new = {c.paragraph - 1 for c in found if c.kind is not ChangeKind.REMOVED}
    touched_old = {c.recorded - 1 for c in found if c.recorded is not None}
    assert touched_new == set(range(len(new))) - kept_new
    assert touched_old == set(range(len(old))) - kept_old
    # In each gap between untouched paragraphs: changes first, then one kind of leftover.
    expected = []
    a = b = 0
    for next_a, next_b in [
        *((int(p[1:]), j) for j, p in enumerate(new) if p[0] == "p"),
        (len(old), len(new)),
    ]:
        gap_old, gap_new = range(a, next_a), range(b, next_b)
        expected += [
            (ChangeKind.CHANGED, j + 1, i + 1) for i, j in zip(gap_old, gap_new, strict=False)
        ]
        expected += [(ChangeKind.INSERTED, j + 1, None) for j in gap_new[len(gap_old) :]]
        expected += [(ChangeKind.REMOVED, i + 1, i + 1) for i in gap_old[len(gap_new) :]]
        a, b = next_a + 1, next_b + 1
    assert [(c.kind, c.paragraph, c.recorded) for c in found] == expected


@settings(max_examples=300, deadline=None)
@given(edited())
def test_an_isolated_edit_is_named_with_its_own_kind(
    case: tuple[list[str], list[str], list[list[str]]],
) -> None:
    old, new, ops = case
    found = changes(old, new)
    for index, op in enumerate(ops[:-1]):
        # Untouched on both sides: the paragraph before kept, nothing inserted after it and
        # the next one kept (ops[len(old)] is what was inserted at the end).
        before_kept = index == 0 or ops[index - 1] == ["keep"]
        after_kept = ops[index + 1] == ["keep"]
        if op == ["change"] and before_kept and after_kept:
            assert any(c.kind is ChangeKind.CHANGED and c.recorded == index + 1 for c in found)
        if op == ["delete"] and before_kept and after_kept:
            assert any(c.kind is ChangeKind.REMOVED and c.recorded == index + 1 for c in found)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from("abc"), max_size=30), st.lists(st.sampled_from("abcd"), max_size=30)
)
def test_with_duplicates_the_report_still_rebuilds_the_new_text(
    old: list[str], new: list[str]
) -> None:
    pairs = match(old, new)
    assert all(old[i] == new[j] for i, j in pairs)
    assert all(a < c and b < d for (a, b), (c, d) in itertools.pairwise(pairs))
    found = changes(old, new)
    # Every new paragraph is either matched or named; every old one matched or named.
    named_new = {c.paragraph - 1 for c in found if c.kind is not ChangeKind.REMOVED}
    named_old = {c.recorded - 1 for c in found if c.recorded is not None}
    assert named_new == set(range(len(new))) - {j for _, j in pairs}
    assert named_old == set(range(len(old))) - {i for i, _ in pairs}
