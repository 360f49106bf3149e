"""provenance.canonical: the relaxed and simple forms, rule by rule (SPEC.md)."""

from __future__ import annotations

import unicodedata

import pytest

from provenance.canonical import canonicalize
from provenance.model import Canonicalization


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (b"One.\nTwo.", b"One.\nTwo."),
        (b"One.\r\nTwo.\r\n", b"One.\nTwo."),
        (b"One.\rTwo.\r", b"One.\nTwo."),
        (b"\xef\xbb\xbfOne.\n", b"One."),
        (b"One. \t \nTwo.\t\n", b"One.\nTwo."),
        (b"One.\n\n\n  \n\t\n", b"One."),
        (b"One.\n\nTwo.", b"One.\n\nTwo."),
        (b"  Indented stays.", b"  Indented stays."),
        (b"inner  \t spaces stay", b"inner  \t spaces stay"),
        ("Cafe\u0301".encode(), "Caf\u00e9".encode()),
        (b"", b""),
        (b"\n\n", b""),
    ],
)
def test_relaxed_rules(raw: bytes, canonical: bytes) -> None:
    assert canonicalize(raw) == canonical
    assert canonicalize(canonical) == canonical


def test_only_a_leading_bom_is_dropped() -> None:
    assert canonicalize("a\ufeffb".encode()) == "a\ufeffb".encode()


def test_simple_is_identity() -> None:
    raw = "\ufeffCafe\u0301 \r\n\r\n".encode()
    assert canonicalize(raw, Canonicalization.SIMPLE) == raw


@pytest.mark.parametrize(
    "raw",
    [
        b"a \nb",
        b"a\r\nb",
        b"\xef\xbb\xbfa",
        b"a\n",
        b"a\t",
        unicodedata.normalize("NFD", "é").encode(),
    ],
)
def test_what_needs_rewriting_is_rewritten(raw: bytes) -> None:
    assert canonicalize(raw) != raw


def test_relaxed_rejects_invalid_utf8() -> None:
    with pytest.raises(UnicodeDecodeError):
        canonicalize(b"caf\xe9 \n")
