"""Catalogue rows for reductions with indices, math, rounding, comparison and activations, and
for sorting and selection."""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from ..strategies import (away_from, away_from_zero, bounded, broadcastable_shapes, broadcastable_tensors,
                          positive, shapes, spaced, tensors)
from .core import (binary, KINK_FREE, NO_TIES, NOT_DIFFERENTIABLE, OFF_GRID, OpCase, OPS, _sigmoid, SMALL,
                   unary, with_axis)


@st.composite
def _with_dim(draw: Any, elements: Any = None, unique: bool = False, min_dims: int = 1) -> tuple:
    """(tensor, dim, keepdim) with one int dim (maybe negative), for max(dim) and friends."""
    shape = draw(shapes(min_dims=min_dims, max_dims=3, max_side=3))
    x = draw(tensors(shape, elements=elements, unique=unique))
    return x, draw(st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1)), draw(st.booleans())


def _np_pick_along(pick: Callable, x: np.ndarray, dim: int, keepdim: bool) -> np.ndarray:
    if x.ndim == 0:
        return x
    out = np.take_along_axis(x, pick(x, axis=dim, keepdims=True), axis=dim)
    return out if keepdim else np.squeeze(out, axis=dim)


MATH_OPS: list[OpCase] = [
    OpCase("max", lambda x: x.max(), np.max, (tensors(SMALL, elements=NO_TIES, unique=True),),
           variant="all"),
    OpCase("max", lambda x, d, k: x.max(d, k).values,
           lambda x, d, k: _np_pick_along(np.argmax, x, d, k), (_with_dim(NO_TIES, unique=True),),
           variant="dim, values"),
    OpCase("min", lambda x: x.min(), np.min, (tensors(SMALL, elements=NO_TIES, unique=True),),
           variant="all"),
    OpCase("min", lambda x, d, k: x.min(d, k).values,
           lambda x, d, k: _np_pick_along(np.argmin, x, d, k), (_with_dim(NO_TIES, unique=True),),
           variant="dim, values"),
]


@st.composite
def _prelu_args(draw: Any) -> tuple:
    """(x (N, C, ...), weight (C,) or (1,))."""
    shape = draw(shapes(min_dims=2, max_dims=3, max_side=3))
    x = draw(tensors(shape, elements=KINK_FREE))
    return x, draw(tensors((draw(st.sampled_from([1, shape[1]])),)))


@st.composite
def _glu_args(draw: Any) -> tuple:
    shape = list(draw(shapes(min_dims=1, max_dims=3, max_side=3)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    shape[axis] *= 2
    return draw(tensors(tuple(shape))), axis


def _np_glu(x: np.ndarray, axis: int) -> np.ndarray:
    a, b = np.split(x, 2, axis=axis)
    return a * _sigmoid(b)


_np_erf = np.vectorize(math.erf, otypes=[np.float64])
_np_erfc = np.vectorize(math.erfc, otypes=[np.float64])
DIVISORS = st.sampled_from([-1.5, -0.75, 0.75, 1.5])   # OFF_GRID / these is never an integer
_SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)


def _np_hardswish(x: np.ndarray) -> np.ndarray:
    return x * np.clip(x + 3, 0, 6) / 6


MATH_OPS += [
    # more elementwise math
    OpCase("log2", lambda x: x.log2(), np.log2, unary(positive())),
    OpCase("log10", lambda x: x.log10(), np.log10, unary(positive())),
    OpCase("log1p", lambda x: x.log1p(), np.log1p, unary(bounded(-0.5, 3))),
    OpCase("expm1", lambda x: x.expm1(), np.expm1, unary()),
    OpCase("exp2", lambda x: x.exp2(), np.exp2, unary()),
    OpCase("sinh", lambda x: x.sinh(), np.sinh, unary()),
    OpCase("cosh", lambda x: x.cosh(), np.cosh, unary()),
    OpCase("tan", lambda x: x.tan(), np.tan, unary(bounded(-1.2, 1.2))),
    OpCase("asin", lambda x: x.asin(), np.arcsin, unary(bounded(-0.9, 0.9))),
    OpCase("acos", lambda x: x.acos(), np.arccos, unary(bounded(-0.9, 0.9))),
    OpCase("atan", lambda x: x.atan(), np.arctan, unary()),
    OpCase("asinh", lambda x: x.asinh(), np.arcsinh, unary()),
    OpCase("acosh", lambda x: x.acosh(), np.arccosh, unary(bounded(1.25, 4))),   # 0.9 x stays > 1
    OpCase("atanh", lambda x: x.atanh(), np.arctanh, unary(bounded(-0.9, 0.9))),
    OpCase("atan2", lambda y, x: y.atan2(x), np.arctan2, binary(away_from_zero(0.5), away_from_zero(0.5))),
    OpCase("erf", lambda x: x.erf(), _np_erf, unary()),
    OpCase("erfc", lambda x: x.erfc(), _np_erfc, unary()),
    OpCase("square", lambda x: x.square(), np.square, unary()),
    OpCase("reciprocal", lambda x: x.reciprocal(), np.reciprocal, unary(away_from_zero(0.5))),
    OpCase("rsqrt", lambda x: x.rsqrt(), lambda x: 1 / np.sqrt(x), unary(positive())),
    OpCase("lerp", lambda a, b, w: a.lerp(b, w), lambda a, b, w: a + w * (b - a),
           (broadcastable_tensors(3, max_dims=3),)),
    OpCase("hypot", lambda a, b: a.hypot(b), np.hypot, binary(away_from_zero(0.5), away_from_zero(0.5))),
    OpCase("xlogy", lambda a, b: a.xlogy(b), lambda a, b: a * np.log(b), binary(None, positive())),
    # rounding: piecewise constant, checked away from the jumps (OFF_GRID is k/4 + 1/8)
    OpCase("floor", lambda x: x.floor(), np.floor, unary(OFF_GRID)),
    OpCase("ceil", lambda x: x.ceil(), np.ceil, unary(OFF_GRID)),
    OpCase("round", lambda x: x.round(), np.round, unary(OFF_GRID)),
    OpCase("trunc", lambda x: x.trunc(), np.trunc, unary(OFF_GRID)),
    OpCase("sign", lambda x: x.sign(), np.sign, unary(KINK_FREE)),
    OpCase("frac", lambda x: x.frac(), lambda x: x - np.trunc(x), unary(OFF_GRID)),
    OpCase("floor_divide", lambda a, b: a.floor_divide(b), np.floor_divide, binary(OFF_GRID, DIVISORS)),
    OpCase("__floordiv__", lambda a, b: a // b, np.floor_divide, binary(OFF_GRID, DIVISORS)),
    OpCase("remainder", lambda a, b: a.remainder(b), np.remainder, binary(OFF_GRID, DIVISORS)),
    OpCase("__mod__", lambda a, b: a % b, np.remainder, binary(OFF_GRID, DIVISORS)),
    OpCase("fmod", lambda a, b: a.fmod(b), np.fmod, binary(OFF_GRID, DIVISORS)),
    OpCase("div", lambda a, b: a.div(b, rounding_mode="trunc"), lambda a, b: np.trunc(a / b),
           binary(OFF_GRID, DIVISORS), variant="rounding_mode=trunc"),
    # activations (compositions; domains away from their kinks)
    OpCase("gelu", lambda x: x.gelu(), lambda x: x * (1 + _np_erf(x / np.sqrt(2))) / 2, unary()),
    OpCase("gelu", lambda x: x.gelu("tanh"),
           lambda x: x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))) / 2, unary(),
           variant="tanh"),
    OpCase("silu", lambda x: x.silu(), lambda x: x * _sigmoid(x), unary()),
    OpCase("elu", lambda x: x.elu(0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(np.minimum(x, 0))),
           unary(KINK_FREE)),
    OpCase("celu", lambda x: x.celu(0.7),
           lambda x: np.where(x > 0, x, 0.7 * np.expm1(np.minimum(x, 0) / 0.7)),
           unary(KINK_FREE)),
    OpCase("selu", lambda x: x.selu(),
           lambda x: _SELU[1] * np.where(x > 0, x, _SELU[0] * np.expm1(np.minimum(x, 0))), unary(KINK_FREE)),
    OpCase("mish", lambda x: x.mish(), lambda x: x * np.tanh(np.logaddexp(0, x)), unary()),
    OpCase("hardtanh", lambda x: x.hardtanh(), lambda x: np.clip(x, -1, 1), unary(away_from([-1.0, 1.0]))),
    OpCase("relu6", lambda x: x.relu6(), lambda x: np.clip(x, 0, 6),
           unary(away_from([0.0, 6.0], low=-2, high=8))),
    OpCase("hardsigmoid", lambda x: x.hardsigmoid(), lambda x: np.clip(x + 3, 0, 6) / 6,
           unary(away_from([-3.0, 3.0], low=-5, high=5))),
    OpCase("hardswish", lambda x: x.hardswish(), _np_hardswish,
           unary(away_from([-3.0, 3.0], low=-5, high=5))),
    OpCase("softsign", lambda x: x.softsign(), lambda x: x / (1 + np.abs(x)), unary(KINK_FREE)),
    OpCase("logsigmoid", lambda x: x.logsigmoid(), lambda x: -np.logaddexp(0, -x), unary(bounded(-8, 8))),
    OpCase("tanhshrink", lambda x: x.tanhshrink(), lambda x: x - np.tanh(x), unary()),
    OpCase("softshrink", lambda x: x.softshrink(),
           lambda x: np.where(np.abs(x) > 0.5, x - 0.5 * np.sign(x), 0),
           unary(away_from([-0.5, 0.5]))),
    OpCase("hardshrink", lambda x: x.hardshrink(), lambda x: np.where(np.abs(x) > 0.5, x, 0),
           unary(away_from([-0.5, 0.5]))),
    OpCase("threshold", lambda x: x.threshold(0.1, 20.0), lambda x: np.where(x > 0.1, x, 20.0),
           unary(away_from([0.1]))),
    OpCase("prelu", lambda x, w: x.prelu(w),
           lambda x, w: np.where(x > 0, x, (w if w.size == 1 else w.reshape(-1, *[1] * (x.ndim - 2))) * x),
           (_prelu_args(),)),
    OpCase("glu", lambda x, ax: x.glu(ax), _np_glu, (_glu_args(),)),
]
OPS.extend(MATH_OPS)

# comparison, logic and counting: plain tensors outside the graph (ops/compare.py)
NOT_DIFFERENTIABLE.update({
    "eq", "ne", "lt", "le", "gt", "ge", "isclose", "allclose", "isnan", "isinf", "isfinite",
    "logical_and", "logical_or", "logical_xor", "logical_not", "count_nonzero", "nonzero",
})


@st.composite
def _with_optional_dim(draw: Any, elements: Any = None, unique: bool = False) -> tuple:
    """(tensor, dim or None, keepdim) for prod and norm."""
    x, dim, keepdim = draw(_with_dim(elements, unique))
    return x, draw(st.one_of(st.none(), st.just(dim))), keepdim


@st.composite
def _topk_args(draw: Any) -> tuple:
    x, dim, _ = draw(_with_dim(NO_TIES, unique=True))
    return x, draw(st.integers(1, x.shape[dim])), dim


@st.composite
def _clamp_tensors(draw: Any) -> tuple:
    """x, lo, hi on disjoint grids (no ties), broadcasting together."""
    sx, slo, shi = draw(broadcastable_shapes(3, max_dims=2, max_side=3))
    return (draw(tensors(sx, elements=NO_TIES)), draw(tensors(slo, elements=OFF_GRID.map(lambda v: v - 1))),
            draw(tensors(shi, elements=OFF_GRID.map(lambda v: v + 1.0625))))   # never equal to lo


def _np_median_lower(x: np.ndarray) -> np.ndarray:
    return np.sort(x, axis=None)[(x.size - 1) // 2]


def _np_prod(x: np.ndarray, dim: Any, keepdim: bool) -> np.ndarray:
    return np.prod(x, axis=dim, keepdims=keepdim) if dim is not None and x.ndim else \
        np.prod(x).reshape((1,) * x.ndim if keepdim else ())


SORT_OPS: list[OpCase] = [
    # out / x in the gradient: keep x away from 0, where the "with zeros" row takes over
    OpCase("prod", lambda x, d, k: x.prod(d, k), _np_prod, (_with_optional_dim(away_from_zero(0.25)),)),
    OpCase("prod", lambda x, d, k: x.prod(d, k), _np_prod,
           (_with_optional_dim(st.sampled_from([0.0, 0.5, -1.5, 2.0])),), variant="with zeros"),
    OpCase("norm", lambda x, d, k: x.norm(2, d, k), lambda x, d, k: np.sqrt(np.sum(x * x, d, keepdims=k)),
           (_with_optional_dim(KINK_FREE),)),
    OpCase("norm", lambda x, d, k: x.norm(1, d, k), lambda x, d, k: np.sum(np.abs(x), d, keepdims=k),
           (_with_optional_dim(KINK_FREE),), variant="p=1"),
    OpCase("norm", lambda x, d, k: x.norm(float("inf"), d, k),
           lambda x, d, k: np.max(np.abs(x), d, keepdims=k),
           (_with_optional_dim(spaced(0.25, 3, 0.25), unique=True),), variant="p=inf"),
    OpCase("norm", lambda x, d, k: x.norm(3, d, k),
           lambda x, d, k: np.sum(np.abs(x) ** 3, d, keepdims=k) ** (1 / 3),
           (_with_optional_dim(KINK_FREE),), variant="p=3"),
    OpCase("dist", lambda a, b: a.dist(b), lambda a, b: np.sqrt(np.sum((a - b) ** 2)),
           binary(NO_TIES, OFF_GRID)),
    OpCase("var_mean", lambda x, ax, kd: x.var_mean(ax, kd)[0],
           lambda x, ax, kd: np.var(x, ax, keepdims=kd, ddof=1), (with_axis(min_side=2),)),
    OpCase("std_mean", lambda x, ax, kd: x.std_mean(ax, kd)[0] + x.std_mean(ax, kd)[1],
           lambda x, ax, kd: np.std(x, ax, keepdims=kd, ddof=1) + np.mean(x, ax, keepdims=kd),
           (with_axis(NO_TIES, min_side=2, unique=True),)),
    OpCase("median", lambda x: x.median(), _np_median_lower,
           (tensors(SMALL, elements=NO_TIES, unique=True),)),
    OpCase("median", lambda x, d, k: x.median(d, k).values,
           lambda x, d, k: np.take(np.sort(x, d), [(x.shape[d] - 1) // 2], d) if k else
           np.take(np.sort(x, d), (x.shape[d] - 1) // 2, d), (_with_dim(NO_TIES, unique=True),),
           variant="dim"),
    OpCase("sort", lambda x, d, k: x.sort(d, descending=k).values,
           lambda x, d, k: np.flip(np.sort(x, d), d) if k else np.sort(x, d),
           (_with_dim(NO_TIES, unique=True),)),
    OpCase("topk", lambda x, k, d: x.topk(k, d).values,
           lambda x, k, d: np.take(np.flip(np.sort(x, d), d), np.arange(k), d), (_topk_args(),)),
    OpCase("kthvalue", lambda x, k, d: x.kthvalue(k, d).values,
           lambda x, k, d: np.take(np.sort(x, d), k - 1, d), (_topk_args(),)),
    OpCase("mode", lambda x, d, k: x.mode(d, k).values,
           lambda x, d, k: np.min(x, d, keepdims=k), (_with_dim(NO_TIES, unique=True),)),
    OpCase("clip", lambda x, lo, hi: x.clip(lo, hi), np.clip, (_clamp_tensors(),), variant="tensor bounds"),
]
SORT_OPS += [
    OpCase("fmax", lambda a, b: a.fmax(b), np.fmax, binary(NO_TIES, OFF_GRID)),
    OpCase("fmin", lambda a, b: a.fmin(b), np.fmin, binary(NO_TIES, OFF_GRID)),
]
OPS.extend(SORT_OPS)
NOT_DIFFERENTIABLE.update({"argsort", "unique", "bincount"})
