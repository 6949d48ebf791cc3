"""The student edition (tools/make_student.py, `make student`): nbgrader's own generate_assignment accepts it, no
solution text is left in the release version, and with the reference solutions filled back in every check passes.

nbgrader is installed on first use into .venv/nbgrader (pip --target; see tools/requirements-nbgrader.txt), apart
from .venv's site-packages so that its JupyterLab extension does not change the JupyterLab of the browser tests.
Only the build-it-yourself cells are executed (in this process), not whole chapters.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student)

# One worker builds the edition (and installs nbgrader on first use) for all these tests (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("student")
CHAPTERS = make_student.chapters()
STUB = re.compile(r"^(?P<indent>[ \t]*)# YOUR CODE HERE\n(?P=indent)raise NotImplementedError\(\)$", re.M)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _grading(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("student")
    make_student.write_edition(out)
    try:
        make_student.nbgrader_dir()
    except RuntimeError as exc:  # no package index reachable: nothing to test against
        pytest.skip(str(exc))
    return make_student.generate(out)


def _solution_texts(book: Path) -> tuple[list[str], list[str]]:
    """(body lines of build-it-yourself solutions, lines of every other exercise solution) of one chapter."""
    build, other, inside = [], [], False
    outside: list[str] = []
    for cell in _cells(book):
        src = _source(cell)
        if re.search(r"```\{solution-start\}", src):
            inside = True
            continue
        if re.search(r"```\{solution-end\}", src):
            inside = False
            continue
        if "dlbook-build-solution" in cell.get("metadata", {}).get("tags", []):
            fn = ast.parse(src).body[-1]
            lines = src.splitlines()[fn.body[1].lineno - 1 : fn.end_lineno]
            build += [line.strip() for line in lines]
        elif inside:
            other += [line.strip() for line in src.splitlines()]
        else:
            outside.append(src)
    elsewhere = "\n".join(outside)  # a line that the chapter also shows outside its solutions is no giveaway
    keep = [line for line in other if len(line) >= 25 and line not in elsewhere]
    return [line for line in build if len(line) >= 10 and line not in elsewhere], keep


def _release_notebook(release: Path, book: Path) -> Path:
    return release / book.stem / book.name


@pytest.mark.parametrize("book", CHAPTERS, ids=lambda p: p.stem)
def test_release_holds_no_solution_text(release, book):
    text = "\n".join(_source(c) for c in _cells(_release_notebook(release, book)))
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    build, other = _solution_texts(book)
    assert len(build) >= 2
    for line in build + other:
        assert line not in text, f"{book.stem}: solution text left in the release: {line!r}"


@pytest.mark.parametrize("book", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_has_two_graded_build_exercises(release, book):
    cells = _cells(_release_notebook(release, book))
    tests = [c for c in cells if _grading(c).get("grade") and _grading(c).get("locked") and c["cell_type"] == "code"]
    answers = [c for c in cells if _grading(c).get("grade_id", "").endswith("-code")]
    assert len(tests) >= 2 and len(answers) == len(tests)
    for cell in tests:
        assert re.fullmatch(r"check\.\w+\(\w+\)\.require\(\)\s*(#.*)?", _source(cell).strip()), _source(cell)
    for cell in answers:
        assert STUB.search(_source(cell)), _source(cell)
    ids = [_grading(c)["grade_id"] for c in cells if _grading(c)]
    assert len(ids) == len(set(ids)), "nbgrader grade_ids must be unique"


def _build_cells(path: Path) -> list[dict]:
    return [
        c
        for c in _cells(path)
        if "dlbook-build-setup" in c.get("metadata", {}).get("tags", [])
        or _grading(c).get("grade_id", "").endswith(("-code", "-test"))
    ]


def _run(cells: list[dict], fill: dict[str, str] | None) -> list[tuple[str, BaseException | None]]:
    namespace: dict = {}
    results = []
    for cell in cells:
        src = _source(cell)
        grade_id = _grading(cell).get("grade_id", "")
        if fill is not None and grade_id.endswith("-code"):
            body = fill[grade_id.removesuffix("-code")]
            src = STUB.sub(lambda m, body=body: "\n".join(m["indent"] + line for line in body.splitlines()), src)
        try:
            exec(compile(src, grade_id or "setup", "exec"), namespace)  # noqa: S102 - the exercise cells themselves
            results.append((grade_id, None))
        except Exception as exc:
            results.append((grade_id, exc))
    return results


def _reference_bodies(book: Path) -> dict[str, str]:
    bodies = {}
    for cell in _cells(book):
        if "dlbook-build-solution" in cell.get("metadata", {}).get("tags", []):
            src = _source(cell)
            fn = ast.parse(src).body[-1]
            lines = src.splitlines()[fn.body[1].lineno - 1 : fn.end_lineno]
            indent = len(lines[0]) - len(lines[0].lstrip())
            bodies[cell["id"].removesuffix("-solution")] = "\n".join(line[indent:] for line in lines)
    return bodies


@pytest.mark.parametrize("book", CHAPTERS, ids=lambda p: p.stem)
def test_reference_solutions_filled_back_pass_every_check(release, book):
    cells = _build_cells(_release_notebook(release, book))
    with np.errstate(all="raise"):
        results = _run(cells, _reference_bodies(book))
    failed = [(g, f"{type(e).__name__}: {e}") for g, e in results if e is not None]
    assert not failed, failed
    assert sum(g.endswith("-test") for g, _ in results) >= 2


@pytest.mark.parametrize("book", CHAPTERS, ids=lambda p: p.stem)
def test_unsolved_release_fails_its_tests_politely(release, book):
    results = _run(_build_cells(_release_notebook(release, book)), None)
    tests = [(g, e) for g, e in results if g.endswith("-test")]
    assert tests and all(isinstance(e, AssertionError) and "not implemented yet" in str(e) for _, e in tests), tests
    assert all(e is None for g, e in results if not g.endswith("-test"))


def test_mark_function_body_keeps_signature_and_docstring():
    src = 'def f(a):\n    """Doc."""\n    b = a + 1\n    return b'
    marked = make_student.mark_function_body(src)
    assert marked.splitlines() == [
        "def f(a):",
        '    """Doc."""',
        "    ### BEGIN SOLUTION",
        "    b = a + 1",
        "    return b",
        "    ### END SOLUTION",
    ]


@pytest.mark.parametrize("book", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_says_how_to_use_it_and_has_two_build_exercises(book):
    cells = _cells(book)
    by_id = {c.get("id"): c for c in cells}
    stubs = [c for c in cells if "dlbook-build-stub" in c.get("metadata", {}).get("tags", [])]
    assert len(stubs) >= 2, f"{book.stem}: fewer than two build-it-yourself exercises"
    for stub in stubs:
        label = stub["id"].removesuffix("-stub")
        assert "raise NotImplementedError" in _source(stub)
        call = _source(by_id[f"{label}-check"]).strip()
        assert re.fullmatch(r"check\.\w+\(\w+\)", call)
        assert _source(by_id[f"{label}-sol-check"]).strip() == call
        assert "NotImplementedError" not in _source(by_id[f"{label}-solution"])
    assert any("How to use this chapter" in _source(c) for c in cells[:4])
    assert any(_source(c).lstrip().startswith("(") and "## Build it yourself" in _source(c) for c in cells)


def test_every_chapter_of_the_table_of_contents_is_in_the_edition():
    assert len(CHAPTERS) == 13
