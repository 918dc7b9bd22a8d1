"""Hypothesis strategies for checking gradients: shapes, tensors, and the domains ops need.

A strategy passed to `check_gradients` may draw one Tensor (one input of the function) or a
tuple of Tensors (several inputs whose shapes must agree, e.g. `broadcastable_tensors(2)`).

Domains keep the finite-difference step (1e-6) away from where a derivative does not exist
instead of loosening tolerances: `away_from_zero` for relu and abs, `spaced` (distinct values on
a grid) for max and its ties, `positive` for log and sqrt, `bounded` for exp and pow.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .._tensor import Tensor

Elements = st.SearchStrategy[float]


# --- value domains --------------------------------------------------------------------------

def bounded(low: float = -3.0, high: float = 3.0) -> Elements:
    """Finite floats in [low, high] (no NaN, inf or subnormals)."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def positive(low: float = 0.1, high: float = 5.0) -> Elements:
    """Floats in [low, high] with low > 0: the domain of log, sqrt and x ** fractional."""
    if low <= 0:
        raise ValueError(f"positive: low must be > 0, got {low}")
    return bounded(low, high)


def away_from_zero(margin: float = 1e-2, high: float = 3.0) -> Elements:
    """Floats with margin <= |x| <= high: away from the kink of relu and abs, safe to divide by."""
    magnitude = bounded(margin, high)
    return st.tuples(st.booleans(), magnitude).map(lambda s: -s[1] if s[0] else s[1])


def away_from(points: Sequence[float], margin: float = 1e-2, low: float = -3.0,
              high: float = 3.0) -> Elements:
    """Floats in [low, high] at least `margin` away from every kink in `points` (e.g. clip bounds)."""
    return bounded(low, high).filter(lambda x: all(abs(x - p) >= margin for p in points))


def spaced(low: float = -3.0, high: float = 3.0, step: float = 0.125) -> Elements:
    """Values on a grid of `step`: drawn with unique=True they differ by >= step, so max has no ties."""
    n_low, n_high = int(np.ceil(low / step)), int(np.floor(high / step))
    return st.integers(n_low, n_high).map(lambda k: k * step)


# --- shapes ----------------------------------------------------------------------------------

def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
           max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes with min_dims..max_dims axes of length min_side..max_side."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(n: int = 2, min_dims: int = 0, max_dims: int = 3,
                         max_side: int = 4) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """`n` shapes that broadcast together under numpy's rules, e.g. ((3, 1), (1, 4))."""
    return hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=max_dims,
                                             max_side=max_side).map(lambda b: b.input_shapes)


@st.composite
def matmul_shapes(draw: Any, max_batch_dims: int = 2,
                  max_side: int = 4) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shape pairs np.matmul accepts: 1-D @ 1-D, 2-D @ 1-D, 1-D @ 2-D, 2-D and batched N-D."""
    n, k, m = (draw(st.integers(1, max_side)) for _ in range(3))
    kind = draw(st.sampled_from(["vv", "mv", "vm", "mm", "batched"]))
    if kind == "vv":
        return (k,), (k,)
    if kind == "mv":
        return (n, k), (k,)
    if kind == "vm":
        return (k,), (k, m)
    if kind == "mm":
        return (n, k), (k, m)
    batch_a, batch_b = draw(broadcastable_shapes(2, min_dims=1, max_dims=max_batch_dims, max_side=3))
    return batch_a + (n, k), batch_b + (k, m)


# --- tensors ---------------------------------------------------------------------------------

def _elements(elements: Elements | None, min_value: float | None, max_value: float | None) -> Elements:
    if elements is not None:
        return elements
    return bounded(-3.0 if min_value is None else min_value, 3.0 if max_value is None else max_value)


def arrays(shape: Any = None, dtype: Any = np.float64, elements: Elements | None = None,
           min_value: float | None = None, max_value: float | None = None,
           unique: bool = False) -> st.SearchStrategy[np.ndarray]:
    """numpy arrays of `shape` (a tuple, or a strategy of shapes; default `shapes()`)."""
    return hnp.arrays(np.dtype(dtype), shapes() if shape is None else shape,
                      elements=_elements(elements, min_value, max_value), unique=unique)


def tensors(shape: Any = None, dtype: Any = np.float64, elements: Elements | None = None,
            min_value: float | None = None, max_value: float | None = None,
            requires_grad: bool = True, unique: bool = False) -> st.SearchStrategy[Tensor]:
    """Tensors (requiring grad by default) of `shape` with values from `elements`.

    >>> from hypothesis import given
    >>> @given(tensors(shape=(2, 3), elements=positive()))
    ... def test_log_is_finite(x):
    ...     assert np.isfinite(x.log().numpy()).all()
    """
    return arrays(shape, dtype, elements, min_value, max_value, unique).map(
        lambda a: Tensor(a, requires_grad=requires_grad))


@st.composite
def broadcastable_tensors(draw: Any, n: int = 2, dtype: Any = np.float64,
                          elements: Elements | Sequence[Elements] | None = None,
                          max_dims: int = 3) -> tuple[Tensor, ...]:
    """`n` Tensors whose shapes broadcast together; `elements` may be one domain or one per tensor."""
    input_shapes = draw(broadcastable_shapes(n, max_dims=max_dims))
    domains: list[Any] = list(elements) if isinstance(elements, (list, tuple)) else [elements] * n
    return tuple(draw(tensors(s, dtype, domains[i])) for i, s in enumerate(input_shapes))


@st.composite
def matmul_tensors(draw: Any, dtype: Any = np.float64,
                   elements: Elements | None = None) -> tuple[Tensor, Tensor]:
    """A pair of Tensors that np.matmul accepts (1-D, 2-D or batched)."""
    shape_a, shape_b = draw(matmul_shapes())
    return draw(tensors(shape_a, dtype, elements)), draw(tensors(shape_b, dtype, elements))
