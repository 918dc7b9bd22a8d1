"""Catalogue rows for tinygrad_nn.nn (owned by the nn package): layers, activations and losses,
and PyTorch's losses with weights, ignore_index and smoothing, lookup and normalisation.

Layers with weights appear through their functional form (nn.Linear.forward is functional.linear,
nn.Maxout.forward is functional.maxout) so that the weights are checked inputs; activation and loss
Modules appear as themselves. Targets that get no gradient (class indices, ±1 labels) are drawn as
plain arrays and passed through unchanged."""
from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from ...ops import cat
from ..._tensor import Tensor
from ..strategies import arrays, bounded, positive, shapes, tensors
from ... import creation as _creation
from ... import nn as _nn
from ...nn import functional as _F
from .core import KINK_FREE, NO_TIES, OFF_GRID, OPS, OpCase, _axis_for_softmax, _ref_softmax, _sigmoid, unary


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
