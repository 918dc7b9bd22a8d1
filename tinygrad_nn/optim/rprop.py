"""Rprop, resilient backpropagation, with PyTorch's update rule."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import mark_modified
from .optimizer import Optimizer, ParamsT


class Rprop(Optimizer):
    """Rprop (Riedmiller & Braun): each weight has its own step size, grown while the gradient
    keeps its sign and shrunk when it flips; only the gradient's sign is used. Full-batch only.

    With (eta_minus, eta_plus) = etas and s starting at lr:
        s = min(s * eta_plus, step_max)   where g * g_prev > 0
        s = max(s * eta_minus, step_min); g = 0   where g * g_prev < 0  (no move this step)
        p = p - sign(g) * s;  g_prev = g
    State per parameter: step, prev (g_prev), step_size (s).

    Example: Rprop([p], lr=0.01) moves p by 0.01, then 0.012, 0.0144, ... while the sign holds.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes),
                                      maximize=maximize))

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        etas = group["etas"]
        if len(etas) != 2 or not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Rprop: etas must be (eta_minus, eta_plus) with 0 < eta_minus < 1 < eta_plus, "
                             f"got {etas}")
        if len(group["step_sizes"]) != 2:
            raise ValueError(f"Rprop: step_sizes must be (min, max), got {group['step_sizes']}")

    def _update(self, group: dict[str, Any]) -> None:
        eta_minus, eta_plus = group["etas"]
        step_min, step_max = group["step_sizes"]
        for p, g, state in self._stepping(group, "prev"):
            if state["step"] == 1:
                state["step_size"] = np.full_like(p._data, group["lr"])
            sign = np.sign(g * state["prev"])
            factor = np.where(sign > 0, eta_plus, np.where(sign < 0, eta_minus, 1.0)).astype(p.dtype)
            step_size = state["step_size"]
            step_size *= factor
            np.clip(step_size, step_min, step_max, out=step_size)
            g = np.where(sign < 0, 0, g).astype(p.dtype, copy=False)
            p._data -= np.sign(g) * step_size
            state["prev"][...] = g
            mark_modified(p)
