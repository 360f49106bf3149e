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
from itertools import chain, islice
from operator import attrgetter

from provenance import parallel
from provenance.engine import check_bytes as check_bytes
from provenance.engine import check_file as check_file
from provenance.errors import InputError, VerificationError
from provenance.model import Canonicalization, Result, Verdict
from provenance.seals import marks_seal
from provenance.tokens import TokenRegistry

#: Suffixes of the files a folder walk takes by default (plus files with no suffix).
DEFAULT_SUFFIXES = (".txt", ".md")
#: Names a folder walk never takes as articles: manifests, signatures and provenance records
#: (FILE.prov, SPEC.md §11) are not articles.
NEVER_ARTICLES = ("SHA256SUMS", "*.sig", "*.prov")
# The patterns as one expression: a walk asks about every file name, and one match costs a
# seventh of a fnmatchcase per pattern (0.4 us against 3 us a name).
_NEVER_ARTICLE = re.compile("|".join(map(fnmatch.translate, NEVER_ARTICLES)))


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
    #: Adds the check of each article's provenance record (FILE.prov) to its result
    #: (:class:`provenance.recorded.RecordChecker`); ``None`` leaves records unchecked.
    records: Callable[[Result], Result] | None = None


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
    return _NEVER_ARTICLE.match(name) is not None


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
    for path, display, error, _ in _targets(paths, options):
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
    """Files as :data:`provenance.parallel.Target` tuples; with ``seals``, sealed folders as such."""
    paths = list(paths)
    for path in paths:
        if not os.path.lexists(path):
            raise InputError(f"{path}: no such file or folder")
    select = _Selector(options)
    for path in paths:
        if os.path.isdir(path):
            yield from _walk(path, select, seals)
        else:
            yield path, path, None, False


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
    """:func:`iter_targets` as plain :data:`provenance.parallel.Target` tuples."""
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
        yield root, root, listing, False
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
                yield path, path if display == path else display, None, True
        elif entry.is_dir(follow_symlinks=False) and select.enters(child):
            below = _listing(entry.path)
            if isinstance(below, str):
                yield entry.path, entry.path, below, False
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
    found = check_targets(_targets(paths, options), options, on_result=on_result, jobs=jobs)
    return infer_publisher_tokens(found)


def check_targets(
    targets: Iterable[parallel.Target],
    options: VerifyOptions = VerifyOptions(),
    *,
    on_result: Callable[[Result], None] | None = None,
    jobs: int = 1,
) -> list[Result]:
    """:func:`check_paths` for files already found: (path, display, error) tuples.

    Publisher tokens are not inferred here: inference needs every result of the run, so
    its caller runs it once, over all of them.
    """
    targets = iter(targets)
    head = list(islice(targets, 2 * parallel.BATCH)) if jobs > 1 else []
    if jobs > 1 and len(head) == 2 * parallel.BATCH:
        stream: Iterable[Result] = parallel.check_parallel(
            chain(head, targets), jobs, options.canonicalization, options.tokens
        )
    else:
        stream = parallel.check_each(chain(head, targets), options.canonicalization, options.tokens)
    results = []
    for result in stream:
        if options.signatures is not None:
            result = options.signatures(result)
        if options.records is not None:
            result = options.records(result)
        if on_result is not None:
            on_result(result)
        results.append(result)
    return results


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
