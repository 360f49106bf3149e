"""The engine's plain lane (engine._plain) gives every file the result the general path
(engine._judge) gives it: the lane only ever answers sooner, never differently."""

from __future__ import annotations

import hashlib
import unicodedata
from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st

from provenance import engine
from provenance.c2pa import START, encode
from provenance.model import Canonicalization, Verdict
from provenance.tokens import TokenRegistry, builtin_tokens

DOW_JONES = "87990cbe856818d5eddac44c7b1cdeb8"

# Body text: prose, what the deceptive-Unicode screen looks for, what transport does.
_BODY_PIECES = st.sampled_from(
    [
        "The council met on Tuesday.",
        "\u201cQuoted,\u201d she said \u2014 twice.",
        "\n",
        "\r\n",
        "  \n",
        "\ufeff",
        "\u202e",
        "\u200b",
        "caf\u00e9",
        "cafe\u0301",
        "\U000e0041",
        "\u180e",
        "\ufe0f",
        "\u2060",
        "\x00",
        "\u00a0",
        # A C2PA wrapper inside the text: reported, never the "absent" of a plain article.
        (START + encode(bytes([1, 0, 0, 0, 2])) + encode(b"ab")).decode(),
    ]
)
_HOLDERS = st.sampled_from(
    ["Example News, Inc.", "Ex\u0430mple News", "Dow Jones & Company, Inc.", "D\u043ew Jones"]
)


def _canonical(text: str) -> bytes:
    """SPEC.md 2.2 written plainly (tests/conftest.py keeps its own copy for the same reason)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip(" \t") for line in unicodedata.normalize("NFC", text).split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines).encode()


@st.composite
def articles(draw: st.DrawFn) -> bytes:
    body = "".join(draw(st.lists(_BODY_PIECES, max_size=12)))
    notice = f"\nCopyright \u00a92024 {draw(_HOLDERS)}. All Rights Reserved."
    covered = body + notice
    how = draw(st.sampled_from(["md5", "sha256", "raw-md5", "wrong", "publisher"]))
    if how == "md5":
        token = hashlib.md5(_canonical(covered)).hexdigest()
    elif how == "sha256":
        token = hashlib.sha256(_canonical(covered)).hexdigest()
    elif how == "raw-md5":  # A token over bytes that are not canonical (SPEC.md 2.2).
        token = hashlib.md5(covered.encode()).hexdigest()
    elif how == "wrong":
        token = "0" * 32
    else:
        token = DOW_JONES
    return (covered + " " + token + draw(st.sampled_from(["", "\n", "\r\n", " x"]))).encode()


def _tokens(data: bytes, listed: bool) -> TokenRegistry:
    """The built-in tokens; with ``listed``, also the last word of ``data``, as a user's
    --tokens list may hold what is in fact a real digest."""
    words = data.split()
    extra = {words[-1].decode(): "Someone"} if listed and words else {}
    return builtin_tokens().merged(TokenRegistry(extra))


def _general(
    data: bytes, canonicalization: Canonicalization, lines: bool, tokens: TokenRegistry
) -> engine.Result:
    with mock.patch.object(engine, "_plain", return_value=None):
        return engine.check_bytes(
            data, "a.txt", canonicalization=canonicalization, tokens=tokens, lines=lines
        )


@settings(max_examples=600, deadline=None)
@given(articles(), st.sampled_from(list(Canonicalization)), st.booleans(), st.booleans())
@example(
    (
        "Body.\nCopyright \u00a92024 Example News, Inc. All Rights Reserved. "
        + hashlib.md5(
            "Body.\nCopyright \u00a92024 Example News, Inc. All Rights Reserved.".encode()
        ).hexdigest()
    ).encode(),
    Canonicalization.RELAXED,
    False,
    False,
)
def test_the_plain_lane_gives_the_general_result(
    data: bytes, canonicalization: Canonicalization, lines: bool, listed: bool
) -> None:
    tokens = _tokens(data, listed)
    fast = engine.check_bytes(
        data, "a.txt", canonicalization=canonicalization, tokens=tokens, lines=lines
    )
    assert fast == _general(data, canonicalization, lines, tokens)


def test_the_plain_lane_is_taken_for_a_plain_article() -> None:
    """Else the property above would hold of a lane that never answers."""
    covered = (
        "Body \u201cquoted\u201d.\nCopyright \u00a92024 Example News, Inc. All Rights Reserved."
    )
    data = f"{covered} {hashlib.md5(covered.encode()).hexdigest()}\n".encode()
    plain = engine.check_bytes_outcome(data, "a.txt", tokens=builtin_tokens())
    assert isinstance(plain, engine.Plain) and plain.line == 2
    result = engine.outcome_result(plain, "a.txt")
    assert result.verdict is Verdict.OK
    assert result == _general(data, Canonicalization.RELAXED, True, builtin_tokens())
