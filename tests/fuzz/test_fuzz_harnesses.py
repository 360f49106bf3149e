"""Fuzz harnesses for the readers of untrusted bytes.

Each harness states what must hold for *any* input, not just for well-formed ones:

* ``parse``: never raises; the spans tile the input; ``check_bytes`` gives one verdict and
  never raises; the footer search stays within its window; the plain-footer search the
  engine tries first finds nothing or what the general search finds;
* SSHSIG ``parse``: raises only :class:`InputError`; what it accepts re-encodes to itself;
* allowed_signers: raises only :class:`InputError`, whose message names the line;
* revoked keys (``revoked``: a key list; ``krl``: an OpenSSH KRL): raise only
  :class:`InputError`, whose message names the file; what is read is blobs and digests of
  the right sizes;
* SHA256SUMS ``parse``: never raises; every problem names a line that exists; entries are
  unique and their paths unescape back from what :func:`format_line` writes;
* BagIt tag files (``bagit.parse_manifest``, ``parse_declaration``, ``parse_bag_info``):
  never raise; every problem names a line that exists; every entry kept is a safe path, below
  ``data/`` in a payload manifest, and re-encodes to a line that reads back to it;
* archives (``tar``, ``tar.gz``, ``zip``): :func:`check_archive` never raises and gives only
  results; anything refused whole is one ``unreadable`` result on the archive; its peak
  memory stays under :data:`ARCHIVE_PEAK` (member caps of 1 MiB, 4 MiB in all).
* provenance records (``record.parse``): raise only :class:`InputError`; what they accept
  is the one byte form of the record (:func:`record.dump` gives the input back);
* the C2PA text-credential wrapper (``c2pa.find_wrapper``, ``c2pa.decode``): never raises;
  a wrapper found starts with the marker and magic, ends where it was asked to and decodes
  to its magic; the article before it parses as any text does.

Inputs mix raw bytes with mutations of valid documents (a real footer, signature, trust line
or manifest with bytes flipped, cut or spliced), which reach far deeper than random bytes.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import os
import random
import tempfile
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance import bagit, c2pa, cbor, jumbf, manifest, record, sshsig
from provenance.allowed_signers import parse_allowed_signers
from provenance.archive import check_archive
from provenance.errors import InputError
from provenance.keys import load_private_key, public_key_from_blob
from provenance.model import Document, NotText, Verdict
from provenance.options import VerifyOptions
from provenance.parsing import FooterSearch, general_footer_search, parse, plain_footer
from provenance.recorded import make_record
from provenance.revoked import parse_revoked
from provenance.verify import check_bytes
from tests.conftest import FRAGMENTS, article
from tests.craft import END, ZipEntry, gnu_long_name, pax_header, tar_header, tar_member, zip_bytes
from tests.sshcraft import krl, raw_section, s, section

pytestmark = pytest.mark.fuzz
T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
REGRESSIONS = Path(__file__).resolve().parent / "regressions"
VECTORS = ROOT / "fixtures" / "sshsig"

SEED_ARTICLE = article().data(trailer="\nAppeared in print.")
#: An article that ends the plain way, so that mutations reach the engine's plain lane.
SEED_PLAIN = article().data()
SEED_SIGNATURE = (VECTORS / "ed25519.sig").read_bytes()
#: Seeds of other key types, so that mutations reach the RSA and ECDSA key readers.
MORE_SIGNATURES = [(VECTORS / f"{name}.sig").read_bytes() for name in ("rsa-sha512", "ecdsa-p256")]
SEED_SIGNERS = (
    b'"alice@example.com,*@team.example" namespaces="file",valid-after="20200101" '
    + (VECTORS / "ed25519.pub").read_bytes().rstrip(b"\n")
    + b"\n# comment\n\n"
)
SEED_REVOKED = b"# retired keys\n\n" + (VECTORS / "ed25519.pub").read_bytes()
_SEED_BLOB = public_key_from_blob(
    base64.b64decode((VECTORS / "ed25519.pub").read_bytes().split()[1])
).blob
#: A KRL with every section and certificate subsection kind OpenSSH writes.
SEED_KRL = krl(
    [
        section(2, _SEED_BLOB),
        section(3, bytes(20)),
        section(5, bytes(32)),
        raw_section(
            1,
            s(_SEED_BLOB)
            + s(b"")
            + bytes((0x20,))
            + s(bytes(8))
            + bytes((0x21,))
            + s(bytes(16))
            + bytes((0x22,))
            + s(bytes(8) + s(b"\x05"))
            + bytes((0x23,))
            + s(s(b"bob")),
        ),
        raw_section(255, s(b"x@example.com") + b"\x00" + s(b"")),
    ],
    comment=b"fuzz seed",
)
SEED_CREDENTIAL = SEED_ARTICLE + c2pa.START + c2pa.encode(b"\x01\x00\x00\x00\x08manifest")
#: A signed manifest store (fixtures/c2pa), so that mutations reach every JUMBF and CBOR branch.
_SIGNED = (ROOT / "fixtures" / "c2pa" / "stamped-then-credentialed.txt").read_bytes()
SEED_STORE = c2pa.decode(_SIGNED[_SIGNED.index(c2pa.START) + len(c2pa.MARKER) :])[
    c2pa.HEADER_SIZE :
]
SEED_MANIFEST = b"%s  a.txt\n\\%s  two\\nlines.txt\n%s *b.bin\n" % (b"a" * 64, b"b" * 64, b"C" * 64)
SEED_RECORD = make_record(
    SEED_ARTICLE,
    load_private_key(VECTORS / "ed25519"),
    now=datetime(2026, 3, 1, tzinfo=UTC),
    note="Corrects the date.",
)
SEED_BAG_MANIFEST = b"%s  data/a.txt\r\n%s\tdata/two%%0Alines%%25.txt\n%s  data/b.bin\n" % (
    b"a" * 64,
    b"b" * 64,
    b"C" * 64,
)
#: A tar with every kind of header the walker reads: pax, GNU long name, folder, links.
SEED_TAR = (
    tar_header("docs/", kind=b"5")
    + pax_header({"path": "docs/" + "p" * 120 + ".txt", "mtime": "1.5"})
    + tar_member("docs/" + "p" * 95, SEED_ARTICLE)
    + gnu_long_name("docs/" + "l" * 120 + ".md")
    + tar_member("docs/" + "l" * 95, b"not an article", magic=b"ustar  \0")
    + tar_member("link.txt", kind=b"2", link="docs/a.txt")
    + tar_member("a.txt", SEED_ARTICLE)
    + END
)
#: A zip with a stored, a deflated and a data-descriptor entry, a folder and a link.
SEED_ZIP = zip_bytes(
    [
        ZipEntry(b"a.txt", SEED_ARTICLE),
        ZipEntry(b"docs/", b"", external_attr=0o40755 << 16),
        ZipEntry(b"docs/b.txt", SEED_ARTICLE, method=8, descriptor=True),
        ZipEntry(b"link.txt", b"a.txt", create_system=0, external_attr=0o120777 << 16),
    ]
)
#: The most a fuzzed archive may allocate while it is checked (member caps: 1 MiB).
ARCHIVE_PEAK = 24 << 20


_ACTIONS = ("flip", "drop", "insert", "cut", "dup")


def _mutate(
    seed: bytes,
    integer: Callable[[int, int], int],
    action: Callable[[], str],
    blob: Callable[[], bytes],
) -> bytes:
    """``seed`` with up to 8 bytes flipped, dropped, inserted, duplicated or the tail cut off;
    the choices come from ``integer(low, high)``, ``action()`` and ``blob()`` (1 to 8 bytes)."""
    data = bytearray(seed)
    for _ in range(integer(0, 8)):
        if not data:
            break
        at = integer(0, len(data) - 1)
        chosen = action()
        if chosen == "flip":
            data[at] = integer(0, 255)
        elif chosen == "drop":
            del data[at]
        elif chosen == "insert":
            data[at:at] = blob()
        elif chosen == "cut":
            del data[at:]
        else:
            data[at:at] = data[at : at + integer(1, 64)]
    return bytes(data)


def mutated(seed: bytes) -> st.SearchStrategy[bytes]:
    """``seed`` with bytes flipped, dropped, inserted or the tail cut off (hypothesis draws
    every choice, so a failing input shrinks)."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        return _mutate(
            seed,
            lambda low, high: draw(st.integers(low, high)),
            lambda: draw(st.sampled_from(_ACTIONS)),
            lambda: draw(st.binary(min_size=1, max_size=8)),
        )

    return build()


def locally_mutated(seed: bytes, rng: random.Random) -> bytes:
    """:func:`mutated`'s mutations, with the choices made by ``rng``: about a hundredth of
    what hypothesis spends drawing them one by one."""
    return _mutate(
        seed, rng.randint, lambda: rng.choice(_ACTIONS), lambda: rng.randbytes(rng.randint(1, 8))
    )


#: With :func:`with_local_mutations`, each hypothesis example checks this many more inputs.
LOCAL_MUTATIONS = 19


def with_local_mutations(
    seed: bytes, check: Callable[[bytes], None]
) -> Callable[[tuple[bytes, int]], None]:
    """``check`` on a hypothesis input, then on :data:`LOCAL_MUTATIONS` mutations of ``seed``
    made from the drawn integer. A failing mutation is named in the error (to save under
    ``regressions/``): hypothesis can shrink the integer, not the bytes it makes."""

    def holds(example: tuple[bytes, int]) -> None:
        data, key = example
        check(data)
        rng = random.Random(key)
        for _ in range(LOCAL_MUTATIONS):
            variant = locally_mutated(seed, rng)
            try:
                check(variant)
            except Exception as exc:
                exc.add_note(f"failing input (a local mutation of the seed): {variant!r}")
                raise

    return holds


def inputs(seed: bytes) -> st.SearchStrategy[bytes]:
    pieces = st.sampled_from([f.encode() for f in FRAGMENTS]) | st.binary(max_size=8)
    spliced = st.lists(pieces, max_size=30).map(b"".join)
    return st.one_of(st.binary(max_size=512), mutated(seed), spliced)


def run(examples: int, strategy: st.SearchStrategy[T], check: Callable[[T], None]) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def harness(data: T) -> None:
        check(data)

    harness()


# -- what must hold -------------------------------------------------------------------------------


def parse_holds(data: bytes) -> None:
    doc = parse(data)
    if isinstance(doc, NotText):
        assert check_bytes(data).verdict is Verdict.UNREADABLE
        return
    assert isinstance(doc, Document)
    assert b"".join(data[s.start : s.end] for s in doc.spans) == data
    assert all(a.end == b.start for a, b in zip(doc.spans, doc.spans[1:], strict=False))
    result = check_bytes(data)
    assert result.verdict in Verdict
    if doc.copyright is None:
        assert result.verdict is Verdict.NO_FOOTER
    plain = plain_footer(data)
    assert plain is None or general_footer_search(data) == FooterSearch(plain)


def sshsig_holds(data: bytes) -> None:
    try:
        decoded = sshsig.parse(data)
    except InputError as exc:
        assert exc.message
        return
    assert sshsig.parse(sshsig.dump(decoded)) == decoded
    # The key inside goes on to the key reader: it too may only refuse with InputError.
    try:
        public_key_from_blob(decoded.public_key)
    except InputError as exc:
        assert exc.message


def allowed_signers_holds(data: bytes) -> None:
    try:
        signers = parse_allowed_signers(data, "fuzz")
    except InputError as exc:
        assert exc.message.startswith("fuzz:")
        return
    for entry in signers.entries:
        assert entry.principals and entry.line >= 1


def revoked_holds(data: bytes) -> None:
    try:
        revoked = parse_revoked(data, "fuzz")
    except InputError as exc:
        assert exc.message.startswith("fuzz")
        return
    assert all(len(digest) == 20 for digest in revoked.sha1)
    assert all(len(digest) == 32 for digest in revoked.sha256)
    assert all(revoked.blobs)


def manifest_holds(data: bytes) -> None:
    parsed = manifest.parse(data)
    lines = data.count(b"\n") + 1
    assert all(1 <= problem.line <= lines for problem in parsed.problems)
    paths = [entry.path for entry in parsed.entries]
    assert len(paths) == len(set(paths))
    assert len(parsed) == len(paths)
    for entry in parsed.entries:
        assert parsed.get(entry.path) == entry
        assert len(entry.digest) == 64 and entry.digest == entry.digest.lower()
        written = manifest.format_line(entry.path, entry.digest).encode()
        (again,) = manifest.parse(written).entries
        assert again.path == entry.path


def bagit_holds(data: bytes) -> None:
    lines = len(data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"))
    for name in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        parsed = bagit.parse_manifest(name, data)
        assert all(p.line is None or 1 <= p.line <= lines for p in parsed.problems)
        for path, entry in parsed.entries.items():
            assert manifest.path_problem(path) is None
            assert path.startswith(bagit.PAYLOAD) != parsed.tag
            line = bagit.dump_manifest([(path, entry.digest)])
            assert list(bagit.parse_manifest(name, line).entries) == [path]
    _, problems = bagit.parse_declaration(data)
    assert all(p.line is None or 1 <= p.line <= lines for p in problems)
    info = bagit.parse_bag_info(data)
    assert info.oxum is None or min(info.oxum) >= 0


#: The archive harnesses, by the file suffix their inputs are checked under.
ARCHIVES = ("tar", "tar.gz", "zip")


def archive_holds(suffix: str) -> Callable[[bytes], None]:
    def holds(data: bytes) -> None:
        fd, name = tempfile.mkstemp(suffix=suffix, prefix="provenance-fuzz-")
        path = Path(name)
        tracemalloc.start()
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            found = check_archive(
                path, VerifyOptions(max_member_size=1 << 20), max_total_size=4 << 20
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            path.unlink()
        assert peak < ARCHIVE_PEAK, peak
        assert found.path == str(path)
        own = [r for r in found.results if r.path == str(path)]
        assert len(own) <= 1
        assert all(r.verdict is Verdict.UNREADABLE for r in own)
        assert all(r.verdict in Verdict and r.detail for r in found.results)

    return holds


def record_holds(data: bytes) -> None:
    try:
        parsed = record.parse(data)
    except InputError as exc:
        assert exc.message
        return
    assert record.dump(parsed) == data


def c2pa_holds(data: bytes) -> None:
    for end in (len(data), len(data) // 2):
        found = c2pa.find_wrapper(data, end)
        if found is None:
            continue
        assert found.end == end and data.startswith(c2pa.START, found.start)
        decoded = c2pa.decode(data[found.start + len(c2pa.MARKER) : found.end])
        assert decoded is not None and decoded.startswith(c2pa.MAGIC)
        assert found.payload_size == max(0, len(decoded) - c2pa.HEADER_SIZE)
    decoded = c2pa.decode(data)
    assert decoded is None or c2pa.encode(decoded) == data
    parse_holds(data)


def store_holds(data: bytes) -> None:
    """The JUMBF and CBOR readers raise their own error or nothing, whatever the bytes."""
    try:
        manifest_ = jumbf.read_store(data)
    except jumbf.JumbfError:
        manifest_ = None
    assert manifest_ is None or isinstance(manifest_.data_hash, dict)
    with contextlib.suppress(cbor.CborError):
        cbor.loads(data)


HARNESSES: dict[str, tuple[bytes, Callable[[bytes], None]]] = {
    "c2pa": (SEED_CREDENTIAL, c2pa_holds),
    "c2pa-store": (SEED_STORE, store_holds),
    "parse": (SEED_ARTICLE, parse_holds),
    "plain-footer": (SEED_PLAIN, parse_holds),
    "sshsig": (SEED_SIGNATURE, sshsig_holds),
    "allowed_signers": (SEED_SIGNERS, allowed_signers_holds),
    "revoked": (SEED_REVOKED, revoked_holds),
    "krl": (SEED_KRL, revoked_holds),
    "manifest": (SEED_MANIFEST, manifest_holds),
    "record": (SEED_RECORD, record_holds),
    "bagit": (SEED_BAG_MANIFEST, bagit_holds),
    "tar": (SEED_TAR, archive_holds(".tar")),
    "tar.gz": (gzip.compress(SEED_TAR, mtime=0), archive_holds(".tar.gz")),
    "zip": (SEED_ZIP, archive_holds(".zip")),
}


def test_seeds_are_valid(tmp_path: Path) -> None:
    assert check_bytes(SEED_ARTICLE).verdict is Verdict.OK
    assert plain_footer(SEED_PLAIN) is not None
    assert check_bytes(SEED_CREDENTIAL).verdict is Verdict.OK
    assert c2pa.find_wrapper(SEED_CREDENTIAL) is not None
    assert jumbf.read_store(SEED_STORE).data_hash["alg"] == "sha256"
    assert sshsig.parse(SEED_SIGNATURE).namespace == "file"
    assert len(parse_allowed_signers(SEED_SIGNERS).entries) == 1
    assert len(parse_revoked(SEED_REVOKED).blobs) == 1
    assert len(parse_revoked(SEED_KRL).blobs) == 1
    assert not manifest.parse(SEED_MANIFEST).problems
    assert record.parse(SEED_RECORD).statement.note == "Corrects the date."
    assert not bagit.parse_manifest("manifest-sha256.txt", SEED_BAG_MANIFEST).problems
    for name in ARCHIVES:
        path = tmp_path / f"seed.{name}"
        path.write_bytes(HARNESSES[name][0])
        results = check_archive(path).results
        assert Verdict.OK in {r.verdict for r in results}, results
        assert {r.detail for r in results if r.verdict is Verdict.UNREADABLE} == {
            "symbolic link to 'docs/a.txt': never followed"
            if name != "zip"
            else "symbolic link to 'a.txt': never followed"
        }


@pytest.mark.parametrize("name", sorted(HARNESSES))
def test_fuzz(name: str, examples: int) -> None:
    seed, check = HARNESSES[name]
    strategy = inputs(seed)
    if name in ARCHIVES:
        # Each input is written to a file and checked whole: a fifth of the budget costs
        # about what the other harnesses do.
        examples = max(40, examples // 5)
    if name == "c2pa-store":
        # Its seed is a whole signed store (9 KB): hypothesis spends about 8 ms generating
        # each mutation of it, so the short run's 15,000 took over 2 minutes alone. A
        # twentieth keeps it to seconds; the long run still tries 10,000.
        examples = max(40, examples // 20)
    if name == "sshsig":
        strategy = strategy | st.sampled_from(MORE_SIGNATURES).flatmap(mutated)
    if name == "c2pa":
        # Its check costs about 0.3 ms an input, but hypothesis spends about 6 ms drawing
        # each mutation of the seed (the short run's 15,000 took 98 s, 5 of them checking).
        # Each example is one drawn input plus LOCAL_MUTATIONS mutations of the credential
        # made by a seeded PRNG: as many inputs are checked, more of them hold a wrapper, in
        # a twentieth of the time.
        checked = with_local_mutations(seed, check)
        per_example = LOCAL_MUTATIONS + 1
        run(
            max(40, examples // per_example),
            st.tuples(strategy, st.integers(0, 2**64 - 1)),
            checked,
        )
        return
    run(examples, strategy, check)


REGRESSION_INPUTS = sorted(REGRESSIONS.glob("*/*.bin"))


@pytest.mark.parametrize(
    "path", REGRESSION_INPUTS, ids=[f"{p.parent.name}/{p.stem}" for p in REGRESSION_INPUTS]
)
def test_regression_input(path: Path) -> None:
    HARNESSES[path.parent.name][1](path.read_bytes())


@pytest.mark.parametrize("document", ["README.md", ".ci/run"])
def test_the_short_fuzz_run_names_the_real_number_of_harnesses(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    [line] = [line for line in text.splitlines() if "harnesses" in line and "fuzz" in line]
    assert f"a few minutes: {len(HARNESSES)} harnesses" in line


def test_local_mutations_vary_the_seed_and_name_a_failing_input() -> None:
    rng = random.Random(7)
    variants = {locally_mutated(SEED_CREDENTIAL, rng) for _ in range(200)}
    assert len(variants) > 150
    assert sum(c2pa.find_wrapper(v) is not None for v in variants) > 20

    def holds(data: bytes) -> None:
        assert data == SEED_CREDENTIAL

    with pytest.raises(AssertionError) as caught:
        with_local_mutations(SEED_CREDENTIAL, holds)((SEED_CREDENTIAL, 7))
    assert "failing input (a local mutation of the seed): b" in "".join(caught.value.__notes__)
