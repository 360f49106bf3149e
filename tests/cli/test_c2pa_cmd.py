"""verify --c2pa-trust / --require-c2pa: credentials change the exit code only when required."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from provenance import c2pa_verify
from tests.conftest import ROOT, assert_usage_error, invoke

FIXTURES = ROOT / "fixtures" / "c2pa"
CA = FIXTURES / "test-ca.pem"
GOOD = FIXTURES / "stamped-then-credentialed.txt"
PLAIN = FIXTURES / "article.txt"
BAD = FIXTURES / "bad-signature.txt"


def test_credentials_never_change_the_exit_code_unless_required() -> None:
    result = invoke("verify", "--c2pa-trust", CA, GOOD, BAD, PLAIN, FIXTURES / "truncated.txt")
    assert result.exit_code == 0, result.output
    assert "binding ok; invalid]" in result.stdout


def test_require_c2pa_passes_only_trusted_bound_credentials() -> None:
    result = invoke("verify", "--require-c2pa", "--c2pa-trust", CA, GOOD)
    assert result.exit_code == 0, result.output
    for path, word in (
        (PLAIN, "c2pa-absent"),
        (BAD, "c2pa-invalid"),
        (FIXTURES / "crlf.txt", "c2pa-malformed"),
        (FIXTURES / "tampered-word.txt", "mismatch"),  # The footer's own verdict leads.
        (FIXTURES / "credentialed-then-stamped.txt", "c2pa-mismatch"),
        (FIXTURES / "truncated.txt", "c2pa-corrupt"),
        (FIXTURES / "two-wrappers.txt", "c2pa-multiple"),
    ):
        result = invoke("verify", "--require-c2pa", "--c2pa-trust", CA, path)
        assert result.exit_code == 1, (path, result.output)
        assert result.stdout.startswith(f"{word} "), result.stdout


def test_require_c2pa_fails_a_signer_the_anchors_did_not_issue() -> None:
    result = invoke("verify", "--require-c2pa", "--c2pa-trust", FIXTURES / "other-ca.pem", GOOD)
    assert result.exit_code == 1
    assert result.stdout.startswith("c2pa-untrusted ")


def test_require_c2pa_without_anchors_is_a_usage_error() -> None:
    result = invoke("verify", "--require-c2pa", GOOD)
    assert_usage_error(result)
    assert "--require-c2pa needs trust anchors" in result.stderr


def test_the_configuration_file_sets_both(tmp_path: Path) -> None:
    shutil.copy(CA, tmp_path / "ca.pem")
    config = tmp_path / "provenance.toml"
    config.write_text('c2pa_trust = "ca.pem"\nrequire_c2pa = true\n')
    shutil.copy(PLAIN, tmp_path / "work.txt")
    result = invoke("verify", "--config", config, tmp_path / "work.txt")
    assert result.exit_code == 1
    assert result.stdout.startswith("c2pa-absent ")


def test_json_reports_the_signature_and_signer() -> None:
    result = invoke("verify", "--format", "json", "--c2pa-trust", CA, GOOD)
    (entry,) = json.loads(result.stdout)["results"]
    assert entry["c2pa"]["signature"] == "trusted"
    assert entry["c2pa"]["signer"].startswith("Example News test signer")


def test_without_the_extra_the_report_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(c2pa_verify, "_native", lambda: None)
    result = invoke("verify", GOOD)
    assert result.exit_code == 0
    assert "(not verified: install the c2pa extra: pip install 'article-provenance[c2pa]')" in (
        result.stdout
    )
    result = invoke("verify", "--c2pa-trust", CA, GOOD)
    assert_usage_error(result)
    assert "--c2pa-trust needs the c2pa extra" in result.stderr
