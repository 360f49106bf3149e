"""The canonical forms of covered text: the only home of the normalisation rules.

SPEC.md, "Canonical form", is the normative text; this module implements it.

``relaxed`` (the default) forgives what transport does to text (CRLF line ends, a
byte-order mark, NFD from some editors, trailing blanks) and nothing else: any change to a
word, to punctuation inside a line or to the holder changes the canonical bytes.
``simple`` takes the covered bytes as they are.
"""

from __future__ import annotations

import unicodedata

from provenance.model import Canonicalization

BOM = b"\xef\xbb\xbf"

# Byte sequences whose presence means the text needs rewriting. Each check is a single C
# level scan, which is what makes the fast path cheaper than the rewrite.
_NEEDS_REWRITE = (b"\r", b" \n", b"\t\n")
_BAD_ENDINGS = (b" ", b"\t", b"\n")


def is_canonical(covered: bytes) -> bool:
    """Whether ``covered`` is already in relaxed canonical form (valid UTF-8 assumed checked).

    This is the fast path: it proves, with a few scans over the bytes and no rewriting, that
    :func:`canonicalize` would return its input unchanged.

    Raises :class:`UnicodeDecodeError` when ``covered`` is not UTF-8.

    >>> is_canonical(b"One line.\\nAnother.")
    True
    >>> is_canonical(b"Trailing blank \\nline.")
    False
    """
    if covered.startswith(BOM) or covered.endswith(_BAD_ENDINGS):
        return False
    for needle in _NEEDS_REWRITE:
        if needle in covered:
            return False
    if covered.isascii():
        return True
    # Strict decoding doubles as the UTF-8 validity check the rule requires.
    return unicodedata.is_normalized("NFC", covered.decode("utf-8"))


def _rewrite(covered: bytes) -> bytes:
    """Apply the relaxed rules step by step (the slow path)."""
    text = covered.decode("utf-8")
    # Every leading U+FEFF goes, not just one, so that the form is idempotent.
    text = text.lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    lines = [line.rstrip(" \t") for line in text.split("\n")]
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
    if is_canonical(covered):
        return covered
    return _rewrite(covered)
