"""provenance.bagit: the tag-file parsers and writers of RFC 8493, on bytes alone."""

from __future__ import annotations

import pytest

from provenance.bagit import (
    decode_path,
    dump_manifest,
    encode_path,
    manifest_kind,
    parse_bag_info,
    parse_declaration,
    parse_manifest,
)

A64 = "a" * 64
DECLARATION = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


def reasons(manifest_name: str, data: bytes) -> list[tuple[int | None, str]]:
    return [(p.line, p.reason) for p in parse_manifest(manifest_name, data).problems]


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_the_declaration_reads_with_any_line_end_of_rfc_8493(ending: bytes) -> None:
    data = DECLARATION.replace(b"\n", ending)
    assert parse_declaration(data) == ("1.0", ())
    assert parse_declaration(data.replace(b"1.0", b"0.97")) == ("0.97", ())


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"BagIt-Version: 1.0\n", (None, "expected exactly 2 lines (version, encoding), found 1")),
        (
            DECLARATION + b"Extra: x\n",
            (None, "expected exactly 2 lines (version, encoding), found 3"),
        ),
        (
            DECLARATION.replace(b"1.0", b"2.0"),
            (1, "BagIt version 2.0: provenance reads 0.97 and 1.0"),
        ),
        (
            DECLARATION.replace(b"UTF-8", b"ISO-8859-1"),
            (2, "tag files in ISO-8859-1: provenance reads UTF-8 tag files only"),
        ),
        (b"\xef\xbb\xbf" + DECLARATION, (1, "the file starts with a byte order mark")),
        (
            b"Tag-File-Character-Encoding: UTF-8\nBagIt-Version: 1.0\n",
            (1, 'expected "BagIt-Version: ..."'),
        ),
        (DECLARATION.replace(b": ", b":"), (1, 'expected "BagIt-Version: ..."')),
    ],
)
def test_a_declaration_not_exactly_as_the_rfc_says_is_a_problem(
    data: bytes, problem: tuple[int | None, str]
) -> None:
    _, problems = parse_declaration(data)
    assert problem in [(p.line, p.reason) for p in problems]


def test_manifest_names_say_kind_and_algorithm() -> None:
    assert manifest_kind("manifest-sha256.txt") == (False, "sha256")
    assert manifest_kind("tagmanifest-sha512.txt") == (True, "sha512")
    assert manifest_kind("manifest-sha256.txt.sig") is None
    assert manifest_kind("data/manifest-sha256.txt") is None


def test_manifest_lines_read_with_spaces_or_tabs_and_any_hex_case() -> None:
    data = f"{A64}  data/a.txt\n{A64.upper()}\tdata/b c.txt\r\n{A64} data/d\n".encode()
    manifest = parse_manifest("manifest-sha256.txt", data)
    assert not manifest.problems
    assert [(e.path, e.digest, e.line) for e in manifest.entries.values()] == [
        ("data/a.txt", A64, 1),
        ("data/b c.txt", A64, 2),
        ("data/d", A64, 3),
    ]


@pytest.mark.parametrize(
    ("path", "encoded"),
    [("data/a\nb", "data/a%0Ab"), ("data/a\rb", "data/a%0Db"), ("data/50%", "data/50%25")],
)
def test_cr_lf_and_percent_are_percent_encoded_and_nothing_else(path: str, encoded: str) -> None:
    assert encode_path(path) == encoded
    assert decode_path(encoded) == decode_path(encoded.lower()) == path
    manifest = parse_manifest("manifest-sha256.txt", dump_manifest([(path, A64)]))
    assert list(manifest.entries) == [path] and not manifest.problems


@pytest.mark.parametrize("text", ["data/50%", "data/%41", "data/%2"])
def test_a_percent_that_is_not_one_of_the_three_escapes_is_refused(text: str) -> None:
    [(line, reason)] = reasons("manifest-sha256.txt", f"{A64}  {text}\n".encode())
    assert line == 1 and "a '%' must be written %25" in reason


@pytest.mark.parametrize(
    ("name", "line", "reason"),
    [
        (
            "manifest-sha256.txt",
            f"{A64}  data/../../etc/passwd",
            "unsafe path 'data/../../etc/passwd': the path holds '..'; never opened",
        ),
        (
            "manifest-sha256.txt",
            f"{A64}  /etc/passwd",
            "unsafe path '/etc/passwd': the path is absolute; never opened",
        ),
        (
            "manifest-sha256.txt",
            f"{A64}  bagit.txt",
            "a payload manifest lists 'bagit.txt', outside data/",
        ),
        (
            "manifest-sha256.txt",
            f"{'a' * 128}  data/a",
            "the digest has 128 hex digits, expected 64",
        ),
        ("manifest-sha512.txt", f"{A64}  data/a", "the digest has 64 hex digits, expected 128"),
        ("manifest-md5.txt", f"{A64}  data/a", "the digest has 64 hex digits, expected 32"),
        (
            "tagmanifest-sha256.txt",
            f"{A64}  data/a",
            "a tag manifest lists a payload file: 'data/a'",
        ),
        (
            "tagmanifest-sha256.txt",
            f"{A64}  tagmanifest-md5.txt",
            "a tag manifest lists a tag manifest or its signature: 'tagmanifest-md5.txt'",
        ),
        ("manifest-sha256.txt", "", "empty line"),
        ("manifest-sha256.txt", "data/a", 'expected "<hex digest> <path>"'),
        ("manifest-sha256.txt", f"{A64}data/a", 'expected "<hex digest> <path>"'),
    ],
)
def test_each_bad_manifest_line_names_its_problem(name: str, line: str, reason: str) -> None:
    data = f"{line}\n".encode()
    assert reasons(name, data) == [(1, reason)]
    assert not parse_manifest(name, data).entries


def test_duplicates_and_normalisation_twins_are_refused_and_the_first_kept() -> None:
    data = f"{A64}  data/a\n{'b' * 64}  data/a\n{A64}  data/caf\u00e9\n{A64}  data/cafe\u0301\n".encode()
    manifest = parse_manifest("manifest-sha256.txt", data)
    assert manifest.entries["data/a"].digest == A64
    assert reasons("manifest-sha256.txt", data) == [
        (2, "'data/a' is listed twice (first on line 1)"),
        (
            4,
            "'data/cafe\u0301' differs from 'data/caf\u00e9' (line 3) only by Unicode normalisation",
        ),
    ]


def test_an_unknown_algorithm_is_a_problem_not_a_skipped_manifest() -> None:
    manifest = parse_manifest("manifest-blake2b.txt", f"{A64}  data/a\n".encode())
    assert not manifest.entries
    assert [p.reason for p in manifest.problems] == [
        "unsupported algorithm 'blake2b': provenance checks md5, sha1, sha256, sha512"
    ]


def test_lines_that_are_not_utf8_or_a_bom_are_problems() -> None:
    data = b"\xef\xbb\xbf" + f"{A64}  data/a\n".encode() + A64.encode() + b"  data/\xff\n"
    assert reasons("manifest-sha256.txt", data) == [
        (1, "the file starts with a byte order mark"),
        (2, "not UTF-8"),
    ]


def test_bag_info_joins_continuation_lines_and_reads_the_oxum() -> None:
    info = parse_bag_info(
        b"Contact-Name: Ann\n  Lee\nPayload-Oxum: 1024.3\nSource-Organization: X\n"
    )
    assert info.fields == (
        ("Contact-Name", "Ann Lee"),
        ("Payload-Oxum", "1024.3"),
        ("Source-Organization", "X"),
    )
    assert info.oxum == (1024, 3) and not info.problems


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"Payload-Oxum: 10\n", (1, "Payload-Oxum '10': expected \"<octets>.<files>\"")),
        (
            b"Payload-Oxum: 1.1\nPayload-Oxum: 2.2\n",
            (2, "Payload-Oxum given again (first on line 1)"),
        ),
        (b"no colon here\n", (1, 'expected "Label: value"')),
    ],
)
def test_bad_bag_info_lines_are_problems(data: bytes, problem: tuple[int, str]) -> None:
    assert problem in [(p.line, p.reason) for p in parse_bag_info(data).problems]


def test_a_lying_oxum_cannot_be_chosen_by_a_second_label() -> None:
    # The first Payload-Oxum is the claim; a second is a problem, never a replacement.
    assert parse_bag_info(b"Payload-Oxum: 1.1\nPayload-Oxum: 2.2\n").oxum == (1, 1)
