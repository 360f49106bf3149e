"""Benchmarks run apart from the tests: ``uv run pytest benchmarks --benchmark-only``."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The repository's root too, for the archive builders in tests/craft.py.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
