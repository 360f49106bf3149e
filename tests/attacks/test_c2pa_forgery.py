"""C2PA forgery: anyone can sign a credential. --require-c2pa passes only one that chains to
an anchor the user named, whose signature and hard binding hold."""

from __future__ import annotations

from tests.conftest import ROOT, invoke

FIXTURES = ROOT / "fixtures" / "c2pa"


def test_a_credential_from_an_unnamed_ca_does_not_satisfy_require_c2pa() -> None:
    # other-ca.pem issued nothing here: the signer is a stranger to these anchors.
    result = invoke(
        "verify",
        "--require-c2pa",
        "--c2pa-trust",
        FIXTURES / "other-ca.pem",
        FIXTURES / "stamped-then-credentialed.txt",
    )
    assert result.exit_code == 1 and result.stdout.startswith("c2pa-untrusted ")


def test_require_c2pa_refuses_to_run_without_anchors() -> None:
    # Without anchors any self-signed credential would pass: refused as a usage error.
    result = invoke("verify", "--require-c2pa", FIXTURES / "stamped-then-credentialed.txt")
    assert result.exit_code == 2


def test_a_forged_signature_on_a_bound_text_fails() -> None:
    result = invoke(
        "verify",
        "--require-c2pa",
        "--c2pa-trust",
        FIXTURES / "test-ca.pem",
        FIXTURES / "bad-signature.txt",
    )
    assert result.exit_code == 1 and result.stdout.startswith("c2pa-invalid ")
