"""`provenance verify --format github|junit|jsonl`, --output, --quiet, -v, colours, progress.

Each format is read back by a parser: JUnit with xml.etree (field by field), GitHub workflow
commands with a strict regular expression, JSON Lines with json.loads on every line.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BAD, BODY, DOW_JONES, GOOD, article, invoke, notice, write

from provenance.cli import cli
from provenance.cli._reporting import PROGRESS_DELAY, Progress, VerifyOutput, wants_color
from provenance.model import Verdict
from tests.conftest import file_report

#: A GitHub Actions workflow command as provenance writes it; nothing else is allowed.
GITHUB_LINE = re.compile(
    r"^::(?P<level>error|warning) file=(?P<file>[^,:]+),line=(?P<line>\d+),"
    r"title=(?P<title>[^,:]+)::(?P<message>.+)$"
)
SUMMARY_LINE = re.compile(r"^\d+ files?: .*; (passed|FAILED \(\d+ failing\))( under --strict)?$")


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A folder with one file of each kind a CI run meets."""
    art = article()
    write(tmp_path, "1-ok.txt", art.data())
    write(tmp_path, "2-mismatch.txt", art.text().replace("twice", "thrice"))
    write(tmp_path, "3-publisher.txt", f"{BODY}\n{notice('Dow Jones & Company, Inc.')} {DOW_JONES}")
    write(tmp_path, "4-no-footer.txt", "Just a story.\n")
    write(tmp_path, "5-trailer.txt", art.data(trailer=" Appeared in print."))
    write(tmp_path, "6-malformed.txt", f"{art.covered} {art.digest.upper()}\n")
    write(tmp_path, "7-binary.txt", b"\x00\x01\x02binary")
    return tmp_path


# --- github ----------------------------------------------------------------------------------


def github_lines(output: str) -> tuple[list[re.Match[str]], str]:
    lines = output.splitlines()
    matches = []
    for line in lines[:-1]:
        match = GITHUB_LINE.match(line)
        assert match is not None, f"not a workflow command: {line!r}"
        matches.append(match)
    assert SUMMARY_LINE.match(lines[-1]), lines[-1]
    return matches, lines[-1]


def test_github_annotations_levels_lines_and_titles(mixed: Path) -> None:
    result = invoke("verify", "--format", "github", mixed)
    assert result.exit_code == 1
    matches, summary = github_lines(result.stdout)
    seen = {(Path(m["file"]).name, m["level"], m["title"], m["line"]) for m in matches}
    assert seen == {
        ("2-mismatch.txt", "error", "provenance mismatch", "6"),
        ("3-publisher.txt", "warning", "provenance unverifiable", "6"),
        ("4-no-footer.txt", "warning", "provenance no-footer", "1"),
        ("5-trailer.txt", "warning", "provenance uncovered text", "6"),
        ("6-malformed.txt", "error", "provenance malformed", "6"),
        ("7-binary.txt", "error", "provenance unreadable", "1"),
    }
    mismatch = next(m for m in matches if m["file"].endswith("2-mismatch.txt"))
    assert mismatch["message"].startswith("mismatch: expected ")
    assert f"expected {article().digest}, computed " in mismatch["message"]
    assert summary.endswith("FAILED (3 failing)")
    assert result.stderr == ""


def test_github_strict_turns_warnings_into_errors(mixed: Path) -> None:
    result = invoke("verify", "--strict", "--format", "github", mixed)
    matches, summary = github_lines(result.stdout)
    assert {m["level"] for m in matches} == {"error"}
    assert len(matches) == 6
    assert summary.endswith("FAILED (6 failing) under --strict")


def test_github_clean_run_is_only_the_summary() -> None:
    result = invoke("verify", "--format", "github", GOOD)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [f"{len(list(GOOD.iterdir()))} files: 13 ok; passed"]


def test_github_quiet_keeps_only_errors(mixed: Path) -> None:
    result = invoke("verify", "--quiet", "--format", "github", mixed)
    matches, _ = github_lines(result.stdout)
    assert [m["level"] for m in matches] == ["error"] * 3


def test_github_escapes_commas_colons_and_newlines_in_paths_and_messages(
    tmp_path: Path,
) -> None:
    from provenance.report import github_annotations

    weird = file_report("a,b:c%.txt", Verdict.MISMATCH, "line one\nline two 100%", line=3)
    (line,) = github_annotations(weird)
    assert GITHUB_LINE.match(line)
    assert line == (
        "::error file=a%2Cb%3Ac%25.txt,line=3,title=provenance mismatch"
        "::mismatch: line one\\nline two 100%25"
    )


# --- junit -----------------------------------------------------------------------------------


def test_junit_one_testcase_per_file_field_by_field(mixed: Path) -> None:
    result = invoke("verify", "--format", "junit", mixed)
    assert result.exit_code == 1
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(result.stdout.split("\n", 1)[1])
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.tag == "testsuite"
    for element in (root, suite):
        assert {k: element.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
            "tests": "7",
            "failures": "2",
            "errors": "1",
            "skipped": "2",
        }
    cases = {Path(case.get("name", "")).name: case for case in suite.iter("testcase")}
    assert sorted(cases) == sorted(p.name for p in mixed.iterdir())
    for name, case in cases.items():
        assert case.get("classname") == "provenance.verify"
        assert case.get("file") == case.get("name") == f"{mixed}/{name}"

    ok = cases["1-ok.txt"]
    assert list(ok) == [] and ok.get("line") == "6"

    failure = cases["2-mismatch.txt"].find("failure")
    assert failure is not None
    assert failure.get("type") == "mismatch"
    message = failure.get("message", "")
    assert message.startswith(f"mismatch: expected {article().digest}, computed ")
    body = dict(line.split(": ", 1) for line in (failure.text or "").splitlines())
    assert body["verdict"] == "mismatch"
    assert body["expected"] == article().digest
    assert body["actual"] == message.rsplit(" ", 1)[1]
    assert body["algorithm"] == "md5" and body["canonicalization"] == "relaxed"

    skipped = cases["3-publisher.txt"].find("skipped")
    assert skipped is not None and "publisher token" in skipped.get("message", "")
    assert cases["4-no-footer.txt"].find("skipped") is not None

    trailer = cases["5-trailer.txt"]
    assert trailer.find("failure") is None and trailer.find("skipped") is None
    out = trailer.find("system-out")
    assert out is not None and "trailer: Appeared in print." in (out.text or "")

    malformed = cases["6-malformed.txt"].find("failure")
    assert malformed is not None and malformed.get("type") == "malformed"

    error = cases["7-binary.txt"].find("error")
    assert error is not None and error.get("type") == "unreadable"
    assert "binary" in error.get("message", "")


def test_junit_strict_counts_warnings_as_failures(mixed: Path) -> None:
    result = invoke("verify", "--strict", "--format", "junit", mixed)
    root = ET.fromstring(result.stdout.split("\n", 1)[1])
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("5", "1", "0")
    suite = root[0]
    trailer = next(c for c in suite if c.get("name", "").endswith("5-trailer.txt"))
    failure = trailer.find("failure")
    assert failure is not None
    assert failure.get("message") == "ok, but text after the fingerprint is not covered by it"


def test_junit_survives_control_characters_in_names(tmp_path: Path) -> None:
    from provenance.model import Summary
    from provenance.report import junit_report

    results = [file_report("bad\x01name.txt", Verdict.MISMATCH, "expected a\x00, computed b")]
    text = junit_report(results, Summary.of(results))
    case = ET.fromstring(text.split("\n", 1)[1]).find("testsuite/testcase")
    assert case is not None and case.get("name") == "bad\\x01name.txt"
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "mismatch: expected a\\x00, computed b"


# --- jsonl -----------------------------------------------------------------------------------


def jsonl(output: str) -> list[dict[str, object]]:
    assert output.endswith("\n")
    return [json.loads(line) for line in output.splitlines()]


def test_jsonl_a_line_per_file_then_the_summary(mixed: Path) -> None:
    result = invoke("verify", "--format", "jsonl", mixed)
    assert result.exit_code == 1
    records = jsonl(result.stdout)
    assert [r["type"] for r in records] == ["result"] * 7 + ["summary"]
    assert [Path(str(r["path"])).name for r in records[:-1]] == sorted(
        p.name for p in mixed.iterdir()
    )
    assert records[1]["verdict"] == "mismatch" and records[1]["expected"] == article().digest
    assert records[-1] == {
        "type": "summary",
        "$schema": "https://example.org/your-org/provenance/raw/main/provenance/schemas/verify-jsonl.schema.json",
        "version": 1,
        "summary": {
            "ok": 2,
            "mismatch": 1,
            "unverifiable": 1,
            "no-footer": 1,
            "malformed": 1,
            "unreadable": 1,
            "missing": 0,
        },
        "total": 7,
        "failed": 3,
        "strict": False,
        "passed": False,
        "seal_signatures_unchecked": False,
    }


def test_jsonl_revises_results_that_the_whole_run_changes(tmp_path: Path) -> None:
    """Two files ending with the same token over different texts: the token is a marker."""
    token = "0123456789abcdef0123456789abcdef"
    write(tmp_path, "a.txt", f"First story.\n{notice('Other Press')} {token}\n")
    write(tmp_path, "b.txt", f"Second story.\n{notice('Other Press')} {token}\n")
    result = invoke("verify", "--format", "jsonl", tmp_path)
    records = jsonl(result.stdout)
    assert [r["type"] for r in records] == ["result", "result", "revised", "revised", "summary"]
    assert [r["verdict"] for r in records[:2]] == ["mismatch", "mismatch"]
    for streamed, revised in zip(records[:2], records[2:4], strict=True):
        assert revised["path"] == streamed["path"]
        assert revised["previous_verdict"] == "mismatch"
        assert revised["verdict"] == "unverifiable"
        assert "constant marker" in str(revised["detail"])
    assert records[-1]["summary"] == {
        **dict.fromkeys(["ok", "mismatch", "no-footer", "malformed", "unreadable", "missing"], 0),
        "unverifiable": 2,
    }
    assert result.exit_code == 0


def test_jsonl_lines_are_written_as_files_are_checked() -> None:
    """The first line is out before the second file is checked (on_result streaming)."""
    out = io.StringIO()
    run = VerifyOutput(fmt="jsonl", strict=False, stdout=out, stderr=io.StringIO())
    first = file_report("a.txt", Verdict.OK, "fingerprint matches")
    run.on_result(first)
    assert json.loads(out.getvalue())["path"] == "a.txt"
    assert run.finish([first]) == 0
    assert [json.loads(line)["type"] for line in out.getvalue().splitlines()] == [
        "result",
        "summary",
    ]


# --- --output, --quiet, -v ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "github", "junit", "jsonl"])
def test_output_file_gets_the_report_and_terminal_the_summary(
    mixed: Path, tmp_path_factory: pytest.TempPathFactory, fmt: str
) -> None:
    folder = tmp_path_factory.mktemp("out")
    target = folder / "report"
    result = invoke("verify", "--format", fmt, "--output", target, mixed)
    plain = invoke("verify", "--format", fmt, mixed)
    assert result.exit_code == plain.exit_code == 1
    assert (
        result.stdout
        == "7 files: 2 ok, 1 mismatch, 1 unverifiable, 1 no-footer, 1 malformed, 1 unreadable; FAILED (3 failing)\n"
    )
    assert target.read_text(encoding="utf-8") == plain.stdout
    assert [p.name for p in folder.iterdir()] == ["report"]  # no temporary file left


def test_output_to_a_missing_folder_is_an_operational_error(mixed: Path, tmp_path: Path) -> None:
    result = invoke("verify", "--output", tmp_path / "no" / "such" / "r.txt", mixed)
    assert result.exit_code == 3
    assert result.stderr.startswith("provenance: error: cannot write in ")


def test_quiet_shows_only_failures_and_the_summary(mixed: Path) -> None:
    result = invoke("verify", "--quiet", mixed)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["mismatch", "malformed", "unreadable"]
    assert SUMMARY_LINE.match(lines[-1])


def test_quiet_clean_run_is_the_summary_alone() -> None:
    result = invoke("verify", "-q", GOOD)
    assert (result.exit_code, result.stdout) == (0, "13 files: 13 ok; passed\n")


def test_verbose_adds_details_and_timing(tmp_path: Path) -> None:
    art = article()
    path = write(tmp_path, "a.txt", art.data())
    result = invoke("verify", "-v", path)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"ok            {path}",
        f"    canonicalization relaxed; md5; expected {art.digest}; computed {art.digest};"
        " footer line 6",
        "1 file: 1 ok; passed",
    ]
    assert re.fullmatch(r"checked 1 file in \d+\.\d\d s(, \d+ files/s)?\n", result.stderr)


def test_quiet_and_verbose_together_is_a_usage_error() -> None:
    result = invoke("verify", "-q", "-v", GOOD)
    assert result.exit_code == 2
    assert result.stderr == "provenance: error: --quiet and --verbose cannot be used together\n"


# --- colours and progress ----------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_colour_off_a_terminal() -> None:
    result = invoke("verify", BAD)
    assert "\x1b[" not in result.stdout


def test_colour_on_a_terminal_unless_no_color() -> None:
    assert wants_color(Terminal(), {})
    assert not wants_color(Terminal(), {"NO_COLOR": "1"})
    assert wants_color(Terminal(), {"NO_COLOR": ""})  # NO_COLOR counts only when non-empty
    assert not wants_color(io.StringIO(), {})


def test_coloured_text_report_is_the_plain_one_plus_escapes(mixed: Path) -> None:
    from provenance.model import Summary
    from provenance.report import text_report
    from provenance.verify import check_paths

    results = check_paths([str(mixed)])
    summary = Summary.of(results)
    painted = text_report(results, summary, color=True)
    assert "\x1b[31mmismatch\x1b[0m" in painted
    assert "\x1b[32mok\x1b[0m" in painted
    assert "\x1b[33mno-footer\x1b[0m" in painted
    assert "\x1b[31mFAILED\x1b[0m" in painted
    assert re.sub(r"\x1b\[\d*m", "", painted) == text_report(results, summary)


def test_colour_reaches_a_terminal_through_the_command(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr("provenance.cli._reporting.wants_color", lambda stream, **_: True)
    result = CliRunner().invoke(cli, ["verify", str(mixed)])
    assert "\x1b[31mmismatch\x1b[0m" in result.stdout


def test_progress_waits_a_second_then_draws_on_a_terminal() -> None:
    now = [0.0]
    stream = Terminal()
    progress = Progress(stream, 4, clock=lambda: now[0])
    progress.tick()
    assert stream.getvalue() == ""  # a short run never shows a bar
    now[0] = PROGRESS_DELAY + 0.5
    progress.tick(failed=True)
    assert (
        stream.getvalue()
        == "\r[###############...............]  2/4 files  1 failing  1 files/s  1.5 s, "
        "about 2 s left\x1b[K"
    )
    progress.clear()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_progress_shows_the_rate_and_the_time_left() -> None:
    progress = Progress(Terminal(), 100_000, clock=lambda: 0.0)
    progress.done = 30_000
    assert progress.line(10.0, width=4) == (
        "[#...]  30000/100000 files  3,000 files/s  10.0 s, about 23 s left"
    )
    progress.done = 99_999
    assert progress.line(20.0, width=4).endswith("20.0 s, under 1 s left")
    progress.done = 100_000
    assert progress.line(20.0, width=4).endswith("5,000 files/s  20.0 s")  # Nothing left.
    unknown = Progress(Terminal(), None, clock=lambda: 0.0)
    unknown.done = 4_000
    assert unknown.line(2.0) == "4000 files  2,000 files/s  2.0 s"


def test_no_progress_when_stderr_is_not_a_terminal() -> None:
    now = [0.0]
    stream = io.StringIO()
    progress = Progress(stream, 4, clock=lambda: now[0])
    now[0] = 10.0
    progress.tick()
    progress.clear()
    assert stream.getvalue() == ""


def test_slow_run_on_a_terminal_draws_then_erases_the_bar() -> None:
    now = [0.0]
    err = Terminal()
    out = io.StringIO()
    run = VerifyOutput(
        fmt="text", strict=False, stdout=out, stderr=err, total=lambda: 3, clock=lambda: now[0]
    )
    results = [file_report(f"{n}.txt", Verdict.OK, "fingerprint matches") for n in range(3)]
    for seconds, result in zip((0.5, 2.0, 3.0), results, strict=True):
        now[0] = seconds
        run.on_result(result)
    assert run.finish(results) == 0
    assert "1/3 files" not in err.getvalue()  # under a second: not drawn
    assert "2/3 files" in err.getvalue() and "3/3 files" in err.getvalue()
    assert err.getvalue().endswith("\r\x1b[K")  # erased before the report
    assert "\x1b" not in out.getvalue()


def test_only_a_report_that_shows_the_footer_line_counts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance import engine

    path = write(tmp_path, "a.txt", article().data())
    line = engine.check_file(path).line
    monkeypatch.setattr(engine, "line_number", lambda data, offset: 1 / 0)
    # The text report without -v shows no line: none is counted.
    assert invoke("verify", path).exit_code == 0
    monkeypatch.undo()
    for args in (["-v"], ["--format", "json"], ["--format", "junit"], ["--format", "jsonl"]):
        result = invoke("verify", *args, path)
        assert result.exit_code == 0 and str(line) in result.stdout, args
    assert f"footer line {line}" in invoke("verify", "-v", path).stdout
    assert (
        json.loads(invoke("verify", "--format", "json", path).stdout)["results"][0]["line"] == line
    )
