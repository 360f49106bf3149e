"""Commands for detached signatures: ``keygen`` and ``sign``.

Passphrases come from ``--passphrase-file`` or, on a terminal, from a hidden prompt; the
library asks for them through a callback and never prompts itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from provenance.cli import (
    EXIT_FAILED,
    EXIT_OK,
    FORMAT_OPTION,
    fail,
    path_param,
    refusal_entry,
    selection_options,
    shown,
    walk,
)

if TYPE_CHECKING:
    from provenance.keys import Signer

_NAMESPACE_HELP = "SSHSIG namespace: what the signature is for [default: file]."
_KEY_HELP = "Ed25519 private key, or a public key (KEY.pub) whose private half the ssh-agent holds."
#: ``--agent``: sign through the ssh-agent at SSH_AUTH_SOCK (``sign``, ``seal``, ``record``).
AGENT_OPTION = click.option(
    "--agent",
    is_flag=True,
    help="Sign with the ssh-agent at SSH_AUTH_SOCK: with -k KEY.pub, that key; alone, the"
    " only key it holds.",
)

#: ``--passphrase-file``: where ``sign``, ``seal`` and ``record`` read the key's passphrase.
PASSPHRASE_FILE_OPTION = click.option(
    "--passphrase-file",
    type=path_param(dir_okay=False),
    help="Read the key's passphrase from the first line of this file.",
)

#: A passphrase file is one short line; a larger file is refused unread.
MAX_PASSPHRASE_FILE_SIZE = 64 * 1024


def read_passphrase_file(path: str) -> bytes:
    """The first line of a passphrase file, without its line ending."""
    from provenance.fsio import read_small_file

    data = read_small_file(path, "passphrase file", MAX_PASSPHRASE_FILE_SIZE)
    return data.splitlines()[0] if data.splitlines() else b""


def passphrase_callback(passphrase_file: str | None, prompt: str) -> Callable[[], bytes] | None:
    """How to get a key's passphrase: from the file, from a terminal prompt, or not at all."""
    if passphrase_file is not None:
        return lambda: read_passphrase_file(passphrase_file)
    if sys.stdin.isatty():
        return lambda: click.prompt(prompt, hide_input=True, default="", show_default=False).encode(
            "utf-8"
        )
    return None


def load_signing_key(key_path: str | None, passphrase_file: str | None, agent: bool) -> Signer:
    """What ``sign`` and ``seal`` sign with: ``-k KEY`` (a private key file), or the ssh-agent.

    As ``ssh-keygen -Y sign -f``: a public key file (``-k KEY.pub``) means the agent holds its
    private half; ``--agent`` alone takes the agent's only key. A private key file others may
    read is signed with, with a warning: ssh-keygen refuses such a key outright; here it
    still signs, since the signature is as good, but whoever else could read the file could
    sign as its owner too.
    """
    from provenance.errors import InputError
    from provenance.keys import PublicKey, exposed_key_mode, load_key

    if key_path is None:
        if not agent:
            raise InputError(
                "missing -k KEY", hint="name a private key, or a KEY.pub the ssh-agent holds"
            )
        from provenance.agent import agent_signer

        return agent_signer()
    key = load_key(
        key_path, passphrase_callback(passphrase_file, f"Passphrase for {shown(key_path)}")
    )
    if isinstance(key, PublicKey):
        from provenance.agent import agent_signer

        return agent_signer(key)
    if agent:
        raise InputError(
            f"--agent signs with a key the ssh-agent holds, but {key_path} is a private key",
            hint="give -k KEY.pub, or leave out --agent",
        )
    mode = exposed_key_mode(key_path)
    if mode is not None:
        click.echo(
            f"provenance: warning: private key {shown(key_path)} is open to other users "
            f"(mode {mode:04o}): anyone who can read it can sign in your name; "
            f"run 'chmod 600 {shown(key_path)}'",
            err=True,
        )
    return key


@click.command()
@click.option(
    "-f",
    "path",
    required=True,
    type=path_param(exists=False, dir_okay=False),
    help="Private key file to write.",
)
@click.option("-C", "comment", default="", help="Comment stored in the public key, e.g. an email.")
@click.option("--no-passphrase", is_flag=True, help="Leave the private key unencrypted.")
@click.option(
    "--passphrase-file",
    type=path_param(dir_okay=False),
    help="Encrypt the key with the first line of this file.",
)
def keygen(path: str, comment: str, no_passphrase: bool, passphrase_file: str | None) -> int:
    """Make an Ed25519 key pair: PATH (mode 0600) and PATH.pub, in OpenSSH format.

    The key works with ssh-keygen and can sign with `provenance sign -k PATH`.
    Existing files are never overwritten.
    """
    from provenance.errors import InputError
    from provenance.keys import generate_key

    if no_passphrase and passphrase_file:
        raise InputError("--no-passphrase and --passphrase-file exclude each other")
    passphrase: bytes | None = None
    if passphrase_file is not None:
        passphrase = read_passphrase_file(passphrase_file)
    elif not no_passphrase:
        if not sys.stdin.isatty():
            raise InputError(
                "no passphrase given", hint="use --no-passphrase or --passphrase-file FILE"
            )
        passphrase = click.prompt(
            "Passphrase (empty for none)",
            hide_input=True,
            confirmation_prompt=True,
            default="",
            show_default=False,
        ).encode("utf-8")
    key = generate_key(path, comment=comment, passphrase=passphrase)
    click.echo(f"wrote {shown(path)} and {shown(path)}.pub  {key.public.fingerprint}")
    return EXIT_OK


@click.command()
@click.argument("paths", nargs=-1, required=True, type=path_param())
@click.option(
    "-k",
    "key_path",
    type=path_param(exists=False, dir_okay=False),
    help=_KEY_HELP,
)
@AGENT_OPTION
@click.option("-n", "--namespace", default="file", show_default=False, help=_NAMESPACE_HELP)
@click.option("--force", is_flag=True, help="Replace existing .sig files.")
@selection_options
@PASSPHRASE_FILE_OPTION
@FORMAT_OPTION
def sign(
    paths: tuple[str, ...],
    key_path: str | None,
    agent: bool,
    namespace: str,
    force: bool,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    passphrase_file: str | None,
    fmt: str,
) -> int:
    """Write FILE.sig beside each FILE: a detached SSHSIG signature of its bytes.

    `ssh-keygen -Y verify` checks these signatures; so does `provenance verify
    --allowed-signers`. Any file named can be signed, archives included; folders are walked
    as verify walks them (--include, --exclude), so that verify checks the signature of
    every file signed. A file whose .sig exists is refused (exit 1) unless --force; the last
    line counts what was done. With -k KEY.pub or --agent, the ssh-agent signs (keys in
    hardware tokens, 1Password, Secretive), as with ssh-keygen -Y sign.
    """
    from provenance import report
    from provenance.errors import Refused
    from provenance.sign import sign_file

    key = load_signing_key(key_path, passphrase_file, agent)
    signed = refused = 0
    entries: list[dict[str, object]] = []
    for path, display in walk(paths, include, exclude):
        try:
            written = sign_file(path, key, namespace, force=force)
        except Refused as exc:
            refused += 1
            if fmt == "json":
                entries.append(refusal_entry(display, exc))
            else:
                fail(exc.message, exc.hint)
            continue
        signed += 1
        if fmt == "json":
            entries.append(
                report.write_entry(
                    display,
                    "signed",
                    signature_path=str(written),
                    key_fingerprint=key.public.fingerprint,
                    namespace=namespace,
                )
            )
        else:
            click.echo(
                f"signed  {shown(display)}  -> {shown(str(written))}  ({key.public.fingerprint})"
            )
    tally = [("signed", signed), ("refused", refused)]
    if fmt == "json":
        click.echo(report.write_report("sign", entries, tally), nl=False)
    else:
        click.echo(report.tally_line(tally, "nothing to sign"))
    return EXIT_FAILED if refused else EXIT_OK


def register(group: click.Group) -> None:
    for command in (keygen, sign):
        group.add_command(command)
