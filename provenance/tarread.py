"""Reading layer: a strict, linear tar header walker that reads an archive as GNU tar does.

Python's :mod:`tarfile` is lenient in ways that differ from GNU tar: it stops silently at a
corrupt header where GNU tar skips it and extracts what follows; it takes a V7 file whose
header name ends in ``/`` for a folder where GNU tar, given a pax ``path`` without the slash,
extracts a file; it keeps the first of two pax headers where GNU tar keeps the last; and it
reads a GNU long name or a pax header of any size into memory. :class:`TarWalker` reads
512-byte blocks itself, one header after the other, and names every member as GNU tar 1.34
names it; wherever two tar readers could read the bytes differently it raises
:class:`~provenance.errors.UnreadableArchive` instead of choosing. It refuses:

* a header whose checksum is wrong, or whose numeric fields are not plain octal or base-256;
* anything but zero bytes after the end-of-archive block (another archive hidden behind it),
  a missing end-of-archive block, a truncated header or member;
* a GNU long name or link (``L``/``K``) or a pax header (``x``/``g``) larger than
  :data:`MAX_HEADER_DATA`, refused before it is read (a header bomb);
* two extended headers of one kind for one member, a GNU long name together with a pax
  ``path`` (or long link and ``linkpath``), an extended header followed by no member, a
  global pax header that sets ``path``, ``linkpath`` or ``size``, a malformed pax record;
* GNU sparse members (type ``S`` or ``GNU.sparse.*`` keywords): the bytes stored are not the
  file extracted;
* a link, device, folder or FIFO header that claims data (readers disagree on whether its data
  follows), a file header named like a folder that carries data (GNU tar makes a folder and
  reads the data as headers);
* data in the ustar prefix field of a header that is not ustar (GNU tar ignores it, other
  readers prepend it to the name).

A member whose header name and pax ``path`` disagree on being a folder, where readers would
make a folder of it or a file, is yielded with :attr:`TarMember.problem` set: its data is
skipped as GNU tar skips it, and the caller refuses it.
"""

from __future__ import annotations

import bz2
import enum
import io
import lzma
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from provenance.errors import UnreadableArchive

#: The tar block size.
BLOCK = 512
#: The largest GNU long name or link, or pax header, read (64 KiB). Linux paths are at most
#: 4 KiB, and a pax header holding a few extended attributes fits with room to spare; larger
#: ones are refused before a byte of them is read, so a 1 GiB long name costs nothing.
MAX_HEADER_DATA = 64 * 1024
#: How much member data is skipped at a time.
_SKIP = 1 << 20

_USTAR = b"ustar\0"
_REGULAR = (b"0", b"\0", b"7")
#: Types that carry no data, for GNU tar and Python's tarfile alike.
_NO_DATA = {b"1": "hard link", b"2": "symbolic link", b"3": "device", b"4": "device"}
_NO_DATA |= {b"5": "folder", b"6": "FIFO"}
_PAX_USED = ("path", "linkpath", "size")
_OCTAL = re.compile(rb" *([0-7]*)[ \0]*")
_RECORD_LENGTH = re.compile(rb"[1-9][0-9]{0,8} ")


class Kind(enum.Enum):
    """What a member is, as GNU tar extracts it."""

    FILE = "file"
    FOLDER = "folder"
    SYMLINK = "symbolic link"
    HARDLINK = "hard link"
    DEVICE = "device"
    FIFO = "FIFO"
    #: Any other type flag (GNU tar extracts unknown ones as files; provenance refuses them).
    OTHER = "other"


_KINDS = {b"1": Kind.HARDLINK, b"2": Kind.SYMLINK, b"3": Kind.DEVICE, b"4": Kind.DEVICE}
_KINDS |= {b"5": Kind.FOLDER, b"6": Kind.FIFO}


@dataclass(frozen=True, slots=True)
class TarMember:
    """One member, named as GNU tar names it."""

    #: The pax ``path``, else the GNU long name, else the ustar prefix and name (UTF-8 with
    #: surrogate escapes for other bytes), any trailing ``/`` kept.
    name: str
    kind: Kind
    #: The type flag byte of its header.
    typeflag: bytes
    #: How many bytes of data follow its header.
    size: int
    linkname: str
    #: Why the member must be refused though the archive can be read on, or ``None``.
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class _Header:
    name: bytes
    linkname: bytes
    size: int
    typeflag: bytes


class TarWalker:
    """Walks a tar stream header by header; :meth:`read` gives the current member's data.

    >>> with open("x.tar", "rb") as handle:  # doctest: +SKIP
    ...     walker = TarWalker(handle)
    ...     for member in walker:
    ...         data = walker.read(member.size)
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._offset = 0
        self._left = 0

    def read(self, size: int) -> bytes:
        """At most ``size`` bytes more of the current member's data (``b""`` at its end)."""
        data = self._exact(min(size, self._left), "member data")
        self._left -= len(data)
        return data

    def __iter__(self) -> Iterator[TarMember]:
        pax: dict[str, bytes] | None = None
        long_name: bytes | None = None
        long_link: bytes | None = None
        while True:
            at = self._offset
            block = self._exact(BLOCK, "header", eof_ok=True)
            if not block:
                raise UnreadableArchive(
                    "truncated: the archive ends without its end-of-archive block"
                )
            if block.count(0) == BLOCK:
                if pax is not None or long_name is not None or long_link is not None:
                    raise UnreadableArchive(
                        f"corrupt: an extended header at byte {at} is followed by no member"
                    )
                self._rest_is_zero()
                return
            header = _parse_header(block, at)
            flag = header.typeflag
            if flag in (b"L", b"K", b"x", b"X", b"g"):
                data = self._extension(header, at)
                if flag == b"g":
                    _check_global(_pax_records(data, at), at)
                    continue
                if (flag in (b"x", b"X") and pax is not None) or (
                    (flag == b"L" and long_name is not None)
                    or (flag == b"K" and long_link is not None)
                ):
                    raise UnreadableArchive(
                        f"corrupt: a second extended header of type {flag.decode()!r} for one "
                        f"member at byte {at} (GNU tar keeps the last, other readers the first)"
                    )
                if flag == b"L":
                    long_name = _c_string(data)
                elif flag == b"K":
                    long_link = _c_string(data)
                else:
                    pax = _pax_records(data, at)
                continue
            member = _member(header, at, pax, long_name, long_link)
            pax = long_name = long_link = None
            self._left = member.size
            yield member
            self._skip(self._left + (-member.size % BLOCK))
            self._left = 0

    # -- blocks ---------------------------------------------------------------------------------

    def _exact(self, size: int, what: str, *, eof_ok: bool = False) -> bytes:
        """Exactly ``size`` bytes; ``b""`` at a clean end of the stream when ``eof_ok``."""
        data = self._stream.read(size)
        while len(data) < size:
            more = self._stream.read(size - len(data))
            if not more:
                if eof_ok and not data:
                    return b""
                raise UnreadableArchive(
                    f"truncated: the archive ends inside a {what} at byte {self._offset + len(data)}"
                )
            data += more
        self._offset += size
        return data

    def _skip(self, size: int) -> None:
        while size > 0:
            chunk = self._exact(min(size, _SKIP), "member data")
            size -= len(chunk)

    def _extension(self, header: _Header, at: int) -> bytes:
        if header.size > MAX_HEADER_DATA:
            raise UnreadableArchive(
                f"refused: a tar header of type {header.typeflag.decode()!r} at byte {at} "
                f"holds {header.size} bytes, more than {MAX_HEADER_DATA} (a header bomb?)"
            )
        data = self._exact(header.size, "extended header")
        self._skip(-header.size % BLOCK)
        return data

    def _rest_is_zero(self) -> None:
        """GNU tar stops at the first zero block: anything but zeros after it is refused."""
        at = self._offset
        while chunk := self._stream.read(_SKIP):
            if chunk.count(0) != len(chunk):
                first = next(i for i, byte in enumerate(chunk) if byte)
                raise UnreadableArchive(
                    f"corrupt: data at byte {at + first}, after the end-of-archive block "
                    "(tar stops reading there: another archive hidden behind it?)"
                )
            at += len(chunk)
        self._offset = at


def _parse_header(block: bytes, at: int) -> _Header:
    field = _OCTAL.fullmatch(block[148:156])
    recorded = int(field[1], 8) if field is not None and field[1] else -1
    # The checksum field counts as eight spaces; old writers summed signed chars.
    unsigned = sum(block) - sum(block[148:156]) + 8 * 0x20
    if recorded != unsigned and recorded != unsigned - 256 * _high_bytes(block):
        raise UnreadableArchive(
            f"corrupt: no valid tar header at byte {at} (GNU tar skips such blocks and reads "
            "on, other readers stop there)"
        )
    name = _c_string(block[0:100])
    ustar = block[257:263] == _USTAR
    prefix = block[345:500]
    typeflag = block[156:157]
    if ustar and prefix[0]:
        name = _c_string(prefix) + b"/" + name
    elif not ustar and typeflag != b"S" and prefix.count(0) != len(prefix):
        raise UnreadableArchive(
            f"corrupt: the tar header at byte {at} is not ustar but has data in the ustar "
            "prefix field (GNU tar ignores it, other readers prepend it to the name)"
        )
    size = _number(block[124:136], "size", at)
    return _Header(name, _c_string(block[157:257]), size, typeflag)


def _high_bytes(block: bytes) -> int:
    """How many bytes outside the checksum field are negative as signed chars."""
    outside = block[:148] + block[156:]
    return len(outside) - len(outside.translate(None, bytes(range(128, 256))))


def _number(field: bytes, what: str, at: int) -> int:
    """An octal field as GNU tar and tarfile both read it, or base-256 for a large one."""
    if field[:1] == b"\x80":
        return int.from_bytes(field[1:], "big")
    match = _OCTAL.fullmatch(field)
    if match is None or (not match[1] and field.count(0) != len(field)):
        raise UnreadableArchive(
            f"corrupt: the {what} field of the tar header at byte {at} is not an octal number"
        )
    return int(match[1] or b"0", 8)


def _c_string(field: bytes) -> bytes:
    end = field.find(b"\0")
    return field if end < 0 else field[:end]


def _pax_records(data: bytes, at: int) -> dict[str, bytes]:
    """The records ``LEN KEY=VALUE\\n`` of a pax header, which must tile its data."""
    records: dict[str, bytes] = {}
    pos = 0
    # Padding NUL bytes may follow the last record; a record itself always ends in "\n".
    limit = len(data.rstrip(b"\0"))
    while pos < limit:
        length = _RECORD_LENGTH.match(data, pos)
        end = pos + int(length[0]) if length is not None else 0
        if length is None or end > len(data) or data[end - 1 : end] != b"\n":
            raise UnreadableArchive(f"corrupt: a malformed pax record in the header at byte {at}")
        key, sep, value = data[length.end() : end - 1].partition(b"=")
        try:
            keyword = key.decode("utf-8")
        except UnicodeDecodeError:
            keyword = ""
        if not sep or not keyword:
            raise UnreadableArchive(f"corrupt: a malformed pax record in the header at byte {at}")
        if keyword in records and keyword in _PAX_USED:
            raise UnreadableArchive(f"corrupt: the pax header at byte {at} gives {keyword!r} twice")
        if keyword.startswith("GNU.sparse."):
            raise UnreadableArchive(
                f"refused: a GNU sparse member at byte {at} (the bytes stored are not the "
                "file tar extracts; provenance does not read sparse members)"
            )
        records[keyword] = value
        pos = end
    return records


def _check_global(records: dict[str, bytes], at: int) -> None:
    for keyword in _PAX_USED:
        if keyword in records:
            raise UnreadableArchive(
                f"refused: the global pax header at byte {at} sets {keyword!r} for every "
                "member that follows"
            )


def _member(
    header: _Header,
    at: int,
    pax: dict[str, bytes] | None,
    long_name: bytes | None,
    long_link: bytes | None,
) -> TarMember:
    """The member a header describes, after the extended headers before it."""
    pax = pax or {}
    for keyword, gnu in (("path", long_name), ("linkpath", long_link)):
        if keyword in pax and gnu is not None:
            raise UnreadableArchive(
                f"corrupt: the member at byte {at} has both a GNU long name and a pax "
                f"{keyword!r} (readers disagree on which wins)"
            )
        if keyword in pax and (not pax[keyword] or b"\0" in pax[keyword]):
            raise UnreadableArchive(
                f"corrupt: the pax {keyword!r} of the member at byte {at} is empty or holds a NUL"
            )
    name = pax.get("path", long_name if long_name is not None else header.name)
    link = pax.get("linkpath", long_link if long_link is not None else header.linkname)
    size = header.size
    if "size" in pax:
        if not pax["size"].isdigit():
            raise UnreadableArchive(f"corrupt: the pax 'size' of the member at byte {at}")
        size = int(pax["size"])
    flag = header.typeflag
    problem = None
    if flag == b"S":
        raise UnreadableArchive(
            f"refused: a GNU sparse member at byte {at} (the bytes stored are not the file "
            "tar extracts; provenance does not read sparse members)"
        )
    if flag in _REGULAR:
        kind = Kind.FILE
        if name.endswith(b"/"):
            if size:
                raise UnreadableArchive(
                    f"corrupt: the file header at byte {at} is named like a folder and "
                    f"carries {size} bytes (GNU tar makes a folder and reads them as headers)"
                )
            kind = Kind.FOLDER
        elif header.name.endswith(b"/") and (flag == b"\0" or not name.startswith(header.name)):
            # A V7 reader, Python's tarfile among them, makes a folder of it; GNU tar, reading
            # the pax path, a file. (A long name cut to 100 bytes may end in "/" by chance:
            # that is no disagreement when the long name starts with it.)
            problem = (
                "its header names a folder and its extended header a file: tar readers "
                "disagree on what it is"
            )
    else:
        kind = _KINDS.get(flag, Kind.OTHER)
        if flag in _NO_DATA and size:
            raise UnreadableArchive(
                f"corrupt: the {_NO_DATA[flag]} header at byte {at} claims {size} bytes of "
                "data (readers disagree on whether they follow)"
            )
    return TarMember(
        name=_text(name),
        kind=kind,
        typeflag=flag,
        size=size,
        linkname=_text(link),
        problem=problem,
    )


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


# -- compressed tars ----------------------------------------------------------------------------


if TYPE_CHECKING:
    #: A decompressor object of zlib, bz2 or lzma (zlib's class has no public name).
    _Engine = zlib._Decompress | bz2.BZ2Decompressor | lzma.LZMADecompressor


#: The first bytes of each compressed stream, and a fresh decompressor for one.
COMPRESSIONS: dict[str, tuple[bytes, Callable[[], _Engine]]] = {
    "gzip": (b"\x1f\x8b", lambda: zlib.decompressobj(wbits=31)),
    "bzip2": (b"BZh", bz2.BZ2Decompressor),
    "xz": (b"\xfd7zXZ\x00", lambda: lzma.LZMADecompressor(lzma.FORMAT_XZ)),
}
_RAW_READ = 64 * 1024


class Decompressed(io.RawIOBase):
    """A compressed tar stream, decompressed in pieces of the size asked for.

    Streams of the same format may follow one another (``cat a.gz b.gz``, as gzip, bzip2 and
    xz all read them); after the last one only zero bytes may follow. The standard library's
    :class:`~lzma.LZMAFile` and :class:`~bz2.BZ2File` drop anything else silently, gzip's
    readers skip zeros and read on, so such data is refused here: it is where a second
    archive would hide. A stream cut short raises :class:`EOFError`; a corrupt one the
    decompressor's own error.
    """

    def __init__(self, handle: BinaryIO, compression: str) -> None:
        self._handle = handle
        self._magic, self._new = COMPRESSIONS[compression]
        self._engine: _Engine | None = self._new()
        self._input = b""
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._engine is not None:
            engine = self._engine
            if engine.eof:
                self._next_stream(engine.unused_data + self._input)
                continue
            if not self._input and _needs_input(engine):
                self._input = self._raw()
                if not self._input:
                    raise EOFError("the compressed stream ends before its end marker")
            data = self._decompress(engine, len(buffer))
            if data:
                buffer[: len(data)] = data
                return len(data)
        return 0

    def _raw(self) -> bytes:
        data = self._handle.read(_RAW_READ)
        self._offset += len(data)
        return data

    def _decompress(self, engine: _Engine, size: int) -> bytes:
        if isinstance(engine, (bz2.BZ2Decompressor, lzma.LZMADecompressor)):
            feed = self._input if engine.needs_input else b""
            self._input = b""
            return engine.decompress(feed, size)
        data = engine.decompress(self._input, size)
        self._input = engine.unconsumed_tail
        return data

    def _next_stream(self, rest: bytes) -> None:
        """After one stream's end: another stream, zero padding, or nothing."""
        while len(rest) < len(self._magic) and (more := self._raw()):
            rest += more
        if rest.startswith(self._magic):
            self._engine, self._input = self._new(), rest
            return
        while rest:
            if rest.count(0) != len(rest):
                raise UnreadableArchive(
                    "corrupt: data after the end of the compressed stream (decompressors "
                    "ignore it or read it on: another archive hidden behind it?)"
                )
            rest = self._raw()
        self._engine = None


def _needs_input(engine: _Engine) -> bool:
    if isinstance(engine, (bz2.BZ2Decompressor, lzma.LZMADecompressor)):
        return engine.needs_input
    return True


__all__ = [
    "BLOCK",
    "COMPRESSIONS",
    "MAX_HEADER_DATA",
    "Decompressed",
    "Kind",
    "TarMember",
    "TarWalker",
]
