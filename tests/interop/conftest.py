"""Fixtures of the interop tests: the real tools, never skipped in CI (``CI`` set)."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(scope="module")
def ssh_keygen() -> str:
    path = shutil.which("ssh-keygen")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("ssh-keygen is missing; CI must install openssh-client")
        pytest.skip("ssh-keygen is not installed")
    return path
