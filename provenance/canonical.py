"""The canonical forms of covered text: the only home of the normalisation rules.

SPEC.md, "Canonical form", is the normative text; this module implements it.

``relaxed`` (the default) forgives what transport does to text (CRLF line ends, a
byte-order mark, NFD from some editors, trailing blanks) and nothing else: any change to a
word, to punctuation inside a line or to the holder changes the canonical bytes.
``simple`` takes the covered bytes as they are.

Two paths give the same bytes. The fast path (:func:`is_canonical`) proves with a few
C-level scans over the raw bytes that the rewrite would change nothing, so the raw bytes
are hashed as they are; the slow path (:func:`_rewrite`) applies the rules step by step and
runs only for texts that really need rewriting. :class:`Canonicalizer` applies the same
rules to a stream of chunks, so that a file of any size is hashed in bounded memory.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from provenance.model import Canonicalization

BOM = b"\xef\xbb\xbf"

_ASCII = bytes(range(0x80))
_BAD_ENDINGS = (b" ", b"\t", b"\n")

# Characters that NFC leaves alone in every context: combining class 0, NFC quick check
# "yes", and never the second character of a canonical composition. The ranges are a
# conservative subset (checked against unicodedata by tests/unit/test_fastpath.py); a
# character outside them sends the text to the exact check, never to a wrong digest.
_NOT_SURELY_STABLE = re.compile("[^\u0080-\u02ff\u2002-\u20bf\u4000-\u9fff\uac00-\ud7ff]")

#: Lines longer than this are cut inside the line, at a point where NFC cannot reach across.
STREAM_LINE_LIMIT = 4 * 1024 * 1024
# Bytes that start a character that is a stable NFC boundary: a cut just before one of
# them is safe (ASCII other than blanks and line ends, and the lead bytes of U+0080-U+02FF,
# U+4000-U+9FFF and U+B000-U+D7FF).
_CUT_BEFORE = frozenset(
    [*range(0x21, 0x7F), *range(0xC2, 0xCC), *range(0xE4, 0xEA), *range(0xEB, 0xEE)]
)
_CUT_SEARCH = 64 * 1024


def _has_trailing_blank(data: bytes) -> bool:
    """Whether a space or tab stands just before a LF anywhere in ``data``."""
    if b"\t" in data and b"\t\n" in data:
        return True
    # Walking the LFs with memchr-speed finds is cheaper than a two-byte substring search
    # while lines are long (article paragraphs); for short lines the search is cheaper.
    find = data.find
    index = find(b"\n", 1)
    seen = 0
    while index > 0:
        if data[index - 1] == 0x20:
            return True
        seen += 1
        if seen == 64 and index < 64 * 64:
            return b" \n" in data
        index = find(b"\n", index + 1)
    return False


def _is_nfc(covered: bytes, text: str | None = None) -> bool:
    """Whether the (valid UTF-8) ``covered`` bytes are already NFC, with a cheap screen first."""
    rest = covered.translate(None, _ASCII)
    if not rest:
        return True
    # Valid UTF-8 with the ASCII bytes removed is still valid UTF-8 (ASCII bytes never sit
    # inside a multi-byte character), and it is a small fraction of an article.
    if _NOT_SURELY_STABLE.search(rest.decode("utf-8")) is None:
        return True
    return unicodedata.is_normalized("NFC", text if text is not None else covered.decode("utf-8"))


def is_canonical(covered: bytes, *, validated: bool = False, text: str | None = None) -> bool:
    """Whether ``covered`` is already in relaxed canonical form.

    This is the fast path: it proves, with a few scans over the bytes and no rewriting, that
    :func:`canonicalize` would return its input unchanged. ``validated`` says the caller has
    already checked that ``covered`` is UTF-8 (so it is not decoded again); ``text`` may
    carry its decoded form.

    Raises :class:`UnicodeDecodeError` when ``covered`` is not UTF-8.

    >>> is_canonical(b"One line.\\nAnother.")
    True
    >>> is_canonical(b"Trailing blank \\nline.")
    False
    """
    ascii_only = covered.isascii()
    if not ascii_only and not validated and text is None:
        covered.decode("utf-8")  # Strict decoding is the UTF-8 validity check the rule needs.
    if covered.startswith(BOM) or covered.endswith(_BAD_ENDINGS) or b"\r" in covered:
        return False
    if _has_trailing_blank(covered):
        return False
    return ascii_only or _is_nfc(covered, text)


def _rewrite_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    return "\n".join([line.rstrip(" \t") for line in text.split("\n")])


def _rewrite(covered: bytes, text: str | None = None) -> bytes:
    """Apply the relaxed rules step by step (the slow path)."""
    if text is None:
        text = covered.decode("utf-8")
    # Every leading U+FEFF goes, not just one, so that the form is idempotent.
    text = _rewrite_text(text.lstrip("\ufeff"))
    return text.rstrip("\n").encode("utf-8")


def canonicalize(
    covered: bytes,
    mode: Canonicalization = Canonicalization.RELAXED,
    *,
    validated: bool = False,
) -> bytes:
    """Return the canonical bytes of ``covered`` under ``mode``.

    Raises :class:`UnicodeDecodeError` for relaxed canonicalisation of non-UTF-8 input.
    ``validated`` says the caller has already checked that ``covered`` is UTF-8.

    >>> canonicalize(b"Caf\\xc3\\xa9  \\r\\nDone.\\r\\n")
    b'Caf\\xc3\\xa9\\nDone.'
    >>> canonicalize(b"as is \\r\\n", Canonicalization.SIMPLE)
    b'as is \\r\\n'
    """
    if mode is Canonicalization.SIMPLE:
        return covered
    if is_canonical(covered, validated=validated):
        return covered
    return _rewrite(covered)


class InvalidText(ValueError):
    """The stream is not UTF-8; ``offset`` is the absolute offset of the first bad byte."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"not UTF-8 (invalid byte at offset {offset})")
        self.offset = offset


class Canonicalizer:
    """The relaxed canonical form of a stream of chunks, written to ``sink`` piece by piece.

    The text is cut at line ends (a LF, or a CR that is not the last byte seen, so that a
    CRLF split across chunks stays whole): NFC never reaches across a line end, and blanks
    are removed at line ends, so each complete block of lines is canonicalised alone, on
    the fast path when it can be. Empty lines are held back until text follows them (they
    may be the trailing empty lines that the form removes). A line longer than
    :data:`STREAM_LINE_LIMIT` is cut before a character that NFC cannot join to what
    precedes it and that is not a blank, so memory stays bounded for any line length.

    >>> out = []
    >>> c = Canonicalizer(out.append)
    >>> for chunk in (b"\\xef\\xbb\\xbfa \\r", b"\\nb\\r\\n\\r\\n"):
    ...     c.feed(chunk)
    >>> c.finish()
    >>> b"".join(out)
    b'a\\nb'
    """

    def __init__(self, sink: Callable[[bytes | memoryview], object]) -> None:
        self._sink = sink
        self._carry = b""
        self._pending = 0
        self._at_start = True
        #: Absolute offset, in the input, of the first byte not yet canonicalised.
        self._offset = 0

    def feed(self, chunk: bytes) -> None:
        """Canonicalise what ``chunk`` completes; keep the unfinished last line."""
        buf = self._carry + chunk if self._carry else chunk
        if self._at_start:
            stripped = 0
            while buf.startswith(BOM, stripped):
                stripped += len(BOM)
            self._offset += stripped
            buf = buf[stripped:]
            if not buf or BOM.startswith(buf):
                self._carry = buf
                return
            self._at_start = False
        cut = max(buf.rfind(b"\n"), buf.rfind(b"\r", 0, len(buf) - 1)) + 1
        if cut > 0:
            self._carry = buf[cut:]
            self._block(buf[:cut] if cut < len(buf) else buf)
        elif len(buf) > STREAM_LINE_LIMIT and (cut := _safe_cut(buf)) > 0:
            self._carry = buf[cut:]
            self._piece(buf[:cut])
        else:
            self._carry = buf

    def finish(self) -> None:
        """Canonicalise the last line; trailing empty lines and the final line end go."""
        if self._carry:
            carry, self._carry = self._carry, b""
            self._block(carry + b"\n")

    def _decode(self, block: bytes) -> str:
        try:
            return block.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidText(self._offset + exc.start) from exc

    def _block(self, block: bytes) -> None:
        """A run of complete lines, each ending with its line end."""
        text = None if block.isascii() else self._decode(block)
        if (
            b"\r" not in block
            and not _has_trailing_blank(block)
            and (text is None or _is_nfc(block, text))
        ):
            end = len(block)
            while end and block[end - 1] == 0x0A:
                end -= 1
            self._emit(memoryview(block)[:end] if end < len(block) else block, len(block) - end)
        else:
            rewritten = _rewrite_text(text if text is not None else block.decode("ascii"))
            content = rewritten.rstrip("\n")
            self._emit(content.encode("utf-8"), len(rewritten) - len(content))
        self._offset += len(block)

    def _piece(self, piece: bytes) -> None:
        """The start of an over-long line: no line end in it, and text follows it."""
        text = None if piece.isascii() else self._decode(piece)
        if text is not None and not _is_nfc(piece, text):
            self._emit(unicodedata.normalize("NFC", text).encode("utf-8"), 0)
        else:
            self._emit(piece, 0)
        self._offset += len(piece)

    def _emit(self, content: bytes | memoryview, trailing_newlines: int) -> None:
        if len(content):
            if self._pending:
                self._sink(b"\n" * self._pending)
            self._sink(content)
            self._pending = trailing_newlines
        else:
            self._pending += trailing_newlines


def _safe_cut(buf: bytes) -> int:
    """An offset in ``buf`` just before a stable, non-blank character; 0 when none is near."""
    floor = max(1, len(buf) - _CUT_SEARCH)
    for index in range(len(buf) - 1, floor - 1, -1):
        if buf[index] in _CUT_BEFORE:
            return index
    return 0
