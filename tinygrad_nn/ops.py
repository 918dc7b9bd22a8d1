"""The primitive ops: for each, forward (numpy) and backward (Tensor ops) side by side, and the
Tensor method that calls it. Everything else on Tensor is composed of these in tensor.py.

Backward formulas use only Tensor operations and constants, so under `create_graph=True` they
are recorded and can be differentiated again. Gradients at kinks follow PyTorch: relu'(0) = 0,
abs'(0) = 0, leaky_relu'(0) = negative_slope, clip passes the gradient at its bounds, and ties in
maximum / max share the gradient equally.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .function import Function
from .tensor import Axis, Tensor, _axes, _plain_index


def tensor_method(*names: str) -> Callable[[Callable], Callable]:
    """Attach the decorated function to Tensor under each of `names`."""
    def attach(fn: Callable) -> Callable:
        for name in names:
            setattr(Tensor, name, fn)
        return fn
    return attach


# --- arithmetic: broadcasting binary ops ------------------------------------------------------
# A gradient may keep the broadcast shape: the engine sums it back to its input's shape, as
# PyTorch's does, so these formulas are the textbook ones.

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
            # log 0 = -inf, but 0**y does not depend on y there (for y > 0): use log 1 = 0
            log_x = where(x_data == 0, 1.0, safe_x).log() if np.any(x_data == 0) else safe_x.log()
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
        share_a = ctx.share_a.astype(g.dtype)
        return g * share_a if need_a else None, g * (1 - share_a) if need_b else None


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


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """Elementwise `a` where `cond` is true, else `b` (numpy's where); cond gets no gradient."""
    if isinstance(cond, Tensor):
        cond = cond._data
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor(a)
    return Where.apply(cond, a, b)


# --- elementwise functions ----------------------------------------------------------------------

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


class Tanh(Function):
    derivative = "dx = dout * (1 - t * t)"

    @staticmethod
    def forward(ctx, x):
        return np.tanh(x)

    @staticmethod
    def backward(ctx, g):
        return TanhDerivative.apply(g, ctx.output)


class TanhDerivative(Function):
    """dout * (1 - t²) for t = tanh(x): tanh's backward as one op (a third of the Python work of
    three Tensor ops); its own backward, in Tensor ops, gives tanh's second derivative."""
    derivative = "d(dout) = d * (1 - t * t); dt = -2 * d * dout * t"

    @staticmethod
    def forward(ctx, g, t):
        out = ONE[t.dtype] - t * t
        out *= g   # in place: one temporary fewer (on a 0-d array, numpy rebinds instead)
        return out

    @staticmethod
    def backward(ctx, d):
        g, t = ctx.inputs
        return d * (1 - t * t), d * g * t * -2


class Sigmoid(Function):
    """σ(x) = 1 / (1 + e^-x), σ' = σ(1 - σ)."""
    derivative = "dx = dout * s * (1 - s)"

    @staticmethod
    def forward(ctx, x):
        # σ(x) = exp(-softplus(-x)): logaddexp never overflows, so unlike 1 / (1 + e^-x) this
        # warns of nothing at x = -1000 and keeps tiny values (σ(-100) = 3.7e-44) accurate
        return np.exp(-np.logaddexp(ZERO[x.dtype], -x))

    @staticmethod
    def backward(ctx, g):
        return SigmoidDerivative.apply(g, ctx.output)


class SigmoidDerivative(Function):
    """dout * s (1 - s) for s = σ(x): sigmoid's backward as one op; its own backward, in Tensor
    ops, gives sigmoid's second derivative."""
    derivative = "d(dout) = d * s * (1 - s); ds = d * dout * (1 - 2 * s)"

    @staticmethod
    def forward(ctx, g, s):
        out = ONE[s.dtype] - s
        out *= s
        out *= g
        return out

    @staticmethod
    def backward(ctx, d):
        g, s = ctx.inputs
        return d * s * (1 - s), d * g * (1 - 2 * s)


class Softplus(Function):
    """log(1 + e^x), computed without overflow; its derivative is σ(x)."""
    derivative = "dx = dout * sigmoid(x)"

    @staticmethod
    def forward(ctx, x):
        return np.logaddexp(ZERO[x.dtype], x)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.inputs[0].sigmoid()


class Relu(Function):
    """max(x, 0). relu'(0) = 0 (PyTorch's choice); the mask is a constant, so relu'' = 0."""
    derivative = "dx = dout * [x > 0]"

    @staticmethod
    def forward(ctx, x):
        zero = ZERO[x.dtype]
        ctx.mask = x > zero
        return np.maximum(x, zero)   # propagates nan, as PyTorch's relu does (fmax would hide it)

    @staticmethod
    def backward(ctx, g):
        # a multiply, not np.where: where branches per element and is ~10x slower on relu's
        # random mask. (An infinite dout where x <= 0 becomes nan rather than 0: loud, not hidden.)
        return g * ctx.mask


class LeakyRelu(Function):
    """x for x > 0 else slope * x; the derivative at 0 is slope (as PyTorch)."""
    derivative = "dx = dout * (1 if x > 0 else slope)"

    @staticmethod
    def forward(ctx, x, slope):
        ctx.scale = np.where(x > 0, 1, slope).astype(x.dtype, copy=False)
        return x * ctx.scale

    @staticmethod
    def backward(ctx, g):
        return g * ctx.scale, None


class Abs(Function):
    """|x|; abs'(0) = 0 (PyTorch's choice, via sign)."""
    derivative = "dx = dout * sign(x)"

    @staticmethod
    def forward(ctx, x):
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        return g * np.sign(ctx.inputs[0]._data)


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
    return Exp.apply(x)


@tensor_method("log")
def log(x: Tensor) -> Tensor:
    """Natural logarithm elementwise."""
    return Log.apply(x)


@tensor_method("sin")
def sin(x: Tensor) -> Tensor:
    return Sin.apply(x)


@tensor_method("cos")
def cos(x: Tensor) -> Tensor:
    return Cos.apply(x)


@tensor_method("tanh")
def tanh(x: Tensor) -> Tensor:
    """tanh(x); its derivative is 1 - tanh(x)**2."""
    return Tanh.apply(x)


@tensor_method("sigmoid")
def sigmoid(x: Tensor) -> Tensor:
    """σ(x) = 1 / (1 + e^-x), stable for any x; σ'(x) = σ(x)(1 - σ(x)).

    >>> x = Tensor([0.0], requires_grad=True); x.sigmoid().sum().backward(); x.grad
    Tensor([0.25])
    """
    return Sigmoid.apply(x)


@tensor_method("softplus")
def softplus(x: Tensor) -> Tensor:
    """log(1 + e^x), stable for any x."""
    return Softplus.apply(x)


@tensor_method("relu")
def relu(x: Tensor) -> Tensor:
    """max(x, 0) elementwise."""
    return Relu.apply(x)


@tensor_method("leaky_relu")
def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return LeakyRelu.apply(x, negative_slope)


@tensor_method("abs", "__abs__")
def absolute(x: Tensor) -> Tensor:
    """|x| elementwise."""
    return Abs.apply(x)


@tensor_method("clip")
def clip(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    """Limit values to [min, max] (either may be None)."""
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    return Clip.apply(x, min, max)


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


# --- reductions -----------------------------------------------------------------------------

class Sum(Function):
    derivative = "dx = dout broadcast back to x's shape"

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        return x.sum(axis=axis, keepdims=keepdims)   # the method: np.sum adds 1 µs of checks

    @staticmethod
    def backward(ctx, g):
        x, axis, keepdims = ctx.inputs
        if not keepdims and g.ndim:   # a 0-d gradient (a full sum) broadcasts as it is
            g = g.reshape(*_keepdims_shape(x.shape, axis))
        return Expand.apply(g, x.shape), None, None   # the op itself: x.shape needs no checks


class Max(Function):
    """Largest element over axis; tied maxima share the gradient equally (PyTorch's amax)."""
    derivative = "dx = dout at the maxima (ties share it), 0 elsewhere"

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        m = x.max(axis=axis, keepdims=True)
        is_max = x == m
        ctx.share = is_max / is_max.sum(axis=axis, keepdims=True).astype(x.dtype)
        return m if keepdims else np.squeeze(m, axis=axis)

    @staticmethod
    def backward(ctx, g):
        x, axis, keepdims = ctx.inputs
        if not keepdims:
            g = g.reshape(*_keepdims_shape(x.shape, axis))
        return g * ctx.share, None, None


def _keepdims_shape(shape: tuple[int, ...], axis: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


@tensor_method("sum")
def reduce_sum(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Sum over `axis` (an int, a tuple, negative allowed; all axes by default)."""
    return Sum.apply(x, _axes(axis, x.ndim), keepdims)


@tensor_method("max")
def reduce_max(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Largest element over `axis`; ties share the gradient equally."""
    if x._data.size == 0:
        raise ValueError(f"max: cannot reduce an empty tensor of shape {x.shape}")
    return Max.apply(x, _axes(axis, x.ndim), keepdims)


# --- shape ops ------------------------------------------------------------------------------

class Reshape(Function):
    derivative = "dx = dout reshaped back to x's shape"

    @staticmethod
    def forward(ctx, x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(*ctx.inputs[0].shape), None


class Permute(Function):
    derivative = "dx = dout with the axes permuted back"

    @staticmethod
    def forward(ctx, x, order):
        return x.transpose(order)

    @staticmethod
    def backward(ctx, g):
        return g.permute(*np.argsort(ctx.inputs[1]).tolist()), None


class Expand(Function):
    derivative = "dx = dout summed over the expanded axes"

    @staticmethod
    def forward(ctx, x, shape):
        return _broadcast_view(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g.sum_to(ctx.inputs[0].shape), None


def _broadcast_view(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """np.broadcast_to(x, shape): a read-only view with stride 0 along the broadcast axes.

    Made directly on x's buffer when x is contiguous: np.broadcast_to spends about 2 µs in Python
    checking its arguments, which for a loss's sum (whose backward is an expand) is more than
    the rest of that backward step."""
    lead = len(shape) - x.ndim
    if lead < 0 or not x.flags.c_contiguous or x.size == 0:
        return np.broadcast_to(x, shape)
    strides = [0] * lead
    for n, m, stride in zip(x.shape, shape[lead:], x.strides):
        if n == m:
            strides.append(stride)
        elif n == 1:
            strides.append(0)
        else:
            return np.broadcast_to(x, shape)   # raises numpy's error, which apply names
    view = np.ndarray(shape, x.dtype, x, 0, strides)
    view.flags.writeable = False
    return view


class GetItem(Function):
    """x[index]; the gradient scatters back, adding where an index repeats."""
    derivative = "dx = zeros of x's shape with dout added at index"

    @staticmethod
    def forward(ctx, x, index):
        return x[index]

    @staticmethod
    def backward(ctx, g):
        x, index = ctx.inputs
        return ScatterAdd.apply(g, index, x.shape), None


class ScatterAdd(Function):
    """zeros(shape) with g added at `index` (repeats accumulate); the reverse of GetItem."""
    derivative = "dg = dout[index]"

    @staticmethod
    def forward(ctx, g, index, shape):
        out = np.zeros(shape, g.dtype)
        if _is_basic(index):
            out[index] = g  # a basic index cannot repeat an element: plain assignment is exact
        else:
            np.add.at(out, index, g)
        return out

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.inputs[1]], None, None


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice)) for i in items)


class Cat(Function):
    derivative = "dx_i = the slice of dout that x_i filled"

    @staticmethod
    def forward(ctx, *xs, axis):
        ctx.axis = axis
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        grads, start = [], 0
        for x in ctx.inputs:
            n = x.shape[ctx.axis]
            index = (slice(None),) * ctx.axis + (slice(start, start + n),)
            grads.append(g[index] if x.requires_grad else None)
            start += n
        return tuple(grads)


class MatMul(Function):
    """np.matmul: 1-D, 2-D and batched operands, batch dims broadcast."""
    derivative = "da = dout @ b.T; db = a.T @ dout"

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: operands must have at least 1 dimension, got shapes "
                             f"{a.shape} and {b.shape}")
        k_b = 0 if b.ndim == 1 else b.ndim - 2
        if a.shape[-1] != b.shape[k_b]:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned: "
                             f"{a.shape[-1]} (dim {a.ndim - 1}) != {b.shape[k_b]} (dim {k_b})")
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:   # the common case, without the reshapes below
            # g bᵀ is linear(g, b) and aᵀ g is matmul_tn(a, g): no transpose nodes (see MatMulTN)
            return (Linear.apply(g, b, None) if need_a else None,
                    MatMulTN.apply(a, g) if need_b else None)
        # treat a 1-D a as a row (1, k) and a 1-D b as a column (k, 1), as np.matmul does
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        if a.ndim == 1 and b.ndim == 1:
            g2 = g.reshape(1, 1)        # () -> (1, 1)
        elif a.ndim == 1:
            g2 = g.unsqueeze(-2)        # (..., m) -> (..., 1, m)
        elif b.ndim == 1:
            g2 = g.unsqueeze(-1)        # (..., n) -> (..., n, 1)
        else:
            g2 = g
        ga = (g2 @ b2.mT).sum_to(a2.shape).reshape(*a.shape) if need_a else None
        gb = (a2.mT @ g2).sum_to(b2.shape).reshape(*b.shape) if need_b else None
        return ga, gb


class Linear(Function):
    """x @ weightᵀ + bias, nn.Linear's affine map, as one op: `x @ w.T + b` would record three
    nodes (transpose, matmul, add), and this one's weight gradient comes out contiguous."""
    derivative = "dx = dout @ W; dW = doutᵀ @ x; db = dout summed over the batch"

    @staticmethod
    def forward(ctx, x, weight, bias):
        out = np.matmul(x, weight.T)                # (..., out)
        if bias is None:
            return out
        if bias.dtype == out.dtype:
            out += bias                             # in place: no second (..., out) array
            return out
        return out + bias

    @staticmethod
    def backward(ctx, g):
        x, weight, bias = ctx.inputs
        need_x, need_w, need_b = ctx.needs_input_grad
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g    # (batch, out)
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x    # (batch, in)
        return (g @ weight if need_x else None,
                MatMulTN.apply(g2, x2) if need_w else None,   # g2ᵀ x2, contiguous like W
                g2.sum(0) if need_b else None)


class MatMulTN(Function):
    """aᵀ @ b for matrices a (k, n) and b (k, m) -> (n, m): the weight gradient of linear and of
    matmul, without a transpose node. matmul (a b), linear (a bᵀ) and this (aᵀ b) are closed under
    differentiation: each one's gradients are products of the three, so gradients of any order
    record no transposes (W5's Hessian-vector product: 93 ops instead of 106)."""
    derivative = "da = b @ doutᵀ; db = a @ dout"

    @staticmethod
    def forward(ctx, a, b):
        return np.matmul(a.T, b)   # BLAS reads a transposed: no copy

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (Linear.apply(b, g, None) if need_a else None,   # b gᵀ: (k, m) (m, n)
                a @ g if need_b else None)


def matmul_tn(a: Tensor, b: Tensor) -> Tensor:
    """aᵀ @ b for matrices a (k, n) and b (k, m) -> (n, m), with no transpose node in the graph."""
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0]:
        raise ValueError(f"matmul_tn: needs matrices with the same number of rows, got shapes "
                         f"{a.shape} and {b.shape}")
    return MatMulTN.apply(a, b)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x @ weight.T + bias: x (..., in), weight (out, in), bias (out,) -> y (..., out)."""
    if x.ndim == 0 or weight.ndim != 2 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} needs last dimension {weight.shape[-1]} "
                         f"to match {_weight(weight)} of shape {weight.shape} (out_features, "
                         "in_features)")
    if bias is not None and bias.shape != weight.shape[:1]:
        raise ValueError(f"linear: bias of shape {bias.shape} does not match {_weight(weight)} of "
                         f"shape {weight.shape}; expected ({weight.shape[0]},)")
    return Linear.apply(x, weight, bias)


def _weight(weight: Tensor) -> str:
    return f"weight {weight.name!r}" if weight.name else "weight"


@tensor_method("reshape", "view")
def reshape(x: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape (one axis may be -1); accepts reshape(2, 3) or reshape((2, 3))."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = tuple(shape[0])
    if tuple(shape) == x.shape:
        return x
    return Reshape.apply(x, shape)


@tensor_method("permute")
def permute(x: Tensor, *order: Any) -> Tensor:
    """Reorder the axes: permute(2, 0, 1) makes axis 2 the first."""
    if len(order) == 1 and not isinstance(order[0], (int, np.integer)):
        order = tuple(order[0])
    n = x.ndim
    axes = tuple([o + n if o < 0 else o for o in order])
    if sorted(axes) != list(range(n)):
        raise ValueError(f"permute: {tuple(order)} is not a permutation of the axes of shape {x.shape}")
    return Permute.apply(x, axes)


@tensor_method("expand")
def expand(x: Tensor, *shape: Any) -> Tensor:
    """Broadcast to a larger shape without copying (-1 keeps an axis's size)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = tuple(shape[0])
    lead = len(shape) - x.ndim
    shape = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
    if shape == x.shape:
        return x
    return Expand.apply(x, shape)


@tensor_method("__getitem__")
def getitem(x: Tensor, index: Any) -> Tensor:
    """numpy indexing: ints, slices, None, Ellipsis, integer arrays and boolean masks."""
    return GetItem.apply(x, _plain_index(index))


@tensor_method("matmul", "__matmul__")
def matmul(a: Tensor, b: Any) -> Tensor:
    """Matrix product with np.matmul's rules: (n, k) @ (k, m) -> (n, m), 1-D and batched too."""
    return MatMul.apply(a, b if isinstance(b, Tensor) else Tensor(b))


@tensor_method("__rmatmul__")
def rmatmul(b: Tensor, a: Any) -> Tensor:
    return MatMul.apply(Tensor(a), b)


def cat(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (numpy's concatenate, PyTorch's cat)."""
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    ndim = tensors[0].ndim
    if any(t.ndim != ndim for t in tensors) or ndim == 0:
        raise ValueError(f"cat: all tensors need the same number (>= 1) of dimensions, got shapes "
                         f"{[t.shape for t in tensors]}")
    return Cat.apply(*tensors, axis=_axes(axis, ndim)[0])


concatenate = cat


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    if len({t.shape for t in tensors}) != 1:
        raise ValueError(f"stack: all tensors need the same shape, got {[t.shape for t in tensors]}")
    return cat([t.unsqueeze(axis) for t in tensors], axis=axis)
