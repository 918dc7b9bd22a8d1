"""The PyTorch corpus: beginner-style PyTorch scripts (tests/pytorch_corpus/) that say
`import torch` and run unchanged with tinygrad_nn standing in for torch. Each runs under both
(when PyTorch is installed) and every number it prints must agree to the tolerance in its
`# tolerance:` line (1e-10 for float64 scripts, about 1e-5 for float32 ones); the words between
the numbers must be identical."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "pytorch_corpus")
ROOT = os.path.dirname(HERE)
SCRIPTS = sorted(f for f in os.listdir(CORPUS) if f.endswith(".py") and not f.startswith("_"))
NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")

try:
    import torch  # noqa: F401
    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False


def run_corpus(*flags: str) -> dict:
    """Every script's output, all run in one process (a fresh one per library)."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "_as_tinygrad.py", *flags, "--json", *SCRIPTS], cwd=CORPUS,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def ours():
    return run_corpus()


@pytest.fixture(scope="module")
def theirs():
    if not HAVE_TORCH:
        pytest.skip("PyTorch is not installed: the scripts ran, their numbers cannot be compared")
    return run_corpus("--torch")


def tolerance(script: str) -> float:
    with open(os.path.join(CORPUS, script)) as f:
        found = re.search(r"^# tolerance: (\S+)$", f.read(), re.MULTILINE)
    assert found, f"{script} has no '# tolerance:' line"
    return float(found.group(1))


def split(output: str) -> tuple[list[str], list[float]]:
    """The words and the numbers of an output: 'loss 0.25' -> (['loss ', ''], [0.25])."""
    return NUMBER.split(output), [float(n) for n in NUMBER.findall(output)]


def test_the_corpus_is_there():
    assert len(SCRIPTS) >= 10


def test_number_comparison_can_fail():
    words, numbers = split("loss 0.25, step 3")
    assert words == ["loss ", ", step ", ""] and numbers == [0.25, 3.0]
    assert not np.isclose(1.0, 1.0 + 1e-8, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_runs_with_tinygrad_nn_as_torch(ours, script):
    assert not ours[script].startswith("FAILED"), ours[script]
    assert ours[script].strip(), f"{script} printed nothing"


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_prints_torchs_numbers(ours, theirs, script):
    assert not theirs[script].startswith("FAILED"), f"the script fails with torch too:\n{theirs[script]}"
    our_words, our_numbers = split(ours[script])
    their_words, their_numbers = split(theirs[script])
    assert our_words == their_words, (f"{script}: outputs differ in words\nours:\n{ours[script]}\n"
                                      f"torch:\n{theirs[script]}")
    tol = tolerance(script)
    close = np.isclose(our_numbers, their_numbers, rtol=tol, atol=tol)
    bad = [(i, a, b) for i, (a, b, ok) in enumerate(zip(our_numbers, their_numbers, close)) if not ok]
    assert not bad, f"{script}: numbers differ beyond {tol} (index, ours, torch): {bad[:10]}"
