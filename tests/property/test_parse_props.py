"""Properties of the parser: it never raises, and its spans always rebuild the input."""

from __future__ import annotations

from conftest import footerish_text
from hypothesis import example, given, settings
from hypothesis import strategies as st

from provenance.model import Document, NotText, Verdict
from provenance.parsing import parse
from provenance.verify import check_bytes

inputs = st.binary(max_size=2000) | footerish_text().map(lambda text: text.encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(inputs)
def test_parse_never_raises_and_spans_tile_the_input(data: bytes) -> None:
    doc = parse(data)
    if isinstance(doc, NotText):
        assert doc.reason and doc.size == len(data)
        return
    assert isinstance(doc, Document)
    assert b"".join(data[s.start : s.end] for s in doc.spans) == data
    position = 0
    for span in doc.spans:
        assert span.start == position < span.end
        position = span.end
    if doc.fingerprint is not None:
        assert doc.copyright is not None and doc.malformed_token is None


@settings(max_examples=200, deadline=None)
@given(inputs)
def test_check_never_raises_and_agrees_with_parse(data: bytes) -> None:
    result = check_bytes(data)
    doc = parse(data)
    if isinstance(doc, NotText):
        assert result.verdict is Verdict.UNREADABLE
    elif doc.copyright is None:
        assert result.verdict is Verdict.NO_FOOTER
    elif doc.malformed_token is not None:
        assert result.verdict is Verdict.MALFORMED
    elif doc.fingerprint is None:
        assert result.verdict is Verdict.NO_FOOTER
    else:
        assert result.verdict in {Verdict.OK, Verdict.MISMATCH, Verdict.UNVERIFIABLE}
        assert result.expected == doc.fingerprint.value


# What may follow a notice: a gap (blanks and line ends of every kind), a word (hex of the
# token lengths and around them, either case, or other text), and what comes after the word.
_GAPS = st.sampled_from(["", " ", "  ", "\t", "\n", " \r\n", "\u00a0", "\u2003", "\u3000"])
_WORDS = st.sampled_from(
    ["", "a" * 31, "a" * 32, "0123456789abcdef" * 2, "f" * 33, "b" * 64, "b" * 65, "C" * 32, "x"]
)
_TAILS = st.sampled_from(["", " ", "\t", "\n", "\r", "x", ".", "\u00a0", "\u2003", " more text"])
_AFTER_NOTICE = st.tuples(_GAPS, _WORDS, _TAILS).map("".join)


@settings(max_examples=300, deadline=None)
@given(_AFTER_NOTICE, st.sampled_from(["", "Reserved ", "\u00e9"]))
@example(" " + "a" * 32 + "x", "")
@example(" " + "a" * 32 + "\u00a0", "")
def test_footer_search_shortcut_finds_what_the_general_search_finds(
    after: str, before: str
) -> None:
    """The one-space-then-token shortcut of the footer search (parsing._SPACE_AND_TOKEN) never
    changes a footer: the same search with only the general gap-and-word pattern agrees."""
    import re

    from provenance import parsing as module
    data = f"{before}Body.\nCopyright 2024 Example News. All Rights Reserved.{after}".encode()
    fast = module.find_footer(data)
    shortcut = module._SPACE_AND_TOKEN
    module._SPACE_AND_TOKEN = re.compile(rb"(?!)()")  # Never matches.
    try:
        general = module.find_footer(data)
    finally:
        module._SPACE_AND_TOKEN = shortcut
    assert fast == general
