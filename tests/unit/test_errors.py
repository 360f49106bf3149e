"""provenance.errors: one exception tree that says what went wrong; the exit status of each
class is decided by the command line alone (provenance.cli.EXIT_STATUS, SPEC.md §4)."""

from __future__ import annotations

import inspect

import click
import pytest

from provenance import errors
from provenance.cli import EXIT_STATUS, ProvenanceGroup, exit_status
from provenance.errors import (
    InputError,
    OperationalError,
    ProvenanceError,
    Refused,
    StampRefused,
    UnreadableArchive,
    VerificationError,
)

#: SPEC.md §4: 1 failures found or refused, 2 usage, 3 operational.
SPEC_STATUS = {
    ProvenanceError: 3,
    InputError: 2,
    OperationalError: 3,
    VerificationError: 1,
    Refused: 1,
    StampRefused: 1,
    UnreadableArchive: 1,
}


def _classes() -> list[type[ProvenanceError]]:
    return [
        value
        for _, value in inspect.getmembers(errors, inspect.isclass)
        if issubclass(value, ProvenanceError)
    ]


def test_every_error_class_is_in_the_spec_table() -> None:
    assert set(_classes()) == set(SPEC_STATUS)


def test_errors_carry_a_message_and_a_hint_and_no_exit_number() -> None:
    error = Refused("a.txt.sig already exists", hint="use --force to replace it")
    assert (str(error), error.message, error.hint) == (
        "a.txt.sig already exists",
        "a.txt.sig already exists",
        "use --force to replace it",
    )
    assert InputError("x").hint is None
    for kind in _classes():
        assert not hasattr(kind("x"), "exit_status"), kind


@pytest.mark.parametrize("kind", sorted(SPEC_STATUS, key=lambda k: k.__name__))
def test_the_command_line_maps_each_class_to_its_spec_status(kind: type[ProvenanceError]) -> None:
    assert exit_status(kind("x")) == SPEC_STATUS[kind]


def test_the_table_maps_click_interrupts_and_closed_pipes() -> None:
    assert exit_status(click.UsageError("bad option")) == 2
    assert exit_status(click.ClickException("x")) == 1
    assert exit_status(KeyboardInterrupt()) == 130
    assert exit_status(BrokenPipeError()) == 1
    # Most specific first: no class is shadowed by a base class listed before it.
    kinds = [kind for kind, _ in EXIT_STATUS]
    for index, kind in enumerate(kinds):
        assert not any(issubclass(kind, earlier) for earlier in kinds[:index]), kind


@pytest.mark.parametrize("kind", sorted(SPEC_STATUS, key=lambda k: k.__name__))
def test_a_command_that_raises_ends_with_one_line_and_that_status(
    kind: type[ProvenanceError], capsys: pytest.CaptureFixture[str]
) -> None:
    @click.group(cls=ProvenanceGroup)
    def group() -> None:
        """A stand-in for the provenance command."""

    @group.command()
    def boom() -> None:
        raise kind("it went wrong", hint="try again")

    assert group.main(["boom"], standalone_mode=False) == SPEC_STATUS[kind]
    assert capsys.readouterr().err == "provenance: error: it went wrong\nhint: try again\n"
