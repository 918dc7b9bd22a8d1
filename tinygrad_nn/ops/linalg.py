"""Matrix products: matmul, linear (x Wᵀ + b) and matmul_tn (aᵀ b), closed under differentiation."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from .._tensor import Tensor
from .register import tensor_method
from .shape import _dim, stack


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


class Einsum(Function):
    """np.einsum with explicit subscripts (no ellipsis, no broadcasting: einsum() expands both
    away first). The gradient of operand k is again an einsum: dout and the other operands
    contracted to k's subscripts, so every order of gradient is one einsum."""
    derivative = "d op_k = einsum(dout and the other operands -> op_k's subscripts)"

    @staticmethod
    def forward(ctx, *operands, inputs, output):
        equation = ",".join(inputs) + "->" + output
        sizes = {c: n for op, s in zip(operands, inputs) for c, n in zip(s, op.shape)}
        # optimize=True contracts pairs with BLAS (a (256, 128) @ (128, 64) einsum: 64 µs instead
        # of 1.8 ms) but plans for ~7 µs first, which a small einsum (1.7 µs) does not repay
        big = len(operands) > 2 or int(np.prod(list(sizes.values()), dtype=np.float64)) >= 4096
        return np.einsum(equation, *operands, optimize=big)

    @staticmethod
    def backward(ctx, g):
        inputs, output = ctx.kwargs["inputs"], ctx.kwargs["output"]
        operands = ctx.inputs
        return tuple(_einsum_grad(g, operands, inputs, output, k) if need else None
                     for k, need in enumerate(ctx.needs_input_grad))


def _einsum_grad(g: Tensor, operands: tuple, inputs: tuple, output: str, k: int) -> Tensor:
    target = inputs[k]
    terms = [(op, s) for j, (op, s) in enumerate(zip(operands, inputs)) if j != k]
    terms.append((g, output))
    known = set("".join(s for _, s in terms))
    fresh = iter(sorted(set(_LETTERS) - known - set(target)))
    letters = []
    for pos, c in enumerate(target):
        n = operands[k].shape[pos]
        if c in letters:
            # a repeated subscript (a diagonal, "ii"): the gradient lives on the diagonal only,
            # so link a new letter to the first occurrence through an identity matrix
            d = next(fresh)
            terms.append((Tensor(np.eye(n, dtype=g.dtype)), c + d))
            letters.append(d)
            continue
        if c not in known:
            # summed in operand k alone: every element got the same dout, so broadcast with ones
            terms.append((Tensor(np.ones(n, dtype=g.dtype)), c))
            known.add(c)
        letters.append(c)
    return Einsum.apply(*[op for op, _ in terms], inputs=tuple(s for _, s in terms),
                        output="".join(letters))


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, as np.einsum and torch.einsum: einsum("ij,jk->ik", a, b) is a @ b,
    einsum("ii", a) the trace, einsum("bij->bji", a) a transpose. Subscripts may use "..." for
    leading axes and size-1 axes broadcast; without "->" the output is the ellipsis axes then
    the subscripts that appear once, in alphabetical order. Operands may also be one list.

    Gradients of every order are einsums again (see Einsum)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = [op if isinstance(op, Tensor) else Tensor(op) for op in operands]
    inputs, output = _parse_einsum(equation, [t.shape for t in tensors])
    sizes: dict[str, int] = {}
    for t, s in zip(tensors, inputs):
        for c, n in zip(s, t.shape):
            if sizes.get(c, 1) != 1 and n not in (1, sizes[c]):
                raise ValueError(f"einsum: subscript {c!r} has sizes {sizes[c]} and {n} in "
                                 f"{equation!r} with shapes {[t.shape for t in tensors]}")
            sizes[c] = max(sizes.get(c, n), n)
    # broadcast size-1 axes explicitly, so that the primitive (and its gradient) never has to
    expanded = []
    for t, s in zip(tensors, inputs):
        full = tuple(sizes[c] for c in s)
        expanded.append(t.expand(*full) if full != t.shape else t)
    return Einsum.apply(*expanded, inputs=inputs, output=output)


def _parse_einsum(equation: str, shapes: list) -> tuple[tuple[str, ...], str]:
    """Explicit subscripts for each operand and the output, with "..." replaced by letters."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: {equation!r} has {len(terms)} operand subscripts but "
                         f"{len(shapes)} operands were given")
    for term in terms + [rhs]:
        if any(c not in _LETTERS for c in term.replace("...", "")):
            raise ValueError(f"einsum: subscripts must be letters (and '...'), got {equation!r}")
    unused = [c for c in _LETTERS if c not in eq]
    ellipsis_dims = 0
    for term, shape in zip(terms, shapes):
        named = len(term.replace("...", ""))
        if ("..." in term and named > len(shape)) or ("..." not in term and named != len(shape)):
            raise ValueError(f"einsum: subscripts {term!r} do not match an operand of shape {shape} "
                             f"in {equation!r}")
        if "..." in term:
            ellipsis_dims = max(ellipsis_dims, len(shape) - named)
    if ellipsis_dims > len(unused):
        raise ValueError(f"einsum: too many dims for {equation!r}")
    batch = "".join(unused[:ellipsis_dims])
    inputs = tuple(term.replace("...", batch[ellipsis_dims - (len(shape) - len(term) + 3):])
                   if "..." in term else term for term, shape in zip(terms, shapes))
    if arrow:   # ellipsis axes missing from the output are summed, as in numpy and PyTorch
        output = rhs.replace("...", batch)
    else:
        counts = "".join(t for t in terms).replace("...", "")
        output = batch + "".join(sorted(c for c in set(counts) if counts.count(c) == 1))
    if len(set(output)) != len(output) or any(c not in "".join(inputs) for c in output):
        raise ValueError(f"einsum: the output subscripts of {equation!r} must be distinct and "
                         "appear in an operand")
    return inputs, output


@tensor_method("outer")
def outer(a: Tensor, b: Any) -> Tensor:
    """a_i b_j for 1-D a (n,) and b (m,) -> (n, m)."""
    b = b if isinstance(b, Tensor) else Tensor(b)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"outer: needs 1-D tensors, got shapes {a.shape} and {b.shape}")
    return a.reshape(-1, 1) * b.reshape(1, -1)


@tensor_method("bmm")
def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix product without broadcasting: (B, n, k) @ (B, k, m) -> (B, n, m)."""
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ValueError(f"bmm: needs (B, n, k) and (B, k, m) tensors, got shapes {a.shape} and "
                         f"{b.shape}")
    return a @ b


@tensor_method("mv")
def mv(a: Tensor, v: Tensor) -> Tensor:
    """Matrix-vector product: (n, m) @ (m,) -> (n,)."""
    if a.ndim != 2 or v.ndim != 1 or a.shape[1] != v.shape[0]:
        raise ValueError(f"mv: needs a matrix (n, m) and a vector (m,), got shapes {a.shape} and "
                         f"{v.shape}")
    return a @ v


@tensor_method("inner")
def inner(a: Tensor, b: Any) -> Tensor:
    """Sum over the last axes: out[i..., j...] = sum_k a[i..., k] b[j..., k] (a number for 0-d)."""
    b = b if isinstance(b, Tensor) else Tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"inner: last dims differ, shapes {a.shape} and {b.shape}")
    left, right = _LETTERS[:a.ndim - 1], _LETTERS[a.ndim - 1:a.ndim + b.ndim - 2]
    return einsum(f"{left}Z,{right}Z->{left}{right}", a, b)


@tensor_method("kron")
def kron(a: Tensor, b: Any) -> Tensor:
    """Kronecker product: blocks a[i, j] * b; shapes (n, m), (p, q) -> (n p, m q) (and N-D)."""
    b = b if isinstance(b, Tensor) else Tensor(b)
    ndim = max(a.ndim, b.ndim)
    sa, sb = (1,) * (ndim - a.ndim) + a.shape, (1,) * (ndim - b.ndim) + b.shape
    # a as (n, 1, m, 1), b as (1, p, 1, q): the product is (n, p, m, q) -> (n p, m q)
    wide = a.reshape(*[m for n in sa for m in (n, 1)]) * b.reshape(*[m for n in sb for m in (1, n)])
    return wide.reshape(*[n * m for n, m in zip(sa, sb)])


@tensor_method("cross")
def cross(a: Tensor, b: Any, dim: int | None = None) -> Tensor:
    """Cross product of 3-vectors along `dim` (a and b broadcast; dim=None takes the first axis of
    length 3, PyTorch's deprecated default; torch.linalg.cross's default is dim=-1)."""
    b = b if isinstance(b, Tensor) else Tensor(b)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"cross: shapes {a.shape} and {b.shape} do not broadcast") from None
    if dim is None:
        if 3 not in shape:
            raise ValueError(f"cross: no dim of length 3 in shapes {a.shape} and {b.shape}")
        dim = shape.index(3)
    d = _dim("cross", dim, shape)
    if shape[d] != 3:
        raise ValueError(f"cross: dim {dim} of shapes {a.shape} and {b.shape} must have length 3")
    a, b = a.expand(*shape), b.expand(*shape)
    (a0, a1, a2), (b0, b1, b2) = a.unbind(d), b.unbind(d)
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=d)


@tensor_method("addmm")
def addmm(x: Tensor, mat1: Tensor, mat2: Tensor, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta · x + alpha · (mat1 @ mat2), x broadcasting to the (n, p) product of (n, m) and (m, p)
    matrices; beta=0 ignores x (nan in x does not propagate), as PyTorch.

    >>> b = Tensor([1.0, 1.0], requires_grad=True)
    >>> b.addmm(Tensor([[1.0, 2.0]]), Tensor([[3.0], [4.0]]) * Tensor([[1.0, 1.0]]), beta=2).sum().backward()
    >>> b.grad   # Tensor([2. 2.]): d(beta · b)/db"""
    a, b = (m if isinstance(m, Tensor) else Tensor(m) for m in (mat1, mat2))
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"addmm: mat1 and mat2 must be matrices that multiply, got shapes {a.shape} "
                         f"and {b.shape}")
    try:
        np.broadcast_to(np.empty(x.shape, bool), (a.shape[0], b.shape[1]))
    except ValueError:
        raise ValueError(f"addmm: input of shape {x.shape} does not broadcast to the product's shape "
                         f"{(a.shape[0], b.shape[1])}") from None
    product = a @ b
    if alpha != 1:
        product = alpha * product
    if beta == 0:
        return product
    return (x if beta == 1 else beta * x) + product


def tensordot(a: Any, b: Any, dims: Any = 2) -> Tensor:
    """Sum of products over the last `dims` axes of a and the first of b (an int), or over the axes
    paired by dims = ([a axes], [b axes]) (numpy's tensordot), as a reshape and one matmul:
    tensordot(a (2, 3, 4), b (3, 4, 5), 2) is (2, 5), out[i, l] = Σ_jk a[i, j, k] b[j, k, l]."""
    a = a if isinstance(a, Tensor) else Tensor(a)
    b = b if isinstance(b, Tensor) else Tensor(b)
    if isinstance(dims, (int, np.integer)):
        if dims < 0 or dims > min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: dims={dims} is out of range for shapes {a.shape} and {b.shape}")
        axes_a, axes_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        first, second = dims
        first = [first] if isinstance(first, (int, np.integer)) else list(first)
        second = [second] if isinstance(second, (int, np.integer)) else list(second)
        axes_a = [int(d) % max(a.ndim, 1) for d in first]
        axes_b = [int(d) % max(b.ndim, 1) for d in second]
    if len(axes_a) != len(axes_b) or any(a.shape[i] != b.shape[j] for i, j in zip(axes_a, axes_b)):
        raise ValueError(f"tensordot: contracted dims {axes_a} of {a.shape} and {axes_b} of {b.shape} "
                         "must have the same sizes")
    free_a = [i for i in range(a.ndim) if i not in axes_a]
    free_b = [j for j in range(b.ndim) if j not in axes_b]
    k = 1
    for i in axes_a:
        k *= a.shape[i]
    left = a.permute(*free_a, *axes_a).reshape(-1, k)           # (free of a, contracted)
    right = b.permute(*axes_b, *free_b).reshape(k, -1)          # (contracted, free of b)
    return (left @ right).reshape(*[a.shape[i] for i in free_a], *[b.shape[j] for j in free_b])
