"""Gradient clipping, in place, between backward and the optimizer step (PyTorch's names).

    loss.backward()
    clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..function import no_grad, numpy_call
from .._tensor import Tensor, get_default_dtype


def _with_grads(parameters: Tensor | Iterable[Tensor], op: str) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    params = list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: expected Tensors (e.g. model.parameters()), got a "
                            f"{type(p).__name__} at position {i}")
    return [p for p in params if p.grad is not None]


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The norm of all `tensors` (usually the gradients) taken together as one vector:
    (Σ_t Σ_i |t_i|^norm_type)^(1/norm_type), max |t_i| for norm_type=inf; a 0-d Tensor in the
    first tensor's dtype (summed in float64). `foreach` is accepted and changes nothing.

    >>> get_total_norm([Tensor([3.0]), Tensor([4.0])])
    Tensor(5.)
    """
    if not norm_type > 0:
        raise ValueError(f"get_total_norm: norm_type must be positive (or inf), got {norm_type}")
    ts = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    for i, t in enumerate(ts):
        if not isinstance(t, Tensor):
            raise TypeError(f"get_total_norm: expected Tensors, got a {type(t).__name__} at position {i}")
    if not ts:
        return Tensor(np.zeros((), get_default_dtype()))
    arrays = [np.abs(t._data.astype(np.float64)) for t in ts]
    if math.isinf(norm_type):
        total = max(float(a.max()) if a.size else 0.0 for a in arrays)
    else:
        total = float(sum(float(np.sum(a ** norm_type)) for a in arrays) ** (1.0 / norm_type))
    if not math.isfinite(total) and error_if_nonfinite:
        raise RuntimeError(f"clip_grad_norm_: the total norm of the gradients is {total}; "
                           "some gradient holds nan or inf")
    return Tensor(np.asarray(total, ts[0].dtype))


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, total_norm: Any,
                          foreach: bool | None = None) -> None:
    """Multiply every .grad by max_norm / (total_norm + 1e-6) if that is below 1 (in place):
    the second half of clip_grad_norm_, for a total_norm from get_total_norm."""
    params = _with_grads(parameters, "clip_grads_with_norm_")
    total = float(total_norm._data if isinstance(total_norm, Tensor) else total_norm)
    if not math.isfinite(total):
        return   # scaling by 0 or nan would only spread the damage (PyTorch scales anyway)
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        with no_grad():
            for p in params:
                assert p.grad is not None
                p.grad.mul_(scale)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so that their total norm is at most `max_norm`.

    total = (Σ_p Σ_i |g_pi|^norm_type)^(1/norm_type) over every .grad (max |g| for
    norm_type=inf), as if all gradients were one vector. If total > max_norm, each gradient is
    multiplied by max_norm / (total + 1e-6): the direction of the step is kept, only its length
    shrinks. Parameters without a .grad are skipped. Returns the total norm before clipping, as
    a 0-d Tensor (PyTorch's return type: `.item()` works). A non-finite total raises with
    error_if_nonfinite=True and otherwise leaves the gradients as they are. `foreach` is
    accepted and changes nothing.

    >>> w = Tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()                     # grad [6, 8], norm 10
    >>> clip_grad_norm_([w], max_norm=5.0)
    Tensor(10.)
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
    total = get_total_norm([p.grad for p in params if p.grad is not None], norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clip every gradient element to [-clip_value, clip_value], in place.

    Unlike clip_grad_norm_, this changes the direction of the step. `foreach` is accepted and
    changes nothing.

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
