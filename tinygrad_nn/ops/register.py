"""What every op file shares: `tensor_method`, which makes a function a Tensor method, and
the cached constants and number conversion of the arithmetic hot path."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .._tensor import Tensor, _supported_dtype, get_default_dtype


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


# --- dtype promotion: PyTorch's rule for the binary ops ----------------------------------------
# numpy promotes int32 + float32 to float64 and int / int to float64; PyTorch keeps the float
# operand's dtype and makes the default float dtype. PyTorch ranks operands by category (bool <
# integer < float) and then by kind: a tensor with dimensions decides over a 0-d tensor, which
# decides over a Python number, unless the weaker one is of a higher category.
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's promote_types: within a category numpy's rule, across categories the higher
    category's dtype (int64 with float32 is float32, where numpy says float64)."""
    ca, cb = _CATEGORY.get(a.kind, 3), _CATEGORY.get(b.kind, 3)
    if ca == cb:
        return np.promote_types(a, b)
    return a if ca > cb else b


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """The result of a stronger operand kind (`higher`) meeting a weaker one (PyTorch's
    combine_categories): the weaker one counts only if it is of a higher category."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return _promote_types(higher, lower)
    return higher


def _number_dtype(y: bool | int | float) -> np.dtype:
    if type(y) is bool:
        return np.dtype(bool)
    if type(y) is int:
        return np.dtype(np.int64)
    return get_default_dtype()


def result_dtype(x: Any, y: Any) -> np.dtype:
    """The dtype PyTorch gives `x op y` for Tensors, arrays and Python numbers x and y."""
    dims = zeros = numbers = None
    for v in (x, y):
        if type(v) in (bool, int, float):
            d = _number_dtype(v)
            numbers = d if numbers is None else _promote_types(numbers, d)
            continue
        array = v._data if isinstance(v, Tensor) else np.asarray(v)
        if array.ndim:
            dims = array.dtype if dims is None else _promote_types(dims, array.dtype)
        else:
            zeros = array.dtype if zeros is None else _promote_types(zeros, array.dtype)
    out = _combine(dims, _combine(zeros, numbers))
    assert out is not None
    return out


def _as_dtype(v: Any, dtype: np.dtype) -> Any:
    if isinstance(v, Tensor):
        return v if v._data.dtype == dtype else v.astype(dtype)
    return np.asarray(v, dtype)


def promote(x: Tensor, y: Any, true_divide: bool = False) -> tuple[Any, Any]:
    """Tensor x and y (a Tensor, array or Python number) converted to PyTorch's result dtype for
    a binary op; an integer result of a true division becomes the default float dtype.

    The hot paths, a float Tensor with a Python number, with an array of its dtype (a backward
    formula's constants) or with a bool mask (relu's), cost a few type checks; everything else
    takes the general rule above."""
    ty = type(y)
    xd = x._data.dtype
    if ty is float or ty is int:
        if xd.kind == "f":
            return x, np.asarray(y, xd)   # a 0-d array: see _Constant for why
    elif ty is np.ndarray:
        if xd.kind == "f" and (y.dtype is xd or y.dtype.kind == "b"):
            return x, y
    elif ty is Tensor and y._data.dtype is xd and (xd.kind == "f" or not true_divide):
        return x, y
    dtype = result_dtype(x, y)
    if true_divide and dtype.kind != "f":
        dtype = get_default_dtype()
    return _as_dtype(x, dtype), _as_dtype(y, dtype)


def accumulating(x: Tensor, dtype: Any, op: str) -> Tensor:
    """x in the dtype sum, prod, cumsum and cumprod accumulate in: `dtype` if given (x is cast
    first, as PyTorch's dtype= does), else int64 for bool and integer tensors (PyTorch; numpy
    would give uint64 for uint8), else x as it is."""
    if dtype is not None:
        d = _supported_dtype(dtype, op)
    elif x._data.dtype.kind in "biu":
        d = np.dtype(np.int64)
    else:
        return x
    return x if x._data.dtype == d else x.astype(d)


def floating(x: Tensor) -> Tensor:
    """x itself if it is floating point, else x in the default float dtype: exp, log, sin ...
    of an integer tensor are float32, as in PyTorch (numpy gives float64, or float16 for int8)."""
    if x._data.dtype.kind == "f":
        return x
    return x.astype(get_default_dtype())


def can_cast(from_: np.dtype, to: np.dtype) -> bool:
    """PyTorch's can_cast, the rule for writing a result into an existing tensor (in-place ops):
    any cast but float to integer or to bool, and anything but bool to bool."""
    from_, to = np.dtype(from_), np.dtype(to)
    if from_.kind == "f" and to.kind in "iub":
        return False
    return not (from_.kind != "b" and to.kind == "b")
