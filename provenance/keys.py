"""OpenSSH keys through pyca/cryptography: load, make, fingerprint, sign and check signatures.

Signing is Ed25519 only (a user's ``~/.ssh/id_ed25519`` works, passphrase-protected or not).
Checking also accepts RSA (``rsa-sha2-256``/``rsa-sha2-512`` signatures, never SHA-1 ``ssh-rsa``)
and ECDSA over nistp256/384/521, the other key types ``ssh-keygen -Y sign`` makes, and the
FIDO security-key types ``sk-ssh-ed25519@openssh.com`` and ``sk-ecdsa-sha2-nistp256@openssh.com``
(PROTOCOL.u2f: the token signs SHA256(application), a flags byte, a counter and SHA256(data),
and the SSH signature carries the flags and counter after the signature value). DSA,
certificates and webauthn signatures are refused with a message that says so.

Two checks go beyond what OpenSSL and ssh-keygen do by themselves:

* a small-order ("weak") Ed25519 public key is refused wherever a key is read. Such a point
  makes many signatures valid for every message, so a signature "by" it proves nothing;
* an Ed25519 signature whose scalar S is not below the group order L is refused. S and S + L
  verify alike under lax checks, which would let anyone turn one valid signature into another.

The library never prompts: a passphrase comes from a callback that is only called when the key
is encrypted.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from provenance.errors import InputError, Refused, VerificationError
from provenance.fsio import atomic_write, read_small_file
from provenance.sshsig import expect_end, put_string, put_text, read_mpint, read_string, read_text

#: A larger key file is refused unread, as OpenSSH's ``sshkey_load_file`` does (1 MiB).
MAX_KEY_FILE_SIZE = 1 << 20
#: The longest passphrase, in UTF-8 bytes: what ssh-keygen reads (a 1,024-byte buffer with its
#: NUL) and what cryptography's bcrypt-pbkdf takes. A longer one is refused, never cut short:
#: a silently truncated passphrase is not the one the user believes protects the key.
MAX_PASSPHRASE_BYTES = 1023

ED25519 = "ssh-ed25519"
RSA = "ssh-rsa"
#: ECDSA key types and the hash each one signs with (RFC 5656, section 6.2.1).
ECDSA_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "ecdsa-sha2-nistp256": hashes.SHA256,
    "ecdsa-sha2-nistp384": hashes.SHA384,
    "ecdsa-sha2-nistp521": hashes.SHA512,
}
#: FIDO security-key types (PROTOCOL.u2f). OpenSSH makes ECDSA ones on nistp256 only.
SK_ED25519 = "sk-ssh-ed25519@openssh.com"
SK_ECDSA = "sk-ecdsa-sha2-nistp256@openssh.com"
#: The flag a token sets when a user touched it (FIDO "user present").
SK_USER_PRESENT = 0x01
#: Key types whose signatures we check.
SUPPORTED_KEY_TYPES = frozenset({ED25519, RSA, *ECDSA_HASHES, SK_ED25519, SK_ECDSA})
#: RSA signature algorithms PROTOCOL.sshsig allows, with their hashes.
RSA_SIGNATURE_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "rsa-sha2-256": hashes.SHA256,
    "rsa-sha2-512": hashes.SHA512,
}
#: OpenSSH refuses RSA keys shorter than this (SSH_RSA_MINIMUM_MODULUS_SIZE); so do we.
RSA_MINIMUM_BITS = 1024

#: The order L of the Ed25519 base point: a canonical signature scalar S is below it.
ED25519_ORDER = 2**252 + 27742317777372353535851937790883648493
_P = 2**255 - 19
#: y-coordinates of the eight points of order 1, 2, 4 and 8 (the small-order points): the
#: identity (y = 1), the point of order 2 (y = -1), the two of order 4 (y = 0) and the four of
#: order 8 (y = +-Y8, each with both signs of x). tests/unit/test_keys.py checks each order.
_Y8 = 0x05FC536D880238B13933C6D305ACDFD5F098EFF289F4C345B027B2C28F95E826
SMALL_ORDER_Y = frozenset({1, _P - 1, 0, _Y8, _P - _Y8})

#: A function that returns the passphrase of an encrypted private key (a prompt, a file...).
PassphraseCallback = Callable[[], bytes | str]
CryptoPublicKey = Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def fingerprint(blob: bytes) -> str:
    """A public key's fingerprint as ssh-keygen prints it: ``SHA256:`` and unpadded base64.

    >>> fingerprint(b"")
    'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU'
    """
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii")
    return "SHA256:" + digest.rstrip("=")


def is_small_order_ed25519(raw: bytes) -> bool:
    """Whether a 32-byte Ed25519 point encoding is a small-order point, in any encoding.

    The y-coordinate is reduced modulo p first, so the non-canonical encodings of these points
    (y >= p, or a sign bit set on x = 0) are caught too.
    """
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    return y % _P in SMALL_ORDER_Y


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public key as OpenSSH sees it: its type, its wire encoding (blob) and a comment.

    Two keys are equal when their type and blob are; the comment does not count.
    """

    key_type: str
    blob: bytes
    comment: str = field(default="", compare=False)
    crypto: CryptoPublicKey = field(compare=False, repr=False, kw_only=True)
    #: A security key's FIDO application (``ssh:`` by default); ``None`` for other keys.
    sk_application: str | None = field(default=None, compare=False, kw_only=True)

    @property
    def fingerprint(self) -> str:
        """``SHA256:...`` as ``ssh-keygen -l`` prints it."""
        return fingerprint(self.blob)

    def to_openssh(self) -> str:
        """The ``.pub`` line (without line ending): ``ssh-ed25519 AAAA... comment``."""
        line = f"{self.key_type} {base64.b64encode(self.blob).decode('ascii')}"
        return f"{line} {self.comment}" if self.comment else line

    def verify(self, signature: bytes, data: bytes) -> SkDetails | None:
        """Check an SSH-encoded signature (``string algorithm, string bytes``) over ``data``.

        For a security key, the signature also carries ``byte flags, uint32 counter``, which
        are returned (the caller decides what a missing user-presence flag means); ``None``
        for other keys. Raises :class:`~provenance.errors.InputError` when the signature is
        not well formed for this key type (another algorithm, a non-canonical Ed25519 S, a
        SHA-1 RSA signature) and :class:`~provenance.errors.VerificationError` when it does
        not match ``data``.
        """
        algorithm, rest = read_text(signature, "signature algorithm")
        value, rest = read_string(rest, "signature value")
        details = None
        if self.sk_application is not None:
            if len(rest) < 5:
                raise InputError(
                    f"truncated security-key signature: expected flags and counter (5 bytes),"
                    f" found {len(rest)}"
                )
            details = SkDetails(flags=rest[0], counter=int.from_bytes(rest[1:5], "big"))
            rest = rest[5:]
            data = details.signed_data(self.sk_application, data)
        expect_end(rest, "the signature")
        try:
            self._verify(algorithm, value, data)
        except InvalidSignature:
            raise VerificationError(
                f"the {self.key_type} signature by {self.fingerprint} does not match"
            ) from None
        return details

    def _verify(self, algorithm: str, value: bytes, data: bytes) -> None:
        key = self.crypto
        if algorithm.startswith("webauthn-"):
            raise InputError(f"webauthn signatures ({algorithm!r}) are not supported")
        if isinstance(key, Ed25519PublicKey):
            _expect_algorithm(algorithm, self.key_type)
            if len(value) != 64:
                raise InputError(f"an Ed25519 signature has 64 bytes, found {len(value)}")
            if int.from_bytes(value[32:], "little") >= ED25519_ORDER:
                raise InputError("non-canonical Ed25519 signature: S is not below the order L")
            key.verify(value, data)
        elif isinstance(key, rsa.RSAPublicKey):
            if algorithm == RSA:
                raise InputError("SHA-1 RSA signatures (ssh-rsa) are not accepted")
            if algorithm not in RSA_SIGNATURE_HASHES:
                raise InputError(f"signature algorithm {algorithm!r} does not fit an RSA key")
            size = (key.key_size + 7) // 8
            if len(value) > size:
                raise InputError(f"the RSA signature has {len(value)} bytes, more than {size}")
            # OpenSSH may strip leading zero bytes from an RSA signature; put them back.
            padded = value.rjust(size, b"\x00")
            key.verify(padded, data, padding.PKCS1v15(), RSA_SIGNATURE_HASHES[algorithm]())
        else:
            _expect_algorithm(algorithm, self.key_type)
            r, rest = read_mpint(value, "ECDSA r")
            s, rest = read_mpint(rest, "ECDSA s")
            expect_end(rest, "the ECDSA signature")
            # A security key's ECDSA signs with SHA-256 over its own structure (SkDetails).
            hash_type = hashes.SHA256 if self.key_type == SK_ECDSA else ECDSA_HASHES[self.key_type]
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hash_type()))


@dataclass(frozen=True, slots=True)
class SkDetails:
    """The flags and counter a security key signed along with the data (PROTOCOL.u2f)."""

    flags: int
    counter: int

    @property
    def user_present(self) -> bool:
        """Whether the token says a user touched it while it signed."""
        return bool(self.flags & SK_USER_PRESENT)

    def signed_data(self, application: str, data: bytes) -> bytes:
        """What the token signed: SHA256(application), flags, counter, SHA256(data).

        No extensions: OpenSSH defines none for SSH signatures.
        """
        return b"".join(
            (
                hashlib.sha256(application.encode("utf-8")).digest(),
                bytes((self.flags,)),
                self.counter.to_bytes(4, "big"),
                hashlib.sha256(data).digest(),
            )
        )


def _expect_algorithm(found: str, expected: str) -> None:
    if found != expected:
        raise InputError(f"signature algorithm {found!r} does not fit a key of type {expected!r}")


class Signer(Protocol):
    """What signs: a private key in memory (:class:`SigningKey`) or a key an ssh-agent holds
    (:class:`provenance.agent.AgentSigner`)."""

    @property
    def public(self) -> PublicKey:
        """The public half, whose blob goes into every signature."""
        ...

    def sign(self, data: bytes) -> bytes:
        """An SSH-encoded signature (``string algorithm, string bytes``) of ``data``."""
        ...


@dataclass(frozen=True, slots=True)
class SigningKey:
    """An Ed25519 private key, ready to make SSH signatures."""

    public: PublicKey
    private: Ed25519PrivateKey = field(repr=False, compare=False)

    def sign(self, data: bytes) -> bytes:
        """An SSH-encoded Ed25519 signature of ``data`` (deterministic, as Ed25519 is)."""
        return put_text(ED25519) + put_string(self.private.sign(data))


def public_key_from_blob(blob: bytes, comment: str = "") -> PublicKey:
    """Read an SSH wire-encoded public key, as found inside a signature or a ``.pub`` line.

    Refuses unsupported key types, malformed or non-canonical encodings, RSA keys under
    1024 bits and small-order Ed25519 keys, with an :class:`~provenance.errors.InputError`.
    """
    key_type, rest = read_text(blob, "key type")
    if key_type not in SUPPORTED_KEY_TYPES:
        raise InputError(f"key type {key_type!r} is not supported", hint=_SUPPORTED_HINT)
    if key_type in (SK_ED25519, SK_ECDSA):
        return _security_key(key_type, rest, blob, comment)
    if key_type == ED25519:
        raw, rest = read_string(rest, "Ed25519 public key")
        expect_end(rest, "the Ed25519 public key")
        if len(raw) != 32:
            raise InputError(f"an Ed25519 public key has 32 bytes, found {len(raw)}")
        if is_small_order_ed25519(raw):
            raise InputError("weak Ed25519 public key: a small-order point is never a real key")
    line = f"{key_type} {base64.b64encode(blob).decode('ascii')}".encode("ascii")
    try:
        crypto = serialization.load_ssh_public_key(line)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError(f"malformed {key_type} public key: {exc}") from exc
    if not isinstance(crypto, Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise InputError(f"key type {key_type!r} is not supported", hint=_SUPPORTED_HINT)
    # Encoding the key again must give the same bytes: this refuses trailing data, mpints with
    # superfluous zeros and compressed points, so that one key has exactly one blob.
    if _blob_of(crypto) != blob:
        raise InputError(f"the {key_type} public key is not canonically encoded")
    if isinstance(crypto, rsa.RSAPublicKey) and crypto.key_size < RSA_MINIMUM_BITS:
        raise InputError(f"RSA key of {crypto.key_size} bits; at least {RSA_MINIMUM_BITS} needed")
    return PublicKey(key_type, blob, comment, crypto=crypto)


_SUPPORTED_HINT = "supported: " + ", ".join(sorted(SUPPORTED_KEY_TYPES))


def _security_key(key_type: str, rest: bytes, blob: bytes, comment: str) -> PublicKey:
    """A FIDO security key's public key: the key itself, then ``string application``.

    pyca reads these blobs but drops the application, which every signature covers; so they
    are read here, field by field, each with its length checked.
    """
    crypto: CryptoPublicKey
    if key_type == SK_ED25519:
        raw, rest = read_string(rest, "Ed25519 public key")
        if len(raw) != 32:
            raise InputError(f"an Ed25519 public key has 32 bytes, found {len(raw)}")
        if is_small_order_ed25519(raw):
            raise InputError("weak Ed25519 public key: a small-order point is never a real key")
        crypto = Ed25519PublicKey.from_public_bytes(raw)
    else:
        curve, rest = read_text(rest, "curve name")
        if curve != "nistp256":
            raise InputError(f"a {key_type} key is on curve 'nistp256', found {curve!r}")
        point, rest = read_string(rest, "ECDSA public point")
        # The uncompressed form only, as OpenSSH writes it: one key, one blob.
        if len(point) != 65 or point[0] != 4:
            raise InputError("the ECDSA public point is not an uncompressed nistp256 point")
        try:
            crypto = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        except ValueError as exc:
            raise InputError(f"malformed {key_type} public key: {exc}") from exc
    application, rest = read_text(rest, "security-key application")
    expect_end(rest, f"the {key_type} public key")
    return PublicKey(key_type, blob, comment, crypto=crypto, sk_application=application)


def _blob_of(key: CryptoPublicKey) -> bytes:
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return base64.b64decode(line.split()[1])


def parse_public_key(line: str) -> PublicKey:
    """Read a ``.pub`` line: ``TYPE BASE64 [COMMENT]``.

    >>> parse_public_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==")
    Traceback (most recent call last):
    ...
    provenance.errors.InputError: truncated Ed25519 public key: its length says 32 bytes, 0 remain
    """
    parts = line.strip().split(None, 2)
    if len(parts) < 2:
        raise InputError("expected a public key: TYPE BASE64 [COMMENT]")
    key_type, encoded = parts[0], parts[1]
    comment = parts[2] if len(parts) == 3 else ""
    try:
        blob = base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        # binascii.Error for bad base64; a plain ValueError for a non-ASCII character.
        raise InputError(f"the {key_type} public key is not valid base64") from exc
    key = public_key_from_blob(blob, comment)
    if key.key_type != key_type:
        raise InputError(f"the line says {key_type!r} but the key inside is {key.key_type!r}")
    return key


def load_public_key(path: str | os.PathLike[str]) -> PublicKey:
    """Read a ``.pub`` file: one public key line; blank lines and ``#`` comments are allowed."""
    return _public_key_text(read_small_file(path, "public key", MAX_KEY_FILE_SIZE), path)


#: How an OpenSSH private key file starts; a public key file never does.
PRIVATE_KEY_BEGIN = b"-----BEGIN OPENSSH PRIVATE KEY-----"


def load_key(
    path: str | os.PathLike[str], passphrase: PassphraseCallback | None = None
) -> SigningKey | PublicKey:
    """Read a key file that may hold either half: a private key (to sign with) or a public one
    (whose private half an ssh-agent holds), told apart by the private key's BEGIN line.

    >>> isinstance(load_key("id_ed25519.pub"), PublicKey)  # doctest: +SKIP
    True
    """
    data = read_small_file(path, "key", MAX_KEY_FILE_SIZE)
    if data.lstrip().startswith(PRIVATE_KEY_BEGIN):
        return parse_private_key(data, passphrase, source=str(path))
    return _public_key_text(data, path)


def _public_key_text(data: bytes, path: str | os.PathLike[str]) -> PublicKey:
    text = data.decode("utf-8", errors="replace")
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    if len(lines) != 1:
        raise InputError(f"{path}: expected one public key line, found {len(lines)}")
    try:
        return parse_public_key(lines[0])
    except InputError as exc:
        raise InputError(f"{path}: {exc.message}", hint=exc.hint) from exc


def parse_private_key(
    data: bytes, passphrase: PassphraseCallback | None = None, *, source: str = "the key"
) -> SigningKey:
    """Read an OpenSSH private key (``-----BEGIN OPENSSH PRIVATE KEY-----``) for signing.

    ``passphrase`` is called only when the key is encrypted. Raises
    :class:`~provenance.errors.InputError` for a missing or wrong passphrase, a file that is
    not such a key, and a key that is not Ed25519.
    """
    try:
        try:
            key = serialization.load_ssh_private_key(data, None)
        except TypeError:
            # cryptography says "password-protected, but password was not provided".
            if passphrase is None:
                raise InputError(
                    f"{source} is protected by a passphrase and none was given"
                ) from None
            secret = _checked_passphrase(passphrase())
            try:
                key = serialization.load_ssh_private_key(data, secret)
            except ValueError:
                raise InputError(f"wrong passphrase for {source}") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError(
            f"{source} is not an OpenSSH private key ({exc})",
            hint="expected a file that starts with -----BEGIN OPENSSH PRIVATE KEY-----",
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        kind = type(key).__name__.removeprefix("_").replace("PrivateKey", "")
        raise InputError(
            f"{source} is a {kind} key; provenance signs with Ed25519 keys only",
            hint="make one with `provenance keygen` or `ssh-keygen -t ed25519`",
        )
    return SigningKey(public_key_from_blob(_blob_of(key.public_key())), key)


def load_private_key(
    path: str | os.PathLike[str], passphrase: PassphraseCallback | None = None
) -> SigningKey:
    """Read an OpenSSH Ed25519 private key file, such as ``~/.ssh/id_ed25519``.

    >>> key = load_private_key("id_ed25519", lambda: b"secret")  # doctest: +SKIP
    >>> key.public.fingerprint  # doctest: +SKIP
    'SHA256:...'
    """
    return parse_private_key(
        read_small_file(path, "private key", MAX_KEY_FILE_SIZE), passphrase, source=str(path)
    )


def exposed_key_mode(path: str | os.PathLike[str]) -> int | None:
    """A private key file's permission bits when group or others have any, else ``None``.

    The test of OpenSSH's ``sshkey_perm_ok`` (``mode & 077``): a key others may read can sign
    in its owner's name, one others may write can be swapped for theirs. ``None`` too when
    the file cannot be examined; reading it reports that.

    >>> exposed_key_mode("id_ed25519")  # doctest: +SKIP
    420
    """
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None
    return mode if mode & 0o077 else None


def _checked_passphrase(passphrase: bytes | str) -> bytes:
    """The passphrase as bytes; :class:`~provenance.errors.InputError` when it is too long."""
    secret = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
    if len(secret) > MAX_PASSPHRASE_BYTES:
        raise InputError(
            f"the passphrase is {len(secret)} bytes long; at most {MAX_PASSPHRASE_BYTES} are allowed"
        )
    return secret


def generate_key(
    path: str | os.PathLike[str], *, comment: str = "", passphrase: bytes | str | None = None
) -> SigningKey:
    """Make an Ed25519 key pair: ``path`` (mode 0600) and ``path.pub``, both in OpenSSH format.

    An empty or missing passphrase leaves the private key unencrypted (like ``ssh-keygen -N ''``).
    Refuses (:class:`~provenance.errors.Refused`, exit 1) when either file exists.

    >>> generate_key("id_ed25519", comment="alice@example.com")  # doctest: +SKIP
    """
    if "\n" in comment or "\r" in comment:
        raise InputError("a key comment must be one line")
    target = Path(path)
    public_path = Path(f"{target}.pub")
    for existing in (target, public_path):
        if os.path.lexists(existing):
            raise Refused(f"{existing} already exists; refusing to overwrite it")
    secret = _checked_passphrase(passphrase) if passphrase is not None else None
    private = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(secret) if secret else serialization.NoEncryption()
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption
    )
    public = public_key_from_blob(_blob_of(private.public_key()), comment)
    atomic_write(target, pem, mode=0o600, overwrite=False)
    try:
        atomic_write(public_path, (public.to_openssh() + "\n").encode("utf-8"), overwrite=False)
    except BaseException:
        # Do not leave half a key pair behind.
        target.unlink(missing_ok=True)
        raise
    return SigningKey(public, private)


__all__ = [
    "ECDSA_HASHES",
    "ED25519",
    "ED25519_ORDER",
    "MAX_KEY_FILE_SIZE",
    "MAX_PASSPHRASE_BYTES",
    "PRIVATE_KEY_BEGIN",
    "RSA",
    "SK_ECDSA",
    "SK_ED25519",
    "SK_USER_PRESENT",
    "SMALL_ORDER_Y",
    "SUPPORTED_KEY_TYPES",
    "PassphraseCallback",
    "PublicKey",
    "Signer",
    "SigningKey",
    "SkDetails",
    "exposed_key_mode",
    "fingerprint",
    "generate_key",
    "is_small_order_ed25519",
    "load_key",
    "load_private_key",
    "load_public_key",
    "parse_private_key",
    "parse_public_key",
    "public_key_from_blob",
]
