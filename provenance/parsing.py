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

import os
import re
from dataclasses import dataclass
from typing import NamedTuple

from provenance.c2pa import CREDENTIAL_MAX, Wrapper, find_wrapper
from provenance.canonical import BOM, validate_utf8
from provenance.fingerprint import algorithm_for
from provenance.fsio import read_small_file
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
# The last line of an article is taken by plain_footer only when it starts this near the end.
_PLAIN_REACH = 1024
#: At most this many bytes of non-blank text may follow the fingerprint.
TRAILER_MAX = 1024
#: A word after the notice that starts with this many hex digits is a (bad) token attempt.
MALFORMED_HEX_MIN = 8
#: Credit lines are looked for among this many lines above the notice, each at most this long.
CREDIT_LINES_MAX = 8
CREDIT_LINE_MAX = 2048

#: The blanks of the footer grammar (SPEC.md 1.1): the tab and the Unicode space separators
#: (general category Zs: the space, U+00A0 NO-BREAK SPACE, U+1680, U+2000-U+200A, U+202F,
#: U+205F and U+3000). Text copied from web pages carries no-break spaces where the page had
#: ``&nbsp;``; they are blanks to a reader, so they are blanks to the grammar.
BLANK_CHARS = "\t \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
# The same as one UTF-8 alternative, ASCII first (the common case). Every multi-byte blank
# starts with 0xC2, 0xE1, 0xE2 or 0xE3.
_B = rb"(?:[ \t]|\xc2\xa0|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xaf]|\xe2\x81\x9f|\xe3\x80\x80)"
# The holder ends with something other than a blank: fixed-width look-behinds, one per width,
# so that a long run of blanks before "All Rights Reserved" is crossed once, not once per
# position of the holder's end (which made the match quadratic in the run).
_NOT_AFTER_BLANK = (
    rb"(?<![ \t])(?<!\xc2\xa0)(?<!\xe1\x9a\x80)(?<!\xe2\x80[\x80-\x8a\xaf])"
    rb"(?<!\xe2\x81\x9f)(?<!\xe3\x80\x80)"
)
_RESERVED = b"reserved"
_COPYRIGHT = b"copyright"
_WHITESPACE = b" \t\r\n"
_INDENT = re.compile(_B + rb"*+")
_ONLY_BLANKS = re.compile(_B + rb"*")
# The gap after a notice and the word after it (a token, if any), matched in C rather than
# looped over in Python: the gap is whitespace and blanks, a word runs to the next one. A
# word byte that could start a multi-byte blank is looked at twice (a look-ahead); others
# once. Possessive, since neither part ever gives a byte back.
_GAP_AND_WORD = re.compile(
    rb"(?:[\r\n]|"
    + _B
    + rb")*+((?:[^ \t\r\n\xc2\xe1\xe2\xe3]|(?!"
    + _B
    + rb")[\xc2\xe1\xe2\xe3])*+)"
)
_LOWER_HEX_WORD = re.compile(rb"[0-9a-f]*+")
_LOWER_HEX_RUN = re.compile(r"[0-9a-f]*")
_MALFORMED_TOKEN = re.compile(rb"[0-9a-fA-F]{%d}" % MALFORMED_HEX_MIN)

# Applied with match to one candidate notice (a slice of one line that ends at its
# "Reserved"), never to the body. The symbol may be an HTML entity left over by a text
# export (``&copy;``, ``&#169;``, ``&#xA9;``).
_NOTICE = re.compile(
    rb"copyright" + _B + rb"*+(?:(?:\xc2\xa9|\(c\)|&copy;|&#0*169;|&#x0*a9;)" + _B + rb"*+)?"
    rb"(?P<year>(?P<first>\d{4})(?:"
    + _B
    + rb"*+(?:-|\xe2\x80\x93)"
    + _B
    + rb"*+(?P<last>\d{4}))?)"
    # Possessive blanks: the holder starts with something else, so a line of blanks with no
    # holder in it is rejected in one pass instead of once per way to split the blanks.
    + _B
    + rb"++(?P<holder>[^\r\n]+?)"
    + _NOT_AFTER_BLANK
    + _B
    + rb"*+all"
    + _B
    + rb"++rights"
    + _B
    + rb"++reserved\.?",
    re.IGNORECASE,
)
_BLANK_CLASS = "[" + "".join(BLANK_CHARS) + "]"
_CONTRIBUTORS = re.compile(
    r"(?:\u2014|\u2013|--?)"
    + _BLANK_CLASS
    + r"*(?P<names>\S.*?)"
    + _BLANK_CLASS
    + r"+contributed to this article\.?"
)
_NAME_SEPARATOR = re.compile(
    _BLANK_CLASS
    + r"*,"
    + _BLANK_CLASS
    + r"*(?:and"
    + _BLANK_CLASS
    + r"+)?|"
    + _BLANK_CLASS
    + r"+and"
    + _BLANK_CLASS
    + r"+"
)
_CONTACT = re.compile(
    _BLANK_CLASS
    + r"*(?P<name>[^,@]+?)"
    + _BLANK_CLASS
    + r"+at"
    + _BLANK_CLASS
    + r"+(?P<email>[^\s,@]+@[^\s,@]+?)(?P<sep>"
    + _BLANK_CLASS
    + r"*,"
    + _BLANK_CLASS
    + r"*and"
    + _BLANK_CLASS
    + r"+|"
    + _BLANK_CLASS
    + r"*,"
    + _BLANK_CLASS
    + r"*|"
    + _BLANK_CLASS
    + r"+and"
    + _BLANK_CLASS
    + r"+|\.?"
    + _BLANK_CLASS
    + r"*$)"
)


class Footer(NamedTuple):
    """Where the footer's parts are, as absolute byte offsets into the input.

    A named tuple rather than a frozen dataclass, as :class:`provenance.tree.FileDigest`: every
    file checked makes one, and a frozen dataclass's ``__init__`` (a call per field) cost
    about as much as the rest of the footer search (docs/performance.md).
    """

    notice_start: int
    notice_end: int
    #: The token's span; ``token_start == token_end == notice_end`` when there is none.
    token_start: int
    token_end: int
    #: True when the token is 32 or 64 lowercase hex digits, apart from the notice.
    token_valid: bool
    #: The holder's span inside the notice (blanks around it included).
    holder_start: int
    holder_end: int
    #: Where the article's text ends: the start of a C2PA text credential after it
    #: (:mod:`provenance.c2pa`), or the end of the input. The trailer stops here.
    text_end: int

    @property
    def has_token(self) -> bool:
        return self.token_end > self.token_start

    @property
    def glued(self) -> bool:
        """Whether the token follows the notice with nothing between them."""
        return self.has_token and self.token_start == self.notice_end


class FooterSearch(NamedTuple):
    """The outcome of looking for a footer: the footer, or a note on why there is none."""

    footer: Footer | None
    note: str | None = None
    #: A C2PA text credential that ends the input (the footer is looked for before it).
    credential: Wrapper | None = None
    #: Where the wrappers set aside at the end start: ``credential.start``, or the start of
    #: the first of several wrappers in a row (each one is set aside, so that a copy pasted
    #: twice does not push the footer out of the window).
    credentials_start: int | None = None


def find_footer(data: bytes) -> FooterSearch:
    """Find the footer of ``data`` in time bounded by :data:`FOOTER_WINDOW`.

    The footer is the last copyright notice of the file, followed by whitespace, an optional
    token and at most :data:`TRAILER_MAX` bytes of trailer. A C2PA text credential at the
    end of the file (:func:`provenance.c2pa.find_wrapper`) is set aside first: the window
    ends where it starts.

    The plain last line of nearly every article is tried first (:func:`plain_footer`, a
    fraction of the cost); wherever it finds a footer, the general search finds the same.

    >>> find_footer(b"Text.\\nCopyright 2022 Example. All Rights Reserved. " + b"a" * 32).footer.token_start
    51
    """
    plain = plain_footer(data)
    if plain is not None:
        return FooterSearch(plain)
    return general_footer_search(data)


def general_footer_search(data: bytes) -> FooterSearch:
    """:func:`find_footer` without its first step (the plain last line): every footer,
    however it is written, after a C2PA wrapper or not, trailer or not.

    >>> general_footer_search(b"Text.\\nCopyright 2022 Example. All Rights Reserved. x").footer.has_token
    False
    """
    # Blank padding at the end does not count against the window: it must not hide a footer.
    content_end = _content_end(data, len(data))
    credential = find_wrapper(data, content_end)
    text_end = len(data)
    if credential is not None:
        text_end = credential.start
        content_end = _content_end(data, text_end)
        # Wrappers in a row (a credential pasted twice, an old one kept): all set aside,
        # within CREDENTIAL_MAX of the end, so the search stays bounded.
        while (earlier := find_wrapper(data, content_end)) is not None and (
            len(data) - earlier.start <= CREDENTIAL_MAX
        ):
            text_end = earlier.start
            content_end = _content_end(data, text_end)
    base = max(0, content_end - FOOTER_WINDOW)
    footer, note = _search_window(data, base, content_end, text_end)
    credentials_start = text_end if credential is not None else None
    return FooterSearch(footer, note, credential, credentials_start)


# The last line of nearly every article: an ASCII notice with its parts apart by spaces,
# one space and a token (32 or 64 lowercase hex digits: no IGNORECASE, which would take
# A-F). Each part is one _NOTICE reads the same way: the holder neither starts with a blank
# or a dash (which _NOTICE would take into the years) nor ends with a blank.
_PLAIN_LINE = re.compile(
    rb"[ \t]*+(?P<notice>[Cc]opyright *+(?:(?:\xc2\xa9|\(c\)) *+)?\d{4}(?:-\d{4})? ++"
    rb"(?P<holder>[!-,.-~](?:[ -~]*?[!-~])?) ++All ++Rights ++Reserved\.?)"
    rb" (?P<token>[0-9a-f]{32}(?:[0-9a-f]{32})?)"
)


def plain_footer(data: bytes) -> Footer | None:
    """The footer of ``data`` if its last line is a plain one (``_PLAIN_LINE``), else ``None``.

    Where this finds a footer, :func:`general_footer_search` finds the same one and no C2PA
    wrapper (tests/property/test_parse_props.py), at a fraction of the cost. Only blanks and line
    ends follow the token, so the notice is the one whose "Reserved" the search from the end
    meets first, and its line starts after the same line break. The holder holds no "rights"
    in any case, so the one "All Rights Reserved" ends it for _NOTICE too. A token cannot end
    a C2PA wrapper (its last bytes are variation selectors).

    >>> plain_footer(b"Text.\\nCopyright 2022 Example. All Rights Reserved. " + b"a" * 32).token_start
    51
    >>> plain_footer(b"Text.\\nCopyright 2022 Example. All Rights Reserved.") is None
    True
    """
    end = _content_end(data, len(data))
    near = max(0, end - _PLAIN_REACH)
    start = max(data.rfind(b"\n", near, end), data.rfind(b"\r", near, end)) + 1
    plain = _PLAIN_LINE.fullmatch(data, start, end) if start else None
    if plain is None:
        return None
    holder_start, holder_end = plain.span("holder")
    if b"rights" in data[holder_start:holder_end].lower():
        return None
    token_start = plain.start("token")
    return Footer(
        plain.start("notice"),
        plain.end("notice"),
        token_start,
        end,
        True,
        holder_start,
        holder_end,
        len(data),
    )


def _search_window(
    data: bytes, base: int, content_end: int, text_end: int
) -> tuple[Footer | None, str | None]:
    """The last footer in ``data[base:content_end]``, or why there is none."""
    lowered = data[base:content_end].lower()  # ASCII-only lowering: offsets are unchanged.
    search_end = len(lowered)
    while True:
        # Anchored on the notice's last word: the words before it may be apart by any blanks.
        reserved = lowered.rfind(_RESERVED, 0, search_end)
        if reserved < 0:
            return None, None
        search_end = reserved
        line_start = max(lowered.rfind(b"\n", 0, reserved), lowered.rfind(b"\r", 0, reserved)) + 1
        if line_start == 0 and base > 0:
            continue  # The line starts before the window: too far from the end to be a footer.
        # The footer's notice starts a line (after optional blanks); a notice quoted inside
        # a line is body text.
        start = _INDENT.match(lowered, line_start, reserved).end()  # type: ignore[union-attr]
        if not lowered.startswith(_COPYRIGHT, start):
            continue
        # The notice ends at this "Reserved" (and its period): nothing after it is looked at.
        reserved_end = base + reserved + len(_RESERVED)
        match = _NOTICE.match(data, base + start, min(reserved_end + 1, content_end))
        if match is None or match.end() < reserved_end:
            continue
        footer = _footer_after_notice(
            data, base + start, match.end(), match.span("holder"), text_end
        )
        if footer is not None:
            return footer, None
        line = data.count(b"\n", 0, base + start) + 1
        late_note = (
            f"a copyright notice on line {line} is followed by more than "
            f"{TRAILER_MAX} bytes of text, so it is part of the body"
        )
        # An earlier notice has an even longer text after it.
        return None, late_note


def _content_end(data: bytes, end: int) -> int:
    """Offset just after the last non-blank byte before ``end``, found a window at a time
    (linear, no copy of more than a window)."""
    # Nearly every file ends with a line end or two: look at the last bytes first.
    tail = data[max(0, end - 8) : end].rstrip(_WHITESPACE)
    if tail:
        return max(0, end - 8) + len(tail)
    while end > 0:
        start = max(0, end - FOOTER_WINDOW)
        chunk = data[start:end].rstrip(_WHITESPACE)
        if chunk:
            return start + len(chunk)
        end = start
    return 0


def _footer_after_notice(
    data: bytes, notice_start: int, notice_end: int, holder: tuple[int, int], text_end: int
) -> Footer | None:
    """Read the gap, token and trailer after a notice; ``None`` if the trailer is too long."""
    gap_and_word = _GAP_AND_WORD.match(data, notice_end, text_end)
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
    if text_end - token_end > TRAILER_MAX and len(data[token_end:text_end].strip()) > TRAILER_MAX:
        return None
    return Footer(
        notice_start=notice_start,
        notice_end=notice_end,
        token_start=token_start,
        token_end=token_end,
        token_valid=valid,
        holder_start=holder[0],
        holder_end=holder[1],
        text_end=text_end,
    )


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

    Text in an older single-byte encoding gets a hint naming it and the command that
    converts it (:func:`encoding_hint`).

    >>> text_problem(b"caf\\xe9")
    "not UTF-8 (invalid byte at offset 3); it looks like ISO-8859-1 (Latin-1): convert it with 'iconv -f ISO-8859-1 -t UTF-8'"
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        return f"binary data (NUL byte at offset {nul})"
    if data.isascii():
        return None
    try:
        validate_utf8(data)
    except UnicodeDecodeError as exc:
        start, end = hint_sample(exc.start)
        return not_utf8(exc.start, data[start:end])
    return None


#: The encoding hint is decided on the bytes this far either side of the first invalid one:
#: a bounded look, the same whether the file was read whole or streamed.
HINT_REACH = 32 * 1024


def hint_sample(offset: int) -> tuple[int, int]:
    """The span of the file :func:`not_utf8` decides its hint on, for an invalid byte at ``offset``."""
    return max(0, offset - HINT_REACH), offset + HINT_REACH


def not_utf8(offset: int, sample: bytes) -> str:
    """The reason for a file whose first invalid byte is at ``offset``; ``sample`` is the
    file's :func:`hint_sample` span (cut short by the end of the file)."""
    return f"not UTF-8 (invalid byte at offset {offset}){encoding_hint(sample)}"


# Bytes that no text in a single-byte encoding holds: C0 controls other than tab, line ends
# and form feed (NUL is found before this is asked).
_CONTROLS = re.compile(rb"[\x01-\x08\x0b\x0e-\x1f\x7f]")
# A valid multi-byte UTF-8 sequence: a file holding one is UTF-8 with damage, or mixed, and
# converting it whole from a single-byte encoding would garble the part that was UTF-8.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# Bytes Windows-1252 prints where ISO-8859-1 has C1 controls (curly quotes, dashes, the euro).
_C1 = re.compile(rb"[\x80-\x9f]")


def encoding_hint(data: bytes) -> str:
    """A hint for text that is not UTF-8 but reads as Windows-1252 or Latin-1; else ``""``.

    Windows-1252 when the text uses the bytes 0x80-0x9F (which it defines and Latin-1 keeps
    for control codes), ISO-8859-1 when it does not. No hint for bytes that are not text in
    either (controls, bytes Windows-1252 leaves undefined) nor for text that is partly UTF-8.

    >>> encoding_hint(b"\\x93quoted\\x94")
    "; it looks like Windows-1252: convert it with 'iconv -f WINDOWS-1252 -t UTF-8'"
    """
    if _CONTROLS.search(data) or _UTF8_SEQUENCE.search(data):
        return ""
    if _C1.search(data) is None:
        name, label = "ISO-8859-1", "ISO-8859-1 (Latin-1)"
    else:
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90 or 0x9D: not Windows-1252 text.
            return ""
        name, label = "WINDOWS-1252", "Windows-1252"
    return f"; it looks like {label}: convert it with 'iconv -f {name} -t UTF-8'"


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
    # The notice starts its line after optional blanks, as find_footer found it: text dumped
    # by lynx or w3m indents every line, the notice's and the credits' alike.
    line_start = max(data.rfind(b"\n", floor, notice_start), data.rfind(b"\r", floor, notice_start))
    line_start = max(line_start + 1, floor)
    if _ONLY_BLANKS.fullmatch(data, line_start, notice_start) is None:
        return credits  # The notice does not start a line: no credits block.
    cursor = line_start
    for _ in range(2 * CREDIT_LINES_MAX):
        if cursor <= floor or len(credits) >= CREDIT_LINES_MAX:
            break
        start, end = _line_before(data, cursor, floor)
        raw = data[start:end]
        if not raw.strip() or _ONLY_BLANKS.fullmatch(raw):
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


def holder_text(raw: bytes) -> str:
    """The holder as a reader sees it: blanks around it dropped, HTML entities decoded.

    Text exports of web pages keep entities such as ``&amp;`` (``Dow Jones &amp; Company``);
    the covered bytes stay as they are, only the holder reported is decoded.

    >>> holder_text(b" Dow Jones &amp; Company, Inc. ")
    'Dow Jones & Company, Inc.'
    """
    holder = raw.decode("utf-8", "replace").strip()
    if "&" not in holder:
        return holder
    import html  # Only a holder with an entity needs it (a plain verify starts faster).

    return html.unescape(holder)


@dataclass(frozen=True, slots=True)
class TokenDefect:
    """What is wrong with a malformed token, and the publisher token it was, if one."""

    detail: str
    #: The known publisher token the word begins with (8 hex digits of it or more), and
    #: whose it is: the word is that marker damaged in transit, not a digest (SPEC.md §3).
    publisher_token: str | None = None
    publisher: str | None = None


def token_defect(token: str, *, glued: bool, registry: TokenRegistry) -> TokenDefect:
    """Say what is wrong with a malformed token (a word that :class:`Footer` says is not valid).

    >>> token_defect("87990cbe</p>", glued=False, registry=builtin_tokens()).detail[:60]
    'first 8 of 32 hex digits of the publisher token of Dow Jones'
    >>> token_defect("a" * 32, glued=True, registry=TokenRegistry()).detail
    "nothing separates fingerprint 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' from the notice before it"
    """
    apart = ", with nothing between it and the notice" if glued else ""
    known = registry.recognise(token, MALFORMED_HEX_MIN)
    if known is not None:
        rest = token[known.agreed :]
        whose = f"publisher token of {known.publisher}"
        if known.agreed == len(known.token):
            what = (
                f"{whose}, followed by {rest[:40]!r} with nothing between them" if rest else whose
            )
        else:
            cut = f", then {rest[:40]!r}" if rest else ""
            what = f"first {known.agreed} of {len(known.token)} hex digits of the {whose}{cut}"
        return TokenDefect(
            detail=f"{what}{apart}: damaged in transit, not a digest of the text",
            publisher_token=known.token,
            publisher=known.publisher,
        )
    shown = repr(token[:80])
    digits = len(_LOWER_HEX_RUN.match(token).group())  # type: ignore[union-attr]
    if glued and digits == len(token) and digits in (32, 64):
        return TokenDefect(f"nothing separates fingerprint {shown} from the notice before it")
    if digits in (32, 64):
        after = repr(token[digits : digits + 40])
        return TokenDefect(
            f"fingerprint {token[:digits]!r} is followed by {after} with nothing between them"
            + apart
        )
    return TokenDefect(f"fingerprint {shown} is not 32 or 64 lowercase hex digits{apart}")


def parse_file(
    path: str | os.PathLike[str], *, tokens: TokenRegistry | None = None
) -> Document | NotText:
    """Read the article at ``path`` and :func:`parse` it.

    The file is read as every small file is (:func:`provenance.fsio.read_small_file`): a
    regular file only, never a FIFO or device (which could block forever or act when
    opened), at most :data:`MAX_PARSE_SIZE` bytes. What the caller named wrongly (no such
    file, a folder, a special file, too large) raises :class:`~provenance.errors.InputError`,
    a file that cannot be read :class:`~provenance.errors.OperationalError`.

    >>> parse_file("fixtures/articles/good/plain.txt").copyright.holder  # doctest: +SKIP
    'Example News, Inc.'
    """
    return parse(read_small_file(path, "article", MAX_PARSE_SIZE), tokens=tokens)


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
    # A C2PA text credential at the end is a part of its own; the article is the text before it.
    text_end = search.credential.start if search.credential is not None else size
    credential = [Span("credential", text_end, size)] if text_end < size else []
    if footer is None or footer.notice_start < floor:
        if text_end > floor:
            spans.append(Span("body", floor, text_end))
        return Document(
            body=data[floor:text_end].decode("utf-8"),
            contributors=(),
            contacts=(),
            copyright=None,
            fingerprint=None,
            trailer=None,
            spans=(*spans, *credential),
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
    if footer.token_end < text_end:
        spans.append(Span("trailer", footer.token_end, text_end))
    spans += credential

    notice = _NOTICE.fullmatch(data, footer.notice_start, footer.notice_end)
    assert notice is not None  # find_footer matched exactly this slice.
    first = int(notice["first"])
    copyright = Copyright(
        year=notice["year"].decode("utf-8"),
        first_year=first,
        last_year=int(notice["last"]) if notice["last"] else first,
        holder=holder_text(notice["holder"]),
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
        note = token_defect(token, glued=footer.glued, registry=registry).detail
    else:
        note = "the copyright notice has no fingerprint after it"
    trailer = data[footer.token_end : text_end].decode("utf-8").strip() or None
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
