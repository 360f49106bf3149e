"""``stamp``, ``sign`` and ``seal --format json``: one report, refusals in it, exit as text.

Every report here is also validated against provenance/schemas/write.schema.json
(tests/conftest.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import invoke, write

from provenance import report
from provenance.keys import generate_key


def _key(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "alice"
    path.parent.mkdir()
    generate_key(path, comment="alice@example.com")
    return path


def test_stamp_json_reports_each_file_and_each_refusal(tmp_path: Path) -> None:
    new = write(tmp_path / "issue", "a.txt", "The tide came in early.\n")
    result = invoke(
        "stamp", "--format", "json", new, "--holder", "Example News, Inc.", "--year", "2026"
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["$schema"] == report.WRITE_SCHEMA
    assert payload["command"] == "stamp" and payload["passed"] is True
    assert payload["counts"] == {
        "stamped": 1,
        "updated": 0,
        "unchanged": 0,
        "already stamped": 0,
        "refused": 0,
    }
    (entry,) = payload["results"]
    assert (entry["path"], entry["action"], entry["algorithm"]) == (str(new), "stamped", "md5")
    assert new.read_text().endswith(f" {entry['digest']}\n")

    again = invoke(
        "stamp", "--format", "json", tmp_path / "issue", "--holder", "Example News, Inc."
    )
    assert again.exit_code == 1
    assert again.stderr == ""  # the refusal is in the report, not on stderr
    refused = json.loads(again.stdout)
    assert refused["passed"] is False and refused["counts"]["refused"] == 1
    (entry,) = refused["results"]
    assert entry["action"] == "refused" and "already has a footer" in entry["error"]
    assert entry["hint"].startswith("use --update")


def test_stamp_json_keeps_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "issue"
    folder.mkdir()
    name = os.fsencode(folder) + b"/caf\xe9.txt"
    with open(name, "wb") as handle:
        handle.write(b"A story.\n")
    result = invoke("stamp", "--format", "json", folder, "--holder", "X", "--year", "2026")
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)["results"]
    assert "path_bytes" in entry and "\ufffd" in entry["path"]


def test_sign_json(tmp_path: Path) -> None:
    key = _key(tmp_path)
    target = write(tmp_path, "a.txt", "A story.\n")
    result = invoke("sign", "--format", "json", target, "-k", key)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["counts"] == {"signed": 1, "refused": 0}
    (entry,) = payload["results"]
    assert entry["signature_path"] == f"{target}.sig" and entry["namespace"] == "file"
    assert entry["key_fingerprint"].startswith("SHA256:")
    again = invoke("sign", "--format", "json", target, "-k", key)
    assert again.exit_code == 1
    assert json.loads(again.stdout)["results"][0]["action"] == "refused"


def test_seal_json(tmp_path: Path) -> None:
    key = _key(tmp_path)
    folder = tmp_path / "issue"
    write(folder, "a.txt", "A story.\n")
    write(folder, "b.txt", "Another.\n")
    result = invoke("seal", "--format", "json", folder, "-k", key)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["counts"] == {"sealed": 1}
    (entry,) = payload["results"]
    assert (entry["action"], entry["files"]) == ("sealed", 2)
    assert entry["manifest_path"] == str(folder / "SHA256SUMS")
    resealed = invoke("seal", "--format", "json", folder, "-k", key, "--force")
    assert json.loads(resealed.stdout)["results"][0]["action"] == "resealed"
