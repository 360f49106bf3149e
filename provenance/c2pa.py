"""C2PA text credentials: where the wrapper that carries one in variation selectors is.

C2PA 2.3 §A.7 ("embedding manifests into unstructured text") appends a manifest store to a
text as invisible characters: U+FEFF, then one variation selector per byte of

    magic "C2PATXT\\0" (8) | version (1) | manifest length, big-endian (4) | manifest | padding

with bytes 0x00-0x0F written as U+FE00-U+FE0F and 0x10-0xFF as U+E0100-U+E01EF. A signed
manifest is 8 to 14 KB of such characters: more than the footer window (parsing.py), so a
wrapper after a footer would push the footer out of sight if it were not recognised.

provenance does not check the credential (what to report about it is a matter of its own);
it needs to know only where one is, so that the footer before it is still found (parsing.py)
and its selectors are not reported as smuggled data (findings.py). Everything here is a pure
function of its arguments, takes any bytes and never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: U+FEFF, the character that opens a wrapper.
MARKER = b"\xef\xbb\xbf"
MAGIC = b"C2PATXT\x00"
#: Magic, version and length: the selectors every wrapper starts with.
HEADER_SIZE = 13
#: A wrapper is looked for within this many bytes of the end of the text, no further back:
#: the search stays bounded whatever the file, and both the in-memory and the streamed
#: paths of verify see the same wrappers.
CREDENTIAL_MAX = 1024 * 1024

# One variation selector, in UTF-8: U+FE00-U+FE0F, or U+E0100-U+E01EF. Valid UTF-8 holds
# these byte sequences only as those characters, and every one of them has exactly one lead
# byte (0xEF or 0xF3): counting lead bytes counts selectors.
SELECTOR = rb"\xef\xb8[\x80-\x8f]|\xf3\xa0[\x84-\x86][\x80-\xbf]|\xf3\xa0\x87[\x80-\xaf]"
_RUN = re.compile(rb"(?:" + SELECTOR + rb")*+")
_LAST = re.compile(rb"(?:" + SELECTOR + rb")\Z")
_HEADER = re.compile(rb"(?:" + SELECTOR + rb"){%d}" % HEADER_SIZE)


def selector(byte: int) -> bytes:
    """The UTF-8 bytes of the variation selector that stands for ``byte`` (0-255).

    >>> selector(0x00), selector(0x43)
    (b'\\xef\\xb8\\x80', b'\\xf3\\xa0\\x84\\xb3')
    """
    point = 0xFE00 + byte if byte < 16 else 0xE0100 + byte - 16
    return chr(point).encode("utf-8")


def encode(payload: bytes) -> bytes:
    """``payload`` written as variation selectors, one per byte."""
    return b"".join(selector(byte) for byte in payload)


#: The bytes that open every wrapper: the marker, then the magic as selectors.
START = MARKER + encode(MAGIC)


def decode(run: bytes) -> bytes | None:
    """The bytes a run of variation selectors stands for; ``None`` if ``run`` is anything else.

    >>> decode(encode(b"C2PA")), decode(b"C2PA")
    (b'C2PA', None)
    """
    if _RUN.fullmatch(run) is None:
        return None
    # Every selector is valid UTF-8 (the pattern allows nothing else): the decode cannot fail.
    return bytes(
        point - 0xFE00 if point < 0x10000 else point - 0xE0100 + 16
        for point in map(ord, run.decode("utf-8"))
    )


@dataclass(frozen=True, slots=True)
class Wrapper:
    """A C2PA text-credential wrapper: its byte span and what its header says."""

    #: Offset of the U+FEFF that opens it.
    start: int
    #: Offset just after its last selector.
    end: int
    #: The header's version byte and manifest length; ``None`` when the run is too short to
    #: hold a header (a damaged wrapper is still a wrapper: it still hides nothing else).
    version: int | None
    declared_length: int | None
    #: How many bytes the selectors after the header stand for (manifest and padding).
    payload_size: int


def ends_with_selector(data: bytes) -> bool:
    """Whether ``data``, trailing whitespace aside, ends with a variation selector: whether a
    wrapper may end it, to be looked for with more of the text before it (streamed files).

    >>> ends_with_selector(START + b"\\n"), ends_with_selector(b"text\\n")
    (True, False)
    """
    end = len(data.rstrip(b" \t\r\n")) if data[-1:].isspace() else len(data)
    return _LAST.search(data, max(0, end - 4), end) is not None


def find_wrapper(data: bytes, end: int | None = None) -> Wrapper | None:
    """The wrapper that ends ``data[:end]`` (all of ``data`` by default), if there is one.

    A wrapper is U+FEFF, the magic in selectors, then nothing but selectors up to ``end``;
    it starts within :data:`CREDENTIAL_MAX` bytes of ``end``. Text that does not end with a
    selector is answered in constant time.

    >>> text = b"Body." + START + encode(bytes([1, 0, 0, 0, 2])) + encode(b"ab")
    >>> wrapper = find_wrapper(text)
    >>> wrapper.start, wrapper.end == len(text), wrapper.version, wrapper.declared_length
    (5, True, 1, 2)
    >>> find_wrapper(b"Body.") is None
    True
    """
    size = len(data)
    end = size if end is None else min(max(end, 0), size)
    if _LAST.search(data, max(0, end - 4), end) is None:
        return None
    start = data.rfind(START, max(0, end - CREDENTIAL_MAX), end)
    if start < 0:
        return None
    body = start + len(MARKER)
    run = _RUN.match(data, body, end)
    if run is None or run.end() != end:
        # Something other than a selector stands between the last wrapper start and the end;
        # an earlier start would have it in its way too.
        return None
    selectors = data.count(b"\xef", body, end) + data.count(b"\xf3", body, end)
    header = _HEADER.match(data, body, end)
    version = declared = None
    if header is not None:
        fields = decode(header.group())
        assert fields is not None  # The header pattern matches selectors only.
        version = fields[8]
        declared = int.from_bytes(fields[9:13], "big")
    return Wrapper(
        start=start,
        end=end,
        version=version,
        declared_length=declared,
        payload_size=max(0, selectors - HEADER_SIZE),
    )


__all__ = [
    "CREDENTIAL_MAX",
    "HEADER_SIZE",
    "MAGIC",
    "MARKER",
    "SELECTOR",
    "START",
    "Wrapper",
    "decode",
    "encode",
    "ends_with_selector",
    "find_wrapper",
    "selector",
]
