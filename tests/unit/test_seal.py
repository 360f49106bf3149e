"""Sealing a folder: what is listed, what is refused, and atomicity under injected faults."""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from provenance import fsio
from provenance.allowed_signers import TrustedKey
from provenance.errors import InputError, OperationalError, Refused
from provenance.keys import SigningKey, generate_key
from provenance.model import SignatureVerdict
from provenance.seal import seal_folder
from provenance.sign import check_signature
from tests.conftest import article, write


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    (tmp_path / "keys").mkdir()
    return generate_key(tmp_path / "keys" / "id_ed25519", comment="alice@example.com")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "issue"
    write(root, "a.txt", article().data())
    write(root, "docs/b.md", article(holder="Other Press").data())
    write(root, "img/photo.jpg", b"\xff\xd8\xff\xe0binary")
    write(root, ".hidden/notes", b"hidden files are sealed too\n")
    return root


def snapshot(root: Path) -> dict[str, tuple[bytes | str, int]]:
    """Every entry below ``root`` (hidden ones included): content or link target, and mode."""
    seen: dict[str, tuple[bytes | str, int]] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        mode = path.lstat().st_mode
        if path.is_symlink():
            seen[relative] = (os.readlink(path), mode)
        elif path.is_file():
            seen[relative] = (path.read_bytes(), mode)
        else:
            seen[relative] = ("<folder>", mode)
    return seen


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_seal_lists_every_regular_file_sorted_and_signs_the_manifest(
    folder: Path, key: SigningKey
) -> None:
    sealed = seal_folder(folder, key)
    manifest = (folder / "SHA256SUMS").read_bytes()
    expected = "".join(
        f"{sha((folder / name).read_bytes())}  {name}\n"
        for name in [".hidden/notes", "a.txt", "docs/b.md", "img/photo.jpg"]
    )
    assert manifest.decode() == expected
    assert sealed.files == 4
    assert sealed.namespace == "file"
    assert sealed.key_fingerprint == key.public.fingerprint
    assert not sealed.replaced
    signature = (folder / "SHA256SUMS.sig").read_bytes()
    checked = check_signature(manifest, signature, TrustedKey(key.public), "file")
    assert checked.verdict is SignatureVerdict.GOOD


def test_custom_namespace_is_signed(folder: Path, key: SigningKey) -> None:
    seal_folder(folder, key, "archive@example.com")
    manifest = (folder / "SHA256SUMS").read_bytes()
    signature = (folder / "SHA256SUMS.sig").read_bytes()
    policy = TrustedKey(key.public)
    assert check_signature(manifest, signature, policy, "archive@example.com").verdict is (
        SignatureVerdict.GOOD
    )
    assert check_signature(manifest, signature, policy, "file").verdict is SignatureVerdict.BAD


def test_manifest_and_signature_never_list_themselves(folder: Path, key: SigningKey) -> None:
    seal_folder(folder, key)
    seal_folder(folder, key, force=True)
    manifest = (folder / "SHA256SUMS").read_text()
    assert "SHA256SUMS" not in manifest
    # A nested SHA256SUMS is an ordinary file of the outer seal.
    write(folder, "sub/SHA256SUMS", b"inner\n")
    seal_folder(folder, key, force=True)
    assert "  sub/SHA256SUMS\n" in (folder / "SHA256SUMS").read_text()


def test_already_sealed_folder_is_refused_unless_forced(folder: Path, key: SigningKey) -> None:
    seal_folder(folder, key)
    before = snapshot(folder)
    with pytest.raises(Refused, match="already sealed") as caught:
        seal_folder(folder, key)
    assert caught.value.hint == "use --force to replace the seal"
    assert snapshot(folder) == before
    write(folder, "new.txt", b"new\n")
    resealed = seal_folder(folder, key, force=True)
    assert resealed.replaced and resealed.files == 5
    assert "  new.txt\n" in (folder / "SHA256SUMS").read_text()


def test_a_lone_signature_also_counts_as_sealed(folder: Path, key: SigningKey) -> None:
    write(folder, "SHA256SUMS.sig", b"stale\n")
    with pytest.raises(Refused, match="already sealed"):
        seal_folder(folder, key)


def test_symbolic_links_are_refused_never_followed(
    folder: Path, key: SigningKey, tmp_path: Path
) -> None:
    outside = write(tmp_path, "outside.txt", b"secret\n")
    (folder / "link.txt").symlink_to(outside)
    (folder / "linked-folder").symlink_to(tmp_path)
    before = snapshot(folder)
    with pytest.raises(InputError, match=r"link.txt \(symbolic link\)") as caught:
        seal_folder(folder, key)
    assert "linked-folder (symbolic link)" in caught.value.message
    assert snapshot(folder) == before


def test_fifo_is_refused_and_never_opened(folder: Path, key: SigningKey) -> None:
    os.mkfifo(folder / "pipe")
    with pytest.raises(InputError, match=r"pipe \(FIFO\)"):
        seal_folder(folder, key)


@pytest.mark.parametrize("name", ["SHA256SUMS", "SHA256SUMS.sig"])
def test_a_folder_named_like_a_seal_file_below_is_refused(
    folder: Path, key: SigningKey, name: str
) -> None:
    # verify would take its parent for a sealed folder whose seal is broken.
    write(folder, f"sub/{name}/x.txt", b"x")
    with pytest.raises(InputError, match=rf"sub/{name} \(folder\)"):
        seal_folder(folder, key)


def test_an_inner_seal_is_listed_by_the_outer_one(folder: Path, key: SigningKey) -> None:
    write(folder, "sub/x.txt", b"x")
    seal_folder(folder / "sub", key)
    seal_folder(folder, key)
    listed = [line.split("  ", 1)[1] for line in (folder / "SHA256SUMS").read_text().splitlines()]
    assert {"sub/SHA256SUMS", "sub/SHA256SUMS.sig", "sub/x.txt"} <= set(listed)


def test_non_nfc_and_non_utf8_names_are_refused(tmp_path: Path, key: SigningKey) -> None:
    root = tmp_path / "names"
    write(root, "cafe\u0301.txt", b"x")
    with pytest.raises(InputError, match="not in Unicode NFC"):
        seal_folder(root, key)
    os.unlink(root / "cafe\u0301.txt")
    with open(os.path.join(os.fsencode(root), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"x")
    with pytest.raises(InputError, match=r"caf\\xe9.txt \(not UTF-8\)"):
        seal_folder(root, key)


def test_empty_folder_and_missing_folder_are_refused(tmp_path: Path, key: SigningKey) -> None:
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    with pytest.raises(InputError, match="holds no files"):
        seal_folder(tmp_path / "empty", key)
    with pytest.raises(InputError, match="no such folder"):
        seal_folder(tmp_path / "absent", key)


def test_strange_names_round_trip(tmp_path: Path, key: SigningKey) -> None:
    root = tmp_path / "strange"
    for name in ["new\nline.txt", "back\\slash.txt", "cr\rname", " leading space", "*star"]:
        write(root, name, name.encode())
    seal_folder(root, key)
    from provenance.manifest import parse

    manifest = parse((root / "SHA256SUMS").read_bytes())
    assert manifest.problems == ()
    assert {e.path: e.digest for e in manifest.entries} == {
        name: sha(name.encode())
        for name in ["new\nline.txt", "back\\slash.txt", "cr\rname", " leading space", "*star"]
    }


def test_large_file_is_hashed_in_blocks(tmp_path: Path, key: SigningKey) -> None:
    data = os.urandom(3 * fsio.BLOCK_SIZE + 17)
    root = tmp_path / "big"
    write(root, "video.bin", data)
    seal_folder(root, key, workers=2)
    assert (root / "SHA256SUMS").read_text() == f"{sha(data)}  video.bin\n"


# -- fault injection: the folder is left exactly as it was -----------------------------------


def failing_on_call(
    real: Callable[..., Any], fail_at: int, exc: BaseException
) -> tuple[Callable[..., Any], list[int]]:
    """Wrap ``real`` so that its ``fail_at``-th call raises ``exc``; count the calls."""
    calls = [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == fail_at:
            raise exc
        return real(*args, **kwargs)

    return wrapper, calls


def count_calls(monkeypatch: pytest.MonkeyPatch, name: str, run: Callable[[], object]) -> int:
    wrapper, calls = failing_on_call(getattr(os, name), 0, RuntimeError())
    with monkeypatch.context() as patch:
        patch.setattr(fsio.os, name, wrapper)
        run()
    return calls[0]


def assert_sealed(root: Path, key: SigningKey) -> None:
    """The new pair is in place and consistent: every file listed, the signature good."""
    manifest = (root / "SHA256SUMS").read_bytes()
    listed = {row.split("  ", 1)[1] for row in manifest.decode().splitlines()}
    assert listed == {"a.txt", "docs/b.txt"}
    signature = (root / "SHA256SUMS.sig").read_bytes()
    assert check_signature(manifest, signature, TrustedKey(key.public)).verdict is (
        SignatureVerdict.GOOD
    )


FAULTS = [
    ("write", OSError(errno.ENOSPC, "No space left on device")),
    ("fsync", OSError(errno.EIO, "Input/output error")),
    ("replace", OSError(errno.EIO, "Input/output error")),
    ("link", OSError(errno.EPERM, "Operation not permitted")),
    ("unlink", OSError(errno.EACCES, "Permission denied")),
    ("replace", KeyboardInterrupt()),
    ("write", RuntimeError("crash")),
]


@pytest.mark.parametrize("resealing", [False, True], ids=["first-seal", "force-reseal"])
@pytest.mark.parametrize(
    ("call", "exc"), FAULTS, ids=[f"{c}-{type(e).__name__}" for c, e in FAULTS]
)
def test_a_failure_at_any_step_leaves_the_folder_as_it_was(
    tmp_path: Path,
    key: SigningKey,
    monkeypatch: pytest.MonkeyPatch,
    call: str,
    exc: BaseException,
    resealing: bool,
) -> None:
    def make(root: Path) -> Path:
        write(root, "a.txt", article().data())
        write(root, "docs/b.txt", b"bee\n")
        if resealing:
            seal_folder(root, key)
            write(root, "docs/b.txt", b"changed since the first seal\n")
        return root

    # Count the calls a clean seal makes, then fail each one in turn on a fresh folder.
    probe = make(tmp_path / "probe")
    total = count_calls(monkeypatch, call, lambda: seal_folder(probe, key, force=resealing))
    assert total >= 1
    for fail_at in range(1, total + 1):
        root = make(tmp_path / f"{call}-{fail_at}")
        before = snapshot(root)
        wrapper, _ = failing_on_call(getattr(os, call), fail_at, exc)
        raised = False
        with monkeypatch.context() as patch:
            patch.setattr(fsio.os, call, wrapper)
            try:
                seal_folder(root, key, force=resealing)
            except (OperationalError, type(exc)):
                raised = True
        where = f"{call} failing at call {fail_at} of {total}"
        if raised:
            assert snapshot(root) == before, where
        else:
            # Only best-effort steps after the seal is complete may fail silently (fsync of
            # the folder, removing a backup link); the pair in place must then be the new one.
            assert_sealed(root, key)
            strays = set(snapshot(root)) - set(before) - {"SHA256SUMS", "SHA256SUMS.sig"}
            assert all(name.endswith(".old") for name in strays), (where, strays)


def test_an_unreadable_file_fails_before_anything_is_written(
    folder: Path, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_read = os.read

    def failing_read(fd: int, size: int) -> bytes:
        if os.fstat(fd).st_size == (folder / "docs/b.md").stat().st_size:
            raise OSError(errno.EIO, "Input/output error")
        return real_read(fd, size)

    before = snapshot(folder)
    monkeypatch.setattr(os, "read", failing_read)
    with pytest.raises(OperationalError, match=r"docs/b\.md: cannot read: Input/output error"):
        seal_folder(folder, key)
    monkeypatch.undo()
    assert snapshot(folder) == before


def test_a_manifest_too_large_to_verify_is_never_written(
    tmp_path: Path, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    import provenance.seal as seal_module

    folder = tmp_path / "big"
    folder.mkdir()
    for index in range(20):
        (folder / f"{index:02}.txt").write_text("x\n")
    # 20 lines of ~72 bytes: over a limit of 1 KiB.
    monkeypatch.setattr(seal_module, "MAX_MANIFEST_SIZE", 1024)
    with pytest.raises(InputError, match="more than the 0 MiB provenance verifies") as caught:
        seal_folder(folder, key)
    assert caught.value.hint == "seal its subfolders one by one"
    assert sorted(p.name for p in folder.iterdir()) == [f"{i:02}.txt" for i in range(20)]
