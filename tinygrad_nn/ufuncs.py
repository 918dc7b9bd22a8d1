"""numpy's ufuncs on Tensors: `np.sin(x)`, `np.exp(x)`, `array * x` run as the Tensor op of the
same name, so they record the graph and have gradients.

numpy hands a ufunc whose operands include a Tensor to `Tensor.__array_ufunc__`, which calls
`dispatch`. An operator ufunc (np.add, np.multiply, np.less, ...) becomes the Tensor's operator, or
its reflected one when the Tensor is on the right, exactly what Python does for `array * x`
without numpy in the way. Any other ufunc becomes the Tensor method of its name (np.exp ->
x.exp()). A ufunc with no Tensor op, a ufunc method such as np.add.reduce, and out= (which
would write outside the graph) are refused with a TypeError saying what to use instead.

    >>> x = Tensor([0.0, 1.0], requires_grad=True)
    >>> np.sin(x).sum().backward(); x.grad        # cos(x)
    Tensor([1.        0.5403023])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._tensor import Tensor

# ufunc name -> (the Tensor's method when it is the first operand, when it is the second)
OPERATORS = {
    "add": ("__add__", "__radd__"),
    "subtract": ("__sub__", "__rsub__"),
    "multiply": ("__mul__", "__rmul__"),
    "divide": ("__truediv__", "__rtruediv__"),
    "true_divide": ("__truediv__", "__rtruediv__"),
    "power": ("__pow__", "__rpow__"),
    "matmul": ("__matmul__", "__rmatmul__"),
    "floor_divide": ("__floordiv__", "__rfloordiv__"),
    "remainder": ("__mod__", "__rmod__"),
    "less": ("__lt__", "__gt__"),
    "less_equal": ("__le__", "__ge__"),
    "greater": ("__gt__", "__lt__"),
    "greater_equal": ("__ge__", "__le__"),
    "equal": ("__eq__", "__eq__"),
    "not_equal": ("__ne__", "__ne__"),
    "maximum": ("maximum", "maximum"),   # symmetric, ties included (each side gets half)
    "minimum": ("minimum", "minimum"),
}

# numpy's names for ops that Tensor spells differently
RENAMED = {"negative": "__neg__", "absolute": "abs", "fabs": "abs", "arcsin": "asin",
           "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh",
           "arctanh": "atanh", "arctan2": "atan2"}


def dispatch(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    """Run numpy's `ufunc` (called as `method`) on `inputs`, at least one of them a Tensor."""
    name = ufunc.__name__
    if method != "__call__":
        raise TypeError(f"np.{name}.{method} is not supported on a Tensor; use the Tensor's own "
                        "methods (x.sum(axis), x.max(axis), ...)")
    if kwargs:
        hint = (": out= would write into a numpy array, outside the graph (for array += x, write "
                "array += x.numpy() for the values, or array = array + x for a Tensor)"
                if "out" in kwargs else "")
        raise TypeError(f"np.{name} on a Tensor takes no keyword arguments, got "
                        f"{', '.join(sorted(kwargs))}{hint}")
    if name in OPERATORS and len(inputs) == 2:
        first, second = inputs
        forward, reflected = OPERATORS[name]
        result = (getattr(first, forward)(second) if isinstance(first, Tensor)
                  else getattr(second, reflected)(first))
        if result is not NotImplemented:
            return result
    else:
        method_name = RENAMED.get(name, name)
        x, rest = inputs[0], inputs[1:]
        op = getattr(Tensor, method_name, None)
        if callable(op) and ufunc.nin == len(inputs):
            return op(x if isinstance(x, Tensor) else Tensor(x), *rest)
    raise TypeError(f"np.{name} has no Tensor op, so it cannot run on a Tensor (and give a "
                    f"gradient); use np.{name}(x.numpy()) for the values, without a gradient, or a "
                    "Tensor method (x.exp(), x.sin(), ...)")
