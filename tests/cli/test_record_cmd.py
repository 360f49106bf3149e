"""``provenance record``, ``provenance diff``, ``verify`` with records and ``seal --records``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import article, assert_usage_error, invoke, write

from provenance.keys import SigningKey

DATA = article().data()
EDITED = DATA.replace(b"twice a day", b"once a week")


@pytest.fixture
def setup(tmp_path: Path, key: SigningKey, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``news/a.txt`` recorded by ``key``; ``trust`` names alice; time fixed."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772323200")
    (tmp_path / "trust").write_text(f"alice@example.com {key.public.to_openssh()}\n")
    path = write(tmp_path, "news/a.txt", DATA)
    result = invoke("record", path, "-k", tmp_path / "keys" / "alice")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"recorded  {path}  -> {path}.prov  ({key.public.fingerprint})\n"
    return tmp_path


def test_record_writes_a_reproducible_record(setup: Path, key: SigningKey) -> None:
    text = (setup / "news/a.txt.prov").read_text()
    assert "\ntime 2026-03-01T00:00:00Z\n" in text
    again = invoke("record", setup / "news/a.txt", "-k", setup / "keys/alice", "--force")
    assert again.exit_code == 0
    assert (setup / "news/a.txt.prov").read_text() == text  # Ed25519 and a fixed time.


def test_an_existing_record_is_refused_without_previous_or_force(setup: Path) -> None:
    result = invoke("record", setup / "news/a.txt", "-k", setup / "keys/alice")
    assert result.exit_code == 1
    assert "already exists" in result.stderr and "--previous" in result.stderr


def test_a_correction_chains_to_the_record_it_corrects(setup: Path) -> None:
    old = (setup / "news/a.txt.prov").read_bytes()
    (setup / "news/a.txt").write_bytes(EDITED)
    invoke("stamp", "--update", "--force", setup / "news/a.txt")
    result = invoke(
        "record",
        setup / "news/a.txt",
        "-k",
        setup / "keys/alice",
        "--previous",
        setup / "news/a.txt.prov",
        "--note",
        "Corrects the timetable.",
    )
    assert result.exit_code == 0, result.output
    (kept,) = (setup / "news").glob("a.txt.*.prov")
    assert kept.read_bytes() == old
    assert result.stdout.startswith(f"kept  {setup}/news/a.txt.prov  as {kept}\n")
    report = invoke(
        "verify",
        setup / "news/a.txt",
        "--allowed-signers",
        setup / "trust",
        "--allow-unsigned",
        "--format",
        "json",
    )
    assert report.exit_code == 0, report.output
    checked = json.loads(report.stdout)["results"][0]["record"]
    assert checked["signature"] == "good" and checked["matches"] is True
    assert checked["changes"] == []
    assert [(link["note"], link["signature"]) for link in checked["chain"]] == [
        ("Corrects the timetable.", "good"),
        (None, "good"),
    ]


def test_verify_names_the_changes_in_text_and_json(setup: Path) -> None:
    (setup / "news/a.txt").write_bytes(EDITED.replace(b"Islanders", b"New line.\nIslanders"))
    text = invoke("verify", setup / "news/a.txt")
    assert text.exit_code == 1
    assert text.stdout.startswith("rec-changed ")
    assert (
        "[record unchecked, text changed: paragraph 1 changed (line 1), paragraph 3 inserted (line 3)]"
        in text.stdout
    )
    data = json.loads(invoke("verify", setup / "news/a.txt", "--format", "json").stdout)
    checked = data["results"][0]["record"]
    assert checked["signature"] == "unchecked" and checked["matches"] is False
    assert checked["changes"] == [
        {"kind": "changed", "paragraph": 1, "line": 1},
        {"kind": "inserted", "paragraph": 3, "line": 3},
    ]


def test_verify_with_a_record_from_elsewhere(setup: Path) -> None:
    moved = setup / "elsewhere.prov"
    (setup / "news/a.txt.prov").rename(moved)
    result = invoke("verify", setup / "news/a.txt", "--record", moved)
    assert result.exit_code == 0 and "[record unchecked, matches]" in result.stdout
    assert_usage_error(invoke("verify", setup / "news", "--record", moved))


def test_verify_finds_earlier_records_in_records_dir(setup: Path) -> None:
    old = setup / "news/a.txt.prov"
    archive = setup / "archive"
    archive.mkdir()
    (setup / "news/a.txt").write_bytes(EDITED)
    invoke("stamp", "--update", "--force", setup / "news/a.txt")
    old.rename(archive / "first.prov")
    made = invoke(
        "record",
        setup / "news/a.txt",
        "-k",
        setup / "keys/alice",
        "--previous",
        archive / "first.prov",
    )
    assert made.exit_code == 0
    alone = invoke("verify", setup / "news/a.txt")
    assert "not found" in alone.stdout and alone.exit_code == 0
    found = invoke("verify", setup / "news/a.txt", "--records", archive)
    assert "2 in chain]" in found.stdout and "not found" not in found.stdout


def test_diff_of_two_articles_and_of_a_record_and_an_article(setup: Path) -> None:
    new = write(setup, "b.txt", EDITED)
    result = invoke("diff", setup / "news/a.txt", new)
    assert result.exit_code == 1
    assert result.stdout == "changed   paragraph 1  (line 1)\n1 change: 1 changed\n"
    result = invoke("diff", setup / "news/a.txt.prov", new, "--format", "json")
    assert json.loads(result.stdout)["changes"] == [{"kind": "changed", "paragraph": 1, "line": 1}]
    same = invoke("diff", setup / "news/a.txt", setup / "news/a.txt.prov")
    assert same.exit_code == 0 and same.stdout == "same text\n"
    write(setup, "junk.prov", "not a record\n")
    assert_usage_error(invoke("diff", setup / "junk.prov", new))


def test_record_refuses_an_article_whose_footer_fails(setup: Path) -> None:
    path = write(setup, "bad.txt", EDITED)
    result = invoke("record", path, "-k", setup / "keys/alice")
    assert result.exit_code == 1 and "does not verify" in result.stderr
    assert not (setup / "bad.txt.prov").exists()


def test_record_json_report(setup: Path) -> None:
    path = write(setup, "c.txt", DATA)
    result = invoke("record", path, "-k", setup / "keys/alice", "--format", "json")
    assert result.exit_code == 0
    entry = json.loads(result.stdout)["results"][0]
    assert entry["action"] == "recorded" and entry["record_path"] == f"{path}.prov"


def test_seal_records_writes_a_record_for_every_article(tmp_path: Path, key: SigningKey) -> None:
    root = tmp_path / "issue"
    write(root, "a.txt", DATA)
    write(root, "b.md", article(holder="Other Press").data())
    write(root, "notes.txt", "No footer here.\n")
    write(root, "photo.jpg", b"\xff\xd8")
    result = invoke("seal", root, "-k", tmp_path / "keys/alice", "--records")
    assert result.exit_code == 0, result.output
    assert "wrote 2 records (ARTICLE.prov); 1 without a copyright notice have none" in result.stderr
    listed = (root / "SHA256SUMS").read_text()
    assert "a.txt.prov" in listed and "b.md.prov" in listed and "notes.txt.prov" not in listed
    checked = invoke("verify", root, "--public-key", tmp_path / "keys/alice.pub")
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.count("[record good by alice@example.com, matches]") == 2


def test_seal_records_refuses_an_article_that_is_not_text(tmp_path: Path, key: SigningKey) -> None:
    root = tmp_path / "issue"
    write(root, "a.txt", DATA)
    write(root, "b.txt", b"\xff\xfe binary")
    result = invoke("seal", root, "-k", tmp_path / "keys/alice", "--records")
    assert result.exit_code == 1
    assert f"{root}/b.txt: its footer does not verify (unreadable" in result.stderr
    assert not (root / "SHA256SUMS").exists() and not (root / "a.txt.prov").exists()


def test_verify_names_the_changes_inside_a_sealed_folder(tmp_path: Path, key: SigningKey) -> None:
    # A sealed folder checks its articles' records as a plain walk does: resealed after an
    # edit, the seal passes, and the record still names the paragraph that changed.
    root = tmp_path / "issue"
    write(root, "a.txt", DATA)
    assert invoke("seal", root, "-k", tmp_path / "keys/alice", "--records").exit_code == 0
    (root / "a.txt").write_bytes(EDITED)
    assert invoke("stamp", "--update", "--force", root / "a.txt").exit_code == 0
    assert invoke("seal", root, "-k", tmp_path / "keys/alice", "--force").exit_code == 0
    result = invoke("verify", root, "--public-key", tmp_path / "keys/alice.pub", "--format", "json")
    assert result.exit_code == 1, result.output
    rows = {row["path"]: row for row in json.loads(result.stdout)["results"]}
    article_row = rows[f"{root}/a.txt"]
    assert article_row["verdict"] == "ok" and article_row["manifest"] == "listed"
    assert article_row["record"]["signature"] == "good"
    assert article_row["record"]["changes"] == [{"kind": "changed", "paragraph": 1, "line": 1}]
    # The record itself is an entry of the seal, held to it, never an article.
    assert rows[f"{root}/a.txt.prov"]["article"] is False
    assert rows[f"{root}/a.txt.prov"]["manifest"] == "listed"


@pytest.mark.parametrize("named", ["folder", "two files", "stdin"])
def test_record_goes_with_exactly_one_article_file(setup: Path, named: str) -> None:
    record_file = setup / "news/a.txt.prov"
    paths = {
        "folder": [setup / "news"],
        "two files": [setup / "news/a.txt", setup / "news/a.txt"],
        "stdin": ["-"],
    }[named]
    result = invoke("verify", *paths, "--record", record_file)
    assert_usage_error(result)
    assert "--record" in result.stderr or "records" in result.stderr


def test_diff_json_names_and_matches_its_schema(setup: Path) -> None:
    from conftest import schema_validator

    from provenance import report

    new = write(setup, "b.txt", EDITED.replace(b"Islanders", b"New line.\nIslanders"))
    for old in (setup / "news/a.txt", setup / "news/a.txt.prov"):
        result = invoke("diff", old, new, "--format", "json")
        document = json.loads(result.stdout)
        schema_validator("diff.schema.json").validate(document)
        assert document["$schema"] == report.DIFF_SCHEMA
        assert [c["kind"] for c in document["changes"]] == ["changed", "inserted"]
    same = json.loads(
        invoke("diff", setup / "news/a.txt", setup / "news/a.txt.prov", "--format", "json").stdout
    )
    schema_validator("diff.schema.json").validate(same)
    assert same["same"] is True and same["changes"] == []


def test_the_summary_counts_records_in_text_and_json(setup: Path) -> None:
    write(setup, "news/b.txt", DATA)
    made = invoke("record", setup / "news/b.txt", "-k", setup / "keys/alice")
    assert made.exit_code == 0
    (setup / "news/b.txt").write_bytes(EDITED)
    write(setup, "news/c.txt", DATA)
    write(setup, "news/c.txt.prov", "not a record\n")
    text = invoke("verify", setup / "news")
    assert text.exit_code == 1
    assert "; records: 1 matched, 1 changed, 1 malformed;" in text.stdout.splitlines()[-1]
    data = json.loads(invoke("verify", setup / "news", "--format", "json").stdout)
    assert data["records"] == {"matched": 1, "changed": 1, "malformed": 1}
    # Without records, the key is absent (as signatures and manifest are).
    (setup / "news/c.txt.prov").unlink()
    assert "records" not in json.loads(
        invoke("verify", setup / "news/c.txt", "--format", "json").stdout
    )
