"""Recipe: add the check of each file's detached signature (FILE.sig) to its footer result.

The footer verdict and the signature verdict are independent: a file can be ``ok`` with a
``bad`` signature (someone re-stamped an edited text) or ``mismatch`` with a ``good`` one
(the signer signed a damaged file). Both are reported; either can fail the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
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
    checked = []
    for result in results:
        if result.verdict is Verdict.UNREADABLE or not os.path.isfile(result.path):
            checked.append(result)
            continue
        signature = check_signature(result.path, None, policy, namespace, now=now)
        checked.append(replace(result, signature=signature))
    return checked
