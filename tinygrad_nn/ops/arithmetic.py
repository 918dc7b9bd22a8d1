"""Broadcasting binary ops: + - * / **, maximum and where.

A gradient may keep the broadcast shape: the engine sums it back to its input's shape, as
PyTorch's does, so these formulas are the textbook ones."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function, numpy_call
from .._tensor import Tensor
from .register import ONE, ZERO, _number, tensor_method


class Add(Function):
    derivative = "da = dout; db = dout (each summed back over broadcast axes)"

    @staticmethod
    def forward(ctx, a, b):
        return np.add(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.needs_input_grad
        return g if a else None, g if b else None


class Sub(Function):
    derivative = "da = dout; db = -dout (each summed back over broadcast axes)"

    @staticmethod
    def forward(ctx, a, b):
        return np.subtract(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.needs_input_grad
        return g if a else None, -g if b else None


class Mul(Function):
    derivative = "da = dout * b; db = dout * a"

    @staticmethod
    def forward(ctx, a, b):
        return np.multiply(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return g * b if need_a else None, g * a if need_b else None


class Div(Function):
    derivative = "da = dout / b; db = -dout * a / b**2"

    @staticmethod
    def forward(ctx, a, b):
        return np.divide(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return g / b if need_a else None, -g * ctx.output / b if need_b else None


class Pow(Function):
    """x ** y. d/dx = y x^(y-1); d/dy = x^y log x (taken as 0 where x == 0, as PyTorch)."""
    derivative = "dx = dout * y * x**(y - 1); dy = dout * x**y * log(x)"

    @staticmethod
    def forward(ctx, x, y):
        return np.power(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.inputs
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            gx = g * y * x ** (y - 1)
        if need_y:
            x_data = x._data if isinstance(x, Tensor) else np.asarray(x)
            safe_x = x if isinstance(x, Tensor) else Tensor(x_data)
            # log 0 = -inf, but 0**y does not depend on y there (for y > 0): use log 1 = 0. The
            # mask goes through numpy_call (and no branch tests it) so that a compiled step
            # recomputes it on every call.
            at_zero = numpy_call(np.equal, x_data, 0)
            log_x = where(at_zero, 1.0, safe_x).log()
            gy = g * ctx.output * log_x
        return gx, gy


@tensor_method("add", "__add__", "__radd__")
def add(x: Tensor, y: Any) -> Tensor:
    """x + y, broadcasting like numpy."""
    return Add.apply(x, _number(x, y))


@tensor_method("sub", "__sub__")
def sub(x: Tensor, y: Any) -> Tensor:
    """x - y, broadcasting like numpy."""
    return Sub.apply(x, _number(x, y))


@tensor_method("__rsub__")
def rsub(x: Tensor, y: Any) -> Tensor:
    return Sub.apply(_number(x, y), x)


@tensor_method("mul", "__mul__", "__rmul__")
def mul(x: Tensor, y: Any) -> Tensor:
    """x * y elementwise, broadcasting like numpy."""
    return Mul.apply(x, _number(x, y))


@tensor_method("div", "__truediv__")
def div(x: Tensor, y: Any) -> Tensor:
    """x / y elementwise, broadcasting like numpy."""
    return Div.apply(x, _number(x, y))


@tensor_method("__rtruediv__")
def rdiv(x: Tensor, y: Any) -> Tensor:
    return Div.apply(_number(x, y), x)


@tensor_method("pow", "__pow__")
def power(x: Tensor, y: Any) -> Tensor:
    """x ** y elementwise, broadcasting like numpy."""
    return Pow.apply(x, y)


@tensor_method("__rpow__")
def rpow(x: Tensor, y: Any) -> Tensor:
    return Pow.apply(y, x)


class Maximum(Function):
    """max(a, b) elementwise; where a == b each gets half the gradient (as PyTorch)."""
    derivative = "da = dout * [a > b]; db = dout * [b > a] (a tie gives each half)"

    @staticmethod
    def forward(ctx, a, b):
        ctx.share_a = np.greater(a, b) + 0.5 * np.equal(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        # numpy work on the shares goes through numpy_call, so a compiled step recomputes it
        share_a = numpy_call(_as_dtype, ctx.share_a, g.dtype)
        return (g * share_a if need_a else None,
                g * numpy_call(np.subtract, ONE[g.dtype], share_a) if need_b else None)


@tensor_method("maximum")
def maximum(x: Tensor, y: Any) -> Tensor:
    """Elementwise max of x and y; ties share the gradient equally."""
    return Maximum.apply(x, y)


class Where(Function):
    """cond ? a : b elementwise; cond is a constant boolean array."""
    derivative = "da = dout where cond, else 0; db = dout where not cond, else 0"

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond = np.asarray(cond, dtype=bool)
        return np.where(ctx.cond, a, b)

    @staticmethod
    def backward(ctx, g):
        # where's gradient is itself a where, so second order needs nothing more
        need_a, need_b = ctx.needs_input_grad[1:]
        zero = ZERO[g.dtype]
        return (None,
                Where.apply(ctx.cond, g, zero) if need_a else None,
                Where.apply(ctx.cond, zero, g) if need_b else None)


def _as_dtype(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return a.astype(dtype, copy=False)


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """Elementwise `a` where `cond` is true, else `b` (numpy's where); cond gets no gradient."""
    if isinstance(cond, Tensor):
        cond = cond._data
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor(a)
    return Where.apply(cond, a, b)
