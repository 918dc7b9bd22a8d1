"""Gradient clipping, in place, between backward and the optimizer step (PyTorch's names).

    loss.backward()
    clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from ..function import no_grad, numpy_call
from .._tensor import Tensor


def _with_grads(parameters: Tensor | Iterable[Tensor], op: str) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    params = list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: expected Tensors (e.g. model.parameters()), got a "
                            f"{type(p).__name__} at position {i}")
    return [p for p in params if p.grad is not None]


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Scale all gradients together so that their total norm is at most `max_norm`.

    total = (Σ_p Σ_i |g_pi|^norm_type)^(1/norm_type) over every .grad (max |g| for
    norm_type=inf), as if all gradients were one vector. If total > max_norm, each gradient is
    multiplied by max_norm / (total + 1e-6): the direction of the step is kept, only its length
    shrinks. Parameters without a .grad are skipped. Returns the total norm before clipping.

    >>> w = Tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()                     # grad [6, 8], norm 10
    >>> clip_grad_norm_([w], max_norm=5.0)
    10.0
    >>> w.grad                                       # [3, 4] (up to the 1e-6 guard)
    Tensor([2.9999995 3.9999995])
    """
    if max_norm < 0 or math.isnan(max_norm):
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be positive (or inf), got {norm_type}")
    from ..compile.trace import refuse_if_tracing
    refuse_if_tracing("clip_grad_norm_", "turns the gradients into a Python number")
    params = _with_grads(parameters, "clip_grad_norm_")
    if not params:
        return 0.0
    grads = [np.abs(p.grad._data.astype(np.float64)) for p in params if p.grad is not None]
    if math.isinf(norm_type):
        total = max(float(g.max()) if g.size else 0.0 for g in grads)
    else:
        total = float(sum(float(np.sum(g ** norm_type)) for g in grads) ** (1.0 / norm_type))
    if not math.isfinite(total):
        if error_if_nonfinite:
            raise RuntimeError(f"clip_grad_norm_: the total norm of the gradients is {total}; "
                               "some gradient holds nan or inf")
        return total   # scaling by 0 or nan would only spread the damage
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        with no_grad():
            for p in params:
                assert p.grad is not None
                p.grad.mul_(scale)
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient element to [-clip_value, clip_value], in place.

    Unlike clip_grad_norm_, this changes the direction of the step.

    >>> w = Tensor([3.0, -0.5], requires_grad=True)
    >>> (w * w).sum().backward()                     # grad [6, -1]
    >>> clip_grad_value_([w], 2.0); w.grad
    Tensor([ 2. -1.])
    """
    if not clip_value > 0:
        raise ValueError(f"clip_grad_value_: clip_value must be positive, got {clip_value}")
    with no_grad():
        for p in _with_grads(parameters, "clip_grad_value_"):
            assert p.grad is not None
            # numpy_call: a compiled step clips each call's gradient, not the traced one
            p.grad.copy_(numpy_call(np.clip, p.grad._data, -clip_value, clip_value))
