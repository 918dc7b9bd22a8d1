"""What the graph views return: objects that read as text in a terminal and show themselves in a
notebook (Jupyter calls `_repr_svg_` / `_repr_html_`), so a cell's last line draws the graph.
"""
from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import Any, TextIO


def in_notebook() -> bool:
    """True inside a Jupyter kernel, where views are displayed rather than printed."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _pre(text: str) -> str:
    return ('<pre style="font-family: Menlo, Consolas, monospace; font-size: 12px; line-height: 1.35">'
            f"{html.escape(text)}</pre>")


class GraphText(str):
    """The text tree of `format_graph`: a str, shown in a notebook as preformatted HTML."""

    def _repr_html_(self) -> str:
        return _pre(str(self))


class Explanation(list):
    """The steps of `explain_backward` (a list of BackwardStep) and the text that explains them;
    a notebook shows the text as HTML."""

    def __init__(self, steps: list, text: str) -> None:
        super().__init__(steps)
        self.text = text
        self._displayed = False

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return _pre(self.text)

    def _ipython_display_(self) -> None:
        # explain_backward displayed it already; as a cell's last line it would show twice
        if not self._displayed:
            self._displayed = True
            from IPython.display import HTML, display
            display(HTML(self._repr_html_()))


class Picture:
    """A drawn graph: `.svg` is the SVG text; a notebook shows it inline; `.save(path)` writes it."""

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.svg)
        return path

    def __repr__(self) -> str:
        return f"<Picture: an SVG of {len(self.svg)} characters; .save(path) writes it>"


def show(view: Any, file: TextIO | None) -> None:
    """Print a view's text to `file` (stdout by default), or in a notebook display it as HTML."""
    if file is None and in_notebook():
        from IPython.display import HTML, display
        if isinstance(view, Explanation):
            display(view)
        else:
            display(HTML(view._repr_html_()))
        return
    print(str(view), end="" if str(view).endswith("\n") else "\n",
          file=file if file is not None else sys.stdout)
