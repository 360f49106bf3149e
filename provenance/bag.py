"""Recipe: check a BagIt bag -- its tag files, every manifest, every article in data/, its signature.

:func:`check_bag_folder` walks the bag once with :func:`provenance.tree.scan` (never following a
link; SHA-256 and the other manifests' algorithms computed in the same read), keeps the tag
files at its top and the articles in ``data/``, and hands what it found to
:func:`provenance.bagit.check_bag`. It never raises for a bad bag: everything wrong is a
verdict on a :class:`~provenance.model.Result`.

A signed bag has ``tagmanifest-sha256.txt.sig`` beside its ``tagmanifest-sha256.txt``: an
SSHSIG signature over the tag manifest's bytes, checked against the trust policy as a seal's
``SHA256SUMS.sig`` is. The tag manifest lists the payload manifests and ``bag-info.txt``, and
the payload manifests list every payload file: a good signature covers every byte of the bag.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from provenance.allowed_signers import TrustPolicy
from provenance.bagit import (
    ALGORITHMS,
    DECLARATION,
    PAYLOAD,
    SIGNATURE_NAME,
    SIGNED_MANIFEST,
    BagFound,
    check_bag,
    manifest_kind,
)
from provenance.errors import InputError, OperationalError
from provenance.manifest import MAX_MANIFEST_SIZE
from provenance.model import (
    Canonicalization,
    Result,
    SignatureResult,
    SignatureVerdict,
    Verdict,
)
from provenance.sealed import DEFAULT_MAX_SIZE, NOT_AN_ARTICLE, default_is_article, node_reason
from provenance.seals import is_bag
from provenance.sign import check_signature
from provenance.sshsig import DEFAULT_NAMESPACE, MAX_ARMORED_SIZE
from provenance.tokens import TokenRegistry
from provenance.tree import FileDigest, Kind, display_name, scan
from provenance.verify import check_bytes, infer_publisher_tokens, join_display

#: What the signed tag manifest's result says it is.
SIGNED_OBJECT = "the tag manifest of a bag"


@dataclass(frozen=True, slots=True)
class BagCheck:
    """The check of a bag: its tag manifest's signature, then one result per path."""

    #: The check of tagmanifest-sha256.txt.sig; ``None`` when no trust policy was given.
    signature: SignatureResult | None
    results: tuple[Result, ...]


def check_bag_folder(
    folder: str | os.PathLike[str],
    *,
    policy: TrustPolicy | None = None,
    namespace: str = DEFAULT_NAMESPACE,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    tokens: TokenRegistry | None = None,
    is_article: Callable[[str], bool] = default_is_article,
    max_size: int = DEFAULT_MAX_SIZE,
    now: datetime | None = None,
) -> BagCheck:
    """Check a bag: bagit.txt, every manifest, Payload-Oxum, every article, the signature.

    ``is_article(path)`` takes paths relative to ``data/``. Raises
    :class:`~provenance.errors.InputError` when ``folder`` is not a bag; never for what is
    wrong inside it.

    >>> check_bag_folder("bag", policy=load_allowed_signers("allowed"))  # doctest: +SKIP
    """
    root = os.fspath(folder)
    if not is_bag(root):
        raise InputError(f"{root} is not a BagIt bag: it holds no {DECLARATION}")
    also = _algorithms(root)

    def top(path: str) -> bool:
        return "/" not in path

    def article(path: str) -> bool:
        return path.startswith(PAYLOAD) and is_article(path[len(PAYLOAD) :])

    def inspect(path: str, data: bytes) -> object:
        if top(path):
            return data
        return check_bytes(
            data,
            join_display(root, display_name(path)),
            canonicalization=canonicalization,
            tokens=tokens,
        )

    found = scan(
        root,
        keep=lambda path: top(path) or article(path),
        inspect=inspect,
        keep_limit=lambda path: _limit(path, max_size) if top(path) else max_size,
        also=also,
    )
    kept: dict[str, bytes | str] = {}
    for item in found.files:
        if top(item.path):
            kept[item.path] = (
                item.inspected
                if isinstance(item.inspected, bytes)
                else f"is larger than {_limit(item.path, max_size)} bytes ({item.size}): not read"
            )
    refused = {
        node.path: node_reason(node.kind, node.detail)
        for node in found.nodes
        if node.kind is not Kind.FOLDER
    }
    folders = frozenset(node.path for node in found.of_kind(Kind.FOLDER))

    def display(path: str) -> str:
        return join_display(root, display_name(path))

    def footer(item: FileDigest) -> Result:
        if isinstance(item.inspected, Result):
            return item.inspected
        if item.too_large and article(item.path):
            detail = f"larger than {max_size} bytes: footer not checked"
            return Result(display(item.path), Verdict.UNREADABLE, detail)
        return Result(display(item.path), Verdict.NO_FOOTER, NOT_AN_ARTICLE, article=False)

    results = check_bag(
        BagFound(found.files, also, refused, folders, kept),
        display=display,
        footer=footer,
    )
    signature = None
    if policy is not None:
        signature = _signature(kept, refused, display, policy, namespace, now)
        shown = display(SIGNED_MANIFEST)
        rows = [row for row in results if row.path == shown and row.signature is None]
        if rows:
            results[results.index(rows[-1])] = replace(rows[-1], signature=signature)
        else:
            results.insert(
                0,
                Result(shown, Verdict.NO_FOOTER, SIGNED_OBJECT, signature=signature, article=False),
            )
    return BagCheck(signature, tuple(infer_publisher_tokens(results)))


def _algorithms(root: str) -> tuple[str, ...]:
    """The algorithms other than SHA-256 that the manifests at the bag's top name."""
    try:
        names = os.listdir(root)
    except OSError as exc:
        raise OperationalError(f"cannot list {root}: {exc.strerror or exc}") from exc
    kinds = (manifest_kind(name) for name in names)
    return tuple(
        sorted(
            {kind[1] for kind in kinds if kind and kind[1] in ALGORITHMS and kind[1] != "sha256"}
        )
    )


def _limit(path: str, max_size: int) -> int:
    """How much of a tag file is read: a manifest is bounded as a SHA256SUMS is."""
    if path.endswith(".sig"):
        return MAX_ARMORED_SIZE
    return min(max_size, MAX_MANIFEST_SIZE)


def _signature(
    kept: dict[str, bytes | str],
    refused: dict[str, str],
    display: Callable[[str], str],
    policy: TrustPolicy,
    namespace: str,
    now: datetime | None,
) -> SignatureResult:
    """The check of tagmanifest-sha256.txt.sig over tagmanifest-sha256.txt."""
    shown = display(SIGNATURE_NAME)
    signature = kept.get(SIGNATURE_NAME, refused.get(SIGNATURE_NAME))
    if signature is None:
        detail = f"no signature: {shown} does not exist"
        return SignatureResult(SignatureVerdict.MISSING, detail, signature_path=shown)
    if isinstance(signature, str):
        detail = f"malformed signature: {signature}"
        return SignatureResult(SignatureVerdict.MALFORMED, detail, signature_path=shown)
    signed = kept.get(SIGNED_MANIFEST, refused.get(SIGNED_MANIFEST))
    if not isinstance(signed, bytes):
        why = signed or "it does not exist"
        detail = f"cannot check: {display(SIGNED_MANIFEST)} could not be read ({why})"
        return SignatureResult(SignatureVerdict.BAD, detail, signature_path=shown)
    result = check_signature(signed, signature, policy, namespace, now=now)
    return replace(result, signature_path=shown)


__all__ = ["SIGNED_OBJECT", "BagCheck", "check_bag_folder"]
