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


# A last line that ends an article the plain way, or nearly: every part as a writer or an
# export may vary it, the variants _NOTICE reads differently from a plain line among them.
_INDENTS = st.sampled_from(["", " ", "\t", "\u00a0", "  \t"])
_COPYRIGHT_WORDS = st.sampled_from(["Copyright", "copyright", "COPYRIGHT", "Copyright:"])
_SYMBOLS = st.sampled_from(["", " ", " \u00a9", " \u00a9 ", " (c) ", " &copy; ", "\u00a9", "  "])
_YEARS = st.sampled_from(
    ["2024", "2018-2020", "2018 - 2020", "2018 \u2013 2020", "2018-", "202", "2018 2020"]
)
_HOLDERS = st.sampled_from(
    [
        "Example News, Inc.",
        "Example",
        "- Example",
        "-Example",
        "Example ",
        " Example",
        "Example\u00a0News",
        "\u00a0Example",
        "Example All",
        "Example All Rights Reserved. Other",
        "Rights Media",
        "RIGHTS Inc.",
        "Example.All",
        "x",
        "\u00c9xample",
        "Example\tNews",
        "",
    ]
)
_RESERVED_WORDS = st.sampled_from(
    [
        " All Rights Reserved.",
        " All Rights Reserved",
        "  All  Rights  Reserved.",
        " all rights reserved.",
        " All Rights Reserved..",
        "All Rights Reserved.",
        " All\u00a0Rights Reserved.",
        " All Rights Reserved.Reserved.",
    ]
)
_TOKEN_GAPS = st.sampled_from([" ", "  ", "", "\t", "\n", "\u00a0"])
_TOKENS = st.sampled_from(["a" * 32, "0123456789abcdef" * 4, "a" * 31, "a" * 33, "A" * 32, ""])
_ENDS = st.sampled_from(["", "\n", "\r\n", " \n\n", "\t", "\n\n\n", "\r", "x", " more", "\n \n"])
_BEFORE = st.sampled_from(
    [
        "Body.\n",
        "Body.\r",
        "",
        "Copyright 2020 Old. All Rights Reserved. " + "b" * 32 + "\n",
        "x" * 1100,
        "Body.\n" + "y" * 1100,
        "\u00e9\n",
    ]
)
_LAST_LINE = st.tuples(
    _INDENTS,
    _COPYRIGHT_WORDS,
    _SYMBOLS,
    _YEARS,
    st.sampled_from([" ", "  ", "", "\u00a0"]),
    _HOLDERS,
    _RESERVED_WORDS,
    _TOKEN_GAPS,
    _TOKENS,
    _ENDS,
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_BEFORE, _LAST_LINE)
@example(
    "Body.\n", "Copyright \u00a92018 Example News, Inc. All Rights Reserved. " + "a" * 32 + "\n"
)
@example("Body.\n", "Copyright 2018 - 2020 Example. All Rights Reserved. " + "a" * 32)
@example(
    "Body.\n", "Copyright 2018 Example All Rights Reserved. Other All Rights Reserved. " + "a" * 32
)
def test_a_plain_footer_is_the_footer_the_general_search_finds(before: str, last: str) -> None:
    """parsing.plain_footer finds a footer only where find_footer finds the same one, and no
    C2PA credential: so the engine may take it instead (engine._plain_ok)."""
    from provenance.parsing import FooterSearch, general_footer_search, plain_footer

    data = (before + last).encode()
    plain = plain_footer(data)
    if plain is not None:
        assert general_footer_search(data) == FooterSearch(plain)


def test_a_plain_footer_is_found_in_the_common_shapes() -> None:
    """The fast search is taken where it should be (else the test above proves nothing)."""
    from provenance.parsing import general_footer_search, plain_footer

    token = "0123456789abcdef" * 2
    for last in (
        f"Copyright \u00a92018 Example News, Inc. All Rights Reserved. {token}\n",
        f"  Copyright (c) 2018-2020 Example. All Rights Reserved {token}\r\n\r\n",
        f"Copyright 2024 Example News All Rights Reserved. {token * 2}",
    ):
        data = ("Body.\n" + last).encode()
        plain = plain_footer(data)
        assert plain is not None and plain == general_footer_search(data).footer
