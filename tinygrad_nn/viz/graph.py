"""See the graph that made a tensor: drawn as SVG (built in, no Graphviz needed), as Graphviz DOT
text, as an indented text tree, and the chain rule step by step (`explain_backward`).

The graph survives backward, as in PyTorch: after a plain `loss.backward()` every op, edge, shape,
dtype and name is still there, only the values between the output and the leaves were freed
(the views say so on the picture). To see every value and every node's gradient, call
`viz.trace(loss)` instead of `loss.backward()` and give the views its result; after
`backward(retain_graph=True)` they show values, and gradients for tensors that hold a `.grad`.

In a notebook each view shows itself: `draw` returns a picture (SVG), `format_graph` and
`explain_backward` readable HTML, and `print_graph` displays its tree instead of printing it.

Tensors are labelled by their `name` when they have one (Module parameters are named
automatically, e.g. 'layers.0.weight'), otherwise t0, t1, ... in data-flow order.

Example::

    >>> from tinygrad_nn import Tensor
    >>> w = Tensor([0.5, -1.0], requires_grad=True, name="w")
    >>> loss = (w * w).sum()
    >>> loss.name = "loss"
    >>> loss.backward(retain_graph=True)
    >>> print_graph(loss)
    loss = sum(t1, axis=(0,), keepdims=False)  () float32  1.25
    └── t1 = mul(w, w)  (2,) float32  [0.25, 1]
        ├── w  (2,) float32  leaf, requires grad  [0.5, -1]  grad [1, -2]
        └── w  (see above)
"""
from __future__ import annotations

import inspect
import io
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, TextIO

import numpy as np

from .. import function
from ..function import FreedTensor, Function, _node_key, graph_tensors, no_grad
from .._tensor import Tensor
from .views import GraphText, Explanation, Picture, show

# The note a view puts on a graph whose values backward freed: what happened and what to do.
FREED_NOTE = ("values were freed by backward(); to see them, call loss.backward(retain_graph=True), "
              "or viz.trace(loss) in place of loss.backward() for every node's value and gradient")

# --- walking the graph and naming what is in it ------------------------------------------------


def _source(x: Any, op: str) -> tuple[Tensor, Any]:
    """A view's argument as (output tensor, trace or None): a Tensor, or what viz.trace returned."""
    if getattr(x, "_is_trace", False):
        return x.root, x
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor or a viz.trace, got {type(x).__name__}")
    return x, None


def _tensor_inputs(t: Tensor) -> tuple[Tensor, ...]:
    return () if t._ctx is None else t._ctx.parents


def _is_freed(order: list[Any]) -> bool:
    return any(type(t) is FreedTensor or (t._ctx is not None and t._ctx.freed) for t in order)


class _Labels:
    """Stable labels for the tensors of one graph: their name, or t0, t1, ... in data-flow order."""

    def __init__(self, order: list[Tensor]) -> None:
        self.labels: dict[int, str] = {}
        used: set[str] = set()
        for i, t in enumerate(order):
            text = t.name if t.name else f"t{i}"
            if text in used:   # two tensors given the same name: keep them apart
                text = f"{text}_{i}"
            used.add(text)
            self.labels[_node_key(t)] = text

    def __call__(self, t: Any) -> str:
        return self.labels.get(_node_key(t), "?")


def _argument_names(node: Function) -> list[str]:
    """The names of the forward arguments by position: ['a', 'b'], ['x', 'axis', 'keepdims'];
    for a `*xs` argument (cat's) xs0, xs1, ..."""
    try:
        params = list(inspect.signature(type(node).forward).parameters.values())[1:]  # skip ctx
    except (TypeError, ValueError):
        params = []
    names = []
    for i in range(len(node.inputs) if node.inputs is not None else 0):
        if i < len(params) and params[i].kind == params[i].VAR_POSITIONAL:
            star = params[i]
            names += [f"{star.name}{k}" for k in range(len(node.inputs or ()) - i)]
            break
        if i < len(params) and params[i].kind in (params[i].POSITIONAL_ONLY,
                                                  params[i].POSITIONAL_OR_KEYWORD):
            names.append(params[i].name)
        else:
            names.append(f"arg{i}")
    return names


def _short(value: Any) -> str:
    """A constant argument in a few characters, on one line: 2, (0,), [0, 1, 2], array(3, 4)."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:   # a number operand, which the arithmetic ops keep as a 0-d array
            return f"{value.item():.4g}"
        if value.ndim <= 1 and value.size <= 4:
            return "[" + ", ".join(f"{v:.4g}" for v in value.ravel()) + "]"
        return f"array{value.shape}"
    if isinstance(value, tuple) and any(isinstance(v, np.ndarray) for v in value):
        return "(" + ", ".join(_short(v) for v in value) + ")"   # e.g. a fancy index
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _constants(node: Function) -> list[str]:
    """The op's arguments that are not tensors: ['b=2'], ['axis=(1,)', 'keepdims=False']."""
    parts = []
    for name, a in zip(_argument_names(node), node.inputs or ()):
        if not isinstance(a, (Tensor, FreedTensor)) and a is not None:
            parts.append(f"{name}={_short(a)}")
    for key, value in (getattr(node, "kwargs", None) or {}).items():
        parts.append(f"{key}={_short(value)}")
    return parts


def _call_text(t: Tensor, label: _Labels) -> str:
    """How t was made, as a call: 'mul(w, x)', 'sum(t3, axis=(1,), keepdims=False)'."""
    node = t._ctx
    assert node is not None
    if node.inputs is None:
        return f"{node.name}(<inputs freed by backward>)"
    tensors = [label(a) for a in node.inputs if isinstance(a, (Tensor, FreedTensor))]
    return f"{node.name}({', '.join(tensors + _constants(node))})"


def _summary(a: np.ndarray) -> str:
    """A value in a few characters: the numbers of a tiny array, else its range and mean."""
    if a.size == 0:
        return "empty"
    if a.dtype.kind not in "fc":
        return np.array2string(a.ravel()[:4], separator=", ") + (" ..." if a.size > 4 else "")
    bad = ""
    finite = np.isfinite(a)
    if not finite.all():
        bad = f" ({int(np.isnan(a).sum())} nan, {int(np.isinf(a).sum())} inf)"
        a = a[finite]
        if a.size == 0:
            return "all non-finite" + bad
    if a.size <= 4:
        return "[" + ", ".join(f"{v:.4g}" for v in a.ravel()) + "]" + bad if a.ndim else f"{a.item():.4g}"
    return f"min {a.min():.3g}, mean {a.mean():.3g}, max {a.max():.3g}" + bad


def _describe(t: Tensor, show_grads: bool, trace: Any = None) -> list[str]:
    """Shape and dtype, leaf status, value, and grad: the facts a view prints about a tensor.
    With a trace, the grad of every node is the dL/dt that the traced backward saw arrive."""
    facts = [f"{t.shape} {t.dtype}"]
    if t._ctx is None:
        facts.append("leaf, requires grad" if t.requires_grad else "constant")
    if type(t) is FreedTensor:
        facts.append("(value freed)")
    else:
        facts.append(_summary(t._data))
    if not show_grads:
        return facts
    if trace is not None:
        g = trace.grads.get(_node_key(t))
        if g is not None:
            facts.append("grad " + _summary(g))
    elif t.grad is not None:
        facts.append("grad " + _summary(t.grad._data))
    return facts


# --- DOT -------------------------------------------------------------------------------------------

def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _failing_nodes(highlight: Iterable[Any] | None) -> set[int]:
    """ids of the op nodes to draw in red: Functions, Tensors (their grad_fn) or NodeChecks."""
    ids: set[int] = set()
    for item in highlight or ():
        if hasattr(item, "node") and hasattr(item, "ok"):   # a NodeCheck from locate_gradient_errors
            if not item.ok:
                ids.add(id(item.node))
        elif isinstance(item, Tensor):
            if item._ctx is not None:
                ids.add(id(item._ctx))
        elif isinstance(item, Function):
            ids.add(id(item))
        else:
            raise TypeError(f"to_dot: highlight expects Functions, Tensors or NodeChecks, got "
                            f"{type(item).__name__}")
    return ids


@dataclass
class Box:
    """One box of a picture: a tensor (`kind` 'tensor') or an op ('op'), its text lines, and
    how it looks: 'leaf' (requires grad), 'constant', 'value', 'output'; 'freed' or 'failed' ops."""
    key: str
    kind: str
    lines: list[str]
    look: set[str] = field(default_factory=set)
    inputs: list[tuple[str, str]] = field(default_factory=list)   # (box key, edge label) per input


def graph_boxes(tensor: Any, show_grads: bool = True, highlight: Iterable[Any] | None = None,
                check: bool = False) -> tuple[list[Box], str | None]:
    """The boxes every picture of the graph draws, in data-flow order, and the note to put on it
    (None, or FREED_NOTE when backward freed values). See `to_dot` for the arguments."""
    tensor, trace = _source(tensor, "to_dot")
    marked = _failing_nodes(highlight)
    if check and tensor.requires_grad:
        from ..testing.locate import locate_gradient_errors   # imported here: it needs hypothesis
        marked |= _failing_nodes(locate_gradient_errors(tensor))
    order = graph_tensors(tensor)
    label = _Labels(order)
    index = {_node_key(t): i for i, t in enumerate(order)}
    boxes = []
    for i, t in enumerate(order):
        look = {"leaf" if t._ctx is None and t.requires_grad else
                "constant" if t._ctx is None else "value"}
        if t is tensor:
            look.add("output")
        if type(t) is FreedTensor:
            look.add("freed")
        boxes.append(Box(f"t{i}", "tensor", [label(t)] + _describe(t, show_grads, trace), look))
        node = t._ctx
        if node is None:
            continue
        op = Box(f"op{i}", "op", [node.name] + _constants(node), {"op"})
        if node.freed:
            op.look.add("freed")
        if id(node) in marked:
            op.lines.append("gradient check FAILED")
            op.look.add("failed")
        inputs = node.inputs or ()
        several = sum(isinstance(a, (Tensor, FreedTensor)) for a in inputs) > 1
        for name, a in zip(_argument_names(node), inputs):
            if isinstance(a, (Tensor, FreedTensor)):
                op.inputs.append((f"t{index[_node_key(a)]}", name if several else ""))
        boxes.append(op)
        boxes[-2].inputs.append((op.key, ""))
    return boxes, FREED_NOTE if _is_freed(order) else None


def _joined(lines: list[str]) -> str:
    return "\n".join(lines)


def to_dot(tensor: Any, show_grads: bool = True, highlight: Iterable[Any] | None = None,
           check: bool = False) -> str:
    """Graphviz DOT text for the graph that produced `tensor` (no dependency needed to make it).

    One box per tensor (label, shape, dtype, value summary, and its grad summary if it has a
    .grad and `show_grads`) and one oval per op (its name and constant arguments); edges go in
    data-flow order, inputs to op to output, labelled with the argument name when an op has
    several tensor inputs. Leaves that require grad are yellow, the output is bold. `tensor`
    may be what `viz.trace` returned: then every node shows its gradient.

    Ops in `highlight` (Functions, Tensors they made, or NodeChecks from
    `tinygrad_nn.testing.locate_gradient_errors`) are drawn in red; `check=True` runs that
    check itself (before backward frees the graph, or after backward(retain_graph=True)).

    Example: `open("graph.dot", "w").write(to_dot(loss))`, then `dot -Tsvg graph.dot -o graph.svg`.
    """
    boxes, note = graph_boxes(tensor, show_grads, highlight, check)
    lines = ["digraph tinygrad_nn {",
             "  rankdir=LR;",
             '  node [fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];']
    if note is not None:
        lines.append(f"  labelloc=t; label={_quote(note)};")
    for box in boxes:
        if box.kind == "tensor":
            style = ['shape=box', 'style="rounded,filled"']
            style.append("fillcolor=lightyellow" if "leaf" in box.look else "fillcolor=white")
            if "output" in box.look:
                style.append("penwidth=2")
            if "freed" in box.look:
                style[1] = 'style="rounded,filled,dashed"'
            lines.append(f"  {box.key} [label={_quote(_joined(box.lines))}, {', '.join(style)}];")
            continue
        op_style = ["shape=oval", "style=filled", "fillcolor=lightblue"]
        if "freed" in box.look:
            op_style[1] = 'style="filled,dashed"'
        if "failed" in box.look:
            op_style += ["color=red", "fontcolor=red", "fillcolor=mistyrose", "penwidth=2"]
        lines.append(f"  {box.key} [label={_quote(_joined(box.lines))}, {', '.join(op_style)}];")
        for source, name in box.inputs:
            edge = f" [label={_quote(name)}]" if name else ""
            lines.append(f"  {source} -> {box.key}{edge};")
        red = " [color=red]" if "failed" in box.look else ""
        lines.append(f"  {box.key} -> t{box.key[2:]}{red};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw(tensor: Any, path: str | Path | None = None, show_grads: bool = True,
         highlight: Iterable[Any] | None = None, check: bool = False) -> Any:
    """The graph of `tensor` (a Tensor or a `viz.trace`) as a picture.

    Without `path`: a `Picture`, which a notebook shows inline (SVG drawn by the built-in
    layered layout: no Graphviz needed); `.svg` is its text, `.save(path)` writes it.
    With `path` (.svg, .png, .pdf, ... or .dot): writes that file and returns its Path. SVG
    needs nothing; other formats render with the `graphviz` Python package or the `dot`
    program, and without them the DOT text is written next to `path` (graph.png -> graph.dot)
    with the command that renders it. Arguments after `path` are `to_dot`'s.
    """
    from .svg import render_svg
    if path is None:
        boxes, note = graph_boxes(tensor, show_grads, highlight, check)
        return Picture(render_svg(boxes, note))
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "svg"
    if fmt == "svg":
        boxes, note = graph_boxes(tensor, show_grads, highlight, check)
        path.write_text(render_svg(boxes, note))
        return path
    dot = to_dot(tensor, show_grads=show_grads, highlight=highlight, check=check)
    if fmt in ("dot", "gv"):
        path.write_text(dot)
        return path
    image = _render(dot, fmt)
    if image is not None:
        path.write_bytes(image)
        return path
    dot_path = path.with_suffix(".dot")
    dot_path.write_text(dot)
    print(f"draw: Graphviz is not installed, so the graph was written as DOT text to {dot_path}.\n"
          f"  Render it with:  dot -T{fmt} {dot_path} -o {path}\n"
          "  (install Graphviz: `pip install graphviz` plus the program, e.g. `apt install graphviz` "
          "or `brew install graphviz`; .svg needs neither)")
    return dot_path


def _render(dot: str, fmt: str) -> bytes | None:
    """The picture, or None when neither the graphviz package nor the dot program is available."""
    try:
        import graphviz
    except ImportError:
        graphviz = None
    if graphviz is not None:
        try:
            return graphviz.Source(dot).pipe(format=fmt)
        except graphviz.ExecutableNotFound:
            pass
    program = shutil.which("dot")
    if program is None:
        return None
    done = subprocess.run([program, f"-T{fmt}"], input=dot.encode(), capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"draw: dot -T{fmt} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


# --- the text tree -------------------------------------------------------------------------------

def format_graph(tensor: Any, show_grads: bool = True) -> GraphText:
    """The tree that `print_graph` prints, as text that a notebook shows as HTML."""
    tensor, trace = _source(tensor, "print_graph")
    order = graph_tensors(tensor)
    label = _Labels(order)
    lines: list[str] = []
    shown: set[int] = set()
    # (tensor, prefix for its own line, prefix for its children's lines)
    stack: list[tuple[Tensor, str, str]] = [(tensor, "", "")]
    while stack:
        t, head, indent = stack.pop()
        if _node_key(t) in shown:
            lines.append(f"{head}{label(t)}  (see above)")
            continue
        shown.add(_node_key(t))
        what = label(t) if t._ctx is None else f"{label(t)} = {_call_text(t, label)}"
        lines.append(f"{head}{what}  " + "  ".join(_describe(t, show_grads, trace)))
        children = _tensor_inputs(t)
        for k in reversed(range(len(children))):   # reversed: the stack pops the first child first
            last = k == len(children) - 1
            stack.append((children[k], indent + ("└── " if last else "├── "),
                          indent + ("    " if last else "│   ")))
    if _is_freed(order):
        lines.append(f"({FREED_NOTE})")
    return GraphText("\n".join(lines))


def print_graph(tensor: Any, show_grads: bool = True, file: TextIO | None = None) -> None:
    """Print the graph of `tensor` as an indented tree, output at the top, leaves at the bottom.

    Each line shows how a tensor was made (`t3 = matmul(x, w)`), its shape, dtype and value,
    and its grad if it has one (every node's, for a `viz.trace`); a tensor used twice is printed
    once and then `(see above)`. In a notebook the tree is displayed as HTML instead of printed
    (`format_graph` returns it). See the module docstring for an example.
    """
    show(format_graph(tensor, show_grads), file)


# --- the chain rule, step by step ---------------------------------------------------------------

@dataclass
class BackwardStep:
    """One node of backward: the gradient that arrives and the gradients it sends to its inputs.

    `grad_in` is |dL/d output| (the L2 norm); `grad_out` lists (argument name, input label,
    norm) for every input that receives a gradient. For a leaf, `op` is 'leaf' and grad_in is
    what backward adds to its .grad. On a graph whose values backward freed, the norms are None.
    """
    position: int
    op: str
    output: str
    call: str
    rule: str
    grad_in: float | None
    grad_out: list[tuple[str, str, float | None]] = field(default_factory=list)


def _norm(g: Tensor) -> float:
    return float(np.sqrt(np.sum(np.square(g._data, dtype=np.float64))))


def walk_backward(tensor: Tensor, gradient: Any = None, op: str = "explain_backward") -> list[tuple]:
    """Backward run node by node on the recorded graph, which is left as it was (no .grad
    changes): [(tensor, dL/dtensor, [(argument name, input, gradient sent) ...]) ...] in the
    order the engine visits them; a leaf's list is empty. `op` names the caller in errors."""
    if not tensor.requires_grad:
        raise RuntimeError(f"{op}: the tensor of shape {tensor.shape} does not require "
                           "grad, so backward has nothing to do")
    seed = function._seed_gradient(op, tensor, gradient)   # as backward starts
    order = function._topological_order(tensor)   # the engine's own visiting order; raises if freed
    grads: dict[int, Tensor] = {id(tensor): seed}
    visits: list[tuple] = []
    with no_grad():
        for t in order:
            g = grads.pop(id(t), None)
            if g is None:
                continue
            node = t._ctx
            if node is None:
                visits.append((t, g, []))
                continue
            # run the node's backward as the engine would, but keep the graph and every .grad
            # as they were: the output is lent to the node only for this call
            lent = getattr(node, "output", None)   # unset until a backward has run
            node.output = t
            try:
                in_grads = node.backward(node, g)
            finally:
                node.output = lent
            if not isinstance(in_grads, tuple):
                in_grads = (in_grads,)
            sent = []
            for name, a, ig in zip(_argument_names(node), node.inputs or (), in_grads):
                if ig is None or not isinstance(a, Tensor) or not a.requires_grad:
                    continue
                if ig.shape != a.shape or ig.dtype != a.dtype:
                    ig = function._conform(node, a, ig)   # as the engine: sum back, cast
                sent.append((name, a, ig))
                prev = grads.get(id(a))
                grads[id(a)] = ig if prev is None else prev + ig
            visits.append((t, g, sent))
    return visits


def _rule(node: Function) -> str:
    return getattr(type(node), "derivative", "(no rule given: see its backward)")


def backward_steps(tensor: Tensor, gradient: Any = None) -> list[BackwardStep]:
    """The steps `explain_backward` prints, as data (nothing is printed or changed)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"explain_backward: expected a Tensor, got {type(tensor).__name__}")
    order = graph_tensors(tensor)
    label = _Labels(order)
    if _is_freed(order) and tensor.requires_grad:
        return _freed_steps(tensor, label)
    steps: list[BackwardStep] = []
    for t, g, sent in walk_backward(tensor, gradient):
        node = t._ctx
        if node is None:
            steps.append(BackwardStep(len(steps) + 1, "leaf", label(t), label(t), "", _norm(g)))
            continue
        step = BackwardStep(len(steps) + 1, node.name, label(t), f"{label(t)} = {_call_text(t, label)}",
                            _rule(node), _norm(g))
        step.grad_out = [(name, label(a), _norm(ig)) for name, a, ig in sent]
        steps.append(step)
    return steps


def _freed_steps(tensor: Tensor, label: _Labels) -> list[BackwardStep]:
    """The steps of a graph whose values backward freed: the same nodes in the same order (newest
    first), which inputs receive a gradient, and no numbers."""
    steps: list[BackwardStep] = []
    nodes = [tensor]   # as the engine's _topological_order: found breadth first, newest node first
    seen = {_node_key(tensor)}
    for t in nodes:
        for p in _tensor_inputs(t):
            if p.requires_grad and _node_key(p) not in seen:
                seen.add(_node_key(p))
                nodes.append(p)
    nodes.sort(key=_creation_order, reverse=True)
    for t in nodes:
        node = t._ctx
        if node is None:
            steps.append(BackwardStep(len(steps) + 1, "leaf", label(t), label(t), "", None))
            continue
        step = BackwardStep(len(steps) + 1, node.name, label(t), f"{label(t)} = {_call_text(t, label)}",
                            _rule(node), None)
        step.grad_out = [(name, label(a), None) for name, a, need in
                         zip(_argument_names(node), node.inputs or (), node.needs_input_grad)
                         if need and isinstance(a, (Tensor, FreedTensor))]
        steps.append(step)
    return steps


def _creation_order(t: Any) -> int:
    return -1 if t._ctx is None else t._ctx._seq


def _number(value: float | None) -> str:
    return "(freed)" if value is None else f"{value:.4g}"


def explain_backward(tensor: Any, gradient: Any = None, file: TextIO | None = None) -> Explanation:
    """Print backward node by node, in the order backward visits them: the chain rule made visible.

    For each op: its name and local derivative rule (`sigmoid: dx = dout * s * (1 - s)`), the
    norm of the gradient flowing in (|dout| = |dL/d output|) and of each gradient flowing out
    to its inputs; for each leaf, the gradient backward would add to its .grad. The node
    backward functions are run here on the recorded graph, which is left as it was, and no
    .grad changes. After a plain backward, which freed the values, the steps are listed
    without numbers and a note says how to keep them. Returns the steps (BackwardStep) as a
    list that a notebook shows as HTML; in a notebook it is displayed instead of printed.

    Example::

        >>> x = Tensor([0.0, 2.0], requires_grad=True, name="x")
        >>> _ = explain_backward(x.sigmoid().sum())
        backward from t2: shape (), dL/dt2 = 1; |g| is the L2 norm of a gradient
        [1] sum: dx = dout broadcast back to x's shape
            t2 = sum(t1, axis=(0,), keepdims=False)
            in:  |dL/dt2| = 1
            out: |dx| = 1.414 -> t1
        [2] sigmoid: dx = dout * s * (1 - s)
            t1 = sigmoid(x)
            in:  |dL/dt1| = 1.414
            out: |dx| = 0.2712 -> x
        [3] leaf x: .grad += a gradient with |g| = 0.2712
    """
    tensor, _ = _source(tensor, "explain_backward")
    steps = backward_steps(tensor, gradient)
    order = graph_tensors(tensor)
    label = _Labels(order)
    out = io.StringIO()
    seed = "1" if gradient is None else "the given gradient"
    out.write(f"backward from {label(tensor)}: shape {tensor.shape}, dL/d{label(tensor)} = {seed}; "
              "|g| is the L2 norm of a gradient\n")
    if _is_freed(order):
        out.write(f"({FREED_NOTE})\n")
    for s in steps:
        if s.op == "leaf":
            out.write(f"[{s.position}] leaf {s.output}: .grad += a gradient with |g| = "
                      f"{_number(s.grad_in)}\n")
            continue
        out.write(f"[{s.position}] {s.op}: {s.rule}\n")
        out.write(f"    {s.call}\n")
        out.write(f"    in:  |dL/d{s.output}| = {_number(s.grad_in)}\n")
        for name, target, norm in s.grad_out:
            out.write(f"    out: |d{name}| = {_number(norm)} -> {target}\n")
    explanation = Explanation(steps, out.getvalue())
    show(explanation, file)
    return explanation


__all__ = ["to_dot", "draw", "print_graph", "format_graph", "explain_backward", "backward_steps",
           "BackwardStep", "graph_boxes", "walk_backward", "Box", "FREED_NOTE"]
