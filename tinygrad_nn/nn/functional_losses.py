"""More of nn.functional's losses, with PyTorch's formulas and eps rules: ranking and embedding
losses (margin_ranking, triplet_margin, cosine_embedding), soft margins, and the Poisson and
Gaussian negative log likelihoods. functional.py re-exports them, so `F.<name>` finds them all.

Each is a composition of Tensor ops (no backward of its own). Hinges use clip(min=0), whose
gradient passes at exactly 0, as PyTorch's clamp_min does; relu's would not.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..function import numpy_call
from ..ops import where
from ..ops.activations import exact_softplus
from .._tensor import Tensor
from .distance import pairwise_distance
from .functional import _check_input, _float_target, _reduce


def _operand(x: Any, like: Tensor, op: str, what: str) -> Tensor:
    t = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
    if t.dtype.kind not in "fiub":
        raise TypeError(f"{op}: expected a numeric {what}, got dtype {t.dtype}")
    return t if t.dtype == like.dtype else t.astype(like.dtype)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0, *,
                        reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin): x1 should rank above x2 where y = 1, below where y = -1.

    Shapes: input1, input2 and target (±1) have the same number of dims and broadcast, (N,) or ().
    Example: margin_ranking_loss(Tensor([2.]), Tensor([1.]), [1.]) is 0; with y = -1 it is 1.
    """
    op = "margin_ranking_loss"
    x1, x2 = _check_input(input1, op), _check_input(input2, op)
    y = _operand(target, x1, op, "target")
    if not x1.ndim == x2.ndim == y.ndim:
        raise ValueError(f"{op}: input1, input2 and target must have the same number of dims, got "
                         f"shapes {x1.shape}, {x2.shape} and {y.shape}")
    return _reduce((-y * (x1 - x2) + margin).clip(min=0.0), reduction, op)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2.0, eps: float = 1e-6, swap: bool = False, *,
                        reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) with d = pairwise_distance(·, ·, p, eps): the anchor
    should be nearer its positive than its negative by `margin`. swap=True uses
    min(d(a, n), d(p, n)) as the negative distance (Balntas et al.).

    Shapes: anchor, positive, negative (N, D) or (D,), all with the same number of dims ->
    (N,) or () per triplet. Example: a = p = [0, 0], n = [3, 4] (eps=0) gives max(0, 1 - 5) = 0.
    """
    op = "triplet_margin_loss"
    a, pos, neg = (_check_input(t, op) for t in (anchor, positive, negative))
    if not a.ndim == pos.ndim == neg.ndim or a.ndim not in (1, 2):
        raise ValueError(f"{op}: expected anchor, positive and negative of shape (N, D) or (D,), all "
                         f"with the same number of dims, got {a.shape}, {pos.shape} and {neg.shape}")
    d_pos = pairwise_distance(a, pos, p, eps)
    d_neg = pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(pos, neg, p, eps))
    return _reduce((margin + d_pos - d_neg).clip(min=0.0), reduction, op)


_COSINE_EPS = 1e-12   # PyTorch's EPSILON in cosine_embedding_loss, added to each squared norm


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0, *,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1, with
    cos = Σ x1 x2 / sqrt((Σ x1² + 1e-12)(Σ x2² + 1e-12)) (PyTorch's eps, not cosine_similarity's).

    Shapes: input1, input2 (N, D) with target (N,), or (D,) with target () -> (N,) or ().
    Example: parallel x1, x2 with y = 1 cost 0.
    """
    op = "cosine_embedding_loss"
    x1, x2 = _check_input(input1, op), _check_input(input2, op)
    y = _operand(target, x1, op, "target")
    expected = x1.shape[:1] if x1.ndim == 2 else ()
    if x1.ndim not in (1, 2) or x2.shape != x1.shape or y.shape != expected:
        raise ValueError(f"{op}: expected input1 and input2 of one shape, (N, D) with target (N,) or "
                         f"(D,) with target (), got {x1.shape}, {x2.shape} and target {y.shape}")
    if np.any((y._data != 1) & (y._data != -1)):
        raise ValueError(f"{op}: expected targets of -1 or 1, got values "
                         f"{np.unique(y._data[(y._data != 1) & (y._data != -1)]).tolist()}")
    dim = x1.ndim - 1
    norms = (((x1 * x1).sum(dim) + _COSINE_EPS) * ((x2 * x2).sum(dim) + _COSINE_EPS)).sqrt()
    cos = (x1 * x2).sum(dim) / norms
    zero = np.zeros((), x1.dtype)
    similar = (y == 1)._data   # a Tensor comparison: a compiled step records it
    return _reduce(where(similar, 1 - cos, zero) + where(similar, zero, (cos - margin).clip(min=0.0)),
                   reduction, op)


def soft_margin_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-y x)), the logistic loss for labels y = ±1 (as softplus(-y x): no overflow).

    Shapes: target has the input's shape. Example: soft_margin_loss(Tensor([0.]), [1.]) is log 2.
    """
    op = "soft_margin_loss"
    x = _check_input(input, op)
    y = _float_target(target, x, op)
    return _reduce(exact_softplus(-y * x), reduction, op)


def multilabel_soft_margin_loss(input: Tensor, target: Any, weight: Any = None, *,
                                reduction: str = "mean") -> Tensor:
    """-(1/C) Σ_c w_c [y_c log σ(x_c) + (1 - y_c) log σ(-x_c)]: one binary cross-entropy per
    label, averaged over the C labels of each sample.

    Shapes: input (N, C) or (C,), target (0/1, or probabilities) of the same shape, weight
    broadcasting to it -> (N,) or () before the reduction.
    """
    op = "multilabel_soft_margin_loss"
    x = _check_input(input, op)
    if x.ndim not in (1, 2):
        raise ValueError(f"{op}: expected scores of shape (N, C) or (C,), got {x.shape}")
    y = _float_target(target, x, op)
    loss = -(y * x.logsigmoid() + (1 - y) * (-x).logsigmoid())
    if weight is not None:
        if isinstance(weight, str):
            raise TypeError(f"{op}: the third argument is `weight` (as in PyTorch); pass reduction= "
                            f"by keyword, e.g. reduction={weight!r}")
        loss = loss * _operand(weight, x, op, "weight")
    return _reduce(loss.sum(-1) / x.shape[-1], reduction, op)


def poisson_nll_loss(input: Tensor, target: Any, log_input: bool = True, full: bool = False,
                     eps: float = 1e-8, *, reduction: str = "mean") -> Tensor:
    """Negative log likelihood of a Poisson target with rate λ:

    log_input=True (input is log λ): exp(x) - y x; log_input=False (input is λ): x - y log(x + eps).
    full=True adds Stirling's approximation of log(y!), y log y - y + log(2π y) / 2, where y > 1.
    Shapes: target has the input's shape. Example: poisson_nll_loss(Tensor([0.]), [1.]) is 1.
    """
    op = "poisson_nll_loss"
    x = _check_input(input, op)
    y = _float_target(target, x, op)
    loss = x.exp() - y * x if log_input else x - y * (x + eps).log()
    if full:
        counted = numpy_call(np.greater, y._data, 1)
        safe = where(counted, y, np.full((), 2.0, x.dtype))   # no log 0 where the term is dropped
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(counted, stirling, np.zeros((), x.dtype))
    return _reduce(loss, reduction, op)


def gaussian_nll_loss(input: Tensor, target: Any, var: Any, full: bool = False, eps: float = 1e-6, *,
                      reduction: str = "mean") -> Tensor:
    """Negative log likelihood of target under N(input, var): (log max(var, eps) + (x - y)² /
    max(var, eps)) / 2, plus log(2π) / 2 with full=True.

    var may be a number, of the input's shape, of its shape without the last axis, or broadcast
    to it along one axis (PyTorch's rules). The clamp at eps changes the value but not the
    gradient (PyTorch clamps in place under no_grad). Example: input = target, var = 1 costs 0.
    """
    op = "gaussian_nll_loss"
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{op}: reduction must be one of ('mean', 'sum', 'none'), got {reduction!r}")
    x = _check_input(input, op)
    y = _float_target(target, x, op)
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError(f"{op}: var has negative entries ({var})")
        v = Tensor(np.full(x.shape, var, x.dtype))
    else:
        v = _operand(var, x, op, "var")
        if np.any(v._data < 0):
            raise ValueError(f"{op}: var has negative entries")
    if v.shape != x.shape:
        if v.shape == x.shape[:-1]:
            v = v.unsqueeze(-1)
        elif not (v.ndim == x.ndim and sum(b for a, b in zip(x.shape, v.shape) if a != b) == 1):
            raise ValueError(f"{op}: var of shape {v.shape} does not fit the input's shape {x.shape}: "
                             "expected the same shape, the shape without the last axis, or a 1 in "
                             "one axis")
    v = v + (v.clip(min=eps) - v).detach()
    d = x - y
    loss = 0.5 * (v.log() + d * d / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction, op)
