"""NAdam, Adam with Nesterov momentum, with PyTorch's update rule."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import mark_modified
from .optimizer import Optimizer, ParamsT, _decayed, _lerp_


class NAdam(Optimizer):
    """NAdam (Dozat, 2016) with PyTorch's momentum schedule and update rule.

    With g = grad + weight_decay * p (or p = p * (1 - lr * weight_decay) when
    decoupled_weight_decay, NAdamW) and t the step count:
        mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay));  P_t = mu_1 * ... * mu_t
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
        d = sqrt(v / (1 - beta2^t)) + eps
        p = p - lr * (1 - mu_t) / (1 - P_t) * g / d - lr * mu_{t+1} / (1 - P_t * mu_{t+1}) * m / d
    State per parameter: step, mu_product (P_t), exp_avg (m), exp_avg_sq (v).

    Example: NAdam(model.parameters(), lr=2e-3, weight_decay=1e-2, decoupled_weight_decay=True).
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize))

    def _update(self, group: dict[str, Any]) -> None:
        lr, eps, psi = group["lr"], group["eps"], group["momentum_decay"]
        beta1, beta2 = group["betas"]
        for p, g, state in self._stepping(group, "exp_avg", "exp_avg_sq"):
            state.setdefault("mu_product", 1.0)
            t = state["step"]
            g = _decayed(p, g, group)
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
            state["mu_product"] *= mu
            product = state["mu_product"]
            m, v = state["exp_avg"], state["exp_avg_sq"]
            _lerp_(m, g, 1 - beta1)
            v *= beta2
            v += (1 - beta2) * (g * g)
            denom = np.sqrt(v / (1 - beta2 ** t))
            denom += eps
            p._data -= lr * (1.0 - mu) / (1.0 - product) * (g / denom)
            p._data -= lr * mu_next / (1.0 - product * mu_next) * (m / denom)
            mark_modified(p)
