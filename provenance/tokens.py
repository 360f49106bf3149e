"""Known publisher tokens: constant markers that are not digests of the text.

Dow Jones pages (WSJ, Barron's, MarketWatch, Investor's Business Daily) end every article
with the same token, whatever the article or year. Such a token cannot be checked against
the text, so files that carry one are reported ``unverifiable``, never ``mismatch``.

The built-in list lives in ``provenance/data/publisher_tokens.txt``; users add their own
files in the same format (``--publisher-tokens FILE``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from provenance.errors import InputError
from provenance.fsio import read_small_file

if TYPE_CHECKING:
    from pathlib import Path

# The data file sits next to this module. A plain open is what importlib.resources would do
# for a package on disk, without the few milliseconds its import costs every start-up.
_BUILTIN_FILE = os.path.join(os.path.dirname(__file__), "data", "publisher_tokens.txt")

#: A larger token file is refused unread: a line is about 70 bytes, so this is some 60,000
#: tokens, far more than any publisher list; /dev/zero or a planted huge file never is read.
MAX_TOKEN_FILE_SIZE = 4 << 20

_LINE = re.compile(r"(?P<token>[0-9a-f]{32}|[0-9a-f]{64})[ \t]+(?P<publisher>\S.*)")


@dataclass(frozen=True, slots=True)
class TokenRegistry:
    """A read-only map from token to publisher name."""

    tokens: Mapping[str, str] = field(default_factory=dict)

    def publisher(self, token: str) -> str | None:
        """The publisher a token belongs to, or ``None`` for an unknown token."""
        return self.tokens.get(token)

    def recognise(self, word: str, minimum: int) -> KnownPrefix | None:
        """The known token ``word`` starts like, when they agree on ``minimum`` characters or more.

        For a word that is not a token as it stands (cut short by a paywall, glued to the
        text after it): the longest agreement wins. The tokens are few, and this runs only
        for a malformed word, so a plain loop does.

        >>> TokenRegistry({"0123456789abcdef" * 2: "Example"}).recognise("01234567</p>", 8)
        KnownPrefix(token='0123456789abcdef0123456789abcdef', publisher='Example', agreed=8)
        """
        best: KnownPrefix | None = None
        for token, publisher in self.tokens.items():
            agreed = _common_prefix(token, word)
            if agreed >= minimum and (best is None or agreed > best.agreed):
                best = KnownPrefix(token=token, publisher=publisher, agreed=agreed)
        return best

    def merged(self, other: TokenRegistry) -> TokenRegistry:
        """A registry with the tokens of both; ``other`` wins on a clash."""
        return TokenRegistry(MappingProxyType({**self.tokens, **other.tokens}))


@dataclass(frozen=True, slots=True)
class KnownPrefix:
    """A known token that a malformed word begins like, and for how many characters."""

    token: str
    publisher: str
    agreed: int


def _common_prefix(first: str, second: str) -> int:
    """How many leading characters two strings share."""
    count = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        count += 1
    return count


def parse_tokens(text: str, source: str) -> TokenRegistry:
    """Read a token file's text. A malformed line is an error naming ``source`` and the line.

    >>> parse_tokens("# c\\n" + "0" * 32 + "  Example", "t.txt").publisher("0" * 32)
    'Example'
    """
    tokens: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            raise InputError(
                f"{source}:{number}: expected '<32 or 64 lowercase hex> <publisher>', "
                f"found {line[:60]!r}"
            )
        token = match["token"]
        if token in tokens:
            raise InputError(f"{source}:{number}: token {token} is listed twice")
        tokens[token] = match["publisher"].strip()
    return TokenRegistry(MappingProxyType(tokens))


def load_tokens(path: str | Path) -> TokenRegistry:
    """Read a user's token file."""
    data = read_small_file(path, "publisher token file", MAX_TOKEN_FILE_SIZE)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"publisher token file {path} is not UTF-8 text") from exc
    return parse_tokens(text, str(path))


_BUILTIN: TokenRegistry | None = None


def builtin_tokens() -> TokenRegistry:
    """The tokens shipped with provenance."""
    global _BUILTIN
    if _BUILTIN is None:
        data = read_small_file(_BUILTIN_FILE, "built-in token file", MAX_TOKEN_FILE_SIZE)
        _BUILTIN = parse_tokens(data.decode("utf-8"), "provenance/data/publisher_tokens.txt")
    return _BUILTIN


def registry(extra_files: Iterable[str | Path] = ()) -> TokenRegistry:
    """The built-in tokens plus those of ``extra_files``."""
    result = builtin_tokens()
    for path in extra_files:
        result = result.merged(load_tokens(path))
    return result
