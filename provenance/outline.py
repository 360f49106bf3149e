"""The outline of a text: its non-ASCII characters and its line ends, in one pass.

A verify asks three questions of every text besides its digest: may NFC change it (the
canonical form's screen), does it hold a deceptive character (findings.py), and on which
line is its footer. Each can be answered from the outline, a few hundred bytes for an
article, instead of the whole text; and :func:`is_plain` answers the first two at once for
the commonest case, a text whose every non-ASCII character is ordinary punctuation,
accented Latin or CJK.
"""

from __future__ import annotations

import re
from functools import cache

from provenance.canonical import STABLE_RANGES, char_class
from provenance.findings import BIDI_CONTROLS, BOM_CHAR, INVISIBLE, ZERO_WIDTH


def _without(ranges: tuple[tuple[int, int], ...], points: set[int]) -> list[tuple[int, int]]:
    """``ranges`` with the code ``points`` taken out of them."""
    out = []
    for low, high in ranges:
        start = low
        for point in sorted(p for p in points if low <= p <= high):
            if start < point:
                out.append((start, point - 1))
            start = point + 1
        if start <= high:
            out.append((start, high))
    return out


@cache
def _not_plain() -> re.Pattern[str]:
    deceptive = {ord(char) for char in (*BIDI_CONTROLS, *ZERO_WIDTH, *INVISIBLE, BOM_CHAR)}
    plain = [(0x0A, 0x0A), *_without(STABLE_RANGES, deceptive)]
    return re.compile(char_class(plain, negate=True))


def is_plain(text_outline: bytes) -> bool:
    """Whether every character of an outline is one NFC leaves alone and none is deceptive.

    True proves both that the text is NFC (:func:`provenance.canonical.outline_stable`)
    and that it has nothing to warn of (:func:`provenance.findings.outline_warnings`);
    False sends the text to those two checks. The outline must hold whole characters.

    >>> from provenance.canonical import outline
    >>> is_plain(outline("\\u201cq\\u201d \\u00e9\\n".encode())), is_plain(outline("\\u200b".encode()))
    (True, False)
    """
    return _not_plain().search(text_outline.decode("utf-8")) is None
