"""`provenance verify`: exit status and exact output, in-process and as a real command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    BAD,
    BODY,
    DOW_JONES,
    ENTRY,
    GOOD,
    article,
    assert_usage_error,
    invoke,
    notice,
    run_command,
    write,
)

SUMMARY_KEYS = {"ok", "mismatch", "unverifiable", "no-footer", "malformed", "unreadable", "missing"}


def test_good_fixtures_pass_strict_with_exact_output() -> None:
    result = invoke("verify", "--strict", GOOD)
    names = sorted(p.name for p in GOOD.iterdir())
    expected = "".join(f"ok            {GOOD}/{name}\n" for name in names)
    expected += f"{len(names)} files: {len(names)} ok; passed under --strict\n"
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")


def test_each_verdict_line(tmp_path: Path) -> None:
    art = article()
    write(tmp_path, "1-ok.txt", art.data())
    write(tmp_path, "2-mismatch.txt", art.text().replace("twice", "thrice"))
    write(tmp_path, "3-publisher.txt", f"{BODY}\n{notice('Dow Jones & Company, Inc.')} {DOW_JONES}")
    write(tmp_path, "4-no-footer.txt", "Just a story.\n")
    write(tmp_path, "5-malformed.txt", art.text().replace(art.digest, art.digest.upper()))
    write(tmp_path, "6-binary.txt", b"\x00\x01")
    result = invoke("verify", tmp_path)
    tampered = article(body=BODY.replace("twice", "thrice")).digest
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"ok            {tmp_path}/1-ok.txt",
        f"mismatch      {tmp_path}/2-mismatch.txt  (expected {art.digest}, computed {tampered})",
        f"unverifiable  {tmp_path}/3-publisher.txt  (publisher token of Dow Jones & Company "
        "(WSJ, Barron's, MarketWatch, Investor's Business Daily), not a digest of the text)",
        f"no-footer     {tmp_path}/4-no-footer.txt  (no copyright notice at the end)",
        f"malformed     {tmp_path}/5-malformed.txt  (fingerprint '{art.digest.upper()}' is not "
        "32 or 64 lowercase hex digits)",
        f"unreadable    {tmp_path}/6-binary.txt  (binary data (NUL byte at offset 0))",
        "6 files: 1 ok, 1 mismatch, 1 unverifiable, 1 no-footer, 1 malformed, 1 unreadable; "
        "FAILED (3 failing)",
    ]
    assert result.stderr == ""


@pytest.mark.parametrize(
    "content",
    [
        f"{BODY}\n{notice('Dow Jones & Company, Inc.')} {DOW_JONES}\n",
        "Just a story.\n",
        article().text(trailer=" Appeared in print."),
    ],
    ids=["unverifiable", "no-footer", "trailer"],
)
def test_strict_fails_warnings(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, "a.txt", content)
    assert invoke("verify", path).exit_code == 0
    strict = invoke("verify", "--strict", path)
    assert strict.exit_code == 1
    assert strict.stdout.endswith("FAILED (1 failing) under --strict\n")


def test_json_report_keys(tmp_path: Path) -> None:
    art = article()
    path = write(tmp_path, "a.txt", art.text().replace("twice", "thrice"))
    result = invoke("verify", "--format", "json", path)
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["version"] == 1
    assert set(payload["summary"]) == SUMMARY_KEYS
    assert payload["summary"]["mismatch"] == 1
    (entry,) = payload["results"]
    assert set(entry) >= {"path", "verdict", "algorithm", "expected", "actual", "detail"}
    assert (entry["path"], entry["verdict"], entry["algorithm"]) == (str(path), "mismatch", "md5")
    assert entry["expected"] == art.digest
    assert entry["actual"] == article(body=BODY.replace("twice", "thrice")).digest


def test_canonicalization_option() -> None:
    crlf = GOOD / "crlf.txt"
    assert invoke("verify", crlf).exit_code == 0
    simple = invoke("verify", "--canonicalization", "simple", crlf)
    assert simple.exit_code == 1 and simple.stdout.startswith("mismatch ")


def test_include_exclude(tmp_path: Path) -> None:
    data = article().data()
    # No SHA256SUMS: one anywhere in the walk makes its folder sealed (test_nested_seals.py).
    for name in ("a.txt", "b.md", "c.json", "sub/d.txt", ".e.txt", "sub/d.txt.sig", "a.txt.sig"):
        write(tmp_path, name, data)
    listed = invoke("verify", tmp_path).stdout.splitlines()[:-1]
    assert [line.split()[-1] for line in listed] == [
        f"{tmp_path}/{n}" for n in ("a.txt", "b.md", "sub/d.txt")
    ]
    only = invoke("verify", "--include", "*.json", "--exclude", "sub", tmp_path)
    assert only.stdout.splitlines()[0] == f"ok            {tmp_path}/c.json"
    assert only.stdout.splitlines()[1] == "1 file: 1 ok; passed"


def test_named_hidden_file_is_checked(tmp_path: Path) -> None:
    path = write(tmp_path, ".hidden", article().data())
    result = invoke("verify", path)
    assert (result.exit_code, result.stdout.splitlines()[0]) == (0, f"ok            {path}")


def test_user_publisher_tokens(tmp_path: Path) -> None:
    art = article()
    path = write(tmp_path, "a.txt", art.text().replace("twice", "thrice"))
    tokens = write(tmp_path, "tokens.list", f"# mine\n{art.digest}  Example Wire\n")
    result = invoke("verify", "--publisher-tokens", tokens, path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        f"unverifiable  {path}  (publisher token of Example Wire, not a digest of the text)"
    )


def test_malformed_token_file_is_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", article().data())
    tokens = write(tmp_path, "tokens.list", "# mine\n\nnot-a-token Example\n")
    result = invoke("verify", "--publisher-tokens", tokens, path)
    assert_usage_error(result)
    assert result.stderr.startswith(f"provenance: error: {tokens}:3: ")
    assert result.stdout == ""


def test_inference_across_files(tmp_path: Path) -> None:
    art = article()
    write(tmp_path, "a.txt", art.text().replace("twice", "thrice"))
    write(tmp_path, "b.txt", art.text().replace("Monday", "Friday"))
    result = invoke("verify", tmp_path)
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()[:2]] == ["unverifiable"] * 2
    write(tmp_path, "c.txt", art.data())
    result = invoke("verify", tmp_path)
    assert result.exit_code == 1
    assert [line.split()[0] for line in result.stdout.splitlines()[:3]] == [
        "mismatch",
        "mismatch",
        "ok",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "no-such-file.txt"],
        ["verify"],
        ["verify", "--bogus", str(GOOD)],
        ["verify", "--format", "xml", str(GOOD)],
        ["verify", "--canonicalization", "loose", str(GOOD)],
        ["verify", "--publisher-tokens", "no-such-tokens.txt", str(GOOD)],
        ["no-such-command"],
    ],
)
def test_usage_errors(args: list[str]) -> None:
    result = invoke(*args)
    assert_usage_error(result)
    assert result.stdout == ""


def test_bare_command_is_one_usage_line() -> None:
    result = invoke()
    assert_usage_error(result)
    assert result.stderr.startswith("provenance: error: missing command: one of ")
    assert "verify" in result.stderr.splitlines()[0]


def test_missing_path_among_good_ones_checks_nothing() -> None:
    result = invoke("verify", GOOD, "no-such-file.txt")
    assert_usage_error(result)
    assert "no-such-file.txt" in result.stderr


# Real processes: the installed entry point and python -m.


def test_installed_command_verifies_fixtures() -> None:
    result = run_command(ENTRY, "verify", "fixtures/")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[-1].startswith(f"{len(lines) - 1} files: ")
    assert "fixtures/articles/good/plain.txt" in result.stdout
    assert result.stderr == ""
    good = run_command(ENTRY, "verify", "--strict", "fixtures/articles/good")
    assert good.returncode == 0 and good.stdout.splitlines()[-1].endswith("passed under --strict")


def test_python_dash_m_usage_error_has_no_traceback() -> None:
    result = run_command(sys.executable, "-m", "provenance", "verify", "no-such-file.txt")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) in (1, 2) and lines[0].startswith("provenance: error: ")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_python_dash_m_verifies_a_bad_file() -> None:
    result = run_command(sys.executable, "-m", "provenance", "verify", BAD / "tampered-word.txt")
    assert result.returncode == 1
    assert result.stdout.startswith("mismatch      ")


def test_version() -> None:
    result = run_command(ENTRY, "--version")
    assert result.returncode == 0 and result.stdout.startswith("provenance, version ")


def test_the_progress_bar_never_walks_the_tree_to_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal the bar counts files as the run checks them: a second walk just to
    count cost a whole walk, and miscounted sealed folders and archives (1/100000 files,
    about 183 h left)."""
    from provenance import verify
    from provenance.cli import _reporting

    walks: list[int] = []
    real = verify.iter_targets

    def counted(*args: Any, **kwargs: Any) -> Any:
        walks.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(verify, "iter_targets", counted)
    monkeypatch.setattr(_reporting, "_isatty", lambda stream: True)
    write(tmp_path, "a.txt", article().data())
    result = invoke("verify", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert walks == []
