"""Signing through an ssh-agent, for keys that never touch disk (hardware tokens, 1Password...).

The agent protocol (draft-miller-ssh-agent) over the Unix socket named by ``SSH_AUTH_SOCK``:
every message is ``uint32 length, byte type, payload``. Two requests are used, as
``ssh-keygen -Y sign`` uses them:

* ``SSH_AGENTC_REQUEST_IDENTITIES`` (11), answered by ``SSH_AGENT_IDENTITIES_ANSWER`` (12):
  ``uint32 count`` and, per key, ``string key blob, string comment``;
* ``SSH_AGENTC_SIGN_REQUEST`` (13): ``string key blob, string data, uint32 flags``, answered by
  ``SSH_AGENT_SIGN_RESPONSE`` (14): ``string signature``. The data is the SSHSIG signed-data
  blob; for an RSA key the flags ask for ``rsa-sha2-512`` (SSH_AGENT_RSA_SHA2_512), as
  PROTOCOL.sshsig requires.

``SSH_AGENT_FAILURE`` (5) is the agent's refusal: the key is not there, a confirmation was
declined, a token was not touched. The reader is strict (one reply of the expected type, no
trailing bytes, a length under :data:`MAX_REPLY`, read to its end or not at all), every
socket operation has a timeout, and a signature the agent returns is checked against the
public key before anything is written: an agent that answers with a wrong or foreign
signature fails the command instead of leaving a ``.sig`` that does not verify.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass

from provenance.errors import InputError, OperationalError, VerificationError
from provenance.keys import RSA, PublicKey, public_key_from_blob
from provenance.sshsig import expect_end, put_string, put_u32, read_string, read_text, read_u32

#: The environment variable that names the agent's socket.
AUTH_SOCK = "SSH_AUTH_SOCK"
SSH_AGENT_FAILURE = 5
SSH_AGENTC_REQUEST_IDENTITIES = 11
SSH_AGENT_IDENTITIES_ANSWER = 12
SSH_AGENTC_SIGN_REQUEST = 13
SSH_AGENT_SIGN_RESPONSE = 14
#: Sign-request flag: an RSA signature with SHA-512 (``rsa-sha2-512``).
SSH_AGENT_RSA_SHA2_512 = 0x04
#: OpenSSH's own limit on an agent message (AGENT_MAX_LEN): a longer reply is refused unread.
MAX_REPLY = 256 * 1024
#: Seconds to connect and to send; an agent that does not accept a request by then is stuck.
CONNECT_TIMEOUT = 10.0
#: Seconds to wait for a reply: a hardware token may wait for a touch or a PIN first.
REPLY_TIMEOUT = 120.0


def agent_socket(environ: Mapping[str, str] | None = None) -> str:
    """The agent's socket path from ``SSH_AUTH_SOCK``; an :class:`InputError` when unset."""
    path = (os.environ if environ is None else environ).get(AUTH_SOCK, "")
    if not path:
        raise InputError(
            f"no ssh-agent: {AUTH_SOCK} is not set",
            hint="start one with 'eval $(ssh-agent)' and add the key with ssh-add",
        )
    return path


def _request(path: str, kind: int, payload: bytes, timeout: float) -> tuple[int, bytes]:
    """Send one message to the agent at ``path`` and return its reply's type and payload."""
    body = bytes((kind,)) + payload
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(CONNECT_TIMEOUT)
            conn.connect(path)
            conn.sendall(put_u32(len(body)) + body)
            conn.settimeout(timeout)
            length = int.from_bytes(_receive(conn, 4), "big")
            if not 1 <= length <= MAX_REPLY:
                raise OperationalError(
                    f"the ssh-agent at {path} sent a reply of {length} bytes"
                    f" (expected 1 to {MAX_REPLY})"
                )
            reply = _receive(conn, length)
    except TimeoutError:
        raise OperationalError(f"the ssh-agent at {path} did not answer in time") from None
    except OSError as exc:
        raise OperationalError(
            f"cannot talk to the ssh-agent at {path}: {exc.strerror or exc}",
            hint=f"is the agent running, and {AUTH_SOCK} its socket?",
        ) from exc
    return reply[0], reply[1:]


def _receive(conn: socket.socket, count: int) -> bytes:
    """Exactly ``count`` bytes, or an error when the agent hangs up first."""
    chunks: list[bytes] = []
    left = count
    while left:
        chunk = conn.recv(min(left, 65536))
        if not chunk:
            raise OperationalError("the ssh-agent closed the connection in the middle of a reply")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _unexpected(kind: int, wanted: str) -> OperationalError:
    if kind == SSH_AGENT_FAILURE:
        return OperationalError(f"the ssh-agent refused to {wanted}")
    return OperationalError(
        f"the ssh-agent answered with message type {kind} to a request to {wanted}"
    )


def list_keys(path: str, timeout: float = CONNECT_TIMEOUT) -> tuple[PublicKey, ...]:
    """The keys the agent holds that provenance can use (certificates, DSA... are left out)."""
    kind, payload = _request(path, SSH_AGENTC_REQUEST_IDENTITIES, b"", timeout)
    if kind != SSH_AGENT_IDENTITIES_ANSWER:
        raise _unexpected(kind, "list its keys")
    try:
        count, rest = read_u32(payload, "key count")
        keys: list[PublicKey] = []
        for _ in range(count):
            blob, rest = read_string(rest, "key blob")
            comment, rest = read_text(rest, "key comment")
            try:
                keys.append(public_key_from_blob(blob, comment))
            except InputError:
                continue  # A key type provenance does not sign with: not a candidate.
        expect_end(rest, "the list of keys")
    except InputError as exc:
        raise OperationalError(f"the ssh-agent sent a malformed list of keys: {exc}") from exc
    return tuple(keys)


@dataclass(frozen=True, slots=True)
class AgentSigner:
    """A key the ssh-agent holds: signs like :class:`~provenance.keys.SigningKey`, by asking."""

    public: PublicKey
    socket_path: str
    timeout: float = REPLY_TIMEOUT

    def sign(self, data: bytes) -> bytes:
        """The agent's SSH-encoded signature of ``data``, checked before it is returned."""
        is_rsa = self.public.key_type == RSA
        flags = SSH_AGENT_RSA_SHA2_512 if is_rsa else 0
        request = put_string(self.public.blob) + put_string(data) + put_u32(flags)
        kind, payload = _request(self.socket_path, SSH_AGENTC_SIGN_REQUEST, request, self.timeout)
        if kind != SSH_AGENT_SIGN_RESPONSE:
            raise _unexpected(kind, f"sign with {self.public.fingerprint}")
        try:
            signature, rest = read_string(payload, "signature")
            expect_end(rest, "the sign response")
            algorithm, _ = read_text(signature, "signature algorithm")
            expected = "rsa-sha2-512" if is_rsa else self.public.key_type
            if algorithm != expected:
                raise InputError(f"a {algorithm!r} signature, expected {expected!r}")
            self.public.verify(signature, data)
        except (InputError, VerificationError) as exc:
            raise OperationalError(
                f"the ssh-agent returned a signature that does not verify: {exc}"
            ) from exc
        return signature


def agent_signer(public: PublicKey | None = None, path: str | None = None) -> AgentSigner:
    """The agent's signer for ``public``, or for its only key when ``public`` is ``None``.

    Raises :class:`InputError` when ``SSH_AUTH_SOCK`` is unset, the agent does not hold the
    key, or it holds no usable key or several (then ``-k KEY.pub`` must choose).

    >>> agent_signer(load_public_key("id_ed25519.pub")).sign(data)  # doctest: +SKIP
    """
    where = agent_socket() if path is None else path
    held = list_keys(where)
    if public is not None:
        if public not in held:
            raise InputError(
                f"the ssh-agent does not hold the key {public.fingerprint}",
                hint="add it with ssh-add (ssh-add -l lists the keys it holds)",
            )
        return AgentSigner(public, where)
    if len(held) != 1:
        found = "no key" if not held else f"{len(held)} keys"
        raise InputError(
            f"the ssh-agent holds {found} provenance can sign with; expected exactly one",
            hint="name the key with -k KEY.pub" if held else "add one with ssh-add",
        )
    return AgentSigner(held[0], where)


__all__ = [
    "AUTH_SOCK",
    "MAX_REPLY",
    "AgentSigner",
    "agent_signer",
    "agent_socket",
    "list_keys",
]
