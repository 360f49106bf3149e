"""provenance: check that article files are intact, who vouches for them, and that
archives are complete.

The public API mirrors the command line::

    >>> import provenance
    >>> doc = provenance.parse(b"Text.\\nCopyright 2022 Example. All Rights Reserved.")
    >>> doc.copyright.holder
    'Example.'

Everything that fails on purpose raises :class:`provenance.errors.ProvenanceError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Names are imported on first use, so that `provenance --version` and a plain verify load
# only what they need (start-up time is a performance target: see docs/performance.md).
_LAZY = {
    "InputError": "provenance.errors",
    "OperationalError": "provenance.errors",
    "ProvenanceError": "provenance.errors",
    "Refused": "provenance.errors",
    "StampRefused": "provenance.errors",
    "VerificationError": "provenance.errors",
    "compute_fingerprint": "provenance.fingerprint",
    "Algorithm": "provenance.model",
    "Canonicalization": "provenance.model",
    "Contact": "provenance.model",
    "Copyright": "provenance.model",
    "Document": "provenance.model",
    "Fingerprint": "provenance.model",
    "FingerprintKind": "provenance.model",
    "EntryKind": "provenance.model",
    "FooterCheck": "provenance.model",
    "ManifestVerdict": "provenance.model",
    "NotText": "provenance.model",
    "Result": "provenance.model",
    "SignatureResult": "provenance.model",
    "SignatureVerdict": "provenance.model",
    "Span": "provenance.model",
    "Summary": "provenance.model",
    "Verdict": "provenance.model",
    "parse": "provenance.parsing",
    "parse_file": "provenance.parsing",
    "StampAction": "provenance.stamp",
    "StampResult": "provenance.stamp",
    "stamp_bytes": "provenance.stamp",
    "stamp_file": "provenance.stamp",
    "TokenRegistry": "provenance.tokens",
    "builtin_tokens": "provenance.tokens",
    "load_tokens": "provenance.tokens",
    "VerifyOptions": "provenance.verify",
    "check_bytes": "provenance.engine",
    "check_file": "provenance.engine",
    "check_paths": "provenance.verify",
    "verify_file": "provenance.verify",
}
_RENAMED = {"compute_fingerprint": "compute"}

if TYPE_CHECKING:
    from provenance.engine import check_bytes, check_file
    from provenance.errors import (
        InputError,
        OperationalError,
        ProvenanceError,
        Refused,
        StampRefused,
        VerificationError,
    )
    from provenance.fingerprint import compute as compute_fingerprint
    from provenance.model import (
        Algorithm,
        Canonicalization,
        Contact,
        Copyright,
        Document,
        EntryKind,
        Fingerprint,
        FingerprintKind,
        FooterCheck,
        ManifestVerdict,
        NotText,
        Result,
        SignatureResult,
        SignatureVerdict,
        Span,
        Summary,
        Verdict,
    )
    from provenance.parsing import parse, parse_file
    from provenance.stamp import StampAction, StampResult, stamp_bytes, stamp_file
    from provenance.tokens import TokenRegistry, builtin_tokens, load_tokens
    from provenance.verify import VerifyOptions, check_paths, verify_file


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'provenance' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), _RENAMED.get(name, name))
    globals()[name] = value
    return value


__all__ = [
    "Algorithm",
    "Canonicalization",
    "Contact",
    "Copyright",
    "Document",
    "EntryKind",
    "Fingerprint",
    "FingerprintKind",
    "FooterCheck",
    "InputError",
    "ManifestVerdict",
    "NotText",
    "OperationalError",
    "ProvenanceError",
    "Refused",
    "Result",
    "SignatureResult",
    "SignatureVerdict",
    "Span",
    "StampAction",
    "StampRefused",
    "StampResult",
    "Summary",
    "TokenRegistry",
    "Verdict",
    "VerificationError",
    "VerifyOptions",
    "__version__",
    "builtin_tokens",
    "check_bytes",
    "check_file",
    "check_paths",
    "compute_fingerprint",
    "load_tokens",
    "parse",
    "parse_file",
    "stamp_bytes",
    "stamp_file",
    "verify_file",
]
