"""A layered layout of the graph and its SVG, built in: pictures need no Graphviz.

The layout is the textbook one for data flow (Sugiyama's, simplified): each box gets a column
(its longest path from an input, left to right; a leaf sits just left of its first user), the
boxes of a column are ordered by the mean position of their neighbours, a few sweeps each way,
to uncross edges, and edges are drawn as curves from an output's right side to an input's left.
"""
from __future__ import annotations

import html
from typing import Any

CHAR_WIDTH = 6.4      # px per character of the 11 px sans-serif labels (an average: no font metrics)
LINE_HEIGHT = 14
PAD = 7               # inside a box, around its text
COLUMN_GAP = 46       # between columns, where the edges run
ROW_GAP = 14          # between boxes of one column
MARGIN = 12


def box_size(lines: list[str]) -> tuple[float, float]:
    width = max(len(line) for line in lines) * CHAR_WIDTH + 2 * PAD
    return max(width, 40.0), len(lines) * LINE_HEIGHT + 2 * PAD - 2


def layout(boxes: list[Any], sizes: dict[str, tuple[float, float]] | None = None
           ) -> dict[str, tuple[float, float, float, float]]:
    """Where each box goes: key -> (x, y, width, height), left to right in data-flow order.
    `sizes` (key -> (width, height)) overrides the size a box's text lines need."""
    return place(arrange(boxes), {b.key: box_size(b.lines) for b in boxes} | (sizes or {}))


def arrange(boxes: list[Any]) -> list[list[str]]:
    """The boxes' keys in columns, left to right, each column ordered top to bottom."""
    keys = [b.key for b in boxes]
    inputs = {b.key: [source for source, _ in b.inputs] for b in boxes}
    users: dict[str, list[str]] = {k: [] for k in keys}
    for k in keys:
        for source in inputs[k]:
            users[source].append(k)
    # columns: longest path from a box without inputs (Kahn's order, so any depth is fine)
    waiting = {k: len(inputs[k]) for k in keys}
    ready = [k for k in keys if waiting[k] == 0]
    column = {k: 0 for k in keys}
    topo = []
    while ready:
        k = ready.pop()
        topo.append(k)
        for u in users[k]:
            column[u] = max(column[u], column[k] + 1)
            waiting[u] -= 1
            if waiting[u] == 0:
                ready.append(u)
    for k in reversed(topo):   # a leaf next to its first user, not far left with all the others
        if not inputs[k] and users[k]:
            column[k] = min(column[u] for u in users[k]) - 1
    lowest = min(column.values(), default=0)
    n_columns = max(column.values(), default=0) - lowest + 1
    columns: list[list[str]] = [[] for _ in range(n_columns)]
    for k in keys:
        columns[column[k] - lowest].append(k)
    # order inside each column by the mean position of neighbours: fewer crossings
    position = {k: float(i) for col in columns for i, k in enumerate(col)}
    for sweep in range(4):
        sequence = columns if sweep % 2 == 0 else list(reversed(columns))
        for col in sequence:
            def mean_neighbour(k: str) -> float:
                near = inputs[k] if sweep % 2 == 0 else users[k]
                return sum(position[n] for n in near) / len(near) if near else position[k]
            col.sort(key=mean_neighbour)
            for i, k in enumerate(col):
                position[k] = float(i)
    return columns


def place(columns: list[list[str]], sizes: dict[str, tuple[float, float]]
          ) -> dict[str, tuple[float, float, float, float]]:
    """(x, y, width, height) of each key of `columns`: a column as wide as its widest box, its
    boxes stacked and centred on the tallest column, MARGIN around it all."""
    heights = [sum(sizes[k][1] for k in col) + ROW_GAP * (len(col) - 1) for col in columns]
    tallest = max(heights, default=0.0)
    placed: dict[str, tuple[float, float, float, float]] = {}
    x = float(MARGIN)
    for col, height in zip(columns, heights):
        y = MARGIN + (tallest - height) / 2
        for k in col:
            w, h = sizes[k]
            placed[k] = (x, y, w, h)
            y += h + ROW_GAP
        x += max((sizes[k][0] for k in col), default=0.0) + COLUMN_GAP
    return placed


FILL = {"leaf": "#fff6c8", "constant": "#f1f1f1", "value": "#ffffff", "op": "#d9ecff"}


def render_svg(boxes: list[Any], note: str | None = None) -> str:
    """The SVG text of a picture of `boxes` (viz.graph.Box), with `note` written above it."""
    placed = layout(boxes)
    top = MARGIN + (LINE_HEIGHT + 6 if note else 0)
    width = max((x + w for x, _, w, _ in placed.values()), default=0.0) + MARGIN
    height = max((y + h for _, y, _, h in placed.values()), default=0.0) + MARGIN + top - MARGIN
    if note:
        width = max(width, len(note) * CHAR_WIDTH + 2 * MARGIN)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" '
           'font-size="11">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           'fill="#555"/></marker></defs>']
    if note:
        out.append(f'<text x="{MARGIN}" y="{MARGIN + LINE_HEIGHT - 3}" fill="#a33" '
                   f'font-style="italic">{html.escape(note)}</text>')
    shift = top - MARGIN
    by_key = {b.key: b for b in boxes}
    for b in boxes:
        x2, y2, _, h2 = placed[b.key]
        for source, name in b.inputs:
            x1, y1, w1, h1 = placed[source]
            ax, ay = x1 + w1, y1 + h1 / 2 + shift
            bx, by = x2, y2 + h2 / 2 + shift
            bend = max(20.0, (bx - ax) / 2)
            colour = "#c00" if "failed" in by_key[source].look | b.look and b.kind == "tensor" else "#555"
            out.append(f'<path d="M{ax:.1f},{ay:.1f} C{ax + bend:.1f},{ay:.1f} {bx - bend:.1f},{by:.1f} '
                       f'{bx:.1f},{by:.1f}" fill="none" stroke="{colour}" marker-end="url(#arrow)"/>')
            if name:
                out.append(f'<text x="{(ax + bx) / 2:.1f}" y="{(ay + by) / 2 - 3:.1f}" fill="#555" '
                           f'font-size="9" text-anchor="middle">{html.escape(name)}</text>')
    for b in boxes:
        x, y, w, h = placed[b.key]
        y += shift
        kind = "op" if b.kind == "op" else next(k for k in ("leaf", "constant", "value") if k in b.look)
        fill, stroke, width_px = FILL[kind], "#444", 1.0
        if "failed" in b.look:
            fill, stroke, width_px = "#ffe4e1", "#c00", 2.0
        if "output" in b.look:
            width_px = 2.0
        dash = ' stroke-dasharray="4,3"' if "freed" in b.look else ""
        radius = h / 2 if b.kind == "op" else 5
        out.append(f'<g class="{b.kind}"><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                   f'rx="{min(radius, w / 2):.1f}" fill="{fill}" stroke="{stroke}" '
                   f'stroke-width="{width_px}"{dash}/>')
        for i, line in enumerate(b.lines):
            weight = ' font-weight="bold"' if i == 0 else ""
            colour = ' fill="#c00"' if "failed" in b.look else ""
            out.append(f'<text x="{x + w / 2:.1f}" y="{y + PAD + 9 + i * LINE_HEIGHT:.1f}" '
                       f'text-anchor="middle"{weight}{colour}>{html.escape(line)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
