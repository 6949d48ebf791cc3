"""The figure every diagram is, and what a diagram holds (for tests and for checking a picture in code)."""

from __future__ import annotations

import io

from matplotlib.figure import Figure

__all__ = ["Diagram", "count", "texts"]


class Diagram(Figure):
    """A matplotlib Figure that shows itself as SVG (crisp at any zoom) and as a 2x PNG in notebooks.

    The figure background is transparent; the diagram sits on its own light panel.
    """

    def _repr_svg_(self) -> str:
        buf = io.StringIO()
        self.savefig(buf, format="svg", transparent=True)
        return buf.getvalue()

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=2 * self.dpi, transparent=True)
        return buf.getvalue()


def count(fig: Figure, gid: str) -> int:
    """How many patches tagged ``gid`` (``"box"``, ``"node"``, ``"arrow"``, ``"cell"``...) the diagram holds."""
    return sum(1 for ax in fig.axes for p in ax.patches if p.get_gid() == gid)


def texts(fig: Figure) -> list[str]:
    """Every text drawn on the diagram, in drawing order."""
    return [t.get_text() for ax in fig.axes for t in ax.texts]
