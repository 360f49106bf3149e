"""The one exception tree of provenance.

Every error the library raises on purpose derives from :class:`ProvenanceError`. The
library never prints or exits; the command line catches this base class once, shows
``message`` (and ``hint`` when there is one) on a single line, and exits with
``exit_status``. Anything else that escapes is a bug.
"""

from __future__ import annotations


class ProvenanceError(Exception):
    """Base class for every error provenance raises on purpose."""

    #: The process exit status the command line uses for this kind of error.
    exit_status: int = 3

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(ProvenanceError):
    """The user asked for something that cannot be done as asked (exit 2).

    A path that does not exist, a malformed token or configuration file, an option
    value that makes no sense.
    """

    exit_status = 2


class OperationalError(ProvenanceError):
    """The environment failed us: a file could not be written, a key could not be read (exit 3)."""

    exit_status = 3


class VerificationError(ProvenanceError):
    """Raised by ``verify_*`` functions when what was checked is not as claimed (exit 1)."""

    exit_status = 1


class Refused(ProvenanceError):
    """An action was refused to protect what exists: a footer, a .sig, a key (exit 1)."""

    exit_status = 1


class StampRefused(Refused):
    """A stamp was refused, for example because the file already carries a footer (exit 1)."""


class UnreadableArchive(ProvenanceError):
    """An archive that provenance will not read, because tar or unzip could read it otherwise.

    Raised by the archive readers (:mod:`provenance.tarread`, :mod:`provenance.zipread`) and
    turned by :func:`provenance.archive.check_archive` into one ``unreadable`` result on the
    archive itself, which fails the run (exit 1); it never reaches the command line.
    """

    exit_status = 1
