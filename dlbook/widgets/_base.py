"""What the demos share: the course palette and how a widget finds its ES module.

Each widget's front end is a plain ES module file next to its Python class (``playground.js``,
``conv_explorer.js``). anywidget sends the file's text to the browser as the ``_esm`` trait, which is saved with the
notebook's widget state, so the same code runs in JupyterLab and in the static HTML book with no kernel.
"""

from __future__ import annotations

import pathlib

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


def esm_path(name: str) -> pathlib.Path:
    """Path of the ES module ``name`` shipped inside ``dlbook/widgets``."""
    path = _HERE / name
    if not path.is_file():  # pragma: no cover - a packaging error
        raise FileNotFoundError(f"widget front end {name!r} is missing from {_HERE}")
    return path
