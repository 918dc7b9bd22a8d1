"""Broadcasting binary ops: + - * / **, maximum and where.

A gradient may keep the broadcast shape: the engine sums it back to its input's shape, as
PyTorch's does, so these formulas are the textbook ones."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function, numpy_call
from .._tensor import Tensor
from .register import ONE, ZERO, promote, tensor_method


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
    """x ** y. d/dx = y x^(y-1), taken as 0 where y == 0 (x ** 0 is constant, even at x = 0);
    d/dy = x^y log x, taken as 0 where x == 0 and y >= 0 (0 ** y is constant there) but -inf
    where x == 0 and y < 0 (inf * log 0), as PyTorch."""
    derivative = "dx = dout * y * x**(y - 1) (0 where y == 0); dy = dout * x**y * log(x)"

    @staticmethod
    def forward(ctx, x, y):
        return np.power(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.inputs
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            gx = _pow_dx(g, x, y)
        if need_y:
            x_data = x._data if isinstance(x, Tensor) else np.asarray(x)
            x_tensor = x if isinstance(x, Tensor) else Tensor(x_data)
            y_data = y._data if isinstance(y, Tensor) else np.asarray(y)
            # log 0 = -inf is kept only where y < 0: there x**y = inf and inf * -inf is the true
            # -inf; where y >= 0, x**y is finite and 0 * -inf would be nan. No branch tests the
            # data (a compiled step would freeze it): the masks are always applied
            zero = numpy_call(np.equal, x_data, 0)
            at_zero = numpy_call(_log_at_zero, y_data, ctx.output.dtype)
            log_x = where(zero, at_zero, where(zero, 1.0, x_tensor).log())
            gy = g * ctx.output * log_x
        return gx, gy


def _pow_dx(g: Tensor, x: Tensor, y: Any) -> Tensor:
    """dout * y * x ** (y - 1), with 0 where y == 0: there 0 * 0**-1 would be nan at x = 0."""
    if type(y) is float or type(y) is int:
        return g * y * x ** (y - 1) if y != 0 else g * ZERO[g.dtype]
    y_data = y._data if isinstance(y, Tensor) else np.asarray(y)
    both_zero = numpy_call(_both_zero, y_data, x._data)   # elsewhere y == 0 gives an exact 0
    # the exponent 1 - 1 there keeps 0 ** -1 (and its warning) out; where() then masks those
    # entries for the first and the second derivative alike
    return where(both_zero, ZERO[g.dtype], g * y * x ** (where(both_zero, 1.0, y) - 1))


def _both_zero(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == 0) & (b == 0)


def _log_at_zero(y: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """What log x stands for at x = 0 in d(x**y)/dy: 0 where y >= 0, -inf where y < 0."""
    return np.where(y >= 0, 0.0, -np.inf).astype(dtype)


@tensor_method("add", "__add__", "__radd__")
def add(x: Tensor, y: Any) -> Tensor:
    """x + y, broadcasting like numpy."""
    if type(y) is Tensor and y._data.dtype is x._data.dtype:   # one dtype: nothing to promote
        return Add.apply(x, y)
    return Add.apply(*promote(x, y))


@tensor_method("sub", "__sub__")
def sub(x: Tensor, y: Any) -> Tensor:
    """x - y, broadcasting like numpy."""
    if type(y) is Tensor and y._data.dtype is x._data.dtype:   # one dtype: nothing to promote
        return Sub.apply(x, y)
    return Sub.apply(*promote(x, y))


@tensor_method("__rsub__")
def rsub(x: Tensor, y: Any) -> Tensor:
    x, y = promote(x, y)
    return Sub.apply(y, x)


@tensor_method("mul", "__mul__", "__rmul__")
def mul(x: Tensor, y: Any) -> Tensor:
    """x * y elementwise, broadcasting like numpy."""
    if type(y) is Tensor and y._data.dtype is x._data.dtype:   # one dtype: nothing to promote
        return Mul.apply(x, y)
    return Mul.apply(*promote(x, y))


@tensor_method("__truediv__")   # div itself (with rounding_mode) is in rounding.py
def div(x: Tensor, y: Any) -> Tensor:
    """x / y elementwise, broadcasting like numpy."""
    return Div.apply(*promote(x, y, true_divide=True))


@tensor_method("__rtruediv__")
def rdiv(x: Tensor, y: Any) -> Tensor:
    x, y = promote(x, y, true_divide=True)
    return Div.apply(y, x)


@tensor_method("pow", "__pow__")
def power(x: Tensor, y: Any) -> Tensor:
    """x ** y elementwise, broadcasting like numpy."""
    if (type(y) is float or type(y) is int) and x._data.dtype.kind == "f":
        return Pow.apply(x, y)   # a number exponent keeps x's dtype; backward reads it as is
    return Pow.apply(*promote(x, y))


@tensor_method("__rpow__")
def rpow(x: Tensor, y: Any) -> Tensor:
    x, y = promote(x, y)
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
    return Maximum.apply(*promote(x, y))


class Minimum(Function):
    """min(a, b) elementwise; where a == b each gets half the gradient (as PyTorch). Its own
    op, not -maximum(-a, -b): negation wraps unsigned and the most negative integer."""
    derivative = "da = dout * [a < b]; db = dout * [b < a] (a tie gives each half)"

    @staticmethod
    def forward(ctx, a, b):
        ctx.share_a = np.less(a, b) + 0.5 * np.equal(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        share_a = numpy_call(_share_of_a, ctx.share_a, g.dtype)
        return (g * share_a if need_a else None,
                g * numpy_call(_share_of_b, share_a) if need_b else None)


def _share_of_a(share: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return share.astype(dtype)


def _share_of_b(share_a: np.ndarray) -> np.ndarray:
    return 1 - share_a


@tensor_method("minimum")
def minimum(x: Tensor, y: Any) -> Tensor:
    """Elementwise min of x and y; ties share the gradient equally."""
    return Minimum.apply(*promote(x, y))


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


_NOT_GIVEN: Any = object()   # where(cond) alone: no a and b


def _as_dtype(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return a.astype(dtype, copy=False)


def where(cond: Any, a: Any = _NOT_GIVEN, b: Any = _NOT_GIVEN) -> Any:
    """Elementwise `a` where `cond` is true, else `b`; cond gets no gradient. The result's dtype
    is PyTorch's for `a op b` (where(c, int_tensor, 2.5) is the default float, not float64).
    where(cond) alone is PyTorch's nonzero(cond, as_tuple=True): the indices, one tensor per dim."""
    if a is _NOT_GIVEN and b is _NOT_GIVEN:
        cond = cond if isinstance(cond, Tensor) else Tensor(np.asarray(cond))
        return cond.nonzero(as_tuple=True)
    if a is _NOT_GIVEN or b is _NOT_GIVEN:
        raise TypeError("where: give both a and b, or neither (where(cond) gives the indices)")
    if isinstance(cond, Tensor):
        cond = cond._data
    if isinstance(a, Tensor):
        a, b = promote(a, b)
    elif isinstance(b, Tensor):
        b, a = promote(b, a)
    else:
        # two plain values: a's dtype as tensor() infers it (Python ints -> int64), then b's
        # promotes with it, so where(c, 4, 2) is int64 and where(c, 4, 2.5) the default float
        from ..creation import tensor
        a, b = promote(tensor(a) if isinstance(a, (bool, int, float, list, tuple)) else Tensor(a), b)
    return Where.apply(cond, a, b)
