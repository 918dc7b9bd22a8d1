"""Optimizers: hand-computed steps, PyTorch's update rules (against PyTorch when installed),
parameter groups, zero_grad, state dicts, and argument errors."""
import math

import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import Tensor, nn, optim


def _param(value=1.0):
    return nn.Parameter(np.array([value], np.float64))


def _steps(opt, p, grads):
    values = []
    for g in grads:
        p.grad = Tensor(np.array([g], np.float64))
        opt.step()
        values.append(p.numpy()[0])
    return values


# --- hand-computed steps (p = 1, lr = 0.1, float64) ------------------------------------------------

def test_sgd_plain_and_weight_decay():
    p = _param()
    assert _steps(optim.SGD([p], lr=0.1), p, [0.5]) == [pytest.approx(0.95, abs=1e-15)]
    p = _param()
    # d = g + wd * p = 0.5 + 0.1 * 1 = 0.6
    assert _steps(optim.SGD([p], lr=0.1, weight_decay=0.1), p, [0.5]) == [pytest.approx(0.94, abs=1e-15)]


def test_sgd_momentum_by_hand():
    p = _param()
    # b1 = g = 0.5, p = 1 - 0.05 = 0.95;  b2 = 0.9 * 0.5 + 0.5 = 0.95, p = 0.95 - 0.095 = 0.855
    assert _steps(optim.SGD([p], lr=0.1, momentum=0.9), p, [0.5, 0.5]) == \
        [pytest.approx(0.95, abs=1e-15), pytest.approx(0.855, abs=1e-15)]


def test_sgd_nesterov_by_hand():
    p = _param()
    # b1 = 0.5, d = 0.5 + 0.9 * 0.5 = 0.95, p = 0.905;  b2 = 0.95, d = 0.5 + 0.855 = 1.355, p = 0.7695
    assert _steps(optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True), p, [0.5, 0.5]) == \
        [pytest.approx(0.905, abs=1e-15), pytest.approx(0.7695, abs=1e-15)]


def test_sgd_momentum_with_dampening_and_weight_decay_by_hand():
    p = _param()
    # d1 = 0.5 + 0.1 * 1 = 0.6, b1 = 0.6, p = 0.94
    # d2 = 0.5 + 0.1 * 0.94 = 0.594, b2 = 0.9 * 0.6 + 0.5 * 0.594 = 0.837, p = 0.94 - 0.0837 = 0.8563
    opt = optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.1)
    assert _steps(opt, p, [0.5, 0.5]) == [pytest.approx(0.94, abs=1e-15), pytest.approx(0.8563, abs=1e-15)]


def _adam_by_hand(grads, lr=0.1, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, decoupled=False, amsgrad=False):
    p, m, v, v_max = 1.0, 0.0, 0.0, 0.0
    out = []
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p *= 1 - lr * wd
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_max = max(v_max, v)
        second = v_max if amsgrad else v
        # PyTorch's placement of eps: after un-biasing sqrt(v), before dividing
        p -= lr / (1 - b1 ** t) * m / (math.sqrt(second) / math.sqrt(1 - b2 ** t) + eps)
        out.append(p)
    return out


def test_adam_first_step_moves_by_lr_in_the_gradient_sign():
    p = _param()
    (value,) = _steps(optim.Adam([p], lr=0.1), p, [0.5])
    assert value == pytest.approx(1 - 0.1 * 0.5 / (0.5 + 1e-8), abs=1e-15)


@pytest.mark.parametrize("make, hand", [
    (lambda p: optim.Adam([p], lr=0.1), {}),
    (lambda p: optim.Adam([p], lr=0.1, betas=(0.8, 0.99), eps=1e-3), dict(b1=0.8, b2=0.99, eps=1e-3)),
    (lambda p: optim.Adam([p], lr=0.1, weight_decay=0.1), dict(wd=0.1)),
    (lambda p: optim.Adam([p], lr=0.1, amsgrad=True), dict(amsgrad=True)),
    (lambda p: optim.AdamW([p], lr=0.1, weight_decay=0.1), dict(wd=0.1, decoupled=True)),
    (lambda p: optim.AdamW([p], lr=0.1), dict(wd=0.01, decoupled=True)),   # PyTorch's default decay
])
def test_adam_and_adamw_match_the_formulas(make, hand):
    grads = [0.5, -0.3, 2.0, 0.1]     # a large then a small gradient: amsgrad's max matters
    p = _param()
    np.testing.assert_allclose(_steps(make(p), p, grads), _adam_by_hand(grads, **hand), rtol=1e-14)


# --- behaviour -----------------------------------------------------------------------------------

def test_step_records_no_graph_bumps_version_and_skips_missing_grads():
    a, b = _param(), _param()
    opt = optim.Adam([a, b])
    a.grad = Tensor(np.array([1.0]))
    opt.step()                                    # grad mode is on: the step must not record
    assert a.is_leaf and a.grad_fn is None and a._version == 1
    assert b.numpy()[0] == 1.0 and b._version == 0 and b not in opt.state


def test_a_graph_built_before_the_step_refuses_backward_after_it():
    w = _param(2.0)
    y = w * w
    w.grad = Tensor(np.array([1.0]))
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_param_groups_have_their_own_hyperparameters():
    a, b = _param(), _param()
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = b.grad = Tensor(np.array([1.0]))
    opt.step()
    assert a.numpy()[0] == pytest.approx(0.9) and b.numpy()[0] == pytest.approx(0.5)
    opt.param_groups[0]["lr"] = 0.2               # schedulers change lr like this
    opt.step()
    assert a.numpy()[0] == pytest.approx(0.7)


def test_zero_grad():
    p = _param()
    opt = optim.SGD([p], lr=0.1)
    p.grad = Tensor(np.array([3.0]))
    opt.zero_grad(set_to_none=False)
    assert p.grad.numpy()[0] == 0.0
    opt.zero_grad()
    assert p.grad is None


def test_sgd_trains_a_linear_model():
    tinygrad_nn.manual_seed(0)
    x = tinygrad_nn.randn(64, 3)
    y = x @ Tensor(np.array([[1.0], [-2.0], [0.5]], np.float32)) + 0.3
    model = nn.Linear(3, 1)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(200):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < 1e-6
    np.testing.assert_allclose(model.weight.numpy(), [[1.0, -2.0, 0.5]], atol=1e-3)


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
    lambda ps: optim.AdamW(ps, lr=0.01),
    lambda ps: optim.ASGD(ps, lr=0.05, t0=2),
    lambda ps: optim.Adamax(ps, lr=0.01, weight_decay=0.1),
    lambda ps: optim.NAdam(ps, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    lambda ps: optim.RAdam(ps, lr=0.01, betas=(0.6, 0.8)),
    lambda ps: optim.Adadelta(ps, weight_decay=0.1),
    lambda ps: optim.Rprop(ps, lr=0.01),
    lambda ps: optim.SGD(ps, lr=0.005, momentum=0.9, maximize=True),   # ascent: small steps in float32
])
def test_state_dict_round_trip_resumes_exactly(make, tmp_path):
    def run(model, opt, steps, x):
        for _ in range(steps):
            opt.zero_grad()
            model(x).pow(2).sum().backward()
            opt.step()

    tinygrad_nn.manual_seed(0)
    x = tinygrad_nn.randn(8, 3)
    a = nn.MLP([3, 4, 2])
    b = nn.MLP([3, 4, 2])
    b.load_state_dict(a.state_dict())
    opt_a, opt_b = make(list(a.parameters())), make(list(b.parameters()))
    run(a, opt_a, 6, x)
    run(b, opt_b, 3, x)
    tinygrad_nn.save({"model": b.state_dict(), "optim": opt_b.state_dict()}, tmp_path / "ckpt.npz")
    c = nn.MLP([3, 4, 2])
    opt_c = make(list(c.parameters()))
    ckpt = tinygrad_nn.load(tmp_path / "ckpt.npz")
    c.load_state_dict(ckpt["model"])
    opt_c.load_state_dict(ckpt["optim"])
    assert opt_c.param_groups[0] == {**opt_b.param_groups[0], "params": opt_c.param_groups[0]["params"]}
    run(c, opt_c, 3, x)
    for pa, pc in zip(a.parameters(), c.parameters()):
        assert np.array_equal(pa.numpy(), pc.numpy())


def test_load_state_dict_validates_before_changing_anything():
    p, q = _param(), _param()
    opt = optim.Adam([p], lr=0.1)
    p.grad = Tensor(np.array([1.0]))
    opt.step()
    state = opt.state_dict()
    other = optim.Adam([q, _param()], lr=0.5)
    with pytest.raises(ValueError, match="group 0 has 1 parameters in the state but 2 here"):
        other.load_state_dict(state)
    assert other.param_groups[0]["lr"] == 0.5 and not other.state
    wide = optim.Adam([nn.Parameter(np.zeros(3))])
    with pytest.raises(ValueError, match=r"state 'exp_avg' of parameter 0 has shape \(1,\)"):
        wide.load_state_dict(state)
    with pytest.raises(ValueError, match="expected a dict with 'state' and 'param_groups'"):
        wide.load_state_dict({"foo": 1})
    fresh = optim.Adam([q])
    fresh.load_state_dict(state)
    assert fresh.param_groups[0]["lr"] == 0.1 and fresh.state[q]["step"] == 1
    assert fresh.state[q]["exp_avg"] is not opt.state[p]["exp_avg"]      # copied


@pytest.mark.parametrize("call, error, message", [
    (lambda: optim.SGD([], lr=0.1), ValueError, "SGD: got an empty parameter list"),
    (lambda: optim.SGD(_param(), lr=0.1), TypeError, "single Tensor"),
    (lambda: optim.SGD([np.zeros(2)], lr=0.1), TypeError, "can only optimize Tensors, got ndarray"),
    (lambda: optim.SGD([_param() * 2], lr=0.1), ValueError, "leaf tensors"),
    (lambda: optim.SGD([_param()], lr=-1.0), ValueError, "SGD: lr must be >= 0"),
    (lambda: optim.SGD([_param()], lr=0.1, nesterov=True), ValueError, "nesterov"),
    (lambda: optim.Adam([_param()], betas=(0.9, 1.0)), ValueError, r"betas must be two numbers in \[0, 1\)"),
    (lambda: optim.Adam([{"params": [_param()], "momentum": 0.9}]), ValueError,
     r"unknown hyperparameters \['momentum'\]"),
])
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_duplicate_parameters_are_rejected():
    p = _param()
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


# --- PyTorch, when it is installed ---------------------------------------------------------------

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.8)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.3, eps=1e-6)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name, kwargs", CONFIGS)
def test_updates_match_pytorch(name, kwargs, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    start = rng.standard_normal((3, 4)).astype(dtype)
    ours = nn.Parameter(start.copy())
    theirs = torch.nn.Parameter(torch.tensor(start.copy()))
    opt = getattr(optim, name)([ours], **kwargs)
    ref = getattr(torch.optim, name)([theirs], **kwargs)
    for _ in range(5):
        g = rng.standard_normal((3, 4)).astype(dtype)
        ours.grad = Tensor(g.copy())
        theirs.grad = torch.tensor(g.copy())
        opt.step()
        ref.step()
    tol = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=tol, atol=tol)
    assert ours.dtype == dtype


def test_training_an_mlp_matches_pytorch():
    torch = pytest.importorskip("torch")
    tinygrad_nn.manual_seed(0)
    model = nn.MLP([3, 5, 2], activation="tanh")
    with tinygrad_nn.no_grad():
        for p in model.parameters():
            p.data = p.numpy().astype(np.float64)
    ref = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    with torch.no_grad():
        for (_, p), q in zip(model.named_parameters(), ref.parameters()):
            q.copy_(torch.tensor(p.numpy()))
    x = np.random.default_rng(1).standard_normal((6, 3))
    labels = np.array([0, 1, 1, 0, 1, 0])
    opt = optim.Adam(model.parameters(), lr=0.05, weight_decay=0.01)
    ref_opt = torch.optim.Adam(ref.parameters(), lr=0.05, weight_decay=0.01)
    for _ in range(5):
        opt.zero_grad()
        nn.functional.cross_entropy(model(Tensor(x)), labels).backward()
        opt.step()
        ref_opt.zero_grad()
        torch.nn.functional.cross_entropy(ref(torch.tensor(x)), torch.tensor(labels)).backward()
        ref_opt.step()
    for p, q in zip(model.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-12)
