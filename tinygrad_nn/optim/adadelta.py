"""Adadelta, with PyTorch's update rule."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import mark_modified
from .optimizer import Optimizer, ParamsT, _decayed


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012) with PyTorch's update rule (lr scales the step; 1.0 is the paper's).

    With g = grad + weight_decay * p:
        v = rho * v + (1 - rho) * g^2
        d = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * d^2
        p = p - lr * d
    State per parameter: step, square_avg (v), acc_delta (u).

    Example: Adadelta([p]) takes a first step of sqrt(1e-6 / (0.1 g^2 + 1e-6)) * g, about 0.003.
    """

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Adadelta: rho must be in [0, 1], got {group['rho']}")

    def _update(self, group: dict[str, Any]) -> None:
        lr, rho, eps = group["lr"], group["rho"], group["eps"]
        for p, g, state in self._stepping(group, "square_avg", "acc_delta"):
            g = _decayed(p, g, group)
            v, u = state["square_avg"], state["acc_delta"]
            v *= rho
            v += (1 - rho) * (g * g)
            delta = np.sqrt(u + eps)
            delta /= np.sqrt(v + eps)
            delta *= g
            u *= rho
            u += (1 - rho) * (delta * delta)
            p._data -= lr * delta
            mark_modified(p)
