"""Deceptive Unicode: characters that make a text read differently from the bytes that are hashed.

A fingerprint (or a signature) covers bytes. What a reader sees is what a renderer makes of
them, and some characters change that without showing themselves:

* bidirectional controls (U+202A-U+202E, U+2066-U+2069) reorder what follows them, so a
  sentence can display in an order other than the one stored ("Trojan Source", CVE-2021-42574);
* zero-width characters (U+200B-U+200D, U+2060) and a byte order mark (U+FEFF) in the middle
  of the text are invisible: two texts that look identical hash differently, and a word split
  by one escapes a search or a filter;
* a holder spelled with look-alike letters of another script (Cyrillic ``о`` for Latin ``o``)
  passes for a known publisher to a human reader.

None of this changes a verdict: the fingerprint rules stay as SPEC.md states them, and a text
with a bidi control still verifies ``ok`` if its bytes are intact. These are *warnings* on the
result (:attr:`provenance.model.Result.warnings`), which fail a run under ``--strict``. Leading
byte order marks are not reported: SPEC.md allows them (and the canonical form drops them).
Zero-width joiners and non-joiners have honest uses (emoji sequences, Persian and Indic
scripts); a newsroom that publishes such text gets a warning it may choose to ignore.

Everything here is a pure function of its arguments; :class:`Scanner` takes the text in
chunks so that the streaming path of :mod:`provenance.verify` reports exactly what the
in-memory path reports.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Bidirectional embedding, override and isolate controls.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Invisible characters that join or split words: ZWSP, ZWNJ, ZWJ, WORD JOINER.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060")
#: Other invisible formatting characters, with no use in an article's prose: U+180E MONGOLIAN
#: VOWEL SEPARATOR (no longer a space since Unicode 6.3), the invisible mathematical operators
#: U+2061-U+2064, and the interlinear annotation controls U+FFF9-U+FFFB. The soft hyphen
#: (U+00AD) is not among them: web text uses it honestly and often (hyphenation points in
#: long words, ``&shy;``), and it shows where a line breaks at it; a warning on every such
#: article would have the check switched off, so the bits its placement could carry are
#: accepted, as those of spelling or spacing choices are.
INVISIBLE = frozenset("\u180e\u2061\u2062\u2063\u2064\ufff9\ufffa\ufffb")
#: U+FEFF: a byte order mark at the start of a file; anywhere else, a zero-width no-break space.
BOM_CHAR = "\ufeff"
_BOM = BOM_CHAR.encode("utf-8")
#: Emoji tag sequences, the one ordinary use of tag characters (U+E0020-U+E007F): U+1F3F4
#: WAVING BLACK FLAG, the tags of a subdivision code, U+E007F CANCEL TAG. Only the flags
#: Unicode recommends (England, Scotland, Wales) are let through: any other sequence carries
#: the letters of its code, which is what a hidden message would look like.
FLAG_BASE = "\U0001f3f4"
_FLAG_BASE = FLAG_BASE.encode("utf-8")
TAG_SEQUENCES = frozenset({"gbeng", "gbsct", "gbwls"})
_CANCEL_TAG = "\U000e007f"
_TAG_SPEC_MAX = max(map(len, TAG_SEQUENCES))

# The UTF-8 encodings of every character above, of the variation selectors (U+FE00-U+FE0F,
# U+E0100-U+E01EF), of the tag characters (U+E0000-U+E007F) and of the flag that starts a
# tag sequence. Valid UTF-8 never holds these byte sequences except as those characters, so
# a byte search finds exactly them (linear, no decode).
_FINDINGS = re.compile(
    rb"\xe2\x80[\x8b-\x8d\xaa-\xae]|\xe2\x81[\xa0-\xa4\xa6-\xa9]"
    rb"|\xef(?:\xbb\xbf|\xbf[\xb9-\xbb]|\xb8[\x80-\x8f])"
    rb"|\xe1\xa0\x8e"
    rb"|\xf3\xa0(?:[\x80\x81\x84-\x86][\x80-\xbf]|\x87[\x80-\xaf])"
    rb"|\xf0\x9f\x8f\xb4"
)
# The screen (Scanner._may_deceive): whether _FINDINGS can report anything at all, in a few
# searches that each start with a literal byte. The regular expression engine skips to each
# 0xE2 in a tight loop (0.3-0.4 ns a byte on article text) instead of trying a character set
# at every byte (2.5 ns). The other lead bytes are found with memchr (0.02 ns a byte: 0xF3
# and 0xE1 start no character of most scripts), and the longer search that follows starts
# at the first one: a search for a sequence of bytes costs about 1 ns a byte, as much as MD5
# (docs/performance.md). A text without a candidate (nearly every text) is never scanned.
_SCREEN_E2 = re.compile(rb"\xe2(?:\x80[\x8b-\x8d\xaa-\xae]|\x81[\xa0-\xa4\xa6-\xa9])")
_SCREEN_EF = re.compile(rb"\xef(?:\xbf[\xb9-\xbb]|\xb8[\x80-\x8f])")
_TAGS_AND_SELECTORS = b"\xf3\xa0"
_MONGOLIAN_VS = b"\xe1\xa0\x8e"


def _after(buf: bytes, lead: bytes, sequence: bytes, start: int, end: int) -> bool:
    """Whether ``sequence`` (which starts with ``lead``) is in ``buf[start:end]``."""
    at = buf.find(lead, start, end)
    return at >= 0 and buf.find(sequence, at, end) >= 0


def _screen(buf: bytes, start: int, end: int) -> bool:
    """Whether ``buf[start:end]`` may hold a finding other than a byte order mark."""
    if _SCREEN_E2.search(buf, start, end) is not None:
        return True
    if _after(buf, b"\xf3", _TAGS_AND_SELECTORS, start, end):
        return True
    if _after(buf, b"\xe1", _MONGOLIAN_VS, start, end):
        return True
    at = buf.find(b"\xef", start, end)
    return at >= 0 and _SCREEN_EF.search(buf, at, end) is not None


#: Letters of other scripts that look like Latin letters, mapped to the letter they pass for.
#: A small hand-picked subset of Unicode's confusables.txt (UTS #39): the letters of Cyrillic,
#: Greek and a few Latin variants that render identically to ASCII in common fonts.
CONFUSABLES = {
    # Cyrillic.
    "а": "a", "в": "b", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l",
    "ո": "n", "ս": "u",  # Armenian.
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q",
    "Ԝ": "W", "Ӏ": "I",
    # Greek.
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v",
    "α": "a", "ι": "i", "κ": "k", "ρ": "p", "υ": "u",
    # Latin variants.
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ℓ": "l",
}  # fmt: skip


def _describe(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed')})"


@dataclass(slots=True)
class _Seen:
    """The first occurrence of one kind of finding, and how many there are."""

    char: str
    line: int
    count: int = 1
    #: For hidden-data kinds: how many runs of selectors (for the others, unused).
    runs: int = 0


_WHAT = {
    "bidi": "bidirectional control",
    "zw": "zero-width character",
    "invisible": "invisible formatting character",
    "bom": "byte order mark in the middle of the text:",
}
_ORDER = ("bidi", "zw", "invisible", "bom", "tags", "selectors")


def _is_selector(point: int) -> bool:
    return 0xFE00 <= point <= 0xFE0F or 0xE0100 <= point <= 0xE01EF


@dataclass(slots=True)
class Scanner:
    """Finds deceptive and hidden-data characters in text fed in chunks.

    Reported: bidi controls, zero-width and other invisible formatting characters, stray
    BOMs, and hidden-data channels: tag characters outside a recommended flag sequence, and
    runs of two or more variation selectors (one selector after a character is how emoji
    and CJK ideographic variants are chosen; a run has no such use, and each selector can
    stand for a byte). ``skip`` is a span of the text not looked at: a C2PA text credential,
    which is a run of selectors by design (:mod:`provenance.c2pa`).

    Feed the file's bytes in order (any chunking; a character may straddle two chunks), then
    read :meth:`warnings`. The input is assumed to be valid UTF-8; on other input the findings
    are meaningless but nothing raises.

    >>> scanner = Scanner()
    >>> scanner.feed("Pay \\u202eevil".encode())
    >>> scanner.warnings()
    ('deceptive Unicode: bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE) on line 1',)
    """

    skip: tuple[int, int] | None = None
    _carry: bytes = b""
    _offset: int = 0
    _lines: int = 0
    #: Offset just after the leading run of byte order marks (they are allowed there).
    _leading_end: int = 0
    _seen: dict[str, _Seen] = field(default_factory=dict)
    #: The run of variation selectors that ends at ``_run_end``: its length and first line.
    _run_end: int = -1
    _run: int = 0
    _run_line: int = 0
    #: An open tag sequence: the code read so far after a flag (``None``: none open), where
    #: the next tag must start to continue it, and the line of its first tag.
    _spec: str | None = None
    _spec_end: int = -1
    _spec_line: int = 0

    def feed(self, chunk: bytes) -> None:
        """Scan the next bytes of the text."""
        buf = self._carry + chunk if self._carry else chunk
        cut = complete_prefix(buf)
        self._scan(buf, cut)
        self._carry = bytes(buf[cut:])

    def _scan(self, buf: bytes, end: int) -> None:
        base = self._offset
        if not buf.isascii():
            if self._may_deceive(buf, end):
                self._find(buf, end)
            elif buf.endswith(_FLAG_BASE, 0, end):
                # A flag at the end of a chunk with nothing to report: the tags of its
                # sequence may start the next chunk.
                self._open_sequence(base + end)
        self._lines += buf.count(b"\n", 0, end)
        self._offset = base + end

    def _find(self, buf: bytes, end: int) -> None:
        """Record every finding in ``buf[:end]``, outside the skipped span."""
        base = self._offset
        segments = [(0, end)]
        if self.skip is not None:
            low = min(max(self.skip[0] - base, 0), end)
            high = min(max(self.skip[1] - base, 0), end)
            segments = [(0, low), (high, end)]
        line_at = 0
        lines = self._lines
        for low, high in segments:
            for match in _FINDINGS.finditer(buf, low, high):
                start = match.start()
                lines += buf.count(b"\n", line_at, start)
                line_at = start
                self._record(match.group().decode("utf-8"), base + start, lines + 1)

    def _record(self, char: str, at: int, line: int) -> None:
        point = ord(char)
        if _is_selector(point):
            self._selector(char, at, line)
        elif 0xE0000 <= point <= 0xE007F:
            self._tag(char, at, line)
        elif char == FLAG_BASE:
            self._open_sequence(at + len(_FLAG_BASE))
        elif char == BOM_CHAR and at == self._leading_end:
            self._leading_end += len(_BOM)
        else:
            kind = (
                "bidi" if char in BIDI_CONTROLS
                else "bom" if char == BOM_CHAR
                else "zw" if char in ZERO_WIDTH
                else "invisible"
            )  # fmt: skip
            self._count(kind, char, line)

    def _count(self, kind: str, char: str, line: int, count: int = 1) -> _Seen:
        seen = self._seen.get(kind)
        if seen is None:
            seen = self._seen[kind] = _Seen(char, line, count)
        else:
            seen.count += count
        return seen

    def _selector(self, char: str, at: int, line: int) -> None:
        """A variation selector: one after a character is ordinary, a run is hidden data."""
        if at == self._run_end:
            self._run += 1
        else:
            self._run, self._run_line = 1, line
        self._run_end = at + len(char.encode("utf-8"))
        if self._run == 2:  # The run becomes a finding, with both its selectors.
            self._count("selectors", char, self._run_line, 2).runs += 1
        elif self._run > 2:
            self._count("selectors", char, line)

    def _open_sequence(self, end: int) -> None:
        self._close_sequence()
        self._spec, self._spec_end = "", end

    def _close_sequence(self) -> None:
        """An open tag sequence that did not end as a recommended flag: its tags are hidden data."""
        if self._spec:
            self._count("tags", chr(0xE0000 + ord(self._spec[0])), self._spec_line, len(self._spec))
        self._spec = None

    def _tag(self, char: str, at: int, line: int) -> None:
        spec = self._spec
        if spec is not None and at == self._spec_end:
            if char == _CANCEL_TAG:
                if spec not in TAG_SEQUENCES:
                    self._close_sequence()
                    self._count("tags", char, line)
                self._spec = None
                return
            if len(spec) < _TAG_SPEC_MAX:
                if not spec:
                    self._spec_line = line
                self._spec = spec + chr(ord(char) - 0xE0000)
                self._spec_end = at + 4
                return
        self._close_sequence()
        self._count("tags", char, line)

    def _may_deceive(self, buf: bytes, end: int) -> bool:
        """False only if ``buf[:end]`` holds nothing that :meth:`_find` would record.

        Exact on any bytes, not just valid UTF-8: every match of ``_FINDINGS`` is a match
        of a screen (:func:`_screen`), a BOM or a flag, each found within the same bounds; a
        flag alone is recorded only to tell a tag sequence that follows it. Byte order marks
        at the start of the text are allowed; when they are the only match they are
        recorded here as the full scan would record them (and left to it otherwise).
        """
        if _screen(buf, 0, end):
            return True
        if buf.find(b"\xef", 0, end) < 0:
            return False
        at = buf.find(_BOM, 0, end)
        leading_end = self._leading_end
        while at >= 0 and self._offset + at == leading_end:
            leading_end += len(_BOM)
            at = buf.find(_BOM, at + len(_BOM), end)
        if at >= 0:
            return True
        self._leading_end = leading_end
        return False

    def warnings(self) -> tuple[str, ...]:
        """One warning per kind of finding, naming the first one and its line."""
        if self._carry:
            self._scan(self._carry, len(self._carry))
            self._carry = b""
        self._close_sequence()
        out = []
        for kind in _ORDER:
            seen = self._seen.get(kind)
            if seen is None:
                continue
            if kind == "tags":
                text = (
                    f"hidden data: tag characters (U+E0000-U+E007F) from line {seen.line}, "
                    f"{seen.count} in all, could carry {seen.count} bytes"
                )
            elif kind == "selectors":
                runs = f"{seen.runs} runs" if seen.runs > 1 else "1 run"
                text = (
                    f"hidden data: variation selectors in runs (U+FE00-U+FE0F, U+E0100-U+E01EF) "
                    f"from line {seen.line}, {seen.count} in {runs}, could carry {seen.count} bytes"
                )
            else:
                more = f", {seen.count} in all" if seen.count > 1 else ""
                text = f"{_WHAT[kind]} {_describe(seen.char)} on line {seen.line}{more}"
            out.append(f"deceptive Unicode: {text}")
        return tuple(out)


def complete_prefix(buf: bytes) -> int:
    """Length of ``buf`` without a UTF-8 sequence cut off at its end.

    >>> complete_prefix("a\\u00e9".encode()), complete_prefix("a\\u00e9".encode()[:2])
    (3, 1)
    """
    size = len(buf)
    for back in range(1, min(3, size) + 1):
        byte = buf[size - back]
        if byte < 0x80:
            return size
        if byte >= 0xC0:
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return size - back if need > back else size
    return size


def skeleton(text: str) -> str:
    """What ``text`` looks like: NFKC, look-alike letters mapped to Latin, case folded.

    >>> skeleton("Ｅxаmple") == skeleton("example")
    True
    """
    folded = unicodedata.normalize("NFKC", text)
    return "".join(CONFUSABLES.get(char, char) for char in folded).casefold()


def _script(char: str) -> str:
    return unicodedata.name(char, "").split(" ", 1)[0]


def holder_warnings(holder: str, publishers: Iterable[str] = ()) -> tuple[str, ...]:
    """A warning when a holder passes for a known publisher, or mixes look-alike scripts.

    ``publishers`` are known publisher names (those of the publisher-token registry, say); a
    holder whose :func:`skeleton` starts with a publisher's, without starting with its exact
    name, is reported. So is a holder that mixes Latin letters with look-alike letters of
    another script, or that uses compatibility letters (fullwidth, mathematical) that look plain.

    >>> holder_warnings("Dоw Jones & Company, Inc.", ["Dow Jones & Company"])[0][:60]
    "deceptive Unicode: the holder 'Dоw Jones & Company, Inc.' di"
    >>> holder_warnings("Example News, Inc.", ["Dow Jones & Company"])
    ()
    """
    if holder.isascii():
        return ()
    odd = [char for char in holder if char in CONFUSABLES]
    odd += [
        char
        for char in holder
        if char not in CONFUSABLES and unicodedata.normalize("NFKC", char) != char
    ]
    shape = skeleton(holder)
    for publisher in publishers:
        name = publisher.split(" (", 1)[0].strip()
        if name and shape.startswith(skeleton(name)) and not holder.startswith(name):
            chars = ", ".join(_describe(char) for char in dict.fromkeys(odd)) or "look-alikes"
            return (
                f"deceptive Unicode: the holder {holder!r} differs from the known publisher "
                f"{name!r} only by look-alike characters: {chars}",
            )
    scripts = {_script(char) for char in holder if char.isalpha()}
    lookalikes = [char for char in odd if char in CONFUSABLES]
    if lookalikes and "LATIN" in scripts:
        chars = ", ".join(_describe(char) for char in dict.fromkeys(lookalikes))
        return (
            f"deceptive Unicode: the holder {holder!r} mixes Latin letters with look-alike "
            f"letters of another script: {chars}",
        )
    compatibility = [char for char in odd if char not in CONFUSABLES]
    if compatibility:
        chars = ", ".join(_describe(char) for char in dict.fromkeys(compatibility))
        return (
            f"deceptive Unicode: the holder {holder!r} uses compatibility characters that "
            f"look like plain ones: {chars}",
        )
    return ()


def text_warnings(data: bytes, *, skip: tuple[int, int] | None = None) -> tuple[str, ...]:
    """The :class:`Scanner` warnings of a whole text held in memory.

    >>> text_warnings(b"plain ASCII")
    ()
    """
    if data.isascii():
        return ()
    scanner = Scanner(skip=skip)
    # Most texts hold no candidate at all: then there is nothing to report, and no line
    # numbers to count (a pass over the text that costs about as much as the screen).
    if not scanner._may_deceive(data, len(data)):
        return ()
    scanner.feed(data)
    return scanner.warnings()


__all__ = [
    "BIDI_CONTROLS",
    "BOM_CHAR",
    "CONFUSABLES",
    "FLAG_BASE",
    "INVISIBLE",
    "TAG_SEQUENCES",
    "ZERO_WIDTH",
    "Scanner",
    "holder_warnings",
    "skeleton",
    "text_warnings",
]
