"""Print the single-page build of the book (``_build/singlehtml``) to one PDF with Debian's Chromium.

Usage: ``python tools/make_pdf.py [--source _build/singlehtml] [--output _build/html/dlbook.pdf]`` (``make pdf``
builds the single page first, then calls this).

The page is served on 127.0.0.1 and opened in headless Chromium with every off-machine request blocked. Once MathJax
has typeset the math, every image has loaded and the demos have rendered, the page is prepared for paper:

* a title page and a table of contents whose entries link to the chapters (the PDF also gets an outline, i.e.
  bookmarks, from the headings, and page numbers in the footer);
* each live demo becomes a still image of how it looks when the page opens, with a link to its live page in the web
  book (``html: baseurl:`` in ``_config.yml``);
* solutions in dropdowns are shown, the site's navigation, buttons and the book's own PDF link are dropped;
* every chapter starts on a new page.
"""

from __future__ import annotations

import argparse
import base64
import functools
import http.server
import sys
import threading
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))  # this folder, also when imported from elsewhere
from headless_chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - the one list of Chromium's switches

ROOT = Path(__file__).resolve().parent.parent

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
html, body { background: white !important; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer, .bd-footer-content, .bd-footer-article,
.header-article, .prev-next-area, .bd-header-announcement, .toggle-button, .headerlink, .copybtn,
.dlbook-pdf-link, .skip-link, #pst-back-to-top, .search-button-field, .theme-switch-button { display: none !important; }
.bd-main, .bd-content, .bd-article-container, .bd-page-width, .bd-container, .bd-container__inner {
  max-width: none !important; width: 100% !important; margin: 0 !important; padding: 0 !important; }
.bd-article { padding: 0 !important; }
.toggle-hidden, details > * { display: revert !important; visibility: visible !important; opacity: 1 !important; }
section.dlbook-chapter { break-before: page; }
h1, h2, h3 { break-after: avoid; }
figure, img, .cell_output img, table, .math { break-inside: avoid; }
pre { white-space: pre-wrap !important; word-break: break-word; }
div.cell_output, div.output { max-height: none !important; overflow: visible !important; }
.dlbook-title-page { break-after: page; text-align: center; padding-top: 30vh; }
.dlbook-title-page h1 { font-size: 2.4em; }
.dlbook-toc { break-after: page; }
.dlbook-toc ol { list-style: none; padding-left: 0; }
.dlbook-toc ol ol { padding-left: 1.6em; }
.dlbook-toc li { margin: 0.2em 0; }
.dlbook-toc li.nested { padding-left: 1.6em; }
.dlbook-toc ol ol { font-size: 0.9em; }
.dlbook-toc .part { font-weight: 600; margin-top: 0.9em; }
article.bd-article { padding: 0 !important; margin: 0 !important; max-width: none !important; }
figure.dlbook-demo-still { border: 1px solid #bbb; padding: 6px; }
figure.dlbook-demo-still img { max-width: 100%; }
"""

# Runs in the page: title page, contents, chapter breaks, open dropdowns. Returns the demos' page names.
PREPARE_JS = """
([title, author]) => {
  const article = document.querySelector("article.bd-article") || document.querySelector("main");
  // The parts and the pages under each, from the book's navigation (in reading order).
  const partOf = {}, nested = new Set(), parts = [];
  for (const caption of document.querySelectorAll("nav p.caption")) {
    const name = caption.textContent.trim(), list = caption.nextElementSibling;
    const links = list ? [...list.querySelectorAll("a[href^='#document-']")] : [];
    if (parts.includes(name) || !links.length) continue;
    parts.push(name);
    for (const a of links) {
      const doc = a.getAttribute("href").slice("#document-".length);
      partOf[doc] = name;
      if (a.closest("li").classList.contains("toctree-l2")) nested.add(doc);
    }
  }
  // Chapters: each document of the single page starts at a <span id="document-...">, its section follows.
  const clean = (h) => h.textContent.replace(/#$/, "").trim();
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  let toc = '<nav class="dlbook-toc"><h1>Contents</h1><ol>', lastPart = null, count = 0;
  for (const span of article.querySelectorAll('span[id^="document-"]')) {
    const section = span.nextElementSibling;
    if (!section || section.tagName !== "SECTION") continue;
    const doc = span.id.slice("document-".length), heading = section.querySelector(":scope > :is(h1, h2, h3)");
    section.classList.add("dlbook-chapter");
    count += 1;
    const part = partOf[doc];
    if (part && part !== lastPart) { toc += `<li class="part">${esc(part)}</li>`; lastPart = part; }
    const subs = [...section.querySelectorAll(":scope > section > :is(h3, h4)")].map(
      (h) => `<li><a href="#${h.parentElement.id}">${esc(clean(h))}</a></li>`).join("");
    const name = heading ? clean(heading) : doc;
    toc += `<li class="${nested.has(doc) ? "nested" : ""}"><a href="#${section.id}">${esc(name)}</a>`;
    toc += (subs ? `<ol>${subs}</ol>` : "") + "</li>";
  }
  toc += "</ol></nav>";
  const front = document.createElement("div");
  front.innerHTML = `<div class="dlbook-title-page"><h1>${esc(title)}</h1><p>${esc(author)}</p></div>` + toc;
  // Paper gets the article alone: no navigation bars, sidebars or buttons.
  document.body.replaceChildren(front, article);
  // Solutions and other dropdowns: shown open.
  for (const d of document.querySelectorAll("details")) d.open = true;
  for (const el of document.querySelectorAll(".toggle-hidden")) el.classList.remove("toggle-hidden");
  return count;
}
"""

# The rendered widgets: the element each widget-view script rendered into, with the page it belongs to.
DEMOS_JS = """
() => {
  const found = [];
  for (const script of document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')) {
    const box = script.parentElement;
    let doc = null;
    for (const span of document.querySelectorAll('span[id^="document-"]')) {
      if (span.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING) doc = span.id.slice(9);
    }
    box.setAttribute("data-dlbook-demo", String(found.length));
    found.push(doc);
  }
  return found;
}
"""

WIDGETS_RENDERED_JS = """
() => [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
  .every((s) => s.parentElement.querySelector(".widget-subarea, .jupyter-widgets, .lm-Widget, canvas, svg"))
"""

MATH_DONE_JS = """
async () => {
  if (!window.MathJax) return document.querySelectorAll(".math").length === 0;
  if (MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  if (MathJax.typesetPromise) await MathJax.typesetPromise();
  return true;
}
"""

FOOTER = (
    '<div style="font-size:8px; width:100%; text-align:center; color:#555;">'
    '<span class="title"></span> &middot; <span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass


def _config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def live_url(doc: str | None, config: dict) -> str:
    """The URL of page ``doc`` (``book/foundations/playground``) in the published web book."""
    base = (config.get("html", {}) or {}).get("baseurl") or config["repository"]["url"]
    return base.rstrip("/") + "/" + (f"{doc}.html" if doc else "")


def _wait(page: object, script: str, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        if time.monotonic() > deadline:
            raise SystemExit(f"make_pdf: timed out waiting for {what}")
        time.sleep(0.25)


def build_pdf(source: Path, output: Path) -> dict:
    """Print ``source``/``book/intro.html`` to ``output``; return what was done (pages, demos, seconds)."""
    from playwright.sync_api import sync_playwright

    config = _config()
    page_file = source / (Path(config.get("root", "book/intro")).as_posix() + ".html")
    if not page_file.is_file():
        candidates = sorted(source.rglob("*.html"), key=lambda p: p.stat().st_size)
        if not candidates:
            raise SystemExit(f"make_pdf: no single-page build in {source} (jupyter-book build . --builder singlehtml)")
        page_file = candidates[-1]
    start = time.perf_counter()
    handler = functools.partial(_Quiet, directory=str(source))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    blocked: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1000, "height": 1400}, device_scale_factor=2)

            def route(r: object) -> None:
                if r.request.url.startswith(origin) or r.request.url.startswith("data:"):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            # Sphinx writes the single page under the root document's folder (book/intro.html) but links its assets
            # as if it sat at the root, so it is served from there.
            body = page_file.read_bytes()
            page.route("**/*", route)
            page.route(f"{origin}/dlbook-print.html", lambda r: r.fulfill(body=body, content_type="text/html"))
            page.goto(f"{origin}/dlbook-print.html", wait_until="load", timeout=120_000)
            page.emulate_media(media="screen")
            _wait(page, MATH_DONE_JS, "MathJax")
            _wait(page, WIDGETS_RENDERED_JS, "the demos to render")
            _wait(page, "() => [...document.images].every((i) => i.complete)", "the images")
            time.sleep(1.0)  # the demos' first frame
            demos = page.evaluate(DEMOS_JS)
            for i, doc in enumerate(demos):
                box = page.locator(f'[data-dlbook-demo="{i}"]')
                box.scroll_into_view_if_needed()
                png = box.screenshot(type="png")
                url = live_url(doc, config)
                page.evaluate(
                    """([i, data, url]) => {
                      const box = document.querySelector(`[data-dlbook-demo="${i}"]`);
                      box.innerHTML = `<figure class="dlbook-demo-still"><img alt="The interactive demo as it opens"
                        src="data:image/png;base64,${data}"><figcaption>A still image of an interactive demo. Use it
                        live in the web book: <a href="${url}">${url}</a></figcaption></figure>`;
                    }""",
                    [i, base64.b64encode(png).decode(), url],
                )
            chapters = page.evaluate(PREPARE_JS, [config.get("title", "dlbook"), config.get("author", "")])
            page.add_style_tag(content=PRINT_CSS)
            page.emulate_media(media="print")
            output.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(output),
                format="A4",
                print_background=True,
                outline=True,
                tagged=True,
                display_header_footer=True,
                header_template="<div></div>",
                footer_template=FOOTER,
                margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
            )
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {
        "chapters": chapters,
        "demos": len(demos),
        "blocked": blocked,
        "seconds": time.perf_counter() - start,
        "megabytes": output.stat().st_size / 1e6,
    }


def main(argv: list[str]) -> int:
    """Build the PDF and report its size and the time it took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "_build" / "singlehtml")
    parser.add_argument("--output", type=Path, default=ROOT / "_build" / "html" / "dlbook.pdf")
    args = parser.parse_args(argv)
    done = build_pdf(args.source, args.output)
    print(
        f"make_pdf: {args.output} ({done['megabytes']:.1f} MB, {done['chapters']} chapters, {done['demos']} demos "
        f"as still images) in {done['seconds']:.0f} s"
    )
    if done["blocked"]:
        print("make_pdf: blocked off-machine requests: " + ", ".join(sorted(set(done["blocked"]))[:5]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
