"""The C2PA wrapper decoder is a parser of hostile bytes: it never raises, on any input.

Hypothesis draws raw bytes, texts made of selectors and wrapper pieces, and real wrappers
after an article; :func:`provenance.c2pa.find_wrapper` and :func:`provenance.c2pa.decode`
must answer every one without raising, and what they find must be what was built.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import c2pa
from provenance.model import Document, Verdict
from provenance.parsing import parse
from provenance.verify import check_bytes
from tests.conftest import article

_PIECES = st.one_of(
    st.binary(max_size=8),
    st.sampled_from(
        [c2pa.MARKER, c2pa.START, c2pa.selector(0), c2pa.selector(255), b"\n", b"\xf3\xa0", b"\xef"]
    ),
    st.integers(0, 255).map(c2pa.selector),
)
_HOSTILE = st.lists(_PIECES, max_size=40).map(b"".join)


@settings(max_examples=1500)
@given(st.one_of(st.binary(max_size=200), _HOSTILE), st.integers(-5, 300))
def test_find_wrapper_and_decode_never_raise(data: bytes, end: int) -> None:
    found = c2pa.find_wrapper(data, end)
    if found is not None:
        assert data.startswith(c2pa.START, found.start)
        assert c2pa.decode(data[found.start + 3 : found.end]) is not None
    decoded = c2pa.decode(data)
    assert decoded is None or c2pa.encode(decoded) == data


@settings(max_examples=300)
@given(st.binary(max_size=300), st.integers(0, 2**32 - 1), st.text(" \n\t", max_size=3))
def test_a_wrapper_after_an_article_is_found_and_leaves_the_footer_ok(
    manifest: bytes, declared: int, blanks: str
) -> None:
    header = c2pa.MAGIC + b"\x01" + declared.to_bytes(4, "big")
    wrapper = c2pa.MARKER + c2pa.encode(header + manifest)
    text = article().data()
    data = text + wrapper + blanks.encode()
    found = c2pa.find_wrapper(data, len(text) + len(wrapper))
    assert found is not None
    assert (found.start, found.declared_length, found.payload_size) == (
        len(text),
        declared,
        len(manifest),
    )
    assert c2pa.decode(data[found.start + 3 : found.end]) == header + manifest
    doc = parse(data)
    assert isinstance(doc, Document) and doc.fingerprint is not None
    assert check_bytes(data).verdict is Verdict.OK
