"""Reductions: sum and max over axes (everything else, such as mean, is composed of them)."""
from __future__ import annotations

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
        is_max = x == m
        ctx.share = is_max / is_max.sum(axis=axis, keepdims=True).astype(x.dtype)
        return m if keepdims else np.squeeze(m, axis=axis)

    @staticmethod
    def backward(ctx, g):
        x, axis, keepdims = ctx.inputs
        if not keepdims:
            g = g.reshape(*_keepdims_shape(x.shape, axis))
        return g * ctx.share, None, None


def _keepdims_shape(shape: tuple[int, ...], axis: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


@tensor_method("sum")
def reduce_sum(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Sum over `axis` (an int, a tuple, negative allowed; all axes by default)."""
    return Sum.apply(x, _axes(axis, x.ndim), keepdims)


@tensor_method("max")
def reduce_max(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Largest element over `axis`; ties share the gradient equally."""
    if x._data.size == 0:
        raise ValueError(f"max: cannot reduce an empty tensor of shape {x.shape}")
    return Max.apply(x, _axes(axis, x.ndim), keepdims)
