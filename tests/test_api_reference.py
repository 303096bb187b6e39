"""The API reference page lists every public name of attnlib (issue 17).

The page (api.md) is generated from the docstrings by Sphinx autodoc: ``automodule:: attnlib``
with ``:members:`` documents exactly the names in ``attnlib.__all__`` that have a docstring, so
a new public name appears without editing the page. These tests check the source page, that
every public name carries a docstring (autodoc skips undocumented members), and, when the site
has been built (``make site``), the built page itself.
"""

import inspect
import re
from pathlib import Path

import pytest

import attnlib

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "api.md"
BUILT = ROOT / "_build" / "html" / "api.html"


def test_the_page_generates_the_top_level_package_with_its_members():
    text = PAGE.read_text(encoding="utf-8")
    block = re.search(r"\.\. automodule:: attnlib\n((?:   :.*\n)*)", text)
    assert block, "api.md must contain '.. automodule:: attnlib'"
    assert ":members:" in block.group(1)
    assert ":no-index:" not in block.group(1), "indexed, so that cross-references resolve"


def test_the_page_is_in_the_table_of_contents():
    assert "file: api" in (ROOT / "_toc.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", attnlib.__all__)
def test_every_public_name_has_a_docstring_for_autodoc(name):
    obj = getattr(attnlib, name)
    assert inspect.getdoc(obj), f"attnlib.{name} has no docstring, so the API page would skip it"


@pytest.mark.skipif(not BUILT.exists(), reason="the site has not been built (make site)")
def test_every_public_name_is_on_the_built_page():
    html = BUILT.read_text(encoding="utf-8")
    missing = [name for name in attnlib.__all__ if f'id="attnlib.{name}"' not in html]
    assert not missing, f"not on the built API page: {missing}"
