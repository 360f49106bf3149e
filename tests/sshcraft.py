"""Hand-built OpenSSH structures for tests: security-key signatures and KRLs.

Written from PROTOCOL.u2f and PROTOCOL.krl, not with provenance's readers, so that the tests
check those readers against the specifications. A FIDO token is not needed to make a
security-key signature: the token signs SHA256(application) || flags || counter ||
SHA256(data) with an ordinary Ed25519 or ECDSA P-256 key, which is what is done here.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

SK_ED25519 = b"sk-ssh-ed25519@openssh.com"
SK_ECDSA = b"sk-ecdsa-sha2-nistp256@openssh.com"
APPLICATION = b"ssh:"


def s(value: bytes) -> bytes:
    """An SSH string."""
    return struct.pack(">I", len(value)) + value


def mpint(value: int) -> bytes:
    return s(value.to_bytes((value.bit_length() + 8) // 8, "big") if value else b"")


SkPrivate = Ed25519PrivateKey | ec.EllipticCurvePrivateKey


def sk_public_blob(private: SkPrivate, application: bytes = APPLICATION) -> bytes:
    """The wire encoding of the security-key public key of ``private``."""
    if isinstance(private, Ed25519PrivateKey):
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return s(SK_ED25519) + s(raw) + s(application)
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return s(SK_ECDSA) + s(b"nistp256") + s(point) + s(application)


def sk_public_line(private: SkPrivate, application: bytes = APPLICATION) -> str:
    import base64

    blob = sk_public_blob(private, application)
    kind = SK_ED25519 if isinstance(private, Ed25519PrivateKey) else SK_ECDSA
    return f"{kind.decode()} {base64.b64encode(blob).decode()}"


def sk_signature(
    private: SkPrivate,
    data: bytes,
    *,
    flags: int = 0x01,
    counter: int = 7,
    application: bytes = APPLICATION,
) -> bytes:
    """An SSH-encoded security-key signature of ``data``, as a token and OpenSSH make it."""
    signed = (
        hashlib.sha256(application).digest()
        + bytes((flags,))
        + struct.pack(">I", counter)
        + hashlib.sha256(data).digest()
    )
    if isinstance(private, Ed25519PrivateKey):
        return (
            s(SK_ED25519) + s(private.sign(signed)) + bytes((flags,)) + struct.pack(">I", counter)
        )
    r, s_value = decode_dss_signature(private.sign(signed, ec.ECDSA(hashes.SHA256())))
    inner = mpint(r) + mpint(s_value)
    return s(SK_ECDSA) + s(inner) + bytes((flags,)) + struct.pack(">I", counter)


def sk_sshsig(
    private: SkPrivate,
    message: bytes,
    namespace: str = "file",
    *,
    flags: int = 0x01,
    counter: int = 7,
    application: bytes = APPLICATION,
) -> str:
    """An armored SSHSIG signature of ``message`` by a security key, hash sha512."""
    import base64

    ns = namespace.encode()
    digest = hashlib.sha512(message).digest()
    to_sign = b"SSHSIG" + s(ns) + s(b"") + s(b"sha512") + s(digest)
    signature = sk_signature(
        private, to_sign, flags=flags, counter=counter, application=application
    )
    blob = (
        b"SSHSIG"
        + struct.pack(">I", 1)
        + s(sk_public_blob(private, application))
        + s(ns)
        + s(b"")
        + s(b"sha512")
        + s(signature)
    )
    body = base64.b64encode(blob).decode()
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    return (
        "\n".join(["-----BEGIN SSH SIGNATURE-----", *lines, "-----END SSH SIGNATURE-----"]) + "\n"
    )


# -- KRLs (PROTOCOL.krl) --------------------------------------------------------------------------

KRL_MAGIC = b"SSHKRL\n\x00"


def krl(sections: Iterable[bytes], *, version: int = 1, comment: bytes = b"") -> bytes:
    """A KRL: the header, then the given sections (each already ``byte type, string data``)."""
    header = KRL_MAGIC + struct.pack(">IQQQ", version, 1, 1_700_000_000, 0) + s(b"") + s(comment)
    return header + b"".join(sections)


def section(kind: int, *entries: bytes) -> bytes:
    """``byte type, string data`` where the data is the SSH strings ``entries``."""
    return bytes((kind,)) + s(b"".join(s(entry) for entry in entries))


def raw_section(kind: int, data: bytes) -> bytes:
    return bytes((kind,)) + s(data)
