"""book/attn_site.py, the website's Sphinx extension: the parts that need no build."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book"))

import attn_site  # noqa: E402


def test_exercise_titles_numbered_once_and_solution_titles_without_link():
    body = (
        '<p class="admonition-title"><span class="caption-number">Exercise 36 </span> '
        "(8.1 The additive score (2 points))</p>"
        '<p class="admonition-title">Solution to<a class="reference internal" href="#ex-8-1"> '
        "Exercise 36 (8.1 The additive score (2 points))</a></p>"
    )
    assert attn_site._exercise_titles(body) == (
        '<p class="admonition-title"><span class="caption-number">Exercise </span>'
        "8.1 The additive score (2 points)</p>"
        '<p class="admonition-title">Solution to exercise 8.1 The additive score (2 points)</p>'
    )


def test_exercise_titles_without_their_own_number_are_kept():
    body = (
        '<p class="admonition-title"><span class="caption-number">Exercise 3 </span> (Warm-up)</p>'
    )
    assert attn_site._exercise_titles(body) == body


def test_icon_css_keeps_only_the_icons_used():
    css = (
        '.fa-rocket {\n  --fa: "\\f135"; }\n\n'
        '.fa-bug {\n  --fa: "\\f188"; }\n\n'
        ".fa-lg { font-size: 1.25em; }\n"
    )
    out = attn_site._icon_css(css, {"fa-rocket", "fa-lg"})
    assert ".fa-rocket" in out and ".fa-bug" not in out and ".fa-lg" in out


def test_fontawesome_script_removed_from_the_head():
    head = (
        '<link href="a.css" rel="stylesheet" />\n  <script defer '
        'src="../_static/scripts/fontawesome.js?digest=1"></script>\n<link rel="preload" />'
    )
    out = str(attn_site._strip_fontawesome(head))
    assert "fontawesome.js" not in out and "a.css" in out and "preload" in out


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("vaswani2017attention", "Vaswani et al., 2017"),
        ("bahdanau2015neural", "Bahdanau et al., 2015"),
    ],
)
def test_bibliography_labels_are_author_year(key, label):
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    attn_site._register_author_year_style()
    entries = parse_file(str(ROOT / "references.bib")).entries
    style = find_plugin("pybtex.style.formatting", "authoryear")()
    labels = {e.key: e.label for e in style.format_entries(entries.values())}
    assert labels[key] == label


def test_fonts_subset_to_the_icons_used(tmp_path):
    """Each font keeps only the glyphs the style sheet names (here DejaVu Sans stands in)."""
    import shutil

    import matplotlib
    from fontTools.ttLib import TTFont

    source = tmp_path / "webfonts"
    source.mkdir()
    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    shutil.copy(dejavu, source / "fa-solid-900.ttf")
    css = (
        '.fa-a {\n  --fa: "\\41"; }\n@font-face {\n  src: url("../webfonts/fa-solid-900.woff2") '
        'format("woff2"), url("../webfonts/fa-solid-900.ttf") format("truetype"); }\n'
    )
    out = attn_site._subset_fonts(css, source, tmp_path / "out", extra={ord("B")})
    assert 'src: url("../webfonts/fa-solid-900.woff") format("woff")' in out
    font = TTFont(tmp_path / "out" / "fa-solid-900.woff")
    assert set(font.getBestCmap()) == {ord("A"), ord("B")}  # A from the style sheet, B extra
    assert (tmp_path / "out" / "fa-solid-900.woff").stat().st_size < dejavu.stat().st_size / 20
