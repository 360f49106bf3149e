"""Checking a large file in bounded memory: the footer from the end, the text in pieces.

:func:`provenance.verify.check_file` hands files larger than
:data:`provenance.verify.STREAM_THRESHOLD` here (and imports this module only then).
:func:`read_window` reads the last :data:`~provenance.parse.FOOTER_WINDOW` bytes to find the
footer (seeking, never reading the body for that). Then the text is read from the start:

* :func:`fast_scan` first, for the common case (a text that is its own canonical form, with
  nothing to warn of): one cheap pass of checks per 128 KiB piece while a second thread
  hashes, or, on two cores, split with a forked process. It gives up at the first doubt;
* :func:`scan` otherwise: every chunk checked for NUL bytes and UTF-8 validity (a large file
  is rejected exactly as a small one would be), scanned for deceptive characters, and, up to
  the end of the covered text, fed to the canonical form and the hash. It says what is wrong.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from io import BufferedReader

from provenance.c2pa import CREDENTIAL_MAX, ends_with_selector
from provenance.canonical import VALIDATE_PIECE, Canonicalizer, InvalidText, trailing_blank
from provenance.findings import complete_prefix
from provenance.fingerprint import BackgroundHash, new_hash
from provenance.model import Algorithm, Canonicalization
from provenance.outline import is_plain
from provenance.parse import FOOTER_WINDOW, FooterSearch, find_footer, hint_sample, not_utf8

#: The size of each read.
CHUNK = 1024 * 1024


def read_window(handle: BufferedReader, size: int) -> tuple[bytes, int, FooterSearch]:
    """The last bytes of the file, their offset, and the footer found in them.

    A file that ends with a variation selector may end with a C2PA text credential, which is
    longer than the footer window: then the window reaches back far enough to hold the
    largest one parse.find_footer looks past, and the footer's window before it.
    """
    start = max(0, size - FOOTER_WINDOW)
    handle.seek(start)
    window = handle.read(size - start)
    if start > 0 and ends_with_selector(window):
        start = max(0, size - FOOTER_WINDOW - CREDENTIAL_MAX)
        handle.seek(start)
        window = handle.read(size - start)
    return window, start, find_footer(window)


@dataclass(frozen=True, slots=True)
class Plan:
    """What a scan of a large file is for."""

    #: The covered text is the bytes before this offset.
    covered_end: int
    #: Line ends are counted before this offset (the footer's notice).
    count_end: int
    #: The covered text is hashed with this; ``None``: no digest is needed.
    algorithm: Algorithm | None
    canonicalization: Canonicalization


def fast_scan(
    handle: BufferedReader, size: int, plan: Plan, *, jobs: int = 1
) -> tuple[int, str | None] | None:
    """The common case of :func:`scan` in one cheap pass, or ``None`` when it is not that case.

    The common case: text without a NUL, valid UTF-8, whose non-ASCII characters are all
    ones that NFC leaves alone and none of them deceptive (:func:`provenance.outline.is_plain`),
    and whose covered text has no CR and no blank before a line end, so that it is its own
    canonical form. Then there is nothing to report but the count of LFs before
    ``plan.count_end`` and the digest of the raw covered bytes (hashed in a second thread
    while this one checks the next chunk). Any doubt returns ``None`` at once, and the
    caller reads the file again with :func:`scan`, which says exactly what is wrong.

    Per piece this thread makes one ``decode`` (validity), one ``translate`` (the outline:
    NFC and deceptive-Unicode screens, NULs, CRs and the LF count) and one search for blanks
    before line ends: about 1.6 ns a byte against the 2.7 of :func:`scan`. That is more than
    MD5 costs (1.2 ns), so with ``jobs`` of 2 or more a file of :data:`SPLIT_MIN` bytes or
    more is split (:func:`_split_scan`): both cores are then busy until the end.
    """
    relaxed = plan.canonicalization is Canonicalization.RELAXED
    check = _RangeCheck(plan.covered_end, checks=relaxed)
    split = _split_point(handle, size) if jobs > 1 and size >= SPLIT_MIN else None
    if split is not None:
        newlines_digest = _split_scan(handle, size, plan, check, split)
    else:
        newlines_digest = _one_process_scan(handle, size, plan, check)
    if newlines_digest is None:
        return None
    newlines, digest = newlines_digest
    if plan.count_end < size:  # The LFs from count_end on lie in the footer window: few bytes.
        handle.seek(plan.count_end)
        newlines -= handle.read(size - plan.count_end).count(b"\n")
    return newlines, digest


def _one_process_scan(
    handle: BufferedReader, size: int, plan: Plan, check: _RangeCheck
) -> tuple[int, str | None] | None:
    """Check every byte here while a second thread hashes the covered text."""
    algorithm = plan.algorithm
    hasher = BackgroundHash(new_hash(algorithm)) if algorithm is not None else None
    try:
        if not _fast_scan(handle, size, check, hasher, size):
            return None
        return check.newlines, hasher.hexdigest() if hasher is not None else None
    finally:
        if hasher is not None:
            hasher.close()


def _split_scan(
    handle: BufferedReader, size: int, plan: Plan, check: _RangeCheck, split: int
) -> tuple[int, str | None] | None:
    """Check the bytes before ``split`` here while a forked process hashes the covered
    text and then checks the rest (see :data:`SPLIT_SHARE`)."""
    try:
        helper = _Helper(handle.fileno(), plan, split, size, checks=check.checks)
    except OSError:  # No process or pipe to spare: one process does it all.
        return _one_process_scan(handle, size, plan, check)
    with helper:
        if not _fast_scan(handle, size, check, None, split):
            return None
        answer = helper.result()
    if answer is None:
        return None
    newlines, digest = answer
    return check.newlines + newlines, digest


#: The fast scan checks each chunk in pieces of this size: small enough that a piece stays
#: in the CPU cache across the four passes over it, large enough to cost few calls.
PIECE = 128 * 1024
#: Files at least this large are checked by two processes when the run may use two cores.
SPLIT_MIN = 32 * 1024 * 1024
#: The share of a split file this process checks. The forked one hashes the whole covered
#: text (1.2 ns a byte) and then checks the rest (1.6 ns a byte): with these shares both
#: finish together (measured on corpus C: 0.85 1.71 s, 0.9 1.65 s, 0.93 1.69 s, 1.0 1.95 s).
SPLIT_SHARE = 0.9


# An outline (canonical.outline) that keeps the NULs and CRs as well as the LFs.
_OUTLINE_DELETES = bytes(code for code in range(0x80) if code not in (0x00, 0x0A, 0x0D))


class _RangeCheck:
    """The fast scan's checks over consecutive pieces of a range that starts a line."""

    def __init__(self, covered_end: int, *, checks: bool) -> None:
        self.covered_end = covered_end
        self.checks = checks
        self.newlines = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._last: bytes | bytearray = b""  # The last covered byte before this piece.
        self._carry = b""  # A character of the outline cut off at the end of the last piece.

    def feed(self, piece: bytes | bytearray, at: int) -> bool:
        """Check ``piece``, found at offset ``at`` of the file; False: not the common case."""
        carry = self._carry
        covered = min(len(piece), self.covered_end - at)
        if piece.isascii() and not carry:
            if b"\x00" in piece or (self.checks and covered > 0 and b"\r" in piece[:covered]):
                return False
            self.newlines += piece.count(b"\n")
        else:
            # The outline keeps NULs and CRs too: looking for them there spares two passes.
            text_outline = bytes(piece.translate(None, _OUTLINE_DELETES))
            if b"\x00" in text_outline:
                return False
            if b"\r" in text_outline:
                if self.checks and covered > 0 and b"\r" in piece[:covered]:
                    return False
                text_outline = text_outline.replace(b"\r", b"")  # After the covered text.
            if carry:
                text_outline = carry + text_outline
            whole = complete_prefix(text_outline)
            self._carry = text_outline[whole:]
            try:
                self._decoder.decode(piece)
            except UnicodeDecodeError:
                return False
            if not is_plain(text_outline[:whole] if self._carry else text_outline):
                return False
            self.newlines += text_outline.count(b"\n")
        if self.checks and covered > 0:
            if covered < len(piece):
                piece = piece[:covered]
            if (
                (piece[0] == 0x0A and self._last in (b" ", b"\t"))
                or trailing_blank(piece)
                or (at == 0 and piece.startswith(b"\xef\xbb\xbf"))
            ):
                return False
            self._last = piece[-1:]
        return True

    def finish(self) -> bool:
        """Whether the range ended on a whole character."""
        if self._carry:
            return False
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True


def _fast_scan(
    handle: BufferedReader,
    size: int,
    check: _RangeCheck,
    hasher: BackgroundHash | None,
    check_end: int,
) -> bool:
    """Hash the covered text and check the bytes before ``check_end``; False on any doubt."""
    handle.seek(0)
    if hasher is None:
        return _check_span(lambda buffer, _: handle.readinto(buffer), 0, check_end, check)
    offset = 0
    end = max(check_end, check.covered_end)
    while offset < end:
        # A fresh chunk each time: the hashing thread may still hold the previous one.
        chunk = handle.read(min(CHUNK, end - offset))
        got = len(chunk)
        if not got:
            return False  # The file shrank: scan() reports it.
        split = min(got, max(0, check.covered_end - offset))
        if split:
            hasher.submit([chunk if split == got else memoryview(chunk)[:split]])
        for start in range(0, min(got, check_end - offset), PIECE):
            limit = min(start + PIECE, check_end - offset)
            piece = chunk[start:limit] if start or limit < got else chunk
            if not check.feed(piece, offset + start):
                return False
        offset += got
    return check.finish()


def _check_span(
    read_into: Callable[[bytearray, int], int], start: int, end: int, check: _RangeCheck
) -> bool:
    """Check ``[start, end)``, read piece by piece into one reused buffer by
    ``read_into(buffer, offset)``; False on any doubt."""
    buffer = bytearray(PIECE)
    offset = start
    while offset < end:
        want = min(PIECE, end - offset)
        target = buffer if want == PIECE else bytearray(want)
        got = read_into(target, offset)
        if not got:
            return False  # The file shrank.
        if not check.feed(target if got == len(target) else target[:got], offset):
            return False
        offset += got
    return check.finish()


def _split_point(handle: BufferedReader, size: int) -> int | None:
    """Just after a LF near :data:`SPLIT_SHARE` of the file; ``None`` when there is none
    within a chunk (or the platform cannot fork)."""
    if not hasattr(os, "fork"):
        return None
    offset = int(size * SPLIT_SHARE)
    handle.seek(offset)
    found = handle.read(CHUNK).find(b"\n")
    return offset + found + 1 if found >= 0 else None


def _hash_and_check(fd: int, plan: Plan, start: int, end: int, *, checks: bool) -> bytes:
    """The forked process's work: hash the covered text, check ``[start, end)``; the answer."""
    hasher = new_hash(plan.algorithm) if plan.algorithm is not None else None
    buffer = bytearray(CHUNK)
    offset = 0
    while hasher is not None and offset < plan.covered_end:
        got = os.preadv(fd, [buffer], offset)
        if not got:
            return b"-"
        hasher.update(memoryview(buffer)[: min(got, plan.covered_end - offset)])
        offset += got
    check = _RangeCheck(plan.covered_end, checks=checks)
    if not _check_span(lambda piece, at: os.preadv(fd, [piece], at), start, end, check):
        return b"-"
    return f"{check.newlines} {hasher.hexdigest() if hasher is not None else '-'}".encode()


# Signals the forked process never acts on: the parent stops it when it must.
_BLOCKED = {signal.SIGINT, signal.SIGTERM}


class _Helper:
    """A forked process that runs :func:`_hash_and_check` and sends back its answer.

    The child shares the parent's open file (``pread`` does not move its offset), writes
    its answer to a pipe and leaves with ``os._exit``: it runs no clean-up of the
    parent's, flushes none of its buffers and prints nothing. It is forked with SIGINT and
    SIGTERM blocked and keeps them blocked, so that a Ctrl-C never runs the parent's code
    in it; the parent, interrupted, kills and reaps it (:meth:`close`).

    Use it as a context manager: the parent's signals are unblocked on entering, inside the
    ``with``, so that an interrupt that came meanwhile still finds the child to stop.
    """

    def __init__(self, fd: int, plan: Plan, start: int, end: int, *, checks: bool) -> None:
        read_end, write_end = os.pipe()
        self._mask = signal.pthread_sigmask(signal.SIG_BLOCK, _BLOCKED)
        try:
            pid = os.fork()
        except BaseException:
            signal.pthread_sigmask(signal.SIG_SETMASK, self._mask)
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:  # pragma: no cover - the child's lines are covered by its answer
            status = 1
            try:
                os.close(read_end)
                os.write(write_end, _hash_and_check(fd, plan, start, end, checks=checks))
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self._pid: int | None = pid
        self._read_end = read_end

    def __enter__(self) -> _Helper:
        signal.pthread_sigmask(signal.SIG_SETMASK, self._mask)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def result(self) -> tuple[int, str | None] | None:
        """The child's count of LFs and digest, or ``None`` (not the common case, or failed)."""
        answer = b""
        while more := os.read(self._read_end, 256):
            answer += more
        self.close()
        newlines, _, digest = answer.decode("ascii", "replace").partition(" ")
        if not newlines.isdigit() or not digest:
            return None
        return int(newlines), None if digest == "-" else digest

    def close(self) -> None:
        """Stop the child if it still runs, and reap it."""
        if self._pid is None:
            return
        pid, self._pid = self._pid, None
        os.close(self._read_end)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def scan(
    handle: BufferedReader,
    size: int,
    plan: Plan,
    *,
    observe: Callable[[bytes], None] | None = None,
) -> tuple[str | None, int, int, str | None]:
    """Read the file once: (problem, LFs and CRs before ``count_end``, digest or ``None``).

    The digest, of the bytes before ``plan.covered_end`` under its canonicalisation, is
    computed only when the plan names an algorithm and the file is text.
    """
    # The canonical bytes of each chunk are hashed in a second thread while this one reads
    # and checks the next chunk (see fingerprint.BackgroundHash).
    algorithm = plan.algorithm
    hasher = BackgroundHash(new_hash(algorithm)) if algorithm is not None else None
    try:
        return _scan(
            handle, size, plan.covered_end, plan.count_end, hasher, plan.canonicalization, observe
        )
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
        # The reason a file read whole gets, with the hint decided on the same bytes.
        start, end = hint_sample(invalid)
        handle.seek(start)
        return not_utf8(invalid, handle.read(end - start)), newlines, returns, None
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
