"""The canonical forms of covered text: the only home of the normalisation rules.

SPEC.md, "Canonical form", is the normative text; this module implements it.

``relaxed`` (the default) forgives what transport does to text (CRLF line ends, a
byte-order mark, NFD from some editors, trailing blanks) and nothing else: any change to a
word, to punctuation inside a line or to the holder changes the canonical bytes.
``simple`` takes the covered bytes as they are.

Two paths give the same bytes. The fast path (:func:`is_canonical`) proves with a few
C-level scans over the raw bytes that the rewrite would change nothing, so the raw bytes
are hashed as they are; the slow path (:func:`rewrite`) applies the rules step by step and
runs only for texts that really need rewriting. :class:`Canonicalizer` applies the same
rules to a stream of chunks, so that a file of any size is hashed in bounded memory.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from operator import methodcaller

from provenance.model import Canonicalization

BOM = b"\xef\xbb\xbf"

_ASCII_BUT_LF = bytes(code for code in range(0x80) if code != 0x0A)
_BAD_ENDINGS = (b" ", b"\t", b"\n")
_BLANKS = (b" ", b"\t")

# Characters that NFC leaves alone in every context: combining class 0, NFC quick check
# "yes", and never the second character of a canonical composition. The ranges are a
# conservative subset (checked against unicodedata by tests/unit/test_fastpath.py); a
# character outside them sends the text to the exact check, never to a wrong digest.
STABLE_RANGES = ((0x80, 0x2FF), (0x2002, 0x20BF), (0x4000, 0x9FFF), (0xAC00, 0xD7FF))


def char_class(ranges: Iterable[tuple[int, int]], *, negate: bool = False) -> str:
    r"""A regular-expression character class of code point ranges (inclusive).

    >>> char_class([(0x0A, 0x0A), (0xE9, 0xFF)], negate=True)
    '[^\\u000a-\\u000a\\u00e9-\\u00ff]'
    """
    body = "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges)
    return f"[{'^' if negate else ''}{body}]"


@cache
def not_surely_stable() -> re.Pattern[str]:
    """The screen: matches a character that NFC may change or join to what precedes it.

    The LF is in the class for :func:`outline_stable`: an outline holds the LFs of its text.
    Compiled on first use: building this class costs 2 ms, a fifth of a plain verify's
    budget for everything but the interpreter and click.
    """
    return re.compile(char_class([(0x0A, 0x0A), *STABLE_RANGES], negate=True))


def outline_stable(text_outline: bytes) -> bool:
    """Whether every character of an outline (:func:`outline`) is one
    that NFC leaves alone in any context: then the text it was taken from is NFC. False
    means "maybe not", never "not".

    >>> outline_stable("\u00ef\u2014\\n".encode()), outline_stable("\u0301".encode())
    (True, False)
    """
    return not_surely_stable().search(text_outline.decode("utf-8")) is None


# A LF with a blank before it. The pattern starts with the LF so that the regular
# expression engine skips from LF to LF at memchr-like speed and looks back only there; a
# search for " \n" stops at every space of the prose, and a loop over the LFs in Python
# costs a function call per line.
_TRAILING_BLANK = re.compile(rb"\n(?<=[ \t]\n)")

#: Lines longer than this are cut inside the line, at a point where NFC cannot reach across.
STREAM_LINE_LIMIT = 4 * 1024 * 1024
# Bytes that start a character that is a stable NFC boundary: a cut just before one of
# them is safe (ASCII other than blanks and line ends, and the lead bytes of U+0080-U+02FF,
# U+4000-U+9FFF and U+B000-U+D7FF).
_CUT_BEFORE = frozenset(
    [*range(0x21, 0x7F), *range(0xC2, 0xCC), *range(0xE4, 0xEA), *range(0xEB, 0xEE)]
)
_CUT_SEARCH = 64 * 1024
#: Texts larger than this are validated as UTF-8 piece by piece (see :func:`validate_utf8`).
VALIDATE_PIECE = 256 * 1024
#: The slow path normalises to NFC in blocks of about this many bytes (see :func:`_nfc`).
NFC_BLOCK = 64 * 1024


def trailing_blank(data: bytes | bytearray) -> bool:
    """Whether a space or tab stands just before a LF anywhere in ``data``.

    >>> trailing_blank(b"a \\nb"), trailing_blank(b"a\\nb ")
    (True, False)
    """
    return _TRAILING_BLANK.search(data) is not None


def validate_utf8(data: bytes) -> None:
    """Raise :class:`UnicodeDecodeError` (offsets as ``data.decode`` gives them) unless UTF-8.

    Decoding a large text in one call builds one large string, and the page faults of that
    fresh allocation cost about as much as the decoding itself; pieces of
    :data:`VALIDATE_PIECE` bytes reuse the same memory and take half the time.

    >>> validate_utf8("café".encode())
    >>> validate_utf8(b"caf\\xe9")
    Traceback (most recent call last):
    UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9 in position 3: unexpected end of data
    """
    if len(data) <= VALIDATE_PIECE:
        data.decode("utf-8")
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), VALIDATE_PIECE):
            decoder.decode(view[start : start + VALIDATE_PIECE])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        data.decode("utf-8")  # The same error, with offsets into the whole of ``data``.
        raise


def _surely_nfc(covered: bytes) -> bool:
    """The cheap screen: whether every character of (valid UTF-8) ``covered`` is one that NFC
    leaves alone in any context. False means "maybe not", never "not"."""
    return outline_stable(outline(covered))


def _is_nfc(covered: bytes, text: str | None = None) -> bool:
    """Whether the (valid UTF-8) ``covered`` bytes are already NFC, with a cheap screen first."""
    if _surely_nfc(covered):
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
        validate_utf8(covered)  # Strict decoding is the UTF-8 validity check the rule needs.
    return _lines_canonical(covered) and (ascii_only or _is_nfc(covered, text))


def is_surely_canonical(
    covered: bytes, *, validated: bool = False, nfc_stable: bool = False
) -> bool:
    """:func:`is_canonical` with the NFC screen's "maybe not NFC" taken as "no".

    Exact NFC checking costs as much as normalising, so a text the screen does not pass is
    better sent straight to :func:`rewrite`, which gives its bytes back unchanged if it was
    canonical after all. ``nfc_stable`` says the caller's screen (:func:`outline_stable`)
    has already passed these bytes (implies ``validated``).

    >>> is_surely_canonical(b"caf\\xc3\\xa9"), is_surely_canonical("\u0410".encode())
    (True, False)
    """
    if nfc_stable:
        return _lines_canonical(covered)
    ascii_only = covered.isascii()
    if not ascii_only and not validated:
        validate_utf8(covered)
    return _lines_canonical(covered) and (ascii_only or _surely_nfc(covered))


#: :func:`is_surely_canonical_in_pieces` checks a large text in pieces of about this size:
#: small enough that a piece stays in the CPU cache across the passes over it.
SCREEN_PIECE = 128 * 1024
def outline(text: bytes | bytearray) -> bytes:
    """The non-ASCII characters and the LFs of (valid UTF-8) ``text``, in their order.

    One ``translate`` (about 0.5 ns a byte). ASCII bytes never sit inside a multi-byte
    character, so every character of the outline is one of the text, whole.

    >>> outline("Caf\u00e9 \u201cau lait\u201d\\nNext.".encode())
    b'\\xc3\\xa9\\xe2\\x80\\x9c\\xe2\\x80\\x9d\\n'
    """
    return bytes(text.translate(None, _ASCII_BUT_LF))  # The same object when ``text`` is bytes.


def pieces(data: bytes, size: int) -> Iterator[bytes]:
    """``data`` in pieces of about ``size`` bytes, each cut just before a character starts.

    >>> [p.decode() for p in pieces("ab\u00e9\u00e9\u00e9".encode(), 5)]
    ['ab\u00e9', '\u00e9\u00e9']
    """
    start, total = 0, len(data)
    if total <= size:
        yield data
        return
    size = max(size, 4)  # Room for the longest character.
    while start < total:
        end = min(total, start + size)
        # Back off continuation bytes: at most three in UTF-8 text (more means it is not
        # UTF-8, and its validation fails wherever the cut is).
        while end < total and end - 1 > start and 0x80 <= data[end] < 0xC0:
            end -= 1
        yield data[start:end]
        start = end


def is_surely_canonical_in_pieces(covered: bytes, *, validated: bool = False) -> bool:
    """:func:`is_surely_canonical` for a large text, piece by piece.

    Each piece of :data:`SCREEN_PIECE` bytes is validated, looked at for CRs and blanks
    before line ends, and screened for NFC on its :func:`outline` while it is in the CPU
    cache: over a megabyte, that is a third faster than each pass over the whole text.
    Raises :class:`UnicodeDecodeError` (offsets into ``covered``) unless ``validated`` or
    UTF-8.
    """
    canonical = not (covered.startswith(BOM) or covered.endswith(_BAD_ENDINGS))
    last = b""
    for piece in pieces(covered, SCREEN_PIECE) if canonical else ():
        if b"\r" in piece or trailing_blank(piece) or (piece[:1] == b"\n" and last in _BLANKS):
            canonical = False
            break
        last = piece[-1:]
        if piece.isascii():
            continue
        if not validated:
            try:
                piece.decode("utf-8")
            except UnicodeDecodeError:
                break  # validate_utf8 below raises with offsets into the whole text.
        if not outline_stable(outline(piece)):
            canonical = False
            break
    else:
        if canonical:
            return True
    if not validated:
        validate_utf8(covered)
    return False


def _lines_canonical(covered: bytes) -> bool:
    """No BOM at the start, no CR, no blank before a line end, no line end at the end."""
    return not (
        covered.startswith(BOM)
        or covered.endswith(_BAD_ENDINGS)
        or b"\r" in covered
        or trailing_blank(covered)
    )


_ENDS_WITH_CR = methodcaller("endswith", b"\r")


def _rewrite_lines(data: bytes) -> bytes:
    """CR and CRLF to LF, blanks before each line end removed, NFC: the rules of the slow
    path that work line by line, on bytes (valid UTF-8). Leading byte-order marks and
    trailing line ends are the caller's.

    The line rules run on bytes and NFC runs last and only where the screen finds a
    character it can change: NFC is a pure function of each line (a LF is a boundary it
    never reaches across) that never adds, removes or moves a blank, a CR or a LF, so the
    order of the rules does not change the result.
    """
    if b"\r" in data:
        lines = data.split(b"\n")
        strip = b" \t"
        # When every CR ends a line (CRLF line ends only), stripping it with the blanks is
        # the CRLF -> LF rule; a lone CR anywhere needs the general replacement.
        if not data.endswith(b"\r") and data.count(b"\r") == sum(map(_ENDS_WITH_CR, lines)):
            strip = b" \t\r"
        else:
            lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        data = b"\n".join([line.rstrip(strip) for line in lines])
    elif data.endswith((b" ", b"\t")) or trailing_blank(data):
        data = b"\n".join([line.rstrip(b" \t") for line in data.split(b"\n")])
    return data if data.isascii() else _nfc(data)


def _nfc(data: bytes) -> bytes:
    """The NFC form of ``data`` (valid UTF-8), normalising only the blocks that need it.

    A block ends after a LF, where NFC never reaches across; blocks the screen passes are
    kept as they are, so a long text with one decomposed name costs one small normalisation.
    """
    out = []
    start, size = 0, len(data)
    while start < size:
        end = data.find(b"\n", start + NFC_BLOCK) + 1 or size
        block = data[start:end] if start or end < size else data
        if not block.isascii() and not _surely_nfc(block):
            block = unicodedata.normalize("NFC", block.decode("utf-8")).encode("utf-8")
        out.append(block)
        start = end
    return out[0] if len(out) == 1 else b"".join(out)


def rewrite(covered: bytes) -> bytes:
    """Apply the relaxed rules step by step (the slow path) to UTF-8 ``covered``.

    >>> rewrite(b"\\xef\\xbb\\xbfa \\r\\nb\\r\\n")
    b'a\\nb'
    """
    # Every leading U+FEFF goes, not just one, so that the form is idempotent.
    start = 0
    while covered.startswith(BOM, start):
        start += len(BOM)
    return _rewrite_lines(covered[start:] if start else covered).rstrip(b"\n")


def canonicalize(
    covered: bytes,
    mode: Canonicalization = Canonicalization.RELAXED,
    *,
    validated: bool = False,
    nfc_stable: bool = False,
) -> bytes:
    """Return the canonical bytes of ``covered`` under ``mode``.

    Raises :class:`UnicodeDecodeError` for relaxed canonicalisation of non-UTF-8 input.
    ``validated`` says the caller has already checked that ``covered`` is UTF-8;
    ``nfc_stable`` that its screen has found only characters NFC leaves alone.

    >>> canonicalize(b"Caf\\xc3\\xa9  \\r\\nDone.\\r\\n")
    b'Caf\\xc3\\xa9\\nDone.'
    >>> canonicalize(b"as is \\r\\n", Canonicalization.SIMPLE)
    b'as is \\r\\n'
    """
    if mode is Canonicalization.SIMPLE:
        return covered
    if is_surely_canonical(covered, validated=validated, nfc_stable=nfc_stable):
        return covered
    return rewrite(covered)


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

    def __init__(
        self, sink: Callable[[bytes | memoryview], object], *, validated: bool = False
    ) -> None:
        self._sink = sink
        #: The caller has checked that the whole input is UTF-8.
        self._validated = validated
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
        ascii_only = block.isascii()
        if not ascii_only and not self._validated:
            try:
                validate_utf8(block)
            except UnicodeDecodeError as exc:
                raise InvalidText(self._offset + exc.start) from exc
        # A block the NFC screen does not pass is rewritten without an exact check first:
        # the check costs as much as normalising, and the rewrite of a block that was NFC
        # after all gives its bytes back unchanged.
        if b"\r" not in block and not trailing_blank(block) and (ascii_only or _surely_nfc(block)):
            end = len(block)
            while end and block[end - 1] == 0x0A:
                end -= 1
            self._emit(memoryview(block)[:end] if end < len(block) else block, len(block) - end)
        else:
            rewritten = _rewrite_lines(block)
            content = rewritten.rstrip(b"\n")
            self._emit(content, len(rewritten) - len(content))
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
