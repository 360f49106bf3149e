"""provenance.parsing: bytes to Document, every footer variant of the issue, spans that tile."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.model import Algorithm, Contact, Document, FingerprintKind, NotText
from provenance.parsing import TRAILER_MAX, parse, text_problem
from provenance.tokens import TokenRegistry
from tests.conftest import (
    ALL_FIXTURES,
    BAD,
    BODY,
    DOW_JONES,
    FIXTURES,
    GOOD,
    article,
    hang_guard,
    notice,
)


def doc_of(data: bytes | str, **kwargs: object) -> Document:
    result = parse(data.encode("utf-8") if isinstance(data, str) else data, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, Document), result
    return result


def joined(doc: Document, data: bytes) -> bytes:
    return b"".join(data[span.start : span.end] for span in doc.spans)


def span_text(doc: Document, data: bytes, name: str) -> bytes:
    span = doc.span(name)
    assert span is not None, [s.name for s in doc.spans]
    return data[span.start : span.end]


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_spans_rebuild_every_fixture_exactly(path: Path) -> None:
    data = path.read_bytes()
    doc = parse(data)
    if isinstance(doc, NotText):
        assert path.name in {"binary.txt", "not-utf8.txt", "latin-1.txt", "windows-1252.txt"}
        assert doc.size == len(data)
        return
    assert joined(doc, data) == data
    position = 0
    for span in doc.spans:
        assert span.start == position and span.end > span.start, doc.spans
        position = span.end
    assert position == len(data)


def test_plain_article_parts() -> None:
    art = article()
    data = art.data()
    doc = doc_of(data)
    assert doc.body == BODY.rsplit("\n—", 1)[0] + "\n"
    assert doc.contributors == ("Jane Roe", "Rafael Ortiz")
    assert doc.contacts == (
        Contact("Ann Lee", "ann.lee@example.com"),
        Contact("Bo Chen", "bo.chen@example.com"),
    )
    assert doc.copyright is not None
    assert doc.copyright.year == "2022"
    assert (doc.copyright.first_year, doc.copyright.last_year) == (2022, 2022)
    assert doc.copyright.holder == "Example News, Inc."
    assert doc.copyright.text == "Copyright ©2022 Example News, Inc. All Rights Reserved."
    assert doc.fingerprint is not None
    assert doc.fingerprint.value == art.digest
    assert doc.fingerprint.algorithm is Algorithm.MD5
    assert doc.fingerprint.kind is FingerprintKind.CONTENT
    assert doc.trailer is None
    assert doc.footer_line == len(art.covered.split("\n"))
    assert [s.name for s in doc.spans] == [
        "body",
        "contributors",
        "contacts",
        "notice",
        "gap",
        "fingerprint",
        "trailer",
    ]
    assert span_text(doc, data, "notice").decode() == doc.copyright.text
    assert span_text(doc, data, "fingerprint").decode() == art.digest
    assert span_text(doc, data, "trailer") == b"\n"


@pytest.mark.parametrize(
    ("symbol", "tail"),
    [
        ("©", "All Rights Reserved."),
        ("(c)", "All Rights Reserved."),
        ("(C) ", "All rights reserved."),
        ("", "all rights reserved"),
        ("© ", "ALL RIGHTS RESERVED."),
        ("", "All Rights Reserved"),
    ],
)
def test_notice_variants_are_footers(symbol: str, tail: str) -> None:
    art = article(symbol=symbol, tail=tail)
    doc = doc_of(art.data())
    assert doc.copyright is not None
    assert doc.copyright.holder == "Example News, Inc."
    assert doc.copyright.text == notice(symbol=symbol, tail=tail)
    assert doc.fingerprint is not None and doc.fingerprint.value == art.digest


@pytest.mark.parametrize(("year", "last"), [("2019-2022", 2022), ("2019–2022", 2022)])
def test_year_range(year: str, last: int) -> None:
    doc = doc_of(article(year=year).data())
    assert doc.copyright is not None
    assert doc.copyright.year == year
    assert (doc.copyright.first_year, doc.copyright.last_year) == (2019, last)


def test_hex_on_next_line() -> None:
    art = article()
    data = art.data(gap="\n")
    doc = doc_of(data)
    assert doc.fingerprint is not None and doc.fingerprint.value == art.digest
    assert span_text(doc, data, "gap") == b"\n"
    assert doc.trailer is None


@pytest.mark.parametrize(
    "trailer",
    [
        " Appeared in the March 29, 2022, print edition.",
        "\nAppeared in the March 29, 2022, print edition as 'Ferry Adds Evening Run'.",
    ],
    ids=["same-line", "next-line"],
)
def test_trailer_after_hex(trailer: str) -> None:
    art = article()
    doc = doc_of(art.data(trailer=trailer))
    assert doc.fingerprint is not None and doc.fingerprint.value == art.digest
    assert doc.trailer == trailer.strip()


def test_crlf_bom_and_no_final_newline() -> None:
    art = article()
    crlf = art.text().replace("\n", "\r\n").encode()
    doc = doc_of(crlf)
    assert doc.newline == "\r\n" and doc.final_newline
    assert doc.contributors == ("Jane Roe", "Rafael Ortiz")
    assert doc.fingerprint is not None and doc.fingerprint.value == art.digest

    bom = b"\xef\xbb\xbf" + art.data()
    doc = doc_of(bom)
    assert doc.spans[0].name == "bom" and (doc.spans[0].start, doc.spans[0].end) == (0, 3)
    assert not doc.body.startswith("\ufeff")
    assert doc.fingerprint is not None

    bare = art.data(end="")
    doc = doc_of(bare)
    assert not doc.final_newline and doc.newline == "\n"
    assert doc.spans[-1].name == "fingerprint" and doc.spans[-1].end == len(bare)


def test_quoted_notice_mid_body_is_body() -> None:
    quoted = "Copyright 1987 Northern Wireless Ltd. All rights reserved. " + "0" * 32
    body = f"The transcripts ended with “{quoted}” on every page.\nThe court disagreed."
    art = article(body=body, holder="Campus Record")
    doc = doc_of(art.data())
    assert quoted in doc.body
    assert doc.copyright is not None and doc.copyright.holder == "Campus Record"
    assert doc.fingerprint is not None and doc.fingerprint.value == art.digest


def test_the_last_notice_wins() -> None:
    first = article(body="Old text.", holder="Old Owner Ltd.")
    second = article(body=first.text(end=""), holder="New Owner Ltd.")
    doc = doc_of(second.data())
    assert doc.copyright is not None and doc.copyright.holder == "New Owner Ltd."
    assert doc.fingerprint is not None and doc.fingerprint.value == second.digest
    assert first.digest in doc.body


def test_notice_with_long_text_after_it_is_body() -> None:
    art = article()
    data = art.data(trailer="\n" + "More body text. " * (TRAILER_MAX // 8))
    doc = doc_of(data)
    assert doc.copyright is None and doc.fingerprint is None
    assert doc.note is not None and "part of the body" in doc.note
    assert [s.name for s in doc.spans] == ["body"]


@pytest.mark.parametrize("padding", ["\n" * 5000, " " * 5000, "\r\n\t" * 3000])
def test_blank_padding_after_the_footer_does_not_hide_it(padding: str) -> None:
    art = article()
    doc = doc_of(art.text() + padding)
    assert doc.fingerprint is not None and doc.fingerprint.value == art.digest
    assert doc.trailer is None


def test_eleven_megabytes_of_blanks_end_in_a_found_footer() -> None:
    data = article().data() + b" \n" * (11 * 1024 * 1024 // 2)
    with hang_guard():
        doc = parse(data)
    assert isinstance(doc, Document) and doc.fingerprint is not None


@pytest.mark.parametrize(
    ("token", "gap"),
    [
        ("D41D8CD98F00B204E9800998ECF8427E", " "),  # uppercase
        ("d41d8cd98f00b204e9800998ecf8427", " "),  # 31 digits
        ("d41d8cd98f00b204e9800998ecf8427e0", " "),  # 33 digits
        ("d41d8cd98f00b204e9800998ecf842zz", " "),  # not hex
        ("d41d8cd98f00b204e9800998ecf8427eAppeared", " "),  # glued to a trailer
        ("d41d8cd98f00b204e9800998ecf8427e" * 2 + "0", "\n"),  # 65 digits, next line
    ],
)
def test_malformed_tokens(token: str, gap: str) -> None:
    art = article()
    data = f"{art.covered}{gap}{token}\n".encode()
    doc = doc_of(data)
    assert doc.copyright is not None
    assert doc.fingerprint is None
    assert doc.malformed_token == token
    assert span_text(doc, data, "malformed-token").decode() == token


def test_notice_without_token() -> None:
    doc = doc_of(article().covered + "\n")
    assert doc.copyright is not None and doc.fingerprint is None
    assert doc.malformed_token is None
    assert doc.note == "the copyright notice has no fingerprint after it"


def test_sha256_token() -> None:
    art = article(algorithm="sha256")
    doc = doc_of(art.data())
    assert doc.fingerprint is not None
    assert doc.fingerprint.algorithm is Algorithm.SHA256
    assert doc.fingerprint.value == art.digest and len(art.digest) == 64


def test_publisher_token_and_holder_abbreviation() -> None:
    data = f"{BODY}\n{notice(holder='Dow Jones & Company, Inc.')} {DOW_JONES}\n"
    doc = doc_of(data)
    assert doc.copyright is not None
    assert doc.copyright.holder == "Dow Jones & Company, Inc."
    assert doc.fingerprint is not None
    assert doc.fingerprint.kind is FingerprintKind.PUBLISHER_TOKEN
    assert doc.fingerprint.publisher is not None and "Dow Jones" in doc.fingerprint.publisher


def test_user_token_registry() -> None:
    art = article()
    tokens = TokenRegistry({art.digest: "Example Wire"})
    doc = doc_of(art.data(), tokens=tokens)
    assert doc.fingerprint is not None
    assert doc.fingerprint.kind is FingerprintKind.PUBLISHER_TOKEN
    assert doc.fingerprint.publisher == "Example Wire"
    # Without the registry the same token is a content digest.
    content = doc_of(art.data())
    assert content.fingerprint is not None
    assert content.fingerprint.kind is FingerprintKind.CONTENT


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("—Jane Roe and Rafael Ortiz contributed to this article.", ("Jane Roe", "Rafael Ortiz")),
        ("—Jane Roe contributed to this article.", ("Jane Roe",)),
        (
            "—Jane Roe, Rafael Ortiz and Li Wei contributed to this article.",
            ("Jane Roe", "Rafael Ortiz", "Li Wei"),
        ),
        (
            "—Jane Roe, Rafael Ortiz, and Li Wei contributed to this article",
            ("Jane Roe", "Rafael Ortiz", "Li Wei"),
        ),
    ],
)
def test_contributors(line: str, names: tuple[str, ...]) -> None:
    doc = doc_of(article(body=f"Some news.\n{line}").data())
    assert doc.contributors == names
    assert doc.body == "Some news.\n"


def test_three_contacts() -> None:
    line = "Write to Ann Lee at ann@example.com, Bo Chen at bo@example.org and Cy Dee at cy@example.net"
    doc = doc_of(article(body=f"Some news.\n{line}").data())
    assert doc.contacts == (
        Contact("Ann Lee", "ann@example.com"),
        Contact("Bo Chen", "bo@example.org"),
        Contact("Cy Dee", "cy@example.net"),
    )
    assert doc.contributors == ()


def test_credit_like_line_in_the_middle_is_body() -> None:
    body = "—Jane Roe contributed to this article.\nThen the story went on."
    doc = doc_of(article(body=body).data())
    assert doc.contributors == ()
    assert doc.body == body + "\n"


def test_no_footer_and_empty() -> None:
    doc = doc_of(b"Just a story.\n")
    assert doc.copyright is None and doc.fingerprint is None
    assert [s.name for s in doc.spans] == ["body"]
    empty = doc_of(b"")
    assert empty.spans == () and empty.body == ""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"text\x00more", "binary data (NUL byte at offset 4)"),
        (b"caf\xe9\n", "not UTF-8 (invalid byte at offset 3)"),
        ((BAD / "binary.txt").read_bytes(), "binary data"),
    ],
)
def test_not_text(data: bytes, reason: str) -> None:
    result = parse(data)
    assert isinstance(result, NotText)
    assert result.reason.startswith(reason)
    assert result.size == len(data)
    assert text_problem(data) == result.reason


def test_eleven_megabyte_line_of_notices_ends() -> None:
    data = "Copyright ©2022 ".encode() * (11 * 1024 * 1024 // 17)
    with hang_guard():
        doc = parse(data)
    assert isinstance(doc, Document) and doc.copyright is None


def test_good_fixtures_all_have_content_fingerprints() -> None:
    for path in sorted(GOOD.iterdir()):
        doc = doc_of(path.read_bytes())
        assert doc.fingerprint is not None, path
        assert doc.fingerprint.kind is FingerprintKind.CONTENT, path
        assert doc.copyright is not None and doc.copyright.holder, path


def test_the_footer_notice_may_be_indented() -> None:
    art = article()
    body, notice_line = art.covered.rsplit("\n", 1)
    doc = parse(f"{body}\n  \t{notice_line} {art.digest}\n".encode())
    assert isinstance(doc, Document) and doc.fingerprint is not None
    assert doc.copyright is not None and doc.copyright.holder == "Example News, Inc."


def test_two_notices_on_one_line_give_no_fingerprint() -> None:
    # The notice that starts the line is the footer's; the second notice is then text after
    # it, where a token should stand: the file is ambiguous and gets no fingerprint.
    art = article()
    text = f"{art.covered} Copyright 2023 Other Holder. All Rights Reserved. {art.digest}\n"
    doc = parse(text.encode())
    assert isinstance(doc, Document)
    assert doc.fingerprint is None
    assert doc.copyright is not None and doc.copyright.holder == "Example News, Inc."


# Issue 14: the shapes scrapers, reader modes and exports give to footers.

ZS = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


def test_blank_chars_are_the_tab_and_the_unicode_space_separators() -> None:
    import unicodedata

    from provenance.parsing import BLANK_CHARS

    zs = {chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Zs"}
    assert set(BLANK_CHARS) == zs | {"\t"}
    assert set(ZS) | {" "} == zs


@pytest.mark.parametrize("indent", ["   ", "\t", "\u00a0\u00a0", " \t\u3000"])
def test_an_indented_notice_keeps_its_credits(indent: str) -> None:
    # lynx -dump and w3m -dump indent every line, the notice's and the credits' alike.
    art = article()
    lines = [indent + line for line in art.covered.split("\n")]
    data = ("\n".join(lines) + f" {art.digest}\n").encode()
    doc = doc_of(data)
    assert doc.contributors == ("Jane Roe", "Rafael Ortiz")
    assert [c.name for c in doc.contacts] == ["Ann Lee", "Bo Chen"]
    assert "contributed" not in doc.body
    assert joined(doc, data) == data


def test_a_notice_after_text_on_its_line_still_has_no_credits() -> None:
    art = article()
    body, notice_line = art.covered.rsplit("\n", 1)
    doc = doc_of(f"{body}\nSee: {notice_line} {art.digest}\n")
    assert doc.copyright is None


@pytest.mark.parametrize("blank", list(ZS))
@pytest.mark.parametrize("where", ["after-word", "after-symbol", "inside", "gap", "all"])
def test_unicode_blanks_in_the_notice_and_before_the_token(blank: str, where: str) -> None:
    words = {
        "after-word": f"Copyright{blank}©2022 Example News, Inc. All Rights Reserved.",
        "after-symbol": f"Copyright ©{blank}2022 Example News, Inc. All Rights Reserved.",
        "inside": f"Copyright ©2022{blank}Example News, Inc.{blank}All{blank}Rights{blank}Reserved.",
        "gap": "Copyright ©2022 Example News, Inc. All Rights Reserved.",
        "all": f"Copyright{blank}©{blank}2022{blank}Example News, Inc.{blank}All{blank}Rights "
        "Reserved.",
    }
    token = "d41d8cd98f00b204e9800998ecf8427e"
    gap = blank if where in ("gap", "all") else " "
    data = f"Body.\n{words[where]}{gap}{token}\n".encode()
    doc = doc_of(data)
    assert doc.copyright is not None and doc.copyright.holder == "Example News, Inc."
    assert doc.fingerprint is not None and doc.fingerprint.value == token
    assert joined(doc, data) == data


def test_a_unicode_blank_ends_the_token() -> None:
    token = "d41d8cd98f00b204e9800998ecf8427e"
    doc = doc_of(f"Body.\n{notice()} {token}\u00a0Appeared in print.\n")
    assert doc.fingerprint is not None and doc.trailer == "Appeared in print."


@pytest.mark.parametrize("symbol", ["&copy;", "&#169;", "&#xA9;", "&#xa9; "])
def test_html_entities_in_the_notice(symbol: str) -> None:
    text = f"Copyright {symbol}2022 Dow Jones &amp; Company, Inc. All Rights Reserved."
    doc = doc_of(f"Body.\n{text} {DOW_JONES}\n")
    assert doc.copyright is not None
    assert doc.copyright.holder == "Dow Jones & Company, Inc."
    assert doc.copyright.text == text
    assert doc.fingerprint is not None and doc.fingerprint.kind is FingerprintKind.PUBLISHER_TOKEN


def test_a_notice_with_blanks_and_no_holder_is_not_a_notice() -> None:
    doc = doc_of("Body.\nCopyright 2022 \u00a0 All Rights Reserved. " + "a" * 32 + "\n")
    assert doc.copyright is None


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        ("caf\u00e9 cr\u00e8me".encode("latin-1"), "ISO-8859-1 (Latin-1)"),
        ("\u201cquoted\u201d \u2014 caf\u00e9".encode("cp1252"), "Windows-1252"),
        (b"\x81\x8d undefined in Windows-1252", None),
        (b"caf\xe9\x01 control", None),
        ("caf\u00e9 ".encode() + b"\xe9", None),  # part UTF-8: no single conversion fits
    ],
)
def test_single_byte_encodings_get_a_hint(data: bytes, hint: str | None) -> None:
    result = parse(data)
    assert isinstance(result, NotText) and result.reason.startswith("not UTF-8")
    if hint is None:
        assert "iconv" not in result.reason
    else:
        assert f"it looks like {hint}: convert it with 'iconv -f " in result.reason


def test_a_token_glued_to_the_notice_says_so() -> None:
    from provenance.parsing import token_defect
    from provenance.tokens import TokenRegistry

    art = article()
    doc = doc_of(f"{art.covered}{art.digest}\n")
    assert doc.malformed_token == art.digest
    assert doc.note == f"nothing separates fingerprint {art.digest!r} from the notice before it"
    detail = token_defect(art.digest + "Next", glued=False, registry=TokenRegistry()).detail
    assert detail == f"fingerprint {art.digest!r} is followed by 'Next' with nothing between them"


def test_parse_file_parses_what_parse_parses(tmp_path: Path) -> None:
    from provenance.parsing import parse_file

    path = tmp_path / "a.txt"
    path.write_bytes(article().data())
    assert parse_file(path) == parse(article().data())


@pytest.mark.parametrize("what", ["missing", "folder", "too large"])
def test_parse_file_refuses_what_is_not_a_small_regular_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    from provenance import parsing
    from provenance.errors import InputError

    path = tmp_path / "a.txt"
    if what == "folder":
        path.mkdir()
    elif what == "too large":
        path.write_bytes(article().data())
        monkeypatch.setattr(parsing, "MAX_PARSE_SIZE", 100)
    expected = {
        "missing": "does not exist",
        "folder": "is a folder",
        "too large": "larger than 100",
    }
    with pytest.raises(InputError, match=expected[what]):
        parsing.parse_file(path)


# Last lines crafted against the plain-footer search (parsing.plain_footer): long runs of the
# words its lazy holder stops at, years that _NOTICE reads as a range, a line that just fits
# the reach and one that does not. Each must give what the general search gives, at once.
_TOKEN = "0123456789abcdef" * 2
_HOSTILE_LAST_LINES = [
    "Copyright 2024" + " All" * 240 + " Rights Reserved. " + _TOKEN,
    "Copyright 2024 a" + " " * 900 + "All Rights Reserved. " + _TOKEN,
    "Copyright 2024 " + "All Rights " * 80 + "Reserved. " + _TOKEN,
    "Copyright " + "2024-" * 150 + " a All Rights Reserved. " + _TOKEN,
    "Copyright 2024 - 2025 Example. All Rights Reserved. " + _TOKEN,
    "Copyright 2024 " + "x" * 950 + " All Rights Reserved. " + _TOKEN,  # the line: 1,019 bytes
    "Copyright 2024 " + "x" * 1000 + " All Rights Reserved. " + _TOKEN,  # past the reach
]


@pytest.mark.parametrize("last", _HOSTILE_LAST_LINES)
def test_hostile_last_lines_find_what_the_general_search_finds(last: str) -> None:
    from provenance.parsing import FooterSearch, find_footer, general_footer_search, plain_footer

    data = ("Body.\n" + last + "\n").encode()
    plain = plain_footer(data)
    general = general_footer_search(data)
    assert find_footer(data) == general
    if plain is not None:
        assert FooterSearch(plain) == general


def test_a_plain_last_line_that_just_fits_the_reach_is_taken() -> None:
    from provenance.parsing import general_footer_search, plain_footer

    data = ("Body.\n" + _HOSTILE_LAST_LINES[5] + "\n").encode()
    assert plain_footer(data) == general_footer_search(data).footer is not None
