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

from provenance.canonical import BOM, canonicalize
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


def compute(
    covered: bytes,
    algorithm: Algorithm = Algorithm.MD5,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
) -> str:
    """The fingerprint of covered text: its canonical form, hashed (the reference).

    >>> compute(b"Hello.\\r\\n") == compute(b"Hello.")
    True
    """
    return digest(canonicalize(covered, canonicalization), algorithm)


def computed(
    covered: bytes,
    claimed: str,
    algorithm: Algorithm = Algorithm.MD5,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    *,
    raw: str | None = None,
) -> str:
    """The computed fingerprint of valid UTF-8 ``covered``, raw first (SPEC.md 2.2); ``raw``
    is the digest of ``covered`` as it is, when the caller has taken it already.

    Equal to :func:`compute` whenever ``claimed`` is the digest of some canonical text,
    for ``claimed`` then is the digest of ``covered``'s canonical form exactly when it is
    one of these, tried in order of cost:

    1. the digest of the covered bytes as they are: equal to ``claimed``, they *are* that
       canonical text (MD5 collisions aside, which SPEC.md 7 leaves out of what a footer
       proves), and the canonical form is idempotent;
    2. the digest after the rules that are cheap on bytes, leading BOMs dropped and CRLF
       turned into LF: equal to ``claimed``, the result is a canonical text (no CR, no BOM),
       so the other rules leave it alone, and SPEC 2.2 applied to ``covered`` gives it too;
    3. the same, with the blanks at the end of each line and the empty lines at the end
       removed as well (steps 5 and 6 on bytes: spaces, tabs and LF are ASCII): equal to
       ``claimed``, the result is canonical, hence NFC; the blanks and line ends removed
       are starters that compose with nothing, so NFC left the text they were in alone;
    4. the digest of :func:`provenance.canonical.rewrite` (the reference), for the rest.

    So a file that only travelled through Windows line ends costs one ``replace`` and one
    more hash, one that gained blanks at its line ends a split and a join, and only texts
    that really mismatch, or were changed by an editor's NFD, pay for the full rewrite.

    >>> token = compute(b"Hello.")
    >>> computed(b"Hello.\\r\\n", token) == token
    True
    """
    if raw is None:
        raw = digest(covered, algorithm)
    if matches(claimed, raw) or canonicalization is Canonicalization.SIMPLE:
        return raw
    start = 0
    while covered.startswith(BOM, start):
        start += len(BOM)
    cheap = covered[start:] if start else covered
    if b"\r" in cheap:
        cheap = cheap.replace(b"\r\n", b"\n")
    if cheap is not covered:
        candidate = digest(cheap, algorithm)
        if matches(claimed, candidate):
            return candidate
    trimmed = b"\n".join([line.rstrip(b" \t") for line in cheap.split(b"\n")]).rstrip(b"\n")
    if trimmed != cheap:
        candidate = digest(trimmed, algorithm)
        if matches(claimed, candidate):
            return candidate
    return compute(covered, algorithm, canonicalization)


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
    """Compare a claimed token with a computed digest in constant time.

    Both are ASCII strings, which ``compare_digest`` takes as they are (a non-ASCII one
    raises ``TypeError``: a token is checked to be hex before it is compared).
    """
    return hmac.compare_digest(expected, actual)
