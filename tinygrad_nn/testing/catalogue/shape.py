"""Catalogue rows for shape, indexing, cumulative and einsum ops (ops/layout, index, pad,
cumulative, linalg).

Integer arguments (dims, sizes, indices) are drawn valid for the drawn shape and passed through
unchanged; ops that return several tensors are checked through the flat concatenation."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from ...ops import cat
from ..._tensor import Tensor
from ..strategies import arrays, bounded, broadcastable_shapes, shapes, tensors
from .core import NO_TIES, OFF_GRID, OpCase, OPS, reshaped, unary

from ... import einsum as _einsum, pad as _pad  # noqa: E402


def _flat(parts: Any) -> Any:
    """Several outputs as one flat tensor (or array), so one row checks them all."""
    if isinstance(parts[0], Tensor):
        return cat([p.reshape(-1) for p in parts])
    return np.concatenate([np.reshape(p, -1) for p in parts])


@st.composite
def _x_and_dim(draw: Any, min_dims: int = 1, min_side: int = 1, elements: Any = None,
               unique: bool = False) -> tuple:
    x = draw(tensors(shapes(min_dims=min_dims, max_dims=3, min_side=min_side, max_side=4),
                     elements=elements, unique=unique))
    return x, draw(st.integers(-x.ndim, x.ndim - 1))


@st.composite
def _dims_subset(draw: Any) -> tuple:
    x = draw(tensors(shapes(min_dims=1, max_dims=3, max_side=3)))
    dims = draw(st.lists(st.integers(0, x.ndim - 1), max_size=x.ndim, unique=True))
    return x, tuple(d - x.ndim if draw(st.booleans()) else d for d in dims)


@st.composite
def _roll_args(draw: Any) -> tuple:
    x = draw(tensors(shapes(min_dims=1, max_dims=3, max_side=4)))
    if draw(st.booleans()):
        return x, draw(st.integers(-6, 6)), None
    dims = tuple(draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=3)))
    return x, tuple(draw(st.integers(-6, 6)) for _ in dims), dims


def _np_roll(x: np.ndarray, shifts: Any, dims: Any) -> np.ndarray:
    return np.roll(x, shifts, dims)


@st.composite
def _narrow_args(draw: Any) -> tuple:
    x, dim = draw(_x_and_dim())
    n = x.shape[dim]
    start = draw(st.integers(-n, n))
    length = draw(st.integers(0, n - start % n if start < 0 else n - start))
    return x, dim, start, length


def _np_narrow(x: np.ndarray, dim: int, start: int, length: int) -> np.ndarray:
    start = start % x.shape[dim] if start < 0 else start
    return np.take(x, np.arange(start, start + length), axis=dim)


@st.composite
def _split_args(draw: Any, sections: bool) -> tuple:
    x, dim = draw(_x_and_dim())
    n = x.shape[dim]
    if not sections:
        return x, draw(st.integers(1, n + 1)), dim
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
    return x, [b - a for a, b in zip([0] + cuts, cuts + [n])], dim


def _np_split(x: np.ndarray, size: Any, dim: int) -> np.ndarray:
    n = x.shape[dim]
    bounds = np.cumsum(size)[:-1] if isinstance(size, list) else np.arange(size, n, size)
    return _flat(np.split(x, bounds, axis=dim))


@st.composite
def _movedim_args(draw: Any) -> tuple:
    x = draw(tensors(shapes(min_dims=1, max_dims=4, max_side=3)))
    k = draw(st.integers(1, x.ndim))
    src = draw(st.permutations(range(x.ndim)))[:k]
    dst = draw(st.permutations(range(x.ndim)))[:k]
    return x, tuple(src), tuple(d - x.ndim if draw(st.booleans()) else d for d in dst)


@st.composite
def _like_args(draw: Any, op: str) -> tuple:
    x = draw(tensors(shapes(min_dims=0, max_dims=3, max_side=3)))
    if op == "expand_as":
        shape = draw(shapes(max_dims=1, max_side=2)) + tuple(
            draw(st.integers(1, 3)) if n == 1 else n for n in x.shape)
    else:
        shape = draw(st.sampled_from([(x.numel(),), tuple(reversed(x.shape)), (1,) + x.shape]))
    return x, Tensor(np.zeros(shape))


@st.composite
def _repeat_args(draw: Any, numpy_tile: bool) -> tuple:
    x = draw(tensors(shapes(min_dims=0, max_dims=2, max_side=3)))
    low = 0 if numpy_tile else x.ndim
    reps = tuple(draw(st.lists(st.integers(0, 3), min_size=low, max_size=x.ndim + 1)))
    return x, reps if reps else (1,)


@st.composite
def _repeat_interleave_args(draw: Any, per_element: bool) -> tuple:
    x = draw(tensors(shapes(min_dims=1, max_dims=3, max_side=3)))
    dim = draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
    n = x.numel() if dim is None else x.shape[dim]
    if per_element:
        return x, draw(arrays((n,), np.int64, elements=st.integers(0, 3))), dim
    return x, draw(st.integers(0, 3)), dim


def _np_repeat_interleave(x: np.ndarray, repeats: Any, dim: Any) -> np.ndarray:
    return np.repeat(x.reshape(-1) if dim is None else x, repeats, axis=0 if dim is None else dim)


@st.composite
def _unfold_args(draw: Any) -> tuple:
    x, dim = draw(_x_and_dim())
    n = x.shape[dim]
    return x, dim, draw(st.integers(0, n)), draw(st.integers(1, 3))


def _np_unfold(x: np.ndarray, dim: int, size: int, step: int) -> np.ndarray:
    dim %= x.ndim   # the windows' new last axis would shift a negative dim
    windows = np.lib.stride_tricks.sliding_window_view(x, size, axis=dim)
    return np.take(windows, np.arange(0, windows.shape[dim], step), axis=dim)


@st.composite
def _triangle_args(draw: Any) -> tuple:
    x = draw(tensors(shapes(min_dims=2, max_dims=3, max_side=4)))
    return x, draw(st.integers(-4, 4))


@st.composite
def _diagonal_args(draw: Any) -> tuple:
    x = draw(tensors(shapes(min_dims=2, max_dims=3, max_side=4)))
    a, b = draw(st.permutations(range(x.ndim)))[:2]
    return x, draw(st.integers(-3, 3)), a, b


@st.composite
def _gather_args(draw: Any) -> tuple:
    x, dim = draw(_x_and_dim())
    shape = tuple(draw(st.integers(1, 4)) if d == dim % x.ndim else draw(st.integers(1, n))
                  for d, n in enumerate(x.shape))
    return x, dim, draw(arrays(shape, np.int64, elements=st.integers(0, x.shape[dim] - 1)))


def _np_gather(x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    return np.take_along_axis(x[tuple(slice(0, n) for n in index.shape[:dim % x.ndim])
                                + (slice(None),)
                                + tuple(slice(0, n) for n in index.shape[dim % x.ndim + 1:])],
                              index, axis=dim)


@st.composite
def _scatter_args(draw: Any, elements: Any = None, src_elements: Any = None,
                  distinct: bool = False) -> tuple:
    """(x, dim, index, src): with distinct=True no two index elements write the same place."""
    x = draw(tensors(shapes(min_dims=1, max_dims=3, max_side=4), elements=elements, unique=True))
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    d = dim % x.ndim
    n = x.shape[d]
    shape = [draw(st.integers(1, m)) for m in x.shape]
    if distinct:
        shape[d] = draw(st.integers(1, n))
        # along dim, each line of index is a prefix of a permutation of 0..n-1
        perm = np.stack([np.asarray(draw(st.permutations(range(n))))[:shape[d]]
                         for _ in range(int(np.prod(shape)) // shape[d])])
        index = np.moveaxis(perm.reshape(*shape[:d], *shape[d + 1:], shape[d]), -1, d)
    else:
        shape[d] = draw(st.integers(1, 4))
        index = draw(arrays(tuple(shape), np.int64, elements=st.integers(0, n - 1)))
    src = draw(tensors(tuple(shape), elements=src_elements, unique=True))
    return x, dim, np.ascontiguousarray(index), src


def _np_positions(index: np.ndarray, dim: int) -> tuple:
    grid: list = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


def _np_scatter(x: np.ndarray, dim: int, index: np.ndarray, src: Any) -> np.ndarray:
    out = x.copy()
    out[_np_positions(index, dim)] = src
    return out


def _np_scatter_reduce(reduce: str, include_self: bool) -> Callable[..., np.ndarray]:
    def reference(x: np.ndarray, dim: int, index: np.ndarray, src: np.ndarray) -> np.ndarray:
        out = x.copy()
        pos = _np_positions(index, dim)
        groups: dict[tuple, list] = {}
        for target, value in zip(zip(*[np.broadcast_to(p, index.shape).reshape(-1) for p in pos]),
                                 src.reshape(-1)):
            groups.setdefault(target, []).append(value)
        for target, values in groups.items():
            values = ([x[target]] if include_self else []) + values
            name = {"sum": "sum", "mean": "mean", "amax": "max", "amin": "min"}[reduce]
            out[target] = getattr(np, name)(values)
        return out
    return reference


@st.composite
def _index_select_args(draw: Any) -> tuple:
    x, dim = draw(_x_and_dim())
    return x, dim, draw(arrays((draw(st.integers(0, 5)),), np.int64,
                               elements=st.integers(0, x.shape[dim] - 1)))


@st.composite
def _mask_args(draw: Any, tensor_value: bool = False) -> tuple:
    """(x, a boolean mask broadcastable to x's shape, value)."""
    (x_shape, m_shape), = [draw(broadcastable_shapes(2, max_dims=3, max_side=3))]
    x_shape = np.broadcast_shapes(x_shape, m_shape)
    x = draw(tensors(x_shape))
    mask = draw(arrays(m_shape, np.bool_, elements=st.booleans()))
    return x, mask, draw(tensors(())) if tensor_value else draw(bounded())


@st.composite
def _take_args(draw: Any) -> tuple:
    x = draw(tensors(shapes(min_dims=0, max_dims=3, max_side=3)))
    shape = draw(shapes(min_dims=0, max_dims=2, max_side=3))
    return x, draw(arrays(shape, np.int64, elements=st.integers(-x.numel(), x.numel() - 1)))


@st.composite
def _pad_args(draw: Any, mode: str) -> tuple:
    x = draw(tensors(shapes(min_dims=1, max_dims=3, max_side=4)))
    amounts = []
    for n in reversed(x.shape[-draw(st.integers(1, x.ndim)):]):
        # cropping (negative amounts) keeps at least one element: -(n // 2) and -((n - 1) // 2)
        for most_cropped in (n // 2, (n - 1) // 2):
            if mode == "reflect":
                amounts.append(draw(st.integers(-most_cropped, n - 1)))
            elif mode == "circular":
                amounts.append(draw(st.integers(0, n)))
            else:
                amounts.append(draw(st.integers(-most_cropped, 3)))
    value = draw(bounded()) if mode == "constant" else 0.0
    return x, tuple(amounts), mode, value


def _np_pad(x: np.ndarray, amounts: tuple, mode: str, value: float) -> np.ndarray:
    """numpy's pad on each axis in turn, with PyTorch's order for negative amounts (see pad)."""
    for k in range(len(amounts) // 2):
        axis, lo, hi = x.ndim - 1 - k, amounts[2 * k], amounts[2 * k + 1]
        n = x.shape[axis]
        if mode == "reflect":
            x = np.pad(x, [(0, 0)] * axis + [(max(lo, 0), max(hi, 0))] + [(0, 0)] * (x.ndim - axis - 1),
                       mode="reflect")
            x = np.take(x, np.arange(max(-lo, 0), x.shape[axis] - max(-hi, 0)), axis=axis)
            continue
        x = np.take(x, np.arange(max(-lo, 0), n - max(-hi, 0)), axis=axis)
        widths = [(0, 0)] * axis + [(max(lo, 0), max(hi, 0))] + [(0, 0)] * (x.ndim - axis - 1)
        if mode == "constant":
            x = np.pad(x, widths, constant_values=value)
        else:
            x = np.pad(x, widths, mode="edge" if mode == "replicate" else "wrap")
    return x


def _np_cumulative_extreme(largest: bool) -> Callable[..., np.ndarray]:
    def reference(x: np.ndarray, axis: int) -> np.ndarray:
        return (np.maximum if largest else np.minimum).accumulate(x, axis=axis)
    return reference


WITH_ZEROS = st.one_of(st.just(0.0), bounded())

# einsum: (equation, the letters' sizes are drawn; size-1 marks a broadcast axis)
_EINSUM_CASES = [
    ("ij,jk->ik", ["ij", "jk"]), ("bij,bjk->bik", ["bij", "bjk"]), ("ii", ["ii"]),
    ("ii->i", ["ii"]), ("iji->j", ["iji"]), ("i,j->ij", ["i", "j"]), ("ij,jk", ["ij", "jk"]),
    ("ij->ji", ["ij"]), ("ij,k->i", ["ij", "k"]), ("i,i->", ["i", "i"]),
    ("ij,jk,kl->il", ["ij", "jk", "kl"]), ("...ij,...jk->...ik", ["aij", "jk"]),
    ("b...,b...->b", ["bxy", "by"]), ("ij,ij->ij", ["ij", "1j"]),
]


def _np_einsum(equation: str, *operands: np.ndarray) -> np.ndarray:
    lhs, _, rhs = equation.partition("->")
    if "->" in equation and "..." in lhs and "..." not in rhs:
        # numpy refuses to sum ellipsis axes left out of the output; PyTorch sums them
        out = np.einsum(f"{lhs}->...{rhs}", *operands)
        return out.sum(axis=tuple(range(out.ndim - len(rhs))))
    return np.einsum(equation, *operands)


@st.composite
def _einsum_args(draw: Any) -> tuple:
    equation, letters = draw(st.sampled_from(_EINSUM_CASES))
    sizes = {c: draw(st.integers(1, 3)) for c in "".join(letters)}
    sizes["1"] = 1
    return (equation, *[draw(tensors(tuple(sizes[c] for c in s))) for s in letters])


@st.composite
def _einsum_ellipsis_broadcast(draw: Any) -> tuple:
    """"...ij,...jk": batch axes of the two operands broadcast against each other."""
    a_batch, b_batch = draw(broadcastable_shapes(2, max_dims=2, max_side=3))
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    return "...ij,...jk", draw(tensors(a_batch + (n, k))), draw(tensors(b_batch + (k, m)))


@st.composite
def _batched_pair(draw: Any, kind: str) -> tuple:
    n, k, m, b = (draw(st.integers(1, 3)) for _ in range(4))
    if kind == "bmm":
        return draw(tensors((b, n, k))), draw(tensors((b, k, m)))
    if kind == "mv":
        return draw(tensors((n, k))), draw(tensors((k,)))
    if kind == "outer":
        return draw(tensors((n,))), draw(tensors((m,)))
    if kind == "inner":
        return (draw(tensors(draw(shapes(max_dims=2, max_side=3)) + (k,))),
                draw(tensors(draw(shapes(max_dims=2, max_side=3)) + (k,))))
    return (draw(tensors(draw(shapes(min_dims=1, max_dims=2, max_side=3)))),
            draw(tensors(draw(shapes(min_dims=1, max_dims=2, max_side=3)))))


@st.composite
def _mixed_index(draw: Any) -> tuple:
    """(x, index) mixing ints, slices and an integer array: PyTorch's order (ints first)."""
    x = draw(tensors(shapes(min_dims=3, max_dims=3, max_side=3)))
    items = draw(st.permutations(["int", "slice", "array"]))
    index = []
    for item, n in zip(items, x.shape):
        if item == "int":
            index.append(draw(st.integers(-n, n - 1)))
        elif item == "slice":
            index.append(slice(None))
        else:
            index.append(draw(arrays((draw(st.integers(1, 3)),), np.int64, elements=st.integers(0, n - 1))))
    return x, tuple(index)


def _np_torch_order(x: np.ndarray, index: tuple) -> np.ndarray:
    """PyTorch's reading of an int/slice/array index: the int axis is removed first."""
    (k,) = [i for i, item in enumerate(index) if isinstance(item, int)]
    return np.take(x, index[k], axis=k)[index[:k] + index[k + 1:]]


@st.composite
def _squeeze_args(draw: Any) -> tuple:
    x = draw(tensors(shapes(min_dims=0, max_dims=3, max_side=2)))
    n = max(x.ndim, 1)
    dims = [d - n if draw(st.booleans()) else d
            for d in draw(st.lists(st.integers(0, n - 1), max_size=2, unique=True))]
    return x, tuple(dims) if len(dims) != 1 else dims[0]


def _np_squeeze_as_torch(x: np.ndarray, dims: Any) -> np.ndarray:
    axes = {d % max(x.ndim, 1) for d in ((dims,) if isinstance(dims, int) else dims)}
    return x.reshape([n for i, n in enumerate(x.shape) if not (i in axes and n == 1)])


@st.composite
def _cross_args(draw: Any) -> tuple:
    a_shape, b_shape = draw(broadcastable_shapes(2, max_dims=2, max_side=2))
    if draw(st.booleans()):   # the length-3 axis last, found by dim=None (no other axis is 3)
        return draw(tensors(a_shape + (3,))), draw(tensors(b_shape + (3,))), None
    return draw(tensors(a_shape + (3,))), draw(tensors(b_shape + (3,))), -1


@st.composite
def _diag_args(draw: Any) -> tuple:
    x = draw(tensors(shapes(min_dims=1, max_dims=2, max_side=4)))
    return x, draw(st.integers(-3, 3))


@st.composite
def _take_along_args(draw: Any) -> tuple:
    x_shape, i_shape = draw(broadcastable_shapes(2, min_dims=1, max_dims=3, max_side=3))
    ndim = max(len(x_shape), len(i_shape))
    x_shape, i_shape = (1,) * (ndim - len(x_shape)) + x_shape, (1,) * (ndim - len(i_shape)) + i_shape
    if draw(st.booleans()):
        x = draw(tensors(x_shape))
        return x, draw(arrays(i_shape, np.int64, elements=st.integers(0, x.numel() - 1))), None
    dim = draw(st.integers(-ndim, ndim - 1))
    x = draw(tensors(x_shape))
    i_shape = i_shape[:dim % ndim] + (draw(st.integers(1, 3)),) + i_shape[dim % ndim + 1:]
    return x, draw(arrays(i_shape, np.int64, elements=st.integers(0, x.shape[dim] - 1))), dim


def _np_take_along_dim(x: np.ndarray, index: np.ndarray, dim: Any) -> np.ndarray:
    if dim is None:
        return np.take_along_axis(x.reshape(-1), index.reshape(-1), 0)
    d = dim % x.ndim
    shape = np.broadcast_shapes(x.shape[:d] + (1,) + x.shape[d + 1:],
                                index.shape[:d] + (1,) + index.shape[d + 1:])
    x = np.broadcast_to(x, shape[:d] + (x.shape[d],) + shape[d + 1:])
    return np.take_along_axis(x, np.broadcast_to(index, shape[:d] + (index.shape[d],) + shape[d + 1:]), d)


SHAPE_OPS: list[OpCase] = [
    OpCase("flip", lambda x, d: x.flip(d), lambda x, d: np.flip(x, d) if d else x, (_dims_subset(),)),
    OpCase("roll", lambda x, s, d: x.roll(s, d), _np_roll, (_roll_args(),)),
    OpCase("narrow", lambda x, d, s, n: x.narrow(d, s, n), _np_narrow, (_narrow_args(),)),
    OpCase("split", lambda x, s, d: _flat(x.split(s, d)), _np_split, (_split_args(sections=False),)),
    OpCase("split", lambda x, s, d: _flat(x.split(s, d)), _np_split, (_split_args(sections=True),),
           variant="sections"),
    OpCase("chunk", lambda x, d: _flat(x.chunk(2, d)),
           lambda x, d: _np_split(x, max(-(-x.shape[d] // 2), 1), d), (_x_and_dim(),)),
    OpCase("unbind", lambda x, d: _flat(x.unbind(d)), lambda x, d: np.moveaxis(x, d, 0).reshape(-1),
           (_x_and_dim(),)),
    OpCase("movedim", lambda x, s, d: x.movedim(s, d), np.moveaxis, (_movedim_args(),)),
    OpCase("moveaxis", lambda x, s, d: x.moveaxis(s, d), np.moveaxis, (_movedim_args(),)),
    OpCase("swapaxes", lambda x, a, b: x.swapaxes(a, b), np.swapaxes, (reshaped("transpose"),)),
    OpCase("swapdims", lambda x, a, b: x.swapdims(a, b), np.swapaxes, (reshaped("transpose"),)),
    OpCase("view_as", lambda x, o: x.view_as(o), lambda x, o: x.reshape(o.shape), (_like_args("view"),)),
    OpCase("reshape_as", lambda x, o: x.reshape_as(o), lambda x, o: x.reshape(o.shape),
           (_like_args("view"),)),
    OpCase("expand_as", lambda x, o: x.expand_as(o), lambda x, o: np.broadcast_to(x, o.shape),
           (_like_args("expand_as"),)),
    OpCase("unflatten", lambda x: x.unflatten(-1, (x.shape[-1], 1)), lambda x: x[..., None],
           unary(shape=shapes(min_dims=1, max_dims=3, max_side=3))),
    OpCase("repeat", lambda x, r: x.repeat(*r), np.tile, (_repeat_args(numpy_tile=False),)),
    OpCase("tile", lambda x, r: x.tile(r), np.tile, (_repeat_args(numpy_tile=True),)),
    OpCase("repeat_interleave", lambda x, r, d: x.repeat_interleave(r, d), _np_repeat_interleave,
           (_repeat_interleave_args(per_element=False),)),
    OpCase("repeat_interleave", lambda x, r, d: x.repeat_interleave(r, d), _np_repeat_interleave,
           (_repeat_interleave_args(per_element=True),), variant="one count per element"),
    OpCase("unfold", lambda x, d, s, t: x.unfold(d, s, t), _np_unfold, (_unfold_args(),)),
    OpCase("tril", lambda x, k: x.tril(k), np.tril, (_triangle_args(),)),
    OpCase("triu", lambda x, k: x.triu(k), np.triu, (_triangle_args(),)),
    OpCase("diagonal", lambda x, o, a, b: x.diagonal(o, a, b), np.diagonal, (_diagonal_args(),)),
    OpCase("trace", lambda x: x.trace(), np.trace, unary(shape=shapes(min_dims=2, max_dims=2, max_side=4))),
    OpCase("contiguous", lambda x: x.T.contiguous(), lambda x: x.T, unary()),
    OpCase("squeeze", lambda x, d: x.squeeze(d), _np_squeeze_as_torch, (_squeeze_args(),),
           variant="dims, PyTorch's rules"),
    OpCase("__getitem__", lambda x, i: x[i], _np_torch_order, (_mixed_index(),),
           variant="int and array, PyTorch's order"),
    # gather and scatter
    OpCase("gather", lambda x, d, i: x.gather(d, i), _np_gather, (_gather_args(),)),
    OpCase("scatter", lambda x, d, i, s: x.scatter(d, i, s), _np_scatter,
           (_scatter_args(distinct=True),)),
    OpCase("scatter", lambda x, d, i, s: x.scatter(d, i, s), _np_scatter, (_scatter_args(),),
           variant="repeated index: the written value's gradient"),
    OpCase("scatter", lambda x, d, i, s: x.scatter(d, i, value=1.5),
           lambda x, d, i, s: _np_scatter(x, d, i, 1.5), (_scatter_args(),), variant="value"),
    OpCase("scatter_add", lambda x, d, i, s: x.scatter_add(d, i, s),
           lambda x, d, i, s: _np_scatter_reduce("sum", True)(x, d, i, s), (_scatter_args(),)),
    *[OpCase("scatter_reduce",
             lambda x, d, i, s, r=r, inc=inc: x.scatter_reduce(d, i, s, r, include_self=inc),
             _np_scatter_reduce(r, inc), (_scatter_args(NO_TIES, OFF_GRID),),
             variant=f"{r}, include_self={inc}")
      for r in ("sum", "mean", "amax", "amin") for inc in (True, False)],
    OpCase("index_select", lambda x, d, i: x.index_select(d, i), lambda x, d, i: np.take(x, i, axis=d),
           (_index_select_args(),)),
    OpCase("masked_fill", lambda x, m, v: x.masked_fill(m, v), lambda x, m, v: np.where(m, v, x),
           (_mask_args(),)),
    OpCase("masked_fill", lambda x, m, v: x.masked_fill(m, v), lambda x, m, v: np.where(m, v, x),
           (_mask_args(tensor_value=True),), variant="a 0-d tensor value"),
    OpCase("masked_select", lambda x, m, v: x.masked_select(m),
           lambda x, m, v: np.broadcast_to(x, np.broadcast_shapes(x.shape, m.shape))[
               np.broadcast_to(m, np.broadcast_shapes(x.shape, m.shape))], (_mask_args(),)),
    OpCase("take", lambda x, i: x.take(i), lambda x, i: np.take(x, i), (_take_args(),)),
    # padding
    *[OpCase("pad", lambda x, p, m, v: _pad(x, p, m, v), _np_pad, (_pad_args(mode),), variant=mode)
      for mode in ("constant", "reflect", "replicate", "circular")],
    # cumulative
    OpCase("cumsum", lambda x, a: x.cumsum(a), lambda x, a: np.cumsum(x, a), (_x_and_dim(),)),
    OpCase("cumprod", lambda x, a: x.cumprod(a), lambda x, a: np.cumprod(x, a), (_x_and_dim(),)),
    OpCase("cumprod", lambda x, a: x.cumprod(a), lambda x, a: np.cumprod(x, a),
           (_x_and_dim(elements=WITH_ZEROS),), variant="with zeros"),
    OpCase("logcumsumexp", lambda x, a: x.logcumsumexp(a),
           lambda x, a: np.logaddexp.accumulate(x, axis=a), (_x_and_dim(),)),
    OpCase("cummax", lambda x, a: x.cummax(a).values, _np_cumulative_extreme(True),
           (_x_and_dim(elements=NO_TIES, unique=True),)),
    OpCase("cummin", lambda x, a: x.cummin(a).values, _np_cumulative_extreme(False),
           (_x_and_dim(elements=NO_TIES, unique=True),)),
    # einsum and products
    OpCase("einsum", lambda eq, *ops: _einsum(eq, *ops), _np_einsum, (_einsum_args(),)),
    OpCase("einsum", lambda eq, *ops: _einsum(eq, *ops), lambda eq, *ops: np.einsum(eq, *ops),
           (_einsum_ellipsis_broadcast(),), variant="broadcast ellipsis"),
    OpCase("outer", lambda a, b: a.outer(b), np.outer, (_batched_pair("outer"),)),
    OpCase("bmm", lambda a, b: a.bmm(b), np.matmul, (_batched_pair("bmm"),)),
    OpCase("mv", lambda a, b: a.mv(b), np.matmul, (_batched_pair("mv"),)),
    OpCase("inner", lambda a, b: a.inner(b), np.inner, (_batched_pair("inner"),)),
    OpCase("kron", lambda a, b: a.kron(b), np.kron, (_batched_pair("kron"),)),
    OpCase("cross", lambda a, b, d: a.cross(b, d),
           lambda a, b, d: np.cross(a, b, axis=-1 if d is None else d), (_cross_args(),)),
    OpCase("diag", lambda x, k: x.diag(k), np.diag, (_diag_args(),)),
    OpCase("take_along_dim", lambda x, i, d: x.take_along_dim(i, d), _np_take_along_dim,
           (_take_along_args(),)),
]
OPS.extend(SHAPE_OPS)
