"""The schedulers added after the first seven (ConstantLR, LinearLR, PolynomialLR,
CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, SequentialLR, ChainedScheduler): epoch by epoch
against PyTorch, learning rates, momenta and parameters (skipped without torch); argument errors and
state-dict round trips without it."""
import math

import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import nn, optim
from tinygrad_nn.optim import lr_scheduler

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="compares with PyTorch")
if torch is not None:   # test_lr_scheduler skips itself without torch
    from test_lr_scheduler import _groups, _models, check_epoch_by_epoch


SCHEDULERS = {
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=3),
    "ConstantLR default": lambda m, o: m.ConstantLR(o),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=4),
    "LinearLR default": lambda m, o: m.LinearLR(o),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=6, power=2.0),
    "CosineAnnealingWarmRestarts":
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01),
    "CosineAnnealingWarmRestarts T_mult=1": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2),
    "CyclicLR triangular":
        lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=3),
    "CyclicLR triangular2":
        lambda m, o: m.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=2,
                                mode="triangular2", base_momentum=[0.7, 0.8]),
    "CyclicLR exp_range":
        lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.9),
    "CyclicLR scale_fn":
        lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=2, scale_fn=lambda x: 0.8 ** x,
                                scale_mode="iterations", cycle_momentum=False),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, max_lr=[0.5, 0.3], total_steps=12),
    "OneCycleLR linear three_phase":
        lambda m, o: m.OneCycleLR(o, max_lr=0.4, epochs=3, steps_per_epoch=4, pct_start=0.25,
                                  anneal_strategy="linear", three_phase=True, div_factor=10.0,
                                  final_div_factor=100.0, base_momentum=0.8, max_momentum=[0.9, 0.95]),
    "OneCycleLR no momentum":
        lambda m, o: m.OneCycleLR(o, max_lr=0.2, total_steps=10, cycle_momentum=False),
    "SequentialLR":
        lambda m, o: m.SequentialLR(o, [m.LinearLR(o, 0.1, total_iters=3), m.ExponentialLR(o, 0.9)],
                                    milestones=[3]),
    "SequentialLR three":
        lambda m, o: m.SequentialLR(o, [m.ConstantLR(o, 0.5, total_iters=2), m.CosineAnnealingLR(o, 4),
                                        m.StepLR(o, 2)], milestones=[2, 6]),
    "ChainedScheduler":
        lambda m, o: m.ChainedScheduler([m.ConstantLR(o, 0.1, total_iters=2), m.ExponentialLR(o, 0.9)]),
}
MOMENTUM_SCHEDULERS = [name for name in SCHEDULERS if "Cyclic" in name or "OneCycle" in name]
PAIRS = [(name, "SGD") for name in SCHEDULERS] + [(name, "Adam") for name in MOMENTUM_SCHEDULERS] + \
    [("LinearLR", "RMSprop"), ("SequentialLR", "Adagrad")]


@needs_torch
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name, opt_name", PAIRS)
def test_schedulers_match_pytorch_epoch_by_epoch(name, opt_name):
    check_epoch_by_epoch(SCHEDULERS[name], opt_name, first_rel=1e-13)


@needs_torch
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_step_with_an_epoch_uses_the_closed_form():
    for make in [lambda m, o: m.ConstantLR(o, 0.5, total_iters=4),
                 lambda m, o: m.LinearLR(o, 0.2, total_iters=9),
                 lambda m, o: m.PolynomialLR(o, total_iters=10, power=0.5)]:
        ours, theirs = _models()
        opt, ref_opt = optim.SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
        sched, ref_sched = make(lr_scheduler, opt), make(torch.optim.lr_scheduler, ref_opt)
        sched.step(7)
        ref_sched.step(7)
        assert sched.get_last_lr() == pytest.approx(ref_sched.get_last_lr(), rel=1e-14)


@needs_torch
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_with_fractional_epochs_match_pytorch(T_mult):
    ours, theirs = _models()
    opt, ref_opt = optim.SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
    sched = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=T_mult, eta_min=0.001)
    ref_sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(ref_opt, T_0=2, T_mult=T_mult,
                                                                     eta_min=0.001)
    for epoch in range(12):
        for i in range(3):
            sched.step(epoch + i / 3)
            ref_sched.step(epoch + i / 3)
            assert sched.get_last_lr() == pytest.approx(ref_sched.get_last_lr(), rel=1e-12)
            assert (sched.T_i, sched.last_epoch) == (ref_sched.T_i, ref_sched.last_epoch)


@needs_torch
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_schedulers_state_dicts_have_pytorch_s_keys():
    for name in ["LinearLR", "CosineAnnealingWarmRestarts", "CyclicLR scale_fn", "OneCycleLR",
                 "SequentialLR", "ChainedScheduler"]:
        ours, theirs = _models()
        opt, ref_opt = optim.SGD(_groups(ours), lr=0.1), torch.optim.SGD(_groups(theirs), lr=0.1)
        state = SCHEDULERS[name](lr_scheduler, opt).state_dict()
        ref_state = SCHEDULERS[name](torch.optim.lr_scheduler, ref_opt).state_dict()
        skip = {"_get_lr_called_within_step", "_scale_fn_ref"}   # torch's bookkeeping of warnings, a cache
        assert set(state) == set(ref_state) - skip, name


# --- without PyTorch ------------------------------------------------------------------------------

def _sgd(lr=0.1, groups=1, momentum=0.9):
    groups = [{"params": [nn.Parameter(np.zeros(2))]} for _ in range(groups)]
    return optim.SGD(groups, lr=lr, momentum=momentum)


def test_schedules_by_hand():
    opt = _sgd(1.0)
    sched = lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=4)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(5):
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs == pytest.approx([0.1, 0.325, 0.55, 0.775, 1.0, 1.0], rel=1e-14)
    opt = _sgd(0.1)
    sched = lr_scheduler.PolynomialLR(opt, total_iters=4)
    assert [sched.get_last_lr()[0]] + [(sched.step(), sched.get_last_lr()[0])[1] for _ in range(5)] == \
        pytest.approx([0.1, 0.075, 0.05, 0.025, 0.0, 0.0], abs=1e-15)
    opt = _sgd(1.0, momentum=0.0)
    sched = lr_scheduler.CyclicLR(opt, base_lr=0.0, max_lr=1.0, step_size_up=2)
    lrs = [sched.get_last_lr()[0]] + [(sched.step(), sched.get_last_lr()[0])[1] for _ in range(4)]
    assert lrs == pytest.approx([0.0, 0.5, 1.0, 0.5, 0.0], abs=1e-15)
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.9)   # cycle_momentum: back to max_momentum
    opt = _sgd(1.0)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear",
                                    cycle_momentum=False)
    assert opt.param_groups[0]["lr"] == pytest.approx(1 / 25)
    for _ in range(2):
        sched.step()
    assert sched.get_last_lr() == [1.0]   # the peak at step pct_start * total_steps - 1 = 2
    for _ in range(7):
        sched.step()
    assert sched.get_last_lr()[0] == pytest.approx(1 / 25 / 1e4)
    sched.step()
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 11 times; total_steps is 10"):
        sched.step()


def test_composite_schedulers_hand_over_at_milestones():
    opt = _sgd(1.0)
    warm = lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=10)
    decay = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    sched = lr_scheduler.SequentialLR(opt, [warm, decay], milestones=[2])
    lrs = [sched.get_last_lr()[0]] + [(sched.step(), sched.get_last_lr()[0])[1] for _ in range(4)]
    assert lrs == [0.5, 0.5, 1.0, 0.5, 0.25] and sched.last_epoch == 4
    opt = _sgd(1.0)
    chained = lr_scheduler.ChainedScheduler([lr_scheduler.ConstantLR(opt, 0.1, total_iters=2),
                                             lr_scheduler.ExponentialLR(opt, 0.5)])
    lrs = [chained.get_last_lr()[0]] + [(chained.step(), chained.get_last_lr()[0])[1] for _ in range(3)]
    assert lrs == pytest.approx([0.1, 0.05, 0.25, 0.125], rel=1e-14)


def _other_optimizer_scheduler():
    return lr_scheduler.StepLR(_sgd(), 2)


S = lr_scheduler


@pytest.mark.parametrize("call, error, message", [
    (lambda o: S.ConstantLR(o, factor=1.5), ValueError, r"ConstantLR: factor must be in \[0, 1\], got 1.5"),
    (lambda o: S.LinearLR(o, start_factor=0), ValueError, r"LinearLR: start_factor must be in \(0, 1\]"),
    (lambda o: S.LinearLR(o, end_factor=-0.5), ValueError, "LinearLR: end_factor must be in"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0 must be a positive integer"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5), ValueError,
     "T_mult must be an integer >= 1, got 1.5"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, 2).step(-1), ValueError, "epoch must be >= 0, got -1"),
    (lambda o: S.CyclicLR(o, 0.1, 1.0, mode="sine"), ValueError, "CyclicLR: mode must be .* got 'sine'"),
    (lambda o: S.CyclicLR(o, [0.1, 0.2], 1.0), ValueError, "CyclicLR: expected 1 values of base_lr"),
    (lambda o: S.CyclicLR(optim.Adagrad(o.param_groups[0]["params"]), 0.1, 1.0), ValueError,
     "CyclicLR: cycle_momentum needs an optimizer with momentum or betas, got Adagrad"),
    (lambda o: S.OneCycleLR(o, 1.0), ValueError, "give total_steps, or epochs and steps_per_epoch"),
    (lambda o: S.OneCycleLR(o, 1.0, total_steps=0), ValueError, "total_steps must be a positive integer"),
    (lambda o: S.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=2.5), ValueError, "steps_per_epoch"),
    (lambda o: S.OneCycleLR(o, 1.0, 10, pct_start=1), ValueError, "pct_start must be a float in"),
    (lambda o: S.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"), ValueError, "'cos' or 'linear'"),
    (lambda o: S.SequentialLR(o, [], []), ValueError, "SequentialLR: expected at least one scheduler"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2)], [3]), ValueError, "expected 0 milestones"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2), _other_optimizer_scheduler()], [3]),
     ValueError, r"index 1 \(StepLR\) belongs to another optimizer"),
    (lambda o: S.ChainedScheduler([S.ReduceLROnPlateau(o)]), ValueError,
     "ChainedScheduler: ReduceLROnPlateau"),
    (lambda o: S.ChainedScheduler([o]), TypeError, "index 0 .* has no optimizer"),
    (lambda o: S.PolynomialLR([], 3), TypeError, "PolynomialLR: list is not an Optimizer"),
])
def test_scheduler_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(_sgd())


@pytest.mark.parametrize("name", [n for n in SCHEDULERS if "scale_fn" not in n])
def test_state_dict_round_trip_resumes_the_schedule(name, tmp_path):
    def make():
        opt = optim.SGD([{"params": [nn.Parameter(np.zeros(2))]}, {"params": [nn.Parameter(np.zeros(1))],
                                                                   "lr": 0.3}], lr=0.1, momentum=0.9)
        return opt, SCHEDULERS[name](lr_scheduler, opt)

    opt, sched = make()
    for _ in range(4):
        opt.step()
        sched.step()
    tinygrad_nn.save({"optim": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ckpt.npz")
    ckpt = tinygrad_nn.load(tmp_path / "ckpt.npz")
    opt2, sched2 = make()   # scheduler made first, then both loaded: PyTorch's order for resuming
    opt2.load_state_dict(ckpt["optim"])
    sched2.load_state_dict(ckpt["sched"])
    assert getattr(sched2, "last_epoch", None) == getattr(sched, "last_epoch", None)
    assert sched2.get_last_lr() == sched.get_last_lr()
    for _ in range(5):
        sched.step()
        sched2.step()
        assert sched2.get_last_lr() == sched.get_last_lr()
        momenta = [(g.get("momentum"), g.get("betas")) for g in opt.param_groups]
        assert [(g.get("momentum"), g.get("betas")) for g in opt2.param_groups] == momenta


def test_cyclic_lr_state_dict_keeps_a_callable_object_s_attributes():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, x):
            return self.rate ** x

    fn = Decay()
    opt = _sgd()
    sched = lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=2, scale_fn=fn)
    fn.rate = 0.7
    state = sched.state_dict()
    assert state["_scale_fn_custom"] == {"rate": 0.7}
    other = Decay()
    sched2 = lr_scheduler.CyclicLR(_sgd(), 0.01, 0.1, step_size_up=2, scale_fn=other)
    sched2.load_state_dict(state)
    assert other.rate == 0.7
    lam = lr_scheduler.CyclicLR(_sgd(), 0.01, 0.1, scale_fn=lambda x: 1.0)
    assert lam.state_dict()["_scale_fn_custom"] is None and math.isclose(lam.get_last_lr()[0], 0.01)
