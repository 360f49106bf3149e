"""A verify reads its screens off the outline; they must say what the whole text says.

check_bytes takes the NFC screen, the deceptive-Unicode screen and the footer's line number
from :func:`provenance.outline.outline` (one pass over the text). Each is checked here
against its plain form over the whole text: the canonical form of SPEC.md 2.2 written the
straightforward way, the findings scan without a screen, and a count of line ends.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import _stream, findings, verify
from provenance.canonical import outline, outline_stable
from provenance.model import Verdict
from provenance.outline import is_plain
from provenance.parse import find_footer, line_number
from provenance.verify import check_bytes, check_file
from tests.property.test_fastpath_props import _PIECES
from tests.property.test_fastpath_props import reference as canonical_reference
from tests.property.test_findings_props import _CHARS
from tests.property.test_findings_props import reference as findings_reference

NOTICE = "Copyright ©2022 Example News, Inc. All Rights Reserved."

_BODIES = st.lists(
    st.one_of(st.sampled_from(_PIECES), _CHARS, st.sampled_from(["\n", "Word ", "\r\n"])),
    max_size=60,
).map(lambda pieces: "".join(pieces).replace("\x00", ""))  # A NUL makes a file binary.


def _article(body: str, token: str | None = None, trailer: str = "") -> tuple[bytes, bytes]:
    """An article's bytes and its covered bytes; ``token`` defaults to the right digest."""
    covered = f"{body}\n{NOTICE}".encode()
    if token is None:
        token = hashlib.md5(canonical_reference(covered)).hexdigest()
    return covered + f" {token}{trailer}\n".encode(), covered


@settings(max_examples=1500, deadline=None)
@given(_BODIES, st.sampled_from(["", " and more", " \u200b", " \u0301"]))
def test_check_bytes_says_what_the_plain_checks_say(body: str, trailer: str) -> None:
    data, covered = _article(body, trailer=trailer)
    footer = find_footer(data).footer
    if footer is None or footer.notice_start != covered.rfind(b"Copyright"):
        return  # The body made another line the footer (a notice of its own): not this test.
    result = check_bytes(data)
    expected_digest = hashlib.md5(canonical_reference(covered)).hexdigest()
    assert result.verdict is Verdict.OK, result.detail
    assert result.actual == expected_digest
    assert result.line == line_number(data, footer.notice_start)
    assert result.warnings == findings_reference(data)


@settings(max_examples=600, deadline=None)
@given(_BODIES)
def test_a_wrong_token_gives_the_plain_digest(body: str) -> None:
    data, covered = _article(body, token="0" * 32)
    footer = find_footer(data).footer
    if footer is None or footer.notice_start != covered.rfind(b"Copyright"):
        return
    result = check_bytes(data)
    assert result.verdict is Verdict.MISMATCH
    assert result.actual == hashlib.md5(canonical_reference(covered)).hexdigest()


@settings(max_examples=1500, deadline=None)
@given(_BODIES)
def test_a_plain_outline_proves_both_screens(body: str) -> None:
    data = body.encode()
    text_outline = outline(data)
    assert text_outline == bytes(b for b in data if b >= 0x80 or b == 0x0A)
    if is_plain(text_outline):
        assert outline_stable(text_outline)
        assert findings.outline_warnings(data, text_outline) == ()
    assert findings.outline_warnings(data, text_outline) == findings_reference(data)
    if outline_stable(text_outline):
        assert unicodedata.is_normalized("NFC", body)


@settings(max_examples=500, deadline=None)
@given(
    _BODIES,
    st.sampled_from(["", " and more", " \u200b", " \u0301"]),
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=1, max_value=16),
    st.sampled_from([1, 1, 2]),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_the_streamed_paths_say_what_the_whole_text_says(
    body: str, trailer: str, chunk: int, piece: int, jobs: int, share: float
) -> None:
    """fast_scan (split between two processes with ``jobs`` 2, at any share), and the
    general scan it falls back to, at every chunk and piece border."""
    data, _ = _article(body, trailer=trailer)
    expected = check_bytes(data, "a.txt")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "a.txt")
        with open(path, "wb") as out:
            out.write(data)
        old = (verify.STREAM_THRESHOLD, _stream.CHUNK, _stream.PIECE)
        old_split = (_stream.SPLIT_MIN, _stream.SPLIT_SHARE)
        verify.STREAM_THRESHOLD, _stream.CHUNK, _stream.PIECE = 0, chunk, piece
        _stream.SPLIT_MIN, _stream.SPLIT_SHARE = 0, share
        try:
            streamed = check_file(path, display="a.txt", jobs=jobs)
        finally:
            verify.STREAM_THRESHOLD, _stream.CHUNK, _stream.PIECE = old
            _stream.SPLIT_MIN, _stream.SPLIT_SHARE = old_split
    assert streamed == expected
