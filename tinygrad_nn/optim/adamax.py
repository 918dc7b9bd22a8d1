"""Adamax, Adam's infinity-norm variant, with PyTorch's update rule."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import mark_modified
from .optimizer import Optimizer, ParamsT, _decayed, _lerp_


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, section 7): Adam with the second moment replaced by an infinity norm.

    With g = grad + weight_decay * p and t the step count:
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)
        p = p - lr / (1 - beta1^t) * m / u
    State per parameter: step, exp_avg (m), exp_inf (u).

    Example: Adamax([p], lr=0.002) moves p by 0.002 against the gradient's sign on step one
    (m / u = g / (|g| + eps) after the bias correction).
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, group: dict[str, Any]) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        for p, g, state in self._stepping(group, "exp_avg", "exp_inf"):
            g = _decayed(p, g, group)
            m, u = state["exp_avg"], state["exp_inf"]
            _lerp_(m, g, 1 - beta1)
            u *= beta2
            np.maximum(u, np.abs(g) + eps, out=u)
            clr = lr / (1 - beta1 ** state["step"])
            p._data -= clr * (m / u)
            mark_modified(p)
