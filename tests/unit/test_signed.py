"""provenance.signed: each file's FILE.sig checked beside its footer verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.allowed_signers import load_trusted_key
from provenance.engine import check_file
from provenance.errors import InputError
from provenance.keys import SigningKey
from provenance.model import SignatureVerdict, Verdict
from provenance.sign import sign_file
from provenance.signed import SignatureCheck, attach_signatures, load_policy
from tests.conftest import article, write


def test_load_policy_takes_exactly_one_source(tmp_path: Path, key: SigningKey) -> None:
    public = tmp_path / "keys" / "alice.pub"
    assert load_policy(None, public) == load_trusted_key(public)
    with pytest.raises(InputError, match="exactly one"):
        load_policy(None, None)
    with pytest.raises(InputError, match="exactly one"):
        load_policy(public, public)


def test_footer_and_signature_verdicts_are_independent(tmp_path: Path, key: SigningKey) -> None:
    signed = write(tmp_path, "signed.txt", article().data())
    sign_file(signed, key)
    # Edited after signing, footer made to match: the footer passes, the signature does not.
    write(tmp_path, "signed.txt", article(body="Another text.").data())
    unsigned = write(tmp_path, "unsigned.txt", article().data())
    policy = load_policy(None, tmp_path / "keys" / "alice.pub")
    results = attach_signatures([check_file(signed), check_file(unsigned)], policy)
    assert [r.verdict for r in results] == [Verdict.OK, Verdict.OK]
    assert [r.signature.verdict for r in results if r.signature] == [
        SignatureVerdict.BAD,
        SignatureVerdict.MISSING,
    ]


def test_an_unreadable_file_gets_no_signature_check(tmp_path: Path, key: SigningKey) -> None:
    (tmp_path / "folder.txt").mkdir()
    result = check_file(tmp_path / "folder.txt")
    check = SignatureCheck(load_policy(None, tmp_path / "keys" / "alice.pub"))
    assert check(result) == result and result.signature is None
