"""Square-matrix ops: inverse, det, log|det| and solve, forward on np.linalg, backward in
Tensor ops (so every order of gradient is again these ops and matmuls).

All take a matrix (n, n) or a batch (..., n, n) of them, in float32 or float64, as
torch.linalg does; a singular matrix raises (numpy's LinAlgError, a ValueError, naming the op).
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..function import Function, numpy_call
from .._tensor import Tensor
from .arithmetic import where
from .register import tensor_method


def _square(op: str, a: np.ndarray) -> None:
    if a.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point matrix, got dtype {a.dtype}")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{op}: expected a square matrix or a batch of them, shape (..., n, n), "
                         f"got {a.shape}")


class Inverse(Function):
    """A⁻¹ of a square matrix (or of each in a batch)."""
    derivative = "dA = -A⁻ᵀ dout A⁻ᵀ"

    @staticmethod
    def forward(ctx, a):
        _square("inverse", a)
        return np.linalg.inv(a)

    @staticmethod
    def backward(ctx, g):
        inv_t = ctx.output.mT        # the output is A⁻¹: recorded, so second order flows through it
        return (-(inv_t @ g @ inv_t),)


class Det(Function):
    """det A of a square matrix (or of each in a batch): shape (...)."""
    derivative = "dA = dout · det A · A⁻ᵀ"

    @staticmethod
    def forward(ctx, a):
        _square("det", a)
        return np.linalg.det(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.inputs
        scale = (g * ctx.output).unsqueeze(-1).unsqueeze(-1)    # (..., 1, 1)
        # A⁻ᵀ needs A invertible: at a singular A this raises (see docs/pytorch-differences.md)
        return (scale * Inverse.apply(a).mT,)


class LogAbsDet(Function):
    """log |det A| of a square matrix (or of each in a batch): shape (...)."""
    derivative = "dA = dout · A⁻ᵀ"

    @staticmethod
    def forward(ctx, a):
        _square("slogdet", a)
        return np.linalg.slogdet(a)[1]

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.inputs
        return (g.unsqueeze(-1).unsqueeze(-1) * Inverse.apply(a).mT,)


class Solve(Function):
    """X with A X = B, for A (..., n, n) and B (..., n, k); batch dims broadcast."""
    derivative = "dB = solve(Aᵀ, dout); dA = -dB Xᵀ"

    @staticmethod
    def forward(ctx, a, b):
        _square("solve", a)
        if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
            raise ValueError(f"solve: B of shape {b.shape} does not match A of shape {a.shape}: "
                             f"expected (..., {a.shape[-1]}, k) or ({a.shape[-1]},)")
        return np.linalg.solve(a, b)

    @staticmethod
    def backward(ctx, g):
        a, _ = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        gb = Solve.apply(a.mT, g)                           # (..., n, k)
        return (-(gb @ ctx.output.mT) if need_a else None, gb if need_b else None)


@tensor_method("inverse")
def inverse(a: Tensor) -> Tensor:
    """A⁻¹: shape (..., n, n) -> (..., n, n); torch.inverse and torch.linalg.inv.

    dA = -A⁻ᵀ dout A⁻ᵀ. Example: Tensor([[2., 0.], [0., 4.]]).inverse() is [[0.5, 0], [0, 0.25]].
    """
    return Inverse.apply(a)


@tensor_method("det")
def det(a: Tensor) -> Tensor:
    """det A: shape (..., n, n) -> (...); torch.det and torch.linalg.det.

    dA = dout · det A · A⁻ᵀ. Example::

        >>> a = Tensor([[2., 1.], [1., 3.]], requires_grad=True)
        >>> a.det().backward(); a.grad            # det A · A⁻ᵀ = [[3, -1], [-1, 2]]
    """
    return Det.apply(a)


class SignLogAbsDet(NamedTuple):
    """slogdet's result, as torch.return_types.slogdet: det A = sign · exp(logabsdet)."""
    sign: Tensor
    logabsdet: Tensor


@tensor_method("slogdet")
def slogdet(a: Tensor) -> SignLogAbsDet:
    """(sign, logabsdet) with det A = sign · exp(logabsdet), without overflow for large n.

    Shapes (..., n, n) -> (...) each; the sign carries no gradient, d logabsdet / dA = A⁻ᵀ.
    Example: Tensor([[-2., 0.], [0., 3.]]).slogdet() is (sign -1, logabsdet log 6).
    """
    logabsdet = LogAbsDet.apply(a)
    return SignLogAbsDet(Tensor(numpy_call(_sign_of_det, a._data)), logabsdet)


def _sign_of_det(a: np.ndarray) -> np.ndarray:
    return np.linalg.slogdet(a)[0].astype(a.dtype, copy=False)


@tensor_method("logdet")
def logdet(a: Tensor) -> Tensor:
    """log det A: shape (..., n, n) -> (...); nan where det A < 0 and -inf where it is 0,
    as torch.logdet. Its gradient is A⁻ᵀ dout (where det A > 0)."""
    sign, logabsdet = slogdet(a)
    # one path whatever the signs (a compiled step replays it): log|det| where det > 0, else
    # nan (det < 0) or -inf (det = 0), which get no gradient
    fill = numpy_call(_logdet_fill, sign._data)
    return where(sign > 0, logabsdet, fill)


def _logdet_fill(sign: np.ndarray) -> np.ndarray:
    return np.where(sign < 0, np.nan, -np.inf).astype(sign.dtype)


def solve(A: Any, B: Any, *, left: bool = True) -> Tensor:
    """X with A X = B (left=True) or X A = B (left=False), as torch.linalg.solve.

    Shapes: A (..., n, n); B (..., n, k) or a vector (n,) (also (..., n) when A's batch shape is
    B's, PyTorch's rule) -> X of B's shape; batch dims broadcast. dB = solve(Aᵀ, dout),
    dA = -dB Xᵀ. Example: solve(Tensor([[2., 0.], [0., 4.]]), Tensor([2., 2.])) is [1, 0.5].
    """
    a = A if isinstance(A, Tensor) else Tensor(A)
    b = B if isinstance(B, Tensor) else Tensor(B)
    if a.ndim < 2:
        raise ValueError(f"solve: expected A of shape (..., n, n), got {a.shape}")
    if not left:   # X A = B is Aᵀ Xᵀ = Bᵀ
        if b.ndim < 2:
            raise ValueError(f"solve: left=False needs B of shape (..., k, n), got {b.shape}")
        return solve(a.mT, b.mT).mT
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    if vector:
        return Solve.apply(a, b.unsqueeze(-1)).squeeze(-1)   # (..., n, 1) -> (..., n)
    return Solve.apply(a, b)
