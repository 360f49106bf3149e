"""The README's command examples, run: docs that cannot rot.

Contract for README.md (and any other Markdown file listed in ``DOCUMENTS``):

* Only fenced blocks tagged ```` ```console ```` are run; other blocks are prose.
* In such a block, a line starting with ``$ `` is a command. A command line ending with a
  backslash continues on the next line. The lines after it, up to the next ``$ `` line or the
  end of the block, are its expected output: stdout and stderr together, as a terminal shows
  them (no colours: output is not a terminal).
* A line ``[exit N]`` right after the output states a non-zero exit status; without it the
  command must exit 0.
* A line ``...`` on its own in the output stands for any number of lines (zero or more).
* Commands run through ``bash -c`` from the repository root, as written (``uv run`` is part
  of the command). Each block gets a fresh temporary folder, ``$WORK``, holding a copy of
  ``fixtures/``; commands that change files (stamp, sign, seal) work there, and the blocks
  stay independent of each other. The commands of one block run in order and share it.
  Wherever the temporary folder's real path appears in the output, it is replaced by
  ``$WORK`` before comparing, so the README can show ``$WORK/...`` paths.
* Trailing spaces at the end of lines and empty lines at the end of an output are ignored.

Each block is one test case, named after the document and the line where the block starts.

Fenced blocks tagged ```` ```python ```` are run too, each with this interpreter in a fresh
``$WORK`` holding a copy of ``fixtures/`` (its current folder): it must exit 0, and when the
next fenced block of the document is tagged ```` ```text ````, print exactly that (``...``
lines and trailing blanks as above).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ("README.md", "docs/ci.md", "docs/records.md", "docs/c2pa.md")
EXIT_LINE = re.compile(r"^\[exit (\d+)\]$")
FENCE = re.compile(r"^(`{3,}|~{3,})\s*(\S*)")


@dataclass
class Command:
    line: int
    command: str
    expected: list[str] = field(default_factory=list)
    exit_status: int = 0


@dataclass
class Block:
    document: str
    line: int
    commands: list[Command]


def console_blocks(text: str, document: str) -> list[Block]:
    """The ```` ```console ```` blocks of a Markdown text, parsed into commands."""
    return [
        Block(document, start, parse_block(lines, start + 1))
        for start, tag, lines in fenced_blocks(text)
        if tag == "console"
    ]


@dataclass
class PythonBlock:
    document: str
    line: int
    code: str
    #: The lines of the ```text block that follows it, or None when none does.
    expected: list[str] | None


def fenced_blocks(text: str) -> list[tuple[int, str, list[str]]]:
    """Every fenced block of a Markdown text: (first line of its content, tag, its lines)."""
    found: list[tuple[int, str, list[str]]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, tag = opening.group(1), opening.group(2)
        end = index + 1
        while end < len(lines) and not lines[end].startswith(fence):
            end += 1
        found.append((index + 1, tag, lines[index + 1 : end]))
        index = end + 1
    return found


def python_blocks(text: str, document: str) -> list[PythonBlock]:
    """The ```` ```python ```` blocks of a Markdown text, each with the output shown after it."""
    fenced = fenced_blocks(text)
    blocks = []
    for number, (start, tag, lines) in enumerate(fenced):
        if tag != "python":
            continue
        following = fenced[number + 1] if number + 1 < len(fenced) else None
        expected = following[2] if following is not None and following[1] == "text" else None
        blocks.append(PythonBlock(document, start, "\n".join(lines) + "\n", expected))
    return blocks


def parse_block(lines: list[str], first_line: int) -> list[Command]:
    commands: list[Command] = []
    continuing = False
    for offset, line in enumerate(lines):
        if continuing:
            commands[-1].command += "\n" + line
            continuing = line.endswith("\\")
            continue
        if line.startswith("$ "):
            commands.append(Command(first_line + offset, line[2:]))
            continuing = line.endswith("\\")
            continue
        if not commands:
            raise ValueError(f"line {first_line + offset}: output before any '$ ' command")
        exit_line = EXIT_LINE.match(line.strip())
        if exit_line is not None:
            commands[-1].exit_status = int(exit_line.group(1))
        else:
            commands[-1].expected.append(line)
    return commands


def output_pattern(expected: list[str]) -> re.Pattern[str]:
    """A regular expression for an expected output in which ``...`` lines match any lines."""
    lines = [line.rstrip() for line in expected]
    while lines and not lines[-1]:
        lines.pop()
    parts = ["(?:[^\n]*\n)*?" if line == "..." else re.escape(line) + "\n" for line in lines]
    return re.compile("".join(parts), re.DOTALL)


def normalise(output: str, work: Path) -> str:
    output = output.replace(str(work.resolve()), "$WORK").replace(str(work), "$WORK")
    lines = [line.rstrip() for line in output.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + "\n" for line in lines)


def all_blocks() -> list[Block]:
    blocks = []
    for document in DOCUMENTS:
        path = ROOT / document
        if path.is_file():
            blocks.extend(console_blocks(path.read_text(encoding="utf-8"), document))
    return blocks


BLOCKS = all_blocks()
PYTHON_BLOCKS = [
    block
    for document in DOCUMENTS
    if (ROOT / document).is_file()
    for block in python_blocks((ROOT / document).read_text(encoding="utf-8"), document)
]


def bash(script: str, env: dict[str, str], *, timeout: int) -> subprocess.CompletedProcess[str]:
    """Run ``script`` with bash from the repository root: stdout and stderr together."""
    return subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=timeout,
    )


@pytest.mark.parametrize("block", BLOCKS, ids=[f"{b.document}:{b.line}" for b in BLOCKS])
def test_console_block(block: Block, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "fixtures", work / "fixtures", symlinks=True)
    env = {**os.environ, "WORK": str(work), "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    for command in block.commands:
        done = bash(command.command, env, timeout=300)
        where = f"{block.document}:{command.line}: $ {command.command}"
        actual = normalise(done.stdout, work)
        expected = "\n".join(command.expected)
        assert output_pattern(command.expected).fullmatch(actual), (
            f"{where}\n--- README shows:\n{expected}\n--- the command printed:\n{actual}"
        )
        assert done.returncode == command.exit_status, (
            f"{where}: exit {done.returncode}, README says {command.exit_status}\n{actual}"
        )


@pytest.mark.parametrize(
    "block", PYTHON_BLOCKS, ids=[f"{b.document}:{b.line}" for b in PYTHON_BLOCKS]
)
def test_python_block(block: PythonBlock, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "fixtures", work / "fixtures", symlinks=True)
    done = subprocess.run(
        [sys.executable, "-c", block.code],
        cwd=work,
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    where = f"{block.document}:{block.line}"
    assert done.returncode == 0, f"{where}: exit {done.returncode}\n{done.stderr}"
    if block.expected is not None:
        actual = normalise(done.stdout, work)
        assert output_pattern(block.expected).fullmatch(actual), (
            f"{where}\n--- the document shows:\n"
            + "\n".join(block.expected)
            + f"\n--- the code printed:\n{actual}"
        )


def test_readme_has_a_python_example_with_its_output() -> None:
    assert any(b.document == "README.md" and b.expected for b in PYTHON_BLOCKS)


def test_readme_has_commands() -> None:
    assert any(block.document == "README.md" and block.commands for block in BLOCKS)


# --- the runner's own contract ----------------------------------------------------------------

SAMPLE = """\
Prose.

```console
$ echo one && echo two >&2
one
two
$ false
[exit 1]
$ printf 'a\\nb\\nc\\n'
a
...
c
$ echo con \\
  tinued
con tinued
```

```sh
$ not run
```
"""


def test_parser_reads_commands_outputs_and_exit_lines() -> None:
    (block,) = console_blocks(SAMPLE, "sample.md")
    assert block.line == 3
    assert [(c.line, c.command, c.expected, c.exit_status) for c in block.commands] == [
        (4, "echo one && echo two >&2", ["one", "two"], 0),
        (7, "false", [], 1),
        (9, "printf 'a\\nb\\nc\\n'", ["a", "...", "c"], 0),
        (13, "echo con \\\n  tinued", ["con tinued"], 0),
    ]


@pytest.mark.parametrize(
    ("expected", "actual", "matches"),
    [
        (["a", "...", "c"], "a\nc\n", True),
        (["a", "...", "c"], "a\nb\nb\nc\n", True),
        (["a", "...", "c"], "a\nb\n", False),
        (["a"], "a\nb\n", False),
        (["..."], "anything\nat all\n", True),
        (["x.y"], "xzy\n", False),
        ([], "", True),
    ],
)
def test_ellipsis_matching(expected: list[str], actual: str, matches: bool) -> None:
    assert bool(output_pattern(expected).fullmatch(actual)) is matches


def test_python_blocks_take_the_text_block_after_them_as_their_output() -> None:
    text = "```python\nprint(1)\n```\n\nIt prints:\n\n```text\n1\n```\n\n```python\nx = 2\n```\n"
    first, second = python_blocks(text, "sample.md")
    assert (first.line, first.code, first.expected) == (1, "print(1)\n", ["1"])
    assert (second.code, second.expected) == ("x = 2\n", None)


def test_work_path_is_shown_as_work(tmp_path: Path) -> None:
    assert normalise(f"ok  {tmp_path}/a.txt  \n\n", tmp_path) == "ok  $WORK/a.txt\n"


# --- the README in one shell --------------------------------------------------------------

#: Printed after each command of the one-shell run: its exit status, where its output ends.
_END = "@@provenance-readme-exit {}@@"
_END_LINE = re.compile(r"^@@provenance-readme-exit (\d+)@@$", re.MULTILINE)


def test_readme_blocks_run_in_one_shell(tmp_path: Path) -> None:
    """Pasted one after the other into one shell, the README's blocks work as shown.

    ``$WORK`` is not given: the README defines it itself (its first block), as a reader's
    shell would, and each block must leave the next one able to run (no folder made twice,
    no ``cd`` that outlives its command).
    """
    commands = [c for b in BLOCKS if b.document == "README.md" for c in b.commands]
    assert commands[0].command.startswith("export WORK="), "the README must define $WORK first"
    script = "".join(
        f"{c.command}\nprintf '\\n{_END}\\n' \"$?\"\n".replace("{}", "%s") for c in commands
    )
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("WORK", "FORCE_COLOR")}
    env |= {"TMPDIR": str(temp), "NO_COLOR": "1"}
    done = bash(script, env, timeout=600)
    # The README's mktemp -d made the one folder under TMPDIR (uv may add its own files).
    (work,) = [path for path in temp.iterdir() if path.name.startswith("tmp.")]
    pieces = _END_LINE.split(done.stdout)
    outputs, statuses = pieces[0:-1:2], [int(status) for status in pieces[1::2]]
    assert len(statuses) == len(commands), done.stdout[-2000:]
    for command, output, status in zip(commands, outputs, statuses, strict=True):
        where = f"README.md:{command.line}: $ {command.command}"
        actual = normalise(output.lstrip("\n"), work)
        assert output_pattern(command.expected).fullmatch(actual), f"{where}\n{actual}"
        assert status == command.exit_status, f"{where}: exit {status}\n{actual}"
