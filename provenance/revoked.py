"""Revoked keys: the file of ``ssh-keygen -Y verify -r FILE``, a key list or an OpenSSH KRL.

A signature by a revoked key is ``revoked``, a failure, whatever the trust source says about
the key: :class:`RevocationCheck` wraps a trust policy and answers first. The file is one of:

* a **list of public keys**, one ``TYPE BASE64 [COMMENT]`` a line, with blank lines and
  ``#`` comments, as ssh-keygen reads it (``sshkey_in_file``);
* an **OpenSSH KRL** (PROTOCOL.krl), a binary file starting ``SSHKRL\\n\\0``, as
  ``ssh-keygen -k -f KRL KEY.pub...`` makes it. Plain keys are revoked by their blob
  (explicit-key sections) or by the SHA-1 or SHA-256 of it (fingerprint sections).

Read strictly, and fail closed: a revocation file that cannot be read whole is an error (exit
2), never a file that revokes nothing. Refused with a message naming the line or the section:
a malformed key line; a certificate (provenance checks no certificates, and a revoked one
would also revoke its key in ssh-keygen: list the key itself); a KRL of another format
version; unknown sections; critical extensions; KRL signatures (OpenSSH 9.4 and later refuse
them too); trailing bytes inside or after a section. A key of a type provenance supports must
be canonically encoded, so that byte comparison finds it: a non-canonical copy of a key in
the file would otherwise revoke nothing. Certificate sections (revocation by serial number
or key ID) are checked for form and otherwise ignored: no key provenance accepts is a
certificate.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from provenance.allowed_signers import TrustDecision, TrustPolicy
from provenance.errors import InputError
from provenance.fsio import read_small_file
from provenance.keys import SUPPORTED_KEY_TYPES, PublicKey, public_key_from_blob
from provenance.sshsig import expect_end, read_string, read_text, read_u32

#: The eight bytes a KRL starts with (``KRL_MAGIC`` 0x5353484b524c0a00).
KRL_MAGIC = b"SSHKRL\n\x00"
KRL_FORMAT_VERSION = 1
KRL_SECTION_CERTIFICATES = 1
KRL_SECTION_EXPLICIT_KEY = 2
KRL_SECTION_FINGERPRINT_SHA1 = 3
KRL_SECTION_SIGNATURE = 4
KRL_SECTION_FINGERPRINT_SHA256 = 5
KRL_SECTION_EXTENSION = 255
#: Subsections of a certificates section, with the fixed size of their entries (0: varies).
_CERT_SERIAL_LIST = 0x20
_CERT_SERIAL_RANGE = 0x21
_CERT_SERIAL_BITMAP = 0x22
_CERT_KEY_ID = 0x23
_CERT_EXTENSION = 0x39
#: A larger revocation file is refused unread (a KRL of a million SHA-256 entries is 36 MiB).
MAX_FILE_SIZE = 64 << 20
#: Certificate types: refused in a key list, as they revoke no key provenance accepts as such.
_CERTIFICATE = re.compile(r"-cert-v0[01]@openssh\.com$")


@dataclass(frozen=True, slots=True)
class RevokedKeys:
    """The keys a revocation file revokes, as blobs and fingerprints."""

    source: str
    #: Wire encodings (blobs) of revoked plain keys.
    blobs: frozenset[bytes] = frozenset()
    #: SHA-1 and SHA-256 digests of the blobs of revoked keys (KRL fingerprint sections).
    sha1: frozenset[bytes] = frozenset()
    sha256: frozenset[bytes] = frozenset()

    def reason(self, key: PublicKey) -> str | None:
        """Why ``key`` is revoked (naming the file), or ``None`` when it is not."""
        if key.blob in self.blobs:
            how = "listed"
        elif hashlib.sha256(key.blob).digest() in self.sha256:
            how = "listed by its SHA-256 fingerprint"
        elif hashlib.sha1(key.blob, usedforsecurity=False).digest() in self.sha1:
            how = "listed by its SHA-1 fingerprint"
        else:
            return None
        return f"key {key.fingerprint} is {how} in the revoked keys {self.source}"


@dataclass(frozen=True, slots=True)
class RevocationCheck:
    """A :class:`~provenance.allowed_signers.TrustPolicy` that refuses revoked keys first.

    As ``ssh-keygen -Y verify -r``: a revoked key is refused whatever ``policy`` says.
    """

    policy: TrustPolicy
    revoked: RevokedKeys

    def decide(
        self, key: PublicKey, namespace: str, when: int, principal: str | None = None
    ) -> TrustDecision:
        """``revoked`` when the file lists ``key``; otherwise what ``policy`` decides."""
        why = self.revoked.reason(key)
        if why is not None:
            return TrustDecision(trusted=False, principals=(), reason=why, revoked=True)
        return self.policy.decide(key, namespace, when, principal)


def load_revoked(path: str | os.PathLike[str]) -> RevokedKeys:
    """Read a revocation file: a KRL when it starts with the KRL magic, else a key list.

    >>> load_revoked("revoked_keys").reason(key)  # doctest: +SKIP
    'key SHA256:... is listed in the revoked keys revoked_keys'
    """
    data = read_small_file(path, "revoked keys file", MAX_FILE_SIZE)
    return parse_revoked(data, str(path))


def parse_revoked(data: bytes, source: str = "revoked_keys") -> RevokedKeys:
    """Parse the content of a revocation file; ``source`` names it in messages."""
    if data.startswith(KRL_MAGIC):
        try:
            return parse_krl(data, source)
        except InputError as exc:
            raise InputError(f"{source}: malformed KRL: {exc.message}") from exc
    return parse_key_list(data, source)


# -- a list of keys --------------------------------------------------------------------------


def parse_key_list(data: bytes, source: str = "revoked_keys") -> RevokedKeys:
    """One public key a line; blank lines and ``#`` comments are skipped.

    >>> parse_key_list(b"# none yet\\n").blobs
    frozenset()
    """
    blobs: set[bytes] = set()
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8").strip(" \t\r")
        except UnicodeDecodeError:
            raise InputError(f"{source}:{number}: not UTF-8 text") from None
        if not line or line.startswith("#"):
            continue
        try:
            blobs.add(_key_line(line))
        except InputError as exc:
            raise InputError(f"{source}:{number}: {exc.message}", hint=exc.hint) from exc
    return RevokedKeys(source=source, blobs=frozenset(blobs))


def _key_line(line: str) -> bytes:
    """The blob of a ``TYPE BASE64 [COMMENT]`` line."""
    parts = line.split(None, 2)
    if len(parts) < 2:
        raise InputError("expected a public key: TYPE BASE64 [COMMENT]")
    key_type, encoded = parts[0], parts[1]
    if _CERTIFICATE.search(key_type):
        raise InputError(
            f"a certificate ({key_type}) cannot be revoked here",
            hint="list the certificate's own public key instead",
        )
    try:
        blob = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise InputError(f"the {key_type} public key is not valid base64") from None
    if base64.b64encode(blob).decode("ascii") != encoded:
        raise InputError(f"the {key_type} public key is not canonical base64")
    inner = _blob_key_type(blob)
    if inner != key_type:
        raise InputError(f"the line says {key_type!r} but the key inside is {inner!r}")
    return blob


def _blob_key_type(blob: bytes) -> str:
    """The type of a key blob; a type provenance verifies must be a valid, canonical key."""
    key_type, _ = read_text(blob, "key type")
    if key_type in SUPPORTED_KEY_TYPES:
        public_key_from_blob(blob)
    elif _CERTIFICATE.search(key_type):
        raise InputError(f"a certificate ({key_type}) cannot be revoked here")
    return key_type


# -- an OpenSSH KRL --------------------------------------------------------------------------


def parse_krl(data: bytes, source: str = "revoked.krl") -> RevokedKeys:
    """Read a KRL (PROTOCOL.krl) strictly: header, then ``byte type, string data`` sections."""
    if not data.startswith(KRL_MAGIC):
        raise InputError(f"not a KRL: expected magic {KRL_MAGIC!r}")
    rest = data[len(KRL_MAGIC) :]
    version, rest = read_u32(rest, "format version")
    if version != KRL_FORMAT_VERSION:
        raise InputError(f"unsupported format version {version}: expected {KRL_FORMAT_VERSION}")
    for what in ("KRL version", "generation date", "flags"):
        _, rest = _read_u64(rest, what)
    # The reserved field's contents "are currently ignored" (PROTOCOL.krl), by OpenSSH too.
    _, rest = read_string(rest, "reserved field")
    _, rest = read_text(rest, "comment")
    blobs: set[bytes] = set()
    sha1: set[bytes] = set()
    sha256: set[bytes] = set()
    index = 0
    while rest:
        index += 1
        kind, rest = rest[0], rest[1:]
        if kind == KRL_SECTION_SIGNATURE:
            raise InputError(
                f"section {index} is a KRL signature: not supported (OpenSSH 9.4 and later"
                " refuse them too)",
                hint="sign the KRL with ssh-keygen -Y sign instead",
            )
        body, rest = read_string(rest, f"section {index}")
        where = f"section {index} (type {kind})"
        if kind == KRL_SECTION_CERTIFICATES:
            _certificates(body, where)
        elif kind == KRL_SECTION_EXPLICIT_KEY:
            blobs.update(_strings(body, where, 0, check=_blob_key_type))
        elif kind == KRL_SECTION_FINGERPRINT_SHA1:
            sha1.update(_strings(body, where, 20))
        elif kind == KRL_SECTION_FINGERPRINT_SHA256:
            sha256.update(_strings(body, where, 32))
        elif kind == KRL_SECTION_EXTENSION:
            _extension(body, where)
        else:
            raise InputError(f"{where}: unknown section type")
    return RevokedKeys(
        source=source, blobs=frozenset(blobs), sha1=frozenset(sha1), sha256=frozenset(sha256)
    )


def _read_u64(buf: bytes, what: str) -> tuple[int, bytes]:
    if len(buf) < 8:
        raise InputError(f"truncated {what}: expected 8 bytes, found {len(buf)}")
    return int.from_bytes(buf[:8], "big"), buf[8:]


def _strings(
    body: bytes, where: str, size: int, *, check: Callable[[bytes], object] | None = None
) -> list[bytes]:
    """The strings a key or fingerprint section holds: at least one, each ``size`` bytes."""
    found = []
    while body:
        value, body = read_string(body, f"entry of {where}")
        if size and len(value) != size:
            raise InputError(f"{where}: an entry has {len(value)} bytes, expected {size}")
        if check is not None:
            try:
                check(value)
            except InputError as exc:
                raise InputError(f"{where}: {exc.message}") from exc
        found.append(value)
    if not found:
        raise InputError(f"{where} is empty")
    return found


def _extension(body: bytes, where: str) -> None:
    """``string name, boolean critical, string contents``: a critical one is refused."""
    name, body = read_text(body, f"extension name in {where}")
    if not body:
        raise InputError(f"truncated extension {name!r} in {where}")
    critical, body = body[0], body[1:]
    _, body = read_string(body, f"extension contents in {where}")
    expect_end(body, where)
    if critical:
        raise InputError(f"{where}: unsupported critical extension {name!r}")


def _certificates(body: bytes, where: str) -> None:
    """A certificates section, read for its form only: ``string ca_key, string reserved``,
    then subsections. Certificates revoke no plain key, so nothing is kept."""
    _, body = read_string(body, f"CA key of {where}")
    _, body = read_string(body, f"reserved field of {where}")
    while body:
        kind, body = body[0], body[1:]
        sub, body = read_string(body, f"subsection of {where}")
        inner = f"{where}, subsection type 0x{kind:02x}"
        if kind == _CERT_SERIAL_LIST:
            if not sub or len(sub) % 8:
                raise InputError(f"{inner}: not a list of 8-byte serial numbers")
        elif kind == _CERT_SERIAL_RANGE:
            if len(sub) != 16:
                raise InputError(f"{inner}: a serial range has 16 bytes, found {len(sub)}")
        elif kind == _CERT_SERIAL_BITMAP:
            _, sub = _read_u64(sub, f"serial offset in {inner}")
            bitmap, sub = read_string(sub, f"bitmap in {inner}")
            if bitmap and bitmap[0] & 0x80:
                raise InputError(f"{inner}: the bitmap is a negative mpint")
            expect_end(sub, inner)
        elif kind == _CERT_KEY_ID:
            if not sub:
                raise InputError(f"{inner} is empty")
            while sub:
                _, sub = read_text(sub, f"key ID in {inner}")
        elif kind == _CERT_EXTENSION:
            _extension(sub, inner)
        else:
            raise InputError(f"{inner}: unknown certificate subsection type")


__all__ = [
    "KRL_MAGIC",
    "MAX_FILE_SIZE",
    "RevocationCheck",
    "RevokedKeys",
    "load_revoked",
    "parse_key_list",
    "parse_krl",
    "parse_revoked",
]
