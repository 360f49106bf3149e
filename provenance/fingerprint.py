"""Canonical bytes to digest, and the one comparison helper.

What an MD5 footer gives: it detects accidental damage and casual edits, because a
changed word changes the digest. What it cannot give: authenticity. MD5 is unkeyed and
anyone can recompute it after editing the text, and MD5 collisions are cheap to make, so
a matching footer says nothing about who wrote the text. Detached signatures
(:mod:`provenance.sign`) are what answer that question.
"""

from __future__ import annotations

import hashlib
import hmac

from provenance.canonical import (
    Canonicalizer,
    canonicalize,
    is_surely_canonical,
    is_surely_canonical_in_pieces,
    validate_utf8,
)
from provenance.model import Algorithm, Canonicalization


def algorithm_for(token: str) -> Algorithm | None:
    """The algorithm a token of this length names: 32 hex is MD5, 64 hex is SHA-256."""
    if len(token) == 32:
        return Algorithm.MD5
    if len(token) == 64:
        return Algorithm.SHA256
    return None


def digest(canonical: bytes, algorithm: Algorithm = Algorithm.MD5) -> str:
    """Lowercase hex digest of already-canonical bytes.

    >>> digest(b"")
    'd41d8cd98f00b204e9800998ecf8427e'
    """
    if algorithm is Algorithm.MD5:
        # MD5 serves here as a checksum against damage, not as a security primitive.
        return hashlib.md5(canonical, usedforsecurity=False).hexdigest()
    return hashlib.sha256(canonical).hexdigest()


def new_hash(algorithm: Algorithm = Algorithm.MD5) -> hashlib._Hash:
    """An incremental hash object for ``algorithm`` (for streamed canonical bytes)."""
    if algorithm is Algorithm.MD5:
        return hashlib.md5(usedforsecurity=False)
    return hashlib.sha256()


#: Covered texts at least this large are hashed in a second thread during the checks.
THREAD_MIN = 256 * 1024
#: Covered texts larger than this are checked piece by piece (measured: a fifth faster at
#: 64 MiB, no faster at 1 MiB, where the whole text stays in the CPU cache).
PIECEWISE_MIN = 2 * 1024 * 1024


def compute(
    covered: bytes,
    algorithm: Algorithm = Algorithm.MD5,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    *,
    validated: bool = False,
    nfc_stable: bool = False,
) -> str:
    """The fingerprint of covered text: its canonical form, hashed.

    An already-canonical text is hashed as it is (the fast path of
    :func:`provenance.canonical.is_canonical`); ``validated`` says the caller has already
    checked that ``covered`` is UTF-8, so it is not decoded a second time, and
    ``nfc_stable`` that its NFC screen (:func:`provenance.canonical.outline_stable`) has
    passed it, so it is not screened a second time.

    >>> compute(b"Hello.\\r\\n") == compute(b"Hello.")
    True
    """
    if canonicalization is Canonicalization.SIMPLE or len(covered) < THREAD_MIN:
        form = canonicalize(covered, canonicalization, validated=validated, nfc_stable=nfc_stable)
        return digest(form, algorithm)
    # hashlib lets go of the GIL while it hashes a large buffer, so a second thread hashes
    # the raw bytes on another core while this one proves them canonical; the slow path
    # throws that digest away (and skips the exact NFC check, which costs a normalisation).
    if b"\r" in covered:
        # CR line ends are the commonest rewrite; found at memchr speed, they spare hashing
        # the raw bytes for nothing.
        if not validated:
            validate_utf8(covered)
        return _rewritten_digest(covered, algorithm)
    import threading

    hasher = new_hash(algorithm)
    worker = threading.Thread(target=hasher.update, args=(covered,), daemon=True)
    worker.start()
    try:
        if nfc_stable or len(covered) <= PIECEWISE_MIN:
            canonical = is_surely_canonical(covered, validated=validated, nfc_stable=nfc_stable)
        else:
            canonical = is_surely_canonical_in_pieces(covered, validated=validated)
    finally:
        worker.join()
    if canonical:
        return hasher.hexdigest()
    return _rewritten_digest(covered, algorithm)


#: The slow path of a large text is rewritten and hashed in steps of this many bytes.
REWRITE_STEP = 256 * 1024


def _rewritten_digest(covered: bytes, algorithm: Algorithm) -> str:
    """The digest of the canonical form of a large (valid UTF-8) text: rewritten block by
    block, each block hashed in a second thread while the next one is rewritten."""
    background = BackgroundHash(new_hash(algorithm))
    try:
        pieces: list[bytes | memoryview] = []
        stream = Canonicalizer(pieces.append, validated=True)
        for start in range(0, len(covered), REWRITE_STEP):
            stream.feed(covered[start : start + REWRITE_STEP])
            background.submit(pieces.copy())
            pieces.clear()
        stream.finish()
        background.submit(pieces)
        return background.hexdigest()
    finally:
        background.close()


class BackgroundHash:
    """A hash fed from a second thread, so that hashing overlaps the caller's own work.

    hashlib lets go of the GIL while it hashes a buffer larger than 2 KiB, so the thread
    hashes a chunk on another core while the caller reads and checks the next one. The
    caller passes the pieces of one chunk at once (:meth:`submit`) and waits until the
    thread has taken them: a thread that only asked for the GIL would get it back from a
    busy caller once per switch interval (5 ms), far too late, while a caller blocked on a
    lock hands it over at once. So at most one chunk is hashed while the next is checked.
    Always :meth:`close` it (or read :meth:`hexdigest`).

    >>> background = BackgroundHash(new_hash())
    >>> background.submit([b"Hello", b"."])
    >>> background.hexdigest() == digest(b"Hello.")
    True
    """

    def __init__(self, hasher: hashlib._Hash) -> None:
        import threading

        self._hasher = hasher
        self._error: BaseException | None = None
        self._pieces: list[bytes | memoryview] | None = None
        self._ready = threading.Semaphore(0)  # Released when pieces (or None) are waiting.
        self._taken = threading.Semaphore(0)  # Released when the thread has taken them.
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        update = self._hasher.update
        while True:
            self._ready.acquire()
            pieces, self._pieces = self._pieces, None
            self._taken.release()
            if pieces is None:
                return
            if self._error is not None:
                continue  # Keep taking pieces, so that the caller never waits for nothing.
            try:
                for piece in pieces:
                    update(piece)
            except BaseException as exc:  # Raised again in the caller, by hexdigest().
                self._error = exc

    def _hand(self, pieces: list[bytes | memoryview] | None) -> None:
        self._pieces = pieces
        self._ready.release()
        self._taken.acquire()

    def submit(self, pieces: list[bytes | memoryview]) -> None:
        """Hash ``pieces``, in order, after everything submitted before."""
        if pieces:
            self._hand(pieces)

    def close(self) -> None:
        """Stop the thread once it has hashed everything submitted."""
        if self._thread.is_alive():
            self._hand(None)
            self._thread.join()

    def hexdigest(self) -> str:
        """The digest of everything submitted."""
        self.close()
        if self._error is not None:
            raise self._error
        return self._hasher.hexdigest()


def matches(expected: str, actual: str) -> bool:
    """Compare a claimed token with a computed digest in constant time."""
    return hmac.compare_digest(expected.encode("ascii"), actual.encode("ascii"))
