"""Copy the third-party JavaScript the book serves itself into ``_vendor/vendor`` (never committed).

Sources: ``node_modules`` (installed by ``npm ci`` from the committed ``package.json`` and lockfile) for MathJax,
require.js and the Jupyter widget manager; the installed ``anywidget`` pip package for anywidget's AMD front end.
Run by ``make vendor``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "_vendor" / "vendor"


def anywidget_amd() -> Path:
    """Path of anywidget's AMD module as shipped in its pip package (share/jupyter/nbextensions)."""
    candidates = [Path(sys.prefix) / "share" / "jupyter" / "nbextensions" / "anywidget" / "index.js"]
    import anywidget

    pkg = Path(anywidget.__file__).parent
    candidates += [pkg / "nbextension" / "index.js", pkg / "static" / "index.js"]
    for path in candidates:
        if path.is_file():
            return path
    raise SystemExit("anywidget's AMD module not found; is anywidget installed in this environment?")


def main() -> None:
    """Copy every asset, replacing what was there."""
    nm = ROOT / "node_modules"
    copies = {
        nm / "mathjax" / "es5": DEST / "mathjax",
        nm / "requirejs" / "require.js": DEST / "require.js",
        nm / "@jupyter-widgets" / "html-manager" / "dist" / "embed-amd.js": DEST / "embed-amd.js",
        anywidget_amd(): DEST / "anywidget" / "index.js",
    }
    # The widget manager's icon fonts, which it loads from beside its own module.
    dist = nm / "@jupyter-widgets" / "html-manager" / "dist"
    for font in sorted(dist.glob("*")):
        if font.suffix in {".woff", ".woff2", ".ttf", ".eot", ".svg"}:
            copies[font] = DEST / font.name
    if DEST.exists():
        shutil.rmtree(DEST)
    for src, dst in copies.items():
        if not src.exists():
            raise SystemExit(f"{src} is missing: run `npm ci` first")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("sre", "*.map"))
        else:
            shutil.copy2(src, dst)
    print(f"vendored {len(copies)} assets into {DEST.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
