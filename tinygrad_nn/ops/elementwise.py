"""Elementwise functions of one tensor: neg, exp, log, sin, cos, abs, clip, casts."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function, numpy_call
from .._tensor import Tensor, _raw
from .arithmetic import Where, where
from .register import ZERO, floating, tensor_method


class Neg(Function):
    derivative = "dx = -dout"

    @staticmethod
    def forward(ctx, x):
        return np.negative(x)

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Function):
    derivative = "dx = dout * exp(x)"

    @staticmethod
    def forward(ctx, x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.output


class Log(Function):
    derivative = "dx = dout / x"

    @staticmethod
    def forward(ctx, x):
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        return g / ctx.inputs[0]


class Sin(Function):
    derivative = "dx = dout * cos(x)"

    @staticmethod
    def forward(ctx, x):
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.inputs[0].cos()


class Cos(Function):
    derivative = "dx = -dout * sin(x)"

    @staticmethod
    def forward(ctx, x):
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        return -g * ctx.inputs[0].sin()


class Abs(Function):
    """|x|; abs'(0) = 0 (PyTorch's choice, via sign)."""
    derivative = "dx = dout * sign(x)"

    @staticmethod
    def forward(ctx, x):
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        # through numpy_call: a compiled step recomputes the sign from each call's x
        return g * numpy_call(np.sign, ctx.inputs[0]._data)


class Clip(Function):
    """min(max(x, lo), hi); the gradient passes where lo <= x <= hi, bounds included (as PyTorch)."""
    derivative = "dx = dout * [lo <= x <= hi]"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.inside = np.ones(x.shape, bool)
        if lo is not None:
            ctx.inside &= x >= lo
        if hi is not None:
            ctx.inside &= x <= hi
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        return Where.apply(ctx.inside, g, ZERO[g.dtype]), None, None


class Cast(Function):
    derivative = "dx = dout cast back to x's dtype"

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.inputs[0].dtype), None


@tensor_method("neg", "__neg__")
def neg(x: Tensor) -> Tensor:
    """-x."""
    return Neg.apply(x)


@tensor_method("exp")
def exp(x: Tensor) -> Tensor:
    """e**x elementwise."""
    if x._data.dtype.kind != "f":   # the check inline: this is the hot path
        x = floating(x)
    return Exp.apply(x)


@tensor_method("log")
def log(x: Tensor) -> Tensor:
    """Natural logarithm elementwise."""
    if x._data.dtype.kind != "f":   # the check inline: this is the hot path
        x = floating(x)
    return Log.apply(x)


@tensor_method("sin")
def sin(x: Tensor) -> Tensor:
    return Sin.apply(floating(x))


@tensor_method("cos")
def cos(x: Tensor) -> Tensor:
    return Cos.apply(floating(x))


@tensor_method("abs", "__abs__")
def absolute(x: Tensor) -> Tensor:
    """|x| elementwise."""
    return Abs.apply(x)


@tensor_method("clip")
def clip(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    """Limit values to [min, max] (either may be None); the gradient passes where
    min <= x <= max, bounds included (as PyTorch's clamp).

    min and max may be Tensors (broadcasting): then each gets the gradient where it is the
    result, and where min > max the result is max, as PyTorch's min(max(x, min), max)."""
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = x
        if min is not None:
            out = where(numpy_call(np.less, out._data, _raw(min)), min, out)
        if max is not None:
            out = where(numpy_call(np.greater, out._data, _raw(max)), max, out)
        return out
    return Clip.apply(x, min, max)


@tensor_method("clamp_min")
def clamp_min(x: Tensor, min: Any) -> Tensor:
    """max(x, min) elementwise: clamp(x, min=min). x.clamp_min(0.5).sum().backward() gives
    x.grad = 1 where x >= 0.5, else 0."""
    return x.clamp(min=min)


@tensor_method("clamp_max")
def clamp_max(x: Tensor, max: Any) -> Tensor:
    """min(x, max) elementwise: clamp(x, max=max)."""
    return x.clamp(max=max)


@tensor_method("astype")
def astype(x: Tensor, dtype: Any) -> Tensor:
    """The same values in another dtype; the gradient is cast back to x's dtype."""
    dtype = np.dtype(dtype)
    if dtype == x.dtype:
        return x
    if x.requires_grad and dtype.kind != "f":
        raise TypeError(f"astype: cannot cast a tensor that requires grad to {dtype} "
                        "(detach() it first)")
    return Cast.apply(x, dtype)
