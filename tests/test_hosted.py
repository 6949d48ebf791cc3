"""Chapters run as a hosted service (Colab, a bare JupyterHub) would run them, and the wheel is complete.

One fresh virtual environment (shared by these tests, which xdist keeps on one worker) holds only what such a service
provides: numpy, matplotlib, scikit-learn, ipywidgets, ipykernel and nbclient; no dlbook, myst_nb or jupyter-book.
Each chapter notebook is copied alone into an empty folder outside the repository and executed there with
``DLBOOK_SOURCE`` pointing at a copy of this checkout: its bootstrap cell has to pip-install dlbook and the
chapter must then run top to bottom. One chapter of each part of ``_toc.yml`` is run (the others share the cell).

The same environment checks the wheel: built from the checkout (not editable), installed, every module imported
and the widgets' front-end files present.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICE_PACKAGES = ["numpy", "matplotlib", "scikit-learn", "ipywidgets", "ipykernel", "nbclient"]
# One chapter of each part of _toc.yml that has notebooks (fast ones; convolution has a demo widget).
CHAPTERS = {
    "Foundations": "book/foundations/activations.ipynb",
    "Training deep networks": "book/training/regularization.ipynb",
    "Convolutional networks": "book/cnn/convolution.ipynb",
    "Sequence models": "book/sequences/char-lstm.ipynb",
}
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hosted")]

EXECUTE = """
import sys, time, nbclient, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
start = time.perf_counter()
nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(nb, sys.argv[1])
print(f"executed {len(nb.cells)} cells in {time.perf_counter() - start:.1f} s")
"""


class Service:
    """The hosted-service environment: a venv and a clean process environment for it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = root / "service-env"
        self.python = self.dir / "bin" / "python"
        self.source = root / "checkout"  # a copy, so that builds never write into the working tree
        drop = {"VIRTUAL_ENV", "PYTHONPATH", "DLBOOK_SOURCE", "JUPYTER_PATH", "OPENBLAS_NUM_THREADS"}
        self.env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PYTEST")}
        self.env["PATH"] = f"{self.dir / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
        self.env["JUPYTER_DATA_DIR"] = str(root / "jupyter-data")  # only the venv's own python3 kernel spec
        self.env["MPLBACKEND"] = "Agg"

    def run(self, *args: str, cwd: Path | None = None, timeout: int = 900, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.python), *args],
            cwd=cwd or self.root,
            env={**self.env, **extra},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def pip(self, *args: str) -> None:
        done = self.run("-m", "pip", *args)
        assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]

    def present(self, *modules: str) -> list[str]:
        code = "import importlib.util as u, sys; print(' '.join(m for m in sys.argv[1:] if u.find_spec(m)))"
        return self.run("-c", code, *modules).stdout.split()


@pytest.fixture(scope="session")
def service(tmp_path_factory) -> Service:
    svc = Service(tmp_path_factory.mktemp("hosted"))
    venv.EnvBuilder(with_pip=True).create(svc.dir)
    svc.pip("install", "--quiet", *SERVICE_PACKAGES)
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "_build", "_vendor", "build", "dist", "*.egg-info", "__pycache__", ".*cache"
    )
    shutil.copytree(ROOT, svc.source, ignore=ignore)
    return svc


def _toc_parts() -> dict[str, list[str]]:
    parts: dict[str, list[str]] = {}
    caption = None
    for line in (ROOT / "_toc.yml").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"\s*- caption:\s*(.+)", line):
            caption = m.group(1).strip()
            parts[caption] = []
        elif (m := re.match(r"\s*- file:\s*(\S+)", line)) and caption:
            parts[caption].append(m.group(1))
    return parts


def test_one_chapter_of_each_part_with_notebooks_is_run():
    with_notebooks = {
        part for part, files in _toc_parts().items() if any((ROOT / f"{f}.ipynb").is_file() for f in files)
    }
    assert set(CHAPTERS) == with_notebooks
    for part, chapter in CHAPTERS.items():
        assert chapter[: -len(".ipynb")] in _toc_parts()[part]


@pytest.mark.parametrize("part", list(CHAPTERS))
def test_chapter_runs_alone_in_a_hosted_service(service, tmp_path, part):
    service.pip("uninstall", "--quiet", "--yes", "dlbook")  # every chapter's bootstrap installs it afresh
    assert service.present("dlbook", "myst_nb", "jupyter_book", "sphinx") == []
    folder = tmp_path / "content"  # an empty folder outside the repository, like Colab's /content
    folder.mkdir()
    notebook = folder / Path(CHAPTERS[part]).name
    shutil.copy(ROOT / CHAPTERS[part], notebook)
    assert ROOT not in notebook.resolve().parents

    run = service.run("-c", EXECUTE, str(notebook), str(folder), cwd=folder, DLBOOK_SOURCE=str(service.source))

    assert run.returncode == 0, re.sub(r"\x1b\[[0-9;]*m", "", run.stdout + run.stderr)[-4000:]
    print(run.stdout)
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    bootstrap = next(c for c in cells if c["cell_type"] == "code")
    shown = "".join("".join(o.get("text", "")) for o in bootstrap["outputs"])  # nbformat may store text as lines
    assert f"pip install {service.source}" in shown, "the bootstrap cell did not install dlbook from DLBOOK_SOURCE"
    installed = service.run("-c", "import dlbook; print(dlbook.__file__)", cwd=folder)
    assert str(service.dir) in installed.stdout, installed.stdout + installed.stderr


def test_wheel_holds_every_module_and_the_widget_front_end(service, tmp_path):
    service.pip("uninstall", "--quiet", "--yes", "dlbook")
    service.pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(service.source))
    (wheel,) = tmp_path.glob("dlbook-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    source = service.source / "dlbook"
    expected = {str(p.relative_to(service.source)) for p in source.rglob("*") if p.suffix in {".py", ".js", ".css"}}
    assert {n for n in expected if n.endswith(".js")}, "no widget front end found in dlbook/widgets"
    assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"
    top = {n.split("/")[0] for n in names}
    assert top == {"dlbook", wheel.name.split("-py3")[0] + ".dist-info"}, f"the wheel ships more than dlbook: {top}"

    service.pip("install", "--quiet", str(wheel))
    try:
        code = (
            "import importlib, pkgutil, dlbook; from importlib.resources import files\n"
            "mods = [m.name for m in pkgutil.walk_packages(dlbook.__path__, 'dlbook.')]\n"
            "[importlib.import_module(m) for m in mods]\n"
            "front = [f.name for f in files('dlbook.widgets').iterdir() if f.name.endswith(('.js', '.css'))]\n"
            "print(dlbook.__file__); print(len(mods)); print(','.join(sorted(front)))"
        )
        run = service.run("-c", code, cwd=tmp_path)
        assert run.returncode == 0, run.stderr[-4000:]
        where, count, front = run.stdout.splitlines()
        assert str(service.dir) in where and "site-packages" in where
        assert int(count) == len([n for n in expected if n.endswith(".py")]) - 1  # all but dlbook/__init__.py
        widgets = sorted(Path(n).name for n in expected if n.startswith("dlbook/widgets/") and not n.endswith(".py"))
        assert front.split(",") == widgets
    finally:
        service.pip("uninstall", "--quiet", "--yes", "dlbook")
