"""Reductions: sum, amax and amin over axes, and max/min/argmax/argmin on top of them (mean,
var and the rest are composed of these in _tensor.py).

A 0-d tensor has one axis for a reduction's purposes, as in PyTorch: x.sum(0) and x.sum(-1) of
a 0-d x are x itself."""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..function import Function, numpy_call
from .._tensor import Axis, Tensor, _axes
from .arithmetic import where
from .register import accumulating, tensor_method
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


def _first_extreme(pick: Any, x: np.ndarray, axis: int) -> np.ndarray:
    return pick(x, axis=axis, keepdims=True)


def _reduce_axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """`axis` as a tuple of non-negative ints; a 0-d tensor accepts 0 and -1 and reduces nothing."""
    axes = _axes(axis, ndim)
    return axes if ndim else ()


@tensor_method("sum")
def reduce_sum(x: Tensor, axis: Axis = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
    """Sum over `axis` (an int, a tuple, negative allowed; all axes by default). Bool and integer
    tensors sum in int64, and `dtype=` casts x first, as PyTorch."""
    if dtype is not None or x._data.dtype.kind in "biu":
        x = accumulating(x, dtype, "sum")
    ndim = x._data.ndim
    return Sum.apply(x, _axes(axis, ndim) if ndim else _reduce_axes(axis, 0), keepdims)


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


def index_array(idx: np.ndarray, axis: int, keepdims: bool) -> np.ndarray:
    """Indices (kept along `axis`) as PyTorch's int64 index tensor, keepdims or not."""
    out = idx.astype(np.int64, copy=False)
    return out if keepdims else np.squeeze(out, axis=axis)


def _values_indices(x: Tensor, axis: int, keepdims: bool, op: str) -> ValuesIndices:
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: dim must be an int, got {axis!r} (use a{op} for several axes)")
    if x.ndim == 0:
        _axes(axis, 0)
        return ValuesIndices(x[()], Tensor(np.zeros((), np.int64)))
    (a,) = _axes(axis, x.ndim)
    _check_not_empty(x, op, (a,))
    pick = np.argmax if op == "max" else np.argmin
    idx = numpy_call(_first_extreme, pick, x._data, a)   # the first of ties, as PyTorch on CPU
    values = _along(x, idx, a)
    return ValuesIndices(values if keepdims else values.squeeze(a),
                         Tensor(numpy_call(index_array, idx, a, keepdims)))


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


# --- products, norms, moments ----------------------------------------------------------------

class Prod(Function):
    """Product over one axis. d/dx_i = the product of the other elements, formed explicitly (an
    (n, n) grid per reduced row), so a 0 still gets the product of the rest, as PyTorch. Above
    _PROD_GRID elements per row the grid is too big: there the gradient is out / x_i, and the
    grid only where some x is 0 (a data-dependent branch: a compiled step freezes it)."""
    derivative = "dx_i = dout * prod_{j != i} x_j"

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        return np.prod(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        x, axis, keepdims = ctx.inputs
        out = ctx.output
        if not keepdims:
            g, out = g.unsqueeze(axis), out.unsqueeze(axis)
        n = x.shape[axis]
        if n > _PROD_GRID and not np.any(x._data == 0):
            return g * out / x, None, None
        # others[..., i, ...] = prod_j X[..., i, j, ...] with X[i, j] = x_j off the diagonal, 1 on it
        grid = x.unsqueeze(axis).expand(*x.shape[:axis], n, *x.shape[axis:])   # (..., i, j, ...)
        eye = np.eye(n, dtype=bool).reshape((n, n) + (1,) * (x.ndim - axis - 1))
        others = Prod.apply(where(eye, np.ones((), x.dtype), grid), axis + 1, False)
        return g * others, None, None


_PROD_GRID = 256


@tensor_method("prod")
def prod(x: Tensor, axis: int | None = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
    """Product of the elements along `axis` (an int; all of them if None, giving 0-d). Bool and
    integer tensors multiply in int64, and `dtype=` casts x first, as PyTorch.

    >>> x = Tensor([0.0, 2.0, 3.0], requires_grad=True); x.prod().backward(); x.grad
    Tensor([6. 0. 0.])
    """
    x = accumulating(x, dtype, "prod")
    if axis is None:
        out = Prod.apply(x.reshape(-1), 0, False)
        return out.reshape(*([1] * x.ndim)) if keepdims else out
    if x.ndim == 0:
        _axes(axis, 0)
        return x
    (a,) = _axes(axis, x.ndim)
    return Prod.apply(x, a, keepdims)


def _safe_sqrt(s: Tensor) -> Tensor:
    """sqrt(s) for s >= 0 whose gradient is 0 where s == 0 (PyTorch's norm at the zero vector)
    instead of 0 * inf = nan."""
    zero = numpy_call(np.equal, s._data, 0)
    return where(zero, np.zeros((), s.dtype), where(zero, np.ones((), s.dtype), s).sqrt())


@tensor_method("norm")
def norm(x: Tensor, p: Any = "fro", axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The vector p-norm over `axis` (all elements by default): p = 2 or "fro" sqrt(Σ x²),
    1 Σ|x|, inf max|x|, -inf min|x|, 0 the count of nonzeros, other p (Σ|x|^p)^(1/p).

    At the zero vector the 2-norm's gradient is 0, as PyTorch; ties of the inf-norm share it."""
    if p in ("fro", 2, 2.0):
        return _safe_sqrt((x * x).sum(axis, keepdims))
    if p in (1, 1.0):
        return x.abs().sum(axis, keepdims)
    if p == float("inf"):
        return x.abs().amax(axis, keepdims)
    if p == float("-inf"):
        return x.abs().amin(axis, keepdims)
    if p in (0, 0.0):
        return (x != 0).astype(x.dtype).sum(axis, keepdims)
    if isinstance(p, str) or not isinstance(p, (int, float)):
        raise ValueError(f"norm: p must be a number or 'fro', got {p!r}")
    return (x.abs() ** p).sum(axis, keepdims) ** (1.0 / p)


@tensor_method("dist")
def dist(x: Tensor, other: Any, p: float = 2) -> Tensor:
    """The p-norm of x - other (broadcasting): 0-d."""
    return (x - other).norm(p)


@tensor_method("var_mean")
def var_mean(x: Tensor, axis: Axis = None, keepdims: bool = False, correction: int = 1) -> tuple:
    """(var, mean) over `axis` (see var for `correction`), as PyTorch's var_mean."""
    return x.var(axis, keepdims, correction), x.mean(axis, keepdims)


@tensor_method("std_mean")
def std_mean(x: Tensor, axis: Axis = None, keepdims: bool = False, correction: int = 1) -> tuple:
    """(std, mean) over `axis`, as PyTorch's std_mean."""
    return x.std(axis, keepdims, correction), x.mean(axis, keepdims)


# --- order statistics -------------------------------------------------------------------------

class Median(Function):
    """The lower median of all elements (0-d); tied medians share the gradient, as PyTorch."""
    derivative = "dx = dout at the median's copies (ties share it), 0 elsewhere"

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        flat = np.sort(x, axis=None)
        m = np.full((1,) * x.ndim, flat[(flat.size - 1) // 2], x.dtype)
        return _extreme(ctx, x, m, axis, keepdims)

    @staticmethod
    def backward(ctx, g):
        return _share_back(ctx, g)


def _sorted_along(x: np.ndarray, axis: int, descending: bool = False) -> np.ndarray:
    """Stable argsort along axis: ties keep their order, NaN sorts as the largest value."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    # sort the reversed array ascending and reverse back: descending, ties still in order
    n = x.shape[axis]
    return n - 1 - np.flip(np.argsort(np.flip(x, axis), axis=axis, kind="stable"), axis)


@tensor_method("median")
def median(x: Tensor, axis: int | None = None, keepdims: bool = False) -> Any:
    """The lower median (of an even count, the smaller middle value, as PyTorch): 0-d for all
    elements (ties share the gradient), or (values, indices) along `axis`."""
    if axis is None:
        _check_not_empty(x, "median", tuple(range(x.ndim)))
        return Median.apply(x, tuple(range(x.ndim)), False)
    return x.kthvalue((x.shape[_axes(axis, x.ndim)[0]] + 1) // 2 if x.ndim else 1, axis, keepdims)
