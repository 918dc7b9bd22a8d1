"""Adagrad, with PyTorch's update rule."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import mark_modified
from .optimizer import Optimizer, ParamsT, _decayed, _grad


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.) with PyTorch's update rule.

    With g = grad + weight_decay * p and t the step count:
        s = s + g^2                        (s starts at initial_accumulator_value)
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)
    State per parameter (made for every parameter at construction, as PyTorch): step, sum (s).

    Example: Adagrad([p], lr=0.1) moves p by 0.1 against the gradient's sign on step one.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, *,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps,
                                      maximize=maximize))

    def add_param_group(self, group: dict[str, Any]) -> None:
        """As Optimizer's; each new parameter's sum starts at initial_accumulator_value at once."""
        super().add_param_group(group)
        added = self.param_groups[-1]
        for p in added["params"]:
            start = np.full_like(p._data, added["initial_accumulator_value"])
            self.state.setdefault(p, {"step": 0, "sum": start})

    def _update(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        for p in group["params"]:
            if p.grad is None:
                continue
            g = _grad(p, group)
            state = self.state[p]
            state["step"] += 1
            g = _decayed(p, g, group)
            clr = lr / (1 + (state["step"] - 1) * lr_decay)
            s = state["sum"]
            s += g * g
            denom = np.sqrt(s)
            denom += eps
            p._data -= clr * (g / denom)
            mark_modified(p)
