"""Shared helpers: fixture paths and articles built independently of provenance's code.

Expected digests are computed here with :mod:`hashlib` over canonical text that the tests
write by hand (LF line ends, NFC, no trailing blanks, no final newline), never with
provenance's own canonicalisation, so a test checks the implementation instead of echoing it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import strategies as st

from provenance.cli import cli
from provenance.keys import SigningKey, generate_key
from provenance.model import (
    Algorithm,
    Canonicalization,
    EntryKind,
    FooterCheck,
    ManifestVerdict,
    SignatureResult,
    Verdict,
)
from provenance.model import Result as FileResult
from provenance.seal import seal_folder

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "articles"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"
ALL_FIXTURES = sorted(path for path in FIXTURES.rglob("*") if path.is_file())

#: A git identity and no user or system configuration: tests' git repositories are hermetic.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with :data:`GIT_ENV`; its stdout (a failure raises)."""
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


DOW_JONES = "87990cbe856818d5eddac44c7b1cdeb8"
HOLDER = "Example News, Inc."

BODY = """\
The ferry to Skarn Island will run twice a day from May, the shipping board said on Monday.
“It is the first change to the timetable in eleven years,” said Inès Müller, the board’s chair.
Islanders had asked for an evening crossing so that pupils could stay for afternoon classes.
—Jane Roe and Rafael Ortiz contributed to this article.
Write to Ann Lee at ann.lee@example.com and Bo Chen at bo.chen@example.com"""


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hex_digest(text: str, algorithm: str = "md5") -> str:
    return md5_hex(text) if algorithm == "md5" else sha256_hex(text)


def notice(
    holder: str = HOLDER, year: str = "2022", symbol: str = "©", tail: str = "All Rights Reserved."
) -> str:
    """A copyright notice as articles write it."""
    return f"Copyright {symbol}{year} {holder} {tail}"


@dataclass(frozen=True)
class Article:
    """An article whose covered text is already canonical, with its digest."""

    covered: str
    digest: str

    def text(self, gap: str = " ", trailer: str = "", end: str = "\n") -> str:
        """The file's text: covered text, gap, token, trailer, final line end."""
        return f"{self.covered}{gap}{self.digest}{trailer}{end}"

    def data(self, gap: str = " ", trailer: str = "", end: str = "\n") -> bytes:
        return self.text(gap, trailer, end).encode("utf-8")


def article(
    body: str = BODY,
    holder: str = HOLDER,
    year: str = "2022",
    algorithm: str = "md5",
    *,
    symbol: str = "©",
    tail: str = "All Rights Reserved.",
) -> Article:
    """Build an article: ``body`` (canonical already), a notice and the digest over both."""
    covered = f"{body}\n{notice(holder, year, symbol, tail)}"
    return Article(covered, hex_digest(covered, algorithm))


def file_report(
    path: str,
    verdict: Verdict | None,
    detail: str = "",
    *,
    kind: EntryKind | None = None,
    line: int | None = None,
    warnings: tuple[str, ...] = (),
    signature: SignatureResult | None = None,
    manifest: ManifestVerdict | None = None,
    algorithm: Algorithm | None = None,
    expected: str | None = None,
    actual: str | None = None,
    canonicalization: Canonicalization = Canonicalization.RELAXED,
    publisher: str | None = None,
    trailer: str | None = None,
) -> FileResult:
    """A per-file report for renderer and summary tests, built by keyword: an article with
    footer ``verdict``, or (``verdict=None``) an entry that is not an article (kind OTHER)."""
    footer = None
    if verdict is not None:
        footer = FooterCheck(
            verdict=verdict,
            algorithm=algorithm,
            expected=expected,
            actual=actual,
            canonicalization=canonicalization,
            publisher=publisher,
            trailer=trailer,
        )
    if kind is None:
        kind = EntryKind.ARTICLE if footer is not None else EntryKind.OTHER
    return FileResult(
        path=path,
        detail=detail,
        kind=kind,
        footer=footer,
        line=line,
        warnings=warnings,
        signature=signature,
        manifest=manifest,
    )


def write(folder: Path, name: str, data: bytes | str) -> Path:
    """Write a file below ``folder`` (creating parents) and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def plant_entry(path: Path, form: str, target: Path) -> None:
    """Make ``path`` a ``"folder"``, a ``"FIFO"``, or (any other form) a link to ``target``."""
    if form == "folder":
        path.mkdir()
    elif form == "FIFO":
        os.mkfifo(path)
    else:
        path.symlink_to(target)


#: How long a guarded step may run before it counts as hung: far above what the step takes on
#: a loaded machine (speed is measured by benchmarks/, never by a test), far below what a
#: quadratic or backtracking algorithm takes on the inputs these tests build.
HANG_LIMIT = 120


@contextlib.contextmanager
def hang_guard(seconds: int = HANG_LIMIT) -> Iterator[None]:
    """Fail the test if the block runs past ``seconds``: a guard against a step that never
    ends on hostile input, not a speed check."""

    def hung(signum: int, frame: object) -> None:
        raise AssertionError(f"still running after {seconds} s: hung or super-linear")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def deep_chain(top: Path, depth: int, data: bytes) -> Iterator[Path]:
    """``top/d/d/.../d/a.txt``, ``depth`` folders deep, removed afterwards.

    Each step is taken relative to its parent's descriptor (``mkdirat``/``openat``), since
    the whole path may be longer than PATH_MAX. The tree is removed here, level by level:
    shutil.rmtree (and so pytest's clean-up of old temporary folders) recurses, and fails
    on a tree deeper than the recursion limit.
    """
    top.mkdir()
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            child = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
        out = os.open("a.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, data)
        os.close(out)
    finally:
        os.close(fd)
    try:
        yield top
    finally:
        _remove_chain(top)


def _remove_chain(top: Path) -> None:
    """Remove a chain of folders named ``d`` below ``top``: lift each level to the top."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        while "d" in os.listdir(fd):
            os.rename("d", "lifted", src_dir_fd=fd, dst_dir_fd=fd)
            inner = os.open("lifted", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            try:
                if "d" in os.listdir(inner):
                    os.rename("d", "d", src_dir_fd=inner, dst_dir_fd=fd)
            finally:
                os.close(inner)
            shutil.rmtree("lifted", dir_fd=fd)
    finally:
        os.close(fd)
    shutil.rmtree(top)


def invoke(*args: str | Path) -> Result:
    """Run the ``provenance`` command in-process; stdout and stderr kept apart."""
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


ENTRY = ROOT / ".venv" / "bin" / "provenance"


def run_command(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run a real process from the repository root, text output captured."""
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False
    )


def junit_failures(stdout: str) -> dict[str, tuple[str, str]]:
    """``{file name: (failure type, message)}`` of a JUnit report on ``stdout``."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(stdout.split("\n", 1)[1])
    failures = {}
    for case in root.iter("testcase"):
        failure = case.find("failure")
        if failure is not None:
            name = Path(case.get("name", "")).name
            failures[name] = (failure.get("type", ""), failure.get("message", ""))
    return failures


def assert_usage_error(result: Result) -> None:
    """Exit 2, one error line on stderr (plus an optional hint line), no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2, lines
    assert lines[0].startswith("provenance: error: ")
    if len(lines) == 2:
        assert lines[1].startswith("hint: ")
    assert "Traceback" not in result.output


def stock_tool(name: str, package: str = "it") -> str:
    """The path of a real tool for an interop test: never skipped in CI (``CI`` set)."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing; CI must install {package}")
        pytest.skip(f"{name} is not installed")
    return path


@pytest.fixture(scope="module")
def ssh_keygen() -> str:
    """The real ssh-keygen, for the interop tests: never skipped in CI (``CI`` set)."""
    return stock_tool("ssh-keygen", "openssh-client")


@pytest.fixture
def good_article() -> Article:
    return article()


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    """A fresh Ed25519 key (alice@example.com), unencrypted."""
    (tmp_path / "keys").mkdir()
    return generate_key(tmp_path / "keys" / "alice", comment="alice@example.com")


@pytest.fixture
def sealed(tmp_path: Path, key: SigningKey) -> Path:
    """A sealed folder: two articles and a photo, signed by ``key``."""
    root = tmp_path / "issue"
    write(root, "a.txt", article().data())
    write(root, "docs/b.md", article(holder="Other Press").data())
    write(root, "img/photo.jpg", b"\xff\xd8\xff\xe0binary")
    seal_folder(root, key)
    return root


# Hypothesis strategies shared by the property tests.

#: Pieces that steer generated text towards footers, credits and transport damage.
FRAGMENTS = (
    "Copyright",
    "copyright ",
    " ",
    "\t",
    "©",
    "(c)",
    "2022",
    "2019-2022",
    "2019–2022",
    "All Rights Reserved",
    "all rights reserved.",
    ".",
    "\n",
    "\r\n",
    "\r",
    "\ufeff",
    "é",
    "e\u0301",
    "Example News, Inc.",
    DOW_JONES,
    "d41d8cd98f00b204e9800998ecf8427e",
    "D41D8CD98F00B204E9800998ECF8427E",
    "—Jane Roe and Rafael Ortiz contributed to this article.",
    "Write to Ann Lee at ann@example.com, Bo at bo@example.org and Cy at cy@example.net",
    "word",
)


def footerish_text() -> st.SearchStrategy[str]:
    """Text made of footer-like fragments mixed with arbitrary characters."""
    piece = st.sampled_from(FRAGMENTS) | st.text(max_size=5)
    return st.lists(piece, max_size=40).map("".join)


#: Text with no carriage returns: CRLF conversion and blank-stripping are benign on it.
lf_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=300
)


# --- every JSON report the suite produces matches its published schema -----------------------

SCHEMAS = ROOT / "provenance" / "schemas"

#: report function -> (schema file, how its output is read: one JSON text, lines, or a dict).
SCHEMA_OF = {
    "json_report": ("verify.schema.json", "text"),
    "jsonl_result": ("verify-jsonl.schema.json", "lines"),
    "jsonl_revision": ("verify-jsonl.schema.json", "lines"),
    "jsonl_summary": ("verify-jsonl.schema.json", "lines"),
    "document_dict": ("parse.schema.json", "dict"),
    "not_text_dict": ("parse.schema.json", "dict"),
    "write_report": ("write.schema.json", "text"),
    "diff_json": ("diff.schema.json", "text"),
}


def schema_validator(name: str) -> Any:
    """A Draft 2020-12 validator for ``provenance/schemas/NAME`` (the file is checked first)."""
    import json

    from jsonschema import Draft202012Validator

    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _validated(function: Any, validator: Any, kind: str) -> Any:
    import functools
    import json

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        output = function(*args, **kwargs)
        if kind == "dict":
            documents = [output]
        elif kind == "lines":
            documents = [json.loads(line) for line in output.splitlines()]
        else:
            documents = [json.loads(output)]
        for document in documents:
            validator.validate(document)
        return output

    return wrapper


@pytest.fixture(autouse=True, scope="session")
def _reports_match_their_schemas() -> Iterator[None]:
    """Wrap the JSON report functions so that whatever any test makes is validated."""
    from provenance import report

    with pytest.MonkeyPatch.context() as patch:
        for function, (schema, kind) in SCHEMA_OF.items():
            wrapped = _validated(getattr(report, function), schema_validator(schema), kind)
            patch.setattr(report, function, wrapped)
        yield
