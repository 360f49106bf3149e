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
* for a present one in a file held whole, its claim signature and trust, verified offline
  by :mod:`provenance.c2pa_verify` (the optional ``c2pa`` extra).

The binding check proves that the text matches the digest written in the manifest; that
the manifest is the signer's is the signature's part. Offsets follow C2PA 2.5 (SPEC.md
§11): exclusions are byte ranges of the file as stored, the excluded bytes are removed
first and the rest normalised to NFC; the wrapper may end with padding after the
manifest. Everything here is a pure function of its arguments and never raises.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from provenance.c2pa import _RUN, HEADER_SIZE, MAGIC, MARKER, START, decode
from provenance.model import C2PA_ABSENT, C2paBinding, C2paCheck, C2paSignature, C2paState

if TYPE_CHECKING:
    from provenance.jumbf import Manifest

#: The largest manifest store read (a signed one is 3 to 14 KB; c2patxt caps at 2 MiB).
MANIFEST_MAX = 2 * 1024 * 1024
_DIGESTS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


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
    data: bytes,
    covered_end: int | None = None,
    *,
    base: int = 0,
    whole: bool = True,
    trust: str | None = None,
) -> C2paCheck:
    """The C2PA text credential of the text ``data`` (valid UTF-8).

    ``covered_end`` is where the text the footer covers ends, when there is a footer: a
    credential before it was added before the stamp, and is reported. ``data`` is the whole
    file unless ``whole`` is false: then it is the last bytes of a file too large to hold,
    starting at byte ``base``; its wrapper is reported, its binding and signature are not
    checked. ``trust`` is the PEM text of ``--c2pa-trust`` (:mod:`provenance.c2pa_verify`).

    >>> check_credential(b"Just text.\\n") is C2PA_ABSENT
    True
    """
    # The hot path, every file: a wrapper starts with U+FEFF, whose first byte 0xEF most
    # articles never hold. memchr finds that out in well under a microsecond for 8 KB (a
    # search for the whole START takes 3), and the answer is the one shared "absent" check.
    first = data.find(b"\xef")
    if first < 0 or data.find(START, first) < 0:
        return C2PA_ABSENT
    found = _wrappers(data)
    last = found[-1]
    start, end = base + last.start, base + last.end
    if len(found) > 1 or last.problem is not None:
        if len(found) > 1:
            state = C2paState.MULTIPLE
            where = ", ".join(f"{base + f.start}-{base + f.end}" for f in found[:4])
            detail = f"{len(found)} wrappers (bytes {where}); C2PA allows one"
        else:
            state = C2paState.CORRUPT
            detail = f"the wrapper at byte {start} is corrupt: {last.problem}"
        return C2paCheck(
            state=state,
            detail=detail,
            start=start,
            end=end,
            count=len(found),
            warnings=(f"C2PA: {detail}",),
        )
    warnings: tuple[str, ...] = ()
    if covered_end is not None and last.start < covered_end:
        warnings = (
            "C2PA: the credential is inside the text the footer covers (it was added "
            "before the stamp: stamp first, then add the credential)",
        )
    binding = binding_detail = signature = signature_detail = signer = None
    if whole:
        binding, binding_detail = _binding(data, last)
        from provenance.c2pa_verify import verify_signature  # Only files with a credential.

        signature, signature_detail, signer = verify_signature(data, binding, trust)
    else:
        streamed = "not checked: the file is streamed (over 4 MiB)"
        binding_detail = streamed
        signature, signature_detail = C2paSignature.NOT_VERIFIED, streamed
    return C2paCheck(
        state=C2paState.PRESENT,
        detail=f"C2PA text credential, {end - start:,} bytes at byte {start}",
        start=start,
        end=end,
        count=1,
        manifest_size=len(last.manifest),
        padding=last.padding,
        binding=binding,
        binding_detail=binding_detail,
        signature=signature,
        signature_detail=signature_detail,
        signer=signer,
        warnings=warnings,
    )


def _binding(data: bytes, wrapper: _Found) -> tuple[C2paBinding, str]:
    """The hard binding of ``wrapper``'s manifest against ``data``."""
    # Imported here: only a file that carries a credential needs the store's reader.
    from provenance.jumbf import JumbfError, read_store

    try:
        manifest = read_store(wrapper.manifest)
    except JumbfError as exc:
        return C2paBinding.MALFORMED, f"the manifest store cannot be read: {exc}"
    claimed = _claimed(manifest)
    if isinstance(claimed, str):
        return C2paBinding.MALFORMED, claimed
    algorithm, exclusion, digest = claimed
    length = wrapper.end - wrapper.start
    if exclusion != (wrapper.start, length):
        start, size = exclusion
        why = ""
        if b"\r" in data or not unicodedata.is_normalized("NFC", data.decode("utf-8", "replace")):
            why = " (line ends or normalisation changed in transport?)"
        return C2paBinding.MALFORMED, (
            f"the exclusion (bytes {start}-{start + size}) is not the wrapper "
            f"(bytes {wrapper.start}-{wrapper.end}){why}"
        )
    text = (data[: wrapper.start] + data[wrapper.end :]).decode("utf-8", "surrogatepass")
    computed = _DIGESTS[algorithm](unicodedata.normalize("NFC", text).encode("utf-8")).digest()
    if hmac.compare_digest(computed, digest):
        return C2paBinding.OK, f"the text hashes to the manifest's {algorithm}"
    return C2paBinding.MISMATCH, f"expected {algorithm} {digest.hex()}, computed {computed.hex()}"


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


__all__ = ["MANIFEST_MAX", "check_credential"]
