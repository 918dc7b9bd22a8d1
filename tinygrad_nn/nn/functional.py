"""Functional forms of the layers, activations and losses (PyTorch's `torch.nn.functional`).

Every function here is a composition of Tensor ops, so its gradient (first and second order)
comes from the primitives' backward; none defines a backward of its own.

Losses take `reduction="mean" | "sum" | "none"` and check their target's shape and dtype
before computing anything, saying what they expected.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import creation, ops
from ..function import mark_modified, no_grad
from ..ops import einsum, where
from ..ops.activations import exact_softplus
from ..ops.index import ScaleGrad
from ..function import numpy_call
from .._surface import function_form
from .._tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


# --- layers and activations -------------------------------------------------------------------

def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x @ weight.T + bias, as one op (see ops.Linear).

    Shapes: x (..., in), weight (out, in), bias (out,) -> y (..., out).
    Example: linear(ones(2, 3), ones(4, 3)).shape == (2, 4).
    """
    if isinstance(x, (list, tuple)):   # nn.Linear(4, 2)([[1., 2., 3., 4.]]): what a user tries first
        x = _numbers("linear", x)
    return ops.linear(x, weight, bias)


def _numbers(op: str, x: list | tuple) -> Tensor:
    """A nested list of numbers as a Tensor (of the default dtype), or an error saying what is expected."""
    try:
        t = Tensor(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{op}: expected a Tensor, or a nested list of numbers, as the input; "
                        f"got a {type(x).__name__} numpy cannot make an array of ({e})") from None
    if t.dtype.kind not in "fiu":
        raise TypeError(f"{op}: expected a Tensor, or a nested list of numbers, as the input; got a "
                        f"{type(x).__name__} of {t.dtype} values")
    return t


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x1ᵀ A_k x2 + b_k, one bilinear form per output unit (as one einsum).

    Shapes: input1 (*, in1), input2 (*, in2) (leading dims equal), weight (out, in1, in2),
    bias (out,) -> y (*, out). Example: bilinear(ones(2, 3), ones(2, 4), ones(5, 3, 4)) is 12s, (2, 5).
    """
    op = "bilinear"
    x1, x2 = _check_input(input1, op), _check_input(input2, op)
    if (weight.ndim != 3 or x1.ndim == 0 or x1.shape[:-1] != x2.shape[:-1]
            or (x1.shape[-1], x2.shape[-1]) != weight.shape[1:]):
        raise ValueError(f"{op}: expected input1 (*, in1), input2 (*, in2) with the same leading dims "
                         f"and weight (out, in1, in2), got shapes {x1.shape}, {x2.shape} and {weight.shape}")
    if bias is not None and bias.shape != weight.shape[:1]:
        raise ValueError(f"{op}: bias of shape {bias.shape} does not match weight of shape "
                         f"{weight.shape}; expected ({weight.shape[0]},)")
    out = einsum("...i,kij,...j->...k", x1, weight, x2)     # (*, out)
    return out if bias is None else out + bias


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


# Activations: F.<name>(x, ...) is x.<name>(...), made by the mechanism that makes the package's
# function forms (tinygrad_nn.<name>), so the two cannot disagree; each formula and its
# derivative live with the Tensor method (ops/activations.py and friends).
def _form(name: str) -> Callable[..., Tensor]:
    form = function_form(name)
    assert form is not None, name
    return form


relu = _form("relu")
leaky_relu = _form("leaky_relu")
sigmoid = _form("sigmoid")
tanh = _form("tanh")
softplus = _form("softplus")
gelu = _form("gelu")
silu = _form("silu")
elu = _form("elu")
selu = _form("selu")
celu = _form("celu")
mish = _form("mish")
hardtanh = _form("hardtanh")
relu6 = _form("relu6")
hardsigmoid = _form("hardsigmoid")
hardswish = _form("hardswish")
softsign = _form("softsign")
logsigmoid = _form("logsigmoid")
tanhshrink = _form("tanhshrink")
softshrink = _form("softshrink")
hardshrink = _form("hardshrink")
threshold = _form("threshold")
prelu = _form("prelu")
glu = _form("glu")


def softmax(x: Tensor, dim: int = -1, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim` (the last axis by default), in `dtype` if given."""
    return (x if dtype is None else x.astype(dtype)).softmax(dim)


def softmin(x: Tensor, dim: int = -1, dtype: Any = None) -> Tensor:
    """softmax(-x) along `dim` (the last axis by default): exp(-x) / sum(exp(-x)), in `dtype` if given.

    Example: softmin(Tensor([0., 1.]), 0) is [0.731, 0.269] (the smaller entry gets more).
    """
    return (-(x if dtype is None else x.astype(dtype))).softmax(dim)


def log_softmax(x: Tensor, dim: int = -1, dtype: Any = None) -> Tensor:
    """x - logsumexp(x) along `dim`, stable for inputs of any size, in `dtype` if given."""
    return (x if dtype is None else x.astype(dtype)).log_softmax(dim)


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
    # the scaled mask is a constant operand of one multiply: its gradient is the same mask (drawn
    # through numpy_call, so a compiled step draws a new mask on every call, as eager does)
    return x * numpy_call(_dropout_mask, x.shape, p, x.dtype)


def _dropout_mask(shape: tuple[int, ...], p: float, dtype: np.dtype) -> np.ndarray:
    keep = creation.rng().random(shape) >= p
    return (keep * (1.0 / (1.0 - p))).astype(dtype)


# --- lookup and normalisation layers ------------------------------------------------------------

def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding: out[..., c] = 1 where tensor[...] == c; shape (*, num_classes).

    num_classes=-1 takes max(tensor) + 1. Not differentiable (the result is an integer tensor).
    Example: one_hot(np.array([0, 2])) is [[1, 0, 0], [0, 0, 1]].
    """
    t = tensor._data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if t.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected an integer tensor of class indices, got dtype {t.dtype}")
    if t.size and t.min() < 0:
        raise ValueError("one_hot: class indices must be non-negative, got "
                         f"{np.unique(t[t < 0]).tolist()}")
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    if t.size and t.max() >= num_classes:
        raise ValueError(f"one_hot: class index {int(t.max())} is out of range for "
                         f"num_classes={num_classes}")
    return Tensor((t[..., None] == np.arange(num_classes)).astype(np.int64))


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of `weight` at integer indices: y[...] = weight[input[...]].

    The gradient adds up at repeated indices; the row padding_idx gets none (its value is still
    returned). With max_norm, the looked-up rows whose norm_type-norm exceeds it are first scaled
    in place to norm max_norm (weight changes, as in PyTorch: row * max_norm / (norm + 1e-7));
    with scale_grad_by_freq, each row's gradient is divided by how often its index occurs in
    `input`. Shapes: input (*) integers in [0, num_embeddings), weight (num_embeddings, dim)
    -> (*, dim).
    """
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported: numpy "
                                  "has no sparse tensors; the dense gradient is the same numbers")
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: expected integer indices, got dtype {idx.dtype}")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError(f"embedding: indices must be in [0, {n}) for a weight of shape "
                         f"{weight.shape}, got values from {int(idx.min())} to {int(idx.max())}")
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    rows = weight[idx]                                     # (*, dim)
    if scale_grad_by_freq:
        rows = ScaleGrad.apply(rows, numpy_call(_inverse_frequency, idx, rows._data.dtype))
    if padding_idx is None:
        return rows
    padded = (idx == padding_idx % n)[..., None]
    if not padded.any():
        return rows
    # the same values in both branches: only the gradient to the padding row is cut
    return where(padded, rows.detach(), rows)


def _renorm_rows(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """PyTorch's embedding_renorm_: the rows at idx with norm > max_norm scaled to max_norm."""
    used = numpy_call(np.unique, idx)
    with no_grad():
        rows = weight[used]
        norms = rows.norm(norm_type, dim=1, keepdim=True)
        scale = where(norms > max_norm, max_norm / (norms + 1e-7), np.ones((), rows.dtype))
        weight[used] = rows * scale


def _inverse_frequency(idx: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """1 / (how often each position's index occurs in idx), shaped (*idx.shape, 1)."""
    _, inverse, counts = np.unique(idx, return_inverse=True, return_counts=True)
    return (1.0 / counts[inverse.reshape(idx.shape)])[..., None].astype(dtype)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """(x - mean) / sqrt(var + eps) * weight + bias over the last len(normalized_shape) axes.

    var is the biased variance (divided by the count), as PyTorch. Shapes: input (*, *normalized_shape);
    weight and bias have normalized_shape.
    """
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (normalized_shape,)
    shape = tuple(normalized_shape)
    x = _check_input(input, "layer_norm")
    if tuple(x.shape[x.ndim - len(shape):]) != shape or len(shape) > x.ndim:
        raise ValueError(f"layer_norm: normalized_shape {shape} does not match the last axes of the "
                         f"input's shape {x.shape}")
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    centered = x - x.mean(axes, keepdims=True)
    var = (centered * centered).mean(axes, keepdims=True)
    out = centered / (var + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float | None = 0.1, eps: float = 1e-5,
               num_batches_tracked: Tensor | None = None) -> Tensor:
    """Batch normalisation over every axis but the channel axis 1: (x - mean) / sqrt(var + eps)
    * weight + bias.

    In training (or without running statistics) mean and the biased var come from the batch,
    and running_mean / running_var (if given) move in place towards the batch's mean and
    unbiased var by `momentum` (r = (1 - m) r + m * stat; momentum=None averages over all
    batches so far, counted by num_batches_tracked). Otherwise the running statistics are used.
    Shapes: input (N, C) or (N, C, L); the statistics, weight and bias are (C,).
    """
    op = "batch_norm"
    x = _check_input(input, op)
    if x.ndim not in (2, 3):
        raise ValueError(f"{op}: expected input of shape (N, C) or (N, C, L), got {x.shape}")
    axes = (0,) if x.ndim == 2 else (0, 2)
    channel_shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if training or running_mean is None or running_var is None:
        count = x.numel() // x.shape[1]
        if training and count < 2:
            raise ValueError(f"{op}: expected more than 1 value per channel when training, got "
                             f"input of shape {x.shape}")
        mean = x.mean(axes, keepdims=True)
        centered = x - mean
        var = (centered * centered).mean(axes, keepdims=True)
        if training and running_mean is not None and running_var is not None:
            _update_running_stats(running_mean, running_var, mean._data.reshape(-1),
                                  var._data.reshape(-1) * (count / (count - 1)), momentum,
                                  num_batches_tracked)
        out = centered / (var + eps).sqrt()
    else:
        rm = running_mean._data.reshape(channel_shape).astype(x.dtype, copy=False)
        rv = running_var._data.reshape(channel_shape).astype(x.dtype, copy=False)
        out = (x - rm) * (1.0 / np.sqrt(rv + eps)).astype(x.dtype, copy=False)
    if weight is not None:
        out = out * weight.reshape(*channel_shape)
    if bias is not None:
        out = out + bias.reshape(*channel_shape)
    return out


def _update_running_stats(running_mean: Tensor, running_var: Tensor, mean: np.ndarray,
                          unbiased_var: np.ndarray, momentum: float | None,
                          num_batches_tracked: Tensor | None) -> None:
    if num_batches_tracked is not None:
        num_batches_tracked._data += 1
        mark_modified(num_batches_tracked)
    if momentum is None:   # a cumulative average over the batches seen so far
        factor = 1.0 / float(num_batches_tracked._data) if num_batches_tracked is not None else 0.0
    else:
        factor = momentum
    for buffer, stat in ((running_mean, mean), (running_var, unbiased_var)):
        buffer._data *= 1 - factor
        buffer._data += factor * stat
        mark_modified(buffer)


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


def smooth_l1_loss(input: Tensor, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Smooth L1: 0.5 d**2 / beta where |d| < beta, else |d| - 0.5 beta, for d = input - target.

    beta = 0 is l1_loss. The two pieces meet with equal slope at |d| = beta. Shapes: target has
    the input's shape. Example: smooth_l1_loss(Tensor([0.5, 3.]), Tensor([0., 0.])) == (0.125 + 2.5) / 2.
    """
    op = "smooth_l1_loss"
    if beta < 0:
        raise ValueError(f"{op}: beta must be non-negative, got {beta}")
    x = _check_input(input, op)
    d = x - _float_target(target, x, op)
    if beta == 0:
        return _reduce(d.abs(), reduction, op)
    inside = d.abs() < beta   # a Tensor comparison, so that a compiled step can record the mask
    return _reduce(where(inside, d * d * (0.5 / beta), d.abs() - 0.5 * beta), reduction, op)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber: 0.5 d**2 where |d| < delta, else delta * (|d| - 0.5 delta), for d = input - target.

    It is delta * smooth_l1_loss(beta=delta). Shapes: target has the input's shape.
    """
    op = "huber_loss"
    if not delta > 0:
        raise ValueError(f"{op}: delta must be positive, got {delta}")
    x = _check_input(input, op)
    d = x - _float_target(target, x, op)
    inside = d.abs() < delta   # a Tensor comparison (see smooth_l1_loss)
    return _reduce(where(inside, d * d * 0.5, (d.abs() - 0.5 * delta) * delta), reduction, op)


def kl_div(input: Tensor, target: Any, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence, pointwise target * (log target - input), for log-probabilities
    `input` (PyTorch's argument order: KL(target || exp(input))).

    log_target=True takes the target as log-probabilities: exp(t) * (t - input). Where target is
    0 the term is 0 (0 log 0 = 0). reduction: "batchmean" (sum / N, the true KL divergence per
    sample), "sum", "mean" (over every element, which is not the KL divergence) or "none".
    Shapes: target has the input's shape, (N, ...).
    """
    op = "kl_div"
    if reduction not in (*_REDUCTIONS, "batchmean"):
        raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS + ('batchmean',)}, got {reduction!r}")
    x = _check_input(input, op)
    t = _float_target(target, x, op)
    if log_target:
        loss = t.exp() * (t - x)
    else:
        # one path for all targets (no shortcut when all are positive): a compiled step replays it
        positive = t > 0   # a Tensor comparison (see smooth_l1_loss)
        safe = where(positive, t, np.ones((), x.dtype))
        loss = where(positive, t * safe.log(), np.zeros((), x.dtype)) - t * x
    if reduction == "batchmean":
        return loss.sum() / (x.shape[0] if x.ndim else 1)
    return _reduce(loss, reduction, op)


# --- classification losses -------------------------------------------------------------------------

def _scores_last(x: Tensor, op: str) -> Tensor:
    """Scores with the class axis last: (N, C, d1, ..., dk) -> (N, d1, ..., dk, C); (N, C), (C,) as
    they are."""
    if x.ndim == 0:
        raise ValueError(f"{op}: expected scores of shape (C,), (N, C) or (N, C, d1, ...), got {x.shape}")
    if x.ndim <= 2:
        return x
    return x.permute(0, *range(2, x.ndim), 1)


def _class_indices(target: Any, x: Tensor, ignore_index: int | None,
                   op: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Integer class indices of shape x.shape without its class axis, all in [0, C) or equal to
    ignore_index (None: a loss without one); returns (indices with ignored ones set to 0, mask of
    the ignored ones or None when there are none)."""
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    expected = x.shape[:1] + x.shape[2:] if x.ndim >= 2 else ()
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: expected integer class indices of shape {expected}, got dtype "
                        f"{t.dtype} (for class probabilities pass a float target of shape {x.shape})")
    if t.shape != expected:
        raise ValueError(f"{op}: expected class indices of shape {expected} for input of shape "
                         f"{x.shape}, got {t.shape}")
    n_classes = x.shape[1] if x.ndim >= 2 else x.shape[0]
    # the common case in two reductions: every index a class, and ignore_index none of them
    ignoring = ignore_index is not None and 0 <= ignore_index < n_classes
    if not ignoring and (t.size == 0 or (t.min() >= 0 and t.max() < n_classes)):
        return t, None
    ignored = t == ignore_index
    bad = ((t < 0) | (t >= n_classes)) & ~ignored
    if np.any(bad):
        also = "" if ignore_index is None else f" (ignore_index is {ignore_index})"
        raise ValueError(f"{op}: class indices must be in [0, {n_classes}), got "
                         f"{np.unique(t[bad]).tolist()}{also}")
    return np.where(ignored, 0, t), ignored


def _class_weight(weight: Any, x: Tensor, op: str) -> np.ndarray | None:
    if weight is None:
        return None
    if isinstance(weight, str):
        raise TypeError(f"{op}: the third argument is `weight` (as in PyTorch); pass reduction= "
                        f"by keyword, e.g. reduction={weight!r}")
    w = weight._data if isinstance(weight, Tensor) else np.asarray(weight)
    n_classes = x.shape[1] if x.ndim >= 2 else x.shape[0]
    if w.shape != (n_classes,):
        raise ValueError(f"{op}: expected a weight of shape ({n_classes},), one per class, got {w.shape}")
    return w.astype(x.dtype, copy=False)


def _nll(logp_last: Tensor, classes: np.ndarray, ignored: np.ndarray | None, w: np.ndarray | None,
         reduction: str, op: str) -> Tensor:
    """-w[y] * logp[..., y] per element (0 where ignored), reduced; 'mean' divides by the
    sum of the weights of the elements that count, as PyTorch does."""
    if classes.ndim:
        picked = logp_last[tuple(np.indices(classes.shape)) + (classes,)]
    else:
        picked = logp_last[int(classes)]
    if w is None and ignored is None:
        return _reduce(-picked, reduction, op)
    scale = np.ones(classes.shape, logp_last.dtype) if w is None else w[classes]
    if ignored is not None:
        scale = np.where(ignored, 0, scale).astype(logp_last.dtype, copy=False)
    loss = -picked * scale
    if reduction != "mean":
        return _reduce(loss, reduction, op)
    total = scale.sum()
    if total == 0:   # every element ignored: PyTorch gives nan (0 / 0), without a warning here
        return loss.sum() * np.asarray(np.nan, logp_last.dtype)
    return loss.sum() / total


def nll_loss(input: Tensor, target: Any, weight: Any = None, *, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log likelihood: loss_n = -weight[y_n] * input[n, y_n], for log-probabilities `input`.

    Shapes: input (N, C) with target (N,) integers in [0, C); (C,) with (); or (N, C, d1, ..., dk)
    with (N, d1, ..., dk). Targets equal to ignore_index contribute 0 and are not counted.
    "mean" divides by sum_n weight[y_n] over the counted elements (by their number without weight).
    Example: nll_loss(log_softmax(logits), labels) == cross_entropy(logits, labels).
    """
    x = _check_input(input, "nll_loss")
    classes, ignored = _class_indices(target, x, ignore_index, "nll_loss")
    return _nll(_scores_last(x, "nll_loss"), classes, ignored, _class_weight(weight, x, "nll_loss"),
                reduction, "nll_loss")


def cross_entropy(input: Tensor, target: Any, weight: Any = None, *, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy from raw scores (logits), computed through log_softmax over the class axis.

    Class indices y (shape of input without its class axis):
        loss_n = (1 - ε) * (-w[y_n] logp_n[y_n]) + ε / C * sum_c (-w_c logp_n[c]),
    with ε = label_smoothing, w = weight (ones by default); targets equal to ignore_index give 0.
    "mean" divides the sum by sum_n w[y_n] over counted elements, as PyTorch.
    Class probabilities p (float, the input's shape): loss_n = -sum_c w_c q_nc logp_n[c] with
    q = (1 - ε) p + ε / C; "mean" divides by the number of elements N * d1 * ... * dk.
    Shapes: input (N, C), (C,) or (N, C, d1, ..., dk); the class axis is 1 (0 for a 1-D input).

    Example::

        >>> logits = Tensor([[2.0, 0.0]], requires_grad=True)
        >>> cross_entropy(logits, np.array([0])).backward()
        >>> logits.grad   # softmax - one_hot
        Tensor([[-0.11920291  0.11920291]])
    """
    op = "cross_entropy"
    x = _check_input(input, op)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    w = _class_weight(weight, x, op)
    logp = _scores_last(x, op).log_softmax(axis=-1)           # (..., C)
    n_classes = logp.shape[-1]
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind == "f" and t.shape == x.shape:
        probs = _scores_last(_float_target(target, x, op), op)
        if label_smoothing:
            probs = probs * (1 - label_smoothing) + label_smoothing / n_classes
        weighted = probs * logp if w is None else probs * logp * w
        return _reduce(-weighted.sum(axis=-1), reduction, op)
    classes, ignored = _class_indices(target, x, ignore_index, op)
    nll = _nll(logp, classes, ignored, w, reduction, op)
    if not label_smoothing:
        return nll
    # every class's share ε / C, weighted as nll weights its one class
    smooth = -(logp.sum(axis=-1) if w is None else (logp * w).sum(axis=-1))
    counts = np.ones(classes.shape) if w is None else w[classes]   # what each element weighs in 'mean'
    if ignored is not None:
        smooth = where(ignored, np.zeros((), x.dtype), smooth)
        counts = np.where(ignored, 0, counts)
    if reduction == "mean":
        counted = float(counts.sum())   # a Python float keeps a float32 loss float32
        smooth = smooth.sum() / counted if counted else smooth.sum() * np.asarray(np.nan, x.dtype)
    else:
        smooth = _reduce(smooth, reduction, op)
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / n_classes)


def _elementwise_weight(weight: Any, x: Tensor, op: str) -> Any:
    if weight is None:
        return None
    if isinstance(weight, str):
        raise TypeError(f"{op}: the third argument is `weight` (as in PyTorch); pass reduction= "
                        f"by keyword, e.g. reduction={weight!r}")
    w = weight if isinstance(weight, Tensor) else np.asarray(weight, dtype=x.dtype)
    try:
        np.broadcast_shapes(w.shape, x.shape)
    except ValueError:
        raise ValueError(f"{op}: weight of shape {w.shape} does not broadcast to the input's shape "
                         f"{x.shape}") from None
    return w


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Any = None, *,
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """Binary cross-entropy of sigmoid(input) against target in [0, 1], without computing sigmoid.

    loss = weight * (pos_weight * y * exact_softplus(-x) + (1 - y) * exact_softplus(x))
         (= -w [p y log σ(x) + (1-y) log(1-σ(x))])
    softplus never overflows, so logits of ±1000 give exact, finite losses and gradients
    (dloss/dx = σ(x) - y when the weights are 1). Shapes: target has the input's shape; weight
    broadcasts to it, pos_weight (one per class, the last axis) too.
    """
    op = "binary_cross_entropy_with_logits"
    x = _check_input(input, op)
    y = _float_target(target, x, op)
    w = _elementwise_weight(weight, x, op)
    positive = y * exact_softplus(-x)
    if pos_weight is not None:
        positive = positive * _elementwise_weight(pos_weight, x, op)
    loss = positive + (1 - y) * exact_softplus(x)
    return _reduce(loss if w is None else loss * w, reduction, op)


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None, *,
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities: -weight * (y log p + (1 - y) log(1 - p)).

    As in PyTorch each log is clamped at -100, so p = 0 or 1 gives a finite loss (and there a
    zero gradient). Prefer binary_cross_entropy_with_logits, which is stable. Shapes: target
    has the input's shape, weight broadcasts to it; input must lie in [0, 1].
    """
    op = "binary_cross_entropy"
    p = _check_input(input, op)
    y = _float_target(target, p, op)
    w = _elementwise_weight(weight, p, op)
    if np.any((p._data < 0) | (p._data > 1)) or np.any(np.isnan(p._data)):
        raise ValueError(f"{op}: expected probabilities in [0, 1] (apply sigmoid first, or use "
                         "binary_cross_entropy_with_logits)")
    loss = -(y * _clamped_log(p) + (1 - y) * _clamped_log(1 - p))
    return _reduce(loss if w is None else loss * w, reduction, op)


def _clamped_log(p: Tensor) -> Tensor:
    """max(log p, -100) without ever taking log 0 (which would warn and give -inf)."""
    positive = (p > 0)._data   # a Tensor comparison: a compiled step records it
    if positive.all() and not _compiling():
        return p.log().clip(min=-100.0)
    # a compiled step always takes this branch: the data-dependent shortcut above would be frozen
    safe = where(positive, p, np.ones((), p.dtype))
    return where(positive, safe.log().clip(min=-100.0), np.asarray(-100.0, p.dtype))


def _compiling() -> bool:
    from .. import function
    return function._trace is not None


def _other_classes(shape: tuple[int, ...], classes: np.ndarray) -> np.ndarray:
    """True everywhere except at each sample's true class (which the SVM loss does not sum)."""
    others = np.ones(shape, bool)
    if len(shape) == 1:
        others[int(classes)] = False
    else:
        others[np.arange(shape[0]), classes] = False
    return others


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
    positive = (y == 1)._data   # a Tensor comparison: a compiled step records it
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


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0, weight: Any = None, *,
                      reduction: str = "mean") -> Tensor:
    """Multi-class SVM (hinge) loss, as PyTorch's multi_margin_loss.

    loss_i = sum_{j != y_i} w[y_i] max(0, margin - x_i[y_i] + x_i[j]) ** p / C
    (w = weight, one per class, ones by default). The course notes' SVM loss L_i is the same sum
    without the division by C (C * this). Shapes: input (N, C) with target (N,) integers, or
    input (C,) with target (); p is 1 or 2.
    """
    op = "multi_margin_loss"
    if p not in (1, 2):
        raise ValueError(f"{op}: p must be 1 or 2, got {p}")
    x = _check_input(input, op)
    _check_scores(x, op)
    classes, _ = _class_indices(target, x, None, op)
    w = _class_weight(weight, x, op)
    correct = _pick(x, classes).unsqueeze(-1)          # (N, 1)
    hinge = (margin - correct + x).relu()              # (N, C)
    if p == 2:
        hinge = hinge * hinge
    if w is not None:
        hinge = hinge * w[classes][..., None]          # each sample's terms weighted by its class
    others = numpy_call(_other_classes, x.shape, classes)   # recorded: see numpy_call
    per_sample = where(others, hinge, 0.0).sum(axis=-1) / x.shape[-1]
    return _reduce(per_sample, reduction, op)


# === opsshape: padding ===
def pad(input: Tensor, pad: Any, mode: str = "constant", value: float = 0.0) -> Tensor:
    """PyTorch's F.pad: pad = (left, right) for the last axis, then the one before, ...; mode
    "constant" (with value), "reflect", "replicate" or "circular" (see tinygrad_nn.pad)."""
    return ops.pad(input, pad, mode, value)


# ranking, embedding, soft-margin and likelihood losses, and distances: their own files
from .distance import cosine_similarity, normalize, pairwise_distance  # noqa: E402,F401
from .functional_losses import (cosine_embedding_loss, gaussian_nll_loss,  # noqa: E402,F401
                                margin_ranking_loss, multilabel_soft_margin_loss, poisson_nll_loss,
                                soft_margin_loss, triplet_margin_loss)
