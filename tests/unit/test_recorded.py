"""provenance.recorded: which results get a record check, and with which trust."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from provenance.allowed_signers import TrustedKey
from provenance.keys import SigningKey
from provenance.model import EntryKind, Result, SignatureVerdict
from provenance.options import VerifyOptions
from provenance.recorded import RecordChecker, make_record
from provenance.verify import check_bytes
from tests.conftest import article, write

NOW = datetime(2026, 3, 1, tzinfo=UTC)
DATA = article().data()


def test_the_checker_takes_the_runs_trust_time_and_record_places(key: SigningKey) -> None:
    policy = TrustedKey(key.public)
    options = VerifyOptions(policy=policy, now=NOW, record="r.prov", record_search=("old",))
    checker = RecordChecker.of(options)
    assert checker.policy is policy and checker.now == NOW
    assert checker.record == "r.prov" and checker.search == ("old",)


def test_an_article_without_a_record_is_left_as_it_is(tmp_path: Path, key: SigningKey) -> None:
    result = check_bytes(DATA, str(write(tmp_path, "a.txt", DATA)))
    checker = RecordChecker(policy=TrustedKey(key.public))
    assert checker.check(result) is None and checker(result) is result


def test_an_article_with_a_record_gets_its_check(tmp_path: Path, key: SigningKey) -> None:
    path = str(write(tmp_path, "a.txt", DATA))
    write(tmp_path, "a.txt.prov", make_record(DATA, key, now=NOW))
    checked = RecordChecker(policy=TrustedKey(key.public))(check_bytes(DATA, path))
    assert checked.record is not None and checked.record.matches is True
    assert checked.record.signature is not None
    assert checked.record.signature.verdict is SignatureVerdict.GOOD


def test_entries_that_are_not_articles_or_were_not_read_get_no_check(
    tmp_path: Path, key: SigningKey
) -> None:
    write(tmp_path, "a.txt", DATA)
    write(tmp_path, "a.txt.prov", make_record(DATA, key, now=NOW))
    checker = RecordChecker(policy=TrustedKey(key.public))
    path = str(tmp_path / "a.txt")
    photo = Result(path=path, detail="not an article", kind=EntryKind.OTHER)
    unread = Result.unreadable(path, "cannot read")
    assert checker.check(photo) is None and checker.check(unread) is None
