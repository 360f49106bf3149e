"""provenance.tokens: the built-in publisher list and user token files."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DOW_JONES, write

from provenance.cli import exit_status
from provenance.errors import InputError
from provenance.tokens import builtin_tokens, load_tokens, parse_tokens, registry

SHA = "ab" * 32


def test_dow_jones_is_built_in() -> None:
    publisher = builtin_tokens().publisher(DOW_JONES)
    assert publisher is not None and publisher.startswith("Dow Jones")
    assert builtin_tokens().publisher("0" * 32) is None


def test_parse_token_file() -> None:
    text = f"# comment\n\n{'1' * 32}  Example Wire\n{SHA}\tLong Hash Press  \n"
    tokens = parse_tokens(text, "t.txt")
    assert tokens.publisher("1" * 32) == "Example Wire"
    assert tokens.publisher(SHA) == "Long Hash Press"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (f"# c\n{'1' * 32}\n", 2),  # no publisher
        (f"{'A' * 32} Upper\n", 1),
        (f"{'1' * 31} Short\n", 1),
        (f"{'1' * 32} One\n\n{'1' * 32} Twice\n", 3),
    ],
)
def test_malformed_token_file_names_file_and_line(text: str, line: int) -> None:
    with pytest.raises(InputError) as caught:
        parse_tokens(text, "mine.txt")
    assert caught.value.message.startswith(f"mine.txt:{line}: ")
    assert exit_status(caught.value) == 2


def test_registry_merges_user_files(tmp_path: Path) -> None:
    path = write(tmp_path, "tokens.txt", f"{'2' * 32} Example Wire\n")
    merged = registry([path])
    assert merged.publisher("2" * 32) == "Example Wire"
    assert merged.publisher(DOW_JONES) is not None
    assert load_tokens(path).publisher(DOW_JONES) is None


def test_missing_or_non_utf8_token_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"publisher token file .*missing.txt does not exist"):
        load_tokens(tmp_path / "missing.txt")
    bad = write(tmp_path, "latin.txt", b"\xe9\n")
    with pytest.raises(InputError, match=r"latin\.txt is not UTF-8 text"):
        load_tokens(bad)


def test_recognise_a_damaged_token_by_its_first_hex_digits() -> None:
    from provenance.tokens import KnownPrefix, TokenRegistry

    registry = TokenRegistry(
        {"87990cbe856818d5eddac44c7b1cdeb8": "DJ", "87990cbe" + "0" * 24: "Other"}
    )
    assert registry.recognise("87990cbe856818d5eddac44...", 8) == KnownPrefix(
        token="87990cbe856818d5eddac44c7b1cdeb8", publisher="DJ", agreed=23
    )
    assert registry.recognise("87990cb</p>", 8) is None  # seven digits: too few to tell
    assert registry.recognise("97990cbe856818d5", 8) is None
