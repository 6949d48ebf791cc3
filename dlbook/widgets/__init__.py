"""Interactive demos built with anywidget: they run in Jupyter and in the static book with no kernel.

``MLPPlayground`` (click points, train a small MLP, watch the decision boundary) and ``ConvExplorer`` (slide a 1-D
kernel over a signal) are imported lazily so that ``import dlbook.widgets`` stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ConvExplorer", "MLPPlayground"]


def __getattr__(name: str) -> Any:
    if name == "MLPPlayground":
        from dlbook.widgets.playground import MLPPlayground

        return MLPPlayground
    if name == "ConvExplorer":
        from dlbook.widgets.conv_explorer import ConvExplorer

        return ConvExplorer
    raise AttributeError(f"module 'dlbook.widgets' has no attribute {name!r}")
