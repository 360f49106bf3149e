"""The distribution as a package index shows it: its name, licence, links and classifiers."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
DOCUMENTS = ["README.md", *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md")))]
INSTALL = re.compile(r'\b(?:pip|pipx|uv tool|uv pip) install\s+(?:--\S+\s+)*"?([^\s"`]+)')


def test_the_distribution_is_not_named_after_an_unrelated_project() -> None:
    # "provenance" on PyPI is an ML caching library: `pip install provenance` gets that.
    assert PROJECT["name"] == "article-provenance"
    assert PROJECT["scripts"] == {"provenance": "provenance.cli:main"}


def test_every_install_instruction_names_the_distribution() -> None:
    found = []
    for document in DOCUMENTS:
        for target in INSTALL.findall((ROOT / document).read_text(encoding="utf-8")):
            found.append(target)
            if target in (".", "uv"):  # this clone; uv itself
                continue
            # The c2pa extra is installed quoted, as a shell needs: 'article-provenance[c2pa]'.
            assert re.fullmatch(r"'?article-provenance(\[c2pa\])?(==[\d.]+)?'?", target), (
                document,
                target,
            )
    assert "article-provenance" in found


def test_licence_file_ships_and_says_what_pyproject_says() -> None:
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_classifiers_and_urls() -> None:
    assert {"Typing :: Typed", "Environment :: Console"} <= set(PROJECT["classifiers"])
    assert {"Homepage", "Source", "Issues", "Documentation"} <= set(PROJECT["urls"])
    assert (ROOT / "provenance" / "py.typed").is_file()


def test_readme_links_work_on_a_package_index_page() -> None:
    """A relative link (docs/ci.md) is broken on PyPI: every link is absolute or an anchor."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    source = PROJECT["urls"]["Source"]
    links = re.findall(r"\]\(([^)]+)\)", readme)
    assert links
    for link in links:
        assert link.startswith(("https://", "#")), link
        if link.startswith(source):
            path = link.removeprefix(source + "/blob/main/")
            assert (ROOT / path).exists(), link
