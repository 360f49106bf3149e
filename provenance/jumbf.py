"""A small strict reader of C2PA manifest stores: JUMBF boxes (ISO/IEC 19566-5) and the
CBOR inside them (:mod:`provenance.cbor`).

A manifest store is one ``jumb`` superbox whose description (``jumd``) has the C2PA store
type; in it, one superbox per manifest, the last one active. The active manifest holds an
assertion store, a claim and a claim signature, each a superbox with a label. Only what the
hard-binding check and the signature check need is read: the ``c2pa.hash.data`` assertion,
the claim's bytes and the COSE_Sign1 of the signature.

Every box length is checked against the bytes there (boxes must tile their parent exactly),
nesting is bounded, and anything unexpected is a :class:`JumbfError` naming what is wrong.
:func:`read_store` raises nothing else for any bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance.cbor import CborError, loads


class JumbfError(ValueError):
    """The bytes are not a C2PA manifest store this reader accepts."""


def _uuid(four_cc: bytes) -> bytes:
    """The C2PA box type UUIDs: a four-character code, then 0011-0010-8000-00AA00389B71."""
    return four_cc + bytes.fromhex("00110010800000aa00389b71")


STORE = _uuid(b"c2pa")
#: Standard manifests (``c2ma``), and the update and deprecated forms a reader accepts.
MANIFESTS = frozenset({_uuid(b"c2ma"), _uuid(b"c2um"), _uuid(b"c2md")})
ASSERTIONS = _uuid(b"c2as")
CLAIM = _uuid(b"c2cl")
SIGNATURE = _uuid(b"c2cs")
HARD_BINDING = "c2pa.hash.data"
#: How deep superboxes may nest (a store is four levels deep).
MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Box:
    """A box: its type, and where its payload lies in the store."""

    kind: bytes
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Superbox:
    """A ``jumb`` box: its description and what it holds."""

    uuid: bytes
    label: str | None
    children: tuple[Superbox | Box, ...]


@dataclass(frozen=True, slots=True)
class Manifest:
    """What the checks need of the active manifest of a store."""

    label: str
    #: The claim's CBOR bytes (what the claim signature signs) and its decoded map.
    claim_bytes: bytes
    claim: dict[object, object]
    #: The ``c2pa.hash.data`` assertion, decoded.
    data_hash: dict[object, object]
    #: The COSE_Sign1 of the claim signature, as stored.
    signature: bytes


def _boxes(data: bytes, start: int, end: int) -> list[Box]:
    """The boxes that tile ``data[start:end]`` exactly."""
    found = []
    pos = start
    while pos < end:
        if end - pos < 8:
            raise JumbfError(f"{end - pos} stray bytes at {pos}")
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        header = 8
        if size == 1:
            if end - pos < 16:
                raise JumbfError(f"extended box header cut short at {pos}")
            size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif size == 0:
            size = end - pos  # "To the end": the last box of its parent.
        if size < header or pos + size > end:
            raise JumbfError(f"box {kind!r} at {pos} declares {size} bytes, {end - pos} are left")
        found.append(Box(kind, pos + header, pos + size))
        pos += size
    return found


def _description(data: bytes, box: Box) -> tuple[bytes, str | None]:
    """The type UUID and label of a ``jumd`` box."""
    payload = data[box.start : box.end]
    if len(payload) < 17:
        raise JumbfError("description box shorter than its UUID and toggles")
    uuid, toggles = payload[:16], payload[16]
    label = None
    rest = payload[17:]
    if toggles & 0x02:
        nul = rest.find(b"\x00")
        if nul < 0:
            raise JumbfError("description label is not terminated")
        try:
            label = rest[:nul].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JumbfError("description label is not UTF-8") from exc
        rest = rest[nul + 1 :]
    # The optional ID (4 bytes), hash (32) and private box that may follow are not needed.
    return uuid, label


def _superbox(data: bytes, box: Box, depth: int) -> Superbox:
    if depth > MAX_DEPTH:
        raise JumbfError(f"superboxes nested deeper than {MAX_DEPTH}")
    inner = _boxes(data, box.start, box.end)
    if not inner or inner[0].kind != b"jumd":
        raise JumbfError("superbox without a description box first")
    uuid, label = _description(data, inner[0])
    children: list[Superbox | Box] = []
    for child in inner[1:]:
        children.append(_superbox(data, child, depth + 1) if child.kind == b"jumb" else child)
    return Superbox(uuid, label, tuple(children))


def _labelled(parent: Superbox, uuid: bytes, what: str) -> Superbox:
    found = [c for c in parent.children if isinstance(c, Superbox) and c.uuid == uuid]
    if len(found) != 1:
        raise JumbfError(f"the active manifest has {len(found)} {what} boxes, not one")
    return found[0]


def _cbor_of(data: bytes, box: Superbox, what: str) -> tuple[bytes, object]:
    contents = [c for c in box.children if isinstance(c, Box) and c.kind == b"cbor"]
    if len(contents) != 1:
        raise JumbfError(f"{what} has {len(contents)} CBOR content boxes, not one")
    raw = data[contents[0].start : contents[0].end]
    try:
        return raw, loads(raw)
    except CborError as exc:
        raise JumbfError(f"{what}: {exc}") from exc


def _base_label(label: str | None) -> str | None:
    """An assertion's label without its instance suffix (``c2pa.hash.data__2``)."""
    if label is None:
        return None
    base, sep, number = label.rpartition("__")
    return base if sep and number.isdigit() else label


def read_store(data: bytes) -> Manifest:
    """The active manifest of the manifest store ``data``.

    Raises :class:`JumbfError` for anything that is not a C2PA store holding exactly one
    claim, one claim signature and one ``c2pa.hash.data`` assertion in its active manifest.
    """
    data = bytes(data)
    top = _boxes(data, 0, len(data))
    if len(top) != 1 or top[0].kind != b"jumb":
        raise JumbfError("the manifest store is not one JUMBF superbox")
    store = _superbox(data, top[0], 0)
    if store.uuid != STORE:
        raise JumbfError("the superbox is not a C2PA manifest store")
    manifests = [c for c in store.children if isinstance(c, Superbox) and c.uuid in MANIFESTS]
    if not manifests:
        raise JumbfError("the manifest store holds no manifest")
    active = manifests[-1]
    assertions = _labelled(active, ASSERTIONS, "assertion store")
    bindings = [
        c
        for c in assertions.children
        if isinstance(c, Superbox) and _base_label(c.label) == HARD_BINDING
    ]
    if len(bindings) != 1:
        raise JumbfError(f"the active manifest has {len(bindings)} {HARD_BINDING} assertions")
    _, data_hash = _cbor_of(data, bindings[0], HARD_BINDING)
    claim_bytes, claim = _cbor_of(data, _labelled(active, CLAIM, "claim"), "the claim")
    signature, _ = _cbor_of(data, _labelled(active, SIGNATURE, "claim signature"), "the signature")
    if not isinstance(data_hash, dict) or not isinstance(claim, dict):
        raise JumbfError("the claim or the data hash is not a CBOR map")
    return Manifest(
        label=active.label or "",
        claim_bytes=claim_bytes,
        claim=claim,
        data_hash=data_hash,
        signature=signature,
    )


__all__ = ["HARD_BINDING", "Box", "JumbfError", "Manifest", "Superbox", "read_store"]
