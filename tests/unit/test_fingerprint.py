"""provenance.fingerprint: algorithm by token length, digests, constant-time compare."""

from __future__ import annotations

import hashlib

import pytest
from conftest import article

from provenance.fingerprint import algorithm_for, compute, digest, matches
from provenance.model import Algorithm, Canonicalization


@pytest.mark.parametrize(
    ("length", "algorithm"), [(32, Algorithm.MD5), (64, Algorithm.SHA256), (31, None), (40, None)]
)
def test_algorithm_by_length(length: int, algorithm: Algorithm | None) -> None:
    assert algorithm_for("a" * length) is algorithm


def test_digest_matches_hashlib() -> None:
    data = "Body.\nCopyright ©2022 X. All Rights Reserved.".encode()
    assert digest(data) == hashlib.md5(data).hexdigest()
    assert digest(data, Algorithm.SHA256) == hashlib.sha256(data).hexdigest()


def test_compute_is_canonical_then_hash() -> None:
    art = article()
    crlf = (art.covered.replace("\n", "\r\n") + "  \r\n").encode()
    assert compute(crlf) == art.digest
    assert compute(crlf, Algorithm.SHA256) == article(algorithm="sha256").digest
    assert compute(crlf, canonicalization=Canonicalization.SIMPLE) == hashlib.md5(crlf).hexdigest()


def test_matches() -> None:
    token = article().digest
    assert matches(token, token)
    assert not matches(token, token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert not matches(token, token.upper())
