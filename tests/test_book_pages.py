"""What a reader sees on the built pages, read from the HTML: no raw markup, no NaN, and an API reference that
documents every public name of dlbook with its signature.

These run after the strict build (marked ``browser``, like the tests that open the pages in Chromium) and read the
files directly: text inside ``<script>``, ``<style>`` and ``<pre>`` (code and its printed output) is not prose.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import re

import pytest
from conftest import HTML

import dlbook

pytestmark = pytest.mark.browser

PAGES = sorted(
    p
    for p in HTML.rglob("*.html")
    if not {"_static", "_sources", "_modules", "_images", "_vendor"} & set(p.relative_to(HTML).parts)
    and p.name not in {"genindex.html", "search.html", "py-modindex.html"}
)

# What a page must never show a reader: reStructuredText directives, MyST roles and directives left unparsed,
# and NaN or infinity in prose (a glued number that went wrong).
RAW = {
    "a reStructuredText directive": r"(?m)^\s*\.\. [a-z][a-z-]*::|\s\.\. [a-z][a-z-]*::",
    "a MyST role": r"\{(glue|glue:text|glue:figure|eq|cite|cite:p|cite:t|numref|ref|doc|math)\}`",
    "a MyST directive": r"```\{|:::\{",
    "a reStructuredText role": r"(?<![\w`]):(math|class|func|meth|mod|data|attr|cite|ref)s?:`",
    "NaN or infinity": r"\b(NaN|nan|inf|-inf|Infinity)\b",
}


def prose(path) -> str:
    """The visible text of a page, less scripts, styles and preformatted blocks (code and outputs)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    text = re.sub(r"<(script|style|pre|code)\b.*?</\1>", " ", text, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def test_pages_were_found():
    assert len(PAGES) >= 15, [str(p) for p in PAGES]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(HTML)))
def test_no_raw_markup_or_nan_in_prose(path):
    text = prose(path)
    found = []
    # The API reference documents, in words, what functions do with NaN and infinity: there the words are not numbers.
    checks = {k: v for k, v in RAW.items() if not (k == "NaN or infinity" and path.name == "api.html")}
    for what, pattern in checks.items():
        for m in re.finditer(pattern, text):
            found.append(f"{what}: ...{' '.join(text[max(0, m.start() - 60) : m.end() + 40].split())}...")
    # A cross-reference takes a heading's text without rendering its math: "Why divide by \\sqrt{d_k}".
    for m in re.finditer(LATEX_IN_LINK, path.read_text(encoding="utf-8", errors="replace")):
        found.append(f"LaTeX source in a link's text: {m.group(0)[:80]}")
    assert not found, "\n".join(found[:10])


LATEX_IN_LINK = r'<span class="std std-ref">[^<]*\\[a-zA-Z]+'


def test_latex_in_a_link_text_is_caught():
    assert re.search(LATEX_IN_LINK, '<a href="#x"><span class="std std-ref">Why divide by \\sqrt{d_k}</span></a>')
    assert not re.search(LATEX_IN_LINK, '<a href="#x"><span class="std std-ref">Why divide</span></a>')


def test_the_checks_catch_what_they_name(tmp_path):
    page = tmp_path / "p.html"
    for snippet in (
        "<p>.. automodule:: dlbook.conv</p>",
        "<p>accuracy {glue:text}`mlp-acc`</p>",
        "<p>```{note}</p>",
        "<p>the loss is nan after 3 steps</p>",
        "<p>see :func:`fit`</p>",
    ):
        page.write_text(f"<html><body>{snippet}<pre>nan is fine in code</pre></body></html>")
        assert any(re.search(p, prose(page)) for p in RAW.values()), snippet
    page.write_text("<html><body><p>a fine sentence</p><pre>.. automodule:: x and nan</pre></body></html>")
    assert not any(re.search(p, prose(page)) for p in RAW.values())


def public_names() -> list[str]:
    """``module.name`` for every name in the ``__all__`` of every public dlbook module.

    A class or function that a package re-exports (``dlbook.widgets.MLPPlayground``) is documented where it is
    defined, so it is named by its defining module.
    """
    names = set()
    for info in pkgutil.walk_packages(dlbook.__path__, "dlbook."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            home = getattr(obj, "__module__", None) if callable(obj) else None
            names.add(f"{home}.{name}" if home and home.startswith("dlbook.") else f"{info.name}.{name}")
    return sorted(names)


def test_api_reference_documents_every_public_name_with_its_signature():
    page = (HTML / "book" / "appendix" / "api.html").read_text(encoding="utf-8")
    names = public_names()
    assert len(names) > 100
    missing = [name for name in names if f'id="{name}"' not in page]
    assert not missing, f"{len(missing)} public names have no entry in the API reference: {missing[:20]}"
    # Each entry is a rendered signature (a <dt class="sig ..."> with the name), not text that mentions it.
    signatures = re.findall(r'<dt class="sig sig-object py" id="([^"]+)"', page)
    assert set(names) <= set(signatures)
    assert "automodule" not in prose(HTML / "book" / "appendix" / "api.html")


# A PNG figure is scaled down to the text column, about 360 CSS px wide on a 390 px phone. The course's style
# (dlbook.plotting.use_style) draws at 110 dpi with 9-11 pt text, so a figure at most 800 px wide (about 7.3 in) still
# shows 10 pt text at about 7 CSS px or more there; a row of four panels at 1,400 px would shrink it to under 4 px.
# Wider material goes into rows (or separate figures) instead.
MAX_FIGURE_PX = 800


def test_every_chapter_figure_is_narrow_enough_to_read_on_a_phone():
    from PIL import Image

    wide = []
    for path in PAGES:
        if not path.relative_to(HTML).parts[0] == "book" or "appendix" in path.parts:
            continue
        page = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<img\b[^>]*>", page):
            src, alt = re.search(r'\bsrc="([^"]+)"', tag), re.search(r'\balt="([^"]*)"', tag)
            file = (path.parent / src.group(1)).resolve() if src else None
            if file is None or file.suffix != ".png" or "_static" in file.parts or not file.is_file():
                continue
            width = Image.open(file).size[0]
            if width > MAX_FIGURE_PX:
                wide.append(f"{path.relative_to(HTML)}: {width} px, '{(alt.group(1) if alt else '')[:70]}'")
    assert not wide, f"{len(wide)} figures wider than {MAX_FIGURE_PX} px:\n" + "\n".join(wide)
