"""provenance.findings: warnings about text that does not read as it looks."""

from __future__ import annotations

from provenance.findings import holder_warnings, skeleton, text_warnings


def test_skeleton_folds_look_alike_letters() -> None:
    assert skeleton("Ｅxаmple") == skeleton("example")
    assert skeleton("Example") != skeleton("Exempla")


def test_a_holder_that_imitates_a_known_publisher_is_warned_about() -> None:
    (warning,) = holder_warnings("Dоw Jones & Company, Inc.", ["Dow Jones & Company"])
    assert warning.startswith("deceptive Unicode: the holder 'Dоw Jones & Company, Inc.'")
    assert holder_warnings("Dow Jones & Company, Inc.", ["Dow Jones & Company"]) == ()
    assert holder_warnings("Example News, Inc.", ["Dow Jones & Company"]) == ()


def test_hidden_characters_in_the_text_are_warned_about() -> None:
    assert text_warnings(b"plain ASCII") == ()
    assert text_warnings("caf\u00e9 \u2014 fine".encode()) == ()
    bidi = text_warnings("price \u202e01$ \u202c".encode())
    assert bidi and any("bidi" in warning.lower() for warning in bidi)
    zero_width = text_warnings("in\u200bvisible".encode())
    assert zero_width and any("zero-width" in warning.lower() for warning in zero_width)
    # The skipped span (the footer, checked on its own) is not warned about twice.
    data = "ok \u200b".encode()
    assert text_warnings(data, skip=(0, len(data))) == ()
