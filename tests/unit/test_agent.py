"""The ssh-agent client (provenance.agent) against a fake agent that answers what it is told.

The real ssh-agent is in tests/interop/test_ssh_agent.py; here each hostile or broken answer
(a refusal, a huge length, trailing bytes, a foreign signature, silence) is one test.
"""

from __future__ import annotations

import re
import shutil
import socket
import struct
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from provenance import agent
from provenance.errors import InputError, OperationalError
from provenance.keys import SigningKey, public_key_from_blob
from provenance.sign import sign_bytes
from tests.sshcraft import s

Reply = Callable[[bytes], bytes]


def _message(kind: int, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload) + 1) + bytes((kind,)) + payload


def _key() -> SigningKey:
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes_raw()
    return SigningKey(public_key_from_blob(s(b"ssh-ed25519") + s(raw), "k@example.com"), private)


@pytest.fixture
def fake_agent() -> Iterator[Callable[[list[Reply]], str]]:
    """Start an agent that answers the n-th request with ``replies[n](request)``."""
    folder = Path(tempfile.mkdtemp(prefix="pa-", dir="/tmp"))  # Socket paths are short.
    servers: list[socket.socket] = []

    def start(replies: list[Reply]) -> str:
        path = str(folder / "agent.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen()
        servers.append(server)

        def serve() -> None:
            for reply in replies:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                with conn:
                    length = struct.unpack(">I", conn.recv(4))[0]
                    request = b""
                    while len(request) < length:
                        request += conn.recv(length - len(request))
                    answer = reply(request)
                    if answer:
                        conn.sendall(answer)
                    else:
                        conn.recv(1)  # Silence: wait until the client gives up.

        threading.Thread(target=serve, daemon=True).start()
        return path

    yield start
    for server in servers:
        server.close()
    shutil.rmtree(folder)


def _identities(*keys: SigningKey) -> Reply:
    body = struct.pack(">I", len(keys)) + b"".join(
        s(key.public.blob) + s(key.public.comment.encode()) for key in keys
    )
    return lambda request: _message(12, body)


def _signs_with(key: SigningKey) -> Reply:
    def reply(request: bytes) -> bytes:
        assert request[0] == 13
        blob_length = struct.unpack(">I", request[1:5])[0]
        rest = request[5 + blob_length :]
        data_length = struct.unpack(">I", rest[:4])[0]
        return _message(14, s(key.sign(rest[4 : 4 + data_length])))

    return reply


def test_signs_through_the_agent(fake_agent: Callable[[list[Reply]], str]) -> None:
    key = _key()
    path = fake_agent([_identities(key), _signs_with(key)])
    signer = agent.agent_signer(None, path)
    assert signer.public == key.public
    assert sign_bytes(b"text", signer) == sign_bytes(b"text", key)  # Ed25519 is deterministic.


def test_unset_auth_sock_is_one_clear_usage_error() -> None:
    with pytest.raises(InputError, match="SSH_AUTH_SOCK is not set"):
        agent.agent_socket({})


def test_a_key_the_agent_does_not_hold_is_named(fake_agent: Callable[[list[Reply]], str]) -> None:
    held, wanted = _key(), _key()
    path = fake_agent([_identities(held)])
    with pytest.raises(
        InputError, match=re.escape(f"does not hold the key {wanted.public.fingerprint}")
    ):
        agent.agent_signer(wanted.public, path)


@pytest.mark.parametrize("count", [0, 2])
def test_agent_alone_needs_exactly_one_key(
    fake_agent: Callable[[list[Reply]], str], count: int
) -> None:
    path = fake_agent([_identities(*[_key() for _ in range(count)])])
    with pytest.raises(InputError, match="expected exactly one"):
        agent.agent_signer(None, path)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (_message(5, b""), "refused to sign"),
        (_message(6, b""), "message type 6"),
        (struct.pack(">I", agent.MAX_REPLY + 1), "reply of 262145 bytes"),
        (struct.pack(">I", 0), "reply of 0 bytes"),
        (struct.pack(">I", 50) + b"\x0e", "closed the connection"),
        (_message(14, s(b"x") + b"!"), "does not verify"),
        (_message(14, s(s(b"ssh-rsa") + s(bytes(64)))), "'ssh-rsa' signature"),
    ],
)
def test_a_broken_or_hostile_sign_reply_fails_the_command(
    fake_agent: Callable[[list[Reply]], str], answer: bytes, message: str
) -> None:
    key = _key()
    path = fake_agent([lambda request: answer])
    with pytest.raises(OperationalError, match=message):
        agent.AgentSigner(key.public, path).sign(b"data")


def test_a_signature_by_another_key_is_never_passed_on(
    fake_agent: Callable[[list[Reply]], str],
) -> None:
    key, other = _key(), _key()
    path = fake_agent([_signs_with(other)])
    with pytest.raises(OperationalError, match="does not verify"):
        agent.AgentSigner(key.public, path).sign(b"data")


def test_a_silent_agent_times_out(fake_agent: Callable[[list[Reply]], str]) -> None:
    key = _key()
    path = fake_agent([lambda request: b""])
    with pytest.raises(OperationalError, match="did not answer in time"):
        agent.AgentSigner(key.public, path, timeout=0.2).sign(b"data")


def test_no_agent_at_the_socket_is_an_operational_error(tmp_path: Path) -> None:
    with pytest.raises(OperationalError, match="cannot talk to the ssh-agent"):
        agent.list_keys(str(tmp_path / "nothing-here"))


def test_a_malformed_key_list_is_refused(fake_agent: Callable[[list[Reply]], str]) -> None:
    path = fake_agent([lambda request: _message(12, struct.pack(">I", 3) + s(b"x"))])
    with pytest.raises(OperationalError, match="malformed list of keys"):
        agent.list_keys(path)
