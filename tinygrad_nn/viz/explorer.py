"""The explorer: one self-contained HTML page that steps through a graph's forward pass node by
node and then its backward pass, with the real numbers.

At each step the page highlights the node and shows its value; in backward, the gradient that
arrives (dL/d output), the op's local derivative rule (its `derivative` string) with the numbers
substituted, and the gradient sent to each input. Buttons, the arrow keys and a slider move
through the steps; a Module (under `viz.record()`) or a layer's parameters collapse into one box.
The page needs no network and no server: the JavaScript and CSS (package assets in
viz/assets/) and the data are written into it.

    >>> with viz.record():                 # optional: code lines and Modules
    ...     loss = model(x).sum()
    >>> viz.explore(loss, "explorer.html")  # or, as a notebook cell's last line, viz.explore(loss)
"""
from __future__ import annotations

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
from .graph import _argument_names, _call_text, _Labels, graph_boxes
from .svg import layout
from .trace import Trace, created_at, module_names, trace

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


def _group_of(t: Any, modules: dict[int, tuple[str, str]]) -> str | None:
    if t._ctx is not None:
        found = modules.get(id(t._ctx))
        return found[0] if found else None
    if t.name and "." in t.name:   # a parameter: 'layers.0.weight' belongs to layers.0
        return t.name.rsplit(".", 1)[0]
    return None


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
    placed = layout(boxes)
    order: list[Any] = tr.tensors
    label = _Labels(order)
    box_of = {_node_key(t): i for i, t in enumerate(order)}   # tensor i is box t{i}, its op op{i}
    modules = module_names(t._ctx for t in order if t._ctx is not None)
    nodes: list[dict[str, Any]] = []
    for b in boxes:
        x, y, w, h = placed[b.key]
        i = int(b.key.lstrip("top"))
        nodes.append({"id": b.key, "kind": b.kind, "x": x, "y": y, "w": w, "h": h, "lines": b.lines,
                      "look": sorted(b.look), "group": _group_of(order[i], modules)})
    edges = [{"from": source_key, "to": b.key, "label": name} for b in boxes for source_key, name in b.inputs]
    groups: dict[str, dict] = {}
    for n in nodes:   # data-flow order: a group's last member is its output, where it collapses to
        if n["group"]:
            kind = next((m[1] for m in modules.values() if m[0] == n["group"]), "")
            group = groups.setdefault(n["group"], {"id": n["group"], "label": f"{n['group']} {kind}".strip(),
                                                   "members": []})
            group["members"].append(n["id"])
            if n["kind"] == "tensor":
                group["anchor"] = n["id"]
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
    width = max((x + w for x, _, w, _ in placed.values()), default=0.0) + 12
    height = max((y + h for _, y, _, h in placed.values()), default=0.0) + 12
    return {"title": title or f"backward through {label(root)}", "note": note, "nodes": nodes,
            "edges": edges, "groups": list(groups.values()), "steps": steps,
            "width": width, "height": height, "collapse": len(nodes) > 80}


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
