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
With a trust policy, the signature's check is on the tag manifest's own result, the signed
object's (kind ``manifest``), as a seal's is on its ``SHA256SUMS``'s.

Which files in ``data/`` are articles is the caller's ``is_article`` (paths relative to
``data/``: :class:`provenance.selector.Selector` in a run). ``--exclude`` never excuses an
unlisted file here: a bag lists every file it holds (RFC 8493), and ``seal --bagit`` leaves
nothing out.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from provenance.bagit import (
    ALGORITHMS,
    DECLARATION,
    PAYLOAD,
    SIGNATURE_NAME,
    SIGNED_MANIFEST,
    BagFound,
    check_bag,
    entry_kind,
    manifest_kind,
    weak_algorithm_warnings,
)
from provenance.errors import InputError, OperationalError
from provenance.manifest import MAX_MANIFEST_SIZE
from provenance.model import EntryKind, Result, SignatureResult
from provenance.options import DEFAULT_OPTIONS, VerifyOptions
from provenance.parallel import footer_checks
from provenance.sealed import NOT_AN_ARTICLE, detached_signature, node_reason, resolved
from provenance.seals import is_bag
from provenance.selector import default_is_article
from provenance.sshsig import MAX_ARMORED_SIZE
from provenance.tree import FileDigest, Kind, display_name, scan
from provenance.verify import infer_publisher_tokens, join_display

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
    options: VerifyOptions = DEFAULT_OPTIONS,
    *,
    is_article: Callable[[str], bool] = default_is_article,
) -> BagCheck:
    """Check a bag: bagit.txt, every manifest, Payload-Oxum, every article, the signature.

    ``options.policy`` checks ``tagmanifest-sha256.txt.sig`` (``None``: not checked); no file
    is kept beyond ``options.max_member_size`` bytes. ``is_article(path)`` takes paths
    relative to ``data/``. Raises :class:`~provenance.errors.InputError` when ``folder`` is
    not a bag; never for what is wrong inside it.

    >>> check_bag_folder("bag", VerifyOptions(policy=load_allowed_signers("allowed")))
    ... # doctest: +SKIP
    """
    policy, max_size = options.policy, options.max_member_size
    root = os.fspath(folder)
    if not is_bag(root):
        raise InputError(f"{root} is not a BagIt bag: it holds no {DECLARATION}")
    also = _algorithms(root)

    def top(path: str) -> bool:
        return "/" not in path

    def article(path: str) -> bool:
        return path.startswith(PAYLOAD) and is_article(path[len(PAYLOAD) :])

    # With more than one job the footers of data/ are checked by worker processes while this
    # one walks and hashes, as in a sealed folder (forked before the walk's thread starts).
    checker = footer_checks(options)

    def inspect(path: str, data: bytes) -> object:
        if top(path):
            return data
        return checker.submit(data, join_display(root, display_name(path)))

    with checker:
        found = scan(
            root,
            keep=lambda path: top(path) or article(path),
            inspect=inspect,
            keep_limit=lambda path: _limit(path, max_size) if top(path) else max_size,
            also=also,
        )
        files = found.files
        checker.flush()
        files = tuple(resolved(item) for item in files)
    kept: dict[str, bytes | str] = {}
    for item in files:
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

    signature = _signature(kept, refused, display, options) if policy is not None else None

    def signed_object() -> Result:
        """The tag manifest's result, carrying the signature over it."""
        shown = display(SIGNED_MANIFEST)
        return Result(
            path=shown, detail=SIGNED_OBJECT, kind=EntryKind.MANIFEST, signature=signature
        )

    def footer(item: FileDigest) -> Result:
        if isinstance(item.inspected, Result):
            return item.inspected
        if item.too_large and article(item.path):
            detail = f"larger than {max_size} bytes: footer not checked"
            return Result.unreadable(display(item.path), detail)
        if item.path == SIGNED_MANIFEST and signature is not None:
            return signed_object()
        return Result(
            path=display(item.path),
            detail=NOT_AN_ARTICLE,
            kind=entry_kind(item.path),
            warnings=weak_algorithm_warnings(item.path),
        )

    results = check_bag(
        BagFound(files, also, refused, folders, kept),
        display=display,
        footer=footer,
    )
    if signature is not None and not any(item.path == SIGNED_MANIFEST for item in files):
        # No file row to carry it (the tag manifest is absent, or not a regular file).
        results.insert(0, signed_object())
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
    options: VerifyOptions,
) -> SignatureResult | None:
    """The check of tagmanifest-sha256.txt.sig over tagmanifest-sha256.txt, as a seal's."""
    signed = kept.get(SIGNED_MANIFEST, refused.get(SIGNED_MANIFEST, "it does not exist"))
    signature = kept.get(SIGNATURE_NAME, refused.get(SIGNATURE_NAME))
    return detached_signature(
        signed, signature, display(SIGNATURE_NAME), options.policy, options.namespace, options.now
    )


__all__ = ["SIGNED_OBJECT", "BagCheck", "check_bag_folder"]
