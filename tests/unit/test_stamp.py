"""provenance.stamp: the footer a stamp writes, refusals, what it does to a footer, atomic writes."""

from __future__ import annotations

import datetime
import errno
import os
import stat
from pathlib import Path

import pytest
from conftest import BODY, DOW_JONES, article, md5_hex, notice, sha256_hex, write

from provenance import fsio
from provenance.cli import exit_status
from provenance.errors import InputError, OperationalError, StampRefused
from provenance.model import Algorithm, Verdict
from provenance.stamp import OnFooter, StampAction, notice_text, stamp_bytes, stamp_file
from provenance.verify import check_bytes

TEXT = "A story.\nIts second paragraph."


@pytest.mark.parametrize(
    ("holder", "written"),
    [("Example News", "Example News."), ("Example News, Inc.", "Example News, Inc.")],
)
def test_footer_format_without_doubled_period(holder: str, written: str) -> None:
    new, result = stamp_bytes(f"{TEXT}\n".encode(), holder=holder, year=2022)
    covered = f"{TEXT}\nCopyright ©2022 {written} All Rights Reserved."
    assert new == f"{covered} {md5_hex(covered)}\n".encode()
    assert (result.action, result.algorithm, result.digest) == (
        StampAction.STAMPED,
        Algorithm.MD5,
        md5_hex(covered),
    )
    assert check_bytes(new).verdict is Verdict.OK


def test_notice_text() -> None:
    assert notice_text("Example News", 2022) == "Copyright ©2022 Example News. All Rights Reserved."
    assert notice_text("A Ltd.", 1999) == "Copyright ©1999 A Ltd. All Rights Reserved."


def test_sha256_and_default_year_from_today() -> None:
    new, result = stamp_bytes(
        TEXT.encode(), holder="X Co.", algorithm=Algorithm.SHA256, today=datetime.date(2031, 1, 2)
    )
    covered = f"{TEXT}\nCopyright ©2031 X Co. All Rights Reserved."
    assert new == f"{covered} {sha256_hex(covered)}".encode()
    assert result.algorithm is Algorithm.SHA256


@pytest.mark.parametrize(
    ("data", "newline", "final"),
    [
        (f"{TEXT}\n", "\n", "\n"),
        (TEXT.replace("\n", "\r\n") + "\r\n", "\r\n", "\r\n"),
        (TEXT.replace("\n", "\r\n"), "\r\n", ""),
        (TEXT.replace("\n", "\r") + "\r", "\r", "\r"),
        (TEXT, "\n", ""),
    ],
    ids=["lf", "crlf", "crlf-no-final", "cr", "no-final-newline"],
)
def test_line_ending_and_final_newline_kept(data: str, newline: str, final: str) -> None:
    new, result = stamp_bytes(data.encode(), holder="Example News", year=2022)
    body = data if data.endswith(newline) else data + newline
    footer = f"Copyright ©2022 Example News. All Rights Reserved. {result.digest}{final}"
    assert new == (body + footer).encode()
    assert result.digest == md5_hex(f"{TEXT}\n{notice('Example News.')}")
    assert check_bytes(new).verdict is Verdict.OK


def test_existing_footer_is_refused() -> None:
    art = article()
    with pytest.raises(StampRefused, match=r"already has a footer \(line 6\)") as caught:
        stamp_bytes(art.data(), holder="Other")
    assert caught.value.hint is not None and "--update" in caught.value.hint
    assert "--missing-only" in caught.value.hint
    assert exit_status(caught.value) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b" \n\t\n", "empty"), (b"bin\x00ary", "not an article: binary data")],
)
def test_nothing_to_stamp_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(StampRefused, match=message):
        stamp_bytes(data, holder="X", year=2022)


@pytest.mark.parametrize(
    ("holder", "year"),
    [("", 2022), ("  ", 2022), ("Two\nLines", 2022), ("X All rights reserved", 2022), ("X", 99)],
)
def test_bad_holder_or_year_is_input_error(holder: str, year: int) -> None:
    with pytest.raises(InputError):
        stamp_bytes(b"Text.\n", holder=holder, year=year)
    with pytest.raises(InputError, match="--holder is needed"):
        stamp_bytes(b"Text.\n", holder=None, year=2022)


@pytest.mark.parametrize(
    "trailer", ["", " Appeared in print.", "\nAppeared in print as 'Ferry'.\n"], ids=repr
)
def test_update_replaces_only_the_digest(trailer: str) -> None:
    art = article()
    stale = art.text().replace("twice", "thrice", 1)
    stale = stale.replace("\n", "\r\n")[: -len("\r\n")] + trailer + "\r\n"
    new, result = stamp_bytes(stale.encode(), holder=None, on_footer=OnFooter.FORCE)
    expected = md5_hex(art.covered.replace("twice", "thrice", 1))
    assert result.action is StampAction.UPDATED and result.digest == expected
    assert new == stale.replace(art.digest, expected).encode()
    again, unchanged = stamp_bytes(new, holder=None, on_footer=OnFooter.UPDATE)
    assert (again, unchanged.action) == (new, StampAction.UNCHANGED)


def test_update_fixes_a_malformed_token_only_with_force_and_adds_a_missing_one() -> None:
    art = article()
    upper = art.data().replace(art.digest.encode(), art.digest.upper().encode())
    with pytest.raises(StampRefused, match=r"footer does not verify \(malformed: "):
        stamp_bytes(upper, holder=None, on_footer=OnFooter.UPDATE)
    new, _ = stamp_bytes(upper, holder=None, on_footer=OnFooter.FORCE)
    assert new == art.data()
    bare = f"{art.covered}\n".encode()
    new, result = stamp_bytes(bare, holder=None, on_footer=OnFooter.UPDATE)
    assert new == art.data() and result.action is StampAction.UPDATED


def test_update_keeps_algorithm_unless_asked() -> None:
    art = article(algorithm="sha256")
    new, result = stamp_bytes(art.data(), holder=None, on_footer=OnFooter.UPDATE)
    assert (new, result.action) == (art.data(), StampAction.UNCHANGED)
    new, result = stamp_bytes(
        art.data(), holder=None, on_footer=OnFooter.UPDATE, algorithm=Algorithm.MD5
    )
    assert new == art.data().replace(art.digest.encode(), md5_hex(art.covered).encode())


def test_update_never_replaces_a_publisher_token() -> None:
    data = f"{BODY}\n{notice(holder='Dow Jones & Company, Inc.')} {DOW_JONES}\n".encode()
    for on_footer in (OnFooter.UPDATE, OnFooter.FORCE):
        with pytest.raises(StampRefused, match="publisher token"):
            stamp_bytes(data, holder=None, on_footer=on_footer)
    kept, result = stamp_bytes(data, holder=None, on_footer=OnFooter.KEEP)
    assert (kept, result.action, result.digest) == (
        data,
        StampAction.ALREADY_STAMPED,
        DOW_JONES,
    )


# stamp_file: the same rules on disk.


def test_stamp_file_writes_and_keeps_permissions(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", f"{TEXT}\n")
    path.chmod(0o604)
    result = stamp_file(path, holder="Example News", year=2022)
    assert result.path == str(path) and result.action is StampAction.STAMPED
    assert check_bytes(path.read_bytes()).verdict is Verdict.OK
    assert stat.S_IMODE(path.stat().st_mode) == 0o604
    assert os.listdir(tmp_path) == ["a.txt"]


def test_refused_file_is_byte_identical_and_mtime_untouched(tmp_path: Path) -> None:
    data = article().data()
    path = write(tmp_path, "a.txt", data)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    with pytest.raises(StampRefused, match=rf"^{tmp_path}/a.txt: already has a footer"):
        stamp_file(path, holder="Other", year=2022)
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_unchanged_update_does_not_touch_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", article().data())
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert stamp_file(path, holder=None, on_footer=OnFooter.UPDATE).action is StampAction.UNCHANGED
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_unreadable_file_is_operational_error(tmp_path: Path) -> None:
    with pytest.raises(OperationalError, match="cannot read"):
        stamp_file(tmp_path / "gone.txt", holder="X", year=2022)


@pytest.mark.parametrize("call", ["write", "fsync", "replace"])
@pytest.mark.parametrize("failure", ["enospc", "bug"])
def test_full_disk_or_crash_mid_stamp_leaves_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, failure: str
) -> None:
    data = f"{TEXT}\n".encode()
    path = write(tmp_path, "a.txt", data)
    error = (
        OSError(errno.ENOSPC, "No space left on device") if failure == "enospc" else ValueError()
    )

    def broken(*_args: object) -> None:
        raise error

    monkeypatch.setattr(fsio.os, call, broken)
    expected = OperationalError if failure == "enospc" else ValueError
    with pytest.raises(expected):
        stamp_file(path, holder="Example News", year=2022)
    monkeypatch.undo()
    assert path.read_bytes() == data
    assert os.listdir(tmp_path) == ["a.txt"]


# What a stamp does to a footer that is already there: never bless one that does not verify.


def _tampered() -> bytes:
    return article().data().replace(b"twice", b"thrice", 1)


@pytest.mark.parametrize("on_footer", [OnFooter.UPDATE, OnFooter.KEEP])
@pytest.mark.parametrize(
    ("data", "verdict"),
    [
        pytest.param(_tampered(), "mismatch", id="edited-text"),
        pytest.param(
            article().data().replace(article().digest.encode(), b"0" * 31), "malformed", id="cut"
        ),
        pytest.param(
            article(holder="Evil Corp").data().replace(b"Evil", b"Good"),
            "mismatch",
            id="holder-changed",
        ),
    ],
)
def test_footer_that_does_not_verify_is_refused_and_never_reblessed(
    data: bytes, verdict: str, on_footer: OnFooter
) -> None:
    with pytest.raises(StampRefused, match=rf"its footer does not verify \({verdict}: ") as caught:
        stamp_bytes(data, holder="Example News", on_footer=on_footer)
    assert exit_status(caught.value) == 1
    assert caught.value.hint is not None and "--update --force" in caught.value.hint


def test_keep_leaves_a_footer_that_verifies_and_stamps_a_new_text() -> None:
    art = article(algorithm="sha256")
    kept, result = stamp_bytes(art.data(), holder="Other", on_footer=OnFooter.KEEP)
    assert (kept, result.action, result.algorithm, result.digest) == (
        art.data(),
        StampAction.ALREADY_STAMPED,
        Algorithm.SHA256,
        art.digest,
    )
    new, result = stamp_bytes(b"New text.\n", holder="X", year=2022, on_footer=OnFooter.KEEP)
    assert result.action is StampAction.STAMPED and check_bytes(new).verdict is Verdict.OK


def test_keep_refuses_a_notice_without_a_token_that_update_completes() -> None:
    bare = f"{article().covered}\n".encode()
    with pytest.raises(StampRefused, match="notice with no fingerprint") as caught:
        stamp_bytes(bare, holder="X", on_footer=OnFooter.KEEP)
    assert caught.value.hint == "use --update to add its fingerprint"


def test_stamp_file_keeps_a_tampered_file_byte_identical(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", _tampered())
    with pytest.raises(StampRefused, match=rf"^{tmp_path}/a.txt: its footer does not verify"):
        stamp_file(path, holder=None, on_footer=OnFooter.UPDATE)
    assert path.read_bytes() == _tampered()
    assert check_file_verdict(path) is Verdict.MISMATCH


def check_file_verdict(path: Path) -> Verdict:
    return check_bytes(path.read_bytes()).verdict


# Owner, group, mode and hard links: a rename-replace must not change who owns the file, nor
# leave other names of it behind.


@pytest.mark.skipif(os.geteuid() != 0, reason="only root gives a file to another user")
def test_stamp_as_root_keeps_owner_group_and_mode(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", f"{TEXT}\n")
    os.chown(path, 4321, 8765)
    path.chmod(0o2640)  # Set-group-ID too: chown clears it, so the mode must come after.
    stamp_file(path, holder="Example News", year=2022)
    after = path.stat()
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (4321, 8765, 0o2640)
    assert check_file_verdict(path) is Verdict.OK


def test_stamp_that_cannot_keep_the_owner_fails_and_leaves_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = f"{TEXT}\n".encode()
    path = write(tmp_path, "a.txt", data)
    real_fstat = os.fstat

    def someone_elses(fd: int) -> os.stat_result:
        # The temporary file reads as the writer's, the original as another user's.
        fields = list(real_fstat(fd))
        fields[4] += 1  # st_uid
        return os.stat_result(fields)

    def denied(*_args: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(fsio.os, "fstat", someone_elses)
    monkeypatch.setattr(fsio.os, "fchown", denied)
    with pytest.raises(OperationalError, match=r"cannot keep the owner and group of .*a\.txt"):
        stamp_file(path, holder="Example News", year=2022)
    monkeypatch.undo()
    assert path.read_bytes() == data
    assert os.listdir(tmp_path) == ["a.txt"]


def test_file_with_other_hard_links_is_refused_unless_asked(tmp_path: Path) -> None:
    data = f"{TEXT}\n".encode()
    path = write(tmp_path, "a.txt", data)
    other = tmp_path / "copy-in-another-issue.txt"
    os.link(path, other)
    with pytest.raises(StampRefused, match="has 1 other hard link, which would keep the old text"):
        stamp_file(path, holder="Example News", year=2022)
    assert path.read_bytes() == data and path.stat().st_nlink == 2
    result = stamp_file(path, holder="Example News", year=2022, break_hard_links=True)
    assert result.action is StampAction.STAMPED
    assert other.read_bytes() == data and check_file_verdict(path) is Verdict.OK


def test_hard_linked_file_that_needs_no_write_is_not_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", article().data())
    os.link(path, tmp_path / "b.txt")
    assert stamp_file(path, holder="X", on_footer=OnFooter.KEEP).action is (
        StampAction.ALREADY_STAMPED
    )
