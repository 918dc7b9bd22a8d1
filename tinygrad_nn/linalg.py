"""PyTorch's `torch.linalg`: norms (compositions of Tensor ops) and the square-matrix ops of
ops/linalg_solve.py (inv, det, slogdet: the Tensor methods' function forms; solve).

>>> A = tinygrad_nn.tensor([[3.0, 1.0], [1.0, 2.0]], requires_grad=True)
>>> linalg.matrix_norm(A)             # sqrt(9 + 1 + 1 + 4)
>>> linalg.solve(A, tinygrad_nn.tensor([9.0, 8.0]))      # [2, 3]
"""
from __future__ import annotations

import math
from typing import Any, Callable

from ._surface import function_form
from ._tensor import Tensor
from .creation import tensor
from .ops.linalg_solve import solve


def _form(name: str) -> Callable[..., Any]:
    form = function_form(name)
    assert form is not None, name
    return form


inv = _form("inverse")
det = _form("det")
slogdet = _form("slogdet")


def _as_tensor(x: Any, dtype: Any) -> Tensor:
    t = x if isinstance(x, Tensor) else tensor(x)
    return t if dtype is None else t.astype(dtype)


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The vector ord-norm over `dim` (every element, as one vector, when dim is None):
    (Σ|x|^ord)^(1/ord); ord = inf max|x|, -inf min|x|, 0 the number of nonzeros.

    Shapes: x (*) -> x without `dim` (kept as 1s with keepdim). At the zero vector the 2-norm's
    gradient is 0, as PyTorch. Example: vector_norm(tensor([3., 4.])) is 5.
    """
    if isinstance(ord, str):
        raise ValueError(f"linalg.vector_norm: ord must be a number, got {ord!r} (matrix norms: "
                         "linalg.matrix_norm)")
    return _as_tensor(x, dtype).norm(ord, dim, keepdim)


_MATRIX_ORDS = ("fro", 1, -1, math.inf, -math.inf)


def matrix_norm(A: Any, ord: Any = "fro", dim: tuple[int, int] = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """A matrix norm over the two axes `dim` of A (..., m, n) -> (...):

    'fro' sqrt(Σ A_ij²); 1 / -1 the largest / smallest column sum of |A_ij|; inf / -inf the
    largest / smallest row sum. 'nuc', 2 and -2 need singular values, which tinygrad_nn does not
    compute: they raise NotImplementedError. Example: matrix_norm(tensor([[1., -2.], [3., 4.]]), 1)
    is 6 (the column |−2| + |4|).
    """
    a = _as_tensor(A, dtype)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs singular values (an SVD), "
                                  "which tinygrad_nn does not have; 'fro', 1, -1, inf and -inf work")
    if ord not in _MATRIX_ORDS:
        raise ValueError(f"linalg.matrix_norm: ord must be one of 'fro', 'nuc', 1, -1, 2, -2, inf, "
                         f"-inf, got {ord!r}")
    if a.ndim < 2:
        raise ValueError(f"linalg.matrix_norm: expected a matrix (..., m, n), got shape {a.shape}")
    if len(dim) != 2:
        raise ValueError(f"linalg.matrix_norm: dim must be two axes, got {dim}")
    d0, d1 = (d % a.ndim for d in dim)
    if d0 == d1:
        raise ValueError(f"linalg.matrix_norm: the two axes of dim={dim} must differ")
    if ord == "fro":
        return a.norm(2, (d0, d1), keepdim)
    # a column sum runs over the rows (axis d0), a row sum over the columns (d1)
    summed, across = (d0, d1) if ord in (1, -1) else (d1, d0)
    sums = a.abs().sum(summed, keepdims=True)
    out = sums.amax(across, keepdims=True) if ord > 0 else sums.amin(across, keepdims=True)
    return out if keepdim else out.squeeze((d0, d1))


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """torch.linalg.norm: a vector norm for an int `dim` (or a 1-D input), a matrix norm for a
    2-tuple `dim` (or a 2-D input), and with ord=None and dim=None the 2-norm of all elements.

    Example: norm(tensor([[3., 0.], [0., 4.]])) is 5; norm(x, 1, dim=1) are row sums of |x|.
    """
    a = _as_tensor(A, dtype)
    if isinstance(dim, int):
        dim = (dim,)
    if dim is None:
        if ord is None:
            return a.norm(2, None, keepdim)
        if a.ndim not in (1, 2):
            raise ValueError(f"linalg.norm: with ord={ord!r} and dim=None the input must be 1-D or "
                             f"2-D, got shape {a.shape}")
        dim = tuple(range(a.ndim))
    dim = tuple(dim)
    if len(dim) == 1:
        return vector_norm(a, 2 if ord is None else ord, dim, keepdim)
    if len(dim) == 2:
        return matrix_norm(a, "fro" if ord is None else ord, dim, keepdim)   # type: ignore[arg-type]
    raise ValueError(f"linalg.norm: dim must be one or two axes, got {dim}")


__all__ = ["vector_norm", "matrix_norm", "norm", "inv", "det", "slogdet", "solve"]
