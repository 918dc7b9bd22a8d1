"""Rounding and integer division: floor, ceil, round, trunc, sign, frac, floor_divide (//),
remainder (%), fmod and div(rounding_mode=).

The step functions are piecewise constant: their gradient is 0 everywhere (PyTorch's choice,
also at the jumps). remainder and fmod are x - q * y for an integer q, so d/dx = 1 and
d/dy = -q. Integer tensors stay integer, as in PyTorch."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function, numpy_call
from .._tensor import Tensor
from .arithmetic import Div
from .register import ZERO, promote, tensor_method


class _Step(Function):
    """A piecewise-constant function of its first input: the gradient is 0 (as PyTorch)."""

    @staticmethod
    def backward(ctx, g):
        zero = g * ZERO[g.dtype]
        return (zero,) + (None,) * (len(ctx.inputs) - 1)


class Floor(_Step):
    derivative = "dx = 0 * dout (piecewise constant)"

    @staticmethod
    def forward(ctx, x):
        return np.floor(x)


class Ceil(_Step):
    derivative = "dx = 0 * dout (piecewise constant)"

    @staticmethod
    def forward(ctx, x):
        return np.ceil(x)


class Trunc(_Step):
    derivative = "dx = 0 * dout (piecewise constant)"

    @staticmethod
    def forward(ctx, x):
        return np.trunc(x)


class Round(_Step):
    """Round half to even (numpy's and PyTorch's rule: round(2.5) = 2), to `decimals` places."""
    derivative = "dx = 0 * dout (piecewise constant)"

    @staticmethod
    def forward(ctx, x, decimals):
        return np.round(x, decimals)


class Sign(_Step):
    derivative = "dx = 0 * dout (piecewise constant)"

    @staticmethod
    def forward(ctx, x):
        return np.sign(x)


class FloorDivide(Function):
    """floor(a / b) as Python's //; the gradient is 0 for both inputs (as PyTorch)."""
    derivative = "da = 0 * dout; db = 0 * dout (piecewise constant)"

    @staticmethod
    def forward(ctx, a, b):
        return np.floor_divide(a, b)

    @staticmethod
    def backward(ctx, g):
        zero = g * ZERO[g.dtype]
        need_a, need_b = ctx.needs_input_grad
        return zero if need_a else None, zero if need_b else None


class Remainder(Function):
    """a - floor(a / b) * b: the sign of the divisor, as Python's % and PyTorch's remainder."""
    derivative = "da = dout; db = -dout * floor(a / b)"

    @staticmethod
    def forward(ctx, a, b):
        return np.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        q = numpy_call(np.floor_divide, _array(a), _array(b))
        return g if need_a else None, -g * q if need_b else None


class Fmod(Function):
    """a - trunc(a / b) * b: the sign of the dividend, as C's fmod."""
    derivative = "da = dout; db = -dout * trunc(a / b)"

    @staticmethod
    def forward(ctx, a, b):
        return np.fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        q = numpy_call(_trunc_div, _array(a), _array(b))
        return g if need_a else None, -g * q if need_b else None


def _trunc_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.trunc(a / b)


def _array(v: Any) -> np.ndarray:
    return v._data if isinstance(v, Tensor) else np.asarray(v)


def _step(cls: type[Function], x: Tensor, *args: Any) -> Tensor:
    if x._data.dtype.kind in "iub" and cls is not Sign:
        return x   # an integer is its own floor, ceil, trunc and round
    return cls.apply(x, *args)


@tensor_method("floor")
def floor(x: Tensor) -> Tensor:
    """The largest integer <= x, elementwise (gradient 0)."""
    return _step(Floor, x)


@tensor_method("ceil")
def ceil(x: Tensor) -> Tensor:
    """The smallest integer >= x, elementwise (gradient 0)."""
    return _step(Ceil, x)


@tensor_method("trunc")
def trunc(x: Tensor) -> Tensor:
    """x rounded towards zero, elementwise (gradient 0)."""
    return _step(Trunc, x)


@tensor_method("round")
def round_(x: Tensor, decimals: int = 0) -> Tensor:
    """x rounded to `decimals` places, halves to even: round(0.5) = 0, round(1.5) = 2 (gradient 0)."""
    if x._data.dtype.kind in "iub" and decimals >= 0:
        return x
    return Round.apply(x, decimals)


@tensor_method("sign")
def sign(x: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of x (gradient 0, as PyTorch)."""
    return _step(Sign, x)


@tensor_method("frac")
def frac(x: Tensor) -> Tensor:
    """x - trunc(x): the fractional part, with x's sign; its gradient is 1."""
    return x - x.trunc()


@tensor_method("floor_divide", "__floordiv__")
def floor_divide(x: Tensor, y: Any) -> Tensor:
    """floor(x / y) elementwise, as Python's // (integers stay integers; gradient 0)."""
    return FloorDivide.apply(*promote(x, y))


@tensor_method("__rfloordiv__")
def rfloordiv(x: Tensor, y: Any) -> Tensor:
    """y // x for a number or array y."""
    x, y = promote(x, y)
    return FloorDivide.apply(y, x)


@tensor_method("remainder", "__mod__")
def remainder(x: Tensor, y: Any) -> Tensor:
    """x - floor(x / y) * y, with the sign of y, as Python's % (PyTorch's remainder)."""
    return Remainder.apply(*promote(x, y))


@tensor_method("__rmod__")
def rmod(x: Tensor, y: Any) -> Tensor:
    """y % x for a number or array y."""
    x, y = promote(x, y)
    return Remainder.apply(y, x)


@tensor_method("fmod")
def fmod(x: Tensor, y: Any) -> Tensor:
    """x - trunc(x / y) * y, with the sign of x (C's fmod)."""
    return Fmod.apply(*promote(x, y))


@tensor_method("div")
def div(x: Tensor, y: Any, rounding_mode: str | None = None) -> Tensor:
    """x / y elementwise, broadcasting; an integer quotient is the default float dtype.

    rounding_mode="trunc" rounds the quotient towards zero, "floor" down (as //); both keep
    integer inputs integer and have gradient 0, as in PyTorch."""
    if rounding_mode is None:
        return Div.apply(*promote(x, y, true_divide=True))
    if rounding_mode == "floor":
        return floor_divide(x, y)
    if rounding_mode == "trunc":
        a, b = promote(x, y)
        a_data = a._data if isinstance(a, Tensor) else np.asarray(a)
        if a_data.dtype.kind in "iu":   # integer division rounded towards zero, exactly
            q = np.floor_divide(a_data, _array(b))
            q += (q < 0) & (np.remainder(a_data, _array(b)) != 0)
            return Tensor(q)
        return (x / y).trunc()
    raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
