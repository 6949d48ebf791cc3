"""The chapters as files: listed in the table of contents, stored clean, with exercises, citations that resolve and
no network access. (nbmake executes every notebook, solutions included; the strict book build renders them.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
NOTEBOOKS = sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
CHAPTERS = [
    "foundations/mlp",
    "foundations/activations",
    "foundations/backprop",
    "training/optimization",
    "training/initialization",
    "training/regularization",
    "cnn/convolution",
    "cnn/cnn-family",
    "sequences/rnn",
    "sequences/transformers",
]
REQUIRED_WORKS = """rumelhart1986learning lecun1998gradient krizhevsky2012imagenet simonyan2014very szegedy2015going
he2015delving he2016deep huang2017densely ioffe2015batch glorot2010understanding kingma2014adam srivastava2014dropout
hochreiter1997long bahdanau2014neural vaswani2017attention devlin2018bert radford2018improving hendrycks2016gaussian
ramachandran2017searching clevert2015fast maas2013rectifier gal2016dropout murphy2022pml""".split()


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _toc_files() -> set[str]:
    return set(re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8")))


def _bib_keys() -> set[str]:
    return set(re.findall(r"@\w+\{([^,]+),", (BOOK / "references.bib").read_text(encoding="utf-8")))


def test_every_notebook_is_in_the_toc_and_every_toc_entry_exists():
    toc = _toc_files()
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS}
    assert on_disk <= toc, f"notebooks missing from _toc.yml: {sorted(on_disk - toc)}"
    for entry in toc:
        assert any((ROOT / f"{entry}{ext}").is_file() for ext in (".ipynb", ".md")), f"_toc.yml lists {entry}"
    assert {f"book/{c}" for c in CHAPTERS} <= toc


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_notebook_is_stored_without_outputs(path):
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name} cell {i} has stored outputs (tools/strip_notebooks.py)"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"
    ids = [cell.get("id") for cell in _cells(path)]
    twins = sorted({i for i in ids if ids.count(i) > 1})
    assert None not in ids and not twins, f"{path.name}: cells without an id or sharing one: {twins}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_notebook_downloads_nothing(path):
    # Exempt: exactly the bootstrap cell (tools/sync_bootstrap.py), which pip-installs dlbook where it is missing.
    bootstrap = [c for c in _cells(path) if "dlbook-bootstrap" in c.get("metadata", {}).get("tags", [])]
    assert len(bootstrap) <= 1, f"{path.name} has {len(bootstrap)} bootstrap cells"
    code = "\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "code" and c not in bootstrap)
    for pattern in (
        r"urllib\.request",
        r"\brequests\.",
        r"fetch_openml",
        r"load_dataset",
        r"https?://",
        r"\b(wget|curl)\b",
    ):
        assert not re.search(pattern, code), f"{path.name}: code matches {pattern!r}; nothing may be downloaded"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_three_exercises_with_executed_solutions(chapter):
    cells = _cells(BOOK / f"{chapter}.ipynb")
    labels = []
    solutions: dict[str, int] = {}
    current: str | None = None
    for cell in cells:
        src = _source(cell)
        if cell["cell_type"] == "markdown":
            labels += re.findall(r"```\{exercise-start\}\s*\n:label:\s*(\S+)", src)
            assert "{solution}" not in src, f"{chapter}: use the gated solution-start/solution-end form"
            start = re.search(r"```\{solution-start\}\s*(\S+)", src)
            if start:
                current = start.group(1)
                assert ":class: dropdown" in src, f"{chapter}: solution to {current} is not hidden in a dropdown"
                solutions[current] = 0
            if re.search(r"```\{solution-end\}", src):
                current = None
        elif cell["cell_type"] == "code" and current is not None:
            tags = cell.get("metadata", {}).get("tags", [])
            assert "skip-execution" not in tags and "raises-exception" not in tags, f"{chapter}: {current}"
            if _source(cell).strip():
                solutions[current] += 1
    assert len(labels) >= 3, f"{chapter} has {len(labels)} exercises; at least three are expected"
    for label in labels:
        assert solutions.get(label, 0) >= 1, f"{chapter}: exercise {label} has no solution with executed code"


def test_every_citation_is_in_the_bibliography():
    keys = _bib_keys()
    cited: set[str] = set()
    for path in [*NOTEBOOKS, *BOOK.rglob("*.md")]:
        text = path.read_text(encoding="utf-8")
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text):
            cited |= {k.strip() for k in group.split(",")}
    assert cited, "no chapter cites anything"
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"


def test_bibliography_holds_the_course_works():
    missing = set(REQUIRED_WORKS) - _bib_keys()
    assert not missing, f"references.bib lacks {sorted(missing)}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_uses_dlbook(chapter):
    code = "\n".join(_source(c) for c in _cells(BOOK / f"{chapter}.ipynb") if c["cell_type"] == "code")
    assert re.search(r"^\s*(from dlbook[.\w]* import|import dlbook)", code, re.M), f"{chapter} does not use dlbook"


def _hidden(cell: dict) -> bool:
    tags = set(cell.get("metadata", {}).get("tags", []))
    return bool(tags & {"remove-cell", "remove-input", "hide-input", "hide-cell"})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_code_shown_in_the_book_shows_the_idea(path):
    """Issue 15: no code cell shown in the book is longer than 25 lines; plumbing is hidden by tags, and thread
    limits (set once by the bootstrap cell) and private names of dlbook stay out of the chapters."""
    long_cells, plumbing = [], []
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "code":
            continue
        src = _source(cell)
        if "dlbook-bootstrap" in cell.get("metadata", {}).get("tags", []):
            continue
        lines = [line for line in src.splitlines() if line.strip()]
        if not _hidden(cell) and len(lines) > 25:
            long_cells.append(f"cell {i} ({cell.get('id')}): {len(lines)} lines")
        if re.search(r"threadpool_limits|ThreadpoolController|limit_blas_threads|OPENBLAS_NUM_THREADS", src):
            plumbing.append(f"cell {i} sets BLAS threads")
        if re.search(r"from dlbook[.\w]* import [^\n]*\b_\w+|dlbook(\.\w+)*\._\w+", src):
            plumbing.append(f"cell {i} uses a private name of dlbook")
        if re.search(r"""["']\|[^"'\n]*\|["']""", src) and re.search(r"\.join\(|\+=", src):
            plumbing.append(f"cell {i} builds a Markdown table by hand (use dlbook.book.table)")
    assert not long_cells, f"{path.name}: code cells over 25 lines shown in the book: {long_cells}"
    assert not plumbing, f"{path.name}: {plumbing}"
