"""Reductions: sum, amax and amin over axes, and max/min/argmax/argmin on top of them (mean,
var and the rest are composed of these in _tensor.py).

A 0-d tensor has one axis for a reduction's purposes, as in PyTorch: x.sum(0) and x.sum(-1) of
a 0-d x are x itself."""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..function import Function
from .._tensor import Axis, Tensor, _axes
from .register import tensor_method
from .shape import Expand


class Sum(Function):
    derivative = "dx = dout broadcast back to x's shape"

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        return x.sum(axis=axis, keepdims=keepdims)   # the method: np.sum adds 1 µs of checks

    @staticmethod
    def backward(ctx, g):
        x, axis, keepdims = ctx.inputs
        if not keepdims and g.ndim:   # a 0-d gradient (a full sum) broadcasts as it is
            g = g.reshape(*_keepdims_shape(x.shape, axis))
        return Expand.apply(g, x.shape), None, None   # the op itself: x.shape needs no checks


class Max(Function):
    """Largest element over axis; tied maxima share the gradient equally (PyTorch's amax)."""
    derivative = "dx = dout at the maxima (ties share it), 0 elsewhere"

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        m = x.max(axis=axis, keepdims=True)
        return _extreme(ctx, x, m, axis, keepdims)

    @staticmethod
    def backward(ctx, g):
        return _share_back(ctx, g)


class Min(Function):
    """Smallest element over axis; tied minima share the gradient equally (PyTorch's amin).
    Its own op, not -max(-x): negation overflows int32's -2**31 and wraps uint8."""
    derivative = "dx = dout at the minima (ties share it), 0 elsewhere"

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        m = x.min(axis=axis, keepdims=True)
        return _extreme(ctx, x, m, axis, keepdims)

    @staticmethod
    def backward(ctx, g):
        return _share_back(ctx, g)


def _extreme(ctx: Any, x: np.ndarray, m: np.ndarray, axis: tuple[int, ...], keepdims: bool) -> np.ndarray:
    if x.dtype.kind == "f":   # integer tensors get no gradient: skip the share
        is_extreme = x == m
        ctx.share = is_extreme / is_extreme.sum(axis=axis, keepdims=True).astype(x.dtype)
    return m if keepdims else np.squeeze(m, axis=axis)


def _share_back(ctx: Any, g: Tensor) -> tuple:
    x, axis, keepdims = ctx.inputs
    if not keepdims:
        g = g.reshape(*_keepdims_shape(x.shape, axis))
    return g * ctx.share, None, None


def _keepdims_shape(shape: tuple[int, ...], axis: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _reduce_axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """`axis` as a tuple of non-negative ints; a 0-d tensor accepts 0 and -1 and reduces nothing."""
    axes = _axes(axis, ndim)
    return axes if ndim else ()


@tensor_method("sum")
def reduce_sum(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Sum over `axis` (an int, a tuple, negative allowed; all axes by default)."""
    return Sum.apply(x, _reduce_axes(axis, x.ndim), keepdims)


def _check_not_empty(x: Tensor, op: str, axes: tuple[int, ...]) -> None:
    if x._data.size == 0 and (not axes or any(x.shape[a] == 0 for a in axes)):
        raise ValueError(f"{op}: cannot reduce an empty tensor of shape {x.shape} over axis {axes}")


@tensor_method("amax")
def amax(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Largest element over `axis` (an int or a tuple; all axes by default); ties share the
    gradient equally, as PyTorch's amax.

    >>> x = Tensor([1.0, 3.0, 3.0], requires_grad=True); x.amax().backward(); x.grad
    Tensor([0.  0.5 0.5])
    """
    axes = _reduce_axes(axis, x.ndim)
    _check_not_empty(x, "amax", axes or tuple(range(x.ndim)))
    return Max.apply(x, axes, keepdims)


@tensor_method("amin")
def amin(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Smallest element over `axis`; ties share the gradient equally, as PyTorch's amin."""
    axes = _reduce_axes(axis, x.ndim)
    _check_not_empty(x, "amin", axes or tuple(range(x.ndim)))
    return Min.apply(x, axes, keepdims)


class ValuesIndices(NamedTuple):
    """What max(dim), min(dim), sort, topk ... return, as PyTorch's torch.return_types."""
    values: Tensor
    indices: Tensor


def _along(x: Tensor, indices: np.ndarray, axis: int) -> Tensor:
    """x's elements at `indices` (keepdims shape) along `axis`, by indexing: the gradient goes
    to exactly those elements (numpy's take_along_axis, differentiable through getitem)."""
    index = tuple(indices if i == axis else
                  np.arange(n).reshape((-1,) + (1,) * (x.ndim - 1 - i))
                  for i, n in enumerate(x.shape))
    return x[index]


def _values_indices(x: Tensor, axis: int, keepdims: bool, op: str) -> ValuesIndices:
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: dim must be an int, got {axis!r} (use a{op} for several axes)")
    if x.ndim == 0:
        _axes(axis, 0)
        return ValuesIndices(x[()], Tensor(np.zeros((), np.int64)))
    (a,) = _axes(axis, x.ndim)
    _check_not_empty(x, op, (a,))
    pick = np.argmax if op == "max" else np.argmin
    idx = pick(x._data, axis=a, keepdims=True)   # the first of tied extremes, as PyTorch on CPU
    values = _along(x, idx, a)
    if not keepdims:
        values, idx = values.squeeze(a), np.squeeze(idx, axis=a)
    return ValuesIndices(values, Tensor(idx.astype(np.int64, copy=False)))


@tensor_method("max")
def reduce_max(x: Tensor, axis: Any = None, keepdims: bool = False) -> Any:
    """PyTorch's max: `x.max()` is the largest element (0-d; ties share the gradient, as amax);
    `x.max(dim, keepdim=False)` is (values, indices) along dim, the index of the first maximum,
    and values' gradient goes to that element only; `x.max(other)` is `maximum(x, other)`."""
    if isinstance(axis, Tensor):
        return x.maximum(axis)
    if axis is None:
        return amax(x)
    return _values_indices(x, axis, keepdims, "max")


@tensor_method("min")
def reduce_min(x: Tensor, axis: Any = None, keepdims: bool = False) -> Any:
    """PyTorch's min: `x.min()` (0-d), `x.min(dim, keepdim)` -> (values, indices) of the first
    minimum, `x.min(other)` = `minimum(x, other)` (see max)."""
    if isinstance(axis, Tensor):
        return x.minimum(axis)
    if axis is None:
        return amin(x)
    return _values_indices(x, axis, keepdims, "min")


def _arg(x: Tensor, axis: int | None, keepdims: bool, op: str) -> Tensor:
    pick = np.argmax if op == "argmax" else np.argmin
    if axis is None:
        out = np.asarray(pick(x._data))
        return Tensor(out.reshape((1,) * x.ndim) if keepdims else out)
    _check_not_empty(x, op, _axes(axis, x.ndim) if x.ndim else ())
    if x.ndim == 0:
        _axes(axis, 0)
        return Tensor(np.zeros((), np.int64))
    return Tensor(pick(x._data, axis=axis, keepdims=keepdims).astype(np.int64, copy=False))


@tensor_method("argmax")
def argmax(x: Tensor, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the (first) largest element along `axis` (of the flattened tensor if None)."""
    return _arg(x, axis, keepdims, "argmax")


@tensor_method("argmin")
def argmin(x: Tensor, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the (first) smallest element along `axis` (of the flattened tensor if None)."""
    return _arg(x, axis, keepdims, "argmin")
