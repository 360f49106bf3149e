"""A deterministic, seedable generator of synthetic article corpora for benchmarks.

The articles are shaped like the ones provenance checks (SPEC.md): paragraphs of
non-ASCII prose (curly quotes, dashes, accented names), a contributors line, a contacts
line and a footer whose fingerprint is computed here with a deliberately plain reference
implementation of the relaxed canonical form, independent of :mod:`provenance`. A share of
the files is written in a form that needs rewriting before hashing (CRLF line ends, NFD,
trailing spaces) and still verifies ``ok``.

Usage::

    python benchmarks/corpus.py folder /tmp/corpus-a --count 100000 --size 8400 --seed 1
    python benchmarks/corpus.py big /tmp/corpus-c/big.txt --size 1GiB --seed 1

The same arguments always give byte-identical files. No real article text is used.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import unicodedata
from collections.abc import Iterator

HOLDER = "Example News, Inc."

_PROSE = (
    "the council said on Tuesday that its budget would be reviewed by a committee of "
    "engineers before the harbour authority votes again in spring while residents asked "
    "whether the new walkway could open earlier than planned and how much the repairs "
    "will cost the city over ten years according to documents seen by reporters "
    "officials declined to comment further but promised a public meeting next month "
    "where the plan will be explained in detail to anyone who wants to attend"
)
_WORDS = tuple(_PROSE.split(" "))
# Accented names (NFC letters that have a decomposed NFD form) and a few loanwords.
_NAMES = (
    "Inès Okafor",
    "José Müller",
    "Zoë Ångström",
    "Søren Dvořák",
    "Ana Núñez",
    "Chloé Brontë",
    "Łukasz Wiśniewski",
    "Renée Côté",
    "Björn Ødegård",
    "Élodie Faure",
)
_LOANWORDS = ("café", "naïve", "résumé", "façade", "coöperate", "déjà vu", "piñata")
_FIRST = ("Ann", "Bo", "Jane", "Rafael", "Mira", "Tomás", "Ines", "Kenji")
_LAST = ("Lee", "Chen", "Roe", "Ortiz", "Haddad", "Novak", "Berg", "Sato")


def reference_canonical(covered: bytes) -> bytes:
    """The relaxed canonical form of SPEC.md 2.2, written the obvious way (no fast path)."""
    text = covered.decode("utf-8").lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines).encode("utf-8")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 22))]
    roll = rng.random()
    if roll < 0.25:
        words.insert(rng.randrange(len(words)), rng.choice(_NAMES))
    elif roll < 0.35:
        words.insert(rng.randrange(len(words)), rng.choice(_LOANWORDS))
    text = " ".join(words)
    text = text[0].upper() + text[1:]
    roll = rng.random()
    if roll < 0.2:
        return f"“{text},” said {rng.choice(_NAMES)}."
    if roll < 0.3:
        cut = text.find(" ", len(text) // 2)
        return f"{text[:cut]}—{text[cut + 1 :]}." if cut > 0 else f"{text}."
    if roll < 0.35:
        return f"{text} in 2019–{rng.randint(2020, 2024)}."
    if roll < 0.4:
        return f"{text}, the city’s engineers said."
    return f"{text}."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 6)))


def _credits(rng: random.Random) -> str:
    a, b = (f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(2))
    c = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    email = c.lower().replace(" ", ".").replace("á", "a")
    return f"—{a} and {b} contributed to this article.\nWrite to {c} at {email}@example.com"


def _notice(rng: random.Random) -> str:
    return f"Copyright ©{rng.randint(2015, 2024)} {HOLDER} All Rights Reserved."


def article_text(rng: random.Random, size: int) -> str:
    """A canonical article text (LF, NFC, no trailing blanks) of about ``size`` bytes, footer included."""
    paragraphs = [_paragraph(rng).split(".")[0].title()]  # A headline.
    length = len(paragraphs[0])
    target = max(0, size - 250)
    while length < target:
        paragraph = _paragraph(rng)
        paragraphs.append(paragraph)
        length += len(paragraph.encode("utf-8")) + 1
    return "\n".join([*paragraphs, _credits(rng), _notice(rng)])


def _damage(rng: random.Random, text: str) -> tuple[str, str]:
    """Rewrite a canonical text the way transport does: CRLF, NFD or trailing spaces."""
    kind = rng.choice(("crlf", "nfd", "trailing-spaces"))
    if kind == "crlf":
        return kind, text.replace("\n", "\r\n")
    if kind == "nfd":
        return kind, unicodedata.normalize("NFD", text)
    lines = text.split("\n")
    return kind, "\n".join(line + " " * rng.randint(0, 3) for line in lines)


def make_article(rng: random.Random, size: int, noncanonical: float) -> tuple[bytes, str]:
    """One stamped article file and the kind of text it holds ("canonical", "crlf", ...)."""
    text = article_text(rng, size)
    kind = "canonical"
    if rng.random() < noncanonical:
        kind, text = _damage(rng, text)
    covered = text.encode("utf-8")
    digest = hashlib.md5(reference_canonical(covered), usedforsecurity=False).hexdigest()
    newline = "\r\n" if kind == "crlf" else "\n"
    return covered + f" {digest}{newline}".encode("ascii"), kind


def write_folder(
    root: str, count: int, size: int, seed: int, noncanonical: float, per_folder: int = 1000
) -> dict[str, int]:
    """Write ``count`` articles under ``root`` (``per_folder`` per sub-folder); return kind counts."""
    rng = random.Random(seed)
    kinds: dict[str, int] = {}
    for index in range(count):
        folder = os.path.join(root, f"{index // per_folder:04d}")
        if index % per_folder == 0:
            os.makedirs(folder, exist_ok=True)
        data, kind = make_article(rng, size, noncanonical)
        kinds[kind] = kinds.get(kind, 0) + 1
        with open(os.path.join(folder, f"article-{index:07d}.txt"), "wb") as handle:
            handle.write(data)
    return kinds


def _big_paragraphs(rng: random.Random, size: int) -> Iterator[bytes]:
    pool = [(_paragraph(rng) + "\n").encode("utf-8") for _ in range(4096)]
    written = 0
    while written < size:
        paragraph = pool[rng.randrange(len(pool))]
        written += len(paragraph)
        yield paragraph


def write_big(path: str, size: int, seed: int) -> None:
    """Write one canonical article of about ``size`` bytes, hashing it as it is written."""
    rng = random.Random(seed)
    md5 = hashlib.md5(usedforsecurity=False)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as handle:
        buffer: list[bytes] = []
        for paragraph in _big_paragraphs(rng, size):
            buffer.append(paragraph)
            if len(buffer) >= 2048:
                chunk = b"".join(buffer)
                md5.update(chunk)
                handle.write(chunk)
                buffer.clear()
        tail = b"".join(buffer) + f"{_credits(rng)}\n{_notice(rng)}".encode()
        md5.update(tail)
        handle.write(tail + f" {md5.hexdigest()}\n".encode("ascii"))


def _size(text: str) -> int:
    units = {"kib": 1024, "mib": 1024**2, "gib": 1024**3, "kb": 1000, "mb": 1000**2, "gb": 1000**3}
    lowered = text.lower()
    for unit, factor in units.items():
        if lowered.endswith(unit):
            return int(float(lowered[: -len(unit)]) * factor)
    return int(lowered)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="mode", required=True)
    folder = sub.add_parser("folder", help="many article files in sub-folders of 1,000")
    folder.add_argument("root")
    folder.add_argument("--count", type=int, default=1000)
    folder.add_argument("--size", type=_size, default=8400, help="bytes per article (about)")
    folder.add_argument("--seed", type=int, default=1)
    folder.add_argument("--noncanonical", type=float, default=0.1, help="share needing rewrite")
    big = sub.add_parser("big", help="one large canonical article")
    big.add_argument("path")
    big.add_argument("--size", type=_size, default=1024**3)
    big.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.mode == "folder":
        kinds = write_folder(args.root, args.count, args.size, args.seed, args.noncanonical)
        print(f"wrote {args.count} articles under {args.root}: {kinds}", file=sys.stderr)
    else:
        write_big(args.path, args.size, args.seed)
        print(f"wrote {args.path} ({os.path.getsize(args.path)} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
