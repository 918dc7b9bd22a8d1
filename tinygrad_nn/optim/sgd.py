"""SGD (momentum, Nesterov, weight decay) and ASGD (averaged SGD), with PyTorch's update rules."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import mark_modified
from .optimizer import Optimizer, ParamsT, _decayed, _grad


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay.

    With g = grad + weight_decay * p (weight decay is L2 regularisation, 0.5 * wd * |p|^2;
    grad is negated first with maximize=True):
        b = g                                    on the first step (momentum > 0)
        b = momentum * b + (1 - dampening) * g   afterwards
        d = g + momentum * b if nesterov else b  (d = g when momentum == 0)
        p = p - lr * d
    These are PyTorch's update rules exactly.

    Example: with lr=0.1 and p.grad = [1.0], one step takes p = [2.0] to [1.9].
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False) -> None:
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov momentum needs momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize))

    def _update(self, group: dict[str, Any]) -> None:
        lr, momentum = group["lr"], group["momentum"]
        dampening, nesterov = group["dampening"], group["nesterov"]
        for p in group["params"]:
            if p.grad is None:
                continue
            d = _grad(p, group)
            d = _decayed(p, d, group)
            if momentum != 0:
                state = self.state.get(p)
                if state is None:
                    buf = np.array(d, copy=True)
                    self.state[p] = {"momentum_buffer": buf}
                else:
                    buf = state["momentum_buffer"]
                    buf *= momentum
                    buf += (1 - dampening) * d
                d = d + momentum * buf if nesterov else buf
            p._data -= lr * d
            mark_modified(p)


class ASGD(Optimizer):
    """Averaged SGD (Polyak & Juditsky) with PyTorch's update rule and step-size schedule.

    With g = grad + weight_decay * p and t the step count (eta starts at lr, mu at 1):
        p = p * (1 - lambd * eta) - eta * g
        ax = ax + mu * (p - ax)              (ax = p while mu == 1)
        eta = lr / (1 + lambd * lr * t) ** alpha;  mu = 1 / max(1, t - t0)
    `ax`, the running average of the iterates from step t0 on, is the state to evaluate with:
    `opt.state[p]["ax"]`. State per parameter: step, eta, mu, ax.

    Example: ASGD([p], lr=0.1, t0=100) is SGD with a slowly decaying step for 100 steps, then
    averages p.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, group: dict[str, Any]) -> None:
        lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
        for p, g, state in self._stepping(group, "ax"):
            if state["step"] == 1:
                state["eta"], state["mu"] = float(lr), 1.0
            g = _decayed(p, g, group)
            eta = state["eta"]
            p._data *= 1 - lambd * eta
            p._data -= eta * g
            ax = state["ax"]
            if state["mu"] != 1:
                ax += (p._data - ax) * state["mu"]
            else:
                ax[...] = p._data
            t = state["step"]
            state["eta"] = lr / (1 + lambd * lr * t) ** alpha
            state["mu"] = 1 / max(1, t - t0)
            mark_modified(p)
