"""BagIt bags (RFC 8493): read the tag files strictly, write them, hold a bag against its files.

This module knows bytes and strings only: it never touches the file system (whether a folder
is a bag is :func:`provenance.seals.is_bag`'s to say). The recipe
:mod:`provenance.bag` walks a bag with :func:`provenance.tree.scan` and gives
:func:`check_bag` what it found; :func:`dump_manifest`, :func:`dump_declaration` and
:func:`dump_bag_info` are what ``provenance seal --bagit`` writes.

A bag is a folder holding::

    bagit.txt                  "BagIt-Version: M.N" and "Tag-File-Character-Encoding: UTF-8"
    data/...                   the payload
    manifest-<alg>.txt         "<hex> <path>" for every payload file (at least one manifest)
    tagmanifest-<alg>.txt      the same for the tag files (everything outside data/ but the
                               tag manifests themselves): optional
    bag-info.txt               "Label: value" lines; Payload-Oxum "<octets>.<files>"

How it is read, stricter than RFC 8493 where the RFC leaves room for two readings, and never
raising: every deviation is a :class:`Problem` naming the file and its 1-based line.

* tag files are UTF-8 without a byte order mark; lines end in LF, CR or CR LF (RFC 8493
  §2.1); a blank line in a manifest is a problem;
* ``bagit.txt`` is exactly the two lines above, in that order; versions 0.97 and 1.0;
  an encoding other than UTF-8 is refused (provenance reads UTF-8 tag files only);
* a manifest line is a digest of the algorithm's length, a run of spaces or tabs, and the
  path. In the path only CR, LF and ``%`` are percent-encoded (``%0D``, ``%0A``, ``%25``,
  RFC 8493 §2.1.3): any other ``%`` is refused, since two tools would read it two ways;
* a path listed twice (or two names that differ only by Unicode normalisation), an unsafe
  path (absolute, ``..``, empty or ``.`` components, NUL: :func:`provenance.manifest.path_problem`),
  a payload manifest listing a path outside ``data/``, a tag manifest listing a payload file
  or a tag manifest: each a problem, and the entry is not used;
* sha256 and sha512 are checked; md5 and sha1 are checked and each manifest of theirs carries
  a warning (both are broken for collisions: whoever made the bag could have made two
  payloads with one digest); any other algorithm is a problem (it cannot be checked, and a
  check that skips a manifest would pass what it never read);
* ``fetch.txt`` is a problem: provenance never fetches, so such a bag is not complete here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

# A manifest line claims what a SHA256SUMS line claims: one Entry type for both.
from provenance.manifest import MAX_LISTED_PROBLEMS, Entry, path_problem
from provenance.model import EntryKind, FooterCheck, ManifestVerdict, Result, Verdict
from provenance.seals import BAG_DECLARATION
from provenance.selector import entry_kind as plain_entry_kind
from provenance.tree import FileDigest

#: The bag declaration; a folder holding an entry of this name (of any kind) is a bag.
DECLARATION = BAG_DECLARATION
BAG_INFO = "bag-info.txt"
FETCH = "fetch.txt"
#: The payload folder, as the prefix of every payload path.
PAYLOAD = "data/"
#: The tag manifest that a signed bag's SSHSIG signature covers, and that signature.
SIGNED_MANIFEST = "tagmanifest-sha256.txt"
SIGNATURE_NAME = SIGNED_MANIFEST + ".sig"
#: The BagIt versions read.
VERSIONS = ("0.97", "1.0")
#: What ``seal --bagit`` writes.
WRITTEN_VERSION = "1.0"
#: The algorithms checked, with the hex digits of each one's digest.
ALGORITHMS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
#: Algorithms checked with a warning: collisions can be made for both.
WEAK_ALGORITHMS = frozenset({"md5", "sha1"})
#: What ``seal --bagit`` writes manifests with (bagit-python's default too).
WRITTEN_ALGORITHMS = ("sha256", "sha512")
#: The longest path shown in a message; a longer one is cut (a planted line may be huge).
_SHOWN = 200

_MANIFEST_NAME = re.compile(r"(tag)?manifest-([A-Za-z0-9]+)\.txt")
_LINE_END = re.compile(rb"\r\n|\r|\n")
_MANIFEST_LINE = re.compile(r"([0-9A-Fa-f]+)[ \t]+(.*)", re.DOTALL)
_DECLARATION_LINES = (
    re.compile(r"BagIt-Version: ([0-9]+\.[0-9]+)"),
    re.compile(r"Tag-File-Character-Encoding: (\S+)"),
)
_LABEL = re.compile(r"([^:\s][^:]*?)[ \t]*:[ \t]*(.*)")
_OXUM = re.compile(r"([0-9]+)\.([0-9]+)")
_PERCENT = re.compile(r"%(..)?", re.DOTALL)
_DECODED = {"0A": "\n", "0D": "\r", "25": "%"}
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Problem:
    """A tag file, or one of its lines, that is malformed, ambiguous or refused."""

    #: The tag file's path in the bag (``bagit.txt``, ``manifest-sha256.txt``...).
    file: str
    reason: str
    #: 1-based line; ``None`` for the file as a whole.
    line: int | None = None


@dataclass(frozen=True, slots=True)
class BagManifest:
    """A parsed ``manifest-<alg>.txt`` or ``tagmanifest-<alg>.txt``."""

    name: str
    algorithm: str
    #: A tag manifest (lists tag files), else a payload manifest.
    tag: bool
    #: The entries kept, by path (first occurrence; unsafe and misplaced ones left out).
    entries: Mapping[str, Entry]
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class BagInfo:
    """``bag-info.txt``: its labels in order, and the Payload-Oxum it claims."""

    fields: tuple[tuple[str, str], ...] = ()
    #: ``(octets, files)`` as claimed, or ``None`` when there is no Payload-Oxum.
    oxum: tuple[int, int] | None = None
    problems: tuple[Problem, ...] = ()


def manifest_kind(name: str) -> tuple[bool, str] | None:
    """``(tag, algorithm)`` for a manifest's file name, or ``None`` for any other name.

    >>> manifest_kind("manifest-sha512.txt"), manifest_kind("tagmanifest-md5.txt")
    ((False, 'sha512'), (True, 'md5'))
    >>> manifest_kind("bag-info.txt") is None
    True
    """
    match = _MANIFEST_NAME.fullmatch(name)
    if match is None:
        return None
    return match.group(1) is not None, match.group(2)


def entry_kind(path: str) -> EntryKind:
    """What a file of a bag that is not an article is: a manifest or tag manifest (at the
    bag's top), a signature, or anything else (:func:`provenance.selector.entry_kind`).

    >>> entry_kind("tagmanifest-md5.txt").value, entry_kind("tagmanifest-sha256.txt.sig").value
    ('manifest', 'signature')
    >>> entry_kind("bagit.txt").value, entry_kind("data/manifest-md5.txt").value
    ('other', 'other')
    """
    return EntryKind.MANIFEST if manifest_kind(path) is not None else plain_entry_kind(path)


def weak_algorithm_warnings(path: str) -> tuple[str, ...]:
    """The warning a manifest of a weak algorithm carries on its own result (none for any
    other file): checked, but collisions can be made for it.

    >>> weak_algorithm_warnings("manifest-md5.txt"), weak_algorithm_warnings("manifest-sha512.txt")
    (('md5 is broken for collisions: bag with sha256 or sha512',), ())
    """
    kind = manifest_kind(path)
    if kind is None or kind[1] not in WEAK_ALGORITHMS:
        return ()
    return (f"{kind[1]} is broken for collisions: bag with sha256 or sha512",)


def encode_path(path: str) -> str:
    """A path as a manifest line holds it: CR, LF and ``%`` percent-encoded, nothing else.

    >>> encode_path("data/50%\\nof.txt")
    'data/50%25%0Aof.txt'
    """
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def decode_path(text: str) -> str:
    """Undo :func:`encode_path`; ``ValueError`` for a ``%`` that is not one of its three.

    >>> decode_path("data/50%25%0aof.txt")
    'data/50%\\nof.txt'
    """

    def decoded(match: re.Match[str]) -> str:
        code = (match.group(1) or "").upper()
        if code not in _DECODED:
            raise ValueError(
                f"'%{match.group(1) or ''}' in the path: only %0A, %0D and %25 are encoded "
                "(RFC 8493 2.1.3), so a '%' must be written %25"
            )
        return _DECODED[code]

    return _PERCENT.sub(decoded, text)


def _lines(data: bytes, name: str, problems: _Capped) -> list[tuple[int, str]]:
    """A tag file's lines, numbered and decoded; a line that is not UTF-8 is a problem.

    A final line end does not open another line; a byte order mark is a problem and dropped.
    """
    if data.startswith(_BOM):
        problems.add(Problem(name, "the file starts with a byte order mark", 1))
        data = data[len(_BOM) :]
    raw = _LINE_END.split(data)
    if raw and raw[-1] == b"":
        raw.pop()
    lines: list[tuple[int, str]] = []
    for number, line in enumerate(raw, 1):
        try:
            lines.append((number, line.decode("utf-8")))
        except UnicodeDecodeError:
            problems.add(Problem(name, "not UTF-8", number))
    return lines


class _Capped:
    """The problems of one file: the first :data:`MAX_LISTED_PROBLEMS`, then a count."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.listed: list[Problem] = []
        self.omitted = 0

    def add(self, problem: Problem) -> None:
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            self.listed.append(problem)
        else:
            self.omitted += 1

    def result(self) -> tuple[Problem, ...]:
        if not self.omitted:
            return tuple(self.listed)
        more = f"{self.omitted} more problems, not reported one by one"
        return (*self.listed, Problem(self.name, more))


def shown_path(path: str) -> str:
    """A path cut for a message: a planted line may hold megabytes."""
    return repr(path) if len(path) <= _SHOWN else repr(path[:_SHOWN]) + "..."


def parse_manifest(name: str, data: bytes) -> BagManifest:
    """Read a ``manifest-<alg>.txt`` or ``tagmanifest-<alg>.txt`` strictly; never raises.

    ``name`` is the file's name in the bag, which says its kind and algorithm; a name that
    is not a manifest's (:func:`manifest_kind`) raises :class:`ValueError`.

    >>> m = parse_manifest("manifest-md5.txt", b"%s  data/a.txt\\n" % (b"0" * 32))
    >>> list(m.entries), m.problems
    (['data/a.txt'], ())
    """
    kind = manifest_kind(name)
    if kind is None:
        raise ValueError(f"{name!r} is not the name of a manifest or tag manifest")
    tag, algorithm = kind
    problems = _Capped(name)
    entries: dict[str, Entry] = {}
    if algorithm not in ALGORITHMS:
        reason = f"unsupported algorithm {algorithm!r}: provenance checks {', '.join(ALGORITHMS)}"
        return BagManifest(name, algorithm, tag, entries, (Problem(name, reason),))
    length = ALGORITHMS[algorithm]
    # Each kept entry by its NFC name: one table tells a path listed twice (same name) from
    # two names that differ only by normalisation (same NFC, another name).
    normal: dict[str, Entry] = {}
    for number, line in _lines(data, name, problems):
        entry = _read_entry(name, tag, length, number, line, problems)
        if entry is None:
            continue
        nfc = unicodedata.normalize("NFC", entry.path)
        earlier = normal.get(nfc)
        if earlier is not None:
            reason = (
                f"{shown_path(entry.path)} is listed twice (first on line {earlier.line})"
                if earlier.path == entry.path
                else f"{shown_path(entry.path)} differs from {shown_path(earlier.path)} "
                f"(line {earlier.line}) only by Unicode normalisation"
            )
            problems.add(Problem(name, reason, number))
            continue
        normal[nfc] = entry
        entries[entry.path] = entry
    return BagManifest(name, algorithm, tag, entries, problems.result())


def _read_entry(
    name: str, tag: bool, length: int, number: int, line: str, problems: _Capped
) -> Entry | None:
    """One manifest line to an entry, or ``None`` with its problem added."""
    match = _MANIFEST_LINE.fullmatch(line)
    if match is None:
        reason = "empty line" if not line.strip() else 'expected "<hex digest> <path>"'
        problems.add(Problem(name, reason, number))
        return None
    digest, text = match.groups()
    if len(digest) != length:
        problems.add(
            Problem(name, f"the digest has {len(digest)} hex digits, expected {length}", number)
        )
        return None
    try:
        path = decode_path(text)
    except ValueError as exc:
        problems.add(Problem(name, str(exc), number))
        return None
    unsafe = path_problem(path)
    if unsafe is not None:
        problems.add(
            Problem(name, f"unsafe path {shown_path(path)}: {unsafe}; never opened", number)
        )
        return None
    if not tag and not path.startswith(PAYLOAD):
        reason = f"a payload manifest lists {shown_path(path)}, outside {PAYLOAD}"
        problems.add(Problem(name, reason, number))
        return None
    if tag and (path.startswith(PAYLOAD) or _never_listed(path)):
        what = "a payload file" if path.startswith(PAYLOAD) else "a tag manifest or its signature"
        problems.add(Problem(name, f"a tag manifest lists {what}: {shown_path(path)}", number))
        return None
    return Entry(path=path, digest=digest.lower(), line=number)


def _never_listed(path: str) -> bool:
    """Whether a tag manifest may never list ``path``: a tag manifest, or the signature."""
    kind = manifest_kind(path)
    return (kind is not None and kind[0]) or path == SIGNATURE_NAME


def parse_declaration(data: bytes) -> tuple[str | None, tuple[Problem, ...]]:
    """Read ``bagit.txt``: its version (``None`` when unreadable) and its problems.

    >>> parse_declaration(b"BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n")
    ('1.0', ())
    """
    problems = _Capped(DECLARATION)
    lines = _lines(data, DECLARATION, problems)
    version = None
    if len(lines) != 2:
        problems.add(
            Problem(
                DECLARATION, f"expected exactly 2 lines (version, encoding), found {len(lines)}"
            )
        )
    for (number, line), pattern in zip(lines, _DECLARATION_LINES, strict=False):
        match = pattern.fullmatch(line)
        if match is None:
            expected = pattern.pattern.split(":")[0]
            problems.add(Problem(DECLARATION, f'expected "{expected}: ..."', number))
        elif number == 1:
            version = match.group(1)
            if version not in VERSIONS:
                reason = f"BagIt version {version}: provenance reads {' and '.join(VERSIONS)}"
                problems.add(Problem(DECLARATION, reason, number))
        elif match.group(1).upper() != "UTF-8":
            reason = f"tag files in {match.group(1)}: provenance reads UTF-8 tag files only"
            problems.add(Problem(DECLARATION, reason, number))
    return version, problems.result()


def parse_bag_info(data: bytes) -> BagInfo:
    """Read ``bag-info.txt``: labels (continuation lines joined) and Payload-Oxum.

    >>> parse_bag_info(b"Payload-Oxum: 12.2\\nContact-Name: A\\n  B\\n").oxum
    (12, 2)
    """
    problems = _Capped(BAG_INFO)
    fields: list[tuple[str, str, int]] = []
    for number, line in _lines(data, BAG_INFO, problems):
        if line[:1] in (" ", "\t") and fields:
            label, value, first = fields[-1]
            fields[-1] = (label, f"{value} {line.strip()}", first)
            continue
        match = _LABEL.fullmatch(line)
        if match is None:
            problems.add(Problem(BAG_INFO, 'expected "Label: value"', number))
            continue
        fields.append((match.group(1), match.group(2), number))
    oxum: tuple[int, int] | None = None
    oxums = [(value, number) for label, value, number in fields if label.lower() == "payload-oxum"]
    for _value, number in oxums[1:]:
        problems.add(
            Problem(BAG_INFO, f"Payload-Oxum given again (first on line {oxums[0][1]})", number)
        )
    if oxums:
        value, number = oxums[0]
        match = _OXUM.fullmatch(value.strip())
        if match is None:
            problems.add(
                Problem(BAG_INFO, f'Payload-Oxum {value!r}: expected "<octets>.<files>"', number)
            )
        else:
            oxum = (int(match.group(1)), int(match.group(2)))
    kept = tuple((label, value) for label, value, _ in fields)
    return BagInfo(kept, oxum, problems.result())


def dump_declaration() -> bytes:
    """``bagit.txt`` as ``seal --bagit`` writes it."""
    return f"BagIt-Version: {WRITTEN_VERSION}\nTag-File-Character-Encoding: UTF-8\n".encode()


def dump_manifest(digests: Iterable[tuple[str, str]]) -> bytes:
    """A manifest for ``(path, hex digest)`` pairs: sorted, two spaces, percent-encoded, LF.

    >>> dump_manifest([("data/b", "bb"), ("data/a", "aa")])
    b'aa  data/a\\nbb  data/b\\n'
    """
    return "".join(f"{digest}  {encode_path(path)}\n" for path, digest in sorted(digests)).encode()


def dump_bag_info(fields: Iterable[tuple[str, str]]) -> bytes:
    """``bag-info.txt`` for ``(label, value)`` pairs, one line each."""
    return "".join(f"{label}: {value}\n" for label, value in fields).encode()


def oxum_of(files: Iterable[FileDigest]) -> tuple[int, int]:
    """The Payload-Oxum of the payload files: their total size and their number."""
    sizes = [item.size for item in files if item.path.startswith(PAYLOAD)]
    return sum(sizes), len(sizes)


@dataclass(frozen=True, slots=True)
class BagFound:
    """What a walk of a bag found: the input of :func:`check_bag` (paths from its top)."""

    #: The regular files read: ``sha256`` and, in ``others``, the digests of ``also``.
    files: tuple[FileDigest, ...]
    #: The algorithms of each file's ``others``, in order.
    also: tuple[str, ...] = ()
    #: What was not read, and why: links, special files, errors (by path).
    refused: Mapping[str, str] = field(default_factory=dict)
    #: The folders met: a manifest entry naming one is a folder, not a file.
    folders: frozenset[str] = frozenset()
    #: The tag files read whole (top level), or why they were not.
    kept: Mapping[str, bytes | str] = field(default_factory=dict)


def check_bag(
    found: BagFound,
    *,
    display: Callable[[str], str],
    footer: Callable[[FileDigest], Result],
) -> list[Result]:
    """Hold a bag's files against its tag files: one result per path and per problem.

    ``display(path)`` shows a path; ``footer(item)`` is the result of a file read before
    it is held to the manifests: its footer check, or none for a file that is not an article
    (a manifest of a weak algorithm carries :func:`weak_algorithm_warnings`). The signature
    is the recipe's. The results are sorted by path, problems first.
    """
    problems: list[Problem] = []
    head: list[Result] = []

    def tag_file(name: str) -> bytes | None:
        """A tag file's bytes; one refused has its row already (see _rows)."""
        kept = found.kept.get(name)
        if isinstance(kept, str):
            head.append(
                Result(
                    path=display(name),
                    detail=kept,
                    kind=entry_kind(name),
                    footer=FooterCheck(verdict=Verdict.UNREADABLE),
                )
            )
            return None
        return kept

    declaration = tag_file(DECLARATION)
    if declaration is not None:
        problems.extend(parse_declaration(declaration)[1])
    elif DECLARATION not in found.refused and DECLARATION not in found.kept:
        problems.append(Problem(DECLARATION, "a bag's bagit.txt is not a regular file"))
    manifests: list[BagManifest] = []
    for name in sorted(found.kept):
        if manifest_kind(name) is None:
            continue
        data = tag_file(name)
        if data is not None:
            manifest = parse_manifest(name, data)
            problems.extend(manifest.problems)
            if manifest.algorithm in ALGORITHMS:
                manifests.append(manifest)
    payload = [m for m in manifests if not m.tag]
    tags = [m for m in manifests if m.tag]
    if not any(not kind[0] for kind in map(manifest_kind, (*found.kept, *found.refused)) if kind):
        problems.append(Problem("manifest-sha256.txt", "a bag holds at least one payload manifest"))
    if PAYLOAD.rstrip("/") not in found.folders:
        problems.append(Problem(PAYLOAD.rstrip("/"), "a bag's payload folder data/ is absent"))
    if FETCH in found.kept or FETCH in found.refused:
        reason = "lists files to fetch: provenance never fetches, so this bag is not complete"
        problems.append(Problem(FETCH, reason))
    info = tag_file(BAG_INFO)
    if info is not None:
        parsed = parse_bag_info(info)
        problems.extend(parsed.problems)
        computed = oxum_of(found.files)
        if parsed.oxum is not None and parsed.oxum != computed:
            claimed = f"{parsed.oxum[0]}.{parsed.oxum[1]}"
            reason = (
                f"Payload-Oxum claims {claimed} (octets.files), the payload holds "
                f"{computed[0]}.{computed[1]}"
            )
            problems.append(Problem(BAG_INFO, reason))
    head.extend(
        Result(
            path=display(problem.file),
            detail=f"{problem.file}{f' line {problem.line}' if problem.line else ''}: "
            f"{problem.reason}",
            kind=entry_kind(problem.file),
            footer=FooterCheck(verdict=Verdict.MALFORMED),
            line=problem.line,
        )
        for problem in problems
    )
    rows = _rows(found, payload, tags, display, footer)
    head.sort(key=lambda result: (result.path, result.line or 0))
    rows.sort(key=lambda result: result.path)
    return head + rows


def _rows(
    found: BagFound,
    payload: list[BagManifest],
    tags: list[BagManifest],
    display: Callable[[str], str],
    footer: Callable[[FileDigest], Result],
) -> list[Result]:
    """One result per path: each file found or refused, and each entry found nowhere."""
    digests = {"sha256": 0, **{name: index + 1 for index, name in enumerate(found.also)}}
    rows: list[Result] = []
    seen: set[str] = set()

    def against(path: str) -> list[BagManifest]:
        """The manifests that must list ``path``: every payload one, or every tag one."""
        if path.startswith(PAYLOAD):
            return payload
        return [] if _never_listed(path) else tags

    for item in found.files:
        seen.add(item.path)
        result = footer(item)
        claims = against(item.path)
        if not claims:
            rows.append(result)
            continue
        computed = (item.sha256, *item.others)
        unlisted = [m.name for m in claims if item.path not in m.entries]
        changed = [
            (m, m.entries[item.path])
            for m in claims
            if item.path in m.entries
            and computed[digests[m.algorithm]] != m.entries[item.path].digest
        ]
        verdict = ManifestVerdict.LISTED
        detail = result.detail
        if changed:
            verdict = ManifestVerdict.MISMATCH
            manifest, entry = changed[0]
            others = f" (and {', '.join(m.name for m, _ in changed[1:])})" if changed[1:] else ""
            detail = (
                f"changed since bagged: {manifest.name} line {entry.line} expects "
                f"{manifest.algorithm} {entry.digest}, computed "
                f"{computed[digests[manifest.algorithm]]}{others}; {result.detail}"
            )
        elif unlisted:
            verdict = ManifestVerdict.UNLISTED
            detail = f"not listed in {', '.join(unlisted)}; {result.detail}"
        rows.append(result.with_manifest(verdict, detail))
    for path, reason in found.refused.items():
        seen.add(path)
        listed = [m.name for m in against(path) if path in m.entries]
        verdict = ManifestVerdict.UNSAFE if listed else ManifestVerdict.UNLISTED
        where = f" (listed in {', '.join(listed)})" if listed else ""
        rows.append(Result.unreadable(display(path), f"{reason}{where}", manifest=verdict))
    missing: dict[str, list[str]] = {}
    for manifest in payload + tags:
        for entry in manifest.entries.values():
            if entry.path not in seen:
                missing.setdefault(entry.path, []).append(f"{manifest.name} line {entry.line}")
    for path, places in missing.items():
        through = next((link for link in found.refused if path.startswith(link + "/")), None)
        if through is not None:
            detail = (
                f"listed in {', '.join(places)}, but it would resolve through "
                f"{shown_path(through)}, which is not a folder: never opened"
            )
            rows.append(Result.unreadable(display(path), detail, manifest=ManifestVerdict.UNSAFE))
            continue
        what = "a folder, not a file" if path in found.folders else "absent"
        rows.append(
            Result(
                path=display(path),
                detail=f"listed in {', '.join(places)}, but {what}",
                # A missing payload file is reported as a seal's is (an article's row); a
                # missing tag file by what it is.
                kind=EntryKind.ARTICLE if path.startswith(PAYLOAD) else entry_kind(path),
                footer=FooterCheck(verdict=Verdict.MISSING),
                manifest=ManifestVerdict.MISSING,
            )
        )
    return rows


__all__ = [
    "ALGORITHMS",
    "BAG_INFO",
    "DECLARATION",
    "FETCH",
    "PAYLOAD",
    "SIGNATURE_NAME",
    "SIGNED_MANIFEST",
    "VERSIONS",
    "WEAK_ALGORITHMS",
    "WRITTEN_ALGORITHMS",
    "BagFound",
    "BagInfo",
    "BagManifest",
    "Problem",
    "check_bag",
    "decode_path",
    "dump_bag_info",
    "dump_declaration",
    "dump_manifest",
    "encode_path",
    "entry_kind",
    "manifest_kind",
    "oxum_of",
    "parse_bag_info",
    "parse_declaration",
    "parse_manifest",
    "shown_path",
    "weak_algorithm_warnings",
]
