"""Recipe: files, folders -> footer verdicts.

``check_*`` functions return a :class:`~provenance.model.Result` and never raise for a bad
document; :func:`verify_file` raises :class:`~provenance.errors.VerificationError` instead.
"""

from __future__ import annotations

import os
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
from provenance.options import DEFAULT_OPTIONS
from provenance.options import VerifyOptions as VerifyOptions
from provenance.recorded import RecordChecker
from provenance.seals import marks_seal
from provenance.selector import PathKind, Selector, kind_of
from provenance.tokens import TokenRegistry


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


@dataclass(frozen=True, slots=True)
class Target:
    """A file to check, or a folder that could not be listed (``error`` set)."""

    path: str
    display: str
    error: str | None = None


def iter_targets(
    paths: Iterable[str], options: VerifyOptions = DEFAULT_OPTIONS
) -> Iterator[Target]:
    """The files to check for ``paths``, in order: files as named, folders walked sorted.

    Folder walks skip hidden entries, never follow symbolic links, and take the files
    :meth:`provenance.selector.Selector.wanted` selects. A path that does not exist raises :class:`InputError` before
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
    #: Its path relative to the folder the walk started from (``"pkg/"``; ``""`` when it is
    #: that folder), which ``--include``/``--exclude`` are matched from.
    relative: str = ""


def iter_entries(
    paths: Iterable[str], options: VerifyOptions = DEFAULT_OPTIONS
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
    select = Selector(options.include, options.exclude)
    for path in paths:
        kind = kind_of(path)
        if kind is PathKind.SEALED and seals:
            yield SealedFolder(path)
        elif kind in (PathKind.FOLDER, PathKind.SEALED, PathKind.BAG):
            # A bag is checked as one by provenance.run.check_run; here it is a folder.
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
    select = Selector(options.include, options.exclude)
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


def _walk(root: str, select: Selector, seals: bool) -> Iterator[parallel.Target | SealedFolder]:
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
        # Sealed since kind_of looked at it: the seal decides, as it would have.
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
                yield SealedFolder(entry.path, child + "/")
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
    options: VerifyOptions = DEFAULT_OPTIONS,
    *,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Check files and folders; one result per file, in walk order.

    ``on_result`` is called with each result as soon as it is known, in walk order (for
    progress and streaming output). ``options.jobs`` greater than 1 checks files in that
    many worker processes, in batches; a run of fewer files than a few batches stays in this process.
    After every file is checked, tokens shared by files whose texts differ are reported
    ``unverifiable`` (see :func:`infer_publisher_tokens`); the list returned carries those
    final verdicts.

    This checks footers (and FILE.sig) only, in sealed folders too; a run that honours
    seals and archives is :func:`provenance.run.check_run`.

    >>> [r.verdict.value for r in check_paths(["fixtures/articles/good"], VerifyOptions(jobs=2))][:1]  # doctest: +SKIP
    ['ok']
    """
    found = check_targets(_targets(paths, options), options, on_result=on_result)
    return infer_publisher_tokens(found)


def check_targets(
    targets: Iterable[parallel.Target],
    options: VerifyOptions = DEFAULT_OPTIONS,
    *,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """:func:`check_paths` for files already found: (path, display, error) tuples.

    Publisher tokens are not inferred here: inference needs every result of the run, so
    its caller runs it once, over all of them.
    """
    targets = iter(targets)
    jobs = options.jobs
    head = list(islice(targets, 2 * parallel.BATCH)) if jobs > 1 else []
    policy = (options.canonicalization, options.tokens, options.c2pa_trust, options.lines)
    if jobs > 1 and len(head) == 2 * parallel.BATCH:
        stream: Iterable[Result] = parallel.check_parallel(chain(head, targets), jobs, *policy)
    else:
        stream = parallel.check_each(chain(head, targets), *policy)
    signatures = _signature_check(options)
    records = RecordChecker.of(options)
    results = []
    for result in stream:
        if signatures is not None:
            result = signatures(result)
        # Each article's FILE.prov, when there is one (SPEC.md §12.4).
        result = records(result)
        if on_result is not None:
            on_result(result)
        results.append(result)
    return results


def _signature_check(options: VerifyOptions) -> Callable[[Result], Result] | None:
    """What adds each file's FILE.sig check to its result, with a trust policy; else ``None``."""
    if options.policy is None:
        return None
    from provenance.signed import SignatureCheck  # cryptography: only with a trust policy.

    return SignatureCheck(options.policy, options.namespace, options.now)


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
            member = results[i]
            if member.footer is not None:  # Always: only mismatches are grouped.
                footer = replace(member.footer, verdict=Verdict.UNVERIFIABLE)
                inferred[i] = replace(member, footer=footer, detail=detail)
    return inferred
