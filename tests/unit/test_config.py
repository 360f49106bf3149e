"""provenance.config: finding the file, checking every key, and flag > file > default."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import article, assert_usage_error, invoke, write

from provenance.cli import exit_status
from provenance.config import (
    COMMAND_LINE,
    DEFAULT,
    KEYS,
    MAX_CONFIG_SIZE,
    Settings,
    find_config,
    ignored_configs,
    load_config,
    resolve,
)
from provenance.errors import InputError
from provenance.model import Canonicalization

FULL = """\
include = ["*.txt"]
exclude = ["drafts"]
strict = true
canonicalization = "simple"
allowed_signers = "keys/allowed_signers"
require_signature = true
publisher_tokens = ["tokens.txt", "/abs/more.txt"]
"""


def test_every_key_has_a_settings_field() -> None:
    assert set(KEYS) <= set(Settings.__dataclass_fields__)


def test_provenance_toml_values_are_typed_and_paths_relative_to_the_file(tmp_path: Path) -> None:
    write(tmp_path, "provenance.toml", FULL)
    config = find_config(tmp_path)
    assert config is not None
    assert config.path == tmp_path / "provenance.toml" and config.table == ""
    assert dict(config.values) == {
        "include": ("*.txt",),
        "exclude": ("drafts",),
        "strict": True,
        "canonicalization": Canonicalization.SIMPLE,
        "allowed_signers": str(tmp_path / "keys" / "allowed_signers"),
        "require_signature": True,
        "publisher_tokens": (str(tmp_path / "tokens.txt"), "/abs/more.txt"),
    }


def test_pyproject_tool_provenance_table(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.provenance]\nstrict = true\n')
    config = find_config(tmp_path / "articles")
    assert config is not None
    assert config.table == "tool.provenance"
    assert config.name == f"{tmp_path / 'pyproject.toml'} [tool.provenance]"
    assert dict(config.values) == {"strict": True}


def test_search_walks_up_from_a_file_and_skips_pyprojects_without_the_table(
    tmp_path: Path,
) -> None:
    write(tmp_path, "provenance.toml", "strict = true\n")
    write(tmp_path, "site/pyproject.toml", "[tool.black]\nline-length = 80\n")
    path = write(tmp_path, "site/articles/2022/a.txt", article().data())
    config = find_config(path)
    assert config is not None and config.path == tmp_path / "provenance.toml"


def test_nearest_file_wins_and_provenance_toml_beats_pyproject_in_one_folder(
    tmp_path: Path,
) -> None:
    write(tmp_path, "provenance.toml", "strict = true\n")
    write(tmp_path, "sub/pyproject.toml", "[tool.provenance]\nstrict = false\n")
    write(tmp_path, "sub/provenance.toml", 'canonicalization = "simple"\n')
    config = find_config(tmp_path / "sub")
    assert config is not None and config.path == tmp_path / "sub" / "provenance.toml"
    assert dict(config.values) == {"canonicalization": Canonicalization.SIMPLE}


def test_no_file_anywhere_gives_none(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None


# --- never a file inside the checked paths ----------------------------------------------------


def test_a_config_found_inside_a_checked_folder_is_refused_unread(tmp_path: Path) -> None:
    # The walk starts in the cwd; standing in (or under) a checked folder, it meets that
    # folder's files: refused, never read (an invalid file would otherwise be an error).
    write(tmp_path, "incoming/provenance.toml", "this is not TOML\n")
    for start in (tmp_path / "incoming", tmp_path / "incoming" / "deeper"):
        start.mkdir(exist_ok=True)
        with pytest.raises(InputError) as caught:
            find_config(start, [tmp_path / "incoming"])
        assert exit_status(caught.value) == 2
        assert "inside the checked path" in str(caught.value)
        assert caught.value.hint is not None and "--config" in caught.value.hint


def test_a_project_config_above_the_checked_folder_is_used(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.provenance]\nstrict = true\n")
    (tmp_path / "articles").mkdir()
    config = find_config(tmp_path / "articles", [tmp_path / "articles"])
    assert config is not None and config.path == tmp_path / "pyproject.toml"
    with pytest.raises(InputError, match="inside the checked path"):
        find_config(tmp_path, [tmp_path])  # cd project && provenance verify .


def test_a_pyproject_without_the_table_inside_a_checked_folder_is_passed_over(
    tmp_path: Path,
) -> None:
    write(tmp_path, "provenance.toml", "strict = true\n")
    write(tmp_path, "site/pyproject.toml", "[tool.black]\nline-length = 80\n")
    config = find_config(tmp_path / "site", [tmp_path / "site"])
    assert config is not None and config.path == tmp_path / "provenance.toml"


def test_inside_is_decided_on_real_paths_but_not_on_the_files_own_link(tmp_path: Path) -> None:
    write(tmp_path, "elsewhere/provenance.toml", "strict = true\n")
    (tmp_path / "incoming").mkdir()
    (tmp_path / "incoming" / "provenance.toml").symlink_to(tmp_path / "elsewhere/provenance.toml")
    (tmp_path / "link").symlink_to(tmp_path / "incoming")
    with pytest.raises(InputError, match="inside the checked path"):
        find_config(tmp_path / "incoming", [tmp_path / "link"])


def test_files_sitting_in_checked_folders_are_listed_as_ignored(tmp_path: Path) -> None:
    write(tmp_path, "a/provenance.toml", "strict = true\n")
    write(tmp_path, "a/pyproject.toml", "[tool.provenance]\n")
    file = write(tmp_path, "b/x.txt", "text\n")
    assert ignored_configs([tmp_path / "a", file]) == (
        tmp_path / "a" / "provenance.toml",
        tmp_path / "a" / "pyproject.toml",
    )


# --- the file is read safely -------------------------------------------------------------------


def test_a_folder_named_like_a_config_is_an_error_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "provenance.toml").mkdir()
    with pytest.raises(InputError, match="not a regular file"):
        find_config(tmp_path)


def test_deeply_nested_toml_is_one_clean_error(tmp_path: Path) -> None:
    path = write(tmp_path, "provenance.toml", "a=" + "[" * 100_000 + "\n")
    with pytest.raises(InputError, match=f"^{path}: not valid TOML: nested too deeply$"):
        find_config(tmp_path)


def test_an_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, "provenance.toml", "# " + "x" * MAX_CONFIG_SIZE + "\n")
    with pytest.raises(InputError, match="larger than"):
        load_config(path)


# --- errors: a clear message naming the file and the key, exit 2 ------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stritc = true\n", "unknown key 'stritc'"),
        ('strict = "yes"\n', "key 'strict' must be true or false, found string 'yes'"),
        ("strict = 1\n", "key 'strict' must be true or false, found integer 1"),
        ('include = "*.txt"\n', "key 'include' must be an array of strings, found string '*.txt'"),
        ("exclude = [1]\n", "key 'exclude' must be an array of strings, found array [1]"),
        (
            'canonicalization = "loose"\n',
            "key 'canonicalization' must be 'relaxed' or 'simple', found string 'loose'",
        ),
        ("allowed_signers = 3\n", "key 'allowed_signers' must be a non-empty string (a path)"),
        ("require_signature = []\n", "key 'require_signature' must be true or false"),
        ('publisher_tokens = [""]\n', "key 'publisher_tokens' must not contain an empty path"),
        ("[tables]\nx = 1\n", "unknown key 'tables'"),
    ],
)
def test_bad_provenance_toml(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "provenance.toml", text)
    with pytest.raises(InputError) as caught:
        find_config(tmp_path)
    assert exit_status(caught.value) == 2
    assert str(caught.value).startswith(f"{path}: {message}")


def test_bad_pyproject_names_the_table(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", "[tool.provenance]\nstrict = 'no'\n")
    with pytest.raises(InputError, match=r"\[tool.provenance\] key 'strict' must be true or false"):
        find_config(tmp_path)
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: [tool.provenance] key 'strict'")


def test_unknown_key_hint_suggests_the_close_one(tmp_path: Path) -> None:
    write(tmp_path, "provenance.toml", "require-signature = true\n")
    with pytest.raises(InputError) as caught:
        find_config(tmp_path)
    assert caught.value.hint == "did you mean 'require_signature'?"
    write(tmp_path, "provenance.toml", "colour = true\n")
    with pytest.raises(InputError) as caught:
        find_config(tmp_path)
    assert caught.value.hint == f"known keys: {', '.join(KEYS)}"


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "provenance.toml", "strict = \n")
    with pytest.raises(InputError, match=f"^{path}: not valid TOML: "):
        find_config(tmp_path)


def test_tool_provenance_must_be_a_table(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", "[tool]\nprovenance = 3\n")
    with pytest.raises(InputError, match="must be a table, found integer"):
        load_config(path)


# --- precedence: flag > file > default --------------------------------------------------------


def test_resolve_precedence_and_sources(tmp_path: Path) -> None:
    write(tmp_path, "provenance.toml", 'strict = true\ninclude = ["*.md"]\n')
    config = find_config(tmp_path)
    settings = resolve(config, {"strict": False})
    assert settings.strict is False and settings.source("strict") == COMMAND_LINE
    assert settings.include == ("*.md",)
    assert config is not None and settings.source("include") == config.name
    assert settings.canonicalization is Canonicalization.RELAXED
    assert settings.source("canonicalization") == DEFAULT
    assert [key for key, _ in settings.sources] == list(KEYS)


def test_resolve_rejects_keys_that_are_not_settings() -> None:
    with pytest.raises(ValueError, match="not configuration keys: colour"):
        resolve(None, {"colour": True})


def _folder_with_config(tmp_path: Path, config: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project holding ``config`` and an ``articles`` folder; the cwd is the project."""
    art = article()
    write(tmp_path, "provenance.toml", config)
    write(tmp_path, "articles/a.txt", art.data(trailer=" Appeared in print."))
    write(tmp_path, "articles/b.md", "No footer at all.\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "articles"


def test_default_when_neither_file_nor_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder_with_config(tmp_path, "", monkeypatch)
    result = invoke("verify", folder)
    assert result.exit_code == 0
    assert result.stdout.endswith("2 files: 1 ok, 1 no-footer; passed\n")


def test_config_file_beats_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder_with_config(tmp_path, 'strict = true\ninclude = ["*.txt"]\n', monkeypatch)
    result = invoke("verify", folder)
    assert result.exit_code == 1
    assert result.stdout.endswith("1 file: 1 ok; FAILED (1 failing) under --strict\n")


def test_flag_beats_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder_with_config(tmp_path, 'strict = true\ninclude = ["*.txt"]\n', monkeypatch)
    result = invoke("verify", "--no-strict", "--include", "*.md", folder)
    assert result.exit_code == 0
    assert result.stdout.endswith("1 file: 1 no-footer; passed\n")


def test_config_is_found_from_the_cwd_not_from_the_checked_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder_with_config(tmp_path, "strict = true\n", monkeypatch)
    result = invoke("verify", folder / "a.txt")
    assert result.exit_code == 1 and "under --strict" in result.stdout
    monkeypatch.chdir(tmp_path.parent)  # Outside the project: its file is not looked at.
    assert invoke("verify", folder / "a.txt").exit_code == 0


def test_no_config_and_explicit_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder_with_config(tmp_path, "strict = true\n", monkeypatch)
    assert invoke("verify", "--no-config", folder).exit_code == 0
    other = write(tmp_path / "elsewhere", "relaxed.toml", "strict = false\n")
    assert invoke("verify", "--config", other, folder).exit_code == 0


def test_cwd_inside_the_checked_folder_is_refused_and_config_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder_with_config(tmp_path, "strict = true\n", monkeypatch)
    result = invoke("verify", ".")
    assert_usage_error(result)
    assert result.stderr.splitlines() == [
        f"provenance: error: {tmp_path / 'provenance.toml'}: configuration file inside the"
        f" checked path {tmp_path}; a checked folder never configures its own check",
        f"hint: name it with --config {tmp_path / 'provenance.toml'} to use it,"
        " or give --no-config",
    ]
    result = invoke("verify", "--config", "provenance.toml", ".")
    assert result.exit_code == 1 and "under --strict" in result.stdout
    assert invoke("verify", "--no-config", folder).exit_code == 0


def test_publisher_tokens_from_config_are_relative_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "0123456789abcdef0123456789abcdef"
    write(tmp_path, "conf/tokens.txt", f"{token} Other Press\n")
    write(tmp_path, "provenance.toml", 'publisher_tokens = ["conf/tokens.txt"]\n')
    path = write(
        tmp_path,
        "articles/a.txt",
        f"Story.\nCopyright 2022 Other Press. All Rights Reserved. {token}\n",
    )
    monkeypatch.chdir(tmp_path / "articles")
    result = invoke("verify", path)
    assert result.exit_code == 0
    assert "publisher token of Other Press" in result.stdout


def test_bad_config_is_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder_with_config(tmp_path, "strict = 'yes'\n", monkeypatch)
    result = invoke("verify", folder)
    assert result.exit_code == 2
    assert result.stderr == (
        f"provenance: error: {tmp_path / 'provenance.toml'}: key 'strict' must be true or false,"
        " found string 'yes'\n"
    )
