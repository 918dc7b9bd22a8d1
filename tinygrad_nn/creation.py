"""Factories (zeros, ones, randn, ...) and the seeded random generator they share."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .function import numpy_call
from ._tensor import Tensor, get_default_dtype

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed every random factory, init function and dropout mask: same seed, same numbers."""
    global _rng
    _rng = np.random.default_rng(seed)


def rng() -> np.random.Generator:
    """The generator behind randn, rand and the init functions (reseeded by manual_seed)."""
    return _rng


def _shape(shape: Sequence[Any]) -> tuple[int, ...]:
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = tuple(shape[0])
    for n in shape:
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"shape must be non-negative integers, got {tuple(shape)}")
    return tuple(int(n) for n in shape)


def _dtype(dtype: Any) -> np.dtype:
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: zeros(2, 3) or zeros((2, 3))."""
    return Tensor(np.zeros(_shape(shape), _dtype(dtype)), requires_grad=requires_grad)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ones(2, 3) or ones((2, 3))."""
    return Tensor(np.ones(_shape(shape), _dtype(dtype)), requires_grad=requires_grad)


def full(shape: Sequence[int], fill_value: float, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of `shape` filled with `fill_value`."""
    return Tensor(np.full(_shape((shape,)), fill_value, _dtype(dtype)), requires_grad=requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, stop), as numpy's arange (default float dtype)."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    return Tensor(values.astype(_dtype(dtype)), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix."""
    return Tensor(np.eye(n, m, dtype=_dtype(dtype)), requires_grad=requires_grad)


def randn(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples (seeded by manual_seed)."""
    d = _dtype(dtype)
    # numpy_call: a compiled step draws new numbers on every call, as eager does
    return Tensor(numpy_call(_standard_normal, _shape(shape), d), requires_grad=requires_grad)


def rand(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) (seeded by manual_seed)."""
    d = _dtype(dtype)
    return Tensor(numpy_call(_uniform, _shape(shape), d), requires_grad=requires_grad)


def _standard_normal(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    return _rng.standard_normal(shape).astype(dtype)   # the generator current at the call


def _uniform(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    return _rng.random(shape).astype(dtype)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(t.shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return ones(t.shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(t.shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)


def rand_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(t.shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)
