"""The one exception tree of provenance.

Every error the library raises on purpose derives from :class:`ProvenanceError`. An error
says what went wrong, not how a process should end: the library never prints or exits, and
the command line alone maps each class to an exit status (``provenance.cli.EXIT_STATUS``,
SPEC.md §4) after showing ``message`` (and ``hint`` when there is one) on a single line.
Anything else that escapes is a bug.
"""

from __future__ import annotations


class ProvenanceError(Exception):
    """Base class for every error provenance raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(ProvenanceError):
    """The user asked for something that cannot be done as asked: a usage error.

    A path that does not exist, a malformed token or configuration file, an option
    value that makes no sense.
    """


class OperationalError(ProvenanceError):
    """The environment failed us: a file could not be written, a key could not be read."""


class VerificationError(ProvenanceError):
    """Raised by ``verify_*`` functions when what was checked is not as claimed."""


class Refused(ProvenanceError):
    """An action was refused to protect what exists: a footer, a .sig, a key."""


class StampRefused(Refused):
    """A stamp was refused, for example because the file already carries a footer."""


class UnreadableArchive(ProvenanceError):
    """An archive that provenance will not read, because tar or unzip could read it otherwise.

    Raised by the archive readers (:mod:`provenance.tarread`, :mod:`provenance.zipread`) and
    turned by :func:`provenance.archive.check_archive` into one ``unreadable`` result on the
    archive itself, which fails the run; it never reaches the command line.
    """
