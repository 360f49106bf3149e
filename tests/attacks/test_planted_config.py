"""Attacks through a configuration file planted in the folder being checked.

The configuration decides what is checked (``exclude``), who is trusted (``allowed_signers``)
and which tokens excuse a mismatch (``publisher_tokens``). It used to be looked for from the
checked path up, so whoever could write into ``incoming/`` configured the check of
``incoming/``. Now it comes from ``--config`` or from the current folder up, never from a
checked path. Each attack is run on a plain folder and on a sealed folder (the planted file
listed in a manifest the attacker sealed with their own key), from the project's own folder,
whose ``pyproject.toml`` trusts Alice only.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from provenance.keys import SigningKey, generate_key
from provenance.seal import seal_folder
from provenance.sign import sign_file
from tests.attacks.conftest import assert_clean
from tests.conftest import ENTRY, article, assert_usage_error, invoke, write

#: A token that is not the digest of anything here: a mismatch, unless excused.
TOKEN = "0123456789abcdef0123456789abcdef"
TAMPERED = f"Story, edited.\nCopyright 2022 Example News, Inc. All Rights Reserved. {TOKEN}\n"
#: The attacker's own article, with a correct footer: only a signature can tell it apart.
FORGED = article(body="A story nobody at Example News wrote.").data()


@pytest.fixture
def alice(tmp_path: Path) -> SigningKey:
    (tmp_path / "keys").mkdir(exist_ok=True)
    return generate_key(tmp_path / "keys" / "alice", comment="alice@example.com")


@pytest.fixture
def mallory(tmp_path: Path) -> SigningKey:
    (tmp_path / "keys").mkdir(exist_ok=True)
    return generate_key(tmp_path / "keys" / "mallory", comment="mallory@example.net")


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, alice: SigningKey
) -> Callable[[str], Path]:
    """Makes the project the user stands in (the cwd) with ``[tool.provenance]`` SETTINGS;
    returns its empty ``incoming`` folder."""

    def make(settings: str) -> Path:
        root = tmp_path / "project"
        write(root, "allowed_signers", f"alice@example.com {alice.public.to_openssh()}\n")
        write(root, "pyproject.toml", f'[project]\nname = "news"\n\n[tool.provenance]\n{settings}')
        (root / "incoming").mkdir()
        monkeypatch.chdir(root)
        return root / "incoming"

    return make


TRUST_ALICE = 'allowed_signers = "allowed_signers"\nrequire_signature = true\n'


def plant(incoming: Path, config: str, mallory: SigningKey | None = None) -> None:
    """The attacker's provenance.toml, and ``.allowed`` trusting Mallory."""
    write(incoming, "provenance.toml", config)
    if mallory is not None:
        write(incoming, ".allowed", f"mallory@example.net {mallory.public.to_openssh()}\n")


@pytest.mark.parametrize("sealed", [False, True], ids=["folder", "sealed-folder"])
def test_planted_exclude_all_does_not_empty_the_run(
    project: Callable[[str], Path], mallory: SigningKey, sealed: bool
) -> None:
    incoming = project(TRUST_ALICE)
    plant(incoming, 'exclude = ["*"]\n')
    if sealed:
        # A seal leaves out nothing, but the planted file used to replace the project's
        # configuration: no trust policy, so a seal by anyone passed.
        write(incoming, "a.txt", FORGED)
        seal_folder(incoming, mallory)
    else:
        write(incoming, "a.txt", TAMPERED)  # Was "no files to check", exit 0.
    result = invoke("verify", "--strict", "--require-signature", "incoming")
    assert_clean(result, 1)
    if sealed:
        assert "signature untrusted" in result.stdout
    else:
        # The missing signature takes the first column (SPEC.md §5.3); the footer says mismatch.
        first = result.stdout.splitlines()[0]
        assert first.split()[:2] == ["sig-missing", "incoming/a.txt"]
        assert "(expected " in first


@pytest.mark.parametrize("sealed", [False, True], ids=["folder", "sealed-folder"])
def test_planted_allowed_signers_does_not_make_the_attackers_signature_good(
    project: Callable[[str], Path], mallory: SigningKey, sealed: bool
) -> None:
    incoming = project(TRUST_ALICE)
    plant(incoming, 'allowed_signers = ".allowed"\n', mallory)
    write(incoming, "a.txt", FORGED)
    if sealed:
        seal_folder(incoming, mallory)
    else:
        sign_file(incoming / "a.txt", mallory)
    result = invoke("verify", "--require-signature", "incoming")
    assert_clean(result, 1)
    assert "signature untrusted" in result.stdout
    assert "good by mallory" not in result.stdout


@pytest.mark.parametrize("sealed", [False, True], ids=["folder", "sealed-folder"])
def test_planted_publisher_tokens_do_not_excuse_a_mismatch(
    project: Callable[[str], Path], mallory: SigningKey, sealed: bool
) -> None:
    incoming = project("strict = false\n")
    plant(incoming, 'publisher_tokens = ["tokens.txt"]\n')
    write(incoming, "tokens.txt", f"{TOKEN} Example News, Inc.\n")
    write(incoming, "a.txt", TAMPERED)
    if sealed:
        seal_folder(incoming, mallory)
    result = invoke("verify", "incoming")
    assert_clean(result, 1)
    assert result.stdout.split()[:2] == ["mismatch", "incoming/a.txt"]
    assert "unverifiable" not in result.stdout


def test_verbose_names_the_ignored_file(project: Callable[[str], Path]) -> None:
    incoming = project("strict = true\n")
    plant(incoming, 'exclude = ["*"]\n')
    write(incoming, "a.txt", article().data())
    result = invoke("verify", "-v", "incoming")
    assert_clean(result, 0)
    assert result.stdout.splitlines()[-1] == "1 file: 1 ok; passed under --strict"
    assert (
        "provenance: ignored configuration inside a checked folder: incoming/provenance.toml"
        in result.stderr.splitlines()
    )
    quiet = invoke("verify", "incoming")
    assert "ignored configuration" not in quiet.stderr


@pytest.fixture
def trusting_mallory(project: Callable[[str], Path], mallory: SigningKey) -> Path:
    """``incoming`` in Alice's project, with a planted file trusting Mallory's signed article."""
    incoming = project(TRUST_ALICE)
    plant(incoming, 'allowed_signers = ".allowed"\n', mallory)
    write(incoming, "a.txt", FORGED)
    sign_file(incoming / "a.txt", mallory)
    return incoming


def test_standing_in_the_checked_folder_refuses_its_config(
    trusting_mallory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # cd incoming && provenance verify . : the walk from the cwd meets the planted file.
    monkeypatch.chdir(trusting_mallory)
    for args in (("verify", "--require-signature", "."), ("config", ".")):
        result = invoke(*args)
        assert_usage_error(result)
        assert "configuration file inside the checked path" in result.stderr
        assert "good" not in result.stdout


def test_config_command_follows_the_same_rule(trusting_mallory: Path, tmp_path: Path) -> None:
    result = invoke("config", "incoming")
    assert result.exit_code == 0
    where = f"{tmp_path / 'project' / 'pyproject.toml'} [tool.provenance]"
    assert result.stdout.splitlines()[0] == f"# config file: {where}"
    assert f'allowed_signers = "{tmp_path / "project" / "allowed_signers"}"  # from {where}' in (
        result.stdout.splitlines()
    )
    assert result.stderr == (
        "provenance: ignored configuration inside a checked folder: incoming/provenance.toml\n"
    )


# --- the file itself: a FIFO never hangs, deep nesting is one error --------------------------


def run_cli(cwd: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """The real command in a process of its own: a hang fails the test, not the suite."""
    return subprocess.run(
        [str(ENTRY), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_config_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "settings.toml"
    os.mkfifo(fifo)
    (tmp_path / "articles").mkdir()
    done = run_cli(tmp_path, "verify", "--config", fifo, "articles")
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"provenance: error: {fifo}: not a regular file (is a FIFO: never opened)\n"
    )
    # The same FIFO planted as the project's provenance.toml, found from the cwd.
    os.rename(fifo, tmp_path / "provenance.toml")
    done = run_cli(tmp_path, "verify", "articles")
    assert done.returncode == 2, done.stderr
    assert "provenance.toml: not a regular file (is a FIFO" in done.stderr


def test_deeply_nested_toml_is_one_clean_error(tmp_path: Path) -> None:
    deep = write(tmp_path, "deep.toml", "a=" + "[" * 100_000 + "\n")
    (tmp_path / "articles").mkdir()
    result = invoke("verify", "--config", deep, tmp_path / "articles")
    assert_usage_error(result)
    assert result.stderr == f"provenance: error: {deep}: not valid TOML: nested too deeply\n"
