"""A chapter runs in a fresh environment installed from requirements.txt alone, as Binder would run it.

Binder installs ``requirements.txt`` from the repository root (with the Python of ``runtime.txt``) and starts Jupyter
there; a reader then opens a notebook, whose working directory is the notebook's folder. This test does the same in
a new virtual environment and executes the MLP chapter with ``book/foundations`` as working directory. Since
requirements.txt pins exact versions (tools/pin_requirements.py, from the environment `make test` runs in), this also
proves that the pinned set installs and works.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "foundations" / "mlp.ipynb"


def test_requirements_txt_pins_exact_versions_of_the_tested_environment():
    lines = [ln for ln in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines() if ln.strip()]
    requirements = [ln for ln in lines if not ln.startswith("#")]
    assert requirements[0] == "-e ."
    loose = [ln for ln in requirements[1:] if not re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!_-]+", ln)]
    assert not loose, f"not pinned: {loose}"
    names = {ln.split("==")[0].lower() for ln in requirements[1:]}
    assert {"numpy", "matplotlib", "scikit-learn", "ipywidgets", "anywidget", "jupyter-book", "ipykernel"} <= names
    assert not names & {"pytest", "ruff", "playwright", "nbmake", "hypothesis", "torch"}, "test tools are not pinned"
    check = subprocess.run(
        [sys.executable, "tools/pin_requirements.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_runtime_txt_names_the_tested_python_and_pyproject_allows_it():
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime == f"python-{sys.version_info[0]}.{sys.version_info[1]}"
    requires = re.search(r'requires-python = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert SpecifierSet(requires.group(1)).contains(runtime.removeprefix("python-") + ".0")


@pytest.mark.slow
@pytest.mark.xdist_group("binder")
def test_chapter_runs_in_an_environment_from_requirements_txt(tmp_path):
    env_dir = tmp_path / "binder-env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    install = subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "-r", "requirements.txt", "ipykernel", "nbclient"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    # dlbook must come from this environment's install, not from the test runner's.
    where = subprocess.run(
        [str(py), "-c", "import dlbook, sys; print(dlbook.__file__); print(sys.prefix)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.returncode == 0, where.stderr
    assert str(env_dir) in where.stdout.splitlines()[1]
    run = subprocess.run(
        [
            str(py),
            "-c",
            "import nbformat, nbclient, sys; nb = nbformat.read(sys.argv[1], as_version=4); "
            "nbclient.NotebookClient(nb, timeout=300, kernel_name='python3', "
            "resources={'metadata': {'path': sys.argv[2]}}).execute(); print('executed', len(nb.cells), 'cells')",
            str(CHAPTER),
            str(CHAPTER.parent),
        ],
        cwd=CHAPTER.parent,
        env={**env, "PATH": f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-5000:]
    assert "executed" in run.stdout
    assert sys.executable != str(py)
