"""`provenance parse`: text and JSON views of an article, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BAD, GOOD, article, assert_usage_error, invoke, write

ISSUE_KEYS = {"body", "contributors", "contacts", "copyright", "fingerprint", "trailer", "spans"}


def test_text_output(tmp_path: Path) -> None:
    art = article()
    path = write(tmp_path, "a.txt", art.data(trailer="\nAppeared in print."))
    result = invoke("parse", path)
    body = art.covered.split("\n—")[0] + "\n"
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"body:         {len(body.encode())} bytes, 3 lines\n"
        "contributors: Jane Roe; Rafael Ortiz\n"
        "contacts:     Ann Lee <ann.lee@example.com>; Bo Chen <bo.chen@example.com>\n"
        "copyright:    2022, Example News, Inc. (line 6)\n"
        f"fingerprint:  md5 {art.digest} (content)\n"
        "trailer:      Appeared in print.\n"
    )


def test_json_output(tmp_path: Path) -> None:
    art = article(year="2019–2022", algorithm="sha256")
    data = art.data()
    path = write(tmp_path, "a.txt", data)
    result = invoke("parse", "--format", "json", path)
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert set(payload) >= ISSUE_KEYS
    assert payload["body"] == art.covered.split("\n—")[0] + "\n"
    assert payload["contributors"] == ["Jane Roe", "Rafael Ortiz"]
    assert payload["contacts"] == [
        {"name": "Ann Lee", "email": "ann.lee@example.com"},
        {"name": "Bo Chen", "email": "bo.chen@example.com"},
    ]
    assert set(payload["copyright"]) >= {"year", "holder", "text"}
    assert payload["copyright"]["year"] == "2019–2022"
    assert payload["copyright"]["holder"] == "Example News, Inc."
    assert set(payload["fingerprint"]) >= {"value", "algorithm", "kind"}
    assert (payload["fingerprint"]["algorithm"], payload["fingerprint"]["kind"]) == (
        "sha256",
        "content",
    )
    assert payload["trailer"] is None
    assert b"".join(data[s["start"] : s["end"]] for s in payload["spans"]) == data


def test_json_of_publisher_token_and_no_footer() -> None:
    payload = json.loads(invoke("parse", "--format", "json", BAD / "publisher-token.txt").stdout)
    assert payload["fingerprint"]["kind"] == "publisher-token"
    assert payload["copyright"]["holder"] == "Dow Jones & Company, Inc."
    payload = json.loads(invoke("parse", "--format", "json", BAD / "no-footer.txt").stdout)
    assert (payload["copyright"], payload["fingerprint"]) == (None, None)


def test_user_publisher_tokens(tmp_path: Path) -> None:
    art = article()
    path = write(tmp_path, "a.txt", art.data())
    tokens = write(tmp_path, "t.list", f"{art.digest} Example Wire\n")
    result = invoke("parse", "--publisher-tokens", tokens, path)
    assert f"fingerprint:  md5 {art.digest} (publisher token of Example Wire)\n" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_binary_is_not_text(fmt: str) -> None:
    path = BAD / "binary.txt"
    result = invoke("parse", "--format", fmt, path)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"provenance: error: {path}: not text: binary data (NUL byte at offset 8)\n"
    )
    if fmt == "json":
        assert json.loads(result.stdout) == {
            "$schema": "https://example.org/your-org/provenance/raw/main/provenance/schemas/parse.schema.json",
            "version": 1,
            "error": "not-text",
            "reason": "binary data (NUL byte at offset 8)",
        }
    else:
        assert result.stdout == ""


@pytest.mark.parametrize(
    "args", [["parse", "no-such.txt"], ["parse", str(GOOD)], ["parse"], ["parse", "--x", "a"]]
)
def test_usage_errors(args: list[str]) -> None:
    assert_usage_error(invoke(*args))
