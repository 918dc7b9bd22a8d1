"""tinygrad_nn.viz graph views: DOT text, drawing, the text tree, explain_backward, examples."""
import inspect
import re
import sys
import types

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Function, Tensor, nn, ops
from tinygrad_nn.function import _topological_order
from tinygrad_nn.testing import locate_gradient_errors
from tinygrad_nn.viz import (EXAMPLES, backward_steps, draw, explain_backward, format_graph,
                             graph_example, print_graph, to_dot)
from tinygrad_nn.viz import graph as graph_module


def small_graph():
    """loss = sum(sigmoid(x @ w + b) * x[:, :1]); x is a constant (so is x[:, :1]), w and b are
    named leaves."""
    x = Tensor(np.array([[0.5, -1.0], [2.0, 0.3]]), name="x")
    w = Tensor(np.array([[0.1], [-0.4]]), requires_grad=True, name="w")
    b = Tensor(np.array([0.2]), requires_grad=True, name="b")
    h = (x @ w + b).sigmoid()
    loss = (h * x[:, :1]).sum()
    loss.name = "loss"
    return loss, x, w, b


class WrongSquare(Function):
    """x², with a deliberately wrong backward (3x instead of 2x)."""

    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, g):
        return 3 * ctx.inputs[0] * g


def tensor_count(order_root):
    """Tensors in the graph, counted through grad_fn.parents (a FreedTensor after backward is the
    same tensor: its grad_fn identifies it)."""
    seen, stack = set(), [order_root]
    while stack:
        t = stack.pop()
        key = id(t) if t.grad_fn is None else id(t.grad_fn)
        if key not in seen:
            seen.add(key)
            if t.grad_fn is not None:
                stack.extend(t.grad_fn.parents)
    return len(seen)


# --- to_dot ---------------------------------------------------------------------------------------

def test_to_dot_has_one_node_per_tensor_and_per_op_and_data_flow_edges():
    loss, *_ = small_graph()
    dot = to_dot(loss)
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    n_tensors = tensor_count(loss)
    n_ops = len(_topological_order(loss)) - 2   # every non-leaf that requires grad: all ops here
    assert dot.count("shape=box") == n_tensors
    assert dot.count("shape=oval") == n_ops
    for name in ("x", "w", "b", "loss"):
        assert f'label="{name}\\n' in dot
    for op in ("matmul", "add", "sigmoid", "mul", "sum"):
        assert f'label="{op}' in dot
    # edges run input -> op -> output, and every input was declared before the op that uses it
    for a, b in re.findall(r"t(\d+) -> op(\d+)", dot):
        assert int(a) < int(b)
    for a, b in re.findall(r"op(\d+) -> t(\d+)", dot):
        assert a == b


def test_to_dot_shows_shape_dtype_value_and_grads_only_after_backward():
    loss, x, w, b = small_graph()
    assert "grad " not in to_dot(loss)
    assert "(2, 1) float64" in to_dot(loss)     # w's shape and dtype
    loss.backward(retain_graph=True)
    dot = to_dot(loss)
    assert "grad [" in dot
    assert "grad [" not in to_dot(loss, show_grads=False)
    assert "(2, 2) float64\\nconstant" in dot   # x needs no grad


def test_to_dot_labels_edges_with_argument_names_and_shows_constants():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = Tensor([3.0, 4.0], requires_grad=True, name="y")
    dot = to_dot(((x - y) * 2).sum(axis=0))
    assert '[label="a"]' in dot and '[label="b"]' in dot   # sub(a, b): which side is which
    assert "mul\\nb=2" in dot
    assert "axis=(0,)" in dot
    joined = to_dot(tg.cat([x, y, x]).sum())
    assert all(f'[label="xs{k}"]' in joined for k in range(3)) and "axis=0" in joined


def test_to_dot_draws_failing_nodes_from_locate_gradient_errors_in_red():
    x = Tensor(np.array([0.5, -1.5]), requires_grad=True, name="x")
    out = WrongSquare.apply(x.tanh()).sum()
    failures = locate_gradient_errors(out)
    assert [f.op for f in failures] == ["wrongsquare"]
    for dot in (to_dot(out, highlight=failures), to_dot(out, check=True)):
        red = [line for line in dot.splitlines() if "color=red" in line and "shape=oval" in line]
        assert len(red) == 1 and "wrongsquare" in red[0] and "FAILED" in red[0]
    assert "color=red" not in to_dot(out)
    # a passing NodeCheck is not highlighted
    every = locate_gradient_errors(out, all_nodes=True)
    assert to_dot(out, highlight=every).count("FAILED") == 1


def edges(dot):
    return sorted(re.findall(r"(?:t|op)\d+ -> (?:t|op)\d+", dot))


def test_to_dot_after_a_plain_backward_shows_every_node_and_says_values_were_freed():
    loss, *_ = small_graph()
    before = to_dot(loss)
    loss.backward()
    dot = to_dot(loss)
    assert dot.count("shape=box") == before.count("shape=box") == tensor_count(loss) == 9
    assert dot.count("shape=oval") == before.count("shape=oval") == 5
    assert edges(dot) == edges(before)
    for name in ("x", "w", "b", "loss"):
        assert f'label="{name}\\n' in dot
    for op in ("matmul", "add", "sigmoid", "mul", "sum"):
        assert f'label="{op}' in dot
    note = re.search(r'label="(values were freed[^"]*)"', dot).group(1)
    assert "retain_graph=True" in note and "viz.trace(loss)" in note
    assert dot.count("(value freed)") == 6   # 4 intermediates and 2 constants: x and x[:, :1]
    assert "grad [" in dot                            # the leaves keep their .grad
    assert "labelloc" not in before


def test_module_parameters_show_their_dotted_names():
    model = nn.MLP([2, 3, 1])
    assert [p.name for p in model.parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    dot = to_dot(model(Tensor(np.ones((4, 2)))).sum())
    assert 'label="layers.0.weight\\n(3, 2) float32' in dot
    named = nn.Parameter([1.0])
    named.name = "mine"
    holder = nn.Sequential(nn.Linear(1, 1))
    holder.extra = named
    assert named.name == "mine"   # a name the user gave is kept


def test_draw_without_graphviz_writes_dot_and_says_how_to_render(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "graphviz", None)   # import graphviz -> ImportError
    monkeypatch.setattr(graph_module.shutil, "which", lambda name: None)
    loss, *_ = small_graph()
    written = draw(loss, tmp_path / "graph.png")
    assert written == tmp_path / "graph.dot"
    assert written.read_text() == to_dot(loss)
    said = capsys.readouterr().out
    assert f"dot -Tpng {written} -o {tmp_path / 'graph.png'}" in said


def test_draw_svg_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setattr(graph_module.shutil, "which", lambda name: None)
    loss, *_ = small_graph()
    written = draw(loss, tmp_path / "graph.svg")
    assert written == tmp_path / "graph.svg"
    assert written.read_text() == draw(loss).svg


def test_draw_renders_with_the_graphviz_package(tmp_path, monkeypatch):
    rendered = {}

    class Source:
        def __init__(self, text):
            rendered["dot"] = text

        def pipe(self, format):
            rendered["format"] = format
            return b"<svg>picture</svg>"

    fake = types.SimpleNamespace(Source=Source, ExecutableNotFound=RuntimeError)
    monkeypatch.setitem(sys.modules, "graphviz", fake)
    loss, *_ = small_graph()
    written = draw(loss, tmp_path / "graph.png")
    assert written.read_bytes() == b"<svg>picture</svg>"
    assert rendered["format"] == "png" and rendered["dot"] == to_dot(loss)


def test_draw_to_a_dot_file(tmp_path):
    loss, *_ = small_graph()
    assert draw(loss, tmp_path / "g.dot").read_text().startswith("digraph")


# --- print_graph -----------------------------------------------------------------------------------

def test_print_graph_is_an_indented_tree_with_shared_inputs_once(capsys):
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = (x * x).sum()
    y.name = "y"
    y.backward(retain_graph=True)
    print_graph(y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("y = sum(t1, axis=(0,), keepdims=False)  () float32  5")
    assert lines[1].startswith("└── t1 = mul(x, x)  (2,) float32  [1, 4]")
    assert lines[2] == "    ├── x  (2,) float32  leaf, requires grad  [1, 2]  grad [2, 4]"
    assert lines[3] == "    └── x  (see above)"
    assert len(lines) == 4


def test_print_graph_handles_deep_graphs():
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):   # deeper than Python's recursion limit
        y = y * 1.0
    assert len(format_graph(y).splitlines()) == 3001


# --- explain_backward ------------------------------------------------------------------------------

def test_explain_backward_follows_backward_and_leaves_grads_and_graph_alone(capsys):
    loss, x, w, b = small_graph()
    steps = explain_backward(loss)
    text = capsys.readouterr().out
    assert w.grad is None and b.grad is None           # nothing accumulated
    ops_in_order = [t._ctx.name for t in _topological_order(loss) if t._ctx is not None]
    assert [s.op for s in steps if s.op != "leaf"] == ops_in_order
    assert "sigmoid: dx = dout * s * (1 - s)" in text
    assert "matmul: da = dout @ b.T; db = a.T @ dout" in text
    loss.backward()                                      # the graph was not freed
    leaves = {s.output: s.grad_in for s in steps if s.op == "leaf"}
    assert leaves["w"] == pytest.approx(np.linalg.norm(w.grad.numpy()))
    assert leaves["b"] == pytest.approx(np.linalg.norm(b.grad.numpy()))


def test_explain_backward_norms_match_the_chain_rule():
    x = Tensor(np.array([0.0, 2.0]), requires_grad=True, name="x")
    steps = backward_steps(x.sigmoid().sum())
    s = 1 / (1 + np.exp(-x.numpy()))
    assert [s_.op for s_ in steps] == ["sum", "sigmoid", "leaf"]
    assert steps[0].grad_in == 1.0 and steps[0].grad_out[0][2] == pytest.approx(np.sqrt(2))
    assert steps[1].grad_out == [("x", "x", pytest.approx(np.linalg.norm(s * (1 - s))))]


def test_explain_backward_with_a_gradient_for_a_vector_output():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    steps = backward_steps(x * 3, gradient=np.array([1.0, 0.0]))
    assert steps[-1].grad_in == pytest.approx(3.0)
    with pytest.raises(RuntimeError, match=r"explain_backward: a gradient is implied only for a "
                                           r"one-element output, but the output has shape \(2,\); "
                                           r"pass gradient="):
        backward_steps(x * 3)


def test_explain_backward_after_a_freed_graph_lists_every_step_and_says_what_to_do(capsys):
    loss, *_ = small_graph()
    before = backward_steps(loss)
    loss.backward()
    capsys.readouterr()
    after = explain_backward(loss)
    text = capsys.readouterr().out
    assert [(s.op, s.output, s.call, s.rule) for s in after] == \
        [(s.op, s.output, s.call, s.rule) for s in before]
    assert [[(n, t) for n, t, _ in s.grad_out] for s in after] == \
        [[(n, t) for n, t, _ in s.grad_out] for s in before]
    assert all(s.grad_in is None and all(g is None for *_, g in s.grad_out) for s in after)
    assert "values were freed by backward()" in text and "retain_graph=True" in text
    assert "|dL/dt4| = (freed)" in text


def test_every_primitive_op_states_its_derivative_rule():
    primitive = tg.function.Function   # the built-ins' base (tg.Function is the user's)
    functions = [c for _, c in inspect.getmembers(ops, inspect.isclass)
                 if issubclass(c, primitive) and c is not primitive]
    assert len(functions) >= 25
    for c in functions:
        rule = c.__dict__.get("derivative")
        assert isinstance(rule, str) and "dout" in rule and "\n" not in rule, c.__name__
        assert c.__doc__ is None or "derivative =" not in c.__doc__


def test_custom_functions_without_a_rule_still_explain():
    x = Tensor([1.0], requires_grad=True)
    step, leaf = backward_steps(WrongSquare.apply(x).sum())[1:]
    assert "no rule given" in step.rule and leaf.op == "leaf"


# --- examples --------------------------------------------------------------------------------------

@pytest.mark.parametrize("example", EXAMPLES)
def test_graph_examples_are_ready_to_draw_with_gradients(example):
    out = graph_example(example)
    assert isinstance(out, Tensor) and out.requires_grad and out.numel() == 1
    dot = to_dot(out)
    assert "grad " in dot and "freed" not in dot
    assert backward_steps(out)   # the graph was kept
    assert to_dot(graph_example(example)) == dot   # the same picture every time


def test_graph_example_unknown_name():
    with pytest.raises(ValueError, match="neuron"):
        graph_example("transformer")
