"""Sphinx extension for the dlbook course: a self-contained static site, plus the execution-statistics table.

* When ``make vendor`` has installed MathJax, require.js, the Jupyter widget manager and anywidget's front end into
  ``_vendor/vendor`` (from npm and the anywidget pip package), the book serves them itself: ``mathjax_path`` and
  myst-nb's ``nb_ipywidgets_js`` point at those copies and no page asks another host for anything. Without them
  (no npm on a reader's machine) the book keeps the CDN defaults and says so.
* ``dlbook-page.js`` configures FontAwesome before the theme loads (see the file).
* Repeated script tags are dropped from every page (sphinx-thebe may register its inline config twice, and the
  second ``const`` declaration throws).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)
HERE = Path(__file__).parent


def _use_local_assets(app: Sphinx, config: Config) -> None:
    vendor = Path(app.srcdir) / "_vendor" / "vendor"
    config.html_static_path = [*config.html_static_path, str(HERE / "static")]
    config.html_js_files = [*config.html_js_files, "dlbook-page.js"]
    needed = ["mathjax/tex-chtml.js", "require.js", "embed-amd.js", "anywidget/index.js"]
    missing = [name for name in needed if not (vendor / name).is_file()]
    if missing:
        logger.info(
            "dlbook: local copies of %s not found in _vendor/vendor (run `make vendor`, which needs npm); "
            "the book will load MathJax and the widget manager from CDNs",
            ", ".join(missing),
        )
        return
    config.mathjax_path = "vendor/mathjax/tex-chtml.js"
    config.nb_ipywidgets_js = {
        "vendor/require.js": {},
        "widgets-config.js": {},
        "vendor/embed-amd.js": {},
    }


def _dedupe_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Drop repeated script tags (sphinx-thebe can register its inline config twice, which throws in the page)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for js in scripts:
        attributes = getattr(js, "attributes", {}) or {}
        key = (getattr(js, "filename", None) or "", repr(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    app.connect("config-inited", _use_local_assets)
    app.connect("html-page-context", _dedupe_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
