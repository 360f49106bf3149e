"""Properties of the canonical form: idempotent, and blind to transport damage only."""

from __future__ import annotations

import unicodedata

from conftest import lf_text
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.canonical import canonicalize

any_text = st.text(max_size=300)


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_idempotent(text: str) -> None:
    once = canonicalize(text.encode())
    assert canonicalize(once) == once


@settings(max_examples=200, deadline=None)
@given(lf_text)
def test_transport_changes_are_forgiven(text: str) -> None:
    expected = canonicalize(text.encode())
    assert canonicalize(text.replace("\n", "\r\n").encode()) == expected
    assert canonicalize(text.replace("\n", "\r").encode()) == expected
    assert canonicalize(("\ufeff" + text).encode()) == expected
    assert canonicalize(unicodedata.normalize("NFD", text).encode()) == expected
    assert canonicalize(text.replace("\n", " \t\n").encode() + b" ") == expected
    assert canonicalize(text.encode() + b"\n\n") == expected


@settings(max_examples=200, deadline=None)
@given(lf_text, st.integers(min_value=0), st.sampled_from("abcXYZ019,;"))
def test_changing_a_visible_character_changes_the_form(text: str, where: int, new: str) -> None:
    # An ASCII letter, digit or punctuation mark inside a line is never normalised away.
    lines = canonicalize(text.encode()).decode()
    positions = [i for i, char in enumerate(lines) if char.isascii() and char.isalnum()]
    if not positions:
        return
    index = positions[where % len(positions)]
    if lines[index] == new:
        return
    changed = lines[:index] + new + lines[index + 1 :]
    assert canonicalize(changed.encode()) != canonicalize(lines.encode())
