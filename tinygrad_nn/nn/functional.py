"""Functional forms of the layers, activations and losses (PyTorch's `torch.nn.functional`).

Every function here is a composition of Tensor ops, so its gradient (first and second order)
comes from the primitives' backward; none defines a backward of its own.

Losses take `reduction="mean" | "sum" | "none"` and check their target's shape and dtype
before computing anything, saying what they expected.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import creation, ops
from ..ops import where
from .._tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


# --- layers and activations -------------------------------------------------------------------

def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x @ weight.T + bias, as one op (see ops.Linear).

    Shapes: x (..., in), weight (out, in), bias (out,) -> y (..., out).
    Example: linear(ones(2, 3), ones(4, 3)).shape == (2, 4).
    """
    return ops.linear(x, weight, bias)


def maxout(x: Tensor, weight: Tensor, bias: Tensor | None, pieces: int) -> Tensor:
    """y_j = max_k (linear(x, weight, bias))[j * pieces + k]: the largest of `pieces` affine maps.

    Shapes: x (..., in), weight (out * pieces, in), bias (out * pieces,) -> y (..., out).
    Ties between pieces share the gradient equally (as max does).
    """
    if pieces < 1 or weight.shape[0] % pieces:
        raise ValueError(f"maxout: weight of shape {weight.shape} does not hold {pieces} pieces "
                         "per output unit")
    z = linear(x, weight, bias)                                   # (..., out * pieces)
    z = z.reshape(*z.shape[:-1], weight.shape[0] // pieces, pieces)  # (..., out, pieces)
    return z.amax(axis=-1)                                        # (..., out)


def relu(x: Tensor) -> Tensor:
    """max(x, 0); relu'(0) = 0."""
    return x.relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return x.leaky_relu(negative_slope)


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), stable for any x."""
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    """tanh(x)."""
    return x.tanh()


def softplus(x: Tensor) -> Tensor:
    """log(1 + exp(x)), stable for any x (a smooth relu)."""
    return x.softplus()


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`."""
    return x.softmax(axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - logsumexp(x) along `axis`, stable for inputs of any size."""
    return x.log_softmax(axis)


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: zero each element with probability p, scale survivors by 1 / (1 - p).

    The expected value is unchanged, so nothing needs rescaling at evaluation time, when (with
    training=False) x is returned as it is. The mask comes from manual_seed's generator.
    Example: dropout(ones(4), p=0.5) is 0 or 2 in each place.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * np.zeros((), x.dtype)
    keep = creation.rng().random(x.shape) >= p
    # the scaled mask is a constant operand of one multiply: its gradient is the same mask
    return x * (keep * (1.0 / (1.0 - p))).astype(x.dtype)


# --- argument checks shared by the losses ------------------------------------------------------

def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _check_input(x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected the input to be a Tensor, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point input, got dtype {x.dtype}")
    return x


def _float_target(target: Any, x: Tensor, op: str) -> Tensor:
    """A float target of exactly x's shape (no silent broadcasting, which hides bugs)."""
    t = target if isinstance(target, Tensor) else Tensor(np.asarray(target))
    if t.dtype.kind not in "fiub":
        raise TypeError(f"{op}: expected a float target, got dtype {t.dtype}")
    if t.shape != x.shape:
        raise ValueError(f"{op}: expected a target of the input's shape {x.shape}, got {t.shape}")
    return t if t.dtype == x.dtype else t.astype(x.dtype)


def _class_target(target: Any, x: Tensor, op: str) -> np.ndarray:
    """Integer class indices: shape (N,) for input (N, C), or () for input (C,); all in [0, C)."""
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    expected = x.shape[:1] if x.ndim == 2 else ()
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: expected integer class indices of shape {expected}, got dtype "
                        f"{t.dtype} (for class probabilities pass a float target of shape {x.shape})")
    if t.shape != expected:
        raise ValueError(f"{op}: expected class indices of shape {expected} for input of shape "
                         f"{x.shape}, got {t.shape}")
    n_classes = x.shape[-1]
    bad = (t < 0) | (t >= n_classes)
    if np.any(bad):
        raise ValueError(f"{op}: class indices must be in [0, {n_classes}), got "
                         f"{np.unique(t[bad]).tolist()}")
    return t


def _check_scores(x: Tensor, op: str) -> None:
    if x.ndim not in (1, 2):
        raise ValueError(f"{op}: expected scores of shape (N, C) or (C,), got {x.shape}")


def _pick(x: Tensor, classes: np.ndarray) -> Tensor:
    """x[i, classes[i]] for each row i (or x[classes] for a single row)."""
    if x.ndim == 1:
        return x[int(classes)]
    return x[np.arange(x.shape[0]), classes]  # (N,)


# --- regression losses ----------------------------------------------------------------------------

def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error: reduce((input - target)**2); target has the input's shape.

    Example: mse_loss(Tensor([1., 2.]), Tensor([1., 4.])) == 2.0 (and the grad is (x - y)).
    """
    x = _check_input(input, "mse_loss")
    d = x - _float_target(target, x, "mse_loss")
    return _reduce(d * d, reduction, "mse_loss")


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error: reduce(|input - target|); target has the input's shape."""
    x = _check_input(input, "l1_loss")
    return _reduce((x - _float_target(target, x, "l1_loss")).abs(), reduction, "l1_loss")


# --- classification losses -------------------------------------------------------------------------

def nll_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Negative log likelihood: -input[i, target[i]], for log-probabilities `input`.

    Shapes: input (N, C) with target (N,) integers in [0, C), or input (C,) with target ().
    Example: nll_loss(log_softmax(logits), labels) == cross_entropy(logits, labels).
    """
    x = _check_input(input, "nll_loss")
    _check_scores(x, "nll_loss")
    return _reduce(-_pick(x, _class_target(target, x, "nll_loss")), reduction, "nll_loss")


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy from raw scores (logits), computed through log_softmax.

    loss_i = -log softmax(input_i)[target_i] for integer targets of shape (N,), or
    loss_i = -sum_c target_ic * log softmax(input_i)_c for class probabilities of shape (N, C).
    Shapes: input (N, C) or (C,). "mean" averages over the N samples.

    Example::

        >>> logits = Tensor([[2.0, 0.0]], requires_grad=True)
        >>> cross_entropy(logits, np.array([0])).backward()
        >>> logits.grad   # softmax - one_hot
        Tensor([[-0.11920291  0.11920291]])
    """
    x = _check_input(input, "cross_entropy")
    _check_scores(x, "cross_entropy")
    logp = x.log_softmax(axis=-1)
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind == "f" and t.shape == x.shape:
        probs = _float_target(target, x, "cross_entropy")
        return _reduce(-(probs * logp).sum(axis=-1), reduction, "cross_entropy")
    return _reduce(-_pick(logp, _class_target(target, x, "cross_entropy")), reduction, "cross_entropy")


def binary_cross_entropy_with_logits(input: Tensor, target: Any, reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """Binary cross-entropy of sigmoid(input) against target in [0, 1], without computing sigmoid.

    loss = pos_weight * y * softplus(-x) + (1 - y) * softplus(x)  (= -y log σ(x) - (1-y) log(1-σ(x)))
    softplus never overflows, so logits of ±1000 give exact, finite losses and gradients
    (dloss/dx = σ(x) - y when pos_weight is 1). Shapes: target has the input's shape.
    """
    op = "binary_cross_entropy_with_logits"
    x = _check_input(input, op)
    y = _float_target(target, x, op)
    positive = y * (-x).softplus()
    if pos_weight is not None:
        positive = positive * (pos_weight if isinstance(pos_weight, Tensor) else
                               np.asarray(pos_weight, dtype=x.dtype))
    return _reduce(positive + (1 - y) * x.softplus(), reduction, op)


def binary_cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities: -(y log p + (1 - y) log(1 - p)).

    As in PyTorch each log is clamped at -100, so p = 0 or 1 gives a finite loss (and there a
    zero gradient). Prefer binary_cross_entropy_with_logits, which is stable. Shapes: target
    has the input's shape; input must lie in [0, 1].
    """
    op = "binary_cross_entropy"
    p = _check_input(input, op)
    y = _float_target(target, p, op)
    if np.any((p._data < 0) | (p._data > 1)) or np.any(np.isnan(p._data)):
        raise ValueError(f"{op}: expected probabilities in [0, 1] (apply sigmoid first, or use "
                         "binary_cross_entropy_with_logits)")
    return _reduce(-(y * _clamped_log(p) + (1 - y) * _clamped_log(1 - p)), reduction, op)


def _clamped_log(p: Tensor) -> Tensor:
    """max(log p, -100) without ever taking log 0 (which would warn and give -inf)."""
    positive = p._data > 0
    if positive.all():
        return p.log().clip(min=-100.0)
    safe = where(positive, p, np.ones((), p.dtype))
    return where(positive, safe.log().clip(min=-100.0), np.asarray(-100.0, p.dtype))


# --- margin (hinge) losses ------------------------------------------------------------------------

def _sign_target(target: Any, x: Tensor, op: str) -> Tensor:
    y = _float_target(target, x, op)
    if np.any((y._data != 1) & (y._data != -1)):
        raise ValueError(f"{op}: expected targets of -1 or 1, got values "
                         f"{np.unique(y._data[(y._data != 1) & (y._data != -1)]).tolist()}")
    return y


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0,
                         reduction: str = "mean") -> Tensor:
    """PyTorch's HingeEmbeddingLoss: x where y = 1, max(0, margin - x) where y = -1.

    Meant for x a distance: similar pairs (y = 1) are pulled together, dissimilar ones pushed
    beyond `margin`. Shapes: target (±1) has the input's shape.
    """
    op = "hinge_embedding_loss"
    x = _check_input(input, op)
    y = _sign_target(target, x, op)
    positive = y._data == 1
    zero = np.zeros((), x.dtype)
    # clip(min=0), not relu: PyTorch's clamp_min passes the gradient at exactly 0
    return _reduce(where(positive, x, zero) + where(positive, zero, (margin - x).clip(min=0.0)),
                   reduction, op)


def binary_hinge_loss(input: Tensor, target: Any, margin: float = 1.0,
                      reduction: str = "mean") -> Tensor:
    """The binary SVM loss of the course notes: max(0, margin - y * x) for labels y = ±1.

    Shapes: target (±1) has the input's shape. Example: a score of 3 for y = 1 costs 0,
    a score of 0.5 costs 0.5.
    """
    x = _check_input(input, "binary_hinge_loss")
    y = _sign_target(target, x, "binary_hinge_loss")
    return _reduce((margin - y * x).relu(), reduction, "binary_hinge_loss")


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0,
                      reduction: str = "mean") -> Tensor:
    """Multi-class SVM (hinge) loss, as PyTorch's multi_margin_loss.

    loss_i = sum_{j != y_i} max(0, margin - x_i[y_i] + x_i[j]) ** p / C
    The course notes' SVM loss L_i is the same sum without the division by C (C * this).
    Shapes: input (N, C) with target (N,) integers, or input (C,) with target (); p is 1 or 2.
    """
    op = "multi_margin_loss"
    if p not in (1, 2):
        raise ValueError(f"{op}: p must be 1 or 2, got {p}")
    x = _check_input(input, op)
    _check_scores(x, op)
    classes = _class_target(target, x, op)
    correct = _pick(x, classes).unsqueeze(-1)          # (N, 1)
    hinge = (margin - correct + x).relu()              # (N, C)
    if p == 2:
        hinge = hinge * hinge
    others = np.ones(x.shape, bool)                    # the true class is not summed over
    if x.ndim == 1:
        others[int(classes)] = False
    else:
        others[np.arange(x.shape[0]), classes] = False
    per_sample = where(others, hinge, 0.0).sum(axis=-1) / x.shape[-1]
    return _reduce(per_sample, reduction, op)


# === opsmath: activation functions (the Tensor methods, under PyTorch's functional names) =======

def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x Φ(x) (see Tensor.gelu; approximate="tanh" for the tanh form)."""
    return x.gelu(approximate)


def silu(x: Tensor) -> Tensor:
    """x σ(x)."""
    return x.silu()


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (e^x - 1) otherwise."""
    return x.elu(alpha)


def selu(x: Tensor) -> Tensor:
    return x.selu()


def celu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return x.celu(alpha)


def mish(x: Tensor) -> Tensor:
    """x tanh(softplus(x))."""
    return x.mish()


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return x.hardtanh(min_val, max_val)


def relu6(x: Tensor) -> Tensor:
    return x.relu6()


def hardsigmoid(x: Tensor) -> Tensor:
    return x.hardsigmoid()


def hardswish(x: Tensor) -> Tensor:
    return x.hardswish()


def softsign(x: Tensor) -> Tensor:
    return x.softsign()


def logsigmoid(x: Tensor) -> Tensor:
    return x.logsigmoid()


def tanhshrink(x: Tensor) -> Tensor:
    return x.tanhshrink()


def softshrink(x: Tensor, lambd: float = 0.5) -> Tensor:
    return x.softshrink(lambd)


def hardshrink(x: Tensor, lambd: float = 0.5) -> Tensor:
    return x.hardshrink(lambd)


def threshold(x: Tensor, threshold: float, value: float) -> Tensor:
    return x.threshold(threshold, value)


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    return x.prelu(weight)


def glu(x: Tensor, dim: int = -1) -> Tensor:
    """a σ(b) for the two halves of x along dim."""
    return x.glu(dim)
