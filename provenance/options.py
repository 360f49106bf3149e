"""The one options object of a verify run, built once in the CLI and passed down whole.

``cli/`` builds a :class:`VerifyOptions` from flags and the configuration file
(:func:`verify_options`); :func:`provenance.run.check_run` hands it to the plain-file check
(:mod:`provenance.verify`), to sealed folders (:mod:`provenance.sealed`) and to archives
(:mod:`provenance.archive`), so that every recipe reads the same policy. Trust files and token
files are loaded here, once; cryptography is imported only when a trust source is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from provenance.errors import InputError
from provenance.model import Canonicalization

if TYPE_CHECKING:
    from provenance.allowed_signers import TrustPolicy
    from provenance.config import Settings
    from provenance.tokens import TokenRegistry

#: No file is kept in memory beyond this many bytes to check its footer (nor, in an archive,
#: read beyond it at all): ``--max-member-size``.
DEFAULT_MAX_SIZE = 256 << 20
#: The SSHSIG namespace signatures must be made for (``-n``): ``sshsig.DEFAULT_NAMESPACE``,
#: written out here so that a plain verify never imports the wire format (test_options.py).
DEFAULT_NAMESPACE = "file"


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyOptions:
    """How a run checks files, which files a walk takes, and what fails the run.

    >>> VerifyOptions(exclude=("drafts/",)).jobs
    1
    """

    # How footers are checked.
    canonicalization: Canonicalization = Canonicalization.RELAXED
    tokens: TokenRegistry | None = None
    # Which files a folder walk takes.
    #: Globs that replace the default selection (.txt, .md, no suffix) when given.
    include: tuple[str, ...] = ()
    #: Globs of files (or folders) to leave out of a folder walk.
    exclude: tuple[str, ...] = ()
    # Signatures: each FILE.sig, each seal's SHA256SUMS.sig, each ARCHIVE.sig.
    #: The trust policy (allowed signers or one key); ``None`` leaves signatures unchecked.
    policy: TrustPolicy | None = None
    namespace: str = DEFAULT_NAMESPACE
    #: Every article must be covered by a good signature (a trust source, no --allow-unsigned).
    require_signature: bool = False
    #: The time signatures are checked at (``None``: now).
    now: datetime | None = None
    # Provenance records (SPEC.md §12): each article's FILE.prov, wherever one sits beside it,
    # its signature held to ``policy``, ``namespace`` aside (records have their own).
    #: ``--record FILE``: the record of the one article named, instead of FILE.prov.
    record: str | None = None
    #: ``--records DIR``: more folders where the earlier records of a chain may be.
    record_search: tuple[str, ...] = ()
    # C2PA text credentials: always reported; their claim signature verified with the extra.
    #: The PEM text of the ``--c2pa-trust`` anchors (``None``: at best "signed, untrusted").
    c2pa_trust: str | None = None
    #: ``--require-c2pa``: an article without a good, trusted credential fails the run.
    require_c2pa: bool = False
    # What fails the run.
    #: ``--strict``: unverifiable, no-footer, uncovered text and warnings fail too.
    strict: bool = False
    #: ``--allow-empty``: a run that checks no file passes.
    allow_empty: bool = False
    # Resources.
    #: The footer's line number of an ``ok`` result (a count over the whole text): off when
    #: no report will show it (the text report without -v).
    lines: bool = True
    jobs: int = 1
    #: The largest size an archive member or a sealed file may expand to (and be kept).
    max_member_size: int = DEFAULT_MAX_SIZE

    def __post_init__(self) -> None:
        if self.require_signature and self.policy is None:
            raise InputError(
                "requiring a signature needs a trust policy (allowed signers or a key)"
            )
        if self.require_c2pa and self.c2pa_trust is None:
            # Without anchors anyone can make a valid credential: requiring one would pass
            # a forger's. As --require-signature needs a trust source.
            raise InputError(REQUIRE_C2PA_NEEDS_TRUST, hint="add --c2pa-trust FILE (PEM)")
        if self.jobs < 1 or self.max_member_size < 1:
            raise InputError("jobs and the largest member size must be at least 1")


REQUIRE_C2PA_NEEDS_TRUST = "--require-c2pa needs trust anchors"

#: The options of a run given none: footers only, every default.
DEFAULT_OPTIONS = VerifyOptions()


def load_trust(
    allowed_signers: str | None,
    public_key: str | None,
    *,
    require: bool = False,
    revoked: str | None = None,
) -> TrustPolicy | None:
    """The trust policy of ``--allowed-signers FILE`` or ``--public-key KEY.pub``, or ``None``
    when neither is given (an :class:`~provenance.errors.InputError` with ``require`` or
    ``revoked``). With ``revoked``, a key that file lists is refused whatever the trust
    source says."""
    if allowed_signers is None and public_key is None:
        for needed, flag in ((require, "--require-signature"), (revoked, "--revoked")):
            if needed:
                raise InputError(
                    f"{flag} needs a trust source",
                    hint="add --allowed-signers FILE or --public-key KEY.pub",
                )
        return None
    if allowed_signers is not None and public_key is not None:
        raise InputError("give --allowed-signers or --public-key, not both")
    from provenance.signed import load_policy  # cryptography: only with a trust source.

    policy = load_policy(allowed_signers, public_key)
    if revoked is None:
        return policy
    from provenance.revoked import RevocationCheck, load_revoked

    return RevocationCheck(policy=policy, revoked=load_revoked(revoked))


def load_c2pa_trust(settings: Settings) -> str | None:
    """The PEM text of ``settings.c2pa_trust``, or ``None``; ``--require-c2pa`` without it is
    an :class:`~provenance.errors.InputError`."""
    if settings.c2pa_trust is None:
        if settings.require_c2pa:
            raise InputError(REQUIRE_C2PA_NEEDS_TRUST, hint="add --c2pa-trust FILE (PEM)")
        return None
    from provenance.c2pa_verify import load_trust as load_anchors  # cryptography: only here.

    return load_anchors(settings.c2pa_trust)


def verify_options(
    settings: Settings,
    *,
    allowed_signers: str | None,
    public_key: str | None = None,
    namespace: str = DEFAULT_NAMESPACE,
    jobs: int = 1,
    max_member_size: int = DEFAULT_MAX_SIZE,
    record: str | None = None,
    record_search: tuple[str, ...] = (),
    lines: bool = True,
) -> VerifyOptions:
    """The options of a verify run: ``settings`` (flags over the configuration file), the
    trust source, and the flags no configuration file sets.

    The one place the signature policy is decided: with a trust source, every article must
    be covered by a good signature (as ``ssh-keygen -Y verify`` or minisign would demand),
    unless ``allow_unsigned``. Every report and exit status reads ``require_signature``.
    Provenance records (``record``, ``record_search``) are checked with that same policy and
    time.
    """
    from provenance.tokens import registry

    policy = load_trust(
        allowed_signers,
        public_key,
        require=settings.require_signature,
        revoked=settings.revoked,
    )
    if policy is None and settings.verify_time is not None:
        raise InputError(
            "--verify-time needs a trust source",
            hint="add --allowed-signers FILE or --public-key KEY.pub",
        )
    if settings.require_signature and settings.allow_unsigned:
        raise InputError("--require-signature and --allow-unsigned exclude each other")
    return VerifyOptions(
        canonicalization=settings.canonicalization,
        tokens=registry(settings.publisher_tokens),
        include=settings.include,
        exclude=settings.exclude,
        policy=policy,
        namespace=namespace,
        require_signature=policy is not None and not settings.allow_unsigned,
        now=settings.verify_time,
        c2pa_trust=load_c2pa_trust(settings),
        require_c2pa=settings.require_c2pa,
        strict=settings.strict,
        allow_empty=settings.allow_empty,
        jobs=jobs,
        max_member_size=max_member_size,
        record=record,
        record_search=record_search,
        lines=lines,
    )


__all__ = [
    "DEFAULT_MAX_SIZE",
    "DEFAULT_OPTIONS",
    "VerifyOptions",
    "load_c2pa_trust",
    "load_trust",
    "verify_options",
]
