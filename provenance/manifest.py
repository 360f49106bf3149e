"""SHA256SUMS and SHA512SUMS, GNU or BSD form: write them, read them strictly, judge paths.

This module knows bytes and strings only: it never touches the file system. :mod:`provenance.seal`
walks a folder and writes a manifest with :func:`dump`; :mod:`provenance.sealed` and
:mod:`provenance.archive` read one with :func:`parse` and hold it against what they find.

The format is what ``sha256sum`` writes and what ``sha256sum --strict -c`` reads::

    <64 hex>  <path>\\n                   one line per file, two spaces in between
    \\<64 hex>  <path, escaped>\\n         a name holding a newline, CR or backslash

In an escaped line the name's backslash is written ``\\\\``, its newline ``\\n`` and its carriage
return ``\\r`` (coreutils 9 escapes CR too; older coreutils cannot check such a name).

What :func:`dump` writes: one line per file, sorted by path (by code point, which is the byte
order of the UTF-8 names: ``LC_ALL=C sort``), relative POSIX paths, names in Unicode NFC,
lowercase hex, LF line ends, no byte order mark.

How :func:`parse` reads, stricter than ``sha256sum`` where its laxness is ambiguous. Every
deviation is a :class:`LineProblem` naming its 1-based line; nothing is silently skipped:

* an empty line (a run of them is one problem), a line without the ``<hex>`` + two-character
  separator shape, a digest that is not 64 hex digits, a name that is not UTF-8, a bad escape;
* a path listed twice, and two names that differ only by Unicode normalisation (one of them
  cannot be the name the sealer wrote) -- the first occurrence is kept, the others reported;
  a name that is not NFC is reported even when it is alone;
* a byte order mark (``sha256sum`` itself rejects it) is reported on line 1 and skipped;
* CR LF line ends (``sha256sum`` strips the CR silently) are reported once, on the first line
  that has one, and the CR is dropped: a CR that belongs to a name must be escaped as ``\\r``.
  A signature over the manifest breaks under such a conversion anyway;
* the manifest listing a seal's own file: itself, its signature, or the other manifest
  (``SHA256SUMS``, ``SHA512SUMS``) of the folder and its signature.

Only the first :data:`MAX_LISTED_PROBLEMS` problems are listed one by one; one last problem
counts the rest (and names the lines they are on), so a manifest of millions of bad lines costs
what a short one does and still fails.

The BSD form (``sha256sum --tag``, OpenBSD's ``sha256``, signify) is read too: one line per
file, ``SHA256 (<path>) = <hex>`` (``SHA512`` in a SHA512SUMS), escaped the GNU way behind a
leading backslash when the name needs it. The form is detected on the first line that reads
as an entry in either form, and every later line must be in that form: a line of the other
form is a problem naming its line ("formats may not be mixed"), so no line is read under a
grammar its writer did not use. The algorithm is not detected: it is the caller's (the
file's name says it), and a line of another algorithm is a problem.

GNU's binary-mode marker (``<hex> *<path>``) is accepted: it means the same bytes on POSIX.
Uppercase hex is accepted and lowered, as ``sha256sum -c`` does. A missing final newline is
accepted. Entries need not be sorted.

Path safety (:func:`path_problem`) is a separate, pure judgement: an absolute path, a ``..``
component, an empty or ``.`` component or a NUL byte makes an entry *unsafe*; whoever holds the
manifest against a folder must then never open it. Escaping through a symbolic link can only be
told with the folder at hand: see :mod:`provenance.sealed`.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial

# The two names of a seal are defined with the rule that says where seals are (seals.py).
from provenance.seals import MANIFEST_NAME, SIGNATURE_NAME, seal_files

#: A seal's own files (every manifest and signature at its top): no manifest lists them.
_OWN_FILES = frozenset(seal_files(""))

#: Hex digits in a SHA-256 digest.
HEX_LENGTH = 64
#: The algorithms a checksum file may use, and the hex digits of each one's digest.
ALGORITHMS = {"sha256": 64, "sha512": 128}
#: The conventional file name of each algorithm's checksum file.
SUMS_NAMES = {"sha256": "SHA256SUMS", "sha512": "SHA512SUMS"}
#: A larger SHA256SUMS is refused unread. Parsing costs about 50 bytes of memory per entry
#: kept on top of the bytes (and nothing per malformed line past the first hundred), but a
#: check keeps one result of about 350 bytes per path: this caps a manifest at roughly
#: 800,000 entries, so a planted manifest of ten million lines (about 700 MB) cannot make a
#: verify run exhaust memory. See docs/performance.md for the whole check's figure.
MAX_MANIFEST_SIZE = 64 << 20
#: All the manifests one check keeps in memory together (a folder or an archive may hold
#: several seals, and an outer one lists the inner ones' files again): past it, a further
#: manifest is not kept, and its seal fails.
MAX_MANIFESTS_SIZE = 4 * MAX_MANIFEST_SIZE
#: Problems reported one by one; the rest are counted in one last problem.
MAX_LISTED_PROBLEMS = 100

_BOM = b"\xef\xbb\xbf"
_HEX = re.compile(r"[0-9a-fA-F]{64}")
# A BSD line's tag: "SHA256 (" at the start; the name runs to the last ") = ".
_BSD_TAG = re.compile(rb"([A-Z][A-Z0-9-]*) \(")
# One C-level match per line (a generator over the bytes cost far more).
_HEX_RUN = re.compile(rb"[0-9a-fA-F]+")
_LF = 0x0A
_LF_RUN = re.compile(rb"\n+")
#: A free slot of :class:`_Table`.
_FREE = -1
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "n": "\n", "r": "\r"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One well-formed manifest line: what the manifest *claims* about one path."""

    #: The path as claimed (unescaped, relative POSIX, as written: not normalised).
    path: str
    #: The claimed digest (SHA-256 or SHA-512, the manifest's algorithm), lowercase hex.
    digest: str
    #: 1-based line number in the manifest.
    line: int


@dataclass(frozen=True, slots=True)
class LineProblem:
    """A manifest line that is malformed, ambiguous or otherwise not as :func:`dump` writes it."""

    line: int
    reason: str
    #: The path the line names, when it could be read.
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Form:
    """How a checksum file is written: its algorithm, and GNU or BSD lines."""

    algorithm: str = "sha256"
    #: ``SHA256 (<path>) = <hex>`` lines, else GNU ``<hex>  <path>``.
    bsd: bool = False

    @property
    def hex_length(self) -> int:
        return ALGORITHMS[self.algorithm]

    @property
    def name(self) -> str:
        """How messages name the form: ``GNU`` or ``BSD``."""
        return "BSD" if self.bsd else "GNU"


class Manifest:
    """A parsed manifest: the entries kept (first occurrence of each path) and the problems.

    Compact by design (issue 11 item 8): it holds the manifest's bytes once, where each kept
    line starts, its line number, and an open-addressing table of the entries by the hash of
    their NFC name: about 50 bytes per entry on top of the bytes (see docs/performance.md),
    where one :class:`Entry` per line and a dictionary cost 336. An :class:`Entry` is built only when asked
    for, by :meth:`get` or by iterating, and is not kept. Built by :func:`parse` only.
    """

    __slots__ = ("_data", "_table", "form", "problems")

    def __init__(
        self, data: bytes, table: _Table, problems: tuple[LineProblem, ...], form: Form
    ) -> None:
        self._data = data
        self._table = table
        #: The malformed, ambiguous or refused lines, in line order (capped: see parse()).
        self.problems = problems
        #: The algorithm, and the form detected (GNU when no line told).
        self.form = form

    def __len__(self) -> int:
        return len(self._table.starts)

    def __iter__(self) -> Iterator[Entry]:
        """The entries kept, in line order, each built as it is reached."""
        data, table = self._data, self._table
        return map(partial(_entry_at, data, self.form), table.starts, table.lines)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.get(path) is not None

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every entry kept, in line order, built at once: for small manifests and tests.

        A consumer of a manifest of any size iterates it or calls :meth:`get` instead.
        """
        return tuple(self)

    def get(self, path: str) -> Entry | None:
        """The entry for exactly this claimed path, or ``None`` when it is not listed.

        >>> parse(b"%s  a.txt\\n" % (b"0" * 64)).get("a.txt").line
        1
        """
        # Every kept name has a distinct NFC form, so of the entries whose NFC form shares
        # this name's hash, at most one is this very name.
        hashed = hash(unicodedata.normalize("NFC", path))
        for entry in self._table.candidates(self._data, self.form, hashed):
            if entry.path == path:
                return entry
        return None


class _Table:
    """The kept entries of one manifest: arrays, not objects.

    ``starts``, ``lines`` and ``hashes`` hold, for each kept entry in line order, where its
    line starts in the manifest's bytes, its line number and the hash of its NFC name.
    ``slots`` is an open-addressing hash table (linear probing, at most half full) of entry
    indexes, -1 where free. Python's ``str`` hash is keyed per process (SipHash), so a
    planted manifest cannot choose names that collide and make probes long (unless
    ``PYTHONHASHSEED`` fixes the key, which exposes Python's own dictionaries just the same).
    """

    __slots__ = ("hashes", "lines", "slots", "starts")

    def __init__(self) -> None:
        self.starts = array("Q")
        self.lines = array("Q")
        self.hashes = array("q")
        self.slots = array("q", [_FREE]) * 8

    def candidates(self, data: bytes, form: Form, hashed: int) -> Iterator[Entry]:
        """The kept entries whose NFC name has the hash ``hashed``, read from ``data``."""
        mask = len(self.slots) - 1
        slot = hashed & mask
        while (index := self.slots[slot]) != _FREE:
            if self.hashes[index] == hashed:
                yield _entry_at(data, form, self.starts[index], self.lines[index])
            slot = (slot + 1) & mask

    def keep(self, data: bytes, form: Form, start: int, line: int, normal: str) -> Entry | None:
        """Keep the entry at ``start``, of NFC name ``normal``; or return the one kept earlier
        under that NFC name, and keep nothing.

        The probe of :meth:`candidates`, written out: parse runs it once a line, and the
        free slot it ends on is where the new entry goes.
        """
        hashed = hash(normal)
        slots = self.slots
        mask = len(slots) - 1
        slot = hashed & mask
        while (index := slots[slot]) != _FREE:
            if self.hashes[index] == hashed:
                earlier = _entry_at(data, form, self.starts[index], self.lines[index])
                if unicodedata.normalize("NFC", earlier.path) == normal:
                    return earlier
            slot = (slot + 1) & mask
        index = len(self.starts)
        slots[slot] = index
        self.starts.append(start)
        self.lines.append(line)
        self.hashes.append(hashed)
        if 2 * (index + 1) > len(slots):
            self._grow()
        return None

    def _grow(self) -> None:
        """Twice the slots, every entry placed again: amortised, a few probes per entry."""
        slots = array("q", [_FREE]) * (2 * len(self.slots))
        mask = len(slots) - 1
        for index, hashed in enumerate(self.hashes):
            slot = hashed & mask
            while slots[slot] != _FREE:
                slot = (slot + 1) & mask
            slots[slot] = index
        self.slots = slots


def _entry_at(data: bytes, form: Form, start: int, line: int) -> Entry:
    """A kept entry, read again from the manifest's bytes at the start of its line."""
    stop = data.find(b"\n", start)
    raw = data[start : stop if stop >= 0 else len(data)]
    read = _read_line(raw.removesuffix(b"\r"), line, form)
    assert isinstance(read, Entry)  # The line was read as an entry once already.
    return read


def escape_name(name: str) -> tuple[str, bool]:
    """The name as a manifest line holds it, and whether the line needs its leading backslash.

    >>> escape_name("a\\nb")
    ('a\\\\nb', True)
    >>> escape_name("plain.txt")
    ('plain.txt', False)
    """
    if not any(char in name for char in _ESCAPES):
        return name, False
    return "".join(_ESCAPES.get(char, char) for char in name), True


def unescape_name(text: str) -> str:
    """Undo :func:`escape_name`; raise ``ValueError`` on a dangling or unknown escape.

    >>> unescape_name("a\\\\\\\\b")
    'a\\\\b'
    """
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        following = next(chars, None)
        if following is None or following not in _UNESCAPES:
            shown = "\\" + (following or "")
            raise ValueError(f"unknown escape {shown!r} in the name (only \\\\, \\n, \\r)")
        out.append(_UNESCAPES[following])
    return "".join(out)


def format_line(path: str, sha256: str) -> str:
    """One manifest line, newline included, as ``sha256sum`` writes it.

    >>> format_line("a.txt", "0" * 64)[-8:]
    '  a.txt\\n'
    """
    name, escaped = escape_name(path)
    prefix = "\\" if escaped else ""
    return f"{prefix}{sha256}  {name}\n"


def dump(digests: Iterable[tuple[str, str]]) -> bytes:
    """The manifest bytes for ``(path, sha256 hex)`` pairs: sorted by path, NFC, LF, UTF-8.

    Raises ``ValueError`` for a path that :func:`path_problem` refuses, a name that is not NFC
    or a digest that is not 64 hex digits: the sealer must never write a manifest that
    :func:`parse` would reject.

    >>> dump([("b.txt", "b" * 64), ("a.txt", "a" * 64)]).splitlines()[0][-5:]
    b'a.txt'
    """
    lines = []
    seen: set[str] = set()
    for path, sha256 in sorted(digests):
        problem = path_problem(path)
        if problem is not None:
            raise ValueError(f"cannot list {path!r}: {problem}")
        if unicodedata.normalize("NFC", path) != path:
            raise ValueError(f"cannot list {path!r}: the name is not in Unicode NFC")
        if not _HEX.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        if path in seen:
            raise ValueError(f"{path!r} is listed twice")
        if path in _OWN_FILES:
            raise ValueError(f"the manifest never lists {path}")
        seen.add(path)
        lines.append(format_line(path, sha256.lower()))
    return "".join(lines).encode("utf-8")


def path_problem(path: str) -> str | None:
    """Why ``path`` must never be opened below a folder, or ``None`` when it is safe to try.

    This is bagit's ``_path_is_dangerous`` idea, done on the text alone: the file system
    (symbolic links) is the caller's to check.

    >>> path_problem("../etc/passwd")
    "the path holds '..'"
    >>> path_problem("docs/a.txt") is None
    True
    """
    if not path:
        return "the path is empty"
    if "\x00" in path:
        return "the path holds a NUL byte"
    if path.startswith("/"):
        return "the path is absolute"
    parts = path.split("/")
    if ".." in parts:
        return "the path holds '..'"
    if "" in parts or "." in parts:
        return "the path is not in normal form (empty or '.' component)"
    return None


class _Problems:
    """The problems of one parse: the first :data:`MAX_LISTED_PROBLEMS`, then only a count.

    A planted manifest of millions of bad lines must cost what a small one does: each listed
    problem becomes a result, and no one reads the millionth. What is left out is summed up
    in one last problem, so the run still fails and says how much is wrong.
    """

    def __init__(self) -> None:
        self.listed: list[LineProblem] = []
        self.omitted = 0
        self.first_omitted = 0
        self.last_omitted = 0

    def append(self, problem: LineProblem) -> None:
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            self.listed.append(problem)
            return
        if not self.omitted:
            self.first_omitted = problem.line
        self.omitted += 1
        self.last_omitted = problem.line

    def result(self) -> tuple[LineProblem, ...]:
        if not self.omitted:
            return tuple(self.listed)
        where = (
            f"line {self.first_omitted}"
            if self.first_omitted == self.last_omitted
            else f"lines {self.first_omitted} to {self.last_omitted}"
        )
        reason = (
            f"{self.omitted} more problem{'s' if self.omitted > 1 else ''} on {where}, "
            f"not reported one by one (only the first {MAX_LISTED_PROBLEMS} are)"
        )
        return (*self.listed, LineProblem(self.first_omitted, reason))


def parse(data: bytes, algorithm: str = "sha256") -> Manifest:
    """Read manifest bytes strictly. Never raises: every deviation is a :class:`LineProblem`.

    ``algorithm`` (``sha256`` or ``sha512``) is the one the file's name promises; the form
    (GNU or BSD) is detected on the first entry, and a line of the other form is a problem.

    Memory is linear in the entries kept, with a small constant: the bytes are kept once
    (not copied), each kept line costs a few array slots (see :class:`Manifest`), a run of
    empty lines is one problem, and problems past the first :data:`MAX_LISTED_PROBLEMS` are
    counted, not kept.

    >>> m = parse(b"%s  a.txt\\nnot a line\\n" % (b"0" * 64))
    >>> [e.path for e in m], [(p.line, p.reason) for p in m.problems]
    (['a.txt'], [(2, 'expected "<64 hex>  <path>"')])
    >>> parse(b"SHA256 (a.txt) = %s\\n" % (b"0" * 64)).form.bsd
    True
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    form: Form | None = None
    first_line = 0
    data = bytes(data)  # A no-op for bytes; a bytearray must not change under the index.
    problems = _Problems()
    start, end = 0, len(data)
    if data.startswith(_BOM):
        problems.append(LineProblem(1, "the manifest starts with a byte order mark"))
        start = len(_BOM)
    # Each kept entry under the hash of its NFC name: one table tells a path listed twice
    # (same name) from two names that differ only by normalisation (same NFC, another name).
    table = _Table()
    crlf_lines = 0
    crlf_first: LineProblem | None = None
    number = 0
    while start < end:
        number += 1
        if data[start] == _LF:
            # Each LF of the run ends an empty line. Found in C, reported once: a manifest of
            # nothing but newlines must not cost a Python step, nor a result, per line.
            run = _run_of_lf(data, start)
            reason = (
                "empty line" if run == 1 else f"{run} empty lines ({number} to {number + run - 1})"
            )
            problems.append(LineProblem(number, reason))
            number += run - 1
            start += run
            continue
        line_start = start
        stop = data.find(b"\n", start)
        if stop < 0:
            stop = end
        raw = data[start:stop]
        start = stop + 1
        if raw.endswith(b"\r"):
            crlf_lines += 1
            if crlf_lines == 1:
                crlf_first = LineProblem(number, "CR LF line end (SHA256SUMS uses LF)")
                problems.append(crlf_first)
            raw = raw[:-1]
        if form is None:
            form, first_line = Form(algorithm, bsd=_looks_bsd(raw)), number
        elif _looks_bsd(raw) != form.bsd:
            other = "GNU" if form.bsd else "BSD"
            reason = (
                f"a {other}-style line in a {form.name}-style manifest (line {first_line} is "
                f"{form.name}-style): formats may not be mixed"
            )
            problems.append(LineProblem(number, reason))
            continue
        read = _read_line(raw, number, form)
        if isinstance(read, LineProblem):
            problems.append(read)
            continue
        path = read.path
        if path in _OWN_FILES:
            # SHA256SUMS and SHA512SUMS of one folder are checked side by side, each with its
            # own signature: neither lists the other (nor itself).
            problems.append(LineProblem(number, f"the manifest lists the seal's own {path}", path))
            continue
        normal = unicodedata.normalize("NFC", path)
        earlier = table.keep(data, form, line_start, number, normal)
        if earlier is not None:
            if earlier.path == path:
                reason = f"{path!r} is listed twice (first on line {earlier.line})"
            else:
                reason = (
                    f"{path!r} differs from {earlier.path!r} (line {earlier.line}) "
                    "only by Unicode normalisation"
                )
            problems.append(LineProblem(number, reason, path))
            continue
        if normal != path:
            problems.append(LineProblem(number, f"the name {path!r} is not in Unicode NFC", path))
    listed = problems.result()
    if crlf_lines > 1 and crlf_first is not None and crlf_first in listed:
        index = listed.index(crlf_first)
        reason = f"CR LF line end (SHA256SUMS uses LF), and on {crlf_lines - 1} more lines"
        listed = (*listed[:index], LineProblem(crlf_first.line, reason), *listed[index + 1 :])
    return Manifest(data, table, listed, form or Form(algorithm))


def _run_of_lf(data: bytes, start: int) -> int:
    """How many LFs follow one another in ``data`` from ``start`` (at least one)."""
    match = _LF_RUN.match(data, start)
    assert match is not None
    return match.end() - start


def _looks_bsd(raw: bytes) -> bool:
    """Whether a line is written in the BSD form: a tag such as ``SHA256 (`` opens it.

    A GNU line opens with hex digits, never with a capital letter past ``F``, so no line
    can look like both.
    """
    return _BSD_TAG.match(raw, 1 if raw.startswith(b"\\") else 0) is not None


def _read_line(raw: bytes, number: int, form: Form) -> Entry | LineProblem:
    """One line (without its LF, or the CR before it) to an entry, or the problem with it."""
    escaped = raw.startswith(b"\\")
    body = raw[1:] if escaped else raw
    if not body:
        return LineProblem(number, "empty line")
    read = _split_bsd(body, number, form) if form.bsd else _split_gnu(body, number, form)
    if isinstance(read, LineProblem):
        return read
    hex_part, name_bytes = read
    try:
        name = name_bytes.decode("utf-8")
    except UnicodeDecodeError:
        return LineProblem(number, "the path is not UTF-8")
    if escaped:
        try:
            name = unescape_name(name)
        except ValueError as exc:
            return LineProblem(number, str(exc))
    elif "\\" in name or "\r" in name:
        reason = "a backslash or CR in a name must be escaped (line starting with '\\')"
        return LineProblem(number, reason, name)
    return Entry(name, hex_part.decode("ascii").lower(), number)


def _split_gnu(body: bytes, number: int, form: Form) -> tuple[bytes, bytes] | LineProblem:
    """A GNU line's digest and name bytes: ``<hex>  <name>`` (or `` *`` binary mode)."""
    length = form.hex_length
    hex_part, separator, name_bytes = body[:length], body[length : length + 2], body[length + 2 :]
    if len(body) == length + 2 and separator in (b"  ", b" *"):
        return LineProblem(number, "no path after the digest")
    if not (len(body) > length + 2 and separator in (b"  ", b" *")):
        split = body.find(b" ")
        if split not in (-1, length) and _is_hex(body[:split]):
            reason = f"the digest has {split} hex digits, expected {length}"
        elif split == length and _is_hex(hex_part):
            reason = "no two-space separator between digest and path"
        else:
            reason = f'expected "<{length} hex>  <path>"'
        return LineProblem(number, reason)
    if not _is_hex(hex_part):
        return LineProblem(number, f"the digest is not {length} hex digits")
    return hex_part, name_bytes


def _split_bsd(body: bytes, number: int, form: Form) -> tuple[bytes, bytes] | LineProblem:
    """A BSD line's digest and name bytes: ``SHA256 (<name>) = <hex>``.

    The name runs from the first ``(`` to the last ``) = ``: the digest after it is hex
    only, so a name holding ``) = `` itself still reads one way.
    """
    tag = form.algorithm.upper().encode("ascii")
    match = _BSD_TAG.match(body)
    assert match is not None  # Only a line that looks BSD is read as one.
    if match.group(1) != tag:
        found = match.group(1).decode("ascii")
        return LineProblem(number, f"a {found} line in a {tag.decode('ascii')} manifest")
    name_bytes, separator, hex_part = body[match.end() :].rpartition(b") = ")
    if not separator:
        return LineProblem(number, f'expected "{tag.decode("ascii")} (<path>) = <hex>"')
    if not name_bytes:
        return LineProblem(number, "no path between the parentheses")
    if len(hex_part) != form.hex_length or not _is_hex(hex_part):
        return LineProblem(number, f"the digest is not {form.hex_length} hex digits")
    return hex_part, name_bytes


def _is_hex(data: bytes) -> bool:
    return _HEX_RUN.fullmatch(data) is not None


__all__ = [
    "ALGORITHMS",
    "HEX_LENGTH",
    "MANIFEST_NAME",
    "MAX_LISTED_PROBLEMS",
    "MAX_MANIFESTS_SIZE",
    "MAX_MANIFEST_SIZE",
    "SIGNATURE_NAME",
    "SUMS_NAMES",
    "Entry",
    "Form",
    "LineProblem",
    "Manifest",
    "dump",
    "escape_name",
    "format_line",
    "parse",
    "path_problem",
    "unescape_name",
]
