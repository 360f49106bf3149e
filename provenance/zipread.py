"""Reading layer: the structure of a zip, checked so that it reads one way only.

A zip describes each member twice: in the central directory at its end, which Python's
:mod:`zipfile` (and provenance through it) reads, and in a local header before the member's
data, which streaming extractors read and from which Info-ZIP ``unzip`` takes the data's
place. A crafted zip can make the two disagree, hide bytes between members, or sit behind
other data (a tar, a script) that another tool reads instead. :func:`check_layout` accepts
only a zip laid out the one plain way, and raises
:class:`~provenance.errors.UnreadableArchive` otherwise:

* the members' local records tile the file from byte 0 (no prefix data, no gap, no overlap:
  every byte before the central directory belongs to exactly one member), then the central
  directory, the zip64 end records when present, the end record and its comment, which
  ends exactly at the end of the file (nothing appended);
* every local header agrees with its central directory entry: name bytes, flags, method,
  CRC and sizes; when flag bit 3 says a data descriptor follows the data, the local CRC and
  sizes may be zero, and the descriptor must agree instead;
* the end record's entry count and central directory size match what was read, and no
  name holds a NUL byte (readers cut it there, or not).
"""

from __future__ import annotations

import os
import struct
import zipfile

from provenance.errors import UnreadableArchive

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_END = struct.Struct("<4sHHHHIIH")
_LOCATOR = struct.Struct("<4sIQI")
_END64 = struct.Struct("<4sQHHIIQQQQ")
_CENTRAL_FIXED = 46
_MAX_COMMENT = 0xFFFF
_DESCRIPTOR_MAGIC = b"PK\x07\x08"
_ZIP64_MARK = 0xFFFFFFFF


def check_layout(fd: int, size: int, infos: list[zipfile.ZipInfo]) -> None:
    """Raise :class:`UnreadableArchive` unless the zip in ``fd`` reads one way only.

    ``infos`` is what :mod:`zipfile` read from the central directory of the same file
    (``size`` bytes). Only headers are read: a few dozen bytes per member.
    """
    start, length = _central_directory(fd, size, len(infos))
    central = sum(
        _CENTRAL_FIXED + len(_raw_name(info)) + len(info.extra) + len(info.comment)
        for info in infos
    )
    if central != length:
        raise UnreadableArchive(
            f"corrupt: the zip's central directory holds {central} bytes of entries, its end "
            f"record says {length}"
        )
    expected = 0
    for info in sorted(infos, key=lambda info: info.header_offset):
        if info.header_offset != expected:
            where = "before its first member" if expected == 0 else f"at byte {expected}"
            what = "overlapping members" if info.header_offset < expected else "hidden data"
            raise UnreadableArchive(
                f"corrupt: {what} {where} of the zip (every byte must belong to one member)"
            )
        expected = _member_end(fd, info)
    if expected != start:
        raise UnreadableArchive(
            f"corrupt: hidden data at byte {expected} of the zip, before its central directory"
        )


def _central_directory(fd: int, size: int, count: int) -> tuple[int, int]:
    """Where the central directory starts and how long it is, by the end records."""
    tail_size = min(size, _END.size + _MAX_COMMENT)
    tail = os.pread(fd, tail_size, size - tail_size)
    found = tail.rfind(b"PK\x05\x06")
    if found < 0 or found + _END.size > len(tail):
        raise UnreadableArchive("corrupt: the zip has no end of central directory record")
    end_at = size - tail_size + found
    _, disk, cd_disk, disk_entries, entries, length, start, comment = _END.unpack_from(tail, found)
    if end_at + _END.size + comment != size:
        raise UnreadableArchive(
            f"corrupt: {size - end_at - _END.size - comment} bytes after the end of the zip "
            "(another archive appended?)"
        )
    cd_end = end_at
    locator_at = end_at - _LOCATOR.size
    if locator_at >= 0 and os.pread(fd, 4, locator_at) == b"PK\x06\x07":
        _, _, end64_at, _ = _LOCATOR.unpack(os.pread(fd, _LOCATOR.size, locator_at))
        # zipfile reads the zip64 end record just before the locator, whatever the locator
        # says: accept only the layout where both agree.
        cd_end = locator_at - _END64.size
        record = os.pread(fd, _END64.size, cd_end) if cd_end >= 0 else b""
        if end64_at != cd_end or len(record) != _END64.size or record[:4] != b"PK\x06\x06":
            raise UnreadableArchive("corrupt: the zip64 end records do not agree")
        fields = _END64.unpack(record)
        if fields[1] != _END64.size - 12:
            raise UnreadableArchive("corrupt: the zip64 end record has extensible data")
        disk, cd_disk, disk_entries, entries, length, start = fields[4:10]
    if disk or cd_disk or disk_entries != entries:
        raise UnreadableArchive("refused: a zip split over several disks")
    if entries != count:
        raise UnreadableArchive(
            f"corrupt: the zip's end record counts {entries} members, its central directory "
            f"holds {count}"
        )
    if start + length != cd_end:
        raise UnreadableArchive(
            "corrupt: data before the zip (its offsets do not count from the start of the "
            "file: another archive or a script in front of it?)"
        )
    return start, length


def _member_end(fd: int, info: zipfile.ZipInfo) -> int:
    """Check one member's local header against ``info``; where its record ends."""
    at = info.header_offset
    shown = repr(info.orig_filename)
    fixed = os.pread(fd, _LOCAL.size, at)
    if len(fixed) != _LOCAL.size or fixed[:4] != b"PK\x03\x04":
        raise UnreadableArchive(f"corrupt: no local header for the zip member {shown}")
    _, _, flags, method, _, _, crc, packed, unpacked, name_length, extra_length = _LOCAL.unpack(
        fixed
    )
    variable = os.pread(fd, name_length + extra_length, at + _LOCAL.size)
    name, extra = variable[:name_length], variable[name_length:]
    if b"\0" in name:
        raise UnreadableArchive(f"corrupt: the zip member {shown} has a NUL byte in its name")
    differ = []
    if name != _raw_name(info):
        differ.append("name")
    if flags != info.flag_bits:
        differ.append("flags")
    if method != info.compress_type:
        differ.append("method")
    if packed == unpacked == _ZIP64_MARK:
        packed, unpacked = _zip64_sizes(extra, shown)
    descriptor = bool(flags & 0x8)
    if not _agrees(crc, info.CRC, descriptor):
        differ.append("CRC")
    if not _agrees(packed, info.compress_size, descriptor):
        differ.append("compressed size")
    if not _agrees(unpacked, info.file_size, descriptor):
        differ.append("size")
    if differ:
        raise UnreadableArchive(
            f"corrupt: the local header of the zip member {shown} disagrees with the central "
            f"directory on its {', '.join(differ)} (unzip reads the one, zipfile the other)"
        )
    end: int = at + _LOCAL.size + name_length + extra_length + info.compress_size
    if descriptor:
        end = _descriptor_end(fd, end, info, shown)
    return end


def _agrees(local: int, central: int, descriptor: bool) -> bool:
    """A local value agrees when equal, or zero when a data descriptor carries it."""
    return local == central or (descriptor and local in (0, _ZIP64_MARK))


def _zip64_sizes(extra: bytes, shown: str) -> tuple[int, int]:
    """The (compressed, uncompressed) sizes of a local header's zip64 extra field."""
    pos = 0
    while pos + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, pos)
        if kind == 1 and length >= 16 and pos + 4 + 16 <= len(extra):
            unpacked, packed = struct.unpack_from("<QQ", extra, pos + 4)
            return packed, unpacked
        pos += 4 + length
    raise UnreadableArchive(f"corrupt: the zip member {shown} lacks its zip64 sizes")


def _descriptor_end(fd: int, at: int, info: zipfile.ZipInfo, shown: str) -> int:
    """Where the data descriptor at ``at`` ends; it must repeat the central CRC and sizes.

    A descriptor may start with a signature or not, and hold 4- or 8-byte sizes (zip64):
    the form whose values match is taken.
    """
    data = os.pread(fd, 24, at)
    for signed in (True, False):
        body = data[4:] if signed else data
        if signed and data[:4] != _DESCRIPTOR_MAGIC:
            continue
        for width, form in ((4, "<III"), (8, "<IQQ")):
            if len(body) < 4 + 2 * width:
                continue
            if struct.unpack_from(form, body) == (info.CRC, info.compress_size, info.file_size):
                return at + (4 if signed else 0) + 4 + 2 * width
    raise UnreadableArchive(
        f"corrupt: the data descriptor of the zip member {shown} disagrees with the central "
        "directory"
    )


def _raw_name(info: zipfile.ZipInfo) -> bytes:
    """The name bytes of a central directory entry (zipfile decoded them by flag bit 11)."""
    return info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")


__all__ = ["check_layout"]
