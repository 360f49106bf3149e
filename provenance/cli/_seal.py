"""The ``seal`` command: write SHA256SUMS and SHA256SUMS.sig for a folder."""

from __future__ import annotations

import click

from provenance.cli import EXIT_OK, FORMAT_OPTION, path_param, shown
from provenance.cli._signing import AGENT_OPTION, load_signing_key


@click.command()
@click.argument("folder", type=path_param(file_okay=False))
@click.option(
    "-k",
    "--key",
    "key_path",
    type=path_param(dir_okay=False),
    help="OpenSSH Ed25519 private key to sign with (e.g. ~/.ssh/id_ed25519), or a public key"
    " (KEY.pub) whose private half the ssh-agent holds.",
)
@AGENT_OPTION
@click.option("-n", "--namespace", default="file", show_default=True, help="Signature namespace.")
@click.option("--force", is_flag=True, help="Replace an existing seal.")
@click.option(
    "--passphrase-file",
    type=path_param(dir_okay=False),
    help="Read the key's passphrase from the first line of this file.",
)
@FORMAT_OPTION
def seal(
    folder: str,
    key_path: str | None,
    agent: bool,
    namespace: str,
    force: bool,
    passphrase_file: str | None,
    fmt: str,
) -> int:
    """Seal FOLDER: list every file in FOLDER/SHA256SUMS and sign it in SHA256SUMS.sig.

    \b
    Anyone can then check the seal with stock tools, inside FOLDER:
      sha256sum --strict -c SHA256SUMS
      ssh-keygen -Y verify -f allowed_signers -I WHO -n file -s SHA256SUMS.sig < SHA256SUMS
    and with `provenance verify FOLDER`, which also finds planted files and checks footers.
    """
    from provenance.seal import seal_folder

    key = load_signing_key(key_path, passphrase_file, agent)
    sealed = seal_folder(folder, key, namespace, force)
    verb = "resealed" if sealed.replaced else "sealed"
    if fmt == "json":
        from provenance import report

        entry = report.write_entry(
            folder,
            verb,
            files=sealed.files,
            manifest_path=str(sealed.manifest_path),
            signature_path=str(sealed.signature_path),
            key_fingerprint=sealed.key_fingerprint,
            namespace=sealed.namespace,
        )
        click.echo(report.write_report("seal", [entry], [(verb, 1)]), nl=False)
        return EXIT_OK
    click.echo(
        f"{verb} {shown(folder)}: {sealed.files} file{'s' if sealed.files != 1 else ''} listed in "
        f"{sealed.manifest_path.name}, signed in {sealed.signature_path.name} "
        f"by {sealed.key_fingerprint} (namespace {sealed.namespace!r})"
    )
    return EXIT_OK


def register(group: click.Group) -> None:
    """Add ``seal`` to the ``provenance`` command."""
    group.add_command(seal)
