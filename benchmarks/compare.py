"""Time ``provenance verify`` against stock tools on the same files, whole processes.

Usage::

    python benchmarks/compare.py /tmp/corpus-a --runs 5
    python benchmarks/compare.py /tmp/corpus-c --runs 5 --jobs 2
    python benchmarks/compare.py /tmp/corpus-a --runs 5 --seal-key /tmp/key  # adds sealing

The commands run in alternation (one run of each, then the next round), so that a change
in machine load touches them all alike; the table gives each command's median wall time,
its ratio to ``xargs md5sum``, and its ratio to its own yardstick (the stock command doing
the same job on the same files: ``sha256sum -c`` for a sealed copy), taken round by round
and then the median, so that a drift in the machine's speed cancels out. Warm the page
cache first (the first round is a warm-up and is not counted).

With ``--seal-key`` (an unencrypted OpenSSH Ed25519 private key) and a folder, the table
also has ``provenance seal`` (the SHA-256 manifest and its signature, removed again after
each run so that the folder is never left sealed) and ``xargs sha256sum``, its stock
counterpart.

``--prototype`` adds ``benchmarks/prototype.py`` (the floor: the same per-file work, minimal
Python, no error handling) on the same files and jobs.

``--crlf`` adds a copy of the folder with every line end turned into CRLF (the tokens
unchanged: every file still verifies ``ok``), timed with ``provenance verify`` and with
``xargs md5sum`` on the copy. ``--sealed-key KEY`` adds a copy sealed with KEY, timed with
``provenance verify --public-key KEY.pub`` and with ``sha256sum -c SHA256SUMS`` in it.
The copies live in a temporary folder, removed at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable


def _files(root: str) -> list[str]:
    if os.path.isfile(root):
        return [root]
    found = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        found.extend(os.path.join(folder, name) for name in sorted(names))
    return found


def _copy(source: str, target: str, change: Callable[[bytes], bytes]) -> None:
    """Copy the files of ``source`` to ``target``, each one's bytes through ``change``."""
    for path in _files(source):
        out = os.path.join(target, os.path.relpath(path, source))
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(path, "rb") as handle, open(out, "wb") as copy:
            copy.write(change(handle.read()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="a folder of articles, or one article file")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--provenance", default=shutil.which("provenance") or "provenance")
    parser.add_argument("--seal-key", help="also time `provenance seal` with this key")
    parser.add_argument("--crlf", action="store_true", help="also time a CRLF copy")
    parser.add_argument(
        "--prototype", action="store_true", help="also time benchmarks/prototype.py"
    )
    parser.add_argument("--sealed-key", help="also time verifying a copy sealed with this key")
    args = parser.parse_args(argv)

    files = _files(args.path)
    size = sum(os.path.getsize(f) for f in files)
    work = tempfile.mkdtemp(prefix="provenance-compare-")
    listing = os.path.join(work, "files.nul")
    with open(listing, "wb") as handle:
        handle.write(b"".join(os.fsencode(f) + b"\0" for f in files))
    sums = os.path.join(work, "SHA256SUMS")
    subprocess.run(
        f"xargs -0 sha256sum < {listing} > {sums}", shell=True, check=True, executable="/bin/bash"
    )
    commands = {
        "provenance verify": f"{args.provenance} verify --jobs {args.jobs} {args.path} > /dev/null",
        "provenance verify -j1": f"{args.provenance} verify --jobs 1 {args.path} > /dev/null",
        "xargs md5sum": f"xargs -0 md5sum < {listing} > /dev/null",
        "xargs -P2 md5sum": f"xargs -0 -P2 -n 1000 md5sum < {listing} > /dev/null",
        "sha256sum -c": f"sha256sum --quiet -c {sums} > /dev/null",
    }
    if args.prototype and os.path.isdir(args.path):
        floor = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prototype.py")
        commands["prototype (the floor)"] = (
            f"{sys.executable} {floor} {args.path} --jobs {args.jobs} > /dev/null"
        )
    if args.seal_key and os.path.isdir(args.path):
        seal_files = " ".join(os.path.join(args.path, n) for n in ("SHA256SUMS", "SHA256SUMS.sig"))
        commands["provenance seal"] = (
            f"{args.provenance} seal -k {args.seal_key} {args.path} > /dev/null; rm -f {seal_files}"
        )
        commands["xargs sha256sum"] = f"xargs -0 sha256sum < {listing} > /dev/null"
    if args.crlf and os.path.isdir(args.path):
        crlf = os.path.join(work, "crlf")
        _copy(args.path, crlf, lambda data: re.sub(rb"(?<!\r)\n", b"\r\n", data))
        crlf_listing = os.path.join(work, "crlf.nul")
        with open(crlf_listing, "wb") as handle:
            handle.write(b"".join(os.fsencode(f) + b"\0" for f in _files(crlf)))
        commands["verify, CRLF copy"] = (
            f"{args.provenance} verify --jobs {args.jobs} {crlf} > /dev/null"
        )
        commands["xargs md5sum, CRLF copy"] = f"xargs -0 md5sum < {crlf_listing} > /dev/null"
    if args.sealed_key and os.path.isdir(args.path):
        sealed = os.path.join(work, "sealed")
        _copy(args.path, sealed, lambda data: data)
        subprocess.run(
            [args.provenance, "seal", "-k", args.sealed_key, sealed],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        commands["verify, sealed copy"] = (
            f"{args.provenance} verify --jobs {args.jobs} --public-key {args.sealed_key}.pub "
            f"{sealed} > /dev/null"
        )
        commands["sha256sum -c, sealed copy"] = f"cd {sealed} && sha256sum --quiet -c SHA256SUMS"
    # Each command's yardstick: the stock command that does the same job on the same files.
    yardstick = dict.fromkeys(commands, "xargs md5sum")
    yardstick.update(
        {
            "provenance seal": "xargs sha256sum",
            "verify, CRLF copy": "xargs md5sum, CRLF copy",
            "verify, sealed copy": "sha256sum -c, sealed copy",
        }
    )
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(args.runs + 1):
        for name, command in commands.items():
            start = time.perf_counter()
            done = subprocess.run(command, shell=True, executable="/bin/bash")
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                print(f"warning: {name!r} exited {done.returncode}", file=sys.stderr)
            if round_:
                times[name].append(elapsed)
    base = statistics.median(times["xargs md5sum"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"corpus:  {args.path}: {len(files)} files, {size / 1e6:.1f} MB")
    print(f"runs:    {args.runs} per command (after one warm-up round), in alternation\n")
    print(
        f"| {'command':26} | {'median s':>9} | {'vs xargs md5sum':>15} | {'vs its yardstick':>42} |"
    )
    print(f"|{'-' * 28}|{'-' * 11}|{'-' * 17}|{'-' * 44}|")
    for name, values in times.items():
        median = statistics.median(values)
        against = yardstick[name]
        paired = statistics.median(a / b for a, b in zip(values, times[against], strict=True))
        shown = f"{paired:.2f}x {against}" if against != name else "-"
        print(f"| {name:26} | {median:9.3f} | {median / base:14.2f}x | {shown:>42} |")
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
