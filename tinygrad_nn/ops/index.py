"""Indexing: x[index] and the scatter-add that is its gradient; scatter, and the ops built on
them: gather, scatter_add, scatter_reduce, index_select, masked_fill, masked_select, take."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..function import Function, numpy_call
from .._tensor import Tensor, _index_steps, _plain_index
from .register import ZERO, tensor_method
from .arithmetic import Where, where
from .shape import _dim


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


class ScaleGrad(Function):
    """x unchanged; the gradient multiplied by the constant s (embedding's scale_grad_by_freq
    divides each looked-up row's gradient by how often its index occurs in the batch)."""
    derivative = "dx = dout * s"

    @staticmethod
    def forward(ctx, x, s):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return ScaleGrad.apply(g * ctx.inputs[1], np.ones((), g.dtype)), None


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
    """numpy indexing: ints, slices, None, Ellipsis, integer arrays and boolean masks.

    One difference from numpy, to follow PyTorch: in an index that mixes ints and arrays, the
    ints select first and the arrays then index what is left, so x[0, :, [0, 1]] of a (2, 3, 4)
    tensor is (3, 2) as in PyTorch (numpy's rule moves the array's axis to the front: (2, 3))."""
    steps = _index_steps(_plain_index(index))
    if len(steps) == 1:
        return GetItem.apply(x, steps[0])
    return GetItem.apply(GetItem.apply(x, steps[0]), steps[1])


class Scatter(Function):
    """x with src written at `index` (a numpy index). Where the index repeats, one of the
    values stays (PyTorch leaves which one unspecified) and only it gets a gradient: the
    others do not reach the output (PyTorch gives each of them dout, as if each had won)."""
    derivative = "dx = dout where nothing was written, else 0; dsrc = dout at index, where kept"

    @staticmethod
    def forward(ctx, x, index, src):
        out = x.copy()
        out[index] = src
        # the same assignment of each source element's number shows which ones were kept
        shape = np.broadcast_shapes(*[np.shape(i) for i in index])
        owner = np.full(x.shape, -1, np.int64)
        owner[index] = np.arange(int(np.prod(shape))).reshape(shape)
        ctx.written = owner >= 0
        kept = np.zeros(shape, bool)
        kept.flat[owner[ctx.written]] = True
        ctx.kept = None if kept.all() else kept
        return out

    @staticmethod
    def backward(ctx, g):
        x, index, src = ctx.inputs
        need_x, _, need_src = ctx.needs_input_grad
        gsrc = None
        if need_src:
            gsrc = GetItem.apply(g, index)
            if ctx.kept is not None:
                gsrc = Where.apply(ctx.kept, gsrc, ZERO[g.dtype])
        return Where.apply(ctx.written, ZERO[g.dtype], g) if need_x else None, None, gsrc


def _int_array(op: str, index: Any) -> np.ndarray:
    a = index._data if isinstance(index, Tensor) else np.asarray(index)
    if a.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must hold integers, got dtype {a.dtype}")
    return a


def _check_bounds(op: str, index: np.ndarray, n: int, dim: int, negative: bool = False) -> None:
    low = -n if negative else 0
    if index.size and (index.min() < low or index.max() >= n):
        bad = index[(index < low) | (index >= n)].flat[0]
        raise IndexError(f"{op}: index {bad} is out of bounds for dim {dim} with size {n}")


def _positions(op: str, x: Tensor, dim: int, index: Any) -> tuple[int, tuple]:
    """(dim, the numpy index of the elements gather reads and scatter writes): along `dim` the
    values of `index`, along every other axis the index element's own position."""
    if x.ndim == 0:
        raise ValueError(f"{op}: needs a tensor with at least one dim, got shape ()")
    d = _dim(op, dim, x.shape)
    idx = _int_array(op, index)
    if idx.ndim != x.ndim:
        raise ValueError(f"{op}: index of shape {idx.shape} needs as many dims as the input of "
                         f"shape {x.shape}")
    for k, (m, n) in enumerate(zip(idx.shape, x.shape)):
        if k != d and m > n:
            raise ValueError(f"{op}: index of shape {idx.shape} is larger than the input of shape "
                             f"{x.shape} in dim {k} (only dim {d} may be larger)")
    _check_bounds(op, idx, x.shape[d], d)
    grid: list = list(np.indices(idx.shape, sparse=True))
    grid[d] = idx
    return d, tuple(grid)


def _source(op: str, x: Tensor, src: Any, index_shape: tuple[int, ...]) -> Any:
    """The part of src that a scatter writes: its leading index_shape block (PyTorch's rule)."""
    if not isinstance(src, Tensor):
        return src
    if src.ndim != x.ndim or any(s < m for s, m in zip(src.shape, index_shape)):
        raise ValueError(f"{op}: src of shape {src.shape} must have the dims of the input "
                         f"{x.shape} and be at least as large as the index {index_shape}")
    if src.dtype != x.dtype:
        raise TypeError(f"{op}: src has dtype {src.dtype}, the input {x.dtype}")
    if src.shape == index_shape:
        return src
    return GetItem.apply(src, tuple(slice(0, m) for m in index_shape))


@tensor_method("gather")
def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    """out[i][j][k] = x[index[i][j][k]][j][k] for dim=0 (and so on for other dims): picks along
    `dim`. index has x's number of dims and is no larger than x except along dim; out has
    index's shape. The gradient adds dout back at the picked positions."""
    _, pos = _positions("gather", x, dim, index)
    return GetItem.apply(x, pos)


@tensor_method("scatter")
def scatter(x: Tensor, dim: int, index: Any, src: Any = None, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """x with values written along `dim`: out[index[i][j]][j] = src[i][j] for dim=0 (src a
    Tensor at least as large as index, or a number, also given as value=). Gradients: x gets
    dout where nothing was written, src gets dout at the positions it was written to.
    reduce='add' / 'multiply' (deprecated in PyTorch, still accepted) is scatter_reduce's
    'sum' / 'prod' with x's own values included."""
    if (src is None) == (value is None):
        raise TypeError("scatter: give exactly one of src (a Tensor or number) and value")
    if reduce is not None:   # PyTorch's older spelling of scatter_reduce with include_self
        how = {"add": "sum", "multiply": "prod"}.get(reduce)
        if how is None:
            raise ValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
        if isinstance(src, Tensor):
            warnings.warn("scatter: reduce= with a Tensor src is deprecated in PyTorch; use "
                          "scatter_reduce", UserWarning, stacklevel=2)
        else:
            number = value if src is None else src
            idx = index._data if isinstance(index, Tensor) else np.asarray(index)
            src = Tensor(np.full(idx.shape, number, x.dtype))
        return scatter_reduce(x, dim, index, src, how)
    d, pos = _positions("scatter", x, dim, index)
    part = _source("scatter", x, value if src is None else src, pos[d].shape)
    return Scatter.apply(x, pos, part)


@tensor_method("scatter_add")
def scatter_add(x: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    """x plus src added along `dim`: out[index[i][j]][j] += src[i][j] for dim=0, repeats
    accumulating."""
    d, pos = _positions("scatter_add", x, dim, index)
    part = _source("scatter_add", x, src, pos[d].shape)
    return x + ScatterAdd.apply(part, pos, x.shape)


_REDUCTIONS = ("sum", "mean", "amax", "amin", "prod")


@tensor_method("scatter_reduce")
def scatter_reduce(x: Tensor, dim: int, index: Any, src: Tensor, reduce: str,
                   include_self: bool = True) -> Tensor:
    """Reduce src's values into x along `dim` (as scatter_add, with reduce one of "sum",
    "mean", "amax", "amin"; "prod" for tensors that need no gradient). With include_self=False
    a position that is written to forgets x's value first. amax/amin share the gradient
    equally among tied values (x's own included), as PyTorch."""
    if reduce not in _REDUCTIONS:
        raise ValueError(f"scatter_reduce: reduce must be one of {_REDUCTIONS}, got {reduce!r}")
    d, pos = _positions("scatter_reduce", x, dim, index)
    part = _source("scatter_reduce", x, src, pos[d].shape)
    written = np.zeros(x.shape, bool)
    written[pos] = True
    if reduce == "prod" or x.dtype.kind != "f":
        if reduce == "prod" and (x.requires_grad or part.requires_grad):
            raise NotImplementedError("scatter_reduce: reduce='prod' has no gradient here; "
                                      "use it on tensors that do not require grad")
        return Tensor(_numpy_scatter_reduce(x._data, pos, part._data, reduce, include_self, written))
    base = x if include_self else where(written, 0.0, x)
    if reduce == "sum":
        return base + ScatterAdd.apply(part, pos, x.shape)
    if reduce == "mean":
        count = np.zeros(x.shape, x.dtype)
        np.add.at(count, pos, 1)
        return (base + ScatterAdd.apply(part, pos, x.shape)) / np.maximum(count + include_self, 1)
    # the tie masks are numpy work on data: through numpy_call, so a compiled step recomputes them
    out = numpy_call(_numpy_scatter_reduce, x._data, pos, part._data, reduce, include_self, written)
    self_tie = numpy_call(_self_ties, x._data, out, include_self, written)
    src_tie = numpy_call(_src_ties, part._data, out, pos)
    ties = numpy_call(_tie_counts, self_tie, src_tie, pos, x.dtype)
    # every tied value gets dout / ties; out is the sum of the tied values / ties
    return (where(self_tie, x / ties, 0.0) +
            ScatterAdd.apply(where(src_tie, part / numpy_call(_at, ties, pos), 0.0), pos, x.shape))


def _self_ties(x: np.ndarray, out: np.ndarray, include_self: bool, written: np.ndarray) -> np.ndarray:
    return (x == out) & (include_self | ~written)


def _src_ties(src: np.ndarray, out: np.ndarray, pos: tuple) -> np.ndarray:
    return src == out[pos]


def _tie_counts(self_tie: np.ndarray, src_tie: np.ndarray, pos: tuple, dtype: np.dtype) -> np.ndarray:
    ties = self_tie.astype(dtype)
    np.add.at(ties, pos, src_tie)
    return ties


def _at(a: np.ndarray, pos: tuple) -> np.ndarray:
    return a[pos]


def _numpy_scatter_reduce(x: np.ndarray, pos: tuple, src: np.ndarray, reduce: str,
                          include_self: bool, written: np.ndarray) -> np.ndarray:
    ufunc = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
             "amin": np.minimum}[reduce]
    out = x.copy()
    if not include_self:
        out[written] = ufunc.identity if ufunc.identity is not None else _extreme(x.dtype, reduce)
    ufunc.at(out, pos, src)
    if reduce == "mean":
        count = np.zeros(x.shape, np.int64)
        np.add.at(count, pos, 1)
        count = np.maximum(count + include_self, 1)
        out = out // count if x.dtype.kind in "iub" else out / count
    return out.astype(x.dtype, copy=False)


def _extreme(dtype: np.dtype, reduce: str) -> Any:
    """The identity of max (the lowest value) or min (the highest) for dtype."""
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    return info.min if reduce == "amax" else info.max


@tensor_method("index_select")
def index_select(x: Tensor, dim: int, index: Any) -> Tensor:
    """The entries `index` (a 1-D integer tensor) along `dim`: x.index_select(0, i) == x[i]."""
    d = _dim("index_select", dim, x.shape)
    idx = _int_array("index_select", index)
    if idx.ndim > 1:
        raise ValueError(f"index_select: index must be 1-D, got shape {idx.shape}")
    if x.ndim == 0:
        x = x.reshape(1)
    _check_bounds("index_select", idx, x.shape[d], d)
    return GetItem.apply(x, (slice(None),) * d + (idx.reshape(-1),))


@tensor_method("masked_fill")
def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """x with `value` (a number or a 0-d Tensor, which then gets the gradient of the filled
    places) where the boolean `mask` (broadcast to x's shape) is True."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"masked_fill: mask must be boolean, got dtype {m.dtype}")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape "
                         f"{value.shape}")
    try:
        shape = np.broadcast_shapes(m.shape, x.shape)
    except ValueError:
        shape = None
    if shape != x.shape:
        raise ValueError(f"masked_fill: mask of shape {m.shape} does not broadcast to the input's "
                         f"shape {x.shape}")
    return where(m, value, x)


@tensor_method("masked_select")
def masked_select(x: Tensor, mask: Any) -> Tensor:
    """The elements of x where the boolean `mask` is True (x and mask broadcast), as a 1-D
    tensor."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"masked_select: mask must be boolean, got dtype {m.dtype}")
    try:
        shape = np.broadcast_shapes(m.shape, x.shape)
    except ValueError:
        raise ValueError(f"masked_select: cannot broadcast the mask's shape {m.shape} and the "
                         f"input's shape {x.shape}") from None
    return GetItem.apply(x.expand(*shape), np.broadcast_to(m, shape))


@tensor_method("take")
def take(x: Tensor, index: Any) -> Tensor:
    """x as a flat 1-D tensor, indexed by `index` (negative counts from the end): the result
    has index's shape."""
    idx = _int_array("take", index)
    _check_bounds("take", idx, x.numel(), 0, negative=True)
    return GetItem.apply(x.reshape(-1), idx)


@tensor_method("take_along_dim")
def take_along_dim(x: Tensor, indices: Any, dim: int | None = None) -> Tensor:
    """numpy's take_along_axis with broadcasting: gather along `dim` after x and indices are
    broadcast against each other in every other dim; with dim=None both are flattened first."""
    idx = _int_array("take_along_dim", indices)
    if dim is None:
        return gather(x.reshape(-1), 0, idx.reshape(-1))
    d = _dim("take_along_dim", dim, x.shape)
    if idx.ndim != x.ndim:
        raise ValueError(f"take_along_dim: indices of shape {idx.shape} need as many dims as the "
                         f"input of shape {x.shape}")
    try:
        shape = np.broadcast_shapes(x.shape[:d] + (1,) + x.shape[d + 1:],
                                    idx.shape[:d] + (1,) + idx.shape[d + 1:])
    except ValueError:
        raise ValueError(f"take_along_dim: the input of shape {x.shape} and indices of shape "
                         f"{idx.shape} do not broadcast outside dim {d}") from None
    x = x.expand(*shape[:d], x.shape[d], *shape[d + 1:])
    return gather(x, d, np.broadcast_to(idx, shape[:d] + (idx.shape[d],) + shape[d + 1:]))


def _index_along(op: str, x: Tensor, dim: int, index: Any) -> tuple[int, np.ndarray]:
    """(dim, index) for the index_* ops: a 0-d or 1-d integer index into x's axis `dim`."""
    d = _dim(op, dim, x.shape)
    idx = _int_array(op, index)
    if idx.ndim > 1:
        raise ValueError(f"{op}: index must be 0-d or 1-d, got shape {idx.shape}")
    _check_bounds(op, idx, x.shape[d] if x.ndim else 1, d, negative=True)
    return d, idx.reshape(-1)


def _spread(op: str, x: Tensor, d: int, idx: np.ndarray, source: Any) -> tuple[Tensor, np.ndarray]:
    """source checked against x (same shape but len(index) along dim), and the index expanded to
    source's shape: what scatter and scatter_add take."""
    src = source if isinstance(source, Tensor) else Tensor(np.asarray(source))
    if x.ndim == 0:
        expected: tuple[int, ...] = ()
    else:
        expected = x.shape[:d] + (len(idx),) + x.shape[d + 1:]
    if src.shape != expected:
        raise ValueError(f"{op}: source of shape {src.shape} must have the input's shape {x.shape} "
                         f"with {len(idx)} (the index length) in dim {d}")
    if src.dtype != x.dtype:
        raise TypeError(f"{op}: source has dtype {src.dtype}, the input {x.dtype} (they must match)")
    if x.ndim == 0:
        return src.reshape(1), idx
    shape = [1] * x.ndim
    shape[d] = len(idx)
    return src, np.broadcast_to((idx % x.shape[d]).reshape(shape), expected)


@tensor_method("index_add")
def index_add(x: Tensor, dim: int, index: Any, source: Any, alpha: Any = 1) -> Tensor:
    """x with alpha · source[..., i, ...] added to x[..., index[i], ...] along `dim` (repeats in
    index accumulate): a scatter_add, so x and source both get gradients.

    >>> Tensor([1.0, 2.0]).index_add(0, tensor([0, 0]), Tensor([1.0, 1.0]))   # Tensor([3. 2.])"""
    d, idx = _index_along("index_add", x, dim, index)
    src, spread = _spread("index_add", x, d, idx, source)
    if alpha != 1:
        src = src * alpha
    if x.ndim == 0:
        return x + src.sum()
    return x.scatter_add(d, spread, src)


@tensor_method("index_copy")
def index_copy(x: Tensor, dim: int, index: Any, source: Any) -> Tensor:
    """x with x[..., index[i], ...] = source[..., i, ...] along `dim` (a scatter: source gets the
    gradient of the places it wrote, x of the rest). A repeated index writes one of its values."""
    d, idx = _index_along("index_copy", x, dim, index)
    src, spread = _spread("index_copy", x, d, idx, source)
    if x.ndim == 0:
        return src.reshape(())
    return x.scatter(d, spread, src)


@tensor_method("index_fill")
def index_fill(x: Tensor, dim: int, index: Any, value: Any) -> Tensor:
    """x with `value` (a number or a 0-d tensor) at x[..., index[i], ...] along `dim`; those places get
    no gradient. Tensor([1.0, 2.0, 3.0]).index_fill(0, tensor([1]), 0.0) is Tensor([1. 0. 3.])."""
    d, idx = _index_along("index_fill", x, dim, index)
    mask = np.zeros(x.shape[d] if x.ndim else 1, bool)
    mask[idx] = True
    shape = [1] * x.ndim
    if x.ndim:
        shape[d] = x.shape[d]
    return x.masked_fill(mask.reshape(shape), value)
