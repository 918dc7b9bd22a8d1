"""Joining tensors, composed of cat, reshape and expand (so every gradient, of any order, is the
composition's): hstack, vstack, dstack, column_stack, broadcast_tensors, cartesian_prod, and the
atleast_Nd helpers they stand on. Functions, not Tensor methods, as in PyTorch."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .._tensor import Tensor
from .shape import cat

concat = cat   # PyTorch's other names for cat (concatenate is in shape.py)


def _tensors(op: str, tensors: Sequence[Any]) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not len(tensors):
        raise TypeError(f"{op}: expected a non-empty sequence of tensors")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]


def _each(promote: Callable[[Tensor], Tensor], tensors: tuple) -> Any:
    """PyTorch's atleast_*d forms: one tensor gives one tensor; several (or one sequence of them)
    give a tuple."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(promote(t) for t in tensors[0])
    if len(tensors) == 1:
        return promote(tensors[0])
    return tuple(promote(t) for t in tensors)


def _at_least_1d(x: Tensor) -> Tensor:
    return x.reshape(1) if x.ndim == 0 else x


def _at_least_2d(x: Tensor) -> Tensor:
    return x.reshape(1, -1) if x.ndim < 2 else x


def _at_least_3d(x: Tensor) -> Tensor:
    if x.ndim == 0:
        return x.reshape(1, 1, 1)
    if x.ndim == 1:
        return x.reshape(1, -1, 1)
    return x.unsqueeze(-1) if x.ndim == 2 else x


def atleast_1d(*tensors: Any) -> Any:
    """x, with a 0-d x as shape (1,); several tensors give a tuple."""
    return _each(_at_least_1d, tensors)


def atleast_2d(*tensors: Any) -> Any:
    """x, with fewer dims made (1, n) (or (1, 1)); several tensors give a tuple."""
    return _each(_at_least_2d, tensors)


def atleast_3d(*tensors: Any) -> Any:
    """x with at least 3 dims, numpy's way: (n,) becomes (1, n, 1) and (m, n) becomes (m, n, 1);
    several tensors give a tuple."""
    return _each(_at_least_3d, tensors)


def hstack(tensors: Sequence[Any]) -> Tensor:
    """Join along dim 1 (along dim 0 for 1-d tensors): hstack([a, b]) of (2,) and (3,) is (5,)."""
    ts = [atleast_1d(t) for t in _tensors("hstack", tensors)]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Any]) -> Tensor:
    """Stack as rows: 1-d tensors become rows (1, n), then join along dim 0."""
    return cat([atleast_2d(t) for t in _tensors("vstack", tensors)], 0)


row_stack = vstack


def dstack(tensors: Sequence[Any]) -> Tensor:
    """Join along dim 2 (depth), after atleast_3d."""
    return cat([atleast_3d(t) for t in _tensors("dstack", tensors)], 2)


def column_stack(tensors: Sequence[Any]) -> Tensor:
    """Stack as columns: 0-d and 1-d tensors become columns (n, 1), then join along dim 1."""
    ts = _tensors("column_stack", tensors)
    return cat([t.reshape(-1, 1) if t.ndim < 2 else t for t in ts], 1)


def broadcast_tensors(*tensors: Any) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape (a gradient sums back, as expand's)."""
    ts = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    try:
        shape = np.broadcast_shapes(*(t.shape for t in ts))
    except ValueError:
        raise ValueError(f"broadcast_tensors: shapes {[t.shape for t in ts]} do not broadcast "
                         "together") from None
    return tuple(t.expand(*shape) for t in ts)


def cartesian_prod(*tensors: Any) -> Tensor:
    """Every combination of one element of each 1-d tensor, as rows: (n1 · n2 ..., k) for k
    tensors (a single tensor comes back as it is). cartesian_prod([1, 2], [3, 4]) is
    [[1, 3], [1, 4], [2, 3], [2, 4]]."""
    ts = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not ts or any(t.ndim != 1 for t in ts):
        raise ValueError(f"cartesian_prod: expected 1-d tensors, got shapes {[t.shape for t in ts]}")
    if len(ts) == 1:
        return ts[0]
    sizes = [t.shape[0] for t in ts]
    columns = []
    for k, t in enumerate(ts):
        shape = [1] * len(ts)
        shape[k] = sizes[k]
        columns.append(t.reshape(*shape).expand(*sizes).reshape(-1, 1))   # (n1 · n2 ..., 1)
    return cat(columns, 1)
