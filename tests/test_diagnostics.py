"""Network health monitoring (tinygrad_nn.diagnostics), forward hooks and gradient clipping."""
import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Tensor, nn, optim
from tinygrad_nn.diagnostics import Monitor
from tinygrad_nn.nn import clip_grad_norm_, clip_grad_value_


def set_linear(layer, weight, bias):
    with tg.no_grad():
        layer.weight.copy_(np.asarray(weight, np.float32))
        layer.bias.copy_(np.asarray(bias, np.float32))


# --- Module.register_forward_hook ------------------------------------------------------------------

def test_forward_hook_sees_output_can_replace_it_and_is_removed():
    layer = nn.Linear(2, 3)
    seen = []
    h1 = layer.register_forward_hook(lambda m, args, out: seen.append((m, args[0].shape, out.shape)))
    h2 = layer.register_forward_hook(lambda m, args, out: out * 0)
    x = Tensor(np.ones((4, 2)))
    out = layer(x)
    assert seen == [(layer, (4, 2), (4, 3))]
    assert np.all(out.numpy() == 0)
    h2.remove()
    h2.remove()   # twice is harmless
    assert np.any(layer(x).numpy() != 0) and len(seen) == 2
    h1.remove()
    layer(x)
    assert len(seen) == 2


def test_forward_hook_may_remove_itself_and_rejects_non_callables():
    layer = nn.ReLU()
    calls = []

    def once(m, args, out):
        calls.append(1)
        handle.remove()

    handle = layer.register_forward_hook(once)
    layer(Tensor([1.0]))
    layer(Tensor([1.0]))
    assert calls == [1]
    with pytest.raises(TypeError, match="register_forward_hook: expected a callable, got int"):
        layer.register_forward_hook(3)


# --- Monitor ----------------------------------------------------------------------------------------

def test_dead_relu_fraction_counts_units_never_active_on_the_epoch():
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU())
    # unit 0: x0; unit 1: -x0 (active for negative x0); units 2, 3: always negative
    set_linear(model[0], [[1, 0], [-1, 0], [0, 0], [0, -1]], [0, 0, -1, -5])
    monitor = Monitor(model)
    model(Tensor([[1.0, 1.0], [2.0, 0.0]]))        # only unit 0 active in this batch
    model(Tensor([[-1.0, 1.0]]))                   # unit 1 active here: the epoch counts both
    health = monitor.end_epoch()
    assert health.dead == {"1": 0.5}
    model(Tensor([[1.0, 1.0]]))                    # a new epoch starts from nothing
    assert monitor.end_epoch().dead == {"1": 0.75}


def test_saturated_fraction_of_tanh_and_sigmoid_outputs():
    model = nn.Sequential(nn.Linear(1, 2), nn.Tanh(), nn.Linear(2, 2), nn.Sigmoid())
    set_linear(model[0], [[10.0], [0.1]], [0, 0])       # unit 0 saturates for |x| >= 0.21
    set_linear(model[2], [[1.0, 0.0], [0.0, 0.0]], [0, 10.0])
    monitor = Monitor(model, saturation=0.97)
    x = np.array([[-1.0], [0.01], [0.5], [2.0]], np.float32)
    model(Tensor(x))
    health = monitor.end_epoch()
    t = np.tanh(np.array([[10.0], [0.1]]).T * x)                  # (4, 2)
    assert health.saturated["1"] == pytest.approx(np.mean(np.abs(t) > 0.97))
    s = 1 / (1 + np.exp(-(t[:, :1] * [1.0, 0.0] + [0.0, 10.0])))
    assert health.saturated["3"] == pytest.approx(np.mean(np.abs(2 * s - 1) > 0.97))
    assert health.dead == {}


def test_evaluation_passes_are_not_counted():
    model = nn.Sequential(nn.Linear(1, 1), nn.ReLU())
    set_linear(model[0], [[1.0]], [0.0])
    monitor = Monitor(model)
    model(Tensor([[-1.0]]))              # training: unit dead on this data
    model.eval()
    model(Tensor([[1.0]]))               # would make it alive, but it is an evaluation pass
    assert monitor.end_epoch().dead == {"1": 1.0}


def test_step_records_gradient_norms_and_update_ratios():
    model = nn.Sequential(nn.Linear(3, 2))
    opt = optim.SGD(model.parameters(), lr=0.1)
    monitor = Monitor(model)
    w0 = model[0].weight.numpy().copy()
    loss = (model(Tensor(np.ones((5, 3)))) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    monitor.step()
    health = monitor.end_epoch()
    g = model[0].weight.grad.numpy()
    assert health.grad_norm["0.weight"] == pytest.approx(np.linalg.norm(g), rel=1e-6)
    assert health.update_ratio["0.weight"] == pytest.approx(
        0.1 * np.linalg.norm(g) / np.linalg.norm(w0), rel=1e-4)
    assert set(health.grad_norm) == {"0.weight", "0.bias"}
    assert health.as_dict()["update_ratio"] == health.update_ratio


def train_epoch(model, opt, monitor, X, Y, batch=64):
    for i in range(0, len(X), batch):
        loss = nn.functional.mse_loss(model(Tensor(X[i:i + batch])), Y[i:i + batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        monitor.step()
    return monitor.end_epoch()


@pytest.mark.parametrize("lr, rises", [(1.0, True), (0.01, False)])
def test_a_huge_learning_rate_kills_relus(lr, rises):
    tg.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.random((256, 8)).astype(np.float32)      # positive inputs, like pixel intensities
    Y = (X @ rng.normal(size=(8, 1))).astype(np.float32)
    model = nn.MLP([8, 32, 32, 1])
    monitor = Monitor(model)
    opt = optim.SGD(model.parameters(), lr=0.01)
    first = train_epoch(model, opt, monitor, X, Y)
    for group in opt.param_groups:
        group["lr"] = lr
    second = train_epoch(model, opt, monitor, X, Y)  # the big steps happen here...
    third = train_epoch(model, opt, monitor, X, Y)   # ...and the dead units show on the next epoch
    before, after = sum(first.dead.values()), sum(third.dead.values())
    if rises:
        assert after > before + 0.5
        # and the update/weight ratio saw them coming
        assert max(second.update_ratio.values()) > 50 * max(first.update_ratio.values())
    else:
        assert after == pytest.approx(before)
    table = monitor.table()
    assert "activations.1" in table and "layers.0.weight" in table
    assert len(monitor.table(epoch=-1).splitlines()) == 2 + 2 + 6   # header, rule, 2 ReLUs, 6 params


def test_table_format_and_epoch_selection():
    model = nn.Sequential(nn.Linear(1, 2), nn.ReLU())
    set_linear(model[0], [[1.0], [-1.0]], [0, 0])
    with Monitor(model) as monitor:
        model(Tensor([[1.0]]))
        monitor.end_epoch()
    model(Tensor([[-1.0]]))                        # hooks are off: not recorded
    lines = monitor.table().splitlines()
    assert lines[0].split() == ["epoch", "layer", "dead", "saturated", "|grad|", "|update|/|w|"]
    assert lines[2].split() == ["1", "1", "50.0%", "-", "-", "-"]
    with pytest.raises(ValueError, match="epoch 2 was not recorded"):
        monitor.table(epoch=2)
    assert monitor.end_epoch().dead == {}


def test_monitor_rejects_bad_arguments():
    with pytest.raises(TypeError, match="Monitor: expected a Module"):
        Monitor(Tensor([1.0]))
    with pytest.raises(ValueError, match="saturation must be between 0 and 1"):
        Monitor(nn.ReLU(), saturation=1.5)


# --- gradient clipping ------------------------------------------------------------------------------

def params_with_grads(*grads):
    params = []
    for g in grads:
        p = nn.Parameter(np.zeros(np.shape(g)))
        p.grad = Tensor(np.array(g, dtype=np.float64))
        params.append(p)
    return params


def test_clip_grad_norm_scales_all_gradients_together():
    a, b, c = params_with_grads([3.0, 0.0], [[4.0]], [1.0])
    c.grad = None                                   # skipped
    total = clip_grad_norm_([a, b, c], max_norm=1.0)
    assert isinstance(total, Tensor) and total.ndim == 0   # PyTorch's return type
    assert float(total) == pytest.approx(5.0)
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0.0], rtol=1e-5)
    np.testing.assert_allclose(b.grad.numpy(), [[0.8]], rtol=1e-5)
    # below the limit nothing changes
    (d,) = params_with_grads([0.3, 0.4])
    assert float(clip_grad_norm_(d, 1.0)) == pytest.approx(0.5)
    np.testing.assert_array_equal(d.grad.numpy(), [0.3, 0.4])


def test_clip_grad_norm_other_norms_and_non_finite():
    a, b = params_with_grads([3.0, -6.0], [2.0])
    assert float(clip_grad_norm_([a, b], 3.0, norm_type=float("inf"))) == pytest.approx(6.0)
    np.testing.assert_allclose(a.grad.numpy(), [1.5, -3.0], rtol=1e-5)
    (c,) = params_with_grads([3.0, -4.0])
    assert clip_grad_norm_([c], 100.0, norm_type=1).item() == pytest.approx(7.0)
    (bad,) = params_with_grads([np.nan, 1.0])
    assert np.isnan(clip_grad_norm_([bad], 1.0).item())
    with pytest.raises(RuntimeError, match="clip_grad_norm_: the total norm of the gradients is nan"):
        clip_grad_norm_([bad], 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="max_norm must be >= 0"):
        clip_grad_norm_([c], -1.0)
    with pytest.raises(TypeError, match="expected Tensors"):
        clip_grad_norm_([np.ones(2)], 1.0)
    assert clip_grad_norm_([], 1.0).item() == 0.0


def test_clip_grad_value_clips_elementwise():
    a, b = params_with_grads([3.0, -0.5, -7.0], [[0.1]])
    clip_grad_value_([a, b], 1.0)
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, -0.5, -1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [[0.1]])
    with pytest.raises(ValueError, match="clip_value must be positive"):
        clip_grad_value_([a], 0.0)


def test_clipping_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    for norm_type in (2.0, 1.0, float("inf")):
        ours = params_with_grads(*grads)
        theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for t, g in zip(theirs, grads):
            t.grad = torch.tensor(g)
        total = clip_grad_norm_(ours, 0.5, norm_type=norm_type)
        expected = torch.nn.utils.clip_grad_norm_(theirs, 0.5, norm_type=norm_type)
        assert float(total) == pytest.approx(float(expected))
        for p, t in zip(ours, theirs):
            np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-12)
