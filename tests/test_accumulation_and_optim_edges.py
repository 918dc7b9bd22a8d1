"""Paths a mutated engine or optimizer got through before (issue 15): .grad accumulation under
create_graph, leaves sharing one gradient array, a graph built on .grad, and optimizer
hyperparameters at exactly 1 (weight_decay, momentum) or with dampening."""
import math

import numpy as np
import pytest

from tinygrad_nn import Tensor, grad, nn, optim
from test_optim import _param, _steps   # one parameter, steps with given gradients


def _leaf(values):
    return Tensor(np.array(values, np.float64), requires_grad=True)


# --- .grad accumulation ---------------------------------------------------------------------------

def test_create_graph_backward_on_the_copy_path_gives_the_right_differentiable_grad():
    # sum's gradient is a read-only broadcast view: the engine copies it (g * 1 under create_graph)
    x = _leaf([1.0, -2.0, 3.0])
    x.sum().backward(create_graph=True)
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0, 1.0])
    x2 = _leaf([1.0, -2.0, 3.0])
    (x2 * x2).sum().backward(create_graph=True)
    np.testing.assert_array_equal(x2.grad.numpy(), [2.0, -4.0, 6.0])
    assert x2.grad.requires_grad
    (hess,) = grad(x2.grad.sum(), [x2])
    np.testing.assert_array_equal(hess.numpy(), [2.0, 2.0, 2.0])


def test_two_leaves_handed_one_gradient_under_create_graph_get_separate_correct_grads():
    a, b = _leaf([1.0, 2.0]), _leaf([3.0, 4.0])
    (a + b).sum().backward(create_graph=True)   # add hands one tensor to both: b's is copied
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())


def test_two_create_graph_backward_calls_accumulate_and_stay_differentiable():
    x = _leaf([1.0, 2.0])
    y = (x ** 3).sum()
    y.backward(create_graph=True)
    y.backward(create_graph=True)
    np.testing.assert_allclose(x.grad.numpy(), 2 * 3 * x.numpy() ** 2, rtol=1e-15)
    (second,) = grad(x.grad.sum(), [x])
    np.testing.assert_allclose(second.numpy(), 2 * 6 * x.numpy(), rtol=1e-15)


def test_create_graph_then_plain_backward_adds_to_the_differentiable_grad():
    x = _leaf([1.0, 2.0])
    (x * x).sum().backward(create_graph=True)
    (x * x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy() + 3 * x.numpy() ** 2, rtol=1e-15)


def test_two_leaves_sharing_one_gradient_array_do_not_share_grad_memory():
    a, b, c = _leaf([1.0, 2.0]), _leaf([3.0, 4.0]), _leaf([5.0, 6.0])
    loss = ((a + b) * c).sum()
    loss.backward(retain_graph=True)
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    loss.backward()   # a shared .grad array would receive both additions: 3c instead of 2c
    np.testing.assert_array_equal(a.grad.numpy(), [10.0, 12.0])
    np.testing.assert_array_equal(b.grad.numpy(), [10.0, 12.0])
    np.testing.assert_array_equal(c.grad.numpy(), [8.0, 12.0])


def test_a_graph_built_on_grad_refuses_backward_after_grad_is_accumulated_into():
    x, w = _leaf([1.0, 2.0]), _leaf([3.0, 4.0])
    (x * x).sum().backward()
    z = (x.grad * w).sum()        # Mul saves x.grad to compute w's gradient
    (x * x).sum().backward()      # adds into x.grad in place
    with pytest.raises(RuntimeError, match="modified in place"):
        z.backward()


# --- optimizers: hyperparameters exactly 1, dampening (p = 1, lr = 0.1, float64) -----------------

def test_sgd_weight_decay_one():
    p = _param()
    # d = g + 1 * p = 0.5 + 1 = 1.5, p = 1 - 0.15 = 0.85
    assert _steps(optim.SGD([p], lr=0.1, weight_decay=1.0), p, [0.5]) == [pytest.approx(0.85, abs=1e-15)]


def test_sgd_momentum_one_keeps_every_gradient():
    p = _param()
    # b = 0.5, 1.0, 1.5: p = 0.95, 0.85, 0.70
    assert _steps(optim.SGD([p], lr=0.1, momentum=1.0), p, [0.5] * 3) == \
        [pytest.approx(v, abs=1e-15) for v in (0.95, 0.85, 0.70)]


def test_sgd_momentum_with_dampening_by_hand():
    p = _param()
    # b1 = g = 0.5 (no dampening on the first step, as PyTorch); b2 = 0.9 * 0.5 + 0.75 * 0.5 = 0.825
    # p = 1 - 0.05 = 0.95, then 0.95 - 0.0825 = 0.8675
    opt = optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.25)
    assert _steps(opt, p, [0.5, 0.5]) == [pytest.approx(0.95, abs=1e-15), pytest.approx(0.8675, abs=1e-15)]


def _adam_two_steps(g1, g2, wd, decoupled, lr=0.1, b1=0.9, b2=0.999, eps=1e-8):
    p, m, v = 1.0, 0.0, 0.0
    out = []
    for t, g in enumerate((g1, g2), start=1):
        if decoupled:
            p *= 1 - lr * wd
        else:
            g += wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p -= lr / (1 - b1 ** t) * m / (math.sqrt(v) / math.sqrt(1 - b2 ** t) + eps)
        out.append(p)
    return out


@pytest.mark.parametrize("cls, decoupled", [(optim.Adam, False), (optim.AdamW, True)])
def test_adam_and_adamw_weight_decay_one(cls, decoupled):
    p = _param()
    got = _steps(cls([p], lr=0.1, weight_decay=1.0), p, [0.5, -2.0])
    want = _adam_two_steps(0.5, -2.0, 1.0, decoupled)
    np.testing.assert_allclose(got, want, rtol=1e-14)
    # the numbers differ from no decay at all, so a skipped decay cannot pass
    assert abs(got[1] - _adam_two_steps(0.5, -2.0, 0.0, decoupled)[1]) > 1e-3


EDGE_CONFIGS = [
    ("SGD", dict(lr=0.1, weight_decay=1.0)),
    ("SGD", dict(lr=0.1, momentum=1.0)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.1, momentum=1.0, dampening=1.0, weight_decay=1.0)),
    ("Adam", dict(lr=0.01, weight_decay=1.0)),
    ("AdamW", dict(lr=0.01, weight_decay=1.0)),
]


@pytest.mark.parametrize("name, kwargs", EDGE_CONFIGS)
def test_edge_hyperparameters_match_pytorch(name, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    start = rng.standard_normal((3, 4))
    ours = nn.Parameter(start.copy())
    theirs = torch.nn.Parameter(torch.tensor(start.copy()))
    opt = getattr(optim, name)([ours], **kwargs)
    ref = getattr(torch.optim, name)([theirs], **kwargs)
    for _ in range(5):
        g = rng.standard_normal((3, 4))
        ours.grad = Tensor(g.copy())
        theirs.grad = torch.tensor(g.copy())
        opt.step()
        ref.step()
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
