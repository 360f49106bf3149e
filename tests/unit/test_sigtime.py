"""Times of signature checks: OpenSSH's absolute times and ISO 8601 (provenance.sigtime)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from provenance.errors import InputError
from provenance.sigtime import parse_openssh_time, parse_verify_time


@pytest.fixture
def tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time nine hours ahead of UTC (a POSIX TZ string: no tzdata needed)."""
    monkeypatch.setenv("TZ", "JST-9")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20250615Z", datetime(2025, 6, 15, tzinfo=UTC)),
        ("20250615utc", datetime(2025, 6, 15, tzinfo=UTC)),
        ("202506151230z", datetime(2025, 6, 15, 12, 30, tzinfo=UTC)),
        ("20250615123045Z", datetime(2025, 6, 15, 12, 30, 45, tzinfo=UTC)),
        ("2025-06-15T12:30:00+02:00", datetime(2025, 6, 15, 10, 30, tzinfo=UTC)),
        ("2025-06-15T12:30Z", datetime(2025, 6, 15, 12, 30, tzinfo=UTC)),
        ("20250615T123000-0100", datetime(2025, 6, 15, 13, 30, tzinfo=UTC)),
    ],
)
def test_verify_time_forms(text: str, expected: datetime) -> None:
    assert parse_verify_time(text) == expected


def test_openssh_times_without_z_are_local_time(tokyo: None) -> None:
    # As ssh-keygen(1) says of verify-time: the system time zone unless suffixed with Z.
    assert parse_verify_time("20250615") == datetime(2025, 6, 14, 15, tzinfo=UTC)
    assert parse_openssh_time("202506150900", "valid-after") == int(
        datetime(2025, 6, 15, tzinfo=UTC).timestamp()
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-06-15", "no time zone"),
        ("2025-06-15T12:00:00", "no time zone"),
        ("yesterday", "invalid verify time"),
        ("2025061", "invalid verify time"),
        ("20251301Z", "invalid"),
        ("19691231Z", "before 1970"),
        ("1969-12-31T00:00Z", "before 1970"),
        ("", "invalid verify time"),
    ],
)
def test_times_that_are_not_clear_are_refused(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_verify_time(text)
