"""The per-file engine: one file's bytes -> its footer verdict.

Below the recipes (verify.py, sealed.py, archive.py) and the pool (parallel.py), and
importing none of them. ``check_*`` functions return a :class:`~provenance.model.Result`
and never raise for a bad document.

Every file costs what ``md5sum`` costs it plus a few C-level scans: the text is validated
(no NUL, strict UTF-8), screened for deceptive characters, its footer found from the end,
and the covered bytes hashed as they are. Only a file whose raw digest differs from its
token is rewritten into the canonical form (the raw-first rule of SPEC.md 2.2, in
:func:`provenance.fingerprint.computed`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from provenance import findings, fingerprint
from provenance.credential import check_credential
from provenance.fsio import SpecialFileError, open_regular_fd, read_whole
from provenance.model import (
    C2PA_ABSENT,
    Algorithm,
    C2paCheck,
    Canonicalization,
    FooterCheck,
    Result,
    Verdict,
)
from provenance.parsing import (
    Footer,
    FooterSearch,
    find_footer,
    holder_text,
    line_number,
    text_problem,
    token_defect,
)
from provenance.tokens import TokenRegistry, builtin_tokens

#: Files up to this size are read whole; larger ones are streamed (provenance._stream).
STREAM_THRESHOLD = 4 * 1024 * 1024

_LINE_IN_NOTE = re.compile(r"on line (\d+)")

#: How :func:`_judge` learns the computed digest: (algorithm, claimed token) -> digest.
Compute = Callable[[Algorithm, str], str]


def check_bytes(
    data: bytes,
    path: str = "<bytes>",
    *,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
    c2pa_trust: str | None = None,
    lines: bool = True,
) -> Result:
    """Check the footer of an article held in memory, and report its C2PA text credential
    (``c2pa_trust``: the PEM anchors of ``--c2pa-trust``). Never raises for a bad document.
    ``lines=False``: an ``ok`` result carries no footer line number (``line`` is ``None``),
    which costs a count over the whole text; every other verdict carries it.

    >>> check_bytes(b"No footer here.\\n").verdict.value
    'no-footer'
    """
    outcome = check_bytes_outcome(
        data,
        path,
        canonicalization=canonicalization,
        tokens=tokens,
        c2pa_trust=c2pa_trust,
        lines=lines,
    )
    return outcome_result(outcome, path, canonicalization)


def check_bytes_outcome(
    data: bytes,
    path: str = "<bytes>",
    *,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
    c2pa_trust: str | None = None,
    lines: bool = True,
) -> Outcome:
    """:func:`check_bytes`, with a plain article that verifies left as a :class:`Plain`."""
    registry = tokens if tokens is not None else builtin_tokens()
    problem = text_problem(data)
    if problem is not None:
        return Result.unreadable(path, problem)
    search = find_footer(data)
    footer = search.footer
    # A C2PA text credential is reported beside the footer verdict, never changing it. The
    # wrapper(s) that end the text are not screened as hidden data; a wrapper anywhere else
    # is not where C2PA puts one, and stays reported as what it could carry.
    credential = check_credential(
        data, footer.notice_end if footer is not None else None, trust=c2pa_trust
    )
    skip = _credential_span(search)
    warnings = findings.text_warnings(data, skip=skip) + credential.warnings
    if footer is None:
        detail = search.note or ("empty file" if not data else "no copyright notice at the end")
        return Result(
            path=path,
            detail=detail,
            footer=FooterCheck(verdict=Verdict.NO_FOOTER),
            warnings=warnings,
            c2pa=credential,
        )
    covered = data[: footer.notice_end]
    raw = None
    if not warnings and credential is C2PA_ABSENT:
        # Nearly every article: its verdict, when it verifies, is two fields (a Plain).
        plain = _plain(data, covered, footer, registry, lines)
        if isinstance(plain, Plain):
            return plain
        raw = plain

    def actual_of(algorithm: Algorithm, claimed: str) -> str:
        return fingerprint.computed(covered, claimed, algorithm, canonicalization, raw=raw)

    notice_start = footer.notice_start

    def line() -> int:
        return line_number(data, notice_start)

    result = _judge(
        path, data, footer, line, registry, canonicalization, actual_of, credential, lines
    )
    return _warned(result, warnings, data, footer, registry)


class Plain(NamedTuple):
    """A plain article that verifies (:func:`_plain`), before its :class:`Result` is built.

    Worker processes send it back as it is, two fields instead of a whole result row: the
    result is built once, where it is wanted (:func:`outcome_result`).
    """

    algorithm: Algorithm
    token: str
    line: int | None


#: What checking one file gives: its result, or a plain article that verifies.
Outcome = Result | Plain


def outcome_result(
    outcome: Outcome, path: str, canonicalization: Canonicalization = Canonicalization.RELAXED
) -> Result:
    """The :class:`Result` at ``path`` of what :func:`check_file_outcome` gave."""
    if isinstance(outcome, Result):
        return outcome
    algorithm, token, line = outcome
    return Result(
        path=path,
        detail="fingerprint matches",
        footer=FooterCheck(
            verdict=Verdict.OK,
            algorithm=algorithm,
            expected=token,
            actual=token,
            canonicalization=canonicalization,
        ),
        line=line,
        c2pa=C2PA_ABSENT,
    )


def _plain(
    data: bytes, covered: bytes, footer: Footer, registry: TokenRegistry, lines: bool
) -> Plain | str | None:
    """The check of a plain footer, which needs none of :func:`_judge`: a :class:`Plain`
    when the covered bytes hash to its token as they are; else that digest, for the
    raw-first rule to start from; ``None`` for a footer that is not plain (no valid token,
    a trailer after it, a holder that is not ASCII, a publisher's token). The caller has
    found no warning and no C2PA credential. The results are those :func:`_judge` gives
    (tests/property/test_engine_props.py).
    """
    if not footer.token_valid or data[footer.token_end : footer.text_end].strip():
        return None
    if not data[footer.holder_start : footer.holder_end].isascii():
        return None
    token = data[footer.token_start : footer.token_end].decode("ascii")
    if registry.publisher(token) is not None:
        return None
    algorithm = Algorithm.MD5 if len(token) == 32 else Algorithm.SHA256
    raw = fingerprint.digest(covered, algorithm)
    if not fingerprint.matches(token, raw):
        return raw
    return Plain(algorithm, token, line_number(data, footer.notice_start) if lines else None)


def _credential_span(search: FooterSearch) -> tuple[int, int] | None:
    """The span of the C2PA wrapper(s) that end the text, which the screen does not look at."""
    credential = search.credential
    if credential is None or search.credentials_start is None:
        return None
    return (search.credentials_start, credential.end)


def _warned(
    result: Result,
    text_warnings: tuple[str, ...],
    window: bytes,
    footer: Footer,
    registry: TokenRegistry,
) -> Result:
    """``result`` with the deceptive-Unicode warnings of its text and holder (findings.py)."""
    found = text_warnings
    holder = window[footer.holder_start : footer.holder_end]
    if not holder.isascii():  # An ASCII holder looks like nothing but itself.
        found += findings.holder_warnings(holder_text(holder), registry.tokens.values())
    return replace(result, warnings=result.warnings + found) if found else result


def _judge(
    path: str,
    window: bytes,
    footer: Footer,
    line_of: Callable[[], int],
    registry: TokenRegistry,
    canonicalization: Canonicalization,
    actual_of: Compute,
    c2pa: C2paCheck,
    lines: bool = True,
) -> Result:
    """The verdict on a text file with a footer; ``window`` holds the footer's bytes.
    ``c2pa`` is its credential, set at construction (a copy made later costs more than the check).
    ``line_of`` is asked for the footer's line unless the verdict is ``ok`` and not ``lines``."""
    trailer = window[footer.token_end : footer.text_end].strip().decode("utf-8") or None
    if not footer.has_token:
        return Result(
            path=path,
            detail="the copyright notice has no fingerprint after it",
            footer=FooterCheck(
                verdict=Verdict.NO_FOOTER, canonicalization=canonicalization, trailer=trailer
            ),
            line=line_of(),
            c2pa=c2pa,
        )
    token = window[footer.token_start : footer.token_end].decode("utf-8")
    if not footer.token_valid:
        defect = token_defect(token, glued=footer.glued, registry=registry)
        if defect.publisher_token is not None:  # A publisher marker damaged in transit.
            return Result(
                path=path,
                detail=defect.detail,
                footer=FooterCheck(
                    verdict=Verdict.UNVERIFIABLE,
                    algorithm=fingerprint.algorithm_for(defect.publisher_token),
                    expected=token,
                    canonicalization=canonicalization,
                    publisher=defect.publisher,
                    trailer=trailer,
                ),
                line=line_of(),
            )
        return Result(
            path=path,
            detail=defect.detail,
            footer=FooterCheck(
                verdict=Verdict.MALFORMED,
                expected=token,
                canonicalization=canonicalization,
                trailer=trailer,
            ),
            line=line_of(),
            c2pa=c2pa,
        )
    algorithm = fingerprint.algorithm_for(token)
    assert algorithm is not None  # A valid token is 32 or 64 hex digits long.
    publisher = registry.publisher(token)
    if publisher is not None:
        return Result(
            path=path,
            detail=f"publisher token of {publisher}, not a digest of the text",
            footer=FooterCheck(
                verdict=Verdict.UNVERIFIABLE,
                algorithm=algorithm,
                expected=token,
                canonicalization=canonicalization,
                publisher=publisher,
                trailer=trailer,
            ),
            line=line_of(),
            c2pa=c2pa,
        )
    actual = actual_of(algorithm, token)
    ok = fingerprint.matches(token, actual)
    return Result(
        path=path,
        detail="fingerprint matches" if ok else f"expected {token}, computed {actual}",
        footer=FooterCheck(
            verdict=Verdict.OK if ok else Verdict.MISMATCH,
            algorithm=algorithm,
            expected=token,
            # One string object when equal: a result sent from a worker is pickled with it once.
            actual=token if ok else actual,
            canonicalization=canonicalization,
            trailer=trailer,
        ),
        line=line_of() if lines or not ok else None,
        c2pa=c2pa,
    )


def _wanted_algorithm(
    window: bytes, footer: Footer | None, registry: TokenRegistry
) -> Algorithm | None:
    """The algorithm to hash the covered text with, or ``None`` when no digest is needed."""
    if footer is None or not footer.has_token or not footer.token_valid:
        return None
    token = window[footer.token_start : footer.token_end].decode("ascii")
    if registry.publisher(token) is not None:
        return None
    return fingerprint.algorithm_for(token)


def _check_large(
    fd: int, size: int, shown: str, canonicalization: Canonicalization, registry: TokenRegistry
) -> tuple[Result, int]:
    """:func:`check_bytes` for a file too large to read whole: the same result, streamed;
    and how many bytes were read."""
    from provenance import _stream  # Only large files need it (a plain verify starts faster).

    window, start, search = _stream.read_window(fd, size)
    footer = search.footer
    covered_end = start + footer.notice_end if footer is not None else size
    count_end = start + footer.notice_start if footer is not None else start
    algorithm = _wanted_algorithm(window, footer, registry)
    span = _credential_span(search)
    skip = None
    if span is not None:  # Offsets in the window: the scanner counts from the start.
        skip = (start + span[0], start + span[1])
    scanner = findings.Scanner(skip=skip)
    scan = _stream.scan(fd, size, covered_end, count_end, algorithm, scanner.feed)
    if scan.problem is not None:
        return Result.unreadable(shown, scan.problem), scan.read
    # Only the end of a streamed file is held: the wrapper there is reported, its binding
    # and signature are not checked (that would take the whole text, normalised, in memory).
    notice_end = footer.notice_end if footer is not None else None
    credential = check_credential(window, notice_end, base=start, whole=False)
    warnings = scanner.warnings() + credential.warnings
    if footer is None:
        note = search.note
        if note is not None:
            # The window's line numbers count from the window's start.
            newlines = scan.newlines
            note = _LINE_IN_NOTE.sub(lambda m: f"on line {int(m[1]) + newlines}", note, count=1)
        detail = note or "no copyright notice at the end"
        check = FooterCheck(verdict=Verdict.NO_FOOTER)
        result = Result(path=shown, detail=detail, footer=check, warnings=warnings, c2pa=credential)
        return result, scan.read
    line = scan.newlines + 1 if scan.newlines else scan.returns + 1  # Counted by the scan.

    def actual_of(algorithm: Algorithm, claimed: str) -> str:
        raw = scan.digest
        assert raw is not None  # The scan hashed what _wanted_algorithm asked for.
        if fingerprint.matches(claimed, raw) or canonicalization is Canonicalization.SIMPLE:
            return raw
        return _stream.canonical_digest(fd, covered_end, algorithm)

    result = _judge(
        shown, window, footer, lambda: line, registry, canonicalization, actual_of, credential
    )
    return _warned(result, warnings, window, footer, registry), scan.read


def check_file(
    path: str | os.PathLike[str],
    *,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
    display: str | None = None,
    listed: bool = False,
    c2pa_trust: str | None = None,
    lines: bool = True,
) -> Result:
    """Check one file. I/O errors become an ``unreadable`` result; never raises for them.

    The arguments are those of :func:`check_file_outcome`.
    """
    outcome = check_file_outcome(
        path,
        canonicalization=canonicalization,
        tokens=tokens,
        display=display,
        listed=listed,
        c2pa_trust=c2pa_trust,
        lines=lines,
    )
    shown = display if display is not None else os.fspath(path)
    return outcome_result(outcome, shown, canonicalization)


def check_file_outcome(
    path: str | os.PathLike[str],
    *,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
    display: str | None = None,
    listed: bool = False,
    c2pa_trust: str | None = None,
    lines: bool = True,
) -> Outcome:
    """:func:`check_file`, with a plain article that verifies left as a :class:`Plain`.

    Files up to a few MiB are read whole; larger ones are streamed in 1 MiB chunks, the
    footer found from the end of the file, so memory stays bounded for any file size.
    A FIFO, socket or device is never opened, and a file whose size or modification time
    changes while it is read is ``unreadable``: its verdict would describe no version of it.
    ``listed``: a folder walk has just listed ``path`` as a regular file
    (:func:`provenance.fsio.open_regular_fd`). ``lines``: as :func:`check_bytes`.
    """
    shown = display if display is not None else os.fspath(path)
    large: Result | None = None
    try:
        fd, before = open_regular_fd(path, listed=listed)
        try:
            size = before.st_size
            if size > STREAM_THRESHOLD:
                registry = tokens if tokens is not None else builtin_tokens()
                large, read = _check_large(fd, size, shown, canonicalization, registry)
            else:
                data = read_whole(fd, size)
                read = len(data)
            after = os.fstat(fd)
        finally:
            os.close(fd)
    except IsADirectoryError:
        return Result.unreadable(shown, "is a folder")
    except SpecialFileError as exc:
        return Result.unreadable(shown, exc.strerror or "not a regular file")
    except OSError as exc:
        return Result.unreadable(shown, f"cannot read: {exc.strerror or exc}")
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or read != size:
        detail = (
            f"changed while being read (size {size} -> {after.st_size} bytes, "
            f"{read} read): check it again"
        )
        return Result.unreadable(shown, detail)
    if large is not None:
        return large
    return check_bytes_outcome(
        data,
        shown,
        canonicalization=canonicalization,
        tokens=tokens,
        c2pa_trust=c2pa_trust,
        lines=lines,
    )
