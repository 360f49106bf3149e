"""provenance.config: finding the file, checking every key, and flag > file > default."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import article, invoke, write

from provenance.config import (
    COMMAND_LINE,
    DEFAULT,
    KEYS,
    Settings,
    config_start,
    find_config,
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


def test_config_start_is_the_deepest_common_folder(tmp_path: Path) -> None:
    a = tmp_path / "x" / "a.txt"
    b = tmp_path / "x" / "y" / "b.txt"
    assert config_start([a, b]) == str(tmp_path / "x")
    assert config_start([a]) == str(a)


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
    assert caught.value.exit_status == 2
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


def _folder_with_config(tmp_path: Path, config: str) -> Path:
    art = article()
    write(tmp_path, "provenance.toml", config)
    write(tmp_path, "a.txt", art.data(trailer=" Appeared in print."))
    write(tmp_path, "b.md", "No footer at all.\n")
    return tmp_path


def test_default_when_neither_file_nor_flag(tmp_path: Path) -> None:
    folder = _folder_with_config(tmp_path, "")
    result = invoke("verify", folder)
    assert result.exit_code == 0
    assert result.stdout.endswith("2 files: 1 ok, 1 no-footer; passed\n")


def test_config_file_beats_the_default(tmp_path: Path) -> None:
    folder = _folder_with_config(tmp_path, 'strict = true\ninclude = ["*.txt"]\n')
    result = invoke("verify", folder)
    assert result.exit_code == 1
    assert result.stdout.endswith("1 file: 1 ok; FAILED (1 failing) under --strict\n")


def test_flag_beats_the_config_file(tmp_path: Path) -> None:
    folder = _folder_with_config(tmp_path, 'strict = true\ninclude = ["*.txt"]\n')
    result = invoke("verify", "--no-strict", "--include", "*.md", folder)
    assert result.exit_code == 0
    assert result.stdout.endswith("1 file: 1 no-footer; passed\n")


def test_config_is_found_from_a_checked_file_too(tmp_path: Path) -> None:
    folder = _folder_with_config(tmp_path, "strict = true\n")
    result = invoke("verify", folder / "a.txt")
    assert result.exit_code == 1 and "under --strict" in result.stdout


def test_no_config_and_explicit_config(tmp_path: Path) -> None:
    folder = _folder_with_config(tmp_path, "strict = true\n")
    assert invoke("verify", "--no-config", folder).exit_code == 0
    other = write(tmp_path / "elsewhere", "relaxed.toml", "strict = false\n")
    assert invoke("verify", "--config", other, folder).exit_code == 0


def test_publisher_tokens_from_config_are_relative_to_the_file(tmp_path: Path) -> None:
    token = "0123456789abcdef0123456789abcdef"
    write(tmp_path, "conf/tokens.txt", f"{token} Other Press\n")
    write(tmp_path, "provenance.toml", 'publisher_tokens = ["conf/tokens.txt"]\n')
    path = write(
        tmp_path, "a.txt", f"Story.\nCopyright 2022 Other Press. All Rights Reserved. {token}\n"
    )
    result = invoke("verify", path)
    assert result.exit_code == 0
    assert "publisher token of Other Press" in result.stdout


def test_bad_config_is_exit_2_with_one_line(tmp_path: Path) -> None:
    folder = _folder_with_config(tmp_path, "strict = 'yes'\n")
    result = invoke("verify", folder)
    assert result.exit_code == 2
    assert result.stderr == (
        f"provenance: error: {folder / 'provenance.toml'}: key 'strict' must be true or false,"
        " found string 'yes'\n"
    )
