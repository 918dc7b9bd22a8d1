"""Every node's value and gradient in one call: micrograd's "data | grad" on every box.

`trace(loss)` runs backward once on the recorded graph, node by node as the engine would,
and keeps what it saw: each tensor's value and the gradient dL/dt that arrived at it, and
each op's gradients sent to its inputs. No `.grad` changes and the graph is kept, so
`loss.backward()` works afterwards as usual. The views take the result in place of the
tensor::

    >>> t = trace(loss)       # in place of loss.backward()
    >>> t                     # in a notebook: the graph, every node with its value and grad
    >>> print_graph(t); draw(t); explore(t)
    >>> t.grad(hidden)        # dL/d(hidden) as a numpy array, without hidden.retain_grad()

`record()` notes, while a graph is built, the line of your code that created each op and the
Modules it ran in; the explorer shows both (detect_anomaly records the line too).
"""
from __future__ import annotations

import linecache
import os
import sys
from typing import Any, Iterator

import numpy as np

from ..function import FreedTensor, Function, _node_key, graph_tensors
from .._tensor import Tensor
from .graph import draw, walk_backward


class Trace:
    """What `trace` saw: `root` (the output), `values` and `grads` (numpy arrays by node key),
    `sent` (per op's output key: [(argument name, input key, gradient array)]) and `visits`
    (node keys in the order backward visited them). Shown in a notebook as the graph's SVG."""

    _is_trace = True

    def __init__(self, root: Tensor, visits: list[tuple]) -> None:
        self.root = root
        self.tensors = graph_tensors(root)
        self.values: dict[int, np.ndarray] = {_node_key(t): t._data for t in self.tensors
                                              if type(t) is not FreedTensor}
        self.grads: dict[int, np.ndarray] = {}
        self.sent: dict[int, list[tuple[str, int, np.ndarray]]] = {}
        self.visits: list[int] = []
        for t, g, sent in visits:
            key = _node_key(t)
            self.visits.append(key)
            self.grads[key] = g._data
            self.sent[key] = [(name, _node_key(a), ig._data) for name, a, ig in sent]

    def grad(self, tensor: Any) -> np.ndarray | None:
        """dL/d(tensor) as backward computed it (None if no gradient reached it)."""
        return self.grads.get(_node_key(tensor))

    def value(self, tensor: Any) -> np.ndarray | None:
        return self.values.get(_node_key(tensor))

    def _repr_svg_(self) -> str:
        return draw(self).svg

    def __repr__(self) -> str:
        return (f"<Trace of {len(self.tensors)} tensors, {len(self.visits)} backward visits; "
                "draw(t), print_graph(t), explore(t) show it>")


def trace(loss: Tensor, gradient: Any = None) -> Trace:
    """Run backward on `loss`'s graph and record every node's value and incoming gradient.

    Like `loss.backward(gradient)` it starts from dL/dloss = 1 (or `gradient`, of loss's shape)
    and applies each op's backward in the engine's order; unlike it, no `.grad` is touched and
    the graph is kept. Call it in place of (or before) `loss.backward()`: a graph that a plain
    backward freed has lost the values it needs.

    Example: `x = Tensor([0.0, 2.0], requires_grad=True); t = trace(x.sigmoid().sum())`, then
    `t.grad(x)` is σ(x)(1 − σ(x)) = [0.25, 0.105].
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"trace: expected a Tensor, got {type(loss).__name__}")
    try:
        visits = walk_backward(loss, gradient, op="trace")
    except RuntimeError as e:
        if "freed" not in str(e):
            raise
        raise RuntimeError("trace: the graph's values were freed by an earlier backward; build the "
                           "graph again and call viz.trace(loss) in place of loss.backward() (or "
                           "call loss.backward(retain_graph=True) first)") from None
    return Trace(loss, visits)


# --- where each op was made -----------------------------------------------------------------------

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class record:
    """`with viz.record(): loss = model(x) ...`: note, for each op made inside, the line of your
    code that made it and the Modules whose forward it ran in (the explorer shows the line and
    can collapse a Module into one box). Costs a stack walk per op, only inside the block;
    it applies to every thread while it is open."""

    def __enter__(self) -> record:
        if not _open:
            # every class of the Function family that defines its own apply (Function's, and a
            # user-facing subclass's) gets a wrapper around it for the time of the block
            for cls in _function_classes():
                if "apply" in cls.__dict__:
                    _saved_apply[cls] = cls.__dict__["apply"]
                    setattr(cls, "apply", classmethod(_recorder(cls.__dict__["apply"])))
        _open.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _open.pop()
        if not _open:
            for cls, original in _saved_apply.items():
                setattr(cls, "apply", original)
            _saved_apply.clear()


_open: list[record] = []
_saved_apply: dict[type, Any] = {}   # class -> its own apply (a classmethod object) before record()


def _function_classes() -> list[type]:
    found: list[type] = []
    todo: list[type] = [Function]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _recorder(original: Any) -> Any:
    def recording_apply(cls: type, *args: Any, **kwargs: Any) -> Tensor:
        out = original.__func__(cls, *args, **kwargs)
        ctx = out._ctx
        if ctx is not None and "created_at" not in ctx.__dict__:
            where, modules = _caller()
            ctx.__dict__["created_at"] = where
            ctx.__dict__["created_in"] = modules
        return out
    return recording_apply


def _caller() -> tuple[str, tuple]:
    """'file:line in function: code' of the innermost frame outside tinygrad_nn, and the Modules
    (outermost first) whose forward is running."""
    from ..nn.module import Module
    frame: Any = sys._getframe(2)
    where = "an unknown place"
    modules: list[Any] = []
    while frame is not None:
        code = frame.f_code
        owner = frame.f_locals.get("self") if code.co_name == "forward" else None
        if isinstance(owner, Module) and (not modules or modules[-1] is not owner):
            modules.append(owner)
        filename = os.path.abspath(code.co_filename)
        # the package's own seed examples count as user code: they are what the explorer shows
        outside = not filename.startswith(_PACKAGE) or filename.endswith("graph_examples.py")
        if where == "an unknown place" and outside:
            line = linecache.getline(code.co_filename, frame.f_lineno).strip()
            where = f"{code.co_filename}:{frame.f_lineno} in {code.co_name}: {line}"
        frame = frame.f_back
    return where, tuple(reversed(modules))


def created_at(node: Function) -> str | None:
    """The code line that made `node`, if record() or detect_anomaly noted it."""
    return node.__dict__.get("created_at")


def module_chains(nodes: Iterator[Function]) -> dict[int, list[tuple[str, str]]]:
    """id(node) -> [(dotted path, class name)] of the Modules it ran in, outermost first, for
    nodes made under record(); paths are named from the outermost Module ('layers.0'), which is
    named by its class. A Module that is not a submodule of the outermost one is left out."""
    names: dict[int, dict[int, str]] = {}
    found = {}
    for node in nodes:
        modules = node.__dict__.get("created_in") or ()
        if not modules:
            continue
        outer = modules[0]
        if id(outer) not in names:
            names[id(outer)] = {id(m): path for path, m in outer.named_modules()}
        chain = [(type(outer).__name__, type(outer).__name__)]
        for m in modules[1:]:
            path = names[id(outer)].get(id(m))
            if path:
                chain.append((path, type(m).__name__))
        found[id(node)] = chain
    return found


def module_names(nodes: Iterator[Function]) -> dict[int, tuple[str, str]]:
    """id(node) -> (dotted path of the innermost Module it ran in, that Module's class name),
    for nodes made under record(); paths are named from the outermost Module ('layers.0')."""
    return {key: chain[-1] for key, chain in module_chains(nodes).items()}
