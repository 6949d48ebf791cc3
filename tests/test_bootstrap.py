"""The bootstrap cell that starts every chapter, and the book helpers it and the chapters use (dlbook.book).

The cell is written by tools/sync_bootstrap.py from one template and the repository URL of _config.yml; here it must
be the first code cell of every chapter, identical everywhere, hidden in the web book, and it must install dlbook the
way a hosted service needs (tests/test_hosted.py runs it there for real).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from dlbook import book

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("sync_bootstrap", ROOT / "tools" / "sync_bootstrap.py")
sync_bootstrap = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync_bootstrap)
CHAPTERS = sync_bootstrap.chapter_notebooks()
SOURCE = sync_bootstrap.bootstrap_source()


def _code_cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


def test_every_chapter_notebook_of_the_toc_is_covered():
    toc = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))
    notebooks = [f for f in toc if (ROOT / f"{f}.ipynb").is_file()]
    assert len(notebooks) >= 12
    assert [str(p.relative_to(ROOT).with_suffix("")) for p in CHAPTERS] == notebooks


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT / "book")))
def test_bootstrap_is_the_first_code_cell_identical_and_hidden(path):
    cells = _code_cells(path)
    first = cells[0]
    assert "".join(first["source"]) == SOURCE, f"{path.name}: run python tools/sync_bootstrap.py"
    assert first["metadata"]["tags"] == ["remove-cell", "dlbook-bootstrap"]
    others = [i for i, c in enumerate(cells[1:], 1) if "dlbook-bootstrap" in c.get("metadata", {}).get("tags", [])]
    assert not others, f"{path.name}: a second bootstrap cell at code cell {others}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT / "book")))
def test_chapters_use_the_helpers_not_the_build_tools(path):
    code = "\n".join("".join(c["source"]) for c in _code_cells(path))
    assert not re.search(r"^\s*(from|import) (myst_nb|jupyter_book|sphinx)\b", code, re.M), path.name
    assert "threadpool_limits" not in code and "OPENBLAS_NUM_THREADS" not in code, f"{path.name}: the bootstrap does it"


def test_sync_tool_reports_nothing_out_of_date():
    run = subprocess.run(
        [sys.executable, "tools/sync_bootstrap.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_repository_url_comes_from_config_yml(tmp_path):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    url, branch = config["repository"]["url"].rstrip("/"), config["repository"]["branch"]
    assert f'requirement="dlbook @ git+{url}@{branch}"' in SOURCE
    other = tmp_path / "_config.yml"
    other.write_text("repository:\n  url: https://example.org/someone/fork\n  branch: dev\n", encoding="utf-8")
    assert 'requirement="dlbook @ git+https://example.org/someone/fork@dev"' in sync_bootstrap.bootstrap_source(other)
    other.write_text("repository:\n  url: not a url\n", encoding="utf-8")
    with pytest.raises(ValueError, match="url"):
        sync_bootstrap.bootstrap_source(other)


def test_sync_is_idempotent_and_replaces_an_old_cell(tmp_path):
    nb = {
        "cells": [
            {"cell_type": "markdown", "id": "t", "metadata": {}, "source": ["# Title"]},
            {"cell_type": "code", "id": "b", "metadata": {"tags": ["dlbook-bootstrap"]}, "source": ["old"]},
            {"cell_type": "code", "id": "c", "metadata": {}, "source": ["x = 1"], "outputs": []},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "ch.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert sync_bootstrap.sync(path, SOURCE)
    assert not sync_bootstrap.sync(path, SOURCE)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert [c["id"] for c in cells] == ["t", "dlbook-bootstrap", "c"]
    assert "".join(cells[1]["source"]) == SOURCE


def _run_cell(tmp_path, cwd: Path, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the cell's install logic in a fresh interpreter whose `import dlbook` fails, with pip replaced by echo."""
    fake_pip = tmp_path / "sitecustomize.py"
    fake_pip.write_text(
        "import subprocess, sys\n"
        "sys.modules['dlbook'] = None  # import dlbook fails, as in a service that does not have it\n"
        "def run(args, check=False):\n"
        "    print('PIP', *args[3:])\n"
        "    raise SystemExit(0)\n"
        "subprocess.run = run\n",
        encoding="utf-8",
    )
    script = SOURCE.split("\n_install_dlbook()")[0] + "\n_install_dlbook()\n"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path), "HOME": str(tmp_path), **extra_env}
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, env=env, capture_output=True, text=True)


def test_cell_installs_the_checkout_it_sits_in(tmp_path):
    run = _run_cell(tmp_path, ROOT / "book" / "foundations", {"DLBOOK_SOURCE": "/elsewhere"})
    assert f"PIP install --quiet -e {ROOT}" in run.stdout, run.stdout + run.stderr


def test_cell_installs_dlbook_source_outside_a_checkout(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "another"\n', encoding="utf-8")
    run = _run_cell(tmp_path, tmp_path, {"DLBOOK_SOURCE": "/some/path"})
    assert "PIP install --quiet /some/path" in run.stdout, run.stdout + run.stderr
    run = _run_cell(tmp_path, tmp_path, {})
    assert "PIP install --quiet dlbook @ git+https://" in run.stdout, run.stdout + run.stderr


# ---- dlbook.book ------------------------------------------------------------------------------------------------
def test_glue_works_without_myst_nb(monkeypatch):
    monkeypatch.setattr(book, "_myst_nb_glue", lambda: None)
    book.glue("test-answer", 42, display=False)
    assert book.GLUED["test-answer"] == 42
    with pytest.raises(TypeError, match="name"):
        book.glue("", 1)


def test_glue_uses_myst_nb_when_present(monkeypatch):
    calls = []
    monkeypatch.setattr(book, "_myst_nb_glue", lambda: lambda *a, **k: calls.append((a, k)))
    book.glue("test-x", 1.5)
    assert calls == [(("test-x", 1.5), {"display": False})]


def test_claim_names_the_statement_and_the_numbers():
    book.claim(0.9 > 0.5, "the MLP beats the line", mlp=0.9, line=0.5)
    book.claim(np.array([1, 2]) > 0, "all positive")
    with pytest.raises(book.ClaimError, match=r"'the MLP beats the line' does not hold: mlp=0.4, line=0.5"):
        book.claim(0.4 > 0.5, "the MLP beats the line", mlp=0.4, line=0.5)
    with pytest.raises(AssertionError):
        book.claim(np.array([1, -2]) > 0, "all positive")
    with pytest.raises(TypeError, match="statement"):
        book.claim(True, "")


def test_table_builds_markdown_that_jupyter_displays():
    t = book.table([["ReLU", 0.981, 1200], ["a|b", 0.5, 3]], ["name", "acc", "n"], formats=[None, ".2f", ",d"])
    assert t._repr_markdown_() == str(t)
    assert str(t).splitlines() == [
        "| name | acc | n |",
        "| :--- | ---: | ---: |",
        "| ReLU | 0.98 | 1,200 |",
        "| a\\|b | 0.50 | 3 |",
    ]
    assert str(book.table([[1, "x"]], ["a", "b"], align="cc")).splitlines()[1] == "| :---: | :---: |"
    assert str(book.table([[np.float64(1.5)]], ["v"], formats={0: ".1f"})).splitlines()[2] == "| 1.5 |"
    with pytest.raises(ValueError, match=r"rows\[0\]"):
        book.table([[1]], ["a", "b"])
    with pytest.raises(ValueError, match="align"):
        book.table([[1]], ["a"], align="x")
    with pytest.raises(ValueError, match="formats"):
        book.table([[1]], ["a"], formats=[None, None])


def test_limit_blas_threads_limits_the_loaded_blas(monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    for var in book._BLAS_ENV:
        monkeypatch.delenv(var, raising=False)
    before = threadpoolctl.threadpool_info()
    try:
        book.limit_blas_threads(1)
        blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        assert blas and all(i["num_threads"] == 1 for i in blas)
        assert all(book.os.environ[var] == "1" for var in book._BLAS_ENV)
    finally:
        book._LIMITS[0].restore_original_limits()
        book._LIMITS.clear()
    assert [i["num_threads"] for i in threadpoolctl.threadpool_info()] == [i["num_threads"] for i in before]
    with pytest.raises(ValueError, match="n"):
        book.limit_blas_threads(0)
    with pytest.raises(TypeError, match="n"):
        book.limit_blas_threads(1.0)


def test_setup_chapter_outside_colab_does_not_touch_colab(monkeypatch):
    monkeypatch.setattr(book, "limit_blas_threads", lambda n: None)
    assert not book.in_colab()
    assert book.enable_colab_widgets() is False
    book.setup_chapter()


def test_importing_dlbook_book_loads_no_heavy_module():
    heavy = "('IPython', 'matplotlib', 'myst_nb', 'threadpoolctl', 'numpy')"
    code = f"import sys, dlbook.book; print(sorted(m for m in {heavy} if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
