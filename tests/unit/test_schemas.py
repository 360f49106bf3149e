"""The JSON Schemas of the reports: shipped in the package, named by ``$schema``, enforced.

tests/conftest.py validates every json, jsonl and parse report any test produces against
these files; the tests here check the schemas themselves and that the check has teeth.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, SCHEMA_OF, article, invoke, schema_validator, write

from provenance import report

NAMES = sorted({schema for schema, _ in SCHEMA_OF.values()})


@pytest.mark.parametrize("name", NAMES)
def test_each_schema_ships_in_the_package_and_in_docs(name: str) -> None:
    shipped = resources.files("provenance").joinpath("schemas", name).read_text(encoding="utf-8")
    assert (ROOT / "docs" / "schemas" / name).read_text(encoding="utf-8") == shipped
    assert json.loads(shipped)["$id"] == report.SCHEMA_BASE + name


def test_reports_name_their_schema(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", article().data())
    verify = json.loads(invoke("verify", "--format", "json", path).stdout)
    assert verify["$schema"] == report.VERIFY_SCHEMA
    lines = invoke("verify", "--format", "jsonl", path).stdout.splitlines()
    assert json.loads(lines[-1])["$schema"] == report.JSONL_SCHEMA
    parsed = json.loads(invoke("parse", "--format", "json", path).stdout)
    assert parsed["$schema"] == report.PARSE_SCHEMA


def test_the_validation_hook_rejects_a_report_off_its_schema(tmp_path: Path) -> None:
    validator = schema_validator("verify.schema.json")
    path = write(tmp_path, "a.txt", article().data())
    good = json.loads(invoke("verify", "--format", "json", path).stdout)
    validator.validate(good)
    for broken in (
        {**good, "summary": {**good["summary"], "fine": 1}},
        {**good, "results": [{**good["results"][0], "verdict": "fine"}]},
        {key: value for key, value in good.items() if key != "passed"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(broken)


def test_json_summary_carries_signature_and_manifest_counts(sealed: Path) -> None:
    pub = sealed.parent / "keys" / "alice.pub"  # the key that sealed it (conftest)
    write(sealed, "planted.txt", article().data())
    text = invoke("verify", sealed, "--public-key", pub)
    payload = json.loads(invoke("verify", "--format", "json", sealed, "--public-key", pub).stdout)
    assert "signatures: 1 good; manifest: 3 listed, 1 unlisted" in text.stdout
    assert payload["signatures"] == {"good": 1}
    assert payload["manifest"] == {"listed": 3, "unlisted": 1}
    tail = invoke("verify", "--format", "jsonl", sealed, "--public-key", pub)
    summary = json.loads(tail.stdout.splitlines()[-1])
    assert (summary["signatures"], summary["manifest"]) == (
        payload["signatures"],
        payload["manifest"],
    )


def test_a_plain_run_has_no_signature_or_manifest_counts(tmp_path: Path) -> None:
    payload = json.loads(
        invoke("verify", "--format", "json", write(tmp_path, "a.txt", article().data())).stdout
    )
    assert "signatures" not in payload and "manifest" not in payload
