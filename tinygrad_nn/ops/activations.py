"""Activation functions: tanh, sigmoid, softplus, relu, leaky_relu. Gradients at kinks follow
PyTorch: relu'(0) = 0, leaky_relu'(0) = negative_slope."""
from __future__ import annotations

import numpy as np

from ..function import Function, numpy_call
from .._tensor import Tensor
from .arithmetic import where
from .register import ONE, ZERO, floating, tensor_method


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


@tensor_method("tanh")
def tanh(x: Tensor) -> Tensor:
    """tanh(x); its derivative is 1 - tanh(x)**2."""
    if x._data.dtype.kind != "f":   # the check inline: this is the hot path
        x = floating(x)
    return Tanh.apply(x)


@tensor_method("sigmoid")
def sigmoid(x: Tensor) -> Tensor:
    """σ(x) = 1 / (1 + e^-x), stable for any x; σ'(x) = σ(x)(1 - σ(x)).

    >>> x = Tensor([0.0], requires_grad=True); x.sigmoid().sum().backward(); x.grad
    Tensor([0.25])
    """
    if x._data.dtype.kind != "f":   # the check inline: this is the hot path
        x = floating(x)
    return Sigmoid.apply(x)


def exact_softplus(x: Tensor) -> Tensor:
    """log(1 + e^x) at every x, stable (no linear tail): for losses and composites."""
    return Softplus.apply(floating(x))


@tensor_method("softplus")
def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(βx)) / β, stable for any x, and x itself where βx > threshold, as PyTorch (the
    tail is then exact: softplus(30.0) is 30.0, not 30 + 9.4e-14). d/dx = σ(βx), 1 in the tail.

    >>> x = Tensor([0.0], requires_grad=True); x.softplus().sum().backward(); x.grad   # σ(0)
    Tensor([0.5])
    """
    x = floating(x)
    bx = x if beta == 1.0 else x * beta
    soft = Softplus.apply(bx) if beta == 1.0 else Softplus.apply(bx) / beta
    tail = numpy_call(np.greater, bx._data, threshold)
    return where(tail, x, soft)


@tensor_method("relu")
def relu(x: Tensor) -> Tensor:
    """max(x, 0) elementwise."""
    return Relu.apply(x)


@tensor_method("leaky_relu")
def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return LeakyRelu.apply(x, negative_slope)


# --- compositions of primitives (no backward of their own); PyTorch's values at the kinks ------
# A comparison mask is a constant, so where(mask, a, b) sends the gradient through one branch;
# the branch not taken must still be finite (its values are computed), hence the clips below.

_SQRT_HALF = 0.7071067811865476
_SQRT_TWO_OVER_PI = 0.7978845608028654
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


@tensor_method("gelu")
def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x Φ(x) = x (1 + erf(x / √2)) / 2; approximate="tanh" gives PyTorch's
    x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2."""
    if approximate == "tanh":
        return x * 0.5 * (1 + ((x + 0.044715 * x * x * x) * _SQRT_TWO_OVER_PI).tanh())
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return x * 0.5 * (1 + (x * _SQRT_HALF).erf())


@tensor_method("silu")
def silu(x: Tensor) -> Tensor:
    """x σ(x) (also called swish)."""
    return x * x.sigmoid()


def _negative_part_expm1(x: Tensor, alpha: float) -> Tensor:
    """alpha (e^(x/alpha) - 1) on x <= 0; the clip keeps exp from overflowing where x > 0."""
    return alpha * (x.clip(max=0.0) / alpha).expm1()


@tensor_method("elu")
def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (e^x - 1) otherwise; the derivative at 0 is alpha (PyTorch's)."""
    return where(numpy_call(np.greater, x._data, 0), x, alpha * x.clip(max=0.0).expm1())


@tensor_method("celu")
def celu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (e^(x/alpha) - 1) otherwise."""
    return where(numpy_call(np.greater, x._data, 0), x, _negative_part_expm1(x, alpha))


@tensor_method("selu")
def selu(x: Tensor) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants (alpha 1.6733, scale 1.0507)."""
    return x.elu(_SELU_ALPHA) * _SELU_SCALE


@tensor_method("mish")
def mish(x: Tensor) -> Tensor:
    """x tanh(softplus(x))."""
    return x * exact_softplus(x).tanh()


@tensor_method("hardtanh")
def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """clip(x, min_val, max_val), but with gradient 0 at the bounds (PyTorch's hardtanh; clamp
    passes it there)."""
    inside = numpy_call(_strictly_inside, x._data, min_val, max_val)
    return where(inside, x, numpy_call(np.clip, x._data, min_val, max_val))


def _strictly_inside(x: np.ndarray, low: float, high: float) -> np.ndarray:
    return (x > low) & (x < high)


@tensor_method("relu6")
def relu6(x: Tensor) -> Tensor:
    """min(max(x, 0), 6), gradient 0 at 0 and 6."""
    return x.hardtanh(0.0, 6.0)


@tensor_method("hardsigmoid")
def hardsigmoid(x: Tensor) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between (gradient 0 at ±3)."""
    return (x + 3).relu6() / 6


@tensor_method("hardswish")
def hardswish(x: Tensor) -> Tensor:
    """x relu6(x + 3) / 6; the gradient at -3 is 0 and at 3 is 1, as PyTorch 2.13."""
    return x * x.hardsigmoid()


@tensor_method("softsign")
def softsign(x: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return x / (x.abs() + 1)


@tensor_method("logsigmoid")
def logsigmoid(x: Tensor) -> Tensor:
    """log σ(x) = -softplus(-x), stable for any x."""
    return -exact_softplus(-x)


@tensor_method("tanhshrink")
def tanhshrink(x: Tensor) -> Tensor:
    """x - tanh(x)."""
    return x - x.tanh()


@tensor_method("softshrink")
def softshrink(x: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, 0 between (gradient 0 at ±lambd)."""
    above, below = numpy_call(np.greater, x._data, lambd), numpy_call(np.less, x._data, -lambd)
    return where(above, x - lambd, where(below, x + lambd, np.zeros((), x.dtype)))


@tensor_method("hardshrink")
def hardshrink(x: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    return where(numpy_call(_beyond, x._data, lambd), x, np.zeros((), x.dtype))


def _beyond(x: np.ndarray, lambd: float) -> np.ndarray:
    return np.abs(x) > lambd


@tensor_method("threshold")
def threshold(x: Tensor, threshold: float, value: float) -> Tensor:
    """x where x > threshold, else value."""
    return where(numpy_call(np.greater, x._data, threshold), x, np.asarray(value, x.dtype))


@tensor_method("prelu")
def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight * x, with one weight per channel (axis 1) or a single one;
    the derivative at 0 is the weight, as PyTorch."""
    if weight.numel() != 1:
        if x.ndim < 2 or weight.shape != (x.shape[1],):
            raise ValueError(f"prelu: weight of shape {weight.shape} does not match the channel "
                             f"axis (1) of input shape {x.shape}")
        weight = weight.reshape(-1, *([1] * (x.ndim - 2)))   # (C, 1, ...) broadcasts over axis 1
    return where(numpy_call(np.greater, x._data, 0), x, weight * x)


@tensor_method("glu")
def glu(x: Tensor, axis: int = -1) -> Tensor:
    """a σ(b) for the halves a, b of x along `axis` (its length must be even)."""
    n = x.shape[axis] if x.ndim else 1
    if x.ndim == 0 or n % 2:
        raise ValueError(f"glu: axis {axis} of shape {x.shape} must have an even length")
    a_index = [slice(None)] * x.ndim
    b_index = [slice(None)] * x.ndim
    a_index[axis], b_index[axis] = slice(0, n // 2), slice(n // 2, n)
    return x[tuple(a_index)] * x[tuple(b_index)].sigmoid()
