"""Comparison and logic: eq/ne/lt/le/gt/ge by name, isclose/allclose, isnan/isinf/isfinite,
logical_and/or/not/xor, any/all over axes, count_nonzero and nonzero.

None of these is differentiable: each returns a plain tensor (bool, or int64 for counts and
indices) outside the graph, as PyTorch's do."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Axis, Tensor, _raw
from .reduce import _reduce_axes
from .register import tensor_method


@tensor_method("eq")
def eq(x: Tensor, y: Any) -> Tensor:
    """x == y elementwise (bool)."""
    return x == y


@tensor_method("ne")
def ne(x: Tensor, y: Any) -> Tensor:
    """x != y elementwise (bool)."""
    return x != y


@tensor_method("lt")
def lt(x: Tensor, y: Any) -> Tensor:
    """x < y elementwise (bool)."""
    return x < y


@tensor_method("le")
def le(x: Tensor, y: Any) -> Tensor:
    """x <= y elementwise (bool)."""
    return x <= y


@tensor_method("gt")
def gt(x: Tensor, y: Any) -> Tensor:
    """x > y elementwise (bool)."""
    return x > y


@tensor_method("ge")
def ge(x: Tensor, y: Any) -> Tensor:
    """x >= y elementwise (bool)."""
    return x >= y


@tensor_method("isclose")
def isclose(x: Tensor, y: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    """|x - y| <= atol + rtol * |y| elementwise (bool), PyTorch's defaults."""
    return Tensor(np.isclose(x._data, _raw(y), rtol=rtol, atol=atol, equal_nan=equal_nan))


@tensor_method("allclose")
def allclose(x: Tensor, y: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
    """True if isclose holds everywhere (a Python bool, as PyTorch's allclose)."""
    return bool(np.allclose(x._data, _raw(y), rtol=rtol, atol=atol, equal_nan=equal_nan))


@tensor_method("isnan")
def isnan(x: Tensor) -> Tensor:
    """Where x is nan (bool)."""
    return Tensor(np.isnan(x._data))


@tensor_method("isinf")
def isinf(x: Tensor) -> Tensor:
    """Where x is +inf or -inf (bool)."""
    return Tensor(np.isinf(x._data))


@tensor_method("isfinite")
def isfinite(x: Tensor) -> Tensor:
    """Where x is neither nan nor infinite (bool)."""
    return Tensor(np.isfinite(x._data))


@tensor_method("logical_and")
def logical_and(x: Tensor, y: Any) -> Tensor:
    """x and y elementwise, nonzero meaning true (bool)."""
    return Tensor(np.logical_and(x._data, _raw(y)))


@tensor_method("logical_or")
def logical_or(x: Tensor, y: Any) -> Tensor:
    """x or y elementwise, nonzero meaning true (bool)."""
    return Tensor(np.logical_or(x._data, _raw(y)))


@tensor_method("logical_xor")
def logical_xor(x: Tensor, y: Any) -> Tensor:
    """Exactly one of x and y nonzero, elementwise (bool)."""
    return Tensor(np.logical_xor(x._data, _raw(y)))


@tensor_method("logical_not")
def logical_not(x: Tensor) -> Tensor:
    """Where x is zero (bool)."""
    return Tensor(np.logical_not(x._data))


@tensor_method("any")
def any_(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Whether any element over `axis` is nonzero: a bool tensor (0-d for all axes), as PyTorch;
    `if t.any():` still works, through the tensor's truth value."""
    return Tensor(np.any(x._data, axis=_reduce_axes(axis, x.ndim), keepdims=keepdims))


@tensor_method("all")
def all_(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Whether every element over `axis` is nonzero: a bool tensor (0-d for all axes)."""
    return Tensor(np.all(x._data, axis=_reduce_axes(axis, x.ndim), keepdims=keepdims))


@tensor_method("count_nonzero")
def count_nonzero(x: Tensor, axis: Axis = None) -> Tensor:
    """The number of nonzero elements over `axis` (int64)."""
    return Tensor(np.asarray(np.count_nonzero(x._data, axis=_reduce_axes(axis, x.ndim)), np.int64))


@tensor_method("nonzero")
def nonzero(x: Tensor, as_tuple: bool = False) -> Any:
    """Indices of the nonzero elements: an (n, ndim) int64 tensor as PyTorch, or with
    as_tuple=True one index tensor per axis (numpy's nonzero)."""
    data = x._data if x.ndim else x._data.reshape(1)
    index = np.nonzero(data)
    if as_tuple:
        return tuple(Tensor(i.astype(np.int64, copy=False)) for i in index)
    out = np.stack(index, axis=1) if x.ndim else np.zeros((len(index[0]), 0), np.int64)
    return Tensor(out.astype(np.int64, copy=False))


@tensor_method("equal")
def equal(x: Tensor, y: Any) -> bool:
    """True if x and y have the same shape and the same values (a Python bool, as PyTorch;
    nan is never equal). Different dtypes compare by value: equal(int [1], float [1.0]) is True."""
    other = _raw(y)
    other = np.asarray(other)
    return bool(x.shape == other.shape and np.array_equal(x._data, other))


@tensor_method("argwhere")
def argwhere(x: Tensor) -> Tensor:
    """The indices of the nonzero elements, one row each: (n, ndim) int64 (nonzero(x)).
    tensor([[0, 1], [2, 0]]).argwhere() is [[0, 1], [1, 0]]."""
    return nonzero(x)
