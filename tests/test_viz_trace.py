"""The graph after backward, viz.trace, viz.record, the built-in SVG, notebook reprs and the
explorer's data and page (the page in a browser: test_explorer_browser.py)."""
import gc
import html
import re
import weakref
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Function, Tensor, nn, viz
from tinygrad_nn.function import AccumulateGrad, FreedTensor, graph_tensors
from tinygrad_nn.nn import functional as F
from tinygrad_nn.train import Architecture, build_model
from tinygrad_nn.viz import explorer as explorer_module


class Swish(Function):
    """x·σ(x) as a user's custom op, with no `derivative` string."""

    @staticmethod
    def forward(ctx, x):
        x = np.asarray(x)   # an array, whether forward is given arrays or (PyTorch-style) Tensors
        return x / (1 + np.exp(-x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        s = x.sigmoid()
        return grad * (s + x * s * (1 - s))


def mlp_loss():
    tg.manual_seed(0)
    model = nn.MLP([3, 5, 4, 2], activation="tanh")
    x = Tensor(np.random.default_rng(0).normal(size=(6, 3)).astype(np.float32), name="x")
    return F.cross_entropy(model(x), np.array([0, 1, 1, 0, 1, 0]))


def custom_op_loss():
    w = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True, name="w")
    return (Swish.apply(w * 2.0) ** 2).sum()


def main_job_loss():
    tg.manual_seed(0)
    model = build_model(Architecture(n_inputs=64, hidden=(32, 16), n_classes=10, dropout=0.1))
    x = Tensor(np.random.default_rng(1).random((8, 64)).astype(np.float32))
    return F.cross_entropy(model(x), np.arange(8) % 10)


GRAPHS = {"mlp": mlp_loss, "custom op": custom_op_loss, "main job's model": main_job_loss}


def structure(root):
    """Everything about the graph but its values: per tensor, its op, name, shape, dtype and
    which tensors its inputs are (by position in data-flow order)."""
    order = graph_tensors(root)
    position = {(id(t._ctx) if t._ctx is not None else id(t)): i for i, t in enumerate(order)}
    key = lambda t: id(t._ctx) if t._ctx is not None else position.get(id(t), id(t))  # noqa: E731
    rows = []
    for t in order:
        inputs = () if t._ctx is None else tuple(position.get(key(p), key(p)) for p in t._ctx.parents)
        rows.append((t._ctx.name if t._ctx is not None else None, t.name, t.shape, str(t.dtype),
                     inputs))
    return rows


# --- the graph survives backward ---------------------------------------------------------------

@pytest.mark.parametrize("which", GRAPHS)
def test_after_a_plain_backward_every_view_shows_the_whole_graph(which, capsys):
    before, after = GRAPHS[which](), GRAPHS[which]()
    want = structure(before)
    text_before = viz.format_graph(before, show_grads=False)
    steps_before = viz.backward_steps(before)
    after.backward()
    assert structure(after) == want
    assert len(want) >= 5
    # the text tree: the same lines but for the values, and the note
    text = viz.format_graph(after, show_grads=False).splitlines()
    assert text[-1] == f"({viz.graph.FREED_NOTE})"
    strip = lambda line: re.sub(r"  (\[.*|min .*|-?[\d.e+-]+|\(value freed\))$", "", line)  # noqa: E731
    assert [strip(line) for line in text[:-1]] == [strip(line) for line in text_before.splitlines()]
    # the picture: every box and edge, the note on it
    boxes_before, _ = viz.graph.graph_boxes(before)
    boxes, note = viz.graph.graph_boxes(after)
    assert [(b.kind, b.lines[0], b.inputs) for b in boxes] == \
        [(b.kind, b.lines[0], b.inputs) for b in boxes_before]
    assert note == viz.graph.FREED_NOTE and "retain_graph=True" in note and "viz.trace" in note
    svg = viz.draw(after).svg
    assert "values were freed by backward()" in svg
    assert svg.count("<rect") == len(boxes)
    # the steps of backward, without the numbers
    steps = viz.explain_backward(after)
    assert [(s.op, s.call) for s in steps] == [(s.op, s.call) for s in steps_before]
    assert "values were freed" in capsys.readouterr().out
    # grad_fn.parents all the way down
    seen, todo = set(), [after.grad_fn]
    while todo:
        node = todo.pop()
        if id(node) not in seen:
            seen.add(id(node))
            todo.extend(p.grad_fn for p in node.parents if p.grad_fn is not None)
    assert len(seen) == sum(t._ctx is not None for t in graph_tensors(before))


def test_freed_inputs_keep_name_shape_dtype_and_grad_fn_but_no_values():
    x = Tensor(np.ones((2, 3)), requires_grad=True, name="x")
    h = (x * 2).relu()
    h.name = "h"
    out = h.sum()
    assert out.grad_fn.parents == (h,)
    out.backward()
    (freed,) = out.grad_fn.parents
    assert type(freed) is FreedTensor and not hasattr(freed, "_data")
    assert (freed.name, freed.shape, freed.dtype, freed.grad_fn) == ("h", (2, 3), np.float64, h.grad_fn)
    assert freed.requires_grad and not freed.is_leaf and freed.grad is None
    assert "values freed by backward" in repr(freed)
    # a leaf that requires grad is kept as itself: its .grad is what backward made
    assert h.grad_fn.parents[0].grad_fn.parents[0] is x
    assert h.grad_fn.freed and out.grad_fn.freed
    assert h.grad_fn.__dict__ == {}   # relu's mask, kept on ctx by forward, is gone


def test_next_functions_as_pytorch_has_them():
    torch = pytest.importorskip("torch")
    a = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    out = ((a * c).exp() + a).sum()
    ta = torch.tensor([1.0, 2.0], requires_grad=True)
    tc = torch.tensor([3.0, 4.0])
    tout = ((ta * tc).exp() + ta).sum()
    out.backward()
    tout.backward()

    def shape(fn):   # the tree of node kinds, torch's names mapped to ours
        if fn is None:
            return None
        name = type(fn).__name__ if not hasattr(fn, "parents") else fn.name
        name = name.lower().replace("backward0", "")
        return (name, tuple(shape(f) for f, _ in fn.next_functions))

    assert shape(out.grad_fn) == shape(tout.grad_fn)
    leaf_edge = out.grad_fn.parents[0].grad_fn.next_functions[1][0]
    assert isinstance(leaf_edge, AccumulateGrad) and leaf_edge.variable is a


def test_a_second_backward_through_a_freed_graph_says_retain_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 3).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"backward: the graph through sum was freed by an "
                                           r"earlier backward; pass retain_graph=True"):
        y.backward()
    with pytest.raises(RuntimeError, match="saved tensors were freed"):
        y.grad_fn.parents[0].grad_fn.saved_tensors
    with pytest.raises(RuntimeError, match=r"trace: the graph's values were freed .* in place of "
                                           r"loss.backward\(\)"):
        viz.trace(y)


def test_backward_frees_the_values_while_the_output_lives():
    x = Tensor(np.ones(1000), requires_grad=True)
    h = x.exp()
    values = weakref.ref(h._data)
    inner = weakref.ref(h)
    out = (h * 2).tanh().sum()
    del h
    out.backward()
    gc.collect()
    assert inner() is None and values() is None
    assert len(graph_tensors(out)) == 5 and out.grad_fn is not None
    node = weakref.ref(out.grad_fn)
    del out
    gc.collect()
    assert node() is None   # and once the output goes, the graph goes


def test_a_graph_partly_freed_is_drawn_with_shared_tensors_once():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    a = x * 2
    a.name = "a"
    b = a * 3
    c = a + b
    b.sum().backward()      # frees b's node and a's; c's node still holds the live a and b
    names = [t.name for t in graph_tensors(c)]
    assert names.count("a") == 1 and names.count("x") == 1
    assert "(see above)" in viz.format_graph(c)


# --- trace ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", GRAPHS)
def test_trace_records_every_nodes_value_and_gradient(which):
    loss = GRAPHS[which]()
    order = graph_tensors(loss)
    for t in order:
        if t._ctx is not None:
            t.retain_grad()
    traced = viz.trace(loss)
    assert all(t.grad is None for t in order)   # trace changes no .grad
    loss.backward()                             # and keeps the graph
    for t in order:
        if t.requires_grad:
            np.testing.assert_allclose(traced.grad(t), t.grad.numpy(), rtol=1e-6, atol=1e-7)
            assert traced.value(t) is t.numpy()
        else:
            assert traced.grad(t) is None
    assert len(traced.visits) == sum(t.requires_grad for t in order)


def test_trace_with_a_gradient_and_the_views_of_a_trace():
    x = Tensor([0.0, 2.0], requires_grad=True, name="x")
    s = x.sigmoid()
    traced = viz.trace(s, gradient=np.array([1.0, -1.0], np.float32))
    sig = 1 / (1 + np.exp(-np.array([0.0, 2.0])))
    np.testing.assert_allclose(traced.grad(x), [sig[0] * (1 - sig[0]), -sig[1] * (1 - sig[1])], rtol=1e-6)
    lines = viz.format_graph(traced).splitlines()
    assert lines[0].endswith("grad [1, -1]")           # every node shows its gradient
    assert lines[1].endswith("grad [0.25, -0.105]")
    assert "grad [1, -1]" in viz.to_dot(traced) and "grad [0.25, -0.105]" in traced._repr_svg_()


# --- record ----------------------------------------------------------------------------------------

def test_record_notes_the_code_line_and_the_module_and_puts_apply_back():
    original = Function.__dict__["apply"]
    model = nn.MLP([2, 3, 1])
    with viz.record():
        with viz.record():
            out = model(Tensor(np.ones((4, 2)))).sum()   # the line
    assert Function.__dict__["apply"] is original
    linear = out.grad_fn.parents[0].grad_fn
    line = "out = model(Tensor(np.ones((4, 2)))).sum()   # the line"
    assert viz.trace_module.created_at(out.grad_fn).endswith(line)
    assert "test_viz_trace.py" in viz.trace_module.created_at(linear)
    assert viz.trace_module.module_names([linear]) == {id(linear): ("layers.1", "Linear")}
    out.backward()   # the notes survive backward
    assert viz.trace_module.module_names([linear]) == {id(linear): ("layers.1", "Linear")}
    plain = model(Tensor(np.ones((4, 2)))).sum()
    assert viz.trace_module.created_at(plain.grad_fn) is None


# --- the built-in SVG and the notebook reprs -------------------------------------------------------

@pytest.mark.parametrize("example", viz.EXAMPLES)
def test_the_svg_is_well_formed_and_no_two_boxes_overlap(example):
    out = viz.graph_example(example)
    svg = viz.draw(out)._repr_svg_()
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    boxes, _ = viz.graph.graph_boxes(out)
    placed = viz.svg.layout(boxes)
    assert len(root.findall(".//{http://www.w3.org/2000/svg}rect")) == len(boxes)
    assert len(root.findall("{http://www.w3.org/2000/svg}path")) == sum(len(b.inputs) for b in boxes)
    rects = list(placed.values())
    for i, (x, y, w, h) in enumerate(rects):
        for x2, y2, w2, h2 in rects[i + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y
    # data flows left to right: every input box ends left of the box that uses it
    for b in boxes:
        for source, _ in b.inputs:
            assert placed[source][0] + placed[source][2] < placed[b.key][0]


def test_views_show_themselves_in_a_notebook(monkeypatch, capsys):
    loss = mlp_loss()
    tree = viz.format_graph(loss)
    assert isinstance(tree, str) and tree._repr_html_().startswith("<pre")
    assert html.escape(tree.splitlines()[0]) in tree._repr_html_()
    steps = viz.explain_backward(loss)
    assert isinstance(steps, list) and steps._repr_html_().startswith("<pre")
    assert str(steps) == capsys.readouterr().out
    shown = []
    monkeypatch.setattr(viz.views, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj), raising=False)
    viz.print_graph(loss)                 # in a notebook: displayed, not printed
    assert capsys.readouterr().out == "" and len(shown) == 1
    page = viz.explore(loss)
    assert page._repr_html_().startswith("<iframe srcdoc=")


# --- the explorer's data and page -----------------------------------------------------------------

def test_the_rule_with_numbers_substituted():
    sub = explorer_module.substitute
    symbols = {"dout": np.array(2.0), "a": np.array(3.0), "b": np.array(0.5)}
    assert sub("da = dout * b; db = dout * a", symbols,
               {"a": np.array(1.0), "b": np.array(6.0)}) == "da = 2 * 0.5 = 1; db = 2 * 3 = 6"
    t = np.array([[0.5, 0.1], [0.2, 0.3]])
    text = sub("dx = dout * (1 - t * t)", {"dout": np.ones((2, 2)), "t": t}, {"x": 1 - t * t})
    assert text == "dx = ‹2×2› * (1 - ‹2×2› * ‹2×2›) = ‹2×2›; dx[0, 0] = 1 * (1 - 0.5 * 0.5) = 0.75"
    assert sub("dx = dout broadcast back to x's shape", {"dout": np.array(1.0), "x": np.ones(3)},
               {"x": np.ones(3)}) == "dx = 1 broadcast back to x's shape = [1, 1, 1]"


def test_the_page_is_self_contained_and_holds_every_step():
    loss = custom_op_loss()
    loss.name = "</script><b>"   # would end the data's script early if written as it is
    page = viz.explorer_html(loss)
    assert page.count("</script>") == 2 and "</script><b>" not in page
    assert re.findall(r"(?:src|href)=", page) == []                   # nothing loaded from anywhere
    assert [u for u in re.findall(r"https?://[^\s\"']+", page) if "w3.org/2000/svg" not in u] == []
    data = explorer_module.explorer_data(loss)
    assert [s["phase"] for s in data["steps"]].count("forward") == 4   # mul, swish, pow, sum
    swish = next(s for s in data["steps"] if s["phase"] == "backward" and s["name"] == "swish")
    assert swish["rule"] == "swish: (no rule given: see its backward)"
    assert [s["name"] for s in swish["sent"]] == ["x"]


def test_modules_become_groups_and_the_default_collapses_big_graphs():
    out = viz.graph_example("mlp")
    data = explorer_module.explorer_data(out)
    assert {g["id"] for g in data["groups"]} >= {"layers.0", "layers.1"}
    layer = next(g for g in data["groups"] if g["id"] == "layers.0")
    assert layer["label"] == "layers.0 Linear" and layer["anchor"] in layer["members"]
    assert not data["collapse"]
    tg.manual_seed(0)
    model = nn.MLP([4, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 3])
    with viz.record():
        big = F.cross_entropy(model(Tensor(np.ones((2, 4)))), np.array([0, 1]))
    assert explorer_module.explorer_data(big)["collapse"]


class Block(nn.Module):
    """A Module with ops of its own around two sub-Modules: its group holds theirs."""

    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(4)
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        return x + self.lin(self.norm(x)).relu()


def nested_loss():
    tg.manual_seed(0)
    model = nn.Sequential(Block(), Block())
    with viz.record():
        return model(tg.randn(3, 4)).sum()


def test_nested_modules_make_nested_groups_and_the_whole_model_is_none():
    data = explorer_module.explorer_data(nested_loss())
    parents = {g["id"]: g["parent"] for g in data["groups"]}
    assert parents == {"0": None, "0.norm": "0", "0.lin": "0", "1": None, "1.norm": "1", "1.lin": "1"}
    block = next(g for g in data["groups"] if g["id"] == "0")
    inner = {m for g in data["groups"] if g["parent"] == "0" for m in g["members"]}
    assert inner < set(block["members"])   # a group's members include its sub-Modules'
    assert not any(g["collapsed"] for g in data["groups"])   # small: everything open
    tg.manual_seed(0)
    model = nn.MLP([4] + [8] * 20 + [3])
    with viz.record():
        big = F.cross_entropy(model(Tensor(np.ones((2, 4)))), np.array([0, 1]))
    groups = explorer_module.explorer_data(big)["groups"]
    assert all(g["collapsed"] and g["parent"] is None for g in groups)   # no MLP group around them


def shared_module_loss():
    tg.manual_seed(0)
    act = nn.Tanh()   # one Module called twice, with a Linear between the calls
    model = nn.Sequential(nn.Linear(3, 3), act, nn.Linear(3, 3), act)
    with viz.record():
        return model(tg.randn(2, 3)).sum()


def test_a_module_called_twice_is_no_group_as_one_box_would_feed_itself():
    data = explorer_module.explorer_data(shared_module_loss())
    assert [g["id"] for g in data["groups"]] == ["0", "2"]
    where = {n["id"]: n for n in data["nodes"]} | {g["id"]: g for g in data["groups"]}
    ungrouped = {n["id"] for n in data["nodes"] if n["group"] is None and n["kind"] == "op"}
    assert ungrouped == {"op4", "op8", "op9"}   # the two tanh and the sum
    shown = {n["id"]: n["group"] or n["id"] for n in data["nodes"]}
    for e in data["edges"]:   # data flows left to right between the page's boxes
        a, b = where[shown[e["from"]]], where[shown[e["to"]]]
        assert a is b or a["col"] < b["col"], e


@pytest.mark.parametrize("which", ["nested", "shared", "mlp", "classify2d"])
def test_each_frame_is_a_layered_layout_of_its_boxes_and_collapsed_groups(which):
    made = {"nested": nested_loss, "shared": shared_module_loss}
    loss = made[which]() if which in made else viz.graph_example(which)
    data = explorer_module.explorer_data(loss)
    frames = {None: {"w": data["width"], "h": data["height"]}} | {g["id"]: g["frame"] for g in data["groups"]}
    for frame, size in frames.items():
        items = [n for n in data["nodes"] if n["group"] == frame] + \
            [g for g in data["groups"] if g["parent"] == frame]
        top = explorer_module.HEADER if frame else 0
        for i, a in enumerate(items):
            assert 0 < a["x"] and a["x"] + a["w"] < size["w"] and top < a["y"] and a["y"] + a["h"] < size["h"]
            for b in items[i + 1:]:
                assert (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"]
                        or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"]), (a, b)
                if a["col"] < b["col"]:   # a column is left of the next: the page can widen one
                    assert a["x"] + a["w"] < b["x"]
                elif a["col"] > b["col"]:
                    assert b["x"] + b["w"] < a["x"]


def test_the_assets_ship_with_the_package():
    from importlib import resources
    folder = resources.files("tinygrad_nn.viz").joinpath("assets")
    assert {"explorer.js", "explorer.css"} <= {p.name for p in folder.iterdir()}


def test_by_hand_gradients_name_tensors_of_the_graph():
    out = viz.graph_example("neuron")
    w = next(t for t in graph_tensors(out) if t.name == "w")
    data = explorer_module.explorer_data(out, by_hand={"w": viz.trace(out).grad(w) + 1.0})
    (step,) = [s for s in data["steps"] if "by_hand" in s]
    assert not step["by_hand"]["agrees"] and step["by_hand"]["difference"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"explore: by_hand names 'W', which is not a tensor of this "
                                         r"graph \(named tensors: \['b', 'out', 'w', 'x', 'z'\]\)"):
        explorer_module.explorer_data(out, by_hand={"W": np.zeros(3)})
    with pytest.raises(ValueError, match=r"by_hand\['w'\] has shape \(2,\), but the tensor has shape \(3,\)"):
        viz.explore(out, by_hand={"w": np.zeros(2)})
