"""SSHSIG wire format: one test per field of the blob and of the signed data, and every refusal.

Blobs are built by hand here (``_blob``), not with ``encode_blob``, so the decoder is checked
against the layout of PROTOCOL.sshsig rather than against our own encoder.
"""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import pytest

from provenance import sshsig
from provenance.errors import InputError

VECTORS = Path(__file__).resolve().parents[2] / "fixtures" / "sshsig"
GOOD = sorted(VECTORS.glob("*.sig"))
KEY = base64.b64decode((VECTORS / "ed25519.pub").read_text().split()[1])


def _s(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def _blob(
    magic: bytes = b"SSHSIG",
    version: int = 1,
    key: bytes = KEY,
    namespace: bytes = b"file",
    reserved: bytes = b"",
    hash_alg: bytes = b"sha512",
    signature: bytes = _s(b"ssh-ed25519") + _s(bytes(64)),
) -> bytes:
    return (
        magic
        + struct.pack(">I", version)
        + b"".join(map(_s, (key, namespace, reserved, hash_alg, signature)))
    )


def _armor(blob: bytes, width: int = 70, newline: str = "\n") -> str:
    body = base64.b64encode(blob).decode()
    rows = [body[i : i + width] for i in range(0, len(body), width)]
    return newline.join([sshsig.BEGIN_LINE, *rows, sshsig.END_LINE]) + newline


# -- fields ---------------------------------------------------------------------------------------


def test_decode_reads_every_field_of_an_ssh_keygen_signature() -> None:
    decoded = sshsig.parse((VECTORS / "ed25519.sig").read_bytes())
    assert decoded.public_key == KEY
    assert decoded.namespace == "file"
    assert decoded.hash_algorithm == "sha512"
    algorithm, rest = sshsig.read_text(decoded.signature, "algorithm")
    value, rest = sshsig.read_string(rest, "value")
    assert (algorithm, len(value), rest) == ("ssh-ed25519", 64, b"")


def test_decode_reads_the_namespace_and_hash_of_other_vectors() -> None:
    assert sshsig.parse((VECTORS / "ed25519-sha256.sig").read_bytes()).hash_algorithm == "sha256"
    custom = sshsig.parse((VECTORS / "ed25519-namespace-example.sig").read_bytes())
    assert custom.namespace == "example@provenance.invalid"


def test_encode_blob_lays_out_the_fields_in_protocol_order() -> None:
    decoded = sshsig.decode_blob(_blob(namespace=b"git", hash_alg=b"sha256"))
    assert decoded == sshsig.SshSignature(KEY, "git", "sha256", _s(b"ssh-ed25519") + _s(bytes(64)))
    assert sshsig.encode_blob(decoded) == _blob(namespace=b"git", hash_alg=b"sha256")


def test_wrong_magic_is_refused() -> None:
    with pytest.raises(InputError, match="expected magic b'SSHSIG', found b'SSHSIH'"):
        sshsig.decode_blob(_blob(magic=b"SSHSIH"))


@pytest.mark.parametrize("version", [0, 2, 0x01000000])
def test_any_version_but_1_is_refused(version: int) -> None:
    with pytest.raises(InputError, match=f"unsupported SSHSIG version {version}: expected 1"):
        sshsig.decode_blob(_blob(version=version))


def test_empty_public_key_is_refused() -> None:
    with pytest.raises(InputError, match="public key field is empty"):
        sshsig.decode_blob(_blob(key=b""))


@pytest.mark.parametrize(
    ("namespace", "message"),
    [(b"", "must not be empty"), (b"fi\x00le", "NUL"), (b"\xff\xfe", "not UTF-8")],
)
def test_bad_namespace_is_refused(namespace: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        sshsig.decode_blob(_blob(namespace=namespace))


def test_non_empty_reserved_field_is_refused() -> None:
    with pytest.raises(InputError, match="reserved field is not empty: expected 0 bytes, found 3"):
        sshsig.decode_blob(_blob(reserved=b"tag"))


@pytest.mark.parametrize("hash_alg", [b"md5", b"sha1", b"SHA512", b"sha384", b""])
def test_unknown_hash_algorithm_is_refused(hash_alg: bytes) -> None:
    with pytest.raises(InputError, match="unknown hash algorithm"):
        sshsig.decode_blob(_blob(hash_alg=hash_alg))


def test_empty_signature_is_refused() -> None:
    with pytest.raises(InputError, match="signature field is empty"):
        sshsig.decode_blob(_blob(signature=b""))


def test_trailing_bytes_after_the_blob_are_refused() -> None:
    with pytest.raises(InputError, match="1 unparsed byte"):
        sshsig.decode_blob(_blob() + b"\x00")


def test_every_truncation_of_a_blob_is_refused() -> None:
    blob = _blob()
    for length in range(len(blob)):
        with pytest.raises(InputError):
            sshsig.decode_blob(blob[:length])


def test_signed_data_is_magic_namespace_reserved_hash_and_digest_as_a_string() -> None:
    digest = bytes(range(64))
    expected = b"SSHSIG" + _s(b"file") + _s(b"") + _s(b"sha512") + _s(digest)
    assert sshsig.signed_data("file", "sha512", digest) == expected


def test_signed_data_wants_a_digest_of_the_named_algorithm() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        sshsig.signed_data("file", "sha256", bytes(64))
    with pytest.raises(InputError):
        sshsig.signed_data("", "sha256", bytes(32))


# -- readers and writers --------------------------------------------------------------------------


def test_read_u32_and_read_string_check_lengths() -> None:
    assert sshsig.read_u32(b"\x00\x00\x01\x00!", "n") == (256, b"!")
    with pytest.raises(InputError, match="truncated n: expected 4 bytes, found 3"):
        sshsig.read_u32(b"\x00\x00\x01", "n")
    with pytest.raises(InputError, match="its length says 5 bytes, 4 remain"):
        sshsig.read_string(b"\x00\x00\x00\x05abcd", "s")


@pytest.mark.parametrize("value", [0, 1, 0x7F, 0x80, 0xFF, 0x1234, 2**521 - 1])
def test_mpint_round_trip(value: int) -> None:
    assert sshsig.read_mpint(sshsig.put_mpint(value), "x") == (value, b"")


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"\x80", "negative"), (b"\x00\x01", "superfluous"), (b"\x00", "zero")],
)
def test_non_canonical_mpints_are_refused(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        sshsig.read_mpint(_s(raw), "x")


# -- armor ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", GOOD, ids=lambda path: path.name)
def test_armor_reproduces_ssh_keygen_files_exactly(path: Path) -> None:
    text = path.read_text()
    assert sshsig.armor(sshsig.dearmor(text)) == text
    assert all(len(line) <= sshsig.WRAP_COLUMNS for line in text.splitlines())


@pytest.mark.parametrize("width", [1, 64, 76, 10_000])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_dearmor_accepts_other_wrappings_and_line_endings(width: int, newline: str) -> None:
    blob = _blob()
    text = _armor(blob, width, newline)
    assert sshsig.dearmor(text) == blob
    assert sshsig.dearmor(text.encode()) == blob
    assert sshsig.dearmor(text.removesuffix(newline)) == blob  # No final line ending.


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t + t, "a second signature after"),
        (lambda t: t + "more\n", "text after"),
        (lambda t: t + "\n", "text after"),
        (lambda t: "x\n" + t, "does not start with"),
        (lambda t: " " + t, "does not start with"),
        (lambda t: t.replace(sshsig.END_LINE, ""), "no '-----END SSH SIGNATURE-----' line"),
        (lambda t: t[: len(t) // 2], "no '-----END SSH SIGNATURE-----' line"),
        (lambda t: t.replace("\n", "\n\n", 2), "blank"),
        (lambda t: t.replace("\n" + sshsig.END_LINE, " \n" + sshsig.END_LINE), "has spaces"),
        (lambda t: t.replace("U1NI", "U1N*"), "not valid base64"),
        (lambda t: t.replace("U1NI", "U1NIU"), "not valid base64"),
        (lambda t: sshsig.BEGIN_LINE + "\n" + sshsig.END_LINE + "\n", "no body"),
        (lambda t: t.replace("U1NI", "U1NÏ"), "not ASCII"),
        (lambda t: t + "x" * sshsig.MAX_ARMORED_SIZE, "more than"),
    ],
)
def test_dearmor_refuses(mutate: object, message: str) -> None:
    assert callable(mutate)
    with pytest.raises(InputError, match=message):
        sshsig.dearmor(mutate(_armor(_blob())))


def test_dearmor_refuses_non_canonical_base64() -> None:
    text = sshsig.BEGIN_LINE + "\nU1N=\n" + sshsig.END_LINE  # "U1M=" with a stray low bit.
    assert base64.b64decode("U1N=") == base64.b64decode("U1M=") == b"SS"
    with pytest.raises(InputError, match="not canonical base64"):
        sshsig.dearmor(text)


NEGATIVE = {
    "bad-magic.sig": "expected magic",
    "version-0.sig": "version 0",
    "version-2.sig": "version 2",
    "nonempty-reserved.sig": "reserved field is not empty",
    "unknown-hash-alg.sig": "unknown hash algorithm 'md5'",
    "empty-namespace.sig": "namespace must not be empty",
    "trailing-bytes-in-blob.sig": "unparsed byte",
    "truncated-blob.sig": "truncated signature",
    "truncated-armor.sig": "no '-----END",
    "missing-end-line.sig": "no '-----END",
    "garbled-base64.sig": "not valid base64",
    "data-after-end.sig": "text after",
    "second-signature.sig": "second signature",
    "text-before-begin.sig": "does not start with",
}


@pytest.mark.parametrize(("name", "message"), sorted(NEGATIVE.items()))
def test_negative_vectors_are_refused_by_the_format_layer(name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        sshsig.parse((VECTORS / "bad" / name).read_bytes())


def test_dump_and_parse_round_trip() -> None:
    signature = sshsig.SshSignature(KEY, "example@ns", "sha256", b"\x01\x02")
    assert sshsig.parse(sshsig.dump(signature)) == signature
