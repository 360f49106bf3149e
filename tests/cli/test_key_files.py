"""Key, passphrase and trust files through the command line: lengths, modes, exit statuses."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner, Result
from conftest import article, assert_usage_error, invoke, write

from provenance import fsio
from provenance.cli import _signing, cli
from provenance.keys import MAX_PASSPHRASE_BYTES, generate_key

ARTICLE = article().data()
TOO_LONG = "p" * (MAX_PASSPHRASE_BYTES + 1)
LONGEST = "p" * MAX_PASSPHRASE_BYTES


def invoke_with_input(text: str, *args: str | Path) -> Result:
    """``invoke`` with ``text`` on standard input (what the prompts read)."""
    return CliRunner().invoke(cli, [str(a) for a in args], input=text, catch_exceptions=False)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the commands believe they run on a terminal, so that they prompt (CliRunner input)."""
    monkeypatch.setattr(
        _signing, "sys", SimpleNamespace(stdin=SimpleNamespace(isatty=lambda: True))
    )


# -- passphrase length (ssh-keygen reads at most 1,023 bytes) -------------------------------------


def test_keygen_refuses_a_too_long_passphrase_file_cleanly(tmp_path: Path) -> None:
    secret = write(tmp_path, "secret", TOO_LONG + "\n")
    result = invoke("keygen", "-f", tmp_path / "id", "--passphrase-file", secret)
    assert_usage_error(result)
    assert result.stderr == (
        f"provenance: error: the passphrase is {MAX_PASSPHRASE_BYTES + 1} bytes long; "
        f"at most {MAX_PASSPHRASE_BYTES} are allowed\n"
    )
    assert not (tmp_path / "id").exists() and not (tmp_path / "id.pub").exists()


def test_keygen_refuses_a_too_long_prompted_passphrase_cleanly(
    tmp_path: Path, terminal: None
) -> None:
    result = invoke_with_input(f"{TOO_LONG}\n{TOO_LONG}\n", "keygen", "-f", tmp_path / "id")
    assert result.exit_code == 2, result.output
    assert "at most 1023 are allowed" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "id").exists()


def test_sign_refuses_a_too_long_passphrase_from_a_file_or_the_prompt(
    tmp_path: Path, terminal: None
) -> None:
    key = tmp_path / "id"
    generate_key(key, passphrase="short")
    doc = write(tmp_path, "a.txt", ARTICLE)
    secret = write(tmp_path, "secret", TOO_LONG + "\n")
    from_file = invoke("sign", "-k", key, "--passphrase-file", secret, doc)
    assert_usage_error(from_file)
    assert "at most 1023 are allowed" in from_file.stderr
    prompted = invoke_with_input(f"{TOO_LONG}\n", "sign", "-k", key, doc)
    assert prompted.exit_code == 2 and "at most 1023 are allowed" in prompted.stderr
    assert not (tmp_path / "a.txt.sig").exists()


def test_the_longest_passphrase_works_and_ssh_keygen_reads_the_key(tmp_path: Path) -> None:
    secret = write(tmp_path, "secret", LONGEST + "\n")
    key = tmp_path / "id"
    assert invoke("keygen", "-f", key, "--passphrase-file", secret).exit_code == 0
    doc = write(tmp_path, "a.txt", ARTICLE)
    assert invoke("sign", "-k", key, "--passphrase-file", secret, doc).exit_code == 0
    public = subprocess.run(
        ["ssh-keygen", "-y", "-P", LONGEST, "-f", str(key)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert public.stdout.split()[1] == (tmp_path / "id.pub").read_text().split()[1]


# -- private key file modes (ssh-keygen: "UNPROTECTED PRIVATE KEY FILE") ---------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_sign_warns_when_others_may_use_the_private_key_file(tmp_path: Path, mode: int) -> None:
    key = tmp_path / "id"
    generate_key(key)
    key.chmod(mode)
    doc = write(tmp_path, "a.txt", ARTICLE)
    result = invoke("sign", "-k", key, doc)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"provenance: warning: private key {key} is open to other users (mode {mode:04o}): "
        f"anyone who can read it can sign in your name; run 'chmod 600 {key}'\n"
    )
    assert (tmp_path / "a.txt.sig").exists()


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_sign_does_not_warn_for_a_private_key_only_its_owner_may_use(
    tmp_path: Path, mode: int
) -> None:
    key = tmp_path / "id"
    generate_key(key)
    key.chmod(mode)
    result = invoke("sign", "-k", key, write(tmp_path, "a.txt", ARTICLE))
    assert result.exit_code == 0 and result.stderr == ""


def test_seal_warns_when_others_may_read_the_private_key_file(tmp_path: Path) -> None:
    key = tmp_path / "id"
    generate_key(key)
    key.chmod(0o644)
    folder = tmp_path / "issue"
    write(folder, "a.txt", ARTICLE)
    result = invoke("seal", folder, "-k", key)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"provenance: warning: private key {key} is open to other")
    assert (folder / "SHA256SUMS.sig").exists()


def test_keygen_writes_the_private_key_0600_under_a_permissive_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The key is put in place by a link of a finished temporary file: record its mode then,
    # so a key that was ever visible with a wider mode (even for a moment) fails the test.
    modes: dict[str, int] = {}
    real_link = os.link

    def link(source: str, target: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        modes[os.path.basename(target)] = stat.S_IMODE(os.stat(source).st_mode)
        real_link(source, target)

    monkeypatch.setattr(fsio.os, "link", link)
    old = os.umask(0)
    try:
        result = invoke("keygen", "-f", tmp_path / "id", "--no-passphrase")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert modes == {"id": 0o600, "id.pub": 0o644}
    assert stat.S_IMODE((tmp_path / "id").stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["id", "id.pub"]


# -- a file that cannot be read is exit 3 (SPEC.md section 4), not click's usage error -----------


@pytest.fixture
def deny(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """Make paths unreadable as for a user without the permission, even when tests run as root.

    ``os.access`` says no (what click's ``readable=True`` asked, exiting 2) and ``os.open``
    fails with EACCES (what the read itself then meets).
    """
    denied: set[str] = set()
    real_access, real_open = os.access, os.open

    def access(path: str | os.PathLike[str], mode: int, *args: object, **kwargs: object) -> bool:
        if os.path.abspath(path) in denied:
            return False
        return real_access(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    def open_(path: str | os.PathLike[str], flags: int, *args: object, **kwargs: object) -> int:
        if os.path.abspath(path) in denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "open", open_)
    yield lambda path: denied.add(os.path.abspath(path))


@pytest.fixture
def files(tmp_path: Path) -> SimpleNamespace:
    key = tmp_path / "id"
    generate_key(key, comment="alice@example.com", passphrase="secret")
    folder = tmp_path / "issue"
    write(folder, "b.txt", ARTICLE)
    return SimpleNamespace(
        key=key,
        pub=tmp_path / "id.pub",
        doc=write(tmp_path, "a.txt", ARTICLE),
        folder=folder,
        secret=write(tmp_path, "secret", "secret\n"),
        signers=write(
            tmp_path, "allowed", f"alice@example.com {(tmp_path / 'id.pub').read_text()}"
        ),
        tokens=write(tmp_path, "tokens", f"{'2' * 32} Example Wire\n"),
    )


UNREADABLE_INPUTS: dict[str, tuple[str, Callable[[SimpleNamespace], list[object]]]] = {
    "parse FILE": ("doc", lambda f: ["parse", f.doc]),
    "stamp FILE": ("doc", lambda f: ["stamp", "--update", f.doc]),
    "sign FILE": ("doc", lambda f: ["sign", "-k", f.key, "--passphrase-file", f.secret, f.doc]),
    "sign -k": ("key", lambda f: ["sign", "-k", f.key, "--passphrase-file", f.secret, f.doc]),
    "seal -k": ("key", lambda f: ["seal", "-k", f.key, "--passphrase-file", f.secret, f.folder]),
    "sign --passphrase-file": (
        "secret",
        lambda f: ["sign", "-k", f.key, "--passphrase-file", f.secret, f.doc],
    ),
    "keygen --passphrase-file": (
        "secret",
        lambda f: ["keygen", "-f", f.key.with_name("new"), "--passphrase-file", f.secret],
    ),
    "verify --public-key": ("pub", lambda f: ["verify", "--public-key", f.pub, f.doc]),
    "verify --allowed-signers": (
        "signers",
        lambda f: ["verify", "--allowed-signers", f.signers, f.doc],
    ),
    "verify --publisher-tokens": (
        "tokens",
        lambda f: ["verify", "--publisher-tokens", f.tokens, f.doc],
    ),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE_INPUTS))
def test_an_input_file_that_cannot_be_read_is_an_operational_error(
    case: str, files: SimpleNamespace, deny: Callable[[Path], None]
) -> None:
    which, args = UNREADABLE_INPUTS[case]
    path = getattr(files, which)
    deny(path)
    result = invoke(*args(files))
    assert result.exit_code == 3, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("provenance: error: cannot read ")
    assert line.endswith(f"{path}: Permission denied")


def test_verify_reports_an_article_it_cannot_read_as_unreadable(
    files: SimpleNamespace, deny: Callable[[Path], None]
) -> None:
    # verify goes on with the other files: the article's verdict is unreadable, which fails
    # the run (exit 1), as for an unreadable file found in a folder.
    deny(files.doc)
    result = invoke("verify", "--no-config", files.doc, files.folder)
    assert result.exit_code == 1, result.output
    assert f"unreadable    {files.doc}  (cannot read: Permission denied)" in result.stdout
    assert "1 ok" in result.stdout


def test_a_private_key_of_mode_000_is_an_operational_error(tmp_path: Path) -> None:
    # A real chmod 000, no simulation. Root reads such a file anyway, so as root the command
    # runs in a forked child that has become "nobody" first (all it imports is loaded by a
    # first run, since nobody may not read the interpreter's own library under /root).
    folder = Path(tempfile.mkdtemp(prefix="provenance-mode-000-"))
    try:
        folder.chmod(0o777)
        key = folder / "id"
        generate_key(key)
        doc = write(folder, "a.txt", ARTICLE)
        assert invoke("sign", "-k", key, doc).exit_code == 0  # The warm-up run, readable.
        (folder / "a.txt.sig").unlink()
        key.chmod(0)
        status, stderr = _run_as_nobody(["sign", "-k", str(key), str(doc)])
    finally:
        shutil.rmtree(folder)
    assert (status, stderr) == (
        3,
        f"provenance: error: cannot read key {key}: Permission denied\n",
    )


def _run_as_nobody(args: list[str]) -> tuple[int, str]:
    """The exit status and stderr of ``provenance ARGS`` run in-process by an unprivileged user."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe and its status.
        code = 99
        try:
            os.close(read_end)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            result = CliRunner().invoke(cli, args)
            os.write(write_end, result.stderr.encode())
            code = result.exit_code
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        stderr = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), stderr
