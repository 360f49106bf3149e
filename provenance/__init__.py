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

from provenance.errors import (
    InputError,
    OperationalError,
    ProvenanceError,
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
    Fingerprint,
    FingerprintKind,
    NotText,
    Result,
    SignatureResult,
    SignatureVerdict,
    Span,
    Summary,
    Verdict,
)
from provenance.parse import parse
from provenance.stamp import StampAction, StampResult, stamp_bytes, stamp_file
from provenance.tokens import TokenRegistry, builtin_tokens, load_tokens
from provenance.verify import (
    VerifyOptions,
    check_bytes,
    check_file,
    check_paths,
    verify_file,
)

__all__ = [
    "Algorithm",
    "Canonicalization",
    "Contact",
    "Copyright",
    "Document",
    "Fingerprint",
    "FingerprintKind",
    "InputError",
    "NotText",
    "OperationalError",
    "ProvenanceError",
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
    "builtin_tokens",
    "check_bytes",
    "check_file",
    "check_paths",
    "compute_fingerprint",
    "load_tokens",
    "parse",
    "stamp_bytes",
    "stamp_file",
    "verify_file",
]
