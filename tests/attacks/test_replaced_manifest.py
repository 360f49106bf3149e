"""Attack: replace a sealed folder's SHA256SUMS by something that is not a file, so that the
folder looks plain and passes on its footers alone.

Each path kind used to be decided in two places that disagreed (a regular-file test where
the run picked its recipe, an any-kind test in the sealed check); now one selector decides,
on the one rule of seals.py. However the folder is named (plainly, with a trailing slash,
through a link, beside a file), it stays sealed and its seal fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.keys import SigningKey
from provenance.seal import seal_folder
from provenance.selector import PathKind, kind_of
from tests.conftest import article, invoke, plant_entry, write

GOOD = article()


@pytest.mark.parametrize("form", ["folder", "dangling link", "FIFO"])
@pytest.mark.parametrize("named", ["plain", "trailing slash", "through a link", "beside a file"])
def test_a_replaced_manifest_fails_the_folder_named(
    tmp_path: Path, key: SigningKey, form: str, named: str
) -> None:
    root = tmp_path / "issue"
    write(root, "a.txt", GOOD.data())
    seal_folder(root, key)
    # Planted once the seal is gone: a plain walk would pass it on its (good) footer.
    write(root, "planted.txt", GOOD.data())
    (root / "SHA256SUMS").unlink()
    plant_entry(root / "SHA256SUMS", form, tmp_path / "nothing")
    (tmp_path / "via").symlink_to(root)
    other = write(tmp_path, "other.txt", GOOD.data())
    argument = {
        "plain": [str(root)],
        "trailing slash": [f"{root}/"],
        "through a link": [str(tmp_path / "via")],
        "beside a file": [str(other), str(root)],
    }[named]
    assert kind_of(argument[-1]) is PathKind.SEALED
    result = invoke("verify", "--format", "json", *argument)
    assert "Traceback" not in result.output
    assert result.exit_code == 1
    rows = {Path(row["path"]).name: row for row in json.loads(result.stdout)["results"]}
    assert rows["SHA256SUMS"]["verdict"] == "unreadable"
    assert rows["planted.txt"]["manifest"] == "unlisted"
    assert rows["a.txt"]["manifest"] == "unlisted"
