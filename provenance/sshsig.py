"""The SSHSIG wire format of OpenSSH (PROTOCOL.sshsig): encode, decode, armor, dearmor.

This module knows bytes only. It holds no keys and does no cryptography: :mod:`provenance.keys`
reads the public key and the signature inside a blob, and :mod:`provenance.sign` puts the two
together. Everything here is a pure function of its arguments.

A detached signature file (``FILE.sig``) is the *armored* form::

    -----BEGIN SSH SIGNATURE-----
    <base64 of the blob, wrapped at 70 columns>
    -----END SSH SIGNATURE-----

The blob is (all integers big-endian, every ``string`` a uint32 length and that many bytes)::

    byte[6]  "SSHSIG"          MAGIC
    uint32   1                 VERSION
    string   public key        SSH wire encoding of the signer's public key
    string   namespace         e.g. "file"; never empty
    string   reserved          always empty (we refuse anything else)
    string   hash algorithm    "sha256" or "sha512"
    string   signature         SSH wire encoding of the signature

and what the key signs is :func:`signed_data`: MAGIC, namespace, reserved, hash algorithm and
``string H(message)``. The armor body is base64 of the raw blob (not of an SSH string), as
ssh-keygen 9.2 writes it, although the protocol text suggests otherwise.

Decoding is stricter than ssh-keygen where its laxness is unsafe or ambiguous: a version other
than 1, a non-empty reserved field, trailing bytes inside the blob, and anything after the END
line (a second signature, stray text) are all refused. Every refusal is an
:class:`~provenance.errors.InputError` whose message says what was expected and what was found.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from provenance.errors import InputError

#: The six bytes every SSHSIG blob and every signed-data structure starts with.
MAGIC = b"SSHSIG"
#: The only SSHSIG version there is.
VERSION = 1
BEGIN_LINE = "-----BEGIN SSH SIGNATURE-----"
END_LINE = "-----END SSH SIGNATURE-----"
#: ssh-keygen wraps the base64 body at 70 columns; readers accept any wrapping.
WRAP_COLUMNS = 70
#: Hash algorithms PROTOCOL.sshsig allows for H(message), with their digest sizes.
HASH_ALGORITHMS = {"sha256": 32, "sha512": 64}
#: What ssh-keygen uses, and so what we sign with unless told otherwise.
DEFAULT_HASH_ALGORITHM = "sha512"
#: The namespace ``ssh-keygen -Y sign -n file`` uses for files, and our default.
DEFAULT_NAMESPACE = "file"
#: No honest armored signature comes close to this (a 16384-bit RSA one is under 6 KiB); a
#: larger "signature" file is refused before it is decoded.
MAX_ARMORED_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class SshSignature:
    """A decoded SSHSIG blob. The reserved field is not kept: it is always empty."""

    #: SSH wire encoding of the signer's public key (``string type, ...``).
    public_key: bytes
    namespace: str
    hash_algorithm: str
    #: SSH wire encoding of the signature itself (``string algorithm, string bytes``).
    signature: bytes


# -- wire readers: each takes a buffer, returns (value, rest) and checks the length it needs ----


def read_u32(buf: bytes, what: str) -> tuple[int, bytes]:
    """Read a big-endian uint32 from the front of ``buf``.

    >>> read_u32(b"\\x00\\x00\\x00\\x01rest", "version")
    (1, b'rest')
    """
    if len(buf) < 4:
        raise InputError(f"truncated {what}: expected 4 bytes, found {len(buf)}")
    return int.from_bytes(buf[:4], "big"), buf[4:]


def read_string(buf: bytes, what: str) -> tuple[bytes, bytes]:
    """Read an SSH ``string`` (uint32 length, then that many bytes) from the front of ``buf``.

    >>> read_string(b"\\x00\\x00\\x00\\x02hi!", "greeting")
    (b'hi', b'!')
    """
    length, rest = read_u32(buf, f"length of {what}")
    if length > len(rest):
        raise InputError(f"truncated {what}: its length says {length} bytes, {len(rest)} remain")
    return rest[:length], rest[length:]


def read_text(buf: bytes, what: str) -> tuple[str, bytes]:
    """Read an SSH ``string`` that must be UTF-8 text without NUL (OpenSSH's "cstring")."""
    raw, rest = read_string(buf, what)
    if b"\x00" in raw:
        raise InputError(f"{what} contains a NUL byte")
    try:
        return raw.decode("utf-8"), rest
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not UTF-8 text") from exc


def read_mpint(buf: bytes, what: str) -> tuple[int, bytes]:
    """Read a non-negative SSH ``mpint`` in its one canonical encoding (RFC 4251, section 5)."""
    raw, rest = read_string(buf, what)
    if raw and raw[0] & 0x80:
        raise InputError(f"{what} is negative")
    if len(raw) > 1 and raw[0] == 0 and not raw[1] & 0x80:
        raise InputError(f"{what} has a superfluous leading zero byte")
    if raw == b"\x00":
        raise InputError(f"{what} encodes zero with a superfluous byte")
    return int.from_bytes(raw, "big"), rest


def expect_end(rest: bytes, what: str) -> None:
    """Refuse bytes left over after the last field of ``what``."""
    if rest:
        raise InputError(f"{len(rest)} unparsed byte(s) after the end of {what}")


# -- writers ---------------------------------------------------------------------------------------


def put_u32(value: int) -> bytes:
    """Encode a uint32."""
    return value.to_bytes(4, "big")


def put_string(value: bytes) -> bytes:
    """Encode an SSH ``string``."""
    return put_u32(len(value)) + value


def put_text(value: str) -> bytes:
    """Encode text as an SSH ``string`` of UTF-8."""
    return put_string(value.encode("utf-8"))


def put_mpint(value: int) -> bytes:
    """Encode a non-negative integer as an SSH ``mpint``."""
    if value < 0:
        raise ValueError("negative mpint")
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big") if value else b""
    return put_string(raw)


# -- SSHSIG ----------------------------------------------------------------------------------------


def check_namespace(namespace: str) -> None:
    """Refuse a namespace PROTOCOL.sshsig does not allow (empty) or OpenSSH cannot carry (NUL)."""
    if not namespace:
        raise InputError("the signature namespace must not be empty")
    if "\x00" in namespace:
        raise InputError("the signature namespace must not contain a NUL character")


def check_hash_algorithm(name: str) -> None:
    """Refuse a hash algorithm other than sha256 and sha512."""
    if name not in HASH_ALGORITHMS:
        allowed = ", ".join(HASH_ALGORITHMS)
        raise InputError(f"unknown hash algorithm {name!r}: expected one of {allowed}")


def signed_data(namespace: str, hash_algorithm: str, message_digest: bytes) -> bytes:
    """The bytes the signer's key signs: MAGIC, namespace, reserved, hash algorithm, H(message).

    >>> signed_data("file", "sha256", bytes(32))[:6]
    b'SSHSIG'
    """
    check_namespace(namespace)
    check_hash_algorithm(hash_algorithm)
    if len(message_digest) != HASH_ALGORITHMS[hash_algorithm]:
        raise ValueError(f"a {hash_algorithm} digest has {HASH_ALGORITHMS[hash_algorithm]} bytes")
    return b"".join(
        (
            MAGIC,
            put_text(namespace),
            put_string(b""),
            put_text(hash_algorithm),
            put_string(message_digest),
        )
    )


def encode_blob(signature: SshSignature) -> bytes:
    """The SSHSIG blob of ``signature`` (the one builder of this module)."""
    check_namespace(signature.namespace)
    check_hash_algorithm(signature.hash_algorithm)
    return b"".join(
        (
            MAGIC,
            put_u32(VERSION),
            put_string(signature.public_key),
            put_text(signature.namespace),
            put_string(b""),
            put_text(signature.hash_algorithm),
            put_string(signature.signature),
        )
    )


def decode_blob(blob: bytes) -> SshSignature:
    """Decode an SSHSIG blob, refusing anything but exactly one well-formed version-1 blob.

    Raises :class:`~provenance.errors.InputError` saying which field is wrong.
    """
    magic, rest = blob[: len(MAGIC)], blob[len(MAGIC) :]
    if magic != MAGIC:
        raise InputError(f"not an SSHSIG blob: expected magic {MAGIC!r}, found {magic!r}")
    version, rest = read_u32(rest, "version")
    if version != VERSION:
        raise InputError(f"unsupported SSHSIG version {version}: expected {VERSION}")
    public_key, rest = read_string(rest, "public key")
    if not public_key:
        raise InputError("the public key field is empty")
    namespace, rest = read_text(rest, "namespace")
    check_namespace(namespace)
    reserved, rest = read_string(rest, "reserved field")
    if reserved:
        # OpenSSH ignores this field (it signs an empty one whatever the blob says), so its
        # content is not covered by the signature: refuse it rather than carry unsigned data.
        raise InputError(
            f"the reserved field is not empty: expected 0 bytes, found {len(reserved)}"
        )
    hash_algorithm, rest = read_text(rest, "hash algorithm")
    check_hash_algorithm(hash_algorithm)
    signature, rest = read_string(rest, "signature")
    if not signature:
        raise InputError("the signature field is empty")
    expect_end(rest, "the SSHSIG blob")
    return SshSignature(public_key, namespace, hash_algorithm, signature)


def armor(blob: bytes) -> str:
    """The armored text of ``blob`` exactly as ``ssh-keygen -Y sign`` writes it.

    >>> print(armor(b"SSHSIG"), end="")
    -----BEGIN SSH SIGNATURE-----
    U1NIU0lH
    -----END SSH SIGNATURE-----
    """
    body = base64.b64encode(blob).decode("ascii")
    lines = [body[i : i + WRAP_COLUMNS] for i in range(0, len(body), WRAP_COLUMNS)]
    return "\n".join([BEGIN_LINE, *lines, END_LINE]) + "\n"


def dearmor(text: bytes | str) -> bytes:
    """The blob inside an armored signature.

    Accepted: any wrapping of the base64 body (one line included), LF or CRLF line endings, with
    or without a final line ending. Refused: anything before the BEGIN line or after the END
    line (a second signature included), blank or non-base64 lines, non-canonical base64.
    """
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > MAX_ARMORED_SIZE:
        raise InputError(f"the signature is {len(raw)} bytes, more than {MAX_ARMORED_SIZE}")
    try:
        decoded = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise InputError("the signature is not ASCII text") from exc
    lines = decoded.split("\n")
    if lines[-1] == "":
        lines.pop()  # The final line ending.
    lines = [line.removesuffix("\r") for line in lines]
    if not lines or lines[0] != BEGIN_LINE:
        raise InputError(f"the signature does not start with {BEGIN_LINE!r}")
    try:
        end = lines.index(END_LINE)
    except ValueError:
        raise InputError(f"the signature has no {END_LINE!r} line (truncated?)") from None
    if end != len(lines) - 1:
        what = "a second signature" if BEGIN_LINE in lines[end:] else "text"
        raise InputError(f"{what} after the {END_LINE!r} line (line {end + 2})")
    body_lines = lines[1:end]
    if not body_lines:
        raise InputError("the signature has no body between its BEGIN and END lines")
    for number, line in enumerate(body_lines, start=2):
        if not line or line.strip() != line:
            raise InputError(f"line {number} of the signature is blank or has spaces")
    body = "".join(body_lines)
    try:
        blob = base64.b64decode(body, validate=True)
    except binascii.Error as exc:
        raise InputError(f"the signature body is not valid base64: {exc}") from exc
    if base64.b64encode(blob).decode("ascii") != body:
        raise InputError("the signature body is not canonical base64")
    return blob


def parse(text: bytes | str) -> SshSignature:
    """Dearmor and decode an armored signature (the content of a ``.sig`` file)."""
    return decode_blob(dearmor(text))


def dump(signature: SshSignature) -> str:
    """Encode and armor ``signature``: the content of a ``.sig`` file."""
    return armor(encode_blob(signature))


__all__ = [
    "BEGIN_LINE",
    "DEFAULT_HASH_ALGORITHM",
    "DEFAULT_NAMESPACE",
    "END_LINE",
    "HASH_ALGORITHMS",
    "MAGIC",
    "MAX_ARMORED_SIZE",
    "VERSION",
    "WRAP_COLUMNS",
    "SshSignature",
    "armor",
    "check_hash_algorithm",
    "check_namespace",
    "dearmor",
    "decode_blob",
    "dump",
    "encode_blob",
    "expect_end",
    "parse",
    "put_mpint",
    "put_string",
    "put_text",
    "put_u32",
    "read_mpint",
    "read_string",
    "read_text",
    "read_u32",
    "signed_data",
]
