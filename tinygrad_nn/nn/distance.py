"""Norms and distances between vectors, with PyTorch's eps rules: nn.functional's normalize,
cosine_similarity and pairwise_distance, and tinygrad_nn.cdist. Compositions of Tensor ops.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor


def _tensor(x: Any, op: str) -> Tensor:
    t = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
    if t.dtype.kind != "f":
        raise TypeError(f"{op}: expected floating point inputs, got dtype {t.dtype}")
    return t


def _broadcast(op: str, a: Tensor, b: Tensor) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(a.shape, b.shape))
    except ValueError:
        raise ValueError(f"{op}: shapes {a.shape} and {b.shape} do not broadcast") from None


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(‖x‖_p, eps) along `dim`: unit vectors, and 0 for a zero vector.

    Shapes: input (*) -> the same. Example::

        >>> x = Tensor([[3., 4.]], requires_grad=True)
        >>> normalize(x)                     # [[0.6, 0.8]]
    """
    x = _tensor(input, "normalize")
    return x / x.norm(p, dim, keepdims=True).clip(min=eps)


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """‖x‖ along dim with its value clamped to >= eps but the gradient of the unclamped norm:
    PyTorch clamps in place under no_grad, so its backward never sees the clamp."""
    n = x.norm(2, dim, keepdims=True)
    return n + (n.clip(min=eps) - n).detach()


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ (x1 / max(‖x1‖, eps)) (x2 / max(‖x2‖, eps)) along `dim`: the cosine of the angle between
    x1 and x2, PyTorch 2's formula (each vector normalised first, so the result stays in [-1, 1]).

    Shapes: x1 and x2 broadcast to (*); the result drops `dim`. Example::

        >>> cosine_similarity(Tensor([[1., 0.]]), Tensor([[1., 1.]]))   # [0.7071]
    """
    op = "cosine_similarity"
    a, b = _tensor(x1, op), _tensor(x2, op)
    shape = _broadcast(op, a, b)
    if not -len(shape) <= dim < max(len(shape), 1):
        raise IndexError(f"{op}: dim {dim} is out of range for shapes {a.shape} and {b.shape}")
    a, b = a.expand(*shape), b.expand(*shape)
    return ((a / _clamped_norm(a, dim, eps)) * (b / _clamped_norm(b, dim, eps))).sum(dim)


def pairwise_distance(x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x1 - x2 + eps‖_p along the last axis (PyTorch adds eps to every difference).

    Shapes: x1 (N, D) or (D,), x2 broadcasting to it -> (N,) or () ((N, 1) with keepdim).
    Example: pairwise_distance(Tensor([[0., 0.]]), Tensor([[3., 4.]]), eps=0) is [5].
    """
    op = "pairwise_distance"
    a, b = _tensor(x1, op), _tensor(x2, op)
    shape = _broadcast(op, a, b)
    if not shape:
        raise ValueError(f"{op}: expected vectors (at least 1-D), got shapes {a.shape} and {b.shape}")
    return (a - b + eps).norm(p, -1, keepdim)


def cdist(x1: Any, x2: Any, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """All distances between two sets of rows: out[..., i, j] = ‖x1[..., i, :] - x2[..., j, :]‖_p.

    Shapes: x1 (*, P, M), x2 (*, R, M) (batch dims broadcast) -> (*, P, R). Always computed from
    the differences, (*, P, R, M) in memory (PyTorch's matmul shortcut for p=2 is faster but
    loses digits; compute_mode is accepted and changes nothing). At a zero distance the gradient
    is 0, as PyTorch. Example: cdist(Tensor([[0., 0.]]), Tensor([[3., 4.], [0., 1.]])) is [[5, 1]].
    """
    op = "cdist"
    a, b = _tensor(x1, op), _tensor(x2, op)
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-1]:
        raise ValueError(f"{op}: expected x1 (*, P, M) and x2 (*, R, M) with the same M, got shapes "
                         f"{a.shape} and {b.shape}")
    if p < 0:
        raise ValueError(f"{op}: p must be >= 0, got {p}")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"{op}: batch dims of shapes {a.shape} and {b.shape} do not broadcast") from None
    diff = a.unsqueeze(-2) - b.unsqueeze(-3)      # (*, P, 1, M) - (*, 1, R, M) -> (*, P, R, M)
    return diff.norm(p, -1)
