"""The ``seal`` command: write SHA256SUMS and SHA256SUMS.sig for a folder, or make a BagIt bag."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from provenance.cli import EXIT_OK, FORMAT_OPTION, path_param, shown
from provenance.cli._signing import AGENT_OPTION, PASSPHRASE_FILE_OPTION, load_signing_key

if TYPE_CHECKING:
    from provenance.keys import Signer
    from provenance.seal import BagResult


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
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing seal (with --update: one that does not verify).",
)
@click.option(
    "--exclude",
    "exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave matching paths out (gitignore rules; repeatable). Nothing is left out by "
    "default, hidden files and .git included: pass the same --exclude to verify.",
)
@click.option(
    "--update",
    is_flag=True,
    help="Re-seal a sealed folder whose old seal verifies (signed by this key), and show "
    "what was added, removed and changed.",
)
@click.option(
    "--bagit",
    is_flag=True,
    help="Make FOLDER a BagIt bag in place (RFC 8493): files move into data/, manifests and "
    "tagmanifest-sha256.txt.sig are written.",
)
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
    exclude: tuple[str, ...],
    update: bool,
    bagit: bool,
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
    from provenance.errors import InputError
    from provenance.globs import compile_globs
    from provenance.seal import bag_folder, seal_folder

    if bagit and (exclude or update or force or records):
        # A bag lists every file it holds: what was left out would sit beside data/ unlisted.
        raise InputError(
            "--bagit makes a new bag of everything in FOLDER: it takes no "
            "--exclude, --update, --force or --records"
        )
    matcher = compile_globs(exclude, "--exclude")
    key = load_signing_key(key_path, passphrase_file, agent)
    if bagit:
        return _report_bag(folder, bag_folder(folder, key, namespace), fmt)
    recorded = 0
    if records:
        recorded = _write_records(folder, key)
    sealed = seal_folder(folder, key, namespace, force, exclude=matcher, update=update)
    changes = sealed.changes
    verb = "resealed" if sealed.replaced else "sealed"
    if changes is not None and not changes:
        verb = "unchanged"
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
            **(
                {
                    "added": list(changes.added),
                    "removed": list(changes.removed),
                    "changed": list(changes.changed),
                }
                if changes is not None
                else {}
            ),
        )
        click.echo(report.write_report("seal", [entry], [(verb, 1)]), nl=False)
        return EXIT_OK
    if changes is not None:
        for word, paths in (
            ("added", changes.added),
            ("removed", changes.removed),
            ("changed", changes.changed),
        ):
            for path in paths:
                click.echo(f"{word}: {shown(path)}")
        if not changes:
            click.echo(f"unchanged {shown(folder)}: the seal already lists every file as it is")
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


def _report_bag(folder: str, bag: BagResult, fmt: str) -> int:
    """What ``seal --bagit`` says it wrote."""
    signed = (
        f", signed in {bag.signature_path.name} by {bag.key_fingerprint}"
        if bag.signature_path
        else ""
    )
    if fmt == "json":
        from provenance import report

        entry = report.write_entry(
            folder,
            "bagged",
            files=bag.files,
            algorithms=list(bag.algorithms),
            signature_path=str(bag.signature_path) if bag.signature_path else None,
            key_fingerprint=bag.key_fingerprint,
            namespace=bag.namespace,
        )
        click.echo(report.write_report("seal", [entry], [("bagged", 1)]), nl=False)
        return EXIT_OK
    click.echo(
        f"bagged {shown(folder)}: {bag.files} file{'s' if bag.files != 1 else ''} moved into "
        f"data/ and listed in manifest-{'/'.join(bag.algorithms)}.txt{signed} "
        f"(namespace {bag.namespace!r})"
    )
    return EXIT_OK


def register(group: click.Group) -> None:
    """Add ``seal`` to the ``provenance`` command."""
    group.add_command(seal)
