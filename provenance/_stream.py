"""Checking a large file in bounded memory: the footer from the end, the text in chunks.

:func:`provenance.engine.check_file` hands files larger than
:data:`provenance.engine.STREAM_THRESHOLD` here (and imports this module only then).
:func:`read_window` reads the last :data:`~provenance.parsing.FOOTER_WINDOW` bytes to find the
footer. :func:`scan` then reads the file once from the start: every chunk is checked for NUL
bytes and UTF-8 validity (a large file is rejected exactly as a small one would be), shown
to the deceptive-Unicode scanner, and, up to the end of the covered text, hashed as it is in
a second thread (the raw-first rule). Only when that raw digest is not the claimed one does
:func:`canonical_digest` read the covered text again, through the canonical form.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from provenance.c2pa import CREDENTIAL_MAX, ends_with_selector
from provenance.canonical import Canonicalizer
from provenance.fingerprint import BackgroundHash, new_hash
from provenance.model import Algorithm
from provenance.parsing import FOOTER_WINDOW, FooterSearch, find_footer, hint_sample, not_utf8

#: The size of each read: a fresh 1 MiB buffer each time, as the hashing thread may still
#: hold the previous one.
CHUNK = 1024 * 1024
#: Text is validated in pieces of this size: one large decoded string costs more in page
#: faults than the decoding itself.
VALIDATE_PIECE = 256 * 1024


def read_window(fd: int, size: int) -> tuple[bytes, int, FooterSearch]:
    """The last bytes of the file, their offset, and the footer found in them.

    A file that ends with a variation selector may end with a C2PA text credential, which is
    longer than the footer window: then the window reaches back far enough to hold the
    largest one parse.find_footer looks past, and the footer's window before it.
    """
    start = max(0, size - FOOTER_WINDOW)
    window = os.pread(fd, size - start, start)
    if start > 0 and ends_with_selector(window):
        start = max(0, size - FOOTER_WINDOW - CREDENTIAL_MAX)
        window = os.pread(fd, size - start, start)
    return window, start, find_footer(window)


def _chunks(fd: int, end: int) -> Iterator[bytes]:
    """The bytes before ``end``, from the start, chunk by chunk; short if the file shrank."""
    offset = 0
    while offset < end:
        chunk = os.pread(fd, min(CHUNK, end - offset), offset)
        if not chunk:
            return
        yield chunk
        offset += len(chunk)


@dataclass(frozen=True, slots=True)
class Scan:
    """What one read of a large file found."""

    #: Why the file is not UTF-8 text, or ``None``.
    problem: str | None
    #: LFs before the footer's notice (for its line number), and CRs while there is no LF.
    newlines: int
    returns: int
    #: The digest of the raw covered bytes, when an algorithm was asked for.
    digest: str | None
    #: How many bytes were read (less than the size if the file shrank meanwhile).
    read: int


class InvalidText(ValueError):
    """The stream is not UTF-8; ``offset`` is the absolute offset of the first bad byte."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"not UTF-8 (invalid byte at offset {offset})")
        self.offset = offset


def scan(
    fd: int,
    size: int,
    covered_end: int,
    count_end: int,
    algorithm: Algorithm | None,
    observe: Callable[[bytes], None],
) -> Scan:
    """Read the file once: validate it, ``observe`` every byte, hash ``[0, covered_end)``.

    A NUL anywhere makes the file binary, even after an invalid byte (as
    :func:`provenance.parsing.text_problem` says of a small file).
    """
    hasher = BackgroundHash(new_hash(algorithm)) if algorithm is not None else None
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = newlines = returns = 0
    invalid: int | None = None
    try:
        for chunk in _chunks(fd, size):
            got = len(chunk)
            nul = chunk.find(b"\x00")
            if nul >= 0:
                problem = f"binary data (NUL byte at offset {offset + nul})"
                return Scan(problem, newlines, returns, None, size)  # Enough was read.
            if offset < count_end:
                part = chunk if offset + got <= count_end else chunk[: count_end - offset]
                newlines += part.count(b"\n")
                if not newlines:  # CRs number the lines only of a text without any LF.
                    returns += part.count(b"\r")
            if invalid is None:
                try:
                    _decode(decoder, chunk, offset)
                except InvalidText as exc:
                    invalid = exc.offset
                else:
                    observe(chunk)  # Every byte, in order (deceptive-Unicode findings).
                    if hasher is not None and offset < covered_end:
                        covered = min(got, covered_end - offset)
                        hasher.submit([chunk if covered == got else memoryview(chunk)[:covered]])
            offset += got
        if invalid is None:
            try:
                _decode(decoder, b"", offset, final=True)
            except InvalidText as exc:
                invalid = exc.offset
        if invalid is not None:
            # The reason a file read whole gets, with the hint decided on the same bytes.
            low, high = hint_sample(invalid)
            problem = not_utf8(invalid, os.pread(fd, high - low, low))
            return Scan(problem, 0, 0, None, offset)
        digest = hasher.hexdigest() if hasher is not None else None
        return Scan(None, newlines, returns, digest, offset)
    finally:
        if hasher is not None:
            hasher.close()


def canonical_digest(fd: int, covered_end: int, algorithm: Algorithm) -> str:
    """The digest of the relaxed canonical form of ``[0, covered_end)`` (valid UTF-8)."""
    hasher = new_hash(algorithm)
    stream = Canonicalizer(hasher.update)
    for chunk in _chunks(fd, covered_end):
        stream.feed(chunk)
    stream.finish()
    return hasher.hexdigest()


def _decode(
    decoder: codecs.IncrementalDecoder, data: bytes, offset: int, *, final: bool = False
) -> None:
    """Validate ``data`` (at ``offset`` in the file) as the continuation of a UTF-8 stream."""
    buffered = len(decoder.getstate()[0])
    if not buffered and not final and data.isascii():
        return
    view = memoryview(data)
    for start in range(0, max(len(data), 1), VALIDATE_PIECE):
        piece = view[start : start + VALIDATE_PIECE]
        last = final and start + VALIDATE_PIECE >= len(data)
        try:
            decoder.decode(piece, last)
        except UnicodeDecodeError as exc:
            raise InvalidText(offset + start - buffered + exc.start) from exc
        buffered = len(decoder.getstate()[0])
