"""PyTorch's legacy typed constructors, still common in older tutorials: `torch.FloatTensor(data)`,
`torch.LongTensor([1, 2])`, `torch.FloatTensor(2, 3)` (a size), `x.type(torch.FloatTensor)`, and
`isinstance(x, torch.FloatTensor)`. Each is a name for a dtype, not a Tensor subclass: calling one
makes an ordinary Tensor of that dtype.

>>> import tinygrad_nn as torch
>>> torch.LongTensor([1, 2]).dtype, torch.FloatTensor(2, 3).shape
(dtype('int64'), (2, 3))
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._tensor import Tensor


class _LegacyType(type):
    """The metaclass: isinstance(x, FloatTensor) is 'x is a Tensor of dtype float32'."""
    dtype: np.dtype

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:  # type: ignore[override]
        from .creation import empty, tensor
        if not args:
            return empty(0, dtype=cls.dtype, device=device)
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            return empty(*args, dtype=cls.dtype, device=device)   # the size form: zeros here
        if len(args) > 1:
            raise TypeError(f"{cls.__name__}: takes one sequence of data or int sizes, got {args!r}")
        return tensor(args[0], dtype=cls.dtype, device=device)

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _legacy(name: str, dtype: Any) -> _LegacyType:
    return _LegacyType(name, (), {"dtype": np.dtype(dtype), "__module__": __name__,
                                  "__doc__": f"A {np.dtype(dtype)} tensor (PyTorch's legacy {name})."})


FloatTensor = _legacy("FloatTensor", np.float32)
DoubleTensor = _legacy("DoubleTensor", np.float64)
HalfTensor = _legacy("HalfTensor", np.float16)
LongTensor = _legacy("LongTensor", np.int64)
IntTensor = _legacy("IntTensor", np.int32)
ShortTensor = _legacy("ShortTensor", np.int16)
CharTensor = _legacy("CharTensor", np.int8)
ByteTensor = _legacy("ByteTensor", np.uint8)
BoolTensor = _legacy("BoolTensor", np.bool_)

BY_NAME = {f"torch.{t.__name__}": t for t in (FloatTensor, DoubleTensor, HalfTensor, LongTensor,
                                              IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor)}


def legacy_dtype(dtype: Any) -> Any:
    """A legacy type or its name ('torch.FloatTensor') as its dtype; anything else unchanged."""
    if isinstance(dtype, _LegacyType):
        return dtype.dtype
    if isinstance(dtype, str) and dtype in BY_NAME:
        return BY_NAME[dtype].dtype
    return dtype
