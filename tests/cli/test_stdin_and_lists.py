"""Inputs from pipelines: ``verify -`` / ``parse -`` (stdin) and ``verify --files-from``."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import BODY, article, assert_usage_error, notice, write

from provenance.cli import cli

ROOT_PUB = Path(__file__).resolve().parents[2] / "fixtures" / "sshsig" / "ed25519.pub"


def run(*args: str | Path, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], input=stdin, catch_exceptions=False)


# --- one article on stdin -----------------------------------------------------------------


def test_verify_reads_one_article_from_stdin() -> None:
    good = run("verify", "-", stdin=article().data())
    assert (good.exit_code, good.stdout) == (0, "ok            -\n1 file: 1 ok; passed\n")
    bad = run(
        "verify",
        "--format",
        "json",
        "-",
        stdin=article().text().replace("twice", "thrice").encode(),
    )
    assert bad.exit_code == 1
    (result,) = json.loads(bad.stdout)["results"]
    assert (result["path"], result["verdict"]) == ("-", "mismatch")


def test_parse_reads_one_article_from_stdin() -> None:
    result = run("parse", "--format", "json", "-", stdin=article().data())
    assert result.exit_code == 0
    assert json.loads(result.stdout)["copyright"]["holder"] == "Example News, Inc."


def test_binary_on_stdin_is_unreadable() -> None:
    result = run("verify", "-", stdin=b"\x00\x01binary")
    assert result.exit_code == 1
    assert result.stdout.startswith("unreadable    -  (binary data")


@pytest.mark.parametrize(
    "args",
    [
        ("verify", "-", "README.md"),
        ("verify", "-", "--files-from", "-"),
        ("verify", "-", "--public-key", str(ROOT_PUB)),
        ("verify", "-", "--changed-since", "HEAD"),
    ],
)
def test_stdin_stands_alone(args: tuple[str, ...]) -> None:
    assert_usage_error(run(*args, stdin=article().data()))


def test_no_paths_at_all_is_a_usage_error() -> None:
    result = run("verify")
    assert_usage_error(result)
    assert "--files-from" in result.stderr


# --- a list of paths ----------------------------------------------------------------------


def _tree(tmp_path: Path) -> list[Path]:
    art = article()
    return [
        write(tmp_path, "a.txt", art.data()),
        write(tmp_path, "b c.txt", art.data()),
        write(tmp_path, "d.txt", art.text().replace("twice", "thrice")),
    ]


def test_files_from_a_file_one_name_per_line(tmp_path: Path) -> None:
    files = _tree(tmp_path)
    listing = write(tmp_path, "list", "".join(f"{f}\n" for f in files) + "\n")
    result = run("verify", "-q", "--files-from", listing)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "3 files: 2 ok, 1 mismatch; FAILED (1 failing)"


def test_files_from_stdin_nul_separated_keeps_any_name(tmp_path: Path) -> None:
    odd = write(tmp_path, "line\nbreak.txt", article().data())
    plain = write(tmp_path, "plain.txt", article().data())
    data = os.fsencode(odd) + b"\0" + os.fsencode(plain) + b"\0"
    result = run("verify", "--format", "json", "--files-from", "-", "-0", stdin=data)
    assert result.exit_code == 0, result.output
    assert [r["path"] for r in json.loads(result.stdout)["results"]] == [str(odd), str(plain)]


def test_files_from_adds_to_paths_and_infers_over_the_whole_list(tmp_path: Path) -> None:
    # One token ending two different texts cannot be a digest (SPEC.md §3): seen only when
    # both files are in the same run, which xargs could split.
    token = "0123456789abcdef0123456789abcdef"
    one = write(tmp_path, "one.txt", f"{BODY}\n{notice()} {token}\n")
    two = write(tmp_path, "two.txt", f"Another text.\n{notice()} {token}\n")
    result = run("verify", one, "--files-from", "-", stdin=f"{two}\n".encode())
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "2 files: 2 unverifiable; passed"


def test_a_listed_path_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = run("verify", "--files-from", "-", stdin=f"{tmp_path / 'nowhere.txt'}\n".encode())
    assert_usage_error(result)
    assert "nowhere.txt: no such file" in result.stderr


def test_an_empty_list_is_an_empty_run(tmp_path: Path) -> None:
    result = run("verify", "--files-from", "-", stdin=b"")
    assert result.exit_code == 1
    assert result.stdout == "no files checked; FAILED\n"


def test_files_from_a_fifo_as_process_substitution_gives(tmp_path: Path) -> None:
    files = _tree(tmp_path)
    fifo = tmp_path / "list.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "wb") as writer:
            writer.write(f"{files[0]}\n".encode())

    feeder = threading.Thread(target=feed)
    feeder.start()
    result = run("verify", "--files-from", fifo)
    feeder.join()
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "1 file: 1 ok; passed"


@pytest.mark.parametrize(("source", "message"), [("/dev/null", "device file"), (".", "folder")])
def test_files_from_refuses_a_device_or_folder(source: str, message: str) -> None:
    result = run("verify", "--files-from", source)
    assert_usage_error(result)
    assert message in result.stderr


def test_null_needs_files_from() -> None:
    assert_usage_error(run("verify", "-0", "README.md"))
