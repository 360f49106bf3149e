"""The floor: a minimal raw-first footer check, to time the real engine against (not shipped).

Usage::

    python benchmarks/prototype.py /tmp/corpus-a [--jobs 2] > /dev/null

What it does per file is what the issue's prototype did, and no more: one ``os.read`` of
64 KiB (no ``fstat``), the notice found from the end, MD5 of the covered bytes, the
comparison, UTF-8 validation and the deceptive-Unicode byte screen; the parent walks the
folder sorted and prints one line per file, workers check batches of 256 paths. It has no
error handling worth the name and handles only article-shaped files: it tells how fast the
real engine could be on this machine, never what it should answer.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import unicodedata
from multiprocessing import get_context

_NOTICE_END = re.compile(rb"(Reserved\.?)[ \t\r\n]+([0-9a-f]{32})\s*$")
# One literal lead byte per expression: the engine then skips to each 0xE2 in a tight loop.
_SCREEN = re.compile(rb"\xe2(?:\x80[\x8b-\x8d\xaa-\xae]|\x81[\xa0-\xa4\xa6-\xa9])")


def _walk(root: str) -> list[str]:
    out: list[str] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            listing = sorted(entries, key=lambda e: e.name)
        for entry in reversed(listing):
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
        out.extend(e.path for e in listing if e.is_file(follow_symlinks=False))
    return out


def _check(path: str) -> int:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        data = os.read(fd, 65536)
    finally:
        os.close(fd)
    if b"\0" in data:
        return 3
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return 3
        _SCREEN.search(data) or data.find(b"\xf3") >= 0
    tail = max(0, len(data) - 1024)
    match = _NOTICE_END.search(data, tail)
    if match is None:
        return 2
    covered = data[: match.end(1)]
    token = match[2].decode()
    if hashlib.md5(covered, usedforsecurity=False).hexdigest() == token:
        return 0
    if b"\r" in covered:
        covered = covered.replace(b"\r\n", b"\n")
        if hashlib.md5(covered, usedforsecurity=False).hexdigest() == token:
            return 0
    text = unicodedata.normalize("NFC", covered.decode().replace("\r\n", "\n"))
    canonical = "\n".join(line.rstrip(" \t") for line in text.split("\n")).rstrip("\n")
    return 0 if hashlib.md5(canonical.encode(), usedforsecurity=False).hexdigest() == token else 1


def _batch(paths: list[str]) -> bytes:
    return bytes(_check(path) for path in paths)


def main() -> int:
    root = sys.argv[1]
    jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else 2
    paths = _walk(root)
    batches = [paths[i : i + 256] for i in range(0, len(paths), 256)]
    words = ("ok", "mismatch", "no-footer", "unreadable")
    write = sys.stdout.write
    with get_context("fork").Pool(jobs) as pool:
        for batch, codes in zip(batches, pool.imap(_batch, batches), strict=True):
            write("".join(f"{words[c]:13} {p}\n" for c, p in zip(codes, batch, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
