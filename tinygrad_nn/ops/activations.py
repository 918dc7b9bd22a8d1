"""Activation functions: tanh, sigmoid, softplus, relu, leaky_relu. Gradients at kinks follow
PyTorch: relu'(0) = 0, leaky_relu'(0) = negative_slope."""
from __future__ import annotations

import numpy as np

from ..function import Function
from .._tensor import Tensor
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
    return Tanh.apply(floating(x))


@tensor_method("sigmoid")
def sigmoid(x: Tensor) -> Tensor:
    """σ(x) = 1 / (1 + e^-x), stable for any x; σ'(x) = σ(x)(1 - σ(x)).

    >>> x = Tensor([0.0], requires_grad=True); x.sigmoid().sum().backward(); x.grad
    Tensor([0.25])
    """
    return Sigmoid.apply(floating(x))


@tensor_method("softplus")
def softplus(x: Tensor) -> Tensor:
    """log(1 + e^x), stable for any x."""
    return Softplus.apply(floating(x))


@tensor_method("relu")
def relu(x: Tensor) -> Tensor:
    """max(x, 0) elementwise."""
    return Relu.apply(x)


@tensor_method("leaky_relu")
def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return LeakyRelu.apply(x, negative_slope)
