"""The catalogue: every public differentiable op as one row (name, function, numpy reference,
input strategies). The test suite checks each row's forward against numpy and its first- and
second-order gradients with check_gradients; `python -m tinygrad_nn gradcheck` runs it too.

A row's strategies draw the function's arguments: Tensors (checked), and plain values such as
an axis or a boolean mask (passed through unchanged). Domains keep finite differences away from
kinks (see strategies.py) rather than widening tolerances.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from ..ops import cat, matmul_tn, stack, where
from .._tensor import Tensor
from .strategies import (arrays, away_from, away_from_zero, bounded, broadcastable_shapes,
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


# === nn: layers, activations and losses (tinygrad_nn.nn; owned by the nn package) ==========
# Layers with weights appear through their functional form (nn.Linear.forward is
# functional.linear, nn.Maxout.forward is functional.maxout) so that the weights are checked
# inputs; activation and loss Modules appear as themselves. Targets that get no gradient
# (class indices, ±1 labels) are drawn as plain arrays and passed through unchanged.

from hypothesis import assume  # noqa: E402

from .. import creation as _creation  # noqa: E402  (nn imports the engine; keep it out of the header)
from .. import nn as _nn  # noqa: E402
from ..nn import functional as _F  # noqa: E402


@st.composite
def _linear_args(draw: Any, pieces: int = 0, bias: bool = True) -> tuple:
    """(x (..., in), weight (out[*pieces], in), bias) for linear, or (..., pieces) for maxout."""
    n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rows = n_out * max(pieces, 1)
    lead = draw(shapes(min_dims=0, max_dims=2, max_side=3))
    x = draw(tensors(lead + (n_in,)))
    w = draw(tensors((rows, n_in)))
    b = draw(tensors((rows,))) if bias else None
    if pieces:
        assert b is not None
        # maxout has a kink where two pieces tie: keep the best two pieces apart
        z = np.sort((x._data @ w._data.T + b._data).reshape(*lead, n_out, pieces), axis=-1)
        assume(np.all(z[..., -1] - z[..., -2] > 1e-2))
        return x, w, b, pieces
    return x, w, b


@st.composite
def _scores_and_labels(draw: Any, elements: Any = None) -> tuple:
    """(scores (N, C), integer labels (N,))."""
    n, c = draw(st.integers(1, 3)), draw(st.integers(2, 4))
    x = draw(tensors((n, c), elements=elements))
    return x, draw(arrays((n,), np.int64, elements=st.integers(0, c - 1)))


@st.composite
def _pair(draw: Any, x_elements: Any = None, y_elements: Any = None, y_tensor: bool = True) -> tuple:
    """(input, target) of one shape; the target is a Tensor (checked too) or a plain array."""
    shape = draw(shapes(min_dims=1, max_dims=2, max_side=3))
    x = draw(tensors(shape, elements=x_elements))
    if y_tensor:
        return x, draw(tensors(shape, elements=y_elements))
    return x, draw(arrays(shape, elements=y_elements))


@st.composite
def _scores_and_probabilities(draw: Any) -> tuple:
    n, c = draw(st.integers(1, 3)), draw(st.integers(2, 4))
    p = draw(arrays((n, c), elements=positive(0.1, 1.0)))
    return draw(tensors((n, c))), Tensor(p / p.sum(-1, keepdims=True), requires_grad=True)


def _np_log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = x - x.max(axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis, keepdims=True))


def _np_pick(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return x[np.arange(len(labels)), labels]


def _np_softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0, x)


def _np_multi_margin(x: np.ndarray, labels: np.ndarray, p: int, margin: float) -> np.ndarray:
    h = np.maximum(0, margin - _np_pick(x, labels)[:, None] + x) ** p
    h[np.arange(len(labels)), labels] = 0
    return h.sum(-1) / x.shape[-1]


def _np_dropout(x: np.ndarray) -> np.ndarray:
    keep = np.random.default_rng(0).random(x.shape) >= 0.3
    return x * (keep * (1.0 / 0.7)).astype(x.dtype)


def _seeded_dropout(x: Tensor) -> Tensor:
    _creation.manual_seed(0)   # the same mask on every call, as finite differences need
    return _F.dropout(x, 0.3)


SIGNS = st.sampled_from([-1.0, 1.0])
MARGIN = 1.125   # scores on the NO_TIES grid (multiples of 1/4) never sit exactly on the hinge

NN_OPS: list[OpCase] = [
    # layers (functional forms take the weights as inputs)
    OpCase("nn.functional.linear", lambda x, w, b: _F.linear(x, w, b), lambda x, w, b: x @ w.T + b,
           (_linear_args(),)),
    OpCase("nn.functional.linear", lambda x, w, b: _F.linear(x, w, b), lambda x, w, b: x @ w.T,
           (_linear_args(bias=False),), variant="no bias"),
    OpCase("nn.functional.maxout", lambda x, w, b, k: _F.maxout(x, w, b, k),
           lambda x, w, b, k: (x @ w.T + b).reshape(*x.shape[:-1], -1, k).max(-1),
           (_linear_args(pieces=2),)),
    OpCase("nn.functional.dropout", _seeded_dropout, _np_dropout, unary()),
    OpCase("nn.Identity", lambda x: _nn.Identity()(x), lambda x: x, unary()),
    # activation modules
    OpCase("nn.ReLU", lambda x: _nn.ReLU()(x), lambda x: np.maximum(x, 0), unary(KINK_FREE)),
    OpCase("nn.LeakyReLU", lambda x: _nn.LeakyReLU(0.2)(x), lambda x: np.where(x > 0, x, 0.2 * x),
           unary(KINK_FREE)),
    OpCase("nn.Sigmoid", lambda x: _nn.Sigmoid()(x), _sigmoid, unary(bounded(-8, 8))),
    OpCase("nn.Tanh", lambda x: _nn.Tanh()(x), np.tanh, unary()),
    OpCase("nn.Softplus", lambda x: _nn.Softplus()(x), _np_softplus, unary(bounded(-8, 8))),
    OpCase("nn.Softmax", lambda x, ax: _nn.Softmax(ax)(x), _ref_softmax, _axis_for_softmax()),
    OpCase("nn.LogSoftmax", lambda x, ax: _nn.LogSoftmax(ax)(x),
           lambda x, ax: _np_log_softmax(x, ax), _axis_for_softmax()),
    # losses (reduction="none" checks each sample's gradient; one "mean" row per reduction path)
    OpCase("nn.MSELoss", lambda x, y: _nn.MSELoss(reduction="none")(x, y), lambda x, y: (x - y) ** 2,
           (_pair(),)),
    OpCase("nn.MSELoss", lambda x, y: _nn.MSELoss()(x, y), lambda x, y: np.mean((x - y) ** 2),
           (_pair(),), variant="mean"),
    OpCase("nn.L1Loss", lambda x, y: _nn.L1Loss(reduction="sum")(x, y),
           lambda x, y: np.abs(x - y).sum(), (_pair(NO_TIES, OFF_GRID),), variant="sum"),
    OpCase("nn.CrossEntropyLoss", lambda x, t: _nn.CrossEntropyLoss(reduction="none")(x, t),
           lambda x, t: -_np_pick(_np_log_softmax(x), t), (_scores_and_labels(),)),
    OpCase("nn.CrossEntropyLoss", lambda x, p: _nn.CrossEntropyLoss()(x, p),
           lambda x, p: -(p * _np_log_softmax(x)).sum(-1).mean(), (_scores_and_probabilities(),),
           variant="class probabilities, mean"),
    OpCase("nn.NLLLoss", lambda x, t: _nn.NLLLoss(reduction="none")(x, t),
           lambda x, t: -_np_pick(x, t), (_scores_and_labels(),)),
    OpCase("nn.BCEWithLogitsLoss", lambda x, y: _nn.BCEWithLogitsLoss(reduction="none")(x, y),
           lambda x, y: y * _np_softplus(-x) + (1 - y) * _np_softplus(x),
           (_pair(bounded(-8, 8), bounded(0, 1)),)),
    OpCase("nn.BCELoss", lambda p, y: _nn.BCELoss(reduction="none")(p, y),
           lambda p, y: -(y * np.log(p) + (1 - y) * np.log(1 - p)),
           (_pair(bounded(0.05, 0.95), bounded(0, 1)),)),
    OpCase("nn.HingeEmbeddingLoss", lambda x, y: _nn.HingeEmbeddingLoss(MARGIN, "none")(x, y),
           lambda x, y: np.where(y == 1, x, np.maximum(0, MARGIN - x)),
           (_pair(NO_TIES, SIGNS, y_tensor=False),)),
    OpCase("nn.BinaryHingeLoss", lambda x, y: _nn.BinaryHingeLoss(MARGIN, "none")(x, y),
           lambda x, y: np.maximum(0, MARGIN - y * x), (_pair(NO_TIES, SIGNS, y_tensor=False),)),
    OpCase("nn.MultiMarginLoss", lambda x, t: _nn.MultiMarginLoss(margin=MARGIN, reduction="none")(x, t),
           lambda x, t: _np_multi_margin(x, t, 1, MARGIN), (_scores_and_labels(NO_TIES),)),
    OpCase("nn.MultiMarginLoss", lambda x, t: _nn.MultiMarginLoss(p=2, margin=MARGIN, reduction="none")(x, t),
           lambda x, t: _np_multi_margin(x, t, 2, MARGIN), (_scores_and_labels(NO_TIES),), variant="p=2"),
]
OPS.extend(NN_OPS)

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
NOT_DIFFERENTIABLE |= {
    "nelement", "dim", "ndimension", "device", "is_cuda", "is_floating_point", "cpu", "cuda",
    "long", "int", "bool",              # integer and bool results carry no gradient (as PyTorch)
    "half",                             # astype's row covers the cast; float16 is too coarse to check
    "bernoulli", "multinomial",         # random draws
    "clamp_", "exp_", "log_", "uniform_", "normal_",   # in-place, never recorded
}


# === nnlib: PyTorch's losses with weights, ignore_index and smoothing; lookup and normalisation ===
# Class weights and ignored targets are constants (plain arrays); scores, float targets, embedding
# tables and affine parameters are checked inputs. Kinks of the piecewise losses sit at |d| = beta
# or delta, which the NO_TIES / OFF_GRID grids never hit (d is an odd multiple of 1/8).

_CLASS_WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])
_SMOOTH_BETA, _HUBER_DELTA = 0.5, 0.75


@st.composite
def _scores_and_some_ignored(draw: Any, k_dims: int = 0) -> tuple:
    """(scores (N, 4[, d]), labels (N[, d]) with some -100s but at least one counted)."""
    n = draw(st.integers(1, 3))
    extra = (draw(st.integers(1, 2)),) * k_dims
    x = draw(tensors((n, 4) + extra))
    labels = draw(arrays((n,) + extra, np.int64, elements=st.sampled_from([0, 1, 2, 3, -100])))
    assume(np.any(labels != -100))
    return x, labels


def _np_cross_entropy(x: np.ndarray, t: np.ndarray, w: np.ndarray, eps: float, reduction: str,
                      nll: bool = False) -> Any:
    """PyTorch's cross_entropy (or, with nll=True, nll_loss) for class indices, written out with
    numpy (class axis 1)."""
    last = np.moveaxis(x, 1, -1) if x.ndim > 2 else x
    logp = last if nll else _np_log_softmax(last)   # (..., C)
    counted = t != -100
    safe = np.where(counted, t, 0)
    picked = -np.take_along_axis(logp, safe[..., None], -1)[..., 0] * w[safe] * counted
    smooth = -(logp * w).sum(-1) * counted
    if reduction == "mean":
        total = (w[safe] * counted).sum()
        picked, smooth = picked.sum() / total, smooth.sum() / total
    return (1 - eps) * picked + eps / x.shape[1] * smooth


@st.composite
def _normalisable(draw: Any, affine: bool) -> tuple:
    """(x (N, C) with spread-out values, weight (C,), bias (C,)) for layer_norm and batch_norm."""
    n, c = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    x = draw(tensors((n, c), elements=NO_TIES, unique=True))
    if not affine:
        return (x,)
    return x, draw(tensors((c,))), draw(tensors((c,)))


def _np_normalise(x: np.ndarray, axis: int) -> np.ndarray:
    mean = x.mean(axis, keepdims=True)
    return (x - mean) / np.sqrt(((x - mean) ** 2).mean(axis, keepdims=True) + 1e-5)


@st.composite
def _table_and_indices(draw: Any) -> tuple:
    w = draw(tensors((draw(st.integers(2, 4)), draw(st.integers(1, 3)))))
    idx = draw(arrays(draw(shapes(min_dims=1, max_dims=2, max_side=3)), np.int64,
                      elements=st.integers(0, w.shape[0] - 1)))
    return w, idx


def _np_smooth_l1(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    d = np.abs(x - y)
    return np.where(d < _SMOOTH_BETA, 0.5 * d * d / _SMOOTH_BETA, d - 0.5 * _SMOOTH_BETA)


def _np_huber(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    d = np.abs(x - y)
    return np.where(d < _HUBER_DELTA, 0.5 * d * d, _HUBER_DELTA * (d - 0.5 * _HUBER_DELTA))


NNLIB_OPS: list[OpCase] = [
    OpCase("nn.SmoothL1Loss", lambda x, y: _nn.SmoothL1Loss("none", beta=_SMOOTH_BETA)(x, y), _np_smooth_l1,
           (_pair(NO_TIES, OFF_GRID),)),
    OpCase("nn.functional.smooth_l1_loss", lambda x, y: _F.smooth_l1_loss(x, y, beta=_SMOOTH_BETA),
           lambda x, y: _np_smooth_l1(x, y).mean(), (_pair(NO_TIES, OFF_GRID),), variant="mean"),
    OpCase("nn.HuberLoss", lambda x, y: _nn.HuberLoss("none", delta=_HUBER_DELTA)(x, y), _np_huber,
           (_pair(NO_TIES, OFF_GRID),)),
    OpCase("nn.KLDivLoss", lambda x, t: _nn.KLDivLoss("none")(x, t), lambda x, t: t * (np.log(t) - x),
           (_pair(None, positive(0.1, 1.0)),)),
    OpCase("nn.KLDivLoss", lambda x, t: _nn.KLDivLoss("batchmean", log_target=True)(x, t),
           lambda x, t: (np.exp(t) * (t - x)).sum() / x.shape[0], (_pair(),),
           variant="batchmean, log_target"),
    OpCase("nn.functional.cross_entropy",
           lambda x, t: _F.cross_entropy(x, t, _CLASS_WEIGHT, label_smoothing=0.2),
           lambda x, t: _np_cross_entropy(x, t, _CLASS_WEIGHT, 0.2, "mean"), (_scores_and_some_ignored(),),
           variant="weight, ignore_index, label_smoothing, mean"),
    OpCase("nn.functional.cross_entropy",
           lambda x, t: _F.cross_entropy(x, t, _CLASS_WEIGHT, reduction="none", label_smoothing=0.1),
           lambda x, t: _np_cross_entropy(x, t, _CLASS_WEIGHT, 0.1, "none"), (_scores_and_some_ignored(1),),
           variant="K-dimensional, none"),
    OpCase("nn.NLLLoss", lambda x, t: _nn.NLLLoss(_CLASS_WEIGHT)(x, t),
           lambda x, t: _np_cross_entropy(x, t, _CLASS_WEIGHT, 0.0, "mean", nll=True),
           (_scores_and_some_ignored(),), variant="weight, ignore_index, mean"),
    OpCase("nn.BCEWithLogitsLoss",
           lambda x, y: _nn.BCEWithLogitsLoss(weight=np.full(x.shape, 0.5), pos_weight=3.0,
                                              reduction="sum")(x, y),
           lambda x, y: (0.5 * (3.0 * y * _np_softplus(-x) + (1 - y) * _np_softplus(x))).sum(),
           (_pair(bounded(-8, 8), bounded(0, 1)),), variant="weight, pos_weight, sum"),
    OpCase("nn.BCELoss", lambda p, y: _nn.BCELoss(weight=np.full(p.shape, 2.0), reduction="none")(p, y),
           lambda p, y: -2.0 * (y * np.log(p) + (1 - y) * np.log(1 - p)),
           (_pair(bounded(0.05, 0.95), bounded(0, 1)),), variant="weight"),
    OpCase("nn.functional.embedding", lambda w, i: _F.embedding(i, w), lambda w, i: w[i],
           (_table_and_indices(),)),
    # the padding row gets no gradient by design, so it is a constant row 0 here; w holds the others
    OpCase("nn.functional.embedding",
           lambda w, i: _F.embedding(i, cat([Tensor(np.zeros((1, w.shape[1]))), w]), padding_idx=0),
           lambda w, i: np.concatenate([np.zeros((1, w.shape[1])), w])[i], (_table_and_indices(),),
           variant="padding_idx"),
    OpCase("nn.functional.layer_norm", lambda x, w, b: _F.layer_norm(x, x.shape[-1:], w, b),
           lambda x, w, b: _np_normalise(x, -1) * w + b, (_normalisable(affine=True),)),
    OpCase("nn.LayerNorm", lambda x: _nn.LayerNorm(x.shape[-1], elementwise_affine=False)(x),
           lambda x: _np_normalise(x, -1), (_normalisable(affine=False),)),
    OpCase("nn.functional.batch_norm", lambda x, w, b: _F.batch_norm(x, None, None, w, b, training=True),
           lambda x, w, b: _np_normalise(x, 0) * w + b, (_normalisable(affine=True),), variant="training"),
    OpCase("nn.Flatten", lambda x: _nn.Flatten(0)(x), lambda x: x.reshape(-1), unary()),
    OpCase("nn.Unflatten", lambda x: _nn.Unflatten(-1, (x.shape[-1], 1))(x), lambda x: x[..., None],
           unary(shape=shapes(min_dims=1, max_dims=2, max_side=3))),
]
OPS.extend(NNLIB_OPS)

# === opsshape: shape, indexing, cumulative and einsum ops (ops/layout, index, pad, cumulative,
# linalg) ===
# Integer arguments (dims, sizes, indices) are drawn valid for the drawn shape and passed through
# unchanged; ops that return several tensors are checked through the flat concatenation.

from .. import einsum as _einsum, pad as _pad  # noqa: E402


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
    OpCase("clone", lambda x: x.clone(), np.copy, unary()),
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


# === opsmath: reductions with indices, math, rounding, comparison and activations ==========

@st.composite
def _with_dim(draw: Any, elements: Any = None, unique: bool = False, min_dims: int = 1) -> tuple:
    """(tensor, dim, keepdim) with one int dim (maybe negative), for max(dim) and friends."""
    shape = draw(shapes(min_dims=min_dims, max_dims=3, max_side=3))
    x = draw(tensors(shape, elements=elements, unique=unique))
    return x, draw(st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1)), draw(st.booleans())


def _np_pick_along(pick: Callable, x: np.ndarray, dim: int, keepdim: bool) -> np.ndarray:
    if x.ndim == 0:
        return x
    out = np.take_along_axis(x, pick(x, axis=dim, keepdims=True), axis=dim)
    return out if keepdim else np.squeeze(out, axis=dim)


MATH_OPS: list[OpCase] = [
    OpCase("max", lambda x: x.max(), np.max, (tensors(SMALL, elements=NO_TIES, unique=True),),
           variant="all"),
    OpCase("max", lambda x, d, k: x.max(d, k).values,
           lambda x, d, k: _np_pick_along(np.argmax, x, d, k), (_with_dim(NO_TIES, unique=True),),
           variant="dim, values"),
    OpCase("min", lambda x: x.min(), np.min, (tensors(SMALL, elements=NO_TIES, unique=True),),
           variant="all"),
    OpCase("min", lambda x, d, k: x.min(d, k).values,
           lambda x, d, k: _np_pick_along(np.argmin, x, d, k), (_with_dim(NO_TIES, unique=True),),
           variant="dim, values"),
]


@st.composite
def _prelu_args(draw: Any) -> tuple:
    """(x (N, C, ...), weight (C,) or (1,))."""
    shape = draw(shapes(min_dims=2, max_dims=3, max_side=3))
    x = draw(tensors(shape, elements=KINK_FREE))
    return x, draw(tensors((draw(st.sampled_from([1, shape[1]])),)))


@st.composite
def _glu_args(draw: Any) -> tuple:
    shape = list(draw(shapes(min_dims=1, max_dims=3, max_side=3)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    shape[axis] *= 2
    return draw(tensors(tuple(shape))), axis


def _np_glu(x: np.ndarray, axis: int) -> np.ndarray:
    a, b = np.split(x, 2, axis=axis)
    return a * _sigmoid(b)


_np_erf = np.vectorize(math.erf, otypes=[np.float64])
_np_erfc = np.vectorize(math.erfc, otypes=[np.float64])
DIVISORS = st.sampled_from([-1.5, -0.75, 0.75, 1.5])   # OFF_GRID / these is never an integer
_SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)


def _np_hardswish(x: np.ndarray) -> np.ndarray:
    return x * np.clip(x + 3, 0, 6) / 6


MATH_OPS += [
    # more elementwise math
    OpCase("log2", lambda x: x.log2(), np.log2, unary(positive())),
    OpCase("log10", lambda x: x.log10(), np.log10, unary(positive())),
    OpCase("log1p", lambda x: x.log1p(), np.log1p, unary(bounded(-0.5, 3))),
    OpCase("expm1", lambda x: x.expm1(), np.expm1, unary()),
    OpCase("exp2", lambda x: x.exp2(), np.exp2, unary()),
    OpCase("sinh", lambda x: x.sinh(), np.sinh, unary()),
    OpCase("cosh", lambda x: x.cosh(), np.cosh, unary()),
    OpCase("tan", lambda x: x.tan(), np.tan, unary(bounded(-1.2, 1.2))),
    OpCase("asin", lambda x: x.asin(), np.arcsin, unary(bounded(-0.9, 0.9))),
    OpCase("acos", lambda x: x.acos(), np.arccos, unary(bounded(-0.9, 0.9))),
    OpCase("atan", lambda x: x.atan(), np.arctan, unary()),
    OpCase("asinh", lambda x: x.asinh(), np.arcsinh, unary()),
    OpCase("acosh", lambda x: x.acosh(), np.arccosh, unary(bounded(1.25, 4))),   # 0.9 x stays > 1
    OpCase("atanh", lambda x: x.atanh(), np.arctanh, unary(bounded(-0.9, 0.9))),
    OpCase("atan2", lambda y, x: y.atan2(x), np.arctan2, binary(away_from_zero(0.5), away_from_zero(0.5))),
    OpCase("erf", lambda x: x.erf(), _np_erf, unary()),
    OpCase("erfc", lambda x: x.erfc(), _np_erfc, unary()),
    OpCase("square", lambda x: x.square(), np.square, unary()),
    OpCase("reciprocal", lambda x: x.reciprocal(), np.reciprocal, unary(away_from_zero(0.5))),
    OpCase("rsqrt", lambda x: x.rsqrt(), lambda x: 1 / np.sqrt(x), unary(positive())),
    OpCase("lerp", lambda a, b, w: a.lerp(b, w), lambda a, b, w: a + w * (b - a),
           (broadcastable_tensors(3, max_dims=3),)),
    OpCase("hypot", lambda a, b: a.hypot(b), np.hypot, binary(away_from_zero(0.5), away_from_zero(0.5))),
    OpCase("xlogy", lambda a, b: a.xlogy(b), lambda a, b: a * np.log(b), binary(None, positive())),
    # rounding: piecewise constant, checked away from the jumps (OFF_GRID is k/4 + 1/8)
    OpCase("floor", lambda x: x.floor(), np.floor, unary(OFF_GRID)),
    OpCase("ceil", lambda x: x.ceil(), np.ceil, unary(OFF_GRID)),
    OpCase("round", lambda x: x.round(), np.round, unary(OFF_GRID)),
    OpCase("trunc", lambda x: x.trunc(), np.trunc, unary(OFF_GRID)),
    OpCase("sign", lambda x: x.sign(), np.sign, unary(KINK_FREE)),
    OpCase("frac", lambda x: x.frac(), lambda x: x - np.trunc(x), unary(OFF_GRID)),
    OpCase("floor_divide", lambda a, b: a.floor_divide(b), np.floor_divide, binary(OFF_GRID, DIVISORS)),
    OpCase("__floordiv__", lambda a, b: a // b, np.floor_divide, binary(OFF_GRID, DIVISORS)),
    OpCase("remainder", lambda a, b: a.remainder(b), np.remainder, binary(OFF_GRID, DIVISORS)),
    OpCase("__mod__", lambda a, b: a % b, np.remainder, binary(OFF_GRID, DIVISORS)),
    OpCase("fmod", lambda a, b: a.fmod(b), np.fmod, binary(OFF_GRID, DIVISORS)),
    OpCase("div", lambda a, b: a.div(b, rounding_mode="trunc"), lambda a, b: np.trunc(a / b),
           binary(OFF_GRID, DIVISORS), variant="rounding_mode=trunc"),
    # activations (compositions; domains away from their kinks)
    OpCase("gelu", lambda x: x.gelu(), lambda x: x * (1 + _np_erf(x / np.sqrt(2))) / 2, unary()),
    OpCase("gelu", lambda x: x.gelu("tanh"),
           lambda x: x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))) / 2, unary(),
           variant="tanh"),
    OpCase("silu", lambda x: x.silu(), lambda x: x * _sigmoid(x), unary()),
    OpCase("elu", lambda x: x.elu(0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(np.minimum(x, 0))),
           unary(KINK_FREE)),
    OpCase("celu", lambda x: x.celu(0.7),
           lambda x: np.where(x > 0, x, 0.7 * np.expm1(np.minimum(x, 0) / 0.7)),
           unary(KINK_FREE)),
    OpCase("selu", lambda x: x.selu(),
           lambda x: _SELU[1] * np.where(x > 0, x, _SELU[0] * np.expm1(np.minimum(x, 0))), unary(KINK_FREE)),
    OpCase("mish", lambda x: x.mish(), lambda x: x * np.tanh(np.logaddexp(0, x)), unary()),
    OpCase("hardtanh", lambda x: x.hardtanh(), lambda x: np.clip(x, -1, 1), unary(away_from([-1.0, 1.0]))),
    OpCase("relu6", lambda x: x.relu6(), lambda x: np.clip(x, 0, 6),
           unary(away_from([0.0, 6.0], low=-2, high=8))),
    OpCase("hardsigmoid", lambda x: x.hardsigmoid(), lambda x: np.clip(x + 3, 0, 6) / 6,
           unary(away_from([-3.0, 3.0], low=-5, high=5))),
    OpCase("hardswish", lambda x: x.hardswish(), _np_hardswish,
           unary(away_from([-3.0, 3.0], low=-5, high=5))),
    OpCase("softsign", lambda x: x.softsign(), lambda x: x / (1 + np.abs(x)), unary(KINK_FREE)),
    OpCase("logsigmoid", lambda x: x.logsigmoid(), lambda x: -np.logaddexp(0, -x), unary(bounded(-8, 8))),
    OpCase("tanhshrink", lambda x: x.tanhshrink(), lambda x: x - np.tanh(x), unary()),
    OpCase("softshrink", lambda x: x.softshrink(),
           lambda x: np.where(np.abs(x) > 0.5, x - 0.5 * np.sign(x), 0),
           unary(away_from([-0.5, 0.5]))),
    OpCase("hardshrink", lambda x: x.hardshrink(), lambda x: np.where(np.abs(x) > 0.5, x, 0),
           unary(away_from([-0.5, 0.5]))),
    OpCase("threshold", lambda x: x.threshold(0.1, 20.0), lambda x: np.where(x > 0.1, x, 20.0),
           unary(away_from([0.1]))),
    OpCase("prelu", lambda x, w: x.prelu(w),
           lambda x, w: np.where(x > 0, x, (w if w.size == 1 else w.reshape(-1, *[1] * (x.ndim - 2))) * x),
           (_prelu_args(),)),
    OpCase("glu", lambda x, ax: x.glu(ax), _np_glu, (_glu_args(),)),
]
OPS.extend(MATH_OPS)

# comparison, logic and counting: plain tensors outside the graph (ops/compare.py)
NOT_DIFFERENTIABLE |= {
    "eq", "ne", "lt", "le", "gt", "ge", "isclose", "allclose", "isnan", "isinf", "isfinite",
    "logical_and", "logical_or", "logical_xor", "logical_not", "count_nonzero", "nonzero",
}


@st.composite
def _with_optional_dim(draw: Any, elements: Any = None, unique: bool = False) -> tuple:
    """(tensor, dim or None, keepdim) for prod and norm."""
    x, dim, keepdim = draw(_with_dim(elements, unique))
    return x, draw(st.one_of(st.none(), st.just(dim))), keepdim


@st.composite
def _topk_args(draw: Any) -> tuple:
    x, dim, _ = draw(_with_dim(NO_TIES, unique=True))
    return x, draw(st.integers(1, x.shape[dim])), dim


@st.composite
def _clamp_tensors(draw: Any) -> tuple:
    """x, lo, hi on disjoint grids (no ties), broadcasting together."""
    sx, slo, shi = draw(broadcastable_shapes(3, max_dims=2, max_side=3))
    return (draw(tensors(sx, elements=NO_TIES)), draw(tensors(slo, elements=OFF_GRID.map(lambda v: v - 1))),
            draw(tensors(shi, elements=OFF_GRID.map(lambda v: v + 1.0625))))   # never equal to lo


def _np_median_lower(x: np.ndarray) -> np.ndarray:
    return np.sort(x, axis=None)[(x.size - 1) // 2]


def _np_prod(x: np.ndarray, dim: Any, keepdim: bool) -> np.ndarray:
    return np.prod(x, axis=dim, keepdims=keepdim) if dim is not None and x.ndim else \
        np.prod(x).reshape((1,) * x.ndim if keepdim else ())


SORT_OPS: list[OpCase] = [
    # out / x in the gradient: keep x away from 0, where the "with zeros" row takes over
    OpCase("prod", lambda x, d, k: x.prod(d, k), _np_prod, (_with_optional_dim(away_from_zero(0.25)),)),
    OpCase("prod", lambda x, d, k: x.prod(d, k), _np_prod,
           (_with_optional_dim(st.sampled_from([0.0, 0.5, -1.5, 2.0])),), variant="with zeros"),
    OpCase("norm", lambda x, d, k: x.norm(2, d, k), lambda x, d, k: np.sqrt(np.sum(x * x, d, keepdims=k)),
           (_with_optional_dim(KINK_FREE),)),
    OpCase("norm", lambda x, d, k: x.norm(1, d, k), lambda x, d, k: np.sum(np.abs(x), d, keepdims=k),
           (_with_optional_dim(KINK_FREE),), variant="p=1"),
    OpCase("norm", lambda x, d, k: x.norm(float("inf"), d, k),
           lambda x, d, k: np.max(np.abs(x), d, keepdims=k),
           (_with_optional_dim(spaced(0.25, 3, 0.25), unique=True),), variant="p=inf"),
    OpCase("norm", lambda x, d, k: x.norm(3, d, k),
           lambda x, d, k: np.sum(np.abs(x) ** 3, d, keepdims=k) ** (1 / 3),
           (_with_optional_dim(KINK_FREE),), variant="p=3"),
    OpCase("dist", lambda a, b: a.dist(b), lambda a, b: np.sqrt(np.sum((a - b) ** 2)),
           binary(NO_TIES, OFF_GRID)),
    OpCase("var_mean", lambda x, ax, kd: x.var_mean(ax, kd)[0],
           lambda x, ax, kd: np.var(x, ax, keepdims=kd, ddof=1), (with_axis(min_side=2),)),
    OpCase("std_mean", lambda x, ax, kd: x.std_mean(ax, kd)[0] + x.std_mean(ax, kd)[1],
           lambda x, ax, kd: np.std(x, ax, keepdims=kd, ddof=1) + np.mean(x, ax, keepdims=kd),
           (with_axis(NO_TIES, min_side=2, unique=True),)),
    OpCase("median", lambda x: x.median(), _np_median_lower,
           (tensors(SMALL, elements=NO_TIES, unique=True),)),
    OpCase("median", lambda x, d, k: x.median(d, k).values,
           lambda x, d, k: np.take(np.sort(x, d), [(x.shape[d] - 1) // 2], d) if k else
           np.take(np.sort(x, d), (x.shape[d] - 1) // 2, d), (_with_dim(NO_TIES, unique=True),),
           variant="dim"),
    OpCase("sort", lambda x, d, k: x.sort(d, descending=k).values,
           lambda x, d, k: np.flip(np.sort(x, d), d) if k else np.sort(x, d),
           (_with_dim(NO_TIES, unique=True),)),
    OpCase("topk", lambda x, k, d: x.topk(k, d).values,
           lambda x, k, d: np.take(np.flip(np.sort(x, d), d), np.arange(k), d), (_topk_args(),)),
    OpCase("kthvalue", lambda x, k, d: x.kthvalue(k, d).values,
           lambda x, k, d: np.take(np.sort(x, d), k - 1, d), (_topk_args(),)),
    OpCase("mode", lambda x, d, k: x.mode(d, k).values,
           lambda x, d, k: np.min(x, d, keepdims=k), (_with_dim(NO_TIES, unique=True),)),
    OpCase("clip", lambda x, lo, hi: x.clip(lo, hi), np.clip, (_clamp_tensors(),), variant="tensor bounds"),
]
SORT_OPS += [
    OpCase("fmax", lambda a, b: a.fmax(b), np.fmax, binary(NO_TIES, OFF_GRID)),
    OpCase("fmin", lambda a, b: a.fmin(b), np.fmin, binary(NO_TIES, OFF_GRID)),
]
OPS.extend(SORT_OPS)
NOT_DIFFERENTIABLE |= {"argsort", "unique", "bincount"}


# === torch methods: the PyTorch names scripts use (issue: missing methods) ==========================
# compositions (and erfinv, a primitive), checked under their PyTorch names; the in-place variants
# (ops/inplace.py) are never recorded, so they are listed as not differentiable below.

from ..ops import inplace as _inplace  # noqa: E402
from ..ops import joining as _joining  # noqa: E402
from ..ops.linalg import tensordot as _tensordot  # noqa: E402


def _np_erfinv(x: np.ndarray) -> np.ndarray:
    """erfinv by bisection on math.erf: slow, simple and independent of ops/math.py's Newton steps."""
    def one(v: float) -> float:
        low, high = -6.0, 6.0
        for _ in range(200):
            mid = (low + high) / 2
            if math.erf(mid) < v:
                low = mid
            else:
                high = mid
            if high - low < 1e-15:
                break
        return (low + high) / 2
    return np.vectorize(one, otypes=[np.float64])(x)


@st.composite
def _with_nans(draw: Any) -> tuple:
    """(x, mask): nan goes where mask is True (the function puts it there, so x stays checkable)."""
    x = draw(tensors(SMALL))
    return x, draw(arrays(x.shape, np.bool_, elements=st.booleans()))


def _nan_at(x: Any, mask: np.ndarray) -> Any:
    if isinstance(x, Tensor):
        return where(mask, np.full((), np.nan, x.dtype), x)
    return np.where(mask, np.nan, x)


def _np_nansum(x: np.ndarray, mask: np.ndarray, axis: Any = None) -> np.ndarray:
    return np.nansum(_nan_at(x, mask), axis=axis)


@st.composite
def _quantile_args(draw: Any, vector_q: bool) -> tuple:
    x, dim, keepdim = draw(_with_dim(NO_TIES, unique=True))
    dim = draw(st.one_of(st.none(), st.just(dim)))
    q = draw(st.sampled_from([0.0, 0.3, 0.5, 0.8, 1.0]))
    if vector_q:
        q = Tensor(np.array([0.25, 0.7, 1.0]))   # a plain Tensor: passed through, not checked
    return x, q, dim, keepdim


def _np_quantile(method: str, nan: bool = False) -> Callable[..., np.ndarray]:
    def reference(x: np.ndarray, q: Any, dim: Any, keepdim: bool) -> np.ndarray:
        q = q.numpy() if isinstance(q, Tensor) else q
        fn = np.nanquantile if nan else np.quantile
        return fn(x, q, axis=dim, keepdims=keepdim, method=method)
    return reference


@st.composite
def _cov_args(draw: Any) -> tuple:
    shape = draw(st.sampled_from([(4,), (1, 4), (2, 3), (3, 4)]))
    return (draw(tensors(shape)),)


@st.composite
def _addmm_args(draw: Any) -> tuple:
    n, m, p = (draw(st.integers(1, 3)) for _ in range(3))
    x_shape = draw(st.sampled_from([(n, p), (p,), (1, p), (n, 1), ()]))
    return draw(tensors(x_shape)), draw(tensors((n, m))), draw(tensors((m, p)))


@st.composite
def _index_op_args(draw: Any, fill: bool = False) -> tuple:
    """(x, dim, index, source): an index along dim (repeats only for index_add) and a source of x's
    shape with len(index) along dim."""
    x, dim, _ = draw(_with_dim())
    d = dim % x.ndim
    n = x.shape[d]
    index = np.asarray(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4)), np.int64)
    if fill:
        return x, dim, index
    shape = x.shape[:d] + (len(index),) + x.shape[d + 1:]
    return x, dim, index, draw(tensors(shape))


@st.composite
def _unique_index_args(draw: Any) -> tuple:
    x, dim, _ = draw(_with_dim())
    d = dim % x.ndim
    index = np.asarray(draw(st.permutations(range(x.shape[d]))), np.int64)[:draw(st.integers(1, x.shape[d]))]
    shape = x.shape[:d] + (len(index),) + x.shape[d + 1:]
    return x, dim, index, draw(tensors(shape))


def _np_index_add(x: np.ndarray, dim: int, index: np.ndarray, source: np.ndarray) -> np.ndarray:
    out = np.moveaxis(x.copy(), dim, 0)
    np.add.at(out, index, np.moveaxis(source, dim, 0))
    return np.moveaxis(out, 0, dim)


def _np_index_copy(x: np.ndarray, dim: int, index: np.ndarray, source: np.ndarray) -> np.ndarray:
    out = np.moveaxis(x.copy(), dim, 0)
    out[index] = np.moveaxis(source, dim, 0)
    return np.moveaxis(out, 0, dim)


def _np_index_fill(x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    out = np.moveaxis(x.copy(), dim, 0)
    out[index] = -1.5
    return np.moveaxis(out, 0, dim)


@st.composite
def _rot90_args(draw: Any) -> tuple:
    x = draw(tensors(shapes(min_dims=2, max_dims=3, max_side=3)))
    dims = tuple(draw(st.permutations(range(x.ndim))))[:2]
    return x, draw(st.integers(-4, 5)), dims


@st.composite
def _sum_to_size_args(draw: Any) -> tuple:
    x, small = draw(reshaped("sum_to"))
    return x, small


@st.composite
def _stackable(draw: Any, min_dims: int = 0) -> tuple:
    """2-3 tensors of one shape (0-d to 3-d) for hstack, vstack, dstack, column_stack."""
    shape = draw(shapes(min_dims=min_dims, max_dims=3, max_side=3))
    return tuple(draw(tensors(shape)) for _ in range(draw(st.integers(1, 3))))


@st.composite
def _tensordot_args(draw: Any) -> tuple:
    k = draw(st.integers(0, 2))
    free_a = draw(shapes(max_dims=2, max_side=3))
    shared = draw(shapes(min_dims=k, max_dims=k, max_side=3))
    free_b = draw(shapes(max_dims=2, max_side=3))
    return draw(tensors(free_a + shared)), draw(tensors(shared + free_b)), k


def _np_cartesian(*vectors: np.ndarray) -> np.ndarray:
    grids = np.meshgrid(*vectors, indexing="ij")
    return np.stack([g.reshape(-1) for g in grids], axis=1)


TORCH_METHOD_OPS: list[OpCase] = [
    OpCase("erfinv", lambda x: x.erfinv(), _np_erfinv, unary(bounded(-0.95, 0.95))),
    OpCase("clamp_min", lambda x: x.clamp_min(-0.5), lambda x: np.maximum(x, -0.5), unary(away_from([-0.5]))),
    OpCase("clamp_max", lambda x: x.clamp_max(0.5), lambda x: np.minimum(x, 0.5), unary(away_from([0.5]))),
    OpCase("addcmul", lambda x, a, b: x.addcmul(a, b, value=0.5), lambda x, a, b: x + 0.5 * a * b,
           (broadcastable_tensors(3, max_dims=3),)),
    OpCase("addcdiv", lambda x, a, b: x.addcdiv(a, b, value=-2.0), lambda x, a, b: x - 2.0 * a / b,
           (broadcastable_tensors(3, elements=[None, None, away_from_zero(0.5)], max_dims=3),)),
    OpCase("float_power", lambda a, b: a.float_power(b), np.power, binary(positive(0.5, 3), bounded(-2, 2))),
    OpCase("true_divide", lambda a, b: a.true_divide(b), np.divide, binary(None, away_from_zero(0.5))),
    OpCase("nan_to_num", lambda x, m: _nan_at(x, m).nan_to_num(nan=2.5), lambda x, m: np.where(m, 2.5, x),
           (_with_nans(),)),
    OpCase("nansum", lambda x, m: _nan_at(x, m).nansum(), _np_nansum, (_with_nans(),)),
    OpCase("nansum", lambda x, ax, kd: x.nansum(ax, kd), lambda x, ax, kd: np.nansum(x, ax, keepdims=kd),
           (with_axis(),), variant="axis"),
    OpCase("nanmean", lambda x, m: _nan_at(x, m).nanmean(-1),
           lambda x, m: np.nanmean(np.where(m, np.nan, x), -1) if x.ndim else np.where(m, np.nan, x),
           (_with_nans().filter(lambda xm: not np.any(np.all(xm[1], -1))),)),
    OpCase("aminmax", lambda x, d, k: x.aminmax(dim=d, keepdim=k).min * 2 + x.aminmax(dim=d, keepdim=k).max,
           lambda x, d, k: 2 * np.min(x, d, keepdims=k) + np.max(x, d, keepdims=k),
           (_with_dim(NO_TIES, unique=True),)),
    OpCase("quantile", lambda x, q, d, k: x.quantile(q, d, k), _np_quantile("linear"),
           (_quantile_args(False),)),
    OpCase("quantile", lambda x, q, d, k: x.quantile(q, d, k), _np_quantile("linear"),
           (_quantile_args(True),), variant="1-d q"),
    *(OpCase("quantile", lambda x, q, d, k, m=m: x.quantile(q, d, k, interpolation=m), _np_quantile(m),
             (_quantile_args(True),), variant=m) for m in ("lower", "higher", "midpoint", "nearest")),
    OpCase("nanquantile", lambda x, q, d, k: x.nanquantile(q, d, k), _np_quantile("linear", nan=True),
           (_quantile_args(True),)),
    OpCase("cov", lambda x: x.cov(), lambda x: np.cov(x), (_cov_args(),)),
    OpCase("cov", lambda x: x.cov(correction=0, aweights=Tensor(np.arange(1.0, 5.0))),
           lambda x: np.cov(x, ddof=0, aweights=np.arange(1.0, 5.0)),
           (_cov_args().filter(lambda a: a[0].shape[-1] == 4),), variant="aweights"),
    OpCase("corrcoef", lambda x: x.corrcoef(), np.corrcoef,
           (tensors(st.sampled_from([(2, 4), (3, 5)]), elements=NO_TIES, unique=True),)),
    OpCase("addmm", lambda x, a, b: x.addmm(a, b, beta=0.5, alpha=2.0),
           lambda x, a, b: 0.5 * x + 2.0 * (a @ b),
           (_addmm_args(),)),
    OpCase("index_add", lambda x, d, i, s: x.index_add(d, i, s, alpha=2.0),
           lambda x, d, i, s: _np_index_add(x, d % x.ndim, i, 2.0 * s), (_index_op_args(),)),
    OpCase("index_copy", lambda x, d, i, s: x.index_copy(d, i, s),
           lambda x, d, i, s: _np_index_copy(x, d % x.ndim, i, s), (_unique_index_args(),)),
    OpCase("index_fill", lambda x, d, i: x.index_fill(d, i, -1.5),
           lambda x, d, i: _np_index_fill(x, d % x.ndim, i), (_index_op_args(fill=True),)),
    OpCase("rot90", lambda x, k, d: x.rot90(k, d), lambda x, k, d: np.rot90(x, k, d), (_rot90_args(),)),
    OpCase("sum_to_size", lambda x, s: x.sum_to_size(s), _numpy_sum_to, (_sum_to_size_args(),)),
    OpCase("hstack", lambda *t: _joining.hstack(t), lambda *t: np.hstack(t), (_stackable(),)),
    OpCase("vstack", lambda *t: _joining.vstack(t), lambda *t: np.vstack(t), (_stackable(),)),
    OpCase("dstack", lambda *t: _joining.dstack(t), lambda *t: np.dstack(t), (_stackable(),)),
    OpCase("column_stack", lambda *t: _joining.column_stack(t), lambda *t: np.column_stack(t),
           (_stackable(),)),
    OpCase("broadcast_tensors", lambda a, b: _joining.broadcast_tensors(a, b)[0] * 2
           + _joining.broadcast_tensors(a, b)[1], lambda a, b: 2 * a + b, binary()),
    OpCase("cartesian_prod", lambda *t: _joining.cartesian_prod(*t), _np_cartesian,
           (st.lists(tensors(shapes(min_dims=1, max_dims=1, max_side=3)), min_size=2,
                     max_size=3).map(tuple),)),
    OpCase("tensordot", _tensordot, lambda a, b, k: np.tensordot(a, b, k), (_tensordot_args(),)),
]
OPS.extend(TORCH_METHOD_OPS)
NOT_DIFFERENTIABLE |= {f"{name}_" for name in (*_inplace.VALUE_OPS, *_inplace.VIEW_OPS)} | {
    "bernoulli_", "exponential_", "random_",              # in-place, never recorded
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift",                                # bool and integer only
    "new_zeros", "new_ones", "new_full", "new_empty", "new_tensor",   # factories
    "stride", "is_contiguous", "element_size", "is_nonzero", "equal", "argwhere", "histc",
    "type_as",                                            # a cast: the astype row covers it
}
