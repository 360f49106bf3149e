"""A small strict CBOR reader (RFC 8949), for the C2PA manifest stores of provenance.jumbf.

Only what a C2PA manifest uses is read: integers, byte and text strings, arrays, maps,
tags, and the simple values false, true, null and undefined (floats too, as C2PA allows
them in assertions). The reader is strict where looseness would let two readers see two
different documents: no indefinite lengths, no duplicate map keys, strict UTF-8 text,
nothing left over after the item. It is bounded: nesting at most :data:`MAX_DEPTH` deep,
at most :data:`MAX_ITEMS` items in all, and every length checked against the bytes that
are actually there before anything is allocated.

:func:`loads` returns the value, or raises :class:`CborError` (a ``ValueError``) for
any input it does not accept; it raises nothing else for any bytes.

>>> loads(bytes.fromhex("a2616101616282020a"))
{'a': 1, 'b': [2, 10]}
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

#: How deep arrays, maps and tags may nest.
MAX_DEPTH = 32
#: How many items one document may hold in all.
MAX_ITEMS = 100_000


class CborError(ValueError):
    """The bytes are not one well-formed CBOR item that this reader accepts."""


@dataclass(frozen=True, slots=True)
class Tagged:
    """A tagged item: COSE_Sign1 is tag 18, a date tag 0."""

    tag: int
    value: object


#: Map keys may be text, integers or byte strings (hashable and unambiguous).
_KEY_TYPES = (str, int, bytes)
_SIMPLE = {20: False, 21: True, 22: None, 23: None}


class _Reader:
    __slots__ = ("data", "items", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.items = 0

    def take(self, size: int) -> bytes:
        end = self.pos + size
        if size < 0 or end > len(self.data):
            raise CborError(f"item runs past the end (needs {size} bytes at {self.pos})")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def head(self) -> tuple[int, int, int]:
        """(major type, additional info, argument) of the next item."""
        (initial,) = self.take(1)
        major, info = initial >> 5, initial & 0x1F
        if info < 24:
            return major, info, info
        if info > 27:
            raise CborError(f"indefinite or reserved length (additional info {info})")
        size = 1 << (info - 24)
        return major, info, int.from_bytes(self.take(size), "big")

    def item(self, depth: int) -> object:
        if depth > MAX_DEPTH:
            raise CborError(f"nested deeper than {MAX_DEPTH}")
        self.items += 1
        if self.items > MAX_ITEMS:
            raise CborError(f"more than {MAX_ITEMS} items")
        major, info, arg = self.head()
        if major == 0:
            return arg
        if major == 1:
            return -1 - arg
        if major == 2:
            return self.take(arg)
        if major == 3:
            raw = self.take(arg)
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CborError("text string is not UTF-8") from exc
        if major == 4:
            self._fits(arg)
            return [self.item(depth + 1) for _ in range(arg)]
        if major == 5:
            self._fits(2 * arg)
            result: dict[object, object] = {}
            for _ in range(arg):
                key = self.item(depth + 1)
                if not isinstance(key, _KEY_TYPES) or isinstance(key, bool):
                    raise CborError("map key is not a text, byte string or integer")
                if key in result:
                    raise CborError(f"duplicate map key {key!r}")
                result[key] = self.item(depth + 1)
            return result
        if major == 6:
            return Tagged(arg, self.item(depth + 1))
        return self._simple(info, arg)

    def _fits(self, count: int) -> None:
        # Every item takes at least one byte: a count larger than what is left is a lie,
        # refused before a list of that size is built.
        if count > len(self.data) - self.pos:
            raise CborError(f"{count} items declared, {len(self.data) - self.pos} bytes left")

    def _simple(self, info: int, arg: int) -> object:
        if info < 24 and arg in _SIMPLE:
            return _SIMPLE[arg]
        if info == 25:
            return _half(arg)
        if info == 26:
            return struct.unpack(">f", arg.to_bytes(4, "big"))[0]
        if info == 27:
            return struct.unpack(">d", arg.to_bytes(8, "big"))[0]
        raise CborError(f"unsupported simple value {arg}")


def _half(bits: int) -> float:
    """An IEEE 754 half-precision float."""
    exponent, mantissa = (bits >> 10) & 0x1F, bits & 0x3FF
    if exponent == 0:
        value = mantissa * 2.0**-24
    elif exponent == 31:
        value = float("inf") if mantissa == 0 else float("nan")
    else:
        value = (1 + mantissa / 1024) * 2.0 ** (exponent - 15)
    return -value if bits & 0x8000 else value


def loads(data: bytes) -> object:
    """The one CBOR item ``data`` holds; :class:`CborError` for anything else.

    >>> loads(b"\\xd2\\x80")
    Tagged(tag=18, value=[])
    >>> loads(b"\\x9f\\xff")
    Traceback (most recent call last):
    ...
    provenance.cbor.CborError: indefinite or reserved length (additional info 31)
    """
    reader = _Reader(bytes(data))
    value = reader.item(0)
    if reader.pos != len(reader.data):
        raise CborError(f"{len(reader.data) - reader.pos} bytes after the item")
    return value


__all__ = ["MAX_DEPTH", "MAX_ITEMS", "CborError", "Tagged", "loads"]
