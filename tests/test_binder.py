"""A chapter runs in a fresh environment installed from requirements.txt alone, as Binder would run it.

Binder installs ``requirements.txt`` from the repository root and starts Jupyter there; a reader then opens a
notebook, whose working directory is the notebook's folder. This test does the same in a new virtual environment
(pip's cache makes a second run quick) and executes the MLP chapter with ``book/foundations`` as working directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "foundations" / "mlp.ipynb"


@pytest.mark.slow
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
