"""Attacks on provenance records (FILE.prov, SPEC.md §12).

A record says "this signer vouched for this text". Each test presents a record that answers
some other question -- another namespace, another text, altered digests, a FIFO or a huge file
where a record should be, a broken link in a chain -- and checks that the run fails with the
word that says so, never passes, and never hangs.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from provenance import record
from provenance.keys import SigningKey, generate_key
from provenance.recorded import make_record
from provenance.sign import sign_bytes
from tests.attacks.conftest import assert_clean
from tests.conftest import article, invoke, write

NOW = datetime(2026, 3, 1, tzinfo=UTC)
DATA = article().data()


@pytest.fixture
def trust(tmp_path: Path, key: SigningKey) -> Path:
    path = tmp_path / "allowed_signers"
    path.write_text(f"alice@example.com {key.public.to_openssh()}\n")
    return path


def verify(path: Path, trust: Path, *extra: str) -> tuple[int, str]:
    result = invoke("verify", path, "--allowed-signers", trust, "--allow-unsigned", *extra)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


def test_a_record_signed_in_the_file_namespace_is_refused(
    tmp_path: Path, key: SigningKey, trust: Path
) -> None:
    made = record.parse(make_record(DATA, key, now=NOW))
    signed = record.statement_bytes(made.statement)
    replayed = record.Record(statement=made.statement, signature=sign_bytes(signed, key, "file"))
    path = write(tmp_path, "a.txt", DATA)
    write(tmp_path, "a.txt.prov", record.dump(replayed))
    status, out = verify(path, trust)
    assert status == 1
    assert out.startswith("rec-bad ")
    assert "namespace 'file', expected 'provenance-record'" in out


def test_a_record_signature_cannot_pass_as_a_file_signature(
    tmp_path: Path, key: SigningKey, trust: Path
) -> None:
    # The statement written out as a file, with the record's signature as its FILE.sig: the
    # bytes are the signed ones, but the namespace is the record's, never "file".
    made = record.parse(make_record(DATA, key, now=NOW))
    statement = write(tmp_path, "statement", record.statement_bytes(made.statement))
    write(tmp_path, "statement.sig", made.signature)
    result = invoke("verify", statement, "--allowed-signers", trust)
    assert_clean(result, 1)
    assert result.stdout.startswith("sig-bad ")


def test_a_record_whose_digests_were_edited_to_hide_a_change_is_bad(
    tmp_path: Path, key: SigningKey, trust: Path
) -> None:
    made = make_record(DATA, key, now=NOW)
    edited = DATA.replace(b"twice a day", b"once a week")
    path = write(tmp_path, "a.txt", edited)
    # The forger puts the edited text's digests in the record; the signature no longer fits.
    forged = record.parse(made)
    digests = record.article_digests(edited)
    statement = forged.statement
    fake = record.Statement(
        article=digests.article,
        holder=statement.holder,
        year=statement.year,
        time=statement.time,
        signer=statement.signer,
        previous=None,
        note=None,
        paragraphs=digests.paragraphs,
    )
    write(
        tmp_path,
        "a.txt.prov",
        record.dump(record.Record(statement=fake, signature=forged.signature)),
    )
    status, out = verify(path, trust)
    assert status == 1 and out.startswith("rec-bad ")


def test_a_good_record_of_another_text_names_the_change(
    tmp_path: Path, key: SigningKey, trust: Path
) -> None:
    write(tmp_path, "a.txt.prov", make_record(DATA, key, now=NOW))
    path = write(tmp_path, "a.txt", DATA.replace(b"twice a day", b"once a week"))
    status, out = verify(path, trust, "--no-config")
    assert status == 1
    assert out.startswith("rec-changed ")  # The footer is "mismatch" too, but later in order.
    assert "paragraph 1 changed (line 1)" in out


def test_a_matching_record_never_turns_a_failing_footer_into_a_pass(
    tmp_path: Path, key: SigningKey, trust: Path
) -> None:
    write(tmp_path, "a.txt.prov", make_record(DATA, key, now=NOW))
    # The token is not covered: the record still matches, the footer does not.
    token = article().digest.encode()
    path = write(tmp_path, "a.txt", DATA.replace(token, b"0" * 32))
    status, out = verify(path, trust)
    assert status == 1
    assert out.startswith("mismatch ") and "record good by alice@example.com, matches" in out


def test_a_fifo_planted_as_a_record_is_never_opened(tmp_path: Path, trust: Path) -> None:
    path = write(tmp_path, "a.txt", DATA)
    os.mkfifo(tmp_path / "a.txt.prov")
    status, out = verify(path, trust)  # A blocking open would hang here.
    assert status == 1
    assert out.startswith("rec-malformed ") and "FIFO" in out


def test_a_huge_record_is_refused_unread(tmp_path: Path, trust: Path) -> None:
    path = write(tmp_path, "a.txt", DATA)
    with open(tmp_path / "a.txt.prov", "wb") as handle:
        handle.truncate(record.MAX_RECORD_SIZE + 1)  # Sparse: costs nothing to make.
    status, out = verify(path, trust)
    assert status == 1
    assert out.startswith("rec-malformed ") and "never read" in out


def test_a_chain_link_by_an_untrusted_key_fails_the_run(
    tmp_path: Path, key: SigningKey, trust: Path
) -> None:
    mallory = generate_key(tmp_path / "keys" / "mallory")
    old = write(tmp_path, "a.txt.old.prov", make_record(DATA, mallory, now=NOW))
    path = write(tmp_path, "a.txt", DATA)
    newest = make_record(DATA, key, now=NOW, previous=old, note="Same text, new signer.")
    write(tmp_path, "a.txt.prov", newest)
    status, out = verify(path, trust)
    assert status == 1
    assert out.startswith("rec-chain ") and "a.txt.old.prov: untrusted" in out


def test_records_are_never_taken_for_articles_in_a_walk(tmp_path: Path, key: SigningKey) -> None:
    write(tmp_path, "news/a.txt", DATA)
    write(tmp_path, "news/a.txt.prov", make_record(DATA, key, now=NOW))
    result = invoke("verify", "--strict", tmp_path / "news")
    assert_clean(result, 0)
    assert ".prov" not in result.stdout.split("[")[0]
    assert result.stdout.endswith("1 file: 1 ok; records: 1 matched; passed under --strict\n")


# -- The trust policy of the run holds for records too (issue 18 items 1-2 x issue 19) ------------


def test_a_record_by_a_revoked_key_is_revoked_although_trusted(
    tmp_path: Path, key: SigningKey, trust: Path
) -> None:
    # alice is still listed in allowed_signers, but her key is revoked: the record she signed
    # must not vouch for the text, exactly as her FILE.sig would not.
    path = write(tmp_path, "a.txt", DATA)
    write(tmp_path, "a.txt.prov", make_record(DATA, key, now=NOW))
    revoked = write(tmp_path, "revoked_keys", f"{key.public.to_openssh()}\n")
    status, out = verify(path, trust, "--revoked", str(revoked))
    assert status == 1
    assert out.startswith("rec-revoked ") and "[record revoked (revoked key" in out
    result = invoke(
        "verify", path, "--allowed-signers", trust, "--allow-unsigned", "--revoked", revoked,
        "--format", "json",
    )  # fmt: skip
    checked = json.loads(result.stdout)["results"][0]["record"]
    assert checked["signature"] == "revoked" and checked["matches"] is True
    assert checked["chain"][0]["signature"] == "revoked"


def test_an_earlier_record_by_a_revoked_key_breaks_the_chain(
    tmp_path: Path, key: SigningKey, trust: Path
) -> None:
    mallory = generate_key(tmp_path / "keys" / "mallory")
    both = write(
        tmp_path,
        "both_signers",
        trust.read_text() + f"mallory@example.com {mallory.public.to_openssh()}\n",
    )
    old = write(tmp_path, "a.txt.old.prov", make_record(DATA, mallory, now=NOW))
    path = write(tmp_path, "a.txt", DATA)
    write(tmp_path, "a.txt.prov", make_record(DATA, key, now=NOW, previous=old, note="Same."))
    assert verify(path, both)[0] == 0
    revoked = write(tmp_path, "revoked_keys", f"{mallory.public.to_openssh()}\n")
    status, out = verify(path, both, "--revoked", str(revoked))
    assert status == 1
    assert out.startswith("rec-chain ") and "a.txt.old.prov: revoked" in out


def test_verify_time_decides_whether_a_record_signers_key_was_valid(
    tmp_path: Path, key: SigningKey
) -> None:
    # The key was valid until the end of 2025; the record is checked today (later) unless
    # --verify-time names a time when it was valid, as for any other signature.
    expiring = write(
        tmp_path,
        "allowed_signers",
        f'alice@example.com valid-before="20251231Z" {key.public.to_openssh()}\n',
    )
    path = write(tmp_path, "a.txt", DATA)
    write(tmp_path, "a.txt.prov", make_record(DATA, key, now=NOW))
    status, out = verify(path, expiring)
    assert status == 1
    assert out.startswith("rec-untrusted ") and "key expired" in out
    status, out = verify(path, expiring, "--verify-time", "20250601Z")
    assert status == 0, out
    assert "[record good by alice@example.com, matches]" in out


def test_a_revoked_record_in_a_sealed_folder_fails_too(
    tmp_path: Path, key: SigningKey, trust: Path
) -> None:
    # A record listed in a good seal is still only as good as its own signer's key.
    root = tmp_path / "issue"
    write(root, "a.txt", DATA)
    write(root, "a.txt.prov", make_record(DATA, key, now=NOW))
    assert invoke("seal", root, "-k", tmp_path / "keys" / "alice").exit_code == 0
    assert verify(root, trust)[0] == 0
    other = generate_key(tmp_path / "keys" / "bob")
    both = write(tmp_path, "both", trust.read_text() + f"bob@x {other.public.to_openssh()}\n")
    # Revoke alice's key: the seal (hers too) and the record both fail, each with its word.
    revoked = write(tmp_path, "revoked_keys", f"{key.public.to_openssh()}\n")
    result = invoke(
        "verify", root, "--allowed-signers", both, "--allow-unsigned", "--revoked", revoked,
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 1
    rows = {row["path"]: row for row in json.loads(result.stdout)["results"]}
    assert rows[f"{root}/a.txt"]["record"]["signature"] == "revoked"
    assert rows[f"{root}/a.txt.prov"].get("record") is None  # A record is not an article.


# -- records inside archives: FILE.prov member beside FILE member, the same trust ------------


def _archive_with(tmp_path: Path, name: str, members: list[tuple[str, bytes]]) -> Path:
    from tests.craft import END, ZipEntry, tar_member, zip_bytes

    path = tmp_path / name
    if name.endswith(".zip"):
        path.write_bytes(zip_bytes([ZipEntry(n.encode(), d) for n, d in members]))
    else:
        path.write_bytes(b"".join(tar_member(n, d) for n, d in members) + END)
    return path


def member_line(out: str, path: Path) -> str:
    """The report line of the member ``a.txt`` of the archive ``path``."""
    (line,) = [line for line in out.splitlines() if f" {path}:a.txt " in line + " "]
    return line


@pytest.mark.parametrize("name", ["news.tar", "news.zip"])
def test_an_edited_article_in_an_archive_fails_its_record(
    tmp_path: Path, key: SigningKey, trust: Path, name: str
) -> None:
    # The edit keeps a valid footer (stamp --update): only the record tells it from the
    # original. Before records were read in archives this archive passed.
    edited = tmp_path / "edited.txt"
    edited.write_bytes(DATA.replace(b"twice a day", b"once a week"))
    assert invoke("stamp", "--update", "--force", edited).exit_code == 0
    # The record comes first in the stream: the check cannot depend on member order.
    path = _archive_with(
        tmp_path,
        name,
        [("a.txt.prov", make_record(DATA, key, now=NOW)), ("a.txt", edited.read_bytes())],
    )
    status, out = verify(path, trust, "--no-config")
    assert status == 1
    assert member_line(out, path).startswith("rec-changed ")
    assert "paragraph 1 changed (line 1)" in member_line(out, path)
    assert "records: 1 changed" in out.splitlines()[-1]


def test_a_record_in_an_archive_is_held_to_the_run_trust(
    tmp_path: Path, key: SigningKey, trust: Path
) -> None:
    other = generate_key(tmp_path / "keys" / "mallory")
    path = _archive_with(
        tmp_path,
        "news.tar",
        [("a.txt", DATA), ("a.txt.prov", make_record(DATA, other, now=NOW))],
    )
    status, out = verify(path, trust, "--no-config")
    assert status == 1 and member_line(out, path).startswith("rec-untrusted ")
    good = _archive_with(
        tmp_path,
        "good.tar",
        [("a.txt", DATA), ("a.txt.prov", make_record(DATA, key, now=NOW))],
    )
    status, out = verify(good, trust, "--no-config", "--format", "json")
    assert status == 0
    data = json.loads(out)
    (member,) = [r for r in data["results"] if r["path"] == f"{good}:a.txt"]
    assert member["record"]["signature"] == "good" and member["record"]["matches"] is True
    assert member["record"]["path"] == f"{good}:a.txt.prov"
    assert data["records"] == {"matched": 1}


def test_a_garbage_or_huge_record_member_fails(tmp_path: Path, trust: Path) -> None:
    from provenance.record import MAX_RECORD_SIZE

    junk = _archive_with(tmp_path, "junk.tar", [("a.txt", DATA), ("a.txt.prov", b"junk\n")])
    status, out = verify(junk, trust, "--no-config")
    assert status == 1 and member_line(out, junk).startswith("rec-malformed ")
    huge = b"provenance-record 1\n" + b"x" * MAX_RECORD_SIZE
    big = _archive_with(tmp_path, "big.tar", [("a.txt", DATA), ("a.txt.prov", huge)])
    status, out = verify(big, trust, "--no-config")
    assert status == 1 and member_line(out, big).startswith("rec-malformed ")
    assert "larger than" in member_line(out, big)


def test_a_chain_in_an_archive_finds_earlier_records_among_its_members(
    tmp_path: Path, key: SigningKey, trust: Path
) -> None:
    first = make_record(DATA, key, now=NOW)
    edited = tmp_path / "edited.txt"
    edited.write_bytes(DATA.replace(b"twice a day", b"once a week"))
    assert invoke("stamp", "--update", "--force", edited).exit_code == 0
    earlier = write(tmp_path, "first.prov", first)
    second = make_record(
        edited.read_bytes(), key, now=NOW, previous=earlier, note="Corrects the timetable."
    )
    path = _archive_with(
        tmp_path,
        "news.tar",
        [("a.txt", edited.read_bytes()), ("a.txt.prov", second), ("a.txt.1.prov", first)],
    )
    status, out = verify(path, trust, "--no-config")
    assert status == 0, out
    assert "2 in chain]" in out and "not found" not in out
