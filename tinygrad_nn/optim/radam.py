"""RAdam, Adam with a rectified adaptive learning rate, with PyTorch's update rule."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..function import mark_modified
from .optimizer import Optimizer, ParamsT, _decayed, _lerp_


class RAdam(Optimizer):
    """RAdam (Liu et al., 2019): Adam whose adaptive step waits until the variance estimate is
    trustworthy, with PyTorch's update rule.

    With g = grad + weight_decay * p (or p = p * (1 - lr * weight_decay) when
    decoupled_weight_decay) and t the step count:
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2;  m^ = m / (1 - beta1^t)
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                    p = p - lr * m^ * r * sqrt(1 - beta2^t) / (sqrt(v) + eps)
        otherwise:  p = p - lr * m^                       (SGD with momentum, the first steps)
    State per parameter: step, exp_avg (m), exp_avg_sq (v).

    Example: with the default betas the first five steps are momentum SGD steps.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, decoupled_weight_decay: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize))

    def _update(self, group: dict[str, Any]) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        for p, g, state in self._stepping(group, "exp_avg", "exp_avg_sq"):
            t = state["step"]
            g = _decayed(p, g, group)
            m, v = state["exp_avg"], state["exp_avg_sq"]
            _lerp_(m, g, 1 - beta1)
            v *= beta2
            v += (1 - beta2) * (g * g)
            correction2 = 1 - beta2 ** t
            m_hat = m / (1 - beta1 ** t)
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * t * beta2 ** t / correction2
            if rho_t > 5.0:
                rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                                 / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                adaptive = math.sqrt(correction2) / (np.sqrt(v) + eps)
                p._data -= m_hat * lr * adaptive * rect
            else:
                p._data -= m_hat * lr
            mark_modified(p)
