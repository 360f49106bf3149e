"""The claim signature of a C2PA text credential, verified offline (the optional ``c2pa`` extra).

We do not verify COSE_Sign1 and the X.509 chain ourselves: C2PA's signing profile (its
certificate policy, time stamps, the claim's hashed assertion URIs) is larger than the
hard binding :mod:`provenance.credential` checks, and a partial copy would pass what the
standard fails. The extra is ``encypher-c2pa``, a verification-only SDK. We call its native
``verify_bytes`` and not its public ``verify()``, because ``verify(telemetry=False)`` saves
that answer under ``~/.config/encypher/`` and ``verify()`` without it reads that file; the
native call with ``telemetry.enabled: false`` and ``online: false`` opens nothing in the
user's home and no socket (checked with strace: docs/c2pa.md). ``no_default_trust``
leaves out the trust lists the SDK ships: only the anchors the user names make a
credential ``trusted``. The SDK's version is pinned in pyproject.toml (``<1.8``), and
tests/unit/test_c2pa_verify.py checks that it accepts these options.

Nothing here raises for a bad credential: every answer is a
:class:`~provenance.model.C2paSignature` with one line saying why.
"""

from __future__ import annotations

import json
from functools import cache
from types import ModuleType
from typing import Any

from provenance.errors import InputError
from provenance.model import C2paBinding, C2paSignature

#: The command that installs what verifies signatures.
INSTALL = "pip install 'article-provenance[c2pa]'"
#: A ``--c2pa-trust`` file larger than this is refused (a bundle of a few hundred anchors).
TRUST_MAX = 1 << 20
_NATIVE_TRUSTED = "valid_for_supplied_material"
# The failures that are not the signature's: the text's own hash (our binding reports it)
# and the trust decision (reported as "signed, untrusted").
_NOT_THE_SIGNATURE = frozenset({"assertion.dataHash.mismatch", "signingCredential.untrusted"})


@cache
def _native() -> ModuleType | None:
    """The SDK's native module, or ``None`` when the ``c2pa`` extra is not installed."""
    try:
        from encypher_c2pa import _native as native
    except ImportError:
        return None
    return native if hasattr(native, "verify_bytes") else None


def available() -> bool:
    """Whether the ``c2pa`` extra is installed (signatures can be verified)."""
    return _native() is not None


def _options(trust: str | None) -> str:
    return json.dumps(
        {
            "trust_pem": trust,
            "no_default_trust": True,
            "online": False,
            "telemetry": {"enabled": False, "endpoint": None, "sdk_name": "python"},
        }
    )


def verify_signature(
    data: bytes, binding: C2paBinding, trust: str | None
) -> tuple[C2paSignature, str, str | None]:
    """(verdict, one line, signer) of the claim signature of the credential that ends the
    text ``data``, whose hard binding was found to be ``binding``. ``trust`` is the PEM text
    of the anchors (``None``: none given, so at best ``signed, untrusted``)."""
    native = _native()
    if native is None:
        return C2paSignature.NOT_VERIFIED, f"install the c2pa extra: {INSTALL}", None
    try:
        report: dict[str, Any] = json.loads(
            native.verify_bytes(data, "text/plain", _options(trust))
        )
    except Exception as exc:  # The SDK's own errors have no common base; fail closed.
        return C2paSignature.INVALID, f"the verifier refused the credential: {exc}", None
    results = report.get("validation_results") or {}
    failures = [str(item.get("code")) for item in results.get("failure") or ()]
    signer = _signer(report)
    if report.get("signature") != "valid":
        why = ", ".join(failures) or f"signature {report.get('signature')}"
        return C2paSignature.INVALID, f"the claim signature does not verify ({why})", signer
    other = [code for code in failures if code not in _NOT_THE_SIGNATURE]
    if binding is C2paBinding.OK and "assertion.dataHash.mismatch" in failures:
        other.append("assertion.dataHash.mismatch")  # The two readers disagree: fail closed.
    if other:
        return C2paSignature.INVALID, f"the manifest does not verify ({', '.join(other)})", signer
    successes = {str(item.get("code")) for item in results.get("success") or ()}
    trusted = (report.get("trust") or {}).get("status") == _NATIVE_TRUSTED
    if trust is not None and trusted and "signingCredential.trusted" in successes:
        return (
            C2paSignature.TRUSTED,
            "the signing certificate chains to a --c2pa-trust anchor",
            signer,
        )
    if trust is None:
        return C2paSignature.UNTRUSTED, "valid signature; no --c2pa-trust anchors given", signer
    return C2paSignature.UNTRUSTED, "valid signature; no --c2pa-trust anchor issued it", signer


def _signer(report: dict[str, Any]) -> str | None:
    """The signing certificate's common name and issuer, as the verifier read them."""
    manifests = (report.get("manifest_report") or {}).get("manifests") or {}
    active = manifests.get((report.get("manifest_report") or {}).get("active_manifest"))
    info = (active or {}).get("signature_info") or {}
    name, issuer = info.get("common_name"), info.get("issuer")
    if not name:
        return None
    return f"{name} (issued by {issuer})" if issuer else str(name)


def load_trust(path: str) -> str:
    """The PEM text of the ``--c2pa-trust`` anchors at ``path``; an
    :class:`~provenance.errors.InputError` when it holds no certificate, or the ``c2pa``
    extra that would use it is not installed."""
    from provenance.fsio import read_small_file

    data = read_small_file(path, "C2PA trust file", TRUST_MAX)
    from cryptography import x509

    try:
        anchors = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise InputError(
            f"C2PA trust file {path} holds no PEM certificate", hint="give the CA certificates"
        ) from exc
    if not available():
        raise InputError("--c2pa-trust needs the c2pa extra", hint=INSTALL)
    # Written back from what was parsed: the SDK sees exactly the certificates we read.
    from cryptography.hazmat.primitives.serialization import Encoding

    return "".join(cert.public_bytes(Encoding.PEM).decode("ascii") for cert in anchors)


__all__ = ["INSTALL", "TRUST_MAX", "available", "load_trust", "verify_signature"]
