"""Attacks on the footer: moving it, doubling it, gluing it, casing it, appending after it.

Each test is named after its attack and asserts the safe outcome: a verdict that does not
pass a tampered or ambiguous file as intact (under ``--strict`` at least), a reason a user can
act on, and the documented exit status.
"""

from __future__ import annotations

from pathlib import Path

from provenance.model import Verdict
from provenance.verify import check_bytes
from tests.attacks.conftest import assert_clean
from tests.conftest import article, hang_guard, invoke, notice, write

GOOD = article()
EVIL = article(body="The board voted to close the ferry line for good.")


def test_text_appended_after_the_footer_is_a_trailer_that_fails_strict(tmp_path: Path) -> None:
    data = GOOD.data(trailer="\nThe board later reversed its decision.")
    result = check_bytes(data)
    assert result.verdict is Verdict.OK
    assert result.trailer == "The board later reversed its decision."
    assert not result.failed() and result.failed(strict=True)
    path = write(tmp_path, "a.txt", data)
    assert_clean(invoke("verify", path), 0)
    strict = invoke("verify", "--strict", path)
    assert_clean(strict, 1)
    assert "text after the fingerprint is not covered" in strict.stdout


def test_long_text_appended_after_the_footer_leaves_no_footer() -> None:
    data = GOOD.data(trailer="\n" + "Appended paragraph. " * 80)
    result = check_bytes(data)
    assert result.verdict is Verdict.NO_FOOTER
    assert "followed by more than 1024 bytes" in result.detail
    assert result.failed(strict=True)


def test_second_footer_after_the_first_is_judged_on_the_whole_file() -> None:
    # The last footer covers everything before it, the first footer included.
    copied = GOOD.data() + GOOD.data()
    assert check_bytes(copied).verdict is Verdict.MISMATCH


def test_evil_text_and_second_footer_appended_is_a_mismatch() -> None:
    evil_footer = EVIL.covered.rsplit("\n", 1)[1] + " " + EVIL.digest + "\n"
    data = GOOD.data() + b"Evil addendum.\n" + evil_footer.encode()
    result = check_bytes(data)
    assert result.verdict is Verdict.MISMATCH
    assert result.expected == EVIL.digest


def test_footer_moved_into_the_middle_leaves_no_footer() -> None:
    data = GOOD.data() + b"A paragraph added after the footer.\n" * 200
    result = check_bytes(data)
    assert result.verdict is Verdict.NO_FOOTER
    assert result.failed(strict=True)


def test_two_notices_on_one_line_have_no_fingerprint() -> None:
    line = f"{notice()} {notice()} {GOOD.digest}\n"
    result = check_bytes(f"Body.\n{line}".encode())
    assert result.verdict is Verdict.NO_FOOTER
    assert result.trailer is not None and result.failed(strict=True)


def test_uppercase_hex_token_is_malformed_and_fails(tmp_path: Path) -> None:
    data = f"{GOOD.covered} {GOOD.digest.upper()}\n".encode()
    result = check_bytes(data)
    assert result.verdict is Verdict.MALFORMED
    assert "lowercase hex" in result.detail
    assert_clean(invoke("verify", write(tmp_path, "a.txt", data)), 1)


def test_token_glued_to_following_text_is_malformed() -> None:
    result = check_bytes(f"{GOOD.covered} {GOOD.digest}Appeared in print.\n".encode())
    assert result.verdict is Verdict.MALFORMED
    assert result.failed()


def test_token_glued_to_the_notice_is_malformed() -> None:
    assert check_bytes(f"{GOOD.covered}{GOOD.digest}\n".encode()).verdict is Verdict.MALFORMED


def test_token_truncated_by_one_digit_is_malformed() -> None:
    assert check_bytes(f"{GOOD.covered} {GOOD.digest[:-1]}\n".encode()).verdict is Verdict.MALFORMED


def test_sha256_token_cut_to_md5_length_is_a_mismatch() -> None:
    long = article(algorithm="sha256")
    result = check_bytes(f"{long.covered} {long.digest[:32]}\n".encode())
    assert result.verdict is Verdict.MISMATCH


def test_notice_quoted_mid_line_near_the_end_is_not_the_footer() -> None:
    data = f'{GOOD.covered} {GOOD.digest}\nHe said "{notice()} {EVIL.digest}" twice.\n'
    result = check_bytes(data.encode())
    # The quoted notice does not start a line: the real footer stays the footer.
    assert result.verdict is Verdict.OK
    assert result.trailer is not None and result.failed(strict=True)


def test_altered_holder_with_recomputed_md5_passes_the_footer_but_not_a_signature() -> None:
    # The documented limit of MD5: anyone can recompute it. Only a signature catches this.
    forged = article(holder="Forged Press, Inc.")
    assert check_bytes(forged.data()).verdict is Verdict.OK


def test_nul_byte_hidden_before_the_footer_is_unreadable() -> None:
    data = GOOD.data().replace(b"ferry", b"fer\x00ry", 1)
    result = check_bytes(data)
    assert result.verdict is Verdict.UNREADABLE and "NUL byte" in result.detail


def test_invalid_utf8_in_the_trailer_is_unreadable() -> None:
    result = check_bytes(GOOD.data(trailer="\n") + b"\xff\n")
    assert result.verdict is Verdict.UNREADABLE


def test_eleven_megabytes_of_notices_on_one_line_end() -> None:
    data = "Copyright ©2022 ".encode() * 700_000
    with hang_guard():
        result = check_bytes(data)
    assert result.verdict is Verdict.NO_FOOTER


def test_edited_article_is_not_reblessed_by_a_stamp_update_run(tmp_path: Path) -> None:
    # The attacker edits a stamped article and waits for the nightly `stamp --update` (or
    # `--missing-only`) job to give it a fresh, matching footer.
    path = write(
        tmp_path / "issue", "a.txt", EVIL.data().replace(EVIL.digest.encode(), GOOD.digest.encode())
    )
    tampered = path.read_bytes()
    for flags in (["--update"], ["--missing-only", "--holder", "Example News"]):
        result = invoke("stamp", *flags, tmp_path / "issue")
        assert_clean(result, 1)
        assert "its footer does not verify (mismatch: " in result.stderr
        assert result.stdout.splitlines()[-1] == "1 refused"
        assert path.read_bytes() == tampered
        assert check_bytes(tampered).verdict is Verdict.MISMATCH
    # Only an explicit --force re-stamps it, as it now is.
    assert_clean(invoke("stamp", "--update", "--force", path), 0)
    assert check_bytes(path.read_bytes()).verdict is Verdict.OK
