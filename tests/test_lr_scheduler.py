"""Learning-rate schedulers, parameter groups and optimizer state dicts, step by step against
PyTorch (skipped without torch): the learning rates and the parameters after several epochs."""
import math

import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import Tensor, nn, optim
from tinygrad_nn.optim import lr_scheduler

torch = pytest.importorskip("torch")


def _models():
    """Our MLP and the same torch model with the same float64 weights."""
    tinygrad_nn.manual_seed(0)
    ours = nn.Sequential(nn.Linear(3, 5, dtype=np.float64), nn.Tanh(), nn.Linear(5, 2, dtype=np.float64))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy().copy()) for k, v in ours.state_dict().items()})
    return ours, theirs


X = np.random.default_rng(1).standard_normal((6, 3))
LABELS = np.array([0, 1, 1, 0, 1, 0])


def _train_step(ours, opt, theirs, ref_opt):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(ours(Tensor(X)), LABELS)
    loss.backward()
    opt.step()
    ref_opt.zero_grad()
    ref_loss = torch.nn.functional.cross_entropy(theirs(torch.tensor(X)), torch.tensor(LABELS))
    ref_loss.backward()
    ref_opt.step()
    return loss.item(), ref_loss.item()


def _groups(model):
    """Two parameter groups, the second with its own learning rate."""
    layers = list(model.children())
    return [{"params": list(layers[0].parameters())}, {"params": list(layers[2].parameters()), "lr": 0.3}]


SCHEDULERS = {
    "StepLR": lambda m, o: m.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 5, 8], gamma=0.3),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.8),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=4, eta_min=0.01),   # past T_max too
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda epoch: 1 / (1 + epoch)),
    "LambdaLR per group": lambda m, o: m.LambdaLR(o, [lambda e: 0.9 ** e, lambda e: 1 + 0.1 * e]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda epoch: 0.9),
}
OPTIMIZERS = {
    "SGD": lambda m, ps: m.SGD(ps, lr=0.1, momentum=0.9),
    "Adam": lambda m, ps: m.Adam(ps, lr=0.05),
    "RMSprop": lambda m, ps: m.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "Adagrad": lambda m, ps: m.Adagrad(ps, lr=0.2, lr_decay=0.01),
}


# every schedule with SGD, and every optimizer with one schedule (the full matrix costs time, not cover)
PAIRS = [(name, "SGD") for name in SCHEDULERS] + [("CosineAnnealingLR", o) for o in OPTIMIZERS if o != "SGD"]


def _momenta(opt):
    """Each group's momentum (Adam's beta1), None for optimizers without one."""
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


def check_epoch_by_epoch(make, opt_name, first_rel=1e-15):
    """Train the same model under the schedule `make(lr_scheduler_module, optimizer)` here and in
    PyTorch for 10 epochs: losses, last_epoch, learning rates, momenta and the weights agree."""
    ours, theirs = _models()
    opt = OPTIMIZERS[opt_name](optim, _groups(ours))
    ref_opt = OPTIMIZERS[opt_name](torch.optim, _groups(theirs))
    sched = make(lr_scheduler, opt)
    ref_sched = make(torch.optim.lr_scheduler, ref_opt)
    assert sched.get_last_lr() == pytest.approx(ref_sched.get_last_lr(), rel=first_rel)
    for epoch in range(10):
        loss, ref_loss = _train_step(ours, opt, theirs, ref_opt)
        assert loss == pytest.approx(ref_loss, rel=1e-10)
        sched.step()
        ref_sched.step()
        if hasattr(ref_sched, "last_epoch"):
            assert sched.last_epoch == ref_sched.last_epoch == epoch + 1
        assert sched.get_last_lr() == pytest.approx(ref_sched.get_last_lr(), rel=1e-13, abs=1e-16)
        ref_lrs = [g["lr"] for g in ref_opt.param_groups]
        assert [g["lr"] for g in opt.param_groups] == pytest.approx(ref_lrs, rel=1e-13, abs=1e-16)
        mine, ref_momenta = _momenta(opt), _momenta(ref_opt)
        assert [m is None for m in mine] == [m is None for m in ref_momenta]
        assert [m for m in mine if m is not None] == pytest.approx(
            [m for m in ref_momenta if m is not None], rel=1e-13)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name, opt_name", PAIRS)
def test_schedulers_match_pytorch_epoch_by_epoch(name, opt_name):
    check_epoch_by_epoch(SCHEDULERS[name], opt_name)


def test_two_chained_schedulers_compose_as_pytorch_s():
    ours, theirs = _models()
    opt, ref_opt = optim.SGD(ours.parameters(), lr=1.0), torch.optim.SGD(theirs.parameters(), lr=1.0)
    ours_s = [lr_scheduler.ExponentialLR(opt, 0.9), lr_scheduler.StepLR(opt, 2, 0.5)]
    theirs_s = [torch.optim.lr_scheduler.ExponentialLR(ref_opt, 0.9),
                torch.optim.lr_scheduler.StepLR(ref_opt, 2, 0.5)]
    for _ in range(6):
        _train_step(ours, opt, theirs, ref_opt)
        for a, b in zip(ours_s, theirs_s):
            a.step()
            b.step()
        assert opt.param_groups[0]["lr"] == pytest.approx(ref_opt.param_groups[0]["lr"], rel=1e-14)


@pytest.mark.parametrize("kwargs", [
    dict(), dict(mode="max", factor=0.5, patience=1, threshold=0.1, cooldown=2, min_lr=0.02),
    dict(patience=0, threshold_mode="abs", threshold=0.05, min_lr=[0.0, 0.1], factor=0.2),
])
def test_reduce_lr_on_plateau_matches_pytorch(kwargs):
    ours, theirs = _models()
    opt, ref_opt = optim.SGD(_groups(ours), lr=0.5), torch.optim.SGD(_groups(theirs), lr=0.5)
    sched = lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    ref_sched = torch.optim.lr_scheduler.ReduceLROnPlateau(ref_opt, **kwargs)
    metrics = [1.0, 0.9, 0.95, 0.95, 0.89, 0.9, 0.91, 0.5, 0.6, 0.7, 0.7, 0.7, 0.8, 0.2] * 2
    for metric in metrics:      # the learning rates depend on the metrics alone: no training needed
        sched.step(Tensor(metric) if metric == 0.5 else metric)      # a one-element Tensor is fine too
        ref_sched.step(metric)
        assert sched.get_last_lr() == pytest.approx(ref_sched.get_last_lr(), rel=1e-15)
        assert (sched.num_bad_epochs, sched.cooldown_counter, sched.best) == (
            ref_sched.num_bad_epochs, ref_sched.cooldown_counter, ref_sched.best)
    assert sched.get_last_lr() != [0.5, 0.3] or kwargs == {}      # the schedule did reduce


def test_step_with_an_epoch_uses_the_closed_form():
    for make in [lambda m, o: m.StepLR(o, 3, 0.5), lambda m, o: m.CosineAnnealingLR(o, 10),
                 lambda m, o: m.ExponentialLR(o, 0.9), lambda m, o: m.MultiStepLR(o, [2, 4])]:
        ours, theirs = _models()
        opt, ref_opt = optim.SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
        sched, ref_sched = make(lr_scheduler, opt), make(torch.optim.lr_scheduler, ref_opt)
        sched.step(7)
        with pytest.warns(UserWarning):
            ref_sched.step(7)
        assert sched.get_last_lr() == pytest.approx(ref_sched.get_last_lr(), rel=1e-14)


def test_scheduler_state_dict_resumes_the_schedule(tmp_path):
    ours, _ = _models()
    opt = optim.SGD(ours.parameters(), lr=0.1)
    sched = lr_scheduler.MultiStepLR(opt, [2, 4], gamma=0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    tinygrad_nn.save({"optim": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ckpt.npz")
    ckpt = tinygrad_nn.load(tmp_path / "ckpt.npz")
    opt2 = optim.SGD(_models()[0].parameters(), lr=0.1)
    opt2.load_state_dict(ckpt["optim"])
    sched2 = lr_scheduler.MultiStepLR(opt2, [2, 4], gamma=0.5)
    sched2.load_state_dict(ckpt["sched"])
    for _ in range(3):
        sched.step()
        sched2.step()
        assert sched2.get_last_lr() == sched.get_last_lr()
    assert sched.get_last_lr() == [0.025]
    lam = lr_scheduler.LambdaLR(opt, lambda e: 1.0)
    assert lam.state_dict()["lr_lambdas"] == [None] and "optimizer" not in lam.state_dict()


def test_scheduler_errors():
    opt = optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1)
    with pytest.raises(TypeError, match="StepLR: list is not an Optimizer"):
        lr_scheduler.StepLR([], 3)
    with pytest.raises(ValueError, match="StepLR: step_size must be a positive integer"):
        lr_scheduler.StepLR(opt, 0)
    with pytest.raises(KeyError, match="has no 'initial_lr'"):
        lr_scheduler.StepLR(optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1), 3, last_epoch=4)
    with pytest.raises(ValueError, match="expected 1 lr_lambdas"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1, lambda e: 2])
    with pytest.raises(ValueError, match="factor must be < 1.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=2.0)
    assert optim.lr_scheduler.StepLR is lr_scheduler.StepLR


# --- optimizer state dicts and parameter groups in PyTorch's format -------------------------------

@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
def test_optimizer_state_dict_has_pytorch_s_layout(opt_name):
    ours, theirs = _models()
    opt = OPTIMIZERS[opt_name](optim, _groups(ours))
    ref_opt = OPTIMIZERS[opt_name](torch.optim, _groups(theirs))
    for _ in range(3):
        _train_step(ours, opt, theirs, ref_opt)
    state, ref_state = opt.state_dict(), ref_opt.state_dict()
    assert list(state["state"]) == list(ref_state["state"]) == [0, 1, 2, 3]
    assert [g["params"] for g in state["param_groups"]] == [g["params"] for g in ref_state["param_groups"]]
    for group, ref_group in zip(state["param_groups"], ref_state["param_groups"]):
        for key, value in group.items():
            assert ref_group[key] == value, key          # our hyperparameters are all PyTorch's
    for index, entry in state["state"].items():
        assert set(entry) == set(ref_state["state"][index])
        for key, value in entry.items():
            np.testing.assert_allclose(np.asarray(value, np.float64), ref_state["state"][index][key].numpy(),
                                       rtol=1e-9, atol=1e-14)


def test_optimizer_resumed_from_its_state_dict_continues_like_pytorch():
    ours, theirs = _models()
    opt, ref_opt = optim.RMSprop(ours.parameters(), lr=0.01, momentum=0.9), \
        torch.optim.RMSprop(theirs.parameters(), lr=0.01, momentum=0.9)
    for _ in range(3):
        _train_step(ours, opt, theirs, ref_opt)
    resumed = optim.RMSprop(ours.parameters(), lr=0.5)
    resumed.load_state_dict(opt.state_dict())
    assert resumed.param_groups[0]["lr"] == 0.01
    for _ in range(3):
        _train_step(ours, resumed, theirs, ref_opt)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_add_param_group_trains_like_pytorch():
    ours, theirs = _models()
    layers, ref_layers = list(ours.children()), list(theirs.children())
    opt = optim.Adagrad(layers[0].parameters(), lr=0.1, initial_accumulator_value=0.1)
    ref_opt = torch.optim.Adagrad(ref_layers[0].parameters(), lr=0.1, initial_accumulator_value=0.1)
    _train_step(ours, opt, theirs, ref_opt)
    opt.add_param_group({"params": list(layers[2].parameters()), "lr": 0.05})
    ref_opt.add_param_group({"params": list(ref_layers[2].parameters()), "lr": 0.05})
    assert len(opt.state) == 4 and opt.param_groups[1]["lr_decay"] == 0.0
    for _ in range(3):
        _train_step(ours, opt, theirs, ref_opt)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-9, atol=1e-12)
    assert math.isclose(opt.param_groups[1]["lr"], 0.05)
