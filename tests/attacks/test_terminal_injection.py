"""Terminal injection: file names and file texts that try to rewrite or split report lines.

A file named ``x\\r\\e[2Kok   spoof.txt`` once printed its own ``mismatch``, then a carriage
return and "erase line", then ``ok``: on a terminal the line read ``ok``. Every name and
every text taken from a file is now shown escaped (SPEC.md §5.3) in the text, GitHub and
JUnit reports and on stderr; JSON keeps it exactly and is always valid UTF-8 (§5.2). The
hostile names are real files, made here with byte paths.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from provenance.keys import generate_key
from provenance.seal import seal_folder
from tests.attacks.conftest import assert_clean
from tests.conftest import ENTRY, ROOT, article, invoke, write

SPOOF = "x\r\x1b[2Kok   spoof.txt"
#: What a terminal must never receive from a name: controls, bidi controls, separators.
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]"
)
BIDI = [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c",
]  # fmt: skip


def _tampered() -> bytes:
    return article().text().replace("twice", "thrice").encode("utf-8")


def _make(folder: Path, name: str | bytes, data: bytes) -> bytes:
    """Write a file under a name given as text or as raw bytes; its full path as bytes."""
    path = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else name.encode())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return path


def _no_raw_controls(text: str) -> None:
    assert RAW.search(text) is None, repr(text)


def test_carriage_return_and_escape_sequence_cannot_turn_mismatch_into_ok(tmp_path: Path) -> None:
    _make(tmp_path, SPOOF, _tampered())
    for flags in ((), ("-q",)):
        result = invoke("verify", *flags, tmp_path)
        assert_clean(result, 1)
        _no_raw_controls(result.stdout)
        line = result.stdout.splitlines()[0]
        assert line.startswith(f"mismatch      {tmp_path}/x\\r\\x1b[2Kok   spoof.txt  (expected ")


def test_newline_in_a_name_cannot_split_a_report_line(tmp_path: Path) -> None:
    _make(tmp_path, "a\nok            forged.txt", _tampered())
    result = invoke("verify", tmp_path)
    assert_clean(result, 1)
    assert result.stdout.splitlines() == [
        result.stdout.splitlines()[0],
        "1 file: 1 mismatch; FAILED (1 failing)",
    ]
    assert result.stdout.startswith(f"mismatch      {tmp_path}/a\\nok            forged.txt  (")


@pytest.mark.parametrize("char", [*BIDI, "\u2028", "\u2029", "\x85", "\x7f"])
def test_bidi_controls_and_separators_in_a_name_are_shown_escaped(
    tmp_path: Path, char: str
) -> None:
    _make(tmp_path, f"invoice{char}txt.exe.txt", _tampered())
    result = invoke("verify", tmp_path)
    assert_clean(result, 1)
    _no_raw_controls(result.stdout)
    code = ord(char)
    shown = f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"
    assert f"/invoice{shown}txt.exe.txt  (" in result.stdout


def test_a_backslash_in_a_name_is_doubled_so_it_is_not_an_escape(tmp_path: Path) -> None:
    _make(tmp_path, "a\\x1b.txt", _tampered())  # A backslash, then "x1b": no ESC at all.
    _make(tmp_path, "b\x1b.txt", _tampered())  # A real ESC.
    lines = invoke("verify", "-q", tmp_path).stdout.splitlines()
    assert [line.split()[1].rsplit("/", 1)[1] for line in lines[:-1]] == [
        "a\\\\x1b.txt",
        "b\\x1b.txt",
    ]


def test_github_and_junit_reports_escape_names_and_trailers(tmp_path: Path) -> None:
    _make(tmp_path, SPOOF, _tampered())
    _make(tmp_path, "t.txt", article().data(trailer=" \u202eEvil\u202c print line"))
    github = invoke("verify", "--format", "github", "--strict", tmp_path)
    assert_clean(github, 1)
    _no_raw_controls(github.stdout)
    assert "x\\r\\x1b[2Kok   spoof.txt" in github.stdout
    assert "\\u202eEvil\\u202c print line" in github.stdout
    *annotations, _ = github.stdout.splitlines()
    assert all(line.startswith("::") for line in annotations)  # No line was split.

    junit = invoke("verify", "--format", "junit", "--strict", tmp_path)
    assert_clean(junit, 1)
    _no_raw_controls(junit.stdout.replace("\n", " "))
    root = ET.fromstring(junit.stdout.split("\n", 1)[1])
    names = sorted(Path(case.get("name", "")).name for case in root.iter("testcase"))
    assert names == ["t.txt", "x\\r\\x1b[2Kok   spoof.txt"]
    bodies = "".join(failure.text or "" for failure in root.iter("failure"))
    assert "trailer: \\u202eEvil\\u202c print line" in bodies


def test_a_missing_manifest_entry_with_control_characters_is_escaped(tmp_path: Path) -> None:
    root = tmp_path / "issue"
    root.mkdir()
    name = "e\x1b]0;pwned\x07.txt"  # An OSC sequence: would retitle the terminal.
    _make(root, name, article().data())
    key = generate_key(tmp_path / "alice", comment="alice@example.com")
    seal_folder(root, key)
    os.unlink(os.path.join(root, name))
    result = invoke("verify", "-q", root)
    assert_clean(result, 1)
    _no_raw_controls(result.stdout)
    assert result.stdout.startswith(f"missing       {root}/e\\x1b]0;pwned\\x07.txt  (")


def test_parse_shows_a_holder_with_bidi_controls_escaped(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", article(holder="Example \u202eNews, Inc.").data())
    result = invoke("parse", path)
    assert_clean(result, 0)
    _no_raw_controls(result.stdout)
    assert "Example \\u202eNews, Inc." in result.stdout


def test_error_lines_naming_a_hostile_path_are_one_escaped_line(tmp_path: Path) -> None:
    binary = _make(tmp_path, "bin\x1b[31m\nary.txt", b"\x00\x01binary")
    parsed = invoke("parse", os.fsdecode(binary))
    assert_clean(parsed, 1)
    assert (
        parsed.stderr
        == f"provenance: error: {tmp_path}/bin\\x1b[31m\\nary.txt: not text: "
        + (parsed.stderr.split(": not text: ", 1)[1])
    )
    assert len(parsed.stderr.splitlines()) == 1
    _no_raw_controls(parsed.stderr.replace("\n", " "))

    missing = invoke("verify", tmp_path / "gh\x1bost\n.txt")
    assert_clean(missing, 2)
    _no_raw_controls(missing.stderr.replace("\n", " "))
    assert missing.stderr.splitlines()[0].startswith("provenance: error: ")

    out = tmp_path / "no\x1b[2Jsuch" / "report.txt"
    unwritable = invoke("verify", "--output", out, write(tmp_path, "ok.txt", article().data()))
    assert_clean(unwritable, 3)
    assert len(unwritable.stderr.splitlines()) == 1
    assert "no\\x1b[2Jsuch" in unwritable.stderr


# --- Names that are not UTF-8 ------------------------------------------------------------------


def _latin1_folder(tmp_path: Path) -> tuple[Path, bytes]:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = _make(folder, b"caf\xe9.txt", _tampered())
    return folder, raw


def _strict_json(data: bytes) -> object:
    """json.loads as a strict reader does it: the bytes must be UTF-8 first."""
    return json.loads(data.decode("utf-8", errors="strict"))


def _run(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(ENTRY), *map(str, args)], capture_output=True, cwd=ROOT, timeout=60, check=False
    )


def test_json_on_stdout_is_valid_utf8_with_the_exact_bytes_beside(tmp_path: Path) -> None:
    folder, raw = _latin1_folder(tmp_path)
    done = _run("verify", "--format", "json", folder)
    assert done.returncode == 1, done.stderr
    assert b"Traceback" not in done.stderr
    payload = _strict_json(done.stdout)
    assert isinstance(payload, dict)
    (result,) = payload["results"]
    assert result["path"] == f"{folder}/caf\ufffd.txt"
    assert base64.b64decode(result["path_bytes"], validate=True) == raw
    assert result["verdict"] == "mismatch"

    lines = _run("verify", "--format", "jsonl", folder)
    records = [_strict_json(line) for line in lines.stdout.splitlines()]
    assert base64.b64decode(records[0]["path_bytes"]) == raw  # type: ignore[index]


def test_a_utf8_name_has_no_path_bytes(tmp_path: Path) -> None:
    _make(tmp_path, "café\u202e.txt", _tampered())
    payload = json.loads(invoke("verify", "--format", "json", tmp_path).stdout)
    (result,) = payload["results"]
    assert result["path"] == f"{tmp_path}/café\u202e.txt"  # JSON keeps the exact string.
    assert "path_bytes" not in result


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "github", "junit"])
def test_output_file_with_a_name_that_is_not_utf8(tmp_path: Path, fmt: str) -> None:
    folder, _ = _latin1_folder(tmp_path)
    target = tmp_path / f"report.{fmt}"
    result = invoke("verify", "--format", fmt, "--output", target, folder)
    assert_clean(result, 1)
    text = target.read_bytes().decode("utf-8", errors="strict")
    if fmt == "json":
        assert json.loads(text)["results"][0]["path"].endswith("caf\ufffd.txt")
    elif fmt == "jsonl":
        assert json.loads(text.splitlines()[0])["path"].endswith("caf\ufffd.txt")
    else:
        assert "caf\\xe9.txt" in text
