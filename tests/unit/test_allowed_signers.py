"""allowed_signers: the format ssh-keygen reads, strictly, and the trust decisions it gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from provenance import allowed_signers as trust
from provenance.errors import InputError
from provenance.keys import PublicKey, load_public_key

VECTORS = Path(__file__).resolve().parents[2] / "fixtures" / "sshsig"
ALICE = load_public_key(VECTORS / "ed25519.pub")
BOB = load_public_key(VECTORS / "ed25519-passphrase.pub")
CAROL = load_public_key(VECTORS / "rsa.pub")
A = ALICE.to_openssh()
B = BOB.to_openssh()


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp())


NOW = _utc(2025, 6, 1)


def _decide(
    text: str,
    key: PublicKey = ALICE,
    namespace: str = "file",
    when: int = NOW,
    principal: str | None = None,
) -> trust.TrustDecision:
    return trust.parse_allowed_signers(text, "signers").decide(key, namespace, when, principal)


# -- patterns -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("alice@example.com", "alice@example.com", True),
        ("alice@example.com", "*@example.com", True),
        ("alice@example.org", "*@example.com", False),
        ("bob", "b?b", True),
        ("boob", "b?b", False),
        ("a.b", "a?b", True),
        ("axb", "a.b", False),  # Only * and ? are special: "." is literal.
        ("[a]", "[a]", True),
        ("", "*", True),
    ],
)
def test_match_pattern(text: str, pattern: str, expected: bool) -> None:
    assert trust.match_pattern(text, pattern) is expected


def test_match_pattern_list_with_negation() -> None:
    patterns = ("*@example.com", "!eve@example.com")
    assert trust.match_pattern_list("alice@example.com", patterns)
    assert not trust.match_pattern_list("eve@example.com", patterns)
    assert not trust.match_pattern_list("bob@example.org", patterns)
    assert not trust.match_pattern_list("anyone", ("!eve",))  # Negation alone allows nobody.


# -- parsing --------------------------------------------------------------------------------------


def test_comments_blank_lines_crlf_and_indentation() -> None:
    text = f"# team\r\n\r\n   alice@example.com {A}\r\n\t# more\n  \nbob@example.com {B}"
    parsed = trust.parse_allowed_signers(text, "signers")
    assert [(e.principals, e.key, e.line) for e in parsed.entries] == [
        (("alice@example.com",), ALICE, 3),
        (("bob@example.com",), BOB, 6),
    ]


def test_principal_lists_and_quoted_principals() -> None:
    parsed = trust.parse_allowed_signers(
        f'alice@example.com,*@team.example.com {A}\n"Bob Smith,bob@x" {B}\n'
    )
    assert parsed.entries[0].principals == ("alice@example.com", "*@team.example.com")
    assert parsed.entries[1].principals == ("Bob Smith", "bob@x")


def test_options_are_read_with_any_case_and_escaped_quotes() -> None:
    line = (
        'alice NAMESPACES="file,git,\\"odd\\"",Valid-After="20240101",'
        f'valid-before="202601021530Z" {A}'
    )
    (entry,) = trust.parse_allowed_signers(line).entries
    assert entry.namespaces == ("file", "git", '"odd"')
    assert entry.valid_after == int(datetime(2024, 1, 1).timestamp())  # Local time, no Z.
    assert entry.valid_before == _utc(2026, 1, 2, 15, 30)


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("20240229Z", _utc(2024, 2, 29)),
        ("202402291201Z", _utc(2024, 2, 29, 12, 1)),
        ("20240229120159z", _utc(2024, 2, 29, 12, 1, 59)),
        ("20240229UTC", _utc(2024, 2, 29)),
        ("20240229", int(datetime(2024, 2, 29).timestamp())),
    ],
)
def test_time_formats(stamp: str, expected: int) -> None:
    (entry,) = trust.parse_allowed_signers(f'a valid-after="{stamp}" {A}').entries
    assert entry.valid_after == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("alice@example.com", "missing key after the principals"),
        ("alice@example.com ssh-ed25519", "TYPE BASE64"),
        ('alice namespaces="file" ', "missing key after the options"),
        (f"alice unknown-option {A}", "unknown option 'unknown-option'"),
        (f'alice foo="bar" {A}', "unknown option 'foo'"),
        (f"alice namespaces=file {A}", "must be in double quotes"),
        (f'alice namespaces="file {A}', "unterminated quote in the options"),
        (f'alice namespaces="a",namespaces="b" {A}', 'multiple "namespaces" clauses'),
        (f'alice namespaces="a", {A}', "unexpected end of options"),
        (f'alice namespaces="a";x {A}', "expected ','"),
        (f'alice valid-after="20241301" {A}', 'invalid "valid-after" time'),
        (f'alice valid-after="2024010" {A}', 'invalid "valid-after" time'),
        (f'alice valid-after="19000101Z" {A}', "before 1970"),
        (f'alice valid-after="20250101Z",valid-before="20250101Z" {A}', "not after"),
        (f"alice cert-authority {A}", "cert-authority is not supported"),
        (f'alice CERT-AUTHORITY,namespaces="x" {A}', "cert-authority is not supported"),
        ("alice ssh-dss AAAA", "not supported by provenance"),
        ("alice ssh-dss AAAA", "not supported by provenance"),
        (
            "alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "weak Ed25519 public key",
        ),
        ("alice ssh-ed25519 AAAA*", "not valid base64"),
        (f"alice ssh-rsa {A.split()[1]}", "the key inside is 'ssh-ed25519'"),
        (f"alice,,bob {A}", "empty principal pattern"),
        (f"alice,! {A}", "empty principal pattern"),
        (f'alice namespaces="file," {A}', "empty namespace pattern"),
        (f'"alice {A}', "unterminated quote in the principals"),
        (f'"alice"bob {A}', "right after the closing quote"),
        (f'al"ice" {A}', "a quote inside the principals"),
        (f"alice rsa-sha2-256 {A}", "unknown option 'rsa-sha2-256'"),
    ],
)
def test_a_malformed_line_is_an_error_naming_file_and_line(line: str, message: str) -> None:
    text = f"# first line\nbob {B}\n{line}\n"
    with pytest.raises(InputError, match=message) as caught:
        trust.parse_allowed_signers(text, "team/allowed_signers")
    assert caught.value.message.startswith("team/allowed_signers:3: ")


def test_non_utf8_line_is_an_error_with_its_number() -> None:
    with pytest.raises(InputError, match="signers:2: not UTF-8"):
        trust.parse_allowed_signers(f"bob {B}\n\xff".encode("latin-1"), "signers")


def test_load_allowed_signers_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "allowed_signers"
    path.write_text(f"alice {A}\n")
    loaded = trust.load_allowed_signers(path)
    assert loaded.source == str(path) and loaded.entries[0].key == ALICE
    with pytest.raises(InputError, match="does not exist"):
        trust.load_allowed_signers(tmp_path / "missing")


# -- decisions ------------------------------------------------------------------------------------


def test_a_listed_key_is_trusted_as_the_principals_of_its_line() -> None:
    decision = _decide(f"bob {B}\nalice@example.com,*@team.example {A}\n")
    assert decision == trust.TrustDecision(
        True, ("alice@example.com", "*@team.example"), "allowed by signers:2"
    )


def test_a_key_not_listed_is_not_trusted() -> None:
    decision = _decide(f"bob {B}\n")
    assert not decision.trusted
    assert decision.reason == f"key {ALICE.fingerprint} is not in signers"


def test_a_key_of_another_type_is_not_trusted() -> None:
    assert not _decide(f"alice {A}\n", key=CAROL).trusted


def test_namespaces_option() -> None:
    text = f'alice namespaces="file,git-*" {A}\n'
    assert _decide(text, namespace="file").trusted
    assert _decide(text, namespace="git-commit").trusted
    refused = _decide(text, namespace="email")
    assert not refused.trusted
    assert (
        refused.reason == "namespace 'email' is not allowed (namespaces='file,git-*') (signers:1)"
    )


def test_valid_after_and_valid_before_are_inclusive() -> None:
    text = f'alice valid-after="20250101Z",valid-before="20251231235959Z" {A}\n'
    assert _decide(text, when=_utc(2025, 1, 1)).trusted
    assert _decide(text, when=_utc(2025, 12, 31, 23, 59, 59)).trusted
    early = _decide(text, when=_utc(2024, 12, 31, 23, 59, 59))
    late = _decide(text, when=_utc(2026, 1, 1))
    assert (
        not early.trusted
        and "not yet valid" in early.reason
        and "2025-01-01T00:00:00Z" in early.reason
    )
    assert not late.trusted and "expired" in late.reason


def test_a_requested_principal_must_match_the_line() -> None:
    text = f"*@example.com,!eve@example.com {A}\n"
    good = _decide(text, principal="alice@example.com")
    assert good.trusted and good.principals == ("alice@example.com",)
    for other in ("eve@example.com", "alice@example.org"):
        refused = _decide(text, principal=other)
        assert not refused.trusted and f"principal {other!r} is not among" in refused.reason


@pytest.mark.parametrize("principals", ["!bad@example.com", "!bad@example.com,!*@evil.example"])
def test_a_line_of_negated_principals_only_trusts_no_one(principals: str) -> None:
    # ssh-keygen's match_pattern_list matches nothing without a positive pattern; with no
    # principal asked for, the line used to trust the key as "!bad@example.com".
    text = f"{principals} {A}\n"
    refused = _decide(text)
    assert not refused.trusted and refused.principals == ()
    assert refused.reason == (
        f"principals {principals!r} are all negated: the line allows no one (signers:1)"
    )
    for asked in ("alice@example.com", "bad@example.com"):
        assert not _decide(text, principal=asked).trusted
    # A positive pattern beside the negations makes the line useful again.
    assert _decide(f"*@example.com,{principals} {A}\n").trusted


def test_another_line_for_the_same_key_can_allow_what_the_first_refuses() -> None:
    text = f'alice namespaces="git" {A}\nalice-files namespaces="file" {A}\n'
    decision = _decide(text)
    assert decision.trusted and decision.principals == ("alice-files",)
    refused = _decide(text, namespace="email")
    assert "signers:1" in refused.reason and "signers:2" in refused.reason


def test_trusted_key_policy() -> None:
    policy = trust.load_trusted_key(VECTORS / "ed25519.pub")
    good = policy.decide(ALICE, "anything", NOW)
    assert good.trusted and good.principals == ("alice@example.com",)
    assert not policy.decide(BOB, "file", NOW).trusted
    assert not policy.decide(ALICE, "file", NOW, principal="mallory").trusted
    assert policy.decide(ALICE, "file", NOW, principal="alice@example.com").trusted
