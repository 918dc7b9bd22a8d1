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
from test_viz_trace import Swish   # a user custom op with no derivative string

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
    for k, step in enumerate(steps):
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
        current = browser.execute_script(
            "return Array.from(document.querySelectorAll('.node.current')).map(n => n.dataset.id);")
        assert step["out"] in current
        press(browser, Keys.ARROW_RIGHT)
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
