"""provenance.options: the one options object of a verify run, and how the CLI builds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance import sshsig
from provenance.config import Settings
from provenance.errors import InputError
from provenance.keys import generate_key
from provenance.options import (
    DEFAULT_NAMESPACE,
    DEFAULT_OPTIONS,
    VerifyOptions,
    load_trust,
    verify_options,
)


def test_the_default_namespace_is_the_wire_formats() -> None:
    assert DEFAULT_NAMESPACE == sshsig.DEFAULT_NAMESPACE == DEFAULT_OPTIONS.namespace


def test_options_are_built_by_keyword_and_frozen() -> None:
    with pytest.raises(TypeError):
        VerifyOptions(None)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        DEFAULT_OPTIONS.jobs = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    "fields",
    [{"require_signature": True}, {"jobs": 0}, {"max_member_size": 0}],
)
def test_impossible_options_raise_whatever_python_flags_say(fields: dict[str, object]) -> None:
    # Checked in __post_init__, not by an assert that python -O would remove.
    with pytest.raises(InputError):
        VerifyOptions(**fields)  # type: ignore[arg-type]


def _public_key(folder: Path) -> Path:
    generate_key(folder / "k")
    return folder / "k.pub"


def test_without_a_trust_source_nothing_is_required() -> None:
    options = verify_options(Settings(allow_unsigned=True), allowed_signers=None)
    assert options.policy is None and not options.require_signature


def test_a_trust_source_requires_signatures_unless_allow_unsigned(tmp_path: Path) -> None:
    key = _public_key(tmp_path)
    strict = verify_options(Settings(strict=True), allowed_signers=None, public_key=str(key))
    assert strict.policy is not None and strict.require_signature and strict.strict
    lenient = verify_options(
        Settings(allow_unsigned=True), allowed_signers=None, public_key=str(key), jobs=3
    )
    assert lenient.policy is not None and not lenient.require_signature and lenient.jobs == 3


def test_conflicting_trust_flags_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="needs a trust source"):
        load_trust(None, None, require=True)
    with pytest.raises(InputError, match="not both"):
        load_trust("a", "b")
    with pytest.raises(InputError, match="exclude each other"):
        key = _public_key(tmp_path)
        verify_options(
            Settings(require_signature=True, allow_unsigned=True),
            allowed_signers=None,
            public_key=str(key),
        )
