"""The PDF edition (``make pdf``: the single-page build printed by Chromium, tools/make_pdf.py).

Marked ``browser``: it reads the PDF that ``make test`` builds just before the browser tests. pdftotext and pdfinfo
come from Debian's poppler-utils (.ci/run installs them).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "_build" / "html" / "dlbook.pdf"
SINGLE = ROOT / "_build" / "singlehtml" / "book" / "intro.html"
pytestmark = pytest.mark.browser

# What must never reach paper: TeX that MathJax did not typeset, MyST roles and directives, Markdown fences.
TEX = [
    r"\$\$",
    r"\\(frac|tfrac|sum|mathbf|mathrm|begin|end|left|right|sigma|partial|odot|operatorname|qquad)\b",
]
RAW = [
    *TEX,
    r"\{(glue|glue:text|eq|cite|cite:p|numref|ref|doc|math)\}",
    r"```",
    r"\{(exercise|solution)-(start|end)\}",
    r"^:(label|class):",
]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} not found: apt-get install -y poppler-utils (.ci/run does this)")
    return path


@pytest.fixture(scope="module")
def text() -> str:
    if not PDF.is_file():
        pytest.fail("no PDF edition: run `make pdf` (make test and make book build it)")
    return subprocess.run([_tool("pdftotext"), "-layout", str(PDF), "-"], capture_output=True, text=True).stdout


def _toc() -> str:
    return (ROOT / "_toc.yml").read_text(encoding="utf-8")


def _titles() -> list[str]:
    titles = []
    for entry in re.findall(r"file:\s*(\S+)", _toc()):
        nb, md = ROOT / f"{entry}.ipynb", ROOT / f"{entry}.md"
        if nb.is_file():
            cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
            source = "".join(next(c for c in cells if c["cell_type"] == "markdown")["source"])
        else:
            source = md.read_text(encoding="utf-8")
        titles.append(re.search(r"^# (.+)$", source, re.M).group(1).strip())
    return titles


def test_pdf_is_from_this_build_and_has_pages():
    assert PDF.is_file(), "run `make pdf`"
    assert PDF.stat().st_mtime >= SINGLE.stat().st_mtime, "the PDF is older than the single-page build"
    info = subprocess.run([_tool("pdfinfo"), str(PDF)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages > 100, info
    assert re.search(r"^Page size:\s+59[56](\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info, re.M), info


def test_text_is_extractable_and_holds_every_chapter(text):
    flat = re.sub(r"\s+", " ", text)
    assert len(flat) > 100_000
    contents = flat[flat.index("Contents") : flat.index("Contents") + 20_000]
    for title in _titles():
        words = re.sub(r"[`*_]", "", title)
        assert words in contents, f"{title!r} missing from the table of contents"
        assert flat.count(words) >= 2, f"{title!r} appears only in the contents"


def _code() -> str:
    """Every line of code the book shows (code cells, fenced blocks): TeX in a Python string there is no leak."""
    parts = []
    for path in (ROOT / "book").rglob("*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        parts += ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    for path in (ROOT / "book").rglob("*.md"):
        parts += re.findall(r"```[a-z]*\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    return "\n".join(parts)


def test_no_raw_tex_or_directive_text(text):
    code = _code()
    # The API appendix shows Python values (reprs), whose TeX strings are data: the TeX check stops before it.
    api = _titles()[[e.endswith("appendix/api") for e in re.findall(r"file:\s*(\S+)", _toc())].index(True)]
    prose = text[: text.find(api, text.find(api) + len(api))]
    for pattern in RAW:
        for found in re.finditer(pattern, prose if pattern in TEX else text, re.M):
            line = text[text.rfind("\n", 0, found.start()) + 1 : text.find("\n", found.end())].strip()
            if line and line in code:
                continue  # the chapter shows this code
            context = text[max(0, found.start() - 200) : found.end() + 200]
            raise AssertionError(f"raw markup {pattern!r} in the PDF: ...{context}...")


def test_demos_are_stills_linking_to_their_live_pages(text):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    base = config["html"]["baseurl"].rstrip("/")
    flat = re.sub(r"\s+", "", text)
    for page in ("book/foundations/playground.html", "book/cnn/convolution.html"):
        assert f"{base}/{page}".replace(" ", "") in flat, f"no live link to {page}"
    assert text.count("A still image of an interactive demo") >= 2


def test_front_page_links_to_the_pdf():
    intro = (ROOT / "_build" / "html" / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'href="../dlbook.pdf"' in intro
    assert (ROOT / "_build" / "html" / "book" / "../dlbook.pdf").resolve() == PDF.resolve()
