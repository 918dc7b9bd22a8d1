"""The explorer: one self-contained HTML page that steps through a graph's forward pass node by
node and then its backward pass, with the real numbers.

At each step the page highlights the node and shows its value; in backward, the gradient that
arrives (dL/d output), the op's local derivative rule (its `derivative` string) with the numbers
substituted, and the gradient sent to each input. Buttons, the arrow keys and a slider move
through the steps; a Module (under `viz.record()`) or a layer's parameters collapse into one box,
and the graph closes up around it: each Module is laid out on its own and as one box in the
layout around it (`compound_layout`); a graph of over 80 boxes opens with its innermost Modules
collapsed.
The page needs no network and no server: the JavaScript and CSS (package assets in
viz/assets/) and the data are written into it.

    >>> with viz.record():                 # optional: code lines and Modules
    ...     loss = model(x).sum()
    >>> viz.explore(loss, "explorer.html")  # or, as a notebook cell's last line, viz.explore(loss)
"""
from __future__ import annotations

import bisect
import html
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..function import FreedTensor, _node_key
from .._tensor import Tensor
from .graph import Box, _argument_names, _call_text, _Labels, graph_boxes
from .svg import MARGIN, arrange, box_size, place
from .trace import Trace, created_at, module_chains, trace

MAX_NUMBERS = 36   # per tensor on the page; larger tensors show these and their shape


def _numbers(a: np.ndarray | None) -> dict | None:
    """A tensor for the page: its shape and its first MAX_NUMBERS values (row-major)."""
    if a is None:
        return None
    flat = np.asarray(a, dtype=np.float64).ravel()
    return {"shape": list(a.shape), "values": [float(v) for v in flat[:MAX_NUMBERS]],
            "size": int(a.size), "norm": float(np.sqrt(np.sum(flat * flat)))}


def _brief(a: np.ndarray) -> str:
    """A value inside a formula: a number, a short vector, or its shape."""
    if a.size == 1:
        return f"{a.item():.4g}"
    if a.ndim == 1 and a.size <= 4:
        return "[" + ", ".join(f"{v:.4g}" for v in a) + "]"
    return "‹" + "×".join(map(str, a.shape)) + "›"


def substitute(rule: str, symbols: dict[str, np.ndarray], results: dict[str, np.ndarray]) -> str:
    """`rule` with its symbols' values written in, each clause followed by its result:
    substitute("da = dout * b", {"dout": 1, "b": 3}, {"a": 3}) -> "da = 1 * 3 = 3".

    Tensors appear as their shape (‹4×2›); when every tensor in a clause has its result's shape
    (an elementwise rule), the clause is written out once more for the first element."""
    clauses = []
    for clause in rule.split(";"):
        left, eq, right = clause.partition("=")
        if not eq:
            clauses.append(clause.strip())
            continue
        left = left.strip()
        result = results.get(left[1:]) if left.startswith("d") else None
        clauses.append(_filled(left, right, symbols, result, None))
        used = [symbols[n] for n in _NAME.findall(right) if n in symbols]
        if result is not None and result.size > 1 and any(u.size > 1 for u in used) and all(
                u.size == 1 or u.shape == result.shape for u in used):
            clauses.append(_filled(left, right, symbols, result, (0,) * result.ndim))
    return "; ".join(clauses)


# a name in a rule; one followed or preceded by ' is prose ("x's shape"), not a value
_NAME = re.compile(r"(?<!')\b[A-Za-z_]\w*\b(?!')")


def _filled(left: str, right: str, symbols: dict[str, np.ndarray], result: np.ndarray | None,
            element: tuple[int, ...] | None) -> str:
    def value(a: np.ndarray) -> np.ndarray:
        return a if element is None or a.size == 1 else a[element]

    text = _NAME.sub(lambda m: _brief(value(symbols[m.group(0)])) if m.group(0) in symbols
                     else m.group(0), right).strip()
    if element is not None:
        left = f"{left}[{', '.join(map(str, element))}]"
    return f"{left} = {text}" + (f" = {_brief(value(result))}" if result is not None else "")


def _symbols(node: Any, t: Tensor, grad: np.ndarray) -> dict[str, np.ndarray]:
    """Names a rule may use: dout, the argument names, W/b for weight/bias, and for a single
    letter that names no argument (sigmoid's s, tanh's t) the op's output."""
    table: dict[str, np.ndarray] = {"dout": grad, "doutᵀ": grad.T}
    for name, a in zip(_argument_names(node), node.inputs or ()):
        if isinstance(a, Tensor):
            table[name] = a._data
        elif isinstance(a, np.ndarray) or isinstance(a, (int, float)):
            table[name] = np.asarray(a)
    if "weight" in table:
        table.setdefault("W", table["weight"])
    if "bias" in table:
        table.setdefault("b", table["bias"])
    rule = getattr(type(node), "derivative", "")
    for letter in set(re.findall(r"\b([a-z])\b", rule)) - set(table):
        table[letter] = t._data
    return table


def _place(node: Any) -> str | None:
    """Where the node was made, with the file's folder left out: 'train.py:12 in step: ...'."""
    where = created_at(node)
    if where is None:
        return None
    path, _, rest = where.partition(":")
    return os.path.basename(path) + ":" + rest if rest else where


def _groups(order: list[Any]) -> tuple[list[str | None], dict[str, str | None], dict[str, str]]:
    """The group each tensor of `order` (and its op) belongs to directly, each group's parent
    group (None at the top) and its Module's class name.

    A group is a Module that nodes were made in under record(), or the prefix of a parameter's
    name ('layers.0.weight' belongs to layers.0). A Module's group holds those of the Modules it
    called (a call holds every node made while it ran, so a collapsed group never makes a cycle
    of boxes). An outermost Module that made no node itself (a Sequential, an MLP: the whole
    model) is no group: its children are, and the page does not open as one box."""
    chains = module_chains(t._ctx for t in order if t._ctx is not None)
    parent: dict[str, str | None] = {}
    kind: dict[str, str] = {}
    for chain in chains.values():
        for k, (name, cls) in enumerate(chain):
            parent.setdefault(name, chain[k - 1][0] if k else None)
            kind.setdefault(name, cls)
    own: list[str | None] = []
    for t in order:
        if t._ctx is not None:
            found = chains.get(id(t._ctx))
            own.append(found[-1][0] if found else None)
        elif t.name and "." in t.name:
            name = t.name.rsplit(".", 1)[0]
            if name not in parent:   # parameters of a Module that made no node
                prefixes = [name.rsplit(".", k)[0] for k in range(1, name.count(".") + 1)]
                parent[name] = next((p for p in prefixes if p in parent), None)
                kind[name] = ""
            own.append(name)
        else:
            own.append(None)
    while True:
        wrappers = {g for g, p in parent.items() if p is None and g not in own}
        if not wrappers:
            return own, parent, kind
        for g in wrappers:
            del parent[g]
        for g, p in parent.items():
            if p in wrappers:
                parent[g] = None


def _made_in_turns(order: list[Any], own: list[str | None], parent: dict[str, str | None]) -> set[str]:
    """The groups made in more than one call: some op outside the group was made while the
    group's first and last op were (one activation Module used after every layer)."""
    made = sorted(t._ctx._seq for t in order if t._ctx is not None)
    seqs: dict[str, list[int]] = {}
    for t, g in zip(order, own):
        while t._ctx is not None and g is not None:
            seqs.setdefault(g, []).append(t._ctx._seq)
            g = parent[g]
    return {g for g, mine in seqs.items()
            if bisect.bisect_right(made, max(mine)) - bisect.bisect_left(made, min(mine)) > len(mine)}


HEADER = 20   # an open group's frame: the row of its label, above its boxes


def group_box_size(label: str) -> tuple[float, float]:
    """A collapsed group's box: '+ label' in bold and '(n boxes)' below it."""
    return max(110.0, (len(label) + 2) * 6.6 + 14), 44.0


def compound_layout(boxes: list[Box], group_of: dict[str, str | None], parent: dict[str, str | None],
                    labels: dict[str, str], in_turns: set[str]) -> dict[str | None, dict[str, Any]]:
    """One layered layout (svg.arrange, svg.place) per frame: the page (None) and each group.

    A frame's items are the boxes directly in it and its child groups, each child group one box
    of its collapsed size, joined by the edges between them. Returns frame -> {"items": key or
    group -> (x, y, width, height, column), "w", "h"}; a group's items sit below its label. The
    page opens a group by growing the group's column and pushing the boxes below it down.

    A Module called twice with other nodes between the calls (one activation Module used after
    every layer) would be a box that feeds itself: such a group (one of `in_turns` first) is
    dissolved into its parent, and `group_of` and `parent` are changed in place to say so."""
    def chain(key: str) -> list[str | None]:   # the box, its groups from the innermost, the page
        found: list[str | None] = [key]
        g = group_of[key]
        while g is not None:
            found.append("group:" + g)
            g = parent[g]
        return found + [None]

    chains = {b.key: chain(b.key) for b in boxes}

    def item_in(frame: str | None, key: str) -> str | None:   # what stands for box `key` in `frame`
        path = chains[key]
        return path[path.index(frame) - 1] if frame in path else None

    inside: dict[str | None, list[Box]] = {None: []}   # frame -> the boxes inside it, at any depth
    for b in boxes:
        for frame in chains[b.key][1:]:
            inside.setdefault(frame, []).append(b)
    frames: dict[str | None, dict[str, Any]] = {}
    for frame in [None] + ["group:" + g for g in parent]:
        items: dict[str, Box] = {}
        for b in inside.get(frame, []):
            item = item_in(frame, b.key)
            assert item is not None
            if item not in items:
                items[item] = Box(item, b.kind, b.lines) if item == b.key else Box(item, "group", [])
            for source, _ in b.inputs:
                s = item_in(frame, source)
                if s is not None and s != item and s not in [k for k, _ in items[item].inputs]:
                    items[item].inputs.append((s, ""))
        looped = sorted((k[6:] not in in_turns, k[6:]) for k in _in_cycles(items) if k.startswith("group:"))
        if looped:
            g = looped[0][1]
            for key, own in group_of.items():
                if own == g:
                    group_of[key] = parent[g]
            for child, above in parent.items():
                if above == g:
                    parent[child] = parent[g]
            del parent[g]
            return compound_layout(boxes, group_of, parent, labels, in_turns)
        sizes = {k: group_box_size(labels[k[6:]]) if k.startswith("group:") else box_size(b.lines)
                 for k, b in items.items()}
        columns = arrange(list(items.values()))
        placed = place(columns, sizes)
        top = HEADER if frame else 0
        column_of = {k: i for i, col in enumerate(columns) for k in col}
        frames[frame[6:] if frame else None] = {
            "items": {(k[6:] if k.startswith("group:") else k): (x, y + top, w, h, column_of[k])
                      for k, (x, y, w, h) in placed.items()},
            "w": max(max((x + w for x, _, w, _ in placed.values()), default=0.0) + MARGIN,
                     (len(labels[frame[6:]]) + 2) * 6.6 + 2 * MARGIN if frame else 0.0),
            "h": max((y + h for _, y, _, h in placed.values()), default=0.0) + top + MARGIN}
    return frames


def _in_cycles(items: dict[str, Box]) -> set[str]:
    """The items on a cycle of edges: what is left after Kahn's order has taken away the items
    whose inputs are all taken, and then, backwards, those whose users are all taken."""
    inputs = {k: {source for source, _ in b.inputs} for k, b in items.items()}
    users: dict[str, set[str]] = {k: set() for k in items}
    for k, sources in inputs.items():
        for source in sources:
            users[source].add(k)
    left = set(items)
    for before, after in ((inputs, users), (users, inputs)):
        waiting = {k: len(before[k] & left) for k in left}
        ready = [k for k, n in waiting.items() if n == 0]
        while ready:
            k = ready.pop()
            left.discard(k)
            for other in after[k] & left:
                waiting[other] -= 1
                if waiting[other] == 0:
                    ready.append(other)
    return left


def _by_hand(by_hand: dict | None, order: list[Any]) -> dict[int, np.ndarray]:
    """by_hand's gradients by node key: its keys are Tensors or tensor names."""
    found: dict[int, np.ndarray] = {}
    names = {t.name: t for t in order if t.name}
    for which, g in (by_hand or {}).items():
        t = names.get(which) if isinstance(which, str) else which
        if t is None:
            raise ValueError(f"explore: by_hand names {which!r}, which is not a tensor of this graph "
                             f"(named tensors: {sorted(names)})")
        g = np.asarray(g)
        if g.size != int(np.prod(t.shape)):   # (t.size is a method on a Tensor, as in PyTorch)
            raise ValueError(f"explore: by_hand[{which!r}] has shape {g.shape}, but the tensor has "
                             f"shape {t.shape}")
        found[_node_key(t)] = g.reshape(t.shape)
    return found


def explorer_data(source: Any, title: str = "", by_hand: dict | None = None) -> dict:
    """Everything the page shows, as plain data (the JSON written into the page)."""
    tr = source if isinstance(source, Trace) else trace(source)
    root = tr.root
    boxes, note = graph_boxes(tr, show_grads=False)
    for b in boxes:   # name and shape only: the panel beside the graph shows the numbers
        if b.kind == "tensor":
            b.lines = b.lines[:2]
    order: list[Any] = tr.tensors
    label = _Labels(order)
    box_of = {_node_key(t): i for i, t in enumerate(order)}   # tensor i is box t{i}, its op op{i}
    own, parent, kind = _groups(order)
    group_of = {b.key: own[int(b.key.lstrip("top"))] for b in boxes}
    labels = {g: f"{g} {kind[g]}".strip() for g in parent}
    frames = compound_layout(boxes, group_of, parent, labels, _made_in_turns(order, own, parent))
    nodes: list[dict[str, Any]] = []
    for b in boxes:
        x, y, w, h, col = frames[group_of[b.key]]["items"][b.key]
        nodes.append({"id": b.key, "kind": b.kind, "x": x, "y": y, "w": w, "h": h, "col": col,
                      "lines": b.lines, "look": sorted(b.look), "group": group_of[b.key]})
    edges = [{"from": source_key, "to": b.key, "label": name} for b in boxes for source_key, name in b.inputs]
    groups: dict[str, dict] = {}
    for n in nodes:   # data-flow order: a group's last tensor is its output
        g = n["group"]
        inside = []
        while g is not None:
            inside.append(g)
            g = parent[g]
        for g in reversed(inside):   # outer groups first, in the bar too
            if g not in groups:
                x, y, w, h, col = frames[parent[g]]["items"][g]
                groups[g] = {"id": g, "label": labels[g], "parent": parent[g], "members": [],
                             "x": x, "y": y, "w": w, "h": h, "col": col,
                             "frame": {"w": frames[g]["w"], "h": frames[g]["h"]},
                             # a big graph opens with its innermost Modules collapsed
                             "collapsed": len(nodes) > 80 and g not in parent.values()}
            groups[g]["members"].append(n["id"])
            if n["kind"] == "tensor":
                groups[g]["anchor"] = n["id"]
    steps: list[dict[str, Any]] = []
    for t in sorted((t for t in order if t._ctx is not None), key=lambda t: t._ctx._seq):
        i = box_of[_node_key(t)]
        node = t._ctx
        steps.append({"phase": "forward", "op": f"op{i}", "out": f"t{i}", "name": node.name,
                      "title": f"{label(t)} = {_call_text(t, label)}",
                      "code": _place(node), "value": _numbers(tr.value(t)),
                      "inputs": [{"name": name, "label": label(a), "node": f"t{box_of[_node_key(a)]}",
                                  "value": _numbers(a._data if isinstance(a, Tensor) else None)}
                                 for name, a in zip(_argument_names(node), node.inputs or ())
                                 if isinstance(a, (Tensor, FreedTensor))]})
    by_key = {_node_key(t): t for t in order}
    hand = _by_hand(by_hand, order)
    for key in tr.visits:
        t = by_key[key]
        i = box_of[key]
        node = t._ctx
        grad = tr.grads[key]
        step: dict[str, Any] = {"phase": "backward", "out": f"t{i}", "op": f"op{i}" if node else None,
                                "name": node.name if node else "leaf", "grad": _numbers(grad),
                                "value": _numbers(tr.value(t)), "sent": []}
        if key in hand:   # the reader's own backprop for this tensor, beside the engine's
            difference = float(np.max(np.abs(hand[key] - grad))) if grad.size else 0.0
            step["by_hand"] = dict(_numbers(hand[key]) or {}, difference=difference,
                                   agrees=bool(np.allclose(hand[key], grad, rtol=1e-5, atol=1e-8)))
        if node is None:
            step["title"] = f"{label(t)}: a leaf; backward adds this gradient to {label(t)}.grad"
        else:
            rule = getattr(type(node), "derivative", "(no rule given: see its backward)")
            results = {name: g for name, _, g in tr.sent[key]}
            if "weight" in results:
                results.setdefault("W", results["weight"])
            if "bias" in results:
                results.setdefault("b", results["bias"])
            step.update(title=f"{label(t)} = {_call_text(t, label)}", rule=f"{node.name}: {rule}",
                        numbers=substitute(rule, _symbols(node, t, grad), results), code=_place(node))
            step["sent"] = [{"name": name, "label": label(by_key[k]), "node": f"t{box_of[k]}",
                             "grad": _numbers(g)} for name, k, g in tr.sent[key]]
        steps.append(step)
    return {"title": title or f"backward through {label(root)}", "note": note, "nodes": nodes,
            "edges": edges, "groups": list(groups.values()), "steps": steps,
            "width": frames[None]["w"], "height": frames[None]["h"], "collapse": len(nodes) > 80}


def _asset(name: str) -> str:
    return resources.files("tinygrad_nn.viz").joinpath("assets").joinpath(name).read_text(encoding="utf-8")


def explorer_html(source: Any, title: str = "", by_hand: dict | None = None) -> str:
    """The explorer page for a Tensor (traced here) or a Trace, as one HTML string."""
    data = explorer_data(source, title, by_hand)
    # "</" inside a script would end it early: JSON allows writing the slash escaped
    payload = json.dumps(data).replace("</", "<\\/")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f"<title>{html.escape(data['title'])}</title>\n<style>\n{_asset('explorer.css')}</style>\n"
            "</head><body>\n<div id=\"explorer\"></div>\n"
            f"<script id=\"explorer-data\" type=\"application/json\">{payload}</script>\n"
            f"<script>\n{_asset('explorer.js')}</script>\n</body></html>\n")


class Explorer:
    """What `explore` returns: `.html` is the page, `.path` the file written (or None); a
    notebook shows the page inline (in an iframe, so its script and style stay its own)."""

    def __init__(self, page: str, path: Path | None) -> None:
        self.html = page
        self.path = path

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width: 100%; '
                'height: 640px; border: 1px solid #ccc"></iframe>')

    def __repr__(self) -> str:
        where = f"written to {self.path}" if self.path else "not written (pass path=)"
        return f"<Explorer: {len(self.html)} characters of HTML, {where}>"


def explore(loss: Any, path: str | Path | None = None, title: str = "",
            by_hand: dict | None = None) -> Explorer:
    """Write (to `path`, if given) and return the explorer page for `loss`, a Tensor whose graph
    is still there (before backward, or after retain_graph=True) or a `viz.trace`.

    `by_hand` maps tensors (or their names, e.g. 'layers.0.weight') to gradients dL/dtensor
    that you computed yourself: the page shows each beside the engine's, and whether they agree.
    No .grad changes. Open the file by double-click; in a notebook the returned object shows the
    page inline. See the module docstring."""
    if not isinstance(loss, (Tensor, Trace)):
        raise TypeError(f"explore: expected a Tensor or a viz.trace, got {type(loss).__name__}")
    page = explorer_html(loss, title, by_hand)
    written = None
    if path is not None:
        written = Path(path)
        written.write_text(page, encoding="utf-8")
    return Explorer(page, written)


__all__ = ["explore", "explorer_html", "explorer_data", "Explorer", "substitute"]
