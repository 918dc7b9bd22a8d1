"""Sorting and selection: sort, argsort, topk, kthvalue, mode, unique, bincount, searchsorted.

Values are picked out of x by indexing (reduce._along), so their gradient goes to the element
each came from and second order works; indices, counts and unique values are plain tensors.
Ties keep their original order (a stable sort), NaN sorts as the largest value, as PyTorch."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import numpy_call
from .._tensor import Tensor, _axes, _raw
from .reduce import ValuesIndices, _along, _check_not_empty, _sorted_along, index_array
from .register import tensor_method


def _one_axis(x: Tensor, axis: int, op: str) -> int:
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: dim must be an int, got {axis!r}")
    (a,) = _axes(axis, x.ndim)
    return a


def _pick(x: Tensor, idx: np.ndarray, axis: int, keepdims: bool = True) -> ValuesIndices:
    """x's values at idx (keepdims shape) along axis, and idx as an int64 tensor."""
    values = _along(x, idx, axis)
    return ValuesIndices(values if keepdims else values.squeeze(axis),
                         Tensor(numpy_call(index_array, idx, axis, keepdims)))


@tensor_method("sort")
def sort(x: Tensor, axis: int = -1, descending: bool = False, stable: bool = False) -> ValuesIndices:
    """(values, indices) of x sorted along `axis`; the sort is always stable (`stable` is
    accepted for PyTorch's signature)."""
    if x.ndim == 0:
        _axes(axis, 0)
        return ValuesIndices(x[()], Tensor(np.zeros((), np.int64)))
    a = _one_axis(x, axis, "sort")
    return _pick(x, numpy_call(_sorted_along, x._data, a, descending), a)


@tensor_method("argsort")
def argsort(x: Tensor, axis: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort x along `axis` (stable)."""
    if x.ndim == 0:
        _axes(axis, 0)
        return Tensor(np.zeros((), np.int64))
    return Tensor(_sorted_along(x._data, _one_axis(x, axis, "argsort"), descending).astype(np.int64))


@tensor_method("topk")
def topk(x: Tensor, k: int, axis: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:
    """The k largest (or smallest, largest=False) elements along `axis` and their indices,
    in order; of tied elements the first ones win."""
    a = _one_axis(x, axis, "topk") if x.ndim else 0
    n = x.shape[a] if x.ndim else 1
    if not 0 <= k <= n:
        raise ValueError(f"topk: k={k} is out of range for axis {axis} of shape {x.shape}")
    if x.ndim == 0:
        return sort(x)
    idx = numpy_call(_first_k, x._data, a, largest, 0, k)
    return _pick(x, idx, a)


@tensor_method("kthvalue")
def kthvalue(x: Tensor, k: int, axis: int = -1, keepdims: bool = False) -> ValuesIndices:
    """The k-th smallest element (k from 1) along `axis` and its index."""
    if x.ndim == 0:
        if k != 1:
            raise ValueError(f"kthvalue: k={k} is out of range for a 0-d tensor")
        return sort(x, axis)
    a = _one_axis(x, axis, "kthvalue")
    if not 1 <= k <= x.shape[a]:
        raise ValueError(f"kthvalue: k={k} is out of range for axis {axis} of shape {x.shape}")
    idx = numpy_call(_first_k, x._data, a, False, k - 1, k)
    return _pick(x, idx, a, keepdims)


@tensor_method("mode")
def mode(x: Tensor, axis: int = -1, keepdims: bool = False) -> ValuesIndices:
    """The most frequent value along `axis` (the smallest of equally frequent ones) and the
    index of its last occurrence, as PyTorch; the value's gradient goes to that element."""
    if x.ndim == 0:
        return sort(x, axis)
    a = _one_axis(x, axis, "mode")
    _check_not_empty(x, "mode", (a,))
    return _pick(x, numpy_call(_mode_index, x._data, a), a, keepdims)


def _first_k(x: np.ndarray, axis: int, descending: bool, start: int, stop: int) -> np.ndarray:
    """Indices of the sorted positions start..stop-1 along axis (stable)."""
    return np.take(_sorted_along(x, axis, descending), np.arange(start, stop), axis=axis)


def _mode_index(x: np.ndarray, axis: int) -> np.ndarray:
    """Per row along axis, the last index of the smallest most frequent value (keepdims)."""
    moved = np.moveaxis(x, axis, -1)
    rows = moved.reshape(-1, x.shape[axis])   # (others, n)
    best = np.empty(len(rows), np.int64)
    for r, row in enumerate(rows):
        values, counts = np.unique(row, return_counts=True)   # sorted: argmax finds the smallest
        best[r] = np.flatnonzero(row == values[np.argmax(counts)])[-1]
    return np.moveaxis(best.reshape(moved.shape[:-1] + (1,)), -1, axis)


@tensor_method("unique")
def unique(x: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           axis: int | None = None) -> Any:
    """The distinct values (sorted), and optionally the inverse indices (x's shape) and the
    counts, as PyTorch's unique; not differentiable."""
    out: Any = np.unique(x._data, return_inverse=return_inverse,  # type: ignore[call-overload]
                         return_counts=return_counts, axis=axis)
    if not (return_inverse or return_counts):
        return Tensor(out)
    values, *rest = out
    extras = []
    if return_inverse:
        inverse = rest.pop(0)
        extras.append(Tensor(inverse.reshape(x.shape if axis is None else -1).astype(np.int64)))
    if return_counts:
        extras.append(Tensor(rest.pop(0).astype(np.int64)))
    return (Tensor(values), *extras)


@tensor_method("bincount")
def bincount(x: Tensor, weights: Any = None, minlength: int = 0) -> Tensor:
    """Counts of each value 0..max(x) of a 1-d non-negative integer tensor (int64), or the sums
    of `weights` per value (float); not differentiable."""
    if x.ndim != 1 or x.dtype.kind not in "iub":
        raise ValueError(f"bincount: expected a 1-d integer tensor, got shape {x.shape} {x.dtype}")
    w = _raw(weights)
    out = np.bincount(x._data, weights=w, minlength=minlength)
    return Tensor(out if w is not None else out.astype(np.int64))


def searchsorted(sorted_sequence: Any, values: Any, right: bool = False, side: str | None = None) -> Tensor:
    """Indices where `values` would be inserted into `sorted_sequence` (sorted along its last
    axis; leading axes must match values') to keep it sorted; side="right" (or right=True) puts
    equal values after. int64, not differentiable. PyTorch's torch.searchsorted."""
    seq, v = np.asarray(_raw(sorted_sequence)), np.asarray(_raw(values))
    where_side: Any = side or ("right" if right else "left")
    if where_side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    if seq.ndim <= 1:
        return Tensor(np.searchsorted(seq, v, side=where_side).astype(np.int64))
    if seq.shape[:-1] != v.shape[:-1]:
        raise ValueError(f"searchsorted: the leading axes of sorted_sequence {seq.shape} and "
                         f"values {v.shape} must match")
    rows = [np.searchsorted(s, r, side=where_side)
            for s, r in zip(seq.reshape(-1, seq.shape[-1]), v.reshape(-1, v.shape[-1]))]
    return Tensor(np.array(rows, np.int64).reshape(v.shape))


@tensor_method("histc")
def histc(x: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """Counts of x's elements in `bins` equal-width bins over [min, max] (the data's own range when
    min == max), in x's float dtype; elements outside are ignored, the last bin includes max.
    Not differentiable. tensor([1.0, 2.0, 1.0, 4.0]).histc(bins=4, min=0, max=4) is [0, 2, 1, 1]."""
    if x.dtype.kind != "f":
        raise TypeError(f"histc: expected a floating point tensor, got dtype {x.dtype} (PyTorch: "
                        "\"histogram_cpu\" not implemented for an integer dtype)")
    if bins <= 0:
        raise ValueError(f"histc: bins must be > 0, got {bins}")
    if min > max:
        raise ValueError(f"histc: max must be larger than min, got min={min} max={max}")
    low, high = float(min), float(max)
    if low == high and x.numel():
        low, high = float(np.min(x._data)), float(np.max(x._data))
    if low == high:
        low, high = low - 1, high + 1
    data = x._data[np.isfinite(x._data)]
    counts, _ = np.histogram(data, bins=bins, range=(low, high))
    return Tensor(counts.astype(x.dtype))


def bucketize(input: Any, boundaries: Any, out_int32: bool = False, right: bool = False) -> Tensor:
    """For each value, the index of its bucket among the sorted 1-d `boundaries`:
    boundaries[i-1] < v <= boundaries[i] (right=False) or boundaries[i-1] <= v < boundaries[i]
    (right=True); int64 (int32 with out_int32). bucketize([1, 5], [1, 3, 5]) is [0, 2]."""
    b = np.asarray(_raw(boundaries))
    if b.ndim != 1:
        raise ValueError(f"bucketize: boundaries must be a 1-d tensor, got shape {b.shape}")
    v = np.asarray(_raw(input))
    out = np.searchsorted(b, v, side="right" if right else "left")
    return Tensor(np.asarray(out, np.int32 if out_int32 else np.int64))
