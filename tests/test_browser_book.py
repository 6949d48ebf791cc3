"""The built book, opened page by page in headless Chromium with every off-machine request blocked.

Each page must: make no request to a host other than the local server, log no console error, leave no raw TeX
(MathJax rendered every formula), load every image, and link only to pages and anchors that exist. A screenshot of
each page is saved under ``_build/screenshots`` for a person to look at; one page is also checked in dark mode.
axe-core finds no serious or critical accessibility violation on any page, in the light or the dark theme, with no
rule exempted.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlparse

import pytest
from conftest import HTML, SETTLE_MS, axe_violations, open_watched_page, screenshot, settle

pytestmark = pytest.mark.browser

PAGES = sorted(
    str(p.relative_to(HTML))
    for p in HTML.rglob("*.html")
    if not {"_static", "_sources", "_modules", "_images"} & set(p.relative_to(HTML).parts)
    and p.name not in {"genindex.html", "search.html", "py-modindex.html"}
)
MATH_PAGES = ["book/foundations/mlp.html", "book/foundations/backprop.html"]


def test_the_book_has_every_chapter():
    expected = {
        "index.html",
        "book/intro.html",
        "book/foundations/mlp.html",
        "book/foundations/playground.html",
        "book/foundations/activations.html",
        "book/foundations/backprop.html",
        "book/training/optimization.html",
        "book/training/initialization.html",
        "book/training/regularization.html",
        "book/cnn/convolution.html",
        "book/cnn/cnn-family.html",
        "book/sequences/rnn.html",
        "book/sequences/transformers.html",
        "book/where-it-leads.html",
        "book/appendix/api.html",
        "book/appendix/execution-statistics.html",
        "book/appendix/bibliography.html",
    }
    assert expected <= set(PAGES), f"missing pages: {sorted(expected - set(PAGES))}"


@pytest.mark.parametrize("name", PAGES)
def test_page_is_self_contained_and_error_free(page, book_url, name):
    url = f"{book_url}/{name}"
    page.goto(url, wait_until="load", timeout=SETTLE_MS)
    settle(page)

    # MathJax turned every formula into rendered output: no raw TeX delimiters remain in the visible text.
    text = page.locator("article").inner_text() if page.locator("article").count() else ""
    raw = [m for m in re.findall(r"\\\(|\\\)|\\\[|\\\]|\$\$", text)]
    assert not raw, f"{name}: raw TeX left on the page ({len(raw)} delimiters)"
    if page.locator(".math").count():
        assert page.locator("mjx-container").count() >= page.locator(".math").count(), (
            f"{name}: MathJax did not render every formula"
        )

    # Every image loaded (naturalWidth is 0 for a broken image).
    broken = page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)"
    )
    assert not broken, f"{name}: images that did not load: {broken}"

    # Every internal link points at a page that exists and, with a fragment, at an element that exists there.
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
    for href in hrefs:
        target, frag = urldefrag(href)
        if not target.startswith(book_url):
            assert urlparse(target).scheme in {"http", "https", "mailto", "javascript", ""}, href
            continue
        path = HTML / urlparse(target).path.lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        assert path.is_file(), f"{name}: link to a missing page {href}"
        if frag and path.suffix == ".html":
            html = path.read_text(encoding="utf-8")
            assert f'id="{frag}"' in html or f"id='{frag}'" in html, f"{name}: link to a missing anchor {href}"

    screenshot(page, name.replace("/", "__").removesuffix(".html"))


def test_dark_mode(browser, book_url):
    context, page = open_watched_page(browser, book_url, color_scheme="dark")
    try:
        page.goto(f"{book_url}/book/foundations/mlp.html", wait_until="load", timeout=SETTLE_MS)
        page.evaluate("() => document.documentElement.setAttribute('data-theme', 'dark')")
        settle(page)
        assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
        bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        r, g, b = (int(v) for v in re.findall(r"\d+", bg)[:3])
        assert r + g + b < 3 * 80, f"dark mode background is not dark: {bg}"
        screenshot(page, "dark-mode__mlp")
        assert not page.watch.problems(), "\n".join(page.watch.problems())
    finally:
        context.close()


def test_links_resolve_relative_to_each_page():
    """Static check of every href in every page, including pages the browser test above does not open."""
    missing = []
    for p in HTML.rglob("*.html"):
        if "_static" in p.parts:
            continue
        html = p.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"#?]+\.html)[^"]*"', html):
            if "://" in href:
                continue
            if not (p.parent / href).resolve().is_file():
                missing.append(f"{p.relative_to(HTML)} -> {href}")
    assert not missing, "\n".join(missing[:20])


def test_no_page_names_a_cdn_script():
    """Scripts and stylesheets are all served by the book itself (MathJax, require.js, the widget manager)."""
    offenders = []
    for p in HTML.rglob("*.html"):
        if "_static" in p.parts:
            continue
        html = p.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link)\b[^>]*>", html):
            if 'rel="canonical"' in tag:  # the page's address for link previews, never loaded
                continue
            for src in re.findall(r'(?:src|href)="(https?://[^"]+)"', tag):
                offenders.append(f"{p.relative_to(HTML)}: {src}")
    assert not offenders, "\n".join(sorted(set(offenders))[:20])


def test_execution_statistics_lists_every_notebook_with_a_total():
    toc = re.findall(r"file:\s*(\S+)", (HTML.parent.parent / "_toc.yml").read_text(encoding="utf-8"))
    notebooks = [e for e in toc if (HTML.parent.parent / f"{e}.ipynb").is_file()]
    html = (HTML / "book" / "appendix" / "execution-statistics.html").read_text(encoding="utf-8")
    table = html[html.index("dlbook-exec-stats") : html.index("</table>", html.index("dlbook-exec-stats"))]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    body = [r for r in rows[1:] if "dlbook-exec-total" not in r and "Total (" not in r]
    assert len(body) == len(notebooks), f"{len(body)} rows for {len(notebooks)} notebooks"
    seconds = [float(re.findall(r"<p>([\d.]+)</p>", r)[0]) for r in body]
    total = float(re.search(r"Total \((\d+) notebooks\).*?<strong>([\d.]+)</strong>", table, re.S).group(2))
    assert abs(total - sum(seconds)) < 0.1 * len(seconds) + 0.05
    assert all(s > 0 for s in seconds)


CHAPTERS = [p for p in PAGES if p.startswith("book/") and "appendix" not in p]

FIGURES_JS = """() => {
  const article = document.querySelector('article') || document.body;
  const column = article.getBoundingClientRect().width;
  return [...article.querySelectorAll('img')].map(i => ({
    src: i.getAttribute('src'), alt: (i.getAttribute('alt') || '').trim(),
    loaded: !(i.complete && i.naturalWidth === 0), width: i.getBoundingClientRect().width, column,
  }));
}"""


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", CHAPTERS)
def test_every_figure_loads_has_alt_text_and_fits_its_column(browser, book_url, name, width):
    context, page = open_watched_page(browser, book_url)
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{book_url}/{name}", wait_until="load", timeout=SETTLE_MS)
        settle(page)
        figures = page.evaluate(FIGURES_JS)
        bad = []
        for f in figures:
            src = (f["src"] or "")[-60:]
            if not f["loaded"]:
                bad.append(f"did not load: {src}")
            placeholder = f["alt"].lower() in {"png", "svg", "image/png", "image/svg+xml"} or "_images/" in f["alt"]
            if not f["alt"] or placeholder:
                bad.append(f"no alt text: {src} (alt={f['alt']!r})")
            if f["width"] > f["column"] + 1:
                bad.append(f"wider than its column at {width} px: {src} ({f['width']:.0f} > {f['column']:.0f})")
        assert not bad, f"{name}: " + "; ".join(bad[:12])
        assert not page.watch.problems(), page.watch.problems()
    finally:
        context.close()


# Every page the build wrote (the index, search and module pages included), found in the build rather than listed.
ALL_PAGES = sorted(
    str(p.relative_to(HTML))
    for p in HTML.rglob("*.html")
    if not {"_static", "_sources", "_modules", "_images"} & set(p.relative_to(HTML).parts)
)
_REFRESH = re.compile(r'<meta http-equiv="refresh" content="\d+;\s*url=([^"]+)"', re.I)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", ALL_PAGES)
def test_axe_finds_no_serious_or_critical_violation(browser, book_url, name, scheme):
    context, page = open_watched_page(browser, book_url, color_scheme=scheme)
    try:
        # The reader's choice of mode, stored as the theme stores it, so the page is drawn dark from the start.
        context.add_init_script(f"localStorage.setItem('mode', '{scheme}')")
        redirect = _REFRESH.search((HTML / name).read_text(encoding="utf-8"))
        page.goto(f"{book_url}/{name}", wait_until="load", timeout=SETTLE_MS)
        if redirect:  # a page that only forwards (the root index): check the page it lands on
            page.wait_for_url(f"**/{redirect.group(1)}")
            page.wait_for_load_state("load")
        settle(page)
        assert page.evaluate("() => document.documentElement.dataset.theme") == scheme
        found = axe_violations(page)
        assert found == [], f"{name} ({scheme}): " + "; ".join(f"{v['id']} on {v['targets'][:4]}" for v in found)
        assert not page.watch.problems(), page.watch.problems()
    finally:
        context.close()
