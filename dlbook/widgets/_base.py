"""What the demos share: the course palette and how a widget finds its ES module.

Each widget's front end is plain ES module text next to its Python class: one file (``conv_explorer.js``), or
several parts that :func:`join_esm` joins into one module with their stylesheet (the playground's
``playground_math.js``, ``playground_presets.js``, ``playground_draw.js``, ``playground_controls.js`` and
``playground.css``). anywidget sends the text to the browser as the ``_esm`` trait, which is saved with the
notebook's widget state, so the same code runs in JupyterLab and in the static HTML book with no kernel, and
``pip install`` needs no Node.js or bundler.
"""

from __future__ import annotations

import json
import pathlib
import re

#: Colours used by every demo and figure (colour-blind safe, readable in light and dark mode).
PALETTE: dict[str, str] = {
    "input": "#8a8a8a",  # gray: the input signal
    "kernel": "#f28e2b",  # orange: the kernel window
    "output": "#17a2a2",  # teal: the output feature map
    "class0": "#4e79a7",  # blue
    "class1": "#e15759",  # red
    "class2": "#59a14f",  # green
    "class3": "#b07aa1",  # purple
}

_HERE = pathlib.Path(__file__).parent


# A single-line or multi-line `import {...} from "./part.js";` of a sibling part (joined parts need none).
_SIBLING_IMPORT = re.compile(r'^import\s*\{[^}]*\}\s*from\s*"\./[\w.-]+\.js";[ \t]*\n', re.M)


def join_esm(names: list[str], css: str | None = None) -> str:
    """One ES module from the parts ``names`` (in order), with the stylesheet ``css`` as ``PLAYGROUND_CSS``.

    Each part is an ES module of its own (so Node.js and an editor can load it alone) that imports what it needs
    from its siblings by relative path; joining removes those imports, so every part must give its top-level names
    a spelling no other part uses.

    Parameters
    ----------
    names : list of str
        File names inside ``dlbook/widgets``.
    css : str, optional
        A stylesheet inside ``dlbook/widgets``, defined in the module as the string constant ``PLAYGROUND_CSS``.

    Returns
    -------
    str
        The module's text.
    """
    parts = []
    if css is not None:
        parts.append(f"const PLAYGROUND_CSS = {json.dumps(esm_path(css).read_text())};\n")
    for name in names:
        parts.append(f"// ---- {name} ----\n" + _SIBLING_IMPORT.sub("", esm_path(name).read_text()))
    return "\n".join(parts)


def esm_path(name: str) -> pathlib.Path:
    """Path of the ES module ``name`` shipped inside ``dlbook/widgets``."""
    path = _HERE / name
    if not path.is_file():  # pragma: no cover - a packaging error
        raise FileNotFoundError(f"widget front end {name!r} is missing from {_HERE}")
    return path
