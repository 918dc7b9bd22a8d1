"""Bitwise operators on bool and integer tensors: & | ^ ~ << >> and PyTorch's bitwise_* names.
Not differentiable (integer results are outside the graph); a float operand is refused, as in
PyTorch. Dtypes follow PyTorch's promotion: int8 & int64 is int64, a bool tensor & 1 is int64
only when the 1 is a tensor with dimensions (a Python int does not promote a bool tensor)."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .._tensor import Tensor
from .register import result_dtype, tensor_method


def _operands(op: str, x: Any, y: Any, shift: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """x and y as arrays of their PyTorch result dtype, refusing float (and, for shifts, bool)."""
    dtype = result_dtype(x, y)
    allowed = "iu" if shift else "biu"
    for v in (x, y):
        kind = v._data.dtype.kind if isinstance(v, Tensor) else np.asarray(v).dtype.kind
        if kind not in allowed or dtype.kind not in allowed:
            what = "integer" if shift else "bool and integer"
            got = v._data.dtype if isinstance(v, Tensor) else type(v).__name__
            raise TypeError(f"{op}: only {what} tensors are supported, got {got} (PyTorch: "
                            f"\"{op}_cpu\" not implemented for a float dtype)")
    xs = [np.asarray(v._data if isinstance(v, Tensor) else v).astype(dtype, copy=False) for v in (x, y)]
    return xs[0], xs[1]


def _binary(op: str, ufunc: Callable, shift: bool = False, reflected: bool = False) -> Callable:
    def method(x: Tensor, y: Any) -> Tensor:
        a, b = _operands(op, x, y, shift)
        return Tensor(ufunc(b, a) if reflected else ufunc(a, b))
    method.__name__ = method.__qualname__ = op
    method.__doc__ = f"{op}(x, y): elementwise {ufunc.__name__} of bool or integer tensors (broadcasting)."
    return method


bitwise_and = tensor_method("bitwise_and", "__and__")(_binary("bitwise_and", np.bitwise_and))
bitwise_or = tensor_method("bitwise_or", "__or__")(_binary("bitwise_or", np.bitwise_or))
bitwise_xor = tensor_method("bitwise_xor", "__xor__")(_binary("bitwise_xor", np.bitwise_xor))
tensor_method("__rand__")(_binary("bitwise_and", np.bitwise_and, reflected=True))
tensor_method("__ror__")(_binary("bitwise_or", np.bitwise_or, reflected=True))
tensor_method("__rxor__")(_binary("bitwise_xor", np.bitwise_xor, reflected=True))
bitwise_left_shift = tensor_method("bitwise_left_shift", "__lshift__")(
    _binary("bitwise_left_shift", np.left_shift, shift=True))
bitwise_right_shift = tensor_method("bitwise_right_shift", "__rshift__")(
    _binary("bitwise_right_shift", np.right_shift, shift=True))
tensor_method("__rlshift__")(_binary("bitwise_left_shift", np.left_shift, shift=True, reflected=True))
tensor_method("__rrshift__")(_binary("bitwise_right_shift", np.right_shift, shift=True, reflected=True))


@tensor_method("bitwise_not", "__invert__")
def bitwise_not(x: Tensor) -> Tensor:
    """~x: every bit flipped for integers, logical not for bool (~Tensor([True]) is [False])."""
    if x.dtype.kind not in "biu":
        raise TypeError(f"bitwise_not: only bool and integer tensors are supported, got {x.dtype} "
                        "(PyTorch: \"bitwise_not_cpu\" not implemented for a float dtype)")
    return Tensor(np.invert(x._data))
