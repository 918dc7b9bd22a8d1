"""What every op file shares: `tensor_method`, which makes a function a Tensor method, and
the cached constants and number conversion of the arithmetic hot path."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .._tensor import Tensor


def tensor_method(*names: str) -> Callable[[Callable], Callable]:
    """Attach the decorated function to Tensor under each of `names`."""
    def attach(fn: Callable) -> Callable:
        for name in names:
            setattr(Tensor, name, fn)
        return fn
    return attach


class _Constant(dict):
    """One value as a read-only 0-d array per dtype, made on first use: `ONE[x.dtype] - x`.

    A ufunc takes a 0-d array of its operand's dtype about twice as fast as a Python number,
    whose type it works out again on every call (a quarter of a microsecond each time)."""

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def __missing__(self, dtype: np.dtype) -> np.ndarray:
        a = np.full((), self.value, dtype)
        a.flags.writeable = False
        self[dtype] = a
        return a


ZERO, ONE = _Constant(0), _Constant(1)


def _number(x: Tensor, y: Any) -> Any:
    """A Python number operand as a 0-d array of x's float dtype, the dtype numpy would give the
    result anyway (see _Constant for why); anything else unchanged."""
    if (type(y) is float or type(y) is int) and x._data.dtype.kind == "f":
        return np.asarray(y, x._data.dtype)
    return y
