"""The GitHub Action (action.yml): its verify step's script, run with the environment the
runner gives it (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, RUNNER_TEMP, the inputs as action.yml
maps them), against this environment's provenance (the install step needs the network)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, article, write

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
SCRIPT = ROOT / "action" / "verify.sh"
PROVENANCE = Path(sys.executable).parent / "provenance"


def test_action_is_composite_and_runs_the_script_with_its_inputs() -> None:
    runs = ACTION["runs"]
    assert runs["using"] == "composite"
    verify = next(step for step in runs["steps"] if step.get("id") == "verify")
    assert verify["run"] == 'bash "$GITHUB_ACTION_PATH/action/verify.sh"'
    assert verify["env"] == {
        "PROVENANCE": "${{ runner.temp }}/provenance-venv/bin/provenance",
        "PROVENANCE_PATHS": "${{ inputs.paths }}",
        "PROVENANCE_ARGS": "${{ inputs.args }}",
    }
    install = next(step for step in runs["steps"] if step.get("name") == "Install provenance")
    # The provenance of the action's own commit: pinning the action pins the checker.
    assert '"$GITHUB_ACTION_PATH"' in install["run"]
    assert set(ACTION["outputs"]) == {"exit-code", "passed"}


def run_action(workspace: Path, paths: str, args: str = "") -> subprocess.CompletedProcess[str]:
    temp = workspace.parent / "runner-temp"
    temp.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(temp),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(ROOT),
        "RUNNER_TEMP": str(temp),
        "GITHUB_STEP_SUMMARY": str(temp / "step_summary"),
        "GITHUB_OUTPUT": str(temp / "output"),
        "PROVENANCE": str(PROVENANCE),
        "PROVENANCE_PATHS": paths,
        "PROVENANCE_ARGS": args,
    }
    return subprocess.run(
        ["bash", str(SCRIPT)], cwd=workspace, env=env, capture_output=True, text=True, check=False
    )


def step_file(workspace: Path, name: str) -> str:
    return (workspace.parent / "runner-temp" / name).read_text(encoding="utf-8")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "workspace"
    art = article()
    for n in range(1, 16):
        write(folder, f"news/a{n:02}.txt", art.text().replace("twice", f"{n} times"))
    write(folder, "good/ok.txt", art.data())
    (tmp_path / "runner-temp").mkdir()
    (tmp_path / "runner-temp" / "step_summary").write_text("Earlier step.\n", encoding="utf-8")
    return folder


def test_fifteen_failures_are_all_reported_though_github_shows_ten(workspace: Path) -> None:
    done = run_action(workspace, "news\ngood", "--strict")
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 10
    assert errors[-1].startswith("::error title=provenance::6 more errors not shown")
    assert "error: news/a15.txt:" in done.stdout
    summary = step_file(workspace, "step_summary")
    assert summary.startswith("Earlier step.\n### provenance verify: FAILED\n")  # Appended.
    assert "GitHub shows 10 error annotations per step: 6 of the 15 errors" in summary
    rows = [line for line in summary.splitlines() if line.startswith("| mismatch |")]
    assert [row.split(" | ")[1] for row in rows] == [f"news/a{n:02}.txt" for n in range(1, 16)]
    assert step_file(workspace, "output") == "exit-code=1\npassed=false\n"


def test_a_passing_run_sets_passed(workspace: Path) -> None:
    done = run_action(workspace, "good")
    assert (done.returncode, done.stdout) == (0, "1 file: 1 ok; passed\n")
    assert step_file(workspace, "output") == "exit-code=0\npassed=true\n"
    assert "### provenance verify: passed" in step_file(workspace, "step_summary")


def test_inputs_are_never_run_as_shell_code(workspace: Path) -> None:
    """A path input holding a command substitution and a glob is a file name, nothing more."""
    done = run_action(workspace, "$(touch pwned) news/*", "--strict;touch${IFS}pwned2")
    assert not (workspace / "pwned").exists()
    assert not (workspace / "pwned2").exists()
    assert done.returncode == 2
    assert "provenance: error:" in done.stderr
    assert step_file(workspace, "output") == "exit-code=2\npassed=false\n"
    assert "### provenance verify: error (exit 2)" in step_file(workspace, "step_summary")


def test_a_path_that_looks_like_an_option_is_a_path(workspace: Path) -> None:
    write(workspace, "--strict", article().data())
    done = run_action(workspace, "--strict")
    assert (done.returncode, done.stdout) == (0, "1 file: 1 ok; passed\n")
