"""Recipe: add the check of each file's detached signature (FILE.sig) to its footer result.

The footer verdict and the signature verdict are independent: a file can be ``ok`` with a
``bad`` signature (someone re-stamped an edited text) or ``mismatch`` with a ``good`` one
(the signer signed a damaged file). Both are reported; either can fail the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from provenance.allowed_signers import TrustPolicy, load_allowed_signers, load_trusted_key
from provenance.errors import InputError
from provenance.model import Result, Verdict
from provenance.sign import check_signature
from provenance.sshsig import DEFAULT_NAMESPACE


def load_policy(
    allowed_signers: str | os.PathLike[str] | None, public_key: str | os.PathLike[str] | None
) -> TrustPolicy:
    """The trust policy of ``--allowed-signers FILE`` or ``--public-key KEY.pub`` (one of them)."""
    if (allowed_signers is None) == (public_key is None):
        raise InputError("give exactly one of --allowed-signers and --public-key")
    if allowed_signers is not None:
        return load_allowed_signers(allowed_signers)
    assert public_key is not None
    return load_trusted_key(public_key)


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """Check each file's ``.sig`` against ``policy`` (``VerifyOptions.signatures``)."""

    policy: TrustPolicy
    namespace: str = DEFAULT_NAMESPACE
    now: datetime | None = None

    def __call__(self, result: Result) -> Result:
        """``result`` with its signature check; unreadable files are left as they are."""
        if result.verdict is Verdict.UNREADABLE or not os.path.isfile(result.path):
            return result
        signature = check_signature(result.path, None, self.policy, self.namespace, now=self.now)
        return replace(result, signature=signature)


def attach_signatures(
    results: Iterable[Result],
    policy: TrustPolicy,
    namespace: str = DEFAULT_NAMESPACE,
    *,
    now: datetime | None = None,
) -> list[Result]:
    """Each result with ``signature`` set to the check of ``<path>.sig`` (``missing`` if none).

    Files that could not be read keep no signature result: their footer verdict already
    says what went wrong.
    """
    check = SignatureCheck(policy, namespace, now)
    return [check(result) for result in results]
