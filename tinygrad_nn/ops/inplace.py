"""PyTorch's in-place variants (`x.relu_()`, `x.index_add_(0, i, s)`, `x.squeeze_()` ...), all made
by one mechanism from the out-of-place op of the same name: `x.<op>_(*args)` computes
`x.<op>(*args)` outside the graph and writes the result into x, returning x.

As every in-place update here (add_, copy_, the optimizers' steps), it is not recorded: it refuses a
tensor that requires grad while grad mode is on, and moves the version counter on, so a backward
that saved the old values refuses to run. PyTorch also records an in-place op on a non-leaf tensor;
here `y = y.relu()` is the differentiable spelling (docs/pytorch-differences.md).

- value ops write into x's own array, so views of x see the change; the result's dtype must be one
  PyTorch can cast to x's (an int tensor's sqrt_ is refused: can_cast(float32, int64) is False);
- view ops (squeeze_, unsqueeze_, t_, transpose_) change x's shape: x now holds the view;
- random fills (bernoulli_, exponential_, random_, with uniform_ and normal_ in _tensor.py) write
  fresh samples of x's shape and dtype.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import function
from .._tensor import Tensor
from .register import can_cast

# the out-of-place Tensor methods whose `<name>_` writes their result into the tensor
VALUE_OPS = (
    "relu", "sigmoid", "tanh", "neg", "abs", "sqrt", "rsqrt", "exp", "log", "log1p", "expm1",
    "sin", "cos", "erf", "erfinv", "square", "reciprocal", "pow", "floor", "ceil", "round", "trunc",
    "sign", "frac", "clamp", "clip", "clamp_min", "clamp_max", "masked_fill", "lerp", "addcmul",
    "addcdiv", "scatter", "scatter_add", "scatter_reduce", "index_add", "index_fill", "index_copy",
    "nan_to_num", "fmod", "remainder", "floor_divide", "float_power", "true_divide",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
)
VIEW_OPS = ("squeeze", "unsqueeze", "t", "transpose")


def in_place_form(name: str, compute: Callable[..., Any], view: bool = False) -> Callable[..., Tensor]:
    """The method `<name>_`: `compute(x, *args, **kwargs)` (a Tensor or array: the new values, or
    with view=True a view of x), outside the graph, put into x."""
    op = f"{name}_"

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        self._refuse_inplace(op)
        with function.no_grad():
            out = compute(self, *args, **kwargs)
        values = out._data if isinstance(out, Tensor) else np.asarray(out)
        if view:   # only the shape changes: a read-only (broadcast) array may take a new view too
            function.mark_modified(self)
            self._data = values
            return self
        if values.shape != self.shape:
            raise RuntimeError(f"{op}: the result has shape {values.shape}, which cannot be written "
                               f"into the tensor of shape {self.shape} (the out-of-place {name} "
                               "broadcasts it)")
        if not can_cast(values.dtype, self.dtype):
            raise RuntimeError(f"{op}: result type {values.dtype} can't be cast to the desired output "
                               f"type {self.dtype} (use the out-of-place {name}, or cast first)")
        np.copyto(self._inplace(op), values, casting="unsafe")
        return self

    method.__name__ = method.__qualname__ = op
    method.__doc__ = f"In-place {name}: x.{op}(...) writes x.{name}(...) into x and returns x."
    return method


for _name in VALUE_OPS:
    setattr(Tensor, f"{_name}_", in_place_form(_name, getattr(Tensor, _name)))
for _name in VIEW_OPS:
    setattr(Tensor, f"{_name}_", in_place_form(_name, getattr(Tensor, _name), view=True))


# --- random fills ------------------------------------------------------------------------------
def _rng(generator: Any) -> np.random.Generator:
    from ..creation import _numpy_rng   # creation imports the ops package: import it late
    return _numpy_rng(generator)


def _bernoulli(x: Tensor, p: Any = 0.5, generator: Any = None) -> np.ndarray:
    """1 with probability p (a number or a tensor broadcasting to x), else 0."""
    prob = p._data if isinstance(p, Tensor) else np.asarray(p, np.float64)
    if prob.size and (prob.min() < 0 or prob.max() > 1):
        raise ValueError(f"bernoulli_: p must be in [0, 1], got {p}")
    draws = _rng(generator).random(x.shape) < prob
    return draws.astype(x.dtype)


def _exponential(x: Tensor, lambd: float = 1.0, generator: Any = None) -> np.ndarray:
    """Samples of the exponential distribution with rate lambd (mean 1/lambd)."""
    if x.dtype.kind != "f":
        raise TypeError(f"exponential_: expects a floating point tensor, got dtype {x.dtype}")
    if not lambd > 0:
        raise ValueError(f"exponential_: lambd must be positive, got {lambd}")
    return _rng(generator).exponential(1.0 / lambd, x.shape).astype(x.dtype)


def _random(x: Tensor, low: int | None = None, high: int | None = None, *, generator: Any = None,
            **kwargs: Any) -> np.ndarray:
    """Integers uniform in [low, high): random_(high) is [0, high), random_() is [0, 2**mantissa]
    for floats (so every value is exact) and [0, max] for integers, as PyTorch."""
    low = kwargs.pop("from", low)
    high = kwargs.pop("to", high)
    if kwargs:
        raise TypeError(f"random_: unexpected keyword arguments {sorted(kwargs)}")
    if low is not None and high is None:
        low, high = 0, low
    if low is None:
        low = 0
        if x.dtype.kind == "f":
            high = 2 ** np.finfo(x.dtype).nmant + 1
        elif x.dtype.kind == "b":
            high = 2
        else:
            high = int(np.iinfo(x.dtype).max) + 1
    if not low < high:
        raise ValueError(f"random_: expects from < to, got from={low} to={high}")
    return _rng(generator).integers(low, high, x.shape, dtype=np.int64, endpoint=False).astype(x.dtype)


Tensor.bernoulli_ = in_place_form("bernoulli", _bernoulli)   # type: ignore[attr-defined]
Tensor.exponential_ = in_place_form("exponential", _exponential)   # type: ignore[attr-defined]
Tensor.random_ = in_place_form("random", _random)   # type: ignore[attr-defined]
