"""tools/execute_parallel.py reuses nbmake's executed copies (each notebook runs once per `make test`)."""

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import execute_parallel as ep  # noqa: E402

jupyter_cache = pytest.importorskip("jupyter_cache")


def chapter(tmp_path, code="x = 1\nx"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    path = tmp_path / "book" / "ch.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path, nb


def executed_copy(tmp_path, nb, error=False):
    done = nbformat.from_dict(nb)
    cell = done.cells[1]
    cell.execution_count = 1
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1"}, execution_count=1)]
    if error:
        cell.outputs = [nbformat.v4.new_output("error", ename="E", evalue="", traceback=[])]
    cell.metadata["execution"] = {
        "iopub.status.busy": "2026-01-01T00:00:00.000000Z",
        "shell.execute_reply": "2026-01-01T00:00:02.500000Z",
    }
    copy = tmp_path / ".nbmake" / "book" / "ch.ipynb"
    copy.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(done, str(copy))
    return copy


def test_an_executed_copy_with_the_same_code_is_cached(tmp_path, monkeypatch):
    monkeypatch.setattr(ep, "ROOT", tmp_path)
    path, nb = chapter(tmp_path)
    executed_copy(tmp_path, nb)
    cache = jupyter_cache.get_cache(str(tmp_path / "cache"))
    assert ep.reuse_executed(path, tmp_path / ".nbmake", cache)
    record = cache.match_cache_notebook(nbformat.read(str(path), as_version=4))  # the book will find it
    assert cache.get_cache_bundle(record.pk).record.data["execution_seconds"] == pytest.approx(2.5)


def test_the_folder_of_copies_may_be_relative(tmp_path, monkeypatch):
    monkeypatch.setattr(ep, "ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)
    path, nb = chapter(tmp_path)
    executed_copy(tmp_path, nb)
    cache = jupyter_cache.get_cache(str(tmp_path / "cache"))
    assert ep.reuse_executed(path, Path(".nbmake"), cache)  # as make passes it


def test_a_stale_or_failed_copy_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setattr(ep, "ROOT", tmp_path)
    path, nb = chapter(tmp_path)
    cache = jupyter_cache.get_cache(str(tmp_path / "cache"))
    assert not ep.reuse_executed(path, tmp_path / ".nbmake", cache)  # no copy at all
    executed_copy(tmp_path, nb, error=True)
    assert not ep.reuse_executed(path, tmp_path / ".nbmake", cache)
    executed_copy(tmp_path, nb)
    chapter(tmp_path, code="x = 2\nx")  # the chapter changed after nbmake ran
    assert not ep.reuse_executed(path, tmp_path / ".nbmake", cache)
