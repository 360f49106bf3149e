"""Stamp then verify: ok for any text; transport never changes a verdict; edits always do."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from conftest import footerish_text, lf_text, md5_hex
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from provenance.model import Document, Verdict
from provenance.parsing import parse
from provenance.stamp import stamp_bytes
from provenance.verify import check_bytes

holders = st.text(
    alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzéü &,.'-"),
    min_size=1,
    max_size=30,
).filter(lambda h: h.strip() and "all rights reserved" not in h.lower())


def stampable(text: str) -> bool:
    doc = parse(text.encode())
    return isinstance(doc, Document) and doc.copyright is None and bool(text.encode().strip())


def stamped(text: str, holder: str) -> bytes:
    assume(stampable(text))
    new, _ = stamp_bytes(text.encode(), holder=holder, year=2022)
    return new


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300) | footerish_text(), holders)
def test_stamp_then_verify_is_ok(text: str, holder: str) -> None:
    data = stamped(text, holder)
    result = check_bytes(data)
    assert result.verdict is Verdict.OK, result.detail
    assert data.startswith(text.encode())
    assert data.endswith((b"\n", b"\r")) == text.endswith(("\n", "\r"))
    doc = parse(data)
    assert isinstance(doc, Document) and doc.copyright is not None
    assert doc.copyright.holder.rstrip(".") == holder.strip().rstrip(".")
    # The digest is MD5 over text the test canonicalises by hand (no CR in that text).
    if "\r" not in text and "\ufeff" not in text and unicodedata.is_normalized("NFC", text):
        period = "" if holder.strip().endswith(".") else "."
        raw = text if text.endswith("\n") else text + "\n"
        raw += f"Copyright ©2022 {holder.strip()}{period} All Rights Reserved."
        covered = "\n".join(line.rstrip(" \t") for line in raw.split("\n"))
        assert result.actual == md5_hex(covered)


TRANSPORTS: dict[str, Callable[[str], str]] = {
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "bom": lambda t: "\ufeff" + t,
    "nfd": lambda t: unicodedata.normalize("NFD", t),
    "trailing-blanks": lambda t: t.replace("\n", " \t\n") + "\t ",
}


@settings(max_examples=200, deadline=None)
@given(
    lf_text | footerish_text().map(lambda t: t.replace("\r", "")),
    holders,
    st.sampled_from(sorted(TRANSPORTS)),
    st.booleans(),
    st.integers(0),
)
def test_transport_never_changes_the_verdict(
    text: str, holder: str, transport: str, tamper: bool, where: int
) -> None:
    data = stamped(text, holder).decode()
    if tamper:
        data = change_a_letter(data, where, end=data.rindex("Copyright ©2022"))
    before = check_bytes(data.encode()).verdict
    assert before is (Verdict.MISMATCH if tamper else Verdict.OK)
    after = check_bytes(TRANSPORTS[transport](data).encode()).verdict
    assert after is before


def change_a_letter(text: str, where: int, *, end: int, start: int = 0) -> str:
    """Replace one ASCII letter in ``text[start:end]`` with another letter."""
    positions = [i for i in range(start, end) if text[i].isascii() and text[i].isalpha()]
    assume(positions)
    index = positions[where % len(positions)]
    new = "q" if text[index] != "q" else "z"
    return text[:index] + new + text[index + 1 :]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), holders, st.integers(0))
def test_changing_a_word_is_a_mismatch(text: str, holder: str, where: int) -> None:
    data = stamped(text, holder).decode()
    tampered = change_a_letter(data, where, end=data.rindex("Copyright ©2022"))
    assert check_bytes(tampered.encode()).verdict is Verdict.MISMATCH


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), holders, st.integers(0))
def test_changing_the_holder_is_a_mismatch(text: str, holder: str, where: int) -> None:
    data = stamped(text, holder).decode()
    start = data.rindex("Copyright ©2022 ") + len("Copyright ©2022 ")
    end = data.rindex(" All Rights Reserved.")
    assume(any(c.isascii() and c.isalpha() for c in data[start:end]))
    tampered = change_a_letter(data, where, start=start, end=end)
    assert check_bytes(tampered.encode()).verdict is Verdict.MISMATCH
