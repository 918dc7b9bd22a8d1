"""Indexing: x[index] and the scatter-add that is its gradient."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from .._tensor import Tensor, _plain_index
from .register import tensor_method


class GetItem(Function):
    """x[index]; the gradient scatters back, adding where an index repeats."""
    derivative = "dx = zeros of x's shape with dout added at index"

    @staticmethod
    def forward(ctx, x, index):
        return x[index]

    @staticmethod
    def backward(ctx, g):
        x, index = ctx.inputs
        return ScatterAdd.apply(g, index, x.shape), None


class ScatterAdd(Function):
    """zeros(shape) with g added at `index` (repeats accumulate); the reverse of GetItem."""
    derivative = "dg = dout[index]"

    @staticmethod
    def forward(ctx, g, index, shape):
        out = np.zeros(shape, g.dtype)
        if _is_basic(index):
            out[index] = g  # a basic index cannot repeat an element: plain assignment is exact
        else:
            np.add.at(out, index, g)
        return out

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.inputs[1]], None, None


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice)) for i in items)


@tensor_method("__getitem__")
def getitem(x: Tensor, index: Any) -> Tensor:
    """numpy indexing: ints, slices, None, Ellipsis, integer arrays and boolean masks."""
    return GetItem.apply(x, _plain_index(index))
