"""Bytes to :class:`~provenance.model.Document`: the footer, credits and trailer of an article.

The footer is found from the end of the file, inside a bounded window, so the cost of
finding it does not depend on the size of the body, and no regular expression ever runs
over the body itself. SPEC.md ("Footer grammar") is the normative description.

Layout of an article::

    <body>
    —Jane Roe and Rafael Ortiz contributed to this article.      (contributors line)
    Write to Ann Lee at ann.lee@example.com                      (contacts line)
    Copyright ©2022 Example News, Inc. All Rights Reserved. <hex> [trailer]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from provenance.canonical import BOM, validate_utf8
from provenance.fingerprint import algorithm_for
from provenance.model import (
    Contact,
    Copyright,
    Document,
    Fingerprint,
    FingerprintKind,
    NotText,
    Span,
)
from provenance.tokens import TokenRegistry, builtin_tokens

#: ``provenance parse`` reads a file whole to show all its parts; a larger one is refused
#: unread (``verify`` streams files of any size instead). The default --max-member-size.
MAX_PARSE_SIZE = 256 << 20
#: The footer (notice, token and trailer) must start within this many bytes of the end.
FOOTER_WINDOW = 4096
# The end of the file searched first (find_footer): it holds the footer of nearly every article.
_NEAR_WINDOW = 1024
#: At most this many bytes of non-blank text may follow the fingerprint.
TRAILER_MAX = 1024
#: A word after the notice that starts with this many hex digits is a (bad) token attempt.
MALFORMED_HEX_MIN = 8
#: Credit lines are looked for among this many lines above the notice, each at most this long.
CREDIT_LINES_MAX = 8
CREDIT_LINE_MAX = 2048

_ARR = b"all rights reserved"
_COPYRIGHT = b"copyright"
_WHITESPACE = b" \t\r\n"
# The gap after a notice and the word after it (a token, if any), matched in C rather than
# looped over in Python: the blanks are _WHITESPACE, a word runs to the next one. Possessive,
# since neither part ever gives a byte back.
_GAP_AND_WORD = re.compile(rb"[ \t\r\n]*+([^ \t\r\n]*+)")
_LOWER_HEX_WORD = re.compile(rb"[0-9a-f]*+")
_MALFORMED_TOKEN = re.compile(rb"[0-9a-fA-F]{%d}" % MALFORMED_HEX_MIN)

# Applied with fullmatch to one candidate notice (a slice of one line), never to the body.
_NOTICE = re.compile(
    rb"copyright[ \t]*(?:(?:\xc2\xa9|\(c\))[ \t]*)?"
    rb"(?P<year>(?P<first>\d{4})(?:[ \t]*(?:-|\xe2\x80\x93)[ \t]*(?P<last>\d{4}))?)"
    rb"[ \t]+(?P<holder>[^\r\n]+?)[ \t]*all rights reserved\.?",
    re.IGNORECASE,
)
_CONTRIBUTORS = re.compile(
    r"(?:\u2014|\u2013|--?)[ \t]*(?P<names>\S.*?)[ \t]+contributed to this article\.?"
)
_NAME_SEPARATOR = re.compile(r"[ \t]*,[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+")
_CONTACT = re.compile(
    r"[ \t]*(?P<name>[^,@]+?)[ \t]+at[ \t]+(?P<email>[^\s,@]+@[^\s,@]+?)"
    r"(?P<sep>[ \t]*,[ \t]*and[ \t]+|[ \t]*,[ \t]*|[ \t]+and[ \t]+|\.?[ \t]*$)"
)


@dataclass(frozen=True, slots=True)
class Footer:
    """Where the footer's parts are, as absolute byte offsets into the input."""

    notice_start: int
    notice_end: int
    #: The token's span; ``token_start == token_end == notice_end`` when there is none.
    token_start: int
    token_end: int
    #: True when the token is 32 or 64 lowercase hex digits.
    token_valid: bool
    #: The holder's span inside the notice (blanks around it included).
    holder_start: int
    holder_end: int

    @property
    def has_token(self) -> bool:
        return self.token_end > self.token_start


@dataclass(frozen=True, slots=True)
class FooterSearch:
    """The outcome of looking for a footer: the footer, or a note on why there is none."""

    footer: Footer | None
    note: str | None = None


def find_footer(data: bytes) -> FooterSearch:
    """Find the footer of ``data`` in time bounded by :data:`FOOTER_WINDOW`.

    The footer is the last copyright notice of the file, followed by whitespace, an optional
    token and at most :data:`TRAILER_MAX` bytes of trailer.

    >>> find_footer(b"Text.\\nCopyright 2022 Example. All Rights Reserved. " + b"a" * 32).footer.token_start
    51
    """
    # Blank padding at the end does not count against the window: it must not hide a footer.
    content_end = _content_end(data)
    base = max(0, content_end - FOOTER_WINDOW)
    # Nearly every footer lies within the last kilobyte: look there first, and in the whole
    # window only if that search reaches the start of the near one undecided. Both search
    # from the end, so they meet the same notices in the same order and decide alike; the
    # near one lowers a quarter of the bytes.
    near = max(base, content_end - _NEAR_WINDOW)
    if near > base:
        found = _search_window(data, near, content_end, whole=False)
        if found is not None:
            return found
    found = _search_window(data, base, content_end, whole=True)
    assert found is not None  # A search of the whole window always decides.
    return found


def _search_window(data: bytes, base: int, content_end: int, *, whole: bool) -> FooterSearch | None:
    """The last footer in ``data[base:content_end]``; ``None`` when a wider window could decide.

    With ``whole`` false, ``base`` is not the start of the footer window: a search that needs
    bytes before it (no notice found, or a notice's line starting earlier) returns ``None``.
    """
    size = len(data)
    lowered = data[base:content_end].lower()  # ASCII-only lowering: offsets are unchanged.
    search_end = len(lowered)
    while True:
        arr = lowered.rfind(_ARR, 0, search_end)
        if arr < 0:
            return FooterSearch(None) if whole else None
        search_end = arr
        line_start = max(lowered.rfind(b"\n", 0, arr), lowered.rfind(b"\r", 0, arr)) + 1
        if line_start == 0 and base > 0:
            if not whole:
                return None  # The line starts before this window: look in the whole one.
            continue  # The line starts before the window: too far from the end to be a footer.
        # The footer's notice starts a line (after optional blanks); a notice quoted inside
        # a line is body text.
        start = line_start
        while start < arr and lowered[start] in b" \t":
            start += 1
        if not lowered.startswith(_COPYRIGHT, start):
            continue
        match = _NOTICE.match(data, base + start, size)
        if match is None or match.end() < base + arr + len(_ARR):
            continue
        footer = _footer_after_notice(data, base + start, match.end(), match.span("holder"))
        if footer is not None:
            return FooterSearch(footer)
        line = data.count(b"\n", 0, base + start) + 1
        late_note = (
            f"a copyright notice on line {line} is followed by more than "
            f"{TRAILER_MAX} bytes of text, so it is part of the body"
        )
        # An earlier notice has an even longer text after it.
        return FooterSearch(None, late_note)


def _content_end(data: bytes) -> int:
    """Offset just after the last non-blank byte, found a window at a time (linear, no copy)."""
    end = len(data)
    # Nearly every file ends with a line end or two: look at the last bytes first.
    tail = data[-8:].rstrip(_WHITESPACE)
    if tail:
        return end - 8 + len(tail) if end > 8 else len(tail)
    while end > 0:
        start = max(0, end - FOOTER_WINDOW)
        chunk = data[start:end].rstrip(_WHITESPACE)
        if chunk:
            return start + len(chunk)
        end = start
    return 0


def _footer_after_notice(
    data: bytes, notice_start: int, notice_end: int, holder: tuple[int, int]
) -> Footer | None:
    """Read the gap, token and trailer after a notice; ``None`` if the trailer is too long."""
    size = len(data)
    gap_and_word = _GAP_AND_WORD.match(data, notice_end)
    assert gap_and_word is not None  # Both parts may be empty: the pattern always matches.
    pos, word_end = gap_and_word.span(1)
    # A token glued to the notice ("Reserved.<hex>") is not separated from it: malformed.
    glued = pos == notice_end
    if not glued and word_end - pos in (32, 64) and _LOWER_HEX_WORD.fullmatch(data, pos, word_end):
        token_start, token_end, valid = pos, word_end, True
    elif _MALFORMED_TOKEN.match(data, pos, word_end):
        token_start, token_end, valid = pos, word_end, False
    else:
        token_start = token_end = notice_end
        valid = False
    # Only a tail longer than the limit can hold too much text (the strip copies the tail).
    if size - token_end > TRAILER_MAX and len(data[token_end:].strip()) > TRAILER_MAX:
        return None
    return Footer(notice_start, notice_end, token_start, token_end, valid, *holder)


def line_number(data: bytes, offset: int) -> int:
    """The 1-based number of the line ``offset`` is on: LF line ends, or CR ones when the text
    before it has no LF at all (old Mac files).

    >>> line_number(b"a\\nb\\nc", 4), line_number(b"a\\rb", 2)
    (3, 2)
    """
    newlines = data.count(b"\n", 0, offset)
    if newlines == 0:
        newlines = data.count(b"\r", 0, offset)
    return newlines + 1


def text_problem(data: bytes) -> str | None:
    """Why ``data`` is not UTF-8 text, or ``None`` when it is.

    >>> text_problem(b"caf\\xe9")
    'not UTF-8 (invalid byte at offset 3)'
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        return f"binary data (NUL byte at offset {nul})"
    if data.isascii():
        return None
    try:
        validate_utf8(data)
    except UnicodeDecodeError as exc:
        return f"not UTF-8 (invalid byte at offset {exc.start})"
    return None


def _line_before(data: bytes, cursor: int, floor: int) -> tuple[int, int]:
    """The line that ends just before offset ``cursor``: (start, end without line ending)."""
    end = cursor
    if end > floor and data[end - 1] == 0x0A:
        end -= 1
    if end > floor and data[end - 1] == 0x0D:
        end -= 1
    start = max(data.rfind(b"\n", floor, end), data.rfind(b"\r", floor, end)) + 1
    return max(start, floor), end


def _parse_contributors(line: str) -> tuple[str, ...] | None:
    match = _CONTRIBUTORS.fullmatch(line.strip())
    if match is None:
        return None
    names = tuple(name.strip() for name in _NAME_SEPARATOR.split(match["names"]))
    return names if all(names) else None


def _parse_contacts(line: str) -> tuple[Contact, ...] | None:
    text = line.strip()
    if not text.lower().startswith("write to "):
        return None
    pos, contacts = len("write to "), []
    while pos < len(text):
        match = _CONTACT.match(text, pos)
        if match is None:
            return None
        contacts.append(Contact(match["name"].strip(), match["email"]))
        pos = match.end()
    return tuple(contacts) or None


@dataclass(frozen=True, slots=True)
class _Credit:
    start: int
    name: str  # "contributors" or "contacts"
    contributors: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()


def _find_credits(data: bytes, notice_start: int, floor: int) -> list[_Credit]:
    """Credit lines directly above the notice (blank lines between them allowed)."""
    credits: list[_Credit] = []
    if notice_start > floor and data[notice_start - 1] not in b"\r\n":
        return credits  # The notice does not start a line: no credits block.
    cursor = notice_start
    for _ in range(2 * CREDIT_LINES_MAX):
        if cursor <= floor or len(credits) >= CREDIT_LINES_MAX:
            break
        start, end = _line_before(data, cursor, floor)
        raw = data[start:end]
        if not raw.strip():
            cursor = start
            continue
        if len(raw) > CREDIT_LINE_MAX:
            break
        line = raw.decode("utf-8")
        names = _parse_contributors(line)
        if names is not None:
            credits.append(_Credit(start, "contributors", contributors=names))
        else:
            contacts = _parse_contacts(line)
            if contacts is None:
                break
            credits.append(_Credit(start, "contacts", contacts=contacts))
        cursor = start
    credits.reverse()
    return credits


def _newline_style(data: bytes) -> str:
    lf, cr = data.find(b"\n"), data.find(b"\r")
    if cr < 0:
        return "\n"
    if lf < 0 or cr < lf - 1:
        return "\r"
    return "\r\n" if lf == cr + 1 else "\n"


def parse(data: bytes, *, tokens: TokenRegistry | None = None) -> Document | NotText:
    """Parse an article. Never raises: input that is not UTF-8 text gives :class:`NotText`.

    ``tokens`` tells publisher tokens from content digests (default: the built-in list).

    >>> doc = parse("Body.\\nCopyright ©2022 Example News, Inc. All Rights Reserved. "
    ...             "d41d8cd98f00b204e9800998ecf8427e\\n".encode())
    >>> doc.copyright.holder, doc.fingerprint.algorithm.value
    ('Example News, Inc.', 'md5')
    """
    problem = text_problem(data)
    if problem is not None:
        return NotText(problem, len(data))
    registry = tokens if tokens is not None else builtin_tokens()
    size = len(data)
    floor = len(BOM) if data.startswith(BOM) else 0
    spans: list[Span] = [Span("bom", 0, floor)] if floor else []
    newline = _newline_style(data)
    final_newline = data.endswith((b"\n", b"\r"))

    search = find_footer(data)
    footer = search.footer
    if footer is None or footer.notice_start < floor:
        if size > floor:
            spans.append(Span("body", floor, size))
        return Document(
            body=data[floor:].decode("utf-8"),
            contributors=(),
            contacts=(),
            copyright=None,
            fingerprint=None,
            trailer=None,
            spans=tuple(spans),
            note=search.note,
            newline=newline,
            final_newline=final_newline,
        )

    credits = _find_credits(data, footer.notice_start, floor)
    body_end = credits[0].start if credits else footer.notice_start
    if body_end > floor:
        spans.append(Span("body", floor, body_end))
    bounds = [credit.start for credit in credits] + [footer.notice_start]
    for credit, end in zip(credits, bounds[1:], strict=True):
        spans.append(Span(credit.name, credit.start, end))
    spans.append(Span("notice", footer.notice_start, footer.notice_end))
    if footer.has_token:
        if footer.token_start > footer.notice_end:
            spans.append(Span("gap", footer.notice_end, footer.token_start))
        name = "fingerprint" if footer.token_valid else "malformed-token"
        spans.append(Span(name, footer.token_start, footer.token_end))
    if footer.token_end < size:
        spans.append(Span("trailer", footer.token_end, size))

    notice = _NOTICE.fullmatch(data, footer.notice_start, footer.notice_end)
    assert notice is not None  # find_footer matched exactly this slice.
    first = int(notice["first"])
    copyright = Copyright(
        year=notice["year"].decode("utf-8"),
        first_year=first,
        last_year=int(notice["last"]) if notice["last"] else first,
        holder=notice["holder"].decode("utf-8").strip(),
        text=notice.group(0).decode("utf-8"),
    )
    token = data[footer.token_start : footer.token_end].decode("utf-8")
    fingerprint = None
    malformed = None
    note = None
    if footer.token_valid:
        algorithm = algorithm_for(token)
        assert algorithm is not None
        publisher = registry.publisher(token)
        kind = FingerprintKind.PUBLISHER_TOKEN if publisher else FingerprintKind.CONTENT
        fingerprint = Fingerprint(token, algorithm, kind, publisher)
    elif footer.has_token:
        malformed = token
    else:
        note = "the copyright notice has no fingerprint after it"
    trailer = data[footer.token_end :].decode("utf-8").strip() or None
    return Document(
        body=data[floor:body_end].decode("utf-8"),
        contributors=tuple(n for c in credits for n in c.contributors),
        contacts=tuple(c for credit in credits for c in credit.contacts),
        copyright=copyright,
        fingerprint=fingerprint,
        trailer=trailer,
        spans=tuple(spans),
        malformed_token=malformed,
        footer_line=line_number(data, footer.notice_start),
        note=note,
        newline=newline,
        final_newline=final_newline,
    )
