"""Time ``provenance verify`` against stock tools on the same files, whole processes.

Usage::

    python benchmarks/compare.py /tmp/corpus-a --runs 5
    python benchmarks/compare.py /tmp/corpus-c --runs 5 --jobs 2
    python benchmarks/compare.py /tmp/corpus-a --runs 5 --seal-key /tmp/key  # adds sealing

The commands run in alternation (one run of each, then the next round), so that a change
in machine load touches them all alike; the table gives each command's median wall time
and its ratio to ``xargs md5sum``. Warm the page cache first (the first round is a
warm-up and is not counted).

With ``--seal-key`` (an unencrypted OpenSSH Ed25519 private key) and a folder, the table
also has ``provenance seal`` (the SHA-256 manifest and its signature, removed again after
each run so that the folder is never left sealed) and ``xargs sha256sum``, its stock
counterpart.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def _files(root: str) -> list[str]:
    if os.path.isfile(root):
        return [root]
    found = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        found.extend(os.path.join(folder, name) for name in sorted(names))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="a folder of articles, or one article file")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--provenance", default=shutil.which("provenance") or "provenance")
    parser.add_argument("--seal-key", help="also time `provenance seal` with this key")
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
    if args.seal_key and os.path.isdir(args.path):
        seal_files = " ".join(os.path.join(args.path, n) for n in ("SHA256SUMS", "SHA256SUMS.sig"))
        commands["provenance seal"] = (
            f"{args.provenance} seal -k {args.seal_key} {args.path} > /dev/null; rm -f {seal_files}"
        )
        commands["xargs sha256sum"] = f"xargs -0 sha256sum < {listing} > /dev/null"
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
    print(f"| {'command':24} | {'median s':>9} | {'vs xargs md5sum':>15} |")
    print(f"|{'-' * 26}|{'-' * 11}|{'-' * 17}|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name:24} | {median:9.3f} | {median / base:14.2f}x |")
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
