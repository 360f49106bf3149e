"""OpenSSH keys: loading, making, fingerprints, weak keys and non-canonical signatures."""

from __future__ import annotations

import base64
import os
import stat
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from provenance import keys
from provenance.cli import exit_status
from provenance.errors import InputError, Refused, VerificationError
from tests.sshcraft import SK_ECDSA, SK_ED25519, SkPrivate, s, sk_public_blob, sk_signature

VECTORS = Path(__file__).resolve().parents[2] / "fixtures" / "sshsig"
PUBLIC_KEYS = sorted(VECTORS.glob("*.pub"))
PASSPHRASE = (VECTORS / "passphrase.txt").read_text().rstrip("\n")


def _s(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def _ed25519_blob(raw: bytes) -> bytes:
    return _s(b"ssh-ed25519") + _s(raw)


# -- Edwards arithmetic, independent of provenance.keys, to find the small-order points ---------

P = 2**255 - 19
D = -121665 * pow(121666, -1, P) % P
Point = tuple[int, int]


def _add(a: Point, b: Point) -> Point:
    (x1, y1), (x2, y2) = a, b
    t = D * x1 * x2 * y1 * y2
    return (
        (x1 * y2 + x2 * y1) * pow(1 + t, -1, P) % P,
        (y1 * y2 + x1 * x2) * pow(1 - t, -1, P) % P,
    )


def _mul(n: int, point: Point) -> Point:
    result: Point = (0, 1)
    while n:
        if n & 1:
            result = _add(result, point)
        point = _add(point, point)
        n >>= 1
    return result


def _x_for(y: int) -> int | None:
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x2 = u * pow(v, -1, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * pow(2, (P - 1) // 4, P) % P
    return x if (x * x - x2) % P == 0 else None


def _torsion_points() -> list[Point]:
    """The eight points of order dividing 8: multiples of an order-8 point found by search."""
    for y in range(2, 1000):
        x = _x_for(y)
        if x is None:
            continue
        t = _mul(keys.ED25519_ORDER, (x, y))  # Kill the prime-order part.
        if _mul(4, t) != (0, 1):  # Order exactly 8.
            return [_mul(k, t) for k in range(8)]
    raise AssertionError("no order-8 point found")


def _encodings(point: Point) -> list[bytes]:
    """Every 32-byte encoding that decodes to ``point`` under a lax decoder."""
    x, y = point
    found = []
    for y_value in (y, y + P):
        if y_value >= 2**255:
            continue
        for sign in (0, 1):
            if sign == (x & 1) or x == 0:
                found.append((y_value | sign << 255).to_bytes(32, "little"))
    return found


TORSION = _torsion_points()
WEAK_ENCODINGS = [encoding for point in TORSION for encoding in _encodings(point)]


def test_there_are_eight_small_order_points() -> None:
    assert len(set(TORSION)) == 8
    assert all(_mul(8, point) == (0, 1) for point in TORSION)
    assert len(WEAK_ENCODINGS) == 14  # 8 canonical ones and 6 non-canonical.


@pytest.mark.parametrize("raw", WEAK_ENCODINGS, ids=lambda raw: raw.hex()[:8] + raw.hex()[-2:])
def test_every_encoding_of_a_small_order_point_is_a_weak_key(raw: bytes) -> None:
    assert keys.is_small_order_ed25519(raw)
    with pytest.raises(InputError, match="weak Ed25519 public key"):
        keys.public_key_from_blob(_ed25519_blob(raw))


def test_real_keys_are_not_weak() -> None:
    raw = keys.load_public_key(VECTORS / "ed25519.pub").blob[-32:]
    assert not keys.is_small_order_ed25519(raw)
    generator_y = 4 * pow(5, -1, P) % P
    assert not keys.is_small_order_ed25519(generator_y.to_bytes(32, "little"))


# -- public keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_KEYS, ids=lambda path: path.name)
def test_public_keys_of_every_type_load_and_print_back(path: Path) -> None:
    key = keys.load_public_key(path)
    assert key.to_openssh() + "\n" == path.read_text()
    assert key.key_type in keys.SUPPORTED_KEY_TYPES


def test_fingerprints_are_those_ssh_keygen_prints() -> None:
    printed = {}
    for line in (VECTORS / "fingerprints.txt").read_text().splitlines():
        _bits, fingerprint, comment, _kind = line.split()
        printed[comment] = fingerprint
    assert len(printed) == len(PUBLIC_KEYS)
    for path in PUBLIC_KEYS:
        key = keys.load_public_key(path)
        assert key.fingerprint == printed[key.comment]


def test_key_equality_ignores_the_comment() -> None:
    line = (VECTORS / "ed25519.pub").read_text()
    assert keys.parse_public_key(line) == keys.parse_public_key(line.rsplit(" ", 1)[0] + " other")


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (_s(b"ssh-dss") + _s(b"x"), "not supported"),
        # A security key is read now, and its small-order key refused like a plain one.
        (_s(b"sk-ssh-ed25519@openssh.com") + _s(bytes(32)) + _s(b"ssh:"), "weak Ed25519"),
        (_s(b"ssh-ed25519-cert-v01@openssh.com") + _s(b"x"), "not supported"),
        (_ed25519_blob(bytes(31)), "32 bytes, found 31"),
        (_ed25519_blob(b"\x05" * 32) + b"\x00", "unparsed"),
        (_s(b"ssh-ed25519"), "truncated"),
    ],
)
def test_malformed_or_unsupported_public_keys_are_refused(blob: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        keys.public_key_from_blob(blob)


def test_non_canonical_rsa_key_encoding_is_refused() -> None:
    key = keys.load_public_key(VECTORS / "rsa.pub")
    rest = key.blob[len(_s(b"ssh-rsa")) :]
    (e_length,) = struct.unpack(">I", rest[:4])
    e, n = rest[4 : 4 + e_length], rest[4 + e_length :]
    padded = _s(b"ssh-rsa") + _s(b"\x00" + e) + n  # A superfluous zero byte in e.
    assert keys.public_key_from_blob(_s(b"ssh-rsa") + _s(e) + n) == key
    with pytest.raises(InputError, match=r"not canonically encoded|malformed"):
        keys.public_key_from_blob(padded)


def test_short_rsa_keys_are_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    line = small.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    assert keys.parse_public_key(line.decode()).key_type == "ssh-rsa"  # 1024 bits is the floor.
    # An RSA key one byte short of that, built by hand.
    n = (1 << 1014) | 1  # 1015 bits; the top bit of its first byte is clear.
    blob = _s(b"ssh-rsa") + _s(b"\x01\x00\x01") + _s(n.to_bytes(127, "big"))
    with pytest.raises(InputError, match="at least 1024"):
        keys.public_key_from_blob(blob)


def test_public_key_line_must_name_the_type_inside() -> None:
    encoded = (VECTORS / "ed25519.pub").read_text().split()[1]
    with pytest.raises(InputError, match="says 'ssh-rsa' but the key inside is 'ssh-ed25519'"):
        keys.parse_public_key(f"ssh-rsa {encoded}")
    with pytest.raises(InputError, match="not valid base64"):
        keys.parse_public_key("ssh-ed25519 AAAA*")
    with pytest.raises(InputError, match="TYPE BASE64"):
        keys.parse_public_key("ssh-ed25519")


def test_public_key_file_must_hold_one_key(tmp_path: Path) -> None:
    path = tmp_path / "two.pub"
    line = (VECTORS / "ed25519.pub").read_text()
    path.write_text("# mine\n\n" + line)
    assert keys.load_public_key(path).comment == "alice@example.com"
    path.write_text(line + line)
    with pytest.raises(InputError, match="found 2"):
        keys.load_public_key(path)
    with pytest.raises(InputError, match="does not exist"):
        keys.load_public_key(tmp_path / "missing.pub")


# -- private keys ---------------------------------------------------------------------------------


def _never() -> bytes:
    raise AssertionError("the passphrase callback must not be called for an unencrypted key")


def test_unencrypted_private_key_loads_without_calling_back() -> None:
    key = keys.load_private_key(VECTORS / "ed25519", _never)
    assert key.public == keys.load_public_key(VECTORS / "ed25519.pub")


@pytest.mark.parametrize("secret", [PASSPHRASE, PASSPHRASE.encode()])
def test_encrypted_private_key_loads_with_its_passphrase(secret: str | bytes) -> None:
    calls = []

    def passphrase() -> str | bytes:
        calls.append(1)
        return secret

    key = keys.load_private_key(VECTORS / "ed25519-passphrase", passphrase)
    assert key.public == keys.load_public_key(VECTORS / "ed25519-passphrase.pub")
    assert calls == [1]


def test_encrypted_private_key_without_or_with_a_wrong_passphrase() -> None:
    with pytest.raises(InputError, match="protected by a passphrase and none was given"):
        keys.load_private_key(VECTORS / "ed25519-passphrase")
    with pytest.raises(InputError, match="wrong passphrase"):
        keys.load_private_key(VECTORS / "ed25519-passphrase", lambda: "wrong")


def test_passphrases_over_1023_bytes_are_refused_never_cut(tmp_path: Path) -> None:
    # cryptography's bcrypt-pbkdf raised a bare ValueError for these (a traceback); an
    # encrypted key now says what is wrong, a wrong-but-short one still says "wrong".
    long = "é" * 512  # 1,024 bytes in UTF-8.
    with pytest.raises(InputError, match="1024 bytes long; at most 1023 are allowed"):
        keys.generate_key(tmp_path / "id", passphrase=long)
    assert not (tmp_path / "id").exists()
    with pytest.raises(InputError, match="1024 bytes long; at most 1023 are allowed"):
        keys.load_private_key(VECTORS / "ed25519-passphrase", lambda: long)
    longest = b"x" * keys.MAX_PASSPHRASE_BYTES
    made = keys.generate_key(tmp_path / "id", passphrase=longest)
    assert keys.load_private_key(tmp_path / "id", lambda: longest).public == made.public


def test_exposed_key_mode(tmp_path: Path) -> None:
    path = tmp_path / "id"
    path.write_bytes(b"key")
    for mode, expected in [(0o600, None), (0o400, None), (0o640, 0o640), (0o602, 0o602)]:
        path.chmod(mode)
        assert keys.exposed_key_mode(path) == expected
    assert keys.exposed_key_mode(tmp_path / "missing") is None


@pytest.mark.parametrize("name", ["rsa", "ecdsa-p256"])
def test_signing_keys_other_than_ed25519_are_refused_clearly(name: str) -> None:
    with pytest.raises(InputError, match="Ed25519 keys only") as caught:
        keys.load_private_key(VECTORS / name)
    assert caught.value.hint is not None and "ed25519" in caught.value.hint


def test_a_file_that_is_not_a_private_key(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an OpenSSH private key"):
        keys.load_private_key(VECTORS / "ed25519.pub")
    with pytest.raises(InputError, match="does not exist"):
        keys.load_private_key(tmp_path / "nope")
    with pytest.raises(InputError, match="is a folder"):
        keys.load_private_key(tmp_path)


# -- signatures -----------------------------------------------------------------------------------


def _split(signature: bytes) -> tuple[bytes, bytes]:
    (n,) = struct.unpack(">I", signature[:4])
    return signature[4 : 4 + n], signature[8 + n :]


def test_ed25519_sign_and_verify() -> None:
    key = keys.load_private_key(VECTORS / "ed25519")
    signature = key.sign(b"data")
    assert _split(signature)[0] == b"ssh-ed25519" and len(_split(signature)[1]) == 64
    key.public.verify(signature, b"data")
    with pytest.raises(VerificationError):
        key.public.verify(signature, b"other data")


def test_non_canonical_ed25519_signature_is_refused() -> None:
    key = keys.load_private_key(VECTORS / "ed25519")
    raw = _split(key.sign(b"data"))[1]
    s = int.from_bytes(raw[32:], "little")
    forged = raw[:32] + (s + keys.ED25519_ORDER).to_bytes(32, "little")
    with pytest.raises(InputError, match="S is not below the order L"):
        key.public.verify(_s(b"ssh-ed25519") + _s(forged), b"data")
    flipped = raw[:32] + (s ^ 1).to_bytes(32, "little")
    with pytest.raises(VerificationError):
        key.public.verify(_s(b"ssh-ed25519") + _s(flipped), b"data")


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        (_s(b"rsa-sha2-512") + _s(bytes(64)), "does not fit a key of type 'ssh-ed25519'"),
        (_s(b"ssh-ed25519") + _s(bytes(63)), "64 bytes, found 63"),
        (_s(b"ssh-ed25519") + _s(bytes(64)) + b"x", "unparsed"),
        (_s(b"ssh-ed25519"), "truncated"),
    ],
)
def test_malformed_ed25519_signatures_are_refused(signature: bytes, message: str) -> None:
    key = keys.load_public_key(VECTORS / "ed25519.pub")
    with pytest.raises(InputError, match=message):
        key.verify(signature, b"data")


def test_rsa_sha1_signatures_are_refused() -> None:
    key = keys.load_public_key(VECTORS / "rsa.pub")
    with pytest.raises(InputError, match=r"SHA-1 RSA signatures \(ssh-rsa\)"):
        key.verify(_s(b"ssh-rsa") + _s(bytes(256)), b"data")
    with pytest.raises(InputError, match="more than 256"):
        key.verify(_s(b"rsa-sha2-256") + _s(bytes(257)), b"data")
    with pytest.raises(VerificationError):
        key.verify(_s(b"rsa-sha2-256") + _s(bytes(255)), b"data")


def test_ecdsa_signature_must_carry_two_canonical_mpints() -> None:
    key = keys.load_public_key(VECTORS / "ecdsa-p256.pub")
    with pytest.raises(InputError, match="does not fit"):
        key.verify(_s(b"ecdsa-sha2-nistp384") + _s(_s(b"\x01") + _s(b"\x01")), b"data")
    with pytest.raises(InputError, match="ECDSA s"):
        key.verify(_s(b"ecdsa-sha2-nistp256") + _s(_s(b"\x01")), b"data")
    with pytest.raises(VerificationError):
        key.verify(_s(b"ecdsa-sha2-nistp256") + _s(_s(b"\x01") + _s(b"\x01")), b"data")


# -- generate ---------------------------------------------------------------------------------------


def test_generate_key_writes_a_private_key_0600_and_a_public_key(tmp_path: Path) -> None:
    path = tmp_path / "id_ed25519"
    made = keys.generate_key(path, comment="alice@example.com")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    assert (tmp_path / "id_ed25519.pub").read_text() == made.public.to_openssh() + "\n"
    assert made.public.to_openssh().endswith(" alice@example.com")
    assert keys.load_private_key(path, _never).public == made.public


def test_generate_key_with_a_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "key"
    made = keys.generate_key(path, passphrase="s3cret")
    assert keys.load_private_key(path, lambda: b"s3cret").public == made.public
    with pytest.raises(InputError, match="passphrase"):
        keys.load_private_key(path)


@pytest.mark.parametrize("existing", ["key", "key.pub"])
def test_generate_key_refuses_to_overwrite(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_text("precious")
    with pytest.raises(Refused, match="already exists") as caught:
        keys.generate_key(tmp_path / "key")
    assert exit_status(caught.value) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]
    assert (tmp_path / existing).read_text() == "precious"


def test_generate_key_refuses_a_multi_line_comment(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="one line"):
        keys.generate_key(tmp_path / "key", comment="a\nb")
    assert not list(tmp_path.iterdir())


def test_fingerprint_is_unpadded_base64_of_sha256() -> None:
    blob = keys.load_public_key(VECTORS / "ed25519.pub").blob
    import hashlib

    expected = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    assert keys.fingerprint(blob) == "SHA256:" + expected
    assert "=" not in keys.fingerprint(blob)


# -- security keys (PROTOCOL.u2f), signed here with ordinary keys as a token would ----------------


def _sk_privates() -> list[SkPrivate]:
    return [Ed25519PrivateKey.generate(), ec.generate_private_key(ec.SECP256R1())]


@pytest.mark.parametrize("private", _sk_privates(), ids=["sk-ed25519", "sk-ecdsa"])
def test_security_key_signatures_verify_and_report_their_flags(private: SkPrivate) -> None:

    key = keys.public_key_from_blob(sk_public_blob(private))
    assert key.sk_application == "ssh:"
    details = key.verify(sk_signature(private, b"data", flags=0x05, counter=9), b"data")
    assert details == keys.SkDetails(flags=0x05, counter=9) and details.user_present
    untouched = key.verify(sk_signature(private, b"data", flags=0x04), b"data")
    assert untouched is not None and not untouched.user_present


@pytest.mark.parametrize("private", _sk_privates(), ids=["sk-ed25519", "sk-ecdsa"])
def test_security_key_signature_fields_are_all_covered(private: SkPrivate) -> None:

    key = keys.public_key_from_blob(sk_public_blob(private))
    good = sk_signature(private, b"data", flags=0x01, counter=7)
    # Another counter or flags byte than the token signed, or another message: no match.
    for forged in (good[:-4] + (8).to_bytes(4, "big"), good[:-5] + b"\x05" + good[-4:]):
        with pytest.raises(VerificationError):
            key.verify(forged, b"data")
    with pytest.raises(VerificationError):
        key.verify(good, b"other data")
    # The same token key under another application is another key: its signatures differ.
    other = keys.public_key_from_blob(sk_public_blob(private, b"ssh:other"))
    with pytest.raises(VerificationError):
        other.verify(good, b"data")
    with pytest.raises(InputError, match="flags and counter"):
        key.verify(good[:-3], b"data")
    with pytest.raises(InputError, match="unparsed"):
        key.verify(good + b"\x00", b"data")


def test_malformed_security_keys_are_refused() -> None:

    point = b"\x04" + bytes(64)
    for blob, message in [
        (s(SK_ED25519) + s(bytes(31)) + s(b"ssh:"), "32 bytes"),
        (s(SK_ED25519) + s(b"\x07" * 32), "truncated"),
        (s(SK_ED25519) + s(b"\x07" * 32) + s(b"ssh:") + b"!", "unparsed"),
        (s(SK_ECDSA) + s(b"nistp384") + s(point) + s(b"ssh:"), "curve 'nistp256'"),
        (s(SK_ECDSA) + s(b"nistp256") + s(b"\x02" + bytes(32)) + s(b"ssh:"), "uncompressed"),
        (s(SK_ECDSA) + s(b"nistp256") + s(point) + s(b"ssh:"), "malformed"),
    ]:
        with pytest.raises(InputError, match=message):
            keys.public_key_from_blob(blob)


def test_webauthn_signatures_are_refused_by_name() -> None:

    private = ec.generate_private_key(ec.SECP256R1())
    key = keys.public_key_from_blob(sk_public_blob(private))
    forged = s(b"webauthn-sk-ecdsa-sha2-nistp256@openssh.com") + s(b"") + b"\x01" + bytes(4)
    with pytest.raises(InputError, match="webauthn"):
        key.verify(forged, b"data")
