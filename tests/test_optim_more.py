"""The optimizers added after the first five (ASGD, Adamax, NAdam, RAdam, Adadelta, Rprop) and the
options every optimizer shares (maximize=, step(closure)): step by step against PyTorch in float64
(skipped without torch), hand-computed first steps, argument errors and state-dict round trips."""
import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import Tensor, nn, optim
from test_optim import _param, _steps   # one parameter, steps with given gradients


# --- against PyTorch: two parameter groups, several steps -----------------------------------------

CONFIGS = [
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.1, lambd=0.01, alpha=0.5, t0=2, weight_decay=1.0)),
    ("ASGD", dict(lr=0.05, t0=0, weight_decay=0.1, maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.3, 0.9), eps=1e-6, weight_decay=1.0)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=1.0, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("NAdam", dict(lr=0.01, weight_decay=1.0, decoupled_weight_decay=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, betas=(0.7, 0.9), weight_decay=1.0)),   # rho_t > 5 from step 3: both branches
    ("RAdam", dict(lr=0.01, betas=(0.6, 0.8), weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4, weight_decay=1.0)),
    ("Adadelta", dict(rho=1.0, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(0.01, 0.2))),
    ("Rprop", dict(lr=0.02, maximize=True)),
    # maximize= on the first five, and the edges at exactly 1.0
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=1.0, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=1.0, dampening=1.0, weight_decay=1.0)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.99), weight_decay=1.0, amsgrad=True, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01, weight_decay=1.0, maximize=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=1.0, maximize=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=1.0, maximize=True)),
]


def _both(torch, name, kwargs, rng):
    """Our optimizer and torch's over the same two float64 parameters, the second in a group of its
    own with half the learning rate."""
    starts = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    ours = [nn.Parameter(s.copy()) for s in starts]
    theirs = [torch.nn.Parameter(torch.tensor(s.copy())) for s in starts]
    lr = kwargs.get("lr", getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)]).defaults["lr"])

    def groups(ps):
        return [{"params": [ps[0]]}, {"params": [ps[1]], "lr": lr / 2}]
    return ours, theirs, getattr(optim, name)(groups(ours), **kwargs), \
        getattr(torch.optim, name)(groups(theirs), **kwargs)


@pytest.fixture
def torch64():
    """torch with float64 as its default dtype: its optimizers then keep scalar state (ASGD's eta
    and mu, NAdam's mu_product) in float64, as ours does, instead of rounding it to float32."""
    torch = pytest.importorskip("torch")
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(saved)


@pytest.mark.parametrize("name, kwargs", CONFIGS)
def test_updates_match_pytorch_step_by_step(name, kwargs, torch64):
    rng = np.random.default_rng(0)
    ours, theirs, opt, ref = _both(torch64, name, kwargs, rng)
    for step in range(8):
        for p, q in zip(ours, theirs):
            g = rng.standard_normal(p.shape)
            if name == "Rprop" and step % 3 == 2:
                g = -np.sign(q.grad.numpy()) * np.abs(g)   # flip the signs: the step sizes shrink
            p.grad, q.grad = Tensor(g.copy()), torch64.tensor(g.copy())
        opt.step()
        ref.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-12)
    for p, q in zip(ours, theirs):   # the state too, under PyTorch's names
        ref_state = ref.state[q]
        assert set(opt.state[p]) == set(ref_state)
        for key, value in opt.state[p].items():
            np.testing.assert_allclose(np.asarray(value, np.float64), np.asarray(ref_state[key]), rtol=1e-10,
                                       atol=1e-12, err_msg=key)


@pytest.mark.parametrize("name", ["ASGD", "Adamax", "NAdam", "RAdam", "Adadelta", "Rprop"])
def test_float32_parameters_stay_float32_and_match_pytorch(name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    start = rng.standard_normal((3, 4)).astype(np.float32)
    p, q = nn.Parameter(start.copy()), torch.nn.Parameter(torch.tensor(start.copy()))
    opt, ref = getattr(optim, name)([p], lr=0.01), getattr(torch.optim, name)([q], lr=0.01)
    for _ in range(5):
        g = rng.standard_normal((3, 4)).astype(np.float32)
        p.grad, q.grad = Tensor(g.copy()), torch.tensor(g.copy())
        opt.step()
        ref.step()
    assert p.dtype == np.float32
    np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_defaults_and_group_keys_are_pytorch_s():
    torch = pytest.importorskip("torch")
    for name in ["SGD", "ASGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta",
                 "Rprop"]:
        ours = getattr(optim, name)([_param()]).defaults
        theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)]).defaults
        assert set(ours) <= set(theirs), name
        assert {k: theirs[k] for k in ours} == ours, name


def test_step_with_a_closure_trains_like_pytorch_and_returns_the_loss(torch64):
    torch = torch64
    x = np.random.default_rng(2).standard_normal((6, 3))
    w0 = np.random.default_rng(3).standard_normal((3, 1))
    w, v = nn.Parameter(w0.copy()), torch.nn.Parameter(torch.tensor(w0.copy()))
    opt, ref = optim.NAdam([w], lr=0.1), torch.optim.NAdam([v], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (Tensor(x) @ w).pow(2).mean()
        loss.backward()
        return loss

    def ref_closure():
        ref.zero_grad()
        loss = (torch.tensor(x) @ v).pow(2).mean()
        loss.backward()
        return loss
    for _ in range(4):
        with tinygrad_nn.no_grad():   # the closure records its graph anyway, as PyTorch's
            loss = opt.step(closure)
        ref_loss = ref.step(ref_closure)
        assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-12)
    np.testing.assert_allclose(w.numpy(), v.detach().numpy(), rtol=1e-12)
    assert optim.SGD([_param()]).step() is None


# --- without PyTorch ----------------------------------------------------------------------------

def test_first_steps_by_hand():
    p = _param()
    # Adamax: m = 0.1 g, u = |g| + eps, clr = lr / 0.1: p = 1 - lr * g / (|g| + eps)
    (value,) = _steps(optim.Adamax([p], lr=0.1), p, [0.5])
    assert value == pytest.approx(1 - 0.1 * 0.5 / (0.5 + 1e-8), abs=1e-15)
    p = _param()
    # RAdam: rho_1 = 1 < 5, so p = 1 - lr * m / (1 - beta1) = 1 - lr * g
    assert _steps(optim.RAdam([p], lr=0.1), p, [0.5]) == [pytest.approx(0.95, abs=1e-15)]
    p = _param()
    # Rprop: steps of lr, lr * 1.2, then a sign flip: step size * 0.5, no move, then -0.006
    assert _steps(optim.Rprop([p], lr=0.01), p, [1.0, 1.0, -1.0, -1.0]) == pytest.approx(
        [0.99, 0.978, 0.978, 0.984], abs=1e-15)
    p = _param()
    # ASGD with lambd=0: plain SGD steps; ax follows p for t0 + 2 steps (mu = 1 / max(1, t - t0)
    # is set after each step), then averages the iterates from there on
    opt = optim.ASGD([p], lr=0.1, lambd=0.0, t0=1)
    assert _steps(opt, p, [1.0] * 4) == pytest.approx([0.9, 0.8, 0.7, 0.6], abs=1e-15)
    assert opt.state[p]["ax"][0] == pytest.approx((0.7 + 0.6) / 2, abs=1e-15)
    p = _param()
    # maximize ascends: SGD with lr=0.1 and grad 0.5 goes up by 0.05
    assert _steps(optim.SGD([p], lr=0.1, maximize=True), p, [0.5]) == [pytest.approx(1.05, abs=1e-15)]


@pytest.mark.parametrize("call, message", [
    (lambda: optim.Adamax([_param()], lr=-0.1), "Adamax: lr must be >= 0, got -0.1"),
    (lambda: optim.Adamax([_param()], betas=(1.0, 0.9)), r"Adamax: betas must be two numbers in \[0, 1\)"),
    (lambda: optim.NAdam([_param()], momentum_decay=-1.0), "NAdam: momentum_decay must be >= 0, got -1.0"),
    (lambda: optim.NAdam([_param()], eps=float("nan")), "NAdam: eps must be >= 0, got nan"),
    (lambda: optim.RAdam([_param()], weight_decay=-1e-2), "RAdam: weight_decay must be >= 0, got -0.01"),
    (lambda: optim.RAdam([_param()], betas=(0.9,)), r"RAdam: betas must be two numbers"),
    (lambda: optim.Adadelta([_param()], rho=1.5), r"Adadelta: rho must be in \[0, 1\], got 1.5"),
    (lambda: optim.Rprop([_param()], etas=(1.2, 0.5)), r"Rprop: etas must be .* got \(1.2, 0.5\)"),
    (lambda: optim.Rprop([_param()], etas=(0.5, 1.0)), "Rprop: etas must be"),
    (lambda: optim.ASGD([_param()], weight_decay=-1), "ASGD: weight_decay must be >= 0, got -1"),
    (lambda: optim.Adamax([{"params": [_param()], "lr": -1}]), "Adamax: lr must be >= 0, got -1"),
    (lambda: optim.NAdam([{"params": [_param()], "momentum": 0.9}]),
     r"unknown hyperparameters \['momentum'\]"),
])
def test_hyperparameter_errors_name_the_optimizer_and_the_value(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_new_optimizers_record_no_graph_and_bump_versions():
    for name in ["ASGD", "Adamax", "NAdam", "RAdam", "Adadelta", "Rprop"]:
        p = _param()
        p.grad = Tensor(np.array([0.5]))
        before = p._version
        getattr(optim, name)([p]).step()
        assert p.grad_fn is None and p.is_leaf and p._version > before, name


# --- LBFGS ----------------------------------------------------------------------------------------

def _lbfgs_run(lib, opt_cls, params, x, y, steps, **kwargs):
    """`steps` LBFGS steps of a tanh regression: the loss of each step, the closure call count."""
    w1, w2 = params
    opt = opt_cls([w1, w2], **kwargs)
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = ((lib.tanh(x @ w1) @ w2 - y) ** 2).mean()
        loss.backward()
        return loss
    losses = [opt.step(closure).item() for _ in range(steps)]
    return losses, len(calls), opt


# Twenty iterations: the same iterates to ~1e-13. Over ~80 the rounding of different dot-product
# orders grows to ~1e-6 on this ill-conditioned fit, with the same iteration and evaluation counts.
@pytest.mark.parametrize("kwargs", [
    dict(max_iter=10),
    dict(lr=0.5, history_size=3, max_iter=7),
    dict(line_search_fn="strong_wolfe", max_iter=10),
    dict(line_search_fn="strong_wolfe", history_size=2, max_iter=12, max_eval=14, tolerance_change=1e-12),
])
def test_lbfgs_matches_pytorch(kwargs, torch64):
    torch = torch64
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((20, 3)), rng.standard_normal((20, 1))
    starts = [rng.standard_normal((3, 5)) * 0.5, rng.standard_normal((5, 1)) * 0.5]
    ours = [nn.Parameter(s.copy()) for s in starts]
    theirs = [torch.nn.Parameter(torch.tensor(s.copy())) for s in starts]
    losses, calls, opt = _lbfgs_run(tinygrad_nn, optim.LBFGS, ours, Tensor(x), Tensor(y), 2, **kwargs)
    ref_losses, ref_calls, ref = _lbfgs_run(torch, torch.optim.LBFGS, theirs, torch.tensor(x),
                                            torch.tensor(y), 2, **kwargs)
    assert calls == ref_calls
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-10)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-12)
    state, ref_state = opt.state[ours[0]], ref.state[theirs[0]]
    assert (state["n_iter"], state["func_evals"], len(state["old_dirs"])) == \
        (ref_state["n_iter"], ref_state["func_evals"], len(ref_state["old_dirs"]))
    assert losses[-1] < losses[0]


def test_lbfgs_state_dict_round_trip_and_errors():
    rng = np.random.default_rng(5)
    x, y = Tensor(rng.standard_normal((10, 2))), Tensor(rng.standard_normal((10, 1)))
    start = [rng.standard_normal((2, 3)), rng.standard_normal((3, 1))]

    def model():
        return [nn.Parameter(s.copy()) for s in start]
    a, b = model(), model()
    _lbfgs_run(tinygrad_nn, optim.LBFGS, a, x, y, 3, max_iter=3)
    _, _, opt_b = _lbfgs_run(tinygrad_nn, optim.LBFGS, b, x, y, 2, max_iter=3)
    c = [nn.Parameter(p.numpy().copy()) for p in b]
    opt_c = optim.LBFGS(c, max_iter=3)
    opt_c.load_state_dict(opt_b.state_dict())
    closure_state = opt_c.state[c[0]]
    assert closure_state["d"].shape == (sum(p.numel() for p in c),)
    w1, w2 = c

    def closure():
        opt_c.zero_grad()
        loss = ((tinygrad_nn.tanh(x @ w1) @ w2 - y) ** 2).mean()
        loss.backward()
        return loss
    opt_c.step(closure)
    for p, q in zip(a, c):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-12)
    with pytest.raises(TypeError, match="LBFGS: step needs a closure"):
        opt_c.step()
    with pytest.raises(ValueError, match="LBFGS: parameter groups are not supported"):
        optim.LBFGS([{"params": [_param()]}, {"params": [_param()]}])
    with pytest.raises(ValueError, match="line_search_fn must be None or 'strong_wolfe', got 'armijo'"):
        optim.LBFGS([_param()], line_search_fn="armijo")
    with pytest.raises(ValueError, match="LBFGS: lr must be >= 0"):
        optim.LBFGS([_param()], lr=-1)
