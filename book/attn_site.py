"""The course website's own Sphinx extension: everything a page loads comes from the site.

What it does (issue 18):

- Copies the browser assets, taken at build time from the pinned npm packages in
  ``node_modules`` (``npm ci`` installs them from ``package-lock.json``), into
  ``_static/attn-vendor/``: MathJax (``mathjax_path`` points there), mermaid
  (``mermaid_use_local``) and Font Awesome's web fonts and style sheet, both cut down to the
  icons the built pages use. Nothing is placed in a source ``_static/`` folder, which Jupyter Book
  would inject into every page: MathJax and mermaid load only on pages that need them (Sphinx
  and sphinxcontrib-mermaid decide per page).
- Loads MathJax and mermaid only on pages that show maths or a diagram.
- Drops what the site does not use: the theme's 1.5 MB ``fontawesome.js`` (the icons come from
  the web font instead) and sphinx-thebe's scripts, which Jupyter Book adds twice (a
  ``SyntaxError``: ``THEBE_JS_URL`` declared twice) although the book has no Thebe button.
- Exercise pages: an exercise titled "8.1 Name" reads "Exercise 8.1 Name" (not "Exercise 36
  (8.1 Name)"), and a solution's title is plain text, so clicking anywhere on it opens the
  solution instead of following a link back to the exercise.
- Sets the theme's default colour mode (the theme logs a warning on every page without it).
- Accessibility (axe-core): the search button's name contains its visible text, the sidebar's
  collapse toggles have a name, and the bibliography is no ARIA list of non-list items.
- Registers the pybtex style ``authoryear``: the bibliography's labels read "Vaswani et al.,
  2017", like the author–year citations in the text.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
VENDOR = "attn-vendor"  # under the built site's _static/


# --------------------------------------------------------------------------- bibliography
def _register_author_year_style() -> None:
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.unsrt import Style as UnsrtStyle
    from pybtex.style.labels import BaseLabelStyle
    from pybtex.style.sorting.author_year_title import SortingStyle

    def _surname(person) -> str:
        return " ".join(str(part) for part in person.prelast_names + person.last_names)

    class AuthorYearLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            for entry in sorted_entries:
                people = entry.persons.get("author") or entry.persons.get("editor") or []
                names = [_surname(p).replace("{", "").replace("}", "") for p in people]
                year = entry.fields.get("year", "n.d.")
                if not names:
                    who = entry.fields.get("title", entry.key)[:20]
                elif len(names) == 1:
                    who = names[0]
                elif len(names) == 2:
                    who = f"{names[0]} and {names[1]}"
                else:
                    who = f"{names[0]} et al."
                yield f"{who}, {year}"

    class AuthorYearStyle(UnsrtStyle):
        default_label_style = "authoryear"
        default_sorting_style = "author_year_title"

    register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabels)
    register_plugin("pybtex.style.sorting", "author_year_title", SortingStyle, force=True)
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)


# ------------------------------------------------------------------------- vendor assets
def _node_modules(app: Sphinx) -> Path:
    path = Path(app.srcdir) / "node_modules"
    if not (path / ".package-lock.json").exists():
        raise ExtensionError(
            f"{path} is missing: the site serves MathJax, mermaid and its icon font itself, "
            "from the npm packages pinned in package-lock.json. Run `npm ci` (or `make site`)."
        )
    return path


def _copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(
        source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.map", "*.d.ts", "*.md")
    )


_ICON_RULE = re.compile(r"(?P<selectors>[^{}]+)\{\s*--fa:\s*\"[^\"]*\";\s*\}\s*")
_ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")


def _icon_css(all_css: str, used: set[str]) -> str:
    """Font Awesome's ``all.css`` without the rules of icons no page uses."""

    def keep(match: re.Match) -> str:
        names = {s.strip().lstrip(".") for s in match.group("selectors").split(",")}
        return match.group(0) if names & used else ""

    return _ICON_RULE.sub(keep, all_css)


def _copy_vendor(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    modules = _node_modules(app)
    target = Path(app.outdir) / "_static" / VENDOR
    _copy_tree(modules / "mathjax" / "es5", target / "mathjax")
    mermaid = modules / "mermaid" / "dist"
    (target / "mermaid").mkdir(parents=True, exist_ok=True)
    shutil.copy2(mermaid / "mermaid.esm.min.mjs", target / "mermaid")
    _copy_tree(
        mermaid / "chunks" / "mermaid.esm.min", target / "mermaid" / "chunks" / "mermaid.esm.min"
    )
    fontawesome = modules / "@fortawesome" / "fontawesome-free"
    used: set[str] = set()
    for page in Path(app.outdir).rglob("*.html"):
        used |= set(_ICON_CLASS.findall(page.read_text(encoding="utf-8")))
    css = _icon_css((fontawesome / "css" / "all.css").read_text(encoding="utf-8"), used)
    # The theme's and extensions' style sheets draw some icons themselves (admonition icons,
    # exercise icons), as private-use characters or escapes. A sheet with hundreds of escapes is
    # an icon library whose classes the scan of the pages above already covers.
    extra: set[int] = set()
    for path in (Path(app.outdir) / "_static").rglob("*.css"):
        if VENDOR in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        extra |= {ord(char) for char in _PRIVATE_USE.findall(text)}
        escapes = {int(code, 16) for code in _CSS_CODEPOINT.findall(text)}
        if len(escapes) < 100:
            extra |= escapes
    css = _subset_fonts(css, fontawesome / "webfonts", target / "fontawesome" / "webfonts", extra)
    (target / "fontawesome" / "css").mkdir(parents=True, exist_ok=True)
    (target / "fontawesome" / "css" / "icons.css").write_text(css, encoding="utf-8")
    license_file = fontawesome / "LICENSE.txt"
    if license_file.exists():
        shutil.copy2(license_file, target / "fontawesome")


_ICON_CODEPOINT = re.compile(r'--fa:\s*"\\([0-9a-fA-F]+)"')
_PRIVATE_USE = re.compile("[\uf000-\uf8ff]")
_CSS_CODEPOINT = re.compile(r'"\\(f[0-9a-fA-F]{3})"')
_FONT_SOURCES = re.compile(
    r'src: url\("\.\./webfonts/(?P<name>[\w-]+)\.woff2"\) format\("woff2"\), '
    r'url\("\.\./webfonts/(?P=name)\.ttf"\) format\("truetype"\)'
)


def _subset_fonts(css: str, source: Path, target: Path, extra: set[int]) -> str:
    """Cut Font Awesome's fonts down to the glyphs ``css`` and ``extra`` use (WOFF, a few kB).

    The full fonts weigh 277 kB a page (solid and brands) for about thirty icons.
    """
    from fontTools import subset

    codepoints = {int(code, 16) for code in _ICON_CODEPOINT.findall(css)} | extra
    target.mkdir(parents=True, exist_ok=True)
    for ttf in sorted(source.glob("*.ttf")):
        options = subset.Options()
        options.flavor = "woff"
        options.ignore_missing_unicodes = True
        font = subset.load_font(str(ttf), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        subset.save_font(font, str(target / f"{ttf.stem}.woff"), options)
    return _FONT_SOURCES.sub(r'src: url("../webfonts/\g<name>.woff") format("woff")', css)


# ---------------------------------------------------------------------------- pages
_FONTAWESOME_JS = re.compile(r"\s*<script[^>]*scripts/fontawesome\.js[^>]*></script>")


def _strip_fontawesome(html: str) -> str:
    from markupsafe import Markup

    return Markup(_FONTAWESOME_JS.sub("", str(html)))


def _add_template_filter(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.builder.templates.environment.filters["attn_strip_fontawesome"] = _strip_fontawesome


# "Exercise 36 </span> (8.1 Title)" -> "Exercise </span>8.1 Title" where the title has its own
# number; and a solution's title without the link (a click on it must open the dropdown).
_EXERCISE_TITLE = re.compile(
    r'(<p class="admonition-title"><span class="caption-number">Exercise )\d+ (</span>) '
    r"\((\d+\.\d+ .*?)\)</p>"
)
_SOLUTION_TITLE = re.compile(
    r'<p class="admonition-title">Solution to<a class="reference internal" href="[^"]*">'
    r"\s*Exercise (?:\d+ \((\d+\.\d+ .*?)\)|(.*?))</a></p>"
)


def _exercise_titles(body: str) -> str:
    body = _EXERCISE_TITLE.sub(r"\1\2\3</p>", body)
    return _SOLUTION_TITLE.sub(
        lambda m: (
            f'<p class="admonition-title">Solution to exercise {m.group(1) or m.group(2)}</p>'
        ),
        body,
    )


# Sphinx marks the bibliography `role="list"` but its entries `role="doc-biblioentry"`, which a
# list may not contain (axe: aria-required-children, critical).
_CITATION_LIST = re.compile(r'<div role="list" class="citation-list">')


def _accessible_toctree(generate):
    """The theme's sidebar, with a name for each collapse toggle (axe: summary-name)."""
    from markupsafe import Markup

    def wrapped(*args, **kwargs):
        html = str(generate(*args, **kwargs))
        return Markup(
            html.replace("<summary><span", '<summary aria-label="Show or hide the sections"><span')
        )

    return wrapped


def _keep_script(js, body: str) -> bool:
    """Whether this page needs the script: no Thebe; MathJax and mermaid only where used.

    Sphinx loads MathJax on a page whose toctree children have maths (the book's start page),
    and sphinxcontrib-mermaid loads mermaid on every page that has no doctree (search, index).
    """
    name = str(js.filename or "")
    inline = str(js.attributes.get("body", ""))
    if "sphinx-thebe" in name or "THEBE_JS_URL" in inline:
        return False
    if (
        "tex-mml-chtml" in name or inline.startswith("window.MathJax")
    ) and 'class="math' not in body:
        return False
    if "mermaid.esm.min.mjs" in inline and 'class="mermaid' not in body:
        return False
    return True


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body", "")
    scripts = context.get("script_files")
    if scripts is not None:
        scripts[:] = [js for js in scripts if _keep_script(js, body)]
    styles = context.get("css_files")
    if styles is not None:
        styles[:] = [css for css in styles if "sphinx-thebe" not in str(css.filename or "")]
    if "body" in context:
        context["body"] = _CITATION_LIST.sub(
            '<div class="citation-list">', _exercise_titles(context["body"])
        )
    if "generate_toctree_html" in context:
        context["generate_toctree_html"] = _accessible_toctree(context["generate_toctree_html"])


def _config_inited(app: Sphinx, config) -> None:
    # Jupyter Book leaves the theme's default mode empty, and the theme then logs "Got invalid
    # theme mode" on every page. (Set here: _config.yml's html_context would replace the
    # whole dictionary Jupyter Book builds.) pydata-sphinx-theme reads it from html_context.
    config.html_context = {**config.html_context, "default_mode": "auto"}
    config.templates_path = [str(HERE / "templates"), *config.templates_path]
    config.html_static_path = [*config.html_static_path, str(HERE / "static")]


def setup(app: Sphinx) -> dict:
    _register_author_year_style()
    app.connect("config-inited", _config_inited)
    app.add_css_file(f"{VENDOR}/fontawesome/css/icons.css")
    app.add_css_file("attn-site.css")
    app.connect("builder-inited", _add_template_filter)
    app.connect("html-page-context", _page_context, priority=900)
    app.connect("build-finished", _copy_vendor)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
