"""Recipe: detached SSHSIG signatures of files, checked against a trust policy.

A signature covers a file's raw bytes (any byte change breaks it) and sits beside it as
``FILE.sig``, in the armored form ``ssh-keygen -Y sign`` writes, so anyone can check it with
``ssh-keygen -Y verify`` alone. Files are hashed in 1 MiB blocks, never read whole.

:func:`check_signature` returns a :class:`~provenance.model.SignatureResult` and never raises for
a bad, malformed or missing signature; :func:`verify_signature` raises
:class:`~provenance.errors.VerificationError` unless the verdict is ``good``. The verdicts:

* ``malformed``: not a valid SSHSIG signature (armor, blob, key or signature encoding);
* ``bad``: well formed, but made for another namespace or over other bytes;
* ``revoked``: valid, but its key is revoked (``--revoked``), whatever the trust policy says;
* ``untrusted``: valid, but the trust policy does not allow its key for this namespace, time
  (and principal, when one is asked for), or a security key signed it without a touch;
* ``good``: valid and trusted; the principal is the one the trust policy names for the key;
* ``missing``: there is no ``FILE.sig``.

Errors of the environment (a file that cannot be read) are raised, not turned into verdicts.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from provenance.allowed_signers import TrustPolicy
from provenance.errors import InputError, OperationalError, Refused, VerificationError
from provenance.fsio import (
    BLOCK_SIZE,
    SpecialFileError,
    TooLargeError,
    atomic_write,
    open_regular,
    read_limited,
)
from provenance.keys import PublicKey, Signer, public_key_from_blob
from provenance.model import SignatureResult, SignatureVerdict
from provenance.selector import SIGNATURE_SUFFIX
from provenance.sshsig import (
    DEFAULT_HASH_ALGORITHM,
    DEFAULT_NAMESPACE,
    HASH_ALGORITHMS,
    MAX_ARMORED_SIZE,
    SshSignature,
    check_hash_algorithm,
    check_namespace,
    dump,
    parse,
    signed_data,
)


@dataclass(frozen=True, slots=True)
class Prehashed:
    """A message known only by its digests, one per hash algorithm SSHSIG allows.

    A walk that reads a file once (to hash it for SHA256SUMS and check its footer) keeps
    these instead of the bytes, so that the file's signature is checked over exactly the
    bytes that were hashed, never over a second read that could differ.
    """

    #: Hash algorithm name (``sha256``, ``sha512``) -> digest.
    digests: Mapping[str, bytes]

    @classmethod
    def of(cls, data: bytes) -> Prehashed:
        """The digests of ``data`` under every algorithm a signature may use."""
        return cls({name: hashlib.new(name, data).digest() for name in HASH_ALGORITHMS})


#: What a function that signs or checks takes as its subject: bytes in memory, a file path,
#: or the digests of bytes read elsewhere.
Subject = bytes | str | os.PathLike[str] | Prehashed


def signature_path(path: str | os.PathLike[str]) -> Path:
    """Where the signature of ``path`` lives: ``path`` + ``.sig``.

    >>> str(signature_path("a.txt"))
    'a.txt.sig'
    """
    return Path(f"{os.fspath(path)}{SIGNATURE_SUFFIX}")


def digest(subject: Subject, hash_algorithm: str = DEFAULT_HASH_ALGORITHM) -> bytes:
    """H(message): the hash of bytes, or of a file read in 1 MiB blocks."""
    check_hash_algorithm(hash_algorithm)
    if isinstance(subject, Prehashed):
        return subject.digests[hash_algorithm]
    hasher = hashlib.new(hash_algorithm)
    if isinstance(subject, bytes):
        hasher.update(subject)
        return hasher.digest()
    buffer = bytearray(BLOCK_SIZE)
    view = memoryview(buffer)
    try:
        with open_regular(subject) as handle:
            while count := handle.readinto(buffer):
                hasher.update(view[:count])
    except FileNotFoundError as exc:
        raise InputError(f"{os.fspath(subject)} does not exist") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{os.fspath(subject)} is a folder, not a file") from exc
    except SpecialFileError as exc:
        raise InputError(f"{os.fspath(subject)} {exc.strerror}") from exc
    except OSError as exc:
        raise OperationalError(f"cannot read {os.fspath(subject)}: {exc.strerror or exc}") from exc
    return hasher.digest()


def _sign_digest(message_digest: bytes, key: Signer, namespace: str, hash_alg: str) -> str:
    to_sign = signed_data(namespace, hash_alg, message_digest)
    return dump(SshSignature(key.public.blob, namespace, hash_alg, key.sign(to_sign)))


def sign_bytes(
    data: bytes,
    key: Signer,
    namespace: str = DEFAULT_NAMESPACE,
    hash_alg: str = DEFAULT_HASH_ALGORITHM,
) -> str:
    """The armored SSHSIG signature of ``data``, as ``ssh-keygen -Y sign -n NAMESPACE`` makes it.

    >>> sign_bytes(b"text", load_private_key("id_ed25519"))  # doctest: +SKIP
    '-----BEGIN SSH SIGNATURE-----\\n...'
    """
    check_namespace(namespace)
    return _sign_digest(digest(data, hash_alg), key, namespace, hash_alg)


def sign_file(
    path: str | os.PathLike[str],
    key: Signer,
    namespace: str = DEFAULT_NAMESPACE,
    *,
    force: bool = False,
    hash_alg: str = DEFAULT_HASH_ALGORITHM,
) -> Path:
    """Sign the bytes of ``path`` and write ``path.sig`` atomically; return the ``.sig`` path.

    Refuses to replace an existing ``.sig`` unless ``force``: raises
    :class:`~provenance.errors.Refused` (exit 1); if another writer creates it meanwhile,
    :func:`~provenance.fsio.atomic_write` raises :class:`~provenance.errors.OperationalError`.

    >>> sign_file("archive.tar.gz", key, "file")  # doctest: +SKIP
    PosixPath('archive.tar.gz.sig')
    """
    check_namespace(namespace)
    target = signature_path(path)
    if not force and os.path.lexists(target):
        raise Refused(
            f"{target} already exists; refusing to overwrite it", hint="use --force to replace it"
        )
    armored = _sign_digest(digest(path, hash_alg), key, namespace, hash_alg)
    atomic_write(target, armored.encode("ascii"), overwrite=force)
    return target


def check_signature(
    subject: Subject,
    signature: bytes | str | None,
    policy: TrustPolicy,
    namespace: str = DEFAULT_NAMESPACE,
    *,
    now: datetime | None = None,
    principal: str | None = None,
) -> SignatureResult:
    """Check a detached signature of ``subject`` (bytes, or a path: ``str`` is always a path).

    ``signature`` is the armored signature; ``None`` reads ``subject + ".sig"`` when ``subject``
    is a path (verdict ``missing`` when that file does not exist). ``now`` (default: the current
    time) is the moment the trust policy's validity windows are checked at; ``principal``, like
    ``ssh-keygen -Y verify -I``, requires the key to be allowed for that identity.

    Never raises for a bad, malformed or missing signature. Raises
    :class:`~provenance.errors.InputError` when ``subject`` does not exist and
    :class:`~provenance.errors.OperationalError` when a file cannot be read.

    >>> check_signature("a.txt", None, load_allowed_signers("allowed_signers")).verdict
    ... # doctest: +SKIP
    <SignatureVerdict.GOOD: 'good'>
    """
    sig_path: str | None = None
    if signature is None:
        if isinstance(subject, bytes | Prehashed):
            return SignatureResult(SignatureVerdict.MISSING, "no signature was given")
        sig_path = str(signature_path(subject))
        try:
            signature = _read_signature(sig_path)
        except (SpecialFileError, TooLargeError, IsADirectoryError) as exc:
            # A FIFO, folder or huge file planted as FILE.sig must neither hang, nor fill
            # memory, nor stop the whole run.
            what = "is a folder" if isinstance(exc, IsADirectoryError) else exc.strerror
            detail = f"malformed signature: {sig_path} {what}"
            return SignatureResult(SignatureVerdict.MALFORMED, detail, signature_path=sig_path)
        if signature is None:
            detail = f"no signature: {sig_path} does not exist"
            return SignatureResult(SignatureVerdict.MISSING, detail, signature_path=sig_path)
    try:
        decoded = parse(signature)
        key = public_key_from_blob(decoded.public_key)
    except InputError as exc:
        detail = f"malformed signature: {exc.message}"
        return SignatureResult(SignatureVerdict.MALFORMED, detail, signature_path=sig_path)
    when = int(now.timestamp()) if now is not None else int(time.time())
    verdict, detail, named = _judge(subject, decoded, key, policy, namespace, when, principal)
    return SignatureResult(
        verdict,
        detail,
        principal=named,
        key_fingerprint=key.fingerprint,
        namespace=decoded.namespace,
        signature_path=sig_path,
    )


def _judge(
    subject: Subject,
    decoded: SshSignature,
    key: PublicKey,
    policy: TrustPolicy,
    namespace: str,
    when: int,
    principal: str | None,
) -> tuple[SignatureVerdict, str, str | None]:
    """Verdict, detail and principal for a signature that decoded well."""
    if decoded.namespace != namespace:
        detail = f"signature is for namespace {decoded.namespace!r}, expected {namespace!r}"
        return SignatureVerdict.BAD, detail, None
    message_digest = digest(subject, decoded.hash_algorithm)
    try:
        details = key.verify(
            decoded.signature, signed_data(namespace, decoded.hash_algorithm, message_digest)
        )
    except InputError as exc:
        return SignatureVerdict.MALFORMED, f"malformed signature: {exc.message}", None
    except VerificationError:
        return (
            SignatureVerdict.BAD,
            f"signature by {key.fingerprint} does not match the bytes",
            None,
        )
    decision = policy.decide(key, namespace, when, principal)
    if decision.revoked:
        return SignatureVerdict.REVOKED, f"revoked key: {decision.reason}", None
    if not decision.trusted:
        return SignatureVerdict.UNTRUSTED, f"untrusted signer: {decision.reason}", None
    if details is not None and not details.user_present:
        # ssh-keygen -Y verify does not look at this flag; sshd refuses such a signature unless
        # the key is marked no-touch-required. Without a touch, software on the signer's
        # machine could have signed alone, which is what a hardware key is meant to prevent.
        detail = (
            f"untrusted signer: the security key {key.fingerprint} signed without user presence"
            f" (flags 0x{details.flags:02x}): no one touched it"
        )
        return SignatureVerdict.UNTRUSTED, detail, None
    named = ",".join(decision.principals) or None
    who = f" for {named}" if named else ""
    detail = f"good {namespace!r} signature{who} with {key.key_type} key {key.fingerprint}"
    return SignatureVerdict.GOOD, detail, named


def verify_signature(
    subject: Subject,
    signature: bytes | str | None,
    policy: TrustPolicy,
    namespace: str = DEFAULT_NAMESPACE,
    *,
    now: datetime | None = None,
    principal: str | None = None,
) -> SignatureResult:
    """Like :func:`check_signature`, but raise unless the verdict is ``good``.

    Raises :class:`~provenance.errors.VerificationError` (exit 1) whose message starts with the
    verdict (``bad: ...``, ``revoked: ...``, ``untrusted: ...``, ``malformed: ...``, ``missing: ...``).
    """
    checked = check_signature(subject, signature, policy, namespace, now=now, principal=principal)
    if checked.verdict is not SignatureVerdict.GOOD:
        raise VerificationError(f"{checked.verdict.value}: {checked.detail}")
    return checked


def _read_signature(path: str) -> bytes | None:
    """The content of a ``.sig`` file, or ``None`` when there is none.

    Raises :class:`SpecialFileError` or :class:`IsADirectoryError` for what is not a file, and
    :class:`TooLargeError` for one larger than any valid signature.
    """
    try:
        return read_limited(path, MAX_ARMORED_SIZE)
    except FileNotFoundError:
        return None
    except (SpecialFileError, TooLargeError, IsADirectoryError):
        raise
    except OSError as exc:
        raise OperationalError(f"cannot read {path}: {exc.strerror or exc}") from exc


__all__ = [
    "Prehashed",
    "Subject",
    "check_signature",
    "digest",
    "sign_bytes",
    "sign_file",
    "signature_path",
    "verify_signature",
]
