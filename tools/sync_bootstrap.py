"""Write the bootstrap cell, the same first code cell of every chapter, into every notebook of the table of contents.

The cell makes ``dlbook`` importable wherever a chapter is launched: in a checkout of the repository (local Jupyter,
Binder, a JupyterHub via nbgitpuller) it uses that checkout, ``pip install -e`` it if it is not importable yet;
anywhere else (Colab, a downloaded notebook) it pip-installs dlbook from ``$DLBOOK_SOURCE`` (a path or a pip
requirement) or from the repository named in ``_config.yml`` (``repository: url:`` and ``branch:``, the one place
where the URL is set). It then calls :func:`dlbook.book.setup_chapter` (one BLAS thread; Colab's widget manager).

The cell is tagged ``remove-cell`` (the web book's reader never needs it: the book is built inside the checkout) and
``dlbook-bootstrap`` (what tests/test_bootstrap.py and the no-download test look for). Re-run this after changing
the template or the repository URL: ``python tools/sync_bootstrap.py`` (``--check`` only reports notebooks that
are out of date).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TAG = "dlbook-bootstrap"
TAGS = ["remove-cell", TAG]

TEMPLATE = """\
# Makes dlbook importable wherever this notebook runs, then sets up the chapter (hidden in the web book).
# In a checkout of the course it uses the checkout; elsewhere (Colab, a downloaded copy) it installs dlbook with pip
# from $DLBOOK_SOURCE if set, else from the course's repository. The same cell starts every chapter: edit it in
# tools/sync_bootstrap.py.
def _install_dlbook(requirement="{requirement}"):
    import importlib
    import os
    import site
    import subprocess
    import sys
    from pathlib import Path

    try:
        import dlbook  # noqa: F401

        return
    except ImportError:
        pass
    here = Path.cwd().resolve()
    projects = [folder / "pyproject.toml" for folder in (here, *here.parents)]
    checkout = next((p.parent for p in projects if p.is_file() and 'name = "dlbook"' in p.read_text()), None)
    args = ["-e", str(checkout)] if checkout else [os.environ.get("DLBOOK_SOURCE") or requirement]
    print("Installing dlbook:", "pip install", *args)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *args], check=True)
    for path in (*site.getsitepackages(), site.getusersitepackages()):
        site.addsitedir(path)  # the new package's .pth files, so that no kernel restart is needed
    importlib.invalidate_caches()


_install_dlbook()
from dlbook.book import setup_chapter

setup_chapter()  # one BLAS thread (small matrices); in Colab, the widget manager the demos need"""


def repository_requirement(config: Path = ROOT / "_config.yml") -> str:
    """The pip requirement of dlbook at the repository and branch that ``_config.yml`` names."""
    repo = yaml.safe_load(config.read_text(encoding="utf-8"))["repository"]
    url = repo["url"].rstrip("/")
    if not re.match(r"https://[\w.-]+/[\w.-]+/[\w.-]+$", url):
        raise ValueError(f"_config.yml repository url must be https://host/owner/name, got {url!r}")
    return f"dlbook @ git+{url}@{repo.get('branch', 'main')}"


def bootstrap_source(config: Path = ROOT / "_config.yml") -> str:
    """The source of the bootstrap cell, with the repository of ``config``."""
    return TEMPLATE.format(requirement=repository_requirement(config))


def chapter_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks listed in ``_toc.yml``, in its order."""
    files = re.findall(r"file:\s*(\S+)", (root / "_toc.yml").read_text(encoding="utf-8"))
    return [root / f"{f}.ipynb" for f in files if (root / f"{f}.ipynb").is_file()]


def bootstrap_cell(source: str) -> dict:
    """The notebook cell holding ``source``."""
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": TAG,
        "metadata": {"tags": list(TAGS)},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }


def sync(path: Path, source: str) -> bool:
    """Make the bootstrap the first code cell of ``path`` (replacing any old one); return True if it changed."""
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    cells = [c for c in nb["cells"] if TAG not in c.get("metadata", {}).get("tags", [])]
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    cells.insert(first_code, bootstrap_cell(source))
    nb["cells"] = cells
    new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    """Sync every chapter (or, with ``--check``, list those out of date and return 1 if any)."""
    source = bootstrap_source()
    stale = []
    for path in chapter_notebooks():
        if "--check" in argv:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            code = [c for c in cells if c["cell_type"] == "code"]
            if not code or "".join(code[0]["source"]) != source or TAG not in code[0]["metadata"].get("tags", []):
                stale.append(path)
        elif sync(path, source):
            print(f"synced {path.relative_to(ROOT)}")
    for path in stale:
        print(f"out of date: {path.relative_to(ROOT)} (run python tools/sync_bootstrap.py)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
