"""Checking a large file in bounded memory: the footer from the end, the text in chunks.

:func:`provenance.verify.check_file` hands files larger than :data:`STREAM_THRESHOLD` to
:func:`scan`. It reads the last :data:`~provenance.parse.FOOTER_WINDOW` bytes to find the
footer (seeking, never reading the body for that), then reads the file once from the start
in :data:`CHUNK` blocks through ``readinto`` into one reused buffer: each block is checked
for NUL bytes and UTF-8 validity (a large file must be rejected exactly as a small one
would be) and, up to the end of the covered text, fed to the canonical form and the hash.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from io import BufferedReader

from provenance.canonical import VALIDATE_PIECE, Canonicalizer, InvalidText
from provenance.fingerprint import BackgroundHash, new_hash
from provenance.model import Algorithm, Canonicalization
from provenance.parse import FOOTER_WINDOW, FooterSearch, find_footer

#: Files up to this size are read whole; larger ones are streamed.
STREAM_THRESHOLD = 4 * 1024 * 1024
#: The size of each read.
CHUNK = 1024 * 1024


def read_window(handle: BufferedReader, size: int) -> tuple[bytes, int, FooterSearch]:
    """The last bytes of the file, their offset, and the footer found in them."""
    start = max(0, size - FOOTER_WINDOW)
    handle.seek(start)
    window = handle.read(size - start)
    return window, start, find_footer(window)


def scan(
    handle: BufferedReader,
    size: int,
    *,
    covered_end: int,
    count_end: int,
    algorithm: Algorithm | None,
    canonicalization: Canonicalization,
    observe: Callable[[bytes], None] | None = None,
) -> tuple[str | None, int, int, str | None]:
    """Read the file once: (problem, LFs and CRs before ``count_end``, digest or ``None``).

    The digest, of the bytes before ``covered_end`` under ``canonicalization``, is computed
    only when ``algorithm`` is given and the file is text.
    """
    # The canonical bytes of each chunk are hashed in a second thread while this one reads
    # and checks the next chunk (see fingerprint.BackgroundHash).
    hasher = BackgroundHash(new_hash(algorithm)) if algorithm is not None else None
    try:
        return _scan(handle, size, covered_end, count_end, hasher, canonicalization, observe)
    finally:
        if hasher is not None:
            hasher.close()


def _scan(
    handle: BufferedReader,
    size: int,
    covered_end: int,
    count_end: int,
    hasher: BackgroundHash | None,
    canonicalization: Canonicalization,
    observe: Callable[[bytes], None] | None,
) -> tuple[str | None, int, int, str | None]:
    pieces: list[bytes | memoryview] = []
    canonical = (
        Canonicalizer(pieces.append)
        if hasher is not None and canonicalization is Canonicalization.RELAXED
        else None
    )
    # Validates what the canonical form does not see: all of it without one, else the
    # bytes after the covered text (which start on a character boundary: the covered text
    # ends with the notice's last, ASCII, character).
    decoder = codecs.getincrementaldecoder("utf-8")()
    handle.seek(0)
    offset = 0
    newlines = returns = 0
    invalid: int | None = None
    while offset < size:
        # A fresh bytes object per read: the kernel copies straight into it, and the
        # hashing thread may still hold the previous chunk.
        chunk = handle.read(CHUNK)
        got = len(chunk)
        if not got:
            break
        if observe is not None:
            observe(chunk)  # Every byte, in order (deceptive-Unicode findings).
        nul = chunk.find(b"\x00")
        if nul >= 0:
            return f"binary data (NUL byte at offset {offset + nul})", newlines, returns, None
        if offset < count_end:
            part = chunk if offset + got <= count_end else chunk[: count_end - offset]
            newlines += part.count(b"\n")
            if b"\r" in part:
                returns += part.count(b"\r")
        if invalid is None:
            split = min(got, max(0, covered_end - offset))
            try:
                if split:
                    covered = chunk if split == got else chunk[:split]
                    if canonical is not None:
                        canonical.feed(covered)
                        if offset + split == covered_end:
                            canonical.finish()
                    else:
                        pieces.append(covered)
                        _decode(decoder, covered, offset)
                if split < got:
                    _decode(decoder, chunk[split:], offset + split)
            except InvalidText as exc:
                invalid = exc.offset
            if hasher is not None and invalid is None:
                hasher.submit(pieces.copy())
            pieces.clear()
        offset += got
    if invalid is None:
        try:
            _decode(decoder, b"", offset, final=True)
        except InvalidText as exc:
            invalid = exc.offset
    if invalid is not None:
        return f"not UTF-8 (invalid byte at offset {invalid})", newlines, returns, None
    return None, newlines, returns, hasher.hexdigest() if hasher is not None else None


def _decode(
    decoder: codecs.IncrementalDecoder, data: bytes, offset: int, *, final: bool = False
) -> None:
    """Validate ``data`` (at ``offset`` in the file) as the continuation of a UTF-8 stream."""
    buffered = len(decoder.getstate()[0])
    if not buffered and not final and data.isascii():
        return
    # In pieces: one large decoded string costs more in page faults than the decoding.
    view = memoryview(data)
    for start in range(0, max(len(data), 1), VALIDATE_PIECE):
        piece = view[start : start + VALIDATE_PIECE]
        last = final and start + VALIDATE_PIECE >= len(data)
        try:
            decoder.decode(piece, last)
        except UnicodeDecodeError as exc:
            raise InvalidText(offset + start - buffered + exc.start) from exc
        buffered = len(decoder.getstate()[0])
