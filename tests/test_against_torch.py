"""An independent reference: forward values and gradients against PyTorch, when it is installed
(`pip install torch==2.13.0`; skipped otherwise)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_nn import Tensor
from tinygrad_nn.testing import (away_from_zero, broadcastable_tensors, matmul_tensors, positive, spaced,
                                 tensors)

torch = pytest.importorskip("torch")

# name: (ours, PyTorch's, input strategy)
UNARY = {
    "exp": (lambda x: x.exp(), torch.exp, None),
    "log": (lambda x: x.log(), torch.log, positive()),
    "sqrt": (lambda x: x.sqrt(), torch.sqrt, positive()),
    "sin": (lambda x: x.sin(), torch.sin, None),
    "cos": (lambda x: x.cos(), torch.cos, None),
    "tanh": (lambda x: x.tanh(), torch.tanh, None),
    "sigmoid": (lambda x: x.sigmoid(), torch.sigmoid, st.floats(-30, 30)),
    "softplus": (lambda x: x.softplus(), torch.nn.functional.softplus, st.floats(-15, 15)),
    "relu": (lambda x: x.relu(), torch.relu, away_from_zero()),
    "leaky_relu": (lambda x: x.leaky_relu(0.2), lambda t: torch.nn.functional.leaky_relu(t, 0.2), None),
    "abs": (lambda x: x.abs(), torch.abs, None),
    "clip": (lambda x: x.clip(-1, 1), lambda t: torch.clamp(t, -1, 1), None),
    "sum": (lambda x: x.sum(axis=-1), lambda t: t.sum(dim=-1), None),
    "mean": (lambda x: x.mean(axis=0, keepdims=True), lambda t: t.mean(dim=0, keepdim=True), None),
    "var": (lambda x: x.var(axis=-1), lambda t: t.var(dim=-1), None),
    "max": (lambda x: x.amax(axis=-1), lambda t: t.amax(dim=-1), spaced()),
    "logsumexp": (lambda x: x.logsumexp(axis=-1), lambda t: torch.logsumexp(t, dim=-1), st.floats(-50, 50)),
    "softmax": (lambda x: x.softmax(axis=-1), lambda t: torch.softmax(t, dim=-1), st.floats(-50, 50)),
    "log_softmax": (lambda x: x.log_softmax(axis=-1), lambda t: torch.log_softmax(t, dim=-1),
                    st.floats(-50, 50)),
}
BINARY = {
    "add": (lambda a, b: a + b, torch.add),
    "mul": (lambda a, b: a * b, torch.mul),
    "sub": (lambda a, b: a - b, torch.sub),
    "maximum": (lambda a, b: a.maximum(b), torch.maximum),
}


def _compare(ours, theirs, arrays):
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(g)
    ref.backward(torch.tensor(g))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_ops_match_pytorch(name):
    ours, theirs, elements = UNARY[name]
    shape = st.tuples(st.integers(2, 3), st.integers(2, 4))

    @given(tensors(shape, elements=elements, unique=name == "max"))
    def agree(x):
        _compare(ours, theirs, [x.numpy()])
    agree()


@pytest.mark.parametrize("name", list(BINARY))
def test_broadcasting_binary_ops_match_pytorch(name):
    ours, theirs = BINARY[name]

    @given(broadcastable_tensors(2, elements=[spaced(), spaced().map(lambda v: v + 0.0625)]))
    def agree(pair):
        _compare(ours, theirs, [t.numpy() for t in pair])
    agree()


def test_matmul_matches_pytorch():
    @given(matmul_tensors())
    def agree(pair):
        _compare(lambda a, b: a @ b, torch.matmul, [t.numpy() for t in pair])
    agree()


def test_kink_conventions_match_pytorch():
    x = np.array([0.0, -0.0, 1.0, -1.0])
    for ours, theirs in [(lambda t: t.relu(), torch.relu), (lambda t: t.abs(), torch.abs),
                         (lambda t: t.clip(-1, 1), lambda t: torch.clamp(t, -1, 1)),
                         (lambda t: t.leaky_relu(0.1), lambda t: torch.nn.functional.leaky_relu(t, 0.1))]:
        _compare(ours, theirs, [x])
    ties = np.array([[1.0, 1.0, 0.0], [2.0, 2.0, 2.0]])
    _compare(lambda t: t.amax(axis=1), lambda t: t.amax(dim=1), [ties])
    _compare(lambda a, b: a.maximum(b), torch.maximum, [np.array([1.0, 2.0]), np.array([1.0, 3.0])])
