"""Shape ops: reshape, permute, expand, cat and stack; no values change, gradients move back."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..function import Function
from .._tensor import Tensor, _axes
from .register import tensor_method


class Reshape(Function):
    derivative = "dx = dout reshaped back to x's shape"

    @staticmethod
    def forward(ctx, x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(*ctx.inputs[0].shape), None


class Permute(Function):
    derivative = "dx = dout with the axes permuted back"

    @staticmethod
    def forward(ctx, x, order):
        return x.transpose(order)

    @staticmethod
    def backward(ctx, g):
        return g.permute(*np.argsort(ctx.inputs[1]).tolist()), None


class Expand(Function):
    derivative = "dx = dout summed over the expanded axes"

    @staticmethod
    def forward(ctx, x, shape):
        return _broadcast_view(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g.sum_to(ctx.inputs[0].shape), None


def _broadcast_view(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """np.broadcast_to(x, shape): a read-only view with stride 0 along the broadcast axes.

    Made directly on x's buffer when x is contiguous: np.broadcast_to spends about 2 µs in Python
    checking its arguments, which for a loss's sum (whose backward is an expand) is more than
    the rest of that backward step."""
    lead = len(shape) - x.ndim
    if lead < 0 or not x.flags.c_contiguous or x.size == 0:
        return np.broadcast_to(x, shape)
    strides = [0] * lead
    for n, m, stride in zip(x.shape, shape[lead:], x.strides):
        if n == m:
            strides.append(stride)
        elif n == 1:
            strides.append(0)
        else:
            return np.broadcast_to(x, shape)   # raises numpy's error, which apply names
    view = np.ndarray(shape, x.dtype, x, 0, strides)
    view.flags.writeable = False
    return view


class Cat(Function):
    derivative = "dx_i = the slice of dout that x_i filled"

    @staticmethod
    def forward(ctx, *xs, axis):
        ctx.axis = axis
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        grads, start = [], 0
        for x in ctx.inputs:
            n = x.shape[ctx.axis]
            index = (slice(None),) * ctx.axis + (slice(start, start + n),)
            grads.append(g[index] if x.requires_grad else None)
            start += n
        return tuple(grads)


@tensor_method("reshape", "view")
def reshape(x: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape (one axis may be -1); accepts reshape(2, 3) or reshape((2, 3))."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = tuple(shape[0])
    if tuple(shape) == x.shape:
        return x
    return Reshape.apply(x, shape)


@tensor_method("permute")
def permute(x: Tensor, *order: Any) -> Tensor:
    """Reorder the axes: permute(2, 0, 1) makes axis 2 the first."""
    if len(order) == 1 and not isinstance(order[0], (int, np.integer)):
        order = tuple(order[0])
    n = x.ndim
    axes = tuple([o + n if o < 0 else o for o in order])
    if sorted(axes) != list(range(n)):
        raise ValueError(f"permute: {tuple(order)} is not a permutation of the axes of shape {x.shape}")
    return Permute.apply(x, axes)


@tensor_method("expand")
def expand(x: Tensor, *shape: Any) -> Tensor:
    """Broadcast to a larger shape without copying (-1 keeps an axis's size)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = tuple(shape[0])
    lead = len(shape) - x.ndim
    shape = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
    if shape == x.shape:
        return x
    return Expand.apply(x, shape)


def cat(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (numpy's concatenate, PyTorch's cat)."""
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    ndim = tensors[0].ndim
    if any(t.ndim != ndim for t in tensors) or ndim == 0:
        raise ValueError(f"cat: all tensors need the same number (>= 1) of dimensions, got shapes "
                         f"{[t.shape for t in tensors]}")
    return Cat.apply(*tensors, axis=_axes(axis, ndim)[0])


concatenate = cat


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    if len({t.shape for t in tensors}) != 1:
        raise ValueError(f"stack: all tensors need the same shape, got {[t.shape for t in tensors]}")
    return cat([t.unsqueeze(axis) for t in tensors], axis=axis)


class Clone(Function):
    derivative = "dx = dout"

    @staticmethod
    def forward(ctx, x):
        return np.array(x, order="C")   # a fresh C-contiguous copy, whatever x's strides

    @staticmethod
    def backward(ctx, g):
        return g


@tensor_method("clone")
def clone(x: Tensor) -> Tensor:
    """A copy of x with its own memory; gradients pass through unchanged."""
    return Clone.apply(x)


@tensor_method("contiguous")
def contiguous(x: Tensor) -> Tensor:
    """x itself if its array is C-contiguous, else a contiguous copy (as PyTorch's contiguous)."""
    return x if x._data.flags.c_contiguous else Clone.apply(x)


def _dim(op: str, dim: Any, shape: tuple[int, ...]) -> int:
    """`dim` as a non-negative axis of `shape`; a 0-d tensor has one axis, -1 or 0, as in PyTorch.

    Raises IndexError (PyTorch's class for this) naming the op and the shape."""
    n = max(len(shape), 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor of shape {shape} "
                         f"(expected a dim in [{-n}, {n - 1}])")
    return int(dim) % n


def _dims(op: str, dims: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """An int or a sequence of ints as distinct non-negative axes of `shape` (see _dim)."""
    items = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    out = tuple(_dim(op, d, shape) for d in items)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dims {tuple(items)} repeat an axis of shape {shape}")
    return out
