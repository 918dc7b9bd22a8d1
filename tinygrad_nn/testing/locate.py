"""locate_gradient_errors: check every node's own backward in a recorded graph."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..function import Function, _topological_order
from .._tensor import Tensor
from .gradcheck import Report, check


@dataclass
class NodeCheck:
    """The verdict on one node: its op, position in the graph, input shapes and report."""
    position: int
    op: str
    input_shapes: list[tuple[int, ...]]
    report: Report
    node: Function

    @property
    def ok(self) -> bool:
        return self.report.ok

    def __str__(self) -> str:
        shapes = ", ".join(str(s) for s in self.input_shapes)
        head = f"node {self.position}: {self.op}({shapes})"
        return f"{head}: ok" if self.ok else f"{head}: WRONG\n{self.report.explain(limit=3)}"


def locate_gradient_errors(output: Tensor, *, eps: float = 1e-6, atol: float = 1e-5,
                           rtol: float = 1e-3, max_elements: int = 16,
                           all_nodes: bool = False) -> list[NodeCheck]:
    """Find which op in a graph has a wrong backward: each node's local vector-Jacobian product
    is checked against finite differences of that node's forward on its recorded inputs.

    Returns the failing nodes in graph order (inputs first), or every node with `all_nodes=True`.
    Each node is checked in float64 on copies of its inputs (at most `max_elements` sampled
    elements per input), so a float32 model can be checked too. Call it before backward, or
    after `backward(retain_graph=True)`: backward frees what the nodes recorded.

    >>> x = Tensor(np.array([0.3, -1.2]), requires_grad=True)
    >>> locate_gradient_errors((x.tanh() * x).sum())
    []
    """
    if not output.requires_grad:
        raise ValueError("locate_gradient_errors: the output has no graph (nothing requires grad)")
    checks = []
    for position, t in enumerate(reversed(_topological_order(output))):
        node = t._ctx
        if node is None:
            continue
        if node.inputs is None:
            raise RuntimeError("locate_gradient_errors: the graph was freed by backward; call it "
                               "before backward, or use backward(retain_graph=True)")
        args = [Tensor(a._data.astype(np.float64), requires_grad=a.requires_grad)
                if isinstance(a, Tensor) else a for a in node.inputs]
        fn_class, kwargs = type(node), node.kwargs

        def run_node(*xs: object, fn_class: type[Function] = fn_class, kwargs: dict = kwargs) -> Tensor:
            return fn_class.apply(*xs, **kwargs)

        if run_node(*args).dtype != np.float64:
            continue   # e.g. a cast to float32: finite differences there would be meaningless
        report = check(run_node, args, eps=eps, atol=atol, rtol=rtol, max_elements=max_elements)
        result = NodeCheck(position, node.name, [a.shape for a in args if isinstance(a, Tensor)],
                           report, node)
        if all_nodes or not result.ok:
            checks.append(result)
    return checks
