"""Shape ops composed of the primitives (getitem, reshape, permute, expand, cat, where): flip,
roll, narrow, split, chunk, unbind, movedim, repeat, tile, repeat_interleave, unfold, tril,
triu, diagonal, trace, unflatten. None has a backward of its own: each is exact as a
composition, and its gradient (of any order) is the composition's.

PyTorch's names and argument orders throughout (`dim`, `dims`).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._tensor import Tensor
from .arithmetic import where
from .index import ScatterAdd
from .register import tensor_method
from .shape import _dim, _dims, cat


def _sizes(args: tuple) -> tuple[int, ...]:
    """Accept f(2, 3) and f((2, 3)) alike."""
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        return tuple(int(n) for n in args[0])
    return tuple(int(n) for n in args)


def _along(dim: int, index: Any) -> tuple:
    """A numpy index that applies `index` to axis `dim` and keeps every other axis."""
    return (slice(None),) * dim + (index,)


@tensor_method("flip")
def flip(x: Tensor, dims: Any) -> Tensor:
    """Reverse the order of elements along `dims` (an int or a sequence): x.flip(0)."""
    axes = _dims("flip", dims, x.shape)
    if x.ndim == 0 or not axes:
        return x
    return x[tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(x.ndim))]


@tensor_method("roll")
def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements cyclically by `shifts` along `dims` (the flattened tensor if dims is None):
    out[(i + s) % n] = x[i]. shifts and dims are ints or sequences of the same length."""
    if dims is None:
        if not isinstance(shifts, (int, np.integer)):
            if len(shifts) != 1:
                raise ValueError(f"roll: without dims, shifts must be one int, got {shifts}")
            shifts = shifts[0]
        return roll(x.reshape(-1), shifts, 0).reshape(*x.shape)
    shift_list = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dim_list = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shift_list) != len(dim_list):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    out = x
    for s, d in zip(shift_list, dim_list):
        d = _dim("roll", d, x.shape)
        if x.ndim == 0:
            continue
        n = x.shape[d]
        s = int(s) % n if n else 0
        if s:
            # the last s elements move to the front
            out = cat([out[_along(d, slice(n - s, None))], out[_along(d, slice(0, n - s))]], axis=d)
    return out


@tensor_method("narrow")
def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """x[..., start:start + length, ...] along `dim` (start may be negative, as in PyTorch)."""
    d = _dim("narrow", dim, x.shape)
    n = x.shape[d] if x.ndim else 1
    if not -n <= start <= n:
        raise IndexError(f"narrow: start {start} is out of range for dim {dim} of shape {x.shape}")
    start = start % n if start < 0 else start
    if length < 0 or start + length > n:
        raise ValueError(f"narrow: start ({start}) + length ({length}) exceeds size {n} of dim "
                         f"{dim} of shape {x.shape}")
    return x[_along(d, slice(start, start + length))]


@tensor_method("split")
def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of size `split_size_or_sections` along `dim` (the last may be smaller), or of the
    sizes in a list (which must add up to the dim's size), as PyTorch's split."""
    d = _dim("split", dim, x.shape)
    if x.ndim == 0:
        raise ValueError("split: cannot split a 0-d tensor")
    n = x.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0 and n:
            raise ValueError(f"split: split_size must be positive, got {size} for shape {x.shape}")
        sizes = [min(size, n - s) for s in range(0, n, size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sections {sizes} do not add up to size {n} of dim {dim} of "
                             f"shape {x.shape}")
    pieces, start = [], 0
    for s in sizes:
        pieces.append(x[_along(d, slice(start, start + s))])
        start += s
    return tuple(pieces)


@tensor_method("chunk")
def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most `chunks` pieces of equal size ceil(n / chunks) along `dim` (the last may be
    smaller, and there may be fewer pieces), as PyTorch's chunk."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    d = _dim("chunk", dim, x.shape)
    n = x.shape[d] if x.ndim else 1
    return split(x, max(-(-n // chunks), 1), d)


@tensor_method("unbind")
def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along `dim`, that axis removed: x.unbind(0) == (x[0], x[1], ...)."""
    if x.ndim == 0:
        raise ValueError("unbind: cannot unbind a 0-d tensor")
    d = _dim("unbind", dim, x.shape)
    return tuple(x[_along(d, i)] for i in range(x.shape[d]))


@tensor_method("movedim", "moveaxis")
def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    """Move axes `source` to positions `destination` (ints or sequences), keeping the order of
    the others (numpy's moveaxis)."""
    src = _dims("movedim", source, x.shape)
    dst = _dims("movedim", destination, x.shape)
    if len(src) != len(dst):
        raise ValueError(f"movedim: source {source} and destination {destination} must have the "
                         "same number of dims")
    order = [i for i in range(x.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return x.permute(*order) if x.ndim else x


@tensor_method("swapaxes")
def swapaxes(x: Tensor, axis0: int, axis1: int) -> Tensor:
    """Swap two axes (numpy's swapaxes, with PyTorch's argument names; also transpose and
    swapdims)."""
    return x.transpose(axis0, axis1)


@tensor_method("swapdims")
def swapdims(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two axes (PyTorch's name for transpose)."""
    return x.transpose(dim0, dim1)


@tensor_method("view_as", "reshape_as")
def view_as(x: Tensor, other: Tensor) -> Tensor:
    """x reshaped to other's shape."""
    return x.reshape(*other.shape)


@tensor_method("expand_as")
def expand_as(x: Tensor, other: Tensor) -> Tensor:
    """x broadcast to other's shape."""
    return x.expand(*other.shape)


@tensor_method("unflatten")
def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split axis `dim` into axes of `sizes` (one may be -1): the inverse of flatten."""
    d = _dim("unflatten", dim, x.shape)
    return x.reshape(*x.shape[:d], *sizes, *x.shape[d + 1:])


@tensor_method("repeat")
def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """PyTorch's repeat (numpy's tile): copies of x along each axis, x.repeat(2, 3) of a (n, m)
    tensor is (2n, 3m) with x in each of the 2 x 3 blocks. len(sizes) >= x.ndim; extra sizes
    add leading axes."""
    reps = _sizes(sizes)
    if len(reps) < x.ndim:
        raise ValueError(f"repeat: needs at least {x.ndim} sizes for shape {x.shape}, got {reps}")
    if any(r < 0 for r in reps):
        raise ValueError(f"repeat: sizes must be non-negative, got {reps}")
    shape = (1,) * (len(reps) - x.ndim) + x.shape
    # (n0, n1) -> (1, n0, 1, n1) -> (r0, n0, r1, n1) -> (r0 n0, r1 n1)
    spread = x.reshape(*[m for n in shape for m in (1, n)])
    tiled = spread.expand(*[m for r, n in zip(reps, shape) for m in (r, n)])
    return tiled.reshape(*[r * n for r, n in zip(reps, shape)])


@tensor_method("tile")
def tile(x: Tensor, *reps: Any) -> Tensor:
    """numpy's tile: repeat, with fewer reps than axes padded by leading 1s."""
    r = _sizes(reps)
    return repeat(x, *((1,) * (x.ndim - len(r)) + r))


@tensor_method("repeat_interleave")
def repeat_interleave(x: Tensor, repeats: Any, dim: int | None = None) -> Tensor:
    """Repeat each element `repeats` times along `dim` (the flattened tensor if None):
    [a, b].repeat_interleave(2) == [a, a, b, b]; repeats may give one count per element."""
    if dim is None:
        x, dim = x.reshape(-1), 0
    d = _dim("repeat_interleave", dim, x.shape)
    if x.ndim == 0:
        x = x.reshape(1)
    counts = np.asarray(repeats._data if isinstance(repeats, Tensor) else repeats)
    n = x.shape[d]
    if counts.dtype.kind not in "iu" or counts.ndim > 1 or (counts < 0).any():
        raise ValueError(f"repeat_interleave: repeats must be non-negative ints (one, or one per "
                         f"element), got {repeats!r}")
    if counts.ndim == 1 and counts.size != n and counts.size != 1:
        raise ValueError(f"repeat_interleave: {counts.size} repeats for {n} elements along dim "
                         f"{dim} of shape {x.shape}")
    return x[_along(d, np.repeat(np.arange(n), counts))]


@tensor_method("unfold")
def unfold(x: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Windows of `size` elements every `step` along `dimension`: that axis becomes the window
    count (n - size) // step + 1 and a new last axis of length `size` holds each window."""
    d = _dim("unfold", dimension, x.shape)
    n = x.shape[d] if x.ndim else 1
    if size < 0 or size > n or step <= 0:
        raise ValueError(f"unfold: size {size} and step {step} do not fit dim {dimension} of "
                         f"size {n} (need 0 <= size <= {n}, step > 0)")
    if x.ndim == 0:
        return x.reshape(1)[:size]
    starts = np.arange(0, n - size + 1, step)
    windows = x[_along(d, starts[:, None] + np.arange(size))]   # (..., count, size, ...)
    return windows.movedim(d + 1, -1)


def _triangle(op: str, x: Tensor, diagonal: int, lower: bool) -> Tensor:
    if x.ndim < 2:
        raise ValueError(f"{op}: needs a matrix or a batch of matrices, got shape {x.shape}")
    rows, cols = x.shape[-2:]
    mask = np.tri(rows, cols, diagonal, dtype=bool)   # True on and below the diagonal-th diagonal
    zero = np.zeros((), x.dtype)   # not 0.0, which would promote a bool or int matrix to float
    return where(mask if lower else ~np.tri(rows, cols, diagonal - 1, dtype=bool), x, zero)


@tensor_method("tril")
def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """x with the elements above the `diagonal`-th diagonal zeroed (of the last two axes)."""
    return _triangle("tril", x, diagonal, lower=True)


@tensor_method("triu")
def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """x with the elements below the `diagonal`-th diagonal zeroed (of the last two axes)."""
    return _triangle("triu", x, diagonal, lower=False)


@tensor_method("diagonal")
def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The `offset`-th diagonal of the matrices in axes dim1 and dim2, as a new last axis
    (PyTorch's and numpy's diagonal): out[..., i] = x[..., i, i + offset]."""
    if x.ndim < 2:
        raise ValueError(f"diagonal: needs at least 2 dims, got shape {x.shape}")
    a, b = _dim("diagonal", dim1, x.shape), _dim("diagonal", dim2, x.shape)
    if a == b:
        raise ValueError(f"diagonal: dim1 and dim2 are the same axis ({dim1}, {dim2})")
    m = x.movedim((a, b), (-2, -1))          # (..., rows, cols)
    rows, cols = m.shape[-2:]
    k = max(0, min(rows + min(offset, 0), cols - max(offset, 0)))
    i = np.arange(k)
    return m[..., i + max(-offset, 0), i + max(offset, 0)]


@tensor_method("diag")
def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    """PyTorch's (and numpy's) diag: a 1-D x (n,) becomes the `diagonal`-th diagonal of an
    (n + |diagonal|, n + |diagonal|) matrix of zeros; a matrix gives its diagonal-th diagonal."""
    if x.ndim == 2:
        return x.diagonal(diagonal)
    if x.ndim != 1:
        raise ValueError(f"diag: needs a 1-D or 2-D tensor, got shape {x.shape}")
    n, k = x.shape[0], abs(diagonal)
    i = np.arange(n)
    # written into zeros at distinct places: ScatterAdd is exact, its gradient the diagonal back
    return ScatterAdd.apply(x, (i + max(-diagonal, 0), i + max(diagonal, 0)), (n + k, n + k))


@tensor_method("trace")
def trace(x: Tensor) -> Tensor:
    """Sum of the main diagonal of a matrix."""
    if x.ndim != 2:
        raise ValueError(f"trace: needs a matrix, got shape {x.shape}")
    return diagonal(x).sum()


@tensor_method("rot90")
def rot90(x: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """x rotated by k quarter turns in the plane of `dims`, from the first towards the second (numpy's
    rot90): a flip and a transpose, so the gradient is rotated back. [[1, 2], [3, 4]].rot90() is
    [[2, 4], [1, 3]]."""
    if len(dims) != 2:
        raise ValueError(f"rot90: expected two dims, got {tuple(dims)}")
    if x.ndim < 2:
        raise ValueError(f"rot90: needs at least 2 dims, got shape {x.shape}")
    d0, d1 = _dims("rot90", dims, x.shape)
    k %= 4
    if k == 0:
        return x
    if k == 2:
        return x.flip((d0, d1))
    if k == 1:
        return x.flip(d1).transpose(d0, d1)
    return x.transpose(d0, d1).flip(d1)
