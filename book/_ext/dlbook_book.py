"""Sphinx extension for the dlbook course: a self-contained static site, plus the execution-statistics table.

* When ``make vendor`` has installed MathJax, require.js, the Jupyter widget manager and anywidget's front end into
  ``_vendor/vendor`` (from npm and the anywidget pip package), the book serves them itself: ``mathjax_path`` and
  myst-nb's ``nb_ipywidgets_js`` point at those copies and no page asks another host for anything. Without them
  (no npm on a reader's machine) the book keeps the CDN defaults and says so.
* ``dlbook-page.js`` configures FontAwesome before the theme loads and gives the theme's buttons accessible names
  that contain what they show; ``dlbook-page.css`` keeps links readable (4.5:1) inside tinted boxes (see the files).
* The bibliography's entries are list items: docutils writes the list as ``role="list"`` and each entry as
  ``role="doc-biblioentry"``, a role that DPUB-ARIA 1.1 deprecated and that assistive technology (and axe-core) does
  not count as an item of a list, so the list would be announced as empty.
* ``{dlbook-exec-stats}`` renders the execution time of every notebook in this build (from myst-nb's execution
  records, which come from the jupyter-cache when a notebook was not re-run), with the total and the per-notebook
  budget, so a maintainer sees at a glance which chapter got slow.
* Repeated script tags are dropped from every page (sphinx-thebe may register its inline config twice, and the
  second ``const`` declaration throws).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)
HERE = Path(__file__).parent


def _use_local_assets(app: Sphinx, config: Config) -> None:
    vendor = Path(app.srcdir) / "_vendor" / "vendor"
    config.html_static_path = [*config.html_static_path, str(HERE / "static")]
    config.html_js_files = [*config.html_js_files, "dlbook-page.js"]
    config.html_css_files = [*config.html_css_files, "dlbook-page.css"]
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


_BIBLIOENTRY = re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"')


def _bibliography_as_list_items(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Give each entry of a citation list the role its ``role="list"`` parent needs (see the module docstring)."""
    body = context.get("body")
    if body and 'class="citation-list"' in body:
        context["body"] = _BIBLIOENTRY.sub(r'\1 role="listitem"', body)


BUDGET_SECONDS = 60.0


class ExecStatsNode(nodes.General, nodes.Element):
    """Placeholder replaced by the statistics table once every notebook has been executed."""


class ExecStatsDirective(SphinxDirective):
    """``{dlbook-exec-stats}``: the table of notebook execution times."""

    def run(self) -> list[nodes.Node]:
        from myst_nb.sphinx_ import NbMetadataCollector

        # The same flag as myst-nb's own table, so this page is rewritten whenever a notebook is re-executed.
        NbMetadataCollector.set_doc_data(self.env, self.env.docname, "has_exec_table", True)
        return [ExecStatsNode()]


def _cell(text: str | nodes.Node) -> nodes.entry:
    para = nodes.paragraph()
    para += text if isinstance(text, nodes.Node) else nodes.Text(text)
    return nodes.entry("", para)


def exec_stats_table(docname: str, env: Any) -> nodes.table:
    """Build the table: chapter, how it ran, seconds, status; a total row last."""
    import posixpath

    from myst_nb.sphinx_ import NbMetadataCollector

    records = {
        name: data["exec_data"]
        for name, data in NbMetadataCollector.get_doc_data(env).items()
        if data.get("exec_data") and name in env.all_docs
    }
    headers = ["Notebook", "Run", "Seconds", f"Within {BUDGET_SECONDS:.0f} s", "Status"]
    table = nodes.table(classes=["colwidths-auto", "dlbook-exec-stats"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for _ in headers:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    head += row
    for h in headers:
        row += _cell(h)
    body = nodes.tbody()
    group += body
    order = _toc_order(env)
    total = 0.0
    for name in sorted(records, key=lambda n: (order.get(n, len(order)), n)):
        data = records[name]
        seconds = float(data.get("runtime") or 0.0)
        total += seconds
        link = pending_xref(
            refdoc=docname,
            reftarget=posixpath.relpath(name, posixpath.dirname(docname)),
            reftype="doc",
            refdomain="std",
            refexplicit=True,
            refwarn=True,
        )
        title = env.titles[name].astext() if name in env.titles else name
        link += nodes.inline(text=title)
        row = nodes.row()
        body += row
        row += _cell(link)
        row += _cell("from cache" if data.get("method") == "cache" else str(data.get("method")))
        row += _cell(f"{seconds:.1f}")
        row += _cell("yes" if seconds <= BUDGET_SECONDS else "NO")
        row += _cell("ok" if data.get("succeeded") else "failed")
    row = nodes.row(classes=["dlbook-exec-total"])
    body += row
    row += _cell(nodes.strong(text=f"Total ({len(records)} notebooks)"))
    row += _cell("")
    row += _cell(nodes.strong(text=f"{total:.1f}"))
    row += _cell("")
    row += _cell("")
    return table


class ApiDirective(SphinxDirective):
    """``{dlbook-api}``: one section per public dlbook module, documented by autodoc from its docstrings.

    Modules are discovered, not listed by hand, so a new module appears in the reference as soon as it exists.
    """

    def run(self) -> list[nodes.Node]:
        import importlib
        import pkgutil

        from docutils.statemachine import StringList
        from sphinx.util.nodes import nested_parse_with_titles

        import dlbook

        names = sorted(
            m.name
            for m in pkgutil.walk_packages(dlbook.__path__, "dlbook.")
            if not any(part.startswith("_") for part in m.name.split("."))
        )
        lines: list[str] = []
        for name in names:
            # The page is MyST Markdown, so nested content is parsed as MyST; autodoc writes reStructuredText, so it
            # runs inside eval-rst (otherwise its directives and roles would be shown raw). A name that a package
            # re-exports (dlbook.diagrams.mlp_diagram) is documented once, in the module that defines it.
            module = importlib.import_module(name)
            elsewhere = [
                n
                for n in getattr(module, "__all__", [])
                if getattr(getattr(module, n, None), "__module__", name) not in (name, None)
                and str(getattr(getattr(module, n), "__module__", "")).startswith("dlbook.")
            ]
            options = ["   :members:"] + ([f"   :exclude-members: {', '.join(elsewhere)}"] if elsewhere else [])
            lines += [f"## `{name}`", "", "```{eval-rst}", f".. automodule:: {name}", *options, "```", ""]
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="dlbook-api"), container)
        return container.children


def _toc_order(env: Any) -> dict[str, int]:
    """Position of every document in the book's reading order (depth-first through the toctrees)."""
    order: dict[str, int] = {}

    def visit(doc: str) -> None:
        if doc in order:
            return
        order[doc] = len(order)
        for child in env.toctree_includes.get(doc, []):
            visit(child)

    visit(env.config.root_doc)
    return order


class ExecStatsTransform(SphinxPostTransform):
    """Replace each placeholder with the table (before references are resolved)."""

    default_priority = 8

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(ExecStatsNode)):
            node.replace_self(exec_stats_table(self.env.docname, self.env))


def _skip_foreign_members(app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any) -> bool | None:
    """Leave out of the API reference the members a dlbook class gets from another library (matplotlib generates a
    ``set`` method on every Figure subclass, whose docstring uses matplotlib's own roles)."""
    module = getattr(obj, "__module__", None) or ""
    if what == "class" and callable(obj) and module and not module.startswith("dlbook"):
        return True
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    app.connect("config-inited", _use_local_assets)
    app.connect("autodoc-skip-member", _skip_foreign_members)
    app.connect("html-page-context", _dedupe_scripts)
    app.connect("html-page-context", _bibliography_as_list_items)
    app.add_node(ExecStatsNode)
    app.add_directive("dlbook-exec-stats", ExecStatsDirective)
    app.add_directive("dlbook-api", ApiDirective)
    app.add_post_transform(ExecStatsTransform)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
