"""Times in signature checks: OpenSSH's absolute times and ISO 8601, read strictly.

Two places need them: the ``valid-after``/``valid-before`` options of an allowed_signers file,
and ``--verify-time`` (``verify_time`` in the configuration), the moment those windows are
checked at, like ``ssh-keygen -Y verify -O verify-time=``. One reader serves both, so that
the two cannot drift apart.

OpenSSH's form (``parse_absolute_time`` in its misc.c, ssh-keygen(1)): ``YYYYMMDD``,
``YYYYMMDDHHMM`` or ``YYYYMMDDHHMMSS``, in the local time zone unless suffixed with ``Z`` or
``UTC`` (either case). ``--verify-time`` also takes ISO 8601 with a zone
(``2025-06-15T12:00:00+02:00``, ``2025-06-15T10:00Z``); an ISO time without one is refused
rather than guessed, since the same text means another moment on another machine.

An SSHSIG signature carries no signing time: a verify time is the user's own claim about
when the signature already existed (when an archive was received, say), never something
read from the signature.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from provenance.errors import InputError

_OPENSSH_TIME = re.compile(r"^(\d{8}|\d{12}|\d{14})(Z|UTC)?$", re.IGNORECASE)
#: What the error messages show as the accepted forms of --verify-time.
VERIFY_TIME_FORMS = "YYYYMMDD[HHMM[SS]][Z] or ISO 8601 with a zone (2025-06-15T12:00:00+02:00)"


def parse_openssh_time(text: str, what: str) -> int:
    """OpenSSH's absolute time as Unix seconds: local time unless it ends in ``Z``/``UTC``.

    ``what`` names the value in the error message (``"valid-after"``...).

    >>> parse_openssh_time("20250615Z", "verify-time")
    1749945600
    """
    match = _OPENSSH_TIME.match(text)
    if match is None:
        raise InputError(f'invalid "{what}" time {text!r}: expected YYYYMMDD[HHMM[SS]][Z]')
    digits = match.group(1).ljust(14, "0")
    try:
        moment = datetime.strptime(digits, "%Y%m%d%H%M%S")
    except ValueError as exc:
        raise InputError(f'invalid "{what}" time {text!r}: {exc}') from exc
    # A naive datetime's timestamp() is local time, as mktime() is for OpenSSH.
    when = int(moment.replace(tzinfo=UTC).timestamp() if match.group(2) else moment.timestamp())
    if when <= 0:
        # OpenSSH takes 0 for "no time given"; an earlier time is not one it can carry.
        raise InputError(f'invalid "{what}" time {text!r}: before 1970')
    return when


def parse_verify_time(text: str) -> datetime:
    """The moment of ``--verify-time TEXT``, as an aware UTC datetime.

    >>> parse_verify_time("2025-06-15T12:00:00+02:00").isoformat()
    '2025-06-15T10:00:00+00:00'
    """
    value = text.strip()
    if _OPENSSH_TIME.match(value):
        return datetime.fromtimestamp(parse_openssh_time(value, "verify-time"), UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"invalid verify time {text!r}", hint=f"expected {VERIFY_TIME_FORMS}"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError(
            f"verify time {text!r} has no time zone",
            hint="add one (Z for UTC, or +HH:MM), or use YYYYMMDDHHMM for local time",
        )
    if moment.timestamp() <= 0:
        raise InputError(f"invalid verify time {text!r}: before 1970")
    return moment.astimezone(UTC)


__all__ = ["VERIFY_TIME_FORMS", "parse_openssh_time", "parse_verify_time"]
