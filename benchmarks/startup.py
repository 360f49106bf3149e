"""Time the start-up of the installed ``provenance`` command: ``--version`` and a verify of one
small file, whole processes, median of several runs.

Usage::

    python benchmarks/startup.py --provenance .venv/bin/provenance --runs 21

Each is timed twice: without cached bytecode (``PYTHONDONTWRITEBYTECODE=1`` and no
``__pycache__``: every module is compiled from source, as on a first run or in a sandbox
that forbids writing bytecode) and with it (what an installed package normally has).
Caches this script writes under the package are removed again at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _caches() -> list[Path]:
    return list((ROOT / "provenance").rglob("__pycache__"))


def _median_ms(command: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provenance", default=shutil.which("provenance") or "provenance")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument(
        "--file", default=str(ROOT / "fixtures" / "articles" / "good" / "article.md")
    )
    args = parser.parse_args(argv)
    had = set(_caches())
    try:
        for label, cached in (("no bytecode cache", False), ("bytecode cached", True)):
            env = dict(os.environ)
            if cached:
                env.pop("PYTHONDONTWRITEBYTECODE", None)
            else:
                env["PYTHONDONTWRITEBYTECODE"] = "1"
                for cache in set(_caches()) - had:
                    shutil.rmtree(cache)
            # One run first: it writes the bytecode when allowed.
            subprocess.run([args.provenance, "--version"], env=env, stdout=subprocess.DEVNULL)
            version = _median_ms([args.provenance, "--version"], env, args.runs)
            verify = _median_ms([args.provenance, "verify", args.file], env, args.runs)
            print(f"{label:18}  --version {version:5.0f} ms   verify one file {verify:5.0f} ms")
    finally:
        for cache in set(_caches()) - had:
            shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
