"""Optimizers with PyTorch's names, defaults and update rules: SGD, ASGD, Adam, AdamW, Adamax,
NAdam, RAdam, RMSprop, Adagrad, Adadelta, Rprop and LBFGS; learning-rate schedules in
`optim.lr_scheduler`.

An optimizer holds parameter groups (dicts with 'params' and hyperparameters such as 'lr')
and per-parameter state (momentum buffers, moment estimates). `step()` updates every
parameter that has a .grad, in place, with numpy on `p._data`: nothing is recorded in the
graph, and each updated parameter's `_version` moves on so a stale graph cannot be reused
silently. `step(closure)` first calls the closure (with grad mode on) and returns its loss.
Every optimizer takes `maximize=True` (ascend instead of descend), as in PyTorch.

Typical loop::

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in batches:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

One file per algorithm, as PyTorch lays them out: optimizer.py holds the base class.
"""
from .optimizer import Optimizer, ParamsT
from .sgd import SGD, ASGD
from .adam import Adam, AdamW
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .rmsprop import RMSprop
from .adagrad import Adagrad
from .adadelta import Adadelta
from .rprop import Rprop
from .lbfgs import LBFGS
from . import lr_scheduler  # noqa: E402  (optim.lr_scheduler, as in PyTorch)

__all__ = ["Optimizer", "ParamsT", "SGD", "ASGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop",
           "Adagrad", "Adadelta", "Rprop", "LBFGS",
           "lr_scheduler"]
