"""The public API is what the modules say it is: every public function and class is in its module's ``__all__``
(and so in the API appendix), documented and typed; every third-party package dlbook imports is declared."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import pytest

import dlbook

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(dlbook.__path__, "dlbook.")
    if not any(part.startswith("_") for part in info.name.split("."))
)


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_exactly_the_public_definitions(name):
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what the module does not define: {missing}"
    assert len(set(exported)) == len(exported), f"{name}.__all__ lists a name twice"
    defined = [
        n
        for n, obj in vars(module).items()
        if not n.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and getattr(obj, "__module__", None) == name
    ]
    unlisted = sorted(set(defined) - set(exported))
    assert not unlisted, f"{name} defines public names missing from its __all__ (export or rename them): {unlisted}"


@pytest.mark.parametrize("name", MODULES)
def test_public_callables_have_docstrings(name):
    module = importlib.import_module(name)
    assert (module.__doc__ or "").strip(), f"{name} has no module docstring"
    objs = {n: getattr(module, n) for n in module.__all__}
    bare = [n for n, obj in objs.items() if callable(obj) and not (obj.__doc__ or "").strip()]
    assert not bare, f"{name}: public callables without a docstring: {bare}"


def _imported_top_level_packages() -> set[str]:
    found = set()
    for path in (ROOT / "dlbook").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


# What an import name is called on PyPI, where the two differ.
DISTRIBUTION = {"sklearn": "scikit-learn"}
# Imported only when present (the build tools and hosted services), never required to use dlbook.
OPTIONAL = {"myst_nb", "IPython", "google"}


def test_every_imported_package_is_declared():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^dependencies = \[(.*?)^\]", text, flags=re.S | re.M).group(1)
    declared = {re.split(r"[<>=!~\[ ;]", d.strip().strip('",'))[0].lower() for d in block.splitlines() if d.strip()}
    stdlib = set(sys.stdlib_module_names)
    third_party = {p for p in _imported_top_level_packages() if p not in stdlib and p != "dlbook"} - OPTIONAL
    undeclared = sorted(p for p in third_party if DISTRIBUTION.get(p, p).lower() not in declared)
    assert not undeclared, f"dlbook imports packages that pyproject.toml does not declare: {undeclared}"
    assert "scipy" not in third_party
