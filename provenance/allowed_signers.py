"""Trust: who may sign, read from an OpenSSH allowed_signers file or a single public key.

The file is read as ``ssh-keygen -Y verify -f FILE`` reads it (ssh-keygen(1), ALLOWED SIGNERS)::

    # comment
    alice@example.com,*@team.example.com ssh-ed25519 AAAA... optional comment
    "bob smith" namespaces="file,git",valid-after="20240101",valid-before="20261231Z" ssh-ed25519 AAAA...

Each line is ``PRINCIPALS [OPTIONS] KEYTYPE BASE64 [COMMENT]``. Principals and namespaces are
OpenSSH pattern lists: comma-separated patterns with ``*`` and ``?``, a leading ``!`` negating
one. Option names are case-insensitive and option values must be double-quoted, as in OpenSSH.
Times are ``YYYYMMDD``, ``YYYYMMDDHHMM`` or ``YYYYMMDDHHMMSS``, in local time unless they end
in ``Z`` (or ``UTC``); both ends of the window are inclusive.

Stricter than ssh-keygen, which only reads a file as far as the first line that matches: every
line is parsed when the file is loaded, and a malformed one is an
:class:`~provenance.errors.InputError` that names the file and line. ``cert-authority`` lines
are refused (provenance does not check certificates), as are key types it cannot verify (DSA)
and small-order Ed25519 keys; security keys (``sk-ssh-ed25519@openssh.com``,
``sk-ecdsa-sha2-nistp256@openssh.com``) are read like any other. Empty patterns (``a,,b``) and quotes inside an unquoted principal
list are refused instead of being given a meaning.

The principal reported for a good signature is the principals field of the line that trusts
the key, never anything taken from the signature.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from provenance.errors import InputError
from provenance.fsio import read_small_file
from provenance.keys import SUPPORTED_KEY_TYPES, PublicKey, load_public_key, parse_public_key
from provenance.sigtime import parse_openssh_time

#: Option names an allowed_signers line may carry (case-insensitive, as in OpenSSH).
_VALUE_OPTIONS = ("namespaces", "valid-after", "valid-before")
_CERT_AUTHORITY = "cert-authority"
#: Key type names OpenSSH knows but provenance cannot verify (those of them that are not in
#: SUPPORTED_KEY_TYPES): named in the error message.
_KNOWN_UNSUPPORTED = re.compile(r"^(sk-|ssh-dss$|.*-cert-v01@openssh\.com$)")
#: More bytes than any sensible allowed_signers file has: refuse rather than read it all.
MAX_FILE_SIZE = 16 << 20


def match_pattern(text: str, pattern: str) -> bool:
    """OpenSSH's ``match_pattern``: ``*`` is any run of characters, ``?`` any one, the rest literal.

    >>> match_pattern("alice@example.com", "*@example.com")
    True
    """
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.fullmatch(regex, text, re.DOTALL) is not None


def match_pattern_list(text: str, patterns: tuple[str, ...]) -> bool:
    """OpenSSH's ``match_pattern_list``: some pattern matches and no negated (``!``) one does.

    >>> match_pattern_list("eve@example.com", ("*@example.com", "!eve@example.com"))
    False
    """
    positive = False
    for pattern in patterns:
        if pattern.startswith("!"):
            if match_pattern(text, pattern[1:]):
                return False
        elif match_pattern(text, pattern):
            positive = True
    return positive


@dataclass(frozen=True, slots=True)
class TrustDecision:
    """Whether a key may sign in a namespace at a time, and as whom.

    ``principals`` is what the trust source names for the key (patterns as written in the
    file); ``reason`` says why the key was refused, or where it was found.
    """

    trusted: bool
    principals: tuple[str, ...]
    reason: str
    #: The key is revoked: never trusted, and reported as ``revoked``, not ``untrusted``.
    revoked: bool = False


class TrustPolicy(Protocol):
    """What :func:`provenance.sign.check_signature` asks about the key inside a signature."""

    def decide(
        self, key: PublicKey, namespace: str, when: int, principal: str | None = None
    ) -> TrustDecision:
        """Decide whether ``key`` may sign in ``namespace`` at Unix time ``when``.

        With ``principal`` (like ``ssh-keygen -Y verify -I``), the key must also be allowed
        for that identity.
        """
        ...


@dataclass(frozen=True, slots=True)
class AllowedSigner:
    """One line of an allowed_signers file."""

    principals: tuple[str, ...]
    key: PublicKey
    #: Namespace patterns from ``namespaces="..."``; ``None`` allows every namespace.
    namespaces: tuple[str, ...] | None
    #: Unix times from ``valid-after``/``valid-before``; ``None`` is unbounded.
    valid_after: int | None
    valid_before: int | None
    line: int

    def refusal(self, namespace: str, when: int, principal: str | None) -> str | None:
        """Why this line does not allow its key here, or ``None`` when it does."""
        if principal is None and all(pattern.startswith("!") for pattern in self.principals):
            # A list of negations alone matches no identity (match_pattern_list needs one
            # positive match), so the line vouches for no one: without this, a verify that
            # asks for no principal would trust the key "as" a name the file excludes.
            shown = ",".join(self.principals)
            return f"principals {shown!r} are all negated: the line allows no one"
        if principal is not None and not match_pattern_list(principal, self.principals):
            return f"principal {principal!r} is not among {','.join(self.principals)!r}"
        if self.namespaces is not None and not match_pattern_list(namespace, self.namespaces):
            allowed = ",".join(self.namespaces)
            return f"namespace {namespace!r} is not allowed (namespaces={allowed!r})"
        if self.valid_after is not None and when < self.valid_after:
            return (
                f"key not yet valid: {_show(when)} is before valid-after {_show(self.valid_after)}"
            )
        if self.valid_before is not None and when > self.valid_before:
            return f"key expired: {_show(when)} is after valid-before {_show(self.valid_before)}"
        return None


def _show(when: int) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class AllowedSigners:
    """A parsed allowed_signers file: a :class:`TrustPolicy`."""

    source: str
    entries: tuple[AllowedSigner, ...]

    def decide(
        self, key: PublicKey, namespace: str, when: int, principal: str | None = None
    ) -> TrustDecision:
        """Trust ``key`` when some line lists it and allows this namespace, time and principal."""
        refusals: list[str] = []
        allowed: list[AllowedSigner] = []
        for entry in self.entries:
            if entry.key.blob != key.blob:
                continue
            why = entry.refusal(namespace, when, principal)
            if why is None:
                allowed.append(entry)
            else:
                refusals.append(f"{why} ({self.source}:{entry.line})")
        if allowed:
            if principal is not None:
                names: tuple[str, ...] = (principal,)
            else:
                names = tuple(dict.fromkeys(p for entry in allowed for p in entry.principals))
            lines = ", ".join(f"{self.source}:{entry.line}" for entry in allowed)
            return TrustDecision(True, names, f"allowed by {lines}")
        if refusals:
            return TrustDecision(False, (), "; ".join(refusals))
        return TrustDecision(False, (), f"key {key.fingerprint} is not in {self.source}")


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """Trust in exactly one key (``--public-key KEY.pub``), in every namespace, at all times.

    The principal reported is the key's comment, when it has one.
    """

    key: PublicKey
    source: str = "the trusted key"

    def decide(
        self, key: PublicKey, namespace: str, when: int, principal: str | None = None
    ) -> TrustDecision:
        """Trust ``key`` when it is this key (and its comment is ``principal``, if given)."""
        if key.blob != self.key.blob:
            return TrustDecision(
                False,
                (),
                f"signed by {key.fingerprint}, not by {self.key.fingerprint} ({self.source})",
            )
        names = (self.key.comment,) if self.key.comment else ()
        if principal is not None and principal not in names:
            return TrustDecision(False, (), f"principal {principal!r} is not {self.key.comment!r}")
        return TrustDecision(True, names, f"the key in {self.source}")


def load_trusted_key(path: str | os.PathLike[str]) -> TrustedKey:
    """The :class:`TrustedKey` policy of a ``.pub`` file."""
    return TrustedKey(load_public_key(path), str(path))


def load_allowed_signers(path: str | os.PathLike[str]) -> AllowedSigners:
    """Read and check a whole allowed_signers file.

    >>> load_allowed_signers("allowed_signers").decide(key, "file", now)  # doctest: +SKIP
    TrustDecision(trusted=True, principals=('alice@example.com',), reason='allowed by ...')
    """
    data = read_small_file(path, "allowed signers file", MAX_FILE_SIZE)
    return parse_allowed_signers(data, str(path))


def parse_allowed_signers(data: bytes | str, source: str = "allowed_signers") -> AllowedSigners:
    """Parse allowed_signers content; ``source`` names it in error messages."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    entries = []
    for number, line_bytes in enumerate(raw.split(b"\n"), start=1):
        try:
            line = line_bytes.decode("utf-8")
            entry = _parse_line(line, number)
        except UnicodeDecodeError as exc:
            raise InputError(f"{source}:{number}: not UTF-8 text") from exc
        except InputError as exc:
            raise InputError(f"{source}:{number}: {exc.message}", hint=exc.hint) from exc
        if entry is not None:
            entries.append(entry)
    return AllowedSigners(source, tuple(entries))


def _parse_line(line: str, number: int) -> AllowedSigner | None:
    rest = line.strip(" \t\r")
    if not rest or rest.startswith("#"):
        return None
    principals_field, rest = _take_principals(rest)
    principals = _pattern_list(principals_field, "principal")
    first = _first_token(rest)
    options: dict[str, str] = {}
    if not _is_key_type(first):
        options_field, rest = _take_options(rest)
        options = _parse_options(options_field)
        first = _first_token(rest)
    if first not in SUPPORTED_KEY_TYPES and _KNOWN_UNSUPPORTED.match(first):
        raise InputError(f"key type {first!r} is not supported by provenance")
    if first not in SUPPORTED_KEY_TYPES:
        raise InputError(f"expected a key type after the options, found {first!r}")
    key = parse_public_key(rest)
    namespaces = options.get("namespaces")
    valid_after = _optional_time(options, "valid-after")
    valid_before = _optional_time(options, "valid-before")
    if valid_after is not None and valid_before is not None and valid_before <= valid_after:
        raise InputError('"valid-before" time is not after "valid-after"')
    return AllowedSigner(
        principals=principals,
        key=key,
        namespaces=None if namespaces is None else _pattern_list(namespaces, "namespace"),
        valid_after=valid_after,
        valid_before=valid_before,
        line=number,
    )


def _first_token(text: str) -> str:
    parts = text.split(None, 1)
    return parts[0] if parts else ""


def _is_key_type(token: str) -> bool:
    # Like OpenSSH, which first tries to read a key and only then options.
    return token in SUPPORTED_KEY_TYPES or _KNOWN_UNSUPPORTED.match(token) is not None


def _take_principals(text: str) -> tuple[str, str]:
    """Split off the principals field: one unquoted word or one double-quoted string."""
    if text.startswith('"'):
        end = text.find('"', 1)
        if end == -1:
            raise InputError("unterminated quote in the principals")
        field_, rest = text[1:end], text[end + 1 :]
        if rest and rest[0] not in " \t":
            raise InputError("text right after the closing quote of the principals")
    else:
        parts = text.split(None, 1)
        if not parts:
            # Only whitespace other than spaces and tabs (a vertical tab, a form feed...).
            raise InputError(f"expected principals, found only whitespace {text!r}")
        field_, rest = parts[0], parts[1] if len(parts) == 2 else ""
        if '"' in field_:
            raise InputError("a quote inside the principals; quote the whole field instead")
    rest = rest.lstrip(" \t")
    if not rest:
        raise InputError("missing key after the principals")
    return field_, rest


def _take_options(text: str) -> tuple[str, str]:
    """Split off the options field: up to the first space or tab outside double quotes."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in " \t" and not quoted:
            return text[:index], text[index:].lstrip(" \t")
    if quoted:
        raise InputError("unterminated quote in the options")
    raise InputError("missing key after the options")


def _parse_options(text: str) -> dict[str, str]:
    """``name="value",flag,...`` as OpenSSH's sshsigopt_parse reads it, refusing what it refuses."""
    options: dict[str, str] = {}
    rest = text
    while True:
        name = re.match(r"[A-Za-z0-9-]*", rest)
        assert name is not None  # The pattern matches the empty string.
        keyword = name.group().lower()
        rest = rest[name.end() :]
        if keyword == _CERT_AUTHORITY:
            raise InputError(
                "cert-authority is not supported: provenance does not check certificates",
                hint="list the signers' own keys instead of their certificate authority",
            )
        if keyword not in _VALUE_OPTIONS or not rest.startswith("="):
            raise InputError(f"unknown option {keyword or rest!r}")
        if keyword in options:
            raise InputError(f'multiple "{keyword}" clauses')
        options[keyword], rest = _dequote(rest[1:], keyword)
        if not rest:
            return options
        if not rest.startswith(","):
            raise InputError(f"expected ',' after {keyword}=..., found {rest[0]!r}")
        rest = rest[1:]
        if not rest:
            raise InputError("unexpected end of options after ','")


def _dequote(text: str, keyword: str) -> tuple[str, str]:
    """OpenSSH's opt_dequote: a double-quoted value in which ``\\"`` stands for a quote."""
    if not text.startswith('"'):
        raise InputError(f"the value of {keyword} must be in double quotes")
    value: list[str] = []
    index = 1
    while index < len(text):
        char = text[index]
        if char == "\\" and text[index + 1 : index + 2] == '"':
            value.append('"')
            index += 2
        elif char == '"':
            return "".join(value), text[index + 1 :]
        else:
            value.append(char)
            index += 1
    raise InputError(f"missing end quote in the value of {keyword}")


def _pattern_list(text: str, what: str) -> tuple[str, ...]:
    patterns = tuple(text.split(","))
    if any(pattern in ("", "!") for pattern in patterns):
        raise InputError(f"empty {what} pattern in {text!r}")
    return patterns


def _optional_time(options: dict[str, str], what: str) -> int | None:
    return parse_openssh_time(options[what], what) if what in options else None


__all__ = [
    "AllowedSigner",
    "AllowedSigners",
    "TrustDecision",
    "TrustPolicy",
    "TrustedKey",
    "load_allowed_signers",
    "load_trusted_key",
    "match_pattern",
    "match_pattern_list",
    "parse_allowed_signers",
]
