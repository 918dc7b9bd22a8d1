"""The explorer in a real browser: headless Chromium driven by selenium, the page loaded from
file://, every step visited with the keyboard, and the numbers on the page compared with the
engine's values and gradients.

Needs selenium, Chromium and its driver (Debian: chromium, chromium-driver; .ci/run installs them).
Outside CI a missing browser skips these tests; in CI (CI=true) it fails them.
UPDATE_SCREENSHOTS=1 also writes the README's screenshots into docs/.
"""
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Tensor, nn, viz
from tinygrad_nn.function import _node_key
from test_viz_trace import Swish, nested_loss   # a custom op with no derivative string; nested Modules

DOCS = Path(__file__).resolve().parents[1] / "docs"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--window-size=1400,860"]


def _missing(why):
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests must run in CI, but {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install selenium)")
    for program in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(program) or shutil.which(program)):
            _missing(f"{program} is missing (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="explorer-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def open_page(browser, tmp_path, loss, name="explorer.html"):
    path = tmp_path / name
    viz.explore(loss, path)
    browser.get(path.resolve().as_uri())
    browser.get_log("browser")   # start each page with an empty console log
    return path


def shown_numbers(browser, role):
    """The numbers the page shows (their text, as the reader sees it) per tensor of `role`."""
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('[data-role=\"' + arguments[0] + '\"]')).map("
        "b => Array.from(b.querySelectorAll('td.num')).map(td => parseFloat(td.textContent)));", role)


def assert_shows(numbers, array, what):
    flat = np.asarray(array, dtype=np.float64).ravel()[:viz.explorer.MAX_NUMBERS]
    # 4 significant digits on the page
    np.testing.assert_allclose(numbers, flat, rtol=6e-4, atol=1e-12, err_msg=what)


def press(browser, key, times=1):
    from selenium.webdriver.common.by import By
    body = browser.find_element(By.TAG_NAME, "body")
    for _ in range(times):
        body.send_keys(key)


def console_errors(browser):
    return [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def models():
    tg.manual_seed(0)
    model = nn.MLP([3, 4, 2], activation="tanh")
    x = Tensor(np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]], np.float32), name="x")
    with viz.record():
        mlp_loss = Swish.apply(model(x)).sum()
    return {"neuron": viz.graph_example("neuron"), "mlp-with-custom-op": mlp_loss}


def check_every_step(browser, traced, steps, every=1):
    """Visit every step with the right arrow key: the page shows the engine's numbers, and the
    step's box (or the collapsed group's box that holds it) is highlighted and scrolled into view.
    With every=n, only every n-th step (and the last) is visited, by the page's own show(k) that
    the keys call: a key press costs about 50 ms through selenium, a checked step about 0.25 s."""
    from selenium.webdriver.common.keys import Keys
    tensors = {f"t{i}": t for i, t in enumerate(traced.tensors)}
    for k, step in enumerate(steps):
        if k % every and k != len(steps) - 1:
            continue
        if every > 1:
            browser.execute_script("explorer.show(arguments[0]);", k)
        position = browser.find_element("id", "position").text
        assert position.startswith(f"step {k + 1} of {len(steps)}"), position
        assert browser.find_element("id", "step-title").text.endswith(step["title"])
        out = tensors[step["out"]]
        assert_shows(shown_numbers(browser, "value")[0], out.numpy(), f"value at step {k + 1}")
        if step["phase"] == "forward":
            inputs = [a for a in out._ctx.inputs if isinstance(a, Tensor)]
            for shown, a in zip(shown_numbers(browser, "input"), inputs):
                assert_shows(shown, a.numpy(), f"input at step {k + 1}")
        else:
            assert_shows(shown_numbers(browser, "grad")[0], traced.grad(out), f"dL/dout at step {k + 1}")
            sent = shown_numbers(browser, "sent")
            assert len(sent) == len(traced.sent[_node_key(out)])
            for shown, (_, key, g) in zip(sent, traced.sent[_node_key(out)]):
                assert_shows(shown, g, f"gradient sent at step {k + 1}")
            if out._ctx is not None:
                rule = browser.find_element("id", "rule").text
                assert rule.startswith(out._ctx.name + ":")
        current, in_view = browser.execute_script(
            "const shown = document.querySelectorAll("
            "  '.node.current:not(.hidden), .group-box.current:not(.hidden)');"
            "const view = document.getElementById('graph').getBoundingClientRect();"
            "return [Array.from(document.querySelectorAll('.node.current')).map(n => n.dataset.id),"
            " Array.from(shown).filter(e => { const r = e.getBoundingClientRect();"
            "  return r.right > view.left && r.left < view.right"
            "    && r.bottom > view.top && r.top < view.bottom;"
            " }).length];")
        assert step["out"] in current
        assert in_view >= 1, f"the highlighted box of step {k + 1} is out of view"
        if every == 1:
            press(browser, Keys.ARROW_RIGHT)


@pytest.mark.parametrize("which", ["neuron", "mlp-with-custom-op"])
def test_every_step_shows_the_engines_values_and_gradients(browser, tmp_path, which):
    from selenium.webdriver.common.keys import Keys
    loss = models()[which]
    traced = viz.trace(loss)
    data = viz.explorer.explorer_data(traced)
    tensors = {f"t{i}": t for i, t in enumerate(traced.tensors)}
    open_page(browser, tmp_path, traced)
    steps = data["steps"]
    assert [s["phase"] for s in steps] == ["forward"] * sum(t._ctx is not None for t in traced.tensors) + \
        ["backward"] * len(traced.visits)
    check_every_step(browser, traced, steps)
    # past the end it stays on the last step; Home goes back to the first
    assert browser.find_element("id", "position").text.startswith(f"step {len(steps)} of")
    press(browser, Keys.HOME)
    assert browser.find_element("id", "position").text.startswith("step 1 of")
    press(browser, Keys.END)
    press(browser, Keys.ARROW_LEFT)
    assert browser.find_element("id", "position").text.startswith(f"step {len(steps) - 1} of")
    assert console_errors(browser) == []
    # the leaves' gradients on the page are what a real backward puts in .grad
    for t in traced.tensors:
        t.grad = None   # graph_example ran a backward already
    loss.backward()
    for step in steps:
        if step["phase"] == "backward" and step["op"] is None:
            leaf = tensors[step["out"]]
            np.testing.assert_allclose(traced.grad(leaf), leaf.grad.numpy(), rtol=1e-6)


def test_the_rule_is_shown_with_the_numbers_substituted(browser, tmp_path):
    from selenium.webdriver.common.keys import Keys
    out = viz.graph_example("neuron")      # tanh(w·x + b)
    open_page(browser, tmp_path, out)
    press(browser, Keys.END)               # the last step of backward is a leaf; find tanh's
    steps = viz.explorer.explorer_data(out)["steps"]
    k = next(i for i, s in enumerate(steps) if s["phase"] == "backward" and s["name"] == "tanh")
    press(browser, Keys.HOME)
    press(browser, Keys.ARROW_RIGHT, k)
    assert browser.find_element("id", "rule").text == "tanh: dx = dout * (1 - t * t)"
    t = np.tanh(out.grad_fn.parents[0].numpy())
    expected = f"dx = 1 * (1 - {t:.4g} * {t:.4g}) = {1 - t * t:.4g}"
    assert browser.find_element("id", "numbers").text == expected


def test_buttons_and_slider_move_through_the_steps(browser, tmp_path):
    out = viz.graph_example("neuron")
    open_page(browser, tmp_path, out)
    n = len(viz.explorer.explorer_data(out)["steps"])
    browser.find_element("id", "next").click()
    browser.find_element("id", "next").click()
    assert browser.find_element("id", "position").text.startswith("step 3 of")
    browser.find_element("id", "prev").click()
    assert browser.find_element("id", "position").text.startswith("step 2 of")
    browser.find_element("id", "last").click()
    assert browser.find_element("id", "position").text.startswith(f"step {n} of")
    browser.execute_script("const s = document.getElementById('slider'); s.value = 4;"
                           "s.dispatchEvent(new Event('input'));")
    assert browser.find_element("id", "position").text.startswith("step 5 of")
    browser.find_element("id", "first").click()
    assert browser.find_element("id", "position").text.startswith("step 1 of")
    assert console_errors(browser) == []


def test_a_module_collapses_into_one_box_and_expands_on_click(browser, tmp_path):
    out = viz.graph_example("mlp")          # MLP([2, 3, 1]) under record(): layers.0, layers.1, ...
    open_page(browser, tmp_path, out)
    button = browser.find_element("css selector", '.group-button[data-group="layers.0"]')
    members = browser.execute_script(
        "return explorer.data.groups.find(g => g.id === 'layers.0').members;")
    assert members   # the Linear's op and output, and its parameters
    hidden = ("return document.querySelector('.node[data-id=\"' + arguments[0] + '\"]')"
              ".classList.contains('hidden');")
    assert not any(browser.execute_script(hidden, m) for m in members)
    button.click()
    assert all(browser.execute_script(hidden, m) for m in members)
    box = browser.find_element("css selector", '.group-box[data-group="layers.0"]')
    assert box.text.startswith("+ layers.0 Linear")
    edges_to_box = browser.execute_script(   # the edges of hidden boxes end at the module's box
        "return explorer.edgeElements.filter(p => explorer.data.groups[0].members.includes("
        "p.dataset.to)).length;")
    assert edges_to_box >= 1
    box.click()
    assert not any(browser.execute_script(hidden, m) for m in members)
    assert console_errors(browser) == []


def test_the_javascript_helpers(browser, tmp_path):
    open_page(browser, tmp_path, viz.graph_example("neuron"))
    fmt = "return TinygradExplorer.format(arguments[0]);"
    cases = {0.0: "0", 1.0: "1", 0.25: "0.25", -1.5: "-1.5", 1234.5678: "1235", 0.000012346: "1.235e-5",
             123456789.0: "1.235e+8", 2.0 / 3: "0.6667"}
    for value, text in cases.items():
        assert browser.execute_script(fmt, value) == text, value
    rows = browser.execute_script(
        "const b = TinygradExplorer.tensorTable({shape: [2, 3], values: [1, 2, 3, 4, 5, 6], size: 6,"
        " norm: 9.539}, document.body, 'x');"
        "return Array.from(b.querySelectorAll('tr')).map(r => r.children.length);")
    assert rows == [3, 3]


def hand_backprop_321(loss):
    """The notes' backprop of mean((W2 tanh(W1 x + b1) + b2 - y)²), in numpy, from the graph's
    own tensors: gradients by name, and dL/d(hidden activations)."""
    named = {t.name: t.numpy().astype(np.float64) for t in tg.function.graph_tensors(loss) if t.name}
    x, y = named["x"], named["y"]
    W1, b1, W2, b2 = (named[f"layers.{i}.{p}"] for i in (0, 1) for p in ("weight", "bias"))
    a1 = np.tanh(x @ W1.T + b1)                 # (N, 2)
    d_out = 2 * (a1 @ W2.T + b2 - y) / y.size   # (N, 1)
    d_a1 = d_out @ W2                           # (N, 2)
    d_z1 = d_a1 * (1 - a1 ** 2)
    tanh_out = next(t for t in tg.function.graph_tensors(loss)
                    if t._ctx is not None and t._ctx.name == "tanh")
    return {"layers.1.weight": d_out.T @ a1, "layers.1.bias": d_out.sum(0),
            "layers.0.weight": d_z1.T @ x, "layers.0.bias": d_z1.sum(0), tanh_out: d_a1}


def test_hand_written_backprop_beside_the_engines(browser, tmp_path):
    from selenium.webdriver.common.keys import Keys
    out = viz.graph_example("recover-321")
    by_hand = hand_backprop_321(out)
    by_hand["layers.0.bias"] = by_hand["layers.0.bias"] * 1.5   # a slip in the hand derivation
    path = tmp_path / "hand.html"
    viz.explore(out, path, by_hand=by_hand)
    browser.get(path.resolve().as_uri())
    steps = viz.explorer.explorer_data(out, by_hand=by_hand)["steps"]
    verdicts = {}
    for k, step in enumerate(steps):
        if "by_hand" in step:
            press(browser, Keys.HOME)
            press(browser, Keys.ARROW_RIGHT, k)
            name = step["title"].split(":")[0].split(" =")[0]
            verdicts[name] = browser.find_element("id", "by-hand-verdict").text
            assert_shows(shown_numbers(browser, "by-hand")[0], step["by_hand"]["values"], name)
    assert len(verdicts) == 5
    assert verdicts.pop("layers.0.bias").startswith("DIFFERS from the engine")
    assert all(v.startswith("agrees with the engine") for v in verdicts.values()), verdicts
    assert console_errors(browser) == []


def test_screenshots_for_the_readme(browser, tmp_path):
    from selenium.webdriver.common.keys import Keys
    out = viz.graph_example("recover-321")
    path = tmp_path / "explorer.html"
    viz.explore(out, path, by_hand=hand_backprop_321(out))
    browser.get(path.resolve().as_uri())
    steps = viz.explorer.explorer_data(out)["steps"]
    targets = {"explorer-forward.png": next(i for i, s in enumerate(steps) if s["name"] == "tanh"),
               "explorer-backward.png": next(i for i, s in enumerate(steps)
                                             if s["phase"] == "backward" and s["name"] == "tanh")}
    folder = DOCS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    browser.set_window_size(1800, 900)
    browser.refresh()   # laid out again for the wider window
    for name, k in targets.items():
        press(browser, Keys.HOME)
        press(browser, Keys.ARROW_RIGHT, k)
        assert browser.find_element("id", "position").text.startswith(f"step {k + 1} of")
        browser.save_screenshot(str(folder / name))
        assert (folder / name).stat().st_size > 10_000
    assert console_errors(browser) == []
    browser.set_window_size(1400, 860)


# --- the compound layout: open and collapsed Modules ----------------------------------------------

GEOMETRY = """
const svg = document.querySelector('#graph svg'), m = svg.getScreenCTM();
function page(x, y) { const p = svg.createSVGPoint(); p.x = x; p.y = y; return p.matrixTransform(m); }
function rect(e) { const r = e.querySelector('rect').getBoundingClientRect();
                   return {l: r.left, t: r.top, r: r.right, b: r.bottom}; }
const boxes = Array.from(document.querySelectorAll('.node:not(.hidden)')).map(
    e => Object.assign(rect(e), {id: e.dataset.id, group: null}));
Array.from(document.querySelectorAll('.group-box:not(.hidden)')).forEach(
    e => boxes.push(Object.assign(rect(e), {id: null, group: e.dataset.group})));
const frames = Array.from(document.querySelectorAll('.group-frame:not(.hidden)')).map(
    e => Object.assign(rect(e), {group: e.dataset.group}));
const edges = explorer.edgeElements.map(p => {
    const n = p.getAttribute('d').match(/-?[0-9.e+-]+/g).map(Number);
    const a = page(n[0], n[1]), b = page(n[n.length - 2], n[n.length - 1]);
    return {from: p.dataset.from, to: p.dataset.to, x1: a.x, y1: a.y, x2: b.x, y2: b.y}; });
return {boxes: boxes, frames: frames, edges: edges, width: parseFloat(svg.getAttribute('width'))};
"""


def check_geometry(browser, data):
    """No two visible boxes overlap, open groups' frames nest or stay apart, each box is inside the
    frames of its open groups only, and every edge runs from the right side of the visible box that
    shows its source to the left side of the one that shows its target. Returns the picture's width."""
    seen = browser.execute_script(GEOMETRY)
    groups = {g["id"]: g for g in data["groups"]}
    node_group = {n["id"]: n["group"] for n in data["nodes"]}

    def inside_of(node):   # the node's groups, innermost first
        found, g = [], node_group[node]
        while g is not None:
            found.append(g)
            g = groups[g]["parent"]
        return found

    def apart(a, b):   # (half a pixel for rounding)
        return (a["r"] <= b["l"] + 0.5 or b["r"] <= a["l"] + 0.5
                or a["b"] <= b["t"] + 0.5 or b["b"] <= a["t"] + 0.5)

    def within(a, b):
        return (b["l"] - 0.5 <= a["l"] and a["r"] <= b["r"] + 0.5
                and b["t"] - 0.5 <= a["t"] and a["b"] <= b["b"] + 0.5)

    boxes, frames = seen["boxes"], seen["frames"]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert apart(a, b), (a, b)
    for i, a in enumerate(frames):
        for b in frames[i + 1:]:
            assert apart(a, b) or within(a, b) or within(b, a), (a, b)
    for box in boxes:
        holders = inside_of(box["id"]) if box["id"] else [groups[box["group"]]["parent"]]
        for frame in frames:
            assert within(box, frame) if frame["group"] in holders else apart(box, frame), (box, frame)

    def shows(box, node):   # the visible box that shows `node`: its own, or a collapsed group's
        return box["id"] == node or (box["group"] is not None and box["group"] in inside_of(node))

    for e in seen["edges"]:
        start = [b for b in boxes if abs(b["r"] - e["x1"]) < 1 and b["t"] - 1 <= e["y1"] <= b["b"] + 1]
        end = [b for b in boxes if abs(b["l"] - e["x2"]) < 1 and b["t"] - 1 <= e["y2"] <= b["b"] + 1]
        assert len(start) == 1 and shows(start[0], e["from"]), e
        assert len(end) == 1 and shows(end[0], e["to"]), e
        assert start[0] is not end[0], e   # none inside one collapsed box
    # each edge of the graph is drawn unless both its ends are inside one collapsed box
    drawn = {(e["from"], e["to"]) for e in seen["edges"]}
    for e in data["edges"]:
        if (e["from"], e["to"]) not in drawn:
            shared = set(inside_of(e["from"])) & set(inside_of(e["to"]))
            shut = browser.execute_script("return explorer.collapsed;")
            assert any(shut[g] for g in shared), e
    return seen["width"]


def big_model_loss():
    """The brief's 265-tensor graph: 12 × (Linear, LayerNorm, GELU) and a Linear, cross-entropy."""
    tg.manual_seed(0)
    model = nn.Sequential(*[m for _ in range(12) for m in (nn.Linear(8, 8), nn.LayerNorm(8), nn.GELU())],
                          nn.Linear(8, 3))
    x, y = tg.randn(5, 8), tg.tensor([0, 1, 2, 1, 0])
    with viz.record():
        return nn.functional.cross_entropy(model(x), y)


def flip(browser, group, where="button"):
    selector = {"button": f'.group-button[data-group="{group}"]', "box": f'.group-box[data-group="{group}"]',
                "label": f'.group-frame[data-group="{group}"] .frame-label rect'}[where]
    browser.find_element("css selector", selector).click()


def test_a_big_graph_opens_collapsed_short_and_its_modules_open_in_place(browser, tmp_path):
    loss = big_model_loss()
    traced = viz.trace(loss)
    data = viz.explorer.explorer_data(traced)
    assert data["collapse"] and len(data["groups"]) == 37
    boxes, _ = viz.graph.graph_boxes(traced, show_grads=False)
    for b in boxes:
        b.lines = b.lines[:2]
    flat = max(x + w for x, _, w, _ in viz.svg.layout(boxes).values())   # every box where it would be
    assert flat > 45_000
    open_page(browser, tmp_path, traced, "big.html")
    assert browser.execute_script("return document.querySelectorAll('.group-box:not(.hidden)').length;") == 37
    collapsed = check_geometry(browser, data)
    assert collapsed < flat / 5   # measured: 8274 px against 50107 px
    flip(browser, "4")             # a LayerNorm
    one = check_geometry(browser, data)
    assert one > collapsed
    flip(browser, "7", "box")
    assert check_geometry(browser, data) > one
    flip(browser, "4", "label")   # collapsed again by its frame's label
    assert browser.execute_script("return explorer.collapsed['4'] && !explorer.collapsed['7'];")
    check_geometry(browser, data)
    check_every_step(browser, traced, data["steps"], every=23)   # 478 steps; 23 is prime to the 3-op blocks
    for g in data["groups"]:
        if browser.execute_script("return explorer.collapsed[arguments[0]];", g["id"]):
            flip(browser, g["id"])
    assert check_geometry(browser, data) > flat * 0.9
    assert console_errors(browser) == []


def test_nested_modules_open_and_collapse_inside_each_other(browser, tmp_path):
    loss = nested_loss()   # Sequential(Block(), Block()): groups 0, 0.norm, 0.lin, 1, ...
    data = viz.explorer.explorer_data(loss)
    open_page(browser, tmp_path, loss, "nested.html")
    check_geometry(browser, data)
    flip(browser, "0.lin")
    check_geometry(browser, data)
    flip(browser, "0")
    assert browser.execute_script("return document.querySelector('.group-box[data-group=\"0.lin\"]')"
                                  ".classList.contains('hidden');")
    check_geometry(browser, data)
    flip(browser, "1.norm", "label")
    check_geometry(browser, data)
    flip(browser, "0", "box")   # open again, with 0.lin still collapsed inside
    assert browser.execute_script("return explorer.collapsed['0.lin'];")
    check_geometry(browser, data)
    check_every_step(browser, viz.trace(loss), data["steps"])
    assert console_errors(browser) == []
