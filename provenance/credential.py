"""C2PA text credentials: what a file carries, and whether its hard binding holds.

:mod:`provenance.c2pa` finds the wrapper that ends a text; this module looks at the whole
file and reports, beside the footer verdict and never changing it:

* the state: ``absent``, ``present`` (one well-formed wrapper), ``corrupt`` (a wrapper
  whose header is damaged or cut short: C2PA's ``manifest.text.corruptedWrapper``) or
  ``multiple`` (``manifest.text.multipleWrappers``), with the wrapper's span and size;
* for a present one, the hard binding (``c2pa.hash.data``), checked without a dependency
  by :mod:`provenance.jumbf`: ``ok`` (the text outside the wrapper, NFC, hashes to what
  the manifest states), ``mismatch`` (it does not: the text changed) or ``malformed``
  (the exclusion is not exactly the wrapper's bytes, as after a line-end conversion or a
  normalisation in transport; or the store cannot be read);
* its signature and trust, filled in later by :mod:`provenance.c2pa_verify` (the optional
  ``c2pa`` extra).

The binding check proves that the text matches the digest written in the manifest; that
the manifest is the signer's is the signature's part. Offsets follow C2PA 2.5 (SPEC.md
§8): exclusions are byte ranges of the file as stored, the excluded bytes are removed
first and the rest normalised to NFC; the wrapper may end with padding after the
manifest. Everything here is a pure function of its arguments and never raises.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum

from provenance.c2pa import _RUN, HEADER_SIZE, MAGIC, MARKER, START, decode
from provenance.jumbf import JumbfError, Manifest, read_store

#: The largest manifest store read (a signed one is 3 to 14 KB; c2patxt caps at 2 MiB).
MANIFEST_MAX = 2 * 1024 * 1024
#: The command that installs what verifies signatures.
INSTALL = "pip install 'article-provenance[c2pa]'"
_DIGESTS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


class C2paState(StrEnum):
    """Whether a file carries a C2PA text credential. Public contract (SPEC.md §8)."""

    ABSENT = "absent"
    PRESENT = "present"
    CORRUPT = "corrupt"
    MULTIPLE = "multiple"


class Binding(StrEnum):
    """The hard binding of a present credential. Public contract (SPEC.md §8)."""

    OK = "ok"
    MISMATCH = "mismatch"
    MALFORMED = "malformed"


class C2paSignature(StrEnum):
    """The claim signature of a present credential. Public contract (SPEC.md §8)."""

    #: Valid, and its chain ends at an anchor of ``--c2pa-trust``.
    TRUSTED = "trusted"
    #: Valid, but no anchor given (or none of those given issued it).
    UNTRUSTED = "signed, untrusted"
    INVALID = "invalid"
    #: The ``c2pa`` extra is not installed, or the file was not read again to verify it.
    NOT_VERIFIED = "not verified"


@dataclass(frozen=True, slots=True)
class C2paCheck:
    """The C2PA text credential of one file (``Result.c2pa``)."""

    state: C2paState
    detail: str
    #: Byte span of the wrapper (the last one, when there are several).
    start: int | None = None
    end: int | None = None
    #: How many wrappers the file holds.
    count: int = 0
    manifest_size: int | None = None
    padding: int | None = None
    binding: Binding | None = None
    binding_detail: str | None = None
    signature: C2paSignature | None = None
    signature_detail: str | None = None
    #: Subject of the signing certificate, as the verifier read it.
    signer: str | None = None
    #: Warnings about the credential (they join the result's warnings).
    warnings: tuple[str, ...] = ()
    #: Whether trust anchors were given when the signature was verified.
    trust_given: bool = False

    @property
    def size(self) -> int | None:
        """The wrapper's size in bytes."""
        return None if self.start is None or self.end is None else self.end - self.start

    def failed(self) -> bool:
        """Whether ``--require-c2pa`` fails this file: no intact credential, a binding that
        does not hold, or a signature that is not good (not trusted, when anchors are given).
        """
        if self.state is not C2paState.PRESENT or self.binding is not Binding.OK:
            return True
        wanted = (
            {C2paSignature.TRUSTED}
            if self.trust_given
            else {
                C2paSignature.TRUSTED,
                C2paSignature.UNTRUSTED,
            }
        )
        return self.signature not in wanted

    def summary(self) -> str:
        """One line for the text report, e.g. ``present (9,152 bytes), binding ok``."""
        if self.state is C2paState.ABSENT:
            return "absent"
        words = [
            f"{self.state} ({self.size:,} bytes at {self.start})" if self.size else str(self.state)
        ]
        if self.binding is not None:
            words.append(f"binding {self.binding}")
        if self.signature is not None:
            words.append(str(self.signature))
        return ", ".join(words)


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    problem: str | None
    manifest: bytes = b""
    padding: int = 0


def _wrappers(data: bytes) -> list[_Found]:
    """Every wrapper in ``data``: U+FEFF, the magic in selectors, and the run that follows."""
    found = []
    at = data.find(START)
    while at >= 0:
        run = _RUN.match(data, at + len(MARKER))
        assert run is not None  # The pattern matches the empty run too.
        end = run.end()
        found.append(_parse(data, at, end))
        at = data.find(START, end)
    return found


def _parse(data: bytes, start: int, end: int) -> _Found:
    body = decode(data[start + len(MARKER) : end])
    assert body is not None and body.startswith(MAGIC)  # A run of selectors after START.
    if len(body) < HEADER_SIZE:
        return _Found(start, end, f"its header is cut short ({len(body)} of {HEADER_SIZE} bytes)")
    version = body[len(MAGIC)]
    declared = int.from_bytes(body[len(MAGIC) + 1 : HEADER_SIZE], "big")
    available = len(body) - HEADER_SIZE
    if version != 1:
        return _Found(start, end, f"unknown wrapper version {version}")
    if declared > MANIFEST_MAX:
        return _Found(
            start, end, f"it declares a {declared:,}-byte manifest (at most {MANIFEST_MAX:,})"
        )
    if declared > available:
        return _Found(
            start,
            end,
            f"it declares {declared:,} manifest bytes and holds {available:,} (cut short)",
        )
    manifest = body[HEADER_SIZE : HEADER_SIZE + declared]
    return _Found(start, end, None, manifest, available - declared)


def check_credential(
    data: bytes, covered_end: int | None = None, *, bind: bool = True
) -> C2paCheck:
    """The C2PA text credential of the text ``data`` (valid UTF-8).

    ``covered_end`` is where the text the footer covers ends, when there is a footer: a
    credential before it was added before the stamp, and is reported.

    >>> check_credential(b"Just text.\\n").state.value
    'absent'
    """
    found = _wrappers(data)
    if not found:
        return C2paCheck(state=C2paState.ABSENT, detail="no C2PA text credential")
    last = found[-1]
    if len(found) > 1 or last.problem is not None:
        if len(found) > 1:
            state = C2paState.MULTIPLE
            where = ", ".join(f"{f.start}-{f.end}" for f in found[:4])
            detail = f"{len(found)} wrappers (bytes {where}); C2PA allows one"
        else:
            state = C2paState.CORRUPT
            detail = f"the wrapper at byte {last.start} is corrupt: {last.problem}"
        return C2paCheck(
            state=state,
            detail=detail,
            start=last.start,
            end=last.end,
            count=len(found),
            warnings=(f"C2PA: {detail}",),
        )
    warnings: tuple[str, ...] = ()
    if covered_end is not None and last.start < covered_end:
        warnings = (
            "C2PA: the credential is inside the text the footer covers (it was added "
            "before the stamp: stamp first, then add the credential)",
        )
    binding, binding_detail = (
        _binding(data, last) if bind else (None, "not checked: the file is streamed (over 4 MiB)")
    )
    return C2paCheck(
        state=C2paState.PRESENT,
        detail=f"C2PA text credential, {last.end - last.start:,} bytes at byte {last.start}",
        manifest_size=len(last.manifest),
        padding=last.padding,
        binding=binding,
        binding_detail=binding_detail,
        warnings=warnings,
        start=last.start,
        end=last.end,
        count=1,
    )


def check_window(window: bytes, base: int, covered_end: int | None = None) -> C2paCheck:
    """:func:`check_credential` for the last bytes of a file too large to hold (``window``
    starts at byte ``base``): wrappers in the window only, offsets in the file, and the
    binding not checked."""
    check = check_credential(window, covered_end, bind=False)
    if check.start is None or check.end is None:
        return check
    return replace(check, start=base + check.start, end=base + check.end)


def _binding(data: bytes, wrapper: _Found) -> tuple[Binding, str]:
    """The hard binding of ``wrapper``'s manifest against ``data``."""
    try:
        manifest = read_store(wrapper.manifest)
    except JumbfError as exc:
        return Binding.MALFORMED, f"the manifest store cannot be read: {exc}"
    claimed = _claimed(manifest)
    if isinstance(claimed, str):
        return Binding.MALFORMED, claimed
    algorithm, exclusion, digest = claimed
    length = wrapper.end - wrapper.start
    if exclusion != (wrapper.start, length):
        start, size = exclusion
        why = ""
        if b"\r" in data or not unicodedata.is_normalized("NFC", data.decode("utf-8", "replace")):
            why = " (line ends or normalisation changed in transport?)"
        return Binding.MALFORMED, (
            f"the exclusion (bytes {start}-{start + size}) is not the wrapper "
            f"(bytes {wrapper.start}-{wrapper.end}){why}"
        )
    text = (data[: wrapper.start] + data[wrapper.end :]).decode("utf-8", "surrogatepass")
    computed = _DIGESTS[algorithm](unicodedata.normalize("NFC", text).encode("utf-8")).digest()
    if hmac.compare_digest(computed, digest):
        return Binding.OK, f"the text hashes to the manifest's {algorithm}"
    return Binding.MISMATCH, f"expected {algorithm} {digest.hex()}, computed {computed.hex()}"


def _claimed(manifest: Manifest) -> tuple[str, tuple[int, int], bytes] | str:
    """(algorithm, the one exclusion, digest) of the data hash, or why it is malformed."""
    data_hash = manifest.data_hash
    algorithm = data_hash.get("alg", manifest.claim.get("alg"))
    digest = data_hash.get("hash")
    exclusions = data_hash.get("exclusions")
    if algorithm not in _DIGESTS:
        return f"unsupported hash algorithm {algorithm!r}"
    if not isinstance(digest, bytes) or len(digest) != _DIGESTS[str(algorithm)]().digest_size:
        return "the data hash has no digest of the right size"
    if not isinstance(exclusions, list) or len(exclusions) != 1:
        count = len(exclusions) if isinstance(exclusions, list) else 0
        return f"the data hash has {count} exclusions; a text credential has exactly one"
    (range_,) = exclusions
    start = range_.get("start") if isinstance(range_, dict) else None
    length = range_.get("length") if isinstance(range_, dict) else None
    if not isinstance(start, int) or not isinstance(length, int) or isinstance(start, bool):
        return "the exclusion has no integer start and length"
    return str(algorithm), (start, length), digest


def with_signature(
    check: C2paCheck,
    signature: C2paSignature,
    detail: str,
    *,
    signer: str | None = None,
    trust_given: bool = False,
) -> C2paCheck:
    """``check`` with its signature's verdict."""
    return replace(
        check,
        signature=signature,
        signature_detail=detail,
        signer=signer,
        trust_given=trust_given,
    )


__all__ = [
    "INSTALL",
    "MANIFEST_MAX",
    "Binding",
    "C2paCheck",
    "C2paSignature",
    "C2paState",
    "check_credential",
    "check_window",
    "with_signature",
]
