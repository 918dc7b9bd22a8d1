"""Catalogue rows for the PyTorch names scripts use: erfinv (a primitive) and compositions
(quantile, cov, index_add, addmm, tensordot, the stacks ...), checked under their PyTorch names. The
in-place variants (ops/inplace.py) are never recorded, so they are listed as not differentiable."""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from ...ops import where
from ..._tensor import Tensor
from ..strategies import (arrays, away_from, away_from_zero, bounded, broadcastable_tensors, positive,
                          shapes, tensors)
from .core import (binary, NO_TIES, NOT_DIFFERENTIABLE, _numpy_sum_to, OFF_GRID, OpCase, OPS, reshaped,
                   SMALL, unary, with_axis)
from .math import _with_dim


from ...ops import inplace as _inplace  # noqa: E402
from ...ops import joining as _joining  # noqa: E402
from ...ops.linalg import tensordot as _tensordot  # noqa: E402


def _np_erfinv(x: np.ndarray) -> np.ndarray:
    """erfinv by bisection on math.erf: slow, simple and independent of ops/math.py's Newton steps."""
    def one(v: float) -> float:
        low, high = -6.0, 6.0
        for _ in range(200):
            mid = (low + high) / 2
            if math.erf(mid) < v:
                low = mid
            else:
                high = mid
            if high - low < 1e-15:
                break
        return (low + high) / 2
    return np.vectorize(one, otypes=[np.float64])(x)


@st.composite
def _with_nans(draw: Any) -> tuple:
    """(x, mask): nan goes where mask is True (the function puts it there, so x stays checkable)."""
    x = draw(tensors(SMALL))
    return x, draw(arrays(x.shape, np.bool_, elements=st.booleans()))


def _nan_at(x: Any, mask: np.ndarray) -> Any:
    if isinstance(x, Tensor):
        return where(mask, np.full((), np.nan, x.dtype), x)
    return np.where(mask, np.nan, x)


def _np_nansum(x: np.ndarray, mask: np.ndarray, axis: Any = None) -> np.ndarray:
    return np.nansum(_nan_at(x, mask), axis=axis)


@st.composite
def _quantile_args(draw: Any, vector_q: bool) -> tuple:
    x, dim, keepdim = draw(_with_dim(NO_TIES, unique=True))
    dim = draw(st.one_of(st.none(), st.just(dim)))
    q = draw(st.sampled_from([0.0, 0.3, 0.5, 0.8, 1.0]))
    if vector_q:
        q = np.array([0.25, 0.7, 1.0])   # a plain array: passed through, not checked
    return x, q, dim, keepdim


def _np_quantile(method: str, nan: bool = False) -> Callable[..., np.ndarray]:
    def reference(x: np.ndarray, q: Any, dim: Any, keepdim: bool) -> np.ndarray:
        q = q.numpy() if isinstance(q, Tensor) else q
        fn: Any = np.nanquantile if nan else np.quantile
        return fn(x, q, axis=dim, keepdims=keepdim, method=method)
    return reference


@st.composite
def _cov_args(draw: Any) -> tuple:
    shape = draw(st.sampled_from([(4,), (1, 4), (2, 3), (3, 4)]))
    return (draw(tensors(shape)),)


@st.composite
def _addmm_args(draw: Any) -> tuple:
    n, m, p = (draw(st.integers(1, 3)) for _ in range(3))
    x_shape = draw(st.sampled_from([(n, p), (p,), (1, p), (n, 1), ()]))
    return draw(tensors(x_shape)), draw(tensors((n, m))), draw(tensors((m, p)))


@st.composite
def _index_op_args(draw: Any, fill: bool = False) -> tuple:
    """(x, dim, index, source): an index along dim (repeats only for index_add) and a source of x's
    shape with len(index) along dim."""
    x, dim, _ = draw(_with_dim())
    d = dim % x.ndim
    n = x.shape[d]
    index = np.asarray(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4)), np.int64)
    if fill:
        return x, dim, index
    shape = x.shape[:d] + (len(index),) + x.shape[d + 1:]
    return x, dim, index, draw(tensors(shape))


@st.composite
def _unique_index_args(draw: Any) -> tuple:
    x, dim, _ = draw(_with_dim())
    d = dim % x.ndim
    index = np.asarray(draw(st.permutations(range(x.shape[d]))), np.int64)[:draw(st.integers(1, x.shape[d]))]
    shape = x.shape[:d] + (len(index),) + x.shape[d + 1:]
    return x, dim, index, draw(tensors(shape))


def _np_index_add(x: np.ndarray, dim: int, index: np.ndarray, source: np.ndarray) -> np.ndarray:
    out = np.moveaxis(x.copy(), dim, 0)
    np.add.at(out, index, np.moveaxis(source, dim, 0))
    return np.moveaxis(out, 0, dim)


def _np_index_copy(x: np.ndarray, dim: int, index: np.ndarray, source: np.ndarray) -> np.ndarray:
    out = np.moveaxis(x.copy(), dim, 0)
    out[index] = np.moveaxis(source, dim, 0)
    return np.moveaxis(out, 0, dim)


def _np_index_fill(x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    out = np.moveaxis(x.copy(), dim, 0)
    out[index] = -1.5
    return np.moveaxis(out, 0, dim)


@st.composite
def _rot90_args(draw: Any) -> tuple:
    x = draw(tensors(shapes(min_dims=2, max_dims=3, max_side=3)))
    dims = tuple(draw(st.permutations(range(x.ndim))))[:2]
    return x, draw(st.integers(-4, 5)), dims


@st.composite
def _sum_to_size_args(draw: Any) -> tuple:
    x, small = draw(reshaped("sum_to"))
    return x, small


@st.composite
def _stackable(draw: Any, min_dims: int = 0) -> tuple:
    """2-3 tensors of one shape (0-d to 3-d) for hstack, vstack, dstack, column_stack."""
    shape = draw(shapes(min_dims=min_dims, max_dims=3, max_side=3))
    return tuple(draw(tensors(shape)) for _ in range(draw(st.integers(1, 3))))


@st.composite
def _tensordot_args(draw: Any) -> tuple:
    k = draw(st.integers(0, 2))
    free_a = draw(shapes(max_dims=2, max_side=3))
    shared = draw(shapes(min_dims=k, max_dims=k, max_side=3))
    free_b = draw(shapes(max_dims=2, max_side=3))
    return draw(tensors(free_a + shared)), draw(tensors(shared + free_b)), k


def _np_cartesian(*vectors: np.ndarray) -> np.ndarray:
    grids = np.meshgrid(*vectors, indexing="ij")
    return np.stack([g.reshape(-1) for g in grids], axis=1)


TORCH_METHOD_OPS: list[OpCase] = [
    OpCase("erfinv", lambda x: x.erfinv(), _np_erfinv, unary(bounded(-0.95, 0.95))),
    OpCase("clamp_min", lambda x: x.clamp_min(-0.5), lambda x: np.maximum(x, -0.5), unary(away_from([-0.5]))),
    OpCase("clamp_max", lambda x: x.clamp_max(0.5), lambda x: np.minimum(x, 0.5), unary(away_from([0.5]))),
    OpCase("addcmul", lambda x, a, b: x.addcmul(a, b, value=0.5), lambda x, a, b: x + 0.5 * a * b,
           (broadcastable_tensors(3, max_dims=3),)),
    OpCase("addcdiv", lambda x, a, b: x.addcdiv(a, b, value=-2.0), lambda x, a, b: x - 2.0 * a / b,
           (broadcastable_tensors(3, elements=[bounded(), bounded(), away_from_zero(0.5)], max_dims=3),)),
    OpCase("float_power", lambda a, b: a.float_power(b), np.power, binary(positive(0.5, 3), bounded(-2, 2))),
    OpCase("true_divide", lambda a, b: a.true_divide(b), np.divide, binary(None, away_from_zero(0.5))),
    OpCase("nan_to_num", lambda x, m: _nan_at(x, m).nan_to_num(nan=2.5), lambda x, m: np.where(m, 2.5, x),
           (_with_nans(),)),
    OpCase("nansum", lambda x, m: _nan_at(x, m).nansum(), _np_nansum, (_with_nans(),)),
    OpCase("nansum", lambda x, ax, kd: x.nansum(ax, kd), lambda x, ax, kd: np.nansum(x, ax, keepdims=kd),
           (with_axis(),), variant="axis"),
    OpCase("nanmean", lambda x, m: _nan_at(x, m).nanmean(-1),
           lambda x, m: np.nanmean(np.where(m, np.nan, x), -1) if x.ndim else np.where(m, np.nan, x),
           (_with_nans().filter(lambda xm: not np.any(np.all(xm[1], -1))),)),
    OpCase("aminmax", lambda x, d, k: x.aminmax(dim=d, keepdim=k).min * 2 + x.aminmax(dim=d, keepdim=k).max,
           lambda x, d, k: 2 * np.min(x, d, keepdims=k) + np.max(x, d, keepdims=k),
           (_with_dim(NO_TIES, unique=True),)),
    OpCase("quantile", lambda x, q, d, k: x.quantile(q, d, k), _np_quantile("linear"),
           (_quantile_args(False),)),
    OpCase("quantile", lambda x, q, d, k: x.quantile(q, d, k), _np_quantile("linear"),
           (_quantile_args(True),), variant="1-d q"),
    *(OpCase("quantile", lambda x, q, d, k, m=m: x.quantile(q, d, k, interpolation=m), _np_quantile(m),
             (_quantile_args(True),), variant=m) for m in ("lower", "higher", "midpoint", "nearest")),
    OpCase("nanquantile", lambda x, q, d, k: x.nanquantile(q, d, k), _np_quantile("linear", nan=True),
           (_quantile_args(True),)),
    OpCase("cov", lambda x: x.cov(), lambda x: np.cov(x), (_cov_args(),)),
    OpCase("cov", lambda x: x.cov(correction=0, aweights=Tensor(np.arange(1.0, 5.0))),
           lambda x: np.cov(x, ddof=0, aweights=np.arange(1.0, 5.0)),
           (_cov_args().filter(lambda a: a[0].shape[-1] == 4),), variant="aweights"),
    OpCase("corrcoef", lambda x: x.corrcoef(), np.corrcoef,
           (tensors(st.sampled_from([(2, 4), (3, 5)]), elements=NO_TIES, unique=True),)),
    OpCase("addmm", lambda x, a, b: x.addmm(a, b, beta=0.5, alpha=2.0),
           lambda x, a, b: 0.5 * x + 2.0 * (a @ b),
           (_addmm_args(),)),
    OpCase("index_add", lambda x, d, i, s: x.index_add(d, i, s, alpha=2.0),
           lambda x, d, i, s: _np_index_add(x, d % x.ndim, i, 2.0 * s), (_index_op_args(),)),
    OpCase("index_copy", lambda x, d, i, s: x.index_copy(d, i, s),
           lambda x, d, i, s: _np_index_copy(x, d % x.ndim, i, s), (_unique_index_args(),)),
    OpCase("index_fill", lambda x, d, i: x.index_fill(d, i, -1.5),
           lambda x, d, i: _np_index_fill(x, d % x.ndim, i), (_index_op_args(fill=True),)),
    OpCase("rot90", lambda x, k, d: x.rot90(k, d), lambda x, k, d: np.rot90(x, k, d), (_rot90_args(),)),
    OpCase("sum_to_size", lambda x, s: x.sum_to_size(s), _numpy_sum_to, (_sum_to_size_args(),)),
    OpCase("hstack", lambda *t: _joining.hstack(t), lambda *t: np.hstack(t), (_stackable(),)),
    OpCase("vstack", lambda *t: _joining.vstack(t), lambda *t: np.vstack(t), (_stackable(),)),
    OpCase("dstack", lambda *t: _joining.dstack(t), lambda *t: np.dstack(t), (_stackable(),)),
    OpCase("column_stack", lambda *t: _joining.column_stack(t), lambda *t: np.column_stack(t),
           (_stackable(),)),
    OpCase("broadcast_tensors", lambda a, b: _joining.broadcast_tensors(a, b)[0] * 2
           + _joining.broadcast_tensors(a, b)[1], lambda a, b: 2 * a + b, binary()),
    OpCase("cartesian_prod", lambda *t: _joining.cartesian_prod(*t), _np_cartesian,
           (st.lists(tensors(shapes(min_dims=1, max_dims=1, max_side=3)), min_size=2,
                     max_size=3).map(tuple),)),
    OpCase("tensordot", _tensordot, lambda a, b, k: np.tensordot(a, b, k), (_tensordot_args(),)),
    # the last ops tinygrad's op suite found missing: softplus's beta and linear tail, logaddexp,
    # copysign. x and y on disjoint grids, so x == y (where the composites' kinks cancel) is never drawn
    OpCase("softplus", lambda x: x.softplus(beta=2.0), lambda x: np.log1p(np.exp(2 * x)) / 2,
           unary(bounded(-4, 4)), variant="beta=2"),
    OpCase("softplus", lambda x: x.softplus(beta=2.0, threshold=1.0),
           lambda x: np.where(2 * x > 1, x, np.log1p(np.exp(2 * x)) / 2), unary(away_from([0.5])),
           variant="linear tail"),
    OpCase("logaddexp", lambda x, y: x.logaddexp(y), np.logaddexp, binary(NO_TIES, OFF_GRID)),
    OpCase("logaddexp2", lambda x, y: x.logaddexp2(y), np.logaddexp2, binary(NO_TIES, OFF_GRID)),
    OpCase("copysign", lambda x, y: x.copysign(y), np.copysign, binary(away_from_zero(), away_from_zero())),
]
OPS.extend(TORCH_METHOD_OPS)
NOT_DIFFERENTIABLE.update({f"{name}_" for name in (*_inplace.VALUE_OPS, *_inplace.VIEW_OPS)} | {
    "bernoulli_", "exponential_", "random_",              # in-place, never recorded
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift",                                # bool and integer only
    "new_zeros", "new_ones", "new_full", "new_empty", "new_tensor",   # factories
    "stride", "is_contiguous", "element_size", "is_nonzero", "equal", "argwhere", "histc",
    "type_as",                                            # a cast: the astype row covers it
    "isposinf", "isneginf",
})
