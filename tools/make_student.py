"""Write the student edition of the chapters: an nbgrader course whose notebooks hold no solutions.

Usage: ``python tools/make_student.py [--out DIR] [chapter ...]`` (default: every chapter notebook, into
``_build/student``). ``make student`` runs it and then nbgrader's ``generate_assignment`` on the result.

The edition is nbgrader's *source* layout (``DIR/source/<chapter>/<chapter>.ipynb`` plus ``nbgrader_config.py``),
so an instructor runs ``nbgrader generate_assignment <chapter>`` to get the release version and ``nbgrader
autograde`` to grade submissions. In every notebook:

* each **build-it-yourself** exercise becomes an nbgrader answer cell holding the chapter's reference solution between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader replaces it with ``raise NotImplementedError()``), and
  its ``dlbook.check`` call becomes a locked, graded test cell (``check.<name>(fn).require()`` raises
  ``AssertionError`` with the checker's sentence when something is wrong): the checkers are the autograder tests;
  the solution dropdown is dropped;
* every other exercise's solution becomes answer cells: code wrapped in the solution markers, text as a manually
  graded answer (nbgrader replaces the whole cell);
* the MyST exercise and solution directives, which Jupyter does not render, become a bold "Exercise" line or go.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
SCHEMA = 3
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# nbgrader lives apart from .venv's site-packages: it ships a JupyterLab extension and enables server extensions,
# which would change the JupyterLab that the browser tests drive. Its own few dependencies missing from
# requirements.txt are pinned with it; everything else (nbconvert, jupyter_server, SQLAlchemy) comes from .venv.
NBGRADER_REQUIREMENTS = ROOT / "tools" / "requirements-nbgrader.txt"
NBGRADER_DIR = Path(os.environ.get("DLBOOK_NBGRADER_DIR", ROOT / ".venv" / "nbgrader"))


def chapters() -> list[Path]:
    """The chapter notebooks, in the order of the table of contents."""
    toc = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [ROOT / f"{entry}.ipynb" for entry in toc if (ROOT / f"{entry}.ipynb").is_file()]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _nbgrader(grade_id: str, *, solution: bool, grade: bool, locked: bool, points: int | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA, "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def mark_function_body(source: str) -> str:
    """Put the body of the (last) function defined in ``source`` between nbgrader's solution markers.

    The signature and docstring stay, so the student sees what to write; nbgrader replaces the marked region with
    ``raise NotImplementedError()``.
    """
    tree = ast.parse(source)
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    if not funcs:
        raise ValueError("a build-it-yourself solution cell must define a function")
    fn = funcs[-1]
    body = fn.body
    if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]  # keep the docstring
    lines = source.splitlines()
    first, last = body[0].lineno - 1, fn.end_lineno
    indent = re.match(r"\s*", lines[first]).group(0)
    marked = lines[:first] + [indent + BEGIN] + lines[first:last] + [indent + END] + lines[last:]
    return "\n".join(marked)


def student_notebook(nb: dict) -> dict:
    """The student version of one chapter notebook (a new dict; ``nb`` is not changed)."""
    nb = json.loads(json.dumps(nb))
    cells = nb["cells"]
    by_id = {c.get("id"): c for c in cells}
    out: list[dict] = []
    label: str | None = None  # the exercise whose solution we are in
    build = False  # is that a build-it-yourself exercise?
    answers = 0
    for cell in cells:
        src = _source(cell)
        tags = _tags(cell)
        if cell["cell_type"] == "markdown":
            start = re.search(r"```\{exercise-start\}\s*\n:label:\s*(\S+)", src)
            if start:
                out.append(
                    {
                        "cell_type": "markdown",
                        "id": cell["id"],
                        "metadata": {},
                        "source": f"**Exercise `{start.group(1)}`.**",
                    }
                )
                continue
            if re.search(r"```\{exercise-end\}", src):
                continue
            sol = re.search(r"```\{solution-start\}\s*(\S+)", src)
            if sol:
                label, answers = sol.group(1), 0
                build = f"{label}-stub" in by_id
                continue
            if re.search(r"```\{solution-end\}", src):
                label = None
                continue
        if label is not None:  # inside a solution dropdown
            if build:
                continue  # the reference solution went into the answer cell
            answers += 1
            grade_id = f"{label}-answer-{answers}"
            cell.setdefault("metadata", {})
            if cell["cell_type"] == "code":
                cell["source"] = f"{BEGIN}\n{src}\n{END}"
                cell["metadata"]["nbgrader"] = _nbgrader(grade_id, solution=True, grade=False, locked=False)
            else:
                cell["metadata"]["nbgrader"] = _nbgrader(grade_id, solution=True, grade=True, locked=False, points=1)
            out.append(cell)
            continue
        if "dlbook-build-stub" in tags:
            exercise = cell["id"].removesuffix("-stub")
            solution = by_id[f"{exercise}-solution"]
            cell["source"] = mark_function_body(_source(solution))
            cell["metadata"]["nbgrader"] = _nbgrader(f"{exercise}-code", solution=True, grade=False, locked=False)
        elif "dlbook-build-check" in tags:
            exercise = cell["id"].removesuffix("-check")
            cell["source"] = src.strip() + ".require()  # raises AssertionError with the check's sentence"
            cell["metadata"]["nbgrader"] = _nbgrader(
                f"{exercise}-test", solution=False, grade=True, locked=True, points=1
            )
        out.append(cell)
    nb["cells"] = out
    return nb


CONFIG = '''"""nbgrader configuration of dlbook's student edition (written by tools/make_student.py)."""

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "dlbook"
c.CourseDirectory.root = __file__.rsplit("/", 1)[0]
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
'''


README = """# dlbook, student edition

An nbgrader course: one assignment per chapter in `source/` (solutions between nbgrader's markers; each
build-it-yourself exercise graded by its `dlbook.check` call). `nbgrader generate_assignment <chapter>` (or `"*"`)
writes the version to hand out into `release/`; `nbgrader autograde` grades submissions with the same checks. Each
notebook's first cell installs `dlbook` where it is missing. Written by `make student` (tools/make_student.py).
"""


def write_edition(out: Path, paths: list[Path] | None = None) -> list[Path]:
    """Write the edition into ``out`` (replacing an old one); return the student notebooks written."""
    if out.exists():
        shutil.rmtree(out)
    written = []
    for path in paths or chapters():
        nb = json.loads(path.read_text(encoding="utf-8"))
        target = out / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(student_notebook(nb), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    (out / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    (out / "README.md").write_text(README, encoding="utf-8")
    return written


def nbgrader_dir() -> Path:
    """Where nbgrader is importable from (installed there with pip ``--target`` on first use); raises RuntimeError."""
    stamp = NBGRADER_DIR / ".installed"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == NBGRADER_REQUIREMENTS.read_text(encoding="utf-8"):
        return NBGRADER_DIR
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--target",
        str(NBGRADER_DIR),
        "-r",
        str(NBGRADER_REQUIREMENTS),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"could not install nbgrader into {NBGRADER_DIR}: {done.stderr.strip()[-500:]}")
    stamp.write_text(NBGRADER_REQUIREMENTS.read_text(encoding="utf-8"), encoding="utf-8")
    return NBGRADER_DIR


def generate(out: Path) -> Path:
    """Run nbgrader's own ``generate_assignment`` on every chapter of the edition; return ``out / "release"``."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(nbgrader_dir()), os.environ.get("PYTHONPATH")])),
    }
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", "*", "--no-db", "--force"]
    done = subprocess.run(cmd, cwd=out, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return out / "release"


def main(argv: list[str] | None = None) -> None:
    """Command line: write the student edition (and, with ``--release``, nbgrader's release version of it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student")
    parser.add_argument("--release", action="store_true", help="also run nbgrader generate_assignment")
    parser.add_argument("chapters", nargs="*", type=Path, help="chapter notebooks (default: all)")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.chapters] or None
    written = write_edition(args.out, paths)
    print(f"wrote {len(written)} student notebooks into {args.out / 'source'}")
    if args.release:
        print(f"nbgrader wrote the release version into {generate(args.out)}")


if __name__ == "__main__":
    main()
