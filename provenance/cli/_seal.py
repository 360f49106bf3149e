"""The ``seal`` command: write SHA256SUMS and SHA256SUMS.sig for a folder."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from provenance.cli import EXIT_OK, FORMAT_OPTION, path_param, shown
from provenance.cli._signing import AGENT_OPTION, PASSPHRASE_FILE_OPTION, load_signing_key

if TYPE_CHECKING:
    from provenance.keys import Signer


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
    "--records",
    is_flag=True,
    help="First write ARTICLE.prov, a provenance record, for every article that has none.",
)
@PASSPHRASE_FILE_OPTION
@FORMAT_OPTION
def seal(
    folder: str,
    key_path: str | None,
    agent: bool,
    namespace: str,
    force: bool,
    records: bool,
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
    recorded = 0
    if records:
        recorded = _write_records(folder, key)
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
            **({"records": recorded} if records else {}),
        )
        click.echo(report.write_report("seal", [entry], [(verb, 1)]), nl=False)
        return EXIT_OK
    click.echo(
        f"{verb} {shown(folder)}: {sealed.files} file{'s' if sealed.files != 1 else ''} listed in "
        f"{sealed.manifest_path.name}, signed in {sealed.signature_path.name} "
        f"by {sealed.key_fingerprint} (namespace {sealed.namespace!r})"
    )
    return EXIT_OK


def _write_records(folder: str, key: Signer) -> int:
    """``--records``: a record for every article of the folder (outside inner seals), before
    the seal lists them; one line on stderr says how many were written."""
    from provenance.cli import walk
    from provenance.cli._records import record_time
    from provenance.recorded import record_folder
    from provenance.seals import is_sealed

    def inner_seal(path: str) -> bool:
        # An inner sealed folder keeps its own seal whole: a new file would be unlisted there.
        parent = os.path.dirname(path)
        while os.path.relpath(parent, folder) != ".":
            if is_sealed(parent):
                return True
            parent = os.path.dirname(parent)
        return False

    articles = [path for path, _ in walk((folder,), (), ()) if not inner_seal(path)]
    written, skipped = record_folder(folder, key, articles, now=record_time())
    left = f"; {len(skipped)} without a copyright notice have none" if skipped else ""
    noun = "record" if len(written) == 1 else "records"
    click.echo(f"provenance: wrote {len(written)} {noun} (ARTICLE.prov){left}", err=True)
    return len(written)


def register(group: click.Group) -> None:
    """Add ``seal`` to the ``provenance`` command."""
    group.add_command(seal)
