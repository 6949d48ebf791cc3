"""Strip outputs, execution counts and transient metadata from notebooks (they are stored clean; the build runs them).

Usage: ``python tools/strip_notebooks.py [paths...]`` (default: every notebook under book/).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def strip(path: Path) -> bool:
    """Strip one notebook in place; return True if it changed."""
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    seen: set[str] = set()
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("id") in seen or "id" not in cell:  # a cell copied within or between notebooks keeps no twin id
            cell["id"] = next(
                f"cell-{i}{s}" for s in ("", *(f"-{k}" for k in range(1, 99))) if f"cell-{i}{s}" not in seen
            )
        seen.add(cell["id"])
        cell.get("metadata", {}).pop("execution", None)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.get("metadata", {}).pop("widgets", None)
    new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv: list[str]) -> None:
    """Strip the given notebooks, or all under book/."""
    paths = [Path(a) for a in argv] or sorted((ROOT / "book").rglob("*.ipynb"))
    changed = [p for p in paths if ".ipynb_checkpoints" not in p.parts and strip(p)]
    for p in changed:
        print(f"stripped {p}")


if __name__ == "__main__":
    main(sys.argv[1:])
