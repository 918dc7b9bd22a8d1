"""Smoke-run every script in examples/ with tiny settings, as a user would: `python examples/X.py`.

Each runs in a subprocess from a temporary folder (so plots land there), must exit 0, and
must print the lines that show its point. Plot files are checked only when matplotlib is
installed; the examples say they skipped the plot otherwise.
"""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None

# script -> (arguments for a quick run, text its output must contain, PNG it writes or None)
CASES = {
    "neuron.py": (["--quick"], ["logistic regression", "linear SVM", "support vectors"], None),
    "forward_pass.py": ([], ["has 26 parameters", "has 41 parameters"], None),
    "recover_function.py": (["--quick"], ["against the gradient", "mean squared error"], None),
    "activations.py": (["--quick"], ["sigmoid", "dead ReLU units"], "activations.png"),
    "classify2d.py": (["--quick"], ["20 hidden units, weight decay 0.1"], "classify2d.png"),
    "mnist_mlp.py": (["--epochs", "1", "--limit", "500"], ["epoch 1", "test accuracy"], None),
    "custom_op.py": ([], [], None),
    "compiled_backprop.py": (["--quick"], ["differ by at most 0.0e+00", "dz1 = dh ⊙ (1 - h²)",
                                           "W1 ← W1 - lr · dW1"], None),
}


def run_example(name: str, args: list[str], cwd: Path, extra_path: str = "") -> subprocess.CompletedProcess:
    paths = [p for p in (extra_path, str(ROOT), os.environ.get("PYTHONPATH", "")) if p]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_every_example_is_listed():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_runs(name, tmp_path):
    if not (EXAMPLES / name).exists():
        pytest.skip(f"examples/{name} is not written yet")
    args, expected, png = CASES[name]
    done = run_example(name, args, tmp_path)
    assert done.returncode == 0, done.stderr
    for text in expected:
        assert text in done.stdout, (text, done.stdout)
    if png is not None:
        if HAS_MATPLOTLIB:
            assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"
        else:
            assert "skipped the plot" in done.stdout


def test_recover_function_gradients_agree_to_1e12(tmp_path):
    done = run_example("recover_function.py", ["--quick"], tmp_path)
    assert done.returncode == 0, done.stderr
    difference = float(re.search(r"autograd gradients: ([0-9.e+-]+)", done.stdout).group(1))
    assert difference < 1e-12
    before, against = re.search(r"loss ([0-9.]+) -> ([0-9.]+) after a step against", done.stdout).groups()
    assert float(against) < float(before)


def test_activations_show_dead_units_and_vanishing_gradient(tmp_path):
    done = run_example("activations.py", ["--quick", "--plot", "a.png"], tmp_path)
    assert done.returncode == 0, done.stderr
    dead = [int(n) for n in re.findall(r"lr [0-9.]+: (\d+) of 64", done.stdout)]
    assert len(dead) == 2 and dead[1] > dead[0] + 20  # the high learning rate kills many more
    assert "through 10 stacked sigmoids" in done.stdout


@pytest.mark.parametrize("name", ["activations.py", "classify2d.py"])
def test_plotting_examples_run_without_matplotlib(name, tmp_path):
    blocker = tmp_path / "block" / "matplotlib"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('matplotlib hidden by the test')\n")
    done = run_example(name, ["--quick"], tmp_path, extra_path=str(tmp_path / "block"))
    assert done.returncode == 0, done.stderr
    assert "skipped the plot" in done.stdout
    assert not list(tmp_path.glob("*.png"))
