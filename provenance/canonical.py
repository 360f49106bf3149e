"""The canonical forms of covered text: the only home of the normalisation rules.

SPEC.md 2.2, "Canonical form", is the normative text; :func:`rewrite` follows it step by
step and is the reference every other path is compared with. ``relaxed`` (the default)
forgives what transport does to text (CRLF line ends, a byte-order mark, NFD from some
editors, trailing blanks) and nothing else; ``simple`` takes the covered bytes as they are.

A verify never needs the form of a text whose raw bytes already hash to the claimed token
(the raw-first rule, :func:`provenance.fingerprint.computed`): this module runs only for
texts that mismatch, and is written to be read against the SPEC rather than to be fast.
:class:`Canonicalizer` applies the same rules to a stream of chunks, so that a large file
that mismatches is hashed in bounded memory.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from provenance.model import Canonicalization

BOM = b"\xef\xbb\xbf"


def validate_utf8(data: bytes) -> None:
    """Raise :class:`UnicodeDecodeError` (offsets as ``data.decode`` gives them) unless UTF-8.

    >>> validate_utf8("café".encode())
    >>> validate_utf8(b"caf\\xe9")
    Traceback (most recent call last):
    UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9 in position 3: unexpected end of data
    """
    if not data.isascii():
        data.decode("utf-8")


def _lines(text: str) -> list[str]:
    """SPEC 2.2 steps 3 to 5 on decoded text: the lines, LF-split, NFC, without end blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    return [line.rstrip(" \t") for line in text.split("\n")]


def rewrite(covered: bytes) -> bytes:
    """The relaxed canonical form of ``covered``, SPEC 2.2 step by step (the reference).

    Raises :class:`UnicodeDecodeError` when ``covered`` is not UTF-8.

    >>> rewrite(b"\\xef\\xbb\\xbfa \\r\\nb\\r\\n")
    b'a\\nb'
    """
    text = covered.decode("utf-8").lstrip("\ufeff")  # Every leading BOM: idempotent.
    lines = _lines(text)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines).encode("utf-8")


def canonicalize(covered: bytes, mode: Canonicalization = Canonicalization.RELAXED) -> bytes:
    """Return the canonical bytes of ``covered`` under ``mode``.

    Raises :class:`UnicodeDecodeError` for relaxed canonicalisation of non-UTF-8 input.

    >>> canonicalize(b"Caf\\xc3\\xa9  \\r\\nDone.\\r\\n")
    b'Caf\\xc3\\xa9\\nDone.'
    >>> canonicalize(b"as is \\r\\n", Canonicalization.SIMPLE)
    b'as is \\r\\n'
    """
    if mode is Canonicalization.SIMPLE:
        return covered
    return rewrite(covered)


#: Lines longer than this are cut inside the line, before a character NFC cannot reach past.
STREAM_LINE_LIMIT = 4 * 1024 * 1024
# How far back from the end of an over-long line a cut point is looked for.
_CUT_SEARCH = 64 * 1024


class Canonicalizer:
    """The relaxed canonical form of a stream of (valid UTF-8) chunks, written to ``sink``.

    The text is cut at line ends (a LF, or a CR that is not the last byte seen, so that a
    CRLF split across chunks stays whole): every rule of SPEC 2.2 but the leading BOMs and
    the trailing empty lines works within a line, so each block of complete lines is
    rewritten alone (:func:`_lines`). Empty lines are held back until text follows them
    (they may be the trailing empty lines that the form removes). A line longer than
    :data:`STREAM_LINE_LIMIT` is cut just before a visible ASCII character: NFC never joins
    one to what precedes it, and it is not a blank, so memory stays bounded.

    >>> out = []
    >>> c = Canonicalizer(out.append)
    >>> for chunk in (b"\\xef\\xbb\\xbfa \\r", b"\\nb\\r\\n\\r\\n"):
    ...     c.feed(chunk)
    >>> c.finish()
    >>> b"".join(out)
    b'a\\nb'
    """

    def __init__(self, sink: Callable[[bytes], object]) -> None:
        self._sink = sink
        self._carry = b""
        self._pending = 0  # Empty lines held back.
        self._at_start = True

    def feed(self, chunk: bytes) -> None:
        """Canonicalise what ``chunk`` completes; keep the unfinished last line."""
        buf = self._carry + chunk if self._carry else chunk
        if self._at_start:
            buf = _strip_boms(buf)
            if not buf or BOM.startswith(buf):  # Perhaps the start of one more BOM.
                self._carry = buf
                return
            self._at_start = False
        cut = max(buf.rfind(b"\n"), buf.rfind(b"\r", 0, len(buf) - 1)) + 1
        if cut:
            self._emit("\n".join(_lines(buf[:cut].decode("utf-8"))))
        elif len(buf) > STREAM_LINE_LIMIT and (cut := _safe_cut(buf)):
            # Inside a line: NFC only (its blanks are not at a line end).
            self._emit(unicodedata.normalize("NFC", buf[:cut].decode("utf-8")))
        self._carry = buf[cut:]

    def finish(self) -> None:
        """Canonicalise the last line; trailing empty lines and the final line end go."""
        if self._carry:
            carry, self._carry = self._carry, b""
            self._emit("\n".join(_lines(carry.decode("utf-8"))))

    def _emit(self, text: str) -> None:
        """Write ``text``, holding back its final LFs until more text follows them."""
        body = text.rstrip("\n")
        if not body:
            self._pending += len(text)
            return
        if self._pending:
            self._sink(b"\n" * self._pending)
        self._sink(body.encode("utf-8"))
        self._pending = len(text) - len(body)


def _strip_boms(buf: bytes) -> bytes:
    """``buf`` without its leading byte-order marks."""
    start = 0
    while buf.startswith(BOM, start):
        start += len(BOM)
    return buf[start:] if start else buf


def _safe_cut(buf: bytes) -> int:
    """An offset in ``buf`` just before a visible ASCII character; 0 when none is near."""
    floor = max(1, len(buf) - _CUT_SEARCH)
    for index in range(len(buf) - 1, floor - 1, -1):
        if 0x21 <= buf[index] < 0x7F:
            return index
    return 0
