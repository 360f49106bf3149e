"""Paragraph alignment: which paragraphs of a recorded text were changed, inserted or removed.

Both sides are sequences of paragraph digests (the recorded one, *old*, and the current one,
*new*). The alignment matches equal digests, in order, and names every paragraph left over
(SPEC.md §12.3 is the normative text):

1. **Anchors.** Digests that occur exactly once on each side are matched, keeping the largest
   set that is in the same order on both sides (a longest increasing subsequence: patience
   diff). Equal paragraphs at the start and end of a range are matched first.
2. **Gaps.** Between two anchors the same rule runs again on what lies between them (a
   digest unique within the gap anchors it there). A gap with no unique digest and at most
   :data:`LCS_CELLS` cells is matched by a longest common subsequence (ties go to the earliest
   old paragraph); a larger one matches nothing more.
3. **Naming.** In each run of unmatched paragraphs, the first old and new ones are paired in
   order as ``changed``; what is left is ``removed`` (old) or ``inserted`` (new).

A reworded, an inserted and a deleted paragraph, each next to an untouched one, are named as
exactly that. A deletion next to an insertion is a change (the two cannot be told apart from
digests), and a moved paragraph is removed where it was and inserted where it is. Work is
about linear in the number of paragraphs: digests are grouped with dictionaries, anchors
ordered in O(k log k), and the quadratic step is bounded by :data:`LCS_CELLS` per gap.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Hashable, Sequence

from provenance.model import Change, ChangeKind

#: The largest gap (old paragraphs x new paragraphs) aligned by longest common subsequence.
LCS_CELLS = 250_000


def match(old: Sequence[Hashable], new: Sequence[Hashable]) -> list[tuple[int, int]]:
    """The matched pairs ``(old index, new index)``, increasing on both sides, equal digests.

    >>> match("abcd", "abxd")
    [(0, 0), (1, 1), (3, 3)]
    """
    pairs: list[tuple[int, int]] = []
    # Ranges still to align: (old start, old end, new start, new end). Every range is
    # disjoint from the others and the pairs are sorted at the end, so the order in which
    # ranges are taken does not matter.
    stack = [(0, len(old), 0, len(new))]
    while stack:
        a0, a1, b0, b1 = stack.pop()
        # Equal paragraphs at both ends.
        while a0 < a1 and b0 < b1 and old[a0] == new[b0]:
            pairs.append((a0, b0))
            a0, b0 = a0 + 1, b0 + 1
        while a0 < a1 and b0 < b1 and old[a1 - 1] == new[b1 - 1]:
            a1, b1 = a1 - 1, b1 - 1
            pairs.append((a1, b1))
        if a0 == a1 or b0 == b1:
            continue
        anchors = _anchors(old, new, a0, a1, b0, b1)
        if anchors:
            pairs.extend(anchors)
            bounds = [(a0 - 1, b0 - 1), *anchors, (a1, b1)]
            for (pa, pb), (na, nb) in itertools.pairwise(bounds):
                if pa + 1 < na and pb + 1 < nb:
                    stack.append((pa + 1, na, pb + 1, nb))
        elif (a1 - a0) * (b1 - b0) <= LCS_CELLS:
            pairs.extend(_lcs(old, new, a0, a1, b0, b1))
    pairs.sort()
    return pairs


def _anchors(
    old: Sequence[Hashable], new: Sequence[Hashable], a0: int, a1: int, b0: int, b1: int
) -> list[tuple[int, int]]:
    """The pairs of digests unique on both sides of the range, longest run in order on both."""
    count_old = Counter(old[a0:a1])
    count_new = Counter(new[b0:b1])
    where_new = {
        digest: index
        for index, digest in enumerate(new[b0:b1], start=b0)
        if count_new[digest] == 1 and count_old[digest] == 1
    }
    candidates = [
        (index, where_new[digest])
        for index, digest in enumerate(old[a0:a1], start=a0)
        if digest in where_new
    ]
    return _longest_increasing(candidates)


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``pairs`` (sorted by old index) increasing in new index."""
    tails: list[int] = []  # tails[k]: the smallest new index ending a run of length k + 1.
    ends: list[int] = []  # ends[k]: the position in pairs of that run's end.
    before = [-1] * len(pairs)
    for position, (_, b) in enumerate(pairs):
        k = bisect.bisect_left(tails, b)
        if k == len(tails):
            tails.append(b)
            ends.append(position)
        else:
            tails[k] = b
            ends[k] = position
        before[position] = ends[k - 1] if k else -1
    run = []
    position = ends[-1] if ends else -1
    while position >= 0:
        run.append(pairs[position])
        position = before[position]
    return run[::-1]


def _lcs(
    old: Sequence[Hashable], new: Sequence[Hashable], a0: int, a1: int, b0: int, b1: int
) -> list[tuple[int, int]]:
    """A longest common subsequence of a small range, by dynamic programming."""
    rows, cols = a1 - a0, b1 - b0
    # length[i][j]: LCS of old[a0 + i:] and new[b0 + j:].
    length = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        row, below = length[i], length[i + 1]
        item = old[a0 + i]
        for j in range(cols - 1, -1, -1):
            row[j] = below[j + 1] + 1 if item == new[b0 + j] else max(below[j], row[j + 1])
    found = []
    i = j = 0
    while i < rows and j < cols:
        if old[a0 + i] == new[b0 + j]:
            found.append((a0 + i, b0 + j))
            i, j = i + 1, j + 1
        elif length[i + 1][j] >= length[i][j + 1]:
            i += 1
        else:
            j += 1
    return found


def changes(
    old: Sequence[Hashable],
    new: Sequence[Hashable],
    lines: Sequence[int] | None = None,
    *,
    end_line: int | None = None,
) -> list[Change]:
    """The changes that turn ``old`` into ``new``, in the order of the current text.

    ``lines[j]`` is the line of new paragraph ``j`` (``None``: no lines); ``end_line`` is the
    line a removal at the very end is reported at (default: one past the last paragraph).

    >>> [(c.kind.value, c.paragraph, c.line) for c in changes("abcd", "abXd", [1, 2, 3, 4])]
    [('changed', 3, 3)]
    >>> [(c.kind.value, c.paragraph, c.line) for c in changes("abcd", "acd", [1, 3, 5])]
    [('removed', 2, 3)]
    """
    if lines is not None and end_line is None:
        end_line = lines[-1] + 1 if lines else 1
    found: list[Change] = []
    pairs = [*match(old, new), (len(old), len(new))]
    a = b = 0
    for next_a, next_b in pairs:
        gap_old = list(range(a, next_a))
        gap_new = list(range(b, next_b))
        where = None if lines is None else (lines[next_b] if next_b < len(new) else end_line)
        for i, j in zip(gap_old, gap_new, strict=False):
            line = None if lines is None else lines[j]
            found.append(
                Change(kind=ChangeKind.CHANGED, paragraph=j + 1, line=line, recorded=i + 1)
            )
        for j in gap_new[len(gap_old) :]:
            line = None if lines is None else lines[j]
            found.append(Change(kind=ChangeKind.INSERTED, paragraph=j + 1, line=line))
        for i in gap_old[len(gap_new) :]:
            found.append(
                Change(kind=ChangeKind.REMOVED, paragraph=i + 1, line=where, recorded=i + 1)
            )
        a, b = next_a + 1, next_b + 1
    return found


__all__ = ["LCS_CELLS", "changes", "match"]
