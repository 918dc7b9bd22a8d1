"""Adam and AdamW, with PyTorch's update rules."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..function import mark_modified
from .optimizer import Optimizer, ParamsT, _decayed, _lerp_


class Adam(Optimizer):
    """Adam (Kingma & Ba) with PyTorch's update rule; weight_decay adds L2 to the gradient, or
    with decoupled_weight_decay=True decays the weights directly (then it is AdamW).

    With g = grad + weight_decay * p (or p = p * (1 - lr * weight_decay) when decoupled) and t
    the step count:
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
        v_max = max(v_max, v) if amsgrad (then used in place of v below)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    State per parameter: step, exp_avg (m), exp_avg_sq (v) and max_exp_avg_sq with amsgrad.

    Example: Adam([p], lr=0.1) moves p by about 0.1 against the gradient's sign on step one.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False, decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, group: dict[str, Any]) -> None:
        lr, eps, amsgrad = group["lr"], group["eps"], group["amsgrad"]
        beta1, beta2 = group["betas"]
        buffers = ("exp_avg", "exp_avg_sq") + ("max_exp_avg_sq",) * bool(amsgrad)
        for p, g, state in self._stepping(group, *buffers):
            g = _decayed(p, g, group)
            t = state["step"]
            m, v = state["exp_avg"], state["exp_avg_sq"]
            _lerp_(m, g, 1 - beta1)
            v *= beta2
            v += (1 - beta2) * (g * g)
            if amsgrad:
                np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                v = state["max_exp_avg_sq"]
            step_size = lr / (1 - beta1 ** t)
            denom = np.sqrt(v)
            denom /= math.sqrt(1 - beta2 ** t)
            denom += eps
            np.divide(m, denom, out=denom)
            denom *= step_size
            p._data -= denom
            mark_modified(p)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): p = p * (1 - lr * weight_decay)
    before the Adam step, instead of adding weight_decay * p to the gradient. As PyTorch,
    weight_decay defaults to 0.01.

    Example: AdamW(model.parameters(), lr=3e-4, weight_decay=0.1).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)
