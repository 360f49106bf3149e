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
#: U+FEFF: a byte order mark at the start of a file; anywhere else, a zero-width no-break space.
BOM_CHAR = "\ufeff"
_BOM = BOM_CHAR.encode("utf-8")

# The UTF-8 encodings of every character above. Valid UTF-8 never holds these three-byte
# sequences except as those characters, so a byte search finds exactly them (linear, no decode).
_DECEPTIVE = re.compile(rb"\xe2\x80[\x8b-\x8d\xaa-\xae]|\xe2\x81[\xa0\xa6-\xa9]|\xef\xbb\xbf")
# The same characters but the BOM, as one pattern that starts with a literal byte: the regular
# expression engine then skips to each 0xE2 in a tight loop (0.3-0.4 ns a byte on article
# text) instead of trying a character set at every byte (2.5 ns), and the BOM is looked for
# with memchr on 0xEF first (0xEF starts no character of most Latin, Cyrillic or Greek
# text). Together they find whether ``_DECEPTIVE`` can match at all: a text without a match
# (nearly every text) is never scanned with it. See :meth:`Scanner._may_deceive`.
_DECEPTIVE_E2 = re.compile(rb"\xe2(?:\x80[\x8b-\x8d\xaa-\xae]|\x81[\xa0\xa6-\xa9])")

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


@dataclass(slots=True)
class Scanner:
    """Finds bidi controls, zero-width characters and stray BOMs in text fed in chunks.

    Feed the file's bytes in order (any chunking; a character may straddle two chunks), then
    read :meth:`warnings`. The input is assumed to be valid UTF-8; on other input the findings
    are meaningless but nothing raises.

    >>> scanner = Scanner()
    >>> scanner.feed("Pay \\u202eevil".encode())
    >>> scanner.warnings()
    ('deceptive Unicode: bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE) on line 1',)
    """

    _carry: bytes = b""
    _offset: int = 0
    _lines: int = 0
    #: Offset just after the leading run of byte order marks (they are allowed there).
    _leading_end: int = 0
    _seen: dict[str, _Seen] = field(default_factory=dict)

    def feed(self, chunk: bytes) -> None:
        """Scan the next bytes of the text."""
        buf = self._carry + chunk if self._carry else chunk
        cut = complete_prefix(buf)
        self._scan(buf, cut)
        self._carry = bytes(buf[cut:])

    def _scan(self, buf: bytes, end: int) -> None:
        base = self._offset
        if not buf.isascii() and self._may_deceive(buf, end):
            line_at = 0
            lines = self._lines
            for match in _DECEPTIVE.finditer(buf, 0, end):
                start = match.start()
                char = match.group().decode("utf-8")
                if char == BOM_CHAR and base + start == self._leading_end:
                    self._leading_end += len(_BOM)
                    continue
                lines += buf.count(b"\n", line_at, start)
                line_at = start
                kind = "bidi" if char in BIDI_CONTROLS else "bom" if char == BOM_CHAR else "zw"
                seen = self._seen.get(kind)
                if seen is None:
                    self._seen[kind] = _Seen(char, lines + 1)
                else:
                    seen.count += 1
        self._lines += buf.count(b"\n", 0, end)
        self._offset = base + end

    def _may_deceive(self, buf: bytes, end: int) -> bool:
        """False only if ``buf[:end]`` holds nothing that :meth:`_scan` would report.

        Exact on any bytes, not just valid UTF-8: every match of ``_DECEPTIVE`` is a match
        of ``_DECEPTIVE_E2`` or a BOM, each found within the same bounds. Byte order marks
        at the start of the text are allowed; when they are the only match they are
        recorded here as the full scan would record them (and left to it otherwise).
        """
        if _DECEPTIVE_E2.search(buf, 0, end) is not None:
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
        """One warning per kind of deceptive character found, naming the first one and its line."""
        if self._carry:
            self._scan(self._carry, len(self._carry))
            self._carry = b""
        what = {
            "bidi": "bidirectional control",
            "zw": "zero-width character",
            "bom": "byte order mark in the middle of the text:",
        }
        out = []
        for kind in ("bidi", "zw", "bom"):
            seen = self._seen.get(kind)
            if seen is None:
                continue
            more = f", {seen.count} in all" if seen.count > 1 else ""
            out.append(
                f"deceptive Unicode: {what[kind]} {_describe(seen.char)} on line {seen.line}{more}"
            )
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


def text_warnings(data: bytes) -> tuple[str, ...]:
    """The :class:`Scanner` warnings of a whole text held in memory.

    >>> text_warnings(b"plain ASCII")
    ()
    """
    if data.isascii():
        return ()
    scanner = Scanner()
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
    "ZERO_WIDTH",
    "Scanner",
    "holder_warnings",
    "skeleton",
    "text_warnings",
]
