"""Recipe: add a footer to a new article, or refresh the fingerprint of an existing one.

A stamp never blesses a text it did not see stamped: a footer that does not verify (its
token is not the digest of the text above it, or is malformed) is refused whatever
:class:`OnFooter` says, unless ``OnFooter.FORCE`` asks for it by name.
"""

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
from provenance.engine import check_bytes
from provenance.errors import InputError, OperationalError, StampRefused
from provenance.fsio import SpecialFileError, atomic_write, open_regular
from provenance.model import (
    Algorithm,
    Canonicalization,
    Document,
    FingerprintKind,
    NotText,
    Verdict,
)
from provenance.parsing import parse
from provenance.tokens import TokenRegistry

_YEAR = re.compile(r"[0-9]{4}")


class StampAction(StrEnum):
    STAMPED = "stamped"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    #: Left as it was: it has a footer that verifies (``OnFooter.KEEP``).
    ALREADY_STAMPED = "already stamped"


class OnFooter(StrEnum):
    """What a stamp does to a text that already has a copyright notice at its end."""

    #: Refuse it (the default: ``stamp`` adds footers to new articles).
    REFUSE = "refuse"
    #: Leave it when its footer verifies or carries a publisher token (``--missing-only``);
    #: refuse it when the footer does not verify.
    KEEP = "keep"
    #: Recompute its digest (``--update``) when the footer verifies (to change the
    #: algorithm) or has no token yet; refuse it when the footer does not verify.
    UPDATE = "update"
    #: Recompute its digest whatever the footer says (``--update --force``).
    FORCE = "force"


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
    on_footer: OnFooter = OnFooter.REFUSE,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
    today: datetime.date | None = None,
) -> tuple[bytes, StampResult]:
    """Return ``data`` with a footer, and what was done.

    A text with no footer gets ``Copyright ©YEAR HOLDER. All Rights Reserved. <digest>``
    on a line of its own, with the text's own line ending; a final newline is kept.
    A text that has a footer is treated as ``on_footer`` says (:class:`OnFooter`); an update
    recomputes the digest and replaces only the token. ``year`` defaults to ``today``'s year.

    >>> new, result = stamp_bytes(b"Body.\\n", holder="Example News", year=2022)
    >>> new.decode().splitlines()[1][:55]
    'Copyright ©2022 Example News. All Rights Reserved. 4cab'
    """
    doc = parse(data, tokens=tokens)
    if isinstance(doc, NotText):
        raise StampRefused(f"not an article: {doc.reason}")
    if doc.copyright is not None:
        return _existing(data, doc, algorithm, on_footer, canonicalization, tokens)
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


def _existing(
    data: bytes,
    doc: Document,
    algorithm: Algorithm | None,
    on_footer: OnFooter,
    canonicalization: Canonicalization,
    tokens: TokenRegistry | None,
) -> tuple[bytes, StampResult]:
    """What a stamp does to a text with a notice at its end: see :class:`OnFooter`."""
    if on_footer is OnFooter.REFUSE:
        raise StampRefused(
            f"already has a footer (line {doc.footer_line})",
            hint="use --update to recompute its fingerprint, --missing-only to leave it",
        )
    if on_footer is OnFooter.FORCE:
        return _update(data, doc, algorithm, canonicalization)
    # The verdict verify gives, on the same bytes with the same rules: a stamp that keeps or
    # refreshes a footer vouches for it, so the verifier decides, not a second judgement here.
    checked = check_bytes(data, canonicalization=canonicalization, tokens=tokens)
    fp = doc.fingerprint
    if checked.verdict in (Verdict.OK, Verdict.UNVERIFIABLE) and fp is not None:
        if on_footer is OnFooter.KEEP:
            kept = StampResult("<bytes>", StampAction.ALREADY_STAMPED, fp.algorithm, fp.value)
            return data, kept
        return _update(data, doc, algorithm, canonicalization)  # Refuses a publisher token.
    if checked.verdict is Verdict.NO_FOOTER and fp is None and doc.span("malformed-token") is None:
        # A notice with no token yet makes no claim that a new digest could contradict.
        if on_footer is OnFooter.UPDATE:
            return _update(data, doc, algorithm, canonicalization)
        raise StampRefused(
            f"has a copyright notice with no fingerprint (line {doc.footer_line})",
            hint="use --update to add its fingerprint",
        )
    raise StampRefused(
        f"its footer does not verify ({checked.verdict}: {checked.detail}); not stamping over it",
        hint="check the text first; --update --force recomputes the fingerprint of the text "
        "as it is now",
    )


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
    on_footer: OnFooter = OnFooter.REFUSE,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
    today: datetime.date | None = None,
    break_hard_links: bool = False,
) -> StampResult:
    """Stamp a file in place, atomically (see :func:`stamp_bytes` for the rules).

    The original is replaced only once the new content is fully on disk; its permissions,
    owner and group are kept. Raises :class:`StampRefused` (file untouched) or
    :class:`OperationalError`.

    A file with other hard links is refused unless ``break_hard_links``: the new content
    goes to a new file renamed over this name, so the other names would keep the old text
    (and verify ``ok`` or not as before), silently out of step with this one.

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
            shown, data, holder, year, algorithm, on_footer, canonicalization, tokens, today
        )
        if result.action in (StampAction.STAMPED, StampAction.UPDATED):
            if read_at.st_nlink > 1 and not break_hard_links:
                others = read_at.st_nlink - 1
                raise StampRefused(
                    f"{shown}: has {others} other hard link{'s' if others > 1 else ''}, which "
                    "would keep the old text: a stamp replaces this name only",
                    hint="use --break-hard-links to stamp this name anyway",
                )
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
    on_footer: OnFooter,
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
            on_footer=on_footer,
            canonicalization=canonicalization,
            tokens=tokens,
            today=today,
        )
    except StampRefused as exc:
        raise StampRefused(f"{shown}: {exc.message}", hint=exc.hint) from exc
    return new, result
