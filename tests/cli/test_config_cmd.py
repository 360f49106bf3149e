"""`provenance config [PATH...]`: the effective settings and where each came from.

The configuration is looked for from the current folder up (never from the paths named), so
each test stands in its own temporary project with ``monkeypatch.chdir``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from conftest import assert_usage_error, invoke, write


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
    )


def test_values_and_sources_from_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = write(
        tmp_path,
        "pyproject.toml",
        '[tool.provenance]\nstrict = true\nexclude = ["drafts", "*.tmp"]\n'
        'allowed_signers = "allowed_signers"\n',
    )
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
