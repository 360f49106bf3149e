"""The record format (provenance/record.py): one byte form per record, strict parsing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import article

from provenance import record
from provenance.errors import InputError
from provenance.keys import SigningKey
from provenance.recorded import make_record

NOW = datetime(2026, 3, 1, 12, 30, 5, tzinfo=UTC)


@pytest.fixture
def made(key: SigningKey) -> bytes:
    return make_record(article().data(), key, now=NOW, note="First edition.")


def test_a_record_reads_back_and_writes_the_same_bytes(made: bytes, key: SigningKey) -> None:
    parsed = record.parse(made)
    assert record.dump(parsed) == made
    statement = parsed.statement
    assert statement.holder == "Example News, Inc." and statement.year == "2022"
    assert statement.time == NOW and statement.note == "First edition."
    assert statement.signer == key.public.fingerprint
    assert statement.previous is None
    # Three body lines, two credit lines and the notice: one digest each.
    assert len(statement.paragraphs) == 6
    covered = article().covered
    assert statement.article == hashlib.sha256(covered.encode()).hexdigest()
    assert statement.paragraphs[0] == hashlib.sha256(covered.split("\n")[0].encode()).hexdigest()
    assert made.startswith(b"provenance-record 1\narticle-sha256 ")


def test_article_digests_skip_empty_lines_and_keep_the_line_numbers() -> None:
    data = b"\xef\xbb\xbfOne. \r\n\r\nTwo.\r\n\r\n"
    digests = record.article_digests(data)
    assert digests.lines == (1, 3)
    assert digests.paragraphs == tuple(hashlib.sha256(p).hexdigest() for p in (b"One.", b"Two."))
    assert digests.article == hashlib.sha256(b"One.\n\nTwo.").hexdigest()


def test_the_year_range_is_written_one_way() -> None:
    digests = record.article_digests(article(year="2019 – 2022").data())
    assert digests.year == "2019-2022"


def _rewrap(data: bytes, columns: int) -> bytes:
    """The record with its signature's base64 wrapped at ``columns`` instead of 70."""
    head, armored = record.split(data)
    lines = armored.decode().splitlines()
    body = "".join(lines[1:-1])
    wrapped = [body[i : i + columns] for i in range(0, len(body), columns)]
    return head + "\n".join([lines[0], *wrapped, lines[-1]]).encode() + b"\n"


def _other_signer(data: bytes) -> bytes:
    """The record naming a signer other than the key inside its signature."""
    at = data.index(b"signer SHA256:") + len(b"signer SHA256:")
    other = b"A" if data[at : at + 1] != b"A" else b"B"
    return data[:at] + other + data[at + 1 :]


def _edit(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data
    return data.replace(old, new, 1)


@pytest.mark.parametrize(
    ("defect", "change", "message"),
    [
        ("crlf", lambda d: d.replace(b"\n", b"\r\n", 1), "CR"),
        (
            "version-2",
            lambda d: _edit(d, b"provenance-record 1", b"provenance-record 2"),
            "version",
        ),
        ("uppercase-hex", lambda d: _edit(d, b"article-sha256 ", b"article-sha256 A"), "64"),
        ("double-space", lambda d: _edit(d, b"holder ", b"holder  "), "holder"),
        ("year-twice", lambda d: _edit(d, b"year 2022", b"year 2022-2022"), "year"),
        (
            "time-offset",
            lambda d: _edit(d, b"2026-03-01T12:30:05Z", b"2026-03-01T12:30:05+00:00"),
            "time",
        ),
        ("time-invalid", lambda d: _edit(d, b"2026-03-01", b"2026-13-01"), "time"),
        ("count-leading-zero", lambda d: _edit(d, b"paragraphs 6", b"paragraphs 06"), "count"),
        ("count-wrong", lambda d: _edit(d, b"paragraphs 6", b"paragraphs 5"), "digest lines"),
        ("note-before-previous", lambda d: _edit(d, b"note ", b"notes "), "paragraphs"),
        ("no-signature", lambda d: d[: d.index(b"-----BEGIN")], "BEGIN"),
        ("signature-rewrapped", lambda d: _rewrap(d, 64), "signature"),
        ("text-after-end", lambda d: d + b"\n", "signature"),
        ("signer-not-the-key", lambda d: _other_signer(d), "signer"),
    ],
)
def test_every_other_byte_form_is_refused(
    made: bytes, defect: str, change: object, message: str
) -> None:
    bad = change(made)  # type: ignore[operator]
    assert bad != made, defect
    with pytest.raises(InputError) as caught:
        record.parse(bad)
    assert message in caught.value.message, caught.value.message


def test_a_record_over_the_size_bound_is_refused_before_it_is_read() -> None:
    huge = b"x" * (record.MAX_RECORD_SIZE + 1)
    with pytest.raises(InputError, match="larger than"):
        record.parse(huge)


def test_a_paragraph_count_past_the_bound_is_refused_without_reading_the_lines(
    made: bytes,
) -> None:
    bad = _edit(made, b"paragraphs 6", f"paragraphs {record.MAX_PARAGRAPHS + 1}".encode())
    with pytest.raises(InputError, match="more than"):
        record.parse(bad)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty"),
        (" lead", "blank"),
        ("line\nbreak", "U+000A"),
        ("esc \x1b[2J", "U+001B"),
        ("c1 \x85 mid", "U+0085"),
        ("sep \u2028 mid", "U+2028"),
        ("x" * 1025, "longer"),
    ],
)
def test_a_note_or_holder_is_one_plain_line(text: str, problem: str) -> None:
    found = record.text_field_problem(text)
    assert found is not None and problem in found


def test_a_note_that_cannot_be_a_line_is_refused_when_recording(key: SigningKey) -> None:
    with pytest.raises(InputError, match="--note"):
        make_record(article().data(), key, now=NOW, note="two\nlines")


def test_the_statement_is_what_the_sed_command_cuts(made: bytes, tmp_path: Path) -> None:
    statement, signature = record.split(made)
    assert statement == record.statement_bytes(record.parse(made).statement)
    assert signature.startswith(b"-----BEGIN SSH SIGNATURE-----\n")
