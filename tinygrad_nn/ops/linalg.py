"""Matrix products: matmul, linear (x Wᵀ + b) and matmul_tn (aᵀ b), closed under differentiation."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from .._tensor import Tensor
from .register import tensor_method


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


@tensor_method("matmul", "__matmul__")
def matmul(a: Tensor, b: Any) -> Tensor:
    """Matrix product with np.matmul's rules: (n, k) @ (k, m) -> (n, m), 1-D and batched too."""
    return MatMul.apply(a, b if isinstance(b, Tensor) else Tensor(b))


@tensor_method("__rmatmul__")
def rmatmul(b: Tensor, a: Any) -> Tensor:
    return MatMul.apply(Tensor(a), b)
