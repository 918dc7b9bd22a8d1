"""RMSprop, with PyTorch's update rule."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import mark_modified
from .optimizer import Optimizer, ParamsT, _decayed, _lerp_


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture notes) with PyTorch's update rule.

    With g = grad + weight_decay * p:
        v = alpha * v + (1 - alpha) * g^2
        m_g = m_g + (1 - alpha) * (g - m_g);  v~ = v - m_g^2      if centered (else v~ = v)
        d = g / (sqrt(v~) + eps)
        b = momentum * b + d;  p = p - lr * b                   if momentum > 0
        p = p - lr * d                                          otherwise
    State per parameter: step, square_avg (v), momentum_buffer (b) and grad_avg (m_g) when used.

    Example: RMSprop(model.parameters(), lr=1e-3, momentum=0.9, centered=True).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _update(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        momentum, centered = group["momentum"], group["centered"]
        buffers = ("square_avg",) + ("momentum_buffer",) * (momentum > 0) + ("grad_avg",) * bool(centered)
        for p, g, state in self._stepping(group, *buffers):
            g = _decayed(p, g, group)
            v = state["square_avg"]
            v *= alpha
            v += (1 - alpha) * (g * g)
            if centered:
                m = state["grad_avg"]
                _lerp_(m, g, 1 - alpha)
                denom = np.sqrt(v - m * m)
            else:
                denom = np.sqrt(v)
            denom += eps
            if momentum > 0:
                buf = state["momentum_buffer"]
                buf *= momentum
                buf += g / denom
                p._data -= lr * buf
            else:
                p._data -= lr * (g / denom)
            mark_modified(p)
