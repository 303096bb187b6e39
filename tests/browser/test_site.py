"""The built website as a reader gets it: every page opened in headless Chromium.

`make browser` (part of `make test`, after `make site`) serves `_build/html` on 127.0.0.1 and
opens every page the build produced (so new chapters are covered without editing this file)
in Debian's Chromium, driven by Playwright. On each page, at desktop width:

- no console error, no uncaught exception, no failed request, and no request to any other host
  (such requests are recorded and blocked: the site must work offline);
- the maths is typeset (no raw TeX left, no MathJax error), every mermaid diagram is an SVG;
- every explorer (``attnlib.widgets.explorer``) shows one loaded frame and shows another one
  when its first control changes; no Jupyter widget is left (it would be a dead control);
- every image has alt text; axe-core reports no critical or serious violation;
- the page's weight (the HTML and every file it loads) is within ``PAGE_BUDGET``, and MathJax
  and mermaid load only on pages that use them;
- a chapter page has a self-check quiz of at least 3 questions;

and at phone width (390 px) nothing scrolls sideways. Screenshots (JPEG) of every page at both
widths go to ``_build/screenshots/{desktop,phone}/``, each page's weight in bytes to
``_build/screenshots/weights/``. A separate test checks every internal link and anchor in the
built HTML.

Chromium: ``/usr/bin/chromium`` (Debian's package; the Makefile installs it when missing), or
``$CHROMIUM``. Never a browser downloaded by Playwright.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# The most bytes a page may load, uncompressed: its HTML (figures and explorer frames are
# embedded in it) and every file it fetches, fonts included. A page without maths loads about
# 0.8 MiB (mostly the theme's CSS and scripts and the search index); MathJax and its fonts add
# about 1.2 MiB, mermaid (chapter 1) 0.5 MiB, each explorer frame 5-20 kB. The budget leaves
# about 1.5 MiB for a chapter's figures and explorers (chapter 4, with its trained heads, its
# positional encodings and a 30-frame explorer, is the heaviest at about 3.7 MiB).
PAGE_BUDGET = 4 * 2**20
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Folders of the build that hold assets, not pages.
NOT_PAGES = {"_static", "_sources", "_downloads", "_images", "_sphinx_design_static"}


def _pages() -> list[str]:
    if not SITE.is_dir():
        return []
    pages = []
    for path in sorted(SITE.rglob("*.html")):
        relative = path.relative_to(SITE)
        if relative.parts[0] in NOT_PAGES:
            continue
        if (
            relative.as_posix() == "index.html"
            and 'http-equiv="refresh"' in path.read_text().lower()
        ):
            continue  # the redirect to intro.html
        pages.append(relative.as_posix())
    return pages


PAGES = _pages()


def test_site_is_built():
    assert PAGES, f"no pages under {SITE}: run `make site` first"
    assert AXE.exists(), f"{AXE} is missing: run `npm ci`"


# ---------------------------------------------------------------------------- server
class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".woff2": "font/woff2",
    }

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(_Handler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} not found: install Debian's chromium (`apt-get install -y chromium`; "
        "`make browser` does it) or set CHROMIUM"
    )
    # Playwright starts the browser with a new, empty profile (its own --user-data-dir).
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# ------------------------------------------------------------------------- in the page
_SETTLED = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
}"""

_RAW_TEX = r"""() => {
  const untypeset = [...document.querySelectorAll('span.math, div.math')]
    .filter(e => !e.querySelector('mjx-container')).length;
  const errors = document.querySelectorAll('mjx-merror').length;
  const body = document.querySelector('main') || document.body;
  const copy = body.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, mjx-container, textarea, .highlight')
    .forEach(e => e.remove());
  const text = copy.textContent;
  const raw = text.match(/\\\(|\\\[|\$\$|\\(frac|begin|sum|mathrm|mathbf|alpha|top)\b/g) || [];
  return {untypeset, errors, raw: raw.slice(0, 5)};
}"""

_IMAGES_WITHOUT_ALT = """() => [...document.querySelectorAll('img')]
  .filter(i => !(i.getAttribute('alt') || '').trim() && i.getAttribute('role') !== 'presentation')
  .map(i => (i.getAttribute('src') || '').slice(0, 80))"""

_WEIGHT = """() => {
  const entries = [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')];
  return entries.map(e => [e.name, e.encodedBodySize || e.transferSize || 0]);
}"""

_VISIBLE_FRAME = """(root) => {
  const shown = [...root.querySelectorAll('img[data-key]')].filter(i => !i.hidden);
  return shown.map(i => ({key: i.dataset.key, loaded: i.complete && i.naturalWidth > 0,
                          width: i.getBoundingClientRect().width}));
}"""

_CHANGE_FIRST_CONTROL = """(root) => {
  const c = root.querySelector('[data-attn-control]');
  if (c.tagName === 'SELECT') {
    c.selectedIndex = (c.selectedIndex + 1) % c.options.length;
  } else {
    c.value = (+c.value === +c.max) ? c.min : c.max;
  }
  c.dispatchEvent(new Event('input', {bubbles: true}));
  c.dispatchEvent(new Event('change', {bubbles: true}));
}"""

_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('main *')]
    .filter(e => e.getBoundingClientRect().right > width + 1 &&
                 !e.closest('pre, .highlight, table, .cell_output, .mermaid, div.math'))
    .slice(0, 3).map(e => `${e.tagName}.${e.className}: ${e.textContent.slice(0, 40)}`);
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""

_WIDGETS = """() => document.querySelectorAll(
  'script[type="application/vnd.jupyter.widget-view+json"], .jupyter-widgets').length"""

_DOUBLE_NUMBERED = r"""() => [...document.querySelectorAll('.admonition-title')]
  .map(t => t.textContent.trim()).filter(t => /Exercise \d+\s*\(\d+\.\d+/.test(t))"""

_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}x, e.g. ` +
              `${v.nodes[0].target.join(' ')}: ${v.nodes[0].failureSummary})`);
}"""


def _screenshot_path(page: str, width: str) -> Path:
    path = SCREENSHOTS / width / (page.removesuffix(".html").replace("/", "__") + ".jpg")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _open(browser, server: str, page: str, viewport: dict):
    """A fresh context (empty cache) with the page loaded; plus what went wrong on the way."""
    context = browser.new_context(viewport=viewport)
    problems: list[str] = []
    origin = urlsplit(server).netloc

    def route(r):
        url = urlsplit(r.request.url)
        if url.scheme in ("http", "https") and url.netloc != origin:
            problems.append(f"request to another host: {r.request.url}")
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    tab = context.new_page()
    tab.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    tab.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
    tab.on(
        "requestfailed",
        lambda r: (
            problems.append(f"failed request: {r.url} ({r.failure})")
            if urlsplit(r.url).netloc == origin
            else None
        ),
    )
    tab.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    tab.goto(server + page, wait_until="load")
    tab.evaluate(_SETTLED)
    return context, tab, problems


@pytest.mark.parametrize("page", PAGES)
def test_page(browser, server, page):
    context, tab, problems = _open(browser, server, page, DESKTOP)
    try:
        # Maths and diagrams.
        tex = tab.evaluate(_RAW_TEX)
        if tex["untypeset"] or tex["errors"] or tex["raw"]:
            problems.append(f"maths not typeset: {tex}")
        diagrams = tab.locator(".mermaid")
        if diagrams.count():
            try:
                tab.wait_for_function(
                    "() => [...document.querySelectorAll('.mermaid')]"
                    ".every(d => d.querySelector('svg'))",
                    timeout=15000,
                )
            except Exception:
                problems.append("a mermaid diagram was not drawn as SVG")

        # Explorers: one loaded frame; another one after a change of the first control.
        for i, explorer in enumerate(tab.locator("[data-attn-explorer]").all()):
            before = explorer.evaluate(_VISIBLE_FRAME)
            if len(before) != 1 or not before[0]["loaded"] or before[0]["width"] < 100:
                problems.append(f"explorer {i}: expected one loaded, visible frame, got {before}")
                continue
            explorer.evaluate(_CHANGE_FIRST_CONTROL)
            after = explorer.evaluate(_VISIBLE_FRAME)
            if len(after) != 1 or not after[0]["loaded"] or after[0]["key"] == before[0]["key"]:
                problems.append(
                    f"explorer {i}: changing its first control did not show another frame "
                    f"({before} -> {after})"
                )
        dead = tab.evaluate(_WIDGETS)
        if dead:
            problems.append(f"{dead} Jupyter widget(s) left: they cannot work without a kernel")

        # Quizzes in every chapter.
        if page.startswith("chapters/"):
            questions = tab.locator(".attn-quiz ol > li").count()
            if questions < 3:
                problems.append(
                    f"a chapter needs a self-check quiz of >= 3 questions, has {questions}"
                )

        # Quizzes answer when an answer is opened.
        quiz = tab.locator(".attn-quiz details").first
        if quiz.count():
            quiz.locator("summary").click()
            if not quiz.evaluate("d => d.open && /Right\\.|Not quite\\./.test(d.innerText)"):
                problems.append("opening a quiz answer does not show its verdict")

        # Exercise pages: numbered once, and a click on a solution's title opens it in place.
        doubled = tab.evaluate(_DOUBLE_NUMBERED)
        if doubled:
            problems.append(f"exercise titles numbered twice: {doubled[:2]}")
        solution = tab.locator("div.solution.dropdown").first
        if solution.count():
            title = solution.locator(".admonition-title")
            box = title.bounding_box()
            url = tab.url
            title.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
            tab.wait_for_timeout(100)
            if tab.url != url or solution.evaluate("d => d.classList.contains('toggle-hidden')"):
                problems.append("a click on the middle of a solution's title does not open it")

        # Accessibility.
        missing_alt = tab.evaluate(_IMAGES_WITHOUT_ALT)
        if missing_alt:
            problems.append(f"{len(missing_alt)} image(s) without alt text: {missing_alt[:3]}")
        tab.add_script_tag(path=str(AXE))
        problems += [f"axe: {v}" for v in tab.evaluate(_AXE)]

        # Weight: scripts only where needed, and the total within budget.
        weights = tab.evaluate(_WEIGHT)
        loaded = " ".join(name for name, _ in weights)
        if "mathjax" in loaded and not tab.locator(".math").count():
            problems.append("MathJax loaded on a page without maths")
        if "mermaid" in loaded and not tab.locator(".mermaid").count():
            problems.append("mermaid loaded on a page without a diagram")
        total = sum(size for _, size in weights)
        if total > PAGE_BUDGET:
            largest = sorted(weights, key=lambda w: -w[1])[:3]
            problems.append(
                f"page weight {total / 2**20:.2f} MiB > budget "
                f"{PAGE_BUDGET / 2**20:.2f} MiB; largest: {largest}"
            )
        (SCREENSHOTS / "weights").mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / "weights" / (page.replace("/", "__") + ".txt")).write_text(f"{total}\n")
        tab.screenshot(path=_screenshot_path(page, "desktop"), full_page=True, quality=70)

        # Phone width (the same page, resized): nothing scrolls sideways.
        tab.set_viewport_size(PHONE)
        overflow = tab.evaluate(_OVERFLOW)
        if overflow["scroll"] > overflow["width"]:
            problems.append(f"at {PHONE['width']} px the page scrolls sideways: {overflow}")
        tab.screenshot(path=_screenshot_path(page, "phone"), full_page=True, quality=70)
    finally:
        context.close()
    assert not problems, f"{page}:\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------- links, statically
class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


@functools.cache
def _parse(path: Path) -> _LinkParser:
    parser = _LinkParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_internal_links_and_anchors():
    """Every relative link in the built site reaches a file, and its #anchor an id there."""
    assert PAGES, f"no pages under {SITE}: run `make site` first"
    broken = []
    for page in PAGES:
        source = SITE / page
        for href in _parse(source).links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = source if not parts.path else (source.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page}: {href} (no file)")
                continue
            if (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in _parse(target).ids
            ):
                broken.append(f"{page}: {href} (no anchor #{parts.fragment})")
    assert not broken, f"{len(broken)} broken internal links:\n  " + "\n  ".join(broken[:40])


def test_launch_links_use_the_configured_repository():
    """Colab, Binder and repository links all derive from _config.yml's repository URL."""
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repository = urlsplit(config["repository"]["url"]).path.strip("/")  # owner/name
    pattern = re.compile(
        r"(?:colab\.research\.google\.com/github|mybinder\.org/v2/gh|github\.com)/"
        r"([\w.-]+/[\w.-]+?)(?:\.git)?(?=[/?#\"]|$)"
    )
    wrong = set()
    for page in PAGES:
        for href in _parse(SITE / page).links:
            match = pattern.search(href)
            if (
                match
                and match.group(1).split("/")[0] == repository.split("/")[0]
                and match.group(1) != repository
            ):
                wrong.add(f"{page}: {href}")
            if match and ("colab" in href or "mybinder" in href) and match.group(1) != repository:
                wrong.add(f"{page}: {href}")
    assert not wrong, f"links to another repository than {repository}:\n  " + "\n  ".join(
        sorted(wrong)[:20]
    )


def test_bibliography_is_author_year():
    """The references page labels its entries like the text cites them: "Vaswani et al., 2017"."""
    page = SITE / "references.html"
    labels = re.findall(
        r'class="label"><span class="fn-bracket">\[</span>(.*?)<span', page.read_text()
    )
    assert labels, "no bibliography entries found on references.html"
    numeric = [label for label in labels if not re.fullmatch(r".+, (\d{4}|n\.d\.)[a-z]?", label)]
    assert not numeric, f"labels that are not author-year: {numeric[:5]}"


def test_pages_found_from_the_build():
    """New chapters are covered without editing this file: every chapter source has a page."""
    chapters = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))
    built = sorted(Path(p).stem for p in PAGES if p.startswith("chapters/"))
    assert built == chapters
