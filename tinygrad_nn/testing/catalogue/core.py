"""The catalogue's row type (OpCase), the strategies its families share, and the rows of the
engine's primitives: arithmetic, elementwise functions, reductions, shape ops, linear algebra, and
the PyTorch-named methods built on them. OPS and NOT_DIFFERENTIABLE start here; each family module
adds its rows to them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from ...ops import cat, matmul_tn, stack, where
from ..._tensor import Tensor
from ..strategies import (arrays, away_from, away_from_zero, bounded, broadcastable_shapes,
                          broadcastable_tensors, matmul_tensors, positive, shapes, spaced, tensors)


@dataclass(frozen=True)
class OpCase:
    """One row: `fn` takes what `inputs` draws; `reference` computes the same with numpy."""
    name: str                                  # the public name: a Tensor method or tinygrad_nn function
    fn: Callable[..., Tensor]
    reference: Callable[..., Any] | None
    inputs: tuple[st.SearchStrategy, ...]
    variant: str = ""
    second_order: bool = True
    gradcheck_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name


# --- strategies for argument combinations ---------------------------------------------------

SMALL = shapes(max_dims=3, max_side=3)


def unary(elements: Any = None, shape: Any = SMALL) -> tuple[st.SearchStrategy, ...]:
    return (tensors(shape, elements=elements),)


def binary(a: Any = None, b: Any = None) -> tuple[st.SearchStrategy, ...]:
    return (broadcastable_tensors(2, elements=[a, b], max_dims=3),)


@st.composite
def with_axis(draw: Any, elements: Any = None, min_side: int = 1, unique: bool = False) -> tuple:
    """(tensor, axis, keepdims) with axis None, an int (maybe negative) or a tuple."""
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=min_side, max_side=3))
    x = draw(tensors(shape, elements=elements, unique=unique))
    ndim = len(shape)
    axis = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1),
                          st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                                   unique=True).map(tuple)))
    return x, axis, draw(st.booleans())


@st.composite
def with_index(draw: Any, kind: str) -> tuple:
    """(tensor, index) for basic slicing, integer arrays (repeats allowed) or a boolean mask."""
    shape = draw(shapes(min_dims=1, max_dims=3, max_side=4))
    x = draw(tensors(shape))
    if kind == "basic":
        index = tuple(draw(st.one_of(st.integers(-n, n - 1), st.slices(n))) for n in shape)
        return x, index
    if kind == "integer array":
        return x, draw(arrays((draw(st.integers(1, 6)),), np.int64,
                              elements=st.integers(-shape[0], shape[0] - 1)))
    return x, draw(arrays(shape, np.bool_, elements=st.booleans()))


@st.composite
def joinable(draw: Any, same_shape: bool) -> tuple:
    """2-3 tensors and an axis for cat (sizes may differ along it) or stack (same shapes)."""
    shape = list(draw(shapes(min_dims=1, max_dims=3, max_side=3)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        if not same_shape:
            shape[axis] = draw(st.integers(1, 3))
        parts.append(draw(tensors(tuple(shape))))
    return (*parts, axis)


@st.composite
def reshaped(draw: Any, op: str) -> tuple:
    """A tensor and the arguments of a shape op that are valid for it."""
    x = draw(tensors(shapes(min_dims=1 if op == "transpose" else 0, max_dims=3, max_side=3)))
    shape, ndim = x.shape, x.ndim
    if op == "reshape":
        return x, draw(st.sampled_from([(-1,), tuple(reversed(shape)), (1,) + shape]))
    if op == "permute":
        return x, tuple(draw(st.permutations(range(ndim))))
    if op == "transpose":
        return x, draw(st.integers(-ndim, ndim - 1)), draw(st.integers(-ndim, ndim - 1))
    if op == "unsqueeze":
        return x, draw(st.integers(-ndim - 1, ndim))
    if op == "expand":
        return x, tuple(draw(st.integers(1, 3)) if n == 1 else n for n in shape)
    if op == "sum_to":   # x of a broadcast shape, summed back to the smaller one
        small = tuple(draw(st.sampled_from([1, n])) for n in shape)[draw(st.integers(0, ndim)):]
        return x, small
    raise ValueError(op)


@st.composite
def where_arguments(draw: Any, scalar_b: bool = False) -> tuple:
    """(cond, a, b) that broadcast together; b may be a plain number."""
    a_shape, b_shape, c_shape = draw(broadcastable_shapes(3, max_dims=3, max_side=3))
    cond = draw(arrays(c_shape, np.bool_, elements=st.booleans()))
    return cond, draw(tensors(a_shape)), draw(bounded()) if scalar_b else draw(tensors(b_shape))


def _numpy_sum_to(x: np.ndarray, shape: tuple) -> np.ndarray:
    lead = x.ndim - len(shape)
    out = x.sum(axis=tuple(range(lead))) if lead else x
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and out.shape[i] != 1)
    return out.sum(axis=ones, keepdims=True) if ones else out


def _ref_logsumexp(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _ref_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _axis_for_softmax(elements: Any = None) -> tuple:
    @st.composite
    def draw_it(draw: Any) -> tuple:
        x = draw(tensors(shapes(min_dims=1, max_dims=3, max_side=3), elements=elements))
        return x, draw(st.integers(-x.ndim, x.ndim - 1))
    return (draw_it(),)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


KINK_FREE = away_from_zero(1e-2)
NO_TIES = spaced(-3, 3, 0.25)
OFF_GRID = spaced(-3, 3, 0.25).map(lambda v: v + 0.125)   # never equal to a NO_TIES value

OPS: list[OpCase] = [
    # arithmetic, broadcasting
    OpCase("__add__", lambda a, b: a + b, np.add, binary()),
    OpCase("__radd__", lambda a: 1.5 + a, lambda a: 1.5 + a, unary()),
    OpCase("add", lambda a, b: a.add(b), np.add, binary()),
    OpCase("__sub__", lambda a, b: a - b, np.subtract, binary()),
    OpCase("__rsub__", lambda a: 1.5 - a, lambda a: 1.5 - a, unary()),
    OpCase("sub", lambda a, b: a.sub(b), np.subtract, binary()),
    OpCase("__mul__", lambda a, b: a * b, np.multiply, binary()),
    OpCase("__rmul__", lambda a: 2.5 * a, lambda a: 2.5 * a, unary()),
    OpCase("mul", lambda a, b: a.mul(b), np.multiply, binary()),
    OpCase("__truediv__", lambda a, b: a / b, np.divide, binary(None, away_from_zero(0.5))),
    OpCase("__rtruediv__", lambda a: 2.0 / a, lambda a: 2.0 / a, unary(away_from_zero(0.5))),
    OpCase("div", lambda a, b: a.div(b), np.divide, binary(None, away_from_zero(0.5))),
    OpCase("__pow__", lambda a, b: a ** b, np.power, binary(positive(0.5, 3), bounded(-2, 2)),
           variant="tensor exponent"),
    OpCase("__pow__", lambda a: a ** 3, lambda a: a ** 3, unary(), variant="cube"),
    OpCase("__pow__", lambda a: a ** -1.5, lambda a: a ** -1.5, unary(positive(0.5, 3)),
           variant="negative fractional"),
    OpCase("pow", lambda a, b: a.pow(b), np.power, binary(positive(0.5, 3), bounded(-2, 2))),
    OpCase("__rpow__", lambda a: 2.0 ** a, lambda a: 2.0 ** a, unary()),
    OpCase("__neg__", lambda a: -a, np.negative, unary()),
    OpCase("neg", lambda a: a.neg(), np.negative, unary()),
    OpCase("maximum", lambda a, b: a.maximum(b), np.maximum, binary(NO_TIES, OFF_GRID)),
    OpCase("minimum", lambda a, b: a.minimum(b), np.minimum, binary(NO_TIES, OFF_GRID)),
    OpCase("where", lambda c, a, b: where(c, a, b), np.where, (where_arguments(),)),
    OpCase("where", lambda c, a, b: where(c, a, b), np.where, (where_arguments(scalar_b=True),),
           variant="a number for b"),
    # elementwise functions
    OpCase("exp", lambda x: x.exp(), np.exp, unary()),
    OpCase("log", lambda x: x.log(), np.log, unary(positive())),
    OpCase("sqrt", lambda x: x.sqrt(), np.sqrt, unary(positive())),
    OpCase("sin", lambda x: x.sin(), np.sin, unary()),
    OpCase("cos", lambda x: x.cos(), np.cos, unary()),
    OpCase("tanh", lambda x: x.tanh(), np.tanh, unary()),
    OpCase("sigmoid", lambda x: x.sigmoid(), _sigmoid, unary(bounded(-8, 8))),
    OpCase("softplus", lambda x: x.softplus(), lambda x: np.log1p(np.exp(x)), unary(bounded(-8, 8))),
    OpCase("relu", lambda x: x.relu(), lambda x: np.maximum(x, 0), unary(KINK_FREE)),
    OpCase("leaky_relu", lambda x: x.leaky_relu(0.1), lambda x: np.where(x > 0, x, 0.1 * x),
           unary(KINK_FREE)),
    OpCase("abs", lambda x: x.abs(), np.abs, unary(KINK_FREE)),
    OpCase("__abs__", lambda x: abs(x), np.abs, unary(KINK_FREE)),
    OpCase("clip", lambda x: x.clip(-1.0, 1.0), lambda x: np.clip(x, -1, 1),
           unary(away_from([-1.0, 1.0]))),
    OpCase("clamp", lambda x: x.clamp(min=-0.5), lambda x: np.maximum(x, -0.5),
           unary(away_from([-0.5]))),
    OpCase("astype", lambda x: x.astype(np.longdouble), lambda x: x.astype(np.longdouble), unary()),
    # reductions
    OpCase("sum", lambda x, ax, kd: x.sum(ax, kd), lambda x, ax, kd: np.sum(x, ax, keepdims=kd),
           (with_axis(),)),
    OpCase("mean", lambda x, ax, kd: x.mean(ax, kd), lambda x, ax, kd: np.mean(x, ax, keepdims=kd),
           (with_axis(),)),
    OpCase("var", lambda x, ax, kd: x.var(ax, kd), lambda x, ax, kd: np.var(x, ax, keepdims=kd, ddof=1),
           (with_axis(min_side=2),)),
    OpCase("std", lambda x, ax, kd: x.std(ax, kd), lambda x, ax, kd: np.std(x, ax, keepdims=kd, ddof=1),
           (with_axis(NO_TIES, min_side=2, unique=True),)),
    OpCase("amax", lambda x, ax, kd: x.amax(ax, kd), lambda x, ax, kd: np.max(x, ax, keepdims=kd),
           (with_axis(NO_TIES, unique=True),)),
    OpCase("amin", lambda x, ax, kd: x.amin(ax, kd), lambda x, ax, kd: np.min(x, ax, keepdims=kd),
           (with_axis(NO_TIES, unique=True),)),
    OpCase("logsumexp", lambda x, ax, kd: x.logsumexp(ax, kd), _ref_logsumexp, (with_axis(),)),
    OpCase("softmax", lambda x, ax: x.softmax(ax), _ref_softmax, _axis_for_softmax()),
    OpCase("log_softmax", lambda x, ax: x.log_softmax(ax), lambda x, ax: np.log(_ref_softmax(x, ax)),
           _axis_for_softmax()),
    # shape ops
    OpCase("reshape", lambda x, s: x.reshape(s), lambda x, s: x.reshape(s), (reshaped("reshape"),)),
    OpCase("view", lambda x, s: x.view(*s), lambda x, s: x.reshape(s), (reshaped("reshape"),)),
    OpCase("flatten", lambda x: x.flatten(), lambda x: x.reshape(-1), unary()),
    OpCase("squeeze", lambda x: x.squeeze(), np.squeeze, unary(shape=shapes(max_dims=3, max_side=2))),
    OpCase("unsqueeze", lambda x, a: x.unsqueeze(a), np.expand_dims, (reshaped("unsqueeze"),)),
    OpCase("permute", lambda x, p: x.permute(*p), np.transpose, (reshaped("permute"),)),
    OpCase("transpose", lambda x, a, b: x.transpose(a, b), np.swapaxes, (reshaped("transpose"),)),
    OpCase("T", lambda x: x.T, lambda x: x.T, unary()),
    OpCase("mT", lambda x: x.mT, lambda x: np.swapaxes(x, -1, -2),
           unary(shape=shapes(min_dims=2, max_dims=3, max_side=3))),
    OpCase("expand", lambda x, s: x.expand(*s), np.broadcast_to, (reshaped("expand"),)),
    OpCase("broadcast_to", lambda x, s: x.broadcast_to(s), np.broadcast_to, (reshaped("expand"),)),
    OpCase("sum_to", lambda x, s: x.sum_to(s), _numpy_sum_to, (reshaped("sum_to"),)),
    OpCase("__getitem__", lambda x, i: x[i], lambda x, i: x[i], (with_index("basic"),), variant="basic"),
    OpCase("__getitem__", lambda x, i: x[i], lambda x, i: x[i], (with_index("integer array"),),
           variant="integer array, repeats"),
    OpCase("__getitem__", lambda x, i: x[i], lambda x, i: x[i], (with_index("mask"),),
           variant="boolean mask"),
    OpCase("cat", lambda *a: cat(a[:-1], axis=a[-1]), lambda *a: np.concatenate(a[:-1], axis=a[-1]),
           (joinable(same_shape=False),)),
    OpCase("stack", lambda *a: stack(a[:-1], axis=a[-1]), lambda *a: np.stack(a[:-1], axis=a[-1]),
           (joinable(same_shape=True),)),
    # linear algebra
    OpCase("__matmul__", lambda a, b: a @ b, np.matmul, (matmul_tensors(),)),
    OpCase("matmul", lambda a, b: a.matmul(b), np.matmul, (matmul_tensors(),)),
    OpCase("__rmatmul__", lambda b: np.ones((2, 3)) @ b, lambda b: np.ones((2, 3)) @ b,
           unary(shape=st.integers(1, 3).map(lambda m: (3, m)))),
    OpCase("dot", lambda a, b: a.dot(b), np.dot, (st.integers(1, 4).flatmap(
        lambda n: st.tuples(tensors((n,)), tensors((n,)))),)),
    # aᵀ b: the primitive behind matmul's and linear's weight gradients (ops.matmul_tn)
    OpCase("matmul_tn", matmul_tn, lambda a, b: a.T @ b, (st.tuples(*(st.integers(1, 4),) * 3).flatmap(
        lambda knm: st.tuples(tensors(knm[:2]), tensors((knm[0], knm[2])))),)),
]

# Public Tensor members that are not differentiable ops (or are covered by a row above under
# another name); the completeness test fails for any public member in neither list.
NOT_DIFFERENTIABLE = {
    "data", "grad", "requires_grad", "name", "shape", "ndim", "dtype", "size", "numel", "grad_fn",
    "is_leaf", "numpy", "item", "tolist", "backward", "detach", "requires_grad_", "retain_grad",
    "zero_grad_", "add_", "sub_", "mul_", "div_", "copy_", "fill_", "zero_", "any", "all",
    "register_hook",
    "argmax", "argmin",
    "float", "double",   # astype to float32 / float64: the astype row covers the cast
}


# === surface: PyTorch-named Tensor methods (issue 11) =========================================
# compositions of the primitives above, checked under their PyTorch names
OPS.extend([
    OpCase("clone", lambda x: x.clone(), np.copy, unary()),
    OpCase("mm", lambda a, b: a.mm(b), np.matmul, (st.tuples(*(st.integers(1, 3),) * 3).flatmap(
        lambda nkm: st.tuples(tensors(nkm[:2]), tensors(nkm[1:]))),)),
    OpCase("t", lambda x: x.t(), lambda x: x.T, unary(shape=shapes(max_dims=2, max_side=3))),
    OpCase("to", lambda x: x.to(np.longdouble), lambda x: x.astype(np.longdouble), unary()),
    OpCase("type", lambda x: x.type(np.longdouble), lambda x: x.astype(np.longdouble), unary()),
])
NOT_DIFFERENTIABLE.update({
    "nelement", "dim", "ndimension", "device", "is_cuda", "is_floating_point", "cpu", "cuda",
    "long", "int", "bool",              # integer and bool results carry no gradient (as PyTorch)
    "half",                             # astype's row covers the cast; float16 is too coarse to check
    "bernoulli", "multinomial",         # random draws
    "clamp_", "exp_", "log_", "uniform_", "normal_",   # in-place, never recorded
})
