"""The bibliography and the citations agree: every cited key exists, every entry is cited.

A citation of a missing key renders as a broken reference (and fails the -W build only for the
pages that are built); an entry that nothing cites is an unchecked claim on the references page.
"""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")
ENTRY = re.compile(r"^@\w+\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)


def book_pages() -> list[Path]:
    """Every page the site builds from the table of contents, plus everything under chapters/
    and exercises/ (handouts, prompts and sources that generate pages)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]]
    stack = list(toc["parts"])
    while stack:
        entry = stack.pop()
        names += [c["file"] for c in entry.get("chapters", []) if "file" in c]
        names += [s["file"] for s in entry.get("sections", []) if "file" in s]
        stack += entry.get("chapters", []) + entry.get("sections", [])
    pages = {p for n in names for p in (ROOT / f"{n}.md", ROOT / f"{n}.ipynb") if p.exists()}
    for folder in ("chapters", "exercises"):
        for suffix in ("*.md", "*.ipynb", "*.toml"):
            pages |= set((ROOT / folder).rglob(suffix))
    return sorted(
        p for p in pages if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts
    )


def text_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join(
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells
            if c["cell_type"] == "markdown"
        )
    return path.read_text(encoding="utf-8")


def cited_keys() -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for path in book_pages():
        for group in CITE.findall(text_of(path)):
            for key in group.split(","):
                keys.setdefault(key.strip(), set()).add(str(path.relative_to(ROOT)))
    return keys


BIB = set(ENTRY.findall((ROOT / "references.bib").read_text(encoding="utf-8")))


def test_the_scanner_finds_citations_and_entries():
    # Guards the two tests below against passing because a pattern stopped matching.
    assert len(BIB) >= 30
    assert "vaswani2017attention" in cited_keys()
    assert CITE.findall("see {cite:p}`a,b` and {cite:t}`c` and {cite}`d`") == ["a,b", "c", "d"]


def test_every_cited_key_is_in_references_bib():
    missing = {key: sorted(pages) for key, pages in cited_keys().items() if key not in BIB}
    assert not missing, f"cited but not in references.bib: {missing}"


def test_every_bibliography_entry_is_cited_somewhere():
    uncited = sorted(BIB - set(cited_keys()))
    assert not uncited, f"in references.bib but cited nowhere (cite or remove): {uncited}"


def test_no_key_is_defined_twice():
    keys = ENTRY.findall((ROOT / "references.bib").read_text(encoding="utf-8"))
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    "invented",
    [
        "A Theoretical Framework for Attention in Neural Networks",
        "An Empirical Evaluation of Generic Attention Mechanisms",
        "Learning Representations by Maximizing Mutual Information Nearest Neighbors",
    ],
)
def test_titles_that_no_index_holds_are_never_in_the_bibliography(invented):
    assert invented.lower() not in (ROOT / "references.bib").read_text(encoding="utf-8").lower()
