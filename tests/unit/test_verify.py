"""provenance.verify: one verdict per file, folder walks, publisher-token inference."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from conftest import BAD, BODY, DOW_JONES, GOOD, article, deep_chain, md5_hex, notice, write

from provenance.cli import exit_status
from provenance.errors import InputError, VerificationError
from provenance.model import Algorithm, Canonicalization, Result, Verdict
from provenance.tokens import TokenRegistry
from provenance.verify import (
    SealedFolder,
    VerifyOptions,
    check_bytes,
    check_file,
    check_paths,
    infer_publisher_tokens,
    iter_entries,
    iter_targets,
    verify_file,
)
from tests.conftest import file_report


def test_ok_reports_both_digests() -> None:
    art = article()
    result = check_bytes(art.data(), "a.txt")
    assert result.verdict is Verdict.OK
    assert result.expected == result.actual == art.digest
    assert result.algorithm is Algorithm.MD5
    assert result.trailer is None and result.line == 6


def test_sha256_ok() -> None:
    art = article(algorithm="sha256")
    result = check_bytes(art.data())
    assert (result.verdict, result.algorithm) == (Verdict.OK, Algorithm.SHA256)


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace("twice a day", "three times a day"),
        lambda t: t.replace("Example News, Inc.", "Sample News, Inc."),
        lambda t: t.replace("©2022", "©2023"),
        lambda t: t.replace("Monday.", "Monday!"),
        lambda t: t.replace("Jane Roe", "Jane Doe"),
        lambda t: t.replace("ann.lee@example.com", "ann.lee@example.org"),
    ],
    ids=["word", "holder", "year", "punctuation", "contributor", "contact"],
)
def test_any_edit_of_covered_text_is_a_mismatch(edit: object) -> None:
    art = article()
    tampered = edit(art.text())  # type: ignore[operator]
    assert tampered != art.text()
    result = check_bytes(tampered.encode())
    assert result.verdict is Verdict.MISMATCH
    assert result.expected == art.digest
    assert result.actual == md5_hex(edit(art.covered))  # type: ignore[operator]
    assert result.detail == f"expected {art.digest}, computed {result.actual}"


@pytest.mark.parametrize(
    "transport",
    [
        lambda t: t.replace("\n", "\r\n"),
        lambda t: t.replace("\n", "\r"),
        lambda t: "\ufeff" + t,
        lambda t: unicodedata.normalize("NFD", t),
        lambda t: t.replace("\n", " \t \n"),
        lambda t: t.rstrip("\n"),
        lambda t: t + "\n\n",
        lambda t: t + " \n" * 5000,
    ],
    ids=[
        "crlf",
        "cr",
        "bom",
        "nfd",
        "trailing-blanks",
        "no-final-newline",
        "extra-blank-lines",
        "blank-padding",
    ],
)
def test_transport_changes_keep_ok(transport: object) -> None:
    art = article()
    changed = transport(art.text())  # type: ignore[operator]
    assert changed != art.text()
    result = check_bytes(changed.encode())
    assert result.verdict is Verdict.OK, result.detail
    assert result.actual == art.digest


def test_simple_canonicalization_takes_bytes_as_they_are() -> None:
    art = article()
    crlf = art.text().replace("\n", "\r\n").encode()
    simple = check_bytes(crlf, canonicalization=Canonicalization.SIMPLE)
    assert simple.verdict is Verdict.MISMATCH
    assert simple.canonicalization is Canonicalization.SIMPLE
    assert check_bytes(art.data(), canonicalization=Canonicalization.SIMPLE).verdict is Verdict.OK


@pytest.mark.parametrize("gap", ["\n", "\t", "   ", "\r\n"])
def test_gap_between_notice_and_token_is_not_covered(gap: str) -> None:
    assert check_bytes(article().data(gap=gap)).verdict is Verdict.OK


def test_trailer_is_reported_not_covered() -> None:
    art = article()
    result = check_bytes(art.data(trailer="\nAppeared in print as 'Ferry'."))
    assert result.verdict is Verdict.OK
    assert result.trailer == "Appeared in print as 'Ferry'."
    assert not result.failed() and result.failed(strict=True)


def test_publisher_token_is_unverifiable_never_mismatch() -> None:
    data = f"{BODY}\n{notice(holder='Dow Jones & Company, Inc.')} {DOW_JONES}\n".encode()
    result = check_bytes(data)
    assert result.verdict is Verdict.UNVERIFIABLE
    assert result.publisher is not None and result.publisher.startswith("Dow Jones")
    assert result.expected == DOW_JONES and result.actual is None


def test_user_publisher_token() -> None:
    art = article()
    tampered = art.text().replace("twice", "thrice").encode()
    tokens = TokenRegistry({art.digest: "Example Wire"})
    result = check_bytes(tampered, tokens=tokens)
    assert (result.verdict, result.publisher) == (Verdict.UNVERIFIABLE, "Example Wire")


@pytest.mark.parametrize(
    ("data", "verdict", "detail"),
    [
        (b"", Verdict.NO_FOOTER, "empty file"),
        (b"Just a story.\n", Verdict.NO_FOOTER, "no copyright notice at the end"),
        (
            (article().covered + "\n").encode(),
            Verdict.NO_FOOTER,
            "the copyright notice has no fingerprint after it",
        ),
        (b"A\x00B", Verdict.UNREADABLE, "binary data (NUL byte at offset 1)"),
        (
            b"caf\xe9",
            Verdict.UNREADABLE,
            "not UTF-8 (invalid byte at offset 3); it looks like ISO-8859-1 (Latin-1): "
            "convert it with 'iconv -f ISO-8859-1 -t UTF-8'",
        ),
        # Part UTF-8 (the dash): converting it whole would garble that part, so no hint.
        (b"caf\xe9 \xe2\x80\x94", Verdict.UNREADABLE, "not UTF-8 (invalid byte at offset 3)"),
    ],
)
def test_other_verdicts(data: bytes, verdict: Verdict, detail: str) -> None:
    result = check_bytes(data)
    assert (result.verdict, result.detail) == (verdict, detail)


@pytest.mark.parametrize(
    "token",
    [
        "D41D8CD98F00B204E9800998ECF8427E",
        "d41d8cd98f00b204e9800998ecf8427",
        "d41d8cd98f00b204e9800998ecf842zz",
        "d41d8cd98f00b204e9800998ecf8427eAppeared",
    ],
)
def test_malformed(token: str) -> None:
    result = check_bytes(f"{article().covered} {token}\n".encode())
    assert result.verdict is Verdict.MALFORMED
    assert result.expected == token and result.actual is None


@pytest.mark.parametrize("path", sorted(GOOD.iterdir()), ids=lambda p: p.name)
def test_good_fixtures_pass_strict(path: Path) -> None:
    result = verify_file(path, strict=True)
    assert result.verdict is Verdict.OK


EXPECTED_BAD = {
    "binary.txt": Verdict.UNREADABLE,
    "empty.txt": Verdict.NO_FOOTER,
    "malformed-hex-characters.txt": Verdict.MALFORMED,
    "malformed-hex-short.txt": Verdict.MALFORMED,
    "malformed-hex-uppercase.txt": Verdict.MALFORMED,
    "no-footer.txt": Verdict.NO_FOOTER,
    "not-utf8.txt": Verdict.UNREADABLE,
    "notice-without-fingerprint.txt": Verdict.NO_FOOTER,
    "publisher-token.txt": Verdict.UNVERIFIABLE,
    "tampered-holder.txt": Verdict.MISMATCH,
    "tampered-word.txt": Verdict.MISMATCH,
    "tampered-year.txt": Verdict.MISMATCH,
    "trailer-next-line.txt": Verdict.OK,
    "trailer-same-line.txt": Verdict.OK,
}


def test_bad_fixtures_fail_under_strict() -> None:
    results = check_paths([str(BAD)])
    assert {Path(r.path).name: r.verdict for r in results} == EXPECTED_BAD
    assert all(r.failed(strict=True) for r in results)
    with pytest.raises(VerificationError, match=r"tampered-word\.txt: mismatch: expected "):
        verify_file(BAD / "tampered-word.txt")


def test_check_file_io_errors_are_unreadable(tmp_path: Path) -> None:
    missing = check_file(tmp_path / "gone.txt")
    assert missing.verdict is Verdict.UNREADABLE and "cannot read" in missing.detail
    assert check_file(tmp_path).detail == "is a folder"
    shown = check_file(tmp_path / "gone.txt", display="shown.txt")
    assert shown.path == "shown.txt"


# Folder walks.


def make_tree(root: Path) -> None:
    data = article().data()
    for name in [
        "b.txt",
        "a.md",
        "noext",
        "c.json",
        "SHA256SUMS",
        "a.txt.sig",
        "sub/z.txt",
        "sub/deeper/y.txt",
        "sub/x.log",
        ".hidden.txt",
        ".git/config.txt",
        "drafts/draft.txt",
    ]:
        write(root, name, data)


def walked(paths: list[str], **options: object) -> list[str]:
    return [t.display for t in iter_targets(paths, VerifyOptions(**options))]  # type: ignore[arg-type]


def test_walk_is_sorted_recursive_and_default_selection(tmp_path: Path) -> None:
    make_tree(tmp_path)
    root = str(tmp_path)
    assert walked([root]) == [
        f"{root}/a.md",
        f"{root}/b.txt",
        f"{root}/drafts/draft.txt",
        f"{root}/noext",
        f"{root}/sub/deeper/y.txt",
        f"{root}/sub/z.txt",
    ]


def test_walk_include_and_exclude(tmp_path: Path) -> None:
    make_tree(tmp_path)
    root = str(tmp_path)
    assert walked([root], include=("*.json", "*.log")) == [f"{root}/c.json", f"{root}/sub/x.log"]
    assert walked([root], exclude=("drafts", "*.md", "sub/deeper/*")) == [
        f"{root}/b.txt",
        f"{root}/noext",
        f"{root}/sub/z.txt",
    ]
    # Manifests and signatures are never articles, even when an include asks for everything.
    assert f"{root}/SHA256SUMS" not in walked([root], include=("*",))
    assert f"{root}/a.txt.sig" not in walked([root], include=("*",))


def test_files_named_explicitly_are_always_checked(tmp_path: Path) -> None:
    make_tree(tmp_path)
    named = [str(tmp_path / n) for n in (".hidden.txt", "c.json", "SHA256SUMS", "a.txt.sig")]
    assert walked(named) == named
    # A hidden folder named on the command line is walked.
    assert walked([str(tmp_path / ".git")]) == [f"{tmp_path / '.git'}/config.txt"]


def test_symlinks_are_never_followed_in_a_walk(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "secret.txt", article().data())
    tree = tmp_path / "tree"
    write(tree, "real.txt", article().data())
    os.symlink(outside / "secret.txt", tree / "link.txt")
    os.symlink(outside, tree / "linkdir")
    assert walked([str(tree)]) == [f"{tree}/real.txt"]


def test_missing_path_raises_before_anything(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", article().data())
    with pytest.raises(InputError, match="no-such: no such file or folder") as caught:
        list(iter_targets([str(tmp_path / "a.txt"), "no-such"]))
    assert exit_status(caught.value) == 2


def test_check_paths_streams_results(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", article().data())
    write(tmp_path, "b.txt", b"No footer.\n")
    seen: list[Result] = []
    results = check_paths([str(tmp_path)], on_result=seen.append)
    assert [r.verdict for r in results] == [Verdict.OK, Verdict.NO_FOOTER]
    assert seen == results


# Inference of publisher tokens from one run.


def shared_token_files(tmp_path: Path, *, one_matches: bool) -> list[str]:
    art = article()
    first = art.data() if one_matches else art.text().replace("twice", "thrice").encode()
    second = art.text().replace("Monday", "Friday").encode()
    write(tmp_path, "a.txt", first)
    write(tmp_path, "b.txt", second)
    return [str(tmp_path)]


def test_same_token_on_differing_texts_is_unverifiable(tmp_path: Path) -> None:
    results = check_paths(shared_token_files(tmp_path, one_matches=False))
    assert [r.verdict for r in results] == [Verdict.UNVERIFIABLE, Verdict.UNVERIFIABLE]
    assert all("constant marker" in r.detail for r in results)


def test_token_that_matches_one_file_is_a_digest(tmp_path: Path) -> None:
    results = check_paths(shared_token_files(tmp_path, one_matches=True))
    assert [r.verdict for r in results] == [Verdict.OK, Verdict.MISMATCH]


def test_same_token_on_identical_texts_stays_mismatch() -> None:
    tampered = file_report("a", Verdict.MISMATCH, "", expected="1" * 32, actual="2" * 32)
    copy = file_report("b", Verdict.MISMATCH, "", expected="1" * 32, actual="2" * 32)
    assert [r.verdict for r in infer_publisher_tokens([tampered, copy])] == [Verdict.MISMATCH] * 2


def test_a_single_mismatch_is_not_inferred() -> None:
    lone = file_report("a", Verdict.MISMATCH, "", expected="1" * 32, actual="2" * 32)
    assert infer_publisher_tokens([lone]) == [lone]


# Behaviours that look wrong by the text but need a grammar decision (SPEC.md).

QUOTED_NEAR_END = [
    "The line read Copyright 1987 Northern Wireless Ltd. All rights reserved. "
    "0123456789abcdef0123456789abcdef and nothing more.\nThe court disagreed.\n",
    "Each page ended with “Copyright 1987 Northern Wireless Ltd. All rights reserved. "
    "0123456789abcdef0123456789abcdef” on it.\nThe court disagreed.\n",
]


@pytest.mark.parametrize("text", QUOTED_NEAR_END, ids=["unquoted", "curly-quotes"])
def test_notice_quoted_inside_a_line_near_the_end_is_body(text: str) -> None:
    assert check_bytes(text.encode()).verdict is Verdict.NO_FOOTER


def test_token_glued_to_the_notice_is_malformed() -> None:
    art = article()
    assert check_bytes(f"{art.covered}{art.digest}\n".encode()).verdict is Verdict.MALFORMED


def test_seal_aware_walk_stops_at_every_sealed_folder(tmp_path: Path) -> None:
    make_tree(tmp_path)
    assert [type(e) for e in iter_entries([str(tmp_path)])] == [SealedFolder]
    (tmp_path / "SHA256SUMS").unlink()
    write(tmp_path, "sub/deeper/SHA256SUMS", b"")
    (tmp_path / "drafts" / "SHA256SUMS").symlink_to(tmp_path / "nothing")
    root = str(tmp_path)
    entries = [e.path if isinstance(e, SealedFolder) else e[1] for e in iter_entries([root])]
    assert entries == [
        f"{root}/a.md",
        f"{root}/b.txt",
        f"{root}/drafts",
        f"{root}/noext",
        f"{root}/sub/deeper",
        f"{root}/sub/z.txt",
    ]
    assert [type(e) for e in iter_entries([f"{root}/sub/deeper"])] == [SealedFolder]
    # A footer-only walk still takes every file.
    assert f"{root}/sub/deeper/y.txt" in walked([root])


def test_walk_of_a_tree_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    depth = 1_200  # Deeper than Python's default recursion limit, shorter than PATH_MAX.
    with deep_chain(tmp_path / "deep", depth, article().data()) as top:
        (result,) = check_paths([str(top)])
    assert result.verdict is Verdict.OK
    assert result.path == f"{top}/" + "d/" * depth + "a.txt"
