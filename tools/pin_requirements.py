"""Pin requirements.txt to the versions of the tested environment (.venv), from the ranges in requirements.in.

Usage: ``.venv/bin/python tools/pin_requirements.py`` (``--check`` only reports whether requirements.txt is current).

The pinned set is requirements.in's packages, dlbook's own dependencies (``-e .``, from pyproject.toml) and everything
they depend on, transitively, each at the version installed in the running environment, for the platform and Python
of that environment (Linux, CPython 3.11: runtime.txt). Test tools (requirements-dev.txt) are not pinned here unless
the reader's packages need them too. Run it with the interpreter of the environment that passed ``make test``.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

import tomllib
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
HEADER = """\
# What a reader needs to run the chapters and build the book (Binder installs this file from the repository root).
# Exact versions that `make test` tested, for Python {python} (runtime.txt). Written by tools/pin_requirements.py from
# requirements.in; do not edit by hand. To refresh: see "Refreshing the pins" in README.md.
-e .
"""


def roots() -> list[Requirement]:
    """requirements.in's requirements, with ``-e .`` replaced by dlbook's dependencies from pyproject.toml."""
    found = []
    for line in (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line == "-e .":
            project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
            found += [Requirement(r) for r in project["dependencies"]]
        elif line:
            found.append(Requirement(line))
    return found


def closure(requirements: list[Requirement]) -> dict[str, str]:
    """Every distribution the requirements need here, transitively: ``{name: installed version}``."""
    env = default_environment()
    pins: dict[str, str] = {}
    todo = [(r, frozenset(r.extras)) for r in requirements]
    seen: set[tuple[str, frozenset]] = set()
    while todo:
        req, extras = todo.pop()
        key = (canonicalize_name(req.name), extras)
        if key in seen:
            continue
        seen.add(key)
        dist = metadata.distribution(req.name)
        version = dist.version
        if not req.specifier.contains(version, prereleases=True):
            raise SystemExit(f"{dist.metadata['Name']} {version} is installed but {req} is required")
        if key[0] != "dlbook":
            pins[dist.metadata["Name"]] = version
        for spec in dist.requires or []:
            sub = Requirement(spec)
            if sub.marker is None or any(sub.marker.evaluate({**env, "extra": e}) for e in (extras or {""})):
                todo.append((sub, frozenset(sub.extras)))
    return pins


def render(pins: dict[str, str]) -> str:
    """The text of requirements.txt."""
    python = ".".join(map(str, sys.version_info[:2]))
    lines = [f"{name}=={version}" for name, version in sorted(pins.items(), key=lambda kv: kv[0].lower())]
    return HEADER.format(python=python) + "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Write requirements.txt (or, with ``--check``, return 1 if it differs from what would be written)."""
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    if runtime != f"python-{sys.version_info[0]}.{sys.version_info[1]}":
        raise SystemExit(f"runtime.txt says {runtime}, but this is Python {sys.version.split()[0]}")
    text = render(closure(roots()))
    path = ROOT / "requirements.txt"
    if "--check" in argv:
        current = path.read_text(encoding="utf-8")
        if current != text:
            print("requirements.txt differs from the versions installed here (python tools/pin_requirements.py)")
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"pinned {len(re.findall(r'==', text))} packages in requirements.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
