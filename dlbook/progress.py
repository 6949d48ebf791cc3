"""A progress display for :func:`dlbook.train.fit` that suits a notebook.

In Jupyter the display is **one** output that is updated in place at each record of the history (a line of text,
optionally a small plot of the loss curves), not hundreds of printed lines; outside IPython it rewrites a single
terminal line with a carriage return and ends it with a newline when training is over.
"""

from __future__ import annotations

import math
import sys
from typing import Any, TextIO

from dlbook._checks import check_positive
from dlbook.layers import Module

__all__ = ["ProgressBar", "format_record", "in_notebook"]


def in_notebook() -> bool:
    """True when running inside a Jupyter kernel (where outputs can be updated in place)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _fmt(value: float, percent: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "nan"
    return f"{100 * value:.1f}%" if percent else f"{value:.4f}"


def format_record(history: Any, epochs: int | None = None, steps: int | None = None, width: int = 20) -> str:
    """One line describing the last record of ``history``: a bar (if the plan is known), losses, accuracies, time.

    Parameters
    ----------
    history : dlbook.train.History
        The record so far (at least one record).
    epochs : int, optional
        Planned number of epochs (an epoch-based run), for the bar and the ``k/n`` count.
    steps : int, optional
        Planned number of steps (a step-based run): the line then counts steps.
    width : int
        Characters of the bar.
    """
    if steps:
        done, total, unit = history.steps[-1], steps, "step"
    else:
        done, total, unit = len(history.train_loss), epochs, "epoch"
    if total:
        filled = min(width, round(width * done / total))
        head = f"{unit} {done:>{len(str(total))}}/{total} [{'#' * filled}{'.' * (width - filled)}]"
    else:
        head = f"{unit} {done}"
    parts = [head, f"loss {_fmt(history.train_loss[-1])}"]
    if history.train_acc and not math.isnan(history.train_acc[-1]):
        parts.append(f"acc {_fmt(history.train_acc[-1], True)}")
    if history.val_loss:
        parts.append(f"val loss {_fmt(history.val_loss[-1])}")
    if history.val_acc and not math.isnan(history.val_acc[-1]):
        parts.append(f"val acc {_fmt(history.val_acc[-1], True)}")
    parts.append(f"lr {history.lr[-1]:.3g}")
    parts.append(f"{history.time[-1]:.1f} s")
    return " | ".join(parts)


class ProgressBar:
    """Callback for :func:`dlbook.train.fit` showing training progress in one place, updated at every record.

    Parameters
    ----------
    epochs : int, optional
        Planned number of epochs (to draw a bar); without it only the epoch count is shown.
    steps : int, optional
        For a step-based run (``fit(..., steps=S)``): the planned number of steps, counted instead of epochs.
    every : int
        Update the display every ``every`` records (the last planned one is always shown).
    plot : bool
        In a notebook, also draw the training (and validation) loss curves, updated in place.
    stream : file-like, optional
        Where plain-text output goes outside a notebook (``sys.stdout`` by default).
    notebook : bool, optional
        Force (True) or forbid (False) the notebook display; detected automatically by default.

    Attributes
    ----------
    lines : list of str
        Every line shown, in order (the last one is the final state).
    """

    def __init__(
        self,
        epochs: int | None = None,
        steps: int | None = None,
        every: int = 1,
        plot: bool = False,
        stream: TextIO | None = None,
        notebook: bool | None = None,
    ) -> None:
        if epochs is not None and steps is not None:
            raise ValueError(f"give epochs or steps, not both; got epochs={epochs!r}, steps={steps!r}")
        if epochs is not None:
            check_positive(epochs, "epochs", integer=True)
        if steps is not None:
            check_positive(steps, "steps", integer=True)
        check_positive(every, "every", integer=True)
        self.epochs, self.steps, self.every, self.plot = epochs, steps, int(every), bool(plot)
        self.stream = stream
        self.notebook = notebook
        self.lines: list[str] = []
        self._handle: Any = None
        self._fig: Any = None
        self._use_notebook = False

    def on_train_begin(self, model: Module, history: Any) -> None:
        """Open the display."""
        self.lines = []
        self._use_notebook = in_notebook() if self.notebook is None else self.notebook
        if self._use_notebook:
            from IPython.display import display  # IPython is optional: only a notebook display needs it

            self._handle = display(self._render(None), display_id=True)
            if self._handle is None:  # no IPython shell after all: fall back to plain text
                self._use_notebook = False

    def _line(self, history: Any) -> str:
        return format_record(history, self.epochs, self.steps)

    def on_record(self, model: Module, history: Any) -> None:
        """Update the display (every ``every`` records and on the last planned one)."""
        k = len(history.train_loss)
        last = history.steps[-1] == self.steps if self.steps else k == self.epochs
        if k % self.every and not last:
            return None
        self._show(history)
        return None

    def on_train_end(self, model: Module, history: Any) -> None:
        """Show the final state and close the line."""
        if history.train_loss and (not self.lines or self.lines[-1] != self._line(history)):
            self._show(history)
        if self._use_notebook:
            if self._fig is not None:
                import matplotlib.pyplot as plt

                plt.close(self._fig)
                self._fig = None
        else:
            (self.stream or sys.stdout).write("\n")
            (self.stream or sys.stdout).flush()

    # --- drawing ------------------------------------------------------------------------------------------------
    def _show(self, history: Any) -> None:
        line = self._line(history)
        self.lines.append(line)
        if self._use_notebook:
            self._handle.update(self._render(history))
        else:
            stream = self.stream or sys.stdout
            stream.write("\r" + line)
            stream.flush()

    def _render(self, history: Any) -> Any:
        from IPython.display import Image, Pretty

        if history is None:
            return Pretty("starting training ...")
        if not self.plot:
            return Pretty(self.lines[-1])
        import io

        import matplotlib.pyplot as plt

        if self._fig is None:
            self._fig, self._ax = plt.subplots(figsize=(6, 2.6))
            plt.close(self._fig)  # drawn only through the display handle
        ax = self._ax
        ax.clear()
        x = history.steps if self.steps else range(1, len(history.train_loss) + 1)
        ax.plot(x, history.train_loss, label="train loss")
        if history.val_loss:
            ax.plot(x, history.val_loss, label="validation loss")
        ax.set_xlabel("step" if self.steps else "epoch")
        ax.set_ylabel("loss")
        ax.set_title(self.lines[-1], fontsize=8)
        ax.legend()
        buf = io.BytesIO()
        self._fig.savefig(buf, format="png")
        return Image(data=buf.getvalue(), format="png")
