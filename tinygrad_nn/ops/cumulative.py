"""Cumulative ops along an axis: cumsum and cumprod (primitives), cummax and cummin (values
picked with gather, so the gradient goes to the element each running extreme came from), and
logcumsumexp (composed of logsumexp)."""
from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..function import Function
from .._tensor import Tensor
from .arithmetic import where
from .register import accumulating, tensor_method
from .shape import _dim


def _reversed(x: Tensor, axis: int) -> Tensor:
    return x[(slice(None),) * axis + (slice(None, None, -1),)]


class Cumsum(Function):
    derivative = "dx = dout summed from the end: reversed cumsum of reversed dout"

    @staticmethod
    def forward(ctx, x, axis):
        return np.cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, g):
        axis = ctx.inputs[1]
        return _reversed(Cumsum.apply(_reversed(g, axis), axis), axis), None


class Cumprod(Function):
    """Running product. Usually dx = revcumsum(dout * out) / x; a zero in x makes that 0 / 0,
    and a tiny x makes its derivative lose digits (it subtracts terms of size dout / x that
    cancel: an error of about eps / |x|), so where some |x| < sqrt(eps) each dx_k is computed
    directly as
    sum_{i >= k} dout_i prod_{j <= i, j != k} x_j (n times the memory along the axis), which is
    what PyTorch's gradient is at zeros too."""
    derivative = "dx_k = sum_{i >= k} dout_i * prod_{j <= i, j != k} x_j"

    @staticmethod
    def forward(ctx, x, axis):
        return np.cumprod(x, axis=axis)

    @staticmethod
    def backward(ctx, g):
        x, axis = ctx.inputs
        if not (np.abs(x._data) < np.sqrt(np.finfo(x.dtype).eps)).any():
            return _reversed(Cumsum.apply(_reversed(g * ctx.output, axis), axis), axis) / x, None
        n = x.shape[axis]
        xm, gm = x.movedim(axis, -1), g.movedim(axis, -1)           # (..., n)
        # without_k[..., k, j] = x_j, with 1 in place of x_k: its running product along j is
        # prod_{j' <= i, j' != k} x_j' for every k at once
        without_k = where(np.eye(n, dtype=bool), 1.0, xm.unsqueeze(-2))   # (..., n, n)
        partial = Cumprod.apply(without_k, without_k.ndim - 1)
        later = np.triu(np.ones((n, n), dtype=bool))                  # i >= k
        dx = where(later, partial * gm.unsqueeze(-2), 0.0).sum(-1)    # (..., n)
        return dx.movedim(-1, axis), None


def _cumulative_axis(op: str, x: Tensor, axis: int) -> tuple[Tensor, int]:
    a = _dim(op, axis, x.shape)
    return (x.reshape(1) if x.ndim == 0 else x), a


@tensor_method("cumsum")
def cumsum(x: Tensor, axis: int, dtype: Any = None) -> Tensor:
    """Running sum along `axis`: out[i] = x[0] + ... + x[i]. Integer and bool tensors give int64,
    and `dtype=` casts x first, as PyTorch."""
    x = accumulating(x, dtype, "cumsum")
    y, a = _cumulative_axis("cumsum", x, axis)
    return Cumsum.apply(y, a).reshape(*x.shape)


@tensor_method("cumprod")
def cumprod(x: Tensor, axis: int, dtype: Any = None) -> Tensor:
    """Running product along `axis`: out[i] = x[0] * ... * x[i]; the gradient is exact where x
    has zeros (see Cumprod). Integer and bool tensors give int64, and `dtype=` casts x first."""
    x = accumulating(x, dtype, "cumprod")
    y, a = _cumulative_axis("cumprod", x, axis)
    return Cumprod.apply(y, a).reshape(*x.shape)


CumulativeExtreme = namedtuple("CumulativeExtreme", ["values", "indices"])


def _running_extreme(op: str, x: Tensor, dim: int, largest: bool) -> CumulativeExtreme:
    y, a = _cumulative_axis(op, x, dim)
    data = y._data
    best = (np.maximum if largest else np.minimum).accumulate(data, axis=a)
    n = data.shape[a]
    position = np.arange(n).reshape((-1,) + (1,) * (data.ndim - a - 1))
    # a new running extreme (or a tie with it) starts at i: the later index wins ties, as PyTorch
    indices = np.maximum.accumulate(np.where(data == best, position, 0), axis=a)
    values = y.gather(a, indices)
    return CumulativeExtreme(values.reshape(*x.shape), Tensor(indices.reshape(x.shape)))


@tensor_method("cummax")
def cummax(x: Tensor, dim: int) -> CumulativeExtreme:
    """(values, indices) of the running maximum along `dim`; a tie takes the later index and
    the gradient goes to the element at that index (as PyTorch)."""
    return _running_extreme("cummax", x, dim, largest=True)


@tensor_method("cummin")
def cummin(x: Tensor, dim: int) -> CumulativeExtreme:
    """(values, indices) of the running minimum along `dim` (see cummax)."""
    return _running_extreme("cummin", x, dim, largest=False)


@tensor_method("logcumsumexp")
def logcumsumexp(x: Tensor, dim: int) -> Tensor:
    """log(exp(x[0]) + ... + exp(x[i])) along `dim`, without overflow.

    Composed as logsumexp over the rows of an (n, n) matrix that holds x_j for j <= i and -inf
    elsewhere: stable and exact at every order, at n times the memory along the axis (a running
    cumsum of exp would overflow, and one shift for the whole axis would underflow early terms)."""
    y, a = _cumulative_axis("logcumsumexp", x, dim)
    n = y.shape[a]
    row = y.movedim(a, -1).unsqueeze(-2)                       # (..., 1, n)
    upto = np.tril(np.ones((n, n), dtype=bool))                # [i, j]: j <= i
    # -inf as the argument, not a masked result: exp(-inf) = 0 keeps every gradient finite
    windows = where(upto, row, -np.inf)                        # (..., n, n)
    return windows.logsumexp(-1).movedim(-1, a).reshape(*x.shape)
