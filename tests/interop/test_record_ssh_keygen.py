"""A record's signature checks with stock ``ssh-keygen -Y verify``, by the command SPEC.md §12.2
documents: the statement is the record up to its BEGIN line, the signature the rest."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from provenance import record
from provenance.keys import SigningKey
from provenance.recorded import make_record
from provenance.sign import sign_bytes
from tests.conftest import article

NOW = datetime(2026, 3, 1, tzinfo=UTC)

#: The documented command line, with the record as $1 and the trust file as $2.
DOCUMENTED = (
    'sed -n \'/^-----BEGIN SSH SIGNATURE-----$/,$p\' "$1" > "$1.sig" && '
    "sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' \"$1\" | "
    'ssh-keygen -Y verify -f "$2" -I alice@example.com -n provenance-record -s "$1.sig"'
)


def _check(
    ssh_keygen: str, tmp_path: Path, key: SigningKey, data: bytes
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "a.txt.prov"
    path.write_bytes(data)
    trust = tmp_path / "allowed_signers"
    trust.write_text(f"alice@example.com {key.public.to_openssh()}\n")
    return subprocess.run(
        ["bash", "-c", DOCUMENTED, "check", str(path), str(trust)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_ssh_keygen_verifies_a_record(ssh_keygen: str, tmp_path: Path, key: SigningKey) -> None:
    done = _check(ssh_keygen, tmp_path, key, make_record(article().data(), key, now=NOW))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('Good "provenance-record" signature for alice@example.com')


def test_ssh_keygen_refuses_a_record_signed_for_another_namespace(
    ssh_keygen: str, tmp_path: Path, key: SigningKey
) -> None:
    made = record.parse(make_record(article().data(), key, now=NOW))
    other = sign_bytes(record.statement_bytes(made.statement), key, "file")
    done = _check(
        ssh_keygen,
        tmp_path,
        key,
        record.dump(record.Record(statement=made.statement, signature=other)),
    )
    assert done.returncode != 0


def test_ssh_keygen_refuses_an_edited_statement(
    ssh_keygen: str, tmp_path: Path, key: SigningKey
) -> None:
    made = make_record(article().data(), key, now=NOW)
    done = _check(ssh_keygen, tmp_path, key, made.replace(b"holder Example", b"holder Exemple"))
    assert done.returncode != 0
