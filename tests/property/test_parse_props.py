"""Properties of the parser: it never raises, and its spans always rebuild the input."""

from __future__ import annotations

from conftest import footerish_text
from hypothesis import given, settings
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
