"""Sphinx extension for what the dlbook site shows around its pages: favicon, link previews, the PDF edition.

* ``/favicon.ico``: the favicon (``html: favicon:`` in ``_config.yml``) is also copied to the site's root, where
  browsers and link-preview robots look for it without reading the page.
* Link previews: every page gets a ``<meta name="description">`` and Open Graph tags (title, description, site name
  and, when ``html: baseurl:`` is set, the page's canonical URL), the description being the page's first paragraph.
* The single-page build that ``make pdf`` prints (tools/make_pdf.py): myst-nb registers its hidden-cell node for the
  ``html`` builder only, and Sphinx does not fall back to those visitors once another extension registered any node
  for ``singlehtml``; the HTML visitors are copied over so that the single page builds. The single page also
  carries every chapter's widget state and the widget manager's scripts, which myst-nb adds to the chapters' own
  pages only, so that the demos render there too.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

DESCRIPTION_CHARS = 200


def _html_visitors_everywhere(app: Sphinx) -> None:
    """Give the single-page (and dirhtml) builders every node visitor the HTML builder has."""
    handlers = app.registry.translation_handlers
    if app.builder.name in {"singlehtml", "dirhtml"} and app.builder.name in handlers:
        for node, visitors in handlers.get("html", {}).items():
            handlers[app.builder.name].setdefault(node, visitors)


def _widgets_on_the_single_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """On the single page, add the widget state and scripts that myst-nb registered for each chapter."""
    if app.builder.name != "singlehtml" or doctree is None:
        return
    from myst_nb.sphinx_ import NbMetadataCollector

    added = set(NbMetadataCollector.get_js_files(app.env, pagename))  # myst-nb adds this page's own
    for docname in sorted(app.env.found_docs - {pagename}):
        for key, (uri, kwargs) in NbMetadataCollector.get_js_files(app.env, docname).items():
            if key != "ipywidgets_state" and key in added:
                continue
            added.add(key)
            app.add_js_file(uri, **kwargs)


def _first_paragraph(doctree: nodes.document) -> str:
    for para in doctree.findall(nodes.paragraph):
        if any(
            isinstance(p, (nodes.admonition, nodes.footnote, nodes.citation, nodes.block_quote))
            for p in _ancestors(para)
        ):
            continue
        words = [t.astext() for t in para.findall(nodes.Text) if not isinstance(t.parent, nodes.math)]
        text = re.sub(r"\s+", " ", "".join(words)).strip()  # math left out: its TeX would show as source
        if len(text) >= 40:
            return text
    return ""


def _ancestors(node: nodes.Node) -> list[nodes.Node]:
    found = []
    while node.parent is not None:
        node = node.parent
        found.append(node)
    return found


def _shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _link_preview(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Add the description and Open Graph tags of one page to its head."""
    if doctree is None or app.builder.name != "html":
        return
    site = app.config.html_title or app.config.project
    description = _shorten(_first_paragraph(doctree) or site)
    title = re.sub(r"<[^>]+>", "", context.get("title", "") or "").strip() or site
    tags = {
        ("name", "description"): description,
        ("property", "og:title"): html.unescape(title),
        ("property", "og:description"): description,
        ("property", "og:type"): "website",
        ("property", "og:site_name"): site,
        ("name", "twitter:card"): "summary",
    }
    if app.config.html_baseurl:
        base = app.config.html_baseurl.rstrip("/") + "/"
        tags[("property", "og:url")] = base + app.builder.get_target_uri(pagename)
    metatags = "".join(
        f'<meta {kind}="{key}" content="{html.escape(value, quote=True)}" />\n' for (kind, key), value in tags.items()
    )
    context["metatags"] = context.get("metatags", "") + metatags


def _favicon_at_root(app: Sphinx, exception: Exception | None) -> None:
    favicon = app.config.html_favicon
    if exception is not None or app.builder.format != "html" or not favicon or "://" in favicon:
        return
    source = Path(app.confdir) / favicon
    if source.is_file():
        shutil.copyfile(source, Path(app.outdir) / "favicon.ico")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    app.connect("builder-inited", _html_visitors_everywhere)
    app.connect("html-page-context", _link_preview)
    # before dlbook_book's de-duplication, which replaces the page's list of scripts
    app.connect("html-page-context", _widgets_on_the_single_page, priority=400)
    app.connect("build-finished", _favicon_at_root)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
