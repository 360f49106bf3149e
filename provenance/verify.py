"""Recipe: files, folders -> footer verdicts.

``check_*`` functions return a :class:`~provenance.model.Result` and never raise for a bad
document; :func:`verify_file` raises :class:`~provenance.errors.VerificationError` instead.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from io import BufferedReader, FileIO
from itertools import chain, islice
from operator import attrgetter

from provenance import findings, fingerprint, parallel
from provenance.canonical import outline, outline_stable
from provenance.errors import InputError, VerificationError
from provenance.fsio import SpecialFileError, open_regular_fd, read_whole
from provenance.model import Algorithm, Canonicalization, Result, Verdict
from provenance.outline import is_plain
from provenance.parse import (
    Footer,
    find_footer,
    holder_text,
    line_number,
    text_problem,
    token_defect,
)
from provenance.seals import marks_seal
from provenance.tokens import TokenRegistry, builtin_tokens

#: Suffixes of the files a folder walk takes by default (plus files with no suffix).
DEFAULT_SUFFIXES = (".txt", ".md")
#: Names a folder walk never takes as articles: manifests and signatures are not articles.
NEVER_ARTICLES = ("SHA256SUMS", "*.sig")
#: Files up to this size are read whole; larger ones are streamed (provenance._stream).
STREAM_THRESHOLD = 4 * 1024 * 1024

_LINE_IN_NOTE = re.compile(r"on line (\d+)")


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """How files are checked and which files a folder walk takes."""

    canonicalization: Canonicalization = Canonicalization.RELAXED
    tokens: TokenRegistry | None = None
    #: Globs that replace the default selection (.txt, .md, no suffix) when given.
    include: tuple[str, ...] = ()
    #: Globs of files (or folders) to leave out of a folder walk.
    exclude: tuple[str, ...] = ()
    #: Adds the check of each file's detached signature to its result
    #: (:class:`provenance.signed.SignatureCheck`); ``None`` leaves signatures unchecked.
    signatures: Callable[[Result], Result] | None = None


def check_bytes(
    data: bytes,
    path: str = "<bytes>",
    *,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
) -> Result:
    """Check the footer of an article held in memory. Never raises for a bad document.

    >>> check_bytes(b"No footer here.\\n").verdict.value
    'no-footer'
    """
    registry = tokens if tokens is not None else builtin_tokens()
    # text_problem decodes the file once; the fingerprint then trusts that check and never
    # decodes the whole text again.
    problem = text_problem(data)
    if problem is not None:
        return Result(path, Verdict.UNREADABLE, problem)
    search = find_footer(data)
    footer = search.footer
    # One pass over a non-ASCII text collects its non-ASCII characters and its line ends: the
    # deceptive-Unicode screen, the NFC screen and the footer's line number read that outline
    # instead of the whole text.
    text_outline = b"" if data.isascii() else outline(data)
    plain = not text_outline or is_plain(text_outline)
    credential = search.credential
    skip = (credential.start, credential.end) if credential is not None else None
    warnings = () if plain else findings.outline_warnings(data, text_outline, skip=skip)
    if footer is None:
        detail = search.note or ("empty file" if not data else "no copyright notice at the end")
        return Result(path, Verdict.NO_FOOTER, detail, warnings=warnings)

    def actual_of(algorithm: Algorithm) -> str:
        assert footer is not None
        return fingerprint.compute(
            data[: footer.notice_end],
            algorithm,
            canonicalization,
            validated=True,
            nfc_stable=plain or outline_stable(text_outline),
        )

    line = _footer_line(data, footer, text_outline)
    result = _judge(path, data, footer, line, registry, canonicalization, actual_of)
    return _warned(result, warnings, data, footer, registry)


def _footer_line(data: bytes, footer: Footer, text_outline: bytes) -> int:
    """The line number of the footer's notice, counted on the outline when there is one."""
    if text_outline:
        newlines = text_outline.count(b"\n") - data.count(b"\n", footer.notice_start)
        if newlines:
            return newlines + 1
    return line_number(data, footer.notice_start)


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
    line: int,
    registry: TokenRegistry,
    canonicalization: Canonicalization,
    actual_of: Callable[[Algorithm], str],
) -> Result:
    """The verdict on a text file with a footer; ``window`` holds the footer's bytes.

    Each outcome builds its :class:`Result` once, with every field: this runs once per file,
    and copying a frozen dataclass field by field (``dataclasses.replace``) cost more than
    parsing the footer.
    """
    trailer = window[footer.token_end : footer.text_end].strip().decode("utf-8") or None
    if not footer.has_token:
        return Result(
            path,
            Verdict.NO_FOOTER,
            "the copyright notice has no fingerprint after it",
            canonicalization=canonicalization,
            trailer=trailer,
            line=line,
        )
    token = window[footer.token_start : footer.token_end].decode("utf-8")
    if not footer.token_valid:
        defect = token_defect(token, glued=footer.glued, registry=registry)
        if defect.publisher_token is not None:  # A publisher marker damaged in transit.
            return Result(
                path,
                Verdict.UNVERIFIABLE,
                defect.detail,
                fingerprint.algorithm_for(defect.publisher_token),
                token,
                canonicalization=canonicalization,
                publisher=defect.publisher,
                trailer=trailer,
                line=line,
            )
        return Result(
            path,
            Verdict.MALFORMED,
            defect.detail,
            expected=token,
            canonicalization=canonicalization,
            trailer=trailer,
            line=line,
        )
    algorithm = fingerprint.algorithm_for(token)
    assert algorithm is not None  # A valid token is 32 or 64 hex digits long.
    publisher = registry.publisher(token)
    if publisher is not None:
        return Result(
            path,
            Verdict.UNVERIFIABLE,
            f"publisher token of {publisher}, not a digest of the text",
            algorithm,
            token,
            None,
            canonicalization,
            publisher,
            trailer,
            line,
        )
    actual = actual_of(algorithm)
    if fingerprint.matches(token, actual):
        # The claimed token stands for the computed digest too (they are equal): one string
        # object, so that a result sent from a worker process is pickled with it once.
        return Result(
            path,
            Verdict.OK,
            "fingerprint matches",
            algorithm,
            token,
            token,
            canonicalization,
            None,
            trailer,
            line,
        )
    return Result(
        path,
        Verdict.MISMATCH,
        f"expected {token}, computed {actual}",
        algorithm,
        token,
        actual,
        canonicalization,
        None,
        trailer,
        line,
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
    handle: BufferedReader,
    size: int,
    shown: str,
    canonicalization: Canonicalization,
    registry: TokenRegistry,
    jobs: int,
) -> Result:
    """:func:`check_bytes` for a file too large to read whole: the same result, streamed."""
    from provenance import _stream  # Only large files need it (a plain verify starts faster).

    window, start, search = _stream.read_window(handle, size)
    footer = search.footer
    algorithm = _wanted_algorithm(window, footer, registry)
    covered_end = start + footer.notice_end if footer is not None else size
    count_end = start + footer.notice_start if footer is not None else start
    plan = _stream.Plan(covered_end, count_end, algorithm, canonicalization)
    # Nearly every large text is the common case, checked in one cheap pass; any other
    # is read again by the general scan, which says what it is.
    fast = _stream.fast_scan(handle, size, plan, jobs=jobs)
    warnings: tuple[str, ...] = ()
    if fast is not None:  # The common case has nothing to warn of (outline.is_plain).
        (newlines, actual), returns = fast, 0
    else:
        # The same deceptive-Unicode findings as check_bytes, from the same single read.
        credential = search.credential
        skip = None
        if credential is not None:  # Offsets in the window: the scanner counts from the start.
            skip = (start + credential.start, start + credential.end)
        scanner = findings.Scanner(skip=skip)
        problem, newlines, returns, actual = _stream.scan(handle, size, plan, observe=scanner.feed)
        if problem is not None:
            return Result(shown, Verdict.UNREADABLE, problem)
        warnings = scanner.warnings()
    if footer is None:
        note = search.note
        if note is not None:
            # The window's line numbers count from the window's start.
            note = _LINE_IN_NOTE.sub(lambda m: f"on line {int(m[1]) + newlines}", note, count=1)
        detail = note or "no copyright notice at the end"
        return Result(shown, Verdict.NO_FOOTER, detail, warnings=warnings)
    line = newlines + 1 if newlines else returns + 1

    def actual_of(algorithm: Algorithm) -> str:
        assert actual is not None
        return actual

    result = _judge(shown, window, footer, line, registry, canonicalization, actual_of)
    return _warned(result, warnings, window, footer, registry)


def check_file(
    path: str | os.PathLike[str],
    *,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
    display: str | None = None,
    jobs: int = 1,
) -> Result:
    """Check one file. I/O errors become an ``unreadable`` result; never raises for them.

    Files up to a few MiB are read whole; larger ones are streamed in 1 MiB chunks, the
    footer found from the end of the file, so memory stays bounded for any file size.
    ``jobs`` is how many cores a large file may use (see :func:`provenance._stream.fast_scan`).
    A FIFO, socket or device is never opened, and a file whose size or modification time
    changes while it is read is ``unreadable``: its verdict would describe no version of it.
    """
    shown = display if display is not None else os.fspath(path)
    large: Result | None = None
    try:
        fd, before = open_regular_fd(path)
        try:
            size = before.st_size
            if size > STREAM_THRESHOLD:
                registry = tokens if tokens is not None else builtin_tokens()
                handle: BufferedReader = BufferedReader(FileIO(fd, "rb", closefd=False))
                with handle:
                    large = _check_large(handle, size, shown, canonicalization, registry, jobs)
                read = size
            else:
                data = read_whole(fd, size)
                read = len(data)
            after = os.fstat(fd)
        finally:
            os.close(fd)
    except IsADirectoryError:
        return Result(shown, Verdict.UNREADABLE, "is a folder")
    except SpecialFileError as exc:
        return Result(shown, Verdict.UNREADABLE, exc.strerror or "not a regular file")
    except OSError as exc:
        return Result(shown, Verdict.UNREADABLE, f"cannot read: {exc.strerror or exc}")
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or read != size:
        detail = (
            f"changed while being read (size {size} -> {after.st_size} bytes, "
            f"{read} read): check it again"
        )
        return Result(shown, Verdict.UNREADABLE, detail)
    if large is not None:
        return large
    return check_bytes(data, shown, canonicalization=canonicalization, tokens=tokens)


def verify_file(
    path: str | os.PathLike[str],
    *,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
    strict: bool = False,
) -> Result:
    """Check one file and raise :class:`VerificationError` if the result fails.

    >>> verify_file("fixtures/articles/good/plain.txt").verdict.value  # doctest: +SKIP
    'ok'
    """
    result = check_file(path, canonicalization=canonicalization, tokens=tokens)
    if result.failed(strict=strict):
        raise VerificationError(f"{result.path}: {result.verdict}: {result.detail}")
    return result


def never_article(name: str) -> bool:
    """Whether a file name is one a walk never takes as an article (:data:`NEVER_ARTICLES`).

    >>> never_article("SHA256SUMS"), never_article("a.txt.sig"), never_article("a.txt")
    (True, True, False)
    """
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in NEVER_ARTICLES)


class _Selector:
    """Which entries a folder walk takes, with the options' globs compiled once per walk.

    Globs follow gitignore rules (:mod:`provenance.globs`), matched against the path relative
    to the folder walked.
    """

    __slots__ = ("exclude", "include")

    def __init__(self, options: VerifyOptions) -> None:
        from provenance.globs import compile_globs

        self.exclude = compile_globs(options.exclude, "--exclude")
        self.include = compile_globs(options.include, "--include")

    def wanted(self, name: str, relative: str) -> bool:
        """Whether the walk takes the file ``name`` at ``relative`` (never a hidden one)."""
        if (self.exclude is not None and self.exclude(relative, False)) or never_article(name):
            return False
        if self.include is not None:
            return self.include(relative, False)
        # For a name that does not start with a dot, os.path.splitext's suffix is one of
        # DEFAULT_SUFFIXES exactly when the name ends with it, and empty exactly when the
        # name has no dot.
        return name.endswith(DEFAULT_SUFFIXES) or "." not in name

    def enters(self, relative: str) -> bool:
        """Whether the walk enters the folder at ``relative``."""
        return self.exclude is None or not self.exclude(relative, True)

    def takes(self, relative: str, *, is_folder: bool = False) -> bool:
        """Whether a walk from the top would reach and take ``relative`` (a ``/`` path).

        Every folder on the way must be one the walk enters, and no part may be hidden; a
        file must then be :meth:`wanted`, a folder entered. This is what ``--force-exclude``
        and ``--staged`` hold named files to.
        """
        parts = relative.split("/")
        if any(not part or part.startswith(".") for part in parts):
            return False
        for depth in range(1, len(parts)):
            if not self.enters("/".join(parts[:depth])):
                return False
        if is_folder:
            return self.enters(relative)
        return self.wanted(parts[-1], relative)


@dataclass(frozen=True, slots=True)
class Target:
    """A file to check, or a folder that could not be listed (``error`` set)."""

    path: str
    display: str
    error: str | None = None


def iter_targets(
    paths: Iterable[str], options: VerifyOptions = VerifyOptions()
) -> Iterator[Target]:
    """The files to check for ``paths``, in order: files as named, folders walked sorted.

    Folder walks skip hidden entries, never follow symbolic links, and take the files
    :meth:`_Selector.wanted` selects. A path that does not exist raises :class:`InputError` before
    anything is yielded.
    """
    for path, display, error in _targets(paths, options):
        yield Target(path, display, error)


@dataclass(frozen=True, slots=True)
class SealedFolder:
    """A folder a seal-aware walk met that holds SHA256SUMS (in any form: see seals.py).

    The walk does not go into it: the caller checks it whole as a sealed folder.
    """

    path: str


def iter_entries(
    paths: Iterable[str], options: VerifyOptions = VerifyOptions()
) -> Iterator[parallel.Target | SealedFolder]:
    """:func:`iter_targets`, but a sealed folder, named or met on the way, is one entry.

    >>> [type(e).__name__ for e in iter_entries(["issue-12"])]  # doctest: +SKIP
    ['SealedFolder']
    """
    return _entries(paths, options, seals=True)


def _entries(
    paths: Iterable[str], options: VerifyOptions, *, seals: bool
) -> Iterator[parallel.Target | SealedFolder]:
    """Files as (path, display, error) tuples; with ``seals``, sealed folders as such."""
    paths = list(paths)
    for path in paths:
        if not os.path.lexists(path):
            raise InputError(f"{path}: no such file or folder")
    select = _Selector(options)
    for path in paths:
        if os.path.isdir(path):
            yield from _walk(path, select, seals)
        else:
            yield path, path, None


def select_named(paths: Iterable[str], options: VerifyOptions) -> list[str]:
    """The ``paths`` a walk from the current folder would take (a file) or enter (a folder).

    This is ``--force-exclude``: named files held to the walk's selection (include or the
    default suffixes, exclude, hidden entries, SHA256SUMS and ``*.sig``), as tools that
    receive file names from pre-commit need. A path outside the current folder has no
    relative path to match, and is kept: a file the user named is only left out on a
    pattern's say-so.

    >>> select_named(["a.txt", "drafts/b.txt", "logo.png"], VerifyOptions(exclude=("drafts/",)))
    ['a.txt']
    """
    select = _Selector(options)
    kept = []
    for path in paths:
        relative = os.path.relpath(path).replace(os.sep, "/")
        outside = relative in (".", "..") or relative.startswith("../")
        if outside or select.takes(relative, is_folder=os.path.isdir(path)):
            kept.append(path)
    return kept


def _targets(paths: Iterable[str], options: VerifyOptions) -> Iterator[parallel.Target]:
    """:func:`iter_targets` as plain (path, display, error) tuples."""
    for entry in _entries(paths, options, seals=False):
        assert not isinstance(entry, SealedFolder)  # Only a seal-aware walk yields one.
        yield entry


_NAME = attrgetter("name")


def _listing(folder: str) -> list[os.DirEntry[str]] | str:
    """The entries of ``folder`` sorted by name, or why it cannot be listed."""
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=_NAME)
    except OSError as exc:
        return f"cannot list folder: {exc.strerror or exc}"


def _walk(root: str, select: _Selector, seals: bool) -> Iterator[parallel.Target | SealedFolder]:
    """Walk ``root`` depth first in sorted order, with a stack instead of recursion.

    A tree thousands of folders deep is walked like a flat one (a recursive walk raised
    RecursionError at about a thousand levels); a folder whose path is too long for the
    system to open becomes one ``cannot list folder`` error, and the walk goes on.
    """
    listing = _listing(root)
    if isinstance(listing, str):
        yield root, root, listing
        return
    if seals and any(marks_seal(entry.name) for entry in listing):
        yield SealedFolder(root)
        return
    # Each level: the folder's relative path with its final "/", its path to show, and
    # what is left of its sorted listing.
    stack: list[tuple[str, str, Iterator[os.DirEntry[str]]]] = [
        ("", join_display(root, ""), iter(listing))
    ]
    while stack:
        prefix, shown, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        name = entry.name
        if name.startswith("."):
            continue
        child = prefix + name
        # follow_symlinks=False: a symbolic link is neither, and is never followed.
        if entry.is_file(follow_symlinks=False):
            if select.wanted(name, child):
                path, display = entry.path, shown + name
                # One string object when both are equal: a batch sent to a worker pickles it once.
                yield path, path if display == path else display, None
        elif entry.is_dir(follow_symlinks=False) and select.enters(child):
            below = _listing(entry.path)
            if isinstance(below, str):
                yield entry.path, entry.path, below
            elif seals and any(marks_seal(item.name) for item in below):
                yield SealedFolder(entry.path)
            else:
                stack.append((child + "/", shown + name + "/", iter(below)))


def join_display(root: str, relative: str) -> str:
    """``root/relative`` as results show it.

    >>> join_display("issue", "a.txt"), join_display("issue/", "a.txt")
    ('issue/a.txt', 'issue/a.txt')
    """
    return root + relative if root.endswith(("/", os.sep)) else f"{root}/{relative}"


def check_paths(
    paths: Iterable[str],
    options: VerifyOptions = VerifyOptions(),
    *,
    on_result: Callable[[Result], None] | None = None,
    jobs: int = 1,
) -> list[Result]:
    """Check files and folders; one result per file, in walk order.

    ``on_result`` is called with each result as soon as it is known, in walk order (for
    progress and streaming output). ``jobs`` greater than 1 checks files in that many worker
    processes, in batches; a run of fewer files than a few batches stays in this process.
    After every file is checked, tokens shared by files whose texts differ are reported
    ``unverifiable`` (see :func:`infer_publisher_tokens`); the list returned carries those
    final verdicts.

    This checks footers (and FILE.sig) only, in sealed folders too; a run that honours
    seals and archives is :func:`provenance.run.check_run`.

    >>> [r.verdict.value for r in check_paths(["fixtures/articles/good"], jobs=2)][:1]  # doctest: +SKIP
    ['ok']
    """
    return check_targets(_targets(paths, options), options, on_result=on_result, jobs=jobs)


def check_targets(
    targets: Iterable[parallel.Target],
    options: VerifyOptions = VerifyOptions(),
    *,
    on_result: Callable[[Result], None] | None = None,
    jobs: int = 1,
) -> list[Result]:
    """:func:`check_paths` for files already found: (path, display, error) tuples."""
    targets = iter(targets)
    head = list(islice(targets, 2 * parallel.BATCH)) if jobs > 1 else []
    if jobs > 1 and len(head) == 2 * parallel.BATCH:
        stream: Iterable[Result] = parallel.check_parallel(
            chain(head, targets), jobs, options.canonicalization, options.tokens
        )
    else:
        # Files checked one after the other here: a large one may use the cores itself.
        stream = parallel.check_each(
            chain(head, targets), options.canonicalization, options.tokens, jobs=jobs
        )
    results = []
    for result in stream:
        if options.signatures is not None:
            result = options.signatures(result)
        if on_result is not None:
            on_result(result)
        results.append(result)
    return infer_publisher_tokens(results)


def infer_publisher_tokens(results: Sequence[Result]) -> list[Result]:
    """Mark as ``unverifiable`` the files whose token cannot be a digest of their text.

    When two or more files carry the same token, none of them matches it, and their
    texts differ (their computed digests differ), the token is a constant marker and not
    a digest. When one of them does match, the token is a real digest of that file and
    the others stay ``mismatch`` (they are altered copies).
    """
    # Only mismatches can be revised, and a run has few: group those first, and look at the
    # files that matched only for the tokens of a group (a pass over every result costs
    # a tenth of a second per 100,000 files, after the workers are done).
    groups: defaultdict[str, list[int]] = defaultdict(list)
    for index, result in enumerate(results):
        if result.verdict is Verdict.MISMATCH and result.expected:
            groups[result.expected].append(index)
    shared = {token for token, members in groups.items() if len(members) >= 2}
    if not shared:
        return list(results)
    matched = {r.expected for r in results if r.verdict is Verdict.OK and r.expected in shared}
    inferred = list(results)
    for token in shared - matched:
        members = groups[token]
        if len({results[i].actual for i in members}) < 2:
            continue
        detail = (
            f"token {token} ends {len(members)} files whose texts differ, "
            "so it is a constant marker, not a digest of the text"
        )
        for i in members:
            inferred[i] = replace(results[i], verdict=Verdict.UNVERIFIABLE, detail=detail)
    return inferred
