"""Recipe: add a footer to a new article, or refresh the fingerprint of an existing one."""

from __future__ import annotations

import contextlib
import datetime
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from io import BufferedReader

from provenance import fingerprint
from provenance.errors import InputError, OperationalError, StampRefused
from provenance.fsio import SpecialFileError, atomic_write, open_regular
from provenance.model import Algorithm, Canonicalization, Document, FingerprintKind, NotText
from provenance.parse import parse
from provenance.tokens import TokenRegistry

_YEAR = re.compile(r"[0-9]{4}")


class StampAction(StrEnum):
    STAMPED = "stamped"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class StampResult:
    """What :func:`stamp_file` did to one file."""

    path: str
    action: StampAction
    algorithm: Algorithm
    digest: str


def notice_text(holder: str, year: int) -> str:
    """The notice a stamp writes; no doubled period when the holder ends with one.

    >>> notice_text("Example News, Inc.", 2022)
    'Copyright ©2022 Example News, Inc. All Rights Reserved.'
    >>> notice_text("Example News", 2022)
    'Copyright ©2022 Example News. All Rights Reserved.'
    """
    period = "" if holder.endswith(".") else "."
    return f"Copyright ©{year} {holder}{period} All Rights Reserved."


def _check_holder(holder: str) -> str:
    holder = holder.strip()
    if not holder:
        raise InputError("the holder must not be empty")
    if any(char in holder for char in "\r\n\x00"):
        raise InputError("the holder must fit on one line")
    if "all rights reserved" in holder.lower():
        raise InputError("the holder must not contain 'All Rights Reserved'")
    return holder


def stamp_bytes(
    data: bytes,
    *,
    holder: str | None,
    year: int | None = None,
    algorithm: Algorithm | None = None,
    update: bool = False,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
    today: datetime.date | None = None,
) -> tuple[bytes, StampResult]:
    """Return ``data`` with a footer, and what was done.

    A text with no footer gets ``Copyright ©YEAR HOLDER. All Rights Reserved. <digest>``
    on a line of its own, with the text's own line ending; a final newline is kept.
    A text that has a footer is refused unless ``update``, which recomputes the digest
    and replaces only the token. ``year`` defaults to ``today``'s year.

    >>> new, result = stamp_bytes(b"Body.\\n", holder="Example News", year=2022)
    >>> new.decode().splitlines()[1][:55]
    'Copyright ©2022 Example News. All Rights Reserved. 4cab'
    """
    doc = parse(data, tokens=tokens)
    if isinstance(doc, NotText):
        raise StampRefused(f"not an article: {doc.reason}")
    if doc.copyright is not None:
        if not update:
            raise StampRefused(
                f"already has a footer (line {doc.footer_line})",
                hint="use --update to recompute its fingerprint",
            )
        return _update(data, doc, algorithm, canonicalization)
    if holder is None:
        raise InputError("--holder is needed to add a footer")
    holder = _check_holder(holder)
    if year is None:
        year = (today or datetime.date.today()).year
    if not 1000 <= year <= 9999:
        raise InputError(f"the year must have four digits, not {year}")
    if not data.strip():
        raise StampRefused("the file is empty: there is no text to stamp")
    algorithm = algorithm or Algorithm.MD5
    newline = doc.newline.encode("ascii")
    body = data if doc.final_newline else data + newline
    covered = body + notice_text(holder, year).encode("utf-8")
    digest = fingerprint.compute(covered, algorithm, canonicalization)
    stamped = covered + b" " + digest.encode("ascii") + (newline if doc.final_newline else b"")
    check = parse(stamped, tokens=tokens)
    # The parser reads the holder as written, with the period the notice puts after it.
    written = holder if holder.endswith(".") else f"{holder}."
    if isinstance(check, NotText) or check.copyright is None or check.copyright.holder != written:
        raise InputError(f"the holder {holder!r} would not read back from the footer")
    return stamped, StampResult("<bytes>", StampAction.STAMPED, algorithm, digest)


def _update(
    data: bytes,
    doc: Document,
    algorithm: Algorithm | None,
    canonicalization: Canonicalization,
) -> tuple[bytes, StampResult]:
    fp = doc.fingerprint
    if fp is not None and fp.kind is FingerprintKind.PUBLISHER_TOKEN:
        raise StampRefused(
            f"the footer carries the publisher token of {fp.publisher}; not replacing it"
        )
    notice = doc.span("notice")
    assert notice is not None  # A document with a copyright has a notice span.
    token_span = doc.span("fingerprint") or doc.span("malformed-token")
    chosen = algorithm or (fp.algorithm if fp is not None else Algorithm.MD5)
    digest = fingerprint.compute(data[: notice.end], chosen, canonicalization)
    if token_span is None:
        updated = data[: notice.end] + b" " + digest.encode("ascii") + data[notice.end :]
    else:
        updated = data[: token_span.start] + digest.encode("ascii") + data[token_span.end :]
    action = StampAction.UNCHANGED if updated == data else StampAction.UPDATED
    return updated, StampResult("<bytes>", action, chosen, digest)


def stamp_file(
    path: str | os.PathLike[str],
    *,
    holder: str | None,
    year: int | None = None,
    algorithm: Algorithm | None = None,
    update: bool = False,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
    today: datetime.date | None = None,
) -> StampResult:
    """Stamp a file in place, atomically (see :func:`stamp_bytes` for the rules).

    The original is replaced only once the new content is fully on disk; its permissions
    are kept. Raises :class:`StampRefused` (file untouched) or :class:`OperationalError`.

    A symbolic link is stamped through: the file it points to is replaced (atomically, in
    its own folder) and the link stays a link. FIFOs and devices are refused, never opened.
    Two stamps of one file at once take turns (an advisory ``flock``): the second sees the
    first one's footer and is refused. A file changed by anyone else between the read and
    the rename is not overwritten: that stamp fails and the other writer's bytes stay.
    """
    shown = os.fspath(path)
    with _locked(shown) as (target, handle):
        try:
            data = handle.read()
            read_at = os.fstat(handle.fileno())
        except OSError as exc:
            raise OperationalError(f"cannot read {shown}: {exc.strerror or exc}") from exc
        new, result = _stamped(
            shown, data, holder, year, algorithm, update, canonicalization, tokens, today
        )
        if result.action is not StampAction.UNCHANGED:
            _refuse_if_changed(shown, target, handle, read_at)
            atomic_write(target, new)
    return StampResult(shown, result.action, result.algorithm, result.digest)


@contextlib.contextmanager
def _locked(shown: str) -> Iterator[tuple[str, BufferedReader]]:
    """The file ``shown`` names (through links), open and locked against other stampers.

    The lock is taken on the open file, then the path is checked to still name that file: a
    stamper that waited while another replaced it starts again on the new file.
    """
    import fcntl

    target = os.path.realpath(shown)
    for _ in range(100):
        try:
            handle = open_regular(target)
        except SpecialFileError as exc:
            raise StampRefused(f"{shown}: not an article: {exc.strerror}") from exc
        except OSError as exc:
            raise OperationalError(f"cannot read {shown}: {exc.strerror or exc}") from exc
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                current = os.stat(target)
            except OSError as exc:
                raise OperationalError(f"cannot lock {shown}: {exc.strerror or exc}") from exc
            if os.path.samestat(os.fstat(handle.fileno()), current):
                yield target, handle
                return
    raise OperationalError(f"{shown} keeps being replaced; not stamping it")


def _refuse_if_changed(
    shown: str, target: str, handle: BufferedReader, read_at: os.stat_result
) -> None:
    """Raise unless ``target`` is still the file that was read, as it was read."""
    try:
        now_open, now_named = os.fstat(handle.fileno()), os.stat(target)
    except OSError as exc:
        raise OperationalError(f"cannot stamp {shown}: {exc.strerror or exc}") from exc
    same = os.path.samestat(now_open, now_named) and (now_open.st_size, now_open.st_mtime_ns) == (
        read_at.st_size,
        read_at.st_mtime_ns,
    )
    if not same:
        raise OperationalError(
            f"{shown} changed while it was being stamped; not overwriting it",
            hint="stamp it again",
        )


def _stamped(
    shown: str,
    data: bytes,
    holder: str | None,
    year: int | None,
    algorithm: Algorithm | None,
    update: bool,
    canonicalization: Canonicalization,
    tokens: TokenRegistry | None,
    today: datetime.date | None,
) -> tuple[bytes, StampResult]:
    try:
        new, result = stamp_bytes(
            data,
            holder=holder,
            year=year,
            algorithm=algorithm,
            update=update,
            canonicalization=canonicalization,
            tokens=tokens,
            today=today,
        )
    except StampRefused as exc:
        raise StampRefused(f"{shown}: {exc.message}", hint=exc.hint) from exc
    return new, result
