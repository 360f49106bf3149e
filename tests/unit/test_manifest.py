"""SHA256SUMS: the GNU format written, read strictly, and its path-safety judgement."""

from __future__ import annotations

import hashlib

import pytest

from provenance.manifest import (
    MAX_LISTED_PROBLEMS,
    Entry,
    dump,
    escape_name,
    format_line,
    parse,
    path_problem,
    unescape_name,
)

A = "a" * 64
B = "b" * 64


def line(path: str, digest: str = A) -> bytes:
    return f"{digest}  {path}\n".encode()


def reasons(data: bytes) -> list[tuple[int, str]]:
    return [(problem.line, problem.reason) for problem in parse(data).problems]


# -- writing --------------------------------------------------------------------------------


def test_dump_writes_sorted_gnu_lines_with_two_spaces() -> None:
    data = dump([("b.txt", B), ("a.txt", A), ("docs/c.md", A)])
    assert data == f"{A}  a.txt\n{B}  b.txt\n{A}  docs/c.md\n".encode()


def test_dump_sorts_by_code_point_like_c_locale_sort() -> None:
    paths = ["a/b", "a.txt", "Z", "é", "a-b"]
    written = [row.split(b"  ", 1)[1].decode() for row in dump((p, A) for p in paths).splitlines()]
    assert written == sorted(paths, key=lambda p: p.encode("utf-8"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a\nb", f"\\{A}  a\\nb\n"),
        ("back\\slash", f"\\{A}  back\\\\slash\n"),
        ("cr\rname", f"\\{A}  cr\\rname\n"),
        ("plain name.txt", f"{A}  plain name.txt\n"),
    ],
)
def test_names_with_newline_backslash_or_cr_are_escaped_the_gnu_way(
    name: str, expected: str
) -> None:
    assert format_line(name, A) == expected
    assert parse(expected.encode()).entries == (Entry(name, A, 1),)


def test_escape_round_trip() -> None:
    for name in ["a", "a\\b", "a\nb\rc\\\\", "\\n"]:
        escaped, needed = escape_name(name)
        assert needed == (name != "a")
        assert unescape_name(escaped) == name


@pytest.mark.parametrize("path", ["/etc/passwd", "../x", "a/../../x", "a//b", "./a", "", "a\x00b"])
def test_dump_refuses_unsafe_paths(path: str) -> None:
    with pytest.raises(ValueError):
        dump([(path, A)])


def test_dump_refuses_non_nfc_names_duplicates_and_itself() -> None:
    with pytest.raises(ValueError, match="NFC"):
        dump([("e\u0301.txt", A)])
    with pytest.raises(ValueError, match="twice"):
        dump([("a", A), ("a", B)])
    with pytest.raises(ValueError, match="never lists"):
        dump([("SHA256SUMS", A)])
    with pytest.raises(ValueError, match="hex"):
        dump([("a", "xyz")])


# -- reading --------------------------------------------------------------------------------


def test_parse_reads_what_sha256sum_writes() -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    manifest = parse(f"{digest}  a.txt\n{digest} *binary.bin\n".encode())
    assert manifest.problems == ()
    assert [(e.path, e.digest, e.line) for e in manifest.entries] == [
        ("a.txt", digest, 1),
        ("binary.bin", digest, 2),
    ]


def test_uppercase_hex_is_accepted_and_lowered() -> None:
    assert parse(line("a", A.upper())).entries[0].digest == A


def test_missing_final_newline_is_accepted() -> None:
    manifest = parse(line("a").rstrip(b"\n"))
    assert manifest.problems == () and manifest.entries[0].path == "a"


def test_a_run_of_empty_lines_is_one_problem() -> None:
    data = line("a.txt") + b"\n" * 5 + line("b.txt") + b"\n" + b"\n" * 3
    manifest = parse(data)
    assert [(e.path, e.line) for e in manifest.entries] == [("a.txt", 1), ("b.txt", 7)]
    assert reasons(data) == [(2, "5 empty lines (2 to 6)"), (8, "4 empty lines (8 to 11)")]
    assert reasons(b"\xef\xbb\xbf\n\n") == [
        (1, "the manifest starts with a byte order mark"),
        (1, "2 empty lines (1 to 2)"),
    ]


def test_four_million_empty_lines_cost_one_problem() -> None:
    # The planted 4 MB SHA256SUMS that took 2.3 GB and 27 s: now one problem, made in C.
    assert reasons(b"\n" * 4_000_000) == [(1, "4000000 empty lines (1 to 4000000)")]


def test_problems_past_the_first_hundred_are_counted_in_one_last_problem() -> None:
    junk = b"junk\n" * (MAX_LISTED_PROBLEMS + 150)
    manifest = parse(line("first.txt") + junk + line("last.txt"))
    assert [(e.path, e.line) for e in manifest.entries] == [
        ("first.txt", 1),
        ("last.txt", MAX_LISTED_PROBLEMS + 152),
    ]
    assert len(manifest.problems) == MAX_LISTED_PROBLEMS + 1
    assert [p.line for p in manifest.problems[:-1]] == list(range(2, MAX_LISTED_PROBLEMS + 2))
    summary = manifest.problems[-1]
    assert (summary.line, summary.reason) == (
        MAX_LISTED_PROBLEMS + 2,
        f"150 more problems on lines {MAX_LISTED_PROBLEMS + 2} to {MAX_LISTED_PROBLEMS + 151}, "
        f"not reported one by one (only the first {MAX_LISTED_PROBLEMS} are)",
    )
    one_more = parse(b"junk\n" * (MAX_LISTED_PROBLEMS + 1)).problems[-1]
    assert one_more.reason.startswith(f"1 more problem on line {MAX_LISTED_PROBLEMS + 1},")


def test_duplicates_past_the_cap_are_still_never_kept() -> None:
    # The cap limits what is reported, never what is refused.
    data = b"junk\n" * MAX_LISTED_PROBLEMS + line("a.txt") + line("a.txt", B)
    manifest = parse(data)
    assert [(e.path, e.digest) for e in manifest.entries] == [("a.txt", A)]
    assert "1 more problem on line 102" in manifest.problems[-1].reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (f"{A[:63]}  a.txt\n".encode(), "the digest has 63 hex digits, expected 64"),
        (f"{A}0  a.txt\n".encode(), "the digest has 65 hex digits, expected 64"),
        (f"{A} a.txt\n".encode(), "no two-space separator between digest and path"),
        (f"{A}\ta.txt\n".encode(), 'expected "<64 hex>  <path>"'),
        (f"{'g' * 64}  a.txt\n".encode(), "the digest is not 64 hex digits"),
        (f"{A}  \n".encode(), "no path after the digest"),
        (b"\n", "empty line"),
        (b"SHA256 (a.txt) = " + A.encode() + b"\n", "a BSD-style line in a GNU-style manifest"),
        (f"{A}  a\\b\n".encode(), "a backslash or CR in a name must be escaped"),
        (f"\\{A}  a\\qb\n".encode(), "unknown escape"),
        (f"{A}  ".encode() + b"\xff\xfe\n", "the path is not UTF-8"),
    ],
)
def test_malformed_lines_are_reported_with_their_line_number(data: bytes, reason: str) -> None:
    manifest = parse(line("first.txt") + data + line("last.txt"))
    assert [e.path for e in manifest.entries] == ["first.txt", "last.txt"]
    assert len(manifest.problems) == 1
    assert manifest.problems[0].line == 2
    assert manifest.problems[0].reason.startswith(reason)


def test_duplicate_paths_are_reported_and_the_first_kept() -> None:
    manifest = parse(line("a.txt", A) + line("b.txt") + line("a.txt", B))
    assert reasons(line("a.txt", A) + line("b.txt") + line("a.txt", B)) == [
        (3, "'a.txt' is listed twice (first on line 1)")
    ]
    kept = manifest.get("a.txt")
    assert kept is not None and kept.digest == A


def test_names_differing_only_by_unicode_normalisation_are_reported() -> None:
    nfc, nfd = "caf\u00e9.txt", "cafe\u0301.txt"
    assert reasons(line(nfc) + line(nfd)) == [
        (2, f"{nfd!r} differs from {nfc!r} (line 1) only by Unicode normalisation")
    ]


def test_a_lone_non_nfc_name_is_reported_but_kept() -> None:
    nfd = "cafe\u0301.txt"
    manifest = parse(line(nfd))
    assert [e.path for e in manifest.entries] == [nfd]
    assert reasons(line(nfd)) == [(1, f"the name {nfd!r} is not in Unicode NFC")]


def test_byte_order_mark_is_reported_on_line_one_and_skipped() -> None:
    manifest = parse(b"\xef\xbb\xbf" + line("a"))
    assert [e.path for e in manifest.entries] == ["a"]
    assert reasons(b"\xef\xbb\xbf" + line("a")) == [
        (1, "the manifest starts with a byte order mark")
    ]


def test_crlf_is_reported_once_with_a_count_and_the_cr_dropped() -> None:
    data = (line("a") + line("b") + line("c")).replace(b"\n", b"\r\n")
    manifest = parse(data)
    assert [e.path for e in manifest.entries] == ["a", "b", "c"]
    assert reasons(data) == [(1, "CR LF line end (SHA256SUMS uses LF), and on 2 more lines")]


def test_the_manifest_listing_itself_or_its_signature_is_reported() -> None:
    assert [r for _, r in reasons(line("SHA256SUMS") + line("SHA256SUMS.sig"))] == [
        "the manifest lists the seal's own SHA256SUMS",
        "the manifest lists the seal's own SHA256SUMS.sig",
    ]


def test_the_other_manifest_of_the_seal_and_its_signature_are_never_entries() -> None:
    # SHA256SUMS and SHA512SUMS of one folder are each checked with their own signature:
    # one listing the other would hold a file to digests that change when the other is
    # re-made (what `sha512sum * > SHA512SUMS` after `sha256sum * > SHA256SUMS` writes).
    assert [r for _, r in reasons(line("SHA512SUMS") + line("sub/SHA512SUMS.sig"))] == [
        "the manifest lists the seal's own SHA512SUMS"
    ]


def test_unsafe_paths_parse_as_entries_for_the_caller_to_refuse() -> None:
    manifest = parse(line("../../etc/passwd") + line("/etc/shadow"))
    assert [e.path for e in manifest.entries] == ["../../etc/passwd", "/etc/shadow"]


# -- looking entries up -----------------------------------------------------------------------


def test_get_finds_each_claimed_path_after_the_table_grows() -> None:
    # A thousand names: the table starts at 8 slots, so it grows and probes past collisions.
    paths = [f"d{i % 7}/f{i}.txt" for i in range(1000)]
    manifest = parse(b"".join(line(path, f"{i:064x}") for i, path in enumerate(paths)))
    assert len(manifest) == 1000 and not manifest.problems
    for i, path in enumerate(paths):
        assert manifest.get(path) == Entry(path, f"{i:064x}", i + 1)
        assert path in manifest
    assert manifest.get("d0/f1.txt") is None and "f0.txt" not in manifest
    assert [e.path for e in manifest] == paths


def test_get_reads_back_escaped_crlf_bom_and_unterminated_lines() -> None:
    data = (
        b"\xef\xbb\xbf"
        + f"\\{A}  a\\nb\r\n".encode()
        + f"\\{B} *c\\\\d\r\n".encode()
        + f"{A}  last".encode()
    )
    manifest = parse(data)
    assert [p.line for p in manifest.problems] == [1, 1]  # The BOM, then CR LF (counted).
    assert manifest.get("a\nb") == Entry("a\nb", A, 1)
    assert manifest.get("c\\d") == Entry("c\\d", B, 2)
    assert manifest.get("last") == Entry("last", A, 3)
    assert manifest.entries == (Entry("a\nb", A, 1), Entry("c\\d", B, 2), Entry("last", A, 3))


def test_get_matches_the_claimed_name_exactly_not_its_nfc_form() -> None:
    nfc, nfd = "caf\u00e9.txt", "cafe\u0301.txt"
    manifest = parse(line(nfd))
    assert manifest.get(nfd) == Entry(nfd, A, 1)
    assert manifest.get(nfc) is None and nfc not in manifest
    assert parse(line(nfc)).get(nfd) is None


def test_an_empty_manifest_has_no_entries() -> None:
    manifest = parse(b"")
    assert len(manifest) == 0 and manifest.entries == () and manifest.get("a") is None


def test_parse_never_raises_on_arbitrary_bytes() -> None:
    for data in [b"\x00" * 100, b"\\" * 70, b"\r\r\n\n", bytes(range(256)), b"\\" + A.encode()]:
        parse(data)


# -- path safety ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/etc/passwd", "the path is absolute"),
        ("..", "the path holds '..'"),
        ("a/../../b", "the path holds '..'"),
        ("a//b", "the path is not in normal form (empty or '.' component)"),
        ("./a", "the path is not in normal form (empty or '.' component)"),
        ("a/", "the path is not in normal form (empty or '.' component)"),
        ("", "the path is empty"),
        ("a\x00", "the path holds a NUL byte"),
    ],
)
def test_path_problem_names_each_danger(path: str, problem: str) -> None:
    assert path_problem(path) == problem


@pytest.mark.parametrize("path", ["a.txt", "docs/a.txt", "..hidden", "a..b/c", "-rf", "a\\..\\b"])
def test_safe_paths(path: str) -> None:
    assert path_problem(path) is None


# BSD (`sha256sum --tag`, signify) and SHA-512 forms (issue 18 item 5).

B512 = "b" * 128


def test_bsd_lines_are_read_and_the_form_detected() -> None:
    data = f"SHA256 (a.txt) = {A}\nSHA256 (docs/b c.md) = {A.upper()}\n".encode()
    manifest = parse(data)
    assert manifest.form.bsd and not manifest.problems
    assert [(e.path, e.digest, e.line) for e in manifest] == [
        ("a.txt", A, 1),
        ("docs/b c.md", A, 2),
    ]


def test_a_bsd_name_holding_the_separator_reads_up_to_the_last_one() -> None:
    manifest = parse(f"SHA256 (odd) = (x)) = {A}\n".encode())
    assert [e.path for e in manifest] == ["odd) = (x)"]


def test_an_escaped_bsd_line_reads_like_coreutils_writes_it() -> None:
    manifest = parse(f"\\SHA256 (new\\nline) = {A}\n".encode())
    assert [e.path for e in manifest] == ["new\nline"] and not manifest.problems


def test_sha512_lines_in_both_forms() -> None:
    gnu = parse(f"{B512}  a.txt\n".encode(), "sha512")
    bsd = parse(f"SHA512 (a.txt) = {B512}\n".encode(), "sha512")
    assert [e.digest for e in gnu] == [e.digest for e in bsd] == [B512]
    assert (gnu.form.algorithm, gnu.form.bsd, bsd.form.bsd) == ("sha512", False, True)


@pytest.mark.parametrize(
    ("data", "algorithm", "reason"),
    [
        (f"SHA512 (a.txt) = {B512}\n", "sha256", "a SHA512 line in a SHA256 manifest"),
        (f"MD5 (a.txt) = {A[:32]}\n", "sha256", "a MD5 line in a SHA256 manifest"),
        (f"{B512}  a.txt\n", "sha256", "the digest has 128 hex digits, expected 64"),
        (f"{A}  a.txt\n", "sha512", "the digest has 64 hex digits, expected 128"),
        (f"SHA256 (a.txt) = {A[:-1]}\n", "sha256", "the digest is not 64 hex digits"),
        (f"SHA256 (a.txt) {A}\n", "sha256", 'expected "SHA256 (<path>) = <hex>"'),
        (f"SHA256 () = {A}\n", "sha256", "no path between the parentheses"),
    ],
)
def test_bad_bsd_and_sha512_lines_name_their_problem(
    data: str, algorithm: str, reason: str
) -> None:
    manifest = parse(data.encode(), algorithm)
    assert not manifest.entries
    assert [(p.line, p.reason) for p in manifest.problems] == [(1, reason)]


def test_a_file_mixing_forms_is_refused_line_by_line_after_the_first_form() -> None:
    data = f"SHA256 (a.txt) = {A}\n{A}  b.txt\nSHA256 (c.txt) = {A}\n".encode()
    manifest = parse(data)
    assert [e.path for e in manifest] == ["a.txt", "c.txt"]
    assert [(p.line, p.reason) for p in manifest.problems] == [
        (
            2,
            "a GNU-style line in a BSD-style manifest (line 1 is BSD-style): "
            "formats may not be mixed",
        )
    ]


def test_the_first_entry_decides_the_form_even_after_a_bad_line() -> None:
    manifest = parse(f"garbage\n{A}  a.txt\nSHA256 (b.txt) = {A}\n".encode())
    assert not manifest.form.bsd
    assert [p.line for p in manifest.problems] == [1, 3]


def test_duplicates_and_unsafe_paths_are_judged_alike_in_the_bsd_form() -> None:
    manifest = parse(f"SHA256 (a.txt) = {A}\nSHA256 (a.txt) = {A}\n".encode())
    assert [p.reason for p in manifest.problems] == ["'a.txt' is listed twice (first on line 1)"]
    assert path_problem(parse(f"SHA256 (../x) = {A}\n".encode()).entries[0].path)
