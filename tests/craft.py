"""Hand-built archive bytes for attack, fuzz and interop tests: tar headers, zip records.

Each builder writes exactly the bytes it is told to (no library normalises a name or a size
behind the test's back), so a test can build the hostile header it needs: a pax ``path`` that
disagrees with the ustar name, a symbolic link carrying data, a zip local header that
disagrees with its central directory entry.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

BLOCK = 512
#: Two zero blocks: the end-of-archive marker of a tar.
END = b"\0" * (2 * BLOCK)


def _octal(value: int, width: int) -> bytes:
    return b"%0*o\0" % (width - 1, value)


def tar_header(
    name: bytes | str,
    *,
    size: int = 0,
    kind: bytes = b"0",
    link: bytes | str = b"",
    magic: bytes = b"ustar\x0000",
    prefix: bytes = b"",
    mode: int = 0o644,
    size_field: bytes | None = None,
    checksum: int | None = None,
) -> bytes:
    """One 512-byte tar header with a correct checksum (unless ``checksum`` is given)."""
    raw_name = name.encode() if isinstance(name, str) else name
    raw_link = link.encode() if isinstance(link, str) else link
    header = bytearray(BLOCK)
    header[0:100] = raw_name[:100].ljust(100, b"\0")
    header[100:108] = _octal(mode, 8)
    header[108:116] = _octal(0, 8)
    header[116:124] = _octal(0, 8)
    header[124:136] = size_field if size_field is not None else _octal(size, 12)
    header[136:148] = _octal(0, 12)
    header[148:156] = b" " * 8
    header[156:157] = kind
    header[157:257] = raw_link[:100].ljust(100, b"\0")
    header[257:265] = magic
    header[345:500] = prefix[:155].ljust(155, b"\0")
    if checksum is None:
        checksum = sum(header)
    header[148:156] = b"%06o\0 " % checksum
    return bytes(header)


def padded(data: bytes) -> bytes:
    """``data`` padded with zeros to a whole number of blocks."""
    return data + b"\0" * (-len(data) % BLOCK)


def tar_member(name: bytes | str, data: bytes = b"", kind: bytes = b"0", **fields: object) -> bytes:
    """A header and its data blocks."""
    return tar_header(name, size=len(data), kind=kind, **fields) + padded(data)  # type: ignore[arg-type]


def pax_record(key: str, value: bytes | str) -> bytes:
    """One ``LEN KEY=VALUE\\n`` record, LEN counting the whole record."""
    body = (
        b" " + key.encode() + b"=" + (value.encode() if isinstance(value, str) else value) + b"\n"
    )
    length = len(body) + 1
    while len(str(length).encode()) + len(body) != length:
        length += 1
    return str(length).encode() + body


def pax_header(records: dict[str, bytes | str], kind: bytes = b"x") -> bytes:
    """An extended header (``x``, or ``g`` for a global one) holding ``records``."""
    data = b"".join(pax_record(k, v) for k, v in records.items())
    return tar_member("././@PaxHeader", data, kind=kind)


def gnu_long_name(name: bytes | str, kind: bytes = b"L") -> bytes:
    """A GNU long-name (``L``) or long-link (``K``) header with its data."""
    raw = name.encode() if isinstance(name, str) else name
    return tar_member("././@LongLink", raw + b"\0", kind=kind, magic=b"ustar  \0")


def gzip_of_repeats(pieces: list[tuple[bytes, int]]) -> bytes:
    """A gzip stream of each ``(data, count)`` piece repeated ``count`` times, made fast.

    Each piece is compressed once and ends in a full flush, which resets the compressor: its
    compressed bytes are the same every time, so they are repeated instead of recompressed
    (a GiB of one byte takes about a MB and a second, most of it the CRC).
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"]
    crc = size = 0
    for data, count in pieces:
        out.append((packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)) * count)
        for _ in range(count):
            crc = zlib.crc32(data, crc)
        size += len(data) * count
    out.append(packer.flush())
    out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(out)


def header_bomb(kind: bytes, size: int, after: bytes) -> bytes:
    """A tar.gz whose first header, a long name ``L``/``K`` or pax ``x``, holds ``size`` bytes."""
    header = tar_header("././@LongLink", size=size, kind=kind, magic=b"ustar  \0")
    mib = 1 << 20
    return gzip_of_repeats(
        [
            (header, 1),
            (b"a" * mib, size // mib),
            (b"\0" * (-size % BLOCK), 1),
            (after + END, 1),
        ]
    )


# -- zip --------------------------------------------------------------------------------------


@dataclass
class ZipEntry:
    """One zip entry; the ``local_*`` fields, when set, make the local header disagree."""

    name: bytes
    data: bytes
    method: int = 0
    flags: int = 0
    create_system: int = 3
    external_attr: int = 0o100644 << 16
    descriptor: bool = False
    local_name: bytes | None = None
    local_method: int | None = None
    local_crc: int | None = None
    local_sizes: tuple[int, int] | None = None
    local_flags: int | None = None
    #: False: the local record is written but the central directory never names it.
    listed: bool = True
    #: Where the central directory says the local header is, when not where it was written.
    central_offset: int | None = None


def _stored(entry: ZipEntry) -> bytes:
    if entry.method == 8:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        return packer.compress(entry.data) + packer.flush()
    return entry.data


def zip_bytes(entries: list[ZipEntry], *, prefix: bytes = b"", suffix: bytes = b"") -> bytes:
    """A zip of ``entries``, with ``prefix`` before the first entry and ``suffix`` after the end.

    Offsets in the central directory count from the start of the file, prefix included (as
    ``cat prefix x.zip`` and ``zip -A`` make): a reader that accepts a prefix finds every entry.
    """
    out = bytearray(prefix)
    central = bytearray()
    for entry in entries:
        stored = _stored(entry)
        crc = zlib.crc32(entry.data)
        flags = entry.flags | (0x8 if entry.descriptor else 0)
        offset = len(out)
        local_crc, local_sizes = crc, (len(stored), len(entry.data))
        if entry.descriptor:
            local_crc, local_sizes = 0, (0, 0)
        if entry.local_crc is not None:
            local_crc = entry.local_crc
        if entry.local_sizes is not None:
            local_sizes = entry.local_sizes
        local_name = entry.local_name if entry.local_name is not None else entry.name
        out += struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            entry.local_flags if entry.local_flags is not None else flags,
            entry.local_method if entry.local_method is not None else entry.method,
            0,
            0x21,
            local_crc,
            local_sizes[0],
            local_sizes[1],
            len(local_name),
            0,
        )
        out += local_name + stored
        if entry.descriptor:
            out += struct.pack("<4sIII", b"PK\x07\x08", crc, len(stored), len(entry.data))
        if not entry.listed:
            continue
        if entry.central_offset is not None:
            offset = entry.central_offset
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            (entry.create_system << 8) | 20,
            20,
            flags,
            entry.method,
            0,
            0x21,
            crc,
            len(stored),
            len(entry.data),
            len(entry.name),
            0,
            0,
            0,
            0,
            entry.external_attr,
            offset,
        )
        central += entry.name
    start = len(out)
    listed = sum(1 for entry in entries if entry.listed)
    out += central
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, listed, listed, len(central), start, 0)
    return bytes(out + suffix)
