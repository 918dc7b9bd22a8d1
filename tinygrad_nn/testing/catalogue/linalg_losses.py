"""Catalogue rows for linear algebra, distances and more losses: the square-matrix primitives
(ops/linalg_solve.py), torch.linalg's norms, cdist, nn.functional's distances, bilinear, softmin,
and the ranking / embedding / likelihood losses. Matrices are drawn near 2·I (well-conditioned,
det > 0 unless a row's sign is flipped); hinges, abs and max are kept off their kinks by the grids
or by assume()."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from ... import nn as _nn
from ..._tensor import Tensor
from ...nn import functional as _F
from ..strategies import arrays, away_from, bounded, positive, shapes, tensors
from .core import (KINK_FREE, NO_TIES, OFF_GRID, OpCase, OPS, _axis_for_softmax, _ref_softmax, binary,
                   unary)
from .math import _with_optional_dim
from .nn import _CLASS_WEIGHT, MARGIN, SIGNS, _np_multi_margin, _pair, _scores_and_labels
from ... import cdist as _cdist, linalg as _linalg
from ...nn.utils import parameters_to_vector as _parameters_to_vector


@st.composite
def _square_matrix(draw: Any, batch: bool = True, flip_sign: bool = False) -> Tensor:
    """A (..., n, n) matrix 2·I + noise in [-0.4, 0.4]: its eigenvalues stay in [0.4 n ... ]."""
    n = draw(st.integers(1, 3))
    lead = draw(shapes(min_dims=0, max_dims=1, max_side=2)) if batch else ()
    noise = draw(arrays(lead + (n, n), elements=bounded(-0.4 / n, 0.4 / n)))
    m = noise + 2 * np.eye(n)
    if flip_sign and draw(st.booleans()):
        m[..., 0, :] *= -1      # det < 0
    return Tensor(m, requires_grad=True)


@st.composite
def _system(draw: Any, vector: bool) -> tuple:
    """(A (..., n, n), B (..., n, k) or (n,)) for solve."""
    a = draw(_square_matrix())
    n = a.shape[-1]
    rhs = (n,) if vector else a.shape[:-2] + (n, draw(st.integers(1, 2)))
    return a, draw(tensors(rhs))


def _np_solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.solve(a, b[:, None])[:, 0] if b.ndim == 1 and a.ndim == 2 else np.linalg.solve(a, b)


@st.composite
def _matrix_norm_args(draw: Any, ord: Any) -> tuple:
    """(A (..., m, n), ord) with distinct row / column sums of |A|, so max and min have no ties."""
    shape = draw(shapes(min_dims=2, max_dims=3, max_side=3))
    a = draw(tensors(shape, elements=KINK_FREE))
    summed = -2 if ord in (1, -1) else -1
    sums = np.sort(np.abs(a._data).sum(summed), axis=-1)
    assume(np.all(np.diff(sums, axis=-1) > 1e-2))
    return a, ord


def _np_matrix_norm(a: np.ndarray, ord: Any) -> np.ndarray:
    if ord == "fro":
        return np.sqrt((a * a).sum((-2, -1)))
    sums = np.abs(a).sum(-2 if ord in (1, -1) else -1)
    return sums.max(-1) if ord > 0 else sums.min(-1)


@st.composite
def _point_sets(draw: Any) -> tuple:
    """x1 (P, M) on one grid and x2 (R, M) on another: no coordinate difference is 0."""
    m = draw(st.integers(1, 3))
    return (draw(tensors((draw(st.integers(1, 3)), m), elements=NO_TIES)),
            draw(tensors((draw(st.integers(1, 3)), m), elements=OFF_GRID)))


def _np_cdist(a: np.ndarray, b: np.ndarray, p: float) -> np.ndarray:
    d = np.abs(a[:, None, :] - b[None, :, :])
    return d.max(-1) if p == math.inf else (d ** p).sum(-1) ** (1 / p)


@st.composite
def _vector_pair(draw: Any, elements: Any = KINK_FREE, other: Any = None) -> tuple:
    """(x1, x2) of one shape (N, D) or (D,), the vectors along the last axis."""
    shape = draw(shapes(min_dims=1, max_dims=2, max_side=3))
    x2_elements = elements if other is None else other
    return draw(tensors(shape, elements=elements)), draw(tensors(shape, elements=x2_elements))


def _np_cosine(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    na = np.sqrt((a * a).sum(axis, keepdims=True))
    nb = np.sqrt((b * b).sum(axis, keepdims=True))
    return ((a / na) * (b / nb)).sum(axis)


@st.composite
def _bilinear_args(draw: Any) -> tuple:
    lead = draw(shapes(min_dims=0, max_dims=2, max_side=2))
    n1, n2, out = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    return (draw(tensors(lead + (n1,))), draw(tensors(lead + (n2,))), draw(tensors((out, n1, n2))),
            draw(tensors((out,))))


@st.composite
def _ranked(draw: Any) -> tuple:
    """(x1, x2, y = ±1) of shape (N,): x1 - x2 is an odd multiple of 1/8, never -y·0.5."""
    n = draw(st.integers(1, 4))
    return (draw(tensors((n,), elements=NO_TIES)), draw(tensors((n,), elements=OFF_GRID)),
            draw(arrays((n,), elements=SIGNS)))


_TRIPLET_MARGIN = 0.5


@st.composite
def _triplets(draw: Any, swap: bool) -> tuple:
    """(anchor, positive, negative) (N, D) off the hinge (margin + d+ - d- far from 0) and, with
    swap, without ties between d(a, n) and d(p, n)."""
    shape = draw(shapes(min_dims=1, max_dims=2, min_side=1, max_side=3))
    grids = (NO_TIES, OFF_GRID, OFF_GRID.map(lambda v: v + 1 / 16))
    a, p, n = (draw(tensors(shape, elements=g)) for g in grids)

    def dist(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.sqrt(((u - v + 1e-6) ** 2).sum(-1))
    d_neg = dist(a._data, n._data)
    if swap:
        assume(np.all(np.abs(d_neg - dist(p._data, n._data)) > 1e-2))
        d_neg = np.minimum(d_neg, dist(p._data, n._data))
    assume(np.all(np.abs(_TRIPLET_MARGIN + dist(a._data, p._data) - d_neg) > 1e-2))
    return a, p, n


def _np_triplet(a: np.ndarray, p: np.ndarray, n: np.ndarray, swap: bool) -> np.ndarray:
    def dist(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.sqrt(((u - v + 1e-6) ** 2).sum(-1))
    d_neg = np.minimum(dist(a, n), dist(p, n)) if swap else dist(a, n)
    return np.maximum(0, _TRIPLET_MARGIN + dist(a, p) - d_neg)


@st.composite
def _embedding_pairs(draw: Any) -> tuple:
    """(x1, x2 (N, D), y (N,) = ±1) with cos(x1, x2) off the y = -1 hinge at 0."""
    n, d = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    x1, x2 = draw(tensors((n, d), elements=KINK_FREE)), draw(tensors((n, d), elements=KINK_FREE))
    assume(np.all(np.abs(_np_cosine(x1._data, x2._data)) > 1e-2))
    return x1, x2, draw(arrays((n,), elements=SIGNS))


def _np_cosine_embedding(a: np.ndarray, b: np.ndarray, y: np.ndarray) -> np.ndarray:
    cos = (a * b).sum(-1) / np.sqrt(((a * a).sum(-1) + 1e-12) * ((b * b).sum(-1) + 1e-12))
    return np.where(y == 1, 1 - cos, np.maximum(0, cos))


def _np_log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0, -x)


def _np_stirling(y: np.ndarray) -> np.ndarray:
    return np.where(y > 1, y * np.log(y) - y + 0.5 * np.log(2 * np.pi * y), 0.0)


@st.composite
def _gaussian_args(draw: Any) -> tuple:
    """(input, target, var) with var of the input's shape or one short, all var > eps."""
    shape = draw(shapes(min_dims=1, max_dims=2, max_side=3))
    var_shape = draw(st.sampled_from([shape, shape[:-1]]))
    return draw(tensors(shape)), draw(tensors(shape)), draw(tensors(var_shape, elements=positive(0.1, 2.0)))


def _np_gaussian_nll(x: np.ndarray, y: np.ndarray, v: np.ndarray) -> np.ndarray:
    v = v if v.shape == x.shape else v[..., None]
    return (0.5 * (np.log(v) + (x - y) ** 2 / v)).mean()


def _np_logit(x: np.ndarray) -> np.ndarray:
    return np.log(x / (1 - x))


def _np_multilabel_soft_margin(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    per_label = y * _np_log_sigmoid(x) + (1 - y) * _np_log_sigmoid(-x)
    return -(_CLASS_WEIGHT[:x.shape[-1]] * per_label).sum(-1) / x.shape[-1]


LINALG_OPS: list[OpCase] = [
    OpCase("inverse", lambda a: a.inverse(), np.linalg.inv, (_square_matrix(),)),
    OpCase("det", lambda a: a.det(), np.linalg.det, (_square_matrix(flip_sign=True),)),
    OpCase("slogdet", lambda a: a.slogdet().logabsdet, lambda a: np.linalg.slogdet(a)[1],
           (_square_matrix(flip_sign=True),)),
    OpCase("logdet", lambda a: a.logdet(), lambda a: np.log(np.linalg.det(a)), (_square_matrix(),)),
    OpCase("linalg.solve", lambda a, b: _linalg.solve(a, b), _np_solve, (_system(vector=False),)),
    OpCase("linalg.solve", lambda a, b: _linalg.solve(a, b), _np_solve, (_system(vector=True),),
           variant="vector"),
    OpCase("linalg.vector_norm", lambda x, d, k: _linalg.vector_norm(x, 2, d, k),
           lambda x, d, k: np.sqrt(np.sum(x * x, d, keepdims=k)), (_with_optional_dim(KINK_FREE),)),
    OpCase("linalg.vector_norm", lambda x, d, k: _linalg.vector_norm(x, 3, d, k),
           lambda x, d, k: np.sum(np.abs(x) ** 3, d, keepdims=k) ** (1 / 3), (_with_optional_dim(KINK_FREE),),
           variant="ord=3"),
    OpCase("linalg.matrix_norm", lambda a, o: _linalg.matrix_norm(a, o), _np_matrix_norm,
           (_matrix_norm_args("fro"),)),
    OpCase("linalg.matrix_norm", lambda a, o: _linalg.matrix_norm(a, o), _np_matrix_norm,
           (_matrix_norm_args(1),), variant="ord=1"),
    OpCase("linalg.matrix_norm", lambda a, o: _linalg.matrix_norm(a, o), _np_matrix_norm,
           (_matrix_norm_args(-math.inf),), variant="ord=-inf"),
    OpCase("linalg.norm", lambda x: _linalg.norm(x), lambda x: np.sqrt(np.sum(x * x)), unary(KINK_FREE)),
    OpCase("cdist", lambda a, b: _cdist(a, b), lambda a, b: _np_cdist(a, b, 2), (_point_sets(),)),
    OpCase("cdist", lambda a, b: _cdist(a, b, 1.0), lambda a, b: _np_cdist(a, b, 1), (_point_sets(),),
           variant="p=1"),
    OpCase("logit", lambda x: x.logit(), _np_logit, unary(bounded(0.05, 0.95))),
    OpCase("logit", lambda x: x.logit(0.1), lambda x: _np_logit(np.clip(x, 0.1, 0.9)),
           unary(away_from([0.1, 0.9], low=0.01, high=0.99)), variant="eps"),
]
OPS.extend(LINALG_OPS)

DISTANCE_AND_LOSS_OPS: list[OpCase] = [
    OpCase("nn.functional.normalize", lambda x: _F.normalize(x, dim=-1),
           lambda x: x / np.sqrt((x * x).sum(-1, keepdims=True)), unary(KINK_FREE, shapes(1, 2, 1, 3))),
    OpCase("nn.functional.cosine_similarity", lambda a, b: _F.cosine_similarity(a, b, -1), _np_cosine,
           (_vector_pair(),)),
    OpCase("nn.CosineSimilarity", lambda a, b: _nn.CosineSimilarity(0)(a, b),
           lambda a, b: _np_cosine(a, b, 0),
           (_vector_pair(),), variant="dim=0"),
    OpCase("nn.functional.pairwise_distance", lambda a, b: _F.pairwise_distance(a, b),
           lambda a, b: np.sqrt(((a - b + 1e-6) ** 2).sum(-1)), (_vector_pair(NO_TIES, OFF_GRID),)),
    OpCase("nn.PairwiseDistance", lambda a, b: _nn.PairwiseDistance(1.0, keepdim=True)(a, b),
           lambda a, b: np.abs(a - b + 1e-6).sum(-1, keepdims=True), (_vector_pair(NO_TIES, OFF_GRID),),
           variant="p=1, keepdim"),
    OpCase("nn.functional.softmin", lambda x, ax: _F.softmin(x, ax), lambda x, ax: _ref_softmax(-x, ax),
           _axis_for_softmax()),
    OpCase("nn.Softmin", lambda x, ax: _nn.Softmin(ax)(x), lambda x, ax: _ref_softmax(-x, ax),
           _axis_for_softmax()),
    OpCase("nn.functional.bilinear", lambda a, b, w, c: _F.bilinear(a, b, w, c),
           lambda a, b, w, c: np.einsum("...i,kij,...j->...k", a, w, b) + c, (_bilinear_args(),)),
    OpCase("nn.utils.parameters_to_vector", lambda a, b: _parameters_to_vector([a, b]),
           lambda a, b: np.concatenate([a.reshape(-1), b.reshape(-1)]), binary()),
    OpCase("nn.MarginRankingLoss", lambda a, b, y: _nn.MarginRankingLoss(0.5, reduction="none")(a, b, y),
           lambda a, b, y: np.maximum(0, -y * (a - b) + 0.5), (_ranked(),)),
    OpCase("nn.functional.margin_ranking_loss", lambda a, b, y: _F.margin_ranking_loss(a, b, y, 0.5),
           lambda a, b, y: np.maximum(0, -y * (a - b) + 0.5).mean(), (_ranked(),), variant="mean"),
    OpCase("nn.TripletMarginLoss",
           lambda a, p, n: _nn.TripletMarginLoss(_TRIPLET_MARGIN, reduction="none")(a, p, n),
           lambda a, p, n: _np_triplet(a, p, n, False), (_triplets(swap=False),)),
    OpCase("nn.functional.triplet_margin_loss",
           lambda a, p, n: _F.triplet_margin_loss(a, p, n, _TRIPLET_MARGIN, swap=True, reduction="sum"),
           lambda a, p, n: _np_triplet(a, p, n, True).sum(), (_triplets(swap=True),), variant="swap, sum"),
    OpCase("nn.CosineEmbeddingLoss", lambda a, b, y: _nn.CosineEmbeddingLoss(reduction="none")(a, b, y),
           _np_cosine_embedding, (_embedding_pairs(),)),
    OpCase("nn.SoftMarginLoss", lambda x, y: _nn.SoftMarginLoss(reduction="none")(x, y),
           lambda x, y: np.logaddexp(0, -y * x), (_pair(None, SIGNS, y_tensor=False),)),
    OpCase("nn.MultiLabelSoftMarginLoss",
           lambda x, y: _nn.MultiLabelSoftMarginLoss(_CLASS_WEIGHT[:x.shape[-1]], reduction="none")(x, y),
           _np_multilabel_soft_margin,
           (_pair(bounded(-8, 8), bounded(0, 1)),), variant="weight"),
    OpCase("nn.MultiMarginLoss",
           lambda x, t: _nn.MultiMarginLoss(margin=MARGIN, weight=_CLASS_WEIGHT[:x.shape[-1]],
                                            reduction="none")(x, t),
           lambda x, t: _np_multi_margin(x, t, 1, MARGIN) * _CLASS_WEIGHT[t], (_scores_and_labels(NO_TIES),),
           variant="weight"),
    OpCase("nn.PoissonNLLLoss", lambda x, y: _nn.PoissonNLLLoss(reduction="none")(x, y),
           lambda x, y: np.exp(x) - y * x, (_pair(None, positive(0.1, 4.0)),)),
    OpCase("nn.functional.poisson_nll_loss",
           lambda x, y: _F.poisson_nll_loss(x, y, log_input=False, full=True, reduction="none"),
           lambda x, y: x - y * np.log(x + 1e-8) + _np_stirling(y),
           (_pair(positive(0.2, 4.0), away_from([1.0], low=0.1, high=4.0)),), variant="rates, full"),
    OpCase("nn.GaussianNLLLoss", lambda x, y, v: _nn.GaussianNLLLoss()(x, y, v), _np_gaussian_nll,
           (_gaussian_args(),)),
]
OPS.extend(DISTANCE_AND_LOSS_OPS)
