"""`provenance config [PATH...]`: the effective settings and where each came from.

The configuration is looked for from the current folder up (never from the paths named), so
each test stands in its own temporary project with ``monkeypatch.chdir``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, assert_usage_error, invoke, write


def test_defaults_when_there_is_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("config")
    assert result.exit_code == 0
    assert result.stdout == (
        "# config file: none found\n"
        "include = []  # from default\n"
        "exclude = []  # from default\n"
        "strict = false  # from default\n"
        'canonicalization = "relaxed"  # from default\n'
        "# allowed_signers = (not set)  # from default\n"
        "require_signature = false  # from default\n"
        "publisher_tokens = []  # from default\n"
        "allow_empty = false  # from default\n"
        "allow_unsigned = false  # from default\n"
        "# revoked = (not set)  # from default\n"
        "# verify_time = (not set)  # from default\n"
        "# c2pa_trust = (not set)  # from default\n"
        "require_c2pa = false  # from default\n"
    )


def test_values_and_sources_from_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = write(
        tmp_path,
        "pyproject.toml",
        '[tool.provenance]\nstrict = true\nexclude = ["drafts", "*.tmp"]\n'
        'allowed_signers = "allowed_signers"\n',
    )
    pub = (ROOT / "fixtures" / "sshsig" / "ed25519.pub").read_text()
    write(tmp_path, "allowed_signers", f"alice@example.com {pub}")
    sub = tmp_path / "articles"
    sub.mkdir()
    monkeypatch.chdir(sub)
    result = invoke("config", sub)
    assert result.exit_code == 0
    where = f"{project} [tool.provenance]"
    lines = result.stdout.splitlines()
    assert lines[0] == f"# config file: {where}"
    assert f"strict = true  # from {where}" in lines
    assert f'exclude = ["drafts", "*.tmp"]  # from {where}' in lines
    assert f'allowed_signers = "{tmp_path / "allowed_signers"}"  # from {where}' in lines
    assert 'canonicalization = "relaxed"  # from default' in lines


def test_text_output_is_valid_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "provenance.toml", 'include = ["*.txt"]\ncanonicalization = "simple"\n')
    monkeypatch.chdir(tmp_path)
    result = invoke("config")
    parsed = tomllib.loads(result.stdout)
    assert parsed["include"] == ["*.txt"] and parsed["canonicalization"] == "simple"


def test_json_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "provenance.toml", "strict = true\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("config", "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["version"] == 1
    assert payload["config_file"] == str(path)
    assert payload["settings"]["strict"] == {"value": True, "source": str(path)}
    assert payload["settings"]["include"] == {"value": [], "source": "default"}
    assert payload["settings"]["allowed_signers"] == {"value": None, "source": "default"}


def test_bad_file_is_exit_2_naming_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "provenance.toml", "strict = true\nfoo = 1\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("config")
    assert_usage_error(result)
    assert result.stderr.splitlines()[0] == f"provenance: error: {path}: unknown key 'foo'"


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    assert_usage_error(invoke("config", tmp_path / "nope"))


def test_config_option_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "elsewhere.toml", "allow_empty = true\n")
    result = invoke("config", "--config", path)
    assert result.exit_code == 0
    assert f"allow_empty = true  # from {path}" in result.stdout.splitlines()


def test_a_file_in_a_named_path_is_refused_when_standing_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "provenance.toml", "strict = true\n")
    monkeypatch.chdir(tmp_path)
    assert_usage_error(invoke("config", "."))
    assert invoke("config", "--config", "provenance.toml", ".").exit_code == 0


# --- the pre-flight check: every file the settings name is read as verify reads it -----------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("allowed_signers", "alice@example.com ssh-ed25519 not-base64!\n", "allowed_signers:1"),
        ("tokens.txt", "not a token line\n", "tokens.txt:1"),
    ],
)
def test_a_malformed_named_file_fails_config_as_it_fails_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: str, message: str
) -> None:
    key = "allowed_signers" if name == "allowed_signers" else "publisher_tokens"
    value = f'"{name}"' if key == "allowed_signers" else f'["{name}"]'
    write(tmp_path, "provenance.toml", f"{key} = {value}\n")
    write(tmp_path, name, content)
    write(tmp_path / "articles", "a.txt", "Just a story.\n")
    monkeypatch.chdir(tmp_path)
    config = invoke("config", "articles")
    assert_usage_error(config)
    assert message in config.stderr
    # The settings are still shown, so that the error can be read against them.
    assert f"{key} = " in config.stdout
    verify = invoke("verify", "articles")
    assert (verify.exit_code, verify.stderr) == (config.exit_code, config.stderr)


def test_a_missing_trust_file_fails_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "provenance.toml", 'allowed_signers = "nowhere/allowed_signers"\n')
    monkeypatch.chdir(tmp_path)
    result = invoke("config")
    assert_usage_error(result)
    assert "nowhere/allowed_signers" in result.stderr


def test_a_fifo_as_trust_file_fails_config_unopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    os.mkfifo(tmp_path / "allowed_signers")
    write(tmp_path, "provenance.toml", 'allowed_signers = "allowed_signers"\n')
    monkeypatch.chdir(tmp_path)
    result = invoke("config", "--format", "json")
    assert_usage_error(result)
    assert "FIFO" in result.stderr
    assert json.loads(result.stdout)["settings"]["allowed_signers"]["source"] != "default"


def test_require_signature_without_trust_fails_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "provenance.toml", "require_signature = true\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("config")
    assert_usage_error(result)
    assert "needs a trust source" in result.stderr


def test_good_named_files_pass_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pub = (ROOT / "fixtures" / "sshsig" / "ed25519.pub").read_text()
    write(tmp_path, "allowed_signers", f"alice@example.com {pub}")
    write(tmp_path, "tokens.txt", f"{'ab' * 16} Example Wire\n")
    write(
        tmp_path,
        "provenance.toml",
        'allowed_signers = "allowed_signers"\npublisher_tokens = ["tokens.txt"]\n'
        "require_signature = true\n",
    )
    monkeypatch.chdir(tmp_path)
    result = invoke("config")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
